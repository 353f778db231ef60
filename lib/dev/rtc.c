/* SPDX-License-Identifier: MIT */
/*
 * The real-time clock build_vm gives each arch: the CMOS RTC at IO 0x70
 * with edge IRQ 8 on x86_64 (§3.7), a PL030 at MMIO 0x2000 with SPI 1 on
 * aarch64 (§4.5 step 15); riscv64 has none. On aarch64 the tree has the
 * PL030 and, just before it, the APB clock it names. Both clocks follow the
 * host's, from the moment the VM starts, as UTC.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arch/x86_64/x86_64.h"
#include "bytes.h"
#include "dev/dev.h"
#include "dev/machine.h"
#include "dev/rtc.h"
#include "err.h"
#include "fdt/fdt.h"
#include "vm/bus.h"

#define LA_PL030_PERIPH_ID 0x00041030
#define LA_PCLK_HZ 3141592
#define LA_PCLK_PHANDLE 24

static void la_rtc_fdt_node(struct la_fdt_w *w, const struct la_dev_inst *d,
			    const struct la_irq_cells *ic, const struct la_fdt_config *fc)
{
	const struct la_grant *mmio = la_dev_inst_grant(d, LA_RES_MMIO, 0);
	const struct la_grant *irq = la_dev_inst_grant(d, LA_RES_IRQ, 0);

	(void)fc;
	if (!mmio || !irq)
		return;
	la_fdt_w_begin_node(w, "pclk@3M");
	la_fdt_w_u32(w, "#clock-cells", 0);
	la_fdt_w_str(w, "compatible", "fixed-clock");
	la_fdt_w_u32(w, "clock-frequency", LA_PCLK_HZ);
	la_fdt_w_u32(w, "phandle", LA_PCLK_PHANDLE);
	la_fdt_w_end_node(w);

	la_fdt_w_begin_nodef(w, "rtc@%llx", (unsigned long long)mmio->range.start);
	la_fdt_w_str(w, "compatible", "arm,primecell");
	la_fdt_w_u32(w, "arm,primecell-periphid", LA_PL030_PERIPH_ID);
	la_fdt_w_reg(w, mmio->range.start, la_range_len(mmio->range));
	/* crosvm registers the PL030's SPI as edge but writes level-high */
	la_fdt_w_irq(w, ic, irq->value, LA_DT_IRQ_LEVEL_HIGH, false);
	la_fdt_w_u32(w, "clocks", LA_PCLK_PHANDLE);
	la_fdt_w_str(w, "clock-names", "apb_pclk");
	la_fdt_w_end_node(w);
}

/* ---- x86: the CMOS RTC with the memory-size bytes ---- */

struct la_cmos {
	uint8_t cmos_index;
	uint8_t cmos[128];
	time_t epoch;            /* host time the guest clock started at */
	struct timespec started;
};

static void la_cmos_init(struct la_cmos *l, uint16_t mem_below, uint32_t mem_above)
{
	memset(l, 0, sizeof(*l));
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

/* ---- CMOS RTC: index (0x70 on x86), data (0x71) ---- */

static uint8_t la_bcd(const struct la_cmos *l, int v)
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

static uint8_t la_cmos_time(const struct la_cmos *l, uint8_t idx)
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
	struct la_cmos *l = ctx;
	uint8_t idx = l->cmos_index & 0x7f;

	memset(data, 0xff, size);
	if (off == 0)
		data[0] = l->cmos_index;
	else
		data[0] = la_cmos_is_time(idx) ? la_cmos_time(l, idx) : l->cmos[idx];
}

static void la_cmos_write(void *ctx, uint64_t off, const uint8_t *data, unsigned size)
{
	struct la_cmos *l = ctx;
	uint8_t idx = l->cmos_index & 0x7f;

	(void)size;
	if (off == 0)
		l->cmos_index = data[0];
	else if (!la_cmos_is_time(idx) && idx != 0x0a && idx != 0x0c && idx != 0x0d)
		l->cmos[idx] = data[0]; /* the clock itself follows the host */
}

static const struct la_bus_ops la_cmos_ops = { la_cmos_read, la_cmos_write };

/* ---- aarch64: the ARM PrimeCell PL030 ---- */

enum {
	PL030_DR = 0x00,   /* data: the counter, seconds (read only) */
	PL030_MR = 0x04,   /* match */
	PL030_STAT = 0x08, /* read: interrupt status; write (EOI): clear it */
	PL030_LR = 0x0c,   /* load: sets the counter */
	PL030_CR = 0x10,   /* control: bit 0 enables the match interrupt */
	PL030_ID = 0xfe0,  /* PeriphID0-3, then PCellID0-3, one byte a word */
};

struct la_pl030 {
	int64_t offset;    /* counter = host UTC seconds + offset */
	uint32_t match, cr, stat;
};

static uint32_t la_pl030_now(const struct la_pl030 *p)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint32_t)(ts.tv_sec + p->offset);
}

static uint32_t la_pl030_reg(const struct la_pl030 *p, uint64_t off)
{
	static const uint8_t id[8] = { 0x30, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

	switch (off) {
	case PL030_DR: return la_pl030_now(p);
	case PL030_MR: return p->match;
	case PL030_STAT: return p->stat;
	case PL030_LR: return la_pl030_now(p);
	case PL030_CR: return p->cr;
	}
	if (off >= PL030_ID && off < PL030_ID + 32 && off % 4 == 0)
		return id[(off - PL030_ID) / 4];
	return 0;
}

/* 32-bit registers; narrower reads see the low bytes of the word. */
static void la_pl030_read(void *ctx, uint64_t off, uint8_t *data, unsigned size)
{
	uint8_t w[4];

	la_put32(w, la_pl030_reg(ctx, off & ~3ULL));
	memset(data, 0, size);
	memcpy(data, w + (off & 3), size < 4 - (off & 3) ? size : 4 - (off & 3));
}

static void la_pl030_write(void *ctx, uint64_t off, const uint8_t *data, unsigned size)
{
	struct la_pl030 *p = ctx;
	struct timespec ts;
	uint32_t v;

	if (size != 4 || off % 4)
		return; /* the PL030 takes word writes only */
	v = la_get32(data);
	switch (off) {
	case PL030_MR:
		p->match = v;
		break;
	case PL030_STAT:
		p->stat = 0;
		break;
	case PL030_LR:
		clock_gettime(CLOCK_REALTIME, &ts);
		p->offset = (int64_t)v - ts.tv_sec;
		break;
	case PL030_CR:
		p->cr = v & 1;
		break;
	}
}

static const struct la_bus_ops la_pl030_ops = { la_pl030_read, la_pl030_write };

/* The CMOS where the grant is IO ports, the PL030 where it is MMIO. */
static int la_rtc_create(const struct la_dev_inst *d, const struct la_dev_env *env,
			 void **state, const struct la_bus_ops **ops)
{
	if (la_dev_inst_grant(d, LA_RES_IO, 0)) {
		struct la_cmos *c = malloc(sizeof(*c));

		if (!c)
			return -LA_ERR_NOMEM;
		la_cmos_init(c, env->cmos_below, env->cmos_above);
		*state = c;
		*ops = &la_cmos_ops;
		return 0;
	}
	if (la_dev_inst_grant(d, LA_RES_MMIO, 0)) {
		struct la_pl030 *p = calloc(1, sizeof(*p));

		if (!p)
			return -LA_ERR_NOMEM;
		*state = p;
		*ops = &la_pl030_ops;
		return 0;
	}
	return -LA_ERR_UNSUPPORTED;
}

const struct la_dev_desc la_dev_rtc = {
	.name = "rtc", .kind = "rtc", .what = "real-time clock: x86 CMOS, aarch64 PL030",
	.arch = {
		[LA_ARCH_X86_64] = { 2, { LA_NEED_FIXED_IO(LA_X86_CMOS_IO, 2, "CMOS/RTC"),
					  LA_NEED_FIXED_IRQ(LA_X86_RTC_IRQ, "edge") } },
		[LA_ARCH_AARCH64] = { 2, { LA_NEED_FIXED_MMIO(0x2000, 0x1000, "PL030 RTC"),
					   LA_NEED_FIXED_IRQ(1, "SPI, edge") } },
	},
	.fdt_node = la_rtc_fdt_node,
	.fdt_order = LA_FDT_ORDER_RTC,
	.create = la_rtc_create,
};
