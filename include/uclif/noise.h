/* noise.h — transient noise of a neuron (docs/model.md, Noise): the Johnson–Nyquist noise of its
 * resistors as band-limited voltage sources in series with them, and the per-switching jitter
 * of its switch's thresholds. Every random number is a pure function of (noise.seed, the point's
 * stream, the neuron's index in its network, the source, the knot or event index) through the
 * counter-based generator (rng.h): a point's noise is the same on any rank count, in any run.
 *
 * A source's voltage is a cubic B-spline through independent normal samples z_j at the knots
 * t_j = j·h, h = 1/(2B) (B = noise.bandwidth): smooth (twice continuously differentiable) between
 * and across knots, so CVODE integrates it without stops; the integrator's step is capped at h.
 * The samples have variance σ² = S·B with S = 4kTR (V²/Hz, one-sided; Johnson 1928, Nyquist
 * 1928): the spline's spectrum is then S·sinc⁸(f·h) (sinc x = sin(πx)/(πx); the spline's
 * amplitude response is sinc⁴), S at low frequencies, −3 dB at 0.455·B; its variance is σ²·151/315
 * (the integral of the squared spline), so its noise-equivalent bandwidth is 151/315·B = 0.479·B.
 */
#ifndef UCL_NOISE_H
#define UCL_NOISE_H

#include <stdint.h>

#include "uclif/status.h"

#define UCL_BOLTZMANN 1.380649e-23 /* J/K, the Boltzmann constant (exact since SI 2019) */

/* The noise sources of one neuron. Owned by its creator (ucl_noise_destroy); not thread-safe
 * (evaluation caches the current knot's samples); one per neuron. */
typedef struct ucl_noise ucl_noise;

/* The key of every draw of neuron 'unit' (0 for a single neuron) in trial 'trial' (0: the
 * point's own runs; a characterization's noise trials are 1, 2, ...) of point 'stream', from
 * noise.seed 'seed' and a domain tag: a pure function, and trial 0's key does not depend on how
 * trials are keyed. */
uint64_t ucl_noise_key(uint64_t seed, uint64_t tag, uint64_t stream, uint64_t unit, uint64_t trial);

/* A generator for the sources of neuron 'unit' in trial 'trial' of point 'stream' (as
 * ucl_noise_key), with knots every h = 1/(2·bandwidth) (bandwidth > 0, Hz). 'cap' sources at
 * most. UCL_ERR_NOMEM, UCL_ERR_INVAL (bandwidth not > 0 or cap < 1). */
UCL_NODISCARD ucl_status ucl_noise_create(double bandwidth, uint64_t seed, uint64_t stream,
                                          uint64_t unit, uint64_t trial, int cap, ucl_noise **out);

/* Release *g and set it to NULL. Accepts NULL. */
void ucl_noise_destroy(ucl_noise **g);

/* Add the Johnson–Nyquist noise of a resistor R (Ohm, > 0) at temp (K, > 0): a source of
 * one-sided density 4·k·temp·R (V²/Hz). Returns its index (0, 1, ... in the order added), or −1
 * when the generator is full. The index is part of the source's stream: add sources in a fixed
 * order. */
int ucl_noise_add_resistor(ucl_noise *g, double R, double temp);

/* Number of sources; the knot spacing h (s). */
int ucl_noise_count(const ucl_noise *g);
double ucl_noise_knot_spacing(const ucl_noise *g);

/* The sources' voltages at t >= 0 (V), e[0 .. count − 1]. The same t always gives the same
 * values, whatever was evaluated before. */
void ucl_noise_eval(ucl_noise *g, double t, double *e);

/* The standard normal number of knot j (>= −1) of source 'src' (the spline's sample before its
 * σ): exposed for the tests. */
double ucl_noise_sample(const ucl_noise *g, int src, int64_t j);

/* Switching jitter: the factor exp(sigma·z) (a log-normal with median 1, so that a threshold
 * stays > 0) for the event-th switching (0, 1, ...) of kind 'which' (0: the latch threshold,
 * I_GT or V_th; 1: the unlatch one, I_H or I_hold) of neuron 'unit' in trial 'trial' of point
 * 'stream'. sigma = 0 gives exactly 1. */
double ucl_noise_jitter(uint64_t seed, uint64_t stream, uint64_t unit, uint64_t trial, int which,
                        long event, double sigma);

#endif
