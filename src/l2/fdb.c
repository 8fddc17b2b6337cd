/* SPDX-License-Identifier: Apache-2.0 */
/* The MAC table; see fdb.h for the policy and the locking. */

#include "l2/fdb.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NIL UINT32_MAX
#define STATIC_EXPIRES INT64_MAX
#define MAX_PORT_SLOTS 256        /* Distinct ports holding entries at once. */
#define CHANGE_LOG 1024

/* Entries live in one array and link by index: a hash chain, the global
 * LRU list (refresh order) and their port's LRU list. */
struct entry {
    uint8_t mac[6];
    uint16_t vlan;
    uint32_t port;
    bool used;
    int64_t expires;              /* STATIC_EXPIRES for a static entry. */
    int64_t garp_lock;            /* Locked while now < garp_lock. */
    uint32_t hnext;               /* Hash chain. */
    uint32_t prev, next;          /* Global LRU (head: least recent). */
    uint32_t pprev, pnext;        /* Port LRU. */
    uint16_t slot;                /* Its port slot. */
};

/* A port that holds entries: how many, and its LRU list. */
struct port_slot {
    uint32_t port;
    uint32_t count;               /* 0: slot free. */
    uint32_t head, tail;
};

struct vsw_fdb {
    pthread_mutex_t mu;
    struct entry *e;              /* 'max' entries. */
    uint32_t *buckets;            /* 'mask' + 1 chain heads. */
    uint32_t mask;
    uint32_t free_head;           /* Free entries, chained by 'hnext'. */
    uint32_t head, tail;          /* Global LRU. */
    unsigned max, idle, n, n_static;
    struct port_slot slots[MAX_PORT_SLOTS];
    struct vsw_fdb_stats st;
    int64_t (*now)(void *);
    void *now_aux;
    void (*notify)(void *);
    void *notify_aux;
    struct vsw_fdb_change log[CHANGE_LOG];
    size_t n_log;
    bool log_overflow;
    uint64_t gen;                 /* Bumped at every change (atomic stores:
                                   * PMDs read it without the lock). */
};

static int64_t
mono_seconds(void *aux)
{
    struct timespec ts;

    (void) aux;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec;
}

struct vsw_fdb *
vsw_fdb_create(unsigned max, unsigned idle)
{
    struct vsw_fdb *f;
    uint32_t nb = 16;

    if (!max || !idle || max > VSW_FDB_MAX_MAX) {
        return NULL;
    }
    f = calloc(1, sizeof *f);
    if (!f) {
        return NULL;
    }
    while (nb < 2 * max) {
        nb *= 2;
    }
    f->e = calloc(max, sizeof *f->e);
    f->buckets = malloc(nb * sizeof *f->buckets);
    if (!f->e || !f->buckets) {
        free(f->e);
        free(f->buckets);
        free(f);
        return NULL;
    }
    memset(f->buckets, 0xff, nb * sizeof *f->buckets);
    f->mask = nb - 1;
    for (uint32_t i = 0; i < max; i++) {
        f->e[i].hnext = i + 1 < max ? i + 1 : NIL;
    }
    f->free_head = 0;
    f->head = f->tail = NIL;
    f->max = max;
    f->idle = idle;
    f->now = mono_seconds;
    pthread_mutex_init(&f->mu, NULL);
    return f;
}

void
vsw_fdb_destroy(struct vsw_fdb *f)
{
    if (f) {
        pthread_mutex_destroy(&f->mu);
        free(f->e);
        free(f->buckets);
        free(f);
    }
}

void
vsw_fdb_set_clock(struct vsw_fdb *f, int64_t (*now)(void *aux), void *aux)
{
    f->now = now;
    f->now_aux = aux;
}

void
vsw_fdb_set_notify(struct vsw_fdb *f, void (*notify)(void *aux), void *aux)
{
    f->notify = notify;
    f->notify_aux = aux;
}

void
vsw_fdb_lock(struct vsw_fdb *f)
{
    pthread_mutex_lock(&f->mu);
}

void
vsw_fdb_unlock(struct vsw_fdb *f)
{
    pthread_mutex_unlock(&f->mu);
}

static int64_t
now(const struct vsw_fdb *f)
{
    return f->now(f->now_aux);
}

static uint32_t
hash(const struct vsw_fdb *f, const uint8_t mac[6], uint16_t vlan)
{
    uint64_t k = (uint64_t) mac[0] << 40 | (uint64_t) mac[1] << 32 | (uint64_t) mac[2] << 24
                 | (uint64_t) mac[3] << 16 | (uint64_t) mac[4] << 8 | mac[5];

    k ^= (uint64_t) vlan << 48;
    k *= 0x9e3779b97f4a7c15ull;
    return (uint32_t) (k >> 32) & f->mask;
}

static uint32_t
find(const struct vsw_fdb *f, const uint8_t mac[6], uint16_t vlan)
{
    for (uint32_t i = f->buckets[hash(f, mac, vlan)]; i != NIL; i = f->e[i].hnext) {
        if (f->e[i].vlan == vlan && !memcmp(f->e[i].mac, mac, 6)) {
            return i;
        }
    }
    return NIL;
}

static void
log_change(struct vsw_fdb *f, const struct entry *e)
{
    f->st.changes++;
    __atomic_store_n(&f->gen, f->gen + 1, __ATOMIC_RELEASE);
    if (f->n_log == CHANGE_LOG) {
        f->log_overflow = true;
        return;
    }
    bool was_empty = !f->n_log && !f->log_overflow;
    f->log[f->n_log].vlan = e->vlan;
    memcpy(f->log[f->n_log].mac, e->mac, 6);
    f->n_log++;
    if (was_empty && f->notify) {
        f->notify(f->notify_aux);
    }
}

/* ---- Lists. ---- */

static void
lru_unlink(struct vsw_fdb *f, uint32_t i)
{
    struct entry *e = &f->e[i];

    if (e->prev != NIL) {
        f->e[e->prev].next = e->next;
    } else {
        f->head = e->next;
    }
    if (e->next != NIL) {
        f->e[e->next].prev = e->prev;
    } else {
        f->tail = e->prev;
    }
}

static void
lru_push_back(struct vsw_fdb *f, uint32_t i)
{
    struct entry *e = &f->e[i];

    e->next = NIL;
    e->prev = f->tail;
    if (f->tail != NIL) {
        f->e[f->tail].next = i;
    } else {
        f->head = i;
    }
    f->tail = i;
}

static void
port_unlink(struct vsw_fdb *f, uint32_t i)
{
    struct entry *e = &f->e[i];
    struct port_slot *s = &f->slots[e->slot];

    if (e->pprev != NIL) {
        f->e[e->pprev].pnext = e->pnext;
    } else {
        s->head = e->pnext;
    }
    if (e->pnext != NIL) {
        f->e[e->pnext].pprev = e->pprev;
    } else {
        s->tail = e->pprev;
    }
    s->count--;
}

/* Appends entry 'i' to the LRU list of 'port'; false if no slot is free
 * (more than MAX_PORT_SLOTS ports hold entries: cannot happen with
 * VSW_MAX_PORTS ports). */
static bool
port_push_back(struct vsw_fdb *f, uint32_t i, uint32_t port)
{
    struct port_slot *s = NULL, *free_slot = NULL;
    struct entry *e = &f->e[i];

    for (unsigned k = 0; k < MAX_PORT_SLOTS; k++) {
        if (f->slots[k].count && f->slots[k].port == port) {
            s = &f->slots[k];
            break;
        }
        if (!f->slots[k].count && !free_slot) {
            free_slot = &f->slots[k];
        }
    }
    if (!s) {
        if (!free_slot) {
            return false;
        }
        s = free_slot;
        s->port = port;
        s->head = s->tail = NIL;
    }
    e->slot = (uint16_t) (s - f->slots);
    e->pnext = NIL;
    e->pprev = s->tail;
    if (s->tail != NIL) {
        f->e[s->tail].pnext = i;
    } else {
        s->head = i;
    }
    s->tail = i;
    s->count++;
    e->port = port;
    return true;
}

/* Marks 'i' most recently used. */
static void
touch(struct vsw_fdb *f, uint32_t i)
{
    uint32_t port = f->e[i].port;

    lru_unlink(f, i);
    lru_push_back(f, i);
    port_unlink(f, i);
    port_push_back(f, i, port);   /* Its slot stays (count was >= 1). */
}

static void
remove_entry(struct vsw_fdb *f, uint32_t i)
{
    struct entry *e = &f->e[i];
    uint32_t *p = &f->buckets[hash(f, e->mac, e->vlan)];

    log_change(f, e);
    while (*p != i) {
        p = &f->e[*p].hnext;
    }
    *p = e->hnext;
    lru_unlink(f, i);
    port_unlink(f, i);
    if (e->expires == STATIC_EXPIRES) {
        f->n_static--;
    }
    e->used = false;
    e->hnext = f->free_head;
    f->free_head = i;
    f->n--;
}

/* OVS evict_mac_entry_fairly(): the least recently used entry of a port
 * holding the most entries (ties: the lowest slot). */
static void
evict(struct vsw_fdb *f)
{
    struct port_slot *best = NULL;

    for (unsigned k = 0; k < MAX_PORT_SLOTS; k++) {
        if (f->slots[k].count && (!best || f->slots[k].count > best->count)) {
            best = &f->slots[k];
        }
    }
    if (best) {
        f->st.evicted++;
        remove_entry(f, best->head);
    }
}

/* Finds or inserts (vlan, mac) and marks it recently used (OVS
 * mac_learning_insert__); a new entry gets 'port'.  NIL if no room. */
static uint32_t
insert(struct vsw_fdb *f, const uint8_t mac[6], uint16_t vlan, uint32_t port, bool is_static,
       bool *is_new)
{
    uint32_t i = find(f, mac, vlan);

    *is_new = i == NIL;
    if (i == NIL) {
        if (f->n >= f->max) {
            evict(f);
        }
        i = f->free_head;
        if (i == NIL) {
            return NIL;
        }
        struct entry *e = &f->e[i];
        if (!port_push_back(f, i, port)) {
            return NIL;
        }
        f->free_head = e->hnext;
        memcpy(e->mac, mac, 6);
        e->vlan = vlan;
        e->used = true;
        e->garp_lock = INT64_MIN;
        e->expires = 0;
        uint32_t *b = &f->buckets[hash(f, mac, vlan)];
        e->hnext = *b;
        *b = i;
        lru_push_back(f, i);
        f->n++;
        if (!is_static) {
            f->st.learned++;
        }
        log_change(f, e);
    } else {
        touch(f, i);
    }
    struct entry *e = &f->e[i];
    if (is_static) {
        if (e->expires != STATIC_EXPIRES) {
            f->n_static++;
        }
        e->expires = STATIC_EXPIRES;
    } else {
        e->expires = now(f) + f->idle;
    }
    return i;
}

/* Moves entry 'i' to 'port'. */
static void
set_port(struct vsw_fdb *f, uint32_t i, uint32_t port)
{
    port_unlink(f, i);
    if (!port_push_back(f, i, port)) {
        /* No slot: cannot happen (a slot was just freed or is shared). */
        remove_entry(f, i);
        return;
    }
    log_change(f, &f->e[i]);
}

bool
vsw_fdb_lookup(const struct vsw_fdb *f, const uint8_t mac[6], uint16_t vlan, uint32_t *port)
{
    uint32_t i;

    if (vsw_eth_is_multicast(mac)) {
        return false;
    }
    i = find(f, mac, vlan);
    if (i == NIL) {
        return false;
    }
    *port = f->e[i].port;
    return true;
}

bool
vsw_fdb_would_move(const struct vsw_fdb *f, const uint8_t mac[6], uint16_t vlan, uint32_t port)
{
    uint32_t i;

    if (vsw_eth_is_multicast(mac)) {
        return false;
    }
    i = find(f, mac, vlan);
    return i == NIL || (f->e[i].expires != STATIC_EXPIRES && f->e[i].port != port);
}

bool
vsw_fdb_learn(struct vsw_fdb *f, const uint8_t mac[6], uint16_t vlan, uint32_t port,
              bool is_grat_arp, bool is_bond)
{
    uint32_t i;
    bool is_new;

    if (vsw_eth_is_multicast(mac)) {
        return false;
    }
    i = find(f, mac, vlan);
    if (i != NIL && f->e[i].expires == STATIC_EXPIRES) {
        if (f->e[i].port != port) {
            f->st.static_none_move++;
        }
        return false;
    }
    if (i != NIL) {
        /* OVS is_mac_learning_update_needed(): an entry refreshed within
         * this second is left alone (not even moved up the LRU) unless the
         * packet moves it or is a gratuitous ARP. */
        const struct entry *e = &f->e[i];
        int64_t age = (int64_t) f->idle - (e->expires - now(f));
        if (age <= 0) {
            if (is_grat_arp && is_bond && now(f) < e->garp_lock) {
                return false;
            }
            if (!is_grat_arp && e->port == port) {
                return false;
            }
        }
    }
    i = insert(f, mac, vlan, port, false, &is_new);
    if (i == NIL) {
        return false;
    }
    if (is_new) {
        return true;
    }
    struct entry *e = &f->e[i];
    if (is_grat_arp) {
        if (!is_bond) {
            e->garp_lock = now(f) + VSW_FDB_GARP_LOCK;
        } else if (now(f) < e->garp_lock) {
            return false;
        }
    }
    if (e->port != port) {
        f->st.moved++;
        set_port(f, i, port);
        return true;
    }
    return false;
}

int
vsw_fdb_add_static(struct vsw_fdb *f, const uint8_t mac[6], uint16_t vlan, uint32_t port)
{
    bool is_new;
    uint32_t i;

    if (vsw_eth_is_multicast(mac)) {
        return EINVAL;
    }
    i = insert(f, mac, vlan, port, true, &is_new);
    if (i == NIL) {
        return ENOSPC;
    }
    if (f->e[i].port != port) {
        set_port(f, i, port);
    }
    return 0;
}

bool
vsw_fdb_del_static(struct vsw_fdb *f, const uint8_t mac[6], uint16_t vlan)
{
    uint32_t i = find(f, mac, vlan);

    if (i == NIL || f->e[i].expires != STATIC_EXPIRES) {
        return false;
    }
    remove_entry(f, i);
    return true;
}

/* The least recently used dynamic entry (OVS get_lru()). */
static uint32_t
lru_dynamic(const struct vsw_fdb *f)
{
    for (uint32_t i = f->head; i != NIL; i = f->e[i].next) {
        if (f->e[i].expires != STATIC_EXPIRES) {
            return i;
        }
    }
    return NIL;
}

int64_t
vsw_fdb_next_expiry(const struct vsw_fdb *f)
{
    uint32_t i = lru_dynamic(f);

    return i == NIL ? INT64_MAX : f->e[i].expires - now(f);
}

unsigned
vsw_fdb_run(struct vsw_fdb *f)
{
    int64_t t = now(f);
    unsigned n = 0;
    uint32_t i;

    while ((i = lru_dynamic(f)) != NIL && (f->n > f->max || t >= f->e[i].expires)) {
        f->st.expired++;
        remove_entry(f, i);
        n++;
    }
    return n;
}

unsigned
vsw_fdb_flush(struct vsw_fdb *f, bool one_port, uint32_t port, bool with_static)
{
    unsigned n = 0;

    for (uint32_t i = f->head; i != NIL;) {
        uint32_t next = f->e[i].next;
        if ((!one_port || f->e[i].port == port)
            && (with_static || f->e[i].expires != STATIC_EXPIRES)) {
            remove_entry(f, i);
            n++;
        }
        i = next;
    }
    return n;
}

void
vsw_fdb_get_stats(const struct vsw_fdb *f, struct vsw_fdb_stats *st)
{
    *st = f->st;
    st->n = f->n;
    st->n_static = f->n_static;
    st->max = f->max;
    st->idle = f->idle;
}

size_t
vsw_fdb_dump(const struct vsw_fdb *f, struct vsw_fdb_info *out, size_t max)
{
    int64_t t = now(f);
    size_t n = 0;

    for (uint32_t i = f->head; i != NIL && n < max; i = f->e[i].next, n++) {
        const struct entry *e = &f->e[i];
        out[n].port = e->port;
        out[n].vlan = e->vlan;
        memcpy(out[n].mac, e->mac, 6);
        out[n].is_static = e->expires == STATIC_EXPIRES;
        out[n].age = out[n].is_static ? 0 : (int) (f->idle - (e->expires - t));
        out[n].garp_locked = t < e->garp_lock;
    }
    return f->n;
}

size_t
vsw_fdb_take_changes(struct vsw_fdb *f, struct vsw_fdb_change *out, size_t max,
                     bool *overflow)
{
    size_t n = f->n_log < max ? f->n_log : max;

    memcpy(out, f->log, n * sizeof *out);
    memmove(f->log, f->log + n, (f->n_log - n) * sizeof *out);
    f->n_log -= n;
    *overflow = f->log_overflow;
    f->log_overflow = false;
    return n;
}

uint64_t
vsw_fdb_gen(const struct vsw_fdb *f)
{
    return __atomic_load_n(&f->gen, __ATOMIC_ACQUIRE);
}
