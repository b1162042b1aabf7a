/* tablecheck.h — shared helpers for the unit tests of output tables (columns.h): CSV text or a
 * CSV file read back with libcsv into an owned grid of fields, read by row and column name; and
 * the check that docs/outputs.md lists exactly a table's columns. Header-only (static inline
 * functions); every error fails the running cmocka test. */
#ifndef UCL_TABLECHECK_H
#define UCL_TABLECHECK_H

#include <csv.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "uclif/columns.h"

/* ---- reading CSV back ---- */

/* A parsed CSV: f[r][k] is field k of row r (row 0 is the header when the text has one), n[r]
 * the number of fields of row r, 'rows' the number of rows. Owns every field; free with
 * ucl_test_csv_free. */
typedef struct ucl_test_csv {
  char ***f;
  size_t *n;
  size_t rows;
  size_t cap; /* row slots allocated in f and n */
} ucl_test_csv;

/* Make sure slot 'rows' (the row being read) exists. */
static inline void ucl_test_csv_slot_(ucl_test_csv *c) {
  if (c->rows < c->cap) {
    return;
  }
  size_t cap = c->cap ? 2 * c->cap : 8;
  char ***f = realloc(c->f, cap * sizeof(*f));
  assert_non_null(f);
  c->f = f;
  size_t *n = realloc(c->n, cap * sizeof(*n));
  assert_non_null(n);
  c->n = n;
  for (size_t r = c->cap; r < cap; r++) {
    c->f[r] = NULL;
    c->n[r] = 0;
  }
  c->cap = cap;
}

static inline void ucl_test_csv_field_cb_(void *s, size_t len, void *data) {
  ucl_test_csv *c = data;
  ucl_test_csv_slot_(c);
  size_t k = c->n[c->rows];
  char **row = realloc(c->f[c->rows], (k + 1) * sizeof(*row));
  assert_non_null(row);
  c->f[c->rows] = row;
  char *text = malloc(len + 1);
  assert_non_null(text);
  if (len) {
    memcpy(text, s, len);
  }
  text[len] = '\0';
  row[k] = text;
  c->n[c->rows] = k + 1;
}

static inline void ucl_test_csv_row_cb_(int ch, void *data) {
  (void)ch;
  ucl_test_csv *c = data;
  ucl_test_csv_slot_(c);
  c->rows++;
}

/* Parse 'len' bytes of CSV text (libcsv, CSV_STRICT) into *c, which the caller frees with
 * ucl_test_csv_free. A parse error fails the test. */
static inline void ucl_test_csv_parse(const char *text, size_t len, ucl_test_csv *c) {
  memset(c, 0, sizeof(*c));
  struct csv_parser p;
  assert_int_equal(csv_init(&p, CSV_STRICT), 0);
  if (csv_parse(&p, text, len, ucl_test_csv_field_cb_, ucl_test_csv_row_cb_, c) != len ||
      csv_fini(&p, ucl_test_csv_field_cb_, ucl_test_csv_row_cb_, c) != 0) {
    fail_msg("CSV parse error: %s", csv_strerror(csv_error(&p)));
  }
  csv_free(&p);
}

/* The whole file at 'path', NUL-terminated (its length in *len when len is not NULL); the caller
 * frees it. A file that cannot be read fails the test. */
static inline char *ucl_test_read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fail_msg("cannot open %s", path);
  }
  char *s = NULL;
  size_t n = 0, cap = 0, got;
  char buf[4096];
  while ((got = fread(buf, 1, sizeof(buf), f)) > 0) {
    if (n + got + 1 > cap) {
      cap = 2 * (n + got + 1);
      char *g = realloc(s, cap);
      assert_non_null(g);
      s = g;
    }
    memcpy(s + n, buf, got);
    n += got;
  }
  assert_int_equal(ferror(f), 0);
  assert_int_equal(fclose(f), 0);
  if (!s) {
    s = malloc(1);
    assert_non_null(s);
  }
  s[n] = '\0';
  if (len) {
    *len = n;
  }
  return s;
}

/* Read and parse the CSV file at 'path' into *c (as ucl_test_csv_parse). */
static inline void ucl_test_csv_read(const char *path, ucl_test_csv *c) {
  size_t len = 0;
  char *text = ucl_test_read_file(path, &len);
  ucl_test_csv_parse(text, len, c);
  free(text);
}

static inline void ucl_test_csv_free(ucl_test_csv *c) {
  for (size_t r = 0; r < c->cap; r++) {
    for (size_t k = 0; k < c->n[r]; k++) {
      free(c->f[r][k]);
    }
    free(c->f[r]);
  }
  free(c->f);
  free(c->n);
  memset(c, 0, sizeof(*c));
}

/* The field of row 'row' (1 = the first after the header) under the header field 'name'
 * (borrowed from c). Fails the test when there is no such row or column, or when the row has
 * not as many fields as the header. */
static inline const char *ucl_test_csv_field(const ucl_test_csv *c, size_t row, const char *name) {
  if (row >= c->rows) {
    fail_msg("no row %zu (%zu rows)", row, c->rows);
  }
  for (size_t k = 0; k < c->n[0]; k++) {
    if (strcmp(c->f[0][k], name) == 0) {
      if (c->n[row] != c->n[0]) {
        fail_msg("row %zu has %zu fields, the header %zu", row, c->n[row], c->n[0]);
      }
      return c->f[row][k];
    }
  }
  fail_msg("no column %s", name);
  return "";
}

/* The field of ucl_test_csv_field as a number: the whole field must read as one (strtod). */
static inline double ucl_test_csv_number(const ucl_test_csv *c, size_t row, const char *name) {
  const char *s = ucl_test_csv_field(c, row, name);
  char *end = NULL;
  double v = strtod(s, &end);
  if (!*s || *end) {
    fail_msg("column %s: '%s' is not a number", name, s);
  }
  return v;
}

/* ---- docs/outputs.md lists exactly a table's columns ---- */

/* How a column is listed: NULL for its own row (ucl_column_markdown), or a fixed row that stands
 * for a run of columns (each parameter, each target, ...), listed once per run. */
typedef const char *(*ucl_test_collapse_fn)(const ucl_column *c);

static inline void ucl_test_append_line_(char **s, size_t *len, const char *text) {
  size_t l = strlen(text);
  char *n = realloc(*s, *len + l + 2);
  assert_non_null(n);
  memcpy(n + *len, text, l);
  n[*len + l] = '\n';
  n[*len + l + 1] = '\0';
  *s = n;
  *len += l + 1;
}

/* The block docs must hold for table t: the header lines, then a row per column (or per run of
 * collapsed columns), each line ending in '\n'. The caller frees it. */
static inline char *ucl_test_doc_expected(const ucl_table *t, ucl_test_collapse_fn collapse) {
  char *s = NULL;
  size_t len = 0;
  ucl_test_append_line_(&s, &len, "| column | unit | procedure | meaning |");
  ucl_test_append_line_(&s, &len, "|---|---|---|---|");
  const char *last = NULL;
  for (size_t i = 0; i < t->n; i++) {
    const char *row = collapse ? collapse(&t->cols[i]) : NULL;
    if (row) {
      if (row != last) {
        ucl_test_append_line_(&s, &len, row);
      }
    } else {
      size_t need = ucl_column_markdown(&t->cols[i], NULL, 0);
      char *buf = malloc(need + 1);
      assert_non_null(buf);
      assert_int_equal(ucl_column_markdown(&t->cols[i], buf, need + 1), need);
      ucl_test_append_line_(&s, &len, buf);
      free(buf);
    }
    last = row;
  }
  return s;
}

/* The start of the line "<!-- columns: MARKER -->" in doc, or NULL; *count is how many such
 * lines doc holds. */
static inline const char *ucl_test_doc_open_(const char *doc, const char *open, int *count) {
  const char *first = NULL;
  *count = 0;
  size_t ol = strlen(open);
  for (const char *p = strstr(doc, open); p; p = strstr(p + 1, open)) {
    if ((p == doc || p[-1] == '\n') && (p[ol] == '\n' || p[ol] == '\0')) {
      first = first ? first : p;
      (*count)++;
    }
  }
  return first;
}

/* The file at doc_path (e.g. UCL_SOURCE_DIR "/docs/outputs.md") must hold the line
 * "<!-- columns: MARKER -->" exactly once, and between it and the next "<!-- /columns -->"
 * (blank lines at either end aside) exactly ucl_test_doc_expected(t, collapse). Returns 0 when
 * it does; otherwise prints to stderr what differs and the expected block, ready to paste, and
 * returns 1 (the caller fails the test, after checking its other tables). */
static inline int ucl_test_doc_block(const char *doc_path, const char *marker, const ucl_table *t,
                                     ucl_test_collapse_fn collapse) {
  static const char close[] = "<!-- /columns -->";
  char open[128];
  assert_true((size_t)snprintf(open, sizeof(open), "<!-- columns: %s -->", marker) < sizeof(open));
  char *doc = ucl_test_read_file(doc_path, NULL);
  char *want = ucl_test_doc_expected(t, collapse);
  int count = 0;
  const char *a = ucl_test_doc_open_(doc, open, &count);
  const char *b = a ? strstr(a, close) : NULL;
  int bad = 1;
  if (count > 1) {
    fprintf(stderr, "%s: %d blocks '%s' (one expected); it should hold:\n", doc_path, count, open);
  } else if (!a || !b) {
    fprintf(stderr, "%s has no block for %s; it should hold:\n", doc_path, marker);
  } else {
    a += strlen(open);
    while (*a == '\n') {
      a++;
    }
    while (b > a && b[-1] == '\n') {
      b--;
    }
    size_t wl = strlen(want);
    bad = (size_t)(b - a) + 1 != wl || strncmp(a, want, wl - 1) != 0;
    if (bad) {
      /* the first line that differs, to find it at a glance ("" where one has no more) */
      const char *p = a, *q = want;
      int line = 1;
      for (;;) {
        size_t pl = p < b ? strcspn(p, "\n") : 0, ql = strcspn(q, "\n");
        if (p + pl > b) {
          pl = (size_t)(b - p);
        }
        if (pl != ql || strncmp(p, q, pl) != 0 || (p >= b) != !*q) {
          fprintf(stderr,
                  "%s, block %s, differs from the table's columns at its line %d:\n"
                  "  the doc has   %.*s\n  the table has %.*s\nthe block should be:\n",
                  doc_path, marker, line, (int)pl, p, (int)ql, q);
          break;
        }
        if (p >= b) {
          break; /* not reached: bad means some line differs */
        }
        p += pl + (p + pl < b);
        q += ql + (q[ql] == '\n');
        line++;
      }
    }
  }
  if (bad) {
    fprintf(stderr, "%s\n%s%s\n", open, want, close);
  }
  free(want);
  free(doc);
  return bad;
}

#endif
