/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the control request decoder (src/ctl/ctl_proto.c).
 *
 * The input is what a client sends: a 4-byte little-endian length, then
 * the payload.  As the server does, the length is decoded first and, if
 * accepted, exactly that many bytes are split into arguments (a short input
 * is a client that stopped sending: nothing to split).  Checked:
 *  - an oversized or zero length is refused with EMSGSIZE and a message;
 *  - the split either fails with EPROTO/E2BIG and a message, or gives
 *    1..VSW_CTL_MAX_ARGS arguments that, NUL-joined, are the payload
 *    exactly, with argv[argc] NULL.
 * The payload is copied into a buffer of exactly its size so that
 * AddressSanitizer catches any read past it.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vsw_buf err = { 0 };
    uint32_t len;
    int rc;

    if (size < 4) {
        return 0;
    }
    rc = vsw_ctl_decode_len(data, &len, &err);
    if (rc) {
        if (rc != EMSGSIZE || !err.len || (len && len <= VSW_CTL_MAX_REQ)) {
            abort();
        }
        vsw_buf_free(&err);
        return 0;
    }
    if (err.len || !len || len > VSW_CTL_MAX_REQ) {
        abort();
    }
    if (size - 4 < len) {
        return 0;
    }

    char *buf = malloc(len), *argv[VSW_CTL_MAX_ARGS + 1];
    int argc = -1;
    if (!buf) {
        abort();
    }
    memcpy(buf, data + 4, len);
    memset(argv, 0xa5, sizeof argv);
    rc = vsw_ctl_split_args(buf, len, argv, &argc, &err);
    if (rc) {
        if ((rc != EPROTO && rc != E2BIG) || !err.len) {
            abort();
        }
        if (rc == EPROTO && buf[len - 1] == '\0') {
            abort();
        }
    } else {
        size_t at = 0;
        if (err.len || argc < 1 || argc > VSW_CTL_MAX_ARGS || argv[argc] != NULL) {
            abort();
        }
        for (int i = 0; i < argc; i++) {
            size_t n = strlen(argv[i]);
            if (argv[i] != buf + at || at + n >= len) {
                abort();
            }
            at += n + 1;
        }
        if (at != len) {
            abort();
        }
    }
    vsw_buf_free(&err);
    free(buf);
    return 0;
}
