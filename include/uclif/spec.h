/* spec.h — one simulation configuration from a spec file and command-line overrides.
 * The file's [circuit], [stimulus] and [solver] sections set parameters (params.h); the sweep
 * sections ([run], [sweep], [characterize]) are accepted and left to the commands that use them.
 * See docs/spec.md. */
#ifndef UCL_SPEC_H
#define UCL_SPEC_H

#include <signal.h>
#include <stddef.h>

#include "uclif/params.h"
#include "uclif/status.h"

/* Characterization settings (the [characterize] section; run by protocols.h). */
typedef enum ucl_switch { UCL_AUTO = 0, UCL_ON = 1, UCL_OFF = 2 } ucl_switch;

/* Where a characterization is (ucl_char_opts.progress). */
typedef struct ucl_char_progress {
  const char *procedure; /* the [characterize] key of the procedure running: "threshold",
                            "rheobase", "tau_leak", "tau_ref", "adaptation", "rate_curve",
                            "energy", "threshold_period", "curve_tracer", "tempco",
                            "probability" (static) */
  long sims;             /* simulations started so far, this one included */
  long trial, trials;    /* "probability": the noise trial running (1 .. trials); else 0, 0 */
  double t, t_end;       /* s: simulated time reached by the run in progress, and its end */
} ucl_char_progress;

/* A batch of evaluations (ucl_char_opts.batch): one evaluation writes 'width' doubles for index
 * i into out[0 .. width) (zeroed before the call), a pure function of (ctx, i); a status other
 * than UCL_OK stops the batch. The same type as sched.h's ucl_sched_eval_fn. */
typedef ucl_status (*ucl_char_eval_fn)(void *ctx, long i, double *out, int width, ucl_diag *diag);

/* Evaluate indices 0 .. n-1 of 'eval' (with 'eval_ctx') and leave every row in
 * results[i*width .. (i+1)*width) (n*width doubles), the same bits as evaluating them in order
 * on one process; the status of the evaluations, or an error of the batch itself with 'diag'
 * set. ucl_sched_batch (sched.h) with 'ctx' the communicator is one: the command gives it, the
 * measurement procedures do not know MPI. */
typedef ucl_status (*ucl_char_batch_fn)(void *ctx, long n, int width, ucl_char_eval_fn eval,
                                        void *eval_ctx, double *results, ucl_diag *diag);

typedef struct ucl_char_opts {
  double thr_lo, thr_hi;   /* V, search bracket (threshold and rheobase) */
  double thr_tol;          /* V, final bracket width */
  const double *rate_amps; /* V, f–A amplitudes (borrowed); NULL = lin(2, 10, 33) */
  size_t n_rate_amps;
  int adaptation;            /* ucl_switch: auto = type II only */
  double adapt_amplitude;    /* V; 0 = the stimulus amplitude */
  double adapt_window;       /* s; 0 = type II: max(duration, 20·R7·C2), type I: duration */
  int rheobase;              /* ucl_switch (auto = on) */
  int tau_leak;              /* ucl_switch (auto = on) */
  double leak_amplitude;     /* V; 0 = 0.95 × the DC rheobase */
  double leak_width;         /* s, charging step length */
  double leak_window;        /* s; 0 = 8·(R1 + R2)·C after the step */
  int tau_ref;               /* ucl_switch (auto = on) */
  double ref_window;         /* s, window of the discharge run */
  int energy;                /* ucl_switch (auto = on) */
  int curve_tracer;          /* ucl_switch (auto = off): I_GT, I_H, I_L on the curve tracer */
  double tempco_dT;          /* K; > 0: temperature coefficients by a central difference at
                                temp ± tempco_dT (docs/features.md); 0 = off */
  int keep_fits;             /* 1: keep the samples of the tau_leak and tau_ref fits in the result
                                (ucl_char_result.fits; the datasheet plots them); 0 = not */
  const double *thr_periods; /* s (borrowed), may be NULL: also search the pulse-train threshold
                             at each of these pulse periods (the spec's width; threshold vs
                             period, docs/features.md); set by `uclif characterize`, not by a
                             spec */
  size_t n_thr_periods;
  double deadline; /* CLOCK_MONOTONIC seconds after which runs stop with UCL_ERR_LIMIT
                      (a wall-time limit per point); 0 = none */
  const volatile sig_atomic_t *cancel; /* borrowed, may be NULL: once *cancel != 0 (set by a
                             signal handler), runs stop and ucl_characterize returns
                             UCL_ERR_STOPPED (the point is abandoned, not a row) */
  /* May be NULL: called before every simulation and while one runs (wherever the deadline and
   * the cancel flag are checked: at every stimulus edge and event, and at least every 2000
   * solver steps), on the calling thread. It must return quickly (it is called thousands of
   * times a second) and must not call the library; a CLI paces its output itself. */
  void (*progress)(void *ctx, const ucl_char_progress *where);
  void *progress_ctx;

  /* firing probability (docs/features.md, Firing probability) */
  long trials;             /* > 0: this many noise trials per amplitude; 0 = off */
  const double *prob_amps; /* V (borrowed): its amplitudes; NULL = 11 over the noise-free
                              threshold × 0.9 … 1.1 */
  size_t n_prob_amps;
  /* May be NULL (serial: every trial here, in order): how the firing probability's trials (all
   * amplitudes × trials, one batch) are evaluated, e.g. over MPI ranks. When set, the
   * "probability" procedure, once reached (ucl_characterize with trials > 0 reaches it unless
   * memory runs out before), calls it exactly once, with n = 0 when there is nothing to run: a
   * collective batch is entered on every rank that runs the same characterization. The results
   * are the same bits with and without it (docs/features.md, Firing probability, Ranks). */
  ucl_char_batch_fn batch;
  void *batch_ctx;
} ucl_char_opts;

/* Defaults (docs/features.md). Cannot fail. */
void ucl_char_opts_default(ucl_char_opts *o);

/* Build a validated configuration: defaults, then 'path' (may be NULL), then the overrides
 * 'sets' ("NAME=VALUE", n_sets of them, applied in order). On failure *out is untouched and
 * 'diag' names the place: "spec.ini:12: R1 must be > 0 (got -5 Ohm)", or
 * "--set R1=-5: R1 must be > 0 ...". UCL_ERR_INPUT for an unreadable file, UCL_ERR_PARSE /
 * UCL_ERR_INVAL / UCL_ERR_RANGE for bad content. */
UCL_NODISCARD ucl_status ucl_spec_load_config(const char *path, const char *const *sets, int n_sets,
                                              ucl_params *out, ucl_diag *diag);

/* Characterization options from the [characterize] section (docs/spec.md); opts.rate_amps
 * points into rate_amps, which the config owns. */
typedef struct ucl_char_config {
  ucl_char_opts opts;
  double *rate_amps;
  double *prob_amps; /* owned: opts.prob_amps */
  int trials_line;   /* line of the `trials` key in the file; 0 when not set there */
} ucl_char_config;

/* Defaults, then the [characterize] section of 'path' (may be NULL). Errors name file:line.
 * On failure *out is untouched. Free with ucl_char_config_free. */
UCL_NODISCARD ucl_status ucl_spec_load_char_config(const char *path, ucl_char_config *out,
                                                   ucl_diag *diag);

void ucl_char_config_free(ucl_char_config *c);

/* 1 when runs of p differ from trial to trial: noise.thermal on, or a jitter.* key > 0 that
 * applies to the neuron's form (jitter.V_th, jitter.I_hold for the Mott soma; jitter.I_GT,
 * jitter.I_H for the hybrid SCR; none for the two-transistor SCR). */
int ucl_spec_noise_varies(const ucl_params *p);

/* [characterize] trials > 0 needs runs that differ: UCL_ERR_INVAL otherwise, 'diag' naming the
 * key's place ("spec.ini:12: trials = 40: every trial would be the same: turn on noise.thermal
 * or a jitter.* key"; 'path' may be NULL). UCL_OK when trials is 0 or p varies. */
UCL_NODISCARD ucl_status ucl_spec_check_trials(const char *path, const ucl_char_config *c,
                                               const ucl_params *p, ucl_diag *diag);

/* The same two loaders on an INI already parsed ('path' names it in messages; 'ini' may be
 * NULL for the defaults). Used by the sweep loader. */
struct ucl_ini;
UCL_NODISCARD ucl_status ucl_spec_apply_ini(const char *path, const struct ucl_ini *ini,
                                            const char *const *sets, int n_sets, ucl_params *out,
                                            ucl_diag *diag);
UCL_NODISCARD ucl_status ucl_spec_char_from_ini(const char *path, const struct ucl_ini *ini,
                                                ucl_char_config *out, ucl_diag *diag);

#endif
