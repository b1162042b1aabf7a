/* test_probit.c — the Wilson interval and the probit fit (probit.h): exact expected counts give
 * back A50 and w; binomial draws from a known curve give an A50 inside its 95 % interval about 95
 * % of the time and w within its error; all-silent, all-fired, separated and too-few inputs are
 * refused. */
#include <string.h>

#include "testutil.h"
#include "uclif/probit.h"
#include "uclif/rng.h"

static double phi(double x) {
  return 0.5 * erfc(-x / sqrt(2.0));
}

static void wilson_known(void **state) {
  (void)state;
  double lo, hi;
  /* 8 of 10 at 95 %: 0.4902 .. 0.9433 (Wilson 1927; e.g. Newcombe 1998, Table I method 3) */
  ucl_probit_wilson(8, 10, UCL_PROBIT_Z95, &lo, &hi);
  assert_close(lo, 0.4902, 0, 1e-4);
  assert_close(hi, 0.9433, 0, 1e-4);
  ucl_probit_wilson(0, 40, UCL_PROBIT_Z95, &lo, &hi);
  assert_true(lo == 0.0 && hi > 0.08 && hi < 0.09); /* 3.84/(40+3.84) = 0.0876 */
  ucl_probit_wilson(40, 40, UCL_PROBIT_Z95, &lo, &hi);
  assert_true(hi == 1.0 && lo > 0.91 && lo < 0.92);
  ucl_probit_wilson(0, 0, UCL_PROBIT_Z95, &lo, &hi);
  assert_true(isnan(lo) && isnan(hi));
}

enum { M = 9 };

static void exact_counts(void **state) {
  (void)state;
  double a[M];
  long k[M], n[M];
  const double a50 = 5.0, w = 0.1;
  for (int i = 0; i < M; i++) {
    a[i] = 4.8 + 0.05 * i;
    n[i] = 100000;
    k[i] = lround((double)n[i] * phi((a[i] - a50) / w));
  }
  ucl_probit f;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_probit_fit(a, k, n, M, &f, &d), UCL_OK);
  assert_close(f.a50, a50, 0, 1e-4);
  assert_close(f.width, w, 1e-3, 0);
  assert_true(f.a50_lo < a50 && a50 < f.a50_hi);
}

/* k ~ Binomial(n, Φ((a − A50)/w)) from the counter-based generator, draw 'rep'. */
static void draw(int rep, double a50, double w, const double *a, long trials, long *k, long *n) {
  for (int i = 0; i < M; i++) {
    double p = phi((a[i] - a50) / w);
    n[i] = trials;
    k[i] = 0;
    for (long t = 0; t < trials; t++) {
      k[i] += ucl_rng_uniform(12345, (uint64_t)rep, (uint64_t)(i * trials + t)) < p;
    }
  }
}

static void recovered_within_interval(void **state) {
  (void)state;
  const double a50 = 2.0, w = 0.05;
  double a[M];
  for (int i = 0; i < M; i++) {
    a[i] = 1.9 + 0.025 * i;
  }
  int inside = 0, w_ok = 0;
  const int reps = 200;
  for (int rep = 0; rep < reps; rep++) {
    long k[M], n[M];
    draw(rep, a50, w, a, 40, k, n);
    ucl_probit f;
    ucl_diag d = {{0}};
    assert_int_equal(ucl_probit_fit(a, k, n, M, &f, &d), UCL_OK);
    inside += f.a50_lo <= a50 && a50 <= f.a50_hi;
    w_ok += fabs(f.width - w) <= UCL_PROBIT_Z95 * f.width_se;
  }
  printf("A50 inside its 95 %% interval in %d of %d draws; w within 1.96 SE in %d\n", inside, reps,
         w_ok);
  /* binomial(200, 0.95): 183 .. 197 holds 99.7 % */
  assert_in_range(inside, 180, 200);
  assert_in_range(w_ok, 175, 200);
}

static void refused(void **state) {
  (void)state;
  double a[M];
  long k[M], n[M];
  for (int i = 0; i < M; i++) {
    a[i] = 1.0 + 0.1 * i;
    n[i] = 20;
    k[i] = 0;
  }
  ucl_probit f;
  memset(&f, 0, sizeof(f));
  ucl_diag d = {{0}};
  assert_int_equal(ucl_probit_fit(a, k, n, M, &f, &d), UCL_ERR_RANGE); /* all silent */
  assert_non_null(strstr(d.msg, "no spike in any"));
  for (int i = 0; i < M; i++) {
    k[i] = 20;
  }
  assert_int_equal(ucl_probit_fit(a, k, n, M, &f, &d), UCL_ERR_RANGE); /* all fired */
  assert_non_null(strstr(d.msg, "a spike in every"));
  for (int i = 0; i < M; i++) {
    k[i] = i < 4 ? 0 : 20; /* separated: the maximum is at w → 0 */
  }
  assert_int_equal(ucl_probit_fit(a, k, n, M, &f, &d), UCL_ERR_RANGE);
  assert_non_null(strstr(d.msg, "does not converge"));
  k[0] = 5;
  assert_int_equal(ucl_probit_fit(a, k, n, 1, &f, &d), UCL_ERR_RANGE); /* one amplitude */
  assert_int_equal(ucl_probit_fit(a, k, n, 0, &f, &d), UCL_ERR_INVAL);
  for (int i = 0; i < M; i++) {
    k[i] = 20 - 2 * i; /* falls with amplitude */
  }
  assert_int_equal(ucl_probit_fit(a, k, n, M, &f, &d), UCL_ERR_RANGE);
  assert_non_null(strstr(d.msg, "falls"));
  assert_true(f.a50 == 0.0); /* untouched on refusal */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(wilson_known),
      cmocka_unit_test(exact_counts),
      cmocka_unit_test(recovered_within_interval),
      cmocka_unit_test(refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
