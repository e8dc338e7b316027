/*
 * output.c — the results of `skillmat bench`: the table on a stream, /bench in a results file
 * (docs/bench-results.md), and the CSV file.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench_impl.h"
#include "h5/h5util.h"

/* ---- the table ------------------------------------------------------------------------------ */

static const char *fmt_time(char buf[24], double s)
{
    if (!(s >= 0))
        snprintf(buf, 24, "-");
    else if (s < 1e-6)
        snprintf(buf, 24, "%.1f ns", s * 1e9);
    else if (s < 1e-3)
        snprintf(buf, 24, "%.2f us", s * 1e6);
    else if (s < 1)
        snprintf(buf, 24, "%.2f ms", s * 1e3);
    else
        snprintf(buf, 24, "%.3f s", s);
    return buf;
}

static const char *fmt_num(char buf[24], double x)
{
    const double a = fabs(x);
    if (isnan(x))
        snprintf(buf, 24, "-");
    else if (a >= 1000)
        snprintf(buf, 24, "%.0f", x);
    else if (a >= 100)
        snprintf(buf, 24, "%.1f", x);
    else if (a >= 1)
        snprintf(buf, 24, "%.2f", x);
    else
        snprintf(buf, 24, "%.3g", x);
    return buf;
}

static const char *fmt_bytes(char buf[24], int64_t b)
{
    if (b < 0)
        snprintf(buf, 24, "?");
    else if (b >= ((int64_t)1 << 30) && b % ((int64_t)1 << 30) == 0)
        snprintf(buf, 24, "%lld GiB", (long long)(b >> 30));
    else if (b >= ((int64_t)1 << 30))
        snprintf(buf, 24, "%.1f GiB", (double)b / (double)((int64_t)1 << 30));
    else if (b >= (1 << 20))
        snprintf(buf, 24, "%lld MiB", (long long)(b >> 20));
    else
        snprintf(buf, 24, "%lld KiB", (long long)(b >> 10));
    return buf;
}

void skm_bench_print_header(FILE *f, const skm_bench_machine *m)
{
    char l1[24], l2[24], l3[24], mem[24];
    fprintf(f, "machine: %s, %lld logical CPUs (%lld usable), L1d %s, L2 %s, L3 %s, memory %s\n",
            m->cpu_model[0] ? m->cpu_model : "(unknown CPU)", (long long)m->logical_cpus,
            (long long)m->usable_cpus, fmt_bytes(l1, m->l1d_bytes), fmt_bytes(l2, m->l2_bytes),
            fmt_bytes(l3, m->l3_bytes), fmt_bytes(mem, m->mem_total_bytes));
    fprintf(f, "cpu features: %s\nkernels: %s (the dispatched table); OpenBLAS config: %s; "
               "core %s, %lld threads\n\n",
            m->cpu_features, m->isa, m->openblas_config, m->openblas_core,
            (long long)m->openblas_threads);
    fprintf(f, "%-18s %-28s %-12s %10s %10s %9s %-9s %-15s %9s %8s\n", "kernel", "size", "isa",
            "median", "min", "rate", "unit", "limit name", "limit", "fraction");
}

void skm_bench_print_row(FILE *f, const skm_bench_row *r)
{
    char med[24], mn[24], rate[24], lim[24], fr[24];
    if (isnan(r->fraction))
        snprintf(fr, sizeof fr, "-");
    else
        snprintf(fr, sizeof fr, "%.3f", r->fraction);
    fprintf(f, "%-18s %-28s %-12s %10s %10s %9s %-9s %-15s %9s %8s\n", r->kernel, r->size, r->isa,
            fmt_time(med, r->median_s), fmt_time(mn, r->min_s), fmt_num(rate, r->rate), r->unit,
            r->limit_name, fmt_num(lim, r->limit), fr);
    fflush(f);
}

void skm_bench_print_notes(FILE *f, const skm_bench_result *R)
{
    (void)R;
    fputs("\n"
          "Times are per call (median and min of the samples); rates come from the median; "
          "fraction = rate / limit.\n"
          "Limits (kernel \"limit\"): sgemm 2 n^3 / t (OpenBLAS, 1 thread and all threads); "
          "dram_read, l1_load, l2_load:\n"
          "  bytes read / t by load_sum_u64 (widest ISA: one load and one add per word); "
          "dram_copy 2 x bytes copied / t (memcpy,\n"
          "  read + write); random_update: updates / t of acc[idx[i]] += 1 (int32 acc, "
          "precomputed random idx);\n"
          "  *_andpop = the read limit x 8 / 2 bit/s (AND-popcount reads two operand bits per "
          "result bit).\n"
          "and_popcount: 64 n_words / t; and_popcount_tile: 64 n_words na nb / t, which reuses "
          "each loaded word for several\n"
          "  pairs and so may exceed its L1 limit (fraction > 1). sparse_gram_i32: pairs "
          "sum_r k_r (k_r + 1) / 2 / t against\n"
          "  random_update, and 2 n p^2 / t (dense-equivalent) against sgemm_1t. "
          "sparse_argmin_f32: 4 k nnz / t bytes of centroid\n"
          "  rows gathered against the load limit of the cache the table fits in, and 2 n p k / t "
          "(dense-equivalent) against\n"
          "  sgemm_1t. csv_scan: CSV bytes / t walked from stop to stop; extract: text bytes / t "
          "(the whole skill matcher,\n"
          "  one thread). Both against dram_read_1t. See docs/bench-results.md.\n",
          f);
}

/* ---- HDF5 --------------------------------------------------------------------------------- */

int skm_bench_write_h5(skm_h5_out *o, const skm_bench_params *P, const skm_bench_result *R)
{
    const size_t n = R->n_rows;
    const skm_bench_machine *m = &R->machine;
    hid_t g = -1, gm = -1;
    int rc = SKM_OK;
    const char **s = skm_malloc_array(n ? n : 1, sizeof *s);
    double *d = skm_malloc_array(n ? n : 1, sizeof *d);
    if (!s || !d) {
        rc = skm_error(o->ctx, SKM_ENOMEM, "%s: out of memory writing /bench", o->final_path);
        goto done;
    }
    if ((rc = skm_h5_create_group(o, o->file, "bench", "/bench",
                                  "Kernel microbenchmarks of skillmat bench and the machine's "
                                  "measured limits, one row per (kernel, size, ISA, rate); "
                                  "docs/bench-results.md",
                                  &g)))
        goto done;

    static const struct {
        const char *name, *desc;
        size_t off;
    } scol[] = {
        {"kernel", "Kernel name, or \"limit\" for a row measuring a machine limit",
         offsetof(skm_bench_row, kernel)},
        {"size", "The input: working set, shape or data size", offsetof(skm_bench_row, size)},
        {"isa", "Kernel variant (ref, avx2, avx512), the dispatched table's name where the "
                "kernel has no per-ISA entry, openblas, memcpy or scalar for limits",
         offsetof(skm_bench_row, isa)},
        {"unit", "Unit of rate and limit", offsetof(skm_bench_row, unit)},
        {"limit_name", "The limit the rate is compared with (a limit row: its own name)",
         offsetof(skm_bench_row, limit_name)},
    };
    static const struct {
        const char *name, *desc, *units;
        size_t off;
    } dcol[] = {
        {"median_s", "Median over the samples of the time per call (NaN: derived, not timed)",
         "s", offsetof(skm_bench_row, median_s)},
        {"min_s", "Least time per call over the samples (NaN: derived, not timed)", "s",
         offsetof(skm_bench_row, min_s)},
        {"rate", "Rate from the median time, in the row's unit", NULL,
         offsetof(skm_bench_row, rate)},
        {"limit", "The limit limit_name in the row's unit (NaN: not measured)", NULL,
         offsetof(skm_bench_row, limit)},
        {"fraction", "rate / limit (NaN: no limit)", NULL, offsetof(skm_bench_row, fraction)},
        {"reps", "Calls per sample (0: not timed)", NULL, offsetof(skm_bench_row, reps)},
    };
    for (size_t c = 0; c < sizeof scol / sizeof scol[0] && !rc; ++c) {
        for (size_t i = 0; i < n; ++i)
            s[i] = (const char *)&R->rows[i] + scol[c].off;
        rc = skm_h5_write_child(o, g, "/bench", scol[c].name, o->t_str, o->t_str, n, 0, s,
                                scol[c].desc, NULL);
    }
    for (size_t c = 0; c < sizeof dcol / sizeof dcol[0] && !rc; ++c) {
        for (size_t i = 0; i < n; ++i)
            d[i] = !strcmp(dcol[c].name, "reps")
                       ? (double)R->rows[i].reps
                       : *(const double *)((const char *)&R->rows[i] + dcol[c].off);
        rc = skm_h5_write_child(o, g, "/bench", dcol[c].name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                                n, 0, d, dcol[c].desc, dcol[c].units);
    }
    if (rc)
        goto done;
    char only[160] = "";
    static const char *const names[] = {"limits", "and_popcount", "and_popcount_tile",
                                        "sparse_gram_i32", "sparse_argmin_f32", "csv_scan",
                                        "extract"};
    const unsigned mask = P->only ? P->only : SKM_BENCH_ALL;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; ++i)
        if (mask & (1u << i))
            snprintf(only + strlen(only), sizeof only - strlen(only), "%s%s", only[0] ? "," : "",
                     names[i]);
    if ((rc = skm_h5_out_attr_i64(o, g, "/bench", "samples", P->samples)) ||
        (rc = skm_h5_out_attr_f64(o, g, "/bench", "min_time_s", P->min_time)) ||
        (rc = skm_h5_out_attr_i64(o, g, "/bench", "quick", P->quick != 0)) ||
        (rc = skm_h5_out_attr_str(o, g, "/bench", "only", only)) ||
        (rc = skm_h5_out_attr_i64(o, g, "/bench", "n_rows", (int64_t)n)) ||
        (rc = skm_h5_out_attr_f64(o, g, "/bench", "seconds", R->seconds)) ||
        (rc = skm_h5_out_attr_str(o, g, "/bench", "command_line",
                                  P->command_line ? P->command_line : "")))
        goto done;

    if ((rc = skm_h5_create_group(o, g, "machine", "/bench/machine",
                                  "The machine and build the rows of /bench were measured on",
                                  &gm)) ||
        (rc = skm_h5_out_attr_str(o, gm, "/bench/machine", "cpu_model", m->cpu_model)) ||
        (rc = skm_h5_out_attr_str(o, gm, "/bench/machine", "cpu_features", m->cpu_features)) ||
        (rc = skm_h5_out_attr_i64(o, gm, "/bench/machine", "logical_cpus", m->logical_cpus)) ||
        (rc = skm_h5_out_attr_i64(o, gm, "/bench/machine", "usable_cpus", m->usable_cpus)) ||
        (rc = skm_h5_out_attr_i64(o, gm, "/bench/machine", "l1d_bytes", m->l1d_bytes)) ||
        (rc = skm_h5_out_attr_i64(o, gm, "/bench/machine", "l2_bytes", m->l2_bytes)) ||
        (rc = skm_h5_out_attr_i64(o, gm, "/bench/machine", "l3_bytes", m->l3_bytes)) ||
        (rc = skm_h5_out_attr_i64(o, gm, "/bench/machine", "mem_total_bytes",
                                  m->mem_total_bytes)) ||
        (rc = skm_h5_out_attr_str(o, gm, "/bench/machine", "openblas_config",
                                  m->openblas_config)) ||
        (rc = skm_h5_out_attr_str(o, gm, "/bench/machine", "openblas_core", m->openblas_core)) ||
        (rc = skm_h5_out_attr_i64(o, gm, "/bench/machine", "openblas_threads",
                                  m->openblas_threads)) ||
        (rc = skm_h5_out_attr_str(o, gm, "/bench/machine", "date_utc", m->date_utc)) ||
        /* tool_version, git_revision, compiler, cflags, build_type, hdf5_version, zlib_version
         * and isa (skm_isa(): the kernel table) */
        (rc = skm_h5_attr_build(o->ctx, o->final_path, gm, "/bench/machine")))
        goto done;
done:
    skm_h5_close(gm);
    skm_h5_close(g);
    free(s);
    free(d);
    return rc;
}

/* ---- CSV ---------------------------------------------------------------------------------- */

static void csv_str(FILE *f, const char *s, int last)
{
    if (strpbrk(s, ",\"\r\n")) {
        fputc('"', f);
        for (; *s; ++s) {
            if (*s == '"')
                fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
    fputc(last ? '\n' : ',', f);
}

static void csv_num(FILE *f, double x)
{
    if (isnan(x))
        fputc(',', f); /* empty: a missing value */
    else
        fprintf(f, "%.9g,", x);
}

int skm_bench_write_csv(skm_ctx *ctx, FILE *f, const char *path, const skm_bench_result *R)
{
    const skm_bench_machine *m = &R->machine;
    fputs("kernel,size,isa,median_s,min_s,rate,unit,limit_name,limit,fraction,reps,cpu_model,"
          "cpu_features,logical_cpus,usable_cpus,l1d_bytes,l2_bytes,l3_bytes,mem_total_bytes,"
          "openblas_config,openblas_core,openblas_threads,isa_active,date_utc,tool_version,"
          "git_revision\n",
          f);
    for (size_t i = 0; i < R->n_rows; ++i) {
        const skm_bench_row *r = &R->rows[i];
        csv_str(f, r->kernel, 0);
        csv_str(f, r->size, 0);
        csv_str(f, r->isa, 0);
        csv_num(f, r->median_s);
        csv_num(f, r->min_s);
        csv_num(f, r->rate);
        csv_str(f, r->unit, 0);
        csv_str(f, r->limit_name, 0);
        csv_num(f, r->limit);
        csv_num(f, r->fraction);
        fprintf(f, "%ld,", r->reps);
        csv_str(f, m->cpu_model, 0);
        csv_str(f, m->cpu_features, 0);
        fprintf(f, "%lld,%lld,%lld,%lld,%lld,%lld,", (long long)m->logical_cpus,
                (long long)m->usable_cpus, (long long)m->l1d_bytes, (long long)m->l2_bytes,
                (long long)m->l3_bytes, (long long)m->mem_total_bytes);
        csv_str(f, m->openblas_config, 0);
        csv_str(f, m->openblas_core, 0);
        fprintf(f, "%lld,", (long long)m->openblas_threads);
        csv_str(f, m->isa, 0);
        csv_str(f, m->date_utc, 0);
        csv_str(f, skm_version(), 0);
        csv_str(f, skm_git_revision(), 1);
    }
    if (fflush(f) != 0 || ferror(f))
        return skm_error(ctx, SKM_EIO, "%s: write failed", path);
    return SKM_OK;
}
