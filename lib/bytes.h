/* SPDX-License-Identifier: MIT */
/* Little-endian stores and loads into byte buffers (guest tables are
 * little-endian whatever the host). */
#ifndef LA_BYTES_H
#define LA_BYTES_H

#include <stdint.h>
#include <string.h>

static inline void la_put8(uint8_t *p, uint8_t v) { p[0] = v; }
static inline void la_put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void la_put32(uint8_t *p, uint32_t v)
{
	la_put16(p, (uint16_t)v);
	la_put16(p + 2, (uint16_t)(v >> 16));
}
static inline void la_put64(uint8_t *p, uint64_t v)
{
	la_put32(p, (uint32_t)v);
	la_put32(p + 4, (uint32_t)(v >> 32));
}
static inline uint16_t la_get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t la_get32(const uint8_t *p)
{
	return (uint32_t)la_get16(p) | (uint32_t)la_get16(p + 2) << 16;
}
static inline uint64_t la_get64(const uint8_t *p)
{
	return (uint64_t)la_get32(p) | (uint64_t)la_get32(p + 4) << 32;
}

/* la_checksum8 - the byte that makes the len bytes at p sum to 0 mod 256
 * (with the checksum byte itself counted as 0). */
static inline uint8_t la_checksum8(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	for (size_t i = 0; i < len; i++)
		s = (uint8_t)(s + p[i]);
	return (uint8_t)-s;
}

/* la_hexdigit - the value of hex digit c (either case), -1 if it is not one */
static inline int la_hexdigit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
