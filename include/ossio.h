/*
 * ossio: parallel transfers to Aliyun OSS and S3-compatible stores on one libev loop.
 * This is the only public header; it exposes no type of any dependency.
 */
#ifndef OSSIO_H
#define OSSIO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Marks a symbol exported from the ossio library. The library is built with
 * -fvisibility=hidden, so only symbols carrying this macro are visible.
 */
#if defined(__GNUC__) || defined(__clang__)
#define OSSIO_EXTERN __attribute__((visibility("default")))
#else
#define OSSIO_EXTERN
#endif

/** Major version of the ossio headers. */
#define OSSIO_VERSION_MAJOR 0
/** Minor version of the ossio headers. */
#define OSSIO_VERSION_MINOR 1
/** Patch version of the ossio headers. */
#define OSSIO_VERSION_PATCH 0
/** Version of the ossio headers as a string, "MAJOR.MINOR.PATCH". */
#define OSSIO_VERSION "0.1.0"
/** Version of the ossio headers as 0xMMmmpp, for compile-time comparisons. */
#define OSSIO_VERSION_NUM 0x000100

/**
 * Returns the version of the ossio library actually loaded, e.g. "0.1.0"
 * (compare with OSSIO_VERSION to detect a header/library mismatch).
 *
 * The string is static; the caller must not free it. Thread-safe.
 */
OSSIO_EXTERN const char *ossio_version(void);

/**
 * Returns the run-time version of one of ossio's dependencies, by name:
 * "libev", "c-ares", "nghttp2", "openssl", "expat", "libyaml", "http-parser"
 * or "isa-l". Versions are asked from the loaded library, except for "isa-l",
 * which has no run-time version call: its version is the one of the headers
 * ossio was compiled against.
 *
 * Returns NULL if |name| is NULL or not one of the names above. The string is
 * static; the caller must not free it. Thread-safe.
 */
OSSIO_EXTERN const char *ossio_version_dep(const char *name);

/**
 * Returns the names accepted by ossio_version_dep(), as a NULL-terminated
 * array. The array and its strings are static. Thread-safe.
 */
OSSIO_EXTERN const char *const *ossio_version_deps(void);

/**
 * Status of an ossio call or completed operation: OSSIO_OK (0) or a negative
 * error code. Codes are grouped by the layer that detects them, in blocks of
 * 100; a code's value never changes once released.
 */
typedef enum ossio_status {
    /** Success. */
    OSSIO_OK = 0,

    /* general (-1 .. -99) */
    /** Out of memory, or the memory budget is exhausted. */
    OSSIO_ENOMEM = -1,
    /** Invalid argument passed to an ossio function. */
    OSSIO_EINVAL = -2,
    /** The operation was canceled (by the caller or by client destruction). */
    OSSIO_ECANCELED = -3,
    /** Internal error: a bug in ossio. */
    OSSIO_EINTERNAL = -4,
    /** The operation or option is not supported. */
    OSSIO_ENOTSUP = -5,

    /* config (-100 .. -199) */
    /** A configuration value is invalid. */
    OSSIO_ECONFIG = -100,
    /** No endpoint is configured (fs.oss.endpoint). */
    OSSIO_ENOENDPOINT = -101,
    /** No access key id / secret is configured. */
    OSSIO_ENOCREDENTIALS = -102,
    /** The object URI is malformed. */
    OSSIO_EBADURI = -103,
    /** The URI scheme is not one ossio handles (oss://, s3://). */
    OSSIO_ESCHEME = -104,
    /** The bucket name is invalid. */
    OSSIO_EBADBUCKET = -105,
    /** The object key is longer than the store allows. */
    OSSIO_EKEYTOOLONG = -106,

    /* dns (-200 .. -299) */
    /** The host name does not resolve. */
    OSSIO_EDNS = -200,
    /** Name resolution timed out. */
    OSSIO_EDNSTIMEOUT = -201,

    /* net (-300 .. -399) */
    /** The server refused the connection. */
    OSSIO_ECONNREFUSED = -300,
    /** The connection could not be established (other than refused or timed out). */
    OSSIO_ECONNECT = -301,
    /** The connection was reset or closed unexpectedly by the peer. */
    OSSIO_ECONNRESET = -302,
    /** Establishing the connection timed out. */
    OSSIO_ECONNTIMEOUT = -303,
    /** No data moved for longer than the idle/read timeout. */
    OSSIO_ETIMEDOUT = -304,

    /* tls (-400 .. -499) */
    /** TLS handshake or record-layer failure. */
    OSSIO_ETLS = -400,
    /** The server's certificate is not trusted. */
    OSSIO_ETLSVERIFY = -401,
    /** The server's certificate does not match the host name. */
    OSSIO_ETLSHOSTNAME = -402,

    /* http (-500 .. -599) */
    /** The server's response is malformed (HTTP protocol error). */
    OSSIO_EPROTO = -500,
    /** The response headers exceed the configured limit. */
    OSSIO_EHEADERSIZE = -501,
    /** The response body exceeds the expected or configured size. */
    OSSIO_EBODYSIZE = -502,
    /** The HTTP/2 stream was reset by the peer. */
    OSSIO_ESTREAMRESET = -503,
    /** The HTTP/2 connection was shut down by the peer (GOAWAY). */
    OSSIO_EGOAWAY = -504,

    /* server (-600 .. -699) */
    /** The server answered with an error status not covered by a code below. */
    OSSIO_EHTTP = -600,
    /** The bucket, object or upload does not exist (404). */
    OSSIO_ENOTFOUND = -601,
    /** Access denied (403). */
    OSSIO_EACCESS = -602,
    /** The server rejected the request signature. */
    OSSIO_ESIGNATURE = -603,
    /** The server is throttling requests (503 SlowDown, 429). */
    OSSIO_ETHROTTLED = -604,
    /** Server-side error (5xx). */
    OSSIO_ESERVER = -605,
    /** The object or bucket already exists (409, or a failed precondition). */
    OSSIO_EEXISTS = -606,

    /* xml (-700 .. -799) */
    /** A response's XML body is malformed or lacks a required element. */
    OSSIO_EXML = -700,

    /* transfer (-800 .. -899) */
    /** The data's CRC-64 does not match the server's. */
    OSSIO_ECHECKSUM = -800,
    /** The object changed while it was being read (ETag mismatch). */
    OSSIO_ECHANGED = -801,
    /** A local read or write (file, sink, source) failed. */
    OSSIO_EIO = -802,

    /* split (-900 .. -999) */
    /** A record is longer than the configured maximum record size. */
    OSSIO_ERECORDSIZE = -900
} ossio_status;

/**
 * Returns a human-readable description of |st|, or "unknown ossio status" for
 * a value that is not an ossio_status. The string is static. Thread-safe.
 */
OSSIO_EXTERN const char *ossio_strerror(ossio_status st);

/**
 * Returns the enumerator name of |st| (e.g. "OSSIO_ECHECKSUM"), or NULL for a
 * value that is not an ossio_status. The string is static. Thread-safe.
 */
OSSIO_EXTERN const char *ossio_status_name(ossio_status st);

/**
 * Returns 1 if an operation that failed with |st| may succeed when retried
 * (connection reset, timeouts, stream reset, GOAWAY, throttling, 5xx,
 * checksum mismatch, DNS timeout), 0 otherwise (including OSSIO_OK and
 * unknown values). Thread-safe.
 */
OSSIO_EXTERN int ossio_status_retryable(ossio_status st);

/**
 * Updates the CRC-64/ECMA-182 (reflected, the xz variant and the one in OSS's
 * x-oss-hash-crc64ecma header) of a byte stream with |len| more bytes at
 * |buf|. Start with |crc| = 0; chain the return value for the next piece.
 * ossio_crc64(0, "123456789", 9) == 0x995dc9bbdf1939fa.
 *
 * |buf| is only read, and may be NULL when |len| is 0. Thread-safe.
 */
OSSIO_EXTERN uint64_t ossio_crc64(uint64_t crc, const void *buf, size_t len);

/**
 * Given |crc1| = CRC-64 of a byte string A and |crc2| = CRC-64 of a byte
 * string B of |len2| bytes (both computed from 0 with ossio_crc64()), returns
 * the CRC-64 of A followed by B without touching the data; O(log len2).
 * Used to combine part CRCs into an object's CRC. Thread-safe.
 */
OSSIO_EXTERN uint64_t ossio_crc64_combine(uint64_t crc1, uint64_t crc2, uint64_t len2);

#ifdef __cplusplus
}
#endif

#endif /* OSSIO_H */
