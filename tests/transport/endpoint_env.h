/* Reads the test endpoint's description ($OSSIO_ENDPOINT_STATE/endpoint.env)
 * for C tests: OSSIO_EP_* keys, as strings and ports. */
#ifndef OSSIO_TESTS_ENDPOINT_ENV_H
#define OSSIO_TESTS_ENDPOINT_ENV_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EP_MAX 64

static char ep_keys[EP_MAX][64];
static char ep_vals[EP_MAX][512];
static int ep_n = -1;

static void ep_load(void)
{
    if (ep_n >= 0) {
        return;
    }
    ep_n = 0;
    const char *dir = getenv("OSSIO_ENDPOINT_STATE");
    if (dir == NULL) {
        fprintf(stderr, "OSSIO_ENDPOINT_STATE is not set: run under ctest (fixture endpoint)\n");
        exit(1);
    }
    char path[1024];
    snprintf(path, sizeof(path), "%s/endpoint.env", dir);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(1);
    }
    char line[700];
    while (ep_n < EP_MAX && fgets(line, sizeof(line), f) != NULL) {
        char *eq = strchr(line, '=');
        if (eq == NULL) {
            continue;
        }
        *eq = '\0';
        line[strcspn(line, "\0")] = 0;
        char *v = eq + 1;
        v[strcspn(v, "\r\n")] = '\0';
        snprintf(ep_keys[ep_n], sizeof(ep_keys[ep_n]), "%s", line);
        snprintf(ep_vals[ep_n], sizeof(ep_vals[ep_n]), "%s", v);
        ep_n++;
    }
    fclose(f);
}

/* The value of OSSIO_EP_<name>; exits if missing. */
static const char *ep(const char *name)
{
    ep_load();
    char key[80];
    snprintf(key, sizeof(key), "OSSIO_EP_%s", name);
    for (int i = 0; i < ep_n; i++) {
        if (strcmp(ep_keys[i], key) == 0) {
            return ep_vals[i];
        }
    }
    fprintf(stderr, "endpoint.env has no %s\n", key);
    exit(1);
}

static int ep_port(const char *name)
{
    char key[64];
    snprintf(key, sizeof(key), "PORT_%s", name);
    return atoi(ep(key));
}

#endif /* OSSIO_TESTS_ENDPOINT_ENV_H */
