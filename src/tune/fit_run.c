/* fit_run.c — the search of `uclif fit` over MPI ranks (fit_run.h, docs/fit.md "Search"). */
#include "uclif/fit_run.h"
#include "uclif/clock.h"

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_qrng.h>
#include <nlopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One batch: m parameter vectors (k each) of variant v, evaluated over the ranks. */
typedef struct batch_ctx {
  const ucl_fit *f;
  int v, k;
  long upto; /* ucl_fit_eval_upto (stage 0) */
  const double *xs;
} batch_ctx;

static ucl_status eval_one(void *ctx, long i, double *out, int width, ucl_diag *diag) {
  const batch_ctx *b = ctx;
  (void)width;
  const double *x = b->xs + (size_t)i * (size_t)b->k;
  return ucl_fit_eval_upto(b->f, b->v, x, b->upto, out, diag);
}

typedef struct run_ctx {
  ucl_comm *comm;
  const ucl_fit *f;
  int v, k, W;
  size_t nres;
  long evaluations;
  ucl_status st; /* the first failure inside a GSL callback */
  ucl_diag *diag;
  double *cache_x, *cache_row; /* the last single evaluation (GSL asks df where it asked f) */
  double cache_u[UCL_FIT_MAX_FREE];
  /* GSL works on u in [0, 1]: x = lo + u·wd (scale's space), so that an ohm, a gain and a
   * delay in seconds are steps of one size to it */
  double lo[UCL_FIT_MAX_FREE], wd[UCL_FIT_MAX_FREE];
  double *jac_x, *jac_rows; /* (k + 1) points and rows for gsl_df, allocated once per variant */
  int cached;
  long upto; /* stage 0: the evaluations see what precedes measured spike 'upto' only; else -1 */
  void (*progress)(const char *line, void *ctx);
  void *pctx;
  int rank;
} run_ctx;

static ucl_status batch(run_ctx *rc, const double *xs, int m, double *rows) {
  batch_ctx b = {rc->f, rc->v, rc->k, rc->upto, xs};
  rc->evaluations += m;
  return ucl_sched_batch(rc->comm, m, rc->W, eval_one, &b, rows, rc->diag);
}

static void say(run_ctx *rc, const char *fmt, ...) UCL_PRINTF(2, 3);
static void say(run_ctx *rc, const char *fmt, ...) {
  if (!rc->progress || rc->rank != 0) {
    return;
  }
  char line[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof(line), fmt, ap);
  va_end(ap);
  rc->progress(line, rc->pctx);
}

/* GSL's residual: the likelihood's residuals, then the bound residuals. */
static int gsl_f(const gsl_vector *x, void *params, gsl_vector *fv) {
  run_ctx *rc = params;
  for (int j = 0; j < rc->k; j++) {
    rc->cache_u[j] = gsl_vector_get(x, (size_t)j);
    rc->cache_x[j] = rc->lo[j] + rc->cache_u[j] * rc->wd[j];
  }
  ucl_status st = batch(rc, rc->cache_x, 1, rc->cache_row);
  if (st != UCL_OK) {
    rc->st = st;
    rc->cached = 0;
    return GSL_EFAILED;
  }
  rc->cached = 1;
  for (size_t i = 0; i < rc->nres + (size_t)rc->k; i++) {
    gsl_vector_set(fv, i, rc->cache_row[i]);
  }
  return GSL_SUCCESS;
}

/* Forward-difference step in u: 1e-6 of the bounds' width. A spike train's χ² is smooth only
 * between the places where a marginal pulse starts or stops firing, which lie about 1e-4 of a
 * width apart in the examples (docs/fit.md "Search"): a larger step straddles them. The solver
 * runs at rtol 1e-8 in the fit by default, so the difference is not its noise. */
#define FD_STEP 1e-6

/* GSL's Jacobian by forward differences, the k shifted points (and x itself unless it was the
 * last f) evaluated together across the ranks. */
static int gsl_df(const gsl_vector *x, void *params, gsl_matrix *J) {
  run_ctx *rc = params;
  int k = rc->k;
  int same = rc->cached;
  for (int j = 0; j < k && same; j++) {
    same = gsl_vector_get(x, (size_t)j) == rc->cache_u[j];
  }
  int m = k + !same;
  double *xs = rc->jac_x, *rows = rc->jac_rows;
  double step[UCL_FIT_MAX_FREE]; /* backwards at the upper bound, where forwards is clipped */
  for (int j = 0; j < k; j++) {
    step[j] = gsl_vector_get(x, (size_t)j) + FD_STEP > 1.0 ? -FD_STEP : FD_STEP;
  }
  for (int i = 0; i < m; i++) {
    for (int j = 0; j < k; j++) {
      double uj = gsl_vector_get(x, (size_t)j) + (i == j ? step[j] : 0.0);
      xs[(size_t)i * (size_t)k + (size_t)j] = rc->lo[j] + uj * rc->wd[j];
    }
  }
  ucl_status st = batch(rc, xs, m, rows);
  if (st == UCL_OK) {
    const double *base = same ? rc->cache_row : rows + (size_t)k * (size_t)rc->W;
    for (int j = 0; j < k; j++) {
      const double *rj = rows + (size_t)j * (size_t)rc->W;
      for (size_t i = 0; i < rc->nres + (size_t)k; i++) {
        gsl_matrix_set(J, i, (size_t)j, (rj[i] - base[i]) / step[j]);
      }
    }
  }
  if (st != UCL_OK) {
    rc->st = st;
    return GSL_EFAILED;
  }
  return GSL_SUCCESS;
}

static void lm_progress(const size_t iter, void *params, const gsl_multifit_nlinear_workspace *w) {
  run_ctx *rc = params;
  const gsl_vector *r = gsl_multifit_nlinear_residual(w);
  double chi2 = 0.0;
  for (size_t i = 0; i < rc->nres; i++) {
    chi2 += gsl_vector_get(r, i) * gsl_vector_get(r, i);
  }
  say(rc, "  iteration %zu: chi2 %.8g (%ld evaluations)", iter, chi2, rc->evaluations);
}

/* Scores of the global stage in order, ties broken by index (a total order: rank-independent). */
typedef struct scored {
  double s;
  long i;
} scored;

static int by_score(const void *a, const void *b) {
  const scored *x = a, *y = b;
  if (x->s != y->s) {
    return x->s < y->s ? -1 : 1;
  }
  return (x->i > y->i) - (x->i < y->i);
}

/* ---- the derivative-free stage: Subplex (NLopt) on the score, one start per rank ---- */

typedef struct dfo_ctx {
  const ucl_fit *f;
  int v, k;
  int d, idx[UCL_FIT_MAX_FREE];           /* what Subplex moves: those stage 0 did not pin */
  int d_wide, idx_wide[UCL_FIT_MAX_FREE]; /* and from a start of the second set: every model
                                             parameter */
  double lo[UCL_FIT_MAX_FREE], hi[UCL_FIT_MAX_FREE];
  const double *starts; /* k values per start */
  const int *wide;      /* per start: 1 if it comes from the second set */
  int max_evals;
} dfo_ctx;

typedef struct dfo_obj {
  const dfo_ctx *c;
  const int *idx; /* the parameters moved: c->idx or c->idx_wide */
  double x[UCL_FIT_MAX_FREE];
  double *row;
  long evals;
  int chi2; /* 0: the score; 1: ln χ² (bound residuals included) */
  ucl_status st;
  nlopt_opt opt;
} dfo_obj;

/* χ² of o->row with its bound residuals (what Levenberg-Marquardt minimises). */
static double dfo_chi2(const dfo_obj *o) {
  size_t nres = ucl_fit_n_residuals(o->c->f, o->c->v);
  double c2 = ucl_fit_row_chi2(o->c->f, o->c->v, o->row);
  for (int j = 0; j < o->c->k; j++) {
    c2 += o->row[nres + (size_t)j] * o->row[nres + (size_t)j];
  }
  return c2;
}

static double dfo_objective(unsigned n, const double *z, double *grad, void *data) {
  dfo_obj *o = data;
  (void)grad;
  for (unsigned i = 0; i < n; i++) {
    o->x[o->idx[i]] = z[i];
  }
  o->evals++;
  ucl_status st = ucl_fit_eval(o->c->f, o->c->v, o->x, o->row, NULL);
  if (st != UCL_OK) {
    o->st = st;
    if (o->opt) { /* NULL: a single evaluation, nothing to move */
      nlopt_force_stop(o->opt);
    }
    return HUGE_VAL;
  }
  return o->chi2 ? log(dfo_chi2(o) + 1.0) : ucl_fit_row_score(o->c->f, o->c->v, o->row);
}

/* Start i: Subplex over c->idx (c->idx_wide if c->wide[i]), bounded: on the score from 5 % of each
 * bound's width, then on ln χ² from 0.5 %, each down to 1e-4 of the width or max_evals
 * evaluations. Writes the point (k), its score, the evaluations used and its χ² (bound residuals
 * included): k + 3 values. A pure function of (fit, start). */
static ucl_status dfo_one(void *ctx, long i, double *out, int width, ucl_diag *diag) {
  const dfo_ctx *c = ctx;
  (void)width;
  dfo_obj o;
  memset(&o, 0, sizeof(o));
  o.c = c;
  o.idx = c->wide[i] ? c->idx_wide : c->idx;
  int d = c->wide[i] ? c->d_wide : c->d;
  memcpy(o.x, c->starts + (size_t)i * (size_t)c->k, (size_t)c->k * sizeof(double));
  o.row = malloc((size_t)ucl_fit_eval_width(c->f, c->v) * sizeof(double));
  o.opt = d > 0 ? nlopt_create(NLOPT_LN_SBPLX, (unsigned)d) : NULL;
  double z[UCL_FIT_MAX_FREE], lo[UCL_FIT_MAX_FREE], hi[UCL_FIT_MAX_FREE], dz[UCL_FIT_MAX_FREE],
      tol[UCL_FIT_MAX_FREE];
  double score = HUGE_VAL, chi2 = HUGE_VAL;
  ucl_status st = o.row && (o.opt || d == 0) ? UCL_OK : UCL_ERR_NOMEM;
  if (st == UCL_OK && d == 0) { /* nothing to move: the start's score and χ² */
    score = dfo_objective(0, z, NULL, &o);
    chi2 = o.st == UCL_OK ? dfo_chi2(&o) : HUGE_VAL;
    st = o.st;
  }
  for (int q = 0; st == UCL_OK && q < d; q++) {
    int j = o.idx[q];
    lo[q] = c->lo[j];
    hi[q] = c->hi[j];
    z[q] = fmin(hi[q], fmax(lo[q], o.x[j]));
    dz[q] = 0.05 * (hi[q] - lo[q]);
    tol[q] = 1e-4 * (hi[q] - lo[q]);
  }
  if (st == UCL_OK && d > 0) {
    nlopt_set_lower_bounds(o.opt, lo);
    nlopt_set_upper_bounds(o.opt, hi);
    nlopt_set_initial_step(o.opt, dz);
    nlopt_set_xtol_abs(o.opt, tol);
    nlopt_set_maxeval(o.opt, c->max_evals);
    nlopt_set_min_objective(o.opt, dfo_objective, &o);
    nlopt_result r = nlopt_optimize(o.opt, z, &score);
    st = o.st != UCL_OK ? o.st : (r == NLOPT_OUT_OF_MEMORY ? UCL_ERR_NOMEM : UCL_OK);
    /* then ln χ² itself, in smaller steps: near the optimum a spike train's χ² has a narrow
     * valley (the phase of every later spike moves with the rate) that the score only points to */
    if (st == UCL_OK) {
      for (int q = 0; q < d; q++) {
        dz[q] = 0.005 * (hi[q] - lo[q]);
      }
      o.chi2 = 1;
      nlopt_set_initial_step(o.opt, dz);
      double lc2 = HUGE_VAL;
      r = nlopt_optimize(o.opt, z, &lc2);
      st = o.st != UCL_OK ? o.st : (r == NLOPT_OUT_OF_MEMORY ? UCL_ERR_NOMEM : UCL_OK);
      o.chi2 = 0;
      if (st == UCL_OK) { /* the score of the point reached, and its χ² */
        score = dfo_objective((unsigned)d, z, NULL, &o);
        chi2 = o.st == UCL_OK ? dfo_chi2(&o) : HUGE_VAL;
        st = o.st;
      }
    }
  }
  if (st == UCL_OK) {
    for (int q = 0; q < d; q++) {
      o.x[o.idx[q]] = z[q];
    }
    memcpy(out, o.x, (size_t)c->k * sizeof(double));
    out[c->k] = score;
    out[c->k + 1] = (double)o.evals;
    out[c->k + 2] = chi2;
  }
  if (o.opt) {
    nlopt_destroy(o.opt);
  }
  free(o.row);
  return st == UCL_OK ? st : ucl_diag_set(diag, st, "out of memory");
}

/* Levenberg-Marquardt from x (u-space) to its end, into x, bestx (scale's space) and bestJ
 * (the Jacobian in the scale's space, n × k). GSL_EMAXITER and GSL_ENOPROG are ends like
 * another: the point reached still counts. */
static ucl_status lm_from(run_ctx *rc, gsl_multifit_nlinear_fdf *fdf,
                          gsl_multifit_nlinear_workspace *w, gsl_vector *x, double *bestx,
                          double *bestJ) {
  const ucl_fit_opts *o = ucl_fit_options(rc->f);
  int k = rc->k;
  size_t n = rc->nres + (size_t)k;
  rc->cached = 0;
  int info = 0;
  int gs = gsl_multifit_nlinear_init(x, fdf, w);
  if (gs == GSL_SUCCESS) {
    gs = gsl_multifit_nlinear_driver((size_t)o->max_iter, 1e-14, 1e-14, 1e-14, lm_progress, rc,
                                     &info, w);
  }
  if (rc->st != UCL_OK) {
    return rc->st;
  }
  const gsl_vector *xr = gsl_multifit_nlinear_position(w);
  gsl_vector_memcpy(x, xr);
  for (int j = 0; j < k; j++) {
    bestx[j] = rc->lo[j] + gsl_vector_get(xr, (size_t)j) * rc->wd[j];
  }
  const gsl_matrix *J = gsl_multifit_nlinear_jac(w);
  for (size_t i = 0; i < n; i++) {
    for (int j = 0; j < k; j++) {
      bestJ[i * (size_t)k + (size_t)j] = gsl_matrix_get(J, i, (size_t)j) / rc->wd[j];
    }
  }
  say(rc, "variant %s: Levenberg-Marquardt ends (%s)", ucl_fit_variant_at(rc->f, rc->v)->name,
      gsl_strerror(gs));
  return UCL_OK;
}

/* From Levenberg-Marquardt's end in w: *chi2 (bound residuals included) and L (k × k,
 * row-major) whose column q is the eigenvector of JᵀJ with the q-th smallest eigenvalue λ, scaled
 * to one standard deviation, 1/√λ (at most a quarter of the box): the whitened coordinates of
 * valley_step and white_step. UCL_ERR_NOMEM. */
static ucl_status whitening(const run_ctx *rc, const gsl_multifit_nlinear_workspace *w,
                            double *chi2, double *L) {
  int k = rc->k;
  size_t n = rc->nres + (size_t)k;
  const gsl_matrix *J = gsl_multifit_nlinear_jac(w);
  const gsl_vector *r = gsl_multifit_nlinear_residual(w);
  *chi2 = 0.0;
  for (size_t i = 0; i < n; i++) {
    *chi2 += gsl_vector_get(r, i) * gsl_vector_get(r, i);
  }
  gsl_matrix *A = gsl_matrix_alloc((size_t)k, (size_t)k);
  gsl_matrix *V = gsl_matrix_alloc((size_t)k, (size_t)k);
  gsl_vector *ev = gsl_vector_alloc((size_t)k);
  gsl_eigen_symmv_workspace *ew = gsl_eigen_symmv_alloc((size_t)k);
  ucl_status st = A && V && ev && ew ? UCL_OK : UCL_ERR_NOMEM;
  if (st == UCL_OK) {
    for (int a = 0; a < k; a++) {
      for (int b = 0; b < k; b++) {
        double sum = 0.0;
        for (size_t i = 0; i < n; i++) {
          sum += gsl_matrix_get(J, i, (size_t)a) * gsl_matrix_get(J, i, (size_t)b);
        }
        gsl_matrix_set(A, (size_t)a, (size_t)b, sum);
      }
    }
    gsl_eigen_symmv(A, ev, V, ew);
    gsl_eigen_symmv_sort(ev, V, GSL_EIGEN_SORT_VAL_ASC);
    for (int q = 0; q < k; q++) {
      double lam = gsl_vector_get(ev, (size_t)q);
      double h = lam > 0.0 ? fmin(0.25, 1.0 / sqrt(lam)) : 0.25;
      for (int j = 0; j < k; j++) {
        L[(size_t)j * (size_t)k + (size_t)q] = gsl_matrix_get(V, (size_t)j, (size_t)q) * h;
      }
    }
  }
  gsl_matrix_free(A);
  gsl_matrix_free(V);
  gsl_vector_free(ev);
  gsl_eigen_symmv_free(ew);
  return st;
}

/* One step along the valley from Levenberg-Marquardt's end x (u-space). A spike train's χ² is
 * a long, narrow valley (the input resistor against the input's gain, the threshold's current
 * against the resistor) whose floor is smooth at the scale of the valley's length but broken,
 * at the scale of its width, wherever a spike moves to another input pulse: there the
 * derivatives see the break and Levenberg-Marquardt stops short. Along each eigenvector e of
 * JᵀJ, eigenvalue λ (the valley's axes and across them), the points x ± 2^i·e/√λ (e/√λ: one
 * standard deviation; at most a quarter of the box), i = −1..6, are evaluated together over the
 * ranks; if the best of them lowers χ² by more than 1, x moves there (*moved = 1). */
static ucl_status valley_step(run_ctx *rc, gsl_multifit_nlinear_workspace *w, gsl_vector *x,
                              int *moved) {
  int k = rc->k;
  size_t n = rc->nres + (size_t)k;
  *moved = 0;
  enum { STEPS = 8 };
  int M = 2 * STEPS * k;
  double chi2 = 0.0;
  double *L = malloc((size_t)k * (size_t)k * sizeof(double));
  double *xs = malloc((size_t)M * (size_t)k * sizeof(double));
  double *rows = malloc((size_t)M * (size_t)rc->W * sizeof(double));
  ucl_status st = L && xs && rows ? whitening(rc, w, &chi2, L) : UCL_ERR_NOMEM;
  st = ucl_comm_agree(rc->comm, st == UCL_OK ? st : ucl_diag_set(rc->diag, st, "out of memory"),
                      rc->diag);
  if (st == UCL_OK) {
    for (int m = 0; m < M; m++) {
      size_t dir = (size_t)(m / (2 * STEPS));
      double step = (m % 2 ? -1.0 : 1.0) * ldexp(1.0, (m % (2 * STEPS)) / 2 - 1);
      for (int j = 0; j < k; j++) {
        double u = gsl_vector_get(x, (size_t)j) + step * L[(size_t)j * (size_t)k + dir];
        xs[(size_t)m * (size_t)k + (size_t)j] = rc->lo[j] + u * rc->wd[j];
      }
    }
    st = batch(rc, xs, M, rows);
  }
  if (st == UCL_OK) {
    int best = -1;
    double best_chi2 = chi2 - 1.0;
    for (int m = 0; m < M; m++) {
      const double *row = rows + (size_t)m * (size_t)rc->W;
      double c = 0.0;
      for (size_t i = 0; i < n; i++) {
        c += row[i] * row[i]; /* the residuals, then the bound residuals: as GSL's */
      }
      if (c < best_chi2) {
        best_chi2 = c;
        best = m;
      }
    }
    if (best >= 0) {
      for (int j = 0; j < k; j++) {
        gsl_vector_set(x, (size_t)j,
                       (xs[(size_t)best * (size_t)k + (size_t)j] - rc->lo[j]) / rc->wd[j]);
      }
      say(rc, "variant %s: along the valley: chi2 %.8g -> %.8g",
          ucl_fit_variant_at(rc->f, rc->v)->name, chi2, best_chi2);
      *moved = 1;
    }
  }
  free(L);
  free(xs);
  free(rows);
  return st;
}

/* BOBYQA's objective: χ² (bound residuals included) at u = u0 + L·z, evaluated over the ranks
 * (every rank runs the same BOBYQA; one rank simulates, all get the row). */
typedef struct white_obj {
  run_ctx *rc;
  const double *u0, *L; /* k, k × k row-major */
  double *xs, *row;
  ucl_status st;
  nlopt_opt opt;
} white_obj;

static double white_chi2(unsigned n, const double *z, double *grad, void *data) {
  white_obj *o = data;
  run_ctx *rc = o->rc;
  int k = rc->k;
  (void)grad;
  for (int j = 0; j < k; j++) {
    double u = o->u0[j];
    for (unsigned q = 0; q < n; q++) {
      u += o->L[(size_t)j * (size_t)k + q] * z[q];
    }
    o->xs[j] = rc->lo[j] + u * rc->wd[j];
  }
  ucl_status st = batch(rc, o->xs, 1, o->row);
  if (st != UCL_OK) {
    o->st = st;
    if (o->opt) { /* NULL: a single evaluation, nothing to move */
      nlopt_force_stop(o->opt);
    }
    return HUGE_VAL;
  }
  double c = 0.0;
  for (size_t i = 0; i < rc->nres + (size_t)k; i++) {
    c += o->row[i] * o->row[i];
  }
  return c;
}

/* A derivative-free step from Levenberg-Marquardt's end x (u-space): BOBYQA (NLopt's
 * NLOPT_LN_BOBYQA; Powell 2009) on χ² in whitened coordinates z, u = x + V·diag(λ^-1/2)·z for
 * the eigenvectors V and eigenvalues λ of JᵀJ, from a trust region of 2 to 0.05 standard
 * deviations, z within ±50, at most 40·(k + 1) evaluations (or [fit] max_evals if smaller). χ² is a
 * smooth bowl at the scale of the standard deviations but broken at finer scales (spikes moving
 * between input pulses), where the derivatives mislead Levenberg-Marquardt; BOBYQA's quadratic
 * models are built from points a standard deviation apart and see the bowl. If it lowers χ² by more
 * than 0.5, x moves there (*moved = 1). */
static ucl_status white_step(run_ctx *rc, gsl_multifit_nlinear_workspace *w, gsl_vector *x,
                             int *moved) {
  int k = rc->k;
  *moved = 0;
  double chi2 = 0.0;
  double *L = malloc((size_t)k * (size_t)k * sizeof(double));
  double *u0 = malloc((size_t)k * sizeof(double));
  double *xs = malloc((size_t)k * sizeof(double));
  double *row = malloc((size_t)rc->W * sizeof(double));
  nlopt_opt opt = nlopt_create(NLOPT_LN_BOBYQA, (unsigned)k);
  ucl_status st = L && u0 && xs && row && opt ? whitening(rc, w, &chi2, L) : UCL_ERR_NOMEM;
  st = ucl_comm_agree(rc->comm, st == UCL_OK ? st : ucl_diag_set(rc->diag, st, "out of memory"),
                      rc->diag);
  if (st == UCL_OK) {
    for (int j = 0; j < k; j++) {
      u0[j] = gsl_vector_get(x, (size_t)j);
    }
    white_obj o = {rc, u0, L, xs, row, UCL_OK, opt};
    double z[UCL_FIT_MAX_FREE], zlo[UCL_FIT_MAX_FREE], zhi[UCL_FIT_MAX_FREE];
    for (int q = 0; q < k; q++) {
      z[q] = 0.0;
      zlo[q] = -50.0;
      zhi[q] = 50.0;
    }
    nlopt_set_lower_bounds(opt, zlo);
    nlopt_set_upper_bounds(opt, zhi);
    nlopt_set_initial_step1(opt, 2.0);
    nlopt_set_xtol_abs1(opt, 0.05);
    long cap = ucl_fit_options(rc->f)->max_evals; /* 0: the default */
    nlopt_set_maxeval(opt, cap > 0 && cap < 40L * (k + 1) ? (int)cap : 40 * (k + 1));
    nlopt_set_min_objective(opt, white_chi2, &o);
    double best = HUGE_VAL;
    nlopt_result nr = nlopt_optimize(opt, z, &best);
    st = o.st != UCL_OK ? o.st : (nr == NLOPT_OUT_OF_MEMORY ? UCL_ERR_NOMEM : UCL_OK);
    if (st == UCL_OK && best < chi2 - 0.5) {
      for (int j = 0; j < k; j++) {
        double u = u0[j];
        for (int q = 0; q < k; q++) {
          u += L[(size_t)j * (size_t)k + (size_t)q] * z[q];
        }
        gsl_vector_set(x, (size_t)j, u);
      }
      say(rc, "variant %s: BOBYQA in whitened coordinates: chi2 %.8g -> %.8g",
          ucl_fit_variant_at(rc->f, rc->v)->name, chi2, best);
      *moved = 1;
    }
  }
  free(L);
  free(u0);
  free(xs);
  free(row);
  nlopt_destroy(opt);
  return st;
}

/* Levenberg-Marquardt from x, then up to `valley` rounds ([fit]) of valley_step and
 * Levenberg-Marquardt; *chi2: the
 * end's χ² with the bound residuals (what GSL minimises). */
static ucl_status polish(run_ctx *rc, gsl_multifit_nlinear_fdf *fdf,
                         gsl_multifit_nlinear_workspace *w, gsl_vector *x, double *bestx,
                         double *bestJ, double *chi2) {
  const char *name = ucl_fit_variant_at(rc->f, rc->v)->name;
  ucl_status st = lm_from(rc, fdf, w, x, bestx, bestJ);
  long rounds = ucl_fit_options(rc->f)->valley;
  for (long round = 0; st == UCL_OK && round < rounds; round++) {
    int moved = 0;
    st = valley_step(rc, w, x, &moved);
    if (st != UCL_OK || !moved) {
      break;
    }
    say(rc, "variant %s: Levenberg-Marquardt from along the valley (round %ld)", name, round + 1);
    st = lm_from(rc, fdf, w, x, bestx, bestJ);
  }
  /* then BOBYQA in whitened coordinates, and Levenberg-Marquardt again, while it helps */
  for (long round = 0; st == UCL_OK && round < (rounds > 0 ? 3 : 0); round++) {
    int moved = 0;
    st = white_step(rc, w, x, &moved);
    if (st != UCL_OK || !moved) {
      break;
    }
    st = lm_from(rc, fdf, w, x, bestx, bestJ);
  }
  if (st == UCL_OK) {
    const gsl_vector *r = gsl_multifit_nlinear_residual(w);
    *chi2 = 0.0;
    for (size_t i = 0; i < r->size; i++) {
      *chi2 += gsl_vector_get(r, i) * gsl_vector_get(r, i);
    }
  }
  return st;
}

/* The parameters the part before the first spikes pins (ucl_fit_analyse's verdict at bestx,
 * bestJ, Levenberg-Marquardt's end in w), and every acquisition parameter: x0[j] = bestx[j],
 * fixed[j] = 1. */
static ucl_status pins_of(run_ctx *rc, const gsl_multifit_nlinear_workspace *w, const double *bestx,
                          const double *bestJ, double *x0, int *fixed) {
  const ucl_fit_variant *va = ucl_fit_variant_at(rc->f, rc->v);
  ucl_fit_result *r0 = malloc(sizeof(*r0));
  if (!r0) {
    return ucl_diag_set(rc->diag, UCL_ERR_NOMEM, "out of memory");
  }
  const gsl_vector *r = gsl_multifit_nlinear_residual(w);
  double chi2 = 0.0;
  for (size_t i = 0; i < rc->nres; i++) {
    chi2 += gsl_vector_get(r, i) * gsl_vector_get(r, i);
  }
  ucl_status st = ucl_fit_analyse(rc->f, rc->v, bestx, bestJ, rc->nres, chi2, r0, rc->diag);
  for (int j = 0; st == UCL_OK && j < rc->k; j++) {
    if (r0->verdict[j] == UCL_FIT_PINNED || va->free[j].nuisance) {
      x0[j] = bestx[j];
      fixed[j] = 1;
      say(rc, "variant %s: before the first spikes: %s = %.6g", va->name, va->free[j].name,
          ucl_fit_param_value(&va->free[j], bestx[j]));
    }
  }
  free(r0);
  return st;
}

/* n points into xs (n × k): x0 first if 'base' (then n − 1 more), then Sobol points over the box
 * [lo, hi] in the parameters not fixed; the fixed ones at x0. UCL_OK or UCL_ERR_NOMEM. */
static ucl_status sobol_points(run_ctx *rc, long n, int base, const double *x0, const int *fixed,
                               const double *lo, const double *hi, double *xs) {
  int k = rc->k, d = 0;
  for (int j = 0; j < k; j++) {
    d += !fixed[j];
  }
  gsl_qrng *q = d > 0 && d <= 40 ? gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)d) : NULL;
  if (d > 0 && d <= 40 && !q) {
    return ucl_diag_set(rc->diag, UCL_ERR_NOMEM, "out of memory");
  }
  for (long i = 0; i < n; i++) {
    double v[40];
    int at_base = (base && i == 0) || !q;
    if (!at_base) {
      gsl_qrng_get(q, v);
    }
    for (int j = 0, dj = 0; j < k; j++) {
      xs[(size_t)i * (size_t)k + (size_t)j] =
          at_base || fixed[j] ? x0[j] : lo[j] + v[dj] * (hi[j] - lo[j]);
      dj += !fixed[j];
    }
  }
  gsl_qrng_free(q);
  return UCL_OK;
}

/* Stage 0's start (rc->upto = 0): the base values x0 and n Sobol points over the box [lo, hi]
 * in the parameters not fixed (the acquisition's stay at x0), each simulated only up to the
 * first measured spike of each recording, into xs and rows (n × k and n × rc->W, the caller's);
 * the one of least χ² goes into u (Levenberg-Marquardt's [0, 1] coordinates). From the base
 * values alone, a start whose model fires pulses before the data do sits on a plateau: as R_in
 * moves the early spike jumps from pulse to pulse, and Levenberg-Marquardt stops on a step
 * (the ngspice recording from the default R_in: 10.04 kOhm against 12 kOhm). UCL_OK, or a
 * failure of the batch (rc->diag). */
static ucl_status stage0_start(run_ctx *rc, long n, const double *x0, const int *fixed,
                               const double *lo, const double *hi, double *xs, double *rows,
                               gsl_vector *u) {
  int k = rc->k;
  ucl_status st = sobol_points(rc, n, 1, x0, fixed, lo, hi, xs);
  if (st != UCL_OK) {
    return st;
  }
  const char *name = ucl_fit_variant_at(rc->f, rc->v)->name;
  say(rc, "variant %s: stage 0, %ld points before the first spikes", name, n);
  st = batch(rc, xs, (int)n, rows);
  if (st != UCL_OK) {
    return st;
  }
  long best = 0;
  double best_chi2 = INFINITY;
  for (long i = 0; i < n; i++) {
    double c = ucl_fit_row_chi2(rc->f, rc->v, rows + (size_t)i * (size_t)rc->W);
    if (c < best_chi2) { /* NAN (a failed run) never wins */
      best_chi2 = c;
      best = i;
    }
  }
  say(rc, "variant %s: stage 0 starts from point %ld (chi2 %.8g before the first spikes)", name,
      best, best_chi2);
  for (int j = 0; j < k; j++) {
    gsl_vector_set(u, (size_t)j, (xs[(size_t)best * (size_t)k + (size_t)j] - lo[j]) / rc->wd[j]);
  }
  return UCL_OK;
}

/* Fit variant v: global stage, local stage, analysis into *res. */
static ucl_status fit_variant(run_ctx *rc, ucl_fit_result *res) {
  const ucl_fit *f = rc->f;
  const ucl_fit_variant *va = ucl_fit_variant_at(f, rc->v);
  const ucl_fit_opts *o = ucl_fit_options(f);
  int k = va->n_free;
  int d = 0; /* model parameters (the default number of starts follows them) */
  for (int j = 0; j < k; j++) {
    d += !va->free[j].nuisance;
  }
  long n_starts = o->starts > 0 ? o->starts : 16L * (d + 1);
  /* room for the global stage's points: 2·n_starts − 1 + k at most */
  size_t room = 2 * (size_t)n_starts + (size_t)k;
  double *xs = malloc(room * (size_t)k * sizeof(double));
  double *rows = malloc(room * (size_t)rc->W * sizeof(double));
  scored *sc = malloc(room * sizeof(*sc));
  rc->jac_x = malloc((size_t)(k + 1) * (size_t)k * sizeof(double));
  rc->jac_rows = malloc((size_t)(k + 1) * (size_t)rc->W * sizeof(double));
  ucl_status st = xs && rows && sc && rc->jac_x && rc->jac_rows
                      ? UCL_OK
                      : ucl_diag_set(rc->diag, UCL_ERR_NOMEM, "out of memory");
  if (st == UCL_OK && rc->nres < (size_t)k) {
    st = ucl_diag_set(rc->diag, UCL_ERR_INVAL,
                      "variant %s: fewer residuals (%zu) than free parameters (%d)", va->name,
                      rc->nres, k);
  }
  /* a rank short of memory must not leave the others waiting in a collective */
  st = ucl_comm_agree(rc->comm, st, rc->diag);
  double lo[UCL_FIT_MAX_FREE], hi[UCL_FIT_MAX_FREE];
  for (int j = 0; j < k; j++) {
    const ucl_fit_param *p = &va->free[j];
    lo[j] = ucl_fit_param_x(p, p->lo);
    hi[j] = ucl_fit_param_x(p, p->hi);
  }
  /* Levenberg-Marquardt's workspace, for stage 0 and the local stage */
  size_t n = rc->nres + (size_t)k;
  gsl_multifit_nlinear_fdf fdf;
  memset(&fdf, 0, sizeof(fdf));
  fdf.f = gsl_f;
  fdf.df = gsl_df;
  fdf.n = n;
  fdf.p = (size_t)k;
  fdf.params = rc;
  gsl_multifit_nlinear_parameters fp = gsl_multifit_nlinear_default_parameters();
  fp.trs = gsl_multifit_nlinear_trs_lmaccel; /* geodesic acceleration: narrow curved valleys */
  fp.scale = gsl_multifit_nlinear_scale_more;
  gsl_multifit_nlinear_workspace *w =
      st == UCL_OK && n >= (size_t)k
          ? gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &fp, n, (size_t)k)
          : NULL;
  gsl_vector *x = gsl_vector_alloc((size_t)k);
  double *bestx = malloc((size_t)k * sizeof(double));
  double *bestJ = malloc(n * (size_t)k * sizeof(double));
  if (st == UCL_OK && (!w || !x || !bestx || !bestJ)) {
    st = ucl_diag_set(rc->diag, UCL_ERR_NOMEM, "out of memory");
  }
  /* stage 0: Levenberg-Marquardt from the base values on what precedes the first spike of each
   * recording (smooth in the parameters); what it pins starts every point of the global stage
   * at its values (docs/fit.md "Search") */
  int spikes = 0;
  for (int r = 0; r < ucl_fit_n_recordings(f); r++) {
    size_t ns = 0;
    (void)ucl_fit_measured_spikes(f, r, &ns);
    spikes |= ns > 0;
  }
  double x0[UCL_FIT_MAX_FREE];
  int fixed[UCL_FIT_MAX_FREE];
  for (int j = 0; j < k; j++) {
    rc->lo[j] = lo[j];
    rc->wd[j] = hi[j] - lo[j];
    x0[j] = ucl_fit_param_x(&va->free[j], va->free[j].start);
    fixed[j] = va->free[j].nuisance; /* the acquisition's: at 1 and 0 */
    if (x) {
      gsl_vector_set(x, (size_t)j, (x0[j] - lo[j]) / rc->wd[j]);
    }
  }
  if (st == UCL_OK && spikes) {
    rc->upto = 0;
    st = stage0_start(rc, n_starts, x0, fixed, lo, hi, xs, rows, x);
    say(rc, "variant %s: stage 0, Levenberg-Marquardt before the first spikes", va->name);
    st = st == UCL_OK ? lm_from(rc, &fdf, w, x, bestx, bestJ) : st;
    rc->upto = -1;
    if (st == UCL_OK) {
      st = pins_of(rc, w, bestx, bestJ, x0, fixed);
    }
    st = ucl_comm_agree(rc->comm, st, rc->diag);
  }
  /* point 0: the base values (those stage 0 pinned at its values); then Sobol points over the
   * box in the others; and if stage 0 pinned model parameters, as many again over the box in
   * every model parameter, and point 0 with each of them in turn back at its base value: the
   * part before the first spikes can pin a value the whole train disagrees with (a model error
   * there; on the ngspice recording it pinned R_GK 20.7 kOhm for the netlist's 27 kOhm, the
   * start of a valley that never reached it) */
  int d_free = 0, d_model = 0;
  for (int j = 0; j < k; j++) {
    d_free += !fixed[j];
    d_model += !va->free[j].nuisance;
  }
  int pinned = d_model - d_free;
  long n_points = pinned > 0 ? 2 * n_starts - 1 + pinned : n_starts;
  if (st == UCL_OK) {
    st = sobol_points(rc, n_starts, 1, x0, fixed, lo, hi, xs);
  }
  if (st == UCL_OK && n_points > n_starts) {
    int nuisance[UCL_FIT_MAX_FREE];
    for (int j = 0; j < k; j++) {
      nuisance[j] = va->free[j].nuisance;
    }
    st = sobol_points(rc, n_starts - 1, 0, x0, nuisance, lo, hi, xs + (size_t)n_starts * (size_t)k);
    double *pt = xs + (size_t)(2 * n_starts - 1) * (size_t)k;
    for (int j = 0; j < k; j++) {
      if (fixed[j] && !va->free[j].nuisance) {
        memcpy(pt, x0, (size_t)k * sizeof(double));
        pt[j] = ucl_fit_param_x(&va->free[j], va->free[j].start);
        pt += k;
      }
    }
  }
  st = ucl_comm_agree(rc->comm, st, rc->diag);
  if (st == UCL_OK) {
    say(rc, "variant %s: global stage, %ld points over %d parameters", va->name, n_starts, d_free);
    if (n_points > n_starts) {
      say(rc,
          "variant %s: and %ld over all %d model parameters, %d with one of those pinned back at "
          "its base value",
          va->name, n_starts - 1, d_model, pinned);
    }
    st = batch(rc, xs, (int)n_points, rows);
  }
  for (long i = 0; st == UCL_OK && i < n_points; i++) {
    sc[i].s = ucl_fit_row_score(f, rc->v, rows + (size_t)i * (size_t)rc->W);
    sc[i].i = i;
  }
  if (st == UCL_OK) {
    qsort(sc, (size_t)n_points, sizeof(*sc), by_score);
    say(rc, "variant %s: best start score %.6g (point %ld)", va->name, sc[0].s, sc[0].i);
  }
  st = ucl_comm_agree(rc->comm, st, rc->diag);
  /* derivative-free stage from the best starts, one per rank */
  int n_local = o->local < n_points ? o->local : (int)n_points;
  dfo_ctx dc;
  memset(&dc, 0, sizeof(dc));
  dc.f = f;
  dc.v = rc->v;
  dc.k = k;
  for (int j = 0; j < k; j++) {
    dc.lo[j] = lo[j];
    dc.hi[j] = hi[j];
    if (!fixed[j]) {
      dc.idx[dc.d++] = j; /* what stage 0 pinned stays: Levenberg-Marquardt frees it again */
    }
    if (!va->free[j].nuisance) {
      dc.idx_wide[dc.d_wide++] = j; /* the acquisition's stay */
    }
  }
  dc.max_evals = o->max_evals > 0 ? (int)o->max_evals : 60 * (k + 1);
  double *starts = malloc((size_t)n_local * (size_t)k * sizeof(double));
  double *dfo = malloc((size_t)n_local * (size_t)(k + 3) * sizeof(double));
  if (st == UCL_OK && (!starts || !dfo)) {
    st = ucl_diag_set(rc->diag, UCL_ERR_NOMEM, "out of memory");
  }
  st = ucl_comm_agree(rc->comm, st, rc->diag);
  int wide[64]; /* n_local <= [fit] local <= 64 (ucl_fit_load checks it) */
  for (int s = 0; st == UCL_OK && s < n_local; s++) {
    memcpy(starts + (size_t)s * (size_t)k, xs + (size_t)sc[s].i * (size_t)k,
           (size_t)k * sizeof(double));
    wide[s] = sc[s].i >= n_starts; /* from the second set: Subplex moves every model parameter */
  }
  if (st == UCL_OK) { /* a start with nothing to move is one evaluation (dfo_one) */
    dc.wide = wide;
    say(rc,
        "variant %s: Subplex from the best %d starts (at most %d evaluations per pass, two "
        "passes)",
        va->name, n_local, dc.max_evals);
    dc.starts = starts;
    st = ucl_sched_batch(rc->comm, n_local, k + 3, dfo_one, &dc, dfo, rc->diag);
  }
  int from = 0;
  for (int s = 0; st == UCL_OK && s < n_local; s++) {
    const double *ds = dfo + (size_t)s * (size_t)(k + 3);
    rc->evaluations += (long)ds[k + 1];
    say(rc, "variant %s: Subplex %d ends at score %.8g, chi2 %.8g (%ld evaluations)", va->name,
        s + 1, ds[k], ds[k + 2], (long)ds[k + 1]);
    /* the least χ² (what Levenberg-Marquardt goes on to lower), not the least score: the score
     * ranks trains that do not line up; once they do, its cap hides how far apart they are */
    if (ds[k + 2] < dfo[(size_t)from * (size_t)(k + 3) + (size_t)k + 2]) {
      from = s;
    }
  }
  /* Levenberg-Marquardt on χ² from the best of them, then along the valley and again */
  if (st == UCL_OK) {
    for (int j = 0; j < k; j++) {
      gsl_vector_set(x, (size_t)j,
                     (dfo[(size_t)from * (size_t)(k + 3) + (size_t)j] - lo[j]) / rc->wd[j]);
    }
    say(rc, "variant %s: Levenberg-Marquardt from Subplex %d", va->name, from + 1);
    double chi2_1 = INFINITY;
    st = polish(rc, &fdf, w, x, bestx, bestJ, &chi2_1);
  }
  free(starts);
  free(dfo);
  /* the optimum once more: its χ², its ok flag */
  if (st == UCL_OK) {
    st = batch(rc, bestx, 1, rc->cache_row);
  }
  if (st == UCL_OK) {
    double chi2 = ucl_fit_row_chi2(f, rc->v, rc->cache_row);
    st = ucl_fit_analyse(f, rc->v, bestx, bestJ, rc->nres, chi2, res, rc->diag);
    res->ok = rc->cache_row[rc->nres + (size_t)k + UCL_FIT_X_OK] > 0.5;
    for (int ft = 0; ft < ucl_fit_n_features(f); ft++) {
      res->feature[ft] = ucl_fit_row_feature(f, rc->cache_row, ft);
    }
    res->evaluations = rc->evaluations;
    res->starts = n_starts;
    res->local = n_local;
  }
  st = ucl_comm_agree(rc->comm, st, rc->diag);
  gsl_multifit_nlinear_free(w);
  gsl_vector_free(x);
  free(bestx);
  free(bestJ);
  free(xs);
  free(rows);
  free(sc);
  free(rc->jac_x);
  free(rc->jac_rows);
  rc->jac_x = rc->jac_rows = NULL;
  return st;
}

ucl_status ucl_fit_run(ucl_comm *comm, const ucl_fit *f, const char *out_dir,
                       void (*progress)(const char *line, void *ctx), void *ctx,
                       ucl_fit_report *rep, ucl_diag *diag) {
  double t0 = ucl_clock_s();
  memset(rep, 0, sizeof(*rep));
  /* GSL's default handler aborts: its codes are checked where they are returned (restored on
   * the way out; the handler is the process's, so this is not thread-safe) */
  gsl_error_handler_t *old_handler = gsl_set_error_handler_off();
  rep->n_variants = ucl_fit_n_variants(f);
  ucl_status st = UCL_OK;
  for (int v = 0; st == UCL_OK && v < rep->n_variants; v++) {
    run_ctx rc;
    memset(&rc, 0, sizeof(rc));
    rc.comm = comm;
    rc.f = f;
    rc.v = v;
    rc.k = ucl_fit_variant_at(f, v)->n_free;
    rc.W = ucl_fit_eval_width(f, v);
    rc.nres = ucl_fit_n_residuals(f, v);
    rc.diag = diag;
    rc.progress = progress;
    rc.pctx = ctx;
    rc.rank = ucl_comm_rank(comm);
    rc.upto = -1; /* every evaluation sees everything, but in stage 0 */
    rc.cache_x = malloc((size_t)rc.k * sizeof(double));
    rc.cache_row = malloc((size_t)rc.W * sizeof(double));
    st = ucl_comm_agree(comm, rc.cache_x && rc.cache_row ? UCL_OK : UCL_ERR_NOMEM, diag);
    if (st == UCL_OK) {
      st = fit_variant(&rc, &rep->res[v]);
    }
    rep->evaluations += rc.evaluations;
    free(rc.cache_x);
    free(rc.cache_row);
  }
  gsl_set_error_handler(old_handler);
  if (st != UCL_OK) {
    return st;
  }
  rep->best = 0;
  for (int v = 1; v < rep->n_variants; v++) {
    if (rep->res[v].aic < rep->res[rep->best].aic) {
      rep->best = v;
    }
  }
  rep->wall_s = ucl_clock_s() - t0;
  ucl_status local = UCL_OK;
  if (ucl_comm_rank(comm) == 0) {
    local = ucl_fit_write(f, rep->res, rep->n_variants, rep->best, out_dir, rep->wall_s,
                          ucl_comm_size(comm), diag);
  }
  return ucl_comm_agree(comm, local, diag);
}
