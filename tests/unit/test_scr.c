/* test_scr.c — the two-transistor SCR (docs/model.md S1-S8): the device's currents obey KCL and
 * its charge balance is solved exactly; in the neuron its pre-latch anode current is the
 * transistor pair's DC value, latch and unlatch happen at the documented anode-current levels,
 * and both SCR forms fire at the paper's onset (5.0 V at 10 us / 100 us) with their defaults. */
#include <string.h>

#include "uclif/devices.h"
#include "uclif/netlist.h"
#include "uclif/params.h"
#include "uclif/scr.h"
#include "uclif/sim.h"
#include "uclif/tracer.h"

#include "testutil.h"

static ucl_params tt_params(void) {
  ucl_params p;
  ucl_params_default(&p);
  p.circuit.scr.model = UCL_SCR_TWO_TRANSISTOR;
  return p;
}

static ucl_trace *run(const ucl_params *p, double sample_dt) {
  ucl_trace *tr = NULL;
  ucl_diag d = {{0}};
  ucl_sim_opts so = {.sample_dt = sample_dt, .sample_edges = 1, .max_samples = 10000000};
  if (ucl_sim_run(p, &so, &tr, &d) != UCL_OK) {
    fail_msg("run: %s", d.msg);
  }
  return tr;
}

/* The currents the device draws from its four nodes sum to zero at any bias (it stores no
 * charge in its conduction currents), in the off state, near trigger and when conducting. */
static void test_device_kcl(void **state) {
  (void)state;
  ucl_params p = tt_params();
  ucl_scr_tt d;
  ucl_scr_tt_init(&p.circuit.scr, ucl_thermal_voltage(300.15), &d);
  const double v[][4] = {{2.0, 2.0, 0.3, 0.01}, {2.0, 1.4, 0.62, 0.05}, {1.8, 1.15, 1.3, 0.65}};
  for (size_t k = 0; k < sizeof(v) / sizeof(v[0]); k++) {
    ucl_scr_tt_state s;
    ucl_scr_tt_eval(&d, v[k], &s);
    double scale = fabs(s.i_a) + fabs(s.i_k) + 1e-15;
    assert_close(s.i_a + s.i_n + s.i_g + s.i_k, 0.0, 0.0, 1e-12 * scale);
    for (int j = 0; j < 3; j++) {
      assert_true(s.c[j] > 0.0);
    }
    /* S2 directly: emitter currents I_cc·(1 + 1/BF) − I_ec of each transistor, and the charges'
     * slopes CJE + TF·dI_cc/dv (J1) and CJC_p + CJC_n + TR·dI_ec/dv (J2) */
    const ucl_bjt_params *qp = &p.circuit.scr.pnp, *qn = &p.circuit.scr.npn;
    double ut = ucl_thermal_voltage(300.15);
    double icc_p = qp->IS * expm1((v[k][0] - v[k][1]) / ut);
    double iec_p = qp->IS * expm1((v[k][2] - v[k][1]) / ut);
    double icc_n = qn->IS * expm1((v[k][2] - v[k][3]) / ut);
    double iec_n = qn->IS * expm1((v[k][2] - v[k][1]) / ut);
    assert_close(s.i_ep, icc_p * (1.0 + 1.0 / qp->BF) - iec_p, 1e-12, 1e-24);
    assert_close(s.i_j3, icc_n * (1.0 + 1.0 / qn->BF) - iec_n, 1e-12, 1e-24);
    assert_close(s.c[0], qp->CJE + qp->TF * (icc_p + qp->IS) / ut, 1e-12, 0.0);
    assert_close(s.c[1],
                 qp->CJC + qn->CJC + (qp->TR * (iec_p + qp->IS) + qn->TR * (iec_n + qn->IS)) / ut,
                 1e-12, 0.0);
  }
}

/* The rates solve the tridiagonal charge balance of scr.h: multiplying back gives the right-hand
 * sides. A swapped row or sign in the elimination fails here. */
static void test_rates_solve_charge_balance(void **state) {
  (void)state;
  ucl_params p = tt_params();
  ucl_scr_tt d;
  ucl_scr_tt_init(&p.circuit.scr, ucl_thermal_voltage(300.15), &d);
  const double v[4] = {2.0, 1.3, 0.64, 0.08};
  const double i_ext[3] = {30e-6, -5e-6, -40e-6};
  const double c_a = 15e-9;
  double dv[4];
  ucl_scr_tt_state s;
  assert_int_equal(ucl_scr_tt_rates(&d, v, i_ext, c_a, dv, &s), 0);
  const double c1 = s.c[0], c2 = s.c[1], c3 = s.c[2];
  double lhs[4] = {(c_a + c1) * dv[0] - c1 * dv[1], -c1 * dv[0] + (c1 + c2) * dv[1] - c2 * dv[2],
                   -c2 * dv[1] + (c2 + c3) * dv[2] - c3 * dv[3], -c3 * dv[2] + c3 * dv[3]};
  double rhs[4] = {i_ext[0] - s.i_a, -s.i_n, i_ext[1] - s.i_g, i_ext[2] - s.i_k};
  for (int k = 0; k < 4; k++) {
    assert_close(lhs[k], rhs[k], 1e-9, 1e-18);
  }
}

/* Below the DC rheobase the neuron settles with the SCR off but conducting: at DC (no charge
 * currents) node N carries I_B,pnp = I_C,npn, so the anode current is (1 + BF_p)·I_C,npn with
 * I_C,npn = IS_n·(exp(V_GK/U_T) − 1) (reverse terms of J2 ~IS, negligible), plus V_AK/R_off. */
static void test_prelatch_anode_current(void **state) {
  (void)state;
  ucl_params p = tt_params();
  p.stim.kind = UCL_STIM_DC;
  p.stim.amplitude = 2.6; /* below the two-transistor form's DC rheobase (2.79 V) */
  p.stim.duration = 60e-3;
  ucl_trace *tr = run(&p, 1e-3);
  assert_int_equal(ucl_trace_n_events(tr), 0);
  const double *row = ucl_trace_sample(tr, ucl_trace_n_samples(tr) - 1);
  int km = ucl_trace_channel_index(tr, "V_mem_V"), kg = ucl_trace_channel_index(tr, "V_gate_V");
  int kk = ucl_trace_channel_index(tr, "V_cathode_V"),
      ka = ucl_trace_channel_index(tr, "I_anode_A");
  double vgk = row[1 + kg] - row[1 + kk], ia = row[1 + ka];
  double ut = ucl_thermal_voltage(p.circuit.temp);
  const ucl_scr_params *s = &p.circuit.scr;
  double estimate =
      (1.0 + s->pnp.BF) * s->npn.IS * expm1(vgk / ut) + (row[1 + km] - row[1 + kk]) / s->R_off;
  assert_true(ia > 1e-6); /* physical pre-latch current: microamperes, not zero */
  assert_close(ia, estimate, 0.01, 0.0);
  ucl_trace_destroy(&tr);
}

/* Latch and unlatch are roots of the anode current through scr.I_A_latch (rising) and
 * scr.I_A_unlatch (falling): the samples written just before and after each event bracket the
 * level, and the events alternate. */
static void test_events_at_levels(void **state) {
  (void)state;
  ucl_params p = tt_params();
  p.stim.duration = 5e-3;
  ucl_trace *tr = run(&p, 0.0); /* samples at events and edges only */
  int ka = ucl_trace_channel_index(tr, "I_anode_A");
  size_t ne = ucl_trace_n_events(tr);
  assert_true(ne >= 4);
  for (size_t i = 0; i < ne; i++) {
    const ucl_event *e = ucl_trace_event(tr, i);
    assert_int_equal(e->kind, i % 2 == 0 ? UCL_EVENT_LATCH : UCL_EVENT_UNLATCH);
    double level = e->kind == UCL_EVENT_LATCH ? p.circuit.scr.I_A_latch : p.circuit.scr.I_A_unlatch;
    int found = 0;
    for (size_t j = 0; j < ucl_trace_n_samples(tr); j++) {
      const double *row = ucl_trace_sample(tr, j);
      if (row[0] == e->t) {
        assert_close(row[1 + ka], level, 1e-3, 0.0);
        found = 1;
        break;
      }
    }
    assert_true(found);
  }
  ucl_trace_destroy(&tr);
}

static long spikes_at(ucl_params p, double a) {
  p.stim.amplitude = a;
  ucl_trace *tr = run(&p, 0.0);
  long n = 0;
  for (size_t i = 0; i < ucl_trace_n_events(tr); i++) {
    n += ucl_trace_event(tr, i)->kind == UCL_EVENT_LATCH;
  }
  ucl_trace_destroy(&tr);
  return n;
}

/* docs/model.md, Calibration: each form's defaults put the onset (lowest amplitude with a spike
 * in 20 ms of 10 us / 100 us pulses) at 5.0 V: silent at 4.9 V, firing at 5.1 V. */
static void test_onset_both_forms(void **state) {
  (void)state;
  for (int form = 0; form < 2; form++) {
    ucl_params p;
    ucl_params_default(&p);
    p.circuit.scr.model = form;
    assert_int_equal(spikes_at(p, 4.9), 0);
    assert_true(spikes_at(p, 5.1) > 0);
  }
}

/* scr.I_A_unlatch must lie below scr.I_A_latch (a hysteresis); the key names the bad one. */
static void test_levels_validated(void **state) {
  (void)state;
  ucl_params p = tt_params();
  p.circuit.scr.I_A_unlatch = p.circuit.scr.I_A_latch;
  const char *bad = NULL;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_params_validate(&p, &bad, &d), UCL_ERR_RANGE);
  assert_string_equal(bad, "scr.I_A_unlatch");
  p.circuit.scr.model = UCL_SCR_HYBRID; /* the levels belong to the two-transistor form */
  assert_int_equal(ucl_params_validate(&p, &bad, &d), UCL_OK);
}

/* Temperature reaches the two-transistor device as SPICE scales it (docs/model.md, Temperature):
 * the curve tracer measures I_GT and I_H falling as the junctions warm (the datasheet trend), and
 * the onset falls with them. With the device values left at tnom (U_T alone rising), both rose. */
static void test_trigger_and_holding_fall_with_temperature(void **state) {
  (void)state;
  ucl_tracer_opts o;
  ucl_tracer_opts_default(&o);
  double i_gt[2], i_h[2];
  for (int k = 0; k < 2; k++) {
    ucl_params p = tt_params();
    p.circuit.temp = k == 0 ? 280.0 : 330.0;
    ucl_tracer_result r;
    ucl_tracer_result_empty(&r);
    ucl_diag d = {{0}};
    assert_int_equal(ucl_tracer_gate_trigger(&p, &o, &r, &d), UCL_OK);
    assert_int_equal(ucl_tracer_holding(&p, &o, &r, &d), UCL_OK);
    assert_int_equal(r.gt_status, UCL_TRACER_OK);
    assert_int_equal(r.h_status, UCL_TRACER_OK);
    i_gt[k] = r.I_GT_A;
    i_h[k] = r.I_H_A;
  }
  assert_true(i_gt[1] < 0.9 * i_gt[0]);
  assert_true(i_h[1] < 0.9 * i_h[0]);
}

/* The netlist starts the hybrid SCR as uclif does: latched (v(s) = 1) with scr.start = on, off
 * (v(s) = 0) by default. */
static void test_netlist_start_state(void **state) {
  (void)state;
  const char *want[] = {" v(s)=0\n", " v(s)=1\n"}; /* the end of the .ic line (type I) */
  for (int on = 0; on < 2; on++) {
    ucl_params p;
    ucl_params_default(&p);
    p.circuit.scr.start_on = on;
    p.circuit.V_m0 = 2.0;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    ucl_diag d = {{0}};
    assert_int_equal(ucl_netlist_write(f, &p, NULL, &d), UCL_OK);
    assert_int_equal(fclose(f), 0);
    assert_non_null(strstr(text, want[on]));
    assert_null(strstr(text, want[!on]));
    free(text);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_device_kcl),
      cmocka_unit_test(test_rates_solve_charge_balance),
      cmocka_unit_test(test_prelatch_anode_current),
      cmocka_unit_test(test_events_at_levels),
      cmocka_unit_test(test_onset_both_forms),
      cmocka_unit_test(test_trigger_and_holding_fall_with_temperature),
      cmocka_unit_test(test_levels_validated),
      cmocka_unit_test(test_netlist_start_state),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
