/* test_fit.c — the pieces of `uclif fit` (fit.h, docs/fit.md): the spike-train distances (van
 * Rossum against its closed form, the coincidence factor), the simplification of a recorded input
 * (Douglas-Peucker and the zero-order-hold runs) and the replay stimulus that plays it back, the
 * uncertainty analysis at an optimum from a hand-made Jacobian (identifiability, covariance
 * (JᵀJ)⁻¹, correlations, verdicts, the misfit scale factor, AIC and BIC), and the refusals of a
 * bad fit spec with "spec.ini:LINE: ". Fixture files are written into a fresh temporary folder. */
#include <float.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "uclif/fit.h"
#include "uclif/rng.h"
#include "uclif/stimulus.h"

static char dir[64];

static int setup(void **state) {
  (void)state;
  snprintf(dir, sizeof(dir), "%s", "/tmp/ucl_fit_XXXXXX");
  return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  char p[128];
  snprintf(p, sizeof(p), "%s/spec.ini", dir);
  unlink(p);
  snprintf(p, sizeof(p), "%s/data.csv", dir);
  unlink(p);
  return rmdir(dir);
}

static void write_file(const char *name, const char *text) {
  char p[128];
  snprintf(p, sizeof(p), "%s/%s", dir, name);
  FILE *f = fopen(p, "wb");
  assert_non_null(f);
  fputs(text, f);
  assert_int_equal(fclose(f), 0);
}

/* A standard normal deviate from the counter-based generator (Box-Muller). */
static double gauss(uint64_t i) {
  double u1 = 1.0 - ucl_rng_uniform(11, i, 0), u2 = ucl_rng_uniform(11, i, 1);
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* ---- spike-train distances ---- */

static void test_van_rossum(void **state) {
  (void)state;
  const double a[] = {0.010, 0.023, 0.031, 0.050}, b[] = {0.010, 0.023, 0.050};
  const double taus[] = {1e-4, 2e-3, 10e-3, 1.0};
  for (size_t k = 0; k < 4; k++) {
    double tau = taus[k];
    /* identical trains: 0 */
    assert_close(ucl_fit_van_rossum(a, 4, a, 4, tau), 0.0, 0, 1e-12);
    assert_close(ucl_fit_van_rossum(NULL, 0, NULL, 0, tau), 0.0, 0, 0);
    /* one spike missing, alone: ½ whatever τ */
    const double one[] = {0.02};
    assert_close(ucl_fit_van_rossum(one, 1, NULL, 0, tau), 0.5, 1e-12, 0);
    assert_close(ucl_fit_van_rossum(NULL, 0, one, 1, tau), 0.5, 1e-12, 0);
    /* two single spikes δ apart: 1 − exp(−δ/τ) */
    const double deltas[] = {1e-6, 1e-4, 3e-3, 0.2};
    for (size_t j = 0; j < 4; j++) {
      const double s1[] = {0.1}, s2[] = {0.1 + deltas[j]};
      double want = -expm1(-(s2[0] - s1[0]) / tau);
      assert_close(ucl_fit_van_rossum(s1, 1, s2, 1, tau), want, 0, 1e-12);
      assert_close(ucl_fit_van_rossum(s2, 1, s1, 1, tau), want, 0, 1e-12);
    }
    /* symmetric in its arguments, and a train with a spike more is farther than 0 */
    double ab = ucl_fit_van_rossum(a, 4, b, 3, tau), ba = ucl_fit_van_rossum(b, 3, a, 4, tau);
    assert_close(ab, ba, 1e-14, 1e-15);
    assert_true(ab > 0.0);
  }
  /* with τ far below the spacing, the spike missing from b costs ½ */
  assert_close(ucl_fit_van_rossum(a, 4, b, 3, 1e-5), 0.5, 1e-9, 0);
}

static void test_coincidence(void **state) {
  (void)state;
  const double T = 0.1, delta = 0.5e-3;
  double a[20], far[20];
  for (size_t i = 0; i < 20; i++) {
    a[i] = 0.002 + 0.005 * (double)i;
    far[i] = a[i] + 0.0025; /* halfway between: 2.5 ms from every spike of a, Δ = 0.5 ms */
  }
  assert_close(ucl_fit_coincidence(a, 20, a, 20, T, delta), 1.0, 1e-12, 0);
  /* shifted by less than Δ: still all coincident */
  double near[20];
  for (size_t i = 0; i < 20; i++) {
    near[i] = a[i] + 0.4e-3;
  }
  assert_close(ucl_fit_coincidence(a, 20, near, 20, T, delta), 1.0, 1e-12, 0);
  double g = ucl_fit_coincidence(a, 20, far, 20, T, delta);
  assert_true(g <= 0.0);
  /* the closed form: no coincidence, ⟨N⟩ = 2νΔN_b, ν = N_a/T */
  double nu = 20.0 / T, want = (0.0 - 2.0 * nu * delta * 20.0) / 20.0 / (1.0 - 2.0 * nu * delta);
  assert_close(g, want, 1e-12, 0);
  /* half the spikes coincide: between 0 and 1 */
  double half[20];
  for (size_t i = 0; i < 20; i++) {
    half[i] = i % 2 ? far[i] : a[i];
  }
  g = ucl_fit_coincidence(a, 20, half, 20, T, delta);
  assert_true(g > 0.0 && g < 1.0);
  assert_true(isnan(ucl_fit_coincidence(NULL, 0, NULL, 0, T, delta)));
  /* each model spike coincides once: two data spikes within Δ of one model spike count 1 */
  const double two[] = {0.0100, 0.0104}, one[] = {0.0102};
  nu = 2.0 / T; /* ⟨N⟩ = 2·(N_a/T)·Δ·N_b; the norm 1 − 2·(N_b/T)·Δ uses the model's rate */
  want = (1.0 - 2.0 * nu * delta * 1.0) / 1.5 / (1.0 - 2.0 * (1.0 / T) * delta);
  assert_close(ucl_fit_coincidence(two, 2, one, 1, T, delta), want, 1e-12, 0);
  /* a train against an empty one: no coincidence, nothing expected */
  assert_close(ucl_fit_coincidence(a, 20, NULL, 0, T, delta), 0.0, 0, 0);
}

/* ---- the recorded input: simplification and replay ---- */

/* Three segments through the corners (0, 0), (1, 2), (2, −1), (3, 0.5), sampled every 0.01. */
static double corner_wave(double t) {
  if (t <= 1.0) {
    return 2.0 * t;
  }
  if (t <= 2.0) {
    return 2.0 - 3.0 * (t - 1.0);
  }
  return -1.0 + 1.5 * (t - 2.0);
}

/* Every sample between two kept points lies within tol of the line between them. */
static void assert_within_line(const double *t, const double *v, size_t n, const double *kt,
                               const double *kv, size_t m, double tol) {
  size_t j = 0;
  for (size_t i = 0; i < n; i++) {
    while (j + 1 < m && kt[j + 1] <= t[i]) {
      j++;
    }
    if (j + 1 == m) {
      assert_true(t[i] == kt[m - 1] && i == n - 1);
      break;
    }
    double f = (t[i] - kt[j]) / (kt[j + 1] - kt[j]);
    double d = fabs(v[i] - (kv[j] + f * (kv[j + 1] - kv[j])));
    if (!(d <= tol * (1 + 1e-12))) {
      fail_msg("sample %zu (t %g) is %g from the kept line, tol %g", i, t[i], d, tol);
    }
  }
}

static void test_pwl_simplify(void **state) {
  (void)state;
  enum { N = 301 };
  double t[N], v[N], kt[N], kv[N];
  for (size_t i = 0; i < N; i++) {
    t[i] = (double)i / 100.0;
    v[i] = corner_wave(t[i]);
  }
  size_t m = 0;
  assert_int_equal(ucl_pwl_simplify(t, v, N, 1e-9, kt, kv, &m), UCL_OK);
  assert_int_equal(m, 4);
  const double ct[] = {0, 1, 2, 3}, cv[] = {0, 2, -1, 0.5};
  for (size_t k = 0; k < 4; k++) {
    assert_close(kt[k], ct[k], 0, 1e-15);
    assert_close(kv[k], cv[k], 0, 1e-12);
  }
  /* with noise of σ and tol 4σ: few points, the corners among them, every sample within tol */
  const double sigma = 0.01, tol = 4.0 * sigma;
  double vn[N];
  for (size_t i = 0; i < N; i++) {
    vn[i] = v[i] + sigma * gauss(i);
  }
  assert_int_equal(ucl_pwl_simplify(t, vn, N, tol, kt, kv, &m), UCL_OK);
  if (m < 4 || m > 12) {
    fail_msg("%zu points kept of a noisy 3-segment line (4 corners)", m);
  }
  assert_close(kt[0], 0.0, 0, 0);
  assert_close(kt[m - 1], 3.0, 0, 0);
  for (size_t k = 1; k < 3; k++) { /* a kept point within 2 samples of each inner corner */
    int found = 0;
    for (size_t j = 0; j < m; j++) {
      found |= fabs(kt[j] - ct[k]) <= 0.02 + 1e-12;
    }
    assert_true(found);
  }
  assert_within_line(t, vn, N, kt, kv, m, tol);
  /* the rule's threshold: on a flat line, a lone sample 1.5·tol off is kept, 0.5·tol off is not */
  for (size_t i = 0; i < N; i++) {
    vn[i] = i == 150 ? 1.5 * tol : 0.0;
  }
  assert_int_equal(ucl_pwl_simplify(t, vn, N, tol, kt, kv, &m), UCL_OK);
  assert_true(m >= 3);
  int kept = 0;
  for (size_t j = 0; j < m; j++) {
    kept |= kt[j] == t[150];
  }
  assert_true(kept);
  vn[150] = 0.5 * tol;
  assert_int_equal(ucl_pwl_simplify(t, vn, N, tol, kt, kv, &m), UCL_OK);
  assert_int_equal(m, 2);
  /* n = 1 and n = 2 are kept as they are; n = 0 and tol < 0 are refused */
  assert_int_equal(ucl_pwl_simplify(t, v, 1, 0.1, kt, kv, &m), UCL_OK);
  assert_int_equal(m, 1);
  assert_int_equal(ucl_pwl_simplify(t, v, 2, 0.1, kt, kv, &m), UCL_OK);
  assert_int_equal(m, 2);
  assert_int_equal(ucl_pwl_simplify(t, v, 0, 0.1, kt, kv, &m), UCL_ERR_INVAL);
  assert_int_equal(ucl_pwl_simplify(t, v, N, -1.0, kt, kv, &m), UCL_ERR_INVAL);
}

/* A staircase of 5 levels of 40 samples each with bounded noise (uniform, ±a, tol 2.5a: no
 * sample can leave its run, every step can): one point per level, at the level's first sample,
 * with the mean of the level's samples. */
/* A held input's levels: one pulse per sample at each of a staircase's amplitudes, with 5 mV
 * noise (σ), snapped at tol = 4σ. Every sample of one amplitude must become one level, the mean
 * of that amplitude's samples (a rule that groups within tol of the lowest splits each cloud,
 * ±3σ wide, in two and replays a few pulses 10 mV high); amplitudes 1 V apart, or 10σ apart,
 * stay apart; a level between clouds far from both stays alone. */
static void test_pwl_levels(void **state) {
  (void)state;
  enum { A = 4, P = 200, N = A * P + 1 };
  const double sigma = 5e-3, amp[A] = {2.0, 3.0, 3.05, 5.0};
  double v[N], w[N], mean[A] = {0};
  for (size_t i = 0; i < A * P; i++) {
    v[i] = amp[i % A] + sigma * gauss(1000 + i);
    w[i] = 1.0;
    mean[i % A] += v[i] / P;
  }
  v[A * P] = 4.0; /* alone */
  w[A * P] = 3.0;
  assert_int_equal(ucl_pwl_levels(v, w, N, 4.0 * sigma), UCL_OK);
  for (size_t i = 0; i < A * P; i++) {
    assert_close(v[i], mean[i % A], 1e-12, 1e-14);
  }
  assert_close(v[A * P], 4.0, 0, 0);
  assert_int_equal(ucl_pwl_levels(v, w, 0, sigma), UCL_ERR_INVAL);
  assert_int_equal(ucl_pwl_levels(v, w, N, -sigma), UCL_ERR_INVAL);
}

static void test_pwl_runs(void **state) {
  (void)state;
  enum { L = 5, S = 40, N = L * S };
  const double level[L] = {0.0, 1.0, 2.5, 2.0, -1.0}, a = 0.01, tol = 2.5 * a;
  double t[N], v[N], kt[N], kv[N];
  double mean[L] = {0};
  for (size_t i = 0; i < N; i++) {
    t[i] = 1e-5 * (double)i;
    v[i] = level[i / S] + a * (2.0 * ucl_rng_uniform(5, i, 0) - 1.0);
    mean[i / S] += v[i] / S;
  }
  size_t m = 0;
  assert_int_equal(ucl_pwl_runs(t, v, N, tol, kt, kv, &m), UCL_OK);
  assert_int_equal(m, L);
  for (size_t k = 0; k < L; k++) {
    assert_close(kt[k], t[k * S], 0, 0);
    assert_close(kv[k], mean[k], 1e-12, 1e-14);
    assert_close(kv[k], level[k], 0, a);
  }
  /* without noise, a single level is one point */
  double flat[10];
  for (size_t i = 0; i < 10; i++) {
    flat[i] = 3.0;
  }
  assert_int_equal(ucl_pwl_runs(t, flat, 10, 0.0, kt, kv, &m), UCL_OK);
  assert_int_equal(m, 1);
  assert_close(kv[0], 3.0, 0, 0);
  assert_int_equal(ucl_pwl_runs(t, v, 0, tol, kt, kv, &m), UCL_ERR_INVAL);
  assert_int_equal(ucl_pwl_runs(t, v, N, -tol, kt, kv, &m), UCL_ERR_INVAL);
}

static void assert_piece(const ucl_stimulus *s, double t, double t0, double t1, double v0,
                         double slope) {
  ucl_stim_piece pc;
  ucl_stimulus_piece(s, t, &pc);
  if (!(pc.t0 == t0 && pc.t1 == t1 && fabs(pc.v0 - v0) <= 1e-15 &&
        fabs(pc.slope - slope) <= 1e-12)) {
    fail_msg("at t = %g: piece [%g, %g) v0 %g slope %g; expected [%g, %g) v0 %g slope %g", t, pc.t0,
             pc.t1, pc.v0, pc.slope, t0, t1, v0, slope);
  }
}

/* The points (1, 0), (2, 2), (4, −2) replayed with a zero-order hold and linearly: the values
 * and the pieces before, between, at and after the points (right-continuous at a point). */
static void test_replay_stimulus(void **state) {
  (void)state;
  const double pt[] = {1.0, 2.0, 4.0}, pv[] = {0.0, 2.0, -2.0};
  ucl_pwl w = {3, pt, pv, 1};
  ucl_stimulus_params p;
  memset(&p, 0, sizeof(p));
  p.kind = UCL_STIM_REPLAY;
  p.duration = 5.0;
  p.replay = &w;
  ucl_stimulus s;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_stimulus_init(&p, &s, &d), UCL_OK);
  /* hold: v[k] on [t[k], t[k+1]), v[0] before, v[n-1] after */
  const double ht[] = {0.0, 1.0, 1.5, 2.0 - 1e-12, 2.0, 3.0, 4.0, 5.0};
  const double hv[] = {0.0, 0.0, 0.0, 0.0, 2.0, 2.0, -2.0, -2.0};
  for (size_t i = 0; i < 8; i++) {
    assert_close(ucl_stimulus_value(&s, ht[i]), hv[i], 0, 1e-15);
  }
  assert_piece(&s, 0.5, -DBL_MAX, 1.0, 0.0, 0.0);
  assert_piece(&s, 1.0, 1.0, 2.0, 0.0, 0.0);
  assert_piece(&s, 1.5, 1.0, 2.0, 0.0, 0.0);
  assert_piece(&s, 2.0, 2.0, 4.0, 2.0, 0.0);
  assert_piece(&s, 3.9, 2.0, 4.0, 2.0, 0.0);
  assert_piece(&s, 4.0, 4.0, INFINITY, -2.0, 0.0);
  assert_piece(&s, 7.0, 4.0, INFINITY, -2.0, 0.0);
  /* linear: straight lines between the points */
  w.hold = 0;
  assert_int_equal(ucl_stimulus_init(&p, &s, &d), UCL_OK);
  const double lt[] = {0.0, 1.0, 1.5, 2.0, 3.0, 3.5, 4.0, 5.0};
  const double lv[] = {0.0, 0.0, 1.0, 2.0, 0.0, -1.0, -2.0, -2.0};
  for (size_t i = 0; i < 8; i++) {
    assert_close(ucl_stimulus_value(&s, lt[i]), lv[i], 0, 1e-14);
  }
  assert_piece(&s, 0.5, -DBL_MAX, 1.0, 0.0, 0.0);
  assert_piece(&s, 1.0, 1.0, 2.0, 0.0, 2.0);
  assert_piece(&s, 1.5, 1.0, 2.0, 0.0, 2.0);
  assert_piece(&s, 2.0, 2.0, 4.0, 2.0, -2.0);
  assert_piece(&s, 4.0, 4.0, INFINITY, -2.0, 0.0);
  /* one point: a constant */
  w.n = 1;
  assert_int_equal(ucl_stimulus_init(&p, &s, &d), UCL_OK);
  assert_close(ucl_stimulus_value(&s, 0.0), 0.0, 0, 0);
  assert_close(ucl_stimulus_value(&s, 9.0), 0.0, 0, 0);
  /* refused: no waveform, no points, time not increasing (equal or decreasing) */
  p.replay = NULL;
  assert_int_equal(ucl_stimulus_init(&p, &s, &d), UCL_ERR_INVAL);
  assert_non_null(strstr(d.msg, "no waveform"));
  w.n = 0;
  p.replay = &w;
  assert_int_equal(ucl_stimulus_init(&p, &s, &d), UCL_ERR_INVAL);
  const double eq[] = {1.0, 2.0, 2.0}, dec[] = {1.0, 3.0, 2.0};
  ucl_pwl bad = {3, eq, pv, 1};
  p.replay = &bad;
  memset(&d, 0, sizeof(d));
  assert_int_equal(ucl_stimulus_init(&p, &s, &d), UCL_ERR_INVAL);
  assert_non_null(strstr(d.msg, "does not increase at point 2"));
  bad.t = dec;
  assert_int_equal(ucl_stimulus_init(&p, &s, &d), UCL_ERR_INVAL);
}

/* ---- the fit spec: analysis at an optimum, and refusals ---- */

/* A recording of 10 flat samples (no spikes: 10 waveform residuals) and two free parameters:
 * R_in on a log scale over [1k, 100k] Ω, VDD linear over [1, 20] V. */
#define GOOD_CSV                                                                                   \
  "t_s,Vm\n0,1\n1e-5,1\n2e-5,1\n3e-5,1\n4e-5,1\n5e-5,1\n6e-5,1\n7e-5,1\n8e-5,1\n9e-5,1\n"
#define SPEC_REC "[recording.r]\nfile = data.csv\nV_mem_V = Vm\n"
#define SPEC_FREE "[fit.free]\nR_in = 1k, 100k\nVDD = 1, 20\n"

static ucl_status load_spec(const char *spec, ucl_fit **f, ucl_diag *d) {
  write_file("data.csv", GOOD_CSV);
  write_file("spec.ini", spec);
  char p[128];
  snprintf(p, sizeof(p), "%s/spec.ini", dir);
  return ucl_fit_load(p, NULL, 0, f, d);
}

static ucl_fit *good_fit(void) {
  ucl_fit *f = NULL;
  ucl_diag d = {{0}};
  if (load_spec(SPEC_REC SPEC_FREE, &f, &d) != UCL_OK) {
    fail_msg("load: %s", d.msg);
  }
  return f;
}

static void test_load_good(void **state) {
  (void)state;
  ucl_fit *f = good_fit();
  assert_int_equal(ucl_fit_n_variants(f), 1);
  assert_int_equal(ucl_fit_n_recordings(f), 1);
  assert_int_equal(ucl_fit_n_features(f), 0);
  /* the 10 samples' waveform residuals and one spike-timing residual (the model's spikes where
   * none were measured) */
  assert_int_equal(ucl_fit_n_residuals(f, 0), 11);
  const ucl_fit_variant *va = ucl_fit_variant_at(f, 0);
  assert_string_equal(va->name, "base");
  assert_int_equal(va->n_free, 2);
  assert_string_equal(va->free[0].name, "R_in");
  assert_int_equal(va->free[0].scale, UCL_FIT_LOG);
  assert_int_equal(va->free[0].line, 5);
  assert_close(va->free[0].lo, 1e3, 1e-15, 0);
  assert_close(va->free[0].hi, 1e5, 1e-15, 0);
  assert_string_equal(va->free[1].name, "VDD");
  assert_int_equal(va->free[1].scale, UCL_FIT_LIN);
  assert_int_equal(va->free[1].line, 6);
  size_t n = 99;
  ucl_fit_measured_spikes(f, 0, &n);
  assert_int_equal(n, 0);
  ucl_fit_destroy(&f);
  assert_null(f);
  ucl_fit_destroy(&f); /* NULL again */
}

/* J (11 × 2, row-major: the fit's 11 residuals) with rows (c, 0), (0, c), (c, c) and zeros:
 * JᵀJ = c²[[2, 1], [1, 2]], (JᵀJ)⁻¹ = [[2, −1], [−1, 2]]/(3c²). */
static void make_j(double c, double J[22]) {
  memset(J, 0, 22 * sizeof(double));
  J[0] = c;
  J[3] = c;
  J[4] = c;
  J[5] = c;
}

static void test_analyse(void **state) {
  (void)state;
  ucl_fit *f = good_fit();
  const ucl_fit_variant *va = ucl_fit_variant_at(f, 0);
  const double x[2] = {log(1e4), 10.0};
  const double spread0 = log(100.0) / sqrt(12.0), spread1 = 19.0 / sqrt(12.0);
  double J[22];
  ucl_fit_result res;
  ucl_diag d = {{0}};

  /* well conditioned, χ² = 4 over n − k = 9: no scaling; sd from (JᵀJ)⁻¹ in closed form */
  const double c = 100.0;
  make_j(c, J);
  assert_int_equal(ucl_fit_analyse(f, 0, x, J, 11, 4.0, &res, &d), UCL_OK);
  double sd = sqrt(2.0 / 3.0) / c;
  assert_int_equal(res.n_free, 2);
  assert_int_equal(res.n, 11);
  assert_int_equal(res.rank, 2);
  assert_close(res.scale_cov, 1.0, 0, 0);
  assert_close(res.sd[0], sd, 1e-12, 0);
  assert_close(res.sd[1], sd, 1e-12, 0);
  assert_close(res.corr[0][1], -0.5, 0, 1e-12);
  assert_close(res.corr[1][0], -0.5, 0, 1e-12);
  assert_close(res.corr[0][0], 1.0, 0, 1e-12);
  assert_int_equal(res.verdict[0], UCL_FIT_PINNED);
  assert_int_equal(res.verdict[1], UCL_FIT_PINNED);
  assert_close(res.value[0], 1e4, 1e-12, 0);
  assert_close(res.value[1], 10.0, 1e-15, 0);
  assert_close(res.ci_lo[0], 1e4 * exp(-1.96 * sd), 1e-12, 0);
  assert_close(res.ci_hi[0], 1e4 * exp(1.96 * sd), 1e-12, 0);
  assert_close(res.ci_lo[1], 10.0 - 1.96 * sd, 1e-12, 0);
  assert_close(res.ci_hi[1], 10.0 + 1.96 * sd, 1e-12, 0);
  assert_close(res.chi2, 4.0, 0, 0);
  assert_close(res.aic, 4.0 + 2.0 * 2.0, 1e-15, 0);
  assert_close(res.bic, 4.0 + 2.0 * log(11.0), 1e-15, 0);
  for (int a = 0; a < 2; a++) {
    for (int b = 0; b < 2; b++) {
      assert_true(res.corr[a][b] >= -1.0 && res.corr[a][b] <= 1.0);
    }
  }

  /* a large misfit, χ² = 90 over 9 degrees of freedom: the covariance is scaled by 10 */
  assert_int_equal(ucl_fit_analyse(f, 0, x, J, 11, 90.0, &res, &d), UCL_OK);
  assert_close(res.scale_cov, 10.0, 1e-15, 0);
  assert_close(res.sd[0], sd * sqrt(10.0), 1e-12, 0);
  assert_close(res.corr[0][1], -0.5, 0, 1e-12); /* correlations are not scaled */

  /* verdicts from sd against the spread of the bounds: c = 2 gives sd 0.408, 0.31 of R_in's
   * spread (partly) and 0.074 of VDD's (pinned); c = 1 gives 0.61 of R_in's (not identified,
   * interval the bounds, sd still finite) */
  make_j(2.0, J);
  assert_int_equal(ucl_fit_analyse(f, 0, x, J, 11, 4.0, &res, &d), UCL_OK);
  assert_close(res.sd[0] / spread0, sqrt(2.0 / 3.0) / 2.0 / spread0, 1e-12, 0);
  assert_int_equal(res.verdict[0], UCL_FIT_PARTLY);
  assert_int_equal(res.verdict[1], UCL_FIT_PINNED);
  assert_close(res.ci_lo[0], 1e4 * exp(-1.96 * res.sd[0]), 1e-12, 0);
  make_j(1.0, J);
  assert_int_equal(ucl_fit_analyse(f, 0, x, J, 11, 4.0, &res, &d), UCL_OK);
  assert_true(isfinite(res.sd[0]) && res.sd[0] / spread0 > 0.5);
  assert_int_equal(res.verdict[0], UCL_FIT_NOT_IDENTIFIED);
  assert_int_equal(res.verdict[1], res.sd[1] / spread1 < 0.1 ? UCL_FIT_PINNED : UCL_FIT_PARTLY);
  assert_close(res.ci_lo[0], va->free[0].lo, 0, 0);
  assert_close(res.ci_hi[0], va->free[0].hi, 0, 0);

  /* a zero column: that parameter is not identified (sd = INFINITY), the other is */
  memset(J, 0, sizeof(J));
  for (size_t i = 0; i < 10; i++) {
    J[2 * i] = 10.0 * (double)(i + 1);
  }
  assert_int_equal(ucl_fit_analyse(f, 0, x, J, 11, 4.0, &res, &d), UCL_OK);
  assert_int_equal(res.rank, 1);
  assert_true(isinf(res.sd[1]));
  assert_int_equal(res.verdict[1], UCL_FIT_NOT_IDENTIFIED);
  assert_close(res.ci_lo[1], 1.0, 0, 0);
  assert_close(res.ci_hi[1], 20.0, 0, 0);
  assert_true(isnan(res.corr[0][1]));
  assert_close(res.sd[0], 1.0 / (10.0 * sqrt(385.0)), 1e-12, 0); /* Σ(10 i)² = 100·385 */
  assert_int_equal(res.verdict[0], UCL_FIT_PINNED);

  /* proportional columns (VDD's = 2 × R_in's): neither is identified */
  for (size_t i = 0; i < 10; i++) {
    J[2 * i + 1] = 2.0 * J[2 * i];
  }
  assert_int_equal(ucl_fit_analyse(f, 0, x, J, 11, 4.0, &res, &d), UCL_OK);
  assert_int_equal(res.rank, 1);
  assert_true(isinf(res.sd[0]) && isinf(res.sd[1]));
  assert_int_equal(res.verdict[0], UCL_FIT_NOT_IDENTIFIED);
  assert_int_equal(res.verdict[1], UCL_FIT_NOT_IDENTIFIED);

  /* a Jacobian shorter than the parameters (1 row) is padded: rank 1 */
  const double J1[2] = {3.0, 0.0};
  assert_int_equal(ucl_fit_analyse(f, 0, x, J1, 1, 0.0, &res, &d), UCL_OK);
  assert_int_equal(res.rank, 1);
  assert_close(res.sd[0], 1.0 / 3.0, 1e-12, 0);
  assert_true(isinf(res.sd[1]));
  ucl_fit_destroy(&f);
}

/* 'spec' must be refused with "DIR/spec.ini:LINE: " (line 0: "DIR/spec.ini: ") and 'what'. */
static void spec_refused(const char *spec, int line, const char *what) {
  ucl_fit *f = NULL;
  ucl_diag d = {{0}};
  ucl_status st = load_spec(spec, &f, &d);
  if (st == UCL_OK) {
    ucl_fit_destroy(&f);
    fail_msg("accepted:\n%s", spec);
  }
  assert_null(f);
  char prefix[160];
  if (line > 0) {
    snprintf(prefix, sizeof(prefix), "%s/spec.ini:%d: ", dir, line);
  } else {
    snprintf(prefix, sizeof(prefix), "%s/spec.ini: ", dir);
  }
  if (strncmp(d.msg, prefix, strlen(prefix)) != 0 || !strstr(d.msg, what)) {
    fail_msg("message '%s'\n expected prefix '%s' and '%s'", d.msg, prefix, what);
  }
}

static void test_load_refused(void **state) {
  (void)state;
  /* no free parameter (no section, and an empty one): the file is named (no line to name) */
  spec_refused(SPEC_REC, 0, "no free parameters");
  spec_refused(SPEC_REC "[fit.free]\n", 0, "no free parameters");
  /* bounds */
  spec_refused(SPEC_REC "[fit.free]\nR_in = 1k, 100k\nVDD = 20, 1\n", 6, "LO < HI");
  spec_refused(SPEC_REC "[fit.free]\nVDD = 5, 5\n", 5, "LO < HI");
  spec_refused(SPEC_REC "[fit.free]\nVDD = 1, 20\nR_in = 0, 100k\n", 6, "needs LO > 0");
  spec_refused(SPEC_REC "[fit.free]\nVDD = -1, 20, log\n", 5, "needs LO > 0");
  spec_refused(SPEC_REC "[fit.free]\nVDD = 1, 20, cubic\n", 5, "log or lin");
  spec_refused(SPEC_REC "[fit.free]\nVDD = 1\n", 5, "LO, HI");
  spec_refused(SPEC_REC "[fit.free]\nR_nope = 1, 2\n", 5, "'R_nope'");
  /* [fit] keys */
  spec_refused("[fit]\nstarts = 8\nsmoothness = 3\n" SPEC_REC SPEC_FREE, 3,
               "unknown key 'smoothness' in [fit]");
  spec_refused("[fit]\nvr_tau = -1m\n" SPEC_REC SPEC_FREE, 2, "vr_tau must be > 0");
  /* features */
  spec_refused(SPEC_REC SPEC_FREE "[fit.features]\nthreshold_V = 5 +- 0.1\nbeauty = 3 +- 1\n", 9,
               "feature 'beauty': not a feature");
  spec_refused(SPEC_REC SPEC_FREE "[fit.features]\nthreshold_V = >= 5\n", 8, "VALUE +- SD");
  /* a prior on a key that is not free */
  spec_refused(SPEC_REC SPEC_FREE "[fit.priors]\nR_in = 10k +- 10%\nC = 1u +- 5%\n", 9,
               "a prior for 'C', which is not free");
  /* an unknown [fit.xxx] section */
  spec_refused(SPEC_REC SPEC_FREE "\n[fit.bounds]\nR_in = 1, 2\n", 8,
               "unknown section [fit.bounds]");
  /* nothing to fit to */
  spec_refused(SPEC_FREE, 0, "nothing to fit to");
  /* a recording's own problem names the recording's data file (recording.h) */
  write_file("spec.ini", SPEC_REC SPEC_FREE);
  write_file("data.csv", "t_s,Vm\n0,1\n1e-5,NaN\n");
  char p[128];
  snprintf(p, sizeof(p), "%s/spec.ini", dir);
  ucl_fit *f = NULL;
  ucl_diag d = {{0}};
  assert_int_not_equal(ucl_fit_load(p, NULL, 0, &f, &d), UCL_OK);
  assert_null(f);
  char prefix[160];
  snprintf(prefix, sizeof(prefix), "%s/data.csv:3: ", dir);
  if (strncmp(d.msg, prefix, strlen(prefix)) != 0) {
    fail_msg("message '%s', expected prefix '%s'", d.msg, prefix);
  }
}

/* An optimum a little outside a bound (Levenberg-Marquardt's bound residual lets it stray):
 * the value is clipped to the bound, and the interval must contain it (centred on the
 * unclipped x it would be [20.48, 20] for VDD at 20.5 with bounds [1, 20]). */
static void test_analyse_outside_bounds(void **state) {
  (void)state;
  ucl_fit *f = good_fit();
  const double x[2] = {log(1e5) + 0.3, 20.5}; /* both beyond their upper bound */
  double J[22];
  make_j(100.0, J);
  ucl_fit_result res;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_fit_analyse(f, 0, x, J, 11, 4.0, &res, &d), UCL_OK);
  assert_close(res.value[0], 1e5, 1e-12, 0);
  assert_close(res.value[1], 20.0, 0, 0);
  for (int j = 0; j < 2; j++) {
    if (!(res.ci_lo[j] <= res.value[j] && res.value[j] <= res.ci_hi[j])) {
      fail_msg("parameter %d: value %g outside its interval [%g, %g]", j, res.value[j],
               res.ci_lo[j], res.ci_hi[j]);
    }
  }
  ucl_fit_destroy(&f);
}

/* A prior on a parameter that only some variants free (a variant that adds one, e.g. the
 * two-transistor form's BF) applies to those variants; the others are not refused. FAILS with
 * fit.c as of this test (the spec is refused: "a prior for 'C', which is not free"): the fix is
 * in the report of branch ws-fittests. Remove the skip() when it is applied. */
static void test_prior_in_one_variant(void **state) {
  (void)state;
  ucl_fit *f = NULL;
  ucl_diag d = {{0}};
  ucl_status st = load_spec(SPEC_REC "[fit.free]\nR_in = 1k, 100k\n"
                                     "[variant.a]\nfree.C = 10n, 1u\n"
                                     "[variant.b]\n"
                                     "[fit.priors]\nC = 100n +- 10%\n",
                            &f, &d);
  if (st != UCL_OK) {
    fail_msg("refused: %s", d.msg);
  }
  assert_int_equal(ucl_fit_n_variants(f), 2);
  const ucl_fit_variant *a = ucl_fit_variant_at(f, 0), *b = ucl_fit_variant_at(f, 1);
  assert_string_equal(a->name, "a");
  assert_int_equal(a->n_free, 2);
  assert_string_equal(a->free[1].name, "C");
  assert_close(a->free[1].prior_mu, log(100e-9), 1e-12, 0);
  assert_close(a->free[1].prior_sd, 0.1, 1e-12, 0);
  assert_int_equal(b->n_free, 1);
  assert_int_equal(ucl_fit_n_residuals(f, 0), 12);
  assert_int_equal(ucl_fit_n_residuals(f, 1), 11);
  ucl_fit_destroy(&f);
  /* a prior on a key free in no variant is still refused */
  spec_refused(SPEC_REC "[fit.free]\nR_in = 1k, 100k\n[variant.a]\nfree.C = 10n, 1u\n"
                        "[variant.b]\n[fit.priors]\nVDD = 5 +- 1\n",
               10, "a prior for 'VDD', which is not free");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_van_rossum),
      cmocka_unit_test(test_coincidence),
      cmocka_unit_test(test_pwl_simplify),
      cmocka_unit_test(test_pwl_runs),
      cmocka_unit_test(test_pwl_levels),
      cmocka_unit_test(test_replay_stimulus),
      cmocka_unit_test(test_load_good),
      cmocka_unit_test(test_analyse),
      cmocka_unit_test(test_load_refused),
      cmocka_unit_test(test_analyse_outside_bounds),
      cmocka_unit_test(test_prior_in_one_variant),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
