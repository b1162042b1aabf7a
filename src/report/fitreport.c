/* fitreport.c — the HTML page of a fit (fitreport.h): read the fit's small CSVs whole, write one
 * data file per recording and channel, one gnuplot script (plotpage.h), run it, write fit.html
 * (docs/outputs.md, "The fit page"). */
#include "uclif/fitreport.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plotpage.h"
#include "uclif/csvio.h"

/* ---- a CSV file read whole: every field as text ---- */

typedef struct tab {
  char path[1100];
  char **f; /* every field, row after row (owned) */
  size_t n_f, cap_f;
  size_t *row0; /* index in f of each row's first field; row 0 is the header */
  size_t n_rows, cap_rows;
  size_t begin; /* first field of the row being read */
  int nomem;
} tab;

static void tab_field(void *s, size_t len, void *data) {
  tab *t = data;
  if (t->nomem) {
    return;
  }
  if (t->n_f == t->cap_f) {
    size_t cap = t->cap_f ? 2 * t->cap_f : 256;
    char **f = realloc(t->f, cap * sizeof(char *));
    if (!f) {
      t->nomem = 1;
      return;
    }
    t->f = f;
    t->cap_f = cap;
  }
  char *v = strndup(s ? (const char *)s : "", len);
  if (!v) {
    t->nomem = 1;
    return;
  }
  t->f[t->n_f++] = v;
}

static void tab_row(int c, void *data) {
  tab *t = data;
  (void)c;
  if (t->nomem) {
    return;
  }
  if (t->n_rows == t->cap_rows) {
    size_t cap = t->cap_rows ? 2 * t->cap_rows : 64;
    size_t *r = realloc(t->row0, cap * sizeof(size_t));
    if (!r) {
      t->nomem = 1;
      return;
    }
    t->row0 = r;
    t->cap_rows = cap;
  }
  t->row0[t->n_rows++] = t->begin;
  t->begin = t->n_f;
}

static void tab_free(tab *t) {
  for (size_t i = 0; i < t->n_f; i++) {
    free(t->f[i]);
  }
  free(t->f);
  free(t->row0);
  memset(t, 0, sizeof(*t));
}

static size_t tab_fields(const tab *t, size_t r) {
  return (r + 1 < t->n_rows ? t->row0[r + 1] : t->n_f) - t->row0[r];
}

/* Field c of row r (row 0 the header); "" when the row is shorter. */
static const char *tab_get(const tab *t, size_t r, int c) {
  return c >= 0 && (size_t)c < tab_fields(t, r) ? t->f[t->row0[r] + (size_t)c] : "";
}

/* The column named 'name' in the header, or -1. */
static int tab_col(const tab *t, const char *name) {
  for (size_t c = 0; t->n_rows > 0 && c < tab_fields(t, 0); c++) {
    if (strcmp(tab_get(t, 0, (int)c), name) == 0) {
      return (int)c;
    }
  }
  return -1;
}

/* Read dir/name into t and find its columns: cols[i] = the index of names[i] (n of them).
 * Every data row must have the header's number of fields. Errors as ucl_fitreport_write's. */
static ucl_status tab_read(tab *t, const char *dir, const char *name, const char *const *names,
                           int *cols, int n, ucl_diag *diag) {
  memset(t, 0, sizeof(*t));
  snprintf(t->path, sizeof(t->path), "%s/%s", dir, name);
  ucl_status st = ucl_csv_parse_file(t->path, tab_field, tab_row, t, diag);
  if (st != UCL_OK) {
    return st;
  }
  if (t->nomem) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  if (t->n_rows == 0) {
    return ucl_diag_set(diag, UCL_ERR_PARSE, "%s: empty (no header)", t->path);
  }
  for (int i = 0; i < n; i++) {
    cols[i] = tab_col(t, names[i]);
    if (cols[i] < 0) {
      return ucl_diag_set(diag, UCL_ERR_PARSE, "%s: no column '%s' (not written by `uclif fit`?)",
                          t->path, names[i]);
    }
  }
  for (size_t r = 1; r < t->n_rows; r++) {
    if (tab_fields(t, r) != tab_fields(t, 0)) {
      return ucl_diag_set(diag, UCL_ERR_PARSE, "%s:%zu: %zu fields, the header has %zu", t->path,
                          r + 1, tab_fields(t, r), tab_fields(t, 0));
    }
  }
  return UCL_OK;
}

/* The number in field c of row r: an empty field is NAN (the fit's missing value), "inf" an
 * infinity. UCL_ERR_PARSE "PATH:LINE: column 'X': 'text' is not a number". */
static ucl_status tab_num(const tab *t, size_t r, int c, double *out, ucl_diag *diag) {
  const char *s = tab_get(t, r, c);
  if (!*s) {
    *out = NAN;
    return UCL_OK;
  }
  char *end = NULL;
  errno = 0;
  double v = strtod(s, &end);
  if (end == s || *end != '\0') {
    return ucl_diag_set(diag, UCL_ERR_PARSE, "%s:%zu: column '%s': '%.60s' is not a number",
                        t->path, r + 1, tab_get(t, 0, c), s);
  }
  *out = v;
  return UCL_OK;
}

/* ---- numbers as engineers read them ---- */

/* v with an engineering prefix and its unit ("68.2 kΩ", "1.25 µA", "5.1 V"; 4 significant
 * digits) into buf; a dimensionless value (unit "") as %.4g; "inf", "-inf", "–" (NAN). */
static void eng(double v, const char *unit, char *buf, size_t n) { /* dimensionless: %.5g */
  static const char *const pre[] = {"f", "p", "n", "\xc2\xb5", "m", "", "k", "M", "G", "T"};
  const char *u = strcmp(unit, "Ohm") == 0 ? "\xce\xa9" : unit; /* Ω */
  if (isnan(v)) {
    snprintf(buf, n, "\xe2\x80\x93"); /* – */
    return;
  }
  if (isinf(v)) {
    snprintf(buf, n, "%sinf%s%s", v < 0 ? "-" : "", *u ? " " : "", u);
    return;
  }
  if (!*u) { /* a gain: close to 1, its digits matter */
    snprintf(buf, n, "%.5g", v);
    return;
  }
  if (v == 0.0) {
    snprintf(buf, n, "0 %s", u);
    return;
  }
  int e3 = (int)floor(log10(fabs(v)) / 3.0);
  double m = v / pow(10.0, 3.0 * e3);
  if (fabs(m) >= 999.95) { /* rounds to 1000: the next prefix */
    e3++;
    m /= 1000.0;
  }
  if (e3 < -5 || e3 > 4) {
    snprintf(buf, n, "%.4g %s", v, u);
    return;
  }
  snprintf(buf, n, "%.4g %s%s", m, pre[e3 + 5], u);
}

/* ---- the recordings' plots ---- */

typedef struct group {
  const char *rec, *ch; /* overlay.csv's recording and channel (borrowed from the table) */
  size_t first, end;    /* its rows [first, end) */
  double t0, t1;        /* ms */
  double y0, y1;        /* V, measured and fitted */
  double rms, max_abs;  /* V, of the residual */
  long n_res;
  int spikes_m, spikes_f; /* spike times of its recording in spikes.csv */
} group;

typedef struct fitpage {
  const char *dir;
  char pdir[1100]; /* DIR/fit_page: script, data, log */
  FILE *gp;
  ucl_status io; /* the first failed data file */
  ucl_diag io_diag;
  tab par, cmp, ov, spk;
  int pc[11];  /* parameters.csv's columns, par_cols order */
  int cc[11];  /* comparison.csv's, cmp_cols order */
  int oc[6];   /* overlay.csv's, ov_cols order */
  int sc[3];   /* spikes.csv's, spk_cols order */
  double *ovv; /* overlay's numbers: 4 per data row (t_s, measured, fitted, residual) */
  group *g;
  int n_g;
  char *fit_txt; /* DIR/fit.txt or NULL */
  char spec[256];
} fitpage;

static const char *const par_cols[11] = {"parameter", "unit",    "scale",   "value",
                                         "lo",        "hi",      "sd",      "ci95_lo",
                                         "ci95_hi",   "verdict", "pin_with"};
enum { P_NAME, P_UNIT, P_SCALE, P_VALUE, P_LO, P_HI, P_SD, P_CLO, P_CHI, P_VERDICT, P_PIN };
static const char *const cmp_cols[11] = {"variant",   "overrides",     "k",        "n",
                                         "chi2",      "aic",           "bic",      "delta_aic",
                                         "delta_bic", "akaike_weight", "preferred"};
enum { M_VARIANT, M_OVERRIDES, M_K, M_N, M_CHI2, M_AIC, M_BIC, M_DAIC, M_DBIC, M_W, M_PREF };
static const char *const ov_cols[6] = {"recording",  "channel",  "t_s",
                                       "measured_V", "fitted_V", "residual_V"};
static const char *const spk_cols[3] = {"recording", "source", "t_s"};

/* Split overlay.csv into its recording × channel groups (consecutive rows alike) and read its
 * numbers into fp->ovv. A header alone is no group: a fit to measured features only. */
static ucl_status overlay_groups(fitpage *fp, ucl_diag *diag) {
  const tab *t = &fp->ov;
  if (t->n_rows < 2) {
    return UCL_OK;
  }
  fp->ovv = malloc(4 * t->n_rows * sizeof(double));
  fp->g = calloc(t->n_rows, sizeof(group));
  if (!fp->ovv || !fp->g) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  group *g = NULL;
  for (size_t r = 1; r < t->n_rows; r++) {
    double *v = fp->ovv + 4 * r;
    for (int k = 0; k < 4; k++) {
      ucl_status st = tab_num(t, r, fp->oc[2 + k], &v[k], diag);
      if (st != UCL_OK) {
        return st;
      }
    }
    const char *rec = tab_get(t, r, fp->oc[0]), *ch = tab_get(t, r, fp->oc[1]);
    if (!g || strcmp(g->rec, rec) != 0 || strcmp(g->ch, ch) != 0) {
      g = &fp->g[fp->n_g++];
      g->rec = rec;
      g->ch = ch;
      g->first = r;
      g->t0 = g->y0 = INFINITY;
      g->t1 = g->y1 = -INFINITY;
    }
    g->end = r + 1;
    g->t0 = fmin(g->t0, 1e3 * v[0]);
    g->t1 = fmax(g->t1, 1e3 * v[0]);
    for (int k = 1; k < 3; k++) {
      if (isfinite(v[k])) {
        g->y0 = fmin(g->y0, v[k]);
        g->y1 = fmax(g->y1, v[k]);
      }
    }
    if (isfinite(v[3])) {
      g->rms += v[3] * v[3];
      g->max_abs = fmax(g->max_abs, fabs(v[3]));
      g->n_res++;
    }
  }
  for (int k = 0; k < fp->n_g; k++) {
    g = &fp->g[k];
    g->rms = g->n_res ? sqrt(g->rms / (double)g->n_res) : NAN;
    if (!(g->y1 >= g->y0)) { /* no finite value: an arbitrary range */
      g->y0 = 0.0;
      g->y1 = 1.0;
    }
    if (!(g->t1 > g->t0)) {
      g->t1 = g->t0 + 1.0;
    }
  }
  return UCL_OK;
}

/* Write the spike times (ms) of group g's recording from 'source' into a data file; returns
 * their count (0: no file kept in the plot). */
static int spike_file(fitpage *fp, int k, const char *source, char *path, size_t n) {
  snprintf(path, n, "%s/spikes_%d_%s.dat", fp->pdir, k + 1, source);
  FILE *f = fopen(path, "w");
  if (!f) {
    if (fp->io == UCL_OK) {
      fp->io =
          ucl_diag_set(&fp->io_diag, UCL_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    }
    return 0;
  }
  int count = 0;
  for (size_t r = 1; r < fp->spk.n_rows; r++) {
    double t;
    if (strcmp(tab_get(&fp->spk, r, fp->sc[0]), fp->g[k].rec) == 0 &&
        strcmp(tab_get(&fp->spk, r, fp->sc[1]), source) == 0 &&
        tab_num(&fp->spk, r, fp->sc[2], &t, NULL) == UCL_OK && isfinite(t)) {
      fprintf(f, "%.9g\n", 1e3 * t);
      count++;
    }
  }
  ucl_page_close_data(f, path, &fp->io, &fp->io_diag);
  return count;
}

/* Group k's data file and its two plots (overlay with spike ticks, residual) in the script. */
static void plot_group(fitpage *fp, int k) {
  group *g = &fp->g[k];
  char path[1200], pm[1200], pf[1200];
  snprintf(path, sizeof(path), "%s/overlay_%d.dat", fp->pdir, k + 1);
  FILE *f = fopen(path, "w");
  if (!f) {
    if (fp->io == UCL_OK) {
      fp->io =
          ucl_diag_set(&fp->io_diag, UCL_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    }
    return;
  }
  fprintf(f, "# t_ms measured_V fitted_V residual_V\n");
  for (size_t r = g->first; r < g->end; r++) {
    const double *v = fp->ovv + 4 * r;
    fprintf(f, "%.9g %.9g %.9g %.9g\n", 1e3 * v[0], v[1], v[2], v[3]);
  }
  ucl_page_close_data(f, path, &fp->io, &fp->io_diag);
  g->spikes_m = spike_file(fp, k, "measured", pm, sizeof(pm));
  g->spikes_f = spike_file(fp, k, "fitted", pf, sizeof(pf));

  char rec[160], ch[96], label[96], title[400], name[64], setup[1024], body[4096];
  ucl_page_gp_str(rec, sizeof(rec), g->rec);
  ucl_page_gp_str(ch, sizeof(ch), g->ch);
  size_t cl = strlen(ch);
  snprintf(label, sizeof(label), "%.*s",
           (int)(cl > 2 && strcmp(ch + cl - 2, "_V") == 0 ? cl - 2 : cl), ch);
  double span = g->y1 - g->y0 > 0.0 ? g->y1 - g->y0 : 1.0;
  /* the traces below, two rows of ticks above: fitted spikes, then measured ones */
  snprintf(setup, sizeof(setup),
           "set xlabel 'time (ms)'\nset ylabel \"%s (V)\" noenhanced\nset xrange [%.9g:%.9g]\n"
           "set yrange [%.9g:%.9g]\nset lmargin 12\nset rmargin 4\n"
           "set key outside top center horizontal noenhanced",
           label, g->t0, g->t1, g->y0 - 0.05 * span, g->y1 + 0.3 * span);
  int n = snprintf(body, sizeof(body),
                   "plot '%s' using 1:2 with lines lw 1.5 lc rgb '#7f7f7f' title 'measured', "
                   "'%s' using 1:3 with lines lw 1.5 lc rgb '#d62728' title 'fitted'",
                   path, path);
  if (g->spikes_m > 0) {
    n += snprintf(body + n, sizeof(body) - (size_t)n,
                  ", '%s' using 1:(%.9g):(0):(%.9g) with vectors nohead lw 2 lc rgb '#333333' "
                  "title 'measured spike times'",
                  pm, g->y1 + 0.18 * span, 0.1 * span);
  }
  if (g->spikes_f > 0 && (size_t)n < sizeof(body)) {
    snprintf(body + n, sizeof(body) - (size_t)n,
             ", '%s' using 1:(%.9g):(0):(%.9g) with vectors nohead lw 2 lc rgb '#d62728' "
             "title 'fitted spike times'",
             pf, g->y1 + 0.05 * span, 0.1 * span);
  }
  snprintf(title, sizeof(title), "%s: %s, measured and fitted", rec, ch);
  snprintf(name, sizeof(name), "fit_overlay_%d", k + 1);
  ucl_page_gp_emit(fp->gp, fp->dir, name, title, setup, body, 760, 420);

  /* about four tics over the residual's range, at 1, 2 or 5 times a power of ten */
  double step = 0.0;
  if (g->max_abs > 0.0 && isfinite(g->max_abs)) {
    double x = g->max_abs / 2.0, p = pow(10.0, floor(log10(x)));
    step = p * (x / p <= 1.0 ? 1.0 : x / p <= 2.0 ? 2.0 : x / p <= 5.0 ? 5.0 : 10.0);
  }
  n = snprintf(setup, sizeof(setup),
               "set xlabel 'time (ms)'\nset ylabel 'residual (V)'\nset xrange [%.9g:%.9g]\n"
               "set lmargin 12\nset rmargin 4\nset key off",
               g->t0, g->t1);
  if (step > 0.0 && (size_t)n < sizeof(setup)) {
    snprintf(setup + n, sizeof(setup) - (size_t)n, "\nset ytics %.3g", step);
  }
  snprintf(body, sizeof(body),
           "plot '%s' using 1:4 with lines lw 1 lc rgb '#1f77b4' notitle, 0 with lines lc rgb "
           "'#888888' dt 2 notitle",
           path);
  snprintf(title, sizeof(title), "%s: %s, residual (measured - fitted)", rec, ch);
  snprintf(name, sizeof(name), "fit_residual_%d", k + 1);
  ucl_page_gp_emit(fp->gp, fp->dir, name, title, setup, body, 760, 240);
}

/* ---- the page ---- */

static void td(FILE *h, const char *s) {
  fprintf(h, "<td>");
  ucl_page_html_escape(h, s);
  fprintf(h, "</td>");
}

/* A number cell: 'digits' after the point when 'fixed', else significant (%g); "–" for NAN. */
static void td_num(FILE *h, double v, int fixed, int digits) {
  char b[64];
  if (isnan(v)) {
    snprintf(b, sizeof(b), "\xe2\x80\x93");
  } else {
    snprintf(b, sizeof(b), fixed ? "%.*f" : "%.*g", digits, v);
  }
  td(h, b);
}

/* The parameter table and the correlation matrix. */
static ucl_status page_parameters(FILE *h, const fitpage *fp, ucl_diag *diag) {
  const tab *t = &fp->par;
  fprintf(h, "<h2 id=\"parameters\">Fitted parameters</h2>\n<p>The preferred variant's free "
             "parameters: the fitted value, its 95 %% interval (clipped to the search bounds; a "
             "parameter not identified shows the bounds), the standard deviation in the fit's "
             "scale (of ln(value) for a log-scale parameter), the verdict and the protocol that "
             "would pin it. <code>daq.*</code> are the acquisition's parameters (channel gains, "
             "input delay).</p>\n"
             "<table><tr><th>parameter</th><th>value</th><th>95 %% interval</th><th>sd "
             "(scale)</th><th>search bounds</th><th>verdict</th><th>would be pinned by</th>"
             "</tr>\n");
  for (size_t r = 1; r < t->n_rows; r++) {
    double v[6]; /* value, lo, hi, sd, ci95_lo, ci95_hi */
    static const int num[6] = {P_VALUE, P_LO, P_HI, P_SD, P_CLO, P_CHI};
    for (int k = 0; k < 6; k++) {
      ucl_status st = tab_num(t, r, fp->pc[num[k]], &v[k], diag);
      if (st != UCL_OK) {
        return st;
      }
    }
    const char *unit = tab_get(t, r, fp->pc[P_UNIT]), *scale = tab_get(t, r, fp->pc[P_SCALE]);
    const char *verdict = tab_get(t, r, fp->pc[P_VERDICT]);
    char a[96], b[96], cell[256];
    int log_scale = strcmp(scale, "log") == 0;
    fprintf(h, "<tr class=\"%s\">",
            strcmp(verdict, "pinned") == 0   ? "pinned"
            : strcmp(verdict, "partly") == 0 ? "partly"
                                             : "notid");
    fprintf(h, "<td><code>");
    ucl_page_html_escape(h, tab_get(t, r, fp->pc[P_NAME]));
    fprintf(h, "</code></td>");
    eng(v[0], unit, a, sizeof(a));
    td(h, a);
    eng(v[4], unit, a, sizeof(a));
    eng(v[5], unit, b, sizeof(b));
    snprintf(cell, sizeof(cell), "%s to %s", a, b);
    td(h, cell);
    if (log_scale || isinf(v[3]) || isnan(v[3])) {
      snprintf(cell, sizeof(cell), "%.3g (%s)", v[3], log_scale ? "ln" : scale);
    } else {
      eng(v[3], unit, a, sizeof(a));
      snprintf(cell, sizeof(cell), "%s (%s)", a, scale);
    }
    td(h, cell);
    eng(v[1], unit, a, sizeof(a));
    eng(v[2], unit, b, sizeof(b));
    snprintf(cell, sizeof(cell), "%s to %s", a, b);
    td(h, cell);
    td(h, verdict);
    td(h, tab_get(t, r, fp->pc[P_PIN]));
    fprintf(h, "</tr>\n");
  }
  fprintf(h, "</table>\n<h3 id=\"correlations\">Correlations</h3>\n<p>Between the fitted "
             "parameters, in the fit's scale; |r| &ge; 0.9 highlighted (the data pin a "
             "combination, not each); empty where either parameter is not identified.</p>\n"
             "<table class=\"corr\"><tr><th></th>");
  for (size_t r = 1; r < t->n_rows; r++) {
    fprintf(h, "<th><code>");
    ucl_page_html_escape(h, tab_get(t, r, fp->pc[P_NAME]));
    fprintf(h, "</code></th>");
  }
  fprintf(h, "</tr>\n");
  for (size_t r = 1; r < t->n_rows; r++) {
    fprintf(h, "<tr><th><code>");
    ucl_page_html_escape(h, tab_get(t, r, fp->pc[P_NAME]));
    fprintf(h, "</code></th>");
    for (size_t c = 1; c < t->n_rows; c++) {
      char col[300];
      snprintf(col, sizeof(col), "corr.%.280s", tab_get(t, c, fp->pc[P_NAME]));
      int j = tab_col(t, col);
      double x = NAN;
      if (j >= 0) {
        ucl_status st = tab_num(t, r, j, &x, diag);
        if (st != UCL_OK) {
          return st;
        }
      }
      fprintf(h, "<td%s>", r != c && fabs(x) >= 0.9 ? " class=\"hi\"" : "");
      if (isnan(x)) {
        fprintf(h, "\xe2\x80\x93</td>");
      } else {
        fprintf(h, "%.2f</td>", x);
      }
    }
    fprintf(h, "</tr>\n");
  }
  fprintf(h, "</table>\n");
  return UCL_OK;
}

/* The model comparison table, the preferred row marked. */
static ucl_status page_comparison(FILE *h, const fitpage *fp, ucl_diag *diag) {
  const tab *t = &fp->cmp;
  fprintf(h, "<h2 id=\"comparison\">Model comparison</h2>\n<p>One row per model variant fitted "
             "to the same data: k free parameters (with the gains), n residuals, "
             "&chi;&sup2; at the optimum, AIC = &chi;&sup2; + 2k, BIC = &chi;&sup2; + k ln n, "
             "their differences from the smallest, and the Akaike weight. The preferred "
             "variant (smallest AIC) is marked &#9733; and is the one the rest of this page "
             "shows.</p>\n<table><tr><th>variant</th><th>settings</th><th>k</th><th>n</th>"
             "<th>&chi;&sup2;</th><th>AIC</th><th>BIC</th><th>&Delta;AIC</th><th>&Delta;BIC</th>"
             "<th>Akaike weight</th><th>preferred</th></tr>\n");
  for (size_t r = 1; r < t->n_rows; r++) {
    double v[M_PREF + 1];
    for (int k = M_K; k <= M_PREF; k++) {
      ucl_status st = tab_num(t, r, fp->cc[k], &v[k], diag);
      if (st != UCL_OK) {
        return st;
      }
    }
    int pref = v[M_PREF] == 1.0;
    fprintf(h, "<tr%s><td><b>", pref ? " class=\"preferred\"" : "");
    ucl_page_html_escape(h, tab_get(t, r, fp->cc[M_VARIANT]));
    fprintf(h, "</b></td>");
    td(h, tab_get(t, r, fp->cc[M_OVERRIDES]));
    td_num(h, v[M_K], 1, 0);
    td_num(h, v[M_N], 1, 0);
    for (int k = M_CHI2; k <= M_DBIC; k++) {
      td_num(h, v[k], 0, 6);
    }
    td_num(h, v[M_W], 1, 3);
    fprintf(h, "<td>%s</td></tr>\n", pref ? "&#9733; preferred" : "");
  }
  fprintf(h, "</table>\n");
  return UCL_OK;
}

/* The title, the conditions, then every section. */
static ucl_status page_write(const fitpage *fp, const char *ipath, ucl_diag *diag) {
  ucl_page_file pf;
  ucl_status st = ucl_page_open(&pf, ipath, diag);
  if (st != UCL_OK) {
    return st;
  }
  FILE *h = pf.f;
  const char *what = fp->spec[0] ? fp->spec : fp->dir;
  ucl_page_html_head(h, "uclif fit: ", what,
                     "tr.preferred td{background:#fff3c4}td.hi{background:#fde0dc}"
                     "tr.notid td{color:#a33}tr.partly td{color:#8a6d00}");
  fprintf(h, "<h1>Fit of ");
  ucl_page_html_escape(h, what);
  fprintf(h, "</h1>\n<h2 id=\"conditions\">Conditions</h2>\n<table>\n");
  if (fp->spec[0]) {
    fprintf(h, "<tr><th>spec</th><td><code>");
    ucl_page_html_escape(h, fp->spec);
    fprintf(h, "</code></td></tr>\n");
  }
  fprintf(h, "<tr><th>fit output</th><td><code>");
  ucl_page_html_escape(h, fp->dir);
  fprintf(h, "</code></td></tr>\n");
  for (size_t r = 1; r < fp->cmp.n_rows; r++) {
    if (strcmp(tab_get(&fp->cmp, r, fp->cc[M_PREF]), "1") == 0) {
      fprintf(h, "<tr><th>preferred variant</th><td><b>");
      ucl_page_html_escape(h, tab_get(&fp->cmp, r, fp->cc[M_VARIANT]));
      fprintf(h, "</b> (");
      ucl_page_html_escape(h, tab_get(&fp->cmp, r, fp->cc[M_OVERRIDES]));
      fprintf(h, "), %s free parameters, %s residuals</td></tr>\n",
              tab_get(&fp->cmp, r, fp->cc[M_K]), tab_get(&fp->cmp, r, fp->cc[M_N]));
    }
  }
  fprintf(h, "<tr><th>free parameters</th><td>%zu</td></tr>\n", fp->par.n_rows - 1);
  for (int k = 0; k < fp->n_g; k++) {
    const group *g = &fp->g[k];
    fprintf(h, "<tr><th>recording <code>");
    ucl_page_html_escape(h, g->rec);
    fprintf(h, "</code></th><td><a href=\"#fit_overlay_%d\"><code>", k + 1);
    ucl_page_html_escape(h, g->ch);
    fprintf(h,
            "</code></a>: %zu samples shown, %.6g ms to %.6g ms; %d measured and %d fitted "
            "spikes</td></tr>\n",
            g->end - g->first, g->t0, g->t1, g->spikes_m, g->spikes_f);
  }
  fprintf(h, "</table>\n");
  ucl_page_html_loaded(h);
  if ((st = page_parameters(h, fp, diag)) != UCL_OK ||
      (st = page_comparison(h, fp, diag)) != UCL_OK) {
    ucl_page_abort(&pf);
    return st;
  }
  fprintf(h, "<h2 id=\"waveforms\">Measured against fitted</h2>\n<p>Per recording and channel "
             "(the preferred variant): the measured and fitted waveforms, with their spike "
             "times as tick marks above them, and beneath, the residual (measured &minus; "
             "fitted) on the same time axis.</p>\n");
  if (fp->n_g == 0) {
    fprintf(h, "<p>No recording in this fit: it was fitted to measured features only (their "
               "values and residuals are in fit.txt below).</p>\n");
  }
  for (int k = 0; k < fp->n_g; k++) {
    const group *g = &fp->g[k];
    char name[64], title[400], cap[800], a[64], b[64];
    fprintf(h, "<h3>");
    ucl_page_html_escape(h, g->rec);
    fprintf(h, ": ");
    ucl_page_html_escape(h, g->ch);
    fprintf(h, "</h3>\n");
    snprintf(name, sizeof(name), "fit_overlay_%d", k + 1);
    snprintf(title, sizeof(title), "%.150s: %.60s, measured and fitted", g->rec, g->ch);
    int k0 = snprintf(cap, sizeof(cap),
                      "Measured (grey) and fitted (red) %.60s of recording %.150s, in V against "
                      "time in ms. ",
                      g->ch, g->rec);
    if (g->spikes_m + g->spikes_f > 0) {
      snprintf(cap + k0, sizeof(cap) - (size_t)k0,
               "Tick marks above the traces: the %d measured spike times (upper row, dark) and "
               "the %d fitted ones (lower row, red).",
               g->spikes_m, g->spikes_f);
    } else {
      snprintf(cap + k0, sizeof(cap) - (size_t)k0,
               "No spike, measured or fitted, in this recording.");
    }
    ucl_page_html_figure(h, name, title, cap);
    snprintf(name, sizeof(name), "fit_residual_%d", k + 1);
    snprintf(title, sizeof(title), "%.150s: %.60s, residual", g->rec, g->ch);
    eng(g->rms, "V", a, sizeof(a));
    eng(g->max_abs, "V", b, sizeof(b));
    snprintf(cap, sizeof(cap),
             "Residual, measured minus fitted %.60s, in V against time in ms: RMS %s, largest "
             "|residual| %s over %ld samples.",
             g->ch, a, b, g->n_res);
    ucl_page_html_figure(h, name, title, cap);
  }
  if (fp->fit_txt) {
    fprintf(h, "<h2 id=\"summary\">fit.txt</h2>\n<pre>");
    ucl_page_html_escape(h, fp->fit_txt);
    fprintf(h, "</pre>\n");
  }
  ucl_page_html_foot(h);
  return ucl_page_commit(&pf, diag);
}

/* DIR/fit.txt into fp->fit_txt (optional: absent or unreadable is no error) and its spec line
 * ("spec: NAME" or "spec = NAME") into fp->spec. */
static void read_fit_txt(fitpage *fp) {
  char path[1100];
  snprintf(path, sizeof(path), "%s/fit.txt", fp->dir);
  FILE *f = fopen(path, "rb");
  if (!f) {
    return;
  }
  size_t len = 0;
  char line[4096];
  while (fgets(line, sizeof(line), f)) {
    size_t l = strlen(line);
    char *nt = realloc(fp->fit_txt, len + l + 1);
    if (!nt) {
      break;
    }
    fp->fit_txt = nt;
    memcpy(nt + len, line, l + 1);
    len += l;
    const char *s = line + strspn(line, " \t");
    if (!fp->spec[0] && strncmp(s, "spec", 4) == 0) {
      s += 4;
      s += strspn(s, " \t");
      if (*s == ':' || *s == '=') {
        s++;
        s += strspn(s, " \t");
        snprintf(fp->spec, sizeof(fp->spec), "%.*s", (int)strcspn(s, "\r\n"), s);
      }
    }
  }
  fclose(f);
}

int ucl_fitreport_detect(const char *dir) {
  char p[1100];
  snprintf(p, sizeof(p), "%s/points.csv", dir);
  if (access(p, F_OK) == 0) {
    return 0;
  }
  snprintf(p, sizeof(p), "%s/parameters.csv", dir);
  int par = access(p, R_OK) == 0;
  snprintf(p, sizeof(p), "%s/overlay.csv", dir);
  return par || access(p, R_OK) == 0;
}

ucl_status ucl_fitreport_write(const char *dir, ucl_diag *diag) {
  fitpage fp;
  memset(&fp, 0, sizeof(fp));
  fp.dir = dir;
  ucl_status st;
  char gp_path[1200], log_path[1200], ipath[1100];
  if ((st = ucl_page_gp_dir_ok(dir, diag)) != UCL_OK) {
    return st;
  }
  if (strlen(dir) > 900) {
    return ucl_diag_set(diag, UCL_ERR_INVAL, "%.60s...: directory name too long", dir);
  }
  if ((st = tab_read(&fp.par, dir, "parameters.csv", par_cols, fp.pc, 11, diag)) != UCL_OK ||
      (st = tab_read(&fp.cmp, dir, "comparison.csv", cmp_cols, fp.cc, 11, diag)) != UCL_OK ||
      (st = tab_read(&fp.ov, dir, "overlay.csv", ov_cols, fp.oc, 6, diag)) != UCL_OK ||
      (st = tab_read(&fp.spk, dir, "spikes.csv", spk_cols, fp.sc, 3, diag)) != UCL_OK ||
      (st = overlay_groups(&fp, diag)) != UCL_OK) {
    goto cleanup;
  }
  for (size_t r = 1; r < fp.spk.n_rows; r++) { /* spike times are checked before anything */
    double t;
    if ((st = tab_num(&fp.spk, r, fp.sc[2], &t, diag)) != UCL_OK) {
      goto cleanup;
    }
  }
  read_fit_txt(&fp);
  snprintf(fp.pdir, sizeof(fp.pdir), "%s/fit_page", dir);
  if (mkdir(fp.pdir, 0777) != 0 && errno != EEXIST) {
    st = ucl_diag_set(diag, UCL_ERR_IO, "%s: cannot create: %s", fp.pdir, strerror(errno));
    goto cleanup;
  }
  snprintf(gp_path, sizeof(gp_path), "%s/plots.gp", fp.pdir);
  fp.gp = fopen(gp_path, "w");
  if (!fp.gp) {
    st = ucl_diag_set(diag, UCL_ERR_IO, "%s: cannot write: %s", gp_path, strerror(errno));
    goto cleanup;
  }
  for (int k = 0; k < fp.n_g; k++) {
    plot_group(&fp, k);
  }
  ucl_page_close_data(fp.gp, gp_path, &fp.io, &fp.io_diag);
  fp.gp = NULL;
  if (fp.io != UCL_OK) {
    st = ucl_diag_set(diag, fp.io, "%s", fp.io_diag.msg);
    goto cleanup;
  }
  snprintf(log_path, sizeof(log_path), "%s/gnuplot.log", fp.pdir);
  if ((st = ucl_page_gnuplot_run("gnuplot", gp_path, NULL, log_path, diag)) != UCL_OK) {
    goto cleanup;
  }
  snprintf(ipath, sizeof(ipath), "%s/fit.html", dir);
  st = page_write(&fp, ipath, diag);
cleanup:
  if (fp.gp) {
    fclose(fp.gp);
  }
  tab_free(&fp.par);
  tab_free(&fp.cmp);
  tab_free(&fp.ov);
  tab_free(&fp.spk);
  free(fp.ovv);
  free(fp.g);
  free(fp.fit_txt);
  return st;
}
