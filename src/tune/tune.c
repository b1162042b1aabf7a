/* tune.c — tuning specs, the evaluation of a design against its targets, E-series neighbours
 * and Monte Carlo draws (docs/spec.md "Tuning"). */
#include "uclif/tune.h"

#include <ctype.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "uclif/eseries.h"
#include "uclif/ini.h"
#include "uclif/montecarlo.h"
#include "uclif/protocols.h"
#include "uclif/results.h"
#include "uclif/spec.h"
#include "uclif/rng.h"
#include "uclif/sweep.h"
#include "uclif/units.h"

/* The components that get tolerances: the neuron's resistors and capacitors. */
static const char *const components[] = {"R1", "R2", "R3", "R4", "R5", "R6", "R7", "C", "C2"};
#define N_COMPONENTS 9

struct ucl_tune {
  ucl_params base;
  ucl_char_config chr;
  ucl_tune_target targets[UCL_TUNE_MAX_TARGETS];
  int n_targets;
  ucl_tune_part parts[UCL_TUNE_MAX_PARTS];
  int n_parts, n_free;
  double tol_resistors; /* [tolerance] resistors (0.01 by default): R_in's line in bom.csv */
  long draws;
  uint64_t seed;
  ucl_mc mc; /* the parts' sampler (montecarlo.h): part k of parts[] is its part k, nominal 1 */
  long col[UCL_TUNE_MAX_TARGETS]; /* points.csv column of each target */
  ucl_tune_fit *fit;              /* [tune] fit: the model parameters drawn, or NULL (owned) */
  ucl_column draw_cols[3 + UCL_TUNE_MAX_TARGETS + UCL_TUNE_MAX_PARTS + UCL_TUNE_MAX_MODEL];
  ucl_table draws_table; /* draws.csv: over draw_cols */
};

int ucl_tune_n_targets(const ucl_tune *t) {
  return t->n_targets;
}
const ucl_tune_target *ucl_tune_target_at(const ucl_tune *t, int k) {
  return &t->targets[k];
}
int ucl_tune_n_parts(const ucl_tune *t) {
  return t->n_parts;
}
const ucl_tune_part *ucl_tune_part_at(const ucl_tune *t, int k) {
  return &t->parts[k];
}
int ucl_tune_n_free(const ucl_tune *t) {
  return t->n_free;
}
long ucl_tune_draws(const ucl_tune *t) {
  return t->draws;
}
uint64_t ucl_tune_seed(const ucl_tune *t) {
  return t->seed;
}
int ucl_tune_search(const ucl_tune *t) {
  return t->n_free > 0;
}
const char *ucl_tune_distribution(const ucl_tune *t) {
  return ucl_mc_dist_name(t->mc.dist);
}
const ucl_mc *ucl_tune_mc(const ucl_tune *t) {
  return &t->mc;
}
const ucl_tune_fit *ucl_tune_fit_of(const ucl_tune *t) {
  return t->fit;
}
int ucl_tune_n_drawn(const ucl_tune *t) {
  return t->n_parts + (t->fit ? t->fit->n : 0);
}

void ucl_tune_destroy(ucl_tune **t) {
  if (t && *t) {
    ucl_char_config_free(&(*t)->chr);
    free((*t)->fit);
    free(*t);
    *t = NULL;
  }
}

static int is_type2_only(const char *name) {
  return strcmp(name, "R7") == 0 || strcmp(name, "C2") == 0;
}

/* The points.csv column called 'name' if it is a numeric feature (measured by a procedure, with
 * a number: not the point, status, reason, a parameter or a search status), else -1. */
static long feature_column(const char *name) {
  const ucl_table *pt = ucl_results_points_table();
  long col = ucl_table_find(pt, name);
  if (col < 0) {
    return -1;
  }
  const ucl_column *c = &pt->cols[col];
  int numeric = c->kind == UCL_COL_REAL || c->kind == UCL_COL_INT || c->kind == UCL_COL_LONG ||
                (c->kind == UCL_COL_CELL && c->number);
  return c->procedure[0] && numeric ? col : -1;
}

long ucl_tune_feature_column(const char *name) {
  return feature_column(name);
}

/* "4.0 +- 2%", "5m +- 0.1m", ">= 2k", "<= 1u". */
static ucl_status parse_target(const char *text, ucl_tune_target *tg, ucl_diag *diag) {
  while (*text == ' ') {
    text++;
  }
  if (strncmp(text, ">=", 2) == 0 || strncmp(text, "<=", 2) == 0) {
    tg->kind = text[0] == '>' ? UCL_TARGET_AT_LEAST : UCL_TARGET_AT_MOST;
    tg->tol = 0.0;
    return ucl_units_parse(text + 2, NULL, &tg->value, diag);
  }
  const char *pm = strstr(text, "+-");
  if (!pm) {
    return ucl_diag_set(diag, UCL_ERR_PARSE,
                        "expected 'VALUE +- TOL', 'VALUE +- TOL%%', '>= VALUE' or '<= VALUE' "
                        "(got '%s')",
                        text);
  }
  char v[128];
  snprintf(v, sizeof(v), "%.*s", (int)(pm - text), text);
  ucl_status st = ucl_units_parse(v, NULL, &tg->value, diag);
  if (st != UCL_OK) {
    return st;
  }
  char tol[128];
  snprintf(tol, sizeof(tol), "%s", pm + 2);
  size_t tl = strlen(tol);
  while (tl > 0 && tol[tl - 1] == ' ') {
    tol[--tl] = '\0';
  }
  int percent = tl > 0 && tol[tl - 1] == '%';
  if (percent) {
    tol[tl - 1] = '\0';
  }
  double t;
  st = ucl_units_parse(tol, NULL, &t, diag);
  if (st != UCL_OK) {
    return st;
  }
  tg->kind = UCL_TARGET_WITHIN;
  tg->tol = percent ? fabs(tg->value) * t / 100.0 : t;
  if (!(tg->tol > 0.0)) {
    return ucl_diag_set(diag, UCL_ERR_RANGE, "the tolerance must be > 0 (got %s)", pm + 2);
  }
  return UCL_OK;
}

ucl_status ucl_tune_parse_target(const char *text, ucl_tune_target *tg, ucl_diag *diag) {
  return parse_target(text, tg, diag);
}

static ucl_status parse_percent(const char *text, double *out, ucl_diag *diag) {
  char b[64];
  snprintf(b, sizeof(b), "%s", text);
  size_t l = strlen(b);
  while (l > 0 && b[l - 1] == ' ') {
    b[--l] = '\0';
  }
  if (l == 0 || b[l - 1] != '%') {
    return ucl_diag_set(diag, UCL_ERR_PARSE, "expected a percentage such as 1%% (got '%s')", text);
  }
  b[l - 1] = '\0';
  double v;
  ucl_status st = ucl_units_parse(b, NULL, &v, diag);
  if (st == UCL_OK && !(v >= 0.0 && v < 100.0)) {
    st = ucl_diag_set(diag, UCL_ERR_RANGE, "a tolerance from 0%% to below 100%% (got %s)", text);
  }
  if (st == UCL_OK) {
    *out = v / 100.0;
  }
  return st;
}

static int part_index(const ucl_tune *t, const char *name) {
  for (int k = 0; k < t->n_parts; k++) {
    if (strcmp(t->parts[k].name, name) == 0) {
      return k;
    }
  }
  return -1;
}

/* The [characterize] key of 'procedure' (a points.csv column's) when the spec switches it
 * off, else NULL (threshold, rate_curve and "all" always run). */
const char *ucl_tune_procedure_off(const ucl_char_opts *o, const char *procedure) {
  const struct {
    const char *name;
    int sw;
  } keys[] = {{"tau_leak", o->tau_leak},
              {"tau_ref", o->tau_ref},
              {"rheobase", o->rheobase},
              {"energy", o->energy},
              {"adaptation", o->adaptation},
              {"curve_tracer", o->curve_tracer == UCL_ON ? UCL_ON : UCL_OFF}}; /* auto: off */
  if (strcmp(procedure, "tempco") == 0) { /* off unless a dT is given */
    return o->tempco_dT > 0.0 ? NULL : "tempco";
  }
  for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
    if (strcmp(procedure, keys[k].name) == 0) {
      return keys[k].sw == UCL_OFF ? keys[k].name : NULL;
    }
  }
  return NULL;
}

/* ---- bom.csv and draws.csv (docs/outputs.md) ---- */

/* A borrowed string at the column's offset (the bom's const char * fields). */
static ucl_status text_ptr_cell(ucl_csv_writer *w, const void *part, const ucl_column *c) {
  const char *s;
  memcpy(&s, (const char *)part + c->offset, sizeof(s));
  return ucl_csv_text(w, s);
}

#define BOM_TEXT(name, field, meaning)                                                             \
  {                                                                                                \
    name, "", UCL_COL_CELL, 0, offsetof(ucl_tune_bom_row, field), NULL, text_ptr_cell, NULL, NULL, \
        "", meaning                                                                                \
  }

static const ucl_column bom_cols[] = {
    BOM_TEXT("designator", designator,
             "the part: its parameter (R1, C, ..., R_in), or D, D2, SCR, T1, T2, T3, Mott"),
    UCL_FIELD(TEXT, "nominal", "", 0, ucl_tune_bom_row, nominal, "",
              "its value as a buyer reads it, in the RKM code of IEC 60062 (`68k`, `4k7`, `18n`, "
              "`2R2`: ucl_tune_rkm); empty for a semiconductor"),
    BOM_TEXT("part_number", part_number,
             "the semiconductor's part number (`1N4148`, `CR02AM`, `IRLML6246`, `ZVP3310A`); empty "
             "for a resistor or capacitor"),
    UCL_FIELD(
        REAL, "value", "", 0, ucl_tune_bom_row, value, "",
        "its exact value in SI units (`unit`): the snapped value of a tuned part; empty for a "
        "semiconductor"),
    BOM_TEXT("unit", unit, "`Ohm` or `F`; empty for a semiconductor"),
    UCL_FIELD(TEXT, "series", "", 0, ucl_tune_bom_row, series, "",
              "E-series of a tuned part (`E24`, ...); empty for any other part"),
    UCL_FIELD(REAL, "tolerance_pct", "%", 0, ucl_tune_bom_row, tolerance_pct, "",
              "its tolerance ([tolerance]; R_in: the resistors'); empty for a semiconductor"),
    BOM_TEXT("role", role,
             "`tuned`, `fixed` (both drawn in the Monte Carlo analysis) or `not drawn` (R_in and "
             "the semiconductors: bought as listed, not varied in draws.csv)"),
    BOM_TEXT("description", description,
             "the parameter's description (`uclif params`), or what the semiconductor does"),
};

static const ucl_table bom_table = {"bom.csv", bom_cols, sizeof(bom_cols) / sizeof(bom_cols[0])};

const ucl_table *ucl_tune_bom_table(void) {
  return &bom_table;
}

void ucl_tune_bom_row_of(const ucl_tune *t, int k, double value, ucl_tune_bom_row *row) {
  const ucl_tune_part *p = &t->parts[k];
  const ucl_param_info *info = ucl_params_find(p->name);
  row->designator = p->name;
  ucl_tune_rkm(value, info ? info->unit : "", row->nominal, sizeof(row->nominal));
  row->part_number = "";
  row->value = value;
  row->unit = info ? info->unit : "";
  row->series[0] = '\0';
  if (p->free) {
    snprintf(row->series, sizeof(row->series), "E%d", p->series);
  }
  row->tolerance_pct = 100.0 * p->tol;
  row->role = p->free ? "tuned" : "fixed";
  row->description = info ? info->desc : "";
}

void ucl_tune_rkm(double value, const char *unit, char *buf, size_t size) {
  /* multipliers by powers of 1000 from pico to tera; index 4 (10^0) takes the unit's letter */
  static const char letters[] = "pnum?kMGT";
  if (!(value > 0.0) || !isfinite(value)) {
    snprintf(buf, size, "%.4g", value);
    return;
  }
  int e3 = (int)floor(log10(value) / 3.0);
  char m[32];
  for (int pass = 0; pass < 2; pass++) {
    snprintf(m, sizeof(m), "%.4g", value / pow(10.0, 3.0 * e3));
    if (strtod(m, NULL) < 1000.0) {
      break;
    }
    e3++; /* 999.96 rounded to 1000: the next multiplier */
  }
  if (e3 < -4 || e3 > 4) {
    snprintf(buf, size, "%.4g", value);
    return;
  }
  char letter = letters[e3 + 4];
  if (letter == '?') {
    letter = strcmp(unit, "F") == 0 ? 'F' : 'R';
  }
  /* the letter stands where the decimal point would: 4.7 -> 4k7, 18 -> 18n, 0.47 -> never (the
   * mantissa is at least 1) */
  const char *dot = strchr(m, '.');
  if (dot) {
    snprintf(buf, size, "%.*s%c%s", (int)(dot - m), m, letter, dot + 1);
  } else {
    snprintf(buf, size, "%s%c", m, letter);
  }
}

/* The semiconductors and R_in: on the board, not in the tolerance analysis. Part numbers as in
 * the key table's descriptions (src/model/params.c). */
typedef struct other_part {
  const char *designator, *part_number, *description;
  int when; /* OTHER_* */
} other_part;

enum { OTHER_ALWAYS, OTHER_SCR, OTHER_MOTT, OTHER_TYPE2, OTHER_PEAK_LOOP };

static const other_part other_parts[] = {
    {"R_in", "", "", OTHER_ALWAYS},
    {"D", "1N4148", "input diode (D.* keys)", OTHER_ALWAYS},
    {"SCR", "CR02AM", "sensitive-gate thyristor of the soma (scr.* keys)", OTHER_SCR},
    {"Mott", "",
     "Mott threshold switch in place of SCR, R1 and R2 (mott.* keys): no catalogue part",
     OTHER_MOTT},
    {"T1", "IRLML6246", "n-MOSFET of the axon, gate on the cathode (T1.* keys)", OTHER_ALWAYS},
    {"T2", "ZVP3310A", "p-MOSFET of the axon, drives the output (T2.* keys)", OTHER_ALWAYS},
    {"T3", "IRLML6246", "n-MOSFET of the adaptation loop, gate on C2 (T3.* keys)", OTHER_TYPE2},
    {"D2", "1N4148", "feedback diode of the adaptation loop (D2.* keys)", OTHER_PEAK_LOOP},
};

static int other_present(const ucl_tune *t, const other_part *o) {
  const ucl_circuit_params *c = &t->base.circuit;
  switch (o->when) {
  case OTHER_SCR:
    return c->neuron != UCL_NEURON_MOTT;
  case OTHER_MOTT:
    return c->neuron == UCL_NEURON_MOTT;
  case OTHER_TYPE2:
    return c->neuron == UCL_NEURON_TYPE2;
  case OTHER_PEAK_LOOP:
    return c->neuron == UCL_NEURON_TYPE2 && c->loop == UCL_LOOP_PEAK;
  default:
    return 1;
  }
}

int ucl_tune_bom_n_other(const ucl_tune *t) {
  int n = 0;
  for (size_t i = 0; i < sizeof(other_parts) / sizeof(other_parts[0]); i++) {
    n += other_present(t, &other_parts[i]);
  }
  return n;
}

void ucl_tune_bom_other_row(const ucl_tune *t, int k, ucl_tune_bom_row *row) {
  const other_part *o = NULL;
  for (size_t i = 0; i < sizeof(other_parts) / sizeof(other_parts[0]); i++) {
    if (other_present(t, &other_parts[i]) && k-- == 0) {
      o = &other_parts[i];
      break;
    }
  }
  memset(row, 0, sizeof(*row));
  row->designator = o ? o->designator : "";
  row->part_number = o ? o->part_number : "";
  row->role = "not drawn";
  row->unit = "";
  row->value = NAN;
  row->tolerance_pct = NAN;
  row->description = o ? o->description : "";
  if (o && strcmp(o->designator, "R_in") == 0) {
    const ucl_param_info *info = ucl_params_find("R_in");
    row->value = t->base.circuit.R_in;
    row->unit = info->unit;
    row->tolerance_pct = 100.0 * t->tol_resistors;
    row->description = info->desc;
    ucl_tune_rkm(row->value, row->unit, row->nominal, sizeof(row->nominal));
  }
}

static const ucl_column draw_head_cols[] = {
    {"draw", "", UCL_COL_LONG, UCL_DRAW_PART_ID, 0, NULL, NULL, NULL, NULL, "",
     "the draw's index (its parts' values come from the generator keyed by seed, draw, part)"},
    UCL_FIELD(INT, "met", "", UCL_DRAW_PART_EVAL, ucl_tune_eval, met, "",
              "1 when the draw meets every target, else 0"),
    UCL_FIELD(REAL, "cost", "", UCL_DRAW_PART_EVAL, ucl_tune_eval, cost, "",
              "sum of the squared target misses (0 when every target is met inside)"),
};

/* draws.csv: the fixed columns, then a column per target (the feature in ucl_tune_eval.f) and
 * per part (the drawn values). */
static void build_draws_table(ucl_tune *t) {
  const ucl_table *pt = ucl_results_points_table();
  size_t n = 0;
  for (size_t i = 0; i < sizeof(draw_head_cols) / sizeof(draw_head_cols[0]); i++) {
    t->draw_cols[n++] = draw_head_cols[i];
  }
  for (int k = 0; k < t->n_targets; k++) {
    const ucl_column *f = &pt->cols[t->col[k]];
    t->draw_cols[n++] =
        (ucl_column){.name = t->targets[k].name,
                     .unit = f->unit,
                     .kind = UCL_COL_REAL,
                     .part = UCL_DRAW_PART_EVAL,
                     .offset = offsetof(ucl_tune_eval, f) + (size_t)k * sizeof(double),
                     .procedure = f->procedure,
                     .meaning = "the feature in this draw (empty when not measured)"};
  }
  for (int k = 0; k < t->n_parts; k++) {
    const ucl_param_info *info = ucl_params_find(t->parts[k].name);
    t->draw_cols[n++] = (ucl_column){.name = t->parts[k].name,
                                     .unit = info ? info->unit : "",
                                     .kind = UCL_COL_REAL,
                                     .part = UCL_DRAW_PART_VALUES,
                                     .offset = (size_t)k * sizeof(double),
                                     .procedure = "",
                                     .meaning = "the part's drawn value"};
  }
  for (int k = 0; t->fit && k < t->fit->n; k++) {
    const ucl_tune_model *m = &t->fit->p[k];
    if (m->part >= 0) {
      continue; /* a fitted part: its column holds both draws */
    }
    t->draw_cols[n++] = (ucl_column){.name = m->name,
                                     .unit = ucl_params_find(m->name)->unit,
                                     .kind = UCL_COL_REAL,
                                     .part = UCL_DRAW_PART_VALUES,
                                     .offset = (size_t)(t->n_parts + k) * sizeof(double),
                                     .procedure = "",
                                     .meaning = "the model parameter's drawn value ([tune] fit)"};
  }
  t->draws_table = (ucl_table){"draws.csv", t->draw_cols, n};
}

const ucl_table *ucl_tune_draws_table(const ucl_tune *t) {
  return &t->draws_table;
}

/* [tune] fit = VALUE of the spec at 'spec': VALUE relative to the spec's folder (unless
 * absolute); a folder means its parameters.csv. */
static ucl_status fit_file(const char *spec, const char *value, char *out, size_t size,
                           ucl_diag *diag) {
  const char *slash = strrchr(spec, '/');
  int n;
  if (value[0] == '\0') {
    return ucl_diag_set(diag, UCL_ERR_PARSE,
                        "expected a fit's output folder or its parameters.csv");
  }
  if (value[0] == '/' || !slash) {
    n = snprintf(out, size, "%s", value);
  } else {
    n = snprintf(out, size, "%.*s/%s", (int)(slash - spec), spec, value);
  }
  struct stat sb;
  if (n >= 0 && (size_t)n < size && stat(out, &sb) == 0 && S_ISDIR(sb.st_mode)) {
    n = snprintf(out + n, size - (size_t)n, "/parameters.csv") + n;
  }
  if (n < 0 || (size_t)n >= size) {
    return ucl_diag_set(diag, UCL_ERR_INVAL, "the path is too long");
  }
  return UCL_OK;
}

/* The line of [free] KEY in the spec, or 0. */
static int free_line(const ucl_ini *ini, const char *key) {
  for (size_t i = 0; i < ucl_ini_count(ini); i++) {
    const ucl_ini_entry *e = ucl_ini_entry_at(ini, i);
    if (strcmp(e->section, "free") == 0 && strcmp(e->key, key) == 0) {
      return e->line;
    }
  }
  return 0;
}

/* Read the fit's parameters.csv (fit_path, from the spec's line 'line'), refuse a fitted key that
 * is free or set by --set, and take the fitted values as the base configuration's. */
static ucl_status apply_fit(ucl_tune *t, const char *spec, int line, const char *fit_path,
                            const ucl_ini *ini, const char *const *sets, int n_sets,
                            ucl_diag *diag) {
  t->fit = malloc(sizeof(*t->fit));
  if (!t->fit) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  ucl_status st = ucl_tune_fit_read(fit_path, t->fit, diag);
  if (st == UCL_ERR_INPUT) { /* a file that is not there: the spec's line names it */
    ucl_diag_prefix(diag, "%s:%d: [tune] fit: ", spec, line);
  }
  for (int k = 0; st == UCL_OK && k < t->fit->n; k++) {
    ucl_tune_model *m = &t->fit->p[k];
    int j = part_index(t, m->name);
    if (j >= 0 && t->parts[j].free) {
      return ucl_diag_set(diag, UCL_ERR_INVAL,
                          "%s:%d: %s is fitted (%s:%d) and free ([free] at %s:%d): the fit "
                          "measured it, the tuning would choose it; drop one",
                          spec, line, m->name, fit_path, m->line, spec, free_line(ini, m->name));
    }
    for (int i = 0; i < n_sets; i++) {
      size_t len = strcspn(sets[i], "=");
      if (strlen(m->name) == len && strncmp(sets[i], m->name, len) == 0) {
        return ucl_diag_set(diag, UCL_ERR_INVAL,
                            "--set %s: %s is fitted (%s:%d), set by [tune] fit", sets[i], m->name,
                            fit_path, m->line);
      }
    }
    m->part = j;
    st = ucl_params_set_value(&t->base, m->name, m->value, diag);
    if (st != UCL_OK) {
      ucl_diag_prefix(diag, "%s:%d: ", fit_path, m->line);
    }
  }
  return st;
}

ucl_status ucl_tune_load(const char *path, ucl_tune **out, ucl_diag *diag) {
  return ucl_tune_load_sets(path, NULL, 0, out, diag);
}
/* Copy into out (cap bytes) the field at s: up to cap - 1 characters before the next ',' or the
 * end (at least one); the rest of s, or NULL when the field is empty. */
static const char *take_field(const char *s, char *out, size_t cap) {
  size_t n = strcspn(s, ",");
  if (n == 0) {
    return NULL;
  }
  if (n > cap - 1) {
    n = cap - 1;
  }
  memcpy(out, s, n);
  out[n] = '\0';
  return s + n;
}

static const char *skip_space(const char *s) {
  while (isspace((unsigned char)*s)) {
    s++;
  }
  return s;
}

/* Split a [free] value "LO, HI, eN" into lo and hi (63 characters at most, up to the comma: the
 * unit parser reads them) and the series number se (15 non-blank characters at most, after one
 * or more 'e' or 'E'; anything after it is ignored). 0, or -1 when the value has not that form. */
static int split_free(const char *s, char lo[64], char hi[64], char se[16]) {
  s = take_field(skip_space(s), lo, 64);
  if (!s || *(s = skip_space(s)) != ',') {
    return -1;
  }
  s = take_field(skip_space(s + 1), hi, 64);
  if (!s || *(s = skip_space(s)) != ',') {
    return -1;
  }
  s = skip_space(s + 1);
  if (*s != 'e' && *s != 'E') {
    return -1;
  }
  while (*s == 'e' || *s == 'E') {
    s++;
  }
  s = skip_space(s);
  size_t n = 0;
  while (n < 15 && s[n] != '\0' && !isspace((unsigned char)s[n])) {
    se[n] = s[n];
    n++;
  }
  se[n] = '\0';
  return n > 0 ? 0 : -1;
}

ucl_status ucl_tune_load_sets(const char *path, const char *const *sets, int n_sets, ucl_tune **out,
                              ucl_diag *diag) {
  ucl_ini *ini = NULL;
  ucl_status st = ucl_ini_read(path, &ini, diag);
  if (st != UCL_OK) {
    return st;
  }
  ucl_tune *t = calloc(1, sizeof(*t));
  if (!t) {
    ucl_ini_destroy(&ini);
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  t->draws = UCL_TUNE_MIN_DRAWS;
  t->seed = 1;
  st = ucl_spec_apply_ini(path, ini, sets, n_sets, &t->base, diag);
  if (st == UCL_OK) {
    st = ucl_spec_char_from_ini(path, ini, &t->chr, diag);
  }
  /* parts: the neuron's components; tolerances default to 1 % (R) and 10 % (C) */
  int type2 = t->base.circuit.neuron == UCL_NEURON_TYPE2;
  for (int k = 0; st == UCL_OK && k < N_COMPONENTS; k++) {
    if (is_type2_only(components[k]) && !type2) {
      continue;
    }
    ucl_tune_part *p = &t->parts[t->n_parts++];
    snprintf(p->name, sizeof(p->name), "%s", components[k]);
    p->tol = components[k][0] == 'R' ? 0.01 : 0.10;
  }
  double tol_r = -1.0, tol_c = -1.0, lot_r = 0.0, lot_c = 0.0, sigmas = UCL_MC_SIGMAS_DEFAULT;
  ucl_mc_dist dist = UCL_MC_UNIFORM;
  int sigmas_line = 0;
  t->tol_resistors = 0.01;
  char fit_path[1024] = "";
  int fit_line = 0;
  for (size_t i = 0; st == UCL_OK && i < ucl_ini_count(ini); i++) {
    const ucl_ini_entry *e = ucl_ini_entry_at(ini, i);
    if (strcmp(e->section, "tune") == 0) {
      if (strcmp(e->key, "seed") == 0) {
        long v;
        st = ucl_units_parse_long(e->value, 0, 2147483647L, &v, diag);
        t->seed = (uint64_t)v;
      } else if (strcmp(e->key, "draws") == 0) {
        st = ucl_units_parse_long(e->value, UCL_TUNE_MIN_DRAWS, 100000000L, &t->draws, diag);
      } else if (strcmp(e->key, "distribution") == 0) {
        st = ucl_mc_dist_parse(e->value, &dist, diag);
      } else if (strcmp(e->key, "sigmas") == 0) {
        sigmas_line = e->line;
        st = ucl_units_parse(e->value, NULL, &sigmas, diag);
        if (st == UCL_OK && !(sigmas >= UCL_MC_SIGMAS_MIN && sigmas <= UCL_MC_SIGMAS_MAX)) {
          st = ucl_diag_set(diag, UCL_ERR_RANGE,
                            "from %g to %g (normal: σ = tol/sigmas, truncated at ±sigmas σ)",
                            UCL_MC_SIGMAS_MIN, UCL_MC_SIGMAS_MAX);
        }
      } else if (strcmp(e->key, "fit") == 0) {
        fit_line = e->line;
        st = fit_file(path, e->value, fit_path, sizeof(fit_path), diag);
      } else {
        st = ucl_diag_set(diag, UCL_ERR_INVAL,
                          "unknown key (seed, draws, distribution, sigmas, fit)");
      }
      if (st != UCL_OK) {
        ucl_diag_prefix(diag, "%s:%d: [tune] %s: ", path, e->line, e->key);
      }
    } else if (strcmp(e->section, "tolerance") == 0) {
      double v = 0.0;
      st = parse_percent(e->value, &v, diag);
      if (st == UCL_OK) {
        if (strcmp(e->key, "resistors.lot") == 0) {
          lot_r = v;
        } else if (strcmp(e->key, "capacitors.lot") == 0) {
          lot_c = v;
        } else if (strcmp(e->key, "resistors") == 0) {
          tol_r = v;
          t->tol_resistors = v;
        } else if (strcmp(e->key, "capacitors") == 0) {
          tol_c = v;
        } else if (part_index(t, e->key) < 0) {
          st = ucl_diag_set(diag, UCL_ERR_INVAL,
                            "not a component of this neuron (resistors, capacitors, "
                            "resistors.lot, capacitors.lot, R1 ... R7, C, C2)");
        }
      }
      if (st != UCL_OK) {
        ucl_diag_prefix(diag, "%s:%d: [tolerance] %s: ", path, e->line, e->key);
      }
    }
  }
  for (int k = 0; k < t->n_parts; k++) {
    ucl_tune_part *p = &t->parts[k];
    if (p->name[0] == 'R' && tol_r >= 0.0) {
      p->tol = tol_r;
    } else if (p->name[0] == 'C' && tol_c >= 0.0) {
      p->tol = tol_c;
    }
  }
  for (size_t i = 0; st == UCL_OK && i < ucl_ini_count(ini); i++) {
    const ucl_ini_entry *e = ucl_ini_entry_at(ini, i);
    if (strcmp(e->section, "tolerance") == 0 && part_index(t, e->key) >= 0) {
      st = parse_percent(e->value, &t->parts[part_index(t, e->key)].tol, diag);
    }
  }
  /* [free]: NAME = lo, hi, eN */
  for (size_t i = 0; st == UCL_OK && i < ucl_ini_count(ini); i++) {
    const ucl_ini_entry *e = ucl_ini_entry_at(ini, i);
    if (strcmp(e->section, "free") != 0) {
      continue;
    }
    int k = part_index(t, e->key);
    double *v = NULL;
    size_t n = 0;
    char lo[64], hi[64], se[16];
    if (k < 0) {
      st = ucl_diag_set(diag, UCL_ERR_INVAL,
                        "not a component of this neuron (R1 ... R7, C; R7 and C2 for type II)");
    } else if (split_free(e->value, lo, hi, se) != 0) {
      st = ucl_diag_set(diag, UCL_ERR_PARSE, "expected 'LO, HI, eN' such as '10k, 1meg, e24'");
    } else {
      ucl_tune_part *p = &t->parts[k];
      const ucl_param_info *info = ucl_params_find(p->name);
      st = ucl_units_parse(lo, info->unit, &p->lo, diag);
      if (st == UCL_OK) {
        st = ucl_units_parse(hi, info->unit, &p->hi, diag);
      }
      long sn = 0;
      if (st == UCL_OK) {
        st = ucl_units_parse_long(se, 6, 192, &sn, diag);
      }
      p->series = (int)sn;
      if (st == UCL_OK) {
        st = ucl_eseries_range(p->series, p->lo, p->hi, 100000, &v, &n, diag);
      }
      if (st == UCL_OK && n < 2) {
        st = ucl_diag_set(diag, UCL_ERR_RANGE, "needs two or more E%d values in its bounds",
                          p->series);
      }
      free(v);
      if (st == UCL_OK) {
        if (p->free) {
          st = ucl_diag_set(diag, UCL_ERR_INVAL, "free twice");
        }
        p->free = 1;
        t->n_free++;
      }
    }
    if (st != UCL_OK) {
      ucl_diag_prefix(diag, "%s:%d: [free] %s: ", path, e->line, e->key);
    }
  }
  /* the free parts first */
  for (int a = 0, b = 0; st == UCL_OK && a < t->n_parts; a++) {
    if (t->parts[a].free) {
      ucl_tune_part tmp = t->parts[b];
      t->parts[b] = t->parts[a];
      t->parts[a] = tmp;
      b++;
    }
  }
  /* the sampler: part k is parts[k] (streams as before: part k's u from stream 2k); the
   * resistors share lot "resistors", the capacitors lot "capacitors" when their lot tolerance
   * is set */
  if (st == UCL_OK) {
    int lr = -1, lc = -1;
    st = ucl_mc_init(&t->mc, t->seed, dist, sigmas, diag);
    if (st != UCL_OK) {
      ucl_diag_prefix(diag, "%s:%d: [tune] sigmas: ", path, sigmas_line);
    }
    if (st == UCL_OK && lot_r > 0.0) {
      st = ucl_mc_add_lot(&t->mc, "resistors", lot_r, &lr, diag);
    }
    if (st == UCL_OK && lot_c > 0.0) {
      st = ucl_mc_add_lot(&t->mc, "capacitors", lot_c, &lc, diag);
    }
    for (int k = 0; st == UCL_OK && k < t->n_parts; k++) {
      const ucl_tune_part *p = &t->parts[k];
      st = ucl_mc_add_part(&t->mc, p->name, 1.0, p->tol, p->name[0] == 'R' ? lr : lc, diag);
    }
  }
  /* an override may change a fixed part, not one the tuning chooses */
  for (int k = 0; st == UCL_OK && k < n_sets; k++) {
    char key[64];
    snprintf(key, sizeof(key), "%.*s", (int)strcspn(sets[k], "="), sets[k]);
    int j = part_index(t, key);
    if (j >= 0 && t->parts[j].free) {
      st = ucl_diag_set(diag, UCL_ERR_INVAL, "--set %s: %s is free ([free]); the tuning chooses it",
                        sets[k], key);
    }
  }
  if (st == UCL_OK && fit_line > 0) {
    st = apply_fit(t, path, fit_line, fit_path, ini, sets, n_sets, diag);
  }
  /* [targets] */
  for (size_t i = 0; st == UCL_OK && i < ucl_ini_count(ini); i++) {
    const ucl_ini_entry *e = ucl_ini_entry_at(ini, i);
    if (strcmp(e->section, "targets") != 0) {
      continue;
    }
    if (t->n_targets == UCL_TUNE_MAX_TARGETS) {
      st = ucl_diag_set(diag, UCL_ERR_RANGE, "%s:%d: more than %d targets", path, e->line,
                        UCL_TUNE_MAX_TARGETS);
      break;
    }
    ucl_tune_target *tg = &t->targets[t->n_targets];
    snprintf(tg->name, sizeof(tg->name), "%s", e->key);
    tg->line = e->line;
    long col = feature_column(e->key);
    const char *proc = col >= 0 ? ucl_results_points_table()->cols[col].procedure : "";
    const char *off = ucl_tune_procedure_off(&t->chr.opts, proc);
    if (col < 0) {
      st = ucl_diag_set(diag, UCL_ERR_INVAL,
                        "not a feature (targets are points.csv feature columns such as "
                        "threshold_V, tau_leak_off_s, ref_rate_mean_Hz, tau_adapt_s, "
                        "energy_per_spike_J; docs/outputs.md)");
    } else if (off) {
      st = ucl_diag_set(diag, UCL_ERR_INVAL,
                        "contradicts [characterize] %s = off, which would never measure it", off);
    } else if (!type2 && strcmp(proc, "adaptation") == 0 && t->chr.opts.adaptation != UCL_ON) {
      st = ucl_diag_set(diag, UCL_ERR_INVAL,
                        "a type I neuron does not adapt (set neuron = type2, or adaptation = on "
                        "in [characterize])");
    } else {
      st = parse_target(e->value, tg, diag);
    }
    if (st != UCL_OK) {
      ucl_diag_prefix(diag, "%s:%d: target '%s': ", path, e->line, e->key);
      break;
    }
    t->col[t->n_targets++] = col;
  }
  if (st == UCL_OK && t->n_targets == 0) {
    st = ucl_diag_set(diag, UCL_ERR_INVAL, "%s: no [targets] (e.g. threshold_V = 4 +- 2%%)", path);
  }
  /* sections of other commands are fine; unknown ones were refused by the spec reader */
  ucl_ini_destroy(&ini);
  if (st != UCL_OK) {
    ucl_tune_destroy(&t);
    return st;
  }
  build_draws_table(t);
  *out = t;
  return UCL_OK;
}

void ucl_tune_nominal(const ucl_tune *t, double *values) {
  for (int k = 0; k < t->n_parts; k++) {
    double v = 0.0;
    (void)!ucl_params_get(&t->base, t->parts[k].name, &v);
    values[k] = v;
  }
}

void ucl_tune_params(const ucl_tune *t, const double *values, ucl_params *out) {
  *out = t->base;
  for (int k = 0; k < t->n_parts; k++) {
    (void)!ucl_params_set_value(out, t->parts[k].name, values[k], NULL);
  }
}

/* ucl_tune_params with a draw's model parameters too (drawn: ucl_tune_n_drawn values). A fitted
 * part's value is already in its part's slot. */
static void drawn_params(const ucl_tune *t, const double *drawn, ucl_params *out) {
  ucl_tune_params(t, drawn, out);
  for (int k = 0; t->fit && k < t->fit->n; k++) {
    if (t->fit->p[k].part < 0) {
      (void)!ucl_params_set_value(out, t->fit->p[k].name, drawn[t->n_parts + k], NULL);
    }
  }
}

static double miss(const ucl_tune_target *tg, double f) {
  if (!isfinite(f)) {
    return 1e3;
  }
  double scale = fabs(tg->value) > 0.0 ? fabs(tg->value) : 1.0;
  switch (tg->kind) {
  case UCL_TARGET_AT_LEAST:
    return f >= tg->value ? 0.0 : (tg->value - f) / (0.02 * scale);
  case UCL_TARGET_AT_MOST:
    return f <= tg->value ? 0.0 : (f - tg->value) / (0.02 * scale);
  default:
    return (f - tg->value) / tg->tol;
  }
}

static ucl_status eval_params(const ucl_tune *t, const ucl_params *pp, ucl_tune_eval *out,
                              ucl_diag *diag);

ucl_status ucl_tune_eval_design(const ucl_tune *t, const double *values, ucl_tune_eval *out,
                                ucl_diag *diag) {
  ucl_params p;
  ucl_tune_params(t, values, &p);
  return eval_params(t, &p, out, diag);
}

ucl_status ucl_tune_eval_drawn(const ucl_tune *t, const double *drawn, ucl_tune_eval *out,
                               ucl_diag *diag) {
  ucl_params p;
  drawn_params(t, drawn, &p);
  return eval_params(t, &p, out, diag);
}

static ucl_status eval_params(const ucl_tune *t, const ucl_params *pp, ucl_tune_eval *out,
                              ucl_diag *diag) {
  ucl_params p = *pp;
  memset(out, 0, sizeof(*out));
  for (int k = 0; k < UCL_TUNE_MAX_TARGETS; k++) {
    out->f[k] = NAN;
  }
  const char *bad = NULL;
  ucl_char_result r;
  memset(&r, 0, sizeof(r));
  ucl_status st = ucl_params_validate(&p, &bad, NULL);
  if (st == UCL_OK) {
    st = ucl_characterize(&p, &t->chr.opts, &r, diag);
  }
  if (st == UCL_ERR_NOMEM) {
    ucl_char_result_free(&r);
    return st;
  }
  out->ok = st == UCL_OK && r.status == UCL_OK;
  if (st == UCL_OK) {
    /* the features, read through their points.csv columns; any NaN as NAN (not measured) */
    for (int k = 0; k < t->n_targets; k++) {
      double v = NAN;
      if (ucl_results_point_number(t->col[k], &p, &r, &v) && !isnan(v)) {
        out->f[k] = v;
      }
    }
  }
  ucl_char_result_free(&r);
  out->met = 1;
  out->cost = 0.0;
  for (int k = 0; k < t->n_targets; k++) {
    double e = miss(&t->targets[k], out->f[k]);
    out->cost += e * e;
    out->met &= isfinite(out->f[k]) && fabs(e) <= 1.0 &&
                (t->targets[k].kind == UCL_TARGET_WITHIN || e == 0.0);
  }
  return UCL_OK;
}

void ucl_tune_draw(const ucl_tune *t, const double *values, long k, double *drawn) {
  /* the shared sampler: draw k's factor of part j, (1 + lot·u_lot)(1 + tol·u_j) */
  ucl_mc_factors(&t->mc, k, drawn);
  for (int j = 0; j < t->n_parts; j++) {
    drawn[j] = values[j] * drawn[j];
  }
  if (t->fit) {
    double *model = drawn + t->n_parts;
    ucl_tune_fit_draw(t->fit, t->seed, k, model);
    for (int i = 0; i < t->fit->n; i++) {
      const ucl_tune_model *m = &t->fit->p[i];
      if (m->part >= 0) { /* a fixed part also fitted: the model's spread times the part's */
        drawn[m->part] *= model[i] / m->value;
      }
    }
  }
}

void ucl_tune_neighbours(const ucl_tune *t, int k, double v, double *below, double *above) {
  const ucl_tune_part *p = &t->parts[k];
  double *vals = NULL;
  size_t n = 0;
  *below = *above = v;
  if (ucl_eseries_range(p->series, p->lo, p->hi, 100000, &vals, &n, NULL) != UCL_OK || n == 0) {
    return;
  }
  *below = vals[0];
  *above = vals[n - 1];
  for (size_t i = 0; i < n; i++) {
    if (vals[i] <= v * (1.0 + 1e-12)) {
      *below = vals[i];
    }
    if (vals[n - 1 - i] >= v * (1.0 - 1e-12)) {
      *above = vals[n - 1 - i];
    }
  }
  free(vals);
}
