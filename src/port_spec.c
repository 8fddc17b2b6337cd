/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Port specifications: the text of `--port NAME,SPEC` and `add-port NAME
 * SPEC` split into DPDK devargs and vsw's own keys (ofport=, n_rxq=,
 * mtu_request=, the VLAN keys), and the port types vsw offers on top of
 * DPDK's drivers (vhost-user) rewritten into their DPDK devargs (a stale
 * socket file of a vhost-user server port is removed there).  dp.c uses it
 * when it adds or changes a port.
 *
 * Thread safety: pure functions; the control thread calls them.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dp.h"
#include "port_spec.h"
#include "util.h"

/* Parses "mtu_request=N" (OVS's Interface column of that name); 'v' points
 * after the '='. */
int
vsw_port_parse_mtu(const char *v, uint16_t *mtu, char *err, size_t err_size)
{
    char *end;
    unsigned long n = strtoul(v, &end, 10);

    if (*end || !*v || n < VSW_MTU_MIN || n > VSW_MTU_MAX) {
        snprintf(err, err_size, "mtu_request: \"%s\" is not in %d..%d", v, VSW_MTU_MIN,
                 VSW_MTU_MAX);
        return EINVAL;
    }
    *mtu = (uint16_t) n;
    return 0;
}

/* Splits 'spec' into DPDK devargs and our own keys (ofport=, n_rxq=,
 * mtu_request=, and the VLAN keys tag=, trunks=, vlan_mode=: the VLANs of
 * "trunks=10,20,30" arrive as tokens of their own after "trunks=10"). */
int
vsw_port_spec_parse(const char *spec, char **devargs, uint32_t *ofport, uint16_t *n_rxq,
                uint16_t *mtu, struct vsw_vlan_cfg *vc, char *err, size_t err_size)
{
    struct vsw_buf da = { 0 };
    char *copy = strdup(spec), *save = NULL;
    bool in_trunks = false;
    int error = 0;

    *ofport = 0;
    *n_rxq = 1;
    *mtu = VSW_MTU_DEFAULT;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *end;
        if (in_trunks && vsw_all_digits(tok)) {
            error = vsw_vlan_cfg_add_trunk(vc, tok, err, err_size);
            if (error) {
                break;
            }
            continue;
        }
        in_trunks = false;
        error = vsw_vlan_cfg_apply(vc, tok, err, err_size);
        if (!error) {
            in_trunks = !strncmp(tok, "trunks=", 7);
            continue;
        } else if (error != ENOENT) {
            break;
        }
        error = 0;
        if (!strncmp(tok, "ofport=", 7)) {
            unsigned long v = strtoul(tok + 7, &end, 0);
            if (*end || !tok[7] || v == 0 || v >= 0xff00) {
                snprintf(err, err_size, "ofport: \"%s\" is not a port number in 1..65279",
                         tok + 7);
                error = EINVAL;
                break;
            }
            *ofport = (uint32_t) v;
        } else if (!strncmp(tok, "n_rxq=", 6)) {
            unsigned long v = strtoul(tok + 6, &end, 0);
            if (*end || v == 0 || v > VSW_MAX_QUEUES) {
                snprintf(err, err_size, "n_rxq: \"%s\" is not in 1..%d", tok + 6,
                         VSW_MAX_QUEUES);
                error = EINVAL;
                break;
            }
            *n_rxq = (uint16_t) v;
        } else if (!strncmp(tok, "mtu_request=", 12)) {
            error = vsw_port_parse_mtu(tok + 12, mtu, err, err_size);
            if (error) {
                break;
            }
        } else {
            if (da.len) {
                vsw_buf_append(&da, ",", 1);
            }
            vsw_buf_append(&da, tok, strlen(tok));
        }
    }
    free(copy);
    if (!error && !da.len) {
        snprintf(err, err_size, "missing device arguments (e.g. net_pcap0,rx_pcap=in.pcap)");
        error = EINVAL;
    }
    if (error) {
        vsw_buf_free(&da);
        return error;
    }
    *devargs = da.s;
    return 0;
}

/*
 * Port types by name: "vhost-user,path=SOCK[,queues=N]" (vswd creates the
 * socket and waits for the guest) and "vhost-user-client,path=SOCK[,queues=N]"
 * (the guest side, e.g. QEMU with server=on, owns the socket; vswd connects
 * and reconnects whenever either side restarts).  Both are DPDK's net_vhost
 * ethdev (see docs/vhost-user.md for why): its link goes up when the guest
 * driver is ready and down when it goes.  The PMDs move packets with
 * rte_vhost directly (vhost_refresh_vid()); tx to a guest that is not ready
 * is counted as tx drops.
 * Rewrites '*devargs' into net_vhost devargs.
 */
int
vsw_port_spec_translate(const char *name, char **devargs, uint16_t *n_rxq, char *err,
                    size_t err_size)
{
    bool client;
    const char *rest;

    if (!strncmp(*devargs, "vhost-user-client", 17) && (!(*devargs)[17] || (*devargs)[17] == ',')) {
        client = true;
        rest = *devargs + 17;
    } else if (!strncmp(*devargs, "vhost-user", 10) && (!(*devargs)[10] || (*devargs)[10] == ',')) {
        client = false;
        rest = *devargs + 10;
    } else {
        return 0;
    }

    char *copy = strdup(rest), *save = NULL, *path = NULL;
    unsigned long queues = 1;
    int error = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *end;
        if (!strncmp(tok, "path=", 5) && tok[5]) {
            path = tok + 5;
        } else if (!strncmp(tok, "queues=", 7)) {
            queues = strtoul(tok + 7, &end, 0);
            if (*end || !queues || queues > VSW_MAX_QUEUES) {
                snprintf(err, err_size, "queues: \"%s\" is not in 1..%d", tok + 7,
                         VSW_MAX_QUEUES);
                error = EINVAL;
                break;
            }
        } else {
            snprintf(err, err_size, "%s: unknown option \"%s\" (path=SOCK, queues=N)",
                     client ? "vhost-user-client" : "vhost-user", tok);
            error = EINVAL;
            break;
        }
    }
    if (!error && !path) {
        snprintf(err, err_size, "%s: missing path=SOCK", client ? "vhost-user-client" : "vhost-user");
        error = EINVAL;
    }
    if (!error) {
        struct vsw_buf b = { 0 };
        if (!client) {
            /* A socket file left by an earlier run would make bind() fail. */
            struct stat stt;
            if (!stat(path, &stt) && S_ISSOCK(stt.st_mode)) {
                unlink(path);
            }
        }
        /* ext-buffer: a frame from the guest larger than an mbuf (a jumbo
         * frame, in several descriptors) arrives in one mbuf with an
         * external buffer instead of a chain, which the parser and the
         * action executor need contiguous. */
        vsw_buf_printf(&b, "net_vhost_%s,iface=%s,queues=%lu,client=%d,ext-buffer=1", name,
                       path, queues, client ? 1 : 0);
        free(*devargs);
        *devargs = b.s;
        *n_rxq = (uint16_t) queues;
    }
    free(copy);
    return error;
}

