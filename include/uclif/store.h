/* store.h — sweep results on disk: per-rank shards written point by point, and the streaming
 * merge into points.csv and rate_curves.csv (docs/outputs.md).
 *
 * A shard is SHARD_DIR/run-<R>-rank-<K>.txt, where SHARD_DIR is DIR/shards, or
 * DIR/shards/slice-<S>-of-<N> for slice S of N of a sweep run in slices (job arrays): line 1 is
 * "uclif-shard 1 <spec hash> <points>" (a network sweep's shard then has its layout lines, see
 * ucl_store_layout), then one block per finished point, written with one write
 * and flushed: 'P' + its points.csv row, 'C' + each of its rate_curves.csv rows, then "E <id>". A
 * block cut short by a killed job has no E line and is ignored, so that point counts as not done.
 * Within a shard, ids increase. No field of a row holds a line break (reasons are single lines). */
#ifndef UCL_STORE_H
#define UCL_STORE_H

#include <stdint.h>
#include <stdio.h>

#include "uclif/params.h"
#include "uclif/protocols.h"
#include "uclif/status.h"
#include "uclif/sweep.h"

typedef struct ucl_shard ucl_shard; /* opaque: an open shard being written */

/* Create SHARD_DIR/run-<run>-rank-<rank>.txt (SHARD_DIR must exist). */
UCL_NODISCARD ucl_status ucl_shard_create(const char *shard_dir, int run, int rank, uint64_t hash,
                                          long points, ucl_shard **out, ucl_diag *diag);

/* The columns of a sweep whose rows are not the single-neuron ones (network sweeps): header
 * lines ("a","b",... without a line end) of points.csv and of a second file 'curves_file' (a
 * plain file name). Written into each shard as the lines "H<points header>" and
 * "K<curves_file>,<curves header>"; the merge takes them from there (all shards must agree). */
typedef struct ucl_store_layout {
  const char *points_header;
  const char *curves_file;
  const char *curves_header;
} ucl_store_layout;

/* ucl_shard_create for a layout (NULL: the single-neuron one). */
UCL_NODISCARD ucl_status ucl_shard_create_layout(const char *shard_dir, int run, int rank,
                                                 uint64_t hash, long points,
                                                 const ucl_store_layout *layout, ucl_shard **out,
                                                 ucl_diag *diag);

/* Append a block of rows already formatted (CSV rows ending in a line break): one points.csv row
 * and any number of rows of the second file. */
UCL_NODISCARD ucl_status ucl_shard_append_rows(ucl_shard *sh, long id, const char *prow,
                                               size_t plen, const char *crows, size_t clen,
                                               ucl_diag *diag);

/* Append the block of point 'id' and flush it. */
UCL_NODISCARD ucl_status ucl_shard_append(ucl_shard *sh, long id, const ucl_params *p,
                                          const ucl_char_result *r, ucl_diag *diag);

/* Close (checking the close). Accepts NULL. */
UCL_NODISCARD ucl_status ucl_shard_close(ucl_shard **sh, ucl_diag *diag);

/* What the shards of SHARD_DIR hold: the number of the next run, and which points are done
 * (done[i] = 1; 'done' has 'points' entries, may be NULL). UCL_ERR_PARSE if a shard belongs to
 * another spec (hash) or is not a shard. A missing or empty SHARD_DIR is fine (next_run 0). */
UCL_NODISCARD ucl_status ucl_store_scan(const char *shard_dir, uint64_t hash, long points,
                                        unsigned char *done, int *next_run, long *n_done,
                                        ucl_diag *diag);

/* The number of the next run in SHARD_DIR, from the shards' names alone (no file is read). */
UCL_NODISCARD ucl_status ucl_store_next_run(const char *shard_dir, int *next_run, ucl_diag *diag);

/* Slice s of n of 'points' point indices: [*first, *last) = [floor(P*s/n), floor(P*(s+1)/n)). */
void ucl_slice_range(long points, int s, int n, long *first, long *last);

/* The same over the shards of the output directory DIR that can hold points of [first, last):
 * DIR/shards, every DIR/shards/slice-S-of-N whose slice overlaps that range, and any other
 * DIR/shards/slice-* directory. Marks done[i] for each point complete there; *n_done counts them.
 * A job array's task thus reads its own slice's shards (and the top level's), not all of them. */
UCL_NODISCARD ucl_status ucl_store_scan_all(const char *dir, uint64_t hash, long points, long first,
                                            long last, unsigned char *done, long *n_done,
                                            ucl_diag *diag);

typedef struct ucl_merge_stats {
  long points;  /* points of the spec */
  long merged;  /* complete points written */
  long missing; /* points with no complete block */
  long first_missing;
  long curve_rows; /* rows of the second file */
  int shards;
  char second_file[64]; /* its name: rate_curves.csv, or the layout's (neurons.csv) */
} ucl_merge_stats;

/* Merge every shard of DIR (DIR/shards and DIR/shards/slice-*) into DIR/points.csv and
 * DIR/rate_curves.csv, or the second file of the shards' layout (temporary files, renamed), sorted
 * by point id, memory bounded by one block per shard. A point found complete in two shards is an
 * error (UCL_ERR_PARSE); missing points are counted, not an error. 'hash' and 'points' (from the
 * spec, or 0 to take them from the shards) are checked. No shards at all (a missing or empty
 * DIR/shards) is UCL_ERR_PARSE, and nothing is written. */
UCL_NODISCARD ucl_status ucl_store_merge(const char *dir, uint64_t hash, long points,
                                         ucl_merge_stats *stats, ucl_diag *diag);

/* A kind of parameter warning (ucl_params_warnings) in a sweep: the first point's text, that
 * point, and how many valid points have it. */
typedef struct ucl_sweep_warning {
  ucl_param_warning first;
  long first_point;
  long points;
} ucl_sweep_warning;

/* The parameter warnings of sweep 'sw', once per kind (code order), over its valid points (an
 * invalid one is a `range` row, not a warning); a network sweep has none here. Fills
 * out[0 .. UCL_PWARN_COUNT - 1] and returns how many kinds were found. Visits every point (about
 * a microsecond each). Pure; not collective. */
size_t ucl_store_sweep_warnings(const ucl_sweep *sw, ucl_sweep_warning out[UCL_PWARN_COUNT]);

/* The one line that reports 'w' (no line end) into buf: its text, then, when the sweep has more
 * than one point, " (at N of M points; first: point I)". Used by the manifest and the CLI. */
void ucl_store_sweep_warning_text(const ucl_sweep *sw, const ucl_sweep_warning *w, char *buf,
                                  size_t size);

/* Write DIR/manifest.txt (temporary file, renamed): the spec's keys (uclif_version, spec_name,
 * spec_hash, design, seed, swept, points), the merge's (merged, missing, rate_curve_rows), one
 * "warning = TEXT" line per kind of parameter warning (ucl_store_sweep_warnings; none when
 * nothing is odd), then 'run_lines' verbatim ("key = value" lines of the run that wrote it; NULL
 * for none). */
UCL_NODISCARD ucl_status ucl_store_write_manifest(const char *dir, const ucl_sweep *sw,
                                                  const ucl_merge_stats *ms, const char *run_lines,
                                                  ucl_diag *diag);

#endif
