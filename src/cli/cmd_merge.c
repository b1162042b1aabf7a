/* cmd_merge.c — `uclif merge DIR`: merge a sweep's shards by hand (after a killed job). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "uclif/store.h"

static void help(void) {
  printf("usage: uclif merge DIR\n\n"
         "Merge the shards in DIR/shards (written by `uclif sweep`) into DIR/points.csv and\n"
         "DIR/rate_curves.csv, sorted by point, keeping every complete point. Use it to look at\n"
         "the results of a job that was killed; `uclif sweep SPEC -o DIR --resume` finishes it.\n\n"
         "exit status: 0 all points present; 1 points missing (the files hold the others);\n"
         "2 bad usage or shards that are not a sweep's.\n");
}

int ucl_cmd_merge(int argc, char **argv) {
  if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
    help();
    return UCL_EXIT_OK;
  }
  if (argc != 2 || argv[1][0] == '-') {
    ucl_cli_error("merge", "usage: uclif merge DIR (see --help)");
    return UCL_EXIT_USAGE;
  }
  ucl_diag diag = {{0}};
  ucl_merge_stats ms;
  ucl_status st = ucl_store_merge(argv[1], 0, 0, &ms, &diag);
  if (st != UCL_OK) {
    ucl_cli_error("merge", "%s", diag.msg);
    return st == UCL_ERR_PARSE ? UCL_EXIT_USAGE : UCL_EXIT_RUN;
  }
  if (ms.shards == 0) {
    ucl_cli_error("merge", "%s/shards holds no shards", argv[1]);
    return UCL_EXIT_USAGE;
  }
  printf("merged %ld of %ld points from %d shards into %s/points.csv and %s/rate_curves.csv\n",
         ms.merged, ms.points, ms.shards, argv[1], argv[1]);
  if (ms.missing > 0) {
    ucl_cli_error("merge", "%ld points missing (first: %ld); resume the sweep to compute them",
                  ms.missing, ms.first_missing);
    return UCL_EXIT_RUN;
  }
  return UCL_EXIT_OK;
}
