/* clock.h — the one clock of wall-time limits and timings. */
#ifndef UCL_CLOCK_H
#define UCL_CLOCK_H

/* Seconds of CLOCK_MONOTONIC (an arbitrary origin; not affected by changes of the system time):
 * what --point-timeout deadlines (ucl_char_opts.deadline, ucl_net_opts.deadline) and the
 * reported wall times are measured on. Cannot fail on Linux; not collective. */
double ucl_clock_s(void);

#endif
