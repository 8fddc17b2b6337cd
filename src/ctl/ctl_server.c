/* SPDX-License-Identifier: Apache-2.0 */
/* Control socket server; the design and its guarantees are in ctl_server.h. */

#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <linux/sockios.h>

#include "ctl/ctl_proto.h"
#include "ctl/ctl_server.h"
#include "ctl/ctl_server_int.h"
#include "ctl/proto.h"

void
ctl_list_remove(struct client_list *l, struct client *c)
{
    *(c->prev ? &c->prev->next : &l->head) = c->next;
    *(c->next ? &c->next->prev : &l->tail) = c->prev;
    c->prev = c->next = NULL;
}

void
ctl_list_push_tail(struct client_list *l, struct client *c)
{
    c->next = NULL;
    c->prev = l->tail;
    *(l->tail ? &l->tail->next : &l->head) = c;
    l->tail = c;
}

static struct client_list *
client_list(struct vsw_ctl *ctl, struct client *c)
{
    return c->state == CLIENT_READING ? &ctl->reading
           : c->state == CLIENT_WRITING ? &ctl->writing : &ctl->monitors;
}

void
ctl_client_close(struct vsw_ctl *ctl, struct client *c)
{
    ctl_list_remove(client_list(ctl, c), c);
    epoll_ctl(ctl->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    ctl->stats.out_bytes -= c->charged;
    ctl->stats.n_clients--;
    if (c->state == CLIENT_MONITOR) {
        ctl->stats.monitors--;
    }
    free(c->buf);
    free(c->reply);
    free(c->mbuf);
    free(c);
}

void
ctl_put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t) v;
    p[1] = (uint8_t) (v >> 8);
    p[2] = (uint8_t) (v >> 16);
    p[3] = (uint8_t) (v >> 24);
}

/* One non-blocking attempt to send a short reply to a connection that we
 * are about to close anyway.  A fresh unix socket's buffer always has room
 * for it; if not, the client was not listening and loses nothing it wanted. */
static void
send_short_reply(int fd, int status, const char *text)
{
    uint8_t msg[REPLY_HDR + 256];
    size_t len = strlen(text);   /* 'text' is a NUL-terminated message of ours. */

    if (len > sizeof msg - REPLY_HDR) {
        len = sizeof msg - REPLY_HDR;
    }

    ctl_put_le32(msg, (uint32_t) status);
    ctl_put_le32(msg + 4, (uint32_t) len);
    memcpy(msg + REPLY_HDR, text, len);
    while (send(fd, msg, REPLY_HDR + len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 && errno == EINTR) {
        continue;
    }
}

/* Bytes written to 'fd' that the peer has not read yet, as the kernel
 * accounts them (whole buffers, freed once the reader has taken all of one). */
static int
unread_bytes(int fd)
{
    int q = 0;

    return ioctl(fd, SIOCOUTQ, &q) ? 0 : q;
}

/* Writes as much of the reply as the socket takes now; closes the client
 * when all of it is written or the peer is gone. */
static void
client_flush(struct vsw_ctl *ctl, struct client *c)
{
    size_t total = REPLY_HDR + c->reply_len;
    bool progress = false;

    while (c->sent < total) {
        struct iovec iov[2];
        struct msghdr msg = { .msg_iov = iov };
        size_t off = c->sent < REPLY_HDR ? 0 : c->sent - REPLY_HDR;

        if (c->sent < REPLY_HDR) {
            iov[msg.msg_iovlen++] = (struct iovec) { c->reply_hdr + c->sent,
                                                     REPLY_HDR - c->sent };
        }
        if (off < c->reply_len) {
            iov[msg.msg_iovlen++] = (struct iovec) { c->reply + off, c->reply_len - off };
        }
        ssize_t w = sendmsg(c->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                break;
            }
            ctl->stats.peer_gone++;   /* EPIPE, ECONNRESET: it left. */
            ctl_client_close(ctl, c);
            return;
        }
        c->sent += (size_t) w;
        progress = true;
    }
    if (c->sent == total) {
        ctl->stats.served++;
        ctl_client_close(ctl, c);
        return;
    }
    if (progress) {
        c->since_ns = vsw_now_ns();
        c->outq = unread_bytes(c->fd);
        ctl_list_remove(&ctl->writing, c);
        ctl_list_push_tail(&ctl->writing, c);
    }
}

/* Queues the reply ('text' is taken over) and starts writing it.  The caps
 * are applied here: an over-limit reply becomes a short error. */
static void
client_reply(struct vsw_ctl *ctl, struct client *c, int status, struct vsw_buf *text)
{
    size_t size = REPLY_HDR + text->len;
    struct vsw_buf err = { 0 };

    if (size > ctl->cfg.client_out_max) {
        vsw_buf_printf(&err, "reply of %zu bytes is larger than the control socket's limit of "
                       "%zu bytes per client; ask for less (e.g. dump-flows MATCH)",
                       text->len, ctl->cfg.client_out_max - REPLY_HDR);
        status = EFBIG;
        ctl->stats.reply_too_big++;
    } else if (size > VSW_CTL_SMALL_REPLY
               && ctl->stats.out_bytes + size > ctl->cfg.total_out_max) {
        vsw_buf_printf(&err, "control socket output buffers full (%zu bytes still being "
                       "sent to other clients); try again", ctl->stats.out_bytes);
        status = EBUSY;
        ctl->stats.output_full++;
    }
    if (err.len) {
        vsw_buf_free(text);
        *text = err;
    }
    vsw_buf_cstr(text);   /* 'reply' is never NULL, even for empty output. */
    c->reply = text->s;
    c->reply_len = text->len;
    *text = (struct vsw_buf) { 0 };
    ctl_put_le32(c->reply_hdr, (uint32_t) status);
    ctl_put_le32(c->reply_hdr + 4, (uint32_t) c->reply_len);
    c->charged = REPLY_HDR + c->reply_len;
    ctl->stats.out_bytes += c->charged;
    free(c->buf);
    c->buf = NULL;

    ctl_list_remove(&ctl->reading, c);
    c->state = CLIENT_WRITING;
    c->since_ns = vsw_now_ns();
    ctl_list_push_tail(&ctl->writing, c);
    /* Only EPOLLOUT from now on: one request per connection, so anything
     * more the client sends is ignored. */
    struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = c };
    epoll_ctl(ctl->epfd, EPOLL_CTL_MOD, c->fd, &ev);
    client_flush(ctl, c);
}

static void
client_reply_text(struct vsw_ctl *ctl, struct client *c, int status, const char *text)
{
    struct vsw_buf b = { 0 };

    vsw_buf_printf(&b, "%s", text);
    client_reply(ctl, c, status, &b);
}

static void
dispatch(struct vsw_ctl *ctl, struct client *c)
{
    char *argv[VSW_CTL_MAX_ARGS + 1];
    int argc = 0;
    struct vsw_buf out = { 0 };
    int status;

    status = vsw_ctl_split_args(c->buf, c->len, argv, &argc, &out);
    ctl->subscribe = false;
    if (status) {
        ctl->stats.bad_requests++;
    } else {
        status = ctl->handler(ctl->aux, argc, argv, &out);
    }
    if (!status && ctl->subscribe) {
        ctl->subscribe = false;
        vsw_buf_free(&out);
        ctl_monitor_start(ctl, c);
        return;
    }
    client_reply(ctl, c, status, &out);
}

/* Reads what has arrived of the request; dispatches it once complete. */
static void
client_read(struct vsw_ctl *ctl, struct client *c)
{
    for (;;) {
        ssize_t n;

        if (c->hdr_got < 4) {
            n = recv(c->fd, c->hdr + c->hdr_got, 4 - c->hdr_got, MSG_DONTWAIT);
        } else {
            n = recv(c->fd, c->buf + c->got, c->len - c->got, MSG_DONTWAIT);
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return;
        }
        if (n <= 0) {
            /* Gone before finishing its request: nothing happened. */
            ctl->stats.peer_gone++;
            ctl_client_close(ctl, c);
            return;
        }
        if (c->hdr_got < 4) {
            c->hdr_got += (size_t) n;
            if (c->hdr_got < 4) {
                continue;
            }
            struct vsw_buf msg = { 0 };
            if (vsw_ctl_decode_len(c->hdr, &c->len, &msg)) {
                ctl->stats.bad_requests++;
                client_reply(ctl, c, EMSGSIZE, &msg);
                return;
            }
            c->buf = malloc(c->len);
            if (!c->buf) {
                client_reply_text(ctl, c, ENOMEM, "out of memory");
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

/* Accepts one connection and either serves it or tells it why not. */
static void
client_accept(struct vsw_ctl *ctl, int fd)
{
    struct client *c = NULL;

    ctl->stats.accepted++;
    if (ctl->stats.n_clients < ctl->cfg.max_clients) {
        c = calloc(1, sizeof *c);
    }
    if (!c) {
        char msg[128];
        snprintf(msg, sizeof msg, ctl->stats.n_clients < ctl->cfg.max_clients
                 ? "out of memory; try again" : "too many control connections (%u); try again",
                 ctl->cfg.max_clients);
        send_short_reply(fd, EBUSY, msg);
        close(fd);
        ctl->stats.refused_busy++;
        return;
    }
    c->fd = fd;
    c->state = CLIENT_READING;
    c->since_ns = vsw_now_ns();
    ctl_list_push_tail(&ctl->reading, c);
    ctl->stats.n_clients++;
    struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.ptr = c };
    if (epoll_ctl(ctl->epfd, EPOLL_CTL_ADD, fd, &ev)) {
        send_short_reply(fd, EBUSY, "vswd cannot watch the connection; try again");
        ctl->stats.refused_busy++;
        ctl_client_close(ctl, c);
    }
}

static void
accept_clients(struct vsw_ctl *ctl)
{
    for (int i = 0; i < ACCEPTS_PER_POLL; i++) {
        int fd = accept4(ctl->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

        if (fd >= 0) {
            client_accept(ctl, fd);
        } else if (errno == EINTR || errno == ECONNABORTED) {
            continue;
        } else if ((errno == EMFILE || errno == ENFILE) && ctl->spare_fd >= 0) {
            /* Out of descriptors: free the spare to answer this client. */
            close(ctl->spare_fd);
            fd = accept4(ctl->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd >= 0) {
                ctl->stats.accepted++;
                ctl->stats.refused_busy++;
                send_short_reply(fd, EBUSY, "vswd is out of file descriptors; try again");
                close(fd);
            }
            ctl->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
                break;
            }
        } else {
            if (errno == EMFILE || errno == ENFILE) {
                VSW_LOG(VSW_LOG_WARN, "control socket: out of file descriptors");
            }
            break;   /* EAGAIN: none left. */
        }
    }
}

/* Closes clients past their deadline; returns the time to the next one in
 * ms (rounded up), or -1 if there is none. */
static int
expire_clients(struct vsw_ctl *ctl)
{
    uint64_t now = vsw_now_ns(), idle_ns = ctl->cfg.idle_ms * 1000000ull;
    uint64_t next = UINT64_MAX;
    struct client *c;

    while ((c = ctl->reading.head) && now - c->since_ns >= idle_ns) {
        char msg[128];
        snprintf(msg, sizeof msg, "request not complete within %.1f s of connecting",
                 (double) ctl->cfg.idle_ms / 1000.0);
        send_short_reply(c->fd, ETIMEDOUT, msg);
        ctl->stats.idle_timeouts++;
        ctl_client_close(ctl, c);
    }
    while ((c = ctl->writing.head) && now - c->since_ns >= idle_ns) {
        /* epoll reports the socket writable only once the reader has
         * drained most of the buffer; a reader that took less than that
         * still moved, which SIOCOUTQ shows. */
        int q = unread_bytes(c->fd);
        if (q < c->outq) {
            c->outq = q;
            c->since_ns = now;
            ctl_list_remove(&ctl->writing, c);
            ctl_list_push_tail(&ctl->writing, c);
            continue;
        }
        VSW_LOG(VSW_LOG_DBG, "control client took none of its reply for %.1f s "
                "(%zu of %zu bytes sent): disconnected", (double) ctl->cfg.idle_ms / 1000.0,
                c->sent, REPLY_HDR + c->reply_len);
        ctl->stats.write_stalls++;
        ctl_client_close(ctl, c);
    }
    if (ctl->reading.head) {
        next = ctl->reading.head->since_ns + idle_ns;
    }
    if (ctl->writing.head && ctl->writing.head->since_ns + idle_ns < next) {
        next = ctl->writing.head->since_ns + idle_ns;
    }
    if (next == UINT64_MAX) {
        return -1;
    }
    return (int) ((next - now + 999999) / 1000000);
}

struct vsw_ctl *
vsw_ctl_create(const char *path, const struct vsw_ctl_config *cfg, vsw_ctl_handler *handler,
               void *aux, char *err, size_t err_size)
{
    struct vsw_ctl *ctl = calloc(1, sizeof *ctl);
    struct sockaddr_un sun = { .sun_family = AF_UNIX };

    if (!ctl) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    ctl->cfg = *cfg;
    if (strlen(path) >= sizeof sun.sun_path) {
        snprintf(err, err_size, "%s: socket path too long", path);
        free(ctl);
        return NULL;
    }
    /* Create the directory if it is missing (e.g. /run/vsw). */
    char *dir = strdup(path), *slash = dir ? strrchr(dir, '/') : NULL;
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
    /* A backlog as deep as the client limit: a burst of clients waits in
     * the kernel instead of failing to connect. */
    if (bind(ctl->listen_fd, (struct sockaddr *) &sun, sizeof sun)
        || listen(ctl->listen_fd, (int) (cfg->max_clients < 4096 ? cfg->max_clients : 4096))) {
        snprintf(err, err_size, "%s: %s", path, strerror(errno));
        close(ctl->listen_fd);
        free(ctl);
        return NULL;
    }
    ctl->epfd = epoll_create1(EPOLL_CLOEXEC);
    ctl->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
    if (ctl->epfd < 0 || ctl->spare_fd < 0
        || epoll_ctl(ctl->epfd, EPOLL_CTL_ADD, ctl->listen_fd, &ev)) {
        snprintf(err, err_size, "epoll: %s", strerror(errno));
        close(ctl->listen_fd);
        if (ctl->epfd >= 0) {
            close(ctl->epfd);
        }
        if (ctl->spare_fd >= 0) {
            close(ctl->spare_fd);
        }
        unlink(path);
        free(ctl);
        return NULL;
    }
    ctl->path = strdup(path);
    ctl->handler = handler;
    ctl->aux = aux;
    return ctl;
}

/* Which watched eventfd epoll data 'p' stands for, or -1. */
static int
wake_index(const struct vsw_ctl *ctl, const void *p)
{
    for (unsigned i = 0; i < ctl->n_wake; i++) {
        if (p == &ctl->wake_tag[i]) {
            return (int) i;
        }
    }
    return -1;
}

void
vsw_ctl_poll(struct vsw_ctl *ctl, int timeout_ms)
{
    struct epoll_event evs[64];
    int next = expire_clients(ctl);
    int n = epoll_wait(ctl->epfd, evs, 64, next >= 0 && next < timeout_ms ? next : timeout_ms);

    for (int i = 0; i < n; i++) {
        struct client *c = evs[i].data.ptr;

        /* Each client has at most one event in the batch and only its own
         * handling can free it, so 'c' is valid here. */
        int wake = wake_index(ctl, evs[i].data.ptr);
        if (wake >= 0) {
            uint64_t v;
            ssize_t r = read(ctl->wake_fd[wake], &v, sizeof v);   /* Non-blocking. */
            (void) r;
        } else if (!c) {
            accept_clients(ctl);
        } else if (c->state == CLIENT_READING) {
            client_read(ctl, c);
        } else if (c->state == CLIENT_MONITOR) {
            ctl_monitor_event(ctl, c, evs[i].events);
        } else {
            client_flush(ctl, c);
        }
    }
    expire_clients(ctl);
}

int
vsw_ctl_watch_eventfd(struct vsw_ctl *ctl, int fd)
{
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &ctl->wake_tag[ctl->n_wake] };

    if (ctl->n_wake == CTL_MAX_WAKE) {
        return EBUSY;
    }
    if (epoll_ctl(ctl->epfd, EPOLL_CTL_ADD, fd, &ev)) {
        return errno;
    }
    ctl->wake_fd[ctl->n_wake++] = fd;
    return 0;
}

void
vsw_ctl_get_stats(const struct vsw_ctl *ctl, struct vsw_ctl_stats *stats)
{
    *stats = ctl->stats;
}

const struct vsw_ctl_config *
vsw_ctl_get_config(const struct vsw_ctl *ctl)
{
    return &ctl->cfg;
}

void
vsw_ctl_destroy(struct vsw_ctl *ctl)
{
    if (!ctl) {
        return;
    }
    while (ctl->reading.head) {
        ctl_client_close(ctl, ctl->reading.head);
    }
    while (ctl->writing.head) {
        ctl_client_close(ctl, ctl->writing.head);
    }
    while (ctl->monitors.head) {
        ctl_client_close(ctl, ctl->monitors.head);
    }
    close(ctl->listen_fd);
    close(ctl->epfd);
    if (ctl->spare_fd >= 0) {
        close(ctl->spare_fd);
    }
    unlink(ctl->path);
    free(ctl->path);
    free(ctl);
}
