/* datasheet_check DIR [MIN] — every number of DIR/datasheet/index.html against the CSVs in DIR
 * (docs/outputs.md, "The datasheet"). Each element with data-csv="F" data-row="R"
 * data-column="C" data-value="V" must have V equal, byte for byte, to the text of column C of data
 * row R of DIR/F, and show V in engineering notation with C's unit (ucl_units_format_eng, 4
 * significant digits, 5 or 6 for a points.csv parameter that needs them to be exact; a
 * dimensionless column as a whole number when it is one, else %.4g with more digits while that
 * shows a whole number; "–" for an empty field); and no "(no number NAME)" note (a number the page
 * could not find). Prints one line per mismatch and a summary; exit 0 when every number matches and
 * there are at least MIN of them (default 1), else 1; 2 for bad usage or an unreadable file. Used
 * by tests/cli/test_datasheet.sh.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uclif/results.h"
#include "uclif/units.h"

typedef struct csv {
  char name[64];
  char **cells; /* rows × cols, row 0 the header */
  size_t n_cells, cap;
  size_t cols, rows; /* rows counts the header */
  size_t field;
} csv;

static void fcb(void *s, size_t len, void *data) {
  csv *c = data;
  if (c->n_cells == c->cap) {
    c->cap = c->cap ? 2 * c->cap : 256;
    c->cells = realloc(c->cells, c->cap * sizeof(char *));
    if (!c->cells) {
      exit(2);
    }
  }
  c->cells[c->n_cells++] = strndup(s ? s : "", len);
  c->field++;
}

static void rcb(int ch, void *data) {
  csv *c = data;
  (void)ch;
  if (c->rows == 0) {
    c->cols = c->field;
  }
  c->rows++;
  c->field = 0;
}

static const ucl_table *table_of(const char *name) {
  if (strcmp(name, "points.csv") == 0) {
    return ucl_results_points_table();
  }
  if (strcmp(name, "rate_curves.csv") == 0) {
    return ucl_results_curves_table();
  }
  if (strcmp(name, "threshold_period.csv") == 0) {
    return ucl_results_period_table();
  }
  if (strcmp(name, "fits.csv") == 0) {
    return ucl_results_fits_table();
  }
  return NULL;
}

/* The value of attribute 'attr' in the tag text [tag, end) into buf; 0 when absent. */
static int attr(const char *tag, const char *end, const char *name, char *buf, size_t n) {
  char key[64];
  snprintf(key, sizeof(key), " %s=\"", name);
  const char *a = strstr(tag, key);
  if (!a || a > end) {
    return 0;
  }
  a += strlen(key);
  const char *q = strchr(a, '"');
  if (!q || q > end) {
    return 0;
  }
  snprintf(buf, n, "%.*s", (int)(q - a), a);
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: datasheet_check DIR [MIN]\n");
    return 2;
  }
  long min = argc == 3 ? strtol(argv[2], NULL, 10) : 1;
  char path[4096];
  snprintf(path, sizeof(path), "%s/datasheet/index.html", argv[1]);
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "%s: cannot read\n", path);
    return 2;
  }
  char *page = NULL;
  size_t len = 0, cap = 0;
  for (int ch; (ch = fgetc(f)) != EOF;) {
    if (len + 2 > cap) {
      cap = cap ? 2 * cap : 65536;
      page = realloc(page, cap);
      if (!page) {
        return 2;
      }
    }
    page[len++] = (char)ch;
  }
  fclose(f);
  if (!page) {
    fprintf(stderr, "%s: empty\n", path);
    return 2;
  }
  page[len] = '\0';
  csv files[4];
  int n_files = 0;
  memset(files, 0, sizeof(files));
  long checked = 0, bad = 0;
  for (const char *s = strstr(page, "data-csv=\""); s; s = strstr(s + 1, "data-csv=\"")) {
    const char *tag = s - 1, *end = strchr(s, '>');
    const char *close = end ? strstr(end, "</span>") : NULL;
    char name[64], row[32], col[128], value[64];
    if (!end || !close || !attr(tag, end, "data-csv", name, sizeof(name)) ||
        !attr(tag, end, "data-row", row, sizeof(row)) ||
        !attr(tag, end, "data-column", col, sizeof(col)) ||
        !attr(tag, end, "data-value", value, sizeof(value))) {
      printf("malformed number element at byte %ld\n", (long)(s - page));
      bad++;
      continue;
    }
    char shown[128];
    snprintf(shown, sizeof(shown), "%.*s", (int)(close - end - 1), end + 1);
    int k = 0;
    while (k < n_files && strcmp(files[k].name, name) != 0) {
      k++;
    }
    if (k == n_files) {
      if (n_files == 4) {
        printf("%s: an unknown file\n", name);
        bad++;
        continue;
      }
      snprintf(files[k].name, sizeof(files[k].name), "%s", name);
      char cp[4200];
      snprintf(cp, sizeof(cp), "%s/%s", argv[1], name);
      ucl_diag d = {{0}};
      if (ucl_csv_parse_file(cp, fcb, rcb, &files[k], &d) != UCL_OK) {
        fprintf(stderr, "%s\n", d.msg);
        return 2;
      }
      n_files++;
    }
    const csv *c = &files[k];
    long r = strtol(row, NULL, 10);
    size_t j = 0;
    while (j < c->cols && strcmp(c->cells[j], col) != 0) {
      j++;
    }
    const ucl_table *t = table_of(name);
    long tc = t ? ucl_table_find(t, col) : -1;
    if (j == c->cols || r < 0 || (size_t)r + 1 >= c->rows || tc < 0) {
      printf("%s row %ld column %s: no such cell\n", name, r, col);
      bad++;
      continue;
    }
    const char *cell = c->cells[((size_t)r + 1) * c->cols + j];
    char want[128];
    double v = cell[0] ? strtod(cell, NULL) : NAN;
    /* 4 digits; a parameter (a given value) with the 5 or 6 it needs to be written exactly */
    int digits = 4;
    if (strcmp(name, "points.csv") == 0 && t->cols[tc].part == UCL_POINT_PART_PARAMS) {
      for (int d = 1; d <= 6; d++) {
        char tx[40];
        snprintf(tx, sizeof(tx), "%.*g", d, v);
        if (strtod(tx, NULL) == v) {
          digits = d > 4 ? d : 4;
          break;
        }
      }
    }
    if (cell[0] && t->cols[tc].unit[0]) {
      ucl_units_format_eng(v, t->cols[tc].unit, digits, want, sizeof(want));
    } else if (cell[0] && v == floor(v) && fabs(v) < 1e15) { /* dimensionless: a whole number */
      snprintf(want, sizeof(want), "%.0f", v);
    } else if (cell[0]) { /* else never shown as a whole number (an R² of 0.9999985 is not 1) */
      do {
        snprintf(want, sizeof(want), "%.*g", digits++, v);
      } while (strtod(want, NULL) == floor(strtod(want, NULL)) && digits <= 17);
    } else {
      snprintf(want, sizeof(want), "–");
    }
    checked++;
    if (strcmp(cell, value) != 0 || strcmp(shown, want) != 0) {
      printf("%s row %ld column %s: the page has %s shown as '%s', the CSV %s (shown as '%s')\n",
             name, r, col, value, shown, cell, want);
      bad++;
    }
  }
  /* a number the page meant to show but could not (a column the datasheet names is missing) */
  for (const char *s = strstr(page, "(no number "); s; s = strstr(s + 1, "(no number ")) {
    printf("the page lacks a number: %.60s\n", s);
    bad++;
  }
  printf("%ld numbers checked against the CSVs, %ld differ or are missing\n", checked, bad);
  for (int k = 0; k < n_files; k++) {
    for (size_t i = 0; i < files[k].n_cells; i++) {
      free(files[k].cells[i]);
    }
    free(files[k].cells);
  }
  free(page);
  return bad == 0 && checked >= min ? 0 : 1;
}
