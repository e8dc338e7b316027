/*
 * afile.c — atomic output files: the temporary name next to the final path, fsync, rename
 * (see core.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"

char *skm_temp_path(const char *final_path, const char *tag)
{
    const char *slash = strrchr(final_path, '/');
    const char *base = slash ? slash + 1 : final_path;
    skm_buf b = {0};
    if (skm_buf_printf(&b, "%.*s.%s.%s.%ld", (int)(base - final_path), final_path, base, tag,
                       (long)getpid())) {
        skm_buf_free(&b);
        return NULL;
    }
    return b.ptr;
}

char *skm_dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return skm_strdup(".");
    if (slash == path)
        return skm_strdup("/");
    return skm_strndup(path, (size_t)(slash - path));
}

int skm_fsync_path(skm_ctx *ctx, const char *final_path, const char *path, int is_dir)
{
    const int fd = open(path, O_RDONLY | (is_dir ? O_DIRECTORY : 0));
    if (fd < 0)
        return skm_error(ctx, SKM_EIO, "%s: cannot open %s to sync it: %s", final_path, path,
                         strerror(errno));
    int rc = SKM_OK;
    if (fsync(fd) != 0 && !(is_dir && (errno == EINVAL || errno == EBADF)))
        rc = skm_error(ctx, SKM_EIO, "%s: fsync of %s failed: %s", final_path, path,
                       strerror(errno));
    close(fd);
    return rc;
}

int skm_afile_open(skm_ctx *ctx, const char *final_path, skm_afile *f)
{
    memset(f, 0, sizeof *f);
    f->fd = -1;
    const char *slash = strrchr(final_path, '/');
    struct stat sb;
    if (!*(slash ? slash + 1 : final_path) || (stat(final_path, &sb) == 0 && S_ISDIR(sb.st_mode)))
        return skm_error(ctx, SKM_EINVAL, "%s: output path names a directory, not a file",
                         final_path);
    if (!(f->final_path = skm_strdup(final_path)) ||
        !(f->tmp_path = skm_temp_path(final_path, "tmp")))
        return skm_error(ctx, SKM_ENOMEM, "%s: out of memory", final_path);
    f->fd = open(f->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (f->fd < 0)
        return skm_error(ctx, SKM_EIO, "%s: cannot create the temporary file %s: %s", final_path,
                         f->tmp_path, strerror(errno));
    f->created = 1;
    return SKM_OK;
}

int skm_afile_commit(skm_ctx *ctx, skm_afile *f)
{
    int rc;
    if (f->fd >= 0) {
        if (fsync(f->fd) != 0)
            return skm_error(ctx, SKM_EIO, "%s: fsync failed: %s", f->final_path, strerror(errno));
        const int closed = close(f->fd);
        f->fd = -1;
        if (closed != 0)
            return skm_error(ctx, SKM_EIO, "%s: close failed: %s", f->final_path,
                             strerror(errno));
    } else if ((rc = skm_fsync_path(ctx, f->final_path, f->tmp_path, 0))) {
        return rc;
    }
    if (rename(f->tmp_path, f->final_path) != 0)
        return skm_error(ctx, SKM_EIO, "%s: cannot rename %s into place: %s", f->final_path,
                         f->tmp_path, strerror(errno));
    f->created = 0;
    char *dir = skm_dir_of(f->final_path);
    if (!dir)
        return skm_error(ctx, SKM_ENOMEM, "%s: out of memory", f->final_path);
    rc = skm_fsync_path(ctx, f->final_path, dir, 1);
    free(dir);
    return rc;
}

void skm_afile_abort(skm_afile *f)
{
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
    if (f->created)
        (void)unlink(f->tmp_path);
    f->created = 0;
    free(f->final_path);
    free(f->tmp_path);
    f->final_path = f->tmp_path = NULL;
}
