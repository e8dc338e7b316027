/*
 * textgen.c — synthetic posting descriptions for benchmarks and synthetic data: English-like
 * job-ad prose (company blurb, responsibilities, requirements, benefits, an equal-opportunity
 * paragraph) in plain text or HTML, with bullets, smart quotes and entities, into which a chosen
 * set of skills is written through their unguarded aliases. The prose itself names no skill
 * (its words are checked against the taxonomy's dictionary when the generator is made), so the
 * planted skills are the exact answer an extractor should give.
 */
#include <stdlib.h>
#include <string.h>

#include "extract/extract_impl.h"
#include "extract/textgen.h"

static const char *const filler[] = {
    "we",         "are",        "looking",     "for",         "a",           "an",
    "the",        "team",       "to",          "join",        "our",         "growing",
    "company",    "you",        "will",        "work",        "with",        "across",
    "product",    "customers",  "partners",    "build",       "deliver",     "improve",
    "solutions",  "that",       "help",        "people",      "make",        "better",
    "decisions",  "every",      "day",         "and",         "in",          "of",
    "on",         "as",         "part",        "mission",     "driven",      "culture",
    "collaborate","closely",    "stakeholders","engineers",   "designers",   "leaders",
    "own",        "end",        "projects",    "from",        "idea",        "production",
    "experience", "years",      "strong",      "skills",      "ability",     "communicate",
    "clearly",    "complex",    "problems",    "results",     "impact",      "high",
    "quality",    "fast",       "paced",       "environment", "ownership",   "curiosity",
    "learn",      "new",        "tools",       "mentor",      "junior",      "members",
    "design",     "implement",  "maintain",    "scalable",    "reliable",    "systems",
    "services",   "pipelines",  "reports",     "insights",    "business",    "teams",
    "including",  "such",       "like",        "or",          "similar",     "preferred",
    "required",   "plus",       "bonus",       "benefits",    "health",      "dental",
    "vision",     "insurance",  "paid",        "time",        "off",         "flexible",
    "hours",      "equity",     "competitive", "salary",      "employer",    "equal",
    "opportunity","all",        "qualified",   "applicants",  "receive",     "consideration",
    "employment", "without",    "regard",      "race",        "color",       "religion",
    "gender",     "identity",   "national",    "origin",      "disability",  "status",
    "office",     "located",    "downtown",    "remote",      "friendly",    "values",
    "trust",      "respect",    "diverse",     "inclusive",   "workplace",   "support",
    "growth",     "career",     "development", "budget",      "conference",  "annual",
    "review",     "performance","metrics",     "dashboards",  "requirements","documentation",
    "testing",    "deployment", "monitoring",  "operations",  "research",    "analysis",
    "modeling",   "strategy",   "roadmap",     "priorities",  "planning",    "execution",
    "degree",     "bachelor",   "master",      "field",       "related",     "equivalent",
    "practical",  "knowledge",  "understanding","solid",      "proven",      "track",
    "record",     "excellent",  "written",     "verbal",      "attention",   "detail",
};

static const char *const heads[] = {"About us", "What you will do", "Responsibilities",
                                    "Requirements", "What we are looking for", "Nice to have",
                                    "Benefits", "Who you are"};

struct skm_textgen {
    const skm_taxonomy *t;
    size_t n_alias;
    uint32_t *alias_of;      /* per skill: first alias index in alias_pat, count in n_of */
    uint32_t *n_of;
    uint32_t *alias_pat;     /* unguarded alias patterns, by skill */
    const char **words;      /* filler words that are not dictionary tokens */
    size_t n_words;
    double *cum;             /* cumulative skill weights (Zipf-like), n_skills */
};

skm_textgen *skm_textgen_alloc(const skm_taxonomy *t)
{
    skm_textgen *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->t = t;
    const size_t ns = t->n_skills;
    g->alias_of = calloc(ns + 1, sizeof *g->alias_of);
    g->n_of = calloc(ns + 1, sizeof *g->n_of);
    g->alias_pat = calloc(t->n_pat + 1, sizeof *g->alias_pat);
    g->words = calloc(sizeof filler / sizeof filler[0], sizeof *g->words);
    g->cum = calloc(ns + 1, sizeof *g->cum);
    if (!g->alias_of || !g->n_of || !g->alias_pat || !g->words || !g->cum) {
        skm_textgen_free(g);
        return NULL;
    }
    for (size_t p = 0; p < t->n_pat; ++p)
        if (!t->pats[p].ctx && !t->pats[p].guarded && !t->pats[p].cs)
            g->n_of[t->pats[p].owner]++;
    for (size_t s = 1; s < ns; ++s)
        g->alias_of[s] = g->alias_of[s - 1] + g->n_of[s - 1];
    memset(g->n_of, 0, ns * sizeof *g->n_of);
    for (size_t p = 0; p < t->n_pat; ++p) {
        const tx_pat *pt = &t->pats[p];
        if (!pt->ctx && !pt->guarded && !pt->cs) {
            g->alias_pat[g->alias_of[pt->owner] + g->n_of[pt->owner]++] = (uint32_t)p;
            g->n_alias++;
        }
    }
    for (size_t i = 0; i < sizeof filler / sizeof filler[0]; ++i)
        if (tx_token_id(t, (const uint8_t *)filler[i], strlen(filler[i])) < 0)
            g->words[g->n_words++] = filler[i];
    double c = 0;
    for (size_t s = 0; s < ns; ++s) {
        c += g->n_of[s] ? 1.0 / (double)(s % 97 + 2) : 0.0; /* skewed, file order shuffled */
        g->cum[s] = c;
    }
    if (!g->n_alias || g->n_words < 20) {
        skm_textgen_free(g);
        return NULL;
    }
    return g;
}

void skm_textgen_free(skm_textgen *g)
{
    if (!g)
        return;
    free(g->alias_of);
    free(g->n_of);
    free(g->alias_pat);
    free(g->words);
    free(g->cum);
    free(g);
}

static int put(skm_buf *b, const char *s)
{
    return skm_buf_append(b, s, strlen(s));
}

/* One alias of skill s written out: its tokens with a blank where the alias has one. */
static int put_alias(const skm_textgen *g, skm_rng *r, int32_t s, skm_buf *b)
{
    const skm_taxonomy *t = g->t;
    const tx_pat *p = &t->pats[g->alias_pat[g->alias_of[s] + skm_rng_below(r, g->n_of[s])]];
    const int cap = skm_rng_below(r, 3) == 0;
    for (size_t i = 0; i < p->n_tok; ++i) {
        const int32_t tk = t->pat_tok[p->tok + i];
        const char *w = t->strs.ptr + t->tok_str[tk];
        if (i && !((p->glue >> (i - 1)) & 1u) && skm_buf_putc(b, ' '))
            return SKM_ENOMEM;
        const size_t at = b->len;
        if (put(b, w))
            return SKM_ENOMEM;
        if (cap && i == 0 && b->ptr[at] >= 'a' && b->ptr[at] <= 'z')
            b->ptr[at] = (char)(b->ptr[at] - 'a' + 'A');
    }
    return SKM_OK;
}

static int sentence(const skm_textgen *g, skm_rng *r, skm_buf *b, size_t words)
{
    for (size_t i = 0; i < words; ++i) {
        const char *w = g->words[skm_rng_below(r, g->n_words)];
        if (i && skm_buf_putc(b, ' '))
            return SKM_ENOMEM;
        const size_t at = b->len;
        if (put(b, w))
            return SKM_ENOMEM;
        if (i == 0)
            b->ptr[at] = (char)(b->ptr[at] - 'a' + 'A');
    }
    return skm_buf_putc(b, '.');
}

int skm_textgen_description(const skm_textgen *g, skm_rng *r, const int32_t *skills,
                            size_t n_skills, size_t target_bytes, int html, skm_buf *out)
{
    out->len = 0;
    const char *li0 = html ? "<li>" : "\xe2\x80\xa2 ", *li1 = html ? "</li>\n" : "\n";
    size_t next_skill = 0, sec = 0;
    while (out->len < target_bytes || next_skill < n_skills) {
        /* a heading, a paragraph, then bullets that carry the skills */
        const char *h = heads[(sec++) % (sizeof heads / sizeof heads[0])];
        if ((html ? put(out, "<p><b>") : 0) || put(out, h) ||
            put(out, html ? "</b></p>\n<p>" : ":\n"))
            return SKM_ENOMEM;
        for (size_t k = 2 + skm_rng_below(r, 4); k-- > 0;) {
            if (sentence(g, r, out, 6 + skm_rng_below(r, 14)) || skm_buf_putc(out, ' '))
                return SKM_ENOMEM;
            if (skm_rng_below(r, 6) == 0 && put(out, html ? "We&#39;re " : "We\xe2\x80\x99re "))
                return SKM_ENOMEM;
        }
        if (put(out, html ? "</p>\n<ul>\n" : "\n"))
            return SKM_ENOMEM;
        for (size_t k = 3 + skm_rng_below(r, 4); k-- > 0;) {
            if (put(out, li0) || sentence(g, r, out, 4 + skm_rng_below(r, 8)))
                return SKM_ENOMEM;
            out->len--; /* the bullet goes on with its skills, if any */
            size_t take = next_skill < n_skills ? 1 + skm_rng_below(r, 3) : 0;
            if (take > n_skills - next_skill)
                take = n_skills - next_skill;
            for (size_t j = 0; j < take; ++j) {
                if (put(out, j == 0 ? " with " : j + 1 == take ? (html ? " &amp; " : " and ")
                                                               : ", ") ||
                    put_alias(g, r, skills[next_skill++], out))
                    return SKM_ENOMEM;
            }
            if (put(out, ".") || put(out, li1))
                return SKM_ENOMEM;
        }
        if (html && put(out, "</ul>\n"))
            return SKM_ENOMEM;
    }
    return SKM_OK;
}

size_t skm_textgen_pick(const skm_textgen *g, skm_rng *r, size_t k, int32_t *skills)
{
    const size_t ns = g->t->n_skills;
    const double total = g->cum[ns - 1];
    size_t n = 0;
    for (size_t tries = 0; n < k && tries < 20 * k; ++tries) {
        const double u = skm_rng_uniform(r) * total;
        size_t lo = 0, hi = ns - 1;
        while (lo < hi) {
            const size_t mid = (lo + hi) / 2;
            if (g->cum[mid] > u)
                hi = mid;
            else
                lo = mid + 1;
        }
        int dup = !g->n_of[lo];
        for (size_t j = 0; j < n && !dup; ++j)
            dup = skills[j] == (int32_t)lo;
        if (!dup)
            skills[n++] = (int32_t)lo;
    }
    return n;
}

void skm_textgen_corpus_free(skm_textgen_corpus *c)
{
    skm_buf_free(&c->text);
    free(c->off);
    free(c->skills);
    free(c->n_skills);
    memset(c, 0, sizeof *c);
}

int skm_textgen_corpus_make(const skm_textgen *g, uint64_t seed, size_t bytes,
                            skm_textgen_corpus *c)
{
    enum { K = SKM_TEXTGEN_MAX_SKILLS };
    memset(c, 0, sizeof *c);
    size_t cap = bytes / 3000 + 16;
    c->off = skm_malloc_array(cap + 1, sizeof *c->off);
    c->skills = skm_malloc_array(cap, K * sizeof *c->skills);
    c->n_skills = skm_malloc_array(cap, 1);
    skm_rng r;
    skm_rng_seed(&r, seed, 0);
    skm_buf one = {0};
    int rc = !c->off || !c->skills || !c->n_skills ? SKM_ENOMEM : SKM_OK;
    if (!rc)
        c->off[0] = 0;
    while (!rc && c->text.len < bytes) {
        if (c->n == cap) {
            void *o = skm_realloc_array(c->off, 2 * cap + 1, sizeof *c->off);
            if (o)
                c->off = o;
            void *s = skm_realloc_array(c->skills, 2 * cap, K * sizeof *c->skills);
            if (s)
                c->skills = s;
            void *k = skm_realloc_array(c->n_skills, 2 * cap, 1);
            if (k)
                c->n_skills = k;
            if (!o || !s || !k) {
                rc = SKM_ENOMEM;
                break;
            }
            cap *= 2;
        }
        int32_t *sk = c->skills + c->n * K;
        const size_t k = skm_textgen_pick(g, &r, 3 + skm_rng_below(&r, K - 2), sk);
        c->n_skills[c->n] = (uint8_t)k;
        const size_t len = 1000 + skm_rng_below(&r, 6000);
        rc = skm_textgen_description(g, &r, sk, k, len, (int)(c->n & 1), &one) ||
                     skm_buf_append(&c->text, one.ptr, one.len)
                 ? SKM_ENOMEM
                 : SKM_OK;
        if (!rc)
            c->off[++c->n] = c->text.len;
    }
    skm_buf_free(&one);
    if (rc)
        skm_textgen_corpus_free(c);
    return rc;
}
