/* SPDX-License-Identifier: MIT */
/*
 * The probe guest: a freestanding x86_64 program that la-vmrun boots through
 * the Linux 64-bit boot protocol. It reads what the VMM handed it (boot_params,
 * e820, cmdline, setup_data, MP table, ACPI tables, CPUID), checks it and
 * prints a line-oriented report ("probe: KEY VALUES...") on COM1.
 *
 * This header is the part that is plain C: the table walkers and the report
 * writer. They read guest-physical memory through struct probe (base pointer
 * plus size), so the same code runs in the guest (base 0, identity map) and
 * in a host unit test (base = a buffer holding fabricated tables).
 *
 * Report lines (all numbers hexadecimal with 0x, except counts and lengths):
 *   probe: boot_params ADDR loader TYPE flag BOOTFLAG header OK|BAD ...
 *   probe: cmdline TEXT
 *   probe: e820 ADDR SIZE TYPE            one per entry, in table order
 *   probe: setup_data ADDR type T len N   one per list entry
 *   probe: mp fp ADDR table ADDR ...      then mp cpu/ioapic/bus/intsrc lines
 *   probe: acpi rsdp ADDR rev R ...       then acpi table/fadt/madt/mcfg lines
 *   probe: error WHAT                     a failed check (also counted)
 *   probe: errors N                       last line before the mode's action
 */
#ifndef LA_PROBE_H
#define LA_PROBE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Linux boot protocol: offsets in struct boot_params (the zero page) */
#define PROBE_BP_EXT_RAMDISK_IMAGE 0x0c0
#define PROBE_BP_EXT_RAMDISK_SIZE  0x0c4
#define PROBE_BP_EXT_CMD_LINE_PTR  0x0c8
#define PROBE_BP_E820_ENTRIES      0x1e8
#define PROBE_BP_SETUP_SECTS       0x1f1
#define PROBE_BP_BOOT_FLAG         0x1fe
#define PROBE_BP_HEADER            0x202
#define PROBE_BP_VERSION           0x206
#define PROBE_BP_TYPE_OF_LOADER    0x210
#define PROBE_BP_RAMDISK_IMAGE     0x218
#define PROBE_BP_RAMDISK_SIZE      0x21c
#define PROBE_BP_CMD_LINE_PTR      0x228
#define PROBE_BP_KERNEL_ALIGNMENT  0x230
#define PROBE_BP_XLOADFLAGS        0x236
#define PROBE_BP_CMDLINE_SIZE      0x238
#define PROBE_BP_SETUP_DATA        0x250
#define PROBE_BP_E820_TABLE        0x2d0
#define PROBE_BP_SIZE              0x1000
#define PROBE_E820_MAX             128
#define PROBE_HDRS                 0x53726448u /* "HdrS" */

#define PROBE_SETUP_DTB      2
#define PROBE_SETUP_RNG_SEED 9
#define PROBE_FDT_MAGIC      0xd00dfeedu

/* where a BIOS-less VMM puts the tables (crosvm-arch.md §3.1) */
#define PROBE_MPTABLE_SEARCH_LOW  0x9fc00 /* last KiB of 640 KiB base memory */
#define PROBE_BIOS_ROM_START      0xe0000
#define PROBE_BIOS_ROM_END        0x100000

/* the probe's mode, from "probe.mode=" on the command line */
enum probe_mode {
	PROBE_MODE_POWEROFF, /* ACPI S5 through the FADT's PM1a control block */
	PROBE_MODE_REBOOT,   /* 0xfe to the i8042 command port 0x64 */
	PROBE_MODE_TRIPLEFAULT, /* an exception with an empty IDT */
	PROBE_MODE_POST,     /* POST codes 0x10..0x1f on port 0x80, then S5 */
	PROBE_MODE_WAIT,     /* wait for a byte on COM1 (about 2^36 TSC ticks at most), then S5 */
	PROBE_MODE_MMIO,     /* read and write MMIO no device claims, then S5 */
	/* hostile.c: seeded garbage (probe.seed=), then "survived" and S5 */
	PROBE_MODE_HOSTILE,  /* all four below, in this order */
	PROBE_MODE_HOSTILE_BUS,    /* garbage to the probe.io= / probe.mmio= ranges */
	PROBE_MODE_HOSTILE_BARS,   /* PCI BARs over RAM, each other, ECAM; back */
	PROBE_MODE_HOSTILE_MSIX,   /* MSI-X tables of nonsense, enabled */
	PROBE_MODE_HOSTILE_VIRTIO, /* malformed virtqueues, then a valid request */
	PROBE_MODE_UNKNOWN,
};

struct probe {
	/* output: one character at a time */
	void (*putc)(void *ctx, char c);
	void *ctx;
	/* guest-physical memory [0, memsize) is at mem */
	const uint8_t *mem;
	uint64_t memsize;
	/* results the report found */
	unsigned errors;
	uint64_t cmdline;       /* guest address of the command line, 0 if none */
	uint32_t pm1a_cnt;      /* PM1a control block I/O port, 0 if none */
	uint32_t pm1b_cnt;
	int slp_typ_s5;         /* SLP_TYP of \_S5 from the DSDT, -1 if none */
	uint32_t acpi_cpus;     /* enabled Local APIC entries in the MADT */
	uint32_t mp_cpus;       /* processor entries in the MP table */
};

/* probe_printf: print to the probe's output; %s %c %d %u %x %lu %lx (hex
 * with a 0x prefix), %% and nothing else. */
void probe_printf(struct probe *p, const char *fmt, ...);
/* probe_error: print "probe: error ..." and count it. */
void probe_error(struct probe *p, const char *fmt, ...);

/* probe_ptr: the host pointer of guest range [gpa, gpa+len), NULL if it is
 * outside guest memory. */
const uint8_t *probe_ptr(const struct probe *p, uint64_t gpa, uint64_t len);
uint8_t probe_sum8(const uint8_t *b, uint64_t len);
uint16_t probe_rd16(const uint8_t *b);
uint32_t probe_rd32(const uint8_t *b);
uint64_t probe_rd64(const uint8_t *b);

/* probe_report_boot_params: boot_params at guest address bp: header fields,
 * cmdline, e820 table, initrd, setup_data list. */
void probe_report_boot_params(struct probe *p, uint64_t bp);
/* probe_report_mptable: find the MP floating pointer (last KiB of base
 * memory, then 0xE0000-0xFFFFF) and check and print the table. */
void probe_report_mptable(struct probe *p);
/* probe_report_acpi: find the RSDP (0xE0000-0xFFFFF), check every table's
 * checksum, print FADT/MADT/MCFG contents, find \_S5's SLP_TYP. */
void probe_report_acpi(struct probe *p);
/* probe_cmdline_mode: the mode named by "probe.mode=" in cmdline (NUL
 * terminated); PROBE_MODE_POWEROFF when absent. */
enum probe_mode probe_cmdline_mode(const char *cmdline);
const char *probe_mode_name(enum probe_mode m);
/* probe_hostile: the hostile modes (hostile.c; guest only) with the
 * probe.seed=, probe.io= and probe.mmio= parameters of cmdline */
void probe_hostile(struct probe *p, enum probe_mode mode, const char *cmdline);
/* probe_s5_slp_typ: SLP_TYP of the \_S5 package in AML bytes [aml, +len),
 * -1 when there is none. */
int probe_s5_slp_typ(const uint8_t *aml, uint64_t len);

#endif
