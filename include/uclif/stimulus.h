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
