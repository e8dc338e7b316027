/*
 * count.c — the co-occurrence counter (see count.h): per-block choice of path by a cost model,
 * rows split among threads by pair work, per-thread int32 accumulators with int64 flushes.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../kernels/kernels.h"
#include "count.h"

/* A row whose count exceeds this overflows int32 on its own diagonal (46341^2 > INT32_MAX). */
#define MAX_WEIGHT 46340

/* Largest skill count for which the bitset path may be used (its per-thread p x p uint64 result
 * is 32 MiB at 2048; above that the pair path wins by far anyway). */
#define BITSET_MAX_P 2048

/* ---- the cost model ----------------------------------------------------------------------
 * Nanoseconds per unit on one core, measured on the development machine (AMD Zen 4, bench
 * bench_cooccur; docs/benchmarks.md, "Co-occurrence"). Only the ratio of the two paths' costs
 * matters for the choice, so a machine uniformly faster or slower chooses the same way. */

/* pairs: one scatter add per pair; the price depends on where the accumulator lives. */
static double ns_per_pair(size_t acc_bytes)
{
    if (acc_bytes <= (size_t)1 << 20)
        return 0.70; /* in L2 (1 MiB on Zen 4): 0.67-0.73 measured */
    if (acc_bytes <= (size_t)4 << 20)
        return 0.90;
    if (acc_bytes <= (size_t)16 << 20)
        return 1.60; /* L3: 1.45-1.67 at p = 2048 */
    return 4.00;     /* DRAM: 4.0 at 64 MiB */
}

/* bitset: per 64-bit word of an AND-popcount of two skills, by kernel level. */
static double ns_per_word(const char *isa)
{
    if (strncmp(isa, "avx512", 6) == 0)
        return 0.072; /* p = 256: 50 ms for the whole bitset path */
    if (strncmp(isa, "avx2", 4) == 0)
        return 0.140;
    return 0.450;
}
/* Above this per-thread accumulator size the pairs path splits skills among threads. Measured
 * crossover (bench_cooccur --split rows|skills, 2 threads, 1 M rows, Zen 4): rows win at
 * p = 1024 (4 MiB per copy: 34.6 vs 37.5 ms), skills at p = 1448 (8 MiB: 42.1 vs 47.7 ms) and
 * p = 2048 (16 MiB: 52.5 vs 71.2 ms). */
#define SPLIT_BYTES ((size_t)6 << 20)

#define NS_PER_SET 1.1    /* csr_to_bitsets: one OR per non-zero (scatter) */
#define NS_PER_ZERO 0.09  /* memset of the bitsets, per word */

const char *skm_cooc_path_name(int path)
{
    switch (path) {
    case SKM_COOC_AUTO: return "auto";
    case SKM_COOC_PAIRS: return "pairs";
    case SKM_COOC_BITSET: return "bitset";
    }
    return "?";
}

/* One thread's accumulators and its share of the current block. */
typedef struct tstate {
    int32_t lo, hi;    /* the rows of the triangle this thread's acc holds */
    size_t ld, cells;  /* its row length (p - lo) and size ((hi - lo) x ld) */
    int32_t *acc;      /* cells int32: pairs a < b */
    int32_t *diag;     /* n_a (the diagonal, kept apart: sparse_gram_i32's diag), hi - lo */
    int64_t *acc64;    /* flushed totals, allocated at the first flush */
    int64_t *diag64;
    uint64_t bound;    /* upper bound on any entry of acc */
    uint64_t *C;       /* bitset path: p x p uint64 (upper triangle), allocated at first use */
    uint64_t *bits;    /* bitset path: p x ldbits words */
    uint64_t flushes;
    /* the job */
    const int64_t *indptr;
    const int32_t *indices, *counts;
    size_t n_rows;
    size_t row0;       /* the job's first row within the block */
    int path;
    double seconds;    /* how long the job took (split mode balances on it) */
    int count_pairs;   /* the job counts its pair work too (for the stats) */
    int32_t wlo, whi;  /* ... of the pairs whose first skill is in [wlo, whi) */
    uint64_t pairs;
    int rc;            /* SKM_OK, SKM_ELIMIT, SKM_ENOMEM */
    size_t bad_row;    /* the row of an SKM_ELIMIT, relative to the job */
    int32_t bad_count;
} tstate;

struct skm_cooc_counter {
    skm_ctx *ctx;
    skm_cooc_counter_params par;
    size_t ld;          /* p - lo */
    size_t band_cells;  /* (hi - lo) * ld */
    size_t ldbits;      /* bitset stride, words: a multiple of 8 plus 8 */
    size_t chunk_rows;  /* rows per bitset chunk: 64 * (ldbits - 8) */
    const struct skm_kernels *k;
    int bitset_ok;      /* the bitset path may run */
    int split_skills;   /* pairs path: threads own bands of skills, not shares of rows */
    int32_t *slab;      /* split mode: the band, band_cells int32; thread t writes its rows */
    int64_t *slab64;    /* split mode: flushed totals, allocated at the first flush */
    int32_t *sdiag;     /* split mode: the diagonal, hi - lo */
    int64_t *sdiag64;
    uint64_t sbound;    /* split mode: upper bound on any entry of slab */
    uint64_t *mass;     /* split mode: pair work per row of the band, from the first block;
                           NULL until then (the threads' bands are not cut yet) */
    uint64_t sflushes;
    double pairs_per_nnz; /* of the last block: the cost model's estimate for the next one */
    tstate *ts;
    skm_worker *workers; /* threads - 1 */
    skm_cooc_counter_stats st;
};

static size_t bitset_ldbits(size_t p)
{
    /* About 512 KiB of bitsets per chunk (half of a Zen 4 L2), 8..1024 words per skill. */
    size_t w = ((size_t)64 << 10) / (p ? p : 1);
    w = w < 8 ? 8 : w > 1024 ? 1024 : w;
    return w / 8 * 8 + 8;
}

static int check_params(skm_ctx *ctx, const skm_cooc_counter_params *q)
{
    if (q->p > INT32_MAX || q->lo < 0 || q->lo > q->hi || (size_t)q->hi > q->p ||
        q->threads < 1 || q->threads > 1024 || q->path < SKM_COOC_AUTO ||
        q->path > SKM_COOC_BITSET || q->split < SKM_COOC_SPLIT_AUTO ||
        q->split > SKM_COOC_SPLIT_SKILLS)
        return skm_error(ctx, SKM_EINVAL,
                         "co-occurrence counter: bad parameters (p %zu, band [%d, %d), %d "
                         "threads, path %d)",
                         q->p, (int)q->lo, (int)q->hi, q->threads, q->path);
    if (q->path == SKM_COOC_BITSET &&
        (q->lo != 0 || (size_t)q->hi != q->p || q->weighted || q->p > BITSET_MAX_P))
        return skm_error(ctx, SKM_EINVAL,
                         "the bitset path counts presence over the whole triangle of at most "
                         "%d skills (asked: p %zu, band [%d, %d), %s)",
                         BITSET_MAX_P, q->p, (int)q->lo, (int)q->hi,
                         q->weighted ? "frequency-weighted" : "presence");
    return SKM_OK;
}

static int bitset_possible(const skm_cooc_counter_params *q)
{
    return q->path != SKM_COOC_PAIRS && q->lo == 0 && (size_t)q->hi == q->p && !q->weighted &&
           q->p <= BITSET_MAX_P && q->p > 0;
}

size_t skm_cooc_counter_bytes(const skm_cooc_counter_params *q)
{
    size_t cells = (size_t)(q->hi - q->lo) * (q->p - (size_t)q->lo);
    /* int32 accumulators (pairs and the diagonal); a frequency-weighted counter may also flush
     * into int64 ones. */
    size_t per_thread = (cells + (size_t)(q->hi - q->lo)) *
                        (sizeof(int32_t) + (q->weighted ? sizeof(int64_t) : 0));
    if (bitset_possible(q))
        per_thread += q->p * q->p * sizeof(uint64_t) + q->p * bitset_ldbits(q->p) * 8;
    return per_thread * (size_t)(q->threads > 0 ? q->threads : 1);
}

/* ---- a thread's work ------------------------------------------------------------------- */

static void flush(tstate *t)
{
    for (size_t i = 0; i < t->cells; ++i)
        t->acc64[i] += t->acc[i];
    memset(t->acc, 0, t->cells * sizeof *t->acc);
    for (int32_t i = 0; i < t->hi - t->lo; ++i)
        t->diag64[i] += t->diag[i];
    memset(t->diag, 0, (size_t)(t->hi - t->lo) * sizeof *t->diag);
    t->bound = 0;
    ++t->flushes;
}

/* The longest run of rows [r, *e) of [r, n_rows) whose increments cannot push an int32 entry
 * holding at most `bound` past INT32_MAX: one per row for presence (w == NULL), the square of the
 * row's largest count when weighted. *used is the run's bound. SKM_ELIMIT, with *bad_row and
 * *bad_count, for a row whose largest count alone overflows (> MAX_WEIGHT). *e == r means the
 * accumulator must be flushed first. */
static int fitting_rows(const int64_t *indptr, const int32_t *w, size_t r, size_t n_rows,
                        uint64_t bound, size_t *e_out, uint64_t *used_out, size_t *bad_row,
                        int32_t *bad_count)
{
    const uint64_t room = (uint64_t)INT32_MAX - bound;
    uint64_t used = 0;
    size_t e = r;
    if (!w) {
        e = r + (n_rows - r < room ? n_rows - r : (size_t)room);
        used = e - r;
    } else {
        for (; e < n_rows; ++e) {
            int32_t m = 0;
            for (int64_t k = indptr[e]; k < indptr[e + 1]; ++k)
                m = w[k] > m ? w[k] : m;
            if (m > MAX_WEIGHT) {
                *bad_row = e;
                *bad_count = m;
                return SKM_ELIMIT;
            }
            const uint64_t b = (uint64_t)m * (uint64_t)m;
            if (used + b > room)
                break;
            used += b;
        }
    }
    *e_out = e;
    *used_out = used;
    return SKM_OK;
}

static int run_pairs(const skm_cooc_counter *c, tstate *t)
{
    const int32_t *w = c->par.weighted ? t->counts : NULL;
    size_t r = 0;
    while (r < t->n_rows) {
        size_t e;
        uint64_t used;
        if (fitting_rows(t->indptr, w, r, t->n_rows, t->bound, &e, &used, &t->bad_row,
                         &t->bad_count) != SKM_OK)
            return SKM_ELIMIT;
        if (e == r) { /* no room for the next row: flush, then go on */
            if (!t->acc64 &&
                (!(t->acc64 = skm_calloc_array(t->cells ? t->cells : 1, sizeof *t->acc64)) ||
                 !(t->diag64 = skm_calloc_array((size_t)(t->hi - t->lo) + 1,
                                                sizeof *t->diag64))))
                return SKM_ENOMEM;
            flush(t);
            continue;
        }
        c->k->sparse_gram_i32(t->indptr + r, t->indices, w, e - r, t->lo, t->hi, t->acc, t->ld,
                              t->diag);
        t->bound += used;
        r = e;
    }
    return SKM_OK;
}

static int run_bitset(const skm_cooc_counter *c, tstate *t)
{
    const size_t p = c->par.p, ldb = c->ldbits, TILE = 64;
    if (!t->C) {
        t->C = skm_calloc_array(p * p, sizeof *t->C);
        t->bits = skm_aligned_array(p * ldb, sizeof *t->bits);
        if (!t->C || !t->bits)
            return SKM_ENOMEM;
    }
    for (size_t r = 0; r < t->n_rows; r += c->chunk_rows) {
        size_t nr = t->n_rows - r < c->chunk_rows ? t->n_rows - r : c->chunk_rows;
        size_t nw = (nr + 63) / 64;
        memset(t->bits, 0, p * ldb * sizeof *t->bits);
        c->k->csr_to_bitsets(t->indptr + r, t->indices, nr, t->bits, ldb);
        for (size_t i = 0; i < p; i += TILE)
            for (size_t j = i; j < p; j += TILE)
                c->k->and_popcount_tile(t->bits + i * ldb, ldb, p - i < TILE ? p - i : TILE,
                                        t->bits + j * ldb, ldb, p - j < TILE ? p - j : TILE, nw,
                                        t->C + i * p + j, p);
    }
    return SKM_OK;
}

/* Pair work of rows [r0, r1): the pairs (k, l >= k) of a row whose first skill is in [lo, hi);
 * the whole triangle when whole (then only indptr is read). */
static uint64_t work(const int64_t *indptr, const int32_t *indices, size_t r0, size_t r1,
                     int32_t lo, int32_t hi, int whole)
{
    uint64_t w = 0;
    for (size_t r = r0; r < r1; ++r) {
        int64_t k = indptr[r];
        const int64_t e = indptr[r + 1];
        if (whole) {
            const uint64_t n = (uint64_t)(e - k);
            w += n * (n + 1) / 2;
            continue;
        }
        while (k < e && indices[k] < lo)
            ++k;
        for (; k < e && indices[k] < hi; ++k)
            w += (uint64_t)(e - k);
    }
    return w;
}

static int run_job(void *arg, void *job)
{
    const skm_cooc_counter *c = arg;
    tstate *t = job;
    const double t0 = skm_now();
    t->pairs = t->count_pairs ? work(t->indptr, t->indices, 0, t->n_rows, t->wlo, t->whi,
                                     t->wlo == 0 && (size_t)t->whi == c->par.p)
                              : 0;
    t->rc = t->path == SKM_COOC_BITSET ? run_bitset(c, t) : run_pairs(c, t);
    t->seconds = skm_now() - t0;
    return SKM_OK; /* errors travel in t->rc, so that every thread's job still runs */
}

/* ---- life cycle ----------------------------------------------------------------------- */

int skm_cooc_counter_create(skm_ctx *ctx, const skm_cooc_counter_params *params,
                            skm_cooc_counter **out)
{
    *out = NULL;
    int rc = check_params(ctx, params);
    if (rc)
        return rc;
    skm_cooc_counter *c = calloc(1, sizeof *c);
    if (!c)
        return skm_error(ctx, SKM_ENOMEM, "out of memory");
    c->ctx = ctx;
    c->par = *params;
    c->ld = params->p - (size_t)params->lo;
    c->band_cells = (size_t)(params->hi - params->lo) * c->ld;
    c->ldbits = bitset_ldbits(params->p);
    c->chunk_rows = 64 * (c->ldbits - 8);
    c->k = skm_kernels_active();
    c->bitset_ok = bitset_possible(params);
    const int T = params->threads;
    c->ts = calloc((size_t)T, sizeof *c->ts);
    c->workers = calloc((size_t)T, sizeof *c->workers);
    if (!c->ts || !c->workers)
        goto nomem;
    /* An accumulator too big to keep one copy per thread in cache is cut among the threads by
     * skill instead: each then owns a band of rows of the triangle and reads every row of the
     * data, and the threads together touch one triangle instead of one each (SPLIT_BYTES). */
    c->split_skills = params->split == SKM_COOC_SPLIT_SKILLS ||
                      (params->split == SKM_COOC_SPLIT_AUTO && T > 1 &&
                       c->band_cells * sizeof(int32_t) > SPLIT_BYTES);
    if (!c->split_skills) {
        for (int i = 0; i < T; ++i) {
            tstate *t = &c->ts[i];
            t->lo = params->lo;
            t->hi = params->hi;
            t->ld = c->ld;
            t->cells = c->band_cells;
            if (!(t->acc = skm_calloc_array(t->cells ? t->cells : 1, sizeof(int32_t))) ||
                !(t->diag = skm_calloc_array((size_t)(t->hi - t->lo) + 1, sizeof(int32_t))))
                goto nomem;
        }
    } else if (!(c->slab = skm_calloc_array(c->band_cells + 1, sizeof(int32_t))) ||
               !(c->sdiag = skm_calloc_array((size_t)(params->hi - params->lo) + 1,
                                             sizeof(int32_t)))) {
        goto nomem;
    }
    for (int i = 1; i < T; ++i)
        skm_worker_start(&c->workers[i], run_job, c, 1);
    *out = c;
    return SKM_OK;
nomem:
    skm_cooc_counter_free(c);
    return skm_error(ctx, SKM_ENOMEM,
                     "out of memory for the co-occurrence counts (%d threads x %zu x %zu int32)",
                     T, (size_t)(params->hi - params->lo), params->p - (size_t)params->lo);
}

void skm_cooc_counter_free(skm_cooc_counter *c)
{
    if (!c)
        return;
    for (int i = 1; c->workers && i < c->par.threads; ++i)
        skm_worker_stop(&c->workers[i]);
    for (int i = 0; c->ts && i < c->par.threads; ++i) {
        if (!c->slab) {
            free(c->ts[i].acc);
            free(c->ts[i].diag);
        }
        free(c->ts[i].diag64);
        free(c->ts[i].acc64);
        free(c->ts[i].C);
        free(c->ts[i].bits);
    }
    free(c->slab);
    free(c->slab64);
    free(c->sdiag);
    free(c->sdiag64);
    free(c->mass);
    free(c->ts);
    free(c->workers);
    free(c);
}

/* ---- counting a block ------------------------------------------------------------------ */

/* Split mode: point thread t at rows [lo_t, hi_t) of the shared band (same layout as the whole
 * band, so that moving a cut moves no data). */
static void set_cuts(skm_cooc_counter *c, const int32_t *cuts)
{
    const int32_t lo = c->par.lo;
    for (int i = 0; i < c->par.threads; ++i) {
        tstate *t = &c->ts[i];
        t->lo = cuts[i];
        t->hi = cuts[i + 1];
        t->ld = c->ld;
        t->cells = 0; /* split mode never flushes per thread */
        t->acc = c->slab + (size_t)(t->lo - lo) * c->ld + (size_t)(t->lo - lo);
        t->diag = c->sdiag + (t->lo - lo);
    }
}

/* Cuts with equal sum of weight[a] (a in [0, nb)) per thread. */
static void balance(skm_cooc_counter *c, const double *weight)
{
    const int T = c->par.threads;
    const size_t nb = (size_t)(c->par.hi - c->par.lo);
    int32_t cuts[1025];
    double total = 0, acc = 0;
    for (size_t a = 0; a < nb; ++a)
        total += weight[a];
    size_t a = 0;
    cuts[0] = c->par.lo;
    for (int i = 1; i < T; ++i) {
        if (total > 0) {
            const double goal = total * i / T;
            while (a < nb && acc < goal)
                acc += weight[a++];
        } else {
            a = nb * (size_t)i / (size_t)T;
        }
        cuts[i] = (int32_t)((size_t)c->par.lo + a);
    }
    cuts[T] = c->par.hi;
    set_cuts(c, cuts);
}

/* Split mode, first block: the pair work per row of the band, and cuts that share it equally. */
static int split_first(skm_cooc_counter *c, const int64_t *indptr, const int32_t *indices,
                       size_t n_rows)
{
    const skm_cooc_counter_params *q = &c->par;
    const size_t nb = (size_t)(q->hi - q->lo);
    double *w = skm_malloc_array(nb + 1, sizeof *w);
    if (!w || !(c->mass = skm_calloc_array(nb + 1, sizeof *c->mass))) {
        free(w);
        return SKM_ENOMEM;
    }
    for (size_t r = 0; r < n_rows; ++r) {
        int64_t k = indptr[r];
        const int64_t e = indptr[r + 1];
        while (k < e && indices[k] < q->lo)
            ++k;
        for (; k < e && indices[k] < q->hi; ++k)
            c->mass[indices[k] - q->lo] += (uint64_t)(e - k);
    }
    for (size_t a = 0; a < nb; ++a)
        w[a] = (double)c->mass[a];
    balance(c, w);
    free(w);
    return SKM_OK;
}

/* Split mode, after a chunk: the threads' times say what a pair costs in each band (a band that
 * fits in cache is cheaper per pair); re-cut so that the modelled times are equal. Only the
 * speed depends on the cuts: the counts do not. */
static void rebalance(skm_cooc_counter *c)
{
    const int T = c->par.threads;
    const size_t nb = (size_t)(c->par.hi - c->par.lo);
    double tmin = INFINITY, tmax = 0;
    for (int i = 0; i < T; ++i) {
        tmin = c->ts[i].seconds < tmin ? c->ts[i].seconds : tmin;
        tmax = c->ts[i].seconds > tmax ? c->ts[i].seconds : tmax;
    }
    if (!(tmax > 1e-4) || tmax < 1.05 * tmin) /* too short to tell, or balanced */
        return;
    double *w = skm_malloc_array(nb + 1, sizeof *w);
    if (!w)
        return; /* keep the cuts: only speed is at stake */
    for (int i = 0; i < T; ++i) {
        const tstate *t = &c->ts[i];
        double m = 0;
        for (int32_t a = t->lo; a < t->hi; ++a)
            m += (double)c->mass[a - c->par.lo];
        /* seconds per unit of work in this band; a band without work keeps a neutral rate */
        const double rate = m > 0 ? t->seconds / m : 0;
        for (int32_t a = t->lo; a < t->hi; ++a)
            w[a - c->par.lo] = (double)c->mass[a - c->par.lo] * rate;
    }
    balance(c, w);
    free(w);
}

static void flush_slab(skm_cooc_counter *c)
{
    for (size_t i = 0; i < c->band_cells; ++i)
        c->slab64[i] += c->slab[i];
    memset(c->slab, 0, c->band_cells * sizeof *c->slab);
    const size_t nb = (size_t)(c->par.hi - c->par.lo);
    for (size_t i = 0; i < nb; ++i)
        c->sdiag64[i] += c->sdiag[i];
    memset(c->sdiag, 0, nb * sizeof *c->sdiag);
    c->sbound = 0;
    ++c->sflushes;
}

/* Rows [r, e) of the block for thread t, by `path`. */
static void set_job(tstate *t, const int64_t *indptr, const int32_t *indices,
                    const int32_t *counts, size_t r, size_t e, int path)
{
    t->indptr = indptr + r;
    t->indices = indices;
    t->counts = counts;
    t->n_rows = e - r;
    t->row0 = r;
    t->path = path;
    t->rc = SKM_OK;
}

/* Run the current jobs (c->ts[i]) on every thread and wait. */
static void run_all(skm_cooc_counter *c)
{
    for (int i = 1; i < c->par.threads; ++i)
        skm_worker_submit(&c->workers[i], &c->ts[i]);
    run_job(c, &c->ts[0]);
    for (int i = 1; i < c->par.threads; ++i)
        skm_worker_wait(&c->workers[i]);
}

/* Split mode: every thread gets every row of a chunk, for its band; chunks are cut so that no
 * entry of the shared int32 band can overflow, with a flush to int64 in between. */
static int elimit(skm_cooc_counter *c, size_t row, int32_t count)
{
    return skm_error(c->ctx, SKM_ELIMIT,
                     "row %zu of the block has a skill count of %d; frequency-weighted "
                     "co-occurrence takes counts up to %d (their square must fit int32)",
                     row, (int)count, MAX_WEIGHT);
}

static int add_split(skm_cooc_counter *c, const int64_t *indptr, const int32_t *indices,
                     const int32_t *counts, size_t n_rows)
{
    const int32_t *w = c->par.weighted ? counts : NULL;
    const int whole = c->par.lo == 0 && (size_t)c->par.hi == c->par.p;
    uint64_t wsum = 0;
    size_t r = 0;
    while (r < n_rows) {
        size_t e, bad_row = 0;
        uint64_t used;
        int32_t bad_count = 0;
        if (fitting_rows(indptr, w, r, n_rows, c->sbound, &e, &used, &bad_row, &bad_count))
            return elimit(c, bad_row, bad_count);
        if (e == r) {
            if (!c->slab64 &&
                (!(c->slab64 = skm_calloc_array(c->band_cells + 1, sizeof *c->slab64)) ||
                 !(c->sdiag64 = skm_calloc_array((size_t)(c->par.hi - c->par.lo) + 1,
                                                 sizeof *c->sdiag64))))
                return skm_error(c->ctx, SKM_ENOMEM, "out of memory for the int64 counts");
            flush_slab(c);
            continue;
        }
        for (int i = 0; i < c->par.threads; ++i) {
            tstate *t = &c->ts[i];
            set_job(t, indptr, indices, counts, r, e, SKM_COOC_PAIRS);
            t->bound = 0; /* the chunk fits: the thread never flushes */
            /* the pair work: by thread 0 from indptr alone for the whole triangle, else by
             * each thread for its own band */
            t->count_pairs = !whole || i == 0;
            t->wlo = whole ? c->par.lo : t->lo;
            t->whi = whole ? c->par.hi : t->hi;
        }
        run_all(c);
        for (int i = 0; i < c->par.threads; ++i)
            wsum += c->ts[i].pairs;
        for (int i = 0; i < c->par.threads; ++i)
            if (c->ts[i].rc != SKM_OK)
                return skm_error(c->ctx, c->ts[i].rc, "co-occurrence counter failed");
        c->sbound += used;
        r = e;
        rebalance(c);
    }
    c->st.pairs += (double)wsum;
    if (indptr[n_rows] > indptr[0])
        c->pairs_per_nnz = (double)wsum / (double)(indptr[n_rows] - indptr[0]);
    return SKM_OK;
}

int skm_cooc_counter_add(skm_cooc_counter *c, const int64_t *indptr, const int32_t *indices,
                         const int32_t *counts, size_t n_rows)
{
    if (n_rows == 0)
        return SKM_OK;
    const skm_cooc_counter_params *q = &c->par;
    const int T = q->threads;

    /* Cost of each path for this block. The pair work is counted exactly by the threads as they
     * go (for the stats); the model uses the previous block's pairs per non-zero, or counts the
     * first block here, when it has a choice to make. */
    const size_t nnz = (size_t)(indptr[n_rows] - indptr[0]);
    const int whole = q->lo == 0 && (size_t)q->hi == q->p;
    double W = 0;
    if (c->pairs_per_nnz > 0)
        W = c->pairs_per_nnz * (double)nnz;
    else if (q->path == SKM_COOC_AUTO && c->bitset_ok)
        W = (double)work(indptr, indices, 0, n_rows, q->lo, q->hi, whole);
    /* no choice to make and no history yet: the estimate starts with the next block */
    double cost_pairs = W * ns_per_pair(c->band_cells * sizeof(int32_t));
    double cost_bits = -1;
    if (c->bitset_ok) {
        double p = (double)q->p, words = (double)n_rows / 64.0;
        double chunks = (double)((n_rows + c->chunk_rows - 1) / c->chunk_rows);
        cost_bits = p * (p + 1) / 2 * words * ns_per_word(c->k->isa) +
                    (double)nnz * NS_PER_SET + chunks * p * (double)c->ldbits * NS_PER_ZERO;
    }
    int path = q->path;
    if (path == SKM_COOC_AUTO)
        path = c->bitset_ok && cost_bits < cost_pairs ? SKM_COOC_BITSET : SKM_COOC_PAIRS;
    c->st.est_ns_pairs += cost_pairs;
    if (cost_bits >= 0)
        c->st.est_ns_bitset += cost_bits;
    else
        c->st.est_ns_bitset = -1; /* the path cannot run here: no estimate */
    if (path == SKM_COOC_BITSET) {
        c->st.rows_bitset += n_rows;
        c->st.blocks_bitset++;
    } else {
        c->st.rows_pairs += n_rows;
        c->st.blocks_pairs++;
    }

    if (path == SKM_COOC_PAIRS && c->split_skills) {
        if (!c->mass && split_first(c, indptr, indices, n_rows) != SKM_OK)
            return skm_error(c->ctx, SKM_ENOMEM, "out of memory");
        return add_split(c, indptr, indices, counts, n_rows);
    }

    /* Split the rows: equal non-zeros (pairs path: a binary search in indptr, no pass over the
     * rows) or equal rows (bitset path). */
    size_t r = 0;
    for (int i = 0; i < T; ++i) {
        size_t e;
        if (i == T - 1) {
            e = n_rows;
        } else if (path == SKM_COOC_BITSET) {
            e = n_rows * (size_t)(i + 1) / (size_t)T;
        } else { /* the first row whose start reaches the goal */
            const int64_t goal = indptr[0] + (int64_t)(nnz / (size_t)T * (size_t)(i + 1));
            size_t a = r, b = n_rows;
            while (a < b) {
                size_t mid = a + (b - a) / 2;
                if (indptr[mid] < goal)
                    a = mid + 1;
                else
                    b = mid;
            }
            e = a;
        }
        tstate *t = &c->ts[i];
        t->count_pairs = 1;
        t->wlo = q->lo;
        t->whi = q->hi;
        set_job(t, indptr, indices, counts, r, e, path);
        r = e;
    }
    run_all(c);
    uint64_t Wb = 0;
    for (int i = 0; i < T; ++i)
        Wb += c->ts[i].pairs;
    c->st.pairs += (double)Wb;
    if (nnz)
        c->pairs_per_nnz = (double)Wb / (double)nnz;
    for (int i = 0; i < T; ++i) {
        const tstate *t = &c->ts[i];
        if (t->rc == SKM_ELIMIT)
            return elimit(c, t->row0 + t->bad_row, t->bad_count);
        if (t->rc != SKM_OK)
            return skm_error(c->ctx, t->rc, "out of memory for the co-occurrence counter");
    }
    return SKM_OK;
}

int64_t skm_cooc_counter_get(const skm_cooc_counter *c, int32_t a, int32_t b)
{
    int64_t n = 0;
    if (c->split_skills) {
        if (a == b) {
            n += c->sdiag[a - c->par.lo];
            if (c->sdiag64)
                n += c->sdiag64[a - c->par.lo];
        } else {
            const size_t cell = (size_t)(a - c->par.lo) * c->ld + (size_t)(b - c->par.lo);
            n += c->slab[cell];
            if (c->slab64)
                n += c->slab64[cell];
        }
    }
    for (int i = 0; i < c->par.threads; ++i) {
        const tstate *t = &c->ts[i];
        if (!c->split_skills && a >= t->lo && a < t->hi) {
            if (a == b) {
                n += t->diag[a - t->lo];
                if (t->diag64)
                    n += t->diag64[a - t->lo];
            } else {
                const size_t cell = (size_t)(a - t->lo) * t->ld + (size_t)(b - t->lo);
                n += t->acc[cell];
                if (t->acc64)
                    n += t->acc64[cell];
            }
        }
        if (t->C)
            n += (int64_t)t->C[(size_t)a * c->par.p + (size_t)b];
    }
    return n;
}

void skm_cooc_counter_stats_get(const skm_cooc_counter *c, skm_cooc_counter_stats *out)
{
    *out = c->st;
    out->flushes = 0;
    for (int i = 0; i < c->par.threads; ++i)
        out->flushes += c->ts[i].flushes;
    out->flushes += c->sflushes;
}
