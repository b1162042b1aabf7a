/* probit.h — firing probability from trial counts: the Wilson score interval of a binomial
 * proportion (Wilson 1927) and the maximum-likelihood probit fit P(A) = Φ((A − A50)/w) of
 * counts against amplitude (docs/features.md, Firing probability). Pure numerics: no I/O. */
#ifndef UCL_PROBIT_H
#define UCL_PROBIT_H

#include <stddef.h>

#include "uclif/status.h"

/* The normal quantile of the two-sided 95 % intervals (Φ⁻¹(0.975)). */
#define UCL_PROBIT_Z95 1.959963984540054

/* The Wilson score interval of k successes in n > 0 trials at quantile z (UCL_PROBIT_Z95 for
 * 95 %): *lo, *hi in [0, 1]. n == 0 gives NAN for both. Cannot fail. */
void ucl_probit_wilson(long k, long n, double z, double *lo, double *hi);

/* A probit fit. */
typedef struct ucl_probit {
  double a50;      /* the 50 % point A50 (units of the amplitudes) */
  double width;    /* w > 0: P(A50 ± w) = Φ(±1) = 84 % / 16 % */
  double a50_lo;   /* A50 ∓ z·SE(A50), SE from the inverse Fisher information (delta */
  double a50_hi;   /*   method on A50 = −β0/β1), z = UCL_PROBIT_Z95 */
  double a50_se;   /* the standard error of A50 */
  double width_se; /* the standard error of w */
  double loglik;   /* the log-likelihood at the fit */
  int iterations;  /* Newton (Fisher scoring) iterations used */
} ucl_probit;

/* Fit P(a[i]) = Φ((a[i] − A50)/w) to k[i] successes in n[i] trials (i < m) by maximum
 * likelihood: Fisher scoring (IRLS) on η = β0 + β1·a with step halving, A50 = −β0/β1,
 * w = 1/β1. Amplitudes with n[i] == 0 are ignored. Refused (UCL_ERR_RANGE, 'diag' says why, *out
 * untouched): fewer than 2 amplitudes with trials, every trial silent or every trial fired, a
 * fit that does not converge (the counts separate: no amplitude between all-silent and
 * all-fired, so that the maximum lies at w → 0) or that falls with amplitude (β1 <= 0).
 * UCL_ERR_INVAL for m == 0 or NULL arrays. */
UCL_NODISCARD ucl_status ucl_probit_fit(const double *a, const long *k, const long *n, size_t m,
                                        ucl_probit *out, ucl_diag *diag);

#endif
