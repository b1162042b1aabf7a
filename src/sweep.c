/* sweep.c — sweep specifications: axes, designs, point(i) (docs/spec.md). */
#include "uclif/sweep.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "uclif/ini.h"
#include "uclif/spec.h"
#include "uclif/units.h"

#define MAX_AXES 64
#define MAX_MEMBERS 16
#define MAX_POINTS 1000000000L

enum { KIND_LIST = 0, KIND_RANGE = 1, KIND_LOGRANGE = 2 };

typedef struct member {
  const ucl_param_info *info;
  int kind;       /* KIND_* */
  double *values; /* KIND_LIST: n values (a choice key: the indices) */
  size_t n;
  double lo, hi; /* ranges */
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
  int n_axes;
  const char *swept[MAX_AXES * MAX_MEMBERS];
  int n_swept;
};

/* ---- the counter-based generator ---- */

static uint64_t mix64(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double ucl_sweep_uniform(uint64_t seed, uint64_t a, uint64_t b) {
  uint64_t h = mix64(mix64(mix64(seed) ^ a) ^ (b * 0x632be59bd9b4e019ULL));
  return (double)(h >> 11) * 0x1.0p-53;
}

uint64_t ucl_sweep_permute(uint64_t x, uint64_t n, uint64_t key) {
  if (n <= 1) {
    return 0;
  }
  int bits = 2;
  while (bits < 62 && (1ULL << bits) < n) {
    bits += 2;
  }
  int half = bits / 2;
  uint64_t mask = (1ULL << half) - 1;
  do {
    uint64_t l = x >> half, r = x & mask;
    for (uint64_t round = 0; round < 4; round++) {
      uint64_t nl = r;
      r = l ^ (mix64(key ^ (round << 56) ^ r) & mask);
      l = nl;
    }
    x = (l << half) | r;
  } while (x >= n);
  return x;
}

static uint64_t fnv1a(const char *s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (; *s; s++) {
    h ^= (unsigned char)*s;
    h *= 0x100000001b3ULL;
  }
  return h;
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
uint64_t ucl_sweep_seed(const ucl_sweep *s) {
  return s->seed;
}
uint64_t ucl_sweep_hash(const ucl_sweep *s) {
  return s->hash;
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
  free(s->name);
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

static axis *find_axis_of(ucl_sweep *s, const char *name, int *member_idx) {
  for (int a = 0; a < s->n_axes; a++) {
    for (int k = 0; k < s->axes[a].n_members; k++) {
      if (strcmp(s->axes[a].m[k].info->name, name) == 0) {
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
      while (*name == ' ' || *name == '\t') {
        name++;
      }
      size_t nl = strlen(name);
      while (nl > 0 && (name[nl - 1] == ' ' || name[nl - 1] == '\t')) {
        name[--nl] = '\0';
      }
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
                              path, line, name, ax->len, first->m[0].info->name, first->len);
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

static ucl_status parse_sweep(ucl_sweep *s, const char *path, const ucl_ini *ini, ucl_diag *diag) {
  const ucl_ini_entry *design = NULL, *samples = NULL, *link = NULL;
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
    const ucl_param_info *in = ucl_params_find(e->key);
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
    m->line = e->line;
    ucl_status st = UCL_OK;
    if (in->kind == UCL_PARAM_CHOICE) {
      st = parse_choices(in, e->value, m, diag);
    } else if (!parse_range(e->value, in->unit, m, &st, diag)) {
      st = ucl_values_parse(e->value, in->unit, 100000000, &m->values, &m->n, diag);
    }
    if (st == UCL_OK && m->kind == KIND_LIST) {
      ucl_params scratch;
      ucl_params_default(&scratch);
      for (size_t k = 0; k < m->n && st == UCL_OK; k++) {
        st = ucl_params_set_value(&scratch, in->name, m->values[k], diag);
      }
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
    } else {
      return ucl_diag_set(diag, UCL_ERR_PARSE, "%s:%d: design: '%s' is not grid, lhs or random",
                          path, design->line, design->value);
    }
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
                          path, m->line, m->info->name);
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
      s->swept[s->n_swept++] = s->axes[a].m[k].info->name;
    }
  }
  return UCL_OK;
}

ucl_status ucl_sweep_parse(const char *name, const char *text, ucl_sweep **out, ucl_diag *diag) {
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
  s->hash = fnv1a(text);
  const char *base = strrchr(name, '/');
  base = base ? base + 1 : name;
  s->name = strdup(base);
  if (s->name) {
    char *dot = strrchr(s->name, '.');
    if (dot && dot != s->name) {
      *dot = '\0';
    }
  }
  st = s->name ? UCL_OK : ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  for (size_t k = 0; st == UCL_OK && k < ucl_ini_n_sections(ini); k++) {
    int line = 0;
    const char *sec = ucl_ini_section(ini, k, &line);
    if (strcmp(sec, "network") == 0 || strcmp(sec, "layers") == 0 ||
        strncmp(sec, "neuron.", 7) == 0 || strncmp(sec, "synapse.", 8) == 0) {
      st = ucl_diag_set(diag, UCL_ERR_INVAL,
                        "%s:%d: [%s]: sweeps take single-neuron specs; a network is simulated "
                        "with `uclif simulate` (--set NEURON.KEY=V, --set SYNAPSE.R=V)",
                        name, line, sec);
    }
  }
  if (st == UCL_OK) {
    st = ucl_spec_apply_ini(name, ini, NULL, 0, &s->base, diag);
  }
  if (st == UCL_OK) {
    st = ucl_spec_char_from_ini(name, ini, &s->chr, diag);
  }
  if (st == UCL_OK) {
    st = parse_sweep(s, name, ini, diag);
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
  char *text = NULL;
  ucl_status st = ucl_read_text_file(path, &text, diag);
  if (st == UCL_OK) {
    st = ucl_sweep_parse(path, text, out, diag);
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
  default:
    return m->values[k];
  }
}

ucl_status ucl_sweep_point(const ucl_sweep *s, long i, ucl_params *out, ucl_diag *diag) {
  if (i < 0 || i >= s->count) {
    return ucl_diag_set(diag, UCL_ERR_RANGE, "point %ld is outside 0 .. %ld", i, s->count - 1);
  }
  ucl_params p = s->base;
  long rest = i;
  for (int a = s->n_axes - 1; a >= 0; a--) {
    const axis *ax = &s->axes[a];
    size_t k = 0;
    double u = 0.0;
    if (s->design == UCL_DESIGN_GRID) {
      k = (size_t)(rest % (long)ax->len); /* the last axis varies fastest */
      rest /= (long)ax->len;
    } else {
      double r = ucl_sweep_uniform(s->seed, (uint64_t)i, (uint64_t)a);
      if (s->design == UCL_DESIGN_LHS) {
        uint64_t stratum =
            ucl_sweep_permute((uint64_t)i, (uint64_t)s->count, s->seed * 1000003ULL + (uint64_t)a);
        u = ((double)stratum + r) / (double)s->count;
      } else {
        u = r;
      }
      if (ax->len > 0) {
        k = (size_t)(u * (double)ax->len);
        if (k >= ax->len) {
          k = ax->len - 1;
        }
      }
    }
    for (int m = 0; m < ax->n_members; m++) {
      const member *mb = &ax->m[m];
      ucl_status st = ucl_params_set_value(&p, mb->info->name, member_value(mb, k, u), diag);
      if (st != UCL_OK) {
        return st;
      }
    }
  }
  *out = p;
  const char *bad = NULL;
  return ucl_params_validate(&p, &bad, diag);
}
