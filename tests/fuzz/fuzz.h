/* SPDX-License-Identifier: MIT */
/*
 * What the libFuzzer targets in tests/fuzz/ share: reading the fuzzer's
 * bytes as a stream of little-endian numbers and strings. A read past the
 * end gives zeros (an empty string), so every input is a whole program.
 */
#ifndef LA_FUZZ_H
#define LA_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct fz {
	const uint8_t *p;
	size_t n;
};

static inline uint64_t fz_uint(struct fz *f, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++)
		if (f->n) {
			v |= (uint64_t)*f->p << (8 * i);
			f->p++, f->n--;
		}
	return v;
}

static inline uint8_t fz_u8(struct fz *f) { return (uint8_t)fz_uint(f, 1); }
static inline uint16_t fz_u16(struct fz *f) { return (uint16_t)fz_uint(f, 2); }
static inline uint32_t fz_u32(struct fz *f) { return (uint32_t)fz_uint(f, 4); }
static inline uint64_t fz_u64(struct fz *f) { return fz_uint(f, 8); }

/* fz_bytes - the next n bytes (fewer at the end): *len gets how many */
static inline const uint8_t *fz_bytes(struct fz *f, size_t n, size_t *len)
{
	const uint8_t *p = f->p;

	if (n > f->n)
		n = f->n;
	f->p += n, f->n -= n;
	*len = n;
	return p;
}

/* fz_str - the bytes up to the next NUL (or the end) as a C string in buf
 * (cap bytes, cut to fit); the NUL is consumed. */
static inline char *fz_str(struct fz *f, char *buf, size_t cap)
{
	size_t i = 0;

	while (f->n && *f->p) {
		if (i + 1 < cap)
			buf[i++] = (char)*f->p;
		f->p++, f->n--;
	}
	if (f->n)
		f->p++, f->n--;
	buf[i] = 0;
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
