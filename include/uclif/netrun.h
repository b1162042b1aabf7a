/* netrun.h — running a network (docs/model.md N1-N4): partitioned integration (one small CVODE
 * per neuron in topological order, each reading its sources' recorded outputs; feed-forward
 * networks) or coupled integration (one CVODE for the whole network; recurrent networks and the
 * reference). The measurements and files of a run are netresults.h's. Not collective. */
#ifndef UCL_NETRUN_H
#define UCL_NETRUN_H

#include <signal.h>
#include <stddef.h>

#include "uclif/network.h"
#include "uclif/status.h"
#include "uclif/trace.h"

/* One network over several MPI ranks (waveform relaxation only; docs/model.md N4): the
 * collective operations the run needs, given by the caller (the command wraps its ucl_comm:
 * this layer does not see MPI). Every rank calls ucl_network_run with the same network and
 * options; rank r integrates the neurons [r·N/size, (r+1)·N/size) and the results of every
 * neuron arrive on rank 0. */
typedef struct ucl_net_transport {
  int rank, size;
  /* All-to-all of bytes (ucl_comm_alltoallv's contract: send_bytes[r] bytes to rank r; *recv
   * malloc'd, recv_bytes[r] from each rank r, in rank order). Collective. */
  ucl_status (*alltoallv)(void *ctx, const void *send, const size_t *send_bytes, void **recv,
                          size_t *recv_bytes, ucl_diag *diag);
  /* Element-wise maximum over the ranks of v[0 .. n), in place. Collective. */
  ucl_status (*max_long)(void *ctx, long *v, int n, ucl_diag *diag);
  void *ctx;
} ucl_net_transport;

typedef struct ucl_net_opts {
  int integration;    /* ucl_net_integration; UCL_NET_AUTO = the network's own choice */
  double sample_dt;   /* s; 0 = no waveforms */
  size_t max_samples; /* bound on waveform rows */
  /* Called with the neurons done so far (partitioned) or the simulated time reached (coupled);
   * may be NULL. */
  void (*progress)(void *ctx, double done, double total);
  void *progress_ctx;
  double deadline; /* CLOCK_MONOTONIC s after which every integration stops: the neurons not
                      yet done fail with UCL_ERR_LIMIT ("the point's wall-time limit was
                      reached"); 0 = none */
  const volatile sig_atomic_t *cancel; /* borrowed, may be NULL: once *cancel != 0 the run
                      stops at its next check and ucl_network_run returns UCL_ERR_STOPPED */
  const ucl_net_transport *transport;  /* borrowed; NULL or size 1: one rank */
} ucl_net_opts;

typedef struct ucl_net_neuron_result {
  double *spikes; /* latch times (s), sorted */
  size_t n_spikes;
  double E_in, E_vdd, E_syn; /* J: from the external source, VDD, through the synapses */
  double t_reached;          /* s */
  ucl_solver_stats stats;    /* partitioned: this neuron's; coupled: zero */
  ucl_status status;         /* UCL_OK or why this neuron's run failed */
  char reason[512];
} ucl_net_neuron_result;

typedef struct ucl_net_result {
  size_t n;
  ucl_net_neuron_result *neurons;
  int integration;        /* the one used: UCL_NET_PARTITIONED or UCL_NET_COUPLED */
  ucl_solver_stats stats; /* summed over all runs */
  size_t events;          /* latch and unlatch events in all */
  size_t peak_points;     /* partitioned: most trajectory points held at once */
  ucl_trace *waveforms;   /* sample_dt > 0: t_s + NEURON.CHANNEL columns, else NULL */
  char **names;           /* the waveform column names (owned) */
  size_t n_names;
  /* relaxation (docs/model.md N4): windows, sweeps over cyclic components, and integrations of
   * a window done again because a source's record changed; over ranks, the most bytes of
   * records one rank sent (0 on one rank) */
  size_t relax_windows, relax_sweeps, relax_reintegrations;
  double relax_bytes_sent;
} ucl_net_result;

/* Simulate 'net' for its duration. Over several ranks (opts->transport, size > 1) the call is
 * collective: 'auto' means relaxation for every network, partitioned and coupled integration and
 * waveforms (sample_dt > 0) are UCL_ERR_INVAL; rank 0's result holds every neuron's results and
 * the run's status, the other ranks' results hold the run's counts only (they write nothing), and
 * every rank returns rank 0's status. The same network gives the same result on any number of
 * ranks. Returns UCL_OK when every neuron's run completed; a failed
 * neuron (UCL_ERR_SOLVER/EVENTS/LIMIT) has its status and reason in the result, the others go on
 * (in partitioned runs the neurons it feeds are not simulated, and say so), and the call returns
 * the first failure's status with 'diag' naming the neuron. Past opts->deadline every integration
 * stops at its next check (every event and stimulus edge, at least every 2000 solver steps).
 * UCL_ERR_INVAL for a recurrent network with integration = partitioned, UCL_ERR_NOMEM for memory,
 * UCL_ERR_STOPPED when opts->cancel was set: *out is then NULL. */
UCL_NODISCARD ucl_status ucl_network_run(const ucl_network *net, const ucl_net_opts *opts,
                                         ucl_net_result **out, ucl_diag *diag);

void ucl_net_result_destroy(ucl_net_result **r);

#endif
