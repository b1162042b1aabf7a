/* features.c — spike-train features and exponential fits (docs/features.md). */
#include "uclif/features.h"

#include <math.h>
#include <stdlib.h>

void ucl_features_train(const double *s, size_t n, double t0, double t1, ucl_train_features *out) {
  size_t a = 0;
  while (a < n && s[a] < t0) {
    a++;
  }
  size_t b = a;
  while (b < n && s[b] <= t1) {
    b++;
  }
  const double *w = s + a;
  size_t m = b - a;
  out->spikes = (long)m;
  out->rate_mean_Hz = (double)m / (t1 - t0);
  out->latency_s = m > 0 ? w[0] - t0 : NAN;
  out->rate_first_isi_Hz = m > 1 ? 1.0 / (w[1] - w[0]) : NAN;
  if (m > 1) {
    double sum = 0.0, sum2 = 0.0;
    for (size_t i = 1; i < m; i++) {
      double isi = w[i] - w[i - 1];
      sum += isi;
      sum2 += isi * isi;
    }
    double k = (double)(m - 1);
    out->isi_mean_s = sum / k;
    double var = sum2 / k - out->isi_mean_s * out->isi_mean_s;
    out->isi_cv = m > 2 ? sqrt(var > 0.0 ? var : 0.0) / out->isi_mean_s : NAN;
  } else {
    out->isi_mean_s = NAN;
    out->isi_cv = NAN;
  }
  double half = t0 + 0.5 * (t1 - t0);
  size_t in_half = 0, isis = 0;
  double isi_sum = 0.0;
  for (size_t i = 0; i < m; i++) {
    if (w[i] >= half) {
      in_half++;
      if (i > 0) {
        isis++;
        isi_sum += w[i] - w[i - 1];
      }
    }
  }
  out->rate_steady_Hz = in_half == 0 ? 0.0 : (isis > 0 ? (double)isis / isi_sum : NAN);
  out->adapt_index_efel = ucl_adaptation_index_efel(w, m);
  out->adapt_index_ipfx = ucl_adaptation_index_ipfx(w, m);
}

/* mean of (ISI[i+1] − ISI[i]) / (ISI[i+1] + ISI[i]) over the spikes s[0..n) */
static double norm_diff(const double *s, size_t n) {
  double sum = 0.0;
  size_t k = 0;
  for (size_t i = 2; i < n; i++) {
    double prev = s[i - 1] - s[i - 2], next = s[i] - s[i - 1];
    if (prev + next > 0.0) {
      sum += (next - prev) / (next + prev);
      k++;
    }
  }
  return k > 0 ? sum / (double)k : NAN;
}

double ucl_adaptation_index_efel(const double *s, size_t n) {
  size_t skip = (size_t)((double)n * 0.1 + 0.5);
  if (skip > 2) {
    skip = 2;
  }
  if (n < skip + 4) {
    return NAN;
  }
  return norm_diff(s + skip, n - skip);
}

double ucl_adaptation_index_ipfx(const double *s, size_t n) {
  return n < 3 ? NAN : norm_diff(s, n);
}

/* Best linear parameters and SSE for a given tau. */
static double exp_sse(const double *t, const double *y, size_t n, int free_offset, double tau,
                      double *amp, double *off) {
  double se = 0, see = 0, sy = 0, sey = 0;
  for (size_t i = 0; i < n; i++) {
    double e = exp(-(t[i] - t[0]) / tau);
    se += e;
    see += e * e;
    sy += y[i];
    sey += e * y[i];
  }
  double a, c;
  if (free_offset) {
    double dn = (double)n;
    double det = dn * see - se * se;
    if (!(fabs(det) > 1e-300)) {
      a = 0.0;
      c = sy / dn;
    } else {
      a = (dn * sey - se * sy) / det;
      c = (sy - a * se) / dn;
    }
  } else {
    c = 0.0;
    a = see > 0.0 ? sey / see : 0.0;
  }
  double sse = 0.0;
  for (size_t i = 0; i < n; i++) {
    double r = y[i] - c - a * exp(-(t[i] - t[0]) / tau);
    sse += r * r;
  }
  *amp = a;
  *off = c;
  return sse;
}

ucl_status ucl_fit_exp(const double *t, const double *y, size_t n, int free_offset,
                       ucl_exp_fit *out) {
  if (n < (size_t)(free_offset ? 4 : 3)) {
    return UCL_ERR_INVAL;
  }
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(t[i]) || !isfinite(y[i]) || (i > 0 && !(t[i] > t[i - 1]))) {
      return UCL_ERR_INVAL;
    }
  }
  double span = t[n - 1] - t[0];
  double ulo = log(span * 1e-3), uhi = log(span * 1e3);
  enum { GRID = 121 };
  double a, c, best = INFINITY;
  int kbest = 0;
  for (int k = 0; k < GRID; k++) {
    double u = ulo + (uhi - ulo) * (double)k / (GRID - 1);
    double sse = exp_sse(t, y, n, free_offset, exp(u), &a, &c);
    if (sse < best) {
      best = sse;
      kbest = k;
    }
  }
  double step = (uhi - ulo) / (GRID - 1);
  double lo = ulo + step * (kbest > 0 ? kbest - 1 : 0);
  double hi = ulo + step * (kbest < GRID - 1 ? kbest + 1 : GRID - 1);
  /* golden-section search on log(tau) */
  const double g = 0.6180339887498949;
  double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo);
  double f1 = exp_sse(t, y, n, free_offset, exp(x1), &a, &c);
  double f2 = exp_sse(t, y, n, free_offset, exp(x2), &a, &c);
  for (int it = 0; it < 200 && hi - lo > 1e-11; it++) {
    if (f1 <= f2) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - g * (hi - lo);
      f1 = exp_sse(t, y, n, free_offset, exp(x1), &a, &c);
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + g * (hi - lo);
      f2 = exp_sse(t, y, n, free_offset, exp(x2), &a, &c);
    }
  }
  double tau = exp(0.5 * (lo + hi));
  double sse = exp_sse(t, y, n, free_offset, tau, &a, &c);
  double mean = 0.0;
  for (size_t i = 0; i < n; i++) {
    mean += y[i];
  }
  mean /= (double)n;
  double sst = 0.0;
  for (size_t i = 0; i < n; i++) {
    sst += (y[i] - mean) * (y[i] - mean);
  }
  out->amp = a;
  out->offset = c;
  out->tau = tau;
  out->r2 = sst > 0.0 ? 1.0 - sse / sst : NAN;
  out->at_bound = (kbest == 0 || kbest == GRID - 1);
  return UCL_OK;
}

ucl_status ucl_fit_rate_decay(const double *s, size_t n, ucl_rate_fit *out) {
  if (n < 5) {
    return UCL_ERR_INVAL;
  }
  size_t m = n - 1;
  double *t = malloc(2 * m * sizeof(*t));
  if (!t) {
    return UCL_ERR_NOMEM;
  }
  double *r = t + m;
  for (size_t i = 0; i < m; i++) {
    t[i] = 0.5 * (s[i] + s[i + 1]) - s[0];
    r[i] = 1.0 / (s[i + 1] - s[i]);
  }
  ucl_exp_fit f;
  ucl_status st = ucl_fit_exp(t, r, m, 1, &f);
  if (st == UCL_OK) {
    out->tau_s = f.tau;
    out->rinf_Hz = f.offset;
    out->r0_Hz = f.offset + f.amp * exp(t[0] / f.tau); /* the fit at the first spike */
    out->r2 = f.r2;
    out->at_bound = f.at_bound;
  }
  free(t);
  return st;
}
