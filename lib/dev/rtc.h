/* SPDX-License-Identifier: MIT */
/* The real-time clocks' calendar (lib/dev/rtc.c). */
#ifndef LA_DEV_RTC_H
#define LA_DEV_RTC_H

#include <stdint.h>
#include <time.h>

/* la_cmos_utc - t (seconds since 1970, UTC) as a calendar time, as
 * gmtime_r() would give it but without libc's time-zone machinery (which
 * opens files: a vCPU thread's filter forbids that). */
void la_cmos_utc(int64_t t, struct tm *tm);

#endif
