/* test_params.c — the key table, set/get, domains and cross-field validation. */
#include <string.h>

#include "testutil.h"
#include "uclif/params.h"

static void test_defaults_match_table(void **state) {
  (void)state;
  ucl_params p;
  ucl_params_default(&p);
  assert_true(ucl_params_count() > 40);
  for (size_t i = 0; i < ucl_params_count(); i++) {
    const ucl_param_info *in = ucl_params_info(i);
    double v;
    assert_int_equal(ucl_params_get(&p, in->name, &v), UCL_OK);
    assert_true(v == in->def);
    assert_non_null(in->desc);
    assert_true(in->provenance[0] == '['); /* every default says where it comes from */
    assert_ptr_equal(ucl_params_find(in->name), in);
  }
  /* paper Table 1 values */
  assert_true(p.circuit.C == 15e-9 && p.circuit.R1 == 68e3 && p.circuit.R2 == 390e3);
  assert_true(p.circuit.R3 == 1.5e3 && p.circuit.C2 == 22e-9 && p.circuit.R7 == 100e3);
  assert_int_equal(p.circuit.neuron, UCL_NEURON_TYPE1);
  assert_int_equal(p.stim.kind, UCL_STIM_PULSES);
  assert_null(ucl_params_info(ucl_params_count()));
}

static void test_names_are_unique(void **state) {
  (void)state;
  for (size_t i = 0; i < ucl_params_count(); i++) {
    for (size_t j = i + 1; j < ucl_params_count(); j++) {
      assert_string_not_equal(ucl_params_info(i)->name, ucl_params_info(j)->name);
    }
  }
}

static void test_set_get(void **state) {
  (void)state;
  ucl_params p;
  ucl_params_default(&p);
  ucl_diag d;
  assert_int_equal(ucl_params_set(&p, "R1", "47k", &d), UCL_OK);
  assert_true(p.circuit.R1 == 47e3);
  assert_int_equal(ucl_params_set(&p, "scr.I_GT", "30u", &d), UCL_OK);
  assert_close(p.circuit.scr.I_GT, 30e-6, 1e-15, 0);
  assert_int_equal(ucl_params_set(&p, "neuron", "type2", &d), UCL_OK);
  assert_int_equal(p.circuit.neuron, UCL_NEURON_TYPE2);
  assert_int_equal(ucl_params_set(&p, "kind", "staircase", &d), UCL_OK);
  assert_int_equal(p.stim.kind, UCL_STIM_STAIRCASE);
  char buf[32];
  ucl_params_format(&p, ucl_params_find("kind"), buf, sizeof(buf));
  assert_string_equal(buf, "staircase");
  ucl_params_format(&p, ucl_params_find("R1"), buf, sizeof(buf));
  assert_string_equal(buf, "47000");
  assert_int_equal(ucl_params_set_value(&p, "duration", 0.5, &d), UCL_OK);
  double v;
  assert_int_equal(ucl_params_get(&p, "duration", &v), UCL_OK);
  assert_true(v == 0.5);
}

static void test_errors_leave_params_unchanged(void **state) {
  (void)state;
  ucl_params p, q;
  ucl_params_default(&p);
  q = p;
  ucl_diag d;
  assert_int_equal(ucl_params_set(&p, "R9", "1k", &d), UCL_ERR_INVAL);
  assert_non_null(strstr(d.msg, "unknown parameter 'R9'"));
  assert_int_equal(ucl_params_set(&p, "r_in", "1k", &d), UCL_ERR_INVAL);
  assert_non_null(strstr(d.msg, "did you mean 'R_in'"));
  assert_int_equal(ucl_params_set(&p, "R1", "0", &d), UCL_ERR_RANGE);
  assert_non_null(strstr(d.msg, "R1 must be > 0"));
  assert_int_equal(ucl_params_set(&p, "C", "-15n", &d), UCL_ERR_RANGE);
  assert_int_equal(ucl_params_set(&p, "R2", "39o", &d), UCL_ERR_PARSE);
  assert_non_null(strstr(d.msg, "R2: "));
  assert_int_equal(ucl_params_set(&p, "neuron", "type3", &d), UCL_ERR_PARSE);
  assert_non_null(strstr(d.msg, "type1|type2"));
  assert_int_equal(ucl_params_set(&p, "count", "2.5", &d), UCL_ERR_RANGE);
  assert_int_equal(ucl_params_set(&p, "width", "-1u", &d), UCL_ERR_RANGE);
  assert_int_equal(ucl_params_set_value(&p, "neuron", 3, &d), UCL_ERR_RANGE);
  assert_memory_equal(&p, &q, sizeof(p));
  double v;
  assert_int_equal(ucl_params_get(&p, "nope", &v), UCL_ERR_INVAL);
}

static void test_validate_cross_checks(void **state) {
  (void)state;
  ucl_params p;
  ucl_params_default(&p);
  ucl_diag d;
  const char *bad = NULL;
  assert_int_equal(ucl_params_validate(&p, &bad, &d), UCL_OK);
  p.stim.width = 95e-6;
  p.stim.rise = 10e-6;
  assert_int_equal(ucl_params_validate(&p, &bad, &d), UCL_ERR_RANGE);
  assert_string_equal(bad, "width");
  ucl_params_default(&p);
  p.stim.burst_on = 5e-3;
  p.stim.burst_period = 2e-3;
  assert_int_equal(ucl_params_validate(&p, &bad, &d), UCL_ERR_RANGE);
  assert_string_equal(bad, "burst_period");
  ucl_params_default(&p);
  p.circuit.R3 = -1.0; /* filled by hand: validate re-checks domains */
  assert_int_equal(ucl_params_validate(&p, &bad, &d), UCL_ERR_RANGE);
  assert_string_equal(bad, "R3");
  ucl_params_default(&p);
  p.stim.duration = 0.0;
  assert_int_equal(ucl_params_validate(&p, &bad, &d), UCL_ERR_RANGE);
  assert_string_equal(bad, "duration");
}

/* Sums of user values within UCL_REL_TOL (docs/spec.md, Checks): the values as typed. */
static void test_validate_tolerance(void **state) {
  (void)state;
  ucl_params p;
  ucl_diag d = {{0}};
  const char *bad = NULL;
  ucl_params_default(&p);
  assert_int_equal(ucl_params_set(&p, "kind", "pulses", &d), UCL_OK);
  assert_int_equal(ucl_params_set(&p, "rise", "3u", &d), UCL_OK);
  assert_int_equal(ucl_params_set(&p, "width", "94u", &d), UCL_OK);
  assert_int_equal(ucl_params_set(&p, "fall", "3u", &d), UCL_OK);
  assert_int_equal(ucl_params_set(&p, "period", "100u", &d), UCL_OK);
  assert_true(p.stim.rise + p.stim.width + p.stim.fall > p.stim.period); /* 1.4e-16 over */
  assert_int_equal(ucl_params_validate(&p, &bad, &d), UCL_OK);
  /* just over the period: still refused, with numbers that show the excess */
  assert_int_equal(ucl_params_set(&p, "width", "94.001u", &d), UCL_OK);
  assert_int_equal(ucl_params_validate(&p, &bad, &d), UCL_ERR_RANGE);
  assert_string_equal(bad, "width");
  assert_non_null(strstr(d.msg, "rise + width + fall = 0.000100001 s"));
  /* staircase: amp_stop = amp_start as typed after arithmetic elsewhere; burst equality */
  ucl_params_default(&p);
  assert_int_equal(ucl_params_set(&p, "kind", "staircase", &d), UCL_OK);
  p.stim.amp_start = 0.3;
  p.stim.amp_stop = 0.1 + 0.2; /* 0.30000000000000004 */
  assert_int_equal(ucl_params_validate(&p, &bad, &d), UCL_OK);
  p.stim.amp_stop = 0.3;
  p.stim.amp_start = 0.1 + 0.2;
  assert_int_equal(ucl_params_validate(&p, &bad, &d), UCL_OK); /* stop 4e-17 below: equal */
  p.stim.amp_start = 0.31;
  assert_int_equal(ucl_params_validate(&p, &bad, &d), UCL_ERR_RANGE);
  assert_string_equal(bad, "amp_stop");
  ucl_params_default(&p);
  p.stim.burst_on = 0.1 + 0.2;
  p.stim.burst_period = 0.3; /* equal as typed: not "exceeds" */
  assert_int_equal(ucl_params_validate(&p, &bad, &d), UCL_ERR_RANGE);
  assert_string_equal(bad, "burst_period");
}

/* Which warning kinds a configuration gives, as a bit set of codes. */
static unsigned warning_set(const ucl_params *p) {
  ucl_param_warning w[UCL_PWARN_COUNT];
  size_t n = ucl_params_warnings(p, w, UCL_PWARN_COUNT);
  unsigned set = 0;
  for (size_t k = 0; k < n; k++) {
    assert_non_null(w[k].key);
    assert_true(strlen(w[k].msg) > 0);
    set |= 1u << w[k].code;
  }
  return set;
}

static void test_warnings(void **state) {
  (void)state;
  ucl_params p;
  for (int neuron = 0; neuron < 3; neuron++) {
    for (int form = 0; form < 2; form++) {
      ucl_params_default(&p);
      p.circuit.neuron = neuron;
      p.circuit.scr.model = form;
      assert_int_equal(warning_set(&p), 0); /* the defaults are not odd */
    }
  }
  ucl_params_default(&p);
  p.circuit.scr.I_L = 0.1e-3; /* below I_H = 0.2 mA */
  ucl_param_warning w[2];
  assert_int_equal(ucl_params_warnings(&p, w, 2), 1);
  assert_int_equal(w[0].code, UCL_PWARN_I_L_BELOW_I_H);
  assert_string_equal(w[0].key, "scr.I_L");
  assert_non_null(strstr(w[0].msg, "scr.I_L (0.0001 A) is below scr.I_H (0.0002 A)"));
  assert_int_equal(ucl_params_warnings(&p, NULL, 0), 1); /* counted without room */
  p.circuit.scr.I_L = 0.2e-3;                            /* equal: not odd */
  assert_int_equal(warning_set(&p), 0);
  p.circuit.scr.I_L = 0.1e-3;
  p.circuit.neuron = UCL_NEURON_MOTT; /* no SCR */
  assert_int_equal(warning_set(&p), 0);
  p.circuit.neuron = UCL_NEURON_TYPE1;
  p.circuit.scr.model = UCL_SCR_TWO_TRANSISTOR; /* I_L is the hybrid's */
  assert_int_equal(warning_set(&p), 0);
  /* thresholds outside the datasheet spreads; T3 only in type II */
  ucl_params_default(&p);
  p.circuit.T1.Vth = 1.2;
  p.circuit.T2.Vth = 1.4;
  p.circuit.T3.Vth = 0.4;
  assert_int_equal(warning_set(&p), (1u << UCL_PWARN_T1_VTH) | (1u << UCL_PWARN_T2_VTH));
  p.circuit.neuron = UCL_NEURON_TYPE2;
  assert_int_equal(warning_set(&p),
                   (1u << UCL_PWARN_T1_VTH) | (1u << UCL_PWARN_T2_VTH) | (1u << UCL_PWARN_T3_VTH));
  p.circuit.T1.Vth = 0.5; /* the spread's ends are inside */
  p.circuit.T2.Vth = 3.5;
  p.circuit.T3.Vth = 1.1;
  assert_int_equal(warning_set(&p), 0);
  /* two-transistor: the loop gain, and the event levels against its holding current */
  ucl_params_default(&p);
  p.circuit.scr.model = UCL_SCR_TWO_TRANSISTOR;
  p.circuit.scr.pnp.BF = 0.009; /* BF_p * BF_n = 0.9 */
  assert_int_equal(warning_set(&p), 1u << UCL_PWARN_TT_LOOP_GAIN);
  ucl_params_default(&p);
  p.circuit.scr.model = UCL_SCR_TWO_TRANSISTOR;
  p.circuit.scr.I_A_latch = 0.15e-3;  /* below the defaults' I_H of about 0.19 mA */
  p.circuit.scr.I_A_unlatch = 0.1e-3; /* still below it */
  assert_int_equal(warning_set(&p), 1u << UCL_PWARN_TT_LATCH_LEVEL);
  p.circuit.scr.I_A_latch = 0.4e-3;
  p.circuit.scr.I_A_unlatch = 0.3e-3;
  assert_int_equal(warning_set(&p), 1u << UCL_PWARN_TT_UNLATCH_LEVEL);
  /* a jitter key the neuron's switch does not have */
  ucl_params_default(&p);
  p.noise.jitter_I_GT = 0.05;
  assert_int_equal(warning_set(&p), 0); /* the hybrid SCR's own */
  p.circuit.scr.model = UCL_SCR_TWO_TRANSISTOR;
  assert_int_equal(warning_set(&p), 1u << UCL_PWARN_JITTER_UNUSED);
  p.circuit.scr.model = UCL_SCR_HYBRID;
  p.circuit.neuron = UCL_NEURON_MOTT;
  assert_int_equal(warning_set(&p), 1u << UCL_PWARN_JITTER_UNUSED);
  p.noise.jitter_I_GT = 0.0;
  p.noise.jitter_V_th = 0.05;
  assert_int_equal(warning_set(&p), 0); /* the Mott switch's own */
  p.circuit.neuron = UCL_NEURON_TYPE1;
  ucl_param_warning w1[1];
  assert_int_equal(ucl_params_warnings(&p, w1, 1), 1);
  assert_string_equal(w1[0].key, "jitter.V_th");
  assert_non_null(strstr(w1[0].msg, "jitter.V_th = 0.05 changes nothing"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_validate_tolerance),
      cmocka_unit_test(test_warnings),
      cmocka_unit_test(test_defaults_match_table),
      cmocka_unit_test(test_names_are_unique),
      cmocka_unit_test(test_set_get),
      cmocka_unit_test(test_errors_leave_params_unchanged),
      cmocka_unit_test(test_validate_cross_checks),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
