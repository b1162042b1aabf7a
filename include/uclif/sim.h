/* sim.h — one simulation end to end: parameters → neuron → integration → trace, plus the trace
 * writers used by `uclif simulate`. */
#ifndef UCL_SIM_H
#define UCL_SIM_H

#include <stddef.h>

#include "uclif/columns.h"
#include "uclif/params.h"
#include "uclif/status.h"
#include "uclif/trace.h"

typedef struct ucl_sim_opts {
  double sample_dt;   /* s; 0 = no periodic samples */
  double sample_t0;   /* s: periodic samples from here on (see ucl_integrator_opts) */
  int sample_edges;   /* also sample before/after every event and stimulus break */
  size_t max_samples; /* bound on waveform rows */
  int (*progress)(void *ctx, double t, double t_end); /* see ucl_integrator_opts; may be NULL */
  void *progress_ctx;
  int track_root_peaks;    /* see ucl_integrator_opts */
  long stop_after_latches; /* see ucl_integrator_opts */
} ucl_sim_opts;

/* Latch (spike) times of the trace, in order, into a malloc'd array (*n of them; NULL when
 * there are none). UCL_ERR_NOMEM on failure. */
UCL_NODISCARD ucl_status ucl_sim_spike_times(const ucl_trace *tr, double **times, size_t *n);

/* Simulate the configuration 'p' for p->stim.duration seconds.
 * On UCL_OK, and on a failed run (UCL_ERR_SOLVER, UCL_ERR_EVENTS, UCL_ERR_LIMIT), *trace_out owns
 * a trace holding everything up to the end or the failure (free with ucl_trace_destroy) and
 * 'diag' says why a run failed. On other errors (bad parameters, memory) *trace_out is NULL. */
UCL_NODISCARD ucl_status ucl_sim_run(const ucl_params *p, const ucl_sim_opts *opts,
                                     ucl_trace **trace_out, ucl_diag *diag);

/* Number of spikes (latch events) in the trace. */
long ucl_sim_spike_count(const ucl_trace *tr);

/* Most channels a waveform.csv may have. */
#define UCL_SIM_MAX_CHANNELS 63

/* The columns of a single neuron's waveform.csv: t_s (s, %.17g), then every channel any neuron
 * type has (UCL_COL_SAMPLE: UCL_CSV_SAMPLE_DIGITS significant digits), each meaning saying which
 * types have it. A trace writes t_s and its own channels, in its order, each read from the
 * sample row (ucl_trace_sample) at offset (1 + channel index)·sizeof(double). Static. */
const ucl_table *ucl_sim_waveform_table(void);

/* The columns of a single neuron's events.csv (t_s, kind, unit, V_mem_V), read from a ucl_event
 * (part 0); numbers at %.17g. Static. */
const ucl_table *ucl_sim_events_table(void);

/* Write the waveform (t_s + channels, ucl_sim_waveform_table) and event (ucl_sim_events_table)
 * CSVs atomically: both are written to temporary files and renamed only when both are complete.
 * Either path may be NULL to skip that file. A channel without a column in the waveform table,
 * or more than UCL_SIM_MAX_CHANNELS of them, is UCL_ERR_INVAL. */
UCL_NODISCARD ucl_status ucl_sim_write_csv(const ucl_trace *tr, const char *waveform_path,
                                           const char *events_path, ucl_diag *diag);

#endif
