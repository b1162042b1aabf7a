/* noise.c — band-limited Johnson–Nyquist noise sources and switching jitter (noise.h;
 * docs/model.md, Noise). */
#include "uclif/noise.h"

#include <math.h>
#include <stdlib.h>

#include "uclif/rng.h"

/* Domain tags mixed into noise.seed, so that the noise's streams never meet those of a sweep's
 * random design or of the Monte Carlo draws with the same seed value. */
#define TAG_THERMAL 0x746865726d616cULL /* "thermal" */
#define TAG_JITTER 0x6a6974746572ULL    /* "jitter" */

struct ucl_noise {
  double h;      /* s, knot spacing */
  uint64_t key;  /* the neuron's stream */
  int n, cap;    /* sources, room */
  double *sigma; /* V, RMS of each source's knot samples: sqrt(4kTR·B) */
  int64_t knot;  /* z holds the samples of knots knot−1 .. knot+2 (INT64_MIN: nothing yet) */
  double *z;     /* 4 per source, already times sigma */
};

/* Counter b's standard normal number of stream (key, a): uniforms 2b and 2b + 1. */
static double normal(uint64_t key, uint64_t a, uint64_t b) {
  return ucl_rng_normal(key, a, 2 * b);
}

uint64_t ucl_noise_key(uint64_t seed, uint64_t tag, uint64_t stream, uint64_t unit,
                       uint64_t trial) {
  uint64_t key = ucl_rng_bits(seed ^ tag, stream, unit);
  return trial == 0 ? key : ucl_rng_bits(key, trial, tag);
}

ucl_status ucl_noise_create(double bandwidth, uint64_t seed, uint64_t stream, uint64_t unit,
                            uint64_t trial, int cap, ucl_noise **out) {
  if (!(bandwidth > 0.0) || !isfinite(bandwidth) || cap < 1) {
    return UCL_ERR_INVAL;
  }
  ucl_noise *g = calloc(1, sizeof(*g));
  if (!g) {
    return UCL_ERR_NOMEM;
  }
  g->sigma = calloc((size_t)cap, sizeof(double));
  g->z = calloc(4 * (size_t)cap, sizeof(double));
  if (!g->sigma || !g->z) {
    ucl_noise_destroy(&g);
    return UCL_ERR_NOMEM;
  }
  g->h = 0.5 / bandwidth;
  g->key = ucl_noise_key(seed, TAG_THERMAL, stream, unit, trial);
  g->cap = cap;
  g->knot = INT64_MIN;
  *out = g;
  return UCL_OK;
}

void ucl_noise_destroy(ucl_noise **g) {
  if (g && *g) {
    free((*g)->sigma);
    free((*g)->z);
    free(*g);
    *g = NULL;
  }
}

int ucl_noise_add_resistor(ucl_noise *g, double R, double temp) {
  if (g->n >= g->cap || !(R > 0.0) || !(temp > 0.0)) {
    return -1;
  }
  /* σ² = S·B, S = 4kTR: a sample sequence of variance σ² at spacing h = 1/(2B) has the
   * two-sided density σ²·h = S/2 at low frequencies, the spline (whose weights sum to 1) keeps
   * it */
  g->sigma[g->n] = sqrt(4.0 * UCL_BOLTZMANN * temp * R * 0.5 / g->h);
  g->knot = INT64_MIN; /* the new source has no samples yet */
  return g->n++;
}

int ucl_noise_count(const ucl_noise *g) {
  return g->n;
}

double ucl_noise_knot_spacing(const ucl_noise *g) {
  return g->h;
}

double ucl_noise_sample(const ucl_noise *g, int src, int64_t j) {
  /* knot j >= −1 is counter j + 1 of the source's stream */
  return normal(g->key, (uint64_t)src, (uint64_t)(j + 1));
}

void ucl_noise_eval(ucl_noise *g, double t, double *e) {
  double x = t / g->h;
  double fk = floor(x);
  int64_t k = (int64_t)fk;
  double u = x - fk;
  if (k != g->knot) {
    for (int s = 0; s < g->n; s++) {
      double *z = g->z + 4 * s;
      if (k == g->knot + 1) { /* the next interval (the usual case): three samples are known */
        z[0] = z[1];
        z[1] = z[2];
        z[2] = z[3];
        z[3] = g->sigma[s] * ucl_noise_sample(g, s, k + 2);
      } else {
        for (int i = 0; i < 4; i++) {
          z[i] = g->sigma[s] * ucl_noise_sample(g, s, k - 1 + i);
        }
      }
    }
    g->knot = k;
  }
  /* the uniform cubic B-spline's weights of knots k−1 .. k+2 at u in [0, 1) (de Boor, A
   * Practical Guide to Splines, 1978); they sum to 1 */
  double u2 = u * u, u3 = u2 * u, v = 1.0 - u;
  double w0 = v * v * v / 6.0;
  double w1 = (3.0 * u3 - 6.0 * u2 + 4.0) / 6.0;
  double w2 = (-3.0 * u3 + 3.0 * u2 + 3.0 * u + 1.0) / 6.0;
  double w3 = u3 / 6.0;
  for (int s = 0; s < g->n; s++) {
    const double *z = g->z + 4 * s;
    e[s] = w0 * z[0] + w1 * z[1] + w2 * z[2] + w3 * z[3];
  }
}

double ucl_noise_jitter(uint64_t seed, uint64_t stream, uint64_t unit, uint64_t trial, int which,
                        long event, double sigma) {
  if (!(sigma > 0.0)) {
    return 1.0;
  }
  uint64_t key = ucl_noise_key(seed, TAG_JITTER, stream, unit, trial);
  return exp(sigma * normal(key, (uint64_t)which, (uint64_t)event));
}
