/* fitreport.h — the HTML page of a fit (`uclif report DIR` on the output folder of `uclif fit`;
 * docs/outputs.md "The fit page"): the fitted parameters with their 95 % intervals, verdicts and
 * correlations, the model comparison, and per recording and channel the measured and fitted
 * waveforms overlaid with their spike times, and the residual beneath. Drawn by gnuplot (SVG with
 * a PNG copy), started with fork and exec (no shell). Not collective; no MPI. */
#ifndef UCL_FITREPORT_H
#define UCL_FITREPORT_H

#include "uclif/status.h"

/* 1 when 'dir' holds the output of a fit (a readable DIR/parameters.csv or DIR/overlay.csv) and
 * no sweep results (DIR/points.csv), else 0. Either file is enough, so that a fit folder missing
 * the other gets ucl_fitreport_write's error naming it rather than a sweep report's. */
int ucl_fitreport_detect(const char *dir);

/* Write DIR/fit.html from DIR/parameters.csv, DIR/comparison.csv, DIR/overlay.csv and
 * DIR/spikes.csv (all required; their formats are those `uclif fit` writes, docs/fit.md) and
 * DIR/fit.txt (optional: shown verbatim, and its "spec:" or "spec =" line names the fit in the
 * title). Images beside the page: DIR/fit_overlay_K.svg and DIR/fit_residual_K.svg (K = 1, 2, ...
 * per recording and channel in overlay.csv's order), each with a PNG copy; the gnuplot script,
 * its data and gnuplot's log in DIR/fit_page/. The page is written to DIR/fit.html.tmp and
 * renamed into place: a failure leaves any earlier page as it was.
 * Errors: UCL_ERR_INPUT "DIR/NAME.csv: cannot read: why" for a missing or unreadable file;
 * UCL_ERR_PARSE "DIR/NAME.csv: no column 'X'" or "DIR/NAME.csv:LINE: ..." for a malformed one
 * (a missing column, a row with the wrong number of fields, a number that does not parse, no
 * rows in overlay.csv); UCL_ERR_INVAL for a directory name with quotes; UCL_ERR_IO when the
 * page, the images' folder or a data file cannot be written; UCL_ERR_TOOL when gnuplot is not
 * found or fails (DIR/fit_page/gnuplot.log says why). Nothing is printed. */
UCL_NODISCARD ucl_status ucl_fitreport_write(const char *dir, ucl_diag *diag);

#endif
