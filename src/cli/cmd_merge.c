/* cmd_merge.c — `uclif merge DIR [--spec SPEC [--set NAME=VALUE]...] [--quiet]`: merge a sweep's
 * shards by hand (after a killed job, or as the last step of a job array). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "uclif/store.h"
#include "uclif/sweep.h"

enum { OPT_SPEC = 1 };

static const ucl_cli_opt options[] = {
    {"spec", OPT_SPEC, "SPEC",
     "the sweep's spec: checked against the shards, and DIR/manifest.txt\n"
     "is written (without it the manifest is left as it is)"},
    {NULL, 0, NULL, NULL}};

static const ucl_cli_cmd command = {
    .name = "merge",
    .usage = "uclif merge DIR [options]",
    .about =
        "Merge the shards in DIR/shards and DIR/shards/slice-* (written by `uclif sweep`) into\n"
        "DIR/points.csv and DIR/rate_curves.csv (DIR/neurons.csv for a network sweep), sorted\n"
        "by point, keeping every complete point. The merged files go into the sweep's own\n"
        "directory DIR, beside its shards (so there is no -o).\n"
        "Use it to look at the results of a job that was killed (`uclif sweep SPEC -o DIR\n"
        "--resume` finishes it), or after the slices of a job array.",
    .common = UCL_CLI_SET | UCL_CLI_QUIET,
    .set_help = "the --set options the sweep ran with (with --spec; repeatable)",
    .quiet_help = "no summary",
    .opts = options,
    .operand = "DIR",
    .operand_required = 1,
    .after = "exit status: 0 all points present; 1 points missing (the files hold the others) or\n"
             "an output could not be written; 2 bad usage, a bad spec, or shards that are not a\n"
             "sweep's (or not SPEC's)."};

int ucl_cmd_merge(int argc, char **argv) {
  ucl_cli_args a;
  ucl_cli_parser cp;
  const char *spec = NULL, *v = NULL;
  ucl_diag diag = {{0}};
  int id;
  ucl_cli_begin(&cp, &command, argc, argv, &a, 0);
  while ((id = ucl_cli_next(&cp, &v)) > 0) {
    if (id == OPT_SPEC) {
      spec = v;
    }
  }
  if (id < 0) {
    return cp.exit;
  }
  if (a.n_sets > 0 && !spec) {
    return ucl_cli_usage_error(&cp, "--set needs --spec (the overrides belong to the spec)");
  }
  const char *dir = a.operand;
  ucl_sweep *sw = NULL;
  ucl_status st = spec ? ucl_sweep_load_sets(spec, a.sets, a.n_sets, &sw, &diag) : UCL_OK;
  if (st != UCL_OK) {
    ucl_cli_error("merge", "%s", diag.msg);
    return ucl_cli_exit_code(st);
  }
  ucl_merge_stats ms;
  int code = UCL_EXIT_OK;
  st = ucl_store_merge(dir, sw ? ucl_sweep_hash(sw) : 0, sw ? ucl_sweep_count(sw) : 0, &ms, &diag);
  if (st == UCL_OK && sw) {
    st = ucl_store_write_manifest(dir, sw, &ms, "merged_by = uclif merge\n", &diag);
  }
  if (st != UCL_OK) {
    ucl_cli_error("merge", "%s", diag.msg);
    code = ucl_cli_exit_code(st);
  } else {
    if (!a.quiet) {
      printf("merged %ld of %ld points from %d shards into %s/points.csv and %s/%s%s\n", ms.merged,
             ms.points, ms.shards, dir, dir, ms.second_file, sw ? " (and manifest.txt)" : "");
    }
    if (ms.missing > 0) {
      ucl_cli_error("merge", "%ld points missing (first: %ld); resume the sweep to compute them",
                    ms.missing, ms.first_missing);
      code = UCL_EXIT_RUN;
    }
  }
  ucl_sweep_destroy(&sw);
  return code;
}
