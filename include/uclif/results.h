/* results.h — the tables of points.csv and rate_curves.csv (columns.h; docs/outputs.md), shared
 * by `uclif characterize`, the sweeps, their shards and merge, the report and `uclif tune`.
 * points.csv: point, status, reason, every parameter (named as in `uclif params`), then the
 * features with units in their names; rate_curves.csv: point, then one f–A curve point. */
#ifndef UCL_RESULTS_H
#define UCL_RESULTS_H

#include "uclif/columns.h"
#include "uclif/csvio.h"
#include "uclif/params.h"
#include "uclif/protocols.h"
#include "uclif/status.h"

/* The parts of a points.csv row (ucl_table_write_row): the point index (a long), the
 * characterization result, the parameters. */
enum { UCL_POINT_PART_ID = 0, UCL_POINT_PART_RESULT = 1, UCL_POINT_PART_PARAMS = 2 };
/* The parts of a rate_curves.csv row: the point index (a long), one ucl_rate_point. */
enum { UCL_CURVE_PART_ID = 0, UCL_CURVE_PART_POINT = 1 };

/* The table of points.csv (static storage, built from the parameter table on first use; not
 * thread-safe on the very first call). */
const ucl_table *ucl_results_points_table(void);

/* The table of rate_curves.csv (static). */
const ucl_table *ucl_results_curves_table(void);

/* Column names of points.csv / rate_curves.csv (the tables' names, same storage rules). */
const char *const *ucl_results_point_columns(int *n);
const char *const *ucl_results_curve_columns(int *n);

/* One points.csv row for point 'id'. */
UCL_NODISCARD ucl_status ucl_results_write_point(ucl_csv_writer *w, long id, const ucl_params *p,
                                                 const ucl_char_result *r, ucl_diag *diag);

/* The rate_curves.csv rows of point 'id' (one per amplitude). */
UCL_NODISCARD ucl_status ucl_results_write_curve(ucl_csv_writer *w, long id,
                                                 const ucl_char_result *r, ucl_diag *diag);

/* The rows of point 'id' in memory, as a shard block holds them: its points.csv row (*prow) and
 * its rate_curves.csv rows (*crows), each malloc'd (the caller frees both) with their lengths.
 * On failure nothing is left to free. UCL_ERR_NOMEM, or the writers' status. */
UCL_NODISCARD ucl_status ucl_results_rows(long id, const ucl_params *p, const ucl_char_result *r,
                                          char **prow, size_t *plen, char **crows, size_t *clen,
                                          ucl_diag *diag);

/* The table of threshold_period.csv (static; one part: a ucl_period_threshold) and its rows,
 * one per r->thr_period in order. Written by `uclif characterize` when it measures them. */
const ucl_table *ucl_results_period_table(void);
UCL_NODISCARD ucl_status ucl_results_write_periods(ucl_csv_writer *w, const ucl_char_result *r,
                                                   ucl_diag *diag);

/* The table of probability.csv (static; one part: a ucl_prob_point) and its rows, one per
 * r->prob in order. Written by `uclif characterize` when [characterize] trials > 0. */
const ucl_table *ucl_results_prob_table(void);
UCL_NODISCARD ucl_status ucl_results_write_prob(ucl_csv_writer *w, const ucl_char_result *r,
                                                ucl_diag *diag);

/* The table of a sweep's probability.csv: "point" (part UCL_CURVE_PART_ID, a long), then the
 * columns of probability.csv (part UCL_CURVE_PART_POINT, a ucl_prob_point); static storage, built
 * on first use (not thread-safe then). Its rows for point 'id', one per r->prob in order (none
 * without trials). */
const ucl_table *ucl_results_sweep_prob_table(void);
UCL_NODISCARD ucl_status ucl_results_write_sweep_prob(ucl_csv_writer *w, long id,
                                                      const ucl_char_result *r, ucl_diag *diag);

/* A fits.csv row: sample i of fit 'fit' (UCL_FIT_LEAK_OFF ...), with the fitted curve there. */
typedef struct ucl_fit_row {
  int fit;
  double t_s, v_mem_V, v_fit_V, residual_V;
} ucl_fit_row;

/* The table of fits.csv (static; one part: a ucl_fit_row); row i of r->fits[fit] (i < n); the
 * rows of every fit r holds, fit by fit. */
const ucl_table *ucl_results_fits_table(void);
void ucl_results_fit_row(const ucl_char_result *r, int fit, size_t i, ucl_fit_row *row);
UCL_NODISCARD ucl_status ucl_results_write_fits(ucl_csv_writer *w, const ucl_char_result *r,
                                                ucl_diag *diag);

/* The value of points.csv column 'col' (ucl_table_find on ucl_results_points_table()) for the
 * configuration p and its result r, as a number: 1 and *out set (NAN when not measured), 0 when
 * the column is not numeric (status, reason, a choice, a search status). */
int ucl_results_point_number(long col, const ucl_params *p, const ucl_char_result *r, double *out);

#endif
