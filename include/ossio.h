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
 * "libev", "c-ares", "nghttp2", "openssl", "expat", "libyaml", "http-parser",
 * "isa-l" or "zlib". Versions are asked from the loaded library, except for "isa-l",
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
    /** Not now: a buffer or budget is full; try again when told it has room. */
    OSSIO_EAGAIN = -6,

    /* config (-100 .. -199) */
    /** A configuration value is invalid. */
    OSSIO_ECONFIG = -100,
    /** No endpoint is configured (fs.oss.endpoint). */
    OSSIO_ENOENDPOINT = -101,
    /** No access key id / secret is configured. */
    OSSIO_ENOCREDENTIALS = -102,
    /** The object URI is malformed. */
    OSSIO_EBADURI = -103,
    /** The URI scheme is not one ossio handles (oss://, s3://), or s3:// while
     *  fs.oss.dialect is not s3 (ossio_client_error() says how to switch). */
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
    /** No data moved for longer than the idle/read timeout
     * (fs.oss.connection.timeout), or no response began within the
     * first-byte timeout once the request was sent. Retryable. */
    OSSIO_ETIMEDOUT = -304,
    /** The transfer moved fewer bytes than fs.oss.low-speed.limit per second
     * over fs.oss.low-speed.time (a stalled or dripping server). Retryable. */
    OSSIO_ESTALLED = -305,
    /** The operation or transfer ran past its deadline
     * (fs.oss.operation.deadline or a per-call deadline), all attempts
     * included. Not retried. */
    OSSIO_EDEADLINE = -306,

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
    /** A paged listing cannot be completed: the server marked a page truncated
     * without a way to the next one, or named a marker that does not advance
     * (a token already used). The entries delivered so far are not the whole
     * listing. */
    OSSIO_EPAGING = -701,

    /* transfer (-800 .. -899) */
    /** The data's checksum does not match the server's: OSS's CRC-64, or in
     * the s3 dialect x-amz-checksum-crc32c/-crc32, or the server refused
     * our checksum or Content-MD5 (400 BadDigest, InvalidDigest). The
     * result's |checksum| names which. */
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

/* ------------------------------------------------------------------------ */
/* Configuration                                                             */
/* ------------------------------------------------------------------------ */

/**
 * An opaque set of configuration keys (Hadoop's fs.oss.* names and ossio's
 * own; docs/configuration.md lists every key, its default and meaning).
 * Not thread-safe; a client copies what it needs at ossio_client_new().
 */
typedef struct ossio_config ossio_config;

/** Creates an empty configuration (every key at its default). NULL on out of memory. */
OSSIO_EXTERN ossio_config *ossio_config_new(void);

/** Frees |cfg| and every string it holds. NULL is allowed. */
OSSIO_EXTERN void ossio_config_free(ossio_config *cfg);

/**
 * Sets |key| to |value| (both copied). A known key's value is checked now:
 * a bad one leaves the configuration unchanged and returns OSSIO_ECONFIG
 * (ossio_config_error() says which key and why). Unknown keys are kept as
 * given. A NULL |value| resets the key to its default.
 */
OSSIO_EXTERN ossio_status ossio_config_set(ossio_config *cfg, const char *key, const char *value);

/**
 * The effective value of |key|: as set, else its default, else NULL. A
 * default may follow another key (fs.oss.path.style.access is "true" for an
 * fs.oss.endpoint that is an IP address or localhost). The string is owned
 * by |cfg| (or static) and valid until the key is set again or |cfg| is freed.
 */
OSSIO_EXTERN const char *ossio_config_get(const ossio_config *cfg, const char *key);

/**
 * A message naming the key and value that made the last ossio_config_set()
 * fail, or "" if none did. Owned by |cfg|, valid until the next call on it.
 */
OSSIO_EXTERN const char *ossio_config_error(const ossio_config *cfg);

/** Where a configuration value came from, lowest precedence first. */
typedef enum ossio_config_source {
    OSSIO_SRC_DEFAULT = 0, /**< built-in default */
    OSSIO_SRC_HADOOP = 1,  /**< Hadoop core-site.xml */
    OSSIO_SRC_FLINK = 2,   /**< Flink flink-conf.yaml / config.yaml */
    OSSIO_SRC_ENV = 3,     /**< environment variable */
    OSSIO_SRC_SET = 4      /**< ossio_config_set() */
} ossio_config_source;

/**
 * Loads a Hadoop configuration file (core-site.xml: <property><name/><value/>
 * [<final>true</final>]</property>, ${var} substitution, size suffixes) into
 * |cfg| as source OSSIO_SRC_HADOOP. A value from a higher-precedence source
 * is never replaced by a lower one, whatever the call order.
 * OSSIO_EIO (cannot read), OSSIO_EXML (malformed, with the line in
 * ossio_config_error()), OSSIO_ECONFIG (a known key with a bad value).
 */
OSSIO_EXTERN ossio_status ossio_config_load_hadoop(ossio_config *cfg, const char *path);

/**
 * Loads a Flink configuration file — flat "key: value" flink-conf.yaml or the
 * nested config.yaml — as source OSSIO_SRC_FLINK; every fs.oss.* key is taken
 * unchanged, and fs.hdfs.hadoopconf is remembered so ossio_config_load_defaults()
 * can find core-site.xml. Errors as ossio_config_load_hadoop() (OSSIO_ECONFIG
 * for malformed YAML).
 */
OSSIO_EXTERN ossio_status ossio_config_load_flink(ossio_config *cfg, const char *path);

/**
 * Reads OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET, OSS_SESSION_TOKEN,
 * OSS_ENDPOINT, OSS_REGION into their fs.oss.* keys as source OSSIO_SRC_ENV.
 * AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_ENDPOINT_URL
 * and AWS_REGION (else AWS_DEFAULT_REGION) are read too and count as the
 * environment's value of a key whenever fs.oss.dialect is s3 and the OSS_*
 * variable is unset: the dialect may be set by any source, before or after
 * this call. Values are copied.
 */
OSSIO_EXTERN ossio_status ossio_config_load_env(ossio_config *cfg);

/**
 * The usual discovery, as Flink does it: the Flink configuration from
 * $FLINK_CONF_DIR (config.yaml, else flink-conf.yaml), core-site.xml from
 * $HADOOP_CONF_DIR or the directory named by fs.hdfs.hadoopconf, then the
 * environment. Missing files are not errors.
 */
OSSIO_EXTERN ossio_status ossio_config_load_defaults(ossio_config *cfg);

/** The source of |key|'s effective value. */
OSSIO_EXTERN ossio_config_source ossio_config_source_of(const ossio_config *cfg, const char *key);

/**
 * Called once per key by ossio_config_explain(), sorted by key. |value| is
 * masked ("****" plus at most the last 4 characters' count hidden) for
 * secrets (access key secret, security token). Strings borrowed for the call.
 */
typedef void (*ossio_config_explain_cb)(const char *key, const char *value,
                                        ossio_config_source source, void *user_data);

/** Lists every known key and every key that was set, with its effective value and source. */
OSSIO_EXTERN void ossio_config_explain(const ossio_config *cfg, ossio_config_explain_cb cb,
                                       void *user_data);

/* ------------------------------------------------------------------------ */
/* Client and event loop                                                     */
/* ------------------------------------------------------------------------ */

struct ev_loop;

/**
 * An ossio client: connections, DNS and every request in flight, driven by
 * one libev loop. Not thread-safe: use it from the loop's thread only.
 */
typedef struct ossio_client ossio_client;

/**
 * Creates a client configured by |cfg| (read now; |cfg| may be freed after
 * the call). With |loop| == NULL ossio creates and owns a loop and
 * ossio_client_run() runs it. With a host loop, ossio only adds watchers to
 * it: it never runs, blocks or starts a thread; the host runs the loop and
 * must destroy the client before destroying the loop.
 * Returns OSSIO_OK, OSSIO_ENOMEM, OSSIO_ECONFIG (an invalid key value) or
 * OSSIO_ETLS (the TLS context or CA file could not be set up).
 */
OSSIO_EXTERN ossio_status ossio_client_new(ossio_client **out, const ossio_config *cfg,
                                           struct ev_loop *loop);

/**
 * Runs the client's own loop until no request is pending. Only for clients
 * created with loop == NULL (else OSSIO_EINVAL). Callbacks run inside it.
 */
OSSIO_EXTERN ossio_status ossio_client_run(ossio_client *cl);

/**
 * Destroys the client: every request not yet completed completes now, with
 * OSSIO_ECANCELED, before this returns (the one case where a completion runs
 * inside an ossio call); then connections close and watchers are removed.
 * Must not be called from inside one of the client's callbacks. NULL allowed.
 */
OSSIO_EXTERN void ossio_client_destroy(ossio_client *cl);

/** Log levels for ossio_client_set_log(). */
typedef enum ossio_log_level {
    OSSIO_LOG_ERROR = 0,
    OSSIO_LOG_WARN = 1,
    OSSIO_LOG_INFO = 2,
    OSSIO_LOG_DEBUG = 3
} ossio_log_level;

/**
 * A log sink. |msg| is borrowed for the call. ossio never logs secrets,
 * signatures or Authorization headers, and never writes to stderr itself.
 */
typedef void (*ossio_log_cb)(ossio_log_level level, const char *msg, void *user_data);

/** Sends messages up to |max_level| to |cb| (NULL: no logging, the default). */
OSSIO_EXTERN void ossio_client_set_log(ossio_client *cl, ossio_log_cb cb, ossio_log_level max_level,
                                       void *user_data);

/** Counters for ossio_client_stat(). */
typedef enum ossio_stat {
    OSSIO_STAT_CONNECTIONS_OPENED = 0, /**< TCP connections established */
    OSSIO_STAT_CONNECTIONS_H2 = 1,     /**< of those, speaking HTTP/2 */
    OSSIO_STAT_CONNECTIONS_H1 = 2,     /**< of those, speaking HTTP/1.1 */
    OSSIO_STAT_CONNECTIONS_OPEN = 3,   /**< connections open now */
    OSSIO_STAT_TLS_RESUMED = 4,        /**< TLS handshakes that resumed a session */
    OSSIO_STAT_REQUESTS_DONE = 5,      /**< requests completed (any status) */
    OSSIO_STAT_REQUESTS_REPLAYED = 6,  /**< requests re-sent because the server had not processed
                                          them (GOAWAY, refused stream, stale keep-alive) */
    OSSIO_STAT_BYTES_RECEIVED = 7,     /**< response body bytes */
    OSSIO_STAT_BYTES_SENT = 8,         /**< request body bytes */
    OSSIO_STAT_MEMORY_BUFFERED = 9, /**< bytes transfers hold in memory now (fs.oss.memory.limit) */
    OSSIO_STAT_MEMORY_PEAK = 10     /**< most bytes transfers held in memory at once */
} ossio_stat;

/** Reads one counter; 0 for an unknown one. */
OSSIO_EXTERN uint64_t ossio_client_stat(const ossio_client *cl, ossio_stat which);

/**
 * Counters of one server address (docs/transport.md, "Every address"): an
 * origin's connections spread over every address DNS returned, and an
 * address that fails or is markedly slower is set aside for a while.
 * Filled by ossio_client_addr_stat(); the strings are copies the caller owns
 * with the struct. Fields are only ever added at the end: pass
 * sizeof(ossio_addr_stat) so that a program built against an older header
 * keeps working.
 */
typedef struct ossio_addr_stat {
    char host[256];              /**< the origin's host name, as in the URL */
    uint16_t port;               /**< the origin's port */
    int tls;                     /**< 1 for https */
    char address[64];            /**< numeric IPv4 or IPv6 address */
    int current;                 /**< in the latest DNS answer (0: an earlier one's) */
    uint64_t connections_opened; /**< connections established to it */
    uint64_t connections_now;    /**< connections on it now (connecting or open) */
    uint64_t failures;           /**< connect or TLS failures, timed-out or stalled requests */
    uint64_t requests;           /**< requests completed on it (any outcome) */
    uint64_t bytes;              /**< body bytes sent and received over it */
    uint64_t set_asides;         /**< times it was set aside */
    int set_aside;               /**< set aside now: new connections go elsewhere */
    uint64_t set_aside_ms;       /**< how long it stays set aside from now (0 if not) */
} ossio_addr_stat;

/**
 * The number of addresses ossio knows for the origins it has used, i.e. the
 * valid indexes of ossio_client_addr_stat(). The indexes are stable until a
 * new origin or address appears; read the count, then each index.
 */
OSSIO_EXTERN size_t ossio_client_addr_count(const ossio_client *cl);

/**
 * Fills |out| (caller-owned; at most |size| bytes are written, pass
 * sizeof(ossio_addr_stat)) with address |index|'s counters. OSSIO_EINVAL for
 * a NULL argument or an index not below ossio_client_addr_count().
 */
OSSIO_EXTERN ossio_status ossio_client_addr_stat(const ossio_client *cl, size_t index,
                                                 ossio_addr_stat *out, size_t size);

/* ------------------------------------------------------------------------ */
/* Low-level HTTP requests                                                   */
/* ------------------------------------------------------------------------ */

/**
 * One HTTP exchange, carried over HTTP/2 or HTTP/1.1 as the server allows.
 * Created by ossio_request_new(), owned by the caller until submitted, then
 * by ossio until its completion callback returns (it is freed after that).
 */
typedef struct ossio_request ossio_request;

/**
 * Whether the object an upload writes exists once the upload completed
 * (ossio_result.written).
 */
typedef enum ossio_written {
    /** This upload wrote no object (and every result that is not an upload's). */
    OSSIO_WRITTEN_NO = 0,
    /** The object exists as this upload's PutObject or CompleteMultipartUpload
     * made it: with OSSIO_OK, and also with a failure that came after (e.g.
     * OSSIO_ECHECKSUM: the stored object's CRC-64 differs from the data sent). */
    OSSIO_WRITTEN_YES = 1,
    /** It cannot be told: the request that writes the object may have taken
     * effect, and neither its answer nor a HEAD could say (or the client was
     * destroyed meanwhile). The object may exist. */
    OSSIO_WRITTEN_UNKNOWN = 2
} ossio_written;

/**
 * The outcome of a request, passed to its completion callback. Owned by
 * ossio, valid until the callback returns. ossio may add fields at the end
 * in later versions: never allocate or copy one by value.
 */
typedef struct ossio_result {
    ossio_status status;  /**< OSSIO_OK if a complete response arrived (any HTTP status) */
    int http_status;      /**< final HTTP status, 0 if none arrived */
    const char *protocol; /**< "h2" or "http/1.1"; NULL if no connection was used */
    const char *detail;   /**< human-readable detail of a failure ("" on success); never secrets */
    uint64_t bytes_received; /**< response body bytes delivered */
    uint64_t bytes_sent;     /**< request body bytes sent */
    unsigned replays;        /**< times re-sent because the server had not processed it */
    /* Operations (ossio_op_*), transfers and split/text reads also fill these
     * (a transfer's or a read's from the failure that decided it); NULL otherwise. */
    const char *code;       /**< the server's error Code (e.g. "NoSuchKey"), NULL on success */
    const char *message;    /**< the server's error Message */
    const char *request_id; /**< x-oss-request-id / RequestId of the last attempt */
    const char *host_id;    /**< HostId of the error */
    const char *ec;         /**< OSS EC (error-centre) code of the error */
    unsigned retries;       /**< attempts after the first (backoff retries) */
    /** The connection that carried the (last) exchange: its number in the
     * client, 1 for the first connection opened; 0 if none was used. */
    uint64_t connection;
    /** Uploads (ossio_upload_new() transfers): whether the object exists now,
     * whatever |status| says. OSSIO_WRITTEN_NO for every other result. */
    ossio_written written;
    /** Operations and transfers: the checksum compared with the server's, a
     * static string: "crc64" (OSS's x-oss-hash-crc64ecma), "crc32c" or
     * "crc32" (the s3 dialect's x-amz-checksum-*), "md5" (Content-MD5 sent
     * with the body, compared by the server: fs.oss.s3.checksum=md5); NULL
     * when nothing was compared (a ranged GET, a server that sent no
     * checksum, a body reader in the s3 dialect). With OSSIO_ECHECKSUM it
     * names the checksum that differed. Never freed by the caller. */
    const char *checksum;
} ossio_result;

/** Response headers, readable from the headers and completion callbacks. */
typedef struct ossio_response ossio_response;

/**
 * Called once when the final response's status and headers have arrived.
 * |resp| is valid until the completion callback returns. Return 0 to go on,
 * nonzero to abort the request (it completes with OSSIO_ECANCELED).
 */
typedef int (*ossio_on_headers_cb)(ossio_request *req, int http_status, const ossio_response *resp,
                                   void *user_data);

/**
 * Called for each piece of response body as it arrives, in order. |data| is
 * borrowed until the callback returns. Return 0 to go on, nonzero to abort.
 */
typedef int (*ossio_on_data_cb)(ossio_request *req, const uint8_t *data, size_t len,
                                void *user_data);

/**
 * Called exactly once per submitted request: on a complete response, on
 * failure, on cancel and on client destroy (OSSIO_ECANCELED); never inside
 * the call that submitted it. |result| is valid until the callback returns;
 * the request is freed after it returns.
 */
typedef void (*ossio_on_done_cb)(ossio_request *req, const ossio_result *result, void *user_data);

/**
 * Pulls request body bytes: copy up to |cap| bytes into |buf| and return how
 * many, 0 at the end of the body, or -1 on error (the request fails with
 * OSSIO_EIO). Must not block. Called from the loop as the connection can send.
 */
typedef long (*ossio_body_read_cb)(uint8_t *buf, size_t cap, void *user_data);

/**
 * Creates a request for |method| (e.g. "GET") and |url| ("https://host[:port]/path?query"
 * or "http://…"; both copied). The URL must be already percent-encoded.
 * Returns OSSIO_EINVAL (bad method or URL: *out is NULL), OSSIO_ENOMEM.
 */
OSSIO_EXTERN ossio_status ossio_request_new(ossio_request **out, ossio_client *cl,
                                            const char *method, const char *url);

/**
 * Adds a request header (both copied). Names and values with CR, LF or NUL,
 * and framing headers (Host, Content-Length, Transfer-Encoding, Connection,
 * Upgrade, Keep-Alive) are refused with OSSIO_EINVAL: ossio frames requests
 * itself. Only before submit.
 */
OSSIO_EXTERN ossio_status ossio_request_add_header(ossio_request *req, const char *name,
                                                   const char *value);

/**
 * Sends |len| bytes at |data| as the body. The bytes are borrowed (not
 * copied) until the completion callback returns. Only before submit.
 */
OSSIO_EXTERN ossio_status ossio_request_set_body(ossio_request *req, const void *data, size_t len);

/**
 * Streams the body from |read| (see ossio_body_read_cb). |length| is the
 * exact body length, or -1 if unknown (HTTP/1.1 then uses chunked encoding).
 * A body that ends before or runs past |length| fails the request (OSSIO_EIO).
 * Only before submit. A streamed body cannot be replayed: such a request is
 * never re-sent automatically once its first byte went out.
 */
OSSIO_EXTERN ossio_status ossio_request_set_body_reader(ossio_request *req, int64_t length,
                                                        ossio_body_read_cb read, void *user_data);

/**
 * Sends |len| bytes of the file open as |fd| from |offset| as the body, read
 * with pread(2) as they go out: nothing is held in memory, and the body can
 * be sent again from the start (a re-sent or retried request reads it
 * again). |fd| is borrowed (not closed, its file position untouched) until
 * the completion callback returns. A file shorter than offset + len fails
 * the request with OSSIO_EIO. Only before submit. OSSIO_EINVAL for fd < 0
 * or a range past 2^63.
 */
OSSIO_EXTERN ossio_status ossio_request_set_body_file(ossio_request *req, int fd, uint64_t offset,
                                                      uint64_t len);

/** Sets the headers and data callbacks (either may be NULL). Only before submit. */
OSSIO_EXTERN void ossio_request_set_callbacks(ossio_request *req, ossio_on_headers_cb on_headers,
                                              ossio_on_data_cb on_data, void *user_data);

/**
 * Submits the request; |on_done| (required) gets |user_data|. Always returns
 * OSSIO_OK for a request from ossio_request_new() that was not submitted yet
 * (every failure arrives through |on_done|); OSSIO_EINVAL otherwise.
 */
OSSIO_EXTERN ossio_status ossio_request_submit(ossio_request *req, ossio_on_done_cb on_done,
                                               void *user_data);

/**
 * Cancels a submitted request whose completion callback has not run yet: it
 * will run later, from the loop, with OSSIO_ECANCELED (unless the request
 * already completed, in which case it runs with that outcome). Its
 * connection stays usable where the protocol allows (HTTP/2 resets only the
 * stream; HTTP/1.1 closes that connection).
 */
OSSIO_EXTERN void ossio_request_cancel(ossio_request *req);

/** Frees a request that was never submitted. NULL allowed. */
OSSIO_EXTERN void ossio_request_free(ossio_request *req);

/**
 * The response of |req| once its headers arrived, else NULL. Valid until
 * the completion callback returns.
 */
OSSIO_EXTERN const ossio_response *ossio_request_response(const ossio_request *req);

/**
 * The value of the first response header named |name| (case-insensitive),
 * or NULL. Owned by the response.
 */
OSSIO_EXTERN const char *ossio_response_header(const ossio_response *resp, const char *name);

/** The number of response header fields. */
OSSIO_EXTERN size_t ossio_response_header_count(const ossio_response *resp);

/**
 * The |i|-th response header field (names lower-case), in arrival order.
 * Returns OSSIO_EINVAL if |i| is out of range. Strings owned by the response.
 */
OSSIO_EXTERN ossio_status ossio_response_header_at(const ossio_response *resp, size_t i,
                                                   const char **name, const char **value);

/* ------------------------------------------------------------------------ */
/* Object-store operations                                                   */
/* ------------------------------------------------------------------------ */

/**
 * One object-store operation on an oss:// or s3:// URI: built with setters,
 * signed (fs.oss.signature.version v1|v4, or AWS SigV4 for the s3 dialect),
 * sent, retried with backoff on transient failures (fs.oss.attempts.maximum),
 * and completed once through its callback. Owned by the caller until
 * submitted, then by ossio until the completion callback returns.
 */
typedef struct ossio_op ossio_op;

/** What an operation does. The URI's key is the object (or the listing prefix). */
typedef enum ossio_op_kind {
    OSSIO_OP_HEAD = 0,   /**< HeadObject: ossio_op_object() */
    OSSIO_OP_GET = 1,    /**< GetObject: body through on_data; ossio_op_object() */
    OSSIO_OP_PUT = 2,    /**< PutObject from ossio_op_set_body*() */
    OSSIO_OP_DELETE = 3, /**< DeleteObject */
    OSSIO_OP_DELETE_MANY =
        4,             /**< DeleteMultipleObjects of ossio_op_add_key() keys (URI: the bucket) */
    OSSIO_OP_LIST = 5, /**< ListObjects(V2), every page (or OSSIO_EPAGING); on_entry */
    OSSIO_OP_COPY = 6, /**< CopyObject from ossio_op_set_copy_source() */
    OSSIO_OP_MULTIPART_INIT = 7,        /**< InitiateMultipartUpload: ossio_op_upload_id() */
    OSSIO_OP_MULTIPART_PART = 8,        /**< UploadPart (upload id, part number, body) */
    OSSIO_OP_MULTIPART_COMPLETE = 9,    /**< CompleteMultipartUpload of ossio_op_add_part() parts */
    OSSIO_OP_MULTIPART_ABORT = 10,      /**< AbortMultipartUpload */
    OSSIO_OP_MULTIPART_LIST_PARTS = 11, /**< ListParts; entries through on_entry */
    OSSIO_OP_MULTIPART_LIST_UPLOADS = 12, /**< ListMultipartUploads under the URI's key; on_entry */
    OSSIO_OP_BUCKET_CREATE = 13,          /**< PutBucket */
    OSSIO_OP_BUCKET_DELETE = 14           /**< DeleteBucket */
} ossio_op_kind;

/** Object metadata from HEAD, GET, PUT, COPY and COMPLETE; owned by the operation. */
typedef struct ossio_object_info {
    uint64_t size;    /**< object size (also from a ranged GET's Content-Range) */
    const char *etag; /**< ETag as sent, quotes included; opaque */
    const char *last_modified;
    const char *content_type;
    uint64_t crc64; /**< x-oss-hash-crc64ecma, when has_crc64 */
    int has_crc64;
    /** The s3 dialect's x-amz-checksum-crc32c, x-amz-checksum-crc32 and
     * x-amz-checksum-type headers as the server sent them (base64 of the
     * big-endian CRC, "<b64>-<parts>" for a COMPOSITE multipart value;
     * FULL_OBJECT or COMPOSITE); NULL when absent. Reads ask for them with
     * x-amz-checksum-mode: ENABLED unless fs.oss.s3.checksum is md5 or none.
     * Owned by the operation, like |etag|. */
    const char *checksum_crc32c;
    const char *checksum_crc32;
    const char *checksum_type;
} ossio_object_info;

/** One listing entry, valid during the callback. Fields not in this listing are 0/NULL. */
typedef struct ossio_list_entry {
    const char *key; /**< object key, common prefix, upload's key */
    int is_prefix;   /**< a common prefix (delimiter listing) */
    uint64_t size;
    const char *etag;
    const char *last_modified;
    const char *upload_id; /**< multipart uploads listing */
    const char *initiated;
    uint32_t part_number; /**< parts listing */
    uint64_t crc64;
    int has_crc64;
} ossio_list_entry;

/** Body bytes of a GET, in order; borrowed for the call. Nonzero stops (OSSIO_ECANCELED). */
typedef int (*ossio_op_data_cb)(ossio_op *op, const uint8_t *data, size_t len, void *user_data);
/** A listing entry; nonzero stops the listing (OSSIO_ECANCELED). */
typedef int (*ossio_op_entry_cb)(ossio_op *op, const ossio_list_entry *entry, void *user_data);
/** Completion: exactly once, from the loop; |result| valid until it returns, then |op| is freed. */
typedef void (*ossio_op_done_cb)(ossio_op *op, const ossio_result *result, void *user_data);

/**
 * Creates an operation of |kind| on |uri| (copied). Checks the URI and the
 * client's configuration now: OSSIO_ESCHEME, OSSIO_EBADURI, OSSIO_EBADBUCKET,
 * OSSIO_EKEYTOOLONG, OSSIO_ENOENDPOINT, OSSIO_ENOCREDENTIALS, OSSIO_ECONFIG —
 * with ossio_client_error() saying what to fix. *out is NULL on failure.
 */
OSSIO_EXTERN ossio_status ossio_op_new(ossio_op **out, ossio_client *cl, ossio_op_kind kind,
                                       const char *uri);

/** The message of the client's last failed ossio_op_new(); "" if none. Owned by the client. */
OSSIO_EXTERN const char *ossio_client_error(const ossio_client *cl);

/** GET: bytes [offset, offset+length) (length -1: to the end). */
OSSIO_EXTERN ossio_status ossio_op_set_range(ossio_op *op, uint64_t offset, int64_t length);

/**
 * Adds a request header (copied): Content-Type, Content-MD5, Cache-Control,
 * If-Match, If-None-Match, x-oss-meta-*, x-oss-forbid-overwrite, … Framing
 * and authentication headers are refused (OSSIO_EINVAL).
 */
OSSIO_EXTERN ossio_status ossio_op_set_header(ossio_op *op, const char *name, const char *value);

/** PUT/PART body from memory, borrowed until the completion callback returns. */
OSSIO_EXTERN ossio_status ossio_op_set_body(ossio_op *op, const void *data, size_t len);

/**
 * PUT/PART body: |len| bytes of the file open as |fd| from |offset|, read
 * with pread(2) as they are sent (never held in memory), so the operation
 * is retried like one with a memory body. The checksums it needs (CRC-64,
 * and in the s3 dialect the fs.oss.s3.checksum value) are computed by one
 * read of the range before the first attempt. |fd| is borrowed until the
 * completion callback returns. A file that changes meanwhile fails with
 * OSSIO_ECHECKSUM (the bytes sent differ from those summed) or OSSIO_EIO
 * (it became shorter).
 */
OSSIO_EXTERN ossio_status ossio_op_set_body_file(ossio_op *op, int fd, uint64_t offset,
                                                 uint64_t len);

/**
 * PUT/PART body from a reader (see ossio_body_read_cb); |length| exact or -1.
 * Such an operation is not retried once a byte of its body went out.
 */
OSSIO_EXTERN ossio_status ossio_op_set_body_reader(ossio_op *op, int64_t length,
                                                   ossio_body_read_cb read, void *user_data);

/**
 * LIST options: |delimiter| (NULL: none; "/" gives common prefixes),
 * |page_size| entries per request (0: fs.oss.paging.maximum for LIST, the
 * server's default for LIST_PARTS and LIST_UPLOADS), |start_token|
 * (a continuation token or marker to resume from, NULL: the start). All copied.
 */
OSSIO_EXTERN ossio_status ossio_op_set_list(ossio_op *op, const char *delimiter, uint32_t page_size,
                                            const char *start_token);

/** Multipart: the upload id (copied) and, for PART, the part number (1..10000). */
OSSIO_EXTERN ossio_status ossio_op_set_upload(ossio_op *op, const char *upload_id,
                                              uint32_t part_number);

/** COMPLETE: adds a part (ETag copied), in ascending part order. */
OSSIO_EXTERN ossio_status ossio_op_add_part(ossio_op *op, uint32_t part_number, const char *etag);

/** DELETE_MANY: adds a key (copied); up to 1000 per request, more are sent in batches. */
OSSIO_EXTERN ossio_status ossio_op_add_key(ossio_op *op, const char *key);

/** COPY: the source object URI (copied), in the same bucket or another. */
OSSIO_EXTERN ossio_status ossio_op_set_copy_source(ossio_op *op, const char *source_uri);

/** Sets the data and entry callbacks (either may be NULL). Before submit. */
OSSIO_EXTERN void ossio_op_set_callbacks(ossio_op *op, ossio_op_data_cb on_data,
                                         ossio_op_entry_cb on_entry, void *user_data);

/**
 * Submits; |done| (required) runs once from the loop. Returns OSSIO_OK for an
 * operation not yet submitted (failures come through |done|), else OSSIO_EINVAL.
 */
OSSIO_EXTERN ossio_status ossio_op_submit(ossio_op *op, ossio_op_done_cb done, void *user_data);

/**
 * Bounds the whole operation, every attempt and backoff included, to |ms|
 * milliseconds from submit (0: no bound); past it the operation ends with
 * OSSIO_EDEADLINE. Default: fs.oss.operation.deadline. Only before submit.
 */
OSSIO_EXTERN ossio_status ossio_op_set_deadline(ossio_op *op, uint64_t ms);

/** Cancels a submitted operation: |done| runs later with OSSIO_ECANCELED. */
OSSIO_EXTERN void ossio_op_cancel(ossio_op *op);

/** Frees an operation that was never submitted. NULL allowed. */
OSSIO_EXTERN void ossio_op_free(ossio_op *op);

/** Object metadata (HEAD, GET, PUT, COPY, COMPLETE) once known, else NULL (also
 * for a successful answer that carried no ETag). Owned by |op|. */
OSSIO_EXTERN const ossio_object_info *ossio_op_object(const ossio_op *op);

/** MULTIPART_INIT: the new upload id, else NULL. Owned by |op|. */
OSSIO_EXTERN const char *ossio_op_upload_id(const ossio_op *op);

/** LIST stopped early (callback or error): the token to resume from, else NULL
 * (also after OSSIO_EPAGING: the server's paging gave nowhere to resume from). */
OSSIO_EXTERN const char *ossio_op_next_token(const ossio_op *op);

/* ------------------------------------------------------------------------ */
/* Transfers: whole objects in and out, in parallel parts                    */
/* ------------------------------------------------------------------------ */

/**
 * A download or upload of one object, split into parts moved in parallel on
 * the client's loop. Owned by the caller until submitted, then by ossio until
 * its completion callback returns.
 */
typedef struct ossio_transfer ossio_transfer;

/** Completion: exactly once, from the loop; then the transfer is freed. */
typedef void (*ossio_transfer_done_cb)(ossio_transfer *t, const ossio_result *result,
                                       void *user_data);

/** Progress: bytes moved so far of |total| (0 while unknown); at most every 100 ms and once at the
 * end. */
typedef void (*ossio_progress_cb)(ossio_transfer *t, uint64_t done, uint64_t total,
                                  void *user_data);

/**
 * A download of |uri| (copied). The first request is a ranged GET of part 0
 * whose Content-Range tells the size (no HEAD); the rest follow in parallel
 * with If-Match on part 0's ETag, so a replaced object fails with
 * OSSIO_ECHANGED instead of mixing versions. The part CRC-64s, combined, must
 * equal x-oss-hash-crc64ecma: on a mismatch every part is fetched once more
 * (not for stream sinks), then OSSIO_ECHECKSUM. Part size and
 * parallelism: fs.oss.multipart.download.size / .threads when set, else 8 MiB
 * and 16. Errors as ossio_op_new().
 */
OSSIO_EXTERN ossio_status ossio_download_new(ossio_transfer **out, ossio_client *cl,
                                             const char *uri);

/**
 * An upload to |uri| (copied): one PutObject up to fs.oss.multipart.upload.threshold
 * or up to one part, else a multipart upload in fs.oss.multipart.upload.size parts (raised so no
 * upload needs more than 10,000), sent in parallel. Any failure or cancel
 * aborts the multipart upload: no object appears, no upload is left behind;
 * except once the object exists (CompleteMultipartUpload took effect, also
 * when its answer could not be read and a HEAD showed the object with the
 * parts' size and CRC-64). The result's |written| says whether it exists.
 */
OSSIO_EXTERN ossio_status ossio_upload_new(ossio_transfer **out, ossio_client *cl, const char *uri);

/** Download sink: a file descriptor (borrowed; written with pwrite at the object's offsets, as
 * parts arrive). */
OSSIO_EXTERN ossio_status ossio_transfer_to_fd(ossio_transfer *t, int fd);

/**
 * Download sink: a path (copied). Written to a temporary file in the same
 * directory and renamed over |path| on success only; on failure the
 * temporary file is removed and |path| is untouched. A symbolic link's
 * target is replaced (the link stays). A seekable device (/dev/null) is
 * written in place. Refused with OSSIO_EIO before any request (the result's
 * detail says which): a directory, a FIFO or terminal (writing it could
 * block the loop: use ossio_transfer_to_stream()), a descriptor alias such
 * as /dev/stdout, a symbolic link to nothing.
 */
OSSIO_EXTERN ossio_status ossio_transfer_to_file(ossio_transfer *t, const char *path);

/** Download sink: |cap| bytes at |buf| (borrowed until completion); a larger object fails with
 * OSSIO_EBODYSIZE. */
OSSIO_EXTERN ossio_status ossio_transfer_to_buffer(ossio_transfer *t, void *buf, size_t cap);

/** Bytes of a stream sink, in object order; borrowed for the call. Nonzero stops (OSSIO_ECANCELED).
 */
typedef int (*ossio_stream_cb)(ossio_transfer *t, const uint8_t *data, size_t len, void *user_data);

/**
 * Download sink: |cb| gets the object's bytes in order while parts are
 * fetched in parallel. Parts that arrive ahead of their turn wait in memory:
 * at most parts-in-flight × part size, and parts in flight are lowered so
 * that stays within fs.oss.memory.limit.
 */
OSSIO_EXTERN ossio_status ossio_transfer_to_stream(ossio_transfer *t, ossio_stream_cb cb,
                                                   void *user_data);

/** Upload source: a file (path copied; opened at submit, parts read with pread). */
OSSIO_EXTERN ossio_status ossio_transfer_from_file(ossio_transfer *t, const char *path);

/** Upload source: |len| bytes at |data| (borrowed until completion). */
OSSIO_EXTERN ossio_status ossio_transfer_from_buffer(ossio_transfer *t, const void *data,
                                                     size_t len);

/** Part size in bytes (upload: at least 100 KiB) and parts in flight (1..1000); 0 keeps the
 * default. */
OSSIO_EXTERN ossio_status ossio_transfer_set_parts(ossio_transfer *t, uint64_t part_size,
                                                   unsigned parallel);

/** Upload: a header for the object (copied): Content-Type, x-oss-meta-*, x-oss-forbid-overwrite… */
OSSIO_EXTERN ossio_status ossio_transfer_set_header(ossio_transfer *t, const char *name,
                                                    const char *value);

/**
 * Upload: keep a failed multipart upload instead of aborting it, so it can be
 * resumed; ossio_transfer_upload_id() gives its id in the completion callback.
 */
OSSIO_EXTERN ossio_status ossio_transfer_set_keep_on_failure(ossio_transfer *t, int keep);

/**
 * Upload: continue the multipart upload |upload_id| (copied) instead of
 * starting one: ListParts tells which parts are there; a listed part whose
 * size and CRC-64 match the source's is not sent again. The source and part
 * size must be those of the interrupted upload.
 */
OSSIO_EXTERN ossio_status ossio_transfer_resume(ossio_transfer *t, const char *upload_id);

/**
 * A part done, as ossio_transfer_set_part_done() reports it: a multipart
 * upload's stored part, or a download's part written to its sink. Also what
 * ossio_transfer_set_present() takes back on the next run.
 */
typedef struct ossio_part_info {
    uint32_t
        number;    /**< 1-based part number; 0: the upload id, or the object, is known (no part) */
    uint64_t size; /**< the part's bytes */
    const char *etag; /**< upload: its ETag as the server gave it (borrowed for the call); NULL for
                           number 0 and for downloads */
    uint64_t crc64;   /**< CRC-64/XZ of its bytes */
    uint64_t offset;  /**< where its bytes start in the object */
} ossio_part_info;

/** A transfer's progress in parts; |part| is borrowed for the call. */
typedef void (*ossio_part_done_cb)(ossio_transfer *t, const ossio_part_info *part, void *user_data);

/**
 * |cb| runs from the loop each time the transfer's durable state grows, so a
 * caller can keep a checkpoint of it (`ossio cp --resume`, docs/transfers.md).
 *
 * Upload: once with number 0 when the upload id is known
 * (InitiateMultipartUpload answered, or, when resuming, ListParts answered;
 * ossio_transfer_upload_id() then names it), then once per part stored: a
 * part sent and acknowledged, or, when resuming, a listed part that matches
 * the source and is not sent again. Never for a single PutObject.
 *
 * Download (descriptor, file or buffer sink; never for a stream sink): once
 * with number 0 when the first part's answer tells the object's size, ETag
 * and CRC-64 (ossio_transfer_size(), ossio_transfer_etag(),
 * ossio_transfer_server_crc64(); not for a pinned download, whose caller
 * gave them), then once per part whose bytes are in the sink and durable:
 * the descriptor is fdatasync'ed first (one sync for the parts written in
 * the last 200 ms, and one when the download ends, whatever its outcome).
 * The numbers follow the part size: part N covers
 * [(N - 1) × part size, N × part size) of the object.
 *
 * Before submit; |user_data| is borrowed until completion.
 */
OSSIO_EXTERN ossio_status ossio_transfer_set_part_done(ossio_transfer *t, ossio_part_done_cb cb,
                                                       void *user_data);

/**
 * Download: fetch only the version whose ETag is |etag| (copied) and size
 * |size| (and CRC-64 |crc64| when |has_crc64|): every request carries
 * If-Match: |etag|, and an answer naming another ETag, size or
 * x-oss-hash-crc64ecma fails the download with OSSIO_ECHANGED (never a mix
 * of versions). The parts are planned from |size| at once, without the
 * first request that learns it. Not for stream sinks (submit fails with
 * OSSIO_EINVAL). Before submit; OSSIO_EINVAL for an upload or an empty ETag.
 */
OSSIO_EXTERN ossio_status ossio_transfer_pin(ossio_transfer *t, const char *etag, uint64_t size,
                                             int has_crc64, uint64_t crc64);

/**
 * Download, after ossio_transfer_pin(): the |n| parts at |parts| (copied;
 * their |etag| is ignored) are already in the sink, as a previous run's
 * ossio_transfer_set_part_done() reported them; only the others are
 * fetched. Each must be the part of its number under this transfer's part
 * size (same offset and size), else the transfer fails with OSSIO_EINVAL.
 * Their CRC-64s are taken as given (the caller vouches for the bytes, e.g.
 * by reading them back) and combined with the fetched parts' into the
 * whole-object check: a mismatch fetches every part once more, as any
 * download does. When every part is present a HEAD with If-Match checks
 * the pin. Replaces what an earlier call set.
 */
OSSIO_EXTERN ossio_status ossio_transfer_set_present(ossio_transfer *t,
                                                     const ossio_part_info *parts, size_t n);

/** Download: the object's ETag (quotes included; owned by |t|, valid until its completion
 * callback returns) once known, else NULL. */
OSSIO_EXTERN const char *ossio_transfer_etag(const ossio_transfer *t);

/** Download: 1 and the object's x-oss-hash-crc64ecma in |*crc64| once the server gave it, else 0.
 */
OSSIO_EXTERN int ossio_transfer_server_crc64(const ossio_transfer *t, uint64_t *crc64);

/** The multipart upload id (in the completion callback; NULL for a single PUT or once
 * completed/aborted). */
OSSIO_EXTERN const char *ossio_transfer_upload_id(const ossio_transfer *t);

/**
 * Download (fd, file or buffer sink): hedge slow parts. A part still running
 * after max(1 s, 4 × the mean time of the parts done so far) is requested a
 * second time; the first complete answer wins and the other is canceled.
 * Hedged requests stay within 5 % of the download parts the client started.
 * Default: fs.oss.multipart.download.hedging (off). Not for stream sinks.
 */
OSSIO_EXTERN ossio_status ossio_transfer_set_hedging(ossio_transfer *t, int on);

/** Seconds from submit to completion (readable in the completion callback). */
OSSIO_EXTERN double ossio_transfer_elapsed(const ossio_transfer *t);

/**
 * Distinct connections the transfer's requests used (readable in the
 * completion callback; counted up to 64). Connections are the client's and
 * shared: over HTTP/2 a whole transfer usually rides one.
 */
OSSIO_EXTERN unsigned ossio_transfer_connections(const ossio_transfer *t);

/** Parts re-requested by hedging (readable in the completion callback). */
OSSIO_EXTERN unsigned ossio_transfer_hedges(const ossio_transfer *t);

/** Sets the progress callback. Before submit. */
OSSIO_EXTERN void ossio_transfer_set_progress(ossio_transfer *t, ossio_progress_cb cb,
                                              void *user_data);

/** Submits; |done| runs once from the loop. OSSIO_EINVAL if already submitted or no sink/source. */
OSSIO_EXTERN ossio_status ossio_transfer_submit(ossio_transfer *t, ossio_transfer_done_cb done,
                                                void *user_data);

/**
 * Bounds the whole transfer, every part, retry and backoff included, to |ms|
 * milliseconds from submit (0: no bound). Past it the transfer fails with
 * OSSIO_EDEADLINE as a cancel does (see ossio_transfer_cancel: an upload is
 * aborted; a Complete or PutObject already sent is awaited and its answer
 * decides, so the result still says whether the object exists). Default:
 * fs.oss.operation.deadline. Only before submit.
 */
OSSIO_EXTERN ossio_status ossio_transfer_set_deadline(ossio_transfer *t, uint64_t ms);

/** Cancels: parts in flight are canceled, a multipart upload is aborted, then |done| runs with
 * OSSIO_ECANCELED. Once CompleteMultipartUpload has been sent, or a single PutObject's whole
 * body, the cancel cannot be honoured safely (the server may be writing the object): its answer
 * is awaited, and if the object was written |done| runs with OSSIO_OK, so the result says
 * whether the object exists. Not when the client is destroyed meanwhile: that request is
 * canceled too, |done| gets OSSIO_ECANCELED, and the object may exist. */
OSSIO_EXTERN void ossio_transfer_cancel(ossio_transfer *t);

/** Frees a transfer that was never submitted. NULL allowed. */
OSSIO_EXTERN void ossio_transfer_free(ossio_transfer *t);

/** Object size (once known), bytes moved, parts, and the object's CRC-64 (valid in the completion
 * callback). */
OSSIO_EXTERN uint64_t ossio_transfer_size(const ossio_transfer *t);
OSSIO_EXTERN uint64_t ossio_transfer_bytes(const ossio_transfer *t);
OSSIO_EXTERN unsigned ossio_transfer_parts(const ossio_transfer *t);
OSSIO_EXTERN uint64_t ossio_transfer_crc64(const ossio_transfer *t);

/**
 * Most bytes this transfer held in memory at once (parts waiting to be
 * delivered in order, or read from a file / pushed and not yet sent). All
 * transfers of a client share fs.oss.memory.limit: a part that does not fit
 * waits until memory is given back (OSSIO_STAT_MEMORY_PEAK is the sum's peak).
 */
OSSIO_EXTERN uint64_t ossio_transfer_memory_peak(const ossio_transfer *t);

/* ------------------------------------------------------------------------ */
/* Push uploads: a source of unknown length                                  */
/* ------------------------------------------------------------------------ */

/**
 * Upload source: bytes pushed by the caller with ossio_transfer_push() and
 * ended with ossio_transfer_push_end(); the length is not known in advance.
 * Up to one part, the data is sent with one PutObject at the end; beyond it,
 * a multipart upload starts and full parts are sent in parallel as they fill.
 * Parts waiting to be sent are held in memory within fs.oss.memory.limit and,
 * when fs.oss.buffer.dir is set, spilled there beyond it (temporary files,
 * removed at once). Submit first, then push.
 */
OSSIO_EXTERN ossio_status ossio_transfer_from_push(ossio_transfer *t);

/**
 * Appends |len| bytes at |data| (copied) to a push upload. Returns OSSIO_OK
 * when taken; OSSIO_EAGAIN when taking them would exceed the memory budget
 * and nothing can be spilled: nothing was taken, push again after the
 * writable callback runs. OSSIO_EINVAL after push_end or for a transfer
 * that is not a submitted push upload; the transfer's failure status once it
 * failed (it completes, or completed, through its callback).
 */
OSSIO_EXTERN ossio_status ossio_transfer_push(ossio_transfer *t, const void *data, size_t len);

/** Ends a push upload: the last part goes out, then the upload completes. */
OSSIO_EXTERN ossio_status ossio_transfer_push_end(ossio_transfer *t);

/** Called from the loop when a push upload that returned OSSIO_EAGAIN can take bytes again. */
typedef void (*ossio_writable_cb)(ossio_transfer *t, void *user_data);

/** Sets the writable callback of a push upload. Before submit. */
OSSIO_EXTERN void ossio_transfer_set_writable(ossio_transfer *t, ossio_writable_cb cb,
                                              void *user_data);

/**
 * Bounds how far a push upload runs ahead of the network: while |parts| full
 * parts wait to be sent (beyond the parts in flight), ossio_transfer_push()
 * takes nothing and returns OSSIO_EAGAIN, and the writable callback runs once
 * a part has gone out. A producer faster than the network then holds at most
 * (parts in flight + |parts| + 1) parts in memory instead of filling the
 * client's whole budget (fs.oss.memory.limit). 0, the default: only the
 * budget bounds it, as before (and with fs.oss.buffer.dir, parts beyond the
 * budget spill). `ossio cp -` uses 2. Before submit; OSSIO_EINVAL otherwise.
 */
OSSIO_EXTERN ossio_status ossio_transfer_set_push_queue(ossio_transfer *t, unsigned parts);

/* ------------------------------------------------------------------------ */
/* Input splits: Flink's FileInputFormat over objects                        */
/* ------------------------------------------------------------------------ */

/**
 * One input split: bytes [start, start+length) of one object. Records are
 * owned by the split their first byte falls in, as Flink's
 * DelimitedInputFormat decides (a split not at offset 0 skips its first
 * partial record and every split reads past its end to finish its last one),
 * so every record is read exactly once across a file's splits.
 */
typedef struct ossio_split {
    unsigned index;       /**< split number, 0-based, in plan order */
    const char *uri;      /**< the object, "oss://bucket/key" (owned by the plan) */
    uint64_t start;       /**< first byte */
    uint64_t length;      /**< bytes (the whole object for an unsplittable one) */
    uint64_t object_size; /**< the object's size */
    const char *etag;     /**< the object's ETag when known (reads send If-Match), else NULL */
    int unsplittable;     /**< compressed (.gz, .deflate): one split, inflated while read */
} ossio_split;

/** A set of splits over one or more objects. Not thread-safe. */
typedef struct ossio_split_plan ossio_split_plan;

/** An empty plan; NULL on out of memory. */
OSSIO_EXTERN ossio_split_plan *ossio_split_plan_new(void);

/** Frees |plan| and its splits (NULL allowed). */
OSSIO_EXTERN void ossio_split_plan_free(ossio_split_plan *plan);

/**
 * 1 if Flink's FileInputFormat would read a file of this |name| (the last
 * path segment of a key): names starting with '_' or '.' are skipped, and
 * so are NULL and "" (a "directory" marker).
 */
OSSIO_EXTERN int ossio_split_accept_name(const char *name);

/**
 * Adds an object to the plan: |uri| and |etag| (may be NULL) copied. Order
 * of adding is the order of the splits.
 */
OSSIO_EXTERN ossio_status ossio_split_plan_add(ossio_split_plan *plan, const char *uri,
                                               uint64_t size, const char *etag);

/**
 * Computes the splits as FileInputFormat.createInputSplits does:
 * maxSplitSize = ceil(total / |min_splits|), splitSize = max(|min_split_size|,
 * min(maxSplitSize, |block_size|)); a file's last split takes a remainder up
 * to 1.1 × splitSize; an empty file gives one empty split; a compressed file
 * (.gz, .deflate) gives one split. OSSIO_EINVAL for |min_splits| 0 or
 * |block_size| 0. Replaces any earlier computation.
 */
OSSIO_EXTERN ossio_status ossio_split_plan_compute(ossio_split_plan *plan, unsigned min_splits,
                                                   uint64_t block_size, uint64_t min_split_size);

/** Number of splits computed. */
OSSIO_EXTERN size_t ossio_split_plan_count(const ossio_split_plan *plan);

/** The |i|-th split (owned by the plan, valid until it is computed again or freed), or NULL. */
OSSIO_EXTERN const ossio_split *ossio_split_plan_get(const ossio_split_plan *plan, size_t i);

/** Completion of ossio_splits_plan(): |plan| is the caller's on success (free it), NULL on failure.
 */
typedef void (*ossio_plan_done_cb)(ossio_split_plan *plan, const ossio_result *result,
                                   void *user_data);

/**
 * Plans |uri| on the store: an object (HEAD), else every object directly
 * under "key/" (a listing with delimiter "/"; names accepted by
 * ossio_split_accept_name() only, nested "directories" not entered, as
 * Flink does by default), into at least |min_splits| splits with
 * fs.oss.block.size as block size and fs.oss.split.min.size as minimum.
 * |done| runs once from the loop (docs/splits.md). Errors as ossio_op_new(),
 * and OSSIO_EINVAL for |min_splits| 0: then |done| never runs. Through
 * |done|: OSSIO_ENOTFOUND when neither exists.
 */
OSSIO_EXTERN ossio_status ossio_splits_plan(ossio_client *cl, const char *uri, unsigned min_splits,
                                            ossio_plan_done_cb done, void *user_data);

/** A record: |len| bytes at |data|, without its delimiter. */
typedef struct ossio_record {
    const uint8_t *data;
    size_t len;
} ossio_record;

/**
 * A batch of records of |split|, in file order; the records point into
 * ossio's buffers and are valid until the callback returns (no per-record
 * allocation). Nonzero stops the read (OSSIO_ECANCELED).
 */
typedef int (*ossio_records_cb)(const ossio_split *split, const ossio_record *records, size_t n,
                                void *user_data);

/** Reads one split's records on the client's loop. */
typedef struct ossio_split_reader ossio_split_reader;

/** Completion of a split read: exactly once, from the loop; then the reader is freed. */
typedef void (*ossio_split_done_cb)(ossio_split_reader *r, const ossio_result *result,
                                    void *user_data);

/** A reader of |split| (copied). Errors as ossio_op_new(). */
OSSIO_EXTERN ossio_status ossio_split_reader_new(ossio_split_reader **out, ossio_client *cl,
                                                 const ossio_split *split);

/**
 * Record delimiter: 1..16 bytes (copied); default "\n". With "\n", a
 * trailing '\r' is stripped from each record, as Flink's TextInputFormat does.
 * Records are those of one sequential scan of the object, whatever the
 * splits; a delimiter that overlaps itself ("||", "aa") makes a split read
 * some bytes before its start to find them (docs/splits.md).
 */
OSSIO_EXTERN ossio_status ossio_split_reader_set_delimiter(ossio_split_reader *r, const void *delim,
                                                           size_t len);

/** Longest record accepted (default fs.oss.split.record.maximum); a longer one fails the read with
 * OSSIO_ERECORDSIZE. */
OSSIO_EXTERN ossio_status ossio_split_reader_set_max_record(ossio_split_reader *r, size_t max);

/** Sets the records callback. Before submit. */
OSSIO_EXTERN void ossio_split_reader_set_callbacks(ossio_split_reader *r, ossio_records_cb cb,
                                                   void *user_data);

/** Submits; |done| runs once from the loop. */
OSSIO_EXTERN ossio_status ossio_split_reader_submit(ossio_split_reader *r, ossio_split_done_cb done,
                                                    void *user_data);

/** Cancels a submitted read: |done| runs later with OSSIO_ECANCELED. */
OSSIO_EXTERN void ossio_split_reader_cancel(ossio_split_reader *r);

/** Frees a reader never submitted. NULL allowed. */
OSSIO_EXTERN void ossio_split_reader_free(ossio_split_reader *r);

/** Records delivered and object bytes fetched so far (valid in the completion callback). */
OSSIO_EXTERN uint64_t ossio_split_reader_records(const ossio_split_reader *r);
OSSIO_EXTERN uint64_t ossio_split_reader_bytes(const ossio_split_reader *r);

/**
 * Reads all records of |uri| (an object or a "directory" of objects, as
 * ossio_splits_plan()) as at least |parallelism| splits, up to |parallelism|
 * of them at once: Flink's env.readTextFile(). Records of one split arrive
 * in order; splits interleave.
 */
typedef struct ossio_text_reader ossio_text_reader;

/** Completion of a text read: exactly once, from the loop; then the reader is freed. */
typedef void (*ossio_text_done_cb)(ossio_text_reader *r, const ossio_result *result,
                                   void *user_data);

/** A text reader of |uri| (copied) with |parallelism| >= 1. Errors as ossio_op_new(). */
OSSIO_EXTERN ossio_status ossio_text_reader_new(ossio_text_reader **out, ossio_client *cl,
                                                const char *uri, unsigned parallelism);

/** As ossio_split_reader_set_delimiter(). Before submit. */
OSSIO_EXTERN ossio_status ossio_text_reader_set_delimiter(ossio_text_reader *r, const void *delim,
                                                          size_t len);

/** As ossio_split_reader_set_max_record(). Before submit. */
OSSIO_EXTERN ossio_status ossio_text_reader_set_max_record(ossio_text_reader *r, size_t max);

/** Sets the records callback (gets each batch's split). Before submit. */
OSSIO_EXTERN void ossio_text_reader_set_callbacks(ossio_text_reader *r, ossio_records_cb cb,
                                                  void *user_data);

/** Submits; |done| runs once from the loop. The first failing split fails the read. */
OSSIO_EXTERN ossio_status ossio_text_reader_submit(ossio_text_reader *r, ossio_text_done_cb done,
                                                   void *user_data);

/** Cancels: splits in flight are canceled, then |done| runs with OSSIO_ECANCELED. */
OSSIO_EXTERN void ossio_text_reader_cancel(ossio_text_reader *r);

/** Frees a reader never submitted. NULL allowed. */
OSSIO_EXTERN void ossio_text_reader_free(ossio_text_reader *r);

/** Splits planned, records delivered and bytes fetched (valid in the completion callback). */
OSSIO_EXTERN size_t ossio_text_reader_splits(const ossio_text_reader *r);
OSSIO_EXTERN uint64_t ossio_text_reader_records(const ossio_text_reader *r);
OSSIO_EXTERN uint64_t ossio_text_reader_bytes(const ossio_text_reader *r);

/* ------------------------------------------------------------------------ */
/* Text output: Flink's writeAsText                                          */
/* ------------------------------------------------------------------------ */

/** Flink's FileSystem.WriteMode. */
typedef enum ossio_write_mode {
    OSSIO_NO_OVERWRITE = 0, /**< fail with OSSIO_EEXISTS if the object exists (the default) */
    OSSIO_OVERWRITE = 1     /**< replace an existing object */
} ossio_write_mode;

/**
 * Writes records to one object as lines joined by "\n" (each record ends
 * with "\n", as Flink's TextOutputFormat writes), through a push upload:
 * one PutObject when small, else a multipart upload. A failure or cancel
 * leaves no object and no upload behind. Flink with parallelism N > 1 writes
 * a "directory" instead: N writers on uri + "/1" … uri + "/N", which
 * ossio_text_reader_new() reads back as one input. A writer not closed when
 * its client is destroyed is freed with it (no callback).
 */
typedef struct ossio_text_writer ossio_text_writer;

/** Completion of a text write: exactly once, from the loop; then the writer is freed. */
typedef void (*ossio_text_writer_done_cb)(ossio_text_writer *w, const ossio_result *result,
                                          void *user_data);

/** Opens a writer of |uri| (copied) in |mode|. Errors as ossio_op_new(). */
OSSIO_EXTERN ossio_status ossio_text_writer_open(ossio_text_writer **out, ossio_client *cl,
                                                 const char *uri, ossio_write_mode mode);

/**
 * Appends one record (|len| bytes copied) and its "\n". OSSIO_EAGAIN when
 * the memory budget is full and nothing can be spilled: nothing was taken;
 * call again after the writable callback. Other errors: the write failed
 * (its completion reports why). A writer that fails while its caller waits
 * after OSSIO_EAGAIN still gets the writable callback, and the next write
 * returns the failure: nobody waits forever on a dead upload.
 */
OSSIO_EXTERN ossio_status ossio_text_writer_write(ossio_text_writer *w, const void *data,
                                                  size_t len);

/** Called from the loop when a writer that returned OSSIO_EAGAIN takes records again. */
typedef void (*ossio_text_writable_cb)(ossio_text_writer *w, void *user_data);

/** Sets the writable callback. */
OSSIO_EXTERN void ossio_text_writer_set_writable(ossio_text_writer *w, ossio_text_writable_cb cb,
                                                 void *user_data);

/** Closes: the rest goes out and the object is completed; |done| runs once from the loop. */
OSSIO_EXTERN ossio_status ossio_text_writer_close(ossio_text_writer *w,
                                                  ossio_text_writer_done_cb done, void *user_data);

/** Cancels an open or closing writer: nothing is left behind; |done| (if closing) gets
 * OSSIO_ECANCELED, else the writer is freed now. */
OSSIO_EXTERN void ossio_text_writer_cancel(ossio_text_writer *w);

/** Records and bytes written, and the object's CRC-64 (valid in the completion callback). */
OSSIO_EXTERN uint64_t ossio_text_writer_records(const ossio_text_writer *w);
OSSIO_EXTERN uint64_t ossio_text_writer_bytes(const ossio_text_writer *w);
OSSIO_EXTERN uint64_t ossio_text_writer_crc64(const ossio_text_writer *w);

/* ------------------------------------------------------------------------ */
/* Presigned URLs                                                            */
/* ------------------------------------------------------------------------ */

/**
 * Signs a URL for |method| ("GET", "PUT", "HEAD" or "DELETE") on the object
 * |uri| (copied), valid for |expires_s| seconds (1 .. 604800), with the
 * client's scheme: OSS V1 (OSSAccessKeyId, Expires, Signature), OSS V4
 * (x-oss-signature-version ...) or, for the s3 dialect, AWS SigV4 (X-Amz-*).
 * Anyone holding the URL may perform that one request without credentials;
 * a PUT must be sent without Content-Type or Content-MD5 headers (they are
 * not signed). Makes no request. *out_url is a NUL-terminated string the
 * caller frees with free(); NULL on failure. Errors: OSSIO_EINVAL (bad
 * method or expiry), those of ossio_op_new() (with ossio_client_error()
 * saying what to fix), OSSIO_ENOMEM.
 */
OSSIO_EXTERN ossio_status ossio_presign(ossio_client *cl, const char *method, const char *uri,
                                        int64_t expires_s, char **out_url);

#ifdef __cplusplus
}
#endif

#endif /* OSSIO_H */
