/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_CTL_PROTO_H
#define VSW_CTL_PROTO_H 1

/*
 * The control socket protocol between vswctl and vswd (unix stream socket).
 *
 *   request:  u32 length (little-endian), then 'length' bytes: the command
 *             and its arguments as NUL-terminated strings, one after another
 *             (a file's contents travel as one argument).
 *   response: u32 status (0 or a positive errno), u32 length, then 'length'
 *             bytes of text: the command's output, or the error message.
 *
 * One request per connection.  A subscription (`monitor`) is answered
 * with status 0 and length VSW_CTL_STREAM: text then follows until either
 * side closes the connection.  Requests larger than VSW_CTL_MAX_REQ are
 * refused with EMSGSIZE before anything is read.
 */

#include <stdint.h>

#define VSW_CTL_MAX_REQ (64u << 20)
#define VSW_CTL_MAX_ARGS 64
#define VSW_CTL_STREAM 0xffffffffu
#define VSW_DEFAULT_CTL "/run/vsw/vswd.ctl"
#define VSW_CTL_ENV "VSW_CTL"

#endif /* VSW_CTL_PROTO_H */
