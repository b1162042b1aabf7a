/* pointkind.c — the two kinds of sweep point (pointkind.h): the single neuron and the network. */
#include "uclif/pointkind.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uclif/csvio.h"
#include "uclif/netsweep.h"
#include "uclif/protocols.h"
#include "uclif/results.h"
#include "uclif/clock.h"

void ucl_point_layout_free(ucl_point_layout *lay) {
  if (!lay) {
    return;
  }
  for (int k = 0; k < UCL_POINT_FILES; k++) {
    free(lay->headers[k]);
    lay->headers[k] = NULL;
  }
}

/* ---- the single neuron ---- */

/* A montecarlo design's points.csv: results.h's columns with the draw's seed and index after
 * "point" (part UCL_POINT_PART_MC: an mc_id). */
typedef struct mc_id {
  long seed, draw;
} mc_id;

#define MC_MAX_COLS 1024
static ucl_column mc_cols[MC_MAX_COLS];
static ucl_table mc_table = {"points.csv", mc_cols, 0};

static const ucl_column mc_id_cols[] = {
    UCL_FIELD(LONG, "mc_seed", "", UCL_POINT_PART_MC, mc_id, seed, "",
              "design = montecarlo: the seed of the draws ([run] seed)"),
    UCL_FIELD(LONG, "mc_draw", "", UCL_POINT_PART_MC, mc_id, draw, "",
              "design = montecarlo: the draw whose values the point has (= point: point i is draw "
              "i, a pure function of mc_seed and mc_draw)"),
};

const ucl_table *ucl_point_mc_points_table(void) {
  if (mc_table.n == 0) {
    const ucl_table *pt = ucl_results_points_table();
    size_t k = 0;
    for (size_t i = 0; i < pt->n && k + 2 < MC_MAX_COLS; i++) {
      mc_cols[k++] = pt->cols[i];
      if (i == 0) { /* after "point" */
        mc_cols[k++] = mc_id_cols[0];
        mc_cols[k++] = mc_id_cols[1];
      }
    }
    mc_table.n = k;
  }
  return &mc_table;
}

/* "\"a\",\"b\",..." of a table's column names (malloc'd), or NULL. */
static char *header_line(const ucl_table *t) {
  size_t len = 1;
  for (size_t k = 0; k < t->n; k++) {
    len += strlen(t->cols[k].name) + 3;
  }
  char *s = malloc(len);
  size_t at = 0;
  for (size_t k = 0; s && k < t->n; k++) {
    at += (size_t)snprintf(s + at, len - at, "%s\"%s\"", k ? "," : "", t->cols[k].name);
  }
  return s;
}

/* A single-neuron sweep's files: points.csv (with mc_seed, mc_draw for a montecarlo design),
 * rate_curves.csv, and probability.csv when its points run trials. */
static int neuron_files(const ucl_sweep *sw, const ucl_table *t[UCL_POINT_FILES]) {
  t[0] = ucl_sweep_design(sw) == UCL_DESIGN_MONTECARLO ? ucl_point_mc_points_table()
                                                       : ucl_results_points_table();
  t[1] = ucl_results_curves_table();
  t[2] = ucl_results_sweep_prob_table();
  return ucl_sweep_char_opts(sw)->trials > 0 ? 3 : 2;
}

static ucl_status neuron_layout(const ucl_sweep *sw, ucl_point_layout *lay, ucl_diag *diag) {
  memset(lay, 0, sizeof(*lay));
  const ucl_table *t[UCL_POINT_FILES];
  lay->n_files = neuron_files(sw, t);
  for (int k = 0; k < lay->n_files; k++) {
    lay->file[k] = t[k]->file;
  }
  if (lay->n_files == 2 && t[0] == ucl_results_points_table()) {
    return UCL_OK; /* headers NULL: the store's own columns (results.h), no layout lines */
  }
  for (int k = 0; k < lay->n_files; k++) {
    if (!(lay->headers[k] = header_line(t[k]))) {
      ucl_point_layout_free(lay);
      return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
    }
  }
  return UCL_OK;
}

/* The rows of point i: its points.csv row, its rate_curves.csv rows and, with trials, its
 * probability.csv rows (each in memory, as the shard block holds them). */
static ucl_status neuron_rows(const ucl_sweep *sw, long i, const ucl_params *p,
                              const ucl_char_result *r, ucl_rowbuf rows[UCL_POINT_FILES],
                              ucl_diag *diag) {
  const ucl_table *t[UCL_POINT_FILES];
  int n = neuron_files(sw, t);
  ucl_csv_writer *w[UCL_POINT_FILES] = {NULL};
  mc_id id = {(long)ucl_sweep_seed(sw), i};
  const void *parts[4];
  parts[UCL_POINT_PART_ID] = &i;
  parts[UCL_POINT_PART_RESULT] = r;
  parts[UCL_POINT_PART_PARAMS] = p;
  parts[UCL_POINT_PART_MC] = &id;
  ucl_status st = UCL_OK;
  for (int k = 0; k < n && st == UCL_OK; k++) {
    st = ucl_csv_mem_open((int)t[k]->n, &w[k]);
  }
  if (st == UCL_OK) {
    st = ucl_table_write_row(t[0], parts, w[0], diag);
  }
  if (st == UCL_OK) {
    st = ucl_results_write_curve(w[1], i, r, diag);
  }
  if (st == UCL_OK && n > 2) {
    st = ucl_results_write_sweep_prob(w[2], i, r, diag);
  }
  for (int k = 0; k < n && st == UCL_OK; k++) {
    st = ucl_csv_mem_take(&w[k], &rows[k].text, &rows[k].len);
  }
  for (int k = 0; k < n; k++) {
    ucl_csv_abort(&w[k]);
  }
  if (st != UCL_OK) {
    for (int k = 0; k < n; k++) {
      free(rows[k].text);
      rows[k].text = NULL;
    }
    return st == UCL_ERR_NOMEM ? ucl_diag_set(diag, st, "out of memory") : st;
  }
  return UCL_OK;
}

static ucl_status neuron_compute(const ucl_sweep *sw, long i, const ucl_point_limits *lim,
                                 ucl_rowbuf rows[UCL_POINT_FILES], int *failed, double *compute_s,
                                 ucl_diag *diag) {
  ucl_params p;
  ucl_char_result res;
  memset(&res, 0, sizeof(res));
  ucl_diag pd = {{0}};
  *compute_s = 0.0;
  ucl_status pst = ucl_sweep_point(sw, i, &p, &pd);
  if (pst == UCL_OK) {
    ucl_char_opts copts = *ucl_sweep_char_opts(sw);
    double tb = ucl_clock_s();
    copts.deadline = lim && lim->timeout_s > 0.0 ? tb + lim->timeout_s : 0.0;
    copts.cancel = lim ? lim->cancel : NULL;
    pst = ucl_characterize(&p, &copts, &res, &pd);
    *compute_s = ucl_clock_s() - tb;
    if (pst == UCL_ERR_STOPPED) { /* abandoned: no row */
      return ucl_diag_set(diag, pst, "point %ld: %s", i, pd.msg);
    }
  }
  if (pst != UCL_OK) {
    /* an inconsistent point: a row with its reason, no simulation */
    ucl_char_result_free(&res);
    ucl_char_result_empty(&res);
    res.status = pst;
    snprintf(res.reason, sizeof(res.reason), "point: %s", pd.msg);
  }
  *failed = res.status != UCL_OK;
  ucl_status st = neuron_rows(sw, i, &p, &res, rows, diag);
  ucl_char_result_free(&res);
  return st;
}

const ucl_point_kind ucl_point_kind_neuron = {"neuron", neuron_layout, neuron_compute};

/* ---- the network ---- */

static ucl_status network_layout(const ucl_sweep *sw, ucl_point_layout *lay, ucl_diag *diag) {
  memset(lay, 0, sizeof(*lay));
  lay->n_files = 2;
  lay->file[0] = "points.csv";
  lay->file[1] = "neurons.csv";
  return ucl_netsweep_layout(sw, &lay->headers[0], &lay->headers[1], diag);
}

static ucl_status network_compute(const ucl_sweep *sw, long i, const ucl_point_limits *lim,
                                  ucl_rowbuf rows[UCL_POINT_FILES], int *failed, double *compute_s,
                                  ucl_diag *diag) {
  double ta = ucl_clock_s();
  double deadline = lim && lim->timeout_s > 0.0 ? ta + lim->timeout_s : 0.0;
  ucl_status st = ucl_netsweep_point(sw, i, deadline, lim ? lim->cancel : NULL, &rows[0].text,
                                     &rows[0].len, &rows[1].text, &rows[1].len, failed, diag);
  *compute_s = ucl_clock_s() - ta;
  return st;
}

const ucl_point_kind ucl_point_kind_network = {"network", network_layout, network_compute};

const ucl_point_kind *ucl_point_kind_of(const ucl_sweep *sw) {
  return ucl_sweep_is_network(sw) ? &ucl_point_kind_network : &ucl_point_kind_neuron;
}
