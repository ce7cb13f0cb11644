/* The ossio command-line program: the state of one run, the command table
 * entry, and the helpers every command shares (parsing, output, errors, loop). */
#ifndef OSSIO_CLI_H
#define OSSIO_CLI_H

#include <ev.h>
#include <stdint.h>
#include <stdio.h>

#include <ossio.h>

/* Exit codes (documented in docs/cli.md and ossio(1)). */
enum {
    CLI_OK = 0,
    CLI_EFAIL = 1,     /* the operation failed */
    CLI_EUSAGE = 2,    /* bad command line or URI */
    CLI_ENOTFOUND = 3, /* no such bucket, object or upload */
    CLI_EACCESS = 4,   /* access denied, signature mismatch */
    CLI_ECONFIG = 5,   /* configuration: no endpoint, no credentials, bad value */
    CLI_ENET = 6,      /* DNS, connection, TLS */
    CLI_EINTR = 130    /* interrupted (SIGINT) */
};

#define CLI_MAX_SETTINGS 64

struct cli_command;

typedef struct cli {
    const struct cli_command *command;
    const char *name; /* the program, in usage and help lines: "ossio", "ossio-mpi" */
    const char *tag;  /* what starts its error lines: the name, or "ossio-mpi[2]" on rank 2 */
    int silent;       /* no usage, help or usage error text: another process prints them */
    /* global options, applied when the configuration is built */
    const char *config_file;
    const char
        *settings[CLI_MAX_SETTINGS][2]; /* key, value: -D, --endpoint, --resolve, --http1.1 */
    size_t n_settings;
    unsigned min_connections; /* the command's concurrency (cp -j): fs.oss.connection.maximum
                                 is raised to it unless some source set the key */
    int json, quiet, verbose;
    /* the run */
    struct ev_loop *loop;
    ossio_client *client;
    ev_signal sigint;
    int interrupted;
    int stopped_by_us; /* an op's callback stopped it (its error is reported instead) */
    unsigned pending;  /* completions still to come; cli_run() waits for 0 */
    void (*on_interrupt)(struct cli *c); /* cancels the command's work on SIGINT */
    int abandon_on_interrupt; /* read-only work with no cancel: cli_run() returns on SIGINT */
    void *cmd_state;
    int rc; /* exit code of the first failure */
} cli;

/* ---- args.c: command lines ------------------------------------------------ */

#define CLI_MAX_OPTS 16

/* A command option: -s, --long, or both; |id| indexes cli_args.set/val. */
typedef struct cli_opt {
    int id;
    char short_name;
    const char *long_name;
    int has_value;
} cli_opt;

typedef struct cli_args {
    int set[CLI_MAX_OPTS];
    const char *val[CLI_MAX_OPTS];
    char **pos; /* positional arguments (borrowed from argv) */
    int npos;
} cli_args;

/* One command. To add one (splits, count, bench): write cli/cmd_<name>.c
 * defining `const cli_command cli_cmd_<name>`, declare it below, list it in
 * main.c's table and in cli/CMakeLists.txt, and give it a docs/cli.md section.
 * ossio-mpi (mpi/) has a table of its own, built from the same pieces. */
typedef struct cli_command {
    const char *name;
    const char *usage;   /* after "ossio ": "ls [-r] [-l] oss://bucket[/prefix]" */
    const char *summary; /* one line for `ossio --help` */
    const char *help;    /* the command's options, one per line, for `ossio <cmd> --help` */
    const cli_opt *opts; /* its options, ending with an id < 0 entry; NULL: none */
    /* Runs with the parsed arguments; returns the exit code. */
    int (*run)(cli *c, const cli_args *a);
} cli_command;

extern const cli_command cli_cmd_ls, cli_cmd_stat, cli_cmd_cat, cli_cmd_cp, cli_cmd_rm, cli_cmd_mb,
    cli_cmd_rb, cli_cmd_presign, cli_cmd_config, cli_cmd_version, cli_cmd_splits, cli_cmd_count,
    cli_cmd_bench;

/* Parses a command's arguments (main.c does, before running it): its |opts|,
 * the global options anywhere, "--" and "-" (a positional). Returns 0, -1
 * when --help was printed, or CLI_EUSAGE after printing the error line.
 * Free with cli_args_free(). */
int cli_parse(cli *c, const cli_opt *opts, int argc, char **argv, cli_args *a);
void cli_args_free(cli_args *a);

/* Index in argv of the command name, skipping global options (and their
 * values) before it; argc when there is none. */
int cli_find_command(int argc, char **argv);

/* 1 for "scheme://..." (oss://, s3://, and any other scheme: the library
 * says which it takes). */
int cli_is_remote(const char *s);

/* Splits a remote URI's bucket and key: "oss://b/k" → bucket "b", key "k".
 * The key points into |uri|; the bucket is copied. 0, or -1 if malformed. */
int cli_split_uri(const char *uri, char *bucket, size_t bucket_len, const char **key);

/* Parses "A-B" (inclusive) or "A-" into offset and length (-1: to the end). */
int cli_parse_range(const char *s, uint64_t *off, int64_t *len);

/* Parses a decimal in [min, max]. */
int cli_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* Parses a byte count with an optional k/M/G/T suffix (powers of 1024), in [min, max]. */
int cli_parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* Parses "\n", "\r", "\t", "\\" and "\xHH" escapes of |s| into |out| (at
 * most |cap| bytes, not NUL-terminated); 0, or -1 if malformed or empty. */
int cli_parse_escapes(const char *s, char *out, size_t cap, size_t *len);

/* ---- stdin_push.c: standard input into a push upload ------------------------ */

typedef struct cli_stdin {
    struct ev_loop *loop;
    ossio_transfer *t;
    ev_io io;       /* a pipe or terminal: readable */
    ev_timer again; /* a regular file: the next slice */
    uint8_t *buf;
    size_t len; /* bytes read, not yet taken by the upload */
    int pipe, started, ended, failed;
    int saved_flags; /* stdin's file status flags before O_NONBLOCK */
} cli_stdin;

/* Starts feeding |t| (a submitted push upload) from standard input. */
int cli_stdin_start(cli_stdin *s, struct ev_loop *loop, ossio_transfer *t);
/* The upload's writable callback: read and push again. */
void cli_stdin_resume(cli_stdin *s);
/* Stops the watchers and frees the buffer (at the transfer's completion). */
void cli_stdin_stop(cli_stdin *s);

/* ---- output.c: results, errors, exit codes --------------------------------- */

/* The exit code for a failure with |st|. */
int cli_exit_code(ossio_status st);

/* Prints the one error line for a completed operation and returns its exit
 * code (also kept in c->rc if it is the first failure):
 *   ossio: <cmd> <uri>: <Code>: <Message> (RequestId <id>)
 *   ossio: <cmd> <uri>: <strerror>: <detail>                 */
int cli_fail(cli *c, const char *uri, const ossio_result *res);
/* Same for a status and a detail (may be NULL or ""). */
int cli_fail_status(cli *c, const char *uri, ossio_status st, const char *detail);
/* A usage error line; returns CLI_EUSAGE. */
int cli_usage_error(cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A JSON object written as it is built. */
typedef struct cli_json {
    FILE *f;
    int fields;
} cli_json;

void cli_json_string(FILE *f, const char *s); /* a quoted, escaped JSON string; NULL → null */
void cli_json_begin(cli_json *j, FILE *f);
void cli_json_str(cli_json *j, const char *key, const char *value);
void cli_json_u64(cli_json *j, const char *key, uint64_t value);
void cli_json_num(cli_json *j, const char *key, double value);
void cli_json_bool(cli_json *j, const char *key, int value);
/* Starts a field whose value the caller writes (an array, an object). */
void cli_json_key(cli_json *j, const char *key);
void cli_json_end(cli_json *j); /* "}" */

/* ---- progress.c: the progress bar ------------------------------------------ */

typedef struct cli_progress {
    int on;
    double start, last_draw;
    uint64_t done, total;
    unsigned files_done, files_total;
    unsigned in_flight;
    unsigned parts;
    int drawn;
} cli_progress;

/* A bar on stderr when it is a terminal and neither -q nor --json was given;
 * |stdout_used| when data goes to stdout (no bar if that is the terminal). */
void cli_progress_init(cli_progress *p, const cli *c, int stdout_used);
void cli_progress_draw(cli_progress *p, int force);
void cli_progress_finish(cli_progress *p);

/* ---- cli_main.c: a program's main ------------------------------------------- */

/* A program made of commands: ossio (main.c) and ossio-mpi (mpi/main.c). */
typedef struct cli_program {
    const char *name;     /* "ossio" */
    const char *tag;      /* error line prefix; NULL: the name */
    const char *launcher; /* before the name in the usage line ("mpirun -n N "), or "" */
    const cli_command *const *commands;
    size_t n_commands;
    int silent; /* print no usage or help (another process of the run does) */
} cli_program;

/* Finds the command, parses its arguments, runs it on the default libev loop
 * with the SIGINT watcher, and tears everything down. Returns the exit code. */
int cli_main(const cli_program *p, int argc, char **argv);

/* ---- client.c: configuration, client, loop ----------------------------------- */

/* Builds the configuration from the defaults, the environment, --config and
 * the command line. NULL after printing the error line (exit CLI_ECONFIG). */
ossio_config *cli_config(cli *c);
/* The client (created on first use, with the SIGINT watcher); NULL after an error line. */
ossio_client *cli_client(cli *c);
/* Runs the loop until c->pending is 0. */
void cli_run(cli *c);
/* A URI check through ossio_op_new(): prints the error line and returns the exit code. */
int cli_op_new(cli *c, ossio_op **op, ossio_op_kind kind, const char *uri);
/* Whether the library takes |uri| (scheme for the dialect, bucket, key):
 * 0, or the exit code after printing its reason, as cli_op_new(). */
int cli_check_uri(cli *c, const char *uri);
/* For a URI cli_split_uri() refused: the library's reason, else
 * OSSIO_EBADURI with |expected|. Returns the exit code. */
int cli_bad_uri(cli *c, const char *uri, const char *expected);
/* Submits |op| (its callbacks set), runs the loop until it completes (SIGINT
 * cancels it), prints the error line on failure; |on_ok| (may be NULL) runs
 * in the completion on success. Returns the exit code. */
int cli_op_run(cli *c, ossio_op *op, const char *uri, void (*on_ok)(ossio_op *op, void *ud),
               void *ud);

/* ---- cmd_splits.c: count's options and output, shared with ossio-mpi count ----- */

typedef struct cli_count_opts {
    unsigned parallelism; /* -p: at least this many splits, read this many at once */
    char delim[16];
    size_t dlen;
    uint64_t max_record; /* 0: fs.oss.split.record.maximum */
} cli_count_opts;

extern const cli_opt cli_count_options[]; /* -p, -d, --max-record */

/* Parses count's options (-p defaults to |default_p|) and checks one URI is
 * given. 0, or CLI_EUSAGE after the error line. */
int cli_count_parse(cli *c, const cli_args *a, unsigned default_p, cli_count_opts *o);
/* Prints count's result: the record count, or with --json the document
 * {uri, records, splits, bytes, seconds} (and "ranks" when |ranks| > 0). */
void cli_count_print(const cli *c, const char *uri, uint64_t records, uint64_t splits,
                     uint64_t bytes, double seconds, unsigned ranks);

/* ---- ckpt_text.c: what the checkpoint formats share ---------------------------- */

#define CLI_CKPT_MAX_TEXT (4u << 20) /* 10,000 parts of ~120 bytes fit well under it */

/* A strict cursor over a checkpoint's text, one line at a time; a fault is
 * written to |why| as "line N: WHAT". */
typedef struct cli_ckpt_cur {
    const char *p;
    size_t len, off;
    unsigned line;
    char *why;
    size_t why_len;
} cli_ckpt_cur;

/* Whether |s| can be written on one line (no control bytes). */
int cli_ckpt_one_line(const char *s);
/* Records "line N: |what|" and returns -1. */
int cli_ckpt_bad(cli_ckpt_cur *c, const char *what);
/* The next line without its '\n' (which must be there), free of control bytes. */
int cli_ckpt_line(cli_ckpt_cur *c, const char **s, size_t *n);
/* The first line: exactly |magic| ("ossio-ucp 1"), else a refusal naming
 * an unknown version or a file that is no checkpoint. */
int cli_ckpt_magic(cli_ckpt_cur *c, const char *magic);
/* "NAME VALUE": the value (rest of the line, not empty). */
int cli_ckpt_field(cli_ckpt_cur *c, const char *name, const char **v, size_t *vn);
/* A decimal without sign or leading zero at |s|; |*used| digits read. */
int cli_ckpt_dec(const char *s, size_t n, uint64_t *out, size_t *used);
int cli_ckpt_dec_field(cli_ckpt_cur *c, const char *name, uint64_t *out);
/* Exactly 16 lowercase hex digits. */
int cli_ckpt_hex16(const char *s, size_t n, uint64_t *out);
/* "NAME VALUE" with the value copied (malloc'd) into |*out|. */
int cli_ckpt_str_field(cli_ckpt_cur *c, const char *name, char **out);
/* The "end CRC" line |s| (|n| bytes) that began at offset |start|: the
 * CRC-64 of every byte before it, and nothing after it. */
int cli_ckpt_end(cli_ckpt_cur *c, const char *s, size_t n, size_t start);
/* A checkpoint format (.ossio-ucp, .ossio-dcp): its object's size, its
 * head lines, one of its part lines, its text, and freeing what it holds. */
typedef struct cli_ckpt_format {
    size_t size;
    int (*head)(cli_ckpt_cur *c, void *obj);
    int (*part)(cli_ckpt_cur *c, void *obj, const char *s, size_t n);
    char *(*format)(const void *obj, size_t *len);
    void (*free)(void *obj);
} cli_ckpt_format;
/* Parses untrusted |text| into |obj|: the head, part lines, then "end"
 * (checked): 0, or -1 with |why| naming the line (|obj| then holds nothing). */
int cli_ckpt_parse(const cli_ckpt_format *f, void *obj, const char *text, size_t len, char *why,
                   size_t why_len);
/* Reads |path| and parses it: 0, 1 if there is none, -1 with |why|. */
int cli_ckpt_load(const cli_ckpt_format *f, void *obj, const char *path, char *why, size_t why_len);
/* Formats |obj| and writes it to |path| crash-safe (cli_ckpt_write). */
int cli_ckpt_save(const cli_ckpt_format *f, const void *obj, const char *path, char *why,
                  size_t why_len);
/* Appends "end CRC" to the |n| bytes of malloc'd text at |s| (|cap| bytes):
 * |s| with its length in |*len|, or NULL (|s| freed) if it does not fit. */
char *cli_ckpt_seal(char *s, size_t n, size_t cap, size_t *len);
/* The start of a "part N ..." line at |*s| (|*n| bytes): N (1..10000) in
 * |*num|, |*s| and |*n| moved past "part N ". */
int cli_ckpt_part_number(cli_ckpt_cur *c, const char **s, size_t *n, uint64_t *num);
/* Where the checkpoint of |local_abs| and |remote| lives (malloc'd):
 * |local_abs| followed by |ext| (".ossio-ucp"), or in |dir| (may be NULL)
 * named by the local basename and a hash of both. */
char *cli_ckpt_path(const char *local_abs, const char *remote, const char *dir, const char *ext);
/* Reads |path| whole (at most CLI_CKPT_MAX_TEXT + 1 bytes) into |*text|
 * (malloc'd): 0, 1 if there is none, -1 with |why|. */
int cli_ckpt_read(const char *path, char **text, size_t *len, char *why, size_t why_len);
/* Writes |len| bytes of |text| (taken and freed; NULL: could not be
 * formatted) to |path| crash-safe: a temporary name, fsync, rename,
 * directory fsync. 0, or -1 with |why|. */
int cli_ckpt_write(const char *path, char *text, size_t len, char *why, size_t why_len);
/* fsync of |path|'s directory, so a rename or unlink there survives a crash. */
int cli_ckpt_sync_dir(const char *path);
/* Removes |path| (none is fine) and syncs its directory: 0 or -1. */
int cli_ckpt_remove(const char *path);

/* ---- ckpt_saver.c: when a checkpoint is written ------------------------------- */

typedef struct cli_saver {
    struct ev_loop *loop;
    ev_timer later;
    double last_save;
    int (*write)(void *ud, char *why, size_t why_len); /* 0, or -1 with |why| */
    void *ud;
    int dirty, saved, failed; /* failed: a write failed, |why| says why */
    char why[600];
} cli_saver;

/* |write| (with |ud|, borrowed) writes the checkpoint. */
void cli_saver_init(cli_saver *s, struct ev_loop *loop, int (*write)(void *, char *, size_t),
                    void *ud);
/* Writes it now. */
void cli_saver_now(cli_saver *s);
/* It changed: written now if the last write is 200 ms old, else then. */
void cli_saver_soon(cli_saver *s);
/* Writes it now if it changed since the last write; no write pending after. */
void cli_saver_flush(cli_saver *s);
/* No write pending after (before freeing |s|). */
void cli_saver_stop(cli_saver *s);

/* ---- checkpoint.c: cp --resume's checkpoint file ------------------------------ */

typedef struct cli_ucp_part {
    uint32_t number;
    uint64_t size;
    char etag[128];
    uint64_t crc64;
} cli_ucp_part;

/* What a checkpoint records (docs/cli.md, "Resuming an upload"). */
typedef struct cli_ucp {
    char *source; /* absolute path */
    uint64_t size, mtime_ns;
    char *dest; /* the destination URI as given */
    uint64_t part_size;
    char upload_id[256];
    cli_ucp_part *parts; /* by number, increasing */
    size_t n_parts, cap;
} cli_ucp;

void cli_ucp_free(cli_ucp *u);
/* Records a part stored (replacing one of that number): 0, or -1 if invalid or out of memory. */
int cli_ucp_add_part(cli_ucp *u, uint32_t number, uint64_t size, const char *etag, uint64_t crc64);
/* The checkpoint's text (malloc'd, |*len| bytes), or NULL if a value cannot be written. */
char *cli_ucp_format(const cli_ucp *u, size_t *len);
/* Parses untrusted |text|: 0, or -1 with |why| naming the line and the fault
 * (|u| then holds nothing). Free |u| with cli_ucp_free(). */
int cli_ucp_parse(cli_ucp *u, const char *text, size_t len, char *why, size_t why_len);
/* 0 if |u| is about this source (unchanged) and destination, else -1 with
 * |why| naming what changed. */
int cli_ucp_check(const cli_ucp *u, const cli_ucp *now, char *why, size_t why_len);
/* Reads and parses |path|: 0, 1 if there is none, -1 with |why|. */
int cli_ucp_load(cli_ucp *u, const char *path, char *why, size_t why_len);
/* Writes |path| crash-safe (cli_ckpt_write). */
int cli_ucp_save(const cli_ucp *u, const char *path, char *why, size_t why_len);

/* ---- cp_resume.c: one upload under cp --resume ---------------------------------- */

typedef struct cli_resume cli_resume;

/* Before submitting the upload |t| of |src| to |dst|: with a checkpoint that
 * matches, |t| continues its upload; with none, one is written once the
 * upload id is known; either way it is kept current (and the upload kept on
 * failure). A checkpoint that is damaged or names a changed file, another
 * destination or part size is refused: OSSIO_EINVAL with |why|. */
ossio_status cli_resume_begin(cli_resume **out, struct ev_loop *loop, ossio_transfer *t,
                              const char *src, const char *dst, const char *dir, uint64_t part_size,
                              char *why, size_t why_len);
/* At the upload's completion (see cp_resume.c): 1 with |why| to print instead of the result's. */
int cli_resume_end(cli_resume *r, const ossio_result *res, char *why, size_t why_len);
void cli_resume_free(cli_resume *r); /* NULL allowed */

/* ---- dcp.c: the download checkpoint (.ossio-dcp) ------------------------------ */

typedef struct cli_dcp_part {
    uint32_t number; /* part N covers [(N - 1) × part_size, ...) */
    uint64_t size;
    uint64_t crc64;
} cli_dcp_part;

/* What a download checkpoint records (docs/cli.md, "Resuming a download"). */
typedef struct cli_dcp {
    char *source; /* the object's URI as given */
    char etag[128];
    uint64_t size;
    uint64_t crc64; /* x-oss-hash-crc64ecma, when has_crc64 */
    int has_crc64;
    uint64_t part_size;
    char *dest;          /* the destination file's absolute path */
    uint64_t inode;      /* the partial file's (DEST.ossio-partial) */
    uint64_t file_size;  /* its size: the object's, set at once */
    cli_dcp_part *parts; /* written and synced, by number, increasing */
    size_t n_parts, cap;
} cli_dcp;

void cli_dcp_free(cli_dcp *d);
/* Records a part written (replacing one of that number): 0, or -1 if it is
 * not inside the object (size, part_size set first) or out of memory. */
int cli_dcp_add_part(cli_dcp *d, uint32_t number, uint64_t size, uint64_t crc64);
/* The checkpoint's text (malloc'd, |*len| bytes), or NULL if a value cannot be written. */
char *cli_dcp_format(const cli_dcp *d, size_t *len);
/* Parses untrusted |text|: 0, or -1 with |why| naming the line and the fault
 * (|d| then holds nothing). Free |d| with cli_dcp_free(). */
int cli_dcp_parse(cli_dcp *d, const char *text, size_t len, char *why, size_t why_len);
/* Reads and parses |path|: 0, 1 if there is none, -1 with |why|. */
int cli_dcp_load(cli_dcp *d, const char *path, char *why, size_t why_len);
/* Writes |path| crash-safe (cli_ckpt_write). */
int cli_dcp_save(const cli_dcp *d, const char *path, char *why, size_t why_len);
/* 0 if |d| is about |now|'s object, destination and part size, else -1 with |why|. */
int cli_dcp_check(const cli_dcp *d, const cli_dcp *now, char *why, size_t why_len);

/* ---- cp_dresume.c: one download under cp --resume ------------------------------- */

typedef struct cli_dresume cli_dresume;

/* Before submitting the download |t| of |src| into the file |dst|: the bytes
 * go to DST.ossio-partial (renamed over |dst| on success) through a
 * descriptor sink; with a checkpoint that matches (object, destination,
 * part size, the partial file's inode and size, and the CRC-64 of every
 * part it lists, read back) |t| is pinned to the object's ETag and fetches
 * only the missing parts; with none, one is written once the object is
 * known. A checkpoint that does not match or is damaged: OSSIO_EINVAL with
 * |why|, nothing touched. */
ossio_status cli_dresume_begin(cli_dresume **out, struct ev_loop *loop, ossio_transfer *t,
                               const char *src, const char *dst, const char *dir,
                               uint64_t part_size, char *why, size_t why_len);
/* At the download's completion: success renames the partial file over the
 * destination and removes the checkpoint; 1 with |why| to print instead of
 * the result's. */
int cli_dresume_end(cli_dresume *r, const ossio_result *res, char *why, size_t why_len);
void cli_dresume_free(cli_dresume *r); /* NULL allowed */

/* ---- jobs.c: transfers in parallel (cp, cat) ---------------------------------- */

typedef enum cli_job_kind {
    CLI_JOB_UPLOAD,   /* local file → object */
    CLI_JOB_STDIN,    /* standard input → object */
    CLI_JOB_DOWNLOAD, /* object → local file (parent directories made) */
    CLI_JOB_STDOUT,   /* object → standard output */
    CLI_JOB_COPY      /* object → object, server-side */
} cli_job_kind;

typedef struct cli_jobs cli_jobs;

cli_jobs *cli_jobs_new(cli *c, unsigned parallel);
/* Adds a job (|src| and |dst| copied); |size| when known, else 0. */
int cli_jobs_add(cli_jobs *js, cli_job_kind kind, const char *src, const char *dst, uint64_t size);
/* cp --resume: a file upload or download keeps a checkpoint (in |dir|,
 * NULL: next to the local file) and continues from it; |up_part| and
 * |down_part| are the configured fs.oss.multipart.upload.size and
 * .download.size. |dir| is borrowed for the jobs' life. */
void cli_jobs_set_resume(cli_jobs *js, const char *dir, uint64_t up_part, uint64_t down_part);
size_t cli_jobs_count(const cli_jobs *js);
/* Runs every job, up to |parallel| at once; prints errors; returns the exit code. */
int cli_jobs_run(cli_jobs *js);
void cli_jobs_free(cli_jobs *js);

#endif /* OSSIO_CLI_H */
