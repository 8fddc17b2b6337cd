/* SPDX-License-Identifier: Apache-2.0 */
/* Control socket server; see ctl_server.h and proto.h. */

#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl/ctl_server.h"
#include "ctl/proto.h"

#define MAX_CLIENTS 64
#define CLIENT_IDLE_NS (10ull * 1000000000ull) /* Drop a client silent for 10 s. */

struct client {
    int fd;                 /* -1 if the slot is free. */
    uint8_t hdr[4];         /* Length prefix being read. */
    size_t hdr_got;
    uint32_t len;           /* Payload length, once known. */
    char *buf;              /* Payload. */
    size_t got;
    uint64_t last_ns;       /* Last activity. */
};

struct vsw_ctl {
    int listen_fd;
    int epfd;
    char *path;
    vsw_ctl_handler *handler;
    void *aux;
    struct client clients[MAX_CLIENTS];
};

static void
client_close(struct vsw_ctl *ctl, struct client *c)
{
    if (c->fd >= 0) {
        epoll_ctl(ctl->epfd, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
    }
    free(c->buf);
    memset(c, 0, sizeof *c);
    c->fd = -1;
}

static void
send_all(int fd, const void *data, size_t n)
{
    const char *p = data;
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN) {
                /* The socket is blocking with a send timeout; give up. */
            }
            return;
        }
        p += w;
        n -= (size_t) w;
    }
}

static void
respond(struct client *c, int status, const char *text, size_t len)
{
    uint32_t hdr[2] = { (uint32_t) status, (uint32_t) len };
    int flags = fcntl(c->fd, F_GETFL);
    struct timeval tv = { .tv_sec = 5 };

    /* Send blocking (bounded by a timeout): responses can be large. */
    fcntl(c->fd, F_SETFL, flags & ~O_NONBLOCK);
    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    send_all(c->fd, hdr, sizeof hdr);
    send_all(c->fd, text, len);
}

static void
dispatch(struct vsw_ctl *ctl, struct client *c)
{
    char *argv[VSW_CTL_MAX_ARGS + 1];
    int argc = 0;
    size_t i = 0;
    struct vsw_buf out = { 0 };
    int status;

    if (!c->len || c->buf[c->len - 1] != '\0') {
        vsw_buf_printf(&out, "malformed request: arguments must be NUL-terminated");
        status = EPROTO;
        goto reply;
    }
    while (i < c->len) {
        if (argc == VSW_CTL_MAX_ARGS) {
            vsw_buf_printf(&out, "too many arguments (at most %d)", VSW_CTL_MAX_ARGS);
            status = E2BIG;
            goto reply;
        }
        argv[argc++] = c->buf + i;
        i += strlen(c->buf + i) + 1;
    }
    argv[argc] = NULL;
    status = ctl->handler(ctl->aux, argc, argv, &out);

reply:
    respond(c, status, vsw_buf_cstr(&out), out.len);
    vsw_buf_free(&out);
    client_close(ctl, c);
}

static void
client_read(struct vsw_ctl *ctl, struct client *c)
{
    for (;;) {
        ssize_t n;

        if (c->hdr_got < 4) {
            n = recv(c->fd, c->hdr + c->hdr_got, 4 - c->hdr_got, 0);
        } else {
            n = recv(c->fd, c->buf + c->got, c->len - c->got, 0);
        }
        if (n == 0) {
            /* Peer went away before finishing its request: nothing happened. */
            client_close(ctl, c);
            return;
        }
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                return;
            }
            if (errno == EINTR) {
                continue;
            }
            client_close(ctl, c);
            return;
        }
        c->last_ns = vsw_now_ns();
        if (c->hdr_got < 4) {
            c->hdr_got += (size_t) n;
            if (c->hdr_got < 4) {
                continue;
            }
            c->len = (uint32_t) c->hdr[0] | (uint32_t) c->hdr[1] << 8
                     | (uint32_t) c->hdr[2] << 16 | (uint32_t) c->hdr[3] << 24;
            if (c->len == 0 || c->len > VSW_CTL_MAX_REQ) {
                char msg[128];
                int len = snprintf(msg, sizeof msg,
                                   "request of %u bytes refused (1..%u allowed)",
                                   c->len, VSW_CTL_MAX_REQ);
                respond(c, EMSGSIZE, msg, (size_t) len);
                client_close(ctl, c);
                return;
            }
            c->buf = malloc(c->len);
            if (!c->buf) {
                respond(c, ENOMEM, "out of memory", 13);
                client_close(ctl, c);
                return;
            }
            continue;
        }
        c->got += (size_t) n;
        if (c->got == c->len) {
            dispatch(ctl, c);
            return;
        }
    }
}

struct vsw_ctl *
vsw_ctl_create(const char *path, vsw_ctl_handler *handler, void *aux, char *err, size_t err_size)
{
    struct vsw_ctl *ctl = calloc(1, sizeof *ctl);
    struct sockaddr_un sun = { .sun_family = AF_UNIX };

    if (!ctl) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    for (int i = 0; i < MAX_CLIENTS; i++) {
        ctl->clients[i].fd = -1;
    }
    if (strlen(path) >= sizeof sun.sun_path) {
        snprintf(err, err_size, "%s: socket path too long", path);
        free(ctl);
        return NULL;
    }
    /* Create the directory if it is missing (e.g. /run/vsw). */
    char *dir = strdup(path), *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        mkdir(dir, 0755);
    }
    free(dir);

    strcpy(sun.sun_path, path);
    ctl->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (ctl->listen_fd < 0) {
        snprintf(err, err_size, "socket: %s", strerror(errno));
        free(ctl);
        return NULL;
    }
    /* Refuse to steal the socket of a running vswd. */
    int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (probe >= 0 && !connect(probe, (struct sockaddr *) &sun, sizeof sun)) {
        close(probe);
        close(ctl->listen_fd);
        snprintf(err, err_size, "%s: another vswd is listening there", path);
        free(ctl);
        return NULL;
    }
    if (probe >= 0) {
        close(probe);
    }
    unlink(path);
    if (bind(ctl->listen_fd, (struct sockaddr *) &sun, sizeof sun)
        || listen(ctl->listen_fd, 16)) {
        snprintf(err, err_size, "%s: %s", path, strerror(errno));
        close(ctl->listen_fd);
        free(ctl);
        return NULL;
    }
    ctl->epfd = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
    epoll_ctl(ctl->epfd, EPOLL_CTL_ADD, ctl->listen_fd, &ev);
    ctl->path = strdup(path);
    ctl->handler = handler;
    ctl->aux = aux;
    return ctl;
}

void
vsw_ctl_poll(struct vsw_ctl *ctl, int timeout_ms)
{
    struct epoll_event evs[16];
    int n = epoll_wait(ctl->epfd, evs, 16, timeout_ms);

    for (int i = 0; i < n; i++) {
        if (!evs[i].data.ptr) {
            for (;;) {
                int fd = accept4(ctl->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (fd < 0) {
                    break;
                }
                struct client *c = NULL;
                for (int k = 0; k < MAX_CLIENTS; k++) {
                    if (ctl->clients[k].fd < 0) {
                        c = &ctl->clients[k];
                        break;
                    }
                }
                if (!c) {
                    close(fd); /* Too many clients at once. */
                    continue;
                }
                c->fd = fd;
                c->last_ns = vsw_now_ns();
                struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.ptr = c };
                epoll_ctl(ctl->epfd, EPOLL_CTL_ADD, fd, &ev);
            }
        } else {
            struct client *c = evs[i].data.ptr;
            if (c->fd >= 0) {
                client_read(ctl, c);
            }
        }
    }
    /* Drop clients that stalled half-way through a request. */
    uint64_t now = vsw_now_ns();
    for (int k = 0; k < MAX_CLIENTS; k++) {
        if (ctl->clients[k].fd >= 0 && now - ctl->clients[k].last_ns > CLIENT_IDLE_NS) {
            client_close(ctl, &ctl->clients[k]);
        }
    }
}

void
vsw_ctl_destroy(struct vsw_ctl *ctl)
{
    if (!ctl) {
        return;
    }
    for (int k = 0; k < MAX_CLIENTS; k++) {
        if (ctl->clients[k].fd >= 0) {
            client_close(ctl, &ctl->clients[k]);
        }
    }
    close(ctl->listen_fd);
    close(ctl->epfd);
    unlink(ctl->path);
    free(ctl->path);
    free(ctl);
}
