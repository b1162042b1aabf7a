/* ini.c — strict INI reader with line numbers. */
#include "uclif/ini.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INI_MAX_FILE (16u << 20)

struct ucl_ini {
  char *buf; /* owns all strings */
  ucl_ini_entry *entries;
  size_t n, cap;
  struct {
    const char *name;
    int line;
  } * sections;
  size_t n_sections, cap_sections;
};

void ucl_ini_destroy(ucl_ini **ini) {
  if (ini && *ini) {
    free((*ini)->buf);
    free((*ini)->entries);
    free((*ini)->sections);
    free(*ini);
    *ini = NULL;
  }
}

static char *trim(char *s) {
  while (*s && isspace((unsigned char)*s)) {
    s++;
  }
  size_t n = strlen(s);
  while (n > 0 && isspace((unsigned char)s[n - 1])) {
    s[--n] = '\0';
  }
  return s;
}

/* Cut an inline comment: ';' or '#' at the start or preceded by a blank. */
static void cut_comment(char *s) {
  for (char *p = s; *p; p++) {
    if ((*p == ';' || *p == '#') && (p == s || isspace((unsigned char)p[-1]))) {
      *p = '\0';
      return;
    }
  }
}

static int valid_name(const char *s) {
  if (!*s) {
    return 0;
  }
  for (; *s; s++) {
    if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '.' || *s == '-')) {
      return 0;
    }
  }
  return 1;
}

ucl_status ucl_ini_parse(const char *name, const char *text, ucl_ini **out, ucl_diag *diag) {
  ucl_status st = UCL_OK;
  ucl_ini *ini = calloc(1, sizeof(*ini));
  if (!ini || !(ini->buf = strdup(text))) {
    free(ini);
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "%s: out of memory", name);
  }
  const char *section = NULL;
  int line = 0;
  char *p = ini->buf;
  while (p && *p) {
    char *nl = strchr(p, '\n');
    if (nl) {
      *nl = '\0';
    }
    line++;
    char *s = p;
    p = nl ? nl + 1 : NULL;
    size_t len = strlen(s);
    if (len > 0 && s[len - 1] == '\r') {
      s[len - 1] = '\0';
    }
    cut_comment(s);
    s = trim(s);
    if (!*s) {
      continue;
    }
    if (*s == '[') {
      char *close = strchr(s, ']');
      if (!close || trim(close + 1)[0] != '\0') {
        st = ucl_diag_set(diag, UCL_ERR_PARSE, "%s:%d: malformed section header '%s'", name, line,
                          s);
        goto fail;
      }
      *close = '\0';
      char *sec = trim(s + 1);
      if (!valid_name(sec)) {
        st = ucl_diag_set(diag, UCL_ERR_PARSE, "%s:%d: bad section name '%s'", name, line, sec);
        goto fail;
      }
      for (size_t i = 0; i < ini->n_sections; i++) {
        if (strcmp(ini->sections[i].name, sec) == 0) {
          st = ucl_diag_set(diag, UCL_ERR_PARSE, "%s:%d: section [%s] repeated (first at line %d)",
                            name, line, sec, ini->sections[i].line);
          goto fail;
        }
      }
      if (ini->n_sections == ini->cap_sections) {
        size_t cap = ini->cap_sections ? 2 * ini->cap_sections : 8;
        void *np = realloc(ini->sections, cap * sizeof(*ini->sections));
        if (!np) {
          st = ucl_diag_set(diag, UCL_ERR_NOMEM, "%s: out of memory", name);
          goto fail;
        }
        ini->sections = np;
        ini->cap_sections = cap;
      }
      ini->sections[ini->n_sections].name = sec;
      ini->sections[ini->n_sections].line = line;
      ini->n_sections++;
      section = sec;
      continue;
    }
    char *eq = strchr(s, '=');
    if (!eq) {
      st = ucl_diag_set(diag, UCL_ERR_PARSE, "%s:%d: expected 'key = value', got '%s'", name, line,
                        s);
      goto fail;
    }
    *eq = '\0';
    char *key = trim(s);
    char *value = trim(eq + 1);
    if (!valid_name(key)) {
      st = ucl_diag_set(diag, UCL_ERR_PARSE, "%s:%d: bad key '%s'", name, line, key);
      goto fail;
    }
    if (!section) {
      st = ucl_diag_set(diag, UCL_ERR_PARSE, "%s:%d: key '%s' before any [section]", name, line,
                        key);
      goto fail;
    }
    for (size_t i = 0; i < ini->n; i++) {
      if (strcmp(ini->entries[i].section, section) == 0 && strcmp(ini->entries[i].key, key) == 0) {
        st =
            ucl_diag_set(diag, UCL_ERR_PARSE, "%s:%d: key '%s' repeated in [%s] (first at line %d)",
                         name, line, key, section, ini->entries[i].line);
        goto fail;
      }
    }
    if (ini->n == ini->cap) {
      size_t cap = ini->cap ? 2 * ini->cap : 32;
      ucl_ini_entry *np = realloc(ini->entries, cap * sizeof(*np));
      if (!np) {
        st = ucl_diag_set(diag, UCL_ERR_NOMEM, "%s: out of memory", name);
        goto fail;
      }
      ini->entries = np;
      ini->cap = cap;
    }
    ini->entries[ini->n++] = (ucl_ini_entry){section, key, value, line};
  }
  *out = ini;
  return UCL_OK;
fail:
  ucl_ini_destroy(&ini);
  return st;
}

ucl_status ucl_read_text_file(const char *path, char **text_out, ucl_diag *diag) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    return ucl_diag_set(diag, UCL_ERR_INPUT, "%s: cannot open: %s", path, strerror(errno));
  }
  ucl_status st = UCL_OK;
  char *text = NULL;
  size_t n = 0, cap = 0;
  for (;;) {
    if (n + 4096 + 1 > cap) {
      cap = cap ? 2 * cap : 8192;
      char *np = realloc(text, cap);
      if (!np) {
        st = ucl_diag_set(diag, UCL_ERR_NOMEM, "%s: out of memory", path);
        goto done;
      }
      text = np;
    }
    size_t got = fread(text + n, 1, 4096, f);
    n += got;
    if (got < 4096) {
      break;
    }
    if (n > INI_MAX_FILE) {
      st = ucl_diag_set(diag, UCL_ERR_PARSE, "%s: larger than %u bytes", path, INI_MAX_FILE);
      goto done;
    }
  }
  if (ferror(f)) {
    st = ucl_diag_set(diag, UCL_ERR_INPUT, "%s: read error", path);
    goto done;
  }
  if (memchr(text, '\0', n)) {
    st = ucl_diag_set(diag, UCL_ERR_PARSE, "%s: contains a NUL byte (not a text file)", path);
    goto done;
  }
  text[n] = '\0';
  *text_out = text;
  text = NULL;
done:
  free(text);
  fclose(f);
  return st;
}

ucl_status ucl_ini_read(const char *path, ucl_ini **out, ucl_diag *diag) {
  char *text = NULL;
  ucl_status st = ucl_read_text_file(path, &text, diag);
  if (st == UCL_OK) {
    st = ucl_ini_parse(path, text, out, diag);
  }
  free(text);
  return st;
}

size_t ucl_ini_count(const ucl_ini *ini) {
  return ini->n;
}

const ucl_ini_entry *ucl_ini_entry_at(const ucl_ini *ini, size_t i) {
  return i < ini->n ? &ini->entries[i] : NULL;
}

size_t ucl_ini_n_sections(const ucl_ini *ini) {
  return ini->n_sections;
}

const char *ucl_ini_section(const ucl_ini *ini, size_t i, int *line) {
  if (i >= ini->n_sections) {
    return NULL;
  }
  if (line) {
    *line = ini->sections[i].line;
  }
  return ini->sections[i].name;
}
