/* SPDX-License-Identifier: Apache-2.0 */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static enum vsw_log_level log_level = VSW_LOG_INFO;

void
vsw_log_set_level(enum vsw_log_level level)
{
    log_level = level;
}

void
vsw_log(enum vsw_log_level level, const char *fmt, ...)
{
    static const char *names[] = { "ERR", "WARN", "INFO", "DBG" };
    va_list ap;

    if (level > log_level) {
        return;
    }
    fprintf(stderr, "vswd: %s: ", names[level]);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static void
buf_reserve(struct vsw_buf *b, size_t extra)
{
    if (b->len + extra + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + extra + 1) {
            cap *= 2;
        }
        char *s = realloc(b->s, cap);
        if (!s) {
            abort();
        }
        b->s = s;
        b->cap = cap;
    }
}

void
vsw_buf_append(struct vsw_buf *b, const char *s, size_t n)
{
    buf_reserve(b, n);
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void
vsw_buf_printf(struct vsw_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0) {
        return;
    }
    buf_reserve(b, (size_t) n);
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t) n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t) n;
}

const char *
vsw_buf_cstr(struct vsw_buf *b)
{
    if (!b->s) {
        buf_reserve(b, 0);
        b->s[0] = '\0';
    }
    return b->s;
}

void
vsw_buf_free(struct vsw_buf *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}

uint64_t
vsw_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

int
vsw_parse_hex(const char *hex, uint8_t *buf, size_t size, size_t *len)
{
    size_t n = 0;

    for (const char *p = hex; *p;) {
        if (isspace((unsigned char) *p) || *p == ':') {
            p++;
            continue;
        }
        if (!isxdigit((unsigned char) p[0]) || !isxdigit((unsigned char) p[1]) || n == size) {
            return EINVAL;
        }
        char byte[3] = { p[0], p[1], 0 };
        buf[n++] = (uint8_t) strtoul(byte, NULL, 16);
        p += 2;
    }
    *len = n;
    return 0;
}
