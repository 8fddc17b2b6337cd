/* SPDX-License-Identifier: Apache-2.0 */
/*
 * NORMAL, FLOOD and ALL: the translation of the L2 learning switch.
 *
 * NORMAL follows Open vSwitch's xlate_normal() (ofproto-dpif-xlate.c) for a
 * bridge without bonds, mirrors, multicast snooping or forward_bpdu:
 *
 *   1. the megaflow matches in_port, dl_src, dl_dst and the outer tag's VID
 *      and presence -- whatever the result, so a MAC table change only has
 *      to revalidate the megaflows of that MAC (regions {dl_src=M} and
 *      {dl_dst=M}, see src/l2/fdb_cmds.c);
 *   2. a frame whose ethertype is a VLAN TPID but has no complete tag, or
 *      whose VID the ingress port does not carry (input_vid_is_valid), or
 *      whose destination is a reserved multicast address (STP/LLDP range
 *      01:80:c2:00:00:0x and the vendor ones OVS lists) is dropped;
 *   3. the packet's VLAN inside the bridge comes from the ingress port's
 *      mode (access: its tag; native: its tag for untagged and priority-
 *      tagged frames; trunk: the frame's own);
 *   4. the source MAC (as rewritten by earlier actions, like every address
 *      NORMAL reads) is learned on (VLAN, ingress port) -- not here: the
 *      translation only returns the request (struct xlate_learn) and the
 *      handler applies it, so trace and revalidation have no side effect;
 *      a destination equal to the source is answered as if already learned;
 *   5. a multicast destination, or a unicast one the MAC table does not
 *      know in that VLAN, is flooded to every other port that carries the
 *      VLAN; a known one goes to its port, unless that is the ingress port;
 *   6. each output gets the tags its port's mode wants (access: none;
 *      native-untagged: none for its native VLAN); a tag left with VID 0
 *      and PCP 0 is removed (OVS without priority-tags).
 *
 * The frames are byte for byte OVS's: the tags are edited in the header
 * view and committed by xlate_output() like any VLAN action (a tag the
 * packet brought is rewritten in place, keeping its TPID; a new one is
 * pushed with TPID 0x8100).
 *
 * FLOOD and ALL (OpenFlow ports) output to every port but the ingress one,
 * without VLAN processing, as OVS does (no port has no-flood in vsw).
 *
 * Thread safety: as xlate.c; the caller holds the MAC table's lock.
 */

#include <string.h>

#include "l2/fdb.h"
#include "l2/vlan.h"
#include "xlate/xlate_int.h"

static const struct vsw_port_vlan *
port_vlan(const struct xlate_bridge *br, unsigned i)
{
    static const struct vsw_port_vlan trunk_all = {
        .mode = VSW_VLAN_TRUNK, .all_trunks = true,
    };

    return br->vlans ? &br->vlans[i] : &trunk_all;
}

static int
port_index(const struct xlate_bridge *br, uint32_t ofport)
{
    for (unsigned i = 0; i < br->n_ports; i++) {
        if (br->ofports[i] == ofport) {
            return (int) i;
        }
    }
    return -1;
}

void
xlate_flood(struct xctx *x)
{
    x->out->xflags |= VSW_XLATE_READ_PORTS;
    for (unsigned p = 0; p < x->br->n_ports; p++) {
        if (x->br->ofports[p] != x->flow->in_port) {
            xlate_output(x, x->br->ofports[p]);
        }
    }
}

/* ---- Tags. ---- */

static uint16_t
tag_vid(struct xctx *x, const struct xtag *t)
{
    if (!t->present) {
        return 0;
    }
    if (t->known & BE16(VSW_VLAN_VID_MASK)) {
        return rte_be_to_cpu_16(t->tci) & VSW_VLAN_VID_MASK;
    }
    x->wc->vlan_tci |= BE16(VSW_VLAN_VID_MASK | VSW_VLAN_CFI);
    return rte_be_to_cpu_16(x->flow->vlan_tci) & VSW_VLAN_VID_MASK;
}

static uint16_t
tag_pcp(struct xctx *x, const struct xtag *t)
{
    if (!t->present) {
        return 0;
    }
    if (t->known & BE16(VSW_VLAN_PCP_MASK)) {
        return (rte_be_to_cpu_16(t->tci) & VSW_VLAN_PCP_MASK) >> VSW_VLAN_PCP_SHIFT;
    }
    x->wc->vlan_tci |= BE16(VSW_VLAN_PCP_MASK | VSW_VLAN_CFI);
    return (rte_be_to_cpu_16(x->flow->vlan_tci) & VSW_VLAN_PCP_MASK) >> VSW_VLAN_PCP_SHIFT;
}

/* The outer tag of the bridge's view of the packet for VLAN 'vid': the
 * packet's own tag 't' with that VID if it has one (TPID and PCP kept),
 * else a new 802.1Q tag with PCP 0 (OVS xvlan_input_translate()). */
static void
tag_for_vlan(const struct xtag *t, uint16_t vid, struct xtag *out)
{
    uint16_t bits = BE16(VSW_VLAN_VID_MASK | VSW_VLAN_CFI);

    if (t->present) {
        *out = *t;
    } else {
        memset(out, 0, sizeof *out);
        out->present = true;
        out->tpid = BE16(VSW_ETH_TYPE_VLAN);
        out->tci = BE16(VSW_VLAN_CFI);
        out->known = 0xffff;
    }
    out->tci = (uint16_t) ((out->tci & ~bits) | BE16((uint16_t) (vid | VSW_VLAN_CFI)));
    out->known |= bits;
}

/* Does port 'pv' carry the bridge VLANs 'xv' (OVS xbundle_includes_vlan())? */
static bool
port_includes(struct xctx *x, const struct vsw_port_vlan *pv, const struct xtag *xv)
{
    uint16_t vid = tag_vid(x, &xv[0]);

    if (pv->mode == VSW_VLAN_ACCESS) {
        return vid == pv->vlan && tag_vid(x, &xv[1]) == 0;
    }
    return vsw_port_vlan_trunks(pv, vid);
}

/* Outputs to port 'i' with the tags its mode wants (OVS output_normal()). */
static void
output_normal(struct xctx *x, unsigned i, const struct xtag *xv)
{
    const struct vsw_port_vlan *pv = port_vlan(x->br, i);
    struct xtag saved[2], out[2];

    memcpy(out, xv, sizeof out);
    switch ((enum vsw_vlan_mode) pv->mode) {
    case VSW_VLAN_ACCESS:
        memset(out, 0, sizeof out);
        break;
    case VSW_VLAN_NATIVE_UNTAGGED:
        if (tag_vid(x, &out[0]) == pv->vlan) {
            out[0] = out[1];
            memset(&out[1], 0, sizeof out[1]);
        }
        break;
    case VSW_VLAN_TRUNK:
    case VSW_VLAN_NATIVE_TAGGED:
        break;
    }
    /* A tag of VID 0 and PCP 0 says nothing: OVS leaves it out. */
    for (int k = 1; k >= 0; k--) {
        if (out[k].present && !tag_vid(x, &out[k]) && !tag_pcp(x, &out[k])) {
            if (k == 0) {
                out[0] = out[1];
            }
            memset(&out[1], 0, sizeof out[1]);
        }
    }
    memcpy(saved, x->v.vlans, sizeof saved);
    memcpy(x->v.vlans, out, sizeof out);
    xlate_output(x, x->br->ofports[i]);
    memcpy(x->v.vlans, saved, sizeof saved);
}

/* ---- Addresses. ---- */

static bool
eth_is_reserved(const uint8_t m[6])
{
    static const uint8_t vendor[][6] = {
        { 0x00, 0xe0, 0x2b, 0x00, 0x00, 0x00 },   /* Extreme EDP. */
        { 0x00, 0xe0, 0x2b, 0x00, 0x00, 0x04 },   /* Extreme EAPS. */
        { 0x00, 0xe0, 0x2b, 0x00, 0x00, 0x06 },
        { 0x01, 0x00, 0x0c, 0x00, 0x00, 0x00 },   /* Cisco ISL. */
        { 0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcc },   /* CDP, VTP, DTP, PAgP, UDLD. */
        { 0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcd },   /* PVST+. */
        { 0x01, 0x00, 0x0c, 0xcd, 0xcd, 0xcd },   /* STP UplinkFast. */
    };

    if (m[0] == 0x01 && m[1] == 0x80 && m[2] == 0xc2 && m[3] == 0 && m[4] == 0
        && m[5] <= 0x0f) {
        return true;   /* STP, pause, LACP, LLDP, ... */
    }
    if (m[0] == 0x01 && m[1] == 0x00 && m[2] == 0x0c && m[3] == 0xcc && m[4] == 0xcc
        && (m[5] & 0xf8) == 0xc0) {
        return true;   /* Cisco CFM, 01:00:0c:cc:cc:c0..c7. */
    }
    for (size_t k = 0; k < sizeof vendor / sizeof vendor[0]; k++) {
        if (!memcmp(m, vendor[k], 6)) {
            return true;
        }
    }
    return false;
}

/* ---- NORMAL. ---- */

/* The pending learning of (mac, vlan), or NULL. */
static const struct xlate_learn_entry *
learn_find(const struct xlate_learn *l, const uint8_t mac[6], uint16_t vlan)
{
    for (unsigned i = 0; i < l->n; i++) {
        if (l->e[i].vlan == vlan && !memcmp(l->e[i].mac, mac, 6)) {
            return &l->e[i];
        }
    }
    return NULL;
}

/* Records that 'mac' is learned on (vlan, port): a later NORMAL of the same
 * translation moves an earlier entry of the pair (as OVS's table would). */
static void
learn_add(struct xlate_learn *l, const uint8_t mac[6], uint16_t vlan, uint32_t port)
{
    struct xlate_learn_entry *e = (struct xlate_learn_entry *) learn_find(l, mac, vlan);

    if (!e) {
        if (l->n >= XLATE_MAX_LEARN) {
            return;
        }
        e = &l->e[l->n++];
        e->vlan = vlan;
        memcpy(e->mac, mac, 6);
    }
    e->port = port;
}

static void
normal__(struct xctx *x)
{
    const struct vsw_flow *f = x->flow;
    const struct xlate_bridge *br = x->br;
    /* The addresses as the actions so far left them (OVS decides on its
     * flow as rewritten): a packet's own, or a rewrite's constant. */
    const uint8_t *src = x->v.dl_src, *dst = x->v.dl_dst;
    struct xtag xv[2];
    uint16_t vid, vlan;
    uint32_t out_port;
    int in;

    memset(x->wc->dl_src, 0xff, sizeof x->wc->dl_src);
    memset(x->wc->dl_dst, 0xff, sizeof x->wc->dl_dst);
    x->wc->vlan_tci |= BE16(VSW_VLAN_VID_MASK | VSW_VLAN_CFI);

    /* A controller's own packet (packet-out with in_port CONTROLLER or
     * none): OVS gives it a bundle of its own that trunks every VLAN and is
     * no port, so it is forwarded like any frame but never learned from. */
    static const struct vsw_port_vlan none_bundle = { .mode = VSW_VLAN_TRUNK,
                                                      .all_trunks = true };
    bool from_ctrl = f->in_port == VSW_OFPP_CONTROLLER || f->in_port == VSW_OFPP_NONE;

    in = port_index(br, f->in_port);
    if (in < 0 && !from_ctrl) {
        return;   /* No such port (any more): OVS "no input bundle". */
    }
    if (!x->v.vlans[0].present) {
        /* A VLAN ethertype without a whole tag: a malformed frame. */
        x->wc->dl_type = 0xffff;
        if (f->dl_type == BE16(VSW_ETH_TYPE_VLAN)
            || f->dl_type == BE16(VSW_ETH_TYPE_VLAN_8021AD)) {
            return;
        }
    }

    /* The VLAN the frame belongs to, if the port admits it. */
    const struct vsw_port_vlan *pv = from_ctrl ? &none_bundle : port_vlan(br, (unsigned) in);
    vid = tag_vid(x, &x->v.vlans[0]);
    switch ((enum vsw_vlan_mode) pv->mode) {
    case VSW_VLAN_ACCESS:
        if (vid) {
            return;
        }
        tag_for_vlan(&x->v.vlans[0], pv->vlan, &xv[0]);
        memset(&xv[1], 0, sizeof xv[1]);
        break;
    case VSW_VLAN_NATIVE_TAGGED:
    case VSW_VLAN_NATIVE_UNTAGGED:
        if (!vid) {
            tag_for_vlan(&x->v.vlans[0], pv->vlan, &xv[0]);
            xv[1] = x->v.vlans[1];
            break;
        }
        /* Fall through. */
    case VSW_VLAN_TRUNK:
        if (!vsw_port_vlan_trunks(pv, vid)) {
            return;
        }
        memcpy(xv, x->v.vlans, sizeof xv);
        break;
    default:
        return;
    }
    vlan = tag_vid(x, &xv[0]);

    if (eth_is_reserved(dst)) {
        return;
    }

    /* From here the result depends on the MAC table: say so, and whether
     * about the megaflow's own addresses (revalidation after a MAC change
     * looks at those) or, if an action rewrote one, about any. */
    x->out->xflags |= VSW_XLATE_READ_FDB | VSW_XLATE_READ_PORTS;
    if (memcmp(src, f->dl_src, 6) || memcmp(dst, f->dl_dst, 6)) {
        x->out->xflags |= VSW_XLATE_READ_FDB_ANY;
    }

    /* Learning: a request for the handler (and for this translation's
     * later NORMALs, see struct xlate_learn). */
    bool learns = !vsw_eth_is_multicast(src) && !from_ctrl;
    if (learns && x->learn) {
        learn_add(x->learn, src, vlan, f->in_port);
    }
    if (br->fdb_unavailable) {
        x->out->overflow = true;   /* Only the handler may read the MAC table. */
        return;
    }

    /* Where to. */
    bool known = false;
    if (!vsw_eth_is_multicast(dst)) {
        const struct xlate_learn_entry *e = NULL;
        struct xlate_learn_entry self;

        if (learns && !memcmp(dst, src, 6)) {
            self.vlan = vlan;
            self.port = f->in_port;
            memcpy(self.mac, src, 6);
            e = &self;
        } else if (x->learn) {
            e = learn_find(x->learn, dst, vlan);
        }
        if (e) {
            /* The learning that precedes the lookup in OVS (this NORMAL's
             * or an earlier one's) put the MAC on that port, unless a
             * static entry holds it elsewhere. */
            known = true;
            out_port = e->port;
            if (br->fdb && !vsw_fdb_would_move(br->fdb, e->mac, vlan, e->port)) {
                vsw_fdb_lookup(br->fdb, e->mac, vlan, &out_port);
            }
        } else if (br->fdb) {
            known = vsw_fdb_lookup(br->fdb, dst, vlan, &out_port);
        }
    }
    if (known) {
        int o = port_index(br, out_port);
        if (out_port != f->in_port && o >= 0) {
            xlate_trace_add(x, XEV_NORMAL, out_port, XNORMAL_LEARNED, NULL);
            output_normal(x, (unsigned) o, xv);
        } else {
            xlate_trace_add(x, XEV_NORMAL, out_port,
                            out_port == f->in_port ? XNORMAL_SAME_PORT : XNORMAL_DROP, NULL);
        }
        return;
    }
    xlate_trace_add(x, XEV_NORMAL, 0, XNORMAL_FLOOD, NULL);
    for (unsigned p = 0; p < br->n_ports; p++) {
        if (br->ofports[p] != f->in_port && port_includes(x, port_vlan(br, p), xv)) {
            output_normal(x, p, xv);
        }
    }
}

void
xlate_normal(struct xctx *x)
{
    unsigned n0 = x->trace ? x->trace->n : 0;

    normal__(x);
    if (x->trace) {
        for (unsigned i = n0; i < x->trace->n; i++) {
            if (x->trace->ev[i].kind == XEV_NORMAL) {
                return;
            }
        }
        /* Returned early: a frame NORMAL does not forward (reserved
         * multicast, a VLAN the port does not carry, no such port). */
        xlate_trace_add(x, XEV_NORMAL, 0, XNORMAL_DROP, NULL);
    }
}
