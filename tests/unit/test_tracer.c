/* test_tracer.c — the curve tracer (tracer.h) and the extraction (extract.h): on the hybrid form
 * the tracer measures the I_GT, I_H and I_L it was given; on the two-transistor form it
 * measures the I_GT and I_H the parameters were extracted from; the DC trigger current against
 * the forward-active algebra; the extraction's errors and its V_TM warning. */
#include <math.h>
#include <string.h>

#include "uclif/extract.h"
#include "uclif/tracer.h"

#include "testutil.h"

static void measure(const ucl_params *p, ucl_tracer_result *r) {
  ucl_tracer_opts o;
  ucl_tracer_opts_default(&o);
  ucl_diag d = {{0}};
  assert_int_equal(ucl_tracer_measure(p, &o, r, &d), UCL_OK);
  assert_int_equal(r->status, UCL_OK);
}

/* Hybrid form: each measurement within 1 % of its parameter, at the defaults and at values far
 * from them (so that no default is measured by accident). */
static void test_hybrid_measures_its_parameters(void **state) {
  (void)state;
  const double sets[2][3] = {{22.65e-6, 0.2e-3, 0.4e-3}, {60e-6, 0.6e-3, 0.9e-3}};
  for (int k = 0; k < 2; k++) {
    ucl_params p;
    ucl_params_default(&p);
    p.circuit.scr.model = UCL_SCR_HYBRID;
    p.circuit.scr.I_GT = sets[k][0];
    p.circuit.scr.I_H = sets[k][1];
    p.circuit.scr.I_L = sets[k][2];
    ucl_tracer_result r;
    measure(&p, &r);
    assert_int_equal(r.gt_status, UCL_TRACER_OK);
    assert_int_equal(r.h_status, UCL_TRACER_OK);
    assert_int_equal(r.l_status, UCL_TRACER_OK);
    assert_close(r.I_GT_A, sets[k][0], 0.01, 0);
    assert_close(r.I_H_A, sets[k][1], 0.01, 0);
    assert_close(r.I_L_A, sets[k][2], 0.01, 0);
    assert_true(r.sims >= 4);
  }
}

/* Two-transistor form: extract from (I_GT, I_H) in the tracer's own test circuits, set the
 * parameters, trace: within 5 % (the test; in practice well under 1 %). */
static void test_two_transistor_round_trip(void **state) {
  (void)state;
  const double sets[2][2] = {{22.65e-6, 0.2e-3}, {100e-6, 1e-3}};
  for (int k = 0; k < 2; k++) {
    ucl_params p;
    ucl_params_default(&p);
    ucl_extract_input in;
    ucl_extract_input_default(&in);
    in.I_GT = sets[k][0];
    in.I_H = sets[k][1];
    ucl_extract_result x;
    ucl_diag d = {{0}};
    assert_int_equal(ucl_extract_scr(&p, &in, &x, &d), UCL_OK);
    assert_int_equal(x.scr.model, UCL_SCR_TWO_TRANSISTOR);
    assert_close(x.I_GT_A, in.I_GT, 1e-5, 0); /* the DC solves met the targets */
    assert_close(x.I_H_A, in.I_H, 1e-5, 0);
    assert_string_equal(x.warning, "");
    p.circuit.scr = x.scr;
    ucl_tracer_result r;
    measure(&p, &r);
    assert_int_equal(r.gt_status, UCL_TRACER_OK);
    assert_int_equal(r.h_status, UCL_TRACER_OK);
    assert_close(r.I_GT_A, in.I_GT, 0.05, 0);
    assert_close(r.I_H_A, in.I_H, 0.05, 0);
    assert_close(r.I_GT_A, in.I_GT, 0.005, 0); /* what the slow ramps achieve */
    assert_close(r.I_H_A, in.I_H, 0.005, 0);
    /* a latching current at least the holding current, from the same fixture */
    assert_int_equal(r.l_status, UCL_TRACER_OK);
    assert_true(r.I_L_A >= 0.999 * r.I_H_A && r.I_L_A < 1.1 * r.I_H_A);
  }
}

/* The DC trigger current against the forward-active algebra of docs/model.md S7:
 * I_GT = (V* − U_T)/R_GK with V* = U_T·ln(U_T/(R_GK·(BF_p − 1/BF_n)·IS_n)) (+ k·IS_n, and the
 * PNP's small reverse current: within 0.5 %). */
static void test_dc_trigger_analytic(void **state) {
  (void)state;
  ucl_params p;
  ucl_params_default(&p);
  ucl_scr_params *s = &p.circuit.scr;
  s->model = UCL_SCR_TWO_TRANSISTOR;
  ucl_tracer_opts o;
  ucl_tracer_opts_default(&o);
  double ut = 8.617333262e-5 * p.circuit.temp;
  double k = s->pnp.BF - 1.0 / s->npn.BF;
  double vstar = ut * log(ut / (s->R_GK * k * s->npn.IS));
  double want = (vstar - ut) / s->R_GK;
  double got = 0.0;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_extract_dc_trigger(s, p.circuit.temp, &o.gt, &got, &d), UCL_OK);
  assert_close(got, want, 0.005, 0);
  /* an external R_GK adds its current at the trigger point */
  ucl_tracer_circuit c = o.gt;
  c.R_GK = 1e3;
  double with_r = 0.0;
  assert_int_equal(ucl_extract_dc_trigger(s, p.circuit.temp, &c, &with_r, &d), UCL_OK);
  assert_true(with_r > got + 0.4e-3 && with_r < got + 0.8e-3);
}

/* Quantities no parameters reproduce are errors naming them; a V_TM the model cannot meet is a
 * warning with what was done; leakage sets R_off. */
static void test_extract_errors_and_warning(void **state) {
  (void)state;
  ucl_params p;
  ucl_params_default(&p);
  ucl_extract_input in;
  ucl_extract_input_default(&in);
  in.I_GT = 22.7e-6;
  in.I_H = 0.2e-3;
  in.h.R_GK = 1e3; /* 1 kOhm draws ~0.6 mA at V_GK: I_H = 0.2 mA cannot hold */
  ucl_extract_result x;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_extract_scr(&p, &in, &x, &d), UCL_ERR_RANGE);
  assert_non_null(strstr(d.msg, "I_H"));
  in.h.R_GK = INFINITY;
  in.I_GT = -1.0;
  assert_int_equal(ucl_extract_scr(&p, &in, &x, &d), UCL_ERR_INVAL);
  assert_non_null(strstr(d.msg, "I_GT"));
  in.I_GT = 22.7e-6;
  in.V_TM = 1.6; /* the CR02AM's 1.6 V at 0.6 A: mostly ohmic */
  in.I_TM = 0.6;
  in.I_DRM = 0.1e-3;
  in.V_DRM = 400.0;
  assert_int_equal(ucl_extract_scr(&p, &in, &x, &d), UCL_OK);
  assert_int_equal(x.is_clamped, 1);
  assert_non_null(strstr(x.warning, "series resistance"));
  assert_true(x.V_TM_V < 1.6);
  assert_close(x.scr.R_off, 4e6, 1e-12, 0);
  assert_close(x.I_H_A, in.I_H, 1e-5, 0);
  in.V_TM = 0.8; /* reachable: pnp.IS solved for it */
  in.I_TM = 10e-3;
  assert_int_equal(ucl_extract_scr(&p, &in, &x, &d), UCL_OK);
  assert_int_equal(x.is_clamped, 0);
  assert_close(x.V_TM_V, 0.8, 1e-4, 0);
  double v = 0.0;
  assert_int_equal(ucl_extract_dc_on_voltage(&x.scr, p.circuit.temp, 10e-3, &v, &d), UCL_OK);
  assert_close(v, 0.8, 1e-4, 0);
}

/* Statuses: a gate pulse that cannot latch; the Mott neuron has no SCR. */
static void test_statuses(void **state) {
  (void)state;
  ucl_params p;
  ucl_params_default(&p);
  ucl_tracer_opts o;
  ucl_tracer_opts_default(&o);
  o.gt_max = 10e-6; /* below the hybrid's I_GT */
  ucl_tracer_result r;
  ucl_tracer_result_empty(&r);
  ucl_diag d = {{0}};
  assert_int_equal(ucl_tracer_gate_trigger(&p, &o, &r, &d), UCL_OK);
  assert_int_equal(r.gt_status, UCL_TRACER_NO_LATCH);
  assert_true(isnan(r.I_GT_A));
  p.circuit.neuron = UCL_NEURON_MOTT;
  ucl_tracer_opts_default(&o);
  assert_int_equal(ucl_tracer_measure(&p, &o, &r, &d), UCL_OK);
  assert_int_equal(r.gt_status, UCL_TRACER_SKIPPED);
  assert_int_equal(r.h_status, UCL_TRACER_SKIPPED);
  assert_int_equal(r.l_status, UCL_TRACER_SKIPPED);
  o.h.R_L = 0.0;
  assert_int_equal(ucl_tracer_measure(&p, &o, &r, &d), UCL_ERR_INVAL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hybrid_measures_its_parameters),
      cmocka_unit_test(test_two_transistor_round_trip),
      cmocka_unit_test(test_dc_trigger_analytic),
      cmocka_unit_test(test_extract_errors_and_warning),
      cmocka_unit_test(test_statuses),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
