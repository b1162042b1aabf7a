/* cmd_network.c — `uclif simulate` and `uclif characterize` on a network spec (docs/spec.md,
 * "Networks"): per-neuron spike trains, rates and energies. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "uclif/ini.h"
#include "uclif/netresults.h"
#include "uclif/netrun.h"
#include "uclif/network.h"
#include "uclif/sched.h"

int ucl_cli_is_network_spec(const char *path) {
  if (!path) {
    return 0;
  }
  ucl_ini *ini = NULL;
  if (ucl_ini_read(path, &ini, NULL) != UCL_OK) {
    return 0; /* the single-neuron loader reports the error */
  }
  int net = ucl_ini_is_network(ini);
  ucl_ini_destroy(&ini);
  return net;
}

/* An error message, printed by rank 0 only (every rank meets the same error). */
static void error0(int rank, const char *cmd, const char *fmt, ...) {
  if (rank != 0) {
    return;
  }
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  ucl_cli_error(cmd, "%s", msg);
}

static void show_progress(void *ctx, double done, double total) {
  ucl_cli_progress *ps = ctx;
  if (ucl_cli_progress_due(&ps->last)) {
    fprintf(stderr, "\rsimulating the network: %3.0f%%", 100.0 * done / total);
    fflush(stderr);
    ps->shown = 1;
  }
}

static void summary(const ucl_network *net, const ucl_net_result *r, const char *dir,
                    int waveforms) {
  ucl_net_totals t = ucl_net_total(r);
  printf("network: %zu neurons, %zu synapses, %.6g s simulated, %s integration\n", net->n_neurons,
         net->n_synapses, net->base.stim.duration, ucl_net_integration_name(r->integration));
  size_t shown = r->n < 20 ? r->n : 20;
  for (size_t i = 0; i < shown; i++) {
    const ucl_net_neuron_result *nr = &r->neurons[i];
    printf("  %-12s %6zu spikes  %9.4g Hz", net->neurons[i].name, nr->n_spikes,
           (double)nr->n_spikes / net->base.stim.duration);
    if (nr->n_spikes) {
      printf("  first at %.6g s", nr->spikes[0]);
    }
    if (nr->status != UCL_OK) {
      printf("  [%s]", ucl_status_name(nr->status));
    }
    printf("\n");
  }
  if (shown < r->n) {
    printf("  ... (%zu more in neurons.csv)\n", r->n - shown);
  }
  printf("spikes: %zu in all; %zu neurons silent, %zu failed; energy %.6g J\n", t.spikes, t.silent,
         t.failed, t.E_J);
  printf("solver: %ld steps, %ld rhs evaluations, %ld restarts, %zu events\n", r->stats.steps,
         r->stats.rhs_evals, r->stats.reinits, r->events);
  if (r->integration == UCL_NET_RELAX) {
    printf("waveform relaxation: %zu windows, %zu sweeps over loops, %zu window integrations "
           "done again\n",
           r->relax_windows, r->relax_sweeps, r->relax_reintegrations);
    if (r->relax_bytes_sent > 0.0 && r->relax_windows > 0) {
      printf("records exchanged: at most %.3g MB sent by one rank (%.3g kB per window)\n",
             r->relax_bytes_sent / 1e6, r->relax_bytes_sent / 1e3 / (double)r->relax_windows);
    }
  }
  if (r->integration == UCL_NET_PARTITIONED) {
    printf("recorded source outputs: at most %zu points held at once (%.3g MB)\n", r->peak_points,
           (double)r->peak_points * 25.0 / 1e6);
  }
  printf("wrote %s/events.csv, %s/neurons.csv%s%s%s\n", dir, dir, waveforms ? ", " : "",
         waveforms ? dir : "", waveforms ? "/waveform.csv" : "");
}

static ucl_status tp_alltoallv(void *ctx, const void *send, const size_t *send_bytes, void **recv,
                               size_t *recv_bytes, ucl_diag *diag) {
  return ucl_comm_alltoallv(ctx, send, send_bytes, recv, recv_bytes, diag);
}

static ucl_status tp_max_long(void *ctx, long *v, int n, ucl_diag *diag) {
  return ucl_comm_max_long(ctx, v, n, diag);
}

/* ucl_cli_run_network on one rank of 'size' (every rank loads and checks the spec alike, so a
 * bad one stops them all with the same code; rank 0 prints). */
static int run_network(const char *cmd, const ucl_cli_args *a, double sample_dt, long max_samples,
                       int integration, ucl_comm *comm, int rank, int size) {
  ucl_diag diag = {{0}};
  ucl_network *net = NULL;
  const char *out_dir = a->out ? a->out : ".";
  ucl_status st = ucl_network_load(a->operand, a->sets, a->n_sets, &net, &diag);
  if (st != UCL_OK) {
    if (rank == 0) {
      ucl_cli_error(cmd, "%s", diag.msg);
    }
    return ucl_cli_exit_code(st);
  }
  int code = UCL_EXIT_OK;
  char *paths[3] = {NULL, NULL, NULL};
  ucl_net_result *r = NULL;
  if (sample_dt > 0.0 && net->base.stim.duration / sample_dt > (double)max_samples) {
    error0(rank, cmd,
           "--sample %g s over %g s gives more than --max-samples %ld rows; sample less "
           "densely",
           sample_dt, net->base.stim.duration, max_samples);
    code = UCL_EXIT_USAGE;
    goto done;
  }
  if (integration == UCL_NET_PARTITIONED && ucl_network_has_cycle(net) == 1) {
    error0(rank, cmd,
           "%s: the synapses form a cycle; --integration partitioned needs a "
           "feed-forward network",
           a->operand);
    code = UCL_EXIT_USAGE;
    goto done;
  }
  st = rank == 0 ? ucl_cli_mkdirs(out_dir, &diag) : UCL_OK;
  st = comm ? ucl_comm_agree(comm, st, &diag) : st;
  if (st != UCL_OK) {
    error0(rank, cmd, "%s", diag.msg);
    code = ucl_cli_exit_code(st);
    goto done;
  }
  static const char *const names[] = {"events.csv", "neurons.csv", "waveform.csv"};
  for (int k = 0; k < 3; k++) {
    size_t n = strlen(out_dir) + 16;
    paths[k] = malloc(n);
    if (!paths[k]) {
      ucl_cli_error(cmd, "out of memory");
      code = ucl_cli_exit_code(UCL_ERR_NOMEM);
      goto done;
    }
    snprintf(paths[k], n, "%s/%s", out_dir, names[k]);
  }
  ucl_cli_progress ps = {{0, 0}, 0};
  clock_gettime(CLOCK_MONOTONIC, &ps.last);
  ucl_net_transport tp = {rank, size, tp_alltoallv, tp_max_long, comm};
  ucl_net_opts o = {.integration = integration,
                    .sample_dt = sample_dt,
                    .max_samples = (size_t)max_samples,
                    .progress =
                        rank == 0 && isatty(STDERR_FILENO) && !a->quiet ? show_progress : NULL,
                    .progress_ctx = &ps,
                    .transport = size > 1 ? &tp : NULL};
  ucl_diag rd = {{0}};
  st = ucl_network_run(net, &o, &r, &rd);
  if (ps.shown) {
    fprintf(stderr, "\r%60s\r", "");
  }
  if (!r) {
    error0(rank, cmd, "%s", rd.msg);
    code = ucl_cli_exit_code(st);
    goto done;
  }
  if (rank != 0) { /* rank 0 writes, prints and says how it went */
    code = ucl_cli_exit_code(st);
    goto done;
  }
  ucl_diag io = {{0}};
  ucl_status wst =
      ucl_net_write_csv(net, r, paths[0], paths[1], sample_dt > 0.0 ? paths[2] : NULL, &io);
  if (wst != UCL_OK) {
    ucl_cli_error(cmd, "%s", io.msg);
    code = ucl_cli_exit_code(wst);
    goto done;
  }
  if (!a->quiet) {
    summary(net, r, out_dir, sample_dt > 0.0 && r->waveforms);
  }
  if (st != UCL_OK) {
    ucl_cli_error(cmd, "run failed (%s): %s; neurons.csv says which neurons and why",
                  ucl_status_name(st), rd.msg);
    code = ucl_cli_exit_code(st);
  }
done:
  for (int k = 0; k < 3; k++) {
    free(paths[k]);
  }
  ucl_net_result_destroy(&r);
  ucl_network_destroy(&net);
  return code;
}

/* Simulate a network; over several MPI ranks (started by a launcher) every rank integrates its
 * share of the neurons (waveform relaxation) and rank 0 writes and prints. */
int ucl_cli_run_network(const char *cmd, const ucl_cli_args *a, double sample_dt, long max_samples,
                        int integration, ucl_comm *comm) {
  if (comm) { /* the command's own communicator: it ends MPI */
    return run_network(cmd, a, sample_dt, max_samples, integration, comm, ucl_comm_rank(comm),
                       ucl_comm_size(comm));
  }
  if (!ucl_cli_mpi_launched()) { /* one process: no MPI at all */
    return run_network(cmd, a, sample_dt, max_samples, integration, NULL, 0, 1);
  }
  ucl_diag diag = {{0}};
  if (ucl_comm_init(NULL, NULL, &comm, &diag) != UCL_OK) {
    ucl_cli_error(cmd, "%s", diag.msg);
    return UCL_EXIT_RUN;
  }
  int code = run_network(cmd, a, sample_dt, max_samples, integration, comm, ucl_comm_rank(comm),
                         ucl_comm_size(comm));
  return ucl_cli_mpi_end(cmd, &comm, code);
}
