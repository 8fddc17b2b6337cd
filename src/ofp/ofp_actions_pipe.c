/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pipeline actions in the ovs-ofctl syntax: resubmit, goto_table,
 * write_metadata, load, move, set_field on registers and metadata, group and
 * controller.  ofp_actions.c hands over every action keyword it does not know
 * (ofp_act_parse_pipe()) and every action type it cannot print
 * (ofp_act_format_pipe()); the translation of these actions lives in
 * src/xlate/ (xlate_pipe.c, xlate_group.c, xlate_controller.c).
 *
 * As for the other actions, the list we build is the one an Open vSwitch
 * switch holds after `ovs-ofctl -O OpenFlow13 add-flow`, and it prints as
 * `ovs-ofctl -O OpenFlow13 dump-flows` does.  Consequences:
 *
 *  - Fields inside load and move are named by their NXM or OXM names
 *    (NXM_NX_REG0, OXM_OF_METADATA, OXM_OF_PKT_REG1 for xreg1...) or their
 *    ovs-ofctl names (reg0, eth_dst...), and print under the name OVS
 *    prints.
 *  - set_field:V->F on a register, xreg or metadata stays a set_field;
 *    set_field:V/M->F with a partial mask is sent by OVS as one NXM load per
 *    run of contiguous mask bits, so we build (and print) those loads.
 *  - controller prints as CONTROLLER:MAX_LEN unless it has a reason other
 *    than "action", an id or userdata.
 *  - write_metadata and goto_table are OpenFlow 1.1+ instructions: at most
 *    one each, write_metadata after every other action, goto_table last.
 *    The rule's own table is not known here: ofp_flow_mod.c checks that
 *    goto_table goes forward.
 *
 * vsw limits (docs/ovs-compat.md): a load or move writes at most 64 bits
 * (VSW_ACT_LOAD holds a 64-bit value; a whole IPv6 address needs 128), and
 * only fields vsw can rewrite are destinations.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ofp/ofp_actions_int.h"
#include "vsw/fields.h"
#include "util.h"

#define fail vsw_ofp_fail

#define MAX_OF_PORT 0xfeff   /* Largest numbered OpenFlow port (OFPP_MAX - 1). */

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
    if (need == VSW_FP_ARP) {
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
static int
parse_load(struct ofp_act_builder *b, struct ofp_pkt_state *st, const char *arg,
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
static int
parse_move(struct ofp_act_builder *b, struct ofp_pkt_state *st, const char *arg,
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
    /* One load per run of mask bits, low bits first, as OVS encodes it. */
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
        error = add_load(b, f->id, ofs, len, (v >> ofs) & bits_mask(len), 0, err,
                         err_size);
        if (error) {
            return error;
        }
        ofs += len;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* resubmit, goto_table, write_metadata, group. */

static int
parse_resubmit(struct ofp_act_builder *b, char *arg, char *err, size_t err_size)
{
    char *parts[3] = { arg, NULL, NULL };
    uint32_t port = VSW_OFPP_IN_PORT;
    uint64_t table = 255;
    struct vsw_action *a;

    for (int i = 0; i < 2 && parts[i]; i++) {
        char *c = strchr(parts[i], ',');
        if (c) {
            *c = '\0';
            parts[i + 1] = c + 1;
        }
    }
    if (parts[2]) {
        if (!strcmp(parts[2], "ct")) {
            return fail(err, err_size, ENOTSUP,
                        "resubmit: \"ct\" (connection tracking) is not supported by vsw");
        }
        return fail(err, err_size, EINVAL, "resubmit: unknown option \"%s\"", parts[2]);
    }
    if (*parts[0] && strcasecmp(parts[0], "in_port")) {
        uint64_t n;

        if (!vsw_all_digits(parts[0])) {
            static const char *const reserved[] = {
                "local", "normal", "flood", "all", "controller", "table", "none",
            };
            for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++) {
                if (!strcasecmp(parts[0], reserved[i])) {
                    return fail(err, err_size, ENOTSUP,
                                "resubmit: port %s is not supported by vsw", parts[0]);
                }
            }
            return fail(err, err_size, EINVAL, "%s: resubmit to unknown port", parts[0]);
        }
        if (vsw_ofp_parse_uint(parts[0], strlen(parts[0]), MAX_OF_PORT, &n)) {
            return fail(err, err_size, ERANGE,
                        "resubmit: port %s is out of range (0 to %u)", parts[0],
                        MAX_OF_PORT);
        }
        port = (uint32_t) n;
    }
    if (parts[1] && *parts[1]) {
        if (vsw_ofp_parse_uint(parts[1], strlen(parts[1]), 255, &table)) {
            return fail(err, err_size, EINVAL, "%s: resubmit to unknown table", parts[1]);
        }
    }
    if (port == VSW_OFPP_IN_PORT && table == 255) {
        return fail(err, err_size, EINVAL,
                    "at least one \"in_port\" or \"table\" must be specified on resubmit");
    }
    a = ofp_act_add(b, VSW_ACT_RESUBMIT, 0);
    if (!a) {
        return fail(err, err_size, ENOMEM, "out of memory");
    }
    a->resubmit.port = port;
    a->resubmit.table = (uint8_t) table;
    return 0;
}

/* Parses "V[/M]" as two 64-bit numbers. */
static int
parse_u64_masked(const char *what, const char *val, uint64_t *v, uint64_t *m,
                 char *err, size_t err_size)
{
    const char *slash = strchr(val, '/');
    size_t n = slash ? (size_t) (slash - val) : strlen(val);

    *m = UINT64_MAX;
    if (vsw_ofp_parse_uint(val, n, UINT64_MAX, v)
        || (slash && vsw_ofp_parse_uint(slash + 1, strlen(slash + 1), UINT64_MAX, m))) {
        return fail(err, err_size, EINVAL, "%s: \"%s\" is not a 64-bit value[/mask]",
                    what, val);
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* controller. */

static const char *const reason_names[] = {
    [VSW_PIN_NO_MATCH] = "no_match", [VSW_PIN_ACTION] = "action",
    [VSW_PIN_INVALID_TTL] = "invalid_ttl", [VSW_PIN_ACTION_SET] = "action_set",
    [VSW_PIN_GROUP] = "group", [VSW_PIN_PACKET_OUT] = "packet_out",
};

static int
add_ctrl(struct ofp_act_builder *b, uint16_t max_len, uint16_t id, uint8_t reason,
         const uint8_t *ud, size_t ud_len, char *err, size_t err_size)
{
    struct vsw_action *a;
    long ofs = 0;

    if (ud_len) {
        ofs = ofp_act_add_blob(b, ud, ud_len);
        if (ofs < 0 || ofs > UINT16_MAX) {
            return fail(err, err_size, ENOMEM, "controller: out of room for userdata");
        }
    }
    a = ofp_act_add(b, VSW_ACT_CONTROLLER, 0);
    if (!a) {
        return fail(err, err_size, ENOMEM, "out of memory");
    }
    a->ctrl.max_len = max_len;
    a->ctrl.id = id;
    a->ctrl.reason = reason;
    a->ctrl.userdata_len = (uint8_t) ud_len;
    a->ctrl.userdata_ofs = (uint16_t) ofs;
    return 0;
}

int
ofp_act_add_controller(struct ofp_act_builder *b, uint16_t max_len,
                       char *err, size_t err_size)
{
    return add_ctrl(b, max_len, 0, VSW_PIN_ACTION, NULL, 0, err, err_size);
}

static int
hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static int
parse_controller(struct ofp_act_builder *b, char *arg, char *err, size_t err_size)
{
    uint8_t ud[VSW_CTRL_USERDATA_MAX];
    size_t ud_len = 0;
    uint64_t max_len = UINT16_MAX, id = 0;
    uint8_t reason = VSW_PIN_ACTION;
    char *p = arg;

    if (!strchr(arg, '=') && *arg && !strchr(arg, ',')
        && strcmp(arg, "pause")) {
        if (vsw_ofp_parse_uint(arg, strlen(arg), UINT16_MAX, &max_len)) {
            return fail(err, err_size, EINVAL, "invalid max_len \"%s\"", arg);
        }
        return ofp_act_add_controller(b, (uint16_t) max_len, err, err_size);
    }
    while (*p) {
        char *item = p, *eq;
        size_t n = strcspn(p, ",");

        p += n;
        if (*p) {
            *p++ = '\0';
        }
        if (!*item) {
            continue;
        }
        eq = strchr(item, '=');
        if (eq) {
            *eq = '\0';
        }
        if (!strcmp(item, "pause") || !strcmp(item, "meter_id")) {
            return fail(err, err_size, ENOTSUP,
                        "controller: \"%s\" is not supported by vsw", item);
        } else if (!eq) {
            return fail(err, err_size, EINVAL,
                        "unknown key \"%s\" parsing controller action", item);
        } else if (!strcmp(item, "max_len")) {
            if (vsw_ofp_parse_uint(eq + 1, strlen(eq + 1), UINT16_MAX, &max_len)) {
                return fail(err, err_size, EINVAL, "invalid max_len \"%s\"", eq + 1);
            }
        } else if (!strcmp(item, "id")) {
            if (vsw_ofp_parse_uint(eq + 1, strlen(eq + 1), UINT16_MAX, &id)) {
                return fail(err, err_size, EINVAL, "invalid id \"%s\"", eq + 1);
            }
        } else if (!strcmp(item, "reason")) {
            size_t i;
            for (i = 0; i < sizeof reason_names / sizeof reason_names[0]; i++) {
                if (!strcmp(eq + 1, reason_names[i])) {
                    break;
                }
            }
            if (i == sizeof reason_names / sizeof reason_names[0]) {
                return fail(err, err_size, EINVAL, "unknown reason \"%s\"", eq + 1);
            }
            reason = (uint8_t) i;
        } else if (!strcmp(item, "userdata")) {
            const char *h = eq + 1;

            ud_len = 0;
            while (*h) {
                int hi, lo;

                if (*h == '.') {
                    h++;
                    continue;
                }
                hi = hex_digit(h[0]);
                lo = hi < 0 ? -1 : hex_digit(h[1]);
                if (lo < 0) {
                    return fail(err, err_size, EINVAL,
                                "bad hex digit in `controller' action `userdata'");
                }
                if (ud_len == sizeof ud) {
                    return fail(err, err_size, ENOTSUP,
                                "controller: userdata longer than %d bytes is not "
                                "supported by vsw", VSW_CTRL_USERDATA_MAX);
                }
                ud[ud_len++] = (uint8_t) (hi << 4 | lo);
                h += 2;
            }
        } else {
            return fail(err, err_size, EINVAL,
                        "unknown key \"%s\" parsing controller action", item);
        }
    }
    return add_ctrl(b, (uint16_t) max_len, (uint16_t) id, reason, ud, ud_len, err,
                    err_size);
}

/* ------------------------------------------------------------------------ */
/* Dispatch. */

int
ofp_act_parse_pipe(struct ofp_act_builder *b, struct ofp_pkt_state *st,
                   const char *key, char *val, char *err, size_t err_size)
{
    struct vsw_action *a;
    uint64_t v, m;
    int error;

    if (!strcasecmp(key, "resubmit")) {
        return parse_resubmit(b, val, err, err_size);
    } else if (!strcasecmp(key, "goto_table")) {
        if (!*val || vsw_ofp_parse_uint(val, strlen(val), 254, &v)) {
            return fail(err, err_size, EINVAL,
                        "goto_table: \"%s\" is not a table number (0 to 254)", val);
        }
        a = ofp_act_add(b, VSW_ACT_GOTO_TABLE, 0);
        if (a) {
            a->resubmit.port = VSW_OFPP_IN_PORT;
            a->resubmit.table = (uint8_t) v;
        }
    } else if (!strcasecmp(key, "write_metadata")) {
        error = parse_u64_masked(key, val, &v, &m, err, err_size);
        if (error) {
            return error;
        }
        a = ofp_act_add(b, VSW_ACT_WRITE_METADATA, 0);
        if (a) {
            /* Kept as written (OVS prints the value outside the mask too);
             * the translation applies the mask. */
            a->md.value = v;
            a->md.mask = m;
        }
    } else if (!strcasecmp(key, "load")) {
        return parse_load(b, st, val, err, err_size);
    } else if (!strcasecmp(key, "move")) {
        return parse_move(b, st, val, err, err_size);
    } else if (!strcasecmp(key, "group")) {
        if (!*val) {
            return fail(err, err_size, EINVAL, "group: missing required numeric argument");
        }
        error = vsw_ofp_parse_uint(val, strlen(val), UINT32_MAX, &v);
        if (error) {
            return fail(err, err_size, error, "group: \"%s\" is not a group id (0 to %u)",
                        val, UINT32_MAX);
        }
        a = ofp_act_add(b, VSW_ACT_GROUP, 0);
        if (a) {
            a->group = (uint32_t) v;
        }
    } else if (!strcasecmp(key, "controller")) {
        return parse_controller(b, val, err, err_size);
    } else {
        return ENOENT;
    }
    return a ? 0 : fail(err, err_size, ENOMEM, "out of memory");
}

static bool
is_instruction(uint8_t type)
{
    return type == VSW_ACT_WRITE_METADATA || type == VSW_ACT_GOTO_TABLE;
}

int
ofp_act_check_order(const struct ofp_act_builder *b, char *err, size_t err_size)
{
    bool md = false, go = false;

    for (uint32_t i = 0; i < b->n; i++) {
        uint8_t t = b->a[i].type;
        const char *after = go ? "goto_table" : md ? "write_metadata" : NULL;

        if (t == VSW_ACT_GOTO_TABLE && go) {
            return fail(err, err_size, EINVAL, "duplicate goto_table instruction not "
                        "allowed, for OpenFlow 1.1+ compatibility");
        } else if (t == VSW_ACT_WRITE_METADATA && md) {
            return fail(err, err_size, EINVAL, "duplicate write_metadata instruction "
                        "not allowed, for OpenFlow 1.1+ compatibility");
        } else if (after && (!is_instruction(t) || t == VSW_ACT_WRITE_METADATA)) {
            return fail(err, err_size, EINVAL, "invalid instruction ordering: %s must "
                        "appear before %s, for OpenFlow 1.1+ compatibility",
                        is_instruction(t) ? "write_metadata" : "apply_actions", after);
        }
        md |= t == VSW_ACT_WRITE_METADATA;
        go |= t == VSW_ACT_GOTO_TABLE;
    }
    return 0;
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

static void
put_port(struct vsw_ofp_buf *out, uint32_t port)
{
    vsw_ofp_buf_printf(out, "%u", port);
}

bool
ofp_act_format_pipe(struct vsw_ofp_buf *out, const struct vsw_actions *acts,
                    const struct vsw_action *a)
{
    switch ((enum vsw_action_type) a->type) {
    case VSW_ACT_RESUBMIT:
        if (a->resubmit.port != VSW_OFPP_IN_PORT && a->resubmit.table == 255) {
            vsw_ofp_buf_printf(out, "resubmit:");
            put_port(out, a->resubmit.port);
        } else {
            vsw_ofp_buf_printf(out, "resubmit(");
            if (a->resubmit.port != VSW_OFPP_IN_PORT) {
                put_port(out, a->resubmit.port);
            }
            vsw_ofp_buf_printf(out, ",");
            if (a->resubmit.table != 255) {
                vsw_ofp_buf_printf(out, "%u", a->resubmit.table);
            }
            vsw_ofp_buf_printf(out, ")");
        }
        return true;
    case VSW_ACT_GOTO_TABLE:
        vsw_ofp_buf_printf(out, "goto_table:%u", a->resubmit.table);
        return true;
    case VSW_ACT_WRITE_METADATA:
        vsw_ofp_buf_printf(out, "write_metadata:%#llx", (unsigned long long) a->md.value);
        if (a->md.mask != UINT64_MAX) {
            vsw_ofp_buf_printf(out, "/%#llx", (unsigned long long) a->md.mask);
        }
        return true;
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
    case VSW_ACT_GROUP:
        vsw_ofp_buf_printf(out, "group:%u", a->group);
        return true;
    case VSW_ACT_CONTROLLER: {
        const uint8_t *ud = vsw_actions_blob(acts) + a->ctrl.userdata_ofs;
        const char *sep = "";

        if (a->ctrl.reason == VSW_PIN_ACTION && !a->ctrl.id && !a->ctrl.userdata_len) {
            vsw_ofp_buf_printf(out, "CONTROLLER:%u", a->ctrl.max_len);
            return true;
        }
        vsw_ofp_buf_printf(out, "controller(");
        if (a->ctrl.reason != VSW_PIN_ACTION) {
            vsw_ofp_buf_printf(out, "reason=%s",
                               a->ctrl.reason < sizeof reason_names / sizeof reason_names[0]
                               ? reason_names[a->ctrl.reason] : "?");
            sep = ",";
        }
        if (a->ctrl.max_len != UINT16_MAX) {
            vsw_ofp_buf_printf(out, "%smax_len=%u", sep, a->ctrl.max_len);
            sep = ",";
        }
        if (a->ctrl.id) {
            vsw_ofp_buf_printf(out, "%sid=%u", sep, a->ctrl.id);
            sep = ",";
        }
        if (a->ctrl.userdata_len) {
            vsw_ofp_buf_printf(out, "%suserdata=", sep);
            for (unsigned i = 0; i < a->ctrl.userdata_len; i++) {
                vsw_ofp_buf_printf(out, "%s%02x", i ? "." : "", ud[i]);
            }
        }
        vsw_ofp_buf_printf(out, ")");
        return true;
    }
    default:
        return false;
    }
}
