/* SPDX-License-Identifier: MIT */
/*
 * The probe guest's machine side: COM1 output, CPUID, and the mode's ending
 * (ACPI S5, i8042 reset, triple fault, POST codes). Entered from entry.S in
 * long mode with the 0-4 GiB identity map. Takes no exceptions (except in
 * triplefault mode, on purpose) and uses no xrstor/cmpxchg16b, so it also
 * runs under KVM's instruction emulator.
 */
#include "io.h"
#include "probe.h"

#define PROBE_I8042_CMD 0x64
#define PROBE_I8042_RESET 0xfe
#define PROBE_POST_PORT 0x80
#define PROBE_SLP_EN    (1u << 13)

void probe_main(uint64_t boot_params, unsigned entry_bits);

/* the compiler may call these even in freestanding code */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

void *memset(void *d, int c, size_t n)
{
	uint8_t *b = d;

	while (n--)
		*b++ = (uint8_t)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	uint8_t *a = d;
	const uint8_t *b = s;

	while (n--)
		*a++ = *b++;
	return d;
}

static void probe_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

/* COM1, polled: wait (boundedly) for an empty transmit register */
static void probe_com1_putc(void *ctx, char c)
{
	(void)ctx;
	for (int i = 0; i < 100000 && !(probe_inb(PROBE_COM1_LSR) & PROBE_LSR_THRE); i++)
		;
	probe_outb(PROBE_COM1, (uint8_t)c);
}

static void probe_report_cpuid(struct probe *p)
{
	uint32_t r[4], max, hv[4] = { 0 };
	char vendor[13], hvid[13];

	probe_cpuid(0, 0, r);
	max = r[0];
	memcpy(vendor, &r[1], 4);
	memcpy(vendor + 4, &r[3], 4);
	memcpy(vendor + 8, &r[2], 4);
	vendor[12] = 0;
	probe_cpuid(1, 0, r);
	probe_printf(p, "probe: cpuid vendor %s max %x family-model-stepping %x apic %u "
			"logical %u htt %u hypervisor %u x2apic %u\n",
		     vendor, max, r[0], r[1] >> 24, (r[1] >> 16) & 0xff, (r[3] >> 28) & 1, r[2] >> 31,
		     (r[2] >> 21) & 1);
	if (r[2] >> 31) {
		probe_cpuid(0x40000000, 0, hv);
		memcpy(hvid, &hv[1], 4);
		memcpy(hvid + 4, &hv[2], 4);
		memcpy(hvid + 8, &hv[3], 4);
		hvid[12] = 0;
		for (int i = 0; i < 12; i++)
			if (hvid[i] && (hvid[i] < 0x20 || hvid[i] > 0x7e))
				hvid[i] = '?';
		probe_printf(p, "probe: cpuid hypervisor-id %s max %x\n", hvid, hv[0]);
	}
	if (max >= 0xb) {
		probe_cpuid(0xb, 0, r);
		probe_printf(p, "probe: cpuid leaf-b x2apic-id %u smt-shift %u smt-count %u\n", r[3],
			     r[0] & 0x1f, r[1] & 0xffff);
	}
}

/* probe_settle: give a VMM that stops the VM asynchronously (QEMU) about
 * 2^29 TSC ticks (a fraction of a second) before the probe calls the request
 * a failure. No PAUSE: under nested virtualization each one can exit. */
static void probe_settle(void)
{
	uint32_t lo, hi;
	uint64_t t0, t;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	t0 = (uint64_t)hi << 32 | lo;
	for (unsigned long i = 0; i < 1000000000ul; i++) {
		__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
		t = (uint64_t)hi << 32 | lo;
		if (t - t0 > (1ull << 29))
			return;
	}
}

/* probe_wait: poll COM1 for a byte every 2^24 TSC ticks (each poll is a VM
 * exit), for about 2^36 ticks at most; say what came. */
static void probe_wait(struct probe *p)
{
	uint64_t t0 = probe_rdtsc(), t = t0;

	probe_printf(p, "probe: waiting for a byte on COM1\n");
	while (t - t0 < (1ull << 36)) {
		uint64_t next = t + (1ull << 24);

		if (probe_inb(PROBE_COM1_LSR) & PROBE_LSR_DR) {
			probe_printf(p, "probe: got byte %x\n", probe_inb(PROBE_COM1));
			return;
		}
		while ((t = probe_rdtsc()) < next)
			;
	}
	probe_error(p, "no byte on COM1");
}

static void probe_poweroff(struct probe *p)
{
	unsigned typ = p->slp_typ_s5 >= 0 ? (unsigned)p->slp_typ_s5 : 0;

	if (p->pm1a_cnt) {
		probe_outw((uint16_t)p->pm1a_cnt, (uint16_t)(typ << 10 | PROBE_SLP_EN));
		if (p->pm1b_cnt)
			probe_outw((uint16_t)p->pm1b_cnt, (uint16_t)(typ << 10 | PROBE_SLP_EN));
		probe_settle();
	}
	/* still here: make the failure visible as a reset, not a hang */
	probe_error(p, "poweroff through PM1a_CNT %x did not stop the VM; resetting", p->pm1a_cnt);
}

static void probe_triplefault(void)
{
	static const struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} null_idt = { 0, 0 };

	/* an exception with an empty IDT: #GP, then #DF, then shutdown */
	__asm__ volatile("lidt %0\n\tint3" : : "m"(null_idt));
}

/* probe_mmio: two reads and a write at the start of low PCI MMIO, where no
 * device is: the VMM must answer all ones and carry on. */
#define PROBE_UNCLAIMED_MMIO 0xd0000000u
static void probe_mmio(struct probe *p)
{
	volatile uint32_t *r = (volatile uint32_t *)(uintptr_t)PROBE_UNCLAIMED_MMIO;
	uint32_t a = r[0], b = r[1];

	r[0] = 0x12345678;
	probe_printf(p, "probe: mmio %x reads %x %x\n", PROBE_UNCLAIMED_MMIO, a, b);
	if (a != 0xffffffffu || b != 0xffffffffu)
		probe_error(p, "unclaimed MMIO did not read all ones");
}

static void probe_post(struct probe *p)
{
	for (unsigned c = 0x10; c < 0x20; c++)
		probe_outb(PROBE_POST_PORT, (uint8_t)c);
	probe_printf(p, "probe: post 0x10-0x1f\n");
}

void probe_main(uint64_t boot_params, unsigned entry_bits)
{
	struct probe p = {
		.putc = probe_com1_putc,
		.mem = (const uint8_t *)(uintptr_t)0,
		.memsize = 1ull << 32,
		.slp_typ_s5 = -1,
	};
	enum probe_mode mode = PROBE_MODE_POWEROFF;

	/* a fresh line: firmware may have left one unfinished */
	probe_printf(&p, "\nprobe: start entry %u boot_params %lx\n", entry_bits,
		     (unsigned long)boot_params);
	probe_report_boot_params(&p, boot_params);
	probe_report_mptable(&p);
	probe_report_acpi(&p);
	probe_report_cpuid(&p);
	if (p.cmdline)
		mode = probe_cmdline_mode((const char *)(uintptr_t)p.cmdline);
	probe_printf(&p, "probe: mode %s\n", probe_mode_name(mode));
	if (mode == PROBE_MODE_UNKNOWN)
		probe_error(&p, "unknown probe.mode; powering off");
	if (mode == PROBE_MODE_POST)
		probe_post(&p);
	if (mode == PROBE_MODE_WAIT)
		probe_wait(&p);
	if (mode == PROBE_MODE_MMIO)
		probe_mmio(&p);
	if (mode >= PROBE_MODE_HOSTILE && mode <= PROBE_MODE_HOSTILE_VIRTIO)
		probe_hostile(&p, mode, (const char *)(uintptr_t)p.cmdline);
	probe_printf(&p, "probe: errors %u\n", p.errors);
	switch (mode) {
	case PROBE_MODE_TRIPLEFAULT:
		probe_triplefault();
		break;
	case PROBE_MODE_REBOOT:
		break;
	default:
		probe_poweroff(&p);
		break;
	}
	probe_outb(PROBE_I8042_CMD, PROBE_I8042_RESET);
	probe_settle();
	probe_error(&p, "i8042 reset did not stop the VM; triple-faulting");
	probe_triplefault();
}
