/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Actions on fields in the ovs-ofctl syntax: load, move, set_field on
 * registers, xregs and metadata, and set_field with a mask on any field
 * (part of the pipeline actions, ofp_actions_pipe.c, which dispatches here).
 * The translation of what they build is src/xlate/xlate_pipe.c: a LOAD's
 * value and mask are host order, already shifted into the field as
 * vsw_field_get_value() sees it.
 *
 * As for the other actions, the list is the one an Open vSwitch switch
 * holds after `ovs-ofctl -O OpenFlow13 add-flow`, printed as `ovs-ofctl -O
 * OpenFlow13 dump-flows` does:
 *
 *  - Fields inside load and move are named by their NXM or OXM names
 *    (NXM_NX_REG0, OXM_OF_METADATA, OXM_OF_PKT_REG1 for xreg1...) or their
 *    ovs-ofctl names (reg0, eth_dst...), and print under the name OVS
 *    prints; their widths are OVS's (in_port 16 bits, a VID 12...).
 *  - set_field:V->F on a register, xreg or metadata stays a set_field;
 *    set_field:V/M->F with a partial mask is sent by OVS as one NXM load per
 *    run of contiguous mask bits, so we build (and print) those loads.
 *
 * vsw limits (docs/ovs-compat.md): a load or move writes at most 64 bits
 * (VSW_ACT_LOAD holds a 64-bit value; a whole IPv6 address needs 128), and
 * only fields vsw can rewrite are destinations.
 *
 * Thread safety: as vsw/ofp_actions.h (the control thread).
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ofp/ofp_actions_int.h"
#include "vsw/fields.h"

#define fail vsw_ofp_fail

/* ------------------------------------------------------------------------ */
/* Fields inside load and move. */

/* A field as load and move see it: its NXM/OXM names, its width in bits
 * (OVS's: in_port is 16 bits there, a VID 12), and its prerequisites as a
 * source and as a destination.  'writable' false: vsw cannot rewrite it. */
struct sf_field {
    const char *nxm;      /* Name OVS prints. */
    const char *oxm;      /* Other NXM/OXM spelling accepted, or NULL. */
    uint8_t id;           /* enum vsw_field_id. */
    uint8_t n_bits;       /* 0: 8 * width (up to 128). */
    uint8_t src_prereq;   /* enum vsw_field_prereq. */
    uint8_t dst_prereq;
    bool writable;
};

#define P(x) VSW_FP_##x
static const struct sf_field sf_fields[] = {
    { "NXM_OF_IN_PORT", NULL, VSW_F_IN_PORT, 16, P(NONE), P(NONE), false },
    { "NXM_OF_ETH_SRC", "OXM_OF_ETH_SRC", VSW_F_ETH_SRC, 48, P(NONE), P(NONE), true },
    { "NXM_OF_ETH_DST", "OXM_OF_ETH_DST", VSW_F_ETH_DST, 48, P(NONE), P(NONE), true },
    { "NXM_OF_ETH_TYPE", "OXM_OF_ETH_TYPE", VSW_F_ETH_TYPE, 16, P(NONE), P(NONE), false },
    { "NXM_OF_VLAN_TCI", NULL, VSW_F_VLAN_TCI, 16, P(NONE), P(NONE), false },
    { "OXM_OF_VLAN_VID", NULL, VSW_F_VLAN_VID, 12, P(NONE), P(VLAN), true },
    { "OXM_OF_VLAN_PCP", NULL, VSW_F_VLAN_PCP, 3, P(VLAN), P(VLAN), true },
    { "NXM_OF_IP_SRC", "OXM_OF_IPV4_SRC", VSW_F_IPV4_SRC, 32, P(IPV4), P(IPV4), true },
    { "NXM_OF_IP_DST", "OXM_OF_IPV4_DST", VSW_F_IPV4_DST, 32, P(IPV4), P(IPV4), true },
    { "NXM_OF_ARP_SPA", "OXM_OF_ARP_SPA", VSW_F_ARP_SPA, 32, P(ARP), P(ARP), false },
    { "NXM_OF_ARP_TPA", "OXM_OF_ARP_TPA", VSW_F_ARP_TPA, 32, P(ARP), P(ARP), false },
    { "NXM_NX_IPV6_SRC", "OXM_OF_IPV6_SRC", VSW_F_IPV6_SRC, 128, P(IPV6), P(IPV6), true },
    { "NXM_NX_IPV6_DST", "OXM_OF_IPV6_DST", VSW_F_IPV6_DST, 128, P(IPV6), P(IPV6), true },
    { "NXM_NX_IPV6_LABEL", "OXM_OF_IPV6_FLABEL", VSW_F_IPV6_LABEL, 20, P(IPV6), P(IPV6),
      true },
    { "NXM_OF_IP_PROTO", "OXM_OF_IP_PROTO", VSW_F_IP_PROTO, 8, P(IP_ANY), P(IP_ANY),
      false },
    { "NXM_OF_ARP_OP", "OXM_OF_ARP_OP", VSW_F_ARP_OP, 16, P(ARP), P(ARP), false },
    { "NXM_OF_IP_TOS", NULL, VSW_F_NW_TOS, 8, P(IP_ANY), P(IP_ANY), true },
    { "OXM_OF_IP_DSCP", NULL, VSW_F_IP_DSCP, 6, P(IP_ANY), P(IP_ANY), true },
    { "NXM_NX_IP_ECN", "OXM_OF_IP_ECN", VSW_F_IP_ECN, 2, P(IP_ANY), P(IP_ANY), true },
    { "NXM_NX_IP_TTL", NULL, VSW_F_NW_TTL, 8, P(IP_ANY), P(IP_ANY), true },
    { "NXM_NX_ARP_SHA", "OXM_OF_ARP_SHA", VSW_F_ARP_SHA, 48, P(ARP), P(ARP), false },
    { "NXM_NX_ARP_THA", "OXM_OF_ARP_THA", VSW_F_ARP_THA, 48, P(ARP), P(ARP), false },
    { "NXM_OF_TCP_SRC", "OXM_OF_TCP_SRC", VSW_F_TCP_SRC, 16, P(TCP), P(TCP), true },
    { "NXM_OF_TCP_DST", "OXM_OF_TCP_DST", VSW_F_TCP_DST, 16, P(TCP), P(TCP), true },
    { "NXM_OF_UDP_SRC", "OXM_OF_UDP_SRC", VSW_F_UDP_SRC, 16, P(UDP), P(UDP), true },
    { "NXM_OF_UDP_DST", "OXM_OF_UDP_DST", VSW_F_UDP_DST, 16, P(UDP), P(UDP), true },
    { "OXM_OF_SCTP_SRC", NULL, VSW_F_SCTP_SRC, 16, P(SCTP), P(SCTP), true },
    { "OXM_OF_SCTP_DST", NULL, VSW_F_SCTP_DST, 16, P(SCTP), P(SCTP), true },
    { "OXM_OF_METADATA", NULL, VSW_F_METADATA, 64, P(NONE), P(NONE), true },
#define REG(N) { "NXM_NX_REG" #N, NULL, VSW_F_REG0 + N, 32, P(NONE), P(NONE), true }
    REG(0), REG(1), REG(2), REG(3), REG(4), REG(5), REG(6), REG(7),
    REG(8), REG(9), REG(10), REG(11), REG(12), REG(13), REG(14), REG(15),
#define XREG(N) { "OXM_OF_PKT_REG" #N, NULL, VSW_F_XREG0 + N, 64, P(NONE), P(NONE), true }
    XREG(0), XREG(1), XREG(2), XREG(3), XREG(4), XREG(5), XREG(6), XREG(7),
};
#undef P

#define N_SF_FIELDS (sizeof sf_fields / sizeof sf_fields[0])

static const struct sf_field *
sf_by_id(unsigned id)
{
    for (size_t i = 0; i < N_SF_FIELDS; i++) {
        if (sf_fields[i].id == id) {
            return &sf_fields[i];
        }
    }
    return NULL;
}

/* The field spelled 'name' (n bytes): an NXM/OXM name or an ovs-ofctl field
 * name.  Sets '*known' if vsw knows the name but not as a load/move field. */
static const struct sf_field *
sf_by_name(const char *name, size_t n, bool *known)
{
    char buf[32];
    const struct vsw_field_name *fn;

    *known = false;
    for (size_t i = 0; i < N_SF_FIELDS; i++) {
        const struct sf_field *sf = &sf_fields[i];
        if ((strlen(sf->nxm) == n && !strncmp(sf->nxm, name, n))
            || (sf->oxm && strlen(sf->oxm) == n && !strncmp(sf->oxm, name, n))) {
            return sf;
        }
    }
    if (n >= sizeof buf) {
        return NULL;
    }
    memcpy(buf, name, n);
    buf[n] = '\0';
    fn = vsw_field_name_find(buf);
    if (!fn) {
        return NULL;
    }
    *known = true;
    /* Names that are match-only shorthands in ovs-ofctl (dl_vlan...) or
     * another field than the registry's (icmpv6_type) are not taken. */
    if (fn->id == VSW_F_DL_VLAN || !strcmp(buf, "dl_vlan_pcp")
        || !strncmp(buf, "icmp", 4)) {
        return NULL;
    }
    return sf_by_id(fn->id);
}

static unsigned
sf_width(const struct sf_field *sf)
{
    return sf->n_bits;
}

/* A parsed "FIELD[a..b]". */
struct subfield {
    const struct sf_field *sf;
    unsigned ofs, n_bits;
};

/* Parses 's' (n bytes) as "FIELD", "FIELD[]", "FIELD[bit]" or
 * "FIELD[start..end]". */
static int
parse_subfield(const char *s, size_t n, struct subfield *out, char *err, size_t err_size)
{
    const char *br = memchr(s, '[', n);
    size_t name_len = br ? (size_t) (br - s) : n;
    bool known;
    unsigned width;

    out->sf = sf_by_name(s, name_len, &known);
    if (!out->sf) {
        if (known) {
            return fail(err, err_size, ENOTSUP,
                        "%.*s: field \"%.*s\" is not supported in load or move by vsw",
                        (int) n, s, (int) name_len, s);
        }
        return fail(err, err_size, EINVAL, "%.*s: unknown field `%.*s'", (int) n, s,
                    (int) name_len, s);
    }
    width = sf_width(out->sf);
    out->ofs = 0;
    out->n_bits = width;
    if (br) {
        const char *in = br + 1;
        size_t in_len = n - name_len - 1;
        const char *dots;
        uint64_t start, end;

        if (!in_len || in[in_len - 1] != ']') {
            return fail(err, err_size, EINVAL, "%.*s: missing `]'", (int) n, s);
        }
        in_len--;
        if (in_len) {
            dots = NULL;
            for (size_t i = 0; i + 1 < in_len; i++) {
                if (in[i] == '.' && in[i + 1] == '.') {
                    dots = in + i;
                    break;
                }
            }
            if (dots) {
                if (vsw_ofp_parse_uint(in, (size_t) (dots - in), 255, &start)
                    || vsw_ofp_parse_uint(dots + 2, in_len - (size_t) (dots - in) - 2,
                                          255, &end)) {
                    return fail(err, err_size, EINVAL, "%.*s: bad bit range",
                                (int) n, s);
                }
            } else {
                if (vsw_ofp_parse_uint(in, in_len, 255, &start)) {
                    return fail(err, err_size, EINVAL, "%.*s: bad bit index",
                                (int) n, s);
                }
                end = start;
            }
            if (start > end) {
                return fail(err, err_size, EINVAL,
                            "%.*s: starting bit %u is after ending bit %u", (int) n, s,
                            (unsigned) start, (unsigned) end);
            }
            if (end >= width) {
                return fail(err, err_size, EINVAL,
                            "%.*s: ending bit %u is not valid because field is only "
                            "%u bits wide", (int) n, s, (unsigned) end, width);
            }
            out->ofs = (unsigned) start;
            out->n_bits = (unsigned) (end - start + 1);
        }
    }
    return 0;
}

/* Checks a load/move field's prerequisite 'need' for the action 'what'. */
static int
sf_check(const struct ofp_pkt_state *st, unsigned need, const char *what,
         char *err, size_t err_size)
{
    if (need == VSW_FP_ARP && !st->unchecked) {
        if (st->dl_type != VSW_ETH_TYPE_ARP && st->dl_type != VSW_ETH_TYPE_RARP) {
            return fail(err, err_size, EINVAL, "%s: needs arp or rarp in the match",
                        what);
        }
        return 0;
    }
    return ofp_act_check_need(st, (enum vsw_field_prereq) need, what, err, err_size);
}

static int
sf_check_dst(const struct ofp_pkt_state *st, const struct subfield *d, const char *what,
             char *err, size_t err_size)
{
    if (!d->sf->writable) {
        return fail(err, err_size, d->sf->id == VSW_F_ETH_TYPE
                    || d->sf->id == VSW_F_IP_PROTO ? EINVAL : ENOTSUP,
                    "%s: %s cannot be written%s", what, d->sf->nxm,
                    d->sf->id == VSW_F_ETH_TYPE || d->sf->id == VSW_F_IP_PROTO
                    ? " (read-only)" : " by vsw");
    }
    return sf_check(st, d->sf->dst_prereq, what, err, err_size);
}

static uint64_t
bits_mask(unsigned n)
{
    return n >= 64 ? UINT64_MAX : (UINT64_C(1) << n) - 1;
}

/* Appends a load of 'value' into bits [ofs, ofs+n) of field 'id'. */
static int
add_load(struct ofp_act_builder *b, unsigned id, unsigned ofs, unsigned n,
         uint64_t value, uint8_t flags, char *err, size_t err_size)
{
    struct vsw_action *a = ofp_act_add(b, VSW_ACT_LOAD, flags);

    if (!a) {
        return fail(err, err_size, ENOMEM, "out of memory");
    }
    a->field = (uint8_t) id;
    a->load.mask = bits_mask(n) << ofs;
    a->load.value = (value << ofs) & a->load.mask;
    return 0;
}

/* load:VALUE->DST[range]. */
int
ofp_act_parse_load(struct ofp_act_builder *b, struct ofp_pkt_state *st, const char *arg,
           char *err, size_t err_size)
{
    const char *arrow = strstr(arg, "->");
    struct subfield d;
    uint64_t v;
    int error;

    if (!arrow) {
        return fail(err, err_size, EINVAL, "%s: missing `->'", arg);
    }
    if (vsw_ofp_parse_uint(arg, (size_t) (arrow - arg), UINT64_MAX, &v)) {
        return fail(err, err_size, EINVAL, "%s: cannot parse integer value", arg);
    }
    error = parse_subfield(arrow + 2, strlen(arrow + 2), &d, err, err_size);
    if (error) {
        return error;
    }
    if (d.ofs + d.n_bits > 64) {
        return fail(err, err_size, ENOTSUP,
                    "load:%s: vsw loads at most the low 64 bits of a field", arg);
    }
    if (d.n_bits < 64 && v >> d.n_bits) {
        return fail(err, err_size, EINVAL, "%s: value %#llx does not fit into %u bits",
                    arg, (unsigned long long) v, d.n_bits);
    }
    error = sf_check_dst(st, &d, "load", err, err_size);
    if (error) {
        return error;
    }
    return add_load(b, d.sf->id, d.ofs, d.n_bits, v, 0, err, err_size);
}

/* move:SRC[range]->DST[range]. */
int
ofp_act_parse_move(struct ofp_act_builder *b, struct ofp_pkt_state *st, const char *arg,
           char *err, size_t err_size)
{
    const char *arrow = strstr(arg, "->");
    struct subfield s, d;
    struct vsw_action *a;
    int error;

    if (!arrow) {
        return fail(err, err_size, EINVAL, "%s: missing `->' following source", arg);
    }
    error = parse_subfield(arg, (size_t) (arrow - arg), &s, err, err_size);
    if (!error) {
        error = parse_subfield(arrow + 2, strlen(arrow + 2), &d, err, err_size);
    }
    if (error) {
        return error;
    }
    if (s.n_bits != d.n_bits) {
        return fail(err, err_size, EINVAL,
                    "%s: source field is %u bits wide but destination is %u bits wide",
                    arg, s.n_bits, d.n_bits);
    }
    if (s.n_bits > 64) {
        return fail(err, err_size, ENOTSUP,
                    "move:%s: vsw moves at most 64 bits at a time (split it in two)",
                    arg);
    }
    error = sf_check(st, s.sf->src_prereq, "move", err, err_size);
    if (!error) {
        error = sf_check_dst(st, &d, "move", err, err_size);
    }
    if (error) {
        return error;
    }
    a = ofp_act_add(b, VSW_ACT_MOVE, 0);
    if (!a) {
        return fail(err, err_size, ENOMEM, "out of memory");
    }
    a->move.src = s.sf->id;
    a->move.dst = d.sf->id;
    a->move.src_ofs = (uint8_t) s.ofs;
    a->move.dst_ofs = (uint8_t) d.ofs;
    a->move.n_bits = (uint8_t) s.n_bits;
    return 0;
}

static int add_load_runs(struct ofp_act_builder *b, unsigned id, unsigned width,
                         uint64_t v, uint64_t m, char *err, size_t err_size);

int
ofp_act_parse_set_pipe(struct ofp_act_builder *b, const struct vsw_field *f,
                       const char *arg, size_t vlen, char *err, size_t err_size)
{
    const char *slash = memchr(arg, '/', vlen);
    size_t n = slash ? (size_t) (slash - arg) : vlen;
    unsigned width = 8u * f->width;
    uint64_t full = bits_mask(width);
    uint64_t v, m = full;

    if (vsw_ofp_parse_uint(arg, n, UINT64_MAX, &v)) {
        return fail(err, err_size, EINVAL, "set_field: %.*s: not a number", (int) n, arg);
    }
    if (v & ~full) {
        return fail(err, err_size, EINVAL, "set_field: %.*s: value too large for "
                    "%u-byte field %s", (int) n, arg, f->width, f->name);
    }
    if (slash) {
        size_t mn = vlen - n - 1;
        if (vsw_ofp_parse_uint(slash + 1, mn, UINT64_MAX, &m)) {
            return fail(err, err_size, EINVAL, "set_field: %.*s: not a number",
                        (int) mn, slash + 1);
        }
        if (m & ~full) {
            return fail(err, err_size, EINVAL, "set_field: %.*s: mask too large for "
                        "%u-byte field %s", (int) mn, slash + 1, f->width, f->name);
        }
    }
    if (m == full) {
        return add_load(b, f->id, 0, width, v, VSW_ACTF_SET_FIELD, err, err_size);
    }
    return add_load_runs(b, f->id, width, v, m, err, err_size);
}

/* The part of set_field:V/M->F that OVS sends as NXM loads: one load per
 * run of mask bits, low bits first, each of the value's bits under it. */
static int
add_load_runs(struct ofp_act_builder *b, unsigned id, unsigned width, uint64_t v,
              uint64_t m, char *err, size_t err_size)
{
    for (unsigned ofs = 0; ofs < width;) {
        unsigned len = 0;
        int error;

        if (!((m >> ofs) & 1)) {
            ofs++;
            continue;
        }
        while (ofs + len < width && ((m >> (ofs + len)) & 1)) {
            len++;
        }
        error = add_load(b, id, ofs, len, (v >> ofs) & bits_mask(len), 0, err,
                         err_size);
        if (error) {
            return error;
        }
        ofs += len;
    }
    return 0;
}

/* Fields OVS does not let set_field mask (a mask must be all ones). */
static bool
set_unmaskable(unsigned id)
{
    return id == VSW_F_NW_TOS || id == VSW_F_IP_DSCP || id == VSW_F_IP_ECN
           || id == VSW_F_NW_TTL || id == VSW_F_VLAN_PCP;
}

int
ofp_act_parse_set_masked(struct ofp_act_builder *b, struct ofp_pkt_state *st,
                         const struct vsw_field *f, const char *what, const char *arg,
                         size_t vlen, bool *full, char *err, size_t err_size)
{
    const char *slash = memchr(arg, '/', vlen);
    size_t n = (size_t) (slash - arg);
    const char *mt = slash + 1;
    size_t mn = vlen - n - 1;
    const struct sf_field *sf = sf_by_id(f->id);
    unsigned width = sf ? sf_width(sf) : 8u * f->width;
    uint64_t v = 0, m = 0;
    int error;

    *full = false;
    switch ((enum vsw_field_format) f->format) {
    case VSW_FF_MAC: {
        uint8_t vb[VSW_ETH_ADDR_LEN], mb[VSW_ETH_ADDR_LEN];

        if (vsw_ofp_parse_mac(arg, n, vb) || vsw_ofp_parse_mac(mt, mn, mb)) {
            return fail(err, err_size, EINVAL, "%s: \"%.*s\" is not an Ethernet "
                        "address/mask", what, (int) vlen, arg);
        }
        for (int i = 0; i < VSW_ETH_ADDR_LEN; i++) {
            v = v << 8 | vb[i];
            m = m << 8 | mb[i];
        }
        break;
    }
    case VSW_FF_IPV4: {
        rte_be32_t vi, mi;
        uint64_t plen;

        if (vsw_ofp_parse_ipv4(arg, n, &vi)) {
            return fail(err, err_size, EINVAL, "%s: \"%.*s\" is not an IPv4 address",
                        what, (int) n, arg);
        }
        if (memchr(mt, '.', mn)) {
            if (vsw_ofp_parse_ipv4(mt, mn, &mi)) {
                return fail(err, err_size, EINVAL, "%s: \"%.*s\" is not an IPv4 "
                            "netmask", what, (int) mn, mt);
            }
            m = rte_be_to_cpu_32(mi);
        } else if (vsw_ofp_parse_uint(mt, mn, 32, &plen)) {
            return fail(err, err_size, EINVAL, "%s: \"/%.*s\" is not a prefix length "
                        "(0 to 32)", what, (int) mn, mt);
        } else {
            m = plen ? (UINT32_MAX << (32 - plen)) & UINT32_MAX : 0;
        }
        v = rte_be_to_cpu_32(vi);
        break;
    }
    case VSW_FF_DEC:
    case VSW_FF_HEX:
        if (vsw_ofp_parse_uint(arg, n, f->max, &v)
            || vsw_ofp_parse_uint(mt, mn, UINT64_MAX, &m)) {
            return fail(err, err_size, EINVAL, "%s: \"%.*s\" is not a value/mask "
                        "(value 0 to %u)", what, (int) vlen, arg, f->max);
        }
        if (f->id == VSW_F_VLAN_VID && m != UINT16_MAX) {
            /* The "present" bit is not a bit of the field OVS loads. */
            v &= VSW_VLAN_VID_MASK;
            m &= VSW_VLAN_VID_MASK;
        } else if (f->id == VSW_F_IPV6_LABEL && m != UINT32_MAX) {
            /* OVS's label is 32 bits wide; the loads write its low 20. */
            m &= f->max;
        } else if (m == bits_mask(8u * f->width)) {
            *full = true;
            return 0;
        }
        break;
    case VSW_FF_IPV6: {
        uint8_t mb[16];
        uint64_t plen = 0;
        bool ones = true;

        if (memchr(mt, ':', mn)) {
            if (vsw_ofp_parse_ipv6(mt, mn, mb)) {
                ones = false;
            }
            for (int i = 0; i < 16 && ones; i++) {
                ones = mb[i] == 0xff;
            }
        } else {
            ones = !vsw_ofp_parse_uint(mt, mn, 128, &plen) && plen == 128;
        }
        if (ones) {
            *full = true;   /* All 128 bits: a plain set_field. */
            return 0;
        }
        return fail(err, err_size, ENOTSUP, "%s: a masked set_field of a 128-bit "
                    "field is not supported by vsw (it loads at most 64 bits)", what);
    }
    default:
        return fail(err, err_size, ENOTSUP, "%s: a masked set_field of this field is "
                    "not supported by vsw", what);
    }

    if (f->id == VSW_F_VLAN_VID || f->id == VSW_F_IPV6_LABEL) {
        if (m == bits_mask(8u * f->width)) {
            *full = true;
            return 0;
        }
    } else if (set_unmaskable(f->id) || !sf) {
        /* Only an all-ones mask (of the field's bytes, as OVS) is valid. */
        if (m != bits_mask(8u * f->width)) {
            return fail(err, err_size, EINVAL, "%s: %.*s: invalid mask for field %s",
                        what, (int) vlen, arg, f->name);
        }
        *full = true;
        return 0;
    }
    if (!sf || !sf->writable) {
        return fail(err, err_size, ENOTSUP, "%s: a masked set_field of this field is "
                    "not supported by vsw", what);
    }
    if (m & ~bits_mask(width)) {
        return fail(err, err_size, EINVAL, "%s: %.*s: invalid mask for field %s", what,
                    (int) vlen, arg, f->name);
    }
    if (m == bits_mask(width) && f->id != VSW_F_VLAN_VID && f->id != VSW_F_IPV6_LABEL) {
        *full = true;
        return 0;
    }
    error = sf_check(st, sf->dst_prereq, what, err, err_size);
    if (error) {
        return error;
    }
    return add_load_runs(b, f->id, width, v, m, err, err_size);
}

/* ------------------------------------------------------------------------ */
/* Printing. */

static void
put_subfield(struct vsw_ofp_buf *out, unsigned id, unsigned ofs, unsigned n)
{
    const struct sf_field *sf = sf_by_id(id);

    if (!sf) {
        vsw_ofp_buf_printf(out, "<field %u>[]", id);
        return;
    }
    if (ofs == 0 && n == sf_width(sf)) {
        vsw_ofp_buf_printf(out, "%s[]", sf->nxm);
    } else if (n == 1) {
        vsw_ofp_buf_printf(out, "%s[%u]", sf->nxm, ofs);
    } else {
        vsw_ofp_buf_printf(out, "%s[%u..%u]", sf->nxm, ofs, ofs + n - 1);
    }
}

bool
ofp_act_format_field(struct vsw_ofp_buf *out, const struct vsw_action *a)
{
    switch ((enum vsw_action_type) a->type) {
    case VSW_ACT_LOAD: {
        const struct vsw_field *f = vsw_field_get((enum vsw_field_id) a->field);
        unsigned ofs = a->load.mask ? (unsigned) __builtin_ctzll(a->load.mask) : 0;
        unsigned n = (unsigned) __builtin_popcountll(a->load.mask);

        if (a->flags & VSW_ACTF_SET_FIELD) {
            vsw_ofp_buf_printf(out, "set_field:%#llx->%s",
                               (unsigned long long) a->load.value, f->name);
        } else {
            vsw_ofp_buf_printf(out, "load:%#llx->",
                               (unsigned long long) (a->load.value >> ofs));
            put_subfield(out, a->field, ofs, n);
        }
        return true;
    }
    case VSW_ACT_MOVE:
        vsw_ofp_buf_printf(out, "move:");
        put_subfield(out, a->move.src, a->move.src_ofs, a->move.n_bits);
        vsw_ofp_buf_printf(out, "->");
        put_subfield(out, a->move.dst, a->move.dst_ofs, a->move.n_bits);
        return true;
    default:
        return false;
    }
}
