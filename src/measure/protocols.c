/* protocols.c — characterization of one configuration (docs/features.md). */
#include "uclif/protocols.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uclif/clock.h"
#include "uclif/numeric.h"
#include "uclif/probit.h"
#include "uclif/sim.h"

#define MAX_SILENT 64

static const double default_amps_lo = 2.0, default_amps_hi = 10.0;
enum { DEFAULT_N_AMPS = UCL_RATE_AMPS_DEFAULT_N };

size_t ucl_char_rate_amps(const ucl_char_opts *o, double def[UCL_RATE_AMPS_DEFAULT_N],
                          const double **amps) {
  if (o->rate_amps) {
    *amps = o->rate_amps;
    return o->n_rate_amps;
  }
  for (int k = 0; k < DEFAULT_N_AMPS; k++) { /* value k of lin(a, b, n): a + k (b - a) / (n - 1) */
    def[k] = default_amps_lo +
             (default_amps_hi - default_amps_lo) * (double)k / (double)(DEFAULT_N_AMPS - 1);
  }
  *amps = def;
  return DEFAULT_N_AMPS;
}

const char *ucl_search_status_name(int s) {
  switch (s) {
  case UCL_SEARCH_OK:
    return "ok";
  case UCL_SEARCH_NEVER_FIRES:
    return "never_fires";
  case UCL_SEARCH_FIRES_AT_LOWER:
    return "fires_at_lower_bound";
  case UCL_SEARCH_FAILED:
    return "failed";
  case UCL_SEARCH_SKIPPED:
    return "skipped";
  default:
    return "unknown";
  }
}

/* One characterization's limits and progress: the deadline and cancel flag of its options, the
 * procedure running and the simulations started, and why it stopped once it did. Every
 * simulation of the characterization polls it (run_check) through the integrator. */
typedef struct run {
  const ucl_char_opts *o; /* NULL: no limits, no progress (ucl_protocol_threshold) */
  const char *procedure;  /* static */
  long started;           /* simulations started */
  ucl_status stop;        /* UCL_OK; UCL_ERR_LIMIT past the deadline; UCL_ERR_STOPPED cancelled */
  const ucl_char_result *res; /* may be NULL: the result whose status says ... */
  const char *stop_procedure; /* where it stopped */
  int failed_before;          /* ... whether a procedure had failed before the stop */
  long trial, trials;         /* "probability": the noise trial running, of how many */
} run;

/* The integrator's progress callback: non-zero (stop) once the run is cancelled or past its
 * deadline, which stays so for every later simulation; else the caller's progress. */
static int run_check(void *ctx, double t, double t_end) {
  run *rn = ctx;
  const ucl_char_opts *o = rn->o;
  if (!o || rn->stop != UCL_OK) {
    return rn->stop != UCL_OK;
  }
  if (o->cancel && *o->cancel != 0) {
    rn->stop = UCL_ERR_STOPPED;
  } else if (o->deadline > 0.0 && ucl_clock_s() > o->deadline) {
    rn->stop = UCL_ERR_LIMIT;
  }
  if (rn->stop != UCL_OK) {
    rn->stop_procedure = rn->procedure;
    rn->failed_before = rn->res && rn->res->status != UCL_OK;
  } else if (o->progress) {
    ucl_char_progress where = {.procedure = rn->procedure,
                               .sims = rn->started,
                               .trial = rn->trial,
                               .trials = rn->trials,
                               .t = t,
                               .t_end = t_end};
    o->progress(o->progress_ctx, &where);
  }
  return rn->stop != UCL_OK;
}

/* The message of a run stopped by run_check. */
static ucl_status stopped(const run *rn, double t, double t_end, ucl_diag *diag) {
  if (!isfinite(t)) { /* where is not known */
    return ucl_diag_set(diag, rn->stop,
                        rn->stop == UCL_ERR_STOPPED ? "stopped by a signal"
                                                    : "the point's wall-time limit was reached");
  }
  if (rn->stop == UCL_ERR_STOPPED) {
    return ucl_diag_set(diag, UCL_ERR_STOPPED, "stopped by a signal at t=%.9g s of %.9g s", t,
                        t_end);
  }
  return ucl_diag_set(diag, UCL_ERR_LIMIT,
                      "the point's wall-time limit was reached at t=%.9g s of %.9g s", t, t_end);
}

/* One simulation with bookkeeping, under the run's limits; at most UCL_PROTOCOL_MAX_SAMPLES
 * waveform rows, periodic ones from sample_t0 on. On a failed run *tr is still set (partial
 * trace), except when the run was stopped before it began (UCL_ERR_LIMIT, UCL_ERR_STOPPED). */
static ucl_status simulate(run *rn, const ucl_params *q, double sample_dt, double sample_t0,
                           int peaks, ucl_trace **tr, ucl_solver_stats *stats, long *sims,
                           ucl_diag *diag) {
  /* a probe (peaks on) only needs to know whether the neuron fires: stop at the first latch */
  ucl_sim_opts so = {.sample_dt = sample_dt,
                     .sample_t0 = sample_t0,
                     .sample_edges = sample_dt > 0.0,
                     .max_samples = UCL_PROTOCOL_MAX_SAMPLES,
                     .track_root_peaks = peaks,
                     .stop_after_latches = peaks ? 1 : 0,
                     .progress = run_check,
                     .progress_ctx = rn};
  *tr = NULL;
  rn->started++;
  if (run_check(rn, 0.0, q->stim.duration)) {
    rn->started--; /* not started after all */
    return stopped(rn, 0.0, q->stim.duration, diag);
  }
  ucl_status st = ucl_sim_run(q, &so, tr, diag);
  if (st == UCL_ERR_LIMIT && rn->stop != UCL_OK) {
    st = stopped(rn, *tr ? ucl_trace_t_reached(*tr) : 0.0, q->stim.duration, diag);
  }
  if (sims) {
    (*sims)++;
  }
  if (*tr && stats) {
    ucl_solver_stats_add(stats, ucl_trace_stats_const(*tr));
  }
  return st;
}

/* The spec's pulse train (or a DC source) at amplitude a. */
static void drive(ucl_params *q, int dc, double a) {
  if (dc) {
    q->stim.kind = UCL_STIM_DC;
  } else {
    q->stim.kind = UCL_STIM_PULSES;
    q->stim.count = 0;
    q->stim.burst_on = 0.0;
  }
  q->stim.amplitude = a;
}

typedef struct probe {
  int fires;
  double margin;  /* latch margin of a silent run (A) */
  double v_latch; /* membrane voltage at the first latch of a firing run */
} probe;

static ucl_status probe_at(run *rn, const ucl_params *base, int dc, double a, probe *pr,
                           ucl_solver_stats *stats, long *sims, ucl_diag *diag) {
  ucl_params q = *base;
  drive(&q, dc, a);
  ucl_trace *tr = NULL;
  ucl_status st = simulate(rn, &q, 0.0, 0.0, 1, &tr, stats, sims, diag);
  if (st == UCL_OK) {
    pr->fires = ucl_sim_spike_count(tr) > 0;
    pr->margin = ucl_trace_n_root_peaks(tr) > 0 ? ucl_trace_root_peak(tr, 0) : NAN;
    pr->v_latch = NAN;
    for (size_t i = 0; i < ucl_trace_n_events(tr); i++) {
      const ucl_event *e = ucl_trace_event(tr, i);
      if (e->kind == UCL_EVENT_LATCH) {
        pr->v_latch = e->v;
        break;
      }
    }
  } else {
    ucl_diag_prefix(diag, "at %g V: ", a);
  }
  ucl_trace_destroy(&tr);
  return st;
}

/* Next trial amplitude inside (lo, hi): aim just below the secant estimate of the threshold
 * from the two highest silent runs, so that the next run can close the bracket from above;
 * bisect when there is no estimate or the last steps did not halve the bracket. */
static double next_trial(double lo, double hi, double tol, const double *sa, const double *sm,
                         int ns, int stalled) {
  double mid = 0.5 * (lo + hi);
  if (ns < 2 || stalled >= 2) {
    return mid;
  }
  double a1 = sa[ns - 2], a2 = sa[ns - 1], m1 = sm[ns - 2], m2 = sm[ns - 1];
  double slope = (m2 - m1) / (a2 - a1);
  if (!(slope > 0.0) || !isfinite(m2)) {
    return mid;
  }
  double est = a2 - m2 / slope;
  if (!(est > lo && est < hi)) {
    return mid;
  }
  double x;
  if (hi - est <= 0.5 * tol) {
    x = hi - 0.9 * tol;
  } else if (est - lo <= 0.5 * tol) {
    x = lo + 0.9 * tol;
  } else {
    x = est - 0.4 * tol;
  }
  return (x > lo && x < hi) ? x : mid;
}

/* ucl_protocol_threshold under the run's limits. */
static ucl_status threshold_search(run *rn, const ucl_params *p, int dc, double lo, double hi,
                                   double tol, ucl_threshold *out, ucl_solver_stats *stats,
                                   long *sims, ucl_diag *diag) {
  if (!(lo < hi) || !(tol > 0.0) || !isfinite(lo) || !isfinite(hi)) {
    return ucl_diag_set(diag, UCL_ERR_INVAL, "threshold search needs lo < hi and tol > 0");
  }
  ucl_threshold r = {UCL_SEARCH_OK, NAN, lo, hi, 0, NAN};
  long n0 = 0;
  probe ph, pl;
  ucl_status st = probe_at(rn, p, dc, hi, &ph, stats, &n0, diag);
  if (st == UCL_OK && !ph.fires) {
    r.status = UCL_SEARCH_NEVER_FIRES;
    goto done;
  }
  if (st == UCL_OK) {
    r.v_latch = ph.v_latch;
    st = probe_at(rn, p, dc, lo, &pl, stats, &n0, diag);
  }
  if (st == UCL_OK && pl.fires) {
    r.status = UCL_SEARCH_FIRES_AT_LOWER;
    r.value = lo;
    r.hi = lo;
    r.v_latch = pl.v_latch;
    goto done;
  }
  double sa[MAX_SILENT], sm[MAX_SILENT];
  int ns = 0, stalled = 0;
  if (st == UCL_OK) {
    sa[ns] = lo;
    sm[ns] = pl.margin;
    ns++;
  }
  while (st == UCL_OK && r.hi - r.lo > tol) {
    double w = r.hi - r.lo;
    double x = next_trial(r.lo, r.hi, tol, sa, sm, ns, stalled);
    probe px;
    st = probe_at(rn, p, dc, x, &px, stats, &n0, diag);
    if (st != UCL_OK) {
      break;
    }
    if (px.fires) {
      r.hi = x;
      r.v_latch = px.v_latch;
    } else {
      r.lo = x;
      if (ns == MAX_SILENT) {
        memmove(sa, sa + 1, (MAX_SILENT - 1) * sizeof(*sa));
        memmove(sm, sm + 1, (MAX_SILENT - 1) * sizeof(*sm));
        ns--;
      }
      sa[ns] = x; /* silent amplitudes only grow: the last two are the highest */
      sm[ns] = px.margin;
      ns++;
    }
    stalled = (r.hi - r.lo > 0.5 * w) ? stalled + 1 : 0;
  }
  if (st == UCL_OK) {
    r.value = r.hi;
  }
done:
  if (st != UCL_OK) {
    r.status = UCL_SEARCH_FAILED;
  }
  r.sims = (int)n0;
  if (sims) {
    *sims += n0;
  }
  *out = r;
  return st;
}

ucl_status ucl_protocol_threshold(const ucl_params *p, int dc, double lo, double hi, double tol,
                                  ucl_threshold *out, ucl_solver_stats *stats, long *sims,
                                  ucl_diag *diag) {
  run rn = {NULL, dc ? "rheobase" : "threshold", 0, UCL_OK, NULL, NULL, 0, 0, 0};
  return threshold_search(&rn, p, dc, lo, hi, tol, out, stats, sims, diag);
}

/* ---- the full characterization ---- */

static void fail(ucl_char_result *r, ucl_status st, const char *what, const ucl_diag *d) {
  if (r->status == UCL_OK) {
    r->status = st;
    /* room left for the procedures skipped because of it (ucl_characterize) */
    snprintf(r->reason, sizeof(r->reason), "%.100s: %.450s", what, d->msg);
  }
}

/* Features of a run that did not happen: no spikes, every number NAN. */
static void no_features(ucl_train_features *f) {
  ucl_features_train(NULL, 0, 0.0, 1.0, f);
  f->rate_mean_Hz = f->rate_first_isi_Hz = f->rate_steady_Hz = f->latency_s = NAN;
  f->isi_mean_s = f->isi_cv = f->adapt_index_efel = f->adapt_index_ipfx = NAN;
}

static int enabled(int sw) {
  return sw != UCL_OFF;
}

/* Channel k of sample i. */
static double chan(const ucl_trace *tr, size_t i, int k) {
  return ucl_trace_sample(tr, i)[1 + k];
}

/* Fit the samples of 'tr' with t > t_from for which keep(i) holds (a contiguous run from the
 * first such sample). */
typedef int (*keep_fn)(const ucl_trace *tr, size_t i, const void *ctx);

static ucl_status fit_run(const ucl_trace *tr, int k_y, double t_from, keep_fn keep,
                          const void *ctx, ucl_exp_fit *fit, ucl_fit_samples *samples) {
  size_t n = ucl_trace_n_samples(tr);
  double *t = malloc(2 * (n + 1) * sizeof(*t));
  if (!t) {
    return UCL_ERR_NOMEM;
  }
  double *y = t + n + 1;
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    const double *row = ucl_trace_sample(tr, i);
    if (row[0] <= t_from) {
      continue;
    }
    if (keep(tr, i, ctx)) {
      if (m > 0 && !(row[0] > t[m - 1])) {
        continue; /* the second row of an edge pair */
      }
      t[m] = row[0];
      y[m] = row[1 + k_y];
      m++;
    } else if (m > 0) {
      break;
    }
  }
  ucl_status st = m >= 8 ? ucl_fit_exp(t, y, m, 1, fit) : UCL_ERR_INVAL;
  /* kept for the datasheet's plot; without the memory for them the fit stands, unplotted */
  double *ks = st == UCL_OK && samples && !fit->at_bound ? malloc(2 * m * sizeof(*ks)) : NULL;
  if (ks) {
    memcpy(ks, t, m * sizeof(*ks));
    memcpy(ks + m, y, m * sizeof(*ks));
    free(samples->t);
    samples->t = ks;
    samples->y = ks + m;
    samples->n = m;
    samples->fit = *fit;
  }
  free(t);
  return st;
}

typedef struct leak_ctx {
  int k_ig, k_vg;
  double r2, frac;
  int on;
} leak_ctx;

/* Junction off: it carries less than 1 % of the R2 current; on: more than all of it. A soma
 * without a gate junction (Mott) has one regime: all of the decay is 'off'. */
static int leak_keep(const ucl_trace *tr, size_t i, const void *vctx) {
  const leak_ctx *c = vctx;
  if (c->k_ig < 0 || c->k_vg < 0) {
    return !c->on;
  }
  double ig = chan(tr, i, c->k_ig), i2 = chan(tr, i, c->k_vg) / c->r2;
  return c->on ? ig > i2 : ig < c->frac * i2;
}

static void protocol_tau_leak(run *rn, const ucl_params *p, const ucl_char_opts *o,
                              ucl_char_result *r) {
  ucl_diag d = {{0}};
  double a = o->leak_amplitude;
  if (!(a > 0.0)) {
    if (r->rheobase.status != UCL_SEARCH_OK) {
      snprintf(d.msg, sizeof(d.msg),
               "no DC rheobase to size the charging step (set "
               "tau_leak.amplitude)");
      fail(r, UCL_ERR_INVAL, "tau_leak", &d);
      return;
    }
    a = 0.95 * r->rheobase.lo;
  }
  r->leak_amplitude = a;
  const ucl_circuit_params *c = &p->circuit;
  double window = o->leak_window > 0.0 ? o->leak_window : 8.0 * (c->R1 + c->R2) * c->C;
  ucl_params q = *p;
  q.stim.kind = UCL_STIM_STEP;
  q.stim.amplitude = a;
  q.stim.start = 0.0;
  q.stim.width = o->leak_width;
  q.stim.duration = o->leak_width + window;
  ucl_trace *tr = NULL;
  /* 4000 samples over the window; none during the step (the fits start after it), so that a
   * window short against the step needs no more rows than a long one */
  double dt = window / 4000.0;
  ucl_status st =
      simulate(rn, &q, dt, floor(o->leak_width / dt) * dt, 0, &tr, &r->stats, &r->sims, &d);
  if (st == UCL_OK && ucl_sim_spike_count(tr) > 0) {
    snprintf(d.msg, sizeof(d.msg), "the %g V charging step fired the neuron", a);
    st = UCL_ERR_RANGE;
  }
  if (st == UCL_OK) {
    leak_ctx lc = {ucl_trace_channel_index(tr, UCL_TRACE_I_GATE),
                   ucl_trace_channel_index(tr, UCL_TRACE_V_GATE), c->R2, 0.01, 0};
    int kv = ucl_trace_channel_index(tr, UCL_TRACE_V_MEM);
    ucl_exp_fit f;
    ucl_fit_samples *keep = o->keep_fits ? r->fits : NULL;
    if (fit_run(tr, kv, o->leak_width, leak_keep, &lc, &f, keep ? &keep[UCL_FIT_LEAK_OFF] : NULL) ==
            UCL_OK &&
        !f.at_bound) {
      r->tau_leak_off_s = f.tau;
      r->tau_leak_off_r2 = f.r2;
    }
    lc.on = 1;
    if (fit_run(tr, kv, o->leak_width, leak_keep, &lc, &f, keep ? &keep[UCL_FIT_LEAK_ON] : NULL) ==
            UCL_OK &&
        !f.at_bound) {
      r->tau_leak_on_s = f.tau;
      r->tau_leak_on_r2 = f.r2;
    }
  } else {
    fail(r, st, "tau_leak", &d);
  }
  ucl_trace_destroy(&tr);
}

static int on_keep(const ucl_trace *tr, size_t i, const void *vctx) {
  return chan(tr, i, *(const int *)vctx) > 0.5;
}

/* The membrane voltage at which the neuron fires, from either search. */
static double v_latch(const ucl_char_result *r) {
  return isfinite(r->threshold.v_latch) ? r->threshold.v_latch : r->rheobase.v_latch;
}

static void protocol_tau_ref(run *rn, const ucl_params *p, const ucl_char_opts *o,
                             ucl_char_result *r) {
  ucl_diag d = {{0}};
  if (!isfinite(v_latch(r))) {
    snprintf(d.msg, sizeof(d.msg), "no firing threshold to start the discharge from");
    fail(r, UCL_ERR_INVAL, "tau_ref", &d);
    return;
  }
  ucl_params q = *p;
  q.stim.kind = UCL_STIM_DC;
  q.stim.amplitude = 0.0;
  q.stim.duration = o->ref_window;
  q.circuit.V_m0 = v_latch(r) + 1e-3;
  /* The two-transistor SCR holds off at any fixed membrane voltage below its (higher) DC
   * breakover: it is started conducting, its latch an event at t = 0 like the hybrid's. */
  q.circuit.scr.start_on = q.circuit.scr.model == UCL_SCR_TWO_TRANSISTOR;
  ucl_trace *tr = NULL;
  ucl_status st = simulate(rn, &q, o->ref_window / 20000.0, 0.0, 0, &tr, &r->stats, &r->sims, &d);
  if (st == UCL_OK) {
    const ucl_event *e0 = ucl_trace_event(tr, 0), *e1 = ucl_trace_event(tr, 1);
    if (e0 && e1 && e0->kind == UCL_EVENT_LATCH && e1->kind == UCL_EVENT_UNLATCH) {
      r->spike_duration_s = e1->t - e0->t;
      r->v_reset = e1->v;
      int kon = ucl_trace_channel_index(tr, UCL_TRACE_SCR_ON);
      ucl_exp_fit f;
      if (fit_run(tr, ucl_trace_channel_index(tr, UCL_TRACE_V_MEM), 0.0, on_keep, &kon, &f,
                  o->keep_fits ? &r->fits[UCL_FIT_REF] : NULL) == UCL_OK &&
          !f.at_bound) {
        r->tau_ref_s = f.tau;
        r->tau_ref_r2 = f.r2;
      }
    } else {
      snprintf(d.msg, sizeof(d.msg), "the membrane at %g V did not give one whole spike in %g s",
               q.circuit.V_m0, o->ref_window);
      st = UCL_ERR_RANGE;
    }
  }
  if (st != UCL_OK) {
    fail(r, st, "tau_ref", &d);
  }
  ucl_trace_destroy(&tr);
}

/* A pulse-train run at amplitude a over 'window': features, energies and spike times. */
static ucl_status train_run(run *rn, const ucl_params *p, double a, double window,
                            ucl_char_result *r, ucl_train_features *f, double *e_in, double *e_vdd,
                            double **spikes, size_t *n, ucl_diag *d) {
  ucl_params q = *p;
  drive(&q, 0, a);
  q.stim.duration = window;
  ucl_trace *tr = NULL;
  ucl_status st = simulate(rn, &q, 0.0, 0.0, 0, &tr, &r->stats, &r->sims, d);
  if (st == UCL_OK) {
    double *s = NULL;
    size_t m = 0;
    st = ucl_sim_spike_times(tr, &s, &m);
    if (st == UCL_OK) {
      ucl_features_train(s, m, 0.0, window, f);
      *e_in = ucl_trace_quad(tr, 0);
      *e_vdd = ucl_trace_quad(tr, 1);
      if (spikes) {
        *spikes = s;
        *n = m;
      } else {
        free(s);
      }
    }
  }
  ucl_trace_destroy(&tr);
  return st;
}

static void protocol_adaptation(run *rn, const ucl_params *p, const ucl_char_opts *o,
                                ucl_char_result *r) {
  const ucl_circuit_params *c = &p->circuit;
  double a = o->adapt_amplitude > 0.0 ? o->adapt_amplitude : p->stim.amplitude;
  double w = o->adapt_window;
  if (!(w > 0.0)) {
    w = p->stim.duration;
    if (c->neuron == UCL_NEURON_TYPE2 && 20.0 * c->R7 * c->C2 > w) {
      w = 20.0 * c->R7 * c->C2;
    }
  }
  r->adapt_amplitude = a;
  r->adapt_window = w;
  ucl_diag d = {{0}};
  ucl_train_features f;
  double e1, e2, *s = NULL;
  size_t n = 0;
  ucl_status st = train_run(rn, p, a, w, r, &f, &e1, &e2, &s, &n, &d);
  if (st == UCL_OK) {
    r->adapt_spikes = (long)n;
    r->adapt_index_efel = f.adapt_index_efel;
    r->adapt_index_ipfx = f.adapt_index_ipfx;
    ucl_rate_fit rf;
    if (ucl_fit_rate_decay(s, n, &rf) == UCL_OK && !rf.at_bound) {
      r->adapt = rf;
    }
  } else {
    fail(r, st, "adaptation", &d);
  }
  free(s);
}

static void protocol_reference(run *rn, const ucl_params *p, ucl_char_result *r) {
  ucl_diag d = {{0}};
  r->ref_amplitude = p->stim.amplitude;
  /* the f–A curve may already hold this run (same amplitude, same window) */
  const ucl_rate_point *same = NULL;
  for (size_t i = 0; i < r->n_curve; i++) {
    if (r->curve[i].simulated && r->curve[i].status == UCL_OK &&
        r->curve[i].amplitude == r->ref_amplitude) {
      same = &r->curve[i];
    }
  }
  ucl_status st = UCL_OK;
  if (same) {
    r->ref = same->f;
    r->e_in_J = same->e_in;
    r->e_vdd_J = same->e_vdd;
  } else {
    st = train_run(rn, p, p->stim.amplitude, p->stim.duration, r, &r->ref, &r->e_in_J, &r->e_vdd_J,
                   NULL, NULL, &d);
  }
  if (st != UCL_OK) {
    fail(r, st, "energy", &d);
    return;
  }
  long k = r->ref.spikes;
  if (k > 0) {
    r->e_in_per_spike_J = r->e_in_J / (double)k;
    r->e_vdd_per_spike_J = r->e_vdd_J / (double)k;
    r->e_per_spike_J = (r->e_in_J + r->e_vdd_J) / (double)k;
  }
  /* the baseline: the same window from the same initial state with the input at 0 V; what the
   * neuron draws without being driven is the static part of its energy */
  ucl_params q = *p;
  drive(&q, 1, 0.0); /* 0 V held: no pulse edges to stop at, the same input */
  ucl_trace *tr = NULL;
  st = simulate(rn, &q, 0.0, 0.0, 0, &tr, &r->stats, &r->sims, &d);
  if (st == UCL_OK && ucl_sim_spike_count(tr) > 0) {
    snprintf(d.msg, sizeof(d.msg), "the neuron fired with its input at 0 V");
    st = UCL_ERR_RANGE;
  }
  if (st != UCL_OK) {
    ucl_diag_prefix(&d, "the run at rest: ");
    fail(r, st, "energy", &d);
  } else {
    r->e_rest_J = ucl_trace_quad(tr, 0) + ucl_trace_quad(tr, 1);
    r->p_standby_W = r->e_rest_J / p->stim.duration;
    if (k > 0) {
      r->e_static_per_spike_J = r->e_rest_J / (double)k;
      r->e_dynamic_per_spike_J = r->e_per_spike_J - r->e_static_per_spike_J;
    }
  }
  ucl_trace_destroy(&tr);
  r->e_paper_J = 0.5 * p->circuit.C * r->ref_amplitude * r->ref_amplitude;
  double vl = v_latch(r);
  if (isfinite(vl)) {
    r->e_stored_J = 0.5 * p->circuit.C * vl * vl;
  }
}

/* The f–A curve; with 'skip' (the threshold search failed), its amplitudes only: every row not
 * simulated, with the search's failure as its status and no features. */
static ucl_status protocol_curve(run *rn, const ucl_params *p, const ucl_char_opts *o,
                                 ucl_char_result *r, int skip) {
  double def[DEFAULT_N_AMPS];
  const double *amps = NULL;
  size_t n = ucl_char_rate_amps(o, def, &amps);
  r->curve = calloc(n > 0 ? n : 1, sizeof(*r->curve));
  if (!r->curve) {
    return UCL_ERR_NOMEM;
  }
  r->n_curve = n;
  /* The membrane responds monotonically to the drive while the neuron has not fired, so an
   * amplitude at or below one shown to stay silent over the window stays silent too. */
  double silent_up_to = r->threshold.status == UCL_SEARCH_OK ? r->threshold.lo : -INFINITY;
  for (size_t i = 0; i < n; i++) {
    ucl_rate_point *pt = &r->curve[i];
    pt->amplitude = amps[i];
    pt->e_in = pt->e_vdd = pt->e_per_spike = NAN;
    if (skip) {
      no_features(&pt->f);
      pt->status = r->status;
      continue;
    }
    if (amps[i] <= silent_up_to) {
      ucl_features_train(NULL, 0, 0.0, p->stim.duration, &pt->f);
      pt->status = UCL_OK;
      continue;
    }
    ucl_diag d = {{0}};
    pt->simulated = 1;
    pt->status = train_run(rn, p, amps[i], p->stim.duration, r, &pt->f, &pt->e_in, &pt->e_vdd, NULL,
                           NULL, &d);
    if (pt->status != UCL_OK) { /* a failed run has no rate (not 0 Hz): empty in the CSV */
      no_features(&pt->f);
      pt->e_in = pt->e_vdd = NAN;
      ucl_diag_prefix(&d, "at %g V: ", amps[i]);
      fail(r, pt->status, "rate curve", &d);
      continue;
    }
    if (pt->f.spikes > 0) {
      pt->e_per_spike = (pt->e_in + pt->e_vdd) / (double)pt->f.spikes;
    }
  }
  return UCL_OK;
}

/* The pulse-train threshold at each of o->thr_periods (the spec's width and window). A period
 * its pulse (rise + width + fall) does not fit in is a row with status skipped, as is every
 * row when 'skip' (the threshold search at the spec's own period failed); a search that fails is
 * a row with status failed, and its failure the result's. UCL_ERR_NOMEM only. */
static ucl_status protocol_thr_period(run *rn, const ucl_params *p, const ucl_char_opts *o,
                                      ucl_char_result *r, int skip) {
  r->thr_period = calloc(o->n_thr_periods, sizeof(*r->thr_period));
  if (!r->thr_period) {
    return UCL_ERR_NOMEM;
  }
  r->n_thr_period = o->n_thr_periods;
  for (size_t i = 0; i < o->n_thr_periods; i++) {
    ucl_period_threshold *pt = &r->thr_period[i];
    ucl_diag d = {{0}};
    pt->period_s = o->thr_periods[i];
    pt->thr = (ucl_threshold){UCL_SEARCH_SKIPPED, NAN, NAN, NAN, 0, NAN};
    if (skip || !ucl_le_tol(p->stim.rise + p->stim.width + p->stim.fall, pt->period_s)) {
      continue;
    }
    if (ucl_le_tol(pt->period_s, p->stim.period) && ucl_le_tol(p->stim.period, pt->period_s) &&
        r->threshold.status != UCL_SEARCH_SKIPPED) {
      pt->thr = r->threshold; /* the spec's own period: that search, not a second one */
      continue;
    }
    ucl_params q = *p;
    q.stim.period = pt->period_s;
    ucl_status st = threshold_search(rn, &q, 0, o->thr_lo, o->thr_hi, o->thr_tol, &pt->thr,
                                     &r->stats, &r->sims, &d);
    if (st != UCL_OK) {
      ucl_diag_prefix(&d, "at a period of %g s: ", pt->period_s);
      fail(r, st, "threshold_period", &d);
    }
  }
  return UCL_OK;
}

/* The curve tracer's I_GT, I_H and I_L with its default test circuits (tracer.h). */
static void protocol_curve_tracer(run *rn, const ucl_params *p, ucl_char_result *r) {
  ucl_tracer_opts o;
  ucl_tracer_opts_default(&o);
  o.progress = run_check;
  o.progress_ctx = rn;
  ucl_diag d = {{0}};
  ucl_status st = ucl_tracer_measure(p, &o, &r->tracer, &d);
  if (st != UCL_OK) {
    fail(r, st, "curve tracer", &d);
    return;
  }
  r->sims += r->tracer.sims;
  rn->started += r->tracer.sims;
  ucl_solver_stats_add(&r->stats, &r->tracer.stats);
  if (r->tracer.status == UCL_ERR_LIMIT && rn->stop != UCL_OK) {
    stopped(rn, NAN, NAN, &d); /* the tracer's runs stopped by run_check */
    fail(r, rn->stop, "curve tracer", &d);
  } else if (r->tracer.status != UCL_OK) {
    ucl_diag_set(&d, r->tracer.status, "%s", r->tracer.reason);
    fail(r, r->tracer.status, "curve tracer", &d);
  }
}

/* One side of the temperature coefficients: the threshold, the DC rheobase (when the rheobase or
 * the leak runs) and the reference rate (when the energy run is on) at q's temperature, into a
 * result of its own. */
static void tempco_side(run *rn, const ucl_params *q, const ucl_char_opts *o, ucl_char_result *s) {
  ucl_diag d = {{0}};
  ucl_status st = threshold_search(rn, q, 0, o->thr_lo, o->thr_hi, o->thr_tol, &s->threshold,
                                   &s->stats, &s->sims, &d);
  if (st != UCL_OK) {
    fail(s, st, "threshold", &d);
  }
  if (enabled(o->rheobase) || enabled(o->tau_leak)) {
    st = threshold_search(rn, q, 1, o->thr_lo, o->thr_hi, o->thr_tol, &s->rheobase, &s->stats,
                          &s->sims, &d);
    if (st != UCL_OK) {
      fail(s, st, "rheobase", &d);
    }
  }
  if (enabled(o->energy)) {
    st = train_run(rn, q, q->stim.amplitude, q->stim.duration, s, &s->ref, &s->e_in_J, &s->e_vdd_J,
                   NULL, NULL, &d);
    if (st != UCL_OK) {
      fail(s, st, "rate", &d);
    }
  }
}

static double central(double minus, double plus, double dT) {
  return (plus - minus) / (2.0 * dT);
}

/* Temperature coefficients (docs/features.md): every quantity at temp − dT and temp + dT. The
 * leak time constants of both sides come from one charging step, so that only the temperature
 * differs: tau_leak.amplitude, or 0.95 × the lower of the two sides' DC rheobases. */
static void protocol_tempco(run *rn, const ucl_params *p, const ucl_char_opts *o,
                            ucl_char_result *r) {
  const double dT = o->tempco_dT;
  r->tempco_dT_K = dT;
  if (!(dT < p->circuit.temp)) {
    ucl_diag d = {{0}};
    snprintf(d.msg, sizeof(d.msg), "tempco = %g K must be below temp (%g K)", dT, p->circuit.temp);
    fail(r, UCL_ERR_RANGE, "tempco", &d);
    return;
  }
  ucl_params q[2] = {*p, *p};
  q[0].circuit.temp -= dT;
  q[1].circuit.temp += dT;
  ucl_char_result s[2];
  for (int k = 0; k < 2; k++) {
    ucl_char_result_empty(&s[k]);
    tempco_side(rn, &q[k], o, &s[k]);
  }
  double a = o->leak_amplitude;
  if (!(a > 0.0) && s[0].rheobase.status == UCL_SEARCH_OK &&
      s[1].rheobase.status == UCL_SEARCH_OK) {
    a = 0.95 * fmin(s[0].rheobase.lo, s[1].rheobase.lo);
  }
  if (enabled(o->tau_leak) && a > 0.0) {
    ucl_char_opts lo = *o;
    lo.leak_amplitude = a;
    lo.keep_fits = 0;
    for (int k = 0; k < 2; k++) {
      protocol_tau_leak(rn, &q[k], &lo, &s[k]);
    }
  } else if (enabled(o->tau_leak)) {
    ucl_diag d = {{0}};
    snprintf(d.msg, sizeof(d.msg),
             "no DC rheobase at both temperatures to size the charging step (set "
             "tau_leak.amplitude)");
    fail(r, UCL_ERR_INVAL, "tempco", &d);
  }
  for (int k = 0; k < 2; k++) {
    ucl_solver_stats_add(&r->stats, &s[k].stats);
    r->sims += s[k].sims;
    if (s[k].status != UCL_OK && r->status == UCL_OK) {
      r->status = s[k].status;
      snprintf(r->reason, sizeof(r->reason), "tempco at temp = %g K: %.560s", q[k].circuit.temp,
               s[k].reason);
    }
  }
  r->dthreshold_dT_V_per_K = central(s[0].threshold.value, s[1].threshold.value, dT);
  r->drheobase_dT_V_per_K = central(s[0].rheobase.value, s[1].rheobase.value, dT);
  r->dtau_leak_off_dT_s_per_K = central(s[0].tau_leak_off_s, s[1].tau_leak_off_s, dT);
  r->dtau_leak_on_dT_s_per_K = central(s[0].tau_leak_on_s, s[1].tau_leak_on_s, dT);
  r->dref_rate_dT_Hz_per_K = central(s[0].ref.rate_mean_Hz, s[1].ref.rate_mean_Hz, dT);
  ucl_char_result_free(&s[0]);
  ucl_char_result_free(&s[1]);
}

/* ---- firing probability (docs/features.md, Firing probability) ---- */

/* Trial 'trial' (>= 1) of the spec's pulse train at amplitude a: its spike times (*s, malloc'd,
 * *m of them; the caller frees). 'stats'/'sims' (may be NULL) accumulate. */
static ucl_status prob_run(run *rn, const ucl_params *p, double a, long trial,
                           ucl_solver_stats *stats, long *sims, double **s, size_t *m,
                           ucl_diag *d) {
  ucl_params q = *p;
  drive(&q, 0, a);
  q.noise.trial = (uint64_t)trial;
  ucl_trace *tr = NULL;
  *s = NULL;
  *m = 0;
  ucl_status st = simulate(rn, &q, 0.0, 0.0, 0, &tr, stats, sims, d);
  if (st == UCL_OK) {
    st = ucl_sim_spike_times(tr, s, m);
  }
  ucl_trace_destroy(&tr);
  return st;
}

/* What one trial leaves for its amplitude (a row of the batch, all doubles, exact for the
 * counts): its status, the simulations it ran (0 or 1), its spike count and first spike time,
 * its ISIs' count, mean and sum of squared deviations (Welford within the trial), and the
 * solver counters of its run. */
enum {
  PR_STATUS,
  PR_SIMS,
  PR_SPIKES,
  PR_FIRST,
  PR_ISIS,
  PR_ISI_MEAN,
  PR_ISI_M2,
  PR_STATS,
  PR_N_STATS = 11,
  PR_WIDTH = PR_STATS + PR_N_STATS
};

/* The counters of ucl_solver_stats, in the row's order. */
static const size_t stat_offsets[PR_N_STATS] = {
    offsetof(ucl_solver_stats, steps),        offsetof(ucl_solver_stats, rhs_evals),
    offsetof(ucl_solver_stats, quad_evals),   offsetof(ucl_solver_stats, jac_evals),
    offsetof(ucl_solver_stats, lin_setups),   offsetof(ucl_solver_stats, err_test_fails),
    offsetof(ucl_solver_stats, nonlin_iters), offsetof(ucl_solver_stats, nonlin_fails),
    offsetof(ucl_solver_stats, root_evals),   offsetof(ucl_solver_stats, reinits),
    offsetof(ucl_solver_stats, breaks)};
_Static_assert(sizeof(ucl_solver_stats) == PR_N_STATS * sizeof(long),
               "a ucl_solver_stats counter is missing from the trial's row");

static long *stat_at(ucl_solver_stats *s, int k) {
  return (long *)((char *)s + stat_offsets[k]);
}

/* The trials of one characterization as a batch: index i is trial i % trials + 1 at amplitude
 * amps[i / trials]. */
typedef struct prob_batch {
  run *rn;
  const ucl_params *p;
  const double *amps;
  long trials;
  long first_fail;    /* the lowest index whose trial failed in this process, or -1 */
  ucl_diag fail_diag; /* its message */
} prob_batch;

/* ucl_char_eval_fn: trial i's row (PR_*). A failed trial is a row with its status, never an
 * error of the batch: every evaluation returns UCL_OK. */
static ucl_status prob_eval(void *ctx, long i, double *out, int width, ucl_diag *diag) {
  prob_batch *b = ctx;
  (void)width;
  (void)diag;
  long t = i % b->trials + 1;
  double a = b->amps[i / b->trials];
  ucl_solver_stats stats;
  memset(&stats, 0, sizeof(stats));
  long sims = 0;
  double *s = NULL;
  size_t m = 0;
  ucl_diag d = {{0}};
  b->rn->trial = t;
  ucl_status st = prob_run(b->rn, b->p, a, t, &stats, &sims, &s, &m, &d);
  b->rn->trial = 0;
  out[PR_STATUS] = (double)st;
  out[PR_SIMS] = (double)sims;
  for (int k = 0; k < PR_N_STATS; k++) {
    out[PR_STATS + k] = (double)*stat_at(&stats, k);
  }
  if (st != UCL_OK) {
    free(s);
    if (b->first_fail < 0 || i < b->first_fail) {
      b->first_fail = i;
      b->fail_diag = d;
    }
    return UCL_OK;
  }
  double mean = 0.0, m2 = 0.0;
  for (size_t k = 1; k < m; k++) {
    double x = s[k] - s[k - 1], dx = x - mean;
    mean += dx / (double)k;
    m2 += dx * (x - mean);
  }
  out[PR_SPIKES] = (double)m;
  out[PR_FIRST] = m > 0 ? s[0] : 0.0;
  out[PR_ISIS] = m > 1 ? (double)(m - 1) : 0.0;
  out[PR_ISI_MEAN] = mean;
  out[PR_ISI_M2] = m2;
  free(s);
  return UCL_OK;
}

/* The trials at one amplitude (rows[t - 1] is trial t's, PR_WIDTH each) into pt: counts,
 * first-spike latency and its SD (the jitter), the ISIs pooled over the trials (each trial's
 * mean and squared deviations combined in trial order: Chan, Golub & LeVeque, Am. Stat. 37, 242,
 * 1983). A failed trial's reason is its own (b) or, when another process ran it, that of the
 * trial run again here (a pure function of its index: the same failure). */
static void prob_point(run *rn, prob_batch *b, long i0, const double *rows, ucl_char_result *r,
                       ucl_prob_point *pt, double *first) {
  double isi_mean = 0.0, isi_m2 = 0.0;
  long nf = 0;
  for (long t = 1; t <= b->trials; t++) {
    const double *row = rows + (size_t)(t - 1) * PR_WIDTH;
    r->sims += (long)row[PR_SIMS];
    for (int k = 0; k < PR_N_STATS; k++) {
      *stat_at(&r->stats, k) += (long)row[PR_STATS + k];
    }
    ucl_status st = (ucl_status)(int)row[PR_STATUS];
    if (st != UCL_OK) {
      if (pt->status == UCL_OK) {
        pt->status = st;
      }
      if (r->status == UCL_OK) { /* fail() keeps the first failure's reason only */
        ucl_diag d = {{0}};
        if (b->first_fail == i0 + t - 1) {
          d = b->fail_diag;
        } else {
          double *s = NULL;
          size_t m = 0;
          (void)prob_run(rn, b->p, pt->amplitude, t, NULL, NULL, &s, &m, &d);
          free(s);
        }
        ucl_diag_prefix(&d, "at %g V, trial %ld: ", pt->amplitude, t);
        fail(r, st, "probability", &d);
      }
      continue;
    }
    pt->trials++;
    if (row[PR_SPIKES] > 0.0) {
      first[nf++] = row[PR_FIRST];
    }
    long na = pt->isis, nb = (long)row[PR_ISIS];
    if (nb > 0 && na == 0) {
      isi_mean = row[PR_ISI_MEAN];
      isi_m2 = row[PR_ISI_M2];
    } else if (nb > 0) {
      double n = (double)(na + nb), delta = row[PR_ISI_MEAN] - isi_mean;
      isi_mean += delta * (double)nb / n;
      isi_m2 += row[PR_ISI_M2] + delta * delta * (double)na * (double)nb / n;
    }
    pt->isis = na + nb;
  }
  pt->fired = nf;
  if (pt->trials > 0) {
    pt->p_fire = (double)nf / (double)pt->trials;
    ucl_probit_wilson(nf, pt->trials, UCL_PROBIT_Z95, &pt->p_lo, &pt->p_hi);
  }
  if (nf > 0) {
    double sum = 0.0, ss = 0.0;
    for (long i = 0; i < nf; i++) {
      sum += first[i];
    }
    pt->latency_s = sum / (double)nf;
    for (long i = 0; i < nf; i++) {
      ss += (first[i] - pt->latency_s) * (first[i] - pt->latency_s);
    }
    pt->jitter_s = nf > 1 ? sqrt(ss / (double)(nf - 1)) : NAN;
  }
  if (pt->isis > 0) {
    pt->isi_mean_s = isi_mean;
    pt->isi_cv = pt->isis > 1 ? sqrt(isi_m2 / (double)(pt->isis - 1)) / isi_mean : NAN;
  }
}

/* Evaluate the batch b of n indices into rows: through o->batch when given (collective there:
 * called even with n = 0), else here in order. */
static ucl_status prob_batch_run(const ucl_char_opts *o, prob_batch *b, long n, double *rows,
                                 ucl_diag *d) {
  if (o->batch) {
    return o->batch(o->batch_ctx, n, PR_WIDTH, prob_eval, b, rows, d);
  }
  for (long i = 0; i < n; i++) {
    double *row = rows + (size_t)i * PR_WIDTH;
    memset(row, 0, PR_WIDTH * sizeof(*row));
    ucl_status st = prob_eval(b, i, row, PR_WIDTH, d);
    if (st != UCL_OK) {
      return st;
    }
  }
  return UCL_OK;
}

/* The noise-free pulse-train threshold; o->trials runs at each amplitude, trial r with
 * noise.trial = r (the same noise at every amplitude: common random numbers), all of them one
 * batch (o->batch); the probit fit and the jitter and ISI CV at the amplitude nearest A50. A fit
 * that cannot be made fails the procedure with the fit's reason; its columns stay NAN.
 * UCL_ERR_NOMEM only. */
static ucl_status protocol_probability(run *rn, const ucl_params *p, const ucl_char_opts *o,
                                       ucl_char_result *r) {
  ucl_diag d = {{0}};
  double none[PR_WIDTH];
  prob_batch b = {rn, p, NULL, o->trials, -1, {{0}}};
  r->prob_trials = o->trials;
  if (!ucl_spec_noise_varies(p)) { /* a sweep point whose swept keys turned the noise off */
    snprintf(d.msg, sizeof(d.msg),
             "every trial would be the same: turn on noise.thermal or a jitter.* key");
    fail(r, UCL_ERR_INVAL, "probability", &d);
    (void)prob_batch_run(o, &b, 0, none, &d); /* nothing to run, on every rank alike */
    return UCL_OK;
  }
  ucl_params q0 = *p;
  q0.noise.thermal = 0;
  q0.noise.jitter_I_GT = q0.noise.jitter_I_H = q0.noise.jitter_V_th = q0.noise.jitter_I_hold = 0.0;
  ucl_status st = threshold_search(rn, &q0, 0, o->thr_lo, o->thr_hi, o->thr_tol, &r->thr_noiseless,
                                   &r->stats, &r->sims, &d);
  if (st != UCL_OK) {
    ucl_diag_prefix(&d, "the noise-free threshold: ");
    fail(r, st, "probability", &d);
  }
  size_t n = o->prob_amps ? o->n_prob_amps : 11;
  if (!o->prob_amps && r->thr_noiseless.status != UCL_SEARCH_OK) {
    if (st == UCL_OK) {
      snprintf(d.msg, sizeof(d.msg),
               "the noise-free threshold search gave %s: no amplitudes to run (set [characterize] "
               "probability)",
               ucl_search_status_name(r->thr_noiseless.status));
      fail(r, UCL_ERR_RANGE, "probability", &d);
    }
    /* (a rank whose wall-time limit passed may be here while others run trials: the batch
     * finds that out) */
    st = prob_batch_run(o, &b, 0, none, &d);
    if (st != UCL_OK) {
      fail(r, st, "probability", &d);
    }
    return UCL_OK;
  }
  long total = (long)n * o->trials;
  r->prob = calloc(n > 0 ? n : 1, sizeof(*r->prob));
  double *first = malloc((size_t)(o->trials > 0 ? o->trials : 1) * sizeof(*first));
  double *a = malloc((n > 0 ? n : 1) * sizeof(*a));
  long *k = malloc((n > 0 ? n : 1) * sizeof(*k)), *nt = malloc((n > 0 ? n : 1) * sizeof(*nt));
  double *rows = malloc((size_t)(total > 0 ? total : 1) * PR_WIDTH * sizeof(*rows));
  if (!r->prob || !first || !a || !k || !nt || !rows) {
    free(first);
    free(a);
    free(k);
    free(nt);
    free(rows);
    return UCL_ERR_NOMEM;
  }
  r->n_prob = n;
  for (size_t i = 0; i < n; i++) {
    ucl_prob_point *pt = &r->prob[i];
    pt->amplitude =
        o->prob_amps ? o->prob_amps[i] : r->thr_noiseless.value * (0.9 + 0.2 * (double)i / 10.0);
    pt->p_fire = pt->p_lo = pt->p_hi = pt->latency_s = pt->jitter_s = NAN;
    pt->isi_mean_s = pt->isi_cv = NAN;
    pt->status = UCL_OK;
    a[i] = pt->amplitude;
  }
  b.amps = a;
  rn->trials = o->trials;
  st = prob_batch_run(o, &b, total, rows, &d);
  rn->trials = 0;
  if (st != UCL_OK) { /* no rows: every amplitude without trials, no fit */
    for (size_t i = 0; i < n; i++) {
      r->prob[i].status = st;
    }
    fail(r, st, "probability", &d);
  } else {
    for (size_t i = 0; i < n; i++) {
      long i0 = (long)i * o->trials;
      prob_point(rn, &b, i0, rows + (size_t)i0 * PR_WIDTH, r, &r->prob[i], first);
      k[i] = r->prob[i].fired;
      nt[i] = r->prob[i].trials;
    }
    ucl_probit f;
    st = ucl_probit_fit(a, k, nt, n, &f, &d);
    if (st == UCL_OK) {
      r->p50_V = f.a50;
      r->p50_lo_V = f.a50_lo;
      r->p50_hi_V = f.a50_hi;
      r->p50_width_V = f.width;
      const ucl_prob_point *near = NULL;
      for (size_t i = 0; i < n; i++) {
        if (r->prob[i].trials > 0 &&
            (!near || fabs(r->prob[i].amplitude - f.a50) < fabs(near->amplitude - f.a50))) {
          near = &r->prob[i];
        }
      }
      r->p50_near_V = near->amplitude;
      r->p50_jitter_s = near->jitter_s;
      r->p50_isi_cv = near->isi_cv;
      r->p50_p_fire = near->p_fire;
    } else {
      fail(r, st, "probability", &d);
    }
  }
  free(first);
  free(a);
  free(k);
  free(nt);
  free(rows);
  return UCL_OK;
}

void ucl_char_result_empty(ucl_char_result *r) {
  memset(r, 0, sizeof(*r));
  r->status = UCL_OK;
  r->threshold = (ucl_threshold){UCL_SEARCH_SKIPPED, NAN, NAN, NAN, 0, NAN};
  r->rheobase = r->threshold;
  r->tau_leak_off_s = r->tau_leak_off_r2 = r->tau_leak_on_s = r->tau_leak_on_r2 = NAN;
  r->leak_amplitude = NAN;
  r->tau_ref_s = r->tau_ref_r2 = r->spike_duration_s = r->v_reset = NAN;
  r->adapt.tau_s = r->adapt.r0_Hz = r->adapt.rinf_Hz = r->adapt.r2 = NAN;
  r->adapt_index_efel = r->adapt_index_ipfx = NAN;
  r->adapt_amplitude = r->adapt_window = NAN;
  r->ref_amplitude = r->e_in_J = r->e_vdd_J = NAN;
  r->e_per_spike_J = r->e_in_per_spike_J = r->e_vdd_per_spike_J = r->e_paper_J = NAN;
  r->e_stored_J = NAN;
  r->e_rest_J = r->p_standby_W = r->e_static_per_spike_J = r->e_dynamic_per_spike_J = NAN;
  r->tempco_dT_K = r->dthreshold_dT_V_per_K = r->drheobase_dT_V_per_K = NAN;
  r->dtau_leak_off_dT_s_per_K = r->dtau_leak_on_dT_s_per_K = r->dref_rate_dT_Hz_per_K = NAN;
  ucl_features_train(NULL, 0, 0.0, 1.0, &r->ref);
  r->ref.rate_mean_Hz = NAN;
  ucl_tracer_result_empty(&r->tracer);
  r->thr_noiseless = r->threshold;
  r->p50_V = r->p50_lo_V = r->p50_hi_V = r->p50_width_V = NAN;
  r->p50_near_V = r->p50_jitter_s = r->p50_isi_cv = r->p50_p_fire = NAN;
}

/* Append "; NAME" (the first: "; not run, the threshold search failed: NAME") to the reason. */
static void note_skipped(ucl_char_result *r, const char *name, int *n) {
  size_t len = strlen(r->reason);
  snprintf(r->reason + len, sizeof(r->reason) - len, "%s%s",
           (*n)++ ? ", " : "; not run, the threshold search failed: ", name);
}

ucl_status ucl_characterize(const ucl_params *p, const ucl_char_opts *o, ucl_char_result *out,
                            ucl_diag *diag) {
  const char *bad = NULL;
  ucl_status st = ucl_params_validate(p, &bad, diag);
  if (st != UCL_OK) {
    return st;
  }
  if (!(o->thr_lo < o->thr_hi) || !(o->thr_tol > 0.0)) {
    return ucl_diag_set(diag, UCL_ERR_INVAL, "threshold bracket must have lo < hi and tol > 0");
  }
  ucl_char_result r;
  ucl_char_result_empty(&r);
  run rn = {o, "threshold", 0, UCL_OK, &r, NULL, 0, 0, 0};

  ucl_diag d = {{0}};
  st = threshold_search(&rn, p, 0, o->thr_lo, o->thr_hi, o->thr_tol, &r.threshold, &r.stats,
                        &r.sims, &d);
  if (st != UCL_OK) {
    fail(&r, st, "threshold", &d);
  }
  /* A failed search (a run that hit the step or wall-time limit, a solver failure) dooms the
   * procedures that run the same pulse train over the same or a longer window: they are not
   * run, and the reason names them. The DC procedures do not depend on it. */
  int skip = r.threshold.status == UCL_SEARCH_FAILED, n_skipped = 0;
  if (enabled(o->rheobase)) {
    rn.procedure = "rheobase";
    st = threshold_search(&rn, p, 1, o->thr_lo, o->thr_hi, o->thr_tol, &r.rheobase, &r.stats,
                          &r.sims, &d);
    if (st != UCL_OK) {
      fail(&r, st, "rheobase", &d);
    }
  }
  if (enabled(o->tau_leak)) {
    rn.procedure = "tau_leak";
    protocol_tau_leak(&rn, p, o, &r);
  }
  if (enabled(o->tau_ref)) {
    rn.procedure = "tau_ref";
    protocol_tau_ref(&rn, p, o, &r);
  }
  int adapt = o->adaptation == UCL_ON ||
              (o->adaptation == UCL_AUTO && p->circuit.neuron == UCL_NEURON_TYPE2);
  if (adapt && skip) {
    note_skipped(&r, "adaptation", &n_skipped);
  } else if (adapt) {
    rn.procedure = "adaptation";
    protocol_adaptation(&rn, p, o, &r);
  }
  rn.procedure = "rate_curve";
  st = protocol_curve(&rn, p, o, &r, skip);
  if (st != UCL_OK) {
    ucl_char_result_free(&r);
    return ucl_diag_set(diag, st, "out of memory");
  }
  if (skip) {
    note_skipped(&r, "rate_curve", &n_skipped);
  }
  if (enabled(o->energy) && skip) {
    note_skipped(&r, "energy", &n_skipped);
  } else if (enabled(o->energy)) {
    rn.procedure = "energy";
    protocol_reference(&rn, p, &r);
  }
  if (o->n_thr_periods > 0) {
    rn.procedure = "threshold_period";
    st = protocol_thr_period(&rn, p, o, &r, skip);
    if (st != UCL_OK) {
      ucl_char_result_free(&r);
      return ucl_diag_set(diag, st, "out of memory");
    }
    if (skip) {
      note_skipped(&r, "threshold_period", &n_skipped);
    }
  }
  if (o->curve_tracer == UCL_ON) {
    rn.procedure = "curve_tracer";
    protocol_curve_tracer(&rn, p, &r);
  }
  if (o->tempco_dT > 0.0 && skip) {
    note_skipped(&r, "tempco", &n_skipped);
  } else if (o->tempco_dT > 0.0) {
    rn.procedure = "tempco";
    protocol_tempco(&rn, p, o, &r);
  }
  if (o->trials > 0) {
    rn.procedure = "probability";
    st = protocol_probability(&rn, p, o, &r);
    if (st != UCL_OK) {
      ucl_char_result_free(&r);
      return ucl_diag_set(diag, st, "out of memory");
    }
  }
  if (rn.stop == UCL_ERR_STOPPED) { /* abandoned: no result */
    ucl_char_result_free(&r);
    return ucl_diag_set(diag, UCL_ERR_STOPPED,
                        "stopped by a signal during %s, after %ld simulations", rn.procedure,
                        rn.started);
  }
  if (rn.stop == UCL_ERR_LIMIT && rn.failed_before) {
    /* the point is incomplete: that is its status, whatever failed before */
    char before[sizeof(r.reason)];
    snprintf(before, sizeof(before), "%s", r.reason);
    r.status = UCL_ERR_LIMIT;
    snprintf(r.reason, sizeof(r.reason),
             "%s: the point's wall-time limit was reached after %ld simulations; before it, %.500s",
             rn.stop_procedure, rn.started, before);
  }
  *out = r;
  return UCL_OK;
}

void ucl_char_result_free(ucl_char_result *r) {
  if (r) {
    free(r->curve);
    r->curve = NULL;
    r->n_curve = 0;
    for (int k = 0; k < UCL_N_FITS; k++) {
      free(r->fits[k].t); /* (t and y are one allocation) */
      memset(&r->fits[k], 0, sizeof(r->fits[k]));
    }
    free(r->thr_period);
    r->thr_period = NULL;
    r->n_thr_period = 0;
    free(r->prob);
    r->prob = NULL;
    r->n_prob = 0;
  }
}
