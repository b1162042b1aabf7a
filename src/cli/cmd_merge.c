/* cmd_merge.c — `uclif merge DIR [--spec SPEC [--set NAME=VALUE]...] [--repair] [--quiet]`: merge
 * a sweep's shards by hand (after a killed job, or as the last step of a job array). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "uclif/store.h"
#include "uclif/sweep.h"

enum { OPT_SPEC = 1, OPT_REPAIR };

static const ucl_cli_opt options[] = {
    {"spec", OPT_SPEC, "SPEC",
     "the sweep's spec: checked against the shards and the spec DIR\n"
     "keeps (default: the one DIR keeps, DIR/spec.ini), and\n"
     "DIR/manifest.txt is written (with no spec at all it is left as it is)"},
    {"repair", OPT_REPAIR, NULL,
     "move shards holding damaged blocks, stray lines or copies of a point\n"
     "that differ to DIR/set-aside/ (nothing is deleted), put copies\n"
     "without them in their place, then merge; refused while a run holds DIR"},
    {NULL, 0, NULL, NULL}};

static const ucl_cli_cmd command = {
    .name = "merge",
    .usage = "uclif merge DIR [options]",
    .about =
        "Merge the shards in DIR/shards and DIR/shards/slice-* (written by `uclif sweep`) into\n"
        "DIR/points.csv and DIR/rate_curves.csv (DIR/neurons.csv for a network sweep; also\n"
        "DIR/probability.csv when [characterize] trials > 0), sorted by point, keeping every\n"
        "complete point. The merged files go into the sweep's own\n"
        "directory DIR, beside its shards (so there is no -o).\n"
        "Use it to look at the results of a job that was killed (`uclif sweep --resume -o DIR`\n"
        "finishes it), or after the slices of a job array. A block that does not verify (its\n"
        "crc32) is never merged: it is named with its file and line, and a resume computes\n"
        "its point again.",
    .common = UCL_CLI_SET | UCL_CLI_QUIET,
    .set_help = "the --set options the sweep ran with (with --spec; repeatable)",
    .quiet_help = "no summary",
    .opts = options,
    .operand = "DIR",
    .operand_required = 1,
    .after = "exit status: 0 all points present; 1 points missing (the files hold the others) or\n"
             "an output could not be written; 2 bad usage, a bad spec, shards that are not a\n"
             "sweep's (or not SPEC's), copies of a point that differ (see --repair), or DIR in\n"
             "use by a run (--repair)."};

int ucl_cmd_merge(int argc, char **argv) {
  ucl_cli_args a;
  ucl_cli_parser cp;
  const char *spec = NULL, *v = NULL;
  ucl_diag diag = {{0}};
  int id, flags = 0;
  ucl_cli_begin(&cp, &command, argc, argv, &a, 0);
  while ((id = ucl_cli_next(&cp, &v)) > 0) {
    if (id == OPT_SPEC) {
      spec = v;
    } else if (id == OPT_REPAIR) {
      flags |= UCL_MERGE_REPAIR;
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
  ucl_status st = UCL_OK;
  int kept = 0;
  if (spec) { /* the spec named, which must be the one DIR keeps (when it keeps one) */
    st = ucl_sweep_load_sets(spec, a.sets, a.n_sets, &sw, &diag);
    if (st == UCL_OK) {
      st = ucl_store_check_spec(dir, sw, &kept, &diag);
    }
  } else if (ucl_store_keeps_spec(dir)) {
    st = ucl_store_load_spec(dir, &sw, &diag);
  }
  if (st != UCL_OK) {
    ucl_cli_error("merge", "%s", diag.msg);
    ucl_sweep_destroy(&sw);
    return ucl_cli_exit_code(st);
  }
  ucl_merge_stats ms;
  memset(&ms, 0, sizeof(ms));
  int code = UCL_EXIT_OK;
  st = ucl_store_merge(dir, sw ? ucl_sweep_hash(sw) : 0, sw ? ucl_sweep_count(sw) : 0, flags, &ms,
                       &diag);
  if (st == UCL_ERR_IO) {
    ucl_diag_suffix(&diag, "; %s: free space (or fix the cause) and run `uclif merge %s%s` again",
                    flags & UCL_MERGE_REPAIR ? "every point is in the shards or in set-aside"
                                             : "the shards are untouched",
                    dir, flags & UCL_MERGE_REPAIR ? " --repair" : "");
  }
  if (st == UCL_OK && sw) {
    st = ucl_store_write_manifest(dir, sw, &ms, "merged_by = uclif merge\n", &diag);
  }
  if (st == UCL_OK || st == UCL_ERR_IO) {
    char action[600];
    if (ms.health.set_aside > 0) {
      snprintf(action, sizeof(action), "set aside in %s/set-aside, not merged", dir);
    } else {
      snprintf(action, sizeof(action),
               "not merged (`uclif sweep --resume -o %s` computes their points again, "
               "`uclif merge %s --repair` sets them aside)",
               dir, dir);
    }
    ucl_cli_store_health("merge", &ms.health, action);
  }
  if (st != UCL_OK) {
    ucl_cli_error("merge", "%s", diag.msg); /* an I/O failure names its own recovery */
    code = ucl_cli_exit_code(st);
  } else {
    if (!a.quiet) {
      printf("merged %ld of %ld points from %d shards into %s/points.csv", ms.merged, ms.points,
             ms.shards, dir);
      for (int k = 1; k < ms.n_files; k++) {
        printf("%s %s/%s", k + 1 < ms.n_files ? "," : " and", dir, ms.file[k]);
      }
      printf("%s\n", sw ? " (and manifest.txt)" : "");
      if (ms.health.duplicates > 0) {
        printf("%ld extra cop%s of merged points with the same bytes (left by overlapping runs) "
               "counted once\n",
               ms.health.duplicates, ms.health.duplicates == 1 ? "y" : "ies");
      }
      if (ms.health.set_aside > 0) {
        printf("set aside %ld damaged or differing part%s of shards in %s/set-aside\n",
               ms.health.set_aside, ms.health.set_aside == 1 ? "" : "s", dir);
      }
    }
    if (ms.missing > 0) {
      ucl_cli_error("merge",
                    "%ld points missing (first: %ld); `uclif sweep --resume -o %s` computes them",
                    ms.missing, ms.first_missing, dir);
      code = UCL_EXIT_RUN;
    }
  }
  ucl_sweep_destroy(&sw);
  return code;
}
