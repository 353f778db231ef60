/* SPDX-License-Identifier: MIT */
/*
 * build_vm of the device-tree arches (aarch64 §4.5, riscv64 §5.3): what
 * guest memory holds at reset is the payload, the initrd and the tree, at
 * the places la_boot_place chose (the same plan la-mkfdt writes into
 * /chosen and /config), and the boot vCPU starts at the payload's entry
 * with the tree's address in a register. Pure: needs no /dev/kvm. The
 * arches' hypervisor halves (lib/arch/<arch>/kvm.c) read this result.
 */
#ifndef LA_VM_DTBOOT_H
#define LA_VM_DTBOOT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "boot.h"
#include "range.h"
#include "vm/arch_vm.h"

struct la_json;
struct la_vm_image;
struct la_gmem;

/* aarch64's and riscv64's struct la_vm_boot. */
struct la_vm_boot {
	enum la_arch_id arch;
	unsigned ncpus;
	struct la_kernel_info kernel;  /* kind NONE for a BIOS */
	struct la_boot_plan plan;      /* where payload, initrd and tree went */
	uint64_t load_start, load_end; /* payload bytes written, [start, end) */
	uint64_t entry;                /* the boot vCPU's first instruction */
	uint64_t fdt_addr;             /* = plan.fdt_address */
	size_t fdt_size;               /* bytes of the tree */
	size_t cmdline_len;            /* /chosen/bootargs, characters */
	const char *cmdline;           /* points into the tree in guest memory */
	struct la_vm_facts facts;      /* what the tree says of KVM */
	struct la_arch_layout layout;  /* the arch layout (PCI config window) */
	const struct la_mem_layout *mem;
};

/* la_dt_build_vm - build_vm of aarch64 and riscv64: the payload (arm64
 * Image or raw image copied whole; ELF by its PT_LOAD segments, bss
 * zeroed; a BIOS copied whole), the initrd read from img->initrd_fd, and
 * img->dtb, at img->plan's addresses.
 * returns: 0, -LA_ERR_NOTKERNEL, -LA_ERR_ELFLOAD, -LA_ERR_KERNELFIT,
 * -LA_ERR_DTBSIZE, -LA_ERR_GPA, -LA_ERR_CHANGED, -LA_ERR_IO,
 * -LA_ERR_INTERNAL (no plan or tree) */
int la_dt_build_vm(const struct la_vm_config *cfg, const struct la_arch_layout *layout,
		   const struct la_mem_layout *mem, const struct la_vm_image *img,
		   const struct la_gmem *g, struct la_vm_boot *b);

/* The la_arch_ops members both arches share (see lib/arch.h). */
const struct la_kernel_info *la_dt_boot_kernel(const struct la_vm_boot *b);
void la_dt_boot_cmdline(const struct la_vm_boot *b, size_t *len, size_t *max);
unsigned la_dt_explain_rows(const struct la_vm_boot *b, bool other, struct la_explain_row *out,
			    unsigned max);
void la_dt_explain_boot(const struct la_vm_boot *b, const char *image_path,
			const char *initrd_path, FILE *f, struct la_json *j);

#define LA_DT_FDT_WHERE "in guest RAM where --fdt-position puts it"

/* LA_DT_ARCH_OPS - the la_arch_ops members of a device-tree arch's
 * build_vm, in its ops table's initialiser. */
#define LA_DT_ARCH_OPS                                                     \
	.build_vm = la_dt_build_vm, .vm_boot_size = sizeof(struct la_vm_boot), \
	.boot_kernel = la_dt_boot_kernel, .boot_cmdline = la_dt_boot_cmdline,  \
	.explain_rows = la_dt_explain_rows, .explain_boot = la_dt_explain_boot, \
	.fdt_where = LA_DT_FDT_WHERE

#endif
