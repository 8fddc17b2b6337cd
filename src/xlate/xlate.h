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
 * Thread safety: pure function of its arguments; called by the handler
 * thread (and by a PMD whose upcall queue overflowed, in "inline" mode).
 * It never allocates.
 */

#include <stdint.h>

#include "actions/execute.h"
#include "vsw/actions.h"
#include "vsw/flow.h"
#include "vsw/odp.h"

/** Translates 'acts' (NULL: no rule, drop) for 'flow' into 'out' (cleared
 *  first); ORs the fields consulted into 'wc'.  'ports' lists every
 *  OpenFlow port of the switch (for "all").  If the result does not fit,
 *  'out->overflow' is set. */
void xlate_actions(const struct vsw_actions *acts, const struct vsw_flow *flow,
                   const uint32_t *ports, unsigned n_ports,
                   struct vsw_odp_buf *out, struct vsw_flow *wc);

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

#endif /* VSW_XLATE_H */
