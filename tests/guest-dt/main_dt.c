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
 * there is no memory); and the aarch64 platform devices the tree names:
 * vmwdt (enable the stall detector on vCPU 0 at 10 Hz with a count of 10,
 * pet it every quarter second eight times, then spin without petting: the
 * VMM resets the VM), vmwdt-off (enable it, disable it, spin two seconds,
 * power off; and a vCPU the VM lacks), battery (read the goldfish
 * battery's registers, power off), rtc (read the PL030's counter, again
 * after two seconds, load it, read its IDs, power off).
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
unsigned long probe_arch_ticks(void);  /* a free-running counter */
unsigned long probe_arch_ticks_hz(void); /* its rate, 0: not known */
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

static inline void mmio_write32(unsigned long addr, unsigned v)
{
	*(volatile unsigned *)addr = v;
}

static inline unsigned mmio_read32(unsigned long addr)
{
	return *(volatile unsigned *)addr;
}

/* Spin (never WFI: the vCPU keeps running) for ms milliseconds of the
 * counter. returns: 0, -1 if the counter's rate is unknown */
static int spin_ms(unsigned long ms)
{
	unsigned long hz = probe_arch_ticks_hz(), t0 = probe_arch_ticks();

	if (!hz)
		return -1;
	while (probe_arch_ticks() - t0 < hz / 1000 * ms)
		;
	return 0;
}

#define VMWDT_STATUS 0x0
#define VMWDT_LOAD_CNT 0x4
#define VMWDT_CURRENT_CNT 0x8
#define VMWDT_CLOCK_FREQ_HZ 0xc

static void vmwdt_show(struct probe_dt *p, unsigned long r, const char *what)
{
	probe_printf(p, "probe: vmwdt %s status %u load %u current %u freq %u\n", what,
		     mmio_read32(r + VMWDT_STATUS), mmio_read32(r + VMWDT_LOAD_CNT),
		     mmio_read32(r + VMWDT_CURRENT_CNT), mmio_read32(r + VMWDT_CLOCK_FREQ_HZ));
}

/* vCPU 0's stall detector: 10 Hz, a count of 10 (1 s of running). */
static void mode_vmwdt(struct probe_dt *p, int off)
{
	unsigned long r = (unsigned long)p->vmwdt;

	mmio_write32(r + VMWDT_CLOCK_FREQ_HZ, 10);
	mmio_write32(r + VMWDT_LOAD_CNT, 10);
	mmio_write32(r + VMWDT_STATUS, 1);
	vmwdt_show(p, r, "enabled");
	if (off) {
		/* vCPU 5's registers: a VM of 2 vCPUs has none */
		mmio_write32(r + 5 * 0x10 + VMWDT_CLOCK_FREQ_HZ, 10);
		mmio_write32(r + 5 * 0x10 + VMWDT_STATUS, 1);
		vmwdt_show(p, r + 5 * 0x10, "cpu5");
		mmio_write32(r + VMWDT_STATUS, 0);
		vmwdt_show(p, r, "disabled");
		if (spin_ms(2000))
			p->errors++;
		probe_printf(p, "probe: vmwdt spun 2 s disabled\n");
		return;
	}
	for (unsigned i = 1; i <= 8; i++) {
		if (spin_ms(250)) {
			p->errors++;
			return;
		}
		mmio_write32(r + VMWDT_LOAD_CNT, 10);
		probe_printf(p, "probe: vmwdt pet %u\n", i);
	}
	vmwdt_show(p, r, "petted");
	probe_printf(p, "probe: vmwdt no more pets\n");
	for (;;)
		;
}

static void mode_battery(struct probe_dt *p)
{
	unsigned long r = (unsigned long)p->battery;

	probe_printf(p, "probe: battery ac_online %u status %u health %u present %u capacity %u\n",
		     mmio_read32(r + 0x08), mmio_read32(r + 0x0c), mmio_read32(r + 0x10),
		     mmio_read32(r + 0x14), mmio_read32(r + 0x18));
	probe_printf(p, "probe: battery voltage %u temp %u cycles %u\n", mmio_read32(r + 0x1c),
		     mmio_read32(r + 0x20), mmio_read32(r + 0x40));
	mmio_write32(r + 0x04, 3); /* both changes' interrupts */
	probe_printf(p, "probe: battery int_enable %u int_status %u\n", mmio_read32(r + 0x04),
		     mmio_read32(r + 0x00));
	/* no register there; a byte of capacity; a write to capacity */
	mmio_write32(r + 0x18, 99);
	probe_printf(p, "probe: battery at 0x800 0x%x byte 0x%x capacity %u\n",
		     mmio_read32(r + 0x800), mmio_read8(r + 0x18), mmio_read32(r + 0x18));
}

static void mode_rtc(struct probe_dt *p)
{
	unsigned long r = (unsigned long)p->rtc;
	unsigned periph = 0, cell = 0, dr;

	for (unsigned i = 0; i < 4; i++) {
		periph |= (mmio_read32(r + 0xfe0 + 4 * i) & 0xff) << (8 * i);
		cell |= (mmio_read32(r + 0xff0 + 4 * i) & 0xff) << (8 * i);
	}
	probe_printf(p, "probe: rtc periphid 0x%x cellid 0x%x\n", periph, cell);
	dr = mmio_read32(r);
	probe_printf(p, "probe: rtc dr %u\n", dr);
	if (spin_ms(2000))
		p->errors++;
	probe_printf(p, "probe: rtc dr-after-2s %u\n", mmio_read32(r));
	mmio_write32(r + 0x0c, 1000000000u); /* LR: load the counter */
	mmio_write32(r + 0x04, 1000000100u); /* MR */
	mmio_write32(r + 0x10, 3);           /* CR: only bit 0 is kept */
	probe_printf(p, "probe: rtc loaded %u match %u cr %u\n", mmio_read32(r),
		     mmio_read32(r + 0x04), mmio_read32(r + 0x10));
}

/* A platform mode: its device's base from the tree, or an error. (No
 * table of the modes' names: the ELF probe runs unrelocated.) */
static int platform_mode(struct probe_dt *p)
{
	int vmwdt = str_eq(p->mode, "vmwdt"), off = str_eq(p->mode, "vmwdt-off");
	int battery = str_eq(p->mode, "battery"), rtc = str_eq(p->mode, "rtc");
	uint64_t base = vmwdt || off ? p->vmwdt : battery ? p->battery : p->rtc;

	if (!vmwdt && !off && !battery && !rtc)
		return 0;
	if (!base) {
		p->errors++;
		probe_printf(p, "probe: error no device for mode %s in the tree\n", p->mode);
	} else if (vmwdt || off) {
		mode_vmwdt(p, off);
	} else if (battery) {
		mode_battery(p);
	} else {
		mode_rtc(p);
	}
	return 1;
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
	} else if (platform_mode(&p)) {
		/* done, or (vmwdt) never back */
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
