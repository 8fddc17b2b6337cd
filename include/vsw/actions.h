/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_ACTIONS_H
#define VSW_ACTIONS_H 1

/**
 * @file
 * OpenFlow action lists: parsed from ovs-ofctl syntax by the control thread,
 * executed on packets by PMD threads.
 *
 * An action list is an immutable, flat array built once when a rule is added
 * and freed (after an RCU grace period) when the rule goes away, so the
 * executor never allocates and never chases pointers.
 *
 * Execution semantics follow Open vSwitch (see docs/ovs-compat.md): actions
 * run in order; every output emits the packet as it is at that point; header
 * rewrites apply only to packets that have that header; output to the ingress
 * port is skipped unless the action is "in_port"; dec_ttl on a TTL of 0 or 1
 * ends the action list (the packet would go to a controller, and vsw has
 * none).
 */

#include <stddef.h>
#include <stdint.h>

#include "vsw/flow.h"

enum vsw_action_type {
    VSW_ACT_OUTPUT,         /**< port: OpenFlow port. */
    VSW_ACT_IN_PORT,        /**< Output to the ingress port. */
    VSW_ACT_ALL,            /**< Output to every port but the ingress one. */
    VSW_ACT_SET_ETH_SRC,    /**< mac. */
    VSW_ACT_SET_ETH_DST,    /**< mac. */
    VSW_ACT_SET_IPV4_SRC,   /**< be32. */
    VSW_ACT_SET_IPV4_DST,   /**< be32. */
    VSW_ACT_SET_IP_DSCP,    /**< u8: the DSCP already shifted into TOS position. */
    VSW_ACT_SET_IP_ECN,     /**< u8: ECN (low two bits). */
    VSW_ACT_SET_IP_TTL,     /**< u8. */
    VSW_ACT_DEC_TTL,        /**< no argument. */
    VSW_ACT_SET_L4_SRC,     /**< be16. */
    VSW_ACT_SET_L4_DST,     /**< be16. */
    VSW_ACT_PUSH_VLAN,      /**< be16: the TPID. */
    VSW_ACT_SET_VLAN_VID,   /**< u16: VID (set_field semantics: keeps PCP). */
    VSW_ACT_SET_VLAN_PCP,   /**< u8: PCP (only on a tagged packet). */
    VSW_ACT_POP_VLAN,       /**< no argument. */
    VSW_ACT_SET_IPV6_SRC,   /**< ip6. */
    VSW_ACT_SET_IPV6_DST,   /**< ip6. */
    VSW_ACT_SET_IPV6_LABEL, /**< be32. */
    VSW_ACT_NORMAL,         /**< The L2 learning switch (src/xlate/xlate_normal.c). */
    VSW_ACT_FLOOD,          /**< Output to every port but the ingress one (no
                             *   port is excluded from flooding in vsw). */
    VSW_ACT_N_TYPES
};

/* vsw_action.flags. */
#define VSW_ACTF_SET_FIELD 0x02      /* Spelled as set_field:V->F by the user. */
#define VSW_ACTF_SPELL_ALT 0x04      /* Alternative spelling (pop_vlan, mod_nw_tos
                                        vs ip_dscp...), kept for dump-flows. */
#define VSW_ACTF_L4_UDP 0x08         /* SET_L4_*: the rule matches UDP, so the
                                        rewrite prints as udp_src/udp_dst. */
#define VSW_ACTF_L4_SCTP 0x10        /* SET_L4_*: SCTP (neither bit: TCP). */

struct vsw_action {
    uint8_t type;   /**< enum vsw_action_type. */
    uint8_t flags;  /**< VSW_ACTF_*. */
    uint16_t pad;
    union {
        uint32_t port;       /**< VSW_ACT_OUTPUT. */
        uint8_t mac[6];      /**< SET_ETH_*. */
        rte_be32_t be32;     /**< SET_IPV4_*, SET_IPV6_LABEL. */
        rte_be16_t be16;     /**< SET_L4_*, PUSH_VLAN. */
        uint16_t u16;        /**< SET_VLAN_VID. */
        uint8_t u8;          /**< SET_IP_DSCP, SET_IP_ECN, SET_IP_TTL, SET_VLAN_PCP. */
        uint8_t ip6[16];     /**< SET_IPV6_*. */
    };
};

/** An immutable action list. */
struct vsw_actions {
    uint32_t n;                 /**< Number of actions; 0 means drop. */
    uint32_t n_outputs;         /**< Number of output-type actions. */
    struct vsw_action a[];      /**< The actions, in order. */
};

/** Size in bytes of an action list of 'n' actions. */
static inline size_t
vsw_actions_size(uint32_t n)
{
    return sizeof(struct vsw_actions) + n * sizeof(struct vsw_action);
}

/* Parsing, printing and freeing action lists: vsw/ofp_actions.h. */

#endif /* VSW_ACTIONS_H */
