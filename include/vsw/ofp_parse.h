/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_OFP_PARSE_H
#define VSW_OFP_PARSE_H 1

/**
 * @file
 * The ovs-ofctl flow syntax: parsing rule lines ("flow mods") and printing
 * matches back in the same syntax.
 *
 * Accepted: what `ovs-ofctl -O OpenFlow13 add-flow` accepts for the fields and
 * actions listed in docs/flow-syntax.md.  Semantics as Open vSwitch: host bits
 * under a mask are cleared, prerequisites are enforced (e.g. tp_dst needs a
 * transport protocol), and errors name the offending token.
 *
 * Thread safety: pure functions; the control thread calls them.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vsw/actions.h"
#include "vsw/match.h"

#define VSW_DEFAULT_PRIORITY 32768

/** What a flow line is for: the parser accepts different keys for each. */
enum vsw_fm_command {
    VSW_FM_ADD,           /**< add-flow: actions required. */
    VSW_FM_DELETE,        /**< del-flows: match only; priority ignored. */
    VSW_FM_DELETE_STRICT, /**< del-flows --strict: match and priority. */
};

/** A parsed flow line. */
struct vsw_flow_mod {
    struct vsw_match match;      /**< Normalised match. */
    uint16_t priority;           /**< Default VSW_DEFAULT_PRIORITY. */
    uint8_t table_id;            /**< Default 0. */
    bool has_table;              /**< True if "table=" was given. */
    uint64_t cookie;             /**< "cookie=V" (or V in "cookie=V/M"). */
    uint64_t cookie_mask;        /**< For delete: the M of "cookie=V/M"; add: 0. */
    uint16_t idle_timeout;       /**< Seconds, 0 = none. */
    uint16_t hard_timeout;       /**< Seconds, 0 = none. */
    struct vsw_actions *actions; /**< Owned; NULL for deletes. */
};

/**
 * Parses the flow line 's' for 'cmd' into 'fm'.  Returns 0 on success, or a
 * positive errno value with a one-line message in 'err' that names the
 * offending token.  On error nothing needs to be freed.
 */
int vsw_flow_mod_parse(const char *s, enum vsw_fm_command cmd,
                       struct vsw_flow_mod *fm, char *err, size_t err_size);

/** Writes a formatted message to 'err' (if nonnull) and returns 'code':
 *  the error convention of the flow-syntax parsers. */
int vsw_ofp_fail(char *err, size_t err_size, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/** Frees what 'fm' owns (its actions). */
void vsw_flow_mod_uninit(struct vsw_flow_mod *fm);

/**
 * Formats the match 'm' with 'priority' the way ovs-ofctl dump-flows prints
 * it, e.g. "priority=100,tcp,in_port=1,nw_dst=10.0.0.0/8,tp_dst=80".
 * 'priority' is omitted when it is VSW_DEFAULT_PRIORITY, as ovs-ofctl does.
 * Returns the length that the full string needs (snprintf convention).
 */
int vsw_match_format(const struct vsw_match *m, int priority, char *buf, size_t size);

/*
 * Lexical helpers shared by the flow parser and the action parser
 * (implemented in src/classifier/ofp_match.c).  Not meant for other users.
 */

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

#endif /* VSW_OFP_PARSE_H */
