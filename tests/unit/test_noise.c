/* test_noise.c — transient noise and switching jitter (noise.h; docs/model.md, Noise):
 *  - the sources: their variance is 4kTR·B·151/315, their values a pure function of (seed,
 *    stream, unit, source, t), whatever was evaluated before;
 *  - the physics check: the membrane of a type I neuron at rest (SCR off, input 0 V) is an RC
 *    of C and R1 + R2; with thermal noise on its voltage has the variance kT/C within 5 % and
 *    the spectrum of a first-order low-pass with its corner at 1/(2π(R1 + R2)C) within 10 %;
 *  - jitter: a log-normal factor with median 1, and the threshold moves per latch;
 *  - with noise off, nothing of a run changes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "uclif/circuit.h"
#include "uclif/devices.h"
#include "uclif/noise.h"
#include "uclif/scr.h"
#include "uclif/sim.h"
#include "uclif/spec.h"
#include "uclif/system.h"
#include "uclif/thermal.h"

#include "testutil.h"

#define PI 3.14159265358979323846

static void test_source_variance(void **state) {
  (void)state;
  ucl_noise *g = NULL;
  const double B = 1e5, R = 1e6, T = 300.0;
  assert_int_equal(ucl_noise_create(B, 7, 3, 0, 0, 2, &g), UCL_OK);
  assert_int_equal(ucl_noise_add_resistor(g, R, T), 0);
  assert_int_equal(ucl_noise_add_resistor(g, 4 * R, T), 1);
  assert_int_equal(ucl_noise_add_resistor(g, R, T), -1); /* full */
  const double h = ucl_noise_knot_spacing(g);
  assert_true(fabs(h - 5e-6) < 1e-18);
  /* samples at times spread evenly over the knot intervals: 200,000 values, ~10^5 independent */
  double s1[2] = {0, 0}, s2[2] = {0, 0}, e[2];
  const long n = 200000;
  for (long i = 0; i < n; i++) {
    double t = (i + 0.37) * 0.5 * h;
    ucl_noise_eval(g, t, e);
    for (int k = 0; k < 2; k++) {
      s1[k] += e[k];
      s2[k] += e[k] * e[k];
    }
  }
  for (int k = 0; k < 2; k++) {
    double var = s2[k] / n - (s1[k] / n) * (s1[k] / n);
    double want = 4.0 * UCL_BOLTZMANN * T * R * (k ? 4.0 : 1.0) * B * 151.0 / 315.0;
    assert_true(fabs(var / want - 1.0) < 0.02);
    assert_true(fabs(s1[k] / n) < 0.02 * sqrt(want));
  }
  ucl_noise_destroy(&g);
  assert_null(g);
}

/* The values are a pure function of their keys: evaluated backwards, jumping, or from a second
 * generator, the same; another seed, stream, unit or source gives other values. */
static void test_source_pure(void **state) {
  (void)state;
  ucl_noise *a = NULL, *b = NULL, *c = NULL;
  assert_int_equal(ucl_noise_create(1e6, 1, 5, 2, 0, 2, &a), UCL_OK);
  assert_int_equal(ucl_noise_create(1e6, 1, 5, 2, 0, 2, &b), UCL_OK);
  for (int k = 0; k < 2; k++) {
    assert_int_equal(ucl_noise_add_resistor(a, 1e3, 300), k);
    assert_int_equal(ucl_noise_add_resistor(b, 1e3, 300), k);
  }
  double fwd[100][2], e[2];
  for (int i = 0; i < 100; i++) {
    ucl_noise_eval(a, i * 1.3e-7, fwd[i]);
  }
  for (int i = 99; i >= 0; i -= 3) {
    ucl_noise_eval(b, i * 1.3e-7, e);
    assert_memory_equal(e, fwd[i], sizeof(e));
  }
  assert_true(fwd[10][0] != fwd[10][1]); /* two sources, two streams */
  static const uint64_t keys[][4] = {{2, 5, 2, 0}, {1, 6, 2, 0}, {1, 5, 3, 0}, {1, 5, 2, 1}};
  for (int k = 0; k < 4; k++) {
    assert_int_equal(ucl_noise_create(1e6, keys[k][0], keys[k][1], keys[k][2], keys[k][3], 1, &c),
                     UCL_OK);
    assert_int_equal(ucl_noise_add_resistor(c, 1e3, 300), 0);
    ucl_noise_eval(c, 10 * 1.3e-7, e);
    assert_true(e[0] != fwd[10][0]);
    ucl_noise_destroy(&c);
  }
  /* continuous across a knot: the spline has no jumps */
  double h = ucl_noise_knot_spacing(a), l[2], r[2];
  ucl_noise_eval(a, 7 * h - 1e-15, l);
  ucl_noise_eval(a, 7 * h, r);
  assert_true(fabs(l[0] - r[0]) < 1e-6 * (fabs(r[0]) + 1e-12));
  ucl_noise_destroy(&a);
  ucl_noise_destroy(&b);
}

/* ---- the physics check ---- */

/* In-place radix-2 FFT of n (a power of 2) complex values re[k] + i·im[k]. */
static void fft(double *re, double *im, size_t n) {
  for (size_t i = 1, j = 0; i < n; i++) {
    size_t bit = n >> 1;
    for (; j & bit; bit >>= 1) {
      j ^= bit;
    }
    j ^= bit;
    if (i < j) {
      double t = re[i];
      re[i] = re[j];
      re[j] = t;
      t = im[i];
      im[i] = im[j];
      im[j] = t;
    }
  }
  for (size_t len = 2; len <= n; len <<= 1) {
    double ang = -2.0 * PI / (double)len;
    for (size_t i = 0; i < n; i += len) {
      for (size_t k = 0; k < len / 2; k++) {
        double wr = cos(ang * (double)k), wi = sin(ang * (double)k);
        double ur = re[i + k], ui = im[i + k];
        double vr = re[i + k + len / 2] * wr - im[i + k + len / 2] * wi;
        double vi = re[i + k + len / 2] * wi + im[i + k + len / 2] * wr;
        re[i + k] = ur + vr;
        im[i + k] = ui + vi;
        re[i + k + len / 2] = ur - vr;
        im[i + k + len / 2] = ui - vi;
      }
    }
  }
}

#define SEG 1024

/* The membrane at rest with thermal noise: variance against kT/C, and the corner of its spectrum
 * (Welch: Hann-windowed segments of SEG samples, half overlapping) against 1/(2π(R1+R2)C). */
static void check_rc(uint64_t seed, double *var_ratio, double *fc_ratio) {
  char s_seed[48];
  snprintf(s_seed, sizeof(s_seed), "noise.seed=%llu", (unsigned long long)seed);
  /* the default tolerances (rtol 1e-4, atol 10 nV: well under the 5.3 uV of kT/C here). D.Is
   * at 1 fA: the input diode's zero-bias conductance (Is/(n·U_T): 18 MOhm at its default 2.52 nA)
   * is a dissipation without thermal noise (a junction's noise is shot noise, docs/model.md,
   * Noise) and would take 2.5 % off kT/C; at 1 fA it is 45 GOhm, and the membrane sees R1 + R2
   * alone. */
  const char *sets[] = {"kind=dc",          "amplitude=0",          "C=150p",  "duration=0.4",
                        "noise.thermal=on", "noise.bandwidth=250k", "D.Is=1f", s_seed};
  ucl_params p = ucl_test_config(sets, (int)(sizeof(sets) / sizeof(sets[0])));
  const double dt = 10e-6;
  ucl_sim_opts o = {.sample_dt = dt, .max_samples = 100000};
  ucl_trace *tr = NULL;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_sim_run(&p, &o, &tr, &d), UCL_OK);
  assert_int_equal(ucl_sim_spike_count(tr), 0);
  int ch = ucl_trace_channel_index(tr, "V_mem_V");
  assert_true(ch >= 0);
  size_t n = ucl_trace_n_samples(tr);
  double R = p.circuit.R1 + p.circuit.R2, C = p.circuit.C, tau = R * C;
  size_t skip = (size_t)(10.0 * tau / dt) + 1; /* from V_m0 = 0, the mean: a short settling */
  size_t m = n - skip;
  double *v = malloc(m * sizeof(double));
  assert_non_null(v);
  double mean = 0.0;
  for (size_t i = 0; i < m; i++) {
    v[i] = ucl_trace_sample(tr, skip + i)[1 + ch];
    mean += v[i];
  }
  mean /= (double)m;
  double var = 0.0;
  for (size_t i = 0; i < m; i++) {
    v[i] -= mean;
    var += v[i] * v[i];
  }
  var /= (double)(m - 1);
  *var_ratio = var / (UCL_BOLTZMANN * p.circuit.temp / C);

  double *psd = calloc(SEG / 2, sizeof(double)), re[SEG], im[SEG], wsum = 0.0;
  assert_non_null(psd);
  for (int k = 0; k < SEG; k++) {
    double w = 0.5 - 0.5 * cos(2.0 * PI * k / SEG);
    wsum += w * w;
  }
  int segs = 0;
  for (size_t s0 = 0; s0 + SEG <= m; s0 += SEG / 2, segs++) {
    for (int k = 0; k < SEG; k++) {
      re[k] = v[s0 + k] * (0.5 - 0.5 * cos(2.0 * PI * k / SEG));
      im[k] = 0.0;
    }
    fft(re, im, SEG);
    for (int k = 1; k < SEG / 2; k++) {
      psd[k] += 2.0 * dt * (re[k] * re[k] + im[k] * im[k]) / wsum; /* one-sided, V²/Hz */
    }
  }
  assert_true(segs >= 10);
  /* the corner: least squares on log S (the estimate's scatter is a factor, the same at every
   * frequency) of log S0 − log(1 + (f/x)²) over fc/4 .. 4·fc, S0 in closed form for each x,
   * x on a fine logarithmic grid from fc/3 to 3·fc */
  double fc = 1.0 / (2.0 * PI * tau), df = 1.0 / (SEG * dt), best = INFINITY;
  for (int g = 0; g <= 4000; g++) {
    double x = fc * exp(log(3.0) * (g / 2000.0 - 1.0));
    double sum = 0.0, sum2 = 0.0;
    int nf = 0;
    for (int k = 1; k < SEG / 2; k++) {
      double f = k * df;
      if (f >= 0.25 * fc && f <= 4.0 * fc) {
        double r = log(psd[k] / segs) + log(1.0 + (f / x) * (f / x));
        sum += r;
        sum2 += r * r;
        nf++;
      }
    }
    double rss = sum2 - sum * sum / nf;
    if (rss < best) {
      best = rss;
      *fc_ratio = x / fc;
    }
  }
  free(psd);
  free(v);
  ucl_trace_destroy(&tr);
}

/* Three seeds of 0.4 s (5,800 time constants each): the pooled variance within 5 % of kT/C (its
 * standard error is ~1 %; the band limit takes 1.9 %: the fraction of the RC's noise above
 * B = 250 kHz), each seed's corner within 10 %. With UCL_TEST_REDUCED (the sanitizer build,
 * tests/run.sh) seed 1 alone: the same code, a third of the integration; the statistics of
 * three seeds are the release build's check. */
static void test_kt_over_c(void **state) {
  (void)state;
  double vsum = 0.0;
  const char *reduced = getenv("UCL_TEST_REDUCED");
  const int seeds = reduced && *reduced ? 1 : 3;
  for (uint64_t seed = 1; seed <= (uint64_t)seeds; seed++) {
    double vr, fr;
    check_rc(seed, &vr, &fr);
    print_message("seed %d: variance / (kT/C) = %.4f, corner / (1/(2 pi (R1+R2) C)) = %.4f\n",
                  (int)seed, vr, fr);
    assert_true(fabs(fr - 1.0) < 0.10);
    vsum += vr;
  }
  print_message("pooled: variance / (kT/C) = %.4f\n", vsum / seeds);
  assert_true(fabs(vsum / seeds - 1.0) < 0.05);
}

/* The adaptation capacitor of a type II neuron at rest (loop = peak: R7 across C2, D2 off) with
 * C2 = 150 pF: an RC of C2 and R7 (corner 10.6 kHz); its voltage's variance is kT/C2 within 5 %
 * (B = 2 MHz takes 1 %, D2's noiseless zero-bias conductance 0.6 %). This checks the noise of R7
 * where it enters the loop (M10a), as test_kt_over_c checks R1 and R2 at the gate. */
static void test_kt_over_c2(void **state) {
  (void)state;
  const char *sets[] = {"neuron=type2", "kind=dc",          "amplitude=0",         "C2=150p",
                        "duration=80m", "noise.thermal=on", "noise.bandwidth=2meg"};
  ucl_params p = ucl_test_config(sets, (int)(sizeof(sets) / sizeof(sets[0])));
  ucl_sim_opts o = {.sample_dt = 5e-6, .max_samples = 100000};
  ucl_trace *tr = NULL;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_sim_run(&p, &o, &tr, &d), UCL_OK);
  int ch = ucl_trace_channel_index(tr, "V_C2_V");
  assert_true(ch >= 0);
  double s1 = 0.0, s2 = 0.0;
  size_t m = 0;
  for (size_t i = 0; i < ucl_trace_n_samples(tr); i++) {
    const double *row = ucl_trace_sample(tr, i);
    if (row[0] > 20.0 * p.circuit.R7 * p.circuit.C2) {
      s1 += row[1 + ch];
      s2 += row[1 + ch] * row[1 + ch];
      m++;
    }
  }
  double var = (s2 - s1 * s1 / (double)m) / (double)(m - 1);
  double ratio = var / (UCL_BOLTZMANN * p.circuit.temp / p.circuit.C2);
  print_message("C2: variance / (kT/C2) = %.4f\n", ratio);
  assert_true(fabs(ratio - 1.0) < 0.05);
  ucl_trace_destroy(&tr);
}

/* ---- Kirchhoff's laws with constant sources ---- */

/* A source in series with its resistor R from node a to node b makes the resistor's current
 * (V_a − V_b + e)/R (docs/model.md, Noise). With every source held at a chosen constant
 * (ucl_neuron_noise_constant), the solved operating point (ucl_neuron_solve), the right-hand
 * side and the switching function of the neuron must satisfy Kirchhoff's current law at every
 * node a resistor touches, with the devices' currents recomputed here from their own models
 * (devices.h, scr.h): a source that enters one of its places with the wrong sign, or as another
 * resistor's, breaks a balance by 2e/R. */

#define KCL_E 0.05 /* V: far above thermal noise, so that a wrong sign is a large imbalance */

typedef struct kcl_dev {
  ucl_circuit_params c;
  ucl_junction d, d2, gk;
  ucl_mos t1, t2, t3;
  ucl_scr_tt tt;
} kcl_dev;

typedef struct kcl_syn {
  double v; /* V, the synapse's source, constant */
} kcl_syn;

static double kcl_syn_source(void *ctx, double t) {
  (void)t;
  return ((const kcl_syn *)ctx)->v;
}

/* Both sides of one balance (A or V) agree to 1e-9 of their size (the node solves stop at
 * 1e-13 V); 'what' names the node and the source set for a failure. */
static void kcl_eq(const char *what, const char *where, double lhs, double rhs) {
  if (!(fabs(lhs - rhs) <= 1e-9 * (fabs(lhs) + fabs(rhs)) + 1e-15)) {
    fail_msg("%s, %s: %.12g != %.12g (difference %.3g)", what, where, lhs, rhs, lhs - rhs);
  }
}

static void kcl_devices(const ucl_params *p, kcl_dev *k) {
  ucl_diag d = {{0}};
  assert_int_equal(ucl_circuit_at_temp(&p->circuit, &k->c, &d), UCL_OK);
  double ut = ucl_thermal_voltage(k->c.temp);
  k->d = (ucl_junction){k->c.D.Is, k->c.D.n * ut};
  k->d2 = (ucl_junction){k->c.D2.Is, k->c.D2.n * ut};
  k->gk = (ucl_junction){k->c.scr.Is_gk, k->c.scr.n_gk * ut};
  assert_int_equal(ucl_mos_init(&k->c.T1, ut, &k->t1, &d), UCL_OK);
  assert_int_equal(ucl_mos_init(&k->c.T2, ut, &k->t2, &d), UCL_OK);
  assert_int_equal(ucl_mos_init(&k->c.T3, ut, &k->t3, &d), UCL_OK);
  ucl_scr_tt_init(&k->c.scr, ut, &k->tt);
}

/* Every balance of neuron n (built from p, SCR mode 'on', state y, sources e[0 .. 7 + n_syn]
 * with synapse k driven by syn[k] through R syn_r[k], a diode when syn_diode[k]). */
static void kcl_check(const char *what, ucl_neuron *n, const ucl_params *p, int on, const double *y,
                      const double *e, int n_syn, const kcl_syn *syn, const double *syn_r,
                      const int *syn_diode) {
  kcl_dev k;
  kcl_devices(p, &k);
  const ucl_circuit_params *c = &k.c;
  int type2 = c->neuron == UCL_NEURON_TYPE2, mott = c->neuron == UCL_NEURON_MOTT;
  int tt = !mott && c->scr.model == UCL_SCR_TWO_TRANSISTOR, tt_at = type2 ? 2 : 1;
  ucl_neuron_point pt;
  assert_int_equal(ucl_neuron_solve(n, 0.0, y, &pt), 0);
  const ucl_system *sys = ucl_neuron_system(n);
  double ydot[5], g;
  assert_int_equal(sys->ops->rhs(sys->ctx, 0.0, y, ydot), 0);
  assert_int_equal(sys->ops->roots(sys->ctx, 0.0, y, &g), 0);
  enum { RIN, R1, R2, R3, R4, R5, R6, R7 };

  /* the input node (D's anode): R_in and the synapses without a diode bring what D carries;
   * a synapse with a diode (one at most here) carries the rest of i_in into the membrane */
  double i_lin = pt.v_in != 0.0 ? (pt.v_in - pt.v_d + e[RIN]) / c->R_in : 0.0;
  double i_dsyn = 0.0;
  for (int s = 0; s < n_syn; s++) {
    if (!syn_diode[s]) {
      i_lin += (syn[s].v - pt.v_d + e[8 + s]) / syn_r[s];
    }
  }
  kcl_eq(what, "input node: D's current",
         ucl_junction_current(&k.d, pt.v_d - pt.v_m - c->D.Rs * i_lin, NULL), i_lin);
  for (int s = 0; s < n_syn; s++) {
    if (syn_diode[s]) {
      i_dsyn = pt.i_in - i_lin;
      kcl_eq(what, "diode synapse", i_dsyn,
             ucl_junction_current(
                 &k.d, syn[s].v + e[8 + s] - pt.v_m - (syn_r[s] + c->D.Rs) * i_dsyn, NULL));
    }
  }
  if (n_syn == 0) {
    kcl_eq(what, "input node: into the membrane", pt.i_in, i_lin);
  }

  /* the soma */
  double i_r1 = mott ? 0.0 : (pt.v_m - pt.v_g + e[R1]) / c->R1;
  double i_r2 = mott ? 0.0 : (pt.v_g + e[R2]) / c->R2;
  double i_r3 = (pt.v_k + e[R3]) / c->R3;
  if (type2) {
    kcl_eq(what, "T3", pt.i_t3, ucl_mos_current(&k.t3, pt.v_f, pt.v_g, NULL, NULL));
  }
  if (tt) {
    /* the device's nodes A, G, K: the charge balance (S5) with the currents the circuit drives */
    double v[4] = {y[0], y[tt_at], y[tt_at + 1], y[tt_at + 2]}, dv[4];
    double i_ext[3] = {pt.i_in - i_r1, i_r1 - i_r2 - pt.i_t3, -i_r3};
    ucl_scr_tt_state s;
    assert_int_equal(ucl_scr_tt_rates(&k.tt, v, i_ext, c->C, dv, &s), 0);
    kcl_eq(what, "membrane (anode) rate", ydot[0], dv[0]);
    for (int j = 0; j < 3; j++) {
      kcl_eq(what, "SCR node rate", ydot[tt_at + j], dv[j + 1]);
    }
  } else {
    kcl_eq(what, "membrane", c->C * ydot[0], pt.i_in - i_r1 - pt.i_a);
    kcl_eq(what, "cathode", pt.i_a + (mott ? 0.0 : pt.i_g), i_r3);
    if (mott) {
      kcl_eq(what, "Mott switch", pt.v_m - pt.v_k, (on ? c->mott.R_on : c->mott.R_off) * pt.i_a);
      kcl_eq(what, "switching function", g,
             on ? pt.i_a - c->mott.I_hold : pt.v_m - pt.v_k - c->mott.V_th);
    } else {
      kcl_eq(what, "gate", i_r1, i_r2 + pt.i_g + pt.i_t3);
      kcl_eq(what, "gate junction", pt.i_g, ucl_junction_current(&k.gk, pt.v_g - pt.v_k, NULL));
      kcl_eq(what, "SCR anode-cathode", pt.v_m - pt.v_k,
             on ? c->scr.V_T0 + c->scr.R_T * pt.i_a : c->scr.R_off * pt.i_a);
      if (on) {
        kcl_eq(what, "switching function", g, pt.i_a - c->scr.I_H);
      } else {
        /* the latch's I_L test: the anode current the SCR would carry on (V_T0 + R_T·i_a across
         * it) at the present gate current, the cathode's balance i_a + i_g = (v_k + e3)/R3
         * solved for v_k by Cramer's rule */
        double det =
            c->scr.R_T + c->R3; /* rows: v_k + R_T·i_a = v_m − V_T0; v_k − R3·i_a = R3·i_g − e3 */
        double ia_on = ((pt.v_m - c->scr.V_T0) - (c->R3 * pt.i_g - e[R3])) / det;
        kcl_eq(what, "switching function", g, fmin(pt.i_g - c->scr.I_GT, ia_on - c->scr.I_L));
      }
    }
  }

  /* the axon: T1's drain node (R4), the VDD current, T2's drain (the axon node: R5, the loop) */
  double i_t1 = ucl_mos_current(&k.t1, pt.v_k, pt.v_n1, NULL, NULL);
  double i_t2 = ucl_mos_current(&k.t2, c->VDD - pt.v_n1, c->VDD - pt.v_ax, NULL, NULL);
  double i_r4 = (c->VDD - pt.v_n1 + e[R4]) / c->R4;
  kcl_eq(what, "T1 drain", i_t1, i_r4);
  kcl_eq(what, "VDD", pt.i_vdd, i_r4 + i_t2);
  kcl_eq(what, "axon node", i_t2, (pt.v_ax + e[R5]) / c->R5 + pt.i_fb);
  if (!type2) {
    kcl_eq(what, "type I: no loop", pt.i_fb, 0.0);
  } else if (c->loop == UCL_LOOP_PEAK) {
    kcl_eq(what, "R6", pt.i_fb, (pt.v_ax - pt.v_r6 + e[R6]) / c->R6);
    kcl_eq(what, "D2", pt.i_fb,
           ucl_junction_current(&k.d2, pt.v_r6 - pt.v_f - c->D2.Rs * pt.i_fb, NULL));
    kcl_eq(what, "C2", c->C2 * ydot[1], pt.i_fb - (pt.v_f + e[R7]) / c->R7);
  } else {
    kcl_eq(what, "R7 (series)", pt.i_fb, (pt.v_ax - pt.v_f + e[R7]) / c->R7);
    kcl_eq(what, "C2", c->C2 * ydot[1], pt.i_fb);
  }
}

typedef struct kcl_case {
  const char *name;
  const char *sets[6];
  int n_sets;
  double y[5];
  int on;
} kcl_case;

/* For each neuron form and state: no source, each source alone, all at once (distinct values,
 * so that a source read in another's place shows). Then a type I neuron with two synapses (one
 * into the input node, one through its own diode). */
static void test_noise_kcl(void **state) {
  (void)state;
  static const kcl_case cases[] = {
      {"type I off, gate side of the latch", {"kind=dc", "amplitude=6"}, 2, {4.5}, 0},
      {"type I off, I_L side of the latch", {"kind=dc", "amplitude=6"}, 2, {1.0}, 0},
      {"type I on", {"kind=dc", "amplitude=6"}, 2, {3.0}, 1},
      {"type II off", {"neuron=type2", "kind=dc", "amplitude=6"}, 3, {4.5, 1.0}, 0},
      {"type II on", {"neuron=type2", "kind=dc", "amplitude=6"}, 3, {3.0, 2.0}, 1},
      {"type II series off",
       {"neuron=type2", "loop=series", "kind=dc", "amplitude=6"},
       4,
       {4.5, 1.0},
       0},
      {"type II series on",
       {"neuron=type2", "loop=series", "kind=dc", "amplitude=6"},
       4,
       {3.0, 2.0},
       1},
      {"two-transistor type I",
       {"scr.model=two_transistor", "kind=dc", "amplitude=6"},
       3,
       {3.0, 2.6, 0.62, 0.08},
       0},
      {"two-transistor type II",
       {"neuron=type2", "scr.model=two_transistor", "kind=dc", "amplitude=6"},
       4,
       {3.0, 1.0, 2.6, 0.62, 0.08},
       0},
      {"Mott off", {"neuron=mott", "kind=dc", "amplitude=6"}, 3, {1.5}, 0},
      {"Mott on", {"neuron=mott", "kind=dc", "amplitude=6"}, 3, {1.5}, 1},
  };
  char what[160];
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const kcl_case *k = &cases[i];
    ucl_params p = ucl_test_config(k->sets, k->n_sets);
    ucl_neuron *n = NULL;
    ucl_diag d = {{0}};
    assert_int_equal(ucl_neuron_create(&p, &n, &d), UCL_OK);
    if (k->on) { /* switch on as the event loop does (a fired root) */
      const ucl_system *sys = ucl_neuron_system(n);
      const int fired = 1;
      ucl_event ev;
      double y[5];
      memcpy(y, k->y, sizeof(y));
      assert_int_equal(sys->ops->switch_modes(sys->ctx, 0.0, y, &fired, &ev, 1), 1);
    }
    assert_int_equal(ucl_neuron_scr_on(n), k->on);
    for (int src = -2; src < 8; src++) { /* −2: none; −1: all */
      double e[8] = {0};
      for (int j = 0; j < 8; j++) {
        e[j] = src == -1 || src == j ? KCL_E * (1.0 + 0.1 * j) : 0.0;
      }
      assert_int_equal(ucl_neuron_noise_constant(n, e, 8), UCL_OK);
      snprintf(what, sizeof(what), "%s, source %d", k->name, src);
      kcl_check(what, n, &p, k->on, k->y, e, 0, NULL, NULL, NULL);
    }
    double e9[9] = {0};
    assert_int_equal(ucl_neuron_noise_constant(n, e9, 9), UCL_ERR_INVAL);
    ucl_neuron_destroy(&n);
  }

  /* synapses: an external source, one synapse into the input node and one with its own diode */
  ucl_params p = ucl_test_config((const char *[]){"kind=dc", "amplitude=6"}, 2);
  ucl_neuron *n = NULL;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_neuron_create(&p, &n, &d), UCL_OK);
  kcl_syn syn[2] = {{4.0}, {5.0}};
  const double syn_r[2] = {20e3, 33e3};
  const int syn_diode[2] = {0, 1};
  ucl_syn_input in[2] = {{syn_r[0], 0, kcl_syn_source, &syn[0]},
                         {syn_r[1], 1, kcl_syn_source, &syn[1]}};
  assert_int_equal(ucl_neuron_set_inputs(n, 1, in, 2, &d), UCL_OK);
  const double y[5] = {1.0};
  for (int src = -2; src < 10; src++) {
    double e[10] = {0};
    for (int j = 0; j < 10; j++) {
      e[j] = src == -1 || src == j ? KCL_E * (1.0 + 0.1 * j) : 0.0;
    }
    assert_int_equal(ucl_neuron_noise_constant(n, e, 10), UCL_OK);
    snprintf(what, sizeof(what), "type I with synapses, source %d", src);
    kcl_check(what, n, &p, 0, y, e, 2, syn, syn_r, syn_diode);
  }
  ucl_neuron_destroy(&n);
}

/* ---- jitter ---- */

static void test_jitter_factor(void **state) {
  (void)state;
  assert_true(ucl_noise_jitter(1, 0, 0, 0, 0, 5, 0.0) == 1.0);
  /* ln of the factor: mean 0, sd sigma (10,000 draws: within 4 standard errors) */
  const int n = 10000;
  const double sigma = 0.05;
  double s1 = 0, s2 = 0;
  for (int k = 0; k < n; k++) {
    double l = log(ucl_noise_jitter(3, 1, 0, 0, 0, k, sigma));
    s1 += l;
    s2 += l * l;
  }
  double mean = s1 / n, sd = sqrt(s2 / n - mean * mean);
  assert_true(fabs(mean) < 4.0 * sigma / sqrt(n));
  assert_true(fabs(sd / sigma - 1.0) < 4.0 / sqrt(2.0 * n));
  /* another kind, unit, trial or point draws apart */
  double j0 = ucl_noise_jitter(3, 1, 0, 0, 0, 0, sigma);
  assert_true(j0 != ucl_noise_jitter(3, 1, 0, 0, 1, 0, sigma)); /* kind */
  assert_true(j0 != ucl_noise_jitter(3, 1, 1, 0, 0, 0, sigma)); /* unit */
  assert_true(j0 != ucl_noise_jitter(3, 1, 0, 1, 0, 0, sigma)); /* trial */
  assert_true(j0 != ucl_noise_jitter(3, 2, 0, 0, 0, 0, sigma)); /* point */
}

/* The membrane voltage at each latch follows the drawn I_GT: with jitter the latch voltages
 * spread, without they repeat; the same seed repeats the run exactly. */
static void test_jitter_run(void **state) {
  (void)state;
  const char *base[] = {"jitter.I_GT=0.1", "duration=10m"};
  ucl_params p = ucl_test_config(base, 2);
  ucl_params q = ucl_test_config(base + 1, 1);
  ucl_sim_opts o = {0};
  ucl_trace *a = NULL, *b = NULL, *c = NULL;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_sim_run(&p, &o, &a, &d), UCL_OK);
  assert_int_equal(ucl_sim_run(&p, &o, &b, &d), UCL_OK);
  assert_int_equal(ucl_sim_run(&q, &o, &c, &d), UCL_OK);
  size_t na = ucl_trace_n_events(a), nc = ucl_trace_n_events(c);
  assert_true(na >= 6 && nc >= 6);
  assert_int_equal(ucl_trace_n_events(b), na);
  double lo = INFINITY, hi = -INFINITY, lo0 = INFINITY, hi0 = -INFINITY;
  for (size_t k = 0; k < na; k++) {
    const ucl_event *ea = ucl_trace_event(a, k), *eb = ucl_trace_event(b, k);
    assert_memory_equal(ea, eb, sizeof(*ea));
    if (ea->kind == UCL_EVENT_LATCH) {
      lo = fmin(lo, ea->v);
      hi = fmax(hi, ea->v);
    }
  }
  for (size_t k = 0; k < nc; k++) {
    const ucl_event *e = ucl_trace_event(c, k);
    if (e->kind == UCL_EVENT_LATCH) {
      lo0 = fmin(lo0, e->v);
      hi0 = fmax(hi0, e->v);
    }
  }
  assert_true(hi0 - lo0 < 1e-6);
  assert_true(hi - lo > 1e-2); /* σ = 10 % of I_GT moves the latch voltage by tens of mV */
  ucl_trace_destroy(&a);
  ucl_trace_destroy(&b);
  ucl_trace_destroy(&c);
}

/* Each kind of jitter moves its own threshold at every switching and no other: with only the
 * latch kind's σ (jitter.I_GT, jitter.V_th) the membrane voltages at the latches spread, ordered
 * as the k-th latch's drawn factor (kind 0, counter k), while those at the unlatches repeat;
 * with only the unlatch kind's σ (jitter.I_H, jitter.I_hold) the reverse, ordered by kind 1's
 * k-th factor. (The voltage at a switching is an increasing function of its threshold: i_g, the
 * voltage across the Mott switch and the anode current all rise with V_m.) */
static void check_jitter_kind(const char *const *sets, int n_sets, int kind, double sigma) {
  ucl_params p = ucl_test_config(sets, n_sets);
  ucl_sim_opts o = {0};
  ucl_trace *tr = NULL;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_sim_run(&p, &o, &tr, &d), UCL_OK);
  double v[2][64], f[2][64];
  int m[2] = {0, 0};
  for (size_t k = 0; k < ucl_trace_n_events(tr); k++) {
    const ucl_event *ev = ucl_trace_event(tr, k);
    int w = ev->kind == UCL_EVENT_LATCH ? 0 : 1;
    if (m[w] < 64) {
      v[w][m[w]] = ev->v;
      f[w][m[w]] = ucl_noise_jitter((uint64_t)p.noise.seed, 0, 0, 0, w, m[w], sigma);
      m[w]++;
    }
  }
  print_message("%s: %d latches, %d unlatches\n", sets[0], m[0], m[1]);
  assert_true(m[0] >= 5 && m[1] >= 5);
  for (int w = 0; w < 2; w++) {
    double lo = INFINITY, hi = -INFINITY;
    for (int j = 1; j < m[w]; j++) { /* from the second on: the first uses the creation's draw */
      lo = fmin(lo, v[w][j]);
      hi = fmax(hi, v[w][j]);
    }
    if (w != kind) {
      if (!(hi - lo < 1e-6)) {
        fail_msg("%s: the %s voltages spread by %g V: they drew another kind's factor", sets[0],
                 w ? "unlatch" : "latch", hi - lo);
      }
      continue;
    }
    assert_true(hi - lo > 1e-3);
    for (int j = 0; j < m[w]; j++) {
      for (int k = j + 1; k < m[w]; k++) {
        if (!((v[w][j] - v[w][k]) * (f[w][j] - f[w][k]) > 0.0)) {
          fail_msg("%s: switching %d (%.6f V, factor %.4f) and %d (%.6f V, factor %.4f) are out "
                   "of order: switching k must use draw k of its kind",
                   sets[0], j, v[w][j], f[w][j], k, v[w][k], f[w][k]);
        }
      }
    }
  }
  ucl_trace_destroy(&tr);
}

static void test_jitter_kinds(void **state) {
  (void)state;
  const char *gt[] = {"jitter.I_GT=0.1", "duration=10m"};
  const char *h[] = {"jitter.I_H=0.1", "duration=10m"};
  const char *vth[] = {"jitter.V_th=0.05", "neuron=mott", "amplitude=4", "duration=20m"};
  const char *hold[] = {"jitter.I_hold=0.1", "neuron=mott", "amplitude=4", "duration=20m"};
  check_jitter_kind(gt, 2, 0, 0.1);
  check_jitter_kind(h, 2, 1, 0.1);
  check_jitter_kind(vth, 4, 0, 0.05);
  check_jitter_kind(hold, 4, 1, 0.1);
}

/* Noise off at any bandwidth or seed: the run is the same bytes as the defaults'. */
static void test_off_changes_nothing(void **state) {
  (void)state;
  const char *sets[] = {"noise.bandwidth=3k", "noise.seed=99"};
  ucl_params p = ucl_test_config(NULL, 0), q = ucl_test_config(sets, 2);
  ucl_sim_opts o = {0};
  ucl_trace *a = NULL, *b = NULL;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_sim_run(&p, &o, &a, &d), UCL_OK);
  assert_int_equal(ucl_sim_run(&q, &o, &b, &d), UCL_OK);
  assert_int_equal(ucl_trace_n_events(a), ucl_trace_n_events(b));
  for (size_t k = 0; k < ucl_trace_n_events(a); k++) {
    assert_memory_equal(ucl_trace_event(a, k), ucl_trace_event(b, k), sizeof(ucl_event));
  }
  ucl_trace_destroy(&a);
  ucl_trace_destroy(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_source_variance),     cmocka_unit_test(test_source_pure),
      cmocka_unit_test(test_kt_over_c),           cmocka_unit_test(test_kt_over_c2),
      cmocka_unit_test(test_noise_kcl),           cmocka_unit_test(test_jitter_factor),
      cmocka_unit_test(test_jitter_run),          cmocka_unit_test(test_jitter_kinds),
      cmocka_unit_test(test_off_changes_nothing),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
