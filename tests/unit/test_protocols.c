/* test_protocols.c — the characterization procedures on the default neuron: the threshold
 * search (its bracket re-checked by independent runs, its cost, its edge statuses, its
 * dependence on the input frequency), tau_leak and tau_ref against the circuit's RC products,
 * the f–A curve, energy, and type II adaptation. */
#include <stdlib.h>
#include <string.h>

#include "uclif/protocols.h"
#include "uclif/sim.h"
#include "uclif/spec.h"

#include "testutil.h"

static long spikes_at(ucl_params p, double a) {
  p.stim.amplitude = a;
  ucl_trace *tr = NULL;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_sim_run(&p, NULL, &tr, &d), UCL_OK);
  long n = ucl_sim_spike_count(tr);
  ucl_trace_destroy(&tr);
  return n;
}

/* 1 mV over a 15 V bracket in at most 14 simulations; the bracket is right. */
static void test_threshold_search(void **state) {
  (void)state;
  ucl_params p = ucl_test_config(NULL, 0);
  ucl_threshold t;
  long sims = 0;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_protocol_threshold(&p, 0, 0.5, 15.5, 1e-3, &t, NULL, &sims, &d), UCL_OK);
  assert_int_equal(t.status, UCL_SEARCH_OK);
  assert_true(t.hi - t.lo <= 1e-3);
  assert_true(t.value == t.hi);
  assert_true(t.sims <= 14);
  assert_int_equal(sims, t.sims);
  assert_close(t.value, 5.0, 0, 0.3); /* the paper's onset */
  assert_int_equal(spikes_at(p, t.lo), 0);
  assert_true(spikes_at(p, t.hi) > 0);
  assert_true(t.v_latch > 1.5 && t.v_latch < 3.0);
}

static void test_threshold_edge_statuses(void **state) {
  (void)state;
  ucl_params p = ucl_test_config(NULL, 0);
  ucl_threshold t;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_protocol_threshold(&p, 0, 0.5, 3.0, 1e-3, &t, NULL, NULL, &d), UCL_OK);
  assert_int_equal(t.status, UCL_SEARCH_NEVER_FIRES);
  assert_int_equal(t.sims, 1);
  assert_true(isnan(t.value));
  assert_string_equal(ucl_search_status_name(t.status), "never_fires");
  assert_int_equal(ucl_protocol_threshold(&p, 0, 6.0, 15.0, 1e-3, &t, NULL, NULL, &d), UCL_OK);
  assert_int_equal(t.status, UCL_SEARCH_FIRES_AT_LOWER);
  assert_int_equal(t.sims, 2);
  assert_true(t.value == 6.0);
  assert_int_equal(ucl_protocol_threshold(&p, 0, 5.0, 4.0, 1e-3, &t, NULL, NULL, &d),
                   UCL_ERR_INVAL);
}

/* The paper: the onset "also depends on the input-spike frequency". Faster pulses integrate
 * more charge against the same leak, so the threshold falls; a DC source needs less still. */
static void test_threshold_falls_with_period(void **state) {
  (void)state;
  const char *s50[] = {"period=50u"};
  ucl_params p100 = ucl_test_config(NULL, 0), p50 = ucl_test_config(s50, 1);
  ucl_threshold t100, t50, dc;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_protocol_threshold(&p100, 0, 0.5, 15, 1e-3, &t100, NULL, NULL, &d), UCL_OK);
  assert_int_equal(ucl_protocol_threshold(&p50, 0, 0.5, 15, 1e-3, &t50, NULL, NULL, &d), UCL_OK);
  assert_int_equal(ucl_protocol_threshold(&p100, 1, 0.5, 15, 1e-3, &dc, NULL, NULL, &d), UCL_OK);
  assert_true(t50.value < t100.value - 0.5);
  assert_true(dc.value < t50.value);
}

static void test_characterize_type1(void **state) {
  (void)state;
  ucl_params p = ucl_test_config(NULL, 0);
  ucl_char_opts o;
  ucl_char_opts_default(&o);
  /* what `uclif characterize` adds for its datasheet: the fits' samples, the threshold at three
   * periods (the spec's among them) */
  static const double periods[] = {50e-6, 100e-6, 200e-6};
  o.keep_fits = 1;
  o.thr_periods = periods;
  o.n_thr_periods = 3;
  ucl_char_result r;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_characterize(&p, &o, &r, &d), UCL_OK);
  if (r.status != UCL_OK) {
    fail_msg("%s", r.reason);
  }
  assert_int_equal(r.n_thr_period, 3);
  assert_true(r.thr_period[1].thr.value == r.threshold.value); /* the same search */
  assert_true(r.thr_period[0].thr.value < r.thr_period[1].thr.value);
  assert_true(r.thr_period[1].thr.value < r.thr_period[2].thr.value);
  static const int fits[] = {UCL_FIT_LEAK_OFF, UCL_FIT_LEAK_ON, UCL_FIT_REF};
  const double taus[] = {r.tau_leak_off_s, r.tau_leak_on_s, r.tau_ref_s};
  for (int k = 0; k < 3; k++) {
    const ucl_fit_samples *s = &r.fits[fits[k]];
    assert_true(s->n >= 8);
    assert_true(s->fit.tau == taus[k]); /* the samples are the fit's */
    for (size_t i = 1; i < s->n; i++) {
      assert_true(s->t[i] > s->t[i - 1]);
    }
  }
  /* "normally off" (the paper): at rest it draws next to nothing, the spikes cost the energy */
  assert_true(r.p_standby_W >= 0.0);
  assert_true(r.e_static_per_spike_J < 1e-3 * r.e_per_spike_J);
  assert_close(r.e_static_per_spike_J + r.e_dynamic_per_spike_J, r.e_per_spike_J, 1e-12, 0);
  assert_close(r.p_standby_W * p.stim.duration, r.e_rest_J, 1e-12, 0);
  const ucl_circuit_params *c = &p.circuit;
  assert_close(r.tau_leak_off_s, (c->R1 + c->R2) * c->C, 0.02, 0);
  assert_true(r.tau_leak_off_r2 > 0.999);
  /* gate junction on: the leak runs through R1 toward the clamp, close to R1·C */
  assert_close(r.tau_leak_on_s, c->R1 * c->C, 0.2, 0);
  assert_close(r.tau_ref_s, (c->R3 + c->scr.R_T) * c->C, 0.05, 0);
  assert_true(r.spike_duration_s > r.tau_ref_s && r.spike_duration_s < 10 * r.tau_ref_s);
  assert_int_equal(r.rheobase.status, UCL_SEARCH_OK);
  assert_true(r.rheobase.value < r.threshold.value);
  /* f–A curve: the default 33 amplitudes, silent below threshold, non-decreasing */
  assert_int_equal(r.n_curve, 33);
  int firing = 0;
  for (size_t i = 0; i < r.n_curve; i++) {
    const ucl_rate_point *pt = &r.curve[i];
    assert_int_equal(pt->status, UCL_OK);
    if (pt->amplitude < r.threshold.lo) {
      assert_int_equal(pt->f.spikes, 0);
    }
    if (i > 0) {
      assert_true(pt->f.rate_mean_Hz >= r.curve[i - 1].f.rate_mean_Hz);
    }
    firing += pt->f.spikes > 0;
  }
  assert_true(firing >= 15);
  assert_true(r.curve[32].f.rate_mean_Hz > 2.0 * r.curve[17].f.rate_mean_Hz);
  /* energy: both sources deliver energy; more than the charge stored at threshold */
  assert_true(r.ref.spikes > 0);
  assert_true(r.e_in_per_spike_J > 0 && r.e_vdd_per_spike_J > 0);
  assert_close(r.e_per_spike_J, r.e_in_per_spike_J + r.e_vdd_per_spike_J, 1e-12, 0);
  assert_true(r.e_per_spike_J > r.e_stored_J);
  assert_close(r.e_paper_J, 0.5 * c->C * 36.0, 1e-12, 0);
  /* type I: no adaptation protocol by default */
  assert_true(isnan(r.adapt.tau_s));
  assert_true(r.sims > 30);
  ucl_char_result_free(&r);
}

/* Type II adapts: the rate falls from r0 to r_inf, slower when R7 (the C2 discharge) is larger. */
static double adapt_tau(const char *r7, double *r0, double *rinf, double *r2) {
  const char *sets[] = {"neuron=type2", "amplitude=7", r7};
  ucl_params p = ucl_test_config(sets, 3);
  ucl_char_opts o;
  ucl_char_opts_default(&o);
  o.rheobase = o.tau_leak = o.tau_ref = o.energy = UCL_OFF;
  o.rate_amps = (const double[]){7.0};
  o.n_rate_amps = 1;
  ucl_char_result r;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_characterize(&p, &o, &r, &d), UCL_OK);
  assert_int_equal(r.status, UCL_OK);
  assert_true(r.adapt_spikes >= 10);
  assert_true(r.adapt_index_ipfx > 0.0);
  *r0 = r.adapt.r0_Hz;
  *rinf = r.adapt.rinf_Hz;
  *r2 = r.adapt.r2;
  double tau = r.adapt.tau_s;
  ucl_char_result_free(&r);
  return tau;
}

static void test_type2_adaptation(void **state) {
  (void)state;
  double r0, rinf, r2, r0b, rinfb, r2b;
  double t100 = adapt_tau("R7=100k", &r0, &rinf, &r2);
  double t220 = adapt_tau("R7=220k", &r0b, &rinfb, &r2b);
  assert_true(isfinite(t100) && isfinite(t220));
  assert_true(r0 > 2.0 * rinf && r2 > 0.95);
  assert_true(t220 > 1.2 * t100);
  assert_true(rinfb < rinf); /* a slower C2 discharge holds T3 on longer */
}

/* `uclif characterize` works unchanged on the Mott soma: threshold and time constants. */
static void test_characterize_mott(void **state) {
  (void)state;
  const char *sets[] = {"neuron=mott"};
  ucl_params p = ucl_test_config(sets, 1);
  ucl_char_opts o;
  ucl_char_opts_default(&o);
  o.rate_amps = (const double[]){4.0, 6.0, 8.0};
  o.n_rate_amps = 3;
  ucl_char_result r;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_characterize(&p, &o, &r, &d), UCL_OK);
  if (r.status != UCL_OK) {
    fail_msg("%s", r.reason);
  }
  const ucl_circuit_params *c = &p.circuit;
  assert_int_equal(r.threshold.status, UCL_SEARCH_OK);
  assert_true(r.threshold.value > 0.5 && r.threshold.value < 15.0);
  assert_close(r.threshold.v_latch, c->mott.V_th, 0.02, 0);
  assert_close(r.tau_leak_off_s, (c->mott.R_off + c->R3) * c->C, 0.02, 0);
  assert_true(isnan(r.tau_leak_on_s)); /* no gate junction, one leak regime */
  assert_close(r.tau_ref_s, (c->mott.R_on + c->R3) * c->C, 0.05, 0);
  assert_true(r.curve[2].f.rate_mean_Hz > r.curve[1].f.rate_mean_Hz);
  ucl_char_result_free(&r);
}

static void test_bad_options(void **state) {
  (void)state;
  ucl_params p = ucl_test_config(NULL, 0);
  ucl_char_opts o;
  ucl_char_opts_default(&o);
  o.thr_lo = 5.0;
  o.thr_hi = 4.0;
  ucl_char_result r;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_characterize(&p, &o, &r, &d), UCL_ERR_INVAL);
  ucl_char_opts_default(&o);
  p.circuit.C = -1.0;
  assert_int_equal(ucl_characterize(&p, &o, &r, &d), UCL_ERR_RANGE);
}

typedef struct seen {
  char names[16][16];
  int n;
  long last_sims;
  int monotonic;
} seen;

static void record(void *ctx, const ucl_char_progress *w) {
  seen *s = ctx;
  if (w->sims < s->last_sims || !(w->t >= 0.0 && w->t <= w->t_end)) {
    s->monotonic = 0;
  }
  s->last_sims = w->sims;
  if (s->n == 0 || strcmp(s->names[s->n - 1], w->procedure) != 0) {
    if (s->n < 16) {
      snprintf(s->names[s->n++], sizeof(s->names[0]), "%s", w->procedure);
    }
  }
}

static int saw(const seen *s, const char *name) {
  for (int i = 0; i < s->n; i++) {
    if (strcmp(s->names[i], name) == 0) {
      return 1;
    }
  }
  return 0;
}

/* Limits and progress: the progress callback sees every procedure in order with a growing count;
 * a cancel flag already set abandons the characterization (UCL_ERR_STOPPED, *out untouched); a
 * deadline already past fails every run before it starts (status limit, no simulation), and
 * leaves nothing behind for a later call on the same thread. */
static void test_limits_and_progress(void **state) {
  (void)state;
  const char *sets[] = {"duration=3m"};
  ucl_params p = ucl_test_config(sets, 1);
  ucl_char_opts o;
  ucl_char_opts_default(&o);
  const double amps[] = {6.0};
  o.rate_amps = amps;
  o.n_rate_amps = 1;
  seen sn = {.monotonic = 1};
  o.progress = record;
  o.progress_ctx = &sn;
  ucl_char_result r;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_characterize(&p, &o, &r, &d), UCL_OK);
  assert_int_equal(r.status, UCL_OK);
  assert_true(sn.monotonic);
  assert_true(sn.last_sims == r.sims);
  const char *order[] = {"threshold", "rheobase", "tau_leak", "tau_ref", "rate_curve"};
  for (int i = 0; i < 5; i++) {
    assert_true(saw(&sn, order[i]));
  }
  ucl_char_result_free(&r);

  volatile sig_atomic_t cancel = 1;
  o.progress = NULL;
  o.cancel = &cancel;
  memset(&r, 0, sizeof(r));
  r.n_curve = 12345;
  assert_int_equal(ucl_characterize(&p, &o, &r, &d), UCL_ERR_STOPPED);
  assert_non_null(strstr(d.msg, "stopped by a signal"));
  assert_int_equal(r.n_curve, 12345); /* untouched */
  assert_null(r.curve);

  o.cancel = NULL;
  o.deadline = 1e-9; /* CLOCK_MONOTONIC: long past */
  assert_int_equal(ucl_characterize(&p, &o, &r, &d), UCL_OK);
  assert_int_equal(r.status, UCL_ERR_LIMIT);
  assert_int_equal(r.sims, 0);
  assert_int_equal(r.threshold.status, UCL_SEARCH_FAILED);
  assert_non_null(strstr(r.reason, "wall-time limit was reached"));
  assert_non_null(strstr(r.reason, "not run, the threshold search failed: rate_curve, energy"));
  assert_int_equal(r.n_curve, 1);
  assert_int_equal(r.curve[0].simulated, 0);
  assert_int_equal(r.curve[0].status, UCL_ERR_LIMIT);
  assert_true(isnan(r.curve[0].f.rate_mean_Hz));
  ucl_char_result_free(&r);

  ucl_threshold t;
  assert_int_equal(ucl_protocol_threshold(&p, 0, 0.5, 15, 1e-2, &t, NULL, NULL, &d), UCL_OK);
  assert_int_equal(t.status, UCL_SEARCH_OK);
}

/* A batch in the wrong order (ucl_char_batch_fn): the indices from last to first, each row
 * zeroed first, as a rank of ucl_sched_batch gets them. */
static ucl_status reverse_batch(void *ctx, long n, int width, ucl_char_eval_fn eval, void *eval_ctx,
                                double *results, ucl_diag *diag) {
  long *calls = ctx;
  (*calls)++;
  for (long i = n - 1; i >= 0; i--) {
    double *row = results + (size_t)i * (size_t)width;
    memset(row, 0, (size_t)width * sizeof(*row));
    ucl_status st = eval(eval_ctx, i, row, width, diag);
    if (st != UCL_OK) {
      return st;
    }
  }
  return UCL_OK;
}

/* The firing probability's trials as one batch (ucl_char_opts.batch): evaluated in any order
 * they give the same bits as in order; the pooled ISI mean and CV equal those of every ISI of
 * every trial computed here from the trials' own runs; a trial that fails is reported with its
 * own reason whichever order ran it. */
static void test_probability_batch(void **state) {
  (void)state;
  static const char *const sets[] = {"jitter.I_GT=0.05", "duration=6m"};
  ucl_params p = ucl_test_config(sets, 2);
  ucl_char_opts o;
  ucl_char_opts_default(&o);
  o.rheobase = o.tau_leak = o.tau_ref = o.energy = o.adaptation = UCL_OFF;
  static const double rate[] = {3.0}, amps[] = {5.1, 5.4};
  o.rate_amps = rate;
  o.n_rate_amps = 1;
  o.trials = 5;
  o.prob_amps = amps;
  o.n_prob_amps = 2;
  ucl_char_result r1, r2;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_characterize(&p, &o, &r1, &d), UCL_OK);
  long calls = 0;
  o.batch = reverse_batch;
  o.batch_ctx = &calls;
  assert_int_equal(ucl_characterize(&p, &o, &r2, &d), UCL_OK);
  assert_int_equal(calls, 1);
  assert_int_equal(r1.n_prob, 2);
  assert_int_equal(r2.n_prob, 2);
  for (size_t i = 0; i < 2; i++) {
    const ucl_prob_point *a = &r1.prob[i], *b = &r2.prob[i];
    assert_int_equal(a->trials, 5);
    assert_int_equal(b->trials, a->trials);
    assert_int_equal(b->fired, a->fired);
    assert_int_equal(b->isis, a->isis);
    assert_memory_equal(&b->latency_s, &a->latency_s, sizeof(double));
    assert_memory_equal(&b->jitter_s, &a->jitter_s, sizeof(double));
    assert_memory_equal(&b->isi_mean_s, &a->isi_mean_s, sizeof(double));
    assert_memory_equal(&b->isi_cv, &a->isi_cv, sizeof(double));
  }
  assert_int_equal(r2.sims, r1.sims);
  assert_memory_equal(&r2.stats, &r1.stats, sizeof(r1.stats));
  assert_memory_equal(&r2.p50_V, &r1.p50_V, sizeof(double));

  /* the pooled ISIs at 5.4 V, from each trial's run (noise.trial = t) */
  double sum = 0.0, ss = 0.0, *isi = NULL;
  long n = 0;
  for (long t = 1; t <= 5; t++) {
    ucl_params q = p;
    q.stim.amplitude = amps[1];
    q.noise.trial = (uint64_t)t;
    ucl_trace *tr = NULL;
    double *s = NULL;
    size_t m = 0;
    assert_int_equal(ucl_sim_run(&q, NULL, &tr, &d), UCL_OK);
    assert_int_equal(ucl_sim_spike_times(tr, &s, &m), UCL_OK);
    ucl_trace_destroy(&tr);
    for (size_t k = 1; k < m; k++) {
      isi = realloc(isi, (size_t)(n + 1) * sizeof(*isi));
      assert_non_null(isi);
      isi[n++] = s[k] - s[k - 1];
      sum += s[k] - s[k - 1];
    }
    free(s);
  }
  assert_true(n > 10);
  double mean = sum / (double)n;
  for (long k = 0; k < n; k++) {
    ss += (isi[k] - mean) * (isi[k] - mean);
  }
  free(isi);
  assert_int_equal(r1.prob[1].isis, n);
  assert_close(r1.prob[1].isi_mean_s, mean, 1e-12, 0);
  assert_close(r1.prob[1].isi_cv, sqrt(ss / (double)(n - 1)) / mean, 1e-9, 0);
  ucl_char_result_free(&r1);
  ucl_char_result_free(&r2);

  /* trials that hit the step limit: the first failure's own reason, in either order (the
   * noise-free search stops at its first latch and fits in the limit) */
  p.solver.max_steps = 1000; /* (trial 1 at 5.1 V fails: the last one the reverse batch runs) */
  o.thr_lo = 0.5;
  o.thr_hi = 4.0; /* the noisy search: never fires, not a failure */
  o.batch = NULL;
  assert_int_equal(ucl_characterize(&p, &o, &r1, &d), UCL_OK);
  o.batch = reverse_batch;
  assert_int_equal(ucl_characterize(&p, &o, &r2, &d), UCL_OK);
  assert_int_equal(r1.status, UCL_ERR_LIMIT);
  assert_non_null(strstr(r1.reason, "probability: at "));
  assert_non_null(strstr(r1.reason, "step limit"));
  assert_string_equal(r2.reason, r1.reason);
  assert_int_equal(r2.prob[1].trials, r1.prob[1].trials);
  assert_int_equal(r2.prob[1].status, UCL_ERR_LIMIT);
  ucl_char_result_free(&r1);
  ucl_char_result_free(&r2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_threshold_search),
      cmocka_unit_test(test_threshold_edge_statuses),
      cmocka_unit_test(test_threshold_falls_with_period),
      cmocka_unit_test(test_characterize_type1),
      cmocka_unit_test(test_type2_adaptation),
      cmocka_unit_test(test_characterize_mott),
      cmocka_unit_test(test_bad_options),
      cmocka_unit_test(test_limits_and_progress),
      cmocka_unit_test(test_probability_batch),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
