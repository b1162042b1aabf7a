/* status.c — status messages and diagnostic formatting. */
#include "uclif/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *ucl_status_str(ucl_status st) {
  switch (st) {
#define UCL_X_CASE_(name, text)                                                                    \
  case name:                                                                                       \
    return text;
    UCL_STATUS_LIST(UCL_X_CASE_)
#undef UCL_X_CASE_
  case UCL_STATUS_COUNT_:
    break;
  }
  return "unknown status";
}

const char *ucl_status_name(ucl_status st) {
  switch (st) {
  case UCL_OK:
    return "ok";
  case UCL_ERR_NOMEM:
    return "nomem";
  case UCL_ERR_INVAL:
    return "invalid";
  case UCL_ERR_RANGE:
    return "range";
  case UCL_ERR_IO:
    return "io";
  case UCL_ERR_PARSE:
    return "parse";
  case UCL_ERR_SOLVER:
    return "solver";
  case UCL_ERR_EVENTS:
    return "chattering";
  case UCL_ERR_LIMIT:
    return "limit";
  case UCL_ERR_INPUT:
    return "input";
  case UCL_ERR_TOOL:
    return "tool";
  case UCL_ERR_UNMET:
    return "unmet";
  case UCL_ERR_STOPPED:
    return "stopped";
  case UCL_STATUS_COUNT_:
    break;
  }
  return "unknown";
}

ucl_status ucl_diag_set(ucl_diag *diag, ucl_status st, const char *fmt, ...) {
  if (diag) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(diag->msg, sizeof(diag->msg), fmt, ap);
    va_end(ap);
  }
  return st;
}

void ucl_diag_prefix(ucl_diag *diag, const char *fmt, ...) {
  if (!diag) {
    return;
  }
  char head[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(head, sizeof(head), fmt, ap);
  va_end(ap);
  size_t hl = strlen(head);
  size_t size = sizeof(diag->msg);
  if (hl >= size) {
    hl = size - 1;
  }
  size_t ml = strnlen(diag->msg, size - 1);
  if (hl + ml > size - 1) {
    ml = size - 1 - hl;
  }
  memmove(diag->msg + hl, diag->msg, ml);
  memcpy(diag->msg, head, hl);
  diag->msg[hl + ml] = '\0';
}

void ucl_diag_suffix(ucl_diag *diag, const char *fmt, ...) {
  if (!diag) {
    return;
  }
  size_t ml = strnlen(diag->msg, sizeof(diag->msg) - 1);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(diag->msg + ml, sizeof(diag->msg) - ml, fmt, ap);
  va_end(ap);
}

void ucl_diag_clear(ucl_diag *diag) {
  if (diag) {
    diag->msg[0] = '\0';
  }
}
