/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Action lists in the ovs-ofctl syntax.
 *
 * The list we build is the one an Open vSwitch switch holds after
 * `ovs-ofctl -O OpenFlow13 add-flow`, i.e. after the OpenFlow 1.3
 * encode/decode round trip, and vsw_actions_format() prints it the way
 * `ovs-ofctl -O OpenFlow13 dump-flows` does.  Consequences:
 *
 *  - mod_vlan_vid / mod_vlan_pcp on a rule that does not match a VLAN tag
 *    become "push_vlan:0x8100" followed by the rewrite (OVS encodes its
 *    push-if-needed that way, so a tagged packet gets a second tag); on a rule
 *    that matches a tag they are plain rewrites.
 *  - Most rewrites print as set_field (mod_dl_src:M -> set_field:M->eth_src);
 *    mod_nw_ttl and dec_ttl keep their names; strip_vlan prints as pop_vlan.
 *  - Prerequisites are checked against the rule's match, updated by the
 *    actions as they go (push_vlan adds a tag, pop_vlan removes one), as
 *    ovs-ofctl does: an action whose prerequisites fail makes OVS refuse the
 *    flow for OpenFlow 1.3, and we refuse it with a message naming the action.
 *
 * The pipeline actions (resubmit, goto_table, write_metadata, load, move,
 * set_field on registers and metadata, group, controller) are parsed and
 * printed by ofp_actions_pipe.c (and its ofp_actions_field.c for loads,
 * moves and masked set_field): parse_action() hands it every keyword it
 * does not know, vsw_actions_format() every type it cannot print; the
 * builder and the packet state they share are in ofp_actions_int.h.
 */

#include "vsw/ofp_actions.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vsw/fields.h"
#include "vsw/match.h"
#include "vsw/ofp_lex.h"
#include "ofp/ofp_actions_int.h"
#include "util.h"

#define MAX_ACTIONS 1024
#define MAX_OF_PORT 0xfeff   /* Largest numbered OpenFlow port (OFPP_MAX - 1). */

#define fail vsw_ofp_fail

struct vsw_action *
ofp_act_add(struct ofp_act_builder *b, enum vsw_action_type type, uint8_t flags)
{
    struct vsw_action *a;

    if (b->n == b->cap) {
        uint32_t cap = b->cap ? 2 * b->cap : 16;
        struct vsw_action *p = realloc(b->a, cap * sizeof *p);
        if (!p) {
            return NULL;
        }
        b->a = p;
        b->cap = cap;
    }
    a = &b->a[b->n++];
    memset(a, 0, sizeof *a);
    a->type = type;
    a->flags = flags;
    return a;
}

long
ofp_act_add_blob(struct ofp_act_builder *b, const uint8_t *p, size_t n)
{
    long ofs = (long) b->blob_len;

    if (b->blob_len + n > b->blob_cap) {
        uint32_t cap = b->blob_cap ? 2 * b->blob_cap : 64;
        uint8_t *q;

        while (cap < b->blob_len + n) {
            cap *= 2;
        }
        q = realloc(b->blob, cap);
        if (!q) {
            return -1;
        }
        b->blob = q;
        b->blob_cap = cap;
    }
    if (n) {
        memcpy(b->blob + b->blob_len, p, n);
    }
    b->blob_len += (uint32_t) n;
    return ofs;
}

static bool
is_ip_any(const struct ofp_pkt_state *st)
{
    return st->dl_type == VSW_ETH_TYPE_IP || st->dl_type == VSW_ETH_TYPE_IPV6;
}

static uint8_t
l4_flags(int proto)
{
    return proto == VSW_IPPROTO_UDP ? VSW_ACTF_L4_UDP
           : proto == VSW_IPPROTO_SCTP ? VSW_ACTF_L4_SCTP : 0;
}

/* Checks 'need' for the action named 'what' (e.g. "mod_nw_src" or
 * "set_field: tcp_dst"). */
int
ofp_act_check_need(const struct ofp_pkt_state *st, enum vsw_field_prereq need,
                   const char *what, char *err, size_t err_size)
{
    if (st->unchecked) {
        return 0;
    }
    switch (need) {
    case VSW_FP_NONE:
    case VSW_FP_IPV4_ARP:   /* Prerequisites of matches only. */
    case VSW_FP_PROTO:
    case VSW_FP_ARP:
    case VSW_FP_ICMP:
    case VSW_FP_ND:
    case VSW_FP_ND_SLL:
    case VSW_FP_ND_TLL:
        return 0;
    case VSW_FP_IPV4:
        if (st->dl_type != VSW_ETH_TYPE_IP) {
            return fail(err, err_size, EINVAL,
                        "%s: needs ip (or tcp, udp, sctp, icmp) in the match", what);
        }
        return 0;
    case VSW_FP_IPV6:
        if (st->dl_type != VSW_ETH_TYPE_IPV6) {
            return fail(err, err_size, EINVAL, "%s: needs ipv6 in the match", what);
        }
        return 0;
    case VSW_FP_IP_ANY:
        if (!is_ip_any(st)) {
            return fail(err, err_size, EINVAL, "%s: needs ip or ipv6 in the match",
                        what);
        }
        return 0;
    case VSW_FP_L4:
    case VSW_FP_TCP:
    case VSW_FP_UDP:
    case VSW_FP_SCTP: {
        static const char *const names[] = {
            [VSW_FP_L4] = "tcp, udp or sctp", [VSW_FP_TCP] = "tcp (or tcp6)",
            [VSW_FP_UDP] = "udp (or udp6)", [VSW_FP_SCTP] = "sctp (or sctp6)",
        };
        bool ok = need == VSW_FP_L4
                  ? (st->nw_proto == VSW_IPPROTO_TCP || st->nw_proto == VSW_IPPROTO_UDP
                     || st->nw_proto == VSW_IPPROTO_SCTP)
                  : st->nw_proto == (need == VSW_FP_TCP ? VSW_IPPROTO_TCP
                                     : need == VSW_FP_UDP ? VSW_IPPROTO_UDP
                                     : VSW_IPPROTO_SCTP);
        if (!is_ip_any(st) || !ok) {
            return fail(err, err_size, EINVAL, "%s: needs %s in the match", what,
                        names[need]);
        }
        if (st->later_frag) {
            return fail(err, err_size, EINVAL,
                        "%s: later fragments have no transport header "
                        "(ip_frag=later)", what);
        }
        return 0;
    }
    case VSW_FP_VLAN:
        if (!st->vlan[0]) {
            return fail(err, err_size, EINVAL,
                        "%s: needs a VLAN tag (match one, e.g. dl_vlan=10, or push "
                        "one first)", what);
        }
        return 0;
    }
    return 0;
}

static int
parse_num(const char *name, const char *val, uint64_t max, uint64_t *out,
          char *err, size_t err_size)
{
    int error;

    if (!*val) {
        return fail(err, err_size, EINVAL, "%s: needs a value", name);
    }
    error = vsw_ofp_parse_uint(val, strlen(val), max, out);
    if (error == EINVAL) {
        return fail(err, err_size, EINVAL, "%s: \"%s\" is not a number", name, val);
    } else if (error) {
        return fail(err, err_size, ERANGE, "%s: %s is out of range (0 to %llu)", name,
                    val, (unsigned long long) max);
    }
    return 0;
}

/* Adds an output to port 'port' (a number or a reserved port name). */
static int
add_output(struct ofp_act_builder *b, const char *name, const char *port,
           char *err, size_t err_size)
{
    static const char *const unsupported[] = {
        "local", "table",
    };
    struct vsw_action *a;

    if (vsw_all_digits(port)) {
        uint64_t n;
        if (vsw_ofp_parse_uint(port, strlen(port), MAX_OF_PORT, &n)) {
            return fail(err, err_size, ERANGE,
                        "%s: port %s is out of range (0 to %u)", name, port,
                        MAX_OF_PORT);
        }
        a = ofp_act_add(b, VSW_ACT_OUTPUT, 0);
        if (a) {
            a->port = (uint32_t) n;
        }
    } else if (!strcasecmp(port, "in_port")) {
        a = ofp_act_add(b, VSW_ACT_IN_PORT, 0);
    } else if (!strcasecmp(port, "all")) {
        a = ofp_act_add(b, VSW_ACT_ALL, 0);
    } else if (!strcasecmp(port, "normal")) {
        a = ofp_act_add(b, VSW_ACT_NORMAL, 0);
    } else if (!strcasecmp(port, "flood")) {
        a = ofp_act_add(b, VSW_ACT_FLOOD, 0);
    } else if (!strcasecmp(port, "controller")) {
        return ofp_act_add_controller(b, UINT16_MAX, err, err_size);
    } else {
        for (size_t i = 0; i < sizeof unsupported / sizeof unsupported[0]; i++) {
            if (!strcasecmp(port, unsupported[i])) {
                return fail(err, err_size, ENOTSUP,
                            "%s: output to port %s is not supported by vsw", name,
                            port);
            }
        }
        return fail(err, err_size, EINVAL, "%s: \"%s\" is not a port", name, port);
    }
    return a ? 0 : fail(err, err_size, ENOMEM, "out of memory");
}

/* Parses "set_field:VALUE->FIELD". */
static int
parse_set_field(struct ofp_act_builder *b, struct ofp_pkt_state *st, char *arg,
                char *err, size_t err_size)
{
    const struct vsw_field_name *fn;
    const struct vsw_field *f;
    char *arrow = strstr(arg, "->");
    const char *field;
    struct vsw_action *a;
    char what[64];
    size_t vlen;
    uint64_t v = 0;
    int error;

    if (!arrow || !arrow[2]) {
        return fail(err, err_size, EINVAL,
                    "set_field: \"%s\" is not VALUE->FIELD", arg);
    }
    field = arrow + 2;
    vlen = (size_t) (arrow - arg);
    fn = vsw_field_name_find(field);
    if (!fn || !fn->set_ok) {
        return fail(err, err_size, ENOTSUP,
                    "set_field: field \"%s\" is not supported by vsw", field);
    }
    f = vsw_field_get((enum vsw_field_id) fn->id);
    if (f->pipe) {
        return ofp_act_parse_set_pipe(b, f, arg, vlen, err, err_size);
    }
    snprintf(what, sizeof what, "set_field: %s", field);
    if (memchr(arg, '/', vlen)) {
        bool full;

        error = ofp_act_parse_set_masked(b, st, f, what, arg, vlen, &full, err,
                                         err_size);
        if (error || !full) {
            return error;
        }
        vlen = (size_t) ((const char *) memchr(arg, '/', vlen) - arg);
    }
    error = ofp_act_check_need(st, (enum vsw_field_prereq) f->set_prereq, what, err,
                               err_size);
    if (error) {
        return error;
    }

    a = ofp_act_add(b, (enum vsw_action_type) f->set_action,
                    VSW_ACTF_SET_FIELD | f->set_flags);
    if (!a) {
        return fail(err, err_size, ENOMEM, "out of memory");
    }
    switch ((enum vsw_field_format) f->format) {
    case VSW_FF_MAC:
        if (vsw_ofp_parse_mac(arg, vlen, a->mac)) {
            return fail(err, err_size, EINVAL, "%s: \"%.*s\" is not an Ethernet "
                        "address", what, (int) vlen, arg);
        }
        return 0;
    case VSW_FF_IPV4:
        if (vsw_ofp_parse_ipv4(arg, vlen, &a->be32)) {
            return fail(err, err_size, EINVAL, "%s: \"%.*s\" is not an IPv4 "
                        "address", what, (int) vlen, arg);
        }
        return 0;
    case VSW_FF_IPV6:
        if (vsw_ofp_parse_ipv6(arg, vlen, a->ip6)) {
            return fail(err, err_size, EINVAL, "%s: \"%.*s\" is not an IPv6 "
                        "address", what, (int) vlen, arg);
        }
        return 0;
    default:   /* VSW_FF_DEC, VSW_FF_HEX: no writable field is written otherwise. */
        error = vsw_ofp_parse_uint(arg, vlen, f->max, &v);
        if (error == EINVAL) {
            return fail(err, err_size, EINVAL, "%s: \"%.*s\" is not a number", what,
                        (int) vlen, arg);
        } else if (error) {
            return fail(err, err_size, ERANGE, "%s: %.*s is out of range (0 to %u)",
                        what, (int) vlen, arg, f->max);
        }
        break;
    }

    switch ((enum vsw_action_type) f->set_action) {
    case VSW_ACT_SET_IPV6_LABEL:
        a->be32 = rte_cpu_to_be_32((uint32_t) v);
        break;
    case VSW_ACT_SET_L4_SRC:
    case VSW_ACT_SET_L4_DST:
        a->be16 = rte_cpu_to_be_16((uint16_t) v);
        break;
    case VSW_ACT_SET_VLAN_VID:
        if (!(v & VSW_VLAN_CFI)) {
            return fail(err, err_size, EINVAL,
                        "%s: %.*s lacks the 0x1000 \"VLAN present\" bit that "
                        "OpenFlow 1.3 requires (e.g. 4106 sets VLAN 10)", what,
                        (int) vlen, arg);
        }
        a->u16 = (uint16_t) (v & VSW_VLAN_VID_MASK);
        break;
    case VSW_ACT_SET_IP_DSCP:
        if (f->set_flags & VSW_ACTF_SPELL_ALT) {
            if (v & VSW_IP_ECN_MASK) {
                return fail(err, err_size, EINVAL, "%s: %.*s is not a multiple of 4 "
                            "(nw_tos sets the DSCP bits)", what, (int) vlen, arg);
            }
            a->u8 = (uint8_t) v;
        } else {
            a->u8 = (uint8_t) (v << 2);
        }
        break;
    default:
        a->u8 = (uint8_t) v;
        break;
    }
    return 0;
}

/* Adds a VLAN VID or PCP rewrite.  'push' (mod_vlan_*) first pushes a tag if
 * the packet has none at this point, as OVS's OpenFlow 1.3 encoding does. */
static int
add_vlan_set(struct ofp_act_builder *b, struct ofp_pkt_state *st, const char *name,
             const char *val, bool pcp, bool push, char *err, size_t err_size)
{
    struct vsw_action *a;
    uint64_t v;
    int error;

    error = parse_num(name, val, pcp ? 7 : VSW_VLAN_VID_MASK, &v, err, err_size);
    if (error) {
        return error;
    }
    if (!push) {
        error = ofp_act_check_need(st, VSW_FP_VLAN, name, err, err_size);
        if (error) {
            return error;
        }
    } else if (!st->vlan[0]) {
        a = ofp_act_add(b, VSW_ACT_PUSH_VLAN, 0);
        if (!a) {
            return fail(err, err_size, ENOMEM, "out of memory");
        }
        a->be16 = rte_cpu_to_be_16(VSW_ETH_TYPE_VLAN);
        st->vlan[1] = st->vlan[0];
        st->vlan[0] = true;
    }
    a = ofp_act_add(b, pcp ? VSW_ACT_SET_VLAN_PCP : VSW_ACT_SET_VLAN_VID,
                    VSW_ACTF_SET_FIELD);
    if (!a) {
        return fail(err, err_size, ENOMEM, "out of memory");
    }
    if (pcp) {
        a->u8 = (uint8_t) v;
    } else {
        a->u16 = (uint16_t) v;
    }
    st->vlan[0] = true;
    return 0;
}

static bool
name_in(const char *name, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!strcasecmp(name, list[i])) {
            return true;
        }
    }
    return false;
}

/* Parses one action 'key' with argument 'val'. */
static int
parse_action(struct ofp_act_builder *b, struct ofp_pkt_state *st, char *key, char *val,
             bool *drop, char *err, size_t err_size)
{
    static const char *const no_arg[] = {
        "drop", "in_port", "all", "normal", "flood", "dec_ttl", "strip_vlan", "pop_vlan",
    };
    static const char *const unsupported[] = {
        "enqueue", "learn", "note", "set_tunnel", "set_tunnel64", "set_queue",
        "pop_queue", "ct", "ct_clear", "nat", "meter", "clear_actions",
        "write_actions", "push_mpls", "pop_mpls", "set_mpls_label", "set_mpls_tc",
        "set_mpls_ttl", "dec_mpls_ttl",
        "output_reg", "output_trunc", "bundle", "bundle_load", "multipath",
        "exit", "sample", "clone", "fin_timeout", "check_pkt_larger",
        "conjunction", "encap", "decap", "push", "pop", "delete_field",
    };
    struct vsw_action *a = NULL;
    uint64_t v;
    int error;

    if (name_in(key, no_arg, sizeof no_arg / sizeof no_arg[0]) && *val) {
        return fail(err, err_size, EINVAL, "%s: takes no argument (got \"%s\")", key,
                    val);
    }

    if (!strcasecmp(key, "drop")) {
        *drop = true;
        return 0;
    } else if (!strcasecmp(key, "output")) {
        if (!*val) {
            return fail(err, err_size, EINVAL, "output: needs a port, e.g. output:1");
        }
        return add_output(b, key, val, err, err_size);
    } else if (vsw_all_digits(key) || !strcasecmp(key, "in_port")
               || !strcasecmp(key, "all") || !strcasecmp(key, "local")
               || !strcasecmp(key, "normal") || !strcasecmp(key, "flood")
               || !strcasecmp(key, "table")) {
        if (*val) {
            return fail(err, err_size, EINVAL, "%s: takes no argument (got \"%s\")",
                        key, val);
        }
        return add_output(b, "output", key, err, err_size);
    } else if (!strcasecmp(key, "mod_dl_src") || !strcasecmp(key, "mod_dl_dst")) {
        bool src = !strcasecmp(key, "mod_dl_src");
        uint8_t mac[VSW_ETH_ADDR_LEN];

        if (vsw_ofp_parse_mac(val, strlen(val), mac)) {
            return fail(err, err_size, EINVAL, "%s: \"%s\" is not an Ethernet address",
                        key, val);
        }
        a = ofp_act_add(b, src ? VSW_ACT_SET_ETH_SRC : VSW_ACT_SET_ETH_DST,
                        VSW_ACTF_SET_FIELD);
        if (a) {
            memcpy(a->mac, mac, sizeof mac);
        }
    } else if (!strcasecmp(key, "mod_nw_src") || !strcasecmp(key, "mod_nw_dst")) {
        bool src = !strcasecmp(key, "mod_nw_src");
        rte_be32_t ip;

        if (vsw_ofp_parse_ipv4(val, strlen(val), &ip)) {
            return fail(err, err_size, EINVAL, "%s: \"%s\" is not an IPv4 address",
                        key, val);
        }
        error = ofp_act_check_need(st, VSW_FP_IPV4, key, err, err_size);
        if (error) {
            return error;
        }
        a = ofp_act_add(b, src ? VSW_ACT_SET_IPV4_SRC : VSW_ACT_SET_IPV4_DST,
                        VSW_ACTF_SET_FIELD);
        if (a) {
            a->be32 = ip;
        }
    } else if (!strcasecmp(key, "mod_nw_tos")) {
        error = parse_num(key, val, 0xff, &v, err, err_size);
        if (error) {
            return error;
        }
        if (v & VSW_IP_ECN_MASK) {
            return fail(err, err_size, EINVAL,
                        "mod_nw_tos: %s is not a multiple of 4 (it sets the DSCP "
                        "bits; use mod_nw_ecn for ECN)", val);
        }
        error = ofp_act_check_need(st, VSW_FP_IP_ANY, key, err, err_size);
        if (error) {
            return error;
        }
        a = ofp_act_add(b, VSW_ACT_SET_IP_DSCP, VSW_ACTF_SET_FIELD);
        if (a) {
            a->u8 = (uint8_t) v;
        }
    } else if (!strcasecmp(key, "mod_nw_ecn")) {
        error = parse_num(key, val, VSW_IP_ECN_MASK, &v, err, err_size);
        if (!error) {
            error = ofp_act_check_need(st, VSW_FP_IP_ANY, key, err, err_size);
        }
        if (error) {
            return error;
        }
        a = ofp_act_add(b, VSW_ACT_SET_IP_ECN, VSW_ACTF_SET_FIELD);
        if (a) {
            a->u8 = (uint8_t) v;
        }
    } else if (!strcasecmp(key, "mod_nw_ttl") || !strcasecmp(key, "set_nw_ttl")) {
        error = parse_num(key, val, 0xff, &v, err, err_size);
        if (!error) {
            error = ofp_act_check_need(st, VSW_FP_IP_ANY, key, err, err_size);
        }
        if (error) {
            return error;
        }
        a = ofp_act_add(b, VSW_ACT_SET_IP_TTL, 0);
        if (a) {
            a->u8 = (uint8_t) v;
        }
    } else if (!strcasecmp(key, "dec_ttl")) {
        error = ofp_act_check_need(st, VSW_FP_IP_ANY, key, err, err_size);
        if (error) {
            return error;
        }
        a = ofp_act_add(b, VSW_ACT_DEC_TTL, 0);
    } else if (!strcasecmp(key, "mod_tp_src") || !strcasecmp(key, "mod_tp_dst")) {
        bool src = !strcasecmp(key, "mod_tp_src");

        error = parse_num(key, val, 0xffff, &v, err, err_size);
        if (!error) {
            error = ofp_act_check_need(st, VSW_FP_L4, key, err, err_size);
        }
        if (error) {
            return error;
        }
        a = ofp_act_add(b, src ? VSW_ACT_SET_L4_SRC : VSW_ACT_SET_L4_DST,
                        VSW_ACTF_SET_FIELD | l4_flags(st->nw_proto));
        if (a) {
            a->be16 = rte_cpu_to_be_16((uint16_t) v);
        }
    } else if (!strcasecmp(key, "push_vlan")) {
        error = parse_num(key, val, 0xffff, &v, err, err_size);
        if (error) {
            return error;
        }
        if (v != VSW_ETH_TYPE_VLAN && v != VSW_ETH_TYPE_VLAN_8021AD) {
            return fail(err, err_size, EINVAL,
                        "push_vlan: %s is not a VLAN ethertype (0x8100 or 0x88a8)",
                        val);
        }
        if (st->vlan[1]) {
            return fail(err, err_size, EINVAL,
                        "push_vlan: the packet would have more than 2 VLAN tags");
        }
        a = ofp_act_add(b, VSW_ACT_PUSH_VLAN, 0);
        if (a) {
            a->be16 = rte_cpu_to_be_16((uint16_t) v);
        }
        st->vlan[1] = st->vlan[0];
        st->vlan[0] = true;
    } else if (!strcasecmp(key, "mod_vlan_vid") || !strcasecmp(key, "set_vlan_vid")) {
        return add_vlan_set(b, st, key, val, false, !strcasecmp(key, "mod_vlan_vid"),
                            err, err_size);
    } else if (!strcasecmp(key, "mod_vlan_pcp") || !strcasecmp(key, "set_vlan_pcp")) {
        return add_vlan_set(b, st, key, val, true, !strcasecmp(key, "mod_vlan_pcp"),
                            err, err_size);
    } else if (!strcasecmp(key, "strip_vlan") || !strcasecmp(key, "pop_vlan")) {
        error = ofp_act_check_need(st, VSW_FP_VLAN, key, err, err_size);
        if (error) {
            return error;
        }
        a = ofp_act_add(b, VSW_ACT_POP_VLAN, 0);
        st->vlan[0] = st->vlan[1];
        st->vlan[1] = false;
    } else if (!strcasecmp(key, "set_field")) {
        return parse_set_field(b, st, val, err, err_size);
    } else if ((error = ofp_act_parse_pipe(b, st, key, val, err, err_size)) != ENOENT) {
        return error;
    } else if (name_in(key, unsupported, sizeof unsupported / sizeof unsupported[0])) {
        return fail(err, err_size, ENOTSUP, "%s: action not supported by vsw", key);
    } else {
        return fail(err, err_size, EINVAL, "unknown action \"%s\"", key);
    }

    return a ? 0 : fail(err, err_size, ENOMEM, "out of memory");
}

static int parse_actions(const char *s, const struct vsw_match *match, bool unchecked,
                         struct vsw_actions **out, char *err, size_t err_size);

int
vsw_actions_parse(const char *s, const struct vsw_match *match,
                  struct vsw_actions **out, char *err, size_t err_size)
{
    return parse_actions(s, match, false, out, err, err_size);
}

int
vsw_actions_parse_unchecked(const char *s, struct vsw_actions **out, char *err,
                            size_t err_size)
{
    return parse_actions(s, NULL, true, out, err, err_size);
}

static int
parse_actions(const char *s, const struct vsw_match *match, bool unchecked,
              struct vsw_actions **out, char *err, size_t err_size)
{
    struct ofp_act_builder b = { NULL, 0, 0, NULL, 0, 0 };
    struct ofp_pkt_state st;
    struct vsw_actions *acts;
    char stackbuf[1024];
    char *buf, *pos, *key, *val;
    size_t len = s ? strlen(s) : 0;
    bool drop = false;
    int error = 0;

    *out = NULL;
    if (err && err_size) {
        err[0] = '\0';
    }

    memset(&st, 0, sizeof st);
    st.nw_proto = -1;
    st.unchecked = unchecked;
    if (match) {
        const struct vsw_flow *k = &match->key;
        const struct vsw_flow *mk = &match->mask;

        st.dl_type = mk->dl_type ? rte_be_to_cpu_16(k->dl_type) : 0;
        st.nw_proto = mk->nw_proto ? k->nw_proto : -1;
        st.later_frag = (k->nw_frag & mk->nw_frag & VSW_FRAG_LATER) != 0;
        st.vlan[0] = (k->vlan_tci & mk->vlan_tci & rte_cpu_to_be_16(VSW_VLAN_CFI)) != 0;
        st.vlan[1] = (k->vlan_tci2 & mk->vlan_tci2 & rte_cpu_to_be_16(VSW_VLAN_CFI)) != 0;
    }

    buf = len < sizeof stackbuf ? stackbuf : malloc(len + 1);
    if (!buf) {
        return fail(err, err_size, ENOMEM, "out of memory");
    }
    if (len) {
        memcpy(buf, s, len);
    }
    buf[len] = '\0';

    pos = buf;
    while (vsw_ofp_next_kv(&pos, &key, &val)) {
        if (b.n >= MAX_ACTIONS) {
            error = fail(err, err_size, E2BIG, "too many actions (at most %d)",
                         MAX_ACTIONS);
            goto out;
        }
        error = parse_action(&b, &st, key, val, &drop, err, err_size);
        if (error) {
            goto out;
        }
    }
    if (drop && b.n) {
        error = fail(err, err_size, EINVAL,
                     "drop: must not be combined with other actions");
        goto out;
    }

    error = ofp_act_check_order(&b, err, err_size);
    if (error) {
        goto out;
    }

    acts = malloc(vsw_actions_size2(b.n, b.blob_len));
    if (!acts) {
        error = fail(err, err_size, ENOMEM, "out of memory");
        goto out;
    }
    memset(acts, 0, sizeof *acts);
    acts->n = b.n;
    acts->n_outputs = 0;
    acts->blob_len = b.blob_len;
    if (b.blob_len) {
        memcpy((uint8_t *) &acts->a[b.n], b.blob, b.blob_len);
    }
    for (uint32_t i = 0; i < b.n; i++) {
        acts->a[i] = b.a[i];
        if (b.a[i].type == VSW_ACT_OUTPUT || b.a[i].type == VSW_ACT_IN_PORT
            || b.a[i].type == VSW_ACT_ALL || b.a[i].type == VSW_ACT_NORMAL
            || b.a[i].type == VSW_ACT_FLOOD) {
            acts->n_outputs++;
        }
    }
    *out = acts;

out:
    free(b.a);
    free(b.blob);
    if (buf != stackbuf) {
        free(buf);
    }
    return error;
}

int
vsw_actions_format(const struct vsw_actions *acts, char *buf, size_t size)
{
    struct vsw_ofp_buf b;

    vsw_ofp_buf_init(&b, buf, size);
    if (!acts || !acts->n) {
        vsw_ofp_buf_printf(&b, "drop");
        return (int) b.len;
    }
    for (uint32_t i = 0; i < acts->n; i++) {
        const struct vsw_action *a = &acts->a[i];
        const char *l4 = a->flags & VSW_ACTF_L4_UDP ? "udp"
                         : a->flags & VSW_ACTF_L4_SCTP ? "sctp" : "tcp";

        if (i) {
            vsw_ofp_buf_printf(&b, ",");
        }
        switch ((enum vsw_action_type) a->type) {
        case VSW_ACT_OUTPUT:
            vsw_ofp_buf_printf(&b, "output:%u", a->port);
            break;
        case VSW_ACT_IN_PORT:
            vsw_ofp_buf_printf(&b, "IN_PORT");
            break;
        case VSW_ACT_ALL:
            vsw_ofp_buf_printf(&b, "ALL");
            break;
        case VSW_ACT_NORMAL:
            vsw_ofp_buf_printf(&b, "NORMAL");
            break;
        case VSW_ACT_FLOOD:
            vsw_ofp_buf_printf(&b, "FLOOD");
            break;
        case VSW_ACT_SET_ETH_SRC:
        case VSW_ACT_SET_ETH_DST:
            vsw_ofp_buf_printf(&b, "set_field:");
            vsw_ofp_buf_put_mac(&b, a->mac);
            vsw_ofp_buf_printf(&b, "->%s",
                               a->type == VSW_ACT_SET_ETH_SRC ? "eth_src" : "eth_dst");
            break;
        case VSW_ACT_SET_IPV4_SRC:
        case VSW_ACT_SET_IPV4_DST:
            vsw_ofp_buf_printf(&b, "set_field:");
            vsw_ofp_buf_put_ipv4(&b, a->be32);
            vsw_ofp_buf_printf(&b, "->%s",
                               a->type == VSW_ACT_SET_IPV4_SRC ? "ip_src" : "ip_dst");
            break;
        case VSW_ACT_SET_IP_DSCP:
            if (a->flags & VSW_ACTF_SPELL_ALT) {
                vsw_ofp_buf_printf(&b, "set_field:%u->nw_tos", a->u8);
            } else {
                vsw_ofp_buf_printf(&b, "set_field:%u->ip_dscp", a->u8 >> 2);
            }
            break;
        case VSW_ACT_SET_IP_ECN:
            vsw_ofp_buf_printf(&b, "set_field:%u->nw_ecn", a->u8);
            break;
        case VSW_ACT_SET_IP_TTL:
            if (a->flags & VSW_ACTF_SET_FIELD) {
                vsw_ofp_buf_printf(&b, "set_field:%u->nw_ttl", a->u8);
            } else {
                vsw_ofp_buf_printf(&b, "mod_nw_ttl:%u", a->u8);
            }
            break;
        case VSW_ACT_DEC_TTL:
            vsw_ofp_buf_printf(&b, "dec_ttl");
            break;
        case VSW_ACT_SET_L4_SRC:
        case VSW_ACT_SET_L4_DST:
            vsw_ofp_buf_printf(&b, "set_field:%u->%s_%s", rte_be_to_cpu_16(a->be16), l4,
                               a->type == VSW_ACT_SET_L4_SRC ? "src" : "dst");
            break;
        case VSW_ACT_PUSH_VLAN:
            vsw_ofp_buf_printf(&b, "push_vlan:0x%x", rte_be_to_cpu_16(a->be16));
            break;
        case VSW_ACT_SET_VLAN_VID:
            vsw_ofp_buf_printf(&b, "set_field:%u->vlan_vid",
                               (unsigned) (a->u16 & VSW_VLAN_VID_MASK) | VSW_VLAN_CFI);
            break;
        case VSW_ACT_SET_VLAN_PCP:
            vsw_ofp_buf_printf(&b, "set_field:%u->vlan_pcp", a->u8);
            break;
        case VSW_ACT_POP_VLAN:
            vsw_ofp_buf_printf(&b, "pop_vlan");
            break;
        case VSW_ACT_SET_IPV6_SRC:
        case VSW_ACT_SET_IPV6_DST:
            vsw_ofp_buf_printf(&b, "set_field:");
            vsw_ofp_buf_put_ipv6(&b, a->ip6);
            vsw_ofp_buf_printf(&b, "->%s", a->type == VSW_ACT_SET_IPV6_SRC
                                           ? "ipv6_src" : "ipv6_dst");
            break;
        case VSW_ACT_SET_IPV6_LABEL: {
            uint32_t label = rte_be_to_cpu_32(a->be32);
            if (label) {
                vsw_ofp_buf_printf(&b, "set_field:0x%x->ipv6_label", label);
            } else {
                vsw_ofp_buf_printf(&b, "set_field:0->ipv6_label");
            }
            break;
        }
        case VSW_ACT_N_TYPES:
        default:
            if (!ofp_act_format_pipe(&b, acts, a)) {
                vsw_ofp_buf_printf(&b, "<unknown action %u>", a->type);
            }
            break;
        }
    }
    return b.len > INT32_MAX ? INT32_MAX : (int) b.len;
}

void
vsw_actions_free(struct vsw_actions *acts)
{
    free(acts);
}
