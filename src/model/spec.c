/* spec.c — configuration from a spec file plus --set overrides, with precise error locations. */
#include "uclif/spec.h"

#include <stdlib.h>
#include <string.h>

#include "uclif/ini.h"
#include "uclif/thermal.h"
#include "uclif/units.h"

/* Sections that belong to other commands (sweeps, characterization): accepted, not read here. */
void ucl_char_opts_default(ucl_char_opts *o) {
  memset(o, 0, sizeof(*o));
  o->thr_lo = 0.5;
  o->thr_hi = 15.0;
  o->thr_tol = 1e-3;
  o->rate_amps = NULL;
  o->n_rate_amps = 0;
  o->adaptation = UCL_AUTO;
  o->rheobase = UCL_AUTO;
  o->tau_leak = UCL_AUTO;
  o->leak_width = 2e-3;
  o->tau_ref = UCL_AUTO;
  o->ref_window = 2e-3;
  o->energy = UCL_AUTO;
}

static const char *const other_sections[] = {"run",     "sweep",     "characterize", "network",
                                             "layers",  "recurrent", "tune",         "free",
                                             "targets", "tolerance"};

static int is_param_section(const char *s, ucl_param_section *out) {
  for (int k = UCL_SECTION_CIRCUIT; k <= UCL_SECTION_LAST; k++) {
    if (strcmp(s, ucl_params_section_name((ucl_param_section)k)) == 0) {
      *out = (ucl_param_section)k;
      return 1;
    }
  }
  return 0;
}

static int is_other_section(const char *s) {
  if (strncmp(s, "neuron.", 7) == 0 || strncmp(s, "synapse.", 8) == 0) {
    return 1; /* network sections (network.c) */
  }
  if (strcmp(s, "fit") == 0 || strncmp(s, "fit.", 4) == 0 || strncmp(s, "recording.", 10) == 0 ||
      strncmp(s, "variant.", 8) == 0) {
    return 1; /* fit sections (fit.c) */
  }
  for (size_t i = 0; i < sizeof(other_sections) / sizeof(other_sections[0]); i++) {
    if (strcmp(s, other_sections[i]) == 0) {
      return 1;
    }
  }
  return 0;
}

/* Where each key was last set, to blame the right place when validation fails. */
typedef struct origin {
  const char *key;
  int line;        /* > 0: file line */
  const char *set; /* != NULL: the --set text */
} origin;

static void note_origin(origin *o, size_t *n, size_t cap, const char *key, int line,
                        const char *set) {
  for (size_t i = 0; i < *n; i++) {
    if (strcmp(o[i].key, key) == 0) {
      o[i].line = line;
      o[i].set = set;
      return;
    }
  }
  if (*n < cap) {
    o[*n].key = key;
    o[*n].line = line;
    o[*n].set = set;
    (*n)++;
  }
}
/* The origin (line or --set) of key 'key' (NULL: none), the last one that set it. */
static const origin *find_origin(const origin *orig, size_t n, const char *key) {
  const origin *o = NULL;
  for (size_t i = 0; key && i < n; i++) {
    if (strcmp(orig[i].key, key) == 0) {
      o = &orig[i];
    }
  }
  return o;
}

/* A cross-field check blames one key of a pair; when the user set only the other, point there. */
static const char *partner_key(const char *key) {
  static const char *const pairs[][2] = {{"scr.I_A_unlatch", "scr.I_A_latch"}, {"temp", "tnom"}};
  for (size_t i = 0; key && i < sizeof(pairs) / sizeof(pairs[0]); i++) {
    if (strcmp(pairs[i][0], key) == 0) {
      return pairs[i][1];
    }
  }
  return NULL;
}

ucl_status ucl_spec_apply_ini(const char *path, const ucl_ini *ini, const char *const *sets,
                              int n_sets, ucl_params *out, ucl_diag *diag) {
  ucl_params p;
  ucl_params_default(&p);
  ucl_status st = UCL_OK;
  size_t cap = ucl_params_count();
  origin *orig = calloc(cap, sizeof(*orig));
  size_t n_orig = 0;
  char *keybuf = NULL;
  if (!orig) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  if (ini) {
    for (size_t i = 0; i < ucl_ini_n_sections(ini); i++) {
      int line = 0;
      const char *sec = ucl_ini_section(ini, i, &line);
      ucl_param_section ps;
      if (!is_param_section(sec, &ps) && !is_other_section(sec)) {
        st = ucl_diag_set(diag, UCL_ERR_PARSE,
                          "%s:%d: unknown section [%s] (expected circuit, stimulus, solver, run, "
                          "sweep, characterize, network, layers, recurrent, neuron.NAME, "
                          "synapse.NAME, tune, free, targets, tolerance, fit, fit.free, "
                          "fit.features, recording.NAME or variant.NAME)",
                          path, line, sec);
        goto cleanup;
      }
    }
    for (size_t i = 0; i < ucl_ini_count(ini); i++) {
      const ucl_ini_entry *e = ucl_ini_entry_at(ini, i);
      ucl_param_section ps;
      if (!is_param_section(e->section, &ps)) {
        continue;
      }
      const ucl_param_info *info = ucl_params_find(e->key);
      if (info && info->section != ps) {
        st = ucl_diag_set(diag, UCL_ERR_INVAL, "%s:%d: key '%s' belongs in [%s], not [%s]", path,
                          e->line, e->key, ucl_params_section_name(info->section), e->section);
        goto cleanup;
      }
      st = ucl_params_set(&p, e->key, e->value, diag);
      if (st != UCL_OK) {
        ucl_diag_prefix(diag, "%s:%d: ", path, e->line);
        goto cleanup;
      }
      note_origin(orig, &n_orig, cap, info->name, e->line, NULL);
    }
  }
  for (int i = 0; i < n_sets; i++) {
    const char *eq = strchr(sets[i], '=');
    if (!eq || eq == sets[i]) {
      st = ucl_diag_set(diag, UCL_ERR_PARSE, "--set %s: expected NAME=VALUE", sets[i]);
      goto cleanup;
    }
    free(keybuf);
    keybuf = strndup(sets[i], (size_t)(eq - sets[i]));
    if (!keybuf) {
      st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
      goto cleanup;
    }
    st = ucl_params_set(&p, keybuf, eq + 1, diag);
    if (st != UCL_OK) {
      ucl_diag_prefix(diag, "--set %s: ", sets[i]);
      goto cleanup;
    }
    note_origin(orig, &n_orig, cap, ucl_params_find(keybuf)->name, 0, sets[i]);
  }
  const char *bad = NULL;
  st = ucl_params_validate(&p, &bad, diag);
  if (st == UCL_OK) {
    /* every device value must stay in its domain at the device temperature too */
    ucl_circuit_params at;
    st = ucl_circuit_at_temp(&p.circuit, &at, diag);
    bad = "temp";
  }
  if (st != UCL_OK) {
    const origin *o = find_origin(orig, n_orig, bad);
    if (!o) {
      o = find_origin(orig, n_orig, partner_key(bad));
    }
    if (o && o->set) {
      ucl_diag_prefix(diag, "--set %s: ", o->set);
    } else if (o && path) {
      ucl_diag_prefix(diag, "%s:%d: ", path, o->line);
    } else if (path) {
      ucl_diag_prefix(diag, "%s: ", path);
    }
    goto cleanup;
  }
  *out = p;
cleanup:
  free(keybuf);
  free(orig);
  return st;
}

ucl_status ucl_spec_load_config(const char *path, const char *const *sets, int n_sets,
                                ucl_params *out, ucl_diag *diag) {
  ucl_ini *ini = NULL;
  if (path) {
    ucl_status st = ucl_ini_read(path, &ini, diag);
    if (st != UCL_OK) {
      return st;
    }
  }
  ucl_status st = ucl_spec_apply_ini(path, ini, sets, n_sets, out, diag);
  ucl_ini_destroy(&ini);
  return st;
}

/* ---- [characterize] ---- */

static ucl_status parse_switch(const char *v, int allow_auto, int *out, ucl_diag *diag) {
  if (strcmp(v, "on") == 0) {
    *out = UCL_ON;
  } else if (strcmp(v, "off") == 0) {
    *out = UCL_OFF;
  } else if (allow_auto && strcmp(v, "auto") == 0) {
    *out = UCL_AUTO;
  } else {
    return ucl_diag_set(diag, UCL_ERR_PARSE, "'%s' is not %s", v,
                        allow_auto ? "auto, on or off" : "on or off");
  }
  return UCL_OK;
}

static ucl_status parse_positive(const char *v, const char *unit, double *out, ucl_diag *diag) {
  double x;
  ucl_status st = ucl_units_parse(v, unit, &x, diag);
  if (st == UCL_OK && !(x > 0.0)) {
    st = ucl_diag_set(diag, UCL_ERR_RANGE, "must be > 0 (got %g)", x);
  }
  if (st == UCL_OK) {
    *out = x;
  }
  return st;
}

/* One [characterize] key. */
/* A value set of amplitudes (V) into *owned (the config's, the old one freed) and the options'
 * borrowed view *amps, *n. On failure nothing changes. */
static ucl_status parse_amps(const char *v, double **owned, const double **amps, size_t *n,
                             ucl_diag *diag) {
  double *a = NULL;
  size_t na = 0;
  ucl_status st = ucl_values_parse(v, "V", 100000, &a, &na, diag);
  if (st == UCL_OK) {
    free(*owned);
    *owned = a;
    *amps = a;
    *n = na;
  }
  return st;
}

static ucl_status char_key(ucl_char_config *c, const char *k, const char *v, ucl_diag *diag) {
  ucl_char_opts *o = &c->opts;
  if (strcmp(k, "threshold") == 0) {
    double *b = NULL;
    size_t n = 0;
    ucl_status st = ucl_values_parse(v, "V", 2, &b, &n, diag);
    if (st == UCL_OK && (n != 2 || !(b[0] < b[1]))) {
      st = ucl_diag_set(diag, UCL_ERR_RANGE, "expected 'low, high' with low < high");
    }
    if (st == UCL_OK) {
      o->thr_lo = b[0];
      o->thr_hi = b[1];
    }
    free(b);
    return st;
  }
  if (strcmp(k, "threshold.tol") == 0) {
    return parse_positive(v, "V", &o->thr_tol, diag);
  }
  if (strcmp(k, "rate_curve") == 0) {
    return parse_amps(v, &c->rate_amps, &o->rate_amps, &o->n_rate_amps, diag);
  }
  if (strcmp(k, "adaptation") == 0) {
    return parse_switch(v, 1, &o->adaptation, diag);
  }
  if (strcmp(k, "adaptation.amplitude") == 0) {
    return parse_positive(v, "V", &o->adapt_amplitude, diag);
  }
  if (strcmp(k, "adaptation.window") == 0) {
    return parse_positive(v, "s", &o->adapt_window, diag);
  }
  if (strcmp(k, "rheobase") == 0) {
    return parse_switch(v, 0, &o->rheobase, diag);
  }
  if (strcmp(k, "tau_leak") == 0) {
    return parse_switch(v, 0, &o->tau_leak, diag);
  }
  if (strcmp(k, "tau_leak.amplitude") == 0) {
    return parse_positive(v, "V", &o->leak_amplitude, diag);
  }
  if (strcmp(k, "tau_leak.width") == 0) {
    return parse_positive(v, "s", &o->leak_width, diag);
  }
  if (strcmp(k, "tau_leak.window") == 0) {
    return parse_positive(v, "s", &o->leak_window, diag);
  }
  if (strcmp(k, "tau_ref") == 0) {
    return parse_switch(v, 0, &o->tau_ref, diag);
  }
  if (strcmp(k, "tau_ref.window") == 0) {
    return parse_positive(v, "s", &o->ref_window, diag);
  }
  if (strcmp(k, "energy") == 0) {
    return parse_switch(v, 0, &o->energy, diag);
  }
  if (strcmp(k, "curve_tracer") == 0) {
    return parse_switch(v, 0, &o->curve_tracer, diag);
  }
  if (strcmp(k, "trials") == 0) {
    return ucl_units_parse_long(v, 0, 1000000, &o->trials, diag);
  }
  if (strcmp(k, "probability") == 0) {
    ucl_status st = parse_amps(v, &c->prob_amps, &o->prob_amps, &o->n_prob_amps, diag);
    for (size_t i = 0; st == UCL_OK && i < o->n_prob_amps; i++) {
      for (size_t j = 0; j < i; j++) {
        if (o->prob_amps[i] == o->prob_amps[j]) {
          /* trial r draws the same noise at every amplitude: a repeat is the same trials */
          return ucl_diag_set(diag, UCL_ERR_INVAL,
                              "%g V comes twice: an amplitude's trials are the same draws "
                              "wherever it is listed, so a repeat would count them twice",
                              o->prob_amps[i]);
        }
      }
    }
    return st;
  }
  if (strcmp(k, "tempco") == 0) {
    if (strcmp(v, "off") == 0) {
      o->tempco_dT = 0.0;
      return UCL_OK;
    }
    return parse_positive(v, "K", &o->tempco_dT, diag);
  }
  return ucl_diag_set(diag, UCL_ERR_INVAL,
                      "unknown key '%s' in [characterize] (docs/spec.md lists them)", k);
}

ucl_status ucl_spec_char_from_ini(const char *path, const ucl_ini *ini, ucl_char_config *out,
                                  ucl_diag *diag) {
  ucl_char_config c;
  memset(&c, 0, sizeof(c));
  ucl_char_opts_default(&c.opts);
  ucl_status st = UCL_OK;
  if (ini) {
    for (size_t i = 0; st == UCL_OK && i < ucl_ini_count(ini); i++) {
      const ucl_ini_entry *e = ucl_ini_entry_at(ini, i);
      if (strcmp(e->section, "characterize") != 0) {
        continue;
      }
      st = char_key(&c, e->key, e->value, diag);
      if (strcmp(e->key, "trials") == 0) {
        c.trials_line = e->line;
      }
      if (st != UCL_OK) {
        ucl_diag_prefix(diag, "%s:%d: %s: ", path, e->line, e->key);
      }
    }
  }
  if (st != UCL_OK) {
    ucl_char_config_free(&c);
    return st;
  }
  *out = c;
  return UCL_OK;
}

ucl_status ucl_spec_load_char_config(const char *path, ucl_char_config *out, ucl_diag *diag) {
  ucl_ini *ini = NULL;
  if (path) {
    ucl_status st = ucl_ini_read(path, &ini, diag);
    if (st != UCL_OK) {
      return st;
    }
  }
  ucl_status st = ucl_spec_char_from_ini(path, ini, out, diag);
  ucl_ini_destroy(&ini);
  return st;
}

void ucl_char_config_free(ucl_char_config *c) {
  if (c) {
    free(c->rate_amps);
    c->rate_amps = NULL;
    c->opts.rate_amps = NULL;
    c->opts.n_rate_amps = 0;
    free(c->prob_amps);
    c->prob_amps = NULL;
    c->opts.prob_amps = NULL;
    c->opts.n_prob_amps = 0;
  }
}

int ucl_spec_noise_varies(const ucl_params *p) {
  const ucl_noise_params *z = &p->noise;
  if (z->thermal) {
    return 1;
  }
  if (p->circuit.neuron == UCL_NEURON_MOTT) {
    return z->jitter_V_th > 0.0 || z->jitter_I_hold > 0.0;
  }
  return p->circuit.scr.model != UCL_SCR_TWO_TRANSISTOR &&
         (z->jitter_I_GT > 0.0 || z->jitter_I_H > 0.0);
}

ucl_status ucl_spec_check_trials(const char *path, const ucl_char_config *c, const ucl_params *p,
                                 ucl_diag *diag) {
  if (c->opts.trials <= 0 && c->opts.n_prob_amps > 0) {
    ucl_diag_set(diag, UCL_ERR_INVAL,
                 "probability is set but trials is 0: set trials = N to run the firing "
                 "probability");
    if (path) {
      ucl_diag_prefix(diag, "%s: [characterize]: ", path);
    }
    return UCL_ERR_INVAL;
  }
  if (c->opts.trials <= 0 || ucl_spec_noise_varies(p)) {
    return UCL_OK;
  }
  ucl_diag_set(diag, UCL_ERR_INVAL,
               "trials = %ld: every trial would be the same: turn on noise.thermal or a jitter.* "
               "key%s",
               c->opts.trials,
               p->circuit.neuron != UCL_NEURON_MOTT &&
                       p->circuit.scr.model == UCL_SCR_TWO_TRANSISTOR
                   ? " (the two-transistor SCR has no jitter: noise.thermal)"
                   : "");
  if (path && c->trials_line > 0) {
    ucl_diag_prefix(diag, "%s:%d: ", path, c->trials_line);
  } else if (path) {
    ucl_diag_prefix(diag, "%s: [characterize]: ", path);
  }
  return UCL_ERR_INVAL;
}
