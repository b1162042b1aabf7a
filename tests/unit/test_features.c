/* test_features.c — spike-train features and fits on synthetic data with known answers. */
#include <stdlib.h>

#include "testutil.h"
#include "uclif/features.h"

static void test_train_basics(void **state) {
  (void)state;
  const double s[] = {0.010, 0.020, 0.035, 0.055, 0.080};
  ucl_train_features f;
  ucl_features_train(s, 5, 0.0, 0.1, &f);
  assert_int_equal(f.spikes, 5);
  assert_close(f.rate_mean_Hz, 50.0, 1e-14, 0);
  assert_close(f.rate_first_isi_Hz, 100.0, 1e-12, 0);
  assert_close(f.latency_s, 0.010, 1e-14, 0);
  /* ISIs 10, 15, 20, 25 ms: mean 17.5 ms, population std sqrt(31.25) ms */
  assert_close(f.isi_mean_s, 0.0175, 1e-12, 0);
  assert_close(f.isi_cv, sqrt(31.25e-6) / 0.0175, 1e-9, 0);
  /* last half [50, 100] ms: spikes at 55 and 80 ms, ISIs ending there 20 and 25 ms */
  assert_close(f.rate_steady_Hz, 2.0 / 0.045, 1e-12, 0);
  /* window restricts the spikes */
  ucl_features_train(s, 5, 0.015, 0.06, &f);
  assert_int_equal(f.spikes, 3);
  assert_close(f.latency_s, 0.005, 1e-12, 0);
  /* empty and single-spike trains */
  ucl_features_train(s, 0, 0.0, 1.0, &f);
  assert_int_equal(f.spikes, 0);
  assert_true(f.rate_mean_Hz == 0.0 && f.rate_steady_Hz == 0.0);
  assert_true(isnan(f.latency_s) && isnan(f.rate_first_isi_Hz) && isnan(f.isi_cv));
  ucl_features_train(s, 1, 0.0, 1.0, &f);
  assert_int_equal(f.spikes, 1);
  assert_true(isnan(f.isi_mean_s) && isnan(f.adapt_index_ipfx));
}

/* Hand-computed indices. ISIs 1, 2, 4, 8: each (next − prev)/(next + prev) = 1/3. */
static void test_adaptation_indices(void **state) {
  (void)state;
  const double s[] = {0, 1, 3, 7, 15};
  assert_close(ucl_adaptation_index_ipfx(s, 5), 1.0 / 3.0, 1e-15, 0);
  /* eFEL skips min(2, floor(0.5 + 0.5)) = 1 spike: ISIs 2, 4, 8 -> still 1/3 */
  assert_close(ucl_adaptation_index_efel(s, 5), 1.0 / 3.0, 1e-15, 0);
  /* 10 spikes, ISIs 1, 1, 2, 3, 5, 8, 13, 21, 34: eFEL skips 1 spike (floor(1.5)), so it
   * starts at the second ISI: terms (2−1)/3, (3−2)/5, (5−3)/8, (8−5)/13, (13−8)/21,
   * (21−13)/34, (34−21)/55; IPFX adds (1−1)/2 = 0 in front */
  const double f[] = {0, 1, 2, 4, 7, 12, 20, 33, 54, 88};
  double terms[] = {1.0 / 3, 1.0 / 5, 2.0 / 8, 3.0 / 13, 5.0 / 21, 8.0 / 34, 13.0 / 55};
  double sum = 0;
  for (int i = 0; i < 7; i++) {
    sum += terms[i];
  }
  assert_close(ucl_adaptation_index_efel(f, 10), sum / 7.0, 1e-14, 0);
  assert_close(ucl_adaptation_index_ipfx(f, 10), sum / 8.0, 1e-14, 0);
  /* 30 spikes, ISIs 1, 1, 1, then 10 ms: eFEL skips min(2, floor(3.5)) = 2 spikes, which leaves
   * one short-to-long transition among 26 terms (skipping 3 would leave none) */
  double g[30];
  for (int i = 0; i < 30; i++) {
    g[i] = i < 4 ? 0.001 * i : 0.003 + 0.01 * (i - 3);
  }
  assert_close(ucl_adaptation_index_efel(g, 30), (9.0 / 11.0) / 26.0, 1e-9, 0);
  /* too few spikes */
  assert_true(isnan(ucl_adaptation_index_efel(s, 3))); /* 4 spikes must remain */
  assert_false(isnan(ucl_adaptation_index_efel(s, 4)));
  assert_true(isnan(ucl_adaptation_index_ipfx(s, 2)));
  /* a regular train does not adapt */
  const double r[] = {0, 1, 2, 3, 4, 5, 6};
  assert_close(ucl_adaptation_index_ipfx(r, 7), 0.0, 0, 1e-15);
}

static void test_fit_noiseless(void **state) {
  (void)state;
  enum { N = 200 };
  double t[N], y[N];
  for (int i = 0; i < N; i++) {
    t[i] = 1e-3 + i * 5e-5;
    y[i] = 0.55 + 1.2 * exp(-(t[i] - t[0]) / 1.02e-3);
  }
  ucl_exp_fit f;
  assert_int_equal(ucl_fit_exp(t, y, N, 1, &f), UCL_OK);
  assert_close(f.tau, 1.02e-3, 1e-6, 0);
  assert_close(f.amp, 1.2, 1e-6, 0);
  assert_close(f.offset, 0.55, 1e-6, 0);
  assert_close(f.r2, 1.0, 0, 1e-12);
  assert_false(f.at_bound);
  /* fixed zero offset */
  for (int i = 0; i < N; i++) {
    y[i] = 0.2 * exp(-(t[i] - t[0]) / 6.87e-3);
  }
  assert_int_equal(ucl_fit_exp(t, y, N, 0, &f), UCL_OK);
  assert_close(f.tau, 6.87e-3, 1e-6, 0);
  assert_close(f.amp, 0.2, 1e-6, 0);
  assert_true(f.offset == 0.0);
  /* rising exponential (negative amplitude) */
  for (int i = 0; i < N; i++) {
    y[i] = 3.0 - 2.0 * exp(-(t[i] - t[0]) / 2e-3);
  }
  assert_int_equal(ucl_fit_exp(t, y, N, 1, &f), UCL_OK);
  assert_close(f.tau, 2e-3, 1e-6, 0);
  assert_close(f.amp, -2.0, 1e-6, 0);
}

static void test_fit_errors_and_noise(void **state) {
  (void)state;
  double t[] = {0, 1, 2, 2, 4};
  double y[] = {1, 2, 3, 4, 5};
  ucl_exp_fit f = {0};
  assert_int_equal(ucl_fit_exp(t, y, 5, 1, &f), UCL_ERR_INVAL); /* t not increasing */
  assert_int_equal(ucl_fit_exp(t, y, 3, 1, &f), UCL_ERR_INVAL); /* too few for a free offset */
  /* noisy data: R² below 1, tau still near the truth */
  enum { N = 400 };
  double tt[N], yy[N];
  unsigned x = 12345;
  for (int i = 0; i < N; i++) {
    x = x * 1103515245u + 12345u;
    double noise = ((double)(x >> 8) / 16777216.0 - 0.5) * 0.02;
    tt[i] = i * 1e-4;
    yy[i] = 1.0 * exp(-tt[i] / 5e-3) + noise;
  }
  assert_int_equal(ucl_fit_exp(tt, yy, N, 1, &f), UCL_OK);
  assert_close(f.tau, 5e-3, 0.03, 0);
  assert_true(f.r2 < 1.0 && f.r2 > 0.99);
}

/* Spike k at Φ(t_k) = k, Φ(t) = ∫ r: the instantaneous rate follows
 * r(t) = r∞ + (r0 − r∞)·e^(−t/τ); the fit recovers τ within 1 %. */
static void test_rate_decay_recovers_tau(void **state) {
  (void)state;
  const double r0 = 1000.0, rinf = 400.0, tau = 20e-3;
  double s[200];
  size_t n = 0;
  double t = 0.0;
  for (int k = 0; k < 200; k++) {
    for (int it = 0; it < 50; it++) { /* Newton on Φ(t) = k */
      double phi = rinf * t + (r0 - rinf) * tau * (1.0 - exp(-t / tau)) - k;
      double r = rinf + (r0 - rinf) * exp(-t / tau);
      t -= phi / r;
    }
    if (t > 0.2) {
      break;
    }
    s[n++] = t;
  }
  assert_true(n > 50);
  ucl_rate_fit f;
  assert_int_equal(ucl_fit_rate_decay(s, n, &f), UCL_OK);
  assert_close(f.tau_s, tau, 1e-2, 0);
  assert_close(f.rinf_Hz, rinf, 1e-2, 0);
  assert_close(f.r0_Hz, r0, 1e-2, 0);
  assert_true(f.r2 > 0.999);
  assert_int_equal(ucl_fit_rate_decay(s, 4, &f), UCL_ERR_INVAL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_train_basics),
      cmocka_unit_test(test_adaptation_indices),
      cmocka_unit_test(test_fit_noiseless),
      cmocka_unit_test(test_fit_errors_and_noise),
      cmocka_unit_test(test_rate_decay_recovers_tau),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
