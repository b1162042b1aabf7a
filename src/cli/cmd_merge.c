/* cmd_merge.c — `uclif merge DIR [--spec SPEC]`: merge a sweep's shards by hand (after a killed
 * job, or as the last step of a job array). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "uclif/store.h"
#include "uclif/sweep.h"

static void help(void) {
  printf("usage: uclif merge DIR [--spec SPEC]\n\n"
         "Merge the shards in DIR/shards and DIR/shards/slice-* (written by `uclif sweep`) into\n"
         "DIR/points.csv and DIR/rate_curves.csv (DIR/neurons.csv for a network sweep), sorted\n"
         "by point, keeping every complete point.\n"
         "Use it to look at the results of a job that was killed (`uclif sweep SPEC -o DIR\n"
         "--resume` finishes it), or after the slices of a job array.\n\n"
         "  --spec SPEC   the sweep's spec: checked against the shards, and DIR/manifest.txt is\n"
         "                written (without it the manifest is left as it is)\n\n"
         "exit status: 0 all points present; 1 points missing (the files hold the others);\n"
         "2 bad usage, a bad spec, or shards that are not a sweep's (or not SPEC's).\n");
}

int ucl_cmd_merge(int argc, char **argv) {
  const char *dir = NULL, *spec = NULL, *v = NULL;
  ucl_diag diag = {{0}};
  int usage_error = 0;
  for (int i = 1; i < argc && !usage_error; i++) {
    int m;
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      help();
      return UCL_EXIT_OK;
    } else if ((m = ucl_cli_option(argc, argv, &i, "--spec", &v)) != 0) {
      usage_error = m < 0 || !v[0];
      spec = v;
    } else if (argv[i][0] == '-' || dir) {
      usage_error = 1;
    } else {
      dir = argv[i];
    }
  }
  if (usage_error || !dir) {
    ucl_cli_error("merge", "usage: uclif merge DIR [--spec SPEC] (see --help)");
    return UCL_EXIT_USAGE;
  }
  ucl_sweep *sw = NULL;
  if (spec && ucl_sweep_load(spec, &sw, &diag) != UCL_OK) {
    ucl_cli_error("merge", "%s", diag.msg);
    return UCL_EXIT_USAGE;
  }
  ucl_merge_stats ms;
  int code = UCL_EXIT_OK;
  ucl_status st =
      ucl_store_merge(dir, sw ? ucl_sweep_hash(sw) : 0, sw ? ucl_sweep_count(sw) : 0, &ms, &diag);
  if (st != UCL_OK) {
    ucl_cli_error("merge", "%s", diag.msg);
    code = st == UCL_ERR_PARSE ? UCL_EXIT_USAGE : UCL_EXIT_RUN;
  } else if (sw &&
             ucl_store_write_manifest(dir, sw, &ms, "merged_by = uclif merge\n", &diag) != UCL_OK) {
    ucl_cli_error("merge", "%s", diag.msg);
    code = UCL_EXIT_RUN;
  } else {
    printf("merged %ld of %ld points from %d shards into %s/points.csv and %s/%s%s\n", ms.merged,
           ms.points, ms.shards, dir, dir, ms.second_file, sw ? " (and manifest.txt)" : "");
    if (ms.missing > 0) {
      ucl_cli_error("merge", "%ld points missing (first: %ld); resume the sweep to compute them",
                    ms.missing, ms.first_missing);
      code = UCL_EXIT_RUN;
    }
  }
  ucl_sweep_destroy(&sw);
  return code;
}
