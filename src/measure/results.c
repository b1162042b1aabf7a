/* results.c — the tables of points.csv and rate_curves.csv. A new feature is one field of
 * ucl_char_result (protocols.h) and one row of feature_cols below. */
#include "uclif/results.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

static const char *search_name(int s) {
  return ucl_search_status_name(s);
}
static const char *status_name(int s) {
  return ucl_status_name((ucl_status)s);
}

/* The message of a failed point, on one line (shards and the merge are line-based); empty when
 * the point is ok. */
static ucl_status reason_cell(ucl_csv_writer *w, const void *part, const ucl_column *c) {
  (void)c;
  const ucl_char_result *r = part;
  char reason[sizeof(r->reason)];
  snprintf(reason, sizeof(reason), "%s", r->status == UCL_OK ? "" : r->reason);
  for (char *s = reason; *s; s++) {
    if (*s == '\n' || *s == '\r') {
      *s = ' ';
    }
  }
  return ucl_csv_text(w, reason);
}

/* A parameter's value: a choice by name, a number at full precision. */
static ucl_status param_cell(ucl_csv_writer *w, const void *part, const ucl_column *c) {
  const ucl_param_info *in = c->aux;
  if (in->kind == UCL_PARAM_CHOICE) {
    char buf[64];
    ucl_params_format(part, in, buf, sizeof(buf));
    return ucl_csv_text(w, buf);
  }
  double v = 0.0;
  (void)!ucl_params_get(part, in->name, &v);
  return ucl_csv_double(w, v);
}

static int param_number(const void *part, const ucl_column *c, double *out) {
  const ucl_param_info *in = c->aux;
  return in->kind != UCL_PARAM_CHOICE && ucl_params_get(part, in->name, out) == UCL_OK;
}

static const ucl_column head_cols[] = {
    {"point", "", UCL_COL_LONG, UCL_POINT_PART_ID, 0, NULL, NULL, NULL, NULL, "",
     "point index (0 for a single configuration)"},
    {"status", "", UCL_COL_ENUM, UCL_POINT_PART_RESULT, offsetof(ucl_char_result, status),
     status_name, NULL, NULL, NULL, "",
     "`ok`, or the first failure: `solver`, `chattering`, `limit`, `range`, `invalid`, ..."},
    {"reason", "", UCL_COL_CELL, UCL_POINT_PART_RESULT, 0, NULL, reason_cell, NULL, NULL, "",
     "which procedure failed and why (empty when ok)"},
};

static const ucl_column feature_cols[] = {
    {"threshold_V", "V", UCL_COL_REAL, UCL_POINT_PART_RESULT,
     offsetof(ucl_char_result, threshold.value), NULL, NULL, NULL, NULL, "threshold",
     "firing threshold of the spec's pulse train (upper end of the final bracket)"},
    {"threshold_lo_V", "V", UCL_COL_REAL, UCL_POINT_PART_RESULT,
     offsetof(ucl_char_result, threshold.lo), NULL, NULL, NULL, NULL, "threshold",
     "final bracket, lower end (stayed silent)"},
    {"threshold_hi_V", "V", UCL_COL_REAL, UCL_POINT_PART_RESULT,
     offsetof(ucl_char_result, threshold.hi), NULL, NULL, NULL, NULL, "threshold",
     "final bracket, upper end (fired)"},
    {"threshold_status", "", UCL_COL_ENUM, UCL_POINT_PART_RESULT,
     offsetof(ucl_char_result, threshold.status), search_name, NULL, NULL, NULL, "threshold",
     "`ok`, `never_fires`, `fires_at_lower_bound`, `failed`, or `skipped` (the point did not run)"},
    {"threshold_sims", "", UCL_COL_INT, UCL_POINT_PART_RESULT,
     offsetof(ucl_char_result, threshold.sims), NULL, NULL, NULL, NULL, "threshold",
     "simulations the search used"},
    {"V_mem_threshold_V", "V", UCL_COL_REAL, UCL_POINT_PART_RESULT,
     offsetof(ucl_char_result, threshold.v_latch), NULL, NULL, NULL, NULL, "threshold",
     "membrane voltage at the first latch at the threshold"},
    {"rheobase_V", "V", UCL_COL_REAL, UCL_POINT_PART_RESULT,
     offsetof(ucl_char_result, rheobase.value), NULL, NULL, NULL, NULL, "rheobase",
     "the threshold of a DC source (DC rheobase)"},
    {"rheobase_lo_V", "V", UCL_COL_REAL, UCL_POINT_PART_RESULT,
     offsetof(ucl_char_result, rheobase.lo), NULL, NULL, NULL, NULL, "rheobase",
     "its final bracket, lower end (stayed silent)"},
    {"rheobase_hi_V", "V", UCL_COL_REAL, UCL_POINT_PART_RESULT,
     offsetof(ucl_char_result, rheobase.hi), NULL, NULL, NULL, NULL, "rheobase",
     "its final bracket, upper end (fired)"},
    {"rheobase_status", "", UCL_COL_ENUM, UCL_POINT_PART_RESULT,
     offsetof(ucl_char_result, rheobase.status), search_name, NULL, NULL, NULL, "rheobase",
     "as `threshold_status`; `skipped` when `rheobase = off`"},
    {"rheobase_sims", "", UCL_COL_INT, UCL_POINT_PART_RESULT,
     offsetof(ucl_char_result, rheobase.sims), NULL, NULL, NULL, NULL, "rheobase",
     "simulations the search used"},
    {"tau_leak_off_s", "s", UCL_COL_REAL, UCL_POINT_PART_RESULT,
     offsetof(ucl_char_result, tau_leak_off_s), NULL, NULL, NULL, NULL, "tau_leak",
     "leak time constant with the gate junction off (≈ (R1 + R2)·C)"},
    {"tau_leak_off_r2", "", UCL_COL_REAL, UCL_POINT_PART_RESULT,
     offsetof(ucl_char_result, tau_leak_off_r2), NULL, NULL, NULL, NULL, "tau_leak",
     "R² of that fit"},
    {"tau_leak_on_s", "s", UCL_COL_REAL, UCL_POINT_PART_RESULT,
     offsetof(ucl_char_result, tau_leak_on_s), NULL, NULL, NULL, NULL, "tau_leak",
     "leak time constant while the junction clamps the gate (≈ R1·C)"},
    {"tau_leak_on_r2", "", UCL_COL_REAL, UCL_POINT_PART_RESULT,
     offsetof(ucl_char_result, tau_leak_on_r2), NULL, NULL, NULL, NULL, "tau_leak",
     "R² of that fit"},
    {"leak_amplitude_V", "V", UCL_COL_REAL, UCL_POINT_PART_RESULT,
     offsetof(ucl_char_result, leak_amplitude), NULL, NULL, NULL, NULL, "tau_leak",
     "amplitude of the charging step used"},
    {"tau_ref_s", "s", UCL_COL_REAL, UCL_POINT_PART_RESULT, offsetof(ucl_char_result, tau_ref_s),
     NULL, NULL, NULL, NULL, "tau_ref", "discharge time constant while latched (≈ (R3 + R_T)·C)"},
    {"tau_ref_r2", "", UCL_COL_REAL, UCL_POINT_PART_RESULT, offsetof(ucl_char_result, tau_ref_r2),
     NULL, NULL, NULL, NULL, "tau_ref", "R² of that fit"},
    {"spike_duration_s", "s", UCL_COL_REAL, UCL_POINT_PART_RESULT,
     offsetof(ucl_char_result, spike_duration_s), NULL, NULL, NULL, NULL, "tau_ref",
     "latch to unlatch of that discharge"},
    {"adapt_amplitude_V", "V", UCL_COL_REAL, UCL_POINT_PART_RESULT,
     offsetof(ucl_char_result, adapt_amplitude), NULL, NULL, NULL, NULL, "adaptation",
     "amplitude of the adaptation run"},
    {"adapt_window_s", "s", UCL_COL_REAL, UCL_POINT_PART_RESULT,
     offsetof(ucl_char_result, adapt_window), NULL, NULL, NULL, NULL, "adaptation",
     "window of the adaptation run"},
    {"adapt_spikes", "", UCL_COL_LONG, UCL_POINT_PART_RESULT,
     offsetof(ucl_char_result, adapt_spikes), NULL, NULL, NULL, NULL, "adaptation", "spikes in it"},
    {"tau_adapt_s", "s", UCL_COL_REAL, UCL_POINT_PART_RESULT,
     offsetof(ucl_char_result, adapt.tau_s), NULL, NULL, NULL, NULL, "adaptation",
     "time constant of the rate-decay fit"},
    {"adapt_r0_Hz", "Hz", UCL_COL_REAL, UCL_POINT_PART_RESULT,
     offsetof(ucl_char_result, adapt.r0_Hz), NULL, NULL, NULL, NULL, "adaptation",
     "initial rate of that fit"},
    {"adapt_rinf_Hz", "Hz", UCL_COL_REAL, UCL_POINT_PART_RESULT,
     offsetof(ucl_char_result, adapt.rinf_Hz), NULL, NULL, NULL, NULL, "adaptation",
     "steady rate of that fit"},
    {"adapt_r2", "", UCL_COL_REAL, UCL_POINT_PART_RESULT, offsetof(ucl_char_result, adapt.r2), NULL,
     NULL, NULL, NULL, "adaptation", "R² of that fit"},
    {"adapt_index_efel", "", UCL_COL_REAL, UCL_POINT_PART_RESULT,
     offsetof(ucl_char_result, adapt_index_efel), NULL, NULL, NULL, NULL, "adaptation",
     "eFEL-style adaptation index of that run"},
    {"adapt_index_ipfx", "", UCL_COL_REAL, UCL_POINT_PART_RESULT,
     offsetof(ucl_char_result, adapt_index_ipfx), NULL, NULL, NULL, NULL, "adaptation",
     "IPFX-style adaptation index of that run"},
    {"ref_amplitude_V", "V", UCL_COL_REAL, UCL_POINT_PART_RESULT,
     offsetof(ucl_char_result, ref_amplitude), NULL, NULL, NULL, NULL, "energy",
     "reference amplitude (the stimulus amplitude)"},
    {"ref_spikes", "", UCL_COL_LONG, UCL_POINT_PART_RESULT, offsetof(ucl_char_result, ref.spikes),
     NULL, NULL, NULL, NULL, "energy", "spikes at the reference amplitude over the duration"},
    {"ref_rate_mean_Hz", "Hz", UCL_COL_REAL, UCL_POINT_PART_RESULT,
     offsetof(ucl_char_result, ref.rate_mean_Hz), NULL, NULL, NULL, NULL, "energy",
     "mean rate at the reference amplitude"},
    {"ref_rate_first_isi_Hz", "Hz", UCL_COL_REAL, UCL_POINT_PART_RESULT,
     offsetof(ucl_char_result, ref.rate_first_isi_Hz), NULL, NULL, NULL, NULL, "energy",
     "1 / first ISI at the reference amplitude"},
    {"ref_rate_steady_Hz", "Hz", UCL_COL_REAL, UCL_POINT_PART_RESULT,
     offsetof(ucl_char_result, ref.rate_steady_Hz), NULL, NULL, NULL, NULL, "energy",
     "steady rate at the reference amplitude (ISIs ending in the last half)"},
    {"ref_latency_s", "s", UCL_COL_REAL, UCL_POINT_PART_RESULT,
     offsetof(ucl_char_result, ref.latency_s), NULL, NULL, NULL, NULL, "energy",
     "latency to the first spike at the reference amplitude"},
    {"ref_isi_cv", "", UCL_COL_REAL, UCL_POINT_PART_RESULT, offsetof(ucl_char_result, ref.isi_cv),
     NULL, NULL, NULL, NULL, "energy", "ISI coefficient of variation at the reference amplitude"},
    {"E_in_J", "J", UCL_COL_REAL, UCL_POINT_PART_RESULT, offsetof(ucl_char_result, e_in_J), NULL,
     NULL, NULL, NULL, "energy", "energy delivered by the input source over the reference run"},
    {"E_vdd_J", "J", UCL_COL_REAL, UCL_POINT_PART_RESULT, offsetof(ucl_char_result, e_vdd_J), NULL,
     NULL, NULL, NULL, "energy", "energy delivered by VDD over the reference run"},
    {"energy_per_spike_J", "J", UCL_COL_REAL, UCL_POINT_PART_RESULT,
     offsetof(ucl_char_result, e_per_spike_J), NULL, NULL, NULL, NULL, "energy",
     "(E_in + E_vdd) / spikes"},
    {"energy_in_per_spike_J", "J", UCL_COL_REAL, UCL_POINT_PART_RESULT,
     offsetof(ucl_char_result, e_in_per_spike_J), NULL, NULL, NULL, NULL, "energy",
     "E_in / spikes"},
    {"energy_vdd_per_spike_J", "J", UCL_COL_REAL, UCL_POINT_PART_RESULT,
     offsetof(ucl_char_result, e_vdd_per_spike_J), NULL, NULL, NULL, NULL, "energy",
     "E_vdd / spikes"},
    {"energy_paper_J", "J", UCL_COL_REAL, UCL_POINT_PART_RESULT,
     offsetof(ucl_char_result, e_paper_J), NULL, NULL, NULL, NULL, "energy",
     "the paper's estimate C·A²/2 (A the reference amplitude)"},
    {"energy_stored_J", "J", UCL_COL_REAL, UCL_POINT_PART_RESULT,
     offsetof(ucl_char_result, e_stored_J), NULL, NULL, NULL, NULL, "energy",
     "C·V_mem_threshold²/2, the charge energy on C when it fires"},
    {"sims", "", UCL_COL_LONG, UCL_POINT_PART_RESULT, offsetof(ucl_char_result, sims), NULL, NULL,
     NULL, NULL, "all", "simulations of the point, in all"},
    {"steps", "", UCL_COL_LONG, UCL_POINT_PART_RESULT, offsetof(ucl_char_result, stats.steps), NULL,
     NULL, NULL, NULL, "all", "CVODE steps, summed over every simulation of the point"},
    {"rhs_evals", "", UCL_COL_LONG, UCL_POINT_PART_RESULT,
     offsetof(ucl_char_result, stats.rhs_evals), NULL, NULL, NULL, NULL, "all",
     "right-hand-side evaluations, summed"},
    {"jac_evals", "", UCL_COL_LONG, UCL_POINT_PART_RESULT,
     offsetof(ucl_char_result, stats.jac_evals), NULL, NULL, NULL, NULL, "all",
     "Jacobian evaluations, summed"},
    {"err_test_fails", "", UCL_COL_LONG, UCL_POINT_PART_RESULT,
     offsetof(ucl_char_result, stats.err_test_fails), NULL, NULL, NULL, NULL, "all",
     "local error-test failures, summed"},
    {"nonlin_fails", "", UCL_COL_LONG, UCL_POINT_PART_RESULT,
     offsetof(ucl_char_result, stats.nonlin_fails), NULL, NULL, NULL, NULL, "all",
     "Newton convergence failures, summed"},
    {"restarts", "", UCL_COL_LONG, UCL_POINT_PART_RESULT, offsetof(ucl_char_result, stats.reinits),
     NULL, NULL, NULL, NULL, "all", "integrator restarts at breaks and events, summed"},
};

static const ucl_column curve_cols[] = {
    {"point", "", UCL_COL_LONG, UCL_CURVE_PART_ID, 0, NULL, NULL, NULL, NULL, "",
     "point index (as in points.csv)"},
    {"amplitude_V", "V", UCL_COL_REAL, UCL_CURVE_PART_POINT, offsetof(ucl_rate_point, amplitude),
     NULL, NULL, NULL, NULL, "rate_curve", "pulse amplitude"},
    {"simulated", "", UCL_COL_INT, UCL_CURVE_PART_POINT, offsetof(ucl_rate_point, simulated), NULL,
     NULL, NULL, NULL, "rate_curve",
     "0 when the amplitude lies at or below the silent end of the threshold bracket (silent "
     "without a run)"},
    {"status", "", UCL_COL_ENUM, UCL_CURVE_PART_POINT, offsetof(ucl_rate_point, status),
     status_name, NULL, NULL, NULL, "rate_curve", "status of the run (`ok` when not simulated)"},
    {"spikes", "", UCL_COL_LONG, UCL_CURVE_PART_POINT, offsetof(ucl_rate_point, f.spikes), NULL,
     NULL, NULL, NULL, "rate_curve", "spikes in the window (docs/features.md)"},
    {"rate_mean_Hz", "Hz", UCL_COL_REAL, UCL_CURVE_PART_POINT,
     offsetof(ucl_rate_point, f.rate_mean_Hz), NULL, NULL, NULL, NULL, "rate_curve",
     "spikes / window"},
    {"rate_first_isi_Hz", "Hz", UCL_COL_REAL, UCL_CURVE_PART_POINT,
     offsetof(ucl_rate_point, f.rate_first_isi_Hz), NULL, NULL, NULL, NULL, "rate_curve",
     "1 / first ISI"},
    {"rate_steady_Hz", "Hz", UCL_COL_REAL, UCL_CURVE_PART_POINT,
     offsetof(ucl_rate_point, f.rate_steady_Hz), NULL, NULL, NULL, NULL, "rate_curve",
     "1 / mean of the ISIs that end in the last half of the window"},
    {"latency_s", "s", UCL_COL_REAL, UCL_CURVE_PART_POINT, offsetof(ucl_rate_point, f.latency_s),
     NULL, NULL, NULL, NULL, "rate_curve", "first spike time"},
    {"isi_mean_s", "s", UCL_COL_REAL, UCL_CURVE_PART_POINT, offsetof(ucl_rate_point, f.isi_mean_s),
     NULL, NULL, NULL, NULL, "rate_curve", "mean ISI"},
    {"isi_cv", "", UCL_COL_REAL, UCL_CURVE_PART_POINT, offsetof(ucl_rate_point, f.isi_cv), NULL,
     NULL, NULL, NULL, "rate_curve", "ISI coefficient of variation"},
    {"adapt_index_efel", "", UCL_COL_REAL, UCL_CURVE_PART_POINT,
     offsetof(ucl_rate_point, f.adapt_index_efel), NULL, NULL, NULL, NULL, "rate_curve",
     "eFEL-style adaptation index"},
    {"adapt_index_ipfx", "", UCL_COL_REAL, UCL_CURVE_PART_POINT,
     offsetof(ucl_rate_point, f.adapt_index_ipfx), NULL, NULL, NULL, NULL, "rate_curve",
     "IPFX-style adaptation index"},
    {"E_in_J", "J", UCL_COL_REAL, UCL_CURVE_PART_POINT, offsetof(ucl_rate_point, e_in), NULL, NULL,
     NULL, NULL, "rate_curve", "energy delivered by the input source over the run"},
    {"E_vdd_J", "J", UCL_COL_REAL, UCL_CURVE_PART_POINT, offsetof(ucl_rate_point, e_vdd), NULL,
     NULL, NULL, NULL, "rate_curve", "energy delivered by VDD over the run"},
    {"energy_per_spike_J", "J", UCL_COL_REAL, UCL_CURVE_PART_POINT,
     offsetof(ucl_rate_point, e_per_spike), NULL, NULL, NULL, NULL, "rate_curve",
     "(E_in + E_vdd) / spikes"},
};

#define N_HEAD (sizeof(head_cols) / sizeof(head_cols[0]))
#define N_FEATURES (sizeof(feature_cols) / sizeof(feature_cols[0]))
#define MAX_PARAMS 128
#define MAX_POINT_COLS (N_HEAD + MAX_PARAMS + N_FEATURES)

static ucl_column point_cols[MAX_POINT_COLS];
static const char *point_names[MAX_POINT_COLS];
static ucl_table points_table = {"points.csv", point_cols, 0};

const ucl_table *ucl_results_points_table(void) {
  if (points_table.n == 0) {
    size_t k = 0;
    for (size_t i = 0; i < N_HEAD; i++) {
      point_cols[k++] = head_cols[i];
    }
    for (size_t i = 0; i < ucl_params_count() && i < MAX_PARAMS; i++) {
      const ucl_param_info *in = ucl_params_info(i);
      point_cols[k++] = (ucl_column){in->name, in->unit, UCL_COL_CELL, UCL_POINT_PART_PARAMS,
                                     0,        NULL,     param_cell,   param_number,
                                     in,       "",       in->desc};
    }
    for (size_t i = 0; i < N_FEATURES; i++) {
      point_cols[k++] = feature_cols[i];
    }
    ucl_table_names(&(ucl_table){"points.csv", point_cols, k}, point_names);
    points_table.n = k;
  }
  return &points_table;
}

static const ucl_table curves_table = {"rate_curves.csv", curve_cols,
                                       sizeof(curve_cols) / sizeof(curve_cols[0])};
static const char *curve_names[sizeof(curve_cols) / sizeof(curve_cols[0])];

const ucl_table *ucl_results_curves_table(void) {
  return &curves_table;
}

const char *const *ucl_results_point_columns(int *n) {
  *n = (int)ucl_results_points_table()->n;
  return point_names;
}

const char *const *ucl_results_curve_columns(int *n) {
  if (!curve_names[0]) {
    ucl_table_names(&curves_table, curve_names);
  }
  *n = (int)curves_table.n;
  return curve_names;
}

ucl_status ucl_results_write_point(ucl_csv_writer *w, long id, const ucl_params *p,
                                   const ucl_char_result *res, ucl_diag *diag) {
  const void *parts[3];
  parts[UCL_POINT_PART_ID] = &id;
  parts[UCL_POINT_PART_RESULT] = res;
  parts[UCL_POINT_PART_PARAMS] = p;
  return ucl_table_write_row(ucl_results_points_table(), parts, w, diag);
}

ucl_status ucl_results_write_curve(ucl_csv_writer *w, long id, const ucl_char_result *res,
                                   ucl_diag *diag) {
  for (size_t i = 0; i < res->n_curve; i++) {
    const void *parts[2];
    parts[UCL_CURVE_PART_ID] = &id;
    parts[UCL_CURVE_PART_POINT] = &res->curve[i];
    ucl_status st = ucl_table_write_row(&curves_table, parts, w, diag);
    if (st != UCL_OK) {
      return st;
    }
  }
  return UCL_OK;
}

int ucl_results_point_number(long col, const ucl_params *p, const ucl_char_result *r, double *out) {
  long id = 0;
  const void *parts[3];
  parts[UCL_POINT_PART_ID] = &id;
  parts[UCL_POINT_PART_RESULT] = r;
  parts[UCL_POINT_PART_PARAMS] = p;
  return col >= 0 && ucl_table_number(ucl_results_points_table(), (size_t)col, parts, out);
}
