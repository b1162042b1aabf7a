/* cmd_report.c — `uclif report DIR [--max-points N]`: the HTML report of a merged sweep. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "uclif/report.h"
#include "uclif/units.h"

static void help(void) {
  printf("usage: uclif report DIR [--max-points N]\n\n"
         "Build DIR/report/index.html from the merged results of a sweep (DIR/points.csv,\n"
         "DIR/rate_curves.csv, DIR/manifest.txt): the status breakdown, solver health, the\n"
         "firing threshold against each swept parameter and as a heat map over the first two,\n"
         "f-A curves of points spread over the first swept parameter, tau_leak against\n"
         "(R1+R2)C, tau_ref against R3 C, tau_adapt against R7 C2, the energy per spike against\n"
         "C V^2/2, and the manifest. Every plot is an SVG drawn by gnuplot with a PNG copy beside\n"
         "it; a plot whose columns are missing or empty is skipped with a note on the page.\n"
         "Any number of points: the CSVs are streamed, each scatter plot gets at most N points\n"
         "(every k-th row; default 10000), counts and the heat map use every row.\n\n"
         "exit status: 0 written; 1 gnuplot failed; 2 bad usage or no readable points.csv.\n");
}

int ucl_cmd_report(int argc, char **argv) {
  const char *dir = NULL, *v = NULL;
  long max_points = 10000;
  ucl_diag diag = {{0}};
  for (int i = 1; i < argc; i++) {
    int m;
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      help();
      return UCL_EXIT_OK;
    } else if ((m = ucl_cli_option(argc, argv, &i, "--max-points", &v)) != 0) {
      if (m < 0 || ucl_units_parse_long(v, 10, 10000000L, &max_points, &diag) != UCL_OK) {
        ucl_cli_error("report", "--max-points: %s", m < 0 ? "needs a value" : diag.msg);
        return UCL_EXIT_USAGE;
      }
    } else if (argv[i][0] == '-' || dir) {
      ucl_cli_error("report", "usage: uclif report DIR [--max-points N] (see --help)");
      return UCL_EXIT_USAGE;
    } else {
      dir = argv[i];
    }
  }
  if (!dir) {
    ucl_cli_error("report", "usage: uclif report DIR [--max-points N] (see --help)");
    return UCL_EXIT_USAGE;
  }
  ucl_report_opts o = {NULL, (size_t)max_points};
  ucl_report_summary s;
  ucl_status st = ucl_report_build(dir, &o, &s, &diag);
  if (st != UCL_OK) {
    ucl_cli_error("report", "%s", diag.msg);
    return ucl_cli_exit_code(st);
  }
  printf("report of %ld points (%ld ok): %d plots, %d skipped (noted in the page)\nwrote %s\n",
         s.rows, s.ok, s.plots, s.skipped, s.index);
  return UCL_EXIT_OK;
}
