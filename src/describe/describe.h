/*
 * describe.h — internals of `skillmat describe` (describe.c) shared with the command line and
 * the tests: the salary statistics, the state rule and the text summary. The public entry points
 * (skm_describe, skm_describe_params_default) are in skillmat.h.
 */
#ifndef SKM_DESCRIBE_H
#define SKM_DESCRIBE_H

#include <stddef.h>
#include <stdio.h>

#include "../core/core.h"

/* The statistics of a group's known salaries, in this order: mean, p10, p25, median, p75, p90. */
enum { SKM_DESCRIBE_N_STATS = 6 };

/* Sort x[0..m) in place (gsl_sort) and set out[] to the mean (gsl_stats_mean) and the 10th, 25th,
 * 50th, 75th and 90th percentiles (gsl_stats_quantile_from_sorted_data: the interpolation of
 * numpy's default "linear" method). The caller passes only finite salaries > 0. m == 0: all NaN. */
void skm_describe_salary_stats(double *x, size_t m, double out[SKM_DESCRIBE_N_STATS]);

/* The US state, DC or US territory code, or the Canadian province or territory code, of a
 * location level: the two upper-case ASCII letters right after the last comma (spaces skipped),
 * followed by the end or a space ("Austin, TX" -> "TX", "New York, NY 10001" -> "NY"). Returns 1
 * with the code NUL-terminated in out, 0 (out = "") when there is none ("Anywhere", "Remote",
 * "London, UK"). A trailing "Canada", "USA", "US" or "United States" after the last comma moves
 * the rule back one comma ("Toronto, ON, Canada" -> "ON"). */
int skm_describe_state_code(const char *location, char out[3]);

/* Print the summary of /describe in the results file: postings and salary coverage, the salary
 * quartiles overall and by seniority and by role family, the top 10 skills and the months
 * covered. SKM_OK, SKM_ENOTFOUND (no /describe), SKM_EFORMAT, SKM_EIO, SKM_EHDF5, SKM_ENOMEM. */
int skm_describe_print(skm_ctx *ctx, const char *results_path, FILE *out);

#endif /* SKM_DESCRIBE_H */
