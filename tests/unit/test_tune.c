/* test_tune.c — tuning specs: parts and tolerances, E-series neighbours, Monte Carlo draws
 * (within their tolerance, a pure function of (seed, draw, part), uniform and normal), targets
 * and their errors; a fit's parameters.csv ([tune] fit): the fitted values as the nominal, the
 * model parameters' draws (correlation and sd in ln-space, a not-identified one over its
 * bounds), the bad files' messages. */
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

/* Load a tuning spec 'spec' with "[tune]\nfit = <a file holding csv>" appended. */
static ucl_status load_fit(const char *spec, const char *csv, ucl_tune **t, ucl_diag *d) {
  char csv_path[64], text[2048];
  snprintf(csv_path, sizeof(csv_path), "%s", ucl_test_write_temp(csv));
  snprintf(text, sizeof(text), "%s[tune]\nseed = 5\nfit = %s\n", spec, csv_path);
  ucl_status st = load(text, t, d);
  unlink(csv_path);
  return st;
}

#define FIT_HEAD                                                                                   \
  "parameter,unit,scale,value,lo,hi,sd,ci95_lo,ci95_hi,verdict,pin_with,corr.R_in,corr.scr.I_GT,"  \
  "corr.VDD,corr.daq.gain.V_mem_V\n"
/* two correlated log parameters (ρ = 0.6; sd 0.2 and 0.1 in ln), one not identified, a gain */
#define FIT_R_IN "R_in,Ohm,log,12000,1000,100000,0.2,8100,17800,pinned,,1,0.6,,0.1\n"
#define FIT_I_GT                                                                                   \
  "scr.I_GT,A,log,3e-05,1e-06,0.001,0.1,2.5e-05,3.6e-05,partly,\"a DC step\",0.6,1,,\n"
#define FIT_VDD "VDD,V,lin,9,6,12,inf,6,12,not identified,\"a V_out recording\",,,1,\n"
#define FIT_GAIN "daq.gain.V_mem_V,,lin,1.01,0.9,1.1,0.01,0.99,1.03,pinned,,0.1,,,1\n"
#define FIT_TARGETS "[targets]\nthreshold_V = 5 +- 2%\n"

static void test_fit_draws(void **state) {
  (void)state;
  ucl_tune *t = NULL;
  ucl_diag d = {{0}};
  if (load_fit(FIT_TARGETS, FIT_HEAD FIT_R_IN FIT_I_GT FIT_VDD FIT_GAIN, &t, &d) != UCL_OK) {
    fail_msg("%s", d.msg);
  }
  const ucl_tune_fit *f = ucl_tune_fit_of(t);
  assert_non_null(f);
  assert_int_equal(f->n, 3); /* the gain row is left out */
  int np = ucl_tune_n_parts(t);
  assert_int_equal(ucl_tune_n_drawn(t), np + 3);
  assert_string_equal(f->p[0].name, "R_in");
  assert_true(f->p[0].identified && f->p[1].identified && !f->p[2].identified);
  assert_int_equal(f->p[2].line, 4);
  /* the fitted values are the nominal */
  double v[16];
  ucl_params p;
  ucl_tune_nominal(t, v);
  ucl_tune_params(t, v, &p);
  assert_close(p.circuit.R_in, 12e3, 1e-12, 0);
  assert_close(p.circuit.VDD, 9.0, 1e-12, 0);
  /* draws.csv: a column per model parameter after the parts', named as the key, with its unit */
  const ucl_table *tab = ucl_tune_draws_table(t);
  assert_string_equal(tab->cols[tab->n - 3].name, "R_in");
  assert_string_equal(tab->cols[tab->n - 3].unit, "Ohm");
  assert_int_equal(tab->cols[tab->n - 1].offset, (size_t)(np + 2) * sizeof(double));
  assert_string_equal(tab->cols[tab->n - 4].name, ucl_tune_part_at(t, np - 1)->name);
  /* N draws: the ln-space sd and correlation of R_in and I_GT within 5 standard errors (sd: ±5 %
   * relative, the standard error is sd/sqrt(2N) = 1.1 %; ρ: ±0.05, its standard error is
   * (1 − ρ²)/sqrt(N) = 0.01); VDD uniform over [6, 12] */
  const long n = 4000;
  double s[2] = {0}, ss[2] = {0}, sxy = 0.0, vmin = INFINITY, vmax = -INFINITY, vsum = 0.0;
  double a[32], b[32];
  for (long k = 0; k < n; k++) {
    ucl_tune_draw(t, v, k, a);
    ucl_tune_draw(t, v, k, b);
    assert_memory_equal(a, b, sizeof(double) * (size_t)(np + 3)); /* a pure function of k */
    for (int j = 0; j < np; j++) { /* the parts as before: the fit touches none of them */
      assert_true(fabs(a[j] / v[j] - 1.0) <= ucl_tune_part_at(t, j)->tol * (1.0 + 1e-12));
    }
    double x = log(a[np] / 12e3), y = log(a[np + 1] / 3e-5);
    s[0] += x;
    s[1] += y;
    ss[0] += x * x;
    ss[1] += y * y;
    sxy += x * y;
    vmin = fmin(vmin, a[np + 2]);
    vmax = fmax(vmax, a[np + 2]);
    vsum += a[np + 2];
  }
  double mx = s[0] / n, my = s[1] / n;
  double sdx = sqrt(ss[0] / n - mx * mx), sdy = sqrt(ss[1] / n - my * my);
  double rho = (sxy / n - mx * my) / (sdx * sdy);
  assert_close(mx, 0.0, 0, 0.02);
  assert_close(my, 0.0, 0, 0.01);
  assert_close(sdx, 0.2, 0.05, 0);
  assert_close(sdy, 0.1, 0.05, 0);
  assert_close(rho, 0.6, 0, 0.05);
  assert_true(vmin >= 6.0 && vmin < 6.05 && vmax <= 12.0 && vmax > 11.95);
  assert_close(vsum / n, 9.0, 0, 0.1);
  ucl_tune_destroy(&t);
  /* a fixed part also fitted: its nominal is the fitted value, its draw both spreads */
  if (load_fit(FIT_TARGETS,
               "parameter,unit,scale,value,lo,hi,sd,verdict,corr.C\n"
               "C,F,log,2e-08,1e-09,1e-06,0.3,pinned,1\n",
               &t, &d) != UCL_OK) {
    fail_msg("%s", d.msg);
  }
  ucl_tune_nominal(t, v);
  int c = -1;
  for (int j = 0; j < ucl_tune_n_parts(t); j++) {
    c = strcmp(ucl_tune_part_at(t, j)->name, "C") == 0 ? j : c;
  }
  assert_close(v[c], 2e-8, 1e-12, 0);
  assert_int_equal(ucl_tune_fit_of(t)->p[0].part, c);
  assert_int_equal(ucl_tune_draws_table(t)->n,
                   (size_t)(3 + 1 + ucl_tune_n_parts(t))); /* no column */
  double wide = 0.0;
  for (long k = 0; k < 200; k++) {
    ucl_tune_draw(t, v, k, a);
    wide = fmax(wide, fabs(log(a[c] / v[c])));
  }
  assert_true(wide > 0.3); /* beyond the 10 % tolerance alone: the model's sd 0.3 is in it */
  ucl_tune_destroy(&t);
}

static void test_fit_errors(void **state) {
  (void)state;
  const char *bad[][3] = {
      {FIT_TARGETS, "parameter,unit,scale,value,lo,hi,verdict\nR_in,Ohm,log,1,1,1,pinned\n",
       ":1: missing column sd"},
      {FIT_TARGETS, FIT_HEAD "R_in,Ohm,log,12000,1000,100000,0.2,,,maybe,,1,,,\n",
       ":2: R_in: verdict 'maybe' (expected pinned, partly or not identified)"},
      {FIT_TARGETS, FIT_HEAD "R_in,Ohm,log,12000,1000,100000,-0.2,,,pinned,,1,,,\n",
       ":2: R_in: sd -0.2 < 0"},
      {FIT_TARGETS, FIT_HEAD FIT_VDD "R_in,Ohm,log,12000,100000,1000,0.2,,,pinned,,1,,,\n",
       ":3: R_in: lo 100000 > hi 1000"},
      {FIT_TARGETS, FIT_HEAD "R_in,Ohm,log,200000,1000,100000,0.2,,,pinned,,1,,,\n",
       ":2: R_in: value 200000 outside [lo, hi] = [1000, 100000]"},
      {FIT_TARGETS, FIT_HEAD FIT_R_IN "scr.I_GT,A,log,3e-05,1e-06,0.001,0.1,,,partly,,1.5,1,,\n",
       ":3: scr.I_GT: corr.R_in = 1.5 is not in [-1, 1]"},
      {FIT_TARGETS, FIT_HEAD FIT_R_IN "scr.I_GT,A,log,3e-05,1e-06,0.001,0.1,,,partly,,0.5,1,,\n",
       "not symmetric"},
      {FIT_TARGETS, FIT_HEAD FIT_R_IN "scr.I_GT,A,log,3e-05,1e-06,0.001,0.1,,,partly,,,1,,\n",
       ":3: scr.I_GT: corr.R_in '' is not a number"},
      {FIT_TARGETS, FIT_HEAD "R_inn,Ohm,log,12000,1000,100000,0.2,,,pinned,,1,,,\n",
       ":2: 'R_inn' is not a real parameter"},
      {FIT_TARGETS, FIT_HEAD "R_in,V,log,12000,1000,100000,0.2,,,pinned,,1,,,\n",
       ":2: R_in: unit 'V', but R_in is in 'Ohm'"},
      {FIT_TARGETS, FIT_HEAD "R_in,Ohm,lin,12000,1000,100000,0.2,,,pinned,\n",
       ":2: 11 fields, the header has 15"},
      {FIT_TARGETS,
       FIT_HEAD "R_in,Ohm,log,12000,1000,100000,0.2,,,pinned,,1,1,,\n"
                "scr.I_GT,A,log,3e-05,1e-06,0.001,0.1,,,partly,,1,1,,\n",
       ": the correlation matrix of the identified parameters is not positive definite (at "
       "scr.I_GT, line 3"},
      {"[free]\nR1 = 10k, 100k, e24\n" FIT_TARGETS,
       "parameter,unit,scale,value,lo,hi,sd,verdict,corr.R1\nR1,Ohm,log,5e4,1e4,1e5,0.1,pinned,1\n",
       "R1 is fitted ("},
  };
  for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
    ucl_tune *t = NULL;
    ucl_diag d = {{0}};
    if (load_fit(bad[k][0], bad[k][1], &t, &d) == UCL_OK) {
      ucl_tune_destroy(&t);
      fail_msg("accepted: %s", bad[k][1]);
    }
    assert_null(t);
    if (!strstr(d.msg, bad[k][2]) || !strstr(d.msg, "/tmp/ucl_test_")) {
      fail_msg("message '%s' lacks '%s' or the file", d.msg, bad[k][2]);
    }
  }
  /* the [free] conflict names both places; a missing file, the spec's line */
  ucl_tune *t = NULL;
  ucl_diag d = {{0}};
  assert_int_not_equal(load_fit("[free]\nR1 = 10k, 100k, e24\n" FIT_TARGETS,
                                "parameter,unit,scale,value,lo,hi,sd,verdict,corr.R1\n"
                                "R1,Ohm,log,5e4,1e4,1e5,0.1,pinned,1\n",
                                &t, &d),
                       UCL_OK);
  if (!strstr(d.msg, ":7: R1 is fitted (/tmp/ucl_test_") ||
      !strstr(d.msg, ":2) and free ([free] at")) {
    fail_msg("%s", d.msg);
  }
  assert_int_not_equal(load(FIT_TARGETS "[tune]\nfit = /nonexistent/fit\n", &t, &d), UCL_OK);
  assert_non_null(strstr(d.msg, ":4: [tune] fit: /nonexistent/fit: cannot read"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parts_neighbours_draws),
      cmocka_unit_test(test_errors),
      cmocka_unit_test(test_fit_draws),
      cmocka_unit_test(test_fit_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
