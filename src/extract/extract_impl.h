/*
 * extract_impl.h — the compiled form of a taxonomy, shared by taxonomy.c (which builds it) and
 * match.c (which reads it). Not part of the module's interface (extract.h).
 */
#ifndef SKM_EXTRACT_IMPL_H
#define SKM_EXTRACT_IMPL_H

#include "extract/extract.h"

/* Longest alias or context phrase, in tokens (the glue bits fit a uint32_t). */
#define TX_MAX_TOKENS 32
/* "@skill" in a near list: any skill matched by an unguarded alias. */
#define TX_CTX_SKILL (-2)
/* Filter bits: 2^TX_FILTER_BITS bits indexed by the top bits of tx_hash, set for dictionary
 * tokens; most words of a text are rejected by one L1-resident load. */
#define TX_FILTER_BITS 16
/* Default context window, tokens either side. */
#define TX_WINDOW_DEFAULT 8

/* An alias (owner = skill) or a context phrase (owner = context id): a token sequence. */
typedef struct tx_pat {
    int32_t owner;
    uint16_t n_tok;
    uint8_t cs;      /* case-sensitive: the text's bytes must equal the alias's */
    uint8_t guarded; /* accepted only under the owner skill's rule */
    uint8_t ctx;     /* a context phrase (owner: context id), not an alias */
    uint32_t tok;    /* offset of the token ids in tx->pat_tok */
    uint32_t glue;   /* bit i: no blank between token i and token i + 1 */
    uint32_t text;   /* cs only: offset in tx->strs of the alias's tokens, original case, each
                      * NUL-terminated */
} tx_pat;

/* The rule of a skill with guarded aliases (docs/extraction.md, "Rules"). Lists are ranges of
 * tx->items (context ids or TX_CTX_SKILL) and tx->words (offsets in tx->strs of lower-case
 * tokens). */
typedef struct tx_rule {
    int32_t window;
    uint32_t near, n_near;
    uint32_t any, n_any;
    uint32_t nnext, n_nnext;
    uint32_t nprev, n_nprev;
} tx_rule;

/* Open-addressed token dictionary: lower-case token bytes -> token id. k0 holds the first 8
 * bytes (zero padded, little-endian); longer tokens compare the rest against tx->strs. */
typedef struct tx_slot {
    uint64_t k0;
    uint32_t len; /* 0: empty slot */
    int32_t id;
} tx_slot;

struct skm_taxonomy {
    char *name, *version, *origin;
    char sha256[65];
    size_t n_skills;
    uint32_t *skill_name;  /* offsets in strs */
    int32_t *skill_cat;    /* index into cat_key */
    int32_t *skill_rule;   /* index into rules, or -1 */
    size_t n_cats;
    uint32_t *cat_key;     /* offsets in strs */
    uint32_t *cat_desc;
    /* tokens */
    size_t n_tok;
    uint32_t *tok_str;     /* offsets in strs (lower case) */
    uint32_t *tok_len;
    tx_slot *slots;
    size_t slot_mask;
    int shift;             /* 64 - log2(number of slots) */
    uint64_t filter[(1u << TX_FILTER_BITS) / 64];
    int32_t punct_tok[256];/* the token id of a one-byte punctuation token, -1 none */
    size_t max_tok_len;
    /* patterns, and per first token the alias patterns (longest first) and context patterns */
    size_t n_pat;
    tx_pat *pats;
    int32_t *pat_tok;
    uint32_t *first_alias_ptr, *first_alias;   /* CSR over token ids */
    uint32_t *first_ctx_ptr, *first_ctx;
    size_t n_ctx;
    tx_rule *rules;
    size_t n_rules;
    int32_t *items;
    uint32_t *words;
    skm_strmap *lookup;    /* normalised alias or name -> index into lookup_skill */
    int32_t *lookup_skill;
    skm_buf strs;          /* all strings, NUL-terminated */
};

/* Tokenise-ready copy of src[0..n) into dst (the same length, so offsets carry over): ASCII
 * letters lower-cased; HTML tags and invalid UTF-8 become blanks; character entities and common
 * Unicode punctuation and spaces become their ASCII equivalent padded with blanks; other
 * non-ASCII bytes are kept (they count as letters). */
void tx_normalize(const uint8_t *src, size_t n, uint8_t *dst);

/* Byte classes after tx_normalize: a word byte (ASCII letter or digit, or >= 0x80), a blank
 * (space, \t, \n, \v, \f, \r), or punctuation (any other byte: a token by itself). */
static inline int tx_is_word(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           c >= 0x80;
}
static inline int tx_is_blank(uint8_t c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* The id of token s[0..len) (lower case), or -1. */
int32_t tx_token_id(const skm_taxonomy *t, const uint8_t *s, size_t len);

/* The dictionary hash of a token whose first min(len, 8) bytes, zero padded, are k0. */
static inline uint64_t tx_hash(uint64_t k0, size_t len)
{
    return (k0 ^ (uint64_t)len * 0x9E3779B97F4A7C15ull) * 0xD6E8FEB86659FD93ull;
}


#endif /* SKM_EXTRACT_IMPL_H */
