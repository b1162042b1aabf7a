/* params.h — every tunable of a simulation: circuit components, device models, stimulus and
 * solver settings. Values live in a plain struct (SI units); a key table gives each one a name
 * (the same name in spec files, CSV columns and `--set`), a section, a unit, a default, a domain
 * and its provenance. */
#ifndef UCL_PARAMS_H
#define UCL_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "uclif/status.h"

typedef enum ucl_neuron_type {
  UCL_NEURON_TYPE1 = 0,
  UCL_NEURON_TYPE2 = 1,
  UCL_NEURON_MOTT = 2 /* a Mott threshold switch replaces the SCR, R1 and R2 */
} ucl_neuron_type;

/* Two-terminal Mott threshold switch (the paper's outlook; docs/model.md, Mott soma). */
typedef struct ucl_mott_params {
  double R_off;  /* Ohm, insulating state */
  double R_on;   /* Ohm, metallic state */
  double V_th;   /* V, switches on when the voltage across it rises through V_th */
  double I_hold; /* A, switches off when its current falls through I_hold */
} ucl_mott_params;

typedef enum ucl_stim_kind {
  UCL_STIM_DC = 0,
  UCL_STIM_STEP = 1,
  UCL_STIM_PULSES = 2,
  UCL_STIM_STAIRCASE = 3,
  UCL_STIM_REPLAY = 4 /* a recorded input played back (stim.replay); set by `uclif fit` from a
                         [recording] section, not a spec choice */
} ucl_stim_kind;

struct ucl_pwl;

/* Shockley diode with series resistance: I = Is·(exp(V_j/(n·U_T)) − 1), V = V_j + Rs·I. */
typedef struct ucl_diode_params {
  double Is; /* A, saturation current */
  double n;  /* ideality factor */
  double Rs; /* Ohm, series resistance */
  /* temperature (docs/model.md, Temperature): Is at temp from Is at tnom, as SPICE's diode */
  double EG;  /* eV, activation energy (band gap) */
  double XTI; /* saturation-current temperature exponent */
} ucl_diode_params;

/* MOSFET (EKV interpolation, subthreshold to strong inversion). Vth is the datasheet threshold:
 * the |V_GS| at which |I_D| = Ith with V_DS = V_GS; the EKV V_T0 is derived from it. For the
 * p-channel T2 all voltages and currents are magnitudes. */
typedef struct ucl_mos_params {
  double Vth; /* V, |V_GS(th)| */
  double Ith; /* A, drain current that defines Vth */
  double KP;  /* A/V², transconductance factor beta */
  double n;   /* subthreshold slope factor */
  /* temperature (docs/model.md, Temperature) */
  double tcv; /* V/K, dVth/dT (|V_GS(th)| of a p-channel device: its magnitude's slope) */
  double bex; /* mobility exponent: KP(T) = KP·(T/tnom)^bex (EKV's BEX, BSIM's UTE) */
} ucl_mos_params;

/* SCR forms (docs/model.md, SCR forms). */
typedef enum ucl_scr_form {
  UCL_SCR_HYBRID = 0,        /* latch state + gate junction, switching at located events */
  UCL_SCR_TWO_TRANSISTOR = 1 /* PNP + NPN pair with R_GK and charges: latching by regeneration */
} ucl_scr_form;

/* A bipolar transistor of the two-transistor SCR: the SPICE Gummel-Poon model reduced to its
 * transport (Ebers-Moll) core with constant junction capacitances and transit-time charges
 * (NF = NR = 1, no Early effect, no high injection, no series resistances; docs/model.md S1-S4).
 * Values at tnom (ucl_circuit_at_temp gives them at temp). */
typedef struct ucl_bjt_params {
  double IS;  /* A, transport saturation current */
  double BF;  /* forward current gain */
  double BR;  /* reverse current gain */
  double TF;  /* s, forward transit time (diffusion charge TF * I_cc) */
  double TR;  /* s, reverse transit time (diffusion charge TR * I_ec) */
  double CJE; /* F, base-emitter junction capacitance (constant) */
  double CJC; /* F, base-collector junction capacitance (constant) */
} ucl_bjt_params;

/* SCR: the hybrid form's quantities (docs/model.md M3-M6, M11-M12) and the two-transistor
 * form's devices (S1-S6); 'model' selects the form. R_off is the anode-cathode leakage path of
 * both. */
typedef struct ucl_scr_params {
  int model;    /* ucl_scr_form */
  double I_GT;  /* A, gate trigger current */
  double I_H;   /* A, holding current */
  double I_L;   /* A, latching current */
  double V_T0;  /* V, on-state threshold voltage */
  double R_T;   /* Ohm, on-state slope resistance */
  double R_off; /* Ohm, off-state anode-cathode leakage resistance */
  double Is_gk; /* A, gate-cathode junction saturation current */
  double n_gk;  /* gate-cathode junction ideality factor */
  /* two-transistor form */
  double R_GK;        /* Ohm, internal gate-cathode resistance */
  ucl_bjt_params pnp; /* emitter = anode, base = internal node n, collector = gate */
  ucl_bjt_params npn; /* collector = n, base = gate, emitter = cathode */
  double I_A_latch;   /* A, a latch event: the anode current rises through this */
  double I_A_unlatch; /* A, an unlatch event: the anode current falls through this */
  int start_on;       /* 1: the SCR conducts at t = 0 (hybrid: latched; two-transistor: its
                       * nodes at an on-state estimate, the latch an event at t = 0) */
  /* temperature (docs/model.md, Temperature) */
  double EG_gk, XTI_gk; /* eV, -: the hybrid form's gate-cathode junction (as a diode's EG, XTI) */
  double tc_I_GT;       /* 1/K, hybrid form: I_GT(T) = I_GT·exp(tc_I_GT·(T − tnom)) */
  double tc_I_H;        /* 1/K, hybrid form: I_H and I_L scale by exp(tc_I_H·(T − tnom)) */
  double EG, XTI, XTB;  /* eV, -, -: two-transistor form, both BJTs (IS with EG, XTI; BF, BR
                           with XTB), as SPICE's bipolar transistor */
} ucl_scr_params;

/* Wiring of the type II adaptation loop (docs/model.md M10, M10a, M10b; reconstruction R9). */
typedef enum ucl_loop_wiring {
  UCL_LOOP_PEAK = 0,  /* ax -R6- out -D2-> f, C2 and R7 from f to ground: a leaky peak detector */
  UCL_LOOP_SERIES = 1 /* ax -R7- f, C2 from f to ground: charged and discharged through R7 */
} ucl_loop_wiring;

/* A resistor's temperature coefficients: R(T) = R·(1 + tc1·ΔT + tc2·ΔT²), ΔT = T − tnom
 * (SPICE's resistor). */
typedef struct ucl_resistor_tc {
  double tc1; /* 1/K */
  double tc2; /* 1/K² */
} ucl_resistor_tc;

/* The coefficients of every discrete resistor of the neuron (the SCR's R_GK and R_off are
 * inside the device and scale with it, or not: docs/model.md, Temperature). */
typedef struct ucl_circuit_tc {
  ucl_resistor_tc R_in, R1, R2, R3, R4, R5, R6, R7;
} ucl_circuit_tc;

typedef struct ucl_circuit_params {
  int neuron; /* ucl_neuron_type */
  int loop;   /* ucl_loop_wiring (type II) */
  double R_in, C, R1, R2, R3, R4, R5, R6, R7, C2, VDD;
  double temp;       /* K, device temperature (U_T = kT/q and every device value: thermal.h) */
  double tnom;       /* K, the temperature at which every device value is given */
  ucl_circuit_tc tc; /* resistor temperature coefficients */
  double V_m0;       /* V, initial membrane voltage */
  double V_f0;       /* V, initial C2 voltage (type II) */
  ucl_diode_params D, D2;
  ucl_scr_params scr;
  ucl_mott_params mott;
  ucl_mos_params T1, T2, T3;
} ucl_circuit_params;

typedef struct ucl_stimulus_params {
  int kind;            /* ucl_stim_kind */
  double amplitude;    /* V */
  double width;        /* s, flat top of a pulse (step: length, 0 = forever) */
  double period;       /* s, pulse period */
  double start;        /* s, time of the first pulse / the step */
  double rise, fall;   /* s, linear edges (0 = ideal) */
  double count;        /* pulses in all (0 = unlimited) */
  double burst_on;     /* s, pulses only during the first burst_on of each burst_period (0 = off) */
  double burst_period; /* s */
  double amp_start, amp_stop, amp_step; /* V, staircase levels */
  double level_pulses;                  /* pulses per staircase level */
  double duration;                      /* s, simulated time */
  const struct ucl_pwl *replay;         /* replay: the waveform (borrowed: it must outlive
                                           every run of these parameters); NULL otherwise */
} ucl_stimulus_params;

typedef struct ucl_solver_params {
  double rtol;           /* relative tolerance */
  double atol;           /* V, absolute tolerance of the voltage states */
  double atol_energy;    /* J, absolute tolerance of the energy integrals */
  double max_step;       /* s, step cap (0 = derived from the stimulus) */
  double max_steps;      /* steps in all before the run stops with status 'limit' */
  double chatter_events; /* events ... */
  double chatter_window; /* ... within this many seconds mean chattering */
} ucl_solver_params;

/* Transient noise and switching jitter (docs/model.md, Noise; noise.h); all off by default. */
typedef struct ucl_noise_params {
  int thermal;          /* 0 off, 1 on: the Johnson–Nyquist noise of every resistor */
  double bandwidth;     /* Hz, B: the noise's knots are 1/(2B) apart (noise.h) */
  double seed;          /* whole number: the seed of every noise and jitter draw */
  double jitter_I_GT;   /* σ of ln I_GT, drawn at every latch (hybrid SCR) */
  double jitter_I_H;    /* σ of ln I_H (and of ln I_L with it), drawn at every unlatch */
  double jitter_V_th;   /* σ of ln V_th, drawn at every switch-on (Mott soma) */
  double jitter_I_hold; /* σ of ln I_hold, drawn at every switch-off (Mott soma) */
  /* not keys: where the draws come from, set by whoever runs the configuration */
  uint64_t stream; /* the sweep point's index; 0 by default */
  uint64_t unit;   /* the neuron's index in its network; 0 for a single neuron */
  uint64_t trial;  /* a characterization's noise trial (1, 2, ...); 0: the point's own runs */
} ucl_noise_params;

typedef struct ucl_params {
  ucl_circuit_params circuit;
  ucl_stimulus_params stim;
  ucl_solver_params solver;
  ucl_noise_params noise;
} ucl_params;

/* Where a key belongs (its spec-file section). */
typedef enum ucl_param_section {
  UCL_SECTION_CIRCUIT = 0,
  UCL_SECTION_STIMULUS = 1,
  UCL_SECTION_SOLVER = 2,
  UCL_SECTION_NOISE = 3
} ucl_param_section;

#define UCL_SECTION_LAST UCL_SECTION_NOISE

typedef enum ucl_param_kind {
  UCL_PARAM_REAL = 0,  /* double with a unit */
  UCL_PARAM_COUNT = 1, /* whole number stored as double */
  UCL_PARAM_CHOICE = 2 /* int, one of a list of names */
} ucl_param_kind;

typedef enum ucl_param_domain {
  UCL_DOMAIN_ANY = 0,
  UCL_DOMAIN_POSITIVE = 1, /* > 0 */
  UCL_DOMAIN_NONNEG = 2    /* >= 0 */
} ucl_param_domain;

typedef struct ucl_param_info {
  const char *name;
  ucl_param_section section;
  ucl_param_kind kind;
  ucl_param_domain domain;
  const char *unit;       /* "" for dimensionless */
  double def;             /* default (CHOICE: index) */
  const char *choices;    /* CHOICE: names separated by '|', index = position */
  const char *applies;    /* "" = always; otherwise e.g. "type2" or "pulses|staircase" */
  const char *desc;       /* one line */
  const char *provenance; /* [P] paper, [D] datasheet, [C] public model, [R] reconstruction... */
} ucl_param_info;

/* Fill *p with the defaults. Cannot fail. */
void ucl_params_default(ucl_params *p);

/* Number of keys, and key i (0 <= i < count). Static storage. */
size_t ucl_params_count(void);
const ucl_param_info *ucl_params_info(size_t i);

/* The key called 'name' (exact, case-sensitive), or NULL. */
const ucl_param_info *ucl_params_find(const char *name);

/* Text name of a section ("circuit", "stimulus", "solver", "noise"). */
const char *ucl_params_section_name(ucl_param_section s);

/* Set key 'name' from user text ("68k", "type2", "pulses"), checking its domain. On failure *p
 * is unchanged and 'diag' names the key and the problem (the caller adds file:line). An unknown
 * name gives UCL_ERR_INVAL with a suggestion when a key differs only in case. */
UCL_NODISCARD ucl_status ucl_params_set(ucl_params *p, const char *name, const char *text,
                                        ucl_diag *diag);

/* Set key 'name' to a numeric value (CHOICE: the index), checking its domain. */
UCL_NODISCARD ucl_status ucl_params_set_value(ucl_params *p, const char *name, double value,
                                              ucl_diag *diag);

/* Read key 'name' (CHOICE: the index as a double). UCL_ERR_INVAL for an unknown name. */
UCL_NODISCARD ucl_status ucl_params_get(const ucl_params *p, const char *name, double *out);

/* Format the value of key 'info' into buf (CHOICE: its name; REAL: %.17g). */
void ucl_params_format(const ucl_params *p, const ucl_param_info *info, char *buf, size_t size);

/* Does p draw any noise: noise.thermal on or any jitter.* > 0 (whether or not the neuron's
 * form uses that jitter key; docs/model.md, Noise)? A run with it is one noise realisation. */
int ucl_params_noise_on(const ucl_params *p);

/* Cross-field checks that one key alone cannot make (pulse fits its period, t_end > 0, ...).
 * On failure 'diag' names the keys involved and *bad_key (if not NULL) is set to the key to
 * blame, so that a caller can point at the line that set it. */
UCL_NODISCARD ucl_status ucl_params_validate(const ucl_params *p, const char **bad_key,
                                             ucl_diag *diag);

/* Consistency checks that warn: a configuration the model runs but that is physically odd
 * (docs/spec.md, Checks). Each kind has a code, so that a sweep can report a kind once. */
typedef enum ucl_param_warning_code {
  UCL_PWARN_I_L_BELOW_I_H = 0, /* hybrid SCR: latching current below the holding current */
  UCL_PWARN_T1_VTH,            /* T1.Vth outside the IRLML6246 spread 0.5-1.1 V */
  UCL_PWARN_T2_VTH,            /* T2.Vth outside the ZVP3310A spread 1.5-3.5 V */
  UCL_PWARN_T3_VTH,            /* T3.Vth (type II) outside the IRLML6246 spread 0.5-1.1 V */
  UCL_PWARN_TT_LOOP_GAIN,      /* two-transistor SCR: BF_p * BF_n <= 1, it cannot latch */
  UCL_PWARN_TT_LATCH_LEVEL,    /* two-transistor SCR: scr.I_A_latch at or below its I_H */
  UCL_PWARN_TT_UNLATCH_LEVEL,  /* two-transistor SCR: scr.I_A_unlatch at or above its I_H */
  UCL_PWARN_JITTER_UNUSED,     /* a jitter.* key > 0 that the neuron's switch does not have */
  UCL_PWARN_COUNT
} ucl_param_warning_code;

typedef struct ucl_param_warning {
  int code;        /* ucl_param_warning_code */
  const char *key; /* the key to look at (static storage) */
  char msg[240];   /* what is odd and why, with the values ("scr.I_L (0.1 mA) is below ...") */
} ucl_param_warning;

/* Fill out[0 .. min(n, found) - 1] with the warnings of *p, in code order, and return how many
 * were found (0: nothing odd). Only the keys that apply to p's neuron and SCR form are looked at.
 * 'out' may be NULL when n is 0. Pure: prints nothing. At most UCL_PWARN_COUNT warnings. */
size_t ucl_params_warnings(const ucl_params *p, ucl_param_warning *out, size_t n);

#endif
