/* netlist.h — an ngspice netlist of the same circuit, values and stimulus as a uclif
 * configuration, for cross-checking (docs/model.md, "SPICE netlist"). Diodes are SPICE diode
 * models (the same Shockley + series-resistance equations); the MOSFETs are B-sources with the
 * same EKV equations and derived thresholds; the SCR is a behavioural element with a latch-state
 * node S (0 off, 1 on) driven toward its target with a 1 ns time constant: it latches when the
 * gate-junction current exceeds I_GT and the on-state current would exceed I_L, and unlatches
 * when the anode current falls below I_H, as uclif's hybrid model does. The two-transistor SCR
 * (scr.model = two_transistor) is SPICE's own: a PNP and an NPN Gummel-Poon transistor (Q
 * elements with the parameters of scr.c's reduced model), R_GK and R_off as resistors, and the
 * anode current sensed by a 0 V source Vsa. */
#ifndef UCL_NETLIST_H
#define UCL_NETLIST_H

#include <stdio.h>

#include "uclif/params.h"
#include "uclif/status.h"

typedef struct ucl_netlist_opts {
  double tmax;       /* s, ngspice's largest time step; 0 = a tenth of the shortest pulse
                        feature, at most 1 us */
  double reltol;     /* ngspice RELTOL; 0 = 1e-4 */
  const char *data;  /* file for `wrdata` of time, v(in), v(m), v(k), v(out), v(s) (two-transistor
                      * form: i(Vsa))[, v(f), v(ax) for type II]
                        (two-transistor SCR: i(Vsa), the anode current in A, in place of v(s));
                        NULL = none */
  const char *title; /* first line; NULL = "uclif netlist" */
} ucl_netlist_opts;

/* Write the netlist of configuration 'p' to 'f'. SPICE pulses need rise and fall times: edges of
 * 0 s are written as 1 ns (simulate with rise = fall = 1n to compare like with like).
 * UCL_ERR_INVAL for a stimulus SPICE cannot take (a staircase of more than 100000 corners),
 * UCL_ERR_IO on a write error. */
UCL_NODISCARD ucl_status ucl_netlist_write(FILE *f, const ucl_params *p, const ucl_netlist_opts *o,
                                           ucl_diag *diag);

#endif
