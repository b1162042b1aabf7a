/* plotpage.c — what the HTML pages of src/report share (plotpage.h): CSV streaming, gnuplot
 * scripts and runs, HTML escaping and the page's frame, atomic page files. */
#include "plotpage.h"

#include "uclif/units.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

ucl_status ucl_page_gp_dir_ok(const char *dir, ucl_diag *diag) {
  if (strchr(dir, '\'') || strchr(dir, '"')) {
    return ucl_diag_set(diag, UCL_ERR_INVAL,
                        "%s: a directory name with quotes cannot be handed to "
                        "gnuplot; rename or link it",
                        dir);
  }
  return UCL_OK;
}

void ucl_page_gp_str(char *dst, size_t n, const char *src) {
  size_t k = 0;
  for (; *src && k + 3 < n; src++) {
    if (*src == '"' || *src == '\\') {
      dst[k++] = '\\';
    }
    dst[k++] = *src;
  }
  dst[k] = '\0';
}

void ucl_page_gp_emit(FILE *gp, const char *outdir, const char *name, const char *title,
                      const char *setup, const char *body, int width, int height) {
  const char *dir = outdir ? outdir : "", *sep = outdir ? "/" : "";
  fprintf(gp,
          "reset\nset encoding utf8\nset datafile missing 'nan'\nset grid lc rgb '#dddddd'\nset "
          "title \"%s\" "
          "noenhanced\n%s\n"
          "set terminal svg size %d,%d font 'sans,11' background 'white'\nset output "
          "'%s%s%s.svg'\n%s\n"
          "set terminal pngcairo size %d,%d font 'sans,10'\nset output '%s%s%s.png'\nreplot\n"
          "unset output\n",
          title, setup, width, height, dir, sep, name, body, width, height, dir, sep, name);
}

enum { AXIS_MAX_TICS = 24 };

/* Multiples of a 1-2-5 step within [lo, hi] (lo < hi, both finite) into t: the largest step that
 * gives 4 to 8 of them, else the one whose count is nearest that (3 before 10). Returns the
 * count. */
static size_t lin_tics(double lo, double hi, double *t) {
  static const double mult[] = {5, 2, 1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01};
  double p = pow(10.0, floor(log10(hi - lo)));
  double step = 0.0, best_off = HUGE_VAL;
  for (size_t i = 0; i < sizeof(mult) / sizeof(mult[0]); i++) {
    double s = mult[i] * p;
    double c = floor(hi / s + 1e-9) - ceil(lo / s - 1e-9) + 1.0;
    double off = c < 4.0 ? 4.0 - c : c > 8.0 ? c - 8.0 : 0.0;
    if (off < best_off) {
      best_off = off;
      step = s;
    }
  }
  size_t k = 0;
  for (double i = ceil(lo / step - 1e-9); i <= floor(hi / step + 1e-9) && k < AXIS_MAX_TICS; i++) {
    double v = i * step;
    t[k++] = fabs(v) < step * 1e-9 ? 0.0 : v;
  }
  return k;
}

/* The values m·10^d within [lo, hi] for the mantissas m (n of them) into t. */
static size_t decade_tics(double lo, double hi, const double *mant, size_t n, double *t) {
  size_t k = 0;
  for (double d = floor(log10(lo)); d <= floor(log10(hi)) && k < AXIS_MAX_TICS; d++) {
    for (size_t i = 0; i < n && k < AXIS_MAX_TICS; i++) {
      double v = mant[i] * pow(10.0, d);
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) {
        t[k++] = v;
      }
    }
  }
  return k;
}

/* Tics of a log axis over [lo, hi] (0 < lo < hi) into t (see ucl_page_gp_axis). */
static size_t log_tics(double lo, double hi, double *t) {
  double l0 = log10(lo), l1 = log10(hi);
  size_t k = 0;
  if (l1 - l0 > 3.5) {
    double first = ceil(l0 - 1e-9), last = floor(l1 + 1e-9);
    double every = ceil((last - first + 1.0) / 8.0);
    for (double d = first; d <= last && k < AXIS_MAX_TICS; d += every) {
      t[k++] = pow(10.0, d);
    }
    return k;
  }
  static const double m125[] = {1, 2, 5}, fine[] = {1, 1.5, 2, 3, 5, 7};
  k = decade_tics(lo, hi, m125, 3, t);
  if (k < 4) { /* about a decade or less: 1 1.5 2 3 5 7 */
    k = decade_tics(lo, hi, fine, 6, t);
  }
  return k >= 3 ? k : lin_tics(lo, hi, t);
}

const char *ucl_page_rel(const char *dir, const char *path) {
  size_t n = strlen(dir);
  return strncmp(path, dir, n) == 0 && path[n] == '/' ? path + n + 1 : path;
}

int ucl_page_tic_labels(const double *t, size_t n, const char *unit,
                        char (*labels)[UCL_PAGE_TIC_LABEL]) {
  int digits = 3;
  for (;; digits++) {
    for (size_t i = 0; i < n; i++) {
      ucl_units_format_eng(t[i], unit, digits, labels[i], UCL_PAGE_TIC_LABEL);
    }
    int same = 0;
    for (size_t i = 0; i < n && !same; i++) {
      for (size_t j = i + 1; j < n && !same; j++) {
        same = t[i] != t[j] && strcmp(labels[i], labels[j]) == 0;
      }
    }
    if (!same || digits == 17) {
      return digits;
    }
  }
}

/* Append 'line' to buf (n bytes) only when all of it fits. */
static void append_line(char *buf, size_t n, const char *line) {
  size_t have = strnlen(buf, n);
  size_t add = strlen(line);
  if (have < n && add < n - have) {
    memcpy(buf + have, line, add + 1);
  }
}

void ucl_page_gp_axis(char *buf, size_t n, const char *axis, const char *label, const char *unit,
                      double lo, double hi, int logscale) {
  if (!isfinite(lo) && !isfinite(hi)) {
    lo = logscale ? 1.0 : 0.0;
    hi = logscale ? 10.0 : 1.0;
  } else if (!isfinite(lo) || !isfinite(hi)) {
    lo = hi = isfinite(lo) ? lo : hi;
  }
  if (lo > hi) {
    double s = lo;
    lo = hi;
    hi = s;
  }
  int is_log = logscale && lo > 0.0;
  double t[AXIS_MAX_TICS];
  size_t nt = 0;
  double r0 = lo, r1 = hi;
  if (lo == hi) {
    double d = lo != 0.0 ? fabs(lo) * 0.01 : 1.0;
    r0 = lo - d;
    r1 = hi + d;
    t[nt++] = r0;
    t[nt++] = lo;
    t[nt++] = r1;
  } else {
    nt = is_log ? log_tics(lo, hi, t) : lin_tics(lo, hi, t);
    if (strcmp(axis, "cb") != 0) {
      if (is_log) {
        double f = pow(hi / lo, 0.04);
        r0 = lo / f;
        r1 = hi * f;
      } else {
        r0 = lo - 0.04 * (hi - lo);
        r1 = hi + 0.04 * (hi - lo);
      }
    }
  }
  const char *sym = ucl_units_symbol(unit);
  char text[600], esc[1200], line[2048];
  if (sym[0]) {
    snprintf(text, sizeof(text), "%s (%s)", label ? label : "", sym);
  } else {
    snprintf(text, sizeof(text), "%s", label ? label : "");
  }
  ucl_page_gp_str(esc, sizeof(esc), text);
  snprintf(line, sizeof(line), "set %slabel \"%s\" noenhanced\n", axis, esc);
  append_line(buf, n, line);
  if (is_log) {
    snprintf(line, sizeof(line), "set logscale %s\n", axis);
    append_line(buf, n, line);
  }
  snprintf(line, sizeof(line), "set %srange [%.17g:%.17g]\n", axis, r0, r1);
  append_line(buf, n, line);
  char tic[AXIS_MAX_TICS][UCL_PAGE_TIC_LABEL];
  ucl_page_tic_labels(t, nt, unit, tic);
  size_t k = (size_t)snprintf(line, sizeof(line), "set %stics (", axis);
  for (size_t i = 0; i < nt && k < sizeof(line); i++) {
    char tic_esc[2 * UCL_PAGE_TIC_LABEL];
    ucl_page_gp_str(tic_esc, sizeof(tic_esc), tic[i]);
    k += (size_t)snprintf(line + k, sizeof(line) - k, "%s\"%s\" %.15g", i ? ", " : "", tic_esc,
                          t[i]);
  }
  if (k < sizeof(line) &&
      (size_t)snprintf(line + k, sizeof(line) - k, ") noenhanced\n") < sizeof(line) - k) {
    append_line(buf, n, line);
  }
}

void ucl_page_close_data(FILE *f, const char *path, ucl_status *first, ucl_diag *first_diag) {
  int bad = ferror(f) != 0;
  int err = errno;
  if (fclose(f) != 0) {
    bad = 1;
    err = errno;
  }
  if (bad && *first == UCL_OK) {
    *first = ucl_diag_set(first_diag, UCL_ERR_IO, "%s: write failed: %s", path, strerror(err));
  }
}

ucl_status ucl_page_gnuplot_run(const char *prog, const char *gp_path, const char *cwd,
                                const char *log_path, ucl_diag *diag) {
  /* run in cwd: the script by its name there */
  char *args[3] = {strdup(prog), strdup(cwd ? ucl_page_rel(cwd, gp_path) : gp_path), NULL};
  ucl_status st = UCL_OK;
  int fd = -1;
  if (!args[0] || !args[1]) {
    st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
    goto cleanup;
  }
  fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) {
    st = ucl_diag_set(diag, UCL_ERR_IO, "%s: cannot write gnuplot's log: %s", log_path,
                      strerror(errno));
    goto cleanup;
  }
  pid_t pid = fork();
  if (pid < 0) {
    st = ucl_diag_set(diag, UCL_ERR_TOOL, "cannot start gnuplot: %s", strerror(errno));
    goto cleanup;
  }
  if (pid == 0) { /* the child: only async-signal-safe calls until exec */
    int ready = fd == STDERR_FILENO ? fcntl(fd, F_SETFD, 0) == 0 : dup2(fd, STDERR_FILENO) >= 0;
    if (ready && (!cwd || chdir(cwd) == 0)) {
      execvp(args[0], args);
    }
    _exit(127); /* exec failed: the status a shell gives a command it cannot find */
  }
  int ws = 0;
  pid_t w;
  while ((w = waitpid(pid, &ws, 0)) < 0 && errno == EINTR) {
  }
  if (w < 0) {
    st = ucl_diag_set(diag, UCL_ERR_TOOL, "waiting for gnuplot failed: %s", strerror(errno));
  } else if (WIFEXITED(ws) && WEXITSTATUS(ws) == 127) {
    st = ucl_diag_set(diag, UCL_ERR_TOOL,
                      "gnuplot not found: cannot run '%s' (is gnuplot-nox "
                      "installed?)",
                      prog);
  } else if (WIFEXITED(ws) && WEXITSTATUS(ws) != 0) {
    st = ucl_diag_set(diag, UCL_ERR_TOOL,
                      "gnuplot failed (exit %d; is gnuplot-nox installed?); see %s",
                      WEXITSTATUS(ws), log_path);
  } else if (WIFSIGNALED(ws)) {
    st = ucl_diag_set(diag, UCL_ERR_TOOL, "gnuplot failed (signal %d); see %s", WTERMSIG(ws),
                      log_path);
  }
cleanup:
  if (fd >= 0) {
    close(fd);
  }
  free(args[0]);
  free(args[1]);
  return st;
}

ucl_status ucl_page_gp_finish(FILE **gp, const char *gp_path, const char *cwd, ucl_status io,
                              const ucl_diag *io_diag, int drawn, const char *prog,
                              const char *log_path, ucl_diag *diag) {
  int bad = ferror(*gp) != 0;
  int err = errno;
  if (fclose(*gp) != 0) {
    bad = 1;
    err = errno;
  }
  *gp = NULL;
  if (io != UCL_OK) {
    return ucl_diag_set(diag, io, "%s", io_diag->msg);
  }
  if (bad) {
    return ucl_diag_set(diag, UCL_ERR_IO, "%s: write failed: %s", gp_path, strerror(err));
  }
  return drawn > 0 ? ucl_page_gnuplot_run(prog ? prog : "gnuplot", gp_path, cwd, log_path, diag)
                   : UCL_OK;
}

void ucl_page_html_escape(FILE *f, const char *s) {
  for (; *s; s++) {
    switch (*s) {
    case '<':
      fputs("&lt;", f);
      break;
    case '>':
      fputs("&gt;", f);
      break;
    case '&':
      fputs("&amp;", f);
      break;
    case '"':
      fputs("&quot;", f);
      break;
    default:
      fputc(*s, f);
    }
  }
}

void ucl_page_html_head(FILE *h, const char *title_prefix, const char *title,
                        const char *extra_css) {
  fprintf(h, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>%s",
          title_prefix);
  ucl_page_html_escape(h, title);
  fprintf(
      h,
      "</title>\n<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}"
      "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}"
      "figure{margin:1.5em 0}img{max-width:100%%;border:1px solid #eee}.note{color:#a33}%s"
      "</style>\n</head><body>\n",
      extra_css ? extra_css : "");
}

void ucl_page_html_loaded(FILE *h) {
  fprintf(h, "<p id=\"loaded\">images: not checked (needs JavaScript)</p>\n");
}

void ucl_page_html_figure(FILE *h, const char *name, const char *title, const char *caption) {
  fprintf(h, "<figure id=\"%s\"><figcaption><b>", name);
  ucl_page_html_escape(h, title);
  fprintf(h, "</b> (<a href=\"%s.png\">PNG</a>)", name);
  if (caption) {
    fprintf(h, "<br>");
    ucl_page_html_escape(h, caption);
  }
  fprintf(h, "</figcaption>\n<img src=\"%s.svg\" alt=\"", name);
  ucl_page_html_escape(h, title);
  fprintf(h, "\"></figure>\n");
}

void ucl_page_html_figure_note(FILE *h, const char *name, const char *title, const char *word,
                               const char *note) {
  fprintf(h, "<figure id=\"%s\"><figcaption><b>", name);
  ucl_page_html_escape(h, title);
  fprintf(h, "</b> <span class=\"note\">(%s: ", word);
  ucl_page_html_escape(h, note);
  fprintf(h, ")</span></figcaption></figure>\n");
}

void ucl_page_html_foot(FILE *h) {
  fprintf(h,
          "<script>window.addEventListener('load',function(){var im=document.images,n=0;"
          "for(var i=0;i<im.length;i++){if(im[i].complete&&im[i].naturalWidth>0)n++;}"
          "document.getElementById('loaded').textContent='images loaded: '+n+' of '+im.length;});"
          "</script>\n</body></html>\n");
}

ucl_status ucl_page_open(ucl_page_file *pf, const char *path, ucl_diag *diag) {
  snprintf(pf->path, sizeof(pf->path), "%s", path);
  snprintf(pf->tmp, sizeof(pf->tmp), "%s.tmp", path);
  pf->f = fopen(pf->tmp, "w");
  if (!pf->f) {
    return ucl_diag_set(diag, UCL_ERR_IO, "%s: cannot write: %s", pf->tmp, strerror(errno));
  }
  return UCL_OK;
}

ucl_status ucl_page_commit(ucl_page_file *pf, ucl_diag *diag) {
  int bad = ferror(pf->f) != 0;
  if (fclose(pf->f) != 0) {
    bad = 1;
  }
  pf->f = NULL;
  if (bad || rename(pf->tmp, pf->path) != 0) {
    remove(pf->tmp);
    return ucl_diag_set(diag, UCL_ERR_IO, "%s: write failed", pf->path);
  }
  return UCL_OK;
}

void ucl_page_abort(ucl_page_file *pf) {
  if (pf->f) {
    fclose(pf->f);
    pf->f = NULL;
    remove(pf->tmp);
  }
}
