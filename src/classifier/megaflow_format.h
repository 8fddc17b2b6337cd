/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_MEGAFLOW_FORMAT_H
#define VSW_MEGAFLOW_FORMAT_H 1

/* Megaflows in the datapath key format (see megaflow_format.c). */

#include "dp.h"
#include "util.h"

/** Appends key/mask as "in_port(1),eth(...),eth_type(...),ipv4(...),udp(...)". */
void vsw_megaflow_format_key(const struct vsw_flow *key, const struct vsw_flow *mask,
                             struct vsw_buf *b);

/** Appends one dump line: key, packets, bytes, used, actions, newline. */
void vsw_megaflow_format(const struct vsw_mf_dump *e, uint64_t now_tsc, uint64_t hz,
                         struct vsw_buf *b);

#endif /* VSW_MEGAFLOW_FORMAT_H */
