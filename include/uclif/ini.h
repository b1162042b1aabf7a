/* ini.h — a strict reader of the INI dialect used by spec files: "[section]" headers,
 * "key = value" lines, comments starting with ';' or '#' (whole line, or after a blank inside a
 * value), blank lines. Every entry keeps its line number for error messages. */
#ifndef UCL_INI_H
#define UCL_INI_H

#include <stddef.h>

#include "uclif/status.h"

typedef struct ucl_ini_entry {
  const char *section; /* "" before the first header is an error, so never empty */
  const char *key;
  const char *value; /* trimmed; may be "" */
  int line;          /* 1-based */
} ucl_ini_entry;

typedef struct ucl_ini ucl_ini; /* opaque */

/* Read a whole text file (at most 16 MiB, no NUL bytes) into a malloc'd string. Errors name
 * the path. */
UCL_NODISCARD ucl_status ucl_read_text_file(const char *path, char **text, ucl_diag *diag);

/* Read and parse 'path'. Errors name "path:line: what" in 'diag' (UCL_ERR_INPUT if the file cannot
 * be read, UCL_ERR_PARSE for a malformed line). */
UCL_NODISCARD ucl_status ucl_ini_read(const char *path, ucl_ini **out, ucl_diag *diag);

/* Parse text already in memory; 'name' is used in messages. */
UCL_NODISCARD ucl_status ucl_ini_parse(const char *name, const char *text, ucl_ini **out,
                                       ucl_diag *diag);

void ucl_ini_destroy(ucl_ini **ini);

size_t ucl_ini_count(const ucl_ini *ini);
const ucl_ini_entry *ucl_ini_entry_at(const ucl_ini *ini, size_t i);
/* The section headers in order of appearance, with their lines. */
size_t ucl_ini_n_sections(const ucl_ini *ini);
const char *ucl_ini_section(const ucl_ini *ini, size_t i, int *line);

#endif
