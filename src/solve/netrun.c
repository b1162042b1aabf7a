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
} part_ctx;

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
  return p->inner->ops->observe(p->inner->ctx, t, y, out);
}
static const ucl_system_ops part_ops = {p_rhs,    p_quad,  p_roots,      p_root_dirs,
                                        p_switch, p_begin, p_next_break, p_observe};

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
  part_ctx pc = {ucl_neuron_system(n), pr->views,
                 (int)(pr->adj.in_start[i + 1] - pr->adj.in_start[i])};
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

static const ucl_system_ops coupled_ops = {c_rhs,    c_quad,  c_roots,      c_root_dirs,
                                           c_switch, c_begin, c_next_break, c_observe};

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
  if (how == UCL_NET_AUTO) {
    int cyc = ucl_network_has_cycle(net);
    if (cyc < 0) {
      ucl_net_result_destroy(&r);
      return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
    }
    how = cyc ? UCL_NET_COUPLED : UCL_NET_PARTITIONED;
  }
  r->integration = how;
  net_guard g = {o, UCL_OK, 0};
  ucl_status st = how == UCL_NET_COUPLED ? run_coupled(net, o, &g, r, diag)
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
