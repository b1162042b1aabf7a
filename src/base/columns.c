/* columns.c — writing and reading rows through column tables (columns.h). */
#include "uclif/columns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long ucl_table_find(const ucl_table *t, const char *name) {
  for (size_t i = 0; i < t->n; i++) {
    if (strcmp(t->cols[i].name, name) == 0) {
      return (long)i;
    }
  }
  return -1;
}

void ucl_table_names(const ucl_table *t, const char **names) {
  for (size_t i = 0; i < t->n; i++) {
    names[i] = t->cols[i].name;
  }
}

ucl_status ucl_table_open(const ucl_table *t, const char *path, ucl_csv_writer **out,
                          ucl_diag *diag) {
  const char **names = malloc((t->n ? t->n : 1) * sizeof(*names));
  if (!names) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  ucl_table_names(t, names);
  ucl_status st = ucl_csv_open(path, names, (int)t->n, out, diag);
  free(names);
  return st;
}

static const void *field(const ucl_column *c, const void *const *parts) {
  return (const char *)parts[c->part] + c->offset;
}

/* The stored values, read with memcpy (a part's field need not be aligned for its kind's type
 * when the part is a byte buffer). */
static double real_at(const void *f) {
  double v;
  memcpy(&v, f, sizeof(v));
  return v;
}

static int int_at(const void *f) {
  int v;
  memcpy(&v, f, sizeof(v));
  return v;
}

static long long_at(const void *f) {
  long v;
  memcpy(&v, f, sizeof(v));
  return v;
}

static ucl_status write_cell(const ucl_column *c, const void *const *parts, ucl_csv_writer *w) {
  const void *f = field(c, parts);
  switch (c->kind) {
  case UCL_COL_REAL:
    return ucl_csv_double(w, real_at(f));
  case UCL_COL_SAMPLE:
    return ucl_csv_sample(w, real_at(f));
  case UCL_COL_INT:
    return ucl_csv_long(w, int_at(f));
  case UCL_COL_LONG:
    return ucl_csv_long(w, long_at(f));
  case UCL_COL_ENUM:
    return ucl_csv_text(w, c->enum_name(int_at(f)));
  case UCL_COL_TEXT:
    return ucl_csv_text(w, (const char *)f);
  case UCL_COL_CELL:
    return c->cell(w, parts[c->part], c);
  }
  return UCL_ERR_INVAL;
}

ucl_status ucl_table_write_row(const ucl_table *t, const void *const *parts, ucl_csv_writer *w,
                               ucl_diag *diag) {
  for (size_t i = 0; i < t->n; i++) {
    ucl_status st = write_cell(&t->cols[i], parts, w);
    if (st != UCL_OK) {
      return ucl_diag_set(diag, st, "writing column %s of a %s row failed", t->cols[i].name,
                          t->file);
    }
  }
  return ucl_csv_end_row(w, diag);
}

int ucl_table_number(const ucl_table *t, size_t col, const void *const *parts, double *out) {
  if (col >= t->n) {
    return 0;
  }
  const ucl_column *c = &t->cols[col];
  const void *f = field(c, parts);
  switch (c->kind) {
  case UCL_COL_REAL:
  case UCL_COL_SAMPLE: /* the double itself, not its rounded text */
    *out = real_at(f);
    return 1;
  case UCL_COL_INT:
    *out = (double)int_at(f);
    return 1;
  case UCL_COL_LONG:
    *out = (double)long_at(f);
    return 1;
  case UCL_COL_CELL:
    return c->number ? c->number(parts[c->part], c, out) : 0;
  case UCL_COL_ENUM:
  case UCL_COL_TEXT:
    break;
  }
  return 0;
}

size_t ucl_column_markdown(const ucl_column *c, char *buf, size_t size) {
  int n = snprintf(buf, size, "| `%s` | %s | %s | %s |", c->name, c->unit[0] ? c->unit : "–",
                   c->procedure[0] ? c->procedure : "–", c->meaning);
  return n < 0 ? 0 : (size_t)n;
}
