/* test_sweep.c — sweep specs: grid order, linked axes, E-series axes, lhs strata, random
 * reproducibility, the keyed permutation, point(i) as a pure function of (spec, i). */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "uclif/network.h"
#include "uclif/rng.h"
#include "uclif/sweep.h"

static ucl_sweep *parse(const char *text) {
  ucl_sweep *s = NULL;
  ucl_diag d = {{0}};
  if (ucl_sweep_parse("t.ini", text, &s, &d) != UCL_OK) {
    fail_msg("%s", d.msg);
  }
  return s;
}

static void test_grid_order_and_links(void **state) {
  (void)state;
  ucl_sweep *s = parse("[run]\nname = g\n[sweep]\nR1 = 47k, 68k, 100k\nC = 10n, 15n\n"
                       "R2 = 100k, 200k\nR3 = 1k, 2k\nlink = R2+R3\n");
  assert_int_equal(ucl_sweep_count(s), 12); /* 3 × 2 × 2 (R2 and R3 vary together) */
  assert_int_equal(ucl_sweep_design(s), UCL_DESIGN_GRID);
  assert_string_equal(ucl_sweep_name(s), "g");
  assert_int_equal(ucl_sweep_n_swept(s), 4);
  ucl_params p;
  ucl_diag d;
  /* the first axis varies slowest, the last fastest */
  assert_int_equal(ucl_sweep_point(s, 0, &p, &d), UCL_OK);
  assert_true(p.circuit.R1 == 47e3 && p.circuit.R2 == 100e3);
  assert_close(p.circuit.C, 10e-9, 1e-15, 0);
  assert_int_equal(ucl_sweep_point(s, 1, &p, &d), UCL_OK);
  assert_true(p.circuit.R1 == 47e3 && p.circuit.R2 == 200e3 && p.circuit.R3 == 2e3);
  assert_int_equal(ucl_sweep_point(s, 2, &p, &d), UCL_OK);
  assert_close(p.circuit.C, 15e-9, 1e-15, 0); /* 15 × 1e-9 and 15e-9 may differ in the last bit */
  assert_true(p.circuit.R2 == 100e3 && p.circuit.R3 == 1e3);
  assert_int_equal(ucl_sweep_point(s, 11, &p, &d), UCL_OK);
  assert_true(p.circuit.R1 == 100e3 && p.circuit.R3 == 2e3);
  assert_close(p.circuit.C, 15e-9, 1e-15, 0);
  assert_int_equal(ucl_sweep_point(s, 12, &p, &d), UCL_ERR_RANGE);
  ucl_sweep_destroy(&s);
}

static void test_eseries_axis_and_choice(void **state) {
  (void)state;
  ucl_sweep *s = parse("[sweep]\nC = e12(4.7n, 47n)\nneuron = type1, type2\n");
  assert_int_equal(ucl_sweep_count(s), 26);
  ucl_params p;
  ucl_diag d;
  assert_int_equal(ucl_sweep_point(s, 25, &p, &d), UCL_OK);
  assert_close(p.circuit.C, 47e-9, 1e-12, 0);
  assert_int_equal(p.circuit.neuron, UCL_NEURON_TYPE2);
  ucl_sweep_destroy(&s);
}

static void test_lhs_strata(void **state) {
  (void)state;
  ucl_sweep *s = parse("[run]\nseed = 3\n[sweep]\ndesign = lhs\nsamples = 50\n"
                       "R1 = range(40k, 90k)\nC = logrange(1n, 100n)\n");
  int hit_r[50] = {0}, hit_c[50] = {0};
  for (long i = 0; i < 50; i++) {
    ucl_params p;
    ucl_diag d;
    assert_int_equal(ucl_sweep_point(s, i, &p, &d), UCL_OK);
    int kr = (int)((p.circuit.R1 - 40e3) / 1e3);
    int kc = (int)(log(p.circuit.C / 1e-9) / log(100.0) * 50.0);
    assert_true(kr >= 0 && kr < 50 && kc >= 0 && kc < 50);
    hit_r[kr]++;
    hit_c[kc]++;
  }
  for (int k = 0; k < 50; k++) { /* every stratum exactly once in both dimensions */
    assert_int_equal(hit_r[k], 1);
    assert_int_equal(hit_c[k], 1);
  }
  ucl_sweep_destroy(&s);
}

static void test_random_is_reproducible(void **state) {
  (void)state;
  const char *text = "[run]\nseed = 9\n[sweep]\ndesign = random\nsamples = 20\n"
                     "R1 = range(40k, 90k)\nR_in = 1k, 10k, 100k\n";
  ucl_sweep *a = parse(text), *b = parse(text);
  assert_true(ucl_sweep_hash(a) == ucl_sweep_hash(b));
  ucl_params p, q;
  ucl_diag d;
  /* any order, any process: point i is the same */
  assert_int_equal(ucl_sweep_point(a, 17, &p, &d), UCL_OK);
  for (long i = 0; i < 20; i++) {
    assert_int_equal(ucl_sweep_point(b, i, &q, &d), UCL_OK);
  }
  assert_int_equal(ucl_sweep_point(b, 17, &q, &d), UCL_OK);
  assert_memory_equal(&p, &q, sizeof(p));
  assert_true(q.circuit.R_in == 1e3 || q.circuit.R_in == 10e3 || q.circuit.R_in == 100e3);
  ucl_sweep_destroy(&a);
  ucl_sweep_destroy(&b);
  /* another seed, other points */
  ucl_sweep *c = parse("[run]\nseed = 10\n[sweep]\ndesign = random\nsamples = 20\n"
                       "R1 = range(40k, 90k)\nR_in = 1k, 10k, 100k\n");
  assert_int_equal(ucl_sweep_point(c, 17, &q, &d), UCL_OK);
  assert_true(q.circuit.R1 != p.circuit.R1);
  ucl_sweep_destroy(&c);
}

static void test_permutation(void **state) {
  (void)state;
  const uint64_t sizes[] = {1, 2, 3, 7, 100, 1000, 4097};
  for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
    uint64_t n = sizes[k];
    unsigned char *seen = calloc(n, 1);
    for (uint64_t x = 0; x < n; x++) {
      uint64_t y = ucl_rng_permute(x, n, 12345);
      assert_true(y < n);
      assert_int_equal(seen[y], 0);
      seen[y] = 1;
    }
    free(seen);
  }
  double u = ucl_rng_uniform(1, 2, 3);
  assert_true(u >= 0.0 && u < 1.0);
  assert_true(u == ucl_rng_uniform(1, 2, 3));
  assert_true(u != ucl_rng_uniform(1, 2, 4));
}

static void test_inconsistent_point_is_reported(void **state) {
  (void)state;
  ucl_sweep *s = parse("[sweep]\nwidth = 10u, 120u\n");
  ucl_params p;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_sweep_point(s, 0, &p, &d), UCL_OK);
  assert_int_equal(ucl_sweep_point(s, 1, &p, &d), UCL_ERR_RANGE);
  assert_non_null(strstr(d.msg, "does not fit"));
  ucl_sweep_destroy(&s);
}

static const char *const net_spec = "[stimulus]\nkind = pulses\namplitude = 7\nduration = 2m\n"
                                    "[neuron.A]\nneuron = type2\n[neuron.B]\nC2 = 47n\n"
                                    "[synapse.S]\nfrom = A\nto = B\n";

static ucl_status parse_net(const char *sweep, ucl_sweep **s, ucl_diag *d) {
  char text[1024];
  snprintf(text, sizeof(text), "%s%s", net_spec, sweep);
  return ucl_sweep_parse("net.ini", text, s, d);
}

/* Network sweeps: NEURON.KEY and SYNAPSE.R axes, base keys for every neuron, each point's
 * network built with its values; errors name the line. */
static void test_network_sweep(void **state) {
  (void)state;
  ucl_sweep *s = NULL;
  ucl_diag d = {{0}};
  if (parse_net("[sweep]\nS.R = 4.7k, 10k\nA.C2 = 22n, 47n, 100n\nneuron = type1, type2\n"
                "link = A.C2+neuron\n",
                &s, &d) == UCL_OK) {
    ucl_sweep_destroy(&s);
    fail_msg("a linked pair of different lengths was accepted");
  }
  if (parse_net("[sweep]\nS.R = 4.7k, 10k\nA.C2 = 22n, 47n, 100n\nR1 = 47k, 68k\n", &s, &d) !=
      UCL_OK) {
    fail_msg("%s", d.msg);
  }
  assert_true(ucl_sweep_is_network(s));
  assert_int_equal(ucl_sweep_count(s), 12);
  assert_string_equal(ucl_sweep_swept_name(s, 0), "S.R");
  assert_string_equal(ucl_sweep_swept_name(s, 1), "A.C2");
  ucl_network *net = NULL;
  assert_int_equal(ucl_sweep_network(s, 7, &net, &d), UCL_OK); /* 7 = (1, 0, 1) */
  assert_close(net->synapses[0].R, 10e3, 1e-12, 0);
  assert_close(net->neurons[0].p.circuit.C2, 22e-9, 1e-12, 0);
  assert_close(net->neurons[0].p.circuit.R1, 68e3, 1e-12, 0); /* a base key: every neuron */
  assert_close(net->neurons[1].p.circuit.R1, 68e3, 1e-12, 0);
  assert_close(net->neurons[1].p.circuit.C2, 47e-9, 1e-12, 0); /* its own section */
  char texts[3][64];
  assert_int_equal(ucl_sweep_point_texts(s, 7, texts, &d), UCL_OK);
  assert_string_equal(texts[0], "10000");
  ucl_network_destroy(&net);
  assert_int_equal(ucl_sweep_network(s, 12, &net, &d), UCL_ERR_RANGE);
  ucl_sweep_destroy(&s);

  const char *bad[][2] = {
      {"[sweep]\nQ.R1 = 1k, 2k\n", "net.ini:13: Q.R1: no neuron or synapse called 'Q'"},
      {"[sweep]\nS.diode = yes\n", "net.ini:13: S.diode: a synapse's swept key is R"},
      {"[sweep]\nA.rtol = 1e-5, 1e-6\n", "net.ini:13: A.rtol: a neuron's swept key"},
      {"[sweep]\nB.C2 = 1n, 2n\n", "'B.C2' is swept here and also set in [neuron.B] at line 8"},
      {"[sweep]\nS.R = 0, 1k\n", "net.ini:13: S.R: must be > 0"},
      {"[characterize]\nadaptation = on\n", "net.ini:12: [characterize] does not apply"},
  };
  for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
    s = NULL;
    if (parse_net(bad[k][0], &s, &d) == UCL_OK) {
      ucl_sweep_destroy(&s);
      fail_msg("accepted: %s", bad[k][0]);
    }
    if (!strstr(d.msg, bad[k][1])) {
      fail_msg("message '%s' lacks '%s'", d.msg, bad[k][1]);
    }
  }
  /* a point whose values make a neuron inconsistent: the error names the neuron */
  assert_int_equal(parse_net("[sweep]\nA.width = 10u, 150u\n", &s, &d), UCL_OK);
  assert_int_equal(ucl_sweep_network(s, 0, &net, &d), UCL_OK);
  ucl_network_destroy(&net);
  assert_int_not_equal(ucl_sweep_network(s, 1, &net, &d), UCL_OK);
  assert_non_null(strstr(d.msg, "neuron 'A'"));
  ucl_sweep_destroy(&s);
}

/* The canonical expansion (what resume compares): the same points give the same lines whatever
 * the spelling; a changed value changes them, at the key that changed. */
static void test_canonical_by_meaning(void **state) {
  (void)state;
  const char *a_text = "[stimulus]\nduration = 10m\n[sweep]\nR1 = lin(40k, 100k, 3)\nC = 10n, 15n\n"
                       "[characterize]\nrate_curve = lin(2, 10, 33)\n";
  const char *b_text = "; the same sweep\n[run]\nname = other\nseed = 5 ; no effect on a grid\n"
                       "[characterize]\n[sweep]\nR1 = lin(40e3, 1e5, 3)   ; spelled otherwise\n"
                       "C = 1e-8, 15n\n[stimulus]\nduration = 0.010\n";
  const char *c_text =
      "[stimulus]\nduration = 11m\n[sweep]\nR1 = lin(40k, 100k, 3)\nC = 10n, 15n\n";
  const char *d_text =
      "[stimulus]\nduration = 10m\n[sweep]\nC = 10n, 15n\nR1 = lin(40k, 100k, 3)\n";
  ucl_sweep *a = parse(a_text), *b = parse(b_text), *c = parse(c_text), *d = parse(d_text);
  assert_string_equal(ucl_sweep_canonical(a), ucl_sweep_canonical(b));
  assert_true(ucl_sweep_hash(a) == ucl_sweep_hash(b));
  assert_true(ucl_sweep_hash(a) != ucl_sweep_hash(c));
  assert_non_null(strstr(ucl_sweep_canonical(c), "stimulus.duration = 0.010999999999999999\n"));
  assert_true(ucl_sweep_hash(a) != ucl_sweep_hash(d)); /* axis order orders the points */
  /* an override changes the expansion only through the value it sets */
  const char *sets[] = {"C=22n"};
  ucl_sweep *e = NULL;
  ucl_diag dg;
  const char *f_text = "[circuit]\nC = 22n\n[sweep]\nR1 = 47k, 68k\n";
  assert_int_equal(ucl_sweep_parse_sets("e.ini", "[sweep]\nR1 = 47k, 68k\n", sets, 1, &e, &dg),
                   UCL_OK);
  ucl_sweep *f = parse(f_text);
  assert_string_equal(ucl_sweep_canonical(e), ucl_sweep_canonical(f));
  ucl_sweep_destroy(&a);
  ucl_sweep_destroy(&b);
  ucl_sweep_destroy(&c);
  ucl_sweep_destroy(&d);
  ucl_sweep_destroy(&e);
  ucl_sweep_destroy(&f);
}

/* A network's canonical expansion: the base in full, each neuron by its differences from it
 * (a large network stays a small file), and a neuron's changed value changes it at that key. */
static void test_canonical_network(void **state) {
  (void)state;
  ucl_sweep *s = NULL, *t = NULL, *big = NULL;
  ucl_diag d = {{0}};
  assert_int_equal(parse_net("", &s, &d), UCL_OK);
  const char *c = ucl_sweep_canonical(s);
  assert_non_null(strstr(c, "network.base.circuit.R1 = "));
  assert_non_null(strstr(c, "neuron.A.circuit.neuron = type2\n"));
  assert_non_null(strstr(c, "neuron.B.circuit.C2 = 4.7"));
  assert_null(strstr(c, "neuron.A.circuit.R1 ="));     /* at the base's value: not repeated */
  assert_null(strstr(c, "neuron.B.circuit.neuron =")); /* likewise */
  assert_int_equal(parse_net("[sweep]\n", &t, &d), UCL_OK);
  assert_true(ucl_sweep_hash(s) == ucl_sweep_hash(t));
  ucl_sweep_destroy(&t);
  char text[1024];
  snprintf(text, sizeof(text), "%s", net_spec);
  char *at = strstr(text, "C2 = 47n");
  assert_non_null(at);
  memcpy(at, "C2 = 68n", 8);
  assert_int_equal(ucl_sweep_parse("net.ini", text, &t, &d), UCL_OK);
  assert_true(ucl_sweep_hash(s) != ucl_sweep_hash(t));
  assert_non_null(strstr(ucl_sweep_canonical(t), "neuron.B.circuit.C2 = 6.8"));
  /* 20,000 neurons in layers (20,000 synapses): a line per neuron and per synapse, not one per
   * parameter */
  assert_int_equal(ucl_sweep_parse("big.ini",
                                   "[stimulus]\nduration = 1m\n[layers]\nsizes = 10000, "
                                   "10000\nconnectivity = random\nfan_in = 2\n",
                                   &big, &d),
                   UCL_OK);
  assert_true(strlen(ucl_sweep_canonical(big)) < 200 * 20000); /* (was ~5 kB per neuron) */
  ucl_sweep_destroy(&big);
  ucl_sweep_destroy(&s);
  ucl_sweep_destroy(&t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_network_sweep),
      cmocka_unit_test(test_canonical_by_meaning),
      cmocka_unit_test(test_canonical_network),
      cmocka_unit_test(test_grid_order_and_links),
      cmocka_unit_test(test_eseries_axis_and_choice),
      cmocka_unit_test(test_lhs_strata),
      cmocka_unit_test(test_random_is_reproducible),
      cmocka_unit_test(test_permutation),
      cmocka_unit_test(test_inconsistent_point_is_reported),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
