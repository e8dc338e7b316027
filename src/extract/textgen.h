/*
 * textgen.h — synthetic posting descriptions with known skills (textgen.c), for the extraction
 * benchmark and synthetic data.
 */
#ifndef SKM_EXTRACT_TEXTGEN_H
#define SKM_EXTRACT_TEXTGEN_H

#include "extract/extract.h"

typedef struct skm_textgen skm_textgen;

/* A generator over t's unguarded, case-insensitive aliases; NULL when out of memory or when t
 * has too few of them (or its dictionary swallows the filler vocabulary). t must outlive it. */
skm_textgen *skm_textgen_alloc(const skm_taxonomy *t);
void skm_textgen_free(skm_textgen *g);

/* Up to k distinct skills drawn with skewed (Zipf-like) weights into skills[]; the count. */
size_t skm_textgen_pick(const skm_textgen *g, skm_rng *r, size_t k, int32_t *skills);

/* A description of about target_bytes (longer if the skills need room) naming each of
 * skills[0..n_skills) once, in order, into out (replacing its contents; not NUL-terminated).
 * html: tags and entities, else plain text with bullets. SKM_OK or SKM_ENOMEM. */
int skm_textgen_description(const skm_textgen *g, skm_rng *r, const int32_t *skills,
                            size_t n_skills, size_t target_bytes, int html, skm_buf *out);

/* A corpus of generated postings for the extraction benchmarks (bench/bench_extract.c and
 * `skillmat bench`: the same text for the same seed): descriptions of 1,000..7,000 bytes, every
 * other one HTML, each naming 3..12 skills drawn by skm_textgen_pick, until `bytes` of text. */
#define SKM_TEXTGEN_MAX_SKILLS 12
typedef struct skm_textgen_corpus {
    skm_buf text;      /* the descriptions, concatenated */
    size_t n;          /* postings */
    size_t *off;       /* n + 1: posting i is text[off[i] .. off[i + 1]) */
    int32_t *skills;   /* SKM_TEXTGEN_MAX_SKILLS per posting: the planted skills, in order */
    uint8_t *n_skills; /* n: how many of them */
} skm_textgen_corpus;

/* SKM_OK, or SKM_ENOMEM with c empty. */
int skm_textgen_corpus_make(const skm_textgen *g, uint64_t seed, size_t bytes,
                            skm_textgen_corpus *c);
void skm_textgen_corpus_free(skm_textgen_corpus *c);

#endif /* SKM_EXTRACT_TEXTGEN_H */
