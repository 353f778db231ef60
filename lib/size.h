/* SPDX-License-Identifier: MIT */
/* Sizes and addresses as users write them, and back. */
#ifndef LA_SIZE_H
#define LA_SIZE_H

#include <stddef.h>
#include <stdint.h>

#define LA_KiB (1ULL << 10)
#define LA_MiB (1ULL << 20)
#define LA_GiB (1ULL << 30)
#define LA_TiB (1ULL << 40)

/* la_parse_size - parse "4096", "0x1000", "4K", "512M", "1.5G", "4GiB",
 * "1T" (suffix case-insensitive, binary units, "iB" may follow) into bytes.
 * A decimal fraction needs a unit and must come to whole bytes ("1.3K" is
 * refused). Signs, spaces, junk and anything above 2^64-1 are refused.
 * returns: 0, -LA_ERR_BADSIZE (not a size), -LA_ERR_RANGE (overflows u64) */
int la_parse_size(const char *s, uint64_t *out);
/* la_parse_size_n - la_parse_size on the n bytes at s (a field of a longer
 * argument, parsed where it is: no copy, so no length limit). */
int la_parse_size_n(const char *s, size_t n, uint64_t *out);

/* la_parse_mem_size - a memory size as QEMU, lkvm, crosvm and Firecracker
 * take it: a bare decimal number is MiB ("512" is 512 MiB); with a unit
 * (or as 0x hex, bytes) as la_parse_size.
 * returns: 0, -LA_ERR_BADSIZE, -LA_ERR_RANGE */
int la_parse_mem_size(const char *s, uint64_t *out);

/* la_parse_u64 - a plain number, decimal or 0x hex, no suffix.
 * returns: 0, -LA_ERR_BADNUM, -LA_ERR_RANGE */
int la_parse_u64(const char *s, uint64_t *out);

/* la_parse_dec - a number as a person writes it, canonical decimal: digits
 * only (no sign, space or 0x) and no leading zero ("0" itself is fine), at
 * most max; la_parse_dec_n takes the n bytes at s. For small indices and
 * versions where "01" or "+1" can only be a typo.
 * returns: 0, -LA_ERR_BADNUM, -LA_ERR_RANGE (above max) */
int la_parse_dec(const char *s, uint64_t max, uint64_t *out);
int la_parse_dec_n(const char *s, size_t n, uint64_t max, uint64_t *out);

/* la_parse_start_size - "START[,SIZE]" (both sizes as la_parse_size);
 * *has_size tells whether SIZE was given.
 * returns: 0, -LA_ERR_BADSIZE, -LA_ERR_RANGE */
int la_parse_start_size(const char *s, uint64_t *start, uint64_t *size,
			int *has_size);

/* la_parse_range - "START-END", an inclusive range; both ends as
 * la_parse_size ("0xd0000000-0xf7ffffff", "0-0xffffffffffffffff").
 * returns: 0, -LA_ERR_BADSIZE (not START-END), -LA_ERR_RANGE (a value above
 * 2^64-1), -LA_ERR_BADVALUE (START above END) */
struct la_range;
int la_parse_range(const char *s, struct la_range *out);

/* la_format_size - bytes in the largest binary unit that divides them
 * exactly ("640 KiB", "3327 MiB", "4 GiB", "17 B") when that is below
 * 10000 of it, else about so much of the largest unit ("~63.99 TiB");
 * buf needs 32 bytes.
 * returns: buf */
char *la_format_size(uint64_t bytes, char *buf, size_t len);

#endif
