/* sweep.c — sweep specifications: axes, designs, point(i) (docs/spec.md). */
#include "uclif/sweep.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uclif/ini.h"
#include "uclif/montecarlo.h"
#include "uclif/rng.h"
#include "uclif/network.h"
#include "uclif/spec.h"
#include "uclif/units.h"

#define MAX_AXES 64
#define MAX_MEMBERS 16
#define MAX_POINTS 1000000000L

enum { KIND_LIST = 0, KIND_RANGE = 1, KIND_LOGRANGE = 2, KIND_MC = 3 };

typedef struct member {
  char key[96]; /* as swept: "R1", or in a network sweep "N1.C2", "S1.R" */
  const ucl_param_info *info;
  int kind;       /* KIND_* */
  double *values; /* KIND_LIST: n values (a choice key: the indices) */
  size_t n;
  double lo, hi;       /* ranges */
  double nominal, tol; /* KIND_MC: "NOMINAL +- TOL%" (tol relative) */
  int part, lot;       /* KIND_MC: its part in the sampler; its lot (index into the [sweep]
                          lot.NAME entries) or -1 */
  int line;
} member;

typedef struct axis {
  member m[MAX_MEMBERS];
  int n_members;
  size_t len; /* values (lists); 0 for a continuous axis */
} axis;

struct ucl_sweep {
  char *name;
  uint64_t seed, hash;
  ucl_design design;
  long count;
  ucl_params base;
  ucl_char_config chr;
  axis axes[MAX_AXES];
  ucl_ini *ini;     /* network sweeps: the parsed spec, to build each point's network */
  char *ini_name;   /* its path, for messages */
  ucl_network *net; /* network sweeps: the base network (names, checks) */
  int n_axes;
  const char *swept[MAX_AXES * MAX_MEMBERS];
  int n_swept;
  char **sets; /* the overrides of the base configuration ("NAME=VALUE"), owned */
  int n_sets;
  char *text;      /* the spec file's bytes, owned */
  char *canonical; /* ucl_sweep_canonical, owned */
  ucl_mc mc;       /* design montecarlo: the sampler, part j = the j-th swept key */
};

/* 1 when a swept key can decide whether a point's trials differ (noise.*, jitter.*, the neuron's
 * form): the check of [characterize] trials is then each point's (ucl_characterize). */
static int sweeps_noise(const ucl_sweep *s) {
  for (int i = 0; i < s->n_swept; i++) {
    const char *k = s->swept[i];
    if (strncmp(k, "noise.", 6) == 0 || strncmp(k, "jitter.", 7) == 0 || strcmp(k, "neuron") == 0 ||
        strcmp(k, "scr.model") == 0) {
      return 1;
    }
  }
  return 0;
}

static uint64_t fnv1a_more(uint64_t h, const char *s) {
  for (; *s; s++) {
    h ^= (unsigned char)*s;
    h *= 0x100000001b3ULL;
  }
  return h;
}

static uint64_t fnv1a(const char *s) {
  return fnv1a_more(0xcbf29ce484222325ULL, s);
}

/* ---- accessors ---- */

long ucl_sweep_count(const ucl_sweep *s) {
  return s->count;
}
ucl_design ucl_sweep_design(const ucl_sweep *s) {
  return s->design;
}
const char *ucl_sweep_name(const ucl_sweep *s) {
  return s->name;
}
const ucl_mc *ucl_sweep_mc(const ucl_sweep *s) {
  return s->design == UCL_DESIGN_MONTECARLO ? &s->mc : NULL;
}
uint64_t ucl_sweep_seed(const ucl_sweep *s) {
  return s->seed;
}
uint64_t ucl_sweep_hash(const ucl_sweep *s) {
  return s->hash;
}
const char *ucl_sweep_text(const ucl_sweep *s) {
  return s->text;
}
const char *ucl_sweep_canonical(const ucl_sweep *s) {
  return s->canonical;
}
int ucl_sweep_n_sets(const ucl_sweep *s) {
  return s->n_sets;
}
const char *ucl_sweep_set(const ucl_sweep *s, int k) {
  return (k >= 0 && k < s->n_sets) ? s->sets[k] : NULL;
}
ucl_status ucl_sweep_rename(ucl_sweep *s, const char *name, ucl_diag *diag) {
  char *n = strdup(name);
  if (!n) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  free(s->name);
  s->name = n;
  return UCL_OK;
}
const ucl_char_opts *ucl_sweep_char_opts(const ucl_sweep *s) {
  return &s->chr.opts;
}
const ucl_params *ucl_sweep_base(const ucl_sweep *s) {
  return &s->base;
}
int ucl_sweep_n_swept(const ucl_sweep *s) {
  return s->n_swept;
}
const char *ucl_sweep_swept_name(const ucl_sweep *s, int k) {
  return (k >= 0 && k < s->n_swept) ? s->swept[k] : NULL;
}

void ucl_sweep_destroy(ucl_sweep **sp) {
  if (!sp || !*sp) {
    return;
  }
  ucl_sweep *s = *sp;
  for (int a = 0; a < s->n_axes; a++) {
    for (int m = 0; m < s->axes[a].n_members; m++) {
      free(s->axes[a].m[m].values);
    }
  }
  ucl_char_config_free(&s->chr);
  ucl_ini_destroy(&s->ini);
  free(s->ini_name);
  ucl_network_destroy(&s->net);
  for (int k = 0; k < s->n_sets; k++) {
    free(s->sets[k]);
  }
  free(s->sets);
  free(s->name);
  free(s->text);
  free(s->canonical);
  free(s);
  *sp = NULL;
}

/* ---- parsing ---- */

/* A choice key's value list: names separated by commas. */
static ucl_status parse_choices(const ucl_param_info *in, const char *v, member *m,
                                ucl_diag *diag) {
  size_t cap = 1;
  for (const char *c = v; *c; c++) {
    cap += (*c == ',');
  }
  m->values = malloc(cap * sizeof(double));
  if (!m->values) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  const char *p = v;
  for (;;) {
    const char *comma = strchr(p, ',');
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    char word[64];
    while (len > 0 && (*p == ' ' || *p == '\t')) {
      p++;
      len--;
    }
    while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t')) {
      len--;
    }
    if (len == 0 || len >= sizeof(word)) {
      return ucl_diag_set(diag, UCL_ERR_PARSE, "empty or overlong value %zu", m->n + 1);
    }
    memcpy(word, p, len);
    word[len] = '\0';
    ucl_params scratch;
    ucl_params_default(&scratch);
    ucl_status st = ucl_params_set(&scratch, in->name, word, diag);
    if (st != UCL_OK) {
      return st;
    }
    double idx = 0.0;
    (void)!ucl_params_get(&scratch, in->name, &idx);
    m->values[m->n++] = idx;
    if (!comma) {
      break;
    }
    p = comma + 1;
  }
  return UCL_OK;
}

/* range(a, b) / logrange(a, b) for the random designs. */
static int parse_range(const char *v, const char *unit, member *m, ucl_status *st, ucl_diag *diag) {
  int log_kind = strncmp(v, "logrange(", 9) == 0;
  if (!log_kind && strncmp(v, "range(", 6) != 0) {
    return 0;
  }
  const char *open = strchr(v, '(');
  size_t len = strlen(v);
  if (v[len - 1] != ')') {
    *st = ucl_diag_set(diag, UCL_ERR_PARSE, "missing ')'");
    return 1;
  }
  double *ab = NULL;
  size_t n = 0;
  char buf[256];
  size_t il = (size_t)(v + len - 1 - (open + 1));
  if (il >= sizeof(buf)) {
    *st = ucl_diag_set(diag, UCL_ERR_PARSE, "arguments too long");
    return 1;
  }
  memcpy(buf, open + 1, il);
  buf[il] = '\0';
  *st = ucl_values_parse(buf, unit, 2, &ab, &n, diag);
  if (*st == UCL_OK && (n != 2 || !(ab[0] < ab[1]))) {
    *st = ucl_diag_set(diag, UCL_ERR_RANGE, "%s needs two values lo < hi",
                       log_kind ? "logrange()" : "range()");
  }
  if (*st == UCL_OK && log_kind && !(ab[0] > 0.0)) {
    *st = ucl_diag_set(diag, UCL_ERR_RANGE, "logrange() needs lo > 0");
  }
  if (*st == UCL_OK) {
    m->kind = log_kind ? KIND_LOGRANGE : KIND_RANGE;
    m->lo = ab[0];
    m->hi = ab[1];
  }
  free(ab);
  return 1;
}

/* Split "A +- B%" into the text before "+-" (a, 'cap' bytes, trimmed) and the relative
 * tolerance B/100 (checked: below 100 %). UCL_ERR_PARSE naming 'form' when it has not that form. */
static ucl_status split_tolerance(const char *v, const char *form, char *a, size_t cap, double *tol,
                                  ucl_diag *diag) {
  const char *pm = strstr(v, "+-");
  size_t tl;
  char t[64];
  if (pm) {
    snprintf(t, sizeof(t), "%s", pm + 2);
    tl = strlen(t);
    while (tl > 0 && (t[tl - 1] == ' ' || t[tl - 1] == '\t')) {
      t[--tl] = '\0';
    }
  }
  if (!pm || (size_t)(pm - v) >= cap || tl == 0 || t[tl - 1] != '%') {
    return ucl_diag_set(diag, UCL_ERR_PARSE,
                        "expected '%s' with a relative tolerance in %% (got '%s'); tolerances "
                        "are relative only, so a drawn value never changes sign",
                        form, v);
  }
  t[tl - 1] = '\0';
  size_t n = (size_t)(pm - v);
  memcpy(a, v, n);
  a[n] = '\0';
  while (n > 0 && (a[n - 1] == ' ' || a[n - 1] == '\t')) {
    a[--n] = '\0';
  }
  double pct = 0.0;
  ucl_status st = ucl_units_parse(t, NULL, &pct, diag);
  if (st == UCL_OK) {
    *tol = pct / 100.0;
    st = ucl_mc_check_tol(*tol, diag);
  }
  return st;
}

/* A montecarlo design's swept value "NOMINAL +- TOL%". */
static ucl_status parse_tolerance(const char *v, const char *unit, member *m, ucl_diag *diag) {
  char a[128];
  ucl_status st =
      split_tolerance(v, "NOMINAL +- TOL%' such as '100k +- 1%", a, sizeof(a), &m->tol, diag);
  if (st == UCL_OK) {
    st = ucl_units_parse(a, unit, &m->nominal, diag);
  }
  if (st == UCL_OK && !(m->nominal != 0.0)) {
    st = ucl_diag_set(diag, UCL_ERR_RANGE, "a nominal of 0 has no relative tolerance");
  }
  m->kind = KIND_MC;
  m->lot = -1;
  return st;
}

/* 'name' without its leading and trailing blanks (cut in place). */
static char *trim_blanks(char *name) {
  while (*name == ' ' || *name == '\t') {
    name++;
  }
  size_t nl = strlen(name);
  while (nl > 0 && (name[nl - 1] == ' ' || name[nl - 1] == '\t')) {
    name[--nl] = '\0';
  }
  return name;
}

static axis *find_axis_of(ucl_sweep *s, const char *name, int *member_idx) {
  for (int a = 0; a < s->n_axes; a++) {
    for (int k = 0; k < s->axes[a].n_members; k++) {
      if (strcmp(s->axes[a].m[k].key, name) == 0) {
        *member_idx = k;
        return &s->axes[a];
      }
    }
  }
  return NULL;
}

/* Merge the axes named in 'link' ("A+B, C+D+E") into one axis per group. */
static ucl_status apply_links(ucl_sweep *s, const char *path, int line, const char *link,
                              ucl_diag *diag) {
  char buf[1024];
  size_t len = strlen(link);
  if (len >= sizeof(buf)) {
    return ucl_diag_set(diag, UCL_ERR_PARSE, "%s:%d: link: too long", path, line);
  }
  memcpy(buf, link, len + 1);
  char *group = buf;
  while (group) {
    char *next = strchr(group, ',');
    if (next) {
      *next++ = '\0';
    }
    axis *first = NULL;
    int n_names = 0;
    char *name = group;
    while (name) {
      char *plus = strchr(name, '+');
      if (plus) {
        *plus++ = '\0';
      }
      name = trim_blanks(name);
      int mi = 0;
      axis *ax = find_axis_of(s, name, &mi);
      if (!ax) {
        return ucl_diag_set(diag, UCL_ERR_INVAL, "%s:%d: link: '%s' is not swept in [sweep]", path,
                            line, name);
      }
      if (n_names == 0) {
        first = ax;
      } else if (ax == first) {
        return ucl_diag_set(diag, UCL_ERR_INVAL, "%s:%d: link: '%s' is already in this group", path,
                            line, name);
      } else {
        if (ax->n_members != 1) {
          return ucl_diag_set(diag, UCL_ERR_INVAL, "%s:%d: link: '%s' is already linked", path,
                              line, name);
        }
        if (ax->len != first->len) {
          return ucl_diag_set(diag, UCL_ERR_RANGE,
                              "%s:%d: link: '%s' has %zu values but '%s' has %zu; linked "
                              "parameters vary together and need as many",
                              path, line, name, ax->len, first->m[0].key, first->len);
        }
        if (first->n_members == MAX_MEMBERS) {
          return ucl_diag_set(diag, UCL_ERR_RANGE, "%s:%d: link: more than %d members", path, line,
                              MAX_MEMBERS);
        }
        first->m[first->n_members++] = ax->m[0];
        /* remove 'ax' from the axis list, keeping the order */
        int idx = (int)(ax - s->axes);
        memmove(&s->axes[idx], &s->axes[idx + 1], (size_t)(s->n_axes - idx - 1) * sizeof(axis));
        s->n_axes--;
        if (first > ax) {
          first--;
        }
      }
      n_names++;
      name = plus;
    }
    if (n_names < 2) {
      return ucl_diag_set(diag, UCL_ERR_PARSE,
                          "%s:%d: link: a group needs two or more names joined by '+' (A+B)", path,
                          line);
    }
    group = next;
  }
  return UCL_OK;
}

/* A synapse's swept resistance ("S1.R"). */
static const ucl_param_info synapse_R_info = {
    "R", UCL_SECTION_CIRCUIT,  UCL_PARAM_REAL, UCL_DOMAIN_POSITIVE, "Ohm", 10e3, NULL,
    "",  "synapse resistance", "[P]"};

/* A network sweep's key "NEURON.KEY" or "SYNAPSE.R": its parameter info, checked against the
 * base network. */
static ucl_status network_key(const ucl_sweep *s, const char *path, const ucl_ini *ini,
                              const ucl_ini_entry *e, const ucl_param_info **out, ucl_diag *diag) {
  const char *dot = strchr(e->key, '.');
  char name[UCL_NET_NAME_MAX];
  if (!dot || (size_t)(dot - e->key) >= sizeof(name)) {
    return UCL_OK; /* not NAME.KEY: the caller reports the unknown key */
  }
  snprintf(name, sizeof(name), "%.*s", (int)(dot - e->key), e->key);
  const char *key = dot + 1;
  if (ucl_network_find(s->net, name) >= 0) {
    const ucl_param_info *in = ucl_params_find(key);
    if (!in || in->section == UCL_SECTION_SOLVER || strcmp(key, "duration") == 0) {
      return ucl_diag_set(diag, UCL_ERR_INVAL,
                          "%s:%d: %s: a neuron's swept key is one of its [circuit] or "
                          "[stimulus] keys (not '%s')",
                          path, e->line, e->key, key);
    }
    char sec[UCL_NET_NAME_MAX + 8];
    snprintf(sec, sizeof(sec), "neuron.%s", name);
    for (size_t j = 0; j < ucl_ini_count(ini); j++) {
      const ucl_ini_entry *f = ucl_ini_entry_at(ini, j);
      if (strcmp(f->section, sec) == 0 && strcmp(f->key, key) == 0) {
        return ucl_diag_set(diag, UCL_ERR_INVAL,
                            "%s:%d: '%s' is swept here and also set in [%s] at line %d; keep one",
                            path, e->line, e->key, sec, f->line);
      }
    }
    *out = in;
    return UCL_OK;
  }
  for (size_t k = 0; k < s->net->n_synapses; k++) {
    if (strcmp(s->net->synapses[k].name, name) == 0) {
      if (strcmp(key, "R") != 0) {
        return ucl_diag_set(diag, UCL_ERR_INVAL,
                            "%s:%d: %s: a synapse's swept key is R (its resistance)", path, e->line,
                            e->key);
      }
      *out = &synapse_R_info;
      return UCL_OK;
    }
  }
  return ucl_diag_set(diag, UCL_ERR_INVAL,
                      "%s:%d: %s: no neuron or synapse called '%s' in this network", path, e->line,
                      e->key, name);
}

static ucl_status build_mc(ucl_sweep *s, const char *path, const ucl_ini_entry *distribution,
                           const ucl_ini_entry *sigmas, const ucl_ini_entry *const *lots,
                           int n_lots, ucl_diag *diag);

static ucl_status parse_sweep(ucl_sweep *s, const char *path, const ucl_ini *ini, ucl_diag *diag) {
  const ucl_ini_entry *design = NULL, *samples = NULL, *link = NULL;
  const ucl_ini_entry *distribution = NULL, *sigmas = NULL, *lots[UCL_MC_MAX_LOTS];
  int n_lots = 0, mc = 0;
  for (size_t i = 0; i < ucl_ini_count(ini); i++) {
    const ucl_ini_entry *e = ucl_ini_entry_at(ini, i);
    mc |= strcmp(e->section, "sweep") == 0 && strcmp(e->key, "design") == 0 &&
          strcmp(e->value, "montecarlo") == 0;
  }
  for (size_t i = 0; i < ucl_ini_count(ini); i++) {
    const ucl_ini_entry *e = ucl_ini_entry_at(ini, i);
    if (strcmp(e->section, "run") == 0) {
      if (strcmp(e->key, "name") == 0) {
        if (!e->value[0]) {
          return ucl_diag_set(diag, UCL_ERR_PARSE, "%s:%d: name: empty", path, e->line);
        }
        free(s->name);
        s->name = strdup(e->value);
        if (!s->name) {
          return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
        }
      } else if (strcmp(e->key, "seed") == 0) {
        long v;
        ucl_status st = ucl_units_parse_long(e->value, 0, 2147483647L, &v, diag);
        if (st != UCL_OK) {
          ucl_diag_prefix(diag, "%s:%d: seed: ", path, e->line);
          return st;
        }
        s->seed = (uint64_t)v;
      } else {
        return ucl_diag_set(diag, UCL_ERR_INVAL, "%s:%d: unknown key '%s' in [run] (name, seed)",
                            path, e->line, e->key);
      }
      continue;
    }
    if (strcmp(e->section, "sweep") != 0) {
      continue;
    }
    if (strcmp(e->key, "design") == 0) {
      design = e;
      continue;
    }
    if (strcmp(e->key, "samples") == 0) {
      samples = e;
      continue;
    }
    if (strcmp(e->key, "link") == 0) {
      link = e;
      continue;
    }
    if (strcmp(e->key, "distribution") == 0 || strcmp(e->key, "sigmas") == 0 ||
        strncmp(e->key, "lot.", 4) == 0) {
      if (!mc) {
        return ucl_diag_set(diag, UCL_ERR_INVAL, "%s:%d: %s applies to design = montecarlo", path,
                            e->line, e->key);
      }
      if (e->key[0] == 'd') {
        distribution = e;
      } else if (e->key[0] == 's') {
        sigmas = e;
      } else if (n_lots == UCL_MC_MAX_LOTS) {
        return ucl_diag_set(diag, UCL_ERR_RANGE, "%s:%d: more than %d lots", path, e->line,
                            UCL_MC_MAX_LOTS);
      } else {
        lots[n_lots++] = e;
      }
      continue;
    }
    const ucl_param_info *in = ucl_params_find(e->key);
    if (!in && s->net) {
      ucl_status kst = network_key(s, path, ini, e, &in, diag);
      if (kst != UCL_OK) {
        return kst;
      }
    }
    if (!in) {
      ucl_params scratch;
      ucl_params_default(&scratch);
      (void)!ucl_params_set(&scratch, e->key, "0", diag); /* for its did-you-mean */
      ucl_diag_prefix(diag, "%s:%d: ", path, e->line);
      return UCL_ERR_INVAL;
    }
    for (size_t j = 0; j < ucl_ini_count(ini); j++) {
      const ucl_ini_entry *f = ucl_ini_entry_at(ini, j);
      if (strcmp(f->key, e->key) == 0 && strcmp(f->section, "sweep") != 0 &&
          strcmp(f->section, "characterize") != 0) {
        return ucl_diag_set(diag, UCL_ERR_INVAL,
                            "%s:%d: '%s' is swept here and also set in [%s] at line %d; keep "
                            "one",
                            path, e->line, e->key, f->section, f->line);
      }
    }
    if (s->n_axes == MAX_AXES) {
      return ucl_diag_set(diag, UCL_ERR_RANGE, "%s:%d: more than %d swept parameters", path,
                          e->line, MAX_AXES);
    }
    axis *ax = &s->axes[s->n_axes++];
    memset(ax, 0, sizeof(*ax));
    member *m = &ax->m[0];
    ax->n_members = 1;
    m->info = in;
    snprintf(m->key, sizeof(m->key), "%s", e->key);
    m->line = e->line;
    ucl_status st = UCL_OK;
    if (in->kind == UCL_PARAM_CHOICE && mc) {
      st = ucl_diag_set(diag, UCL_ERR_INVAL,
                        "a choice has no tolerance: design = montecarlo draws numbers only");
    } else if (in->kind == UCL_PARAM_CHOICE) {
      st = parse_choices(in, e->value, m, diag);
    } else if (mc) {
      st = parse_tolerance(e->value, in->unit, m, diag);
    } else if (strstr(e->value, "+-")) {
      st = ucl_diag_set(diag, UCL_ERR_INVAL,
                        "'NOMINAL +- TOL%%' is a tolerance: it needs design = montecarlo");
    } else if (!parse_range(e->value, in->unit, m, &st, diag)) {
      st = ucl_values_parse(e->value, in->unit, 100000000, &m->values, &m->n, diag);
    }
    if (st == UCL_OK && in == &synapse_R_info) {
      for (size_t k = 0; m->kind == KIND_LIST && k < m->n && st == UCL_OK; k++) {
        if (!(m->values[k] > 0.0)) {
          st = ucl_diag_set(diag, UCL_ERR_RANGE, "must be > 0 (got %g Ohm)", m->values[k]);
        }
      }
      if (st == UCL_OK && m->kind != KIND_LIST && !(m->lo > 0.0)) {
        st = ucl_diag_set(diag, UCL_ERR_RANGE, "must be > 0 (got %g Ohm)", m->lo);
      }
    } else if (st == UCL_OK && m->kind == KIND_LIST) {
      ucl_params scratch;
      ucl_params_default(&scratch);
      for (size_t k = 0; k < m->n && st == UCL_OK; k++) {
        st = ucl_params_set_value(&scratch, in->name, m->values[k], diag);
      }
    } else if (st == UCL_OK && m->kind == KIND_MC) {
      ucl_params scratch;
      ucl_params_default(&scratch);
      st = ucl_params_set_value(&scratch, in->name, m->nominal, diag);
    } else if (st == UCL_OK) {
      ucl_params scratch;
      ucl_params_default(&scratch);
      st = ucl_params_set_value(&scratch, in->name, m->lo, diag);
      if (st == UCL_OK) {
        st = ucl_params_set_value(&scratch, in->name, m->hi, diag);
      }
    }
    if (st != UCL_OK) {
      ucl_diag_prefix(diag, "%s:%d: %s: ", path, e->line, e->key);
      return st;
    }
    ax->len = m->kind == KIND_LIST ? m->n : 0;
  }

  if (design) {
    if (strcmp(design->value, "grid") == 0) {
      s->design = UCL_DESIGN_GRID;
    } else if (strcmp(design->value, "lhs") == 0) {
      s->design = UCL_DESIGN_LHS;
    } else if (strcmp(design->value, "random") == 0) {
      s->design = UCL_DESIGN_RANDOM;
    } else if (strcmp(design->value, "montecarlo") == 0) {
      s->design = UCL_DESIGN_MONTECARLO;
    } else {
      return ucl_diag_set(diag, UCL_ERR_PARSE,
                          "%s:%d: design: '%s' is not grid, lhs or random, nor montecarlo", path,
                          design->line, design->value);
    }
  }
  if (mc && s->net) {
    return ucl_diag_set(diag, UCL_ERR_INVAL,
                        "%s:%d: design = montecarlo applies to single-neuron sweeps (a network "
                        "sweep takes grid, lhs or random)",
                        path, design->line);
  }
  if (mc && link) {
    return ucl_diag_set(diag, UCL_ERR_INVAL,
                        "%s:%d: link does not apply to design = montecarlo: parts that vary "
                        "together share a lot (lot.NAME = A, B +- TOL%%)",
                        path, link->line);
  }
  if (mc && s->n_axes == 0) {
    return ucl_diag_set(diag, UCL_ERR_INVAL,
                        "%s:%d: design = montecarlo needs one or more parameters with a tolerance "
                        "(R1 = 100k +- 1%%)",
                        path, design->line);
  }
  long n_samples = 0;
  if (samples) {
    if (s->design == UCL_DESIGN_GRID) {
      return ucl_diag_set(diag, UCL_ERR_INVAL,
                          "%s:%d: samples applies to the lhs and random designs; a grid has as "
                          "many points as its values multiply to",
                          path, samples->line);
    }
    ucl_status st = ucl_units_parse_long(samples->value, 1, MAX_POINTS, &n_samples, diag);
    if (st != UCL_OK) {
      ucl_diag_prefix(diag, "%s:%d: samples: ", path, samples->line);
      return st;
    }
  } else if (s->design != UCL_DESIGN_GRID) {
    return ucl_diag_set(diag, UCL_ERR_INVAL, "%s:%d: design %s needs 'samples = N'", path,
                        design->line, design->value);
  }
  for (int a = 0; a < s->n_axes; a++) {
    const member *m = &s->axes[a].m[0];
    if (m->kind != KIND_LIST && s->design == UCL_DESIGN_GRID) {
      return ucl_diag_set(diag, UCL_ERR_INVAL,
                          "%s:%d: %s: range() and logrange() need design = lhs or random; a grid "
                          "takes lists, lin(), log() or eN()",
                          path, m->line, m->key);
    }
  }
  if (link) {
    ucl_status st = apply_links(s, path, link->line, link->value, diag);
    if (st != UCL_OK) {
      return st;
    }
  }
  if (s->design == UCL_DESIGN_GRID) {
    long count = 1;
    for (int a = 0; a < s->n_axes; a++) {
      if ((long)s->axes[a].len > MAX_POINTS / count) {
        return ucl_diag_set(diag, UCL_ERR_RANGE, "%s: the grid has more than %ld points", path,
                            MAX_POINTS);
      }
      count *= (long)s->axes[a].len;
    }
    s->count = count;
  } else {
    s->count = n_samples;
  }
  for (int a = 0; a < s->n_axes; a++) {
    for (int k = 0; k < s->axes[a].n_members; k++) {
      s->swept[s->n_swept++] = s->axes[a].m[k].key;
    }
  }
  return mc ? build_mc(s, path, distribution, sigmas, lots, n_lots, diag) : UCL_OK;
}

/* The sampler of a montecarlo design: [sweep] distribution, sigmas, the lots (lot.NAME = A, B
 * +- TOL%), the parts in axis order (part j = axis j: its u from stream 2j); every part's
 * extreme values checked against its parameter's domain. */
static ucl_status build_mc(ucl_sweep *s, const char *path, const ucl_ini_entry *distribution,
                           const ucl_ini_entry *sigmas, const ucl_ini_entry *const *lots,
                           int n_lots, ucl_diag *diag) {
  ucl_mc_dist dist = UCL_MC_UNIFORM;
  double k = UCL_MC_SIGMAS_DEFAULT;
  const ucl_ini_entry *e = distribution;
  ucl_status st = e ? ucl_mc_dist_parse(e->value, &dist, diag) : UCL_OK;
  if (st == UCL_OK && (e = sigmas) != NULL) {
    st = ucl_units_parse(e->value, NULL, &k, diag);
  }
  if (st == UCL_OK) {
    e = sigmas;
    st = ucl_mc_init(&s->mc, s->seed, dist, k, diag);
  }
  if (st != UCL_OK) {
    ucl_diag_prefix(diag, "%s:%d: %s: ", path, e->line, e->key);
    return st;
  }
  if (s->n_axes > UCL_MC_MAX_PARTS) {
    return ucl_diag_set(
        diag, UCL_ERR_RANGE, "%s:%d: %s: design = montecarlo draws at most %d parameters", path,
        s->axes[UCL_MC_MAX_PARTS].m[0].line, s->axes[UCL_MC_MAX_PARTS].m[0].key, UCL_MC_MAX_PARTS);
  }
  for (int l = 0; l < n_lots; l++) {
    e = lots[l];
    char names[512];
    double tol = 0.0;
    int index = -1;
    st = split_tolerance(e->value, "A, B, ... +- TOL%' such as 'R1, R2 +- 0.5%", names,
                         sizeof(names), &tol, diag);
    if (st == UCL_OK && (e->key[4] == '\0' || strlen(e->key + 4) >= UCL_MC_NAME_MAX)) {
      st = ucl_diag_set(diag, UCL_ERR_PARSE, "a lot's name: 1 to %d characters after 'lot.'",
                        UCL_MC_NAME_MAX - 1);
    }
    if (st == UCL_OK) {
      st = ucl_mc_add_lot(&s->mc, e->key + 4, tol, &index, diag);
    }
    for (char *name = names; st == UCL_OK && name;) {
      char *comma = strchr(name, ',');
      if (comma) {
        *comma = '\0';
      }
      name = trim_blanks(name);
      int mi = 0;
      axis *ax = find_axis_of(s, name, &mi);
      if (!ax) {
        st = ucl_diag_set(diag, UCL_ERR_INVAL, "'%s' has no tolerance in [sweep]", name);
      } else if (ax->m[0].lot >= 0) {
        st = ucl_diag_set(diag, UCL_ERR_INVAL, "'%s' is already in lot %s", name,
                          s->mc.lots[ax->m[0].lot].name);
      } else {
        ax->m[0].lot = index;
      }
      name = comma ? comma + 1 : NULL;
    }
    if (st != UCL_OK) {
      ucl_diag_prefix(diag, "%s:%d: %s: ", path, e->line, e->key);
      return st;
    }
  }
  for (int a = 0; a < s->n_axes; a++) {
    member *m = &s->axes[a].m[0];
    m->part = s->mc.n_parts;
    st = ucl_mc_add_part(&s->mc, m->key, m->nominal, m->tol, m->lot, diag);
    /* the extreme draws stay in the parameter's domain */
    double lt = m->lot >= 0 ? s->mc.lots[m->lot].tol : 0.0;
    double ends[2] = {m->nominal * (1.0 - lt) * (1.0 - m->tol),
                      m->nominal * (1.0 + lt) * (1.0 + m->tol)};
    for (int j = 0; j < 2 && st == UCL_OK; j++) {
      ucl_params scratch;
      ucl_params_default(&scratch);
      st = ucl_params_set_value(&scratch, m->info->name, ends[j], diag);
      if (st != UCL_OK) {
        ucl_diag_prefix(diag, "a draw can reach %.6g: ", ends[j]);
      }
    }
    if (st != UCL_OK) {
      ucl_diag_prefix(diag, "%s:%d: %s: ", path, m->line, m->key);
      return st;
    }
  }
  return UCL_OK;
}

/* Keep copies of the overrides. */
static ucl_status keep_sets(ucl_sweep *s, const char *const *sets, int n_sets, ucl_diag *diag) {
  s->sets = n_sets > 0 ? calloc((size_t)n_sets, sizeof(char *)) : NULL;
  if (n_sets > 0 && !s->sets) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  for (int k = 0; k < n_sets; k++) {
    s->sets[k] = strdup(sets[k]);
    if (!s->sets[k]) {
      return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
    }
    s->n_sets++;
  }
  return UCL_OK;
}

/* An override may change the base configuration only, not a swept key. */
static ucl_status check_sets(const ucl_sweep *s, ucl_diag *diag) {
  for (int k = 0; k < s->n_sets; k++) {
    size_t n = strcspn(s->sets[k], "=");
    for (int j = 0; j < s->n_swept; j++) {
      if (strlen(s->swept[j]) == n && strncmp(s->swept[j], s->sets[k], n) == 0) {
        return ucl_diag_set(diag, UCL_ERR_INVAL,
                            "--set %s: %s is swept ([sweep]); --set changes only the base "
                            "configuration",
                            s->sets[k], s->swept[j]);
      }
    }
  }
  return UCL_OK;
}

/* ---- the canonical expansion (what the points are made of; sweep.h) ---- */

/* Every parameter of p as "PREFIXsection.name = value"; with 'base', only those whose value
 * differs from base's (a network's neurons: the base and each neuron's differences determine
 * every neuron, and a network of 50,000 neurons does not write 5 million lines). */
static void canon_params(FILE *f, const char *prefix, const ucl_params *p, const ucl_params *base) {
  if (base && memcmp(p, base, sizeof(*p)) == 0) {
    return;
  }
  for (size_t k = 0; k < ucl_params_count(); k++) {
    const ucl_param_info *in = ucl_params_info(k);
    double a = 0.0, b = 0.0;
    if (!base && in->section == UCL_SECTION_NOISE && !ucl_params_noise_on(p)) {
      continue; /* noise off: its keys change nothing, and the directories of sweeps started
                   before they existed resume; noise on: every key, defaults included, so that a
                   changed default is a changed spec (docs/outputs.md) */
    }
    if (base && ucl_params_get(p, in->name, &a) == UCL_OK &&
        ucl_params_get(base, in->name, &b) == UCL_OK && memcmp(&a, &b, sizeof(a)) == 0) {
      continue;
    }
    char v[128];
    ucl_params_format(p, in, v, sizeof(v));
    fprintf(f, "%s%s.%s = %s\n", prefix, ucl_params_section_name(in->section), in->name, v);
  }
}

static const char *switch_text(int v) {
  return v == UCL_ON ? "on" : v == UCL_OFF ? "off" : "auto";
}

static void canon_char(FILE *f, const ucl_char_opts *o) {
  fprintf(f, "characterize.threshold = %.17g, %.17g\n", o->thr_lo, o->thr_hi);
  fprintf(f, "characterize.threshold.tol = %.17g\n", o->thr_tol);
  fprintf(f, "characterize.rate_curve =");
  double def[UCL_RATE_AMPS_DEFAULT_N];
  const double *amps = NULL;
  size_t n = ucl_char_rate_amps(o, def, &amps);
  for (size_t k = 0; k < n; k++) {
    fprintf(f, "%s %.17g", k ? "," : "", amps[k]);
  }
  fprintf(f, "\ncharacterize.adaptation = %s\n", switch_text(o->adaptation));
  fprintf(f, "characterize.adaptation.amplitude = %.17g\n", o->adapt_amplitude);
  fprintf(f, "characterize.adaptation.window = %.17g\n", o->adapt_window);
  fprintf(f, "characterize.rheobase = %s\n", switch_text(o->rheobase));
  fprintf(f, "characterize.tau_leak = %s\n", switch_text(o->tau_leak));
  fprintf(f, "characterize.tau_leak.amplitude = %.17g\n", o->leak_amplitude);
  fprintf(f, "characterize.tau_leak.width = %.17g\n", o->leak_width);
  fprintf(f, "characterize.tau_leak.window = %.17g\n", o->leak_window);
  fprintf(f, "characterize.tau_ref = %s\n", switch_text(o->tau_ref));
  fprintf(f, "characterize.tau_ref.window = %.17g\n", o->ref_window);
  fprintf(f, "characterize.energy = %s\n", switch_text(o->energy));
  fprintf(f, "characterize.curve_tracer = %s\n", switch_text(o->curve_tracer));
  fprintf(f, "characterize.tempco = %.17g\n", o->tempco_dT);
}

static void canon_network(FILE *f, const ucl_network *net) {
  canon_params(f, "network.base.", &net->base, NULL); /* (a sweep point runs integration = auto) */
  /* the coupled integration's forms, only when not the default (older canonical files stay the
   * same bytes): they change results within the tolerance, so a resume must not mix them */
  if (net->jacobian != UCL_NET_JAC_DENSE) {
    fprintf(f, "network.jacobian = sparse\n");
  }
  if (net->reinit != UCL_NET_REINIT_ALL) {
    fprintf(f, "network.reinit = switches\n");
  }
  for (size_t k = 0; k < net->n_neurons; k++) {
    const ucl_net_neuron *nn = &net->neurons[k];
    char prefix[UCL_NET_NAME_MAX + 16];
    snprintf(prefix, sizeof(prefix), "neuron.%s.", nn->name);
    fprintf(f, "neuron.%s = %zu, external %d\n", nn->name, k, nn->external);
    canon_params(f, prefix, &nn->p, &net->base);
  }
  for (size_t k = 0; k < net->n_synapses; k++) {
    const ucl_net_synapse *sy = &net->synapses[k];
    fprintf(f, "synapse.%s = %s -> %s, R %.17g, diode %d, tap_clamp %d\n", sy->name,
            net->neurons[sy->from].name, net->neurons[sy->to].name, sy->R, sy->diode,
            sy->tap_clamp);
  }
}

/* The canonical expansion: one "key = value" line per thing a point is made of, every number at
 * full precision, in a fixed order. Comments, blank space, the order of keys in the file, units
 * written differently (10k, 10000) and [run] name do not change it; any change of a value does. */
static ucl_status make_canonical(ucl_sweep *s, ucl_diag *diag) {
  static const char *const designs[] = {"grid", "lhs", "random", "montecarlo"};
  static const char *const kinds[] = {"list", "range", "logrange", "tolerance"};
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  if (!f) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  fprintf(f, "kind = %s\n", s->net ? "network" : "neuron");
  fprintf(f, "sweep.design = %s\n", designs[s->design]);
  if (s->design != UCL_DESIGN_GRID) { /* a grid's points do not depend on the seed */
    fprintf(f, "run.seed = %" PRIu64 "\n", s->seed);
  }
  fprintf(f, "points = %ld\n", s->count);
  if (s->design == UCL_DESIGN_MONTECARLO) {
    fprintf(f, "sweep.distribution = %s\nsweep.sigmas = %.17g\n", ucl_mc_dist_name(s->mc.dist),
            s->mc.sigmas);
    for (int l = 0; l < s->mc.n_lots; l++) {
      fprintf(f, "sweep.lot.%s = %.17g\n", s->mc.lots[l].name, s->mc.lots[l].tol);
    }
  }
  if (s->net) {
    canon_network(f, s->net);
  } else {
    canon_params(f, "", &s->base, NULL);
    canon_char(f, &s->chr.opts);
  }
  for (int a = 0; a < s->n_axes; a++) {
    const axis *ax = &s->axes[a];
    for (int m = 0; m < ax->n_members; m++) {
      const member *mb = &ax->m[m];
      fprintf(f, "sweep.%s = axis %d, %s", mb->key, a, kinds[mb->kind]);
      if (mb->kind == KIND_LIST) {
        for (size_t k = 0; k < mb->n; k++) {
          fprintf(f, "%s%.17g", k ? ", " : " ", mb->values[k]);
        }
      } else if (mb->kind == KIND_MC) {
        fprintf(f, " %.17g +- %.17g, lot %s", mb->nominal, mb->tol,
                mb->lot >= 0 ? s->mc.lots[mb->lot].name : "none");
      } else {
        fprintf(f, " %.17g, %.17g", mb->lo, mb->hi);
      }
      fputc('\n', f);
    }
  }
  if (fclose(f) != 0 || !text) {
    free(text);
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  s->canonical = text;
  s->hash = fnv1a(text);
  return UCL_OK;
}

ucl_status ucl_sweep_parse(const char *name, const char *text, ucl_sweep **out, ucl_diag *diag) {
  return ucl_sweep_parse_sets(name, text, NULL, 0, out, diag);
}

ucl_status ucl_sweep_parse_sets(const char *name, const char *text, const char *const *sets,
                                int n_sets, ucl_sweep **out, ucl_diag *diag) {
  ucl_ini *ini = NULL;
  ucl_status st = ucl_ini_parse(name, text, &ini, diag);
  if (st != UCL_OK) {
    return st;
  }
  ucl_sweep *s = calloc(1, sizeof(*s));
  if (!s) {
    ucl_ini_destroy(&ini);
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  s->text = strdup(text);
  const char *base = strrchr(name, '/');
  base = base ? base + 1 : name;
  s->name = strdup(base);
  if (s->name) {
    char *dot = strrchr(s->name, '.');
    if (dot && dot != s->name) {
      *dot = '\0';
    }
  }
  st = s->name && s->text ? UCL_OK : ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  if (st == UCL_OK) {
    st = keep_sets(s, sets, n_sets, diag);
  }
  if (st == UCL_OK && ucl_ini_is_network(ini)) {
    /* a network sweep: every point is the network with the swept keys set (NAME.KEY) */
    for (size_t k = 0; k < ucl_ini_n_sections(ini); k++) {
      int line = 0;
      if (strcmp(ucl_ini_section(ini, k, &line), "characterize") == 0) {
        st = ucl_diag_set(diag, UCL_ERR_INVAL,
                          "%s:%d: [characterize] does not apply to a network sweep (every point "
                          "is one simulation of the network; docs/spec.md)",
                          name, line);
      }
    }
    if (st == UCL_OK) {
      st = ucl_network_from_ini(name, ini, sets, n_sets, &s->net, diag);
    }
  }
  if (st == UCL_OK) {
    /* a network's overrides (NEURON.KEY, SYNAPSE.R) went to its neurons above */
    st = ucl_spec_apply_ini(name, ini, s->net ? NULL : sets, s->net ? 0 : n_sets, &s->base, diag);
  }
  if (st == UCL_OK) {
    st = ucl_spec_char_from_ini(name, ini, &s->chr, diag);
  }
  if (st == UCL_OK) {
    st = parse_sweep(s, name, ini, diag);
  }
  if (st == UCL_OK) {
    st = check_sets(s, diag);
  }
  if (st == UCL_OK && !sweeps_noise(s)) {
    st = ucl_spec_check_trials(name, &s->chr, &s->base, diag); /* trials without noise */
  }
  if (st == UCL_OK) {
    st = make_canonical(s, diag);
  }
  if (s->net) {
    s->ini = ini; /* kept: each point's network is built from it */
    ini = NULL;
    s->ini_name = strdup(name);
    if (!s->ini_name && st == UCL_OK) {
      st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
    }
  }
  ucl_ini_destroy(&ini);
  if (st != UCL_OK) {
    ucl_sweep_destroy(&s);
    return st;
  }
  *out = s;
  return UCL_OK;
}

ucl_status ucl_sweep_load(const char *path, ucl_sweep **out, ucl_diag *diag) {
  return ucl_sweep_load_sets(path, NULL, 0, out, diag);
}

ucl_status ucl_sweep_load_sets(const char *path, const char *const *sets, int n_sets,
                               ucl_sweep **out, ucl_diag *diag) {
  char *text = NULL;
  ucl_status st = ucl_read_text_file(path, &text, diag);
  if (st == UCL_OK) {
    st = ucl_sweep_parse_sets(path, text, sets, n_sets, out, diag);
  }
  free(text);
  return st;
}

/* ---- points ---- */

static double member_value(const member *m, size_t k, double u) {
  switch (m->kind) {
  case KIND_RANGE:
    return m->lo + u * (m->hi - m->lo);
  case KIND_LOGRANGE:
    return exp(log(m->lo) + u * (log(m->hi) - log(m->lo)));
  case KIND_MC: /* u is the drawn value (axis_pick) */
    return u;
  default:
    return m->values[k];
  }
}

/* The value index k (lists) and uniform u (ranges) of axis a at point i; 'rest' carries the grid
 * index from the last axis to the first. */
static void axis_pick(const ucl_sweep *s, long i, int a, long *rest, size_t *k, double *u) {
  const axis *ax = &s->axes[a];
  *k = 0;
  *u = 0.0;
  if (s->design == UCL_DESIGN_GRID) {
    *k = (size_t)(*rest % (long)ax->len); /* the last axis varies fastest */
    *rest /= (long)ax->len;
    return;
  }
  if (s->design == UCL_DESIGN_MONTECARLO) { /* point i is draw i of the sampler */
    double v[UCL_MC_MAX_PARTS];
    ucl_mc_draw(&s->mc, i, v);
    *u = v[ax->m[0].part];
    return;
  }
  double r = ucl_rng_uniform(s->seed, (uint64_t)i, (uint64_t)a);
  if (s->design == UCL_DESIGN_LHS) {
    uint64_t stratum =
        ucl_rng_permute((uint64_t)i, (uint64_t)s->count, s->seed * 1000003ULL + (uint64_t)a);
    *u = ((double)stratum + r) / (double)s->count;
  } else {
    *u = r;
  }
  if (ax->len > 0) {
    *k = (size_t)(*u * (double)ax->len);
    if (*k >= ax->len) {
      *k = ax->len - 1;
    }
  }
}

ucl_status ucl_sweep_point(const ucl_sweep *s, long i, ucl_params *out, ucl_diag *diag) {
  if (i < 0 || i >= s->count) {
    return ucl_diag_set(diag, UCL_ERR_RANGE, "point %ld is outside 0 .. %ld", i, s->count - 1);
  }
  ucl_params p = s->base;
  long rest = i;
  for (int a = s->n_axes - 1; a >= 0 && !s->net; a--) {
    const axis *ax = &s->axes[a];
    size_t k;
    double u;
    axis_pick(s, i, a, &rest, &k, &u);
    for (int m = 0; m < ax->n_members; m++) {
      const member *mb = &ax->m[m];
      ucl_status st = ucl_params_set_value(&p, mb->info->name, member_value(mb, k, u), diag);
      if (st != UCL_OK) {
        return st;
      }
    }
  }
  p.noise.stream = (uint64_t)i; /* a point's noise: (spec, point, noise.seed) alone */
  *out = p;
  const char *bad = NULL;
  return ucl_params_validate(&p, &bad, diag);
}

int ucl_sweep_is_network(const ucl_sweep *s) {
  return s->net != NULL;
}

const ucl_network *ucl_sweep_base_network(const ucl_sweep *s) {
  return s->net;
}

/* Value k and uniform u of every axis at point i. */
static void point_picks(const ucl_sweep *s, long i, size_t *ks, double *us) {
  long rest = i;
  for (int a = s->n_axes - 1; a >= 0; a--) {
    axis_pick(s, i, a, &rest, &ks[a], &us[a]);
  }
}

/* The text of a member's value: the choice's name, or the number. */
static void member_text(const member *mb, double v, char *buf, size_t n) {
  if (mb->info->kind != UCL_PARAM_CHOICE) {
    snprintf(buf, n, "%.17g", v);
    return;
  }
  const char *c = mb->info->choices;
  for (long j = 0; j < (long)v && c; j++) {
    c = strchr(c, '|');
    c = c ? c + 1 : NULL;
  }
  snprintf(buf, n, "%.*s", c ? (int)strcspn(c, "|") : 0, c ? c : "");
}

ucl_status ucl_sweep_point_texts(const ucl_sweep *s, long i, char (*texts)[64], ucl_diag *diag) {
  if (i < 0 || i >= s->count) {
    return ucl_diag_set(diag, UCL_ERR_RANGE, "point %ld is outside 0 .. %ld", i, s->count - 1);
  }
  size_t ks[MAX_AXES];
  double us[MAX_AXES];
  point_picks(s, i, ks, us);
  int n = 0;
  for (int a = 0; a < s->n_axes; a++) {
    for (int m = 0; m < s->axes[a].n_members; m++) {
      const member *mb = &s->axes[a].m[m];
      member_text(mb, member_value(mb, ks[a], us[a]), texts[n++], 64);
    }
  }
  return UCL_OK;
}

ucl_status ucl_sweep_network(const ucl_sweep *s, long i, ucl_network **out, ucl_diag *diag) {
  if (!s->net) {
    return ucl_diag_set(diag, UCL_ERR_INVAL, "not a network sweep");
  }
  char(*texts)[64] = malloc((size_t)(s->n_swept > 0 ? s->n_swept : 1) * sizeof(*texts));
  char(*buf)[160] = malloc((size_t)(s->n_swept > 0 ? s->n_swept : 1) * sizeof(*buf));
  /* the overrides of the base first, then the point's swept values */
  const char **sets = malloc((size_t)(s->n_sets + s->n_swept + 1) * sizeof(char *));
  ucl_status st = (texts && buf && sets) ? ucl_sweep_point_texts(s, i, texts, diag)
                                         : ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  for (int k = 0; st == UCL_OK && k < s->n_sets; k++) {
    sets[k] = s->sets[k];
  }
  for (int k = 0; st == UCL_OK && k < s->n_swept; k++) {
    snprintf(buf[k], sizeof(buf[k]), "%s=%s", s->swept[k], texts[k]);
    sets[s->n_sets + k] = buf[k];
  }
  if (st == UCL_OK) {
    st = ucl_network_from_ini(s->ini_name, s->ini, sets, s->n_sets + s->n_swept, out, diag);
  }
  if (st == UCL_OK) { /* a point's noise: (spec, point, noise.seed) alone */
    (*out)->base.noise.stream = (uint64_t)i;
    for (size_t k = 0; k < (*out)->n_neurons; k++) {
      (*out)->neurons[k].p.noise.stream = (uint64_t)i;
    }
  }
  free(texts);
  free(buf);
  free(sets);
  return st;
}
