/*
 * synth.c — `skillmat synth`: synthetic postings calibrated from a store, with a planted salary
 * model (docs/synth.md; the /synth group of a .h5 output: docs/hdf5-schema.md).
 *
 * Plan
 *   1. Calibration, one pass over the store in row blocks: the latent class of a posting is its
 *      `role` (else the role family of its title, else one class); per class the postings, the
 *      presence count of every skill (p x classes), the histogram of skills per posting, the
 *      (class, title) pairs, the postings with a salary and with an hourly one, and per class x
 *      seniority the sum and sum of squares of ln salary; per location its postings, remote
 *      flags and (location, country) pairs; postings per month. Memory: O(p x classes + levels).
 *   2. The model: per class up to 50 titles (the top title of every seniority present, then the
 *      commonest), weighted so that the class's seniority mix is the store's; the top 500
 *      locations with their majority country and remote shares; monthly shares; the vocabulary
 *      (the store's skills, or its top P, or the store's plus extra ones whose frequencies
 *      continue a power law fitted to the store's tail, each with a home class); per class the
 *      target share of each skill, P(j) lift^C renormalised, and the weights whose successive
 *      sampling reproduces those shares (Rosén's approximation of the inclusion probabilities);
 *      planted premiums; cell means mu[class][seniority] that reproduce the store's mean
 *      ln salary per cell (shrunk to the class mean, less the premiums' expected sum).
 *   3. Generation: one seeded stream draws the postings one by one (class, title, company,
 *      location, remote, date, skills, salary); a second stream writes the descriptions, so
 *      --text changes no other column. Rows go to a double-buffered writer (a worker thread
 *      writes or gzips one buffer while the next fills), or, for .h5, to blocks handed to the
 *      store writer on its own thread, with every level table and the vocabulary in first-seen
 *      order and every derived column computed as ingest would: the store equals the one
 *      `skillmat ingest` makes of the CSV written with the same seed.
 *   4. The truth: a CSV (--truth) and, for .h5, the /synth group.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>
#include <zlib.h>

#include "extract/extract.h"
#include "extract/extract_impl.h"
#include "extract/salary_text.h"
#include "extract/textgen.h"
#include "extract/title.h"
#include "h5/h5out.h"
#include "h5/h5util.h"
#include "h5/store_write.h"
#include "ingest/fields.h"
#include "skm_build.h"
#include "synth.h"

#define SG "/synth"

/* Rows read from the calibration store per block, and postings per store block written. */
#define BLOCK_ROWS 65536
/* Postings between checks of the interrupt flag and progress reports. */
#define CHECK_EVERY 4096
/* Titles kept per class, locations kept. */
#define MAX_TITLES 50
#define MAX_LOCATIONS 500
/* Skills per posting at most (the histogram's last bin collects the rest). */
#define KCAP 256
/* Seniority cells: the 7 levels of title.h and "no title". */
#define N_SEN 8
/* Months covered by the date model: 1900-01 .. 2199-12. */
#define MONTH_YEAR0 1900
#define N_MONTHS 3600
/* Smoothing of P(skill | class): (count + ALPHA P(skill)) / (postings + ALPHA). */
#define SMOOTH_ALPHA 1.0
/* Shrinkage of a cell's mean ln salary to its class mean: KAPPA pseudo-postings. */
#define SHRINK_KAPPA 10.0
/* Share of an extra skill's postings in its home class (spread over the others by size). */
#define HOME_MASS 0.8
/* Zipf exponent of company sizes. */
#define ZIPF_S 1.0
/* Premium eligibility: expected doc share at least this. */
#define PREMIUM_MIN_SHARE 0.01
/* Noise sd when the store gives no way to calibrate it. */
#define NOISE_FALLBACK 0.30
/* Bytes per writer buffer. */
#define OUT_BUF ((size_t)1 << 20)
#define HOURS_PER_YEAR 2080.0

enum { CLASS_ROLE = 0, CLASS_ROLE_FAMILY = 1, CLASS_NONE = 2 };
enum { ORIGIN_STORE = 0, ORIGIN_TAXONOMY = 1, ORIGIN_GENERATED = 2 };
static const char *const origin_names[] = {"store", "taxonomy", "generated"};
static const char *const class_kind_names[] = {"role", "role_family", "(none)"};

/* Stream numbers of skm_rng_seed: each purpose its own sequence. */
enum { STREAM_MODEL = 1, STREAM_POSTINGS = 2, STREAM_TEXT = 3 };

skm_synth_params skm_synth_params_default(void)
{
    skm_synth_params p;
    memset(&p, 0, sizeof p);
    p.n = 10000;
    p.seed = 1;
    p.contrast = 1.0;
    p.n_premiums = 20;
    p.premium_sd = 0.10;
    p.noise_sd = NAN;
    p.compression = 1;
    return p;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    if (n < m)
        return 0;
    for (size_t i = 0; i < m; ++i) {
        char c = s[n - m + i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != suffix[i])
            return 0;
    }
    return 1;
}

int skm_synth_format_of(const char *path)
{
    if (!path)
        return -1;
    if (ends_with(path, ".csv.gz"))
        return SKM_SYNTH_CSV_GZ;
    if (ends_with(path, ".jsonl.gz"))
        return SKM_SYNTH_JSONL_GZ;
    if (ends_with(path, ".csv"))
        return SKM_SYNTH_CSV;
    if (ends_with(path, ".jsonl"))
        return SKM_SYNTH_JSONL;
    if (ends_with(path, ".h5"))
        return SKM_SYNTH_H5;
    return -1;
}

/* ---- alias tables ---------------------------------------------------------------------- */

void skm_alias_free(skm_alias *a)
{
    if (!a)
        return;
    free(a->thr);
    free(a->alias);
    memset(a, 0, sizeof *a);
}

int skm_alias_build(skm_alias *a, const double *w, size_t n)
{
    memset(a, 0, sizeof *a);
    if (n == 0)
        return SKM_OK;
    if (n > UINT32_MAX)
        return SKM_EINVAL;
    double sum = 0;
    for (size_t i = 0; i < n; ++i) {
        if (!(w[i] >= 0) || !isfinite(w[i]))
            return SKM_EINVAL;
        sum += w[i];
    }
    if (!(sum > 0) || !isfinite(sum))
        return SKM_EINVAL;
    double *q = skm_malloc_array(n, sizeof *q);
    uint32_t *small = skm_malloc_array(n, sizeof *small);
    uint32_t *large = skm_malloc_array(n, sizeof *large);
    a->thr = skm_malloc_array(n, sizeof *a->thr);
    a->alias = skm_malloc_array(n, sizeof *a->alias);
    if (!q || !small || !large || !a->thr || !a->alias) {
        free(q);
        free(small);
        free(large);
        skm_alias_free(a);
        return SKM_ENOMEM;
    }
    a->n = n;
    size_t ns = 0, nl = 0;
    for (size_t i = 0; i < n; ++i) {
        q[i] = w[i] * (double)n / sum;
        if (q[i] < 1.0)
            small[ns++] = (uint32_t)i;
        else
            large[nl++] = (uint32_t)i;
    }
    while (ns && nl) {
        const uint32_t s = small[--ns], l = large[nl - 1];
        a->thr[s] = (uint64_t)(q[s] * 18446744073709551616.0);
        a->alias[s] = l;
        q[l] = (q[l] + q[s]) - 1.0;
        if (q[l] < 1.0) {
            --nl;
            small[ns++] = l;
        }
    }
    while (nl) {
        const uint32_t l = large[--nl];
        a->thr[l] = UINT64_MAX;
        a->alias[l] = l;
    }
    while (ns) { /* rounding leftovers: their own column, whole */
        const uint32_t s = small[--ns];
        a->thr[s] = UINT64_MAX;
        a->alias[s] = s;
    }
    free(q);
    free(small);
    free(large);
    return SKM_OK;
}

/* ---- inclusion probabilities and the weight solver -------------------------------------- */

/* 1 - exp(-x) for x >= 0: a Taylor series below 0.01 (error under x^6 / 720, i.e. 1e-15
 * relative), where most of a long tail of small weights falls, else exp(). */
static inline double one_minus_exp(double x)
{
    if (x < 0.01)
        return x * (1.0 - x * (0.5 - x * (1.0 / 6 - x * (1.0 / 24 - x * (1.0 / 120)))));
    return 1.0 - exp(-x);
}

/* Add pk (1 - exp(-w_j t_k)) to pi[j], t_k solving sum_j (1 - exp(-w_j t)) = k (k < the number
 * of positive weights), by Newton from *t (a previous solution, or 0: start at k / sum(w)). The
 * function is increasing and concave: from the left the iterates increase to the root, from
 * the right one step lands on the left. The evaluation that meets the tolerance is the one
 * accumulated. e: n scratch values. */
static void add_inclusion(const double *w, size_t n, double k, double sw, double pk, double *t,
                          double *e, double *pi)
{
    double tt = *t > 0 ? *t : k / sw;
    for (int it = 0;; ++it) {
        double f = -k, fp = 0;
        for (size_t j = 0; j < n; ++j) {
            const double x = w[j] * tt;
            const double q = one_minus_exp(x);
            e[j] = q;
            f += q;
            fp += w[j] * (1.0 - q);
        }
        if (fabs(f) <= 1e-9 * k || it == 100 || !(fp > 0))
            break;
        double nt = tt - f / fp;
        if (!(nt > 0))
            nt = 0.5 * tt;
        if (nt == tt)
            break;
        tt = nt;
    }
    *t = tt;
    for (size_t j = 0; j < n; ++j)
        pi[j] += pk * e[j];
}

/* skm_synth_inclusion with its scratch: tk (kmax + 1) holds the t_k of a previous call with
 * nearby weights (0: none) and receives this call's. */
static void inclusion(const double *w, size_t n, const double *pk, size_t kmax, double *pi,
                      double *tk, double *e)
{
    for (size_t j = 0; j < n; ++j)
        pi[j] = 0;
    size_t npos = 0;
    double sw = 0;
    for (size_t j = 0; j < n; ++j) {
        npos += w[j] > 0;
        sw += w[j];
    }
    if (!npos || !(sw > 0))
        return;
    double prev = 0;
    /* k = 1 and 2 exactly: P(j first) = w_j; P(j in two) = w_j (1 + sum_{i != j} w_i / (1 - w_i)),
     * with weights normalised to sum 1 */
    double S = 0;
    for (size_t j = 0; j < n; ++j) {
        const double x = w[j] / sw;
        S += x < 1 ? x / (1.0 - x) : 0.0;
    }
    for (size_t k = 1; k <= kmax && k <= 2 && k < npos; ++k) {
        if (!(pk[k] > 0))
            continue;
        for (size_t j = 0; j < n; ++j) {
            const double x = w[j] / sw;
            pi[j] += pk[k] * (k == 1 ? x : x * (1.0 + S - (x < 1 ? x / (1.0 - x) : 0.0)));
        }
    }
    for (size_t k = 1; k <= kmax; ++k) {
        if (!(pk[k] > 0) || (k <= 2 && k < npos))
            continue;
        if (k >= npos) {
            for (size_t j = 0; j < n; ++j)
                pi[j] += w[j] > 0 ? pk[k] : 0.0;
            continue;
        }
        double t = tk[k] > 0 ? tk[k] : prev;
        add_inclusion(w, n, (double)k, sw, pk[k], &t, e, pi);
        tk[k] = prev = t;
    }
}

void skm_synth_inclusion(const double *w, size_t n, const double *pk, size_t kmax, double *pi)
{
    double *tk = skm_calloc_array(kmax + 1, sizeof *tk), *e = skm_malloc_array(n + 1, sizeof *e);
    if (tk && e) {
        inclusion(w, n, pk, kmax, pi, tk, e);
    } else {
        for (size_t j = 0; j < n; ++j)
            pi[j] = NAN;
    }
    free(tk);
    free(e);
}

double skm_synth_solve_weights(const double *s, size_t n, const double *pk, size_t kmax,
                               double *w, double *pi)
{
    if (n == 0)
        return 0;
    double *tk = skm_calloc_array(kmax + 1, sizeof *tk), *e = skm_malloc_array(n + 1, sizeof *e);
    if (!tk || !e) {
        free(tk);
        free(e);
        for (size_t j = 0; j < n; ++j)
            pi[j] = NAN;
        return NAN;
    }
    const double cap = 0.995 * (1.0 - pk[0]);
    double sum = 0;
    for (size_t j = 0; j < n; ++j)
        sum += s[j] < cap ? s[j] : cap;
    for (size_t j = 0; j < n; ++j)
        w[j] = sum > 0 ? (s[j] < cap ? s[j] : cap) / sum : 1.0 / (double)n;
    double err = 0;
    for (int it = 0; it < 100; ++it) {
        inclusion(w, n, pk, kmax, pi, tk, e);
        err = 0;
        double rel = 0;
        for (size_t j = 0; j < n; ++j) {
            const double tj = s[j] < cap ? s[j] : cap, d = fabs(pi[j] - tj);
            if (d > err)
                err = d;
            if (d / (tj + 1e-3) > rel)
                rel = d / (tj + 1e-3);
        }
        if (rel < 2e-4 || !(cap > 0))
            break;
        double ws = 0;
        for (size_t j = 0; j < n; ++j) {
            const double tj = s[j] < cap ? s[j] : cap;
            double ratio = pi[j] > 0 ? tj / pi[j] : 5.0;
            ratio = ratio < 0.2 ? 0.2 : ratio > 5.0 ? 5.0 : ratio;
            w[j] *= ratio;
            ws += w[j];
        }
        for (size_t j = 0; j < n; ++j)
            w[j] /= ws;
    }
    free(tk);
    free(e);
    return err;
}

/* ---- small helpers ---------------------------------------------------------------------- */

/* (key -> count) hash map, open addressing; keys are stored + 1 so that 0 marks a free slot. */
typedef struct pairmap {
    uint64_t *key;
    int64_t *val;
    size_t cap, n;
} pairmap;

static void pm_free(pairmap *m)
{
    free(m->key);
    free(m->val);
    memset(m, 0, sizeof *m);
}

static size_t pm_slot(const pairmap *m, uint64_t k1)
{
    size_t i = (size_t)((k1 * 0x9E3779B97F4A7C15ull) >> 17) & (m->cap - 1);
    while (m->key[i] && m->key[i] != k1)
        i = (i + 1) & (m->cap - 1);
    return i;
}

static int pm_add(pairmap *m, uint64_t key, int64_t v)
{
    if (2 * (m->n + 1) > m->cap) {
        pairmap g = {0};
        g.cap = m->cap ? 2 * m->cap : 1024;
        g.key = skm_calloc_array(g.cap, sizeof *g.key);
        g.val = skm_calloc_array(g.cap, sizeof *g.val);
        if (!g.key || !g.val) {
            pm_free(&g);
            return SKM_ENOMEM;
        }
        for (size_t i = 0; i < m->cap; ++i)
            if (m->key[i]) {
                const size_t s = pm_slot(&g, m->key[i]);
                g.key[s] = m->key[i];
                g.val[s] = m->val[i];
            }
        g.n = m->n;
        pm_free(m);
        *m = g;
    }
    const uint64_t k1 = key + 1;
    const size_t s = pm_slot(m, k1);
    if (!m->key[s]) {
        m->key[s] = k1;
        m->n++;
    }
    m->val[s] += v;
    return SKM_OK;
}

/* A level string as the output carries it: control bytes (which would break a record over
 * lines) become blanks, then ASCII white space is trimmed, as ingest trims. */
static void sanitise(const char *s, skm_buf *out)
{
    out->len = 0;
    size_t n = strlen(s);
    if (skm_buf_reserve(out, n + 1) != SKM_OK)
        return;
    for (size_t i = 0; i < n; ++i) {
        const unsigned char c = (unsigned char)s[i];
        out->ptr[i] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
    }
    const char *p = out->ptr;
    size_t m = n;
    skm_trim(&p, &m);
    memmove(out->ptr, p, m);
    out->len = m;
    out->ptr[m] = '\0';
}

static double gauss(skm_rng *r)
{
    double u1 = skm_rng_uniform(r);
    const double u2 = skm_rng_uniform(r);
    if (u1 <= 0)
        u1 = 0x1p-53;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* Month slot (0 .. N_MONTHS - 1) of a date, or -1 outside the covered years. */
static int month_slot(int64_t t)
{
    const int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t y;
    unsigned m;
    civil_from_days(days, &y, &m);
    if (y < MONTH_YEAR0 || y >= MONTH_YEAR0 + N_MONTHS / 12)
        return -1;
    return (int)((y - MONTH_YEAR0) * 12 + (int64_t)m - 1);
}

static char *put_u64(char *p, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

static char *put2(char *p, unsigned v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
    return p + 2;
}

static char *put_str(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}

/* "Company 000123": the company of rank c (0 = the largest), 1-based, at least 6 digits. */
static char *put_company(char *p, size_t c)
{
    p = put_str(p, "Company ", 8);
    const uint64_t v = (uint64_t)c + 1;
    int digits = 1;
    for (uint64_t x = v; x >= 10; x /= 10)
        ++digits;
    for (int i = digits; i < 6; ++i)
        *p++ = '0';
    return put_u64(p, v);
}

/* ---- emitted forms of strings ------------------------------------------------------------ */

/* A table of byte strings in one buffer. */
typedef struct ftab {
    skm_buf data;
    uint32_t *off, *len;
    size_t n;
    size_t max_len;
} ftab;

static void ftab_free(ftab *t)
{
    skm_buf_free(&t->data);
    free(t->off);
    free(t->len);
    memset(t, 0, sizeof *t);
}

/* CSV field: quoted (quotes doubled) when it holds the delimiter, a quote or a line break. */
static int csv_field(skm_buf *b, const char *s, size_t n)
{
    int q = 0;
    for (size_t i = 0; i < n && !q; ++i)
        q = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (!q)
        return skm_buf_append(b, s, n);
    if (skm_buf_putc(b, '"'))
        return SKM_ENOMEM;
    for (size_t i = 0; i < n; ++i)
        if ((s[i] == '"' && skm_buf_putc(b, '"')) || skm_buf_putc(b, s[i]))
            return SKM_ENOMEM;
    return skm_buf_putc(b, '"');
}

/* JSON string with its quotes. */
static int json_str(skm_buf *b, const char *s, size_t n)
{
    if (skm_buf_putc(b, '"'))
        return SKM_ENOMEM;
    for (size_t i = 0; i < n; ++i) {
        const unsigned char c = (unsigned char)s[i];
        int rc;
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            rc = skm_buf_append(b, e, 2);
        } else if (c == '\n') {
            rc = skm_buf_append(b, "\\n", 2);
        } else if (c < 0x20) {
            rc = skm_buf_printf(b, "\\u%04x", c);
        } else {
            rc = skm_buf_putc(b, (char)c);
        }
        if (rc)
            return SKM_ENOMEM;
    }
    return skm_buf_putc(b, '"');
}

/* A skill as an item of the Python-literal list inside a quoted CSV field: 'name', with \ and '
 * backslash-escaped for the list and " doubled for the CSV field. */
static int csv_list_item(skm_buf *b, const char *s, size_t n)
{
    if (skm_buf_putc(b, '\''))
        return SKM_ENOMEM;
    for (size_t i = 0; i < n; ++i) {
        int rc = SKM_OK;
        if (s[i] == '\\' || s[i] == '\'')
            rc = skm_buf_putc(b, '\\');
        else if (s[i] == '"')
            rc = skm_buf_putc(b, '"');
        if (rc || skm_buf_putc(b, s[i]))
            return SKM_ENOMEM;
    }
    return skm_buf_putc(b, '\'');
}

/* The table of the emitted forms of m's strings: kind 0 a CSV field, 1 a JSON string, 2 a CSV
 * list item, 3 a JSON list item (a JSON string). */
static int ftab_build(ftab *t, const skm_strmap *m, int kind)
{
    memset(t, 0, sizeof *t);
    t->n = skm_strmap_size(m);
    t->off = skm_calloc_array(t->n + 1, sizeof *t->off);
    t->len = skm_calloc_array(t->n + 1, sizeof *t->len);
    if (!t->off || !t->len)
        return SKM_ENOMEM;
    for (size_t i = 0; i < t->n; ++i) {
        const char *s = skm_strmap_str(m, (int32_t)i);
        const size_t at = t->data.len, n = strlen(s);
        int rc = kind == 0 ? csv_field(&t->data, s, n)
                 : kind == 2 ? csv_list_item(&t->data, s, n)
                             : json_str(&t->data, s, n);
        if (rc || t->data.len - at > UINT32_MAX || t->data.len > UINT32_MAX)
            return SKM_ENOMEM;
        t->off[i] = (uint32_t)at;
        t->len[i] = (uint32_t)(t->data.len - at);
        if (t->len[i] > t->max_len)
            t->max_len = t->len[i];
    }
    return SKM_OK;
}

static char *put_f(char *p, const ftab *t, int32_t i)
{
    return put_str(p, t->data.ptr + t->off[i], t->len[i]);
}

/* ---- the model ---------------------------------------------------------------------------- */

typedef struct model {
    int class_kind;             /* CLASS_* */
    size_t R;                   /* classes */
    skm_strmap *roles;          /* class names (the emitted role; "" none) */
    double *role_share;
    skm_alias role_alias;
    /* titles */
    skm_strmap *titles;         /* distinct emitted titles */
    int8_t *title_sen, *title_rf; /* per title: seniority and role family by title.h */
    size_t *rt0;                /* R + 1: each class's entries in rt_title */
    int32_t *rt_title;          /* title id, -1: no title */
    double *rt_w;               /* the entries' probabilities within their class */
    skm_alias *title_alias;     /* per class */
    /* locations */
    skm_strmap *locs, *countries;
    size_t n_loc;               /* kept locations */
    int32_t *loc_id;            /* per kept location: id in locs, -1 missing */
    int32_t *loc_country;       /* id in countries, -1 missing */
    double *loc_remote;         /* 3 per location: P(remote = 1), P(0), P(unknown) cumulative */
    skm_alias loc_alias;
    /* dates */
    double p_date;              /* share of postings with a date */
    size_t month0, n_months;    /* slots month0 .. month0 + n_months - 1 */
    skm_alias month_alias;
    /* skills */
    size_t p, p_store_kept;
    int64_t p_store;
    skm_strmap *skills;         /* names (normalised as ingest normalises list items) */
    int8_t *origin;             /* ORIGIN_* */
    int32_t *home;              /* home class of an extra skill, -1 */
    int32_t *text_id;           /* taxonomy skill textgen can write, -1 */
    double *share;              /* expected doc share in the output */
    double *beta;               /* planted premium, 0 for most */
    double *pi;                 /* R x p: expected share of each skill in each class */
    double *w;                  /* R x p: sampling weights (sum 1 per class) */
    double *kdist;              /* R x KCAP: P(k skills | class) */
    double *mean_k;             /* R */
    skm_alias *skill_alias;     /* per class */
    skm_alias *k_alias;         /* per class */
    size_t kmax;                /* largest k with positive probability anywhere */
    double tail_exponent;       /* power law of the rank-frequency tail (extra skills) */
    int64_t n_premiums;
    /* salary */
    double *mu;                 /* R x N_SEN */
    double *cell_share;         /* R x N_SEN: P(class, seniority) */
    double *store_mean, *store_n; /* R x N_SEN: the store's cell means of ln salary, postings */
    double *p_known, *p_hour;   /* R */
    double noise, noise_calibrated;
    /* companies */
    size_t n_comp;
    skm_alias comp_alias;
    /* calibration facts */
    int64_t n_store, n_used;
    char store_created[64];
    char store_sha256[65];
} model;

static void model_free(model *M)
{
    skm_strmap_free(M->roles);
    free(M->role_share);
    skm_alias_free(&M->role_alias);
    skm_strmap_free(M->titles);
    free(M->title_sen);
    free(M->title_rf);
    free(M->rt0);
    free(M->rt_title);
    free(M->rt_w);
    for (size_t r = 0; M->title_alias && r < M->R; ++r)
        skm_alias_free(&M->title_alias[r]);
    free(M->title_alias);
    skm_strmap_free(M->locs);
    skm_strmap_free(M->countries);
    free(M->loc_id);
    free(M->loc_country);
    free(M->loc_remote);
    skm_alias_free(&M->loc_alias);
    skm_alias_free(&M->month_alias);
    skm_strmap_free(M->skills);
    free(M->origin);
    free(M->home);
    free(M->text_id);
    free(M->share);
    free(M->beta);
    free(M->pi);
    free(M->w);
    free(M->kdist);
    free(M->mean_k);
    for (size_t r = 0; r < M->R; ++r) {
        if (M->skill_alias)
            skm_alias_free(&M->skill_alias[r]);
        if (M->k_alias)
            skm_alias_free(&M->k_alias[r]);
    }
    free(M->skill_alias);
    free(M->k_alias);
    free(M->mu);
    free(M->cell_share);
    free(M->store_mean);
    free(M->store_n);
    free(M->p_known);
    free(M->p_hour);
    skm_alias_free(&M->comp_alias);
    memset(M, 0, sizeof *M);
}

/* ---- calibration: one pass over the store ------------------------------------------------ */

typedef struct calib {
    size_t R0;                 /* classes before dropping the empty ones */
    int64_t *n_class;          /* R0 */
    int64_t *skill_cnt;        /* R0 x p_store */
    int64_t *khist;            /* R0 x KCAP */
    int64_t *sen_cnt;          /* R0 x N_SEN */
    int64_t *known, *hourly;   /* R0 */
    double *cell_n, *cell_s, *cell_ss; /* R0 x N_SEN, ln salary - 11, plausible salaries */
    pairmap titles;            /* (class, title id + 1) -> postings */
    pairmap loc_country;       /* (location slot, country id + 1) -> postings */
    int64_t *loc_cnt;          /* per location slot (model location ids, then missing) */
    int64_t *loc_rem;          /* 3 per slot: remote 1, 0, -1 */
    int64_t months[N_MONTHS];
    int64_t dated;
    /* store level code -> model id */
    int32_t *title_map, *loc_map, *country_map, *role_map;
} calib;

static void calib_free(calib *c)
{
    free(c->n_class);
    free(c->skill_cnt);
    free(c->khist);
    free(c->sen_cnt);
    free(c->known);
    free(c->hourly);
    free(c->cell_n);
    free(c->cell_s);
    free(c->cell_ss);
    pm_free(&c->titles);
    pm_free(&c->loc_country);
    free(c->loc_cnt);
    free(c->loc_rem);
    free(c->title_map);
    free(c->loc_map);
    free(c->country_map);
    free(c->role_map);
    memset(c, 0, sizeof *c);
}

/* Read /postings/<name>_levels (none: n = 0), sanitise each and intern it into m (created);
 * map[code] = model id, -1 for a level that is empty once sanitised. */
static int map_levels(skm_ctx *ctx, skm_store *st, const char *store_path, const char *name,
                      skm_strmap **m, int32_t **map, size_t *n_levels)
{
    char **lv = NULL;
    size_t n = 0;
    int rc = skm_store_read_levels(st, name, &lv, &n);
    if (rc == SKM_ENOTFOUND) {
        n = 0;
        rc = SKM_OK;
    } else if (rc != SKM_OK) {
        return rc;
    }
    skm_buf tmp = {0};
    if (!*m && !(*m = skm_strmap_alloc()))
        rc = SKM_ENOMEM;
    if (!rc && !(*map = skm_malloc_array(n + 1, sizeof **map)))
        rc = SKM_ENOMEM;
    for (size_t i = 0; !rc && i < n; ++i) {
        sanitise(lv[i], &tmp);
        if (!tmp.ptr) {
            rc = SKM_ENOMEM;
            break;
        }
        (*map)[i] = -1;
        if (tmp.len && skm_strmap_intern(*m, tmp.ptr, tmp.len, &(*map)[i]) != SKM_OK)
            rc = SKM_ENOMEM;
    }
    skm_buf_free(&tmp);
    free(lv);
    *n_levels = n;
    if (rc == SKM_ENOMEM)
        return skm_error(ctx, rc, "%s: out of memory reading the %s levels", store_path, name);
    return rc;
}

/* Read rows [r0, r0 + n) of an int column, or fill with -1 (absent column) when `optional`. */
static int read_col(skm_store *st, const char *name, int64_t r0, size_t n, int type, void *out,
                    int optional, int *present)
{
    int rc = skm_store_read_column(st, name, r0, n, type, out);
    if (rc == SKM_ENOTFOUND && optional) {
        if (present)
            *present = 0;
        return SKM_OK;
    }
    if (present)
        *present = rc == SKM_OK;
    return rc;
}

static int calibrate(skm_ctx *ctx, skm_store *st, const char *path, model *M, calib *C)
{
    int rc = SKM_OK;
    const int64_t n = skm_store_n_rows(st), p = skm_store_n_cols(st);
    M->n_store = n;
    M->p_store = p;
    size_t n_titles_lv = 0, n_loc_lv = 0, n_country_lv = 0, n_role_lv = 0;
    if ((rc = map_levels(ctx, st, path, "title", &M->titles, &C->title_map, &n_titles_lv)) ||
        (rc = map_levels(ctx, st, path, "location", &M->locs, &C->loc_map, &n_loc_lv)) ||
        (rc = map_levels(ctx, st, path, "country", &M->countries, &C->country_map,
                         &n_country_lv)) ||
        (rc = map_levels(ctx, st, path, "role", &M->roles, &C->role_map, &n_role_lv)))
        return rc;
    /* The rules of title.h on every distinct title, once. */
    const size_t nt = skm_strmap_size(M->titles);
    M->title_sen = skm_malloc_array(nt + 1, 1);
    M->title_rf = skm_malloc_array(nt + 1, 1);
    if (!M->title_sen || !M->title_rf)
        return skm_error(ctx, SKM_ENOMEM, "%s: out of memory", path);
    for (size_t t = 0; t < nt; ++t) {
        const char *s = skm_strmap_str(M->titles, (int32_t)t);
        M->title_sen[t] = (int8_t)skm_title_seniority(s, strlen(s));
        M->title_rf[t] = (int8_t)skm_title_role_family(s, strlen(s));
    }
    /* The latent class: the role column, else the role family of the title, else one. */
    if (skm_strmap_size(M->roles) > 0) {
        M->class_kind = CLASS_ROLE;
        C->R0 = skm_strmap_size(M->roles);
    } else if (nt > 0) {
        M->class_kind = CLASS_ROLE_FAMILY;
        C->R0 = SKM_ROLE_COUNT;
    } else {
        M->class_kind = CLASS_NONE;
        C->R0 = 1;
    }
    const size_t R0 = C->R0, P = (size_t)p;
    const size_t n_slots = skm_strmap_size(M->locs) + 1; /* the last: no location */
    C->n_class = skm_calloc_array(R0, sizeof *C->n_class);
    C->skill_cnt = skm_calloc_array(R0 * (P ? P : 1), sizeof *C->skill_cnt);
    C->khist = skm_calloc_array(R0 * KCAP, sizeof *C->khist);
    C->sen_cnt = skm_calloc_array(R0 * N_SEN, sizeof *C->sen_cnt);
    C->known = skm_calloc_array(R0, sizeof *C->known);
    C->hourly = skm_calloc_array(R0, sizeof *C->hourly);
    C->cell_n = skm_calloc_array(R0 * N_SEN, sizeof *C->cell_n);
    C->cell_s = skm_calloc_array(R0 * N_SEN, sizeof *C->cell_s);
    C->cell_ss = skm_calloc_array(R0 * N_SEN, sizeof *C->cell_ss);
    C->loc_cnt = skm_calloc_array(n_slots, sizeof *C->loc_cnt);
    C->loc_rem = skm_calloc_array(3 * n_slots, sizeof *C->loc_rem);
    const size_t B = BLOCK_ROWS;
    int32_t *c_role = skm_malloc_array(B, sizeof *c_role), *c_title = skm_malloc_array(B, 4),
            *c_loc = skm_malloc_array(B, 4), *c_country = skm_malloc_array(B, 4);
    int64_t *c_date = skm_malloc_array(B, 8);
    double *c_sal = skm_malloc_array(B, 8);
    int8_t *c_period = skm_malloc_array(B, 1), *c_remote = skm_malloc_array(B, 1),
           *c_flag = skm_malloc_array(B, 1);
    skm_csr_block *blk = skm_csr_block_alloc(B, 8 * B);
    if (!C->n_class || !C->skill_cnt || !C->khist || !C->sen_cnt || !C->known || !C->hourly ||
        !C->cell_n || !C->cell_s || !C->cell_ss || !C->loc_cnt || !C->loc_rem || !c_role ||
        !c_title || !c_loc || !c_country || !c_date || !c_sal || !c_period || !c_remote ||
        !c_flag || !blk) {
        rc = skm_error(ctx, SKM_ENOMEM, "%s: out of memory calibrating (%zu classes x %lld skills)",
                       path, R0, (long long)p);
        goto done;
    }
    for (int64_t r0 = 0; r0 < n; r0 += (int64_t)B) {
        if (skm_interrupted(ctx)) {
            rc = skm_error(ctx, SKM_EINTERRUPT, "synth interrupted; no output written");
            goto done;
        }
        const size_t nb = (size_t)(n - r0 < (int64_t)B ? n - r0 : (int64_t)B);
        int has_flag = 0;
        if ((rc = read_col(st, "role", r0, nb, SKM_TYPE_I32, c_role, 0, NULL)) ||
            (rc = read_col(st, "title", r0, nb, SKM_TYPE_I32, c_title, 0, NULL)) ||
            (rc = read_col(st, "location", r0, nb, SKM_TYPE_I32, c_loc, 0, NULL)) ||
            (rc = read_col(st, "country", r0, nb, SKM_TYPE_I32, c_country, 0, NULL)) ||
            (rc = read_col(st, "posted_date", r0, nb, SKM_TYPE_I64, c_date, 0, NULL)) ||
            (rc = read_col(st, "salary_annual", r0, nb, SKM_TYPE_F64, c_sal, 0, NULL)) ||
            (rc = read_col(st, "salary_period", r0, nb, SKM_TYPE_I8, c_period, 0, NULL)) ||
            (rc = read_col(st, "remote", r0, nb, SKM_TYPE_I8, c_remote, 0, NULL)) ||
            (rc = read_col(st, "salary_flag", r0, nb, SKM_TYPE_I8, c_flag, 1, &has_flag)) ||
            (rc = skm_store_read_block(st, r0, nb, blk)))
            goto done;
        for (size_t i = 0; i < nb; ++i) {
            /* codes out of the level tables' range read as missing */
            const int32_t tc = c_title[i], lc = c_loc[i], cc = c_country[i], rl = c_role[i];
            const int32_t tid = tc >= 0 && (size_t)tc < n_titles_lv ? C->title_map[tc] : -1;
            const int32_t lid = lc >= 0 && (size_t)lc < n_loc_lv ? C->loc_map[lc] : -1;
            const int32_t cid = cc >= 0 && (size_t)cc < n_country_lv ? C->country_map[cc] : -1;
            int32_t cls;
            if (M->class_kind == CLASS_ROLE)
                cls = rl >= 0 && (size_t)rl < n_role_lv ? C->role_map[rl] : -1;
            else if (M->class_kind == CLASS_ROLE_FAMILY)
                cls = tid >= 0 ? M->title_rf[tid] : -1;
            else
                cls = 0;
            if (cls < 0)
                continue; /* postings without a class are left out of the calibration */
            const size_t r = (size_t)cls;
            const int sen = tid >= 0 && M->title_sen[tid] >= 0 ? M->title_sen[tid] : N_SEN - 1;
            C->n_class[r]++;
            C->sen_cnt[r * N_SEN + (size_t)sen]++;
            if ((rc = pm_add(&C->titles, ((uint64_t)r << 32) | (uint64_t)(tid + 1), 1)))
                goto oom;
            const size_t slot = lid >= 0 ? (size_t)lid : n_slots - 1;
            C->loc_cnt[slot]++;
            C->loc_rem[3 * slot + (c_remote[i] == 1 ? 0 : c_remote[i] == 0 ? 1 : 2)]++;
            if ((rc = pm_add(&C->loc_country, ((uint64_t)slot << 32) | (uint64_t)(cid + 1), 1)))
                goto oom;
            if (c_date[i] != SKM_DATE_MISSING) {
                const int ms = month_slot(c_date[i]);
                if (ms >= 0) {
                    C->months[ms]++;
                    C->dated++;
                }
            }
            const double s = c_sal[i];
            if (isfinite(s) && s > 0) {
                C->known[r]++;
                C->hourly[r] += c_period[i] == SKM_PERIOD_HOUR;
                if (!has_flag || c_flag[i] == SKM_SALARY_FLAG_NONE) {
                    const double y = log(s) - 11.0;
                    const size_t cell = r * N_SEN + (size_t)sen;
                    C->cell_n[cell] += 1;
                    C->cell_s[cell] += y;
                    C->cell_ss[cell] += y * y;
                }
            }
            const int64_t k0 = blk->indptr[i], k1 = blk->indptr[i + 1];
            const int64_t k = k1 - k0;
            C->khist[r * KCAP + (size_t)(k < KCAP - 1 ? k : KCAP - 1)]++;
            for (int64_t q = k0; q < k1; ++q)
                C->skill_cnt[r * P + (size_t)blk->indices[q]]++;
            M->n_used++;
        }
        skm_progress(ctx, "synth: calibrating", (uint64_t)(r0 + (int64_t)nb), (uint64_t)n);
    }
    goto done;
oom:
    rc = skm_error(ctx, SKM_ENOMEM, "%s: out of memory calibrating", path);
done:
    free(c_role);
    free(c_title);
    free(c_loc);
    free(c_country);
    free(c_date);
    free(c_sal);
    free(c_period);
    free(c_remote);
    free(c_flag);
    skm_csr_block_free(blk);
    return rc;
}

/* ---- the model from the counts ------------------------------------------------------------- */

typedef struct tentry {
    int32_t cls, title;
    int64_t cnt;
} tentry;

static int cmp_tentry(const void *a, const void *b)
{
    const tentry *x = a, *y = b;
    if (x->cls != y->cls)
        return x->cls < y->cls ? -1 : 1;
    if (x->cnt != y->cnt)
        return x->cnt > y->cnt ? -1 : 1;
    return (x->title > y->title) - (x->title < y->title);
}

typedef struct rank_ix {
    int64_t cnt;
    int64_t ix;
} rank_ix;

static int cmp_rank(const void *a, const void *b)
{
    const rank_ix *x = a, *y = b;
    if (x->cnt != y->cnt)
        return x->cnt > y->cnt ? -1 : 1;
    return (x->ix > y->ix) - (x->ix < y->ix);
}

/* Classes: keep those with postings, in class order; build their names. */
static int build_classes(model *M, calib *C, int32_t *class_of /* R0: new index or -1 */)
{
    skm_strmap *names = skm_strmap_alloc();
    if (!names)
        return SKM_ENOMEM;
    size_t R = 0;
    for (size_t r = 0; r < C->R0; ++r) {
        class_of[r] = -1;
        if (!C->n_class[r])
            continue;
        const char *nm = M->class_kind == CLASS_ROLE          ? skm_strmap_str(M->roles, (int32_t)r)
                         : M->class_kind == CLASS_ROLE_FAMILY ? skm_role_family_name((int)r)
                                                              : "";
        int32_t id;
        if (skm_strmap_intern(names, nm, strlen(nm), &id) != SKM_OK) {
            skm_strmap_free(names);
            return SKM_ENOMEM;
        }
        class_of[r] = (int32_t)R++;
    }
    skm_strmap_free(M->roles);
    M->roles = names;
    M->R = R;
    M->role_share = skm_calloc_array(R ? R : 1, sizeof *M->role_share);
    if (!M->role_share)
        return SKM_ENOMEM;
    for (size_t r = 0; r < C->R0; ++r)
        if (class_of[r] >= 0)
            M->role_share[class_of[r]] = (double)C->n_class[r] / (double)M->n_used;
    return skm_alias_build(&M->role_alias, M->role_share, R);
}

static int build_titles(model *M, calib *C, const int32_t *class_of)
{
    const size_t R = M->R;
    tentry *e = skm_malloc_array(C->titles.n ? C->titles.n : 1, sizeof *e);
    M->rt0 = skm_calloc_array(R + 1, sizeof *M->rt0);
    M->rt_title = skm_malloc_array(R * MAX_TITLES + 1, sizeof *M->rt_title);
    M->rt_w = skm_malloc_array(R * MAX_TITLES + 1, sizeof *M->rt_w);
    M->title_alias = skm_calloc_array(R ? R : 1, sizeof *M->title_alias);
    double *w = skm_malloc_array(MAX_TITLES, sizeof *w);
    int rc = SKM_OK;
    if (!e || !M->rt0 || !M->rt_title || !M->rt_w || !M->title_alias || !w) {
        rc = SKM_ENOMEM;
        goto done;
    }
    size_t ne = 0;
    for (size_t i = 0; i < C->titles.cap; ++i)
        if (C->titles.key[i]) {
            const uint64_t k = C->titles.key[i] - 1;
            const int32_t cls = class_of[k >> 32];
            if (cls < 0)
                continue;
            e[ne].cls = cls;
            e[ne].title = (int32_t)(k & 0xffffffffu) - 1;
            e[ne].cnt = C->titles.val[i];
            ++ne;
        }
    qsort(e, ne, sizeof *e, cmp_tentry);
    size_t at = 0, out = 0;
    for (size_t r = 0; r < R; ++r) {
        M->rt0[r] = out;
        size_t end = at;
        while (end < ne && e[end].cls == (int32_t)r)
            ++end;
        /* the top title of every seniority present first, then the commonest */
        int have_sen[N_SEN] = {0};
        size_t chosen[MAX_TITLES], nc = 0;
        for (size_t q = at; q < end && nc < MAX_TITLES; ++q) {
            const int32_t tq = e[q].title;
            const int s = tq >= 0 && M->title_sen[tq] >= 0 ? M->title_sen[tq] : N_SEN - 1;
            if (!have_sen[s]) {
                have_sen[s] = 1;
                chosen[nc++] = q;
            }
        }
        for (size_t q = at; q < end && nc < MAX_TITLES; ++q) {
            int dup = 0;
            for (size_t c = 0; c < nc && !dup; ++c)
                dup = chosen[c] == q;
            if (!dup)
                chosen[nc++] = q;
        }
        /* in count order, so the table does not depend on how they were chosen */
        for (size_t a = 1; a < nc; ++a)
            for (size_t b = a; b > 0 && chosen[b - 1] > chosen[b]; --b) {
                const size_t t = chosen[b];
                chosen[b] = chosen[b - 1];
                chosen[b - 1] = t;
            }
        double sen_tot[N_SEN] = {0};
        for (size_t c = 0; c < nc; ++c) {
            const tentry *x = &e[chosen[c]];
            const int s = x->title >= 0 && M->title_sen[x->title] >= 0 ? M->title_sen[x->title]
                                                                         : N_SEN - 1;
            sen_tot[s] += (double)x->cnt;
        }
        size_t r0 = 0; /* the class's index in the calibration */
        while (class_of[r0] != (int32_t)r)
            ++r0;
        for (size_t c = 0; c < nc; ++c) {
            const tentry *x = &e[chosen[c]];
            const int s = x->title >= 0 && M->title_sen[x->title] >= 0 ? M->title_sen[x->title]
                                                                         : N_SEN - 1;
            const double ps = (double)C->sen_cnt[r0 * N_SEN + (size_t)s] / (double)C->n_class[r0];
            w[c] = ps * (double)x->cnt / sen_tot[s];
            M->rt_w[out] = w[c];
            M->rt_title[out++] = x->title;
        }
        if ((rc = skm_alias_build(&M->title_alias[r], w, nc)))
            goto done;
        at = end;
    }
    M->rt0[R] = out;
done:
    free(e);
    free(w);
    return rc;
}

static int build_locations(model *M, calib *C)
{
    const size_t n_slots = skm_strmap_size(M->locs) + 1;
    rank_ix *rk = skm_malloc_array(n_slots, sizeof *rk);
    int32_t *best_c = skm_malloc_array(n_slots, sizeof *best_c);
    int64_t *best_n = skm_calloc_array(n_slots, sizeof *best_n);
    int rc = SKM_OK;
    if (!rk || !best_c || !best_n) {
        rc = SKM_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < n_slots; ++i)
        best_c[i] = -1;
    /* the majority country of each location (ties: the first country level) */
    for (size_t i = 0; i < C->loc_country.cap; ++i)
        if (C->loc_country.key[i]) {
            const uint64_t k = C->loc_country.key[i] - 1;
            const size_t slot = (size_t)(k >> 32);
            const int32_t cid = (int32_t)(k & 0xffffffffu) - 1;
            const int64_t v = C->loc_country.val[i];
            if (v > best_n[slot] || (v == best_n[slot] && cid < best_c[slot])) {
                best_n[slot] = v;
                best_c[slot] = cid;
            }
        }
    size_t nr = 0;
    for (size_t i = 0; i + 1 < n_slots; ++i)
        if (C->loc_cnt[i])
            rk[nr++] = (rank_ix){C->loc_cnt[i], (int64_t)i};
    qsort(rk, nr, sizeof *rk, cmp_rank);
    if (nr > MAX_LOCATIONS)
        nr = MAX_LOCATIONS;
    if (C->loc_cnt[n_slots - 1]) /* postings without a location: kept as such */
        rk[nr++] = (rank_ix){C->loc_cnt[n_slots - 1], (int64_t)(n_slots - 1)};
    M->n_loc = nr;
    M->loc_id = skm_malloc_array(nr + 1, sizeof *M->loc_id);
    M->loc_country = skm_malloc_array(nr + 1, sizeof *M->loc_country);
    M->loc_remote = skm_malloc_array(3 * (nr + 1), sizeof *M->loc_remote);
    double *w = skm_malloc_array(nr + 1, sizeof *w);
    if (!M->loc_id || !M->loc_country || !M->loc_remote || !w) {
        free(w);
        rc = SKM_ENOMEM;
        goto done;
    }
    for (size_t q = 0; q < nr; ++q) {
        const size_t slot = (size_t)rk[q].ix;
        M->loc_id[q] = slot + 1 == n_slots ? -1 : (int32_t)slot;
        M->loc_country[q] = best_c[slot];
        const int64_t *rm = &C->loc_rem[3 * slot];
        const double tot = (double)(rm[0] + rm[1] + rm[2]);
        M->loc_remote[3 * q] = (double)rm[0] / tot;
        M->loc_remote[3 * q + 1] = (double)(rm[0] + rm[1]) / tot;
        M->loc_remote[3 * q + 2] = 1.0;
        w[q] = (double)rk[q].cnt;
    }
    /* The postings of the locations left out go to the kept ones of their country that are
     * mostly not remote ("Anywhere" would otherwise grow with the tail), by size; without
     * such a location, to all of those, by size. So the country and remote shares stay the
     * store's. */
    const size_t nct = skm_strmap_size(M->countries) + 1;
    double *tail = skm_calloc_array(nct + 1, sizeof *tail), *recv = skm_calloc_array(nct + 1, 8);
    uint8_t *kept = skm_calloc_array(n_slots, 1);
    if (!tail || !recv || !kept) {
        free(tail);
        free(recv);
        free(kept);
        free(w);
        rc = SKM_ENOMEM;
        goto done;
    }
    for (size_t q = 0; q < nr; ++q)
        kept[rk[q].ix] = 1;
    for (size_t i = 0; i < C->loc_country.cap; ++i)
        if (C->loc_country.key[i]) {
            const uint64_t k = C->loc_country.key[i] - 1;
            if (!kept[k >> 32])
                tail[k & 0xffffffffu] += (double)C->loc_country.val[i];
        }
#define RECEIVES(q) (M->loc_id[q] >= 0 && M->loc_remote[3 * (q)] <= 0.5)
    double pool = 0, pool_recv = 0;
    for (size_t q = 0; q < nr; ++q)
        if (RECEIVES(q)) {
            recv[M->loc_country[q] + 1] += w[q];
            pool_recv += w[q];
        }
    for (size_t c = 0; c < nct; ++c)
        if (tail[c] > 0 && !(recv[c] > 0))
            pool += tail[c];
    double *w0 = skm_malloc_array(nr + 1, sizeof *w0);
    if (!w0) {
        free(tail);
        free(recv);
        free(kept);
        free(w);
        rc = SKM_ENOMEM;
        goto done;
    }
    memcpy(w0, w, nr * sizeof *w);
    for (size_t q = 0; q < nr; ++q) {
        if (!RECEIVES(q))
            continue;
        const size_t c = (size_t)(M->loc_country[q] + 1);
        if (tail[c] > 0)
            w[q] += tail[c] * w0[q] / recv[c];
        if (pool > 0)
            w[q] += pool * w0[q] / pool_recv;
    }
    if (pool > 0 && !(pool_recv > 0)) /* nowhere to go by the rule: everywhere, by size */
        for (size_t q = 0; q < nr; ++q)
            w[q] += pool * w0[q] / (double)(M->n_used - (int64_t)pool);
#undef RECEIVES
    free(w0);
    free(tail);
    free(recv);
    free(kept);
    rc = skm_alias_build(&M->loc_alias, w, nr);
    free(w);
done:
    free(rk);
    free(best_c);
    free(best_n);
    return rc;
}

static int build_dates(model *M, calib *C)
{
    M->p_date = M->n_used ? (double)C->dated / (double)M->n_used : 0.0;
    if (!C->dated)
        return SKM_OK;
    size_t a = 0, b = N_MONTHS - 1;
    while (!C->months[a])
        ++a;
    while (!C->months[b])
        --b;
    M->month0 = a;
    M->n_months = b - a + 1;
    double *w = skm_malloc_array(M->n_months, sizeof *w);
    if (!w)
        return SKM_ENOMEM;
    for (size_t i = 0; i < M->n_months; ++i)
        w[i] = (double)C->months[a + i];
    int rc = skm_alias_build(&M->month_alias, w, M->n_months);
    free(w);
    return rc;
}

/* Is taxonomy skill s writable by textgen (an unguarded, context-free, case-insensitive
 * alias)? */
static int textgen_ok(const skm_taxonomy *t, int32_t s)
{
    for (size_t q = 0; q < t->n_pat; ++q) {
        const tx_pat *pt = &t->pats[q];
        if (pt->owner == s && !pt->ctx && !pt->guarded && !pt->cs)
            return 1;
    }
    return 0;
}

/* The vocabulary: the store's skills (or its top P), then extra ones. store_col[j] is the
 * store column of model skill j (-1 for an extra one); *pj_out P(j), the expected share of
 * each skill before the contrast. */
static int build_vocabulary(skm_ctx *ctx, model *M, calib *C, skm_store *st,
                            const skm_synth_params *par, const skm_taxonomy *tax, skm_rng *mr,
                            int64_t **store_col, double **pj_out)
{
    const size_t ps = (size_t)M->p_store;
    const size_t P = par->n_skills > 0 ? (size_t)par->n_skills : ps;
    int64_t *tot = skm_calloc_array(ps + 1, sizeof *tot);
    rank_ix *rk = skm_malloc_array(ps + 1, sizeof *rk);
    int64_t *col = skm_malloc_array(P + 1, sizeof *col);
    double *pj = skm_calloc_array(P + 1, sizeof *pj);
    uint8_t *tax_used = NULL;
    skm_buf norm = {0};
    int rc = SKM_OK;
    M->p = P;
    M->skills = skm_strmap_alloc();
    M->origin = skm_calloc_array(P + 1, 1);
    M->home = skm_malloc_array(P + 1, sizeof *M->home);
    M->text_id = skm_malloc_array(P + 1, sizeof *M->text_id);
    if (!tot || !rk || !col || !pj || !M->skills || !M->origin || !M->home || !M->text_id)
        goto oom;
    for (size_t j = 0; j < ps; ++j)
        for (size_t r = 0; r < C->R0; ++r)
            tot[j] += C->skill_cnt[r * ps + j];
    for (size_t j = 0; j < ps; ++j)
        rk[j] = (rank_ix){tot[j], (int64_t)j};
    qsort(rk, ps, sizeof *rk, cmp_rank);
    /* kept store skills, in store order */
    const size_t keep = P < ps ? P : ps;
    uint8_t *kept = skm_calloc_array(ps + 1, 1);
    if (!kept)
        goto oom;
    for (size_t q = 0; q < keep; ++q)
        kept[rk[q].ix] = 1;
    size_t j = 0;
    for (size_t s = 0; s < ps; ++s) {
        if (!kept[s])
            continue;
        const char *nm = skm_store_skill_name(st, (int64_t)s);
        if (skm_skill_normalise(nm, strlen(nm), &norm) != SKM_OK || skm_buf_reserve(&norm, 1))
            goto oom_k;
        int32_t id = norm.len ? skm_strmap_find(M->skills, norm.ptr, norm.len) : 0;
        if (id >= 0) { /* empty, or the same as another once normalised: a generated name */
            norm.len = 0;
            if (skm_buf_printf(&norm, "skill_%04zu", j))
                goto oom_k;
        }
        if (skm_strmap_intern(M->skills, norm.ptr, norm.len, &id) != SKM_OK)
            goto oom_k;
        col[j] = (int64_t)s;
        M->origin[j] = ORIGIN_STORE;
        M->home[j] = -1;
        pj[j] = (tot[s] > 0 ? (double)tot[s] : 0.5) / (double)M->n_used;
        ++j;
    }
    free(kept);
    kept = NULL;
    M->p_store_kept = j;
    /* Extra skills: ln f = a - b ln rank fitted over the ranks from a tenth to a half of the
     * store's skills (a store's last ranks fall off faster than a power law: they are cut off
     * by its source's finite vocabulary, and fitting them would leave extra skills that never
     * occur), stopping before ranks listed by fewer than 3 postings. */
    M->tail_exponent = NAN;
    if (P > ps) {
        size_t m = 0;
        while (m < ps && rk[m].cnt > 0)
            ++m;
        if (m == 0) {
            rc = skm_error(ctx, SKM_EINVAL,
                           "synth: the calibration store lists no skills, so --skills %lld has "
                           "no frequencies to continue",
                           (long long)par->n_skills);
            goto done;
        }
        size_t lo = m / 10, hi = m / 2 > lo + 3 ? m / 2 : lo + 3 < m ? lo + 3 : m;
        while (hi > lo + 1 && rk[hi - 1].cnt < 3)
            --hi;
        double a, b;
        if (hi - lo >= 3) {
            double sx = 0, sy = 0, sxx = 0, sxy = 0, nn = (double)(hi - lo);
            for (size_t q = lo; q < hi; ++q) {
                const double x = log((double)(q + 1)), y = log((double)rk[q].cnt);
                sx += x;
                sy += y;
                sxx += x * x;
                sxy += x * y;
            }
            b = -(nn * sxy - sx * sy) / (nn * sxx - sx * sx);
            if (!(b > 0.5) || !isfinite(b))
                b = 0.5;
            if (b > 3)
                b = 3;
            a = (sy + b * sx) / nn;
        } else {
            b = 1.0;
            a = log((double)rk[m - 1].cnt) + b * log((double)m);
        }
        M->tail_exponent = b;
        const double fmax = (double)rk[m - 1 < lo ? m - 1 : lo].cnt;
        /* names: the taxonomy's skills not in the store, in a seeded order, then skill_NNNN */
        const size_t nts = skm_taxonomy_n_skills(tax);
        tax_used = skm_calloc_array(nts + 1, 1);
        int32_t *order = skm_malloc_array(nts + 1, sizeof *order);
        if (!tax_used || !order) {
            free(order);
            goto oom;
        }
        for (size_t q = 0; q < ps; ++q) {
            const char *nm = skm_store_skill_name(st, (int64_t)q);
            const int32_t t = skm_taxonomy_find(tax, nm, strlen(nm));
            if (t >= 0)
                tax_used[t] = 1;
        }
        for (size_t q = 0; q < nts; ++q)
            order[q] = (int32_t)q;
        for (size_t q = nts; q > 1; --q) {
            const size_t x = (size_t)skm_rng_below(mr, q);
            const int32_t t = order[q - 1];
            order[q - 1] = order[x];
            order[x] = t;
        }
        size_t next_tax = 0;
        for (; j < P; ++j) {
            int32_t id = -1;
            M->origin[j] = ORIGIN_GENERATED;
            while (id < 0 && next_tax < nts) {
                const int32_t t = order[next_tax++];
                if (tax_used[t])
                    continue;
                const char *nm = skm_taxonomy_skill(tax, t);
                if (skm_skill_normalise(nm, strlen(nm), &norm) != SKM_OK) {
                    free(order);
                    goto oom;
                }
                if (!norm.len || skm_strmap_find(M->skills, norm.ptr, norm.len) >= 0)
                    continue;
                if (skm_strmap_intern(M->skills, norm.ptr, norm.len, &id) != SKM_OK) {
                    free(order);
                    goto oom;
                }
                M->origin[j] = ORIGIN_TAXONOMY;
            }
            for (size_t tries = 0; id < 0; ++tries) {
                norm.len = 0;
                if (skm_buf_printf(&norm, tries ? "skill_%04zu_%zu" : "skill_%04zu", j, tries)) {
                    free(order);
                    goto oom;
                }
                if (skm_strmap_find(M->skills, norm.ptr, norm.len) < 0 &&
                    skm_strmap_intern(M->skills, norm.ptr, norm.len, &id) != SKM_OK) {
                    free(order);
                    goto oom;
                }
            }
            col[j] = -1;
            double f = exp(a - b * log((double)(m + 1 + (j - M->p_store_kept))));
            if (f > fmax)
                f = fmax;
            pj[j] = f / (double)M->n_used;
            /* its home class, drawn by class size */
            M->home[j] = M->R ? (int32_t)skm_alias_draw(&M->role_alias, mr) : -1;
        }
        free(order);
    }
    /* which skills the descriptions can name */
    for (size_t q = 0; q < P; ++q) {
        M->text_id[q] = -1;
        if (!tax)
            continue;
        const char *nm = skm_strmap_str(M->skills, (int32_t)q);
        const int32_t t = skm_taxonomy_find(tax, nm, strlen(nm));
        if (t >= 0 && textgen_ok(tax, t))
            M->text_id[q] = t;
    }
    *store_col = col;
    col = NULL;
    *pj_out = pj;
    pj = NULL;
    goto done;
oom_k:
    free(kept);
oom:
    rc = skm_error(ctx, SKM_ENOMEM, "synth: out of memory building the vocabulary");
done:
    free(tot);
    free(rk);
    free(col);
    free(pj);
    free(tax_used);
    skm_buf_free(&norm);
    return rc;
}

/* P(K = m) of a Poisson(mu) for m = 0 .. KCAP - 1. */
static void poisson_pmf(double mu, double *out)
{
    double v = exp(-mu);
    for (size_t m = 0; m < KCAP; ++m) {
        out[m] = v;
        v *= mu / (double)(m + 1);
    }
}

/* Per class: the distribution of the number of skills, the target share of every skill, the
 * weights that reproduce them, the alias tables. */
static int build_skills(skm_ctx *ctx, model *M, calib *C, const int32_t *class_of,
                        const int64_t *store_col, const double *pj, double contrast)
{
    const size_t R = M->R, P = M->p, ps = (size_t)M->p_store;
    int rc = SKM_OK;
    M->pi = skm_calloc_array(R * P + 1, sizeof *M->pi);
    M->w = skm_calloc_array(R * P + 1, sizeof *M->w);
    M->kdist = skm_calloc_array(R * KCAP, sizeof *M->kdist);
    M->mean_k = skm_calloc_array(R + 1, sizeof *M->mean_k);
    M->skill_alias = skm_calloc_array(R + 1, sizeof *M->skill_alias);
    M->k_alias = skm_calloc_array(R + 1, sizeof *M->k_alias);
    M->share = skm_calloc_array(P + 1, sizeof *M->share);
    double *cond = skm_malloc_array(P + 1, sizeof *cond), *s = skm_malloc_array(P + 1, sizeof *s);
    double *w = skm_malloc_array(P + 1, sizeof *w);
    double pk0[KCAP], pk[KCAP], pois[KCAP];
    if (!M->pi || !M->w || !M->kdist || !M->mean_k || !M->skill_alias || !M->k_alias || !M->share ||
        !cond || !s || !w) {
        rc = skm_error(ctx, SKM_ENOMEM, "synth: out of memory building the skill model");
        goto done;
    }
    for (size_t r0 = 0; r0 < C->R0; ++r0) {
        const int32_t cr = class_of[r0];
        if (cr < 0)
            continue;
        const size_t r = (size_t)cr;
        const double nr = (double)C->n_class[r0];
        for (size_t k = 0; k < KCAP; ++k)
            pk0[k] = (double)C->khist[r0 * KCAP + k] / nr;
        /* P(j | r): smoothed presence shares; extra skills from their home class */
        double mass_kept = 0, mass_all = 0, mass_extra = 0;
        for (size_t j = 0; j < ps; ++j)
            mass_all += (double)C->skill_cnt[r0 * ps + j];
        for (size_t j = 0; j < P; ++j) {
            if (store_col[j] >= 0) {
                const double c = (double)C->skill_cnt[r0 * ps + (size_t)store_col[j]];
                mass_kept += c;
                cond[j] = (c + SMOOTH_ALPHA * pj[j]) / (nr + SMOOTH_ALPHA);
            } else {
                const int32_t h = M->home[j];
                const double sh = M->role_share[h];
                if (R == 1)
                    cond[j] = pj[j];
                else if ((size_t)h == r)
                    cond[j] = HOME_MASS * pj[j] / sh;
                else
                    cond[j] = (1.0 - HOME_MASS) * pj[j] / (1.0 - sh);
                if (cond[j] > 0.5)
                    cond[j] = 0.5;
                mass_extra += cond[j];
            }
        }
        /* the number of skills: thinned when skills were dropped, plus a Poisson number of
         * extra ones for postings that list any */
        for (size_t m = 0; m < KCAP; ++m)
            pk[m] = 0;
        if (mass_all > 0 && mass_kept < mass_all) {
            const double keep = mass_kept / mass_all;
            for (size_t k = 0; k < KCAP; ++k) {
                if (!(pk0[k] > 0))
                    continue;
                /* binomial(k, keep), in logs (no underflow for large k) */
                for (size_t m = 0; m <= k; ++m) {
                    const double lb = lgamma((double)k + 1) - lgamma((double)m + 1) -
                                      lgamma((double)(k - m) + 1) +
                                      (m ? (double)m * log(keep) : 0.0) +
                                      (k - m ? (double)(k - m) * log1p(-keep) : 0.0);
                    pk[m] += pk0[k] * exp(lb);
                }
            }
        } else {
            memcpy(pk, pk0, sizeof pk);
        }
        if (mass_extra > 0 && pk[0] < 1.0) {
            poisson_pmf(mass_extra / (1.0 - pk[0]), pois);
            double pe[KCAP] = {0};
            pe[0] = pk[0];
            for (size_t k = 1; k < KCAP; ++k)
                for (size_t m = 0; k + m < KCAP; ++m)
                    pe[k + m] += pk[k] * pois[m];
            double tot = 0;
            for (size_t m = 0; m < KCAP; ++m)
                tot += pe[m];
            pe[KCAP - 1] += 1.0 - tot > 0 ? 1.0 - tot : 0.0; /* the Poisson tail */
            memcpy(pk, pe, sizeof pk);
        }
        /* no more skills per posting than the vocabulary has */
        const size_t kcap = P < KCAP - 1 ? P : KCAP - 1;
        for (size_t m = kcap + 1; m < KCAP; ++m) {
            pk[kcap] += pk[m];
            pk[m] = 0;
        }
        /* negligible tails (a Poisson's) cost solver time and change nothing */
        double kept_mass = 0;
        for (size_t m = 0; m < KCAP; ++m) {
            if (pk[m] < 1e-9)
                pk[m] = 0;
            kept_mass += pk[m];
        }
        for (size_t m = 0; m < KCAP; ++m)
            pk[m] /= kept_mass;
        double ek = 0;
        for (size_t m = 0; m < KCAP; ++m) {
            ek += (double)m * pk[m];
            if (pk[m] > 0 && m > M->kmax)
                M->kmax = m;
        }
        M->mean_k[r] = ek;
        memcpy(&M->kdist[r * KCAP], pk, sizeof pk);
        if ((rc = skm_alias_build(&M->k_alias[r], pk, KCAP)))
            goto done;
        if (P == 0)
            continue;
        /* targets: P(j) lift^C renormalised to the expected number of skills */
        double sum = 0;
        for (size_t j = 0; j < P; ++j) {
            s[j] = contrast == 1.0 ? cond[j] : pj[j] * pow(cond[j] / pj[j], contrast);
            sum += s[j];
        }
        for (size_t j = 0; j < P; ++j) {
            s[j] = sum > 0 ? s[j] * ek / sum : 0.0;
            if (!(s[j] > 1e-300))
                s[j] = 1e-300;
        }
        skm_synth_solve_weights(s, P, pk, kcap, w, &M->pi[r * P]);
        for (size_t j = 0; j < P; ++j)
            if (!(w[j] > 0))
                w[j] = 1e-300;
        memcpy(&M->w[r * P], w, P * sizeof *w);
        if ((rc = skm_alias_build(&M->skill_alias[r], w, P)))
            goto done;
    }
    for (size_t j = 0; j < P; ++j)
        for (size_t r = 0; r < R; ++r)
            M->share[j] += M->role_share[r] * M->pi[r * P + j];
done:
    free(cond);
    free(s);
    free(w);
    if (rc == SKM_EINVAL)
        rc = skm_error(ctx, SKM_EINVAL, "synth: internal error: a degenerate distribution");
    return rc;
}

/* The planted premiums and the salary cells. */
static int build_salary(skm_ctx *ctx, model *M, calib *C, const int32_t *class_of,
                        const skm_synth_params *par, skm_rng *mr)
{
    const size_t R = M->R, P = M->p;
    M->beta = skm_calloc_array(P + 1, sizeof *M->beta);
    M->mu = skm_calloc_array(R * N_SEN + 1, sizeof *M->mu);
    M->cell_share = skm_calloc_array(R * N_SEN + 1, sizeof *M->cell_share);
    M->store_mean = skm_calloc_array(R * N_SEN + 1, sizeof *M->store_mean);
    M->store_n = skm_calloc_array(R * N_SEN + 1, sizeof *M->store_n);
    M->p_known = skm_calloc_array(R + 1, sizeof *M->p_known);
    M->p_hour = skm_calloc_array(R + 1, sizeof *M->p_hour);
    size_t *elig = skm_malloc_array(P + 1, sizeof *elig);
    if (!M->beta || !M->mu || !M->cell_share || !M->store_mean || !M->store_n || !M->p_known ||
        !M->p_hour || !elig) {
        free(elig);
        return skm_error(ctx, SKM_ENOMEM, "synth: out of memory building the salary model");
    }
    /* premiums: n_premiums skills drawn among those with an expected share >= 1 % */
    size_t ne = 0;
    for (size_t j = 0; j < P; ++j)
        if (M->share[j] >= PREMIUM_MIN_SHARE)
            elig[ne++] = j;
    const size_t K = (size_t)par->n_premiums < ne ? (size_t)par->n_premiums : ne;
    for (size_t q = 0; q < K; ++q) {
        const size_t x = q + (size_t)skm_rng_below(mr, ne - q);
        const size_t t = elig[q];
        elig[q] = elig[x];
        elig[x] = t;
        M->beta[elig[q]] = par->premium_sd * gauss(mr);
    }
    M->n_premiums = (int64_t)K;
    free(elig);
    /* cells */
    double gn = 0, gs = 0, pooled = 0, dof = 0;
    for (size_t c = 0; c < C->R0 * N_SEN; ++c) {
        gn += C->cell_n[c];
        gs += C->cell_s[c];
        if (C->cell_n[c] > 0) {
            pooled += C->cell_ss[c] - C->cell_s[c] * C->cell_s[c] / C->cell_n[c];
            dof += C->cell_n[c] - 1;
        }
    }
    const double gmean = gn > 0 ? gs / gn : log(100000.0) - 11.0;
    M->noise_calibrated = dof > 0 && pooled > 0 ? sqrt(pooled / dof) : NOISE_FALLBACK;
    M->noise = isnan(par->noise_sd) ? M->noise_calibrated : par->noise_sd;
    for (size_t r0 = 0; r0 < C->R0; ++r0) {
        const int32_t cr = class_of[r0];
        if (cr < 0)
            continue;
        const size_t r = (size_t)cr;
        const double nr = (double)C->n_class[r0];
        M->p_known[r] = (double)C->known[r0] / nr;
        M->p_hour[r] = C->known[r0] ? (double)C->hourly[r0] / (double)C->known[r0] : 0.0;
        double rn = 0, rs = 0;
        for (size_t s = 0; s < N_SEN; ++s) {
            rn += C->cell_n[r0 * N_SEN + s];
            rs += C->cell_s[r0 * N_SEN + s];
        }
        const double rmean = rn > 0 ? rs / rn : gmean;
        double eb = 0; /* E[sum beta x | class] */
        for (size_t j = 0; j < P; ++j)
            eb += M->beta[j] * M->pi[r * P + j];
        for (size_t s = 0; s < N_SEN; ++s) {
            const size_t c = r0 * N_SEN + s, o = r * N_SEN + s;
            const double cn = C->cell_n[c];
            M->store_n[o] = cn;
            M->store_mean[o] = cn > 0 ? C->cell_s[c] / cn + 11.0 : NAN;
            const double m = (C->cell_s[c] + SHRINK_KAPPA * rmean) / (cn + SHRINK_KAPPA);
            M->mu[o] = m + 11.0 - eb;
        }
    }
    /* P(class, seniority) of the output: the title tables carry the store's seniority mix */
    for (size_t r = 0; r < R; ++r)
        for (size_t e = M->rt0[r]; e < M->rt0[r + 1]; ++e) {
            const int32_t t = M->rt_title[e];
            const int s = t >= 0 && M->title_sen[t] >= 0 ? M->title_sen[t] : N_SEN - 1;
            M->cell_share[r * N_SEN + (size_t)s] += M->role_share[r] * M->rt_w[e];
        }
    return SKM_OK;
}

static int build_companies(model *M, uint64_t n, int64_t n_companies)
{
    uint64_t c = n_companies > 0 ? (uint64_t)n_companies : n / 50;
    if (n_companies <= 0)
        c = c < 100 ? 100 : c > 200000 ? 200000 : c;
    M->n_comp = (size_t)c;
    double *w = skm_malloc_array(M->n_comp, sizeof *w);
    if (!w)
        return SKM_ENOMEM;
    for (size_t i = 0; i < M->n_comp; ++i)
        w[i] = pow((double)(i + 1), -ZIPF_S);
    int rc = skm_alias_build(&M->comp_alias, w, M->n_comp);
    free(w);
    return rc;
}

static int sha256_file(skm_ctx *ctx, const char *path, char hex[65])
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return skm_error(ctx, SKM_EIO, "%s: cannot open: %s", path, strerror(errno));
    skm_sha256 s;
    skm_sha256_init(&s);
    char *buf = malloc(OUT_BUF);
    if (!buf) {
        fclose(f);
        return skm_error(ctx, SKM_ENOMEM, "%s: out of memory", path);
    }
    size_t got;
    while ((got = fread(buf, 1, OUT_BUF, f)) > 0)
        skm_sha256_update(&s, buf, got);
    const int bad = ferror(f);
    fclose(f);
    free(buf);
    if (bad)
        return skm_error(ctx, SKM_EIO, "%s: read error", path);
    uint8_t d[32];
    skm_sha256_final(&s, d);
    skm_sha256_hex(d, hex);
    return SKM_OK;
}

/* Calibrate and build everything. */
static int build_model(skm_ctx *ctx, const char *store_path, const skm_synth_params *par,
                       skm_taxonomy *tax, model *M)
{
    skm_store *st = NULL;
    calib C;
    memset(&C, 0, sizeof C);
    int32_t *class_of = NULL;
    int64_t *store_col = NULL;
    double *pj = NULL;
    skm_rng mr;
    skm_rng_seed(&mr, par->seed, STREAM_MODEL);
    int rc = skm_store_open(ctx, store_path, &st);
    if (rc != SKM_OK)
        return rc;
    (void)skm_store_attr_string(st, "/", "created", M->store_created, sizeof M->store_created);
    if ((rc = calibrate(ctx, st, store_path, M, &C)))
        goto done;
    if (M->n_used == 0) {
        rc = skm_error(ctx, SKM_EINVAL, "%s: no postings to calibrate from (%s)", store_path,
                       M->n_store ? "none has a role or title" : "the store is empty");
        goto done;
    }
    if (!(class_of = skm_malloc_array(C.R0, sizeof *class_of))) {
        rc = skm_error(ctx, SKM_ENOMEM, "synth: out of memory");
        goto done;
    }
    if ((rc = build_classes(M, &C, class_of)) || (rc = build_titles(M, &C, class_of)) ||
        (rc = build_locations(M, &C)) || (rc = build_dates(M, &C)) ||
        (rc = build_companies(M, par->n, par->n_companies))) {
        rc = skm_error(ctx, rc == SKM_ENOMEM ? rc : SKM_EINVAL,
                       rc == SKM_ENOMEM ? "synth: out of memory building the model"
                                        : "synth: internal error: a degenerate distribution");
        goto done;
    }
    if ((rc = build_vocabulary(ctx, M, &C, st, par, tax, &mr, &store_col, &pj)) ||
        (rc = build_skills(ctx, M, &C, class_of, store_col, pj, par->contrast)) ||
        (rc = build_salary(ctx, M, &C, class_of, par, &mr)))
        goto done;
    skm_store_close(st);
    st = NULL;
    rc = sha256_file(ctx, store_path, M->store_sha256);
done:
    skm_store_close(st);
    calib_free(&C);
    free(class_of);
    free(store_col);
    free(pj);
    return rc;
}

/* ---- drawing a posting ---------------------------------------------------------------------- */

typedef struct posting {
    size_t role;
    int32_t title;              /* title id, -1 none */
    int sen;                    /* 0 .. N_SEN - 1 */
    size_t comp;
    size_t loc;                 /* kept-location index */
    int remote;                 /* 1, 0, -1 */
    int64_t date;               /* SKM_DATE_MISSING or seconds */
    size_t month;               /* slot */
    size_t k;
    int32_t skills[KCAP];       /* model skill ids in draw order */
    int salary;                 /* 0 none, 1 yearly, 2 hourly */
    uint64_t amount;            /* dollars (yearly) or cents (hourly) */
} posting;

static void draw_posting(const model *M, skm_rng *r, uint32_t *stamp, uint32_t mark, posting *q)
{
    const size_t R = M->R;
    q->role = R > 1 ? skm_alias_draw(&M->role_alias, r) : 0;
    const skm_alias *ta = &M->title_alias[q->role];
    q->title = ta->n ? M->rt_title[M->rt0[q->role] + skm_alias_draw(ta, r)] : -1;
    q->sen = q->title >= 0 && M->title_sen[q->title] >= 0 ? M->title_sen[q->title] : N_SEN - 1;
    q->comp = skm_alias_draw(&M->comp_alias, r);
    q->loc = M->n_loc ? skm_alias_draw(&M->loc_alias, r) : 0;
    if (M->n_loc) {
        const double u = skm_rng_uniform(r), *cr = &M->loc_remote[3 * q->loc];
        q->remote = u < cr[0] ? 1 : u < cr[1] ? 0 : -1;
    } else {
        q->remote = -1;
    }
    q->date = SKM_DATE_MISSING;
    if (M->n_months && skm_rng_uniform(r) < M->p_date) {
        q->month = M->month0 + skm_alias_draw(&M->month_alias, r);
        const int64_t y = MONTH_YEAR0 + (int64_t)(q->month / 12);
        const unsigned mo = (unsigned)(q->month % 12) + 1;
        const int64_t d0 = days_from_civil(y, mo, 1);
        const int64_t d1 = mo == 12 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, mo + 1, 1);
        q->date = d0 * 86400 + (int64_t)skm_rng_below(r, (uint64_t)(d1 - d0) * 86400);
    }
    /* skills: k distinct, successive sampling by rejection of repeats */
    const skm_alias *ka = &M->k_alias[q->role];
    size_t k = ka->n ? skm_alias_draw(ka, r) : 0;
    const skm_alias *sa = &M->skill_alias[q->role];
    if (!sa->n)
        k = 0;
    q->k = 0;
    double sb = 0;
    size_t tries = 0;
    while (q->k < k) {
        const size_t j = skm_alias_draw(sa, r);
        if (stamp[j] == mark) {
            if (++tries > 64 + 32 * k)
                break;
            continue;
        }
        stamp[j] = mark;
        q->skills[q->k++] = (int32_t)j;
        sb += M->beta[j];
    }
    if (q->k < k) {
        /* rejection would take too long: draw the rest exactly, by weight among those left */
        const double *wt = &M->w[q->role * M->p];
        while (q->k < k) {
            double tot = 0;
            for (size_t j = 0; j < M->p; ++j)
                if (stamp[j] != mark)
                    tot += wt[j];
            if (!(tot > 0))
                break;
            double u = skm_rng_uniform(r) * tot;
            size_t j = 0, last = 0;
            for (; j < M->p; ++j)
                if (stamp[j] != mark) {
                    last = j;
                    if ((u -= wt[j]) < 0)
                        break;
                }
            if (j == M->p)
                j = last;
            stamp[j] = mark;
            q->skills[q->k++] = (int32_t)j;
            sb += M->beta[j];
        }
    }
    /* salary */
    q->salary = 0;
    if (skm_rng_uniform(r) < M->p_known[q->role]) {
        const int hourly = skm_rng_uniform(r) < M->p_hour[q->role];
        const double y = M->mu[q->role * N_SEN + (size_t)q->sen] + sb + M->noise * gauss(r);
        double x = exp(y);
        if (hourly)
            x = x / HOURS_PER_YEAR * 100.0;
        x = x < 0 ? 0 : x > 1e15 ? 1e15 : x;
        q->amount = (uint64_t)llround(x);
        q->salary = hourly ? 2 : 1;
    }
}

/* ---- output files ------------------------------------------------------------------------ */

/* "<dir>/.<base><tag>.<pid>" next to path. */
/* The writer thread's side of a text output: buffers to the file, through gzip or not. */
typedef struct tsink {
    int fd;
    gzFile gz;
    skm_ctx *wctx;
    const char *name;
} tsink;

static int tsink_job(void *arg, void *job)
{
    tsink *s = arg;
    const skm_buf *b = job;
    size_t off = 0;
    while (off < b->len) {
        const size_t chunk = b->len - off < ((size_t)1 << 30) ? b->len - off : (size_t)1 << 30;
        if (s->gz) {
            const int w = gzwrite(s->gz, b->ptr + off, (unsigned)chunk);
            if (w <= 0) {
                int zerr;
                const char *m = gzerror(s->gz, &zerr);
                return skm_error(s->wctx, SKM_EIO, "%s: write failed: %s",
                                 s->name, zerr == Z_ERRNO ? strerror(errno) : m);
            }
            off += (size_t)w;
        } else {
            const ssize_t w = write(s->fd, b->ptr + off, chunk);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                return skm_error(s->wctx, SKM_EIO, "%s: write failed: %s", s->name,
                                 w < 0 ? strerror(errno) : "no progress");
            off += (size_t)w;
        }
    }
    return SKM_OK;
}

/* The columns of the CSV / JSON Lines output, in order (the bundled sample's names). */
enum {
    OC_ROLE, OC_TITLE, OC_LOCATION, OC_REMOTE, OC_DATE, OC_COUNTRY, OC_RATE, OC_YEAR, OC_HOUR,
    OC_COMPANY, OC_SKILLS, OC_DESCRIPTION, OC_COUNT
};
static const char *const out_cols[OC_COUNT] = {
    "job_title_short", "job_title",       "job_location",    "job_work_from_home",
    "job_posted_date", "job_country",     "salary_rate",     "salary_year_avg",
    "salary_hour_avg", "company_name",    "job_skills",      "description"};

typedef struct emit {
    int json;
    ftab role, title, loc, country, skill;
    size_t fixed_max;           /* a bound on a row's bytes without skills and description */
    char month_txt[N_MONTHS][8];/* "YYYY-MM-" */
} emit;

static void emit_free(emit *e)
{
    ftab_free(&e->role);
    ftab_free(&e->title);
    ftab_free(&e->loc);
    ftab_free(&e->country);
    ftab_free(&e->skill);
}

static int emit_init(emit *e, const model *M, int json)
{
    memset(e, 0, sizeof *e);
    e->json = json;
    if (ftab_build(&e->role, M->roles, json) || ftab_build(&e->title, M->titles, json) ||
        ftab_build(&e->loc, M->locs, json) || ftab_build(&e->country, M->countries, json) ||
        ftab_build(&e->skill, M->skills, json ? 3 : 2))
        return SKM_ENOMEM;
    e->fixed_max = e->role.max_len + e->title.max_len + e->loc.max_len + e->country.max_len + 512;
    for (size_t m = 0; m < N_MONTHS; ++m) {
        char *p = e->month_txt[m];
        p = put_u64(p, (uint64_t)(MONTH_YEAR0 + m / 12));
        *p++ = '-';
        p = put2(p, (unsigned)(m % 12) + 1);
        *p = '-';
    }
    return SKM_OK;
}

static char *put_date(char *p, const emit *e, const posting *q)
{
    const int64_t day0 = q->date / 86400;
    int64_t y;
    unsigned mo;
    civil_from_days(day0, &y, &mo);
    const int64_t m0 = days_from_civil(y, mo, 1);
    const int64_t sec = q->date - m0 * 86400;
    p = put_str(p, e->month_txt[q->month], 8);
    p = put2(p, (unsigned)(sec / 86400) + 1);
    *p++ = ' ';
    const unsigned s = (unsigned)(sec % 86400);
    p = put2(p, s / 3600);
    *p++ = ':';
    p = put2(p, s / 60 % 60);
    *p++ = ':';
    return put2(p, s % 60);
}

static char *put_cents(char *p, uint64_t cents)
{
    p = put_u64(p, cents / 100);
    *p++ = '.';
    return put2(p, (unsigned)(cents % 100));
}

/* One row into b (room already reserved). */
static void put_row(skm_buf *b, const emit *e, const model *M, const posting *q,
                    const skm_buf *desc)
{
    char *p = b->ptr + b->len;
    const int32_t loc = M->n_loc ? M->loc_id[q->loc] : -1;
    const int32_t cty = M->n_loc ? M->loc_country[q->loc] : -1;
    const int has_role = M->class_kind != CLASS_NONE;
    if (!e->json) {
        if (has_role)
            p = put_f(p, &e->role, (int32_t)q->role);
        *p++ = ',';
        if (q->title >= 0)
            p = put_f(p, &e->title, q->title);
        *p++ = ',';
        if (loc >= 0)
            p = put_f(p, &e->loc, loc);
        *p++ = ',';
        if (q->remote >= 0)
            *p++ = q->remote ? '1' : '0';
        *p++ = ',';
        if (q->date != SKM_DATE_MISSING)
            p = put_date(p, e, q);
        *p++ = ',';
        if (cty >= 0)
            p = put_f(p, &e->country, cty);
        *p++ = ',';
        if (q->salary == 1)
            p = put_str(p, "year,", 5);
        else if (q->salary == 2)
            p = put_str(p, "hour,", 5);
        else
            *p++ = ',';
        if (q->salary == 1)
            p = put_u64(p, q->amount);
        *p++ = ',';
        if (q->salary == 2)
            p = put_cents(p, q->amount);
        *p++ = ',';
        p = put_company(p, q->comp);
        *p++ = ',';
        if (q->k) {
            p = put_str(p, "\"[", 2);
            for (size_t i = 0; i < q->k; ++i) {
                if (i)
                    p = put_str(p, ", ", 2);
                p = put_f(p, &e->skill, q->skills[i]);
            }
            p = put_str(p, "]\"", 2);
        }
        if (desc) {
            *p++ = ',';
            *p++ = '"';
            for (size_t i = 0; i < desc->len; ++i) {
                if (desc->ptr[i] == '"')
                    *p++ = '"';
                *p++ = desc->ptr[i];
            }
            *p++ = '"';
        }
        *p++ = '\n';
    } else {
#define KEY(s) p = put_str(p, s, sizeof s - 1)
        KEY("{\"job_title_short\":");
        if (has_role)
            p = put_f(p, &e->role, (int32_t)q->role);
        else
            KEY("null");
        KEY(",\"job_title\":");
        if (q->title >= 0)
            p = put_f(p, &e->title, q->title);
        else
            KEY("null");
        KEY(",\"job_location\":");
        if (loc >= 0)
            p = put_f(p, &e->loc, loc);
        else
            KEY("null");
        KEY(",\"job_work_from_home\":");
        if (q->remote == 1)
            KEY("true");
        else if (q->remote == 0)
            KEY("false");
        else
            KEY("null");
        KEY(",\"job_posted_date\":");
        if (q->date != SKM_DATE_MISSING) {
            *p++ = '"';
            p = put_date(p, e, q);
            *p++ = '"';
        } else {
            KEY("null");
        }
        KEY(",\"job_country\":");
        if (cty >= 0)
            p = put_f(p, &e->country, cty);
        else
            KEY("null");
        KEY(",\"salary_rate\":");
        if (q->salary == 1)
            KEY("\"year\"");
        else if (q->salary == 2)
            KEY("\"hour\"");
        else
            KEY("null");
        KEY(",\"salary_year_avg\":");
        if (q->salary == 1)
            p = put_u64(p, q->amount);
        else
            KEY("null");
        KEY(",\"salary_hour_avg\":");
        if (q->salary == 2)
            p = put_cents(p, q->amount);
        else
            KEY("null");
        KEY(",\"company_name\":\"");
        p = put_company(p, q->comp);
        KEY("\",\"job_skills\":");
        if (q->k) {
            *p++ = '[';
            for (size_t i = 0; i < q->k; ++i) {
                if (i)
                    *p++ = ',';
                p = put_f(p, &e->skill, q->skills[i]);
            }
            *p++ = ']';
        } else {
            KEY("null");
        }
        if (desc) {
            KEY(",\"description\":\"");
            for (size_t i = 0; i < desc->len; ++i) {
                const unsigned char c = (unsigned char)desc->ptr[i];
                if (c == '"' || c == '\\') {
                    *p++ = '\\';
                    *p++ = (char)c;
                } else if (c == '\n') {
                    KEY("\\n");
                } else if (c < 0x20) {
                    static const char hx[] = "0123456789abcdef";
                    KEY("\\u00");
                    *p++ = hx[c >> 4];
                    *p++ = hx[c & 15];
                } else {
                    *p++ = (char)c;
                }
            }
            *p++ = '"';
        }
        KEY("}\n");
#undef KEY
    }
    b->len = (size_t)(p - b->ptr);
}

/* The description of a posting: its skills that the taxonomy can name, in order. */
static int make_description(const model *M, const skm_textgen *tg, skm_rng *rt, const posting *q,
                            skm_buf *out)
{
    int32_t ids[KCAP];
    size_t m = 0;
    for (size_t i = 0; i < q->k; ++i)
        if (M->text_id[q->skills[i]] >= 0)
            ids[m++] = M->text_id[q->skills[i]];
    const size_t target = 300 + (size_t)skm_rng_below(rt, 900);
    return skm_textgen_description(tg, rt, ids, m, target, 0, out);
}

typedef struct genstat {
    uint64_t nnz, salary_known;
} genstat;

static int generate_text(skm_ctx *ctx, const model *M, const skm_synth_params *par, int fmt,
                         skm_afile *tf, const skm_textgen *tg, genstat *gs)
{
    const int json = fmt == SKM_SYNTH_JSONL || fmt == SKM_SYNTH_JSONL_GZ;
    const int gz = fmt == SKM_SYNTH_CSV_GZ || fmt == SKM_SYNTH_JSONL_GZ;
    emit *e = calloc(1, sizeof *e);
    skm_buf bufs[2] = {{0}, {0}}, desc = {0};
    uint32_t *stamp = skm_calloc_array(M->p + 1, sizeof *stamp);
    posting *q = malloc(sizeof *q);
    tsink ts = {tf->fd, NULL, NULL, tf->final_path};
    skm_worker wk;
    memset(&wk, 0, sizeof wk);
    int started = 0, cur = 0, rc = SKM_OK;
    if (!e || !stamp || !q || !(ts.wctx = skm_ctx_alloc()) || emit_init(e, M, json) ||
        skm_buf_reserve(&bufs[0], OUT_BUF + 4096) || skm_buf_reserve(&bufs[1], OUT_BUF + 4096)) {
        rc = skm_error(ctx, SKM_ENOMEM, "synth: out of memory");
        goto done;
    }
    if (gz) {
        char mode[8];
        snprintf(mode, sizeof mode, "wb%d", par->compression);
        const int fd2 = dup(tf->fd);
        if (fd2 < 0 || !(ts.gz = gzdopen(fd2, mode))) {
            if (fd2 >= 0)
                close(fd2);
            rc = skm_error(ctx, SKM_EIO, "%s: cannot start gzip: %s", tf->final_path,
                           strerror(errno));
            goto done;
        }
        gzbuffer(ts.gz, 256 * 1024);
    }
    skm_worker_start(&wk, tsink_job, &ts, 1);
    started = 1;
    if (!json) {
        for (int c = 0; c < OC_COUNT; ++c)
            if (c != OC_DESCRIPTION || par->text)
                skm_buf_printf(&bufs[cur], "%s%s", c ? "," : "", out_cols[c]);
        skm_buf_putc(&bufs[cur], '\n');
    }
    skm_rng r, rt;
    skm_rng_seed(&r, par->seed, STREAM_POSTINGS);
    skm_rng_seed(&rt, par->seed, STREAM_TEXT);
    const size_t skill_max = e->skill.max_len + 2;
    for (uint64_t i = 0; i < par->n; ++i) {
        if (i % CHECK_EVERY == 0) {
            if (skm_interrupted(ctx)) {
                rc = skm_error(ctx, SKM_EINTERRUPT, "synth interrupted; no output written");
                goto done;
            }
            skm_progress(ctx, "synth", i, par->n);
        }
        draw_posting(M, &r, stamp, (uint32_t)(i + 1), q);
        gs->nnz += q->k;
        gs->salary_known += q->salary != 0;
        if (tg && make_description(M, tg, &rt, q, &desc)) {
            rc = skm_error(ctx, SKM_ENOMEM, "synth: out of memory");
            goto done;
        }
        skm_buf *b = &bufs[cur];
        const size_t need = e->fixed_max + q->k * skill_max + (tg ? 6 * desc.len + 32 : 0);
        if (skm_buf_reserve(b, need)) {
            rc = skm_error(ctx, SKM_ENOMEM, "synth: out of memory");
            goto done;
        }
        put_row(b, e, M, q, tg ? &desc : NULL);
        if (b->len >= OUT_BUF) {
            if ((rc = skm_worker_submit(&wk, b))) {
                rc = skm_error(ctx, rc, "%s", skm_ctx_errmsg(ts.wctx));
                goto done;
            }
            cur ^= 1;
            bufs[cur].len = 0;
        }
    }
    if (bufs[cur].len && (rc = skm_worker_submit(&wk, &bufs[cur]))) {
        rc = skm_error(ctx, rc, "%s", skm_ctx_errmsg(ts.wctx));
        goto done;
    }
    if ((rc = skm_worker_wait(&wk))) {
        rc = skm_error(ctx, rc, "%s", skm_ctx_errmsg(ts.wctx));
        goto done;
    }
    skm_progress(ctx, "synth", par->n, par->n);
done:
    if (started)
        skm_worker_stop(&wk);
    if (ts.gz) {
        const int zr = gzclose(ts.gz);
        if (zr != Z_OK && rc == SKM_OK)
            rc = skm_error(ctx, SKM_EIO, "%s: gzip close failed (%d)", tf->final_path, zr);
    }
    skm_ctx_free(ts.wctx);
    if (e)
        emit_free(e);
    free(e);
    skm_buf_free(&bufs[0]);
    skm_buf_free(&bufs[1]);
    skm_buf_free(&desc);
    free(stamp);
    free(q);
    return rc;
}

/* ---- .h5 output -------------------------------------------------------------------------- */

/* First-seen codes of one categorical column: code[model id] (-1 not yet), and the model ids
 * in code order. */
typedef struct fseen {
    int32_t *code;
    int32_t *ids;
    size_t n;
} fseen;

static int fseen_init(fseen *f, size_t n_model)
{
    f->n = 0;
    f->code = skm_malloc_array(n_model + 1, sizeof *f->code);
    f->ids = skm_malloc_array(n_model + 1, sizeof *f->ids);
    if (!f->code || !f->ids)
        return SKM_ENOMEM;
    for (size_t i = 0; i < n_model; ++i)
        f->code[i] = -1;
    return SKM_OK;
}

static inline int32_t fseen_code(fseen *f, int32_t id)
{
    if (id < 0)
        return -1;
    if (f->code[id] < 0) {
        f->code[id] = (int32_t)f->n;
        f->ids[f->n++] = id;
    }
    return f->code[id];
}

static void fseen_free(fseen *f)
{
    free(f->code);
    free(f->ids);
    memset(f, 0, sizeof *f);
}

typedef struct hblock {
    skm_posting_block b;
    size_t cap, cap_nnz;
} hblock;

static void hblock_free(hblock *k)
{
    skm_posting_block_free(&k->b);
    memset(k, 0, sizeof *k);
}

static int hblock_alloc(hblock *k, size_t cap)
{
    memset(k, 0, sizeof *k);
    k->cap = cap;
    k->cap_nnz = cap * 8;
    return skm_posting_block_alloc(&k->b, cap, k->cap_nnz, 0);
}

typedef struct happ {
    skm_storew *w;
    skm_ctx *wctx;
} happ;

static int happ_job(void *arg, void *job)
{
    happ *a = arg;
    return skm_storew_append(a->w, &((hblock *)job)->b);
}

/* The annual salary (and the figure as given) ingest reads from what the CSV carries. */
static void salary_as_ingest(const posting *q, double *given, int8_t *period, double *annual)
{
    if (q->salary == 1) {
        *given = (double)q->amount;
        *period = SKM_PERIOD_YEAR;
        *annual = *given;
    } else if (q->salary == 2) {
        char txt[32];
        char *e = put_cents(txt, q->amount);
        double h;
        char why[SKM_WHY_LEN];
        if (skm_parse_amount(txt, (size_t)(e - txt), &h, why) != SKM_OK)
            h = (double)q->amount / 100.0;
        *given = h;
        *period = SKM_PERIOD_HOUR;
        *annual = skm_annualise(h, SKM_PERIOD_HOUR, HOURS_PER_YEAR);
    } else {
        *given = NAN;
        *period = SKM_PERIOD_UNKNOWN;
        *annual = NAN;
    }
}

static void sort_i32(int32_t *v, size_t n)
{
    for (size_t i = 1; i < n; ++i) {
        const int32_t x = v[i];
        size_t j = i;
        for (; j > 0 && v[j - 1] > x; --j)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

typedef struct hout {
    fseen f_role, f_title, f_comp, f_loc, f_country, f_skill;
    int64_t *doc_freq;
    uint64_t flag_count[SKM_SALARY_FLAG_COUNT];
} hout;

static void hout_free(hout *h)
{
    fseen_free(&h->f_role);
    fseen_free(&h->f_title);
    fseen_free(&h->f_comp);
    fseen_free(&h->f_loc);
    fseen_free(&h->f_country);
    fseen_free(&h->f_skill);
    free(h->doc_freq);
}

/* Fill one block row from a posting, as ingest would from its CSV record. */
static int h5_row(const model *M, hout *h, hblock *k, const posting *q, uint64_t line)
{
    const size_t i = k->b.n;
    const int32_t title = q->title;
    const int32_t loc = M->n_loc ? M->loc_id[q->loc] : -1;
    const int32_t cty = M->n_loc ? M->loc_country[q->loc] : -1;
    k->b.cat[SKM_CAT_ROLE][i] =
        M->class_kind != CLASS_NONE ? fseen_code(&h->f_role, (int32_t)q->role) : -1;
    k->b.cat[SKM_CAT_TITLE][i] = fseen_code(&h->f_title, title);
    k->b.cat[SKM_CAT_COMPANY][i] = fseen_code(&h->f_comp, (int32_t)q->comp);
    k->b.cat[SKM_CAT_LOCATION][i] = fseen_code(&h->f_loc, loc);
    k->b.cat[SKM_CAT_COUNTRY][i] = fseen_code(&h->f_country, cty);
    k->b.cat[SKM_CAT_SENIORITY][i] = title >= 0 ? M->title_sen[title] : -1;
    k->b.cat[SKM_CAT_ROLE_FAMILY][i] = title >= 0 ? M->title_rf[title] : -1;
    const char *ts = title >= 0 ? skm_strmap_str(M->titles, title) : NULL;
    const char *ls = loc >= 0 ? skm_strmap_str(M->locs, loc) : NULL;
    int wm = skm_work_mode(ts, ts ? strlen(ts) : 0, ls, ls ? strlen(ls) : 0, NULL, 0);
    if (q->remote == 1 && wm != SKM_WORK_HYBRID)
        wm = SKM_WORK_REMOTE;
    k->b.cat[SKM_CAT_WORK_MODE][i] = wm;
    k->b.cat[SKM_CAT_CURRENCY][i] = -1;
    k->b.posted_date[i] = q->date;
    double given, annual;
    int8_t period;
    salary_as_ingest(q, &given, &period, &annual);
    k->b.salary_min[i] = k->b.salary_max[i] = given;
    k->b.salary_period[i] = period;
    k->b.salary_annual[i] = annual;
    const int flag = isnan(annual) ? SKM_SALARY_FLAG_NONE : skm_salary_text_plausible(annual, "");
    k->b.salary_flag[i] = (int8_t)flag;
    h->flag_count[flag]++;
    k->b.remote[i] = (int8_t)q->remote;
    k->b.source_file[i] = 0;
    k->b.source_line[i] = (int64_t)line;
    const size_t base = (size_t)k->b.indptr[i];
    if (skm_posting_block_reserve_nnz(&k->b, &k->cap_nnz, base + q->k) != SKM_OK)
        return SKM_ENOMEM;
    int32_t *row = k->b.indices + base;
    for (size_t j = 0; j < q->k; ++j) {
        row[j] = fseen_code(&h->f_skill, q->skills[j]);
        h->doc_freq[row[j]]++;
        k->b.counts[base + j] = 1;
    }
    sort_i32(row, q->k);
    k->b.indptr[i + 1] = (int64_t)(base + q->k);
    k->b.n = i + 1;
    return SKM_OK;
}

/* The ingest column each role would have come from in the CSV. */
static const char *const h5_input_columns[SKM_COL_COUNT] = {
    [SKM_COL_ID] = "",
    [SKM_COL_TITLE] = "job_title",
    [SKM_COL_ROLE] = "job_title_short",
    [SKM_COL_COMPANY] = "company_name",
    [SKM_COL_LOCATION] = "job_location",
    [SKM_COL_COUNTRY] = "job_country",
    [SKM_COL_DATE] = "job_posted_date",
    [SKM_COL_SALARY] = "salary_year_avg",
    [SKM_COL_SALARY_MIN] = "",
    [SKM_COL_SALARY_MAX] = "",
    [SKM_COL_HOURLY] = "salary_hour_avg",
    [SKM_COL_PERIOD] = "salary_rate",
    [SKM_COL_REMOTE] = "job_work_from_home",
    [SKM_COL_SKILLS] = "job_skills",
};

/* The synth options as text, for /parameters and the /synth attributes. */
typedef struct optkv {
    char key[16][32];
    char val[16][64];
    const char *keys[16], *vals[16];
    size_t n;
} optkv;

static void optkv_add(optkv *kv, const char *k, const char *fmt, ...) SKM_PRINTF(3, 4);

static void optkv_add(optkv *kv, const char *k, const char *fmt, ...)
{
    if (kv->n == 16)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(kv->val[kv->n], sizeof kv->val[kv->n], fmt, ap);
    va_end(ap);
    snprintf(kv->key[kv->n], sizeof kv->key[kv->n], "%s", k);
    kv->keys[kv->n] = kv->key[kv->n];
    kv->vals[kv->n] = kv->val[kv->n];
    kv->n++;
}

static void synth_options(const skm_synth_params *par, const model *M, optkv *kv)
{
    kv->n = 0;
    optkv_add(kv, "n", "%llu", (unsigned long long)par->n);
    optkv_add(kv, "seed", "%llu", (unsigned long long)par->seed);
    optkv_add(kv, "skills", "%zu", M->p);
    optkv_add(kv, "text", "%d", par->text != 0);
    optkv_add(kv, "contrast", "%.17g", par->contrast);
    optkv_add(kv, "premiums", "%lld", (long long)par->n_premiums);
    optkv_add(kv, "premium_sd", "%.17g", par->premium_sd);
    optkv_add(kv, "noise", "%s", isnan(par->noise_sd) ? "(calibrated)" : "");
    if (!isnan(par->noise_sd))
        snprintf(kv->val[kv->n - 1], sizeof kv->val[0], "%.17g", par->noise_sd);
    optkv_add(kv, "companies", "%zu", M->n_comp);
    optkv_add(kv, "compression", "%d", par->compression);
}

/* ---- the truth ----------------------------------------------------------------------------- */

/* Role effect a_r = sum_s P(s | r) mu[r][s]; seniority effect b_s = sum_r P(r | s) (mu[r][s] -
 * a_r); P(s). */
static void effects(const model *M, double *a, double *b, double *ps)
{
    for (size_t s = 0; s < N_SEN; ++s)
        b[s] = ps[s] = 0;
    for (size_t r = 0; r < M->R; ++r) {
        a[r] = 0;
        for (size_t s = 0; s < N_SEN; ++s)
            a[r] += M->role_share[r] > 0 ? M->cell_share[r * N_SEN + s] / M->role_share[r] *
                                               M->mu[r * N_SEN + s]
                                         : 0.0;
    }
    for (size_t r = 0; r < M->R; ++r)
        for (size_t s = 0; s < N_SEN; ++s) {
            const double c = M->cell_share[r * N_SEN + s];
            ps[s] += c;
            b[s] += c * (M->mu[r * N_SEN + s] - a[r]);
        }
    for (size_t s = 0; s < N_SEN; ++s)
        b[s] = ps[s] > 0 ? b[s] / ps[s] : 0.0;
}

static const char *sen_name(size_t s)
{
    return s < SKM_SENIORITY_COUNT ? skm_seniority_name((int)s) : "(no title)";
}

static int truth_csv(skm_ctx *ctx, const model *M, const skm_synth_params *par,
                     const char *store_path, skm_afile *tf)
{
    const int fd = dup(tf->fd);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        if (fd >= 0)
            close(fd);
        return skm_error(ctx, SKM_EIO, "%s: cannot write: %s", tf->final_path, strerror(errno));
    }
    skm_buf b = {0};
    double *a = skm_calloc_array(M->R + 1, sizeof *a), bs[N_SEN], ps[N_SEN];
    if (!a) {
        fclose(f);
        return skm_error(ctx, SKM_ENOMEM, "synth: out of memory");
    }
    effects(M, a, bs, ps);
    /* One table, columns used by kind (docs/synth.md):
     *   skill      skill, premium, doc_share, origin
     *   role       role, value (effect), share
     *   seniority  seniority, value (effect), share
     *   cell       role, seniority, value (mu), share
     *   param      name, value */
    skm_buf c = {0};
#define FIELD(s)                                                                               \
    (b.len = 0, csv_field(&b, (s), strlen(s)), skm_buf_putc(&b, '\0'), b.ptr ? b.ptr : "")
#define FIELD2(s)                                                                              \
    (c.len = 0, csv_field(&c, (s), strlen(s)), skm_buf_putc(&c, '\0'), c.ptr ? c.ptr : "")
    fprintf(f, "kind,skill,premium,doc_share,origin,role,seniority,name,value,share\n");
    for (size_t j = 0; j < M->p; ++j)
        fprintf(f, "skill,%s,%.17g,%.17g,%s,,,,,\n",
                FIELD(skm_strmap_str(M->skills, (int32_t)j)), M->beta[j], M->share[j],
                origin_names[M->origin[j]]);
    for (size_t r = 0; r < M->R; ++r)
        fprintf(f, "role,,,,,%s,,,%.17g,%.17g\n", FIELD(skm_strmap_str(M->roles, (int32_t)r)),
                a[r], M->role_share[r]);
    for (size_t s = 0; s < N_SEN; ++s)
        if (ps[s] > 0)
            fprintf(f, "seniority,,,,,,%s,,%.17g,%.17g\n", FIELD(sen_name(s)), bs[s], ps[s]);
    for (size_t r = 0; r < M->R; ++r)
        for (size_t s = 0; s < N_SEN; ++s) {
            const double cs = M->cell_share[r * N_SEN + s];
            if (cs > 0)
                fprintf(f, "cell,,,,,%s,%s,,%.17g,%.17g\n",
                        FIELD(skm_strmap_str(M->roles, (int32_t)r)), FIELD2(sen_name(s)),
                        M->mu[r * N_SEN + s], cs);
        }
#define PARAM(key, fmt, v) fprintf(f, "param,,,,,,," key "," fmt ",\n", v)
    PARAM("seed", "%llu", (unsigned long long)par->seed);
    PARAM("n", "%llu", (unsigned long long)par->n);
    PARAM("n_skills", "%zu", M->p);
    PARAM("n_roles", "%zu", M->R);
    PARAM("n_premiums", "%lld", (long long)M->n_premiums);
    PARAM("premium_sd", "%.17g", par->premium_sd);
    PARAM("contrast", "%.17g", par->contrast);
    PARAM("noise_sd", "%.17g", M->noise);
    PARAM("noise_sd_calibrated", "%.17g", M->noise_calibrated);
    PARAM("n_companies", "%zu", M->n_comp);
    PARAM("company_zipf_exponent", "%.17g", ZIPF_S);
    PARAM("hours_per_year", "%.17g", HOURS_PER_YEAR);
    PARAM("text", "%d", par->text != 0);
    PARAM("class_column", "%s", class_kind_names[M->class_kind]);
    PARAM("calibration_store", "%s", FIELD(store_path));
    PARAM("calibration_sha256", "%s", M->store_sha256);
    PARAM("calibration_postings", "%lld", (long long)M->n_used);
    PARAM("tool_version", "%s", skm_version());
#undef PARAM
#undef FIELD2
#undef FIELD
    free(a);
    skm_buf_free(&b);
    skm_buf_free(&c);
    const int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return skm_error(ctx, SKM_EIO, "%s: write failed: %s", tf->final_path, strerror(errno));
    return SKM_OK;
}

/* /synth of a .h5 output (docs/hdf5-schema.md). */
static int write_synth_group(skm_h5_out *o, const model *M, const skm_synth_params *par,
                             const char *store_path)
{
    hid_t g = -1, gs = -1, gr = -1, gc = -1;
    int rc;
    const size_t R = M->R, P = M->p;
    const char **names = skm_calloc_array((P > R ? P : R) + N_SEN + 1, sizeof *names);
    int32_t *home = skm_malloc_array(P + 1, sizeof *home);
    double *a = skm_calloc_array(R + 1, sizeof *a), bs[N_SEN], ps[N_SEN];
    if (!names || !home || !a) {
        rc = skm_error(o->ctx, SKM_ENOMEM, "synth: out of memory");
        goto done;
    }
    effects(M, a, bs, ps);
    if ((rc = skm_h5_create_group(o, o->file, "synth", SG,
                                  "The planted truth of a synthetic store written by skillmat "
                                  "synth: the model its postings were drawn from",
                                  &g)))
        goto done;
    char created[32];
    skm_time_iso8601(created);
    optkv kv;
    synth_options(par, M, &kv);
    if ((rc = skm_h5_out_attr_i64(o, g, SG, "seed", (int64_t)par->seed)) ||
        (rc = skm_h5_out_attr_i64(o, g, SG, "n", (int64_t)par->n)) ||
        (rc = skm_h5_out_attr_i64(o, g, SG, "n_skills", (int64_t)P)) ||
        (rc = skm_h5_out_attr_i64(o, g, SG, "n_roles", (int64_t)R)) ||
        (rc = skm_h5_out_attr_i64(o, g, SG, "n_premiums", M->n_premiums)) ||
        (rc = skm_h5_out_attr_i64(o, g, SG, "n_companies", (int64_t)M->n_comp)) ||
        (rc = skm_h5_out_attr_f64(o, g, SG, "contrast", par->contrast)) ||
        (rc = skm_h5_out_attr_f64(o, g, SG, "premium_sd", par->premium_sd)) ||
        (rc = skm_h5_out_attr_f64(o, g, SG, "noise_sd", M->noise)) ||
        (rc = skm_h5_out_attr_f64(o, g, SG, "noise_sd_calibrated", M->noise_calibrated)) ||
        (rc = skm_h5_out_attr_f64(o, g, SG, "company_zipf_exponent", ZIPF_S)) ||
        (rc = skm_h5_out_attr_f64(o, g, SG, "tail_exponent", M->tail_exponent)) ||
        (rc = skm_h5_out_attr_f64(o, g, SG, "hours_per_year", HOURS_PER_YEAR)) ||
        (rc = skm_h5_out_attr_str(o, g, SG, "class_column", class_kind_names[M->class_kind])) ||
        (rc = skm_h5_out_attr_str(o, g, SG, "calibration_store", store_path)) ||
        (rc = skm_h5_out_attr_str(o, g, SG, "calibration_sha256", M->store_sha256)) ||
        (rc = skm_h5_out_attr_str(o, g, SG, "calibration_created", M->store_created)) ||
        (rc = skm_h5_out_attr_i64(o, g, SG, "calibration_postings", M->n_used)) ||
        (rc = skm_h5_out_attr_str(o, g, SG, "tool_version", skm_version())) ||
        (rc = skm_h5_out_attr_str(o, g, SG, "git_revision", SKM_GIT_REVISION)) ||
        (rc = skm_h5_out_attr_str(o, g, SG, "command_line",
                                  par->command_line ? par->command_line : "")) ||
        (rc = skm_h5_out_attr_str(o, g, SG, "created", created)))
        goto done;
    for (size_t i = 0; i < kv.n; ++i) {
        char key[48];
        snprintf(key, sizeof key, "option_%s", kv.keys[i]);
        if ((rc = skm_h5_out_attr_str(o, g, SG, key, kv.vals[i])))
            goto done;
    }
    /* skills */
    if ((rc = skm_h5_create_group(o, g, "skills", SG "/skills",
                                  "The model's vocabulary, one entry per skill", &gs)))
        goto done;
    for (size_t j = 0; j < P; ++j) {
        names[j] = skm_strmap_str(M->skills, (int32_t)j);
        home[j] = M->home[j];
    }
    if ((rc = skm_h5_write_child(o, gs, SG "/skills", "name", o->t_str, o->t_str, P, 0, names,
                                 "Skill name as written in the postings (match /skills/name by "
                                 "name: a store numbers its skills in first-seen order)",
                                 NULL)) ||
        (rc = skm_h5_write_child(o, gs, SG "/skills", "premium", H5T_IEEE_F64LE,
                                 H5T_NATIVE_DOUBLE, P, 0, M->beta,
                                 "Planted premium beta_j: the skill adds beta_j to ln annual "
                                 "salary; 0 for most skills",
                                 "log points")) ||
        (rc = skm_h5_write_child(o, gs, SG "/skills", "share", H5T_IEEE_F64LE,
                                 H5T_NATIVE_DOUBLE, P, 0, M->share,
                                 "Expected share of postings listing the skill (the model's "
                                 "inclusion probabilities averaged over roles)",
                                 NULL)))
        goto done;
    for (size_t j = 0; j < P; ++j)
        names[j] = origin_names[M->origin[j]];
    if ((rc = skm_h5_write_child(o, gs, SG "/skills", "origin", o->t_str, o->t_str, P, 0, names,
                                 "Where the name comes from: store (a calibration skill), "
                                 "taxonomy (an extra skill named from the default taxonomy), "
                                 "generated (skill_NNNN)",
                                 NULL)) ||
        (rc = skm_h5_write_child(o, gs, SG "/skills", "home_role", H5T_STD_I32LE,
                                 H5T_NATIVE_INT32, P, 0, home,
                                 "Home role of an extra skill (index into /synth/roles/name), "
                                 "which holds most of its postings; -1 for calibration skills",
                                 NULL)) ||
        (rc = skm_h5_write_child(o, gs, SG "/skills", "role_share", H5T_IEEE_F64LE,
                                 H5T_NATIVE_DOUBLE, R, P, M->pi,
                                 "Expected share of each role's postings listing each skill "
                                 "(roles x skills)",
                                 NULL)))
        goto done;
    /* roles */
    if ((rc = skm_h5_create_group(o, g, "roles", SG "/roles",
                                  "The latent classes (the store's roles), one entry each", &gr)))
        goto done;
    for (size_t r = 0; r < R; ++r)
        names[r] = skm_strmap_str(M->roles, (int32_t)r);
    if ((rc = skm_h5_write_child(o, gr, SG "/roles", "name", o->t_str, o->t_str, R, 0, names,
                                 "Role as written in the postings' role column (\"\" when the "
                                 "calibration store had neither roles nor titles)",
                                 NULL)) ||
        (rc = skm_h5_write_child(o, gr, SG "/roles", "share", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                                 R, 0, M->role_share, "Probability of the role", NULL)) ||
        (rc = skm_h5_write_child(o, gr, SG "/roles", "effect", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                                 R, 0, a,
                                 "Role effect: the role's mean of mu over its seniority mix",
                                 "log points")) ||
        (rc = skm_h5_write_child(o, gr, SG "/roles", "mean_skills", H5T_IEEE_F64LE,
                                 H5T_NATIVE_DOUBLE, R, 0, M->mean_k,
                                 "Expected number of skills per posting", "skills")) ||
        (rc = skm_h5_write_child(o, gr, SG "/roles", "salary_share", H5T_IEEE_F64LE,
                                 H5T_NATIVE_DOUBLE, R, 0, M->p_known,
                                 "Probability that a posting has a salary", NULL)) ||
        (rc = skm_h5_write_child(o, gr, SG "/roles", "hourly_share", H5T_IEEE_F64LE,
                                 H5T_NATIVE_DOUBLE, R, 0, M->p_hour,
                                 "Probability that a salary is hourly (annual / 2080, in cents)",
                                 NULL)))
        goto done;
    /* salary cells */
    if ((rc = skm_h5_create_group(o, g, "salary", SG "/salary",
                                  "The salary model: ln annual = mu[role, seniority] + sum_j "
                                  "beta_j x_j + N(0, noise_sd^2)",
                                  &gc)))
        goto done;
    for (size_t s = 0; s < N_SEN; ++s)
        names[s] = sen_name(s);
    if ((rc = skm_h5_write_child(o, gc, SG "/salary", "seniority", o->t_str, o->t_str, N_SEN, 0,
                                 names,
                                 "The seniority axis: /postings/seniority_levels, then (no title)",
                                 NULL)) ||
        (rc = skm_h5_write_child(o, gc, SG "/salary", "mu", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, R,
                                 N_SEN, M->mu,
                                 "Cell intercept mu (roles x seniority): the store's mean ln "
                                 "salary of the cell shrunk to its role's, less the role's "
                                 "expected sum of premiums",
                                 "log points")) ||
        (rc = skm_h5_write_child(o, gc, SG "/salary", "cell_share", H5T_IEEE_F64LE,
                                 H5T_NATIVE_DOUBLE, R, N_SEN, M->cell_share,
                                 "Probability of each (role, seniority) cell", NULL)) ||
        (rc = skm_h5_write_child(o, gc, SG "/salary", "seniority_effect", H5T_IEEE_F64LE,
                                 H5T_NATIVE_DOUBLE, N_SEN, 0, bs,
                                 "Seniority effect: the cell-share weighted mean of mu minus the "
                                 "role effect; 0 for an empty level",
                                 "log points")) ||
        (rc = skm_h5_write_child(o, gc, SG "/salary", "store_mean", H5T_IEEE_F64LE,
                                 H5T_NATIVE_DOUBLE, R, N_SEN, M->store_mean,
                                 "The calibration store's mean ln annual salary of the cell "
                                 "(plausible salaries); NaN: none",
                                 "log points")) ||
        (rc = skm_h5_write_child(o, gc, SG "/salary", "store_count", H5T_IEEE_F64LE,
                                 H5T_NATIVE_DOUBLE, R, N_SEN, M->store_n,
                                 "The calibration store's postings behind store_mean",
                                 "postings")))
        goto done;
done:
    skm_h5_close(gc);
    skm_h5_close(gr);
    skm_h5_close(gs);
    skm_h5_close(g);
    free(names);
    free(home);
    free(a);
    return rc;
}

static int generate_h5(skm_ctx *ctx, const model *M, const skm_synth_params *par,
                       const char *store_path, skm_storew *w, skm_ctx *wctx, genstat *gs)
{
    hout h;
    memset(&h, 0, sizeof h);
    hblock blks[2];
    memset(blks, 0, sizeof blks);
    uint32_t *stamp = skm_calloc_array(M->p + 1, sizeof *stamp);
    posting *q = malloc(sizeof *q);
    happ app = {w, wctx};
    skm_worker wk;
    memset(&wk, 0, sizeof wk);
    int started = 0, cur = 0, rc = SKM_OK;
    const char **lv[SKM_CAT_COUNT] = {0};
    const char **skill_names = NULL;
    int64_t *df = NULL;
    skm_buf comp_names = {0};
    size_t *comp_off = NULL;
    if (!stamp || !q || fseen_init(&h.f_role, M->R) ||
        fseen_init(&h.f_title, skm_strmap_size(M->titles)) || fseen_init(&h.f_comp, M->n_comp) ||
        fseen_init(&h.f_loc, skm_strmap_size(M->locs)) ||
        fseen_init(&h.f_country, skm_strmap_size(M->countries)) ||
        fseen_init(&h.f_skill, M->p) || !(h.doc_freq = skm_calloc_array(M->p + 1, 8)) ||
        hblock_alloc(&blks[0], BLOCK_ROWS) || hblock_alloc(&blks[1], BLOCK_ROWS)) {
        rc = skm_error(ctx, SKM_ENOMEM, "synth: out of memory");
        goto done;
    }
    skm_worker_start(&wk, happ_job, &app, 1);
    started = 1;
    skm_rng r;
    skm_rng_seed(&r, par->seed, STREAM_POSTINGS);
    for (uint64_t i = 0; i < par->n; ++i) {
        if (i % CHECK_EVERY == 0) {
            if (skm_interrupted(ctx)) {
                rc = skm_error(ctx, SKM_EINTERRUPT, "synth interrupted; no output written");
                goto done;
            }
            skm_progress(ctx, "synth", i, par->n);
        }
        draw_posting(M, &r, stamp, (uint32_t)(i + 1), q);
        gs->nnz += q->k;
        gs->salary_known += q->salary != 0;
        if (h5_row(M, &h, &blks[cur], q, i + 2)) {
            rc = skm_error(ctx, SKM_ENOMEM, "synth: out of memory");
            goto done;
        }
        if (blks[cur].b.n == blks[cur].cap) {
            if ((rc = skm_worker_submit(&wk, &blks[cur]))) {
                rc = skm_error(ctx, rc, "%s", skm_ctx_errmsg(wctx));
                goto done;
            }
            cur ^= 1;
            blks[cur].b.n = 0;
            blks[cur].b.indptr[0] = 0;
        }
    }
    if (blks[cur].b.n && (rc = skm_worker_submit(&wk, &blks[cur]))) {
        rc = skm_error(ctx, rc, "%s", skm_ctx_errmsg(wctx));
        goto done;
    }
    if ((rc = skm_worker_wait(&wk))) {
        rc = skm_error(ctx, rc, "%s", skm_ctx_errmsg(wctx));
        goto done;
    }
    skm_worker_stop(&wk);
    started = 0;
    skm_progress(ctx, "synth", par->n, par->n);

    /* metadata: the level tables and the vocabulary in first-seen order */
    skm_store_meta meta;
    memset(&meta, 0, sizeof meta);
    const fseen *fs[SKM_CAT_COUNTRY + 1] = {
        [SKM_CAT_TITLE] = &h.f_title, [SKM_CAT_ROLE] = &h.f_role, [SKM_CAT_COMPANY] = &h.f_comp,
        [SKM_CAT_LOCATION] = &h.f_loc, [SKM_CAT_COUNTRY] = &h.f_country};
    const skm_strmap *maps[SKM_CAT_COUNTRY + 1] = {
        [SKM_CAT_TITLE] = M->titles, [SKM_CAT_ROLE] = M->roles, [SKM_CAT_COMPANY] = NULL,
        [SKM_CAT_LOCATION] = M->locs, [SKM_CAT_COUNTRY] = M->countries};
    if (!(comp_off = skm_malloc_array(h.f_comp.n + 1, sizeof *comp_off))) {
        rc = skm_error(ctx, SKM_ENOMEM, "synth: out of memory");
        goto done;
    }
    for (size_t c = 0; c < h.f_comp.n; ++c) {
        char nm[40];
        char *e = put_company(nm, (size_t)h.f_comp.ids[c]);
        *e++ = '\0';
        comp_off[c] = comp_names.len;
        if (skm_buf_append(&comp_names, nm, (size_t)(e - nm))) {
            rc = skm_error(ctx, SKM_ENOMEM, "synth: out of memory");
            goto done;
        }
    }
    for (int c = 0; c < SKM_CAT_COUNT; ++c) {
        size_t nl = c <= SKM_CAT_COUNTRY ? fs[c]->n
                    : c == SKM_CAT_SENIORITY ? SKM_SENIORITY_COUNT
                    : c == SKM_CAT_ROLE_FAMILY ? SKM_ROLE_COUNT
                    : c == SKM_CAT_WORK_MODE ? SKM_WORK_COUNT : 0;
        if (!(lv[c] = skm_calloc_array(nl + 1, sizeof *lv[c]))) {
            rc = skm_error(ctx, SKM_ENOMEM, "synth: out of memory");
            goto done;
        }
        for (size_t l = 0; l < nl; ++l)
            lv[c][l] = c == SKM_CAT_COMPANY     ? comp_names.ptr + comp_off[l]
                       : c <= SKM_CAT_COUNTRY   ? skm_strmap_str(maps[c], fs[c]->ids[l])
                       : c == SKM_CAT_SENIORITY ? skm_seniority_name((int)l)
                       : c == SKM_CAT_ROLE_FAMILY ? skm_role_family_name((int)l)
                                                  : skm_work_mode_name((int)l);
        meta.levels[c] = lv[c];
        meta.n_levels[c] = nl;
    }
    skill_names = skm_calloc_array(h.f_skill.n + 1, sizeof *skill_names);
    df = skm_calloc_array(h.f_skill.n + 1, sizeof *df);
    if (!skill_names || !df) {
        rc = skm_error(ctx, SKM_ENOMEM, "synth: out of memory");
        goto done;
    }
    for (size_t j = 0; j < h.f_skill.n; ++j) {
        skill_names[j] = skm_strmap_str(M->skills, h.f_skill.ids[j]);
        df[j] = h.doc_freq[j];
    }
    meta.n_skills = h.f_skill.n;
    meta.skill_names = skill_names;
    meta.skill_doc_freq = df;
    meta.command_line = par->command_line;
    struct stat sb;
    const uint64_t in_bytes = stat(store_path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
    const uint64_t in_records = par->n, in_skipped = 0;
    const char *in_path = store_path, *in_sha = M->store_sha256, *in_fmt = "synth";
    meta.n_inputs = 1;
    meta.input_paths = &in_path;
    meta.input_sha256 = &in_sha;
    meta.input_format = &in_fmt;
    meta.input_bytes = &in_bytes;
    meta.input_records = &in_records;
    meta.input_skipped = &in_skipped;
    meta.input_columns = h5_input_columns;
    uint64_t skipped[SKM_SKIP_COUNT] = {0};
    meta.skipped_by_reason = skipped;
    meta.hours_per_year = HOURS_PER_YEAR;
    meta.salary_flag_count = h.flag_count;
    optkv kv;
    synth_options(par, M, &kv);
    meta.n_params = kv.n;
    meta.param_keys = kv.keys;
    meta.param_values = kv.vals;
    if (skm_interrupted(ctx)) {
        rc = skm_error(ctx, SKM_EINTERRUPT, "synth interrupted; no output written");
        goto done;
    }
    rc = skm_storew_finish(w, &meta);
    if (rc != SKM_OK)
        rc = skm_error(ctx, rc, "%s", skm_ctx_errmsg(wctx));
    w = NULL;
done:
    if (started)
        skm_worker_stop(&wk);
    skm_storew_abort(w);
    hout_free(&h);
    hblock_free(&blks[0]);
    hblock_free(&blks[1]);
    for (int c = 0; c < SKM_CAT_COUNT; ++c)
        free(lv[c]);
    free(skill_names);
    free(df);
    free(comp_off);
    skm_buf_free(&comp_names);
    free(stamp);
    free(q);
    return rc;
}

/* ---- the run ------------------------------------------------------------------------------ */

static int check_params(skm_ctx *ctx, const char *store_path, const char *out_path,
                        const skm_synth_params *p, int *fmt)
{
    if (!store_path || !*store_path)
        return skm_error(ctx, SKM_EINVAL, "synth: no calibration store (--from STORE)");
    if (!out_path || !*out_path)
        return skm_error(ctx, SKM_EINVAL, "synth: no output file (-o OUT)");
    if (!p)
        return skm_error(ctx, SKM_EINVAL, "synth: no parameters");
    if ((*fmt = skm_synth_format_of(out_path)) < 0)
        return skm_error(ctx, SKM_EINVAL,
                         "synth: %s: the output's extension picks the format: .csv, .csv.gz, "
                         ".jsonl, .jsonl.gz or .h5",
                         out_path);
    if (p->n < 1 || p->n > SKM_SYNTH_MAX_N)
        return skm_error(ctx, SKM_EINVAL, "synth: -n must be 1 .. 1,000,000,000, not %llu",
                         (unsigned long long)p->n);
    if (p->n_skills < 0 || p->n_skills > SKM_SYNTH_MAX_SKILLS)
        return skm_error(ctx, SKM_EINVAL, "synth: --skills must be 1 .. %d", SKM_SYNTH_MAX_SKILLS);
    if (!(p->contrast >= 0) || p->contrast > SKM_SYNTH_MAX_CONTRAST)
        return skm_error(ctx, SKM_EINVAL, "synth: --contrast must be in [0, %g], not %g",
                         SKM_SYNTH_MAX_CONTRAST, p->contrast);
    if (p->n_premiums < 0 || p->n_premiums > SKM_SYNTH_MAX_SKILLS)
        return skm_error(ctx, SKM_EINVAL, "synth: --premiums must be 0 .. %d",
                         SKM_SYNTH_MAX_SKILLS);
    if (!(p->premium_sd >= 0) || p->premium_sd > 5)
        return skm_error(ctx, SKM_EINVAL, "synth: --premium-sd must be in [0, 5], not %g",
                         p->premium_sd);
    if (!isnan(p->noise_sd) && (!(p->noise_sd >= 0) || p->noise_sd > 5))
        return skm_error(ctx, SKM_EINVAL, "synth: --noise must be in [0, 5], not %g",
                         p->noise_sd);
    if (p->n_companies < 0 || p->n_companies > SKM_SYNTH_MAX_COMPANIES)
        return skm_error(ctx, SKM_EINVAL, "synth: --companies must be 1 .. %d",
                         SKM_SYNTH_MAX_COMPANIES);
    if (p->compression < 0 || p->compression > 9)
        return skm_error(ctx, SKM_EINVAL, "synth: compression must be 0 .. 9, not %d",
                         p->compression);
    if (p->text && *fmt == SKM_SYNTH_H5)
        return skm_error(ctx, SKM_EINVAL,
                         "synth: --text needs a CSV or JSON Lines output (a store keeps no "
                         "description text: write .csv and ingest it with --text-col "
                         "description)");
    struct stat so, si;
    if (stat(out_path, &so) == 0) {
        if (S_ISDIR(so.st_mode))
            return skm_error(ctx, SKM_EINVAL, "%s: output path names a directory, not a file",
                             out_path);
        if (stat(store_path, &si) == 0 && si.st_dev == so.st_dev && si.st_ino == so.st_ino)
            return skm_error(ctx, SKM_EINVAL, "synth: the output %s is the calibration store",
                             out_path);
    }
    if (p->truth_path) {
        if (!*p->truth_path || !strcmp(p->truth_path, out_path) ||
            !strcmp(p->truth_path, store_path))
            return skm_error(ctx, SKM_EINVAL,
                             "synth: the truth file must be another file than the output and the "
                             "store");
        struct stat st;
        if (stat(p->truth_path, &st) == 0) {
            if (S_ISDIR(st.st_mode))
                return skm_error(ctx, SKM_EINVAL, "%s: truth path names a directory",
                                 p->truth_path);
            if ((stat(out_path, &so) == 0 && st.st_dev == so.st_dev && st.st_ino == so.st_ino) ||
                (stat(store_path, &si) == 0 && st.st_dev == si.st_dev && st.st_ino == si.st_ino))
                return skm_error(ctx, SKM_EINVAL,
                                 "synth: the truth file must be another file than the output and "
                                 "the store");
        }
    }
    return SKM_OK;
}

int skm_synth(skm_ctx *ctx, const char *store_path, const char *out_path,
              const skm_synth_params *par, skm_synth_report *report)
{
    skm_synth_report local;
    skm_synth_report *rep = report ? report : &local;
    memset(rep, 0, sizeof *rep);
    const double t0 = skm_now();
    int fmt = -1;
    int rc = check_params(ctx, store_path, out_path, par, &fmt);
    if (rc)
        return rc;
    rep->format = fmt;
    model M;
    memset(&M, 0, sizeof M);
    skm_afile out_tf, truth_tf;
    memset(&out_tf, 0, sizeof out_tf);
    memset(&truth_tf, 0, sizeof truth_tf);
    out_tf.fd = truth_tf.fd = -1;
    skm_taxonomy *tax = NULL;
    skm_textgen *tg = NULL;
    skm_storew *w = NULL;
    skm_ctx *wctx = NULL;
    char *h5_tmp = NULL;
    skm_h5_out ho;
    memset(&ho, 0, sizeof ho);
    ho.file = ho.t_str = -1;
    genstat gs = {0, 0};

    /* The outputs first: an unwritable destination fails before the calibration. */
    if (fmt == SKM_SYNTH_H5) {
        struct stat sb;
        if (!(h5_tmp = skm_temp_path(out_path, "synth")) || !(wctx = skm_ctx_alloc())) {
            rc = skm_error(ctx, SKM_ENOMEM, "synth: out of memory");
            goto done;
        }
        if (lstat(h5_tmp, &sb) == 0) {
            rc = skm_error(ctx, SKM_EIO, "%s: a stale temporary file %s exists; remove it",
                           out_path, h5_tmp);
            free(h5_tmp);
            h5_tmp = NULL; /* not ours */
            goto done;
        }
        skm_storew_params wp = {.compression = par->compression, .has_id = 0, .has_matches = 0};
        if ((rc = skm_storew_open(wctx, h5_tmp, &wp, &w)) != SKM_OK) {
            rc = skm_error(ctx, rc, "%s", skm_ctx_errmsg(wctx));
            goto done;
        }
    } else if ((rc = skm_afile_open(ctx, out_path, &out_tf))) {
        goto done;
    }
    if (par->truth_path && (rc = skm_afile_open(ctx, par->truth_path, &truth_tf)))
        goto done;

    if (par->text || par->n_skills > 0) {
        if ((rc = skm_taxonomy_load(ctx, NULL, &tax)))
            goto done;
    }
    if ((rc = build_model(ctx, store_path, par, tax, &M)))
        goto done;
    rep->calibrate_seconds = skm_now() - t0;
    rep->n_skills = (int64_t)M.p;
    rep->n_roles = (int64_t)M.R;
    rep->n_premiums = M.n_premiums;
    rep->n_companies = (int64_t)M.n_comp;
    rep->noise_sd = M.noise;
    skm_log(ctx, SKM_LOG_INFO,
            "synth: calibrated from %s: %lld postings, %zu roles (%s), %zu skills (%zu from the "
            "store), noise sd %.3f (calibrated %.3f), %lld premiums, %zu companies",
            store_path, (long long)M.n_used, M.R, class_kind_names[M.class_kind], M.p,
            M.p_store_kept, M.noise, M.noise_calibrated, (long long)M.n_premiums, M.n_comp);
    if (par->text && !(tg = skm_textgen_alloc(tax))) {
        rc = skm_error(ctx, SKM_ENOMEM, "synth: out of memory (description generator)");
        goto done;
    }

    if (fmt == SKM_SYNTH_H5) {
        rc = generate_h5(ctx, &M, par, store_path, w, wctx, &gs);
        w = NULL; /* finished or aborted */
        if (rc)
            goto done;
        /* the store is complete under h5_tmp: add /synth and move it into place */
        skm_h5_quiet q;
        skm_h5_quiet_begin(&q);
        rc = skm_h5_out_reopen(ctx, out_path, h5_tmp, &ho);
        h5_tmp = NULL; /* ho's now */
        if (!rc && !(rc = write_synth_group(&ho, &M, par, store_path))) {
            if (skm_interrupted(ctx))
                rc = skm_error(ctx, SKM_EINTERRUPT, "synth interrupted; no output written");
            else if (par->truth_path && (rc = truth_csv(ctx, &M, par, store_path, &truth_tf)) == 0)
                rc = skm_afile_commit(ctx, &truth_tf);
            if (!rc)
                rc = skm_h5_out_commit(&ho);
        }
        skm_h5_quiet_end(&q);
        if (rc)
            goto done;
    } else {
        if ((rc = generate_text(ctx, &M, par, fmt, &out_tf, tg, &gs)))
            goto done;
        if (skm_interrupted(ctx)) {
            rc = skm_error(ctx, SKM_EINTERRUPT, "synth interrupted; no output written");
            goto done;
        }
        if (par->truth_path && ((rc = truth_csv(ctx, &M, par, store_path, &truth_tf)) ||
                                (rc = skm_afile_commit(ctx, &truth_tf))))
            goto done;
        if ((rc = skm_afile_commit(ctx, &out_tf)))
            goto done;
    }
    struct stat sb;
    rep->bytes = stat(out_path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
    rep->n_postings = par->n;
    rep->nnz = gs.nnz;
    rep->salary_known = gs.salary_known;
done:
    skm_storew_abort(w);
    if (h5_tmp) { /* the finished store, before /synth was added */
        (void)unlink(h5_tmp);
        free(h5_tmp);
    }
    {
        skm_h5_quiet q;
        skm_h5_quiet_begin(&q);
        skm_h5_out_abort(&ho);
        skm_h5_quiet_end(&q);
    }
    skm_ctx_free(wctx);
    skm_afile_abort(&out_tf);
    skm_afile_abort(&truth_tf);
    skm_textgen_free(tg);
    skm_taxonomy_free(tax);
    model_free(&M);
    rep->seconds = skm_now() - t0;
    return rc;
}
