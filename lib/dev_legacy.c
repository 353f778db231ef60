/* SPDX-License-Identifier: MIT */
/*
 * Legacy PC devices: i8042 (reset line only), CMOS RTC with the memory-size
 * bytes, debugcon (0x402) and POST codes (0x80).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "dev.h"

void la_legacy_init(struct la_legacy *l, const struct la_machine *m, uint16_t mem_below,
		    uint32_t mem_above, int debugcon_fd)
{
	memset(l, 0, sizeof(*l));
	l->m = m;
	l->debugcon_fd = debugcon_fd;
	l->epoch = time(NULL);
	clock_gettime(CLOCK_MONOTONIC, &l->started);
	l->cmos[0x0a] = 0x26;  /* 32.768 kHz time base, 1024 Hz; UIP clear */
	l->cmos[0x0b] = 0x02;  /* 24-hour, BCD */
	l->cmos[0x0d] = 0x80;  /* battery good */
	l->cmos[0x34] = (uint8_t)mem_below;
	l->cmos[0x35] = (uint8_t)(mem_below >> 8);
	l->cmos[0x5b] = (uint8_t)mem_above;
	l->cmos[0x5c] = (uint8_t)(mem_above >> 8);
	l->cmos[0x5d] = (uint8_t)(mem_above >> 16);
}

/* ---- i8042: 0x62-0x64 on x86; command 0xfe (at +2) pulses the reset line ---- */

static void la_i8042_read(void *ctx, uint64_t off, uint8_t *data, unsigned size)
{
	(void)ctx, (void)off;
	memset(data, 0, size); /* status: nothing to read, ready for input */
}

static void la_i8042_write(void *ctx, uint64_t off, const uint8_t *data, unsigned size)
{
	struct la_legacy *l = ctx;

	if (off == 2 && size >= 1 && data[0] == 0xfe)
		l->m->request_exit(l->m->vm, LA_FATE_RESET, "i8042 reset");
}

const struct la_bus_ops la_i8042_ops = { la_i8042_read, la_i8042_write };

/* ---- CMOS RTC: index (0x70 on x86), data (0x71) ---- */

static uint8_t la_bcd(const struct la_legacy *l, int v)
{
	if (l->cmos[0x0b] & 0x04) /* binary mode */
		return (uint8_t)v;
	return (uint8_t)((v / 10) << 4 | v % 10);
}

/* UTC calendar time of t, computed here: glibc's gmtime_r() loads the time
 * zone file on first use, which a vCPU thread's seccomp filter forbids
 * (and the jail has no /etc). Days to a civil date by 400-year eras
 * (146097 days each) of years starting on 1 March. */
void la_cmos_utc(int64_t t, struct tm *tm)
{
	int64_t days = t / 86400, secs = t % 86400, era, doe, yoe, doy, mp;

	if (secs < 0)
		secs += 86400, days--;
	tm->tm_hour = (int)(secs / 3600);
	tm->tm_min = (int)(secs / 60 % 60);
	tm->tm_sec = (int)(secs % 60);
	tm->tm_wday = (int)(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
	days += 719468; /* from 0000-03-01 */
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	tm->tm_mday = (int)(doy - (153 * mp + 2) / 5 + 1);
	tm->tm_mon = (int)(mp < 10 ? mp + 2 : mp - 10);
	tm->tm_year = (int)(yoe + era * 400 + (tm->tm_mon < 2)) - 1900;
}

static uint8_t la_cmos_time(const struct la_legacy *l, uint8_t idx)
{
	struct timespec now;
	struct tm tm;

	clock_gettime(CLOCK_MONOTONIC, &now);
	la_cmos_utc((int64_t)l->epoch + (now.tv_sec - l->started.tv_sec), &tm);
	switch (idx) {
	case 0x00: return la_bcd(l, tm.tm_sec);
	case 0x02: return la_bcd(l, tm.tm_min);
	case 0x04: return la_bcd(l, tm.tm_hour);
	case 0x06: return la_bcd(l, tm.tm_wday + 1);
	case 0x07: return la_bcd(l, tm.tm_mday);
	case 0x08: return la_bcd(l, tm.tm_mon + 1);
	case 0x09: return la_bcd(l, tm.tm_year % 100);
	default:   return la_bcd(l, (tm.tm_year + 1900) / 100); /* 0x32 century */
	}
}

static bool la_cmos_is_time(uint8_t idx)
{
	return idx == 0 || idx == 2 || idx == 4 || (idx >= 6 && idx <= 9) || idx == 0x32;
}

static void la_cmos_read(void *ctx, uint64_t off, uint8_t *data, unsigned size)
{
	struct la_legacy *l = ctx;
	uint8_t idx = l->cmos_index & 0x7f;

	memset(data, 0xff, size);
	if (off == 0)
		data[0] = l->cmos_index;
	else
		data[0] = la_cmos_is_time(idx) ? la_cmos_time(l, idx) : l->cmos[idx];
}

static void la_cmos_write(void *ctx, uint64_t off, const uint8_t *data, unsigned size)
{
	struct la_legacy *l = ctx;
	uint8_t idx = l->cmos_index & 0x7f;

	(void)size;
	if (off == 0)
		l->cmos_index = data[0];
	else if (!la_cmos_is_time(idx) && idx != 0x0a && idx != 0x0c && idx != 0x0d)
		l->cmos[idx] = data[0]; /* the clock itself follows the host */
}

const struct la_bus_ops la_cmos_ops = { la_cmos_read, la_cmos_write };

/* ---- debugcon (0x402 on x86): bytes to a file; reads give 0xe9 (present) ---- */

static void la_debugcon_read(void *ctx, uint64_t off, uint8_t *data, unsigned size)
{
	(void)ctx, (void)off;
	memset(data, 0xe9, size);
}

static void la_debugcon_write(void *ctx, uint64_t off, const uint8_t *data, unsigned size)
{
	struct la_legacy *l = ctx;
	ssize_t r;

	(void)off, (void)size;
	if (l->debugcon_fd < 0)
		return;
	do
		r = write(l->debugcon_fd, data, 1);
	while (r < 0 && errno == EINTR);
}

const struct la_bus_ops la_debugcon_ops = { la_debugcon_read, la_debugcon_write };

/* ---- POST codes (0x80 on x86) ---- */

static void la_post_read(void *ctx, uint64_t off, uint8_t *data, unsigned size)
{
	struct la_legacy *l = ctx;

	(void)off;
	memset(data, l->post, size);
}

static void la_post_write(void *ctx, uint64_t off, const uint8_t *data, unsigned size)
{
	struct la_legacy *l = ctx;

	(void)off, (void)size;
	l->post = data[0];
	if (l->m->note)
		l->m->note(l->m->vm, LA_NOTE_POST, data[0]);
}

const struct la_bus_ops la_post_ops = { la_post_read, la_post_write };
