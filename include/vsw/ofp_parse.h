/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_OFP_PARSE_H
#define VSW_OFP_PARSE_H 1

/**
 * @file
 * The ovs-ofctl flow syntax: parsing rule lines ("flow mods") and printing
 * matches back in the same syntax.
 *
 * Accepted: what `ovs-ofctl -O OpenFlow13 add-flow` accepts for the fields and
 * actions listed in docs/ovs-compat.md.  Semantics as Open vSwitch: host bits
 * under a mask are cleared, prerequisites are enforced (e.g. tp_dst needs a
 * transport protocol), and errors name the offending token.
 *
 * Thread safety: pure functions; the control thread calls them.
 *
 * Implemented in src/ofp/: ofp_flow_mod.c (flow lines), ofp_match.c (the
 * match part), ofp_match_format.c (printing), ofp_actions.c,
 * ofp_actions_pipe.c and ofp_actions_field.c (actions) and ofp_lex.c (the lexical helpers in vsw/ofp_lex.h).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vsw/actions.h"
#include "vsw/ofp_actions.h"
#include "vsw/match.h"
#include "vsw/ofp_lex.h"

#define VSW_DEFAULT_PRIORITY 32768

/* Flow-mod flags (vsw_flow_mod.flags, vsw_rule.flags), OpenFlow's values. */
#define VSW_FF_SEND_FLOW_REM 0x0001  /**< Report the rule's removal. */

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
    uint16_t flags;              /**< VSW_FF_* ("send_flow_rem"). */
    struct vsw_actions *actions; /**< Owned; NULL for deletes. */
};

/**
 * Parses the flow line 's' for 'cmd' into 'fm'.  Returns 0 on success, or a
 * positive errno value with a one-line message in 'err' that names the
 * offending token.  On error nothing needs to be freed.
 */
int vsw_flow_mod_parse(const char *s, enum vsw_fm_command cmd,
                       struct vsw_flow_mod *fm, char *err, size_t err_size);

/** Frees what 'fm' owns (its actions). */
void vsw_flow_mod_uninit(struct vsw_flow_mod *fm);

/**
 * Formats the match 'm' with 'priority' the way ovs-ofctl dump-flows prints
 * it, e.g. "priority=100,tcp,in_port=1,nw_dst=10.0.0.0/8,tp_dst=80".
 * 'priority' is omitted when it is VSW_DEFAULT_PRIORITY, as ovs-ofctl does.
 * Returns the length that the full string needs (snprintf convention).
 */
int vsw_match_format(const struct vsw_match *m, int priority, char *buf, size_t size);

#endif /* VSW_OFP_PARSE_H */
