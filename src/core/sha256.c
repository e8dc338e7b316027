/*
 * sha256.c — SHA-256 per FIPS 180-4, for the input-file hashes recorded in /provenance.
 * This file does the buffering, padding and length field; the compression of whole 64-byte
 * blocks is the sha256_blocks kernel (kernels/ref/sha256_ref.c, kernels/x86/sha256_shani.c) of
 * the process's kernel table. Plain C compresses at ~300 MB/s, SHA-NI at several GB/s; see
 * docs/kernels.md.
 */
#include <string.h>

#include "core.h"
#include "kernels/kernels.h"

void skm_sha256_init(skm_sha256 *s)
{
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(s->h, iv, sizeof iv);
    s->n_bytes = 0;
    s->block_len = 0;
    s->blocks = skm_kernels_active()->sha256_blocks; /* once here: no lookup per block */
}

void skm_sha256_update(skm_sha256 *s, const void *data, size_t n)
{
    const uint8_t *p = data;
    s->n_bytes += n;
    if (s->block_len) {
        size_t take = 64 - s->block_len < n ? 64 - s->block_len : n;
        memcpy(s->block + s->block_len, p, take);
        s->block_len += take;
        p += take;
        n -= take;
        if (s->block_len < 64)
            return;
        s->blocks(s->h, s->block, 1);
        s->block_len = 0;
    }
    /* Whole blocks straight from the caller's buffer, in one kernel call. */
    size_t nb = n / 64;
    if (nb) {
        s->blocks(s->h, p, nb);
        p += 64 * nb;
        n -= 64 * nb;
    }
    memcpy(s->block, p, n);
    s->block_len = n;
}

void skm_sha256_final(skm_sha256 *s, uint8_t digest[32])
{
    uint64_t bits = s->n_bytes * 8;
    uint8_t pad[72] = {0x80};
    size_t padlen = (s->block_len < 56 ? 56 : 120) - s->block_len;
    for (int i = 0; i < 8; ++i)
        pad[padlen + (size_t)i] = (uint8_t)(bits >> (56 - 8 * i));
    uint64_t keep = s->n_bytes;
    skm_sha256_update(s, pad, padlen + 8);
    s->n_bytes = keep;
    for (int i = 0; i < 8; ++i) {
        digest[4 * i] = (uint8_t)(s->h[i] >> 24);
        digest[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
        digest[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
        digest[4 * i + 3] = (uint8_t)s->h[i];
    }
}

void skm_sha256_hex(const uint8_t digest[32], char hex[65])
{
    static const char d[] = "0123456789abcdef";
    for (int i = 0; i < 32; ++i) {
        hex[2 * i] = d[digest[i] >> 4];
        hex[2 * i + 1] = d[digest[i] & 15];
    }
    hex[64] = '\0';
}
