/* The retry policy of operations: pure functions from an attempt's outcome
 * (status, HTTP status, the server's Code, attempt count) to the status the
 * operation reports, and to retry-or-not with its backoff. No clock, no
 * randomness of their own (the jitter is passed in): unit-tested with every
 * status and error (tests/ops/test_retry.c). */
#ifndef OSSIO__OPS_RETRY_H
#define OSSIO__OPS_RETRY_H

#include "ossio.h"

/* Backoff: full jitter below min(BASE * 2^attempt, CAP) seconds. */
#define OSSIO__BACKOFF_BASE 0.1
#define OSSIO__BACKOFF_CAP 20.0

/* The status of an error answer: HTTP status |http| (>= 300) with the
 * server's |code| ("" when none). */
ossio_status ossio__op_status_for(int http, const char *code);

/* Whether an error answer is worth repeating (5xx, throttling, clock skew). */
int ossio__op_retryable_http(int http, const char *code);

/* What is known once an attempt failed. */
typedef struct ossio__retry_in {
    ossio_status status; /* the attempt's failure */
    int http;            /* its HTTP status; 0 if no answer arrived */
    const char *code;    /* the server's Code; "" when none */
    unsigned attempt;    /* 0-based attempt that failed */
    unsigned attempts;   /* attempts allowed (fs.oss.attempts) */
    int origin_worked;   /* the origin has had a working connection */
    int body_is_reader;  /* the body came from a reader: it cannot be sent again */
    int delivered;       /* the caller has been handed response bytes */
    int resumable;       /* a GET with an ETag: it can resume after those bytes */
    int canceled;        /* stopped by a callback */
    int no_more;         /* the client is being destroyed or this was the last attempt */
} ossio__retry_in;

typedef struct ossio__retry_out {
    int retry;        /* 1: try again after |delay| */
    double delay;     /* seconds */
    int resync_clock; /* RequestTimeTooSkewed: re-sign with the server's clock */
} ossio__retry_out;

/* Decides after a failed attempt; |jitter| in [0, 1) scales the backoff. */
ossio__retry_out ossio__retry_decide(const ossio__retry_in *in, double jitter);

#endif /* OSSIO__OPS_RETRY_H */
