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

#include "uclif/noise.h"
#include "uclif/sim.h"
#include "uclif/spec.h"

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
 * B = 250 kHz), each seed's corner within 10 %. */
static void test_kt_over_c(void **state) {
  (void)state;
  double vsum = 0.0;
  for (uint64_t seed = 1; seed <= 3; seed++) {
    double vr, fr;
    check_rc(seed, &vr, &fr);
    print_message("seed %d: variance / (kT/C) = %.4f, corner / (1/(2 pi (R1+R2) C)) = %.4f\n",
                  (int)seed, vr, fr);
    assert_true(fabs(fr - 1.0) < 0.10);
    vsum += vr;
  }
  print_message("pooled: variance / (kT/C) = %.4f\n", vsum / 3.0);
  assert_true(fabs(vsum / 3.0 - 1.0) < 0.05);
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
      cmocka_unit_test(test_jitter_factor),       cmocka_unit_test(test_jitter_run),
      cmocka_unit_test(test_off_changes_nothing),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
