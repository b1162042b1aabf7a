/* csvio.h — CSV files per RFC 4180 through libcsv: text fields quoted as needed, numbers at full
 * precision (%.17g) or, for waveform samples, at UCL_CSV_SAMPLE_DIGITS significant digits
 * (%.9g), written to "<path>.tmp" and renamed into place only on commit, so a reader never sees a
 * half-written file.
 *
 * The number formatters are our own (integer arithmetic, no printf on the common path) and write
 * exactly the bytes printf would: a caller may switch between them and snprintf without changing
 * a file. */
#ifndef UCL_CSVIO_H
#define UCL_CSVIO_H

#include <stdio.h>

#include "uclif/status.h"

typedef struct ucl_csv_writer ucl_csv_writer; /* opaque */

/* Open a writer for 'path' and write the header row (n_cols names). UCL_ERR_IO when the
 * temporary file cannot be created or the header cannot be written (nothing is left behind). */
UCL_NODISCARD ucl_status ucl_csv_open(const char *path, const char *const *cols, int n_cols,
                                      ucl_csv_writer **out, ucl_diag *diag);

/* Significant digits of a waveform sample (ucl_csv_sample): a relative rounding error of at most
 * 5e-9, below any 24-bit acquisition (float32 carries 7.2 digits) and four orders below the
 * solver's default relative tolerance (1e-4). */
#define UCL_CSV_SAMPLE_DIGITS 9

/* Bytes a formatted number needs, with its NUL ("-2.2250738585072014e-308" is 24 characters). */
#define UCL_CSV_NUMBER_SIZE 32

/* v as printf("%.17g") writes it, byte for byte: it reads back (strtod) to the same double.
 * NAN writes "" (a missing value), infinities "inf" / "-inf". 'buf' holds UCL_CSV_NUMBER_SIZE
 * bytes; returns the length written (without the NUL). Exact integer arithmetic for
 * 1e-16 <= |v| < 1e17 (times, voltages, most features; ~290 instructions, 10x fewer than
 * snprintf); snprintf outside that range. */
size_t ucl_csv_format_double(double v, char *buf);

/* v rounded to UCL_CSV_SAMPLE_DIGITS significant digits, as printf("%.9g") writes it, byte for
 * byte (correctly rounded, ties to even; trailing zeros dropped; fixed notation for decimal
 * exponents -4 ... 8, else d.dddddddde±XX). NAN writes "". A read-back is within 5e-9·|v| of v.
 * Same buffer and return as ucl_csv_format_double. Integer digits for 1e-280 <= |v| < 1e280
 * (~160 instructions, 18x fewer than snprintf's %.17g: docs/benchmarks.md); snprintf outside
 * that range and at the rare near-ties. Exposed for every waveform writer (networks too). */
size_t ucl_csv_format_sample(double v, char *buf);

/* Append one field to the current row. ucl_csv_double writes %.17g (ucl_csv_format_double),
 * ucl_csv_sample a waveform sample (ucl_csv_format_sample); both write NAN as an empty field. */
UCL_NODISCARD ucl_status ucl_csv_double(ucl_csv_writer *w, double v);
UCL_NODISCARD ucl_status ucl_csv_sample(ucl_csv_writer *w, double v);
UCL_NODISCARD ucl_status ucl_csv_long(ucl_csv_writer *w, long v);
UCL_NODISCARD ucl_status ucl_csv_text(ucl_csv_writer *w, const char *s);

/* End the current row (it must have exactly n_cols fields: UCL_ERR_INVAL otherwise). UCL_ERR_IO
 * when this or any earlier write to the file failed (a field cut short by a failed write is an
 * output error, not a malformed row). */
UCL_NODISCARD ucl_status ucl_csv_end_row(ucl_csv_writer *w, ucl_diag *diag);

/* Flush, close and rename the temporary file onto 'path'. On any failure the temporary file is
 * removed and 'diag' says why. *w is freed and set to NULL either way. */
UCL_NODISCARD ucl_status ucl_csv_commit(ucl_csv_writer **w, ucl_diag *diag);

/* Commit the n writers ws[0..n) (from ucl_csv_open; NULL entries are skipped) as one output:
 * first flush and close every temporary file; if any write, flush or close failed (or a row was
 * malformed), remove every temporary file and rename none, so each 'path' keeps what it held.
 * Only then rename them in order. A rename failing midway (it practically cannot once the files
 * are closed on the same filesystem) leaves the earlier ones renamed and removes the rest; 'diag'
 * names the file. Every ws[i] is freed and set to NULL either way. */
UCL_NODISCARD ucl_status ucl_csv_commit_all(ucl_csv_writer **ws, size_t n, ucl_diag *diag);

/* Read the CSV file 'path' through libcsv (CSV_APPEND_NULL: every field NUL-terminated): 'fcb'
 * gets each field (its bytes, length, 'data'), 'rcb' each record's end (libcsv's terminator
 * character, 'data'). UCL_ERR_INPUT for a file that cannot be opened or read, UCL_ERR_PARSE
 * "path:LINE: what" for malformed CSV (LINE counts records from 1: the physical line unless a
 * quoted field holds a line break), UCL_ERR_NOMEM. The one reader of whole CSV files (the
 * report, the fit page, tune's fit file). */
UCL_NODISCARD ucl_status ucl_csv_parse_file(const char *path, void (*fcb)(void *, size_t, void *),
                                            void (*rcb)(int, void *), void *data, ucl_diag *diag);

/* A writer onto an open stream (not owned: no temporary file, no header, nothing closed). Free
 * it with ucl_csv_abort. */
UCL_NODISCARD ucl_status ucl_csv_wrap(FILE *f, int n_cols, ucl_csv_writer **out);

/* A writer into memory (no file, no header): rows accumulate until ucl_csv_mem_take hands them
 * over (a shard block's rows, a sweep point's rows). Free it with ucl_csv_mem_take or
 * ucl_csv_abort. UCL_ERR_NOMEM. */
UCL_NODISCARD ucl_status ucl_csv_mem_open(int n_cols, ucl_csv_writer **out);

/* The complete rows written to a memory writer: *text (malloc'd, NUL-terminated, the caller frees
 * it) and *len; *w is freed and set to NULL either way. UCL_ERR_NOMEM (nothing to free) when the
 * memory stream failed; UCL_ERR_INVAL for a writer that is not a memory writer. */
UCL_NODISCARD ucl_status ucl_csv_mem_take(ucl_csv_writer **w, char **text, size_t *len);

/* Append bytes that already form complete rows (CRLF-terminated); "bytes" may be NULL when len
 * is 0. */
UCL_NODISCARD ucl_status ucl_csv_raw(ucl_csv_writer *w, const char *bytes, size_t len);

/* After a failed write: UCL_ERR_IO with "TMPFILE: write failed: REASON" (the system's reason, e.g.
 * "No space left on device") in 'diag'. Returns UCL_OK and leaves 'diag' alone when nothing failed.
 */
ucl_status ucl_csv_failure(const ucl_csv_writer *w, ucl_diag *diag);

/* Close and remove the temporary file without touching 'path'. Accepts NULL. */
void ucl_csv_abort(ucl_csv_writer **w);

#endif
