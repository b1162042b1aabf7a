/* features.h — pure functions of spike times and sampled curves: rates, ISIs, latency,
 * adaptation indices, exponential fits. Definitions, units and edge cases: docs/features.md.
 * No allocation except where stated; a feature that cannot be computed is NAN. */
#ifndef UCL_FEATURES_H
#define UCL_FEATURES_H

#include <stddef.h>

#include "uclif/status.h"

typedef struct ucl_train_features {
  long spikes;              /* spikes in [t0, t1] */
  double rate_mean_Hz;      /* spikes / (t1 − t0) */
  double rate_first_isi_Hz; /* 1 / (s2 − s1); NAN with fewer than 2 spikes */
  double rate_steady_Hz;    /* 1 / mean of the ISIs that end in the last half of the window;
                               0 when no spike falls there, NAN when one does but no ISI ends there */
  double latency_s;         /* s1 − t0; NAN without spikes */
  double isi_mean_s;        /* mean ISI; NAN with fewer than 2 spikes */
  double isi_cv;            /* population std / mean of the ISIs; NAN with fewer than 3 spikes */
  double adapt_index_efel;  /* see ucl_adaptation_index_efel */
  double adapt_index_ipfx;  /* see ucl_adaptation_index_ipfx */
} ucl_train_features;

/* Features of the sorted spike times s[0..n) restricted to the window [t0, t1] (t1 > t0). */
void ucl_features_train(const double *s, size_t n, double t0, double t1, ucl_train_features *out);

/* eFEL-style adaptation index (eFEL LibV5 adaptation_index, spike_skipf 0.1, max_spike_skip 2):
 * skip the first min(2, floor(0.1·n + 0.5)) spikes, then the mean over consecutive ISIs of
 * (ISI[i+1] − ISI[i]) / (ISI[i+1] + ISI[i]); NAN unless at least 4 spikes remain. */
double ucl_adaptation_index_efel(const double *s, size_t n);

/* IPFX-style adaptation index (ipfx spike_train_features.adaptation_index = norm_diff of the
 * ISIs): the same mean over all ISIs, skipping none; NAN with fewer than 3 spikes. */
double ucl_adaptation_index_ipfx(const double *s, size_t n);

/* y = offset + amp·exp(−(t − t[0]) / tau), least squares. */
typedef struct ucl_exp_fit {
  double amp, tau, offset; /* units of y, of t, of y */
  double r2;               /* 1 − SSE/SST */
  int at_bound;            /* 1 when tau sits at the edge of the searched range [1e-3, 1e3]·span */
} ucl_exp_fit;

/* Fit n >= 3 points (n >= 4 with a free offset) with t increasing. free_offset = 0 fixes
 * offset = 0. The linear parameters are solved exactly for each tau and tau is minimised over a
 * log grid then by golden-section search (relative precision ~1e-9). UCL_ERR_INVAL for too few
 * points, non-increasing t or non-finite values; *out is written only on success. */
UCL_NODISCARD ucl_status ucl_fit_exp(const double *t, const double *y, size_t n, int free_offset,
                                     ucl_exp_fit *out);

/* Rate decay of a spike train: instantaneous rates r_i = 1/ISI_i placed at ISI midpoints,
 * fitted with r(t) = r_inf + (r0 − r_inf)·exp(−(t − s[0])/tau) (time from the first spike). */
typedef struct ucl_rate_fit {
  double tau_s, r0_Hz, rinf_Hz, r2;
  int at_bound;
} ucl_rate_fit;

/* Needs n >= 5 spikes (4 rates); UCL_ERR_INVAL otherwise. */
UCL_NODISCARD ucl_status ucl_fit_rate_decay(const double *s, size_t n, ucl_rate_fit *out);

#endif
