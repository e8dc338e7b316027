/*
 * evaluate.h — extraction quality against a labelled fixture set (evaluate.c).
 */
#ifndef SKM_EXTRACT_EVALUATE_H
#define SKM_EXTRACT_EVALUATE_H

#include "extract/extract.h"

typedef struct skm_extract_quality {
    size_t postings;
    size_t found, labelled, correct; /* skill (posting, skill) pairs */
    size_t unknown_labels;           /* labels the taxonomy has no skill for (counted missed) */
    double precision, recall;
    size_t salary_labelled, salary_correct, salary_spurious;
    size_t seniority_correct, role_correct, work_correct;
} skm_extract_quality;

/* Measure t on the JSON Lines fixture at path (tests/fixtures/extract/README.md). log, when not
 * NULL, receives one line per posting with a difference. SKM_OK, or SKM_EIO / SKM_EFORMAT /
 * SKM_ENOMEM with the reason in ctx. */
int skm_extract_evaluate(skm_ctx *ctx, const skm_taxonomy *t, const char *path,
                         skm_extract_quality *q /* OUT */, skm_buf *log);

#endif /* SKM_EXTRACT_EVALUATE_H */
