/* SPDX-License-Identifier: MIT */
/*
 * The DT probe guest's main (aarch64, riscv64): report what the tree and
 * memory hold, then end the VM as probe.mode= asks. The arch's entry
 * (aarch64.S, riscv64.S) sets up a stack, clears bss and calls probe_main
 * with the tree's address; it provides the three arch calls below.
 *
 * Modes: poweroff (default: PSCI SYSTEM_OFF / SBI system reset, shutdown),
 * reboot (SYSTEM_RESET / cold reboot), mmio (read and write 0x20000000,
 * which no device claims, then power off), wait (wait for a byte on the
 * console UART, print it, power off), crash (jump to address 0, where
 * there is no memory).
 */
#include "probe_dt.h"

#define UART_BASE 0x3f8ul       /* COM1 on the MMIO bus */
#define UART_LSR 5
#define UART_LSR_DR 0x01
#define UNCLAIMED_MMIO 0x20000000ul
#define FDT_MAX (2ul << 20)     /* the arches' fdt_max_size */

/* the arch's part (aarch64.S, riscv64.S) */
void probe_arch_poweroff(void) __attribute__((noreturn));
void probe_arch_reboot(void) __attribute__((noreturn));
void probe_arch_crash(void) __attribute__((noreturn));
unsigned long probe_arch_info(void);   /* aarch64: CurrentEL; riscv64: the hart id */
extern const char probe_arch_info_name[];

/* the compiler may call these for struct copies and initialisers */
void *memset(void *d, int c, unsigned long n);
void *memcpy(void *d, const void *s, unsigned long n);

__attribute__((optimize("no-tree-loop-distribute-patterns")))
void *memset(void *d, int c, unsigned long n)
{
	volatile unsigned char *p = d;

	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

__attribute__((optimize("no-tree-loop-distribute-patterns")))
void *memcpy(void *d, const void *s, unsigned long n)
{
	volatile unsigned char *p = d;
	const unsigned char *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}

static inline void mmio_write8(unsigned long addr, unsigned char v)
{
	*(volatile unsigned char *)addr = v;
}

static inline unsigned char mmio_read8(unsigned long addr)
{
	return *(volatile unsigned char *)addr;
}

static void uart_putc(void *ctx, char c)
{
	(void)ctx;
	if (c == '\n')
		mmio_write8(UART_BASE, '\r');
	mmio_write8(UART_BASE, (unsigned char)c);
}

static int str_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* Up to 16 printable bytes at the start of the initrd the tree names. */
static void initrd_head(struct probe_dt *p)
{
	const volatile unsigned char *b = (const volatile unsigned char *)(unsigned long)p->initrd_start;
	char text[17];
	unsigned i;

	if (p->has_initrd != 3)
		return;
	for (i = 0; i < 16 && p->initrd_start + i < p->initrd_end; i++)
		text[i] = b[i] >= 0x20 && b[i] < 0x7f ? (char)b[i] : '.';
	text[i] = 0;
	probe_printf(p, "probe: initrd-head %s\n", text);
}

void probe_main(const unsigned char *fdt)
{
	struct probe_dt p = { .putc = uart_putc };
	unsigned long size = (unsigned long)fdt[4] << 24 | (unsigned long)fdt[5] << 16 |
			     (unsigned long)fdt[6] << 8 | fdt[7];

	probe_printf(&p, "probe: start %s %lu\n", probe_arch_info_name, probe_arch_info());
	probe_printf(&p, "probe: fdt-at 0x%lx\n", (unsigned long)fdt);
	probe_dt_report(&p, fdt, size < FDT_MAX ? size : FDT_MAX);
	initrd_head(&p);
	probe_printf(&p, "probe: mode %s\n", p.mode[0] ? p.mode : "poweroff");
	if (str_eq(p.mode, "mmio")) {
		unsigned v = *(volatile unsigned *)UNCLAIMED_MMIO;

		*(volatile unsigned *)UNCLAIMED_MMIO = 0x12345678u;
		probe_printf(&p, "probe: mmio 0x%lx read 0x%x\n", UNCLAIMED_MMIO, v);
	} else if (str_eq(p.mode, "wait")) {
		while (!(mmio_read8(UART_BASE + UART_LSR) & UART_LSR_DR))
			;
		probe_printf(&p, "probe: input 0x%x\n", mmio_read8(UART_BASE));
	} else if (!str_eq(p.mode, "") && !str_eq(p.mode, "poweroff") &&
		   !str_eq(p.mode, "reboot") && !str_eq(p.mode, "crash")) {
		p.errors++;
		probe_printf(&p, "probe: error unknown mode %s\n", p.mode);
	}
	probe_printf(&p, "probe: errors %u\n", p.errors);
	if (str_eq(p.mode, "reboot"))
		probe_arch_reboot();
	if (str_eq(p.mode, "crash"))
		probe_arch_crash();
	probe_arch_poweroff();
}
