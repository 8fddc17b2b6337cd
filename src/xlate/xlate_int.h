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

#include "vsw/fields.h"
#include "vsw/match.h"
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
    /* What the actions ever wrote (dirty or committed): the packet's own
     * value of these no longer matters to a later lookup. */
    bool src_set, dst_set, nw_src_set, nw_dst_set, ipv6_src_set, ipv6_dst_set;
    bool label_set, tp_src_set, tp_dst_set;
    uint8_t tos_set;                /* Bits. */
    bool vlan_changed;              /* A VLAN action ran (else the tags are
                                     * the packet's own, all of them). */
    uint8_t ttl_total_dec;          /* Decrements of an unknown TTL, in all. */
};

struct xctx {
    const struct vsw_flow *flow;    /* The packet as it arrived (the megaflow's
                                     * key): decisions on a header the actions
                                     * did not rewrite read it, and un-wildcard
                                     * what they read in 'wc'. */
    struct vsw_flow *wc;
    struct vsw_odp_buf *out;
    struct xview v;                 /* The headers as the actions left them. */
    struct xtag base[2];            /* The tags as last committed. */
    const struct xlate_bridge *br;  /* Ports, their VLANs, the MAC table, groups. */
    struct xlate_learn *learn;      /* NORMAL's learning request, or NULL. */

    /* The pipeline (xlate_pipe.c). */
    const struct vsw_cls *cls;      /* The tables (NULL: none; a lookup misses). */
    struct vsw_pipe pipe;           /* Metadata and registers now. */
    const struct vsw_rule *rule;    /* Whose actions run (NULL: packet-out). */
    bool packet_out;                /* A packet-out's translation (the packet
                                     * has no RSS hash). */
    bool dp_hash_set;               /* A dp_hash select group ran: OVS
                                     * recirculated with this hash, and every
                                     * dp_hash group after it reads the same. */
    uint32_t dp_hash;
    uint8_t table_id;               /* Its table. */
    uint8_t depth;                  /* Nesting (resubmit to a table not above
                                     * the current one, group buckets). */
    uint8_t in_group;               /* In a bucket's own action list: a controller
                                     * action's reason is "group". */
    uint16_t lists;                 /* Action lists running (xlate_do_actions()
                                     * calls): more than 1 in a resubmit's,
                                     * goto_table's or bucket's list. */
    uint16_t resubmits;             /* Table lookups so far. */
    uint8_t error;                  /* enum xlate_error: set once, then every
                                     * action list stops and the result is a
                                     * drop. */
    struct xlate_deps *deps;        /* What was passed through, or NULL. */
    /* After a group bucket (xlate_group.c): header bits whose value the view
     * took back from the packet; the next commit that writes them un-
     * wildcards them (xlate_group_commit_wc()). */
    bool wc_pending_any;
    struct vsw_flow wc_pending;
    struct xlate_trace *trace;      /* NULL unless tracing. */
    uint8_t nest;                   /* Trace layout: levels of resubmit, goto
                                     * and group that more actions follow (as
                                     * ofproto/trace nests them). */
    bool tail;                      /* Nothing follows the current action
                                     * list (ofproto/trace's "last action"). */
};

/** Commits what changed since the last output, then outputs to 'port'. */
void xlate_output(struct xctx *x, uint32_t port);

/** Commits what changed since the last output, as masked sets and VLAN
 *  pushes/pops, so the next datapath action sees the packet as the actions
 *  left it (for a controller action, which is not an output). */
void xlate_commit(struct xctx *x);

/** Runs the action list 'acts' (the dispatcher of xlate.c): a rule's, a
 *  bucket's, a packet-out's.  Stops early on x->error or x->exit. */
void xlate_do_actions(struct xctx *x, const struct vsw_actions *acts);

/**
 * Writes into 'f' the packet's headers as the actions so far left them (the
 * original flow with the view's rewrites applied), for a table lookup or a
 * hash.  Bits whose value the translation does not know without reading the
 * packet (a decremented TTL, the rest of a rewritten VLAN tag) are taken
 * from the original flow and un-wildcarded.
 */
void xlate_current_flow(struct xctx *x, struct vsw_flow *f);

/** xlate_current_flow(), and in 'set' the bits whose value the actions
 *  wrote (so a decision on them does not depend on the packet). */
void xlate_view_flow(struct xctx *x, struct vsw_flow *f, struct vsw_flow *set);

/** Records that the translation passed 'c' (a rule, group or bucket). */
void xlate_add_dep(struct xctx *x, struct vsw_counted *c);

/** Appends a trace event (no-op unless tracing); returns it or NULL. */
struct xlate_trace_ev *xlate_trace_add(struct xctx *x, enum xlate_ev_kind kind,
                                       uint32_t idx, uint32_t arg, const void *obj);

/** OVS's resource check before a table lookup or a group: false (and
 *  x->error set, an XEV_ERROR traced) if a limit is hit. */
bool xlate_resource_check(struct xctx *x);

/* ---- The pipeline (xlate_pipe.c). ---- */

/** The rule of 'table' for the packet as the actions left it and the
 *  pipeline fields now, with in_port 'in_port' (for this lookup only).
 *  Un-wildcards what the lookup read of the packet, records the rule as a
 *  dependency, traces the lookup. */
const struct vsw_rule *xlate_lookup(struct xctx *x, uint32_t in_port, uint8_t table,
                                    enum xlate_lookup_why why);

/** Runs 'rule''s actions as its table's, one level deeper if 'deepens'. */
void xlate_run_rule(struct xctx *x, const struct vsw_rule *rule, bool deepens);

/** resubmit/goto_table: the resource check, xlate_lookup(), then the rule
 *  found, if any (a miss does nothing: OpenFlow 1.3's default). */
void xlate_table(struct xctx *x, uint32_t in_port, uint8_t table, enum xlate_lookup_why why);

/** Sets header field 'f' (one with a set_field action) to the OXM value
 *  'value' (f->width bytes, network order), as set_field would. */
void xlate_set_header_field(struct xctx *x, const struct vsw_field *f, const uint8_t *value);

/** write_metadata, load/set_field to pipeline fields, move: the pipeline
 *  field and register actions. */
void xlate_write_metadata(struct xctx *x, const struct vsw_action *a);
void xlate_load(struct xctx *x, const struct vsw_action *a);
void xlate_move(struct xctx *x, const struct vsw_action *a);

/* ---- Groups (xlate_group.c). ---- */

/** The group:ID action.  True if the group does not exist: as OVS, the
 *  rest of the current action list is then skipped. */
bool xlate_group(struct xctx *x, uint32_t group_id);

/** Before a commit: ORs into the megaflow mask the pending bits
 *  (wc_pending) of the fields about to be written with the packet's own
 *  value, then forgets them all. */
void xlate_group_commit_wc(struct xctx *x);

/* ---- The controller (xlate_controller.c). ---- */

/** The controller action 'a' of list 'acts' (its userdata is in the list's
 *  blob): commits, then emits a VSW_ODP_USERSPACE entry carrying what the
 *  packet-in needs (reason, table, cookie, pipeline fields, max_len). */
void xlate_controller(struct xctx *x, const struct vsw_action *a,
                      const struct vsw_actions *acts);

/** Whether the outer tag exists now (the packet's own: un-wildcards CFI). */
bool xlate_outer_tagged(struct xctx *x);

/** The NORMAL action (xlate_normal.c). */
void xlate_normal(struct xctx *x);

/** The FLOOD and ALL actions: every port but the ingress one. */
void xlate_flood(struct xctx *x);

#endif /* VSW_XLATE_INT_H */
