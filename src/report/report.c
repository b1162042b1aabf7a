/* report.c — `uclif report DIR`: stream the merged CSVs, aggregate, write gnuplot data and one
 * gnuplot script, run it (fork and exec, no shell), write index.html (docs/outputs.md,
 * "Reports"). */
#include "uclif/report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "plotpage.h"
#include "uclif/csvio.h"
#include "uclif/ini.h"
#include "uclif/params.h"
#include "uclif/results.h"
#include "uclif/units.h"

#define MAX_SWEPT 8
#define MAX_STATUS 16
#define MAX_AXIS 200 /* distinct values per axis of a heat map */
#define MAX_CURVES 8
#define MAX_RATES 8   /* neurons whose rates a network sweep's report plots */
#define MAX_CAT 32    /* distinct values of a text-valued swept parameter */
#define MAX_SERIES 16 /* series of one plot: combinations of the text axes' values */
#define N_FIRST 20    /* rows of points.csv shown in the page's table */

/* The points.csv columns the report reads (by name). */
enum {
  C_POINT,
  C_THRESHOLD,
  C_TAU_LEAK,
  C_R1,
  C_R2,
  C_C,
  C_TAU_REF,
  C_R3,
  C_TAU_ADAPT,
  C_R7,
  C_C2,
  C_ENERGY,
  C_ENERGY_PAPER,
  C_RHEOBASE,
  C_STEPS,
  C_ERR_FAILS,
  C_NL_FAILS,
  C_RESTARTS,
  C_SWEPT,                       /* then MAX_SWEPT swept parameters */
  C_RATES = C_SWEPT + MAX_SWEPT, /* then a network sweep's NEURON.rate_Hz columns */
  N_COLS = C_RATES + MAX_RATES
};

static const char *const col_names[C_SWEPT] = {"point",
                                               "threshold_V",
                                               "tau_leak_off_s",
                                               "R1",
                                               "R2",
                                               "C",
                                               "tau_ref_s",
                                               "R3",
                                               "tau_adapt_s",
                                               "R7",
                                               "C2",
                                               "energy_per_spike_J",
                                               "energy_paper_J",
                                               "rheobase_V",
                                               "steps",
                                               "err_test_fails",
                                               "nonlin_fails",
                                               "restarts"};

typedef struct status_count {
  char name[32];
  long n;
} status_count;

#define HEAT_BINS 100 /* cells per axis when an axis has more than MAX_AXIS values */

typedef struct heat {
  double xs[MAX_AXIS], ys[MAX_AXIS];
  int nx, ny, overflow;
  int binned;          /* second pass: values binned between lo and hi */
  int ncat[2];         /* second pass: a text axis's number of values (its cells), or 0 */
  double lo[2], hi[2]; /* the axes' ranges (first pass) */
  int logb[2];         /* log-spaced bins */
  double *sum;         /* MAX_AXIS² */
  long *cnt;
} heat;

typedef struct rep {
  /* header */
  int n_header;
  int idx[N_COLS]; /* column index of each wanted column, or -1 */
  int status_col;
  char *swept[MAX_SWEPT];
  int n_swept;
  char *rates[MAX_RATES]; /* a network sweep's NEURON.rate_Hz columns */
  int n_rates;
  /* text-valued swept parameters (a choice: neuron, scr.model, loop, ...): each axis's distinct
   * texts in order of first appearance; such an axis holds a text's index in cur and kept */
  char *cats[MAX_SWEPT][MAX_CAT];
  int n_cats[MAX_SWEPT];
  unsigned char has_text[MAX_SWEPT], has_num[MAX_SWEPT], cat_full[MAX_SWEPT];
  int nomem;
  /* streaming */
  int field;
  long row; /* data rows seen */
  double cur[N_COLS];
  char cur_status[32];
  char **hdr; /* header names while reading the header */
  int hdr_cap;
  long stride; /* rows kept: every stride-th (doubled whenever more than max_kept are held) */
  size_t max_kept;
  /* results */
  double *kept; /* rows kept for plots: N_COLS doubles each */
  size_t n_kept, cap_kept;
  status_count st[MAX_STATUS];
  int n_st;
  long ok;
  double sum_steps, max_steps, sum_err, sum_nl, sum_restarts;
  heat hm;
  int bad_header;
  /* the swept parameters: each one's [sweep] text in spec.ini (or NULL), unit (the parameter
   * table's, "" when unknown), range over every row, and whether it is plotted on a log axis */
  char *sweep_text[MAX_SWEPT];
  const char *unit[MAX_SWEPT];
  double sw_lo[MAX_SWEPT], sw_hi[MAX_SWEPT];
  int logax[MAX_SWEPT];
  /* the first N_FIRST rows (the page's table) and the first row's fields as text (the fixed
   * values when there is no spec.canonical) */
  double first[N_FIRST][N_COLS];
  char first_status[N_FIRST][32];
  int n_first;
  char **row0;        /* n_header texts, or NULL */
  char *characterize; /* spec.ini's [characterize] lines as "key = value; ...", or NULL */
} rep;

static int is_ok(const char *s) {
  return strcmp(s, "ok") == 0;
}

/* What a swept parameter's column holds (known once points.csv has been read): numbers; texts
 * (at most MAX_CAT distinct ones, plotted as categories); or something no plot can use (numbers
 * and texts mixed, or more than MAX_CAT texts). */
enum { AX_NUM, AX_TEXT, AX_BAD };

static int axis_kind(const rep *r, int a) {
  if (!r->has_text[a]) {
    return AX_NUM;
  }
  return r->has_num[a] || r->cat_full[a] ? AX_BAD : AX_TEXT;
}

/* Why axis a (AX_BAD) cannot be plotted against, into buf. */
static void axis_bad_reason(const rep *r, int a, char *buf, size_t n) {
  if (r->has_num[a]) {
    snprintf(buf, n, "%.100s mixes numbers and text", r->swept[a]);
  } else {
    snprintf(buf, n, "%.100s has more than %d distinct text values", r->swept[a], MAX_CAT);
  }
}

/* The index of text (len bytes) among swept axis a's texts, added when new; NAN when the axis
 * already has MAX_CAT texts (r->cat_full) or memory ran out (r->nomem). */
static double cat_index(rep *r, int a, const char *text, size_t len) {
  r->has_text[a] = 1;
  for (int i = 0; i < r->n_cats[a]; i++) {
    if (strlen(r->cats[a][i]) == len && memcmp(r->cats[a][i], text, len) == 0) {
      return i;
    }
  }
  if (r->n_cats[a] == MAX_CAT) {
    r->cat_full[a] = 1;
    return NAN;
  }
  char *c = strndup(text, len);
  if (!c) {
    r->nomem = 1;
    return NAN;
  }
  r->cats[a][r->n_cats[a]] = c;
  return r->n_cats[a]++;
}

static void field_cb(void *s, size_t len, void *data) {
  rep *r = data;
  const char *text = s ? s : "";
  if (r->row < 0) { /* the header */
    if (r->n_header == r->hdr_cap) {
      int cap = r->hdr_cap ? 2 * r->hdr_cap : 64;
      char **h = realloc(r->hdr, (size_t)cap * sizeof(char *));
      if (!h) {
        r->bad_header = 1;
        return;
      }
      r->hdr = h;
      r->hdr_cap = cap;
    }
    r->hdr[r->n_header++] = strndup(text, len);
    return;
  }
  int f = r->field++;
  if (f == r->status_col) {
    snprintf(r->cur_status, sizeof(r->cur_status), "%.*s", (int)len, text);
  }
  if (r->row == 0 && r->row0 && f < r->n_header && !r->row0[f]) {
    r->row0[f] = strndup(text, len);
    r->nomem |= !r->row0[f];
  }
  for (int k = 0; k < N_COLS; k++) {
    if (r->idx[k] == f) {
      char *end = NULL;
      double v = len ? strtod(text, &end) : NAN;
      int num = len && end && *end == '\0';
      r->cur[k] = num ? v : NAN;
      if (k >= C_SWEPT && k < C_SWEPT + r->n_swept && len) { /* a swept parameter's value */
        int a = k - C_SWEPT;
        r->has_num[a] |= (unsigned char)num;
        if (num && isfinite(v)) {
          r->sw_lo[a] = fmin(r->sw_lo[a], v);
          r->sw_hi[a] = fmax(r->sw_hi[a], v);
        }
        r->cur[k] = num ? v : cat_index(r, a, text, len);
      }
    }
  }
}

static int heat_index(double *vals, int *n, double v) {
  for (int i = 0; i < *n; i++) {
    if (vals[i] == v) {
      return i;
    }
  }
  if (*n == MAX_AXIS) {
    return -1;
  }
  vals[*n] = v;
  return (*n)++;
}

/* The bin of v on axis a (second pass): a text axis's value index is its cell. */
static int heat_bin(const heat *h, int a, double v) {
  double lo = h->lo[a], hi = h->hi[a], u;
  if (h->ncat[a] > 0) {
    int b = (int)v;
    return b < 0 ? 0 : (b >= h->ncat[a] ? h->ncat[a] - 1 : b);
  }
  if (!(hi > lo)) {
    return 0;
  }
  u = h->logb[a] ? log(v / lo) / log(hi / lo) : (v - lo) / (hi - lo);
  int b = (int)(u * HEAT_BINS);
  return b < 0 ? 0 : (b >= HEAT_BINS ? HEAT_BINS - 1 : b);
}

/* Switch the heat map to HEAT_BINS bins per numeric axis over the ranges of the first pass
 * (log-spaced where h->logb[a] was set and the range is positive); a text axis (h->ncat[a] > 0)
 * keeps one cell per value. */
static void heat_rebin(heat *h) {
  h->binned = 1;
  h->overflow = 0;
  h->nx = h->ncat[0] > 0 ? h->ncat[0] : HEAT_BINS;
  h->ny = h->ncat[1] > 0 ? h->ncat[1] : HEAT_BINS;
  for (int a = 0; a < 2; a++) {
    h->logb[a] = h->logb[a] && h->lo[a] > 0.0; /* (set from the axis's log flag) */
    double *c = a ? h->ys : h->xs;
    for (int i = 0; h->ncat[a] > 0 && i < h->ncat[a]; i++) {
      c[i] = i;
    }
    for (int i = 0; h->ncat[a] == 0 && i < HEAT_BINS; i++) {
      double u = (i + 0.5) / HEAT_BINS;
      c[i] = h->logb[a] ? h->lo[a] * pow(h->hi[a] / h->lo[a], u)
                        : h->lo[a] + u * (h->hi[a] - h->lo[a]);
    }
  }
  memset(h->sum, 0, (size_t)MAX_AXIS * MAX_AXIS * sizeof(double));
  memset(h->cnt, 0, (size_t)MAX_AXIS * MAX_AXIS * sizeof(long));
}

static void row_cb(int c, void *data) {
  rep *r = data;
  (void)c;
  if (r->row < 0) { /* header done: find the columns */
    for (int j = 0; j < r->n_header && r->n_rates < MAX_RATES && !r->hm.binned; j++) {
      size_t len = r->hdr[j] ? strlen(r->hdr[j]) : 0;
      if (len > 8 && strcmp(r->hdr[j] + len - 8, ".rate_Hz") == 0) {
        r->rates[r->n_rates++] = strdup(r->hdr[j]); /* a network sweep's neuron */
      }
    }
    for (int k = 0; k < N_COLS; k++) {
      r->idx[k] = -1;
      const char *want = k < C_SWEPT   ? col_names[k]
                         : k < C_RATES ? (k - C_SWEPT < r->n_swept ? r->swept[k - C_SWEPT] : NULL)
                                       : (k - C_RATES < r->n_rates ? r->rates[k - C_RATES] : NULL);
      for (int j = 0; want && j < r->n_header; j++) {
        if (r->hdr[j] && strcmp(r->hdr[j], want) == 0) {
          r->idx[k] = j;
        }
      }
    }
    if (!r->row0) {
      r->row0 = calloc((size_t)(r->n_header > 0 ? r->n_header : 1), sizeof(char *));
      r->nomem |= !r->row0;
    }
    r->status_col = -1;
    for (int j = 0; j < r->n_header; j++) {
      if (r->hdr[j] && strcmp(r->hdr[j], "status") == 0) {
        r->status_col = j;
      }
    }
    r->row = 0;
    r->field = 0;
    for (int k = 0; k < N_COLS; k++) {
      r->cur[k] = NAN;
    }
    r->cur_status[0] = '\0';
    return;
  }
  /* a data row */
  int ok = is_ok(r->cur_status);
  if (!r->hm.binned) { /* (the second pass reads the heat map only) */
    int s;
    for (s = 0; s < r->n_st; s++) {
      if (strcmp(r->st[s].name, r->cur_status) == 0) {
        break;
      }
    }
    if (s == r->n_st && r->n_st < MAX_STATUS) {
      snprintf(r->st[r->n_st].name, sizeof(r->st[0].name), "%s", r->cur_status);
      r->st[r->n_st++].n = 0;
    }
    if (s < r->n_st) {
      r->st[s].n++;
    }
    r->ok += ok;
    if (isfinite(r->cur[C_STEPS])) {
      r->sum_steps += r->cur[C_STEPS];
      r->max_steps = fmax(r->max_steps, r->cur[C_STEPS]);
    }
    r->sum_err += isfinite(r->cur[C_ERR_FAILS]) ? r->cur[C_ERR_FAILS] : 0.0;
    r->sum_nl += isfinite(r->cur[C_NL_FAILS]) ? r->cur[C_NL_FAILS] : 0.0;
    r->sum_restarts += isfinite(r->cur[C_RESTARTS]) ? r->cur[C_RESTARTS] : 0.0;
    if (r->n_first < N_FIRST) {
      memcpy(r->first[r->n_first], r->cur, sizeof(r->cur));
      snprintf(r->first_status[r->n_first], sizeof(r->first_status[0]), "%s", r->cur_status);
      r->n_first++;
    }
  }
  /* heat map of the threshold over the first two swept parameters: every row */
  if (r->hm.sum && ok && isfinite(r->cur[C_THRESHOLD]) && isfinite(r->cur[C_SWEPT]) &&
      isfinite(r->cur[C_SWEPT + 1])) {
    int ix, iy;
    if (r->hm.binned) {
      ix = heat_bin(&r->hm, 0, r->cur[C_SWEPT]);
      iy = heat_bin(&r->hm, 1, r->cur[C_SWEPT + 1]);
    } else {
      for (int a = 0; a < 2; a++) {
        r->hm.lo[a] = fmin(r->hm.lo[a], r->cur[C_SWEPT + a]);
        r->hm.hi[a] = fmax(r->hm.hi[a], r->cur[C_SWEPT + a]);
      }
      ix = r->hm.overflow ? -1 : heat_index(r->hm.xs, &r->hm.nx, r->cur[C_SWEPT]);
      iy = r->hm.overflow ? -1 : heat_index(r->hm.ys, &r->hm.ny, r->cur[C_SWEPT + 1]);
    }
    if (ix < 0 || iy < 0) {
      r->hm.overflow = 1;
    } else {
      r->hm.sum[ix * MAX_AXIS + iy] += r->cur[C_THRESHOLD];
      r->hm.cnt[ix * MAX_AXIS + iy]++;
    }
  }
  if (r->hm.binned) {
    r->row++;
    r->field = 0;
    for (int k = 0; k < N_COLS; k++) {
      r->cur[k] = NAN;
    }
    r->cur_status[0] = '\0';
    return;
  }
  /* every stride-th row kept for the scatter plots */
  if (r->row % r->stride == 0) {
    if (r->n_kept == r->cap_kept) {
      size_t cap = r->cap_kept ? 2 * r->cap_kept : 1024;
      double *k = realloc(r->kept, cap * N_COLS * sizeof(double));
      if (k) {
        r->kept = k;
        r->cap_kept = cap;
      }
    }
    if (r->n_kept < r->cap_kept) {
      double *dst = r->kept + r->n_kept * N_COLS;
      memcpy(dst, r->cur, sizeof(r->cur));
      dst[C_POINT] = ok ? dst[C_POINT] : -1.0 - dst[C_POINT]; /* < 0: not ok */
      r->n_kept++;
    }
    if (r->n_kept > r->max_kept) { /* keep every other one: the rows at multiples of 2·stride */
      for (size_t i = 0; 2 * i < r->n_kept; i++) {
        memmove(r->kept + i * N_COLS, r->kept + 2 * i * N_COLS, N_COLS * sizeof(double));
      }
      r->n_kept = (r->n_kept + 1) / 2;
      r->stride *= 2;
    }
  }
  r->row++;
  r->field = 0;
  for (int k = 0; k < N_COLS; k++) {
    r->cur[k] = NAN;
  }
  r->cur_status[0] = '\0';
}

/* ---- rate curves of a few points ---- */

typedef struct curves {
  long ids[MAX_CURVES];
  size_t kept[MAX_CURVES]; /* the curve's point: its row in rep.kept */
  int n;
  int field, header_done;
  int c_point, c_amp, c_rate, c_status;
  char **hdr;
  int n_hdr, cap_hdr;
  double point, amp, rate;
  int ok;
  FILE *out[MAX_CURVES];
  long rows[MAX_CURVES];
  double amp_lo, amp_hi, rate_lo, rate_hi; /* the ranges of the rows written */
} curves;

static void cfield_cb(void *s, size_t len, void *data) {
  curves *c = data;
  const char *text = s ? s : "";
  if (!c->header_done) {
    if (c->n_hdr == c->cap_hdr) {
      int cap = c->cap_hdr ? 2 * c->cap_hdr : 32;
      char **h = realloc(c->hdr, (size_t)cap * sizeof(char *));
      if (!h) {
        return;
      }
      c->hdr = h;
      c->cap_hdr = cap;
    }
    c->hdr[c->n_hdr++] = strndup(text, len);
    return;
  }
  int f = c->field++;
  double v = len ? strtod(text, NULL) : NAN;
  if (f == c->c_point) {
    c->point = v;
  } else if (f == c->c_amp) {
    c->amp = v;
  } else if (f == c->c_rate) {
    c->rate = v;
  } else if (f == c->c_status) {
    c->ok = len == 2 && strncmp(text, "ok", 2) == 0;
  }
}

static void crow_cb(int ch, void *data) {
  curves *c = data;
  (void)ch;
  if (!c->header_done) {
    c->c_point = c->c_amp = c->c_rate = c->c_status = -1;
    for (int j = 0; j < c->n_hdr; j++) {
      const char *h = c->hdr[j] ? c->hdr[j] : "";
      c->c_point = strcmp(h, "point") == 0 ? j : c->c_point;
      c->c_amp = strcmp(h, "amplitude_V") == 0 ? j : c->c_amp;
      c->c_rate = strcmp(h, "rate_mean_Hz") == 0 ? j : c->c_rate;
      c->c_status = strcmp(h, "status") == 0 ? j : c->c_status;
    }
    c->header_done = 1;
  } else {
    for (int k = 0; k < c->n; k++) {
      if ((double)c->ids[k] == c->point && c->ok && isfinite(c->rate) && c->out[k]) {
        fprintf(c->out[k], "%.9g %.9g\n", c->amp, c->rate);
        c->rows[k]++;
        c->amp_lo = fmin(c->amp_lo, c->amp);
        c->amp_hi = fmax(c->amp_hi, c->amp);
        c->rate_lo = fmin(c->rate_lo, c->rate);
        c->rate_hi = fmax(c->rate_hi, c->rate);
      }
    }
  }
  c->field = 0;
  c->point = c->amp = c->rate = NAN;
  c->ok = 0;
}

/* ---- output ---- */

typedef struct plot {
  char name[64];
  char title[160];
  char note[256]; /* why it was skipped, or empty */
} plot;

typedef struct out {
  const char *rdir;
  FILE *gp; /* the gnuplot script */
  plot plots[32];
  int n_plots;
  ucl_status io; /* the first failed write of a data file (UCL_ERR_IO), else UCL_OK */
  ucl_diag io_diag;
} out;

/* Close the data file f (written to 'path'), recording in o a write or close failure (the first
 * one only). */
static void close_data(out *o, FILE *f, const char *path) {
  ucl_page_close_data(f, path, &o->io, &o->io_diag);
}

static plot *new_plot(out *o, const char *name, const char *title) {
  plot *p = &o->plots[o->n_plots++];
  snprintf(p->name, sizeof(p->name), "%s", name);
  snprintf(p->title, sizeof(p->title), "%s", title);
  p->note[0] = '\0';
  return p;
}

/* The gnuplot lines that draw one plot twice: SVG and PNG. 'body' is the plot command. */
static void gp_emit(out *o, const plot *p, const char *setup, const char *body) {
  ucl_page_gp_emit(o->gp, NULL, p->name, p->title, setup, body, 760, 480);
}

static FILE *data_file(const out *o, const char *name, char *path, size_t n) {
  snprintf(path, n, "%s/data/%s.dat", o->rdir, name);
  return fopen(path, "w");
}

/* ---- text axes: categories and series ---- */

/* The text of swept axis a's value v (a kept row's) into buf: the text of a text axis, the
 * number of a numeric one with its unit (ucl_units_format_eng, 3 digits), "?" when unknown. */
static void axis_value(const rep *r, int a, double v, char *buf, size_t n) {
  int kind = axis_kind(r, a);
  if (kind == AX_NUM) {
    ucl_units_format_eng(v, r->unit[a], 3, buf, n);
  } else if (kind == AX_TEXT && v >= 0 && v < r->n_cats[a]) {
    ucl_page_gp_str(buf, n, r->cats[a][(int)v]);
  } else {
    snprintf(buf, n, "?");
  }
}

/* How the ok rows of a plot split into series: one per combination of the values of the text
 * axes other than the plot's own x axis. n == 1 and n_axes == 0 when there is no such axis, or
 * when the combinations are more than the plot can show (merged set: then one series). */
typedef struct split {
  int axes[MAX_SWEPT];
  int n_axes;
  int n;      /* series */
  int merged; /* text axes present, but too many combinations: one series of all */
} split;

static void split_plan(const rep *r, int except, int max_series, split *sp) {
  memset(sp, 0, sizeof(*sp));
  sp->n = 1;
  for (int a = 0; a < r->n_swept; a++) {
    if (a != except && axis_kind(r, a) == AX_TEXT && r->n_cats[a] > 0) {
      sp->axes[sp->n_axes++] = a;
      sp->n *= r->n_cats[a];
      if (sp->n > max_series) {
        sp->n_axes = 0;
        sp->n = 1;
        sp->merged = 1;
        return;
      }
    }
  }
}

/* The series of kept row v, or -1 when a text value is missing. */
static int split_series(const rep *r, const split *sp, const double *v) {
  int s = 0;
  for (int i = 0; i < sp->n_axes; i++) {
    int a = sp->axes[i];
    double c = v[C_SWEPT + a];
    if (!(c >= 0 && c < r->n_cats[a])) {
      return -1;
    }
    s = s * r->n_cats[a] + (int)c;
  }
  return s;
}

/* The legend of series s ("scr.model = hybrid, neuron = type1"), escaped for a gnuplot
 * double-quoted string. */
static void split_label(const rep *r, const split *sp, int s, char *buf, size_t n) {
  int k = 0;
  buf[0] = '\0';
  if (sp->merged) {
    snprintf(buf, n, "all values of the text parameters");
    return;
  }
  int idx[MAX_SWEPT];
  for (int i = sp->n_axes - 1; i >= 0; i--) { /* the last axis varies fastest */
    idx[i] = s % r->n_cats[sp->axes[i]];
    s /= r->n_cats[sp->axes[i]];
  }
  for (int i = 0; i < sp->n_axes && (size_t)k < n; i++) {
    char val[96];
    ucl_page_gp_str(val, sizeof(val), r->cats[sp->axes[i]][idx[i]]);
    k +=
        snprintf(buf + k, n - (size_t)k, "%s%.40s = %s", i ? ", " : "", r->swept[sp->axes[i]], val);
  }
}

/* gnuplot lines for a text x axis: a range around the value indexes 0..n-1 and the texts as
 * tics, appended to setup (n bytes). */
static void text_xtics(const rep *r, int a, char *setup, size_t n) {
  size_t k = strlen(setup);
  k += (size_t)snprintf(setup + k, n - k, "set xrange [-0.5:%g]\nset xtics (", r->n_cats[a] - 0.5);
  for (int i = 0; i < r->n_cats[a] && k + 128 < n; i++) {
    char val[96];
    ucl_page_gp_str(val, sizeof(val), r->cats[a][i]);
    k += (size_t)snprintf(setup + k, n - k, "%s\"%s\" %d", i ? ", " : "", val, i);
  }
  snprintf(setup + k, n - k, ")%s\nset xtics noenhanced\n",
           r->n_cats[a] > 4 ? " rotate by -30" : "");
}

/* Colours and point types of series s (the first matches the single-series plots). */
static const char *series_colour(int s) {
  static const char *const c[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd",
                                  "#8c564b", "#e377c2", "#7f7f7f", "#17becf"};
  return c[s % 8];
}
static int series_pt(int s) {
  static const int pt[] = {7, 5, 9, 11};
  return pt[(s / 8) % 4];
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* An axis of a scatter plot: its label, its unit as the parameter and column tables spell it
 * ("Ohm", "V", "s"; "" for none) and its scale. */
enum { SC_LIN, SC_LOG, SC_AUTO /* log when positive over more than a factor 20 */ };
typedef struct axis {
  const char *label;
  const char *unit;
  int scale;
} axis;

static int axis_log(axis a, double lo, double hi) {
  return a.scale == SC_LOG || (a.scale == SC_AUTO && lo > 0.0 && hi / lo > 20.0);
}

/* Append to setup (n bytes) the x and y axis lines of a plot over the data ranges [xmin, xmax]
 * and [ymin, ymax]; with 'no_x' (a text x axis) only the x label. */
static void axes_setup(axis x, axis y, double xmin, double xmax, double ymin, double ymax, int no_x,
                       char *setup, size_t n) {
  if (!no_x) {
    ucl_page_gp_axis(setup, n, "x", x.label, x.unit, xmin, xmax, axis_log(x, xmin, xmax));
  } else { /* a text axis: its label only (text_xtics gives its tics) */
    char lab[200];
    ucl_page_gp_str(lab, sizeof(lab), x.label);
    size_t k = strlen(setup);
    snprintf(setup + k, n - k, "set xlabel \"%s\" noenhanced\n", lab);
  }
  ucl_page_gp_axis(setup, n, "y", y.label, y.unit, ymin, ymax, axis_log(y, ymin, ymax));
}

static void scatter_split(out *o, const rep *r, const char *name, const char *title, axis x, axis y,
                          int ycol, double (*fx)(const double *), int xcol, int diag_line);

/* A scatter of column ycol against xcol (x computed by fx when xcol < 0) over the kept ok rows,
 * with y = x drawn when 'diag' is set; axes labelled with units and tics (ucl_page_gp_axis).
 * With text-valued swept parameters: one series per combination of their values, and a text x
 * axis as categories (scatter_split). */
static void scatter(out *o, const rep *r, const char *name, const char *title, axis x, axis y,
                    int ycol, double (*fx)(const double *), int xcol, int diag_line) {
  for (int a = 0; a < r->n_swept; a++) {
    if (axis_kind(r, a) == AX_TEXT) {
      scatter_split(o, r, name, title, x, y, ycol, fx, xcol, diag_line);
      return;
    }
  }
  plot *p = new_plot(o, name, title);
  char path[1024];
  FILE *f = data_file(o, name, path, sizeof(path));
  if (!f) {
    snprintf(p->note, sizeof(p->note), "cannot write %.200s", path);
    return;
  }
  long n = 0;
  double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
  for (size_t i = 0; i < r->n_kept; i++) {
    const double *v = r->kept + i * N_COLS;
    if (v[C_POINT] < 0) {
      continue;
    }
    double xv = fx ? fx(v) : v[xcol], yv = v[ycol];
    if (isfinite(xv) && isfinite(yv) && (x.scale != SC_LOG || xv > 0) &&
        (y.scale != SC_LOG || yv > 0)) {
      fprintf(f, "%.9g %.9g\n", xv, yv);
      n++;
      xmin = fmin(xmin, xv);
      xmax = fmax(xmax, xv);
      ymin = fmin(ymin, yv);
      ymax = fmax(ymax, yv);
    }
  }
  close_data(o, f, path);
  if (n == 0) {
    snprintf(p->note, sizeof(p->note), "no ok row has both %s and %s%s", x.label, y.label,
             x.scale == SC_LOG || y.scale == SC_LOG ? " (positive, for a log axis)" : "");
    return;
  }
  char setup[4096] = "", body[4096];
  axes_setup(x, y, xmin, xmax, ymin, ymax, 0, setup, sizeof(setup));
  size_t sl = strlen(setup);
  snprintf(setup + sl, sizeof(setup) - sl, "%s",
           diag_line ? "set key top left\n" : "set key off\n");
  if (diag_line) {
    snprintf(body, sizeof(body),
             "plot '%s' using 1:2 with points pt 7 ps 0.5 lc rgb '#1f77b4' title 'measured', x "
             "with lines lw 2 lc rgb '#d62728' title 'rule of thumb (y = x)'",
             ucl_page_rel(o->rdir, path));
  } else {
    snprintf(body, sizeof(body),
             "plot '%s' using 1:2 with points pt 7 ps 0.5 lc rgb '#1f77b4' notitle",
             ucl_page_rel(o->rdir, path));
  }
  gp_emit(o, p, setup, body);
}

/* scatter with text axes: x a swept parameter's column (xcol = C_SWEPT + a) that may be a text
 * axis, drawn at its value indexes with the texts as tics (series side by side); the rows split
 * into one series (and data file NAME_S.dat) per combination of the other text axes' values. */
static void scatter_split(out *o, const rep *r, const char *name, const char *title, axis x, axis y,
                          int ycol, double (*fx)(const double *), int xcol, int diag_line) {
  plot *p = new_plot(o, name, title);
  int xa = !fx && xcol >= C_SWEPT && xcol < C_SWEPT + r->n_swept ? xcol - C_SWEPT : -1;
  int xtext = xa >= 0 && axis_kind(r, xa) == AX_TEXT;
  split sp;
  split_plan(r, xa, MAX_SERIES, &sp);
  char body[8192];
  int k = snprintf(body, sizeof(body), "plot ");
  long total = 0;
  int drawn = 0;
  double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
  int xlog = !xtext && x.scale == SC_LOG, ylog = y.scale == SC_LOG;
  for (int s = 0; s < sp.n; s++) {
    char dname[80], path[1024];
    if (sp.n > 1) {
      snprintf(dname, sizeof(dname), "%.60s_%d", name, s);
    } else {
      snprintf(dname, sizeof(dname), "%.60s", name);
    }
    FILE *f = data_file(o, dname, path, sizeof(path));
    if (!f) {
      snprintf(p->note, sizeof(p->note), "cannot write %.200s", path);
      return;
    }
    /* a text x axis: the series side by side around each value's index */
    double dx = xtext && sp.n > 1 ? (s - (sp.n - 1) / 2.0) * 0.5 / sp.n : 0.0;
    long n = 0;
    for (size_t i = 0; i < r->n_kept; i++) {
      const double *v = r->kept + i * N_COLS;
      if (v[C_POINT] < 0 || (sp.n > 1 && split_series(r, &sp, v) != s)) {
        continue;
      }
      double xv = fx ? fx(v) : v[xcol], yv = v[ycol];
      if (isfinite(xv) && isfinite(yv) && (!xlog || xv > 0) && (!ylog || yv > 0)) {
        fprintf(f, "%.9g %.9g\n", xv + dx, yv);
        n++;
        xmin = fmin(xmin, xv);
        xmax = fmax(xmax, xv);
        ymin = fmin(ymin, yv);
        ymax = fmax(ymax, yv);
      }
    }
    close_data(o, f, path);
    if (n == 0) {
      continue;
    }
    total += n;
    char lab[400] = "";
    if (sp.n > 1 || sp.merged) {
      split_label(r, &sp, s, lab, sizeof(lab));
    }
    if ((size_t)k < sizeof(body)) {
      k += snprintf(body + k, sizeof(body) - (size_t)k,
                    "%s'%s' using 1:2 with points pt %d ps 0.5 lc rgb '%s' title \"%s%s%s\" "
                    "noenhanced",
                    drawn ? ", " : "", ucl_page_rel(o->rdir, path), series_pt(s), series_colour(s),
                    diag_line ? "measured" : "", diag_line && lab[0] ? ": " : "", lab);
    }
    drawn++;
  }
  if (total == 0) {
    snprintf(p->note, sizeof(p->note), "no ok row has both %s and %s%s", x.label, y.label,
             x.scale == SC_LOG || y.scale == SC_LOG ? " (positive, for a log axis)" : "");
    return;
  }
  if (diag_line && (size_t)k < sizeof(body)) {
    snprintf(body + k, sizeof(body) - (size_t)k,
             ", x with lines lw 2 lc rgb '#d62728' title 'rule of thumb (y = x)'");
  }
  char setup[4096] = "";
  axes_setup(x, y, xmin, xmax, ymin, ymax, xtext, setup, sizeof(setup));
  size_t sl = strlen(setup);
  snprintf(setup + sl, sizeof(setup) - sl, "%s",
           diag_line               ? "set key top left\n"
           : sp.n > 1 || sp.merged ? "set key outside bottom center\n"
                                   : "set key off\n");
  if (xtext) {
    text_xtics(r, xa, setup, sizeof(setup));
  }
  gp_emit(o, p, setup, body);
}

static double rc_leak(const double *v) {
  return (v[C_R1] + v[C_R2]) * v[C_C];
}
static double rc_ref(const double *v) {
  return v[C_R3] * v[C_C];
}
static double rc_adapt(const double *v) {
  return v[C_R7] * v[C_C2];
}

/* ---- the steps of ucl_report_build, in order ---- */

/* Read the manifest (optional: a missing one is no error) into *text (owned by the caller,
 * NULL when there is none); its 'swept' line names the swept parameters (into r->swept). */
static void read_manifest(const char *manifest, rep *r, char **text) {
  char *man_text = NULL;
  FILE *mf = fopen(manifest, "rb");
  if (mf) {
    size_t len = 0;
    char line[4096];
    while (fgets(line, sizeof(line), mf)) {
      size_t l = strlen(line);
      char *nt = realloc(man_text, len + l + 1);
      if (!nt) {
        break;
      }
      man_text = nt;
      memcpy(man_text + len, line, l + 1);
      len += l;
      if (strncmp(line, "swept = ", 8) == 0) {
        char *save = NULL;
        for (char *tok = strtok_r(line + 8, ", \n", &save); tok && r->n_swept < MAX_SWEPT;
             tok = strtok_r(NULL, ", \n", &save)) {
          r->swept[r->n_swept++] = strdup(tok);
        }
      }
    }
    fclose(mf);
  }
  *text = man_text;
}

/* The unit of swept parameter 'name': the parameter table's; for a network sweep's
 * NEURON.key, the key's; a synapse's R or R_max (SYNAPSE.R) in Ohm, as network.c reads them;
 * else "" (unknown or dimensionless). Static storage. */
static const char *swept_unit(const char *name) {
  const ucl_param_info *info = ucl_params_find(name);
  const char *dot = strchr(name, '.');
  if (!info && dot) {
    info = ucl_params_find(dot + 1);
    if (!info && (strcmp(dot + 1, "R") == 0 || strcmp(dot + 1, "R_max") == 0)) {
      return "Ohm";
    }
  }
  return info && info->kind != UCL_PARAM_CHOICE ? info->unit : "";
}

/* The swept parameters' value texts from DIR/spec.ini's [sweep] section into r->sweep_text, and
 * its [characterize] lines into r->characterize (optional: without spec.ini, or when it cannot be
 * read, they stay NULL). */
static void read_sweep_texts(const char *spec_path, rep *r) {
  ucl_ini *ini = NULL;
  ucl_diag d = {{0}};
  if (ucl_ini_read(spec_path, &ini, &d) != UCL_OK) {
    return;
  }
  for (size_t i = 0; i < ucl_ini_count(ini); i++) {
    const ucl_ini_entry *e = ucl_ini_entry_at(ini, i);
    if (strcmp(e->section, "characterize") == 0) {
      size_t have = r->characterize ? strlen(r->characterize) : 0;
      size_t add = strlen(e->key) + strlen(e->value) + 6;
      char *c = realloc(r->characterize, have + add + 1);
      if (!c) {
        r->nomem = 1;
        break;
      }
      snprintf(c + have, add + 1, "%s%s = %s", have ? "; " : "", e->key, e->value);
      r->characterize = c;
    }
    for (int a = 0; a < r->n_swept; a++) {
      if (strcmp(e->section, "sweep") == 0 && strcmp(e->key, r->swept[a]) == 0 &&
          !r->sweep_text[a]) {
        r->sweep_text[a] = strdup(e->value);
        r->nomem |= !r->sweep_text[a];
      }
    }
  }
  ucl_ini_destroy(&ini);
}

/* What a [sweep] value text says of its spacing: 1 for log(...) or an E-series eN(...), 0 for
 * lin(...), -1 for anything else (a list, a distribution): then the values decide. */
static int text_spacing(const char *t) {
  while (*t == ' ' || *t == '\t') {
    t++;
  }
  if (strncmp(t, "log(", 4) == 0) {
    return 1;
  }
  if (strncmp(t, "lin(", 4) == 0) {
    return 0;
  }
  if ((t[0] == 'e' || t[0] == 'E') && t[1] >= '0' && t[1] <= '9') {
    const char *p = t + 1;
    while (*p >= '0' && *p <= '9') {
      p++;
    }
    while (*p == ' ') {
      p++;
    }
    return *p == '(' ? 1 : -1;
  }
  return -1;
}

/* Are the distinct values v[0..n-1] (sorted, all > 0, max/min > 3, at least 3 of them) closer to
 * a geometric progression from the first to the last than to an arithmetic one? (Squared
 * differences of the logarithms.) */
static int closer_to_geometric(const double *v, size_t n) {
  double lo = v[0], hi = v[n - 1], e_lin = 0.0, e_geo = 0.0;
  for (size_t i = 0; i < n; i++) {
    double u = (double)i / (double)(n - 1);
    double d_lin = log(v[i]) - log(lo + u * (hi - lo)),
           d_geo = log(v[i]) - log(lo * pow(hi / lo, u));
    e_lin += d_lin * d_lin;
    e_geo += d_geo * d_geo;
  }
  return e_geo < e_lin;
}

/* Set each numeric swept axis's unit and log flag (r->unit, r->logax): log when its [sweep] text
 * is log(...) or eN(...); linear for lin(...); otherwise log when its distinct values among the
 * kept rows are all > 0, span more than a factor 3 and are closer to geometric than to
 * arithmetic spacing. */
static void decide_log_axes(rep *r) {
  double *v = malloc((r->n_kept ? r->n_kept : 1) * sizeof(double));
  for (int a = 0; a < r->n_swept; a++) {
    r->unit[a] = swept_unit(r->swept[a]);
    r->logax[a] = 0;
    if (axis_kind(r, a) != AX_NUM) {
      continue;
    }
    int by_text = r->sweep_text[a] ? text_spacing(r->sweep_text[a]) : -1;
    if (by_text >= 0) {
      r->logax[a] = by_text && r->sw_lo[a] > 0.0;
      continue;
    }
    if (!v || !(r->sw_lo[a] > 0.0 && r->sw_hi[a] / r->sw_lo[a] > 3.0)) {
      continue;
    }
    size_t n = 0;
    for (size_t i = 0; i < r->n_kept; i++) {
      double x = r->kept[i * N_COLS + C_SWEPT + a];
      if (isfinite(x)) {
        v[n++] = x;
      }
    }
    qsort(v, n, sizeof(double), cmp_double);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
      if (m == 0 || v[i] != v[m - 1]) {
        v[m++] = v[i];
      }
    }
    r->logax[a] = m >= 3 && v[0] > 0.0 && closer_to_geometric(v, m);
  }
  free(v);
}

/* Stream points.csv into r: status counts, solver health, the rows kept for the plots (at most
 * about maxp) and the heat map, with a second pass into bins when the heat map's axes have more
 * distinct values than cells. UCL_ERR_INPUT ("no sweep results: ...") when it cannot be read,
 * UCL_ERR_PARSE when it is malformed or not a sweep's points.csv. */
static ucl_status stream_points(const char *points, size_t maxp, rep *r, ucl_diag *diag) {
  r->stride = 1;
  r->max_kept = maxp;
  if (r->n_swept >= 2) {
    r->hm.sum = calloc((size_t)MAX_AXIS * MAX_AXIS, sizeof(double));
    r->hm.cnt = calloc((size_t)MAX_AXIS * MAX_AXIS, sizeof(long));
    r->hm.lo[0] = r->hm.lo[1] = INFINITY;
    r->hm.hi[0] = r->hm.hi[1] = -INFINITY;
  }
  for (int a = 0; a < MAX_SWEPT; a++) {
    r->sw_lo[a] = INFINITY;
    r->sw_hi[a] = -INFINITY;
  }
  ucl_status st = ucl_csv_parse_file(points, field_cb, row_cb, r, diag);
  if (st == UCL_ERR_INPUT) {
    ucl_diag_prefix(diag, "no sweep results: ");
  }
  if (st != UCL_OK) {
    return st;
  }
  decide_log_axes(r);
  if (r->hm.sum && r->hm.overflow) {
    /* more distinct values than cells: a second pass into bins over the axes' ranges */
    long rows = r->row;
    for (int a = 0; a < 2; a++) {
      r->hm.ncat[a] = axis_kind(r, a) == AX_TEXT ? r->n_cats[a] : 0;
    }
    for (int k = 0; k < r->n_header; k++) {
      free(r->hdr[k]);
    }
    r->n_header = 0;
    r->row = -1;
    r->hm.logb[0] = r->logax[0];
    r->hm.logb[1] = r->logax[1];
    heat_rebin(&r->hm);
    st = ucl_csv_parse_file(points, field_cb, row_cb, r, diag);
    r->row = rows;
    if (st != UCL_OK) {
      return st;
    }
  }
  if (r->nomem) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  if (r->bad_header || r->status_col < 0 || r->idx[C_POINT] < 0) {
    return ucl_diag_set(diag, UCL_ERR_PARSE,
                        "%s: not a sweep's points.csv (no 'point' and 'status' columns)", points);
  }
  return UCL_OK;
}

/* Plot: the points by status; left out with a line when every point has one status (the status
 * table says as much). */
static void plot_status(out *o, const rep *r) {
  char path[1100];
  plot *p = new_plot(o, "status", "Points by status");
  if (r->n_st == 1) {
    snprintf(p->note, sizeof(p->note), "all %ld points have status %.40s", r->row,
             r->st[0].name[0] ? r->st[0].name : "(none)");
    return;
  }
  FILE *f = data_file(o, "status", path, sizeof(path));
  if (f) {
    for (int s = 0; s < r->n_st; s++) {
      fprintf(f, "%d \"%s\" %ld\n", s, r->st[s].name[0] ? r->st[s].name : "(none)", r->st[s].n);
    }
    close_data(o, f, path);
    char body[4096];
    snprintf(body, sizeof(body),
             "plot '%s' using 1:3:xtic(2) with boxes fs solid 0.6 lc rgb '#1f77b4' notitle",
             ucl_page_rel(o->rdir, path));
    gp_emit(o, p,
            "set style fill solid\nset boxwidth 0.6\nset xlabel 'status'\nset ylabel 'points'\n"
            "set yrange [0:*]\nset key off",
            body);
  } else {
    snprintf(p->note, sizeof(p->note), "cannot write %.200s", path);
  }
}

/* Plots: column 'col' (a voltage: the threshold or the rheobase, called 'what' in titles and
 * 'label' on the y axis) against each swept parameter, named PREFIX_vs_K; the swept axis on a
 * log scale where r->logax says so. */
static void plot_against_swept(out *o, const rep *r, int col, const char *prefix, const char *what,
                               const char *label) {
  for (int k = 0; k < r->n_swept; k++) {
    char name[64], title[160];
    snprintf(name, sizeof(name), "%s_vs_%d", prefix, k + 1);
    snprintf(title, sizeof(title), "%s against %s", what, r->swept[k]);
    if (r->idx[C_SWEPT + k] < 0 || r->idx[col] < 0) {
      plot *p = new_plot(o, name, title);
      snprintf(p->note, sizeof(p->note), "points.csv has no column %s",
               r->idx[col] < 0 ? col_names[col] : r->swept[k]);
      continue;
    }
    if (axis_kind(r, k) == AX_BAD) {
      axis_bad_reason(r, k, new_plot(o, name, title)->note, sizeof(((plot *)0)->note));
      continue;
    }
    axis x = {r->swept[k], r->unit[k], r->logax[k] ? SC_LOG : SC_LIN};
    axis y = {label, "V", SC_LIN};
    scatter(o, r, name, title, x, y, col, NULL, C_SWEPT + k, 0);
  }
}

/* The gnuplot tics of heat-map axis a ("x" or "y") over its n cells at the sorted values vals:
 * a few cells (every one of a text axis, named by its text), each labelled with its value and
 * the axis's unit (ucl_units_format_eng), appended to setup (n bytes). */
static void heat_tics(const rep *r, int a, const double *vals, int ncell, char *setup, size_t n) {
  int text = axis_kind(r, a) == AX_TEXT;
  int step = text || ncell <= (a ? 12 : 8) ? 1 : (ncell + (a ? 9 : 5)) / (a ? 10 : 6);
  size_t k = strlen(setup);
  k += (size_t)snprintf(setup + k, n - k, "set %stics (", a ? "y" : "x");
  for (int i = 0; i < ncell && k + 160 < n; i += step) {
    char val[96];
    if (text) {
      axis_value(r, a, vals[i], val, sizeof(val));
    } else {
      ucl_units_format_eng(vals[i], r->unit[a], 3, val, sizeof(val));
    }
    k += (size_t)snprintf(setup + k, n - k, "%s\"%s\" %d", i ? ", " : "", val, i);
  }
  if (k + 64 < n) {
    snprintf(setup + k, n - k, ")%s noenhanced\n", !a && text && ncell > 4 ? " rotate by -30" : "");
  }
}

/* The gnuplot setup of the heat map: its axes are cell indexes, labelled with the swept
 * parameters and their units, the tics with the cells' values (heat_tics); the colour box over
 * [cmin, cmax] of the cells' mean thresholds. */
static void heat_setup(const rep *r, const double *xs, const double *ys, double cmin, double cmax,
                       char *setup, size_t n) {
  char lx[200], ly[200], t[240];
  for (int a = 0; a < 2; a++) {
    const char *u = ucl_units_symbol(r->unit[a]);
    if (u[0]) {
      snprintf(t, sizeof(t), "%.100s (%s)", r->swept[a], u);
    } else {
      snprintf(t, sizeof(t), "%.100s", r->swept[a]);
    }
    ucl_page_gp_str(a ? ly : lx, sizeof(lx), t);
  }
  snprintf(setup, n,
           "set xlabel \"%s\" noenhanced\nset ylabel \"%s\" noenhanced\n"
           "set palette rgbformulae 33,13,10\nset view map\nset key off\nset xrange "
           "[-0.5:%g]\nset yrange [-0.5:%g]\n",
           lx, ly, r->hm.nx - 0.5, r->hm.ny - 0.5);
  heat_tics(r, 0, xs, r->hm.nx, setup, n);
  heat_tics(r, 1, ys, r->hm.ny, setup, n);
  ucl_page_gp_axis(setup, n, "cb", "threshold", "V", cmin, cmax, 0);
}

/* Plot: the heat map of the threshold over the first two swept parameters (r->n_swept >= 2).
 * Not const: heat_index looks the sorted values up in the map's (unsorted) axes. */
static void plot_threshold_map(out *o, rep *r) {
  char path[1100];
  plot *p = new_plot(o, "threshold_map", "Firing threshold over the first two swept parameters");
  if (r->hm.binned) {
    snprintf(p->title, sizeof(p->title),
             "Firing threshold over the first two swept parameters (mean in %d x %d cells)",
             r->hm.nx, r->hm.ny);
  }
  if (r->idx[C_THRESHOLD] < 0) {
    snprintf(p->note, sizeof(p->note), "points.csv has no column threshold_V");
    return;
  }
  for (int a = 0; a < 2; a++) {
    if (axis_kind(r, a) == AX_BAD) {
      axis_bad_reason(r, a, p->note, sizeof(p->note));
      return;
    }
  }
  if (!r->hm.sum || r->hm.overflow || r->hm.nx < 2 || r->hm.ny < 2) {
    snprintf(p->note, sizeof(p->note), "%s",
             "needs ok points with at least two values on each of the first two axes");
    return;
  }
  /* cells on sorted axes */
  double xs[MAX_AXIS], ys[MAX_AXIS];
  memcpy(xs, r->hm.xs, sizeof(xs));
  memcpy(ys, r->hm.ys, sizeof(ys));
  qsort(xs, (size_t)r->hm.nx, sizeof(double), cmp_double);
  qsort(ys, (size_t)r->hm.ny, sizeof(double), cmp_double);
  FILE *f = data_file(o, "threshold_map", path, sizeof(path));
  if (!f) {
    snprintf(p->note, sizeof(p->note), "cannot write %.200s", path);
    return;
  }
  double cmin = INFINITY, cmax = -INFINITY;
  for (int i = 0; i < r->hm.nx; i++) {
    int oi = heat_index(r->hm.xs, &r->hm.nx, xs[i]);
    for (int j = 0; j < r->hm.ny; j++) {
      int oj = heat_index(r->hm.ys, &r->hm.ny, ys[j]);
      long c = r->hm.cnt[oi * MAX_AXIS + oj];
      double m = c ? r->hm.sum[oi * MAX_AXIS + oj] / (double)c : NAN;
      fprintf(f, "%d %d %.9g\n", i, j, m);
      if (c) {
        cmin = fmin(cmin, m);
        cmax = fmax(cmax, m);
      }
    }
    fputc('\n', f);
  }
  close_data(o, f, path);
  char setup[8192], body[4096];
  heat_setup(r, xs, ys, cmin, cmax, setup, sizeof(setup));
  /* 'pixels': each cell a rectangle of its own, which a browser cannot smooth into its
   * neighbours (a plain 'with image' embeds an nx × ny bitmap that the browser scales up) */
  snprintf(body, sizeof(body), "plot '%s' using 1:2:3 with image pixels",
           ucl_page_rel(o->rdir, path));
  gp_emit(o, p, setup, body);
}

/* Choose the points of the f-A curves: up to MAX_CURVES ok kept rows spread evenly over the
 * first swept parameter; open a data file for each. */
static void fa_choose(const out *o, const rep *r, curves *cv) {
  /* ok kept rows sorted by the first swept value, MAX_CURVES of them evenly */
  size_t n_ok = 0;
  double *order = malloc((r->n_kept ? r->n_kept : 1) * 3 * sizeof(double));
  for (size_t i = 0; order && i < r->n_kept; i++) {
    const double *v = r->kept + i * N_COLS;
    if (v[C_POINT] >= 0) {
      order[3 * n_ok] = r->n_swept > 0 ? v[C_SWEPT] : v[C_POINT];
      order[3 * n_ok + 1] = v[C_POINT];
      order[3 * n_ok + 2] = (double)i; /* (the sort compares the first value only) */
      n_ok++;
    }
  }
  if (order) {
    qsort(order, n_ok, 3 * sizeof(double), cmp_double);
  }
  cv->n = 0;
  for (int k = 0; order && n_ok > 0 && k < MAX_CURVES && (size_t)k < n_ok; k++) {
    size_t at = n_ok == 1
                    ? 0
                    : (size_t)k * (n_ok - 1) /
                          (size_t)(MAX_CURVES - 1 < (int)n_ok - 1 ? MAX_CURVES - 1 : (int)n_ok - 1);
    if (at >= n_ok) {
      break;
    }
    long id = (long)order[3 * at + 1];
    if (cv->n > 0 && cv->ids[cv->n - 1] == id) {
      continue;
    }
    cv->ids[cv->n] = id;
    cv->kept[cv->n] = (size_t)order[3 * at + 2];
    char dp[1100];
    snprintf(dp, sizeof(dp), "%s/data/fa_%d.dat", o->rdir, cv->n);
    cv->out[cv->n] = fopen(dp, "w");
    cv->n++;
  }
  free(order);
}

/* Close the f-A data files (a write failure recorded in o); returns the rows written to them. */
static long fa_close(out *o, curves *cv) {
  long total = 0;
  for (int k = 0; k < cv->n; k++) {
    if (cv->out[k]) {
      char dp[1100];
      snprintf(dp, sizeof(dp), "%s/data/fa_%d.dat", o->rdir, k);
      close_data(o, cv->out[k], dp);
      cv->out[k] = NULL;
    }
    total += cv->rows[k];
  }
  return total;
}

/* The legend of the f-A curve of kept row v (point id): the first two swept parameters' values
 * and every further text-valued one's, or the point when nothing is swept. */
static void fa_label(const rep *r, const double *v, long id, char *lab, size_t n) {
  int k = 0;
  lab[0] = '\0';
  for (int a = 0; a < r->n_swept && (size_t)k < n; a++) {
    if (a < 2 || axis_kind(r, a) == AX_TEXT) {
      char val[96];
      axis_value(r, a, v[C_SWEPT + a], val, sizeof(val));
      k += snprintf(lab + k, n - (size_t)k, "%s%.40s = %s", a ? ", " : "", r->swept[a], val);
    }
  }
  if (r->n_swept == 0) {
    snprintf(lab, n, "point %ld", id);
  }
}

/* Plot: the f-A curves of a few points, spread over the first swept parameter, streamed from
 * rate_curves.csv (optional: without it the plot is skipped with a note). */
static void plot_fa_curves(out *o, const rep *r, const char *curves_path) {
  curves cv;
  memset(&cv, 0, sizeof(cv));
  cv.amp_lo = cv.rate_lo = INFINITY;
  cv.amp_hi = cv.rate_hi = -INFINITY;
  plot *p = new_plot(o, "fa_curves", "f-A curves (rate against pulse amplitude)");
  fa_choose(o, r, &cv);
  FILE *cf = fopen(curves_path, "rb");
  if (cf) {
    fclose(cf);
  }
  if (cv.n == 0 || !cf) {
    snprintf(p->note, sizeof(p->note), "%s", !cf ? "no rate_curves.csv" : "no ok point");
    fa_close(o, &cv);
  } else {
    ucl_diag cd = {{0}};
    ucl_status cst = ucl_csv_parse_file(curves_path, cfield_cb, crow_cb, &cv, &cd);
    long total = fa_close(o, &cv);
    if (cst != UCL_OK || total == 0 || cv.c_rate < 0 || cv.c_amp < 0) {
      snprintf(p->note, sizeof(p->note), "%.250s",
               cst != UCL_OK ? cd.msg : "rate_curves.csv has no usable rows");
    } else {
      char body[8192];
      int k = snprintf(body, sizeof(body), "plot ");
      for (int c = 0; c < cv.n; c++) {
        char lab[400];
        fa_label(r, r->kept + cv.kept[c] * N_COLS, cv.ids[c], lab, sizeof(lab));
        k += snprintf(body + k, sizeof(body) - (size_t)k,
                      "%s'data/fa_%d.dat' using 1:2 with linespoints pt 7 ps 0.6 title \"%s\" "
                      "noenhanced",
                      c ? ", " : "", c, lab);
      }
      char setup[4096] = "";
      ucl_page_gp_axis(setup, sizeof(setup), "x", "pulse amplitude", "V", cv.amp_lo, cv.amp_hi, 0);
      ucl_page_gp_axis(setup, sizeof(setup), "y", "rate", "Hz", cv.rate_lo, cv.rate_hi, 0);
      size_t sl = strlen(setup);
      snprintf(setup + sl, sizeof(setup) - sl, "set key top left\n");
      gp_emit(o, p, setup, body);
    }
  }
  for (int k = 0; k < cv.n_hdr; k++) {
    free(cv.hdr[k]);
  }
  free(cv.hdr);
}

/* Plot: a network sweep's rate of each neuron against the first swept parameter
 * (r->n_rates > 0): a text-valued one as categories; one series per neuron and per combination
 * of the other text axes' values (data files rates_N.dat, or rates_N_S.dat when split). */
static void plot_neuron_rates(out *o, const rep *r) {
  const char *rdir = o->rdir;
  plot *p = new_plot(o, "neuron_rates",
                     r->n_swept > 0 ? "Firing rate of each neuron against the first swept parameter"
                                    : "Firing rate of each neuron");
  if (r->n_swept > 0 && axis_kind(r, 0) == AX_BAD) {
    axis_bad_reason(r, 0, p->note, sizeof(p->note));
    return;
  }
  int xtext = r->n_swept > 0 && axis_kind(r, 0) == AX_TEXT;
  split sp;
  split_plan(r, 0, MAX_SERIES / r->n_rates > 0 ? MAX_SERIES / r->n_rates : 1, &sp);
  int n_all = r->n_rates * sp.n; /* series in all */
  static const int pts[8] = {7, 5, 9, 11, 13, 4, 6, 8};
  char body[8192];
  int k = snprintf(body, sizeof(body), "plot ");
  long total = 0;
  int drawn = 0;
  int xlog = r->n_swept > 0 && !xtext && r->logax[0];
  double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
  for (int n = 0; n < r->n_rates; n++) {
    for (int s = 0; s < sp.n; s++) {
      char dp[1100];
      if (sp.n > 1) {
        snprintf(dp, sizeof(dp), "%s/data/rates_%d_%d.dat", rdir, n, s);
      } else {
        snprintf(dp, sizeof(dp), "%s/data/rates_%d.dat", rdir, n);
      }
      FILE *f = fopen(dp, "w");
      int j = n * sp.n + s;
      double dx = xtext && n_all > 1 ? (j - (n_all - 1) / 2.0) * 0.5 / n_all : 0.0;
      long rows = 0;
      for (size_t i = 0; f && i < r->n_kept; i++) {
        const double *v = r->kept + i * N_COLS;
        double x = r->n_swept > 0 ? v[C_SWEPT] : v[C_POINT];
        if (v[C_POINT] >= 0 && isfinite(x) && isfinite(v[C_RATES + n]) && (!xlog || x > 0) &&
            (sp.n == 1 || split_series(r, &sp, v) == s)) {
          fprintf(f, "%.9g %.9g\n", x + dx, v[C_RATES + n]);
          rows++;
          xmin = fmin(xmin, x);
          xmax = fmax(xmax, x);
          ymin = fmin(ymin, v[C_RATES + n]);
          ymax = fmax(ymax, v[C_RATES + n]);
        }
      }
      if (f) {
        close_data(o, f, dp);
      }
      total += rows;
      int nl = (int)strlen(r->rates[n]) - 8; /* the neuron's name */
      if (sp.n == 1 && !sp.merged) {
        k += snprintf(body + k, sizeof(body) - (size_t)k,
                      "%s'%s' using 1:2 with points pt 7 ps 0.7 title \"%.*s\" noenhanced",
                      n ? ", " : "", ucl_page_rel(rdir, dp), nl < 40 ? nl : 40, r->rates[n]);
      } else if (rows > 0 && (size_t)k < sizeof(body)) { /* colour: the neuron; point: the rest */
        char lab[400];
        split_label(r, &sp, s, lab, sizeof(lab));
        k += snprintf(body + k, sizeof(body) - (size_t)k,
                      "%s'%s' using 1:2 with points lc %d pt %d ps 0.7 title \"%.*s, %s\" "
                      "noenhanced",
                      drawn ? ", " : "", ucl_page_rel(rdir, dp), n + 1, pts[s % 8],
                      nl < 40 ? nl : 40, r->rates[n], lab);
        drawn++;
      }
    }
  }
  if (total == 0) {
    snprintf(p->note, sizeof(p->note), "no ok point has a finite rate");
  } else {
    char setup[4096] = "";
    axis x = {r->n_swept > 0 ? r->swept[0] : "point", r->n_swept > 0 ? r->unit[0] : "",
              xlog ? SC_LOG : SC_LIN};
    axis y = {"rate", "Hz", SC_LIN};
    axes_setup(x, y, xmin, xmax, ymin, ymax, xtext, setup, sizeof(setup));
    size_t l = strlen(setup);
    snprintf(setup + l, sizeof(setup) - l, "set key outside right\n");
    if (xtext) {
      text_xtics(r, 0, setup, sizeof(setup));
    }
    gp_emit(o, p, setup, body);
  }
}

/* Does points.csv carry no solver health: every steps, err_test_fails, nonlin_fails and restarts
 * value zero or absent (a network sweep's points.csv has none of these columns)? */
static int health_empty(const rep *r) {
  return r->sum_steps == 0.0 && r->max_steps == 0.0 && r->sum_err == 0.0 && r->sum_nl == 0.0 &&
         r->sum_restarts == 0.0;
}

/* Why the solver health is left out, into buf (health_empty). */
static void health_note(const rep *r, char *buf, size_t n) {
  snprintf(buf, n,
           "every solver-health number of points.csv (steps, err_test_fails, nonlin_fails, "
           "restarts) is zero or absent%s",
           r->n_rates > 0 ? ": a network sweep records no CVODE statistics per point" : "");
}

/* Plots: the time constants and the energy against the paper's rules of thumb (log axes), and
 * the solver health (CVODE steps per point), left out with a line when it is all zero. */
static void plot_rules_and_health(out *o, const rep *r) {
  const axis rc_s = {"", "s", SC_LOG};
  if (r->idx[C_TAU_LEAK] >= 0 && r->idx[C_R1] >= 0 && r->idx[C_R2] >= 0 && r->idx[C_C] >= 0) {
    axis x = rc_s, y = rc_s;
    x.label = "(R1+R2) C";
    y.label = "tau_leak_off";
    scatter(o, r, "tau_leak", "Leak time constant against (R1+R2)C", x, y, C_TAU_LEAK, rc_leak, -1,
            1);
  } else {
    snprintf(new_plot(o, "tau_leak", "Leak time constant against (R1+R2)C")->note, 256,
             "points.csv lacks tau_leak_off_s, R1, R2 or C");
  }
  if (r->idx[C_TAU_REF] >= 0 && r->idx[C_R3] >= 0 && r->idx[C_C] >= 0) {
    axis x = rc_s, y = rc_s;
    x.label = "R3 C";
    y.label = "tau_ref";
    scatter(o, r, "tau_ref", "Refractory (discharge) time constant against R3 C", x, y, C_TAU_REF,
            rc_ref, -1, 1);
  } else {
    snprintf(new_plot(o, "tau_ref", "Refractory time constant against R3 C")->note, 256,
             "points.csv lacks tau_ref_s, R3 or C");
  }
  if (r->idx[C_TAU_ADAPT] >= 0 && r->idx[C_R7] >= 0 && r->idx[C_C2] >= 0) {
    axis x = rc_s, y = rc_s;
    x.label = "R7 C2";
    y.label = "tau_adapt";
    scatter(o, r, "tau_adapt", "Adaptation time constant against R7 C2", x, y, C_TAU_ADAPT,
            rc_adapt, -1, 1);
  } else {
    snprintf(new_plot(o, "tau_adapt", "Adaptation time constant against R7 C2")->note, 256,
             "points.csv lacks tau_adapt_s, R7 or C2");
  }
  if (r->idx[C_ENERGY] >= 0 && r->idx[C_ENERGY_PAPER] >= 0) {
    axis x = {"C V^2/2", "J", SC_LOG}, y = {"energy per spike", "J", SC_LOG};
    scatter(o, r, "energy", "Energy per spike against the paper's C V^2/2", x, y, C_ENERGY, NULL,
            C_ENERGY_PAPER, 1);
  } else {
    snprintf(new_plot(o, "energy", "Energy per spike against C V^2/2")->note, 256,
             "points.csv lacks energy_per_spike_J or energy_paper_J");
  }
  /* solver health: CVODE steps per point */
  if (health_empty(r)) {
    health_note(r, new_plot(o, "solver_steps", "Solver health")->note, 256);
  } else if (r->idx[C_STEPS] >= 0) {
    axis x = {"point", "", SC_LIN}, y = {"CVODE steps", "", SC_AUTO};
    scatter(o, r, "solver_steps", "Solver health: CVODE steps per point", x, y, C_STEPS, NULL,
            C_POINT, 0);
  } else {
    snprintf(new_plot(o, "solver_steps", "Solver health")->note, 256, "points.csv lacks steps");
  }
}

/* ---- the conditions block ---- */

/* A parameter value of the sweep: scope ("" for a neuron sweep; "neuron.A" or "network.base" in a
 * network sweep), the parameter, and its value as text (a choice's name, a number %.17g). */
typedef struct cond {
  char *scope;
  const ucl_param_info *info;
  char *value;
} cond;

typedef struct conds {
  cond *v;
  size_t n, cap;
  int from_canonical; /* 1: DIR/spec.canonical; 0: the first row of points.csv */
} conds;

static void conds_add(conds *cs, const char *scope, size_t scope_len, const ucl_param_info *info,
                      const char *value) {
  if (cs->n == cs->cap) {
    size_t cap = cs->cap ? 2 * cs->cap : 256;
    cond *v = realloc(cs->v, cap * sizeof(cond));
    if (!v) {
      return;
    }
    cs->v = v;
    cs->cap = cap;
  }
  cond *c = &cs->v[cs->n];
  c->scope = strndup(scope, scope_len);
  c->value = strdup(value);
  c->info = info;
  if (c->scope && c->value) {
    cs->n++;
  } else {
    free(c->scope);
    free(c->value);
  }
}

static void conds_free(conds *cs) {
  for (size_t i = 0; i < cs->n; i++) {
    free(cs->v[i].scope);
    free(cs->v[i].value);
  }
  free(cs->v);
  memset(cs, 0, sizeof(*cs));
}

/* The parameter values of the sweep: from DIR/spec.canonical ("[SCOPE.]SECTION.NAME = VALUE"
 * lines, SECTION circuit, stimulus or solver; other lines ignored), else from the first row of
 * points.csv (its columns named as parameters). Best effort: what cannot be read is left out. */
static void read_conditions(const char *canonical, const rep *r, conds *cs) {
  static const char *const secs[] = {"circuit.", "stimulus.", "solver."};
  FILE *f = fopen(canonical, "r");
  if (f) {
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    cs->from_canonical = 1;
    while ((len = getline(&line, &cap, f)) > 0) {
      while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) {
        line[--len] = '\0';
      }
      char *eq = strstr(line, " = ");
      if (line[0] == '#' || !eq) {
        continue;
      }
      *eq = '\0';
      for (size_t k = 0; k < sizeof(secs) / sizeof(secs[0]); k++) {
        size_t sl = strlen(secs[k]);
        char dotted[16];
        snprintf(dotted, sizeof(dotted), ".%s", secs[k]);
        const char *at = strncmp(line, secs[k], sl) == 0 ? line : strstr(line, dotted);
        if (!at) {
          continue;
        }
        size_t scope_len = at == line ? 0 : (size_t)(at - line);
        const char *name = at + (at == line ? sl : sl + 1);
        const ucl_param_info *info = ucl_params_find(name);
        if (info) {
          conds_add(cs, line, scope_len, info, eq + 3);
        }
        break;
      }
    }
    free(line);
    fclose(f);
    return;
  }
  for (int j = 0; r->row0 && j < r->n_header; j++) {
    const ucl_param_info *info = r->hdr[j] ? ucl_params_find(r->hdr[j]) : NULL;
    if (info && r->row0[j] && r->row0[j][0]) {
      conds_add(cs, "", 0, info, r->row0[j]);
    }
  }
}

/* The value of parameter 'name' in 'scope', or NULL. */
static const char *cond_get(const conds *cs, const char *scope, const char *name) {
  for (size_t i = 0; i < cs->n; i++) {
    if (strcmp(cs->v[i].scope, scope) == 0 && strcmp(cs->v[i].info->name, name) == 0) {
      return cs->v[i].value;
    }
  }
  return NULL;
}

/* The scope whose values the page states: "" (a neuron sweep), else "network.base". */
static const char *main_scope(const conds *cs) {
  for (size_t i = 0; i < cs->n; i++) {
    if (!cs->v[i].scope[0]) {
      return "";
    }
  }
  return "network.base";
}

/* Choice 'idx' of a CHOICE parameter into buf ("" when out of range). */
static void choice_name(const ucl_param_info *info, int idx, char *buf, size_t n) {
  const char *p = info->choices;
  for (int i = 0; i < idx && p; i++) {
    p = strchr(p, '|');
    p = p ? p + 1 : NULL;
  }
  const char *end = p ? strchr(p, '|') : NULL;
  snprintf(buf, n, "%.*s", p ? (int)(end ? (size_t)(end - p) : strlen(p)) : 0, p ? p : "");
}

/* Does the value text equal the parameter's default? (Numbers to 1e-12 relative.) */
static int cond_is_default(const ucl_param_info *info, const char *value) {
  if (info->kind == UCL_PARAM_CHOICE) {
    char def[64];
    choice_name(info, (int)info->def, def, sizeof(def));
    return strcmp(value, def) == 0;
  }
  char *end = NULL;
  double v = strtod(value, &end);
  if (end == value) {
    return 0;
  }
  return fabs(v - info->def) <= 1e-12 * fmax(fabs(v), fabs(info->def));
}

/* Does the parameter apply in 'scope' (its 'applies' names the scope's neuron type, SCR form
 * or stimulus kind, or is empty)? */
static int cond_applies(const conds *cs, const char *scope, const ucl_param_info *info) {
  if (!info->applies[0]) {
    return 1;
  }
  static const char *const by[] = {"neuron", "scr.model", "kind"};
  for (size_t k = 0; k < sizeof(by) / sizeof(by[0]); k++) {
    const char *v = cond_get(cs, scope, by[k]);
    size_t vl = v ? strlen(v) : 0;
    for (const char *p = info->applies; v && vl && *p;) {
      const char *bar = strchr(p, '|');
      size_t tl = bar ? (size_t)(bar - p) : strlen(p);
      if (tl == vl && strncmp(p, v, vl) == 0) {
        return 1;
      }
      p += tl + (bar ? 1 : 0);
    }
  }
  return 0;
}

/* A value text as a reader wants it: a choice as is, a number with an engineering prefix and
 * its unit (4 digits), or %.6g when dimensionless. */
static void cond_format(const ucl_param_info *info, const char *value, char *buf, size_t n) {
  char *end = NULL;
  double v = strtod(value, &end);
  if (info->kind == UCL_PARAM_CHOICE || end == value) {
    snprintf(buf, n, "%s", value);
  } else if (!info->unit[0]) {
    snprintf(buf, n, "%.6g", v);
  } else {
    ucl_units_format_eng(v, info->unit, 4, buf, n);
  }
}

static int is_swept(const rep *r, const char *name) {
  for (int a = 0; a < r->n_swept; a++) {
    if (strcmp(r->swept[a], name) == 0) {
      return 1;
    }
  }
  return 0;
}

/* One "name value" item of the stimulus or solver line, or nothing when the parameter does not
 * apply; "(swept)" when it is swept. */
static void cond_item(FILE *h, const rep *r, const conds *cs, const char *scope, const char *name,
                      int *first) {
  const ucl_param_info *info = ucl_params_find(name);
  const char *v = cond_get(cs, scope, name);
  if (!info || !v || !cond_applies(cs, scope, info)) {
    return;
  }
  char buf[96];
  cond_format(info, v, buf, sizeof(buf));
  fprintf(h, "%s%s ", *first ? "" : ", ", name);
  ucl_page_html_escape(h, is_swept(r, name) ? "(swept)" : buf);
  *first = 0;
}

/* The conditions block: the neuron, the swept parameters with their ranges and axes, the
 * stimulus, the solver tolerances, the characterization settings and every fixed value that
 * differs from its default. */
static void write_conditions(FILE *h, const rep *r, const conds *cs) {
  const char *ms = main_scope(cs);
  fprintf(h,
          "<h2 id=\"conditions\">Conditions</h2>\n<table class=\"cond\">\n<tr><th>neuron</th><td>");
  int any = 0;
  for (size_t i = 0; i < cs->n; i++) { /* a neuron sweep's type, or each network neuron's */
    const cond *c = &cs->v[i];
    int mine = ms[0] ? strncmp(c->scope, "neuron.", 7) == 0 : c->scope[0] == '\0';
    if (strcmp(c->info->name, "neuron") == 0 && mine) {
      fprintf(h, "%s", any ? ", " : "");
      if (c->scope[0]) {
        ucl_page_html_escape(h, c->scope + 7);
        fprintf(h, ": ");
      }
      ucl_page_html_escape(h, !c->scope[0] && is_swept(r, "neuron") ? "(swept)" : c->value);
      any = 1;
    }
  }
  for (size_t i = 0; ms[0] && i < cs->n; i++) { /* a network's neurons at the base's type */
    const cond *c = &cs->v[i];
    if (strcmp(c->info->name, "neuron") == 0 && strcmp(c->scope, "network.base") == 0) {
      fprintf(h, "%s", any ? "; every other neuron: " : "every neuron: ");
      ucl_page_html_escape(h, c->value);
      any = 1;
    }
  }
  fprintf(h, "%s</td></tr>\n<tr><th>swept</th><td>", any ? "" : "not stated");
  for (int a = 0; a < r->n_swept; a++) {
    fprintf(h, "%s<code>", a ? "<br>\n" : "");
    ucl_page_html_escape(h, r->swept[a]);
    if (r->sweep_text[a]) {
      fprintf(h, " = ");
      ucl_page_html_escape(h, r->sweep_text[a]);
    }
    fprintf(h, "</code>: ");
    int kind = axis_kind(r, a);
    if (kind == AX_TEXT) {
      for (int c = 0; c < r->n_cats[a]; c++) {
        fprintf(h, "%s", c ? ", " : "");
        ucl_page_html_escape(h, r->cats[a][c]);
      }
    } else if (kind == AX_NUM && isfinite(r->sw_lo[a])) {
      char lo[64], hi[64];
      ucl_units_format_eng(r->sw_lo[a], r->unit[a], 4, lo, sizeof(lo));
      ucl_units_format_eng(r->sw_hi[a], r->unit[a], 4, hi, sizeof(hi));
      fprintf(h, "%s to %s, %s axis", lo, hi, r->logax[a] ? "log" : "linear");
    } else {
      fprintf(h, "no plottable values");
    }
  }
  if (r->n_swept == 0) {
    fprintf(h, "nothing");
  }
  fprintf(h, "</td></tr>\n<tr><th>stimulus</th><td>");
  int first = 1;
  static const char *const stim[] = {"kind", "amplitude", "width", "period", "duration"};
  for (size_t k = 0; k < sizeof(stim) / sizeof(stim[0]); k++) {
    cond_item(h, r, cs, ms, stim[k], &first);
  }
  fprintf(h, "</td></tr>\n<tr><th>solver</th><td>");
  first = 1;
  cond_item(h, r, cs, ms, "rtol", &first);
  cond_item(h, r, cs, ms, "atol", &first);
  fprintf(h, "</td></tr>\n");
  if (r->characterize) {
    fprintf(h, "<tr><th>characterize</th><td>");
    ucl_page_html_escape(h, r->characterize);
    fprintf(h, "</td></tr>\n");
  }
  fprintf(h, "<tr><th>not at their defaults</th><td>");
  first = 1;
  for (size_t i = 0; i < cs->n; i++) {
    const cond *c = &cs->v[i];
    const char *sc = strchr(c->scope, '.') ? strchr(c->scope, '.') + 1 : c->scope;
    char key[200];
    snprintf(key, sizeof(key), "%s%s%s", sc, sc[0] ? "." : "", c->info->name);
    if (is_swept(r, key) || cond_is_default(c->info, c->value) ||
        !cond_applies(cs, c->scope, c->info)) {
      continue;
    }
    char val[96], def[96], deftext[64];
    cond_format(c->info, c->value, val, sizeof(val));
    if (c->info->kind == UCL_PARAM_CHOICE) {
      choice_name(c->info, (int)c->info->def, def, sizeof(def));
    } else {
      snprintf(deftext, sizeof(deftext), "%.17g", c->info->def);
      cond_format(c->info, deftext, def, sizeof(def));
    }
    fprintf(h, "%s<code>", first ? "" : ", ");
    ucl_page_html_escape(h, key);
    fprintf(h, "</code> = ");
    ucl_page_html_escape(h, val);
    fprintf(h, " (default ");
    ucl_page_html_escape(h, def);
    fprintf(h, ")");
    first = 0;
  }
  fprintf(h, "%s</td></tr>\n</table>\n<p class=\"src\">From %s.</p>\n", first ? "none" : "",
          cs->from_canonical ? "spec.canonical and spec.ini"
                             : "the first row of points.csv (no spec.canonical)");
}

/* ---- the table of points ---- */

/* The page's table: the first rows of points.csv in a few key columns, formatted with units,
 * and links to the CSVs (relative to report/index.html). */
static void write_points_table(FILE *h, const rep *r, int have_curves) {
  static const struct {
    int col;
    const char *unit;
  } meas[] = {
      {C_THRESHOLD, "V"}, {C_RHEOBASE, "V"}, {C_TAU_LEAK, "s"}, {C_TAU_REF, "s"}, {C_ENERGY, "J"}};
  fprintf(h,
          "<h2 id=\"points\">Points</h2>\n<p>The first %d of %ld rows of <a "
          "href=\"../points.csv\">points.csv</a> (every column is there)",
          r->n_first, r->row);
  if (have_curves) {
    fprintf(h, "; the f-A curves are in <a href=\"../rate_curves.csv\">rate_curves.csv</a>");
  }
  fprintf(h, ".</p>\n<table class=\"pts\"><tr><th>point</th><th>status</th>");
  for (int a = 0; a < r->n_swept; a++) {
    fprintf(h, "<th>");
    ucl_page_html_escape(h, r->swept[a]);
    fprintf(h, "</th>");
  }
  for (size_t m = 0; m < sizeof(meas) / sizeof(meas[0]); m++) {
    if (r->idx[meas[m].col] >= 0) {
      fprintf(h, "<th>%s</th>", col_names[meas[m].col]);
    }
  }
  for (int n = 0; n < r->n_rates; n++) {
    fprintf(h, "<th>");
    ucl_page_html_escape(h, r->rates[n]);
    fprintf(h, "</th>");
  }
  fprintf(h, "</tr>\n");
  for (int i = 0; i < r->n_first; i++) {
    const double *v = r->first[i];
    char buf[128];
    fprintf(h, "<tr><td>%.0f</td><td>", v[C_POINT]);
    ucl_page_html_escape(h, r->first_status[i][0] ? r->first_status[i] : "(none)");
    fprintf(h, "</td>");
    for (int a = 0; a < r->n_swept; a++) {
      if (axis_kind(r, a) == AX_TEXT && v[C_SWEPT + a] >= 0 && v[C_SWEPT + a] < r->n_cats[a]) {
        snprintf(buf, sizeof(buf), "%s", r->cats[a][(int)v[C_SWEPT + a]]);
      } else {
        ucl_units_format_eng(v[C_SWEPT + a], r->unit[a], 4, buf, sizeof(buf));
      }
      fprintf(h, "<td>");
      ucl_page_html_escape(h, buf);
      fprintf(h, "</td>");
    }
    for (size_t m = 0; m < sizeof(meas) / sizeof(meas[0]); m++) {
      if (r->idx[meas[m].col] >= 0) {
        ucl_units_format_eng(v[meas[m].col], meas[m].unit, 4, buf, sizeof(buf));
        fprintf(h, "<td>%s</td>", buf);
      }
    }
    for (int n = 0; n < r->n_rates; n++) {
      ucl_units_format_eng(v[C_RATES + n], "Hz", 4, buf, sizeof(buf));
      fprintf(h, "<td>%s</td>", buf);
    }
    fprintf(h, "</tr>\n");
  }
  fprintf(h, "</table>\n");
}

/* Write the page (through a temporary file, renamed into place as ipath): counts, solver
 * health, every plot or the note of why it was skipped, and the manifest (man_text, may be
 * NULL). UCL_ERR_IO when it cannot be written. */
static ucl_status write_index(const out *o, const rep *r, const conds *cs, int have_curves,
                              const char *dir, const char *man_text, size_t maxp, const char *ipath,
                              ucl_diag *diag) {
  ucl_page_file pf;
  ucl_status st = ucl_page_open(&pf, ipath, diag);
  if (st != UCL_OK) {
    return st;
  }
  FILE *h = pf.f;
  ucl_page_html_head(h, "uclif report: ", dir, NULL);
  fprintf(h, "<h1>Characterization report</h1>\n<p>Sweep output <code>");
  ucl_page_html_escape(h, dir);
  fprintf(h,
          "</code>: %ld points, %ld ok. Plots show at most %zu points each (every %ld-th row); "
          "counts and the heat map use every row.</p>\n",
          r->row, r->ok, maxp, r->stride);
  ucl_page_html_loaded(h);
  write_conditions(h, r, cs);
  fprintf(h, "<h2>Status</h2>\n<table><tr><th>status</th><th>points</th></tr>\n");
  for (int s = 0; s < r->n_st; s++) {
    fprintf(h, "<tr><td>");
    ucl_page_html_escape(h, r->st[s].name[0] ? r->st[s].name : "(none)");
    fprintf(h, "</td><td>%ld</td></tr>\n", r->st[s].n);
  }
  fprintf(h, "</table>\n<h2>Solver health</h2>\n");
  if (health_empty(r)) {
    char why[256];
    health_note(r, why, sizeof(why));
    fprintf(h, "<p class=\"note\">Left out: ");
    ucl_page_html_escape(h, why);
    fprintf(h, ".</p>\n");
  } else {
    fprintf(h,
            "<table>\n"
            "<tr><td>CVODE steps per point, mean</td><td>%.6g</td></tr>\n"
            "<tr><td>CVODE steps per point, most</td><td>%.6g</td></tr>\n"
            "<tr><td>error-test failures, all points</td><td>%.6g</td></tr>\n"
            "<tr><td>Newton failures, all points</td><td>%.6g</td></tr>\n"
            "<tr><td>restarts, all points</td><td>%.6g</td></tr>\n</table>\n",
            r->row ? r->sum_steps / (double)r->row : NAN, r->max_steps, r->sum_err, r->sum_nl,
            r->sum_restarts);
  }
  fprintf(h, "<h2>Plots</h2>\n");
  for (int k = 0; k < o->n_plots; k++) {
    const plot *p = &o->plots[k];
    if (!p->note[0]) {
      ucl_page_html_figure(h, p->name, p->title, NULL);
      continue;
    }
    ucl_page_html_figure_note(h, p->name, p->title, "skipped", p->note);
  }
  write_points_table(h, r, have_curves);
  if (man_text) {
    fprintf(h, "<h2>Manifest</h2>\n<pre>");
    ucl_page_html_escape(h, man_text);
    fprintf(h, "</pre>\n");
  }
  ucl_page_html_foot(h);
  return ucl_page_commit(&pf, diag);
}

/* The columns the report reads are the output tables' (results.h): a column renamed or removed
 * there is caught here, on every report, instead of giving plots that silently go missing. */
static ucl_status check_schema(ucl_diag *diag) {
  const ucl_table *pt = ucl_results_points_table(), *ct = ucl_results_curves_table();
  for (int k = 0; k < C_SWEPT; k++) {
    if (ucl_table_find(pt, col_names[k]) < 0) {
      return ucl_diag_set(diag, UCL_ERR_INVAL, "report: points.csv has no column %s (results.c)",
                          col_names[k]);
    }
  }
  static const char *const curve_names[] = {"point", "amplitude_V", "rate_mean_Hz", "status"};
  for (size_t k = 0; k < sizeof(curve_names) / sizeof(curve_names[0]); k++) {
    if (ucl_table_find(ct, curve_names[k]) < 0) {
      return ucl_diag_set(diag, UCL_ERR_INVAL,
                          "report: rate_curves.csv has no column %s (results.c)", curve_names[k]);
    }
  }
  return UCL_OK;
}

ucl_status ucl_report_build(const char *dir, const ucl_report_opts *opts, ucl_report_summary *sum,
                            ucl_diag *diag) {
  size_t dl = strlen(dir) + 64;
  char *points = malloc(dl), *curves_path = malloc(dl), *manifest = malloc(dl), *rdir = malloc(dl);
  char *ddir = malloc(dl + 8), *spec_path = malloc(dl);
  conds cs;
  memset(&cs, 0, sizeof(cs));
  rep r;
  memset(&r, 0, sizeof(r));
  r.row = -1;
  out o;
  memset(&o, 0, sizeof(o));
  char *man_text = NULL;
  ucl_status st = UCL_OK;
  size_t maxp = opts && opts->max_plot_points ? opts->max_plot_points : 10000;
  if (!points || !curves_path || !manifest || !rdir || !ddir || !spec_path) {
    st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
    goto done;
  }
  if ((st = check_schema(diag)) != UCL_OK) {
    goto done;
  }
  if ((st = ucl_page_gp_dir_ok(dir, diag)) != UCL_OK) {
    goto done;
  }
  snprintf(points, dl, "%s/points.csv", dir);
  snprintf(curves_path, dl, "%s/rate_curves.csv", dir);
  snprintf(manifest, dl, "%s/manifest.txt", dir);
  snprintf(rdir, dl, "%s/report", dir);
  snprintf(ddir, dl + 8, "%s/report/data", dir);
  read_manifest(manifest, &r, &man_text);
  snprintf(spec_path, dl, "%s/spec.ini", dir);
  read_sweep_texts(spec_path, &r);
  st = stream_points(points, maxp, &r, diag);
  if (st != UCL_OK) {
    goto done;
  }
  snprintf(spec_path, dl, "%s/spec.canonical", dir);
  read_conditions(spec_path, &r, &cs);
  if ((mkdir(rdir, 0777) != 0 && errno != EEXIST) || (mkdir(ddir, 0777) != 0 && errno != EEXIST)) {
    st = ucl_diag_set(diag, UCL_ERR_IO, "%s: cannot create: %s", ddir, strerror(errno));
    goto done;
  }
  o.rdir = rdir;
  char gp_path[1100];
  snprintf(gp_path, sizeof(gp_path), "%s/plots.gp", rdir);
  o.gp = fopen(gp_path, "w");
  if (!o.gp) {
    st = ucl_diag_set(diag, UCL_ERR_IO, "%s: cannot write: %s", gp_path, strerror(errno));
    goto done;
  }
  /* each plot's data file and its lines in the gnuplot script, in the page's order */
  plot_status(&o, &r);
  plot_against_swept(&o, &r, C_THRESHOLD, "threshold", "Firing threshold", "threshold");
  if (r.n_swept >= 2) {
    plot_threshold_map(&o, &r);
  }
  if (r.n_rates == 0) { /* (a network sweep has no rheobase column) */
    plot_against_swept(&o, &r, C_RHEOBASE, "rheobase", "DC rheobase", "rheobase");
  }
  plot_fa_curves(&o, &r, curves_path);
  if (r.n_rates > 0) {
    plot_neuron_rates(&o, &r);
  }
  plot_rules_and_health(&o, &r);
  /* a short data file or script is an error before gnuplot draws from it */
  int drawn = 0;
  for (int k = 0; k < o.n_plots; k++) {
    drawn += o.plots[k].note[0] == '\0';
  }
  char log_path[1100];
  snprintf(log_path, sizeof(log_path), "%s/gnuplot.log", rdir);
  st = ucl_page_gp_finish(&o.gp, gp_path, rdir, o.io, &o.io_diag, drawn,
                          opts ? opts->gnuplot : NULL, log_path, diag);
  if (st != UCL_OK) {
    goto done;
  }
  char ipath[1100];
  snprintf(ipath, sizeof(ipath), "%s/index.html", rdir);
  FILE *cf = fopen(curves_path, "rb");
  if (cf) {
    fclose(cf);
  }
  st = write_index(&o, &r, &cs, cf != NULL, dir, man_text, maxp, ipath, diag);
  if (st != UCL_OK) {
    goto done;
  }
  if (sum) {
    memset(sum, 0, sizeof(*sum));
    sum->rows = r.row;
    sum->ok = r.ok;
    for (int k = 0; k < o.n_plots; k++) {
      sum->plots += o.plots[k].note[0] == '\0';
      sum->skipped += o.plots[k].note[0] != '\0';
    }
    snprintf(sum->index, sizeof(sum->index), "%.500s", ipath);
  }
done:
  if (o.gp) {
    fclose(o.gp);
  }
  for (int k = 0; k < r.n_header; k++) {
    free(r.hdr[k]);
  }
  free(r.hdr);
  for (int k = 0; k < r.n_swept; k++) {
    free(r.swept[k]);
    for (int c = 0; c < r.n_cats[k]; c++) {
      free(r.cats[k][c]);
    }
  }
  for (int k = 0; k < r.n_rates; k++) {
    free(r.rates[k]);
  }
  for (int k = 0; k < MAX_SWEPT; k++) {
    free(r.sweep_text[k]);
  }
  for (int k = 0; r.row0 && k < r.n_header; k++) {
    free(r.row0[k]);
  }
  free(r.row0);
  free(r.characterize);
  conds_free(&cs);
  free(spec_path);
  free(r.kept);
  free(r.hm.sum);
  free(r.hm.cnt);
  free(man_text);
  free(points);
  free(curves_path);
  free(manifest);
  free(rdir);
  free(ddir);
  return st;
}
