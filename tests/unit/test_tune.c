/* test_tune.c — tuning specs: parts and tolerances, E-series neighbours, Monte Carlo draws
 * (within their tolerance, a pure function of (seed, draw, part), uniform and normal), targets
 * and their errors. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "uclif/tune.h"

static ucl_status load(const char *text, ucl_tune **t, ucl_diag *d) {
  const char *p = ucl_test_write_temp(text);
  ucl_status st = ucl_tune_load(p, t, d);
  unlink(p);
  return st;
}

static void test_parts_neighbours_draws(void **state) {
  (void)state;
  ucl_tune *t = NULL;
  ucl_diag d = {{0}};
  if (load("[circuit]\nneuron = type2\n[free]\nR1 = 10k, 100k, E24\n"
           "[targets]\nthreshold_V = 5 +- 2%\nref_rate_mean_Hz = >= 1k\n"
           "[tolerance]\ncapacitors = 5%\nR3 = 0.1%\n[tune]\nseed = 9\n",
           &t, &d) != UCL_OK) {
    fail_msg("%s", d.msg);
  }
  assert_int_equal(ucl_tune_n_parts(t), 9); /* R1-R7, C, C2 for type II */
  assert_int_equal(ucl_tune_n_free(t), 1);
  assert_string_equal(ucl_tune_part_at(t, 0)->name, "R1"); /* free parts first */
  assert_int_equal(ucl_tune_n_targets(t), 2);
  assert_int_equal(ucl_tune_target_at(t, 0)->kind, UCL_TARGET_WITHIN);
  assert_close(ucl_tune_target_at(t, 0)->tol, 0.1, 1e-12, 0);
  assert_int_equal(ucl_tune_target_at(t, 1)->kind, UCL_TARGET_AT_LEAST);
  assert_close(ucl_tune_target_at(t, 1)->value, 1e3, 1e-12, 0);
  double lo, hi;
  ucl_tune_neighbours(t, 0, 50e3, &lo, &hi);
  assert_close(lo, 47e3, 1e-12, 0);
  assert_close(hi, 51e3, 1e-12, 0);
  ucl_tune_neighbours(t, 0, 47e3, &lo, &hi); /* on a series value: both are it */
  assert_close(lo, 47e3, 1e-12, 0);
  assert_close(hi, 47e3, 1e-12, 0);
  int np = ucl_tune_n_parts(t);
  double v[16], a[16], b[16];
  ucl_tune_nominal(t, v);
  double lo_seen[16], hi_seen[16];
  for (int j = 0; j < np; j++) {
    lo_seen[j] = INFINITY;
    hi_seen[j] = -INFINITY;
  }
  for (long k = 0; k < 2000; k++) {
    ucl_tune_draw(t, v, k, a);
    ucl_tune_draw(t, v, k, b);
    for (int j = 0; j < np; j++) {
      const ucl_tune_part *p = ucl_tune_part_at(t, j);
      assert_true(a[j] == b[j]); /* a pure function of (seed, draw, part) */
      double rel = a[j] / v[j] - 1.0;
      assert_true(fabs(rel) <= p->tol * (1.0 + 1e-12));
      lo_seen[j] = fmin(lo_seen[j], rel / p->tol);
      hi_seen[j] = fmax(hi_seen[j], rel / p->tol);
    }
  }
  for (int j = 0; j < np; j++) { /* uniform: the whole ±tol is used */
    assert_true(lo_seen[j] < -0.99 && hi_seen[j] > 0.99);
  }
  int c = -1, r3 = -1;
  for (int j = 0; j < np; j++) {
    c = strcmp(ucl_tune_part_at(t, j)->name, "C") == 0 ? j : c;
    r3 = strcmp(ucl_tune_part_at(t, j)->name, "R3") == 0 ? j : r3;
  }
  assert_close(ucl_tune_part_at(t, c)->tol, 0.05, 1e-12, 0);
  assert_close(ucl_tune_part_at(t, r3)->tol, 0.001, 1e-12, 0);
  ucl_tune_destroy(&t);
  /* the [free] value's blanks are free around the commas and after the 'e' */
  if (load("[free]\nR1 =10k ,100k,E 24\n[targets]\nthreshold_V = 5 +- 2%\n", &t, &d) != UCL_OK) {
    fail_msg("%s", d.msg);
  }
  assert_int_equal(ucl_tune_n_free(t), 1);
  ucl_tune_destroy(&t);
}

static void test_errors(void **state) {
  (void)state;
  const char *bad[][2] = {
      {"[targets]\nthreshold_volts = 5 +- 1%\n", ":2: target 'threshold_volts': not a feature"},
      {"[targets]\nthreshold_V = 5\n", ":2: target 'threshold_V': expected 'VALUE +- TOL'"},
      {"[targets]\nthreshold_V = 5 +- -1%\n", "the tolerance must be > 0"},
      {"[characterize]\ntau_leak = off\n[targets]\ntau_leak_off_s = 5m +- 5%\n",
       ":4: target 'tau_leak_off_s': contradicts [characterize] tau_leak = off"},
      {"[targets]\ntau_adapt_s = 3m +- 10%\n", "a type I neuron does not adapt"},
      {"[characterize]\nenergy = off\n[targets]\nref_rate_mean_Hz = >= 1k\n",
       "target 'ref_rate_mean_Hz': contradicts [characterize] energy = off"},
      {"[tune]\ndraws = 100\n[targets]\nthreshold_V = 5 +- 1%\n", ":2: [tune] draws:"},
      {"[free]\nR9 = 1k, 2k, e24\n[targets]\nthreshold_V = 5 +- 1%\n",
       ":2: [free] R9: not a component"},
      {"[free]\nR1 = 10k, 10.5k, e6\n[targets]\nthreshold_V = 5 +- 1%\n", ":2: [free] R1:"},
      {"[tolerance]\ncapacitors = 10\n[targets]\nthreshold_V = 5 +- 1%\n", "expected a percentage"},
      {"[free]\nR1 = 10k, 100k\n[targets]\nthreshold_V = 5 +- 1%\n", "expected 'LO, HI, eN'"},
      {"[free]\nR1 = 10k, 100k, 24\n[targets]\nthreshold_V = 5 +- 1%\n", "expected 'LO, HI, eN'"},
      {"[free]\nR1 = 10k, 100k, e\n[targets]\nthreshold_V = 5 +- 1%\n", "expected 'LO, HI, eN'"},
      {"[free]\nR1 = , 100k, e24\n[targets]\nthreshold_V = 5 +- 1%\n", "expected 'LO, HI, eN'"},
      {"[free]\nR1 = 10k 100k e24\n[targets]\nthreshold_V = 5 +- 1%\n", "expected 'LO, HI, eN'"},
      {"[circuit]\nR1 = 47k\n", "no [targets]"},
  };
  for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
    ucl_tune *t = NULL;
    ucl_diag d = {{0}};
    if (load(bad[k][0], &t, &d) == UCL_OK) {
      ucl_tune_destroy(&t);
      fail_msg("accepted: %s", bad[k][0]);
    }
    assert_null(t);
    if (!strstr(d.msg, bad[k][1])) {
      fail_msg("message '%s' lacks '%s'", d.msg, bad[k][1]);
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parts_neighbours_draws),
      cmocka_unit_test(test_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
