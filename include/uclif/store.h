/* store.h — sweep results on disk: per-rank shards written point by point, the lock that makes
 * one run the only writer of a shard directory, the spec an output directory keeps, and the
 * streaming merge into points.csv, rate_curves.csv and the layout's other files (docs/outputs.md).
 *
 * A shard is SHARD_DIR/run-<R>-rank-<K>.txt, where SHARD_DIR is DIR/shards, or
 * DIR/shards/slice-<S>-of-<N> for slice S of N of a sweep run in slices (job arrays): line 1 is
 * "uclif-shard 2 <spec hash> <points> <layout lines> <crc32>" (a shard in a layout of its own then
 * has its layout lines, one per file, see ucl_store_layout; the crc32 covers line 1 up to it and
 * the layout lines: a shard whose first lines do not verify counts as damaged as a whole), then
 * one block per finished point, written with one write and flushed: 'P' + its points.csv row,
 * 'C' + each of its rows of the second file (rate_curves.csv, neurons.csv), 'Q' + each of its
 * rows of the third file (probability.csv), 'R' of a fourth, then "E <id> <length> <crc32>", the
 * byte length of those lines and their crc32 (zlib's; 8 hex digits). A block
 * that does not verify (length, checksum, E line) is not merged and its point counts as not done;
 * a block cut short by a killed job (no E line at the end of the shard) is ignored the same way.
 * Within a shard, ids increase; a block after a higher point is treated as damaged. No field of a
 * row holds a line break (reasons are single lines).
 *
 * SHARD_DIR/lock: a run holds an exclusive flock(2) on it for its whole life. Its holder writes
 * the first line at once, "pid <P> on <host> since <UTC time> (no run yet)", then, once it knows
 * its number, "run <R>, pid ..."; a rank whose shard is fenced (ucl_shard_fence) writes a block
 * only while that line names its own run, so ranks orphaned by a killed launcher stop adding to
 * shards as soon as a new holder takes the directory (a block they are writing at that moment
 * still lands: the merge takes identical copies once). */
#ifndef UCL_STORE_H
#define UCL_STORE_H

#include <signal.h>
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

/* The most files a sweep's points have: points.csv and up to three more. */
#define UCL_STORE_MAX_FILES 4

/* The files of a sweep whose points are not the single-neuron ones (points.csv and
 * rate_curves.csv of results.h): a network sweep (+ neurons.csv), a Monte Carlo design (other
 * points.csv columns), a single neuron with trials (+ probability.csv). n_files (2 ..
 * UCL_STORE_MAX_FILES) files; file 0 is points.csv (file[0] is not used), file[k] a plain file
 * name; header[k] its header line ("a","b",... without a line end). Written into each shard as
 * the lines "H<header[0]>" and, per further file, "K<file[k]>,<header[k]>"; the merge takes them
 * from there (all shards must agree). */
typedef struct ucl_store_layout {
  int n_files;
  const char *file[UCL_STORE_MAX_FILES];
  const char *header[UCL_STORE_MAX_FILES];
} ucl_store_layout;

/* The rows of one file in a block: CSV rows each ending in a line break ('len' bytes). */
typedef struct ucl_store_rows {
  const char *text;
  size_t len;
} ucl_store_rows;

/* ucl_shard_create for a layout (NULL: the single-neuron one). */
UCL_NODISCARD ucl_status ucl_shard_create_layout(const char *shard_dir, int run, int rank,
                                                 uint64_t hash, long points,
                                                 const ucl_store_layout *layout, ucl_shard **out,
                                                 ucl_diag *diag);

/* Fence the shard: from now on each append first reads SHARD_DIR/lock (store.h) and refuses with
 * UCL_ERR_STOPPED, writing nothing, when it names a run other than the shard's. UCL_ERR_NOMEM. */
UCL_NODISCARD ucl_status ucl_shard_fence(ucl_shard *sh, const char *shard_dir, ucl_diag *diag);

/* Append a block of rows already formatted: rows[0] one points.csv row, rows[k] any number of
 * rows of file k (k < n_files <= UCL_STORE_MAX_FILES; the shard's layout says which files). */
UCL_NODISCARD ucl_status ucl_shard_append_files(ucl_shard *sh, long id, const ucl_store_rows *rows,
                                                int n_files, ucl_diag *diag);

/* The same for two files: one points.csv row and any number of rows of the second file. */
UCL_NODISCARD ucl_status ucl_shard_append_rows(ucl_shard *sh, long id, const char *prow,
                                               size_t plen, const char *crows, size_t clen,
                                               ucl_diag *diag);

/* Append the block of point 'id' and flush it. */
UCL_NODISCARD ucl_status ucl_shard_append(ucl_shard *sh, long id, const ucl_params *p,
                                          const ucl_char_result *r, ucl_diag *diag);

/* Close (checking the close). Accepts NULL. */
UCL_NODISCARD ucl_status ucl_shard_close(ucl_shard **sh, ucl_diag *diag);

/* ---- the lock of a shard directory ---- */

typedef struct ucl_store_lock ucl_store_lock; /* opaque: a held SHARD_DIR/lock */

/* Take the exclusive lock of SHARD_DIR (which must exist), creating SHARD_DIR/lock. When another
 * process holds it, try again every 0.1 s for up to wait_s seconds (0: do not wait; < 0: wait
 * for ever); then UCL_ERR_INVAL with the holder's line ("SHARD_DIR is in use by another run (run
 * 3, pid 1234 on node7 since ...); wait for it to end"). Once taken, the holder's line (store.h)
 * is written at once, fencing every run's shards. UCL_ERR_IO when
 * the file cannot be created or locked; UCL_ERR_STOPPED when *stop (may be NULL) becomes nonzero
 * while waiting (a signal handler's flag). The lock lasts until ucl_store_lock_release or the end
 * of the process. Not collective (one rank takes it). */
UCL_NODISCARD ucl_status ucl_store_lock_take(const char *shard_dir, double wait_s,
                                             const volatile sig_atomic_t *stop,
                                             ucl_store_lock **out, ucl_diag *diag);

/* Write the holder's line for run 'run' into the lock file (one write): fenced shards of other
 * runs stop appending from then on. UCL_ERR_IO. */
UCL_NODISCARD ucl_status ucl_store_lock_claim(ucl_store_lock *lk, int run, ucl_diag *diag);

/* The run the lock file named when the lock was taken (the last run to claim it), or -1: a new
 * run takes a higher number, even when that run was killed before it wrote a shard. */
long ucl_store_lock_prev_run(const ucl_store_lock *lk);

/* Let go (the file stays). Accepts NULL; *lk becomes NULL. */
void ucl_store_lock_release(ucl_store_lock **lk);

/* ---- the spec an output directory keeps ---- */

/* DIR/spec.ini (the spec file's bytes) and DIR/spec.canonical (its canonical expansion,
 * ucl_sweep_canonical, after '#' lines giving the name, the source path and each --set): written
 * when DIR keeps no spec yet (temporary files, renamed); when it does, the same check as
 * ucl_store_check_spec. UCL_ERR_IO, UCL_ERR_INVAL (another spec). */
UCL_NODISCARD ucl_status ucl_store_keep_spec(const char *dir, const ucl_sweep *sw,
                                             const char *source, ucl_diag *diag);

/* Compare sw with the spec DIR keeps: *kept = 0 and UCL_OK when DIR keeps none; UCL_OK when the
 * canonical expansions are equal (comments, white space, key order do not matter);
 * UCL_ERR_INVAL naming the first key that differs, with its value then and now. */
UCL_NODISCARD ucl_status ucl_store_check_spec(const char *dir, const ucl_sweep *sw, int *kept,
                                              ucl_diag *diag);

/* Whether DIR keeps a spec (DIR/spec.canonical exists). */
int ucl_store_keeps_spec(const char *dir);

/* Load the spec DIR keeps, with its --set overrides and its name. UCL_ERR_INPUT when DIR keeps
 * none; UCL_ERR_PARSE when DIR/spec.ini no longer gives the kept expansion; the loader's errors
 * (file:line) otherwise. On success *out owns a new sweep. */
UCL_NODISCARD ucl_status ucl_store_load_spec(const char *dir, ucl_sweep **out, ucl_diag *diag);

/* ---- reading ---- */

/* What reading the shards found wrong, besides points missing. Notes are "FILE:LINE[-LINE]: what"
 * (the first UCL_STORE_NOTES problems). */
#define UCL_STORE_NOTES 8
typedef struct ucl_store_health {
  long damaged;        /* blocks that do not verify or come out of order: not done, not merged */
  long damaged_shards; /* shards whose first lines do not verify: none of their blocks counts */
  long stray;          /* runs of lines outside any block: ignored */
  long duplicates; /* (merge) extra verified copies of a merged point, the same bytes: tolerated */
  long conflicts;  /* (merge --repair) extra verified copies that differ: set aside */
  long set_aside;  /* (merge --repair) byte ranges moved out of shards into DIR/set-aside */
  int n_notes;
  char notes[UCL_STORE_NOTES][400];
} ucl_store_health;

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
 * DIR/shards/slice-* directory. Marks done[i] for each point complete there; *n_done counts them;
 * 'health' (may be NULL) gets the damaged blocks (their points are not done: a resume computes
 * them again). A job array's task thus reads its own slice's shards (and the top level's). */
UCL_NODISCARD ucl_status ucl_store_scan_all(const char *dir, uint64_t hash, long points, long first,
                                            long last, unsigned char *done, long *n_done,
                                            ucl_store_health *health, ucl_diag *diag);

typedef struct ucl_merge_stats {
  long points;  /* points of the spec */
  long merged;  /* complete points written */
  long missing; /* points with no complete block */
  long first_missing;
  int shards;
  int n_files;                        /* files written: points.csv and the layout's others */
  char file[UCL_STORE_MAX_FILES][64]; /* their names: points.csv, rate_curves.csv, ... */
  long rows[UCL_STORE_MAX_FILES];     /* rows written to each (rows[0] = merged) */
  ucl_store_health health;
} ucl_merge_stats;

enum { UCL_MERGE_REPAIR = 1 };

/* Merge every shard of DIR (DIR/shards and DIR/shards/slice-*) into DIR/points.csv and
 * DIR/rate_curves.csv, or the files of the shards' layout (temporary files, renamed), sorted
 * by point id, memory bounded by one block per shard (plus the point merged last). Copies of a
 * point are taken in shard order (run, rank): the first verified copy is merged, later copies
 * with the same bytes are counted (health.duplicates), and a later copy that differs is
 * UCL_ERR_PARSE naming both places and `uclif merge DIR --repair`. Damaged blocks and stray lines
 * are never merged, only counted with their places (health); missing points are counted, not an
 * error. With UCL_MERGE_REPAIR in 'flags', first every shard directory's lock is taken (refused
 * while a run holds one), and each shard holding damaged blocks, stray lines, blocks out of order
 * or differing copies moves to DIR/set-aside/ (same path below it; nothing is deleted) with a
 * copy without them in its place. 'hash' and 'points' (from the spec, or 0 to take them from the
 * shards) are checked. No shards at all is UCL_ERR_PARSE, and nothing is written. A write
 * failure is UCL_ERR_IO naming the file and the system's reason. */
UCL_NODISCARD ucl_status ucl_store_merge(const char *dir, uint64_t hash, long points, int flags,
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
 * spec_hash, design, seed, swept, points), the merge's (merged, missing, then per further file
 * its rows: rate_curve_rows, neuron_rows, probability_rows), one
 * "warning = TEXT" line per kind of parameter warning (ucl_store_sweep_warnings; none when
 * nothing is odd), then 'run_lines' verbatim ("key = value" lines of the run that wrote it; NULL
 * for none). */
UCL_NODISCARD ucl_status ucl_store_write_manifest(const char *dir, const ucl_sweep *sw,
                                                  const ucl_merge_stats *ms, const char *run_lines,
                                                  ucl_diag *diag);

#endif
