/* thermal.h — device values at the device temperature. Every device value of a
 * ucl_circuit_params is given at the nominal temperature 'tnom'; ucl_circuit_at_temp returns the
 * values at 'temp', scaled as SPICE scales its devices (docs/model.md, Temperature):
 *   junctions (D, D2, the hybrid SCR's gate junction, both transistors of the two-transistor
 *   SCR): saturation currents with EG and XTI (ucl_junction_is_at); BJT gains with XTB;
 *   MOSFETs T1-T3: Vth + tcv·ΔT and KP·(T/tnom)^bex;
 *   the hybrid SCR: I_GT·exp(tc_I_GT·ΔT), I_H and I_L·exp(tc_I_H·ΔT);
 *   resistors R_in, R1-R7: R·(1 + tc1·ΔT + tc2·ΔT²);
 * with ΔT = temp − tnom. Capacitors, the SCR's on-state (V_T0, R_T), R_off and R_GK, transit
 * times, junction capacitances and the Mott switch do not move. The thermal voltage kT/q is the
 * caller's (ucl_thermal_voltage(temp)). No state, no allocation. */
#ifndef UCL_THERMAL_H
#define UCL_THERMAL_H

#include "uclif/params.h"
#include "uclif/status.h"

/* *out = *in with every device value at in->temp, and out->tnom = in->temp (the values are now
 * given at the temperature they are used at, so applying the function to *out again changes
 * nothing). When in->temp == in->tnom every value is bit-for-bit unchanged. 'in' and 'out' may
 * be the same object. Fails with UCL_ERR_RANGE (diag names the value; *out untouched) when a
 * scaled value leaves its domain: a resistance or KP that is not > 0, a threshold Vth not > 0,
 * or a value that is not finite. */
UCL_NODISCARD ucl_status ucl_circuit_at_temp(const ucl_circuit_params *in, ucl_circuit_params *out,
                                             ucl_diag *diag);

#endif
