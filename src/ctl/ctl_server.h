/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_CTL_SERVER_H
#define VSW_CTL_SERVER_H 1

/*
 * Control socket server: accepts vswctl connections on a unix socket and
 * hands each complete request to a handler (protocol: proto.h, one request
 * per connection).
 *
 * What it guarantees: no client can block the control thread, and through
 * it rule changes, the handler's wake-ups or another client.  Every socket
 * is O_NONBLOCK and the server only ever does non-blocking I/O:
 *
 *  - A request is read as it arrives.  A connection that has not delivered
 *    its whole request within the idle timeout of connecting is answered
 *    ETIMEDOUT (best effort) and closed; trickling bytes does not extend it.
 *  - A reply is kept in the client's output buffer and written whenever
 *    epoll says the socket can take more (EPOLLOUT).  The connection is
 *    closed once the last byte is written.  A client that has not taken a
 *    single byte for the idle timeout is disconnected ("write stall").
 *    Progress is what the kernel shows: a send that took bytes, or, checked
 *    at the deadline, a drop in the socket's unread bytes (SIOCOUTQ).  The
 *    kernel frees buffer space one skb (up to ~36 KB) at a time, so a
 *    reader must take about that much per timeout to count as moving.
 *  - Memory is bounded: a reply larger than the per-client cap is replaced
 *    by an EFBIG error, and one that would take the total held for all
 *    clients over the total cap by an EBUSY error ("try again"); small
 *    replies (at most VSW_CTL_SMALL_REPLY bytes) are always allowed so
 *    `vswctl show` keeps working while big dumps drain.
 *  - At most max_clients connections are served at once.  The next one is
 *    accepted, answered EBUSY "too many control connections (N); try
 *    again" and closed: never dropped silently.  If the process runs out of
 *    descriptors, a spare descriptor kept for the purpose is released to
 *    accept and answer the same way.
 *  - Timeouts are deadlines kept in two lists in deadline order (requests
 *    by connect time, replies by last progress), so expiry is O(1) per
 *    client and vsw_ctl_poll() sleeps in epoll only until the next one.
 *
 * Every way a connection ends is counted (struct vsw_ctl_stats).
 *
 * Thread safety: control thread only (the handler runs on it too).
 */

#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct vsw_ctl;

/** Handles one request: 'argv[0]' is the command. Returns 0 or a positive
 *  errno; writes output or an error message to 'out'. */
typedef int vsw_ctl_handler(void *aux, int argc, char **argv, struct vsw_buf *out);

/* Defaults.  A production switch sees a handful of clients at once (CLI,
 * an agent, monitoring); 1024 leaves room for bursts of scripts.  10 s is
 * far longer than any local client needs to send a request. */
#define VSW_CTL_DEFAULT_MAX_CLIENTS 1024u
#define VSW_CTL_DEFAULT_IDLE_MS 10000u
/* dump-flows of 100 000 typical rules is about 16.6 MB (~166 bytes a rule):
 * the per-client cap fits ~800 000 such rules; the total cap two maximal
 * replies, or fifteen 100 000-rule dumps, draining at once. */
#define VSW_CTL_CLIENT_OUT_MAX ((size_t) 128 << 20)
#define VSW_CTL_TOTAL_OUT_MAX ((size_t) 256 << 20)
#define VSW_CTL_SMALL_REPLY 4096u

struct vsw_ctl_config {
    unsigned max_clients;     /**< Connections served at once. */
    uint64_t idle_ms;         /**< Request and write-stall timeout. */
    size_t client_out_max;    /**< Largest reply (header included) held for one client. */
    size_t total_out_max;     /**< Reply bytes held for all clients together. */
};

/** Counters since start, and the current state. */
struct vsw_ctl_stats {
    uint64_t accepted;        /**< Connections accepted (refused ones included). */
    uint64_t served;          /**< Replies written completely. */
    uint64_t refused_busy;    /**< Over max_clients or out of descriptors: EBUSY. */
    uint64_t idle_timeouts;   /**< Request not complete within the idle timeout. */
    uint64_t write_stalls;    /**< Reply not taken for the idle timeout: disconnected. */
    uint64_t reply_too_big;   /**< Reply over the per-client cap: replaced by EFBIG. */
    uint64_t output_full;     /**< Total cap reached: reply replaced by EBUSY. */
    uint64_t bad_requests;    /**< Oversized or malformed requests. */
    uint64_t peer_gone;       /**< Client closed before its reply was written. */
    uint64_t subscribed;      /**< Monitors ever subscribed (vswctl monitor). */
    uint64_t monitor_refused; /**< Subscriptions refused: VSW_CTL_MAX_MONITORS. */
    uint64_t monitor_records; /**< Records queued to monitors (per monitor). */
    uint64_t monitor_drops;   /**< Records dropped: a monitor's buffer was full. */
    unsigned monitors;        /**< Monitors connected now. */
    unsigned n_clients;       /**< Connections open now. */
    size_t out_bytes;         /**< Reply bytes held now. */
};

/*
 * Subscriptions (monitor.c).  A command handler that calls
 * vsw_ctl_subscribe() and returns 0 turns its connection into a monitor:
 * the reply header says "stream" (length VSW_CTL_STREAM) and the
 * connection stays open; every vsw_ctl_publish() appends a record to each
 * monitor's buffer.  A monitor never blocks the switch or another client:
 * its buffer is bounded (VSW_CTL_MONITOR_BUF); a record that does not fit
 * whole is dropped and counted; the socket is written only when epoll
 * says it has room.  A disconnect unsubscribes.  At most
 * VSW_CTL_MAX_MONITORS at once; the next is refused with EBUSY.
 */
#define VSW_CTL_MONITOR_BUF ((size_t) 256 << 10)
#define VSW_CTL_MAX_MONITORS 64u

/** From a command handler: make this request's connection a monitor;
 *  'verbose': it also gets each record's verbose part (vsw_ctl_publish2()).
 *  Returns EBUSY (with nothing changed) if there are too many. */
int vsw_ctl_subscribe(struct vsw_ctl *ctl, bool verbose);

/** Appends the record 'text' ('len' bytes) to every monitor's buffer. */
void vsw_ctl_publish(struct vsw_ctl *ctl, const char *text, size_t len);

/** vsw_ctl_publish(), with 'more' ('more_len' bytes, e.g. a hex dump of the
 *  packet) after 'text' for verbose monitors: one record either way. */
void vsw_ctl_publish2(struct vsw_ctl *ctl, const char *text, size_t len, const char *more,
                      size_t more_len);

/** Monitors connected now. */
unsigned vsw_ctl_n_monitors(const struct vsw_ctl *ctl);

struct vsw_ctl *vsw_ctl_create(const char *path, const struct vsw_ctl_config *cfg,
                               vsw_ctl_handler *handler, void *aux, char *err, size_t err_size);

/** Waits up to 'timeout_ms' (less if a client's deadline comes first) for
 *  socket activity, serves it and expires clients past their deadline. */
void vsw_ctl_poll(struct vsw_ctl *ctl, int timeout_ms);

/** Makes vsw_ctl_poll() also return when eventfd 'fd' is signalled (it
 *  reads the fd to reset it): another thread's doorbell for work the
 *  control thread does after each poll.  Up to four; 0 or an errno. */
int vsw_ctl_watch_eventfd(struct vsw_ctl *ctl, int fd);

void vsw_ctl_get_stats(const struct vsw_ctl *ctl, struct vsw_ctl_stats *stats);
const struct vsw_ctl_config *vsw_ctl_get_config(const struct vsw_ctl *ctl);

void vsw_ctl_destroy(struct vsw_ctl *ctl);

#endif /* VSW_CTL_SERVER_H */
