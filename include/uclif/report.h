/* report.h — the characterization report of a merged sweep (`uclif report DIR`,
 * docs/outputs.md): DIR/report/index.html with SVG plots drawn by gnuplot (and PNG copies)
 * whose axes carry units and engineering tics, the sweep's conditions, a status breakdown, solver
 * health, a table of the first points and the run's manifest. Input of any size: the CSVs are
 * streamed; plots get at most a bounded number of points (every k-th row), heat maps and
 * counts are exact aggregates. */
#ifndef UCL_REPORT_H
#define UCL_REPORT_H

#include <stddef.h>

#include "uclif/status.h"

typedef struct ucl_report_opts {
  const char *gnuplot;    /* the gnuplot program (run without a shell, looked up in PATH when
                             it has no slash); NULL = "gnuplot" */
  size_t max_plot_points; /* per scatter plot; 0 = 10000 */
} ucl_report_opts;

typedef struct ucl_report_summary {
  long rows;       /* points.csv rows read */
  long ok;         /* rows with status ok */
  int plots;       /* plots drawn */
  int skipped;     /* plots skipped (a missing column, no data), each noted in the page */
  char index[512]; /* path of index.html */
} ucl_report_summary;

/* Build DIR/report from DIR/points.csv (required), DIR/rate_curves.csv, DIR/manifest.txt,
 * DIR/spec.ini and DIR/spec.canonical (optional: without the spec files the log axes follow the
 * values' spacing and the conditions points.csv's first row). UCL_ERR_INPUT when points.csv cannot
 * be read, UCL_ERR_TOOL when gnuplot fails or is not found (the message names gnuplot; its standard
 * error is in DIR/report/gnuplot.log), UCL_ERR_IO when DIR/report cannot be written, UCL_ERR_PARSE
 * for a points.csv without the point/status columns. gnuplot is started with fork and exec (no
 * shell) and waited for; nothing is printed. */
UCL_NODISCARD ucl_status ucl_report_build(const char *dir, const ucl_report_opts *opts,
                                          ucl_report_summary *out, ucl_diag *diag);

#endif
