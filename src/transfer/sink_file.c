/* The file sink: a regular file is written to a temporary file in the same
 * directory and renamed over the path on success; a seekable device in place. */
#define _GNU_SOURCE /* mkstemp in the target directory */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "transfer/sink.h"

/* Whether |path| reaches its file through /proc: a descriptor alias such
 * as /dev/stdout (-> /proc/self/fd/1) or /dev/fd/N. Opening one opens the
 * file anew at offset 0, and renaming over what it resolves to replaces the
 * file the shell redirected into: neither is what the caller meant. */
static int through_proc(const char *path)
{
    char cur[PATH_MAX], dir[PATH_MAX], target[PATH_MAX];
    if (snprintf(cur, sizeof(cur), "%s", path) >= (int)sizeof(cur)) {
        return 0;
    }
    for (int hop = 0; hop < 40; hop++) {
        memcpy(dir, cur, sizeof(dir));
        char *slash = strrchr(dir, '/');
        if (slash == NULL) {
            strcpy(dir, ".");
        } else {
            slash[slash == dir ? 1 : 0] = '\0';
        }
        char *real = realpath(dir, NULL);
        int proc = real != NULL && strncmp(real, "/proc/", 6) == 0;
        free(real);
        ssize_t n = readlink(cur, target, sizeof(target) - 1);
        if (proc || n < 0) {
            return proc;
        }
        target[n] = '\0';
        int w = target[0] == '/' ? snprintf(cur, sizeof(cur), "%s", target)
                                 : snprintf(cur, sizeof(cur), "%s/%s", dir, target);
        if (w >= (int)sizeof(cur)) {
            return 0;
        }
        if (strncmp(cur, "/proc/", 6) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Not a regular file: a seekable device is written in place. */
static const char *open_device(ossio__sink *s)
{
    s->fd = open(s->path, O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (s->fd < 0) {
        return errno == ENXIO ? "the destination is a FIFO with no reader"
                              : "could not open the destination for writing";
    }
    if (lseek(s->fd, 0, SEEK_CUR) < 0) {
        close(s->fd);
        s->fd = -1;
        return "the destination cannot seek (a pipe or a terminal): download to a "
               "stream instead";
    }
    s->own_fd = 1;
    return NULL;
}

/* A regular file (or none yet) is written to a temporary file in the same
 * directory; through a symbolic link, the file it names is the one
 * replaced, not the link. A seekable device (/dev/null) is written in place
 * with pwrite: a rename would replace the device node itself. Refused
 * before any request: a directory, a pipe or terminal (a FIFO would block
 * the loop: use a stream sink), a descriptor alias (/dev/stdout), a
 * symbolic link to nothing. */
static const char *file_open(ossio__sink *s)
{
    if (through_proc(s->path)) {
        return "the destination names an open file descriptor (such as /dev/stdout): "
               "download to a stream instead";
    }
    struct stat st, lst;
    int link = lstat(s->path, &lst) == 0 && S_ISLNK(lst.st_mode);
    if (stat(s->path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            return "the destination is a directory";
        }
        if (!S_ISREG(st.st_mode)) {
            return open_device(s);
        }
        if (link) {
            char *real = realpath(s->path, NULL);
            if (real != NULL) {
                free(s->path);
                s->path = real;
            }
        }
    } else if (link) {
        return "the destination is a symbolic link to nothing";
    }
    size_t n = strlen(s->path);
    s->tmp_path = malloc(n + 16);
    if (s->tmp_path != NULL) {
        snprintf(s->tmp_path, n + 16, "%s.ossio-XXXXXX", s->path);
        s->fd = mkstemp(s->tmp_path);
    }
    if (s->fd < 0) {
        free(s->tmp_path);
        s->tmp_path = NULL;
        return "could not create the download's temporary file";
    }
    return NULL;
}

static int file_write(ossio__sink *s, uint64_t off, const uint8_t *data, size_t len)
{
    return ossio__sink_fd.write(s, off, data, len);
}

/* On success the temporary file takes the path; else it is removed. */
static void file_finish(ossio__sink *s, ossio_status *st, char *detail, size_t cap)
{
    if (s->tmp_path != NULL) {
        if (*st == OSSIO_OK && rename(s->tmp_path, s->path) != 0) {
            *st = OSSIO_EIO;
            snprintf(detail, cap, "could not rename the download into %s", s->path);
        }
        if (*st != OSSIO_OK) {
            unlink(s->tmp_path);
        }
    }
    if (s->tmp_path != NULL && s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
    if (s->own_fd && s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
}

static int file_fits(const ossio__sink *s, uint64_t size)
{
    return ossio__sink_fd.fits(s, size);
}

static ossio_status file_describe(const ossio__sink *s, const char **detail)
{
    return ossio__sink_fd.describe(s, detail);
}

const ossio__sink_ops ossio__sink_file = {
    .name = "file",
    .staged = 1,
    .open = file_open,
    .write = file_write,
    .fits = file_fits,
    .finish = file_finish,
    .describe = file_describe,
};
