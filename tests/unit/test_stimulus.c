/* test_stimulus.c — waveform pieces, exact break times, counts, bursts and staircases. */
#include "testutil.h"
#include "uclif/params.h"
#include "uclif/stimulus.h"

static ucl_stimulus make(ucl_stimulus_params sp) {
  ucl_stimulus s;
  ucl_diag d;
  if (ucl_stimulus_init(&sp, &s, &d) != UCL_OK) {
    fail_msg("init: %s", d.msg);
  }
  return s;
}

static ucl_stimulus_params defaults(void) {
  ucl_params p;
  ucl_params_default(&p);
  return p.stim;
}

static void test_pulse_train(void **state) {
  (void)state;
  ucl_stimulus_params sp = defaults(); /* 6 V, 10 us / 100 us */
  ucl_stimulus s = make(sp);
  assert_true(ucl_stimulus_value(&s, 0.0) == 6.0);
  assert_true(ucl_stimulus_value(&s, 9.99e-6) == 6.0);
  assert_true(ucl_stimulus_value(&s, 10e-6) == 0.0);
  assert_true(ucl_stimulus_value(&s, 50e-6) == 0.0);
  /* walking the breaks visits every edge exactly: k·period and k·period + width */
  double t = 0.0;
  for (long k = 0; k < 100000; k++) {
    ucl_stim_piece pc;
    ucl_stimulus_piece(&s, t, &pc);
    assert_true(pc.t0 <= t && t < pc.t1);
    double want = (k % 2 == 0) ? (double)(k / 2) * 100e-6 + 10e-6 : (double)(k / 2 + 1) * 100e-6;
    assert_true(pc.t1 == want);
    t = pc.t1;
  }
  assert_int_equal(ucl_stimulus_pulse_count(&s, 20e-3), 200);
  assert_int_equal(ucl_stimulus_pulse_count(&s, 20e-3 + 1e-9), 201);
}

/* A pulse that fills its period (rise + width + fall = period as typed, 1.4e-16 s over once
 * rounded) is accepted and ends exactly at the next onset: corners in order, no gap. */
static void test_pulse_fills_period(void **state) {
  (void)state;
  ucl_stimulus_params sp = defaults();
  double u = 1e-6;
  sp.rise = 3 * u;
  sp.width = 94 * u;
  sp.fall = 3 * u;
  sp.period = 100 * u;
  assert_true(sp.rise + sp.width + sp.fall > sp.period);
  ucl_stimulus s = make(sp);
  double t = 0.0;
  for (long k = 0; k < 3000; k++) {
    ucl_stim_piece pc;
    ucl_stimulus_piece(&s, t, &pc);
    assert_true(pc.t0 <= t && t < pc.t1);
    if (k % 3 == 2) { /* the fall: it ends at the next onset, where the next rise starts */
      assert_true(pc.t1 == (double)(k / 3 + 1) * sp.period);
      assert_true(pc.slope < 0.0);
    }
    t = pc.t1;
  }
  assert_true(ucl_stimulus_value(&s, 50 * u) == 6.0);
  sp.width = 94.001 * u; /* over by 1e-5 relative: refused */
  ucl_stimulus bad;
  ucl_diag d;
  assert_int_equal(ucl_stimulus_init(&sp, &bad, &d), UCL_ERR_RANGE);
}

static void test_edges_count_start(void **state) {
  (void)state;
  ucl_stimulus_params sp = defaults();
  sp.rise = 2e-6;
  sp.fall = 4e-6;
  sp.start = 1e-3;
  sp.count = 3;
  ucl_stimulus s = make(sp);
  assert_true(ucl_stimulus_value(&s, 0.5e-3) == 0.0);
  assert_close(ucl_stimulus_value(&s, 1e-3 + 1e-6), 3.0, 1e-12, 0);  /* mid rise */
  assert_close(ucl_stimulus_value(&s, 1e-3 + 14e-6), 3.0, 1e-12, 0); /* mid fall */
  assert_true(ucl_stimulus_value(&s, 1e-3 + 5e-6) == 6.0);
  assert_true(ucl_stimulus_value(&s, 1.2e-3 + 5e-6) == 6.0); /* third pulse */
  assert_true(ucl_stimulus_value(&s, 1.3e-3 + 5e-6) == 0.0); /* no fourth */
  ucl_stim_piece pc;
  ucl_stimulus_piece(&s, 1.25e-3, &pc);
  assert_true(isinf(pc.t1));
  assert_int_equal(ucl_stimulus_pulse_count(&s, 1.0), 3);
  /* a piece extends linearly beyond its end (what CVODE needs) */
  ucl_stimulus_piece(&s, 1e-3, &pc);
  assert_close(ucl_stim_piece_value(&pc, 1e-3 + 3e-6), 9.0, 1e-12, 0);
}

static void test_bursts(void **state) {
  (void)state;
  ucl_stimulus_params sp = defaults();
  sp.burst_on = 1e-3;     /* 10 pulses ... */
  sp.burst_period = 3e-3; /* ... then 2 ms of silence */
  ucl_stimulus s = make(sp);
  assert_true(ucl_stimulus_value(&s, 0.905e-3) == 6.0);
  assert_true(ucl_stimulus_value(&s, 1.005e-3) == 0.0);
  assert_true(ucl_stimulus_value(&s, 2.5e-3) == 0.0);
  assert_true(ucl_stimulus_value(&s, 3.005e-3) == 6.0);
  ucl_stim_piece pc;
  ucl_stimulus_piece(&s, 0.95e-3, &pc);
  assert_true(pc.t1 == 3e-3);
  assert_int_equal(ucl_stimulus_pulse_count(&s, 6e-3), 20);
}

static void test_staircase(void **state) {
  (void)state;
  ucl_stimulus_params sp = defaults();
  sp.kind = UCL_STIM_STAIRCASE;
  sp.amp_start = 2.0;
  sp.amp_stop = 7.0;
  sp.amp_step = 0.5;
  sp.level_pulses = 10;
  ucl_stimulus s = make(sp);
  assert_int_equal(s.n_levels, 11);
  assert_true(ucl_stimulus_pulse_amplitude(&s, 0) == 2.0);
  assert_true(ucl_stimulus_pulse_amplitude(&s, 9) == 2.0);
  assert_true(ucl_stimulus_pulse_amplitude(&s, 10) == 2.5);
  assert_true(ucl_stimulus_pulse_amplitude(&s, 100) == 7.0);
  assert_true(ucl_stimulus_pulse_amplitude(&s, 1000) == 7.0); /* holds the last level */
  assert_true(ucl_stimulus_value(&s, 1.0e-3 + 1e-6) == 2.5);
}

static void test_dc_step_and_errors(void **state) {
  (void)state;
  ucl_stimulus_params sp = defaults();
  sp.kind = UCL_STIM_DC;
  sp.amplitude = 3.0;
  ucl_stimulus s = make(sp);
  ucl_stim_piece pc;
  ucl_stimulus_piece(&s, 5.0, &pc);
  assert_true(pc.v0 == 3.0 && isinf(pc.t1));
  sp.kind = UCL_STIM_STEP;
  sp.start = 1e-3;
  sp.width = 2e-3;
  s = make(sp);
  assert_true(ucl_stimulus_value(&s, 0.999e-3) == 0.0);
  assert_true(ucl_stimulus_value(&s, 1e-3) == 3.0);
  assert_true(ucl_stimulus_value(&s, 3e-3) == 0.0);
  sp.width = 0.0;
  s = make(sp);
  assert_true(ucl_stimulus_value(&s, 100.0) == 3.0);
  ucl_diag d;
  ucl_stimulus_params bad = defaults();
  bad.width = 0.0;
  assert_int_equal(ucl_stimulus_init(&bad, &s, &d), UCL_ERR_RANGE);
  bad = defaults();
  bad.kind = UCL_STIM_STAIRCASE;
  bad.amp_stop = 1.0;
  assert_int_equal(ucl_stimulus_init(&bad, &s, &d), UCL_ERR_RANGE);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pulse_train),       cmocka_unit_test(test_pulse_fills_period),
      cmocka_unit_test(test_edges_count_start), cmocka_unit_test(test_bursts),
      cmocka_unit_test(test_staircase),         cmocka_unit_test(test_dc_step_and_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
