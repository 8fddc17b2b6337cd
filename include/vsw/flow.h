/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_FLOW_H
#define VSW_FLOW_H 1

/**
 * @file
 * The flow key: every header field a rule or a megaflow can match on.
 *
 * Design:
 *  - One fixed-size, 8-byte aligned struct, so a masked compare or a hash is a
 *    loop over 64-bit words and a mask is simply another vsw_flow.
 *  - Header fields are kept in network byte order, exactly as on the wire, so
 *    a value/mask written by a user is compared without conversions on the
 *    per-packet path.  Only in_port is in host order.
 *  - The semantics follow Open vSwitch's flow key (our oracle): a present
 *    802.1Q tag is stored with the CFI bit (0x1000) set, so "no tag" (tci 0)
 *    differs from "tag with VID 0, PCP 0" (tci 0x1000); 802.3 frames without a
 *    SNAP ethertype get dl_type 0x05ff; ARP's SPA/TPA live in nw_src/nw_dst and
 *    its opcode in nw_proto; ICMP/ICMPv6 type and code live in tp_src/tp_dst;
 *    the ND SLL/TLL options live in arp_sha/arp_tha.
 *
 * Thread safety: plain data, no shared state.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_byteorder.h>

#define VSW_ETH_ADDR_LEN 6

#define VSW_ETH_TYPE_IP 0x0800
#define VSW_ETH_TYPE_ARP 0x0806
#define VSW_ETH_TYPE_RARP 0x8035
#define VSW_ETH_TYPE_VLAN 0x8100
#define VSW_ETH_TYPE_VLAN_8021AD 0x88a8
#define VSW_ETH_TYPE_IPV6 0x86dd
#define VSW_ETH_TYPE_MIN 0x0600  /* Smaller values are 802.3 lengths. */
#define VSW_DL_TYPE_NONE 0x05ff  /* 802.3 frame without a SNAP ethertype. */

/* VLAN tags parsed into the flow key (1 or 2).  1 is what ovs-vswitchd does
 * by default (other_config:vlan-limit unset), and OVS is our oracle. */
#define VSW_VLAN_LIMIT 1

#define VSW_VLAN_CFI 0x1000
#define VSW_VLAN_VID_MASK 0x0fff
#define VSW_VLAN_PCP_MASK 0xe000
#define VSW_VLAN_PCP_SHIFT 13

#define VSW_IPPROTO_ICMP 1
#define VSW_IPPROTO_TCP 6
#define VSW_IPPROTO_UDP 17
#define VSW_IPPROTO_ICMPV6 58
#define VSW_IPPROTO_SCTP 132

#define VSW_IP_DSCP_MASK 0xfc
#define VSW_IP_ECN_MASK 0x03

/* vsw_flow.nw_frag bits (the same values OVS uses). */
#define VSW_FRAG_ANY 0x01   /* Set for any IP fragment. */
#define VSW_FRAG_LATER 0x02 /* Set for fragments with a nonzero offset. */
#define VSW_FRAG_MASK (VSW_FRAG_ANY | VSW_FRAG_LATER)

/* Bits of vsw_flow.tcp_flags (host order of the 12 flag bits). */
#define VSW_TCP_FIN 0x001
#define VSW_TCP_SYN 0x002
#define VSW_TCP_RST 0x004
#define VSW_TCP_PSH 0x008
#define VSW_TCP_ACK 0x010
#define VSW_TCP_URG 0x020
#define VSW_TCP_ECE 0x040
#define VSW_TCP_CWR 0x080
#define VSW_TCP_NS 0x100
#define VSW_TCP_FLAGS_MASK 0x0fff

/** The flow key.  Keep the size a multiple of 8: see VSW_FLOW_U64S. */
struct vsw_flow {
    /* Metadata. */
    uint32_t in_port;                    /**< OpenFlow ingress port (host order). */
    uint32_t pad0;                       /**< Always zero. */

    /* L2. */
    uint8_t dl_dst[VSW_ETH_ADDR_LEN];    /**< Ethernet destination. */
    uint8_t dl_src[VSW_ETH_ADDR_LEN];    /**< Ethernet source. */
    rte_be16_t dl_type;                  /**< Ethertype after VLAN tags (or 0x05ff). */
    rte_be16_t vlan_tci;                 /**< Outer tag TCI | CFI; 0 if untagged. */
    rte_be16_t vlan_tci2;                /**< Inner tag TCI | CFI; 0 if none. */
    uint16_t pad1;                       /**< Always zero. */

    /* L3. */
    rte_be32_t nw_src;                   /**< IPv4 source or ARP SPA. */
    rte_be32_t nw_dst;                   /**< IPv4 destination or ARP TPA. */
    uint8_t ipv6_src[16];                /**< IPv6 source. */
    uint8_t ipv6_dst[16];                /**< IPv6 destination. */
    rte_be32_t ipv6_label;               /**< IPv6 flow label (low 20 bits). */
    uint8_t nw_proto;                    /**< IP protocol or low byte of ARP opcode. */
    uint8_t nw_tos;                      /**< IP TOS / traffic class (DSCP+ECN). */
    uint8_t nw_ttl;                      /**< IP TTL / hop limit. */
    uint8_t nw_frag;                     /**< VSW_FRAG_* bits. */

    /* L4. */
    rte_be16_t tp_src;                   /**< TCP/UDP/SCTP source port, ICMP type. */
    rte_be16_t tp_dst;                   /**< TCP/UDP/SCTP dest port, ICMP code. */
    rte_be16_t tcp_flags;                /**< TCP flags (12 bits, network order). */
    uint8_t ip6_ext;                     /**< 1: IPv6 with extension headers before a
                                          *   complete TCP or UDP header; then */
    uint8_t ip6_nh0;                     /**< the fixed header's Next Header, which
                                          *   OVS's software RSS hash reads as the
                                          *   protocol (and so a dp_hash select
                                          *   group).  No rule matches these two. */
    uint8_t nd_target[16];               /**< IPv6 neighbour discovery target. */
    uint8_t arp_sha[VSW_ETH_ADDR_LEN];   /**< ARP SHA or ND source link-layer addr. */
    uint8_t arp_tha[VSW_ETH_ADDR_LEN];   /**< ARP THA or ND target link-layer addr. */
    uint32_t pad3;                       /**< Always zero. */
} __attribute__((aligned(8)));

#define VSW_FLOW_U64S (sizeof(struct vsw_flow) / sizeof(uint64_t))
_Static_assert(sizeof(struct vsw_flow) % 8 == 0, "vsw_flow must be a multiple of 8 bytes");

/**
 * One 64-bit word of a flow key.  The classifiers, the caches and the hashes
 * work on a key as VSW_FLOW_U64S words (a masked compare is an AND and an
 * XOR per word), while the parser and the rule parser write it field by
 * field (bytes, be16, be32).  Reading those fields through a plain
 * 'uint64_t *' breaks C's aliasing rules, and GCC at -O2/-O3 does reorder
 * or drop such reads (a release build once matched keys against stale
 * words and forwarded packets to the wrong port).  'may_alias' tells the
 * compiler that a word may overlap any field, exactly like a char access
 * would, while keeping the word loops as cheap and vectorisable as before;
 * a union would force every access through the union type and memcpy per
 * word would make each loop harder to read for the same machine code.
 * Always reach a key's words through vsw_flow_words()/vsw_flow_cwords().
 */
typedef uint64_t __attribute__((__may_alias__)) vsw_flow_word;

/** The words of 'flow', for reading. */
static inline const vsw_flow_word *
vsw_flow_cwords(const struct vsw_flow *flow)
{
    return (const vsw_flow_word *) (const void *) flow;
}

/** The words of 'flow', for writing. */
static inline vsw_flow_word *
vsw_flow_words(struct vsw_flow *flow)
{
    return (vsw_flow_word *) (void *) flow;
}

/**
 * Where the parser found each header in the frame, for the action executor.
 * Offsets are from the start of the frame; 0xffff means "absent".
 */
struct vsw_layout {
    uint16_t l3_ofs;     /**< Start of the L3 header (after tags / LLC+SNAP). */
    uint16_t l4_ofs;     /**< Start of the L4 header, if the IP header was valid. */
    uint16_t l3_end;     /**< End of the L3 packet (IP total length); trailing bytes
                          *   after it are link-layer padding. */
    uint16_t n_vlans;    /**< Number of VLAN tags parsed (0..VSW_VLAN_LIMIT). */
};

#define VSW_OFS_NONE 0xffff

/**
 * Parses the frame 'data' of 'len' bytes received on OpenFlow port 'in_port'
 * into 'flow' (fully written, unused fields zero) and 'layout'.  Never reads
 * beyond 'len'; a truncated or malformed header leaves the fields of that
 * layer and above zero, as Open vSwitch does.
 */
void vsw_flow_extract(const uint8_t *data, uint32_t len, uint32_t in_port,
                      struct vsw_flow *flow, struct vsw_layout *layout);

/** The parser without its fast path for the common frames (Ethernet, one
 *  optional tag, IPv4 or IPv6, TCP or UDP; src/classifier/flow_fast.h).
 *  For tests: both must give identical results. */
void vsw_flow_extract_general(const uint8_t *data, uint32_t len, uint32_t in_port,
                              struct vsw_flow *flow, struct vsw_layout *layout);

/**
 * The shallow parse: only the fields a megaflow of a port-to-port rule
 * needs (in_port, MACs, dl_type, vlan_tci, vlan_tci2, nw_proto, nw_frag),
 * in far fewer cycles than the full parse.  The other fields of 'flow' are
 * left unwritten, so the caller may only use it under a mask that
 * vsw_flow_mask_is_shallow() accepts.  Returns false, having given no
 * answer, for the frames whose shallow fields take more parsing (VLAN tags,
 * 802.3/LLC, IPv6, ARP/RARP); for every other frame the fields are what
 * vsw_flow_extract() gives, tested in tests/unit/test_flow_extract.c.
 */
bool vsw_flow_extract_shallow(const uint8_t *data, uint32_t len, uint32_t in_port,
                              struct vsw_flow *flow);

/** True if 'mask' only has bits in fields vsw_flow_extract_shallow() sets. */
bool vsw_flow_mask_is_shallow(const struct vsw_flow *mask);

/** True if 'flow' is IPv4 or IPv6. */
static inline bool
vsw_flow_is_ip_any(const struct vsw_flow *flow)
{
    return flow->dl_type == rte_cpu_to_be_16(VSW_ETH_TYPE_IP)
           || flow->dl_type == rte_cpu_to_be_16(VSW_ETH_TYPE_IPV6);
}

/** Formats 'flow' (all fields) for debugging and packet traces. */
int vsw_flow_format(const struct vsw_flow *flow, char *buf, size_t size);

#endif /* VSW_FLOW_H */
