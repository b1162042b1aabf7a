/* test_network_recurrent.c — the [recurrent] generator (docs/spec.md "Recurrent networks:
 * [recurrent]"): the generated graphs have the promised properties (exact fan-in, distinct
 * sources, autapses only when allowed, ring and all-to-all edges, the two synapse sets and their
 * sizes, the driven neurons), the same seed gives the same network and another seed another, the
 * errors name file:line, and a small ring runs (waveform relaxation, auto's choice) with its spike
 * going round in order.
 */
#include <stdlib.h>
#include <string.h>

#include "uclif/circuit.h"
#include "uclif/ini.h"
#include "uclif/netrun.h"
#include "uclif/network.h"
#include "uclif/rng.h"
#include "testutil.h"

static ucl_status parse(const char *text, ucl_network **net, ucl_diag *d) {
  ucl_ini *ini = NULL;
  ucl_status st = ucl_ini_parse("net.ini", text, &ini, d);
  if (st == UCL_OK) {
    st = ucl_network_from_ini("net.ini", ini, NULL, 0, net, d);
  }
  ucl_ini_destroy(&ini);
  return st;
}

static ucl_network *parse_ok(const char *text) {
  ucl_network *net = NULL;
  ucl_diag d = {{0}};
  if (parse(text, &net, &d) != UCL_OK) {
    fail_msg("%s", d.msg);
  }
  return net;
}

static void expect_error(const char *text, const char *needle) {
  ucl_network *net = NULL;
  ucl_diag d = {{0}};
  ucl_status st = parse(text, &net, &d);
  if (st == UCL_OK) {
    ucl_network_destroy(&net);
    fail_msg("accepted a bad network; expected an error with '%s'", needle);
  }
  assert_null(net);
  if (!strstr(d.msg, needle)) {
    fail_msg("message '%s' lacks '%s'", d.msg, needle);
  }
}

/* Per target: its number of synapses, and no source twice; returns the number of autapses. */
static size_t check_fan_in(const ucl_network *net, size_t fan) {
  size_t n = net->n_neurons, autapses = 0;
  size_t *count = calloc(n, sizeof(size_t));
  unsigned char *seen = calloc(n * n, 1);
  assert_non_null(count);
  assert_non_null(seen);
  for (size_t s = 0; s < net->n_synapses; s++) {
    size_t from = net->synapses[s].from, to = net->synapses[s].to;
    assert_true(from < n && to < n);
    if (seen[to * n + from]) {
      fail_msg("synapse %s: source %zu reaches target %zu twice", net->synapses[s].name, from, to);
    }
    seen[to * n + from] = 1;
    count[to]++;
    autapses += from == to;
  }
  for (size_t t = 0; t < n; t++) {
    if (count[t] != fan) {
      fail_msg("neuron %s has %zu synapses, expected %zu", net->neurons[t].name, count[t], fan);
    }
  }
  free(count);
  free(seen);
  return autapses;
}

static void test_random_fan_in_and_autapses(void **state) {
  (void)state;
  ucl_network *net = parse_ok("[recurrent]\ntopology = random\nneurons = 60\nfan_in = 7\n");
  assert_int_equal(net->n_neurons, 60);
  assert_int_equal(net->n_synapses, 60 * 7);
  assert_int_equal(check_fan_in(net, 7), 0); /* autapses = no (default): none */
  assert_string_equal(net->neurons[59].name, "A60");
  assert_string_equal(net->synapses[0].name, "S1");
  assert_int_equal(ucl_network_has_cycle(net), 1);
  ucl_network_destroy(&net);
  /* fan_in = N - 1 without autapses: every other neuron, exactly once */
  net = parse_ok("[recurrent]\ntopology = random\nneurons = 9\nfan_in = 8\n");
  assert_int_equal(check_fan_in(net, 8), 0);
  ucl_network_destroy(&net);
  /* with autapses: fan_in = N takes every neuron including itself */
  net = parse_ok("[recurrent]\ntopology = random\nneurons = 9\nfan_in = 9\nautapses = yes\n");
  assert_int_equal(check_fan_in(net, 9), 9);
  ucl_network_destroy(&net);
  /* and a sparse network with autapses allowed has some (expected 200 * 5 / 200 = 5) */
  net = parse_ok("[recurrent]\ntopology = random\nneurons = 200\nfan_in = 5\nautapses = yes\n");
  size_t a = check_fan_in(net, 5);
  assert_true(a >= 1 && a <= 20);
  ucl_network_destroy(&net);
}

/* The sources are spread over all neurons (no bias toward low indices from the remapping that
 * skips the target): over 400 targets x 10 draws among 399, each neuron is drawn about 10
 * times; none is drawn 0 or more than 30 times. */
static void test_random_sources_spread(void **state) {
  (void)state;
  ucl_network *net = parse_ok("[recurrent]\ntopology = random\nneurons = 400\nfan_in = 10\n");
  size_t drawn[400] = {0};
  for (size_t s = 0; s < net->n_synapses; s++) {
    drawn[net->synapses[s].from]++;
  }
  for (size_t i = 0; i < 400; i++) {
    if (drawn[i] == 0 || drawn[i] > 30) {
      fail_msg("neuron %zu is a source of %zu synapses (about 10 expected)", i, drawn[i]);
    }
  }
  ucl_network_destroy(&net);
}

/* The sources of each target are its own partial Fisher-Yates shuffle of the candidates, drawn
 * from its own stream (docs/spec.md): recomputed here from a fresh identity for every target,
 * they match the generator's, so target t's sources do not depend on the targets before it. */
static void test_random_sources_per_target(void **state) {
  (void)state;
  const long n = 30, fan = 6, pool = n - 1;
  ucl_network *net =
      parse_ok("[recurrent]\ntopology = random\nneurons = 30\nfan_in = 6\nseed = 5\n");
  long pick[29];
  for (long t = 0; t < n; t++) {
    for (long c = 0; c < pool; c++) {
      pick[c] = c;
    }
    for (long j = 0; j < fan; j++) {
      uint64_t stream = (UINT64_C(0x52) << 56) ^ (uint64_t)t;
      long r = j + (long)(ucl_rng_uniform(5, stream, (uint64_t)j) * (double)(pool - j));
      long tmp = pick[j];
      pick[j] = pick[r];
      pick[r] = tmp;
      const ucl_net_synapse *s = &net->synapses[t * fan + j];
      assert_int_equal(s->to, t);
      assert_int_equal(s->from, pick[j] < t ? pick[j] : pick[j] + 1);
    }
  }
  ucl_network_destroy(&net);
}

static int same_sources(const ucl_network *a, const ucl_network *b) {
  if (a->n_synapses != b->n_synapses) {
    return 0;
  }
  for (size_t s = 0; s < a->n_synapses; s++) {
    if (a->synapses[s].from != b->synapses[s].from || a->synapses[s].to != b->synapses[s].to ||
        a->synapses[s].R != b->synapses[s].R) {
      return 0;
    }
  }
  return 1;
}

static void test_seed(void **state) {
  (void)state;
  const char *base = "[recurrent]\ntopology = random\nneurons = 50\nfan_in = 4\nR = 10k\n"
                     "R_max = 100k\ninput_jitter = 50u\ndriven = all\nseed = ";
  char t1[256], t2[256];
  snprintf(t1, sizeof(t1), "%s7\n", base);
  snprintf(t2, sizeof(t2), "%s8\n", base);
  ucl_network *a = parse_ok(t1), *b = parse_ok(t1), *c = parse_ok(t2);
  assert_true(same_sources(a, b));
  assert_false(same_sources(a, c));
  int differ_from = 0, differ_start = 0;
  for (size_t s = 0; s < a->n_synapses; s++) {
    differ_from |= a->synapses[s].from != c->synapses[s].from;
    assert_true(a->synapses[s].R >= 10e3 && a->synapses[s].R <= 100e3);
  }
  for (size_t i = 0; i < a->n_neurons; i++) {
    assert_true(a->neurons[i].p.stim.start == b->neurons[i].p.stim.start);
    assert_true(a->neurons[i].p.stim.start >= 0.0 && a->neurons[i].p.stim.start < 50e-6);
    differ_start |= a->neurons[i].p.stim.start != c->neurons[i].p.stim.start;
  }
  assert_true(differ_from);
  assert_true(differ_start);
  ucl_network_destroy(&a);
  ucl_network_destroy(&b);
  ucl_network_destroy(&c);
}

static void test_ring_all_autapse(void **state) {
  (void)state;
  ucl_network *net = parse_ok("[recurrent]\ntopology = ring\nneurons = 10\nskip = 1, 3\n");
  assert_int_equal(net->n_synapses, 20);
  assert_int_equal(check_fan_in(net, 2), 0);
  for (size_t k = 0; k < 10; k++) { /* S<2k+1>: k -> k+1, S<2k+2>: k -> k+3 (mod 10) */
    assert_int_equal(net->synapses[2 * k].from, k);
    assert_int_equal(net->synapses[2 * k].to, (k + 1) % 10);
    assert_int_equal(net->synapses[2 * k + 1].from, k);
    assert_int_equal(net->synapses[2 * k + 1].to, (k + 3) % 10);
  }
  assert_int_equal(ucl_network_has_cycle(net), 1);
  ucl_network_destroy(&net);
  net = parse_ok("[recurrent]\ntopology = ring\nneurons = 2\n"); /* default skip 1 */
  assert_int_equal(net->n_synapses, 2);
  assert_int_equal(net->synapses[1].from, 1);
  assert_int_equal(net->synapses[1].to, 0);
  ucl_network_destroy(&net);

  net = parse_ok("[recurrent]\ntopology = all-to-all\nneurons = 5\n");
  assert_int_equal(net->n_synapses, 20);
  assert_int_equal(check_fan_in(net, 4), 0);
  ucl_network_destroy(&net);
  net = parse_ok("[recurrent]\ntopology = all-to-all\nneurons = 5\nautapses = yes\n");
  assert_int_equal(net->n_synapses, 25);
  assert_int_equal(check_fan_in(net, 5), 5);
  ucl_network_destroy(&net);

  net = parse_ok("[recurrent]\ntopology = autapse\nneurons = 4\nR = 47k\n");
  assert_int_equal(net->n_synapses, 4);
  assert_int_equal(check_fan_in(net, 1), 4);
  assert_close(net->synapses[3].R, 47e3, 1e-12, 0);
  assert_int_equal(ucl_network_has_cycle(net), 1);
  ucl_network_destroy(&net);
}

/* Set B: the last round(fraction_b * N) neurons, named B<k>; their synapses take the _b keys,
 * set A's the plain ones; a _b key not given takes set A's value. */
static void test_sets(void **state) {
  (void)state;
  ucl_network *net = parse_ok("[circuit]\nneuron = type1\n"
                              "[recurrent]\ntopology = random\nneurons = 50\nfan_in = 6\n"
                              "autapses = yes\nfraction_b = 0.25\nR = 33k\ndiode = yes\n"
                              "R_b = 100k\ntap_b = clamp\ntype_b = type2\n");
  size_t n_b = 0;
  for (size_t i = 0; i < 50; i++) {
    int in_b = net->neurons[i].name[0] == 'B';
    n_b += (size_t)in_b;
    assert_int_equal(in_b, i >= 37); /* round(12.5) = 13 of 50: B38 .. B50 */
    assert_int_equal(net->neurons[i].p.circuit.neuron, in_b ? UCL_NEURON_TYPE2 : UCL_NEURON_TYPE1);
  }
  assert_int_equal(n_b, 13);
  assert_string_equal(net->neurons[37].name, "B38");
  assert_string_equal(net->neurons[36].name, "A37");
  size_t from_b = 0;
  for (size_t s = 0; s < net->n_synapses; s++) {
    const ucl_net_synapse *sy = &net->synapses[s];
    int b = sy->from >= 37;
    from_b += (size_t)b;
    assert_close(sy->R, b ? 100e3 : 33e3, 1e-12, 0);
    assert_int_equal(sy->diode, 1); /* diode_b not given: set A's */
    assert_int_equal(sy->tap_clamp, b);
  }
  assert_true(from_b > 0 && from_b < net->n_synapses);
  ucl_network_destroy(&net);
  /* fraction_b = 0 (default): all set A; 1: all set B */
  net = parse_ok("[recurrent]\ntopology = autapse\nneurons = 3\nfraction_b = 1\nR_b = 5k\n");
  assert_string_equal(net->neurons[0].name, "B1");
  assert_close(net->synapses[0].R, 5e3, 1e-12, 0);
  ucl_network_destroy(&net);
}

static void test_driven(void **state) {
  (void)state;
  struct {
    const char *value;
    const char *external; /* per neuron of 12 */
  } cases[] = {{NULL, "100000000000"},  {"1", "100000000000"},   {"3", "100010001000"},
               {"0.5", "101010101010"}, {"all", "111111111111"}, {"12", "111111111111"},
               {"0.01", "100000000000"}};
  for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
    char text[256];
    snprintf(text, sizeof(text), "[recurrent]\ntopology = ring\nneurons = 12\n%s%s%s",
             cases[c].value ? "driven = " : "", cases[c].value ? cases[c].value : "",
             cases[c].value ? "\n" : "");
    ucl_network *net = parse_ok(text);
    char got[13] = {0};
    for (size_t i = 0; i < 12; i++) {
      got[i] = net->neurons[i].external ? '1' : '0';
    }
    if (strcmp(got, cases[c].external) != 0) {
      fail_msg("driven = %s: external %s, expected %s", cases[c].value ? cases[c].value : "(none)",
               got, cases[c].external);
    }
    ucl_network_destroy(&net);
  }
}

static void test_errors(void **state) {
  (void)state;
  expect_error("[recurrent]\ntopology = random\nneurons = 5\nfan_in = 5\n",
               "net.ini:4: [recurrent] fan_in 5 exceeds the 4 possible sources of a neuron");
  expect_error("[recurrent]\ntopology = random\nneurons = 5\nfan_in = 6\nautapses = yes\n",
               "net.ini:4: [recurrent] fan_in 6 exceeds the 5 possible sources");
  expect_error("[recurrent]\ntopology = lattice\nneurons = 5\n",
               "net.ini:2: [recurrent] topology: expected random, ring, all-to-all or autapse "
               "(got 'lattice')");
  expect_error("[recurrent]\nneurons = 5\n", "net.ini:1: [recurrent] needs 'topology'");
  expect_error("[recurrent]\ntopology = ring\n", "net.ini:1: [recurrent] needs 'neurons'");
  expect_error("[recurrent]\ntopology = random\nneurons = 5\n",
               "net.ini:2: [recurrent] topology = random needs fan_in");
  expect_error("[recurrent]\ntopology = ring\nneurons = 5\nfan_in = 2\n",
               "net.ini:4: [recurrent] fan_in: only topology = random takes it (this is ring)");
  expect_error("[recurrent]\ntopology = random\nneurons = 5\nfan_in = 2\nskip = 2\n",
               "net.ini:5: [recurrent] skip: only topology = ring takes it");
  expect_error("[recurrent]\ntopology = ring\nneurons = 5\nautapses = yes\n",
               "net.ini:4: [recurrent] autapses: only topology = random or all-to-all");
  expect_error("[recurrent]\ntopology = ring\nneurons = 5\nskip = 5\n",
               "net.ini:4: [recurrent] skip 5 must be less than neurons (5)");
  expect_error("[recurrent]\ntopology = ring\nneurons = 5\nskip = 1, 2, 1\n",
               "net.ini:4: [recurrent] skip: skip 1 given twice");
  expect_error("[recurrent]\ntopology = ring\nneurons = 5\ndriven = 6\n",
               "net.ini:4: [recurrent] driven: expected all, a count from 1 to neurons (5)");
  expect_error("[recurrent]\ntopology = ring\nneurons = 5\ndriven = 0\n",
               "net.ini:4: [recurrent] driven: expected all");
  expect_error("[recurrent]\ntopology = ring\nneurons = 5\ndriven = 2.5\n",
               "net.ini:4: [recurrent] driven: expected all");
  expect_error("[recurrent]\ntopology = ring\nneurons = 5\nR_b = 5k\n",
               "net.ini:4: [recurrent] set-B keys (R_b, R_max_b, diode_b, tap_b, type_b) need "
               "fraction_b");
  expect_error("[recurrent]\ntopology = ring\nneurons = 5\nfraction_b = 1.5\n",
               "net.ini:4: [recurrent] fraction_b: must be from 0 to 1");
  expect_error("[recurrent]\ntopology = ring\nneurons = 5\nR = 0\n",
               "net.ini:4: [recurrent] R: must be > 0");
  expect_error("[recurrent]\ntopology = ring\nneurons = 5\nR = 10k\nR_max = 5k\n",
               "net.ini:5: [recurrent] R_max (5000) < R (10000)");
  expect_error("[recurrent]\ntopology = ring\nneurons = 5\ndiode_c = yes\n",
               "net.ini:4: [recurrent] diode_c: unknown key");
  expect_error("[recurrent]\ntopology = ring\nneurons = 5\ntype = type3\n",
               "net.ini:4: [recurrent] type:");
  expect_error("[recurrent]\ntopology = ring\nneurons = 2000000\n",
               "net.ini:3: [recurrent] neurons:");
  expect_error("[recurrent]\ntopology = all-to-all\nneurons = 5000\n",
               "net.ini:3: [recurrent] all-to-all over 5000 neurons exceeds the fan-in limit");
  expect_error("[recurrent]\ntopology = random\nneurons = 1000000\nfan_in = 11\n",
               "[recurrent] 11000000 synapses in all (at most 10000000)");
  expect_error("[recurrent]\ntopology = ring\nneurons = 5\n[layers]\nsizes = 3\n",
               "net.ini:4: [layers] cannot be combined with [recurrent] (line 1)");
  expect_error("[recurrent]\ntopology = ring\nneurons = 5\n[neuron.X]\n",
               "net.ini:4: [neuron.X] cannot be combined with the [recurrent] generator (line 1)");
  expect_error("[network]\nintegration = partitioned\n[recurrent]\ntopology = autapse\n"
               "neurons = 2\n",
               "form a cycle");
}

/* A ring of four type I neurons through 2.7 kOhm diode synapses, the first driven: its spike
 * goes round in order (every neuron fires, each first spike after its predecessor's), by waveform
 * relaxation. */
static void test_ring_runs(void **state) {
  (void)state;
  ucl_network *net = parse_ok("[stimulus]\nkind = pulses\namplitude = 7\nduration = 1.2m\n"
                              "[recurrent]\ntopology = ring\nneurons = 4\nR = 2.7k\ndiode = yes\n");
  ucl_net_opts o = {.integration = UCL_NET_AUTO};
  ucl_net_result *r = NULL;
  ucl_diag d = {{0}};
  if (ucl_network_run(net, &o, &r, &d) != UCL_OK) {
    fail_msg("%s", d.msg);
  }
  assert_int_equal(r->integration, UCL_NET_RELAX);
  for (size_t i = 0; i < 4; i++) {
    assert_true(r->neurons[i].n_spikes >= 1);
    if (i > 0) {
      assert_true(r->neurons[i].spikes[0] > r->neurons[i - 1].spikes[0]);
    }
  }
  ucl_net_result_destroy(&r);
  ucl_network_destroy(&net);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_random_fan_in_and_autapses),
      cmocka_unit_test(test_random_sources_spread),
      cmocka_unit_test(test_random_sources_per_target),
      cmocka_unit_test(test_seed),
      cmocka_unit_test(test_ring_all_autapse),
      cmocka_unit_test(test_sets),
      cmocka_unit_test(test_driven),
      cmocka_unit_test(test_errors),
      cmocka_unit_test(test_ring_runs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
