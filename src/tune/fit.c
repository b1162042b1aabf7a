/* fit.c — the fit spec, and the residuals of one parameter vector (docs/fit.md). */
#include "uclif/fit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uclif/ini.h"
#include "uclif/protocols.h"
#include "uclif/results.h"
#include "uclif/sim.h"
#include "uclif/spec.h"
#include "uclif/stimulus.h"
#include "uclif/trace.h"
#include "uclif/tune.h"
#include "uclif/units.h"

/* A run of consecutive samples [i0, i0 + n) of one channel, averaged into one residual. */
typedef struct fit_bin {
  size_t i0;
  unsigned n;
  int ch;
} fit_bin;

/* A recording with what the fit precomputes from it. */
typedef struct fit_rec {
  ucl_recording rec;
  double *pwl_t, *pwl_v; /* the simplified input (ucl_pwl_simplify), or NULL */
  size_t pwl_n;
  int pwl_hold;   /* zero-order hold (a DAQ's output) or linear */
  double *spikes; /* measured spike times (s) */
  size_t n_spikes;
  double *spike_w; /* s: each measured spike's matching half-window (exclusions) */
  size_t n_timing; /* spike-timing residuals: one per measured spike and one for the model's
                      extra spikes, if V_mem is recorded; else 0 */
  fit_bin *bins;
  size_t n_bins;
  double sigma; /* V, per sample */
  /* pulse heights: for each channel other than V_mem, the spike windows in which a sample caught
   * the channel's pulse (measured maximum above half the channel's largest value), and the
   * median of those maxima; one residual per channel with at least 3 of them */
  size_t *hit[UCL_REC_MAX_CHANNELS];
  size_t n_hit[UCL_REC_MAX_CHANNELS];
  double hit_median[UCL_REC_MAX_CHANNELS];
  size_t n_heights;
} fit_rec;

struct ucl_fit {
  char path[1024];
  ucl_fit_opts opts;
  ucl_char_config chr; /* [characterize]: how the features are measured */
  int n_variants;
  ucl_fit_variant var[UCL_FIT_MAX_VARIANTS];
  int n_recs;
  fit_rec recs[UCL_FIT_MAX_RECORDINGS];
  int n_features;
  ucl_fit_feature feat[UCL_FIT_MAX_FEATURES];
  size_t n_bins; /* residuals of all recordings: waveform, pulse heights, spike timing */
};

/* ---- accessors ---- */

const char *ucl_fit_path(const ucl_fit *f) {
  return f->path;
}
const ucl_fit_opts *ucl_fit_options(const ucl_fit *f) {
  return &f->opts;
}
int ucl_fit_n_variants(const ucl_fit *f) {
  return f->n_variants;
}
const ucl_fit_variant *ucl_fit_variant_at(const ucl_fit *f, int v) {
  return &f->var[v];
}
int ucl_fit_n_recordings(const ucl_fit *f) {
  return f->n_recs;
}
const ucl_recording *ucl_fit_recording(const ucl_fit *f, int r) {
  return &f->recs[r].rec;
}
int ucl_fit_n_features(const ucl_fit *f) {
  return f->n_features;
}
const ucl_fit_feature *ucl_fit_feature_at(const ucl_fit *f, int k) {
  return &f->feat[k];
}

const double *ucl_fit_measured_spikes(const ucl_fit *f, int r, size_t *n) {
  *n = f->recs[r].n_spikes;
  return f->recs[r].spikes;
}

static int n_priors(const ucl_fit_variant *va) {
  int n = 0;
  for (int j = 0; j < va->n_free; j++) {
    n += va->free[j].prior_sd > 0.0;
  }
  return n;
}

size_t ucl_fit_n_residuals(const ucl_fit *f, int v) {
  return f->n_bins + (size_t)f->n_features + (size_t)n_priors(&f->var[v]);
}

int ucl_fit_eval_width(const ucl_fit *f, int v) {
  return (int)ucl_fit_n_residuals(f, v) + f->var[v].n_free + 1 + 3 * f->n_recs;
}

void ucl_fit_destroy(ucl_fit **fp) {
  if (!fp || !*fp) {
    return;
  }
  ucl_fit *f = *fp;
  for (int r = 0; r < f->n_recs; r++) {
    ucl_rec_free(&f->recs[r].rec);
    free(f->recs[r].pwl_t);
    free(f->recs[r].pwl_v);
    free(f->recs[r].spikes);
    free(f->recs[r].spike_w);
    free(f->recs[r].bins);
    for (int c = 0; c < UCL_REC_MAX_CHANNELS; c++) {
      free(f->recs[r].hit[c]);
    }
  }
  ucl_char_config_free(&f->chr);
  free(f);
  *fp = NULL;
}

/* ---- loading ---- */

/* "LO, HI" or "LO, HI, log|lin" into p (bounds in the key's unit). */
static ucl_status parse_free(const char *text, const ucl_param_info *info, ucl_fit_param *p,
                             ucl_diag *diag) {
  char buf[256];
  snprintf(buf, sizeof(buf), "%s", text);
  char *parts[4] = {NULL};
  int n = 0;
  char *s = buf;
  while (n < 4) {
    parts[n++] = s;
    char *c = strchr(s, ',');
    if (!c) {
      break;
    }
    *c = '\0';
    s = c + 1;
  }
  if (n < 2 || n > 3) {
    return ucl_diag_set(diag, UCL_ERR_PARSE, "expected 'LO, HI' or 'LO, HI, log|lin' (got '%s')",
                        text);
  }
  ucl_status st = ucl_units_parse(parts[0], info->unit, &p->lo, diag);
  if (st == UCL_OK) {
    st = ucl_units_parse(parts[1], info->unit, &p->hi, diag);
  }
  if (st != UCL_OK) {
    return st;
  }
  /* R, C, L and currents (and times) span decades: log by default (docs/fit.md) */
  const char *u = info->unit;
  p->scale = (strcmp(u, "Ohm") == 0 || strcmp(u, "F") == 0 || strcmp(u, "H") == 0 ||
              strcmp(u, "A") == 0 || strcmp(u, "s") == 0)
                 ? UCL_FIT_LOG
                 : UCL_FIT_LIN;
  if (n == 3) {
    char *w = parts[2];
    while (*w == ' ') {
      w++;
    }
    size_t l = strlen(w);
    while (l > 0 && w[l - 1] == ' ') {
      w[--l] = '\0';
    }
    if (strcmp(w, "log") == 0) {
      p->scale = UCL_FIT_LOG;
    } else if (strcmp(w, "lin") == 0) {
      p->scale = UCL_FIT_LIN;
    } else {
      return ucl_diag_set(diag, UCL_ERR_PARSE, "the scale must be log or lin (got '%s')", w);
    }
  }
  if (!(p->lo < p->hi)) {
    return ucl_diag_set(diag, UCL_ERR_RANGE, "the bounds need LO < HI (got %g, %g %s)", p->lo,
                        p->hi, info->unit);
  }
  if (p->scale == UCL_FIT_LOG && !(p->lo > 0.0)) {
    return ucl_diag_set(diag, UCL_ERR_RANGE, "a log-scale parameter needs LO > 0 (got %g %s)",
                        p->lo, info->unit);
  }
  return UCL_OK;
}

/* Add or replace free parameter 'key' of variant va from "LO, HI[, scale]". */
static ucl_status add_free(ucl_fit_variant *va, const char *key, const char *value, int line,
                           ucl_diag *diag) {
  const ucl_param_info *info = ucl_params_find(key);
  if (!info || info->kind != UCL_PARAM_REAL) {
    return ucl_diag_set(diag, UCL_ERR_INVAL,
                        "'%s' is not a real-valued parameter (`uclif params` lists them)", key);
  }
  ucl_fit_param p;
  memset(&p, 0, sizeof(p));
  snprintf(p.name, sizeof(p.name), "%s", key);
  snprintf(p.unit, sizeof(p.unit), "%s", info->unit);
  p.line = line;
  ucl_status st = parse_free(value, info, &p, diag);
  if (st != UCL_OK) {
    return st;
  }
  for (int j = 0; j < va->n_free; j++) {
    if (strcmp(va->free[j].name, key) == 0) {
      va->free[j] = p;
      return UCL_OK;
    }
  }
  if (va->n_free == UCL_FIT_MAX_FREE) {
    return ucl_diag_set(diag, UCL_ERR_RANGE, "more than %d free parameters", UCL_FIT_MAX_FREE);
  }
  va->free[va->n_free++] = p;
  return UCL_OK;
}

/* "MU +- SD" or "MU +- SD%" into the prior of p, in its scale's space. */
static ucl_status parse_prior(const char *text, ucl_fit_param *p, ucl_diag *diag) {
  ucl_tune_target tg;
  memset(&tg, 0, sizeof(tg));
  ucl_status st = ucl_tune_parse_target(text, &tg, diag);
  if (st != UCL_OK) {
    return st;
  }
  if (tg.kind != UCL_TARGET_WITHIN) {
    return ucl_diag_set(diag, UCL_ERR_PARSE, "a prior is 'MEAN +- SD' or 'MEAN +- SD%%'");
  }
  if (p->scale == UCL_FIT_LOG) {
    if (!(tg.value > 0.0)) {
      return ucl_diag_set(diag, UCL_ERR_RANGE, "a log-scale parameter's prior mean must be > 0");
    }
    p->prior_mu = log(tg.value);
    p->prior_sd = tg.tol / tg.value; /* relative sd = sd of ln to first order */
  } else {
    p->prior_mu = tg.value;
    p->prior_sd = tg.tol;
  }
  return UCL_OK;
}

static ucl_status load_opts(const char *path, const ucl_ini *ini, ucl_fit_opts *o, ucl_diag *diag) {
  memset(o, 0, sizeof(*o));
  o->seed = 1;
  o->starts = 0; /* 16·(model parameters + 1), set per variant */
  o->local = 2;
  o->max_iter = 60;
  o->rtol = 1e-8;
  o->spike_drop = 0.25;
  o->guard = 50e-6;
  o->vr_tau = 10e-3;
  o->coinc = 0.5e-3;
  o->max_bins = 2000;
  o->spike_window = 1e-3;
  o->valley = 12;
  for (size_t i = 0; i < ucl_ini_count(ini); i++) {
    const ucl_ini_entry *e = ucl_ini_entry_at(ini, i);
    if (strcmp(e->section, "fit") != 0) {
      continue;
    }
    ucl_status st = UCL_OK;
    long l = 0;
    if (strcmp(e->key, "seed") == 0) {
      st = ucl_units_parse_long(e->value, 0, 2147483647L, &l, diag);
      o->seed = (uint64_t)l;
    } else if (strcmp(e->key, "starts") == 0) {
      st = ucl_units_parse_long(e->value, 1, 100000, &o->starts, diag);
    } else if (strcmp(e->key, "local") == 0) {
      st = ucl_units_parse_long(e->value, 1, 64, &l, diag);
      o->local = (int)l;
    } else if (strcmp(e->key, "max_evals") == 0) {
      st = ucl_units_parse_long(e->value, 1, 10000000, &o->max_evals, diag);
    } else if (strcmp(e->key, "max_iter") == 0) {
      st = ucl_units_parse_long(e->value, 1, 100000, &o->max_iter, diag);
    } else if (strcmp(e->key, "valley") == 0) {
      st = ucl_units_parse_long(e->value, 0, 1000, &o->valley, diag);
    } else if (strcmp(e->key, "max_bins") == 0) {
      st = ucl_units_parse_long(e->value, 10, 10000000, &o->max_bins, diag);
    } else {
      struct {
        const char *key, *unit;
        double *dst;
      } reals[] = {{"rtol", "", &o->rtol},          {"spike_drop", "V", &o->spike_drop},
                   {"guard", "s", &o->guard},       {"vr_tau", "s", &o->vr_tau},
                   {"coincidence", "s", &o->coinc}, {"spike_window", "s", &o->spike_window}};
      size_t k = 0, nk = sizeof(reals) / sizeof(reals[0]);
      while (k < nk && strcmp(e->key, reals[k].key) != 0) {
        k++;
      }
      if (k == nk) {
        st = ucl_diag_set(diag, UCL_ERR_INVAL,
                          "unknown key '%s' in [fit] (seed, starts, local, max_evals, max_iter, "
                          "rtol, spike_drop, guard, spike_window, vr_tau, coincidence, "
                          "max_bins, valley)",
                          e->key);
      } else {
        st = ucl_units_parse(e->value, reals[k].unit, reals[k].dst, diag);
        if (st == UCL_OK &&
            (!(*reals[k].dst > 0.0) || (reals[k].dst == &o->rtol && !(*reals[k].dst < 0.1)))) {
          st = ucl_diag_set(diag, UCL_ERR_RANGE, "%s must be > 0%s", e->key,
                            reals[k].dst == &o->rtol ? " and < 0.1" : "");
        }
      }
    }
    if (st != UCL_OK) {
      ucl_diag_prefix(diag, "%s:%d: ", path, e->line);
      return st;
    }
  }
  return UCL_OK;
}

/* Whether samples v[0], v[stride], ... (n of them) fall after sample i: by more than 'drop'
 * within the next 3, and by more than drop/2 at the next (detect_spikes; the model's samples
 * are judged by the same rule in spike_bias). */
static int fall_at(const double *v, size_t stride, size_t n, size_t i, double drop) {
  if (i + 1 >= n) {
    return 0;
  }
  size_t j_end = i + 3 < n ? i + 3 : n - 1;
  double lowest = v[(i + 1) * stride];
  for (size_t j = i + 1; j <= j_end; j++) {
    lowest = fmin(lowest, v[j * stride]);
  }
  return v[i * stride] - lowest > drop && v[i * stride] - v[(i + 1) * stride] > 0.5 * drop;
}

/* Measured spikes of a V_mem channel: a fall by more than 'drop' within 3 samples; the spike
 * is placed half a sample after the last sample before the fall (the latch happens somewhere
 * in that interval). */
static ucl_status detect_spikes(const ucl_recording *rc, double drop, double **out, size_t *n) {
  *out = NULL;
  *n = 0;
  int ch = ucl_rec_channel_index(rc, UCL_TRACE_V_MEM);
  if (ch < 0) {
    return UCL_OK;
  }
  const double *v = rc->v[ch];
  size_t cap = 0;
  double *s = NULL;
  size_t i0 = 0;
  while (i0 < rc->n && rc->t[i0] < 0.0) {
    i0++; /* the model starts at 0: a spike before it cannot be compared */
  }
  for (size_t i = i0; i + 1 < rc->n; i++) {
    if (fall_at(v, 1, rc->n, i, drop)) {
      if (*n == cap) {
        cap = cap ? 2 * cap : 64;
        double *ns = realloc(s, cap * sizeof(*s));
        if (!ns) {
          free(s);
          return UCL_ERR_NOMEM;
        }
        s = ns;
      }
      s[(*n)++] = rc->t[i] + 0.5 * (rc->t[i + 1] - rc->t[i]);
      /* skip the rest of this fall */
      while (i + 2 < rc->n && v[i + 2] < v[i + 1]) {
        i++;
      }
    }
  }
  *out = s;
  return UCL_OK;
}

/* The matching half-window of each measured spike: spike_window, but at most half the interval
 * to either neighbour, so that the windows do not overlap and a model spike lies in one at most.
 * And the number of spike-timing residuals. */
static ucl_status make_windows(fit_rec *fr, const ucl_fit_opts *o) {
  fr->n_timing = ucl_rec_channel_index(&fr->rec, UCL_TRACE_V_MEM) >= 0 ? fr->n_spikes + 1 : 0;
  if (fr->n_spikes == 0) {
    return UCL_OK;
  }
  fr->spike_w = malloc(fr->n_spikes * sizeof(double));
  if (!fr->spike_w) {
    return UCL_ERR_NOMEM;
  }
  for (size_t s = 0; s < fr->n_spikes; s++) {
    double w = o->spike_window;
    if (s > 0) {
      w = fmin(w, 0.5 * (fr->spikes[s] - fr->spikes[s - 1]));
    }
    if (s + 1 < fr->n_spikes) {
      w = fmin(w, 0.5 * (fr->spikes[s + 1] - fr->spikes[s]));
    }
    fr->spike_w[s] = w;
  }
  return UCL_OK;
}

/* The residual bins of a recording: every channel's samples at t >= 0 outside the guard
 * windows [t_spike − 1.5·dt, t_spike + guard], in runs of at most B samples, B = ceil(kept /
 * max_bins). */
static ucl_status make_bins(fit_rec *fr, const ucl_fit_opts *o) {
  const ucl_recording *rc = &fr->rec;
  unsigned char *keep = malloc(rc->n);
  if (!keep) {
    return UCL_ERR_NOMEM;
  }
  size_t kept = 0, s = 0;
  for (size_t i = 0; i < rc->n; i++) {
    double t = rc->t[i];
    while (s < fr->n_spikes && fr->spikes[s] + o->guard < t) {
      s++;
    }
    int out = t < 0.0 || (s < fr->n_spikes && t >= fr->spikes[s] - 1.5 * rc->dt &&
                          t <= fr->spikes[s] + o->guard);
    keep[i] = (unsigned char)!out;
    kept += !out;
  }
  size_t B =
      kept > (size_t)o->max_bins ? (kept + (size_t)o->max_bins - 1) / (size_t)o->max_bins : 1;
  size_t cap = (rc->n / B + 2 * fr->n_spikes + 4) * (size_t)rc->spec.n_channels;
  fr->bins = malloc(cap * sizeof(*fr->bins));
  if (!fr->bins) {
    free(keep);
    return UCL_ERR_NOMEM;
  }
  fr->n_bins = 0;
  for (int c = 0; c < rc->spec.n_channels; c++) {
    size_t i = 0;
    while (i < rc->n) {
      if (!keep[i]) {
        i++;
        continue;
      }
      fit_bin b = {i, 0, c};
      while (i < rc->n && keep[i] && b.n < B) {
        b.n++;
        i++;
      }
      fr->bins[fr->n_bins++] = b; /* at most one per B samples, one more per gap: < cap */
    }
  }
  free(keep);
  return UCL_OK;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Median of v[0..n) (sorted in place); NAN for n == 0. */
static double median_of(double *v, size_t n) {
  if (n == 0) {
    return NAN;
  }
  qsort(v, n, sizeof(*v), cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* The spike window s of a recording: [t_s − 1.5·dt, t_s + guard]. */
static void window_of(const fit_rec *fr, const ucl_fit_opts *o, size_t s, double *a, double *b) {
  *a = fr->spikes[s] - 1.5 * fr->rec.dt;
  *b = fr->spikes[s] + o->guard;
}

/* The pulse-height statistics of the channels other than V_mem (fit_rec.hit). A narrow output
 * pulse is caught by a sample only now and then, so its samples cannot be residuals (a shift of
 * the spike by less than a microsecond makes or breaks one); the median height of the pulses
 * that were caught is robust, and carries what sets the height (VDD for V_out). */
static ucl_status make_heights(fit_rec *fr, const ucl_fit_opts *o) {
  const ucl_recording *rc = &fr->rec;
  int vm = ucl_rec_channel_index(rc, UCL_TRACE_V_MEM);
  double *tmp = fr->n_spikes ? malloc(fr->n_spikes * sizeof(double)) : NULL;
  if (fr->n_spikes && !tmp) {
    return UCL_ERR_NOMEM;
  }
  for (int c = 0; c < rc->spec.n_channels; c++) {
    if (c == vm || fr->n_spikes == 0) {
      continue;
    }
    double top = -INFINITY;
    for (size_t i = 0; i < rc->n; i++) {
      top = fmax(top, rc->v[c][i]);
    }
    fr->hit[c] = malloc(fr->n_spikes * sizeof(size_t));
    if (!fr->hit[c]) {
      free(tmp);
      return UCL_ERR_NOMEM;
    }
    size_t i = 0;
    for (size_t s = 0; s < fr->n_spikes; s++) {
      double a, b, m = -INFINITY;
      window_of(fr, o, s, &a, &b);
      while (i > 0 && rc->t[i - 1] >= a) {
        i--;
      }
      while (i < rc->n && rc->t[i] < a) {
        i++;
      }
      for (size_t j = i; j < rc->n && rc->t[j] <= b; j++) {
        m = fmax(m, rc->v[c][j]);
      }
      if (top > 20.0 * fr->sigma && m > 0.5 * top) {
        tmp[fr->n_hit[c]] = m;
        fr->hit[c][fr->n_hit[c]++] = s;
      }
    }
    if (fr->n_hit[c] >= 3) {
      fr->hit_median[c] = median_of(tmp, fr->n_hit[c]);
      fr->n_heights++;
    } else {
      fr->n_hit[c] = 0;
    }
  }
  free(tmp);
  return UCL_OK;
}

static ucl_status load_recording(ucl_fit *f, const char *path, const ucl_ini *ini, const char *name,
                                 ucl_diag *diag) {
  if (f->n_recs == UCL_FIT_MAX_RECORDINGS) {
    return ucl_diag_set(diag, UCL_ERR_RANGE, "%s: more than %d recordings", path,
                        UCL_FIT_MAX_RECORDINGS);
  }
  fit_rec *fr = &f->recs[f->n_recs];
  memset(fr, 0, sizeof(*fr));
  ucl_rec_spec spec;
  ucl_status st = ucl_rec_spec_from_ini(path, ini, name, &spec, diag);
  if (st == UCL_OK) {
    st = ucl_rec_load(&spec, &fr->rec, diag);
  }
  if (st != UCL_OK) {
    return st;
  }
  f->n_recs++; /* owned by f from here: freed by ucl_fit_destroy */
  const ucl_recording *rc = &fr->rec;
  double lsb = rc->spec.resolution;
  fr->sigma = rc->spec.noise > 0.0 ? sqrt(rc->noise * rc->noise + lsb * lsb / 12.0) : rc->noise;
  if (!(fr->sigma > 0.0)) {
    fr->sigma = lsb > 0.0 ? lsb / sqrt(12.0) : 1e-6;
  }
  if (rc->input) {
    fr->pwl_t = malloc(rc->n * sizeof(double));
    fr->pwl_v = malloc(rc->n * sizeof(double));
    if (!fr->pwl_t || !fr->pwl_v) {
      return UCL_ERR_NOMEM;
    }
    /* 4σ of the measurement noise: the noise is not replayed, every edge is */
    double tol = 4.0 * fr->sigma;
    fr->pwl_hold = rc->spec.input_hold;
    st = fr->pwl_hold
             ? ucl_pwl_runs(rc->t, rc->input, rc->n, tol, fr->pwl_t, fr->pwl_v, &fr->pwl_n)
             : ucl_pwl_simplify(rc->t, rc->input, rc->n, tol, fr->pwl_t, fr->pwl_v, &fr->pwl_n);
    if (st == UCL_OK && fr->pwl_hold) {
      /* weights: the runs' lengths in samples */
      double *w = malloc(fr->pwl_n * sizeof(double));
      if (!w) {
        return UCL_ERR_NOMEM;
      }
      for (size_t k = 0; k < fr->pwl_n; k++) {
        double end = k + 1 < fr->pwl_n ? fr->pwl_t[k + 1] : rc->t[rc->n - 1] + rc->dt;
        w[k] = (end - fr->pwl_t[k]) / rc->dt;
      }
      st = ucl_pwl_levels(fr->pwl_v, w, fr->pwl_n, tol);
      free(w);
    }
    if (st != UCL_OK) {
      return st;
    }
  }
  st = detect_spikes(rc, f->opts.spike_drop, &fr->spikes, &fr->n_spikes);
  if (st == UCL_OK) {
    st = make_windows(fr, &f->opts);
  }
  if (st == UCL_OK) {
    st = make_bins(fr, &f->opts);
  }
  if (st == UCL_OK) {
    st = make_heights(fr, &f->opts);
  }
  if (st == UCL_OK) {
    f->n_bins += fr->n_bins + fr->n_heights + fr->n_timing;
  }
  return st;
}

/* The acquisition's parameters, shared by every variant and every recording (one DAQ): the gain
 * of each channel with a stated uncertainty (prior 1 ± gain_error, the largest stated), and the
 * delay of held (zero-order-hold) inputs, whose sampling hides where within a sample period the
 * generator's edges were (bounds ± one sample period, no prior). */
static ucl_status add_nuisance(ucl_fit *f, ucl_fit_variant *va, ucl_diag *diag) {
  double delay_max = 0.0;
  int delay_line = 0;
  for (int r = 0; r < f->n_recs; r++) {
    const ucl_recording *rc = &f->recs[r].rec;
    const ucl_rec_spec *sp = &rc->spec;
    if (sp->has_input && sp->input_hold && rc->dt > delay_max) {
      delay_max = rc->dt;
      delay_line = sp->input.line;
    }
    for (int c = -1; c < sp->n_channels; c++) {
      const ucl_rec_channel *ch = c < 0 ? &sp->input : &sp->ch[c];
      if ((c < 0 && !sp->has_input) || !(ch->gain_error > 0.0)) {
        continue;
      }
      ucl_fit_param *p = NULL;
      for (int j = 0; j < va->n_free && !p; j++) {
        if (va->free[j].nuisance == 1 && strcmp(va->free[j].channel, ch->model) == 0) {
          p = &va->free[j];
        }
      }
      if (!p) {
        if (va->n_free == UCL_FIT_MAX_FREE) {
          return ucl_diag_set(diag, UCL_ERR_RANGE,
                              "%s:%d: more than %d free parameters with the channel gains", f->path,
                              ch->line, UCL_FIT_MAX_FREE);
        }
        p = &va->free[va->n_free++];
        memset(p, 0, sizeof(*p));
        snprintf(p->name, sizeof(p->name), "daq.gain.%s", ch->model);
        snprintf(p->channel, sizeof(p->channel), "%s", ch->model);
        p->scale = UCL_FIT_LIN;
        p->start = 1.0;
        p->nuisance = 1;
        p->prior_mu = 1.0;
        p->line = ch->line;
      }
      if (ch->gain_error > p->prior_sd) {
        p->prior_sd = ch->gain_error;
        p->lo = fmax(0.1, 1.0 - 5.0 * ch->gain_error); /* a gain stays positive */
        p->hi = 1.0 + 5.0 * ch->gain_error;
      }
    }
  }
  if (delay_max > 0.0) {
    if (va->n_free == UCL_FIT_MAX_FREE) {
      return ucl_diag_set(diag, UCL_ERR_RANGE, "%s:%d: more than %d free parameters with the delay",
                          f->path, delay_line, UCL_FIT_MAX_FREE);
    }
    ucl_fit_param *p = &va->free[va->n_free++];
    memset(p, 0, sizeof(*p));
    snprintf(p->name, sizeof(p->name), "daq.delay");
    snprintf(p->unit, sizeof(p->unit), "s");
    p->scale = UCL_FIT_LIN;
    p->lo = -delay_max;
    p->hi = delay_max;
    p->nuisance = 2;
    p->line = delay_line;
  }
  return UCL_OK;
}

double ucl_fit_param_x(const ucl_fit_param *p, double value) {
  return p->scale == UCL_FIT_LOG ? log(value) : value;
}

double ucl_fit_param_value(const ucl_fit_param *p, double x) {
  return p->scale == UCL_FIT_LOG ? exp(x) : x;
}

static ucl_status load_features(ucl_fit *f, const ucl_ini *ini, ucl_diag *diag) {
  for (size_t i = 0; i < ucl_ini_count(ini); i++) {
    const ucl_ini_entry *e = ucl_ini_entry_at(ini, i);
    if (strcmp(e->section, "fit.features") != 0) {
      continue;
    }
    if (f->n_features == UCL_FIT_MAX_FEATURES) {
      return ucl_diag_set(diag, UCL_ERR_RANGE, "%s:%d: more than %d features", f->path, e->line,
                          UCL_FIT_MAX_FEATURES);
    }
    ucl_fit_feature *ft = &f->feat[f->n_features];
    snprintf(ft->name, sizeof(ft->name), "%s", e->key);
    ft->line = e->line;
    ft->col = ucl_tune_feature_column(e->key);
    ucl_status st = UCL_OK;
    const char *off = NULL;
    if (ft->col < 0) {
      st = ucl_diag_set(diag, UCL_ERR_INVAL,
                        "not a feature (points.csv feature columns such as threshold_V, "
                        "tau_leak_off_s, I_GT_A; docs/outputs.md)");
    } else if ((off = ucl_tune_procedure_off(
                    &f->chr.opts, ucl_results_points_table()->cols[ft->col].procedure))) {
      st = ucl_diag_set(diag, UCL_ERR_INVAL,
                        "needs [characterize] %s = on (it is off, so it would never be measured)",
                        off);
    } else {
      ucl_tune_target tg;
      memset(&tg, 0, sizeof(tg));
      st = ucl_tune_parse_target(e->value, &tg, diag);
      if (st == UCL_OK && tg.kind != UCL_TARGET_WITHIN) {
        st = ucl_diag_set(diag, UCL_ERR_PARSE, "a measured feature is 'VALUE +- SD'");
      }
      ft->value = tg.value;
      ft->sd = tg.tol;
    }
    if (st != UCL_OK) {
      ucl_diag_prefix(diag, "%s:%d: feature '%s': ", f->path, e->line, e->key);
      return st;
    }
    f->n_features++;
  }
  return UCL_OK;
}

/* Whether 'key' is free in [fit.free] or in some variant (free.KEY of a [variant.NAME]). */
static int free_anywhere(const ucl_ini *ini, const char *key) {
  for (size_t i = 0; i < ucl_ini_count(ini); i++) {
    const ucl_ini_entry *e = ucl_ini_entry_at(ini, i);
    if ((strcmp(e->section, "fit.free") == 0 && strcmp(e->key, key) == 0) ||
        (strncmp(e->section, "variant.", 8) == 0 && strncmp(e->key, "free.", 5) == 0 &&
         strcmp(e->key + 5, key) == 0)) {
      return 1;
    }
  }
  return 0;
}

/* Free parameters of [fit.free], priors of [fit.priors], into the variant 'va'. */
static ucl_status load_free(ucl_fit *f, const ucl_ini *ini, ucl_fit_variant *va,
                            const char *variant_section, ucl_diag *diag) {
  for (size_t i = 0; i < ucl_ini_count(ini); i++) {
    const ucl_ini_entry *e = ucl_ini_entry_at(ini, i);
    ucl_status st = UCL_OK;
    if (strcmp(e->section, "fit.free") == 0) {
      st = add_free(va, e->key, e->value, e->line, diag);
    } else if (variant_section && strcmp(e->section, variant_section) == 0 &&
               strncmp(e->key, "free.", 5) == 0) {
      st = add_free(va, e->key + 5, e->value, e->line, diag);
    } else {
      continue;
    }
    if (st != UCL_OK) {
      ucl_diag_prefix(diag, "%s:%d: ", f->path, e->line);
      return st;
    }
  }
  for (size_t i = 0; i < ucl_ini_count(ini); i++) {
    const ucl_ini_entry *e = ucl_ini_entry_at(ini, i);
    if (strcmp(e->section, "fit.priors") != 0) {
      continue;
    }
    int j = 0;
    while (j < va->n_free && strcmp(va->free[j].name, e->key) != 0) {
      j++;
    }
    if (j == va->n_free && free_anywhere(ini, e->key)) {
      continue; /* free in another variant: its prior is that variant's */
    }
    ucl_status st = j == va->n_free ? ucl_diag_set(diag, UCL_ERR_INVAL,
                                                   "a prior for '%s', which is not free", e->key)
                                    : parse_prior(e->value, &va->free[j], diag);
    if (st != UCL_OK) {
      ucl_diag_prefix(diag, "%s:%d: ", f->path, e->line);
      return st;
    }
  }
  if (va->n_free == 0) {
    return ucl_diag_set(diag, UCL_ERR_INVAL,
                        "%s: no free parameters in variant %s ([fit.free] KEY = LO, HI; e.g. "
                        "R_in = 10k, 1M)",
                        f->path, va->name);
  }
  return UCL_OK;
}

/* The variant's base: the spec's, then the variant section's keys other than free.*. */
static ucl_status load_variant(ucl_fit *f, const ucl_ini *ini, const ucl_params *base,
                               const char *section, int line, ucl_diag *diag) {
  if (f->n_variants == UCL_FIT_MAX_VARIANTS) {
    return ucl_diag_set(diag, UCL_ERR_RANGE, "%s:%d: more than %d variants", f->path, line,
                        UCL_FIT_MAX_VARIANTS);
  }
  ucl_fit_variant *va = &f->var[f->n_variants];
  memset(va, 0, sizeof(*va));
  va->base = *base;
  va->line = line;
  snprintf(va->name, sizeof(va->name), "%s", section ? section + 8 : "base");
  size_t used = 0;
  for (size_t i = 0; section && i < ucl_ini_count(ini); i++) {
    const ucl_ini_entry *e = ucl_ini_entry_at(ini, i);
    if (strcmp(e->section, section) != 0 || strncmp(e->key, "free.", 5) == 0) {
      continue;
    }
    ucl_status st = ucl_params_set(&va->base, e->key, e->value, diag);
    if (st != UCL_OK) {
      ucl_diag_prefix(diag, "%s:%d: ", f->path, e->line);
      return st;
    }
    int w = snprintf(va->overrides + used, sizeof(va->overrides) - used, "%s%s=%s", used ? " " : "",
                     e->key, e->value);
    if (w > 0 && (size_t)w < sizeof(va->overrides) - used) {
      used += (size_t)w;
    }
  }
  const char *bad = NULL;
  ucl_status st = ucl_params_validate(&va->base, &bad, diag);
  if (st != UCL_OK) {
    ucl_diag_prefix(diag, "%s:%d: variant %s: ", f->path, line, va->name);
    return st;
  }
  st = load_free(f, ini, va, section, diag);
  if (st == UCL_OK) {
    st = add_nuisance(f, va, diag);
  }
  for (int j = 0; st == UCL_OK && j < va->n_free; j++) {
    ucl_fit_param *p = &va->free[j];
    double v = p->start;
    if (!p->nuisance) {
      st = ucl_params_get(&va->base, p->name, &v);
    }
    p->start = fmin(p->hi, fmax(p->lo, v));
  }
  if (st == UCL_OK) {
    f->n_variants++;
  }
  return st;
}

ucl_status ucl_fit_load(const char *path, const char *const *sets, int n_sets, ucl_fit **out,
                        ucl_diag *diag) {
  ucl_ini *ini = NULL;
  ucl_fit *f = calloc(1, sizeof(*f));
  if (!f) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  snprintf(f->path, sizeof(f->path), "%s", path);
  ucl_params base;
  ucl_status st = ucl_ini_read(path, &ini, diag);
  if (st == UCL_OK) {
    st = ucl_spec_apply_ini(path, ini, sets, n_sets, &base, diag);
  }
  if (st == UCL_OK) {
    st = ucl_spec_char_from_ini(path, ini, &f->chr, diag);
  }
  if (st == UCL_OK) {
    st = load_opts(path, ini, &f->opts, diag);
  }
  for (size_t i = 0; st == UCL_OK && i < ucl_ini_n_sections(ini); i++) {
    int line = 0;
    const char *sec = ucl_ini_section(ini, i, &line);
    if (strncmp(sec, "recording.", 10) == 0) {
      st = load_recording(f, path, ini, sec + 10, diag);
    } else if (strncmp(sec, "fit.", 4) == 0 && strcmp(sec, "fit.free") != 0 &&
               strcmp(sec, "fit.features") != 0 && strcmp(sec, "fit.priors") != 0) {
      st = ucl_diag_set(diag, UCL_ERR_PARSE,
                        "%s:%d: unknown section [%s] (fit.free, fit.features or fit.priors)", path,
                        line, sec);
    }
  }
  if (st == UCL_OK) {
    st = load_features(f, ini, diag);
  }
  if (st == UCL_OK && f->n_recs == 0 && f->n_features == 0) {
    st = ucl_diag_set(diag, UCL_ERR_INVAL,
                      "%s: nothing to fit to: no [recording.NAME] section and no [fit.features]",
                      path);
  }
  for (size_t i = 0; st == UCL_OK && i < ucl_ini_n_sections(ini); i++) {
    int line = 0;
    const char *sec = ucl_ini_section(ini, i, &line);
    if (strncmp(sec, "variant.", 8) == 0) {
      st = load_variant(f, ini, &base, sec, line, diag);
    }
  }
  if (st == UCL_OK && f->n_variants == 0) {
    st = load_variant(f, ini, &base, NULL, 0, diag);
  }
  ucl_ini_destroy(&ini);
  if (st != UCL_OK) {
    ucl_fit_destroy(&f);
    return st;
  }
  *out = f;
  return UCL_OK;
}

/* ---- evaluation ---- */

void ucl_fit_params_at(const ucl_fit *f, int v, const double *x, ucl_params *out) {
  const ucl_fit_variant *va = &f->var[v];
  *out = va->base;
  for (int j = 0; j < va->n_free; j++) {
    const ucl_fit_param *p = &va->free[j];
    if (p->nuisance) {
      continue;
    }
    double val = ucl_fit_param_value(
        p, fmin(ucl_fit_param_x(p, p->hi), fmax(ucl_fit_param_x(p, p->lo), x[j])));
    /* within the key's domain by the bounds' checks; a failure leaves the base value */
    if (ucl_params_set_value(out, p->name, val, NULL) != UCL_OK) {
      continue;
    }
  }
}

/* The acquisition parameter of kind 'nuisance' (for a gain: of model channel 'channel') at x;
 * 'none' when it is not fitted. */
static double daq_at(const ucl_fit_variant *va, const double *x, int nuisance, const char *channel,
                     double none) {
  for (int j = 0; j < va->n_free; j++) {
    const ucl_fit_param *p = &va->free[j];
    if (p->nuisance == nuisance && (nuisance != 1 || strcmp(p->channel, channel) == 0)) {
      return fmin(p->hi, fmax(p->lo, x[j]));
    }
  }
  return none;
}

/* The channels idx (gains g) of trace tr (ns >= 2 rows) at time t, linearly between the rows
 * around it, into out (NAN beyond the run's end; the first row before it). Rows at events come
 * in pairs at one time (before, after): at such a time the row after counts. */
static void trace_at(const ucl_trace *tr, size_t ns, double t, int nch, const int *idx,
                     const double *g, double *out) {
  size_t lo = 0, hi = ns; /* the first row with time > t */
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (ucl_trace_sample(tr, mid)[0] <= t) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo == ns && ucl_trace_sample(tr, ns - 1)[0] < t) {
    for (int c = 0; c < nch; c++) {
      out[c] = NAN;
    }
    return;
  }
  size_t kb = lo < ns ? lo : ns - 1, ka = kb > 0 ? kb - 1 : 0;
  const double *a = ucl_trace_sample(tr, ka), *b = ucl_trace_sample(tr, kb);
  double u = b[0] > a[0] ? (t - a[0]) / (b[0] - a[0]) : 0.0;
  u = fmin(1.0, fmax(0.0, u));
  for (int c = 0; c < nch; c++) {
    out[c] = idx[c] >= 0 ? g[c] * (a[1 + idx[c]] + u * (b[1 + idx[c]] - a[1 + idx[c]])) : NAN;
  }
}

/* Simulate recording r at x up to t_end (INFINITY: the whole recording); the measured channels
 * at the recording's sample times (gain applied) into pred (n × n_channels; NAN after the run's
 * end), the spikes into *spikes, and, if wmax is not NULL, into *wmax (n_spikes × n_channels,
 * owned by the caller) each channel's largest value within each model spike's window
 * [t − 1.5·dt, t + guard]. Returns UCL_OK, a simulation failure (pred filled with NAN where the
 * run did not reach), or UCL_ERR_NOMEM. */
static ucl_status simulate_rec(const ucl_fit *f, int v, const double *x, int r, double t_end,
                               double *pred, double **wmax, double **spikes, size_t *n_spikes,
                               ucl_diag *diag) {
  const fit_rec *fr = &f->recs[r];
  const ucl_recording *rc = &fr->rec;
  const ucl_fit_variant *va = &f->var[v];
  int nch = rc->spec.n_channels;
  *spikes = NULL;
  *n_spikes = 0;
  for (size_t i = 0; i < rc->n * (size_t)nch; i++) {
    pred[i] = NAN;
  }
  if (wmax) {
    *wmax = NULL;
  }
  ucl_params p;
  ucl_fit_params_at(f, v, x, &p);
  p.solver.rtol = fmin(p.solver.rtol, f->opts.rtol);
  double *vin = NULL;
  ucl_pwl w = {0, NULL, NULL, 0};
  if (fr->pwl_t) {
    double g = daq_at(va, x, 1, "V_in_V", 1.0);
    double delay = fr->pwl_hold ? daq_at(va, x, 2, "", 0.0) : 0.0;
    vin = malloc(2 * fr->pwl_n * sizeof(*vin));
    if (!vin) {
      return UCL_ERR_NOMEM;
    }
    double *tin = vin + fr->pwl_n;
    for (size_t k = 0; k < fr->pwl_n; k++) {
      vin[k] = fr->pwl_v[k] / g;     /* the true input: measured = gain·true */
      tin[k] = fr->pwl_t[k] - delay; /* the generator's edge came 'delay' before the sample */
    }
    w.n = fr->pwl_n;
    w.t = tin;
    w.v = vin;
    w.hold = fr->pwl_hold;
    p.stim.kind = UCL_STIM_REPLAY;
    p.stim.replay = &w;
  }
  p.stim.duration = fmin(rc->t[rc->n - 1], t_end) + rc->dt;
  ucl_sim_opts so;
  memset(&so, 0, sizeof(so));
  so.sample_dt = rc->dt;
  so.sample_edges = 1; /* rows at the events: the pulses' heights (wmax) */
  /* the periodic rows, two per stimulus break and two per event (room for 10^5 events) */
  so.max_samples = (size_t)(p.stim.duration / rc->dt) + 16 + 2 * fr->pwl_n + 200000;
  ucl_trace *tr = NULL;
  ucl_status st = ucl_sim_run(&p, &so, &tr, diag);
  free(vin);
  if (!tr) {
    return st == UCL_ERR_NOMEM ? st : (st == UCL_OK ? UCL_ERR_SOLVER : st);
  }
  size_t ns = ucl_trace_n_samples(tr);
  int idx[UCL_REC_MAX_CHANNELS];
  double g[UCL_REC_MAX_CHANNELS];
  for (int c = 0; c < nch; c++) {
    idx[c] = ucl_trace_channel_index(tr, rc->spec.ch[c].model);
    g[c] = daq_at(va, x, 1, rc->spec.ch[c].model, 1.0);
  }
  double *sp = NULL;
  size_t nsp = 0;
  ucl_status sst = ucl_sim_spike_times(tr, &sp, &nsp);
  if (sst != UCL_OK) {
    ucl_trace_destroy(&tr);
    return sst;
  }
  /* the model at each sample's time */
  for (size_t i = 0; i < rc->n && ns >= 2; i++) {
    if (rc->t[i] >= 0.0) {
      trace_at(tr, ns, rc->t[i], nch, idx, g, pred + i * (size_t)nch);
    }
  }
  /* the largest value of each channel within each model spike's window */
  double *wm = wmax ? malloc((nsp + 1) * (size_t)nch * sizeof(double)) : NULL;
  if (wmax && !wm) {
    free(sp);
    ucl_trace_destroy(&tr);
    return UCL_ERR_NOMEM;
  }
  for (size_t s = 0; wm && s < nsp; s++) {
    double a = sp[s] - 1.5 * rc->dt, b = sp[s] + f->opts.guard;
    for (int c = 0; c < nch; c++) {
      wm[s * (size_t)nch + (size_t)c] = -INFINITY;
    }
    size_t lo = 0, hi = ns; /* the first row at or after a */
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (ucl_trace_sample(tr, mid)[0] < a) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    for (size_t jj = lo; jj < ns && ucl_trace_sample(tr, jj)[0] <= b; jj++) {
      const double *row = ucl_trace_sample(tr, jj);
      for (int c = 0; c < nch; c++) {
        if (idx[c] >= 0) {
          wm[s * (size_t)nch + (size_t)c] =
              fmax(wm[s * (size_t)nch + (size_t)c], g[c] * row[1 + idx[c]]);
        }
      }
    }
  }
  if (wmax) {
    *wmax = wm;
  }
  *spikes = sp;
  *n_spikes = nsp;
  ucl_trace_destroy(&tr);
  return st;
}

ucl_status ucl_fit_predict(const ucl_fit *f, int v, const double *x, int r, double **pred,
                           double **spikes, size_t *n_spikes, ucl_diag *diag) {
  const ucl_recording *rc = &f->recs[r].rec;
  *pred = malloc(rc->n * (size_t)rc->spec.n_channels * sizeof(double));
  if (!*pred) {
    return UCL_ERR_NOMEM;
  }
  ucl_status st = simulate_rec(f, v, x, r, INFINITY, *pred, NULL, spikes, n_spikes, diag);
  if (st == UCL_ERR_NOMEM) {
    free(*pred);
    *pred = NULL;
    free(*spikes);
    *spikes = NULL;
    *n_spikes = 0;
  }
  return st == UCL_ERR_NOMEM ? st : UCL_OK;
}

/* A span of time left out of the waveform residuals (exclusions). */
typedef struct fit_span {
  double a, b;
  double reach; /* s: a spike without a partner: its span ends at the next pair's, at most this
                   far from the spike; a pair: 0 */
} fit_span;

static int cmp_span(const void *x, const void *y) {
  const fit_span *p = x, *q = y;
  return (p->a > q->a) - (p->a < q->a);
}

/* Match the model's spikes m[0..nm) (increasing) to the measured ones of fr: each measured spike
 * s takes the model spike nearest to it within ±spike_w[s] (the windows do not overlap, so a
 * model spike can belong to one at most): partner[s] is its index, nm if none; delta[s] = model
 * − measured time, NAN if none;
 * *extra_w2: the sum over the model spikes left over of the squared window of the measured spike
 * nearest to each (spike_window if none was measured).
 * Writes into ex (room for measured + nm spans) the spans left out of the waveform residuals,
 * sorted and merged, and returns their number: from 1.5 samples before the earlier to 'guard'
 * after the later spike of each pair; and from 1.5 samples before a spike without a partner (of
 * either train) to the next pair's span, as one trace has reset there and the other has not (the
 * traces are compared again once both have reset together), but at most the window of the
 * measured spike nearest to it: a model that stops firing is not excused from the waveform. */
static size_t exclusions(const fit_rec *fr, const ucl_fit_opts *o, const double *m, size_t nm,
                         size_t *partner, double *delta, double *extra_w2, fit_span *ex) {
  double lead = 1.5 * fr->rec.dt;
  size_t n = 0, j = 0;
  *extra_w2 = 0.0;
  for (size_t s = 0; s <= fr->n_spikes; s++) {
    /* the model spikes before measured spike s's window (all that remain, after the last) are
     * left over, each counted with the window of the measured spike nearest to it */
    double d = s < fr->n_spikes ? fr->spikes[s] : INFINITY;
    double w = s < fr->n_spikes ? fr->spike_w[s] : 0.0;
    for (; j < nm && m[j] < d - w; j++) {
      double wj = fr->n_spikes == 0 ? o->spike_window
                  : s == 0          ? w
                  : s == fr->n_spikes
                      ? fr->spike_w[s - 1]
                      : (m[j] - fr->spikes[s - 1] < d - m[j] ? fr->spike_w[s - 1] : w);
      ex[n++] = (fit_span){m[j] - lead, m[j] + o->guard, wj};
      *extra_w2 += wj * wj;
    }
    if (s == fr->n_spikes) {
      break;
    }
    delta[s] = NAN;
    partner[s] = nm;
    size_t best = nm;
    for (size_t k = j; k < nm && m[k] <= d + w; k++) {
      if (best == nm || fabs(m[k] - d) < fabs(m[best] - d)) {
        best = k;
      }
    }
    if (best == nm) {
      ex[n++] = (fit_span){d - lead, d + o->guard, w};
    }
    /* the window's model spikes: the nearest is the partner, the others are left over */
    for (; j < nm && m[j] <= d + w; j++) {
      if (j == best) {
        partner[s] = j;
        delta[s] = m[j] - d;
        ex[n++] = (fit_span){fmin(m[j], d) - lead, fmax(m[j], d) + o->guard, 0.0};
      } else {
        ex[n++] = (fit_span){m[j] - lead, m[j] + o->guard, w};
        *extra_w2 += w * w;
      }
    }
  }
  qsort(ex, n, sizeof(*ex), cmp_span);
  /* a spike without a partner: out until the next pair's span, or its window's reach */
  double next_pair = INFINITY;
  for (size_t i = n; i-- > 0;) {
    if (ex[i].reach == 0.0) {
      next_pair = ex[i].a;
    } else {
      ex[i].b = fmax(ex[i].b, fmin(next_pair, ex[i].a + ex[i].reach));
    }
  }
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (k > 0 && ex[i].a <= ex[k - 1].b) {
      ex[k - 1].b = fmax(ex[k - 1].b, ex[i].b);
    } else {
      ex[k++] = ex[i];
    }
  }
  return k;
}

/* The model's spike times are its latch events, the measured ones the middle of the sample
 * interval in which V_mem fell (detect_spikes); where the fall starts slowly, that interval is
 * often the one after the latch's. So that the two agree on average, each matched model spike is
 * also located as the data's are, by the same rule on the model's samples (pred, channel vm of
 * nch), and the mean of (that time − latch time) over the matched spikes is added to every
 * delta. The mean, not each spike's own value: that one jumps by a sample period as the latch
 * crosses a sample time; the mean moves little, and the timing residuals stay smooth. */
static void spike_bias(const fit_rec *fr, double drop, const double *pred, int nch, int vm,
                       double *delta) {
  const ucl_recording *rc = &fr->rec;
  double sum = 0.0;
  size_t n = 0;
  for (size_t s = 0; s < fr->n_spikes; s++) {
    if (!isfinite(delta[s])) {
      continue;
    }
    double tl = fr->spikes[s] + delta[s];
    size_t lo = 0, hi = rc->n; /* the first sample at or after tl − 3 dt */
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (rc->t[mid] < tl - 3.0 * rc->dt) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    for (size_t i = lo; i + 1 < rc->n && rc->t[i] <= tl + 3.0 * rc->dt; i++) {
      if (fall_at(pred + vm, (size_t)nch, rc->n, i, drop)) {
        sum += rc->t[i] + 0.5 * (rc->t[i + 1] - rc->t[i]) - tl;
        n++;
        break;
      }
    }
  }
  double bias = n > 0 ? sum / (double)n : 0.0;
  for (size_t s = 0; s < fr->n_spikes; s++) {
    delta[s] += bias;
  }
}

/* The residuals of recording r at x into out (advanced past them), its spike-train distances
 * and model spike count into extra[1 + 3r ..], and ok &= whether its simulation succeeded.
 * UCL_OK or UCL_ERR_NOMEM. */
static ucl_status eval_rec(const ucl_fit *f, int v, const double *x, int r, long upto, double **out,
                           double *extra, int *ok) {
  const fit_rec *fr = &f->recs[r];
  int nch = fr->rec.spec.n_channels;
  int vm = ucl_rec_channel_index(&fr->rec, UCL_TRACE_V_MEM);
  double *pred = malloc(fr->rec.n * (size_t)nch * sizeof(double));
  double *tmp = malloc((fr->n_spikes + 1) * sizeof(double));
  double *dlt = malloc((fr->n_spikes + 1) * sizeof(double));
  size_t *partner = malloc((fr->n_spikes + 1) * sizeof(size_t));
  double *sp = NULL, *wmax = NULL;
  fit_span *ex = NULL;
  size_t nsp = 0;
  ucl_status st = UCL_ERR_NOMEM;
  if (!pred || !tmp || !dlt || !partner) {
    goto done;
  }
  /* upto >= 0: only before measured spike 'upto' (all of a recording with no more spikes),
   * and the run stops there */
  double t_lim =
      upto >= 0 && (size_t)upto < fr->n_spikes ? fr->spikes[upto] - 1.5 * fr->rec.dt : INFINITY;
  st = simulate_rec(f, v, x, r, t_lim, pred, &wmax, &sp, &nsp, NULL);
  if (st == UCL_ERR_NOMEM || !(ex = malloc((fr->n_spikes + nsp + 1) * sizeof(*ex)))) {
    st = UCL_ERR_NOMEM;
    goto done;
  }
  *ok &= st == UCL_OK;
  /* spike timing: the model's spikes matched to the measured ones; the spans where the two
   * trains disagree are left out of the waveform residuals (their mismatch is the timing
   * residuals', not that of thousands of samples). Not before the first measured spike (stage
   * 0): there a model spike is all waveform residual, so that firing early costs more the
   * earlier it is instead of leaving samples out */
  double extra_w2 = 0.0;
  size_t n_ex = 0;
  if (fr->n_timing > 0 && !isfinite(t_lim)) {
    n_ex = exclusions(fr, &f->opts, sp, nsp, partner, dlt, &extra_w2, ex);
    spike_bias(fr, f->opts.spike_drop, pred, nch, vm, dlt);
  }
  double *o = *out;
  size_t k_ex = 0;
  for (size_t b = 0; b < fr->n_bins; b++) {
    const fit_bin *bn = &fr->bins[b];
    if (b == 0 || bn->ch != fr->bins[b - 1].ch) {
      k_ex = 0; /* a channel's bins run forward in time */
    }
    double m = 0.0, d = 0.0;
    unsigned used = 0;
    for (size_t i = bn->i0; i < bn->i0 + bn->n; i++) {
      double t = fr->rec.t[i];
      while (k_ex < n_ex && ex[k_ex].b < t) {
        k_ex++;
      }
      if ((k_ex < n_ex && ex[k_ex].a <= t) || t >= t_lim) {
        continue;
      }
      m += pred[i * (size_t)nch + (size_t)bn->ch];
      d += fr->rec.v[bn->ch][i];
      used++;
    }
    if (used == 0) {
      *o++ = 0.0; /* the whole run lies where the trains disagree */
    } else {
      *o++ =
          isfinite(m) ? (d - m) / used / (fr->sigma / sqrt((double)used)) : UCL_FIT_FAIL_RESIDUAL;
    }
  }
  /* pulse heights: the model's own pulse at each measured pulse's partner spike (a pulse
   * without a partner is the timing residuals' business); the median's standard error is
   * 1.2533·σ/√m for normal noise */
  for (int c = 0; c < nch; c++) {
    if (fr->n_hit[c] == 0) {
      continue;
    }
    if (isfinite(t_lim)) {
      *o++ = 0.0;
      continue;
    }
    size_t nh = 0;
    for (size_t h = 0; h < fr->n_hit[c]; h++) {
      size_t j = fr->n_timing > 0 ? partner[fr->hit[c][h]] : nsp;
      if (j < nsp && isfinite(wmax[j * (size_t)nch + (size_t)c])) {
        tmp[nh++] = wmax[j * (size_t)nch + (size_t)c];
      }
    }
    double med = nh > 0 ? median_of(tmp, nh) : 0.0; /* no partner anywhere: no pulse */
    *o++ = st != UCL_OK
               ? UCL_FIT_FAIL_RESIDUAL
               : (fr->hit_median[c] - med) / (1.2533 * fr->sigma / sqrt((double)fr->n_hit[c]));
  }
  if (fr->n_timing > 0) {
    /* σ_t: a spike placed at the middle of the sample interval in which it fell is off by a
     * uniform error of one interval, sd dt/√12 */
    double sig_t = fr->rec.dt / sqrt(12.0);
    for (size_t k = 0; k < fr->n_spikes; k++) {
      *o++ = isfinite(t_lim) ? 0.0 : (isfinite(dlt[k]) ? dlt[k] : fr->spike_w[k]) / sig_t;
    }
    *o++ = isfinite(t_lim) ? 0.0 : sqrt(extra_w2) / sig_t;
  }
  *out = o;
  double T = fr->rec.t[fr->rec.n - 1] - fmax(0.0, fr->rec.t[0]);
  extra[1 + 3 * r] =
      vm >= 0 ? ucl_fit_van_rossum(fr->spikes, fr->n_spikes, sp, nsp, f->opts.vr_tau) : NAN;
  extra[2 + 3 * r] =
      vm >= 0 ? ucl_fit_coincidence(fr->spikes, fr->n_spikes, sp, nsp, T, f->opts.coinc) : NAN;
  extra[3 + 3 * r] = (double)nsp;
  st = UCL_OK;
done:
  free(pred);
  free(tmp);
  free(dlt);
  free(partner);
  free(sp);
  free(wmax);
  free(ex);
  return st;
}

static ucl_status eval_all(const ucl_fit *f, int v, const double *x, long upto, double *out,
                           ucl_diag *diag) {
  const ucl_fit_variant *va = &f->var[v];
  size_t nres = ucl_fit_n_residuals(f, v);
  double *bound = out + nres;
  double *extra = bound + va->n_free;
  int ok = 1;
  for (int j = 0; j < va->n_free; j++) {
    const ucl_fit_param *p = &va->free[j];
    double lo = ucl_fit_param_x(p, p->lo), hi = ucl_fit_param_x(p, p->hi);
    double excess = x[j] < lo ? x[j] - lo : (x[j] > hi ? x[j] - hi : 0.0);
    bound[j] = 100.0 * excess / (hi - lo);
  }
  double *o = out;
  for (int r = 0; r < f->n_recs; r++) {
    if (eval_rec(f, v, x, r, upto, &o, extra, &ok) != UCL_OK) {
      return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
    }
  }
  if (f->n_features > 0 && upto >= 0) {
    for (int k = 0; k < f->n_features; k++) {
      *o++ = 0.0;
    }
  } else if (f->n_features > 0) {
    ucl_params p;
    ucl_fit_params_at(f, v, x, &p);
    p.solver.rtol = fmin(p.solver.rtol, f->opts.rtol); /* as the recordings' runs */
    ucl_char_result cr;
    memset(&cr, 0, sizeof(cr));
    ucl_status st = ucl_characterize(&p, &f->chr.opts, &cr, NULL);
    if (st == UCL_ERR_NOMEM) {
      ucl_char_result_free(&cr);
      return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
    }
    for (int k = 0; k < f->n_features; k++) {
      double val = NAN;
      if (st != UCL_OK || !ucl_results_point_number(f->feat[k].col, &p, &cr, &val)) {
        val = NAN;
      }
      *o++ = isfinite(val) ? (val - f->feat[k].value) / f->feat[k].sd : UCL_FIT_FAIL_RESIDUAL;
      ok &= isfinite(val);
    }
    ucl_char_result_free(&cr);
  }
  for (int j = 0; j < va->n_free; j++) {
    const ucl_fit_param *p = &va->free[j];
    if (p->prior_sd > 0.0) {
      *o++ = (x[j] - p->prior_mu) / p->prior_sd;
    }
  }
  extra[UCL_FIT_X_OK] = ok;
  return UCL_OK;
}

ucl_status ucl_fit_eval(const ucl_fit *f, int v, const double *x, double *out, ucl_diag *diag) {
  return eval_all(f, v, x, -1, out, diag);
}

ucl_status ucl_fit_eval_upto(const ucl_fit *f, int v, const double *x, long upto, double *out,
                             ucl_diag *diag) {
  return eval_all(f, v, x, upto, out, diag);
}

double ucl_fit_row_feature(const ucl_fit *f, const double *row, int k) {
  double r = row[f->n_bins + (size_t)k];
  return r == UCL_FIT_FAIL_RESIDUAL ? NAN : f->feat[k].value + r * f->feat[k].sd;
}

double ucl_fit_row_chi2(const ucl_fit *f, int v, const double *row) {
  size_t n = ucl_fit_n_residuals(f, v);
  double s = 0.0;
  for (size_t i = 0; i < n; i++) {
    s += row[i] * row[i];
  }
  return s;
}

double ucl_fit_row_score(const ucl_fit *f, int v, const double *row) {
  size_t n = ucl_fit_n_residuals(f, v);
  const double *bound = row + n;
  const double *extra = bound + f->var[v].n_free;
  /* the recordings' residuals capped at 3 (a Tukey-like robust loss): far from the optimum,
   * where spikes do not line up, the score counts the samples that do not match instead of how
   * far off they are, and it falls steadily as the trains line up. The features and priors are
   * each one smooth term: capped, a feature given to 0.1 % would look the same everywhere but
   * at its optimum, so each adds ln(1 + r²) (the Cauchy loss), which keeps falling as it
   * approaches and grows only slowly far away */
  double s = 0.0;
  for (size_t i = 0; i < f->n_bins; i++) {
    s += fmin(row[i] * row[i], 9.0);
  }
  s = f->n_bins > 0 ? s / (double)f->n_bins : 0.0;
  for (size_t i = f->n_bins; i < n; i++) {
    s += log1p(row[i] * row[i]);
  }
  for (int j = 0; j < f->var[v].n_free; j++) {
    s += bound[j] * bound[j];
  }
  for (int r = 0; r < f->n_recs; r++) {
    if (isfinite(extra[1 + 3 * r])) {
      s += extra[1 + 3 * r];
    }
  }
  return s;
}

/* ---- spike-train distances ---- */

static double kernel_sum(const double *a, size_t na, const double *b, size_t nb, double tau) {
  double s = 0.0;
  for (size_t i = 0; i < na; i++) {
    for (size_t j = 0; j < nb; j++) {
      s += exp(-fabs(a[i] - b[j]) / tau);
    }
  }
  return s;
}

double ucl_fit_van_rossum(const double *a, size_t na, const double *b, size_t nb, double tau) {
  double d = 0.5 * (kernel_sum(a, na, a, na, tau) + kernel_sum(b, nb, b, nb, tau) -
                    2.0 * kernel_sum(a, na, b, nb, tau));
  return d > 0.0 ? d : 0.0; /* rounding of nearly equal trains */
}

double ucl_fit_coincidence(const double *a, size_t na, const double *b, size_t nb, double T,
                           double delta) {
  if (na + nb == 0 || !(T > 0.0)) {
    return NAN;
  }
  /* coincidences: data spikes with a model spike within ±delta, each model spike used once */
  size_t nc = 0, j = 0;
  for (size_t i = 0; i < na; i++) {
    while (j < nb && b[j] < a[i] - delta) {
      j++;
    }
    if (j < nb && fabs(b[j] - a[i]) <= delta) {
      nc++;
      j++;
    }
  }
  double nu = (double)na / T; /* the data's rate: chance coincidences */
  double expected = 2.0 * nu * delta * (double)nb;
  double norm = 1.0 - 2.0 * ((double)nb / T) * delta; /* the model's rate (Jolivet 2008) */
  if (!(norm > 0.0)) {
    return NAN;
  }
  return ((double)nc - expected) / (0.5 * (double)(na + nb)) / norm;
}
