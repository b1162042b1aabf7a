/* test_integrator.c — the CVODE event loop on a linear hybrid system with analytic answers:
 *
 *   mode 0 (charging):  C·dV/dt = (E − V)/R                   latch when V rises through V_th
 *   mode 1 (discharge): C·dV/dt = (E − V)/R − V/R_d           unlatch when V/R_d falls through I_h
 *   quadrature:         dQ/dt = E·(E − V)/R                    (energy from the source)
 *
 * E may step from E1 to E2 at a break time t_b (a known discontinuity). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "uclif/integrator.h"
#include "uclif/trace.h"

typedef struct lin {
  double E1, E2, t_b, R, C, R_d, V_th, I_h;
  double E; /* source in the current segment */
  int mode;
  double y0[1];
  double chatter_delta; /* > 0: a system that chatters (see test_chattering) */
} lin;

static int lin_rhs(void *ctx, double t, const double *y, double *ydot) {
  const lin *s = ctx;
  (void)t;
  if (s->chatter_delta > 0) {
    ydot[0] = s->mode ? -1e4 : 1e4;
    return 0;
  }
  ydot[0] = ((s->E - y[0]) / s->R - (s->mode ? y[0] / s->R_d : 0.0)) / s->C;
  return 0;
}

static int lin_quad(void *ctx, double t, const double *y, double *q) {
  const lin *s = ctx;
  (void)t;
  q[0] = s->E * (s->E - y[0]) / s->R;
  return 0;
}

static int lin_roots(void *ctx, double t, const double *y, double *g) {
  const lin *s = ctx;
  (void)t;
  if (s->chatter_delta > 0) {
    g[0] = s->mode ? y[0] - (s->V_th - s->chatter_delta) : y[0] - s->V_th;
    return 0;
  }
  g[0] = s->mode ? y[0] / s->R_d - s->I_h : y[0] - s->V_th;
  return 0;
}

static void lin_dirs(void *ctx, int *dirs) {
  const lin *s = ctx;
  dirs[0] = s->mode ? -1 : 1;
}

static int lin_switch(void *ctx, double t, double *y, const int *fired, ucl_event *ev, int cap) {
  lin *s = ctx;
  (void)t;
  (void)cap;
  if (!fired) {
    double g;
    lin_roots(ctx, t, y, &g);
    if (!(s->mode ? g < 0 : g > 0)) {
      return 0;
    }
  } else if (!fired[0]) {
    return 0;
  }
  s->mode = !s->mode;
  ev[0].kind = s->mode ? UCL_EVENT_LATCH : UCL_EVENT_UNLATCH;
  ev[0].unit = 0;
  ev[0].v = y[0];
  return 1;
}

static void lin_begin(void *ctx, double t) {
  lin *s = ctx;
  s->E = (t < s->t_b) ? s->E1 : s->E2;
}

static double lin_next_break(void *ctx, double t) {
  const lin *s = ctx;
  return t < s->t_b ? s->t_b : INFINITY;
}

static int lin_observe(void *ctx, double t, const double *y, double *out) {
  (void)ctx;
  (void)t;
  out[0] = y[0];
  return 0;
}

static const ucl_system_ops lin_ops = {lin_rhs,   lin_quad,       lin_roots,   lin_dirs, lin_switch,
                                       lin_begin, lin_next_break, lin_observe, NULL,     NULL};
static const char *const lin_names[] = {"V_V"};
static const char *const lin_qnames[] = {"E_J"};

static ucl_system make_sys(lin *s) {
  ucl_system sys;
  memset(&sys, 0, sizeof(sys));
  sys.ops = &lin_ops;
  sys.ctx = s;
  sys.n_states = 1;
  sys.n_quads = 1;
  sys.n_roots = 1;
  sys.n_channels = 1;
  sys.y0 = s->y0;
  sys.state_names = lin_names;
  sys.quad_names = lin_qnames;
  sys.channel_names = lin_names;
  return sys;
}

static ucl_integrator_opts tight(void) {
  ucl_integrator_opts o;
  memset(&o, 0, sizeof(o));
  o.rtol = 1e-12;
  o.atol = 1e-14;
  o.atol_quad = 1e-22;
  o.max_steps = 1000000;
  o.chatter_events = 64;
  o.chatter_window = 1e-6;
  return o;
}

static lin relax(void) {
  lin s;
  memset(&s, 0, sizeof(s));
  s.E1 = s.E2 = 5.0;
  s.t_b = INFINITY;
  s.R = 10e3;
  s.C = 15e-9;
  s.R_d = 100.0;
  s.V_th = 3.0;
  s.I_h = 1e-3;
  return s;
}

/* Latch and unlatch times against the analytic crossing times, over several cycles. */
static void test_event_times_analytic(void **state) {
  (void)state;
  lin s = relax();
  ucl_system sys = make_sys(&s);
  ucl_trace *tr = NULL;
  assert_int_equal(ucl_trace_create(1, lin_names, 0, &tr, NULL), UCL_OK);
  ucl_integrator_opts o = tight();
  ucl_diag d = {{0}};
  double t_end = 2e-3;
  ucl_status st = ucl_integrate(&sys, &o, t_end, tr, &d);
  if (st != UCL_OK) {
    fail_msg("%s", d.msg);
  }
  double tau1 = s.R * s.C;
  double rp = s.R * s.R_d / (s.R + s.R_d);
  double tau2 = rp * s.C;
  double v_inf = s.E1 * s.R_d / (s.R + s.R_d);
  double v_un = s.I_h * s.R_d;
  double t = 0.0, v = 0.0;
  size_t k = 0;
  while (1) {
    double t_latch = t + tau1 * log((s.E1 - v) / (s.E1 - s.V_th));
    if (t_latch >= t_end) {
      break;
    }
    double t_un = t_latch + tau2 * log((s.V_th - v_inf) / (v_un - v_inf));
    assert_true(k + 1 < ucl_trace_n_events(tr));
    const ucl_event *e1 = ucl_trace_event(tr, k), *e2 = ucl_trace_event(tr, k + 1);
    assert_int_equal(e1->kind, UCL_EVENT_LATCH);
    assert_int_equal(e2->kind, UCL_EVENT_UNLATCH);
    assert_close(e1->t, t_latch, 1e-9, 0);
    assert_close(e2->t, t_un, 1e-9, 0);
    k += 2;
    t = t_un;
    v = v_un;
    if (t >= t_end) {
      break;
    }
  }
  assert_true(k >= 6); /* several cycles were checked */
  assert_true(k >= ucl_trace_n_events(tr) - 1);
  ucl_trace_destroy(&tr);
}

/* The source energy up to the first unlatch, integrated as a quadrature. */
static void test_energy_quadrature(void **state) {
  (void)state;
  lin s = relax();
  double tau1 = s.R * s.C;
  double rp = s.R * s.R_d / (s.R + s.R_d);
  double tau2 = rp * s.C;
  double v_inf = s.E1 * s.R_d / (s.R + s.R_d);
  double v_un = s.I_h * s.R_d;
  double t_latch = tau1 * log(s.E1 / (s.E1 - s.V_th));
  double dt2 = tau2 * log((s.V_th - v_inf) / (v_un - v_inf));
  /* mode 0: ∫E(E−V)/R dt = E·C·ΔV; mode 1: (E/R)·[(E − V_inf)·Δt − (V_th − V_inf)·τ2·(1 −
   * e^(−Δt/τ2))] */
  double e0 = s.E1 * s.C * s.V_th;
  double e1 =
      s.E1 / s.R * ((s.E1 - v_inf) * dt2 - (s.V_th - v_inf) * tau2 * (1 - exp(-dt2 / tau2)));
  ucl_system sys = make_sys(&s);
  ucl_trace *tr = NULL;
  assert_int_equal(ucl_trace_create(1, lin_names, 0, &tr, NULL), UCL_OK);
  ucl_integrator_opts o = tight();
  assert_int_equal(ucl_integrate(&sys, &o, t_latch + dt2, tr, NULL), UCL_OK);
  assert_int_equal(ucl_trace_n_quads(tr), 1);
  assert_string_equal(ucl_trace_quad_name(tr, 0), "E_J");
  assert_close(ucl_trace_quad(tr, 0), e0 + e1, 1e-8, 0);
  ucl_trace_destroy(&tr);
}

/* A break (source step) handled by stop + reinit; periodic samples on exact times. */
static void test_break_and_samples(void **state) {
  (void)state;
  lin s = relax();
  s.E1 = 0.0;
  s.E2 = 2.0; /* below V_th: no events */
  s.t_b = 0.3e-3;
  s.y0[0] = 1.0;
  ucl_system sys = make_sys(&s);
  ucl_trace *tr = NULL;
  assert_int_equal(ucl_trace_create(1, lin_names, 100000, &tr, NULL), UCL_OK);
  ucl_integrator_opts o = tight();
  o.sample_dt = 10e-6;
  ucl_diag d = {{0}};
  ucl_status st = ucl_integrate(&sys, &o, 1e-3, tr, &d);
  if (st != UCL_OK) {
    fail_msg("%s", d.msg);
  }
  assert_int_equal(ucl_trace_n_events(tr), 0);
  assert_int_equal(ucl_trace_stats_const(tr)->breaks, 1);
  assert_int_equal(ucl_trace_n_samples(tr), 101);
  double tau = s.R * s.C;
  double vb = exp(-s.t_b / tau);
  for (size_t i = 0; i < ucl_trace_n_samples(tr); i++) {
    const double *row = ucl_trace_sample(tr, i);
    assert_true(row[0] == (double)i * 10e-6);
    double want =
        row[0] < s.t_b ? exp(-row[0] / tau) : 2.0 + (vb - 2.0) * exp(-(row[0] - s.t_b) / tau);
    assert_close(row[1], want, 1e-9, 1e-12);
  }
  assert_true(ucl_trace_t_reached(tr) == 1e-3);
  ucl_trace_destroy(&tr);
}

/* Edge samples: before and after every event. */
static void test_edge_samples(void **state) {
  (void)state;
  lin s = relax();
  ucl_system sys = make_sys(&s);
  ucl_trace *tr = NULL;
  assert_int_equal(ucl_trace_create(1, lin_names, 100000, &tr, NULL), UCL_OK);
  ucl_integrator_opts o = tight();
  o.sample_edges = 1;
  assert_int_equal(ucl_integrate(&sys, &o, 0.5e-3, tr, NULL), UCL_OK);
  size_t ne = ucl_trace_n_events(tr);
  assert_true(ne >= 2);
  /* t = 0, two rows per event, and the end */
  assert_int_equal(ucl_trace_n_samples(tr), 2 * ne + 2);
  ucl_trace_destroy(&tr);
}

static void test_chattering(void **state) {
  (void)state;
  lin s = relax();
  s.chatter_delta = 1e-6; /* mode 1 immediately falls back below a root 1 uV away */
  ucl_system sys = make_sys(&s);
  ucl_trace *tr = NULL;
  assert_int_equal(ucl_trace_create(1, lin_names, 0, &tr, NULL), UCL_OK);
  ucl_integrator_opts o = tight();
  o.rtol = 1e-8;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_integrate(&sys, &o, 1e-3, tr, &d), UCL_ERR_EVENTS);
  assert_non_null(strstr(d.msg, "chattering"));
  assert_true(ucl_trace_n_events(tr) >= 64);
  assert_true(ucl_trace_t_reached(tr) < 1e-3);
  ucl_trace_destroy(&tr);
}

static void test_step_limit_and_bad_args(void **state) {
  (void)state;
  lin s = relax();
  ucl_system sys = make_sys(&s);
  ucl_trace *tr = NULL;
  assert_int_equal(ucl_trace_create(1, lin_names, 0, &tr, NULL), UCL_OK);
  ucl_integrator_opts o = tight();
  o.max_steps = 50;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_integrate(&sys, &o, 1e-2, tr, &d), UCL_ERR_LIMIT);
  assert_non_null(strstr(d.msg, "max_steps"));
  assert_true(ucl_trace_stats_const(tr)->steps <= 50);
  ucl_trace_reset(tr);
  o = tight();
  assert_int_equal(ucl_integrate(&sys, &o, 0.0, tr, &d), UCL_ERR_INVAL);
  o.rtol = 0.0;
  assert_int_equal(ucl_integrate(&sys, &o, 1e-3, tr, &d), UCL_ERR_INVAL);
  ucl_trace_destroy(&tr);
}

/* A sample bound gives a clean UCL_ERR_LIMIT with the trace kept. */
static void test_sample_bound(void **state) {
  (void)state;
  lin s = relax();
  ucl_system sys = make_sys(&s);
  ucl_trace *tr = NULL;
  assert_int_equal(ucl_trace_create(1, lin_names, 10, &tr, NULL), UCL_OK);
  ucl_integrator_opts o = tight();
  o.sample_dt = 1e-6;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_integrate(&sys, &o, 1e-3, tr, &d), UCL_ERR_LIMIT);
  assert_int_equal(ucl_trace_n_samples(tr), 10);
  ucl_trace_destroy(&tr);
}

/* Periodic samples from sample_t0 on: none before it, then t0 + k·dt exactly. */
static void test_sample_t0(void **state) {
  (void)state;
  lin s = relax();
  s.E1 = s.E2 = 2.0; /* below V_th: no events */
  s.y0[0] = 1.0;
  ucl_system sys = make_sys(&s);
  ucl_trace *tr = NULL;
  assert_int_equal(ucl_trace_create(1, lin_names, 1000, &tr, NULL), UCL_OK);
  ucl_integrator_opts o = tight();
  o.sample_dt = 10e-6;
  o.sample_t0 = 0.6e-3;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_integrate(&sys, &o, 1e-3, tr, &d), UCL_OK);
  assert_int_equal(ucl_trace_n_samples(tr), 41); /* 0.6 ms .. 1 ms */
  double tau = s.R * s.C;
  for (size_t i = 0; i < ucl_trace_n_samples(tr); i++) {
    const double *row = ucl_trace_sample(tr, i);
    assert_true(row[0] == 0.6e-3 + (double)i * 10e-6);
    assert_close(row[1], 2.0 - exp(-row[0] / tau), 1e-9, 1e-12);
  }
  o.sample_t0 = -1.0;
  assert_int_equal(ucl_integrate(&sys, &o, 1e-3, tr, &d), UCL_ERR_INVAL);
  ucl_trace_destroy(&tr);
}

typedef struct polls {
  long calls, stop_at;
} polls;

static int count_polls(void *ctx, double t, double t_end) {
  polls *p = ctx;
  (void)t;
  (void)t_end;
  return ++p->calls >= p->stop_at;
}

/* The progress callback is polled within a long stretch without events or breaks (every 2000
 * steps), and its stop ends the run with UCL_ERR_LIMIT at once. */
static void test_progress_polled_between_restarts(void **state) {
  (void)state;
  lin s = relax();
  s.E1 = s.E2 = 2.0; /* no events, no breaks: no restarts */
  s.y0[0] = 1.0;
  ucl_system sys = make_sys(&s);
  ucl_trace *tr = NULL;
  assert_int_equal(ucl_trace_create(1, lin_names, 0, &tr, NULL), UCL_OK);
  ucl_integrator_opts o = tight();
  o.max_step = 1e-7; /* 10^4 steps over 1 ms */
  polls p = {0, 1000000};
  o.progress = count_polls;
  o.progress_ctx = &p;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_integrate(&sys, &o, 1e-3, tr, &d), UCL_OK);
  long steps = ucl_trace_stats_const(tr)->steps;
  assert_true(steps >= 10000);
  assert_true(p.calls >= steps / 2000);
  /* stop at the third poll: well before the end, with the reason */
  ucl_trace_reset(tr);
  p = (polls){0, 3};
  assert_int_equal(ucl_integrate(&sys, &o, 1e-3, tr, &d), UCL_ERR_LIMIT);
  assert_non_null(strstr(d.msg, "stopped by the caller"));
  assert_true(ucl_trace_t_reached(tr) < 0.9e-3);
  assert_true(ucl_trace_stats_const(tr)->steps <= 3 * 2000);
  ucl_trace_destroy(&tr);
}

/* stop_after_latches ends the run at the first latch, successfully, with the root peak of the
 * latch function at its crossing (0 to rounding). */
static void test_stop_after_latch_and_peaks(void **state) {
  (void)state;
  lin s = relax();
  ucl_system sys = make_sys(&s);
  ucl_trace *tr = NULL;
  assert_int_equal(ucl_trace_create(1, lin_names, 0, &tr, NULL), UCL_OK);
  ucl_integrator_opts o = tight();
  o.stop_after_latches = 1;
  o.track_root_peaks = 1;
  assert_int_equal(ucl_integrate(&sys, &o, 1e-2, tr, NULL), UCL_OK);
  assert_int_equal(ucl_trace_n_events(tr), 1);
  double t_latch = s.R * s.C * log(s.E1 / (s.E1 - s.V_th));
  assert_close(ucl_trace_t_reached(tr), t_latch, 1e-9, 0);
  assert_int_equal(ucl_trace_n_root_peaks(tr), 1);
  ucl_trace_destroy(&tr);
  /* a run that stays below V_th: the peak is V(t_end) − V_th */
  s = relax();
  s.E1 = s.E2 = 2.0;
  sys = make_sys(&s);
  assert_int_equal(ucl_trace_create(1, lin_names, 0, &tr, NULL), UCL_OK);
  assert_int_equal(ucl_integrate(&sys, &o, 1e-3, tr, NULL), UCL_OK);
  assert_int_equal(ucl_trace_n_events(tr), 0);
  double v_end = 2.0 * (1.0 - exp(-1e-3 / (s.R * s.C)));
  assert_close(ucl_trace_root_peak(tr, 0), v_end - s.V_th, 1e-8, 0);
  ucl_trace_destroy(&tr);
}

/* The step hook (one-step mode): called in time order at every step, at the break and on both
 * sides of every event; events and samples agree with those of a run without it. */
typedef struct hook_log {
  size_t n, at_break, at_events;
  double last_t;
  int backwards;
  const lin *s;
} hook_log;

static int hook(void *ctx, double t, const double *y) {
  hook_log *h = ctx;
  (void)y;
  h->backwards |= h->n > 0 && t < h->last_t;
  h->at_break += t == h->s->t_b;
  h->last_t = t;
  h->n++;
  return 0;
}

static int hook_fails(void *ctx, double t, const double *y) {
  (void)ctx;
  (void)y;
  return t > 0.2e-3;
}

static void test_step_hook(void **state) {
  (void)state;
  ucl_trace *plain = NULL, *hooked = NULL;
  lin s1 = relax(), s2 = relax();
  s1.t_b = s2.t_b = 0.25e-3;
  s1.E2 = s2.E2 = 6.0;
  ucl_system sys1 = make_sys(&s1), sys2 = make_sys(&s2);
  assert_int_equal(ucl_trace_create(1, lin_names, 100000, &plain, NULL), UCL_OK);
  assert_int_equal(ucl_trace_create(1, lin_names, 100000, &hooked, NULL), UCL_OK);
  ucl_integrator_opts o = tight();
  o.rtol = 1e-8;
  o.sample_dt = 7e-6;
  assert_int_equal(ucl_integrate(&sys1, &o, 1e-3, plain, NULL), UCL_OK);
  hook_log h = {0, 0, 0, 0.0, 0, &s2};
  o.on_step = hook;
  o.on_step_ctx = &h;
  ucl_diag d = {{0}};
  if (ucl_integrate(&sys2, &o, 1e-3, hooked, &d) != UCL_OK) {
    fail_msg("%s", d.msg);
  }
  assert_false(h.backwards);
  assert_int_equal(h.at_break, 2); /* before and after the break */
  assert_true(ucl_trace_n_events(plain) >= 4);
  assert_int_equal(ucl_trace_n_events(hooked), ucl_trace_n_events(plain));
  for (size_t i = 0; i < ucl_trace_n_events(plain); i++) {
    /* the root search brackets differ (tout returns), the trajectories agree to tolerance */
    assert_close(ucl_trace_event(hooked, i)->t, ucl_trace_event(plain, i)->t, 1e-7, 0);
  }
  /* every step plus 2 per event and break, t = 0 and the end */
  long steps = ucl_trace_stats_const(hooked)->steps;
  size_t n_ev = ucl_trace_n_events(hooked);
  assert_true(h.n >= (size_t)steps && h.n <= (size_t)steps + 2 * n_ev + 4);
  /* samples from CVODE's interpolant in one-step mode: the same grid, values within tolerance */
  assert_int_equal(ucl_trace_n_samples(hooked), ucl_trace_n_samples(plain));
  for (size_t i = 0; i < ucl_trace_n_samples(plain); i++) {
    const double *a = ucl_trace_sample(plain, i), *b = ucl_trace_sample(hooked, i);
    assert_true(a[0] == b[0]);
    assert_close(b[1], a[1], 1e-6, 1e-9);
  }
  ucl_trace_destroy(&plain);
  ucl_trace_destroy(&hooked);
  /* a hook that fails stops the run */
  lin s3 = relax();
  ucl_system sys3 = make_sys(&s3);
  assert_int_equal(ucl_trace_create(1, lin_names, 0, &plain, NULL), UCL_OK);
  o = tight();
  o.on_step = hook_fails;
  assert_int_equal(ucl_integrate(&sys3, &o, 1e-3, plain, &d), UCL_ERR_NOMEM);
  assert_non_null(strstr(d.msg, "recording the trajectory"));
  ucl_trace_destroy(&plain);
}

/* ---- the sparse Jacobian ---- */

/* A stiff linear system y' = A·y with a sparse A: y_i' = k_i·(−y_i + 0.5·y_{i−1} + 0.3·y_{(i+7)
 * mod n}), rates k_i from 1 to 1e5 per second (stiff, diagonally dominant; the couplings are as
 * stiff as the diagonal, so Newton with a Jacobian that misses them needs more iterations). */
#define CH_N 30
typedef struct chain {
  double k[CH_N];
  double y0[CH_N];
  int cols[CH_N + 1], rows[3 * CH_N];
} chain;

static int ch_rhs(void *ctx, double t, const double *y, double *ydot) {
  const chain *c = ctx;
  (void)t;
  for (int i = 0; i < CH_N; i++) {
    ydot[i] = c->k[i] * (-y[i] + (i > 0 ? 0.5 * y[i - 1] : 0.0) + 0.3 * y[(i + 7) % CH_N]);
  }
  return 0;
}
static int ch_switch(void *ctx, double t, double *y, const int *fired, ucl_event *ev, int cap) {
  (void)ctx, (void)t, (void)y, (void)fired, (void)ev, (void)cap;
  return 0;
}
static void ch_begin(void *ctx, double t) {
  (void)ctx, (void)t;
}
static double ch_next_break(void *ctx, double t) {
  (void)ctx, (void)t;
  return INFINITY;
}
static int ch_observe(void *ctx, double t, const double *y, double *out) {
  (void)ctx, (void)t;
  memcpy(out, y, CH_N * sizeof(double));
  return 0;
}
static const ucl_system_ops ch_ops = {ch_rhs,   NULL,          NULL,       NULL, ch_switch,
                                      ch_begin, ch_next_break, ch_observe, NULL, NULL};

/* Column j of A has rows j (diagonal), j + 1 (y_j feeds y_{j+1}) and j − 7 mod n. */
static int cmp_int(const void *a, const void *b) {
  return *(const int *)a - *(const int *)b;
}
static ucl_system ch_sys(chain *c, const char *const *names) {
  int p = 0;
  for (int j = 0; j < CH_N; j++) {
    c->k[j] = pow(10.0, 5.0 * j / (CH_N - 1));
    c->y0[j] = 1.0 + 0.1 * j;
    c->cols[j] = p;
    int r[3] = {j, j + 1, (j - 7 + CH_N) % CH_N}, m = j + 1 < CH_N ? 3 : 2;
    if (m == 2) {
      r[1] = r[2];
    }
    qsort(r, (size_t)m, sizeof(int), cmp_int);
    for (int q = 0; q < m; q++) {
      c->rows[p++] = r[q];
    }
  }
  c->cols[CH_N] = p;
  ucl_system sys;
  memset(&sys, 0, sizeof(sys));
  sys.ops = &ch_ops;
  sys.ctx = c;
  sys.n_states = CH_N;
  sys.n_channels = CH_N;
  sys.y0 = c->y0;
  sys.state_names = names;
  sys.channel_names = names;
  sys.jac_cols = c->cols;
  sys.jac_rows = c->rows;
  return sys;
}

/* The sparse option (coloured differences, KLU) against the dense one on the stiff chain: the
 * same solution, the same Newton work (the Jacobians agree), far fewer right-hand sides per
 * Jacobian (one per colour: at most 7 here, against 30); a system without a pattern is refused. */
static void test_sparse_jacobian(void **state) {
  (void)state;
  static char buf[CH_N][8];
  const char *names[CH_N];
  for (int i = 0; i < CH_N; i++) {
    assert_true(snprintf(buf[i], sizeof(buf[i]), "y%d", i) < (int)sizeof(buf[i]));
    names[i] = buf[i];
  }
  chain c;
  ucl_system sys = ch_sys(&c, names);
  ucl_integrator_opts o = tight();
  o.rtol = 1e-8;
  o.atol = 1e-12;
  o.sample_dt = 0.5;
  ucl_trace *dense = NULL, *sparse = NULL;
  assert_int_equal(ucl_trace_create(CH_N, names, 100, &dense, NULL), UCL_OK);
  assert_int_equal(ucl_trace_create(CH_N, names, 100, &sparse, NULL), UCL_OK);
  ucl_diag d = {{0}};
  assert_int_equal(ucl_integrate(&sys, &o, 2.0, dense, &d), UCL_OK);
  o.sparse_jacobian = 1;
  if (ucl_integrate(&sys, &o, 2.0, sparse, &d) != UCL_OK) {
    fail_msg("%s", d.msg);
  }
  assert_int_equal(ucl_trace_n_samples(sparse), ucl_trace_n_samples(dense));
  for (size_t i = 0; i < ucl_trace_n_samples(dense); i++) {
    for (int k = 1; k <= CH_N; k++) {
      assert_close(ucl_trace_sample(sparse, i)[k], ucl_trace_sample(dense, i)[k], 1e-6, 1e-10);
    }
  }
  const ucl_solver_stats *sd = ucl_trace_stats_const(dense), *ss = ucl_trace_stats_const(sparse);
  assert_true(sd->jac_evals > 0 && ss->jac_evals > 0);
  assert_close((double)ss->steps, (double)sd->steps, 0.02, 0);
  assert_close((double)ss->nonlin_iters, (double)sd->nonlin_iters, 0.02, 0);
  assert_int_equal(ss->nonlin_fails, sd->nonlin_fails);
  /* right-hand sides per Jacobian: n for dense, the colours for sparse */
  long base_d = sd->rhs_evals - CH_N * sd->jac_evals;
  double per_jac = (double)(ss->rhs_evals - base_d) / (double)ss->jac_evals;
  assert_true(per_jac >= 3.0 && per_jac <= 7.0); /* a row holds 3 columns; a column meets 6 */
  ucl_trace_destroy(&dense);
  ucl_trace_destroy(&sparse);
  sys.jac_cols = NULL;
  sys.jac_rows = NULL;
  assert_int_equal(ucl_trace_create(CH_N, names, 100, &sparse, NULL), UCL_OK);
  assert_int_equal(ucl_integrate(&sys, &o, 2.0, sparse, &d), UCL_ERR_INVAL);
  assert_non_null(strstr(d.msg, "pattern"));
  ucl_trace_destroy(&sparse);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_step_hook),
      cmocka_unit_test(test_event_times_analytic),
      cmocka_unit_test(test_energy_quadrature),
      cmocka_unit_test(test_break_and_samples),
      cmocka_unit_test(test_edge_samples),
      cmocka_unit_test(test_chattering),
      cmocka_unit_test(test_step_limit_and_bad_args),
      cmocka_unit_test(test_sample_bound),
      cmocka_unit_test(test_sample_t0),
      cmocka_unit_test(test_progress_polled_between_restarts),
      cmocka_unit_test(test_stop_after_latch_and_peaks),
      cmocka_unit_test(test_sparse_jacobian),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
