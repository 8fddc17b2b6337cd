/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vswctl: command-line client of vswd's control socket.  Each invocation
 * sends one request and prints the answer (`monitor`: a stream of records,
 * until vswd closes it or vswctl is interrupted); the exit status is 0 on success,
 * 1 if vswd reported an error, 2 for usage or connection errors.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl/ctl_cmd_info.h"
#include "ctl/proto.h"

static void
usage(FILE *f)
{
    fprintf(f, "usage: vswctl [--ctl PATH] COMMAND [ARGS]\n\n"
               "Talks to vswd over its control socket (default $" VSW_CTL_ENV
               " or " VSW_DEFAULT_CTL ").\n\ncommands:\n");
    size_t n;
    const struct vsw_ctl_cmd_info *cmds = vsw_ctl_cmd_infos(&n);

    for (size_t i = 0; i < n; i++) {
        fprintf(f, "  %s\n", cmds[i].usage);
    }
    fprintf(f, "\nFlows use the ovs-ofctl syntax, e.g.\n"
               "  vswctl add-flow 'priority=100,udp,in_port=1,nw_dst=10.0.0.0/8,"
               "tp_dst=53,actions=mod_nw_dst:10.1.1.1,output:2'\n");
}

static char *
read_all(FILE *f, size_t *len)
{
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);

    while (buf) {
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0) {
            break;
        }
        if (n == cap) {
            cap *= 2;
            char *b = realloc(buf, cap);
            if (!b) {
                free(buf);
                return NULL;
            }
            buf = b;
        }
    }
    if (buf && ferror(f)) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

static int
send_all(int fd, const void *p_, size_t n)
{
    const char *p = p_;
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        p += w;
        n -= (size_t) w;
    }
    return 0;
}

static int
recv_all(int fd, void *p_, size_t n)
{
    char *p = p_;
    while (n) {
        ssize_t r = recv(fd, p, n, 0);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            return -1;
        }
        p += r;
        n -= (size_t) r;
    }
    return 0;
}

static uint32_t
get_le32(const uint8_t *p)
{
    return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16
           | (uint32_t) p[3] << 24;
}

int
main(int argc, char **argv)
{
    const char *ctl = getenv(VSW_CTL_ENV) ? getenv(VSW_CTL_ENV) : VSW_DEFAULT_CTL;
    int i = 1;

    while (i < argc && argv[i][0] == '-' && argv[i][1] == '-') {
        if (!strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--ctl") && i + 1 < argc) {
            ctl = argv[i + 1];
            i += 2;
        } else if (!strncmp(argv[i], "--ctl=", 6)) {
            ctl = argv[i] + 6;
            i++;
        } else {
            fprintf(stderr, "vswctl: unknown option \"%s\"; try --help\n", argv[i]);
            return 2;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return 2;
    }

    const struct vsw_ctl_cmd_info *cmd = vsw_ctl_cmd_info_find(argv[i]);
    if (!cmd) {
        fprintf(stderr, "vswctl: unknown command \"%s\"; try --help\n", argv[i]);
        return 2;
    }
    int n_args = argc - i - 1;
    for (int k = i + 1; k < argc; k++) {
        if (!strcmp(argv[k], "--help")) {
            printf("usage: vswctl %s\n", cmd->usage);
            return 0;
        }
    }
    if (n_args < cmd->min_args || n_args > cmd->max_args) {
        fprintf(stderr, "usage: vswctl %s\n", cmd->usage);
        return 2;
    }

    /* Build the request: NUL-separated arguments; a file travels as its text. */
    size_t len = 0, cap = 4096;
    char *req = malloc(cap), *text = NULL;
    int fd = -1, ret = 2;
    for (int k = i; k < argc && req; k++) {
        char *arg = argv[k];
        size_t alen;
        char *file_text = NULL;

        if (cmd->file_arg && k == i + 1) {
            FILE *f = strcmp(arg, "-") ? fopen(arg, "rb") : stdin;
            if (!f) {
                fprintf(stderr, "vswctl: %s: %s\n", arg, strerror(errno));
                goto out;
            }
            file_text = read_all(f, &alen);
            if (f != stdin) {
                fclose(f);
            }
            if (!file_text) {
                fprintf(stderr, "vswctl: %s: cannot read\n", arg);
                goto out;
            }
            if (memchr(file_text, '\0', alen)) {
                fprintf(stderr, "vswctl: %s: file contains a NUL byte\n", arg);
                free(file_text);
                goto out;
            }
            arg = file_text;
        } else {
            alen = strlen(arg);
        }
        while (len + alen + 1 > cap) {
            cap *= 2;
            char *r = realloc(req, cap);
            if (!r) {
                free(req);
                req = NULL;
                break;
            }
            req = r;
        }
        if (req) {
            memcpy(req + len, arg, alen);
            req[len + alen] = '\0';
            len += alen + 1;
        }
        free(file_text);
    }
    if (!req) {
        fprintf(stderr, "vswctl: out of memory\n");
        goto out;
    }
    if (len > VSW_CTL_MAX_REQ) {
        fprintf(stderr, "vswctl: request of %zu bytes is larger than the %u allowed\n", len,
                VSW_CTL_MAX_REQ);
        goto out;
    }

    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    if (strlen(ctl) >= sizeof sun.sun_path) {
        fprintf(stderr, "vswctl: %s: socket path too long\n", ctl);
        goto out;
    }
    strcpy(sun.sun_path, ctl);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *) &sun, sizeof sun)) {
        fprintf(stderr, "vswctl: cannot connect to vswd at %s: %s\n", ctl, strerror(errno));
        goto out;
    }
    uint8_t hdr[4] = { (uint8_t) len, (uint8_t) (len >> 8), (uint8_t) (len >> 16),
                       (uint8_t) (len >> 24) };
    /* If sending fails, vswd may have answered without reading the request
     * (too many connections, request too large): its answer says why. */
    int send_errno = send_all(fd, hdr, 4) || send_all(fd, req, len) ? errno : 0;
    free(req);
    req = NULL;

    uint8_t resp[8];
    if (recv_all(fd, resp, sizeof resp)) {
        if (send_errno) {
            fprintf(stderr, "vswctl: sending to vswd failed: %s\n", strerror(send_errno));
        } else {
            fprintf(stderr, "vswctl: vswd closed the connection without answering\n");
        }
        goto out;
    }
    uint32_t status = get_le32(resp), text_len = get_le32(resp + 4);
    if (!status && text_len == VSW_CTL_STREAM) {
        /* A subscription (monitor): copy the stream until vswd closes it
         * or we are interrupted. */
        char chunk[65536];
        ssize_t r;
        while ((r = recv(fd, chunk, sizeof chunk, 0)) != 0) {
            if (r < 0) {
                if (errno == EINTR) {
                    continue;
                }
                break;
            }
            if (fwrite(chunk, 1, (size_t) r, stdout) != (size_t) r || fflush(stdout)) {
                break;   /* Our reader went away. */
            }
        }
        ret = 0;
        goto out;
    }
    text = malloc((size_t) text_len + 1);
    if (!text || recv_all(fd, text, text_len)) {
        fprintf(stderr, "vswctl: truncated answer from vswd\n");
        goto out;
    }
    text[text_len] = '\0';
    if (status) {
        fprintf(stderr, "vswctl: %s: %s\n", argv[i], text);
        ret = 1;
    } else {
        fputs(text, stdout);
        ret = 0;
    }

out:
    if (fd >= 0) {
        close(fd);
    }
    free(req);
    free(text);
    return ret;
}
