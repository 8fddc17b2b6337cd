/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The match part of a flow line in the ovs-ofctl syntax: the field and
 * protocol keywords, their values, and the normalised match they build
 * (ofp_match_format.c prints it back; ofp_flow_mod.c reads the rest of the
 * line).
 *
 * Open vSwitch is the oracle for the semantics.  The points worth knowing:
 *
 *  - Fields are set in order and a later setting of the same bits wins
 *    ("tcp,udp" is udp; "dl_vlan=5,dl_vlan_pcp=3" combines).
 *  - Prerequisites (tp_dst needs tcp/udp/sctp, nw_src needs ip or arp, ...)
 *    are checked once the whole line is read, like OVS does when it encodes
 *    the match.  Where OVS silently drops such a field (logging "normalization
 *    changed ofp_match"), we reject the line with a message instead.
 *  - The rule is what a switch would hold after `ovs-ofctl -O OpenFlow13
 *    add-flow`, i.e. after the OXM encode/decode round trip.  For our fields
 *    only the 802.1Q TCI changes in that trip: OXM carries VID+CFI and a PCP
 *    that is sent only with a nonzero VID+CFI value, so a PCP match is widened
 *    to all three bits or dropped (see oxm_vlan_round_trip()).
 *  - Values that OVS silently truncates (dl_vlan=4096, ip_dscp=64,
 *    nw_src=10.0.0.300, ...) are rejected.
 */

#include "ofp/ofp_match.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vsw/fields.h"
#include "vsw/ofp_lex.h"

#define fail vsw_ofp_fail

/* ------------------------------------------------------------------------ */
/* Keywords. */

/* Storage shared by fields, to know which token set it last: its
 * prerequisites are the ones checked. */
enum slot {
    S_NONE, S_VLAN, S_NW_SRC, S_NW_DST, S_IPV6_SRC, S_IPV6_DST, S_IPV6_LABEL,
    S_NW_PROTO, S_NW_TOS, S_NW_TTL, S_NW_FRAG, S_ARP_SHA, S_ARP_THA,
    S_TP_SRC, S_TP_DST, S_TCP_FLAGS, S_ND_TARGET, S_N
};
_Static_assert(S_N == OFP_MATCH_N_SLOTS, "OFP_MATCH_N_SLOTS in ofp_match.h");

/* The slot of field 'f': where the registry says it is stored. */
static enum slot
slot_of(const struct vsw_field *f)
{
    if (f->pipe) {
        return S_NONE;   /* Offsets into struct vsw_pipe; no prerequisite. */
    }
    switch (f->offset) {
    case offsetof(struct vsw_flow, vlan_tci): return S_VLAN;
    case offsetof(struct vsw_flow, nw_src): return S_NW_SRC;
    case offsetof(struct vsw_flow, nw_dst): return S_NW_DST;
    case offsetof(struct vsw_flow, ipv6_src): return S_IPV6_SRC;
    case offsetof(struct vsw_flow, ipv6_dst): return S_IPV6_DST;
    case offsetof(struct vsw_flow, ipv6_label): return S_IPV6_LABEL;
    case offsetof(struct vsw_flow, nw_proto): return S_NW_PROTO;
    case offsetof(struct vsw_flow, nw_tos): return S_NW_TOS;
    case offsetof(struct vsw_flow, nw_ttl): return S_NW_TTL;
    case offsetof(struct vsw_flow, nw_frag): return S_NW_FRAG;
    case offsetof(struct vsw_flow, arp_sha): return S_ARP_SHA;
    case offsetof(struct vsw_flow, arp_tha): return S_ARP_THA;
    case offsetof(struct vsw_flow, tp_src): return S_TP_SRC;
    case offsetof(struct vsw_flow, tp_dst): return S_TP_DST;
    case offsetof(struct vsw_flow, tcp_flags): return S_TCP_FLAGS;
    case offsetof(struct vsw_flow, nd_target): return S_ND_TARGET;
    default: return S_NONE;   /* in_port, Ethernet: no prerequisite. */
    }
}

/* A protocol shorthand ("tcp", "ipv6"...): sets dl_type and maybe nw_proto. */
struct proto {
    uint16_t dl_type;
    uint8_t nw_proto;   /* 0: do not set. */
};

static const struct proto protos[] = {
#define PR_IP 0
    { VSW_ETH_TYPE_IP, 0 },
#define PR_ARP 1
    { VSW_ETH_TYPE_ARP, 0 },
#define PR_RARP 2
    { VSW_ETH_TYPE_RARP, 0 },
#define PR_ICMP 3
    { VSW_ETH_TYPE_IP, VSW_IPPROTO_ICMP },
#define PR_TCP 4
    { VSW_ETH_TYPE_IP, VSW_IPPROTO_TCP },
#define PR_UDP 5
    { VSW_ETH_TYPE_IP, VSW_IPPROTO_UDP },
#define PR_SCTP 6
    { VSW_ETH_TYPE_IP, VSW_IPPROTO_SCTP },
#define PR_IPV6 7
    { VSW_ETH_TYPE_IPV6, 0 },
#define PR_ICMP6 8
    { VSW_ETH_TYPE_IPV6, VSW_IPPROTO_ICMPV6 },
#define PR_TCP6 9
    { VSW_ETH_TYPE_IPV6, VSW_IPPROTO_TCP },
#define PR_UDP6 10
    { VSW_ETH_TYPE_IPV6, VSW_IPPROTO_UDP },
#define PR_SCTP6 11
    { VSW_ETH_TYPE_IPV6, VSW_IPPROTO_SCTP },
#define PR_MPLS 12
    { 0x8847, 0 },
#define PR_MPLSM 13
    { 0x8848, 0 },
};

/* Protocol keywords, sorted by strcmp() for bsearch(); the unit tests use
 * every entry.  Field keywords are the names in the registry (vsw/fields.h). */
static const struct proto_keyword {
    const char *name;
    uint8_t proto;      /* Index in protos[]. */
} proto_keywords[] = {
    { "arp", PR_ARP },
    { "icmp", PR_ICMP },
    { "icmp6", PR_ICMP6 },
    { "ip", PR_IP },
    { "ip4", PR_IP },
    { "ip6", PR_IPV6 },
    { "ipv4", PR_IP },
    { "ipv6", PR_IPV6 },
    { "mpls", PR_MPLS },
    { "mplsm", PR_MPLSM },
    { "rarp", PR_RARP },
    { "sctp", PR_SCTP },
    { "sctp6", PR_SCTP6 },
    { "tcp", PR_TCP },
    { "tcp6", PR_TCP6 },
    { "udp", PR_UDP },
    { "udp6", PR_UDP6 },
};

static int
proto_keyword_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const struct proto_keyword *) elem)->name);
}

static const struct proto_keyword *
proto_keyword_find(const char *name)
{
    return bsearch(name, proto_keywords, sizeof proto_keywords / sizeof proto_keywords[0],
                   sizeof proto_keywords[0], proto_keyword_cmp);
}

/* ------------------------------------------------------------------------ */
/* Field values. */

/* A parsed value or mask.  Integers in host order; addresses as on the wire. */
struct fval {
    uint64_t u;
    rte_be32_t ip4;
    uint8_t bytes[16];
};

enum setmode { SET_WILD, SET_EXACT, SET_MASKED };

const char *const ofp_tcp_flag_names[12] = {
    "fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr", "ns",
    "[200]", "[400]", "[800]",
};

static void
ipv6_prefix_mask(int plen, uint8_t mask[16])
{
    for (int i = 0; i < 16; i++) {
        int bits = plen - 8 * i;
        mask[i] = bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t) (0xff << (8 - bits));
    }
}

/* Parses the TCP flags in 's' into 'v' and 'm' (12-bit host order). */
static int
parse_tcp_flags(const char *name, const char *s, uint64_t *v, uint64_t *m,
                char *err, size_t err_size)
{
    const char *slash = strchr(s, '/');
    uint64_t flags = 0, mask = 0;

    if (slash) {
        if (vsw_ofp_parse_uint(s, (size_t) (slash - s), UINT64_MAX, &flags)
            || vsw_ofp_parse_uint(slash + 1, strlen(slash + 1), UINT64_MAX, &mask)) {
            return fail(err, err_size, EINVAL,
                        "%s: \"%s\" is not a TCP flags value/mask", name, s);
        }
        if ((flags | mask) & ~(uint64_t) VSW_TCP_FLAGS_MASK) {
            return fail(err, err_size, EINVAL,
                        "%s: \"%s\" has bits beyond the 12 TCP flag bits (0xfff)",
                        name, s);
        }
    } else if (*s == '+' || *s == '-') {
        const char *p = s;

        while (*p) {
            bool set = *p == '+';
            size_t len;
            int bit;

            if (*p != '+' && *p != '-') {
                return fail(err, err_size, EINVAL,
                            "%s: \"%s\": each flag must be preceded by '+' (set) "
                            "or '-' (not set)", name, s);
            }
            p++;
            len = strcspn(p, "+-");
            for (bit = 0; bit < 12; bit++) {
                if (strlen(ofp_tcp_flag_names[bit]) == len
                    && !strncmp(p, ofp_tcp_flag_names[bit], len)) {
                    break;
                }
            }
            if (bit == 12) {
                return fail(err, err_size, EINVAL,
                            "%s: unknown TCP flag \"%.*s\"", name, (int) len, p);
            }
            if (mask & (1u << bit)) {
                return fail(err, err_size, EINVAL,
                            "%s: TCP flag \"%s\" given more than once", name,
                            ofp_tcp_flag_names[bit]);
            }
            mask |= 1u << bit;
            if (set) {
                flags |= 1u << bit;
            }
            p += len;
        }
    } else {
        const char *p = s;

        mask = VSW_TCP_FLAGS_MASK;
        for (;;) {
            size_t len = strcspn(p, "|");
            uint64_t n;
            int bit;

            for (bit = 0; bit < 12; bit++) {
                if (strlen(ofp_tcp_flag_names[bit]) == len
                    && !strncmp(p, ofp_tcp_flag_names[bit], len)) {
                    break;
                }
            }
            if (bit < 12) {
                flags |= 1u << bit;
            } else if (!vsw_ofp_parse_uint(p, len, VSW_TCP_FLAGS_MASK, &n)) {
                flags |= n;
            } else {
                return fail(err, err_size, EINVAL,
                            "%s: unknown TCP flag \"%.*s\"", name, (int) len, p);
            }
            if (!p[len]) {
                break;
            }
            p += len + 1;
        }
    }
    *v = flags;
    *m = mask;
    return 0;
}

static const struct {
    const char *name;
    uint8_t value, mask;
} frag_names[] = {
    { "no", 0, VSW_FRAG_MASK },
    { "first", VSW_FRAG_ANY, VSW_FRAG_MASK },
    { "later", VSW_FRAG_ANY | VSW_FRAG_LATER, VSW_FRAG_MASK },
    { "yes", VSW_FRAG_ANY, VSW_FRAG_ANY },
    { "not_later", 0, VSW_FRAG_LATER },
};

/* Parses the value 'val' of field 'f' (written as 'name') into 'v'
 * and 'm', and tells how to set it in '*mode'. */
static int
parse_field_value(const struct vsw_field *f, const char *name, char *val,
                  struct fval *v, struct fval *m, enum setmode *mode,
                  char *err, size_t err_size)
{
    char *slash = strchr(val, '/');
    size_t vlen = slash ? (size_t) (slash - val) : strlen(val);
    const char *mtext = slash ? slash + 1 : NULL;
    uint64_t full;

    memset(v, 0, sizeof *v);
    memset(m, 0, sizeof *m);
    *mode = SET_WILD;

    if (!strcmp(val, "*")) {
        *mode = SET_WILD;
        return 0;
    }
    if (!*val) {
        /* ovs-ofctl reads an empty value as "0/0": a wildcard for integers,
         * a syntax error for ports, addresses and fragment types. */
        if (f->format == VSW_FF_DEC || f->format == VSW_FF_HEX
            || f->format == VSW_FF_TCP_FLAGS) {
            *mode = SET_WILD;
            return 0;
        }
        return fail(err, err_size, EINVAL, "%s: needs a value (\"*\" wildcards it)",
                    name);
    }

    switch ((enum vsw_field_format) f->format) {
    case VSW_FF_PORT: {
        uint64_t port;

        for (const char *p = val; *p; p++) {
            if (*p < '0' || *p > '9') {
                return fail(err, err_size, EINVAL,
                            "%s: \"%s\" is not a port number (vsw supports "
                            "only numbered ports, 0 to %u)", name, val, f->max);
            }
        }
        if (vsw_ofp_parse_uint(val, strlen(val), f->max, &port)) {
            return fail(err, err_size, ERANGE,
                        "%s: %s is out of range (0 to %u)", name, val, f->max);
        }
        v->u = port;
        *mode = SET_EXACT;
        return 0;
    }

    case VSW_FF_DEC:
    case VSW_FF_HEX: {
        uint64_t limit = f->width >= 8 ? UINT64_MAX : (UINT64_C(1) << (8 * f->width)) - 1;
        int error;

        full = limit;
        error = vsw_ofp_parse_uint(val, vlen, UINT64_MAX, &v->u);
        if (error == EINVAL) {
            return fail(err, err_size, EINVAL, "%s: \"%.*s\" is not a number",
                        name, (int) vlen, val);
        }
        if (f->pipe) {
            /* Registers and metadata: any value of the field's width. */
            if (error || v->u > limit) {
                return fail(err, err_size, ERANGE,
                            "%s: %.*s: value too large for %u-byte field %s", name,
                            (int) vlen, val, f->width, name);
            }
        } else if (error || v->u > f->max) {
            return fail(err, err_size, ERANGE,
                        "%s: %.*s is out of range (0 to %u)", name, (int) vlen, val,
                        f->max);
        }
        if (mtext) {
            error = vsw_ofp_parse_uint(mtext, strlen(mtext), limit, &m->u);
            if (error) {
                return fail(err, err_size, error,
                            "%s: \"%s\" is not a valid %u-bit mask", name, mtext,
                            8 * f->width);
            }
        } else {
            m->u = full;
        }
        *mode = m->u == full ? SET_EXACT : m->u == 0 ? SET_WILD : SET_MASKED;
        if (*mode == SET_MASKED && f->id == VSW_F_IPV6_LABEL) {
            /* Only the 20 label bits count (OVS also takes 0xfffff as exact);
             * refuse other bits rather than print them back as OVS does. */
            if ((m->u & f->max) == f->max) {
                *mode = SET_EXACT;
            } else if (m->u & ~(uint64_t) f->max) {
                return fail(err, err_size, EINVAL,
                            "%s: mask %s has bits outside the field (largest %#x)",
                            name, mtext, f->max);
            }
        }
        break;
    }

    case VSW_FF_MAC:
        if (vsw_ofp_parse_mac(val, vlen, v->bytes)) {
            return fail(err, err_size, EINVAL,
                        "%s: \"%.*s\" is not an Ethernet address", name, (int) vlen,
                        val);
        }
        if (mtext) {
            if (vsw_ofp_parse_mac(mtext, strlen(mtext), m->bytes)) {
                return fail(err, err_size, EINVAL,
                            "%s: \"%s\" is not an Ethernet address mask", name, mtext);
            }
        } else {
            memset(m->bytes, 0xff, VSW_ETH_ADDR_LEN);
        }
        *mode = SET_MASKED;
        break;

    case VSW_FF_IPV4:
        if (vsw_ofp_parse_ipv4(val, vlen, &v->ip4)) {
            return fail(err, err_size, EINVAL, "%s: \"%.*s\" is not an IPv4 address",
                        name, (int) vlen, val);
        }
        if (!mtext) {
            m->ip4 = UINT32_MAX;
        } else if (strchr(mtext, '.')) {
            if (vsw_ofp_parse_ipv4(mtext, strlen(mtext), &m->ip4)) {
                return fail(err, err_size, EINVAL,
                            "%s: \"%s\" is not an IPv4 netmask", name, mtext);
            }
        } else {
            uint64_t plen;
            if (vsw_ofp_parse_uint(mtext, strlen(mtext), 32, &plen)) {
                return fail(err, err_size, EINVAL,
                            "%s: \"/%s\" is not a prefix length (0 to 32)", name, mtext);
            }
            m->ip4 = plen ? rte_cpu_to_be_32(UINT32_MAX << (32 - plen)) : 0;
        }
        *mode = SET_MASKED;
        break;

    case VSW_FF_IPV6:
        if (vsw_ofp_parse_ipv6(val, vlen, v->bytes)) {
            return fail(err, err_size, EINVAL, "%s: \"%.*s\" is not an IPv6 address",
                        name, (int) vlen, val);
        }
        if (!mtext) {
            memset(m->bytes, 0xff, 16);
        } else if (strchr(mtext, ':')) {
            if (vsw_ofp_parse_ipv6(mtext, strlen(mtext), m->bytes)) {
                return fail(err, err_size, EINVAL,
                            "%s: \"%s\" is not an IPv6 netmask", name, mtext);
            }
        } else {
            uint64_t plen;
            if (vsw_ofp_parse_uint(mtext, strlen(mtext), 128, &plen)) {
                return fail(err, err_size, EINVAL,
                            "%s: \"/%s\" is not a prefix length (0 to 128)", name,
                            mtext);
            }
            ipv6_prefix_mask((int) plen, m->bytes);
        }
        *mode = SET_MASKED;
        break;

    case VSW_FF_FRAG:
        for (size_t i = 0; i < sizeof frag_names / sizeof frag_names[0]; i++) {
            if (!strcasecmp(val, frag_names[i].name)) {
                v->u = frag_names[i].value;
                m->u = frag_names[i].mask;
                *mode = SET_MASKED;
                return 0;
            }
        }
        return fail(err, err_size, EINVAL,
                    "%s: unknown fragment type \"%s\" (valid: no, yes, first, "
                    "later, not_later)", name, val);

    case VSW_FF_TCP_FLAGS: {
        int error = parse_tcp_flags(name, val, &v->u, &m->u, err, err_size);
        if (error) {
            return error;
        }
        *mode = SET_MASKED;
        return 0;
    }
    }

    if (*mode == SET_MASKED && !f->maskable) {
        return fail(err, err_size, EINVAL, "%s: \"%s\": %s cannot be masked", name,
                    val, name);
    }

    /* Values with bits outside the field: OVS keeps only the field's bits
     * (nw_tos=142 matches DSCP 140; dl_vlan=4097 is VLAN 1), and rule files
     * written for it rely on that, so we do the same. */
    if (*mode != SET_WILD) {
        switch ((enum vsw_field_id) f->id) {
        case VSW_F_DL_VLAN:
            if (v->u != 0xffff) {
                v->u &= VSW_VLAN_VID_MASK;
            }
            break;
        case VSW_F_NW_TOS:
            v->u &= VSW_IP_DSCP_MASK;
            break;
        default:
            break;
        }
    }
    return 0;
}

/* Sets 'n' bytes of 'key'/'mask' from 'v'/'m'. */
static void
set_bytes(uint8_t *key, uint8_t *mask, const uint8_t *v, const uint8_t *m,
          size_t n, enum setmode mode)
{
    for (size_t i = 0; i < n; i++) {
        mask[i] = mode == SET_WILD ? 0 : m[i];
        key[i] = v[i] & mask[i];
    }
}

static void
set_tci(struct vsw_match *match, uint16_t key, uint16_t mask)
{
    match->key.vlan_tci = rte_cpu_to_be_16(key & mask);
    match->mask.vlan_tci = rte_cpu_to_be_16(mask);
}

/* Applies a parsed field to 'match' with OVS's setter semantics. */
static void
apply_field(struct vsw_match *match, const struct vsw_field *f,
            const struct fval *v, const struct fval *m, enum setmode mode)
{
    struct vsw_flow *k = &match->key;
    struct vsw_flow *mk = &match->mask;
    uint16_t tci = rte_be_to_cpu_16(k->vlan_tci);
    uint16_t tci_mask = rte_be_to_cpu_16(mk->vlan_tci);
    bool wild = mode == SET_WILD;

    switch ((enum vsw_field_id) f->id) {
    default:
        if (f->pipe) {
            /* Registers, xregs, metadata: f->width bytes in network order. */
            uint8_t *pk = (uint8_t *) &match->pkey + f->offset;
            uint8_t *pm = (uint8_t *) &match->pmask + f->offset;
            for (unsigned i = 0; i < f->width; i++) {
                unsigned sh = 8 * (f->width - 1 - i);
                pm[i] = wild ? 0 : (uint8_t) (m->u >> sh);
                pk[i] = (uint8_t) (v->u >> sh) & pm[i];
            }
        }
        break;
    case VSW_F_IN_PORT:
        k->in_port = wild ? 0 : (uint32_t) v->u;
        mk->in_port = wild ? 0 : UINT32_MAX;
        break;
    case VSW_F_ETH_SRC:
        set_bytes(k->dl_src, mk->dl_src, v->bytes, m->bytes, VSW_ETH_ADDR_LEN, mode);
        break;
    case VSW_F_ETH_DST:
        set_bytes(k->dl_dst, mk->dl_dst, v->bytes, m->bytes, VSW_ETH_ADDR_LEN, mode);
        break;
    case VSW_F_ETH_TYPE:
        k->dl_type = wild ? 0 : rte_cpu_to_be_16((uint16_t) v->u);
        mk->dl_type = wild ? 0 : UINT16_MAX;
        break;
    case VSW_F_VLAN_TCI:
        set_tci(match, (uint16_t) v->u, wild ? 0 : (uint16_t) m->u);
        break;
    case VSW_F_DL_VLAN:
    case VSW_F_VLAN_VID:
        if (wild) {
            /* Any VID: keep a PCP match (and its CFI), else match anything. */
            if (tci_mask & VSW_VLAN_PCP_MASK) {
                set_tci(match, tci, tci_mask & (uint16_t) ~VSW_VLAN_VID_MASK);
            } else {
                set_tci(match, 0, 0);
            }
        } else if (f->id == VSW_F_DL_VLAN && v->u == 0xffff) {
            set_tci(match, 0, 0xffff);  /* No 802.1Q tag. */
        } else if (f->id == VSW_F_DL_VLAN) {
            tci = (uint16_t) ((tci & ~(VSW_VLAN_VID_MASK | VSW_VLAN_CFI))
                              | VSW_VLAN_CFI | v->u);
            set_tci(match, tci, tci_mask | VSW_VLAN_VID_MASK | VSW_VLAN_CFI);
        } else {
            uint16_t vm = (uint16_t) (m->u & (VSW_VLAN_VID_MASK | VSW_VLAN_CFI));
            tci = (uint16_t) ((tci & ~(VSW_VLAN_VID_MASK | VSW_VLAN_CFI)) | (v->u & vm));
            set_tci(match, tci, (uint16_t) (vm | (tci_mask & VSW_VLAN_PCP_MASK)));
        }
        break;
    case VSW_F_VLAN_PCP:
        if (wild) {
            if (tci_mask & VSW_VLAN_VID_MASK) {
                set_tci(match, tci, tci_mask & (uint16_t) ~VSW_VLAN_PCP_MASK);
            } else {
                set_tci(match, 0, 0);
            }
        } else {
            tci = (uint16_t) ((tci & ~VSW_VLAN_PCP_MASK)
                              | (v->u << VSW_VLAN_PCP_SHIFT) | VSW_VLAN_CFI);
            set_tci(match, tci, tci_mask | VSW_VLAN_PCP_MASK | VSW_VLAN_CFI);
        }
        break;
    case VSW_F_IPV4_SRC:
    case VSW_F_ARP_SPA:
        mk->nw_src = wild ? 0 : m->ip4;
        k->nw_src = v->ip4 & mk->nw_src;
        break;
    case VSW_F_IPV4_DST:
    case VSW_F_ARP_TPA:
        mk->nw_dst = wild ? 0 : m->ip4;
        k->nw_dst = v->ip4 & mk->nw_dst;
        break;
    case VSW_F_IPV6_SRC:
        set_bytes(k->ipv6_src, mk->ipv6_src, v->bytes, m->bytes, 16, mode);
        break;
    case VSW_F_IPV6_DST:
        set_bytes(k->ipv6_dst, mk->ipv6_dst, v->bytes, m->bytes, 16, mode);
        break;
    case VSW_F_IPV6_LABEL: {
        uint32_t lm = wild ? 0 : (uint32_t) m->u & 0xfffff;
        mk->ipv6_label = rte_cpu_to_be_32(lm);
        k->ipv6_label = rte_cpu_to_be_32((uint32_t) v->u & lm);
        break;
    }
    case VSW_F_IP_PROTO:
    case VSW_F_ARP_OP:
        k->nw_proto = wild ? 0 : (uint8_t) v->u;
        mk->nw_proto = wild ? 0 : UINT8_MAX;
        break;
    case VSW_F_NW_TOS:
    case VSW_F_IP_DSCP: {
        uint8_t dscp = (uint8_t) (f->id == VSW_F_IP_DSCP ? v->u << 2 : v->u);
        k->nw_tos = (uint8_t) ((k->nw_tos & ~VSW_IP_DSCP_MASK) | (wild ? 0 : dscp));
        mk->nw_tos = (uint8_t) (wild ? mk->nw_tos & ~VSW_IP_DSCP_MASK
                                     : mk->nw_tos | VSW_IP_DSCP_MASK);
        break;
    }
    case VSW_F_IP_ECN:
        k->nw_tos = (uint8_t) ((k->nw_tos & ~VSW_IP_ECN_MASK) | (wild ? 0 : v->u));
        mk->nw_tos = (uint8_t) (wild ? mk->nw_tos & ~VSW_IP_ECN_MASK
                                     : mk->nw_tos | VSW_IP_ECN_MASK);
        break;
    case VSW_F_NW_TTL:
        k->nw_ttl = wild ? 0 : (uint8_t) v->u;
        mk->nw_ttl = wild ? 0 : UINT8_MAX;
        break;
    case VSW_F_IP_FRAG:
        mk->nw_frag = wild ? 0 : (uint8_t) m->u;
        k->nw_frag = (uint8_t) (v->u & mk->nw_frag);
        break;
    case VSW_F_ARP_SHA:
    case VSW_F_ND_SLL:
        set_bytes(k->arp_sha, mk->arp_sha, v->bytes, m->bytes, VSW_ETH_ADDR_LEN, mode);
        break;
    case VSW_F_ARP_THA:
    case VSW_F_ND_TLL:
        set_bytes(k->arp_tha, mk->arp_tha, v->bytes, m->bytes, VSW_ETH_ADDR_LEN, mode);
        break;
    case VSW_F_TCP_SRC:
    case VSW_F_UDP_SRC:
    case VSW_F_SCTP_SRC:
    case VSW_F_ICMP_TYPE:
        /* An ICMP type is exact: it fills the whole 16-bit tp_src. */
        mk->tp_src = wild ? 0 : f->id == VSW_F_ICMP_TYPE ? UINT16_MAX
                                  : rte_cpu_to_be_16((uint16_t) m->u);
        k->tp_src = rte_cpu_to_be_16((uint16_t) v->u) & mk->tp_src;
        break;
    case VSW_F_TCP_DST:
    case VSW_F_UDP_DST:
    case VSW_F_SCTP_DST:
    case VSW_F_ICMP_CODE:
        mk->tp_dst = wild ? 0 : f->id == VSW_F_ICMP_CODE ? UINT16_MAX
                                  : rte_cpu_to_be_16((uint16_t) m->u);
        k->tp_dst = rte_cpu_to_be_16((uint16_t) v->u) & mk->tp_dst;
        break;
    case VSW_F_TCP_FLAGS:
        mk->tcp_flags = wild ? 0 : rte_cpu_to_be_16((uint16_t) m->u);
        k->tcp_flags = rte_cpu_to_be_16((uint16_t) v->u) & mk->tcp_flags;
        break;
    case VSW_F_ND_TARGET:
        set_bytes(k->nd_target, mk->nd_target, v->bytes, m->bytes, 16, mode);
        break;
    case VSW_F_N:
        break;
    }
}

/* ------------------------------------------------------------------------ */
/* Prerequisites and the OpenFlow 1.3 round trip. */

static bool
slot_is_set(const struct vsw_flow *mk, enum slot s)
{
    switch (s) {
    case S_NONE:
    case S_VLAN:
    case S_N:
        return false;
    case S_NW_SRC:
        return mk->nw_src != 0;
    case S_NW_DST:
        return mk->nw_dst != 0;
    case S_IPV6_SRC:
        return !ofp_bytes_zero(mk->ipv6_src, 16);
    case S_IPV6_DST:
        return !ofp_bytes_zero(mk->ipv6_dst, 16);
    case S_IPV6_LABEL:
        return mk->ipv6_label != 0;
    case S_NW_PROTO:
        return mk->nw_proto != 0;
    case S_NW_TOS:
        return mk->nw_tos != 0;
    case S_NW_TTL:
        return mk->nw_ttl != 0;
    case S_NW_FRAG:
        return mk->nw_frag != 0;
    case S_ARP_SHA:
        return !ofp_bytes_zero(mk->arp_sha, VSW_ETH_ADDR_LEN);
    case S_ARP_THA:
        return !ofp_bytes_zero(mk->arp_tha, VSW_ETH_ADDR_LEN);
    case S_TP_SRC:
        return mk->tp_src != 0;
    case S_TP_DST:
        return mk->tp_dst != 0;
    case S_TCP_FLAGS:
        return mk->tcp_flags != 0;
    case S_ND_TARGET:
        return !ofp_bytes_zero(mk->nd_target, 16);
    }
    return false;
}

/* Checks the prerequisites of the fields set in 'p->match', each as the
 * keyword that set its slot last ('p->who'). */
static int
check_prereq(const struct ofp_match_parser *p, char *err, size_t err_size)
{
    const struct vsw_match *match = p->match;
    const struct vsw_flow *k = &match->key;
    const struct vsw_flow *mk = &match->mask;
    uint16_t dl_type = mk->dl_type ? rte_be_to_cpu_16(k->dl_type) : 0;
    bool ipv4 = dl_type == VSW_ETH_TYPE_IP;
    bool ipv6 = dl_type == VSW_ETH_TYPE_IPV6;
    bool ip_any = ipv4 || ipv6;
    bool arp = dl_type == VSW_ETH_TYPE_ARP || dl_type == VSW_ETH_TYPE_RARP;
    int proto = ip_any && mk->nw_proto ? k->nw_proto : -1;
    bool later = (k->nw_frag & VSW_FRAG_LATER) != 0;
    bool icmp6 = ipv6 && proto == VSW_IPPROTO_ICMPV6;
    uint16_t icmp_type = rte_be_to_cpu_16(k->tp_src);
    bool nd = icmp6 && k->tp_dst == 0 && (icmp_type == 135 || icmp_type == 136);

    for (int s = S_NONE + 1; s < S_N; s++) {
        const char *name = p->who[s].name;

        if (!name || !slot_is_set(mk, (enum slot) s)) {
            continue;
        }
        switch ((enum vsw_field_prereq) p->who[s].prereq) {
        case VSW_FP_NONE:
        case VSW_FP_IPV4:   /* The action parser's prerequisites. */
        case VSW_FP_UDP:
        case VSW_FP_SCTP:
        case VSW_FP_VLAN:
            break;
        case VSW_FP_IPV4_ARP:
            if (!ipv4 && !arp) {
                return fail(err, err_size, EINVAL,
                            "%s: needs ip (or arp/rarp) in the match", name);
            }
            break;
        case VSW_FP_IPV6:
            if (!ipv6) {
                return fail(err, err_size, EINVAL, "%s: needs ipv6 in the match",
                            name);
            }
            break;
        case VSW_FP_IP_ANY:
            if (!ip_any) {
                return fail(err, err_size, EINVAL,
                            "%s: needs ip or ipv6 in the match", name);
            }
            break;
        case VSW_FP_PROTO:
            if (!ip_any && !arp) {
                return fail(err, err_size, EINVAL,
                            "%s: needs ip, ipv6, arp or rarp in the match", name);
            }
            break;
        case VSW_FP_ARP:
            if (!arp) {
                return fail(err, err_size, EINVAL,
                            "%s: needs arp or rarp in the match", name);
            }
            break;
        case VSW_FP_L4:
            if (proto != VSW_IPPROTO_TCP && proto != VSW_IPPROTO_UDP
                && proto != VSW_IPPROTO_SCTP) {
                return fail(err, err_size, EINVAL,
                            "%s: needs a transport protocol (tcp, udp or sctp) in "
                            "the match", name);
            }
            if (later) {
                return fail(err, err_size, EINVAL,
                            "%s: later fragments have no transport header "
                            "(ip_frag=later)", name);
            }
            break;
        case VSW_FP_TCP:
            if (proto != VSW_IPPROTO_TCP) {
                return fail(err, err_size, EINVAL,
                            "%s: needs tcp (or tcp6) in the match", name);
            }
            if (later) {
                return fail(err, err_size, EINVAL,
                            "%s: later fragments have no transport header "
                            "(ip_frag=later)", name);
            }
            break;
        case VSW_FP_ICMP:
            if (!(ipv4 && proto == VSW_IPPROTO_ICMP) && !icmp6) {
                return fail(err, err_size, EINVAL,
                            "%s: needs icmp or icmp6 in the match", name);
            }
            break;
        case VSW_FP_ND:
            if (!nd) {
                return fail(err, err_size, EINVAL,
                            "%s: needs icmp6 with icmp_type=135 or 136 (and "
                            "icmp_code 0) in the match", name);
            }
            break;
        case VSW_FP_ND_SLL:
            if (!nd || icmp_type != 135) {
                return fail(err, err_size, EINVAL,
                            "%s: needs icmp6 with icmp_type=135 (and icmp_code 0) "
                            "in the match", name);
            }
            break;
        case VSW_FP_ND_TLL:
            if (!nd || icmp_type != 136) {
                return fail(err, err_size, EINVAL,
                            "%s: needs icmp6 with icmp_type=136 (and icmp_code 0) "
                            "in the match", name);
            }
            break;
        }
    }
    return 0;
}

/*
 * OpenFlow 1.3 carries the outer tag as OXM VLAN_VID (VID plus the "present"
 * bit, which is our CFI bit, maskable) and VLAN_PCP (3 bits, exact), and OVS
 * sends VLAN_PCP only when the VID+CFI value is nonzero.  So after the
 * add-flow round trip a PCP match is either widened to all three bits or
 * dropped; a PCP with a VID but without CFI cannot be decoded at all.
 */
static int
oxm_vlan_round_trip(struct vsw_match *match, const char *who,
                    char *err, size_t err_size)
{
    uint16_t tci = rte_be_to_cpu_16(match->key.vlan_tci);
    uint16_t mask = rte_be_to_cpu_16(match->mask.vlan_tci);
    uint16_t vid_mask = mask & (VSW_VLAN_VID_MASK | VSW_VLAN_CFI);
    uint16_t vid = tci & vid_mask;
    uint16_t new_tci = vid, new_mask = vid_mask;

    if (vid && (mask & VSW_VLAN_PCP_MASK)) {
        if (!(vid & VSW_VLAN_CFI)) {
            return fail(err, err_size, EINVAL,
                        "%s: matching a VLAN PCP together with a VLAN ID requires "
                        "the CFI bit 0x1000 set (tagged frames), as in OpenFlow 1.3",
                        who ? who : "vlan_tci");
        }
        new_tci |= tci & VSW_VLAN_PCP_MASK;
        new_mask |= VSW_VLAN_PCP_MASK;
    }
    set_tci(match, new_tci, new_mask);
    return 0;
}

/* ------------------------------------------------------------------------ */

/* ------------------------------------------------------------------------ */
/* The parser's interface (ofp_match.h). */

void
ofp_match_parser_init(struct ofp_match_parser *p, struct vsw_match *match)
{
    memset(p, 0, sizeof *p);
    p->match = match;
}

int
ofp_match_parse_item(struct ofp_match_parser *p, const char *key, char *val,
                     char *err, size_t err_size)
{
    const struct vsw_field_name *fn = vsw_field_name_find(key);
    const struct proto_keyword *pk;

    if (fn) {
        const struct vsw_field *f = vsw_field_get((enum vsw_field_id) fn->id);
        enum slot slot = slot_of(f);
        struct fval v, m;
        enum setmode mode;
        int error = parse_field_value(f, key, val, &v, &m, &mode, err, err_size);

        if (error) {
            return error;
        }
        apply_field(p->match, f, &v, &m, mode);
        if (slot != S_NONE) {
            p->who[slot].name = key;
            p->who[slot].prereq = f->prereq;
        }
        return 0;
    }

    pk = proto_keyword_find(key);
    if (pk) {
        const struct proto *pr = &protos[pk->proto];

        if (*val) {
            return fail(err, err_size, EINVAL, "%s: takes no value", key);
        }
        p->match->key.dl_type = rte_cpu_to_be_16(pr->dl_type);
        p->match->mask.dl_type = UINT16_MAX;
        if (pr->nw_proto) {
            p->match->key.nw_proto = pr->nw_proto;
            p->match->mask.nw_proto = UINT8_MAX;
            p->who[S_NW_PROTO].name = key;
            p->who[S_NW_PROTO].prereq = VSW_FP_PROTO;
        }
        return 0;
    }
    return ENOENT;
}

int
ofp_match_finish(struct ofp_match_parser *p, char *err, size_t err_size)
{
    int error = check_prereq(p, err, err_size);

    if (!error) {
        error = oxm_vlan_round_trip(p->match, p->who[S_VLAN].name, err, err_size);
    }
    if (!error) {
        vsw_match_normalize(p->match);
    }
    return error;
}
