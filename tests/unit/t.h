/* SPDX-License-Identifier: MIT */
/*
 * A tiny TAP unit-test harness: T_CHECK(cond) records one test point per
 * check, named by its source line and expression; T_DONE() prints the plan
 * and returns the exit status.
 */
#ifndef LA_T_H
#define LA_T_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int t_count, t_failed;

static inline void t_point(int ok, const char *file, int line, const char *expr)
{
	t_count++;
	if (!ok)
		t_failed++;
	printf("%sok %d - %s:%d: %s\n", ok ? "" : "not ", t_count, file, line, expr);
}

#define T_CHECK(cond) t_point(!!(cond), __FILE__, __LINE__, #cond)
#define T_EQ_U64(a, b)                                                         \
	do {                                                                   \
		uint64_t t_a = (a), t_b = (b);                                 \
		t_point(t_a == t_b, __FILE__, __LINE__, #a " == " #b);         \
		if (t_a != t_b)                                                \
			printf("#   got 0x%" PRIx64 ", want 0x%" PRIx64 "\n", t_a, t_b); \
	} while (0)
#define T_EQ_STR(a, b)                                                         \
	do {                                                                   \
		const char *t_a = (a), *t_b = (b);                             \
		int t_ok = t_a && t_b && !strcmp(t_a, t_b);                    \
		t_point(t_ok, __FILE__, __LINE__, #a " == " #b);               \
		if (!t_ok)                                                     \
			printf("#   got '%s', want '%s'\n", t_a ? t_a : "(null)", \
			       t_b ? t_b : "(null)");                          \
	} while (0)
/* T_SKIP(reason): a test point that could not run here, reported as such */
#define T_SKIP(reason) (t_count++, printf("ok %d # skip %s\n", t_count, reason))
#define T_DONE() (printf("1..%d\n", t_count), t_failed ? 1 : 0)

#endif
