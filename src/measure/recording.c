/* recording.c — bench recordings (recording.h, docs/fit.md "Recordings"): a [recording.NAME]
 * section read into a ucl_rec_spec, and its CSV file streamed through libcsv and checked row by
 * row (one growing array per mapped column; numbers parsed in place, no per-field allocation). */
#include "uclif/recording.h"

#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uclif/columns.h"
#include "uclif/ini.h"
#include "uclif/sim.h"
#include "uclif/units.h"

/* How far outside ±range a converted value may go before it is refused (rounding of the
 * acquisition's own full scale). */
#define RANGE_SLACK 1.0001
/* The tolerance of the sample-rate check: the median interval against 1/sample_rate. */
#define RATE_TOLERANCE 0.01
/* MAD to σ for normal data: 1/Φ⁻¹(3/4) = 1/0.6745 (Hampel 1974; Rousseeuw & Croux 1993). */
#define MAD_NORMAL 0.6745

typedef struct unit_def {
  const char *name;  /* as written */
  const char *canon; /* as stored (ASCII) */
  double scale;      /* to SI */
} unit_def;

static const unit_def volt_units[] = {
    {"V", "V", 1.0},           {"mV", "mV", 1e-3},        {"uV", "uV", 1e-6},
    {"\xC2\xB5V", "uV", 1e-6}, {"\xCE\xBCV", "uV", 1e-6},
};
static const unit_def time_units[] = {
    {"s", "s", 1.0},           {"ms", "ms", 1e-3},        {"us", "us", 1e-6},
    {"\xC2\xB5s", "us", 1e-6}, {"\xCE\xBCs", "us", 1e-6},
};
#define N_VOLT_UNITS (sizeof(volt_units) / sizeof(volt_units[0]))
#define N_TIME_UNITS (sizeof(time_units) / sizeof(time_units[0]))

/* Units a column header may name ("Vm [mV]", "t_ms"): what the declared unit is compared with.
 * Units of other quantities are here so that "I [mA]" on a voltage column is a contradiction. */
static const char *const header_units[] = {
    "V",  "mV", "uV",           "\xC2\xB5V", "\xCE\xBCV", "kV", "nV",
    "s",  "ms", "us",           "\xC2\xB5s", "\xCE\xBCs", "ns", "A",
    "mA", "uA", "\xC2\xB5\x41", "nA",        "Hz"};

/* "µV"/"μV" -> "uV" (same for s) into buf, for comparisons. */
static const char *canon_unit(const char *u, char *buf, size_t cap) {
  if (strncmp(u, "\xC2\xB5", 2) == 0 || strncmp(u, "\xCE\xBC", 2) == 0) {
    snprintf(buf, cap, "u%s", u + 2);
  } else {
    snprintf(buf, cap, "%s", u);
  }
  return buf;
}

static const unit_def *find_unit(const unit_def *defs, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++) {
    if (strcmp(defs[i].name, name) == 0) {
      return &defs[i];
    }
  }
  return NULL;
}

/* A model channel a recording may measure: a voltage column of waveform.csv, not the input. */
static int is_measurable(const char *name) {
  const ucl_table *t = ucl_sim_waveform_table();
  long k = ucl_table_find(t, name);
  return k > 0 && strcmp(t->cols[k].unit, "V") == 0 && strcmp(name, "V_in_V") != 0;
}

/* The measurable channels, comma-separated, for messages. */
static void measurable_list(char *buf, size_t cap) {
  const ucl_table *t = ucl_sim_waveform_table();
  size_t o = 0;
  buf[0] = '\0';
  for (size_t k = 0; k < t->n && o < cap; k++) {
    if (is_measurable(t->cols[k].name)) {
      int w = snprintf(buf + o, cap - o, "%s%s", o ? ", " : "", t->cols[k].name);
      o += w > 0 ? (size_t)w : 0;
    }
  }
}

/* ---- the section ---------------------------------------------------------------------------- */

static ucl_status parse_value(const char *sp, const ucl_ini_entry *e, const char *unit, double *out,
                              ucl_diag *diag) {
  ucl_status st = ucl_units_parse(e->value, unit, out, diag);
  if (st != UCL_OK) {
    ucl_diag_prefix(diag, "%s:%d: %s: ", sp, e->line, e->key);
  }
  return st;
}

static ucl_status parse_positive(const char *sp, const ucl_ini_entry *e, const char *unit,
                                 double *out, ucl_diag *diag) {
  double v;
  ucl_status st = parse_value(sp, e, unit, &v, diag);
  if (st != UCL_OK) {
    return st;
  }
  if (!(v > 0)) {
    return ucl_diag_set(diag, UCL_ERR_INVAL, "%s:%d: %s = %s must be > 0", sp, e->line, e->key,
                        e->value);
  }
  *out = v;
  return UCL_OK;
}

/* A relative uncertainty: "0.01" or "1%"; 0 <= value < 1. */
static ucl_status parse_fraction(const char *sp, const ucl_ini_entry *e, double *out,
                                 ucl_diag *diag) {
  char buf[64];
  size_t n = strlen(e->value);
  double div = 1.0;
  if (n >= sizeof(buf)) {
    return ucl_diag_set(diag, UCL_ERR_PARSE, "%s:%d: %s: value too long", sp, e->line, e->key);
  }
  memcpy(buf, e->value, n + 1);
  while (n > 0 && isspace((unsigned char)buf[n - 1])) {
    buf[--n] = '\0';
  }
  if (n > 0 && buf[n - 1] == '%') {
    buf[n - 1] = '\0';
    div = 100.0;
  }
  double v;
  ucl_status st = ucl_units_parse(buf, NULL, &v, diag);
  if (st != UCL_OK) {
    ucl_diag_prefix(diag, "%s:%d: %s: ", sp, e->line, e->key);
    return st;
  }
  v /= div;
  if (!(v >= 0 && v < 1)) {
    return ucl_diag_set(diag, UCL_ERR_INVAL,
                        "%s:%d: %s = %s must be a relative error in [0, 1) (e.g. 0.01 or 1%%)", sp,
                        e->line, e->key, e->value);
  }
  *out = v;
  return UCL_OK;
}

static ucl_status copy_column(const char *sp, const ucl_ini_entry *e, char *dst, size_t cap,
                              ucl_diag *diag) {
  if (!e->value[0]) {
    return ucl_diag_set(diag, UCL_ERR_INVAL, "%s:%d: %s: no column named", sp, e->line, e->key);
  }
  if (strlen(e->value) >= cap) {
    return ucl_diag_set(diag, UCL_ERR_INVAL, "%s:%d: %s: column name longer than %zu bytes", sp,
                        e->line, e->key, cap - 1);
  }
  memcpy(dst, e->value, strlen(e->value) + 1);
  return UCL_OK;
}

static void channel_default(ucl_rec_channel *c, const char *model, int line) {
  memset(c, 0, sizeof(*c));
  snprintf(c->model, sizeof(c->model), "%s", model);
  snprintf(c->unit, sizeof(c->unit), "V");
  c->unit_scale = 1.0;
  c->gain = 1.0;
  c->line = line;
}

/* Keys of the section other than the channels (for the unknown-key message). */
#define PLAIN_KEYS                                                                                 \
  "file, time, time_unit, input, range, bits, resolution, sample_rate, noise, duration"

ucl_status ucl_rec_spec_from_ini(const char *spec_path, const struct ucl_ini *ini, const char *name,
                                 ucl_rec_spec *out, ucl_diag *diag) {
  const char *sp = spec_path ? spec_path : "spec";
  char section[128];
  if (!name || !name[0] ||
      (size_t)snprintf(section, sizeof(section), "recording.%s", name) >= sizeof(section)) {
    return ucl_diag_set(diag, UCL_ERR_INVAL, "%s: bad recording name", sp);
  }
  ucl_rec_spec s;
  memset(&s, 0, sizeof(s));
  s.line = -1;
  for (size_t i = 0; i < ucl_ini_n_sections(ini); i++) {
    int line = 0;
    if (strcmp(ucl_ini_section(ini, i, &line), section) == 0) {
      s.line = line;
    }
  }
  if (s.line < 0) {
    return ucl_diag_set(diag, UCL_ERR_INVAL, "%s: no section [%s]", sp, section);
  }
  snprintf(s.name, sizeof(s.name), "%s", name);
  snprintf(s.time_column, sizeof(s.time_column), "t_s");
  s.time_scale = 1.0;
  s.range = 10.0;
  int time_line = s.line, file_line = 0, bits_line = 0, res_line = 0;
  long bits = 0;
  char list[256];
  ucl_status st = UCL_OK;

  /* Pass 1: the plain keys and the channel map; pass 2: the channels' attributes (which may come
   * before their channel's line). */
  for (size_t i = 0; i < ucl_ini_count(ini); i++) {
    const ucl_ini_entry *e = ucl_ini_entry_at(ini, i);
    if (strcmp(e->section, section) != 0 || strchr(e->key, '.')) {
      continue;
    }
    const char *k = e->key;
    if (strcmp(k, "file") == 0) {
      file_line = e->line;
      size_t n = strlen(e->value);
      const char *slash = spec_path ? strrchr(spec_path, '/') : NULL;
      int w;
      if (n == 0) {
        return ucl_diag_set(diag, UCL_ERR_INVAL, "%s:%d: file: no path given", sp, e->line);
      }
      if (e->value[0] == '/' || !slash) {
        w = snprintf(s.path, sizeof(s.path), "%s", e->value);
      } else {
        w = snprintf(s.path, sizeof(s.path), "%.*s/%s", (int)(slash - spec_path), spec_path,
                     e->value);
      }
      if (w < 0 || (size_t)w >= sizeof(s.path)) {
        return ucl_diag_set(diag, UCL_ERR_INVAL, "%s:%d: file: path longer than %zu bytes", sp,
                            e->line, sizeof(s.path) - 1);
      }
    } else if (strcmp(k, "time") == 0) {
      time_line = e->line;
      st = copy_column(sp, e, s.time_column, sizeof(s.time_column), diag);
    } else if (strcmp(k, "time_unit") == 0) {
      const unit_def *u = find_unit(time_units, N_TIME_UNITS, e->value);
      if (!u) {
        return ucl_diag_set(diag, UCL_ERR_INVAL, "%s:%d: time_unit '%s' is not s, ms or us", sp,
                            e->line, e->value);
      }
      s.time_scale = u->scale;
    } else if (strcmp(k, "input") == 0) {
      s.has_input = 1;
      s.input_hold = 1; /* a DAQ's output, unless input.hold = linear */
      channel_default(&s.input, "V_in_V", e->line);
      st = copy_column(sp, e, s.input.column, sizeof(s.input.column), diag);
    } else if (strcmp(k, "range") == 0) {
      st = parse_positive(sp, e, "V", &s.range, diag);
    } else if (strcmp(k, "bits") == 0) {
      bits_line = e->line;
      st = ucl_units_parse_long(e->value, 1, 32, &bits, diag);
      if (st != UCL_OK) {
        ucl_diag_prefix(diag, "%s:%d: bits: ", sp, e->line);
        st = st == UCL_ERR_RANGE ? UCL_ERR_INVAL : st; /* the contract: INVAL or PARSE */
      }
    } else if (strcmp(k, "resolution") == 0) {
      res_line = e->line;
      st = parse_positive(sp, e, "V", &s.resolution, diag);
    } else if (strcmp(k, "sample_rate") == 0) {
      st = parse_positive(sp, e, "Hz", &s.sample_rate, diag);
    } else if (strcmp(k, "noise") == 0) {
      st = parse_positive(sp, e, "V", &s.noise, diag);
    } else if (strcmp(k, "duration") == 0) {
      s.duration_line = e->line;
      st = parse_positive(sp, e, "s", &s.duration, diag);
    } else if (is_measurable(k)) {
      if (s.n_channels == UCL_REC_MAX_CHANNELS) {
        return ucl_diag_set(diag, UCL_ERR_INVAL, "%s:%d: more than %d channels", sp, e->line,
                            UCL_REC_MAX_CHANNELS);
      }
      ucl_rec_channel *c = &s.ch[s.n_channels++];
      channel_default(c, k, e->line);
      st = copy_column(sp, e, c->column, sizeof(c->column), diag);
    } else if (strcmp(k, "V_in_V") == 0) {
      return ucl_diag_set(diag, UCL_ERR_INVAL,
                          "%s:%d: V_in_V is the input: map it with input = COLUMN", sp, e->line);
    } else {
      measurable_list(list, sizeof(list));
      const ucl_table *t = ucl_sim_waveform_table();
      if (ucl_table_find(t, k) >= 0) {
        return ucl_diag_set(diag, UCL_ERR_INVAL,
                            "%s:%d: %s is not a measured voltage (a recording maps %s)", sp,
                            e->line, k, list);
      }
      return ucl_diag_set(
          diag, UCL_ERR_INVAL,
          "%s:%d: unknown key '%s' in [%s] (expected " PLAIN_KEYS
          ", a channel %s = COLUMN, CHANNEL.unit/gain/offset/gain_error, or input.hold)",
          sp, e->line, k, section, list);
    }
    if (st != UCL_OK) {
      return st;
    }
  }
  for (size_t i = 0; i < ucl_ini_count(ini); i++) {
    const ucl_ini_entry *e = ucl_ini_entry_at(ini, i);
    const char *dot = strchr(e->key, '.');
    if (strcmp(e->section, section) != 0 || !dot) {
      continue;
    }
    size_t plen = (size_t)(dot - e->key);
    const char *attr = dot + 1;
    ucl_rec_channel *c = NULL;
    if (plen == 5 && strncmp(e->key, "input", 5) == 0) {
      c = s.has_input ? &s.input : NULL;
    } else {
      for (int k = 0; k < s.n_channels; k++) {
        if (strlen(s.ch[k].model) == plen && strncmp(s.ch[k].model, e->key, plen) == 0) {
          c = &s.ch[k];
        }
      }
    }
    int known_attr = strcmp(attr, "unit") == 0 || strcmp(attr, "gain") == 0 ||
                     strcmp(attr, "offset") == 0 || strcmp(attr, "gain_error") == 0;
    if (!c) {
      char prefix[64];
      snprintf(prefix, sizeof(prefix), "%.*s", (int)(plen < 63 ? plen : 63), e->key);
      int channel_like = strcmp(prefix, "input") == 0 || is_measurable(prefix);
      if (channel_like && known_attr) {
        return ucl_diag_set(diag, UCL_ERR_INVAL,
                            "%s:%d: %s given but %s is not mapped (%s = COLUMN)", sp, e->line,
                            e->key, prefix, prefix);
      }
      measurable_list(list, sizeof(list));
      return ucl_diag_set(diag, UCL_ERR_INVAL,
                          "%s:%d: unknown key '%s' in [%s] (expected " PLAIN_KEYS
                          ", a channel %s = COLUMN, or CHANNEL.unit/gain/offset/gain_error)",
                          sp, e->line, e->key, section, list);
    }
    if (c == &s.input && strcmp(attr, "hold") == 0) {
      if (strcmp(e->value, "zoh") == 0 || strcmp(e->value, "linear") == 0) {
        s.input_hold = strcmp(e->value, "zoh") == 0;
        continue;
      }
      return ucl_diag_set(diag, UCL_ERR_INVAL, "%s:%d: input.hold is zoh or linear (got '%s')", sp,
                          e->line, e->value);
    }
    if (strcmp(attr, "unit") == 0) {
      const unit_def *u = find_unit(volt_units, N_VOLT_UNITS, e->value);
      if (!u) {
        return ucl_diag_set(diag, UCL_ERR_INVAL, "%s:%d: %s '%s' is not V, mV or uV", sp, e->line,
                            e->key, e->value);
      }
      snprintf(c->unit, sizeof(c->unit), "%s", u->canon);
      c->unit_scale = u->scale;
    } else if (strcmp(attr, "gain") == 0) {
      st = parse_positive(sp, e, NULL, &c->gain, diag);
    } else if (strcmp(attr, "offset") == 0) {
      st = parse_value(sp, e, "V", &c->offset, diag);
    } else if (strcmp(attr, "gain_error") == 0) {
      st = parse_fraction(sp, e, &c->gain_error, diag);
    } else {
      return ucl_diag_set(diag, UCL_ERR_INVAL,
                          "%s:%d: unknown key '%s' in [%s] (a channel takes unit, gain, offset, "
                          "gain_error)",
                          sp, e->line, e->key, section);
    }
    if (st != UCL_OK) {
      return st;
    }
  }

  if (!file_line) {
    return ucl_diag_set(diag, UCL_ERR_INVAL, "%s:%d: [%s] has no file = PATH", sp, s.line, section);
  }
  if (s.n_channels == 0) {
    measurable_list(list, sizeof(list));
    return ucl_diag_set(diag, UCL_ERR_INVAL,
                        "%s:%d: [%s] maps no measured channel (one of %s = COLUMN)", sp, s.line,
                        section, list);
  }
  if (bits_line && res_line) {
    return ucl_diag_set(diag, UCL_ERR_INVAL, "%s:%d: give bits (line %d) or resolution, not both",
                        sp, res_line, bits_line);
  }
  if (bits_line) {
    s.resolution = ldexp(2.0 * s.range, -(int)bits);
  }
  /* One column, one meaning: time, input and channels read distinct columns. */
  const char *cols[2 + UCL_REC_MAX_CHANNELS];
  const char *who[2 + UCL_REC_MAX_CHANNELS];
  int lines[2 + UCL_REC_MAX_CHANNELS];
  int nc = 0;
  cols[nc] = s.time_column, who[nc] = "time", lines[nc++] = time_line;
  if (s.has_input) {
    cols[nc] = s.input.column, who[nc] = "input", lines[nc++] = s.input.line;
  }
  for (int k = 0; k < s.n_channels; k++) {
    cols[nc] = s.ch[k].column, who[nc] = s.ch[k].model, lines[nc++] = s.ch[k].line;
  }
  for (int a = 0; a < nc; a++) {
    for (int b = a + 1; b < nc; b++) {
      if (strcmp(cols[a], cols[b]) == 0) {
        int la = lines[a] < lines[b] ? a : b, lb = la == a ? b : a;
        return ucl_diag_set(diag, UCL_ERR_INVAL,
                            "%s:%d: column '%s' mapped twice: %s here and %s at line %d", sp,
                            lines[lb], cols[a], who[lb], who[la], lines[la]);
      }
    }
  }
  *out = s;
  return UCL_OK;
}

/* ---- the data ------------------------------------------------------------------------------- */

#define MAX_SLOTS (2 + UCL_REC_MAX_CHANNELS)

typedef struct loader {
  const ucl_rec_spec *spec;
  const char *path;
  ucl_status st;
  ucl_diag *diag;
  long line; /* the CSV line being fed (1-based) */
  int prev_cr;
  /* header */
  int header_done;
  long header_line;
  char **names;
  size_t n_names, cap_names;
  int *slot_of; /* field index -> slot, or -1 */
  /* slots: 0 time, then the input if any, then the channels */
  int n_slots;
  const ucl_rec_channel *chan[MAX_SLOTS]; /* NULL for time */
  size_t field_of[MAX_SLOTS];
  double row[MAX_SLOTS];
  size_t field; /* fields seen in the current row */
  /* samples */
  size_t n, cap;
  double *data[MAX_SLOTS];
  long last_row_line; /* the line of the last data row (or the header's) */
  /* range: the first value outside ±range, and the largest |value| of its slot */
  long range_line;
  int range_slot;
  double range_first, range_max[MAX_SLOTS];
} loader;

static const char *slot_label(const loader *L, int s) {
  return L->chan[s] ? L->chan[s]->model : "time";
}

static const char *slot_column(const loader *L, int s) {
  return L->chan[s] ? L->chan[s]->column : L->spec->time_column;
}

static void fail(loader *L, ucl_status st, const char *fmt, ...) UCL_PRINTF(3, 4);

/* Set the loader's error: "path:line: " + the formatted message. */
static void fail(loader *L, ucl_status st, const char *fmt, ...) {
  char msg[440];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  L->st = ucl_diag_set(L->diag, st, "%s:%ld: %s", L->path, L->line, msg);
}

/* A field's text for a message: at most 40 bytes, whole UTF-8 characters, a control character or
 * a byte that is not UTF-8 shown as '?', "..." when cut (so that messages stay printable text). */
static void show(const char *s, size_t len, char *dst, size_t cap) {
  size_t o = 0, i = 0;
  while (i < len && i < 40 && o + 5 < cap) {
    uint32_t cp;
    size_t k = ucl_ini_utf8_next(s + i, len - i, &cp);
    if (k == 0 || cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
      dst[o++] = '?';
      i += k ? k : 1;
    } else {
      memcpy(dst + o, s + i, k);
      o += k;
      i += k;
    }
  }
  if (i < len && o + 4 <= cap) {
    memcpy(dst + o, "...", 3);
    o += 3;
  }
  dst[o] = '\0';
}

/* Strip a trailing " [U]" or " (U)" from a header name into buf (for matching "Vm" to
 * "Vm [mV]"); the unit into unit (or "") when it is one of header_units. Returns buf. */
static const char *header_base(const char *h, char *buf, size_t cap, char *unit, size_t ucap) {
  size_t n = strlen(h);
  unit[0] = '\0';
  snprintf(buf, cap, "%s", h);
  if (n >= 3 && (h[n - 1] == ']' || h[n - 1] == ')')) {
    char open = h[n - 1] == ']' ? '[' : '(';
    const char *o = strrchr(h, open);
    if (o) {
      char u[32];
      size_t ul = (size_t)(h + n - 1 - (o + 1));
      snprintf(u, sizeof(u), "%.*s", (int)(ul < 31 ? ul : 31), o + 1);
      for (size_t i = 0; i < sizeof(header_units) / sizeof(header_units[0]); i++) {
        if (strcmp(u, header_units[i]) == 0) {
          snprintf(unit, ucap, "%s", u);
          size_t bl = (size_t)(o - h);
          while (bl > 0 && (h[bl - 1] == ' ' || h[bl - 1] == '\t')) {
            bl--;
          }
          snprintf(buf, cap, "%.*s", (int)bl, h);
          return buf;
        }
      }
    }
  }
  const char *us = strrchr(h, '_');
  if (us && us != h) {
    for (size_t i = 0; i < sizeof(header_units) / sizeof(header_units[0]); i++) {
      if (strcmp(us + 1, header_units[i]) == 0) {
        snprintf(unit, ucap, "%s", us + 1); /* the name keeps its suffix: "t_ms" is the name */
        break;
      }
    }
  }
  return buf;
}

/* The header is complete: map the spec's columns to fields and compare the units. */
static void finish_header(loader *L) {
  L->header_done = 1;
  L->header_line = L->line;
  L->slot_of = malloc((L->n_names ? L->n_names : 1) * sizeof(*L->slot_of));
  if (!L->slot_of) {
    L->st = ucl_diag_set(L->diag, UCL_ERR_NOMEM, "out of memory");
    return;
  }
  for (size_t f = 0; f < L->n_names; f++) {
    L->slot_of[f] = -1;
  }
  for (int s = 0; s < L->n_slots; s++) {
    const char *want = slot_column(L, s);
    long found = -1;
    char base[128], unit[32];
    for (int pass = 0; pass < 2 && found < 0; pass++) {
      for (size_t f = 0; f < L->n_names; f++) {
        const char *h = pass == 0
                            ? L->names[f]
                            : header_base(L->names[f], base, sizeof(base), unit, sizeof(unit));
        if (strcmp(h, want) != 0) {
          continue;
        }
        if (found >= 0) {
          fail(L, UCL_ERR_PARSE, "column '%s' appears twice in the header", want);
          return;
        }
        found = (long)f;
      }
    }
    if (found < 0) {
      char list[300];
      size_t o = 0;
      list[0] = '\0';
      for (size_t f = 0; f < L->n_names && o < sizeof(list); f++) {
        char name[64];
        show(L->names[f], strlen(L->names[f]), name, sizeof(name));
        int w = snprintf(list + o, sizeof(list) - o, "%s%s", f ? ", " : "", name);
        o += w > 0 ? (size_t)w : 0;
      }
      fail(L, UCL_ERR_PARSE, "no column '%s' (for %s); the columns are: %s", want, slot_label(L, s),
           list);
      return;
    }
    if (L->slot_of[found] >= 0) { /* two slots, one column (the spec check refuses this) */
      fail(L, UCL_ERR_PARSE, "column '%s' mapped twice", want);
      return;
    }
    L->slot_of[found] = s;
    L->field_of[s] = (size_t)found;
    /* The header's own unit, if it names one, must be the declared one. */
    header_base(L->names[found], base, sizeof(base), unit, sizeof(unit));
    if (unit[0]) {
      char cu[32], cd[32];
      const char *declared = L->chan[s] ? L->chan[s]->unit : NULL;
      char tu[8];
      if (!declared) {
        double ts = L->spec->time_scale;
        snprintf(tu, sizeof(tu), "%s", ts == 1.0 ? "s" : ts == 1e-3 ? "ms" : "us");
        declared = tu;
      }
      if (strcmp(canon_unit(unit, cu, sizeof(cu)), canon_unit(declared, cd, sizeof(cd))) != 0) {
        char key[48];
        if (L->chan[s] == NULL) {
          snprintf(key, sizeof(key), "time_unit is %s", declared);
        } else if (L->chan[s]->model[0] && strcmp(L->chan[s]->model, "V_in_V") == 0) {
          snprintf(key, sizeof(key), "input.unit is %s", declared);
        } else {
          snprintf(key, sizeof(key), "%s.unit is %s", L->chan[s]->model, declared);
        }
        char what[160];
        snprintf(what, sizeof(what), "column '%s' names the unit %s", L->names[found], unit);
        fail(L, UCL_ERR_INVAL, "%s but %s: declare the column's unit", what, key);
        return;
      }
    }
  }
}

static void push_name(loader *L, const char *s, size_t len) {
  if (L->n_names == L->cap_names) {
    size_t cap = L->cap_names ? 2 * L->cap_names : 16;
    char **np = realloc(L->names, cap * sizeof(*np));
    if (!np) {
      L->st = ucl_diag_set(L->diag, UCL_ERR_NOMEM, "out of memory");
      return;
    }
    L->names = np;
    L->cap_names = cap;
  }
  if (L->n_names == 0 && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
    s += 3; /* a UTF-8 byte-order mark */
    len -= 3;
  }
  char *c = malloc(len + 1);
  if (!c) {
    L->st = ucl_diag_set(L->diag, UCL_ERR_NOMEM, "out of memory");
    return;
  }
  memcpy(c, s, len);
  c[len] = '\0';
  L->names[L->n_names++] = c;
}

/* A plain decimal "[+-]digits[.digits][(e|E)[+-]digits]" of at most 19 digits whose value is
 * m·10^e with m <= 2^53 and |e| <= 22: both operands are exact doubles, so one multiplication or
 * division rounds once and gives the correctly rounded value, the same double as strtod (Clinger,
 * "How to read floating point numbers accurately", PLDI 1990: the fast path). Returns 0 for
 * anything else (the caller falls back to strtod). strtod is most of the loading time; this path
 * takes the usual DAQ output ("0.012345", "1.5e-05") several times faster. */
static int fast_decimal(const char *s, size_t len, double *out) {
  static const double p10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                               1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                               1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  size_t i = 0;
  int neg = 0, digits = 0, frac = 0;
  unsigned long long m = 0;
  if (i < len && (s[i] == '-' || s[i] == '+')) {
    neg = s[i++] == '-';
  }
  for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
    m = 10 * m + (unsigned)(s[i] - '0');
    if (digits > 19) {
      return 0;
    }
  }
  if (i < len && s[i] == '.') {
    for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++, frac++) {
      m = 10 * m + (unsigned)(s[i] - '0');
      if (digits > 19) {
        return 0;
      }
    }
  }
  if (digits == 0) {
    return 0;
  }
  int e = 0;
  if (i < len && (s[i] == 'e' || s[i] == 'E')) {
    int eneg = 0, ed = 0;
    i++;
    if (i < len && (s[i] == '-' || s[i] == '+')) {
      eneg = s[i++] == '-';
    }
    for (; i < len && s[i] >= '0' && s[i] <= '9' && ed < 4; i++, ed++) {
      e = 10 * e + (s[i] - '0');
    }
    if (ed == 0) {
      return 0;
    }
    e = eneg ? -e : e;
  }
  if (i != len || m > (1ULL << 53)) {
    return 0;
  }
  int ex = e - frac;
  if (ex < -22 || ex > 22) {
    return 0;
  }
  double v = (double)m;
  v = ex < 0 ? v / p10[-ex] : v * p10[ex];
  *out = neg ? -v : v;
  return 1;
}

static void field_cb(void *sv, size_t len, void *data) {
  loader *L = data;
  if (L->st != UCL_OK) {
    return;
  }
  size_t f = L->field++;
  char empty[1] = "";
  char *s = sv ? sv : empty;
  if (!L->header_done) {
    push_name(L, s, sv ? len : 0);
    return;
  }
  if (f >= L->n_names || L->slot_of[f] < 0) {
    return; /* an unmapped column, or too many fields (refused at the row's end) */
  }
  int slot = L->slot_of[f];
  if (!sv || len == 0) {
    fail(L, UCL_ERR_PARSE, "empty field in column '%s' (%s)", slot_column(L, slot),
         slot_label(L, slot));
    return;
  }
  double v;
  char *end = s + len;
  if (!fast_decimal(s, len, &v)) {
    v = strtod(s, &end);
  }
  if (end == s || (size_t)(end - s) != len) {
    char shown[64];
    show(s, len, shown, sizeof(shown));
    fail(L, UCL_ERR_PARSE, "'%s' in column '%s' (%s) is not a number", shown, slot_column(L, slot),
         slot_label(L, slot));
    return;
  }
  if (!isfinite(v)) {
    char shown[64];
    show(s, len, shown, sizeof(shown));
    fail(L, UCL_ERR_PARSE, "'%s' in column '%s' (%s) is not a finite number", shown,
         slot_column(L, slot), slot_label(L, slot));
    return;
  }
  const ucl_rec_channel *c = L->chan[slot];
  if (!c) {
    L->row[slot] = v * L->spec->time_scale;
    return;
  }
  v *= c->unit_scale; /* what the acquisition saw, in V */
  if (fabs(v) > L->spec->range * RANGE_SLACK) {
    if (!L->range_line) {
      L->range_line = L->line;
      L->range_slot = slot;
      L->range_first = v;
    }
    if (fabs(v) > L->range_max[slot]) {
      L->range_max[slot] = fabs(v);
    }
  }
  L->row[slot] = c->gain * v + c->offset;
}

static void row_cb(int term, void *data) {
  (void)term;
  loader *L = data;
  if (L->st != UCL_OK) {
    return;
  }
  size_t nf = L->field;
  L->field = 0;
  if (!L->header_done) {
    finish_header(L);
    L->last_row_line = L->line;
    return;
  }
  if (nf != L->n_names) {
    fail(L, UCL_ERR_PARSE, "row has %zu field%s, the header has %zu", nf, nf == 1 ? "" : "s",
         L->n_names);
    return;
  }
  double t = L->row[0];
  if (L->n > 0 && !(t > L->data[0][L->n - 1])) {
    double prev = L->data[0][L->n - 1], ts = L->spec->time_scale;
    fail(L, UCL_ERR_PARSE, "time %.9g %s the previous row's %.9g (time must increase strictly)",
         t / ts, t == prev ? "equals" : "is before", prev / ts);
    return;
  }
  if (L->n == L->cap) {
    size_t cap = L->cap ? 2 * L->cap : 4096;
    for (int s = 0; s < L->n_slots; s++) {
      double *np = realloc(L->data[s], cap * sizeof(double));
      if (!np) {
        L->st = ucl_diag_set(L->diag, UCL_ERR_NOMEM, "%s: out of memory", L->path);
        return;
      }
      L->data[s] = np;
    }
    L->cap = cap;
  }
  for (int s = 0; s < L->n_slots; s++) {
    L->data[s][L->n] = L->row[s];
  }
  L->n++;
  L->last_row_line = L->line;
}

/* Feed 'n' bytes to libcsv one physical line at a time, so that L->line is the line of every
 * callback (LF, CR LF and CR end a line). */
static void feed(loader *L, struct csv_parser *p, const char *buf, size_t n) {
  size_t i = 0;
  while (i < n && L->st == UCL_OK) {
    size_t j = i;
    while (j < n && buf[j] != '\n' && buf[j] != '\r') {
      j++;
    }
    if (j < n) {
      j++;
    }
    if (csv_parse(p, buf + i, j - i, field_cb, row_cb, L) != j - i) {
      if (L->st == UCL_OK) {
        L->st = ucl_diag_set(L->diag, csv_error(p) == CSV_ENOMEM ? UCL_ERR_NOMEM : UCL_ERR_PARSE,
                             "%s:%ld: %s", L->path, L->line, csv_strerror(csv_error(p)));
      }
      return;
    }
    char c = buf[j - 1];
    if (c == '\r') {
      L->line++;
      L->prev_cr = 1;
    } else if (c == '\n') {
      L->line += !L->prev_cr;
      L->prev_cr = 0;
    } else {
      L->prev_cr = 0;
    }
    i = j;
  }
}

/* The k-th smallest of a[0..n) (n >= 1), partially reordering a (Wirth's selection). */
static double select_kth(double *a, size_t n, size_t k) {
  long l = 0, m = (long)n - 1, kk = (long)k;
  while (l < m) {
    double x = a[kk];
    long i = l, j = m;
    do {
      while (a[i] < x) {
        i++;
      }
      while (x < a[j]) {
        j--;
      }
      if (i <= j) {
        double tmp = a[i];
        a[i] = a[j];
        a[j] = tmp;
        i++;
        j--;
      }
    } while (i <= j);
    if (j < kk) {
      l = i;
    }
    if (kk < i) {
      m = j;
    }
  }
  return a[k];
}

/* The median of a[0..n) (n >= 1; the mean of the two middle values when n is even); reorders a. */
static double median(double *a, size_t n) {
  double hi = select_kth(a, n, n / 2);
  if (n % 2) {
    return hi;
  }
  double lo = a[0];
  for (size_t i = 1; i < n / 2; i++) {
    lo = a[i] > lo ? a[i] : lo;
  }
  return 0.5 * (lo + hi);
}

/* The hint of a range error: a smaller unit that brings the largest value into the range, when
 * the values overshoot the range at least 5 times (mV data declared V overshoot ~1000 times; a
 * value just above full scale is more likely a wrong range or an overloaded input). */
static const char *unit_hint(double raw_max, double range, double scale, char *buf, size_t cap) {
  for (size_t u = 0; u < 3 && raw_max * scale >= 5 * range; u++) { /* V, mV, uV */
    if (volt_units[u].scale < scale && raw_max * volt_units[u].scale <= range * RANGE_SLACK) {
      snprintf(buf, cap, "is the unit %s?", volt_units[u].name);
      return buf;
    }
  }
  snprintf(buf, cap, "is range right?");
  return buf;
}

/* The checks on the whole columns, once the file is read: range, count, rate, duration. */
static void check_columns(loader *L, double *scratch, double *dt_out) {
  const ucl_rec_spec *sp = L->spec;
  if (L->range_line) {
    int s = L->range_slot;
    const ucl_rec_channel *ch = L->chan[s];
    char hint[48];
    L->line = L->range_line;
    fail(
        L, UCL_ERR_INVAL,
        "%s (column '%s') is %.6g V, outside the range \xC2\xB1%g V (values reach %.6g V with unit "
        "%s: %s)",
        ch->model, ch->column, L->range_first, sp->range, L->range_max[s], ch->unit,
        unit_hint(L->range_max[s] / ch->unit_scale, sp->range, ch->unit_scale, hint, sizeof(hint)));
    return;
  }
  L->line = L->last_row_line;
  if (L->n < 2) {
    fail(L, UCL_ERR_PARSE, "%zu data row%s; a recording needs at least 2", L->n,
         L->n == 1 ? "" : "s");
    return;
  }
  for (size_t i = 0; i + 1 < L->n; i++) {
    scratch[i] = L->data[0][i + 1] - L->data[0][i];
  }
  double dt = median(scratch, L->n - 1);
  *dt_out = dt;
  if (sp->sample_rate > 0) {
    double period = 1.0 / sp->sample_rate;
    if (fabs(dt - period) > RATE_TOLERANCE * period) {
      const char *fit = NULL;
      for (size_t u = 0; u < 3; u++) {
        double alt = dt / sp->time_scale * time_units[u].scale;
        if (time_units[u].scale != sp->time_scale &&
            fabs(alt - period) <= RATE_TOLERANCE * period) {
          fit = time_units[u].name;
        }
      }
      char hint[40];
      snprintf(hint, sizeof(hint), fit ? "time_unit = %s fits" : "or sample_rate?%s",
               fit ? fit : "");
      L->line = L->header_line;
      fail(L, UCL_ERR_INVAL,
           "column '%s': the median sample interval is %.6g s, %.1f %% away from 1/sample_rate = "
           "%.6g s: is time_unit right? %s",
           sp->time_column, dt, 100 * fabs(dt / period - 1), period, hint);
      return;
    }
  }
  double t0 = L->data[0][0], t1 = L->data[0][L->n - 1];
  if (sp->duration > 0 && t1 + dt < t0 + sp->duration - 1e-6 * dt) {
    fail(L, UCL_ERR_INVAL,
         "the recording is shorter than its stimulus: the data end at t = %.6g s (%.6g s after "
         "the first sample); duration = %.6g s needs data up to t = %.6g s (spec line %d)",
         t1, t1 - t0, sp->duration, t0 + sp->duration, sp->duration_line);
  }
}

/* The noise estimate (recording.h): for white noise of σ the second difference
 * x[i+1] − 2x[i] + x[i−1] has σ·√6, its median absolute value 0.6745·σ·√6 (normal data);
 * smooth signal contributes little, spikes and steps touch a few samples and the median ignores
 * them. With an input column, the second differences next to an input edge (a change between
 * neighbours above 10 times the input's own noise, from its first differences' median) are left
 * out: a pulse every few samples would otherwise touch a third of them and inflate the estimate
 * (7.6 mV instead of 5 mV on fits/example's staircase). The smallest over the channels (the
 * channel with the least signal bounds the noise best). Floor: the quantisation noise LSB/√12,
 * or that of 16 bits over ±range when the LSB is unknown, so that noise-free synthetic data
 * still give a usable scale. */
static double estimate_noise(const loader *L, double *scratch, double resolution) {
  double best = INFINITY;
  double lsb = resolution > 0 ? resolution : ldexp(2.0 * L->spec->range, -16);
  const double *in = NULL;
  double edge = INFINITY;
  for (int s = 0; s < L->n_slots && L->n >= 3; s++) {
    if (L->chan[s] && strcmp(L->chan[s]->model, "V_in_V") == 0) {
      in = L->data[s];
      for (size_t i = 0; i + 1 < L->n; i++) {
        scratch[i] = fabs(in[i + 1] - in[i]);
      }
      /* first differences of white noise σ: σ·√2, median 0.6745·σ·√2 */
      double s_in = median(scratch, L->n - 1) / (MAD_NORMAL * sqrt(2.0));
      edge = 10.0 * fmax(s_in, lsb);
    }
  }
  for (int s = 0; s < L->n_slots; s++) {
    if (!L->chan[s] || strcmp(L->chan[s]->model, "V_in_V") == 0 || L->n < 3) {
      continue;
    }
    const double *x = L->data[s];
    size_t m = 0;
    for (size_t i = 1; i + 1 < L->n; i++) {
      int near_edge = 0;
      for (size_t j = i >= 2 ? i - 2 : 0; in && j <= i && !near_edge; j++) {
        near_edge = fabs(in[j + 1] - in[j]) > edge;
      }
      if (!near_edge) {
        scratch[m++] = fabs(x[i + 1] - 2.0 * x[i] + x[i - 1]);
      }
    }
    if (m < 16) { /* edges everywhere: every sample after all */
      m = 0;
      for (size_t i = 1; i + 1 < L->n; i++) {
        scratch[m++] = fabs(x[i + 1] - 2.0 * x[i] + x[i - 1]);
      }
    }
    double sigma = median(scratch, m) / (MAD_NORMAL * sqrt(6.0));
    best = sigma < best ? sigma : best;
  }
  double floor_q = lsb / sqrt(12.0);
  return isfinite(best) && best > floor_q ? best : floor_q;
}

static void loader_free(loader *L) {
  for (size_t i = 0; i < L->n_names; i++) {
    free(L->names[i]);
  }
  free(L->names);
  free(L->slot_of);
  for (int s = 0; s < MAX_SLOTS; s++) {
    free(L->data[s]);
  }
}

ucl_status ucl_rec_load(const ucl_rec_spec *spec, ucl_recording *out, ucl_diag *diag) {
  loader L;
  memset(&L, 0, sizeof(L));
  L.spec = spec;
  L.path = spec->path;
  L.diag = diag;
  L.line = 1;
  L.chan[L.n_slots++] = NULL;
  if (spec->has_input) {
    L.chan[L.n_slots++] = &spec->input;
  }
  for (int k = 0; k < spec->n_channels && k < UCL_REC_MAX_CHANNELS; k++) {
    L.chan[L.n_slots++] = &spec->ch[k];
  }
  double *scratch = NULL;
  FILE *f = fopen(spec->path, "rb");
  if (!f) {
    return ucl_diag_set(diag, UCL_ERR_INPUT, "%s: cannot read: %s", spec->path, strerror(errno));
  }
  struct csv_parser p;
  if (csv_init(&p, CSV_APPEND_NULL) != 0) {
    fclose(f);
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  char buf[1 << 16];
  size_t n;
  while (L.st == UCL_OK && (n = fread(buf, 1, sizeof(buf), f)) > 0) {
    feed(&L, &p, buf, n);
  }
  if (L.st == UCL_OK && ferror(f)) {
    L.st = ucl_diag_set(diag, UCL_ERR_INPUT, "%s: read failed", spec->path);
  }
  if (L.st == UCL_OK) {
    csv_fini(&p, field_cb, row_cb, &L);
  }
  csv_free(&p);
  fclose(f);
  if (L.st != UCL_OK) {
    goto cleanup;
  }
  if (!L.header_done) {
    fail(&L, UCL_ERR_PARSE, "empty file: no header row");
    goto cleanup;
  }
  scratch = malloc((L.n ? L.n : 1) * sizeof(double));
  if (!scratch) {
    L.st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
    goto cleanup;
  }
  double dt = 0;
  check_columns(&L, scratch, &dt);
  if (L.st != UCL_OK) {
    goto cleanup;
  }
  ucl_recording r;
  memset(&r, 0, sizeof(r));
  r.spec = *spec;
  r.n = L.n;
  r.dt = dt;
  r.noise = spec->noise > 0 ? spec->noise : estimate_noise(&L, scratch, spec->resolution);
  /* Hand the arrays over (shrunk to size: the doubling may have left up to half unused). */
  for (int s = 0; s < L.n_slots; s++) {
    double *a = realloc(L.data[s], L.n * sizeof(double));
    a = a ? a : L.data[s];
    L.data[s] = NULL;
    const ucl_rec_channel *c = L.chan[s];
    if (!c) {
      r.t = a;
    } else if (c == &spec->input) {
      r.input = a;
    } else {
      r.v[c - spec->ch] = a;
    }
  }
  *out = r;
cleanup:
  free(scratch);
  loader_free(&L);
  return L.st;
}

void ucl_rec_free(ucl_recording *r) {
  if (!r) {
    return;
  }
  free(r->t);
  free(r->input);
  for (int k = 0; k < UCL_REC_MAX_CHANNELS; k++) {
    free(r->v[k]);
  }
  memset(r, 0, sizeof(*r));
}

int ucl_rec_channel_index(const ucl_recording *r, const char *model) {
  for (int k = 0; k < r->spec.n_channels; k++) {
    if (strcmp(r->spec.ch[k].model, model) == 0) {
      return k;
    }
  }
  return -1;
}
