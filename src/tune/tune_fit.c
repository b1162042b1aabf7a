/* tune_fit.c — a fit's parameters.csv as tune reads it (docs/fit.md, "parameters.csv"): the
 * model parameters with their uncertainty, checked row by row, and their Monte Carlo draws
 * (docs/spec.md "Tuning", [tune] fit). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uclif/csvio.h"
#include "uclif/params.h"
#include "uclif/rng.h"
#include "uclif/tune.h"

/* The file as text: rows of fields (row 0: the header). */
typedef struct rows {
  char ***cell; /* cell[r][c], malloc'd */
  int *n_fields;
  int n, cap;
  char **cur;
  int n_cur, cap_cur;
  int nomem;
} rows;

static void on_field(void *s, size_t len, void *data) {
  rows *r = data;
  if (r->nomem) {
    return;
  }
  if (r->n_cur == r->cap_cur) {
    int cap = r->cap_cur ? 2 * r->cap_cur : 16;
    char **c = realloc(r->cur, (size_t)cap * sizeof(*c));
    if (!c) {
      r->nomem = 1;
      return;
    }
    r->cur = c;
    r->cap_cur = cap;
  }
  char *f = malloc(len + 1);
  if (!f) {
    r->nomem = 1;
    return;
  }
  memcpy(f, s, len);
  f[len] = '\0';
  r->cur[r->n_cur++] = f;
}

static void on_row(int c, void *data) {
  rows *r = data;
  (void)c;
  if (r->nomem) {
    return;
  }
  if (r->n == r->cap) {
    int cap = r->cap ? 2 * r->cap : 16;
    char ***cell = realloc(r->cell, (size_t)cap * sizeof(*cell));
    int *nf = cell ? realloc(r->n_fields, (size_t)cap * sizeof(*nf)) : NULL;
    if (cell) {
      r->cell = cell;
    }
    if (!nf) {
      r->nomem = 1;
      return;
    }
    r->n_fields = nf;
    r->cap = cap;
  }
  r->cell[r->n] = r->cur;
  r->n_fields[r->n] = r->n_cur;
  r->n++;
  r->cur = NULL;
  r->n_cur = r->cap_cur = 0;
}

static void rows_free(rows *r) {
  for (int i = 0; i < r->n; i++) {
    for (int j = 0; j < r->n_fields[i]; j++) {
      free(r->cell[i][j]);
    }
    free(r->cell[i]);
  }
  for (int j = 0; j < r->n_cur; j++) {
    free(r->cur[j]);
  }
  free(r->cur);
  free(r->cell);
  free(r->n_fields);
}

static ucl_status read_rows(const char *path, rows *r, ucl_diag *diag) {
  ucl_status st = ucl_csv_parse_file(path, on_field, on_row, r, diag);
  if (st == UCL_OK && r->nomem) {
    st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  return st;
}

static int column(const rows *r, const char *name) {
  for (int c = 0; r->n > 0 && c < r->n_fields[0]; c++) {
    if (strcmp(r->cell[0][c], name) == 0) {
      return c;
    }
  }
  return -1;
}

/* A number field: %.17g, "inf" or "-inf"; empty is NAN. 0, or -1 for text that is not one. */
static int number(const char *s, double *v) {
  if (s[0] == '\0') {
    *v = NAN;
    return 0;
  }
  char *end = NULL;
  errno = 0;
  *v = strtod(s, &end);
  return end != s && *end == '\0' && !isnan(*v) ? 0 : -1;
}

enum { C_PARAM, C_UNIT, C_SCALE, C_VALUE, C_LO, C_HI, C_SD, C_VERDICT, N_NEEDED };
static const char *const needed[N_NEEDED] = {"parameter", "unit", "scale", "value",
                                             "lo",        "hi",   "sd",    "verdict"};

/* Check one row (line 'line', fields 'cell' in the header's order) and fill *m. */
static ucl_status read_model(const char *path, int line, char **cell, const int *col,
                             ucl_tune_model *m, ucl_diag *diag) {
  const char *name = cell[col[C_PARAM]];
  const ucl_param_info *info = ucl_params_find(name);
  if (!info || info->kind != UCL_PARAM_REAL) {
    return ucl_diag_set(diag, UCL_ERR_PARSE,
                        "%s:%d: '%s' is not a real parameter of the model (`uclif params` lists "
                        "them; daq.* rows are the acquisition's parameters)",
                        path, line, name);
  }
  memset(m, 0, sizeof(*m));
  snprintf(m->name, sizeof(m->name), "%s", name);
  m->line = line;
  m->part = -1;
  if (strcmp(cell[col[C_UNIT]], info->unit) != 0) {
    return ucl_diag_set(diag, UCL_ERR_PARSE, "%s:%d: %s: unit '%s', but %s is in '%s'", path, line,
                        name, cell[col[C_UNIT]], name, info->unit);
  }
  const char *scale = cell[col[C_SCALE]];
  if (strcmp(scale, "log") != 0 && strcmp(scale, "lin") != 0) {
    return ucl_diag_set(diag, UCL_ERR_PARSE, "%s:%d: %s: scale '%s' (expected log or lin)", path,
                        line, name, scale);
  }
  m->log = scale[1] == 'o';
  double *dst[3] = {&m->value, &m->lo, &m->hi};
  const int which[3] = {C_VALUE, C_LO, C_HI};
  for (int k = 0; k < 3; k++) {
    if (number(cell[col[which[k]]], dst[k]) != 0 || !isfinite(*dst[k])) {
      return ucl_diag_set(diag, UCL_ERR_PARSE, "%s:%d: %s: %s '%s' is not a finite number", path,
                          line, name, needed[which[k]], cell[col[which[k]]]);
    }
  }
  if (number(cell[col[C_SD]], &m->sd) != 0 || isnan(m->sd)) {
    return ucl_diag_set(diag, UCL_ERR_PARSE,
                        "%s:%d: %s: sd '%s' is not a number (inf when not "
                        "identified)",
                        path, line, name, cell[col[C_SD]]);
  }
  if (m->sd < 0.0) {
    return ucl_diag_set(diag, UCL_ERR_RANGE, "%s:%d: %s: sd %g < 0", path, line, name, m->sd);
  }
  if (m->lo > m->hi) {
    return ucl_diag_set(diag, UCL_ERR_RANGE, "%s:%d: %s: lo %g > hi %g", path, line, name, m->lo,
                        m->hi);
  }
  if (m->value < m->lo || m->value > m->hi) {
    return ucl_diag_set(diag, UCL_ERR_RANGE, "%s:%d: %s: value %g outside [lo, hi] = [%g, %g]",
                        path, line, name, m->value, m->lo, m->hi);
  }
  if ((info->domain == UCL_DOMAIN_POSITIVE && !(m->lo > 0.0)) ||
      (info->domain == UCL_DOMAIN_NONNEG && !(m->lo >= 0.0))) { /* every draw must be valid */
    return ucl_diag_set(diag, UCL_ERR_RANGE, "%s:%d: %s: lo %g, but %s must be %s", path, line,
                        name, m->lo, name, info->domain == UCL_DOMAIN_POSITIVE ? "> 0" : ">= 0");
  }
  if (m->log && !(m->lo > 0.0)) {
    return ucl_diag_set(diag, UCL_ERR_RANGE, "%s:%d: %s: scale log needs lo > 0 (got %g)", path,
                        line, name, m->lo);
  }
  const char *verdict = cell[col[C_VERDICT]];
  int not_identified = strcmp(verdict, "not identified") == 0;
  if (!not_identified && strcmp(verdict, "pinned") != 0 && strcmp(verdict, "partly") != 0) {
    return ucl_diag_set(diag, UCL_ERR_PARSE,
                        "%s:%d: %s: verdict '%s' (expected pinned, partly or not identified)", path,
                        line, name, verdict);
  }
  m->identified = !not_identified && isfinite(m->sd);
  return UCL_OK;
}

/* The lower Cholesky factor of the n×n symmetric matrix a (into l); -1 at the first column whose
 * pivot is not > 0 (the matrix is not positive definite), else 0. */
static int cholesky(int n, const double a[][UCL_TUNE_MAX_MODEL], double l[][UCL_TUNE_MAX_MODEL]) {
  memset(l, 0, (size_t)UCL_TUNE_MAX_MODEL * sizeof(l[0]));
  for (int j = 0; j < n; j++) {
    double d = a[j][j];
    for (int k = 0; k < j; k++) {
      d -= l[j][k] * l[j][k];
    }
    if (!(d > 1e-12)) {
      return j;
    }
    l[j][j] = sqrt(d);
    for (int i = j + 1; i < n; i++) {
      double s = a[i][j];
      for (int k = 0; k < j; k++) {
        s -= l[i][k] * l[j][k];
      }
      l[i][j] = s / l[j][j];
    }
  }
  return -1;
}

/* The correlations of the identified parameters (row row_of[i] of the file holds parameter i)
 * into corr; the others get identity rows and columns. */
static ucl_status read_corr(const char *path, const rows *r, const int *row_of,
                            const ucl_tune_fit *f, double corr[][UCL_TUNE_MAX_MODEL],
                            ucl_diag *diag) {
  for (int i = 0; i < f->n; i++) {
    for (int j = 0; j < f->n; j++) {
      corr[i][j] = i == j ? 1.0 : 0.0;
    }
  }
  for (int i = 0; i < f->n; i++) {
    const ucl_tune_model *mi = &f->p[i];
    for (int j = 0; j < f->n && mi->identified; j++) {
      const ucl_tune_model *mj = &f->p[j];
      if (!mj->identified) {
        continue;
      }
      char name[64];
      snprintf(name, sizeof(name), "corr.%s", mj->name);
      int c = column(r, name);
      if (c < 0) {
        return ucl_diag_set(diag, UCL_ERR_PARSE, "%s:1: missing column %s", path, name);
      }
      const char *s = r->cell[row_of[i]][c];
      double v;
      if (number(s, &v) != 0 || isnan(v)) {
        return ucl_diag_set(diag, UCL_ERR_PARSE,
                            "%s:%d: %s: %s '%s' is not a number (both are identified)", path,
                            mi->line, mi->name, name, s);
      }
      if (!(v >= -1.0 && v <= 1.0)) {
        return ucl_diag_set(diag, UCL_ERR_RANGE, "%s:%d: %s: %s = %g is not in [-1, 1]", path,
                            mi->line, mi->name, name, v);
      }
      if (i == j && fabs(v - 1.0) > 1e-9) {
        return ucl_diag_set(diag, UCL_ERR_RANGE, "%s:%d: %s: %s = %g on the diagonal (expected 1)",
                            path, mi->line, mi->name, name, v);
      }
      if (j < i && fabs(v - corr[j][i]) > 1e-9) {
        return ucl_diag_set(diag, UCL_ERR_RANGE,
                            "%s:%d: %s: %s = %.17g, but line %d's corr.%s = %.17g: the "
                            "correlations are not symmetric",
                            path, mi->line, mi->name, name, v, mj->line, mi->name, corr[j][i]);
      }
      corr[i][j] = i == j ? 1.0 : v;
    }
  }
  return UCL_OK;
}

ucl_status ucl_tune_fit_read(const char *path, ucl_tune_fit *out, ucl_diag *diag) {
  rows r;
  memset(&r, 0, sizeof(r));
  ucl_tune_fit *f = calloc(1, sizeof(*f));
  if (!f) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  snprintf(f->path, sizeof(f->path), "%s", path);
  int row_of[UCL_TUNE_MAX_MODEL];
  int col[N_NEEDED];
  ucl_status st = read_rows(path, &r, diag);
  if (st == UCL_OK && r.n == 0) {
    st = ucl_diag_set(diag, UCL_ERR_PARSE, "%s:1: empty file (expected the header %s,...)", path,
                      "parameter,unit,scale,value,lo,hi,sd,ci95_lo,ci95_hi,verdict,pin_with");
  }
  for (int k = 0; st == UCL_OK && k < N_NEEDED; k++) {
    col[k] = column(&r, needed[k]);
    if (col[k] < 0) {
      st = ucl_diag_set(diag, UCL_ERR_PARSE, "%s:1: missing column %s", path, needed[k]);
    }
  }
  for (int i = 1; st == UCL_OK && i < r.n; i++) {
    if (r.n_fields[i] == 1 && r.cell[i][0][0] == '\0') {
      continue; /* a blank line */
    }
    if (r.n_fields[i] != r.n_fields[0]) {
      st = ucl_diag_set(diag, UCL_ERR_PARSE, "%s:%d: %d fields, the header has %d", path, i + 1,
                        r.n_fields[i], r.n_fields[0]);
      break;
    }
    const char *name = r.cell[i][col[C_PARAM]];
    if (strncmp(name, "daq.", 4) == 0) {
      continue; /* the acquisition's nuisance parameters: not the circuit's */
    }
    for (int k = 0; k < f->n; k++) {
      if (strcmp(f->p[k].name, name) == 0) {
        st = ucl_diag_set(diag, UCL_ERR_PARSE, "%s:%d: %s again (line %d has it)", path, i + 1,
                          name, f->p[k].line);
      }
    }
    if (st == UCL_OK && f->n == UCL_TUNE_MAX_MODEL) {
      st = ucl_diag_set(diag, UCL_ERR_RANGE, "%s:%d: more than %d model parameters", path, i + 1,
                        UCL_TUNE_MAX_MODEL);
    }
    if (st == UCL_OK) {
      st = read_model(path, i + 1, r.cell[i], col, &f->p[f->n], diag);
    }
    if (st == UCL_OK) {
      row_of[f->n++] = i;
    }
  }
  double corr[UCL_TUNE_MAX_MODEL][UCL_TUNE_MAX_MODEL];
  if (st == UCL_OK) {
    st = read_corr(path, &r, row_of, f, corr, diag);
  }
  if (st == UCL_OK) {
    int bad = cholesky(f->n, corr, f->chol);
    if (bad >= 0) {
      st = ucl_diag_set(diag, UCL_ERR_RANGE,
                        "%s: the correlation matrix of the identified parameters is not positive "
                        "definite (at %s, line %d: a parameter fully correlated with others)",
                        path, f->p[bad].name, f->p[bad].line);
    }
  }
  rows_free(&r);
  if (st == UCL_OK) {
    *out = *f;
  }
  free(f);
  return st;
}

void ucl_tune_fit_draw(const ucl_tune_fit *f, uint64_t seed, long k, double *values) {
  double z[UCL_TUNE_MAX_MODEL];
  const uint64_t a = (uint64_t)k;
  for (int i = 0; i < f->n; i++) { /* one standard normal per parameter: streams s, s + 1 */
    z[i] = ucl_rng_normal(seed, a, UCL_TUNE_FIT_STREAM + 2 * (uint64_t)i);
  }
  for (int i = 0; i < f->n; i++) {
    const ucl_tune_model *m = &f->p[i];
    double x;
    if (m->identified) { /* Σ = D·R·D, so x = μ + D·(L z) with R = L·Lᵀ */
      double y = 0.0;
      for (int j = 0; j <= i; j++) {
        y += f->chol[i][j] * z[j];
      }
      x = (m->log ? log(m->value) : m->value) + m->sd * y;
      x = m->log ? exp(x) : x;
    } else { /* the data did not narrow it: anywhere in its bounds */
      double u = ucl_rng_uniform(seed, a, UCL_TUNE_FIT_STREAM + 2 * (uint64_t)i);
      x = m->log ? exp(log(m->lo) + u * (log(m->hi) - log(m->lo))) : m->lo + u * (m->hi - m->lo);
    }
    values[i] = fmin(m->hi, fmax(m->lo, x));
  }
}
