/* ini.h — the one reader of text inputs, and a strict reader of the INI dialect used by spec
 * files: "[section]" headers, "key = value" lines, comments starting with ';' or '#' (whole line,
 * or after a blank inside a value), blank lines. Every entry keeps its line number for error
 * messages.
 *
 * Text inputs (docs/spec.md "Text files"): UTF-8 (ASCII is UTF-8), an optional leading UTF-8
 * byte-order mark (EF BB BF, skipped), lines ended by LF, CR LF or CR alone, in any mix. Refused,
 * with "name:line: byte N (column C) is ...": a byte sequence that is not UTF-8, NUL, the control
 * characters U+0001-U+0008, U+000B-U+000C, U+000E-U+001F, U+007F-U+009F (TAB is allowed), and
 * U+FEFF after the start. N counts bytes of the input from 1 (as cmp(1) does), C counts
 * characters of the line from 1. */
#ifndef UCL_INI_H
#define UCL_INI_H

#include <stddef.h>
#include <stdint.h>

#include "uclif/status.h"

typedef struct ucl_ini_entry {
  const char *section; /* "" before the first header is an error, so never empty */
  const char *key;
  const char *value; /* trimmed; may be "" */
  int line;          /* 1-based */
} ucl_ini_entry;

typedef struct ucl_ini ucl_ini; /* opaque */

/* Decode the 'n' bytes at 'bytes' (which may hold NULs) as a text input (rules above): on success
 * *text is a malloc'd NUL-terminated copy without the byte-order mark and with every line end
 * turned into one LF (caller frees); decoding its result again gives the same text. On failure
 * *text is untouched and 'diag' says "name:line: byte N (column C) is 0xXX, ..." (or
 * "... is U+XXXX, ..." for a character that is UTF-8 but not allowed); UCL_ERR_PARSE, or
 * UCL_ERR_NOMEM. */
UCL_NODISCARD ucl_status ucl_ini_decode(const char *name, const char *bytes, size_t n, char **text,
                                        ucl_diag *diag);

/* Check one line given on the command line (a --set NAME=VALUE) by the same rules, where a line
 * end is a control character too. On failure 'diag' says "byte N (column C) is ..." without a
 * location (the caller prefixes the option); UCL_ERR_PARSE. */
UCL_NODISCARD ucl_status ucl_ini_check_line(const char *text, ucl_diag *diag);

/* The UTF-8 character at 's' (at most 'n' bytes read): its length in bytes (1-4) with its code
 * point in *cp, or 0 when the bytes there are not well-formed UTF-8 (Unicode Table 3-7: no
 * overlong forms, no surrogates, nothing above U+10FFFF; n == 0 gives 0). */
size_t ucl_ini_utf8_next(const char *s, size_t n, uint32_t *cp);

/* Read a whole text file (at most 16 MiB) and decode it with ucl_ini_decode (the path names it
 * in messages) into a malloc'd string. Errors name the path. */
UCL_NODISCARD ucl_status ucl_read_text_file(const char *path, char **text, ucl_diag *diag);

/* Read and parse 'path'. Errors name "path:line: what" in 'diag' (UCL_ERR_INPUT if the file cannot
 * be read, UCL_ERR_PARSE for a malformed line). */
UCL_NODISCARD ucl_status ucl_ini_read(const char *path, ucl_ini **out, ucl_diag *diag);

/* Parse text already in memory (decoded first with ucl_ini_decode); 'name' is used in
 * messages. */
UCL_NODISCARD ucl_status ucl_ini_parse(const char *name, const char *text, ucl_ini **out,
                                       ucl_diag *diag);

void ucl_ini_destroy(ucl_ini **ini);

size_t ucl_ini_count(const ucl_ini *ini);
const ucl_ini_entry *ucl_ini_entry_at(const ucl_ini *ini, size_t i);
/* The section headers in order of appearance, with their lines. */
size_t ucl_ini_n_sections(const ucl_ini *ini);
const char *ucl_ini_section(const ucl_ini *ini, size_t i, int *line);
/* Section i's entries: their number, and in *first the index (ucl_ini_entry_at) of the first;
 * a section's entries are consecutive (a section cannot repeat). 0 past the last section. */
size_t ucl_ini_section_entries(const ucl_ini *ini, size_t i, size_t *first);

#endif
