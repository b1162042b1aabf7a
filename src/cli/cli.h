/* cli.h — the `uclif` command's subcommands and shared helpers. Only this layer prints and picks
 * exit codes: 0 success, 1 a run failed or an output could not be written, 2 bad usage or bad
 * input. ucl_cli_exit_code is the one place that maps a library status to an exit code.
 *
 * One grammar for every command (getopt_long): an option table per command, and the shared
 * options handled here, the same in every command that takes them:
 *   -o, --out DIR|FILE   where the command writes (commands that write somewhere chosen)
 *   --set NAME=VALUE     override a configuration key (commands that read a configuration)
 *   --quiet              no summary and no progress (the product itself is still written)
 *   -h, --help           the command's usage, generated from its option table
 * Options and arguments may come in any order; "--" ends the options. An unknown option, an
 * option without its value, a value given to an option that takes none and an unexpected
 * argument are each named, and exit with 2. Long options must be spelled out (no prefixes). */
#ifndef UCL_CLI_H
#define UCL_CLI_H

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "uclif/params.h"
#include "uclif/sched.h"
#include "uclif/status.h"

enum { UCL_EXIT_OK = 0, UCL_EXIT_RUN = 1, UCL_EXIT_USAGE = 2, UCL_EXIT_STOPPED = 3 };

int ucl_cmd_simulate(int argc, char **argv);
int ucl_cmd_params(int argc, char **argv);
int ucl_cmd_characterize(int argc, char **argv);
int ucl_cmd_sweep(int argc, char **argv);
int ucl_cmd_merge(int argc, char **argv);
int ucl_cmd_netlist(int argc, char **argv);
int ucl_cmd_report(int argc, char **argv);
int ucl_cmd_tune(int argc, char **argv);
int ucl_cmd_fit(int argc, char **argv);
int ucl_cmd_extract(int argc, char **argv);

/* The end of an MPI command: rank 0's exit code 'code' to every rank, then MPI finalized (*comm
 * freed and NULL). Returns the code every rank exits with (UCL_EXIT_RUN when either step fails,
 * with the message printed for command 'cmd'). Collective. */
int ucl_cli_mpi_end(const char *cmd, ucl_comm **comm, int code);

/* 1 when an MPI launcher started this process (mpirun/mpiexec of Open MPI or MPICH, srun with
 * PMI or PMIx: its environment has OMPI_COMM_WORLD_SIZE, PMIX_RANK or PMI_SIZE), else 0. A
 * command that only uses MPI to share work (`uclif characterize`) starts MPI only then: run
 * alone it neither pays MPI's start-up nor carries its allocations. */
int ucl_cli_mpi_launched(void);

/* Exit code for a library status (status.h): bad input → 2, a failed run or output → 1. */
int ucl_cli_exit_code(ucl_status st);

/* Print "uclif CMD: message" to stderr. */
void ucl_cli_error(const char *cmd, const char *fmt, ...) UCL_PRINTF(2, 3);

/* Print the failure 'st' with diag's message ("uclif CMD: message") and return its exit code,
 * for a command that writes its files once: an output that could not be written (UCL_ERR_IO)
 * gets the command that recovers, since every file such a command writes is whole or absent:
 * running it again once the cause is gone (a full disk, a directory without write permission).
 * `uclif sweep` and `uclif merge`, whose recovery is another command, print their own. */
int ucl_cli_fail(const char *cmd, ucl_status st, const ucl_diag *diag);

/* Print each parameter warning of *p (ucl_params_warnings: physically odd, still run) to stderr
 * as "uclif CMD: warning: TEXT". Not silenced by --quiet. */
void ucl_cli_warn_params(const char *cmd, const ucl_params *p);
/* The same for a sweep: each kind once, with how many points have it (ucl_store_sweep_warnings);
 * call on one rank. */
void ucl_cli_warn_sweep(const char *cmd, const ucl_sweep *sw);
/* Print what reading a sweep's shards found wrong (store.h), as "uclif CMD: warning: NOTE" lines
 * and a count line; 'action' says what becomes of those blocks ("not merged", "computed again").
 * Nothing when all is well. */
void ucl_cli_store_health(const char *cmd, const ucl_store_health *h, const char *action);

/* Create directory 'path' and its parents (like mkdir -p). UCL_ERR_IO with the reason in 'diag'
 * ("cannot create output directory 'x': ...") when it cannot. */
UCL_NODISCARD ucl_status ucl_cli_mkdirs(const char *path, ucl_diag *diag);

/* Write file 'out' whole or not at all: 'write'(f, ctx, diag) fills 'out'.tmp, which is renamed
 * into place once closed without error, and removed otherwise. The status of 'write' (its diag
 * kept), or UCL_ERR_IO / UCL_ERR_NOMEM with the file and the reason. */
UCL_NODISCARD ucl_status ucl_cli_write_file(const char *out,
                                            ucl_status (*write)(FILE *f, const void *ctx,
                                                                ucl_diag *diag),
                                            const void *ctx, ucl_diag *diag);

/* ---- the option grammar ---- */

/* Shared options a command takes (ucl_cli_cmd.common). */
enum {
  UCL_CLI_OUT_DIR = 1 << 0,  /* -o, --out DIR */
  UCL_CLI_OUT_FILE = 1 << 1, /* -o, --out FILE */
  UCL_CLI_SET = 1 << 2,      /* --set NAME=VALUE, repeatable */
  UCL_CLI_QUIET = 1 << 3     /* --quiet */
};

/* A command's own option: '--name' with a value shown as 'arg' in --help (NULL: no value). 'id'
 * (> 0, < 256) is what ucl_cli_next returns for it. 'help' may hold several lines. */
typedef struct ucl_cli_opt {
  const char *name;
  int id;
  const char *arg;
  const char *help;
} ucl_cli_opt;

typedef struct ucl_cli_cmd {
  const char *name;        /* "sweep" */
  const char *usage;       /* the line after "usage: " */
  const char *about;       /* what it does (paragraphs), printed before the options */
  unsigned common;         /* UCL_CLI_* */
  const char *out_help;    /* --out's text (what is written there, its default) */
  const char *set_help;    /* --set's text; NULL: the standard one */
  const char *quiet_help;  /* --quiet's text; NULL: the standard one */
  const ucl_cli_opt *opts; /* the command's own options, ending with {NULL, 0, NULL, NULL} */
  const char *operand;     /* the one positional argument ("SPEC", "DIR"), NULL: none */
  int operand_required;
  int out_required;
  const char *after; /* printed after the options: the exit status */
} ucl_cli_cmd;

#define UCL_CLI_MAX_SETS 256
/* What the shared options and the operand gave. */
typedef struct ucl_cli_args {
  const char *operand; /* SPEC or DIR; NULL when not given */
  const char *out;     /* -o/--out; NULL when not given */
  const char *sets[UCL_CLI_MAX_SETS];
  int n_sets;
  int quiet;
} ucl_cli_args;

/* A parse in progress. With 'defer' set (MPI commands: before MPI_Init, where every rank
 * parses), a usage error is kept in 'msg' for ucl_cli_flush instead of being printed. */
typedef struct ucl_cli_parser {
  const ucl_cli_cmd *cmd;
  int argc;
  char **argv;
  ucl_cli_args *args;
  int defer;
  int stopped;
  int exit; /* the exit code once stopped: 0 after --help, 2 after a usage error */
  char msg[512];
} ucl_cli_parser;

enum { UCL_CLI_DONE = 0, UCL_CLI_STOP = -1 };

/* Start parsing argv (argv[0] is the command's name). 'args' is cleared. */
void ucl_cli_begin(ucl_cli_parser *p, const ucl_cli_cmd *cmd, int argc, char **argv,
                   ucl_cli_args *args, int defer);

/* The next of the command's own options: its id (> 0) with *value (NULL if it takes none).
 * Shared options are stored in the args. UCL_CLI_DONE when every word is parsed and the
 * operand and -o are there if required; UCL_CLI_STOP when the command must stop with p->exit
 * (--help printed: 0; a usage error printed or deferred: 2). */
int ucl_cli_next(ucl_cli_parser *p, const char **value);

/* Reject the value of the option just returned: the message (printed or deferred) is
 * "uclif CMD: --NAME VALUE: <why>"; ucl_cli_next then returns UCL_CLI_STOP. */
void ucl_cli_bad_value(ucl_cli_parser *p, const char *fmt, ...) UCL_PRINTF(2, 3);

/* A usage error found after parsing (an option that does not fit the input, say): printed or
 * deferred as "uclif CMD: <message>"; returns UCL_EXIT_USAGE. */
int ucl_cli_usage_error(ucl_cli_parser *p, const char *fmt, ...) UCL_PRINTF(2, 3);

/* Print a deferred usage error (call on one rank). */
void ucl_cli_flush(const ucl_cli_parser *p);

/* ---- progress and networks ---- */

/* A progress line on a terminal: when it was last drawn, and whether it was (to clear it). */
typedef struct ucl_cli_progress {
  struct timespec last;
  int shown;
} ucl_cli_progress;

/* A progress line's pacing: 1 (and *last updated) when at least half a second has passed since
 * *last (CLOCK_MONOTONIC), else 0. */
int ucl_cli_progress_due(struct timespec *last);

/* A progress display for a long run of `characterize` and `tune`: on a terminal one line on
 * stderr, redrawn at most every UCL_CLI_TICKER_TTY_S seconds and erased at the end; in a log
 * (stderr not a terminal) one line every UCL_CLI_TICKER_LOG_S seconds, "progress: TEXT, 35 s".
 * The environment variable UCLIF_PROGRESS_INTERVAL (seconds, > 0) sets the log interval, for
 * tests. Usage: start; then, as often as convenient, when ucl_cli_ticker_due(t) >= 0 format TEXT
 * and print it; end before printing anything else. */
#define UCL_CLI_TICKER_TTY_S 0.2
#define UCL_CLI_TICKER_LOG_S 60.0
typedef struct ucl_cli_ticker {
  FILE *f;
  int tty;
  double start, last, interval; /* CLOCK_MONOTONIC s; the log interval (s) */
  int shown;                    /* a terminal line is drawn */
} ucl_cli_ticker;

void ucl_cli_ticker_start(ucl_cli_ticker *t, FILE *f, int tty);
/* The seconds since the start when a line is due now (and it is counted as shown), else < 0. */
double ucl_cli_ticker_due(ucl_cli_ticker *t);
/* "progress: TEXT, 35 s" ("2 min 05 s", "3 h 07 min" for longer) into buf (truncated to n). */
void ucl_cli_ticker_format(char *buf, size_t n, const char *text, double elapsed_s);
void ucl_cli_ticker_print(ucl_cli_ticker *t, const char *text, double elapsed_s);
/* Erase a terminal line (nothing in a log). */
void ucl_cli_ticker_end(ucl_cli_ticker *t);

/* Networks (cmd_network.c). Whether 'path' is a readable spec with network sections. */
int ucl_cli_is_network_spec(const char *path);
/* Simulate the network spec a->operand into a->out (default "."); returns the exit code. Over
 * several MPI ranks every rank calls it: with 'comm' (borrowed; the caller ends MPI), or NULL, when
 * it starts MPI itself if a launcher started the process (ucl_cli_mpi_launched). */
int ucl_cli_run_network(const char *cmd, const ucl_cli_args *a, double sample_dt, long max_samples,
                        int integration, ucl_comm *comm);

#endif
