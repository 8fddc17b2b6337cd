/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_BYTES_H
#define VSW_BYTES_H 1

/* Unaligned loads and stores of packet fields, kept in network byte order
 * (the flow key stores them that way too). */

#include <stdint.h>
#include <string.h>

static inline uint16_t
vsw_get16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}

static inline uint32_t
vsw_get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static inline uint64_t
vsw_get64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline void
vsw_put16(uint8_t *p, uint16_t v)
{
    memcpy(p, &v, 2);
}

static inline void
vsw_put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

#endif /* VSW_BYTES_H */
