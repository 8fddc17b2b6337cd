/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_XLATE_INT_H
#define VSW_XLATE_INT_H 1

/*
 * The translation's working state, shared by the files of src/xlate/ that
 * translate actions (xlate.c: the action loop, the header view and the
 * commit; xlate_normal.c: NORMAL and FLOOD).  Not for use outside them.
 *
 * Thread safety: a struct xctx lives on the stack of one translation.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>

#include "xlate/xlate.h"

#define BE16(x) rte_cpu_to_be_16(x)

/* A VLAN tag as the translation knows it.  A tag the packet brought has a
 * TPID the flow key does not hold (0x8100 or 0x88a8), and a TCI the
 * translation must not depend on: only the bits that actions wrote
 * ('known') have a value. */
struct xtag {
    bool present;
    bool from_pkt;       /* The packet's own tag (TPID unknown here). */
    uint16_t tpid;       /* be16; for a pushed tag. */
    uint16_t tci;        /* be16, CFI set; valid under 'known'. */
    uint16_t known;      /* be16: TCI bits with a value (all for a pushed tag). */
};

/* The headers as the actions want them.  The '*_dirty' flags say what
 * changed since the last commit. */
struct xview {
    uint8_t dl_src[6], dl_dst[6];
    bool src_dirty, dst_dirty;
    struct xtag vlans[2];           /* [0] is the outer tag. */
    uint32_t nw_src, nw_dst;        /* be32 */
    bool nw_src_dirty, nw_dst_dirty;
    uint8_t ipv6_src[16], ipv6_dst[16];
    bool ipv6_src_dirty, ipv6_dst_dirty;
    uint32_t label;                 /* be32 */
    bool label_dirty;
    uint8_t tos, tos_dirty;         /* 'tos_dirty': the bits written. */
    uint8_t ttl;                    /* If 'ttl_known'. */
    bool ttl_known, ttl_dirty;
    uint8_t ttl_dec;                /* Else: decrements since the last commit, */
    uint8_t ttl_check;              /* and the packet goes no further if its TTL
                                     * is at most this at the commit. */
    uint16_t tp_src, tp_dst;        /* be16 */
    bool tp_src_dirty, tp_dst_dirty;
};

struct xctx {
    const struct vsw_flow *flow;
    struct vsw_flow *wc;
    struct vsw_odp_buf *out;
    struct xview v;
    struct xtag base[2];            /* The tags as last committed. */
    const struct xlate_bridge *br;  /* Ports, their VLANs, the MAC table. */
    struct xlate_learn *learn;      /* NORMAL's learning request, or NULL. */
};

/** Commits what changed since the last output, then outputs to 'port'. */
void xlate_output(struct xctx *x, uint32_t port);

/** Whether the outer tag exists now (the packet's own: un-wildcards CFI). */
bool xlate_outer_tagged(struct xctx *x);

/** The NORMAL action (xlate_normal.c). */
void xlate_normal(struct xctx *x);

/** The FLOOD and ALL actions: every port but the ingress one. */
void xlate_flood(struct xctx *x);

#endif /* VSW_XLATE_INT_H */
