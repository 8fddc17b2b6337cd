/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_L2_FDB_H
#define VSW_L2_FDB_H 1

/*
 * The MAC table (forwarding database) of the bridge: (VLAN, MAC) -> port,
 * learned by the NORMAL action, with Open vSwitch's policy (lib/mac-learning).
 *
 * Policy:
 *  - Learning: a unicast source MAC seen on a port in a VLAN is learned or
 *    refreshed there; seen on another port, it moves (counted).  A static
 *    entry (fdb-add) never moves and never ages.
 *  - Aging: an entry not refreshed for 'idle' seconds (default 300) goes
 *    (vsw_fdb_run(), called once a second by the control thread).
 *  - Size: at most 'max' entries (default 8192).  A new MAC on a full table
 *    evicts the least recently refreshed entry of the port that holds the
 *    most entries (OVS's "fair" eviction: a flood of random source MACs on
 *    one port evicts that port's own entries, not everybody's), counted.
 *  - Gratuitous ARP lock: a gratuitous ARP (request with SPA == TPA, or a
 *    broadcast reply) locks its entry for 5 seconds, during which gratuitous
 *    ARPs arriving on bond ports do not move it (they are the same ARP
 *    reflected back by a bond).  vsw has no bonds, so the lock only changes
 *    learning for callers that say is_bond; it is kept, tested and shown so
 *    bonds can rely on it.
 *  - Every change of where a MAC goes (learned, moved, aged, evicted,
 *    flushed, static added or deleted) is logged as (VLAN, MAC) for the
 *    control thread, which revalidates the megaflows that may depend on
 *    it; vsw_fdb_set_notify() rings it when the log becomes non-empty.
 *
 * Thread safety: never touched by a PMD.  The handler thread (learning as
 * a side effect of translating an upcall, lookups during translation) and
 * the control thread (commands, aging, revalidation's translations) share
 * it under its mutex: every function below except create/destroy/
 * set_clock/set_notify requires the caller to hold vsw_fdb_lock().  A
 * translation holds the lock throughout, so its lookups and its learning
 * see one state.  The mutex is the only lock; the notify callback is
 * called with it held and must not take it.
 *
 * Time is whole seconds from a clock the caller may inject (unit tests use
 * a fake one); by default CLOCK_MONOTONIC.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VSW_FDB_DEFAULT_MAX 8192
#define VSW_FDB_DEFAULT_IDLE 300
#define VSW_FDB_IDLE_MIN 15      /* OVS's range for mac-aging-time. */
#define VSW_FDB_IDLE_MAX 3600
#define VSW_FDB_MAX_MAX (1u << 20)
#define VSW_FDB_GARP_LOCK 5      /* Seconds (OVS MAC_GRAT_ARP_LOCK_TIME). */

struct vsw_fdb;

/** Counters, OVS's fdb/stats-show. */
struct vsw_fdb_stats {
    unsigned n, n_static, max, idle;  /* Entries now, of them static, limit, aging. */
    uint64_t learned;                 /* New dynamic entries. */
    uint64_t expired;                 /* Aged out. */
    uint64_t evicted;                 /* Evicted because the table was full. */
    uint64_t moved;                   /* Moved to another port. */
    uint64_t static_none_move;        /* A static MAC seen on another port. */
    uint64_t changes;                 /* Changes logged (lost ones included). */
};

/** One entry, for fdb-show. */
struct vsw_fdb_info {
    uint32_t port;
    uint16_t vlan;
    uint8_t mac[6];
    bool is_static;
    int age;                          /* Seconds since last refreshed. */
    bool garp_locked;
};

/** A (VLAN, MAC) whose forwarding changed. */
struct vsw_fdb_change {
    uint16_t vlan;
    uint8_t mac[6];
};

/** Creates a table of at most 'max' entries aging after 'idle' seconds
 *  (both >= 1); NULL if out of memory. */
struct vsw_fdb *vsw_fdb_create(unsigned max, unsigned idle);
void vsw_fdb_destroy(struct vsw_fdb *);

/** Replaces the clock (seconds); before any other use. */
void vsw_fdb_set_clock(struct vsw_fdb *, int64_t (*now)(void *aux), void *aux);

/** Called (lock held) when the change log goes from empty to non-empty. */
void vsw_fdb_set_notify(struct vsw_fdb *, void (*notify)(void *aux), void *aux);

void vsw_fdb_lock(struct vsw_fdb *);
void vsw_fdb_unlock(struct vsw_fdb *);

/** True if 'mac' is multicast (group bit): never learned, never looked up. */
static inline bool
vsw_eth_is_multicast(const uint8_t mac[6])
{
    return mac[0] & 1;
}

/** The port of (vlan, mac); false if unknown or multicast. */
bool vsw_fdb_lookup(const struct vsw_fdb *, const uint8_t mac[6], uint16_t vlan,
                    uint32_t *port);

/** True if learning (vlan, mac) on 'port' would change where the MAC goes
 *  (absent, or a dynamic entry on another port).  What revalidation asks:
 *  a megaflow whose packets would move a MAC must go back to the handler. */
bool vsw_fdb_would_move(const struct vsw_fdb *, const uint8_t mac[6], uint16_t vlan,
                        uint32_t port);

/**
 * Learns that 'mac' was seen on 'port' in 'vlan' (OVS mac_learning_update):
 * inserts or refreshes the entry, sets the GARP lock for a gratuitous ARP
 * from a non-bond port, and moves it unless it is static or (a gratuitous
 * ARP from a bond port) locked.  Returns true if where the MAC goes changed.
 */
bool vsw_fdb_learn(struct vsw_fdb *, const uint8_t mac[6], uint16_t vlan, uint32_t port,
                   bool is_grat_arp, bool is_bond);

/** Adds or converts to a static entry; 0, EINVAL (multicast) or ENOSPC. */
int vsw_fdb_add_static(struct vsw_fdb *, const uint8_t mac[6], uint16_t vlan, uint32_t port);

/** Deletes a static entry; false if there is none. */
bool vsw_fdb_del_static(struct vsw_fdb *, const uint8_t mac[6], uint16_t vlan);

/** Seconds until the next dynamic entry ages out (INT64_MAX if none). */
int64_t vsw_fdb_next_expiry(const struct vsw_fdb *);

/** Ages out expired entries (and any beyond the limit); returns how many. */
unsigned vsw_fdb_run(struct vsw_fdb *);

/** Removes the dynamic entries (of 'port' only if 'one_port'); and with
 *  'with_static' the static ones too (a deleted or reconfigured port).
 *  Returns how many. */
unsigned vsw_fdb_flush(struct vsw_fdb *, bool one_port, uint32_t port, bool with_static);

void vsw_fdb_get_stats(const struct vsw_fdb *, struct vsw_fdb_stats *);

/** Copies up to 'max' entries, least recently refreshed first; returns the
 *  number of entries in the table. */
size_t vsw_fdb_dump(const struct vsw_fdb *, struct vsw_fdb_info *out, size_t max);

/** The table's generation: it changes whenever where some MAC goes does
 *  (learned, moved, aged, flushed, static entries).  Any thread, no lock:
 *  a PMD compares the generation a translation saw with the current one
 *  before it caches the result. */
uint64_t vsw_fdb_gen(const struct vsw_fdb *);

/** Takes up to 'max' logged changes; '*overflow' says some were lost (the
 *  caller must then assume every MAC changed).  Returns how many. */
size_t vsw_fdb_take_changes(struct vsw_fdb *, struct vsw_fdb_change *out, size_t max,
                            bool *overflow);

#endif /* VSW_L2_FDB_H */
