/* fit.h — `uclif fit` (docs/fit.md): calibrate the circuit model from bench recordings and
 * measured features. A fit spec is a simulation spec (the base configuration) plus [fit],
 * [fit.free], [fit.features], [recording.NAME] and [variant.NAME] sections. This module holds the
 * loaded spec, the residual vector of one parameter vector (a pure function of (spec, variant,
 * x): the search spreads these evaluations over MPI ranks, fit_run.c), the spike-train distances,
 * the uncertainty and identifiability analysis at the optimum, the model comparison and the
 * writers. Not collective; no MPI. */
#ifndef UCL_FIT_H
#define UCL_FIT_H

#include <stddef.h>
#include <stdint.h>

#include "uclif/params.h"
#include "uclif/recording.h"
#include "uclif/status.h"

#define UCL_FIT_MAX_FREE 16      /* free parameters of a variant, nuisance gains included */
#define UCL_FIT_MAX_VARIANTS 8   /* model variants compared */
#define UCL_FIT_MAX_RECORDINGS 8 /* recordings per fit */
#define UCL_FIT_MAX_FEATURES 16  /* measured features */

typedef enum ucl_fit_scale { UCL_FIT_LIN = 0, UCL_FIT_LOG = 1 } ucl_fit_scale;

/* A free parameter. The search works in the scale's space: x = ln(value) for log, x = value for
 * lin. */
typedef struct ucl_fit_param {
  char name[80]; /* a parameter key (R_in, scr.I_GT, ...), or an acquisition parameter:
                    daq.gain.CHANNEL, daq.delay */
  char unit[16]; /* the key's unit; "" for a gain */
  int scale;     /* ucl_fit_scale */
  double lo, hi; /* SI bounds */
  double start;  /* SI: the variant's base value, clipped into [lo, hi] */
  int nuisance;  /* 1: the gain of a recorded channel (channel: the model channel, V_in_V
                    for the input; shared by every recording, as one DAQ records them);
                    2: the delay (s) of the replayed inputs against the recorded channels
                    (a trigger offset; held inputs only) */
  char channel[32];
  double prior_mu; /* prior mean in the scale's space */
  double prior_sd; /* prior standard deviation in the scale's space; 0 = no prior */
  int line;        /* where it was declared */
} ucl_fit_param;

/* A value of p in its scale's space (ln for log, itself for lin), and back. */
double ucl_fit_param_x(const ucl_fit_param *p, double value);
double ucl_fit_param_value(const ucl_fit_param *p, double x);

/* A model variant: the base configuration with some keys overridden, and its free parameters. */
typedef struct ucl_fit_variant {
  char name[64];       /* "base" when the spec has no [variant.NAME] section */
  char overrides[512]; /* the variant's own settings, "key=value key=value" */
  ucl_params base;
  int n_free;
  ucl_fit_param free[UCL_FIT_MAX_FREE];
  int line;
} ucl_fit_variant;

/* A measured feature (a points.csv feature column) with its standard uncertainty. */
typedef struct ucl_fit_feature {
  char name[64];
  long col; /* points.csv column */
  double value, sd;
  int line;
} ucl_fit_feature;

/* The [fit] settings (docs/fit.md). */
typedef struct ucl_fit_opts {
  uint64_t seed;       /* the order of the Sobol points is fixed; the seed scrambles nothing but
                          is written to the manifest (default 1) */
  long starts;         /* global stage: Sobol points over the bounds (default 16·(model
                          parameters + 1): the acquisition's stay at 1 and 0) */
  int local;           /* derivative-free stage: Subplex runs from the best starts, one per
                          rank at a time (default 2) */
  long max_iter;       /* Levenberg-Marquardt iterations (default 60) */
  long max_evals;      /* evaluations of each Subplex run (default 60·(model parameters + 1)) */
  double rtol;         /* solver relative tolerance during the fit (default 1e-8) */
  double spike_drop;   /* V: a measured spike is a fall of V_mem by more than this within
                          3 samples (default 0.25 V) */
  double guard;        /* s: samples this long after a measured spike are left out of the
                          waveform residuals (default 50 µs) */
  double vr_tau;       /* s: van Rossum time constant of the score (default 10 ms: longer than
                          the ISIs, so the score falls steadily as the rates line up) */
  double coinc;        /* s: coincidence window Δ of the coincidence factor (default 0.5 ms) */
  long max_bins;       /* waveform residuals per recorded channel at most (default 2000) */
  long valley;         /* rounds of the valley walk after Levenberg-Marquardt (default 12) */
  double spike_window; /* s: a model spike is matched to a measured one at most this far from
                          it, and at most half-way to the measured spike's neighbours; the
                          timing residual of an unmatched spike is this window over σ_t
                          (default 1 ms) */
} ucl_fit_opts;

typedef struct ucl_fit ucl_fit; /* opaque */

/* Read and check a fit spec (and its recordings). 'sets' ("NAME=VALUE") override the base
 * configuration after the spec's sections, as `--set` does. Every problem names file:line (a
 * recording's data: its own file:line, recording.h); UCL_ERR_INPUT, UCL_ERR_PARSE,
 * UCL_ERR_INVAL, UCL_ERR_RANGE. */
UCL_NODISCARD ucl_status ucl_fit_load(const char *path, const char *const *sets, int n_sets,
                                      ucl_fit **out, ucl_diag *diag);
void ucl_fit_destroy(ucl_fit **f);

const char *ucl_fit_path(const ucl_fit *f);
const ucl_fit_opts *ucl_fit_options(const ucl_fit *f);
int ucl_fit_n_variants(const ucl_fit *f);
const ucl_fit_variant *ucl_fit_variant_at(const ucl_fit *f, int v);
int ucl_fit_n_recordings(const ucl_fit *f);
const ucl_recording *ucl_fit_recording(const ucl_fit *f, int r);
int ucl_fit_n_features(const ucl_fit *f);
const ucl_fit_feature *ucl_fit_feature_at(const ucl_fit *f, int k);
/* Measured spike times of recording r (s; NULL when it has no V_mem_V channel). */
const double *ucl_fit_measured_spikes(const ucl_fit *f, int r, size_t *n);

/* Sizes of one evaluation of variant v: the residuals (waveform bins, features, priors: the
 * likelihood's terms, 'n' of the information criteria), then the bound residuals (one per free
 * parameter, zero inside the bounds), then the extras (ok, and per recording: the van Rossum
 * distance, the coincidence factor, the simulated spike count). */
size_t ucl_fit_n_residuals(const ucl_fit *f, int v);
int ucl_fit_eval_width(const ucl_fit *f, int v);

/* Indices into an evaluation row after the residuals (offset ucl_fit_n_residuals + n_free). */
enum { UCL_FIT_X_OK = 0, UCL_FIT_X_VR = 1 };

/* Evaluate variant v at x (n_free values in the scale's space; out of bounds is clipped, and
 * the excess is the bound residual, 100 per bound width): simulate every recording (replaying
 * its input), and features when there are any; write ucl_fit_eval_width doubles into 'out'. A
 * simulation that fails is data: its residuals are large (UCL_FIT_FAIL_RESIDUAL each) and ok is
 * 0. Only memory errors are returned (UCL_ERR_NOMEM). A pure function of (f, v, x). */
#define UCL_FIT_FAIL_RESIDUAL 1e3

/* χ²/(n − k) above which a fit is reported as poor (fit.txt, and a warning from `uclif fit`):
 * for n − k ≥ 100 Gaussian residuals it exceeds 1.5 by chance with probability below 1e-4,
 * so 3 means the model or the optimum is wrong, not the noise. */
#define UCL_FIT_POOR 3.0
UCL_NODISCARD ucl_status ucl_fit_eval(const ucl_fit *f, int v, const double *x, double *out,
                                      ucl_diag *diag);

/* ucl_fit_eval restricted to what comes before measured spike 'upto' (0-based) of each
 * recording: each run stops 1.5 samples before it, and from there on every residual of the
 * recording is 0, as are its spike-timing residuals, the pulse heights and the features; a
 * model spike before it is waveform residual (nothing is left out). A recording with 'upto'
 * spikes or fewer counts whole. upto < 0: ucl_fit_eval. Where the model does not fire early,
 * the part before the first spike is smooth in the parameters where the whole train is not
 * (docs/fit.md "Search", stage 0). Same row layout and errors as ucl_fit_eval. */
UCL_NODISCARD ucl_status ucl_fit_eval_upto(const ucl_fit *f, int v, const double *x, long upto,
                                           double *out, ucl_diag *diag);

/* χ² (Σ r² of the likelihood's residuals) of an evaluation row. */
double ucl_fit_row_chi2(const ucl_fit *f, int v, const double *row);
/* Measured feature k's model value (SI) in an evaluation row: its measured value plus its
 * residual times its SD; NAN where the model's characterization did not measure it. */
double ucl_fit_row_feature(const ucl_fit *f, const double *row, int k);
/* The global stage's score of an evaluation row: the mean of the recordings' squared residuals
 * capped at 9 (3σ), plus the van Rossum distances of the recordings, plus ln(1 + r²) of each
 * feature and prior residual, plus the squared bound residuals. Graded where χ² is not: while
 * spikes are missing, extra or out of line it counts the mismatch rather than its size, and a
 * feature far off still pulls (docs/fit.md "Search"). */
double ucl_fit_row_score(const ucl_fit *f, int v, const double *row);

/* The configuration of variant v at x (SI values set into the variant's base). */
void ucl_fit_params_at(const ucl_fit *f, int v, const double *x, ucl_params *out);

/* The model's prediction for recording r at x: the values of each measured channel at the
 * recording's sample times, gain applied (rec->n × n_channels, row-major, malloc'd into *pred),
 * and the simulated spike times (malloc'd into *spikes, *n_spikes; NULL if none). A failed
 * simulation gives NAN from where it failed. UCL_ERR_NOMEM. */
UCL_NODISCARD ucl_status ucl_fit_predict(const ucl_fit *f, int v, const double *x, int r,
                                         double **pred, double **spikes, size_t *n_spikes,
                                         ucl_diag *diag);

/* ---- spike-train distances (docs/fit.md "Loss") ---- */

/* van Rossum distance D² between spike trains a (na) and b (nb) with an exponential kernel of
 * time constant tau (s): D² = (1/tau)∫(f_a − f_b)² dt with f = Σ exp(−(t − t_i)/tau)·H(t − t_i),
 * in closed form ½[Σ_ij e^(−|a_i−a_j|/τ) + Σ_ij e^(−|b_i−b_j|/τ) − 2Σ_ij e^(−|a_i−b_j|/τ)]
 * (van Rossum, Neural Comput. 13:751, 2001). One missing spike costs ½; a shift δ ≪ τ costs
 * about δ/τ. */
double ucl_fit_van_rossum(const double *a, size_t na, const double *b, size_t nb, double tau);

/* Coincidence factor Γ of a model train (b) against a data train (a) over a duration T (s)
 * with window Δ: (N_coinc − ⟨N_coinc⟩)/(½(N_a + N_b)) / (1 − 2ν_bΔ), where ⟨N_coinc⟩ =
 * 2ν_bΔN_a are the coincidences a Poisson train at the model's rate ν_b = N_b/T would make
 * (Kistler, Gerstner & van Hemmen, Neural Comput. 9:1015, 1997; Jolivet et al., J. Neurosci.
 * Methods 169:417, 2008). 1 for identical trains, about 0 by chance; NAN when both are empty. */
double ucl_fit_coincidence(const double *a, size_t na, const double *b, size_t nb, double T,
                           double delta);

/* ---- uncertainty and identifiability (docs/fit.md "Uncertainty") ---- */

typedef enum ucl_fit_verdict {
  UCL_FIT_PINNED = 0,
  UCL_FIT_PARTLY = 1,
  UCL_FIT_NOT_IDENTIFIED = 2
} ucl_fit_verdict;

const char *ucl_fit_verdict_name(int verdict);

/* The analysis of one variant at its optimum. */
typedef struct ucl_fit_result {
  int variant;
  int n_free;
  double x[UCL_FIT_MAX_FREE];     /* the optimum, scale's space */
  double value[UCL_FIT_MAX_FREE]; /* SI */
  double sd[UCL_FIT_MAX_FREE];    /* scale's space; INFINITY: not identified */
  double ci_lo[UCL_FIT_MAX_FREE], ci_hi[UCL_FIT_MAX_FREE]; /* SI, 95 % */
  double corr[UCL_FIT_MAX_FREE][UCL_FIT_MAX_FREE];         /* NAN where undefined */
  int verdict[UCL_FIT_MAX_FREE];
  double chi2;      /* at the optimum */
  size_t n;         /* residuals (likelihood terms) */
  double scale_cov; /* the factor the covariance was multiplied by: max(1, χ²/(n − k)) */
  double aic, bic;
  long evaluations; /* simulations of this variant's search */
  long starts;      /* Sobol points of the global stage, the base point included */
  int local;        /* Subplex runs */
  int ok;           /* the optimum's simulations all ran */
  int rank;         /* numerical rank of the Jacobian */
  double feature[UCL_FIT_MAX_FEATURES]; /* the measured features' model values at the optimum
                                           (SI; NAN: not measured); set by ucl_fit_run */
} ucl_fit_result;

/* From the Jacobian J (n_rows × n_free, row-major; the likelihood's residuals and priors only,
 * bound rows excluded) at the optimum x with χ² 'chi2' over 'n' residuals: the covariance
 * (JᵀJ)⁻¹ (the Laplace/Fisher approximation; Bates & Watts 1988, ch. 2) by the singular value
 * decomposition, multiplied by max(1, χ²/(n − k)) so that a misfit widens the intervals rather
 * than being ignored; directions with singular values below 1e-8·s_max are not identified, and a
 * parameter with a component > 0.1 on one of them is 'not identified' (sd = INFINITY). 95 %
 * intervals x ± 1.96·sd mapped to SI and clipped to the bounds. Verdict from the ratio of sd to
 * the spread of a uniform prior over the bounds ((hi − lo)/√12 in the scale's space): below 0.1
 * pinned, below 0.5 partly, else not identified. Fills 'res' (variant, n_free, x, value, sd,
 * ci, corr, verdict, chi2, n, scale_cov, aic, bic, rank). UCL_ERR_NOMEM. */
UCL_NODISCARD ucl_status ucl_fit_analyse(const ucl_fit *f, int v, const double *x, const double *J,
                                         size_t n_rows, double chi2, ucl_fit_result *res,
                                         ucl_diag *diag);

/* The protocol that would pin parameter 'name' (a short sentence, static), or "". */
const char *ucl_fit_pin_with(const char *name);

/* ---- outputs (docs/fit.md "Outputs") ---- */

/* Write DIR's parameters.csv, comparison.csv, overlay.csv, spikes.csv, fitted.ini and fit.txt
 * for the results of every variant (res[v], n_variants of them; 'best' the preferred one), each
 * written to a temporary file and renamed; 'wall_s' and 'ranks' go into fit.txt. Simulates the
 * preferred variant once more for the overlay. UCL_ERR_IO naming the file; UCL_ERR_NOMEM. */
UCL_NODISCARD ucl_status ucl_fit_write(const ucl_fit *f, const ucl_fit_result *res, int n_variants,
                                       int best, const char *dir, double wall_s, int ranks,
                                       ucl_diag *diag);

#endif
