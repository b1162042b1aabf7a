/* stimulus.h — input waveforms as a sequence of linear pieces: DC, a step, pulse trains (with
 * optional linear edges, a pulse count and bursts) and amplitude staircases (Fig. 2). The
 * integrator stops at every break between pieces (CVodeSetStopTime + reinit), so within a piece
 * the source is a smooth (linear) function of time that may be evaluated beyond the piece's
 * ends, as CVODE requires. Break times are computed from integer indices (start + k·period),
 * never accumulated, so lookups at a break time land exactly on the next piece. */
#ifndef UCL_STIMULUS_H
#define UCL_STIMULUS_H

#include "uclif/params.h"
#include "uclif/status.h"

typedef struct ucl_stimulus {
  ucl_stimulus_params p;
  long pulses_per_burst; /* pulses: pulses in each burst (bursts on) */
  long n_levels;         /* staircase: number of levels */
} ucl_stimulus;

/* v(t) = v0 + slope·(t − t0) for t in [t0, t1). t1 may be INFINITY. */
typedef struct ucl_stim_piece {
  double t0, t1;
  double v0, slope;
} ucl_stim_piece;

/* A piecewise-linear waveform through the points (t[k], v[k]), k < n: t strictly increasing,
 * v[0] before t[0] and v[n-1] after t[n-1]. The arrays are borrowed. The replay kind
 * (UCL_STIM_REPLAY) plays one back; its breaks are its points, so a replayed recording should be
 * simplified first (ucl_pwl_simplify). */
typedef struct ucl_pwl {
  size_t n; /* >= 1 */
  const double *t;
  const double *v;
  int hold; /* 1: zero-order hold (v[k] on [t[k], t[k+1]), as a DAQ's output); 0: linear */
} ucl_pwl;

/* Simplify the samples (t[k], v[k]), k < n (t strictly increasing, n >= 1) to the fewest
 * points the Douglas-Peucker rule keeps at tolerance 'tol' (V): every dropped sample lies within
 * tol of the line between the kept points around it (Douglas & Peucker, Canadian Cartographer
 * 10(2), 1973; iterative, O(n log n) typical). The first and last samples are always kept. A
 * recorded input replayed this way has breaks only at its edges, not at every sample, and its
 * noise (below tol) is not fed to the neuron. Writes the kept points into t_out, v_out (each
 * room for n) and their number into *n_out. UCL_ERR_NOMEM; UCL_ERR_INVAL for n == 0 or tol < 0. */
UCL_NODISCARD ucl_status ucl_pwl_simplify(const double *t, const double *v, size_t n, double tol,
                                          double *t_out, double *v_out, size_t *n_out);

/* The zero-order-hold form of ucl_pwl_simplify: runs of consecutive samples that stay within
 * 'tol' (V) of their running mean become one level (the mean) starting at the run's first
 * sample, so a DAQ-generated staircase or pulse train is replayed as its levels, without the
 * noise. Same buffers, errors and return as ucl_pwl_simplify. */
UCL_NODISCARD ucl_status ucl_pwl_runs(const double *t, const double *v, size_t n, double tol,
                                      double *t_out, double *v_out, size_t *n_out);

/* The levels of a zero-order-hold waveform (v[k], weights w[k] such as the runs' lengths, k <
 * n) snapped to the few a generator uses: sorted, a value joins the group of the one below it if
 * it is within tol/2 (V) of it and within 3·tol of the group's lowest, and each v[k] becomes its
 * group's weighted mean. With tol = 4σ a cloud of noisy samples of one amplitude is one group
 * (sorted, it has no gap of 2σ; it spans less than 12σ), and amplitudes more than about 7σ
 * apart stay apart (closer ones may merge). A staircase or pulse train then replays each of its
 * amplitudes as the mean of every pulse at that amplitude, not one noisy sample per pulse (whose
 * noise the neuron would integrate). UCL_ERR_NOMEM; UCL_ERR_INVAL for n == 0 or tol < 0. */
UCL_NODISCARD ucl_status ucl_pwl_levels(double *v, const double *w, size_t n, double tol);

/* Check the stimulus keys of 'p' and build the waveform. */
UCL_NODISCARD ucl_status ucl_stimulus_init(const ucl_stimulus_params *p, ucl_stimulus *out,
                                           ucl_diag *diag);

/* The piece that contains t (right-continuous: at a break, the piece that starts there). */
void ucl_stimulus_piece(const ucl_stimulus *s, double t, ucl_stim_piece *out);

/* Value of a piece at t (t may lie outside the piece: linear extension). */
double ucl_stim_piece_value(const ucl_stim_piece *pc, double t);

/* Value of the stimulus at t (right-continuous). */
double ucl_stimulus_value(const ucl_stimulus *s, double t);

/* Amplitude (V) of pulse k (0-based) of a pulse train or staircase; the DC or step level
 * otherwise. */
double ucl_stimulus_pulse_amplitude(const ucl_stimulus *s, long k);

/* Number of pulse onsets in [0, t_end) (0 for DC and steps). */
long ucl_stimulus_pulse_count(const ucl_stimulus *s, double t_end);

#endif
