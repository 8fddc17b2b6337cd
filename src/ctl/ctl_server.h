/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_CTL_SERVER_H
#define VSW_CTL_SERVER_H 1

/*
 * Control socket server: accepts vswctl connections on a unix socket and
 * hands each complete request to a handler.  Non-blocking and driven by
 * epoll from the control thread; a client that sends garbage, an oversized
 * request or disconnects half-way is dropped without affecting anything else.
 *
 * Thread safety: control thread only.
 */

#include <stddef.h>

#include "util.h"

struct vsw_ctl;

/** Handles one request: 'argv[0]' is the command. Returns 0 or a positive
 *  errno; writes output or an error message to 'out'. */
typedef int vsw_ctl_handler(void *aux, int argc, char **argv, struct vsw_buf *out);

struct vsw_ctl *vsw_ctl_create(const char *path, vsw_ctl_handler *handler, void *aux,
                               char *err, size_t err_size);

/** Waits up to 'timeout_ms' for socket activity and serves it. */
void vsw_ctl_poll(struct vsw_ctl *ctl, int timeout_ms);

void vsw_ctl_destroy(struct vsw_ctl *ctl);

#endif /* VSW_CTL_SERVER_H */
