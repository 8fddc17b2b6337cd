/* SPDX-License-Identifier: Apache-2.0 */
/* Control request decoding; see ctl_proto.h. */

#include <errno.h>
#include <string.h>

#include "ctl/ctl_proto.h"

int
vsw_ctl_decode_len(const uint8_t hdr[4], uint32_t *len, struct vsw_buf *err)
{
    *len = (uint32_t) hdr[0] | (uint32_t) hdr[1] << 8 | (uint32_t) hdr[2] << 16
           | (uint32_t) hdr[3] << 24;
    if (*len == 0 || *len > VSW_CTL_MAX_REQ) {
        vsw_buf_printf(err, "request of %u bytes refused (1..%u allowed)", *len,
                       VSW_CTL_MAX_REQ);
        return EMSGSIZE;
    }
    return 0;
}

int
vsw_ctl_split_args(const char *buf, size_t len, char **argv, int *argc, struct vsw_buf *err)
{
    size_t i = 0;
    int n = 0;

    if (!len || buf[len - 1] != '\0') {
        vsw_buf_printf(err, "malformed request: arguments must be NUL-terminated");
        return EPROTO;
    }
    while (i < len) {
        if (n == VSW_CTL_MAX_ARGS) {
            vsw_buf_printf(err, "too many arguments (at most %d)", VSW_CTL_MAX_ARGS);
            return E2BIG;
        }
        argv[n++] = (char *) buf + i;
        i += strlen(buf + i) + 1;
    }
    argv[n] = NULL;
    *argc = n;
    return 0;
}
