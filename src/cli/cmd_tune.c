/* cmd_tune.c — `[mpirun -np N] uclif tune SPEC -o DIR [--quiet]`: target features to E-series
 * component values, a BOM and the Monte Carlo yield of the tolerances. */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "uclif/tune.h"
#include "uclif/tune_run.h"

static void help(void) {
  printf("usage: [mpirun -np N] uclif tune SPEC -o DIR [--quiet]\n\n"
         "Find E-series values for the free components of SPEC (docs/spec.md, Tuning) that meet\n"
         "its target features: a seeded Nelder-Mead search in log space within the bounds,\n"
         "then every E-series floor/ceil combination around its optimum (a coordinate search\n"
         "for more than 6 free parts), then a Monte Carlo analysis of the snapped design under\n"
         "the component tolerances (at least 1000 draws): the yield with its 95%% interval,\n"
         "each feature's spread and the worst draws. All evaluations are shared out over the\n"
         "MPI ranks; the numbers are the same for any rank count. Writes DIR/bom.csv,\n"
         "DIR/tune.txt (the report), DIR/draws.csv and DIR/design.cir (ngspice netlist);\n"
         "columns in docs/outputs.md.\n\n"
         "exit status: 0 the snapped design meets every target; 1 it does not (the message\n"
         "names the targets it misses; the files hold the closest design) or a run failed;\n"
         "2 bad usage or a bad spec (nothing is written).\n");
}

static void show(const char *line, void *ctx) {
  (void)ctx;
  fprintf(stderr, "tune: %s\n", line);
}

int ucl_cmd_tune(int argc, char **argv) {
  const char *spec = NULL, *out = NULL, *v = NULL;
  int quiet = 0, usage_error = 0;
  for (int i = 1; i < argc && !usage_error; i++) {
    int m;
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      help();
      return UCL_EXIT_OK;
    } else if ((m = ucl_cli_option(argc, argv, &i, "-o", &v)) != 0) {
      usage_error = m < 0;
      out = v;
    } else if (strcmp(argv[i], "--quiet") == 0) {
      quiet = 1;
    } else if (argv[i][0] == '-' || spec) {
      usage_error = 1;
    } else {
      spec = argv[i];
    }
  }
  MPI_Init(&argc, &argv);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int code = UCL_EXIT_OK;
  ucl_tune *t = NULL;
  ucl_diag diag = {{0}};
  if (usage_error || !spec || !out) {
    if (rank == 0) {
      ucl_cli_error("tune", "usage: uclif tune SPEC -o DIR [--quiet] (see --help)");
    }
    code = UCL_EXIT_USAGE;
    goto done;
  }
  if (ucl_tune_load(spec, &t, &diag) != UCL_OK) {
    if (rank == 0) {
      ucl_cli_error("tune", "%s", diag.msg);
    }
    code = UCL_EXIT_USAGE;
    goto done;
  }
  if (rank == 0 && ucl_cli_mkdirs(out) != 0) {
    ucl_cli_error("tune", "cannot create output directory '%s'", out);
    code = UCL_EXIT_USAGE;
  }
  MPI_Bcast(&code, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (code != UCL_EXIT_OK) {
    goto done;
  }
  ucl_tune_report rep;
  ucl_status st = ucl_tune_run(MPI_COMM_WORLD, t, out, quiet ? NULL : show, NULL, &rep, &diag);
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
    }
    if (st != UCL_OK) {
      ucl_cli_error("tune", "%s", diag.msg);
    }
  }
  code = st == UCL_OK ? UCL_EXIT_OK : UCL_EXIT_RUN;
done:
  ucl_tune_destroy(&t);
  MPI_Bcast(&code, 1, MPI_INT, 0, MPI_COMM_WORLD);
  MPI_Finalize();
  return code;
}
