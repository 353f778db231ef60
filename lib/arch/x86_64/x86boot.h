/* SPDX-License-Identifier: MIT */
/*
 * x86_64 boot builders (crosvm's x86_64 crate, spec §3.5, §3.8-§3.13):
 * e820, MP table, ACPI, SMBIOS, boot_params, cmdline, setup_data,
 * Multiboot info, image loaders, boot vCPU state, MTRRs and CPUID. All
 * pure: they write into caller buffers or into struct la_gmem and never
 * need /dev/kvm, so la-vmrun --explain and the unit tests run anywhere.
 */
#ifndef LA_X86BOOT_H
#define LA_X86BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "boot.h"
#include "vm/guestmem.h"

/* ---- e820 (§3.5) ---- */
enum { LA_E820_RAM = 1, LA_E820_RESERVED = 2 };

struct la_e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
};

struct la_e820 {
	unsigned n;
	struct la_e820_entry e[128];
};

/* la_x86_vcfg_range - the PCIe virtual config window: 2 x ECAM size at
 * max(round_up(end of guest memory, 2 MiB), 4 GiB). */
struct la_range la_x86_vcfg_range(const struct la_arch_layout *l, const struct la_mem_layout *m);

/* la_x86_high_mmio - high PCI MMIO: after the VCFG window up to
 * min(2^phys_bits - 1, 2^46 - 1). */
struct la_range la_x86_high_mmio(const struct la_arch_layout *l, const struct la_mem_layout *m,
				 unsigned phys_bits);

/* la_x86_e820_build - the e820 map: regions, ECAM, VCFG, identity map+TSS.
 * returns: 0, -LA_ERR_E820 */
int la_x86_e820_build(const struct la_arch_layout *l, const struct la_mem_layout *m,
		      struct la_e820 *out);

/* ---- MP table (§3.11) ---- */
/* la_x86_mptable_write - MP table for ncpus CPUs and the npci PCI INTx of
 * pci (an entry per bus, device and pin: what the _PRT says, for guests
 * without ACPI) into buf, which holds guest memory [0x9e800, 0xa0000)
 * (0x1800 bytes, zeroed first).
 * returns: 0, -LA_ERR_CPUS (ncpus 0 or > 254), -LA_ERR_TOOMANY (npci >
 * LA_X86_MAX_PRT), -LA_ERR_MPTABLE (does not fit, or an IRQ past the
 * IOAPIC's 24 pins) */
struct la_pci_intx;
int la_x86_mptable_write(uint8_t *buf, size_t len, unsigned ncpus,
			 const struct la_pci_intx *pci, unsigned npci);

/* ---- ACPI (§3.12) ---- */
struct la_platform;

struct la_x86_acpi_cfg {
	unsigned ncpus;
	uint16_t pm_iobase;        /* PM1a event block; control at +4, GPE0 at +8 */
	uint8_t sci_irq;
	struct la_range ecam;
	struct la_range low_mmio;  /* PCI MMIO below 4 GiB (ECAM is carved out) */
	struct la_range high_mmio;
	struct la_range vcfg;
	const struct la_platform *plat; /* PCI _PRT and the devices' DSDT
					 * parts; NULL: none */
};

/* Where each table went, for --explain and tests. */
struct la_x86_acpi_info {
	unsigned n;
	struct { char sig[5]; uint64_t addr; uint32_t len; } t[8];
};

/* la_x86_acpi_write - RSDP, FACS, DSDT, FACP, MADT, MCFG and XSDT into buf,
 * which holds guest memory from base (0xe0000), len bytes.
 * returns: 0, -LA_ERR_ACPISPACE */
int la_x86_acpi_write(uint8_t *buf, size_t len, uint64_t base,
		      const struct la_x86_acpi_cfg *c, struct la_x86_acpi_info *info);

/* PCI functions with an INTx a DSDT's _PRT can route. */
#define LA_X86_MAX_PRT 256

/* la_x86_dsdt_aml - the DSDT body (AML after the 36-byte header) into buf.
 * returns: bytes written, -LA_ERR_ACPISPACE */
int la_x86_dsdt_aml(uint8_t *buf, size_t len, const struct la_x86_acpi_cfg *c);

/* The PM1 control value that means "enter S5" in our DSDT's \_S5_. */
#define LA_X86_S5_SLP_TYP 5

/* ---- SMBIOS (§3.13) ---- */
/* la_x86_smbios_write - SMBIOS 3.0 entry point + types 0, 1, 127 into buf
 * (guest memory from base = 0xf0000). bios_size in bytes, 0 for a kernel.
 * returns: bytes used, -LA_ERR_NOSPACE */
int la_x86_smbios_write(uint8_t *buf, size_t len, uint64_t base, uint64_t bios_size);

/* ---- CMOS (§3.6 step 10) ---- */
/* la_x86_cmos_mem - CMOS 0x34/0x35 (64 KiB units above 16 MiB, below 4G)
 * and 0x5b-0x5d (64 KiB units above 4 GiB) for mem_size bytes. */
void la_x86_cmos_mem(const struct la_arch_layout *l, uint64_t mem_size,
		     uint16_t *below, uint32_t *above);

/* ---- images (§3.8) ---- */
enum la_x86_image_kind {
	LA_X86_IMG_BZIMAGE,
	LA_X86_IMG_ELF64,
	LA_X86_IMG_ELF32,
	LA_X86_IMG_MULTIBOOT,
	LA_X86_IMG_BIOS,
};

enum la_x86_cpu_mode {
	LA_X86_MODE_RESET,  /* reset state: real mode at the reset vector (BIOS) */
	LA_X86_MODE_FLAT32, /* flat 32-bit protected mode, paging off */
	LA_X86_MODE_LONG,   /* 64-bit mode, identity-mapped 0-4 GiB */
};

#define LA_X86_BOOT_PARAMS_SIZE 4096

struct la_x86_kernel {
	enum la_x86_image_kind kind;
	enum la_x86_cpu_mode mode;
	uint64_t entry;  /* guest physical */
	uint64_t start;  /* loaded image [start, end) */
	uint64_t end;
	uint8_t params[LA_X86_BOOT_PARAMS_SIZE]; /* boot_params the loader starts */
	struct la_kernel_info info; /* what la_kernel_probe read (kind NONE: BIOS) */
};

/* Offsets in boot_params (Linux's Documentation/arch/x86/zero-page.rst). */
enum {
	LA_BP_EXT_RAMDISK_IMAGE = 0x0c0,
	LA_BP_EXT_RAMDISK_SIZE = 0x0c4,
	LA_BP_EXT_CMD_LINE_PTR = 0x0c8,
	LA_BP_E820_ENTRIES = 0x1e8,
	LA_BP_SETUP_SECTS = 0x1f1,
	LA_BP_SYSSIZE = 0x1f4,
	LA_BP_BOOT_FLAG = 0x1fe,
	LA_BP_HEADER = 0x202,
	LA_BP_VERSION = 0x206,
	LA_BP_TYPE_OF_LOADER = 0x210,
	LA_BP_LOADFLAGS = 0x211,
	LA_BP_RAMDISK_IMAGE = 0x218,
	LA_BP_RAMDISK_SIZE = 0x21c,
	LA_BP_CMD_LINE_PTR = 0x228,
	LA_BP_INITRD_ADDR_MAX = 0x22c,
	LA_BP_KERNEL_ALIGNMENT = 0x230,
	LA_BP_XLOADFLAGS = 0x236,
	LA_BP_CMDLINE_SIZE = 0x238,
	LA_BP_SETUP_DATA = 0x250,
	LA_BP_E820_TABLE = 0x2d0,
};
#define LA_XLF_KERNEL_64 (1u << 0)
#define LA_XLF_CAN_BE_LOADED_ABOVE_4G (1u << 1)

/* la_x86_kernel_load - load the Multiboot (with load addresses), ELF
 * (64/32) or bzImage kernel img (len bytes) that la_kernel_probe
 * recognises into guest memory.
 * returns: 0, la_kernel_probe's codes, -LA_ERR_ELFLOAD, -LA_ERR_ELFENTRY,
 * -LA_ERR_KERNELSIZE */
int la_x86_kernel_load(const struct la_gmem *g, const uint8_t *img, size_t len,
		       struct la_x86_kernel *k);

/* la_x86_bios_load - copy a BIOS image so that it ends at 4 GiB.
 * returns: 0, -LA_ERR_GPA */
int la_x86_bios_load(const struct la_gmem *g, const uint8_t *img, size_t len,
		     struct la_x86_kernel *k);

/* la_x86_kernel_initrd_max - highest guest address an initrd may use for
 * kernel k: unlimited with XLF_CAN_BE_LOADED_ABOVE_4G, else the bzImage's
 * initrd_addr_max, 0x37ffffff when it gives none (and for other kernels). */
uint64_t la_x86_kernel_initrd_max(const struct la_kernel_info *k);

/* la_x86_kernel_cmdline_max - characters (without the NUL) the kernel
 * accepts: a bzImage's cmdline_size (255 if 0), at most 0x7ff; 0x7ff for
 * other kernels and a BIOS. */
uint64_t la_x86_kernel_cmdline_max(const struct la_kernel_info *k);

/* ---- command line ---- */
struct la_cmdline {
	size_t len;
	char s[4096];
};

/* la_cmdline_add - append a space-separated token (any printable ASCII).
 * returns: 0, -LA_ERR_CMDLINECHAR, -LA_ERR_CMDLINE (over 4095 bytes) */
int la_cmdline_add(struct la_cmdline *c, const char *tok);

/* ---- setup_data ---- */
struct la_x86_setup {
	unsigned n;
	struct { uint64_t addr; uint32_t type; uint32_t len; } e[2];
};

/* la_x86_setup_data_write - RNG seed (256 bytes) and, when dtb is given,
 * the DTB zero-padded to 16 KiB, chained from 0x20800.
 * returns: 0, -LA_ERR_DTBSIZE, -LA_ERR_SETUPDATA, -LA_ERR_GPA */
int la_x86_setup_data_write(const struct la_gmem *g, const uint8_t *seed,
			    const uint8_t *dtb, size_t dtb_len, struct la_x86_setup *out);

/* la_x86_boot_params_fill - the loader's fields of boot_params (§3.8 step 5).
 * returns: 0, -LA_ERR_E820 */
int la_x86_boot_params_fill(uint8_t *bp, const struct la_e820 *e, uint64_t setup_data,
			    uint64_t initrd, uint64_t initrd_size);

/* la_x86_multiboot_info_write - Multiboot information for buf = guest
 * memory [0x6000, 0x7000). returns: 0, -LA_ERR_NOSPACE */
int la_x86_multiboot_info_write(uint8_t *buf, size_t len, const struct la_mem_layout *m,
				const struct la_e820 *e);

/* ---- boot vCPU state (§3.9) ---- */
struct la_x86_segment {
	uint64_t base;
	uint32_t limit;     /* bytes */
	uint16_t selector;
	uint8_t type, present, dpl, db, s, l, g, avl;
};

struct la_msr {
	uint32_t index;
	uint64_t value;
};

#define LA_X86_MAX_BOOT_MSRS 40

struct la_x86_boot_cpu {
	enum la_x86_cpu_mode mode;
	uint64_t rip, rsp, rsi, rax, rbx, rflags;
	uint64_t cr0, cr3, cr4, efer;
	struct la_x86_segment cs, data, tr; /* data: DS, ES, FS, GS, SS */
	uint64_t gdt_base, idt_base;
	uint16_t gdt_limit, idt_limit;
	unsigned nmsrs;
	struct la_msr msrs[LA_X86_MAX_BOOT_MSRS];
};

/* la_x86_gdt_entry - a GDT descriptor from flags (e.g. 0xa09b), base, limit. */
uint64_t la_x86_gdt_entry(uint16_t flags, uint32_t base, uint32_t limit);
/* la_x86_segment_from_gdt - the segment register a descriptor loads. */
struct la_x86_segment la_x86_segment_from_gdt(uint64_t entry, uint16_t selector);

/* la_x86_mtrr_msrs - variable MTRRs making [pci_start, 4 GiB) uncached and
 * MTRRdefType (WB). returns: number of MSRs written to out (<= max) */
unsigned la_x86_mtrr_msrs(uint64_t pci_start, unsigned phys_bits, struct la_msr *out,
			  unsigned max);

/* la_x86_boot_cpu_setup - GDT, IDT and page tables into guest memory, and
 * the registers, segments and MSRs of the boot vCPU for kernel k.
 * returns: 0, -LA_ERR_GPA */
int la_x86_boot_cpu_setup(const struct la_gmem *g, const struct la_x86_kernel *k,
			  uint64_t pci_start, unsigned phys_bits, struct la_x86_boot_cpu *out);

/* ---- CPUID (§3.10) ---- */
struct la_cpuid_entry {
	uint32_t function, index, flags;
	uint32_t eax, ebx, ecx, edx;
};

struct la_x86_cpuid_cfg {
	unsigned vcpu_id, ncpus;
	bool x2apic;        /* the irqchip's LAPIC supports x2APIC */
	bool tsc_deadline;  /* KVM offers the TSC deadline timer */
	/* the host's CPUID (leaves 2, 4, 0x80000002-6 are passed through) */
	void (*host)(uint32_t leaf, uint32_t sub, uint32_t out[4]);
};

/* la_x86_cpuid_adjust - crosvm's per-vCPU adjustments of KVM's supported
 * CPUID (no host topology, nested off, no TSC leaf). */
void la_x86_cpuid_adjust(struct la_cpuid_entry *e, unsigned n, const struct la_x86_cpuid_cfg *c);

/* ---- build_vm's result ---- */
/* What x86_64's build_vm produced (struct la_arch_ops.build_vm). The
 * running VM hands it untouched to this arch's hypervisor half
 * (lib/arch/x86_64/kvm.c); la-vmrun --explain prints it. */
struct la_vm_boot {
	struct la_x86_kernel kernel;
	struct la_cmdline cmdline;
	struct la_e820 e820;
	struct la_x86_setup setup;
	uint64_t initrd_addr, initrd_size;
	bool has_acpi;
	struct la_x86_acpi_info acpi;
	struct la_x86_boot_cpu cpu;
	uint16_t pm_iobase;
	uint16_t cmos_below;
	uint32_t cmos_above;
	struct la_range ecam, vcfg, high_mmio;
	unsigned phys_bits;
	unsigned ncpus;
	bool split_irqchip;     /* the LAPICs in KVM, la's IOAPIC, no PIC or PIT */
};

#endif
