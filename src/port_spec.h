/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_PORT_SPEC_H
#define VSW_PORT_SPEC_H 1

/*
 * Port specifications (port_spec.c): `--port`/`add-port` text into DPDK
 * devargs and vsw's keys.  Used by dp.c when it adds or changes a port.
 *
 * Thread safety: pure functions; the control thread calls them.
 */

#include <stddef.h>
#include <stdint.h>

struct vsw_vlan_cfg;

/** Parses "mtu_request=N"'s value 'v' into '*mtu'; EINVAL with a message. */
int vsw_port_parse_mtu(const char *v, uint16_t *mtu, char *err, size_t err_size);

/** Splits 'spec' into newly allocated DPDK devargs ('*devargs') and vsw's
 *  own keys (ofport=, n_rxq=, mtu_request=, tag=, trunks=, vlan_mode=). */
int vsw_port_spec_parse(const char *spec, char **devargs, uint32_t *ofport, uint16_t *n_rxq,
                        uint16_t *mtu, struct vsw_vlan_cfg *vc, char *err, size_t err_size);

/** Rewrites the devargs of a vsw port type (vhost-user, vhost-user-client)
 *  into the DPDK driver's ('*devargs' replaced); others are left alone. */
int vsw_port_spec_translate(const char *name, char **devargs, uint16_t *n_rxq, char *err,
                            size_t err_size);

#endif /* VSW_PORT_SPEC_H */
