/* netrec.h — (private to src/solve) the recorded output of a source neuron in a partitioned
 * network run (docs/model.md N4): the recorder that a source's integration feeds at each step,
 * and a synapse's view of that record while its target is integrated. Used by netrun.c only. */
#ifndef UCL_SOLVE_NETREC_H
#define UCL_SOLVE_NETREC_H

#include <stddef.h>

#include "uclif/circuit.h"
#include "uclif/integrator.h"

#define UCL_NETREC_MAX_STATES 5 /* per neuron (type II with the two-transistor SCR) */

/* A source's recorded output: points (t, output, the type II node after R6, mode) and its mode
 * switch times. */
typedef struct ucl_netrec_traj {
  size_t n, cap;
  double *t;   /* n */
  double *out; /* n·2: the output (node ax) and the node after R6 at each point */
  unsigned char *mode;
  double *ev; /* mode switch times, sorted */
  size_t n_ev, cap_ev;
  size_t users_left; /* targets not yet integrated (kept by the caller) */
} ucl_netrec_traj;

/* Release the record's memory and zero it. */
void ucl_netrec_traj_free(ucl_netrec_traj *T);

/* Make dst an exact copy of src (dst's memory reused). Nonzero when out of memory (dst then
 * unchanged in content). */
int ucl_netrec_traj_copy(ucl_netrec_traj *dst, const ucl_netrec_traj *src);

/* Drop the points no view at a time >= t needs: all but the last point before or at t and the
 * one before it; mode switches before the first point kept. */
void ucl_netrec_traj_drop_before(ucl_netrec_traj *T, double t);

/* The time (s) in [a, b] from which the record 'nw' may differ from 'old' over [a, b]; INFINITY
 * when they agree: the same number of mode switches in (a, b], each within tol_t (s), and both
 * outputs (either column) within tol_v (V) of the other record's at every point of either record
 * where both are in the same mode (linear interpolation, held past a record's end; the other's
 * range over t ± tol_t). A switch out of tolerance dates the difference from the earlier of the
 * two less tol_t, an output from the point of its record before it (the interpolation runs from
 * there); the earliest of these, never before a. A record with no point differs from one with
 * points from a. A target that read 'old' read the same inputs (within the tolerances) before
 * that time, so its integration up to there stands (netrun.c, the relaxation's restarts). */
double ucl_netrec_traj_first_diff(const ucl_netrec_traj *old, const ucl_netrec_traj *nw, double a,
                                  double b, double tol_v, double tol_t);

/* Records a source neuron's output while it is integrated: pass ucl_netrec_step as the
 * integrator's on_step with the recorder as its context, then ucl_netrec_flush. Zero-initialise,
 * then set n, inner (the neuron's own system), rec and ns (its states, at most
 * UCL_NETREC_MAX_STATES); the rest is the recorder's. */
typedef struct ucl_netrec_recorder {
  ucl_neuron *n;
  const ucl_system *inner;
  ucl_netrec_traj *rec;
  int ns;
  double t_last, y_last[UCL_NETREC_MAX_STATES], dy_last[UCL_NETREC_MAX_STATES]; /* last step */
  double out_last[2];
  int mode_last, have_last;
  /* swing-door state: a point not yet kept, and the slopes from the last kept point that keep
   * every dropped point within the tolerance */
  int pend, pend_mode;
  double pend_t, pend_out[2], up[2], lo[2];
} ucl_netrec_recorder;

/* on_step: record the output at the step (t, y), refining steps while the SCR is on. Returns
 * nonzero when out of memory. */
int ucl_netrec_step(void *recorder, double t, const double *y);

/* Keep the point still pending at the end of the run. Nonzero when out of memory. */
int ucl_netrec_flush(ucl_netrec_recorder *p);

/* A synapse's view of its source's record during the target's integration. */
typedef struct ucl_netrec_view {
  ucl_netrec_traj *T;
  size_t cursor;
  int seg_mode;  /* the source's mode in the target's current segment */
  int tap_clamp; /* 1: the node after R6 (type II), 0: the output (node ax) */
} ucl_netrec_view;

/* Reads of a record before its first point (a record cut back too far, which the view then
 * extrapolates: a bug; the relaxation's tests check that none happen). Counted over the
 * process; not thread-safe (a diagnostic). */
extern unsigned long ucl_netrec_reads_before_start;

/* The source's output (V) at t (a ucl_syn_input source; ctx is a ucl_netrec_view); past the end
 * of the record, its last value; 0 for a record with no point. */
double ucl_netrec_view_output(void *view, double t);

/* A segment of the target's integration begins at t: take the source's mode there. */
void ucl_netrec_view_begin(ucl_netrec_view *v, double t);

/* The earlier of tb and the source's first mode switch after t (a break of the target). */
double ucl_netrec_view_next_break(const ucl_netrec_view *v, double t, double tb);

#endif
