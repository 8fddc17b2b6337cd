/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_OFP_ACTIONS_H
#define VSW_OFP_ACTIONS_H 1

/**
 * @file
 * Action lists (vsw/actions.h) in the ovs-ofctl syntax: parsing, printing,
 * and freeing what the parser allocated (src/ofp/ofp_actions.c).  Kept apart
 * from vsw/actions.h so that the datapath and the field registry can use
 * the action types without depending on the OpenFlow text layer.
 *
 * Thread safety: pure functions; the control thread calls them.
 */

#include <stddef.h>

#include "vsw/actions.h"

struct vsw_match;

/**
 * Parses the ovs-ofctl action string 's' (the text after "actions=") into a
 * newly allocated list stored in '*out'.  'match' is the rule's match, for
 * prerequisite checks.  On error returns a positive errno value and writes a
 * message naming the offending token into 'err' (of 'err_size' bytes).
 */
int vsw_actions_parse(const char *s, const struct vsw_match *match,
                      struct vsw_actions **out, char *err, size_t err_size);

/** vsw_actions_parse() without a rule: no prerequisite is checked (a
 *  group bucket's actions; as OVS, an action whose header the packet lacks
 *  does nothing at translation). */
int vsw_actions_parse_unchecked(const char *s, struct vsw_actions **out, char *err,
                                size_t err_size);

/** Formats 'acts' in ovs-ofctl syntax (without "actions="). */
int vsw_actions_format(const struct vsw_actions *acts, char *buf, size_t size);

void vsw_actions_free(struct vsw_actions *acts);

#endif /* VSW_OFP_ACTIONS_H */
