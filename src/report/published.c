/* published.c — the table of published neuron figures (published.h). Each row is a row of the
 * table in docs/published-neurons.md, cell for cell and in the same order; that page gives where
 * each figure was found. Change both together: tests/unit/test_published.c compares them. */
#include "published.h"

static const ucl_published figures[] = {
    {"Ultra-compact SCR neuron (seed paper), projected integrated version", "energy per spike",
     1e-12, "~1 pJ",
     "energy stored in the membrane capacitor, C1·Vpulse²/2 with Vpulse of the order of a volt "
     "and C1 in the pF range; input rate high against 1/τ_leak; synapses and leakage excluded",
     "estimate C·V²/2", "M. J. Rozenberg, O. Schneegans, P. Stoliar, Sci. Rep. 9, 11123 (2019)"},
    {"TrueNorth (IBM), 28 nm CMOS", "energy per synaptic event", 26e-12, "26 pJ",
     "whole-chip supply energy, static included, divided by synaptic events at one operating "
     "point (20 Hz mean rate, 128 active synapses per neuron)",
     "measured on fabricated silicon", "P. A. Merolla et al., Science 345, 668 (2014)"},
    {"VO2 1T-1MR neuron (VO2 memristor on an SOI junctionless FET)", "energy per spike", 18e-12,
     "18 pJ (lowest, room temperature)",
     "energy per spike of the oscillating neuron; whether the transistor's share is included is "
     "not stated in the text found",
     "measured on fabricated devices", "F. Bersano et al., arXiv:2604.21487 (2026)"},
    {"VOx threshold-switching memristor LIF neuron", "energy per spike", 4.7e-9, "4.7 nJ (lowest)",
     "energy per spike of the device in a passive spiking circuit; supply or device share not "
     "stated in the text found",
     "measured on fabricated devices",
     "L.-C. Shih et al., ACS Nano (2025), doi:10.1021/acsnano.5c11481"},
    {"Morris-Lecar neuron, 65 nm CMOS (subthreshold)", "energy per spike", 4e-15, "4 fJ",
     "energy per spike of the fabricated circuits (\"a few femtojoules per spike\"); static share "
     "not stated in the text found",
     "measured on fabricated silicon",
     "I. Sourikopoulos et al., Front. Neurosci. (2017), doi:10.3389/fnins.2017.00123"},
    {"LIF neuron, 28 nm CMOS (TSMC, subthreshold)", "energy per spike", 1.61e-15, "1.61 fJ",
     "energy per spike of the fabricated neuron at a 250 mV supply; static share not stated in "
     "the text found",
     "measured on fabricated silicon", "M. Besrour et al., arXiv:2408.07734 (2024)"},
};

const ucl_published *ucl_published_figures(size_t *n) {
  *n = sizeof figures / sizeof figures[0];
  return figures;
}
