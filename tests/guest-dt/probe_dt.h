/* SPDX-License-Identifier: MIT */
/*
 * The device-tree probe guest (aarch64, riscv64): a freestanding program
 * la-vmrun boots as a kernel. It reads the device tree it was handed (x0 on
 * aarch64, a1 on riscv64) and the initrd the tree points at, prints a
 * line-oriented report on the console UART and ends the VM the way its
 * command line asks (probe.mode=poweroff|reboot|mmio|crash).
 *
 * This header is the plain-C part, the tree walker and the report, which
 * reads the blob through a pointer and a length: the same code runs in the
 * guest and on the host (tests/guest-dt/host.c), so a test compares what
 * the guest found in its memory with what la-vmrun --dump-fdt wrote.
 *
 * Report lines (numbers hexadecimal with 0x, counts and lengths decimal):
 *   probe: fdt size N version V
 *   probe: memory BASE SIZE                 one per /memory reg entry
 *   probe: bootargs TEXT
 *   probe: initrd START END                 END exclusive, as in /chosen
 *   probe: cpus N
 *   probe: timebase HZ                      riscv64's /cpus timebase-frequency
 *   probe: intc NAME COMPATIBLE BASE SIZE... each interrupt controller at the root
 *   probe: uart NAME BASE                   each 16550 node
 *   probe: device KIND NAME BASE SIZE       the stall detector (vmwdt), the
 *                                           goldfish battery, the PL030 (rtc)
 *   probe: error WHAT                       a failed check (counted)
 * The guest adds, from its own memory and registers:
 *   probe: fdt-at ADDR / probe: initrd-head TEXT / probe: mode MODE
 *   probe: errors N                         last line before the mode's action
 */
#ifndef LA_PROBE_DT_H
#define LA_PROBE_DT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct probe_dt {
	void (*putc)(void *ctx, char c);
	void *ctx;
	unsigned errors;
	/* what the walk found */
	uint64_t initrd_start, initrd_end;
	int has_initrd;
	char mode[16];            /* probe.mode= value, "" if none */
	/* the platform devices' bases (their first reg entry), 0: none */
	uint64_t vmwdt, battery, rtc;
};

/* probe_printf - the report's printf: %s %c %u %x %lx %llx %lu %llu and
 * %d, with optional 0-padding width for hex. */
void probe_printf(struct probe_dt *p, const char *fmt, ...);

/* probe_dt_report - walk the blob fdt (at most len bytes readable) and
 * print its lines; a malformed blob is an error line, never a crash.
 * returns: the number of errors so far */
unsigned probe_dt_report(struct probe_dt *p, const uint8_t *fdt, uint64_t len);

#endif
