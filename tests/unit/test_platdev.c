/* SPDX-License-Identifier: MIT */
/* Unit tests of the aarch64 platform devices crosvm adds: the vCPU stall
 * detector (lib/dev/vmwdt.c), the goldfish battery (lib/dev/battery.c) and
 * the PL030 RTC (lib/dev/rtc.c), made through their descriptors as
 * la-vmrun makes them: their registers, the stall detector's expiry (on
 * this thread's CPU time, by la_vmwdt_check and by its own thread), and
 * guest garbage (any offset, any size) that must never crash them. No KVM. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bytes.h"
#include "dev/battery.h"
#include "dev/dev.h"
#include "dev/machine.h"
#include "dev/vmwdt.h"
#include "vm/bus.h"
#include "t.h"

struct fake_vm {
	unsigned exits;           /* atomic: the vmwdt thread writes it */
	enum la_fate fate;
	const char *why;
};

static void fake_exit(void *vm, enum la_fate fate, const char *why)
{
	struct fake_vm *f = vm;

	f->fate = fate;
	f->why = why;
	__atomic_add_fetch(&f->exits, 1, __ATOMIC_SEQ_CST);
}

/* An instance of t with one MMIO grant at base (size bytes) and IRQ irq. */
static struct la_dev_inst inst(const struct la_dev_desc *t, uint64_t base, uint64_t size,
			       uint32_t irq)
{
	struct la_dev_inst d = { .desc = t, .n = 2 };

	snprintf(d.name, sizeof(d.name), "%s", t->name);
	d.g[0].kind = LA_RES_MMIO;
	d.g[0].range = (struct la_range){ base, base + size - 1 };
	d.g[1].kind = LA_RES_IRQ;
	d.g[1].value = irq;
	return d;
}

static uint32_t rd(const struct la_bus_ops *ops, void *s, uint64_t off)
{
	uint8_t b[4];

	ops->read(s, off, b, 4);
	return la_get32(b);
}

static void wr(const struct la_bus_ops *ops, void *s, uint64_t off, uint32_t v)
{
	uint8_t b[4];

	la_put32(b, v);
	ops->write(s, off, b, 4);
}

/* CPU time this thread has used, nanoseconds. */
static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Reads and writes of every offset and size, a pseudo-random value each
 * (the guest's garbage): the device must take them all. */
static void garbage(const struct la_bus_ops *ops, void *s, uint64_t len)
{
	static const unsigned sizes[] = { 1, 2, 4, 8 };
	uint32_t x = 12345;

	for (uint64_t off = 0; off < len; off++) {
		for (unsigned k = 0; k < 4; k++) {
			uint8_t b[8];

			x = x * 1103515245u + 12345u;
			memcpy(b, &x, 4);
			memcpy(b + 4, &x, 4);
			ops->read(s, off, b, sizes[k]);
			if (off % 7 == 0) /* not every write: fewer expiries */
				ops->write(s, off, b, sizes[k]);
		}
	}
}

/* ---- the stall detector ---- */

static void *vmwdt_make(struct la_machine *m, unsigned ncpus, const struct la_bus_ops **ops)
{
	struct la_dev_inst d = inst(&la_dev_vmwdt, 0x3000, 0x1000, 15);
	struct la_dev_env env = { .m = m, .ncpus = ncpus, .prog = "test_platdev",
				  .seccomp = LA_SECCOMP_OFF };
	void *s = NULL;

	T_CHECK(la_dev_vmwdt.create(&d, &env, &s, ops) == 0);
	return s;
}

static void test_vmwdt_registers(void)
{
	struct fake_vm f = { 0 };
	struct la_machine m = { .vm = &f, .request_exit = fake_exit };
	const struct la_bus_ops *ops;
	void *s = vmwdt_make(&m, 2, &ops);
	uint8_t b[8];
	uint64_t wait;

	/* at first: disabled, nothing loaded, never runs out */
	T_EQ_U64(rd(ops, s, LA_VMWDT_STATUS), 0);
	T_EQ_U64(rd(ops, s, 0x10 + LA_VMWDT_CURRENT_CNT), 0);
	T_CHECK(!la_vmwdt_check(s, &wait));
	T_EQ_U64(wait, UINT64_MAX);
	/* vCPU 1's registers, 16 bytes on */
	wr(ops, s, 0x10 + LA_VMWDT_CLOCK_FREQ_HZ, 10);
	wr(ops, s, 0x10 + LA_VMWDT_LOAD_CNT, 20);
	T_EQ_U64(rd(ops, s, 0x10 + LA_VMWDT_CLOCK_FREQ_HZ), 10);
	T_EQ_U64(rd(ops, s, 0x10 + LA_VMWDT_LOAD_CNT), 20);
	T_EQ_U64(rd(ops, s, 0x10 + LA_VMWDT_CURRENT_CNT), 20); /* disabled: the load */
	T_EQ_U64(rd(ops, s, LA_VMWDT_LOAD_CNT), 0);             /* vCPU 0's untouched */
	wr(ops, s, 0x10 + LA_VMWDT_STATUS, 7);                  /* any non-zero enables */
	T_EQ_U64(rd(ops, s, 0x10 + LA_VMWDT_STATUS), 1);
	T_EQ_U64(rd(ops, s, 0x10 + LA_VMWDT_CURRENT_CNT), 20);
	T_CHECK(!la_vmwdt_check(s, &wait));
	T_CHECK(wait > 0 && wait <= 2000000000u);               /* 20 ticks at 10 Hz */
	/* CURRENT_CNT is read only */
	wr(ops, s, 0x10 + LA_VMWDT_CURRENT_CNT, 1);
	T_EQ_U64(rd(ops, s, 0x10 + LA_VMWDT_CURRENT_CNT), 20);
	/* not a word, not aligned, a vCPU the VM lacks: 0, and ignored */
	memset(b, 0xaa, sizeof(b));
	ops->read(s, 0x10 + LA_VMWDT_LOAD_CNT, b, 2);
	T_EQ_U64(la_get16(b), 0);
	ops->read(s, 0x10 + LA_VMWDT_LOAD_CNT, b, 8);
	T_EQ_U64(la_get64(b), 0);
	ops->read(s, 0x11, b, 4);
	T_EQ_U64(la_get32(b), 0);
	la_put32(b, 99);
	ops->write(s, 0x10 + LA_VMWDT_LOAD_CNT, b, 2);
	ops->write(s, 0x12, b, 4);
	T_EQ_U64(rd(ops, s, 0x10 + LA_VMWDT_LOAD_CNT), 20);
	wr(ops, s, 0x20 + LA_VMWDT_LOAD_CNT, 5);                /* vCPU 2 of 2 */
	T_EQ_U64(rd(ops, s, 0x20 + LA_VMWDT_LOAD_CNT), 0);
	wr(ops, s, 0xff0 + LA_VMWDT_STATUS, 1);
	T_EQ_U64(rd(ops, s, 0xff0 + LA_VMWDT_STATUS), 0);
	/* disabled again: never runs out */
	wr(ops, s, 0x10 + LA_VMWDT_STATUS, 0);
	T_CHECK(!la_vmwdt_check(s, &wait));
	T_EQ_U64(wait, UINT64_MAX);
	/* a 0 Hz clock never runs out (crosvm would divide by it) */
	wr(ops, s, LA_VMWDT_CLOCK_FREQ_HZ, 0);
	wr(ops, s, LA_VMWDT_LOAD_CNT, 0);
	wr(ops, s, LA_VMWDT_STATUS, 1);
	T_CHECK(!la_vmwdt_check(s, &wait));
	T_EQ_U64(wait, UINT64_MAX);
	T_EQ_U64(f.exits, 0);
	la_dev_vmwdt.destroy(s);
	/* vCPUs the window cannot hold */
	T_CHECK(la_vmwdt_new(0, NULL) == NULL);
	T_CHECK(la_vmwdt_new(LA_VMWDT_MAX_CPUS + 1, NULL) == NULL);
}

/* Burn this thread's CPU time until done() or 30 s of it. */
static int burn_until(int (*done)(void *), void *arg)
{
	uint64_t t0 = cpu_ns();

	while (!done(arg))
		if (cpu_ns() - t0 > 30000000000u)
			return 0;
	return 1;
}

static int checked_out(void *s)
{
	uint64_t wait;

	return la_vmwdt_check(s, &wait);
}

static int exited(void *f)
{
	return __atomic_load_n(&((struct fake_vm *)f)->exits, __ATOMIC_SEQ_CST) != 0;
}

static void test_vmwdt_expiry(void)
{
	struct fake_vm f = { 0 };
	struct la_machine m = { .vm = &f, .request_exit = fake_exit };
	const struct la_bus_ops *ops;
	void *s = vmwdt_make(&m, 1, &ops);
	uint64_t wait;

	/* 5 ticks at 1 kHz: 5 ms of this thread's CPU time */
	wr(ops, s, LA_VMWDT_CLOCK_FREQ_HZ, 1000);
	wr(ops, s, LA_VMWDT_LOAD_CNT, 5);
	wr(ops, s, LA_VMWDT_STATUS, 1);
	T_CHECK(burn_until(checked_out, s));
	T_EQ_U64(f.exits, 1);
	T_EQ_U64(f.fate, LA_FATE_WATCHDOG);
	T_EQ_U64(f.fate, 36);
	T_EQ_STR(f.why, "a vCPU stopped petting the stall detector (vmwdt)");
	T_EQ_U64(rd(ops, s, LA_VMWDT_CURRENT_CNT), 0);
	/* the VM ends once */
	T_CHECK(!la_vmwdt_check(s, &wait));
	T_EQ_U64(f.exits, 1);
	la_dev_vmwdt.destroy(s);
}

/* The device's own thread sees the count run out (seccomp off here). */
static void test_vmwdt_thread(void)
{
	struct fake_vm f = { 0 };
	struct la_machine m = { .vm = &f, .request_exit = fake_exit };
	const struct la_bus_ops *ops;
	void *s = vmwdt_make(&m, 1, &ops);

	T_CHECK(la_dev_vmwdt.start(s) == 0);
	/* pets keep it alive: each restarts the count of 100 ms */
	wr(ops, s, LA_VMWDT_CLOCK_FREQ_HZ, 100);
	wr(ops, s, LA_VMWDT_LOAD_CNT, 10);
	wr(ops, s, LA_VMWDT_STATUS, 1);
	for (unsigned i = 0; i < 50; i++) {
		uint64_t t0 = cpu_ns();

		while (cpu_ns() - t0 < 10000000u) /* 10 ms of CPU time */
			;
		wr(ops, s, LA_VMWDT_LOAD_CNT, 10);
	}
	T_EQ_U64(__atomic_load_n(&f.exits, __ATOMIC_SEQ_CST), 0);
	/* no more pets */
	T_CHECK(burn_until(exited, &f));
	T_EQ_U64(f.fate, LA_FATE_WATCHDOG);
	la_dev_vmwdt.destroy(s); /* stops and joins the thread */
	T_EQ_U64(f.exits, 1);
	/* a thread never started is not joined */
	s = vmwdt_make(&m, 1, &ops);
	la_dev_vmwdt.destroy(s);
}

static void test_vmwdt_garbage(void)
{
	struct fake_vm f = { 0 };
	struct la_machine m = { .vm = &f, .request_exit = fake_exit };
	const struct la_bus_ops *ops;
	void *s = vmwdt_make(&m, 4, &ops);
	uint64_t wait;

	garbage(ops, s, 0x1000);
	la_vmwdt_check(s, &wait);
	T_CHECK(f.exits <= 1);
	la_dev_vmwdt.destroy(s);
	/* no MMIO grant: not this arch's */
	{
		struct la_dev_inst d = { .desc = &la_dev_vmwdt };
		struct la_dev_env env = { .ncpus = 1 };

		T_CHECK(la_dev_vmwdt.create(&d, &env, &s, &ops) != 0);
	}
}

/* ---- the goldfish battery ---- */

static void test_battery(void)
{
	struct la_dev_inst d = inst(&la_dev_battery, 0x2009000, 0x1000, 3);
	struct la_dev_env env = { 0 };
	const struct la_bus_ops *ops;
	void *s = NULL;
	uint8_t b[8];

	T_CHECK(la_dev_battery.create(&d, &env, &s, &ops) == 0);
	/* crosvm's values without a power monitor */
	T_EQ_U64(rd(ops, s, LA_BATTERY_AC_ONLINE), 1);
	T_EQ_U64(rd(ops, s, LA_BATTERY_STATUS), LA_BATTERY_STATUS_UNKNOWN);
	T_EQ_U64(rd(ops, s, LA_BATTERY_HEALTH), LA_BATTERY_HEALTH_UNKNOWN);
	T_EQ_U64(rd(ops, s, LA_BATTERY_PRESENT), 1);
	T_EQ_U64(rd(ops, s, LA_BATTERY_CAPACITY), 50);
	for (uint64_t off = 0x1c; off <= LA_BATTERY_CYCLE_COUNT; off += 4)
		T_EQ_U64(rd(ops, s, off), 0); /* voltage, temperature, currents... */
	T_EQ_U64(rd(ops, s, LA_BATTERY_INT_STATUS), 0);
	T_EQ_U64(rd(ops, s, LA_BATTERY_INT_ENABLE), 0);
	wr(ops, s, LA_BATTERY_INT_ENABLE, 3);
	T_EQ_U64(rd(ops, s, LA_BATTERY_INT_ENABLE), 3);
	/* the values are read only; other sizes and offsets: 0, ignored */
	wr(ops, s, LA_BATTERY_CAPACITY, 99);
	wr(ops, s, LA_BATTERY_INT_STATUS, 3);
	T_EQ_U64(rd(ops, s, LA_BATTERY_CAPACITY), 50);
	T_EQ_U64(rd(ops, s, LA_BATTERY_INT_STATUS), 0);
	memset(b, 0xaa, sizeof(b));
	ops->read(s, LA_BATTERY_CAPACITY, b, 1);
	T_EQ_U64(b[0], 0);
	ops->read(s, LA_BATTERY_CAPACITY + 1, b, 4);
	T_EQ_U64(la_get32(b), 0);
	ops->read(s, 0x800, b, 4);
	T_EQ_U64(la_get32(b), 0);
	ops->read(s, LA_BATTERY_AC_ONLINE, b, 8);
	T_EQ_U64(la_get64(b), 0);
	la_put32(b, 0);
	ops->write(s, LA_BATTERY_INT_ENABLE, b, 2);
	T_EQ_U64(rd(ops, s, LA_BATTERY_INT_ENABLE), 3);
	garbage(ops, s, 0x1000);
	T_EQ_U64(rd(ops, s, LA_BATTERY_CAPACITY), 50);
	T_EQ_U64(rd(ops, s, LA_BATTERY_AC_ONLINE), 1);
	free(s);
}

/* ---- the PL030 ---- */

static time_t realtime_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec;
}

static void test_pl030(void)
{
	struct la_dev_inst d = inst(&la_dev_rtc, 0x2000, 0x1000, 1);
	struct la_dev_env env = { 0 };
	const struct la_bus_ops *ops;
	uint32_t periph = 0, cell = 0, dr;
	time_t before, after;
	void *s = NULL;
	uint8_t b[4];

	T_CHECK(la_dev_rtc.create(&d, &env, &s, &ops) == 0);
	for (unsigned i = 0; i < 4; i++) {
		periph |= (rd(ops, s, 0xfe0 + 4 * i) & 0xff) << (8 * i);
		cell |= (rd(ops, s, 0xff0 + 4 * i) & 0xff) << (8 * i);
	}
	T_EQ_U64(periph, 0x00041030); /* the tree's arm,primecell-periphid */
	T_EQ_U64(cell, 0xb105f00d);
	/* the counter is the host's UTC seconds (CLOCK_REALTIME's: time() may
	 * read a coarser clock, a tick behind at a second's turn) */
	before = realtime_s();
	dr = rd(ops, s, 0x00);
	after = realtime_s();
	T_CHECK(dr >= (uint32_t)before && dr <= (uint32_t)after);
	/* a load moves it; match and control keep what they may */
	wr(ops, s, 0x0c, 1000);
	dr = rd(ops, s, 0x00);
	T_CHECK(dr >= 1000 && dr <= 1000 + (uint32_t)(realtime_s() - before) + 1);
	wr(ops, s, 0x04, 0x12345678);
	wr(ops, s, 0x10, 0xff);
	T_EQ_U64(rd(ops, s, 0x04), 0x12345678);
	T_EQ_U64(rd(ops, s, 0x10), 1);
	/* narrower reads see the word's low bytes; narrow writes are ignored */
	ops->read(s, 0x04, b, 1);
	T_EQ_U64(b[0], 0x78);
	ops->read(s, 0x05, b, 2);
	T_EQ_U64(la_get16(b), 0x3456);
	ops->read(s, 0xfe0, b, 1);
	T_EQ_U64(b[0], 0x30);
	la_put32(b, 0);
	ops->write(s, 0x04, b, 2);
	ops->write(s, 0x06, b, 4);
	T_EQ_U64(rd(ops, s, 0x04), 0x12345678);
	T_EQ_U64(rd(ops, s, 0x800), 0);
	garbage(ops, s, 0x1000);
	free(s);
}

int main(void)
{
	test_vmwdt_registers();
	test_vmwdt_expiry();
	test_vmwdt_thread();
	test_vmwdt_garbage();
	test_battery();
	test_pl030();
	return T_DONE();
}
