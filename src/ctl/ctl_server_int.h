/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_CTL_SERVER_INT_H
#define VSW_CTL_SERVER_INT_H 1

/*
 * The control server's internals, shared by ctl_server.c (requests and
 * replies) and monitor.c (subscriptions).  Not for use outside them.
 *
 * Thread safety: control thread only.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl/ctl_server.h"

#define ACCEPTS_PER_POLL 64   /* Then serve the clients we have before more. */
#define REPLY_HDR 8
#define CTL_MAX_WAKE 4        /* Eventfds vsw_ctl_poll() watches. */

enum client_state {
    CLIENT_READING,           /* Receiving the request. */
    CLIENT_WRITING,           /* Sending the reply. */
    CLIENT_MONITOR,           /* Subscribed to packet-ins (monitor.c). */
};

struct client {
    int fd;                   /* The connection. */
    enum client_state state;  /* Which list it is on and what epoll waits for. */
    struct client *prev;      /* Neighbours in ctl->reading or ctl->writing, */
    struct client *next;      /* oldest deadline first. */
    uint64_t since_ns;        /* READING: accept time; WRITING: last byte taken. */
    uint8_t hdr[4];           /* Request length prefix being read. */
    size_t hdr_got;           /* Bytes of 'hdr' received. */
    uint32_t len;             /* Request payload length, once known. */
    char *buf;                /* Request payload. */
    size_t got;               /* Bytes of 'buf' received. */
    uint8_t reply_hdr[REPLY_HDR]; /* Status and length, little-endian. */
    char *reply;              /* Reply text (owned). */
    size_t reply_len;         /* Its length. */
    size_t sent;              /* Bytes of header + text written. */
    size_t charged;           /* Bytes counted in ctl->stats.out_bytes. */
    int outq;                 /* SIOCOUTQ at 'since_ns': unread bytes in the socket. */
    /* CLIENT_MONITOR (monitor.c): a bounded ring of whole records. */
    char *mbuf;               /* MONITOR_BUF bytes. */
    size_t mhead, mlen;       /* First unsent byte, bytes held. */
    uint64_t mdrops;          /* Records dropped for lack of room. */
    bool mgone;               /* The peer went away during a publish: closed
                               * at its next epoll event. */
    bool mverbose;            /* Gets records' verbose parts too. */
};

struct client_list {
    struct client *head;      /* Earliest deadline. */
    struct client *tail;      /* Latest deadline. */
};

struct vsw_ctl {
    int listen_fd;            /* The unix socket clients connect to. */
    int epfd;                 /* Listen socket (data NULL) and every client. */
    int spare_fd;             /* Released to answer a client when out of fds. */
    char *path;               /* Socket path, unlinked at destroy. */
    vsw_ctl_handler *handler; /* Runs each request. */
    void *aux;                /* Its argument. */
    struct vsw_ctl_config cfg; /* Limits. */
    struct client_list reading; /* Clients sending a request, by accept time. */
    struct client_list writing; /* Clients receiving a reply, by last progress. */
    struct client_list monitors; /* Subscribed clients (monitor.c). */
    bool subscribe;           /* Set by the running command: make its client
                               * a monitor instead of replying. */
    bool subscribe_verbose;   /* ... a verbose one. */
    struct vsw_ctl_stats stats; /* Counters and current state. */
    int wake_fd[CTL_MAX_WAKE]; /* Watched eventfds (vsw_ctl_watch_eventfd); */
    char wake_tag[CTL_MAX_WAKE]; /* epoll data points at the fd's tag. */
    unsigned n_wake;          /* How many. */
};


void ctl_list_remove(struct client_list *l, struct client *c);
void ctl_list_push_tail(struct client_list *l, struct client *c);
void ctl_client_close(struct vsw_ctl *ctl, struct client *c);
void ctl_put_le32(uint8_t *p, uint32_t v);

/* monitor.c */
/** Makes 'c', whose request asked to subscribe, a monitor. */
void ctl_monitor_start(struct vsw_ctl *ctl, struct client *c);
/** Serves epoll 'events' on monitor 'c' (may close it). */
void ctl_monitor_event(struct vsw_ctl *ctl, struct client *c, uint32_t events);

#endif /* VSW_CTL_SERVER_INT_H */
