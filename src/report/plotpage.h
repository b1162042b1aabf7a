/* plotpage.h — (private to src/report) what the HTML pages of src/report share: streaming a CSV
 * through libcsv, gnuplot scripts that draw each plot as an SVG with a PNG copy, running gnuplot
 * (fork and exec, no shell), HTML escaping, and a page written to "PATH.tmp" and renamed into
 * place. Used by report.c (the sweep report) and fitreport.c (the fit page). Nothing here prints,
 * exits or runs a shell. */
#ifndef UCL_REPORT_PLOTPAGE_H
#define UCL_REPORT_PLOTPAGE_H

#include <stddef.h>
#include <stdio.h>

#include "uclif/status.h"

/* UCL_ERR_INVAL ("DIR: a directory name with quotes cannot be handed to gnuplot; ...") when
 * 'dir' holds a quote, which a gnuplot script's file names cannot carry; else UCL_OK. */
UCL_NODISCARD ucl_status ucl_page_gp_dir_ok(const char *dir, ucl_diag *diag);

/* src into dst (n bytes, truncated) for a gnuplot double-quoted string: '"' and '\' escaped. */
void ucl_page_gp_str(char *dst, size_t n, const char *src);

/* Append to the gnuplot script gp the lines that draw one plot twice, as outdir/name.svg
 * (width × height pixels) and as outdir/name.png (name.svg and name.png, relative to the
 * directory gnuplot runs in, when outdir is NULL): a reset, missing values 'nan', a light grid,
 * the title (a gnuplot double-quoted string, not enhanced), 'setup', then 'body' (the plot
 * command) under each terminal. Write errors show in ferror(gp). */
void ucl_page_gp_emit(FILE *gp, const char *outdir, const char *name, const char *title,
                      const char *setup, const char *body, int width, int height);

/* 'path' relative to 'dir' when it lies in it ("DIR/data/x.dat" → "data/x.dat"), else 'path'
 * itself: the file names of a script that runs in dir. */
const char *ucl_page_rel(const char *dir, const char *path);

/* The bytes of one tic label (ucl_page_tic_labels). */
#define UCL_PAGE_TIC_LABEL 64

/* The labels of the n tics t into labels (n of them): ucl_units_format_eng(t[i], unit, d) with
 * the smallest d from 3 on (at most 17) that gives tics of different values different labels
 * (2.0005, 2.001 and 2.0015 ms: "2.0005 ms", "2.001 ms", "2.0015 ms", not three "2 ms"). Returns
 * d. Never fails. */
int ucl_page_tic_labels(const double *t, size_t n, const char *unit,
                        char (*labels)[UCL_PAGE_TIC_LABEL]);

/* Append to the NUL-terminated gnuplot text in buf (n bytes in all) the lines that make axis
 * 'axis' ("x", "y", "x2", "y2" or "cb") readable: the label 'label (unit)' as a not-enhanced
 * string, with "Ohm" written Ω (U+03A9) and no parentheses when 'unit' is NULL or ""; `set
 * logscale AXIS` when 'logscale' and the range is positive; the range [lo, hi] (for x and y
 * widened by 4 % of its span, of its log span on a log axis, so end points clear the border; cb
 * exactly); and explicit tics at round values within [lo, hi], each labelled by
 * ucl_units_format_eng(value, unit, 3): on a linear axis 1-2-5 steps giving about 4 to 8 tics; on
 * a log axis 1, 2 and 5 of each decade (1, 1.5, 2, 3, 5 and 7 when that gives fewer than 4), or
 * whole decades (every k-th when there are many) when the range spans more than 3.5 decades, or
 * linear steps when a narrow range holds fewer than 3 such values. lo > hi is swapped. When lo or
 * hi is not finite, the finite one is used for both (neither: 0 to 1, or 1 to 10 on a log axis);
 * when they are equal to a value v, the range is v ± 1 % (−1 to 1 for 0) with tics at its ends and
 * at v. A line that does not fit in buf is left out whole (2 KB per axis is always enough). Never
 * fails; not collective. */
void ucl_page_gp_axis(char *buf, size_t n, const char *axis, const char *label, const char *unit,
                      double lo, double hi, int logscale);

/* Close the data file f (written to 'path'). A write or close failure sets *first and
 * *first_diag (UCL_ERR_IO, "PATH: write failed: why") when *first is still UCL_OK: a full disk
 * must fail the page, not leave gnuplot a truncated file. */
void ucl_page_close_data(FILE *f, const char *path, ucl_status *first, ucl_diag *first_diag);

/* Run the gnuplot program 'prog' (a path, or a name looked up in PATH) on the script gp_path:
 * fork and exec with an argument vector, no shell; its standard error goes to log_path. With
 * 'cwd' not NULL gnuplot runs in that directory (on gp_path relative to it, when it lies there;
 * a relative 'prog' with a '/' is then relative to cwd),
 * so a script of relative file names runs as `cd CWD && gnuplot plots.gp` would. Waits
 * for it. UCL_ERR_IO when the log cannot be written, UCL_ERR_TOOL when gnuplot cannot be
 * started or found, or fails ("see LOG_PATH"); every message names gnuplot. */
UCL_NODISCARD ucl_status ucl_page_gnuplot_run(const char *prog, const char *gp_path,
                                              const char *cwd, const char *log_path,
                                              ucl_diag *diag);

/* Finish a page's plots: close the gnuplot script *gp (set to NULL), then fail with 'io' and
 * 'io_diag' (the first failed data file, UCL_OK when none) or with UCL_ERR_IO "GP_PATH: write
 * failed: why" for a short script, so that gnuplot never draws from a truncated file; then run
 * gnuplot 'prog' (NULL = "gnuplot") on it in 'cwd' (NULL: here) when 'drawn' > 0, its
 * standard error to log_path (ucl_page_gnuplot_run's errors). */
UCL_NODISCARD ucl_status ucl_page_gp_finish(FILE **gp, const char *gp_path, const char *cwd,
                                            ucl_status io, const ucl_diag *io_diag, int drawn,
                                            const char *prog, const char *log_path, ucl_diag *diag);

/* Write s to f with <, >, & and " escaped for HTML text and attribute values. */
void ucl_page_html_escape(FILE *f, const char *s);

/* The page's head through "<body>": the doctype, a title of title_prefix followed by title
 * (escaped), the shared style plus extra_css (may be NULL). */
void ucl_page_html_head(FILE *h, const char *title_prefix, const char *title,
                        const char *extra_css);

/* The paragraph that the footer's script fills with "images loaded: N of M" (what the browser
 * test reads). */
void ucl_page_html_loaded(FILE *h);

/* A figure: an anchor id 'name', the caption (title in bold, a link to name.png, then the
 * escaped 'caption' on its own line when not NULL) and the image name.svg. */
void ucl_page_html_figure(FILE *h, const char *name, const char *title, const char *caption);

/* A figure that was not drawn: an anchor id 'name', the title in bold and "(WORD: note)" in the
 * note style (WORD "skipped" in the report, "left out" in the datasheet). */
void ucl_page_html_figure_note(FILE *h, const char *name, const char *title, const char *word,
                               const char *note);

/* The script that counts the loaded images, and the end of the page. */
void ucl_page_html_foot(FILE *h);

/* A page being written: to "path.tmp", renamed onto 'path' by ucl_page_commit. */
typedef struct ucl_page_file {
  FILE *f;
  char path[1100];
  char tmp[1200];
} ucl_page_file;

/* Open 'path'.tmp for writing into pf->f. UCL_ERR_IO "PATH.tmp: cannot write: why". */
UCL_NODISCARD ucl_status ucl_page_open(ucl_page_file *pf, const char *path, ucl_diag *diag);

/* Close pf->f and rename the temporary file onto pf->path; on a write, close or rename failure
 * the temporary file is removed and UCL_ERR_IO "PATH: write failed". pf->f is NULL afterwards
 * either way. */
UCL_NODISCARD ucl_status ucl_page_commit(ucl_page_file *pf, ucl_diag *diag);

/* Close and remove an open temporary file (after a failure elsewhere). Accepts pf->f == NULL. */
void ucl_page_abort(ucl_page_file *pf);

#endif
