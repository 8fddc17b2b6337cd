/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_ODP_H
#define VSW_ODP_H 1

/**
 * @file
 * Datapath actions: what a megaflow does to a packet.
 *
 * The slow path translates a packet's OpenFlow rules (src/xlate/) into this
 * flat list; the PMD executes only these (src/actions/odp_execute.c) and
 * never sees an OpenFlow action.  The list is what Open vSwitch calls ODP
 * actions, and `dump-megaflows` prints it in OVS's datapath format:
 * `set(eth(src=..)),set(ipv4(dst=10.1.1.1)),push_vlan(vid=20,pcp=0),2`.
 *
 * dec_ttl is the one rewrite whose result depends on the old value: it is a
 * relative write with a check (VSW_ODPF_TTL_DEC/_CHECK), so megaflows need
 * not match on the TTL (OVS's do).
 *
 * Everything that depends on the flow was decided at translation time: which
 * header a rewrite applies to, which L4 checksum it must fix (TCP, UDP or
 * SCTP), whether a tag is pushed, popped or rewritten, which ports get a
 * copy.  What depends on packet bytes the flow key does not hold stays for
 * the executor, exactly as OVS's datapath does it: a UDP checksum of 0 is
 * left alone, an L4 header too short to hold a checksum is not patched, an
 * IPv6 routing header keeps the destination's checksum contribution.
 *
 * Encoding: a list is a byte array of entries, each a struct vsw_odp_hdr
 * followed by its payload, padded to 4 bytes.  The PMD walks it in order.
 * The entry structs are 'may_alias': they are written into and read out of
 * a byte array, which would otherwise break C's aliasing rules.
 * Sets are masked: a rewrite only names the fields an action wrote, so a
 * megaflow need not match on the old values.
 *
 * Room for what comes next (meter, recirculation, tunnel push/pop,
 * conntrack): the types are reserved below and refused by the executor
 * until they are built.
 *
 * Thread safety: plain data.  A megaflow's list is written once by its PMD
 * when the megaflow is installed and read only by that PMD.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum vsw_odp_type {
    VSW_ODP_OUTPUT = 1,    /**< struct vsw_odp_output. */
    VSW_ODP_SET_ETH,       /**< struct vsw_odp_eth. */
    VSW_ODP_SET_IPV4,      /**< struct vsw_odp_ipv4. */
    VSW_ODP_SET_IPV6,      /**< struct vsw_odp_ipv6. */
    VSW_ODP_SET_L4,        /**< struct vsw_odp_l4. */
    VSW_ODP_PUSH_VLAN,     /**< struct vsw_odp_vlan. */
    VSW_ODP_POP_VLAN,      /**< No payload. */
    VSW_ODP_SET_VLAN,      /**< struct vsw_odp_vlan: rewrite the outer tag's TCI
                            *   under 'mask', keeping its TPID. */
    VSW_ODP_USERSPACE,     /**< struct vsw_odp_userspace: a packet-in. */
    /* Reserved for the features that build on the translation layer. */
    VSW_ODP_METER,
    VSW_ODP_RECIRC,
    VSW_ODP_TNL_PUSH,
    VSW_ODP_TNL_POP,
    VSW_ODP_CT,
};

struct vsw_odp_hdr {
    uint8_t type;          /**< enum vsw_odp_type. */
    uint8_t len;           /**< Bytes of the entry, header included, multiple of 4. */
    uint16_t flags;        /**< Per type (VSW_ODPF_*). */
} __attribute__((__may_alias__));

struct vsw_odp_output {
    struct vsw_odp_hdr h;
    uint32_t port;         /**< OpenFlow port number. */
} __attribute__((__may_alias__));

/* Fields present in a set (vsw_odp_hdr.flags). */
#define VSW_ODPF_SRC 0x01
#define VSW_ODPF_DST 0x02
#define VSW_ODPF_TOS 0x04       /* IPv4 TOS / IPv6 traffic class, under tos_mask. */
#define VSW_ODPF_TTL 0x08       /* IPv4 TTL / IPv6 hop limit. */
#define VSW_ODPF_LABEL 0x10     /* IPv6 flow label. */
#define VSW_ODPF_TTL_DEC 0x20   /* TTL / hop limit lowered by 'ttl' (dec_ttl). */
#define VSW_ODPF_TTL_CHECK 0x40 /* First, if the TTL / hop limit is at most
                                 * 'ttl_check', the packet goes no further (dec_ttl
                                 * of a TTL of 0 or 1 ends the action list). */

struct vsw_odp_eth {
    struct vsw_odp_hdr h;
    uint8_t src[6];
    uint8_t dst[6];
} __attribute__((__may_alias__));

struct vsw_odp_ipv4 {
    struct vsw_odp_hdr h;
    uint32_t src;          /**< be32. */
    uint32_t dst;          /**< be32. */
    uint8_t tos, tos_mask, ttl, ttl_check;
} __attribute__((__may_alias__));

struct vsw_odp_ipv6 {
    struct vsw_odp_hdr h;
    uint8_t src[16];
    uint8_t dst[16];
    uint32_t label;        /**< be32, low 20 bits. */
    uint8_t tclass, tclass_mask, hlimit, ttl_check;
} __attribute__((__may_alias__));

/* VSW_ODP_PUSH_VLAN: push the packet's own outer tag back as it arrived
 * (its TPID, and its TCI but for the bits under 'mask', which come from
 * 'tci'), after an earlier pop_vlan removed it.  The flow key does not hold
 * the TPID, so the translation cannot name it (NORMAL untags a copy for one
 * port and sends the tagged frame to another). */
#define VSW_ODPF_VLAN_ORIG 0x01

/* The L4 protocol of a VSW_ODP_SET_L4, in vsw_odp_hdr.flags' high byte. */
#define VSW_ODPF_L4_TCP 0x0100
#define VSW_ODPF_L4_UDP 0x0200
#define VSW_ODPF_L4_SCTP 0x0400

struct vsw_odp_l4 {
    struct vsw_odp_hdr h;
    uint16_t src;          /**< be16. */
    uint16_t dst;          /**< be16. */
} __attribute__((__may_alias__));

struct vsw_odp_vlan {
    struct vsw_odp_hdr h;
    uint16_t tpid;         /**< be16 (PUSH_VLAN). */
    uint16_t tci;          /**< be16, CFI clear. */
    uint16_t mask;         /**< be16 (SET_VLAN, PUSH_VLAN with
                            *   VSW_ODPF_VLAN_ORIG): the TCI bits to write. */
    uint16_t pad;
} __attribute__((__may_alias__));

/*
 * VSW_ODP_USERSPACE: a copy of the packet, as the entries before it left
 * it, goes to the slow path as a packet-in (the controller action,
 * src/xlate/xlate_controller.c; the PMD's queue, src/pmd/pin_queue.h).  The
 * entry carries everything the packet-in reports that is not in the packet
 * itself, so the PMD copies the entry with the packet and the megaflow may
 * go away meanwhile.  Variable part, in this order: the metadata (8 bytes,
 * host order) if VSW_ODPF_PIN_METADATA, then one host-order uint32 per bit
 * of 'reg_map' (the non-zero registers, lowest first), then 'userdata_len'
 * bytes of userdata.  All of it is read with memcpy (no alignment).
 */
#define VSW_ODPF_PIN_METADATA 0x01   /* The metadata is non-zero (present). */

struct vsw_odp_userspace {
    struct vsw_odp_hdr h;
    uint32_t in_port;      /**< OpenFlow ingress port (or VSW_OFPP_*). */
    uint32_t cookie_hi;    /**< The rule's cookie, host order, high half; */
    uint32_t cookie_lo;    /**< all ones: no rule (a packet-out's actions). */
    uint16_t max_len;      /**< The action's max_len. */
    uint16_t controller_id;
    uint8_t reason;        /**< enum vsw_pin_reason, as reported. */
    uint8_t table_id;      /**< Table of the rule whose action it was. */
    uint8_t userdata_len;
    uint8_t pad;
    uint16_t reg_map;      /**< Bit i: reg i is non-zero and follows. */
    uint16_t pad2;
} __attribute__((__may_alias__));

/** Most bytes of a USERSPACE entry (header, metadata, 16 registers, userdata). */
#define VSW_ODP_USERSPACE_MAX (sizeof(struct vsw_odp_userspace) + 8 + 16 * 4 + 64)

/** A USERSPACE entry decoded. */
struct vsw_odp_pin {
    uint32_t in_port;
    uint64_t cookie;              /**< UINT64_MAX: none. */
    uint64_t metadata;            /**< Host order. */
    uint32_t regs[16];            /**< Host order. */
    uint16_t max_len, controller_id;
    uint8_t reason, table_id;
    uint8_t userdata_len;
    uint8_t userdata[64];
};

/** Decodes the USERSPACE entry 'h'; false if it is malformed. */
bool vsw_odp_userspace_decode(const struct vsw_odp_hdr *h, struct vsw_odp_pin *pin);

/** Most bytes a translation may produce (a megaflow stores its list inline). */
#define VSW_ODP_MAX 256
/** Most bytes a translation may produce: a longer list (a pipeline with
 *  many outputs and controller actions) is executed for its packet but not
 *  cached, as OVS slow-paths actions too big for its datapath. */
#define VSW_ODP_BUF_MAX 2048

/** A list being built. */
/* What a translation read besides the rules and the packet
 * (vsw_odp_buf.xflags), so that revalidation knows which state changes
 * concern the megaflow. */
#define VSW_XLATE_READ_FDB 0x01       /**< The MAC table (NORMAL), about the
                                       *   flow's own dl_src and dl_dst, */
#define VSW_XLATE_READ_FDB_ANY 0x02   /**< ... or about a MAC an earlier action
                                       *   wrote (not in the megaflow's key). */
#define VSW_XLATE_READ_PORTS 0x04     /**< The port list, their VLAN setting or
                                       *   link state (FLOOD, ALL, NORMAL,
                                       *   fast_failover's watch_port). */

struct vsw_odp_buf {
    uint16_t len;                 /**< Bytes used. */
    bool overflow;                /**< An entry did not fit: the list is unusable. */
    uint8_t xflags;               /**< VSW_XLATE_READ_*. */
    uint8_t data[VSW_ODP_BUF_MAX] __attribute__((aligned(8)));
};

/** Appends an entry of 'size' bytes (a struct above) of 'type'; returns it
 *  zeroed but for its header, or NULL (and sets 'overflow') if it does not
 *  fit. */
static inline void *
vsw_odp_put(struct vsw_odp_buf *b, enum vsw_odp_type type, size_t size)
{
    size_t len = (size + 3) & ~(size_t) 3;
    struct vsw_odp_hdr *h;

    if (b->len + len > VSW_ODP_BUF_MAX) {
        b->overflow = true;
        return NULL;
    }
    h = (struct vsw_odp_hdr *) (void *) (b->data + b->len);
    memset(h, 0, len);
    h->type = (uint8_t) type;
    h->len = (uint8_t) len;
    b->len = (uint16_t) (b->len + len);
    return h;
}

/** Iterates over the entries of the list 'data' of 'len' bytes. */
#define VSW_ODP_FOR_EACH(H, DATA, LEN)                                              \
    for (const struct vsw_odp_hdr *H = (const struct vsw_odp_hdr *) (const void *) (DATA); \
         (const uint8_t *) H < (const uint8_t *) (DATA) + (LEN);                     \
         H = (const struct vsw_odp_hdr *) (const void *) ((const uint8_t *) H + H->len))

/** True if the list is exactly one output (the PMD's cheapest case). */
static inline bool
vsw_odp_is_single_output(const uint8_t *data, uint16_t len, uint32_t *port)
{
    const struct vsw_odp_output *o = (const struct vsw_odp_output *) (const void *) data;

    if (len != sizeof *o || o->h.type != VSW_ODP_OUTPUT) {
        return false;
    }
    *port = o->port;
    return true;
}

struct vsw_buf;

/** Appends the list in OVS's datapath action format ("drop" if empty). */
void vsw_odp_format(const uint8_t *data, uint16_t len, struct vsw_buf *out);

#endif /* VSW_ODP_H */
