/* results.c — points.csv and rate_curves.csv rows. */
#include "uclif/results.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const feature_cols[] = {"threshold_V",
                                           "threshold_lo_V",
                                           "threshold_hi_V",
                                           "threshold_status",
                                           "threshold_sims",
                                           "V_mem_threshold_V",
                                           "rheobase_V",
                                           "rheobase_lo_V",
                                           "rheobase_hi_V",
                                           "rheobase_status",
                                           "rheobase_sims",
                                           "tau_leak_off_s",
                                           "tau_leak_off_r2",
                                           "tau_leak_on_s",
                                           "tau_leak_on_r2",
                                           "leak_amplitude_V",
                                           "tau_ref_s",
                                           "tau_ref_r2",
                                           "spike_duration_s",
                                           "adapt_amplitude_V",
                                           "adapt_window_s",
                                           "adapt_spikes",
                                           "tau_adapt_s",
                                           "adapt_r0_Hz",
                                           "adapt_rinf_Hz",
                                           "adapt_r2",
                                           "adapt_index_efel",
                                           "adapt_index_ipfx",
                                           "ref_amplitude_V",
                                           "ref_spikes",
                                           "ref_rate_mean_Hz",
                                           "ref_rate_first_isi_Hz",
                                           "ref_rate_steady_Hz",
                                           "ref_latency_s",
                                           "ref_isi_cv",
                                           "E_in_J",
                                           "E_vdd_J",
                                           "energy_per_spike_J",
                                           "energy_in_per_spike_J",
                                           "energy_vdd_per_spike_J",
                                           "energy_paper_J",
                                           "energy_stored_J",
                                           "sims",
                                           "steps",
                                           "rhs_evals",
                                           "jac_evals",
                                           "err_test_fails",
                                           "nonlin_fails",
                                           "restarts"};

#define N_FEATURES ((int)(sizeof(feature_cols) / sizeof(feature_cols[0])))
#define MAX_POINT_COLS 256

const char *const *ucl_results_point_columns(int *n) {
  static const char *cols[MAX_POINT_COLS];
  static int count = 0;
  if (count == 0) {
    int k = 0;
    cols[k++] = "point";
    cols[k++] = "status";
    cols[k++] = "reason";
    for (size_t i = 0; i < ucl_params_count() && k < MAX_POINT_COLS - N_FEATURES; i++) {
      cols[k++] = ucl_params_info(i)->name;
    }
    for (int i = 0; i < N_FEATURES; i++) {
      cols[k++] = feature_cols[i];
    }
    count = k;
  }
  *n = count;
  return cols;
}

static const char *const curve_cols[] = {"point",
                                         "amplitude_V",
                                         "simulated",
                                         "status",
                                         "spikes",
                                         "rate_mean_Hz",
                                         "rate_first_isi_Hz",
                                         "rate_steady_Hz",
                                         "latency_s",
                                         "isi_mean_s",
                                         "isi_cv",
                                         "adapt_index_efel",
                                         "adapt_index_ipfx",
                                         "E_in_J",
                                         "E_vdd_J",
                                         "energy_per_spike_J"};

const char *const *ucl_results_curve_columns(int *n) {
  *n = (int)(sizeof(curve_cols) / sizeof(curve_cols[0]));
  return curve_cols;
}

/* Append fields, remembering the first failure. */
typedef struct row {
  ucl_csv_writer *w;
  ucl_status st;
} row;

static void num(row *r, double v) {
  if (r->st == UCL_OK) {
    r->st = ucl_csv_double(r->w, v);
  }
}

static void whole(row *r, long v) {
  if (r->st == UCL_OK) {
    r->st = ucl_csv_long(r->w, v);
  }
}

static void text(row *r, const char *s) {
  if (r->st == UCL_OK) {
    r->st = ucl_csv_text(r->w, s);
  }
}

static void search(row *r, const ucl_threshold *t) {
  num(r, t->value);
  num(r, t->lo);
  num(r, t->hi);
  text(r, ucl_search_status_name(t->status));
  whole(r, t->sims);
}

ucl_status ucl_results_write_point(ucl_csv_writer *w, long id, const ucl_params *p,
                                   const ucl_char_result *res, ucl_diag *diag) {
  row r = {w, UCL_OK};
  whole(&r, id);
  text(&r, ucl_status_name(res->status));
  /* one line per row (shards and the merge are line-based) */
  char reason[sizeof(res->reason)];
  snprintf(reason, sizeof(reason), "%s", res->status == UCL_OK ? "" : res->reason);
  for (char *c = reason; *c; c++) {
    if (*c == '\n' || *c == '\r') {
      *c = ' ';
    }
  }
  text(&r, reason);
  for (size_t i = 0; i < ucl_params_count(); i++) {
    const ucl_param_info *in = ucl_params_info(i);
    if (in->kind == UCL_PARAM_CHOICE) {
      char buf[64];
      ucl_params_format(p, in, buf, sizeof(buf));
      text(&r, buf);
    } else {
      double v = 0.0;
      (void)!ucl_params_get(p, in->name, &v);
      num(&r, v);
    }
  }
  search(&r, &res->threshold);
  num(&r, res->threshold.v_latch);
  search(&r, &res->rheobase);
  num(&r, res->tau_leak_off_s);
  num(&r, res->tau_leak_off_r2);
  num(&r, res->tau_leak_on_s);
  num(&r, res->tau_leak_on_r2);
  num(&r, res->leak_amplitude);
  num(&r, res->tau_ref_s);
  num(&r, res->tau_ref_r2);
  num(&r, res->spike_duration_s);
  num(&r, res->adapt_amplitude);
  num(&r, res->adapt_window);
  whole(&r, res->adapt_spikes);
  num(&r, res->adapt.tau_s);
  num(&r, res->adapt.r0_Hz);
  num(&r, res->adapt.rinf_Hz);
  num(&r, res->adapt.r2);
  num(&r, res->adapt_index_efel);
  num(&r, res->adapt_index_ipfx);
  num(&r, res->ref_amplitude);
  whole(&r, res->ref.spikes);
  num(&r, res->ref.rate_mean_Hz);
  num(&r, res->ref.rate_first_isi_Hz);
  num(&r, res->ref.rate_steady_Hz);
  num(&r, res->ref.latency_s);
  num(&r, res->ref.isi_cv);
  num(&r, res->e_in_J);
  num(&r, res->e_vdd_J);
  num(&r, res->e_per_spike_J);
  num(&r, res->e_in_per_spike_J);
  num(&r, res->e_vdd_per_spike_J);
  num(&r, res->e_paper_J);
  num(&r, res->e_stored_J);
  whole(&r, res->sims);
  whole(&r, res->stats.steps);
  whole(&r, res->stats.rhs_evals);
  whole(&r, res->stats.jac_evals);
  whole(&r, res->stats.err_test_fails);
  whole(&r, res->stats.nonlin_fails);
  whole(&r, res->stats.reinits);
  if (r.st != UCL_OK) {
    return ucl_diag_set(diag, r.st, "writing a points row failed");
  }
  return ucl_csv_end_row(w, diag);
}

ucl_status ucl_results_write_curve(ucl_csv_writer *w, long id, const ucl_char_result *res,
                                   ucl_diag *diag) {
  for (size_t i = 0; i < res->n_curve; i++) {
    const ucl_rate_point *pt = &res->curve[i];
    row r = {w, UCL_OK};
    whole(&r, id);
    num(&r, pt->amplitude);
    whole(&r, pt->simulated);
    text(&r, ucl_status_name((ucl_status)pt->status));
    whole(&r, pt->f.spikes);
    num(&r, pt->f.rate_mean_Hz);
    num(&r, pt->f.rate_first_isi_Hz);
    num(&r, pt->f.rate_steady_Hz);
    num(&r, pt->f.latency_s);
    num(&r, pt->f.isi_mean_s);
    num(&r, pt->f.isi_cv);
    num(&r, pt->f.adapt_index_efel);
    num(&r, pt->f.adapt_index_ipfx);
    num(&r, pt->e_in);
    num(&r, pt->e_vdd);
    num(&r, pt->e_per_spike);
    if (r.st != UCL_OK) {
      return ucl_diag_set(diag, r.st, "writing a rate-curve row failed");
    }
    ucl_status st = ucl_csv_end_row(w, diag);
    if (st != UCL_OK) {
      return st;
    }
  }
  return UCL_OK;
}
