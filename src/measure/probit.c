/* probit.c — Wilson intervals and the maximum-likelihood probit fit (probit.h). */
#include "uclif/probit.h"

#include <math.h>

static const double two_pi = 6.283185307179586;

void ucl_probit_wilson(long k, long n, double z, double *lo, double *hi) {
  if (n <= 0) {
    *lo = *hi = NAN;
    return;
  }
  /* Wilson (1927): the p with |p̂ − p| = z·sqrt(p(1 − p)/n) */
  double nn = (double)n, ph = (double)k / nn, z2 = z * z;
  double den = 1.0 + z2 / nn;
  double mid = (ph + z2 / (2.0 * nn)) / den;
  double half = z / den * sqrt(ph * (1.0 - ph) / nn + z2 / (4.0 * nn * nn));
  *lo = fmax(0.0, mid - half);
  *hi = fmin(1.0, mid + half);
  if (k == 0) {
    *lo = 0.0;
  }
  if (k == n) {
    *hi = 1.0;
  }
}

/* Φ(x) and 1 − Φ(x) = Φ(−x), each accurate in its own tail. */
static double cdf(double x) {
  return 0.5 * erfc(-x / sqrt(2.0));
}

static double pdf(double x) {
  return exp(-0.5 * x * x) / sqrt(two_pi);
}

/* log Φ(x), finite far into the lower tail (Mills' ratio below −30). */
static double log_cdf(double x) {
  if (x > -30.0) {
    return log(cdf(x));
  }
  return -0.5 * x * x - log(-x) - 0.5 * log(two_pi);
}

static double loglik(const double *a, const long *k, const long *n, size_t m, double b0,
                     double b1) {
  double s = 0.0;
  for (size_t i = 0; i < m; i++) {
    if (n[i] <= 0) {
      continue;
    }
    double eta = b0 + b1 * a[i];
    s += (double)k[i] * log_cdf(eta) + (double)(n[i] - k[i]) * log_cdf(-eta);
  }
  return s;
}

/* The score U and the Fisher information I at (b0, b1) (I symmetric: i00, i01, i11). */
static void score_info(const double *a, const long *k, const long *n, size_t m, double b0,
                       double b1, double u[2], double inf[3]) {
  u[0] = u[1] = inf[0] = inf[1] = inf[2] = 0.0;
  for (size_t i = 0; i < m; i++) {
    if (n[i] <= 0) {
      continue;
    }
    double eta = b0 + b1 * a[i], P = cdf(eta), Q = cdf(-eta), f = pdf(eta);
    double pq = P * Q;
    if (!(pq > 1e-300)) {
      pq = 1e-300;
    }
    double nn = (double)n[i];
    double g = (double)k[i] - nn * P; /* observed − expected */
    double c = f / pq;
    double w = nn * f * f / pq;
    u[0] += g * c;
    u[1] += g * c * a[i];
    inf[0] += w;
    inf[1] += w * a[i];
    inf[2] += w * a[i] * a[i];
  }
}

ucl_status ucl_probit_fit(const double *a, const long *k, const long *n, size_t m, ucl_probit *out,
                          ucl_diag *diag) {
  if (!a || !k || !n || m == 0) {
    return ucl_diag_set(diag, UCL_ERR_INVAL, "probit fit: no amplitudes");
  }
  size_t used = 0;
  long ks = 0, ns = 0;
  double amin = INFINITY, amax = -INFINITY;
  for (size_t i = 0; i < m; i++) {
    if (n[i] > 0) {
      used++;
      ks += k[i];
      ns += n[i];
      amin = fmin(amin, a[i]);
      amax = fmax(amax, a[i]);
    }
  }
  if (used < 2 || !(amax > amin)) {
    return ucl_diag_set(diag, UCL_ERR_RANGE,
                        "the probit fit needs trials at 2 amplitudes or more (got %zu)", used);
  }
  if (ks == 0 || ks == ns) {
    return ucl_diag_set(diag, UCL_ERR_RANGE,
                        "the probit fit cannot be made: %s of the %ld trials (widen the "
                        "amplitudes)",
                        ks == 0 ? "no spike in any" : "a spike in every", ns);
  }
  /* start: A50 where the pooled empirical probability is, w a quarter of the span */
  double pbar = (double)ks / (double)ns;
  double w0 = 0.25 * (amax - amin);
  double mu0 = amin + (1.0 - pbar) * (amax - amin);
  double b1 = 1.0 / w0, b0 = -mu0 * b1;
  double ll = loglik(a, k, n, m, b0, b1);
  int it = 0, converged = 0;
  const int max_it = 200;
  for (it = 1; it <= max_it; it++) {
    double u[2], inf[3];
    score_info(a, k, n, m, b0, b1, u, inf);
    double det = inf[0] * inf[2] - inf[1] * inf[1];
    if (!(det > 0.0) || !isfinite(det)) {
      break;
    }
    double d0 = (inf[2] * u[0] - inf[1] * u[1]) / det;
    double d1 = (-inf[1] * u[0] + inf[0] * u[1]) / det;
    double step = 1.0, nl = -INFINITY;
    for (int h = 0; h < 40; h++) { /* halve until the likelihood does not fall */
      nl = loglik(a, k, n, m, b0 + step * d0, b1 + step * d1);
      if (nl >= ll - 1e-12 * fabs(ll)) {
        break;
      }
      step *= 0.5;
    }
    b0 += step * d0;
    b1 += step * d1;
    double change = fabs(nl - ll);
    ll = nl;
    /* converged: the Newton step moves A50 and w by a negligible part of the span */
    if (change < 1e-10 * (1.0 + fabs(ll)) && fabs(step * d1) < 1e-9 * fabs(b1) &&
        fabs(step * d0) < 1e-9 * (fabs(b0) + fabs(b1) * (amax - amin))) {
      converged = 1;
      break;
    }
    if (!(fabs(1.0 / b1) > 1e-9 * (amax - amin))) { /* w → 0: separated counts */
      break;
    }
  }
  if (!converged || !isfinite(b0) || !isfinite(b1)) {
    return ucl_diag_set(diag, UCL_ERR_RANGE,
                        "the probit fit does not converge: the counts jump from no spike to a "
                        "spike in every trial between two amplitudes (more trials or closer "
                        "amplitudes)");
  }
  if (!(b1 > 0.0)) {
    return ucl_diag_set(diag, UCL_ERR_RANGE,
                        "the fitted firing probability falls with amplitude (slope %g per unit)",
                        b1);
  }
  double u[2], inf[3];
  score_info(a, k, n, m, b0, b1, u, inf);
  double det = inf[0] * inf[2] - inf[1] * inf[1];
  /* the inverse information: the covariance of (b0, b1) */
  double c00 = inf[2] / det, c01 = -inf[1] / det, c11 = inf[0] / det;
  double mu = -b0 / b1, w = 1.0 / b1;
  /* delta method: ∂A50/∂b0 = −1/b1, ∂A50/∂b1 = b0/b1²; ∂w/∂b1 = −1/b1² */
  double g0 = -1.0 / b1, g1 = b0 / (b1 * b1);
  double var_mu = g0 * g0 * c00 + 2.0 * g0 * g1 * c01 + g1 * g1 * c11;
  double se = sqrt(fmax(var_mu, 0.0));
  ucl_probit r = {.a50 = mu,
                  .width = w,
                  .a50_lo = mu - UCL_PROBIT_Z95 * se,
                  .a50_hi = mu + UCL_PROBIT_Z95 * se,
                  .a50_se = se,
                  .width_se = sqrt(fmax(c11, 0.0)) / (b1 * b1),
                  .loglik = ll,
                  .iterations = it};
  *out = r;
  return UCL_OK;
}
