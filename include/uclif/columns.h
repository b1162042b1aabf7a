/* columns.h — output files described as data: one table per CSV file (points.csv,
 * rate_curves.csv, neurons.csv, waveform.csv, events.csv, bom.csv, draws.csv), each row a column
 * with its name (unit in the name, docs/outputs.md), unit, kind, where its value lives in the
 * result structs, which procedure measures it and what it means. Writers, shards, the merge, the
 * report, tune's target lookup and the documentation check all read these tables, so a new
 * quantity is one struct field and one table row.
 *
 * A row is given as an array of "parts": the structs its values live in (for points.csv: the
 * point index, the characterization result, the parameters). A column reads part[c->part] at
 * c->offset (offsetof into that struct), or calls c->cell for values that need code (a choice's
 * name, a sanitised message). Tables are static data, or built once from other tables (the
 * parameter columns of points.csv); they are read-only after that. */
#ifndef UCL_COLUMNS_H
#define UCL_COLUMNS_H

#include <stddef.h>

#include "uclif/csvio.h"
#include "uclif/status.h"

typedef enum ucl_col_kind {
  UCL_COL_REAL = 0,  /* double at the offset; %.17g, NAN written as an empty field */
  UCL_COL_INT = 1,   /* int at the offset */
  UCL_COL_LONG = 2,  /* long at the offset */
  UCL_COL_ENUM = 3,  /* int (or an enum with non-negative values) at the offset, written as
                        enum_name(value) */
  UCL_COL_TEXT = 4,  /* NUL-terminated char array at the offset */
  UCL_COL_CELL = 5,  /* written by 'cell'; its number (tune's targets) from 'number' if any */
  UCL_COL_SAMPLE = 6 /* double at the offset, a waveform sample: UCL_CSV_SAMPLE_DIGITS
                        significant digits (%.9g, csvio.h), NAN written as an empty field */
} ucl_col_kind;

typedef struct ucl_column ucl_column;

/* Write the cell of column c from its part (UCL_COL_CELL). Returns the writer's status. */
typedef ucl_status (*ucl_col_cell_fn)(ucl_csv_writer *w, const void *part, const ucl_column *c);

/* The numeric value of column c from its part (UCL_COL_CELL): 1 and *out set, or 0 when the
 * column has no numeric value. */
typedef int (*ucl_col_number_fn)(const void *part, const ucl_column *c, double *out);

struct ucl_column {
  const char *name; /* CSV header: the unit is part of the name (threshold_V) */
  const char *unit; /* SI unit ("V", "s", "Hz", "J", "Ohm", "F"), "" when dimensionless */
  ucl_col_kind kind;
  int part;      /* index into the row's parts */
  size_t offset; /* offsetof(the part's struct, the field) for the stored kinds */
  const char *(*enum_name)(int value); /* UCL_COL_ENUM */
  ucl_col_cell_fn cell;                /* UCL_COL_CELL */
  ucl_col_number_fn number;            /* UCL_COL_CELL; NULL when not a number */
  const void *aux;                     /* for 'cell' / 'number' (e.g. a parameter's info) */
  const char *procedure; /* which procedure measures it (docs/features.md), "" for inputs */
  const char *meaning;   /* one line, as docs/outputs.md lists it */
};

/* A table row for a value stored in a struct: e.g.
 *   UCL_FIELD(REAL, "tau_ref_s", "s", PART, ucl_char_result, tau_ref_s, "tau_ref", "meaning")
 * and for an int-valued enum written by name: UCL_FIELD_ENUM(name, part, type, field, names, ...).
 */
#define UCL_FIELD(kind, name, unit, part, type, field, proc, text)                                 \
  { name, unit, UCL_COL_##kind, part, offsetof(type, field), .procedure = proc, .meaning = text }
#define UCL_FIELD_ENUM(name, part, type, field, names, proc, text)                                 \
  { name, "", UCL_COL_ENUM, part, offsetof(type, field), names, .procedure = proc, .meaning = text }

typedef struct ucl_table {
  const char *file;       /* "points.csv" */
  const ucl_column *cols; /* n of them, in file order */
  size_t n;
} ucl_table;

/* Open a CSV writer on 'path' (csvio.h: a temporary file, renamed on commit) with the table's
 * column names as its header. */
UCL_NODISCARD ucl_status ucl_table_open(const ucl_table *t, const char *path, ucl_csv_writer **out,
                                        ucl_diag *diag);

/* The column called 'name' (exact), or -1. */
long ucl_table_find(const ucl_table *t, const char *name);

/* Column names in file order into names[0..t->n) (borrowed from the table). */
void ucl_table_names(const ucl_table *t, const char **names);

/* Append the cells of one row (every column of t, in order) to the current row of 'w' and end
 * the row. 'parts' holds the structs the columns read (borrowed). On failure 'diag' names the
 * file and column. */
UCL_NODISCARD ucl_status ucl_table_write_row(const ucl_table *t, const void *const *parts,
                                             ucl_csv_writer *w, ucl_diag *diag);

/* The numeric value of column 'col' of the row in 'parts': 1 with *out set (a NAN stays NAN; an
 * int or long converts exactly up to 2^53), 0 when the column is text or an enum. */
int ucl_table_number(const ucl_table *t, size_t col, const void *const *parts, double *out);

/* The column's markdown row for docs/outputs.md: "| `name` | unit | procedure | meaning |" with
 * "–" for an empty unit or procedure. Truncates to 'size'; returns the length it needed. */
size_t ucl_column_markdown(const ucl_column *c, char *buf, size_t size);

#endif
