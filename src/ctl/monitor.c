/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Control-socket subscriptions: the connections of `vswctl monitor`, which
 * stay open and receive a stream of records (packet-ins, flow removals) as
 * they happen.  The contract is in ctl_server.h; here is how it is kept.
 *
 * Each monitor has one buffer of VSW_CTL_MONITOR_BUF bytes, a ring,
 * allocated when it subscribes.  Publishing copies a record into every
 * monitor's ring if the whole record fits, else drops it for that monitor
 * only (counted per monitor and in ctl-stats); then it tries one
 * non-blocking send.  What the socket does not take waits for EPOLLOUT.
 * So a monitor that stops reading costs its buffer and nothing else: the
 * switch, the other monitors and the request/response clients go on.
 * Monitors have no idle timeout (waiting is what they do); a monitor that
 * disconnects (EOF, error, hang-up) is closed and unsubscribed when the
 * server handles its epoll event (never from inside a publish: see
 * monitor_flush()).
 * Anything a monitor sends after subscribing is read and ignored.
 *
 * Thread safety: control thread only, like the rest of the server.
 */

#define _GNU_SOURCE 1
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "ctl/ctl_server.h"
#include "ctl/ctl_server_int.h"
#include "ctl/proto.h"

int
vsw_ctl_subscribe(struct vsw_ctl *ctl, bool verbose)
{
    if (ctl->stats.monitors >= VSW_CTL_MAX_MONITORS) {
        ctl->stats.monitor_refused++;
        return EBUSY;
    }
    ctl->subscribe = true;
    ctl->subscribe_verbose = verbose;
    return 0;
}

unsigned
vsw_ctl_n_monitors(const struct vsw_ctl *ctl)
{
    return ctl->stats.monitors;
}

/* Epoll interest: always reads (to see the peer leave), writes while
 * something is held. */
static void
monitor_watch(struct vsw_ctl *ctl, struct client *c)
{
    struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | (c->mlen ? EPOLLOUT : 0),
                              .data.ptr = c };
    epoll_ctl(ctl->epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Appends 'len' bytes to the ring (the caller checked the room). */
static void
ring_put(struct client *c, const void *p, size_t len)
{
    size_t tail = (c->mhead + c->mlen) % VSW_CTL_MONITOR_BUF;
    size_t first = VSW_CTL_MONITOR_BUF - tail < len ? VSW_CTL_MONITOR_BUF - tail : len;

    memcpy(c->mbuf + tail, p, first);
    memcpy(c->mbuf, (const char *) p + first, len - first);
    c->mlen += len;
}

/* Sends what the socket takes now; false if the peer is gone.  Only the
 * handling of the client's own epoll event may close it ('may_close'):
 * publishing can happen while the server works through an epoll batch
 * (a del-flows that reports flow removals), in which a later event may
 * belong to this client.  Otherwise a gone peer is marked: nothing more is
 * queued for it, and its pending hang-up event closes it. */
static bool
monitor_flush(struct vsw_ctl *ctl, struct client *c, bool may_close)
{
    size_t had = c->mlen;

    while (c->mlen) {
        size_t first = VSW_CTL_MONITOR_BUF - c->mhead;
        struct iovec iov[2] = {
            { c->mbuf + c->mhead, first < c->mlen ? first : c->mlen },
            { c->mbuf, first < c->mlen ? c->mlen - first : 0 },
        };
        struct msghdr msg = { .msg_iov = iov, .msg_iovlen = iov[1].iov_len ? 2 : 1 };
        ssize_t w = sendmsg(c->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);

        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                break;
            }
            if (may_close) {
                ctl->stats.peer_gone++;
                ctl_client_close(ctl, c);
            } else {
                c->mgone = true;
                c->mlen = 0;
            }
            return false;
        }
        c->mhead = (c->mhead + (size_t) w) % VSW_CTL_MONITOR_BUF;
        c->mlen -= (size_t) w;
    }
    if (!c->mlen) {
        c->mhead = 0;
    }
    if (!had != !c->mlen) {
        monitor_watch(ctl, c);
    }
    return true;
}

void
ctl_monitor_start(struct vsw_ctl *ctl, struct client *c)
{
    uint8_t hdr[8];

    c->mbuf = malloc(VSW_CTL_MONITOR_BUF);
    if (!c->mbuf) {
        ctl_client_close(ctl, c);
        return;
    }
    free(c->buf);
    c->buf = NULL;
    ctl_list_remove(&ctl->reading, c);
    c->state = CLIENT_MONITOR;
    c->mverbose = ctl->subscribe_verbose;
    ctl_list_push_tail(&ctl->monitors, c);
    ctl->stats.monitors++;
    ctl->stats.subscribed++;
    ctl_put_le32(hdr, 0);
    ctl_put_le32(hdr + 4, VSW_CTL_STREAM);
    ring_put(c, hdr, sizeof hdr);
    monitor_watch(ctl, c);
    monitor_flush(ctl, c, true);   /* Its own event: dispatch() is done with it. */
}

void
ctl_monitor_event(struct vsw_ctl *ctl, struct client *c, uint32_t events)
{
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
        char junk[512];

        for (;;) {
            ssize_t n = recv(c->fd, junk, sizeof junk, MSG_DONTWAIT);
            if (n > 0) {
                continue;
            }
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                break;
            }
            ctl_client_close(ctl, c);   /* EOF or error: unsubscribed. */
            return;
        }
    }
    if (c->mgone) {
        ctl->stats.peer_gone++;
        ctl_client_close(ctl, c);
        return;
    }
    if (events & EPOLLOUT) {
        monitor_flush(ctl, c, true);
    }
}

void
vsw_ctl_publish(struct vsw_ctl *ctl, const char *text, size_t len)
{
    vsw_ctl_publish2(ctl, text, len, NULL, 0);
}

void
vsw_ctl_publish2(struct vsw_ctl *ctl, const char *text, size_t len, const char *more,
                 size_t more_len)
{
    struct client *c = ctl->monitors.head;

    for (; c; c = c->next) {
        size_t extra = c->mverbose ? more_len : 0;

        if (c->mgone) {
            continue;
        }
        if (VSW_CTL_MONITOR_BUF - c->mlen < len + extra) {
            c->mdrops++;
            ctl->stats.monitor_drops++;
        } else {
            ring_put(c, text, len);
            if (extra) {
                ring_put(c, more, extra);
            }
            ctl->stats.monitor_records++;
            monitor_flush(ctl, c, false);
        }
    }
}
