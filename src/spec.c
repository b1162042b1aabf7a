/* spec.c — configuration from a spec file plus --set overrides, with precise error locations. */
#include "uclif/spec.h"

#include <stdlib.h>
#include <string.h>

#include "uclif/ini.h"

/* Sections that belong to other commands (sweeps, characterization): accepted, not read here. */
static const char *const other_sections[] = {"run", "sweep", "characterize"};

static int is_param_section(const char *s, ucl_param_section *out) {
  for (int k = UCL_SECTION_CIRCUIT; k <= UCL_SECTION_SOLVER; k++) {
    if (strcmp(s, ucl_params_section_name((ucl_param_section)k)) == 0) {
      *out = (ucl_param_section)k;
      return 1;
    }
  }
  return 0;
}

static int is_other_section(const char *s) {
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

ucl_status ucl_spec_load_config(const char *path, const char *const *sets, int n_sets,
                                ucl_params *out, ucl_diag *diag) {
  ucl_params p;
  ucl_params_default(&p);
  ucl_ini *ini = NULL;
  ucl_status st = UCL_OK;
  size_t cap = ucl_params_count();
  origin *orig = calloc(cap, sizeof(*orig));
  size_t n_orig = 0;
  char *keybuf = NULL;
  if (!orig) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  if (path) {
    st = ucl_ini_read(path, &ini, diag);
    if (st != UCL_OK) {
      goto cleanup;
    }
    for (size_t i = 0; i < ucl_ini_n_sections(ini); i++) {
      int line = 0;
      const char *sec = ucl_ini_section(ini, i, &line);
      ucl_param_section ps;
      if (!is_param_section(sec, &ps) && !is_other_section(sec)) {
        st = ucl_diag_set(diag, UCL_ERR_PARSE,
                          "%s:%d: unknown section [%s] (expected circuit, stimulus, solver, run, "
                          "sweep or characterize)",
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
  if (st != UCL_OK) {
    const origin *o = NULL;
    for (size_t i = 0; bad && i < n_orig; i++) {
      if (strcmp(orig[i].key, bad) == 0) {
        o = &orig[i];
      }
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
  ucl_ini_destroy(&ini);
  return st;
}
