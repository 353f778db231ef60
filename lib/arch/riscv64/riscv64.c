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
 *   0x0c00_0000  or la's PLIC (4 MiB, lib/dev/plic.h), where KVM has no AIA
 *   0x8000_0000  RAM; kernel at +2 MiB, initrd 8-byte aligned after it,
 *                the FDT at the next 4 MiB boundary after the payload
 *   RAM end      high PCI MMIO to 2^48
 */
#include <limits.h>
#include <string.h>

#include "arch.h"
#include "boot.h"
#include "err.h"
#include "fdt/fdt.h"
#include "dev/platform.h"
#include "dev/plic.h"
#include "arch/riscv64/riscv64.h"
#include "size.h"
#include "sys_alloc.h"
#include "vm/dtboot.h"

#define LA_RV_PHYS_MEM_START 0x80000000ULL
#define LA_RV_KERNEL_OFFSET 0x200000ULL
#define LA_RV_INITRD_ALIGN 8ULL
#define LA_RV_IMAGE_INITRD_ALIGN 0x200000ULL /* after a riscv Image (la's, not crosvm's) */
#define LA_RV_FDT_ALIGN 0x400000ULL
#define LA_RV_FDT_MAX_SIZE 0x10000ULL
#define LA_RV_CMDLINE_MAX_SIZE 1024ULL
#define LA_RV_PCI_CAM_START 0x10000ULL
#define LA_RV_PCI_CAM_SIZE 0x1000000ULL
#define LA_RV_LOW_MMIO_START 0x3000000ULL
#define LA_RV_LOW_MMIO_SIZE 0x100000ULL
#define LA_RV_IRQ_BASE 1
#define LA_RV_IMSIC_MAX_INT_IDS 2047
#define LA_RV_PHYS_BITS 48
#define LA_RV_GUEST_PHYS_LIMIT (1ULL << 48)
#define LA_RV_PHANDLE_APLIC 2
#define LA_RV_PHANDLE_PLIC 2  /* the APLIC's: a VM has one or the other */
#define LA_RV_PHANDLE_IMSIC 3
#define LA_RV_PHANDLE_CPU_INTC0 4
#define LA_RV_PHANDLE_CPU0 0x100
/* What every hart KVM gives has (RV64GC: G is IMAFD with Zicsr and
 * Zifencei), and the AIA's extensions when the tree has an AIA. crosvm
 * writes "rv64iafdcsu_smaia_ssaia", which lacks M: Linux 6.12 refuses
 * such a hart ("does not support rv64ima") and has no boot CPU. */
#define LA_RV_ISA "rv64imafdc_zicsr_zifencei"
#define LA_RV_ISA_AIA "_smaia_ssaia"
#define LA_RV_ISA_BASE "rv64i"
static const char *const la_rv_isa_ext[] = {
	"i", "m", "a", "f", "d", "c", "zicsr", "zifencei", "smaia", "ssaia",
};
#define LA_RV_ISA_NEXT_BASE 8 /* without the AIA's two */
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
			 "initrd placed at this alignment after the kernel "
			 "(2 MiB past a riscv Image's image_size)");
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

/* --- boot placement (§5.3 steps 5 and 8) --- */

static int la_rv_boot_place(const struct la_vm_config *cfg, const struct la_mem_layout *mem,
			    const struct la_kernel_info *k, bool has_initrd,
			    uint64_t initrd_size, struct la_boot_plan *b)
{
	uint64_t ram_end = LA_RV_PHYS_MEM_START + cfg->mem_size;
	uint64_t kernel = LA_RV_PHYS_MEM_START + LA_RV_KERNEL_OFFSET;
	uint64_t end = kernel; /* exclusive end of the payload */
	bool ok = true;

	(void)mem;
	if (cfg->bios_path)
		return -LA_ERR_UNSUPPORTED;
	b->fdt_position = LA_FDT_POS_AFTER_PAYLOAD;
	b->cmdline_max = LA_RV_CMDLINE_MAX_SIZE - 1;
	if (k) {
		if (k->kind != LA_KERNEL_RAW)
			return -LA_ERR_NOTKERNEL;
		/* unlike crosvm, which ends the payload with the file: a riscv
		 * Image's header may say it takes more (its bss), and Linux
		 * drops an initrd placed there */
		uint64_t taken = k->image_size > k->file_size ? k->image_size : k->file_size;

		if (taken > ram_end - kernel)
			return -LA_ERR_KERNELFIT;
		b->has_payload = true;
		b->payload_start = kernel;
		b->payload_size = k->file_size;
		end = kernel + taken;
	}
	if (has_initrd) {
		/* after a riscv Image, the next 2 MiB boundary: Linux keeps the
		 * kernel's memory in 2 MiB pieces, and drops an initrd that
		 * shares one ("overlaps in-use memory region") */
		uint64_t align = k && k->image_size ? LA_RV_IMAGE_INITRD_ALIGN : LA_RV_INITRD_ALIGN;
		uint64_t addr = la_align_up(end, align, &ok);

		if (initrd_size == 0)
			return -LA_ERR_INITRDEMPTY;
		if (!ok || addr >= ram_end || initrd_size > ram_end - addr)
			return -LA_ERR_INITRDFIT;
		b->has_initrd = true;
		b->initrd_start = addr;
		b->initrd_size = initrd_size;
		end = addr + initrd_size;
	}
	b->payload_end = end - 1;
	b->fdt_address = LA_RV_PHYS_MEM_START +
			 la_align_up(end - LA_RV_PHYS_MEM_START, LA_RV_FDT_ALIGN, &ok);
	if (!ok || b->fdt_address >= ram_end || ram_end - b->fdt_address < LA_RV_FDT_MAX_SIZE)
		return -LA_ERR_FDTPLACE;
	return 0;
}

/* --- device tree (§5.4), nodes in crosvm's order --- */

static void la_rv_fdt_cpus(struct la_fdt_w *w, const struct la_fdt_config *fc)
{
	bool aia = fc->irqchip == LA_RV_IRQCHIP_AIA;

	la_fdt_w_begin_node(w, "cpus");
	la_fdt_w_u32(w, "#address-cells", 1);
	la_fdt_w_u32(w, "#size-cells", 0);
	la_fdt_w_u32(w, "timebase-frequency", fc->timebase_hz);
	for (unsigned i = 0; i < fc->cfg->cpus; i++) {
		la_fdt_w_begin_nodef(w, "cpu@%x", i);
		la_fdt_w_str(w, "device_type", "cpu");
		la_fdt_w_str(w, "compatible", "riscv");
		la_fdt_w_str(w, "mmu-type", "sv48");
		la_fdt_w_str(w, "riscv,isa", aia ? LA_RV_ISA LA_RV_ISA_AIA : LA_RV_ISA);
		la_fdt_w_str(w, "riscv,isa-base", LA_RV_ISA_BASE);
		la_fdt_w_strs(w, "riscv,isa-extensions", la_rv_isa_ext,
			      aia ? LA_RV_ISA_NEXT_BASE + 2 : LA_RV_ISA_NEXT_BASE);
		la_fdt_w_str(w, "status", "okay");
		la_fdt_w_u32(w, "reg", i);
		la_fdt_w_u32(w, "phandle", LA_RV_PHANDLE_CPU0 + i);
		la_fdt_w_begin_node(w, "interrupt-controller");
		la_fdt_w_str(w, "compatible", "riscv,cpu-intc");
		la_fdt_w_u32(w, "#interrupt-cells", 1);
		la_fdt_w_empty(w, "interrupt-controller");
		la_fdt_w_u32(w, "phandle", LA_RV_PHANDLE_CPU_INTC0 + i);
		la_fdt_w_end_node(w);
		la_fdt_w_end_node(w);
	}
	la_fdt_w_end_node(w);
}

static void la_rv_fdt_aia(struct la_fdt_w *w, const struct la_fdt_config *fc)
{
	uint32_t n = fc->cfg->cpus;
	uint32_t imsic_reg[4] = { 0, (uint32_t)LA_RV_AIA_IMSIC_BASE, 0,
				  (uint32_t)(LA_RV_AIA_IMSIC_PER_HART * n) };
	uint64_t aplic = LA_RV_AIA_IMSIC_BASE + LA_RV_AIA_IMSIC_PER_HART * n;
	uint32_t aplic_reg[4] = { 0, (uint32_t)aplic, 0, (uint32_t)LA_RV_AIA_APLIC_SIZE };
	uint32_t ext[2 * LA_MAX_VCPUS];

	for (uint32_t h = 0; h < n; h++) {
		ext[2 * h] = LA_RV_PHANDLE_CPU_INTC0 + h;
		ext[2 * h + 1] = LA_RV_S_MODE_EXT_IRQ;
	}
	/* the node names carry "0x", as crosvm's do */
	la_fdt_w_begin_nodef(w, "imsics@0x%llx", LA_RV_AIA_IMSIC_BASE);
	la_fdt_w_str(w, "compatible", "riscv,imsics");
	la_fdt_w_u32s(w, "reg", imsic_reg, 4);
	la_fdt_w_u32(w, "#interrupt-cells", 0);
	la_fdt_w_empty(w, "interrupt-controller");
	la_fdt_w_empty(w, "msi-controller");
	la_fdt_w_u32(w, "riscv,num-ids", fc->aia_num_ids);
	la_fdt_w_u32(w, "phandle", LA_RV_PHANDLE_IMSIC);
	la_fdt_w_u32s(w, "interrupts-extended", ext, 2 * n);
	la_fdt_w_end_node(w);

	if (!fc->aia_num_sources)
		return;
	la_fdt_w_begin_nodef(w, "aplic@0x%llx", (unsigned long long)aplic);
	la_fdt_w_str(w, "compatible", "riscv,aplic");
	la_fdt_w_u32s(w, "reg", aplic_reg, 4);
	la_fdt_w_u32(w, "#interrupt-cells", 2);
	la_fdt_w_empty(w, "interrupt-controller");
	la_fdt_w_u32(w, "riscv,num-sources", fc->aia_num_sources);
	la_fdt_w_u32(w, "phandle", LA_RV_PHANDLE_APLIC);
	la_fdt_w_u32(w, "msi-parent", LA_RV_PHANDLE_IMSIC);
	la_fdt_w_end_node(w);
}

/* The userspace PLIC instead of the AIA: one S-mode context per hart,
 * sources 1..LA_PLIC_NDEV. */
static void la_rv_fdt_plic(struct la_fdt_w *w, const struct la_fdt_config *fc)
{
	static const char *const compat[] = { "sifive,plic-1.0.0", "riscv,plic0" };
	uint32_t n = fc->cfg->cpus;
	uint32_t ext[2 * LA_MAX_VCPUS];

	for (uint32_t h = 0; h < n; h++) {
		ext[2 * h] = LA_RV_PHANDLE_CPU_INTC0 + h;
		ext[2 * h + 1] = LA_RV_S_MODE_EXT_IRQ;
	}
	la_fdt_w_begin_nodef(w, "plic@%llx", LA_PLIC_RV_BASE);
	la_fdt_w_strs(w, "compatible", compat, 2);
	la_fdt_w_reg(w, LA_PLIC_RV_BASE, LA_PLIC_RV_SIZE);
	la_fdt_w_u32(w, "#address-cells", 0);
	la_fdt_w_u32(w, "#interrupt-cells", 1);
	la_fdt_w_empty(w, "interrupt-controller");
	la_fdt_w_u32(w, "riscv,ndev", LA_PLIC_NDEV);
	la_fdt_w_u32(w, "phandle", LA_RV_PHANDLE_PLIC);
	la_fdt_w_u32s(w, "interrupts-extended", ext, 2 * n);
	la_fdt_w_end_node(w);
}

/* PLIC specifiers: the source number alone. */
static void la_rv_plic_encode(const struct la_irq_cells *ic, uint32_t *cells, uint32_t irq,
			      uint32_t type, bool ppi)
{
	(void)ic;
	(void)type;
	(void)ppi;
	cells[0] = irq;
}

static const struct la_irq_cells la_rv_plic_cells = {
	.phandle = LA_RV_PHANDLE_PLIC, .ncells = 1, .encode = la_rv_plic_encode,
	.node_parent = true,
};

/* APLIC specifiers: source number and trigger type. */
static void la_rv_irq_encode(const struct la_irq_cells *ic, uint32_t *cells, uint32_t irq,
			     uint32_t type, bool ppi)
{
	(void)ic;
	(void)ppi;
	cells[0] = irq;
	cells[1] = type;
}

static const struct la_irq_cells la_rv_aplic_cells = {
	.phandle = LA_RV_PHANDLE_APLIC, .ncells = 2, .encode = la_rv_irq_encode,
	.node_parent = true,
};

/* Where the tree's wired interrupts go: the PLIC, the APLIC, or nowhere
 * (an AIA without APLIC: no sources). */
static const struct la_irq_cells *la_rv_irq_cells(const struct la_fdt_config *fc)
{
	if (fc->irqchip == LA_RV_IRQCHIP_PLIC)
		return &la_rv_plic_cells;
	return fc->aia_num_sources ? &la_rv_aplic_cells : NULL;
}

static void la_rv_fdt_pci(struct la_fdt_w *w, const struct la_fdt_config *fc)
{
	static const uint32_t mask[4] = { 0xf800, 0, 0, 7 };
	uint64_t reg[2] = { fc->layout->pci_cam.start, la_range_len(fc->layout->pci_cam) };

	la_fdt_w_begin_node(w, "pci");
	la_fdt_w_str(w, "compatible", "pci-host-cam-generic");
	la_fdt_w_str(w, "device_type", "pci");
	/* every pool 64-bit, none prefetchable */
	la_fdt_w_pci_ranges(w, fc, LA_PCI_RANGE_MEM64, LA_PCI_RANGE_MEM64);
	la_fdt_w_u32s(w, "bus-range", (const uint32_t[]){ 0, 0 }, 2);
	la_fdt_w_u32(w, "#address-cells", 3);
	la_fdt_w_u32(w, "#size-cells", 2);
	la_fdt_w_u64s(w, "reg", reg, 2);
	la_fdt_w_u32(w, "#interrupt-cells", 1);
	/* INTx goes to the PLIC or the APLIC; without either (no sources)
	 * nothing routes */
	la_fdt_w_pci_interrupt_map(w, fc, la_rv_irq_cells(fc));
	la_fdt_w_u32s(w, "interrupt-map-mask", mask, 4);
	if (fc->irqchip == LA_RV_IRQCHIP_AIA)
		la_fdt_w_u32(w, "msi-parent", LA_RV_PHANDLE_IMSIC);
	la_fdt_w_empty(w, "dma-coherent");
	la_fdt_w_end_node(w);
}

static int la_rv_fdt_build(const struct la_fdt_config *fc, void *buf, size_t size)
{
	const struct la_irq_cells *ic = la_rv_irq_cells(fc);
	struct la_fdt_w w;

	if (fc->irqchip == LA_RV_IRQCHIP_AIA &&
	    (fc->aia_num_ids == 0 || fc->aia_num_ids > LA_RV_IMSIC_MAX_INT_IDS))
		return -LA_ERR_AIAIDS;
	if (la_fdt_w_create(&w, buf, size))
		return w.err;
	la_fdt_w_str(&w, "compatible", "linux,dummy-virt");
	la_fdt_w_u32(&w, "#address-cells", 2);
	la_fdt_w_u32(&w, "#size-cells", 2);

	la_fdt_w_begin_node(&w, "chosen");
	la_fdt_w_u32(&w, "linux,pci-probe-only", 1);
	la_fdt_w_str(&w, "bootargs", fc->cmdline);
	la_fdt_w_chosen_seeds(&w, fc);
	la_fdt_w_initrd(&w, fc->boot);
	la_fdt_w_end_node(&w);

	la_fdt_w_memory(&w, fc->mem);
	la_rv_fdt_cpus(&w, fc);
	if (fc->irqchip == LA_RV_IRQCHIP_PLIC)
		la_rv_fdt_plic(&w, fc);
	else
		la_rv_fdt_aia(&w, fc);
	/* the UARTs (unlike crosvm's tree, which has none) */
	if (fc->plat)
		la_platform_fdt_nodes(&w, fc->plat, 0, LA_FDT_ORDER_LATE, ic, fc);
	la_rv_fdt_pci(&w, fc);
	if (fc->plat)
		la_platform_fdt_nodes(&w, fc->plat, LA_FDT_ORDER_LATE, UINT_MAX, ic, fc);
	return la_fdt_w_finish(&w);
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
	.fdt_max_size = LA_RV_FDT_MAX_SIZE,
	.boot_place = la_rv_boot_place,
	.fdt_build = la_rv_fdt_build,
	.default_phys_bits = LA_RV_PHYS_BITS,
	.pci_max_irqs = LA_RV_IMSIC_MAX_INT_IDS,
	.system_allocator_config = la_rv_system_allocator_config,
	.host_cpu_read = la_arch_host_cpu_none,
	.devices = la_riscv64_devices,
	.vm = &la_riscv64_vm_ops,
	LA_DT_ARCH_OPS,
};
