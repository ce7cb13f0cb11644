/* Helpers shared by the config tests: temporary files and directories. */
#ifndef OSSIO_TEST_CONFIG_UTIL_H
#define OSSIO_TEST_CONFIG_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Creates a fresh temporary directory; the path is static storage. */
static inline const char *tmp_dir(void)
{
    static char dir[64];
    snprintf(dir, sizeof(dir), "/tmp/ossio-cfg-XXXXXX");
    return mkdtemp(dir);
}

/* Writes |text| to |dir|/|name|; returns the path (malloc'ed). */
static inline char *write_file(const char *dir, const char *name, const char *text)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *path = malloc(len);
    if (path == NULL) {
        return NULL;
    }
    snprintf(path, len, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        free(path);
        return NULL;
    }
    fputs(text, f);
    fclose(f);
    return path;
}

static inline void remove_tree(const char *dir)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0) {
        return;
    }
}

#endif /* OSSIO_TEST_CONFIG_UTIL_H */
