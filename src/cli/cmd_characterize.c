/* cmd_characterize.c — `uclif characterize [SPEC] [-o DIR] [--set NAME=VALUE]... [--quiet]`. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "uclif/csvio.h"
#include "uclif/datasheet.h"
#include "uclif/network.h"
#include "uclif/numeric.h"
#include "uclif/protocols.h"
#include "uclif/results.h"
#include "uclif/sched.h"
#include "uclif/spec.h"
#include "uclif/units.h"

enum { OPT_TEMPCO = 1, OPT_CURVE_TRACER, OPT_POINT_TIMEOUT, OPT_PERIODS, OPT_NO_DATASHEET };

#define MAX_PERIODS 64

static const ucl_cli_opt options[] = {
    {"tempco", OPT_TEMPCO, "DT",
     "also measure the temperature coefficients of the threshold, rheobase,\n"
     "tau_leak and reference rate by a central difference at temp +- DT (K);\n"
     "overrides [characterize] tempco"},
    {"curve-tracer", OPT_CURVE_TRACER, NULL,
     "also measure the SCR's I_GT, I_H and I_L on the simulated curve tracer\n"
     "(the same as [characterize] curve_tracer = on)"},
    {"point-timeout", OPT_POINT_TIMEOUT, "S",
     "wall-time limit in seconds (SI suffixes allowed), as in `uclif sweep`:\n"
     "past it every run stops, the row's status is 'limit' (exit 1)"},
    {"periods", OPT_PERIODS, "VALUES",
     "pulse periods (s) at which the datasheet's threshold-against-period is\n"
     "searched (a value set: '50u, 100u, 200u' or log(20u, 1m, 6)); default: the\n"
     "spec's period times 0.5, 1, 2 and 4 (those its pulse fits in); 'off' skips it"},
    {"no-datasheet", OPT_NO_DATASHEET, NULL,
     "write the CSVs only: points.csv, rate_curves.csv and, with --periods,\n"
     "threshold_period.csv; no fits.csv and no DIR/datasheet/ (an earlier run's\n"
     "datasheet folder is removed: the files uclif writes there, and the folder\n"
     "when nothing else is in it)"},
    {NULL, 0, NULL, NULL}};

static const ucl_cli_cmd command = {
    .name = "characterize",
    .usage = "[mpirun -np N] uclif characterize [SPEC] [options]",
    .about =
        "Characterize one neuron configuration: firing threshold (pulse train of the spec's width\n"
        "and period), DC rheobase, the f-A curve, the leak and refractory time constants,\n"
        "adaptation (type II) and the energy per spike; with `curve_tracer = on` in\n"
        "[characterize], the SCR's I_GT, I_H and I_L on a simulated curve tracer. The\n"
        "configuration comes from the [circuit], [stimulus], [solver] and [noise] sections of\n"
        "SPEC and the --set overrides; the procedures from its [characterize] section\n"
        "(docs/spec.md).\n"
        "Writes DIR/points.csv (one row) and DIR/rate_curves.csv (one row per amplitude),\n"
        "DIR/threshold_period.csv (the threshold at each --periods value) and DIR/fits.csv\n"
        "(the samples of the leak and refractory fits), DIR/probability.csv (firing\n"
        "probability against amplitude, with [characterize] trials = N and noise on), then\n"
        "the one-page datasheet DIR/datasheet/index.html (gnuplot draws its plots); columns\n"
        "in docs/outputs.md, definitions in docs/features.md.\n\n"
        "A network spec (docs/spec.md, Networks) is simulated once for its duration and every\n"
        "neuron characterized from its spike train: DIR/neurons.csv (rates, first-ISI and steady\n"
        "rates, adaptation indices and time constant, energies) and DIR/events.csv.\n\n"
        "Under mpirun the firing probability's trials are shared out over the ranks (every rank\n"
        "runs the rest; rank 0 prints and writes): the same files for any rank count.\n\n"
        "Progress goes to stderr: an updating line on a terminal, a line a minute in a log.",
    .common = UCL_CLI_OUT_DIR | UCL_CLI_SET | UCL_CLI_QUIET,
    .out_help = "output directory (created if missing); default '.'",
    .set_help = "set a parameter (repeatable)",
    .quiet_help = "no summary and no progress",
    .opts = options,
    .operand = "SPEC",
    .after =
        "exit status: 0 success; 1 a procedure failed (the row says which and why, the rest is\n"
        "written) or an output could not be written; 2 bad usage or bad input (nothing is\n"
        "written)."};

/* ucl_char_opts.progress: the procedure, the simulation and its simulated time, paced by the
 * ticker. */
static void show_progress(void *ctx, const ucl_char_progress *w) {
  ucl_cli_ticker *tk = ctx;
  double el = ucl_cli_ticker_due(tk);
  if (el < 0.0) {
    return;
  }
  char text[160];
  if (w->trials > 0) { /* "probability": which noise trial */
    snprintf(text, sizeof(text), "%s, trial %ld of %ld, simulation %ld (t = %.3g of %.3g s)",
             w->procedure, w->trial, w->trials, w->sims, w->t, w->t_end);
  } else {
    snprintf(text, sizeof(text), "%s, simulation %ld (t = %.3g of %.3g s)", w->procedure, w->sims,
             w->t, w->t_end);
  }
  ucl_cli_ticker_print(tk, text, el);
}

static double monotonic_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void print_value(const char *name, double v, const char *unit) {
  if (isnan(v)) {
    printf("  %-22s -\n", name);
  } else {
    printf("  %-22s %.6g %s\n", name, v, unit);
  }
}

static void summary(const ucl_params *p, const ucl_char_result *r, const char *pdir, int ranks) {
  char neuron[16], form[24];
  ucl_params_format(p, ucl_params_find("neuron"), neuron, sizeof(neuron));
  ucl_params_format(p, ucl_params_find("scr.model"), form, sizeof(form));
  printf("neuron %s%s%s at %.6g K\n", neuron, p->circuit.neuron != UCL_NEURON_MOTT ? ", SCR " : "",
         p->circuit.neuron != UCL_NEURON_MOTT ? form : "", p->circuit.temp);
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
  print_value("reset voltage", r->v_reset, "V");
  print_value("tau_adapt", r->adapt.tau_s, "s");
  print_value("adapt r0", r->adapt.r0_Hz, "Hz");
  print_value("adapt r_inf", r->adapt.rinf_Hz, "Hz");
  print_value("rate at reference", r->ref.rate_mean_Hz, "Hz");
  print_value("energy per spike", r->e_per_spike_J, "J");
  print_value("paper estimate C*A^2/2", r->e_paper_J, "J");
  print_value("standby power at rest", r->p_standby_W, "W");
  print_value("energy per spike, dyn.", r->e_dynamic_per_spike_J, "J");
  if (r->tracer.gt_status != UCL_TRACER_SKIPPED) { /* [characterize] curve_tracer = on */
    print_value("curve tracer I_GT", r->tracer.I_GT_A, "A");
    print_value("curve tracer I_H", r->tracer.I_H_A, "A");
    print_value("curve tracer I_L", r->tracer.I_L_A, "A");
  }
  if (r->prob_trials > 0) {
    if (ranks > 1) {
      printf("firing probability (%ld trials per amplitude, over %d ranks):\n", r->prob_trials,
             ranks);
    } else {
      printf("firing probability (%ld trials per amplitude):\n", r->prob_trials);
    }
    print_value("noise-free threshold", r->thr_noiseless.value, "V");
    print_value("50 % point A50", r->p50_V, "V");
    if (isfinite(r->p50_V)) {
      printf("  %-22s %.6g .. %.6g V\n", "A50 95 % interval", r->p50_lo_V, r->p50_hi_V);
    }
    print_value("width w", r->p50_width_V, "V");
    print_value("jitter near A50", r->p50_jitter_s, "s");
    print_value("ISI CV near A50", r->p50_isi_cv, "");
  }
  if (isfinite(r->tempco_dT_K)) {
    printf("temperature coefficients (central difference, dT = %g K):\n", r->tempco_dT_K);
    print_value("d(threshold)/dT", r->dthreshold_dT_V_per_K, "V/K");
    print_value("d(rheobase)/dT", r->drheobase_dT_V_per_K, "V/K");
    print_value("d(tau_leak off)/dT", r->dtau_leak_off_dT_s_per_K, "s/K");
    print_value("d(tau_leak on)/dT", r->dtau_leak_on_dT_s_per_K, "s/K");
    print_value("d(rate at reference)/dT", r->dref_rate_dT_Hz_per_K, "Hz/K");
  }
  printf("%ld simulations, %ld steps\nwrote %s/points.csv and %s/rate_curves.csv (%zu amplitudes)",
         r->sims, r->stats.steps, pdir, pdir, r->n_curve);
  if (r->n_thr_period > 0) {
    printf(", threshold_period.csv (%zu periods)", r->n_thr_period);
  }
  if (r->fits[0].n + r->fits[1].n + r->fits[2].n > 0) {
    printf(", fits.csv");
  }
  if (r->n_prob > 0) {
    printf(", probability.csv (%zu amplitudes x %ld trials)", r->n_prob, r->prob_trials);
  }
  printf("\n");
}

/* The CSVs `characterize` writes. */
enum { NOUT = 5 };

/* Write the CSVs (temporary files, renamed when all are complete): points.csv and
 * rate_curves.csv, and threshold_period.csv, fits.csv and probability.csv when the result holds
 * them (a stale copy of any from an earlier run is removed first, so DIR never mixes two runs). */
static ucl_status write_outputs(const char *dir, const ucl_params *p, const ucl_char_result *r,
                                ucl_diag *diag) {
  char path[NOUT][4096];
  static const char *const names[NOUT] = {"points.csv", "rate_curves.csv", "threshold_period.csv",
                                          "fits.csv", "probability.csv"};
  for (int k = 0; k < NOUT; k++) {
    snprintf(path[k], sizeof(path[k]), "%s/%s", dir, names[k]);
  }
  int has_fits = r->fits[0].n + r->fits[1].n + r->fits[2].n > 0;
  int want[NOUT] = {1, 1, r->n_thr_period > 0, has_fits, r->n_prob > 0};
  ucl_csv_writer *w[NOUT] = {NULL, NULL, NULL, NULL, NULL};
  const ucl_table *t[NOUT] = {ucl_results_points_table(), ucl_results_curves_table(),
                              ucl_results_period_table(), ucl_results_fits_table(),
                              ucl_results_prob_table()};
  ucl_status st = UCL_OK;
  for (int k = 0; k < NOUT && st == UCL_OK; k++) {
    if (want[k]) {
      st = ucl_table_open(t[k], path[k], &w[k], diag);
    }
  }
  if (st == UCL_OK) {
    st = ucl_results_write_point(w[0], 0, p, r, diag);
  }
  if (st == UCL_OK) {
    st = ucl_results_write_curve(w[1], 0, r, diag);
  }
  if (st == UCL_OK && w[2]) {
    st = ucl_results_write_periods(w[2], r, diag);
  }
  if (st == UCL_OK && w[3]) {
    st = ucl_results_write_fits(w[3], r, diag);
  }
  if (st == UCL_OK && w[4]) {
    st = ucl_results_write_prob(w[4], r, diag);
  }
  for (int k = 2; k < NOUT && st == UCL_OK; k++) {
    if (!want[k] && remove(path[k]) != 0 && errno != ENOENT) {
      st = ucl_diag_set(diag, UCL_ERR_IO, "%s: cannot remove the earlier run's file: %s", path[k],
                        strerror(errno));
    }
  }
  if (st == UCL_OK) { /* the files appear together, or none */
    ucl_csv_writer *ws[NOUT];
    int n = 0;
    for (int k = 0; k < NOUT; k++) {
      if (w[k]) {
        ws[n++] = w[k];
        w[k] = NULL;
      }
    }
    st = ucl_csv_commit_all(ws, (size_t)n, diag);
  }
  for (int k = 0; k < NOUT; k++) {
    ucl_csv_abort(&w[k]);
  }
  return st;
}

/* Where docs/features.md is for the datasheet's links: installed, else the source tree; NULL
 * when neither has it. */
static const char *docs_base(void) {
  static const char *const dirs[] = {UCL_DOCS_INSTALLED, UCL_DOCS_SOURCE};
  for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
    char path[4096];
    snprintf(path, sizeof(path), "%sfeatures.md", dirs[i]);
    if (access(path, R_OK) == 0) {
      return dirs[i];
    }
  }
  return NULL;
}

/* The options of one run, parsed. */
typedef struct char_args {
  ucl_cli_args a;
  double tempco;  /* K; < 0: not given */
  double timeout; /* s; 0: none */
  int curve_tracer, datasheet, periods_off;
  double periods[MAX_PERIODS];
  size_t n_periods;
} char_args;

/* Under mpirun: the communicator, this rank and whether it is rank 0 (which alone prints and
 * writes); alone: NULL, 0, 1. */
typedef struct char_ranks {
  ucl_comm *comm;
  int rank, size, lead;
} char_ranks;

/* ucl_char_batch_fn over the ranks (ctx: the communicator): ucl_sched_batch, once every rank is
 * known to ask for the same batch (a rank whose --point-timeout passed in the noise-free
 * threshold search may have no trials to run while the others have: refused on all of them,
 * rather than a batch that never completes). Collective. */
static ucl_status rank_batch(void *ctx, long n, int width, ucl_char_eval_fn eval, void *eval_ctx,
                             double *results, ucl_diag *diag) {
  ucl_comm *comm = ctx;
  int part[2] = {(int)(n >> 30), (int)(n & ((1L << 30) - 1))}; /* n in two ints */
  for (int k = 0; k < 2; k++) {
    ucl_status st = ucl_comm_bcast_int(comm, &part[k], 0, diag);
    if (st != UCL_OK) {
      return st;
    }
  }
  long n0 = ((long)part[0] << 30) | (long)part[1];
  ucl_status local = UCL_OK;
  if (n0 != n) {
    local = ucl_diag_set(diag, UCL_ERR_LIMIT,
                         "rank %d has %ld trials to run, rank 0 %ld: the wall-time limit "
                         "(--point-timeout) passed on one of them before the trials",
                         ucl_comm_rank(comm), n, n0);
  }
  local = ucl_comm_agree(comm, local, diag);
  if (local != UCL_OK) {
    return local;
  }
  return ucl_sched_batch(comm, n, width, eval, eval_ctx, results, diag);
}

/* Print the failure on rank 0; its exit code on every rank. */
static int fail_lead(const char_ranks *rk, ucl_status st, const ucl_diag *diag) {
  return rk->lead ? ucl_cli_fail("characterize", st, diag) : ucl_cli_exit_code(st);
}

/* On rank 0 and alone, 'code' (its own when rank 0 failed here); under mpirun, rank 0's code on
 * every rank (for a step only rank 0 takes: making DIR, checking its datasheet folder).
 * Collective. */
static int agree_code(const char_ranks *rk, int code) {
  ucl_diag d = {{0}};
  if (rk->comm && ucl_comm_bcast_int(rk->comm, &code, 0, &d) != UCL_OK) {
    if (rk->lead) {
      ucl_cli_error("characterize", "%s", d.msg);
    }
    return UCL_EXIT_RUN;
  }
  return code;
}

/* One single-neuron characterization (or a network's, on rank 0). Under mpirun every rank runs
 * all of it, the same numbers on each (every procedure is a pure function of the spec), and the
 * firing probability's trials are shared out (rank_batch); rank 0 alone writes and prints. */
static int characterize(ucl_cli_parser *cp, char_args *ca, const char_ranks *rk) {
  ucl_cli_args *a = &ca->a;
  double tempco = ca->tempco, timeout = ca->timeout;
  int curve_tracer = ca->curve_tracer, datasheet = ca->datasheet, periods_off = ca->periods_off;
  double *periods = ca->periods;
  size_t n_periods = ca->n_periods;
  if (!a->out) {
    a->out = ".";
  }
  const char *spec = a->operand, *out_dir = a->out;
  int quiet = a->quiet || !rk->lead;
  if (ucl_cli_is_network_spec(spec)) {
    if (tempco > 0.0 || curve_tracer || timeout > 0.0 || n_periods > 0) {
      return ucl_cli_usage_error(cp, "--%s applies to single-neuron specs only",
                                 tempco > 0.0   ? "tempco"
                                 : curve_tracer ? "curve-tracer"
                                 : n_periods    ? "periods"
                                                : "point-timeout");
    }
    /* a network: every neuron's spike train, rates, adaptation and energy (neurons.csv); over
     * the ranks by waveform relaxation */
    return ucl_cli_run_network("characterize", a, 0.0, 1, UCL_NET_AUTO, rk->comm);
  }
  ucl_params p;
  ucl_char_config cfg;
  ucl_diag diag = {{0}};
  ucl_status st = ucl_spec_load_config(spec, a->sets, a->n_sets, &p, &diag);
  if (st != UCL_OK) {
    return fail_lead(rk, st, &diag);
  }
  if (rk->lead) {
    ucl_cli_warn_params("characterize", &p);
  }
  st = ucl_spec_load_char_config(spec, &cfg, &diag);
  if (st != UCL_OK) {
    return fail_lead(rk, st, &diag);
  }
  st = ucl_spec_check_trials(spec, &cfg, &p, &diag); /* before any work */
  if (st != UCL_OK) {
    ucl_char_config_free(&cfg);
    return fail_lead(rk, st, &diag);
  }
  if (tempco > 0.0) {
    cfg.opts.tempco_dT = tempco;
  }
  if (curve_tracer) {
    cfg.opts.curve_tracer = UCL_ON;
  }
  int code = UCL_EXIT_OK;
  if (cfg.opts.tempco_dT > 0.0 && !(cfg.opts.tempco_dT < p.circuit.temp)) {
    /* checked before any work: temp − dT must be a temperature */
    if (tempco > 0.0) {
      code = ucl_cli_usage_error(cp, "--tempco %g K must be below temp (%g K)", tempco,
                                 p.circuit.temp);
    } else {
      if (rk->lead) {
        ucl_cli_error("characterize", "%s: tempco = %g K must be below temp (%g K)",
                      spec ? spec : "[characterize]", cfg.opts.tempco_dT, p.circuit.temp);
      }
      code = UCL_EXIT_USAGE;
    }
    ucl_char_config_free(&cfg);
    return code;
  }
  const double pulse = p.stim.rise + p.stim.width + p.stim.fall; /* s, one pulse */
  for (size_t i = 0; i < n_periods; i++) {
    if (!ucl_le_tol(pulse, periods[i])) { /* checked before any work, like --tempco */
      ucl_char_config_free(&cfg);
      return ucl_cli_usage_error(
          cp, "--periods: a pulse (rise + width + fall = %g s) does not fit in a period of %g s",
          pulse, periods[i]);
    }
  }
  for (size_t i = 0; i < n_periods; i++) {
    if (!ucl_le_tol(periods[i], p.stim.duration)) { /* 100 for 100u: a 100 s search */
      char hint[64] = "";
      static const struct {
        const char *suffix;
        double scale;
      } pre[] = {{"m", 1e-3}, {"u", 1e-6}, {"n", 1e-9}};
      for (size_t k = 0; k < sizeof(pre) / sizeof(pre[0]); k++) {
        double scaled = periods[i] * pre[k].scale;
        if (ucl_le_tol(scaled, p.stim.duration) && ucl_le_tol(pulse, scaled)) {
          snprintf(hint, sizeof(hint), "; did you mean %g%s?", periods[i], pre[k].suffix);
          break;
        }
      }
      ucl_char_config_free(&cfg);
      return ucl_cli_usage_error(
          cp, "--periods: a period of %g s is longer than the stimulus duration (%g s)%s",
          periods[i], p.stim.duration, hint);
    }
  }
  /* the output directory: rank 0's to check and make, its verdict everyone's */
  if (rk->lead && datasheet && ucl_datasheet_check_dir(out_dir, &diag) != UCL_OK) {
    code = ucl_cli_usage_error(cp, "%s", diag.msg);
  } else if (rk->lead && (st = ucl_cli_mkdirs(out_dir, &diag)) != UCL_OK) {
    code = fail_lead(rk, st, &diag);
  }
  code = agree_code(rk, code);
  ucl_char_result r;
  memset(&r, 0, sizeof(r));
  if (code != UCL_EXIT_OK) {
    goto cleanup;
  }
  ucl_cli_ticker tk;
  ucl_cli_ticker_start(&tk, stderr, isatty(STDERR_FILENO));
  if (!quiet) {
    cfg.opts.progress = show_progress;
    cfg.opts.progress_ctx = &tk;
  }
  if (timeout > 0.0) {
    cfg.opts.deadline = monotonic_now() + timeout;
  }
  if (rk->comm) { /* the trials over the ranks */
    cfg.opts.batch = rank_batch;
    cfg.opts.batch_ctx = rk->comm;
  }
  if (datasheet) {
    cfg.opts.keep_fits = 1;
    /* the procedures drive the spec's pulse train whatever its kind (docs/features.md) */
    if (n_periods == 0 && !periods_off) {
      static const double factors[] = {0.5, 1.0, 2.0, 4.0}; /* the paper's Fig. 2 span */
      for (size_t i = 0; i < sizeof(factors) / sizeof(factors[0]); i++) {
        if (ucl_le_tol(pulse, factors[i] * p.stim.period)) {
          periods[n_periods++] = factors[i] * p.stim.period;
        }
      }
    }
  }
  cfg.opts.thr_periods = n_periods > 0 ? periods : NULL;
  cfg.opts.n_thr_periods = n_periods;
  st = ucl_characterize(&p, &cfg.opts, &r, &diag);
  ucl_cli_ticker_end(&tk);
  if (st != UCL_OK) {
    code = fail_lead(rk, st, &diag);
    goto cleanup;
  }
  if (!rk->lead) { /* its share is computed; rank 0 writes, and its exit code is everyone's */
    goto cleanup;
  }
  /* an earlier run's datasheet showed its numbers: gone before the CSVs change */
  ucl_datasheet_cleared cleared = ucl_datasheet_clear(out_dir);
  if (!datasheet && !quiet && cleared == UCL_DATASHEET_REMOVED) {
    printf("removed %s/datasheet/: it showed the numbers of an earlier run\n", out_dir);
  } else if (!datasheet && cleared == UCL_DATASHEET_LEFT) {
    printf("removed the earlier datasheet's files from %s/datasheet/ and left the folder: it "
           "holds files uclif did not write\n",
           out_dir);
  }
  st = write_outputs(out_dir, &p, &r, &diag);
  if (st != UCL_OK) {
    code = ucl_cli_fail("characterize", st, &diag);
    goto cleanup;
  }
  if (!quiet) {
    summary(&p, &r, out_dir, rk->size);
  }
  if (datasheet) {
    ucl_datasheet_opts dopts = {NULL, spec, a->sets, a->n_sets, docs_base()};
    ucl_datasheet_summary ds;
    st = ucl_datasheet_build(out_dir, &p, &cfg.opts, &r, &dopts, &ds, &diag);
    if (st != UCL_OK) {
      ucl_diag_prefix(&diag, "the CSVs are written, the datasheet is not: ");
      ucl_cli_error("characterize", "%s (`--no-datasheet` writes the CSVs only)", diag.msg);
      code = ucl_cli_exit_code(st);
    } else if (!quiet) {
      printf("wrote %s (%d plots%s)\n", ds.index, ds.plots,
             ds.skipped ? ", some left out: the page says why" : "");
    }
  }
  if (r.status != UCL_OK) {
    /* a procedure failed and every file is written: a failed run (1), whatever its status (a
     * fit refused as `range` or `invalid` is a measurement that could not be made, not bad
     * input: bad input is refused before any file is written, with 2) */
    ucl_cli_error("characterize", "%s (%s)", r.reason, ucl_status_name(r.status));
    code = r.status == UCL_ERR_STOPPED ? ucl_cli_exit_code(r.status) : UCL_EXIT_RUN;
  }
cleanup:
  ucl_char_result_free(&r);
  ucl_char_config_free(&cfg);
  return code;
}

int ucl_cmd_characterize(int argc, char **argv) {
  char_args ca = {.tempco = -1.0, .datasheet = 1};
  ucl_cli_args *a = &ca.a;
  ucl_cli_parser cp;
  const char *v = NULL;
  int id;
  /* under mpirun every rank parses: rank 0 alone prints a usage error */
  int mpi = ucl_cli_mpi_launched();
  ucl_cli_begin(&cp, &command, argc, argv, a, mpi);
  while ((id = ucl_cli_next(&cp, &v)) > 0) {
    if (id == OPT_TEMPCO) {
      ucl_diag d = {{0}};
      if (ucl_units_parse(v, "K", &ca.tempco, &d) != UCL_OK || !(ca.tempco > 0.0)) {
        ucl_cli_bad_value(&cp, "must be a temperature difference > 0 (K)");
      }
    } else if (id == OPT_CURVE_TRACER) {
      ca.curve_tracer = 1;
    } else if (id == OPT_PERIODS) {
      ucl_diag d = {{0}};
      double *vals = NULL;
      ca.n_periods = 0;
      ca.periods_off = strcmp(v, "off") == 0;
      if (!ca.periods_off &&
          ucl_values_parse(v, "s", MAX_PERIODS, &vals, &ca.n_periods, &d) != UCL_OK) {
        ucl_cli_bad_value(&cp, "%s", d.msg);
      }
      for (size_t i = 0; vals && i < ca.n_periods; i++) {
        ca.periods[i] = vals[i];
        if (!(vals[i] > 0.0)) {
          ucl_cli_bad_value(&cp, "every period must be > 0 s (got %g)", vals[i]);
          break;
        }
      }
      free(vals);
    } else if (id == OPT_NO_DATASHEET) {
      ca.datasheet = 0;
    } else if (id == OPT_POINT_TIMEOUT) {
      ucl_diag d = {{0}};
      if (ucl_units_parse(v, "s", &ca.timeout, &d) != UCL_OK || !(ca.timeout > 0.0)) {
        ucl_cli_bad_value(&cp, "%s", d.msg[0] ? d.msg : "must be > 0");
      }
    }
  }
  char_ranks rk = {NULL, 0, 1, 1};
  if (!mpi) {
    return id < 0 ? cp.exit : characterize(&cp, &ca, &rk);
  }
  if (id < 0 && cp.exit == UCL_EXIT_OK) {
    return UCL_EXIT_OK; /* --help */
  }
  ucl_diag diag = {{0}};
  if (ucl_comm_init(&argc, &argv, &rk.comm, &diag) != UCL_OK) {
    ucl_cli_error("characterize", "%s", diag.msg);
    return UCL_EXIT_RUN;
  }
  rk.rank = ucl_comm_rank(rk.comm);
  rk.size = ucl_comm_size(rk.comm);
  rk.lead = rk.rank == 0;
  int code = id < 0 ? cp.exit : characterize(&cp, &ca, &rk);
  if (rk.lead) {
    ucl_cli_flush(&cp); /* a usage error, deferred */
  }
  return ucl_cli_mpi_end("characterize", &rk.comm, code);
}
