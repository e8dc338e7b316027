/*
 * strmap.c — a string interner: open-addressing hash table (linear probing, power-of-two size,
 * load <= 1/2) from byte strings to dense int32 ids, with the strings themselves kept in a list
 * of fixed slabs so that a returned pointer never moves.
 *
 * Layout: slots[] holds id + 1 (0 = empty) and the 64-bit hash for quick rejection;
 * strs[id] points at a NUL-terminated copy in a slab, lens[id] is its length.
 */
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define SLAB_BYTES ((size_t)1 << 20)

typedef struct slab {
    struct slab *next;
    size_t used, cap;
    char data[];
} slab;

typedef struct slot {
    uint64_t hash;
    int32_t id1; /* id + 1; 0 marks an empty slot */
} slot;

struct skm_strmap {
    slot *slots;
    size_t n_slots; /* power of two */
    char **strs;
    size_t *lens;
    size_t n, cap;
    slab *slabs;
    size_t bytes;
};

/* A word-at-a-time multiplicative hash: eight bytes per step (titles and places run to 30-80
 * bytes, where byte-wise FNV-1a showed up in ingest profiles), a final avalanche so that the
 * low bits used for the slot index depend on every input byte. Not for hostile-key resistance:
 * keys come from the user's own files. */
static uint64_t hash_bytes(const char *s, size_t n)
{
    const uint64_t m = 0x9E3779B97F4A7C15ULL;
    uint64_t h = (uint64_t)n * m;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * m;
        h ^= h >> 32;
        s += 8;
        n -= 8;
    }
    if (n) {
        uint64_t w = 0;
        memcpy(&w, s, n);
        h = (h ^ w ^ ((uint64_t)n << 56)) * m;
    }
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 32;
    return h;
}

skm_strmap *skm_strmap_alloc(void)
{
    skm_strmap *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->n_slots = 64;
    m->slots = calloc(m->n_slots, sizeof *m->slots);
    if (!m->slots) {
        skm_strmap_free(m);
        return NULL;
    }
    return m;
}

void skm_strmap_free(skm_strmap *m)
{
    if (!m)
        return;
    for (slab *s = m->slabs, *next; s; s = next) {
        next = s->next;
        free(s);
    }
    free(m->slots);
    free(m->strs);
    free(m->lens);
    free(m);
}

static size_t probe(const skm_strmap *m, const char *s, size_t len, uint64_t h)
{
    size_t mask = m->n_slots - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        const slot *sl = &m->slots[i];
        if (!sl->id1)
            return i;
        size_t id = (size_t)(sl->id1 - 1);
        if (sl->hash == h && m->lens[id] == len && memcmp(m->strs[id], s, len) == 0)
            return i;
    }
}

int32_t skm_strmap_find(const skm_strmap *m, const char *s, size_t len)
{
    const slot *sl = &m->slots[probe(m, s, len, hash_bytes(s, len))];
    return sl->id1 - 1;
}

static int grow_slots(skm_strmap *m)
{
    size_t n = m->n_slots * 2;
    slot *ns = skm_calloc_array(n, sizeof *ns);
    if (!ns)
        return SKM_ENOMEM;
    for (size_t i = 0; i < m->n_slots; ++i) {
        if (!m->slots[i].id1)
            continue;
        size_t j = (size_t)m->slots[i].hash & (n - 1);
        while (ns[j].id1)
            j = (j + 1) & (n - 1);
        ns[j] = m->slots[i];
    }
    m->bytes += (n - m->n_slots) * sizeof *ns;
    free(m->slots);
    m->slots = ns;
    m->n_slots = n;
    return SKM_OK;
}

static char *store_string(skm_strmap *m, const char *s, size_t len)
{
    slab *sb = m->slabs;
    if (!sb || sb->cap - sb->used < len + 1) {
        size_t cap = len + 1 > SLAB_BYTES ? len + 1 : SLAB_BYTES;
        slab *ns = malloc(sizeof *ns + cap);
        if (!ns)
            return NULL;
        ns->next = m->slabs;
        ns->used = 0;
        ns->cap = cap;
        m->slabs = ns;
        m->bytes += sizeof *ns + cap;
        sb = ns;
    }
    char *d = sb->data + sb->used;
    memcpy(d, s, len);
    d[len] = '\0';
    sb->used += len + 1;
    return d;
}

int skm_strmap_intern(skm_strmap *m, const char *s, size_t len, int32_t *id)
{
    uint64_t h = hash_bytes(s, len);
    size_t i = probe(m, s, len, h);
    if (m->slots[i].id1) {
        *id = m->slots[i].id1 - 1;
        return SKM_OK;
    }
    if (m->n >= INT32_MAX - 1)
        return SKM_ENOMEM;
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        char **strs = skm_realloc_array(m->strs, cap, sizeof *strs);
        if (!strs)
            return SKM_ENOMEM;
        m->strs = strs;
        size_t *lens = skm_realloc_array(m->lens, cap, sizeof *lens);
        if (!lens)
            return SKM_ENOMEM;
        m->lens = lens;
        m->bytes += (cap - m->cap) * (sizeof *strs + sizeof *lens);
        m->cap = cap;
    }
    char *copy = store_string(m, s, len);
    if (!copy)
        return SKM_ENOMEM;
    m->strs[m->n] = copy;
    m->lens[m->n] = len;
    m->slots[i].hash = h;
    m->slots[i].id1 = (int32_t)m->n + 1;
    *id = (int32_t)m->n;
    m->n++;
    if (2 * m->n > m->n_slots)
        return grow_slots(m);
    return SKM_OK;
}

size_t skm_strmap_size(const skm_strmap *m) { return m->n; }

const char *skm_strmap_str(const skm_strmap *m, int32_t id)
{
    return id >= 0 && (size_t)id < m->n ? m->strs[id] : NULL;
}

size_t skm_strmap_bytes(const skm_strmap *m) { return m->bytes + m->n_slots * sizeof *m->slots; }
