/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_OFP_MATCH_H
#define VSW_OFP_MATCH_H 1

/*
 * The match part of a flow line, parsed item by item (src/ofp/ofp_match.c),
 * and the helpers its printer (ofp_match_format.c) shares.  Internal to
 * src/ofp/: the flow-line parser (ofp_flow_mod.c) hands every key it does not
 * know itself to ofp_match_parse_item(), then calls ofp_match_finish().
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vsw/match.h"

/* Number of storage slots shared by several field keywords (enum slot in
 * ofp_match.c). */
#define OFP_MATCH_N_SLOTS 17

/* The state of a match being parsed. */
struct ofp_match_parser {
    struct vsw_match *match;        /* The match being built. */
    struct {
        const char *name;           /* Keyword that set this slot last. */
        uint8_t prereq;             /* Its prerequisite (enum prereq). */
    } who[OFP_MATCH_N_SLOTS];
};

/* Starts parsing into 'match', which the caller has initialised. */
void ofp_match_parser_init(struct ofp_match_parser *p, struct vsw_match *match);

/* Parses the item 'key'='val' ('val' is modified).  Returns ENOENT, without
 * touching 'err', if 'key' is not a match keyword; otherwise 0 or a positive
 * errno value with a message in 'err'. */
int ofp_match_parse_item(struct ofp_match_parser *p, const char *key, char *val,
                         char *err, size_t err_size);

/* Once every item is read: checks prerequisites, applies the OpenFlow 1.3
 * round trip and normalises the match.  0 or a positive errno value. */
int ofp_match_finish(struct ofp_match_parser *p, char *err, size_t err_size);

/* TCP flag names by bit, as ovs-ofctl spells them. */
extern const char *const ofp_tcp_flag_names[12];

static inline bool
ofp_bytes_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i]) {
            return false;
        }
    }
    return true;
}

#endif /* VSW_OFP_MATCH_H */
