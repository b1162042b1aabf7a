/* cli.h — the `uclif` command's subcommands and shared helpers. Only this layer prints and picks
 * exit codes: 0 success, 1 a run failed, 2 bad usage or bad input. */
#ifndef UCL_CLI_H
#define UCL_CLI_H

#include <time.h>

#include "uclif/status.h"

enum { UCL_EXIT_OK = 0, UCL_EXIT_RUN = 1, UCL_EXIT_USAGE = 2 };

int ucl_cmd_simulate(int argc, char **argv);
int ucl_cmd_params(int argc, char **argv);
int ucl_cmd_characterize(int argc, char **argv);
int ucl_cmd_sweep(int argc, char **argv);
int ucl_cmd_merge(int argc, char **argv);
int ucl_cmd_netlist(int argc, char **argv);
int ucl_cmd_report(int argc, char **argv);
int ucl_cmd_tune(int argc, char **argv);

/* Exit code for a library status: bad input → 2, run failures → 1. */
int ucl_cli_exit_code(ucl_status st);

/* Print "uclif CMD: message" to stderr. */
void ucl_cli_error(const char *cmd, const char *fmt, ...) UCL_PRINTF(2, 3);

/* Create directory 'path' and its parents (like mkdir -p). Returns 0 or -1 (errno set). */
int ucl_cli_mkdirs(const char *path);

/* Does argv[*i] match option 'name' (with its value in the next word or after '=')? On a match
 * *value points at the value and *i is advanced past it; returns 1 on match, 0 if not this
 * option, -1 if the value is missing. */
int ucl_cli_option(int argc, char **argv, int *i, const char *name, const char **value);

/* The arguments simulate and characterize share: SPEC, --set NAME=VALUE, --out DIR, --quiet. */
#define UCL_CLI_MAX_SETS 256
typedef struct ucl_cli_common {
  const char *spec;
  const char *out_dir; /* default "." */
  const char *sets[UCL_CLI_MAX_SETS];
  int n_sets;
  int quiet;
} ucl_cli_common;

/* Consume argv[*i] if it is one of the shared arguments: 1 consumed, 0 not one of them, -1 bad
 * (the error is printed for command 'cmd'). */
int ucl_cli_common_arg(const char *cmd, int argc, char **argv, int *i, ucl_cli_common *c);

/* A progress line on a terminal: when it was last drawn, and whether it was (to clear it). */
typedef struct ucl_cli_progress {
  struct timespec last;
  int shown;
} ucl_cli_progress;

/* A progress line's pacing: 1 (and *last updated) when at least half a second has passed since
 * *last (CLOCK_MONOTONIC), else 0. */
int ucl_cli_progress_due(struct timespec *last);

/* Networks (cmd_network.c). Whether 'path' is a readable spec with network sections. */
int ucl_cli_is_network_spec(const char *path);
/* "auto" / "partitioned" / "coupled" into *out (ucl_net_integration); -1 and a message if bad. */
int ucl_cli_parse_integration(const char *cmd, const char *text, int *out);
/* Simulate the network spec a->spec into a->out_dir; returns the exit code. */
int ucl_cli_run_network(const char *cmd, const ucl_cli_common *a, double sample_dt,
                        long max_samples, int integration);

#endif
