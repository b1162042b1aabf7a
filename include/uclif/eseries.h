/* eseries.h — the IEC 60063 preferred-number series E6 ... E192 (E6-E24: two significant
 * figures; E48-E192: three). Pure. */
#ifndef UCL_ESERIES_H
#define UCL_ESERIES_H

#include <stddef.h>

#include "uclif/status.h"

/* The mantissas of series 'n' (6, 12, 24, 48, 96 or 192) in [1, 10), as multiples of 0.01
 * (E6-E24: 100 ... 910; E48-E192: 100 ... 988). NULL for another n. *count gets n. */
const short *ucl_eseries_mantissas(int n, size_t *count);

/* All values of series 'n' in [lo, hi] (inclusive, with a relative slack of 1e-9), ascending,
 * into a malloc'd array. UCL_ERR_INVAL for an unknown series or lo > hi or lo <= 0;
 * UCL_ERR_RANGE when there are none or more than max_n. */
UCL_NODISCARD ucl_status ucl_eseries_range(int n, double lo, double hi, size_t max_n, double **out,
                                           size_t *count, ucl_diag *diag);

#endif
