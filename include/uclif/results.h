/* results.h — the rows of points.csv and rate_curves.csv (the schema of docs/outputs.md), shared
 * by `uclif characterize` and the sweeps. Columns: point, status, reason, every parameter (named
 * as in `uclif params`), then the features with units in their names. */
#ifndef UCL_RESULTS_H
#define UCL_RESULTS_H

#include "uclif/csvio.h"
#include "uclif/params.h"
#include "uclif/protocols.h"
#include "uclif/status.h"

/* Column names of points.csv (static storage, built on first use; not thread-safe on the very
 * first call). */
const char *const *ucl_results_point_columns(int *n);

/* Column names of rate_curves.csv. */
const char *const *ucl_results_curve_columns(int *n);

/* One points.csv row for point 'id'. */
UCL_NODISCARD ucl_status ucl_results_write_point(ucl_csv_writer *w, long id, const ucl_params *p,
                                                 const ucl_char_result *r, ucl_diag *diag);

/* The rate_curves.csv rows of point 'id' (one per amplitude). */
UCL_NODISCARD ucl_status ucl_results_write_curve(ucl_csv_writer *w, long id,
                                                 const ucl_char_result *r, ucl_diag *diag);

#endif
