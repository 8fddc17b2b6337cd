/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The lexical layer of the ovs-ofctl syntax: errors, output buffers, the
 * key=value tokenizer and number/address parsing.  Everything above it in
 * src/ofp/ (match, flow lines, actions) uses these; they use nothing of it.
 */

#include "vsw/ofp_lex.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Errors and output buffers. */


int
vsw_ofp_fail(char *err, size_t err_size, int code, const char *fmt, ...)
{
    if (err && err_size) {
        va_list args;
        va_start(args, fmt);
        vsnprintf(err, err_size, fmt, args);
        va_end(args);
    }
    return code;
}

void
vsw_ofp_buf_init(struct vsw_ofp_buf *b, char *buf, size_t size)
{
    b->buf = buf;
    b->size = size;
    b->len = 0;
    if (size) {
        buf[0] = '\0';
    }
}

void
vsw_ofp_buf_printf(struct vsw_ofp_buf *b, const char *fmt, ...)
{
    va_list args;
    char *dst = NULL;
    size_t room = 0;
    int n;

    if (b->len < b->size) {
        dst = b->buf + b->len;
        room = b->size - b->len;
    }
    va_start(args, fmt);
    n = vsnprintf(dst, room, fmt, args);
    va_end(args);
    if (n > 0) {
        b->len += (size_t) n;
    }
}

void
vsw_ofp_buf_put_mac(struct vsw_ofp_buf *b, const uint8_t mac[VSW_ETH_ADDR_LEN])
{
    vsw_ofp_buf_printf(b, "%02x:%02x:%02x:%02x:%02x:%02x",
                       mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

void
vsw_ofp_buf_put_ipv4(struct vsw_ofp_buf *b, rte_be32_t ip)
{
    const uint8_t *p = (const uint8_t *) &ip;
    vsw_ofp_buf_printf(b, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
}

void
vsw_ofp_buf_put_ipv6(struct vsw_ofp_buf *b, const uint8_t ip6[16])
{
    char s[INET6_ADDRSTRLEN];

    if (!inet_ntop(AF_INET6, ip6, s, sizeof s)) {
        s[0] = '\0';
    }
    vsw_ofp_buf_printf(b, "%s", s);
}

/* ------------------------------------------------------------------------ */
/* Lexical helpers. */

/* Length of the value at 's', which ends at one of 'delims' (or the end of
 * the string) outside parentheses. */
static size_t
value_len(const char *s, const char *delims)
{
    size_t n = 0;

    while (s[n] && !strchr(delims, s[n])) {
        if (s[n] == '(') {
            int level = 0;
            do {
                if (s[n] == '(') {
                    level++;
                } else if (s[n] == ')') {
                    level--;
                } else if (!s[n]) {
                    return n;
                }
                n++;
            } while (level > 0);
        } else {
            n++;
        }
    }
    return n;
}

bool
vsw_ofp_next_kv(char **pos, char **key, char **value)
{
    char *p = *pos + strspn(*pos, ", \t\r\n");
    const char *delims;
    size_t klen, vlen;
    char kdelim, vdelim;
    char *k, *v;

    if (!*p) {
        *pos = p;
        *key = *value = NULL;
        return false;
    }

    k = p;
    klen = strcspn(k, ":=(, \t\r\n");
    kdelim = k[klen];
    k[klen] = '\0';
    p = k + klen + (kdelim != '\0');

    if (kdelim == ':' || kdelim == '=') {
        delims = ", \t\r\n";
    } else if (kdelim == '(') {
        delims = ")";
    } else {
        *key = k;
        *value = k + klen;
        *pos = p;
        return true;
    }

    v = p;
    vlen = value_len(v, delims);
    vdelim = v[vlen];
    v[vlen] = '\0';
    *pos = v + vlen + (vdelim != '\0');
    *key = k;
    *value = v;
    return true;
}

static int
digit_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    } else if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return 99;
}

int
vsw_ofp_parse_uint(const char *s, size_t n, uint64_t max, uint64_t *out)
{
    unsigned base = 10;
    bool overflow = false;
    uint64_t v = 0;
    size_t i = 0;

    if (!n) {
        return EINVAL;
    }
    if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
        if (n == 2) {
            return EINVAL;
        }
    } else if (s[0] == '0' && n > 1) {
        base = 8;
        i = 1;
    }
    for (; i < n; i++) {
        int d = digit_value(s[i]);
        if (d >= (int) base) {
            return EINVAL;
        }
        if (v > (UINT64_MAX - (uint64_t) d) / base) {
            overflow = true;
        } else {
            v = v * base + (uint64_t) d;
        }
    }
    if (overflow || v > max) {
        return ERANGE;
    }
    *out = v;
    return 0;
}

int
vsw_ofp_parse_mac(const char *s, size_t n, uint8_t mac[VSW_ETH_ADDR_LEN])
{
    size_t i = 0;

    for (int g = 0; g < VSW_ETH_ADDR_LEN; g++) {
        unsigned v = 0;
        size_t digits = 0;

        if (g) {
            if (i >= n || s[i] != ':') {
                return EINVAL;
            }
            i++;
        }
        while (i < n && digits < 3 && digit_value(s[i]) < 16) {
            v = v * 16 + (unsigned) digit_value(s[i]);
            i++;
            digits++;
        }
        if (!digits || digits > 2) {
            return EINVAL;
        }
        mac[g] = (uint8_t) v;
    }
    return i == n ? 0 : EINVAL;
}

int
vsw_ofp_parse_ipv4(const char *s, size_t n, rte_be32_t *ip)
{
    uint8_t *p = (uint8_t *) ip;
    size_t i = 0;

    for (int g = 0; g < 4; g++) {
        unsigned v = 0;
        size_t digits = 0;

        if (g) {
            if (i >= n || s[i] != '.') {
                return EINVAL;
            }
            i++;
        }
        while (i < n && s[i] >= '0' && s[i] <= '9' && digits < 4) {
            v = v * 10 + (unsigned) (s[i] - '0');
            i++;
            digits++;
        }
        if (!digits || digits > 3 || v > 255) {
            return EINVAL;
        }
        p[g] = (uint8_t) v;
    }
    return i == n ? 0 : EINVAL;
}

int
vsw_ofp_parse_ipv6(const char *s, size_t n, uint8_t ip6[16])
{
    char tmp[INET6_ADDRSTRLEN + 8];

    if (!n || n >= sizeof tmp) {
        return EINVAL;
    }
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    return inet_pton(AF_INET6, tmp, ip6) == 1 ? 0 : EINVAL;
}

