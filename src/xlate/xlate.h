/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_XLATE_H
#define VSW_XLATE_H 1

/*
 * Translation: OpenFlow actions for a flow -> datapath actions (vsw/odp.h).
 *
 * What: given the rule a flow matched and the flow itself, xlate_actions()
 * runs the rule's OpenFlow actions on a model of the packet's headers (the
 * "view"), exactly with Open vSwitch's semantics (each rewrite only where
 * its header exists, an output to the ingress port skipped unless it is
 * "in_port", dec_ttl ending the list at TTL 0 or 1, at most two VLAN tags
 * tracked), and at every output "commits" what changed since the previous
 * output as masked datapath sets, VLAN pops/pushes and the output itself.
 *
 * Why: the PMD then executes a short flat list with every flow-dependent
 * decision already taken (no OpenFlow on the fast path), and the same
 * translation can be re-run for a cached megaflow (revalidation) or shown
 * step by step (trace) without touching a packet.
 *
 * Wildcards: every flow field a decision read is OR-ed into 'wc' (dl_type
 * and nw_proto for an L3/L4 rewrite, the TTL for dec_ttl, the tag's CFI bit
 * for a VLAN action...), so the megaflow built from the rule lookup's
 * wildcards plus these is correct for every packet it matches (DESIGN.md
 * §3).  Rewritten fields are not un-wildcarded: the datapath sets are
 * masked writes whose result does not depend on the old value.
 *
 * NORMAL (xlate_normal.c) also reads the ports' VLAN configuration and the
 * MAC table; its learning is returned as a request (struct xlate_learn)
 * that only the handler applies, so trace and revalidation translate
 * without side effects.
 *
 * Thread safety: pure function of its arguments; called by the handler
 * thread (and by a PMD whose upcall queue overflowed, in "inline" mode,
 * which may not read the MAC table: xlate_bridge.fdb_unavailable), and by
 * the control thread for trace and revalidation.  Whoever passes a MAC
 * table holds its lock.  It never allocates.
 */

#include <stdint.h>

#include "actions/execute.h"
#include "classifier/rule.h"
#include "vsw/actions.h"
#include "vsw/flow.h"
#include "vsw/odp.h"

struct vsw_fdb;
struct vsw_groups;
struct vsw_port_vlan;

/**
 * What a translation knows of the bridge besides its rules: the ports (for
 * ALL, FLOOD and NORMAL), their VLAN configuration and the MAC table.
 */
struct xlate_bridge {
    const uint32_t *ofports;             /* Every OpenFlow port. */
    const struct vsw_port_vlan *vlans;   /* Their VLAN configuration (same
                                          * order); NULL: all trunks. */
    unsigned n_ports;
    const struct vsw_fdb *fdb;           /* The MAC table, locked by the caller
                                          * for the whole translation; NULL:
                                          * an empty one. */
    const struct vsw_groups *groups;     /* The group table (vsw/group.h);
                                          * NULL: no groups. */
    const uint8_t *live;                 /* Per port (same order as ofports):
                                          * link up?  NULL: all up.  For
                                          * fast_failover's watch_port. */
    bool fdb_unavailable;                /* The caller may not read the MAC
                                          * table (a PMD translating for itself):
                                          * a NORMAL sets 'overflow' in the
                                          * output, so nothing is cached and the
                                          * packet is dropped, counted. */
};

/**
 * NORMAL's side effect, kept out of the translation itself: what the
 * handler should teach the MAC table (vsw_fdb_learn()) for this packet, in
 * order.  A pipeline may run NORMAL several times for one packet (after a
 * resubmit, with the source MAC or the VLAN rewritten in between): OVS
 * learns at each one, and each later NORMAL already sees what the earlier
 * ones learned, so the translation keeps one entry per (MAC, VLAN) and its
 * own lookups consult them first.  Past XLATE_MAX_LEARN distinct pairs the
 * rest are not learned.  Trace and revalidation translate without learning.
 */
#define XLATE_MAX_LEARN 8

struct xlate_learn_entry {
    uint16_t vlan;       /* The packet's VLAN inside the bridge. */
    uint32_t port;       /* The ingress port. */
    uint8_t mac[6];      /* The source MAC. */
};

struct xlate_learn {
    unsigned n;          /* Entries: NORMALs whose source may be learned. */
    struct xlate_learn_entry e[XLATE_MAX_LEARN];
};

/** Translates 'acts' (NULL: no rule, drop) for 'flow' into 'out' (cleared
 *  first); ORs the fields consulted into 'wc'.  'ports' lists every
 *  OpenFlow port of the switch (for "all"), all trunks, with an empty MAC
 *  table.  If the result does not fit, 'out->overflow' is set. */
void xlate_actions(const struct vsw_actions *acts, const struct vsw_flow *flow,
                   const uint32_t *ports, unsigned n_ports,
                   struct vsw_odp_buf *out, struct vsw_flow *wc);

/** xlate_actions() on bridge 'br'; NORMAL's learning request goes to
 *  'learn' (may be NULL; set 'learn->n' to 0 first). */
void xlate_actions_br(const struct vsw_actions *acts, const struct vsw_flow *flow,
                      const struct xlate_bridge *br, struct vsw_odp_buf *out,
                      struct vsw_flow *wc, struct xlate_learn *learn);

/* What one OpenFlow action did, for `vswctl trace`. */
enum xlate_step_result {
    XLATE_EMITTED,      /* Datapath actions odp[start, end) came from it. */
    XLATE_PENDING,      /* Changed the headers; committed at the next output. */
    XLATE_NO_EFFECT,    /* Nothing, for this flow (e.g. no such header). */
    XLATE_STOPPED,      /* dec_ttl of a TTL of 0 or 1: the list ends here. */
    XLATE_PIPE_SET,     /* Changed metadata or registers only. */
};

/* Why a translation gave up (OVS's limits, ofproto-dpif-xlate.c): the
 * packet is then dropped, all of it, and the drop counted by reason. */
enum xlate_error {
    XLATE_OK,
    XLATE_RECURSION_TOO_DEEP,   /* Over XLATE_MAX_DEPTH nested resubmits. */
    XLATE_TOO_MANY_RESUBMITS,   /* Over XLATE_MAX_RESUBMITS table lookups. */
    XLATE_TOO_MANY_DEPS,        /* Passed more rules/groups than a megaflow can
                                 * credit: executed, not cached (not a drop). */
    XLATE_N_ERRORS
};
#define XLATE_MAX_DEPTH 64
#define XLATE_MAX_RESUBMITS (XLATE_MAX_DEPTH * XLATE_MAX_DEPTH)

/** Short name of an error ("recursion_too_deep", ...). */
const char *xlate_error_name(enum xlate_error e);

/** What a translation passed through, in order: the rules it matched (the
 *  table-0 rule first), and the groups and buckets it used.  A megaflow
 *  credits its packets to each and is revalidated when one dies. */
struct xlate_deps {
    unsigned n;
    bool overflow;                          /* More than VSW_MAX_DEPS. */
    uint64_t tables[4];                     /* Tables looked up after the first
                                             * lookup (a bitmap), for
                                             * revalidation (dpcls.h). */
    struct vsw_counted *d[VSW_MAX_DEPS];
};

/*
 * A translation's trace: one event per table lookup, action, group, bucket,
 * NORMAL decision, controller action or error, in order, each with the
 * nesting depth it happened at (resubmit and group buckets nest), for
 * `vswctl trace` to print as `ovs-appctl ofproto/trace` does.
 */
enum xlate_ev_kind {
    XEV_TABLE,       /* Lookup in 'table' (arg: enum xlate_lookup_why); obj:
                      * the rule matched, NULL for a miss. */
    XEV_ACTION,      /* Action 'idx' of list 'obj' (struct vsw_actions):
                      * 'result' (enum xlate_step_result), datapath bytes
                      * [start, end). */
    XEV_GROUP,       /* Group 'idx'; obj: the group; arg: the bucket index
                      * chosen (UINT32_MAX: none, e.g. none live). */
    XEV_BUCKET,      /* Entering bucket 'idx' (bucket_id) of the group. */
    XEV_NORMAL,      /* NORMAL: arg enum xlate_normal_why, idx the port. */
    XEV_CONTROLLER,  /* To the controller: idx reason, arg max_len. */
    XEV_ERROR,       /* Gave up: idx enum xlate_error. */
};
enum xlate_lookup_why { XLOOKUP_START, XLOOKUP_RESUBMIT, XLOOKUP_GOTO };
enum xlate_normal_why {
    XNORMAL_LEARNED,     /* Destination known: output to port 'idx'. */
    XNORMAL_FLOOD,       /* Unknown or multicast destination: flooded. */
    XNORMAL_SAME_PORT,   /* Learned on the ingress port: dropped. */
    XNORMAL_DROP,        /* Dropped (reserved MAC, VLAN not carried...). */
};
struct xlate_trace_ev {
    uint8_t kind;        /* enum xlate_ev_kind. */
    uint8_t depth;       /* Nesting: 0 for table 0's rule. */
    uint8_t result;      /* XEV_ACTION: enum xlate_step_result. */
    uint8_t table;       /* The table whose rule was running. */
    uint16_t start, end; /* XEV_ACTION: datapath bytes it emitted. */
    uint32_t idx;
    uint32_t arg;
    const void *obj;
};
#define XLATE_TRACE_MAX 1024
struct xlate_trace {
    unsigned n;                  /* Events recorded. */
    bool truncated;              /* More happened than XLATE_TRACE_MAX. */
    struct xlate_trace_ev ev[XLATE_TRACE_MAX];
};

struct vsw_cls;
struct vsw_rule;

/** What xlate_flow() found besides the datapath actions. */
struct xlate_result {
    const struct vsw_rule *rule;   /* Table 0's rule (NULL: miss). */
    enum xlate_error error;        /* XLATE_OK, or why it gave up. */
};

/**
 * The slow path's whole answer for 'flow': the rules it passes through in
 * 'cls', starting at table 0, its datapath actions in 'out', and in 'mask'
 * the megaflow mask (every lookup's wildcards, what the translation read,
 * in_port and the fragment bit).  NORMAL's learning request goes to 'learn'
 * (may be NULL), the rules, groups and buckets passed to 'deps' (may be
 * NULL).  With 'trace' non-NULL every step is recorded.
 */
struct xlate_result xlate_flow(const struct vsw_cls *cls, const struct xlate_bridge *br,
                               const struct vsw_flow *flow, struct vsw_odp_buf *out,
                               struct vsw_flow *mask, struct xlate_learn *learn,
                               struct xlate_deps *deps, struct xlate_trace *trace);

/**
 * Translates the action list 'acts' for 'flow' as a packet-out does (no
 * rule: the actions run as if in table 0; resubmit and goto reach the
 * tables of 'cls'); 'flow->in_port' may be VSW_OFPP_CONTROLLER.  Same
 * outputs as xlate_flow().
 */
enum xlate_error xlate_packet_out(const struct vsw_cls *cls, const struct xlate_bridge *br,
                                  const struct vsw_flow *flow, const struct vsw_actions *acts,
                                  struct vsw_odp_buf *out, struct vsw_flow *mask,
                                  struct xlate_learn *learn, struct xlate_trace *trace);

/**
 * Translates 'acts' for 'flow' and executes the result on 'm' (parsed into
 * 'flow' and 'layout'): what happens to the first packet of a flow.  For
 * tests and fuzzing, which check OpenFlow semantics on packets; the PMD
 * executes cached datapath actions instead.
 */
void xlate_execute(const struct vsw_actions *acts, struct rte_mbuf *m,
                   const struct vsw_flow *flow, const struct vsw_layout *layout,
                   const uint32_t *ports, unsigned n_ports, const struct vsw_exec_env *env,
                   struct vsw_exec_out *outs, unsigned *n_outs, unsigned max_outs,
                   struct vsw_exec_stats *stats);

/**
 * True if the megaflow ('key', 'mask') -> (dependencies 'deps', datapath
 * actions 'acts' of 'len' bytes) is still what 'cls' and the bridge give:
 * translating its key again passes the same rules, groups and buckets,
 * yields the same actions and reads no bit outside 'mask'
 * (so every packet the megaflow matches takes the same path), and its
 * packets would not move a MAC in the MAC table (they would have to be
 * learned from, which only an upcall does).  The test revalidation applies
 * to each cached megaflow after a rule or MAC table change.
 */
bool xlate_megaflow_valid(const struct vsw_cls *cls, const struct xlate_bridge *br,
                          const struct vsw_flow *key, const struct vsw_flow *mask,
                          struct vsw_counted *const *deps, unsigned n_deps,
                          const uint8_t *acts, uint16_t len);

#endif /* VSW_XLATE_H */
