/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_CTL_PROTO_DECODE_H
#define VSW_CTL_PROTO_DECODE_H 1

/*
 * Decoding a control request (the wire format is in proto.h), apart from the
 * socket I/O that receives it.
 *
 * Why a module of its own: the request is the only input vswd takes from
 * any local user, so its decoder is fuzzed (tests/fuzz/fuzz_ctl_request.c)
 * and must not need a socket, an epoll loop or a daemon to run.  The server
 * (ctl_server.c) receives the 4-byte length, asks vsw_ctl_decode_len()
 * whether to accept it, receives that many bytes and asks
 * vsw_ctl_split_args() for the argument vector.
 *
 * Thread safety: pure functions.
 */

#include <stddef.h>
#include <stdint.h>

#include "ctl/proto.h"
#include "util.h"

/**
 * Decodes the little-endian request length in 'hdr' into '*len'.  Returns 0
 * if it is in 1..VSW_CTL_MAX_REQ, else EMSGSIZE with the reason in 'err'.
 */
int vsw_ctl_decode_len(const uint8_t hdr[4], uint32_t *len, struct vsw_buf *err);

/**
 * Splits the request payload 'buf' of 'len' (> 0) bytes into NUL-terminated
 * arguments: argv[0..*argc) point into 'buf' and argv[*argc] is NULL
 * ('argv' has room for VSW_CTL_MAX_ARGS + 1 pointers).  Returns 0, EPROTO
 * if the last byte is not a NUL, or E2BIG for more than VSW_CTL_MAX_ARGS
 * arguments, with the reason in 'err'.
 */
int vsw_ctl_split_args(const char *buf, size_t len, char **argv, int *argc,
                       struct vsw_buf *err);

#endif /* VSW_CTL_PROTO_DECODE_H */
