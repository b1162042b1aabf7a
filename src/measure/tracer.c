/* tracer.c — the curve-tracer fixture as a hybrid system (system.h) and its three measurements
 * (docs/model.md "Curve tracer", docs/features.md I_GT, I_H, I_L). */
#include "uclif/tracer.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "uclif/devices.h"
#include "uclif/integrator.h"
#include "uclif/numeric.h"
#include "uclif/scr.h"
#include "uclif/thermal.h"

/* The factor of the departure criterion: the on-branch ends where the anode current falls ten
 * times faster than the supply ramp alone would make it fall (docs/features.md, I_H). */
#define DEPARTURE_FACTOR 10.0
#define MAX_PIECES 8
#define LATCH_SETTLE 200e-6 /* s, from the end of the gate pulse to the start of the I_H ramp */

void ucl_tracer_opts_default(ucl_tracer_opts *o) {
  memset(o, 0, sizeof(*o));
  o->gt = (ucl_tracer_circuit){6.0, 100.0, INFINITY};
  o->gt_ramp = 1e-3;
  o->gt_max = 1e-3;
  o->h = (ucl_tracer_circuit){12.0, 10e3, INFINITY};
  o->h_ramp = 10.0;
  o->l = (ucl_tracer_circuit){0.0, 10e3, INFINITY};
  o->l_lo = 1.0;
  o->l_hi = 60.0;
  o->l_tol = 1e-3;
  o->l_hold = 2e-3;
  o->pulse_amp = 1e-3;
  o->pulse_width = 10e-6;
  o->C_A = 100e-12;
  o->rtol = 1e-6;
  o->atol = 1e-9;
}

const char *ucl_tracer_status_name(int s) {
  switch (s) {
  case UCL_TRACER_OK:
    return "ok";
  case UCL_TRACER_NO_LATCH:
    return "no_latch";
  case UCL_TRACER_NO_UNLATCH:
    return "no_unlatch";
  case UCL_TRACER_ON_AT_LOWER:
    return "on_at_lower_bound";
  case UCL_TRACER_FAILED:
    return "failed";
  default:
    return "skipped";
  }
}

void ucl_tracer_result_empty(ucl_tracer_result *r) {
  memset(r, 0, sizeof(*r));
  r->I_GT_A = r->I_H_A = r->I_L_A = NAN;
  r->gt_status = r->h_status = r->l_status = UCL_TRACER_SKIPPED;
  r->status = UCL_OK;
}

/* ---- the fixture ---- */

/* A piecewise-linear source: piece k holds from t[k] on, value a[k] + b[k]·(t − t[k]). */
typedef struct pwl {
  int n;
  double t[MAX_PIECES], a[MAX_PIECES], b[MAX_PIECES];
} pwl;

static void pwl_add(pwl *p, double t, double a, double b) {
  if (p->n < MAX_PIECES) {
    p->t[p->n] = t;
    p->a[p->n] = a;
    p->b[p->n] = b;
    p->n++;
  }
}

static int pwl_piece(const pwl *p, double t) {
  int k = 0;
  while (k + 1 < p->n && p->t[k + 1] <= t) {
    k++;
  }
  return k;
}

static double pwl_next(const pwl *p, double t) {
  for (int k = 0; k < p->n; k++) {
    if (p->t[k] > t) {
      return p->t[k];
    }
  }
  return INFINITY;
}

typedef struct fixture {
  int tt; /* two-transistor form */
  ucl_scr_params scr;
  ucl_scr_tt dev;
  ucl_junction j_gk; /* hybrid: gate-cathode junction */
  double R_L, G_GK, C_A;
  pwl vd, ig;
  int kv, kg; /* current pieces (begin_segment) */
  int on;
  /* the departure root (I_H): watched while 'watch' and the current supply piece falls */
  int watch;
  int departed;
  double t_ramp;     /* s, I_H: start of the supply ramp (INFINITY: none) */
  int on_at_ramp;    /* the mode when the ramp began */
  double i_departed; /* A, anode current at the departure */
  double i_unlatch;  /* A, anode current just before the first unlatch event */
  double t_latch;    /* s, first latch (NAN: none) */
  double y0[3];
  ucl_system sys;
} fixture;

static const char *const state_names_tt[] = {"V_A_V", "V_N_V", "V_G_V"};
static const char *const channel_names[] = {"V_D_V", "V_A_V", "V_G_V", "I_A_A", "I_G_A", "scr_on"};

static double src_vd(const fixture *f, double t) {
  return f->vd.a[f->kv] + f->vd.b[f->kv] * (t - f->vd.t[f->kv]);
}
static double src_ig(const fixture *f, double t) {
  return f->ig.a[f->kg] + f->ig.b[f->kg] * (t - f->ig.t[f->kg]);
}

/* Hybrid gate node: I_G = i_j(v_g) + v_g·G_GK, increasing in v_g. */
typedef struct gate_ctx {
  const fixture *f;
  double i_g;
} gate_ctx;

static int gate_residual(void *vctx, double v, double *fv, double *dfdv) {
  const gate_ctx *c = vctx;
  double g;
  *fv = ucl_junction_current(&c->f->j_gk, v, &g) + v * c->f->G_GK - c->i_g;
  *dfdv = g + c->f->G_GK;
  return 0;
}

/* The operating point at (t, y). */
typedef struct fix_point {
  double v_d, i_gs; /* V, A: the sources */
  double v_a, v_g;  /* V */
  double i_a;       /* A, anode current (through R_L into the device, less C_A's) */
  double i_j;       /* A, hybrid: gate-cathode junction current */
  double dy[3];     /* state rates */
  double di_a;      /* A/s, two-transistor: rate of i_a */
} fix_point;

static int fix_solve(const fixture *f, double t, const double *y, fix_point *pt) {
  pt->v_d = src_vd(f, t);
  pt->i_gs = src_ig(f, t);
  pt->v_a = y[0];
  if (f->tt) {
    double i_ext[2] = {(pt->v_d - y[0]) / f->R_L, pt->i_gs - y[2] * f->G_GK};
    ucl_scr_tt_state s;
    if (ucl_scr_tt_rates_grounded(&f->dev, y, i_ext, f->C_A, pt->dy, &s) != 0) {
      return 1;
    }
    const double v4[4] = {y[0], y[1], y[2], 0.0}, d4[4] = {pt->dy[0], pt->dy[1], pt->dy[2], 0.0};
    pt->v_g = y[2];
    pt->i_a = s.i_a;
    pt->i_j = NAN;
    pt->di_a = ucl_scr_tt_anode_current_rate(&f->dev, v4, d4);
    return isfinite(pt->di_a) ? 0 : 1;
  }
  gate_ctx gc = {f, pt->i_gs};
  ucl_mono_result mr;
  if (ucl_solve_increasing(gate_residual, &gc, -1.0, 1.0, 0.5, 1e-12, &mr) != UCL_OK) {
    return 1;
  }
  pt->v_g = mr.x;
  pt->i_j = ucl_junction_current(&f->j_gk, mr.x, NULL);
  /* the on-state as a line V_T0 + R_T·I; R_T = 0 (allowed) is floored at 1 mOhm here, as in the
   * netlist, since the fixture's anode node has only C_A to hold it */
  double r_t = fmax(f->scr.R_T, 1e-3);
  pt->i_a = f->on ? (y[0] - f->scr.V_T0) / r_t : y[0] / f->scr.R_off;
  pt->dy[0] = ((pt->v_d - y[0]) / f->R_L - pt->i_a) / f->C_A;
  pt->di_a = f->on ? pt->dy[0] / r_t : pt->dy[0] / f->scr.R_off;
  return isfinite(pt->dy[0]) ? 0 : 1;
}

/* Root 0, the switching function: hybrid as M11/M12 with the on-state current the test circuit
 * would carry, (V_D − V_T0)/(R_L + R_T), in place of the membrane's; two-transistor: the anode
 * current (PNP emitter + leakage, as in the neuron, S6) against I_A_latch (rising) / I_A_unlatch
 * (falling). */
static double switch_fn(const fixture *f, const fix_point *pt) {
  const ucl_scr_params *s = &f->scr;
  if (f->tt) {
    return pt->i_a - (f->on ? s->I_A_unlatch : s->I_A_latch);
  }
  if (f->on) {
    return pt->i_a - s->I_H;
  }
  double i_on = (pt->v_d - s->V_T0) / (f->R_L + s->R_T);
  return fmin(pt->i_j - s->I_GT, i_on - s->I_L);
}

/* Root 1, the departure: di_a/dt + DEPARTURE_FACTOR·|dV_D/dt|/R_L, watched falling while the
 * device is on and the supply ramps down; a constant 1 otherwise. */
static double departure_fn(const fixture *f, const fix_point *pt) {
  double rate = -f->vd.b[f->kv] / f->R_L;
  if (!f->watch || !f->on || !(rate > 0.0) || f->departed) {
    return 1.0;
  }
  return pt->di_a + DEPARTURE_FACTOR * rate;
}

static int op_rhs(void *ctx, double t, const double *y, double *ydot) {
  fix_point pt;
  fixture *f = ctx;
  if (fix_solve(f, t, y, &pt) != 0) {
    return 1;
  }
  for (int k = 0; k < f->sys.n_states; k++) {
    ydot[k] = pt.dy[k];
  }
  return 0;
}

static int op_quad(void *ctx, double t, const double *y, double *qdot) {
  (void)ctx;
  (void)t;
  (void)y;
  (void)qdot;
  return 0;
}

static int op_roots(void *ctx, double t, const double *y, double *g) {
  fix_point pt;
  fixture *f = ctx;
  if (fix_solve(f, t, y, &pt) != 0) {
    return -1;
  }
  g[0] = switch_fn(f, &pt);
  g[1] = departure_fn(f, &pt);
  return isfinite(g[0]) && isfinite(g[1]) ? 0 : -1;
}

static void op_root_dirs(void *ctx, int *dirs) {
  const fixture *f = ctx;
  dirs[0] = f->on ? -1 : 1;
  dirs[1] = -1;
}

static int op_switch_modes(void *ctx, double t, double *y, const int *fired, ucl_event *ev,
                           int cap) {
  fixture *f = ctx;
  fix_point pt;
  if (cap < 1 || fix_solve(f, t, y, &pt) != 0) {
    return -1;
  }
  if (fired && fired[1] != 0 && !f->departed && f->watch && f->on) {
    f->departed = 1;
    f->i_departed = pt.i_a;
  }
  if (fired ? fired[0] == 0 : !(f->on ? switch_fn(f, &pt) < 0.0 : switch_fn(f, &pt) > 0.0)) {
    return 0;
  }
  if (f->on && isnan(f->i_unlatch)) {
    f->i_unlatch = pt.i_a;
  }
  f->on = !f->on;
  if (f->on && isnan(f->t_latch)) {
    f->t_latch = t;
  }
  ev[0].kind = f->on ? UCL_EVENT_LATCH : UCL_EVENT_UNLATCH;
  ev[0].unit = 0;
  ev[0].v = y[0];
  return 1;
}

static void op_begin_segment(void *ctx, double t) {
  fixture *f = ctx;
  f->kv = pwl_piece(&f->vd, t);
  f->kg = pwl_piece(&f->ig, t);
  if (t == f->t_ramp) {
    f->on_at_ramp = f->on;
  }
}

static double op_next_break(void *ctx, double t) {
  const fixture *f = ctx;
  return fmin(pwl_next(&f->vd, t), pwl_next(&f->ig, t));
}

static int op_observe(void *ctx, double t, const double *y, double *out) {
  fix_point pt;
  fixture *f = ctx;
  if (fix_solve(f, t, y, &pt) != 0) {
    return 1;
  }
  out[0] = pt.v_d;
  out[1] = pt.v_a;
  out[2] = pt.v_g;
  out[3] = pt.i_a;
  out[4] = pt.i_gs;
  out[5] = f->on ? 1.0 : 0.0;
  return 0;
}

static const ucl_system_ops fixture_ops = {
    op_rhs,           op_quad,       op_roots,   op_root_dirs, op_switch_modes,
    op_begin_segment, op_next_break, op_observe, NULL,         NULL};

/* Build the fixture for p's SCR, its values at p's temperature (docs/model.md, Temperature), in
 * test circuit c; the sources are added by the caller, then fixture_start. Fails only when a
 * temperature coefficient drives a value out of its domain. */
static ucl_status fixture_init(fixture *f, const ucl_params *p, const ucl_tracer_circuit *c,
                               const ucl_tracer_opts *o, ucl_diag *diag) {
  memset(f, 0, sizeof(*f));
  ucl_circuit_params at;
  ucl_status st = ucl_circuit_at_temp(&p->circuit, &at, diag);
  if (st != UCL_OK) {
    return st;
  }
  double ut = ucl_thermal_voltage(at.temp);
  f->scr = at.scr;
  f->tt = (f->scr.model == UCL_SCR_TWO_TRANSISTOR);
  ucl_scr_tt_init(&f->scr, ut, &f->dev);
  f->j_gk = (ucl_junction){f->scr.Is_gk, f->scr.n_gk * ut};
  f->R_L = c->R_L;
  f->G_GK = (c->R_GK > 0.0 && isfinite(c->R_GK)) ? 1.0 / c->R_GK : 0.0;
  f->C_A = o->C_A;
  f->i_departed = f->i_unlatch = f->t_latch = NAN;
  f->t_ramp = INFINITY;
  return UCL_OK;
}

/* Initial state: the off-state at the supply's first value (J1 unbiased, J2 reverse-biased by
 * the supply, gate at 0 V; the capacitances settle it within nanoseconds). */
static void fixture_start(fixture *f) {
  double v_d0 = f->vd.a[0];
  f->y0[0] = f->y0[1] = v_d0;
  f->y0[2] = 0.0;
  if (!f->tt) {
    f->y0[0] = v_d0 * f->scr.R_off / (f->scr.R_off + f->R_L);
  }
  f->sys.ops = &fixture_ops;
  f->sys.ctx = f;
  f->sys.n_states = f->tt ? 3 : 1;
  f->sys.n_quads = 0;
  f->sys.n_roots = 2;
  f->sys.n_channels = 6;
  f->sys.y0 = f->y0;
  f->sys.state_names = state_names_tt;
  f->sys.quad_names = NULL;
  f->sys.channel_names = channel_names;
  f->sys.max_step_hint = 0.0;
  f->kv = f->kg = 0;
}

/* One run to t_end; accumulates statistics into r; *i_end (may be NULL) is the anode current at
 * the end (from the edge samples: every event and break, and the end). */
static ucl_status fixture_run(fixture *f, const ucl_tracer_opts *o, double t_end, double max_step,
                              long stop_after_latches, double *i_end, ucl_tracer_result *r,
                              ucl_diag *diag) {
  ucl_trace *tr = NULL;
  ucl_status st = ucl_trace_create(6, channel_names, 1024, &tr, diag);
  if (st != UCL_OK) {
    return st;
  }
  ucl_integrator_opts io;
  memset(&io, 0, sizeof(io));
  io.rtol = o->rtol;
  io.atol = o->atol;
  io.atol_quad = 1e-15;
  io.max_step = max_step;
  io.max_steps = 2000000;
  io.chatter_events = 64;
  io.chatter_window = 1e-9;
  io.stop_after_latches = stop_after_latches;
  f->sys.max_step_hint = max_step;
  io.sample_edges = 1;
  io.progress = o->progress;
  io.progress_ctx = o->progress_ctx;
  st = ucl_integrate(&f->sys, &io, t_end, tr, diag);
  size_t n = ucl_trace_n_samples(tr);
  if (i_end) {
    *i_end = n > 0 ? ucl_trace_sample(tr, n - 1)[1 + 3] : NAN; /* t, then channel 3: I_A_A */
  }
  ucl_solver_stats_add(&r->stats, ucl_trace_stats_const(tr));
  r->sims++;
  ucl_trace_destroy(&tr);
  return st;
}

static int fail(ucl_tracer_result *r, ucl_status st, const char *what, const ucl_diag *d) {
  if (r->status == UCL_OK) {
    r->status = st;
    snprintf(r->reason, sizeof(r->reason), "curve tracer %s: %.200s", what, d->msg);
  }
  return UCL_TRACER_FAILED;
}

static ucl_status check_circuit(const char *name, const ucl_tracer_circuit *c, ucl_diag *diag) {
  if (!(c->R_L > 0.0) || !isfinite(c->R_L) || !isfinite(c->V_D) || !(c->R_GK >= 0.0)) {
    return ucl_diag_set(diag, UCL_ERR_INVAL,
                        "curve tracer: the %s test circuit needs R_L > 0 and R_GK >= 0", name);
  }
  return UCL_OK;
}

static ucl_status check_opts(const ucl_tracer_opts *o, ucl_diag *diag) {
  ucl_status st = check_circuit("I_GT", &o->gt, diag);
  if (st == UCL_OK) {
    st = check_circuit("I_H", &o->h, diag);
  }
  if (st == UCL_OK) {
    st = check_circuit("I_L", &o->l, diag);
  }
  if (st == UCL_OK &&
      !(o->gt_ramp > 0.0 && o->gt_max > 0.0 && o->h_ramp > 0.0 && o->h.V_D > 0.0 && o->l_lo > 0.0 &&
        o->l_hi > o->l_lo && o->l_tol > 0.0 && o->l_hold > 0.0 && o->pulse_amp > 0.0 &&
        o->pulse_width > 0.0 && o->C_A > 0.0 && o->rtol > 0.0 && o->atol > 0.0)) {
    st = ucl_diag_set(diag, UCL_ERR_INVAL,
                      "curve tracer: ramps, bracket (0 < lo < hi), pulse, C_A and tolerances "
                      "must be > 0");
  }
  return st;
}

static int has_scr(const ucl_params *p) {
  return p->circuit.neuron != UCL_NEURON_MOTT;
}

/* ---- I_GT: the gate current ramped from 0 at gt_ramp, fixed supply, until the first latch ---- */

ucl_status ucl_tracer_gate_trigger(const ucl_params *p, const ucl_tracer_opts *o,
                                   ucl_tracer_result *r, ucl_diag *diag) {
  ucl_status st = check_opts(o, diag);
  if (st != UCL_OK || !has_scr(p)) {
    return st;
  }
  fixture f;
  st = fixture_init(&f, p, &o->gt, o, diag);
  if (st != UCL_OK) {
    return st;
  }
  double t_ramp = o->gt_max / o->gt_ramp;
  pwl_add(&f.vd, 0.0, o->gt.V_D, 0.0);
  pwl_add(&f.ig, 0.0, 0.0, o->gt_ramp);
  fixture_start(&f);
  ucl_diag d = {{0}};
  r->I_GT_A = NAN;
  st = fixture_run(&f, o, t_ramp, t_ramp / 200.0, 1, NULL, r, &d);
  if (st != UCL_OK) {
    r->gt_status = fail(r, st, "I_GT", &d);
  } else if (isnan(f.t_latch)) {
    r->gt_status = UCL_TRACER_NO_LATCH;
  } else {
    r->gt_status = UCL_TRACER_OK;
    r->I_GT_A = o->gt_ramp * f.t_latch;
  }
  return UCL_OK;
}

/* ---- I_H: latched by a gate pulse, then the supply ramped down at h_ramp ---- */

ucl_status ucl_tracer_holding(const ucl_params *p, const ucl_tracer_opts *o, ucl_tracer_result *r,
                              ucl_diag *diag) {
  ucl_status st = check_opts(o, diag);
  if (st != UCL_OK || !has_scr(p)) {
    return st;
  }
  fixture f;
  st = fixture_init(&f, p, &o->h, o, diag);
  if (st != UCL_OK) {
    return st;
  }
  double t_ramp = o->pulse_width + LATCH_SETTLE;
  double t_end = t_ramp + o->h.V_D / o->h_ramp;
  pwl_add(&f.ig, 0.0, o->pulse_amp, 0.0);
  pwl_add(&f.ig, o->pulse_width, 0.0, 0.0);
  pwl_add(&f.vd, 0.0, o->h.V_D, 0.0);
  pwl_add(&f.vd, t_ramp, o->h.V_D, -o->h_ramp);
  pwl_add(&f.vd, t_end, 0.0, 0.0);
  fixture_start(&f);
  f.watch = 1;
  f.t_ramp = t_ramp;
  ucl_diag d = {{0}};
  r->I_H_A = NAN;
  st = fixture_run(&f, o, t_end, (t_end - t_ramp) / 2000.0, 0, NULL, r, &d);
  if (st != UCL_OK) {
    r->h_status = fail(r, st, "I_H", &d);
  } else if (!f.on_at_ramp || isnan(f.i_unlatch)) {
    /* not on when the ramp began (the pulse did not latch it, or the supply cannot hold it),
     * or never let go */
    r->h_status = f.on_at_ramp ? UCL_TRACER_NO_UNLATCH : UCL_TRACER_NO_LATCH;
  } else if (f.departed) {
    r->h_status = UCL_TRACER_OK;
    r->I_H_A = f.i_departed;
  } else if (f.tt) {
    /* the two-transistor form's unlatch event fired while the anode current still followed
     * the supply: the on-branch ends below scr.I_A_unlatch, which would pass for I_H */
    ucl_diag_set(&d, UCL_ERR_RANGE,
                 "the on-branch reaches scr.I_A_unlatch (%g A) before it ends: the holding "
                 "current lies below that level (lower scr.I_A_unlatch)",
                 f.scr.I_A_unlatch);
    r->h_status = fail(r, UCL_ERR_RANGE, "I_H", &d);
  } else {
    r->h_status = UCL_TRACER_OK;
    r->I_H_A = f.i_unlatch;
  }
  return UCL_OK;
}

/* ---- I_L: a gate pulse at supply V_D; on after l_hold? Bisection over V_D ---- */

/* One run: *on = still on at the end, *i_end = its anode current then. */
static ucl_status latching_run(const ucl_params *p, const ucl_tracer_opts *o, double v_d, int *on,
                               double *i_end, ucl_tracer_result *r, ucl_diag *d) {
  fixture f;
  ucl_status st = fixture_init(&f, p, &o->l, o, d);
  if (st != UCL_OK) {
    return st;
  }
  pwl_add(&f.vd, 0.0, v_d, 0.0);
  pwl_add(&f.ig, 0.0, o->pulse_amp, 0.0);
  pwl_add(&f.ig, o->pulse_width, 0.0, 0.0);
  fixture_start(&f);
  double t_end = o->pulse_width + o->l_hold;
  st = fixture_run(&f, o, t_end, o->l_hold / 100.0, 0, i_end, r, d);
  *on = f.on; /* an unlatch event is the only way off */
  return st;
}

ucl_status ucl_tracer_latching(const ucl_params *p, const ucl_tracer_opts *o, ucl_tracer_result *r,
                               ucl_diag *diag) {
  ucl_status st = check_opts(o, diag);
  if (st != UCL_OK || !has_scr(p)) {
    return st;
  }
  ucl_diag d = {{0}};
  r->I_L_A = NAN;
  int on_lo = 0, on_hi = 0;
  double i_lo = 0.0, i_hi = 0.0;
  double lo = o->l_lo, hi = o->l_hi;
  st = latching_run(p, o, hi, &on_hi, &i_hi, r, &d);
  if (st == UCL_OK && on_hi) {
    st = latching_run(p, o, lo, &on_lo, &i_lo, r, &d);
  }
  if (st != UCL_OK) {
    r->l_status = fail(r, st, "I_L", &d);
    return UCL_OK;
  }
  if (!on_hi) {
    r->l_status = UCL_TRACER_NO_LATCH;
    return UCL_OK;
  }
  if (on_lo) {
    r->l_status = UCL_TRACER_ON_AT_LOWER;
    return UCL_OK;
  }
  while ((hi - lo) > o->l_tol * hi) {
    double mid = 0.5 * (lo + hi);
    int on = 0;
    double i_mid = 0.0;
    st = latching_run(p, o, mid, &on, &i_mid, r, &d);
    if (st != UCL_OK) {
      r->l_status = fail(r, st, "I_L", &d);
      return UCL_OK;
    }
    if (on) {
      hi = mid;
      i_hi = i_mid;
    } else {
      lo = mid;
    }
  }
  r->l_status = UCL_TRACER_OK;
  r->I_L_A = i_hi;
  return UCL_OK;
}

ucl_status ucl_tracer_measure(const ucl_params *p, const ucl_tracer_opts *o, ucl_tracer_result *out,
                              ucl_diag *diag) {
  ucl_tracer_result r;
  ucl_tracer_result_empty(&r);
  ucl_status st = ucl_tracer_gate_trigger(p, o, &r, diag);
  if (st == UCL_OK) {
    st = ucl_tracer_holding(p, o, &r, diag);
  }
  if (st == UCL_OK) {
    st = ucl_tracer_latching(p, o, &r, diag);
  }
  if (st == UCL_OK) {
    *out = r;
  }
  return st;
}
