/* network.c — network descriptions from spec files: explicit [neuron.NAME] and [synapse.NAME]
 * sections or a [layers] generator, per-neuron overrides, and checks. The integration lives in
 * netrun.c. */
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
    if (strcmp(s, "network") == 0 || strcmp(s, "layers") == 0 || has_prefix(s, NEURON_PREFIX) ||
        has_prefix(s, SYNAPSE_PREFIX)) {
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
    size_t i = 0;
    const ucl_ini_entry *e;
    size_t idx = b->net->n_neurons - 1;
    while ((e = next_in(ini, sec, &i)) != NULL) {
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
    size_t i = 0;
    const ucl_ini_entry *e;
    while ((e = next_in(ini, sec, &i)) != NULL) {
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
      snprintf(name, sizeof(name), "L%d_%ld", l + 1, k + 1);
      ucl_status st = add_neuron(b, name, 0, diag);
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
  while ((e = next_in(ini, "network", &i)) != NULL) {
    if (strcmp(e->key, "jacobian") == 0) {
      if (strcmp(e->value, "dense") == 0) {
        net->jacobian = UCL_NET_JAC_DENSE;
      } else if (strcmp(e->value, "sparse") == 0) {
        net->jacobian = UCL_NET_JAC_SPARSE;
      } else {
        st = ucl_diag_set(diag, UCL_ERR_PARSE,
                          "%s:%d: [network] jacobian: expected dense or sparse (got '%s')", path,
                          e->line, e->value);
        goto fail;
      }
      continue;
    }
    if (strcmp(e->key, "reinit") == 0) {
      if (strcmp(e->value, "all") == 0) {
        net->reinit = UCL_NET_REINIT_ALL;
      } else if (strcmp(e->value, "switches") == 0) {
        net->reinit = UCL_NET_REINIT_SWITCHES;
      } else {
        st = ucl_diag_set(diag, UCL_ERR_PARSE,
                          "%s:%d: [network] reinit: expected all or switches (got '%s')", path,
                          e->line, e->value);
        goto fail;
      }
      continue;
    }
    if (strcmp(e->key, "integration") != 0) {
      st = ucl_diag_set(diag, UCL_ERR_INVAL,
                        "%s:%d: [network] unknown key '%s' (integration, jacobian, reinit)", path,
                        e->line, e->key);
      goto fail;
    }
    if (strcmp(e->value, "auto") == 0) {
      net->integration = UCL_NET_AUTO;
    } else if (strcmp(e->value, "partitioned") == 0) {
      net->integration = UCL_NET_PARTITIONED;
    } else if (strcmp(e->value, "coupled") == 0) {
      net->integration = UCL_NET_COUPLED;
    } else {
      st = ucl_diag_set(diag, UCL_ERR_PARSE,
                        "%s:%d: [network] integration: expected auto, partitioned or coupled "
                        "(got '%s')",
                        path, e->line, e->value);
      goto fail;
    }
  }
  int layers_line = 0;
  int have_layers = 0;
  for (size_t k = 0; k < ucl_ini_n_sections(ini); k++) {
    if (strcmp(ucl_ini_section(ini, k, &layers_line), "layers") == 0) {
      have_layers = 1;
      break;
    }
  }
  if (have_layers) {
    for (size_t k = 0; k < ucl_ini_n_sections(ini); k++) {
      int line = 0;
      const char *sec = ucl_ini_section(ini, k, &line);
      if (has_prefix(sec, NEURON_PREFIX) || has_prefix(sec, SYNAPSE_PREFIX)) {
        st = ucl_diag_set(diag, UCL_ERR_INVAL,
                          "%s:%d: [%s] cannot be combined with the [layers] generator (line %d)",
                          path, line, sec, layers_line);
        goto fail;
      }
    }
    layers_spec L;
    st = parse_layers_section(path, ini, &L, &layers_line, diag);
    if (st == UCL_OK) {
      st = generate_layers(&L, &b, diag);
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
                      "%s: the network has no neurons (add [neuron.NAME] sections or [layers])",
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
