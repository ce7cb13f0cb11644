/* Versions of ossio and of the dependency libraries actually loaded, formatted
 * once into static strings (pthread_once) so callers may use them from any thread. */
#include "ossio.h"

#include <ares.h>
#include <ev.h>
#include <expat.h>
#include <http_parser.h>
#include <isa-l.h>
#include <nghttp2/nghttp2.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>
#include <zlib.h>

#define VERSION_LEN 64

enum dep {
    DEP_LIBEV,
    DEP_CARES,
    DEP_NGHTTP2,
    DEP_OPENSSL,
    DEP_EXPAT,
    DEP_YAML,
    DEP_HTTP_PARSER,
    DEP_ISAL,
    DEP_ZLIB,
    DEP_COUNT
};

static const char *const dep_names[DEP_COUNT + 1] = {[DEP_LIBEV] = "libev",
                                                     [DEP_CARES] = "c-ares",
                                                     [DEP_NGHTTP2] = "nghttp2",
                                                     [DEP_OPENSSL] = "openssl",
                                                     [DEP_EXPAT] = "expat",
                                                     [DEP_YAML] = "libyaml",
                                                     [DEP_HTTP_PARSER] = "http-parser",
                                                     [DEP_ISAL] = "isa-l",
                                                     [DEP_ZLIB] = "zlib",
                                                     [DEP_COUNT] = NULL};

static char dep_versions[DEP_COUNT][VERSION_LEN];
static pthread_once_t dep_once = PTHREAD_ONCE_INIT;

static void copy_version(char *dst, const char *src)
{
    snprintf(dst, VERSION_LEN, "%s", src ? src : "");
}

static void format_versions(void)
{
    XML_Expat_Version ex = XML_ExpatVersionInfo();
    unsigned long hp = http_parser_version();

    snprintf(dep_versions[DEP_LIBEV], VERSION_LEN, "%d.%d", ev_version_major(), ev_version_minor());
    copy_version(dep_versions[DEP_CARES], ares_version(NULL));
    copy_version(dep_versions[DEP_NGHTTP2], nghttp2_version(0)->version_str);
    copy_version(dep_versions[DEP_OPENSSL], OpenSSL_version(OPENSSL_VERSION_STRING));
    snprintf(dep_versions[DEP_EXPAT], VERSION_LEN, "%d.%d.%d", ex.major, ex.minor, ex.micro);
    copy_version(dep_versions[DEP_YAML], yaml_get_version_string());
    snprintf(dep_versions[DEP_HTTP_PARSER], VERSION_LEN, "%lu.%lu.%lu", (hp >> 16) & 255,
             (hp >> 8) & 255, hp & 255);
    /* ISA-L has no run-time version call: report the headers we built with. */
    snprintf(dep_versions[DEP_ISAL], VERSION_LEN, "%d.%d.%d", ISAL_MAJOR_VERSION,
             ISAL_MINOR_VERSION, ISAL_PATCH_VERSION);
    copy_version(dep_versions[DEP_ZLIB], zlibVersion());
}

const char *ossio_version(void)
{
    return OSSIO_VERSION;
}

const char *const *ossio_version_deps(void)
{
    return dep_names;
}

const char *ossio_version_dep(const char *name)
{
    if (!name) {
        return NULL;
    }
    for (size_t i = 0; i < DEP_COUNT; i++) {
        if (strcmp(name, dep_names[i]) == 0) {
            pthread_once(&dep_once, format_versions);
            return dep_versions[i];
        }
    }
    return NULL;
}
