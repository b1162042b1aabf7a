/* cmd_tune.c — `[mpirun -np N] uclif tune SPEC -o DIR [--set ...] [--quiet]`: target features to
 * E-series component values, a BOM and the Monte Carlo yield of the tolerances. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "uclif/tune.h"
#include "uclif/tune_run.h"

static const ucl_cli_cmd command = {
    .name = "tune",
    .usage = "[mpirun -np N] uclif tune SPEC -o DIR [options]",
    .about =
        "Find E-series values for the free components of SPEC (docs/spec.md, Tuning) that meet\n"
        "its target features: a seeded Nelder-Mead search in log space within the bounds,\n"
        "then every E-series floor/ceil combination around its optimum (a coordinate search\n"
        "for more than 6 free parts), then a Monte Carlo analysis of the snapped design under\n"
        "the component tolerances (at least 1000 draws): the yield with its 95% interval,\n"
        "each feature's spread and the worst draws. All evaluations are shared out over the\n"
        "MPI ranks; the numbers are the same for any rank count. Writes DIR/bom.csv,\n"
        "DIR/tune.txt (the report), DIR/draws.csv and DIR/design.cir (ngspice netlist);\n"
        "columns in docs/outputs.md.",
    .common = UCL_CLI_OUT_DIR | UCL_CLI_SET | UCL_CLI_QUIET,
    .out_help = "output directory (required; created if missing)",
    .set_help = "override a key of the base configuration (repeatable; not a\n"
                "free part)",
    .quiet_help = "no progress and no summary",
    .operand = "SPEC",
    .operand_required = 1,
    .out_required = 1,
    .after = "exit status: 0 the snapped design meets every target; 1 it does not (the message\n"
             "names the targets it misses; the files hold the closest design), a run failed or\n"
             "an output could not be written; 2 bad usage or a bad spec (nothing is written)."};

/* Phase lines always; ticks paced by the ticker (a terminal line, a line a minute in a log). */
static void show(const char *line, int tick, void *ctx) {
  ucl_cli_ticker *tk = ctx;
  if (tick) {
    double el = ucl_cli_ticker_due(tk);
    if (el >= 0.0) {
      ucl_cli_ticker_print(tk, line, el);
    }
    return;
  }
  ucl_cli_ticker_end(tk);
  fprintf(stderr, "tune: %s\n", line);
}

int ucl_cmd_tune(int argc, char **argv) {
  ucl_cli_args a;
  ucl_cli_parser cp;
  const char *v = NULL;
  /* every rank parses; a usage error is printed by rank 0 once MPI is up */
  ucl_cli_begin(&cp, &command, argc, argv, &a, 1);
  int id = ucl_cli_next(&cp, &v); /* no options of its own: only the shared ones */
  if (id < 0 && cp.exit == UCL_EXIT_OK) {
    return UCL_EXIT_OK; /* --help */
  }
  const char *spec = a.operand, *out = a.out;
  int quiet = a.quiet;
  ucl_diag diag = {{0}};
  ucl_comm *comm = NULL;
  if (ucl_comm_init(&argc, &argv, &comm, &diag) != UCL_OK) {
    ucl_cli_error("tune", "%s", diag.msg);
    return UCL_EXIT_RUN;
  }
  int rank = ucl_comm_rank(comm), size = ucl_comm_size(comm);
  int code = UCL_EXIT_OK;
  ucl_tune *t = NULL;
  if (id < 0) {
    if (rank == 0) {
      ucl_cli_flush(&cp);
    }
    code = cp.exit;
    goto done;
  }
  ucl_status lst = ucl_tune_load_sets(spec, a.sets, a.n_sets, &t, &diag);
  /* a rank that could not read it (memory, a file system error) must not leave the others in a
   * collective: every rank takes the worst status */
  lst = ucl_comm_agree(comm, lst, &diag);
  if (lst != UCL_OK) {
    if (rank == 0) {
      ucl_cli_error("tune", "%s", diag.msg);
    }
    code = ucl_cli_exit_code(lst);
    goto done;
  }
  if (rank == 0) {
    /* the free parts are resistors and capacitors: the device checks see the spec's values */
    double values[UCL_TUNE_MAX_PARTS];
    ucl_params p;
    ucl_tune_nominal(t, values);
    ucl_tune_params(t, values, &p);
    ucl_cli_warn_params("tune", &p);
  }
  if (rank == 0 && (lst = ucl_cli_mkdirs(out, &diag)) != UCL_OK) {
    code = ucl_cli_fail("tune", lst, &diag);
  }
  if (ucl_comm_bcast_int(comm, &code, 0, &diag) != UCL_OK) {
    ucl_cli_error("tune", "%s", diag.msg);
    code = UCL_EXIT_RUN;
  }
  if (code != UCL_EXIT_OK) {
    goto done;
  }
  ucl_tune_report rep;
  ucl_cli_ticker tk;
  ucl_cli_ticker_start(&tk, stderr, isatty(STDERR_FILENO));
  ucl_status st = ucl_tune_run(comm, t, out, quiet ? NULL : show, &tk, &rep, &diag);
  ucl_cli_ticker_end(&tk);
  if (rank == 0) {
    if (!quiet && (st == UCL_OK || st == UCL_ERR_UNMET)) {
      printf("tune: %d free parts, %d targets on %d ranks in %.2f s (%ld characterizations, "
             "%ld Monte Carlo draws)\n",
             ucl_tune_n_free(t), ucl_tune_n_targets(t), size, rep.wall_s, rep.evaluations,
             rep.draws);
      for (int k = 0; k < ucl_tune_n_parts(t); k++) {
        const ucl_tune_part *p = ucl_tune_part_at(t, k);
        if (p->free) {
          printf("  %-4s %.6g (continuous optimum %.6g)\n", p->name, rep.snap[k], rep.cont[k]);
        }
      }
      printf("snapped design meets every target: %s\nyield = %.4f (95%% CI %.4f .. %.4f)\n"
             "wrote %s/bom.csv, %s/tune.txt, %s/draws.csv, %s/design.cir\n",
             rep.e_snap.met ? "yes" : "no", rep.yield, rep.ci_lo, rep.ci_hi, out, out, out, out);
      ucl_mc_check *chk = malloc(sizeof(*chk));
      ucl_diag cd = {{0}};
      if (chk && rep.draws >= 4 &&
          ucl_mc_check_draws(ucl_tune_mc(t), rep.draws, UCL_MC_CHECK_SE, chk, &cd) == UCL_OK) {
        printf("Monte Carlo self-check (%s): %s%d of %d statistics within %g standard errors "
               "(the table in %s/tune.txt)\n",
               ucl_tune_distribution(t), chk->n_failed ? "FAILED: " : "",
               chk->n_rows - chk->n_failed, chk->n_rows, chk->n_se, out);
      }
      free(chk);
      const ucl_tune_fit *fit = ucl_tune_fit_of(t);
      if (fit) {
        printf("the yield includes the model uncertainty from %s (%d model parameters drawn)\n",
               fit->path, fit->n);
      }
    }
    if (st != UCL_OK) {
      (void)ucl_cli_fail("tune", st, &diag);
    }
  }
  code = ucl_cli_exit_code(st);
done:
  ucl_tune_destroy(&t);
  return ucl_cli_mpi_end("tune", &comm, code);
}
