/* cmd_report.c — `uclif report DIR [--max-points N] [--quiet]`: the HTML report of a merged
 * sweep, or the page of a fit when DIR is the output of `uclif fit`. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "uclif/fitreport.h"
#include "uclif/report.h"
#include "uclif/units.h"

enum { OPT_MAX_POINTS = 1 };

static const ucl_cli_opt options[] = {
    {"max-points", OPT_MAX_POINTS, "N", "at most N points per scatter plot (default 10000)"},
    {NULL, 0, NULL, NULL}};

static const ucl_cli_cmd command = {
    .name = "report",
    .usage = "uclif report DIR [options]",
    .about =
        "Build DIR/report/index.html from the merged results of a sweep (DIR/points.csv,\n"
        "DIR/rate_curves.csv, DIR/manifest.txt): the status breakdown, solver health, the\n"
        "firing threshold against each swept parameter and as a heat map over the first two,\n"
        "f-A curves of points spread over the first swept parameter, tau_leak against\n"
        "(R1+R2)C, tau_ref against R3 C, tau_adapt against R7 C2, the energy per spike against\n"
        "C V^2/2, and the manifest. Every plot is an SVG drawn by gnuplot with a PNG copy beside\n"
        "it; a plot whose columns are missing or empty is skipped with a note on the page.\n"
        "Any number of points: the CSVs are streamed, each scatter plot gets at most N points\n"
        "(every k-th row; default 10000), counts and the heat map use every row. The report\n"
        "goes into the sweep's own directory, DIR/report (so there is no -o).\n"
        "On the output of `uclif fit` (DIR/parameters.csv, DIR/overlay.csv; no points.csv) it\n"
        "writes the fit's page instead: DIR/fit.html, the parameters with their 95 % intervals,\n"
        "correlations, the model comparison, and measured against fitted waveforms with their\n"
        "spike times and residuals (SVG and PNG beside it).",
    .common = UCL_CLI_QUIET,
    .quiet_help = "no summary",
    .opts = options,
    .operand = "DIR",
    .operand_required = 1,
    .after = "exit status: 0 written; 1 gnuplot failed or DIR/report could not be written; 2 bad\n"
             "usage or no readable points.csv."};

int ucl_cmd_report(int argc, char **argv) {
  ucl_cli_args a;
  ucl_cli_parser cp;
  const char *v = NULL;
  long max_points = 10000;
  ucl_diag diag = {{0}};
  int id;
  ucl_cli_begin(&cp, &command, argc, argv, &a, 0);
  while ((id = ucl_cli_next(&cp, &v)) > 0) {
    if (id == OPT_MAX_POINTS &&
        ucl_units_parse_long(v, 10, 10000000L, &max_points, &diag) != UCL_OK) {
      ucl_cli_bad_value(&cp, "%s", diag.msg);
    }
  }
  if (id < 0) {
    return cp.exit;
  }
  if (ucl_fitreport_detect(a.operand)) {
    ucl_status fst = ucl_fitreport_write(a.operand, &diag);
    if (fst != UCL_OK) {
      return ucl_cli_fail("report", fst, &diag);
    }
    if (!a.quiet) {
      printf("fit page written: %s/fit.html\n", a.operand);
    }
    return UCL_EXIT_OK;
  }
  ucl_report_opts o = {NULL, (size_t)max_points};
  ucl_report_summary s;
  ucl_status st = ucl_report_build(a.operand, &o, &s, &diag);
  if (st != UCL_OK) {
    return ucl_cli_fail("report", st, &diag);
  }
  if (!a.quiet) {
    printf("report of %ld points (%ld ok): %d plots, %d skipped (noted in the page)\nwrote %s\n",
           s.rows, s.ok, s.plots, s.skipped, s.index);
  }
  return UCL_EXIT_OK;
}
