/*
 * taxonomy.c — reading a skill taxonomy file (format: docs/extraction.md) into the compiled form
 * of extract_impl.h: skills, categories, the token dictionary, alias and context patterns indexed
 * by their first token, and the rules of guarded aliases.
 *
 * Every problem is reported with its line ("taxonomy.txt:42: duplicate alias 'k8s' (line 17,
 * Kubernetes)") and fails the whole file: a taxonomy is either read completely or not used.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract/extract_impl.h"

/* ---- strings and tokens ---- */

static int put_str(skm_taxonomy *t, const char *s, size_t n, uint32_t *off)
{
    if (t->strs.len > UINT32_MAX - n - 1)
        return SKM_ENOMEM;
    *off = (uint32_t)t->strs.len;
    if (skm_buf_append(&t->strs, s, n) || skm_buf_putc(&t->strs, '\0'))
        return SKM_ENOMEM;
    return SKM_OK;
}

static const char *str_at(const skm_taxonomy *t, uint32_t off)
{
    return t->strs.ptr + off;
}

/* A token of a normalised string: [b, e), and whether a blank precedes it. */
typedef struct span {
    size_t b, e;
    int blank_before;
} span;

/* Split the normalised s[0..n) into tokens; at most max of them (returns the count, or max + 1
 * when there are more). */
static size_t split_tokens(const uint8_t *s, size_t n, span *out, size_t max)
{
    size_t k = 0;
    int blank = 1;
    for (size_t i = 0; i < n;) {
        if (tx_is_blank(s[i]) || s[i] == 0) { /* NUL: the tail of an entity (tx_normalize) */
            blank |= s[i] != 0;
            ++i;
            continue;
        }
        size_t e = i + 1;
        if (tx_is_word(s[i]))
            while (e < n && tx_is_word(s[e]))
                ++e;
        if (k == max)
            return max + 1;
        out[k].b = i, out[k].e = e, out[k].blank_before = blank;
        ++k;
        blank = 0;
        i = e;
    }
    return k;
}

/* ---- the parser ---- */

typedef struct parser {
    skm_ctx *ctx;
    const char *origin;
    skm_taxonomy *t;
    size_t line;
    skm_strmap *tokens;     /* lower-case token -> token id */
    skm_strmap *ctxs;       /* normalised context phrase -> context id */
    skm_strmap *names;      /* lower-cased canonical name -> skill */
    size_t *name_line;
    skm_strmap *aliases;    /* lower-cased normalised alias -> index into alias_* */
    size_t *alias_line;
    int32_t *alias_skill;
    uint32_t *alias_exact;  /* offset in strs of the alias as written (cs only), else UINT32_MAX */
    size_t n_alias_cap;
    size_t pat_cap, tok_cap, item_cap, word_cap, skill_cap, cat_cap, rule_cap;
    size_t n_items, n_words;
    uint8_t *norm;          /* scratch for normalised text */
    size_t norm_cap;
} parser;

static int perr(parser *P, const char *fmt, ...) SKM_PRINTF(2, 3);
static int perr(parser *P, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return skm_error(P->ctx, SKM_EPARSE, "%s:%zu: %s", P->origin, P->line, msg);
}

static int oom(parser *P)
{
    return skm_error(P->ctx, SKM_ENOMEM, "%s: out of memory reading the taxonomy", P->origin);
}

/* Grow *p (elements of size sz) so that index `i` fits. */
static int grow(void **p, size_t *cap, size_t i, size_t sz)
{
    return skm_grow_array(p, cap, i + 1, sz);
}

/* s[0..n) normalised into P->norm. */
static const uint8_t *normalised(parser *P, const char *s, size_t n)
{
    if (n + 1 > P->norm_cap) {
        uint8_t *q = realloc(P->norm, n + 1);
        if (!q)
            return NULL;
        P->norm = q;
        P->norm_cap = n + 1;
    }
    tx_normalize((const uint8_t *)s, n, P->norm);
    return P->norm;
}

/* The lookup key of a name or alias: lower case, blank runs as one space, trimmed. */
static int lookup_key(parser *P, const char *s, size_t n, skm_buf *key)
{
    key->len = 0;
    const uint8_t *z = normalised(P, s, n);
    if (!z)
        return SKM_ENOMEM;
    int blank = 0;
    for (size_t i = 0; i < n; ++i) {
        if (tx_is_blank(z[i]) || z[i] == 0) {
            blank |= z[i] != 0;
            continue;
        }
        if (blank && key->len && skm_buf_putc(key, ' '))
            return SKM_ENOMEM;
        blank = 0;
        if (skm_buf_putc(key, (char)z[i]))
            return SKM_ENOMEM;
    }
    if (skm_buf_reserve(key, 1))
        return SKM_ENOMEM;
    key->ptr[key->len] = '\0';
    return SKM_OK;
}

/* Add a pattern for s[0..n) (cs: keep its case) owned by `owner`; *id its index. */
static int add_pattern(parser *P, const char *s, size_t n, int32_t owner, int cs, int guarded,
                       const char *what)
{
    skm_taxonomy *t = P->t;
    const uint8_t *z = normalised(P, s, n);
    if (!z)
        return oom(P);
    span sp[TX_MAX_TOKENS + 1];
    size_t k = split_tokens(z, n, sp, TX_MAX_TOKENS);
    if (k == 0)
        return perr(P, "empty %s", what);
    if (k > TX_MAX_TOKENS)
        return perr(P, "%s '%.*s' has more than %d tokens", what, (int)n, s, TX_MAX_TOKENS);
    int has_word = 0;
    for (size_t i = 0; i < k; ++i)
        has_word |= tx_is_word(z[sp[i].b]);
    if (!has_word)
        return perr(P, "%s '%.*s' has no letters or digits", what, (int)n, s);
    if (grow((void **)&t->pats, &P->pat_cap, t->n_pat, sizeof *t->pats) ||
        grow((void **)&t->pat_tok, &P->tok_cap, (t->n_pat ? t->pats[t->n_pat - 1].tok +
                                                                t->pats[t->n_pat - 1].n_tok
                                                          : 0) + k,
             sizeof *t->pat_tok))
        return oom(P);
    tx_pat *p = &t->pats[t->n_pat];
    memset(p, 0, sizeof *p);
    p->owner = owner;
    p->n_tok = (uint16_t)k;
    p->cs = (uint8_t)cs;
    p->guarded = (uint8_t)guarded;
    p->ctx = (uint8_t)(what[0] == 'c'); /* "context word" */
    p->tok = t->n_pat ? t->pats[t->n_pat - 1].tok + t->pats[t->n_pat - 1].n_tok : 0;
    p->text = UINT32_MAX;
    for (size_t i = 0; i < k; ++i) {
        int32_t id;
        if (skm_strmap_intern(P->tokens, (const char *)z + sp[i].b, sp[i].e - sp[i].b, &id))
            return oom(P);
        t->pat_tok[p->tok + i] = id;
        if (i + 1 < k && !sp[i + 1].blank_before)
            p->glue |= 1u << i;
    }
    if (cs) {
        p->text = (uint32_t)t->strs.len;
        for (size_t i = 0; i < k; ++i) {
            uint32_t off;
            if (put_str(t, s + sp[i].b, sp[i].e - sp[i].b, &off))
                return oom(P);
        }
    }
    t->n_pat++;
    return SKM_OK;
}

/* Trimmed field [b, e) of a line. */
static void trim_range(const char **b, const char **e)
{
    while (*b < *e && tx_is_blank((uint8_t) * *b))
        ++*b;
    while (*e > *b && tx_is_blank((uint8_t)(*e)[-1]))
        --*e;
}

/* Call fn on each `sep`-separated, trimmed item of [b, e); empty items are passed too. */
typedef int (*item_fn)(parser *P, const char *s, size_t n, void *arg);
static int each_item(parser *P, const char *b, const char *e, char sep, item_fn fn, void *arg)
{
    for (;;) {
        const char *x = memchr(b, sep, (size_t)(e - b));
        const char *ie = x ? x : e, *ib = b;
        trim_range(&ib, &ie);
        int rc = fn(P, ib, (size_t)(ie - ib), arg);
        if (rc)
            return rc;
        if (!x)
            return SKM_OK;
        b = x + 1;
    }
}

typedef struct skill_ctx {
    int32_t skill;
    int n_guarded;
    const char *name;
} skill_ctx;

static int alias_item(parser *P, const char *s, size_t n, void *arg)
{
    skill_ctx *sc = arg;
    skm_taxonomy *t = P->t;
    int cs = 0, guarded = 0;
    while (n && (*s == '=' || *s == '?')) {
        cs |= *s == '=';
        guarded |= *s == '?';
        ++s, --n;
    }
    if (n == 0)
        return perr(P, "empty alias in the entry of '%s'", sc->name);
    skm_buf key = {0};
    if (lookup_key(P, s, n, &key)) {
        skm_buf_free(&key);
        return oom(P);
    }
    int32_t prev = skm_strmap_find(P->aliases, key.ptr, key.len);
    if (prev >= 0) {
        const size_t pl = P->alias_line[prev];
        const int32_t ps = P->alias_skill[prev];
        const uint32_t pe = P->alias_exact[prev];
        const int both_cs = cs && pe != UINT32_MAX;
        if (!both_cs || (strlen(str_at(t, pe)) == n && memcmp(str_at(t, pe), s, n) == 0)) {
            int rc = perr(P, "duplicate alias '%.*s' (also at line %zu, for '%s')", (int)n, s, pl,
                          str_at(t, t->skill_name[ps]));
            skm_buf_free(&key);
            return rc;
        }
    } else {
        int32_t id;
        if (skm_strmap_intern(P->aliases, key.ptr, key.len, &id) ||
            grow((void **)&P->alias_line, &P->n_alias_cap, (size_t)id, sizeof *P->alias_line)) {
            skm_buf_free(&key);
            return oom(P);
        }
        size_t c2 = P->n_alias_cap, c3 = P->n_alias_cap;
        int32_t *as = skm_realloc_array(P->alias_skill, c2, sizeof *as);
        if (as)
            P->alias_skill = as;
        uint32_t *ae = as ? skm_realloc_array(P->alias_exact, c3, sizeof *ae) : NULL;
        if (ae)
            P->alias_exact = ae;
        if (!as || !ae) {
            skm_buf_free(&key);
            return oom(P);
        }
        P->alias_line[id] = P->line;
        P->alias_skill[id] = sc->skill;
        P->alias_exact[id] = UINT32_MAX;
        if (cs && put_str(t, s, n, &P->alias_exact[id])) {
            skm_buf_free(&key);
            return oom(P);
        }
    }
    skm_buf_free(&key);
    sc->n_guarded += guarded;
    return add_pattern(P, s, n, sc->skill, cs, guarded, "alias");
}

/* ---- rules ---- */

typedef struct rule_ctx {
    int which;      /* 0 near, 1 anywhere, 2 not-next, 3 not-prev */
    uint32_t count;
} rule_ctx;

/* One item of a rule list, appended to t->items (near, anywhere: context ids or TX_CTX_SKILL)
 * or t->words (not-next, not-prev: offsets of one lower-case token). */
static int rule_item(parser *P, const char *s, size_t n, void *arg)
{
    rule_ctx *rc = arg;
    skm_taxonomy *t = P->t;
    if (n == 0)
        return perr(P, "empty item in a rule list");
    if (rc->which >= 2) {
        const uint8_t *z = normalised(P, s, n);
        if (!z)
            return oom(P);
        span sp[2];
        if (split_tokens(z, n, sp, 1) != 1)
            return perr(P, "'%.*s' in not-next/not-prev must be a single token", (int)n, s);
        uint32_t off;
        if (put_str(t, (const char *)z + sp[0].b, sp[0].e - sp[0].b, &off) ||
            grow((void **)&t->words, &P->word_cap, P->n_words, sizeof *t->words))
            return oom(P);
        t->words[P->n_words++] = off;
        rc->count++;
        return SKM_OK;
    }
    int32_t id;
    if (n == 6 && memcmp(s, "@skill", 6) == 0) {
        if (rc->which != 0)
            return perr(P, "@skill is allowed in near lists only");
        id = TX_CTX_SKILL;
    } else if (*s == '@') {
        return perr(P, "unknown special item '%.*s' (the only one is @skill)", (int)n, s);
    } else {
        skm_buf key = {0};
        if (lookup_key(P, s, n, &key)) {
            skm_buf_free(&key);
            return oom(P);
        }
        size_t before = skm_strmap_size(P->ctxs);
        int e = skm_strmap_intern(P->ctxs, key.ptr, key.len, &id);
        skm_buf_free(&key);
        if (e)
            return oom(P);
        if (skm_strmap_size(P->ctxs) != before) {
            if ((e = add_pattern(P, s, n, id, 0, 0, "context word")) != SKM_OK)
                return e;
            t->n_ctx = skm_strmap_size(P->ctxs);
        }
    }
    if (grow((void **)&t->items, &P->item_cap, P->n_items, sizeof *t->items))
        return oom(P);
    t->items[P->n_items++] = id;
    rc->count++;
    return SKM_OK;
}

/* "key: list; key: list; ..." of a skill with guarded aliases into t->rules[*rule]. */
static int parse_rules(parser *P, const char *b, const char *e, skill_ctx *sc, int32_t *rule)
{
    skm_taxonomy *t = P->t;
    if (grow((void **)&t->rules, &P->rule_cap, t->n_rules, sizeof *t->rules))
        return oom(P);
    tx_rule *r = &t->rules[t->n_rules];
    memset(r, 0, sizeof *r);
    r->window = TX_WINDOW_DEFAULT;
    unsigned seen = 0;
    while (b < e) {
        const char *x = memchr(b, ';', (size_t)(e - b));
        const char *ie = x ? x : e, *ib = b;
        b = x ? x + 1 : e;
        trim_range(&ib, &ie);
        if (ib == ie)
            continue;
        const char *colon = memchr(ib, ':', (size_t)(ie - ib));
        if (!colon)
            return perr(P, "rule '%.*s' of '%s' has no ':' (expected key: value)",
                        (int)(ie - ib), ib, sc->name);
        const char *kb = ib, *ke = colon, *vb = colon + 1, *ve = ie;
        trim_range(&kb, &ke);
        trim_range(&vb, &ve);
        static const char *const keys[] = {"near", "anywhere", "not-next", "not-prev", "window"};
        int which = -1;
        for (int k = 0; k < 5; ++k)
            if ((size_t)(ke - kb) == strlen(keys[k]) && memcmp(kb, keys[k], (size_t)(ke - kb)) == 0)
                which = k;
        if (which < 0)
            return perr(P, "unknown rule '%.*s' in the entry of '%s' (near, anywhere, not-next, "
                           "not-prev, window)",
                        (int)(ke - kb), kb, sc->name);
        if (seen & (1u << which))
            return perr(P, "rule '%s' given twice in the entry of '%s'", keys[which], sc->name);
        seen |= 1u << which;
        if (vb == ve)
            return perr(P, "rule '%s' of '%s' has no value", keys[which], sc->name);
        if (which == 4) {
            char buf[32];
            size_t vn = (size_t)(ve - vb);
            char *end;
            if (vn >= sizeof buf)
                return perr(P, "window '%.*s' is not an integer 1..1000", (int)vn, vb);
            memcpy(buf, vb, vn);
            buf[vn] = '\0';
            errno = 0;
            long w = strtol(buf, &end, 10);
            if (*end || errno || w < 1 || w > 1000)
                return perr(P, "window '%s' is not an integer 1..1000", buf);
            r->window = (int32_t)w;
            continue;
        }
        rule_ctx rc = {which, 0};
        const uint32_t start = which >= 2 ? (uint32_t)P->n_words : (uint32_t)P->n_items;
        int err = each_item(P, vb, ve, ',', rule_item, &rc);
        if (err)
            return err;
        switch (which) {
        case 0: r->near = start, r->n_near = rc.count; break;
        case 1: r->any = start, r->n_any = rc.count; break;
        case 2: r->nnext = start, r->n_nnext = rc.count; break;
        default: r->nprev = start, r->n_nprev = rc.count; break;
        }
    }
    if (!sc->n_guarded)
        return perr(P, "'%s' has rules but no guarded alias ('?' prefix) for them to govern",
                    sc->name);
    if (!r->n_near && !r->n_any)
        return perr(P, "'%s' has guarded aliases but neither a near nor an anywhere rule to "
                       "accept them",
                    sc->name);
    *rule = (int32_t)t->n_rules++;
    return SKM_OK;
}

/* ---- lines ---- */

static int find_category(const skm_taxonomy *t, const char *s, size_t n)
{
    for (size_t c = 0; c < t->n_cats; ++c) {
        const char *k = str_at(t, t->cat_key[c]);
        if (strlen(k) == n && memcmp(k, s, n) == 0)
            return (int)c;
    }
    return -1;
}

static int directive(parser *P, const char *b, const char *e)
{
    skm_taxonomy *t = P->t;
    const char *w = b;
    while (w < e && !tx_is_blank((uint8_t)*w))
        ++w;
    const char *vb = w, *ve = e;
    trim_range(&vb, &ve);
    const size_t kn = (size_t)(w - b), vn = (size_t)(ve - vb);
    if (kn == 9 && memcmp(b, "@taxonomy", 9) == 0) {
        if (t->name)
            return perr(P, "@taxonomy given twice");
        if (!vn)
            return perr(P, "@taxonomy needs a name");
        return (t->name = skm_strndup(vb, vn)) ? SKM_OK : oom(P);
    }
    if (kn == 8 && memcmp(b, "@version", 8) == 0) {
        if (t->version)
            return perr(P, "@version given twice");
        if (!vn)
            return perr(P, "@version needs a value");
        return (t->version = skm_strndup(vb, vn)) ? SKM_OK : oom(P);
    }
    if (kn == 9 && memcmp(b, "@category", 9) == 0) {
        const char *kb2 = vb, *ke2 = vb;
        while (ke2 < ve && !tx_is_blank((uint8_t)*ke2))
            ++ke2;
        const char *db = ke2, *de = ve;
        trim_range(&db, &de);
        if (kb2 == ke2)
            return perr(P, "@category needs a key and a description");
        for (const char *x = kb2; x < ke2; ++x)
            if (!((*x >= 'a' && *x <= 'z') || (*x >= '0' && *x <= '9') || *x == '-'))
                return perr(P, "category key '%.*s' must be lower-case letters, digits and '-'",
                            (int)(ke2 - kb2), kb2);
        if (find_category(t, kb2, (size_t)(ke2 - kb2)) >= 0)
            return perr(P, "category '%.*s' declared twice", (int)(ke2 - kb2), kb2);
        if (grow((void **)&t->cat_key, &P->cat_cap, t->n_cats, sizeof *t->cat_key))
            return oom(P);
        uint32_t *cd = skm_realloc_array(t->cat_desc, P->cat_cap, sizeof *cd);
        if (!cd)
            return oom(P);
        t->cat_desc = cd;
        if (put_str(t, kb2, (size_t)(ke2 - kb2), &t->cat_key[t->n_cats]) ||
            put_str(t, db, (size_t)(de - db), &t->cat_desc[t->n_cats]))
            return oom(P);
        t->n_cats++;
        return SKM_OK;
    }
    return perr(P, "unknown directive '%.*s' (@taxonomy, @version, @category)", (int)kn, b);
}

static int skill_line(parser *P, const char *b, const char *e)
{
    skm_taxonomy *t = P->t;
    const char *f[5];
    size_t nf = 0;
    f[nf++] = b;
    for (const char *x = b; x < e; ++x)
        if (*x == '|') {
            if (nf == 4)
                return perr(P, "too many '|' fields (name | category | aliases | rules)");
            f[nf++] = x + 1;
        }
    if (nf < 3)
        return perr(P, "expected 'name | category | aliases [| rules]'");
    const char *fb[4], *fe[4];
    for (size_t i = 0; i < nf; ++i) {
        fb[i] = f[i];
        fe[i] = i + 1 < nf ? f[i + 1] - 1 : e;
        trim_range(&fb[i], &fe[i]);
    }
    const size_t nn = (size_t)(fe[0] - fb[0]);
    if (nn == 0)
        return perr(P, "empty skill name");
    if (!t->name || !t->version)
        return perr(P, "@taxonomy and @version must come before the first skill");
    int cat = find_category(t, fb[1], (size_t)(fe[1] - fb[1]));
    if (cat < 0)
        return perr(P, "unknown category '%.*s' for '%.*s' (declare it with @category)",
                    (int)(fe[1] - fb[1]), fb[1], (int)nn, fb[0]);
    if (fb[2] == fe[2])
        return perr(P, "'%.*s' has no aliases", (int)nn, fb[0]);
    /* the canonical name: unique without case */
    skm_buf key = {0};
    if (lookup_key(P, fb[0], nn, &key)) {
        skm_buf_free(&key);
        return oom(P);
    }
    int32_t prev = skm_strmap_find(P->names, key.ptr, key.len);
    if (prev >= 0) {
        skm_buf_free(&key);
        return perr(P, "duplicate skill '%.*s' (also at line %zu)", (int)nn, fb[0],
                    P->name_line[prev]);
    }
    const int32_t skill = (int32_t)t->n_skills;
    int32_t nid;
    size_t cap = P->skill_cap;
    int rc = skm_strmap_intern(P->names, key.ptr, key.len, &nid);
    skm_buf_free(&key);
    if (rc || grow((void **)&t->skill_name, &cap, t->n_skills, sizeof *t->skill_name))
        return oom(P);
    int32_t *sc_ = skm_realloc_array(t->skill_cat, cap, sizeof *sc_);
    if (sc_)
        t->skill_cat = sc_;
    int32_t *sr = sc_ ? skm_realloc_array(t->skill_rule, cap, sizeof *sr) : NULL;
    if (sr)
        t->skill_rule = sr;
    size_t *nl = sr ? skm_realloc_array(P->name_line, cap, sizeof *nl) : NULL;
    if (nl)
        P->name_line = nl;
    if (!nl)
        return oom(P);
    P->skill_cap = cap;
    P->name_line[nid] = P->line;
    if (put_str(t, fb[0], nn, &t->skill_name[skill]))
        return oom(P);
    t->skill_cat[skill] = cat;
    t->skill_rule[skill] = -1;
    t->n_skills++;
    char name[128];
    snprintf(name, sizeof name, "%.*s", (int)(nn < 120 ? nn : 120), fb[0]);
    skill_ctx sc = {skill, 0, name};
    if ((rc = each_item(P, fb[2], fe[2], ';', alias_item, &sc)) != SKM_OK)
        return rc;
    if (nf == 4 && fb[3] != fe[3])
        return parse_rules(P, fb[3], fe[3], &sc, &t->skill_rule[skill]);
    if (sc.n_guarded)
        return perr(P, "'%s' has guarded aliases ('?') but no rules", name);
    return SKM_OK;
}

/* ---- indexes ---- */

static int build_index(parser *P)
{
    skm_taxonomy *t = P->t;
    const size_t nt = skm_strmap_size(P->tokens);
    t->n_tok = nt;
    t->tok_str = skm_malloc_array(nt + 1, sizeof *t->tok_str);
    t->tok_len = skm_malloc_array(nt + 1, sizeof *t->tok_len);
    size_t ns = 16;
    while (ns < 4 * nt)
        ns *= 2;
    t->slots = skm_calloc_array(ns, sizeof *t->slots);
    t->first_alias_ptr = skm_calloc_array(nt + 1, sizeof *t->first_alias_ptr);
    t->first_ctx_ptr = skm_calloc_array(nt + 1, sizeof *t->first_ctx_ptr);
    t->first_alias = skm_malloc_array(t->n_pat + 1, sizeof *t->first_alias);
    t->first_ctx = skm_malloc_array(t->n_pat + 1, sizeof *t->first_ctx);
    if (!t->tok_str || !t->tok_len || !t->slots || !t->first_alias_ptr || !t->first_ctx_ptr ||
        !t->first_alias || !t->first_ctx)
        return oom(P);
    t->slot_mask = ns - 1;
    int lg = 0;
    while (((size_t)1 << lg) < ns)
        ++lg;
    t->shift = 64 - lg;
    for (int c = 0; c < 256; ++c)
        t->punct_tok[c] = -1;
    t->max_tok_len = 0;
    for (size_t i = 0; i < nt; ++i) {
        const char *s = skm_strmap_str(P->tokens, (int32_t)i);
        const size_t len = strlen(s);
        if (put_str(t, s, len, &t->tok_str[i]))
            return oom(P);
        t->tok_len[i] = (uint32_t)len;
        if (len > t->max_tok_len)
            t->max_tok_len = len;
        if (len == 1 && !tx_is_word((uint8_t)s[0]))
            t->punct_tok[(uint8_t)s[0]] = (int32_t)i;
        uint64_t k0 = 0;
        memcpy(&k0, s, len < 8 ? len : 8);
        const uint64_t hv = tx_hash(k0, len);
        t->filter[hv >> (64 - TX_FILTER_BITS) >> 6] |= 1ull << ((hv >> (64 - TX_FILTER_BITS)) & 63);
        size_t h = (size_t)(hv >> t->shift);
        while (t->slots[h].len)
            h = (h + 1) & t->slot_mask;
        t->slots[h].k0 = k0;
        t->slots[h].len = (uint32_t)len;
        t->slots[h].id = (int32_t)i;
    }
    /* first-token lists: counts, prefix sums, then fill (aliases longest first) */
    for (size_t p = 0; p < t->n_pat; ++p) {
        const tx_pat *pt = &t->pats[p];
        const size_t f = (size_t)t->pat_tok[pt->tok];
        if (pt->ctx)
            t->first_ctx_ptr[f + 1]++;
        else
            t->first_alias_ptr[f + 1]++;
    }
    for (size_t i = 0; i < nt; ++i) {
        t->first_alias_ptr[i + 1] += t->first_alias_ptr[i];
        t->first_ctx_ptr[i + 1] += t->first_ctx_ptr[i];
    }
    uint32_t *fa = skm_malloc_array(nt + 1, sizeof *fa), *fc = skm_malloc_array(nt + 1, sizeof *fc);
    if (!fa || !fc) {
        free(fa);
        free(fc);
        return oom(P);
    }
    memcpy(fa, t->first_alias_ptr, nt * sizeof *fa);
    memcpy(fc, t->first_ctx_ptr, nt * sizeof *fc);
    for (size_t p = 0; p < t->n_pat; ++p) {
        const tx_pat *pt = &t->pats[p];
        const size_t f = (size_t)t->pat_tok[pt->tok];
        if (pt->ctx) {
            t->first_ctx[fc[f]++] = (uint32_t)p;
        } else { /* insertion by length, longest first; equal lengths keep file order */
            uint32_t *lst = t->first_alias + t->first_alias_ptr[f];
            size_t j = fa[f]++ - t->first_alias_ptr[f];
            while (j > 0 && t->pats[lst[j - 1]].n_tok < pt->n_tok) {
                lst[j] = lst[j - 1];
                --j;
            }
            lst[j] = (uint32_t)p;
        }
    }
    free(fa);
    free(fc);
    /* the lookup of list items: aliases, then canonical names not already taken */
    t->lookup = P->aliases;
    P->aliases = NULL;
    const size_t na = skm_strmap_size(t->lookup);
    t->lookup_skill = skm_malloc_array(na + t->n_skills + 1, sizeof *t->lookup_skill);
    if (!t->lookup_skill)
        return oom(P);
    memcpy(t->lookup_skill, P->alias_skill, na * sizeof *t->lookup_skill);
    for (size_t s = 0; s < t->n_skills; ++s) {
        skm_buf key = {0};
        const char *nm = str_at(t, t->skill_name[s]);
        int32_t id;
        size_t before = skm_strmap_size(t->lookup);
        if (lookup_key(P, nm, strlen(nm), &key) ||
            skm_strmap_intern(t->lookup, key.ptr, key.len, &id)) {
            skm_buf_free(&key);
            return oom(P);
        }
        skm_buf_free(&key);
        if (skm_strmap_size(t->lookup) != before)
            t->lookup_skill[id] = (int32_t)s;
    }
    return SKM_OK;
}

int32_t tx_token_id(const skm_taxonomy *t, const uint8_t *s, size_t len)
{
    if (len == 0 || len > t->max_tok_len)
        return -1;
    uint64_t k0 = 0;
    memcpy(&k0, s, len < 8 ? len : 8);
    size_t h = (size_t)(tx_hash(k0, len) >> t->shift);
    for (;; h = (h + 1) & t->slot_mask) {
        const tx_slot *sl = &t->slots[h];
        if (!sl->len)
            return -1;
        if (sl->k0 == k0 && sl->len == len &&
            (len <= 8 || memcmp(t->strs.ptr + t->tok_str[sl->id] + 8, s + 8, len - 8) == 0))
            return sl->id;
    }
}

/* ---- the whole file ---- */

static void parser_free(parser *P)
{
    skm_strmap_free(P->tokens);
    skm_strmap_free(P->ctxs);
    skm_strmap_free(P->names);
    skm_strmap_free(P->aliases);
    free(P->name_line);
    free(P->alias_line);
    free(P->alias_skill);
    free(P->alias_exact);
    free(P->norm);
}

void skm_taxonomy_free(skm_taxonomy *t)
{
    if (!t)
        return;
    free(t->name);
    free(t->version);
    free(t->origin);
    free(t->skill_name);
    free(t->skill_cat);
    free(t->skill_rule);
    free(t->cat_key);
    free(t->cat_desc);
    free(t->tok_str);
    free(t->tok_len);
    free(t->slots);
    free(t->pats);
    free(t->pat_tok);
    free(t->first_alias_ptr);
    free(t->first_alias);
    free(t->first_ctx_ptr);
    free(t->first_ctx);
    free(t->rules);
    free(t->items);
    free(t->words);
    skm_strmap_free(t->lookup);
    free(t->lookup_skill);
    skm_buf_free(&t->strs);
    free(t);
}

int skm_taxonomy_parse(skm_ctx *ctx, const char *origin, const char *data, size_t n,
                       skm_taxonomy **out)
{
    *out = NULL;
    parser P;
    memset(&P, 0, sizeof P);
    P.ctx = ctx;
    P.origin = origin ? origin : "taxonomy";
    int rc = SKM_OK;
    skm_taxonomy *t = calloc(1, sizeof *t);
    P.t = t;
    if (!t || !(P.tokens = skm_strmap_alloc()) || !(P.ctxs = skm_strmap_alloc()) ||
        !(P.names = skm_strmap_alloc()) || !(P.aliases = skm_strmap_alloc()) ||
        !(t->origin = skm_strdup(P.origin))) {
        rc = oom(&P);
        goto done;
    }
    const size_t bad = skm_utf8_check(data, n);
    if (bad != n) {
        P.line = 1;
        for (size_t i = 0; i < bad; ++i)
            P.line += data[i] == '\n';
        rc = perr(&P, "invalid UTF-8 (byte %zu of the file)", bad + 1);
        goto done;
    }
    skm_sha256 sh;
    uint8_t dg[32];
    skm_sha256_init(&sh);
    skm_sha256_update(&sh, data, n);
    skm_sha256_final(&sh, dg);
    skm_sha256_hex(dg, t->sha256);
    for (size_t i = 0; i < n && rc == SKM_OK;) {
        const char *b = data + i, *nl = memchr(b, '\n', n - i), *e = nl ? nl : data + n;
        i = (size_t)(e - data) + 1;
        P.line++;
        if (memchr(b, '\0', (size_t)(e - b))) {
            rc = perr(&P, "NUL byte");
            break;
        }
        trim_range(&b, &e);
        if (b == e || *b == '#')
            continue;
        rc = *b == '@' ? directive(&P, b, e) : skill_line(&P, b, e);
    }
    if (rc)
        goto done;
    P.line = 0;
    if (!t->name || !t->version)
        rc = skm_error(ctx, SKM_EPARSE, "%s: missing @taxonomy or @version", P.origin);
    else if (t->n_skills == 0)
        rc = skm_error(ctx, SKM_EPARSE, "%s: no skills", P.origin);
    else if (t->n_skills > INT32_MAX / 2 || t->n_pat > INT32_MAX / 2)
        rc = skm_error(ctx, SKM_EPARSE, "%s: too many entries", P.origin);
    else
        rc = build_index(&P);
done:
    parser_free(&P);
    if (rc) {
        skm_taxonomy_free(t);
        return rc;
    }
    *out = t;
    return SKM_OK;
}

int skm_taxonomy_load(skm_ctx *ctx, const char *path, skm_taxonomy **out)
{
    *out = NULL;
    if (!path)
        return skm_taxonomy_parse(ctx, "built-in taxonomy", skm_taxonomy_default_text,
                                  skm_taxonomy_default_len, out);
    FILE *f = fopen(path, "rb");
    if (!f)
        return skm_error(ctx, SKM_EIO, "cannot open taxonomy %s: %s", path, strerror(errno));
    skm_buf b = {0};
    char chunk[65536];
    size_t got;
    int rc = SKM_OK;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (skm_buf_append(&b, chunk, got)) {
            rc = skm_error(ctx, SKM_ENOMEM, "out of memory reading %s", path);
            break;
        }
    if (!rc && ferror(f))
        rc = skm_error(ctx, SKM_EIO, "cannot read taxonomy %s: %s", path, strerror(errno));
    fclose(f);
    if (!rc)
        rc = skm_taxonomy_parse(ctx, path, b.ptr ? b.ptr : "", b.len, out);
    skm_buf_free(&b);
    return rc;
}

const char *skm_taxonomy_name(const skm_taxonomy *t) { return t->name; }
const char *skm_taxonomy_version(const skm_taxonomy *t) { return t->version; }
const char *skm_taxonomy_sha256(const skm_taxonomy *t) { return t->sha256; }
const char *skm_taxonomy_origin(const skm_taxonomy *t) { return t->origin; }
size_t skm_taxonomy_n_skills(const skm_taxonomy *t) { return t->n_skills; }

const char *skm_taxonomy_skill(const skm_taxonomy *t, int32_t skill)
{
    return skill >= 0 && (size_t)skill < t->n_skills ? str_at(t, t->skill_name[skill]) : NULL;
}

const char *skm_taxonomy_category(const skm_taxonomy *t, int32_t skill)
{
    return skill >= 0 && (size_t)skill < t->n_skills
               ? str_at(t, t->cat_key[t->skill_cat[skill]])
               : NULL;
}

int32_t skm_taxonomy_find(const skm_taxonomy *t, const char *s, size_t n)
{
    /* the key as lookup_key builds it (an item longer than the buffer is no alias) */
    uint8_t z[256];
    char key[256];
    size_t k = 0;
    int blank = 0;
    skm_trim(&s, &n);
    if (n >= sizeof z)
        return -1;
    tx_normalize((const uint8_t *)s, n, z);
    for (size_t i = 0; i < n; ++i) {
        if (tx_is_blank(z[i]) || z[i] == 0) {
            blank |= z[i] != 0;
            continue;
        }
        if (blank && k)
            key[k++] = ' ';
        blank = 0;
        key[k++] = (char)z[i];
    }
    const int32_t id = skm_strmap_find(t->lookup, key, k);
    return id < 0 ? -1 : t->lookup_skill[id];
}
