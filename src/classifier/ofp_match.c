/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Flow lines in the ovs-ofctl syntax: parsing a rule ("flow mod") into a
 * normalised match, and printing a match back the way
 * `ovs-ofctl -O OpenFlow13 dump-flows` does.
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

#include "vsw/ofp_parse.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------------------ */
/* Errors and output buffers. */

#define fail vsw_ofp_fail

int
vsw_ofp_fail(char *err, size_t err_size, int code, const char *fmt, ...)
{
    if (err && err_size) {
        va_list args;
        va_start(args, fmt);
        vsnprintf(err, err_size, fmt, args);
        va_end(args);
    }
    return code;
}

void
vsw_ofp_buf_init(struct vsw_ofp_buf *b, char *buf, size_t size)
{
    b->buf = buf;
    b->size = size;
    b->len = 0;
    if (size) {
        buf[0] = '\0';
    }
}

void
vsw_ofp_buf_printf(struct vsw_ofp_buf *b, const char *fmt, ...)
{
    va_list args;
    char *dst = NULL;
    size_t room = 0;
    int n;

    if (b->len < b->size) {
        dst = b->buf + b->len;
        room = b->size - b->len;
    }
    va_start(args, fmt);
    n = vsnprintf(dst, room, fmt, args);
    va_end(args);
    if (n > 0) {
        b->len += (size_t) n;
    }
}

void
vsw_ofp_buf_put_mac(struct vsw_ofp_buf *b, const uint8_t mac[VSW_ETH_ADDR_LEN])
{
    vsw_ofp_buf_printf(b, "%02x:%02x:%02x:%02x:%02x:%02x",
                       mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

void
vsw_ofp_buf_put_ipv4(struct vsw_ofp_buf *b, rte_be32_t ip)
{
    const uint8_t *p = (const uint8_t *) &ip;
    vsw_ofp_buf_printf(b, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
}

void
vsw_ofp_buf_put_ipv6(struct vsw_ofp_buf *b, const uint8_t ip6[16])
{
    char s[INET6_ADDRSTRLEN];

    if (!inet_ntop(AF_INET6, ip6, s, sizeof s)) {
        s[0] = '\0';
    }
    vsw_ofp_buf_printf(b, "%s", s);
}

/* ------------------------------------------------------------------------ */
/* Lexical helpers. */

/* Length of the value at 's', which ends at one of 'delims' (or the end of
 * the string) outside parentheses. */
static size_t
value_len(const char *s, const char *delims)
{
    size_t n = 0;

    while (s[n] && !strchr(delims, s[n])) {
        if (s[n] == '(') {
            int level = 0;
            do {
                if (s[n] == '(') {
                    level++;
                } else if (s[n] == ')') {
                    level--;
                } else if (!s[n]) {
                    return n;
                }
                n++;
            } while (level > 0);
        } else {
            n++;
        }
    }
    return n;
}

bool
vsw_ofp_next_kv(char **pos, char **key, char **value)
{
    char *p = *pos + strspn(*pos, ", \t\r\n");
    const char *delims;
    size_t klen, vlen;
    char kdelim, vdelim;
    char *k, *v;

    if (!*p) {
        *pos = p;
        *key = *value = NULL;
        return false;
    }

    k = p;
    klen = strcspn(k, ":=(, \t\r\n");
    kdelim = k[klen];
    k[klen] = '\0';
    p = k + klen + (kdelim != '\0');

    if (kdelim == ':' || kdelim == '=') {
        delims = ", \t\r\n";
    } else if (kdelim == '(') {
        delims = ")";
    } else {
        *key = k;
        *value = k + klen;
        *pos = p;
        return true;
    }

    v = p;
    vlen = value_len(v, delims);
    vdelim = v[vlen];
    v[vlen] = '\0';
    *pos = v + vlen + (vdelim != '\0');
    *key = k;
    *value = v;
    return true;
}

static int
digit_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    } else if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return 99;
}

int
vsw_ofp_parse_uint(const char *s, size_t n, uint64_t max, uint64_t *out)
{
    unsigned base = 10;
    bool overflow = false;
    uint64_t v = 0;
    size_t i = 0;

    if (!n) {
        return EINVAL;
    }
    if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
        if (n == 2) {
            return EINVAL;
        }
    } else if (s[0] == '0' && n > 1) {
        base = 8;
        i = 1;
    }
    for (; i < n; i++) {
        int d = digit_value(s[i]);
        if (d >= (int) base) {
            return EINVAL;
        }
        if (v > (UINT64_MAX - (uint64_t) d) / base) {
            overflow = true;
        } else {
            v = v * base + (uint64_t) d;
        }
    }
    if (overflow || v > max) {
        return ERANGE;
    }
    *out = v;
    return 0;
}

int
vsw_ofp_parse_mac(const char *s, size_t n, uint8_t mac[VSW_ETH_ADDR_LEN])
{
    size_t i = 0;

    for (int g = 0; g < VSW_ETH_ADDR_LEN; g++) {
        unsigned v = 0;
        size_t digits = 0;

        if (g) {
            if (i >= n || s[i] != ':') {
                return EINVAL;
            }
            i++;
        }
        while (i < n && digits < 3 && digit_value(s[i]) < 16) {
            v = v * 16 + (unsigned) digit_value(s[i]);
            i++;
            digits++;
        }
        if (!digits || digits > 2) {
            return EINVAL;
        }
        mac[g] = (uint8_t) v;
    }
    return i == n ? 0 : EINVAL;
}

int
vsw_ofp_parse_ipv4(const char *s, size_t n, rte_be32_t *ip)
{
    uint8_t *p = (uint8_t *) ip;
    size_t i = 0;

    for (int g = 0; g < 4; g++) {
        unsigned v = 0;
        size_t digits = 0;

        if (g) {
            if (i >= n || s[i] != '.') {
                return EINVAL;
            }
            i++;
        }
        while (i < n && s[i] >= '0' && s[i] <= '9' && digits < 4) {
            v = v * 10 + (unsigned) (s[i] - '0');
            i++;
            digits++;
        }
        if (!digits || digits > 3 || v > 255) {
            return EINVAL;
        }
        p[g] = (uint8_t) v;
    }
    return i == n ? 0 : EINVAL;
}

int
vsw_ofp_parse_ipv6(const char *s, size_t n, uint8_t ip6[16])
{
    char tmp[INET6_ADDRSTRLEN + 8];

    if (!n || n >= sizeof tmp) {
        return EINVAL;
    }
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    return inet_pton(AF_INET6, tmp, ip6) == 1 ? 0 : EINVAL;
}

/* ------------------------------------------------------------------------ */
/* Keywords. */

/* How a field's value is written. */
enum syntax {
    SX_PORT,        /* OpenFlow port number. */
    SX_INT,         /* Integer, "V" or "V/M". */
    SX_MAC,         /* Ethernet address, optional "/mask". */
    SX_IPV4,        /* IPv4 address, optional "/N" or "/mask". */
    SX_IPV6,        /* IPv6 address, optional "/N" or "/mask". */
    SX_FRAG,        /* no, yes, first, later, not_later. */
    SX_TCP_FLAGS,   /* +syn-ack, syn|ack, 0x12/0x12... */
};

enum field_id {
    F_IN_PORT, F_ETH_SRC, F_ETH_DST, F_ETH_TYPE,
    F_VLAN_TCI, F_DL_VLAN, F_VLAN_VID, F_VLAN_PCP,
    F_NW_SRC, F_NW_DST, F_IPV6_SRC, F_IPV6_DST, F_IPV6_LABEL,
    F_NW_PROTO, F_ARP_OP, F_NW_TOS, F_IP_DSCP, F_IP_ECN, F_NW_TTL, F_IP_FRAG,
    F_ARP_SHA, F_ARP_THA, F_TP_SRC, F_TP_DST, F_TCP_FLAGS,
    F_ICMP_TYPE, F_ICMP_CODE, F_ND_TARGET,
};

/* Storage shared by fields, to know which token set it last: its
 * prerequisites are the ones checked. */
enum slot {
    S_NONE, S_VLAN, S_NW_SRC, S_NW_DST, S_IPV6_SRC, S_IPV6_DST, S_IPV6_LABEL,
    S_NW_PROTO, S_NW_TOS, S_NW_TTL, S_NW_FRAG, S_ARP_SHA, S_ARP_THA,
    S_TP_SRC, S_TP_DST, S_TCP_FLAGS, S_ND_TARGET, S_N
};

enum prereq {
    P_NONE,
    P_IPV4_ARP,   /* IPv4, ARP or RARP. */
    P_IPV6,
    P_IP_ANY,     /* IPv4 or IPv6. */
    P_PROTO,      /* IPv4, IPv6, ARP or RARP. */
    P_ARP,        /* ARP or RARP. */
    P_L4,         /* TCP, UDP or SCTP, not a later fragment. */
    P_TCP,        /* TCP, not a later fragment. */
    P_ICMP,       /* ICMP or ICMPv6. */
    P_ND,         /* ICMPv6 neighbour solicitation or advertisement. */
    P_ND_SLL,     /* ICMPv6 neighbour solicitation. */
    P_ND_TLL,     /* ICMPv6 neighbour advertisement. */
};

enum kw_kind {
    KW_FIELD, KW_PROTO, KW_PRIORITY, KW_TABLE, KW_COOKIE, KW_IDLE, KW_HARD,
    KW_IGNORED,      /* Statistics in dump-flows output: accepted, ignored. */
    KW_UNSUPPORTED,  /* Valid for ovs-ofctl, not supported by vsw. */
};

struct keyword {
    const char *name;
    uint8_t kind;       /* enum kw_kind. */
    uint8_t id;         /* KW_FIELD: enum field_id; KW_PROTO: index. */
    uint8_t syntax;     /* enum syntax. */
    uint8_t width;      /* SX_INT: bytes. */
    uint8_t slot;       /* enum slot. */
    uint8_t prereq;     /* enum prereq. */
    bool maskable;
    uint32_t max;       /* SX_INT, SX_PORT: largest valid value. */
};

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

#define FIELD(NAME, ID, SX, W, MASKABLE, MAX, SLOT, PRE) \
    { NAME, KW_FIELD, ID, SX, W, SLOT, PRE, MASKABLE, MAX }
#define PROTO(NAME, IDX) { NAME, KW_PROTO, IDX, 0, 0, S_NONE, P_NONE, false, 0 }
#define OTHER(NAME, KIND) { NAME, KIND, 0, 0, 0, S_NONE, P_NONE, false, 0 }

/* Sorted by strcmp() for bsearch(); the unit tests use every entry. */
static const struct keyword keywords[] = {
    PROTO("arp", PR_ARP),
    FIELD("arp_op", F_ARP_OP, SX_INT, 2, false, 0xff, S_NW_PROTO, P_ARP),
    FIELD("arp_sha", F_ARP_SHA, SX_MAC, 6, true, 0, S_ARP_SHA, P_ARP),
    FIELD("arp_spa", F_NW_SRC, SX_IPV4, 4, true, 0, S_NW_SRC, P_IPV4_ARP),
    FIELD("arp_tha", F_ARP_THA, SX_MAC, 6, true, 0, S_ARP_THA, P_ARP),
    FIELD("arp_tpa", F_NW_DST, SX_IPV4, 4, true, 0, S_NW_DST, P_IPV4_ARP),
    OTHER("check_overlap", KW_UNSUPPORTED),
    OTHER("cookie", KW_COOKIE),
    FIELD("dl_dst", F_ETH_DST, SX_MAC, 6, true, 0, S_NONE, P_NONE),
    FIELD("dl_src", F_ETH_SRC, SX_MAC, 6, true, 0, S_NONE, P_NONE),
    FIELD("dl_type", F_ETH_TYPE, SX_INT, 2, false, 0xffff, S_NONE, P_NONE),
    FIELD("dl_vlan", F_DL_VLAN, SX_INT, 2, false, 0xffff, S_VLAN, P_NONE),
    FIELD("dl_vlan_pcp", F_VLAN_PCP, SX_INT, 1, false, 7, S_VLAN, P_NONE),
    OTHER("duration", KW_IGNORED),
    FIELD("eth_dst", F_ETH_DST, SX_MAC, 6, true, 0, S_NONE, P_NONE),
    FIELD("eth_src", F_ETH_SRC, SX_MAC, 6, true, 0, S_NONE, P_NONE),
    FIELD("eth_type", F_ETH_TYPE, SX_INT, 2, false, 0xffff, S_NONE, P_NONE),
    OTHER("hard_age", KW_IGNORED),
    OTHER("hard_timeout", KW_HARD),
    PROTO("icmp", PR_ICMP),
    PROTO("icmp6", PR_ICMP6),
    FIELD("icmp_code", F_ICMP_CODE, SX_INT, 1, false, 0xff, S_TP_DST, P_ICMP),
    FIELD("icmp_type", F_ICMP_TYPE, SX_INT, 1, false, 0xff, S_TP_SRC, P_ICMP),
    FIELD("icmpv6_code", F_ICMP_CODE, SX_INT, 1, false, 0xff, S_TP_DST, P_ICMP),
    FIELD("icmpv6_type", F_ICMP_TYPE, SX_INT, 1, false, 0xff, S_TP_SRC, P_ICMP),
    OTHER("idle_age", KW_IGNORED),
    OTHER("idle_timeout", KW_IDLE),
    OTHER("importance", KW_UNSUPPORTED),
    FIELD("in_port", F_IN_PORT, SX_PORT, 4, false, 0xfeff, S_NONE, P_NONE),
    PROTO("ip", PR_IP),
    PROTO("ip4", PR_IP),
    PROTO("ip6", PR_IPV6),
    FIELD("ip_dscp", F_IP_DSCP, SX_INT, 1, false, 63, S_NW_TOS, P_IP_ANY),
    FIELD("ip_dst", F_NW_DST, SX_IPV4, 4, true, 0, S_NW_DST, P_IPV4_ARP),
    FIELD("ip_ecn", F_IP_ECN, SX_INT, 1, false, 3, S_NW_TOS, P_IP_ANY),
    FIELD("ip_frag", F_IP_FRAG, SX_FRAG, 1, true, 0, S_NW_FRAG, P_IP_ANY),
    FIELD("ip_proto", F_NW_PROTO, SX_INT, 1, false, 0xff, S_NW_PROTO, P_PROTO),
    FIELD("ip_src", F_NW_SRC, SX_IPV4, 4, true, 0, S_NW_SRC, P_IPV4_ARP),
    PROTO("ipv4", PR_IP),
    PROTO("ipv6", PR_IPV6),
    FIELD("ipv6_dst", F_IPV6_DST, SX_IPV6, 16, true, 0, S_IPV6_DST, P_IPV6),
    FIELD("ipv6_label", F_IPV6_LABEL, SX_INT, 4, true, 0xfffff, S_IPV6_LABEL, P_IPV6),
    FIELD("ipv6_src", F_IPV6_SRC, SX_IPV6, 16, true, 0, S_IPV6_SRC, P_IPV6),
    PROTO("mpls", PR_MPLS),
    PROTO("mplsm", PR_MPLSM),
    OTHER("n_bytes", KW_IGNORED),
    OTHER("n_packets", KW_IGNORED),
    FIELD("nd_sll", F_ARP_SHA, SX_MAC, 6, true, 0, S_ARP_SHA, P_ND_SLL),
    FIELD("nd_target", F_ND_TARGET, SX_IPV6, 16, true, 0, S_ND_TARGET, P_ND),
    FIELD("nd_tll", F_ARP_THA, SX_MAC, 6, true, 0, S_ARP_THA, P_ND_TLL),
    OTHER("no_byte_counts", KW_UNSUPPORTED),
    OTHER("no_packet_counts", KW_UNSUPPORTED),
    FIELD("nw_dst", F_NW_DST, SX_IPV4, 4, true, 0, S_NW_DST, P_IPV4_ARP),
    FIELD("nw_ecn", F_IP_ECN, SX_INT, 1, false, 3, S_NW_TOS, P_IP_ANY),
    FIELD("nw_frag", F_IP_FRAG, SX_FRAG, 1, true, 0, S_NW_FRAG, P_IP_ANY),
    FIELD("nw_proto", F_NW_PROTO, SX_INT, 1, false, 0xff, S_NW_PROTO, P_PROTO),
    FIELD("nw_src", F_NW_SRC, SX_IPV4, 4, true, 0, S_NW_SRC, P_IPV4_ARP),
    FIELD("nw_tos", F_NW_TOS, SX_INT, 1, false, 0xff, S_NW_TOS, P_IP_ANY),
    FIELD("nw_ttl", F_NW_TTL, SX_INT, 1, false, 0xff, S_NW_TTL, P_IP_ANY),
    OTHER("out_group", KW_UNSUPPORTED),
    OTHER("out_port", KW_UNSUPPORTED),
    OTHER("priority", KW_PRIORITY),
    PROTO("rarp", PR_RARP),
    OTHER("reset_counts", KW_UNSUPPORTED),
    PROTO("sctp", PR_SCTP),
    PROTO("sctp6", PR_SCTP6),
    FIELD("sctp_dst", F_TP_DST, SX_INT, 2, true, 0xffff, S_TP_DST, P_L4),
    FIELD("sctp_src", F_TP_SRC, SX_INT, 2, true, 0xffff, S_TP_SRC, P_L4),
    OTHER("send_flow_rem", KW_UNSUPPORTED),
    OTHER("table", KW_TABLE),
    PROTO("tcp", PR_TCP),
    PROTO("tcp6", PR_TCP6),
    FIELD("tcp_dst", F_TP_DST, SX_INT, 2, true, 0xffff, S_TP_DST, P_L4),
    FIELD("tcp_flags", F_TCP_FLAGS, SX_TCP_FLAGS, 2, true, 0, S_TCP_FLAGS, P_TCP),
    FIELD("tcp_src", F_TP_SRC, SX_INT, 2, true, 0xffff, S_TP_SRC, P_L4),
    FIELD("tp_dst", F_TP_DST, SX_INT, 2, true, 0xffff, S_TP_DST, P_L4),
    FIELD("tp_src", F_TP_SRC, SX_INT, 2, true, 0xffff, S_TP_SRC, P_L4),
    PROTO("udp", PR_UDP),
    PROTO("udp6", PR_UDP6),
    FIELD("udp_dst", F_TP_DST, SX_INT, 2, true, 0xffff, S_TP_DST, P_L4),
    FIELD("udp_src", F_TP_SRC, SX_INT, 2, true, 0xffff, S_TP_SRC, P_L4),
    FIELD("vlan_pcp", F_VLAN_PCP, SX_INT, 1, false, 7, S_VLAN, P_NONE),
    FIELD("vlan_tci", F_VLAN_TCI, SX_INT, 2, true, 0xffff, S_VLAN, P_NONE),
    FIELD("vlan_vid", F_VLAN_VID, SX_INT, 2, true, 0x1fff, S_VLAN, P_NONE),
};

static int
keyword_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const struct keyword *) elem)->name);
}

static const struct keyword *
keyword_find(const char *name)
{
    return bsearch(name, keywords, sizeof keywords / sizeof keywords[0],
                   sizeof keywords[0], keyword_cmp);
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

static const char *const tcp_flag_names[12] = {
    "fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr", "ns",
    "[200]", "[400]", "[800]",
};

static bool
ipv4_mask_is_cidr(uint32_t mask)
{
    uint32_t inv = ~mask;
    return (inv & (inv + 1)) == 0;
}

static int
popcount32(uint32_t x)
{
    return __builtin_popcount(x);
}

static void
ipv6_prefix_mask(int plen, uint8_t mask[16])
{
    for (int i = 0; i < 16; i++) {
        int bits = plen - 8 * i;
        mask[i] = bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t) (0xff << (8 - bits));
    }
}

/* Returns the prefix length of 'mask', or -1 if it is not a CIDR mask. */
static int
ipv6_mask_cidr_len(const uint8_t mask[16])
{
    int plen = 0;
    int i = 0;

    while (i < 16 && mask[i] == 0xff) {
        plen += 8;
        i++;
    }
    if (i < 16) {
        uint8_t inv = (uint8_t) ~mask[i];
        if ((inv & (inv + 1)) != 0) {
            return -1;
        }
        plen += __builtin_popcount(mask[i]);
        for (i++; i < 16; i++) {
            if (mask[i]) {
                return -1;
            }
        }
    }
    return plen;
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
                if (strlen(tcp_flag_names[bit]) == len
                    && !strncmp(p, tcp_flag_names[bit], len)) {
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
                            tcp_flag_names[bit]);
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
                if (strlen(tcp_flag_names[bit]) == len
                    && !strncmp(p, tcp_flag_names[bit], len)) {
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

/* Parses the value 'val' of field keyword 'kw' (written as 'name') into 'v'
 * and 'm', and tells how to set it in '*mode'. */
static int
parse_field_value(const struct keyword *kw, const char *name, char *val,
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
        if (kw->syntax == SX_INT || kw->syntax == SX_TCP_FLAGS) {
            *mode = SET_WILD;
            return 0;
        }
        return fail(err, err_size, EINVAL, "%s: needs a value (\"*\" wildcards it)",
                    name);
    }

    switch ((enum syntax) kw->syntax) {
    case SX_PORT: {
        uint64_t port;

        for (const char *p = val; *p; p++) {
            if (*p < '0' || *p > '9') {
                return fail(err, err_size, EINVAL,
                            "%s: \"%s\" is not a port number (vsw supports "
                            "only numbered ports, 0 to %u)", name, val, kw->max);
            }
        }
        if (vsw_ofp_parse_uint(val, strlen(val), kw->max, &port)) {
            return fail(err, err_size, ERANGE,
                        "%s: %s is out of range (0 to %u)", name, val, kw->max);
        }
        v->u = port;
        *mode = SET_EXACT;
        return 0;
    }

    case SX_INT: {
        uint64_t limit = kw->width >= 8 ? UINT64_MAX : (UINT64_C(1) << (8 * kw->width)) - 1;
        int error;

        full = limit;
        error = vsw_ofp_parse_uint(val, vlen, limit, &v->u);
        if (error == EINVAL) {
            return fail(err, err_size, EINVAL, "%s: \"%.*s\" is not a number",
                        name, (int) vlen, val);
        }
        if (error || v->u > kw->max) {
            return fail(err, err_size, ERANGE,
                        "%s: %.*s is out of range (0 to %u)", name, (int) vlen, val,
                        kw->max);
        }
        if (mtext) {
            error = vsw_ofp_parse_uint(mtext, strlen(mtext), limit, &m->u);
            if (error) {
                return fail(err, err_size, error,
                            "%s: \"%s\" is not a valid %u-bit mask", name, mtext,
                            8 * kw->width);
            }
        } else {
            m->u = full;
        }
        *mode = m->u == full ? SET_EXACT : m->u == 0 ? SET_WILD : SET_MASKED;
        if (*mode == SET_MASKED && kw->id == F_IPV6_LABEL) {
            /* Only the 20 label bits count (OVS also takes 0xfffff as exact);
             * refuse other bits rather than print them back as OVS does. */
            if ((m->u & kw->max) == kw->max) {
                *mode = SET_EXACT;
            } else if (m->u & ~(uint64_t) kw->max) {
                return fail(err, err_size, EINVAL,
                            "%s: mask %s has bits outside the field (largest %#x)",
                            name, mtext, kw->max);
            }
        }
        break;
    }

    case SX_MAC:
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

    case SX_IPV4:
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

    case SX_IPV6:
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

    case SX_FRAG:
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

    case SX_TCP_FLAGS: {
        int error = parse_tcp_flags(name, val, &v->u, &m->u, err, err_size);
        if (error) {
            return error;
        }
        *mode = SET_MASKED;
        return 0;
    }
    }

    if (*mode == SET_MASKED && !kw->maskable) {
        return fail(err, err_size, EINVAL, "%s: \"%s\": %s cannot be masked", name,
                    val, name);
    }

    /* Values with bits outside the field: OVS keeps only the field's bits
     * (nw_tos=142 matches DSCP 140; dl_vlan=4097 is VLAN 1), and rule files
     * written for it rely on that, so we do the same. */
    if (*mode != SET_WILD) {
        switch ((enum field_id) kw->id) {
        case F_DL_VLAN:
            if (v->u != 0xffff) {
                v->u &= VSW_VLAN_VID_MASK;
            }
            break;
        case F_NW_TOS:
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
apply_field(struct vsw_match *match, const struct keyword *kw,
            const struct fval *v, const struct fval *m, enum setmode mode)
{
    struct vsw_flow *k = &match->key;
    struct vsw_flow *mk = &match->mask;
    uint16_t tci = rte_be_to_cpu_16(k->vlan_tci);
    uint16_t tci_mask = rte_be_to_cpu_16(mk->vlan_tci);
    bool wild = mode == SET_WILD;

    switch ((enum field_id) kw->id) {
    case F_IN_PORT:
        k->in_port = wild ? 0 : (uint32_t) v->u;
        mk->in_port = wild ? 0 : UINT32_MAX;
        break;
    case F_ETH_SRC:
        set_bytes(k->dl_src, mk->dl_src, v->bytes, m->bytes, VSW_ETH_ADDR_LEN, mode);
        break;
    case F_ETH_DST:
        set_bytes(k->dl_dst, mk->dl_dst, v->bytes, m->bytes, VSW_ETH_ADDR_LEN, mode);
        break;
    case F_ETH_TYPE:
        k->dl_type = wild ? 0 : rte_cpu_to_be_16((uint16_t) v->u);
        mk->dl_type = wild ? 0 : UINT16_MAX;
        break;
    case F_VLAN_TCI:
        set_tci(match, (uint16_t) v->u, wild ? 0 : (uint16_t) m->u);
        break;
    case F_DL_VLAN:
    case F_VLAN_VID:
        if (wild) {
            /* Any VID: keep a PCP match (and its CFI), else match anything. */
            if (tci_mask & VSW_VLAN_PCP_MASK) {
                set_tci(match, tci, tci_mask & (uint16_t) ~VSW_VLAN_VID_MASK);
            } else {
                set_tci(match, 0, 0);
            }
        } else if (kw->id == F_DL_VLAN && v->u == 0xffff) {
            set_tci(match, 0, 0xffff);  /* No 802.1Q tag. */
        } else if (kw->id == F_DL_VLAN) {
            tci = (uint16_t) ((tci & ~(VSW_VLAN_VID_MASK | VSW_VLAN_CFI))
                              | VSW_VLAN_CFI | v->u);
            set_tci(match, tci, tci_mask | VSW_VLAN_VID_MASK | VSW_VLAN_CFI);
        } else {
            uint16_t vm = (uint16_t) (m->u & (VSW_VLAN_VID_MASK | VSW_VLAN_CFI));
            tci = (uint16_t) ((tci & ~(VSW_VLAN_VID_MASK | VSW_VLAN_CFI)) | (v->u & vm));
            set_tci(match, tci, (uint16_t) (vm | (tci_mask & VSW_VLAN_PCP_MASK)));
        }
        break;
    case F_VLAN_PCP:
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
    case F_NW_SRC:
        mk->nw_src = wild ? 0 : m->ip4;
        k->nw_src = v->ip4 & mk->nw_src;
        break;
    case F_NW_DST:
        mk->nw_dst = wild ? 0 : m->ip4;
        k->nw_dst = v->ip4 & mk->nw_dst;
        break;
    case F_IPV6_SRC:
        set_bytes(k->ipv6_src, mk->ipv6_src, v->bytes, m->bytes, 16, mode);
        break;
    case F_IPV6_DST:
        set_bytes(k->ipv6_dst, mk->ipv6_dst, v->bytes, m->bytes, 16, mode);
        break;
    case F_IPV6_LABEL: {
        uint32_t lm = wild ? 0 : (uint32_t) m->u & 0xfffff;
        mk->ipv6_label = rte_cpu_to_be_32(lm);
        k->ipv6_label = rte_cpu_to_be_32((uint32_t) v->u & lm);
        break;
    }
    case F_NW_PROTO:
    case F_ARP_OP:
        k->nw_proto = wild ? 0 : (uint8_t) v->u;
        mk->nw_proto = wild ? 0 : UINT8_MAX;
        break;
    case F_NW_TOS:
    case F_IP_DSCP: {
        uint8_t dscp = (uint8_t) (kw->id == F_IP_DSCP ? v->u << 2 : v->u);
        k->nw_tos = (uint8_t) ((k->nw_tos & ~VSW_IP_DSCP_MASK) | (wild ? 0 : dscp));
        mk->nw_tos = (uint8_t) (wild ? mk->nw_tos & ~VSW_IP_DSCP_MASK
                                     : mk->nw_tos | VSW_IP_DSCP_MASK);
        break;
    }
    case F_IP_ECN:
        k->nw_tos = (uint8_t) ((k->nw_tos & ~VSW_IP_ECN_MASK) | (wild ? 0 : v->u));
        mk->nw_tos = (uint8_t) (wild ? mk->nw_tos & ~VSW_IP_ECN_MASK
                                     : mk->nw_tos | VSW_IP_ECN_MASK);
        break;
    case F_NW_TTL:
        k->nw_ttl = wild ? 0 : (uint8_t) v->u;
        mk->nw_ttl = wild ? 0 : UINT8_MAX;
        break;
    case F_IP_FRAG:
        mk->nw_frag = wild ? 0 : (uint8_t) m->u;
        k->nw_frag = (uint8_t) (v->u & mk->nw_frag);
        break;
    case F_ARP_SHA:
        set_bytes(k->arp_sha, mk->arp_sha, v->bytes, m->bytes, VSW_ETH_ADDR_LEN, mode);
        break;
    case F_ARP_THA:
        set_bytes(k->arp_tha, mk->arp_tha, v->bytes, m->bytes, VSW_ETH_ADDR_LEN, mode);
        break;
    case F_TP_SRC:
    case F_ICMP_TYPE:
        /* An ICMP type is exact: it fills the whole 16-bit tp_src. */
        mk->tp_src = wild ? 0 : kw->id == F_ICMP_TYPE ? UINT16_MAX
                                  : rte_cpu_to_be_16((uint16_t) m->u);
        k->tp_src = rte_cpu_to_be_16((uint16_t) v->u) & mk->tp_src;
        break;
    case F_TP_DST:
    case F_ICMP_CODE:
        mk->tp_dst = wild ? 0 : kw->id == F_ICMP_CODE ? UINT16_MAX
                                  : rte_cpu_to_be_16((uint16_t) m->u);
        k->tp_dst = rte_cpu_to_be_16((uint16_t) v->u) & mk->tp_dst;
        break;
    case F_TCP_FLAGS:
        mk->tcp_flags = wild ? 0 : rte_cpu_to_be_16((uint16_t) m->u);
        k->tcp_flags = rte_cpu_to_be_16((uint16_t) v->u) & mk->tcp_flags;
        break;
    case F_ND_TARGET:
        set_bytes(k->nd_target, mk->nd_target, v->bytes, m->bytes, 16, mode);
        break;
    }
}

/* ------------------------------------------------------------------------ */
/* Prerequisites and the OpenFlow 1.3 round trip. */

static bool
bytes_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i]) {
            return false;
        }
    }
    return true;
}

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
        return !bytes_zero(mk->ipv6_src, 16);
    case S_IPV6_DST:
        return !bytes_zero(mk->ipv6_dst, 16);
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
        return !bytes_zero(mk->arp_sha, VSW_ETH_ADDR_LEN);
    case S_ARP_THA:
        return !bytes_zero(mk->arp_tha, VSW_ETH_ADDR_LEN);
    case S_TP_SRC:
        return mk->tp_src != 0;
    case S_TP_DST:
        return mk->tp_dst != 0;
    case S_TCP_FLAGS:
        return mk->tcp_flags != 0;
    case S_ND_TARGET:
        return !bytes_zero(mk->nd_target, 16);
    }
    return false;
}

/* Who set a slot last, for prerequisite checks and messages. */
struct setter {
    const char *name;
    uint8_t prereq;
};

static int
check_prereq(const struct vsw_match *match, const struct setter *who,
             char *err, size_t err_size)
{
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
        const char *name = who[s].name;

        if (!name || !slot_is_set(mk, (enum slot) s)) {
            continue;
        }
        switch ((enum prereq) who[s].prereq) {
        case P_NONE:
            break;
        case P_IPV4_ARP:
            if (!ipv4 && !arp) {
                return fail(err, err_size, EINVAL,
                            "%s: needs ip (or arp/rarp) in the match", name);
            }
            break;
        case P_IPV6:
            if (!ipv6) {
                return fail(err, err_size, EINVAL, "%s: needs ipv6 in the match",
                            name);
            }
            break;
        case P_IP_ANY:
            if (!ip_any) {
                return fail(err, err_size, EINVAL,
                            "%s: needs ip or ipv6 in the match", name);
            }
            break;
        case P_PROTO:
            if (!ip_any && !arp) {
                return fail(err, err_size, EINVAL,
                            "%s: needs ip, ipv6, arp or rarp in the match", name);
            }
            break;
        case P_ARP:
            if (!arp) {
                return fail(err, err_size, EINVAL,
                            "%s: needs arp or rarp in the match", name);
            }
            break;
        case P_L4:
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
        case P_TCP:
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
        case P_ICMP:
            if (!(ipv4 && proto == VSW_IPPROTO_ICMP) && !icmp6) {
                return fail(err, err_size, EINVAL,
                            "%s: needs icmp or icmp6 in the match", name);
            }
            break;
        case P_ND:
            if (!nd) {
                return fail(err, err_size, EINVAL,
                            "%s: needs icmp6 with icmp_type=135 or 136 (and "
                            "icmp_code 0) in the match", name);
            }
            break;
        case P_ND_SLL:
            if (!nd || icmp_type != 135) {
                return fail(err, err_size, EINVAL,
                            "%s: needs icmp6 with icmp_type=135 (and icmp_code 0) "
                            "in the match", name);
            }
            break;
        case P_ND_TLL:
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
/* Flow lines. */

/* Splits off the "actions=" part of 'buf' (modified).  Returns 0 and sets
 * '*acts' to the action text, or NULL if there is no "action" keyword. */
static int
split_actions(char *buf, char **acts, char *err, size_t err_size)
{
    char *p = strstr(buf, "action");
    char *q;

    *acts = NULL;
    if (!p) {
        return 0;
    }
    q = p + strlen("action");
    if (*q == 's') {
        q++;
    }
    q += strspn(q, " \t");
    if (*q != '=') {
        return fail(err, err_size, EINVAL,
                    "actions: expected \"actions=\" followed by the action list");
    }
    *p = '\0';
    *acts = q + 1;
    return 0;
}

static int
parse_u16_key(const char *name, const char *val, uint16_t *out,
              char *err, size_t err_size)
{
    uint64_t v;
    int error = vsw_ofp_parse_uint(val, strlen(val), UINT16_MAX, &v);

    if (error == EINVAL) {
        return fail(err, err_size, EINVAL, "%s: \"%s\" is not a number", name, val);
    } else if (error) {
        return fail(err, err_size, ERANGE, "%s: %s is out of range (0 to 65535)",
                    name, val);
    }
    *out = (uint16_t) v;
    return 0;
}

/* Parses a 64-bit cookie or cookie mask; like ovs-ofctl, "-1" is all ones. */
static int
parse_cookie(const char *s, size_t n, uint64_t *out)
{
    bool neg = n && s[0] == '-';
    uint64_t v;

    if (vsw_ofp_parse_uint(s + neg, n - neg, UINT64_MAX, &v)) {
        return EINVAL;
    }
    *out = neg ? (uint64_t) 0 - v : v;
    return 0;
}

static int
parse_cookie_key(enum vsw_fm_command cmd, const char *val,
                 struct vsw_flow_mod *fm, char *err, size_t err_size)
{
    const char *slash = strchr(val, '/');

    if (cmd == VSW_FM_ADD) {
        if (slash) {
            return fail(err, err_size, EINVAL,
                        "cookie: \"%s\": adding a flow sets its cookie, so a "
                        "/mask is not allowed", val);
        }
        if (parse_cookie(val, strlen(val), &fm->cookie)) {
            return fail(err, err_size, EINVAL, "cookie: \"%s\" is not a 64-bit "
                        "number", val);
        }
        return 0;
    }
    if (!slash) {
        return fail(err, err_size, EINVAL,
                    "cookie: \"%s\": deleting flows matches cookies, so give a "
                    "mask, e.g. cookie=%s/-1", val, val);
    }
    if (parse_cookie(val, (size_t) (slash - val), &fm->cookie)
        || parse_cookie(slash + 1, strlen(slash + 1), &fm->cookie_mask)) {
        return fail(err, err_size, EINVAL,
                    "cookie: \"%s\" is not a 64-bit value/mask", val);
    }
    fm->cookie &= fm->cookie_mask;
    return 0;
}

int
vsw_flow_mod_parse(const char *s, enum vsw_fm_command cmd,
                   struct vsw_flow_mod *fm, char *err, size_t err_size)
{
    struct setter who[S_N];
    char stackbuf[1024];
    char *buf, *pos, *acts, *key, *val;
    size_t len = strlen(s);
    int error = 0;

    memset(fm, 0, sizeof *fm);
    vsw_match_init_catchall(&fm->match);
    fm->priority = VSW_DEFAULT_PRIORITY;
    if (err && err_size) {
        err[0] = '\0';
    }

    buf = len < sizeof stackbuf ? stackbuf : malloc(len + 1);
    if (!buf) {
        return fail(err, err_size, ENOMEM, "out of memory");
    }
    memcpy(buf, s, len + 1);
    memset(who, 0, sizeof who);

    error = split_actions(buf, &acts, err, err_size);
    if (error) {
        goto out;
    }
    /* A flow to add without "actions=" is checked for unknown fields first:
     * a misspelt field or "actions" keyword is then named, where ovs-ofctl
     * only says "must specify an action". */
    if (cmd != VSW_FM_ADD && acts) {
        error = fail(err, err_size, EINVAL,
                     "actions: not allowed when deleting flows");
        goto out;
    }

    pos = buf;
    while (vsw_ofp_next_kv(&pos, &key, &val)) {
        const struct keyword *kw = keyword_find(key);

        if (!kw) {
            error = fail(err, err_size, EINVAL, "unknown field \"%s\"%s", key,
                         cmd == VSW_FM_ADD && !acts
                         ? " (and no \"actions=\": a flow to add needs one)" : "");
            goto out;
        }
        switch ((enum kw_kind) kw->kind) {
        case KW_FIELD: {
            struct fval v, m;
            enum setmode mode;

            error = parse_field_value(kw, key, val, &v, &m, &mode, err, err_size);
            if (error) {
                goto out;
            }
            apply_field(&fm->match, kw, &v, &m, mode);
            if (kw->slot != S_NONE) {
                who[kw->slot].name = key;
                who[kw->slot].prereq = kw->prereq;
            }
            break;
        }

        case KW_PROTO: {
            const struct proto *p = &protos[kw->id];

            if (*val) {
                error = fail(err, err_size, EINVAL, "%s: takes no value", key);
                goto out;
            }
            fm->match.key.dl_type = rte_cpu_to_be_16(p->dl_type);
            fm->match.mask.dl_type = UINT16_MAX;
            if (p->nw_proto) {
                fm->match.key.nw_proto = p->nw_proto;
                fm->match.mask.nw_proto = UINT8_MAX;
                who[S_NW_PROTO].name = key;
                who[S_NW_PROTO].prereq = P_PROTO;
            }
            break;
        }

        case KW_PRIORITY:
            if (cmd == VSW_FM_DELETE) {
                error = fail(err, err_size, EINVAL,
                             "priority: only allowed when deleting flows strictly "
                             "(--strict)");
                goto out;
            }
            error = parse_u16_key(key, val, &fm->priority, err, err_size);
            if (error) {
                goto out;
            }
            break;

        case KW_TABLE: {
            uint64_t t;

            if (vsw_ofp_parse_uint(val, strlen(val), 255, &t)) {
                error = fail(err, err_size, EINVAL,
                             "table: \"%s\" is not a table number (0 to 254, or "
                             "255 for all tables)", val);
                goto out;
            }
            fm->table_id = t == 255 ? 0 : (uint8_t) t;
            fm->has_table = t != 255;
            break;
        }

        case KW_COOKIE:
            error = parse_cookie_key(cmd, val, fm, err, err_size);
            if (error) {
                goto out;
            }
            break;

        case KW_IDLE:
        case KW_HARD:
            if (cmd != VSW_FM_ADD) {
                error = fail(err, err_size, EINVAL,
                             "%s: not allowed when deleting flows", key);
                goto out;
            }
            error = parse_u16_key(key, val,
                                  kw->kind == KW_IDLE ? &fm->idle_timeout
                                                      : &fm->hard_timeout,
                                  err, err_size);
            if (error) {
                goto out;
            }
            break;

        case KW_IGNORED:
            if (!*val) {
                error = fail(err, err_size, EINVAL, "%s: needs a value", key);
                goto out;
            }
            break;

        case KW_UNSUPPORTED:
            error = fail(err, err_size, ENOTSUP, "%s: not supported by vsw", key);
            goto out;
        }
    }

    if (cmd == VSW_FM_ADD && !acts) {
        error = fail(err, err_size, EINVAL,
                     "actions: missing (a flow to add needs \"actions=...\"; "
                     "\"actions=drop\" drops)");
        goto out;
    }
    error = check_prereq(&fm->match, who, err, err_size);
    if (!error) {
        error = oxm_vlan_round_trip(&fm->match, who[S_VLAN].name, err, err_size);
    }
    if (error) {
        goto out;
    }
    vsw_match_normalize(&fm->match);

    if (cmd == VSW_FM_ADD) {
        error = vsw_actions_parse(acts, &fm->match, &fm->actions, err, err_size);
    }

out:
    if (buf != stackbuf) {
        free(buf);
    }
    if (error) {
        vsw_flow_mod_uninit(fm);
    }
    return error;
}

void
vsw_flow_mod_uninit(struct vsw_flow_mod *fm)
{
    if (fm) {
        vsw_actions_free(fm->actions);
        fm->actions = NULL;
    }
}

/* ------------------------------------------------------------------------ */
/* Formatting. */

/* Starts a new "name=" item, with a comma if something came before. */
static void
put_item(struct vsw_ofp_buf *b, size_t start, const char *name)
{
    vsw_ofp_buf_printf(b, "%s%s=", b->len > start ? "," : "", name);
}

/* Appends a bare word item such as "tcp". */
static void
put_word(struct vsw_ofp_buf *b, size_t start, const char *word)
{
    vsw_ofp_buf_printf(b, "%s%s", b->len > start ? "," : "", word);
}

static void
put_mac_masked(struct vsw_ofp_buf *b, size_t start, const char *name,
               const uint8_t *key, const uint8_t *mask)
{
    static const uint8_t ones[VSW_ETH_ADDR_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

    if (bytes_zero(mask, VSW_ETH_ADDR_LEN)) {
        return;
    }
    put_item(b, start, name);
    vsw_ofp_buf_put_mac(b, key);
    if (memcmp(mask, ones, VSW_ETH_ADDR_LEN)) {
        vsw_ofp_buf_printf(b, "/");
        vsw_ofp_buf_put_mac(b, mask);
    }
}

static void
put_ipv4_masked(struct vsw_ofp_buf *b, size_t start, const char *name,
                rte_be32_t key, rte_be32_t mask)
{
    uint32_t m = rte_be_to_cpu_32(mask);

    if (!m) {
        return;
    }
    put_item(b, start, name);
    vsw_ofp_buf_put_ipv4(b, key);
    if (m != UINT32_MAX) {
        if (ipv4_mask_is_cidr(m)) {
            vsw_ofp_buf_printf(b, "/%d", popcount32(m));
        } else {
            vsw_ofp_buf_printf(b, "/");
            vsw_ofp_buf_put_ipv4(b, mask);
        }
    }
}

static void
put_ipv6_masked(struct vsw_ofp_buf *b, size_t start, const char *name,
                const uint8_t *key, const uint8_t *mask)
{
    int plen;

    if (bytes_zero(mask, 16)) {
        return;
    }
    put_item(b, start, name);
    vsw_ofp_buf_put_ipv6(b, key);
    plen = ipv6_mask_cidr_len(mask);
    if (plen < 0) {
        vsw_ofp_buf_printf(b, "/");
        vsw_ofp_buf_put_ipv6(b, mask);
    } else if (plen < 128) {
        vsw_ofp_buf_printf(b, "/%d", plen);
    }
}

static void
put_be16_masked(struct vsw_ofp_buf *b, size_t start, const char *name,
                rte_be16_t key, rte_be16_t mask)
{
    uint16_t m = rte_be_to_cpu_16(mask);

    if (!m) {
        return;
    }
    put_item(b, start, name);
    if (m == UINT16_MAX) {
        vsw_ofp_buf_printf(b, "%u", rte_be_to_cpu_16(key));
    } else {
        vsw_ofp_buf_printf(b, "0x%x/0x%x", rte_be_to_cpu_16(key), m);
    }
}

static void
put_tcp_flags(struct vsw_ofp_buf *b, size_t start, uint16_t flags, uint16_t mask)
{
    put_item(b, start, "tcp_flags");
    if (mask == VSW_TCP_FLAGS_MASK) {
        bool first = true;

        if (!flags) {
            vsw_ofp_buf_printf(b, "0");
        }
        for (int bit = 0; bit < 12; bit++) {
            if (flags & (1u << bit)) {
                vsw_ofp_buf_printf(b, "%s%s", first ? "" : "|", tcp_flag_names[bit]);
                first = false;
            }
        }
    } else {
        for (int bit = 0; bit < 12; bit++) {
            if (mask & (1u << bit)) {
                vsw_ofp_buf_printf(b, "%c%s", flags & (1u << bit) ? '+' : '-',
                                   tcp_flag_names[bit]);
            }
        }
    }
}

static void
put_vlan(struct vsw_ofp_buf *b, size_t start, uint16_t tci, uint16_t mask)
{
    uint16_t vid_mask = mask & VSW_VLAN_VID_MASK;
    uint16_t pcp_mask = mask & VSW_VLAN_PCP_MASK;

    if (!mask) {
        return;
    }
    if ((mask & VSW_VLAN_CFI) && (tci & VSW_VLAN_CFI)
        && (!vid_mask || vid_mask == VSW_VLAN_VID_MASK)
        && (!pcp_mask || pcp_mask == VSW_VLAN_PCP_MASK)
        && (vid_mask || pcp_mask)) {
        if (vid_mask) {
            put_item(b, start, "dl_vlan");
            vsw_ofp_buf_printf(b, "%u", tci & VSW_VLAN_VID_MASK);
        }
        if (pcp_mask) {
            put_item(b, start, "dl_vlan_pcp");
            vsw_ofp_buf_printf(b, "%u", tci >> VSW_VLAN_PCP_SHIFT);
        }
    } else if (mask == UINT16_MAX) {
        put_item(b, start, "vlan_tci");
        vsw_ofp_buf_printf(b, "0x%04x", tci);
    } else {
        put_item(b, start, "vlan_tci");
        vsw_ofp_buf_printf(b, "0x%04x/0x%04x", tci, mask);
    }
}

int
vsw_match_format(const struct vsw_match *m, int priority, char *buf, size_t size)
{
    const struct vsw_flow *k = &m->key;
    const struct vsw_flow *mk = &m->mask;
    uint16_t dl_type = rte_be_to_cpu_16(k->dl_type);
    bool is_ipv4 = dl_type == VSW_ETH_TYPE_IP;
    bool is_ipv6 = dl_type == VSW_ETH_TYPE_IPV6;
    bool is_arp = dl_type == VSW_ETH_TYPE_ARP || dl_type == VSW_ETH_TYPE_RARP;
    bool skip_type = false, skip_proto = false;
    struct vsw_ofp_buf b;
    const size_t start = 0;

    vsw_ofp_buf_init(&b, buf, size);

    if (priority != VSW_DEFAULT_PRIORITY) {
        put_item(&b, start, "priority");
        vsw_ofp_buf_printf(&b, "%d", priority);
    }

    if (mk->dl_type) {
        const char *shorthand = NULL;

        if (is_ipv4 || is_ipv6) {
            shorthand = is_ipv4 ? "ip" : "ipv6";
            if (mk->nw_proto) {
                skip_proto = true;
                switch (k->nw_proto) {
                case VSW_IPPROTO_TCP:
                    shorthand = is_ipv4 ? "tcp" : "tcp6";
                    break;
                case VSW_IPPROTO_UDP:
                    shorthand = is_ipv4 ? "udp" : "udp6";
                    break;
                case VSW_IPPROTO_SCTP:
                    shorthand = is_ipv4 ? "sctp" : "sctp6";
                    break;
                case VSW_IPPROTO_ICMP:
                    if (is_ipv4) {
                        shorthand = "icmp";
                    } else {
                        skip_proto = false;
                    }
                    break;
                case VSW_IPPROTO_ICMPV6:
                    if (is_ipv6) {
                        shorthand = "icmp6";
                    } else {
                        skip_proto = false;
                    }
                    break;
                default:
                    skip_proto = false;
                    break;
                }
            }
        } else if (dl_type == VSW_ETH_TYPE_ARP) {
            shorthand = "arp";
        } else if (dl_type == VSW_ETH_TYPE_RARP) {
            shorthand = "rarp";
        } else if (dl_type == 0x8847) {
            shorthand = "mpls";
        } else if (dl_type == 0x8848) {
            shorthand = "mplsm";
        }
        if (shorthand) {
            put_word(&b, start, shorthand);
            skip_type = true;
        }
    }

    if (mk->in_port) {
        put_item(&b, start, "in_port");
        vsw_ofp_buf_printf(&b, "%u", k->in_port);
    }
    put_vlan(&b, start, rte_be_to_cpu_16(k->vlan_tci), rte_be_to_cpu_16(mk->vlan_tci));
    put_mac_masked(&b, start, "dl_src", k->dl_src, mk->dl_src);
    put_mac_masked(&b, start, "dl_dst", k->dl_dst, mk->dl_dst);
    if (!skip_type && mk->dl_type) {
        put_item(&b, start, "dl_type");
        vsw_ofp_buf_printf(&b, "0x%04x", dl_type);
    }

    if (is_ipv6) {
        put_ipv6_masked(&b, start, "ipv6_src", k->ipv6_src, mk->ipv6_src);
        put_ipv6_masked(&b, start, "ipv6_dst", k->ipv6_dst, mk->ipv6_dst);
        if (mk->ipv6_label) {
            uint32_t lm = rte_be_to_cpu_32(mk->ipv6_label);
            put_item(&b, start, "ipv6_label");
            vsw_ofp_buf_printf(&b, "0x%05x", rte_be_to_cpu_32(k->ipv6_label));
            if (lm != 0xfffff) {
                vsw_ofp_buf_printf(&b, "/0x%05x", lm);
            }
        }
    } else if (is_arp) {
        put_ipv4_masked(&b, start, "arp_spa", k->nw_src, mk->nw_src);
        put_ipv4_masked(&b, start, "arp_tpa", k->nw_dst, mk->nw_dst);
    } else {
        put_ipv4_masked(&b, start, "nw_src", k->nw_src, mk->nw_src);
        put_ipv4_masked(&b, start, "nw_dst", k->nw_dst, mk->nw_dst);
    }
    if (!skip_proto && mk->nw_proto) {
        put_item(&b, start, is_arp ? "arp_op" : "nw_proto");
        vsw_ofp_buf_printf(&b, "%u", k->nw_proto);
    }
    if (is_arp) {
        put_mac_masked(&b, start, "arp_sha", k->arp_sha, mk->arp_sha);
        put_mac_masked(&b, start, "arp_tha", k->arp_tha, mk->arp_tha);
    }
    if (mk->nw_tos & VSW_IP_DSCP_MASK) {
        put_item(&b, start, "nw_tos");
        vsw_ofp_buf_printf(&b, "%u", k->nw_tos & VSW_IP_DSCP_MASK);
    }
    if (mk->nw_tos & VSW_IP_ECN_MASK) {
        put_item(&b, start, "nw_ecn");
        vsw_ofp_buf_printf(&b, "%u", k->nw_tos & VSW_IP_ECN_MASK);
    }
    if (mk->nw_ttl) {
        put_item(&b, start, "nw_ttl");
        vsw_ofp_buf_printf(&b, "%u", k->nw_ttl);
    }
    switch (mk->nw_frag & VSW_FRAG_MASK) {
    case VSW_FRAG_ANY | VSW_FRAG_LATER:
        put_item(&b, start, "nw_frag");
        vsw_ofp_buf_printf(&b, "%s", k->nw_frag & VSW_FRAG_ANY
                           ? (k->nw_frag & VSW_FRAG_LATER ? "later" : "first")
                           : (k->nw_frag & VSW_FRAG_LATER ? "<error>" : "no"));
        break;
    case VSW_FRAG_ANY:
        put_item(&b, start, "nw_frag");
        vsw_ofp_buf_printf(&b, "%s", k->nw_frag & VSW_FRAG_ANY ? "yes" : "no");
        break;
    case VSW_FRAG_LATER:
        put_item(&b, start, "nw_frag");
        vsw_ofp_buf_printf(&b, "%s",
                           k->nw_frag & VSW_FRAG_LATER ? "later" : "not_later");
        break;
    }
    if (is_ipv4 && k->nw_proto == VSW_IPPROTO_ICMP) {
        put_be16_masked(&b, start, "icmp_type", k->tp_src, mk->tp_src);
        put_be16_masked(&b, start, "icmp_code", k->tp_dst, mk->tp_dst);
    } else if (is_ipv6 && k->nw_proto == VSW_IPPROTO_ICMPV6) {
        put_be16_masked(&b, start, "icmp_type", k->tp_src, mk->tp_src);
        put_be16_masked(&b, start, "icmp_code", k->tp_dst, mk->tp_dst);
        put_ipv6_masked(&b, start, "nd_target", k->nd_target, mk->nd_target);
        put_mac_masked(&b, start, "nd_sll", k->arp_sha, mk->arp_sha);
        put_mac_masked(&b, start, "nd_tll", k->arp_tha, mk->arp_tha);
    } else {
        put_be16_masked(&b, start, "tp_src", k->tp_src, mk->tp_src);
        put_be16_masked(&b, start, "tp_dst", k->tp_dst, mk->tp_dst);
    }
    if ((is_ipv4 || is_ipv6) && k->nw_proto == VSW_IPPROTO_TCP && mk->tcp_flags) {
        put_tcp_flags(&b, start, rte_be_to_cpu_16(k->tcp_flags),
                      rte_be_to_cpu_16(mk->tcp_flags) & VSW_TCP_FLAGS_MASK);
    }

    return b.len > INT32_MAX ? INT32_MAX : (int) b.len;
}
