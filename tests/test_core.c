/*
 * test_core.c — the core services: SHA-256 (FIPS 180-4 vectors), UTF-8 validation, the string
 * interner, the byte buffer and error recording, atomic output files.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "test_util.h"

#include "core/core.h"

static void hex_of(const char *msg, size_t n, char hex[65])
{
    skm_sha256 s;
    uint8_t d[32];
    skm_sha256_init(&s);
    /* Feed in uneven pieces to exercise the partial-block path. */
    size_t i = 0, step = 1;
    while (i < n) {
        size_t k = n - i < step ? n - i : step;
        skm_sha256_update(&s, msg + i, k);
        i += k;
        step = step * 3 + 1;
    }
    skm_sha256_final(&s, d);
    skm_sha256_hex(d, hex);
}

static void test_sha256_vectors(void **state)
{
    (void)state;
    char hex[65];
    hex_of("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    hex_of("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    hex_of(m, strlen(m), hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    char *a = malloc(1000000);
    memset(a, 'a', 1000000);
    hex_of(a, 1000000, hex);
    free(a);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_utf8(void **state)
{
    (void)state;
    assert_int_equal(skm_utf8_check("plain", 5), 5);
    assert_int_equal(skm_utf8_check("caf\xc3\xa9", 5), 5);
    assert_int_equal(skm_utf8_check("\xe2\x80\xa2 x", 5), 5);          /* bullet */
    assert_int_equal(skm_utf8_check("\xf0\x9f\x98\x80", 4), 4);         /* emoji */
    assert_int_equal(skm_utf8_check("ab\xc3", 3), 2);                   /* truncated */
    assert_int_equal(skm_utf8_check("a\xc0\xafz", 4), 1);               /* overlong */
    assert_int_equal(skm_utf8_check("\xed\xa0\x80", 3), 0);             /* surrogate */
    assert_int_equal(skm_utf8_check("\xf4\x90\x80\x80", 4), 0);         /* > U+10FFFF */
    assert_int_equal(skm_utf8_check("x\xff", 2), 1);
    assert_int_equal(skm_utf8_check("\xe2\x28\xa1", 3), 0);             /* bad continuation */
    skm_buf b = {0};
    assert_int_equal(skm_utf8_put(&b, 0x20AC), SKM_OK);
    assert_int_equal(skm_utf8_put(&b, 0x1F600), SKM_OK);
    assert_int_equal(skm_utf8_put(&b, 0xD800), SKM_EINVAL);
    assert_int_equal(b.len, 7);
    assert_memory_equal(b.ptr, "\xe2\x82\xac\xf0\x9f\x98\x80", 7);
    skm_buf_free(&b);
}

static void test_strmap(void **state)
{
    (void)state;
    skm_strmap *m = skm_strmap_alloc();
    assert_non_null(m);
    char key[32];
    for (int i = 0; i < 10000; ++i) {
        int32_t id;
        snprintf(key, sizeof key, "skill-%d", i);
        assert_int_equal(skm_strmap_intern(m, key, strlen(key), &id), SKM_OK);
        assert_int_equal(id, i);
    }
    for (int i = 0; i < 10000; i += 7) {
        int32_t id;
        snprintf(key, sizeof key, "skill-%d", i);
        assert_int_equal(skm_strmap_intern(m, key, strlen(key), &id), SKM_OK);
        assert_int_equal(id, i);
        assert_int_equal(skm_strmap_find(m, key, strlen(key)), i);
        assert_string_equal(skm_strmap_str(m, i), key);
    }
    assert_int_equal(skm_strmap_find(m, "absent", 6), -1);
    assert_int_equal(skm_strmap_size(m), 10000);
    /* Embedded NUL and the empty string are keys like any other. */
    int32_t a, b;
    assert_int_equal(skm_strmap_intern(m, "a\0b", 3, &a), SKM_OK);
    assert_int_equal(skm_strmap_intern(m, "", 0, &b), SKM_OK);
    assert_int_not_equal(a, b);
    assert_int_equal(skm_strmap_find(m, "a", 1), -1);
    assert_null(skm_strmap_str(m, -1));
    skm_strmap_free(m);
    skm_strmap_free(NULL);
}

static void test_buf_and_errors(void **state)
{
    (void)state;
    skm_buf b = {0};
    for (int i = 0; i < 1000; ++i)
        assert_int_equal(skm_buf_printf(&b, "%d,", i), SKM_OK);
    assert_int_equal(strncmp(b.ptr, "0,1,2,", 6), 0);
    assert_int_equal(b.ptr[b.len], '\0');
    skm_buf_free(&b);

    skm_ctx *ctx = skm_ctx_alloc();
    assert_int_equal(skm_ctx_errcode(ctx), SKM_OK);
    assert_int_equal(skm_error(ctx, SKM_EIO, "cannot open %s", "x.csv"), SKM_EIO);
    assert_string_equal(skm_ctx_errmsg(ctx), "cannot open x.csv");
    /* A message may quote the previous one. */
    skm_error(ctx, SKM_EIO, "ingest: %s", skm_ctx_errmsg(ctx));
    assert_string_equal(skm_ctx_errmsg(ctx), "ingest: cannot open x.csv");
    assert_string_equal(skm_strerror(SKM_EPARSE), "malformed input record");
    assert_string_equal(skm_strerror(12345), "unknown status");
    assert_string_equal(skm_strerror(-1), "unknown status");
    skm_ctx_free(ctx);
    skm_ctx_free(NULL);
    assert_null(skm_malloc_array(SIZE_MAX / 2, 4));
}

/* Jobs append their number to a log; job 7 fails when asked to. */
typedef struct job_log {
    int seen[64];
    int n;
    int fail_at;
} job_log;

static int log_job(void *arg, void *job)
{
    job_log *l = arg;
    int v = *(int *)job;
    if (v == l->fail_at)
        return SKM_EIO;
    l->seen[l->n++] = v;
    return SKM_OK;
}

static void test_worker(void **state)
{
    (void)state;
    for (int threaded = 0; threaded < 2; ++threaded) {
        for (int fail = 0; fail < 2; ++fail) {
            job_log l = {.n = 0, .fail_at = fail ? 7 : -1};
            int jobs[20];
            skm_worker w;
            skm_worker_start(&w, log_job, &l, threaded);
            assert_int_equal(w.threaded, threaded);
            int first_bad = -1;
            for (int i = 0; i < 20; ++i) {
                jobs[i] = i;
                int rc = skm_worker_submit(&w, &jobs[i]);
                if (rc != SKM_OK && first_bad < 0)
                    first_bad = i;
            }
            int rc = skm_worker_wait(&w);
            skm_worker_stop(&w);
            skm_worker_stop(&w); /* twice is harmless */
            if (!fail) {
                assert_int_equal(rc, SKM_OK);
                assert_int_equal(l.n, 20);
                for (int i = 0; i < 20; ++i)
                    assert_int_equal(l.seen[i], i); /* in order */
            } else {
                /* Job 7 fails; nothing after it runs, and the failure is reported. */
                assert_int_equal(rc, SKM_EIO);
                assert_int_equal(l.n, 7);
                assert_true(first_bad >= 7);
            }
        }
    }
}

/* skm_afile: nothing under the final name before commit, the content after it, no temporary
 * file left either way; a directory is refused. The path helpers' shapes. */
static void test_afile(void **state)
{
    (void)state;
    char *t = skm_temp_path("out/x.csv", "tmp"), want[64];
    snprintf(want, sizeof want, "out/.x.csv.tmp.%ld", (long)getpid());
    assert_string_equal(t, want);
    free(t);
    t = skm_dir_of("x.csv");
    assert_string_equal(t, ".");
    free(t);
    t = skm_dir_of("/x.csv");
    assert_string_equal(t, "/");
    free(t);

    const char *dir = skm_test_env("SKM_TMPDIR");
    char final[4096];
    snprintf(final, sizeof final, "%s/afile.txt", dir);
    (void)unlink(final);
    skm_ctx *ctx = skm_ctx_alloc();
    skm_afile f;
    struct stat sb;
    assert_int_equal(skm_afile_open(ctx, final, &f), SKM_OK);
    assert_int_equal(write(f.fd, "abc", 3), 3);
    assert_int_equal(stat(final, &sb), -1);
    char *tmp = skm_strdup(f.tmp_path);
    assert_int_equal(skm_afile_commit(ctx, &f), SKM_OK);
    skm_afile_abort(&f); /* after commit: frees, removes nothing */
    assert_int_equal(stat(final, &sb), 0);
    assert_int_equal((int)sb.st_size, 3);
    assert_int_equal(stat(tmp, &sb), -1);

    assert_int_equal(skm_afile_open(ctx, final, &f), SKM_OK);
    assert_int_equal(write(f.fd, "abcdef", 6), 6);
    skm_afile_abort(&f); /* the old content stays, the temporary file goes */
    assert_int_equal(stat(final, &sb), 0);
    assert_int_equal((int)sb.st_size, 3);
    assert_int_equal(stat(tmp, &sb), -1);
    free(tmp);

    assert_int_equal(skm_afile_open(ctx, dir, &f), SKM_EINVAL);
    skm_afile_abort(&f);
    assert_int_equal(unlink(final), 0);
    skm_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_vectors),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_strmap),
        cmocka_unit_test(test_buf_and_errors),
        cmocka_unit_test(test_worker),
        cmocka_unit_test(test_afile),
    };
    return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
