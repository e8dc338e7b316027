/*
 * bench_h5io.c — skillmat's store reader and store writer on the arrays of a store (built with
 * the project; run by hand, or by bench/h5io_peers.py, which times h5py on the same store in
 * the same run):
 *
 *   build/bench_h5io --store PATH [--reps R] [--ops read,write] [--out-dir DIR]
 *                    [--check-dir DIR] [--block-rows B] [--compression L]
 *
 *   --store PATH     the store (docs/hdf5-schema.md) whose arrays are read and written
 *   --reps R         timed repetitions of each operation (default 5; 0: none, e.g. with
 *                    --check-dir alone)
 *   --ops L          the operations to time: read, write or both (default read,write)
 *   --out-dir DIR    where the timed writes go (default $TMPDIR, else /tmp); each repetition
 *                    writes a new store there and removes it afterwards (removal not timed)
 *   --check-dir DIR  before any timing: write what the reader returns as raw little-endian
 *                    arrays DIR/indptr.i64 (n + 1, global), DIR/indices.i32, DIR/counts.i32
 *                    (nnz), DIR/salary.f64 (n) and DIR/meta.txt ("n p nnz deflate_level"), and
 *                    the store the writer makes of them as DIR/skillmat.h5 (kept), so that
 *                    bench/h5io_peers.py can compare them with what h5py reads and writes
 *   --block-rows B   rows per block (default 65536)
 *   --compression L  deflate level of the written stores (default: the level of the store's
 *                    /matrix/indices, read from its dataset creation properties; 1 for a store
 *                    from `skillmat ingest` with its default --compression)
 *
 * The operations:
 *   read   open the store (skm_store_open), stream the whole matrix with skm_store_read_block
 *          in blocks of B rows (indptr, indices, counts: the block's arrays) and
 *          /postings/salary_annual over the same rows with skm_store_read_column (float64),
 *          close. Timed: all of it. Each repetition checks that it saw n rows and nnz entries.
 *   write  the arrays (indptr, indices, counts, salary_annual; read once before the timing with
 *          the same reader) as a new store through the store writer (src/h5/store_write.h):
 *          skm_storew_open (compression as above, no id column, no /matches), one
 *          skm_storew_append per block of B rows, skm_storew_finish. Timed: all of it, i.e.
 *          also the writer's validation of every block, the temporary file, the fsync of the
 *          file, the rename and the fsync of the directory. The writer needs every posting
 *          column, so each block also carries the required columns the source arrays do not
 *          give, as missing values, constant (h5py_peers writes the same):
 *            title role company location country seniority role_family work_mode
 *            salary_currency  int32 -1;  posted_date int64 INT64_MIN;  salary_min salary_max
 *            float64 NaN;  salary_period int8 0;  remote int8 -1;  salary_flag int8 0;
 *            source_file int32 0;  source_line int64 0
 *          and finish writes the store's small objects: empty level tables, the store's skill
 *          names, categories and document frequencies, provenance naming the source store as
 *          the one input, hours_per_year 2080, no parameters.
 * Each operation's peak RSS: VmHWM after a reset (/proc/self/clear_refs 5) just before its
 * repetitions (write: the arrays in memory included).
 *
 * Output: human-readable lines, and one "RESULT h5io_read" / "RESULT h5io_write" line
 * (key=value) per operation timed.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>

#include "../src/core/core.h"
#include "../src/h5/store_write.h"
#include "bench_util.h"

struct opts {
    const char *store, *out_dir, *check_dir;
    long reps;
    int read, write;
    size_t block_rows;
    int compression; /* -1: the store's */
};

static void usage(void)
{
    fprintf(stderr, "usage: bench_h5io --store PATH [--reps R] [--ops read,write] "
                    "[--out-dir DIR]\n                  [--check-dir DIR] [--block-rows B] "
                    "[--compression L]\n");
    exit(2);
}

static struct opts parse_opts(int argc, char **argv)
{
    struct opts o = {NULL, NULL, NULL, 5, 1, 1, 65536, -1};
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            usage();
        ++i;
        if (!strcmp(a, "--store"))
            o.store = v;
        else if (!strcmp(a, "--out-dir"))
            o.out_dir = v;
        else if (!strcmp(a, "--check-dir"))
            o.check_dir = v;
        else if (!strcmp(a, "--reps"))
            o.reps = (long)parse_num(v, 0, 100000, usage);
        else if (!strcmp(a, "--block-rows"))
            o.block_rows = (size_t)parse_num(v, 1, (size_t)1 << 30, usage);
        else if (!strcmp(a, "--compression"))
            o.compression = (int)parse_num(v, 0, 9, usage);
        else if (!strcmp(a, "--ops")) {
            o.read = o.write = 0;
            char buf[64];
            snprintf(buf, sizeof buf, "%s", v);
            for (char *save = NULL, *t = strtok_r(buf, ",", &save); t;
                 t = strtok_r(NULL, ",", &save)) {
                if (!strcmp(t, "read"))
                    o.read = 1;
                else if (!strcmp(t, "write"))
                    o.write = 1;
                else
                    usage();
            }
            if (!o.read && !o.write)
                usage();
        } else
            usage();
    }
    if (!o.store)
        usage();
    if (!o.out_dir) {
        const char *t = getenv("TMPDIR");
        o.out_dir = t && *t ? t : "/tmp";
    }
    return o;
}

static skm_ctx *ctx;

static void ok_or_die(int rc, const char *what)
{
    if (rc != SKM_OK) {
        fprintf(stderr, "bench_h5io: %s: %s\n", what, skm_ctx_errmsg(ctx));
        exit(1);
    }
}

/* ---- the store's dataset creation properties (raw HDF5, for the log and the level) ---- */

/* Print chunk size and filter pipeline of `dset`; returns its deflate level (-1: no deflate). */
static int print_dcpl(hid_t file, const char *dset)
{
    int level = -1;
    hid_t d = H5Dopen2(file, dset, H5P_DEFAULT);
    hid_t pl = d >= 0 ? H5Dget_create_plist(d) : -1;
    if (pl < 0) {
        fprintf(stderr, "bench_h5io: cannot open %s\n", dset);
        exit(1);
    }
    hsize_t chunk = 0;
    const int chunked = H5Pget_layout(pl) == H5D_CHUNKED && H5Pget_chunk(pl, 1, &chunk) == 1;
    printf("   %-24s chunks %s%llu, filters:", dset, chunked ? "" : "(not chunked) ",
           (unsigned long long)chunk);
    const int nf = H5Pget_nfilters(pl);
    for (int i = 0; i < nf; ++i) {
        unsigned flags, cd[8], cfg;
        size_t ncd = 8;
        char name[64] = "";
        const H5Z_filter_t id = H5Pget_filter2(pl, (unsigned)i, &flags, &ncd, cd, sizeof name,
                                               name, &cfg);
        if (id == H5Z_FILTER_DEFLATE) {
            level = ncd > 0 ? (int)cd[0] : -1;
            printf(" deflate(%d)", level);
        } else if (id == H5Z_FILTER_SHUFFLE)
            printf(" shuffle");
        else if (id == H5Z_FILTER_FLETCHER32)
            printf(" fletcher32");
        else
            printf(" filter%d", (int)id);
    }
    printf("%s\n", nf ? "" : " none");
    H5Pclose(pl);
    H5Dclose(d);
    return level;
}

static int store_deflate_level(const char *path)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        fprintf(stderr, "bench_h5io: cannot open %s with HDF5\n", path);
        exit(1);
    }
    printf("the store's dataset creation properties (as h5py_peers writes them):\n");
    print_dcpl(f, "/matrix/indptr");
    const int level = print_dcpl(f, "/matrix/indices");
    print_dcpl(f, "/matrix/counts");
    print_dcpl(f, "/postings/salary_annual");
    H5Fclose(f);
    return level < 0 ? 0 : level;
}

/* ---- read: the timed operation ---- */

struct read_res {
    size_t rows, nnz;
};

static struct read_res read_store(const char *path, size_t B)
{
    struct read_res r = {0, 0};
    skm_store *st = NULL;
    ok_or_die(skm_store_open(ctx, path, &st), path);
    skm_csr_block *blk = skm_csr_block_alloc(B, B * 16);
    double *sal = xmalloc(B, sizeof *sal);
    if (!blk)
        die("out of memory");
    const int64_t n = skm_store_n_rows(st);
    for (int64_t row0 = 0; row0 < n; row0 += (int64_t)B) {
        ok_or_die(skm_store_read_block(st, row0, B, blk), "skm_store_read_block");
        ok_or_die(skm_store_read_column(st, "salary_annual", row0, blk->n_rows, SKM_TYPE_F64,
                                        sal),
                  "skm_store_read_column salary_annual");
        r.rows += blk->n_rows;
        r.nnz += blk->nnz;
    }
    skm_csr_block_free(blk);
    free(sal);
    skm_store_close(st);
    return r;
}

/* ---- the arrays in memory (read once, not timed) ---- */

struct arrays {
    size_t n, p, nnz;
    int64_t *indptr; /* n + 1, global */
    int32_t *indices, *counts;
    double *salary;
    char **skill_names, **skill_cats;
    int64_t *doc_freq;
};

static struct arrays load_arrays(const char *path, size_t B)
{
    struct arrays a;
    memset(&a, 0, sizeof a);
    skm_store *st = NULL;
    ok_or_die(skm_store_open(ctx, path, &st), path);
    a.n = (size_t)skm_store_n_rows(st);
    a.p = (size_t)skm_store_n_cols(st);
    const size_t nnz_attr = (size_t)skm_store_nnz(st);
    a.indptr = xmalloc(a.n + 1, sizeof *a.indptr);
    a.indices = xmalloc(nnz_attr, sizeof *a.indices);
    a.counts = xmalloc(nnz_attr, sizeof *a.counts);
    a.salary = xmalloc(a.n, sizeof *a.salary);
    a.skill_names = xmalloc(a.p, sizeof *a.skill_names);
    a.skill_cats = xmalloc(a.p, sizeof *a.skill_cats);
    a.doc_freq = xmalloc(a.p, sizeof *a.doc_freq);
    for (size_t j = 0; j < a.p; ++j) {
        a.skill_names[j] = strdup(skm_store_skill_name(st, (int64_t)j));
        a.skill_cats[j] = strdup(skm_store_skill_category(st, (int64_t)j));
        a.doc_freq[j] = skm_store_skill_doc_freq(st, (int64_t)j);
        if (!a.skill_names[j] || !a.skill_cats[j])
            die("out of memory");
    }
    skm_csr_block *blk = skm_csr_block_alloc(B, B * 16);
    if (!blk)
        die("out of memory");
    a.indptr[0] = 0;
    for (size_t row0 = 0; row0 < a.n; row0 += B) {
        ok_or_die(skm_store_read_block(st, (int64_t)row0, B, blk), "skm_store_read_block");
        if (a.nnz + blk->nnz > nnz_attr)
            die("the matrix holds more entries than its nnz attribute");
        memcpy(a.indices + a.nnz, blk->indices, blk->nnz * sizeof *a.indices);
        memcpy(a.counts + a.nnz, blk->counts, blk->nnz * sizeof *a.counts);
        for (size_t i = 0; i < blk->n_rows; ++i)
            a.indptr[row0 + i + 1] = (int64_t)a.nnz + blk->indptr[i + 1];
        a.nnz += blk->nnz;
        ok_or_die(skm_store_read_column(st, "salary_annual", (int64_t)row0, blk->n_rows,
                                        SKM_TYPE_F64, a.salary + row0),
                  "skm_store_read_column salary_annual");
    }
    if (a.nnz != nnz_attr)
        die("the matrix holds fewer entries than its nnz attribute");
    skm_csr_block_free(blk);
    skm_store_close(st);
    return a;
}

static void free_arrays(struct arrays *a)
{
    for (size_t j = 0; j < a->p; ++j) {
        free(a->skill_names[j]);
        free(a->skill_cats[j]);
    }
    free(a->skill_names), free(a->skill_cats), free(a->doc_freq);
    free(a->indptr), free(a->indices), free(a->counts), free(a->salary);
}

/* ---- write: the timed operation ---- */

/* The constant columns of one block (B entries each), made once. */
struct fillers {
    int32_t *cat, *zero_i32;
    int64_t *date, *zero_i64;
    double *nan;
    int8_t *zero_i8, *minus1_i8;
    int64_t *local_indptr; /* B + 1: scratch for the block's rebased row pointers */
};

static struct fillers make_fillers(size_t B)
{
    struct fillers f;
    f.cat = xmalloc(B, sizeof *f.cat);
    f.zero_i32 = xcalloc(B, sizeof *f.zero_i32);
    f.date = xmalloc(B, sizeof *f.date);
    f.zero_i64 = xcalloc(B, sizeof *f.zero_i64);
    f.nan = xmalloc(B, sizeof *f.nan);
    f.zero_i8 = xcalloc(B, sizeof *f.zero_i8);
    f.minus1_i8 = xmalloc(B, sizeof *f.minus1_i8);
    f.local_indptr = xmalloc(B + 1, sizeof *f.local_indptr);
    for (size_t i = 0; i < B; ++i) {
        f.cat[i] = -1;
        f.date[i] = SKM_DATE_MISSING;
        f.nan[i] = NAN;
        f.minus1_i8[i] = -1;
    }
    return f;
}

static void free_fillers(struct fillers *f)
{
    free(f->cat), free(f->zero_i32), free(f->date), free(f->zero_i64), free(f->nan);
    free(f->zero_i8), free(f->minus1_i8), free(f->local_indptr);
}

static void write_store(const char *out_path, const char *source, const struct arrays *a,
                        struct fillers *f, size_t B, int level)
{
    const skm_storew_params wp = {level, 0, 0};
    skm_storew *w = NULL;
    ok_or_die(skm_storew_open(ctx, out_path, &wp, &w), "skm_storew_open");
    for (size_t row0 = 0; row0 < a->n; row0 += B) {
        const size_t nr = a->n - row0 < B ? a->n - row0 : B;
        const int64_t base = a->indptr[row0];
        for (size_t i = 0; i <= nr; ++i)
            f->local_indptr[i] = a->indptr[row0 + i] - base;
        skm_posting_block b;
        memset(&b, 0, sizeof b);
        b.n = nr;
        for (int c = 0; c < SKM_CAT_COUNT; ++c)
            b.cat[c] = f->cat;
        b.posted_date = f->date;
        b.salary_min = f->nan;
        b.salary_max = f->nan;
        b.salary_period = f->zero_i8;
        b.salary_annual = a->salary + row0;
        b.remote = f->minus1_i8;
        b.salary_flag = f->zero_i8;
        b.source_file = f->zero_i32;
        b.source_line = f->zero_i64;
        b.indptr = f->local_indptr;
        b.indices = a->indices + base;
        b.counts = a->counts + base;
        if (skm_storew_append(w, &b) != SKM_OK) {
            skm_storew_abort(w);
            ok_or_die(SKM_EHDF5, "skm_storew_append");
        }
    }
    static const char *empty_level[1] = {""};
    static const char *no_columns[SKM_COL_COUNT];
    for (int i = 0; i < SKM_COL_COUNT; ++i)
        no_columns[i] = "";
    struct stat sb;
    const uint64_t in_bytes = stat(source, &sb) == 0 ? (uint64_t)sb.st_size : 0;
    const uint64_t in_records = a->n, in_skipped = 0;
    const uint64_t skipped[SKM_SKIP_COUNT] = {0};
    const char *in_path = source, *in_sha = "", *in_fmt = "skillmat store (bench_h5io)";
    skm_store_meta m;
    memset(&m, 0, sizeof m);
    for (int c = 0; c < SKM_CAT_COUNT; ++c)
        m.levels[c] = empty_level; /* n_levels 0 */
    m.n_skills = a->p;
    m.skill_names = (const char *const *)a->skill_names;
    m.skill_categories = (const char *const *)a->skill_cats;
    m.skill_doc_freq = a->doc_freq;
    m.command_line = "bench_h5io";
    m.n_inputs = 1;
    m.input_paths = &in_path;
    m.input_sha256 = &in_sha;
    m.input_format = &in_fmt;
    m.input_bytes = &in_bytes;
    m.input_records = &in_records;
    m.input_skipped = &in_skipped;
    m.input_columns = no_columns;
    m.skipped_by_reason = skipped;
    m.hours_per_year = 2080;
    ok_or_die(skm_storew_finish(w, &m), "skm_storew_finish");
}

int main(int argc, char **argv)
{
    const struct opts o = parse_opts(argc, argv);
    ctx = skm_ctx_alloc();
    if (!ctx)
        die("out of memory");
    const size_t B = o.block_rows;
    char when[32];
    skm_time_iso8601(when);

    skm_store *st = NULL;
    ok_or_die(skm_store_open(ctx, o.store, &st), o.store);
    const int64_t n = skm_store_n_rows(st), p = skm_store_n_cols(st), nnz = skm_store_nnz(st);
    skm_store_close(st);
    struct stat sb;
    const double file_mb = stat(o.store, &sb) == 0 ? (double)sb.st_size / 1e6 : NAN;
    printf("bench_h5io: store %s: n=%lld p=%lld nnz=%lld, %.1f MB on disk; blocks of %zu rows; "
           "%d CPUs, %s\n",
           o.store, (long long)n, (long long)p, (long long)nnz, file_mb, B, skm_cpu_count(),
           when);
    const int level = o.compression >= 0 ? o.compression : store_deflate_level(o.store);
    printf("written stores: deflate level %d (%s), shuffle and Fletcher-32 (the store writer's "
           "filters)\n",
           level, o.compression >= 0 ? "--compression" : "the store's /matrix/indices");
    /* raw bytes of the four arrays, for MB/s */
    const double raw_mb = ((double)(n + 1) * 8 + (double)nnz * 8 + (double)n * 8) / 1e6;

    /* 0. the check: what the reader returns, dumped, and one store written of it */
    if (o.check_dir) {
        dump_dir_make(o.check_dir);
        struct arrays a = load_arrays(o.store, B);
        write_file(o.check_dir, "indptr.i64", a.indptr, (a.n + 1) * sizeof *a.indptr);
        write_file(o.check_dir, "indices.i32", a.indices, a.nnz * sizeof *a.indices);
        write_file(o.check_dir, "counts.i32", a.counts, a.nnz * sizeof *a.counts);
        write_file(o.check_dir, "salary.f64", a.salary, a.n * sizeof *a.salary);
        char meta[128];
        int len = snprintf(meta, sizeof meta, "%zu %zu %zu %d\n", a.n, a.p, a.nnz, level);
        write_file(o.check_dir, "meta.txt", meta, (size_t)len);
        char path[4096];
        snprintf(path, sizeof path, "%s/skillmat.h5", o.check_dir);
        struct fillers f = make_fillers(B);
        const double t = skm_now();
        write_store(path, o.store, &a, &f, B, level);
        printf("0. check: the reader's arrays dumped to %s (indptr.i64, indices.i32, counts.i32, "
               "salary.f64, meta.txt); the writer's store of them: %s (%.3f s, untimed)\n",
               o.check_dir, path, skm_now() - t);
        free_fillers(&f);
        free_arrays(&a);
    }

    char path[4096];
    if (o.read && o.reps > 0) {
        read_store(o.store, B); /* warm-up: the file in the page cache, as for h5py */
        const double rss0 = (double)proc_status_kb("VmRSS") / 1024.0;
        const int hwm_ok = reset_peak_rss() == 0;
        double *t = xmalloc((size_t)o.reps, sizeof *t);
        for (long r = 0; r < o.reps; ++r) {
            const double s = skm_now();
            const struct read_res rr = read_store(o.store, B);
            t[r] = skm_now() - s;
            if ((int64_t)rr.rows != n || (int64_t)rr.nnz != nnz)
                die("a read returned another number of rows or entries");
        }
        const double peak = hwm_ok ? (double)proc_status_kb("VmHWM") / 1024.0 : maxrss_mb();
        const double med = median_sort(t, (size_t)o.reps);
        printf("1. read: open, skm_store_read_block + skm_store_read_column(salary_annual) over "
               "all rows, close; %ld reps: median %.4f s, min %.4f s (%.0f MB/s of the arrays' "
               "%.1f MB); peak RSS %.1f MB (%.1f MB before)\n",
               o.reps, med, t[0], raw_mb / med, raw_mb, peak, rss0);
        printf("RESULT h5io_read n=%lld p=%lld nnz=%lld block_rows=%zu reps=%ld median_s=%.6f "
               "min_s=%.6f max_s=%.6f peak_rss_mb=%.1f rss_before_mb=%.1f raw_mb=%.3f\n",
               (long long)n, (long long)p, (long long)nnz, B, o.reps, med, t[0],
               t[o.reps - 1], peak, rss0, raw_mb);
        fflush(stdout);
        free(t);
    }
    if (o.write && o.reps > 0) {
        double tl = skm_now();
        struct arrays a = load_arrays(o.store, B);
        tl = skm_now() - tl;
        struct fillers f = make_fillers(B);
        const double rss0 = (double)proc_status_kb("VmRSS") / 1024.0;
        const int hwm_ok = reset_peak_rss() == 0;
        double *t = xmalloc((size_t)o.reps, sizeof *t), out_mb = NAN;
        for (long r = 0; r < o.reps; ++r) {
            snprintf(path, sizeof path, "%s/bench_h5io_%ld_%ld.h5", o.out_dir, (long)getpid(),
                     r);
            const double s = skm_now();
            write_store(path, o.store, &a, &f, B, level);
            t[r] = skm_now() - s;
            if (stat(path, &sb) == 0)
                out_mb = (double)sb.st_size / 1e6;
            if (unlink(path) != 0)
                fprintf(stderr, "bench_h5io: cannot remove %s\n", path);
        }
        const double peak = hwm_ok ? (double)proc_status_kb("VmHWM") / 1024.0 : maxrss_mb();
        const double med = median_sort(t, (size_t)o.reps);
        printf("2. write: skm_storew_open, skm_storew_append per block (the arrays + constant "
               "columns), skm_storew_finish (fsync, rename) into %s; %ld reps: median %.4f s, "
               "min %.4f s (%.0f MB/s of the arrays' %.1f MB; file %.1f MB); peak RSS %.1f MB "
               "(%.1f MB before, the arrays read in %.2f s)\n",
               o.out_dir, o.reps, med, t[0], raw_mb / med, raw_mb, out_mb, peak, rss0, tl);
        printf("RESULT h5io_write n=%lld p=%lld nnz=%lld block_rows=%zu reps=%ld median_s=%.6f "
               "min_s=%.6f max_s=%.6f peak_rss_mb=%.1f rss_before_mb=%.1f raw_mb=%.3f "
               "file_mb=%.3f level=%d\n",
               (long long)n, (long long)p, (long long)nnz, B, o.reps, med, t[0], t[o.reps - 1],
               peak, rss0, raw_mb, out_mb, level);
        fflush(stdout);
        free(t);
        free_fillers(&f);
        free_arrays(&a);
    }
    skm_ctx_free(ctx);
    return 0;
}
