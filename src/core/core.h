/*
 * core.h — internal services shared by every module: the context and its error/log/progress
 * plumbing, checked allocation, a growable byte buffer, UTF-8 validation, SHA-256 and a string
 * interner. Nothing here is exported; the public face is include/skillmat.h.
 *
 * Error model. A fallible function returns an int status (SKM_OK == 0). It records the detail
 * once, at the point of failure, with skm_error(ctx, code, fmt, ...), which also remembers the
 * source file and line: put a breakpoint on skm_error_at to catch every error. Callers pass the
 * code up unchanged; a caller that adds context (a file name) records a new message that quotes
 * the old one. Clean-up is a single `goto done`.
 */
#ifndef SKM_CORE_H
#define SKM_CORE_H

#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "skillmat.h"

#if defined(__GNUC__)
#define SKM_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define SKM_PRINTF(a, b)
#endif

struct skm_ctx {
    int code;                 /* last error code, SKM_OK if none */
    char msg[2048];           /* last error detail */
    const char *src_file;     /* where in skillmat the last error was recorded */
    int src_line;
    skm_log_fn log;           /* never NULL */
    void *log_user;
    int log_level;
    skm_progress_fn progress; /* may be NULL */
    void *progress_user;
    double progress_last;     /* monotonic time of the last progress call */
    volatile sig_atomic_t interrupted;
};

/* Record an error: stores code and message in ctx, returns code. */
int skm_error_at(skm_ctx *ctx, int code, const char *file, int line, const char *fmt, ...)
    SKM_PRINTF(5, 6);
#define skm_error(ctx, code, ...) skm_error_at((ctx), (code), __FILE__, __LINE__, __VA_ARGS__)

/* Deliver a message to the log callback if level <= the context's level. */
void skm_log(skm_ctx *ctx, int level, const char *fmt, ...) SKM_PRINTF(3, 4);

/* Nonzero once skm_ctx_interrupt() was called. */
int skm_interrupted(const skm_ctx *ctx);

/* Report progress; rate-limited to about 4 calls a second unless done == total. */
void skm_progress(skm_ctx *ctx, const char *stage, uint64_t done, uint64_t total);

/* Monotonic clock, seconds. */
double skm_now(void);

/* The options every analysis shares: min_support >= 1, alpha in (0, 1), threads in 0..1024
 * (0: all). SKM_OK, or SKM_EINVAL with the option named as on the command line. */
int skm_check_analysis_params(skm_ctx *ctx, int64_t min_support, double alpha, int threads);

/* Wall-clock time as ISO 8601 UTC, "2026-11-24T10:27:00Z". */
void skm_time_iso8601(char out[32]);

/* ---- checked allocation: NULL on overflow of n * size or when out of memory ---- */
void *skm_malloc_array(size_t n, size_t size);
void *skm_calloc_array(size_t n, size_t size);
void *skm_realloc_array(void *p, size_t n, size_t size);
/* Grow the array *p of *cap elements of `size` bytes (doubling, from 64) until it holds `need`;
 * *p and *cap are updated only on success. SKM_OK or SKM_ENOMEM (*p is then unchanged). */
int skm_grow_array(void **p, size_t *cap, size_t need, size_t size);
/* 64-byte aligned (a cache line; what the bitset kernels want), size rounded up to a multiple
 * of 64, not zeroed. Free with free(). */
void *skm_aligned_array(size_t n, size_t size);

/* The CPUs this process may run on (its affinity mask; else the online CPUs), at least 1. */
int skm_cpu_count(void);
char *skm_strdup(const char *s);
char *skm_strndup(const char *s, size_t n);

/* ---- growable byte buffer; zero-initialise, free with skm_buf_free ---- */
typedef struct skm_buf {
    char *ptr;
    size_t len;
    size_t cap;
} skm_buf;

/* Make room for `extra` more bytes (plus a NUL). SKM_OK or SKM_ENOMEM. */
int skm_buf_reserve(skm_buf *b, size_t extra);
int skm_buf_append(skm_buf *b, const void *data, size_t n);
int skm_buf_putc(skm_buf *b, char c);
/* Append formatted text. */
int skm_buf_printf(skm_buf *b, const char *fmt, ...) SKM_PRINTF(2, 3);
void skm_buf_free(skm_buf *b);

/* ---- ASCII text ---- */
/* Thousands-separated integer into buf ("32,672"); returns buf. */
const char *skm_group_int(char buf[32], long long v);
/* Narrow [*s, *s + *n) to its middle without ASCII white space (space, \t, \n, \r, \v, \f). */
void skm_trim(const char **s, size_t *n);

/* ---- UTF-8 ---- */
/* Returns n if s[0..n) is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF), else the offset
 * of the first byte of the first invalid sequence. NUL bytes are valid UTF-8 here. */
size_t skm_utf8_check(const char *s, size_t n);
/* Append code point cp (<= 0x10FFFF, not a surrogate) as UTF-8. */
int skm_utf8_put(skm_buf *b, uint32_t cp);

/* ---- SHA-256 (FIPS 180-4) ---- */
/* Streaming state; skm_sha256_init before use. Plain data: may be copied (to finalise a copy
 * while the original keeps going). The compression function is the one of the kernel table
 * chosen for the process (skm_kernels_active), fetched once by skm_sha256_init. */
typedef struct skm_sha256 {
    uint32_t h[8];
    uint64_t n_bytes;
    uint8_t block[64];
    size_t block_len;
    void (*blocks)(uint32_t state[8], const uint8_t *restrict data, size_t n_blocks);
} skm_sha256;

void skm_sha256_init(skm_sha256 *s);
void skm_sha256_update(skm_sha256 *s, const void *data, size_t n);
void skm_sha256_final(skm_sha256 *s, uint8_t digest[32]);
/* Lower-case hex of a digest, NUL-terminated. */
void skm_sha256_hex(const uint8_t digest[32], char hex[65]);

/* ---- string interner: maps byte strings to dense ids 0, 1, 2, ... in first-seen order ---- */
typedef struct skm_strmap skm_strmap;

skm_strmap *skm_strmap_alloc(void);
void skm_strmap_free(skm_strmap *m);
/* The id of s[0..len), adding it if new. SKM_OK or SKM_ENOMEM. */
int skm_strmap_intern(skm_strmap *m, const char *s, size_t len, int32_t *id /* OUT */);
/* The id of s[0..len), or -1. */
int32_t skm_strmap_find(const skm_strmap *m, const char *s, size_t len);
size_t skm_strmap_size(const skm_strmap *m);
/* The NUL-terminated string of an id; valid until skm_strmap_free (strings never move). */
const char *skm_strmap_str(const skm_strmap *m, int32_t id);
/* Bytes held by the map (strings and tables), for memory accounting. */
size_t skm_strmap_bytes(const skm_strmap *m);

/* ---- a background worker with a one-job slot (worker.c) ----
 * The owner hands jobs over one at a time; skm_worker_submit waits until the previous job has
 * finished, so an owner that alternates two buffers can refill one while the other is processed.
 * Without a thread (not wanted, or it could not be created) submit runs the job inline: results
 * are the same, only slower. After a job fails, later jobs are dropped and every call returns the
 * first failure. Only the worker thread runs fn while a job is in flight. */
typedef int (*skm_job_fn)(void *arg, void *job);

typedef struct skm_worker {
    skm_job_fn fn;
    void *arg;
    int threaded; /* the thread runs */
    int quit;
    void *job;    /* in the slot, NULL when idle */
    int rc;       /* first failure of fn */
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
} skm_worker;

/* Never fails; want_thread = 0 runs every job inline. */
void skm_worker_start(skm_worker *w, skm_job_fn fn, void *arg, int want_thread);
/* Wait for the slot, then hand `job` over. Returns the first failure so far (job not queued). */
int skm_worker_submit(skm_worker *w, void *job);
/* Wait until no job is in flight; the first failure, if any. */
int skm_worker_wait(skm_worker *w);
/* Finish the job in flight and join the thread. Safe on a zeroed or stopped worker. */
void skm_worker_stop(skm_worker *w);

/* Run fn(arg, begin, end) over [0, n) cut into `threads` contiguous ranges of nearly equal
 * length, each on its own thread (the caller runs the first), and return when all are done.
 * Threads that cannot be created run inline: same results. For one-off parallel loops (per-pair
 * statistics); a loop run per row block keeps its workers (skm_worker) instead. */
typedef void (*skm_range_fn)(void *arg, size_t begin, size_t end);
void skm_parallel_ranges(int threads, size_t n, skm_range_fn fn, void *arg);

/* ---- seeded random numbers (rng.c): xoshiro256** seeded through splitmix64 ----
 * The same (seed, stream) gives the same sequence on every platform and thread count: each
 * restart or sample of an analysis takes its own stream rather than sharing one generator. */
typedef struct skm_rng {
    uint64_t s[4];
} skm_rng;

void skm_rng_seed(skm_rng *g, uint64_t seed, uint64_t stream);
uint64_t skm_rng_u64(skm_rng *g);
/* Uniform in [0, 1), 53 random bits. */
double skm_rng_uniform(skm_rng *g);
/* Uniform in [0, n), n >= 1, without modulo bias (Lemire's method). */
uint64_t skm_rng_below(skm_rng *g, uint64_t n);

/* ---- atomic output files (afile.c) ----------------------------------------------------------
 * Every output is written under a temporary name next to its final path and renamed into place
 * only when complete, so the final path holds a complete file or is left as it was. h5out.c
 * builds its HDF5 files on the path helpers; skm_afile is the same for plain files. */

/* "<dir>/.<name>.<tag>.<pid>" for final path "<dir>/<name>"; NULL when out of memory. */
char *skm_temp_path(const char *final_path, const char *tag);
/* The directory part of path ("." without one, "/" for a root entry); NULL when out of memory. */
char *skm_dir_of(const char *path);
/* fsync the file or directory at path; a directory that cannot be synced (EINVAL, EBADF: some
 * file systems) is not an error. Errors name `final_path` (the output) and path. */
int skm_fsync_path(skm_ctx *ctx, const char *final_path, const char *path, int is_dir);

typedef struct skm_afile {
    char *final_path, *tmp_path;
    int fd;      /* the open temporary file; -1 once the caller or commit closed it */
    int created; /* tmp_path is ours: unlinked by abort unless renamed */
} skm_afile;

/* Create the temporary file (O_EXCL) for final_path. *f is initialised first, so abort is always
 * safe. SKM_OK, SKM_EINVAL (the path names a directory), SKM_EIO, SKM_ENOMEM. */
int skm_afile_open(skm_ctx *ctx, const char *final_path, skm_afile *f);
/* fsync and close the temporary file (by path when the caller closed f->fd, e.g. with fclose
 * after fdopen, and set it to -1), rename it over the final path, fsync the directory. */
int skm_afile_commit(skm_ctx *ctx, skm_afile *f);
/* Close and unlink the temporary file unless committed; free the paths. */
void skm_afile_abort(skm_afile *f);

#endif /* SKM_CORE_H */
