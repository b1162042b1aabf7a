/* integrator.c — the event loop over CVODES: BDF + Newton + dense linear solver (or, with
 * sparse_jacobian, a sparse one: coloured finite differences and KLU), quadratures for the
 * energy integrals, stop times at stimulus breaks followed by reinit, direction-restricted
 * root-finding for mode switches, and a bound on events per unit time. */
#include "uclif/integrator.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cvodes/cvodes.h>
#include <nvector/nvector_serial.h>
#include <sundials/sundials_version.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunlinsol/sunlinsol_klu.h>
#include <sunmatrix/sunmatrix_dense.h>
#include <sunmatrix/sunmatrix_sparse.h>

#define MAX_EVENTS_PER_SWITCH 64
#define MAX_ROOTS 4096
/* The progress callback is polled at least every this many CVODE steps (one CVode call takes at
 * most this many) and every this many passes of the event loop (samples, one-step steps). */
#define POLL_STEPS 2000
#define POLL_LOOPS 256

typedef struct sp_jac sp_jac;

typedef struct run_ctx {
  const ucl_system *sys;
  char cvode_msg[384];     /* the last message CVODE reported */
  sp_jac *jac;             /* sparse_jacobian: the colouring and scratch, else NULL */
  void *mem;               /* the CVODE memory (the sparse Jacobian reads its weights) */
  ucl_solver_stats *stats; /* the trace's: the sparse Jacobian's right-hand sides */
} run_ctx;

static int rhs_fn(realtype t, N_Vector y, N_Vector ydot, void *data) {
  run_ctx *r = data;
  return r->sys->ops->rhs(r->sys->ctx, t, N_VGetArrayPointer(y), N_VGetArrayPointer(ydot));
}

static int quad_fn(realtype t, N_Vector y, N_Vector qdot, void *data) {
  run_ctx *r = data;
  return r->sys->ops->quad(r->sys->ctx, t, N_VGetArrayPointer(y), N_VGetArrayPointer(qdot));
}

static int root_fn(realtype t, N_Vector y, realtype *g, void *data) {
  run_ctx *r = data;
  return r->sys->ops->roots(r->sys->ctx, t, N_VGetArrayPointer(y), g);
}

/* CVODE's messages go into the diagnostic, never to stderr. */
static void err_fn(int code, const char *module, const char *function, char *msg, void *data) {
  run_ctx *r = data;
  snprintf(r->cvode_msg, sizeof(r->cvode_msg), "%s (%s, code %d): %s", function, module, code, msg);
}

ucl_integrator_opts ucl_integrator_opts_from_params(const ucl_solver_params *s) {
  ucl_integrator_opts o;
  o.rtol = s->rtol;
  o.atol = s->atol;
  o.atol_quad = s->atol_energy;
  o.max_step = s->max_step;
  o.max_steps = (long)s->max_steps;
  o.chatter_events = (int)s->chatter_events;
  o.chatter_window = s->chatter_window;
  o.sample_dt = 0.0;
  o.sample_t0 = 0.0;
  o.sample_edges = 0;
  o.track_root_peaks = 0;
  o.stop_after_latches = 0;
  o.sparse_jacobian = 0;
  o.keep_history_at_breaks = 0;
  o.progress = NULL;
  o.progress_ctx = NULL;
  o.on_step = NULL;
  o.on_step_ctx = NULL;
  o.on_restart_point = NULL;
  o.on_restart_point_ctx = NULL;
  return o;
}

/* ---- the sparse Jacobian (sparse_jacobian) ---- */

/* The system's pattern with a colouring of its columns: colour k's columns are
 * col_of[colour_start[k]] ... col_of[colour_start[k + 1] - 1]; they share no row, so one
 * right-hand side at y + (their increments) gives all their entries. */
struct sp_jac {
  int n, nnz, n_colours;
  const int *cols, *rows; /* the system's pattern (borrowed) */
  int *colour_start;      /* n_colours + 1 */
  int *col_of;            /* n: the columns, grouped by colour */
  double *inc;            /* n: the increment of each column at this evaluation */
  N_Vector ytmp, ftmp, ewt;
};

static void sp_jac_free(sp_jac *j) {
  if (!j) {
    return;
  }
  free(j->colour_start);
  free(j->col_of);
  free(j->inc);
  if (j->ytmp) {
    N_VDestroy(j->ytmp);
  }
  if (j->ftmp) {
    N_VDestroy(j->ftmp);
  }
  if (j->ewt) {
    N_VDestroy(j->ewt);
  }
  free(j);
}

/* Whether the pattern is a CSC pattern of an n×n matrix with ascending rows in each column. */
static int pattern_ok(int n, const int *cols, const int *rows) {
  if (!cols || !rows || cols[0] != 0) {
    return 0;
  }
  for (int j = 0; j < n; j++) {
    if (cols[j + 1] < cols[j]) {
      return 0;
    }
    for (int p = cols[j]; p < cols[j + 1]; p++) {
      if (rows[p] < 0 || rows[p] >= n || (p > cols[j] && rows[p] <= rows[p - 1])) {
        return 0;
      }
    }
  }
  return 1;
}

/* Greedy colouring of the columns in order (each takes the smallest colour no column sharing a
 * row with it has), then the columns grouped by colour. Returns 0, or 1 for memory. */
static int sp_jac_colour(sp_jac *j) {
  int n = j->n, rc = 1;
  int *colour = malloc((size_t)n * sizeof(int));
  int *seen = malloc((size_t)(n + 1) * sizeof(int)); /* seen[k] = column that last saw colour k */
  int *rstart = calloc((size_t)n + 1, sizeof(int)),
      *rcols = malloc((size_t)(j->nnz + 1) * sizeof(int));
  int *fill = calloc((size_t)n, sizeof(int));
  j->colour_start = NULL;
  if (!colour || !seen || !rstart || !rcols || !fill) {
    goto done;
  }
  /* the transpose: the columns of each row */
  for (int p = 0; p < j->nnz; p++) {
    rstart[j->rows[p] + 1]++;
  }
  for (int r = 0; r < n; r++) {
    rstart[r + 1] += rstart[r];
  }
  for (int c = 0; c < n; c++) {
    for (int p = j->cols[c]; p < j->cols[c + 1]; p++) {
      int r = j->rows[p];
      rcols[rstart[r] + fill[r]++] = c;
    }
  }
  for (int k = 0; k <= n; k++) {
    seen[k] = -1;
  }
  j->n_colours = 0;
  for (int c = 0; c < n; c++) {
    for (int p = j->cols[c]; p < j->cols[c + 1]; p++) {
      int r = j->rows[p];
      for (int q = rstart[r]; q < rstart[r + 1]; q++) {
        int other = rcols[q];
        if (other < c) {
          seen[colour[other]] = c;
        }
      }
    }
    int k = 0;
    while (seen[k] == c) {
      k++;
    }
    colour[c] = k;
    if (k + 1 > j->n_colours) {
      j->n_colours = k + 1;
    }
  }
  j->colour_start = calloc((size_t)j->n_colours + 1, sizeof(int));
  if (!j->colour_start) {
    goto done;
  }
  for (int c = 0; c < n; c++) {
    j->colour_start[colour[c] + 1]++;
  }
  for (int k = 0; k < j->n_colours; k++) {
    j->colour_start[k + 1] += j->colour_start[k];
  }
  memset(fill, 0, (size_t)n * sizeof(int));
  for (int c = 0; c < n; c++) {
    j->col_of[j->colour_start[colour[c]] + fill[colour[c]]++] = c;
  }
  rc = 0;
done:
  free(colour);
  free(seen);
  free(rstart);
  free(rcols);
  free(fill);
  return rc;
}

/* The colouring and scratch of a system's pattern; NULL for memory. */
static sp_jac *sp_jac_new(const ucl_system *sys, SUNContext ctx) {
  sp_jac *j = calloc(1, sizeof(*j));
  if (!j) {
    return NULL;
  }
  j->n = sys->n_states;
  j->nnz = sys->jac_cols[sys->n_states];
  j->cols = sys->jac_cols;
  j->rows = sys->jac_rows;
  j->col_of = malloc((size_t)j->n * sizeof(int));
  j->inc = malloc((size_t)j->n * sizeof(double));
  j->ytmp = N_VNew_Serial(j->n, ctx);
  j->ftmp = N_VNew_Serial(j->n, ctx);
  j->ewt = N_VNew_Serial(j->n, ctx);
  if (!j->col_of || !j->inc || !j->ytmp || !j->ftmp || !j->ewt || sp_jac_colour(j) != 0) {
    sp_jac_free(j);
    return NULL;
  }
  return j;
}

/* CVODE's Jacobian function (CVLsJacFn) for sparse_jacobian: J = df/dy at (t, y), fy = f(t, y),
 * by one right-hand side per colour. The increments are those of CVODE's dense difference
 * quotients (cvLsDenseDQJac): inc_j = max(sqrt(U)·|y_j|, minInc/w_j) with w the error weights
 * and minInc = 1000·|h|·U·n·‖fy‖_WRMS (1 when ‖fy‖ = 0), U the unit roundoff. */
static int sparse_jac_fn(realtype t, N_Vector y, N_Vector fy, SUNMatrix J, void *data,
                         N_Vector tmp1, N_Vector tmp2, N_Vector tmp3) {
  (void)tmp1;
  (void)tmp2;
  (void)tmp3;
  run_ctx *r = data;
  sp_jac *j = r->jac;
  const ucl_system *sys = r->sys;
  double h = 0.0;
  if (CVodeGetErrWeights(r->mem, j->ewt) != CV_SUCCESS ||
      CVodeGetCurrentStep(r->mem, &h) != CV_SUCCESS) {
    return -1;
  }
  const double *yv = N_VGetArrayPointer(y), *f0 = N_VGetArrayPointer(fy);
  const double *w = N_VGetArrayPointer(j->ewt);
  double *yt = N_VGetArrayPointer(j->ytmp), *ft = N_VGetArrayPointer(j->ftmp);
  double srur = sqrt(DBL_EPSILON);
  double fnorm = N_VWrmsNorm(fy, j->ewt);
  double min_inc = fnorm != 0.0 ? 1000.0 * fabs(h) * DBL_EPSILON * j->n * fnorm : 1.0;
  sunindextype *colptr = SUNSparseMatrix_IndexPointers(J);
  sunindextype *rowval = SUNSparseMatrix_IndexValues(J);
  double *val = SUNSparseMatrix_Data(J);
  for (int c = 0; c <= j->n; c++) {
    colptr[c] = j->cols[c];
  }
  for (int p = 0; p < j->nnz; p++) {
    rowval[p] = j->rows[p];
  }
  memcpy(yt, yv, (size_t)j->n * sizeof(double));
  for (int k = 0; k < j->n_colours; k++) {
    for (int q = j->colour_start[k]; q < j->colour_start[k + 1]; q++) {
      int c = j->col_of[q];
      double inc = fmax(srur * fabs(yv[c]), min_inc / w[c]);
      yt[c] = yv[c] + inc;
      j->inc[c] = yt[c] - yv[c]; /* the increment as represented */
    }
    int rc = sys->ops->rhs(sys->ctx, t, yt, ft);
    r->stats->rhs_evals++;
    if (rc != 0) {
      return rc;
    }
    for (int q = j->colour_start[k]; q < j->colour_start[k + 1]; q++) {
      int c = j->col_of[q];
      for (int p = j->cols[c]; p < j->cols[c + 1]; p++) {
        val[p] = (ft[j->rows[p]] - f0[j->rows[p]]) / j->inc[c];
      }
      yt[c] = yv[c];
    }
  }
  return 0;
}

/* Everything one run owns; freed at one place. */
typedef struct cv_run {
  SUNContext sunctx;
  void *mem;
  N_Vector y, q, ys; /* ys: interpolated state for samples in one-step mode */
  SUNMatrix A;
  SUNLinearSolver LS;
  double *channels;
  double *times;     /* ring of recent event times (chattering test) */
  double *work;      /* 3·n_states scratch for the initial-step estimate */
  double *g, *peaks; /* root values and their peaks (track_root_peaks) */
  long latches;      /* latch events so far (stop_after_latches) */
  ucl_event *ev;     /* events of one switch: room for every root plus a margin */
  int ev_cap;
  int *fired, *dirs;
  sp_jac *jac; /* sparse_jacobian */
} cv_run;

static void cv_run_free(cv_run *c) {
  if (c->mem) {
    CVodeFree(&c->mem);
  }
  if (c->LS) {
    SUNLinSolFree(c->LS);
  }
  if (c->A) {
    SUNMatDestroy(c->A);
  }
  if (c->y) {
    N_VDestroy(c->y);
  }
  if (c->q) {
    N_VDestroy(c->q);
  }
  if (c->ys) {
    N_VDestroy(c->ys);
  }
  if (c->sunctx) {
    SUNContext_Free(&c->sunctx);
  }
  free(c->channels);
  free(c->times);
  free(c->work);
  free(c->g);
  free(c->peaks);
  free(c->fired);
  free(c->dirs);
  free(c->ev);
  sp_jac_free(c->jac);
}

/* Add CVODE's counters to the totals (they restart at every reinit). */
static void harvest_stats(void *mem, ucl_solver_stats *s) {
  long v = 0;
  if (CVodeGetNumSteps(mem, &v) == CV_SUCCESS) {
    s->steps += v;
  }
  if (CVodeGetNumRhsEvals(mem, &v) == CV_SUCCESS) {
    s->rhs_evals += v;
  }
  if (CVodeGetNumLinRhsEvals(mem, &v) == CV_SUCCESS) {
    s->rhs_evals += v;
  }
  if (CVodeGetQuadNumRhsEvals(mem, &v) == CV_SUCCESS) {
    s->quad_evals += v;
  }
  if (CVodeGetNumJacEvals(mem, &v) == CV_SUCCESS) {
    s->jac_evals += v;
  }
  if (CVodeGetNumLinSolvSetups(mem, &v) == CV_SUCCESS) {
    s->lin_setups += v;
  }
  if (CVodeGetNumErrTestFails(mem, &v) == CV_SUCCESS) {
    s->err_test_fails += v;
  }
  long q = 0;
  if (CVodeGetQuadNumErrTestFails(mem, &q) == CV_SUCCESS) {
    s->err_test_fails += q;
  }
  if (CVodeGetNumNonlinSolvIters(mem, &v) == CV_SUCCESS) {
    s->nonlin_iters += v;
  }
  if (CVodeGetNumNonlinSolvConvFails(mem, &v) == CV_SUCCESS) {
    s->nonlin_fails += v;
  }
  if (CVodeGetNumGEvals(mem, &v) == CV_SUCCESS) {
    s->root_evals += v;
  }
}

static ucl_status cv_fail(run_ctx *r, int flag, double t, const char *what, ucl_diag *diag) {
  char *name = CVodeGetReturnFlagName(flag);
  ucl_status st = (flag == CV_TOO_MUCH_WORK) ? UCL_ERR_LIMIT : UCL_ERR_SOLVER;
  ucl_diag_set(diag, st, "CVODE %s failed at t=%.9g s: %s%s%s", what, t, name ? name : "?",
               r->cvode_msg[0] ? ": " : "", r->cvode_msg);
  free(name);
  return st;
}

static ucl_status sample_state(const ucl_system *sys, cv_run *c, double t, const double *y,
                               ucl_trace *tr, ucl_diag *diag) {
  if (sys->ops->observe(sys->ctx, t, y, c->channels) != 0) {
    return ucl_diag_set(diag, UCL_ERR_SOLVER, "circuit node solve failed at t=%.9g s", t);
  }
  ucl_status st = ucl_trace_add_sample(tr, t, c->channels);
  if (st == UCL_ERR_LIMIT) {
    return ucl_diag_set(diag, UCL_ERR_LIMIT,
                        "more waveform samples than the run may keep (%zu) at t=%.9g s",
                        ucl_trace_n_samples(tr), t);
  }
  return st == UCL_OK ? UCL_OK : ucl_diag_set(diag, st, "out of memory storing samples");
}

static ucl_status sample(const ucl_system *sys, cv_run *c, double t, ucl_trace *tr,
                         ucl_diag *diag) {
  return sample_state(sys, c, t, N_VGetArrayPointer(c->y), tr, diag);
}

/* The step hook (on_step) at the current state. */
static ucl_status step_hook(const ucl_integrator_opts *o, cv_run *c, double t, ucl_diag *diag) {
  if (o->on_step && o->on_step(o->on_step_ctx, t, N_VGetArrayPointer(c->y)) != 0) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory recording the trajectory at t=%.9g s",
                        t);
  }
  return UCL_OK;
}

/* Apply mode switches (fired == NULL: settle), log them and test for chattering. Returns the
 * number of events through *n_out. */
static ucl_status apply_switches(const ucl_system *sys, cv_run *c, const ucl_integrator_opts *o,
                                 double t, const int *fired, ucl_trace *tr, long *n_events,
                                 int *n_out, ucl_diag *diag) {
  ucl_event *ev = c->ev;
  int n = sys->ops->switch_modes(sys->ctx, t, N_VGetArrayPointer(c->y), fired, ev, c->ev_cap);
  if (n < 0) {
    return ucl_diag_set(diag, UCL_ERR_SOLVER, "mode switch failed at t=%.9g s", t);
  }
  for (int i = 0; i < n; i++) {
    ev[i].t = t;
    if (ucl_trace_add_event(tr, &ev[i]) != UCL_OK) {
      return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory storing events");
    }
    c->latches += (ev[i].kind == UCL_EVENT_LATCH);
    long k = (*n_events)++;
    int ring = o->chatter_events;
    double oldest = c->times[k % ring];
    c->times[k % ring] = t;
    if (k >= ring && t - oldest < o->chatter_window) {
      return ucl_diag_set(diag, UCL_ERR_EVENTS,
                          "chattering: %d mode switches within %g s (last at t=%.9g s, %s)", ring,
                          o->chatter_window, t, ucl_event_kind_name(ev[i].kind));
    }
  }
  *n_out = n;
  return UCL_OK;
}

/* Settle the modes at t: switch until no switching condition holds (bounded by the
 * chattering test, since all such events share the instant t). */
static ucl_status settle(const ucl_system *sys, cv_run *c, const ucl_integrator_opts *o, double t,
                         ucl_trace *tr, long *n_events, ucl_diag *diag) {
  for (;;) {
    int n = 0;
    ucl_status st = apply_switches(sys, c, o, t, NULL, tr, n_events, &n, diag);
    if (st != UCL_OK || n == 0) {
      return st;
    }
  }
}

/* Update the peaks of the rising-watched root functions at (t, y). */
static ucl_status track_peaks(const ucl_system *sys, cv_run *c, const ucl_integrator_opts *o,
                              double t, ucl_diag *diag) {
  if (!o->track_root_peaks || sys->n_roots < 1) {
    return UCL_OK;
  }
  if (sys->ops->roots(sys->ctx, t, N_VGetArrayPointer(c->y), c->g) != 0) {
    return ucl_diag_set(diag, UCL_ERR_SOLVER, "root function failed at t=%.9g s", t);
  }
  sys->ops->root_dirs(sys->ctx, c->dirs);
  for (int k = 0; k < sys->n_roots; k++) {
    if (c->dirs[k] > 0 && c->g[k] > c->peaks[k]) {
      c->peaks[k] = c->g[k];
    }
  }
  return UCL_OK;
}

/* A row just before or after an event or break, when edge sampling is on. */
static ucl_status edge_sample(const ucl_system *sys, cv_run *c, const ucl_integrator_opts *o,
                              double t, ucl_trace *tr, ucl_diag *diag) {
  return o->sample_edges ? sample(sys, c, t, tr, diag) : UCL_OK;
}

/* First step after a restart. CVODE's own estimate also weighs the quadratures, whose running
 * totals are small early in a run, and picks steps orders of magnitude below what the states
 * need (a 10 us pulse then takes ten order-1 steps). Here the second derivative of the states
 * is estimated from one extra right-hand side evaluation and the order-1 local error
 * h²/2·|y''| is aimed at half the tolerance; the error test corrects a guess that is too large.
 * Returns 0 when no estimate can be made (CVODE then estimates). */
static double initial_step(const ucl_system *sys, cv_run *c, const ucl_integrator_opts *o, double t,
                           double seg) {
  int n = sys->n_states;
  double *y = N_VGetArrayPointer(c->y);
  double *f0 = c->work, *f1 = c->work + n, *y1 = c->work + 2 * n;
  double d = 1e-3 * seg;
  if (!(d > 0.0) || sys->ops->rhs(sys->ctx, t, y, f0) != 0) {
    return 0.0;
  }
  for (int i = 0; i < n; i++) {
    y1[i] = y[i] + d * f0[i];
  }
  if (sys->ops->rhs(sys->ctx, t + d, y1, f1) != 0) {
    return 0.0;
  }
  double worst = 0.0;
  for (int i = 0; i < n; i++) {
    double ydd = fabs(f1[i] - f0[i]) / d;
    double tol = o->rtol * fabs(y[i]) + o->atol;
    worst = fmax(worst, ydd / tol);
  }
  double h = worst > 0.0 ? sqrt(1.0 / worst) : seg;
  return fmin(h, 0.5 * seg);
}

/* Ask the progress callback whether to go on: UCL_ERR_LIMIT when it says stop. */
static ucl_status poll_progress(const ucl_integrator_opts *o, double t, double t_end,
                                ucl_diag *diag) {
  if (o->progress && o->progress(o->progress_ctx, t, t_end) != 0) {
    return ucl_diag_set(diag, UCL_ERR_LIMIT, "stopped by the caller at t=%.9g s", t);
  }
  return UCL_OK;
}

/* The step cap (s, 0 = none): the solver's max_step, else the system's hint; never above the
 * system's hard cap (the noise's knot spacing). */
static double max_step(const ucl_system *sys, const ucl_integrator_opts *o) {
  double h = o->max_step > 0.0 ? o->max_step : sys->max_step_hint;
  if (sys->max_step_cap > 0.0) {
    h = h > 0.0 ? fmin(h, sys->max_step_cap) : sys->max_step_cap;
  }
  return h;
}

/* Restart CVODE at (t, c->y): the first step from initial_step, or h0 (> 0) when the caller
 * knows a better one (a checkpoint's step size). */
static ucl_status restart_h(const ucl_system *sys, cv_run *c, run_ctx *r,
                            const ucl_integrator_opts *o, double t, double t_end, double h0,
                            ucl_solver_stats *stats, ucl_diag *diag) {
  harvest_stats(c->mem, stats);
  int flag = CVodeReInit(c->mem, t, c->y);
  if (flag == CV_SUCCESS) {
    double seg = fmin(sys->ops->next_break(sys->ctx, t), t_end) - t;
    double hmax = max_step(sys, o);
    if (hmax > 0.0) {
      seg = fmin(seg, hmax);
    }
    double h = h0 > 0.0 ? fmin(h0, 0.5 * seg) : initial_step(sys, c, o, t, seg);
    flag = CVodeSetInitStep(c->mem, h);
  }
  if (flag == CV_SUCCESS && sys->n_quads > 0) {
    flag = CVodeQuadReInit(c->mem, c->q);
  }
  if (flag == CV_SUCCESS && sys->n_roots > 0) {
    sys->ops->root_dirs(sys->ctx, c->dirs);
    flag = CVodeSetRootDirection(c->mem, c->dirs);
  }
  stats->reinits++;
  if (flag != CV_SUCCESS) {
    return cv_fail(r, flag, t, "reinit", diag);
  }
  return poll_progress(o, t, t_end, diag);
}

static ucl_status restart(const ucl_system *sys, cv_run *c, run_ctx *r,
                          const ucl_integrator_opts *o, double t, double t_end,
                          ucl_solver_stats *stats, ucl_diag *diag) {
  return restart_h(sys, c, r, o, t, t_end, 0.0, stats, diag);
}

/* After a break with keep_history_at_breaks: no reinit, CVODE goes on from its history; the
 * root directions of the modes settled at the break, and the progress callback as at a
 * restart. */
static ucl_status go_on(const ucl_system *sys, cv_run *c, run_ctx *r, const ucl_integrator_opts *o,
                        double t, double t_end, ucl_diag *diag) {
  if (sys->n_roots > 0) {
    sys->ops->root_dirs(sys->ctx, c->dirs);
    int flag = CVodeSetRootDirection(c->mem, c->dirs);
    if (flag != CV_SUCCESS) {
      return cv_fail(r, flag, t, "root directions", diag);
    }
  }
  return poll_progress(o, t, t_end, diag);
}

/* ---- the steps of ucl_integrate ---- */

/* One integration: the system, the options, the run's resources and the loop's position. */
typedef struct ig_loop {
  const ucl_system *sys;
  const ucl_integrator_opts *o;
  ucl_trace *tr;
  ucl_solver_stats *stats; /* the trace's */
  double t_end;
  cv_run c;
  run_ctx r;
  double t;      /* reached so far */
  long n_events; /* mode switches so far (chattering test) */
  int sampling;  /* sample_dt > 0 */
  int one_step;  /* CVODE in one-step mode (an on_step hook) */
  long k_sample; /* index of the next sample */
  long loops;    /* passes of the event loop (POLL_LOOPS) */
} ig_loop;

/* The time of periodic sample k. */
static double sample_time(const ig_loop *L, long k) {
  return L->o->sample_t0 + (double)k * L->o->sample_dt;
}

/* The time of the next sample; INFINITY when not sampling. */
static double next_sample(const ig_loop *L) {
  return L->sampling ? sample_time(L, L->k_sample) : INFINITY;
}

/* Allocate the run's vectors, matrix, linear solver and scratch, and set the initial state. */
static ucl_status alloc_run(ig_loop *L, ucl_diag *diag) {
  const ucl_system *sys = L->sys;
  cv_run *c = &L->c;
  int flag;
#if SUNDIALS_VERSION_MAJOR >= 7
  flag = SUNContext_Create(SUN_COMM_NULL, &c->sunctx);
#else
  flag = SUNContext_Create(NULL, &c->sunctx);
#endif
  if (flag != 0) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "cannot create a SUNDIALS context");
  }
  c->y = N_VNew_Serial(sys->n_states, c->sunctx);
  c->q = N_VNew_Serial(sys->n_quads > 0 ? sys->n_quads : 1, c->sunctx);
  c->ys = N_VNew_Serial(sys->n_states, c->sunctx);
  if (L->o->sparse_jacobian) {
    if (!pattern_ok(sys->n_states, sys->jac_cols, sys->jac_rows)) {
      return ucl_diag_set(diag, UCL_ERR_INVAL,
                          "integrator: a sparse Jacobian needs the system's pattern (CSC, "
                          "ascending rows)");
    }
    c->A = SUNSparseMatrix(sys->n_states, sys->n_states,
                           sys->jac_cols[sys->n_states] > 0 ? sys->jac_cols[sys->n_states] : 1,
                           CSC_MAT, c->sunctx);
    c->jac = sp_jac_new(sys, c->sunctx);
    L->r.jac = c->jac;
    L->r.stats = L->stats;
    if (!c->jac) {
      return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory setting up CVODE");
    }
  } else {
    c->A = SUNDenseMatrix(sys->n_states, sys->n_states, c->sunctx);
  }
  if (c->y && c->q) {
    /* fused vector kernels: fewer calls per step for these short vectors */
    N_VEnableFusedOps_Serial(c->y, SUNTRUE);
    N_VEnableFusedOps_Serial(c->q, SUNTRUE);
  }
  c->channels = calloc((size_t)(sys->n_channels > 0 ? sys->n_channels : 1), sizeof(double));
  c->times = calloc((size_t)L->o->chatter_events, sizeof(double));
  c->fired = calloc((size_t)(sys->n_roots > 0 ? sys->n_roots : 1), sizeof(int));
  c->dirs = calloc((size_t)(sys->n_roots > 0 ? sys->n_roots : 1), sizeof(int));
  c->work = calloc(3 * (size_t)sys->n_states, sizeof(double));
  c->g = calloc((size_t)(sys->n_roots > 0 ? sys->n_roots : 1), sizeof(double));
  c->peaks = calloc((size_t)(sys->n_roots > 0 ? sys->n_roots : 1), sizeof(double));
  c->ev_cap = sys->n_roots + MAX_EVENTS_PER_SWITCH;
  c->ev = calloc((size_t)c->ev_cap, sizeof(ucl_event));
  if (!c->y || !c->q || !c->ys || !c->A || !c->channels || !c->times || !c->fired || !c->dirs ||
      !c->work || !c->g || !c->peaks || !c->ev) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory setting up CVODE");
  }
  c->LS = L->o->sparse_jacobian ? SUNLinSol_KLU(c->y, c->A, c->sunctx)
                                : SUNLinSol_Dense(c->y, c->A, c->sunctx);
  if (!c->LS) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory setting up CVODE");
  }
  memcpy(N_VGetArrayPointer(c->y), sys->y0, (size_t)sys->n_states * sizeof(double));
  for (int k = 0; k < sys->n_roots; k++) {
    c->peaks[k] = -INFINITY;
  }
  N_VConst(0.0, c->q);
  return UCL_OK;
}

/* Create CVODE at t = 0: BDF, tolerances, dense (or sparse) linear solver, step limits, quadratures
 * with error control, root functions with their directions. */
static ucl_status init_cvode(ig_loop *L, ucl_diag *diag) {
  const ucl_system *sys = L->sys;
  const ucl_integrator_opts *o = L->o;
  cv_run *c = &L->c;
  c->mem = CVodeCreate(CV_BDF, c->sunctx);
  if (!c->mem) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "CVodeCreate failed");
  }
  int flag = CVodeSetErrHandlerFn(c->mem, err_fn, &L->r);
  if (flag == CV_SUCCESS) {
    flag = CVodeInit(c->mem, rhs_fn, 0.0, c->y);
  }
  if (flag == CV_SUCCESS) {
    flag = CVodeSetUserData(c->mem, &L->r);
  }
  if (flag == CV_SUCCESS) {
    flag = CVodeSStolerances(c->mem, o->rtol, o->atol);
  }
  if (flag == CV_SUCCESS) {
    flag = CVodeSetLinearSolver(c->mem, c->LS, c->A);
  }
  if (flag == CV_SUCCESS && c->jac) {
    L->r.mem = c->mem;
    flag = CVodeSetJacFn(c->mem, sparse_jac_fn);
  }
  double hmax = max_step(sys, o);
  if (flag == CV_SUCCESS && hmax > 0.0) {
    flag = CVodeSetMaxStep(c->mem, hmax);
  }
  if (flag == CV_SUCCESS) {
    flag = CVodeSetMaxNumSteps(c->mem, o->max_steps);
  }
  if (flag == CV_SUCCESS && sys->n_quads > 0) {
    flag = CVodeQuadInit(c->mem, quad_fn, c->q);
    if (flag == CV_SUCCESS) {
      flag = CVodeQuadSStolerances(c->mem, 0.1 * o->rtol, o->atol_quad);
    }
    if (flag == CV_SUCCESS) {
      flag = CVodeSetQuadErrCon(c->mem, SUNTRUE);
    }
  }
  if (flag == CV_SUCCESS && sys->n_roots > 0) {
    flag = CVodeRootInit(c->mem, sys->n_roots, root_fn);
    if (flag == CV_SUCCESS) {
      sys->ops->root_dirs(sys->ctx, c->dirs);
      flag = CVodeSetRootDirection(c->mem, c->dirs);
    }
    if (flag == CV_SUCCESS) {
      flag = CVodeSetNoInactiveRootWarn(c->mem);
    }
  }
  return flag == CV_SUCCESS ? UCL_OK : cv_fail(&L->r, flag, 0.0, "setup", diag);
}

/* Set up and start at t = 0: resources, the first segment and its settled modes (before CVODE
 * sees the system), CVODE, the first sample and the step hook. */
static ucl_status start(ig_loop *L, ucl_diag *diag) {
  const ucl_system *sys = L->sys;
  ucl_status st = alloc_run(L, diag);
  if (st != UCL_OK) {
    return st;
  }
  sys->ops->begin_segment(sys->ctx, 0.0);
  st = settle(sys, &L->c, L->o, 0.0, L->tr, &L->n_events, diag);
  if (st == UCL_OK) {
    st = init_cvode(L, diag);
  }
  /* the row at t = 0: periodic sample 0, or the first edge row */
  if (st == UCL_OK && ((L->sampling && L->o->sample_t0 == 0.0) || L->o->sample_edges)) {
    st = sample(sys, &L->c, 0.0, L->tr, diag);
    L->k_sample = L->o->sample_t0 == 0.0 ? 1 : 0;
  }
  if (st == UCL_OK) {
    st = step_hook(L->o, &L->c, 0.0, diag);
  }
  return st;
}

/* Advance CVODE towards t_stop (a stimulus break or the end, set as its stop time): one step in
 * one-step mode, else up to t_out, in calls of at most POLL_STEPS steps with the progress
 * callback polled between them. Updates L->t and the quadratures, writes the samples a
 * one-step passed (from CVODE's interpolant), and returns CVODE's flag (CV_SUCCESS,
 * CV_TSTOP_RETURN or CV_ROOT_RETURN) in *cv_flag. UCL_ERR_LIMIT at the step limit or when the
 * progress callback says stop. */
static ucl_status advance(ig_loop *L, double t_stop, double t_out, int *cv_flag, ucl_diag *diag) {
  const ucl_integrator_opts *o = L->o;
  cv_run *c = &L->c;
  int flag = CVodeSetStopTime(c->mem, t_stop);
  for (;;) {
    long steps_left = o->max_steps - L->stats->steps;
    long steps_now = 0;
    CVodeGetNumSteps(c->mem, &steps_now);
    steps_left -= steps_now;
    if (steps_left < 1) {
      return ucl_diag_set(diag, UCL_ERR_LIMIT, "step limit (max_steps = %ld) reached at t=%.9g s",
                          o->max_steps, L->t);
    }
    long chunk = steps_left < POLL_STEPS ? steps_left : POLL_STEPS;
    if (flag == CV_SUCCESS) {
      flag = CVodeSetMaxNumSteps(c->mem, chunk);
    }
    if (flag == CV_SUCCESS) {
      flag = L->one_step ? CVode(c->mem, t_stop, c->y, &L->t, CV_ONE_STEP)
                         : CVode(c->mem, t_out, c->y, &L->t, CV_NORMAL);
    }
    if (flag != CV_TOO_MUCH_WORK || chunk == steps_left) {
      break;
    }
    /* a chunk of steps done, the step limit not reached: CVODE goes on from where it stopped */
    L->r.cvode_msg[0] = '\0';
    ucl_status st = poll_progress(o, L->t, L->t_end, diag);
    if (st != UCL_OK) {
      return st;
    }
    flag = CV_SUCCESS;
  }
  if (flag < 0) {
    ucl_status st = cv_fail(&L->r, flag, L->t, "step", diag);
    if (flag == CV_TOO_MUCH_WORK) {
      ucl_diag_set(diag, UCL_ERR_LIMIT, "step limit (max_steps = %ld) reached at t=%.9g s",
                   o->max_steps, L->t);
    }
    return st;
  }
  *cv_flag = flag;
  if (L->sys->n_quads > 0) {
    double tq;
    flag = CVodeGetQuad(c->mem, &tq, c->q);
    if (flag != CV_SUCCESS) {
      return cv_fail(&L->r, flag, L->t, "quadrature", diag);
    }
  }
  /* one-step mode: the samples this step passed, from CVODE's interpolant */
  double t_sample = next_sample(L);
  while (L->one_step && L->sampling && t_sample <= L->t) {
    flag = CVodeGetDky(c->mem, t_sample, 0, c->ys);
    if (flag != CV_SUCCESS) {
      return cv_fail(&L->r, flag, t_sample, "interpolation", diag);
    }
    ucl_status st = sample_state(L->sys, c, t_sample, N_VGetArrayPointer(c->ys), L->tr, diag);
    if (st != UCL_OK) {
      return st;
    }
    t_sample = sample_time(L, ++L->k_sample);
  }
  return UCL_OK;
}

/* CVODE stopped at a root: the edge row and hook before, the mode switches of the fired roots,
 * and when any switched, the hook and edge row after and a restart. */
static ucl_status handle_roots(ig_loop *L, ucl_diag *diag) {
  const ucl_system *sys = L->sys;
  cv_run *c = &L->c;
  double t = L->t;
  int flag = CVodeGetRootInfo(c->mem, c->fired);
  if (flag != CV_SUCCESS) {
    return cv_fail(&L->r, flag, t, "root info", diag);
  }
  int n = 0;
  ucl_status st = edge_sample(sys, c, L->o, t, L->tr, diag);
  if (st == UCL_OK) {
    st = step_hook(L->o, c, t, diag);
  }
  if (st == UCL_OK) {
    st = apply_switches(sys, c, L->o, t, c->fired, L->tr, &L->n_events, &n, diag);
  }
  if (st == UCL_OK && n > 0) {
    st = step_hook(L->o, c, t, diag);
  }
  if (st == UCL_OK && n > 0) {
    st = edge_sample(sys, c, L->o, t, L->tr, diag);
    if (st == UCL_OK) {
      st = restart(sys, c, &L->r, L->o, t, L->t_end, L->stats, diag);
    }
  }
  return st;
}

/* A stimulus break at L->t: the row before the edge (unless a sample was just written there),
 * root peaks, the hook; then a new segment, settled modes, the hook, the row after the edge and
 * a restart. The segment begins and the break is counted even after a failure. */
static ucl_status handle_break(ig_loop *L, int sampled_here, ucl_diag *diag) {
  const ucl_system *sys = L->sys;
  cv_run *c = &L->c;
  double t = L->t;
  ucl_status st = UCL_OK;
  if (!sampled_here) {
    st = edge_sample(sys, c, L->o, t, L->tr, diag); /* the row before the edge */
  }
  if (st == UCL_OK) {
    st = track_peaks(sys, c, L->o, t, diag);
  }
  if (st == UCL_OK) {
    st = step_hook(L->o, c, t, diag);
  }
  sys->ops->begin_segment(sys->ctx, t);
  L->stats->breaks++;
  if (st == UCL_OK) {
    st = settle(sys, c, L->o, t, L->tr, &L->n_events, diag);
  }
  if (st == UCL_OK) {
    st = step_hook(L->o, c, t, diag);
  }
  if (st == UCL_OK) {
    st = edge_sample(sys, c, L->o, t, L->tr, diag); /* and after it */
  }
  if (st == UCL_OK) {
    st = L->o->keep_history_at_breaks ? go_on(sys, c, &L->r, L->o, t, L->t_end, diag)
                                      : restart(sys, c, &L->r, L->o, t, L->t_end, L->stats, diag);
  }
  return st;
}

/* The end at L->t: the last row (unless a sample was just written there), root peaks, the
 * hook. */
static ucl_status finish(ig_loop *L, ucl_diag *diag) {
  const ucl_integrator_opts *o = L->o;
  ucl_status st = UCL_OK;
  if (!(L->sampling && L->k_sample > 0 && sample_time(L, L->k_sample - 1) == L->t)) {
    st = edge_sample(L->sys, &L->c, o, L->t, L->tr, diag); /* the end */
  }
  if (st == UCL_OK) {
    st = track_peaks(L->sys, &L->c, o, L->t, diag);
  }
  if (st == UCL_OK) {
    st = step_hook(o, &L->c, L->t, diag);
  }
  return st;
}

/* Store what the run leaves in the trace, on success or failure: solver counters, energy
 * integrals, the time reached, root peaks. Returns st, or UCL_ERR_NOMEM when st was UCL_OK and
 * storing failed. */
static ucl_status store_results(ig_loop *L, ucl_status st, ucl_diag *diag) {
  const ucl_system *sys = L->sys;
  cv_run *c = &L->c;
  if (c->mem) {
    harvest_stats(c->mem, L->stats);
  }
  if (sys->n_quads > 0 && c->q &&
      ucl_trace_set_quads(L->tr, sys->n_quads, sys->quad_names, N_VGetArrayPointer(c->q)) !=
          UCL_OK &&
      st == UCL_OK) {
    st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory storing the energy integrals");
  }
  ucl_trace_set_t_reached(L->tr, L->t);
  if (L->o->track_root_peaks && c->peaks &&
      ucl_trace_set_root_peaks(L->tr, sys->n_roots, c->peaks) != UCL_OK && st == UCL_OK) {
    st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory storing root peaks");
  }
  return st;
}

/* Integrate from L->t until t_until (<= t_end; a stop time of CVODE, not a break: no reinit
 * there), handling the samples, events and breaks on the way. A break at t_until is handled
 * before returning. Returns UCL_OK at t_until (or earlier when stop_after_latches is met).
 * 'past' (one-step mode only): t_until is not a stop time; returns after the first step that
 * reaches it or beyond (ucl_integration_advance_past). */
static ucl_status run_until(ig_loop *L, double t_until, int past, ucl_diag *diag) {
  const ucl_system *sys = L->sys;
  const ucl_integrator_opts *o = L->o;
  ucl_status st = UCL_OK;
  while (st == UCL_OK && L->t < t_until) {
    if (o->stop_after_latches > 0 && L->c.latches >= o->stop_after_latches) {
      break; /* the caller has what it asked for */
    }
    if (++L->loops % POLL_LOOPS == 0 && (st = poll_progress(o, L->t, L->t_end, diag)) != UCL_OK) {
      break;
    }
    double t_break = sys->ops->next_break(sys->ctx, L->t);
    double t_stop = t_break < L->t_end ? t_break : L->t_end;
    if (!(past && L->one_step)) { /* past: t_until is not a stop (the loop ends beyond it) */
      t_stop = t_until < t_stop ? t_until : t_stop;
    }
    /* Times within a few ulp of t are already reached: CVODE refuses so short a step. */
    double close = 64.0 * DBL_EPSILON * (fabs(L->t) + (L->sampling ? o->sample_dt : 0.0));
    double t_sample = next_sample(L);
    if (t_sample <= L->t + close) {
      st = sample(sys, &L->c, t_sample, L->tr, diag); /* y(t_sample) = y(t) to rounding */
      L->k_sample++;
      continue;
    }
    double t_out = t_sample < t_stop ? t_sample : t_stop;
    int cv_flag = CV_TSTOP_RETURN;
    if (t_stop <= L->t + close) {
      L->t = t_stop; /* a break or the end closer than CVODE can step: already there */
    } else {
      st = advance(L, t_stop, t_out, &cv_flag, diag);
      if (st == UCL_OK && L->one_step && cv_flag == CV_SUCCESS) {
        st = step_hook(o, &L->c, L->t, diag);
        if (st == UCL_OK && o->on_restart_point &&
            o->on_restart_point(o->on_restart_point_ctx, L->t) != 0) {
          st =
              ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory for a checkpoint at t=%.9g s", L->t);
        }
        continue;
      }
      if (st != UCL_OK) {
        break;
      }
      t_sample = next_sample(L);
    }
    if (cv_flag == CV_ROOT_RETURN) {
      st = handle_roots(L, diag);
      continue;
    }
    int sampled_here = L->sampling && L->t == t_sample;
    if (sampled_here) {
      st = sample(sys, &L->c, L->t, L->tr, diag);
      L->k_sample++;
    }
    if (st == UCL_OK && L->t >= t_stop && t_stop == t_break && t_break < L->t_end) {
      st = handle_break(L, sampled_here, diag);
    } else if (st == UCL_OK && L->t >= t_stop && t_stop == t_until && t_until < L->t_end) {
      st = step_hook(o, &L->c, L->t, diag); /* a pause: the hook sees where it stopped */
    }
  }
  return st;
}

/* ---- the stepping interface ---- */

struct ucl_integration {
  ig_loop L;
  ucl_status failed; /* a failed step: the run cannot go on */
};

struct ucl_integration_ckpt {
  int n_states, n_quads, n_modes, chatter_events;
  double t;
  double *y, *q, *times;
  double modes[UCL_SYSTEM_MODES_MAX];
  double h_last; /* s: CVODE's last step before the checkpoint (0: none) */
  long n_events, latches, k_sample;
  size_t n_samples, n_trace_events;
};

static ucl_status check_args(const ucl_system *sys, const ucl_integrator_opts *o, double t_end,
                             const ucl_trace *tr, ucl_diag *diag) {
  if (!sys || !o || !tr || !(t_end > 0.0) || sys->n_states < 1 || sys->n_roots > MAX_ROOTS ||
      !(o->rtol > 0.0) || !(o->atol > 0.0) || o->chatter_events < 2 || o->max_steps < 1 ||
      !(o->sample_t0 >= 0.0) || !isfinite(o->sample_t0)) {
    return ucl_diag_set(diag, UCL_ERR_INVAL, "integrator: bad arguments");
  }
  return UCL_OK;
}

static void loop_init(ig_loop *L, const ucl_system *sys, const ucl_integrator_opts *o, double t_end,
                      ucl_trace *tr) {
  memset(L, 0, sizeof(*L));
  L->sys = sys;
  L->o = o;
  L->tr = tr;
  L->stats = ucl_trace_stats(tr);
  L->t_end = t_end;
  L->r.sys = sys;
  L->sampling = o->sample_dt > 0.0;
  L->one_step = o->on_step != NULL;
}

ucl_status ucl_integration_begin(const ucl_system *sys, const ucl_integrator_opts *o, double t_end,
                                 ucl_trace *tr, ucl_integration **out, ucl_diag *diag) {
  *out = NULL;
  ucl_status st = check_args(sys, o, t_end, tr, diag);
  if (st != UCL_OK) {
    return st;
  }
  ucl_integration *ig = calloc(1, sizeof(*ig));
  if (!ig) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory setting up CVODE");
  }
  loop_init(&ig->L, sys, o, t_end, tr);
  st = start(&ig->L, diag);
  if (st == UCL_OK) {
    st = poll_progress(o, 0.0, t_end, diag); /* a run started past a deadline stops at once */
  }
  ig->failed = st;
  *out = ig;
  return st;
}

static ucl_status advance_to(ucl_integration *ig, double t_until, int past, ucl_diag *diag) {
  if (ig->failed != UCL_OK) {
    return ucl_diag_set(diag, ig->failed, "the integration failed earlier");
  }
  if (!(t_until <= ig->L.t_end)) {
    t_until = ig->L.t_end;
  }
  ig->failed = run_until(&ig->L, t_until, past, diag);
  return ig->failed;
}

ucl_status ucl_integration_advance(ucl_integration *ig, double t_until, ucl_diag *diag) {
  return advance_to(ig, t_until, 0, diag);
}

ucl_status ucl_integration_advance_past(ucl_integration *ig, double t_until, ucl_diag *diag) {
  return advance_to(ig, t_until, 1, diag);
}

double ucl_integration_t(const ucl_integration *ig) {
  return ig->L.t;
}

ucl_status ucl_integration_end(ucl_integration **igp, ucl_diag *diag) {
  ucl_integration *ig = *igp;
  if (!ig) {
    return UCL_OK;
  }
  ucl_status st = ig->failed;
  if (st == UCL_OK) {
    st = finish(&ig->L, diag);
  }
  st = store_results(&ig->L, st, diag);
  cv_run_free(&ig->L.c);
  free(ig);
  *igp = NULL;
  return st;
}

ucl_status ucl_integration_ckpt_create(const ucl_integration *ig, ucl_integration_ckpt **out,
                                       ucl_diag *diag) {
  const ucl_system *sys = ig->L.sys;
  *out = NULL;
  if (!sys->ops->save_modes || !sys->ops->restore_modes || ig->L.o->track_root_peaks) {
    return ucl_diag_set(diag, UCL_ERR_INVAL, "integrator: this system cannot be checkpointed");
  }
  ucl_integration_ckpt *ck = calloc(1, sizeof(*ck));
  if (ck) {
    ck->n_states = sys->n_states;
    ck->n_quads = sys->n_quads;
    ck->chatter_events = ig->L.o->chatter_events;
    ck->y = malloc((size_t)sys->n_states * sizeof(double));
    ck->q = malloc((size_t)(sys->n_quads > 0 ? sys->n_quads : 1) * sizeof(double));
    ck->times = malloc((size_t)ck->chatter_events * sizeof(double));
  }
  if (!ck || !ck->y || !ck->q || !ck->times) {
    ucl_integration_ckpt_destroy(&ck);
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory for a checkpoint");
  }
  *out = ck;
  return UCL_OK;
}

void ucl_integration_ckpt_destroy(ucl_integration_ckpt **ck) {
  if (!ck || !*ck) {
    return;
  }
  free((*ck)->y);
  free((*ck)->q);
  free((*ck)->times);
  free(*ck);
  *ck = NULL;
}

void ucl_integration_save(const ucl_integration *ig, ucl_integration_ckpt *ck) {
  const ig_loop *L = &ig->L;
  const ucl_system *sys = L->sys;
  ck->t = L->t;
  memcpy(ck->y, N_VGetArrayPointer(L->c.y), (size_t)ck->n_states * sizeof(double));
  if (ck->n_quads > 0) {
    memcpy(ck->q, N_VGetArrayPointer(L->c.q), (size_t)ck->n_quads * sizeof(double));
  }
  memcpy(ck->times, L->c.times, (size_t)ck->chatter_events * sizeof(double));
  ck->n_modes = sys->ops->save_modes(sys->ctx, ck->modes);
  double h = 0.0;
  ck->h_last = CVodeGetLastStep(L->c.mem, &h) == CV_SUCCESS && h > 0.0 ? h : 0.0;
  ck->n_events = L->n_events;
  ck->latches = L->c.latches;
  ck->k_sample = L->k_sample;
  ck->n_samples = ucl_trace_n_samples(L->tr);
  ck->n_trace_events = ucl_trace_n_events(L->tr);
}

ucl_status ucl_integration_restore(ucl_integration *ig, const ucl_integration_ckpt *ck,
                                   ucl_diag *diag) {
  ig_loop *L = &ig->L;
  const ucl_system *sys = L->sys;
  if (ck->n_states != sys->n_states || ck->n_quads != sys->n_quads) {
    return ucl_diag_set(diag, UCL_ERR_INVAL, "integrator: a checkpoint of another system");
  }
  L->t = ck->t;
  memcpy(N_VGetArrayPointer(L->c.y), ck->y, (size_t)ck->n_states * sizeof(double));
  if (ck->n_quads > 0) {
    memcpy(N_VGetArrayPointer(L->c.q), ck->q, (size_t)ck->n_quads * sizeof(double));
  }
  memcpy(L->c.times, ck->times, (size_t)ck->chatter_events * sizeof(double));
  sys->ops->restore_modes(sys->ctx, ck->modes);
  sys->ops->begin_segment(sys->ctx, ck->t);
  L->n_events = ck->n_events;
  L->c.latches = ck->latches;
  L->k_sample = ck->k_sample;
  ucl_trace_truncate(L->tr, ck->n_samples, ck->n_trace_events);
  L->r.cvode_msg[0] = '\0';
  /* the step size CVODE had reached there: a restart from order 1 at it is usually accepted,
   * where a fresh estimate starts orders of magnitude smaller */
  ig->failed = restart_h(sys, &L->c, &L->r, L->o, L->t, L->t_end, ck->h_last, L->stats, diag);
  return ig->failed;
}

ucl_status ucl_integrate(const ucl_system *sys, const ucl_integrator_opts *o, double t_end,
                         ucl_trace *tr, ucl_diag *diag) {
  ucl_integration *ig = NULL;
  ucl_status st = ucl_integration_begin(sys, o, t_end, tr, &ig, diag);
  if (!ig) {
    return st; /* bad arguments or no memory: nothing ran */
  }
  if (st == UCL_OK) {
    st = ucl_integration_advance(ig, t_end, diag);
  }
  ucl_status end = ucl_integration_end(&ig, diag); /* a failure's status, or finishing's */
  return st != UCL_OK ? st : end;
}
