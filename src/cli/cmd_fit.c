/* cmd_fit.c — `[mpirun -np N] uclif fit SPEC -o DIR [--set ...] [--quiet]`: calibrate the circuit
 * model from bench recordings and measured features, with uncertainty (docs/fit.md). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "uclif/fit.h"
#include "uclif/fit_run.h"
#include "uclif/fitreport.h"

static const ucl_cli_cmd command = {
    .name = "fit",
    .usage = "[mpirun -np N] uclif fit SPEC -o DIR [options]",
    .about =
        "Fit the free parameters of SPEC's circuit model ([fit.free]) to bench recordings\n"
        "([recording.NAME]: CSV files with a column map, units, gains, resolution and sample\n"
        "rate; the recorded input is replayed) and measured features ([fit.features]), for\n"
        "each model variant ([variant.NAME], e.g. the two SCR forms): Sobol points scored with\n"
        "the van Rossum spike distance, Subplex (NLopt), then Levenberg-Marquardt (GSL);\n"
        "95% intervals from the Jacobian at the optimum, correlations, a verdict per parameter\n"
        "(pinned, partly, not identified) with the protocol that would pin it, and the model\n"
        "comparison (AIC, BIC). Evaluations are shared out over the MPI ranks; the numbers are\n"
        "the same for any rank count. Writes DIR/fit.txt, DIR/parameters.csv (the uncertainty\n"
        "`uclif tune` can draw from), DIR/comparison.csv, DIR/overlay.csv, DIR/spikes.csv,\n"
        "DIR/fitted.ini (a spec with the fitted values) and DIR/fit.html (measured against\n"
        "fitted, with residuals); docs/fit.md.",
    .common = UCL_CLI_OUT_DIR | UCL_CLI_SET | UCL_CLI_QUIET,
    .out_help = "output directory (required; created if missing)",
    .set_help = "override a key of the base configuration (repeatable)",
    .quiet_help = "no progress and no summary",
    .operand = "SPEC",
    .operand_required = 1,
    .out_required = 1,
    .after = "exit status: 0 fitted; 1 a run failed or an output could not be written; 2 bad\n"
             "usage, a bad spec or bad recordings (file:line named; nothing is written)."};

static void show(const char *line, void *ctx) {
  (void)ctx;
  fprintf(stderr, "fit: %s\n", line);
}

int ucl_cmd_fit(int argc, char **argv) {
  ucl_cli_args a;
  ucl_cli_parser cp;
  const char *v = NULL;
  ucl_cli_begin(&cp, &command, argc, argv, &a, 1);
  int id = ucl_cli_next(&cp, &v);
  if (id < 0 && cp.exit == UCL_EXIT_OK) {
    return UCL_EXIT_OK; /* --help */
  }
  const char *spec = a.operand, *out = a.out;
  int quiet = a.quiet;
  ucl_diag diag = {{0}};
  ucl_comm *comm = NULL;
  if (ucl_comm_init(&argc, &argv, &comm, &diag) != UCL_OK) {
    ucl_cli_error("fit", "%s", diag.msg);
    return UCL_EXIT_RUN;
  }
  int rank = ucl_comm_rank(comm), size = ucl_comm_size(comm);
  int code = UCL_EXIT_OK;
  ucl_fit *f = NULL;
  if (id < 0) {
    if (rank == 0) {
      ucl_cli_flush(&cp);
    }
    code = cp.exit;
    goto done;
  }
  ucl_status lst = ucl_fit_load(spec, a.sets, a.n_sets, &f, &diag);
  lst = ucl_comm_agree(comm, lst, &diag);
  if (lst != UCL_OK) {
    if (rank == 0) {
      ucl_cli_error("fit", "%s", diag.msg);
    }
    code = ucl_cli_exit_code(lst);
    goto done;
  }
  if (rank == 0) {
    ucl_cli_warn_params("fit", &ucl_fit_variant_at(f, 0)->base);
  }
  if (rank == 0 && (lst = ucl_cli_mkdirs(out, &diag)) != UCL_OK) {
    code = ucl_cli_fail("fit", lst, &diag);
  }
  if (ucl_comm_bcast_int(comm, &code, 0, &diag) != UCL_OK) {
    ucl_cli_error("fit", "%s", diag.msg);
    code = UCL_EXIT_RUN;
  }
  if (code != UCL_EXIT_OK) {
    goto done;
  }
  ucl_fit_report rep;
  ucl_status st = ucl_fit_run(comm, f, out, quiet ? NULL : show, NULL, &rep, &diag);
  if (st == UCL_OK && rank == 0) {
    /* the page from the files just written (gnuplot; docs/outputs.md "The fit page") */
    st = ucl_fitreport_write(out, &diag);
  }
  st = ucl_comm_agree(comm, st, &diag);
  if (rank == 0) {
    if (!quiet && st == UCL_OK) {
      const ucl_fit_result *b = &rep.res[rep.best];
      const ucl_fit_variant *va = ucl_fit_variant_at(f, rep.best);
      printf("fit: %d variant(s), %d recording(s) on %d ranks in %.2f s (%ld evaluations)\n",
             rep.n_variants, ucl_fit_n_recordings(f), size, rep.wall_s, rep.evaluations);
      printf("preferred: %s (AIC %.6g)\n", va->name, b->aic);
      for (int j = 0; j < b->n_free; j++) {
        const ucl_fit_param *p = &va->free[j];
        printf("  %-28s %.6g %s  [%.4g, %.4g]  %s\n", p->name, b->value[j], p->unit, b->ci_lo[j],
               b->ci_hi[j], ucl_fit_verdict_name(b->verdict[j]));
      }
      double dof = (double)b->n - (double)b->n_free;
      if (dof > 0.0 && b->chi2 / dof > UCL_FIT_POOR) {
        fprintf(stderr,
                "uclif fit: warning: chi2/(n-k) = %.3g: the model does not follow these data, "
                "so the intervals describe a poor optimum, not the parameters; the search may "
                "have missed the best one (docs/fit.md \"Status\": more starts, local runs or "
                "max_evals in [fit], tighter bounds, fewer free parameters)\n",
                b->chi2 / dof);
        if (rep.n_variants > 1) {
          fprintf(stderr, "uclif fit: warning: so the model comparison says nothing either\n");
        }
      }
      printf("wrote %s/fit.txt, %s/parameters.csv, %s/comparison.csv, %s/overlay.csv, "
             "%s/spikes.csv, %s/fitted.ini, %s/fit.html\n",
             out, out, out, out, out, out, out);
    }
    if (st != UCL_OK) {
      (void)ucl_cli_fail("fit", st, &diag);
    }
  }
  code = ucl_cli_exit_code(st);
done:
  ucl_fit_destroy(&f);
  return ucl_cli_mpi_end("fit", &comm, code);
}
