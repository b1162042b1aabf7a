/* test_numeric.c — Wright omega and the monotone Newton solver. */
#include "testutil.h"
#include "uclif/numeric.h"

static void test_omega_identity(void **state) {
  (void)state;
  for (double x = -700.0; x < 1000.0; x += 0.0137) {
    double w = ucl_wright_omega(x);
    assert_true(w > 0.0 || x < -700.0);
    if (x > -30.0) {
      assert_close(w + log(w), x, 1e-15, 1e-15);
    } else {
      /* w = e^(x - w) = e^x·(1 − w + ...): x − w rounds to x in double, so compare the series */
      /* an ulp of x is |x|·eps relative in w: the problem's own conditioning */
      assert_close(w, exp(x) * (1.0 - exp(x)), 4.0 * fabs(x) * 2.2e-16, 0);
    }
  }
  assert_close(ucl_wright_omega(1.0), 1.0, 1e-15, 0);
  /* W(1) = Omega constant */
  assert_close(ucl_wright_omega(0.0), 0.56714329040978387, 1e-15, 0);
  assert_true(isnan(ucl_wright_omega(NAN)));
}

static int cubic(void *ctx, double x, double *f, double *d) {
  double c = *(double *)ctx;
  *f = x * x * x + x - c;
  *d = 3 * x * x + 1;
  return 0;
}

static int steep(void *ctx, double x, double *f, double *d) {
  (void)ctx;
  double e = exp(x / 0.025);
  *f = 1e-14 * (e - 1) - 1e-3;
  *d = 1e-14 * e / 0.025;
  return 0;
}

static int bad_fn(void *ctx, double x, double *f, double *d) {
  (void)ctx;
  (void)x;
  *f = 1.0; /* never changes sign */
  *d = 0.0;
  return 0;
}

static void test_solver(void **state) {
  (void)state;
  ucl_mono_result r;
  double c = 10.0; /* root x = 2 */
  assert_int_equal(ucl_solve_increasing(cubic, &c, -5, 5, 0, 1e-13, &r), UCL_OK);
  assert_close(r.x, 2.0, 1e-15, 0);
  /* bracket that misses the root: widened automatically */
  assert_int_equal(ucl_solve_increasing(cubic, &c, -1, 0, -0.5, 1e-13, &r), UCL_OK);
  assert_close(r.x, 2.0, 1e-15, 0);
  /* exponential from a far start: bisection keeps Newton safe */
  assert_int_equal(ucl_solve_increasing(steep, NULL, -2, 2, 1.9, 1e-13, &r), UCL_OK);
  assert_close(r.x, 0.025 * log(1e-3 / 1e-14 + 1), 1e-14, 0);
  assert_int_equal(ucl_solve_increasing(bad_fn, NULL, -1, 1, 0, 1e-13, &r), UCL_ERR_SOLVER);
  assert_int_equal(ucl_solve_increasing(cubic, &c, 1, 1, 1, 1e-13, &r), UCL_ERR_INVAL);
}

/* The tolerance of derived-quantity checks: decimal rounding passes, a real excess does not. */
static void test_le_tol(void **state) {
  (void)state;
  double u = 1e-6;
  assert_true(3 * u + 94 * u + 3 * u > 100 * u); /* the rounding the tolerance is for */
  assert_true(ucl_le_tol(3 * u + 94 * u + 3 * u, 100 * u));
  assert_true(ucl_le_tol(1.0, 1.0));
  assert_true(ucl_le_tol(1.0, 2.0));
  assert_true(ucl_le_tol(1.0 + 0.5e-9, 1.0));
  assert_false(ucl_le_tol(1.0 + 2e-9, 1.0));
  assert_false(ucl_le_tol(100.01 * u, 100 * u));
  assert_false(ucl_le_tol(NAN, 1.0));
  assert_false(ucl_le_tol(1.0, NAN));
  assert_true(ucl_le_tol(-1.0, -1.0 + 1e-12));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_le_tol),
      cmocka_unit_test(test_omega_identity),
      cmocka_unit_test(test_solver),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
