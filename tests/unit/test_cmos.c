/* SPDX-License-Identifier: MIT */
/* The CMOS clock's calendar (lib/dev/rtc.c): la_cmos_utc() against
 * glibc's gmtime_r() from 1811 to 2223, every 7 days and a bit, and the
 * edges people get wrong: leap days, century years, the epoch. */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "dev/rtc.h"
#include "t.h"

static int same(int64_t t)
{
	struct tm a, b;
	time_t tt = (time_t)t;

	memset(&b, 0, sizeof(b));
	gmtime_r(&tt, &a);
	la_cmos_utc(t, &b);
	return a.tm_year == b.tm_year && a.tm_mon == b.tm_mon && a.tm_mday == b.tm_mday &&
	       a.tm_hour == b.tm_hour && a.tm_min == b.tm_min && a.tm_sec == b.tm_sec &&
	       a.tm_wday == b.tm_wday;
}

int main(void)
{
	static const int64_t edges[] = {
		0, -1, 86399, 86400, 951782400 /* 2000-02-29 */, 951868800 /* 2000-03-01 */,
		4107542400 /* 2100-03-01 */, 4107456000 /* 2100-02-28 */, 1795706572,
		-2208988800 /* 1900-01-01 */, 253402300799 /* 9999-12-31 23:59:59 */,
	};
	unsigned bad = 0;
	struct tm tm;

	for (unsigned i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		T_CHECK(same(edges[i]));
	for (int64_t t = -5000000000LL; t < 8000000000LL; t += 86400 * 7 + 4321)
		bad += !same(t);
	T_EQ_U64(bad, 0);
	la_cmos_utc(951782400 + 3 * 3600 + 4 * 60 + 5, &tm);
	T_CHECK(tm.tm_year == 100 && tm.tm_mon == 1 && tm.tm_mday == 29 && tm.tm_wday == 2 &&
		tm.tm_hour == 3 && tm.tm_min == 4 && tm.tm_sec == 5);
	return T_DONE();
}
