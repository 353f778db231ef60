/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "range.h"
#include "size.h"

/* Digits only, no sign or space: strtoull would accept " -1". The text
 * is s up to lim (exclusive), which need not be a NUL. */
static int la_parse_digits(const char *s, const char *lim, const char **end, uint64_t *out)
{
	unsigned base = 10;
	uint64_t v = 0;
	const char *p = s;

	if (lim - p >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (p == lim || !isxdigit((unsigned char)*p) ||
	    (base == 10 && !isdigit((unsigned char)*p)))
		return -LA_ERR_BADNUM;
	for (; p < lim; p++) {
		unsigned d;

		if (isdigit((unsigned char)*p))
			d = *p - '0';
		else if (base == 16 && isxdigit((unsigned char)*p))
			d = (tolower((unsigned char)*p) - 'a') + 10;
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			return -LA_ERR_RANGE;
		v = v * base + d;
	}
	*end = p;
	*out = v;
	return 0;
}

int la_parse_u64(const char *s, uint64_t *out)
{
	const char *end, *lim;
	int err;

	if (!s)
		return -LA_ERR_BADNUM;
	lim = s + strlen(s);
	err = la_parse_digits(s, lim, &end, out);
	if (err)
		return err;
	return end != lim ? -LA_ERR_BADNUM : 0;
}

int la_parse_dec_n(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || n == 0 || (s[0] == '0' && n > 1))
		return -LA_ERR_BADNUM;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (s[i] < '0' || s[i] > '9')
			return -LA_ERR_BADNUM;
		if (v > (UINT64_MAX - d) / 10)
			return -LA_ERR_RANGE;
		v = v * 10 + d;
	}
	if (v > max)
		return -LA_ERR_RANGE;
	*out = v;
	return 0;
}

int la_parse_dec(const char *s, uint64_t max, uint64_t *out)
{
	return la_parse_dec_n(s, s ? strlen(s) : 0, max, out);
}

/* ".5" after decimal digits: up to 9 digits, as frac / 10^*scale */
static int la_parse_fraction(const char **end, const char *lim, uint64_t *frac,
			     uint64_t *scale)
{
	const char *p = *end + 1;

	*frac = 0, *scale = 1;
	if (p == lim || !isdigit((unsigned char)*p))
		return -LA_ERR_BADSIZE;
	for (; p < lim && isdigit((unsigned char)*p); p++) {
		if (*scale == 1000000000)
			return -LA_ERR_BADSIZE;
		*frac = *frac * 10 + (uint64_t)(*p - '0');
		*scale *= 10;
	}
	*end = p;
	return 0;
}

/* After the unit letter at u: nothing, or "iB" ("4GiB" says the same as
 * "4G"; "4GB", decimal or binary?, is not ours). */
static bool la_unit_tail_ok(const char *u, const char *lim)
{
	size_t n = (size_t)(lim - u - 1);

	return n == 0 || (n == 2 && u[1] == 'i' && (u[2] == 'B' || u[2] == 'b'));
}

int la_parse_size_n(const char *s, size_t n, uint64_t *out)
{
	const char *end, *lim = s + n;
	uint64_t v, mult = 1, frac = 0, scale = 1;
	int err;

	if (!s)
		return -LA_ERR_BADSIZE;
	err = la_parse_digits(s, lim, &end, &v);
	if (err)
		return err == -LA_ERR_RANGE ? err : -LA_ERR_BADSIZE;
	/* "1.5G": a decimal fraction of a unit, when it is whole bytes */
	if (end < lim && *end == '.') {
		if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
			return -LA_ERR_BADSIZE;
		err = la_parse_fraction(&end, lim, &frac, &scale);
		if (err || end == lim)
			return -LA_ERR_BADSIZE;
	}
	if (end < lim) {
		switch (toupper((unsigned char)*end)) {
		case 'K': mult = LA_KiB; break;
		case 'M': mult = LA_MiB; break;
		case 'G': mult = LA_GiB; break;
		case 'T': mult = LA_TiB; break;
		default: return -LA_ERR_BADSIZE;
		}
		/* ("0x10G" reads badly but is unambiguous) */
		if (!la_unit_tail_ok(end, lim))
			return -LA_ERR_BADSIZE;
	}
	if (v > UINT64_MAX / mult)
		return -LA_ERR_RANGE;
	if (frac) {
		unsigned __int128 f = (unsigned __int128)frac * mult;

		if (f % scale)
			return -LA_ERR_BADSIZE; /* not whole bytes: 1.3K */
		if (v * mult > UINT64_MAX - (uint64_t)(f / scale))
			return -LA_ERR_RANGE;
		*out = v * mult + (uint64_t)(f / scale);
		return 0;
	}
	*out = v * mult;
	return 0;
}

int la_parse_size(const char *s, uint64_t *out)
{
	return s ? la_parse_size_n(s, strlen(s), out) : -LA_ERR_BADSIZE;
}

int la_parse_mem_size(const char *s, uint64_t *out)
{
	int err = la_parse_size(s, out);

	if (err)
		return err;
	if (strspn(s, "0123456789") != strlen(s))
		return 0; /* a unit, or 0x hex: as written */
	if (*out > UINT64_MAX / LA_MiB)
		return -LA_ERR_RANGE;
	*out *= LA_MiB;
	return 0;
}

int la_parse_start_size(const char *s, uint64_t *start, uint64_t *size,
			int *has_size)
{
	const char *comma = strchr(s, ',');
	int err;

	if (!comma) {
		*has_size = 0;
		return la_parse_size(s, start);
	}
	err = la_parse_size_n(s, (size_t)(comma - s), start);
	if (err)
		return err;
	*has_size = 1;
	return la_parse_size(comma + 1, size);
}

int la_parse_range(const char *s, struct la_range *out)
{
	const char *dash = strchr(s, '-');
	int err;

	if (!dash || strchr(dash + 1, '-'))
		return -LA_ERR_BADSIZE;
	err = la_parse_size_n(s, (size_t)(dash - s), &out->start);
	if (!err)
		err = la_parse_size(dash + 1, &out->end);
	if (!err && out->start > out->end)
		err = -LA_ERR_BADVALUE;
	return err;
}

char *la_format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	const unsigned n = sizeof(units) / sizeof(units[0]);
	uint64_t v = bytes;
	unsigned u = 0, big = 0;

	while (v && !(v & 1023) && u + 1 < n) {
		v >>= 10;
		u++;
	}
	if (v < 10000) {
		snprintf(buf, len, "%llu %s", (unsigned long long)v, units[u]);
		return buf;
	}
	/* not a round number of any unit below 10000: about so much of the
	 * largest unit (64 TiB less 2 GiB is ~63.99 TiB, not 67106816 MiB) */
	while (big + 1 < n && bytes >> (10 * (big + 1)))
		big++;
	/* hundredths, cut (not rounded up past the size) */
	v = (uint64_t)((unsigned __int128)bytes * 100 >> (10 * big));
	snprintf(buf, len, "~%llu.%02llu %s", (unsigned long long)(v / 100),
		 (unsigned long long)(v % 100), units[big]);
	return buf;
}
