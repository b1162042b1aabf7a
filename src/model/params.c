/* params.c — the key table: names, units, defaults, domains and provenance of every tunable.
 * Provenance tags: [P] the paper (Sci. Rep. 9:11123, Table 1 and text), [D] a datasheet,
 * [C] a public SPICE model, [R] a reconstruction or assumption, [cal] calibrated here
 * (docs/model.md says how). */
#include "uclif/params.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "uclif/numeric.h"
#include "uclif/units.h"

typedef struct key_entry {
  ucl_param_info info;
  size_t offset; /* into ucl_params */
} key_entry;

#define CIRC(f) offsetof(ucl_params, circuit.f)
#define STIM(f) offsetof(ucl_params, stim.f)
#define SOLV(f) offsetof(ucl_params, solver.f)
#define NOIS(f) offsetof(ucl_params, noise.f)
#define REAL(name, sec, dom, unit, def, applies, desc, prov, off)                                  \
  { {name, sec, UCL_PARAM_REAL, dom, unit, def, "", applies, desc, prov}, off }
#define COUNT(name, sec, def, applies, desc, prov, off)                                            \
  { {name, sec, UCL_PARAM_COUNT, UCL_DOMAIN_NONNEG, "", def, "", applies, desc, prov}, off }
#define C_ UCL_SECTION_CIRCUIT
#define S_ UCL_SECTION_STIMULUS
#define V_ UCL_SECTION_SOLVER
#define N_ UCL_SECTION_NOISE
#define POS UCL_DOMAIN_POSITIVE
#define NNEG UCL_DOMAIN_NONNEG
#define ANY UCL_DOMAIN_ANY

static const key_entry keys[] = {
    {{"neuron", C_, UCL_PARAM_CHOICE, ANY, "", 0, "type1|type2|mott", "",
      "neuron block: type1 (Fig. 1b), type2 (Fig. 3, adaptation loop) or mott (a Mott "
      "threshold switch in place of SCR, R1, R2)",
      "[P] Figs. 1b, 3; mott: the paper's outlook"},
     CIRC(neuron)},
    REAL("R_in", C_, POS, "Ohm", 10e3, "", "input series resistance (source to diode D)",
         "[R] docs/model.md R4: not in the paper; 10k like the Fig. 4 synapses", CIRC(R_in)),
    REAL("C", C_, POS, "F", 15e-9, "", "membrane capacitor (C1 in type II)", "[P] Table 1",
         CIRC(C)),
    REAL("R1", C_, POS, "Ohm", 68e3, "type1|type2", "anode-to-gate resistor (sets the threshold)",
         "[P] Table 1; placement [R] docs/model.md R1", CIRC(R1)),
    REAL("R2", C_, POS, "Ohm", 390e3, "type1|type2", "gate-to-ground resistor (leak path R1+R2)",
         "[P] Table 1; placement [R] docs/model.md R1", CIRC(R2)),
    REAL("R3", C_, POS, "Ohm", 1.5e3, "", "cathode resistor (discharge path, V_R3 drives T1)",
         "[P] Table 1", CIRC(R3)),
    REAL("R4", C_, POS, "Ohm", 10e3, "", "pull-up from VDD to T1 drain / T2 gate",
         "[P] value; placement [R] docs/model.md R6", CIRC(R4)),
    REAL("R5", C_, POS, "Ohm", 4.7e3, "", "pull-down of the T2 drain (axon node)",
         "[P] value; placement [R] docs/model.md R8", CIRC(R5)),
    REAL("R6", C_, POS, "Ohm", 4.7e3, "", "resistor from the axon node (the output) to node out",
         "[P] value; placement [R] docs/model.md R8", CIRC(R6)),
    REAL("R7", C_, POS, "Ohm", 100e3, "type2",
         "adaptation resistor: across C2 (loop = peak) or from ax into C2 (series); time R7*C2",
         "[P] value; placement [R] docs/model.md R9", CIRC(R7)),
    REAL("C2", C_, POS, "F", 22e-9, "type2", "adaptation capacitor", "[P] Table 1", CIRC(C2)),
    {{"loop", C_, UCL_PARAM_CHOICE, ANY, "", 0, "peak|series", "type2",
      "adaptation loop wiring: peak (ax-R6-D2 into C2, R7 across C2: a leaky peak detector) or "
      "series (ax-R7 into C2: charged and discharged through R7)",
      "[R] docs/model.md R9, M10a/M10b"},
     CIRC(loop)},
    REAL("VDD", C_, POS, "V", 10.0, "", "axon supply voltage",
         "[R] docs/model.md R7: not in the paper; 5-15 V plausible", CIRC(VDD)),
    REAL("temp", C_, POS, "K", 300.15, "",
         "device temperature: U_T = kT/q and every device value (docs/model.md, Temperature)",
         "[R] SPICE default 27 C", CIRC(temp)),
    /* ---- temperature: how each device value moves with temp (docs/model.md, Temperature) ---- */
    REAL("tnom", C_, POS, "K", 300.15, "",
         "temperature at which every device value is given (at temp = tnom nothing is scaled)",
         "[R] SPICE's TNOM, 27 C", CIRC(tnom)),
#define RTC(r, applies)                                                                            \
  REAL(#r ".tc1", C_, ANY, "1/K", 0.0, applies,                                                    \
       #r " linear temperature coefficient: R(T) = R*(1 + tc1*dT + tc2*dT^2), dT = temp - tnom",   \
       "[R] 0 (metal film: about +-50 ppm/K, 0.25 % over 50 K)", CIRC(tc.r.tc1)),                  \
      REAL(#r ".tc2", C_, ANY, "1/K^2", 0.0, applies, #r " quadratic temperature coefficient",     \
           "[R] 0 (metal film)", CIRC(tc.r.tc2))
    RTC(R_in, ""),
    RTC(R1, "type1|type2"),
    RTC(R2, "type1|type2"),
    RTC(R3, ""),
    RTC(R4, ""),
    RTC(R5, ""),
    RTC(R6, ""),
    RTC(R7, "type2"),
#undef RTC
    REAL("D.EG", C_, POS, "eV", 1.11, "",
         "input diode D activation energy: Is(T) = Is*(T/tnom)^(XTI/n)*exp((T/tnom-1)*EG/(n*U_T))",
         "[C] SPICE default, silicon (the 1N4148 model gives none)", CIRC(D.EG)),
    REAL("D.XTI", C_, ANY, "", 3.0, "", "input diode D saturation-current temperature exponent",
         "[C] SPICE default, pn junction", CIRC(D.XTI)),
    REAL("D2.EG", C_, POS, "eV", 1.11, "type2", "feedback diode D2 activation energy (as D.EG)",
         "[C] SPICE default, silicon", CIRC(D2.EG)),
    REAL("D2.XTI", C_, ANY, "", 3.0, "type2",
         "feedback diode D2 saturation-current temperature exponent", "[C] SPICE default",
         CIRC(D2.XTI)),
    REAL("scr.EG_gk", C_, POS, "eV", 1.11, "type1|type2",
         "SCR gate-cathode junction activation energy (hybrid form; as D.EG)",
         "[R] silicon junction, SPICE default", CIRC(scr.EG_gk)),
    REAL("scr.XTI_gk", C_, ANY, "", 3.0, "type1|type2",
         "SCR gate-cathode junction saturation-current temperature exponent (hybrid form)",
         "[R] pn junction, SPICE default", CIRC(scr.XTI_gk)),
    REAL("scr.tc_I_GT", C_, ANY, "1/K", -0.012, "type1|type2",
         "SCR I_GT temperature coefficient (hybrid form): I_GT(T) = I_GT*exp(tc_I_GT*(T - tnom))",
         "[R] datasheet trend [D]: sensitive-gate SCRs (CR02AM class) x2.2 at -40 C, x0.3 at "
         "125 C (docs/model.md, Temperature)",
         CIRC(scr.tc_I_GT)),
    REAL("scr.tc_I_H", C_, ANY, "1/K", -0.008, "type1|type2",
         "SCR I_H and I_L temperature coefficient (hybrid form): exp(tc_I_H*(T - tnom))",
         "[R] datasheet trend [D]: x1.7 at -40 C, x0.45 at 125 C (docs/model.md, Temperature)",
         CIRC(scr.tc_I_H)),
    REAL("scr.EG", C_, POS, "eV", 1.11, "two_transistor",
         "SCR transistors' activation energy: IS(T) = IS*(T/tnom)^XTI*exp((T/tnom-1)*EG/U_T)",
         "[C] SPICE default, silicon", CIRC(scr.EG)),
    REAL("scr.XTI", C_, ANY, "", 3.0, "two_transistor", "SCR transistors' IS temperature exponent",
         "[C] SPICE default", CIRC(scr.XTI)),
    REAL("scr.XTB", C_, ANY, "", 1.5, "two_transistor",
         "SCR transistors' gain temperature exponent: BF, BR times (T/tnom)^XTB",
         "[C] public small-signal BJT models (2N3904 class); SPICE default 0", CIRC(scr.XTB)),
#define MOSTC(t, applies, def_tcv, prov_tcv)                                                       \
  REAL(#t ".tcv", C_, ANY, "V/K", def_tcv, applies,                                                \
       #t " threshold temperature coefficient: Vth(T) = Vth + tcv*(T - tnom)", prov_tcv,           \
       CIRC(t.tcv)),                                                                               \
      REAL(#t ".bex", C_, ANY, "", -1.5, applies,                                                  \
           #t " mobility temperature exponent: KP(T) = KP*(T/tnom)^bex",                           \
           "[R] EKV BEX / BSIM UTE default (mobility ~ T^-1.5)", CIRC(t.bex))
    MOSTC(T1, "", -3e-3,
          "[R] typical of logic-level MOSFETs (-2..-5 mV/K); none in the IRLML6246 table"),
    MOSTC(T2, "", -4e-3,
          "[R] typical of p-channel DMOS (-3..-6 mV/K, of |V_GS(th)|); none in the ZVP3310A table"),
    MOSTC(T3, "type2", -3e-3, "[R] as T1.tcv (IRLML6246)"),
#undef MOSTC
    REAL("V_m0", C_, ANY, "V", 0.0, "", "initial membrane voltage", "[R] circuit at rest",
         CIRC(V_m0)),
    REAL("V_f0", C_, ANY, "V", 0.0, "type2", "initial C2 voltage", "[R] circuit at rest",
         CIRC(V_f0)),
    REAL("D.Is", C_, POS, "A", 2.52e-9, "", "input diode D (1N4148) saturation current",
         "[C] LTspice standard.dio 1N4148", CIRC(D.Is)),
    REAL("D.n", C_, POS, "", 1.752, "", "input diode D ideality factor",
         "[C] LTspice standard.dio 1N4148", CIRC(D.n)),
    REAL("D.Rs", C_, NNEG, "Ohm", 0.568, "", "input diode D series resistance",
         "[C] LTspice standard.dio 1N4148", CIRC(D.Rs)),
    REAL("D2.Is", C_, POS, "A", 2.52e-9, "type2", "feedback diode D2 (1N4148) saturation current",
         "[C] LTspice standard.dio 1N4148", CIRC(D2.Is)),
    REAL("D2.n", C_, POS, "", 1.752, "type2", "feedback diode D2 ideality factor",
         "[C] LTspice standard.dio 1N4148", CIRC(D2.n)),
    REAL("D2.Rs", C_, NNEG, "Ohm", 0.568, "type2", "feedback diode D2 series resistance",
         "[C] LTspice standard.dio 1N4148", CIRC(D2.Rs)),
    REAL("scr.I_GT", C_, POS, "A", 22.65e-6, "type1|type2",
         "SCR gate trigger current (hybrid form)",
         "[cal] onset 5.00 V at 10us/100us pulses with R_in=10k (docs/model.md); CR02AM "
         "ranks A/B: 1-50 uA [D]",
         CIRC(scr.I_GT)),
    REAL("scr.I_H", C_, POS, "A", 0.2e-3, "type1|type2",
         "SCR holding current (unlatch below it) (hybrid form)",
         "[R] docs/model.md D; datasheet max 3 mA at R_GK=1k [D]", CIRC(scr.I_H)),
    REAL("scr.I_L", C_, NNEG, "A", 0.4e-3, "type1|type2",
         "SCR latching current (on-state current needed) (hybrid form)",
         "[R] docs/model.md D: 2*I_H; not in the datasheet", CIRC(scr.I_L)),
    REAL("scr.V_T0", C_, NNEG, "V", 0.7, "type1|type2",
         "SCR on-state threshold voltage (hybrid form)",
         "[R] docs/model.md D; V_TM <= 1.6 V at 0.6 A [D]", CIRC(scr.V_T0)),
    REAL("scr.R_T", C_, NNEG, "Ohm", 10.0, "type1|type2",
         "SCR on-state slope resistance (hybrid form)", "[R] docs/model.md D", CIRC(scr.R_T)),
    REAL("scr.R_off", C_, POS, "Ohm", 10e9, "type1|type2",
         "SCR off-state anode-cathode leakage resistance", "[R] 25 C leakage not in the datasheet",
         CIRC(scr.R_off)),
    REAL("scr.Is_gk", C_, POS, "A", 1e-14, "type1|type2",
         "SCR gate-cathode junction saturation current (hybrid form)",
         "[R] docs/model.md D: V_GK ~0.54 V at 10 uA", CIRC(scr.Is_gk)),
    REAL("scr.n_gk", C_, POS, "", 1.0, "type1|type2",
         "SCR gate-cathode junction ideality factor (hybrid form)", "[R] docs/model.md D",
         CIRC(scr.n_gk)),
    {{"scr.model", C_, UCL_PARAM_CHOICE, ANY, "", 0, "hybrid|two_transistor", "type1|type2",
      "SCR form: hybrid (latch state, I_GT/I_H/I_L given) or two_transistor (PNP+NPN pair with "
      "R_GK and charges: latching by regeneration)",
      "[R] docs/model.md SCR forms"},
     CIRC(scr.model)},
    REAL("scr.R_GK", C_, POS, "Ohm", 27e3, "two_transistor",
         "SCR internal gate-cathode resistance (sets I_GT)",
         "[R] docs/model.md S7: I_GT 18.6 uA on the curve tracer, near the hybrid's 22.65 uA",
         CIRC(scr.R_GK)),
#define BJT(tr, f, dom, unit, def, desc, prov)                                                     \
  REAL("scr." #tr "." #f, C_, dom, unit, def, "two_transistor", desc, prov, CIRC(scr.tr.f))
    BJT(pnp, IS, POS, "A", 1e-14, "SCR PNP (anode side) transport saturation current",
        "[R] docs/model.md S7: as the NPN's"),
    BJT(pnp, BF, POS, "", 0.1438, "SCR PNP forward current gain (sets I_H, and so the onset)",
        "[cal] onset 5.00 V at 10us/100us pulses with R_in=10k (docs/model.md, Calibration)"),
    BJT(pnp, BR, POS, "", 1.0, "SCR PNP reverse current gain", "[R] SPICE default"),
    BJT(pnp, TF, NNEG, "s", 200e-9, "SCR PNP forward transit time",
        "[R] docs/model.md S7: wide n-base"),
    BJT(pnp, TR, NNEG, "s", 1e-6, "SCR PNP reverse transit time",
        "[R] docs/model.md S7: stored charge of the on-state"),
    BJT(pnp, CJE, POS, "F", 20e-12, "SCR PNP emitter (anode) junction capacitance",
        "[R] docs/model.md S7: TO-92 thyristor, tens of pF"),
    BJT(pnp, CJC, POS, "F", 10e-12, "SCR PNP collector (centre) junction capacitance",
        "[R] docs/model.md S7"),
    BJT(npn, IS, POS, "A", 1e-14, "SCR NPN (cathode side) transport saturation current",
        "[R] docs/model.md S7: V_GK ~0.54 V at 10 uA, as the hybrid's gate junction"),
    BJT(npn, BF, POS, "", 100.0, "SCR NPN forward current gain",
        "[R] docs/model.md S7: thin p-base"),
    BJT(npn, BR, POS, "", 1.0, "SCR NPN reverse current gain", "[R] SPICE default"),
    BJT(npn, TF, NNEG, "s", 20e-9, "SCR NPN forward transit time",
        "[R] docs/model.md S7: thin p-base"),
    BJT(npn, TR, NNEG, "s", 1e-6, "SCR NPN reverse transit time",
        "[R] docs/model.md S7: stored charge of the on-state"),
    BJT(npn, CJE, POS, "F", 20e-12, "SCR NPN emitter (cathode) junction capacitance",
        "[R] docs/model.md S7"),
    BJT(npn, CJC, POS, "F", 10e-12, "SCR NPN collector (centre) junction capacitance",
        "[R] docs/model.md S7"),
#undef BJT
    {{"scr.start", C_, UCL_PARAM_CHOICE, ANY, "", 0, "off|on", "type1|type2",
      "SCR state at t = 0 (on: conducting, e.g. to measure the discharge after a latch)",
      "[R] docs/model.md S8"},
     CIRC(scr.start_on)},
    REAL("scr.I_A_latch", C_, POS, "A", 0.4e-3, "two_transistor",
         "latch event: the anode current rises through this level",
         "[R] docs/model.md S6: between the pre-latch current (tens of uA) and the on-state (mA)",
         CIRC(scr.I_A_latch)),
    REAL("scr.I_A_unlatch", C_, POS, "A", 0.05e-3, "two_transistor",
         "unlatch event: the anode current falls through this level",
         "[R] docs/model.md S6: below I_H, passed within ~1 us once the device lets go",
         CIRC(scr.I_A_unlatch)),
    REAL("mott.R_off", C_, POS, "Ohm", 458e3, "mott", "Mott switch: insulating resistance",
         "[R] docs/model.md Mott soma: R1 + R2, the SCR soma's leak", CIRC(mott.R_off)),
    REAL("mott.R_on", C_, POS, "Ohm", 10.0, "mott", "Mott switch: metallic resistance",
         "[R] docs/model.md Mott soma: the SCR's R_T", CIRC(mott.R_on)),
    REAL("mott.V_th", C_, POS, "V", 2.234, "mott", "Mott switch: switch-on voltage",
         "[R] docs/model.md Mott soma: the SCR soma's membrane threshold", CIRC(mott.V_th)),
    REAL("mott.I_hold", C_, POS, "A", 0.2e-3, "mott", "Mott switch: hold current (off below)",
         "[R] docs/model.md Mott soma: the SCR's I_H", CIRC(mott.I_hold)),
    REAL("T1.Vth", C_, POS, "V", 0.8, "", "T1 (IRLML6246, n) threshold |V_GS(th)| at T1.Ith",
         "[D] IRLML6246 typ 0.8 V (0.5-1.1)", CIRC(T1.Vth)),
    REAL("T1.Ith", C_, POS, "A", 5e-6, "", "T1 drain current that defines T1.Vth",
         "[D] IRLML6246 test condition (uA scale)", CIRC(T1.Ith)),
    REAL("T1.KP", C_, POS, "A/V^2", 9.0, "", "T1 transconductance factor",
         "[R] docs/model.md D level-1 fit to R_DS(on)", CIRC(T1.KP)),
    REAL("T1.n", C_, POS, "", 1.5, "", "T1 subthreshold slope factor",
         "[R] ~90 mV/decade, typical of power MOSFETs", CIRC(T1.n)),
    REAL("T2.Vth", C_, POS, "V", 2.5, "", "T2 (ZVP3310A, p) threshold |V_GS(th)| at T2.Ith",
         "[D] ZVP3310A 1.5-3.5 V, mid value", CIRC(T2.Vth)),
    REAL("T2.Ith", C_, POS, "A", 1e-3, "", "T2 drain current that defines T2.Vth",
         "[D] ZVP3310A test condition", CIRC(T2.Ith)),
    REAL("T2.KP", C_, POS, "A/V^2", 6.7e-3, "", "T2 transconductance factor",
         "[R] docs/model.md D: 20 Ohm at |V_GS| = 10 V", CIRC(T2.KP)),
    REAL("T2.n", C_, POS, "", 1.5, "", "T2 subthreshold slope factor", "[R]", CIRC(T2.n)),
    REAL("T3.Vth", C_, POS, "V", 0.8, "type2", "T3 (IRLML6246, n) threshold |V_GS(th)| at T3.Ith",
         "[D] IRLML6246 typ 0.8 V (0.5-1.1)", CIRC(T3.Vth)),
    REAL("T3.Ith", C_, POS, "A", 5e-6, "type2", "T3 drain current that defines T3.Vth",
         "[D] IRLML6246 test condition (uA scale)", CIRC(T3.Ith)),
    REAL("T3.KP", C_, POS, "A/V^2", 9.0, "type2", "T3 transconductance factor",
         "[R] docs/model.md D", CIRC(T3.KP)),
    REAL("T3.n", C_, POS, "", 1.5, "type2", "T3 subthreshold slope factor",
         "[R] docs/model.md R10: adaptation depends on it", CIRC(T3.n)),

    {{"kind", S_, UCL_PARAM_CHOICE, ANY, "", 2, "dc|step|pulses|staircase", "", "stimulus waveform",
      "[P] Fig. 2 uses pulses / a staircase"},
     STIM(kind)},
    REAL("amplitude", S_, ANY, "V", 6.0, "dc|step|pulses", "source voltage when on",
         "[P] Fig. 2 range 2-7 V", STIM(amplitude)),
    REAL("width", S_, NNEG, "s", 10e-6, "step|pulses|staircase",
         "pulse flat-top width (step: length, 0 = forever)", "[P] Fig. 2: 10 us", STIM(width)),
    REAL("period", S_, POS, "s", 100e-6, "pulses|staircase", "pulse period", "[P] Fig. 2: 100 us",
         STIM(period)),
    REAL("start", S_, NNEG, "s", 0.0, "step|pulses|staircase", "time of the first edge", "[R]",
         STIM(start)),
    REAL("rise", S_, NNEG, "s", 0.0, "pulses|staircase", "linear rise time of each pulse",
         "[R] ideal edges; the DAQ generates at 100 kS/s [P]", STIM(rise)),
    REAL("fall", S_, NNEG, "s", 0.0, "pulses|staircase", "linear fall time of each pulse", "[R]",
         STIM(fall)),
    COUNT("count", S_, 0, "pulses", "number of pulses (0 = unlimited)", "[R]", STIM(count)),
    REAL("burst_on", S_, NNEG, "s", 0.0, "pulses",
         "pulses only in the first burst_on of each burst_period (0 = no bursts)", "[R]",
         STIM(burst_on)),
    REAL("burst_period", S_, NNEG, "s", 0.0, "pulses", "burst repetition period", "[R]",
         STIM(burst_period)),
    REAL("amp_start", S_, ANY, "V", 2.0, "staircase", "first staircase level", "[P] Fig. 2: 2 V",
         STIM(amp_start)),
    REAL("amp_stop", S_, ANY, "V", 7.0, "staircase", "last staircase level", "[P] Fig. 2: 7 V",
         STIM(amp_stop)),
    REAL("amp_step", S_, POS, "V", 1.0, "staircase", "staircase level increment", "[R]",
         STIM(amp_step)),
    COUNT("level_pulses", S_, 100, "staircase", "pulses per staircase level", "[R]",
          STIM(level_pulses)),
    REAL("duration", S_, POS, "s", 20e-3, "", "simulated time (t_end)", "[R]", STIM(duration)),

    REAL("rtol", V_, POS, "", 1e-4, "", "CVODE relative tolerance (energy integrals use rtol/10)",
         "[R] spike times within 6 ns of rtol=1e-10 (docs/model.md)", SOLV(rtol)),
    REAL("atol", V_, POS, "V", 1e-8, "", "CVODE absolute tolerance of voltages", "[R]", SOLV(atol)),
    REAL("atol_energy", V_, POS, "J", 1e-15, "", "absolute tolerance of the energy integrals",
         "[R]", SOLV(atol_energy)),
    REAL("max_step", V_, NNEG, "s", 0.0, "",
         "step cap (0 = 50 us, under the shortest spike; docs/model.md)", "[R]", SOLV(max_step)),
    COUNT("max_steps", V_, 5e6, "", "steps in all before the run stops (status limit)", "[R]",
          SOLV(max_steps)),
    COUNT("chatter_events", V_, 64, "",
          "this many events within chatter_window is chattering (status chattering)", "[R]",
          SOLV(chatter_events)),
    REAL("chatter_window", V_, POS, "s", 1e-6, "", "window of the chattering test", "[R]",
         SOLV(chatter_window)),

    /* ---- noise and jitter (docs/model.md, Noise): off by default ---- */
    {{"noise.thermal", N_, UCL_PARAM_CHOICE, ANY, "", 0, "off|on", "",
      "Johnson-Nyquist noise of every resistor: 4kTR at temp, band-limited to noise.bandwidth",
      "[R] Johnson 1928, Nyquist 1928; docs/model.md, Noise"},
     NOIS(thermal)},
    REAL("noise.bandwidth", N_, POS, "Hz", 1e5, "",
         "noise bandwidth B: knots every 1/(2B), -3 dB at 0.455*B (sinc^8); the step is capped "
         "at 1/(2B) while noise is on",
         "[R] 4000 x the membrane's corner; near a gate's own RC corner (the hybrid gate node "
         "has none); docs/model.md, Noise",
         NOIS(bandwidth)),
    COUNT("noise.seed", N_, 1, "",
          "seed of every noise and jitter draw (with the point's index and the neuron's)", "[R]",
          NOIS(seed)),
    REAL("jitter.I_GT", N_, NNEG, "", 0.0, "hybrid",
         "switching jitter: sigma of ln(I_GT), a new I_GT drawn for every latch (log-normal, "
         "median scr.I_GT)",
         "[R] docs/model.md, Noise", NOIS(jitter_I_GT)),
    REAL("jitter.I_H", N_, NNEG, "", 0.0, "hybrid",
         "switching jitter: sigma of ln(I_H), a new I_H (and I_L with it) drawn for every "
         "unlatch (log-normal, median scr.I_H)",
         "[R] docs/model.md, Noise", NOIS(jitter_I_H)),
    REAL("jitter.V_th", N_, NNEG, "", 0.0, "mott",
         "switching jitter: sigma of ln(V_th), a new mott.V_th drawn for every switch-on "
         "(log-normal)",
         "[R] docs/model.md, Noise", NOIS(jitter_V_th)),
    REAL("jitter.I_hold", N_, NNEG, "", 0.0, "mott",
         "switching jitter: sigma of ln(I_hold), a new mott.I_hold drawn for every switch-off "
         "(log-normal)",
         "[R] docs/model.md, Noise", NOIS(jitter_I_hold)),
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static double *real_ptr(ucl_params *p, const key_entry *k) {
  return (double *)(void *)((char *)p + k->offset);
}
static const double *real_cptr(const ucl_params *p, const key_entry *k) {
  return (const double *)(const void *)((const char *)p + k->offset);
}
static int *int_ptr(ucl_params *p, const key_entry *k) {
  return (int *)(void *)((char *)p + k->offset);
}
static const int *int_cptr(const ucl_params *p, const key_entry *k) {
  return (const int *)(const void *)((const char *)p + k->offset);
}

size_t ucl_params_count(void) {
  return NKEYS;
}

const ucl_param_info *ucl_params_info(size_t i) {
  return i < NKEYS ? &keys[i].info : NULL;
}

static const key_entry *find_entry(const char *name) {
  for (size_t i = 0; i < NKEYS; i++) {
    if (strcmp(keys[i].info.name, name) == 0) {
      return &keys[i];
    }
  }
  return NULL;
}

const ucl_param_info *ucl_params_find(const char *name) {
  const key_entry *k = name ? find_entry(name) : NULL;
  return k ? &k->info : NULL;
}

const char *ucl_params_section_name(ucl_param_section s) {
  switch (s) {
  case UCL_SECTION_CIRCUIT:
    return "circuit";
  case UCL_SECTION_STIMULUS:
    return "stimulus";
  case UCL_SECTION_SOLVER:
    return "solver";
  case UCL_SECTION_NOISE:
    return "noise";
  }
  return "?";
}

int ucl_params_noise_on(const ucl_params *p) {
  const ucl_noise_params *z = &p->noise;
  return z->thermal || z->jitter_I_GT > 0.0 || z->jitter_I_H > 0.0 || z->jitter_V_th > 0.0 ||
         z->jitter_I_hold > 0.0;
}

void ucl_params_default(ucl_params *p) {
  memset(p, 0, sizeof(*p));
  for (size_t i = 0; i < NKEYS; i++) {
    if (keys[i].info.kind == UCL_PARAM_CHOICE) {
      *int_ptr(p, &keys[i]) = (int)keys[i].info.def;
    } else {
      *real_ptr(p, &keys[i]) = keys[i].info.def;
    }
  }
}

static ucl_status unknown_key(const char *name, ucl_diag *diag) {
  for (size_t i = 0; i < NKEYS; i++) {
    if (strcasecmp(keys[i].info.name, name) == 0) {
      return ucl_diag_set(diag, UCL_ERR_INVAL, "unknown parameter '%s' (did you mean '%s'?)", name,
                          keys[i].info.name);
    }
  }
  return ucl_diag_set(diag, UCL_ERR_INVAL, "unknown parameter '%s' (`uclif params` lists them all)",
                      name);
}

static ucl_status check_domain(const ucl_param_info *in, double v, ucl_diag *diag) {
  if (!isfinite(v)) {
    return ucl_diag_set(diag, UCL_ERR_RANGE, "%s must be finite", in->name);
  }
  if (in->domain == UCL_DOMAIN_POSITIVE && !(v > 0.0)) {
    return ucl_diag_set(diag, UCL_ERR_RANGE, "%s must be > 0 (got %g%s%s)", in->name, v,
                        in->unit[0] ? " " : "", in->unit);
  }
  if (in->domain == UCL_DOMAIN_NONNEG && !(v >= 0.0)) {
    return ucl_diag_set(diag, UCL_ERR_RANGE, "%s must be >= 0 (got %g%s%s)", in->name, v,
                        in->unit[0] ? " " : "", in->unit);
  }
  if (in->kind == UCL_PARAM_COUNT && (v != floor(v) || v > 1e15)) {
    return ucl_diag_set(diag, UCL_ERR_RANGE, "%s must be a whole number (got %g)", in->name, v);
  }
  return UCL_OK;
}

/* Index of 'text' in a '|'-separated list, or -1. */
static int choice_index(const char *choices, const char *text) {
  size_t len = strlen(text);
  int idx = 0;
  const char *c = choices;
  while (*c) {
    const char *bar = strchr(c, '|');
    size_t n = bar ? (size_t)(bar - c) : strlen(c);
    if (n == len && strncmp(c, text, n) == 0) {
      return idx;
    }
    idx++;
    if (!bar) {
      break;
    }
    c = bar + 1;
  }
  return -1;
}

ucl_status ucl_params_set_value(ucl_params *p, const char *name, double value, ucl_diag *diag) {
  const key_entry *k = find_entry(name);
  if (!k) {
    return unknown_key(name, diag);
  }
  if (k->info.kind == UCL_PARAM_CHOICE) {
    int n = 1;
    for (const char *c = k->info.choices; *c; c++) {
      n += (*c == '|');
    }
    if (value != floor(value) || value < 0 || value >= n) {
      return ucl_diag_set(diag, UCL_ERR_RANGE, "%s: %g is not one of %s", name, value,
                          k->info.choices);
    }
    *int_ptr(p, k) = (int)value;
    return UCL_OK;
  }
  ucl_status st = check_domain(&k->info, value, diag);
  if (st != UCL_OK) {
    return st;
  }
  *real_ptr(p, k) = value;
  return UCL_OK;
}

ucl_status ucl_params_set(ucl_params *p, const char *name, const char *text, ucl_diag *diag) {
  const key_entry *k = find_entry(name);
  if (!k) {
    return unknown_key(name, diag);
  }
  if (k->info.kind == UCL_PARAM_CHOICE) {
    char word[64];
    size_t i = 0;
    const char *s = text;
    while (*s == ' ' || *s == '\t') {
      s++;
    }
    while (*s && *s != ' ' && *s != '\t' && i + 1 < sizeof(word)) {
      word[i++] = *s++;
    }
    word[i] = '\0';
    int idx = choice_index(k->info.choices, word);
    if (idx < 0) {
      return ucl_diag_set(diag, UCL_ERR_PARSE, "%s: '%s' is not one of %s", name, text,
                          k->info.choices);
    }
    *int_ptr(p, k) = idx;
    return UCL_OK;
  }
  double v = 0.0;
  ucl_status st = ucl_units_parse(text, k->info.unit, &v, diag);
  if (st != UCL_OK) {
    ucl_diag_prefix(diag, "%s: ", name);
    return st;
  }
  return ucl_params_set_value(p, name, v, diag);
}

ucl_status ucl_params_get(const ucl_params *p, const char *name, double *out) {
  const key_entry *k = find_entry(name);
  if (!k) {
    return UCL_ERR_INVAL;
  }
  *out = k->info.kind == UCL_PARAM_CHOICE ? (double)*int_cptr(p, k) : *real_cptr(p, k);
  return UCL_OK;
}

void ucl_params_format(const ucl_params *p, const ucl_param_info *info, char *buf, size_t size) {
  const key_entry *k = find_entry(info->name);
  if (!k || size == 0) {
    return;
  }
  if (info->kind == UCL_PARAM_CHOICE) {
    int idx = *int_cptr(p, k);
    const char *c = info->choices;
    for (int i = 0; i < idx && c; i++) {
      c = strchr(c, '|');
      c = c ? c + 1 : NULL;
    }
    const char *bar = c ? strchr(c, '|') : NULL;
    int n = c ? (bar ? (int)(bar - c) : (int)strlen(c)) : 1;
    snprintf(buf, size, "%.*s", n, c ? c : "?");
    return;
  }
  snprintf(buf, size, "%.17g", *real_cptr(p, k));
}

ucl_status ucl_params_validate(const ucl_params *p, const char **bad_key, ucl_diag *diag) {
  const char *bad = NULL;
  ucl_status st = UCL_OK;
  /* Single-key domains again: a struct filled by hand bypasses ucl_params_set. */
  for (size_t i = 0; i < NKEYS && st == UCL_OK; i++) {
    if (keys[i].info.kind != UCL_PARAM_CHOICE) {
      st = check_domain(&keys[i].info, *real_cptr(p, &keys[i]), diag);
      bad = keys[i].info.name;
    }
  }
  if (st != UCL_OK) {
    goto done;
  }
  bad = NULL;
  const ucl_stimulus_params *s = &p->stim;
  if (s->kind == UCL_STIM_PULSES || s->kind == UCL_STIM_STAIRCASE) {
    if (!(s->width > 0.0)) {
      bad = "width";
      st = ucl_diag_set(diag, UCL_ERR_RANGE, "width must be > 0 for a pulse train");
    } else if (!ucl_le_tol(s->rise + s->width + s->fall, s->period)) {
      bad = "width";
      st = ucl_diag_set(
          diag, UCL_ERR_RANGE,
          "a pulse (rise + width + fall = %.12g s) does not fit in its period (%.12g s)",
          s->rise + s->width + s->fall, s->period);
    }
  }
  if (st == UCL_OK && p->noise.bandwidth > 1e9) {
    /* knots 0.5 ns apart; beyond, a run's knot count nears what a double counts exactly */
    bad = "noise.bandwidth";
    st = ucl_diag_set(diag, UCL_ERR_RANGE,
                      "noise.bandwidth (%g Hz) must be at most 1 GHz (knots every 0.5 ns)",
                      p->noise.bandwidth);
  }
  if (st == UCL_OK && s->kind == UCL_STIM_PULSES && s->burst_on > 0.0 &&
      ucl_le_tol(s->burst_period, s->burst_on)) {
    bad = "burst_period";
    st = ucl_diag_set(diag, UCL_ERR_RANGE, "burst_period (%g s) must exceed burst_on (%g s)",
                      s->burst_period, s->burst_on);
  }
  if (st == UCL_OK && s->kind == UCL_STIM_STAIRCASE) {
    if (!(s->level_pulses >= 1.0)) {
      bad = "level_pulses";
      st = ucl_diag_set(diag, UCL_ERR_RANGE, "level_pulses must be >= 1");
    } else if (!ucl_le_tol(s->amp_start, s->amp_stop)) {
      bad = "amp_stop";
      st = ucl_diag_set(diag, UCL_ERR_RANGE, "amp_stop (%g V) is below amp_start (%g V)",
                        s->amp_stop, s->amp_start);
    } else if ((s->amp_stop - s->amp_start) / s->amp_step > 1e6) {
      bad = "amp_step";
      st = ucl_diag_set(diag, UCL_ERR_RANGE, "the staircase has more than 1e6 levels");
    }
  }
  const ucl_scr_params *scr = &p->circuit.scr;
  if (st == UCL_OK && scr->model == UCL_SCR_TWO_TRANSISTOR &&
      !(scr->I_A_unlatch < scr->I_A_latch)) {
    bad = "scr.I_A_unlatch";
    st = ucl_diag_set(diag, UCL_ERR_RANGE,
                      "scr.I_A_unlatch (%g A) must be below scr.I_A_latch (%g A): the two event "
                      "levels are a hysteresis",
                      scr->I_A_unlatch, scr->I_A_latch);
  }
  if (st == UCL_OK && p->solver.chatter_events < 2) {
    bad = "chatter_events";
    st = ucl_diag_set(diag, UCL_ERR_RANGE, "chatter_events must be >= 2");
  }
  if (st == UCL_OK && p->solver.max_steps < 1) {
    bad = "max_steps";
    st = ucl_diag_set(diag, UCL_ERR_RANGE, "max_steps must be >= 1");
  }
done:
  if (st != UCL_OK && bad_key) {
    *bad_key = bad;
  }
  return st;
}

/* One warning into out[*k] when there is room; *k counts every warning found. */
static void warn(ucl_param_warning *out, size_t n, size_t *k, int code, const char *key,
                 const char *fmt, ...) UCL_PRINTF(6, 7);
static void warn(ucl_param_warning *out, size_t n, size_t *k, int code, const char *key,
                 const char *fmt, ...) {
  if (*k < n) {
    out[*k].code = code;
    out[*k].key = key;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out[*k].msg, sizeof(out[*k].msg), fmt, ap);
    va_end(ap);
  }
  (*k)++;
}

/* A MOSFET threshold outside its part's datasheet spread (min and max of V_GS(th), the key
 * table's [D] provenance): the circuit runs, but no part bought as that number behaves so. */
static void warn_vth(ucl_param_warning *out, size_t n, size_t *k, int code, const char *key,
                     double vth, const char *part, double lo, double hi) {
  if (!(vth >= lo && vth <= hi)) {
    warn(out, n, k, code, key,
         "%s = %g V is outside the %s datasheet spread of V_GS(th) (%g to %g V)", key, vth, part,
         lo, hi);
  }
}

size_t ucl_params_warnings(const ucl_params *p, ucl_param_warning *out, size_t n) {
  size_t k = 0;
  const ucl_circuit_params *c = &p->circuit;
  const ucl_scr_params *scr = &c->scr;
  int has_scr = c->neuron != UCL_NEURON_MOTT;
  /* Latching needs more anode current than holding (datasheets: I_L about 2-3 times I_H). The
   * hybrid form still runs with I_L < I_H: its latch condition (M11) then only asks for I_H's
   * on-state current in effect, since a latch below I_H lets go at once (M12). */
  if (has_scr && scr->model == UCL_SCR_HYBRID && !ucl_le_tol(scr->I_H, scr->I_L)) {
    warn(out, n, &k, UCL_PWARN_I_L_BELOW_I_H, "scr.I_L",
         "scr.I_L (%g A) is below scr.I_H (%g A): a thyristor's latching current is above its "
         "holding current (datasheets: 2-3 times)",
         scr->I_L, scr->I_H);
  }
  warn_vth(out, n, &k, UCL_PWARN_T1_VTH, "T1.Vth", c->T1.Vth, "IRLML6246", 0.5, 1.1);
  warn_vth(out, n, &k, UCL_PWARN_T2_VTH, "T2.Vth", c->T2.Vth, "ZVP3310A", 1.5, 3.5);
  if (c->neuron == UCL_NEURON_TYPE2) {
    warn_vth(out, n, &k, UCL_PWARN_T3_VTH, "T3.Vth", c->T3.Vth, "IRLML6246", 0.5, 1.1);
  }
  if (has_scr && scr->model == UCL_SCR_TWO_TRANSISTOR) {
    /* The pair regenerates only when its loop gain alpha_p + alpha_n can pass 1, i.e. when
     * BF_p * BF_n > 1 (docs/model.md S7). */
    double bf_p = scr->pnp.BF, bf_n = scr->npn.BF;
    if (!(bf_p * bf_n > 1.0)) {
      warn(out, n, &k, UCL_PWARN_TT_LOOP_GAIN, "scr.pnp.BF",
           "scr.pnp.BF * scr.npn.BF = %g is not above 1: the pair cannot regenerate and the SCR "
           "never latches",
           bf_p * bf_n);
    } else {
      /* Its holding current, estimated as docs/model.md S7 does: I_H ~ V_GK / (R_GK * (alpha_p -
       * (1 - alpha_p) / BF_n)) with V_GK = 0.6 V (a silicon junction at a fraction of a mA; the
       * curve tracer measures 0.20 mA for the defaults, this gives 0.19 mA). */
      double a_p = bf_p / (1.0 + bf_p);
      double i_h = 0.6 / (scr->R_GK * (a_p - (1.0 - a_p) / bf_n));
      if (!(scr->I_A_latch > i_h)) {
        warn(out, n, &k, UCL_PWARN_TT_LATCH_LEVEL, "scr.I_A_latch",
             "scr.I_A_latch (%g A) is not above the pair's holding current (about %.2g A): a "
             "latch may be reported for an excursion that does not hold",
             scr->I_A_latch, i_h);
      }
      if (!(scr->I_A_unlatch < i_h)) {
        warn(out, n, &k, UCL_PWARN_TT_UNLATCH_LEVEL, "scr.I_A_unlatch",
             "scr.I_A_unlatch (%g A) is not below the pair's holding current (about %.2g A): an "
             "unlatch may be reported while the SCR still conducts",
             scr->I_A_unlatch, i_h);
      }
    }
  }
  /* Jitter moves a threshold parameter: the hybrid SCR's I_GT and I_H, the Mott switch's V_th and
   * I_hold; the two-transistor SCR has none (it latches by regeneration). A key set for another
   * form changes nothing: say so (the first such key). */
  const ucl_noise_params *z = &p->noise;
  const int hybrid = has_scr && scr->model == UCL_SCR_HYBRID;
  const struct {
    const char *key;
    double v;
    int applies;
  } jit[] = {{"jitter.I_GT", z->jitter_I_GT, hybrid},
             {"jitter.I_H", z->jitter_I_H, hybrid},
             {"jitter.V_th", z->jitter_V_th, !has_scr},
             {"jitter.I_hold", z->jitter_I_hold, !has_scr}};
  for (size_t j = 0; j < sizeof(jit) / sizeof(jit[0]); j++) {
    if (jit[j].v > 0.0 && !jit[j].applies) {
      warn(out, n, &k, UCL_PWARN_JITTER_UNUSED, jit[j].key, "%s = %g changes nothing: %s",
           jit[j].key, jit[j].v,
           !has_scr ? "a Mott soma's jitter keys are jitter.V_th and jitter.I_hold"
           : hybrid ? "the hybrid SCR's jitter keys are jitter.I_GT and jitter.I_H"
                    : "the two-transistor SCR latches by regeneration and has no thresholds to "
                      "draw (noise.thermal applies)");
      break;
    }
  }
  return k;
}
