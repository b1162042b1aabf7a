/* cmd_sweep.c — `uclif sweep SPEC -o DIR [--resume] [--chunk N] [--point-timeout S]`, run under
 * mpirun (or alone as one rank). The only command that starts MPI. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "uclif/sched.h"
#include "uclif/sweep.h"
#include "uclif/units.h"

static void help(void) {
  printf("usage: [mpirun -np N] uclif sweep SPEC -o DIR [options]\n\n"
         "Characterize every point of the sweep SPEC (docs/spec.md) on all MPI ranks and merge\n"
         "the results into DIR/points.csv and DIR/rate_curves.csv (docs/outputs.md; a network\n"
         "sweep writes DIR/neurons.csv instead of the rate curves), with\n"
         "DIR/manifest.txt. Each rank writes its finished points to DIR/shards as it goes, so a\n"
         "killed job loses only the points in flight: run the same command with --resume to\n"
         "finish it. The merged files are the same bytes for any number of ranks.\n\n"
         "options:\n"
         "  -o, --out DIR         output directory (required)\n"
         "  --resume              continue the sweep already in DIR (same spec)\n"
         "  --chunk N             points handed out at a time (default automatic)\n"
         "  --point-timeout S     wall-time limit per point in seconds (SI suffixes allowed);\n"
         "                        a point over it is a row with status 'limit'\n"
         "  --slice I/N           compute only slice I (0 .. N-1) of N equal runs of points,\n"
         "                        e.g. one task of a job array (jobs/sweep-array.slurm)\n"
         "  --no-merge            leave the merge to `uclif merge DIR` (after all slices)\n"
         "  --quiet               no progress and no summary\n"
         "  --help                this text\n\n"
         "exit status: 0 done (points that failed are rows with their reason); 1 the sweep\n"
         "stopped (I/O, MPI) or the merge is incomplete; 2 bad usage, bad spec, or DIR holds\n"
         "another sweep.\n");
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
  const char *spec = NULL, *out = NULL;
  int resume = 0, quiet = 0, no_merge = 0;
  long slice = 0, slices = 0;
  long chunk = 0;
  double timeout = 0.0;
  ucl_diag diag = {{0}};
  int usage_error = 0;
  for (int i = 1; i < argc && !usage_error; i++) {
    const char *v = NULL;
    int m;
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      help();
      return UCL_EXIT_OK;
    } else if (strcmp(argv[i], "--resume") == 0) {
      resume = 1;
    } else if (strcmp(argv[i], "--quiet") == 0) {
      quiet = 1;
    } else if (strcmp(argv[i], "--no-merge") == 0) {
      no_merge = 1;
    } else if ((m = ucl_cli_option(argc, argv, &i, "--slice", &v)) != 0) {
      const char *slash = m > 0 ? strchr(v, '/') : NULL;
      char head[32];
      usage_error = 1;
      if (slash && (size_t)(slash - v) < sizeof(head)) {
        memcpy(head, v, (size_t)(slash - v));
        head[slash - v] = '\0';
        usage_error = ucl_units_parse_long(slash + 1, 1, 1000000, &slices, &diag) != UCL_OK ||
                      ucl_units_parse_long(head, 0, slices - 1, &slice, &diag) != UCL_OK;
      }
      if (usage_error) {
        ucl_diag_set(&diag, UCL_ERR_PARSE, "--slice takes I/N with 0 <= I < N (got '%s')",
                     m > 0 ? v : "");
      }
    } else if ((m = ucl_cli_option(argc, argv, &i, "--out", &v)) != 0 ||
               (m = ucl_cli_option(argc, argv, &i, "-o", &v)) != 0) {
      usage_error = m < 0 || !v[0];
      out = v;
    } else if ((m = ucl_cli_option(argc, argv, &i, "--chunk", &v)) != 0) {
      usage_error = m < 0 || ucl_units_parse_long(v, 1, 1000000, &chunk, &diag) != UCL_OK;
    } else if ((m = ucl_cli_option(argc, argv, &i, "--point-timeout", &v)) != 0) {
      usage_error = m < 0 || ucl_units_parse(v, "s", &timeout, &diag) != UCL_OK || !(timeout > 0);
    } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
      ucl_diag_set(&diag, UCL_ERR_PARSE, "unknown option '%s' (see --help)", argv[i]);
      usage_error = 1;
    } else if (!spec) {
      spec = argv[i];
    } else {
      ucl_diag_set(&diag, UCL_ERR_PARSE, "more than one spec file");
      usage_error = 1;
    }
  }
  if (!usage_error && (!spec || !out)) {
    ucl_diag_set(&diag, UCL_ERR_PARSE, "needs a spec file and -o DIR (see --help)");
    usage_error = 1;
  }
  ucl_comm *comm = NULL;
  if (ucl_comm_init(&argc, &argv, &comm, &diag) != UCL_OK) {
    ucl_cli_error("sweep", "%s", diag.msg);
    return UCL_EXIT_RUN;
  }
  int rank = ucl_comm_rank(comm);
  int code = UCL_EXIT_OK;
  ucl_sweep *sw = NULL;
  if (usage_error) {
    if (rank == 0) {
      ucl_cli_error("sweep", "%s", diag.msg[0] ? diag.msg : "bad option value");
    }
    code = UCL_EXIT_USAGE;
    goto done;
  }
  /* every rank reads the spec; the result is the same everywhere */
  if (ucl_sweep_load(spec, &sw, &diag) != UCL_OK) {
    if (rank == 0) {
      ucl_cli_error("sweep", "%s", diag.msg);
    }
    code = UCL_EXIT_USAGE;
    goto done;
  }
  progress pg = {isatty(STDERR_FILENO), -1e9, 0};
  ucl_sched_opts so = {.out_dir = out,
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
  if (st != UCL_OK) {
    if (rank == 0) {
      ucl_cli_error("sweep", "%s", diag.msg);
    }
    code = (st == UCL_ERR_INVAL || st == UCL_ERR_PARSE) ? UCL_EXIT_USAGE : UCL_EXIT_RUN;
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
             "before, %ld failed)\nwrote %s/points.csv (%ld rows), %s/%s (%ld rows), "
             "%s/manifest.txt\n",
             ucl_sweep_name(sw), rep.points, rep.ranks, rep.wall_s, rep.run, rep.computed,
             rep.done_before, rep.failed, out, rep.merge.merged, out, rep.merge.second_file,
             rep.merge.curve_rows, out);
    }
    if (rep.merge.missing > 0) {
      ucl_cli_error("sweep", "%ld points missing from the merge (first: %ld)", rep.merge.missing,
                    rep.merge.first_missing);
      code = UCL_EXIT_RUN;
    }
  }
done:
  ucl_sweep_destroy(&sw);
  if (ucl_comm_bcast_int(comm, &code, 0, &diag) != UCL_OK) {
    ucl_cli_error("sweep", "%s", diag.msg);
    code = UCL_EXIT_RUN;
  }
  if (ucl_comm_finalize(&comm, &diag) != UCL_OK) {
    ucl_cli_error("sweep", "%s", diag.msg);
    code = UCL_EXIT_RUN;
  }
  return code;
}
