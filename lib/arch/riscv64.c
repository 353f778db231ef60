/* SPDX-License-Identifier: MIT */
/*
 * riscv64: crosvm's riscv64 crate, layout stages.
 *
 * Guest physical address map:
 *
 *   0x0000_03f8  16550 UARTs on MMIO: 0x3f8 0x2f8 0x3e8 0x2e8
 *   0x0001_0000  PCI CAM (16 MiB)
 *   0x0300_0000  low PCI MMIO (1 MiB)
 *   0x0800_0000  AIA IMSIC, 4 KiB per hart, then the APLIC (16 KiB)
 *   0x8000_0000  RAM; kernel at +2 MiB, initrd 8-byte aligned after it,
 *                the FDT at the next 4 MiB boundary after the payload
 *   RAM end      high PCI MMIO to 2^48
 */
#include <string.h>

#include "../arch.h"
#include "../err.h"
#include "../size.h"
#include "../sys_alloc.h"

#define LA_RV_PHYS_MEM_START 0x80000000ULL
#define LA_RV_KERNEL_OFFSET 0x200000ULL
#define LA_RV_INITRD_ALIGN 8ULL
#define LA_RV_FDT_ALIGN 0x400000ULL
#define LA_RV_FDT_MAX_SIZE 0x10000ULL
#define LA_RV_CMDLINE_MAX_SIZE 1024ULL
#define LA_RV_PCI_CAM_START 0x10000ULL
#define LA_RV_PCI_CAM_SIZE 0x1000000ULL
#define LA_RV_AIA_IMSIC_BASE 0x8000000ULL
#define LA_RV_AIA_IMSIC_PER_HART 0x1000ULL
#define LA_RV_LOW_MMIO_START 0x3000000ULL
#define LA_RV_LOW_MMIO_SIZE 0x100000ULL
#define LA_RV_IRQ_BASE 1
#define LA_RV_IMSIC_MAX_INT_IDS 2047
#define LA_RV_PHYS_BITS 48
#define LA_RV_GUEST_PHYS_LIMIT (1ULL << 48)
/* the smallest payload (a 1-byte kernel) puts the FDT at RAM + 4 MiB */
#define LA_RV_MIN_MEM (LA_RV_FDT_ALIGN + LA_RV_FDT_MAX_SIZE)

static int la_rv_arch_memory_layout(const struct la_vm_config *cfg,
				    struct la_arch_layout *out)
{
	if (cfg->pci_mem.set)
		return -LA_ERR_UNSUPPORTED;
	if (cfg->fdt_position != LA_FDT_POS_DEFAULT &&
	    cfg->fdt_position != LA_FDT_POS_AFTER_PAYLOAD)
		return -LA_ERR_FDTPOS;
	out->has_cam = true;
	out->pci_cam = (struct la_range){ LA_RV_PCI_CAM_START,
					  LA_RV_PCI_CAM_START + LA_RV_PCI_CAM_SIZE - 1 };
	return 0;
}

static int la_rv_guest_memory_layout(const struct la_vm_config *cfg,
				     const struct la_arch_layout *layout,
				     struct la_mem_layout *m)
{
	(void)layout;
	if (cfg->mem_size < LA_RV_MIN_MEM)
		return -LA_ERR_MEMTOOSMALL;
	if (cfg->mem_size > LA_RV_GUEST_PHYS_LIMIT - LA_RV_PHYS_MEM_START)
		return -LA_ERR_MEMTOOLARGE;
	return la_mem_layout_add(m, LA_RV_PHYS_MEM_START, cfg->mem_size, 0,
				 LA_REGION_GUEST_MEMORY);
}

static void la_rv_boot_info(const struct la_vm_config *cfg,
			    const struct la_arch_layout *layout,
			    const struct la_mem_layout *mem, struct la_boot_info *b)
{
	(void)layout;
	(void)mem;
	la_boot_info_add(b, "ram_start", LA_RV_PHYS_MEM_START, false, "start of RAM");
	la_boot_info_add(b, "kernel", LA_RV_PHYS_MEM_START + LA_RV_KERNEL_OFFSET, false,
			 "kernel load address and entry (raw copy, all harts start here)");
	la_boot_info_add(b, "initrd_align", LA_RV_INITRD_ALIGN, true,
			 "initrd placed at this alignment after the kernel");
	la_boot_info_add_text(b, "fdt_position", "after-payload", "where the device tree goes");
	la_boot_info_add(b, "fdt_align", LA_RV_FDT_ALIGN, true,
			 "device tree at the next boundary after the payload");
	la_boot_info_add(b, "fdt_max_size", LA_RV_FDT_MAX_SIZE, true, "device tree size limit");
	la_boot_info_add(b, "cmdline_max_size", LA_RV_CMDLINE_MAX_SIZE, true,
			 "command line limit, including the NUL");
	la_boot_info_add(b, "aia_imsic", LA_RV_AIA_IMSIC_BASE, false,
			 "AIA IMSIC, 4 KiB per hart");
	la_boot_info_add(b, "aia_aplic", LA_RV_AIA_IMSIC_BASE +
			 LA_RV_AIA_IMSIC_PER_HART * cfg->cpus, false, "AIA APLIC (16 KiB)");
}

/* Low PCI MMIO is a fixed 1 MiB; high PCI MMIO runs from the end of RAM to
 * the top of the guest physical address space. */
static int la_rv_system_allocator_config(const struct la_vm_config *cfg,
					 const struct la_arch_layout *layout,
					 const struct la_mem_layout *mem, unsigned phys_bits,
					 struct la_sys_alloc_config *out)
{
	uint64_t start = la_mem_layout_end(mem);
	uint64_t top = phys_bits >= 64 ? UINT64_MAX : (1ULL << phys_bits) - 1;

	(void)cfg;
	(void)layout;
	memset(out, 0, sizeof(*out));
	if (start - 1 > top)
		return -LA_ERR_PHYSBITS;
	out->low_mmio = (struct la_range){ LA_RV_LOW_MMIO_START,
					   LA_RV_LOW_MMIO_START + LA_RV_LOW_MMIO_SIZE - 1 };
	out->high_mmio = start - 1 == top ? LA_RANGE_EMPTY : (struct la_range){ start, top };
	out->first_irq = LA_RV_IRQ_BASE;
	out->phys_bits = phys_bits;
	return 0;
}

const struct la_arch_ops la_arch_riscv64 = {
	.name = "riscv64",
	.id = LA_ARCH_RISCV64,
	.opts = LA_OPT_FDT_POSITION,
	/* hart interrupt controllers take phandles 4+i, CPU nodes 0x100+i */
	.max_cpus = 252,
	.max_phys_addr = LA_RV_GUEST_PHYS_LIMIT,
	.arch_memory_layout = la_rv_arch_memory_layout,
	.guest_memory_layout = la_rv_guest_memory_layout,
	.boot_info = la_rv_boot_info,
	.default_phys_bits = LA_RV_PHYS_BITS,
	.pci_max_irqs = LA_RV_IMSIC_MAX_INT_IDS,
	.system_allocator_config = la_rv_system_allocator_config,
};
