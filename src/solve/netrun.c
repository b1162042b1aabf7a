/* netrun.c — integrating networks (docs/model.md N4): partitioned (one CVODE per neuron in
 * topological order, synaptic inputs from recorded source trajectories) or coupled (one CVODE
 * for the whole network). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uclif/circuit.h"
#include "uclif/csvio.h"
#include "uclif/features.h"
#include "uclif/integrator.h"
#include "uclif/network.h"
#include "uclif/params.h"

#define MAX_STATES 2 /* per neuron */
#define MAX_CHANNELS 16

/* ---- recorded output of a source neuron (partitioned) ---- */

/* While the source is on its output swings between rest and VDD, and a step of its own
 * integration can hold a steep part of that swing: such a step is bisected (state by cubic
 * Hermite interpolation, output by the node solve) until the output at each midpoint is within
 * REFINE_TOL of the straight line, at most REFINE_DEPTH times. */
#define REFINE_TOL 1e-3
#define REFINE_DEPTH 4
/* The record keeps a point only where the straight line between kept points would miss a
 * dropped one by more than REC_TOL (swing-door compression, on both the output and node ax), so
 * it grows with the spikes, not with the steps: while a source rests, its output is flat. */
#define REC_TOL 1e-4

typedef struct traj {
  size_t n, cap;
  double *t;   /* n */
  double *out; /* n·2: the output and node ax at each point */
  unsigned char *mode;
  double *ev; /* mode switch times, sorted */
  size_t n_ev, cap_ev;
  size_t users_left; /* targets not yet integrated */
} traj;

static void traj_free(traj *T) {
  free(T->t);
  free(T->out);
  free(T->mode);
  free(T->ev);
  memset(T, 0, sizeof(*T));
}

static int traj_push(traj *T, double t, const double *out, int mode) {
  if (T->n == T->cap) {
    size_t cap = T->cap ? 2 * T->cap : 256;
    double *nt = realloc(T->t, cap * sizeof(double));
    if (nt) {
      T->t = nt;
    }
    double *no = nt ? realloc(T->out, cap * 2 * sizeof(double)) : NULL;
    if (no) {
      T->out = no;
    }
    unsigned char *nm = no ? realloc(T->mode, cap) : NULL;
    if (!nm) {
      return 1;
    }
    T->mode = nm;
    T->cap = cap;
  }
  if (T->n > 0 && T->mode[T->n - 1] != mode) {
    if (T->n_ev == T->cap_ev) {
      size_t cap = T->cap_ev ? 2 * T->cap_ev : 64;
      double *ne = realloc(T->ev, cap * sizeof(double));
      if (!ne) {
        return 1;
      }
      T->ev = ne;
      T->cap_ev = cap;
    }
    T->ev[T->n_ev++] = t;
  }
  T->t[T->n] = t;
  T->out[2 * T->n] = out[0];
  T->out[2 * T->n + 1] = out[1];
  T->mode[T->n] = (unsigned char)mode;
  T->n++;
  return 0;
}

/* Largest k with t[k] <= t (0 if none), searching from the cursor *c. */
static size_t traj_locate(const traj *T, double t, size_t *c) {
  size_t k = *c < T->n ? *c : T->n - 1;
  while (k + 1 < T->n && T->t[k + 1] <= t) {
    k++;
  }
  while (k > 0 && T->t[k] > t) {
    k--;
  }
  *c = k;
  return k;
}

/* A synapse's view of its source during the target's integration. */
typedef struct src_view {
  traj *T;
  size_t cursor;
  int seg_mode; /* the source's mode in the target's current segment */
  int tap_axon;
} src_view;

/* The source's output at t (N4): linear interpolation between the recorded points of the
 * target's current segment (the source's mode switches are the target's breaks, so an interval
 * never spans a jump). */
static double src_partitioned(void *ctx, double t) {
  src_view *v = ctx;
  const traj *T = v->T;
  if (T->n == 1) {
    return T->out[v->tap_axon];
  }
  size_t k = traj_locate(T, t, &v->cursor);
  /* an interval of positive length, in the segment's mode */
  while (k > 0 && (k + 1 >= T->n || T->t[k + 1] <= T->t[k] || T->mode[k] != v->seg_mode)) {
    k--;
  }
  if (k + 1 >= T->n) {
    k = T->n - 2;
  }
  double t0 = T->t[k], h = T->t[k + 1] - t0;
  double a = T->out[2 * k + v->tap_axon], b = T->out[2 * (k + 1) + v->tap_axon];
  return h > 0.0 ? a + (b - a) * (t - t0) / h : a;
}

/* The system of one neuron in a partitioned run: its own ops, plus its sources' mode switches
 * as breaks. */
typedef struct part_ctx {
  ucl_neuron *n;
  const ucl_system *inner;
  src_view *views;
  int n_views;
  traj *rec; /* this neuron's own output record (it feeds others), or NULL */
  int ns;
  double t_last, y_last[MAX_STATES], dy_last[MAX_STATES]; /* the previous recorded step */
  double out_last[2];
  int mode_last, have_last;
  /* swing-door state: a point not yet kept, and the slopes from the last kept point that keep
   * every dropped point within REC_TOL */
  int pend, pend_mode;
  double pend_t, pend_out[2], up[2], lo[2];
} part_ctx;

/* Keep the pending point, if any. */
static int rec_flush(part_ctx *p) {
  if (!p->pend) {
    return 0;
  }
  p->pend = 0;
  return traj_push(p->rec, p->pend_t, p->pend_out, p->pend_mode);
}

/* Make (t, out, mode) pending, its slope window taken from the last kept point. */
static void rec_pend(part_ctx *p, double t, const double *out, int mode) {
  const traj *T = p->rec;
  double tk = T->t[T->n - 1], dt = t - tk;
  const double *ok = T->out + 2 * (T->n - 1);
  for (int k = 0; k < 2; k++) {
    p->up[k] = (out[k] + REC_TOL - ok[k]) / dt;
    p->lo[k] = (out[k] - REC_TOL - ok[k]) / dt;
  }
  p->pend = 1;
  p->pend_mode = mode;
  p->pend_t = t;
  p->pend_out[0] = out[0];
  p->pend_out[1] = out[1];
}

/* Add a point to the record (swing-door: a mode change, a repeated time or a slope outside the
 * window keeps the pending point). */
static int rec_add(part_ctx *p, double t, const double *out, int mode) {
  traj *T = p->rec;
  double t_prev = p->pend ? p->pend_t : (T->n ? T->t[T->n - 1] : -INFINITY);
  int prev_mode = p->pend ? p->pend_mode : (T->n ? T->mode[T->n - 1] : -1);
  if (t == t_prev && mode == prev_mode) {
    return 0; /* the same point again (both sides of a break): the output is continuous there */
  }
  if (T->n == 0 || mode != prev_mode || mode != T->mode[T->n - 1] || !(t > t_prev)) {
    return rec_flush(p) || traj_push(T, t, out, mode);
  }
  if (!p->pend) {
    rec_pend(p, t, out, mode);
    return 0;
  }
  double tk = T->t[T->n - 1], dt = t - tk;
  const double *ok = T->out + 2 * (T->n - 1);
  int inside = 1;
  for (int k = 0; k < 2; k++) {
    double slope = (out[k] - ok[k]) / dt;
    inside &= slope >= p->lo[k] && slope <= p->up[k];
  }
  if (!inside) {
    if (rec_flush(p) != 0) {
      return 1;
    }
    rec_pend(p, t, out, mode);
    return 0;
  }
  double up[2], lo[2];
  for (int k = 0; k < 2; k++) {
    up[k] = fmin(p->up[k], (out[k] + REC_TOL - ok[k]) / dt);
    lo[k] = fmax(p->lo[k], (out[k] - REC_TOL - ok[k]) / dt);
  }
  rec_pend(p, t, out, mode);
  memcpy(p->up, up, sizeof(up));
  memcpy(p->lo, lo, sizeof(lo));
  return 0;
}

static int p_rhs(void *ctx, double t, const double *y, double *ydot) {
  part_ctx *p = ctx;
  return p->inner->ops->rhs(p->inner->ctx, t, y, ydot);
}
static int p_quad(void *ctx, double t, const double *y, double *q) {
  part_ctx *p = ctx;
  return p->inner->ops->quad(p->inner->ctx, t, y, q);
}
static int p_roots(void *ctx, double t, const double *y, double *g) {
  part_ctx *p = ctx;
  return p->inner->ops->roots(p->inner->ctx, t, y, g);
}
static void p_root_dirs(void *ctx, int *dirs) {
  part_ctx *p = ctx;
  p->inner->ops->root_dirs(p->inner->ctx, dirs);
}
static int p_switch(void *ctx, double t, double *y, const int *fired, ucl_event *ev, int cap) {
  part_ctx *p = ctx;
  return p->inner->ops->switch_modes(p->inner->ctx, t, y, fired, ev, cap);
}
static void p_begin(void *ctx, double t) {
  part_ctx *p = ctx;
  p->inner->ops->begin_segment(p->inner->ctx, t);
  for (int k = 0; k < p->n_views; k++) {
    src_view *v = &p->views[k];
    size_t i = traj_locate(v->T, t, &v->cursor);
    v->seg_mode = v->T->mode[i];
  }
}
static double p_next_break(void *ctx, double t) {
  part_ctx *p = ctx;
  double tb = p->inner->ops->next_break(p->inner->ctx, t);
  for (int k = 0; k < p->n_views; k++) {
    const traj *T = p->views[k].T;
    size_t lo = 0, hi = T->n_ev; /* first event > t */
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (T->ev[mid] <= t) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    if (lo < T->n_ev && T->ev[lo] < tb) {
      tb = T->ev[lo];
    }
  }
  return tb;
}
static int p_observe(void *ctx, double t, const double *y, double *out) {
  part_ctx *p = ctx;
  return p->inner->ops->observe(p->inner->ctx, t, y, out);
}
static const ucl_system_ops part_ops = {p_rhs,    p_quad,  p_roots,      p_root_dirs,
                                        p_switch, p_begin, p_next_break, p_observe};

typedef struct step_data {
  double t0, h;
  const double *y0, *dy0, *y1, *dy1;
} step_data;

/* Record the points of [s0, s1] of the step (fractions; outputs o0, o1 at the ends) that the
 * line between the ends misses by more than REFINE_TOL, in order, excluding the ends. */
static int refine(part_ctx *p, const step_data *d, double s0, const double *o0, double s1,
                  const double *o1, int depth) {
  if (depth == 0) {
    return 0;
  }
  double s = 0.5 * (s0 + s1), s1m = 1.0 - s;
  double h00 = (1.0 + 2.0 * s) * s1m * s1m, h10 = s * s1m * s1m;
  double h01 = s * s * (3.0 - 2.0 * s), h11 = s * s * (s - 1.0);
  double ym[MAX_STATES], om[2];
  for (int i = 0; i < p->ns; i++) {
    ym[i] = h00 * d->y0[i] + h10 * d->h * d->dy0[i] + h01 * d->y1[i] + h11 * d->h * d->dy1[i];
  }
  if (ucl_neuron_output(p->n, 1, ym, om) != 0) {
    om[0] = om[1] = NAN;
  }
  double miss = fmax(fabs(om[0] - 0.5 * (o0[0] + o1[0])), fabs(om[1] - 0.5 * (o0[1] + o1[1])));
  if (!(miss > REFINE_TOL)) {
    return 0;
  }
  if (refine(p, d, s0, o0, s, om, depth - 1) != 0 || rec_add(p, d->t0 + s * d->h, om, 1)) {
    return 1;
  }
  return refine(p, d, s, om, s1, o1, depth - 1);
}

/* on_step: record a source neuron's output at its step (t, y), refining 'on' steps. */
static int record_step(void *ctx, double t, const double *y) {
  part_ctx *p = ctx;
  int ns = p->ns, on = ucl_neuron_scr_on(p->n);
  double dy[MAX_STATES] = {0.0}, out[2];
  if (on && p->inner->ops->rhs(p->inner->ctx, t, y, dy) != 0) {
    memset(dy, 0, sizeof(dy)); /* the derivative serves the substeps of an 'on' step only */
  }
  if (ucl_neuron_output(p->n, on, y, out) != 0) {
    out[0] = out[1] = NAN;
  }
  if (on && p->have_last && p->mode_last == on && t > p->t_last) {
    step_data d = {p->t_last, t - p->t_last, p->y_last, p->dy_last, y, dy};
    if (refine(p, &d, 0.0, p->out_last, 1.0, out, REFINE_DEPTH) != 0) {
      return 1;
    }
  }
  p->out_last[0] = out[0];
  p->out_last[1] = out[1];
  p->t_last = t;
  memcpy(p->y_last, y, (size_t)ns * sizeof(double));
  memcpy(p->dy_last, dy, (size_t)ns * sizeof(double));
  p->mode_last = on;
  p->have_last = 1;
  return rec_add(p, t, out, on);
}

/* ---- results ---- */

void ucl_net_result_destroy(ucl_net_result **r) {
  if (!r || !*r) {
    return;
  }
  for (size_t i = 0; i < (*r)->n; i++) {
    free((*r)->neurons[i].spikes);
  }
  free((*r)->neurons);
  ucl_trace_destroy(&(*r)->waveforms);
  for (size_t i = 0; i < (*r)->n_names; i++) {
    free((*r)->names[i]);
  }
  free((*r)->names);
  free(*r);
  *r = NULL;
}

/* Spike times of unit 'unit' in the trace (-1: all units). */
static ucl_status take_spikes(const ucl_trace *tr, long unit, ucl_net_neuron_result *nr) {
  size_t n = 0;
  for (size_t i = 0; i < ucl_trace_n_events(tr); i++) {
    const ucl_event *e = ucl_trace_event(tr, i);
    n += e->kind == UCL_EVENT_LATCH && (unit < 0 || e->unit == unit);
  }
  free(nr->spikes);
  nr->spikes = n ? malloc(n * sizeof(double)) : NULL;
  if (n && !nr->spikes) {
    return UCL_ERR_NOMEM;
  }
  nr->n_spikes = 0;
  for (size_t i = 0; i < ucl_trace_n_events(tr); i++) {
    const ucl_event *e = ucl_trace_event(tr, i);
    if (e->kind == UCL_EVENT_LATCH && (unit < 0 || e->unit == unit)) {
      nr->spikes[nr->n_spikes++] = e->t;
    }
  }
  return UCL_OK;
}

/* Waveform column names "NEURON.CHANNEL" for neuron i's channels. */
static ucl_status add_names(ucl_net_result *r, const char *neuron, const ucl_system *sys) {
  char **nn = realloc(r->names, (r->n_names + (size_t)sys->n_channels) * sizeof(char *));
  if (!nn) {
    return UCL_ERR_NOMEM;
  }
  r->names = nn;
  for (int k = 0; k < sys->n_channels; k++) {
    size_t len = strlen(neuron) + strlen(sys->channel_names[k]) + 2;
    char *s = malloc(len);
    if (!s) {
      return UCL_ERR_NOMEM;
    }
    snprintf(s, len, "%s.%s", neuron, sys->channel_names[k]);
    r->names[r->n_names++] = s;
  }
  return UCL_OK;
}

static ucl_status neuron_create(const ucl_net_neuron *nn, ucl_neuron **out, ucl_diag *diag) {
  ucl_status st = ucl_neuron_create(&nn->p, out, diag);
  if (st != UCL_OK) {
    ucl_diag_prefix(diag, "neuron '%s': ", nn->name);
  }
  return st;
}

/* CSR lists of the synapses into and out of each neuron. */
typedef struct adjacency {
  size_t *in_start, *in_syn, *out_start, *out_syn;
} adjacency;

static void adjacency_free(adjacency *a) {
  free(a->in_start);
  free(a->in_syn);
  free(a->out_start);
  free(a->out_syn);
}

static int adjacency_build(const ucl_network *net, adjacency *a) {
  size_t n = net->n_neurons, m = net->n_synapses ? net->n_synapses : 1;
  a->in_start = calloc(n + 1, sizeof(size_t));
  a->out_start = calloc(n + 1, sizeof(size_t));
  a->in_syn = malloc(m * sizeof(size_t));
  a->out_syn = malloc(m * sizeof(size_t));
  size_t *fi = calloc(n, sizeof(size_t)), *fo = calloc(n, sizeof(size_t));
  if (!a->in_start || !a->out_start || !a->in_syn || !a->out_syn || !fi || !fo) {
    free(fi);
    free(fo);
    return 1;
  }
  for (size_t s = 0; s < net->n_synapses; s++) {
    a->in_start[net->synapses[s].to + 1]++;
    a->out_start[net->synapses[s].from + 1]++;
  }
  for (size_t i = 0; i < n; i++) {
    a->in_start[i + 1] += a->in_start[i];
    a->out_start[i + 1] += a->out_start[i];
  }
  for (size_t s = 0; s < net->n_synapses; s++) {
    size_t t = net->synapses[s].to, f = net->synapses[s].from;
    a->in_syn[a->in_start[t] + fi[t]++] = s;
    a->out_syn[a->out_start[f] + fo[f]++] = s;
  }
  free(fi);
  free(fo);
  return 0;
}

static ucl_integrator_opts net_integrator_opts(const ucl_network *net, const ucl_net_opts *o) {
  ucl_integrator_opts io = ucl_integrator_opts_from_params(&net->base.solver);
  io.sample_dt = o->sample_dt;
  if (!(io.max_step > 0.0)) {
    io.max_step = 0.0; /* the neurons' hint */
  }
  return io;
}

/* ---- partitioned ---- */

static ucl_status run_partitioned(const ucl_network *net, const ucl_net_opts *o, ucl_net_result *r,
                                  ucl_diag *diag) {
  size_t N = net->n_neurons;
  adjacency adj = {0};
  traj *trajs = calloc(N, sizeof(traj));
  size_t *order = malloc(N * sizeof(size_t));
  size_t *indeg = calloc(N, sizeof(size_t));
  src_view *views = malloc(UCL_MAX_FAN_IN * sizeof(src_view));
  ucl_syn_input *inputs = malloc(UCL_MAX_FAN_IN * sizeof(ucl_syn_input));
  ucl_trace **samples = o->sample_dt > 0.0 ? calloc(N, sizeof(ucl_trace *)) : NULL;
  ucl_status first_fail = UCL_OK;
  ucl_status st = UCL_OK;
  size_t held = 0;
  if (!trajs || !order || !indeg || !views || !inputs || (o->sample_dt > 0.0 && !samples) ||
      adjacency_build(net, &adj) != 0) {
    st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory setting up the network");
    goto done;
  }
  /* topological order (Kahn) */
  size_t head = 0, tail = 0;
  for (size_t i = 0; i < N; i++) {
    indeg[i] = adj.in_start[i + 1] - adj.in_start[i];
    if (indeg[i] == 0) {
      order[tail++] = i;
    }
  }
  while (head < tail) {
    size_t i = order[head++];
    for (size_t k = adj.out_start[i]; k < adj.out_start[i + 1]; k++) {
      size_t to = net->synapses[adj.out_syn[k]].to;
      if (--indeg[to] == 0) {
        order[tail++] = to;
      }
    }
  }
  if (tail < N) {
    st = ucl_diag_set(diag, UCL_ERR_INVAL,
                      "the synapses form a cycle: partitioned integration needs a feed-forward "
                      "network (use integration = coupled)");
    goto done;
  }
  for (size_t step = 0; step < N; step++) {
    size_t i = order[step];
    const ucl_net_neuron *nn = &net->neurons[i];
    ucl_net_neuron_result *nr = &r->neurons[i];
    size_t fan_in = adj.in_start[i + 1] - adj.in_start[i];
    size_t fan_out = adj.out_start[i + 1] - adj.out_start[i];
    /* a source that failed: this neuron cannot be simulated */
    const char *failed_src = NULL;
    for (size_t k = 0; k < fan_in; k++) {
      size_t s = adj.in_syn[adj.in_start[i] + k];
      if (r->neurons[net->synapses[s].from].status != UCL_OK) {
        failed_src = net->neurons[net->synapses[s].from].name;
      }
    }
    ucl_neuron *n = NULL;
    ucl_diag nd = {{0}};
    ucl_status nst = UCL_OK;
    ucl_trace *tr = NULL;
    if (failed_src) {
      nst = UCL_ERR_SOLVER;
      ucl_diag_set(&nd, nst, "not simulated: its input neuron '%s' failed", failed_src);
    } else {
      nst = neuron_create(nn, &n, &nd);
    }
    if (nst == UCL_OK) {
      for (size_t k = 0; k < fan_in; k++) {
        const ucl_net_synapse *s = &net->synapses[adj.in_syn[adj.in_start[i] + k]];
        views[k] = (src_view){&trajs[s->from], 0, 0, s->tap_axon};
        inputs[k] = (ucl_syn_input){s->R, s->diode, src_partitioned, &views[k]};
      }
      nst = ucl_neuron_set_inputs(n, nn->external, inputs, (int)fan_in, &nd);
    }
    part_ctx pc = {0};
    ucl_system sys;
    if (nst == UCL_OK) {
      pc.n = n;
      pc.inner = ucl_neuron_system(n);
      pc.views = views;
      pc.n_views = (int)fan_in;
      sys = *pc.inner;
      sys.ops = &part_ops;
      sys.ctx = &pc;
      if (fan_out > 0) {
        trajs[i].users_left = fan_out;
        pc.rec = &trajs[i];
        pc.ns = sys.n_states;
      }
      size_t cap = o->sample_dt > 0.0 ? o->max_samples : 0;
      nst = ucl_trace_create(sys.n_channels, sys.channel_names, cap, &tr, &nd);
    }
    if (nst == UCL_OK) {
      ucl_integrator_opts io = net_integrator_opts(net, o);
      if (pc.rec) {
        io.on_step = record_step;
        io.on_step_ctx = &pc;
      }
      nst = ucl_integrate(&sys, &io, net->base.stim.duration, tr, &nd);
      if (pc.rec && rec_flush(&pc) != 0 && nst == UCL_OK) {
        nst = ucl_diag_set(&nd, UCL_ERR_NOMEM, "out of memory recording the output");
      }
      if (nst == UCL_ERR_NOMEM) {
        st = ucl_diag_set(diag, nst, "neuron '%s': %s", nn->name, nd.msg);
        ucl_trace_destroy(&tr);
        ucl_neuron_destroy(&n);
        goto done;
      }
      if (take_spikes(tr, -1, nr) != UCL_OK) {
        st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory storing spikes");
        ucl_trace_destroy(&tr);
        ucl_neuron_destroy(&n);
        goto done;
      }
      int nq = ucl_trace_n_quads(tr);
      nr->E_in = nq > 0 ? ucl_trace_quad(tr, 0) : 0.0;
      nr->E_vdd = nq > 1 ? ucl_trace_quad(tr, 1) : 0.0;
      nr->E_syn = nq > 2 ? ucl_trace_quad(tr, 2) : 0.0;
      nr->t_reached = ucl_trace_t_reached(tr);
      nr->stats = *ucl_trace_stats_const(tr);
      ucl_solver_stats_add(&r->stats, &nr->stats);
      r->events += ucl_trace_n_events(tr);
      if (samples && add_names(r, nn->name, &sys) != UCL_OK) {
        st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory naming waveforms");
        ucl_trace_destroy(&tr);
        ucl_neuron_destroy(&n);
        goto done;
      }
    }
    nr->status = nst;
    if (nst != UCL_OK) {
      snprintf(nr->reason, sizeof(nr->reason), "%s", nd.msg);
      if (first_fail == UCL_OK) {
        first_fail = nst;
        ucl_diag_set(diag, nst, "neuron '%s': %s", nn->name, nd.msg);
      }
    }
    if (samples) {
      samples[i] = tr;
    } else {
      ucl_trace_destroy(&tr);
    }
    /* this neuron's trajectory is held while its targets need it; its sources' are released
     * once their last target is done */
    if (pc.rec && nst == UCL_OK) {
      held += trajs[i].n;
    } else if (pc.rec) {
      traj_free(&trajs[i]);
    }
    ucl_neuron_destroy(&n);
    if (held > r->peak_points) {
      r->peak_points = held;
    }
    for (size_t k = 0; k < fan_in; k++) {
      traj *T = &trajs[net->synapses[adj.in_syn[adj.in_start[i] + k]].from];
      if (T->users_left > 0 && --T->users_left == 0) {
        held -= T->n;
        traj_free(T);
      }
    }
    if (o->progress) {
      o->progress(o->progress_ctx, (double)(step + 1), (double)N);
    }
  }
  /* waveforms: one table, the neurons' columns side by side */
  if (samples) {
    size_t rows = 0;
    for (size_t i = 0; i < N; i++) {
      size_t m = samples[i] ? ucl_trace_n_samples(samples[i]) : 0;
      rows = m > rows ? m : rows;
    }
    st =
        ucl_trace_create((int)r->n_names, (const char *const *)r->names, rows, &r->waveforms, diag);
    double *row = st == UCL_OK ? malloc((r->n_names + 1) * sizeof(double)) : NULL;
    if (st == UCL_OK && !row) {
      st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
    }
    for (size_t k = 0; st == UCL_OK && k < rows; k++) {
      size_t col = 0;
      double t = NAN;
      for (size_t i = 0; i < N; i++) {
        if (!samples[i]) {
          continue; /* never run: no columns */
        }
        int nc = ucl_trace_n_channels(samples[i]);
        const double *s =
            k < ucl_trace_n_samples(samples[i]) ? ucl_trace_sample(samples[i], k) : NULL;
        if (s) {
          t = s[0];
        }
        for (int c = 0; c < nc; c++) {
          row[col++] = s ? s[1 + c] : NAN;
        }
      }
      if (ucl_trace_add_sample(r->waveforms, t, row) != UCL_OK) {
        st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory collecting waveforms");
      }
    }
    free(row);
  }
  if (st == UCL_OK) {
    st = first_fail;
  }
done:
  for (size_t i = 0; trajs && i < N; i++) {
    traj_free(&trajs[i]);
  }
  for (size_t i = 0; samples && i < N; i++) {
    ucl_trace_destroy(&samples[i]);
  }
  free(samples);
  free(trajs);
  free(order);
  free(indeg);
  free(views);
  free(inputs);
  adjacency_free(&adj);
  return st;
}

/* ---- coupled ---- */

typedef struct coupled {
  size_t N;
  ucl_neuron **neurons;
  const ucl_system **sub;
  int *off_y, *off_c; /* state and channel offsets */
  double *vout;       /* per neuron: output, then node ax, at the state last refreshed */
  int *feeds;         /* the neuron has outgoing synapses */
  double *y0;
  char **qnames;
  const char **qnames_c;
  ucl_system sys;
} coupled;

typedef struct c_src {
  coupled *c;
  size_t from;
  int tap_axon;
} c_src;

static double src_coupled(void *ctx, double t) {
  const c_src *s = ctx;
  (void)t;
  return s->c->vout[2 * s->from + s->tap_axon];
}

static int c_refresh(coupled *c, const double *y) {
  for (size_t i = 0; i < c->N; i++) {
    if (c->feeds[i] && ucl_neuron_output(c->neurons[i], ucl_neuron_scr_on(c->neurons[i]),
                                         y + c->off_y[i], &c->vout[2 * i]) != 0) {
      return 1;
    }
  }
  return 0;
}

static int c_rhs(void *ctx, double t, const double *y, double *ydot) {
  coupled *c = ctx;
  if (c_refresh(c, y) != 0) {
    return 1;
  }
  for (size_t i = 0; i < c->N; i++) {
    int rc = c->sub[i]->ops->rhs(c->sub[i]->ctx, t, y + c->off_y[i], ydot + c->off_y[i]);
    if (rc != 0) {
      return rc;
    }
  }
  return 0;
}

static int c_quad(void *ctx, double t, const double *y, double *q) {
  coupled *c = ctx;
  if (c_refresh(c, y) != 0) {
    return 1;
  }
  for (size_t i = 0; i < c->N; i++) {
    double qi[3] = {0.0, 0.0, 0.0};
    int rc = c->sub[i]->ops->quad(c->sub[i]->ctx, t, y + c->off_y[i], qi);
    if (rc != 0) {
      return rc;
    }
    memcpy(q + 3 * i, qi, sizeof(qi));
  }
  return 0;
}

static int c_roots(void *ctx, double t, const double *y, double *g) {
  coupled *c = ctx;
  for (size_t i = 0; i < c->N; i++) {
    int rc = c->sub[i]->ops->roots(c->sub[i]->ctx, t, y + c->off_y[i], g + i);
    if (rc != 0) {
      return rc;
    }
  }
  return 0;
}

static void c_root_dirs(void *ctx, int *dirs) {
  coupled *c = ctx;
  for (size_t i = 0; i < c->N; i++) {
    c->sub[i]->ops->root_dirs(c->sub[i]->ctx, dirs + i);
  }
}

static int c_switch(void *ctx, double t, double *y, const int *fired, ucl_event *ev, int cap) {
  coupled *c = ctx;
  int n = 0;
  for (size_t i = 0; i < c->N; i++) {
    if (fired && !fired[i]) {
      continue;
    }
    if (n >= cap) {
      return -1;
    }
    int k = c->sub[i]->ops->switch_modes(c->sub[i]->ctx, t, y + c->off_y[i],
                                         fired ? fired + i : NULL, ev + n, cap - n);
    if (k < 0) {
      return k;
    }
    for (int j = 0; j < k; j++) {
      ev[n + j].unit = (int)i;
    }
    n += k;
  }
  return n;
}

static void c_begin(void *ctx, double t) {
  coupled *c = ctx;
  for (size_t i = 0; i < c->N; i++) {
    c->sub[i]->ops->begin_segment(c->sub[i]->ctx, t);
  }
}

static double c_next_break(void *ctx, double t) {
  coupled *c = ctx;
  double tb = INFINITY;
  for (size_t i = 0; i < c->N; i++) {
    tb = fmin(tb, c->sub[i]->ops->next_break(c->sub[i]->ctx, t));
  }
  return tb;
}

static int c_observe(void *ctx, double t, const double *y, double *out) {
  coupled *c = ctx;
  if (c_refresh(c, y) != 0) {
    return 1;
  }
  for (size_t i = 0; i < c->N; i++) {
    if (c->sub[i]->ops->observe(c->sub[i]->ctx, t, y + c->off_y[i], out + c->off_c[i]) != 0) {
      return 1;
    }
  }
  return 0;
}

static const ucl_system_ops coupled_ops = {c_rhs,    c_quad,  c_roots,      c_root_dirs,
                                           c_switch, c_begin, c_next_break, c_observe};

typedef struct coupled_progress {
  const ucl_net_opts *o;
} coupled_progress;

/* The integrator's progress (simulated time) as the network's. */
static int coupled_progress_fn(void *ctx, double t, double t_end) {
  const coupled_progress *cp = ctx;
  cp->o->progress(cp->o->progress_ctx, t, t_end);
  return 0;
}

static ucl_status run_coupled(const ucl_network *net, const ucl_net_opts *o, ucl_net_result *r,
                              ucl_diag *diag) {
  size_t N = net->n_neurons;
  coupled c = {0};
  adjacency adj = {0};
  c_src *srcs = malloc((net->n_synapses ? net->n_synapses : 1) * sizeof(c_src));
  ucl_syn_input *inputs = malloc(UCL_MAX_FAN_IN * sizeof(ucl_syn_input));
  ucl_trace *tr = NULL;
  ucl_status st = UCL_OK;
  c.N = N;
  c.neurons = calloc(N, sizeof(ucl_neuron *));
  c.sub = calloc(N, sizeof(ucl_system *));
  c.off_y = calloc(N + 1, sizeof(int));
  c.off_c = calloc(N + 1, sizeof(int));
  c.vout = calloc(2 * N, sizeof(double));
  c.feeds = calloc(N, sizeof(int));
  c.qnames = calloc(3 * N, sizeof(char *));
  c.qnames_c = calloc(3 * N, sizeof(char *));
  if (!srcs || !inputs || !c.neurons || !c.sub || !c.off_y || !c.off_c || !c.vout || !c.feeds ||
      !c.qnames || !c.qnames_c || adjacency_build(net, &adj) != 0) {
    st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory setting up the network");
    goto done;
  }
  for (size_t s = 0; s < net->n_synapses; s++) {
    c.feeds[net->synapses[s].from] = 1;
    srcs[s] = (c_src){&c, net->synapses[s].from, net->synapses[s].tap_axon};
  }
  double hint = INFINITY;
  for (size_t i = 0; i < N; i++) {
    st = neuron_create(&net->neurons[i], &c.neurons[i], diag);
    if (st != UCL_OK) {
      goto done;
    }
    size_t fan_in = adj.in_start[i + 1] - adj.in_start[i];
    for (size_t k = 0; k < fan_in; k++) {
      size_t s = adj.in_syn[adj.in_start[i] + k];
      inputs[k] =
          (ucl_syn_input){net->synapses[s].R, net->synapses[s].diode, src_coupled, &srcs[s]};
    }
    st = ucl_neuron_set_inputs(c.neurons[i], net->neurons[i].external, inputs, (int)fan_in, diag);
    if (st != UCL_OK) {
      goto done;
    }
    c.sub[i] = ucl_neuron_system(c.neurons[i]);
    c.off_y[i + 1] = c.off_y[i] + c.sub[i]->n_states;
    c.off_c[i + 1] = c.off_c[i] + c.sub[i]->n_channels;
    if (c.sub[i]->max_step_hint > 0.0) {
      hint = fmin(hint, c.sub[i]->max_step_hint);
    }
    static const char *const q[] = {"E_in_J", "E_vdd_J", "E_syn_J"};
    for (int k = 0; k < 3; k++) {
      size_t len = strlen(net->neurons[i].name) + 16;
      c.qnames[3 * i + k] = malloc(len);
      if (!c.qnames[3 * i + k]) {
        st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
        goto done;
      }
      snprintf(c.qnames[3 * i + k], len, "%s.%s", net->neurons[i].name, q[k]);
      c.qnames_c[3 * i + k] = c.qnames[3 * i + k];
    }
    if (o->sample_dt > 0.0 && add_names(r, net->neurons[i].name, c.sub[i]) != UCL_OK) {
      st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory naming waveforms");
      goto done;
    }
  }
  c.y0 = malloc((size_t)c.off_y[N] * sizeof(double));
  if (!c.y0) {
    st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < N; i++) {
    memcpy(c.y0 + c.off_y[i], c.sub[i]->y0, (size_t)c.sub[i]->n_states * sizeof(double));
  }
  c.sys.ops = &coupled_ops;
  c.sys.ctx = &c;
  c.sys.n_states = c.off_y[N];
  c.sys.n_quads = (int)(3 * N);
  c.sys.n_roots = (int)N;
  c.sys.n_channels = c.off_c[N];
  c.sys.y0 = c.y0;
  c.sys.quad_names = c.qnames_c;
  c.sys.channel_names = (const char *const *)r->names;
  c.sys.max_step_hint = isfinite(hint) ? hint : 0.0;
  st = ucl_trace_create(o->sample_dt > 0.0 ? c.sys.n_channels : 0,
                        o->sample_dt > 0.0 ? (const char *const *)r->names : NULL,
                        o->sample_dt > 0.0 ? o->max_samples : 0, &tr, diag);
  if (st != UCL_OK) {
    goto done;
  }
  ucl_integrator_opts io = net_integrator_opts(net, o);
  coupled_progress cp = {o};
  if (o->progress) {
    io.progress = coupled_progress_fn;
    io.progress_ctx = &cp;
  }
  ucl_diag rd = {{0}};
  ucl_status rst = ucl_integrate(&c.sys, &io, net->base.stim.duration, tr, &rd);
  if (rst == UCL_ERR_NOMEM || rst == UCL_ERR_INVAL) {
    st = ucl_diag_set(diag, rst, "%s", rd.msg);
    goto done;
  }
  r->stats = *ucl_trace_stats_const(tr);
  r->events = ucl_trace_n_events(tr);
  for (size_t i = 0; i < N; i++) {
    ucl_net_neuron_result *nr = &r->neurons[i];
    if (take_spikes(tr, (long)i, nr) != UCL_OK) {
      st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory storing spikes");
      goto done;
    }
    nr->E_in = ucl_trace_quad(tr, (int)(3 * i));
    nr->E_vdd = ucl_trace_quad(tr, (int)(3 * i + 1));
    nr->E_syn = ucl_trace_quad(tr, (int)(3 * i + 2));
    nr->t_reached = ucl_trace_t_reached(tr);
    nr->status = rst;
    if (rst != UCL_OK) {
      snprintf(nr->reason, sizeof(nr->reason), "%s", rd.msg);
    }
  }
  if (rst != UCL_OK) {
    st = ucl_diag_set(diag, rst, "network: %s", rd.msg);
  }
  if (o->sample_dt > 0.0) {
    r->waveforms = tr;
    tr = NULL;
  }
done:
  ucl_trace_destroy(&tr);
  for (size_t i = 0; c.neurons && i < N; i++) {
    ucl_neuron_destroy(&c.neurons[i]);
  }
  for (size_t i = 0; c.qnames && i < 3 * N; i++) {
    free(c.qnames[i]);
  }
  free(c.neurons);
  free(c.sub);
  free(c.off_y);
  free(c.off_c);
  free(c.vout);
  free(c.feeds);
  free(c.qnames);
  free(c.qnames_c);
  free(c.y0);
  free(srcs);
  free(inputs);
  adjacency_free(&adj);
  return st;
}

ucl_status ucl_network_run(const ucl_network *net, const ucl_net_opts *o, ucl_net_result **out,
                           ucl_diag *diag) {
  *out = NULL;
  ucl_net_result *r = calloc(1, sizeof(*r));
  if (r) {
    r->neurons = calloc(net->n_neurons, sizeof(*r->neurons));
  }
  if (!r || !r->neurons) {
    free(r);
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory for the network's results");
  }
  r->n = net->n_neurons;
  int how = o->integration != UCL_NET_AUTO ? o->integration : net->integration;
  if (how == UCL_NET_AUTO) {
    int cyc = ucl_network_has_cycle(net);
    if (cyc < 0) {
      ucl_net_result_destroy(&r);
      return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
    }
    how = cyc ? UCL_NET_COUPLED : UCL_NET_PARTITIONED;
  }
  r->integration = how;
  ucl_status st =
      how == UCL_NET_COUPLED ? run_coupled(net, o, r, diag) : run_partitioned(net, o, r, diag);
  if (st == UCL_OK || st == UCL_ERR_SOLVER || st == UCL_ERR_EVENTS || st == UCL_ERR_LIMIT) {
    *out = r;
  } else {
    ucl_net_result_destroy(&r);
  }
  return st;
}

/* ---- CSV ---- */

static const char *const event_cols[] = {"t_s", "neuron", "kind"};
static const char *const neuron_cols[] = {"neuron",
                                          "type",
                                          "input",
                                          "fan_in",
                                          "spikes",
                                          "rate_Hz",
                                          "rate_first_isi_Hz",
                                          "rate_steady_Hz",
                                          "latency_s",
                                          "isi_mean_s",
                                          "isi_cv",
                                          "adapt_index_efel",
                                          "adapt_index_ipfx",
                                          "tau_adapt_s",
                                          "rate_adapt_r2",
                                          "E_in_J",
                                          "E_vdd_J",
                                          "E_syn_J",
                                          "E_per_spike_J",
                                          "steps",
                                          "status",
                                          "reason"};
#define N_NEURON_COLS ((int)(sizeof(neuron_cols) / sizeof(neuron_cols[0])))

const char *const *ucl_net_neuron_columns(int *n) {
  *n = N_NEURON_COLS;
  return neuron_cols;
}

ucl_status ucl_net_write_neuron_row(ucl_csv_writer *w, const ucl_network *net,
                                    const ucl_net_result *r, size_t i, size_t fan_in) {
  const ucl_net_neuron *nn = &net->neurons[i];
  const ucl_net_neuron_result *nr = &r->neurons[i];
  char type[16];
  ucl_params_format(&nn->p, ucl_params_find("neuron"), type, sizeof(type));
  ucl_train_features f;
  ucl_features_train(nr->spikes, nr->n_spikes, 0.0, net->base.stim.duration, &f);
  ucl_rate_fit fit = {NAN, NAN, NAN, NAN, 0};
  if (nr->n_spikes >= 5 && ucl_fit_rate_decay(nr->spikes, nr->n_spikes, &fit) != UCL_OK) {
    fit.tau_s = fit.r2 = NAN;
  }
  double E = nr->E_in + nr->E_vdd + nr->E_syn;
  const double feat[] = {f.rate_mean_Hz,     f.rate_first_isi_Hz,
                         f.rate_steady_Hz,   f.latency_s,
                         f.isi_mean_s,       f.isi_cv,
                         f.adapt_index_efel, f.adapt_index_ipfx,
                         fit.tau_s,          fit.r2,
                         nr->E_in,           nr->E_vdd,
                         nr->E_syn,          nr->n_spikes ? E / (double)nr->n_spikes : NAN};
  int bad = ucl_csv_text(w, nn->name) != UCL_OK || ucl_csv_text(w, type) != UCL_OK ||
            ucl_csv_text(w, nn->external ? "external" : "none") != UCL_OK ||
            ucl_csv_long(w, (long)fan_in) != UCL_OK ||
            ucl_csv_long(w, (long)nr->n_spikes) != UCL_OK;
  for (size_t k = 0; k < sizeof(feat) / sizeof(feat[0]) && !bad; k++) {
    bad = ucl_csv_double(w, feat[k]) != UCL_OK;
  }
  bad = bad || ucl_csv_long(w, nr->stats.steps) != UCL_OK ||
        ucl_csv_text(w, nr->status == UCL_OK ? "ok" : ucl_status_name(nr->status)) != UCL_OK ||
        ucl_csv_text(w, nr->reason) != UCL_OK;
  return bad ? UCL_ERR_IO : UCL_OK;
}

typedef struct ev_ref {
  double t;
  size_t neuron;
} ev_ref;

static int ev_cmp(const void *a, const void *b) {
  const ev_ref *x = a, *y = b;
  if (x->t != y->t) {
    return x->t < y->t ? -1 : 1;
  }
  return x->neuron < y->neuron ? -1 : (x->neuron > y->neuron);
}

ucl_status ucl_net_write_csv(const ucl_network *net, const ucl_net_result *r,
                             const char *events_path, const char *neurons_path,
                             const char *waveform_path, ucl_diag *diag) {
  ucl_csv_writer *w = NULL;
  ucl_status st = UCL_OK;
  if (events_path) {
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++) {
      n += r->neurons[i].n_spikes;
    }
    ev_ref *ev = malloc((n ? n : 1) * sizeof(ev_ref));
    if (!ev) {
      return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
    }
    size_t k = 0;
    for (size_t i = 0; i < r->n; i++) {
      for (size_t j = 0; j < r->neurons[i].n_spikes; j++) {
        ev[k++] = (ev_ref){r->neurons[i].spikes[j], i};
      }
    }
    qsort(ev, n, sizeof(ev_ref), ev_cmp);
    st = ucl_csv_open(events_path, event_cols, 3, &w, diag);
    for (size_t i = 0; st == UCL_OK && i < n; i++) {
      if (ucl_csv_double(w, ev[i].t) != UCL_OK ||
          ucl_csv_text(w, net->neurons[ev[i].neuron].name) != UCL_OK ||
          ucl_csv_text(w, "spike") != UCL_OK) {
        st = ucl_diag_set(diag, UCL_ERR_IO, "writing %s failed", events_path);
      } else {
        st = ucl_csv_end_row(w, diag);
      }
    }
    free(ev);
    st = st == UCL_OK ? ucl_csv_commit(&w, diag) : (ucl_csv_abort(&w), st);
    if (st != UCL_OK) {
      return st;
    }
  }
  if (neurons_path) {
    size_t *fan_in = calloc(r->n ? r->n : 1, sizeof(size_t));
    if (!fan_in) {
      return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
    }
    for (size_t s = 0; s < net->n_synapses; s++) {
      fan_in[net->synapses[s].to]++;
    }
    st = ucl_csv_open(neurons_path, neuron_cols, N_NEURON_COLS, &w, diag);
    for (size_t i = 0; st == UCL_OK && i < r->n; i++) {
      st = ucl_net_write_neuron_row(w, net, r, i, fan_in[i]);
      st = st != UCL_OK ? ucl_diag_set(diag, UCL_ERR_IO, "writing %s failed", neurons_path)
                        : ucl_csv_end_row(w, diag);
    }
    free(fan_in);
    st = st == UCL_OK ? ucl_csv_commit(&w, diag) : (ucl_csv_abort(&w), st);
    if (st != UCL_OK) {
      return st;
    }
  }
  if (waveform_path && r->waveforms) {
    const ucl_trace *tr = r->waveforms;
    int nc = ucl_trace_n_channels(tr);
    const char **cols = malloc((size_t)(nc + 1) * sizeof(char *));
    if (!cols) {
      return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
    }
    cols[0] = "t_s";
    for (int k = 0; k < nc; k++) {
      cols[k + 1] = ucl_trace_channel_name(tr, k);
    }
    st = ucl_csv_open(waveform_path, cols, nc + 1, &w, diag);
    free(cols);
    for (size_t i = 0; st == UCL_OK && i < ucl_trace_n_samples(tr); i++) {
      const double *row = ucl_trace_sample(tr, i);
      for (int k = 0; k <= nc && st == UCL_OK; k++) {
        if (ucl_csv_double(w, row[k]) != UCL_OK) {
          st = ucl_diag_set(diag, UCL_ERR_IO, "writing %s failed", waveform_path);
        }
      }
      if (st == UCL_OK) {
        st = ucl_csv_end_row(w, diag);
      }
    }
    st = st == UCL_OK ? ucl_csv_commit(&w, diag) : (ucl_csv_abort(&w), st);
  }
  return st;
}
