/* test_network.c — networks: spec parsing and its errors, the layered generator, a one-neuron
 * network against the single-neuron path, partitioned against coupled integration, the Fig. 4
 * behaviour of the shipped example, and the neurons.csv / events.csv tables (a row read back by
 * name; their blocks in docs/outputs.md are checked with every other table's in test_results.c).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "uclif/circuit.h"
#include "uclif/features.h"
#include "uclif/ini.h"
#include "uclif/netresults.h"
#include "uclif/netsweep.h"
#include "uclif/netrun.h"
#include "uclif/network.h"
#include "uclif/sim.h"
#include "uclif/spec.h"
#include "tablecheck.h"
#include "testutil.h"

#ifndef UCL_SOURCE_DIR
#define UCL_SOURCE_DIR "."
#endif

static ucl_status parse(const char *text, const char *const *sets, int n_sets, ucl_network **net,
                        ucl_diag *d) {
  ucl_ini *ini = NULL;
  ucl_status st = ucl_ini_parse("net.ini", text, &ini, d);
  if (st == UCL_OK) {
    st = ucl_network_from_ini("net.ini", ini, sets, n_sets, net, d);
  }
  ucl_ini_destroy(&ini);
  return st;
}

static ucl_network *parse_ok(const char *text, const char *const *sets, int n_sets) {
  ucl_network *net = NULL;
  ucl_diag d = {{0}};
  if (parse(text, sets, n_sets, &net, &d) != UCL_OK) {
    fail_msg("%s", d.msg);
  }
  return net;
}

static ucl_net_result *run_ok(const ucl_network *net, int integration) {
  ucl_net_opts o = {.integration = integration};
  ucl_net_result *r = NULL;
  ucl_diag d = {{0}};
  if (ucl_network_run(net, &o, &r, &d) != UCL_OK) {
    fail_msg("%s", d.msg);
  }
  return r;
}

static const char *const two_layer = "[stimulus]\nkind = pulses\namplitude = 7\nduration = 8m\n"
                                     "[neuron.A]\nneuron = type2\n"
                                     "[neuron.B]\namplitude = 6\n"
                                     "[neuron.C]\n"
                                     "[neuron.D]\nneuron = type2\n"
                                     "[synapse.S1]\nfrom = A\nto = C\nR = 4.7k\ntap = axon\n"
                                     "[synapse.S2]\nfrom = B\nto = C\nR = 4.7k\n"
                                     "[synapse.S3]\nfrom = B\nto = D\nR = 2.2k\ndiode = yes\n";

static void test_parse_and_overrides(void **state) {
  (void)state;
  const char *sets[] = {"R1=47k", "C.R1=33k", "S2.R=6.8k", "scr.I_GT=25u"};
  ucl_network *net = parse_ok(two_layer, sets, 4);
  assert_int_equal(net->n_neurons, 4);
  assert_int_equal(net->n_synapses, 3);
  assert_string_equal(net->neurons[0].name, "A");
  assert_int_equal(net->neurons[0].p.circuit.neuron, UCL_NEURON_TYPE2);
  assert_int_equal(net->neurons[0].external, 1); /* no synapses in: external by default */
  assert_int_equal(net->neurons[2].external, 0);
  assert_close(net->neurons[1].p.stim.amplitude, 6.0, 0, 0);
  assert_close(net->neurons[0].p.stim.amplitude, 7.0, 0, 0);
  assert_close(net->neurons[0].p.circuit.R1, 47e3, 1e-12, 0); /* base --set */
  assert_close(net->neurons[2].p.circuit.R1, 33e3, 1e-12, 0); /* NEURON.KEY */
  assert_close(net->neurons[3].p.circuit.scr.I_GT, 25e-6, 1e-12, 0);
  assert_close(net->synapses[1].R, 6.8e3, 1e-12, 0);
  assert_int_equal(net->synapses[0].tap_clamp, 0); /* axon names the output node */
  assert_int_equal(net->synapses[2].diode, 1);
  assert_int_equal(net->synapses[2].from, 1);
  assert_int_equal(net->synapses[2].to, 3);
  assert_int_equal(ucl_network_has_cycle(net), 0);
  ucl_network_destroy(&net);
  net = parse_ok("[neuron.A]\nneuron = type2\n[neuron.B]\n[synapse.S]\nfrom = A\nto = B\n"
                 "tap = clamp\n",
                 NULL, 0);
  assert_int_equal(net->synapses[0].tap_clamp, 1);
  ucl_network_destroy(&net);
}

static void expect_error(const char *text, const char *const *sets, int n_sets,
                         const char *needle) {
  ucl_network *net = NULL;
  ucl_diag d = {{0}};
  ucl_status st = parse(text, sets, n_sets, &net, &d);
  if (st == UCL_OK) {
    ucl_network_destroy(&net);
    fail_msg("accepted a bad network; expected an error with '%s'", needle);
  }
  assert_null(net);
  if (!strstr(d.msg, needle)) {
    fail_msg("message '%s' lacks '%s'", d.msg, needle);
  }
}

static void test_errors_name_the_place(void **state) {
  (void)state;
  expect_error("[neuron.A]\n[synapse.S]\nfrom = A\nto = Z\n", NULL, 0,
               "net.ini:4: [synapse.S] to: no neuron 'Z'");
  expect_error("[neuron.A]\n[synapse.S]\nfrom = A\n", NULL, 0,
               "net.ini:2: [synapse.S] needs both 'from' and 'to'");
  expect_error("[neuron.A]\nrtol = 1e-5\n", NULL, 0, "net.ini:2: [neuron.A] rtol:");
  expect_error("[neuron.A]\nR1 = -3\n", NULL, 0, "net.ini:2: [neuron.A] R1:");
  expect_error("[neuron.A]\nbogus = 1\n", NULL, 0, "net.ini:2: [neuron.A] bogus: unknown key");
  expect_error("[neuron.A]\n[synapse.S]\nfrom = A\nto = A\nR = 0\n", NULL, 0,
               "net.ini:5: [synapse.S] R must be > 0");
  expect_error("[neuron.A]\n[synapse.S]\nfrom = A\nto = A\ndiode = maybe\n", NULL, 0,
               "expected yes or no");
  expect_error("[neuron.A]\n[synapse.S]\nfrom = A\nto = A\ntap = ax\n", NULL, 0,
               "tap: expected out, axon or clamp (got 'ax')");
  expect_error("[network]\nintegration = partitioned\n[neuron.A]\n[synapse.S]\nfrom = A\nto = A\n",
               NULL, 0, "form a cycle");
  expect_error("[layers]\nsizes = 3, 2\n[neuron.A]\n", NULL, 0,
               "net.ini:3: [neuron.A] cannot be combined with the [layers] generator");
  expect_error("[layers]\nsizes = 3, 5\nconnectivity = random\nfan_in = 4\n", NULL, 0,
               "fan_in 4 exceeds layer 1's size 3");
  expect_error("[layers]\nconnectivity = random\n", NULL, 0, "needs 'sizes'");
  expect_error("[network]\n", NULL, 0, "the network has no neurons");
  expect_error("[network]\njacobian = banded\n[neuron.A]\n", NULL, 0,
               "net.ini:2: [network] jacobian: expected dense or sparse (got 'banded')");
  expect_error("[network]\nreinit = never\n[neuron.A]\n", NULL, 0,
               "net.ini:2: [network] reinit: expected all or switches (got 'never')");
  expect_error("[network]\nsolver = klu\n[neuron.A]\n", NULL, 0,
               "net.ini:2: [network] solver: unknown key (integration, jacobian, reinit, "
               "relax.window");
  expect_error("[neuron.a.b]\n", NULL, 0, "only letters, digits");
  const char *bad_set[] = {"Q.R1=5k"};
  expect_error("[neuron.A]\n", bad_set, 1, "--set Q.R1=5k: no neuron or synapse called 'Q'");
  const char *bad_value[] = {"A.width=200u"};
  expect_error("[neuron.A]\n", bad_value, 1, "neuron 'A'");
}

static void test_layers_generator(void **state) {
  (void)state;
  ucl_network *full = parse_ok("[layers]\nsizes = 3, 4, 2\ntypes = type2, type1, type1\n", NULL, 0);
  assert_int_equal(full->n_neurons, 9);
  assert_int_equal(full->n_synapses, 3 * 4 + 4 * 2);
  assert_string_equal(full->neurons[3].name, "L2_1");
  assert_int_equal(full->neurons[0].p.circuit.neuron, UCL_NEURON_TYPE2);
  assert_int_equal(full->neurons[0].external, 1);
  assert_int_equal(full->neurons[3].external, 0);
  ucl_network_destroy(&full);

  const char *text = "[layers]\nsizes = 20, 30, 10\nconnectivity = random\nfan_in = 5\n"
                     "R = 4.7k\nR_max = 47k\nseed = 3\ninput_jitter = 100u\n";
  ucl_network *a = parse_ok(text, NULL, 0);
  ucl_network *b = parse_ok(text, NULL, 0);
  assert_int_equal(a->n_synapses, 30 * 5 + 10 * 5);
  int differ_R = 0;
  for (size_t s = 0; s < a->n_synapses; s++) {
    assert_int_equal(a->synapses[s].from, b->synapses[s].from); /* deterministic */
    assert_true(a->synapses[s].R >= 4.7e3 && a->synapses[s].R <= 47e3);
    differ_R |= a->synapses[s].R != a->synapses[0].R;
    /* sources come from the previous layer, distinct per target */
    size_t to = a->synapses[s].to, from = a->synapses[s].from;
    assert_true((to >= 20 && to < 50 && from < 20) || (to >= 50 && from >= 20 && from < 50));
    for (size_t u = 0; u < s; u++) {
      assert_false(a->synapses[u].to == to && a->synapses[u].from == from);
    }
  }
  assert_true(differ_R);
  int jittered = 0;
  for (size_t i = 1; i < 20; i++) {
    jittered |= a->neurons[i].p.stim.start != a->neurons[0].p.stim.start;
    assert_true(a->neurons[i].p.stim.start < 100e-6);
  }
  assert_true(jittered);
  ucl_network_destroy(&a);
  ucl_network_destroy(&b);
}

/* A one-neuron network gives the single-neuron path's spike times, bit for bit. */
static void test_one_neuron_network_matches_single_path(void **state) {
  (void)state;
  const char *kinds[] = {"type1", "type2"};
  for (int k = 0; k < 2; k++) {
    char text[256];
    snprintf(text, sizeof(text),
             "[circuit]\nneuron = %s\n[stimulus]\nkind = pulses\namplitude = 6.5\n"
             "duration = 15m\n[neuron.solo]\n",
             kinds[k]);
    ucl_network *net = parse_ok(text, NULL, 0);
    ucl_net_result *r = run_ok(net, UCL_NET_AUTO);
    ucl_trace *tr = NULL;
    ucl_sim_opts so = {0};
    ucl_diag d = {{0}};
    assert_int_equal(ucl_sim_run(&net->neurons[0].p, &so, &tr, &d), UCL_OK);
    double *s = NULL;
    size_t n = 0;
    assert_int_equal(ucl_sim_spike_times(tr, &s, &n), UCL_OK);
    assert_true(n > 5);
    assert_int_equal(r->neurons[0].n_spikes, n);
    for (size_t i = 0; i < n; i++) {
      assert_true(r->neurons[0].spikes[i] == s[i]);
    }
    assert_true(r->neurons[0].E_vdd == ucl_trace_quad(tr, 1));
    free(s);
    ucl_trace_destroy(&tr);
    ucl_net_result_destroy(&r);
    ucl_network_destroy(&net);
  }
}

/* The partitioned integration (recorded source trajectories) against the coupled one (one CVODE
 * system): the same spikes, to within the solver tolerance. */
static void test_partitioned_matches_coupled(void **state) {
  (void)state;
  const char *sets[] = {"rtol=1e-7"};
  ucl_network *net = parse_ok(two_layer, sets, 1);
  ucl_net_result *p = run_ok(net, UCL_NET_PARTITIONED);
  ucl_net_result *c = run_ok(net, UCL_NET_COUPLED);
  assert_int_equal(p->integration, UCL_NET_PARTITIONED);
  assert_int_equal(c->integration, UCL_NET_COUPLED);
  for (size_t i = 0; i < net->n_neurons; i++) {
    assert_true(p->neurons[i].n_spikes > 3);
    assert_int_equal(p->neurons[i].n_spikes, c->neurons[i].n_spikes);
    for (size_t k = 0; k < p->neurons[i].n_spikes; k++) {
      assert_close(p->neurons[i].spikes[k], c->neurons[i].spikes[k], 0, 2e-7);
    }
    assert_close(p->neurons[i].E_vdd, c->neurons[i].E_vdd, 1e-3, 0);
    assert_close(p->neurons[i].E_syn, c->neurons[i].E_syn, 1e-3, 1e-12);
  }
  assert_true(p->neurons[2].E_syn > 0.0); /* C is driven through its synapses only */
  assert_true(p->neurons[2].E_in == 0.0);
  ucl_net_result_destroy(&p);
  ucl_net_result_destroy(&c);
  ucl_network_destroy(&net);
}

/* A recurrent pair (A -> B -> A) runs by waveform relaxation under 'auto'. */
static void test_recurrent_runs_relaxed(void **state) {
  (void)state;
  ucl_network *net = parse_ok("[stimulus]\nkind = pulses\namplitude = 7\nduration = 5m\n"
                              "[neuron.A]\ninput = external\n[neuron.B]\n"
                              "[synapse.AB]\nfrom = A\nto = B\nR = 2.2k\n"
                              "[synapse.BA]\nfrom = B\nto = A\nR = 100k\ndiode = yes\n",
                              NULL, 0);
  assert_int_equal(ucl_network_has_cycle(net), 1);
  ucl_net_result *r = run_ok(net, UCL_NET_AUTO);
  assert_int_equal(r->integration, UCL_NET_RELAX);
  assert_true(r->neurons[0].n_spikes > 0);
  ucl_net_opts o = {.integration = UCL_NET_PARTITIONED};
  ucl_net_result *bad = NULL;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_network_run(net, &o, &bad, &d), UCL_ERR_INVAL);
  assert_null(bad);
  assert_non_null(strstr(d.msg, "cycle"));
  ucl_net_result_destroy(&r);
  ucl_network_destroy(&net);
}

/* A recurrent network of n neurons with loops, autapses and both synapse kinds, as spec text:
 * neuron k is type II when k % 4 == 1, else type I; driven by the pulses (start jittered) unless
 * k % 3 == 2 (a relay: driven only by its two predecessors through 10k diode synapses). Loops:
 * each relay feeds the next neuron back (220k, diode), each driven neuron the one five further on
 * (220k, shared node when that one is driven too), and every fifth neuron has an autapse. The
 * weak loop synapses keep the sum of what latched sources push below I_H, so no loop holds an SCR
 * on. 'extra': more [network] lines. */
static char *recurrent_spec(int n, const char *duration, const char *extra) {
  size_t cap = 64000, len = 0;
  char *b = malloc(cap);
  assert_non_null(b);
  len += (size_t)snprintf(b + len, cap - len,
                          "[stimulus]\nkind = pulses\namplitude = 7\nwidth = 10u\nperiod = 100u\n"
                          "duration = %s\n[solver]\nrtol = 1e-7\n[network]\n"
                          "integration = coupled\n%s",
                          duration, extra);
  for (int k = 0; k < n; k++) {
    len += (size_t)snprintf(b + len, cap - len, "[neuron.N%d]\nneuron = %s\n", k,
                            k % 4 == 1 ? "type2" : "type1");
    len += (size_t)(k % 3 == 2 ? snprintf(b + len, cap - len, "input = none\n")
                               : snprintf(b + len, cap - len, "input = external\nstart = %du\n",
                                          (k * 37) % 100));
  }
  int s = 0;
  for (int k = 0; k < n; k++) {
    if (k % 3 == 2) {
      for (int d = 1; d <= 2; d++) {
        len += (size_t)snprintf(b + len, cap - len,
                                "[synapse.S%d]\nfrom = N%d\nto = N%d\nR = 10k\ndiode = yes\n", s++,
                                k - d, k);
      }
      len += (size_t)snprintf(b + len, cap - len,
                              "[synapse.S%d]\nfrom = N%d\nto = N%d\nR = 220k\ndiode = yes\n", s++,
                              k, (k + 1) % n);
    } else {
      int to = (k + 5) % n;
      len += (size_t)snprintf(b + len, cap - len,
                              "[synapse.S%d]\nfrom = N%d\nto = N%d\nR = 220k\ndiode = %s\n", s++, k,
                              to, to % 3 == 2 ? "yes" : "no");
    }
    if (k % 5 == 0) {
      len += (size_t)snprintf(b + len, cap - len,
                              "[synapse.S%d]\nfrom = N%d\nto = N%d\nR = 220k\ndiode = yes\n", s++,
                              k, k);
    }
  }
  assert_true(len < cap);
  return b;
}

/* The same spikes (counts equal, every spike within 1 us) and energies (within 0.1 %) as reference
 * run a. */
static void expect_agreement(const ucl_net_result *a, const ucl_net_result *b) {
  for (size_t i = 0; i < a->n; i++) {
    const ucl_net_neuron_result *x = &a->neurons[i], *y = &b->neurons[i];
    assert_int_equal(y->n_spikes, x->n_spikes);
    for (size_t k = 0; k < x->n_spikes; k++) {
      assert_close(y->spikes[k], x->spikes[k], 0, 1e-6);
    }
    assert_close(y->E_in, x->E_in, 1e-3, 1e-15);
    assert_close(y->E_vdd, x->E_vdd, 1e-3, 1e-15);
    assert_close(y->E_syn, x->E_syn, 1e-3, 1e-15);
  }
}

/* jacobian = sparse (coloured differences, KLU) against the dense coupled reference on a
 * recurrent network of 20 neurons with loops and autapses: the same spike counts, every spike
 * within 1 us, energies within 0.1 %, the same Newton work. And with reinit = switches (CVODE
 * keeps its history at stimulus breaks): the same spikes and energies without those restarts. */
static void test_sparse_matches_dense(void **state) {
  (void)state;
  char *texts[3] = {recurrent_spec(20, "4m", ""), recurrent_spec(20, "4m", "jacobian = sparse\n"),
                    recurrent_spec(20, "4m", "jacobian = sparse\nreinit = switches\n")};
  ucl_network *net[3];
  ucl_net_result *r[3];
  for (int k = 0; k < 3; k++) {
    net[k] = parse_ok(texts[k], NULL, 0);
    r[k] = run_ok(net[k], UCL_NET_COUPLED);
  }
  assert_int_equal(ucl_network_has_cycle(net[0]), 1);
  assert_int_equal(net[0]->jacobian, UCL_NET_JAC_DENSE);
  assert_int_equal(net[1]->jacobian, UCL_NET_JAC_SPARSE);
  assert_int_equal(net[2]->reinit, UCL_NET_REINIT_SWITCHES);
  size_t relays_firing = 0, total = 0;
  for (size_t i = 0; i < net[0]->n_neurons; i++) {
    relays_firing += i % 3 == 2 && r[0]->neurons[i].n_spikes > 0;
    total += r[0]->neurons[i].n_spikes;
  }
  assert_true(relays_firing >= 4); /* activity crosses the network */
  assert_true(total > 60);
  for (int k = 1; k < 3; k++) {
    expect_agreement(r[0], r[k]);
  }
  const ucl_solver_stats *d = &r[0]->stats, *sp = &r[1]->stats;
  assert_close((double)sp->nonlin_iters, (double)d->nonlin_iters, 0.05, 0);
  assert_true(sp->rhs_evals < d->rhs_evals);
  /* restarts: at breaks and events; at events only */
  assert_int_equal(sp->reinits, sp->breaks + (long)r[1]->events);
  assert_int_equal(r[2]->stats.reinits, (long)r[2]->events);
  assert_true(r[2]->stats.breaks > 100);
  for (int k = 0; k < 3; k++) {
    free(texts[k]);
    ucl_net_result_destroy(&r[k]);
    ucl_network_destroy(&net[k]);
  }
}

static size_t n3_spikes(const char *extra, ucl_net_result **keep) {
  const char *sets[1] = {extra};
  ucl_network *net = NULL;
  ucl_diag d = {{0}};
  if (ucl_network_load(UCL_SOURCE_DIR "/sweeps/paper/fig4-network.ini", sets, extra ? 1 : 0, &net,
                       &d) != UCL_OK) {
    fail_msg("%s", d.msg);
  }
  ucl_net_result *r = run_ok(net, UCL_NET_AUTO);
  long n3 = ucl_network_find(net, "N3");
  assert_true(n3 >= 0);
  size_t n = r->neurons[n3].n_spikes;
  if (keep) {
    *keep = r;
  } else {
    ucl_net_result_destroy(&r);
  }
  ucl_network_destroy(&net);
  return n;
}

/* Fig. 4: N3 fires only when N1 and N2 drive it together, and its rate falls as N1 adapts. */
static void test_fig4_behaviour(void **state) {
  (void)state;
  ucl_net_result *r = NULL;
  size_t both = n3_spikes(NULL, &r);
  assert_true(both >= 6);
  assert_int_equal(n3_spikes("N1.amplitude=0", NULL), 0); /* N2 alone */
  assert_int_equal(n3_spikes("N2.amplitude=0", NULL), 0); /* N1 alone */
  /* N1 adapts: its ISIs grow; N3 follows: its first-ISI rate is well above its steady rate (the
   * ISIs that end in the last half of the window; docs/features.md) */
  const ucl_net_neuron_result *n1 = &r->neurons[0], *n3 = &r->neurons[2];
  assert_true(n1->spikes[2] - n1->spikes[1] <
              0.5 * (n1->spikes[n1->n_spikes - 1] - n1->spikes[n1->n_spikes - 2]));
  ucl_train_features f;
  ucl_features_train(n3->spikes, n3->n_spikes, 0.0, 30e-3, &f);
  if (!(f.rate_first_isi_Hz > 2.0 * f.rate_steady_Hz) || !(f.rate_steady_Hz > 0.0)) {
    fail_msg("N3: first-ISI rate %g Hz, steady rate %g Hz", f.rate_first_isi_Hz, f.rate_steady_Hz);
  }
  ucl_net_result_destroy(&r);
}

/* Mean rise of a type I target's membrane per spike of a source of type 'src' (7 V train)
 * through one 10 kOhm synapse, over the source's first three spikes: the largest V_mem within
 * 200 us of a latch minus V_mem at the latch. The target's I_GT is out of reach, so it only
 * integrates. 'tap' is the synapse's tap. */
static double membrane_step(const char *src, const char *tap) {
  char text[512];
  snprintf(text, sizeof(text),
           "[stimulus]\nkind = pulses\namplitude = 7\nduration = 4m\n[neuron.A]\nneuron = %s\n"
           "[neuron.B]\nneuron = type1\nscr.I_GT = 1\n[synapse.S]\nfrom = A\nto = B\nR = 10k\n"
           "tap = %s\n",
           src, tap);
  ucl_network *net = parse_ok(text, NULL, 0);
  ucl_net_opts o = {.integration = UCL_NET_AUTO, .sample_dt = 1e-6, .max_samples = 100000};
  ucl_net_result *r = NULL;
  ucl_diag d = {{0}};
  if (ucl_network_run(net, &o, &r, &d) != UCL_OK) {
    fail_msg("%s", d.msg);
  }
  int k = ucl_trace_channel_index(r->waveforms, "B.V_mem_V");
  assert_true(k >= 0);
  assert_true(r->neurons[0].n_spikes >= 3);
  assert_int_equal(r->neurons[1].n_spikes, 0);
  double sum = 0.0;
  for (size_t s = 0; s < 3; s++) {
    double t0 = r->neurons[0].spikes[s], v0 = NAN, vmax = -INFINITY;
    for (size_t i = 0; i < ucl_trace_n_samples(r->waveforms); i++) {
      const double *row = ucl_trace_sample(r->waveforms, i);
      if (row[0] <= t0) {
        v0 = row[1 + k];
      } else if (row[0] <= t0 + 200e-6) {
        vmax = fmax(vmax, row[1 + k]);
      }
    }
    sum += vmax - v0;
  }
  ucl_net_result_destroy(&r);
  ucl_network_destroy(&net);
  return sum / 3.0;
}

/* A type II neuron drives a type I neuron through a 10 kOhm synapse as a type I neuron does:
 * the membrane step per spike within 30 %; from the node after R6 (tap = clamp) it is a
 * fraction of that. */
static void test_type2_drives_downstream(void **state) {
  (void)state;
  double s1 = membrane_step("type1", "out"), s2 = membrane_step("type2", "out");
  if (!(s1 > 0.3) || !(fabs(s2 - s1) <= 0.3 * s1)) {
    fail_msg("membrane step per spike: %g V from a type II source, %g V from a type I", s2, s1);
  }
  assert_true(membrane_step("type2", "clamp") < 0.5 * s1);
}

static double two_volts(void *ctx, double t) {
  (void)ctx;
  (void)t;
  return 2.0;
}

/* ucl_neuron_set_inputs refuses a resistance that is not > 0 and too many synapses. */
static void test_set_inputs_checks(void **state) {
  (void)state;
  ucl_params p;
  ucl_params_default(&p);
  ucl_neuron *n = NULL;
  assert_int_equal(ucl_neuron_create(&p, &n, NULL), UCL_OK);
  ucl_syn_input in = {0.0, 0, two_volts, NULL};
  ucl_diag d = {{0}};
  assert_int_equal(ucl_neuron_set_inputs(n, 1, &in, 1, &d), UCL_ERR_INVAL);
  assert_non_null(strstr(d.msg, "must be > 0"));
  assert_int_equal(ucl_neuron_set_inputs(n, 1, &in, UCL_MAX_FAN_IN + 1, &d), UCL_ERR_RANGE);
  in.R = 10e3;
  assert_int_equal(ucl_neuron_set_inputs(n, 0, &in, 1, &d), UCL_OK);
  assert_int_equal(ucl_neuron_system(n)->n_quads, 3); /* E_syn joins */
  ucl_neuron_destroy(&n);
}

/* ---- the neurons.csv and events.csv tables ---- */

/* Write one row of table t from 'parts' to a file with t's header, and parse it back into *b
 * (the caller frees it). */
static void write_and_read(const ucl_table *t, const void *const *parts, ucl_test_csv *b) {
  char path[] = "/tmp/ucl_netcols_XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);
  const char *names[64];
  assert_true(t->n <= 64);
  ucl_table_names(t, names);
  ucl_csv_writer *w = NULL;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_csv_open(path, names, (int)t->n, &w, &d), UCL_OK);
  assert_int_equal(ucl_table_write_row(t, parts, w, &d), UCL_OK);
  assert_int_equal(ucl_csv_commit(&w, &d), UCL_OK);
  ucl_test_csv_read(path, b);
  unlink(path);
  assert_int_equal(b->rows, 2);
  assert_int_equal(b->n[0], t->n);
  assert_int_equal(b->n[1], t->n);
}

/* What each column must hold, written down independently of the table: a text, or a number
 * that must read back exactly. */
typedef struct oracle {
  const char *name;
  const char *text; /* NULL: a number */
  double value;
} oracle;

static void check_oracle(const ucl_test_csv *b, const oracle *o, size_t n) {
  assert_int_equal(b->n[0], n); /* no column without an oracle */
  for (size_t k = 0; k < n; k++) {
    const char *got = ucl_test_csv_field(b, 1, o[k].name);
    if (o[k].text) {
      if (strcmp(got, o[k].text) != 0) {
        fail_msg("%s = '%s', expected '%s'", o[k].name, got, o[k].text);
      }
    } else {
      char *end = NULL;
      double v = strtod(got, &end);
      if (end == got || *end != '\0' || v != o[k].value) {
        fail_msg("%s = '%s', expected %.17g", o[k].name, got, o[k].value);
      }
    }
  }
}

static void test_neurons_table_round_trip(void **state) {
  (void)state;
  /* every field a column could read, each a distinct value */
  ucl_net_neuron nn;
  memset(&nn, 0, sizeof(nn));
  snprintf(nn.name, sizeof(nn.name), "Nx7");
  ucl_params_default(&nn.p);
  nn.p.circuit.neuron = UCL_NEURON_TYPE2;
  nn.external = 1;
  ucl_net_neuron_result nr;
  memset(&nr, 0, sizeof(nr));
  nr.n_spikes = 91; /* the features' spikes is the column's */
  nr.E_in = 1.25e-7;
  nr.E_vdd = 2.5e-7;
  nr.E_syn = 3.75e-8;
  nr.t_reached = 0.0123;
  nr.stats.steps = 4321;
  nr.stats.rhs_evals = 8642;
  nr.stats.reinits = 77;
  nr.status = UCL_ERR_LIMIT;
  snprintf(nr.reason, sizeof(nr.reason), "step limit, \"quoted\"");
  ucl_net_neuron_features f;
  memset(&f, 0, sizeof(f));
  f.fan_in = 3;
  f.spikes = 17;
  f.train.spikes = 99;
  f.train.rate_mean_Hz = 101.5;
  f.train.rate_first_isi_Hz = 202.25;
  f.train.rate_steady_Hz = 303.125;
  f.train.latency_s = 0.0041;
  f.train.isi_mean_s = 0.0052;
  f.train.isi_cv = 0.63;
  f.train.adapt_index_efel = 0.074;
  f.train.adapt_index_ipfx = 0.085;
  f.adapt.tau_s = 0.0096;
  f.adapt.r0_Hz = 404.0;
  f.adapt.rinf_Hz = 505.0;
  f.adapt.r2 = 0.97;
  f.E_per_spike_J = 1.1e-6;
  const oracle want[] = {
      {"neuron", "Nx7", 0},
      {"type", "type2", 0},
      {"input", "external", 0},
      {"fan_in", NULL, 3},
      {"spikes", NULL, 17},
      {"rate_Hz", NULL, 101.5},
      {"rate_first_isi_Hz", NULL, 202.25},
      {"rate_steady_Hz", NULL, 303.125},
      {"latency_s", NULL, 0.0041},
      {"isi_mean_s", NULL, 0.0052},
      {"isi_cv", NULL, 0.63},
      {"adapt_index_efel", NULL, 0.074},
      {"adapt_index_ipfx", NULL, 0.085},
      {"tau_adapt_s", NULL, 0.0096},
      {"rate_adapt_r2", NULL, 0.97},
      {"E_in_J", NULL, 1.25e-7},
      {"E_vdd_J", NULL, 2.5e-7},
      {"E_syn_J", NULL, 3.75e-8},
      {"E_per_spike_J", NULL, 1.1e-6},
      {"steps", NULL, 4321},
      {"status", "limit", 0},
      {"reason", "step limit, \"quoted\"", 0},
  };
  const void *parts[UCL_NET_NEURON_PARTS] = {NULL};
  parts[UCL_NET_NEURON_PART_NEURON] = &nn;
  parts[UCL_NET_NEURON_PART_RESULT] = &nr;
  parts[UCL_NET_NEURON_PART_FEATURES] = &f;
  ucl_test_csv b;
  write_and_read(ucl_net_neurons_table(), parts, &b);
  check_oracle(&b, want, sizeof(want) / sizeof(want[0]));
  ucl_test_csv_free(&b);
  /* a neuron without an external input, a NAN feature (empty field), an ok status */
  nn.external = 0;
  nn.p.circuit.neuron = UCL_NEURON_TYPE1;
  f.train.isi_cv = NAN;
  nr.status = UCL_OK;
  nr.reason[0] = '\0';
  write_and_read(ucl_net_neurons_table(), parts, &b);
  assert_string_equal(ucl_test_csv_field(&b, 1, "input"), "none");
  assert_string_equal(ucl_test_csv_field(&b, 1, "type"), "type1");
  assert_string_equal(ucl_test_csv_field(&b, 1, "isi_cv"), "");
  assert_string_equal(ucl_test_csv_field(&b, 1, "status"), "ok");
  assert_string_equal(ucl_test_csv_field(&b, 1, "reason"), "");
  ucl_test_csv_free(&b);
}

static void test_events_table_round_trip(void **state) {
  (void)state;
  ucl_net_neuron nn;
  memset(&nn, 0, sizeof(nn));
  snprintf(nn.name, sizeof(nn.name), "L2_17");
  ucl_net_spike sp = {0.00123456789, 5};
  const void *parts[UCL_NET_EVENT_PARTS];
  parts[UCL_NET_EVENT_PART_SPIKE] = &sp;
  parts[UCL_NET_EVENT_PART_NEURON] = &nn;
  const oracle want[] = {
      {"t_s", NULL, 0.00123456789}, {"neuron", "L2_17", 0}, {"kind", "spike", 0}};
  ucl_test_csv b;
  write_and_read(ucl_net_events_table(), parts, &b);
  check_oracle(&b, want, sizeof(want) / sizeof(want[0]));
  ucl_test_csv_free(&b);
}

/* ucl_net_measure: a run's features against the features module on its own spikes. */
static void test_measure_features(void **state) {
  (void)state;
  ucl_network *net = parse_ok(two_layer, NULL, 0);
  ucl_net_result *r = run_ok(net, UCL_NET_PARTITIONED);
  ucl_net_neuron_features *f = NULL;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_net_measure(net, r, &f, &d), UCL_OK);
  const long fan_in[] = {0, 0, 2, 1};
  for (size_t i = 0; i < r->n; i++) {
    assert_int_equal(f[i].fan_in, fan_in[i]);
    assert_int_equal(f[i].spikes, (long)r->neurons[i].n_spikes);
    assert_close(f[i].train.rate_mean_Hz, (double)r->neurons[i].n_spikes / net->base.stim.duration,
                 1e-12, 0);
    double E = r->neurons[i].E_in + r->neurons[i].E_vdd + r->neurons[i].E_syn;
    if (r->neurons[i].n_spikes) {
      assert_close(f[i].E_per_spike_J, E / (double)r->neurons[i].n_spikes, 1e-12, 0);
    } else {
      assert_true(isnan(f[i].E_per_spike_J));
    }
  }
  free(f);
  ucl_net_result_destroy(&r);
  ucl_network_destroy(&net);
}

/* A network sweep's rows (netsweep.h): the headers from the sweep's keys and neurons, a row per
 * point with the swept values (numbers and choices), totals and per-neuron columns that agree
 * with its neurons.csv rows, and a failed point as a row with its status. */
static void test_netsweep_rows(void **state) {
  (void)state;
  static const char spec[] = "[run]\nname = nsw\n[stimulus]\nkind = pulses\namplitude = 7\n"
                             "duration = 3m\n[neuron.A]\n[neuron.B]\n[synapse.S]\nfrom = A\n"
                             "to = B\ntap = axon\n[sweep]\nS.R = 2.2k\nA.neuron = type1, type2\n"
                             "max_steps = 40, 5000000\n";
  ucl_sweep *sw = NULL;
  ucl_diag d = {{0}};
  if (ucl_sweep_parse("nsw.ini", spec, &sw, &d) != UCL_OK) {
    fail_msg("%s", d.msg);
  }
  char *ph = NULL, *nh = NULL;
  assert_int_equal(ucl_netsweep_layout(sw, &ph, &nh, &d), UCL_OK);
  assert_string_equal(ph, "\"point\",\"status\",\"reason\",\"S.R\",\"A.neuron\",\"max_steps\","
                          "\"neurons\",\"spikes\",\"neurons_silent\",\"neurons_failed\","
                          "\"E_total_J\",\"A.spikes\",\"A.rate_Hz\",\"B.spikes\",\"B.rate_Hz\"");
  assert_true(strncmp(nh, "\"point\",\"neuron\",\"type\",\"input\",\"fan_in\",\"spikes\"", 49) ==
              0);
  assert_non_null(strstr(nh, ",\"steps\",\"status\",\"reason\""));
  int n_failed = 0;
  for (long i = 0; i < ucl_sweep_count(sw); i++) {
    char *prow = NULL, *nrows = NULL;
    size_t plen = 0, nlen = 0;
    int failed = -1;
    assert_int_equal(ucl_netsweep_point(sw, i, 0.0, NULL, &prow, &plen, &nrows, &nlen, &failed, &d),
                     UCL_OK);
    ucl_test_csv P, C;
    ucl_test_csv_parse(prow, plen, &P);
    ucl_test_csv_parse(nrows, nlen, &C);
    assert_int_equal(P.rows, 1);
    assert_int_equal(P.n[0], 15);
    assert_int_equal(strtol(P.f[0][0], NULL, 10), i);
    assert_string_equal(P.f[0][3], "2200"); /* a number at full precision */
    assert_true(strcmp(P.f[0][4], "type1") == 0 || strcmp(P.f[0][4], "type2") == 0);
    assert_int_equal(failed, strcmp(P.f[0][1], "ok") != 0);
    n_failed += failed;
    if (failed) {
      assert_string_equal(P.f[0][1], "limit");
      assert_non_null(strstr(P.f[0][2], "neuron 'A'"));
    } else {
      assert_string_equal(P.f[0][2], "");
    }
    assert_string_equal(P.f[0][6], "2"); /* neurons */
    assert_int_equal(C.rows, 2);
    long total = 0;
    for (int k = 0; k < 2; k++) {
      assert_int_equal(C.n[k], 23);
      assert_int_equal(strtol(C.f[k][0], NULL, 10), i);
      assert_string_equal(C.f[k][1], k ? "B" : "A");
      long spikes = strtol(C.f[k][5], NULL, 10);
      total += spikes;
      assert_int_equal(strtol(P.f[0][11 + 2 * k], NULL, 10), spikes); /* NEURON.spikes */
      assert_close(strtod(P.f[0][12 + 2 * k], NULL), (double)spikes / 3e-3, 1e-12, 0);
    }
    assert_int_equal(strtol(P.f[0][7], NULL, 10), total);
    ucl_test_csv_free(&P);
    ucl_test_csv_free(&C);
    free(prow);
    free(nrows);
  }
  assert_int_equal(n_failed, 2); /* max_steps = 40 */
  free(ph);
  free(nh);
  ucl_sweep_destroy(&sw);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse_and_overrides),
      cmocka_unit_test(test_errors_name_the_place),
      cmocka_unit_test(test_layers_generator),
      cmocka_unit_test(test_one_neuron_network_matches_single_path),
      cmocka_unit_test(test_partitioned_matches_coupled),
      cmocka_unit_test(test_recurrent_runs_relaxed),
      cmocka_unit_test(test_sparse_matches_dense),
      cmocka_unit_test(test_fig4_behaviour),
      cmocka_unit_test(test_type2_drives_downstream),
      cmocka_unit_test(test_set_inputs_checks),
      cmocka_unit_test(test_neurons_table_round_trip),
      cmocka_unit_test(test_events_table_round_trip),
      cmocka_unit_test(test_measure_features),
      cmocka_unit_test(test_netsweep_rows),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
