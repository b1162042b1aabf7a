/* montecarlo.c — the Monte Carlo sampler and its self-check (montecarlo.h). */
#include "uclif/montecarlo.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "uclif/rng.h"

ucl_status ucl_mc_init(ucl_mc *mc, uint64_t seed, ucl_mc_dist dist, double sigmas, ucl_diag *diag) {
  memset(mc, 0, sizeof(*mc));
  mc->seed = seed;
  mc->dist = dist;
  mc->sigmas = sigmas;
  if (!(sigmas >= UCL_MC_SIGMAS_MIN && sigmas <= UCL_MC_SIGMAS_MAX)) {
    return ucl_diag_set(diag, UCL_ERR_RANGE,
                        "sigmas must lie in [%g, %g] (the normal distribution's σ = tol/sigmas, "
                        "truncated at ±sigmas σ = ±tol; got %g)",
                        UCL_MC_SIGMAS_MIN, UCL_MC_SIGMAS_MAX, sigmas);
  }
  return UCL_OK;
}

const char *ucl_mc_dist_name(ucl_mc_dist d) {
  return d == UCL_MC_NORMAL ? "normal" : "uniform";
}

ucl_status ucl_mc_dist_parse(const char *text, ucl_mc_dist *out, ucl_diag *diag) {
  if (strcmp(text, "uniform") == 0) {
    *out = UCL_MC_UNIFORM;
  } else if (strcmp(text, "normal") == 0) {
    *out = UCL_MC_NORMAL;
  } else {
    return ucl_diag_set(diag, UCL_ERR_PARSE, "expected uniform or normal (got '%s')", text);
  }
  return UCL_OK;
}

ucl_status ucl_mc_check_tol(double tol, ucl_diag *diag) {
  if (!(tol >= 0.0 && tol < 1.0)) {
    return ucl_diag_set(diag, UCL_ERR_RANGE,
                        "a relative tolerance from 0%% to below 100%% (got %g%%): at 100%% or more "
                        "a drawn value could be zero or change its sign",
                        100.0 * tol);
  }
  return UCL_OK;
}

ucl_status ucl_mc_add_lot(ucl_mc *mc, const char *name, double tol, int *index, ucl_diag *diag) {
  if (mc->n_lots == UCL_MC_MAX_LOTS) {
    return ucl_diag_set(diag, UCL_ERR_RANGE, "more than %d lots", UCL_MC_MAX_LOTS);
  }
  for (int l = 0; l < mc->n_lots; l++) {
    if (strcmp(mc->lots[l].name, name) == 0) {
      return ucl_diag_set(diag, UCL_ERR_INVAL, "lot '%s' given twice", name);
    }
  }
  ucl_status st = ucl_mc_check_tol(tol, diag);
  if (st != UCL_OK) {
    return st;
  }
  ucl_mc_lot *lot = &mc->lots[mc->n_lots];
  snprintf(lot->name, sizeof(lot->name), "%s", name);
  lot->tol = tol;
  *index = mc->n_lots++;
  return UCL_OK;
}

ucl_status ucl_mc_add_part(ucl_mc *mc, const char *name, double nominal, double tol, int lot,
                           ucl_diag *diag) {
  if (mc->n_parts == UCL_MC_MAX_PARTS) {
    return ucl_diag_set(diag, UCL_ERR_RANGE, "more than %d toleranced parts", UCL_MC_MAX_PARTS);
  }
  if (!isfinite(nominal) || nominal == 0.0) {
    return ucl_diag_set(diag, UCL_ERR_RANGE,
                        "the nominal value must be finite and not 0 (a relative tolerance of 0 "
                        "varies nothing; got %g)",
                        nominal);
  }
  if (lot < -1 || lot >= mc->n_lots) {
    return ucl_diag_set(diag, UCL_ERR_INVAL, "no lot %d", lot);
  }
  ucl_status st = ucl_mc_check_tol(tol, diag);
  if (st != UCL_OK) {
    return st;
  }
  ucl_mc_part *p = &mc->parts[mc->n_parts++];
  snprintf(p->name, sizeof(p->name), "%s", name);
  p->nominal = nominal;
  p->tol = tol;
  p->lot = lot;
  return UCL_OK;
}

double ucl_mc_deviate(const ucl_mc *mc, long draw, uint64_t stream) {
  double U = ucl_rng_uniform(mc->seed, (uint64_t)draw, stream);
  if (mc->dist == UCL_MC_UNIFORM) {
    return 2.0 * U - 1.0; /* uclif tune's uniform draws since its first version, bit for bit */
  }
  /* inverse CDF between Φ(-k) and Φ(k): U = 0 gives -k, U -> 1 gives k */
  double k = mc->sigmas;
  double lo = gsl_cdf_ugaussian_P(-k), hi = gsl_cdf_ugaussian_P(k);
  double p = lo + U * (hi - lo);
  double z = p > 0.5 ? -gsl_cdf_ugaussian_Pinv(1.0 - p) : gsl_cdf_ugaussian_Pinv(p);
  double u = z / k;
  return u < -1.0 ? -1.0 : u > 1.0 ? 1.0 : u; /* rounding only: |z| <= k by construction */
}

void ucl_mc_factors(const ucl_mc *mc, long draw, double *factors) {
  double lot_u[UCL_MC_MAX_LOTS];
  for (int l = 0; l < mc->n_lots; l++) {
    lot_u[l] = ucl_mc_deviate(mc, draw, (uint64_t)UCL_MC_LOT_STREAM + 2u * (uint64_t)l);
  }
  for (int j = 0; j < mc->n_parts; j++) {
    const ucl_mc_part *p = &mc->parts[j];
    double f = 1.0 + p->tol * ucl_mc_deviate(mc, draw, 2u * (uint64_t)j);
    if (p->lot >= 0) {
      f *= 1.0 + mc->lots[p->lot].tol * lot_u[p->lot];
    }
    factors[j] = f;
  }
}

void ucl_mc_draw(const ucl_mc *mc, long draw, double *values) {
  ucl_mc_factors(mc, draw, values);
  for (int j = 0; j < mc->n_parts; j++) {
    values[j] = mc->parts[j].nominal * values[j];
  }
}

double ucl_mc_var_u(ucl_mc_dist dist, double k) {
  if (dist == UCL_MC_UNIFORM) {
    return 1.0 / 3.0;
  }
  double phi = exp(-0.5 * k * k) / 2.5066282746310002; /* √(2π) */
  double mass = gsl_cdf_ugaussian_P(k) - gsl_cdf_ugaussian_P(-k);
  return (1.0 - 2.0 * k * phi / mass) / (k * k);
}

/* ---- the self-check ---- */

/* Running sums over the draws of each part's relative deviation d and of the pairs' products. */
typedef struct acc {
  long n;
  double s1[UCL_MC_MAX_PARTS], s2[UCL_MC_MAX_PARTS], s3[UCL_MC_MAX_PARTS], s4[UCL_MC_MAX_PARTS];
  double sab[UCL_MC_MAX_PARTS][UCL_MC_MAX_PARTS];
  long edge[UCL_MC_MAX_PARTS];
} acc;

static void acc_add(acc *A, const ucl_mc *mc, const double *values) {
  double d[UCL_MC_MAX_PARTS];
  for (int j = 0; j < mc->n_parts; j++) {
    const ucl_mc_part *p = &mc->parts[j];
    d[j] = values[j] / p->nominal - 1.0;
    double d2 = d[j] * d[j];
    A->s1[j] += d[j];
    A->s2[j] += d2;
    A->s3[j] += d2 * d[j];
    A->s4[j] += d2 * d2;
    A->edge[j] += p->lot < 0 && p->tol > 0.0 && fabs(d[j]) >= (1.0 - UCL_MC_EDGE) * p->tol;
  }
  for (int a = 0; a < mc->n_parts; a++) {
    for (int b = a + 1; b < mc->n_parts; b++) {
      A->sab[a][b] += d[a] * d[b];
    }
  }
  A->n++;
}

static void row_add(ucl_mc_check *c, ucl_mc_stat stat, int a, int b, double req, double sample,
                    double se) {
  ucl_mc_check_row *r = &c->rows[c->n_rows++];
  r->stat = stat;
  r->a = a;
  r->b = b;
  r->requested = req;
  r->sample = sample;
  r->se = se;
  r->pass = se > 0.0 ? fabs(sample - req) <= c->n_se * se : fabs(sample - req) <= 1e-15;
  c->n_failed += !r->pass;
}

static void acc_finish(const acc *A, const ucl_mc *mc, double n_se, ucl_mc_check *c) {
  memset(c, 0, sizeof(*c));
  c->n = A->n;
  c->n_se = n_se;
  double n = (double)A->n, V = ucl_mc_var_u(mc->dist, mc->sigmas);
  double mean[UCL_MC_MAX_PARTS], var[UCL_MC_MAX_PARTS], want_sd[UCL_MC_MAX_PARTS];
  for (int j = 0; j < mc->n_parts; j++) {
    const ucl_mc_part *p = &mc->parts[j];
    double lt = p->lot >= 0 ? mc->lots[p->lot].tol : 0.0, dt = p->tol;
    want_sd[j] = sqrt(lt * lt * V + dt * dt * V + lt * lt * dt * dt * V * V);
    double m = A->s1[j] / n, e2 = A->s2[j] / n, e3 = A->s3[j] / n, e4 = A->s4[j] / n;
    double m2 = fmax(e2 - m * m, 0.0);
    double m4 = fmax(e4 - 4.0 * m * e3 + 6.0 * m * m * e2 - 3.0 * m * m * m * m, 0.0);
    mean[j] = m;
    var[j] = m2 * n / (n - 1.0);
    double s = sqrt(var[j]);
    row_add(c, UCL_MC_STAT_MEAN, j, -1, 0.0, m, want_sd[j] / sqrt(n));
    row_add(c, UCL_MC_STAT_SD, j, -1, want_sd[j], s,
            s > 0.0 ? sqrt(fmax(m4 - m2 * m2, 0.0) / (4.0 * m2 * n)) : 0.0);
  }
  for (int j = 0; j < mc->n_parts; j++) {
    const ucl_mc_part *p = &mc->parts[j];
    if (p->lot >= 0 || !(p->tol > 0.0)) {
      continue;
    }
    double k = mc->sigmas, q = UCL_MC_EDGE;
    if (mc->dist == UCL_MC_NORMAL) {
      q = 2.0 * (gsl_cdf_ugaussian_P(k) - gsl_cdf_ugaussian_P(k * (1.0 - UCL_MC_EDGE))) /
          (gsl_cdf_ugaussian_P(k) - gsl_cdf_ugaussian_P(-k));
    }
    row_add(c, UCL_MC_STAT_EDGE, j, -1, q, (double)A->edge[j] / n, sqrt(q * (1.0 - q) / n));
  }
  /* correlations: every pair of one lot, then the largest of the others */
  double worst = -1.0, worst_r = 0.0;
  int wa = -1, wb = -1;
  for (int a = 0; a < mc->n_parts; a++) {
    for (int b = a + 1; b < mc->n_parts; b++) {
      if (!(var[a] > 0.0 && var[b] > 0.0)) {
        continue;
      }
      double cov = (A->sab[a][b] - n * mean[a] * mean[b]) / (n - 1.0);
      double r = cov / sqrt(var[a] * var[b]);
      int la = mc->parts[a].lot, lb = mc->parts[b].lot;
      if (la >= 0 && la == lb) {
        double lt = mc->lots[la].tol;
        double rho =
            want_sd[a] > 0.0 && want_sd[b] > 0.0 ? lt * lt * V / (want_sd[a] * want_sd[b]) : 0.0;
        row_add(c, UCL_MC_STAT_CORR, a, b, rho, r, (1.0 - rho * rho) / sqrt(n - 3.0));
      } else {
        c->n_pairs_indep++;
        if (fabs(r) > worst) {
          worst = fabs(r);
          worst_r = r;
          wa = a;
          wb = b;
        }
      }
    }
  }
  if (wa >= 0) {
    row_add(c, UCL_MC_STAT_CORR_MAX, wa, wb, 0.0, worst_r, 1.0 / sqrt(n - 3.0));
  }
}

static ucl_status check_args(long n, double n_se, ucl_diag *diag) {
  if (n < 4 || !(n_se > 0.0)) {
    return ucl_diag_set(diag, UCL_ERR_RANGE,
                        "the self-check needs 4 or more draws and a positive number of standard "
                        "errors (got %ld draws, %g)",
                        n, n_se);
  }
  return UCL_OK;
}

ucl_status ucl_mc_check_values(const ucl_mc *mc, const double *values, long n, double n_se,
                               ucl_mc_check *out, ucl_diag *diag) {
  ucl_status st = check_args(n, n_se, diag);
  acc *A = st == UCL_OK ? calloc(1, sizeof(*A)) : NULL;
  if (st == UCL_OK && !A) {
    st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  for (long k = 0; st == UCL_OK && k < n; k++) {
    acc_add(A, mc, values + (size_t)k * (size_t)mc->n_parts);
  }
  if (st == UCL_OK) {
    acc_finish(A, mc, n_se, out);
  }
  free(A);
  return st;
}

ucl_status ucl_mc_check_draws(const ucl_mc *mc, long n, double n_se, ucl_mc_check *out,
                              ucl_diag *diag) {
  if (n > UCL_MC_CHECK_MAX_DRAWS) {
    n = UCL_MC_CHECK_MAX_DRAWS;
  }
  ucl_status st = check_args(n, n_se, diag);
  acc *A = st == UCL_OK ? calloc(1, sizeof(*A)) : NULL;
  if (st == UCL_OK && !A) {
    st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  double v[UCL_MC_MAX_PARTS];
  for (long k = 0; st == UCL_OK && k < n; k++) {
    ucl_mc_draw(mc, k, v);
    acc_add(A, mc, v);
  }
  if (st == UCL_OK) {
    acc_finish(A, mc, n_se, out);
  }
  free(A);
  return st;
}

ucl_status ucl_mc_check_write(const ucl_mc *mc, const ucl_mc_check *c, FILE *f, ucl_diag *diag) {
  static const char *const names[] = {"mean", "sd", "edge", "corr", "corr max"};
  char lots[64] = "parts independent";
  if (mc->n_lots > 0) {
    snprintf(lots, sizeof(lots), "%d lot%s", mc->n_lots, mc->n_lots == 1 ? "" : "s");
  }
  char dist[96];
  if (mc->dist == UCL_MC_NORMAL) {
    snprintf(dist, sizeof(dist), "normal, σ = tol/%g truncated at ±%g σ", mc->sigmas, mc->sigmas);
  } else {
    snprintf(dist, sizeof(dist), "uniform in ±tol");
  }
  int bad = fprintf(f,
                    "Monte Carlo self-check: %ld draws, seed %llu, %s, %s; relative deviation d = "
                    "value/nominal - 1; pass = within %g standard errors\n",
                    c->n, (unsigned long long)mc->seed, dist, lots, c->n_se) < 0;
  bad |= fprintf(f, "%-9s %-22s %-13s %-13s %-11s %-7s %s\n", "statistic", "part", "requested",
                 "sample", "std.err.", "z", "") < 0;
  for (int i = 0; i < c->n_rows; i++) {
    const ucl_mc_check_row *r = &c->rows[i];
    char who[2 * UCL_MC_NAME_MAX + 40];
    const ucl_mc_part *a = &mc->parts[r->a];
    if (r->b >= 0) {
      snprintf(who, sizeof(who), "%s,%s", a->name, mc->parts[r->b].name);
    } else {
      snprintf(who, sizeof(who), "%s", a->name);
    }
    if (r->stat == UCL_MC_STAT_CORR) {
      size_t l = strlen(who);
      snprintf(who + l, sizeof(who) - l, " (lot %s)", mc->lots[a->lot].name);
    } else if (r->stat == UCL_MC_STAT_CORR_MAX) {
      size_t l = strlen(who);
      snprintf(who + l, sizeof(who) - l, " (of %d)", c->n_pairs_indep);
    }
    double z = r->se > 0.0 ? (r->sample - r->requested) / r->se : 0.0;
    bad |= fprintf(f, "%-9s %-22s %-13.6g %-13.6g %-11.3g %-7.2f %s\n", names[r->stat], who,
                   r->requested, r->sample, r->se, z, r->pass ? "pass" : "FAIL") < 0;
  }
  if (c->n_failed == 0) {
    bad |= fprintf(f, "all %d statistics pass\n", c->n_rows) < 0;
  } else {
    bad |= fprintf(f,
                   "%d of %d statistics FAIL: the draws do not follow the requested "
                   "distribution\n",
                   c->n_failed, c->n_rows) < 0;
  }
  if (bad) {
    return ucl_diag_set(diag, UCL_ERR_IO, "cannot write the Monte Carlo self-check");
  }
  return UCL_OK;
}
