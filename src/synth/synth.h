/*
 * synth.h — `skillmat synth`: synthetic job postings at any scale, calibrated from a skillmat
 * store, with a salary model whose skill premiums, role and seniority effects and noise are
 * known, so that the salary regression and the role-type clustering can be checked against a
 * planted truth (docs/synth.md).
 *
 * The model is calibrated in one streaming pass over the store (memory O(p x roles + levels))
 * and the postings are generated one at a time from seeded streams (skm_rng): memory does not
 * grow with n, and the same seed, options and calibration store give the same postings,
 * byte for byte, in every output format. The output is written to a temporary file next to the
 * destination and renamed when complete: a failed or interrupted run leaves the destination as
 * it was.
 */
#ifndef SKM_SYNTH_H
#define SKM_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include "../core/core.h"

/* Output formats, chosen from the output path's extension. */
typedef enum skm_synth_format {
    SKM_SYNTH_CSV = 0,   /* .csv */
    SKM_SYNTH_CSV_GZ,    /* .csv.gz */
    SKM_SYNTH_JSONL,     /* .jsonl */
    SKM_SYNTH_JSONL_GZ,  /* .jsonl.gz */
    SKM_SYNTH_H5,        /* .h5: a skillmat store, with the truth under /synth */
    SKM_SYNTH_FORMAT_COUNT
} skm_synth_format;

/* Limits of the options. */
#define SKM_SYNTH_MAX_N 1000000000ull       /* postings */
#define SKM_SYNTH_MAX_SKILLS 100000         /* --skills (memory and time grow with p x roles) */
#define SKM_SYNTH_MAX_COMPANIES 1000000     /* --companies */
#define SKM_SYNTH_MAX_CONTRAST 20.0         /* --contrast */

/* Options of skm_synth(). Start from skm_synth_params_default(). */
typedef struct skm_synth_params {
    uint64_t n;               /* postings, 1 .. SKM_SYNTH_MAX_N; default 10000 */
    uint64_t seed;            /* default 1 */
    int64_t n_skills;         /* vocabulary size; 0 (default): the store's skill count */
    int text;                 /* nonzero: a `description` column (CSV and JSON Lines only) */
    double contrast;          /* role separation C >= 0 (default 1: the calibrated profiles) */
    int64_t n_premiums;       /* skills with a planted premium, >= 0; default 20 */
    double premium_sd;        /* sd of the planted log-salary premiums, >= 0; default 0.10 */
    double noise_sd;          /* log-salary noise sd >= 0; NaN (default): calibrated */
    int64_t n_companies;      /* distinct companies; 0 (default): clamp(n / 50, 100, 200000) */
    int compression;          /* gzip level of .gz outputs, deflate level of .h5; default 1 */
    const char *truth_path;   /* write the planted truth as CSV here; NULL: none */
    const char *command_line; /* recorded in a .h5 output; may be NULL */
} skm_synth_params;

skm_synth_params skm_synth_params_default(void);

/* What a run did. */
typedef struct skm_synth_report {
    uint64_t n_postings;      /* written */
    uint64_t nnz;             /* skill entries written */
    uint64_t salary_known;    /* postings with a salary */
    uint64_t bytes;           /* size of the output file */
    int64_t n_skills;         /* the model's vocabulary (p) */
    int64_t n_roles;          /* latent classes */
    int64_t n_premiums;       /* skills with a planted premium */
    int64_t n_companies;
    double noise_sd;          /* the noise sd used */
    double calibrate_seconds; /* reading the store and building the model */
    double seconds;           /* the whole run */
    int format;               /* enum skm_synth_format */
} skm_synth_report;

/* The format an output path asks for (by its extension, case-insensitively), or -1. */
int skm_synth_format_of(const char *path);

/* Calibrate the model from the store at store_path, generate params->n postings and write
 * them to out_path (format from its extension), with the truth in params->truth_path when
 * given and, for a .h5 output, under /synth of the store. SKM_OK, SKM_EINVAL (bad option or
 * output path, the store as output, --text with .h5), SKM_EIO, SKM_EFORMAT (not a store),
 * SKM_ENOMEM, SKM_EHDF5, SKM_EINTERRUPT; nothing is left under out_path (or the truth path) on
 * failure. `report` may be NULL. */
int skm_synth(skm_ctx *ctx, const char *store_path, const char *out_path,
              const skm_synth_params *params, skm_synth_report *report /* OUT */);

/* ---- internals shared with the tests ---- */

/* Walker/Vose alias table: draws index i with probability w[i] / sum(w) in O(1). */
typedef struct skm_alias {
    size_t n;
    uint64_t *thr;   /* keep i when the low 64 bits of the product are below thr[i] */
    uint32_t *alias;
} skm_alias;

/* Build over w[0..n) (w >= 0, finite, not all 0 when n > 0). SKM_OK, SKM_EINVAL, SKM_ENOMEM. */
int skm_alias_build(skm_alias *a, const double *w, size_t n);
void skm_alias_free(skm_alias *a);
/* One draw: one skm_rng_u64. a->n must be >= 1. */
static inline size_t skm_alias_draw(const skm_alias *a, skm_rng *r)
{
    __extension__ typedef unsigned __int128 u128_t;
    const u128_t m = (u128_t)skm_rng_u64(r) * a->n;
    const size_t i = (size_t)(m >> 64);
    return (uint64_t)m < a->thr[i] ? i : a->alias[i];
}

/* Inclusion probabilities of successive sampling (k distinct items drawn one after another,
 * each with probability proportional to its weight among those not yet drawn), averaged over
 * k ~ pk: exact for k = 1 (w_j) and k = 2 (w_j (1 + sum_{i != j} w_i / (1 - w_i))), Rosén's
 * approximation 1 - exp(-w_j t_k), t_k solving sum_j (1 - exp(-w_j t_k)) = k, beyond.
 * w: n weights >= 0 (normalised inside); pk: kmax + 1 probabilities. */
void skm_synth_inclusion(const double *w, size_t n, const double *pk, size_t kmax, double *pi);

/* Weights w (sum 1) whose inclusion probabilities under k ~ pk approach the targets s[0..n)
 * (s > 0; each capped below P(k >= 1)); pi receives the inclusion probabilities reached.
 * Returns the largest |pi - s| left. */
double skm_synth_solve_weights(const double *s, size_t n, const double *pk, size_t kmax,
                               double *w, double *pi);

#endif /* SKM_SYNTH_H */
