/* pointkind.c — the two kinds of sweep point (pointkind.h): the single neuron and the network. */
#include "uclif/pointkind.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "uclif/csvio.h"
#include "uclif/netsweep.h"
#include "uclif/protocols.h"
#include "uclif/results.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

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

static ucl_status neuron_layout(const ucl_sweep *sw, ucl_point_layout *lay, ucl_diag *diag) {
  (void)sw;
  (void)diag;
  memset(lay, 0, sizeof(*lay));
  lay->second_file = "rate_curves.csv"; /* headers NULL: the store's own columns (results.h) */
  return UCL_OK;
}

/* One file's rows of a characterized point: 'which' 0 the points.csv row, 1 the rate_curves.csv
 * rows, through the writers of results.h into a memory stream. */
static ucl_status neuron_rows(int which, long id, const ucl_params *p, const ucl_char_result *r,
                              ucl_rowbuf *out, ucl_diag *diag) {
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  ucl_csv_writer *w = NULL;
  int n = 0;
  if (which == 0) {
    ucl_results_point_columns(&n);
  } else {
    ucl_results_curve_columns(&n);
  }
  ucl_status st = m ? ucl_csv_wrap(m, n, &w) : UCL_ERR_NOMEM;
  if (st == UCL_OK) {
    st = which == 0 ? ucl_results_write_point(w, id, p, r, diag)
                    : ucl_results_write_curve(w, id, r, diag);
  } else {
    ucl_diag_set(diag, st, "out of memory");
  }
  ucl_csv_abort(&w); /* the rows are in the stream; the wrapper owns nothing else */
  if (m && fclose(m) != 0 && st == UCL_OK) {
    st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  if (st != UCL_OK) {
    free(buf);
    return st;
  }
  out->text = buf;
  out->len = len;
  return UCL_OK;
}

static ucl_status neuron_compute(const ucl_sweep *sw, long i, double timeout_s,
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
    double tb = now();
    copts.deadline = timeout_s > 0.0 ? tb + timeout_s : 0.0;
    pst = ucl_characterize(&p, &copts, &res, &pd);
    *compute_s = now() - tb;
  }
  if (pst != UCL_OK) {
    /* an inconsistent point: a row with its reason, no simulation */
    ucl_char_result_free(&res);
    ucl_char_result_empty(&res);
    res.status = pst;
    snprintf(res.reason, sizeof(res.reason), "point: %s", pd.msg);
  }
  *failed = res.status != UCL_OK;
  ucl_status st = neuron_rows(0, i, &p, &res, &rows[0], diag);
  if (st == UCL_OK) {
    st = neuron_rows(1, i, &p, &res, &rows[1], diag);
    if (st != UCL_OK) {
      free(rows[0].text);
      rows[0].text = NULL;
    }
  }
  ucl_char_result_free(&res);
  return st;
}

const ucl_point_kind ucl_point_kind_neuron = {"neuron", neuron_layout, neuron_compute};

/* ---- the network ---- */

static ucl_status network_layout(const ucl_sweep *sw, ucl_point_layout *lay, ucl_diag *diag) {
  memset(lay, 0, sizeof(*lay));
  lay->second_file = "neurons.csv";
  return ucl_netsweep_layout(sw, &lay->headers[0], &lay->headers[1], diag);
}

static ucl_status network_compute(const ucl_sweep *sw, long i, double timeout_s,
                                  ucl_rowbuf rows[UCL_POINT_FILES], int *failed, double *compute_s,
                                  ucl_diag *diag) {
  (void)timeout_s; /* a network run has no wall-time limit */
  double ta = now();
  ucl_status st = ucl_netsweep_point(sw, i, &rows[0].text, &rows[0].len, &rows[1].text,
                                     &rows[1].len, failed, diag);
  *compute_s = now() - ta;
  return st;
}

const ucl_point_kind ucl_point_kind_network = {"network", network_layout, network_compute};

const ucl_point_kind *ucl_point_kind_of(const ucl_sweep *sw) {
  return ucl_sweep_is_network(sw) ? &ucl_point_kind_network : &ucl_point_kind_neuron;
}
