/* network.c — network descriptions from spec files: explicit [neuron.NAME] and [synapse.NAME]
 * sections, a [layers] generator (feed-forward) or a [recurrent] one, per-neuron overrides, and
 * checks. The integration lives in netrun.c. */
#include "uclif/network.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uclif/circuit.h"
#include "uclif/ini.h"
#include "uclif/spec.h"
#include "uclif/rng.h"
#include "uclif/units.h"

#define NEURON_PREFIX "neuron."
#define SYNAPSE_PREFIX "synapse."
#define MAX_NEURONS 1000000   /* a generated network's neurons ... */
#define MAX_SYNAPSES 10000000 /* ... and synapses (about 0.6 GB each at most) */
#define MAX_LAYERS 64

static int has_prefix(const char *s, const char *p) {
  return strncmp(s, p, strlen(p)) == 0;
}

int ucl_ini_is_network(const ucl_ini *ini) {
  for (size_t i = 0; ini && i < ucl_ini_n_sections(ini); i++) {
    const char *s = ucl_ini_section(ini, i, NULL);
    if (strcmp(s, "network") == 0 || strcmp(s, "layers") == 0 || strcmp(s, "recurrent") == 0 ||
        has_prefix(s, NEURON_PREFIX) || has_prefix(s, SYNAPSE_PREFIX)) {
      return 1;
    }
  }
  return 0;
}

void ucl_network_destroy(ucl_network **net) {
  if (net && *net) {
    free((*net)->neurons);
    free((*net)->synapses);
    free(*net);
    *net = NULL;
  }
}

long ucl_network_find(const ucl_network *net, const char *name) {
  for (size_t i = 0; i < net->n_neurons; i++) {
    if (strcmp(net->neurons[i].name, name) == 0) {
      return (long)i;
    }
  }
  return -1;
}

static long find_synapse(const ucl_network *net, const char *name) {
  for (size_t i = 0; i < net->n_synapses; i++) {
    if (strcmp(net->synapses[i].name, name) == 0) {
      return (long)i;
    }
  }
  return -1;
}

/* Names: letters, digits, '_' and '-' (no '.', which separates NAME.KEY in overrides). */
static ucl_status check_name(const char *what, const char *name, ucl_diag *diag) {
  size_t n = strlen(name);
  if (n == 0 || n >= UCL_NET_NAME_MAX) {
    return ucl_diag_set(diag, UCL_ERR_PARSE, "%s name '%s' must have 1 to %d characters", what,
                        name, UCL_NET_NAME_MAX - 1);
  }
  for (size_t i = 0; i < n; i++) {
    char c = name[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-')) {
      return ucl_diag_set(diag, UCL_ERR_PARSE,
                          "%s name '%s': only letters, digits, '_' and '-' are allowed", what,
                          name);
    }
  }
  return UCL_OK;
}

static ucl_status parse_yes_no(const char *text, int *out, ucl_diag *diag) {
  if (strcmp(text, "yes") == 0 || strcmp(text, "true") == 0 || strcmp(text, "1") == 0) {
    *out = 1;
  } else if (strcmp(text, "no") == 0 || strcmp(text, "false") == 0 || strcmp(text, "0") == 0) {
    *out = 0;
  } else {
    return ucl_diag_set(diag, UCL_ERR_PARSE, "expected yes or no (got '%s')", text);
  }
  return UCL_OK;
}

/* A per-neuron key: a circuit or stimulus parameter (solver keys belong to the network). */
static ucl_status set_neuron_key(ucl_net_neuron *nn, const char *key, const char *value,
                                 int *input_mode, ucl_diag *diag) {
  if (strcmp(key, "input") == 0) {
    if (strcmp(value, "external") == 0) {
      *input_mode = 1;
    } else if (strcmp(value, "none") == 0) {
      *input_mode = 0;
    } else if (strcmp(value, "auto") == 0) {
      *input_mode = -1;
    } else {
      return ucl_diag_set(diag, UCL_ERR_PARSE, "input: expected external, none or auto (got '%s')",
                          value);
    }
    return UCL_OK;
  }
  const ucl_param_info *info = ucl_params_find(key);
  if (info && info->section == UCL_SECTION_SOLVER) {
    return ucl_diag_set(diag, UCL_ERR_INVAL,
                        "'%s' is a solver setting of the whole network: set it in [solver]", key);
  }
  if (info && strcmp(key, "duration") == 0) {
    return ucl_diag_set(diag, UCL_ERR_INVAL,
                        "'duration' is the whole network's simulated time: set it in [stimulus]");
  }
  if (!info) {
    return ucl_diag_set(diag, UCL_ERR_INVAL,
                        "unknown key (a neuron takes 'input' and the [circuit] and [stimulus] "
                        "keys: uclif params lists them)");
  }
  return ucl_params_set(&nn->p, key, value, diag);
}

static ucl_status set_synapse_key(ucl_net_synapse *s, const char *key, const char *value,
                                  ucl_diag *diag) {
  if (strcmp(key, "R") == 0) {
    double r;
    ucl_status st = ucl_units_parse(value, "Ohm", &r, diag);
    if (st == UCL_OK && !(r > 0.0)) {
      st = ucl_diag_set(diag, UCL_ERR_RANGE, "R must be > 0 (got %g Ohm)", r);
    }
    if (st == UCL_OK) {
      s->R = r;
    }
    return st;
  }
  if (strcmp(key, "diode") == 0) {
    return parse_yes_no(value, &s->diode, diag);
  }
  if (strcmp(key, "tap") == 0) {
    /* out and axon name the same node, T2's drain, since the output is taken there (axon is
     * kept for older specs); clamp is type II's node after R6 (docs/model.md N3) */
    if (strcmp(value, "out") == 0 || strcmp(value, "axon") == 0 || strcmp(value, "clamp") == 0) {
      s->tap_clamp = value[0] == 'c';
      return UCL_OK;
    }
    return ucl_diag_set(diag, UCL_ERR_PARSE, "tap: expected out, axon or clamp (got '%s')", value);
  }
  return ucl_diag_set(diag, UCL_ERR_INVAL, "unknown synapse key '%s' (from, to, R, diode, tap)",
                      key);
}

/* A growing array of neurons and synapses while parsing. */
typedef struct builder {
  ucl_network *net;
  size_t cap_n, cap_s;
  int *input_mode; /* per neuron: 1 external, 0 none, -1 auto */
  int *line;       /* per neuron: its section's line (0: generated) */
} builder;

/* Room for n neurons and m synapses in all. */
static ucl_status reserve(builder *b, size_t n, size_t m, ucl_diag *diag) {
  ucl_network *net = b->net;
  if (n > b->cap_n) {
    void *a = realloc(net->neurons, n * sizeof(*net->neurons));
    if (a) {
      net->neurons = a;
    }
    void *im = a ? realloc(b->input_mode, n * sizeof(int)) : NULL;
    if (im) {
      b->input_mode = im;
    }
    void *l = im ? realloc(b->line, n * sizeof(int)) : NULL;
    if (!l) {
      return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory for %zu neurons", n);
    }
    b->line = l;
    b->cap_n = n;
  }
  if (m > b->cap_s) {
    void *a = realloc(net->synapses, m * sizeof(*net->synapses));
    if (!a) {
      return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory for %zu synapses", m);
    }
    net->synapses = a;
    b->cap_s = m;
  }
  return UCL_OK;
}

static ucl_status add_neuron(builder *b, const char *name, int line, ucl_diag *diag) {
  ucl_network *net = b->net;
  if (net->n_neurons == b->cap_n) {
    ucl_status st = reserve(b, b->cap_n ? 2 * b->cap_n : 16, b->cap_s, diag);
    if (st != UCL_OK) {
      return st;
    }
  }
  ucl_net_neuron *nn = &net->neurons[net->n_neurons];
  memset(nn, 0, sizeof(*nn));
  snprintf(nn->name, sizeof(nn->name), "%s", name);
  nn->p = net->base;
  b->input_mode[net->n_neurons] = -1;
  b->line[net->n_neurons] = line;
  net->n_neurons++;
  return UCL_OK;
}

static ucl_status add_synapse(builder *b, const char *name, size_t from, size_t to, double R,
                              int diode, ucl_diag *diag) {
  ucl_network *net = b->net;
  if (net->n_synapses == b->cap_s) {
    ucl_status st = reserve(b, b->cap_n, b->cap_s ? 2 * b->cap_s : 16, diag);
    if (st != UCL_OK) {
      return st;
    }
  }
  ucl_net_synapse *s = &net->synapses[net->n_synapses];
  memset(s, 0, sizeof(*s));
  snprintf(s->name, sizeof(s->name), "%s", name);
  s->from = from;
  s->to = to;
  s->R = R;
  s->diode = diode;
  net->n_synapses++;
  return UCL_OK;
}

/* The entries of section 'sec', in file order. */
static const ucl_ini_entry *next_in(const ucl_ini *ini, const char *sec, size_t *i) {
  for (; *i < ucl_ini_count(ini); (*i)++) {
    const ucl_ini_entry *e = ucl_ini_entry_at(ini, *i);
    if (strcmp(e->section, sec) == 0) {
      (*i)++;
      return e;
    }
  }
  return NULL;
}

static ucl_status parse_neurons(const char *path, const ucl_ini *ini, builder *b, ucl_diag *diag) {
  for (size_t k = 0; k < ucl_ini_n_sections(ini); k++) {
    int line = 0;
    const char *sec = ucl_ini_section(ini, k, &line);
    if (!has_prefix(sec, NEURON_PREFIX)) {
      continue;
    }
    const char *name = sec + strlen(NEURON_PREFIX);
    ucl_status st = check_name("neuron", name, diag);
    if (st == UCL_OK && ucl_network_find(b->net, name) >= 0) {
      st = ucl_diag_set(diag, UCL_ERR_PARSE, "neuron '%s' defined twice", name);
    }
    if (st == UCL_OK) {
      st = add_neuron(b, name, line, diag);
    }
    if (st != UCL_OK) {
      ucl_diag_prefix(diag, "%s:%d: ", path, line);
      return st;
    }
    size_t first = 0, n_keys = ucl_ini_section_entries(ini, k, &first);
    size_t idx = b->net->n_neurons - 1;
    for (size_t i = first; i < first + n_keys; i++) {
      const ucl_ini_entry *e = ucl_ini_entry_at(ini, i);
      st = set_neuron_key(&b->net->neurons[idx], e->key, e->value, &b->input_mode[idx], diag);
      if (st != UCL_OK) {
        ucl_diag_prefix(diag, "%s:%d: [%s] %s: ", path, e->line, sec, e->key);
        return st;
      }
    }
  }
  return UCL_OK;
}

static ucl_status parse_synapses(const char *path, const ucl_ini *ini, builder *b, ucl_diag *diag) {
  for (size_t k = 0; k < ucl_ini_n_sections(ini); k++) {
    int line = 0;
    const char *sec = ucl_ini_section(ini, k, &line);
    if (!has_prefix(sec, SYNAPSE_PREFIX)) {
      continue;
    }
    const char *name = sec + strlen(SYNAPSE_PREFIX);
    ucl_status st = check_name("synapse", name, diag);
    if (st == UCL_OK && find_synapse(b->net, name) >= 0) {
      st = ucl_diag_set(diag, UCL_ERR_PARSE, "synapse '%s' defined twice", name);
    }
    if (st == UCL_OK) {
      st = add_synapse(b, name, 0, 0, 10e3, 0, diag);
    }
    if (st != UCL_OK) {
      ucl_diag_prefix(diag, "%s:%d: ", path, line);
      return st;
    }
    ucl_net_synapse *s = &b->net->synapses[b->net->n_synapses - 1];
    int have_from = 0, have_to = 0;
    size_t first = 0, n_keys = ucl_ini_section_entries(ini, k, &first);
    for (size_t i = first; i < first + n_keys; i++) {
      const ucl_ini_entry *e = ucl_ini_entry_at(ini, i);
      if (strcmp(e->key, "from") == 0 || strcmp(e->key, "to") == 0) {
        long n = ucl_network_find(b->net, e->value);
        if (n < 0) {
          return ucl_diag_set(diag, UCL_ERR_INVAL,
                              "%s:%d: [%s] %s: no neuron '%s' (define it in a [neuron.%s] section)",
                              path, e->line, sec, e->key, e->value, e->value);
        }
        if (e->key[0] == 'f') {
          s->from = (size_t)n;
          have_from = 1;
        } else {
          s->to = (size_t)n;
          have_to = 1;
        }
        continue;
      }
      st = set_synapse_key(s, e->key, e->value, diag);
      if (st != UCL_OK) {
        ucl_diag_prefix(diag, "%s:%d: [%s] ", path, e->line, sec);
        return st;
      }
    }
    if (!have_from || !have_to) {
      return ucl_diag_set(diag, UCL_ERR_INVAL, "%s:%d: [%s] needs both 'from' and 'to'", path, line,
                          sec);
    }
  }
  return UCL_OK;
}

/* ---- [layers]: a layered feed-forward network ---- */

typedef struct layers_spec {
  long sizes[MAX_LAYERS];
  int n_layers;
  int types[MAX_LAYERS]; /* neuron type per layer */
  int n_types;
  int random;      /* connectivity: 0 full, 1 random */
  long fan_in;     /* random: inputs per neuron */
  double R, R_max; /* R_max > 0: log-uniform in [R, R_max] */
  int diode;
  uint64_t seed;
  double jitter; /* s, first layer's stimulus start offsets in [0, jitter) */
} layers_spec;

static ucl_status parse_list_long(const char *text, long *out, int cap, int *n, ucl_diag *diag) {
  double *v = NULL;
  size_t m = 0;
  ucl_status st = ucl_values_parse(text, "", (size_t)cap, &v, &m, diag);
  if (st != UCL_OK) {
    return st;
  }
  for (size_t i = 0; i < m; i++) {
    if (!(v[i] >= 1.0) || v[i] != floor(v[i]) || v[i] > MAX_NEURONS) {
      st = ucl_diag_set(diag, UCL_ERR_RANGE,
                        "layer sizes must be whole numbers from 1 to %d "
                        "(got %g)",
                        MAX_NEURONS, v[i]);
      break;
    }
    out[i] = (long)v[i];
  }
  *n = (int)m;
  free(v);
  return st;
}

static ucl_status parse_layers_section(const char *path, const ucl_ini *ini, layers_spec *L,
                                       int *line_out, ucl_diag *diag) {
  memset(L, 0, sizeof(*L));
  L->R = 10e3;
  L->seed = 1;
  int have_sizes = 0, have_fan = 0;
  size_t i = 0;
  const ucl_ini_entry *e;
  ucl_status st = UCL_OK;
  while ((e = next_in(ini, "layers", &i)) != NULL) {
    *line_out = e->line;
    if (strcmp(e->key, "sizes") == 0) {
      st = parse_list_long(e->value, L->sizes, MAX_LAYERS, &L->n_layers, diag);
      have_sizes = 1;
    } else if (strcmp(e->key, "types") == 0) {
      char *copy = strdup(e->value);
      if (!copy) {
        return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
      }
      char *save = NULL;
      for (char *tok = strtok_r(copy, ", ", &save); tok && st == UCL_OK;
           tok = strtok_r(NULL, ", ", &save)) {
        ucl_params tmp;
        ucl_params_default(&tmp);
        if (L->n_types == MAX_LAYERS) {
          st = ucl_diag_set(diag, UCL_ERR_RANGE, "at most %d layer types", MAX_LAYERS);
        } else {
          st = ucl_params_set(&tmp, "neuron", tok, diag);
          L->types[L->n_types++] = tmp.circuit.neuron;
        }
      }
      free(copy);
    } else if (strcmp(e->key, "connectivity") == 0) {
      if (strcmp(e->value, "full") == 0) {
        L->random = 0;
      } else if (strcmp(e->value, "random") == 0) {
        L->random = 1;
      } else {
        st = ucl_diag_set(diag, UCL_ERR_PARSE, "expected full or random (got '%s')", e->value);
      }
    } else if (strcmp(e->key, "fan_in") == 0) {
      st = ucl_units_parse_long(e->value, 1, UCL_MAX_FAN_IN, &L->fan_in, diag);
      have_fan = 1;
    } else if (strcmp(e->key, "R") == 0 || strcmp(e->key, "R_max") == 0) {
      double r;
      st = ucl_units_parse(e->value, "Ohm", &r, diag);
      if (st == UCL_OK && !(r > 0.0)) {
        st = ucl_diag_set(diag, UCL_ERR_RANGE, "must be > 0 (got %g Ohm)", r);
      }
      if (st == UCL_OK) {
        *(e->key[1] ? &L->R_max : &L->R) = r;
      }
    } else if (strcmp(e->key, "diode") == 0) {
      st = parse_yes_no(e->value, &L->diode, diag);
    } else if (strcmp(e->key, "seed") == 0) {
      long s;
      st = ucl_units_parse_long(e->value, 0, 2147483647L, &s, diag);
      L->seed = (uint64_t)s;
    } else if (strcmp(e->key, "input_jitter") == 0) {
      st = ucl_units_parse(e->value, "s", &L->jitter, diag);
      if (st == UCL_OK && !(L->jitter >= 0.0)) {
        st = ucl_diag_set(diag, UCL_ERR_RANGE, "must be >= 0 (got %g s)", L->jitter);
      }
    } else {
      st = ucl_diag_set(diag, UCL_ERR_INVAL,
                        "unknown key (sizes, types, connectivity, fan_in, R, R_max, diode, seed, "
                        "input_jitter)");
    }
    if (st != UCL_OK) {
      ucl_diag_prefix(diag, "%s:%d: [layers] %s: ", path, e->line, e->key);
      return st;
    }
  }
  if (!have_sizes || L->n_layers < 1) {
    return ucl_diag_set(diag, UCL_ERR_INVAL, "%s:%d: [layers] needs 'sizes' (e.g. sizes = 10, 5)",
                        path, *line_out);
  }
  if (L->n_types > 1 && L->n_types != L->n_layers) {
    return ucl_diag_set(diag, UCL_ERR_INVAL,
                        "%s:%d: [layers] types: one type for all layers or one per layer (%d "
                        "layers, %d types)",
                        path, *line_out, L->n_layers, L->n_types);
  }
  if (L->random && !have_fan) {
    return ucl_diag_set(diag, UCL_ERR_INVAL,
                        "%s:%d: [layers] connectivity = random needs fan_in (inputs per neuron)",
                        path, *line_out);
  }
  for (int l = 1; L->random && l < L->n_layers; l++) {
    if (L->fan_in > L->sizes[l - 1]) {
      return ucl_diag_set(diag, UCL_ERR_RANGE,
                          "%s:%d: [layers] fan_in %ld exceeds layer %d's size %ld", path, *line_out,
                          L->fan_in, l, L->sizes[l - 1]);
    }
  }
  if (!L->random) {
    for (int l = 1; l < L->n_layers; l++) {
      if (L->sizes[l - 1] > UCL_MAX_FAN_IN) {
        return ucl_diag_set(diag, UCL_ERR_RANGE,
                            "%s:%d: [layers] full connectivity from a layer of %ld neurons exceeds "
                            "the fan-in limit %d (use connectivity = random)",
                            path, *line_out, L->sizes[l - 1], UCL_MAX_FAN_IN);
      }
    }
  }
  if (L->R_max > 0.0 && L->R_max < L->R) {
    return ucl_diag_set(diag, UCL_ERR_RANGE, "%s:%d: [layers] R_max (%g) < R (%g)", path, *line_out,
                        L->R_max, L->R);
  }
  return UCL_OK;
}

static ucl_status generate_layers(const layers_spec *L, builder *b, ucl_diag *diag) {
  size_t first = 0, prev_first = 0;
  long total = 0;
  for (int l = 0; l < L->n_layers; l++) {
    total += L->sizes[l];
  }
  if (total > MAX_NEURONS) {
    return ucl_diag_set(diag, UCL_ERR_RANGE, "[layers] %ld neurons in all (at most %d)", total,
                        MAX_NEURONS);
  }
  double n_syn = 0.0;
  for (int l = 1; l < L->n_layers; l++) {
    n_syn += (double)L->sizes[l] * (double)(L->random ? L->fan_in : L->sizes[l - 1]);
  }
  if (n_syn > MAX_SYNAPSES) {
    return ucl_diag_set(diag, UCL_ERR_RANGE, "[layers] %.0f synapses in all (at most %d)", n_syn,
                        MAX_SYNAPSES);
  }
  /* everything at once: no growth by doubling for large networks */
  ucl_status rst = reserve(b, (size_t)total, (size_t)n_syn, diag);
  if (rst != UCL_OK) {
    return rst;
  }
  long *pick = NULL, *swaps = NULL;
  for (int l = 0; l < L->n_layers; l++) {
    first = b->net->n_neurons;
    for (long k = 0; k < L->sizes[l]; k++) {
      char name[UCL_NET_NAME_MAX];
      int w = snprintf(name, sizeof(name), "L%d_%ld", l + 1, k + 1);
      ucl_status st = w > 0 && (size_t)w < sizeof(name)
                          ? add_neuron(b, name, 0, diag)
                          : ucl_diag_set(diag, UCL_ERR_RANGE, "[layers] too many neurons to name");
      if (st != UCL_OK) {
        free(pick);
        free(swaps);
        return st;
      }
      ucl_net_neuron *nn = &b->net->neurons[b->net->n_neurons - 1];
      if (L->n_types > 0) {
        nn->p.circuit.neuron = L->types[L->n_types == 1 ? 0 : l];
      }
      b->input_mode[b->net->n_neurons - 1] = (l == 0);
      if (l == 0 && L->jitter > 0.0) {
        nn->p.stim.start += L->jitter * ucl_rng_uniform(L->seed, 1, (uint64_t)k);
      }
    }
    if (l == 0) {
      prev_first = first;
      continue;
    }
    long prev = L->sizes[l - 1];
    long fan = L->random ? L->fan_in : prev;
    free(pick);
    free(swaps);
    pick = malloc((size_t)prev * sizeof(long));
    swaps = malloc((size_t)(fan > 0 ? fan : 1) * sizeof(long));
    if (!pick || !swaps) {
      free(pick);
      free(swaps);
      return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory building the network");
    }
    for (long j = 0; j < prev; j++) {
      pick[j] = j;
    }
    for (long k = 0; k < L->sizes[l]; k++) {
      size_t to = first + (size_t)k;
      if (k > 0 && L->random) { /* undo the last target's swaps: pick is the identity again */
        for (long j = fan - 1; j >= 0; j--) {
          long tmp = pick[j];
          pick[j] = pick[swaps[j]];
          pick[swaps[j]] = tmp;
        }
      }
      for (long j = 0; j < fan; j++) {
        if (L->random) { /* partial Fisher-Yates from the counter-based generator */
          uint64_t stream = ((uint64_t)(l + 1) << 40) ^ (uint64_t)k;
          long r = j + (long)(ucl_rng_uniform(L->seed, stream, (uint64_t)j) * (double)(prev - j));
          if (r >= prev) {
            r = prev - 1;
          }
          swaps[j] = r;
          long tmp = pick[j];
          pick[j] = pick[r];
          pick[r] = tmp;
        }
        double R = L->R;
        if (L->R_max > 0.0) {
          double u = ucl_rng_uniform(L->seed, ((uint64_t)(l + 1) << 48) ^ to, (uint64_t)j);
          R = L->R * pow(L->R_max / L->R, u);
        }
        char name[UCL_NET_NAME_MAX];
        snprintf(name, sizeof(name), "S%zu", b->net->n_synapses + 1);
        ucl_status st = add_synapse(b, name, prev_first + (size_t)pick[j], to, R, L->diode, diag);
        if (st != UCL_OK) {
          free(pick);
          free(swaps);
          return st;
        }
      }
    }
    prev_first = first;
  }
  free(pick);
  free(swaps);
  return UCL_OK;
}

/* ---- [recurrent]: recurrent topologies (docs/spec.md "Recurrent networks") ---- */

#define MAX_SKIPS 64

typedef enum topology {
  TOPO_RANDOM = 0, /* each neuron: fan_in distinct random sources among all N */
  TOPO_RING,       /* i -> i + skip (mod N), one synapse per skip */
  TOPO_ALL,        /* every neuron onto every other (and itself with autapses) */
  TOPO_AUTAPSE     /* each neuron onto itself only */
} topology;

static const char *const topology_names[] = {"random", "ring", "all-to-all", "autapse"};

/* The synapses of one set: those leaving a set-A or a set-B neuron. The circuit has no
 * inhibitory synapse (docs/model.md N5): the sets differ only in these values. */
typedef struct syn_set {
  double R, R_max; /* R_max > 0: log-uniform in [R, R_max] per synapse */
  int diode, tap_clamp;
  int type; /* neuron type of the set's neurons; -1: the [circuit] neuron */
} syn_set;

typedef struct recurrent_spec {
  int topology;
  long n;       /* neurons */
  long fan_in;  /* random: sources per neuron */
  int autapses; /* random, all-to-all: i -> i allowed */
  long skips[MAX_SKIPS];
  int n_skips;
  long n_b;       /* set-B neurons: the last n_b */
  syn_set set[2]; /* A, B */
  long driven;    /* neurons with the external input, spread evenly over the indices */
  uint64_t seed;
  double jitter; /* s, driven neurons' stimulus start offsets in [0, jitter) */
} recurrent_spec;

/* Generator streams of the counter-based generator (distinct from [layers]'s, whose tags are
 * the layer numbers 1..64 shifted by 40 and 48 bits). */
#define REC_STREAM_SOURCES (UINT64_C(0x52) << 56) /* ^ target index; counter: draw j */
#define REC_STREAM_R (UINT64_C(0x53) << 56)       /* counter: synapse index */
#define REC_STREAM_JITTER 1                       /* counter: neuron index (as [layers]) */

/* Lines of the keys, for messages about combinations. */
enum {
  RK_TOPOLOGY,
  RK_NEURONS,
  RK_FAN_IN,
  RK_AUTAPSES,
  RK_SKIP,
  RK_FRACTION_B,
  RK_DRIVEN,
  RK_R,
  RK_R_B,
  RK_N
};

static ucl_status parse_set_key(const char *key, syn_set *s, const char *value, ucl_diag *diag) {
  if (strcmp(key, "R") == 0 || strcmp(key, "R_max") == 0) {
    double r;
    ucl_status st = ucl_units_parse(value, "Ohm", &r, diag);
    if (st == UCL_OK && !(r > 0.0)) {
      st = ucl_diag_set(diag, UCL_ERR_RANGE, "must be > 0 (got %g Ohm)", r);
    }
    if (st == UCL_OK) {
      *(key[1] ? &s->R_max : &s->R) = r;
    }
    return st;
  }
  if (strcmp(key, "diode") == 0) {
    return parse_yes_no(value, &s->diode, diag);
  }
  if (strcmp(key, "tap") == 0) {
    ucl_net_synapse tmp = {0};
    ucl_status st = set_synapse_key(&tmp, "tap", value, diag);
    s->tap_clamp = tmp.tap_clamp;
    return st;
  }
  /* type */
  ucl_params tmp;
  ucl_params_default(&tmp);
  ucl_status st = ucl_params_set(&tmp, "neuron", value, diag);
  s->type = tmp.circuit.neuron;
  return st;
}

static int is_set_key(const char *key) {
  return strcmp(key, "R") == 0 || strcmp(key, "R_max") == 0 || strcmp(key, "diode") == 0 ||
         strcmp(key, "tap") == 0 || strcmp(key, "type") == 0;
}

static ucl_status parse_recurrent_section(const char *path, const ucl_ini *ini, recurrent_spec *S,
                                          int sec_line, ucl_diag *diag) {
  memset(S, 0, sizeof(*S));
  S->topology = -1;
  S->set[0].R = 10e3;
  S->set[0].type = -1;
  S->seed = 1;
  S->skips[0] = 1;
  S->n_skips = 1;
  int line[RK_N] = {0};
  int have_b[5] = {0}; /* R, R_max, diode, tap, type given for set B */
  syn_set b = {0};
  double fraction_b = 0.0;
  char driven[64] = "1";
  size_t i = 0;
  const ucl_ini_entry *e;
  ucl_status st = UCL_OK;
  while ((e = next_in(ini, "recurrent", &i)) != NULL) {
    /* a set-B key: R_b, R_max_b, diode_b, tap_b, type_b */
    size_t kl = strlen(e->key);
    char base[16] = "";
    if (kl > 2 && kl < sizeof(base) && strcmp(e->key + kl - 2, "_b") == 0) {
      snprintf(base, sizeof(base), "%.*s", (int)(kl - 2), e->key);
    }
    if (strcmp(e->key, "topology") == 0) {
      line[RK_TOPOLOGY] = e->line;
      S->topology = -1;
      for (int t = 0; t < 4; t++) {
        if (strcmp(e->value, topology_names[t]) == 0) {
          S->topology = t;
        }
      }
      if (S->topology < 0) {
        st = ucl_diag_set(diag, UCL_ERR_PARSE,
                          "expected random, ring, all-to-all or autapse (got '%s')", e->value);
      }
    } else if (strcmp(e->key, "neurons") == 0) {
      line[RK_NEURONS] = e->line;
      st = ucl_units_parse_long(e->value, 1, MAX_NEURONS, &S->n, diag);
    } else if (strcmp(e->key, "fan_in") == 0) {
      line[RK_FAN_IN] = e->line;
      st = ucl_units_parse_long(e->value, 1, UCL_MAX_FAN_IN, &S->fan_in, diag);
    } else if (strcmp(e->key, "autapses") == 0) {
      line[RK_AUTAPSES] = e->line;
      st = parse_yes_no(e->value, &S->autapses, diag);
    } else if (strcmp(e->key, "skip") == 0) {
      line[RK_SKIP] = e->line;
      int n = 0;
      st = parse_list_long(e->value, S->skips, MAX_SKIPS, &n, diag);
      S->n_skips = n;
      for (int k = 0; st == UCL_OK && k < n; k++) {
        for (int u = 0; u < k; u++) {
          if (S->skips[u] == S->skips[k]) {
            st = ucl_diag_set(diag, UCL_ERR_INVAL, "skip %ld given twice", S->skips[k]);
          }
        }
      }
    } else if (strcmp(e->key, "fraction_b") == 0) {
      line[RK_FRACTION_B] = e->line;
      st = ucl_units_parse(e->value, "", &fraction_b, diag);
      if (st == UCL_OK && !(fraction_b >= 0.0 && fraction_b <= 1.0)) {
        st = ucl_diag_set(diag, UCL_ERR_RANGE, "must be from 0 to 1 (got %g)", fraction_b);
      }
    } else if (strcmp(e->key, "driven") == 0) {
      line[RK_DRIVEN] = e->line;
      snprintf(driven, sizeof(driven), "%s", e->value);
    } else if (strcmp(e->key, "seed") == 0) {
      long s;
      st = ucl_units_parse_long(e->value, 0, 2147483647L, &s, diag);
      S->seed = (uint64_t)s;
    } else if (strcmp(e->key, "input_jitter") == 0) {
      st = ucl_units_parse(e->value, "s", &S->jitter, diag);
      if (st == UCL_OK && !(S->jitter >= 0.0)) {
        st = ucl_diag_set(diag, UCL_ERR_RANGE, "must be >= 0 (got %g s)", S->jitter);
      }
    } else if (is_set_key(e->key)) {
      if (e->key[0] == 'R') {
        line[RK_R] = e->line;
      }
      st = parse_set_key(e->key, &S->set[0], e->value, diag);
    } else if (is_set_key(base)) {
      static const char *const set_keys[5] = {"R", "R_max", "diode", "tap", "type"};
      for (int k = 0; k < 5; k++) {
        have_b[k] |= strcmp(base, set_keys[k]) == 0;
      }
      if (base[0] == 'R') {
        line[RK_R_B] = e->line;
      }
      st = parse_set_key(base, &b, e->value, diag);
    } else {
      st = ucl_diag_set(diag, UCL_ERR_INVAL,
                        "unknown key (topology, neurons, fan_in, autapses, skip, driven, "
                        "fraction_b, R, R_max, diode, tap, type and their set-B forms R_b, "
                        "R_max_b, diode_b, tap_b, type_b, seed, input_jitter)");
    }
    if (st != UCL_OK) {
      ucl_diag_prefix(diag, "%s:%d: [recurrent] %s: ", path, e->line, e->key);
      return st;
    }
  }
  if (S->topology < 0) {
    return ucl_diag_set(diag, UCL_ERR_INVAL,
                        "%s:%d: [recurrent] needs 'topology' (random, ring, all-to-all or "
                        "autapse)",
                        path, sec_line);
  }
  if (S->n < 1) {
    return ucl_diag_set(diag, UCL_ERR_INVAL,
                        "%s:%d: [recurrent] needs 'neurons' (how many, e.g. neurons = 20)", path,
                        sec_line);
  }
  /* keys that belong to other topologies */
  if (line[RK_FAN_IN] && S->topology != TOPO_RANDOM) {
    return ucl_diag_set(diag, UCL_ERR_INVAL,
                        "%s:%d: [recurrent] fan_in: only topology = random takes it (this is %s)",
                        path, line[RK_FAN_IN], topology_names[S->topology]);
  }
  if (line[RK_SKIP] && S->topology != TOPO_RING) {
    return ucl_diag_set(diag, UCL_ERR_INVAL,
                        "%s:%d: [recurrent] skip: only topology = ring takes it (this is %s)", path,
                        line[RK_SKIP], topology_names[S->topology]);
  }
  if (line[RK_AUTAPSES] && S->topology != TOPO_RANDOM && S->topology != TOPO_ALL) {
    return ucl_diag_set(diag, UCL_ERR_INVAL,
                        "%s:%d: [recurrent] autapses: only topology = random or all-to-all takes "
                        "it (this is %s)",
                        path, line[RK_AUTAPSES], topology_names[S->topology]);
  }
  if (S->topology == TOPO_RANDOM) {
    if (!line[RK_FAN_IN]) {
      return ucl_diag_set(diag, UCL_ERR_INVAL,
                          "%s:%d: [recurrent] topology = random needs fan_in (sources per neuron)",
                          path, line[RK_TOPOLOGY]);
    }
    long pool = S->autapses ? S->n : S->n - 1;
    if (S->fan_in > pool) {
      return ucl_diag_set(diag, UCL_ERR_RANGE,
                          "%s:%d: [recurrent] fan_in %ld exceeds the %ld possible sources of a "
                          "neuron (%ld neurons, autapses %s)",
                          path, line[RK_FAN_IN], S->fan_in, pool, S->n, S->autapses ? "yes" : "no");
    }
  }
  if (S->topology == TOPO_RING) {
    for (int k = 0; k < S->n_skips; k++) {
      if (S->skips[k] >= S->n) {
        return ucl_diag_set(diag, UCL_ERR_RANGE,
                            "%s:%d: [recurrent] skip %ld must be less than neurons (%ld): a ring "
                            "step of N or more wraps onto a smaller one or onto the neuron itself",
                            path, line[RK_SKIP] ? line[RK_SKIP] : line[RK_NEURONS], S->skips[k],
                            S->n);
      }
    }
  }
  if (S->topology == TOPO_ALL && (S->autapses ? S->n : S->n - 1) > UCL_MAX_FAN_IN) {
    return ucl_diag_set(diag, UCL_ERR_RANGE,
                        "%s:%d: [recurrent] all-to-all over %ld neurons exceeds the fan-in limit "
                        "%d (use topology = random)",
                        path, line[RK_NEURONS], S->n, UCL_MAX_FAN_IN);
  }
  /* driven: all, a count, or a fraction in (0, 1) */
  int dl = line[RK_DRIVEN] ? line[RK_DRIVEN] : sec_line;
  if (strcmp(driven, "all") == 0) {
    S->driven = S->n;
  } else {
    double d;
    st = ucl_units_parse(driven, "", &d, diag);
    if (st == UCL_OK && d > 0.0 && d < 1.0) {
      S->driven = (long)floor(d * (double)S->n + 0.5);
      if (S->driven < 1) {
        S->driven = 1;
      }
    } else if (st == UCL_OK && d >= 1.0 && d == floor(d) && d <= (double)S->n) {
      S->driven = (long)d;
    } else if (st == UCL_OK) {
      st = ucl_diag_set(diag, UCL_ERR_RANGE,
                        "expected all, a count from 1 to neurons (%ld) or a fraction in (0, 1) "
                        "(got '%s')",
                        S->n, driven);
    }
    if (st != UCL_OK) {
      ucl_diag_prefix(diag, "%s:%d: [recurrent] driven: ", path, dl);
      return st;
    }
  }
  /* set B: its keys default to set A's (R_max only when R_b is not given either) */
  S->n_b = (long)floor(fraction_b * (double)S->n + 0.5);
  if (!line[RK_FRACTION_B] && (have_b[0] || have_b[1] || have_b[2] || have_b[3] || have_b[4])) {
    return ucl_diag_set(diag, UCL_ERR_INVAL,
                        "%s:%d: [recurrent] set-B keys (R_b, R_max_b, diode_b, tap_b, type_b) "
                        "need fraction_b (the fraction of neurons in set B)",
                        path, line[RK_R_B] ? line[RK_R_B] : sec_line);
  }
  syn_set *B = &S->set[1];
  *B = S->set[0];
  if (have_b[0]) {
    B->R = b.R;
    B->R_max = 0.0;
  }
  if (have_b[1]) {
    B->R_max = b.R_max;
  }
  if (have_b[2]) {
    B->diode = b.diode;
  }
  if (have_b[3]) {
    B->tap_clamp = b.tap_clamp;
  }
  if (have_b[4]) {
    B->type = b.type;
  }
  for (int k = 0; k < 2; k++) {
    if (S->set[k].R_max > 0.0 && S->set[k].R_max < S->set[k].R) {
      return ucl_diag_set(diag, UCL_ERR_RANGE, "%s:%d: [recurrent] R_max%s (%g) < R%s (%g)", path,
                          line[k ? RK_R_B : RK_R] ? line[k ? RK_R_B : RK_R] : sec_line,
                          k ? "_b" : "", S->set[k].R_max, k ? "_b" : "", S->set[k].R);
    }
  }
  return UCL_OK;
}

/* Synapses per neuron (its fan-in, equal for every neuron in these topologies). */
static long recurrent_fan_in(const recurrent_spec *S) {
  switch (S->topology) {
  case TOPO_RANDOM:
    return S->fan_in;
  case TOPO_RING:
    return S->n_skips;
  case TOPO_ALL:
    return S->autapses ? S->n : S->n - 1;
  default:
    return 1;
  }
}

static ucl_status add_recurrent_synapse(const recurrent_spec *S, builder *b, size_t from, size_t to,
                                        ucl_diag *diag) {
  const syn_set *set = &S->set[(long)from >= S->n - S->n_b];
  size_t k = b->net->n_synapses;
  double R = set->R;
  if (set->R_max > 0.0) {
    R = set->R * pow(set->R_max / set->R, ucl_rng_uniform(S->seed, REC_STREAM_R, (uint64_t)k));
  }
  char name[UCL_NET_NAME_MAX];
  snprintf(name, sizeof(name), "S%zu", k + 1);
  ucl_status st = add_synapse(b, name, from, to, R, set->diode, diag);
  if (st == UCL_OK) {
    b->net->synapses[k].tap_clamp = set->tap_clamp;
  }
  return st;
}

static ucl_status generate_recurrent(const recurrent_spec *S, builder *b, ucl_diag *diag) {
  long n = S->n;
  double n_syn = (double)n * (double)recurrent_fan_in(S);
  if (n_syn > MAX_SYNAPSES) {
    return ucl_diag_set(diag, UCL_ERR_RANGE, "[recurrent] %.0f synapses in all (at most %d)", n_syn,
                        MAX_SYNAPSES);
  }
  ucl_status st = reserve(b, (size_t)n, (size_t)n_syn, diag);
  if (st != UCL_OK) {
    return st;
  }
  /* neurons: A1 .. A<n-n_b>, then B<n-n_b+1> .. B<n>; the driven ones spread evenly */
  for (long k = 0; k < n; k++) {
    int in_b = k >= n - S->n_b;
    char name[UCL_NET_NAME_MAX];
    snprintf(name, sizeof(name), "%c%ld", in_b ? 'B' : 'A', k + 1);
    st = add_neuron(b, name, 0, diag);
    if (st != UCL_OK) {
      return st;
    }
    ucl_net_neuron *nn = &b->net->neurons[k];
    if (S->set[in_b].type >= 0) {
      nn->p.circuit.neuron = S->set[in_b].type;
    }
    b->input_mode[k] = 0;
  }
  for (long j = 0; j < S->driven; j++) {
    long k = (long)(((double)j * (double)n) / (double)S->driven);
    b->input_mode[k] = 1;
    if (S->jitter > 0.0) {
      b->net->neurons[k].p.stim.start +=
          S->jitter * ucl_rng_uniform(S->seed, REC_STREAM_JITTER, (uint64_t)k);
    }
  }
  switch (S->topology) {
  case TOPO_RING: /* grouped by source: S<k·n_skips + s> leaves neuron k */
    for (long k = 0; k < n && st == UCL_OK; k++) {
      for (int s = 0; s < S->n_skips && st == UCL_OK; s++) {
        st = add_recurrent_synapse(S, b, (size_t)k, (size_t)((k + S->skips[s]) % n), diag);
      }
    }
    return st;
  case TOPO_AUTAPSE:
    for (long k = 0; k < n && st == UCL_OK; k++) {
      st = add_recurrent_synapse(S, b, (size_t)k, (size_t)k, diag);
    }
    return st;
  case TOPO_ALL: /* grouped by target, sources in index order */
    for (long t = 0; t < n && st == UCL_OK; t++) {
      for (long k = 0; k < n && st == UCL_OK; k++) {
        if (k != t || S->autapses) {
          st = add_recurrent_synapse(S, b, (size_t)k, (size_t)t, diag);
        }
      }
    }
    return st;
  default:
    break;
  }
  /* random: for each target, a partial Fisher-Yates over its candidate sources (all n with
   * autapses, else the n - 1 others: candidate c is neuron c + (c >= target)) */
  long pool = S->autapses ? n : n - 1;
  long fan = S->fan_in;
  long *pick = malloc((size_t)(pool > 0 ? pool : 1) * sizeof(long));
  long *swaps = malloc((size_t)fan * sizeof(long));
  if (!pick || !swaps) {
    free(pick);
    free(swaps);
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory building the network");
  }
  for (long c = 0; c < pool; c++) {
    pick[c] = c;
  }
  for (long t = 0; t < n && st == UCL_OK; t++) {
    for (long j = 0; j < fan; j++) {
      long r = j + (long)(ucl_rng_uniform(S->seed, REC_STREAM_SOURCES ^ (uint64_t)t, (uint64_t)j) *
                          (double)(pool - j));
      if (r >= pool) {
        r = pool - 1;
      }
      swaps[j] = r;
      long tmp = pick[j];
      pick[j] = pick[r];
      pick[r] = tmp;
    }
    for (long j = 0; j < fan && st == UCL_OK; j++) {
      long c = pick[j];
      long from = S->autapses || c < t ? c : c + 1;
      st = add_recurrent_synapse(S, b, (size_t)from, (size_t)t, diag);
    }
    for (long j = fan - 1; j >= 0; j--) { /* undo the swaps: pick is the identity again */
      long tmp = pick[j];
      pick[j] = pick[swaps[j]];
      pick[swaps[j]] = tmp;
    }
  }
  free(pick);
  free(swaps);
  return st;
}

/* ---- overrides and checks ---- */

/* "NAME.KEY=VALUE" for a neuron or synapse; returns 0 when NAME is neither (a base key). */
static int apply_named_set(builder *b, const char *set, ucl_status *st, ucl_diag *diag) {
  const char *eq = strchr(set, '=');
  const char *dot = strchr(set, '.');
  if (!eq || !dot || dot > eq) {
    return 0;
  }
  char key[128];
  snprintf(key, sizeof(key), "%.*s", (int)(eq - set), set);
  if (ucl_params_find(key)) {
    return 0; /* a base key with a dot in its name (D.Is, scr.I_GT, ...) */
  }
  char name[UCL_NET_NAME_MAX];
  snprintf(name, sizeof(name), "%.*s", (int)(dot - set), set);
  snprintf(key, sizeof(key), "%.*s", (int)(eq - dot - 1), dot + 1);
  long n = ucl_network_find(b->net, name);
  if (n >= 0) {
    *st = set_neuron_key(&b->net->neurons[n], key, eq + 1, &b->input_mode[n], diag);
  } else if ((n = find_synapse(b->net, name)) >= 0) {
    *st = set_synapse_key(&b->net->synapses[n], key, eq + 1, diag);
  } else {
    *st = ucl_diag_set(diag, UCL_ERR_INVAL, "no neuron or synapse called '%s'", name);
  }
  if (*st != UCL_OK) {
    ucl_diag_prefix(diag, "--set %s: ", set);
  }
  return 1;
}

/* Kahn's algorithm; returns 1 when some neuron stays on a cycle. */
static const char *const integration_names[] = {"auto", "partitioned", "coupled", "relaxation"};

int ucl_net_integration_parse(const char *text, int *out) {
  for (int k = 0; k < 4; k++) {
    if (strcmp(text, integration_names[k]) == 0) {
      *out = k;
      return 0;
    }
  }
  return -1;
}

const char *ucl_net_integration_name(int how) {
  return how >= 0 && how < 4 ? integration_names[how] : "unknown";
}

int ucl_network_has_cycle(const ucl_network *net) {
  size_t n = net->n_neurons;
  size_t *indeg = calloc(n ? n : 1, sizeof(size_t));
  size_t *queue = malloc((n ? n : 1) * sizeof(size_t));
  size_t *start = calloc(n + 1, sizeof(size_t));
  size_t *adj = malloc((net->n_synapses ? net->n_synapses : 1) * sizeof(size_t));
  int cycle = 0;
  if (!indeg || !queue || !start || !adj) {
    cycle = -1;
    goto done;
  }
  for (size_t s = 0; s < net->n_synapses; s++) {
    indeg[net->synapses[s].to]++;
    start[net->synapses[s].from + 1]++;
  }
  for (size_t i = 0; i < n; i++) {
    start[i + 1] += start[i];
  }
  size_t *fill = calloc(n ? n : 1, sizeof(size_t));
  if (!fill) {
    cycle = -1;
    goto done;
  }
  for (size_t s = 0; s < net->n_synapses; s++) {
    size_t f = net->synapses[s].from;
    adj[start[f] + fill[f]++] = net->synapses[s].to;
  }
  free(fill);
  size_t head = 0, tail = 0;
  for (size_t i = 0; i < n; i++) {
    if (indeg[i] == 0) {
      queue[tail++] = i;
    }
  }
  while (head < tail) {
    size_t i = queue[head++];
    for (size_t k = start[i]; k < start[i + 1]; k++) {
      if (--indeg[adj[k]] == 0) {
        queue[tail++] = adj[k];
      }
    }
  }
  cycle = tail < n;
done:
  free(indeg);
  free(queue);
  free(start);
  free(adj);
  return cycle;
}

ucl_net_relax ucl_net_relax_default(void) {
  return (ucl_net_relax){.window = 5e-6, .tol_V = 1e-3, .tol_t = 10e-9, .max_sweeps = 100};
}

/* A positive number with a unit. */
static ucl_status parse_positive(const char *text, const char *unit, double *out, ucl_diag *diag) {
  ucl_status st = ucl_units_parse(text, unit, out, diag);
  if (st == UCL_OK && !(*out > 0.0 && isfinite(*out))) {
    st = ucl_diag_set(diag, UCL_ERR_RANGE, "must be > 0 (got %g %s)", *out, unit);
  }
  return st;
}

/* One key of [network]: integration, the coupled integration's jacobian and reinit, the
 * relaxation's relax.* (docs/spec.md). */
static ucl_status parse_network_key(ucl_network *net, const ucl_ini_entry *e, ucl_diag *diag) {
  ucl_net_relax *r = &net->relax;
  if (strcmp(e->key, "integration") == 0) {
    if (ucl_net_integration_parse(e->value, &net->integration) != 0) {
      return ucl_diag_set(diag, UCL_ERR_PARSE,
                          "expected auto, partitioned, relaxation or coupled (got '%s')", e->value);
    }
    return UCL_OK;
  }
  if (strcmp(e->key, "jacobian") == 0) {
    if (strcmp(e->value, "dense") == 0 || strcmp(e->value, "sparse") == 0) {
      net->jacobian = e->value[0] == 'd' ? UCL_NET_JAC_DENSE : UCL_NET_JAC_SPARSE;
      return UCL_OK;
    }
    return ucl_diag_set(diag, UCL_ERR_PARSE, "expected dense or sparse (got '%s')", e->value);
  }
  if (strcmp(e->key, "reinit") == 0) {
    if (strcmp(e->value, "all") == 0 || strcmp(e->value, "switches") == 0) {
      net->reinit = e->value[0] == 'a' ? UCL_NET_REINIT_ALL : UCL_NET_REINIT_SWITCHES;
      return UCL_OK;
    }
    return ucl_diag_set(diag, UCL_ERR_PARSE, "expected all or switches (got '%s')", e->value);
  }
  if (strcmp(e->key, "relax.window") == 0) {
    return parse_positive(e->value, "s", &r->window, diag);
  }
  if (strcmp(e->key, "relax.tol_V") == 0) {
    return parse_positive(e->value, "V", &r->tol_V, diag);
  }
  if (strcmp(e->key, "relax.tol_t") == 0) {
    return parse_positive(e->value, "s", &r->tol_t, diag);
  }
  if (strcmp(e->key, "relax.max_sweeps") == 0) {
    return ucl_units_parse_long(e->value, 1, 1000000, &r->max_sweeps, diag);
  }
  return ucl_diag_set(diag, UCL_ERR_INVAL,
                      "unknown key (integration, jacobian, reinit, relax.window, relax.tol_V, "
                      "relax.tol_t, relax.max_sweeps)");
}

ucl_status ucl_network_from_ini(const char *path, const ucl_ini *ini, const char *const *sets,
                                int n_sets, ucl_network **out, ucl_diag *diag) {
  ucl_network *net = calloc(1, sizeof(*net));
  builder b = {net, 0, 0, NULL, NULL};
  const char **base_sets = calloc((size_t)(n_sets > 0 ? n_sets : 1), sizeof(char *));
  ucl_status st = UCL_OK;
  if (!net || !base_sets) {
    st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory reading the network");
    goto fail;
  }
  /* the base: every --set without a neuron or synapse name, on the shared sections */
  int n_base = 0;
  for (int i = 0; i < n_sets; i++) {
    const char *eq = strchr(sets[i], '=');
    const char *dot = strchr(sets[i], '.');
    char key[128];
    snprintf(key, sizeof(key), "%.*s", eq ? (int)(eq - sets[i]) : 0, sets[i]);
    if (!eq || !dot || dot > eq || ucl_params_find(key)) {
      base_sets[n_base++] = sets[i];
    }
  }
  st = ucl_spec_apply_ini(path, ini, base_sets, n_base, &net->base, diag);
  if (st != UCL_OK) {
    goto fail;
  }
  /* [network] */
  size_t i = 0;
  const ucl_ini_entry *e;
  net->relax = ucl_net_relax_default();
  while ((e = next_in(ini, "network", &i)) != NULL) {
    st = parse_network_key(net, e, diag);
    if (st != UCL_OK) {
      ucl_diag_prefix(diag, "%s:%d: [network] %s: ", path, e->line, e->key);
      goto fail;
    }
  }
  /* a generator: [layers] or [recurrent], alone (no [neuron.NAME] / [synapse.NAME]) */
  const char *gen = NULL;
  int gen_line = 0;
  for (size_t k = 0; k < ucl_ini_n_sections(ini); k++) {
    int line = 0;
    const char *sec = ucl_ini_section(ini, k, &line);
    if (strcmp(sec, "layers") == 0 || strcmp(sec, "recurrent") == 0) {
      if (gen && strcmp(gen, sec) != 0) {
        st = ucl_diag_set(diag, UCL_ERR_INVAL,
                          "%s:%d: [%s] cannot be combined with [%s] (line %d): one generator per "
                          "network",
                          path, line, sec, gen, gen_line);
        goto fail;
      }
      if (!gen) {
        gen = sec;
        gen_line = line;
      }
    }
  }
  if (gen) {
    for (size_t k = 0; k < ucl_ini_n_sections(ini); k++) {
      int line = 0;
      const char *sec = ucl_ini_section(ini, k, &line);
      if (has_prefix(sec, NEURON_PREFIX) || has_prefix(sec, SYNAPSE_PREFIX)) {
        st = ucl_diag_set(diag, UCL_ERR_INVAL,
                          "%s:%d: [%s] cannot be combined with the [%s] generator (line %d)", path,
                          line, sec, gen, gen_line);
        goto fail;
      }
    }
  }
  if (gen && strcmp(gen, "layers") == 0) {
    layers_spec L;
    int layers_line = gen_line;
    st = parse_layers_section(path, ini, &L, &layers_line, diag);
    if (st == UCL_OK) {
      st = generate_layers(&L, &b, diag);
    }
  } else if (gen) {
    recurrent_spec R;
    st = parse_recurrent_section(path, ini, &R, gen_line, diag);
    if (st == UCL_OK) {
      st = generate_recurrent(&R, &b, diag);
    }
  } else {
    st = parse_neurons(path, ini, &b, diag);
    if (st == UCL_OK) {
      st = parse_synapses(path, ini, &b, diag);
    }
  }
  if (st != UCL_OK) {
    goto fail;
  }
  if (net->n_neurons == 0) {
    st = ucl_diag_set(diag, UCL_ERR_INVAL,
                      "%s: the network has no neurons (add [neuron.NAME] sections, [layers] or "
                      "[recurrent])",
                      path);
    goto fail;
  }
  for (int k = 0; k < n_sets; k++) {
    if (apply_named_set(&b, sets[k], &st, diag) && st != UCL_OK) {
      goto fail;
    }
  }
  /* inputs, per-neuron validation */
  size_t *fan_in = calloc(net->n_neurons, sizeof(size_t));
  if (!fan_in) {
    st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
    goto fail;
  }
  for (size_t s = 0; s < net->n_synapses; s++) {
    fan_in[net->synapses[s].to]++;
  }
  for (size_t n = 0; n < net->n_neurons && st == UCL_OK; n++) {
    ucl_net_neuron *nn = &net->neurons[n];
    int mode = b.input_mode[n];
    nn->external = mode < 0 ? fan_in[n] == 0 : mode;
    nn->p.solver = net->base.solver;
    nn->p.stim.duration = net->base.stim.duration;
    if (fan_in[n] > UCL_MAX_FAN_IN) {
      st = ucl_diag_set(diag, UCL_ERR_RANGE, "%s: neuron '%s' has %zu synapses (at most %d)", path,
                        nn->name, fan_in[n], UCL_MAX_FAN_IN);
      break;
    }
    const char *bad = NULL;
    st = ucl_params_validate(&nn->p, &bad, diag);
    if (st != UCL_OK) {
      if (b.line[n] > 0) {
        ucl_diag_prefix(diag, "%s:%d: neuron '%s': ", path, b.line[n], nn->name);
      } else {
        ucl_diag_prefix(diag, "%s: neuron '%s': ", path, nn->name);
      }
    }
  }
  free(fan_in);
  if (st != UCL_OK) {
    goto fail;
  }
  if (net->integration == UCL_NET_PARTITIONED && ucl_network_has_cycle(net) == 1) {
    st = ucl_diag_set(diag, UCL_ERR_INVAL,
                      "%s: the synapses form a cycle; integration = partitioned needs a "
                      "feed-forward network (use coupled or auto)",
                      path);
    goto fail;
  }
  free(b.input_mode);
  free(b.line);
  free(base_sets);
  *out = net;
  return UCL_OK;
fail:
  free(b.input_mode);
  free(b.line);
  free(base_sets);
  ucl_network_destroy(&net);
  return st;
}

ucl_status ucl_network_load(const char *path, const char *const *sets, int n_sets,
                            ucl_network **out, ucl_diag *diag) {
  ucl_ini *ini = NULL;
  ucl_status st = ucl_ini_read(path, &ini, diag);
  if (st != UCL_OK) {
    return st;
  }
  st = ucl_network_from_ini(path, ini, sets, n_sets, out, diag);
  ucl_ini_destroy(&ini);
  return st;
}
