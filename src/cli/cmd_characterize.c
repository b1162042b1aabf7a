/* cmd_characterize.c — `uclif characterize [SPEC] [--set NAME=VALUE]... [--out DIR]`. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "uclif/csvio.h"
#include "uclif/network.h"
#include "uclif/protocols.h"
#include "uclif/results.h"
#include "uclif/spec.h"

static void help(void) {
  printf(
      "usage: uclif characterize [SPEC] [options]\n\n"
      "Characterize one neuron configuration: firing threshold (pulse train of the spec's width\n"
      "and period), DC rheobase, the f-A curve, the leak and refractory time constants,\n"
      "adaptation (type II) and the energy per spike. The configuration comes from the\n"
      "[circuit], [stimulus] and [solver] sections of SPEC and the --set overrides; the\n"
      "procedures from its [characterize] section (docs/spec.md). Writes DIR/points.csv (one\n"
      "row) and DIR/rate_curves.csv (one row per amplitude); columns in docs/outputs.md,\n"
      "definitions in docs/features.md.\n\n"
      "A network spec (docs/spec.md, Networks) is simulated once for its duration and every\n"
      "neuron characterized from its spike train: DIR/neurons.csv (rates, first-ISI and steady\n"
      "rates, adaptation indices and time constant, energies) and DIR/events.csv.\n\n"
      "options:\n"
      "  --set NAME=VALUE  set a parameter (repeatable)\n"
      "  --out DIR         output directory (created if missing); default '.'\n"
      "  --quiet           no summary\n"
      "  --help            this text\n\n"
      "exit status: 0 success; 1 a procedure failed (the row says which and why, the rest is\n"
      "written); 2 bad usage or bad input (nothing is written).\n");
}

static void print_value(const char *name, double v, const char *unit) {
  if (isnan(v)) {
    printf("  %-22s -\n", name);
  } else {
    printf("  %-22s %.6g %s\n", name, v, unit);
  }
}

static void summary(const ucl_char_result *r, const char *pdir) {
  printf("threshold: %s", ucl_search_status_name(r->threshold.status));
  if (r->threshold.status == UCL_SEARCH_OK) {
    printf(", %.6g V (bracket %.6g .. %.6g V, %d simulations)", r->threshold.value, r->threshold.lo,
           r->threshold.hi, r->threshold.sims);
  }
  printf("\nDC rheobase: %s", ucl_search_status_name(r->rheobase.status));
  if (r->rheobase.status == UCL_SEARCH_OK) {
    printf(", %.6g V (%d simulations)", r->rheobase.value, r->rheobase.sims);
  }
  printf("\n");
  print_value("V_mem at threshold", r->threshold.v_latch, "V");
  print_value("tau_leak (junction off)", r->tau_leak_off_s, "s");
  print_value("tau_leak (junction on)", r->tau_leak_on_s, "s");
  print_value("tau_ref", r->tau_ref_s, "s");
  print_value("spike duration", r->spike_duration_s, "s");
  print_value("tau_adapt", r->adapt.tau_s, "s");
  print_value("adapt r0", r->adapt.r0_Hz, "Hz");
  print_value("adapt r_inf", r->adapt.rinf_Hz, "Hz");
  print_value("rate at reference", r->ref.rate_mean_Hz, "Hz");
  print_value("energy per spike", r->e_per_spike_J, "J");
  print_value("paper estimate C*A^2/2", r->e_paper_J, "J");
  printf(
      "%ld simulations, %ld steps\nwrote %s/points.csv and %s/rate_curves.csv (%zu amplitudes)\n",
      r->sims, r->stats.steps, pdir, pdir, r->n_curve);
}

/* Write both CSVs (temporary files, renamed when both are complete). */
static ucl_status write_outputs(const char *dir, const ucl_params *p, const ucl_char_result *r,
                                ucl_diag *diag) {
  char pp[4096], cp[4096];
  snprintf(pp, sizeof(pp), "%s/points.csv", dir);
  snprintf(cp, sizeof(cp), "%s/rate_curves.csv", dir);
  int np, nc;
  const char *const *pc = ucl_results_point_columns(&np);
  const char *const *cc = ucl_results_curve_columns(&nc);
  ucl_csv_writer *wp = NULL, *wc = NULL;
  ucl_status st = ucl_csv_open(pp, pc, np, &wp, diag);
  if (st == UCL_OK) {
    st = ucl_results_write_point(wp, 0, p, r, diag);
  }
  if (st == UCL_OK) {
    st = ucl_csv_open(cp, cc, nc, &wc, diag);
  }
  if (st == UCL_OK) {
    st = ucl_results_write_curve(wc, 0, r, diag);
  }
  if (st == UCL_OK) {
    st = ucl_csv_commit(&wp, diag);
  }
  if (st == UCL_OK) {
    st = ucl_csv_commit(&wc, diag);
  }
  ucl_csv_abort(&wp);
  ucl_csv_abort(&wc);
  return st;
}

int ucl_cmd_characterize(int argc, char **argv) {
  ucl_cli_common a = {.out_dir = "."};
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      help();
      return UCL_EXIT_OK;
    }
    int m = ucl_cli_common_arg("characterize", argc, argv, &i, &a);
    if (m < 0) {
      return UCL_EXIT_USAGE;
    }
    if (m == 0) {
      ucl_cli_error("characterize", "unknown option '%s' (see --help)", argv[i]);
      return UCL_EXIT_USAGE;
    }
  }
  const char *spec = a.spec, *out_dir = a.out_dir;
  int quiet = a.quiet;
  if (ucl_cli_is_network_spec(spec)) {
    /* a network: every neuron's spike train, rates, adaptation and energy (neurons.csv) */
    return ucl_cli_run_network("characterize", &a, 0.0, 1, UCL_NET_AUTO);
  }
  ucl_params p;
  ucl_char_config cfg;
  ucl_diag diag = {{0}};
  if (ucl_spec_load_config(spec, a.sets, a.n_sets, &p, &diag) != UCL_OK) {
    ucl_cli_error("characterize", "%s", diag.msg);
    return UCL_EXIT_USAGE;
  }
  if (ucl_spec_load_char_config(spec, &cfg, &diag) != UCL_OK) {
    ucl_cli_error("characterize", "%s", diag.msg);
    return UCL_EXIT_USAGE;
  }
  int code = UCL_EXIT_OK;
  ucl_char_result r;
  memset(&r, 0, sizeof(r));
  if (ucl_cli_mkdirs(out_dir) != 0) {
    ucl_cli_error("characterize", "cannot create output directory '%s': %s", out_dir,
                  strerror(errno));
    code = UCL_EXIT_USAGE;
    goto cleanup;
  }
  ucl_status st = ucl_characterize(&p, &cfg.opts, &r, &diag);
  if (st != UCL_OK) {
    ucl_cli_error("characterize", "%s", diag.msg);
    code = ucl_cli_exit_code(st);
    goto cleanup;
  }
  st = write_outputs(out_dir, &p, &r, &diag);
  if (st != UCL_OK) {
    ucl_cli_error("characterize", "%s", diag.msg);
    code = UCL_EXIT_RUN;
    goto cleanup;
  }
  if (!quiet) {
    summary(&r, out_dir);
  }
  if (r.status != UCL_OK) {
    ucl_cli_error("characterize", "%s (%s)", r.reason, ucl_status_name(r.status));
    code = UCL_EXIT_RUN;
  }
cleanup:
  ucl_char_result_free(&r);
  ucl_char_config_free(&cfg);
  return code;
}
