/* csvio.c — CSV writing through libcsv with temp-file + rename. */
#include "uclif/csvio.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ucl_csv_writer {
  FILE *f;
  char *path, *tmp; /* NULL for a wrapped stream */
  int n_cols, col;
  int failed;
  int owns; /* the writer opened f (and renames the file on commit) */
};

static int put_sep(ucl_csv_writer *w) {
  if (w->col > 0 && fputc(',', w->f) == EOF) {
    return -1;
  }
  w->col++;
  return 0;
}

ucl_status ucl_csv_text(ucl_csv_writer *w, const char *s) {
  if (put_sep(w) != 0 || csv_fwrite(w->f, s, strlen(s)) != 0) {
    w->failed = 1;
    return UCL_ERR_IO;
  }
  return UCL_OK;
}

ucl_status ucl_csv_double(ucl_csv_writer *w, double v) {
  char buf[40];
  if (isnan(v)) {
    buf[0] = '\0'; /* missing value: empty field */
  } else {
    snprintf(buf, sizeof(buf), "%.17g", v);
  }
  if (put_sep(w) != 0 || fputs(buf, w->f) == EOF) {
    w->failed = 1;
    return UCL_ERR_IO;
  }
  return UCL_OK;
}

ucl_status ucl_csv_long(ucl_csv_writer *w, long v) {
  if (put_sep(w) != 0 || fprintf(w->f, "%ld", v) < 0) {
    w->failed = 1;
    return UCL_ERR_IO;
  }
  return UCL_OK;
}

ucl_status ucl_csv_end_row(ucl_csv_writer *w, ucl_diag *diag) {
  if (w->col != w->n_cols) {
    w->failed = 1;
    return ucl_diag_set(diag, UCL_ERR_INVAL, "%s: row has %d fields, header has %d", w->path,
                        w->col, w->n_cols);
  }
  w->col = 0;
  if (fputs("\r\n", w->f) == EOF || w->failed) {
    w->failed = 1;
    return ucl_diag_set(diag, UCL_ERR_IO, "%s: write failed: %s", w->tmp ? w->tmp : "stream",
                        strerror(errno));
  }
  return UCL_OK;
}

static void writer_free(ucl_csv_writer *w) {
  free(w->path);
  free(w->tmp);
  free(w);
}

ucl_status ucl_csv_open(const char *path, const char *const *cols, int n_cols, ucl_csv_writer **out,
                        ucl_diag *diag) {
  ucl_csv_writer *w = calloc(1, sizeof(*w));
  if (!w) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  size_t n = strlen(path);
  w->path = strdup(path);
  w->tmp = malloc(n + 5);
  if (!w->path || !w->tmp) {
    writer_free(w);
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  memcpy(w->tmp, path, n);
  memcpy(w->tmp + n, ".tmp", 5);
  w->owns = 1;
  w->f = fopen(w->tmp, "wb");
  if (!w->f) {
    ucl_status st =
        ucl_diag_set(diag, UCL_ERR_IO, "%s: cannot create: %s", w->tmp, strerror(errno));
    writer_free(w);
    return st;
  }
  w->n_cols = n_cols;
  for (int k = 0; k < n_cols; k++) {
    if (ucl_csv_text(w, cols[k]) != UCL_OK) {
      break;
    }
  }
  ucl_status st = ucl_csv_end_row(w, diag);
  if (st != UCL_OK) {
    ucl_csv_abort(&w);
    return st;
  }
  *out = w;
  return UCL_OK;
}

ucl_status ucl_csv_commit(ucl_csv_writer **wp, ucl_diag *diag) {
  ucl_csv_writer *w = *wp;
  ucl_status st = UCL_OK;
  int bad = w->failed || fflush(w->f) != 0 || ferror(w->f);
  if (fclose(w->f) != 0) {
    bad = 1;
  }
  w->f = NULL;
  if (bad) {
    st = ucl_diag_set(diag, UCL_ERR_IO, "%s: write failed: %s", w->tmp, strerror(errno));
    remove(w->tmp);
  } else if (rename(w->tmp, w->path) != 0) {
    st = ucl_diag_set(diag, UCL_ERR_IO, "%s: cannot rename into place: %s", w->path,
                      strerror(errno));
    remove(w->tmp);
  }
  writer_free(w);
  *wp = NULL;
  return st;
}

ucl_status ucl_csv_wrap(FILE *f, int n_cols, ucl_csv_writer **out) {
  ucl_csv_writer *w = calloc(1, sizeof(*w));
  if (!w) {
    return UCL_ERR_NOMEM;
  }
  w->f = f;
  w->n_cols = n_cols;
  *out = w;
  return UCL_OK;
}

ucl_status ucl_csv_raw(ucl_csv_writer *w, const char *bytes, size_t len) {
  if (w->col != 0 || fwrite(bytes, 1, len, w->f) != len) {
    w->failed = 1;
    return UCL_ERR_IO;
  }
  return UCL_OK;
}

void ucl_csv_abort(ucl_csv_writer **wp) {
  if (!wp || !*wp) {
    return;
  }
  ucl_csv_writer *w = *wp;
  if (w->f && w->owns) {
    fclose(w->f);
    remove(w->tmp);
  }
  writer_free(w);
  *wp = NULL;
}
