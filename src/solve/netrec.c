/* netrec.c — the recorded output of a source neuron in a partitioned network run (netrec.h;
 * docs/model.md N4): swing-door compression of the source's output and the node after R6 at its
 * steps, steep 'on' steps refined by Hermite interpolation, and a synapse's view of the record. */
#include "netrec.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* While the source is on its output swings between rest and VDD, and a step of its own
 * integration can hold a steep part of that swing: such a step is bisected (state by cubic
 * Hermite interpolation, output by the node solve) until the output at each midpoint is within
 * REFINE_TOL of the straight line, at most REFINE_DEPTH times. */
#define REFINE_TOL 1e-3
#define REFINE_DEPTH 4
/* The record keeps a point only where the straight line between kept points would miss a
 * dropped one by more than REC_TOL (swing-door compression, on both the output and the node after
 * R6), so it grows with the spikes, not with the steps: while a source rests, its output is flat.
 */
#define REC_TOL 1e-4

/* ---- the record ---- */

void ucl_netrec_traj_free(ucl_netrec_traj *T) {
  free(T->t);
  free(T->out);
  free(T->mode);
  free(T->ev);
  memset(T, 0, sizeof(*T));
}

/* Room for cap points (the arrays grown together). Nonzero when out of memory. */
static int traj_reserve(ucl_netrec_traj *T, size_t cap) {
  double *nt = realloc(T->t, cap * sizeof(double));
  if (nt) {
    T->t = nt;
  }
  double *no = nt ? realloc(T->out, cap * 2 * sizeof(double)) : NULL;
  if (no) {
    T->out = no;
  }
  unsigned char *nm = no ? realloc(T->mode, cap) : NULL;
  if (!nm) {
    return 1;
  }
  T->mode = nm;
  T->cap = cap;
  return 0;
}

static int traj_push(ucl_netrec_traj *T, double t, const double *out, int mode) {
  if (T->n == T->cap && traj_reserve(T, T->cap ? 2 * T->cap : 256) != 0) {
    return 1;
  }
  if (T->n > 0 && T->mode[T->n - 1] != mode) {
    if (T->n_ev == T->cap_ev) {
      size_t cap = T->cap_ev ? 2 * T->cap_ev : 64;
      double *ne = realloc(T->ev, cap * sizeof(double));
      if (!ne) {
        return 1;
      }
      T->ev = ne;
      T->cap_ev = cap;
    }
    T->ev[T->n_ev++] = t;
  }
  T->t[T->n] = t;
  T->out[2 * T->n] = out[0];
  T->out[2 * T->n + 1] = out[1];
  T->mode[T->n] = (unsigned char)mode;
  T->n++;
  return 0;
}

/* Largest k with t[k] <= t (0 if none), searching from the cursor *c. */
static size_t traj_locate(const ucl_netrec_traj *T, double t, size_t *c) {
  size_t k = *c < T->n ? *c : T->n - 1;
  while (k + 1 < T->n && T->t[k + 1] <= t) {
    k++;
  }
  while (k > 0 && T->t[k] > t) {
    k--;
  }
  *c = k;
  return k;
}

int ucl_netrec_traj_copy(ucl_netrec_traj *dst, const ucl_netrec_traj *src) {
  if (dst->cap < src->n && traj_reserve(dst, src->n) != 0) {
    return 1;
  }
  if (dst->cap_ev < src->n_ev) {
    double *ne = realloc(dst->ev, src->n_ev * sizeof(double));
    if (!ne) {
      return 1;
    }
    dst->ev = ne;
    dst->cap_ev = src->n_ev;
  }
  if (src->n > 0) {
    memcpy(dst->t, src->t, src->n * sizeof(double));
    memcpy(dst->out, src->out, src->n * 2 * sizeof(double));
    memcpy(dst->mode, src->mode, src->n);
  }
  if (src->n_ev > 0) {
    memcpy(dst->ev, src->ev, src->n_ev * sizeof(double));
  }
  dst->n = src->n;
  dst->n_ev = src->n_ev;
  return 0;
}

void ucl_netrec_traj_drop_before(ucl_netrec_traj *T, double t) {
  size_t c = 0;
  if (T->n < 3) {
    return;
  }
  size_t k = traj_locate(T, t, &c);
  size_t keep = k > 0 ? k - 1 : 0; /* and one point before: both sides of a switch at t */
  if (keep > 0) {
    memmove(T->t, T->t + keep, (T->n - keep) * sizeof(double));
    memmove(T->out, T->out + 2 * keep, (T->n - keep) * 2 * sizeof(double));
    memmove(T->mode, T->mode + keep, T->n - keep);
    T->n -= keep;
  }
  size_t e = 0;
  while (e < T->n_ev && T->ev[e] < T->t[0]) {
    e++;
  }
  if (e > 0) {
    memmove(T->ev, T->ev + e, (T->n_ev - e) * sizeof(double));
    T->n_ev -= e;
  }
}

/* ---- the recorder ---- */

/* Keep the pending point, if any. */
int ucl_netrec_flush(ucl_netrec_recorder *p) {
  if (!p->pend) {
    return 0;
  }
  p->pend = 0;
  return traj_push(p->rec, p->pend_t, p->pend_out, p->pend_mode);
}

/* Make (t, out, mode) pending, its slope window taken from the last kept point. */
static void rec_pend(ucl_netrec_recorder *p, double t, const double *out, int mode) {
  const ucl_netrec_traj *T = p->rec;
  double tk = T->t[T->n - 1], dt = t - tk;
  const double *ok = T->out + 2 * (T->n - 1);
  for (int k = 0; k < 2; k++) {
    p->up[k] = (out[k] + REC_TOL - ok[k]) / dt;
    p->lo[k] = (out[k] - REC_TOL - ok[k]) / dt;
  }
  p->pend = 1;
  p->pend_mode = mode;
  p->pend_t = t;
  p->pend_out[0] = out[0];
  p->pend_out[1] = out[1];
}

/* Add a point to the record (swing-door: a mode change, a repeated time or a slope outside the
 * window keeps the pending point). */
static int rec_add(ucl_netrec_recorder *p, double t, const double *out, int mode) {
  ucl_netrec_traj *T = p->rec;
  double t_prev = p->pend ? p->pend_t : (T->n ? T->t[T->n - 1] : -INFINITY);
  int prev_mode = p->pend ? p->pend_mode : (T->n ? T->mode[T->n - 1] : -1);
  if (t == t_prev && mode == prev_mode) {
    return 0; /* the same point again (both sides of a break): the output is continuous there */
  }
  if (T->n == 0 || mode != prev_mode || mode != T->mode[T->n - 1] || !(t > t_prev)) {
    return ucl_netrec_flush(p) || traj_push(T, t, out, mode);
  }
  if (!p->pend) {
    rec_pend(p, t, out, mode);
    return 0;
  }
  double tk = T->t[T->n - 1], dt = t - tk;
  const double *ok = T->out + 2 * (T->n - 1);
  int inside = 1;
  for (int k = 0; k < 2; k++) {
    double slope = (out[k] - ok[k]) / dt;
    inside &= slope >= p->lo[k] && slope <= p->up[k];
  }
  if (!inside) {
    if (ucl_netrec_flush(p) != 0) {
      return 1;
    }
    rec_pend(p, t, out, mode);
    return 0;
  }
  double up[2], lo[2];
  for (int k = 0; k < 2; k++) {
    up[k] = fmin(p->up[k], (out[k] + REC_TOL - ok[k]) / dt);
    lo[k] = fmax(p->lo[k], (out[k] - REC_TOL - ok[k]) / dt);
  }
  rec_pend(p, t, out, mode);
  memcpy(p->up, up, sizeof(up));
  memcpy(p->lo, lo, sizeof(lo));
  return 0;
}

typedef struct step_data {
  double t0, h;
  const double *y0, *dy0, *y1, *dy1;
} step_data;

/* Record the points of [s0, s1] of the step (fractions; outputs o0, o1 at the ends) that the
 * line between the ends misses by more than REFINE_TOL, in order, excluding the ends. */
static int refine(ucl_netrec_recorder *p, const step_data *d, double s0, const double *o0,
                  double s1, const double *o1, int depth) {
  if (depth == 0) {
    return 0;
  }
  double s = 0.5 * (s0 + s1), s1m = 1.0 - s;
  double h00 = (1.0 + 2.0 * s) * s1m * s1m, h10 = s * s1m * s1m;
  double h01 = s * s * (3.0 - 2.0 * s), h11 = s * s * (s - 1.0);
  double ym[UCL_NETREC_MAX_STATES], om[2];
  for (int i = 0; i < p->ns; i++) {
    ym[i] = h00 * d->y0[i] + h10 * d->h * d->dy0[i] + h01 * d->y1[i] + h11 * d->h * d->dy1[i];
  }
  if (ucl_neuron_output(p->n, 1, d->t0 + s * d->h, ym, om) != 0) {
    om[0] = om[1] = NAN;
  }
  double miss = fmax(fabs(om[0] - 0.5 * (o0[0] + o1[0])), fabs(om[1] - 0.5 * (o0[1] + o1[1])));
  if (!(miss > REFINE_TOL)) {
    return 0;
  }
  if (refine(p, d, s0, o0, s, om, depth - 1) != 0 || rec_add(p, d->t0 + s * d->h, om, 1)) {
    return 1;
  }
  return refine(p, d, s, om, s1, o1, depth - 1);
}

/* on_step: record a source neuron's output at its step (t, y), refining 'on' steps. */
int ucl_netrec_step(void *recorder, double t, const double *y) {
  ucl_netrec_recorder *p = recorder;
  int ns = p->ns, on = ucl_neuron_scr_on(p->n);
  double dy[UCL_NETREC_MAX_STATES] = {0.0}, out[2];
  if (on && p->inner->ops->rhs(p->inner->ctx, t, y, dy) != 0) {
    memset(dy, 0, sizeof(dy)); /* the derivative serves the substeps of an 'on' step only */
  }
  if (ucl_neuron_output(p->n, on, t, y, out) != 0) {
    out[0] = out[1] = NAN;
  }
  if (on && p->have_last && p->mode_last == on && t > p->t_last) {
    step_data d = {p->t_last, t - p->t_last, p->y_last, p->dy_last, y, dy};
    if (refine(p, &d, 0.0, p->out_last, 1.0, out, REFINE_DEPTH) != 0) {
      return 1;
    }
  }
  p->out_last[0] = out[0];
  p->out_last[1] = out[1];
  p->t_last = t;
  memcpy(p->y_last, y, (size_t)ns * sizeof(double));
  memcpy(p->dy_last, dy, (size_t)ns * sizeof(double));
  p->mode_last = on;
  p->have_last = 1;
  return rec_add(p, t, out, on);
}

/* ---- a synapse's view of the record ---- */

/* The source's output at t (N4): linear interpolation between the recorded points of the
 * target's current segment (the source's mode switches are the target's breaks, so an interval
 * never spans a jump). */
unsigned long ucl_netrec_reads_before_start = 0;

double ucl_netrec_view_output(void *view, double t) {
  ucl_netrec_view *v = view;
  const ucl_netrec_traj *T = v->T;
  if (T->n == 0) {
    return 0.0; /* a source that never started (it failed): silent */
  }
  ucl_netrec_reads_before_start += t < T->t[0];
  if (T->n == 1) {
    return T->out[v->tap_clamp];
  }
  size_t k = traj_locate(T, t, &v->cursor);
  if (k + 1 == T->n && t > T->t[k]) {
    return T->out[2 * k + v->tap_clamp]; /* past the record (relaxation's first guess): held */
  }
  /* an interval of positive length, in the segment's mode */
  while (k > 0 && (k + 1 >= T->n || T->t[k + 1] <= T->t[k] || T->mode[k] != v->seg_mode)) {
    k--;
  }
  if (k + 1 >= T->n) {
    k = T->n - 2;
  }
  double t0 = T->t[k], h = T->t[k + 1] - t0;
  double a = T->out[2 * k + v->tap_clamp], b = T->out[2 * (k + 1) + v->tap_clamp];
  return h > 0.0 ? a + (b - a) * (t - t0) / h : a;
}

double ucl_netrec_traj_first_diff(const ucl_netrec_traj *old, const ucl_netrec_traj *nw, double a,
                                  double b, double tol_v, double tol_t) {
  if (old->n == 0 || nw->n == 0) {
    return old->n != nw->n ? a : INFINITY;
  }
  double first = INFINITY;
  size_t eo = 0, en = 0;
  while (eo < old->n_ev && old->ev[eo] <= a) {
    eo++;
  }
  while (en < nw->n_ev && nw->ev[en] <= a) {
    en++;
  }
  for (;;) { /* the mode switches in (a, b]: as many, each within tol_t */
    int ho = eo < old->n_ev && old->ev[eo] <= b, hn = en < nw->n_ev && nw->ev[en] <= b;
    if (!ho && !hn) {
      break;
    }
    if (ho != hn || !(fabs(old->ev[eo] - nw->ev[en]) <= tol_t)) {
      double te = ho && hn ? fmin(old->ev[eo], nw->ev[en]) : ho ? old->ev[eo] : nw->ev[en];
      first = fmax(a, te - tol_t);
      break;
    }
    eo++;
    en++;
  }
  /* each record's outputs in [a, b] against the other's, where both are in the same mode; a
   * point out of tolerance dates the difference from the point of its record before it */
  const ucl_netrec_traj *pair[2][2] = {{old, nw}, {nw, old}};
  for (int p = 0; p < 2; p++) {
    const ucl_netrec_traj *P = pair[p][0];
    ucl_netrec_view vq = {(ucl_netrec_traj *)(uintptr_t)pair[p][1], 0, 0, 0};
    for (size_t k = 0; k < P->n && P->t[k] <= b; k++) {
      double t = P->t[k];
      double since = k > 0 && P->t[k - 1] > a ? P->t[k - 1] : a;
      if (t < a || since >= first) {
        continue;
      }
      size_t j = traj_locate(vq.T, t, &vq.cursor);
      if (vq.T->mode[j] != P->mode[k]) {
        continue; /* between the two records' switch times */
      }
      vq.seg_mode = P->mode[k];
      for (int col = 0; col < 2; col++) { /* within tol_v of the other's range over t ± tol_t */
        vq.tap_clamp = col;
        double q0 = ucl_netrec_view_output(&vq, t), lo = q0, hi = q0;
        for (int side = -1; side <= 1; side += 2) {
          double ts = t + side * tol_t;
          size_t js = traj_locate(vq.T, ts, &vq.cursor);
          if (ts >= a && ts <= b && vq.T->mode[js] == P->mode[k]) {
            double q = ucl_netrec_view_output(&vq, ts);
            lo = fmin(lo, q);
            hi = fmax(hi, q);
          }
        }
        double v = P->out[2 * k + col];
        if (!(v >= lo - tol_v && v <= hi + tol_v)) {
          first = since;
          break;
        }
      }
    }
  }
  return first;
}

void ucl_netrec_view_begin(ucl_netrec_view *v, double t) {
  if (v->T->n == 0) {
    v->seg_mode = 0;
    return;
  }
  size_t i = traj_locate(v->T, t, &v->cursor);
  v->seg_mode = v->T->mode[i];
}

double ucl_netrec_view_next_break(const ucl_netrec_view *v, double t, double tb) {
  const ucl_netrec_traj *T = v->T;
  size_t lo = 0, hi = T->n_ev; /* first event > t */
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (T->ev[mid] <= t) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo < T->n_ev && T->ev[lo] < tb ? T->ev[lo] : tb;
}
