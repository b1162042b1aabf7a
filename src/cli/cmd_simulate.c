/* cmd_simulate.c — `uclif simulate [SPEC] [-o DIR] [--set NAME=VALUE]... [--sample DT] ...`. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "uclif/network.h"
#include "uclif/params.h"
#include "uclif/sim.h"
#include "uclif/spec.h"
#include "uclif/units.h"

enum { OPT_SAMPLE = 1, OPT_MAX_SAMPLES, OPT_INTEGRATION };

static const ucl_cli_opt options[] = {
    {"sample", OPT_SAMPLE, "DT",
     "waveform sample interval in seconds (SI suffixes: 1u = 1 us);\n"
     "default 1u; 0 writes no waveform file. Rows are also written\n"
     "just before and after every event and stimulus edge."},
    {"max-samples", OPT_MAX_SAMPLES, "N",
     "refuse to keep more than N waveform rows (default 10000000)"},
    {"integration", OPT_INTEGRATION, "HOW",
     "networks only: auto (default), partitioned, relaxation or coupled"},
    {NULL, 0, NULL, NULL}};

static const ucl_cli_cmd command = {
    .name = "simulate",
    .usage = "uclif simulate [SPEC] [options]",
    .about =
        "Simulate one neuron configuration: the [circuit], [stimulus], [solver] and [noise]\n"
        "sections of the spec file SPEC (optional; see docs/spec.md; noise is off by default),\n"
        "then the --set overrides, on top of the defaults (`uclif params` lists them). Writes\n"
        "DIR/waveform.csv (sampled node voltages and currents) and DIR/events.csv (every SCR\n"
        "latch/unlatch with its exact time); columns in docs/outputs.md. A summary goes to\n"
        "standard output.\n\n"
        "A spec with network sections ([neuron.NAME], [synapse.NAME], [layers], [recurrent];\n"
        "docs/spec.md) simulates the network: DIR/events.csv (every spike: t_s, neuron),\n"
        "DIR/neurons.csv (spikes, rates, energies per neuron) and, with --sample,\n"
        "DIR/waveform.csv with the columns NEURON.CHANNEL. --set NEURON.KEY=VALUE and\n"
        "SYNAPSE.R=VALUE change one of them.",
    .common = UCL_CLI_OUT_DIR | UCL_CLI_SET | UCL_CLI_QUIET,
    .out_help = "output directory (created if missing); default '.'",
    .set_help = "set a parameter (repeatable), e.g. --set R1=47k --set neuron=type2",
    .quiet_help = "no summary and no progress line (shown on a terminal only)",
    .opts = options,
    .operand = "SPEC",
    .after = "exit status: 0 success; 1 the run failed (solver error, chattering, step limit: the\n"
             "files then hold everything up to the failure and the message says why) or an\n"
             "output could not be written; 2 bad usage or bad input (nothing is written)."};

/* A progress line on a terminal, redrawn at most twice a second. */
static int show_progress(void *ctx, double t, double t_end) {
  ucl_cli_progress *ps = ctx;
  if (ucl_cli_progress_due(&ps->last)) {
    fprintf(stderr, "\rsimulating: t = %.6g s of %.6g s (%3.0f%%)", t, t_end, 100.0 * t / t_end);
    fflush(stderr);
    ps->shown = 1;
  }
  return 0;
}

static void summary(const ucl_params *p, const ucl_trace *tr, const char *wpath,
                    const char *epath) {
  const ucl_solver_stats *s = ucl_trace_stats_const(tr);
  char neuron[16];
  ucl_params_format(p, ucl_params_find("neuron"), neuron, sizeof(neuron));
  char kind[16];
  ucl_params_format(p, ucl_params_find("kind"), kind, sizeof(kind));
  long spikes = ucl_sim_spike_count(tr);
  char form[32] = "";
  if (p->circuit.neuron != UCL_NEURON_MOTT) {
    char f[24];
    ucl_params_format(p, ucl_params_find("scr.model"), f, sizeof(f));
    snprintf(form, sizeof(form), " (SCR %s)", f);
  }
  printf("neuron %s%s at %.6g K, stimulus %s, %.6g s simulated (of %.6g s)\n", neuron, form,
         p->circuit.temp, kind, ucl_trace_t_reached(tr), p->stim.duration);
  printf("spikes: %ld", spikes);
  for (size_t i = 0; i < ucl_trace_n_events(tr); i++) {
    if (ucl_trace_event(tr, i)->kind == UCL_EVENT_LATCH) {
      printf(" (first latch at %.9g s)", ucl_trace_event(tr, i)->t);
      break;
    }
  }
  printf("\n");
  for (int k = 0; k < ucl_trace_n_quads(tr); k++) {
    printf("%s: %.6g\n", ucl_trace_quad_name(tr, k), ucl_trace_quad(tr, k));
  }
  printf("solver: %ld steps, %ld rhs evaluations, %ld jacobians, %ld restarts, %ld error-test "
         "failures, %ld newton failures\n",
         s->steps, s->rhs_evals, s->jac_evals, s->reinits, s->err_test_fails, s->nonlin_fails);
  if (wpath) {
    printf("wrote %s (%zu rows)\n", wpath, ucl_trace_n_samples(tr));
  }
  printf("wrote %s (%zu events)\n", epath, ucl_trace_n_events(tr));
}

int ucl_cmd_simulate(int argc, char **argv) {
  ucl_cli_args a;
  ucl_cli_parser cp;
  double sample_dt = 1e-6;
  int sample_given = 0, integration = 0, integration_given = 0;
  long max_samples = 10000000;
  ucl_diag diag = {{0}};
  const char *v = NULL;
  int id;
  ucl_cli_begin(&cp, &command, argc, argv, &a, 0);
  while ((id = ucl_cli_next(&cp, &v)) > 0) {
    switch (id) {
    case OPT_SAMPLE:
      if (ucl_units_parse(v, "s", &sample_dt, &diag) != UCL_OK || sample_dt < 0) {
        ucl_cli_bad_value(&cp, "%s", diag.msg[0] ? diag.msg : "must be >= 0");
      }
      sample_given = 1;
      break;
    case OPT_MAX_SAMPLES:
      if (ucl_units_parse_long(v, 1, 1000000000L, &max_samples, &diag) != UCL_OK) {
        ucl_cli_bad_value(&cp, "%s", diag.msg);
      }
      break;
    case OPT_INTEGRATION:
      if (ucl_net_integration_parse(v, &integration) != 0) {
        ucl_cli_bad_value(&cp, "expected auto, partitioned, relaxation or coupled");
      }
      integration_given = 1;
      break;
    default:
      break;
    }
  }
  if (id < 0) {
    return cp.exit;
  }
  if (!a.out) {
    a.out = ".";
  }
  const char *spec = a.operand, *out_dir = a.out;
  int quiet = a.quiet;
  int network = ucl_cli_is_network_spec(spec);
  if (integration_given && !network) {
    return ucl_cli_usage_error(&cp, "--integration applies to network specs only (docs/spec.md)");
  }
  if (network) {
    /* networks write no waveforms unless asked: one column per neuron and channel */
    return ucl_cli_run_network("simulate", &a, sample_given ? sample_dt : 0.0, max_samples,
                               integration, NULL);
  }

  ucl_params p;
  ucl_status st = ucl_spec_load_config(spec, a.sets, a.n_sets, &p, &diag);
  if (st != UCL_OK) {
    return ucl_cli_fail("simulate", st, &diag);
  }
  ucl_cli_warn_params("simulate", &p);
  if (sample_dt > 0.0 && p.stim.duration / sample_dt > (double)max_samples) {
    return ucl_cli_usage_error(
        &cp, "--sample %g s over %g s gives more than --max-samples %ld rows; sample less densely",
        sample_dt, p.stim.duration, max_samples);
  }
  st = ucl_cli_mkdirs(out_dir, &diag);
  if (st != UCL_OK) {
    return ucl_cli_fail("simulate", st, &diag);
  }
  size_t n = strlen(out_dir) + 32;
  char *wpath = malloc(n), *epath = malloc(n);
  ucl_trace *tr = NULL;
  int code = UCL_EXIT_OK;
  if (!wpath || !epath) {
    ucl_cli_error("simulate", "out of memory");
    code = ucl_cli_exit_code(UCL_ERR_NOMEM);
    goto cleanup;
  }
  snprintf(wpath, n, "%s/waveform.csv", out_dir);
  snprintf(epath, n, "%s/events.csv", out_dir);

  ucl_cli_progress ps = {{0, 0}, 0};
  clock_gettime(CLOCK_MONOTONIC, &ps.last);
  int tty = isatty(STDERR_FILENO) && !quiet;
  ucl_sim_opts so = {.sample_dt = sample_dt,
                     .sample_edges = sample_dt > 0.0,
                     .max_samples = (size_t)max_samples,
                     .progress = tty ? show_progress : NULL,
                     .progress_ctx = &ps};
  ucl_diag run_diag = {{0}};
  st = ucl_sim_run(&p, &so, &tr, &run_diag);
  if (ps.shown) {
    fprintf(stderr, "\r%60s\r", "");
  }
  if (!tr) {
    ucl_cli_error("simulate", "%s", run_diag.msg);
    code = ucl_cli_exit_code(st);
    goto cleanup;
  }
  ucl_diag io_diag = {{0}};
  ucl_status wst = ucl_sim_write_csv(tr, sample_dt > 0.0 ? wpath : NULL, epath, &io_diag);
  if (wst != UCL_OK) {
    ucl_cli_error("simulate", "%s", io_diag.msg);
    code = ucl_cli_exit_code(wst);
    goto cleanup;
  }
  if (!quiet) {
    summary(&p, tr, sample_dt > 0.0 ? wpath : NULL, epath);
  }
  if (st != UCL_OK) {
    ucl_cli_error("simulate", "run failed (%s): %s; the files hold the run up to t=%.9g s",
                  ucl_status_name(st), run_diag.msg, ucl_trace_t_reached(tr));
    code = ucl_cli_exit_code(st);
  }
cleanup:
  ucl_trace_destroy(&tr);
  free(wpath);
  free(epath);
  return code;
}
