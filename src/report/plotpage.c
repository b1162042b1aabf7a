/* plotpage.c — what the HTML pages of src/report share (plotpage.h): CSV streaming, gnuplot
 * scripts and runs, HTML escaping and the page's frame, atomic page files. */
#include "plotpage.h"

#include <errno.h>
#include <fcntl.h>
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
  fprintf(gp,
          "reset\nset datafile missing 'nan'\nset grid lc rgb '#dddddd'\nset title \"%s\" "
          "noenhanced\n%s\n"
          "set terminal svg size %d,%d font 'sans,11' background 'white'\nset output "
          "'%s/%s.svg'\n%s\n"
          "set terminal pngcairo size %d,%d font 'sans,10'\nset output '%s/%s.png'\nreplot\n"
          "unset output\n",
          title, setup, width, height, outdir, name, body, width, height, outdir, name);
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

ucl_status ucl_page_gnuplot_run(const char *prog, const char *gp_path, const char *log_path,
                                ucl_diag *diag) {
  char *args[3] = {strdup(prog), strdup(gp_path), NULL};
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
    if (fd == STDERR_FILENO ? fcntl(fd, F_SETFD, 0) == 0 : dup2(fd, STDERR_FILENO) >= 0) {
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
