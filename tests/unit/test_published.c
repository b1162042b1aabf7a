/* test_published.c — the published figures of src/report/published.c against the table of
 * docs/published-neurons.md: the same rows in the same order, every cell equal (the "in J" cell
 * as a number), and each value in J the "as published" figure converted. */
#include <errno.h>
#include <string.h>

#include "testutil.h"
#include "../../src/report/published.h"

#define MAX_CELLS 8

/* The data rows of the table under "## Table" in the doc, one string each (heap, NUL-separated
 * lines in *buf); *nrows set. A row is a line starting with "| " after the header and the
 * separator line. */
static char **doc_rows(char **buf, size_t *nrows) {
  const char *path = UCL_SOURCE_DIR "/docs/published-neurons.md";
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    fail_msg("%s: cannot open", path);
  }
  *buf = malloc(1 << 16);
  assert_non_null(*buf);
  size_t len = fread(*buf, 1, (1 << 16) - 1, f);
  assert_int_equal(fclose(f), 0);
  assert_true(len < (1 << 16) - 1);
  (*buf)[len] = '\0';
  char **rows = calloc(64, sizeof *rows);
  assert_non_null(rows);
  *nrows = 0;
  int in_table = 0, seen_sep = 0;
  for (char *line = *buf; line != NULL && *line != '\0';) {
    char *nl = strchr(line, '\n');
    if (nl != NULL) {
      *nl = '\0';
    }
    if (strncmp(line, "## ", 3) == 0) {
      in_table = strcmp(line, "## Table") == 0;
    } else if (in_table && strncmp(line, "|---", 4) == 0) {
      seen_sep = 1;
    } else if (in_table && seen_sep && strncmp(line, "| ", 2) == 0) {
      assert_true(*nrows < 64);
      rows[(*nrows)++] = line;
    }
    line = nl != NULL ? nl + 1 : NULL;
  }
  return rows;
}

/* Split "| a | b | c |" into its trimmed cells (in place); returns their count. */
static size_t split_cells(char *row, char *cells[MAX_CELLS]) {
  size_t n = 0;
  char *p = row + 2; /* past "| " */
  for (char *bar; (bar = strstr(p, " |")) != NULL && n < MAX_CELLS; p = bar + 2) {
    *bar = '\0';
    cells[n++] = p;
    if (bar[2] == ' ') {
      bar++; /* past the space after the bar */
    }
  }
  return n;
}

/* The "as published" figure ("~1 pJ", "18 pJ (lowest, ...)", "1.61 fJ") in J. */
static double as_published_J(const char *s) {
  if (*s == '~') {
    s++;
  }
  char *end = NULL;
  errno = 0;
  double v = strtod(s, &end);
  assert_int_equal(errno, 0);
  assert_true(end != s && *end == ' ');
  end++;
  static const struct {
    char prefix;
    double scale;
  } prefixes[] = {{'f', 1e-15}, {'p', 1e-12}, {'n', 1e-9}, {'u', 1e-6}, {'m', 1e-3}};
  for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
    if (end[0] == prefixes[i].prefix && end[1] == 'J') {
      return v * prefixes[i].scale;
    }
  }
  fail_msg("\"%s\": no unit of energy (fJ, pJ, nJ, uJ, mJ) after the number", s);
  return 0;
}

static void test_doc_and_table_agree(void **state) {
  (void)state;
  size_t n = 0, nrows = 0;
  const ucl_published *p = ucl_published_figures(&n);
  char *buf = NULL;
  char **rows = doc_rows(&buf, &nrows);
  if (nrows != n) {
    fail_msg("docs/published-neurons.md has %zu table rows, src/report/published.c %zu", nrows, n);
  }
  for (size_t i = 0; i < n; i++) {
    char *cells[MAX_CELLS] = {NULL};
    size_t nc = split_cells(rows[i], cells);
    if (nc != 7) {
      fail_msg("doc row %zu: %zu cells, expected 7", i + 1, nc);
    }
    const char *want[7] = {p[i].work,   p[i].quantity, p[i].as_published, NULL,
                           p[i].counts, p[i].how,      p[i].citation};
    for (size_t c = 0; c < 7; c++) {
      if (want[c] != NULL && strcmp(cells[c], want[c]) != 0) {
        fail_msg("row %zu, column %zu: doc \"%s\", table \"%s\"", i + 1, c + 1, cells[c], want[c]);
      }
    }
    char *end = NULL;
    errno = 0;
    double doc_J = strtod(cells[3], &end);
    assert_int_equal(errno, 0);
    assert_true(end != cells[3] && *end == '\0');
    assert_close(p[i].value_J, doc_J, 1e-12, 0);
    assert_close(p[i].value_J, as_published_J(p[i].as_published), 1e-12, 0);
    print_message("%-70s %.3g J  %s\n", p[i].citation, p[i].value_J, p[i].how);
  }
  free(rows);
  free(buf);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_doc_and_table_agree),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
