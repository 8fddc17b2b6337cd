/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_PACKET_IN_H
#define VSW_PACKET_IN_H 1

/*
 * Packet-in delivery: from the PMDs' packet-in queues (pmd/pin_queue.h) to
 * the `vswctl monitor` subscribers of the control socket (ctl/monitor.c).
 *
 * Who: the control thread.  It owns the subscribers (the control server is
 * single-threaded by design, ctl_server.h), so handing records to it from
 * the handler would only add a second queue; and the handler's latency
 * matters for every new flow, which formatting packet-ins as text must not
 * add to.  The control thread is woken for packet-ins by a doorbell
 * (eventfd) that a PMD rings only when the control thread may be asleep in
 * epoll (vsw_pin_prepare_wait() / pin_kick() in pmd.c), so a busy PMD pays
 * one fence per iteration that queued packet-ins, and a write(2) at most
 * once per sleep.
 *
 * What happens to a record, in order (each counted, `vswctl controller-stats`):
 *  - no monitor subscribed: dropped ("no subscriber");
 *  - over the rate limit: dropped ("rate limited").  A token bucket as
 *    OVS's controller_rate_limit / controller_burst_limit: 'rate' packet-ins
 *    a second on average, bursts of up to 'burst'; rate 0 means no limit;
 *  - else formatted as `ovs-ofctl -O OpenFlow13 monitor br0 65534` prints
 *    the NXT_PACKET_IN2 OVS 3.1 sends (vsw_pin_format()) and published to
 *    every monitor (whose own buffer may still drop it: ctl-stats).
 * Drops in the PMDs (queue full) are in pmd-stats and summed here.
 *
 * Thread safety: control thread only, but vsw_pin_format() (pure).
 */

#include <stddef.h>
#include <stdint.h>

#include "ruleset.h"
#include "util.h"
#include "vsw/odp.h"

struct vsw_dp;
struct vsw_ctl;

#define VSW_PIN_DEFAULT_RATE 1000u   /* Packet-ins a second. */
#define VSW_PIN_MIN_BURST 25u        /* OVS: the burst is rate/4, at least 25. */

/** Sets up delivery for 'dp': the doorbell and the rate limit ('rate' per
 *  second, 0: none; 'burst' 0: rate / 4, at least VSW_PIN_MIN_BURST). */
int vsw_pin_setup(struct vsw_dp *dp, uint32_t rate, uint32_t burst, char *err, size_t err_size);

/** The doorbell for vsw_ctl_watch_eventfd(). */
int vsw_pin_eventfd(void);

/** Before the control thread blocks: returns the epoll timeout to use
 *  (0 if packet-ins wait already, else 'timeout_ms'). */
int vsw_pin_prepare_wait(struct vsw_dp *dp, int timeout_ms);

/** Drains every PMD's packet-in queue and delivers to 'ctl''s monitors. */
void vsw_pin_run(struct vsw_dp *dp, struct vsw_ctl *ctl);

/** Frees what the queues still hold and the doorbell. */
void vsw_pin_destroy(struct vsw_dp *dp);

/** Appends the packet-in ('pin', the packet 'pkt' of 'len' bytes) as
 *  `ovs-ofctl -O OpenFlow13 monitor` prints it, lines ending in '\n'. */
void vsw_pin_format(const struct vsw_odp_pin *pin, const uint8_t *pkt, uint32_t len,
                    struct vsw_buf *out);

/** Appends the packet as OVS's ofp_packet_to_string() does (one line). */
void vsw_pin_format_packet(const uint8_t *pkt, uint32_t len, struct vsw_buf *out);

/** Appends OpenFlow port 'port' as OVS prints it (1, LOCAL, CONTROLLER, ANY...). */
void vsw_pin_format_port(uint32_t port, struct vsw_buf *out);

/*
 * Flow removals: a rule with send_flow_rem that expires or is deleted is
 * reported to the monitors as `ovs-ofctl -O OpenFlow13 monitor` prints an
 * OFPT_FLOW_REMOVED (struct vsw_ruleset.removed; not rate-limited, as OVS
 * does not limit them).
 */

/** Appends the removal of 'r' ('reason' enum vsw_rule_removed, after
 *  'age_ms') as OVS prints it, one line. */
void vsw_flow_removed_format(const struct vsw_rule *r, unsigned reason, uint64_t age_ms,
                             struct vsw_buf *out);

/** The ruleset's removal hook: 'ctl' is the struct vsw_ctl. */
void vsw_flow_removed_publish(void *ctl, const struct vsw_rule *r,
                              enum vsw_rule_removed reason);

#endif /* VSW_PACKET_IN_H */
