/*
 * extract.h — skills from posting text: the skill taxonomy (taxonomy.c) and the matcher that finds
 * its aliases in descriptions (match.c). Format of a taxonomy file and the matching rules:
 * docs/extraction.md.
 *
 * A taxonomy is read once and is immutable afterwards: any number of threads may share it, each
 * with its own matcher (the per-thread scratch).
 */
#ifndef SKM_EXTRACT_H
#define SKM_EXTRACT_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

typedef struct skm_taxonomy skm_taxonomy;

/* The taxonomy compiled into skillmat (src/extract/taxonomy.txt, embedded at build time). */
extern const char skm_taxonomy_default_text[];
extern const size_t skm_taxonomy_default_len;

/* Parse a taxonomy from data[0..n); `origin` names it in messages ("FILE:LINE: ..."). On error
 * returns SKM_EPARSE (or SKM_ENOMEM) with the first problem in ctx and *out = NULL. Free with
 * skm_taxonomy_free. */
int skm_taxonomy_parse(skm_ctx *ctx, const char *origin, const char *data, size_t n,
                       skm_taxonomy **out /* OUT */);
/* Read and parse a file (path NULL: the built-in taxonomy). SKM_EIO when it cannot be read. */
int skm_taxonomy_load(skm_ctx *ctx, const char *path, skm_taxonomy **out /* OUT */);
void skm_taxonomy_free(skm_taxonomy *t);

/* "@taxonomy" and "@version" of the file; the lower-case hex SHA-256 of its bytes; where it came
 * from ("built-in" or the path). Valid until skm_taxonomy_free. */
const char *skm_taxonomy_name(const skm_taxonomy *t);
const char *skm_taxonomy_version(const skm_taxonomy *t);
const char *skm_taxonomy_sha256(const skm_taxonomy *t);
const char *skm_taxonomy_origin(const skm_taxonomy *t);

/* Skills are numbered 0 .. n-1 in file order. */
size_t skm_taxonomy_n_skills(const skm_taxonomy *t);
const char *skm_taxonomy_skill(const skm_taxonomy *t, int32_t skill);
/* The category key of a skill ("lang", "ml", ...). */
const char *skm_taxonomy_category(const skm_taxonomy *t, int32_t skill);
/* The skill one of whose aliases (any alias, guarded or not, compared without case and with runs
 * of white space as one space) or whose canonical name equals s[0..n) trimmed; -1 if none. For
 * list columns, where an item is known to be a skill. */
int32_t skm_taxonomy_find(const skm_taxonomy *t, const char *s, size_t n);

/* ---- the matcher ---- */

/* One accepted skill mention: text column `col` (the index given to skm_matcher_feed), byte
 * offset and length in that column's text as given (before HTML removal: offsets point into
 * the original bytes). */
typedef struct skm_match {
    int32_t skill;
    int32_t col;
    uint64_t offset;
    uint32_t length;
} skm_match;

typedef struct skm_matcher skm_matcher;

/* A matcher for t (t must outlive it); NULL when out of memory. */
skm_matcher *skm_matcher_alloc(const skm_taxonomy *t);
void skm_matcher_free(skm_matcher *m);

/* One posting: begin, feed each of its text fields (any order of columns), end. */
void skm_matcher_begin(skm_matcher *m);
/* Tokenise and match text[0..n) (any bytes: HTML tags and entities are skipped, invalid UTF-8
 * is read as blanks). SKM_OK or SKM_ENOMEM. */
int skm_matcher_feed(skm_matcher *m, int32_t col, const char *text, size_t n);
/* Apply the context rules that need the whole posting; the accepted matches in *out (valid until
 * the next begin), *n_out of them, in the order of (field as fed, offset). SKM_OK or
 * SKM_ENOMEM. */
int skm_matcher_end(skm_matcher *m, const skm_match **out /* OUT */, size_t *n_out /* OUT */);

#endif /* SKM_EXTRACT_H */
