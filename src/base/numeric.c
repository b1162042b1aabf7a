/* numeric.c — the tolerance of derived-quantity checks, Wright omega and the safeguarded
 * monotone Newton solver. */
#include "uclif/numeric.h"

#include <float.h>
#include <math.h>

int ucl_le_tol(double a, double b) {
  return a <= b + UCL_REL_TOL * fmax(fabs(a), fabs(b));
}

double ucl_wright_omega(double x) {
  if (!isfinite(x)) {
    return NAN;
  }
  if (x < -40.0) {
    /* w < 5e-18: w = exp(x - w) = exp(x)·(1 - w + ...) equals exp(x) to double precision. */
    return exp(x);
  }
  /* Starting points (relative error below ~6e-2 everywhere), then the third-order iteration of
   * Fritsch, Shafer & Crowley until the residual is below 1e-5 (the step then leaves an error of
   * order 1e-15): one or two steps almost everywhere. */
  double w;
  if (x < -2.0) {
    double e = exp(x);
    w = e * (1.0 - e);
  } else if (x < 1.0) {
    double l = log1p(exp(x)); /* Winitzki's approximation of W(e^x) */
    w = l * (1.0 - log1p(l) / (2.0 + l));
  } else {
    double l = log(x);
    w = x - l + l / x;
  }
  for (int i = 0; i < 4; i++) {
    double z = x - w - log(w);
    double q = 2.0 * (1.0 + w) * (1.0 + w + 2.0 * z / 3.0);
    w = w * (1.0 + z / (1.0 + w) * (q - z) / (q - 2.0 * z));
    if (fabs(z) < 1e-5) {
      /* third order: the error after this step is O(z^3) < 1e-15 */
      break;
    }
  }
  return w;
}

/* Make sure f(*end) has the sign an end of the bracket needs (side −1: f <= 0 at the lower end;
 * +1: f >= 0 at the upper end), moving the end outward geometrically (up to 60 times). */
static int verify_end(ucl_mono_fn f, void *ctx, double *end, double other, int side, int *evals) {
  double w = fabs(*end - other);
  if (!(w > 0.0)) {
    w = 1.0;
  }
  for (int k = 0; k < 60; k++) {
    double fe, d;
    if (f(ctx, *end, &fe, &d) != 0 || isnan(fe)) {
      return -1;
    }
    (*evals)++;
    if ((side < 0 && fe <= 0.0) || (side > 0 && fe >= 0.0)) {
      return 0;
    }
    *end += (double)side * 2.0 * w;
    w *= 3.0;
  }
  return -1;
}

ucl_status ucl_solve_increasing(ucl_mono_fn f, void *ctx, double lo, double hi, double x0,
                                double xtol, ucl_mono_result *out) {
  if (!(lo < hi)) {
    return UCL_ERR_INVAL;
  }
  /* The bracket ends are checked only when bisection needs them: from a good first guess,
   * Newton usually converges in two or three evaluations. */
  int lo_ok = 0, hi_ok = 0, iters = 0;
  double x = (x0 >= lo && x0 <= hi) ? x0 : 0.5 * (lo + hi);
  for (int k = 0; k < 200; k++) {
    double fx, dfx;
    if (f(ctx, x, &fx, &dfx) != 0 || !isfinite(fx)) {
      return UCL_ERR_SOLVER;
    }
    iters++;
    if (fx == 0.0) {
      break;
    }
    if (fx < 0.0) {
      lo = x;
      lo_ok = 1;
    } else {
      hi = x;
      hi_ok = 1;
    }
    double dx = (dfx > 0.0 && isfinite(dfx)) ? fx / dfx : NAN;
    double xn = x - dx;
    if (xn >= lo && xn <= hi) {
      x = xn;
      /* Newton converges quadratically: once its step is this small, the point it lands on is
       * exact to double precision. */
      if (fabs(dx) <= xtol * (1.0 + fabs(x))) {
        break;
      }
    } else {
      if ((!lo_ok && verify_end(f, ctx, &lo, hi, -1, &iters) != 0) ||
          (!hi_ok && verify_end(f, ctx, &hi, lo, +1, &iters) != 0)) {
        return UCL_ERR_SOLVER;
      }
      lo_ok = hi_ok = 1;
      x = 0.5 * (lo + hi); /* Newton left the bracket: bisect */
    }
    if (lo_ok && hi_ok && hi - lo <= 4.0 * DBL_EPSILON * (1.0 + fabs(x))) {
      break;
    }
  }
  out->x = x;
  out->iters = iters;
  return UCL_OK;
}
