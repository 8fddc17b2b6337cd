/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Datapath actions as text, in Open vSwitch's datapath format (what
 * `ovs-appctl dpctl/dump-flows` prints after "actions:"), for
 * `vswctl dump-megaflows` and traces: "2", "drop",
 * "set(ipv4(src=10.0.0.1,ttl=63)),push_vlan(vid=20,pcp=0),2".
 * A masked field shows its mask ("tos=0x4/0xfc").  The in-place VLAN rewrite
 * has no OVS spelling (OVS pops and pushes): it prints as
 * "set(vlan(vid=..,pcp=..))" with only the fields it writes.
 */

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>

#include "util.h"
#include "vsw/flow.h"
#include "vsw/odp.h"

static void
fmt_mac(struct vsw_buf *b, const char *name, const uint8_t *m, bool *first)
{
    vsw_buf_printf(b, "%s%s=%02x:%02x:%02x:%02x:%02x:%02x", *first ? "" : ",", name,
                   m[0], m[1], m[2], m[3], m[4], m[5]);
    *first = false;
}

static void
fmt_ip4(struct vsw_buf *b, const char *name, uint32_t be, bool *first)
{
    char s[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &be, s, sizeof s);
    vsw_buf_printf(b, "%s%s=%s", *first ? "" : ",", name, s);
    *first = false;
}

static void
fmt_ip6(struct vsw_buf *b, const char *name, const uint8_t *a, bool *first)
{
    char s[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, a, s, sizeof s);
    vsw_buf_printf(b, "%s%s=%s", *first ? "" : ",", name, s);
    *first = false;
}

static void
fmt_u(struct vsw_buf *b, const char *name, unsigned v, bool *first)
{
    vsw_buf_printf(b, "%s%s=%u", *first ? "" : ",", name, v);
    *first = false;
}

static void
fmt_masked8(struct vsw_buf *b, const char *name, uint8_t v, uint8_t m, bool *first)
{
    if (m == 0xff) {
        vsw_buf_printf(b, "%s%s=%#x", *first ? "" : ",", name, v);
    } else {
        vsw_buf_printf(b, "%s%s=%#x/%#x", *first ? "" : ",", name, v & m, m);
    }
    *first = false;
}

/* An absolute TTL prints as OVS does ("ttl=63"); a decrement, which OVS
 * has no datapath action for (its megaflows match the TTL instead), as
 * "ttl=-1" and its check as "ttl_min=2" (the lowest TTL that passes). */
static void
fmt_ttl(struct vsw_buf *b, const char *name, uint16_t flags, uint8_t v, uint8_t check,
        bool *first)
{
    if (flags & VSW_ODPF_TTL) {
        fmt_u(b, name, v, first);
    } else if (flags & VSW_ODPF_TTL_DEC) {
        vsw_buf_printf(b, "%s%s=-%u", *first ? "" : ",", name, v);
        *first = false;
    }
    if (flags & VSW_ODPF_TTL_CHECK) {
        vsw_buf_printf(b, ",%s_min=%u", name, check + 1u);
    }
}

bool
vsw_odp_userspace_decode(const struct vsw_odp_hdr *h, struct vsw_odp_pin *pin)
{
    const struct vsw_odp_userspace *u = (const struct vsw_odp_userspace *) h;
    const uint8_t *p = (const uint8_t *) (u + 1);
    size_t need = sizeof *u;

    if (h->type != VSW_ODP_USERSPACE || h->len < sizeof *u) {
        return false;
    }
    need += (u->h.flags & VSW_ODPF_PIN_METADATA ? 8 : 0)
            + 4 * (size_t) __builtin_popcount(u->reg_map) + u->userdata_len;
    if (need > h->len || u->userdata_len > sizeof pin->userdata) {
        return false;
    }
    memset(pin, 0, sizeof *pin);
    pin->in_port = u->in_port;
    pin->cookie = (uint64_t) u->cookie_hi << 32 | u->cookie_lo;
    pin->max_len = u->max_len;
    pin->controller_id = u->controller_id;
    pin->reason = u->reason;
    pin->table_id = u->table_id;
    if (u->h.flags & VSW_ODPF_PIN_METADATA) {
        memcpy(&pin->metadata, p, 8);
        p += 8;
    }
    for (unsigned i = 0; i < 16; i++) {
        if (u->reg_map & (1u << i)) {
            memcpy(&pin->regs[i], p, 4);
            p += 4;
        }
    }
    pin->userdata_len = u->userdata_len;
    memcpy(pin->userdata, p, u->userdata_len);
    return true;
}

/* As OVS prints its controller userspace action, with what vsw's entry
 * holds: "userspace(controller(reason=1,...))". */
static void
fmt_userspace(struct vsw_buf *b, const struct vsw_odp_hdr *h)
{
    struct vsw_odp_pin pin;

    if (!vsw_odp_userspace_decode(h, &pin)) {
        vsw_buf_printf(b, "userspace(?)");
        return;
    }
    vsw_buf_printf(b, "userspace(controller(reason=%u,table_id=%u,rule_cookie=0x%" PRIx64
                   ",controller_id=%u,max_len=%u", pin.reason, pin.table_id,
                   pin.cookie, pin.controller_id, pin.max_len);
    if (pin.metadata) {
        vsw_buf_printf(b, ",metadata=0x%" PRIx64, pin.metadata);
    }
    for (unsigned i = 0; i < 16; i++) {
        if (pin.regs[i]) {
            vsw_buf_printf(b, ",reg%u=0x%" PRIx32, i, pin.regs[i]);
        }
    }
    if (pin.userdata_len) {
        vsw_buf_printf(b, ",userdata=");
        for (unsigned i = 0; i < pin.userdata_len; i++) {
            vsw_buf_printf(b, "%s%02x", i ? "." : "", pin.userdata[i]);
        }
    }
    vsw_buf_printf(b, "))");
}

void
vsw_odp_format(const uint8_t *data, uint16_t len, struct vsw_buf *b)
{
    bool any = false;

    VSW_ODP_FOR_EACH (h, data, len) {
        bool first = true;

        if (any) {
            vsw_buf_printf(b, ",");
        }
        any = true;
        switch ((enum vsw_odp_type) h->type) {
        case VSW_ODP_OUTPUT:
            vsw_buf_printf(b, "%" PRIu32, ((const struct vsw_odp_output *) h)->port);
            break;
        case VSW_ODP_SET_ETH: {
            const struct vsw_odp_eth *a = (const struct vsw_odp_eth *) h;
            vsw_buf_printf(b, "set(eth(");
            if (h->flags & VSW_ODPF_SRC) {
                fmt_mac(b, "src", a->src, &first);
            }
            if (h->flags & VSW_ODPF_DST) {
                fmt_mac(b, "dst", a->dst, &first);
            }
            vsw_buf_printf(b, "))");
            break;
        }
        case VSW_ODP_SET_IPV4: {
            const struct vsw_odp_ipv4 *a = (const struct vsw_odp_ipv4 *) h;
            vsw_buf_printf(b, "set(ipv4(");
            if (h->flags & VSW_ODPF_SRC) {
                fmt_ip4(b, "src", a->src, &first);
            }
            if (h->flags & VSW_ODPF_DST) {
                fmt_ip4(b, "dst", a->dst, &first);
            }
            if (h->flags & VSW_ODPF_TOS) {
                fmt_masked8(b, "tos", a->tos, a->tos_mask, &first);
            }
            fmt_ttl(b, "ttl", h->flags, a->ttl, a->ttl_check, &first);
            vsw_buf_printf(b, "))");
            break;
        }
        case VSW_ODP_SET_IPV6: {
            const struct vsw_odp_ipv6 *a = (const struct vsw_odp_ipv6 *) h;
            vsw_buf_printf(b, "set(ipv6(");
            if (h->flags & VSW_ODPF_SRC) {
                fmt_ip6(b, "src", a->src, &first);
            }
            if (h->flags & VSW_ODPF_DST) {
                fmt_ip6(b, "dst", a->dst, &first);
            }
            if (h->flags & VSW_ODPF_LABEL) {
                vsw_buf_printf(b, "%slabel=%#" PRIx32, first ? "" : ",",
                               rte_be_to_cpu_32(a->label));
                first = false;
            }
            if (h->flags & VSW_ODPF_TOS) {
                fmt_masked8(b, "tclass", a->tclass, a->tclass_mask, &first);
            }
            fmt_ttl(b, "hlimit", h->flags, a->hlimit, a->ttl_check, &first);
            vsw_buf_printf(b, "))");
            break;
        }
        case VSW_ODP_SET_L4: {
            const struct vsw_odp_l4 *a = (const struct vsw_odp_l4 *) h;
            vsw_buf_printf(b, "set(%s(", h->flags & VSW_ODPF_L4_TCP ? "tcp"
                                         : h->flags & VSW_ODPF_L4_UDP ? "udp" : "sctp");
            if (h->flags & VSW_ODPF_SRC) {
                fmt_u(b, "src", rte_be_to_cpu_16(a->src), &first);
            }
            if (h->flags & VSW_ODPF_DST) {
                fmt_u(b, "dst", rte_be_to_cpu_16(a->dst), &first);
            }
            vsw_buf_printf(b, "))");
            break;
        }
        case VSW_ODP_PUSH_VLAN: {
            const struct vsw_odp_vlan *a = (const struct vsw_odp_vlan *) h;
            uint16_t tci = rte_be_to_cpu_16(a->tci);
            vsw_buf_printf(b, "push_vlan(");
            if (h->flags & VSW_ODPF_VLAN_ORIG) {
                /* The packet's own tag back, with these bits. */
                uint16_t mask = rte_be_to_cpu_16(a->mask);
                vsw_buf_printf(b, "tpid=orig");
                if (mask & VSW_VLAN_VID_MASK) {
                    vsw_buf_printf(b, ",vid=%u", tci & VSW_VLAN_VID_MASK);
                }
                if (mask & VSW_VLAN_PCP_MASK) {
                    vsw_buf_printf(b, ",pcp=%u", tci >> VSW_VLAN_PCP_SHIFT);
                }
                vsw_buf_printf(b, ")");
                break;
            }
            if (a->tpid != rte_cpu_to_be_16(VSW_ETH_TYPE_VLAN)) {
                vsw_buf_printf(b, "tpid=0x%04x,", rte_be_to_cpu_16(a->tpid));
            }
            vsw_buf_printf(b, "vid=%u,pcp=%u)", tci & VSW_VLAN_VID_MASK, tci >> VSW_VLAN_PCP_SHIFT);
            break;
        }
        case VSW_ODP_POP_VLAN:
            vsw_buf_printf(b, "pop_vlan");
            break;
        case VSW_ODP_SET_VLAN: {
            const struct vsw_odp_vlan *a = (const struct vsw_odp_vlan *) h;
            uint16_t tci = rte_be_to_cpu_16(a->tci), mask = rte_be_to_cpu_16(a->mask);
            vsw_buf_printf(b, "set(vlan(");
            if (mask & VSW_VLAN_VID_MASK) {
                fmt_u(b, "vid", tci & VSW_VLAN_VID_MASK, &first);
            }
            if (mask & VSW_VLAN_PCP_MASK) {
                fmt_u(b, "pcp", tci >> VSW_VLAN_PCP_SHIFT, &first);
            }
            vsw_buf_printf(b, "))");
            break;
        }
        case VSW_ODP_USERSPACE:
            fmt_userspace(b, h);
            break;
        case VSW_ODP_METER:
        case VSW_ODP_RECIRC:
        case VSW_ODP_TNL_PUSH:
        case VSW_ODP_TNL_POP:
        case VSW_ODP_CT:
            vsw_buf_printf(b, "unknown(%u)", h->type);
            break;
        }
    }
    if (!any) {
        vsw_buf_printf(b, "drop");
    }
}
