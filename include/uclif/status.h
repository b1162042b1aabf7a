/* status.h — status codes with messages, and the diagnostic buffer that carries the detail
 * ("sweeps/a.ini:12: unknown key 'R9'"). Every fallible library call returns a ucl_status and
 * may fill a ucl_diag; the library never prints, exits or aborts. */
#ifndef UCL_STATUS_H
#define UCL_STATUS_H

#include <stddef.h>

#if defined(__GNUC__) || defined(__clang__)
#define UCL_NODISCARD __attribute__((warn_unused_result))
#define UCL_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define UCL_NODISCARD
#define UCL_PRINTF(fmt, args)
#endif

/* One table: the enum and the messages are generated from it. Each status says whose fault a
 * failure is, so that a command can map it to an exit status in one place (src/cli):
 *   bad input (exit 2): UCL_ERR_INVAL, UCL_ERR_RANGE, UCL_ERR_PARSE for values and content the
 *     user gave; UCL_ERR_INPUT for a file the user named that cannot be opened or read (a spec,
 *     a sweep's points.csv or shards);
 *   a failed run (exit 1): UCL_ERR_NOMEM; UCL_ERR_IO for an output that cannot be created or
 *     written (and MPI failures); UCL_ERR_SOLVER, UCL_ERR_EVENTS, UCL_ERR_LIMIT from a
 *     simulation; UCL_ERR_TOOL when an external program (gnuplot) fails; UCL_ERR_UNMET when a
 *     tuned design misses a target (its files are written all the same);
 *   stopped (exit 3): UCL_ERR_STOPPED when a run was asked to stop (SIGTERM, SIGINT, SIGUSR1)
 *     and abandoned its work in flight; never a point's status (an abandoned point is not a row,
 *     it is computed again by --resume).
 * New codes go at the end (sched.c's agree() ranks statuses by value). */
#define UCL_STATUS_LIST(X)                                                                         \
  X(UCL_OK, "success")                                                                             \
  X(UCL_ERR_NOMEM, "out of memory")                                                                \
  X(UCL_ERR_INVAL, "invalid argument")                                                             \
  X(UCL_ERR_RANGE, "value out of range")                                                           \
  X(UCL_ERR_IO, "cannot write output")                                                             \
  X(UCL_ERR_PARSE, "malformed input")                                                              \
  X(UCL_ERR_SOLVER, "solver failed")                                                               \
  X(UCL_ERR_EVENTS, "too many events (chattering)")                                                \
  X(UCL_ERR_LIMIT, "work limit reached")                                                           \
  X(UCL_ERR_INPUT, "cannot read input")                                                            \
  X(UCL_ERR_TOOL, "external tool failed")                                                          \
  X(UCL_ERR_UNMET, "targets not met")                                                              \
  X(UCL_ERR_STOPPED, "stopped by a signal")

#define UCL_X_ENUM_(name, text) name,
typedef enum ucl_status { UCL_STATUS_LIST(UCL_X_ENUM_) UCL_STATUS_COUNT_ } ucl_status;
#undef UCL_X_ENUM_

/* A static, never-NULL text for 'st'. */
const char *ucl_status_str(ucl_status st);

/* A short machine-friendly name for 'st' ("solver", "chattering", ...), for CSV status columns. */
const char *ucl_status_name(ucl_status st);

/* Diagnostic detail. Functions take a 'ucl_diag *' that may be NULL; a message is written only
 * on failure. */
typedef struct ucl_diag {
  char msg[512];
} ucl_diag;

/* Format a message into 'diag' (no-op when diag is NULL), truncating safely. Returns 'st' so that
 * a caller can write 'return ucl_diag_set(diag, UCL_ERR_PARSE, "...")'. */
ucl_status ucl_diag_set(ucl_diag *diag, ucl_status st, const char *fmt, ...) UCL_PRINTF(3, 4);

/* Prefix the message already in 'diag' with formatted text ("file:line: " + old message). */
void ucl_diag_prefix(ucl_diag *diag, const char *fmt, ...) UCL_PRINTF(2, 3);

/* Append formatted text to the message (truncating safely). No-op when diag is NULL. */
void ucl_diag_suffix(ucl_diag *diag, const char *fmt, ...) UCL_PRINTF(2, 3);

/* Clear 'diag' (no-op when NULL). */
void ucl_diag_clear(ucl_diag *diag);

#endif
