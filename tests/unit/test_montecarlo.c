/* test_montecarlo.c — the Monte Carlo sampler (montecarlo.h): the right sampler passes its
 * self-check; three deliberately wrong ones (absolute instead of relative tolerance, a clipped
 * instead of a truncated normal, a lot not shared) are caught by it; the truncated normal's shape
 * (no mass piled at ±tol, the truncated density bin by bin); draws pure in (seed, draw, stream);
 * the uniform draws bit for bit those `uclif tune` made before; input errors; the table. */
#include <string.h>

#include "testutil.h"
#include "uclif/montecarlo.h"
#include "uclif/rng.h"

#define N_BIG 200000L

/* Six parts: two without a lot, two in lot "R", two in lot "C". */
static void make(ucl_mc *mc, ucl_mc_dist dist) {
  ucl_diag d = {{0}};
  int lr = -1, lc = -1;
  if (ucl_mc_init(mc, 7, dist, 3.0, &d) != UCL_OK ||
      ucl_mc_add_lot(mc, "R", 0.005, &lr, &d) != UCL_OK ||
      ucl_mc_add_lot(mc, "C", 0.02, &lc, &d) != UCL_OK ||
      ucl_mc_add_part(mc, "R1", 100e3, 0.01, -1, &d) != UCL_OK ||
      ucl_mc_add_part(mc, "R2", 47e3, 0.01, lr, &d) != UCL_OK ||
      ucl_mc_add_part(mc, "R3", 1e3, 0.02, lr, &d) != UCL_OK ||
      ucl_mc_add_part(mc, "C", 10e-9, 0.10, lc, &d) != UCL_OK ||
      ucl_mc_add_part(mc, "C2", 100e-9, 0.05, lc, &d) != UCL_OK ||
      ucl_mc_add_part(mc, "R4", 2.2e3, 0.05, -1, &d) != UCL_OK) {
    fail_msg("%s", d.msg);
  }
}

/* The number of failed rows of kind 'stat'. */
static int failed(const ucl_mc_check *c, ucl_mc_stat stat) {
  int n = 0;
  for (int i = 0; i < c->n_rows; i++) {
    n += c->rows[i].stat == stat && !c->rows[i].pass;
  }
  return n;
}

static void print_table(const ucl_mc *mc, const ucl_mc_check *c) {
  ucl_diag d = {{0}};
  if (ucl_mc_check_write(mc, c, stderr, &d) != UCL_OK) {
    fail_msg("%s", d.msg);
  }
}

static void test_right_sampler_passes(void **state) {
  (void)state;
  for (int dist = 0; dist < 2; dist++) {
    ucl_mc mc;
    make(&mc, (ucl_mc_dist)dist);
    ucl_mc_check c;
    ucl_diag d = {{0}};
    assert_int_equal(ucl_mc_check_draws(&mc, N_BIG, UCL_MC_CHECK_SE, &c, &d), UCL_OK);
    if (c.n_failed != 0) {
      print_table(&mc, &c);
    }
    assert_int_equal(c.n_failed, 0);
    assert_int_equal(c.n, N_BIG);
    /* 6 means, 6 sds, 2 edges (the parts without a lot), 2 within-lot pairs, 1 "max" row over
     * the 13 other pairs */
    assert_int_equal(c.n_rows, 17);
    assert_int_equal(c.n_pairs_indep, 13);
    /* the requested correlation within lot R: lot²V / (sd_a sd_b) */
    double V = ucl_mc_var_u((ucl_mc_dist)dist, 3.0);
    for (int i = 0; i < c.n_rows; i++) {
      if (c.rows[i].stat == UCL_MC_STAT_CORR && c.rows[i].a == 1) {
        double sa = sqrt((0.005 * 0.005 + 0.01 * 0.01) * V + 0.005 * 0.005 * 0.01 * 0.01 * V * V);
        double sb = sqrt((0.005 * 0.005 + 0.02 * 0.02) * V + 0.005 * 0.005 * 0.02 * 0.02 * V * V);
        assert_close(c.rows[i].requested, 0.005 * 0.005 * V / (sa * sb), 1e-12, 0);
      }
    }
  }
}

/* A standard normal by Box-Muller (what a careless sampler uses, then clips). */
static double box_muller(uint64_t seed, long k, uint64_t s) {
  double u1 = ucl_rng_uniform(seed, (uint64_t)k, s), u2 = ucl_rng_uniform(seed, (uint64_t)k, s + 1);
  return sqrt(-2.0 * log(u1 > 0.0 ? u1 : 1e-300)) * cos(6.283185307179586 * u2);
}

enum { WRONG_ABSOLUTE, WRONG_CLIPPED, WRONG_LOT_NOT_SHARED };

/* N_BIG draws of a deliberately wrong sampler into v. */
static void wrong_draws(const ucl_mc *mc, int how, double *v) {
  for (long k = 0; k < N_BIG; k++) {
    double lot_u[UCL_MC_MAX_LOTS];
    for (int l = 0; l < mc->n_lots; l++) {
      lot_u[l] = ucl_mc_deviate(mc, k, UCL_MC_LOT_STREAM + 2u * (uint64_t)l);
    }
    for (int j = 0; j < mc->n_parts; j++) {
      const ucl_mc_part *p = &mc->parts[j];
      double lt = p->lot >= 0 ? mc->lots[p->lot].tol : 0.0;
      double ud = ucl_mc_deviate(mc, k, 2u * (uint64_t)j), ul = p->lot >= 0 ? lot_u[p->lot] : 0.0;
      double x;
      switch (how) {
      case WRONG_ABSOLUTE: /* σ in the part's unit: 1 % of a 100k resistor is 0.01 Ohm */
        x = p->nominal + (lt * ul + p->tol * ud);
        break;
      case WRONG_CLIPPED: /* an untruncated normal, clipped at ±k σ */
        ud = fmax(-1.0, fmin(1.0, box_muller(mc->seed, k, 2u * (uint64_t)j) / mc->sigmas));
        ul = fmax(-1.0,
                  fmin(1.0, box_muller(mc->seed, k, 200u + 2u * (uint64_t)p->lot) / mc->sigmas));
        x = p->nominal * (1.0 + lt * ul) * (1.0 + p->tol * ud);
        break;
      default: /* every part draws its own "lot" deviate */
        ul = ucl_mc_deviate(mc, k, 100u + (uint64_t)j);
        x = p->nominal * (1.0 + lt * ul) * (1.0 + p->tol * ud);
        break;
      }
      v[(size_t)k * (size_t)mc->n_parts + (size_t)j] = x;
    }
  }
}

static void test_wrong_samplers_caught(void **state) {
  (void)state;
  ucl_mc mc;
  make(&mc, UCL_MC_NORMAL);
  double *v = malloc((size_t)N_BIG * (size_t)mc.n_parts * sizeof(double));
  assert_non_null(v);
  ucl_mc_check c;
  ucl_diag d = {{0}};
  /* the right sampler through the same path passes */
  for (long k = 0; k < N_BIG; k++) {
    ucl_mc_draw(&mc, k, v + (size_t)k * (size_t)mc.n_parts);
  }
  assert_int_equal(ucl_mc_check_values(&mc, v, N_BIG, UCL_MC_CHECK_SE, &c, &d), UCL_OK);
  assert_int_equal(c.n_failed, 0);

  wrong_draws(&mc, WRONG_ABSOLUTE, v);
  assert_int_equal(ucl_mc_check_values(&mc, v, N_BIG, UCL_MC_CHECK_SE, &c, &d), UCL_OK);
  assert_int_equal(failed(&c, UCL_MC_STAT_SD), 6); /* every part's spread is off */

  wrong_draws(&mc, WRONG_CLIPPED, v);
  assert_int_equal(ucl_mc_check_values(&mc, v, N_BIG, UCL_MC_CHECK_SE, &c, &d), UCL_OK);
  assert_int_equal(failed(&c, UCL_MC_STAT_EDGE), 2); /* the mass piled at ±tol */
  assert_true(c.n_failed >= 2);

  wrong_draws(&mc, WRONG_LOT_NOT_SHARED, v);
  assert_int_equal(ucl_mc_check_values(&mc, v, N_BIG, UCL_MC_CHECK_SE, &c, &d), UCL_OK);
  assert_int_equal(failed(&c, UCL_MC_STAT_CORR), 2); /* both lots uncorrelated */
  free(v);
}

/* The truncated normal: no mass at ±tol, and the truncated density bin by bin. */
static void test_normal_shape(void **state) {
  (void)state;
  ucl_mc mc;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_mc_init(&mc, 3, UCL_MC_NORMAL, 3.0, &d), UCL_OK);
  const long n = 1000000;
  enum { NB = 20 };
  long bins[NB] = {0}, outer = 0;
  double lo = 0.0, hi = 0.0;
  for (long k = 0; k < n; k++) {
    double u = ucl_mc_deviate(&mc, k, 0);
    assert_true(u >= -1.0 && u <= 1.0);
    lo = fmin(lo, u);
    hi = fmax(hi, u);
    outer += fabs(u) > 0.999;
    int b = (int)((u + 1.0) / 2.0 * NB);
    bins[b < NB ? b : NB - 1]++;
  }
  /* P(|z| > 2.997 | |z| <= 3) = 2.7e-5: about 27; a clipped normal puts 2700 there */
  assert_true(outer < 60);
  assert_true(lo < -0.95 && hi > 0.95); /* but the whole range is reachable */
  /* each bin against Φ differences of the truncated normal, within 5 binomial s.e. */
  double mass = erf(3.0 / sqrt(2.0));
  for (int b = 0; b < NB; b++) {
    double z0 = 3.0 * (-1.0 + 2.0 * b / NB), z1 = 3.0 * (-1.0 + 2.0 * (b + 1) / NB);
    double p = 0.5 * (erf(z1 / sqrt(2.0)) - erf(z0 / sqrt(2.0))) / mass;
    double se = sqrt(p * (1.0 - p) / (double)n);
    if (fabs((double)bins[b] / (double)n - p) > 5.0 * se) {
      fail_msg("bin %d: %ld draws, expected %.1f", b, bins[b], p * (double)n);
    }
  }
  /* Var(u) of the truncated normal: (1 - 2kφ(k)/(2Φ(k) - 1))/k², k = 3 */
  assert_close(9.0 * ucl_mc_var_u(UCL_MC_NORMAL, 3.0), 0.97333692, 1e-6, 0);
  assert_close(ucl_mc_var_u(UCL_MC_UNIFORM, 3.0), 1.0 / 3.0, 1e-15, 0);
}

/* Draw i is the same alone or in a batch, on any seed; lots shared; uniform = tune's old draws. */
static void test_streams_pure(void **state) {
  (void)state;
  ucl_mc mc;
  make(&mc, UCL_MC_UNIFORM);
  double batch[100][UCL_MC_MAX_PARTS], one[UCL_MC_MAX_PARTS];
  for (long k = 0; k < 100; k++) {
    ucl_mc_draw(&mc, k, batch[k]);
  }
  for (long k = 99; k >= 0; k -= 7) {
    ucl_mc_draw(&mc, k, one);
    assert_memory_equal(one, batch[k], (size_t)mc.n_parts * sizeof(double));
  }
  /* uniform, part without a lot: bit for bit v·(1 + tol·(2U - 1)) with U of stream 2j */
  for (long k = 0; k < 100; k++) {
    double U = ucl_rng_uniform(7, (uint64_t)k, 0), R4 = ucl_rng_uniform(7, (uint64_t)k, 10);
    assert_true(batch[k][0] == 100e3 * (1.0 + 0.01 * (2.0 * U - 1.0)));
    assert_true(batch[k][5] == 2.2e3 * (1.0 + 0.05 * (2.0 * R4 - 1.0)));
  }
  /* another seed: other draws */
  ucl_mc other = mc;
  other.seed = 8;
  ucl_mc_draw(&other, 0, one);
  assert_true(one[0] != batch[0][0]);
  /* a lot with parts of dev_tol 0: the same factor for all of them in every draw */
  ucl_diag d = {{0}};
  int l = -1;
  ucl_mc lot;
  assert_int_equal(ucl_mc_init(&lot, 1, UCL_MC_NORMAL, 2.0, &d), UCL_OK);
  assert_int_equal(ucl_mc_add_lot(&lot, "reel", 0.05, &l, &d), UCL_OK);
  assert_int_equal(ucl_mc_add_part(&lot, "a", 1.0, 0.0, l, &d), UCL_OK);
  assert_int_equal(ucl_mc_add_part(&lot, "b", -3.0, 0.0, l, &d), UCL_OK);
  for (long k = 0; k < 50; k++) {
    double f[2];
    ucl_mc_factors(&lot, k, f);
    assert_true(f[0] == f[1]);
    assert_true(f[0] >= 0.95 && f[0] <= 1.05);
  }
}

static void test_errors(void **state) {
  (void)state;
  ucl_mc mc;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_mc_init(&mc, 1, UCL_MC_NORMAL, 0.5, &d), UCL_ERR_RANGE);
  assert_non_null(strstr(d.msg, "sigmas must lie in [1, 6]"));
  assert_int_equal(ucl_mc_init(&mc, 1, UCL_MC_NORMAL, 3.0, &d), UCL_OK);
  assert_int_equal(ucl_mc_add_part(&mc, "R1", 1e3, 1.0, -1, &d), UCL_ERR_RANGE);
  assert_non_null(strstr(d.msg, "below 100%"));
  assert_non_null(strstr(d.msg, "change its sign"));
  assert_int_equal(ucl_mc_add_part(&mc, "R1", 0.0, 0.1, -1, &d), UCL_ERR_RANGE);
  assert_int_equal(ucl_mc_add_part(&mc, "R1", 1e3, 0.1, 0, &d), UCL_ERR_INVAL); /* no lot 0 */
  int l = -1;
  assert_int_equal(ucl_mc_add_lot(&mc, "x", -0.1, &l, &d), UCL_ERR_RANGE);
  assert_int_equal(ucl_mc_add_lot(&mc, "x", 0.1, &l, &d), UCL_OK);
  assert_int_equal(ucl_mc_add_lot(&mc, "x", 0.1, &l, &d), UCL_ERR_INVAL);
  for (int j = 0; j < UCL_MC_MAX_PARTS; j++) {
    assert_int_equal(ucl_mc_add_part(&mc, "R", 1e3, 0.1, -1, &d), UCL_OK);
  }
  assert_int_equal(ucl_mc_add_part(&mc, "R", 1e3, 0.1, -1, &d), UCL_ERR_RANGE);
  ucl_mc_dist dist;
  assert_int_equal(ucl_mc_dist_parse("gauss", &dist, &d), UCL_ERR_PARSE);
  ucl_mc_check c;
  assert_int_equal(ucl_mc_check_draws(&mc, 3, 4.0, &c, &d), UCL_ERR_RANGE);
}

/* The table: one line per statistic and the verdict. */
static void test_table(void **state) {
  (void)state;
  ucl_mc mc;
  make(&mc, UCL_MC_UNIFORM);
  ucl_mc_check c;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_mc_check_draws(&mc, 1000, 4.0, &c, &d), UCL_OK);
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  assert_non_null(f);
  assert_int_equal(ucl_mc_check_write(&mc, &c, f, &d), UCL_OK);
  assert_int_equal(fclose(f), 0);
  assert_non_null(
      strstr(text, "Monte Carlo self-check: 1000 draws, seed 7, uniform in ±tol, 2 lots"));
  assert_non_null(strstr(text, "corr      R2,R3 (lot R)"));
  assert_non_null(strstr(text, "all 17 statistics pass"));
  free(text);
  c.rows[0].pass = 0;
  c.n_failed = 1;
  f = open_memstream(&text, &len);
  assert_non_null(f);
  assert_int_equal(ucl_mc_check_write(&mc, &c, f, &d), UCL_OK);
  assert_int_equal(fclose(f), 0);
  assert_non_null(strstr(text, "FAIL\n"));
  assert_non_null(strstr(text, "1 of 17 statistics FAIL"));
  free(text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_right_sampler_passes),
      cmocka_unit_test(test_wrong_samplers_caught),
      cmocka_unit_test(test_normal_shape),
      cmocka_unit_test(test_streams_pure),
      cmocka_unit_test(test_errors),
      cmocka_unit_test(test_table),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
