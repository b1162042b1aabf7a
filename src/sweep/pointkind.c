/* pointkind.c — the two kinds of sweep point (pointkind.h): the single neuron and the network. */
#include "uclif/pointkind.h"

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

static ucl_status neuron_layout(const ucl_sweep *sw, ucl_point_layout *lay, ucl_diag *diag) {
  (void)sw;
  (void)diag;
  memset(lay, 0, sizeof(*lay));
  lay->second_file = "rate_curves.csv"; /* headers NULL: the store's own columns (results.h) */
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
  ucl_status st =
      ucl_results_rows(i, &p, &res, &rows[0].text, &rows[0].len, &rows[1].text, &rows[1].len, diag);
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
