/* stimulus.c — piecewise-linear input waveforms with exact break times. */
#include "uclif/stimulus.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "uclif/numeric.h"

ucl_status ucl_stimulus_init(const ucl_stimulus_params *p, ucl_stimulus *out, ucl_diag *diag) {
  ucl_stimulus s;
  s.p = *p;
  s.pulses_per_burst = 0;
  s.n_levels = 1;
  if (p->kind == UCL_STIM_REPLAY) {
    if (!p->replay || p->replay->n < 1 || !p->replay->t || !p->replay->v) {
      return ucl_diag_set(diag, UCL_ERR_INVAL, "the replay stimulus has no waveform");
    }
    for (size_t k = 1; k < p->replay->n; k++) {
      if (!(p->replay->t[k] > p->replay->t[k - 1])) {
        return ucl_diag_set(diag, UCL_ERR_INVAL,
                            "the replayed waveform's time does not increase at point %zu", k);
      }
    }
  }
  if (p->kind == UCL_STIM_PULSES || p->kind == UCL_STIM_STAIRCASE) {
    if (!(p->period > 0.0) || !(p->width > 0.0)) {
      return ucl_diag_set(diag, UCL_ERR_RANGE, "a pulse train needs period > 0 and width > 0");
    }
    if (!ucl_le_tol(p->rise + p->width + p->fall, p->period)) {
      return ucl_diag_set(diag, UCL_ERR_RANGE, "a pulse does not fit in its period");
    }
  }
  if (p->kind == UCL_STIM_PULSES && p->burst_on > 0.0) {
    if (ucl_le_tol(p->burst_period, p->burst_on)) {
      return ucl_diag_set(diag, UCL_ERR_RANGE, "burst_period must exceed burst_on");
    }
    /* pulses whose onset offset k·period lies inside [0, burst_on) */
    s.pulses_per_burst = (long)ceil(p->burst_on / p->period - 1e-9);
    if (s.pulses_per_burst < 1) {
      s.pulses_per_burst = 1;
    }
  }
  if (p->kind == UCL_STIM_STAIRCASE) {
    if (!(p->amp_step > 0.0) || !ucl_le_tol(p->amp_start, p->amp_stop) ||
        !(p->level_pulses >= 1.0)) {
      return ucl_diag_set(diag, UCL_ERR_RANGE,
                          "a staircase needs amp_step > 0, amp_stop >= amp_start and "
                          "level_pulses >= 1");
    }
    /* amp_stop may lie below amp_start within the tolerance: one level then */
    s.n_levels = (long)floor(fmax(0.0, p->amp_stop - p->amp_start) / p->amp_step + 1e-9) + 1;
  }
  *out = s;
  return UCL_OK;
}

/* Onset time of pulse k. */
static double pulse_onset(const ucl_stimulus *s, long k) {
  const ucl_stimulus_params *p = &s->p;
  if (s->pulses_per_burst > 0) {
    long b = k / s->pulses_per_burst;
    long j = k % s->pulses_per_burst;
    return p->start + (double)b * p->burst_period + (double)j * p->period;
  }
  return p->start + (double)k * p->period;
}

/* The last pulse whose onset is <= t (t >= start), before any count limit. */
static long pulse_index(const ucl_stimulus *s, double t) {
  const ucl_stimulus_params *p = &s->p;
  long k;
  if (s->pulses_per_burst > 0) {
    long b = (long)floor((t - p->start) / p->burst_period);
    if (b < 0) {
      b = 0;
    }
    double tb = p->start + (double)b * p->burst_period;
    long j = (long)floor((t - tb) / p->period);
    if (j < 0) {
      j = 0;
    }
    if (j >= s->pulses_per_burst) {
      j = s->pulses_per_burst - 1;
    }
    k = b * s->pulses_per_burst + j;
  } else {
    k = (long)floor((t - p->start) / p->period);
    if (k < 0) {
      k = 0;
    }
  }
  /* floor() on rounded quotients can be off by one: settle with exact comparisons. */
  while (pulse_onset(s, k + 1) <= t) {
    k++;
  }
  while (k > 0 && pulse_onset(s, k) > t) {
    k--;
  }
  return k;
}

double ucl_stimulus_pulse_amplitude(const ucl_stimulus *s, long k) {
  const ucl_stimulus_params *p = &s->p;
  if (p->kind == UCL_STIM_STAIRCASE) {
    long level = k / (long)p->level_pulses;
    if (level >= s->n_levels) {
      level = s->n_levels - 1;
    }
    return p->amp_start + (double)level * p->amp_step;
  }
  return p->amplitude;
}

static void set_piece(ucl_stim_piece *out, double t0, double t1, double v0, double slope) {
  out->t0 = t0;
  out->t1 = t1;
  out->v0 = v0;
  out->slope = slope;
}

/* The replay piece containing t: constant before the first and after the last point, linear
 * between points (binary search for the last point <= t). */
static void replay_piece(const ucl_pwl *w, double t, ucl_stim_piece *out) {
  size_t n = w->n;
  if (t < w->t[0]) {
    set_piece(out, -DBL_MAX, w->t[0], w->v[0], 0.0);
    return;
  }
  if (t >= w->t[n - 1]) {
    set_piece(out, w->t[n - 1], INFINITY, w->v[n - 1], 0.0);
    return;
  }
  size_t lo = 0, hi = n - 1; /* w->t[lo] <= t < w->t[hi] */
  /* (a hold waveform's last level holds from t[n-1] on: handled above) */
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (w->t[mid] <= t) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  set_piece(out, w->t[lo], w->t[hi], w->v[lo],
            w->hold ? 0.0 : (w->v[hi] - w->v[lo]) / (w->t[hi] - w->t[lo]));
}

void ucl_stimulus_piece(const ucl_stimulus *s, double t, ucl_stim_piece *out) {
  const ucl_stimulus_params *p = &s->p;
  switch ((ucl_stim_kind)p->kind) {
  case UCL_STIM_DC:
    set_piece(out, -DBL_MAX, INFINITY, p->amplitude, 0.0);
    return;
  case UCL_STIM_STEP:
    if (t < p->start) {
      set_piece(out, -DBL_MAX, p->start, 0.0, 0.0);
    } else if (p->width > 0.0 && t >= p->start + p->width) {
      set_piece(out, p->start + p->width, INFINITY, 0.0, 0.0);
    } else {
      set_piece(out, p->start, p->width > 0.0 ? p->start + p->width : INFINITY, p->amplitude, 0.0);
    }
    return;
  case UCL_STIM_REPLAY:
    replay_piece(p->replay, t, out);
    return;
  case UCL_STIM_PULSES:
  case UCL_STIM_STAIRCASE:
    break;
  }
  if (t < p->start) {
    set_piece(out, -DBL_MAX, p->start, 0.0, 0.0);
    return;
  }
  long k = pulse_index(s, t);
  long count = (p->kind == UCL_STIM_PULSES) ? (long)p->count : 0;
  double on = pulse_onset(s, k);
  double c1 = on + p->rise, c2 = c1 + p->width, c3 = c2 + p->fall;
  if (count > 0 && k >= count) {
    double last = pulse_onset(s, count - 1) + p->rise + p->width + p->fall;
    set_piece(out, last, INFINITY, 0.0, 0.0);
    return;
  }
  double next = (count > 0 && k + 1 >= count) ? INFINITY : pulse_onset(s, k + 1);
  /* A pulse that fills its period within UCL_REL_TOL (rise + width + fall = period as written,
   * a few ulp over or under once rounded) ends at the next onset: the corners stay in order and
   * no sliver of a gap is left between the fall and the next rise. */
  if (c3 > next - UCL_REL_TOL * p->period) {
    c3 = next;
  }
  c2 = fmin(c2, c3);
  c1 = fmin(c1, c2);
  double a = ucl_stimulus_pulse_amplitude(s, k);
  if (t < c1) {
    set_piece(out, on, c1, 0.0, a / p->rise);
  } else if (t < c2) {
    set_piece(out, c1, c2, a, 0.0);
  } else if (t < c3) {
    set_piece(out, c2, c3, a, -a / p->fall);
  } else {
    set_piece(out, c3, next, 0.0, 0.0);
  }
}

double ucl_stim_piece_value(const ucl_stim_piece *pc, double t) {
  return pc->slope == 0.0 ? pc->v0 : pc->v0 + pc->slope * (t - pc->t0);
}

double ucl_stimulus_value(const ucl_stimulus *s, double t) {
  ucl_stim_piece pc;
  ucl_stimulus_piece(s, t, &pc);
  return ucl_stim_piece_value(&pc, t);
}

long ucl_stimulus_pulse_count(const ucl_stimulus *s, double t_end) {
  const ucl_stimulus_params *p = &s->p;
  if ((p->kind != UCL_STIM_PULSES && p->kind != UCL_STIM_STAIRCASE) || !(t_end > p->start)) {
    return 0;
  }
  long k = pulse_index(s, t_end);
  long n = pulse_onset(s, k) < t_end ? k + 1 : k;
  if (p->kind == UCL_STIM_PULSES && p->count > 0 && n > (long)p->count) {
    n = (long)p->count;
  }
  return n;
}

/* Distance (V, vertical) of sample k from the line through points a and b. */
static double dp_dev(const double *t, const double *v, size_t a, size_t b, size_t k) {
  double f = (t[k] - t[a]) / (t[b] - t[a]);
  return fabs(v[k] - (v[a] + f * (v[b] - v[a])));
}

ucl_status ucl_pwl_simplify(const double *t, const double *v, size_t n, double tol, double *t_out,
                            double *v_out, size_t *n_out) {
  if (n == 0 || !(tol >= 0.0)) {
    return UCL_ERR_INVAL;
  }
  if (n <= 2) {
    for (size_t k = 0; k < n; k++) {
      t_out[k] = t[k];
      v_out[k] = v[k];
    }
    *n_out = n;
    return UCL_OK;
  }
  unsigned char *keep = calloc(n, 1);
  size_t *stack = malloc(2 * n * sizeof(*stack));
  if (!keep || !stack) {
    free(keep);
    free(stack);
    return UCL_ERR_NOMEM;
  }
  keep[0] = keep[n - 1] = 1;
  size_t top = 0;
  stack[top++] = 0;
  stack[top++] = n - 1;
  while (top > 0) {
    size_t b = stack[--top], a = stack[--top];
    double worst = -1.0;
    size_t at = a;
    for (size_t k = a + 1; k < b; k++) {
      double d = dp_dev(t, v, a, b, k);
      if (d > worst) {
        worst = d;
        at = k;
      }
    }
    if (worst > tol) {
      keep[at] = 1;
      stack[top++] = a;
      stack[top++] = at;
      stack[top++] = at;
      stack[top++] = b;
    }
  }
  size_t m = 0;
  for (size_t k = 0; k < n; k++) {
    if (keep[k]) {
      t_out[m] = t[k];
      v_out[m] = v[k];
      m++;
    }
  }
  *n_out = m;
  free(keep);
  free(stack);
  return UCL_OK;
}

ucl_status ucl_pwl_runs(const double *t, const double *v, size_t n, double tol, double *t_out,
                        double *v_out, size_t *n_out) {
  if (n == 0 || !(tol >= 0.0)) {
    return UCL_ERR_INVAL;
  }
  size_t m = 0, start = 0;
  double sum = v[0];
  for (size_t k = 1; k <= n; k++) {
    double mean = sum / (double)(k - start);
    if (k == n || fabs(v[k] - mean) > tol) {
      t_out[m] = t[start];
      v_out[m] = mean;
      m++;
      if (k < n) {
        start = k;
        sum = v[k];
      }
    } else {
      sum += v[k];
    }
  }
  *n_out = m;
  return UCL_OK;
}

typedef struct level_ix {
  double v;
  size_t k;
} level_ix;

static int by_level(const void *a, const void *b) {
  const level_ix *x = a, *y = b;
  if (x->v != y->v) {
    return x->v < y->v ? -1 : 1;
  }
  return (x->k > y->k) - (x->k < y->k);
}

ucl_status ucl_pwl_levels(double *v, const double *w, size_t n, double tol) {
  if (n == 0 || !(tol >= 0.0)) {
    return UCL_ERR_INVAL;
  }
  level_ix *ix = malloc(n * sizeof(*ix));
  if (!ix) {
    return UCL_ERR_NOMEM;
  }
  for (size_t k = 0; k < n; k++) {
    ix[k].v = v[k];
    ix[k].k = k;
  }
  qsort(ix, n, sizeof(*ix), by_level);
  size_t a = 0;
  while (a < n) {
    size_t b = a + 1;
    double sw = w[ix[a].k], swv = w[ix[a].k] * ix[a].v;
    /* the next value joins while it is within tol/2 of the previous one (a cloud of noisy
     * samples of one amplitude has no such gap) and within 3·tol of the group's lowest (the
     * widest a cloud of 10^6 samples is, ±5σ for tol = 4σ) */
    while (b < n && ix[b].v - ix[b - 1].v <= 0.5 * tol && ix[b].v - ix[a].v <= 3.0 * tol) {
      sw += w[ix[b].k];
      swv += w[ix[b].k] * ix[b].v;
      b++;
    }
    double mean = sw > 0.0 ? swv / sw : ix[a].v;
    for (size_t q = a; q < b; q++) {
      v[ix[q].k] = mean;
    }
    a = b;
  }
  free(ix);
  return UCL_OK;
}
