/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_UTIL_H
#define VSW_UTIL_H 1

/* Small helpers shared by the daemon modules: logging and a growable string. */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VSW_LOG(level, ...) vsw_log(level, __VA_ARGS__)

enum vsw_log_level { VSW_LOG_ERR, VSW_LOG_WARN, VSW_LOG_INFO, VSW_LOG_DBG };

void vsw_log(enum vsw_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void vsw_log_set_level(enum vsw_log_level level);

/** A growable NUL-terminated string. */
struct vsw_buf {
    char *s;        /**< The string; NULL until something is appended. */
    size_t len;     /**< Its length. */
    size_t cap;     /**< Bytes allocated. */
};

void vsw_buf_printf(struct vsw_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void vsw_buf_append(struct vsw_buf *b, const char *s, size_t n);
const char *vsw_buf_cstr(struct vsw_buf *b);
void vsw_buf_free(struct vsw_buf *b);

/**
 * How much slower than a normal build this one may run: 8 under AddressSanitizer
 * (every load and store is checked), else 1.  Only for bounds that trade
 * waiting against reordering (the PMD's hold of a port for its upcalls), so
 * that a sanitizer build keeps the behaviour the tests check instead of
 * timing out of it; never for anything a user configures.
 */
#if defined(__SANITIZE_ADDRESS__)
#define VSW_BUILD_SLOWDOWN 8
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VSW_BUILD_SLOWDOWN 8
#endif
#endif
#ifndef VSW_BUILD_SLOWDOWN
#define VSW_BUILD_SLOWDOWN 1
#endif

/** Monotonic time in nanoseconds. */
uint64_t vsw_now_ns(void);

/** A MAC address as a number (for sorting and searching). */
static inline uint64_t
vsw_mac_to_u64(const uint8_t mac[6])
{
    uint64_t v = 0;
    for (int i = 0; i < 6; i++) {
        v = v << 8 | mac[i];
    }
    return v;
}

/** True if 's' is a non-empty string of decimal digits. */
static inline bool
vsw_all_digits(const char *s)
{
    if (!*s) {
        return false;
    }
    for (; *s; s++) {
        if (*s < '0' || *s > '9') {
            return false;
        }
    }
    return true;
}

/** Parses the hex bytes 'hex' (spaces and colons allowed between bytes)
 *  into 'buf' of 'size' bytes; '*len' gets the count.  0 or EINVAL (not
 *  hex, odd digit count, or more than 'size' bytes). */
int vsw_parse_hex(const char *hex, uint8_t *buf, size_t size, size_t *len);

#endif /* VSW_UTIL_H */
