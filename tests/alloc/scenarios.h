/* The operations of the allocation-failure sweep (tests/alloc/). */
#ifndef OSSIO_TESTS_ALLOC_SCENARIOS_H
#define OSSIO_TESTS_ALLOC_SCENARIOS_H

#include <stddef.h>
#include <stdint.h>

#include <ossio.h>

enum { SC_OK = 0, SC_NAMED = 1, SC_WRONG = 2 };

/* What the store holds before the sweep (written unarmed). */
typedef struct sc_fixture {
    char big_uri[512];  /* big_len bytes of big: a 3-part download */
    char up_uri[512];   /* where the upload writes */
    char list_uri[512]; /* list_count objects under this prefix */
    char text_uri[512]; /* text_lines lines */
    char out_uri[512];  /* where the text write writes */
    uint8_t *big;
    size_t big_len;
    uint64_t big_crc;
    unsigned list_count;
    unsigned text_lines;
} sc_fixture;

/* The detail of the last failed upload (it may say an upload is left). */
extern char sc_last_detail[512];

int sc_download(ossio_client *cl, const sc_fixture *fx);
int sc_upload(ossio_client *cl, const sc_fixture *fx);
int sc_list(ossio_client *cl, const sc_fixture *fx);
int sc_split(ossio_client *cl, const sc_fixture *fx);
int sc_text_write(ossio_client *cl, const sc_fixture *fx);

#endif
