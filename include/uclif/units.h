/* units.h — numbers as engineers write them in specs and on the command line: SI-suffixed
 * ("68k", "15n", "10u", "10µ", "1meg", "4.7e-9") or, for resistances, capacitances and
 * inductances, RKM-coded ("4k7", "2R2", "4n7"), optionally followed by the quantity's unit
 * ("15nF", "10us", "68kOhm", "4k7Ω"). */
#ifndef UCL_UNITS_H
#define UCL_UNITS_H

#include "uclif/status.h"

/* Parse 'text' as a finite number with an optional SI scale suffix and an optional unit.
 *
 * Scale suffixes (case-sensitive, SPICE spelling): f 1e-15, p 1e-12, n 1e-9, u 1e-6 (also
 * U+00B5 µ MICRO SIGN and U+03BC μ GREEK SMALL LETTER MU), m 1e-3, k 1e3, meg 1e6 (Meg, MEG),
 * G 1e9, T 1e12. A bare "M" is refused as ambiguous (SPICE reads it as milli); so is "K"
 * (write "k"). After the suffix, the unit 'unit' may follow (e.g. "F" for a capacitance; for
 * "Ohm" also "ohm", "R", U+2126 Ω OHM SIGN and U+03A9 Ω GREEK CAPITAL OMEGA; "V", "A", "s",
 * "Hz", "J", "K"); any other trailing text is an error. Leading/trailing blanks are ignored.
 * 'unit' may be NULL or "".
 *
 * RKM code (IEC 60062), only when 'unit' is "Ohm", "F" or "H": digits, a letter in place of
 * the decimal point, digits (at least one after the letter), then the unit if any. Letters:
 * p n u µ μ m k K M G T, and R (x1) for "Ohm". "4k7" = 4.7e3, "2R2" = 2.2, "R47" = 0.47,
 * "1M5" = 1.5e6 (M is mega here, as in IEC 60062), "4n7" = 4.7e-9, "4u7" = "4µ7" = 4.7e-6;
 * the value is the same double as the SI spelling ("4k7" == "4.7k").
 *
 * On success *out holds the value in SI units; on failure *out is untouched and 'diag' says
 * what is wrong (without a location: callers prefix file:line or the option): a malformed value
 * gives "'TEXT' is not a number: X is not understood; accepted: ..." where X names the first
 * character not understood ('x', or U+XXXX 'c' when not ASCII, or byte 0xXX when not UTF-8)
 * and the rest lists what 'unit' accepts. */
UCL_NODISCARD ucl_status ucl_units_parse(const char *text, const char *unit, double *out,
                                         ucl_diag *diag);

/* Parse a whole number (no suffix) into *out, range [lo, hi]. Same error behaviour. */
UCL_NODISCARD ucl_status ucl_units_parse_long(const char *text, long lo, long hi, long *out,
                                              ucl_diag *diag);

/* Parse a value set: a comma-separated list of values ("1, 2.5, 4"), lin(a, b, n) (n values
 * from a to b, value k = a + k·(b − a)/(n − 1), no accumulation), log(a, b, n) (n values
 * spaced evenly in log, a and b > 0) or an E-series range eN(lo, hi) (every IEC 60063 value
 * of E6 E12 E24 E48 E96 or E192 in [lo, hi]). Each number accepts SI suffixes and 'unit'. On
 * success *out is a malloc'd array of *n values (caller frees); at most 'max_n' values. On failure
 * nothing is allocated and 'diag' says what is wrong. */
UCL_NODISCARD ucl_status ucl_values_parse(const char *text, const char *unit, size_t max_n,
                                          double **out, size_t *n, ucl_diag *diag);

/* Write v into buf (n bytes; truncated, always NUL-terminated when n > 0) as an engineer
 * writes it: at most 'digits' significant digits (clamped to 1..17), trailing zeros trimmed, with
 * an engineering prefix a f p n µ (U+00B5) m (none) k M G T and then 'unit' (NULL or "" for none;
 * "Ohm" is written as U+03A9 Ω). With a unit a space separates the number from prefix and unit
 * ("4.7 nF", "68 kΩ", "12.5 ms", "-3.2 V", "0 V", "100 aJ"); without one the prefix follows the
 * number ("4.7n", "68k"). A value that rounds up to 1000 of its prefix moves to the next one
 * (999.96 with 3 digits: "1 kV"). Values below 1 a or from 1000 T on keep a or T ("0.1 aJ").
 * NAN is written as U+2013 "–" (no unit), infinities as "∞" / "-∞" (U+221E) with the unit.
 * Returns the length the whole text needs, not counting the NUL (as snprintf). Not collective;
 * never fails. */
size_t ucl_units_format_eng(double v, const char *unit, int digits, char *buf, size_t n);

/* How 'unit' is written for a reader: "Ohm" as U+03A9 "Ω", NULL as "", anything else as is.
 * The returned text is 'unit' itself or a static string. */
const char *ucl_units_symbol(const char *unit);

#endif
