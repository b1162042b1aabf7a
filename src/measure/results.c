/* results.c — the tables of points.csv and rate_curves.csv. A new feature is one field of
 * ucl_char_result (protocols.h) and one row of feature_cols below. */
#include "uclif/results.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *search_name(int s) {
  return ucl_search_status_name(s);
}
static const char *tracer_name(int s) {
  return ucl_tracer_status_name(s);
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

/* One table row: a column stored in ucl_char_result (FEATURE) or ucl_rate_point (CURVE). */
#define FEATURE(kind, name, unit, field, proc, text)                                               \
  UCL_FIELD(kind, name, unit, UCL_POINT_PART_RESULT, ucl_char_result, field, proc, text)
#define FEATURE_ENUM(name, field, names, proc, text)                                               \
  UCL_FIELD_ENUM(name, UCL_POINT_PART_RESULT, ucl_char_result, field, names, proc, text)
#define CURVE(kind, name, unit, field, proc, text)                                                 \
  UCL_FIELD(kind, name, unit, UCL_CURVE_PART_POINT, ucl_rate_point, field, proc, text)
#define CURVE_ENUM(name, field, names, proc, text)                                                 \
  UCL_FIELD_ENUM(name, UCL_CURVE_PART_POINT, ucl_rate_point, field, names, proc, text)

static const ucl_column feature_cols[] = {
    FEATURE(REAL, "threshold_V", "V", threshold.value, "threshold",
            "firing threshold of the spec's pulse train (upper end of the final bracket)"),
    FEATURE(REAL, "threshold_lo_V", "V", threshold.lo, "threshold",
            "final bracket, lower end (stayed silent)"),
    FEATURE(REAL, "threshold_hi_V", "V", threshold.hi, "threshold",
            "final bracket, upper end (fired)"),
    FEATURE_ENUM("threshold_status", threshold.status, search_name, "threshold",
                 "`ok`, `never_fires`, `fires_at_lower_bound`, `failed`, or `skipped` (the point "
                 "did not run)"),
    FEATURE(INT, "threshold_sims", "", threshold.sims, "threshold", "simulations the search used"),
    FEATURE(REAL, "V_mem_threshold_V", "V", threshold.v_latch, "threshold",
            "membrane voltage at the first latch at the threshold"),
    FEATURE(REAL, "rheobase_V", "V", rheobase.value, "rheobase",
            "the threshold of a DC source (DC rheobase)"),
    FEATURE(REAL, "rheobase_lo_V", "V", rheobase.lo, "rheobase",
            "its final bracket, lower end (stayed silent)"),
    FEATURE(REAL, "rheobase_hi_V", "V", rheobase.hi, "rheobase",
            "its final bracket, upper end (fired)"),
    FEATURE_ENUM("rheobase_status", rheobase.status, search_name, "rheobase",
                 "as `threshold_status`; `skipped` when `rheobase = off`"),
    FEATURE(INT, "rheobase_sims", "", rheobase.sims, "rheobase", "simulations the search used"),
    FEATURE(REAL, "tau_leak_off_s", "s", tau_leak_off_s, "tau_leak",
            "leak time constant with the gate junction off (≈ (R1 + R2)·C)"),
    FEATURE(REAL, "tau_leak_off_r2", "", tau_leak_off_r2, "tau_leak", "R² of that fit"),
    FEATURE(REAL, "tau_leak_on_s", "s", tau_leak_on_s, "tau_leak",
            "leak time constant while the junction clamps the gate (≈ R1·C)"),
    FEATURE(REAL, "tau_leak_on_r2", "", tau_leak_on_r2, "tau_leak", "R² of that fit"),
    FEATURE(REAL, "leak_amplitude_V", "V", leak_amplitude, "tau_leak",
            "amplitude of the charging step used"),
    FEATURE(REAL, "tau_ref_s", "s", tau_ref_s, "tau_ref",
            "discharge time constant while latched (≈ (R3 + R_T)·C)"),
    FEATURE(REAL, "tau_ref_r2", "", tau_ref_r2, "tau_ref", "R² of that fit"),
    FEATURE(REAL, "spike_duration_s", "s", spike_duration_s, "tau_ref",
            "latch to unlatch of that discharge"),
    FEATURE(REAL, "V_reset_V", "V", v_reset, "tau_ref",
            "membrane voltage at the unlatch that ends that discharge (the reset voltage)"),
    FEATURE(REAL, "adapt_amplitude_V", "V", adapt_amplitude, "adaptation",
            "amplitude of the adaptation run"),
    FEATURE(REAL, "adapt_window_s", "s", adapt_window, "adaptation",
            "window of the adaptation run"),
    FEATURE(LONG, "adapt_spikes", "", adapt_spikes, "adaptation", "spikes in it"),
    FEATURE(REAL, "tau_adapt_s", "s", adapt.tau_s, "adaptation",
            "time constant of the rate-decay fit"),
    FEATURE(REAL, "adapt_r0_Hz", "Hz", adapt.r0_Hz, "adaptation", "initial rate of that fit"),
    FEATURE(REAL, "adapt_rinf_Hz", "Hz", adapt.rinf_Hz, "adaptation", "steady rate of that fit"),
    FEATURE(REAL, "adapt_r2", "", adapt.r2, "adaptation", "R² of that fit"),
    FEATURE(REAL, "adapt_index_efel", "", adapt_index_efel, "adaptation",
            "eFEL-style adaptation index of that run"),
    FEATURE(REAL, "adapt_index_ipfx", "", adapt_index_ipfx, "adaptation",
            "IPFX-style adaptation index of that run"),
    FEATURE(REAL, "ref_amplitude_V", "V", ref_amplitude, "energy",
            "reference amplitude (the stimulus amplitude)"),
    FEATURE(LONG, "ref_spikes", "", ref.spikes, "energy",
            "spikes at the reference amplitude over the duration"),
    FEATURE(REAL, "ref_rate_mean_Hz", "Hz", ref.rate_mean_Hz, "energy",
            "mean rate at the reference amplitude"),
    FEATURE(REAL, "ref_rate_first_isi_Hz", "Hz", ref.rate_first_isi_Hz, "energy",
            "1 / first ISI at the reference amplitude"),
    FEATURE(REAL, "ref_rate_steady_Hz", "Hz", ref.rate_steady_Hz, "energy",
            "steady rate at the reference amplitude (ISIs ending in the last half)"),
    FEATURE(REAL, "ref_latency_s", "s", ref.latency_s, "energy",
            "latency to the first spike at the reference amplitude"),
    FEATURE(REAL, "ref_isi_cv", "", ref.isi_cv, "energy",
            "ISI coefficient of variation at the reference amplitude"),
    FEATURE(REAL, "E_in_J", "J", e_in_J, "energy",
            "energy delivered by the input source over the reference run"),
    FEATURE(REAL, "E_vdd_J", "J", e_vdd_J, "energy",
            "energy delivered by VDD over the reference run"),
    FEATURE(REAL, "energy_per_spike_J", "J", e_per_spike_J, "energy", "(E_in + E_vdd) / spikes"),
    FEATURE(REAL, "energy_in_per_spike_J", "J", e_in_per_spike_J, "energy", "E_in / spikes"),
    FEATURE(REAL, "energy_vdd_per_spike_J", "J", e_vdd_per_spike_J, "energy", "E_vdd / spikes"),
    FEATURE(REAL, "energy_paper_J", "J", e_paper_J, "energy",
            "the paper's estimate C·A²/2 (A the reference amplitude)"),
    FEATURE(REAL, "energy_stored_J", "J", e_stored_J, "energy",
            "C·V_mem_threshold²/2, the charge energy on C when it fires"),
    FEATURE(REAL, "E_rest_J", "J", e_rest_J, "energy",
            "energy drawn from VDD and the input over the same window with the input at 0 V"),
    FEATURE(REAL, "P_standby_W", "W", p_standby_W, "energy",
            "standby power at rest: E_rest / the window"),
    FEATURE(REAL, "energy_static_per_spike_J", "J", e_static_per_spike_J, "energy",
            "E_rest / spikes: the static part of energy_per_spike_J"),
    FEATURE(REAL, "energy_dynamic_per_spike_J", "J", e_dynamic_per_spike_J, "energy",
            "energy_per_spike_J − energy_static_per_spike_J: the part the spikes cost"),
    FEATURE(REAL, "I_GT_A", "A", tracer.I_GT_A, "curve_tracer",
            "gate trigger current: the gate current at the latch of a slow gate ramp"),
    FEATURE_ENUM("I_GT_status", tracer.gt_status, tracer_name, "curve_tracer",
                 "`ok`, `no_latch`, `failed`, or `skipped` (`curve_tracer = off`, Mott neuron)"),
    FEATURE(REAL, "I_H_A", "A", tracer.I_H_A, "curve_tracer",
            "holding current: the smallest anode current of the on-branch (supply ramped down)"),
    FEATURE_ENUM("I_H_status", tracer.h_status, tracer_name, "curve_tracer",
                 "`ok`, `no_latch`, `no_unlatch`, `failed`, or `skipped`"),
    FEATURE(REAL, "I_L_A", "A", tracer.I_L_A, "curve_tracer",
            "latching current: the smallest anode current that stays on after a gate pulse"),
    FEATURE_ENUM("I_L_status", tracer.l_status, tracer_name, "curve_tracer",
                 "`ok`, `no_latch`, `on_at_lower_bound`, `failed`, or `skipped`"),
    FEATURE(REAL, "tempco_dT_K", "K", tempco_dT_K, "tempco",
            "half-width dT of the temperature coefficients' central differences"),
    FEATURE(REAL, "dthreshold_dT_V_per_K", "V/K", dthreshold_dT_V_per_K, "tempco",
            "d(threshold_V)/d(temp): (threshold at temp + dT − at temp − dT) / (2·dT)"),
    FEATURE(REAL, "drheobase_dT_V_per_K", "V/K", drheobase_dT_V_per_K, "tempco",
            "d(rheobase_V)/d(temp), likewise"),
    FEATURE(REAL, "dtau_leak_off_dT_s_per_K", "s/K", dtau_leak_off_dT_s_per_K, "tempco",
            "d(tau_leak_off_s)/d(temp), both sides with one charging step"),
    FEATURE(REAL, "dtau_leak_on_dT_s_per_K", "s/K", dtau_leak_on_dT_s_per_K, "tempco",
            "d(tau_leak_on_s)/d(temp), likewise"),
    FEATURE(REAL, "dref_rate_dT_Hz_per_K", "Hz/K", dref_rate_dT_Hz_per_K, "tempco",
            "d(ref_rate_mean_Hz)/d(temp) at the reference amplitude"),
    FEATURE(REAL, "threshold_noiseless_V", "V", thr_noiseless.value, "probability",
            "the pulse-train threshold with noise and jitter off (as `threshold_V`)"),
    FEATURE(LONG, "probability_trials", "", prob_trials, "probability",
            "noise trials per amplitude (`trials`; 0: not measured)"),
    FEATURE(REAL, "threshold_p50_V", "V", p50_V, "probability",
            "A50, the 50 % point of the probit fit P(A) = Φ((A − A50)/w) to probability.csv"),
    FEATURE(REAL, "threshold_p50_lo_V", "V", p50_lo_V, "probability",
            "A50's 95 % interval, lower end (A50 − 1.96·SE, SE from the inverse Fisher "
            "information)"),
    FEATURE(REAL, "threshold_p50_hi_V", "V", p50_hi_V, "probability",
            "A50's 95 % interval, upper end"),
    FEATURE(REAL, "threshold_width_V", "V", p50_width_V, "probability",
            "w of that fit: P(A50 ± w) = 84 % / 16 %"),
    FEATURE(REAL, "p50_amplitude_V", "V", p50_near_V, "probability",
            "the amplitude of probability.csv nearest A50 (the next three are there)"),
    FEATURE(REAL, "p50_p_fire", "", p50_p_fire, "probability", "firing probability there"),
    FEATURE(REAL, "p50_jitter_s", "s", p50_jitter_s, "probability",
            "spike-time jitter there: SD of the first-spike time over the trials that fired"),
    FEATURE(REAL, "p50_isi_cv", "", p50_isi_cv, "probability",
            "ISI CV there: SD / mean of the ISIs pooled over its trials"),
    FEATURE(LONG, "sims", "", sims, "all", "simulations of the point, in all"),
    FEATURE(LONG, "steps", "", stats.steps, "all",
            "CVODE steps, summed over every simulation of the point"),
    FEATURE(LONG, "rhs_evals", "", stats.rhs_evals, "all", "right-hand-side evaluations, summed"),
    FEATURE(LONG, "jac_evals", "", stats.jac_evals, "all", "Jacobian evaluations, summed"),
    FEATURE(LONG, "err_test_fails", "", stats.err_test_fails, "all",
            "local error-test failures, summed"),
    FEATURE(LONG, "nonlin_fails", "", stats.nonlin_fails, "all",
            "Newton convergence failures, summed"),
    FEATURE(LONG, "restarts", "", stats.reinits, "all",
            "integrator restarts at breaks and events, summed"),
};

static const ucl_column curve_cols[] = {
    {"point", "", UCL_COL_LONG, UCL_CURVE_PART_ID, 0, NULL, NULL, NULL, NULL, "",
     "point index (as in points.csv)"},
    CURVE(REAL, "amplitude_V", "V", amplitude, "rate_curve", "pulse amplitude"),
    CURVE(INT, "simulated", "", simulated, "rate_curve",
          "0 when the amplitude lies at or below the silent end of the threshold bracket (silent "
          "without a run)"),
    CURVE_ENUM("status", status, status_name, "rate_curve",
               "status of the run (`ok` when not simulated; when the threshold search failed, "
               "the curve is not run and every row has that failure's status with `simulated` "
               "0; a run that failed (`simulated` 1, e.g. `chattering`) has no rate: its rates "
               "and features are empty, `spikes` 0, and the datasheet marks it)"),
    CURVE(LONG, "spikes", "", f.spikes, "rate_curve", "spikes in the window (docs/features.md)"),
    CURVE(REAL, "rate_mean_Hz", "Hz", f.rate_mean_Hz, "rate_curve", "spikes / window"),
    CURVE(REAL, "rate_first_isi_Hz", "Hz", f.rate_first_isi_Hz, "rate_curve", "1 / first ISI"),
    CURVE(REAL, "rate_steady_Hz", "Hz", f.rate_steady_Hz, "rate_curve",
          "1 / mean of the ISIs that end in the last half of the window"),
    CURVE(REAL, "latency_s", "s", f.latency_s, "rate_curve", "first spike time"),
    CURVE(REAL, "isi_mean_s", "s", f.isi_mean_s, "rate_curve", "mean ISI"),
    CURVE(REAL, "isi_cv", "", f.isi_cv, "rate_curve", "ISI coefficient of variation"),
    CURVE(REAL, "adapt_index_efel", "", f.adapt_index_efel, "rate_curve",
          "eFEL-style adaptation index"),
    CURVE(REAL, "adapt_index_ipfx", "", f.adapt_index_ipfx, "rate_curve",
          "IPFX-style adaptation index"),
    CURVE(REAL, "E_in_J", "J", e_in, "rate_curve",
          "energy delivered by the input source over the run"),
    CURVE(REAL, "E_vdd_J", "J", e_vdd, "rate_curve", "energy delivered by VDD over the run"),
    CURVE(REAL, "energy_per_spike_J", "J", e_per_spike, "rate_curve", "(E_in + E_vdd) / spikes"),
};

/* threshold_period.csv: one row per pulse period (`uclif characterize`). */
static int freq_number(const void *part, const ucl_column *c, double *out) {
  (void)c;
  *out = 1.0 / ((const ucl_period_threshold *)part)->period_s;
  return 1;
}
static ucl_status freq_cell(ucl_csv_writer *w, const void *part, const ucl_column *c) {
  double f;
  (void)freq_number(part, c, &f);
  return ucl_csv_double(w, f);
}

#define PERIOD(kind, name, unit, field, text)                                                      \
  UCL_FIELD(kind, name, unit, 0, ucl_period_threshold, field, "threshold_period", text)

static const ucl_column period_cols[] = {
    PERIOD(REAL, "period_s", "s", period_s, "pulse period (the spec's width and window)"),
    {"frequency_Hz", "Hz", UCL_COL_CELL, 0, 0, NULL, freq_cell, freq_number, NULL,
     "threshold_period", "pulse frequency, 1 / period_s"},
    PERIOD(REAL, "threshold_V", "V", thr.value, "firing threshold at that period"),
    PERIOD(REAL, "threshold_lo_V", "V", thr.lo, "final bracket, lower end (stayed silent)"),
    PERIOD(REAL, "threshold_hi_V", "V", thr.hi, "final bracket, upper end (fired)"),
    UCL_FIELD_ENUM("threshold_status", 0, ucl_period_threshold, thr.status, search_name,
                   "threshold_period", "as points.csv's `threshold_status`"),
    PERIOD(INT, "threshold_sims", "", thr.sims, "simulations the search used"),
    PERIOD(REAL, "V_mem_threshold_V", "V", thr.v_latch,
           "membrane voltage at the first latch at the threshold"),
};

static const ucl_table period_table = {"threshold_period.csv", period_cols,
                                       sizeof(period_cols) / sizeof(period_cols[0])};

const ucl_table *ucl_results_period_table(void) {
  return &period_table;
}

/* One row of table t per element of rows[0 .. n − 1] (each 'size' bytes, the table's one part). */
static ucl_status write_rows(const ucl_table *t, const void *rows, size_t n, size_t size,
                             ucl_csv_writer *w, ucl_diag *diag) {
  for (size_t i = 0; i < n; i++) {
    const void *parts[1] = {(const char *)rows + i * size};
    ucl_status st = ucl_table_write_row(t, parts, w, diag);
    if (st != UCL_OK) {
      return st;
    }
  }
  return UCL_OK;
}

ucl_status ucl_results_write_periods(ucl_csv_writer *w, const ucl_char_result *r, ucl_diag *diag) {
  return write_rows(&period_table, r->thr_period, r->n_thr_period, sizeof(*r->thr_period), w, diag);
}

/* fits.csv: the samples of the time-constant fits (`uclif characterize`). */
static const char *const fit_names[UCL_N_FITS] = {"tau_leak_off", "tau_leak_on", "tau_ref"};

static const char *fit_name(int k) {
  return k >= 0 && k < UCL_N_FITS ? fit_names[k] : "unknown";
}

#define FITROW(name, unit, field, text)                                                            \
  UCL_FIELD(REAL, name, unit, 0, ucl_fit_row, field, "tau_leak, tau_ref", text)

static const ucl_column fit_cols[] = {
    UCL_FIELD_ENUM("fit", 0, ucl_fit_row, fit, fit_name, "tau_leak, tau_ref",
                   "`tau_leak_off`, `tau_leak_on` or `tau_ref`: the points.csv column it gives"),
    FITROW("t_s", "s", t_s, "time from the start of the run"),
    FITROW("V_mem_V", "V", v_mem_V, "membrane voltage, simulated (the samples the fit used)"),
    FITROW("V_fit_V", "V", v_fit_V, "the fit: offset + amp·exp(−(t − t_first)/tau)"),
    FITROW("residual_V", "V", residual_V, "V_mem_V − V_fit_V"),
};

static const ucl_table fit_table = {"fits.csv", fit_cols, sizeof(fit_cols) / sizeof(fit_cols[0])};

const ucl_table *ucl_results_fits_table(void) {
  return &fit_table;
}

void ucl_results_fit_row(const ucl_char_result *r, int fit, size_t i, ucl_fit_row *row) {
  const ucl_fit_samples *s = &r->fits[fit];
  row->fit = fit;
  row->t_s = s->t[i];
  row->v_mem_V = s->y[i];
  row->v_fit_V = s->fit.offset + s->fit.amp * exp(-(s->t[i] - s->t[0]) / s->fit.tau);
  row->residual_V = row->v_mem_V - row->v_fit_V;
}

ucl_status ucl_results_write_fits(ucl_csv_writer *w, const ucl_char_result *r, ucl_diag *diag) {
  for (int k = 0; k < UCL_N_FITS; k++) {
    for (size_t i = 0; i < r->fits[k].n; i++) {
      ucl_fit_row row;
      ucl_results_fit_row(r, k, i, &row);
      const void *parts[1] = {&row};
      ucl_status st = ucl_table_write_row(&fit_table, parts, w, diag);
      if (st != UCL_OK) {
        return st;
      }
    }
  }
  return UCL_OK;
}

/* probability.csv: one row per amplitude of the firing probability (`uclif characterize`). */
#define PROB(kind, name, unit, field, text)                                                        \
  UCL_FIELD(kind, name, unit, 0, ucl_prob_point, field, "probability", text)

static const ucl_column prob_cols[] = {
    PROB(REAL, "amplitude_V", "V", amplitude, "pulse amplitude"),
    PROB(LONG, "trials", "", trials,
         "trials run (each with its own noise: noise.trial = 1, 2, ...)"),
    PROB(LONG, "fired", "", fired, "trials with at least one spike in the window"),
    PROB(REAL, "p_fire", "", p_fire, "fired / trials"),
    PROB(REAL, "p_lo", "", p_lo, "Wilson 95 % interval of p_fire, lower end"),
    PROB(REAL, "p_hi", "", p_hi, "Wilson 95 % interval of p_fire, upper end"),
    PROB(REAL, "latency_mean_s", "s", latency_s,
         "mean first-spike time over the trials that fired"),
    PROB(REAL, "jitter_s", "s", jitter_s,
         "spike-time jitter: SD (n − 1) of the first-spike time over the trials that fired"),
    PROB(LONG, "isis", "", isis, "ISIs pooled over the trials"),
    PROB(REAL, "isi_mean_s", "s", isi_mean_s, "their mean"),
    PROB(REAL, "isi_cv", "", isi_cv, "their SD (n − 1) / mean"),
    UCL_FIELD_ENUM("status", 0, ucl_prob_point, status, status_name, "probability",
                   "`ok`, or the status of the first trial that failed (not counted)"),
};

static const ucl_table prob_table = {"probability.csv", prob_cols,
                                     sizeof(prob_cols) / sizeof(prob_cols[0])};

const ucl_table *ucl_results_prob_table(void) {
  return &prob_table;
}

ucl_status ucl_results_write_prob(ucl_csv_writer *w, const ucl_char_result *r, ucl_diag *diag) {
  return write_rows(&prob_table, r->prob, r->n_prob, sizeof(*r->prob), w, diag);
}

/* A sweep's probability.csv: the point index, then probability.csv's columns as its part 1. */
static ucl_column sweep_prob_cols[1 + sizeof(prob_cols) / sizeof(prob_cols[0])];
static ucl_table sweep_prob_table = {"probability.csv", sweep_prob_cols, 0};

const ucl_table *ucl_results_sweep_prob_table(void) {
  if (sweep_prob_table.n == 0) {
    sweep_prob_cols[0] = (ucl_column){"point",
                                      "",
                                      UCL_COL_LONG,
                                      UCL_CURVE_PART_ID,
                                      0,
                                      NULL,
                                      NULL,
                                      NULL,
                                      NULL,
                                      "",
                                      "point index (as in points.csv)"};
    for (size_t k = 0; k < prob_table.n; k++) {
      sweep_prob_cols[1 + k] = prob_cols[k];
      sweep_prob_cols[1 + k].part = UCL_CURVE_PART_POINT;
    }
    sweep_prob_table.n = 1 + prob_table.n;
  }
  return &sweep_prob_table;
}

ucl_status ucl_results_write_sweep_prob(ucl_csv_writer *w, long id, const ucl_char_result *r,
                                        ucl_diag *diag) {
  const ucl_table *t = ucl_results_sweep_prob_table();
  for (size_t i = 0; i < r->n_prob; i++) {
    const void *parts[2];
    parts[UCL_CURVE_PART_ID] = &id;
    parts[UCL_CURVE_PART_POINT] = &r->prob[i];
    ucl_status st = ucl_table_write_row(t, parts, w, diag);
    if (st != UCL_OK) {
      return st;
    }
  }
  return UCL_OK;
}

#define N_HEAD (sizeof(head_cols) / sizeof(head_cols[0]))
#define N_FEATURES (sizeof(feature_cols) / sizeof(feature_cols[0]))
#define MAX_PARAMS 256
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

ucl_status ucl_results_rows(long id, const ucl_params *p, const ucl_char_result *r, char **prow,
                            size_t *plen, char **crows, size_t *clen, ucl_diag *diag) {
  ucl_csv_writer *wp = NULL, *wc = NULL;
  char *ptext = NULL;
  ucl_status st = ucl_csv_mem_open((int)ucl_results_points_table()->n, &wp);
  if (st == UCL_OK) {
    st = ucl_csv_mem_open((int)curves_table.n, &wc);
  }
  if (st == UCL_OK) {
    st = ucl_results_write_point(wp, id, p, r, diag);
  }
  if (st == UCL_OK) {
    st = ucl_results_write_curve(wc, id, r, diag);
  }
  if (st == UCL_OK) {
    st = ucl_csv_mem_take(&wp, &ptext, plen);
  }
  if (st == UCL_OK) {
    st = ucl_csv_mem_take(&wc, crows, clen);
  }
  ucl_csv_abort(&wp);
  ucl_csv_abort(&wc);
  if (st != UCL_OK) {
    free(ptext);
    return st == UCL_ERR_NOMEM ? ucl_diag_set(diag, st, "out of memory") : st;
  }
  *prow = ptext;
  return UCL_OK;
}
