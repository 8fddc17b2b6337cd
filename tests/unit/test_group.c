/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Groups: parsing and printing as ovs-ofctl, and the translation of the
 * group action (xlate/xlate_group.c): all and indirect run their buckets,
 * each as an action set on its own copy of the packet; fast_failover
 * follows link state; select picks a bucket per flow, stable, spread by
 * weight (chi-square over 100 000 flows).
 *
 * With GROUP_CHOICES=FILE in the environment, it writes instead, for each
 * of 2 000 TCP flows (or each frame, in hex, of the lines of GROUP_FRAMES),
 * the port select group 1 (GROUP_SPEC, or 4 buckets with OVS's default
 * method) sends it to, for the differential check against OVS
 * (tests/diff/group_select.py); with GROUP_FORMAT=LINE, it
 * prints that group line as dump-groups would (or "error: ...").
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <rte_byteorder.h>

#include "group/group.h"
#include "vsw/flow.h"
#include "util.h"
#include "vsw/ofp_actions.h"
#include "xlate/xlate.h"

static const uint32_t ports[] = { 1, 2, 3, 4 };

static struct vsw_group *
group(const char *s)
{
    struct vsw_group *g;
    char err[256];
    int error = vsw_group_parse(s, &g, err, sizeof err);

    if (error) {
        fail_msg("%s: %s", s, err);
    }
    return g;
}

static int
parse_err(const char *s, char *err, size_t size)
{
    struct vsw_group *g;
    int error = vsw_group_parse(s, &g, err, size);

    if (!error) {
        vsw_group_free(g);
    }
    return error;
}

/* Translates 'acts' for 'flow' with the groups 'gs' and link state 'live';
 * the datapath actions as OVS prints them. */
static void
run(const char *acts_s, const struct vsw_flow *flow, struct vsw_groups *gs,
    const uint8_t *live, char *out, size_t size, struct vsw_flow *wc)
{
    struct vsw_actions *acts;
    struct xlate_bridge br;
    struct vsw_odp_buf buf;
    struct vsw_buf s = { 0 };
    char err[256];
    struct vsw_flow w;

    assert_int_equal(vsw_actions_parse(acts_s, NULL, &acts, err, sizeof err), 0);
    memset(&br, 0, sizeof br);
    br.ofports = ports;
    br.n_ports = 4;
    br.groups = gs;
    br.live = live;
    memset(&w, 0, sizeof w);
    xlate_actions_br(acts, flow, &br, &buf, &w, NULL);
    vsw_odp_format(buf.data, buf.len, &s);
    snprintf(out, size, "%s", vsw_buf_cstr(&s));
    vsw_buf_free(&s);
    vsw_actions_free(acts);
    if (wc) {
        *wc = w;
    }
}

static struct vsw_groups *
table(struct vsw_group **g, size_t n)
{
    struct vsw_groups *gs = calloc(1, sizeof *gs);

    gs->g = g;
    gs->n = n;
    gs->gen = 1;
    return gs;
}

static void
tcp_flow(struct vsw_flow *f, uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp)
{
    memset(f, 0, sizeof *f);
    f->in_port = 1;
    f->dl_type = rte_cpu_to_be_16(0x0800);
    f->dl_src[0] = 0x50;
    f->dl_src[5] = 1;
    f->dl_dst[0] = 0x50;
    f->dl_dst[5] = 2;
    f->nw_src = rte_cpu_to_be_32(src);
    f->nw_dst = rte_cpu_to_be_32(dst);
    f->nw_proto = 6;
    f->nw_ttl = 64;
    f->tp_src = rte_cpu_to_be_16(sp);
    f->tp_dst = rte_cpu_to_be_16(dp);
}

static void
test_parse_format(void **state)
{
    static const char *const cases[][2] = {
        { "group_id=1,type=all,bucket=output:2,bucket=output:3",
          "group_id=1,type=all,bucket=bucket_id:0,actions=output:2,bucket=bucket_id:1,actions=output:3" },
        { "group_id=2,type=select,bucket=weight:10,actions=output:2,bucket=weight:20,output:3",
          "group_id=2,type=select,bucket=bucket_id:0,weight:10,actions=output:2,"
          "bucket=bucket_id:1,weight:20,actions=output:3" },
        { "group_id=3,type=select,selection_method=hash,fields(ip_src,tcp_dst),bucket=output:2,bucket=output:3",
          "group_id=3,type=select,selection_method=hash,fields(ip_src,tcp_dst),"
          "bucket=bucket_id:0,actions=output:2,bucket=bucket_id:1,actions=output:3" },
        { "group_id=4,type=fast_failover,bucket=bucket_id:5,watch_port:1,actions=output:1,bucket=watch_port:2,output:2",
          "group_id=4,type=ff,bucket=bucket_id:5,watch_port:1,actions=output:1,"
          "bucket=bucket_id:0,watch_port:2,actions=output:2" },
        { "group_id=5,type=indirect,bucket=set_field:1.2.3.4->ip_src,output:4",
          "group_id=5,type=indirect,bucket=bucket_id:0,actions=set_field:1.2.3.4->ip_src,output:4" },
        { "group_id=21,type=select,selection_method=hash,fields=ip_dst,bucket=output:2",
          "group_id=21,type=select,selection_method=hash,fields=ip_dst,bucket=bucket_id:0,actions=output:2" },
        { "group_id=22,type=select,selection_method=dp_hash,selection_method_param=0x100000005,bucket=output:2",
          "group_id=22,type=select,selection_method=dp_hash,selection_method_param=4294967301,"
          "bucket=bucket_id:0,actions=output:2" },
        { "group_id=10,type=all",
          "group_id=10,type=all" },
    };
    (void) state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct vsw_group *g = group(cases[i][0]);
        struct vsw_buf b = { 0 };
        vsw_group_format(g, &b);
        assert_string_equal(vsw_buf_cstr(&b), cases[i][1]);
        vsw_buf_free(&b);
        vsw_group_free(g);
    }
}

/* A bucket of 1 000 outputs written "2 3 2 3 ..." prints as 9 000 bytes of
 * "output:2,output:3,...", which must parse again (found by
 * fuzz_flow_parse: the bucket's action text had a 4 KB buffer). */
static void
test_parse_long_bucket(void **state)
{
    struct vsw_buf in = { 0 }, out = { 0 }, again = { 0 };

    (void) state;
    vsw_buf_printf(&in, "group_id=7,type=select,bucket=weight:5,");
    for (int i = 0; i < 1000; i++) {
        vsw_buf_printf(&in, "%d ", 2 + i % 2);
    }
    vsw_buf_printf(&in, ",bucket=output:4");
    struct vsw_group *g = group(vsw_buf_cstr(&in));
    vsw_group_format(g, &out);
    assert_true(strlen(vsw_buf_cstr(&out)) > 9000);
    struct vsw_group *g2 = group(vsw_buf_cstr(&out));
    vsw_group_format(g2, &again);
    assert_string_equal(vsw_buf_cstr(&out), vsw_buf_cstr(&again));
    vsw_group_free(g);
    vsw_group_free(g2);
    vsw_buf_free(&in);
    vsw_buf_free(&out);
    vsw_buf_free(&again);
}

static void
test_parse_errors(void **state)
{
    static const char *const cases[][2] = {
        { "group_id=9,type=indirect,bucket=output:2,bucket=output:3",
          "Indirect groups can have at most one bucket." },
        { "group_id=15,type=all,bucket=weight:3,output:1", "Only select groups can have bucket weights." },
        { "type=all,bucket=output:1", "must specify a group_id" },
        { "group_id=16,bucket=output:1", "must specify a type" },
        { "group_id=4294967041,type=all,bucket=output:1", "invalid group id 4294967041" },
        { "group_id=14,type=all,bucket=watch_port:3,output:1", "OFPGMFC_WATCH_UNSUPPORTED" },
        { "group_id=6,type=select,selection_method=dp_hash,fields(nw_src),bucket=output:2",
          "fields may only be specified with \"selection_method=hash\"" },
        { "group_id=6,type=ff,bucket=output:2", "fast failover bucket requires watch_port or watch_group" },
        { "group_id=6,type=all,bucket=bucket_id:0,output:2,bucket=output:3", "OFPGMFC_BUCKET_EXISTS" },
        { "group_id=6,type=lots,bucket=output:2", "invalid group type lots" },
        { "group_id=6,type=all,foo=1", "unknown keyword foo" },
    };
    char err[256];

    (void) state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_not_equal(parse_err(cases[i][0], err, sizeof err), 0);
        assert_string_equal(err, cases[i][1]);
    }
}

static void
test_all_indirect(void **state)
{
    struct vsw_group *g[2] = {
        group("group_id=1,type=all,bucket=mod_dl_src:00:00:00:00:00:aa,output:2,bucket=output:3"),
        group("group_id=2,type=indirect,bucket=output:4"),
    };
    struct vsw_groups *gs = table(g, 2);
    struct vsw_flow f, wc;
    char out[512];

    (void) state;
    tcp_flow(&f, 0x0a000001, 0x0a000002, 1000, 80);
    /* The first bucket's rewrite does not reach the second bucket: it is
     * written back (the original source MAC, matched) before output 3. */
    run("group:1", &f, gs, NULL, out, sizeof out, NULL);
    assert_string_equal(out, "set(eth(src=00:00:00:00:00:aa)),2,set(eth(src=50:00:00:00:00:01)),3");
    run("group:2", &f, gs, NULL, out, sizeof out, NULL);
    assert_string_equal(out, "4");
    /* Nor the actions after the group. */
    run("group:1,output:4", &f, gs, NULL, out, sizeof out, &wc);
    assert_string_equal(out, "set(eth(src=00:00:00:00:00:aa)),2,set(eth(src=50:00:00:00:00:01)),3,4");
    /* Writing the source MAC back uses the packet's: the megaflow matches
     * it, but only when something is written back. */
    assert_true(wc.dl_src[0] == 0xff && wc.dl_src[5] == 0xff);
    run("group:1", &f, gs, NULL, out, sizeof out, &wc);
    assert_true(wc.dl_src[0] == 0xff);   /* Bucket 2's output wrote it back. */
    run("output:3,group:2", &f, gs, NULL, out, sizeof out, &wc);
    assert_true(wc.dl_src[0] == 0);
    /* A group that does not exist ends the action list (OVS). */
    run("group:7,output:4", &f, gs, NULL, out, sizeof out, NULL);
    assert_string_equal(out, "drop");
    free(gs);
    vsw_group_free(g[0]);
    vsw_group_free(g[1]);
}

/* Rollback between buckets: each bucket sees the packet as it was before
 * the group, pipeline fields included; a rewrite the last bucket made and
 * did not output is gone. */
static void
test_rollback(void **state)
{
    struct vsw_group *g[1] = {
        group("group_id=1,type=all,bucket=mod_nw_src:1.1.1.1,mod_tp_dst:99,output:2,"
              "bucket=mod_nw_dst:2.2.2.2,output:3,bucket=mod_nw_src:3.3.3.3,group:9"),
    };
    struct vsw_groups *gs = table(g, 1);
    struct vsw_flow f, wc;
    char out[512];

    (void) state;
    tcp_flow(&f, 0x0a000001, 0x0a000002, 1000, 80);
    run("mod_dl_dst:00:00:00:00:00:bb,group:1,output:4", &f, gs, NULL, out, sizeof out, &wc);
    assert_string_equal(out,
                        "set(eth(dst=00:00:00:00:00:bb)),set(ipv4(src=1.1.1.1)),set(tcp(dst=99)),2,"
                        "set(ipv4(src=10.0.0.1,dst=2.2.2.2)),set(tcp(dst=80)),3,"
                        "set(ipv4(dst=10.0.0.2)),4");
    free(gs);
    vsw_group_free(g[0]);
}

static void
test_action_set(void **state)
{
    /* Last output wins, sets run before it whatever their place, actions
     * not allowed in a set (write_metadata...) are ignored, a set without
     * an output does nothing. */
    struct vsw_group *g[2] = {
        group("group_id=1,type=indirect,bucket=output:2,mod_nw_dst:9.9.9.9,output:3"),
        group("group_id=2,type=indirect,bucket=mod_nw_dst:9.9.9.9"),
    };
    struct vsw_groups *gs = table(g, 2);
    struct vsw_flow f;
    char out[512];

    (void) state;
    tcp_flow(&f, 0x0a000001, 0x0a000002, 1000, 80);
    run("group:1", &f, gs, NULL, out, sizeof out, NULL);
    assert_string_equal(out, "set(ipv4(dst=9.9.9.9)),3");
    run("group:2,output:4", &f, gs, NULL, out, sizeof out, NULL);
    assert_string_equal(out, "4");
    free(gs);
    vsw_group_free(g[0]);
    vsw_group_free(g[1]);
}

static void
test_fast_failover(void **state)
{
    struct vsw_group *g[2] = {
        group("group_id=1,type=ff,bucket=watch_port:2,output:2,bucket=watch_port:3,output:3,"
              "bucket=watch_group:2,output:4"),
        group("group_id=2,type=ff,bucket=watch_port:4,output:4"),
    };
    struct vsw_groups *gs = table(g, 2);
    uint8_t live[4] = { 1, 1, 1, 1 };
    struct vsw_flow f;
    char out[512];

    (void) state;
    tcp_flow(&f, 0x0a000001, 0x0a000002, 1000, 80);
    run("group:1", &f, gs, live, out, sizeof out, NULL);
    assert_string_equal(out, "2");
    live[1] = 0;
    run("group:1", &f, gs, live, out, sizeof out, NULL);
    assert_string_equal(out, "3");
    live[2] = 0;
    run("group:1", &f, gs, live, out, sizeof out, NULL);
    assert_string_equal(out, "4");
    live[3] = 0;   /* Group 2 has no live bucket now. */
    run("group:1", &f, gs, live, out, sizeof out, NULL);
    assert_string_equal(out, "drop");
    free(gs);
    vsw_group_free(g[0]);
    vsw_group_free(g[1]);
}

static unsigned
port_of(const char *out)
{
    return (unsigned) atoi(out);
}

static void
test_select_spread(void **state)
{
    /* Weights 1:2:3:4; 100 000 flows; each bucket's share within a
     * chi-square bound (3 degrees of freedom, p = 0.001: 16.27) of the
     * hash table's (dp_hash, 16 values: 2,3,5,6 per Webster) shares. */
    struct vsw_group *g[1] = {
        group("group_id=1,type=select,bucket=weight:1,output:1,bucket=weight:2,output:2,"
              "bucket=weight:3,output:3,bucket=weight:4,output:4"),
    };
    struct vsw_groups *gs = table(g, 1);
    unsigned hits[5] = { 0 };
    unsigned slots[4] = { 0 };
    const unsigned n = 100000;
    double chi = 0;
    struct vsw_flow f, wc;
    char out[512];

    (void) state;
    for (unsigned h = 0; h <= g[0]->hash_mask; h++) {
        slots[g[0]->hash_map[h]]++;
    }
    assert_int_equal(g[0]->method, VSW_SEL_DP_HASH);
    for (unsigned i = 0; i < n; i++) {
        char again[512];
        tcp_flow(&f, 0x0a000000 + i, 0x0b000001, (uint16_t) (1024 + i * 7), 80);
        f.in_port = 5;   /* Not a bucket port. */
        run("group:1", &f, gs, NULL, out, sizeof out, &wc);
        unsigned p = port_of(out);
        assert_true(p >= 1 && p <= 4);
        hits[p]++;
        if (i % 1000 == 0) {
            /* Stable per flow; the megaflow matches what the hash read. */
            run("group:1", &f, gs, NULL, again, sizeof again, NULL);
            assert_string_equal(out, again);
            assert_int_equal(wc.nw_src, UINT32_MAX);
            assert_int_equal(wc.tp_src, 0xffff);
        }
    }
    for (unsigned b = 0; b < 4; b++) {
        double e = (double) n * slots[b] / (g[0]->hash_mask + 1);
        chi += (hits[b + 1] - e) * (hits[b + 1] - e) / e;
    }
    assert_true(chi < 16.27);
    free(gs);
    vsw_group_free(g[0]);
}

static void
test_select_default_and_hash(void **state)
{
    /* Weights too uneven for a 256-value table: the default method
     * (highest score).  And a hash over chosen fields: flows that differ
     * only elsewhere go to the same bucket. */
    struct vsw_group *g[2] = {
        group("group_id=1,type=select,bucket=weight:1,output:1,bucket=weight:1000,output:2"),
        group("group_id=2,type=select,selection_method=hash,fields(ip_dst),"
              "bucket=output:2,bucket=output:3,bucket=output:4"),
    };
    struct vsw_groups *gs = table(g, 2);
    unsigned seen[5] = { 0 };
    struct vsw_flow f;
    char out[512], first[512];

    (void) state;
    assert_int_equal(g[0]->method, VSW_SEL_DEFAULT);
    assert_int_equal(g[1]->method, VSW_SEL_HASH);
    for (unsigned i = 0; i < 2000; i++) {
        tcp_flow(&f, 0x0a000000 + i, 0x0b000001, 1000, 80);
        f.in_port = 5;
        run("group:1", &f, gs, NULL, out, sizeof out, NULL);
        seen[port_of(out)]++;
    }
    assert_true(seen[2] > 1900);
    tcp_flow(&f, 1, 0x0b000007, 1000, 80);
    f.in_port = 5;
    run("group:2", &f, gs, NULL, first, sizeof first, NULL);
    for (unsigned i = 0; i < 100; i++) {
        tcp_flow(&f, 0x0a000000 + i * 77, 0x0b000007, (uint16_t) (1000 + i), 80);
        f.in_port = 5;
        run("group:2", &f, gs, NULL, out, sizeof out, NULL);
        assert_string_equal(out, first);
    }
    free(gs);
    vsw_group_free(g[0]);
    vsw_group_free(g[1]);
}

/* GROUP_CHOICES=FILE: the bucket port of select group 1 for flows i =
 * 0..1999 (tests/diff/group_select.py sends the same to OVS). */
static void
write_choices(const char *path)
{
    const char *spec = getenv("GROUP_SPEC");
    struct vsw_group *g[1] = {
        group(spec ? spec : "group_id=1,type=select,bucket=output:1,bucket=output:2,"
              "bucket=output:3,bucket=weight:2,output:4"),
    };
    struct vsw_groups *gs = table(g, 1);
    FILE *fp = fopen(path, "w");
    struct vsw_flow f;
    char out[512];
    const char *frames = getenv("GROUP_FRAMES");

    if (frames) {
        /* One frame per line, in hex, from in_port 5. */
        FILE *in = fopen(frames, "r");
        static char line[2 * 9216 + 2];
        static uint8_t data[9216];
        for (unsigned i = 0; fp && in && fgets(line, sizeof line, in); i++) {
            struct vsw_layout lay;
            size_t n = 0;
            unsigned byte;
            while (n < sizeof data && sscanf(line + 2 * n, "%2x", &byte) == 1) {
                data[n++] = (uint8_t) byte;
            }
            vsw_flow_extract(data, (uint32_t) n, 5, &f, &lay);
            run("group:1", &f, gs, NULL, out, sizeof out, NULL);
            fprintf(fp, "%u %s\n", i, out);
        }
        if (in) {
            fclose(in);
        }
    }
    for (unsigned i = 0; fp && !frames && i < 2000; i++) {
        tcp_flow(&f, 0x0a000000 + i * 13, 0x0b000001 + i, (uint16_t) (1024 + i), 80);
        f.in_port = 5;
        run("group:1", &f, gs, NULL, out, sizeof out, NULL);
        fprintf(fp, "%u %s\n", i, out);
    }
    if (fp) {
        fclose(fp);
    }
    free(gs);
    vsw_group_free(g[0]);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_format),
        cmocka_unit_test(test_parse_long_bucket),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_all_indirect),
        cmocka_unit_test(test_action_set),
        cmocka_unit_test(test_rollback),
        cmocka_unit_test(test_fast_failover),
        cmocka_unit_test(test_select_spread),
        cmocka_unit_test(test_select_default_and_hash),
    };
    const char *choices = getenv("GROUP_CHOICES");
    const char *format = getenv("GROUP_FORMAT");

    if (format) {
        /* One group line: print it as dump-groups does, or the error. */
        struct vsw_group *g;
        struct vsw_buf b = { 0 };
        char err[256];
        if (vsw_group_parse(format, &g, err, sizeof err)) {
            printf("error: %s\n", err);
            return 0;
        }
        vsw_group_format(g, &b);
        printf("%s\n", vsw_buf_cstr(&b));
        vsw_buf_free(&b);
        vsw_group_free(g);
        return 0;
    }
    if (choices) {
        write_choices(choices);
        return 0;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
