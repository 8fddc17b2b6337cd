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
    /* The pipeline (src/xlate/xlate_pipe.c). */
    VSW_ACT_RESUBMIT,       /**< resubmit: look up table 'resubmit.table' (255:
                             *   the current one) with in_port 'resubmit.port'
                             *   (VSW_OFPP_IN_PORT: unchanged), run that rule's
                             *   actions, come back. */
    VSW_ACT_GOTO_TABLE,     /**< goto_table:'resubmit.table' (always last). */
    VSW_ACT_WRITE_METADATA, /**< write_metadata:'md.value'/'md.mask'. */
    VSW_ACT_LOAD,           /**< load:V->F[ofs..], set_field:V/M->F: write
                             *   'load.value' under 'load.mask' into field
                             *   'load.field' (both already shifted into the
                             *   field's position, host order). */
    VSW_ACT_MOVE,           /**< move:SRC[a..b]->DST[c..d]. */
    /* Groups (src/xlate/xlate_group.c). */
    VSW_ACT_GROUP,          /**< group:'group'. */
    /* The controller (src/xlate/xlate_controller.c). */
    VSW_ACT_CONTROLLER,     /**< controller(...): 'ctrl'. */
    VSW_ACT_N_TYPES
};

/* vsw_action.flags. */
#define VSW_ACTF_SET_FIELD 0x02      /* Spelled as set_field:V->F by the user. */
#define VSW_ACTF_SPELL_ALT 0x04      /* Alternative spelling (pop_vlan, mod_nw_tos
                                        vs ip_dscp...), kept for dump-flows. */
#define VSW_ACTF_L4_UDP 0x08         /* SET_L4_*: the rule matches UDP, so the
                                        rewrite prints as udp_src/udp_dst. */
#define VSW_ACTF_L4_SCTP 0x10        /* SET_L4_*: SCTP (neither bit: TCP). */

/* OpenFlow reserved port numbers (as OpenFlow 1.0 / ovs-ofctl number them). */
#define VSW_OFPP_MAX 0xff00          /* Highest ordinary port + 1. */
#define VSW_OFPP_IN_PORT 0xfff8
#define VSW_OFPP_TABLE 0xfff9
#define VSW_OFPP_NORMAL 0xfffa
#define VSW_OFPP_FLOOD 0xfffb
#define VSW_OFPP_ALL 0xfffc
#define VSW_OFPP_CONTROLLER 0xfffd
#define VSW_OFPP_LOCAL 0xfffe
#define VSW_OFPP_NONE 0xffff

/* Packet-in reasons (OpenFlow 1.3 numbering, as ovs-ofctl prints them). */
enum vsw_pin_reason {
    VSW_PIN_NO_MATCH = 0,     /* "no_match": table miss. */
    VSW_PIN_ACTION = 1,       /* "action": controller action. */
    VSW_PIN_INVALID_TTL = 2,  /* "invalid_ttl". */
    VSW_PIN_ACTION_SET = 3,   /* "action_set". */
    VSW_PIN_GROUP = 4,        /* "group". */
    VSW_PIN_PACKET_OUT = 5,   /* "packet_out". */
};

/* Most bytes of controller userdata an action may carry. */
#define VSW_CTRL_USERDATA_MAX 64

struct vsw_action {
    uint8_t type;   /**< enum vsw_action_type. */
    uint8_t flags;  /**< VSW_ACTF_*. */
    uint8_t field;  /**< LOAD: enum vsw_field_id of the destination. */
    uint8_t pad;
    union {
        uint32_t port;       /**< VSW_ACT_OUTPUT. */
        uint8_t mac[6];      /**< SET_ETH_*. */
        rte_be32_t be32;     /**< SET_IPV4_*, SET_IPV6_LABEL. */
        rte_be16_t be16;     /**< SET_L4_*, PUSH_VLAN. */
        uint16_t u16;        /**< SET_VLAN_VID. */
        uint8_t u8;          /**< SET_IP_DSCP, SET_IP_ECN, SET_IP_TTL, SET_VLAN_PCP. */
        uint8_t ip6[16];     /**< SET_IPV6_*. */
        struct {
            uint32_t port;   /**< VSW_OFPP_IN_PORT: keep in_port. */
            uint8_t table;   /**< 255: the current table. */
        } resubmit;          /**< RESUBMIT, GOTO_TABLE (only 'table'). */
        struct {
            uint64_t value;  /**< Host order, as written: bits outside
                              *   'mask' are kept (OVS prints them) and
                              *   ignored by the translation. */
            uint64_t mask;
        } md;                /**< WRITE_METADATA. */
        struct {
            uint64_t value;  /**< Host order, within 'mask'. */
            uint64_t mask;   /**< Bits of the field written (host order). */
        } load;              /**< LOAD: the destination is 'field'. */
        struct {
            uint8_t src, dst;        /**< enum vsw_field_id. */
            uint8_t src_ofs, dst_ofs;
            uint8_t n_bits;          /**< 1..64. */
        } move;              /**< MOVE. */
        uint32_t group;      /**< GROUP: group id. */
        struct {
            uint16_t max_len;        /**< Bytes of the packet sent (65535: all). */
            uint16_t id;             /**< Controller id. */
            uint8_t reason;          /**< enum vsw_pin_reason. */
            uint8_t userdata_len;    /**< Bytes of userdata (<= VSW_CTRL_USERDATA_MAX). */
            uint16_t userdata_ofs;   /**< Where they are: vsw_actions_blob(). */
        } ctrl;              /**< CONTROLLER. */
    };
};

/** An immutable action list. */
struct vsw_actions {
    uint32_t n;                 /**< Number of actions; 0 means drop. */
    uint32_t n_outputs;         /**< Number of output-type actions. */
    uint32_t blob_len;          /**< Bytes after a[n] (controller userdata). */
    uint32_t pad;
    struct vsw_action a[];      /**< The actions, in order; then 'blob_len'
                                 *   bytes of variable-size arguments. */
};

/** Size in bytes of an action list of 'n' actions and 'blob_len' extra bytes. */
static inline size_t
vsw_actions_size2(uint32_t n, uint32_t blob_len)
{
    return sizeof(struct vsw_actions) + n * sizeof(struct vsw_action) + blob_len;
}

/** Size in bytes of an action list of 'n' actions. */
static inline size_t
vsw_actions_size(uint32_t n)
{
    return vsw_actions_size2(n, 0);
}

/** The variable-size arguments stored after the actions. */
static inline const uint8_t *
vsw_actions_blob(const struct vsw_actions *acts)
{
    return (const uint8_t *) &acts->a[acts->n];
}

/* Parsing, printing and freeing action lists: vsw/ofp_actions.h. */

#endif /* VSW_ACTIONS_H */
