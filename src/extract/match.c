/*
 * match.c — finding a taxonomy's skills in posting text (docs/extraction.md, "Matching").
 *
 * Per text field, one pass each:
 *   1. tx_normalize: a same-length copy with ASCII lower-cased, HTML tags blanked, entities and
 *      common Unicode punctuation replaced by ASCII (so offsets in the copy are offsets in the
 *      input);
 *   2. tokenise: words (runs of letters/digits) and one-byte punctuation tokens; each token is
 *      looked up in the taxonomy's token dictionary, and only dictionary tokens ("hits") are kept,
 *      with their token ordinal, so that adjacency and windows can be checked later;
 *   3. aliases: left to right over the hits, the longest alias starting at a hit wins and
 *      consumes its tokens; a guarded alias is first checked against its not-next/not-prev
 *      rules (a rejection lets a shorter alias try);
 *   4. near rules of the guarded matches, once the field's unguarded matches are known;
 * and at the end of the posting the anywhere rules, over all of its fields.
 *
 * Memory per posting: the normalised copy of the field being read, and the hits (dictionary
 * tokens only) and candidate matches of all its fields.
 */
#include <stdlib.h>
#include <string.h>

#include "extract/extract_impl.h"
#include "kernels/kernels.h"

/* ---- normalisation ---- */

/* ASCII: letters lower-cased, control characters other than white space to blanks. */
static uint8_t ascii_norm(uint8_t c)
{
    if (c >= 'A' && c <= 'Z')
        return (uint8_t)(c + ('a' - 'A'));
    if ((c < 0x20 && !tx_is_blank(c)) || c == 0x7F)
        return ' ';
    return c;
}

/* The ASCII stand-in of a code point, or 0 to keep its bytes (a letter). */
static uint8_t unicode_norm(uint32_t cp)
{
    if (cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200D) || cp == 0x202F || cp == 0x205F ||
        cp == 0x3000 || cp == 0xFEFF || cp == 0xAD || cp == 0x2028 || cp == 0x2029 ||
        cp == 0xAE || cp == 0xA9 || cp == 0x2122) /* also (R), (C), TM: "Excel®" is Excel */
        return ' ';
    if (cp >= 0x2010 && cp <= 0x2015)
        return '-';
    if (cp == 0x2018 || cp == 0x2019 || cp == 0x201A || cp == 0x2032 || cp == 0xB4)
        return '\'';
    if (cp == 0x201C || cp == 0x201D || cp == 0x201E || cp == 0xAB || cp == 0xBB)
        return '"';
    if (cp == 0x2022 || cp == 0x2023 || cp == 0x2043 || cp == 0x25CF || cp == 0x25AA ||
        cp == 0x25E6 || cp == 0xB7 || cp == 0x2219 || cp == 0x25A0 || cp == 0x27A2 ||
        cp == 0x2713 || cp == 0x2714)
        return '*';
    if (cp == 0x2026)
        return '.';
    if (cp == 0x2044 || cp == 0x2215)
        return '/';
    if (cp == 0x2212)
        return '-';
    return 0;
}

/* Length of the valid UTF-8 sequence at s[0..n) and its code point; 0 if invalid. */
static size_t utf8_seq(const uint8_t *s, size_t n, uint32_t *cp)
{
    const uint8_t c = s[0];
    size_t len;
    uint32_t v, min;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, v = c & 0x1Fu, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, v = c & 0x0Fu, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, v = c & 0x07u, min = 0x10000;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; ++i) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3Fu);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

/* An HTML tag at s[0] == '<': its length up to and including '>', or 0 when it is not one
 * ("<5 years", "a < b"). A tag starts with a letter, '/', '!' or '?' and ends at the first '>'
 * before any other '<', within 2048 bytes: the scan stops at the next '<', so the work stays
 * linear in the text. */
static size_t html_tag(const uint8_t *s, size_t n)
{
    if (n < 3)
        return 0;
    const uint8_t c = s[1];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '/' || c == '!' || c == '?'))
        return 0;
    const size_t lim = n < 2048 ? n : 2048;
    for (size_t i = 2; i < lim; ++i) {
        if (s[i] == '>')
            return i + 1;
        if (s[i] == '<')
            return 0;
    }
    return 0;
}

/* A character entity at s[0] == '&': its length including ';' and its ASCII stand-in in *c
 * (' ' for one with none), or 0 when it is not one ("R&D", "AT&T"). */
static size_t html_entity(const uint8_t *s, size_t n, uint8_t *c)
{
    size_t i = 1;
    if (i < n && s[i] == '#') {
        uint32_t v = 0;
        int hex = 0, digits = 0;
        ++i;
        if (i < n && (s[i] == 'x' || s[i] == 'X'))
            hex = 1, ++i;
        for (; i < n && digits < 7; ++i, ++digits) {
            const uint8_t d = s[i];
            uint32_t x;
            if (d >= '0' && d <= '9')
                x = d - '0';
            else if (hex && (d | 0x20) >= 'a' && (d | 0x20) <= 'f')
                x = (uint32_t)((d | 0x20) - 'a' + 10);
            else
                break;
            v = v * (hex ? 16u : 10u) + x;
        }
        if (!digits || i >= n || s[i] != ';')
            return 0;
        if (v < 0x80)
            *c = v >= 0x20 ? ascii_norm((uint8_t)v) : ' ';
        else
            *c = unicode_norm(v) ? unicode_norm(v) : ' ';
        return i + 1;
    }
    static const struct {
        const char *name;
        char c;
    } named[] = {
        {"amp", '&'},    {"lt", '<'},     {"gt", '>'},     {"quot", '"'},  {"apos", '\''},
        {"nbsp", ' '},   {"ndash", '-'},  {"mdash", '-'},  {"rsquo", '\''}, {"lsquo", '\''},
        {"rdquo", '"'},  {"ldquo", '"'},  {"bull", '*'},   {"middot", '*'}, {"hellip", '.'},
        {"shy", ' '},    {"ensp", ' '},   {"emsp", ' '},   {"thinsp", ' '}, {"plus", '+'},
        {"num", '#'},    {"sol", '/'},    {"period", '.'}, {"hyphen", '-'}, {"minus", '-'},
    };
    size_t j = i;
    while (j < n && j < 12 && ((s[j] | 0x20) >= 'a' && (s[j] | 0x20) <= 'z'))
        ++j;
    if (j == i || j >= n || s[j] != ';')
        return 0;
    for (size_t k = 0; k < sizeof named / sizeof named[0]; ++k)
        if (strlen(named[k].name) == j - i && memcmp(named[k].name, s + i, j - i) == 0) {
            *c = (uint8_t)named[k].c;
            return j + 1;
        }
    *c = ' '; /* another named entity (&eacute; ...): a blank, as a letter we cannot spell */
    return j + 1;
}

void tx_normalize(const uint8_t *src, size_t n, uint8_t *dst)
{
    const struct skm_kernels *K = skm_kernels_active();
    size_t i = 0;
    while (i < n) {
        i += K->text_lower(src + i, dst + i, n - i); /* the plain ASCII run, lower-cased */
        if (i == n)
            break;
        const uint8_t c = src[i];
        if (c < 0x80 && c != '<' && c != '&') { /* a control character or DEL */
            dst[i++] = ascii_norm(c);
            continue;
        }
        size_t len = 0;
        uint8_t rep = ' ';
        if (c == '<') {
            len = html_tag(src + i, n - i);
            if (!len)
                rep = '<', len = 1;
        } else if (c == '&') {
            len = html_entity(src + i, n - i, &rep);
            if (!len)
                rep = '&', len = 1;
        } else {
            uint32_t cp;
            len = utf8_seq(src + i, n - i, &cp);
            if (!len) {
                len = 1; /* an invalid byte: a blank */
            } else if (!(rep = unicode_norm(cp))) {
                memcpy(dst + i, src + i, len); /* a letter we keep */
                i += len;
                continue;
            }
        }
        dst[i] = rep;
        /* the rest of an entity or a multi-byte character: NUL, which the tokeniser skips
         * without reading a blank ("C&#43;&#43;" is the tokens c + + glued); the rest of a tag
         * or of a blank stand-in is blanks */
        memset(dst + i + 1, rep == ' ' ? ' ' : '\0', len - 1);
        i += len;
    }
}

/* ---- the matcher ---- */

/* A dictionary token of a field. */
typedef struct hit {
    uint64_t off;         /* byte offset in the field */
    int32_t tok;
    uint32_t len;
    uint32_t pos;         /* token ordinal in the field */
    int32_t col;
    uint8_t blank_before; /* white space (or the start) right before it */
} hit;

enum { C_ACCEPTED = 0, C_PENDING, C_REJECTED };

/* A candidate match: an alias found in the text. */
typedef struct cand {
    int32_t skill;
    int32_t col;
    uint64_t off;
    uint32_t len;
    uint32_t pos0, pos1;  /* first and last token ordinal */
    uint32_t hit0, hit1;  /* its first and last hit */
    uint8_t guarded;
    uint8_t state;
} cand;

struct skm_matcher {
    const skm_taxonomy *t;
    const struct skm_kernels *K;
    uint8_t *norm;
    size_t norm_cap;
    uint64_t *word, *start; /* token bitmaps of the field, (norm_cap + 63) / 64 words each */
    hit *hits;
    size_t n_hits, hits_cap;
    cand *cands;
    size_t n_cands, cands_cap;
    skm_match *out;
    size_t n_out, out_cap;
    uint32_t *ctx_seen; /* per context id: the generation of the posting that has it */
    uint32_t gen;
    int n_pending;
};

skm_matcher *skm_matcher_alloc(const skm_taxonomy *t)
{
    skm_matcher *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->t = t;
    m->K = skm_kernels_active();
    m->ctx_seen = skm_calloc_array(t->n_ctx + 1, sizeof *m->ctx_seen);
    if (!m->ctx_seen) {
        free(m);
        return NULL;
    }
    return m;
}

void skm_matcher_free(skm_matcher *m)
{
    if (!m)
        return;
    free(m->norm);
    free(m->word);
    free(m->start);
    free(m->hits);
    free(m->cands);
    free(m->out);
    free(m->ctx_seen);
    free(m);
}

void skm_matcher_begin(skm_matcher *m)
{
    m->n_hits = m->n_cands = m->n_out = 0;
    m->n_pending = 0;
    if (++m->gen == 0) { /* wrapped: forget every mark */
        memset(m->ctx_seen, 0, (m->t->n_ctx + 1) * sizeof *m->ctx_seen);
        m->gen = 1;
    }
}

/* Step 2: the dictionary tokens of the normalised field z[0..n) into m->hits. The token
 * bitmaps (kernel text_classify) give every token start, so the loop runs once per token, not
 * per byte. z must be readable up to z[n + 8] (skm_matcher_feed pads it): a word's first 8
 * bytes are one load. */
static int tokenize(skm_matcher *m, int32_t col, const uint8_t *z, size_t n)
{
    const skm_taxonomy *t = m->t;
    const size_t maxlen = t->max_tok_len, nw = (n + 63) / 64;
    const uint64_t *word = m->word, *start = m->start;
    m->K->text_classify(z, n, m->word, m->start);
    uint32_t pos = 0;
    for (size_t w = 0; w < nw; ++w) {
        for (uint64_t s = start[w]; s; s &= s - 1, ++pos) {
            const size_t i = 64 * w + (size_t)__builtin_ctzll(s);
            size_t e;
            int32_t id = -1;
            if ((word[w] >> (i % 64)) & 1) { /* a word: its end is the next clear word bit */
                size_t ww = w;
                uint64_t x = ~word[ww] >> (i % 64);
                if (x) {
                    e = i + (size_t)__builtin_ctzll(x);
                } else {
                    while (++ww < nw && word[ww] == ~0ull)
                        ;
                    e = ww < nw ? 64 * ww + (size_t)__builtin_ctzll(~word[ww]) : n;
                }
                if (e > n)
                    e = n;
                const size_t len = e - i;
                if (len <= maxlen) {
                    uint64_t k0;
                    memcpy(&k0, z + i, 8);
                    if (len < 8)
                        k0 &= (1ull << (8 * len)) - 1;
                    const uint64_t hv = tx_hash(k0, len) >> (64 - TX_FILTER_BITS);
                    if ((t->filter[hv >> 6] >> (hv & 63)) & 1u)
                        id = tx_token_id(t, z + i, len);
                }
            } else { /* punctuation, with the NUL tail of its entity or character */
                id = t->punct_tok[z[i]];
                e = i + 1;
                if (id >= 0)
                    while (e < n && z[e] == 0)
                        ++e;
            }
            if (id < 0)
                continue;
            if (m->n_hits == m->hits_cap &&
                skm_grow_array((void **)&m->hits, &m->hits_cap, m->n_hits + 1, sizeof *m->hits))
                return SKM_ENOMEM;
            hit *h = &m->hits[m->n_hits++];
            h->off = i;
            h->tok = id;
            h->len = (uint32_t)(e - i);
            h->pos = pos;
            h->col = col;
            h->blank_before = (uint8_t)(i == 0 || tx_is_blank(z[i - 1]));
        }
    }
    return SKM_OK;
}

/* Does pattern p match the hits from index h on (tokens, adjacency, blanks; case for cs
 * aliases against the original text `orig`)? */
static int pattern_at(const skm_taxonomy *t, const tx_pat *p, const hit *hits, size_t n_hits,
                      size_t h, const uint8_t *orig)
{
    if (h + p->n_tok > n_hits)
        return 0;
    const int32_t *pt = t->pat_tok + p->tok;
    for (size_t i = 1; i < p->n_tok; ++i) {
        const hit *x = &hits[h + i];
        if (x->tok != pt[i] || x->col != hits[h].col || x->pos != hits[h].pos + i ||
            ((p->glue >> (i - 1)) & 1u) == x->blank_before)
            return 0;
    }
    if (p->cs) {
        const char *s = t->strs.ptr + p->text;
        for (size_t i = 0; i < p->n_tok; ++i) {
            const hit *x = &hits[h + i];
            if (memcmp(orig + x->off, s, x->len) != 0)
                return 0;
            s += x->len + 1;
        }
    }
    return 1;
}

/* The token of z[0..n) right after offset e (dir > 0) or right before offset b (dir < 0),
 * skipping blanks: its span in *tb, *te; 0 when there is none. */
static int neighbour(const uint8_t *z, size_t n, size_t at, int dir, size_t *tb, size_t *te)
{
    if (dir > 0) {
        size_t i = at;
        while (i < n && (tx_is_blank(z[i]) || z[i] == 0))
            ++i;
        if (i == n)
            return 0;
        size_t e = i + 1;
        if (tx_is_word(z[i]))
            while (e < n && tx_is_word(z[e]))
                ++e;
        *tb = i, *te = e;
        return 1;
    }
    size_t i = at;
    while (i > 0 && (tx_is_blank(z[i - 1]) || z[i - 1] == 0))
        --i;
    if (i == 0)
        return 0;
    size_t b = i - 1;
    if (tx_is_word(z[b]))
        while (b > 0 && tx_is_word(z[b - 1]))
            --b;
    *tb = b, *te = i;
    return 1;
}

static int word_listed(const skm_taxonomy *t, uint32_t first, uint32_t count, const uint8_t *s,
                       size_t len)
{
    for (uint32_t i = 0; i < count; ++i) {
        const char *w = t->strs.ptr + t->words[first + i];
        if (strlen(w) == len && memcmp(w, s, len) == 0)
            return 1;
    }
    return 0;
}

/* not-next / not-prev of a guarded candidate [b, e) in the normalised field. A word in the list
 * rejects the neighbouring token across blanks; punctuation only when attached ("R&D", "C-level"
 * are rejected, "Python or R" followed by a "- " bullet line is not). */
static int rejected_by_neighbours(const skm_taxonomy *t, const tx_rule *r, const uint8_t *z,
                                  size_t n, size_t b, size_t e)
{
    size_t tb, te;
    if (r->n_nnext && neighbour(z, n, e, 1, &tb, &te) &&
        (tx_is_word(z[tb]) || tb == e) && word_listed(t, r->nnext, r->n_nnext, z + tb, te - tb))
        return 1;
    if (r->n_nprev && neighbour(z, n, b, -1, &tb, &te) &&
        (tx_is_word(z[tb]) || te == b) && word_listed(t, r->nprev, r->n_nprev, z + tb, te - tb))
        return 1;
    return 0;
}

/* Step 3: aliases over the hits [h0, n_hits) of one field. */
static int find_aliases(skm_matcher *m, size_t h0, const uint8_t *z, size_t n,
                        const uint8_t *orig)
{
    const skm_taxonomy *t = m->t;
    for (size_t h = h0; h < m->n_hits;) {
        const int32_t tok = m->hits[h].tok;
        const uint32_t *lst = t->first_alias + t->first_alias_ptr[tok];
        const uint32_t cnt = t->first_alias_ptr[tok + 1] - t->first_alias_ptr[tok];
        size_t used = 0;
        for (uint32_t k = 0; k < cnt && !used; ++k) {
            const tx_pat *p = &t->pats[lst[k]];
            if (!pattern_at(t, p, m->hits, m->n_hits, h, orig))
                continue;
            const hit *a = &m->hits[h], *b = &m->hits[h + p->n_tok - 1];
            if (p->guarded &&
                rejected_by_neighbours(t, &t->rules[t->skill_rule[p->owner]], z, n, a->off,
                                       b->off + b->len))
                continue;
            if (skm_grow_array((void **)&m->cands, &m->cands_cap, m->n_cands + 1, sizeof *m->cands))
                return SKM_ENOMEM;
            cand *c = &m->cands[m->n_cands++];
            c->skill = p->owner;
            c->col = a->col;
            c->off = a->off;
            c->len = (uint32_t)(b->off + b->len - a->off);
            c->pos0 = a->pos;
            c->pos1 = b->pos;
            c->hit0 = (uint32_t)h;
            c->hit1 = (uint32_t)(h + p->n_tok - 1);
            c->guarded = p->guarded;
            c->state = p->guarded ? C_PENDING : C_ACCEPTED;
            used = p->n_tok;
        }
        h += used ? used : 1;
    }
    return SKM_OK;
}

/* Is context `ctx` (or, for TX_CTX_SKILL, an unguarded match of another skill) within the
 * window of candidate c? Hits and candidates of a field are in text order. */
static int near_context(const skm_matcher *m, const cand *c, size_t c_ix, int32_t ctx,
                        uint32_t window)
{
    const skm_taxonomy *t = m->t;
    const uint32_t lo = c->pos0 > window ? c->pos0 - window : 0, hi = c->pos1 + window;
    if (ctx == TX_CTX_SKILL) {
        for (size_t j = c_ix; j-- > 0;) {
            const cand *o = &m->cands[j];
            if (o->col != c->col || o->pos1 < lo)
                break;
            if (!o->guarded && o->skill != c->skill)
                return 1;
        }
        for (size_t j = c_ix + 1; j < m->n_cands; ++j) {
            const cand *o = &m->cands[j];
            if (o->col != c->col || o->pos0 > hi)
                break;
            if (!o->guarded && o->skill != c->skill)
                return 1;
        }
        return 0;
    }
    size_t h = c->hit0;
    while (h > 0 && m->hits[h - 1].col == c->col && m->hits[h - 1].pos >= lo)
        --h;
    for (; h < m->n_hits && m->hits[h].col == c->col && m->hits[h].pos <= hi; ++h) {
        if (h >= c->hit0 && h <= c->hit1)
            continue; /* the match itself is not its own context */
        const int32_t tok = m->hits[h].tok;
        for (uint32_t k = t->first_ctx_ptr[tok]; k < t->first_ctx_ptr[tok + 1]; ++k) {
            const tx_pat *p = &t->pats[t->first_ctx[k]];
            if (p->owner == ctx && pattern_at(t, p, m->hits, m->n_hits, h, NULL))
                return 1;
        }
    }
    return 0;
}

/* Step 4: near rules of the field's pending candidates from index c0 on. */
static void apply_near(skm_matcher *m, size_t c0)
{
    const skm_taxonomy *t = m->t;
    for (size_t i = c0; i < m->n_cands; ++i) {
        cand *c = &m->cands[i];
        if (c->state != C_PENDING)
            continue;
        const tx_rule *r = &t->rules[t->skill_rule[c->skill]];
        for (uint32_t k = 0; k < r->n_near && c->state == C_PENDING; ++k)
            if (near_context(m, c, i, t->items[r->near + k], (uint32_t)r->window))
                c->state = C_ACCEPTED;
        if (c->state == C_PENDING) {
            if (r->n_any)
                m->n_pending++;
            else
                c->state = C_REJECTED;
        }
    }
}

int skm_matcher_feed(skm_matcher *m, int32_t col, const char *text, size_t n)
{
    if (n + 16 > m->norm_cap) {
        size_t cap = m->norm_cap ? m->norm_cap : 4096;
        while (cap < n + 16)
            cap *= 2;
        uint8_t *q = realloc(m->norm, cap);
        if (!q)
            return SKM_ENOMEM;
        m->norm = q;
        uint64_t *wq = skm_realloc_array(m->word, (cap + 63) / 64, sizeof *wq);
        if (wq)
            m->word = wq;
        uint64_t *sq = wq ? skm_realloc_array(m->start, (cap + 63) / 64, sizeof *sq) : NULL;
        if (!sq)
            return SKM_ENOMEM;
        m->start = sq;
        m->norm_cap = cap;
    }
    const uint8_t *orig = (const uint8_t *)text;
    tx_normalize(orig, n, m->norm);
    memset(m->norm + n, ' ', 16); /* the pad tokenize wants */
    const size_t h0 = m->n_hits, c0 = m->n_cands;
    int rc = tokenize(m, col, m->norm, n);
    if (!rc)
        rc = find_aliases(m, h0, m->norm, n, orig);
    if (!rc)
        apply_near(m, c0);
    return rc;
}

int skm_matcher_end(skm_matcher *m, const skm_match **out, size_t *n_out)
{
    const skm_taxonomy *t = m->t;
    *out = NULL;
    *n_out = 0;
    if (skm_grow_array((void **)&m->out, &m->out_cap, m->n_cands + 1, sizeof *m->out))
        return SKM_ENOMEM;
    if (m->n_pending) { /* anywhere rules: the contexts present in the whole posting */
        for (size_t h = 0; h < m->n_hits; ++h) {
            const int32_t tok = m->hits[h].tok;
            for (uint32_t k = t->first_ctx_ptr[tok]; k < t->first_ctx_ptr[tok + 1]; ++k) {
                const tx_pat *p = &t->pats[t->first_ctx[k]];
                if (m->ctx_seen[p->owner] != m->gen &&
                    pattern_at(t, p, m->hits, m->n_hits, h, NULL))
                    m->ctx_seen[p->owner] = m->gen;
            }
        }
        for (size_t i = 0; i < m->n_cands; ++i) {
            cand *c = &m->cands[i];
            if (c->state != C_PENDING)
                continue;
            const tx_rule *r = &t->rules[t->skill_rule[c->skill]];
            c->state = C_REJECTED;
            for (uint32_t k = 0; k < r->n_any; ++k)
                if (m->ctx_seen[t->items[r->any + k]] == m->gen)
                    c->state = C_ACCEPTED;
        }
    }
    m->n_out = 0;
    for (size_t i = 0; i < m->n_cands; ++i) {
        const cand *c = &m->cands[i];
        if (c->state != C_ACCEPTED)
            continue;
        skm_match *o = &m->out[m->n_out++];
        o->skill = c->skill;
        o->col = c->col;
        o->offset = c->off;
        o->length = c->len;
    }
    *out = m->out;
    *n_out = m->n_out;
    return SKM_OK;
}
