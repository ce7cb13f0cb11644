/* The outcome of a logical call (an operation, a transfer, a split read):
 * the first failure decides it, with every field of the server's error kept
 * for ossio_result. One accumulator, one cap per field, for all three. */
#ifndef OSSIO__UTIL_OUTCOME_H
#define OSSIO__UTIL_OUTCOME_H

#include <stdint.h>

#include "ossio.h"

/* The one cap on a server Message, wherever a result carries it. */
#define OSSIO__MESSAGE_MAX 1024

typedef struct ossio__outcome {
    int decided;
    ossio_status status;
    int http_status;
    char detail[512];
    /* the server's error (ossio_result's code .. ec); "" when none */
    char code[64];
    char message[OSSIO__MESSAGE_MAX];
    char request_id[64];
    char host_id[256];
    char ec[64];
    /* over several operations (split reads): ossio__outcome_account() */
    const char *protocol; /* static */
    unsigned retries;
    ossio_result result; /* ossio__outcome_result()'s */
} ossio__outcome;

/* Decides |st| unless already decided; returns 1 if this call decided.
 * |detail| is copied (it may be o->detail itself); NULL or "": the status's
 * text. A success keeps no detail. */
int ossio__outcome_decide(ossio__outcome *o, ossio_status st, const char *detail);

/* Decides failure |st| unless already decided, copying the server's fields
 * (HTTP status, Code, Message, RequestId, HostId, EC) from |from| (borrowed;
 * NULL: none). Returns 1 if this call decided. */
int ossio__outcome_fail(ossio__outcome *o, ossio_status st, const char *detail,
                        const ossio_result *from);

/* Decides success unless already decided. */
void ossio__outcome_ok(ossio__outcome *o);

/* The object was written after all (a cancel that came after the request
 * that writes it was sent): OK, whatever was decided before. */
void ossio__outcome_written(ossio__outcome *o);

/* Forgets the server's fields and HTTP status (a new attempt starts). */
void ossio__outcome_clear_server(ossio__outcome *o);

/* Counts one finished operation's retries and protocol. */
void ossio__outcome_account(ossio__outcome *o, const ossio_result *res);

/* Fills |res|'s status, http_status, detail ("" on success) and server
 * fields (NULL when empty); its pointers borrow |o|. Other fields untouched. */
void ossio__outcome_fill(const ossio__outcome *o, ossio_result *res);

/* Fills o->result (as ossio__outcome_fill, plus the accounted retries and
 * protocol and |bytes_received|) for a completion callback; valid while |o|
 * lives and is not changed. */
const ossio_result *ossio__outcome_result(ossio__outcome *o, uint64_t bytes_received);

#endif /* OSSIO__UTIL_OUTCOME_H */
