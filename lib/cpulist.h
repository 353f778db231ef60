/* SPDX-License-Identifier: MIT */
/*
 * Parsers for the text of Linux sysfs CPU files: CPU lists ("0-3,5,7-8"),
 * whitespace-separated frequency tables and single 32-bit numbers. They
 * never allocate: the caller passes the output array and its capacity.
 * On a parse error *bad (when not NULL) gets the offending part of the
 * input, so the caller can quote it in a message.
 */
#ifndef LA_CPULIST_H
#define LA_CPULIST_H

#include <stddef.h>
#include <stdint.h>

/* CPU ids are below this: the largest NR_CPUS a Linux kernel builds with. */
#define LA_CPU_ID_LIMIT 8192u

/* A part of a parsed string: s[off, off+len). */
struct la_span {
	size_t off;
	size_t len;
};

/* la_cpulist_parse - a kernel CPU list: comma-separated items, each N or
 * A-B (inclusive), surrounding whitespace ignored, an empty string being
 * the empty list. Writes the ids ascending and without duplicates to
 * ids[0..*n). An empty item ("1,,2", "0-3,"), a B below A ("3-1") or an id
 * of LA_CPU_ID_LIMIT or more is an error.
 * returns: 0, -LA_ERR_CPULIST, -LA_ERR_CPURANGE, -LA_ERR_CPUID,
 *          -LA_ERR_TOOMANY (more than cap ids) */
int la_cpulist_parse(const char *s, unsigned *ids, unsigned cap, unsigned *n,
		     struct la_span *bad);

/* la_freqlist_count - the number of whitespace-separated tokens in s, an
 * upper bound for la_freqlist_parse's *n. */
unsigned la_freqlist_count(const char *s);

/* la_freqlist_parse - scaling_available_frequencies: whitespace-separated
 * frequencies in kHz, each a 32-bit unsigned decimal number, kept in file
 * order; an empty string is the empty table. Any bad token fails the
 * whole table (crosvm's rule).
 * returns: 0, -LA_ERR_BADFREQ, -LA_ERR_TOOMANY (more than cap entries) */
int la_freqlist_parse(const char *s, uint32_t *khz, unsigned cap, unsigned *n,
		      struct la_span *bad);

/* la_sysfs_parse_u32 - one 32-bit unsigned decimal number with optional
 * surrounding whitespace ("1804800\n"); signs, hex and junk are refused.
 * returns: 0, -LA_ERR_BADU32 */
int la_sysfs_parse_u32(const char *s, uint32_t *out, struct la_span *bad);

#endif
