/* cli_util.c — helpers shared by the subcommands. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <time.h>

#include "cli.h"

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
  }
  return UCL_EXIT_RUN;
}

void ucl_cli_error(const char *cmd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "uclif %s: ", cmd);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

int ucl_cli_mkdirs(const char *path) {
  char buf[4096];
  size_t n = strlen(path);
  if (n == 0 || n >= sizeof(buf)) {
    errno = ENAMETOOLONG;
    return -1;
  }
  memcpy(buf, path, n + 1);
  for (size_t i = 1; i <= n; i++) {
    if (buf[i] == '/' || buf[i] == '\0') {
      char c = buf[i];
      buf[i] = '\0';
      if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
        return -1;
      }
      buf[i] = c;
    }
  }
  struct stat sb;
  if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
    errno = ENOTDIR;
    return -1;
  }
  return 0;
}

int ucl_cli_common_arg(const char *cmd, int argc, char **argv, int *i, ucl_cli_common *c) {
  const char *v = NULL;
  int m;
  if (strcmp(argv[*i], "--quiet") == 0) {
    c->quiet = 1;
  } else if ((m = ucl_cli_option(argc, argv, i, "--set", &v)) != 0) {
    if (m < 0 || c->n_sets == UCL_CLI_MAX_SETS) {
      ucl_cli_error(cmd, m < 0 ? "--set needs NAME=VALUE" : "too many --set options");
      return -1;
    }
    c->sets[c->n_sets++] = v;
  } else if ((m = ucl_cli_option(argc, argv, i, "--out", &v)) != 0) {
    if (m < 0 || !v[0]) {
      ucl_cli_error(cmd, "--out needs a directory");
      return -1;
    }
    c->out_dir = v;
  } else if (argv[*i][0] == '-' && argv[*i][1] != '\0') {
    return 0;
  } else if (!c->spec) {
    c->spec = argv[*i];
  } else {
    ucl_cli_error(cmd, "more than one spec file ('%s' and '%s')", c->spec, argv[*i]);
    return -1;
  }
  return 1;
}

int ucl_cli_option(int argc, char **argv, int *i, const char *name, const char **value) {
  const char *a = argv[*i];
  size_t n = strlen(name);
  if (strncmp(a, name, n) != 0) {
    return 0;
  }
  if (a[n] == '=') {
    *value = a + n + 1;
    return 1;
  }
  if (a[n] != '\0') {
    return 0;
  }
  if (*i + 1 >= argc) {
    return -1;
  }
  *i += 1;
  *value = argv[*i];
  return 1;
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
