/* cmd_sweep.c — `uclif sweep SPEC -o DIR [--set NAME=VALUE]... [--resume] ...`, run under
 * mpirun (or alone as one rank). MPI through sched.h (ucl_comm). SIGTERM, SIGINT and SIGUSR1
 * stop it between points (sched.h); after --grace seconds, or a second signal, the points in
 * flight are abandoned. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "uclif/sched.h"
#include "uclif/sweep.h"
#include "uclif/units.h"

enum { OPT_RESUME = 1, OPT_CHUNK, OPT_POINT_TIMEOUT, OPT_SLICE, OPT_NO_MERGE, OPT_WAIT, OPT_GRACE };

static const ucl_cli_opt options[] = {
    {"resume", OPT_RESUME, NULL,
     "continue the sweep already in DIR: with SPEC, which must mean the\n"
     "same points (comments and key order do not matter); without it,\n"
     "with the spec DIR keeps (DIR/spec.ini)"},
    {"wait", OPT_WAIT, "S",
     "wait up to S seconds for another run to let go of DIR\n"
     "(default 0: refuse at once, naming the run that holds it)"},
    {"grace", OPT_GRACE, "S",
     "after SIGTERM, SIGINT or SIGUSR1, give the points in flight S seconds\n"
     "to finish before abandoning them (default 30; a second signal\n"
     "abandons them at once)"},
    {"chunk", OPT_CHUNK, "N", "points handed out at a time (default automatic)"},
    {"point-timeout", OPT_POINT_TIMEOUT, "S",
     "wall-time limit per point in seconds (SI suffixes allowed);\n"
     "a point over it is a row with status 'limit'"},
    {"slice", OPT_SLICE, "I/N",
     "compute only slice I (0 .. N-1) of N equal runs of points,\n"
     "e.g. one task of a job array (jobs/sweep-array.slurm)"},
    {"no-merge", OPT_NO_MERGE, NULL, "leave the merge to `uclif merge DIR` (after all slices)"},
    {NULL, 0, NULL, NULL}};

static const ucl_cli_cmd command = {
    .name = "sweep",
    .usage = "[mpirun -np N] uclif sweep SPEC -o DIR [options]\n"
             "       [mpirun -np N] uclif sweep --resume -o DIR [options]",
    .about =
        "Characterize every point of the sweep SPEC (docs/spec.md) on all MPI ranks and merge\n"
        "the results into DIR/points.csv and DIR/rate_curves.csv (docs/outputs.md; a network\n"
        "sweep writes DIR/neurons.csv instead of the rate curves), with\n"
        "DIR/manifest.txt. Each rank writes its finished points to DIR/shards as it goes, so a\n"
        "killed job loses only the points in flight: `uclif sweep --resume -o DIR` finishes it.\n"
        "DIR keeps the spec (DIR/spec.ini) and one run at a time writes to it (DIR/shards/lock).\n"
        "The merged files are the same bytes for any number of ranks, and for resumed runs.",
    .common = UCL_CLI_OUT_DIR | UCL_CLI_SET | UCL_CLI_QUIET,
    .out_help = "output directory (required)",
    .set_help = "override a key of the base configuration (repeatable; not a\n"
                "swept key), applied before the swept values",
    .quiet_help = "no progress and no summary",
    .opts = options,
    .operand = "SPEC",
    .operand_required = 0,
    .out_required = 1,
    .after = "exit status: 0 done (points that failed are rows with their reason); 1 the sweep\n"
             "stopped (an output that cannot be written, MPI) or the merge is incomplete; 2 bad\n"
             "usage, bad spec, DIR holds another sweep or is in use by another run, or copies of\n"
             "a point differ (`uclif merge DIR --repair`); 3 stopped by a signal (the shards hold\n"
             "every finished point: --resume finishes the sweep)."};

/* The signal handlers' state: the only mutable globals of the command. */
static volatile sig_atomic_t stop_signal = 0;   /* the first SIGTERM/SIGINT/SIGUSR1 */
static volatile sig_atomic_t cancel_points = 0; /* abandon the points in flight */
static unsigned grace_s = 30;

static void on_stop(int sig) {
  if (stop_signal) {
    cancel_points = 1; /* a second signal: do not wait */
    return;
  }
  stop_signal = sig;
  if (grace_s > 0) {
    alarm(grace_s);
  } else {
    cancel_points = 1;
  }
}

static void on_alarm(int sig) {
  (void)sig;
  cancel_points = 1;
}

static void catch_signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART; /* a blocking call (a lock, a write) goes on; the flag is polled */
  sa.sa_handler = on_stop;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGUSR1, &sa, NULL);
  sa.sa_handler = on_alarm;
  sigaction(SIGALRM, &sa, NULL);
}

/* "I/N" with 0 <= I < N into *slice and *slices; -1 if it is not that. */
static int parse_slice(const char *v, long *slice, long *slices, ucl_diag *diag) {
  const char *slash = strchr(v, '/');
  char head[32];
  if (!slash || (size_t)(slash - v) >= sizeof(head)) {
    return -1;
  }
  memcpy(head, v, (size_t)(slash - v));
  head[slash - v] = '\0';
  if (ucl_units_parse_long(slash + 1, 1, 1000000, slices, diag) != UCL_OK ||
      ucl_units_parse_long(head, 0, *slices - 1, slice, diag) != UCL_OK) {
    return -1;
  }
  return 0;
}

typedef struct progress {
  int tty;
  double last;
  int final_shown;
} progress;

static void fmt_time(double s, char *buf, size_t n) {
  if (!isfinite(s) || s < 0) {
    snprintf(buf, n, "--");
  } else if (s < 120) {
    snprintf(buf, n, "%.0fs", s);
  } else if (s < 7200) {
    snprintf(buf, n, "%.0fm%02.0fs", floor(s / 60), fmod(s, 60));
  } else {
    snprintf(buf, n, "%.0fh%02.0fm", floor(s / 3600), fmod(floor(s / 60), 60));
  }
}

static void show(void *ctx, long done, long total, double elapsed, long at_start) {
  progress *pg = ctx;
  int final = done >= total;
  if (pg->final_shown || (!final && elapsed - pg->last < (pg->tty ? 0.2 : 10.0))) {
    return;
  }
  pg->final_shown = final;
  pg->last = elapsed;
  double rate = elapsed > 0 ? (double)(done - at_start) / elapsed : 0.0;
  char eta[32], el[32];
  fmt_time(rate > 0 ? (double)(total - done) / rate : NAN, eta, sizeof(eta));
  fmt_time(elapsed, el, sizeof(el));
  double frac = total > 0 ? (double)done / (double)total : 1.0;
  if (pg->tty) {
    char bar[31];
    int filled = (int)(frac * 30.0);
    for (int i = 0; i < 30; i++) {
      bar[i] = i < filled ? '#' : '.';
    }
    bar[30] = '\0';
    fprintf(stderr, "\r[%s] %5.1f%% %ld/%ld points, %.2f points/s, elapsed %s, ETA %s   ", bar,
            100.0 * frac, done, total, rate, el, eta);
    if (final) {
      fputc('\n', stderr);
    }
  } else {
    fprintf(stderr, "progress: %ld/%ld points (%.1f%%), %.2f points/s, elapsed %s, ETA %s\n", done,
            total, 100.0 * frac, rate, el, eta);
  }
  fflush(stderr);
}

int ucl_cmd_sweep(int argc, char **argv) {
  ucl_cli_args a;
  ucl_cli_parser cp;
  int resume = 0, no_merge = 0;
  long slice = 0, slices = 0;
  long chunk = 0;
  double timeout = 0.0, wait_s = 0.0, grace = 30.0;
  ucl_diag diag = {{0}};
  const char *v = NULL;
  int id;
  /* every rank parses; a usage error is printed by rank 0 once MPI is up */
  ucl_cli_begin(&cp, &command, argc, argv, &a, 1);
  while ((id = ucl_cli_next(&cp, &v)) > 0) {
    switch (id) {
    case OPT_RESUME:
      resume = 1;
      break;
    case OPT_NO_MERGE:
      no_merge = 1;
      break;
    case OPT_SLICE:
      if (parse_slice(v, &slice, &slices, &diag) != 0) {
        ucl_cli_bad_value(&cp, "expected I/N with 0 <= I < N");
      }
      break;
    case OPT_CHUNK:
      if (ucl_units_parse_long(v, 1, 1000000, &chunk, &diag) != UCL_OK) {
        ucl_cli_bad_value(&cp, "%s", diag.msg);
      }
      break;
    case OPT_POINT_TIMEOUT:
      if (ucl_units_parse(v, "s", &timeout, &diag) != UCL_OK || !(timeout > 0)) {
        ucl_cli_bad_value(&cp, "%s", diag.msg[0] ? diag.msg : "must be > 0");
      }
      break;
    case OPT_WAIT:
      if (ucl_units_parse(v, "s", &wait_s, &diag) != UCL_OK || !(wait_s >= 0) || wait_s > 1e9) {
        ucl_cli_bad_value(&cp, "%s", diag.msg[0] ? diag.msg : "must be >= 0 s");
      }
      break;
    case OPT_GRACE:
      if (ucl_units_parse(v, "s", &grace, &diag) != UCL_OK || !(grace >= 0) || grace > 1e6) {
        ucl_cli_bad_value(&cp, "%s", diag.msg[0] ? diag.msg : "must be 0 .. 1e6 s");
      }
      break;
    default:
      break;
    }
  }
  if (id < 0 && cp.exit == UCL_EXIT_OK) {
    return UCL_EXIT_OK; /* --help */
  }
  if (id >= 0 && !a.operand && !resume) {
    (void)ucl_cli_usage_error(&cp,
                              "missing SPEC (only --resume can take the spec DIR keeps; see uclif "
                              "sweep --help)");
    id = -1;
  } else if (id >= 0 && !a.operand && a.n_sets > 0) {
    (void)ucl_cli_usage_error(&cp,
                              "--set needs SPEC: a resume without SPEC uses the spec and the --set "
                              "DIR keeps");
    id = -1;
  }
  const char *spec = a.operand, *out = a.out;
  int quiet = a.quiet;
  ucl_comm *comm = NULL;
  if (ucl_comm_init(&argc, &argv, &comm, &diag) != UCL_OK) {
    ucl_cli_error("sweep", "%s", diag.msg);
    return UCL_EXIT_RUN;
  }
  int rank = ucl_comm_rank(comm);
  int code = UCL_EXIT_OK;
  ucl_sweep *sw = NULL;
  if (id < 0) {
    if (rank == 0) {
      ucl_cli_flush(&cp);
    }
    code = cp.exit;
    goto done;
  }
  /* every rank reads the spec (or the one DIR keeps); the result is the same everywhere */
  ucl_status lst = spec ? ucl_sweep_load_sets(spec, a.sets, a.n_sets, &sw, &diag)
                        : ucl_store_load_spec(out, &sw, &diag);
  /* a rank that could not read it (memory, a file system error) must not leave the others in a
   * collective: every rank takes the worst status */
  lst = ucl_comm_agree(comm, lst, &diag);
  if (lst != UCL_OK) {
    if (rank == 0) {
      ucl_cli_error("sweep", "%s", diag.msg);
    }
    code = ucl_cli_exit_code(lst);
    goto done;
  }
  if (rank == 0) {
    ucl_cli_warn_sweep("sweep", sw);
  }
  if (rank == 0 && !quiet && ucl_sweep_mc(sw)) { /* the design's draws against the request */
    ucl_mc_check *chk = malloc(sizeof(*chk));
    ucl_diag cd = {{0}};
    if (!chk ||
        ucl_mc_check_draws(ucl_sweep_mc(sw), ucl_sweep_count(sw), UCL_MC_CHECK_SE, chk, &cd) !=
            UCL_OK ||
        ucl_mc_check_write(ucl_sweep_mc(sw), chk, stdout, &cd) != UCL_OK) {
      printf("Monte Carlo self-check: not done (%s)\n", chk ? cd.msg : "out of memory");
    }
    fflush(stdout);
    free(chk);
  }
  progress pg = {isatty(STDERR_FILENO), -1e9, 0};
  grace_s = (unsigned)ceil(grace);
  catch_signals();
  ucl_sched_opts so = {.out_dir = out,
                       .spec_source = spec,
                       .lock_wait_s = wait_s,
                       .stop = &stop_signal,
                       .cancel = &cancel_points,
                       .resume = resume,
                       .chunk = chunk,
                       .point_timeout = timeout,
                       .slices = (int)slices,
                       .slice = (int)slice,
                       .no_merge = no_merge,
                       .progress = quiet ? NULL : show,
                       .progress_ctx = &pg};
  ucl_sched_report rep;
  ucl_status st = ucl_sched_run(comm, sw, &so, &rep, &diag);
  if (rank == 0) {
    ucl_cli_store_health("sweep", &rep.merge.health,
                         "not merged (their points were merged from good copies or are missing; "
                         "`uclif merge DIR --repair` sets them aside)");
  }
  if (st != UCL_OK) {
    if (rank == 0) {
      ucl_cli_error("sweep", "%s", diag.msg);
    }
    code = ucl_cli_exit_code(st);
    goto done;
  }
  if (rank == 0 && no_merge) {
    if (!quiet) {
      char part[64] = "";
      if (slices > 0) {
        snprintf(part, sizeof(part), " slice %ld/%ld", slice, slices);
      }
      printf("sweep %s%s: %ld points computed on %d ranks in %.2f s (%ld done before, %ld "
             "failed); merge with `uclif merge %s`\n",
             ucl_sweep_name(sw), part, rep.computed, rep.ranks, rep.wall_s, rep.done_before,
             rep.failed, out);
    }
  } else if (rank == 0) {
    if (!quiet) {
      printf("sweep %s: %ld points on %d ranks in %.2f s (run %d: %ld computed, %ld done "
             "before, %ld failed)\nwrote ",
             ucl_sweep_name(sw), rep.points, rep.ranks, rep.wall_s, rep.run, rep.computed,
             rep.done_before, rep.failed);
      for (int k = 0; k < rep.merge.n_files; k++) {
        printf("%s/%s (%ld rows), ", out, rep.merge.file[k], rep.merge.rows[k]);
      }
      printf("%s/manifest.txt\n", out);
    }
    if (rep.merge.missing > 0) {
      ucl_cli_error("sweep", "%ld points missing from the merge (first: %ld)", rep.merge.missing,
                    rep.merge.first_missing);
      code = UCL_EXIT_RUN;
    }
  }
done:
  ucl_sweep_destroy(&sw);
  return ucl_cli_mpi_end("sweep", &comm, code);
}
