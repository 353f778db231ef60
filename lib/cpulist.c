/* SPDX-License-Identifier: MIT */
#include <stdbool.h>
#include <string.h>

#include "cpulist.h"
#include "err.h"

static bool la_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool la_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Narrow [*b, *e) to its part without surrounding whitespace. */
static void la_trim(const char *s, size_t *b, size_t *e)
{
	while (*b < *e && la_is_space(s[*b]))
		(*b)++;
	while (*e > *b && la_is_space(s[*e - 1]))
		(*e)--;
}

static void la_set_bad(struct la_span *bad, size_t b, size_t e)
{
	if (bad) {
		bad->off = b;
		bad->len = e - b;
	}
}

/* Decimal digits s[b, e) into *v, saturating at limit (so any longer
 * number still compares above it). false if empty or not all digits. */
static bool la_parse_dec(const char *s, size_t b, size_t e, uint64_t limit, uint64_t *v)
{
	uint64_t x = 0;

	if (b == e)
		return false;
	for (size_t i = b; i < e; i++) {
		if (!la_is_digit(s[i]))
			return false;
		x = x * 10 + (uint64_t)(s[i] - '0');
		if (x > limit)
			x = limit + 1;
	}
	*v = x;
	return true;
}

/* One item N or A-B of s[b, e) (already trimmed) into lo..hi. */
static int la_cpulist_item(const char *s, size_t b, size_t e, uint64_t *lo, uint64_t *hi)
{
	const char *dash = memchr(s + b, '-', e - b);
	size_t m = dash ? (size_t)(dash - s) : e;

	if (!la_parse_dec(s, b, m, LA_CPU_ID_LIMIT, lo))
		return -LA_ERR_CPULIST;
	*hi = *lo;
	if (dash && !la_parse_dec(s, m + 1, e, LA_CPU_ID_LIMIT, hi))
		return -LA_ERR_CPULIST;
	if (*lo >= LA_CPU_ID_LIMIT || *hi >= LA_CPU_ID_LIMIT)
		return -LA_ERR_CPUID;
	if (*hi < *lo)
		return -LA_ERR_CPURANGE;
	return 0;
}

int la_cpulist_parse(const char *s, unsigned *ids, unsigned cap, unsigned *n,
		     struct la_span *bad)
{
	unsigned char seen[LA_CPU_ID_LIMIT / 8] = { 0 };
	size_t len = strlen(s), b = 0, e = len;
	unsigned count = 0;

	*n = 0;
	la_trim(s, &b, &e);
	if (b == e)
		return 0;
	for (size_t start = b; start <= e;) {
		const char *comma = memchr(s + start, ',', e - start);
		size_t end = comma ? (size_t)(comma - s) : e;
		size_t ib = start, ie = end;
		uint64_t lo, hi;
		int err;

		la_trim(s, &ib, &ie);
		err = la_cpulist_item(s, ib, ie, &lo, &hi);
		if (err) {
			la_set_bad(bad, ib, ie);
			return err;
		}
		for (uint64_t id = lo; id <= hi; id++)
			seen[id / 8] |= (unsigned char)(1u << (id % 8));
		start = end + 1;
	}
	for (unsigned id = 0; id < LA_CPU_ID_LIMIT; id++) {
		if (!(seen[id / 8] & (1u << (id % 8))))
			continue;
		if (count == cap) {
			la_set_bad(bad, b, e);
			return -LA_ERR_TOOMANY;
		}
		ids[count++] = id;
	}
	*n = count;
	return 0;
}

unsigned la_freqlist_count(const char *s)
{
	unsigned n = 0;

	for (size_t i = 0; s[i]; i++)
		if (!la_is_space(s[i]) && (i == 0 || la_is_space(s[i - 1])))
			n++;
	return n;
}

int la_freqlist_parse(const char *s, uint32_t *khz, unsigned cap, unsigned *n,
		      struct la_span *bad)
{
	size_t i = 0;
	unsigned count = 0;

	*n = 0;
	for (;;) {
		size_t b, e;
		uint64_t v;

		while (s[i] && la_is_space(s[i]))
			i++;
		if (!s[i])
			break;
		b = i;
		while (s[i] && !la_is_space(s[i]))
			i++;
		e = i;
		if (!la_parse_dec(s, b, e, UINT32_MAX, &v) || v > UINT32_MAX) {
			la_set_bad(bad, b, e);
			return -LA_ERR_BADFREQ;
		}
		if (count == cap) {
			la_set_bad(bad, b, e);
			return -LA_ERR_TOOMANY;
		}
		khz[count++] = (uint32_t)v;
	}
	*n = count;
	return 0;
}

int la_sysfs_parse_u32(const char *s, uint32_t *out, struct la_span *bad)
{
	size_t b = 0, e = strlen(s);
	uint64_t v;

	la_trim(s, &b, &e);
	if (!la_parse_dec(s, b, e, UINT32_MAX, &v) || v > UINT32_MAX) {
		la_set_bad(bad, b, e);
		return -LA_ERR_BADU32;
	}
	*out = (uint32_t)v;
	return 0;
}
