/* SPDX-License-Identifier: MIT */
/*
 * The LinuxArch contract: one ops table per architecture (one folder per arch,
 * lib/arch/<arch>/),
 * bound in exactly one place, la_arch_lookup(). Layout stages are pure
 * functions of their inputs: they run for any arch on any host, without
 * /dev/kvm.
 */
#ifndef LA_ARCH_H
#define LA_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "range.h"

struct la_kernel_info;
struct la_boot_plan;
struct la_fdt_config;
struct la_sys_alloc_config; /* sys_alloc.h */
struct la_hostcpu;
struct la_hostcpu_opts;
struct la_vm_image;        /* vm.h */
struct la_vm_boot;         /* the arch's (x86_64: x86boot.h) */
struct la_gmem;
struct la_platform_dev;    /* dev/platform.h */
struct la_arch_vm_ops;     /* vm/arch_vm.h */
struct la_json;            /* jsonw.h */

enum la_arch_id {
	LA_ARCH_X86_64,
	LA_ARCH_AARCH64,
	LA_ARCH_RISCV64,
};

/* crosvm's ProtectionType. */
enum la_protection {
	LA_PROT_UNPROTECTED,
	LA_PROT_PROTECTED,
	LA_PROT_PROTECTED_WITH_CUSTOM_FIRMWARE,
	LA_PROT_UNPROTECTED_WITH_FIRMWARE,
};

enum la_fdt_position {
	LA_FDT_POS_DEFAULT, /* arch default: aarch64 end (start for a BIOS) */
	LA_FDT_POS_START,
	LA_FDT_POS_END,
	LA_FDT_POS_AFTER_PAYLOAD,
};

/* A user-given window: START[,SIZE]. */
struct la_window_opt {
	bool set;
	bool has_size;
	uint64_t start;
	uint64_t size;
};

/* The VM options every la program shares (crosvm's VmComponents subset). */
struct la_vm_config {
	const struct la_arch_ops *arch;
	uint64_t mem_size;          /* bytes */
	unsigned cpus;
	struct la_window_opt pci_ecam; /* x86_64 */
	struct la_window_opt pci_cam;  /* aarch64 */
	struct la_window_opt pci_mem;  /* x86_64, aarch64 */
	const char *bios_path;      /* NULL: boots a kernel */
	uint64_t bios_size;         /* bytes, the file's length */
	enum la_protection protection;
	bool swiotlb_set;
	uint64_t swiotlb;           /* bytes, when swiotlb_set */
	bool static_swiotlb;        /* hypervisor requires a static region */
	enum la_fdt_position fdt_position;
	unsigned phys_bits;         /* guest physical address bits; 0 = ask
				     * the host (la_vm_phys_bits) */
};

/* Guest memory region purposes, in crosvm's declaration (= sort) order. */
enum la_region_purpose {
	LA_REGION_BIOS,
	LA_REGION_GUEST_MEMORY,
	LA_REGION_PROTECTED_FIRMWARE,
	LA_REGION_RESERVED,
	LA_REGION_STATIC_SWIOTLB,
	LA_REGION_PSTORE,          /* la-vmrun --pstore's file (never in a layout) */
};

struct la_region {
	uint64_t start;  /* guest physical address */
	uint64_t size;   /* bytes */
	uint64_t align;  /* host mapping alignment, bytes; 0 = none */
	enum la_region_purpose purpose;
};

#define LA_MAX_REGIONS 16

/* guest_memory_layout's result, sorted by start. */
struct la_mem_layout {
	unsigned n;
	struct la_region r[LA_MAX_REGIONS];
};

/* arch_memory_layout's result; each arch fills what it has. */
struct la_arch_layout {
	bool has_ecam;
	struct la_range pci_ecam;     /* x86_64: PCIe ECAM (config MMIO) */
	bool has_cam;
	struct la_range pci_cam;      /* aarch64, riscv64: PCI CAM */
	bool has_pci_mem;
	struct la_range pci_mem;      /* x86_64: low PCI MMIO below 4G;
				       * aarch64: PCI mem window */
	bool has_pvmfw;
	struct la_range pvmfw;        /* pVM firmware region */
};

/* The pVM firmware region (has_pvmfw): one guest physical place on every
 * arch that has it (aarch64, x86_64), just below 2 GiB. */
#define LA_PVMFW_START 0x7fc00000ULL
#define LA_PVMFW_MAX_SIZE 0x400000ULL

/* One fixed boot address or limit, named for JSON and explained for
 * people. A text value (FDT placement rule) has text != NULL. */
struct la_boot_item {
	const char *name;
	uint64_t value;
	const char *text;
	const char *what;
	bool is_size;  /* print as a size, not an address */
};

#define LA_MAX_BOOT_ITEMS 48

struct la_boot_info {
	unsigned n;
	struct la_boot_item item[LA_MAX_BOOT_ITEMS];
};

/* A row la-vmrun --explain lists besides the allocator's grants. */
struct la_explain_row {
	const char *name;
	unsigned kind;             /* enum la_res_kind (dev/dev.h) */
	struct la_range r;
	const char *what;
};

#define LA_EXPLAIN_MAX_ROWS 8

/* Options an arch accepts; the shared option parser rejects the others. */
enum la_arch_opt {
	LA_OPT_PCI_ECAM = 1 << 0,
	LA_OPT_PCI_CAM = 1 << 1,
	LA_OPT_PCI_MEM = 1 << 2,
	LA_OPT_BIOS = 1 << 3,
	LA_OPT_STATIC_SWIOTLB = 1 << 4,
	LA_OPT_FDT_POSITION = 1 << 5,
	LA_OPT_SWIOTLB = 1 << 6,
	LA_OPT_PROTECTION = 1 << 7,
};

struct la_arch_ops {
	const char *name;          /* "x86_64", "aarch64", "riscv64" */
	enum la_arch_id id;
	unsigned opts;             /* enum la_arch_opt bits */
	unsigned max_cpus;
	uint64_t max_phys_addr;    /* exclusive top of guest RAM this arch allows */

	/* arch_memory_layout - validate the PCI config and compute the arch
	 * layout. returns: 0 or -LA_ERR_* */
	int (*arch_memory_layout)(const struct la_vm_config *cfg,
				  struct la_arch_layout *out);
	/* guest_memory_layout - the guest memory regions, sorted by start.
	 * returns: 0 or -LA_ERR_* */
	int (*guest_memory_layout)(const struct la_vm_config *cfg,
				   const struct la_arch_layout *layout,
				   struct la_mem_layout *out);
	/* boot_info - the fixed boot addresses and limits of this arch. */
	void (*boot_info)(const struct la_vm_config *cfg,
			  const struct la_arch_layout *layout,
			  const struct la_mem_layout *mem,
			  struct la_boot_info *out);

	/* --- device tree and boot placement (la-mkfdt, la-vmrun) --- */
	/* fdt_max_size - bytes the guest's device tree may take. */
	uint64_t fdt_max_size;
	/* boot_place - where payload, initrd and tree go (see boot.h).
	 * returns: 0 or -LA_ERR_* */
	int (*boot_place)(const struct la_vm_config *cfg, const struct la_mem_layout *mem,
			  const struct la_kernel_info *k, bool has_initrd,
			  uint64_t initrd_size, struct la_boot_plan *out);
	/* fdt_build - the arch's tree, node for node, into buf (size bytes).
	 * returns: 0, -LA_ERR_FDTSIZE or -LA_ERR_* */
	int (*fdt_build)(const struct la_fdt_config *fc, void *buf, size_t size);
	/* --- system allocator (issue 3, la-alloc; used by la-mkfdt and
	 * la-vmrun too) --- */
	/* default_phys_bits - guest physical address bits when the host has
	 * nothing to say (x86_64 36, aarch64 40, riscv64 48). */
	unsigned default_phys_bits;
	/* pci_max_irqs - INTx IRQs generate_pci_root allocates before it
	 * shares them (x86_64 4, aarch64 28, riscv64 2047). */
	unsigned pci_max_irqs;
	/* system_allocator_config - crosvm's get_system_allocator_config for a
	 * guest with phys_bits physical address bits, plus the MMIO windows
	 * build_vm reserves before any device (x86_64: the ECAM window).
	 * returns: 0, -LA_ERR_PHYSBITS (RAM or platform MMIO above 2^phys_bits) */
	int (*system_allocator_config)(const struct la_vm_config *cfg,
				       const struct la_arch_layout *layout,
				       const struct la_mem_layout *mem, unsigned phys_bits,
				       struct la_sys_alloc_config *out);
	/* Host CPU queries (crosvm's get_host_cpu_frequencies_khz,
	 * get_host_cpu_max_freq_khz, get_host_cpu_capacity and
	 * get_host_cpu_clusters; spec section 7, lib/hostcpu.h).
	 * host_cpu_read - all four maps at once, as this arch's crosvm backend
	 * answers them: aarch64 reads sysfs below opts->sysfs_root
	 * (la_hostcpu_read); x86_64 and riscv64 answer empty maps
	 * (la_arch_host_cpu_none). Release out with la_hostcpu_free().
	 * returns: 0 or -LA_ERR_* as la_hostcpu_read */
	int (*host_cpu_read)(const struct la_hostcpu_opts *opts, struct la_hostcpu *out);

	/* devices - the devices this arch's build_vm creates, in its order
	 * (lib/dev/platform.h); la-alloc --platform, la-mkfdt and la-vmrun
	 * walk this one list. */
	const struct la_platform_dev *devices;  /* ends with a NULL name */

	/* --- building and running a VM (la-vmrun, issue 6); NULL where la
	 * cannot run this arch's guests yet. Types in lib/vm/vm.h. --- */
	/* build_vm - everything guest memory holds at reset: the image,
	 * initrd, cmdline, boot_params, setup_data and firmware tables, plus
	 * the boot vCPU state. Pure: needs no /dev/kvm.
	 * returns: 0 or -LA_ERR_* */
	int (*build_vm)(const struct la_vm_config *cfg, const struct la_arch_layout *layout,
			const struct la_mem_layout *mem, const struct la_vm_image *img,
			const struct la_gmem *g, struct la_vm_boot *out);
	/* vm_boot_size - bytes of this arch's struct la_vm_boot, which
	 * la-vmrun holds without knowing its members. */
	size_t vm_boot_size;
	/* boot_kernel - what the image probe found (kind, Linux release). */
	const struct la_kernel_info *(*boot_kernel)(const struct la_vm_boot *b);
	/* boot_cmdline - the assembled command line's length and the most
	 * the image takes, in characters (for the "too long" message). */
	void (*boot_cmdline)(const struct la_vm_boot *b, size_t *len, size_t *max);
	/* explain_rows - la-vmrun --explain's rows besides the grants: the
	 * windows the arch reserves before them (other false) or its devices
	 * outside the allocator (other true), up to max into out.
	 * returns: how many */
	unsigned (*explain_rows)(const struct la_vm_boot *b, bool other,
				 struct la_explain_row *out, unsigned max);
	/* explain_boot - --explain's account of b: image, initrd, command line
	 * and firmware tables, as text to f, or as members of the open JSON
	 * object j when j is not NULL. */
	void (*explain_boot)(const struct la_vm_boot *b, const char *image_path,
			     const char *initrd_path, FILE *f, struct la_json *j);
	/* fdt_where - where a device tree goes, for --explain ("in
	 * setup_data padded to 16 KiB"). */
	const char *fdt_where;
	/* vm - the hypervisor half: KVM capabilities, irqchip, vCPU setup
	 * (crosvm's configure_vcpu), interrupt lines, crash registers, exits
	 * (lib/vm/arch_vm.h). NULL where la cannot run this arch's guests. */
	const struct la_arch_vm_ops *vm;
};

extern const struct la_arch_ops la_arch_x86_64;
extern const struct la_arch_ops la_arch_aarch64;
extern const struct la_arch_ops la_arch_riscv64;

/* la_arch_lookup - the ops table for "x86_64", "aarch64" or "riscv64"
 * (also "amd64", "arm64", "riscv").
 * returns: the table, NULL if unknown */
const struct la_arch_ops *la_arch_lookup(const char *name);

/* la_arch_host - the ops table for the machine we run on, NULL if la has
 * no backend for it; *machine gets uname's machine string. */
const struct la_arch_ops *la_arch_host(const char **machine);

/* la_arch_host_cpu_none - host_cpu_read of the arches whose crosvm
 * backend has no host CPU queries: empty maps. returns: 0 */
int la_arch_host_cpu_none(const struct la_hostcpu_opts *opts, struct la_hostcpu *out);

/* la_vm_config_init - crosvm's defaults: host arch, 256 MiB, 1 vCPU. */
void la_vm_config_init(struct la_vm_config *cfg);

bool la_protection_runs_firmware(enum la_protection p);
bool la_protection_needs_firmware_loaded(enum la_protection p);
const char *la_protection_name(enum la_protection p);
/* la_protection_parse - returns: 0, -LA_ERR_BADVALUE */
int la_protection_parse(const char *s, enum la_protection *out);

const char *la_fdt_position_name(enum la_fdt_position p);
/* la_fdt_position_parse - "start", "end", "after-payload".
 * returns: 0, -LA_ERR_BADVALUE */
int la_fdt_position_parse(const char *s, enum la_fdt_position *out);

/* la_vm_swiotlb - the effective swiotlb size in bytes: the given one, or
 * crosvm's default (none unprotected, 64 MiB otherwise); 0 = none. */
uint64_t la_vm_swiotlb(const struct la_vm_config *cfg);

const char *la_region_purpose_name(enum la_region_purpose p);

/* la_mem_layout_add - append a region. returns: 0, -LA_ERR_TOOMANY */
int la_mem_layout_add(struct la_mem_layout *m, uint64_t start, uint64_t size,
		      uint64_t align, enum la_region_purpose purpose);
/* la_mem_layout_sort - sort by (start, end, purpose), as crosvm's set
 * does; returns: 0, -LA_ERR_OVERLAP if two regions overlap */
int la_mem_layout_sort(struct la_mem_layout *m);
/* la_mem_layout_end - exclusive end of the region with the highest start
 * (crosvm's GuestMemory::end_addr). */
uint64_t la_mem_layout_end(const struct la_mem_layout *m);

/* la_layout_compute - both layout stages, in crosvm's order, plus the
 * checks every arch shares (vCPU count, memory size and alignment).
 * returns: 0 or -LA_ERR_* */
int la_layout_compute(const struct la_vm_config *cfg,
		      struct la_arch_layout *layout, struct la_mem_layout *mem);

/* la_boot_info_add - append an address (is_size false) or size item. */
void la_boot_info_add(struct la_boot_info *b, const char *name, uint64_t value,
		      bool is_size, const char *what);
void la_boot_info_add_text(struct la_boot_info *b, const char *name,
			   const char *text, const char *what);

#endif
