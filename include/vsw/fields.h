/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_FIELDS_H
#define VSW_FIELDS_H 1

/**
 * @file
 * The header-field registry: one table (src/ofp/fields.c) that says, for
 * every field a rule can match or set_field can write, what it is called,
 * where it lives in struct vsw_flow, how wide it is, whether it can be
 * masked, what the match must contain for it to make sense, how its value is
 * written, and which action set_field turns it into.  The match parser and
 * printer (src/ofp/ofp_match*.c) and the action parser (src/ofp/ofp_actions.c)
 * read it; a new field starts here.
 *
 * A field here is what Open vSwitch calls a field (its mf_field): tcp_src and
 * udp_src are two fields stored in the same place (vsw_flow.tp_src) with
 * different prerequisites; dl_src and eth_src are two names of one field.
 *
 * Thread safety: constant data.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vsw/flow.h"
#include "vsw/match.h"
#include "vsw/ofp_lex.h"

/** The fields. */
enum vsw_field_id {
    VSW_F_IN_PORT,
    VSW_F_ETH_SRC, VSW_F_ETH_DST, VSW_F_ETH_TYPE,
    VSW_F_VLAN_TCI, VSW_F_DL_VLAN, VSW_F_VLAN_VID, VSW_F_VLAN_PCP,
    VSW_F_IPV4_SRC, VSW_F_IPV4_DST, VSW_F_ARP_SPA, VSW_F_ARP_TPA,
    VSW_F_IPV6_SRC, VSW_F_IPV6_DST, VSW_F_IPV6_LABEL,
    VSW_F_IP_PROTO, VSW_F_ARP_OP,
    VSW_F_NW_TOS, VSW_F_IP_DSCP, VSW_F_IP_ECN, VSW_F_NW_TTL, VSW_F_IP_FRAG,
    VSW_F_ARP_SHA, VSW_F_ARP_THA, VSW_F_ND_SLL, VSW_F_ND_TLL,
    VSW_F_TCP_SRC, VSW_F_TCP_DST, VSW_F_UDP_SRC, VSW_F_UDP_DST,
    VSW_F_SCTP_SRC, VSW_F_SCTP_DST, VSW_F_TCP_FLAGS,
    VSW_F_ICMP_TYPE, VSW_F_ICMP_CODE, VSW_F_ND_TARGET,
    /* Pipeline fields (struct vsw_pipe; vsw_field.pipe). */
    VSW_F_METADATA,
    VSW_F_REG0,                                 /* ... VSW_F_REG0 + 15 */
    VSW_F_XREG0 = VSW_F_REG0 + VSW_N_REGS,      /* ... VSW_F_XREG0 + 7 */
    VSW_F_N = VSW_F_XREG0 + VSW_N_XREGS
};

/** How a field's value is written (parsed and printed). */
enum vsw_field_format {
    VSW_FF_PORT,       /**< OpenFlow port number (decimal digits only). */
    VSW_FF_DEC,        /**< Integer, printed in decimal; "V" or "V/M". */
    VSW_FF_HEX,        /**< Integer, printed in hexadecimal; "V" or "V/M". */
    VSW_FF_MAC,        /**< Ethernet address, optional "/mask". */
    VSW_FF_IPV4,       /**< IPv4 address, optional "/N" or "/mask". */
    VSW_FF_IPV6,       /**< IPv6 address, optional "/N" or "/mask". */
    VSW_FF_FRAG,       /**< no, yes, first, later, not_later. */
    VSW_FF_TCP_FLAGS,  /**< +syn-ack, syn|ack, 0x12/0x12... */
};

/**
 * What a packet must be for a field to exist in it.  The match parser checks
 * a field's 'prereq' against the rule's match; the action parser checks its
 * 'set_prereq' against the packet as the actions before it leave it.
 */
enum vsw_field_prereq {
    VSW_FP_NONE,
    VSW_FP_IPV4,       /**< IPv4. */
    VSW_FP_IPV4_ARP,   /**< IPv4, ARP or RARP. */
    VSW_FP_IPV6,       /**< IPv6. */
    VSW_FP_IP_ANY,     /**< IPv4 or IPv6. */
    VSW_FP_PROTO,      /**< IPv4, IPv6, ARP or RARP. */
    VSW_FP_ARP,        /**< ARP or RARP. */
    VSW_FP_L4,         /**< TCP, UDP or SCTP, not a later fragment. */
    VSW_FP_TCP,        /**< TCP, not a later fragment. */
    VSW_FP_UDP,        /**< UDP, not a later fragment. */
    VSW_FP_SCTP,       /**< SCTP, not a later fragment. */
    VSW_FP_ICMP,       /**< ICMP or ICMPv6. */
    VSW_FP_ND,         /**< ICMPv6 neighbour solicitation or advertisement. */
    VSW_FP_ND_SLL,     /**< ICMPv6 neighbour solicitation. */
    VSW_FP_ND_TLL,     /**< ICMPv6 neighbour advertisement. */
    VSW_FP_VLAN,       /**< An 802.1Q tag. */
};

/** Marks a field that set_field cannot write (vsw_field.set_action). */
#define VSW_FIELD_NO_SET 0xff

/** One header field. */
struct vsw_field {
    enum vsw_field_id id;     /**< Its index in the registry. */
    const char *name;         /**< Spelling ovs-ofctl dump-flows prints. */
    uint16_t offset;          /**< Where it is stored: offsetof(struct vsw_flow, ...),
                               *   or of struct vsw_pipe if 'pipe'. */
    uint8_t n_storage;        /**< Bytes of that storage (fields may share it). */
    uint8_t width;            /**< Bytes of the field itself (as in OXM): the
                               *   range of an integer value or mask. */
    uint8_t format;           /**< enum vsw_field_format. */
    uint8_t prereq;           /**< enum vsw_field_prereq, for matching. */
    bool maskable;            /**< May a rule match it under a mask? */
    uint32_t max;             /**< VSW_FF_PORT/DEC/HEX: largest valid value. */
    uint8_t set_action;       /**< enum vsw_action_type that set_field makes,
                               *   or VSW_FIELD_NO_SET. */
    uint8_t set_prereq;       /**< enum vsw_field_prereq, for set_field. */
    uint8_t set_flags;        /**< VSW_ACTF_* bits of the set_field action. */
    bool pipe;                /**< A pipeline field (metadata, registers). */
};

/** A name a field is known by (its ovs-ofctl and OXM spellings). */
struct vsw_field_name {
    const char *name;         /**< The spelling. */
    uint8_t id;               /**< enum vsw_field_id. */
    bool set_ok;              /**< set_field accepts this spelling. */
};

/** The field 'id'. */
const struct vsw_field *vsw_field_get(enum vsw_field_id id);

/** The name entry spelled exactly 'name', or NULL. */
const struct vsw_field_name *vsw_field_name_find(const char *name);

/** Every name entry, sorted by strcmp() (for tests and docs). */
const struct vsw_field_name *vsw_field_names(size_t *n);

/** Reads the integer stored for field 'f' in 'flow' (host order). */
uint32_t vsw_field_get_uint(const struct vsw_field *f, const struct vsw_flow *flow);

/**
 * Appends "name=value[/mask]" for field 'f' of 'key'/'mask' in ovs-ofctl
 * syntax, with a comma first if 'b' has grown beyond 'start'.  Appends
 * nothing if 'mask' matches no bit of the field.  For the formats
 * VSW_FF_PORT, DEC, HEX, MAC, IPV4 and IPV6; 'name' overrides f->name if
 * nonnull.
 */
void vsw_field_put(struct vsw_ofp_buf *b, size_t start, const struct vsw_field *f,
                   const char *name, const struct vsw_flow *key,
                   const struct vsw_flow *mask);

/** The storage of field 'f' in ('flow', 'pipe'). */
static inline const uint8_t *
vsw_field_cstorage(const struct vsw_field *f, const struct vsw_flow *flow,
                   const struct vsw_pipe *pipe)
{
    return (f->pipe ? (const uint8_t *) pipe : (const uint8_t *) flow) + f->offset;
}

/**
 * The value of field 'f' in ('flow', 'pipe') as OpenFlow sees it: f->width
 * bytes in network order into 'value' (a VID without the tag's other bits,
 * a DSCP shifted down, in_port as a 32-bit number...).
 */
void vsw_field_get_value(const struct vsw_field *f, const struct vsw_flow *flow,
                         const struct vsw_pipe *pipe, uint8_t value[16]);

/** The bits of a field value that vsw_field_get_value() reads from the
 *  storage, as a mask over the storage (for un-wildcarding): ORs them
 *  into 'mask' (a struct vsw_flow; nothing for a pipeline field). */
void vsw_field_wildcard(const struct vsw_field *f, struct vsw_flow *mask);

/** Bits [ofs, ofs + n) of the 'width'-byte network-order 'value' (n <= 64,
 *  bit 0 the least significant bit of the last byte). */
uint64_t vsw_bits_get(const uint8_t *value, unsigned width, unsigned ofs, unsigned n);

/** Writes the low 'n' bits of 'bits' into bits [ofs, ofs + n) of 'value'. */
void vsw_bits_set(uint8_t *value, unsigned width, unsigned ofs, unsigned n, uint64_t bits);

#endif /* VSW_FIELDS_H */
