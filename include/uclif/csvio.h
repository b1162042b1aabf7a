/* csvio.h — CSV files per RFC 4180 through libcsv: text fields quoted as needed, numbers at full
 * precision (%.17g), written to "<path>.tmp" and renamed into place only on commit, so a reader
 * never sees a half-written file. */
#ifndef UCL_CSVIO_H
#define UCL_CSVIO_H

#include <stdio.h>

#include "uclif/status.h"

typedef struct ucl_csv_writer ucl_csv_writer; /* opaque */

/* Open a writer for 'path' and write the header row (n_cols names). */
UCL_NODISCARD ucl_status ucl_csv_open(const char *path, const char *const *cols, int n_cols,
                                      ucl_csv_writer **out, ucl_diag *diag);

/* Append one field to the current row. */
UCL_NODISCARD ucl_status ucl_csv_double(ucl_csv_writer *w, double v);
UCL_NODISCARD ucl_status ucl_csv_long(ucl_csv_writer *w, long v);
UCL_NODISCARD ucl_status ucl_csv_text(ucl_csv_writer *w, const char *s);

/* End the current row (it must have exactly n_cols fields: UCL_ERR_INVAL otherwise). */
UCL_NODISCARD ucl_status ucl_csv_end_row(ucl_csv_writer *w, ucl_diag *diag);

/* Flush, close and rename the temporary file onto 'path'. On any failure the temporary file is
 * removed and 'diag' says why. *w is freed and set to NULL either way. */
UCL_NODISCARD ucl_status ucl_csv_commit(ucl_csv_writer **w, ucl_diag *diag);

/* A writer onto an open stream (not owned: no temporary file, no header, nothing closed). Free
 * it with ucl_csv_abort. */
UCL_NODISCARD ucl_status ucl_csv_wrap(FILE *f, int n_cols, ucl_csv_writer **out);

/* Append bytes that already form complete rows (CRLF-terminated). */
UCL_NODISCARD ucl_status ucl_csv_raw(ucl_csv_writer *w, const char *bytes, size_t len);

/* Close and remove the temporary file without touching 'path'. Accepts NULL. */
void ucl_csv_abort(ucl_csv_writer **w);

#endif
