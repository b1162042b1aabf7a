/* recording.h — bench recordings for `uclif fit` (docs/fit.md "Recordings"): a CSV file of
 * samples from a DAQ or an oscilloscope (time, the input voltage, any measured node voltages),
 * described by a [recording.NAME] section of the fit spec (the column map, units, per-channel gain
 * and offset, the acquisition's resolution and sample rate). Loading checks the data as strictly
 * as a spec (missing column, time not increasing, a value that is not a number, a unit that does
 * not match the data, a sample rate that does not match the time column) and names
 * "file:line: what is wrong". Not collective; no MPI. */
#ifndef UCL_RECORDING_H
#define UCL_RECORDING_H

#include <stddef.h>

#include "uclif/status.h"

struct ucl_ini;

/* Most measured channels of one recording (the input not counted). */
#define UCL_REC_MAX_CHANNELS 8

/* One column of the file and what it measures. physical (V) = gain·(raw·unit_scale) + offset,
 * with unit_scale from the unit (V 1, mV 1e-3, uV/µV 1e-6). */
typedef struct ucl_rec_channel {
  char model[32];    /* the model channel it measures: "V_in_V" (the input), "V_mem_V", "V_C2_V",
                        "V_out_V", ... (a waveform.csv column of docs/outputs.md) */
  char column[64];   /* the CSV column (header text) */
  char unit[8];      /* "V", "mV", "uV" */
  double unit_scale; /* to volts */
  double gain;       /* dimensionless, default 1 */
  double offset;     /* V, default 0 */
  double gain_error; /* relative standard uncertainty of the gain (0.01 = 1 %), default 0: the fit
                        adds a gain factor with this prior when > 0 */
  int line;          /* spec line that mapped it */
} ucl_rec_channel;

/* A [recording.NAME] section, checked (ucl_rec_spec_from_ini). */
typedef struct ucl_rec_spec {
  char name[64];        /* NAME of the section */
  char path[1024];      /* data file, resolved against the spec file's folder */
  int line;             /* the section header's line */
  char time_column[64]; /* default "t_s" */
  double time_scale;    /* to seconds: s 1, ms 1e-3, us 1e-6 (key time_unit) */
  int has_input;        /* an input column is mapped (key input = COLUMN): the fit replays it */
  ucl_rec_channel input;
  int input_hold; /* key input.hold = zoh (default: a DAQ's output holds each sample until the
                     next) | linear (a smooth input recorded by a scope) */
  int n_channels; /* measured channels (keys V_mem_V = COLUMN, ...), >= 1 */
  ucl_rec_channel ch[UCL_REC_MAX_CHANNELS];
  double range;       /* V, the acquisition's full scale ±range (key range, default 10) */
  double resolution;  /* V, one LSB (key resolution; or bits = N: 2·range/2^N); 0 = unknown */
  double sample_rate; /* Hz (key sample_rate), checked against the time column; 0 = not given */
  double noise;       /* V RMS of the measurement noise (key noise); 0 = estimate from the data */
  double duration;    /* s, the stimulus this recording claims to cover (key duration; 0 = none):
                         the data must reach t0 + duration */
  int duration_line;
} ucl_rec_spec;

/* The loaded samples, in SI units, gain and offset applied. */
typedef struct ucl_recording {
  ucl_rec_spec spec;
  size_t n;                        /* samples, >= 2 */
  double *t;                       /* s, strictly increasing (owned) */
  double *input;                   /* V, the input channel, or NULL (owned) */
  double *v[UCL_REC_MAX_CHANNELS]; /* V, spec.ch[k] (owned) */
  double dt;                       /* s, the median sample interval */
  double noise; /* V RMS: spec.noise, or the estimate (median absolute second difference of each
                   channel, /0.6745/sqrt(6): robust to spikes and steps; the smallest over the
                   channels) */
} ucl_recording;

/* Read the section [recording.NAME] of 'ini' (read from 'spec_path'; the data file is resolved
 * against its folder). Unknown keys, a model channel that is not a voltage waveform column, a
 * unit that is not V/mV/uV (s/ms/us for time), a gain that is not > 0, bits outside 1..32, a
 * sample rate or noise that is not > 0: "spec_path:line: what", UCL_ERR_INVAL/UCL_ERR_PARSE. A
 * section without a file or without a measured channel names the section's line. */
UCL_NODISCARD ucl_status ucl_rec_spec_from_ini(const char *spec_path, const struct ucl_ini *ini,
                                               const char *name, ucl_rec_spec *out, ucl_diag *diag);

/* Load the data of 'spec' (copied into out->spec). Refused, with "data.csv:line: what" and
 * nothing allocated: a file that cannot be read (UCL_ERR_INPUT), a missing column (the columns
 * there are listed), a row with the wrong number of fields, a field that is not a finite number
 * (NaN, inf, empty, text), time not strictly increasing, fewer than 2 samples, values outside the
 * acquisition's range ±range after the unit (with a hint when the unit looks wrong, e.g. mV data
 * declared as V), a column header that names a unit that contradicts the declared one ("Vm [mV]",
 * "Vm (mV)", "Vm_mV" declared V), a median sample interval more than 1 % away from
 * 1/sample_rate (a wrong time unit), data that ends before t0 + duration. UCL_ERR_PARSE or
 * UCL_ERR_INVAL for bad data. 'line' counts the file's lines (LF, CR LF or CR; the header row is
 * line 1 when nothing precedes it): a row's problem names its row, a column's (missing, its unit,
 * the sample interval) the header's line, too few samples and a short recording the last row,
 * values out of range the first such row. Free with ucl_rec_free. */
UCL_NODISCARD ucl_status ucl_rec_load(const ucl_rec_spec *spec, ucl_recording *out, ucl_diag *diag);

/* Release the arrays of 'r' and zero it. Accepts a zeroed or freed recording. */
void ucl_rec_free(ucl_recording *r);

/* Index of the measured channel of 'r' for model channel 'model', or -1. */
int ucl_rec_channel_index(const ucl_recording *r, const char *model);

#endif
