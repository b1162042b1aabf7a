/* netrun.c — integrating networks (docs/model.md N4): partitioned (one CVODE per neuron in
 * topological order, synaptic inputs from recorded source trajectories, netrec.c) or coupled (one
 * CVODE for the whole network). What the runs measure and write is src/measure/netresults.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netrec.h"
#include "uclif/circuit.h"
#include "uclif/integrator.h"
#include "uclif/netrun.h"
#include "uclif/network.h"
#include "uclif/clock.h"
#include <stdint.h>

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

/* Neuron 'index' of its network: its noise draws from its own streams (noise.unit). */
static ucl_status neuron_create(const ucl_net_neuron *nn, size_t index, ucl_neuron **out,
                                ucl_diag *diag) {
  ucl_params p = nn->p;
  p.noise.unit = index;
  ucl_status st = ucl_neuron_create(&p, out, diag);
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

/* The run's wall-time limit and cancel flag (ucl_net_opts), checked by every integration through
 * its progress callback (guard_check); 'stop' stays set once seen, so that every later
 * integration stops at its start. 'relay': also pass the simulated time on to o->progress
 * (coupled runs). */
typedef struct net_guard {
  const ucl_net_opts *o;
  ucl_status stop; /* UCL_OK, UCL_ERR_LIMIT (deadline) or UCL_ERR_STOPPED (cancel) */
  int relay;
} net_guard;

static int guard_check(void *ctx, double t, double t_end) {
  net_guard *g = ctx;
  const ucl_net_opts *o = g->o;
  if (g->stop == UCL_OK && o->cancel && *o->cancel != 0) {
    g->stop = UCL_ERR_STOPPED;
  } else if (g->stop == UCL_OK && o->deadline > 0.0 && ucl_clock_s() > o->deadline) {
    g->stop = UCL_ERR_LIMIT;
  }
  if (g->stop == UCL_OK && g->relay && o->progress) {
    o->progress(o->progress_ctx, t, t_end);
  }
  return g->stop != UCL_OK;
}

/* An integration's status st: when the guard stopped it, the guard's status and message. */
static ucl_status guard_status(const net_guard *g, ucl_status st, ucl_diag *nd) {
  if (st != UCL_ERR_LIMIT || g->stop == UCL_OK) {
    return st;
  }
  return g->stop == UCL_ERR_STOPPED
             ? ucl_diag_set(nd, UCL_ERR_STOPPED, "stopped by a signal")
             : ucl_diag_set(nd, UCL_ERR_LIMIT, "the point's wall-time limit was reached (%s)",
                            nd->msg);
}

static ucl_integrator_opts net_integrator_opts(const ucl_network *net, const ucl_net_opts *o,
                                               net_guard *g) {
  ucl_integrator_opts io = ucl_integrator_opts_from_params(&net->base.solver);
  io.sample_dt = o->sample_dt;
  if (!(io.max_step > 0.0)) {
    io.max_step = 0.0; /* the neurons' hint */
  }
  io.progress = guard_check;
  io.progress_ctx = g;
  return io;
}

/* ---- partitioned ---- */

/* The system of one neuron in a partitioned run: its own ops, plus its sources' mode switches
 * as breaks. */
typedef struct part_ctx {
  const ucl_system *inner;
  ucl_netrec_view *views;
  int n_views;
  /* an autapse's source: the neuron's own output and node after R6 at the (t, y) being
   * evaluated (relaxation; NULL self: none) */
  ucl_neuron *self;
  double self_out[2];
} part_ctx;

/* The neuron's own output at (t, y) for its autapses; nonzero when the node solve fails. */
static int p_self(part_ctx *p, double t, const double *y) {
  return p->self && ucl_neuron_output(p->self, ucl_neuron_scr_on(p->self), t, y, p->self_out) != 0;
}

/* An autapse's source (ctx: one of part_ctx.self_out). */
static double self_output(void *ctx, double t) {
  (void)t;
  return *(const double *)ctx;
}

static int p_rhs(void *ctx, double t, const double *y, double *ydot) {
  part_ctx *p = ctx;
  if (p_self(p, t, y) != 0) {
    return 1;
  }
  return p->inner->ops->rhs(p->inner->ctx, t, y, ydot);
}
static int p_quad(void *ctx, double t, const double *y, double *q) {
  part_ctx *p = ctx;
  if (p_self(p, t, y) != 0) {
    return 1;
  }
  return p->inner->ops->quad(p->inner->ctx, t, y, q);
}
static int p_roots(void *ctx, double t, const double *y, double *g) {
  part_ctx *p = ctx;
  if (p_self(p, t, y) != 0) {
    return 1;
  }
  return p->inner->ops->roots(p->inner->ctx, t, y, g);
}
static void p_root_dirs(void *ctx, int *dirs) {
  part_ctx *p = ctx;
  p->inner->ops->root_dirs(p->inner->ctx, dirs);
}
static int p_switch(void *ctx, double t, double *y, const int *fired, ucl_event *ev, int cap) {
  part_ctx *p = ctx;
  if (p_self(p, t, y) != 0) {
    return -1;
  }
  return p->inner->ops->switch_modes(p->inner->ctx, t, y, fired, ev, cap);
}
static void p_begin(void *ctx, double t) {
  part_ctx *p = ctx;
  p->inner->ops->begin_segment(p->inner->ctx, t);
  for (int k = 0; k < p->n_views; k++) {
    ucl_netrec_view_begin(&p->views[k], t);
  }
}
static double p_next_break(void *ctx, double t) {
  part_ctx *p = ctx;
  double tb = p->inner->ops->next_break(p->inner->ctx, t);
  for (int k = 0; k < p->n_views; k++) {
    tb = ucl_netrec_view_next_break(&p->views[k], t, tb);
  }
  return tb;
}
static int p_observe(void *ctx, double t, const double *y, double *out) {
  part_ctx *p = ctx;
  if (p_self(p, t, y) != 0) {
    return 1;
  }
  return p->inner->ops->observe(p->inner->ctx, t, y, out);
}
static int p_save_modes(void *ctx, double *buf) {
  part_ctx *p = ctx;
  return p->inner->ops->save_modes(p->inner->ctx, buf);
}
static void p_restore_modes(void *ctx, const double *buf) {
  part_ctx *p = ctx;
  p->inner->ops->restore_modes(p->inner->ctx, buf);
}
static const ucl_system_ops part_ops = {p_rhs,        p_quad,         p_roots,      p_root_dirs,
                                        p_switch,     p_begin,        p_next_break, p_observe,
                                        p_save_modes, p_restore_modes};

/* A partitioned run, shared by its steps. */
typedef struct part_run {
  const ucl_network *net;
  const ucl_net_opts *o;
  ucl_net_result *r;
  adjacency adj;
  ucl_netrec_traj *trajs; /* per neuron: its recorded output, held while its targets need it */
  size_t *order;          /* the neurons in topological order */
  size_t *indeg;          /* scratch of the ordering */
  ucl_netrec_view *views; /* UCL_MAX_FAN_IN: the current neuron's sources */
  ucl_syn_input *inputs;  /* UCL_MAX_FAN_IN: its synapses */
  ucl_trace **samples;    /* per neuron, when sampling (else NULL) */
  size_t held;            /* recorded points held now */
  ucl_status first_fail;  /* the first neuron's failure */
  net_guard *guard;
} part_run;

static void part_free(part_run *pr) {
  for (size_t i = 0; pr->trajs && i < pr->net->n_neurons; i++) {
    ucl_netrec_traj_free(&pr->trajs[i]);
  }
  for (size_t i = 0; pr->samples && i < pr->net->n_neurons; i++) {
    ucl_trace_destroy(&pr->samples[i]);
  }
  free(pr->samples);
  free(pr->trajs);
  free(pr->order);
  free(pr->indeg);
  free(pr->views);
  free(pr->inputs);
  adjacency_free(&pr->adj);
}

static ucl_status part_setup(part_run *pr, ucl_diag *diag) {
  size_t N = pr->net->n_neurons;
  int sampling = pr->o->sample_dt > 0.0;
  pr->trajs = calloc(N, sizeof(ucl_netrec_traj));
  pr->order = malloc(N * sizeof(size_t));
  pr->indeg = calloc(N, sizeof(size_t));
  pr->views = malloc(UCL_MAX_FAN_IN * sizeof(ucl_netrec_view));
  pr->inputs = malloc(UCL_MAX_FAN_IN * sizeof(ucl_syn_input));
  pr->samples = sampling ? calloc(N, sizeof(ucl_trace *)) : NULL;
  if (!pr->trajs || !pr->order || !pr->indeg || !pr->views || !pr->inputs ||
      (sampling && !pr->samples) || adjacency_build(pr->net, &pr->adj) != 0) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory setting up the network");
  }
  return UCL_OK;
}

/* The neurons in topological order (Kahn) into pr->order; UCL_ERR_INVAL when the synapses form
 * a cycle. */
static ucl_status part_order(part_run *pr, ucl_diag *diag) {
  const ucl_network *net = pr->net;
  const adjacency *adj = &pr->adj;
  size_t N = net->n_neurons, head = 0, tail = 0;
  for (size_t i = 0; i < N; i++) {
    pr->indeg[i] = adj->in_start[i + 1] - adj->in_start[i];
    if (pr->indeg[i] == 0) {
      pr->order[tail++] = i;
    }
  }
  while (head < tail) {
    size_t i = pr->order[head++];
    for (size_t k = adj->out_start[i]; k < adj->out_start[i + 1]; k++) {
      size_t to = net->synapses[adj->out_syn[k]].to;
      if (--pr->indeg[to] == 0) {
        pr->order[tail++] = to;
      }
    }
  }
  if (tail < N) {
    return ucl_diag_set(diag, UCL_ERR_INVAL,
                        "the synapses form a cycle: partitioned integration needs a feed-forward "
                        "network (use integration = coupled)");
  }
  return UCL_OK;
}

/* The name of a source of neuron i whose run failed (the last one), or NULL. */
static const char *part_failed_source(const part_run *pr, size_t i) {
  const ucl_network *net = pr->net;
  const char *failed = NULL;
  for (size_t k = pr->adj.in_start[i]; k < pr->adj.in_start[i + 1]; k++) {
    size_t from = net->synapses[pr->adj.in_syn[k]].from;
    if (pr->r->neurons[from].status != UCL_OK) {
      failed = net->neurons[from].name;
    }
  }
  return failed;
}

/* Create neuron i with its synapses reading its sources' records. */
static ucl_status part_wire(part_run *pr, size_t i, ucl_neuron **n, ucl_diag *nd) {
  const ucl_network *net = pr->net;
  size_t first = pr->adj.in_start[i], fan_in = pr->adj.in_start[i + 1] - first;
  ucl_status st = neuron_create(&net->neurons[i], i, n, nd);
  if (st != UCL_OK) {
    return st;
  }
  for (size_t k = 0; k < fan_in; k++) {
    const ucl_net_synapse *s = &net->synapses[pr->adj.in_syn[first + k]];
    pr->views[k] = (ucl_netrec_view){&pr->trajs[s->from], 0, 0, s->tap_clamp};
    pr->inputs[k] = (ucl_syn_input){s->R, s->diode, ucl_netrec_view_output, &pr->views[k]};
  }
  return ucl_neuron_set_inputs(*n, net->neurons[i].external, pr->inputs, (int)fan_in, nd);
}

/* Integrate the wired neuron i into a new trace *tr (*ran = 1 once the integration started),
 * recording its output while it runs when it feeds others (*recorded = 1). Returns the run's
 * status with nd saying why; a record out of memory is UCL_ERR_NOMEM. */
static ucl_status part_integrate(part_run *pr, size_t i, ucl_neuron *n, ucl_trace **tr,
                                 int *recorded, int *ran, ucl_diag *nd) {
  const ucl_network *net = pr->net;
  part_ctx pc = {ucl_neuron_system(n),
                 pr->views,
                 (int)(pr->adj.in_start[i + 1] - pr->adj.in_start[i]),
                 NULL,
                 {0.0, 0.0}};
  ucl_system sys = *pc.inner;
  sys.ops = &part_ops;
  sys.ctx = &pc;
  ucl_netrec_recorder rec = {0};
  size_t fan_out = pr->adj.out_start[i + 1] - pr->adj.out_start[i];
  if (fan_out > 0) {
    pr->trajs[i].users_left = fan_out;
    rec.n = n;
    rec.inner = pc.inner;
    rec.rec = &pr->trajs[i];
    rec.ns = sys.n_states;
    if (rec.ns > UCL_NETREC_MAX_STATES) {
      return ucl_diag_set(nd, UCL_ERR_INVAL, "a neuron of %d states exceeds the recorder's %d",
                          rec.ns, UCL_NETREC_MAX_STATES);
    }
    *recorded = 1;
  }
  size_t cap = pr->o->sample_dt > 0.0 ? pr->o->max_samples : 0;
  ucl_status st = ucl_trace_create(sys.n_channels, sys.channel_names, cap, tr, nd);
  if (st != UCL_OK) {
    return st;
  }
  ucl_integrator_opts io = net_integrator_opts(net, pr->o, pr->guard);
  if (rec.rec) {
    io.on_step = ucl_netrec_step;
    io.on_step_ctx = &rec;
  }
  *ran = 1;
  st = guard_status(pr->guard, ucl_integrate(&sys, &io, net->base.stim.duration, *tr, nd), nd);
  if (rec.rec && ucl_netrec_flush(&rec) != 0 && st == UCL_OK) {
    st = ucl_diag_set(nd, UCL_ERR_NOMEM, "out of memory recording the output");
  }
  return st;
}

/* Store what the run of neuron i (status nst, nd) left in its trace: spikes, energies, solver
 * statistics, waveform names. UCL_ERR_NOMEM (diag) stops the network's run. */
static ucl_status part_store(part_run *pr, size_t i, ucl_neuron *n, const ucl_trace *tr,
                             ucl_status nst, const ucl_diag *nd, ucl_diag *diag) {
  const ucl_net_neuron *nn = &pr->net->neurons[i];
  ucl_net_result *r = pr->r;
  ucl_net_neuron_result *nr = &r->neurons[i];
  if (nst == UCL_ERR_NOMEM) {
    return ucl_diag_set(diag, nst, "neuron '%s': %s", nn->name, nd->msg);
  }
  if (take_spikes(tr, -1, nr) != UCL_OK) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory storing spikes");
  }
  int nq = ucl_trace_n_quads(tr);
  nr->E_in = nq > 0 ? ucl_trace_quad(tr, 0) : 0.0;
  nr->E_vdd = nq > 1 ? ucl_trace_quad(tr, 1) : 0.0;
  nr->E_syn = nq > 2 ? ucl_trace_quad(tr, 2) : 0.0;
  nr->t_reached = ucl_trace_t_reached(tr);
  nr->stats = *ucl_trace_stats_const(tr);
  ucl_solver_stats_add(&r->stats, &nr->stats);
  r->events += ucl_trace_n_events(tr);
  if (pr->samples && add_names(r, nn->name, ucl_neuron_system(n)) != UCL_OK) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory naming waveforms");
  }
  return UCL_OK;
}

/* Neuron i is done (recorded: it has a record; ok: its run completed): hold its record while
 * its targets need it, release its sources' records once their last target is done. */
static void part_release(part_run *pr, size_t i, int recorded, int ok) {
  const ucl_network *net = pr->net;
  if (recorded && ok) {
    pr->held += pr->trajs[i].n;
  } else if (recorded) {
    ucl_netrec_traj_free(&pr->trajs[i]);
  }
  if (pr->held > pr->r->peak_points) {
    pr->r->peak_points = pr->held;
  }
  for (size_t k = pr->adj.in_start[i]; k < pr->adj.in_start[i + 1]; k++) {
    ucl_netrec_traj *T = &pr->trajs[net->synapses[pr->adj.in_syn[k]].from];
    if (T->users_left > 0 && --T->users_left == 0) {
      pr->held -= T->n;
      ucl_netrec_traj_free(T);
    }
  }
}

/* Simulate neuron i: a failure is the neuron's (its status and reason in the result; the first
 * one also in diag) and the run goes on; returns UCL_OK, or UCL_ERR_NOMEM to stop. Its sources
 * are done. */
static ucl_status part_neuron(part_run *pr, size_t i, ucl_diag *diag) {
  const ucl_net_neuron *nn = &pr->net->neurons[i];
  ucl_net_neuron_result *nr = &pr->r->neurons[i];
  ucl_neuron *n = NULL;
  ucl_trace *tr = NULL;
  ucl_diag nd = {{0}};
  int recorded = 0, ran = 0;
  ucl_status st = UCL_OK, nst;
  const char *failed_src = part_failed_source(pr, i);
  if (failed_src) {
    nst = ucl_diag_set(&nd, UCL_ERR_SOLVER, "not simulated: its input neuron '%s' failed",
                       failed_src);
  } else {
    nst = part_wire(pr, i, &n, &nd);
  }
  if (nst == UCL_OK) {
    nst = part_integrate(pr, i, n, &tr, &recorded, &ran, &nd);
  }
  if (ran) {
    st = part_store(pr, i, n, tr, nst, &nd, diag);
    if (st != UCL_OK) {
      goto done;
    }
  }
  nr->status = nst;
  if (nst != UCL_OK) {
    snprintf(nr->reason, sizeof(nr->reason), "%s", nd.msg);
    if (pr->first_fail == UCL_OK) {
      pr->first_fail = nst;
      ucl_diag_set(diag, nst, "neuron '%s': %s", nn->name, nd.msg);
    }
  }
  if (pr->samples) {
    pr->samples[i] = tr;
    tr = NULL;
  }
  part_release(pr, i, recorded, nst == UCL_OK);
done:
  ucl_trace_destroy(&tr);
  ucl_neuron_destroy(&n);
  return st;
}

/* The waveforms of the neurons' traces as one table, their columns side by side (a neuron that
 * never ran has none; a shorter trace pads with NAN). */
static ucl_status part_waveforms(part_run *pr, ucl_diag *diag) {
  size_t N = pr->net->n_neurons;
  ucl_net_result *r = pr->r;
  ucl_trace **samples = pr->samples;
  size_t rows = 0;
  for (size_t i = 0; i < N; i++) {
    size_t m = samples[i] ? ucl_trace_n_samples(samples[i]) : 0;
    rows = m > rows ? m : rows;
  }
  ucl_status st =
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
  return st;
}

/* Order the neurons, simulate each after its sources, collect the waveforms. */
static ucl_status run_partitioned(const ucl_network *net, const ucl_net_opts *o, net_guard *g,
                                  ucl_net_result *r, ucl_diag *diag) {
  part_run pr = {.net = net, .o = o, .r = r, .first_fail = UCL_OK, .guard = g};
  ucl_status st = part_setup(&pr, diag);
  if (st == UCL_OK) {
    st = part_order(&pr, diag);
  }
  for (size_t step = 0; st == UCL_OK && step < net->n_neurons; step++) {
    st = part_neuron(&pr, pr.order[step], diag);
    if (st == UCL_OK && o->progress) {
      o->progress(o->progress_ctx, (double)(step + 1), (double)net->n_neurons);
    }
  }
  if (st == UCL_OK && pr.samples) {
    st = part_waveforms(&pr, diag);
  }
  if (st == UCL_OK) {
    st = pr.first_fail;
  }
  part_free(&pr);
  return st;
}

/* ---- waveform relaxation (docs/model.md N4) ----
 *
 * Every neuron keeps its own integration (ucl_integration), advanced window by window. Per
 * window [a, b], the strongly connected components of the synapse graph are taken in
 * topological order; a component's members are integrated reading their sources' published
 * records (an autapse reads the neuron's own output, exactly): a source of an earlier component
 * is final there; a source of the same component is the previous sweep's (Jacobi: a sweep reads
 * only what the sweep before published, so the result does not depend on the order of the
 * members nor on the ranks that hold them), held at its last value past its end. A neuron
 * outside every cycle is integrated once per window and stops at b. A member of a cycle steps
 * across b (ucl_integration_advance_past) and keeps a restart point at every accepted step;
 * after a sweep a member's new record is compared with its published one from a on, which dates
 * the first difference (ucl_netrec_traj_first_diff); each target whose integration has passed
 * that time goes back to its last restart point at or before it: in the next sweep when the
 * change is before b, else in the next window's first sweep. The window is done when a sweep
 * sends nobody back before b. */

/* A restart point of a neuron in the current window: its integration's checkpoint, its recorder
 * and its record's lengths there. */
typedef struct rx_ckpt {
  double t;
  ucl_integration_ckpt *ck;
  ucl_netrec_recorder rec;
  size_t work_n, work_n_ev;
} rx_ckpt;

/* A neuron of a relaxation run. */
typedef struct rx_neuron {
  ucl_neuron *n;
  part_ctx pc;
  ucl_system sys;
  ucl_netrec_view *views; /* its fan-in */
  ucl_syn_input *inputs;
  ucl_integrator_opts io;
  ucl_trace *tr;
  ucl_integration *ig;
  ucl_netrec_recorder rec; /* writes 'work' (neurons that feed others) */
  /* members of cycles: its restart points, [0] its last at or before the window's start, then
   * one at each accepted step since (on_restart_point), in time order, at most RX_HIST_MAX; the
   * checkpoints of dropped points are kept for reuse */
  rx_ckpt *hist;
  size_t n_hist, cap_hist;
  double t_redo;    /* due again: its sources' records changed from this time (s) */
  double t_stale;   /* a source changed from this time past the window's end, where this neuron
                       stepped across it (INFINITY: none): its first sweep of the next window
                       goes back there */
  double t_changed; /* its last publish changed its record from this time (INFINITY:
                       it did not) */
  double t_c;       /* this sweep: the earliest t_changed of its loop-mates (pushed by them) */
  double t_in;      /* this window: the earliest t_changed of its sources in other components */
  ucl_netrec_traj work, pub; /* its record being written; the one its targets read */
  size_t comp;               /* its component */
  int feeds, cyclic;
  int dirty, failed;
  ucl_status status;
  char reason[512];
  double tr_events; /* its trace's events at the end (the gather) */
} rx_neuron;

typedef struct relax_run {
  part_run *pr;
  const ucl_net_relax *rp; /* the network's relaxation parameters */
  rx_neuron *x;
  size_t n_comp, n_levels;
  size_t *comp_start, *comp_member; /* CSR: the components in topological order, their members */
  size_t *level_comp, *level_start; /* CSR: the components of each level (level 0: no source
                                       outside itself; level k: sources up to level k-1) */
  long *comp_sweeps;                /* per component: sweeps in the current window */
  unsigned char *comp_active;       /* per component: still sweeping in the current window */
  size_t windows, sweeps, reintegrations;
  long bytes_sent; /* records this rank sent */
  /* ranks (ucl_net_transport; tp NULL: one rank) */
  const ucl_net_transport *tp;
  int rank, size;
  int *owner;                /* per neuron: the rank that integrates it */
  size_t *dest_start, *dest; /* CSR per neuron: the other ranks holding one of its targets */
  long new_fail;             /* this rank's neurons failed since the last agreement */
  long *scratch;             /* n_comp + N + 2 longs for agreements */
  size_t *chg, n_chg;        /* the neurons whose records changed in the last publish */
} relax_run;

static int rx_local(const relax_run *rx, size_t i) {
  return rx->owner[i] == rx->rank;
}

/* The element-wise maximum of v over the ranks (nothing on one rank). */
static ucl_status rx_max(relax_run *rx, long *v, int n, ucl_diag *diag) {
  return rx->tp ? rx->tp->max_long(rx->tp->ctx, v, n, diag) : UCL_OK;
}

/* The level of each component (0 without a source outside itself, else one more than its
 * sources' highest) into rx->level_comp / level_start, components in topological order within
 * a level. Nonzero when out of memory. */
static int relax_levels(relax_run *rx) {
  const ucl_network *net = rx->pr->net;
  const adjacency *adj = &rx->pr->adj;
  size_t nc = rx->n_comp;
  size_t *level = calloc(nc ? nc : 1, sizeof(size_t));
  rx->level_comp = malloc((nc ? nc : 1) * sizeof(size_t));
  rx->level_start = calloc(nc + 2, sizeof(size_t));
  rx->comp_sweeps = calloc(nc ? nc : 1, sizeof(long));
  rx->comp_active = calloc(nc ? nc : 1, 1);
  if (!level || !rx->level_comp || !rx->level_start || !rx->comp_sweeps || !rx->comp_active) {
    free(level);
    return 1;
  }
  size_t top = 0;
  for (size_t c = 0; c < nc; c++) { /* topological order: the sources' levels are known */
    for (size_t j = rx->comp_start[c]; j < rx->comp_start[c + 1]; j++) {
      size_t i = rx->comp_member[j];
      for (size_t k = adj->in_start[i]; k < adj->in_start[i + 1]; k++) {
        size_t sc = rx->x[net->synapses[adj->in_syn[k]].from].comp;
        if (sc != c && level[sc] + 1 > level[c]) {
          level[c] = level[sc] + 1;
        }
      }
    }
    top = level[c] > top ? level[c] : top;
  }
  rx->n_levels = nc ? top + 1 : 0;
  for (size_t c = 0; c < nc; c++) {
    rx->level_start[level[c] + 1]++;
  }
  for (size_t L = 0; L < rx->n_levels; L++) {
    rx->level_start[L + 1] += rx->level_start[L];
  }
  size_t *fill = calloc(rx->n_levels ? rx->n_levels : 1, sizeof(size_t));
  if (!fill) {
    free(level);
    return 1;
  }
  for (size_t c = 0; c < nc; c++) {
    rx->level_comp[rx->level_start[level[c]] + fill[level[c]]++] = c;
  }
  free(fill);
  free(level);
  return 0;
}

/* Strongly connected components (Tarjan, iterative) in topological order of the condensation
 * (sources first) into rx->comp_start / comp_member, and each neuron's component and whether
 * it lies on a cycle (a component of two or more, or an autapse). */
static int relax_components(relax_run *rx) {
  const ucl_network *net = rx->pr->net;
  const adjacency *adj = &rx->pr->adj;
  size_t N = net->n_neurons, index = 0, sp = 0, cs = 0, nc = 0, filled = 0;
  size_t *idx = malloc(N * sizeof(size_t)), *low = malloc(N * sizeof(size_t));
  size_t *stack = malloc(N * sizeof(size_t)), *call = malloc(N * sizeof(size_t));
  size_t *edge = malloc(N * sizeof(size_t));
  unsigned char *on = calloc(N, 1);
  size_t *order = malloc(N * sizeof(size_t)); /* members, components in reverse topo order */
  size_t *cstart = malloc((N + 1) * sizeof(size_t));
  rx->comp_start = malloc((N + 1) * sizeof(size_t));
  rx->comp_member = malloc(N * sizeof(size_t));
  int fail = !idx || !low || !stack || !call || !edge || !on || !order || !cstart ||
             !rx->comp_start || !rx->comp_member;
  for (size_t i = 0; !fail && i < N; i++) {
    idx[i] = SIZE_MAX;
  }
  for (size_t root = 0; !fail && root < N; root++) {
    if (idx[root] != SIZE_MAX) {
      continue;
    }
    call[cs++] = root;
    idx[root] = low[root] = index++;
    edge[root] = adj->out_start[root];
    stack[sp++] = root;
    on[root] = 1;
    while (cs > 0) {
      size_t v = call[cs - 1];
      if (edge[v] < adj->out_start[v + 1]) {
        size_t w = net->synapses[adj->out_syn[edge[v]++]].to;
        if (idx[w] == SIZE_MAX) {
          idx[w] = low[w] = index++;
          edge[w] = adj->out_start[w];
          stack[sp++] = w;
          on[w] = 1;
          call[cs++] = w;
        } else if (on[w] && idx[w] < low[v]) {
          low[v] = idx[w];
        }
        continue;
      }
      cs--;
      if (cs > 0 && low[v] < low[call[cs - 1]]) {
        low[call[cs - 1]] = low[v];
      }
      if (low[v] == idx[v]) { /* v roots a component */
        cstart[nc++] = filled;
        size_t w;
        do {
          w = stack[--sp];
          on[w] = 0;
          order[filled++] = w;
        } while (w != v);
      }
    }
  }
  if (!fail) {
    /* Tarjan emits sinks first: reverse the components, keep members in index order */
    cstart[nc] = N;
    size_t at = 0;
    for (size_t k = nc; k-- > 0;) {
      rx->comp_start[nc - 1 - k] = at;
      size_t m0 = at;
      for (size_t j = cstart[k]; j < cstart[k + 1]; j++) {
        rx->comp_member[at++] = order[j];
      }
      for (size_t a = m0 + 1; a < at; a++) { /* insertion sort: members by index */
        size_t v = rx->comp_member[a], b = a;
        while (b > m0 && rx->comp_member[b - 1] > v) {
          rx->comp_member[b] = rx->comp_member[b - 1];
          b--;
        }
        rx->comp_member[b] = v;
      }
    }
    rx->comp_start[nc] = N;
    rx->n_comp = nc;
    for (size_t c = 0; c < nc; c++) {
      size_t m = rx->comp_start[c + 1] - rx->comp_start[c];
      for (size_t j = rx->comp_start[c]; j < rx->comp_start[c + 1]; j++) {
        size_t i = rx->comp_member[j];
        rx->x[i].comp = c;
        rx->x[i].cyclic = m > 1; /* an autapse reads the neuron's own output: not a cycle */
      }
    }
  }
  free(idx);
  free(low);
  free(stack);
  free(call);
  free(edge);
  free(on);
  free(order);
  free(cstart);
  return fail || relax_levels(rx);
}

/* Which rank integrates each neuron (blocks of consecutive indices) and, per neuron, the other
 * ranks that hold one of its targets. Nonzero when out of memory. */
static int relax_ranks(relax_run *rx) {
  const ucl_network *net = rx->pr->net;
  const adjacency *adj = &rx->pr->adj;
  size_t N = net->n_neurons;
  rx->owner = malloc((N ? N : 1) * sizeof(int));
  rx->dest_start = calloc(N + 1, sizeof(size_t));
  rx->dest = malloc((net->n_synapses ? net->n_synapses : 1) * sizeof(size_t));
  rx->scratch = malloc((rx->n_comp + N + 2) * sizeof(long));
  rx->chg = malloc((N ? N : 1) * sizeof(size_t));
  if (!rx->owner || !rx->dest_start || !rx->dest || !rx->scratch || !rx->chg) {
    return 1;
  }
  for (int r = 0; r < rx->size; r++) {
    size_t lo = N * (size_t)r / (size_t)rx->size, hi = N * (size_t)(r + 1) / (size_t)rx->size;
    for (size_t i = lo; i < hi; i++) {
      rx->owner[i] = r;
    }
  }
  size_t m = 0;
  for (size_t i = 0; i < N; i++) {
    rx->dest_start[i] = m;
    for (size_t k = adj->out_start[i]; k < adj->out_start[i + 1]; k++) {
      size_t d = (size_t)rx->owner[net->synapses[adj->out_syn[k]].to];
      int seen = d == (size_t)rx->owner[i];
      for (size_t q = rx->dest_start[i]; !seen && q < m; q++) {
        seen = rx->dest[q] == d;
      }
      if (!seen) {
        rx->dest[m++] = d;
      }
    }
  }
  rx->dest_start[N] = m;
  return 0;
}

/* The bytes of neuron i's published record in an exchange: a header of 4 doubles (i, the time
 * from which it changed or INFINITY, points, switches), the times, the outputs (2 per point), the
 * switch times, the modes (one byte per point, padded to 8). */
static size_t rec_bytes(const ucl_netrec_traj *T) {
  return 8 * (4 + 3 * T->n + T->n_ev) + (T->n + 7) / 8 * 8;
}

static unsigned char *rec_pack(unsigned char *p, size_t i, double t_changed,
                               const ucl_netrec_traj *T) {
  double h[4] = {(double)i, t_changed, (double)T->n, (double)T->n_ev};
  memcpy(p, h, sizeof(h));
  p += sizeof(h);
  if (T->n > 0) { /* (an empty record's arrays may be NULL) */
    memcpy(p, T->t, T->n * 8);
    memcpy(p + T->n * 8, T->out, T->n * 16);
  }
  p += T->n * 24;
  if (T->n_ev > 0) {
    memcpy(p, T->ev, T->n_ev * 8);
  }
  p += T->n_ev * 8;
  memset(p, 0, (T->n + 7) / 8 * 8);
  if (T->n > 0) {
    memcpy(p, T->mode, T->n);
  }
  return p + (T->n + 7) / 8 * 8;
}

/* Send the published records of the listed neurons (this rank's) to the ranks holding their
 * targets, and take in the records the others send (with the times they changed from). Nothing on
 * one rank. */
static ucl_status relax_exchange(relax_run *rx, const size_t *list, size_t n, ucl_diag *diag) {
  if (!rx->tp) {
    return UCL_OK;
  }
  int P = rx->size;
  size_t *bytes = calloc((size_t)P * 3, sizeof(size_t)), *off = bytes + P, *rb = bytes + 2 * P;
  if (!bytes) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory for an exchange");
  }
  for (size_t q = 0; q < n; q++) {
    size_t i = list[q];
    for (size_t k = rx->dest_start[i]; k < rx->dest_start[i + 1]; k++) {
      bytes[rx->dest[k]] += rec_bytes(&rx->x[i].pub);
    }
  }
  size_t total = 0;
  for (int r = 0; r < P; r++) {
    off[r] = total;
    total += bytes[r];
  }
  rx->bytes_sent += (long)total;
  unsigned char *buf = malloc(total ? total : 1);
  ucl_status st = buf ? UCL_OK : ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory for an exchange");
  for (size_t q = 0; buf && q < n; q++) {
    size_t i = list[q];
    for (size_t k = rx->dest_start[i]; k < rx->dest_start[i + 1]; k++) {
      unsigned char *end = rec_pack(buf + off[rx->dest[k]], i, rx->x[i].t_changed, &rx->x[i].pub);
      off[rx->dest[k]] = (size_t)(end - buf);
    }
  }
  for (int r = 0; r < P; r++) {
    off[r] -= bytes[r];
  }
  void *in = NULL;
  if (st == UCL_OK) {
    st = rx->tp->alltoallv(rx->tp->ctx, buf, bytes, &in, rb, diag);
  } else { /* the others are in the collective: take part with nothing, then fail */
    size_t *zero = calloc((size_t)P, sizeof(size_t));
    if (zero) {
      (void)rx->tp->alltoallv(rx->tp->ctx, "", zero, &in, rb, diag);
    }
    free(zero);
  }
  size_t got = 0;
  for (int r = 0; st == UCL_OK && r < P; r++) {
    got += rb[r];
  }
  const unsigned char *p = in, *end = p ? p + got : NULL;
  while (st == UCL_OK && p && p < end) {
    double h[4];
    memcpy(h, p, sizeof(h));
    size_t j = (size_t)h[0], np = (size_t)h[2], ne = (size_t)h[3];
    const unsigned char *t = p + sizeof(h), *o = t + np * 8, *e = o + np * 16, *md = e + ne * 8;
    /* a view of the message as a record (aligned: every part is a multiple of 8 bytes) */
    ucl_netrec_traj tmp = {.n = np,
                           .t = (double *)(uintptr_t)t,
                           .out = (double *)(uintptr_t)o,
                           .mode = (unsigned char *)(uintptr_t)md,
                           .ev = (double *)(uintptr_t)e,
                           .n_ev = ne};
    if (ucl_netrec_traj_copy(&rx->x[j].pub, &tmp) != 0) {
      st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory for a record");
    }
    rx->x[j].t_changed = h[1];
    if (h[1] < INFINITY) {
      rx->chg[rx->n_chg++] = j;
    }
    p = md + (np + 7) / 8 * 8;
  }
  free(in);
  free(buf);
  free(bytes);
  return st;
}

/* Every rank learns the failures of every neuron since the last agreement (a failure sets
 * new_fail on its rank). Nothing on one rank. */
static ucl_status relax_agree_failures(relax_run *rx, ucl_diag *diag) {
  if (!rx->tp) {
    return UCL_OK;
  }
  long any = rx->new_fail;
  ucl_status st = rx_max(rx, &any, 1, diag);
  if (st != UCL_OK || any == 0) {
    return st;
  }
  size_t N = rx->pr->net->n_neurons;
  long *f = rx->scratch;
  for (size_t i = 0; i < N; i++) {
    f[i] = rx->x[i].failed;
  }
  st = rx_max(rx, f, (int)N, diag);
  for (size_t i = 0; st == UCL_OK && i < N; i++) {
    if (f[i] && !rx->x[i].failed) { /* another rank's neuron: its reason stays there */
      rx->x[i].failed = 1;
      rx->x[i].status = UCL_ERR_SOLVER;
    }
  }
  rx->new_fail = 0;
  return st;
}

/* Restart points kept per neuron at most: at the bound every other one is dropped (the first and
 * the last kept), so a neuron that takes many steps in a window goes back at most twice as far
 * as it needs to. 8 costs 2 % more steps than no bound on the 1,000-neuron benchmark network
 * (docs/benchmarks.md) and about 8 kB per neuron. */
#define RX_HIST_MAX 8

static void relax_ckpt_swap(rx_ckpt *p, rx_ckpt *q) {
  rx_ckpt tmp = *p;
  *p = *q;
  *q = tmp;
}

/* Keep neuron x's current position (time t) as its last restart point in the window, thinning
 * them at RX_HIST_MAX. UCL_ERR_NOMEM, or ucl_integration_ckpt_create's failure (nd says). */
static ucl_status relax_save(rx_neuron *x, double t, ucl_diag *nd) {
  if (x->n_hist == RX_HIST_MAX) { /* thinned: the first, every other one, the last */
    size_t m = 1;
    for (size_t k = 2; k < x->n_hist; k += 2, m++) {
      relax_ckpt_swap(&x->hist[m], &x->hist[k]);
    }
    relax_ckpt_swap(&x->hist[m++], &x->hist[x->n_hist - 1]);
    x->n_hist = m;
  }
  if (x->n_hist == x->cap_hist) {
    size_t cap = x->cap_hist ? 2 * x->cap_hist : 8;
    rx_ckpt *h = realloc(x->hist, cap * sizeof(rx_ckpt));
    if (!h) {
      return ucl_diag_set(nd, UCL_ERR_NOMEM, "out of memory for a checkpoint");
    }
    memset(h + x->cap_hist, 0, (cap - x->cap_hist) * sizeof(rx_ckpt));
    x->hist = h;
    x->cap_hist = cap;
  }
  rx_ckpt *h = &x->hist[x->n_hist];
  if (!h->ck) {
    ucl_status st = ucl_integration_ckpt_create(x->ig, &h->ck, nd);
    if (st != UCL_OK) {
      return st;
    }
  }
  ucl_integration_save(x->ig, h->ck);
  h->t = t;
  h->rec = x->rec;
  h->work_n = x->work.n;
  h->work_n_ev = x->work.n_ev;
  x->n_hist++;
  return UCL_OK;
}

/* on_restart_point of a member of a cycle: every accepted step is a restart point (the first
 * save, at t = 0, has created a checkpoint of this integration: only memory can fail here). */
static int relax_restart_point(void *ctx, double t) {
  ucl_diag nd = {{0}};
  return relax_save(ctx, t, &nd) != UCL_OK;
}

/* Create neuron i: its system reading its sources' published records, its recorder, its trace
 * and integrator options (a member of a cycle: the restart-point hook). relax_neuron_start
 * starts it. */
static ucl_status relax_neuron_setup(relax_run *rx, size_t i, ucl_diag *nd) {
  part_run *pr = rx->pr;
  const ucl_network *net = pr->net;
  rx_neuron *x = &rx->x[i];
  size_t first = pr->adj.in_start[i], fan_in = pr->adj.in_start[i + 1] - first;
  x->views = malloc((fan_in ? fan_in : 1) * sizeof(ucl_netrec_view));
  x->inputs = malloc((fan_in ? fan_in : 1) * sizeof(ucl_syn_input));
  if (!x->views || !x->inputs) {
    return ucl_diag_set(nd, UCL_ERR_NOMEM, "out of memory");
  }
  ucl_status st = neuron_create(&net->neurons[i], i, &x->n, nd);
  if (st != UCL_OK) {
    return st;
  }
  /* the views first (a segment begins them all), an autapse after them reading the neuron's
   * own output: exact, as in the coupled system, with nothing to relax */
  int n_views = 0;
  for (size_t k = 0; k < fan_in; k++) {
    const ucl_net_synapse *s = &net->synapses[pr->adj.in_syn[first + k]];
    if (s->from != i) {
      x->views[n_views] = (ucl_netrec_view){&rx->x[s->from].pub, 0, 0, s->tap_clamp};
      x->inputs[k] = (ucl_syn_input){s->R, s->diode, ucl_netrec_view_output, &x->views[n_views]};
      n_views++;
    } else {
      x->inputs[k] = (ucl_syn_input){s->R, s->diode, self_output, &x->pc.self_out[s->tap_clamp]};
      x->pc.self = x->n;
    }
  }
  st = ucl_neuron_set_inputs(x->n, net->neurons[i].external, x->inputs, (int)fan_in, nd);
  if (st != UCL_OK) {
    return st;
  }
  x->pc.inner = ucl_neuron_system(x->n);
  x->pc.views = x->views;
  x->pc.n_views = n_views;
  x->sys = *x->pc.inner;
  x->sys.ops = &part_ops;
  x->sys.ctx = &x->pc;
  x->io = net_integrator_opts(net, pr->o, pr->guard);
  x->feeds = pr->adj.out_start[i + 1] > pr->adj.out_start[i];
  if (x->feeds) {
    if (x->sys.n_states > UCL_NETREC_MAX_STATES) {
      return ucl_diag_set(nd, UCL_ERR_INVAL, "a neuron of %d states exceeds the recorder's %d",
                          x->sys.n_states, UCL_NETREC_MAX_STATES);
    }
    x->rec = (ucl_netrec_recorder){
        .n = x->n, .inner = x->pc.inner, .rec = &x->work, .ns = x->sys.n_states};
    x->io.on_step = ucl_netrec_step;
    x->io.on_step_ctx = &x->rec;
  }
  if (x->cyclic) { /* (a member of a cycle feeds one) */
    x->io.on_restart_point = relax_restart_point;
    x->io.on_restart_point_ctx = x;
  }
  size_t cap = pr->o->sample_dt > 0.0 ? pr->o->max_samples : 0;
  st = ucl_trace_create(x->sys.n_channels, x->sys.channel_names, cap, &x->tr, nd);
  if (st != UCL_OK) {
    return st;
  }
  return UCL_OK;
}

/* Start neuron i's integration (after every neuron's setup: its sources' records exist). */
static ucl_status relax_neuron_start(relax_run *rx, size_t i, ucl_diag *nd) {
  rx_neuron *x = &rx->x[i];
  ucl_status st =
      ucl_integration_begin(&x->sys, &x->io, rx->pr->net->base.stim.duration, x->tr, &x->ig, nd);
  if (st == UCL_OK && x->feeds && ucl_netrec_flush(&x->rec) != 0) {
    st = ucl_diag_set(nd, UCL_ERR_NOMEM, "out of memory recording the output");
  }
  x->t_redo = x->t_stale = x->t_changed = x->t_c = x->t_in = INFINITY;
  if (st == UCL_OK && x->cyclic) {
    st = relax_save(x, 0.0, nd);
  }
  return st;
}

/* Neuron i failed (status st, message msg): it goes no further. */
static void relax_fail(relax_run *rx, size_t i, ucl_status st, const char *msg) {
  rx_neuron *x = &rx->x[i];
  if (x->failed) {
    return;
  }
  x->failed = 1;
  x->status = st;
  snprintf(x->reason, sizeof(x->reason), "%s", msg);
}

/* Bring neuron i to b and keep its record's last point. A member of a cycle first goes back to
 * its last restart point at or before t_redo when its integration is past it (a source's record
 * changed from there), then steps across b (ucl_integration_advance_past); any other neuron stops
 * at b. A failure is the neuron's. */
static void relax_integrate(relax_run *rx, size_t i, double b) {
  rx_neuron *x = &rx->x[i];
  ucl_diag nd = {{0}};
  ucl_status st = UCL_OK;
  if (x->cyclic && x->t_redo < ucl_integration_t(x->ig)) {
    size_t k = x->n_hist - 1;
    while (k > 0 && x->hist[k].t > x->t_redo) {
      k--;
    }
    const rx_ckpt *h = &x->hist[k];
    x->rec = h->rec;
    x->work.n = h->work_n;
    x->work.n_ev = h->work_n_ev;
    x->n_hist = k + 1;
    if (x->t_stale >= h->t) {
      x->t_stale = INFINITY; /* the stale stretch is integrated again */
    }
    st = ucl_integration_restore(x->ig, h->ck, &nd);
    rx->reintegrations++;
  }
  x->t_redo = INFINITY;
  if (st == UCL_OK && ucl_integration_t(x->ig) < b) {
    st = x->cyclic ? ucl_integration_advance_past(x->ig, b, &nd)
                   : ucl_integration_advance(x->ig, b, &nd);
    st = guard_status(rx->pr->guard, st, &nd);
  }
  if (st == UCL_OK && x->feeds && ucl_netrec_flush(&x->rec) != 0) {
    st = ucl_diag_set(&nd, UCL_ERR_NOMEM, "out of memory recording the output");
  }
  if (st != UCL_OK) {
    relax_fail(rx, i, st, nd.msg);
    rx->new_fail++;
  }
}

/* Publish neuron i's record to its targets; its t_changed: the time from which it differs from
 * the one published before from a on, past the window where it stepped across its end (INFINITY:
 * within the tolerances). Nonzero when out of memory. */
static int relax_publish(relax_run *rx, size_t i, double a) {
  rx_neuron *x = &rx->x[i];
  x->t_changed = INFINITY;
  if (!x->feeds) {
    return 0;
  }
  x->t_changed =
      ucl_netrec_traj_first_diff(&x->pub, &x->work, a, INFINITY, rx->rp->tol_V, rx->rp->tol_t);
  return ucl_netrec_traj_copy(&x->pub, &x->work);
}

/* The name of a failed source of neuron i outside its component, or NULL. */
static const char *relax_failed_source(const relax_run *rx, size_t i) {
  const ucl_network *net = rx->pr->net;
  const adjacency *adj = &rx->pr->adj;
  for (size_t k = adj->in_start[i]; k < adj->in_start[i + 1]; k++) {
    size_t from = net->synapses[adj->in_syn[k]].from;
    if (rx->x[from].failed && rx->x[from].comp != rx->x[i].comp) {
      return net->neurons[from].name;
    }
  }
  return NULL;
}

/* Fail every member of component c not failed yet, naming why. */
static void relax_fail_component(relax_run *rx, size_t c, ucl_status st, const char *msg) {
  for (size_t j = rx->comp_start[c]; j < rx->comp_start[c + 1]; j++) {
    relax_fail(rx, rx->comp_member[j], st, msg);
  }
}

/* Components c0..c1 (one level, level_comp order) over [a, b] before their sweeps: a component
 * whose source failed or one of whose members failed earlier fails; the others are active. Their
 * members are due, except this rank's members of a cycle already past b whose inputs did not
 * change before their position (t_in, t_stale); those due go back to t_redo first. */
static void relax_level_start(relax_run *rx, const size_t *comps, size_t nc, double a, double b) {
  const ucl_network *net = rx->pr->net;
  char msg[512];
  for (size_t q = 0; q < nc; q++) {
    size_t c = comps[q];
    for (size_t j = rx->comp_start[c]; j < rx->comp_start[c + 1]; j++) {
      size_t i = rx->comp_member[j];
      const char *src = rx->x[i].failed ? NULL : relax_failed_source(rx, i);
      if (src) {
        snprintf(msg, sizeof(msg), "not simulated past t=%.9g s: its input neuron '%s' failed", a,
                 src);
        relax_fail_component(rx, c, UCL_ERR_SOLVER, msg);
      } else if (rx->x[i].failed) {
        snprintf(msg, sizeof(msg), "not simulated past t=%.9g s: neuron '%s' of its loop failed", a,
                 net->neurons[i].name);
        relax_fail_component(rx, c, UCL_ERR_SOLVER, msg);
      }
    }
    rx->comp_sweeps[c] = 0;
    rx->comp_active[c] = !rx->x[rx->comp_member[rx->comp_start[c]]].failed;
    for (size_t j = rx->comp_start[c]; rx->comp_active[c] && j < rx->comp_start[c + 1]; j++) {
      size_t i = rx->comp_member[j];
      rx_neuron *x = &rx->x[i];
      x->dirty = 1;
      if (x->cyclic && rx_local(rx, i)) { /* due when short of b or a source changed before */
        double t_redo = fmin(x->t_stale, x->t_in);
        double t = ucl_integration_t(x->ig);
        x->t_c = INFINITY;
        x->t_redo = t_redo < t ? t_redo : INFINITY;
        x->dirty = t < b || x->t_redo < INFINITY;
      }
    }
  }
}

/* One sweep of the active components of a level: this rank's due members brought to b
 * (relax_integrate: back to their restart point at t_redo first), then, the failures agreed, a
 * component with a failed member fails (named after its first), one past max_sweeps fails
 * unconverged. */
static ucl_status relax_level_integrate(relax_run *rx, const size_t *comps, size_t nc, double a,
                                        double b, ucl_diag *diag) {
  const ucl_network *net = rx->pr->net;
  char msg[512];
  for (size_t q = 0; q < nc; q++) {
    size_t c = comps[q];
    if (!rx->comp_active[c]) {
      continue;
    }
    if (++rx->comp_sweeps[c] > rx->rp->max_sweeps) {
      snprintf(msg, sizeof(msg),
               "waveform relaxation did not converge over [%.9g, %.9g] s in %ld sweeps", a, b,
               rx->rp->max_sweeps);
      relax_fail_component(rx, c, UCL_ERR_SOLVER, msg);
      rx->comp_active[c] = 0;
      continue;
    }
    rx->sweeps += rx->x[rx->comp_member[rx->comp_start[c]]].cyclic;
    for (size_t j = rx->comp_start[c]; j < rx->comp_start[c + 1]; j++) {
      size_t i = rx->comp_member[j];
      if (rx->x[i].dirty && rx_local(rx, i)) {
        relax_integrate(rx, i, b);
      }
    }
  }
  ucl_status st = relax_agree_failures(rx, diag);
  for (size_t q = 0; q < nc; q++) {
    size_t c = comps[q];
    for (size_t j = rx->comp_start[c]; rx->comp_active[c] && j < rx->comp_start[c + 1]; j++) {
      size_t i = rx->comp_member[j];
      if (rx->x[i].failed) {
        snprintf(msg, sizeof(msg), "not simulated past t=%.9g s: neuron '%s' of its loop failed", a,
                 net->neurons[i].name);
        relax_fail_component(rx, c, UCL_ERR_SOLVER, msg);
        rx->comp_active[c] = 0;
      }
    }
  }
  return st;
}

/* Neuron s's change (its t_changed) reaches its targets on this rank other than itself: a
 * loop-mate's t_c (this sweep), a target in another component's t_in (this window). */
static void relax_push_change(relax_run *rx, size_t s) {
  const ucl_network *net = rx->pr->net;
  const adjacency *adj = &rx->pr->adj;
  const rx_neuron *src = &rx->x[s];
  for (size_t k = adj->out_start[s]; k < adj->out_start[s + 1]; k++) {
    size_t i = net->synapses[adj->out_syn[k]].to;
    if (i == s || !rx_local(rx, i)) {
      continue;
    }
    rx_neuron *x = &rx->x[i];
    if (x->comp == src->comp) {
      x->t_c = fmin(x->t_c, src->t_changed);
    } else {
      x->t_in = fmin(x->t_in, src->t_changed);
    }
  }
}

/* After a sweep: this rank's integrated members' records published (changed: beyond the
 * tolerances) and sent to the ranks holding their targets, then which members are due again (a
 * source of their own component changed); a component with none on any rank is done. *any: a
 * component of the level is still active. UCL_ERR_NOMEM, or the transport's failure. */
static ucl_status relax_level_publish(relax_run *rx, const size_t *comps, size_t nc, double a,
                                      double b, int *any, ucl_diag *diag) {
  size_t *sent = (size_t *)rx->scratch, n_sent = 0; /* room for N indices */
  ucl_status st = UCL_OK;
  rx->n_chg = 0;
  for (size_t q = 0; q < nc; q++) {
    size_t c = comps[q];
    for (size_t j = rx->comp_start[c]; rx->comp_active[c] && j < rx->comp_start[c + 1]; j++) {
      size_t i = rx->comp_member[j];
      rx_neuron *x = &rx->x[i];
      x->t_changed = INFINITY;
      if (!x->dirty || !rx_local(rx, i)) {
        continue;
      }
      if (relax_publish(rx, i, a) != 0) {
        st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory publishing a record");
      }
      if (x->t_changed < INFINITY) {
        rx->chg[rx->n_chg++] = i;
      }
      if (x->feeds && rx->dest_start[i + 1] > rx->dest_start[i]) {
        sent[n_sent++] = i;
      }
    }
  }
  ucl_status xst = relax_exchange(rx, sent, n_sent, diag);
  st = st != UCL_OK ? st : xst;
  for (size_t q = 0; q < rx->n_chg; q++) {
    relax_push_change(rx, rx->chg[q]);
  }
  long *active = rx->scratch;
  for (size_t q = 0; q < nc; q++) {
    size_t c = comps[q];
    int due = 0;
    for (size_t j = rx->comp_start[c]; rx->comp_active[c] && j < rx->comp_start[c + 1]; j++) {
      size_t i = rx->comp_member[j];
      if (!rx_local(rx, i)) {
        continue;
      }
      rx_neuron *x = &rx->x[i];
      double t_c = x->t_c;
      x->t_c = INFINITY;
      /* a change before b is integrated again in this window; one only past b (where this
       * neuron stepped across b) in the next window's first sweep */
      x->dirty = 0;
      if (!x->failed && t_c < ucl_integration_t(x->ig)) {
        if (t_c < b) {
          x->dirty = 1;
          x->t_redo = t_c;
        } else {
          x->t_stale = fmin(x->t_stale, t_c);
        }
      }
      due |= x->dirty;
    }
    active[q] = rx->comp_active[c] && due;
  }
  xst = rx_max(rx, active, (int)nc, diag);
  st = st != UCL_OK ? st : xst;
  *any = 0;
  for (size_t q = 0; q < nc; q++) {
    rx->comp_active[comps[q]] = (unsigned char)(active[q] != 0);
    *any |= active[q] != 0;
  }
  for (size_t q = 0; q < nc; q++) { /* another rank's members: due when their component is */
    size_t c = comps[q];
    for (size_t j = rx->comp_start[c]; j < rx->comp_start[c + 1]; j++) {
      if (!rx_local(rx, rx->comp_member[j])) {
        rx->x[rx->comp_member[j]].dirty = rx->comp_active[c];
        rx->x[rx->comp_member[j]].t_changed = INFINITY;
      }
    }
  }
  return st;
}

/* The window [a, b] level by level: the components of a level depend only on lower levels,
 * whose records over the window are final, so each level's components sweep together. Every
 * rank goes through every collective step even after a local failure (the status says so). */
static ucl_status relax_window(relax_run *rx, double a, double b, ucl_diag *diag) {
  ucl_status st = UCL_OK;
  for (size_t L = 0; L < rx->n_levels; L++) {
    const size_t *comps = rx->level_comp + rx->level_start[L];
    size_t nc = rx->level_start[L + 1] - rx->level_start[L];
    relax_level_start(rx, comps, nc, a, b);
    for (;;) {
      ucl_status s1 = relax_level_integrate(rx, comps, nc, a, b, diag);
      int any = 0;
      ucl_status s2 = relax_level_publish(rx, comps, nc, a, b, &any, diag);
      st = st != UCL_OK ? st : (s1 != UCL_OK ? s1 : s2);
      if (!any) {
        break;
      }
    }
  }
  return st;
}

/* The run's end for this rank's neuron i: its integration ended and what it left stored
 * (part_store), its status and reason. */
static ucl_status relax_store(relax_run *rx, size_t i, ucl_diag *diag) {
  part_run *pr = rx->pr;
  rx_neuron *x = &rx->x[i];
  ucl_net_neuron_result *nr = &pr->r->neurons[i];
  ucl_diag nd = {{0}};
  ucl_status nst = x->ig ? ucl_integration_end(&x->ig, &nd) : UCL_OK;
  if (x->failed) {
    nst = x->status;
    snprintf(nd.msg, sizeof(nd.msg), "%s", x->reason);
  }
  x->tr_events = x->tr ? (double)ucl_trace_n_events(x->tr) : 0.0;
  ucl_status st = x->tr ? part_store(pr, i, x->n, x->tr, nst, &nd, diag) : UCL_OK;
  if (st != UCL_OK) {
    return st;
  }
  nr->status = nst;
  if (nst != UCL_OK) {
    snprintf(nr->reason, sizeof(nr->reason), "%s", nd.msg);
  }
  if (pr->samples) {
    pr->samples[i] = x->tr;
    x->tr = NULL;
  }
  return UCL_OK;
}

/* A neuron's results in the gather: index, status, spikes, energies, reached time, events,
 * solver statistics, spike times, reason. */
typedef struct rx_head {
  double i, status, n_spikes, E_in, E_vdd, E_syn, t_reached, events;
  ucl_solver_stats stats;
} rx_head;

/* Every rank's neurons' results to rank 0 (and the sum of the ranks' window integrations done
 * again, the events and solver statistics in r). Nothing on one rank. */
static ucl_status relax_gather(relax_run *rx, ucl_diag *diag) {
  if (!rx->tp) {
    return UCL_OK;
  }
  ucl_net_result *r = rx->pr->r;
  size_t N = rx->pr->net->n_neurons, R = sizeof(((ucl_net_neuron_result *)0)->reason);
  size_t total = sizeof(double);
  for (size_t i = 0; i < N; i++) {
    if (rx_local(rx, i) && rx->rank != 0) {
      total += sizeof(rx_head) + r->neurons[i].n_spikes * sizeof(double) + R;
    }
  }
  size_t *bytes = calloc(2 * (size_t)rx->size, sizeof(size_t));
  unsigned char *buf = malloc(total), *p = buf;
  ucl_status st = UCL_OK;
  if (!bytes || !buf) {
    st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory gathering the results");
    total = 0;
  }
  if (bytes && rx->rank != 0) {
    bytes[0] = total;
  }
  if (buf) {
    double re = (double)rx->reintegrations;
    memcpy(p, &re, sizeof(re));
    p += sizeof(re);
  }
  for (size_t i = 0; buf && rx->rank != 0 && i < N; i++) {
    const ucl_net_neuron_result *nr = &r->neurons[i];
    if (!rx_local(rx, i)) {
      continue;
    }
    rx_head h = {(double)i, (double)nr->status, (double)nr->n_spikes, nr->E_in, nr->E_vdd,
                 nr->E_syn, nr->t_reached,      rx->x[i].tr_events,   nr->stats};
    memcpy(p, &h, sizeof(h));
    p += sizeof(h);
    if (nr->n_spikes > 0) {
      memcpy(p, nr->spikes, nr->n_spikes * sizeof(double));
    }
    p += nr->n_spikes * sizeof(double);
    memcpy(p, nr->reason, R);
    p += R;
  }
  void *in = NULL;
  size_t zero = 0;
  ucl_status xst =
      rx->tp->alltoallv(rx->tp->ctx, buf ? (const void *)buf : (const void *)&zero,
                        bytes ? bytes : &zero, &in, bytes ? bytes + rx->size : &zero, diag);
  st = st != UCL_OK ? st : xst;
  if (st == UCL_OK && rx->rank == 0) {
    const unsigned char *in_p = in;
    for (int q = 1; q < rx->size; q++) {
      const unsigned char *end = in_p + bytes[rx->size + q];
      double re;
      memcpy(&re, in_p, sizeof(re));
      in_p += sizeof(re);
      rx->reintegrations += (size_t)re;
      while (st == UCL_OK && in_p < end) {
        rx_head h;
        memcpy(&h, in_p, sizeof(h));
        in_p += sizeof(h);
        ucl_net_neuron_result *nr = &r->neurons[(size_t)h.i];
        nr->n_spikes = (size_t)h.n_spikes;
        nr->spikes = nr->n_spikes ? malloc(nr->n_spikes * sizeof(double)) : NULL;
        if (nr->n_spikes && !nr->spikes) {
          st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory gathering the results");
          break;
        }
        if (nr->n_spikes > 0) {
          memcpy(nr->spikes, in_p, nr->n_spikes * sizeof(double));
        }
        in_p += nr->n_spikes * sizeof(double);
        memcpy(nr->reason, in_p, R);
        in_p += R;
        nr->status = (ucl_status)h.status;
        nr->E_in = h.E_in;
        nr->E_vdd = h.E_vdd;
        nr->E_syn = h.E_syn;
        nr->t_reached = h.t_reached;
        nr->stats = h.stats;
        ucl_solver_stats_add(&r->stats, &h.stats);
        r->events += (size_t)h.events;
      }
    }
  }
  free(in);
  free(buf);
  free(bytes);
  return st;
}

static void relax_free(relax_run *rx) {
  for (size_t i = 0; rx->x && i < rx->pr->net->n_neurons; i++) {
    rx_neuron *x = &rx->x[i];
    ucl_diag nd = {{0}};
    (void)ucl_integration_end(&x->ig, &nd);
    for (size_t k = 0; k < x->cap_hist; k++) {
      ucl_integration_ckpt_destroy(&x->hist[k].ck);
    }
    free(x->hist);
    ucl_trace_destroy(&x->tr);
    ucl_neuron_destroy(&x->n);
    ucl_netrec_traj_free(&x->work);
    ucl_netrec_traj_free(&x->pub);
    free(x->views);
    free(x->inputs);
  }
  free(rx->x);
  free(rx->comp_start);
  free(rx->comp_member);
  free(rx->level_comp);
  free(rx->level_start);
  free(rx->comp_sweeps);
  free(rx->comp_active);
  free(rx->owner);
  free(rx->dest_start);
  free(rx->dest);
  free(rx->scratch);
  free(rx->chg);
}

/* Set up this rank's neurons, then start each (its record's first point published), send the
 * first points to the ranks that read them and agree on the failures. A neuron that cannot be
 * set up fails (no integration to report on); memory or bad input stops the run. */
static ucl_status relax_setup(relax_run *rx, ucl_diag *diag) {
  const ucl_network *net = rx->pr->net;
  size_t N = net->n_neurons;
  ucl_status st = UCL_OK;
  rx->x = calloc(N, sizeof(rx_neuron));
  if (!rx->x || relax_components(rx) != 0 || relax_ranks(rx) != 0) {
    st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory setting up the network");
  }
  for (int pass = 0; pass < 2; pass++) {
    for (size_t i = 0; st == UCL_OK && i < N; i++) {
      rx_neuron *x = &rx->x[i];
      x->feeds = rx->pr->adj.out_start[i + 1] > rx->pr->adj.out_start[i];
      if (!rx_local(rx, i)) {
        continue;
      }
      ucl_diag nd = {{0}};
      ucl_status nst = UCL_OK;
      if (pass == 0) { /* every record starts at the neuron's initial state */
        nst = relax_neuron_setup(rx, i, &nd);
        if (nst == UCL_OK && x->feeds &&
            (ucl_netrec_step(&x->rec, 0.0, x->sys.y0) != 0 || ucl_netrec_flush(&x->rec) != 0)) {
          nst = ucl_diag_set(&nd, UCL_ERR_NOMEM, "out of memory recording the output");
        }
      } else if (!x->failed) {
        nst = relax_neuron_start(rx, i, &nd);
      }
      if (nst == UCL_ERR_NOMEM || nst == UCL_ERR_INVAL) {
        st = ucl_diag_set(diag, nst, "neuron '%s': %s", net->neurons[i].name, nd.msg);
      } else if (nst != UCL_OK) {
        relax_fail(rx, i, nst, nd.msg);
        rx->new_fail++;
      }
      if (st == UCL_OK && x->feeds && relax_publish(rx, i, 0.0) != 0) {
        st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory publishing a record");
      }
    }
    if (!rx->tp) {
      continue;
    }
    /* over ranks: the first points reach the ranks that read them before any integration starts
     * (a start reads its sources at t = 0), and again after the starts (a start may switch a
     * mode at t = 0), and the failures are agreed; every rank takes part whatever its status */
    size_t n_sent = 0, *sent = rx->scratch ? (size_t *)rx->scratch : NULL;
    for (size_t i = 0; sent && st == UCL_OK && i < N; i++) {
      if (rx_local(rx, i) && rx->x[i].feeds && rx->dest_start[i + 1] > rx->dest_start[i]) {
        sent[n_sent++] = i;
      }
    }
    rx->n_chg = 0; /* (the setup's changes are not pushed: every neuron starts its window) */
    ucl_status xst = sent ? relax_exchange(rx, sent, n_sent, diag) : UCL_OK;
    st = st != UCL_OK ? st : xst;
    xst = sent ? relax_agree_failures(rx, diag) : UCL_OK;
    st = st != UCL_OK ? st : xst;
  }
  return st;
}

/* Drop the first k restart points of neuron x (their checkpoints kept for reuse at the end). */
static void relax_hist_drop(rx_neuron *x, size_t k) {
  rx_ckpt dropped[RX_HIST_MAX];
  memcpy(dropped, x->hist, k * sizeof(rx_ckpt));
  memmove(x->hist, x->hist + k, (x->cap_hist - k) * sizeof(rx_ckpt));
  memcpy(x->hist + x->cap_hist - k, dropped, k * sizeof(rx_ckpt));
  x->n_hist -= k;
}

/* A record is cut back once it holds this many points (a view's cursor walks back over the
 * points dropped, so the cursors need no reset). Records go whole to the ranks that read them;
 * measured on the 1,000-neuron benchmark network over 2 ranks while each neuron still cut its
 * own record at its own restart point (a bug since mended): 8 sent 29 kB per window and rank,
 * 16 42 kB and 64 113 kB, with the same steps to 0.1 %. */
#define RX_TRIM_POINTS 8

/* The end b of a window, for the next: a member of a cycle on this rank keeps its restart points
 * from its last at or before b (a change at b or later sends it back no further). Returns the
 * earliest such restart point of this rank (b without any), in femtoseconds rounded down: what
 * the ranks agree on for relax_trim_records. */
static long relax_trim_restarts(relax_run *rx, double b) {
  const ucl_network *net = rx->pr->net;
  double t_keep = b;
  for (size_t i = 0; i < net->n_neurons; i++) {
    rx_neuron *x = &rx->x[i];
    if (!x->cyclic || !rx_local(rx, i) || x->failed || x->n_hist == 0) {
      continue;
    }
    size_t k = 0;
    while (k + 1 < x->n_hist && x->hist[k + 1].t <= b) {
      k++;
    }
    relax_hist_drop(x, k);
    t_keep = fmin(t_keep, x->hist[0].t);
  }
  return (long)floor(t_keep * 1e15);
}

/* The next window: every change is news again (t_changed, t_in), and the long records drop the
 * points before t_keep_fs (fs; the ranks' earliest restart point, relax_trim_restarts), before
 * which no neuron integrates again: no view reads before a record's first point. A neuron's own
 * record is cut at the same time as its published one (a publish copies it over that), this
 * rank's members of cycles moving their restart points' record lengths with it; a failed
 * neuron's record stays (its restart points may be older). The same on every rank, whatever
 * the neurons it holds: how far back a record goes can matter to a view
 * (ucl_netrec_view_output's interval in the segment's mode). */
static void relax_trim_records(relax_run *rx, long t_keep_fs) {
  const ucl_network *net = rx->pr->net;
  double t_keep = (double)t_keep_fs * 1e-15;
  for (size_t i = 0; i < net->n_neurons; i++) {
    rx_neuron *x = &rx->x[i];
    x->t_changed = x->t_in = INFINITY;
    if (!x->feeds) {
      continue;
    }
    if (rx_local(rx, i) && !x->failed && x->work.n >= RX_TRIM_POINTS) {
      size_t n0 = x->work.n, e0 = x->work.n_ev;
      ucl_netrec_traj_drop_before(&x->work, t_keep);
      for (size_t m = 0; m < x->n_hist; m++) {
        x->hist[m].work_n -= n0 - x->work.n;
        x->hist[m].work_n_ev -= e0 - x->work.n_ev;
      }
    }
    if (x->pub.n >= RX_TRIM_POINTS) {
      ucl_netrec_traj_drop_before(&x->pub, t_keep);
    }
  }
}

/* The worst of the ranks' statuses (by code) and the guard's stop, agreed, and the earliest of
 * the ranks' *t_keep_fs when not NULL (nothing on one rank). */
static ucl_status relax_agree(relax_run *rx, ucl_status *st, net_guard *g, long *t_keep_fs,
                              ucl_diag *diag) {
  if (!rx->tp) {
    return UCL_OK;
  }
  long v[3] = {(long)*st, (long)g->stop, t_keep_fs ? -*t_keep_fs : 0};
  ucl_status xst = rx_max(rx, v, 3, diag);
  if (xst != UCL_OK) {
    *st = xst;
    return xst;
  }
  if ((ucl_status)v[0] != UCL_OK && *st == UCL_OK) {
    *st = ucl_diag_set(diag, (ucl_status)v[0], "another rank failed (%s)",
                       ucl_status_name((ucl_status)v[0]));
  }
  g->stop = (ucl_status)v[1];
  if (t_keep_fs) {
    *t_keep_fs = -v[2];
  }
  return UCL_OK;
}

/* A relaxation run: set up, the windows, each neuron's results (gathered on rank 0), the
 * waveforms (one rank only). */
static ucl_status run_relax(const ucl_network *net, const ucl_net_opts *o, net_guard *g,
                            ucl_net_result *r, ucl_diag *diag) {
  part_run pr = {.net = net, .o = o, .r = r, .first_fail = UCL_OK, .guard = g};
  const ucl_net_transport *tp = o->transport && o->transport->size > 1 ? o->transport : NULL;
  relax_run rx = {
      .pr = &pr, .rp = &net->relax, .tp = tp, .rank = tp ? tp->rank : 0, .size = tp ? tp->size : 1};
  double T = net->base.stim.duration;
  ucl_status st = part_setup(&pr, diag);
  if (st == UCL_OK || tp) {
    ucl_status s2 = relax_setup(&rx, diag);
    st = st != UCL_OK ? st : s2;
  }
  relax_agree(&rx, &st, g, NULL, diag);
  relax_trim_records(&rx, 0);
  double W = net->relax.window;
  for (double a = 0.0; st == UCL_OK && a < T && g->stop == UCL_OK;) {
    double b = a + W;
    if (b > T - 1e-3 * W) {
      b = T;
    }
    st = relax_window(&rx, a, b, diag);
    long t_keep_fs = relax_trim_restarts(&rx, b);
    relax_agree(&rx, &st, g, &t_keep_fs, diag);
    relax_trim_records(&rx, t_keep_fs);
    rx.windows++;
    if (o->progress) {
      o->progress(o->progress_ctx, b, T);
    }
    a = b;
  }
  for (size_t i = 0; st == UCL_OK && i < net->n_neurons; i++) {
    if (rx_local(&rx, i)) {
      st = relax_store(&rx, i, diag);
    }
  }
  if (tp) {
    relax_agree(&rx, &st, g, NULL, diag);
    if (st == UCL_OK) {
      st = relax_gather(&rx, diag);
      relax_agree(&rx, &st, g, NULL, diag);
    }
  }
  r->relax_windows = rx.windows;
  r->relax_sweeps = rx.sweeps;
  r->relax_reintegrations = rx.reintegrations;
  if (tp) {
    long v[1] = {rx.bytes_sent};
    r->relax_bytes_sent = rx_max(&rx, v, 1, diag) == UCL_OK ? (double)v[0] : 0.0;
  }
  if (st == UCL_OK && pr.samples) {
    st = part_waveforms(&pr, diag);
  }
  /* the run's status: its first failed neuron's, in index order (rank 0 has them all) */
  for (size_t i = 0; st == UCL_OK && rx.rank == 0 && i < net->n_neurons; i++) {
    const ucl_net_neuron_result *nr = &r->neurons[i];
    if (nr->status != UCL_OK) {
      st = ucl_diag_set(diag, nr->status, "neuron '%s': %s", net->neurons[i].name, nr->reason);
    }
  }
  if (tp) { /* every rank returns rank 0's */
    long v[1] = {rx.rank == 0 ? (long)st : -1};
    if (rx_max(&rx, v, 1, diag) == UCL_OK && rx.rank != 0) {
      st = (ucl_status)v[0];
    }
  }
  relax_free(&rx);
  part_free(&pr);
  return st;
}

/* ---- coupled ---- */

typedef struct c_src c_src;

/* A coupled run: the network as one system (its context), and what builds it. */
typedef struct coupled {
  size_t N;
  ucl_neuron **neurons;
  const ucl_system **sub;
  int *off_y, *off_c; /* state and channel offsets */
  double *vout;       /* per neuron: output, then the node after R6, at the state last refreshed */
  int *feeds;         /* the neuron has outgoing synapses */
  double *y0;
  char **qnames;
  const char **qnames_c;
  ucl_system sys;
  adjacency adj;
  c_src *srcs;           /* per synapse: its source, as the target's input reads it */
  ucl_syn_input *inputs; /* UCL_MAX_FAN_IN: scratch while wiring a neuron */
  double hint;           /* s: the smallest of the neurons' step hints (INFINITY: none) */
  double cap;            /* s: the smallest of the neurons' hard step caps (INFINITY: none) */
  int *jcols, *jrows;    /* the Jacobian's pattern (CSC, system.h), for jacobian = sparse */
} coupled;

struct c_src {
  coupled *c;
  size_t from;
  int tap_clamp;
};

static double src_coupled(void *ctx, double t) {
  const c_src *s = ctx;
  (void)t;
  return s->c->vout[2 * s->from + s->tap_clamp];
}

static int c_refresh(coupled *c, double t, const double *y) {
  for (size_t i = 0; i < c->N; i++) {
    if (c->feeds[i] && ucl_neuron_output(c->neurons[i], ucl_neuron_scr_on(c->neurons[i]), t,
                                         y + c->off_y[i], &c->vout[2 * i]) != 0) {
      return 1;
    }
  }
  return 0;
}

static int c_rhs(void *ctx, double t, const double *y, double *ydot) {
  coupled *c = ctx;
  if (c_refresh(c, t, y) != 0) {
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
  if (c_refresh(c, t, y) != 0) {
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
  if (c_refresh(c, t, y) != 0) {
    return 1;
  }
  for (size_t i = 0; i < c->N; i++) {
    if (c->sub[i]->ops->observe(c->sub[i]->ctx, t, y + c->off_y[i], out + c->off_c[i]) != 0) {
      return 1;
    }
  }
  return 0;
}

static const ucl_system_ops coupled_ops = {c_rhs,   c_quad,       c_roots,   c_root_dirs, c_switch,
                                           c_begin, c_next_break, c_observe, NULL,        NULL};

static void coupled_free(coupled *c) {
  for (size_t i = 0; c->neurons && i < c->N; i++) {
    ucl_neuron_destroy(&c->neurons[i]);
  }
  for (size_t i = 0; c->qnames && i < 3 * c->N; i++) {
    free(c->qnames[i]);
  }
  free(c->neurons);
  free(c->sub);
  free(c->off_y);
  free(c->off_c);
  free(c->vout);
  free(c->feeds);
  free(c->qnames);
  free(c->qnames_c);
  free(c->y0);
  free(c->srcs);
  free(c->inputs);
  free(c->jcols);
  free(c->jrows);
  adjacency_free(&c->adj);
}

static ucl_status coupled_setup(coupled *c, const ucl_network *net, ucl_diag *diag) {
  size_t N = net->n_neurons;
  c->N = N;
  c->hint = INFINITY;
  c->cap = INFINITY;
  c->srcs = malloc((net->n_synapses ? net->n_synapses : 1) * sizeof(c_src));
  c->inputs = malloc(UCL_MAX_FAN_IN * sizeof(ucl_syn_input));
  c->neurons = calloc(N, sizeof(ucl_neuron *));
  c->sub = calloc(N, sizeof(ucl_system *));
  c->off_y = calloc(N + 1, sizeof(int));
  c->off_c = calloc(N + 1, sizeof(int));
  c->vout = calloc(2 * N, sizeof(double));
  c->feeds = calloc(N, sizeof(int));
  c->qnames = calloc(3 * N, sizeof(char *));
  c->qnames_c = calloc(3 * N, sizeof(char *));
  if (!c->srcs || !c->inputs || !c->neurons || !c->sub || !c->off_y || !c->off_c || !c->vout ||
      !c->feeds || !c->qnames || !c->qnames_c || adjacency_build(net, &c->adj) != 0) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory setting up the network");
  }
  for (size_t s = 0; s < net->n_synapses; s++) {
    c->feeds[net->synapses[s].from] = 1;
    c->srcs[s] = (c_src){c, net->synapses[s].from, net->synapses[s].tap_clamp};
  }
  return UCL_OK;
}

/* Create neuron i, its synapses reading their sources' outputs at the current state, and give
 * it its place in the system: states, channels, energy integrals (NEURON.E_in_J, ...) and, when
 * sampling, its waveform names in r. */
static ucl_status coupled_add(coupled *c, const ucl_network *net, const ucl_net_opts *o, size_t i,
                              ucl_net_result *r, ucl_diag *diag) {
  const ucl_net_neuron *nn = &net->neurons[i];
  ucl_status st = neuron_create(nn, i, &c->neurons[i], diag);
  if (st != UCL_OK) {
    return st;
  }
  size_t first = c->adj.in_start[i], fan_in = c->adj.in_start[i + 1] - first;
  for (size_t k = 0; k < fan_in; k++) {
    size_t s = c->adj.in_syn[first + k];
    c->inputs[k] =
        (ucl_syn_input){net->synapses[s].R, net->synapses[s].diode, src_coupled, &c->srcs[s]};
  }
  st = ucl_neuron_set_inputs(c->neurons[i], nn->external, c->inputs, (int)fan_in, diag);
  if (st != UCL_OK) {
    return st;
  }
  const ucl_system *sub = c->sub[i] = ucl_neuron_system(c->neurons[i]);
  c->off_y[i + 1] = c->off_y[i] + sub->n_states;
  c->off_c[i + 1] = c->off_c[i] + sub->n_channels;
  if (sub->max_step_hint > 0.0) {
    c->hint = fmin(c->hint, sub->max_step_hint);
  }
  if (sub->max_step_cap > 0.0) {
    c->cap = fmin(c->cap, sub->max_step_cap);
  }
  static const char *const q[] = {"E_in_J", "E_vdd_J", "E_syn_J"};
  for (int k = 0; k < 3; k++) {
    size_t len = strlen(nn->name) + 16;
    c->qnames[3 * i + k] = malloc(len);
    if (!c->qnames[3 * i + k]) {
      return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
    }
    snprintf(c->qnames[3 * i + k], len, "%s.%s", nn->name, q[k]);
    c->qnames_c[3 * i + k] = c->qnames[3 * i + k];
  }
  if (o->sample_dt > 0.0 && add_names(r, nn->name, sub) != UCL_OK) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory naming waveforms");
  }
  return UCL_OK;
}

static int cmp_size(const void *a, const void *b) {
  size_t x = *(const size_t *)a, y = *(const size_t *)b;
  return (x > y) - (x < y);
}

/* The Jacobian's pattern of the network (c->jcols, c->jrows): a neuron's states depend on its
 * own states (a dense block) and, through each synapse into it, on every state of the synapse's
 * source (its output node is solved from them, N3). So column block f holds the rows of f and
 * of every target of f, in ascending order. Returns 0, or 1 for memory. */
static int coupled_pattern(coupled *c, const ucl_network *net) {
  size_t N = c->N;
  int n = c->off_y[N];
  size_t nnz = 0;
  for (size_t f = 0; f < N; f++) { /* an upper bound: duplicates counted */
    int rows = c->off_y[f + 1] - c->off_y[f];
    for (size_t k = c->adj.out_start[f]; k < c->adj.out_start[f + 1]; k++) {
      size_t t = net->synapses[c->adj.out_syn[k]].to;
      rows += c->off_y[t + 1] - c->off_y[t];
    }
    nnz += (size_t)rows * (size_t)(c->off_y[f + 1] - c->off_y[f]);
  }
  c->jcols = malloc(((size_t)n + 1) * sizeof(int));
  c->jrows = malloc((nnz ? nnz : 1) * sizeof(int));
  size_t fan_out_max = 0;
  for (size_t f = 0; f < N; f++) {
    size_t fo = c->adj.out_start[f + 1] - c->adj.out_start[f];
    fan_out_max = fo > fan_out_max ? fo : fan_out_max;
  }
  size_t *tg = malloc((fan_out_max + 1) * sizeof(size_t));
  if (!c->jcols || !c->jrows || !tg || nnz > (size_t)2147483647) {
    free(tg);
    return 1;
  }
  int p = 0;
  c->jcols[0] = 0;
  for (size_t f = 0; f < N; f++) {
    size_t m = 0;
    tg[m++] = f;
    for (size_t k = c->adj.out_start[f]; k < c->adj.out_start[f + 1]; k++) {
      tg[m++] = net->synapses[c->adj.out_syn[k]].to;
    }
    qsort(tg, m, sizeof(size_t), cmp_size);
    for (int col = c->off_y[f]; col < c->off_y[f + 1]; col++) {
      for (size_t k = 0; k < m; k++) {
        if (k > 0 && tg[k] == tg[k - 1]) {
          continue; /* two synapses between the same neurons, or an autapse */
        }
        for (int row = c->off_y[tg[k]]; row < c->off_y[tg[k] + 1]; row++) {
          c->jrows[p++] = row;
        }
      }
      c->jcols[col + 1] = p;
    }
  }
  free(tg);
  return 0;
}

/* The whole network as c->sys, once every neuron is added (channel names: r's waveform names). */
static ucl_status coupled_system(coupled *c, const ucl_network *net, const ucl_net_result *r,
                                 int sparse, ucl_diag *diag) {
  size_t N = c->N;
  c->y0 = malloc((size_t)c->off_y[N] * sizeof(double));
  if (!c->y0) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  for (size_t i = 0; i < N; i++) {
    memcpy(c->y0 + c->off_y[i], c->sub[i]->y0, (size_t)c->sub[i]->n_states * sizeof(double));
  }
  c->sys.ops = &coupled_ops;
  c->sys.ctx = c;
  c->sys.n_states = c->off_y[N];
  c->sys.n_quads = (int)(3 * N);
  c->sys.n_roots = (int)N;
  c->sys.n_channels = c->off_c[N];
  c->sys.y0 = c->y0;
  c->sys.quad_names = c->qnames_c;
  c->sys.channel_names = (const char *const *)r->names;
  c->sys.max_step_hint = isfinite(c->hint) ? c->hint : 0.0;
  c->sys.max_step_cap = isfinite(c->cap) ? c->cap : 0.0;
  if (sparse) {
    if (coupled_pattern(c, net) != 0) {
      return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory for the Jacobian's pattern");
    }
    c->sys.jac_cols = c->jcols;
    c->sys.jac_rows = c->jrows;
  }
  return UCL_OK;
}

/* Every neuron's spikes, energies and status (rst, rd: the run's) from the network's trace. */
static ucl_status coupled_store(const coupled *c, const ucl_trace *tr, ucl_status rst,
                                const ucl_diag *rd, ucl_net_result *r, ucl_diag *diag) {
  r->stats = *ucl_trace_stats_const(tr);
  r->events = ucl_trace_n_events(tr);
  for (size_t i = 0; i < c->N; i++) {
    ucl_net_neuron_result *nr = &r->neurons[i];
    if (take_spikes(tr, (long)i, nr) != UCL_OK) {
      return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory storing spikes");
    }
    nr->E_in = ucl_trace_quad(tr, (int)(3 * i));
    nr->E_vdd = ucl_trace_quad(tr, (int)(3 * i + 1));
    nr->E_syn = ucl_trace_quad(tr, (int)(3 * i + 2));
    nr->t_reached = ucl_trace_t_reached(tr);
    nr->status = rst;
    if (rst != UCL_OK) {
      snprintf(nr->reason, sizeof(nr->reason), "%s", rd->msg);
    }
  }
  return rst != UCL_OK ? ucl_diag_set(diag, rst, "network: %s", rd->msg) : UCL_OK;
}

/* Build the network as one system, integrate it, store every neuron's results. */
static ucl_status run_coupled(const ucl_network *net, const ucl_net_opts *o, net_guard *g,
                              ucl_net_result *r, ucl_diag *diag) {
  coupled c = {0};
  ucl_trace *tr = NULL;
  int sampling = o->sample_dt > 0.0;
  ucl_status st = coupled_setup(&c, net, diag);
  for (size_t i = 0; st == UCL_OK && i < net->n_neurons; i++) {
    st = coupled_add(&c, net, o, i, r, diag);
  }
  if (st == UCL_OK) {
    st = coupled_system(&c, net, r, net->jacobian == UCL_NET_JAC_SPARSE, diag);
  }
  if (st == UCL_OK) {
    st = ucl_trace_create(sampling ? c.sys.n_channels : 0,
                          sampling ? (const char *const *)r->names : NULL,
                          sampling ? o->max_samples : 0, &tr, diag);
  }
  if (st != UCL_OK) {
    goto done;
  }
  g->relay = 1; /* the integrator's progress (simulated time) as the network's */
  ucl_integrator_opts io = net_integrator_opts(net, o, g);
  io.sparse_jacobian = net->jacobian == UCL_NET_JAC_SPARSE;
  io.keep_history_at_breaks = net->reinit == UCL_NET_REINIT_SWITCHES;
  ucl_diag rd = {{0}};
  ucl_status rst =
      guard_status(g, ucl_integrate(&c.sys, &io, net->base.stim.duration, tr, &rd), &rd);
  if (rst == UCL_ERR_NOMEM || rst == UCL_ERR_INVAL) {
    st = ucl_diag_set(diag, rst, "%s", rd.msg);
    goto done;
  }
  st = coupled_store(&c, tr, rst, &rd, r, diag);
  if (st != UCL_ERR_NOMEM && sampling) {
    r->waveforms = tr;
    tr = NULL;
  }
done:
  ucl_trace_destroy(&tr);
  coupled_free(&c);
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
  int ranks = o->transport ? o->transport->size : 1;
  if (ranks > 1 && (how == UCL_NET_PARTITIONED || how == UCL_NET_COUPLED)) {
    ucl_net_result_destroy(&r);
    return ucl_diag_set(diag, UCL_ERR_INVAL,
                        "%s integration runs on one rank: over %d ranks use relaxation "
                        "(integration = relaxation or auto)",
                        ucl_net_integration_name(how), ranks);
  }
  if (ranks > 1 && o->sample_dt > 0.0) {
    ucl_net_result_destroy(&r);
    return ucl_diag_set(diag, UCL_ERR_INVAL,
                        "the waveforms of a network are written on one rank (here %d): drop "
                        "--sample or run without mpirun",
                        ranks);
  }
  if (how == UCL_NET_AUTO && ranks > 1) {
    how = UCL_NET_RELAX; /* the one scheme that spreads a network over ranks */
  }
  if (how == UCL_NET_AUTO) {
    int cyc = ucl_network_has_cycle(net);
    if (cyc < 0) {
      ucl_net_result_destroy(&r);
      return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
    }
    how = cyc ? UCL_NET_RELAX : UCL_NET_PARTITIONED;
  }
  r->integration = how;
  net_guard g = {o, UCL_OK, 0};
  ucl_status st = how == UCL_NET_COUPLED ? run_coupled(net, o, &g, r, diag)
                  : how == UCL_NET_RELAX ? run_relax(net, o, &g, r, diag)
                                         : run_partitioned(net, o, &g, r, diag);
  if (g.stop == UCL_ERR_STOPPED && st != UCL_ERR_NOMEM) { /* abandoned: no result */
    st = ucl_diag_set(diag, UCL_ERR_STOPPED, "network run stopped by a signal");
  } else if (g.stop == UCL_ERR_LIMIT && st == UCL_OK) {
    st = ucl_diag_set(diag, UCL_ERR_LIMIT, "the point's wall-time limit was reached");
  }
  if (st == UCL_OK || st == UCL_ERR_SOLVER || st == UCL_ERR_EVENTS || st == UCL_ERR_LIMIT) {
    *out = r;
  } else {
    ucl_net_result_destroy(&r);
  }
  return st;
}
