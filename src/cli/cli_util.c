/* cli_util.c — helpers shared by the subcommands: the exit codes, the option grammar
 * (getopt_long), --help from the option tables, output directories, progress pacing. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "uclif/ini.h"
#include "uclif/store.h"

int ucl_cli_exit_code(ucl_status st) {
  switch (st) {
  case UCL_OK:
    return UCL_EXIT_OK;
  case UCL_ERR_INVAL:
  case UCL_ERR_RANGE:
  case UCL_ERR_PARSE:
  case UCL_ERR_INPUT:
    return UCL_EXIT_USAGE;
  case UCL_ERR_NOMEM:
  case UCL_ERR_IO:
  case UCL_ERR_SOLVER:
  case UCL_ERR_EVENTS:
  case UCL_ERR_LIMIT:
  case UCL_ERR_TOOL:
  case UCL_ERR_UNMET:
  case UCL_STATUS_COUNT_:
    break;
  case UCL_ERR_STOPPED:
    return UCL_EXIT_STOPPED;
  }
  return UCL_EXIT_RUN;
}

int ucl_cli_mpi_end(const char *cmd, ucl_comm **comm, int code) {
  ucl_diag diag = {{0}};
  if (ucl_comm_bcast_int(*comm, &code, 0, &diag) != UCL_OK) {
    ucl_cli_error(cmd, "%s", diag.msg);
    code = UCL_EXIT_RUN;
  }
  if (ucl_comm_finalize(comm, &diag) != UCL_OK) {
    ucl_cli_error(cmd, "%s", diag.msg);
    code = UCL_EXIT_RUN;
  }
  return code;
}

int ucl_cli_mpi_launched(void) {
  static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"};
  for (size_t k = 0; k < sizeof(vars) / sizeof(vars[0]); k++) {
    const char *v = getenv(vars[k]);
    if (v && *v) {
      return 1;
    }
  }
  return 0;
}

void ucl_cli_error(const char *cmd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "uclif %s: ", cmd);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

int ucl_cli_fail(const char *cmd, ucl_status st, const ucl_diag *diag) {
  const char *msg = diag ? diag->msg : "";
  if (st == UCL_ERR_IO) {
    ucl_cli_error(cmd,
                  "%s; each file is written whole or not at all: free space (or fix the "
                  "cause) and run the same command again",
                  msg);
  } else {
    ucl_cli_error(cmd, "%s", msg);
  }
  return ucl_cli_exit_code(st);
}

void ucl_cli_warn_params(const char *cmd, const ucl_params *p) {
  ucl_param_warning w[UCL_PWARN_COUNT];
  size_t n = ucl_params_warnings(p, w, UCL_PWARN_COUNT);
  for (size_t k = 0; k < n && k < UCL_PWARN_COUNT; k++) {
    ucl_cli_error(cmd, "warning: %s", w[k].msg);
  }
}

void ucl_cli_warn_sweep(const char *cmd, const ucl_sweep *sw) {
  ucl_sweep_warning w[UCL_PWARN_COUNT];
  size_t n = ucl_store_sweep_warnings(sw, w);
  for (size_t k = 0; k < n; k++) {
    char line[512];
    ucl_store_sweep_warning_text(sw, &w[k], line, sizeof(line));
    ucl_cli_error(cmd, "warning: %s", line);
  }
}

ucl_status ucl_cli_write_file(const char *out,
                              ucl_status (*write)(FILE *f, const void *ctx, ucl_diag *diag),
                              const void *ctx, ucl_diag *diag) {
  size_t n = strlen(out) + 5;
  char *tmp = malloc(n);
  if (!tmp) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  snprintf(tmp, n, "%s.tmp", out);
  ucl_status st = UCL_OK;
  FILE *f = fopen(tmp, "w");
  if (!f) {
    st = ucl_diag_set(diag, UCL_ERR_IO, "%s: cannot create: %s", tmp, strerror(errno));
    goto done;
  }
  st = write(f, ctx, diag);
  if (st == UCL_OK && ferror(f)) {
    st = ucl_diag_set(diag, UCL_ERR_IO, "%s: write failed: %s", tmp, strerror(errno));
  }
  if (fclose(f) != 0 && st == UCL_OK) {
    st = ucl_diag_set(diag, UCL_ERR_IO, "%s: write failed: %s", tmp, strerror(errno));
  }
  if (st == UCL_OK && rename(tmp, out) != 0) {
    st = ucl_diag_set(diag, UCL_ERR_IO, "%s: cannot rename into place: %s", out, strerror(errno));
  }
  if (st != UCL_OK) {
    remove(tmp);
  }
done:
  free(tmp);
  return st;
}

ucl_status ucl_cli_mkdirs(const char *path, ucl_diag *diag) {
  char buf[4096];
  size_t n = strlen(path);
  if (n == 0 || n >= sizeof(buf)) {
    return ucl_diag_set(diag, UCL_ERR_IO, "cannot create output directory '%s': %s", path,
                        strerror(ENAMETOOLONG));
  }
  memcpy(buf, path, n + 1);
  for (size_t i = 1; i <= n; i++) {
    if (buf[i] == '/' || buf[i] == '\0') {
      char c = buf[i];
      buf[i] = '\0';
      if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
        return ucl_diag_set(diag, UCL_ERR_IO, "cannot create output directory '%s': %s", path,
                            strerror(errno));
      }
      buf[i] = c;
    }
  }
  struct stat sb;
  if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
    return ucl_diag_set(diag, UCL_ERR_IO, "cannot create output directory '%s': %s", path,
                        strerror(ENOTDIR));
  }
  return UCL_OK;
}

int ucl_cli_progress_due(struct timespec *last) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  double dt = (double)(now.tv_sec - last->tv_sec) + 1e-9 * (double)(now.tv_nsec - last->tv_nsec);
  if (dt < 0.5) {
    return 0;
  }
  *last = now;
  return 1;
}

static double mono_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void ucl_cli_ticker_start(ucl_cli_ticker *t, FILE *f, int tty) {
  t->f = f;
  t->tty = tty;
  t->start = mono_now();
  t->interval = UCL_CLI_TICKER_LOG_S;
  t->last = t->start;
  t->shown = 0;
  const char *env = getenv("UCLIF_PROGRESS_INTERVAL");
  if (env && *env) {
    char *end = NULL;
    errno = 0;
    double v = strtod(env, &end);
    if (errno == 0 && end != env && *end == '\0' && v > 0.0 && v <= 86400.0) {
      t->interval = v;
    }
  }
  if (tty) {
    t->last = t->start - 1.0; /* the first line at once */
  }
}

double ucl_cli_ticker_due(ucl_cli_ticker *t) {
  double now = mono_now();
  if (now - t->last < (t->tty ? UCL_CLI_TICKER_TTY_S : t->interval)) {
    return -1.0;
  }
  t->last = now;
  return now - t->start;
}

void ucl_cli_ticker_format(char *buf, size_t n, const char *text, double elapsed_s) {
  if (elapsed_s < 120.0) {
    snprintf(buf, n, "progress: %s, %.0f s", text, elapsed_s);
  } else if (elapsed_s < 7200.0) {
    snprintf(buf, n, "progress: %s, %.0f min %02.0f s", text, floor(elapsed_s / 60.0),
             fmod(floor(elapsed_s), 60.0));
  } else {
    snprintf(buf, n, "progress: %s, %.0f h %02.0f min", text, floor(elapsed_s / 3600.0),
             fmod(floor(elapsed_s / 60.0), 60.0));
  }
}

void ucl_cli_ticker_print(ucl_cli_ticker *t, const char *text, double elapsed_s) {
  char line[512];
  ucl_cli_ticker_format(line, sizeof(line), text, elapsed_s);
  if (t->tty) {
    fprintf(t->f, "\r%s\033[K", line); /* erase what a longer line left */
    t->shown = 1;
  } else {
    fprintf(t->f, "%s\n", line);
  }
  fflush(t->f);
}

void ucl_cli_ticker_end(ucl_cli_ticker *t) {
  if (t->tty && t->shown) {
    fputs("\r\033[K", t->f);
    fflush(t->f);
    t->shown = 0;
  }
}

/* ---- the option grammar ---- */

/* getopt_long's values: a command option k is OPT_BASE + k, the shared ones follow. */
enum { OPT_BASE = 1000, OPT_OUT = 2000, OPT_SET, OPT_QUIET, OPT_HELP, MAX_LONG = 48 };

static const char *set_help_std = "override a configuration key (repeatable), e.g. --set R1=47k";
static const char *quiet_help_std = "no summary and no progress line";

/* Record a usage error: printed now, or kept for ucl_cli_flush. */
static void vfail(ucl_cli_parser *p, const char *fmt, va_list ap) {
  vsnprintf(p->msg, sizeof(p->msg), fmt, ap);
  p->stopped = 1;
  p->exit = UCL_EXIT_USAGE;
  if (!p->defer) {
    ucl_cli_flush(p);
  }
}

static void fail(ucl_cli_parser *p, const char *fmt, ...) UCL_PRINTF(2, 3);
static void fail(ucl_cli_parser *p, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfail(p, fmt, ap);
  va_end(ap);
}

void ucl_cli_flush(const ucl_cli_parser *p) {
  if (p->msg[0]) {
    ucl_cli_error(p->cmd->name, "%s", p->msg);
  }
}

int ucl_cli_usage_error(ucl_cli_parser *p, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfail(p, fmt, ap);
  va_end(ap);
  return UCL_EXIT_USAGE;
}

/* One line of --help: the option column, then its text (continuation lines indented). */
static void help_line(const char *left, const char *text) {
  int n = printf("  %s", left);
  printf("%*s", n < 24 ? 24 - n : 1, "");
  for (const char *t = text; *t; t++) {
    putchar(*t);
    if (*t == '\n' && t[1]) {
      printf("%24s", "");
    }
  }
  putchar('\n');
}

static void print_help(const ucl_cli_cmd *c) {
  char left[64];
  printf("usage: %s\n\n%s\n\noptions:\n", c->usage, c->about);
  if (c->common & (UCL_CLI_OUT_DIR | UCL_CLI_OUT_FILE)) {
    help_line((c->common & UCL_CLI_OUT_DIR) ? "-o, --out DIR" : "-o, --out FILE", c->out_help);
  }
  if (c->common & UCL_CLI_SET) {
    help_line("--set NAME=VALUE", c->set_help ? c->set_help : set_help_std);
  }
  for (const ucl_cli_opt *o = c->opts; o && o->name; o++) {
    snprintf(left, sizeof(left), "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
    help_line(left, o->help);
  }
  if (c->common & UCL_CLI_QUIET) {
    help_line("--quiet", c->quiet_help ? c->quiet_help : quiet_help_std);
  }
  help_line("-h, --help", "this text");
  if (c->after) {
    printf("\n%s\n", c->after);
  }
}

void ucl_cli_begin(ucl_cli_parser *p, const ucl_cli_cmd *cmd, int argc, char **argv,
                   ucl_cli_args *args, int defer) {
  memset(p, 0, sizeof(*p));
  memset(args, 0, sizeof(*args));
  p->cmd = cmd;
  p->argc = argc;
  p->argv = argv;
  p->args = args;
  p->defer = defer;
  optind = 1;
  opterr = 0;
}

/* The command's option table as getopt_long's. */
static void long_options(const ucl_cli_cmd *c, struct option *lo) {
  int n = 0;
  if (c->common & (UCL_CLI_OUT_DIR | UCL_CLI_OUT_FILE)) {
    lo[n++] = (struct option){"out", required_argument, NULL, OPT_OUT};
  }
  if (c->common & UCL_CLI_SET) {
    lo[n++] = (struct option){"set", required_argument, NULL, OPT_SET};
  }
  if (c->common & UCL_CLI_QUIET) {
    lo[n++] = (struct option){"quiet", no_argument, NULL, OPT_QUIET};
  }
  lo[n++] = (struct option){"help", no_argument, NULL, OPT_HELP};
  for (int k = 0; c->opts && c->opts[k].name && n < MAX_LONG - 1; k++) {
    lo[n++] = (struct option){c->opts[k].name, c->opts[k].arg ? required_argument : no_argument,
                              NULL, OPT_BASE + k};
  }
  lo[n] = (struct option){NULL, 0, NULL, 0};
}

/* The name of the long option with getopt value 'val' ("out"), or NULL. */
static const char *long_name(const struct option *lo, int val) {
  for (; lo->name; lo++) {
    if (lo->val == val) {
      return lo->name;
    }
  }
  return NULL;
}

/* The operand 'word' (or the second one: an error naming it). */
static void operand(ucl_cli_parser *p, const char *word) {
  const ucl_cli_cmd *c = p->cmd;
  if (!c->operand) {
    fail(p, "unexpected argument '%s' (see uclif %s --help)", word, c->name);
  } else if (p->args->operand) {
    fail(p, "unexpected argument '%s' (%s is '%s'; see uclif %s --help)", word, c->operand,
         p->args->operand, c->name);
  } else {
    p->args->operand = word;
  }
}

/* The end: the words after "--" are operands; check what is required. */
static int finish(ucl_cli_parser *p) {
  const ucl_cli_cmd *c = p->cmd;
  for (int i = optind; i < p->argc && !p->stopped; i++) {
    operand(p, p->argv[i]);
  }
  if (!p->stopped && c->operand_required && !p->args->operand) {
    fail(p, "missing %s (see uclif %s --help)", c->operand, c->name);
  }
  if (!p->stopped && c->out_required && !p->args->out) {
    fail(p, "missing -o %s (see uclif %s --help)", (c->common & UCL_CLI_OUT_DIR) ? "DIR" : "FILE",
         c->name);
  }
  return p->stopped ? UCL_CLI_STOP : UCL_CLI_DONE;
}

int ucl_cli_next(ucl_cli_parser *p, const char **value) {
  const ucl_cli_cmd *c = p->cmd;
  struct option lo[MAX_LONG];
  long_options(c, lo);
  /* '-': operands come back in order (value 1); ':': a missing value is ':', not '?' */
  const char *shortopts = (c->common & (UCL_CLI_OUT_DIR | UCL_CLI_OUT_FILE)) ? "-:o:h" : "-:h";
  *value = NULL;
  while (!p->stopped) {
    int i0 = optind;
    int r = getopt_long(p->argc, p->argv, shortopts, lo, NULL);
    if (r == -1) {
      return finish(p);
    }
    if (r == 1) {
      operand(p, optarg);
      continue;
    }
    if (r == '?' || r == ':') {
      char word[64];
      if (optopt > 0 && optopt < 256) {
        snprintf(word, sizeof(word), "-%c", optopt);
      } else if (optopt >= OPT_BASE) {
        snprintf(word, sizeof(word), "--%s", long_name(lo, optopt));
      } else {
        const char *w = p->argv[optind - 1 >= i0 ? optind - 1 : i0];
        snprintf(word, sizeof(word), "%.*s", (int)strcspn(w, "="), w);
      }
      if (r == ':') {
        fail(p, "option '%s' needs a value (see uclif %s --help)", word, c->name);
      } else if (optopt >= OPT_BASE) {
        fail(p, "option '%s' takes no value (see uclif %s --help)", word, c->name);
      } else {
        fail(p, "unknown option '%s' (see uclif %s --help)", word, c->name);
      }
      break;
    }
    if (r >= OPT_BASE) {
      /* the word as typed: getopt_long takes unambiguous prefixes, this grammar does not */
      const char *w =
          p->argv[(optarg && optind >= 2 && optarg == p->argv[optind - 1]) ? optind - 2
                                                                           : optind - 1];
      size_t wl = strcspn(w, "=");
      const char *name = long_name(lo, r);
      if (wl != strlen(name) + 2 || strncmp(w + 2, name, wl - 2) != 0) {
        fail(p, "unknown option '%.*s' (see uclif %s --help)", (int)wl, w, c->name);
        break;
      }
    }
    switch (r) {
    case 'h':
    case OPT_HELP:
      print_help(c);
      p->stopped = 1;
      p->exit = UCL_EXIT_OK;
      break;
    case 'o':
    case OPT_OUT:
      if (!optarg[0]) {
        fail(p, "option '%s' needs a value (see uclif %s --help)", r == 'o' ? "-o" : "--out",
             c->name);
      }
      p->args->out = optarg;
      break;
    case OPT_SET: {
      size_t n = strcspn(optarg, "=");
      ucl_diag td = {{0}};
      if (ucl_ini_check_line(optarg, &td) != UCL_OK) { /* the rules of text inputs (ini.h) */
        fail(p, "--set: %s", td.msg);
      } else if (n == 0 || !optarg[n]) {
        fail(p, "--set %s: expected NAME=VALUE", optarg);
      } else if (p->args->n_sets == UCL_CLI_MAX_SETS) {
        fail(p, "more than %d --set options", UCL_CLI_MAX_SETS);
      } else {
        p->args->sets[p->args->n_sets++] = optarg;
      }
      break;
    }
    case OPT_QUIET:
      p->args->quiet = 1;
      break;
    default:
      *value = optarg;
      return c->opts[r - OPT_BASE].id;
    }
  }
  return UCL_CLI_STOP;
}

void ucl_cli_bad_value(ucl_cli_parser *p, const char *fmt, ...) {
  /* the option just returned: find it by its value's place in argv */
  char head[160] = "";
  int i = optind - 1;
  if (i >= 1 && i < p->argc) {
    const char *w = p->argv[i];
    if (strncmp(w, "--", 2) == 0 && strchr(w, '=')) {
      snprintf(head, sizeof(head), "%.*s %s: ", (int)strcspn(w, "="), w, strchr(w, '=') + 1);
    } else if (i >= 2) {
      snprintf(head, sizeof(head), "%s %s: ", p->argv[i - 1], w);
    }
  }
  char body[352];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(body, sizeof(body), fmt, ap);
  va_end(ap);
  fail(p, "%s%s", head, body);
}

void ucl_cli_store_health(const char *cmd, const ucl_store_health *h, const char *action) {
  long bad = h->damaged + h->damaged_shards + h->stray + h->conflicts;
  if (bad == 0) {
    return;
  }
  for (int k = 0; k < h->n_notes; k++) {
    ucl_cli_error(cmd, "warning: %s", h->notes[k]);
  }
  char what[256] = "";
  size_t n = 0;
  const long counts[4] = {h->damaged, h->damaged_shards, h->stray, h->conflicts};
  const char *names[4][2] = {{"damaged block", "damaged blocks"},
                             {"shard with a damaged head", "shards with a damaged head"},
                             {"run of stray lines", "runs of stray lines"},
                             {"differing copy", "differing copies"}};
  for (int k = 0; k < 4; k++) {
    if (counts[k] > 0 && n < sizeof(what)) {
      n += (size_t)snprintf(what + n, sizeof(what) - n, "%s%ld %s", n ? ", " : "", counts[k],
                            names[k][counts[k] != 1]);
    }
  }
  ucl_cli_error(cmd, "warning: %s: %s%s", what, action,
                bad > h->n_notes ? " (the first are listed above)" : "");
}
