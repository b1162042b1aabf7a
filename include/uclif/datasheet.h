/* datasheet.h — the one-page datasheet of one neuron configuration that `uclif characterize`
 * writes beside its CSVs (docs/outputs.md, "The datasheet"): DIR/datasheet/index.html with the
 * conditions (the neuron form, every value that is not the default, the stimulus, the solver
 * tolerances), every measured quantity with its unit and definition, the f–A curve, the
 * threshold against the pulse period, the leak and refractory fits with their residuals, the
 * energy per spike by source and into static and dynamic parts, and a comparison with published
 * figures (docs/published-neurons.md). Plots are gnuplot SVGs with PNG copies, drawn by the
 * machinery of the sweep report.
 *
 * Every number on the page is a value of the CSVs characterize wrote from the same result, and
 * says which: its element carries data-csv (the file), data-row (the data row, from 0),
 * data-column and data-value (the value as the CSV writes it, %.17g); the text shown is that
 * value in engineering notation (ucl_units_format_eng, 4 significant digits, or 5 or 6 for a
 * parameter that needs them to be written exactly, as 300.15 K; a dimensionless value as %.4g
 * with more digits while that would show a whole number it is not, as an R² of 0.9999985; "–"
 * for an empty field). */
#ifndef UCL_DATASHEET_H
#define UCL_DATASHEET_H

#include "uclif/params.h"
#include "uclif/protocols.h"
#include "uclif/spec.h"
#include "uclif/status.h"

typedef struct ucl_datasheet_opts {
  const char *gnuplot;     /* the gnuplot program; NULL = "gnuplot" (looked up in PATH) */
  const char *spec;        /* the spec file's name as the user gave it (shown), or NULL */
  const char *const *sets; /* the --set overrides as given ("R1=47k"), shown; may be NULL */
  int n_sets;
  const char *docs_base; /* where docs/features.md is, for links ("DIR/" with the slash), or
                            NULL: the definitions are named without a link */
} ucl_datasheet_opts;

typedef struct ucl_datasheet_summary {
  int plots;       /* plots drawn */
  int skipped;     /* plots left out, each with a line on the page saying why */
  int nondefault;  /* parameters listed as not at their defaults */
  char index[512]; /* path of index.html */
} ucl_datasheet_summary;

/* Write DIR/datasheet/ (index.html, plots.gp, gnuplot.log, data/, NAME.svg and NAME.png) for
 * the configuration p characterized under o into r (all borrowed; r as ucl_characterize left
 * it, ideally with o->keep_fits and o->thr_periods), after removing an earlier run's files
 * (ucl_datasheet_clear). DIR must exist. plots.gp names its files relative to DIR/datasheet
 * (gnuplot runs there: `cd DIR/datasheet && gnuplot plots.gp` redraws the plots). UCL_ERR_TOOL when
 * gnuplot cannot be found or fails (the message names it and its log), UCL_ERR_IO when a file
 * cannot be written (index.html is written last, through a temporary file: it is whole or absent),
 * UCL_ERR_INVAL for a DIR gnuplot cannot be handed (a quote in it). Not collective; prints
 * nothing. */
UCL_NODISCARD ucl_status ucl_datasheet_build(const char *dir, const ucl_params *p,
                                             const ucl_char_opts *o, const ucl_char_result *r,
                                             const ucl_datasheet_opts *opts,
                                             ucl_datasheet_summary *out, ucl_diag *diag);

/* What ucl_datasheet_clear found. */
typedef enum ucl_datasheet_cleared {
  UCL_DATASHEET_NONE = 0,    /* there was no DIR/datasheet/ */
  UCL_DATASHEET_REMOVED = 1, /* it held only files uclif writes there: they and it are gone */
  UCL_DATASHEET_LEFT = 2     /* uclif's files are gone; others stay, and so does the folder */
} ucl_datasheet_cleared;

/* Remove an earlier run's DIR/datasheet/: the files ucl_datasheet_build writes there
 * (index.html, plots.gp, gnuplot.log, each plot's NAME.svg and NAME.png, data/NAME.dat: a fixed
 * list of names), then data/ and the folder itself when nothing else is in them. Never removes
 * a file of another name, nor a directory that is not empty. ucl_datasheet_build does this
 * first, so a rebuilt folder holds only what that run wrote. Never fails; not collective. */
ucl_datasheet_cleared ucl_datasheet_clear(const char *dir);

/* UCL_ERR_INVAL ("DIR: a directory name with quotes cannot be handed to gnuplot; ...") when
 * ucl_datasheet_build could not draw into 'dir'; else UCL_OK. For a check before any work. */
UCL_NODISCARD ucl_status ucl_datasheet_check_dir(const char *dir, ucl_diag *diag);

#endif
