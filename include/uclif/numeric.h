/* numeric.h — small, pure numerical kernels used by the device and circuit models. */
#ifndef UCL_NUMERIC_H
#define UCL_NUMERIC_H

#include "uclif/status.h"

/* Relative tolerance of checks that compare sums or products of user values (a pulse's
 * rise + width + fall against its period, say): two such quantities closer than this, relative
 * to the larger magnitude, are equal. Decimal inputs are rounded to binary (3u + 94u + 3u adds to
 * 1.4e-16 above 100u); 1e-9 is far above that rounding and far below any instrument's
 * resolution (0.1 ns in a 100 us period). docs/spec.md, Checks. */
#define UCL_REL_TOL 1e-9

/* a <= b within UCL_REL_TOL: a <= b + UCL_REL_TOL * max(|a|, |b|). 0 when either is NaN. */
int ucl_le_tol(double a, double b);

/* Wright omega function: the w > 0 with w + ln(w) = x, for any finite x (W(exp(x)) without the
 * overflow of exp). Accurate to a few ulp. Returns NAN for a non-finite x. */
double ucl_wright_omega(double x);

/* f(x) and df/dx of an increasing scalar function. Returns 0, or non-zero to abort the solve. */
typedef int (*ucl_mono_fn)(void *ctx, double x, double *f, double *dfdx);

typedef struct ucl_mono_result {
  double x;  /* the root */
  int iters; /* evaluations used */
} ucl_mono_result;

/* Find the root of an increasing function f by Newton's method safeguarded by bisection inside a
 * bracket [lo, hi] (widened geometrically, up to 60 times, when f(lo) > 0 or f(hi) < 0). 'x0' is
 * the first guess (clamped into the bracket). Stops after a Newton step below xtol·(1 + |x|)
 * (quadratic convergence makes the point it lands on exact to double precision) or when the
 * bracket has collapsed; at most 200 iterations. Returns UCL_ERR_SOLVER if no sign change can be
 * found or f fails; *out is written only on success. Deterministic: the same inputs give the
 * same bits. */
UCL_NODISCARD ucl_status ucl_solve_increasing(ucl_mono_fn f, void *ctx, double lo, double hi,
                                              double x0, double xtol, ucl_mono_result *out);

#endif
