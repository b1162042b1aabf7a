/* test_thermal.c — device values at the device temperature (thermal.h): nothing moves at
 * temp == tnom, each device follows its documented law elsewhere, the neuron's threshold falls
 * as temp rises by the coefficient docs/model.md states, the netlist carries the values at
 * temperature, and characterize's temperature coefficients are the central differences of
 * independent runs. */
#include <string.h>

#include "uclif/devices.h"
#include "uclif/netlist.h"
#include "uclif/protocols.h"
#include "uclif/spec.h"
#include "uclif/thermal.h"

#include "testutil.h"

/* Every coefficient set away from its default, so that a coefficient applied at ΔT = 0 shows. */
static const char *const all_coeffs[] = {
    "R_in.tc1=1e-3",     "R1.tc1=2e-3",      "R1.tc2=1e-5",  "R2.tc1=-1e-3",  "R3.tc2=2e-6",
    "R4.tc1=5e-4",       "R5.tc1=-5e-4",     "R6.tc2=-1e-6", "R7.tc1=3e-4",   "D.EG=1.2",
    "D.XTI=2",           "D2.EG=0.7",        "D2.XTI=4",     "scr.EG_gk=1.3", "scr.XTI_gk=2.5",
    "scr.tc_I_GT=-0.02", "scr.tc_I_H=-0.01", "scr.EG=1.0",   "scr.XTI=3.5",   "scr.XTB=2",
    "T1.tcv=-5m",        "T1.bex=-2",        "T2.tcv=-6m",   "T2.bex=-1",     "T3.tcv=-2m",
    "T3.bex=-1.7"};
#define N_COEFFS ((int)(sizeof(all_coeffs) / sizeof(all_coeffs[0])))

/* At temp == tnom every value is the given one, bit for bit (the default outputs stay the same
 * bytes), whatever the coefficients; at any temperature the function is idempotent. */
static void test_identity_at_tnom(void **state) {
  (void)state;
  ucl_diag d = {{0}};
  ucl_params p = ucl_test_config(NULL, 0);
  ucl_circuit_params out;
  assert_int_equal(ucl_circuit_at_temp(&p.circuit, &out, &d), UCL_OK);
  assert_memory_equal(&out, &p.circuit, sizeof(out));

  p = ucl_test_config(all_coeffs, N_COEFFS);
  p.circuit.temp = p.circuit.tnom = 321.0;
  memset(&out, 0xA5, sizeof(out));
  assert_int_equal(ucl_circuit_at_temp(&p.circuit, &out, &d), UCL_OK);
  assert_memory_equal(&out, &p.circuit, sizeof(out));

  p.circuit.temp = 350.0;
  ucl_circuit_params once, twice;
  assert_int_equal(ucl_circuit_at_temp(&p.circuit, &once, &d), UCL_OK);
  assert_true(once.tnom == 350.0 && once.temp == 350.0);
  assert_int_equal(ucl_circuit_at_temp(&once, &twice, &d), UCL_OK);
  assert_memory_equal(&once, &twice, sizeof(once));
}

/* Each device's law at ΔT = +30 K (and the resistors' at −20 K). */
static void test_device_laws(void **state) {
  (void)state;
  ucl_diag d = {{0}};
  ucl_params p = ucl_test_config(all_coeffs, N_COEFFS);
  const ucl_circuit_params *in = &p.circuit;
  p.circuit.temp = p.circuit.tnom + 30.0;
  const double T = in->temp, tn = in->tnom, dT = 30.0, r = T / tn;
  ucl_circuit_params c;
  assert_int_equal(ucl_circuit_at_temp(in, &c, &d), UCL_OK);
  /* resistors: R·(1 + tc1·ΔT + tc2·ΔT²) */
  assert_close(c.R_in, in->R_in * (1 + 1e-3 * dT), 1e-14, 0);
  assert_close(c.R1, in->R1 * (1 + 2e-3 * dT + 1e-5 * dT * dT), 1e-14, 0);
  assert_close(c.R2, in->R2 * (1 - 1e-3 * dT), 1e-14, 0);
  assert_close(c.R3, in->R3 * (1 + 2e-6 * dT * dT), 1e-14, 0);
  assert_close(c.R4, in->R4 * (1 + 5e-4 * dT), 1e-14, 0);
  assert_close(c.R5, in->R5 * (1 - 5e-4 * dT), 1e-14, 0);
  assert_close(c.R6, in->R6 * (1 - 1e-6 * dT * dT), 1e-14, 0);
  assert_close(c.R7, in->R7 * (1 + 3e-4 * dT), 1e-14, 0);
  assert_true(c.C == in->C && c.C2 == in->C2 && c.VDD == in->VDD); /* capacitors, supply */
  /* junctions: SPICE's Is(T) with each one's own EG, XTI and n */
  assert_close(c.D.Is, ucl_junction_is_at(in->D.Is, in->D.n, 1.2, 2.0, T, tn), 1e-14, 0);
  assert_close(c.D2.Is, ucl_junction_is_at(in->D2.Is, in->D2.n, 0.7, 4.0, T, tn), 1e-14, 0);
  assert_close(c.scr.Is_gk, ucl_junction_is_at(in->scr.Is_gk, in->scr.n_gk, 1.3, 2.5, T, tn), 1e-14,
               0);
  assert_true(c.D.Is > in->D.Is && c.D.n == in->D.n && c.D.Rs == in->D.Rs);
  /* hybrid SCR: I_GT and I_H (and I_L with it) fall as it warms; its on-state stays */
  assert_close(c.scr.I_GT, in->scr.I_GT * exp(-0.02 * dT), 1e-14, 0);
  assert_close(c.scr.I_H, in->scr.I_H * exp(-0.01 * dT), 1e-14, 0);
  assert_close(c.scr.I_L, in->scr.I_L * exp(-0.01 * dT), 1e-14, 0);
  assert_true(c.scr.V_T0 == in->scr.V_T0 && c.scr.R_T == in->scr.R_T);
  /* two-transistor SCR: IS with EG, XTI (n = 1); BF, BR with XTB; R_GK and charges stay */
  const ucl_bjt_params *q[2][2] = {{&in->scr.pnp, &c.scr.pnp}, {&in->scr.npn, &c.scr.npn}};
  for (int k = 0; k < 2; k++) {
    assert_close(q[k][1]->IS, ucl_junction_is_at(q[k][0]->IS, 1.0, 1.0, 3.5, T, tn), 1e-14, 0);
    assert_close(q[k][1]->BF, q[k][0]->BF * pow(r, 2.0), 1e-14, 0);
    assert_close(q[k][1]->BR, q[k][0]->BR * pow(r, 2.0), 1e-14, 0);
    assert_true(q[k][1]->TF == q[k][0]->TF && q[k][1]->CJE == q[k][0]->CJE);
  }
  assert_true(c.scr.R_GK == in->scr.R_GK && c.scr.R_off == in->scr.R_off);
  /* MOSFETs: Vth + tcv·ΔT, KP·(T/tnom)^bex */
  assert_close(c.T1.Vth, in->T1.Vth - 5e-3 * dT, 1e-14, 0);
  assert_close(c.T2.Vth, in->T2.Vth - 6e-3 * dT, 1e-14, 0);
  assert_close(c.T3.Vth, in->T3.Vth - 2e-3 * dT, 1e-14, 0);
  assert_close(c.T1.KP, in->T1.KP * pow(r, -2.0), 1e-14, 0);
  assert_close(c.T2.KP, in->T2.KP * pow(r, -1.0), 1e-14, 0);
  assert_close(c.T3.KP, in->T3.KP * pow(r, -1.7), 1e-14, 0);
  assert_true(c.T1.Ith == in->T1.Ith && c.T1.n == in->T1.n);
  /* below tnom */
  p.circuit.temp = tn - 20.0;
  assert_int_equal(ucl_circuit_at_temp(in, &c, &d), UCL_OK);
  assert_close(c.R1, in->R1 * (1 - 2e-3 * 20 + 1e-5 * 400), 1e-14, 0);
  assert_true(c.scr.I_GT > in->scr.I_GT && c.D.Is < in->D.Is);
}

/* A coefficient that drives a value out of its domain is an error naming the value. */
static void test_out_of_domain(void **state) {
  (void)state;
  ucl_diag d = {{0}};
  ucl_params p = ucl_test_config(NULL, 0);
  assert_int_equal(ucl_params_set(&p, "R3.tc1", "-0.1", &d), UCL_OK);
  assert_int_equal(ucl_params_set(&p, "temp", "320.15", &d), UCL_OK);
  ucl_circuit_params c;
  assert_int_equal(ucl_circuit_at_temp(&p.circuit, &c, &d), UCL_ERR_RANGE);
  assert_non_null(strstr(d.msg, "R3"));
  p = ucl_test_config(NULL, 0);
  assert_int_equal(ucl_params_set(&p, "T1.tcv", "-0.1", &d), UCL_OK);
  assert_int_equal(ucl_params_set(&p, "temp", "320.15", &d), UCL_OK);
  assert_int_equal(ucl_circuit_at_temp(&p.circuit, &c, &d), UCL_ERR_RANGE);
  assert_non_null(strstr(d.msg, "T1.Vth"));
  /* a configuration that leaves a domain at temp is bad input where it is read, naming the
   * key that moved it (docs/spec.md) */
  const char *sets[] = {"T1.tcv=-0.1", "temp=320.15"};
  ucl_params q;
  assert_int_equal(ucl_spec_load_config(NULL, sets, 2, &q, &d), UCL_ERR_RANGE);
  assert_non_null(strstr(d.msg, "--set temp=320.15"));
}

/* The default neuron's firing threshold (10 us / 100 us pulses) falls as temp rises, by the
 * coefficient docs/model.md states: -50.5 mV/K by a central difference over 300.15 ± 5 K
 * (within 5 %); its membrane threshold falls too. */
static void test_threshold_falls_with_temp(void **state) {
  (void)state;
  ucl_threshold t[2];
  for (int k = 0; k < 2; k++) {
    ucl_params p = ucl_test_config(NULL, 0);
    p.circuit.temp += k ? 5.0 : -5.0;
    ucl_diag d = {{0}};
    assert_int_equal(ucl_protocol_threshold(&p, 0, 0.5, 15.0, 1e-3, &t[k], NULL, NULL, &d), UCL_OK);
    assert_int_equal(t[k].status, UCL_SEARCH_OK);
  }
  double dvdt = (t[1].value - t[0].value) / 10.0;
  assert_close(dvdt, -50.5e-3, 0.05, 0);
  assert_true(t[1].v_latch < t[0].v_latch);
}

/* The netlist carries the values at temperature and keeps ngspice's temp = tnom (no second
 * scaling). */
static void test_netlist_at_temp(void **state) {
  (void)state;
  const char *sets[] = {"temp=350", "R1.tc1=1e-3"};
  ucl_params p = ucl_test_config(sets, 2);
  ucl_circuit_params c;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_circuit_at_temp(&p.circuit, &c, &d), UCL_OK);
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  assert_non_null(f);
  assert_int_equal(ucl_netlist_write(f, &p, NULL, &d), UCL_OK);
  assert_int_equal(fclose(f), 0);
  char want[160];
  snprintf(want, sizeof(want), ".model DIN D(IS=%.10g ", c.D.Is);
  assert_non_null(strstr(text, want));
  snprintf(want, sizeof(want), "R1 m g %.10g\n", c.R1);
  assert_non_null(strstr(text, want));
  assert_non_null(strstr(text, ".options temp=76.85 tnom=76.85 "));
  free(text);
}

/* characterize's temperature coefficients are the central differences of the same procedures
 * run at temp ± dT; off by default. */
static void test_characterize_tempco(void **state) {
  (void)state;
  ucl_params p = ucl_test_config(NULL, 0);
  ucl_char_opts o;
  ucl_char_opts_default(&o);
  const double amps[] = {6.0};
  o.rate_amps = amps;
  o.n_rate_amps = 1;
  o.tau_ref = UCL_OFF;
  ucl_char_result r;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_characterize(&p, &o, &r, &d), UCL_OK);
  assert_true(isnan(r.tempco_dT_K) && isnan(r.dthreshold_dT_V_per_K));
  long sims_off = r.sims;
  ucl_char_result_free(&r);

  o.tempco_dT = 5.0;
  assert_int_equal(ucl_characterize(&p, &o, &r, &d), UCL_OK);
  assert_int_equal(r.status, UCL_OK);
  assert_true(r.tempco_dT_K == 5.0 && r.sims > sims_off);
  ucl_threshold t[2];
  for (int k = 0; k < 2; k++) {
    ucl_params q = p;
    q.circuit.temp += k ? 5.0 : -5.0;
    assert_int_equal(
        ucl_protocol_threshold(&q, 0, o.thr_lo, o.thr_hi, o.thr_tol, &t[k], NULL, NULL, &d),
        UCL_OK);
  }
  assert_close(r.dthreshold_dT_V_per_K, (t[1].value - t[0].value) / 10.0, 1e-12, 0);
  assert_true(r.drheobase_dT_V_per_K < 0.0);
  assert_true(isfinite(r.dtau_leak_off_dT_s_per_K) && isfinite(r.dtau_leak_on_dT_s_per_K));
  assert_true(r.dref_rate_dT_Hz_per_K > 0.0); /* a lower threshold: more spikes at 6 V */
  ucl_char_result_free(&r);

  o.tempco_dT = 400.0; /* below 0 K */
  assert_int_equal(ucl_characterize(&p, &o, &r, &d), UCL_OK);
  assert_int_equal(r.status, UCL_ERR_RANGE);
  assert_non_null(strstr(r.reason, "tempco"));
  ucl_char_result_free(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_identity_at_tnom), cmocka_unit_test(test_device_laws),
      cmocka_unit_test(test_out_of_domain),    cmocka_unit_test(test_threshold_falls_with_temp),
      cmocka_unit_test(test_netlist_at_temp),  cmocka_unit_test(test_characterize_tempco),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
