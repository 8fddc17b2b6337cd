/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The MAC table (src/l2/fdb.c) with a fake clock: learning, lookups, aging,
 * the size limit and OVS's fair eviction, moves, static entries, the
 * gratuitous-ARP lock, flushes and the change log that drives megaflow
 * revalidation.  No DPDK needed.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "l2/fdb.h"

static int64_t fake_now;

static int64_t
fake_clock(void *aux)
{
    (void) aux;
    return fake_now;
}

static struct vsw_fdb *
new_fdb(unsigned max, unsigned idle)
{
    struct vsw_fdb *f = vsw_fdb_create(max, idle);

    assert_non_null(f);
    fake_now = 1000;
    vsw_fdb_set_clock(f, fake_clock, NULL);
    return f;
}

/* MAC 02:00:00:00:HI:LO for n = HI*256+LO. */
static const uint8_t *
m(unsigned n)
{
    static uint8_t macs[8][6];
    static unsigned next;
    uint8_t *p = macs[next++ % 8];

    p[0] = 0x02;
    p[1] = p[2] = p[3] = 0;
    p[4] = (uint8_t) (n >> 8);
    p[5] = (uint8_t) n;
    return p;
}

static uint32_t
port_of(struct vsw_fdb *f, unsigned n, uint16_t vlan)
{
    uint32_t port = 0;

    return vsw_fdb_lookup(f, m(n), vlan, &port) ? port : 0;
}

static size_t
changes(struct vsw_fdb *f, bool *overflow)
{
    struct vsw_fdb_change c[2048];

    return vsw_fdb_take_changes(f, c, 2048, overflow);
}

static void
test_learn_lookup_vlans(void **state)
{
    struct vsw_fdb *f = new_fdb(16, 300);
    static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0, 0, 1 };
    struct vsw_fdb_stats st;
    bool ovf;

    (void) state;
    assert_true(vsw_fdb_learn(f, m(1), 10, 1, false, false));
    assert_int_equal(port_of(f, 1, 10), 1);
    assert_int_equal(port_of(f, 1, 20), 0);       /* Keyed by (VLAN, MAC). */
    assert_false(vsw_fdb_learn(f, m(1), 10, 1, false, false));   /* Nothing new. */
    assert_true(vsw_fdb_learn(f, m(1), 20, 2, false, false));    /* Another VLAN. */
    assert_int_equal(port_of(f, 1, 10), 1);
    assert_int_equal(port_of(f, 1, 20), 2);
    /* Multicast sources are never learned, multicast never looked up. */
    assert_false(vsw_fdb_learn(f, mcast, 10, 1, false, false));
    uint32_t p;
    assert_false(vsw_fdb_lookup(f, mcast, 10, &p));
    assert_false(vsw_fdb_would_move(f, mcast, 10, 1));
    vsw_fdb_get_stats(f, &st);
    assert_int_equal(st.n, 2);
    assert_int_equal(st.learned, 2);
    /* Each new entry was logged, once. */
    assert_int_equal(changes(f, &ovf), 2);
    assert_false(ovf);
    assert_int_equal(changes(f, &ovf), 0);
    vsw_fdb_destroy(f);
}

static void
test_aging(void **state)
{
    struct vsw_fdb *f = new_fdb(16, 300);
    struct vsw_fdb_stats st;
    struct vsw_fdb_info info[4];
    bool ovf;

    (void) state;
    vsw_fdb_learn(f, m(1), 0, 1, false, false);
    fake_now += 100;
    vsw_fdb_learn(f, m(2), 0, 2, false, false);
    assert_int_equal(vsw_fdb_dump(f, info, 4), 2);
    assert_int_equal(info[0].age, 100);
    assert_int_equal(info[1].age, 0);
    changes(f, &ovf);

    fake_now += 199;                  /* m1 is 299 s old. */
    assert_int_equal(vsw_fdb_run(f), 0);
    fake_now += 1;                    /* 300: gone. */
    assert_int_equal(vsw_fdb_run(f), 1);
    assert_int_equal(port_of(f, 1, 0), 0);
    assert_int_equal(port_of(f, 2, 0), 2);
    assert_int_equal(changes(f, &ovf), 1);   /* Its megaflows must go. */

    /* A refresh (a packet more than a second later) restarts the clock. */
    fake_now += 150;
    vsw_fdb_learn(f, m(2), 0, 2, false, false);
    fake_now += 299;
    assert_int_equal(vsw_fdb_run(f), 0);
    fake_now += 1;
    assert_int_equal(vsw_fdb_run(f), 1);
    vsw_fdb_get_stats(f, &st);
    assert_int_equal(st.expired, 2);
    assert_int_equal(st.n, 0);
    vsw_fdb_destroy(f);
}

static void
test_limit_fair_eviction(void **state)
{
    struct vsw_fdb *f = new_fdb(8, 300);
    struct vsw_fdb_stats st;

    (void) state;
    /* Port 1 holds 2 entries, port 2 (the flooder) the other 6. */
    vsw_fdb_learn(f, m(1), 0, 1, false, false);
    vsw_fdb_learn(f, m(2), 0, 1, false, false);
    for (unsigned i = 100; i < 106; i++) {
        vsw_fdb_learn(f, m(i), 0, 2, false, false);
    }
    /* A flood of new MACs on port 2, far past the limit: the table stays
     * at its limit and port 2 pays for it, oldest first; port 1 keeps its
     * entries. */
    for (unsigned i = 1000; i < 6000; i++) {
        fake_now += i % 3 == 0;
        vsw_fdb_learn(f, m(i), 0, 2, false, false);
        vsw_fdb_get_stats(f, &st);
        assert_int_equal(st.n, 8);
    }
    assert_int_equal(port_of(f, 1, 0), 1);
    assert_int_equal(port_of(f, 2, 0), 1);
    assert_int_equal(port_of(f, 100, 0), 0);
    assert_int_equal(port_of(f, 5999, 0), 2);
    vsw_fdb_get_stats(f, &st);
    assert_int_equal(st.evicted, 5000);
    assert_int_equal(st.learned, 5008);

    /* Port 3 arrives: ports 2 has the most entries, so it loses one. */
    vsw_fdb_learn(f, m(7000), 0, 3, false, false);
    assert_int_equal(port_of(f, 7000, 0), 3);
    assert_int_equal(port_of(f, 1, 0), 1);
    assert_int_equal(port_of(f, 2, 0), 1);
    vsw_fdb_destroy(f);
}

static void
test_eviction_least_recently_refreshed(void **state)
{
    struct vsw_fdb *f = new_fdb(3, 300);

    (void) state;
    vsw_fdb_learn(f, m(1), 0, 1, false, false);
    vsw_fdb_learn(f, m(2), 0, 1, false, false);
    vsw_fdb_learn(f, m(3), 0, 1, false, false);
    /* Within the same second a packet does not refresh (as OVS: the entry
     * is younger than a second), so m1 stays the oldest... */
    vsw_fdb_learn(f, m(1), 0, 1, false, false);
    vsw_fdb_learn(f, m(4), 0, 1, false, false);
    assert_int_equal(port_of(f, 1, 0), 0);
    /* ...but a second later it does. */
    fake_now++;
    vsw_fdb_learn(f, m(2), 0, 1, false, false);
    vsw_fdb_learn(f, m(5), 0, 1, false, false);
    assert_int_equal(port_of(f, 2, 0), 1);
    assert_int_equal(port_of(f, 3, 0), 0);
    vsw_fdb_destroy(f);
}

static void
test_moves(void **state)
{
    struct vsw_fdb *f = new_fdb(16, 300);
    struct vsw_fdb_stats st;
    bool ovf;

    (void) state;
    vsw_fdb_learn(f, m(1), 10, 1, false, false);
    changes(f, &ovf);
    assert_false(vsw_fdb_would_move(f, m(1), 10, 1));
    assert_true(vsw_fdb_would_move(f, m(1), 10, 2));
    assert_true(vsw_fdb_would_move(f, m(9), 10, 2));   /* Unknown: would be learned. */
    /* Even within the same second, a move is learned. */
    assert_true(vsw_fdb_learn(f, m(1), 10, 2, false, false));
    assert_int_equal(port_of(f, 1, 10), 2);
    assert_int_equal(changes(f, &ovf), 1);
    assert_true(vsw_fdb_learn(f, m(1), 10, 1, false, false));
    vsw_fdb_get_stats(f, &st);
    assert_int_equal(st.moved, 2);
    assert_int_equal(st.learned, 1);
    vsw_fdb_destroy(f);
}

static void
test_static_entries(void **state)
{
    struct vsw_fdb *f = new_fdb(4, 300);
    static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    struct vsw_fdb_stats st;
    struct vsw_fdb_info info[4];

    (void) state;
    assert_int_equal(vsw_fdb_add_static(f, bcast, 0, 1), EINVAL);
    vsw_fdb_learn(f, m(1), 0, 1, false, false);
    /* A learned entry becomes static (and may move so). */
    assert_int_equal(vsw_fdb_add_static(f, m(1), 0, 3), 0);
    assert_int_equal(port_of(f, 1, 0), 3);
    /* Static entries never move and never age. */
    assert_false(vsw_fdb_learn(f, m(1), 0, 2, false, false));
    assert_false(vsw_fdb_would_move(f, m(1), 0, 2));
    assert_int_equal(port_of(f, 1, 0), 3);
    fake_now += 100000;
    assert_int_equal(vsw_fdb_run(f), 0);
    assert_int_equal(port_of(f, 1, 0), 3);
    assert_int_equal(vsw_fdb_dump(f, info, 4), 1);
    assert_true(info[0].is_static);
    vsw_fdb_get_stats(f, &st);
    assert_int_equal(st.n_static, 1);
    assert_int_equal(st.static_none_move, 1);
    /* A flush of learned entries keeps it; a port's removal does not. */
    assert_int_equal(vsw_fdb_flush(f, false, 0, false), 0);
    assert_int_equal(port_of(f, 1, 0), 3);
    assert_false(vsw_fdb_del_static(f, m(2), 0));
    assert_true(vsw_fdb_del_static(f, m(1), 0));
    assert_int_equal(port_of(f, 1, 0), 0);
    vsw_fdb_add_static(f, m(1), 0, 3);
    vsw_fdb_learn(f, m(2), 0, 3, false, false);
    vsw_fdb_learn(f, m(3), 0, 1, false, false);
    assert_int_equal(vsw_fdb_flush(f, true, 3, true), 2);
    assert_int_equal(port_of(f, 3, 0), 1);
    vsw_fdb_get_stats(f, &st);
    assert_int_equal(st.n, 1);
    assert_int_equal(st.n_static, 0);
    vsw_fdb_destroy(f);
}

static void
test_garp_lock(void **state)
{
    struct vsw_fdb *f = new_fdb(16, 300);
    struct vsw_fdb_info info[2];

    (void) state;
    /* A migrated VM announces itself with a gratuitous ARP on its new port:
     * the MAC moves there and is locked for 5 seconds... */
    vsw_fdb_learn(f, m(1), 0, 1, false, false);
    fake_now += 10;
    assert_true(vsw_fdb_learn(f, m(1), 0, 2, true, false));
    assert_int_equal(port_of(f, 1, 0), 2);
    vsw_fdb_dump(f, info, 2);
    assert_true(info[0].garp_locked);
    /* ...against the same ARP reflected back by a bond... */
    assert_false(vsw_fdb_learn(f, m(1), 0, 3, true, true));
    assert_int_equal(port_of(f, 1, 0), 2);
    fake_now += 4;
    assert_false(vsw_fdb_learn(f, m(1), 0, 3, true, true));
    /* ...but not against ordinary traffic, */
    assert_true(vsw_fdb_learn(f, m(1), 0, 4, false, false));
    assert_int_equal(port_of(f, 1, 0), 4);
    /* and not after 5 seconds. */
    vsw_fdb_learn(f, m(1), 0, 2, true, false);
    fake_now += 5;
    vsw_fdb_dump(f, info, 2);
    assert_false(info[0].garp_locked);
    assert_true(vsw_fdb_learn(f, m(1), 0, 3, true, true));
    assert_int_equal(port_of(f, 1, 0), 3);
    vsw_fdb_destroy(f);
}

static int notified;

static void
notify(void *aux)
{
    (void) aux;
    notified++;
}

static void
test_change_log(void **state)
{
    struct vsw_fdb *f = new_fdb(4096, 300);
    struct vsw_fdb_change c[4];
    struct vsw_fdb_stats st;
    bool ovf;

    (void) state;
    vsw_fdb_set_notify(f, notify, NULL);
    notified = 0;
    vsw_fdb_learn(f, m(1), 7, 1, false, false);
    vsw_fdb_learn(f, m(2), 7, 1, false, false);
    assert_int_equal(notified, 1);              /* Rung when it became non-empty. */
    assert_int_equal(vsw_fdb_take_changes(f, c, 4, &ovf), 2);
    assert_memory_equal(c[0].mac, m(1), 6);
    assert_int_equal(c[0].vlan, 7);
    vsw_fdb_learn(f, m(3), 7, 1, false, false);
    assert_int_equal(notified, 2);
    changes(f, &ovf);
    /* Too many changes at once: some are lost, and the taker is told. */
    for (unsigned i = 10; i < 3000; i++) {
        vsw_fdb_learn(f, m(i), 7, 1, false, false);
    }
    size_t n = changes(f, &ovf);
    assert_true(ovf);
    assert_true(n < 2990);
    vsw_fdb_get_stats(f, &st);
    assert_int_equal(st.changes, 3 + 2990);
    vsw_fdb_destroy(f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_learn_lookup_vlans),
        cmocka_unit_test(test_aging),
        cmocka_unit_test(test_limit_fair_eviction),
        cmocka_unit_test(test_eviction_least_recently_refreshed),
        cmocka_unit_test(test_moves),
        cmocka_unit_test(test_static_entries),
        cmocka_unit_test(test_garp_lock),
        cmocka_unit_test(test_change_log),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
