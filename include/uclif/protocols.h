/* protocols.h — characterization procedures that run many simulations of one configuration:
 * firing threshold, DC rheobase, f–A curve, leak and refractory time constants, adaptation,
 * energy per spike. Definitions: docs/features.md. Not collective; no I/O. */
#ifndef UCL_PROTOCOLS_H
#define UCL_PROTOCOLS_H

#include <stddef.h>

#include "uclif/features.h"
#include "uclif/params.h"
#include "uclif/spec.h"
#include "uclif/status.h"
#include "uclif/trace.h"
#include "uclif/tracer.h"

/* Waveform rows one protocol run keeps at most (tau_leak samples 4000 over its window,
 * tau_ref 20000; the other runs keep none). Bounds a run's memory to about 25 MB. */
#define UCL_PROTOCOL_MAX_SAMPLES 200000

typedef enum ucl_search_status {
  UCL_SEARCH_OK = 0,
  UCL_SEARCH_NEVER_FIRES = 1,    /* silent at the top of the bracket */
  UCL_SEARCH_FIRES_AT_LOWER = 2, /* fires at the bottom of the bracket */
  UCL_SEARCH_FAILED = 3,         /* a simulation failed (see the reason) */
  UCL_SEARCH_SKIPPED = 4
} ucl_search_status;

/* "ok", "never_fires", "fires_at_lower_bound", "failed", "skipped". */
const char *ucl_search_status_name(int s);

/* The f–A curve's amplitudes under 'o' (V): o->rate_amps, or the default lin(2, 10, 33)
 * (docs/features.md) written into def, which must hold UCL_RATE_AMPS_DEFAULT_N values. Sets
 * *amps (borrowed from o or def) and returns the count. Cannot fail. */
enum { UCL_RATE_AMPS_DEFAULT_N = 33 };
size_t ucl_char_rate_amps(const ucl_char_opts *o, double def[UCL_RATE_AMPS_DEFAULT_N],
                          const double **amps);

typedef struct ucl_threshold {
  int status;     /* ucl_search_status */
  double value;   /* V: the upper end of the final bracket (shown to fire); NAN unless ok */
  double lo, hi;  /* V: final bracket (lo silent, hi fires) */
  int sims;       /* simulations used */
  double v_latch; /* V: membrane voltage at the first latch of the run at hi */
} ucl_threshold;

typedef struct ucl_rate_point {
  double amplitude; /* V */
  int status;       /* ucl_status of the run (UCL_OK when not simulated) */
  int simulated;    /* 0: at or below the silent end of the threshold bracket */
  ucl_train_features f;
  double e_in, e_vdd; /* J over the window; NAN when not simulated */
  double e_per_spike; /* J; NAN without spikes */
} ucl_rate_point;

/* The samples a time-constant fit used and its result (ucl_char_opts.keep_fits): the membrane
 * voltage y[i] (V) at t[i] (s, from the start of the run), fitted with
 * y = fit.offset + fit.amp·exp(−(t − t[0])/fit.tau). n == 0 when the fit was not made. */
typedef struct ucl_fit_samples {
  double *t, *y; /* owned by the result: n each */
  size_t n;
  ucl_exp_fit fit;
} ucl_fit_samples;

/* The fits ucl_char_result.fits holds, by index. */
enum { UCL_FIT_LEAK_OFF = 0, UCL_FIT_LEAK_ON = 1, UCL_FIT_REF = 2, UCL_N_FITS = 3 };

/* The threshold search at one pulse period (ucl_char_opts.thr_periods). */
typedef struct ucl_period_threshold {
  double period_s;   /* s */
  ucl_threshold thr; /* the search, as ucl_char_result.threshold */
} ucl_period_threshold;

/* One amplitude of the firing probability (ucl_char_opts.trials; docs/features.md). */
typedef struct ucl_prob_point {
  double amplitude;  /* V */
  long trials;       /* trials run (ucl_char_opts.trials unless a run failed) */
  long fired;        /* of them, with at least one spike in the window */
  double p_fire;     /* fired / trials */
  double p_lo, p_hi; /* its Wilson 95 % interval */
  double latency_s;  /* mean first-spike time over the trials that fired; NAN when none */
  double jitter_s;   /* SD (n − 1) of that first-spike time; NAN with fewer than 2 */
  long isis;         /* ISIs pooled over the trials */
  double isi_mean_s; /* their mean; NAN when none */
  double isi_cv;     /* their SD (n − 1) / mean; NAN with fewer than 2 */
  int status;        /* ucl_status of the first failed trial, or UCL_OK */
} ucl_prob_point;

typedef struct ucl_char_result {
  ucl_status status;       /* first failure, or UCL_OK */
  char reason[640];        /* why, when status != UCL_OK */
  ucl_threshold threshold; /* pulses of the spec's width and period */
  ucl_threshold rheobase;  /* DC */
  double tau_leak_off_s, tau_leak_off_r2, tau_leak_on_s, tau_leak_on_r2, leak_amplitude;
  double tau_ref_s, tau_ref_r2, spike_duration_s;
  double v_reset; /* V, membrane voltage at the unlatch that ends the tau_ref discharge */
  double adapt_amplitude, adapt_window;
  long adapt_spikes;
  ucl_rate_fit adapt; /* tau_s etc. NAN when not measured */
  double adapt_index_efel, adapt_index_ipfx;
  double ref_amplitude;   /* V, the stimulus amplitude */
  ucl_train_features ref; /* features at the reference amplitude over the duration */
  double e_in_J, e_vdd_J; /* energies of the reference run */
  double e_per_spike_J, e_in_per_spike_J, e_vdd_per_spike_J;
  double e_paper_J;  /* C·A²/2 with A the reference amplitude (the paper's estimate) */
  double e_stored_J; /* C·V_latch²/2: charge on C at the firing threshold */
  /* the reference run's baseline: the same window with the input at 0 V (docs/features.md) */
  double e_rest_J;              /* J drawn from VDD and the input at rest over the window */
  double p_standby_W;           /* e_rest_J / window: the standby power */
  double e_static_per_spike_J;  /* e_rest_J / spikes */
  double e_dynamic_per_spike_J; /* e_per_spike_J − e_static_per_spike_J */
  ucl_tracer_result tracer; /* I_GT, I_H, I_L on the curve tracer ([characterize] curve_tracer) */
  ucl_rate_point *curve;    /* owned */
  size_t n_curve;
  ucl_fit_samples fits[UCL_N_FITS]; /* with ucl_char_opts.keep_fits; owned */
  ucl_period_threshold *thr_period; /* one per ucl_char_opts.thr_periods; owned */
  size_t n_thr_period;
  long sims;              /* simulations in all */
  ucl_solver_stats stats; /* summed over all simulations */
  /* temperature coefficients ([characterize] tempco; NAN when not measured): central
   * differences (X(temp + dT) − X(temp − dT))/(2·dT) */
  double tempco_dT_K;                                       /* K, the half-width dT */
  double dthreshold_dT_V_per_K;                             /* of the pulse-train threshold */
  double drheobase_dT_V_per_K;                              /* of the DC rheobase */
  double dtau_leak_off_dT_s_per_K, dtau_leak_on_dT_s_per_K; /* of both leak time constants */
  double dref_rate_dT_Hz_per_K; /* of the mean rate at the reference amplitude */
  /* firing probability (ucl_char_opts.trials > 0; docs/features.md): the noise-free threshold
   * search, the trials at each amplitude and the probit fit; NAN / none when not measured */
  ucl_threshold thr_noiseless; /* the pulse-train search with noise and jitter off */
  long prob_trials;            /* trials per amplitude asked for (0: not measured) */
  ucl_prob_point *prob;        /* owned: one per amplitude */
  size_t n_prob;
  double p50_V, p50_lo_V, p50_hi_V, p50_width_V; /* A50, its 95 % interval, w */
  double p50_near_V;   /* the amplitude of prob nearest A50 (the next three are there) */
  double p50_jitter_s; /* spike-time jitter there */
  double p50_isi_cv;   /* ISI CV there */
  double p50_p_fire;   /* p_fire there */
} ucl_char_result;

/* Threshold search: the lowest amplitude in [lo, hi] of the spec's pulse train (dc = 0) or of a
 * DC source (dc = 1) that gives at least one spike within p->stim.duration, to 'tol' V. The
 * search brackets on firing outcomes; its trial points come from a secant on the latch margin
 * of the silent runs (bisection when that does not halve the bracket). Statuses for the two
 * edge cases; UCL_ERR_* only for bad arguments. 'stats'/'sims' (may be NULL) accumulate. */
UCL_NODISCARD ucl_status ucl_protocol_threshold(const ucl_params *p, int dc, double lo, double hi,
                                                double tol, ucl_threshold *out,
                                                ucl_solver_stats *stats, long *sims,
                                                ucl_diag *diag);

/* Run every protocol the options ask for. On return *out is filled (free with
 * ucl_char_result_free) and out->status says whether all of it worked; the return value is
 * UCL_OK unless the arguments are bad or memory runs out, or o->cancel was set: then
 * UCL_ERR_STOPPED, 'diag' says during which procedure, and *out is untouched.
 *
 * Bounds (docs/features.md, Limits): past o->deadline every run stops at its next check (every
 * stimulus edge and event, at least every 2000 solver steps) and every later run fails at
 * once, each with status UCL_ERR_LIMIT ("the point's wall-time limit was reached ..."), which is
 * then out->status even when another procedure failed before (the reason says both); a run
 * keeps at most UCL_PROTOCOL_MAX_SAMPLES waveform rows (beyond: UCL_ERR_LIMIT). When the
 * pulse-train threshold search fails (UCL_SEARCH_FAILED), adaptation, the rate curve, the
 * energy run and tempco are not run: the reason names them after the search's failure, and the
 * rate curve's rows carry that failure's status with simulated = 0 and no features. */
UCL_NODISCARD ucl_status ucl_characterize(const ucl_params *p, const ucl_char_opts *o,
                                          ucl_char_result *out, ucl_diag *diag);

void ucl_char_result_free(ucl_char_result *r);

/* A result with nothing measured: status UCL_OK, every number NaN, the threshold and rheobase
 * searches skipped, no curve (what ucl_characterize starts from, and a sweep's row for a point
 * that could not be built). */
void ucl_char_result_empty(ucl_char_result *r);

#endif
