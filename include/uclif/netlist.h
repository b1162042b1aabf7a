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
  double tmax;       /* s, ngspice's largest time step (and TSTEP); 0 = a tenth of the shortest
                        stimulus feature, at most 1 us, at least duration / 1e5 */
  double reltol;     /* ngspice RELTOL; 0 = 1e-4 */
  const char *data;  /* file for `wrdata`: time and v(in), time and v(m), ... for v(in), v(m),
                        v(k), v(out), v(s) (two-transistor SCR: i(Vsa), the anode current in A,
                        in place of v(s))[, v(f), v(ax) for type II]; NULL = none; its name must
                        pass ucl_netlist_check_data */
  const char *title; /* first line (control characters written as '?'); NULL = "uclif netlist" */
} ucl_netlist_opts;

/* Whether 'path' can be the file name of ngspice's `wrdata` command (docs/model.md, SPICE
 * netlist): the netlist writes it in single quotes, so it may hold blanks and most punctuation,
 * but not a control character, any of ' ! $ ; ` { (quoting, substitution, comments), two blanks
 * in a row, the micro sign or bytes that are not UTF-8. UCL_ERR_INVAL naming the first such byte
 * (1-based) otherwise. */
UCL_NODISCARD ucl_status ucl_netlist_check_data(const char *path, ucl_diag *diag);

/* Whether a netlist of validated configuration 'p' with options 'o' (may be NULL) can be
 * written: the --data file name (ucl_netlist_check_data) and a stimulus of at most 100000 PWL
 * corners (bursts and staircases) within its duration. On failure *bad_key (if not NULL) names
 * what is at fault, "data" (o->data) or "duration", and 'diag' says why (UCL_ERR_INVAL or
 * UCL_ERR_RANGE); NULL on success. Writes nothing. */
UCL_NODISCARD ucl_status ucl_netlist_check(const ucl_params *p, const ucl_netlist_opts *o,
                                           const char **bad_key, ucl_diag *diag);

/* Write the netlist of configuration 'p' to 'f', one that ngspice runs (after
 * ucl_netlist_check, which it calls first; nothing is written when that fails): a positive TSTEP
 * and TMAX, PWL corners strictly increasing, the --data file name quoted. SPICE pulses need
 * rise and fall times: edges of 0 s are written as 1 ns (simulate with rise = fall = 1n to
 * compare like with like), taken from the flat top where they would not fit in the period.
 * UCL_ERR_INVAL / UCL_ERR_RANGE as ucl_netlist_check, UCL_ERR_IO on a write error. */
UCL_NODISCARD ucl_status ucl_netlist_write(FILE *f, const ucl_params *p, const ucl_netlist_opts *o,
                                           ucl_diag *diag);

#endif
