/* SPDX-License-Identifier: MIT */
/*
 * aarch64: crosvm's aarch64 crate, layout stages.
 *
 * Guest physical address map:
 *
 *   0x0000_2000  PL030 RTC (4 KiB)
 *   0x0000_3000  vCPU stall detector (4 KiB)
 *   0x0000_03f8  16550 UARTs on MMIO: 0x3f8 0x2f8 0x3e8 0x2e8 (8 bytes each)
 *   0x0001_0000  PCI CAM (exactly 16 MiB)
 *   0x0104_0000  virtual cpufreq (up to 64 KiB)
 *   0x01ff_0000  pvtime (64 bytes per vCPU, 64 KiB)
 *   0x0200_0000  PCI memory window (32 MiB)
 *   0x3ffd_0000  GICv2 CPU interface (128 KiB)
 *   ...          GICv3 redistributors, 128 KiB per vCPU, growing down
 *   0x3fff_0000  GIC distributor (64 KiB)
 *   0x4000_0000  GIC ITS (128 KiB)
 *   0x7fc0_0000  pVM firmware (4 MiB, protected VMs)
 *   0x8000_0000  RAM; the FDT at its start, its end (default) or after
 *                the payload; a static swiotlb at the very end
 *   RAM end      platform MMIO (1 GiB), then high PCI MMIO to 2^ipa_bits
 */
#include <stdio.h>
#include <string.h>

#include "../arch.h"
#include "../err.h"
#include "../size.h"
#include "../sys_alloc.h"

#define LA_ARM_PHYS_MEM_START 0x80000000ULL
#define LA_ARM_FDT_MAX_SIZE 0x200000ULL
#define LA_ARM_FDT_ALIGN 0x200000ULL
#define LA_ARM_INITRD_ALIGN 0x1000000ULL
#define LA_ARM_CMDLINE_MAX_SIZE 2048ULL
#define LA_ARM_KERNEL_TEXT_OFFSET_DEFAULT 0x80000ULL
#define LA_ARM_PAYLOAD_AFTER_FDT (LA_ARM_PHYS_MEM_START + LA_ARM_FDT_MAX_SIZE)
#define LA_ARM_BLOCK_SIZE (2 * LA_MiB) /* 4 KiB pages: pagesize * pagesize/8 */
#define LA_ARM_PCI_CAM_START 0x10000ULL
#define LA_ARM_PCI_CAM_SIZE 0x1000000ULL
#define LA_ARM_PCI_MEM_START 0x2000000ULL
#define LA_ARM_PCI_MEM_SIZE 0x2000000ULL
#define LA_ARM_PVTIME_START 0x1ff0000ULL
#define LA_ARM_GIC_DIST_BASE 0x3fff0000ULL
#define LA_ARM_GIC_CPUI_BASE (LA_ARM_GIC_DIST_BASE - 0x20000ULL)
#define LA_ARM_GIC_REDIST_SIZE 0x20000ULL
#define LA_ARM_GIC_ITS_BASE 0x40000000ULL
#define LA_ARM_SWIOTLB_ALIGN (64 * LA_KiB)
#define LA_ARM_MAX_IPA (1ULL << 48)

#define LA_ARM_PLATFORM_MMIO_SIZE 0x40000000ULL
#define LA_ARM_IRQ_BASE 4
#define LA_ARM_GIC_NR_SPIS 32
#define LA_ARM_PCI_MAX_IRQS (LA_ARM_GIC_NR_SPIS - LA_ARM_IRQ_BASE)
#define LA_ARM_DEFAULT_IPA_BITS 40

#define LA_PVMFW_START 0x7fc00000ULL
#define LA_PVMFW_MAX_SIZE 0x400000ULL

static int la_arm_arch_memory_layout(const struct la_vm_config *cfg,
				     struct la_arch_layout *out)
{
	uint64_t start = LA_ARM_PCI_CAM_START, size = LA_ARM_PCI_CAM_SIZE;

	if (cfg->pci_cam.set) {
		start = cfg->pci_cam.start;
		if (cfg->pci_cam.has_size)
			size = cfg->pci_cam.size;
	}
	if (size != LA_ARM_PCI_CAM_SIZE)
		return -LA_ERR_CAMSIZE;
	if (la_range_from_size(start, size, &out->pci_cam) ||
	    out->pci_cam.end >= LA_ARM_PHYS_MEM_START)
		return -LA_ERR_CAMRANGE;
	out->has_cam = true;

	start = LA_ARM_PCI_MEM_START;
	size = LA_ARM_PCI_MEM_SIZE;
	if (cfg->pci_mem.set) {
		start = cfg->pci_mem.start;
		if (cfg->pci_mem.has_size)
			size = cfg->pci_mem.size;
	}
	if (size == 0 || la_range_from_size(start, size, &out->pci_mem))
		return -LA_ERR_PCIMEM;
	out->has_pci_mem = true;

	if (la_protection_runs_firmware(cfg->protection)) {
		out->has_pvmfw = true;
		out->pvmfw = (struct la_range){ LA_PVMFW_START,
						LA_PVMFW_START + LA_PVMFW_MAX_SIZE - 1 };
	}
	return 0;
}

/* RAM less a static swiotlb carved from its end (crosvm's main memory). */
static uint64_t la_arm_main_memory(const struct la_vm_config *cfg)
{
	if (cfg->static_swiotlb)
		return cfg->mem_size - la_vm_swiotlb(cfg);
	return cfg->mem_size;
}

static int la_arm_guest_memory_layout(const struct la_vm_config *cfg,
				      const struct la_arch_layout *layout,
				      struct la_mem_layout *m)
{
	uint64_t swiotlb = la_vm_swiotlb(cfg), main;
	int err = 0;

	if (cfg->swiotlb_set || cfg->static_swiotlb) {
		if (swiotlb == 0 || swiotlb % LA_ARM_SWIOTLB_ALIGN || swiotlb >= cfg->mem_size)
			return -LA_ERR_SWIOTLB;
		/* the static pool's address must be 64 KiB aligned too */
		if (cfg->static_swiotlb && (cfg->mem_size - swiotlb) % LA_ARM_SWIOTLB_ALIGN)
			return -LA_ERR_SWIOTLB;
	}
	main = la_arm_main_memory(cfg);
	/* the default FDT placement needs 2 MiB at the end of RAM */
	if (main < LA_ARM_FDT_MAX_SIZE)
		return -LA_ERR_MEMTOOSMALL;
	if (cfg->mem_size > LA_ARM_MAX_IPA - LA_ARM_PHYS_MEM_START)
		return -LA_ERR_MEMTOOLARGE;

	err |= la_mem_layout_add(m, LA_ARM_PHYS_MEM_START, main, LA_ARM_BLOCK_SIZE,
				 LA_REGION_GUEST_MEMORY);
	if (layout->has_pvmfw)
		err |= la_mem_layout_add(m, layout->pvmfw.start, la_range_len(layout->pvmfw),
					 0, LA_REGION_PROTECTED_FIRMWARE);
	if (cfg->static_swiotlb)
		err |= la_mem_layout_add(m, LA_ARM_PHYS_MEM_START + main, swiotlb, 0,
					 LA_REGION_STATIC_SWIOTLB);
	if (err)
		return -LA_ERR_TOOMANY;
	return la_mem_layout_sort(m);
}

static void la_arm_boot_info(const struct la_vm_config *cfg,
			     const struct la_arch_layout *layout,
			     const struct la_mem_layout *mem, struct la_boot_info *b)
{
	enum la_fdt_position pos = cfg->fdt_position;
	uint64_t main = la_arm_main_memory(cfg);

	(void)layout;
	(void)mem;
	if (pos == LA_FDT_POS_DEFAULT)
		pos = cfg->bios_path ? LA_FDT_POS_START : LA_FDT_POS_END;

	la_boot_info_add(b, "ram_start", LA_ARM_PHYS_MEM_START, false, "start of RAM");
	la_boot_info_add(b, "payload_address",
			 pos == LA_FDT_POS_START ? LA_ARM_PAYLOAD_AFTER_FDT : LA_ARM_PHYS_MEM_START,
			 false, "kernel or BIOS load base (an Image adds its text_offset)");
	la_boot_info_add(b, "kernel_text_offset_default", LA_ARM_KERNEL_TEXT_OFFSET_DEFAULT,
			 true, "text_offset used when an Image header has image_size 0");
	la_boot_info_add_text(b, "fdt_position", la_fdt_position_name(pos),
			      "where the device tree goes");
	if (pos == LA_FDT_POS_START)
		la_boot_info_add(b, "fdt_address", LA_ARM_PHYS_MEM_START, false,
				 "device tree at the start of RAM");
	else if (pos == LA_FDT_POS_END)
		la_boot_info_add(b, "fdt_address",
				 la_align_down(LA_ARM_PHYS_MEM_START + main - LA_ARM_FDT_MAX_SIZE,
					       LA_ARM_FDT_ALIGN),
				 false, "device tree in the last 2 MiB block of main memory");
	else
		la_boot_info_add_text(b, "fdt_address", "after-payload",
				      "device tree at the first 2 MiB boundary after the payload");
	la_boot_info_add(b, "fdt_align", LA_ARM_FDT_ALIGN, true, "device tree alignment");
	la_boot_info_add(b, "fdt_max_size", LA_ARM_FDT_MAX_SIZE, true, "device tree size limit");
	la_boot_info_add(b, "initrd_align", LA_ARM_INITRD_ALIGN, true,
			 "initrd placed at this alignment after the kernel");
	la_boot_info_add(b, "cmdline_max_size", LA_ARM_CMDLINE_MAX_SIZE, true,
			 "command line limit, including the NUL");
	la_boot_info_add(b, "pvtime", LA_ARM_PVTIME_START, false,
			 "stolen-time structures, 64 bytes per vCPU");
	la_boot_info_add(b, "gic_dist", LA_ARM_GIC_DIST_BASE, false, "GIC distributor");
	la_boot_info_add(b, "gic_redist", LA_ARM_GIC_DIST_BASE - LA_ARM_GIC_REDIST_SIZE * cfg->cpus,
			 false, "GICv3 redistributors (128 KiB per vCPU)");
	la_boot_info_add(b, "gic_cpu", LA_ARM_GIC_CPUI_BASE, false, "GICv2 CPU interface");
	la_boot_info_add(b, "gic_its", LA_ARM_GIC_ITS_BASE, false, "GICv3 ITS (with --its)");
}

/* Platform MMIO (1 GiB) right after RAM, then high PCI MMIO to the top of
 * the IPA space. */
static int la_arm_system_allocator_config(const struct la_vm_config *cfg,
					  const struct la_arch_layout *layout,
					  const struct la_mem_layout *mem, unsigned phys_bits,
					  struct la_sys_alloc_config *out)
{
	uint64_t plat = la_mem_layout_end(mem);
	uint64_t top = phys_bits >= 64 ? UINT64_MAX : (1ULL << phys_bits) - 1;

	(void)cfg;
	memset(out, 0, sizeof(*out));
	/* crosvm panics when the high window would be negative */
	if (plat > top || top - plat < LA_ARM_PLATFORM_MMIO_SIZE - 1)
		return -LA_ERR_PHYSBITS;
	out->low_mmio = layout->pci_mem;
	out->has_platform_mmio = true;
	out->platform_mmio = (struct la_range){ plat, plat + LA_ARM_PLATFORM_MMIO_SIZE - 1 };
	if (top - plat == LA_ARM_PLATFORM_MMIO_SIZE - 1)
		out->high_mmio = LA_RANGE_EMPTY;
	else
		out->high_mmio = (struct la_range){ plat + LA_ARM_PLATFORM_MMIO_SIZE, top };
	out->first_irq = LA_ARM_IRQ_BASE;
	out->phys_bits = phys_bits;
	return 0;
}

const struct la_arch_ops la_arch_aarch64 = {
	.name = "aarch64",
	.id = LA_ARCH_AARCH64,
	.opts = LA_OPT_PCI_CAM | LA_OPT_PCI_MEM | LA_OPT_BIOS | LA_OPT_STATIC_SWIOTLB |
		LA_OPT_FDT_POSITION | LA_OPT_SWIOTLB | LA_OPT_PROTECTION,
	.max_cpus = 512,
	.max_phys_addr = LA_ARM_MAX_IPA,
	.arch_memory_layout = la_arm_arch_memory_layout,
	.guest_memory_layout = la_arm_guest_memory_layout,
	.boot_info = la_arm_boot_info,
	.default_phys_bits = LA_ARM_DEFAULT_IPA_BITS,
	.pci_max_irqs = LA_ARM_PCI_MAX_IRQS,
	.system_allocator_config = la_arm_system_allocator_config,
};
