/*
 * source.c — the byte source under the table readers: read(2) in SKM_SOURCE_CHUNK pieces, SHA-256
 * of every raw byte (the provenance hash is of the file as stored, compressed or not), and zlib
 * inflation when the file starts with the gzip magic 1f 8b (the extension is not trusted).
 *
 * Windows handed to the parser are always full (SKM_SOURCE_CHUNK bytes) except the last. The
 * parsers rely on that for the BOM and format checks of the first bytes, and it keeps the number
 * of window switches (the slow path of every parser) proportional to the file size.
 *
 * Hashing runs on a helper thread, overlapped with parsing: plain-C SHA-256 (~300 MB/s here) is
 * otherwise as slow as the parser itself. The thread only ever reads a raw buffer, one job at a
 * time, in file order. There are two raw buffers used in turn: submitting a job waits for the
 * previous one, so the buffer about to be refilled is never the one being hashed, and the parser
 * (or inflate) reads the newest one while the hasher reads it too. Without the thread (if it
 * cannot be started) the bytes are hashed inline; the result is the same.
 *
 * gzip: a file may hold several members back to back (`cat a.gz b.gz`, or pigz/bgzip output); the
 * decoded text is their concatenation. Anything after a member that is not another member, and a
 * member cut short, are fatal SKM_EFORMAT errors: a half-decoded file must never pass as a whole.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "table_impl.h"

/* The hasher's job: one raw buffer's bytes (jobs[] has one entry per raw buffer). */
static int hash_job(void *arg, void *job)
{
    skm_source *s = arg;
    const skm_hash_job *j = job;
    skm_sha256_update(&s->sha, j->p, j->n);
    return SKM_OK;
}

static void hash_submit(skm_source *s, const unsigned char *p, size_t n)
{
    if (!n)
        return;
    skm_hash_job *j = &s->jobs[p == s->rawbuf[0] ? 0 : 1];
    j->p = p;
    j->n = n;
    skm_worker_submit(&s->hasher, j); /* hashing cannot fail */
}

void skm_source_digest(skm_source *src, uint8_t digest[32])
{
    skm_worker_wait(&src->hasher);
    skm_sha256 s = src->sha; /* finalise a copy: the running state stays usable */
    skm_sha256_final(&s, digest);
}

/* Fill the other raw buffer from the file until it is full or the file ends, and hand it to the
 * hasher: the hash covers exactly the bytes the parser could see, in order. */
static int raw_fill(skm_source *s)
{
    s->raw = s->raw == s->rawbuf[0] ? s->rawbuf[1] : s->rawbuf[0];
    s->raw_len = 0;
    while (s->raw_len < SKM_SOURCE_CHUNK && !s->raw_eof) {
        ssize_t r = read(s->fd, s->raw + s->raw_len, SKM_SOURCE_CHUNK - s->raw_len);
        if (r < 0) {
            if (errno == EINTR && skm_interrupted(s->ctx))
                return skm_error(s->ctx, SKM_EINTERRUPT, "interrupted while reading %s", s->path);
            if (errno == EINTR)
                continue;
            return skm_error(s->ctx, SKM_EIO, "cannot read %s: %s", s->path, strerror(errno));
        }
        if (r == 0) {
            s->raw_eof = 1;
            break;
        }
        s->bytes_read += (uint64_t)r;
        s->raw_len += (size_t)r;
    }
    hash_submit(s, s->raw, s->raw_len);
    return SKM_OK;
}

void skm_source_close(skm_source *src)
{
    if (!src)
        return;
    skm_worker_stop(&src->hasher);
    if (src->zs_ready)
        inflateEnd(&src->zs);
    src->zs_ready = 0;
    if (src->fd >= 0)
        close(src->fd);
    src->fd = -1;
    free(src->rawbuf[0]);
    free(src->rawbuf[1]);
    free(src->out);
    free(src->path);
    src->rawbuf[0] = src->rawbuf[1] = NULL;
    src->raw = NULL;
    src->out = NULL;
    src->path = NULL;
}

int skm_source_open(skm_ctx *ctx, const char *path, skm_source *src)
{
    int rc = SKM_OK;
    memset(src, 0, sizeof *src);
    src->fd = -1;
    src->ctx = ctx;
    skm_sha256_init(&src->sha);

    src->path = skm_strdup(path);
    if (!src->path) {
        rc = skm_error(ctx, SKM_ENOMEM, "out of memory opening %s", path);
        goto done;
    }
    do {
        src->fd = open(path, O_RDONLY | O_CLOEXEC);
    } while (src->fd < 0 && errno == EINTR);
    if (src->fd < 0) {
        rc = skm_error(ctx, SKM_EIO, "cannot open %s: %s", path, strerror(errno));
        goto done;
    }
    struct stat st;
    if (fstat(src->fd, &st) != 0) {
        rc = skm_error(ctx, SKM_EIO, "cannot open %s: %s", path, strerror(errno));
        goto done;
    }
    /* read(2) on a directory fails with EISDIR only on some systems; say it up front. */
    if (S_ISDIR(st.st_mode)) {
        rc = skm_error(ctx, SKM_EIO, "cannot open %s: %s", path, strerror(EISDIR));
        goto done;
    }
    src->file_size = S_ISREG(st.st_mode) && st.st_size > 0 ? (uint64_t)st.st_size : 0;

    src->rawbuf[0] = malloc(SKM_SOURCE_CHUNK);
    src->rawbuf[1] = malloc(SKM_SOURCE_CHUNK);
    if (!src->rawbuf[0] || !src->rawbuf[1]) {
        rc = skm_error(ctx, SKM_ENOMEM, "out of memory opening %s", path);
        goto done;
    }
    /* Small files are not worth a thread (pipes and other unsized inputs get one). */
    skm_worker_start(&src->hasher, hash_job, src,
                     !S_ISREG(st.st_mode) || src->file_size > SKM_SOURCE_CHUNK);
    rc = raw_fill(src);
    if (rc != SKM_OK)
        goto done;

    if (src->raw_len >= 2 && src->raw[0] == 0x1f && src->raw[1] == 0x8b) {
        src->gzip = 1;
        src->out = malloc(SKM_SOURCE_CHUNK);
        if (!src->out) {
            rc = skm_error(ctx, SKM_ENOMEM, "out of memory opening %s", path);
            goto done;
        }
        /* 16 + MAX_WBITS: gzip framing only (a zlib or raw deflate stream is not a .gz file). */
        int zr = inflateInit2(&src->zs, 16 + MAX_WBITS);
        if (zr != Z_OK) {
            rc = skm_error(ctx, zr == Z_MEM_ERROR ? SKM_ENOMEM : SKM_EFORMAT,
                           "%s: cannot start gzip decoder (zlib error %d)", path, zr);
            goto done;
        }
        src->zs_ready = 1;
        src->zs.next_in = src->raw;
        src->zs.avail_in = (uInt)src->raw_len;
    } else {
        src->first_pending = 1;
    }

done:
    if (rc != SKM_OK)
        skm_source_close(src);
    return rc;
}

/* Inflate into src->out until it is full or the compressed data ends. */
static int gz_read(skm_source *s, size_t *have_out)
{
    size_t have = 0;
    while (have < SKM_SOURCE_CHUNK) {
        if (s->zs.avail_in == 0) {
            if (!s->raw_eof) {
                int rc = raw_fill(s);
                if (rc != SKM_OK)
                    return rc;
                s->zs.next_in = s->raw;
                s->zs.avail_in = (uInt)s->raw_len;
                continue;
            }
            if (s->in_member)
                return skm_error(s->ctx, SKM_EFORMAT,
                                 "%s: truncated gzip data (member %llu ends before its trailer)",
                                 s->path, (unsigned long long)s->members);
            break;
        }
        if (!s->in_member) {
            /* More bytes after a member's trailer: they must be another member. inflate checks
             * the header and reports anything else as "incorrect header check". */
            if (s->members > 0 && inflateReset(&s->zs) != Z_OK)
                return skm_error(s->ctx, SKM_EFORMAT, "%s: cannot restart gzip decoder", s->path);
            s->in_member = 1;
            s->members++;
        }
        s->zs.next_out = s->out + have;
        s->zs.avail_out = (uInt)(SKM_SOURCE_CHUNK - have);
        int zr = inflate(&s->zs, Z_NO_FLUSH);
        have = SKM_SOURCE_CHUNK - s->zs.avail_out;
        if (zr == Z_STREAM_END) {
            s->in_member = 0;
        } else if (zr == Z_OK || (zr == Z_BUF_ERROR && s->zs.avail_in == 0)) {
            continue;
        } else if (zr == Z_MEM_ERROR) {
            return skm_error(s->ctx, SKM_ENOMEM, "%s: out of memory in gzip decoder", s->path);
        } else {
            return skm_error(s->ctx, SKM_EFORMAT, "%s: corrupt gzip data in member %llu: %s",
                             s->path, (unsigned long long)s->members,
                             s->zs.msg ? s->zs.msg : "invalid compressed data");
        }
    }
    *have_out = have;
    return SKM_OK;
}

int skm_source_read(skm_source *src, const char **p, size_t *n)
{
    *p = NULL;
    *n = 0;
    if (src->fd < 0)
        return SKM_OK;
    if (src->gzip) {
        size_t have = 0;
        int rc = gz_read(src, &have);
        if (rc != SKM_OK)
            return rc;
        *p = (const char *)src->out;
        *n = have;
    } else if (src->first_pending) {
        src->first_pending = 0;
        *p = (const char *)src->raw;
        *n = src->raw_len;
    } else if (!src->raw_eof) {
        int rc = raw_fill(src);
        if (rc != SKM_OK)
            return rc;
        *p = (const char *)src->raw;
        *n = src->raw_len;
    }
    src->bytes_decoded += *n;
    return SKM_OK;
}
