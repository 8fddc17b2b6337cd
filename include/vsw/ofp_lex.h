/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_OFP_LEX_H
#define VSW_OFP_LEX_H 1

/**
 * @file
 * Lexical helpers of the ovs-ofctl syntax, shared by the match, flow-line and
 * action parsers and by the formatters (src/ofp/ofp_lex.c): the error
 * convention, the key=value tokenizer, number and address parsing, and an
 * snprintf-style output buffer.  They know no OpenFlow field or action.
 *
 * Thread safety: pure functions.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vsw/flow.h"

/** Writes a formatted message to 'err' (if nonnull) and returns 'code':
 *  the error convention of the flow-syntax parsers. */
int vsw_ofp_fail(char *err, size_t err_size, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/**
 * Splits the next "key", "key=value", "key:value" or "key(value)" item off
 * the writable string '*pos', the way ovs-ofctl tokenises flow lines: leading
 * commas and white space are skipped, the key and value are NUL-terminated in
 * place and '*pos' is advanced past them.  A value ends at a comma or white
 * space outside parentheses.  A key without a value gets "".  Returns false
 * when nothing is left.
 */
bool vsw_ofp_next_kv(char **pos, char **key, char **value);

/**
 * Parses the unsigned integer s[0..n) written as in C (and ovs-ofctl):
 * decimal, 0x-prefixed hexadecimal or 0-prefixed octal.  Returns 0, EINVAL
 * for bad syntax or ERANGE if the value exceeds 'max'.
 */
int vsw_ofp_parse_uint(const char *s, size_t n, uint64_t max, uint64_t *out);

/** Parses "xx:xx:xx:xx:xx:xx" (1 or 2 hex digits a group).  0 or EINVAL. */
int vsw_ofp_parse_mac(const char *s, size_t n, uint8_t mac[VSW_ETH_ADDR_LEN]);

/** Parses a dotted-quad IPv4 address into network order.  0 or EINVAL. */
int vsw_ofp_parse_ipv4(const char *s, size_t n, rte_be32_t *ip);

/** Parses an IPv6 address (inet_pton syntax).  0 or EINVAL. */
int vsw_ofp_parse_ipv6(const char *s, size_t n, uint8_t ip6[16]);

/** An output buffer with snprintf() semantics for the formatters. */
struct vsw_ofp_buf {
    char *buf;    /**< Output, always NUL-terminated if 'size' > 0. */
    size_t size;  /**< Size of 'buf'. */
    size_t len;   /**< Length of everything appended, even what did not fit. */
};

void vsw_ofp_buf_init(struct vsw_ofp_buf *b, char *buf, size_t size);
void vsw_ofp_buf_printf(struct vsw_ofp_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void vsw_ofp_buf_put_mac(struct vsw_ofp_buf *b, const uint8_t mac[VSW_ETH_ADDR_LEN]);
void vsw_ofp_buf_put_ipv4(struct vsw_ofp_buf *b, rte_be32_t ip);
void vsw_ofp_buf_put_ipv6(struct vsw_ofp_buf *b, const uint8_t ip6[16]);

#endif /* VSW_OFP_LEX_H */
