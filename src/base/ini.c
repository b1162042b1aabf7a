/* ini.c — the one reader of text inputs (UTF-8, any line ends, an optional BOM) and a strict INI
 * reader with line numbers. */
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
    size_t first, count; /* its entries (contiguous: a section cannot repeat) */
  } * sections;
  size_t n_sections, cap_sections;
  size_t *index, cap_index; /* while parsing: section numbers + 1 by name hash (0: empty) */
};

/* ---- text inputs ---- */

size_t ucl_ini_utf8_next(const char *s, size_t n, uint32_t *cp) {
  const unsigned char *b = (const unsigned char *)s;
  if (n == 0) {
    return 0;
  }
  if (b[0] < 0x80) {
    *cp = b[0];
    return 1;
  }
  size_t k;
  uint32_t c;
  unsigned char lo = 0x80, hi = 0xBF; /* the range of the second byte (Unicode Table 3-7) */
  if (b[0] >= 0xC2 && b[0] <= 0xDF) {
    k = 2;
    c = b[0] & 0x1Fu;
  } else if (b[0] >= 0xE0 && b[0] <= 0xEF) {
    k = 3;
    c = b[0] & 0x0Fu;
    lo = b[0] == 0xE0 ? 0xA0 : 0x80;
    hi = b[0] == 0xED ? 0x9F : 0xBF;
  } else if (b[0] >= 0xF0 && b[0] <= 0xF4) {
    k = 4;
    c = b[0] & 0x07u;
    lo = b[0] == 0xF0 ? 0x90 : 0x80;
    hi = b[0] == 0xF4 ? 0x8F : 0xBF;
  } else {
    return 0;
  }
  if (n < k || b[1] < lo || b[1] > hi) {
    return 0;
  }
  for (size_t i = 1; i < k; i++) {
    if ((b[i] & 0xC0u) != 0x80u) {
      return 0;
    }
    c = (c << 6) | (b[i] & 0x3Fu);
  }
  *cp = c;
  return k;
}

/* Scan 'n' bytes of text input. With 'out' (room for n + 1 bytes), write the decoded text there:
 * no leading BOM, every line end one LF. With 'one_line', CR and LF are refused like other
 * control characters and no BOM is skipped. 'name' (NULL: no location) starts the message. */
static ucl_status text_scan(const char *name, const char *bytes, size_t n, int one_line, char *out,
                            ucl_diag *diag) {
  const unsigned char *b = (const unsigned char *)bytes;
  size_t i = 0, o = 0, col = 1;
  int line = 1;
  char what[160] = "";
  if (!one_line && n >= 3 && memcmp(b, "\xEF\xBB\xBF", 3) == 0) {
    i = 3;
  }
  while (i < n) {
    if (!one_line && (b[i] == '\n' || b[i] == '\r')) {
      i += (b[i] == '\r' && i + 1 < n && b[i + 1] == '\n') ? 2 : 1;
      if (out) {
        out[o++] = '\n';
      }
      line++;
      col = 1;
      continue;
    }
    uint32_t cp = 0;
    size_t k = ucl_ini_utf8_next(bytes + i, n - i, &cp);
    if (k == 0 && i == 0 && n >= 2 &&
        ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF))) {
      snprintf(what, sizeof(what),
               "0x%02X: the text starts with a UTF-16 byte-order mark; save it as UTF-8", b[0]);
    } else if (k == 0) {
      snprintf(what, sizeof(what),
               "0x%02X, which is not UTF-8 (Latin-1 or Windows-1252 text? save it as UTF-8)", b[i]);
    } else if (cp == 0) {
      snprintf(what, sizeof(what),
               "0x00 (NUL), which text does not hold (UTF-16? save it as UTF-8)");
    } else if (cp == '\n' || cp == '\r') {
      snprintf(what, sizeof(what), "0x%02X, a line break", (unsigned)cp);
    } else if ((cp < 0x20 && cp != '\t') || cp == 0x7F) {
      snprintf(what, sizeof(what), "0x%02X, a control character", (unsigned)cp);
    } else if (cp >= 0x80 && cp <= 0x9F) {
      snprintf(what, sizeof(what), "U+%04X, a control character", (unsigned)cp);
    } else if (cp == 0xFEFF) {
      snprintf(what, sizeof(what), "U+FEFF, a byte-order mark after the start of the text");
    }
    if (what[0]) {
      if (name) {
        return ucl_diag_set(diag, UCL_ERR_PARSE, "%s:%d: byte %zu (column %zu) is %s", name, line,
                            i + 1, col, what);
      }
      return ucl_diag_set(diag, UCL_ERR_PARSE, "byte %zu (column %zu) is %s", i + 1, col, what);
    }
    if (out) {
      memcpy(out + o, bytes + i, k);
      o += k;
    }
    i += k;
    col++;
  }
  if (out) {
    out[o] = '\0';
  }
  return UCL_OK;
}

ucl_status ucl_ini_decode(const char *name, const char *bytes, size_t n, char **text,
                          ucl_diag *diag) {
  char *out = malloc(n + 1);
  if (!out) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "%s: out of memory", name);
  }
  ucl_status st = text_scan(name, bytes, n, 0, out, diag);
  if (st != UCL_OK) {
    free(out);
    return st;
  }
  *text = out;
  return UCL_OK;
}

ucl_status ucl_ini_check_line(const char *text, ucl_diag *diag) {
  return text_scan(NULL, text, strlen(text), 1, NULL, diag);
}

/* ---- INI ---- */

void ucl_ini_destroy(ucl_ini **ini) {
  if (ini && *ini) {
    free((*ini)->buf);
    free((*ini)->entries);
    free((*ini)->sections);
    free((*ini)->index);
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

/* FNV-1a (Fowler, Noll, Vo): the section index's hash. */
static size_t name_hash(const char *s) {
  uint64_t h = 14695981039346656037u;
  for (; *s; s++) {
    h = (h ^ (unsigned char)*s) * 1099511628211u;
  }
  return (size_t)h;
}

/* The slot of section name 'sec' in the index: the section holding it, or the empty slot where
 * it goes (open addressing, linear probing; the index is at most half full). */
static size_t *index_slot(const ucl_ini *ini, const char *sec) {
  size_t mask = ini->cap_index - 1, k = name_hash(sec) & mask;
  while (ini->index[k] != 0 && strcmp(ini->sections[ini->index[k] - 1].name, sec) != 0) {
    k = (k + 1) & mask;
  }
  return &ini->index[k];
}

/* Room in the index for one more section. Nonzero when out of memory. */
static int index_grow(ucl_ini *ini) {
  if (2 * (ini->n_sections + 1) <= ini->cap_index) {
    return 0;
  }
  size_t cap = ini->cap_index ? 2 * ini->cap_index : 64;
  size_t *nx = calloc(cap, sizeof(size_t));
  if (!nx) {
    return 1;
  }
  free(ini->index);
  ini->index = nx;
  ini->cap_index = cap;
  for (size_t i = 0; i < ini->n_sections; i++) {
    *index_slot(ini, ini->sections[i].name) = i + 1;
  }
  return 0;
}

ucl_status ucl_ini_parse(const char *name, const char *text, ucl_ini **out, ucl_diag *diag) {
  ucl_ini *ini = calloc(1, sizeof(*ini));
  if (!ini) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "%s: out of memory", name);
  }
  ucl_status st = ucl_ini_decode(name, text, strlen(text), &ini->buf, diag);
  if (st != UCL_OK) {
    goto fail;
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
    cut_comment(s); /* decoded: every line ends in one LF */
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
      if (index_grow(ini) != 0) {
        st = ucl_diag_set(diag, UCL_ERR_NOMEM, "%s: out of memory", name);
        goto fail;
      }
      size_t *slot = index_slot(ini, sec);
      if (*slot != 0) {
        st = ucl_diag_set(diag, UCL_ERR_PARSE, "%s:%d: section [%s] repeated (first at line %d)",
                          name, line, sec, ini->sections[*slot - 1].line);
        goto fail;
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
      ini->sections[ini->n_sections].first = ini->n;
      ini->sections[ini->n_sections].count = 0;
      ini->n_sections++;
      *slot = ini->n_sections;
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
    for (size_t i = ini->sections[ini->n_sections - 1].first; i < ini->n; i++) {
      if (strcmp(ini->entries[i].key, key) == 0) { /* (this section's entries) */
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
    ini->sections[ini->n_sections - 1].count++;
  }
  free(ini->index); /* only the parse looks names up */
  ini->index = NULL;
  ini->cap_index = 0;
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
  st = ucl_ini_decode(path, text, n, text_out, diag);
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

size_t ucl_ini_section_entries(const ucl_ini *ini, size_t i, size_t *first) {
  if (i >= ini->n_sections) {
    *first = ini->n;
    return 0;
  }
  *first = ini->sections[i].first;
  return ini->sections[i].count;
}
