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
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "arch.h"
#include "arch/aarch64/aarch64.h"
#include "boot.h"
#include "err.h"
#include "fdt/fdt.h"
#include "dev/platform.h"
#include "hostcpu.h"
#include "size.h"
#include "sys_alloc.h"
#include "vm/dtboot.h"

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
#define LA_ARM_SWIOTLB_ALIGN (64 * LA_KiB)
#define LA_ARM_MAX_IPA (1ULL << 48)

/* Phandles crosvm gives the fixed nodes. */
#define LA_ARM_PHANDLE_GIC 1
#define LA_ARM_PHANDLE_DMA_POOL 2
#define LA_ARM_PHANDLE_ITS 3
#define LA_ARM_PHANDLE_CPU0 0x100
#define LA_ARM_PHANDLE_OPP0 0x1000

/* Interrupt specifier cells: type, number, flags (LA_DT_IRQ_*). */
#define LA_IRQ_SPI 0
#define LA_IRQ_PPI 1

#define LA_ARM_PLATFORM_MMIO_SIZE 0x40000000ULL
#define LA_ARM_IRQ_BASE 4
#define LA_ARM_PCI_MAX_IRQS (LA_ARM_GIC_NR_SPIS - LA_ARM_IRQ_BASE)
#define LA_ARM_DEFAULT_IPA_BITS 40

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

/* --- boot placement (§4.5 steps 2-4) --- */

static enum la_fdt_position la_arm_fdt_position(const struct la_vm_config *cfg)
{
	if (cfg->fdt_position != LA_FDT_POS_DEFAULT)
		return cfg->fdt_position;
	return cfg->bios_path ? LA_FDT_POS_START : LA_FDT_POS_END;
}

/* The kernel's [start, start + size) and its /config size. */
static int la_arm_place_kernel(const struct la_kernel_info *k, uint64_t base,
			       uint64_t ram_end, struct la_boot_plan *b)
{
	uint64_t start, len;

	if (k->kind == LA_KERNEL_ELF) {
		start = k->elf_lo + LA_ARM_PHYS_MEM_START;
		len = k->elf_hi - k->elf_lo;
		if (k->elf_lo > ram_end || start < base)
			return -LA_ERR_KERNELFIT;
		b->payload_size = len;
	} else if (k->kind == LA_KERNEL_ARM64_IMAGE) {
		start = base + k->text_offset;
		len = k->file_size > k->image_size ? k->file_size : k->image_size;
		b->payload_size = k->file_size;
	} else {
		return -LA_ERR_NOTKERNEL;
	}
	if (start >= ram_end || len > ram_end - start)
		return -LA_ERR_KERNELFIT;
	b->payload_start = start;
	b->payload_end = start + len - 1;
	return 0;
}

static int la_arm_boot_place(const struct la_vm_config *cfg, const struct la_mem_layout *mem,
			     const struct la_kernel_info *k, bool has_initrd,
			     uint64_t initrd_size, struct la_boot_plan *b)
{
	uint64_t main = la_arm_main_memory(cfg);
	uint64_t ram_end = LA_ARM_PHYS_MEM_START + main;
	uint64_t base;
	bool ok = true;
	int err;

	(void)mem;
	b->fdt_position = la_arm_fdt_position(cfg);
	b->cmdline_max = LA_ARM_CMDLINE_MAX_SIZE - 1;
	base = b->fdt_position == LA_FDT_POS_START ? LA_ARM_PAYLOAD_AFTER_FDT
						    : LA_ARM_PHYS_MEM_START;
	b->payload_end = base - 1; /* no payload: nothing to stay clear of */
	if (cfg->bios_path) {
		if (has_initrd)
			return -LA_ERR_INITRDBIOS;
		if (cfg->bios_size > ram_end - base)
			return -LA_ERR_KERNELFIT;
		b->has_payload = b->bios = true;
		b->payload_start = base;
		b->payload_size = cfg->bios_size;
		b->payload_end = base + cfg->bios_size - 1;
	} else if (k) {
		err = la_arm_place_kernel(k, base, ram_end, b);
		if (err)
			return err;
		b->has_payload = true;
	}
	if (has_initrd) {
		uint64_t addr = la_align_up(b->payload_end + 1, LA_ARM_INITRD_ALIGN, &ok);

		if (initrd_size == 0)
			return -LA_ERR_INITRDEMPTY;
		if (!ok || addr >= ram_end || initrd_size > ram_end - addr)
			return -LA_ERR_INITRDFIT;
		b->has_initrd = true;
		b->initrd_start = addr;
		b->initrd_size = initrd_size;
		b->payload_end = addr + initrd_size - 1;
	}
	switch (b->fdt_position) {
	case LA_FDT_POS_START:
		b->fdt_address = LA_ARM_PHYS_MEM_START;
		break;
	case LA_FDT_POS_AFTER_PAYLOAD:
		b->fdt_address = la_align_up(b->payload_end + 1, LA_ARM_FDT_ALIGN, &ok);
		if (!ok || b->fdt_address + LA_ARM_FDT_MAX_SIZE > ram_end)
			return -LA_ERR_FDTPLACE;
		break;
	default:
		b->fdt_address = la_align_down(ram_end - LA_ARM_FDT_MAX_SIZE, LA_ARM_FDT_ALIGN);
		if (b->fdt_address <= b->payload_end)
			return -LA_ERR_FDTPLACE;
		break;
	}
	return 0;
}

/* --- device tree (§4.7), nodes in crosvm's order --- */

/* KVM's default MPIDR_EL1 affinity for vCPU id: Aff0 = id & 0xf,
 * Aff1 = (id >> 4) & 0xff, Aff2 = (id >> 12) & 0xff. */
static uint32_t la_arm_mpidr(unsigned id)
{
	return (id & 0xfu) | (((id >> 4) & 0xffu) << 8) | (((id >> 12) & 0xffu) << 16);
}

/* PPI CPU mask for the interrupt flags cell; saturates at 8 CPUs. */
static uint32_t la_arm_ppi_mask(unsigned cpus)
{
	unsigned n = cpus > 8 ? 8 : cpus;

	return (((1u << n) - 1) << 8) & 0xff00;
}

static void la_arm_irq(struct la_fdt_w *w, const char *name, uint32_t type, uint32_t irq,
		       uint32_t flags)
{
	uint32_t c[3] = { type, irq, flags };

	la_fdt_w_u32s(w, name, c, 3);
}

static void la_arm_fdt_chosen(struct la_fdt_w *w, const struct la_fdt_config *fc)
{
	la_fdt_w_begin_node(w, "chosen");
	la_fdt_w_u32(w, "linux,pci-probe-only", 1);
	la_fdt_w_str(w, "bootargs", fc->cmdline);
	/* COM1's node, whichever port is the console, as crosvm does */
	if (fc->plat && la_platform_find(fc->plat, "com1"))
		la_fdt_w_str(w, "stdout-path", "/U6_16550A@3f8");
	la_fdt_w_chosen_seeds(w, fc);
	la_fdt_w_initrd(w, fc->boot);
	la_fdt_w_end_node(w);

	if (fc->boot->has_payload) {
		la_fdt_w_begin_node(w, "config");
		la_fdt_w_u32(w, "kernel-address", (uint32_t)fc->boot->payload_start);
		la_fdt_w_u32(w, "kernel-size", (uint32_t)fc->boot->payload_size);
		la_fdt_w_end_node(w);
	}
}

static void la_arm_fdt_reserved(struct la_fdt_w *w, const struct la_fdt_config *fc)
{
	uint64_t swiotlb = la_vm_swiotlb(fc->cfg);

	if (!swiotlb && !la_fdt_reserved_count(fc->mem))
		return;
	la_fdt_w_reserved_begin(w, fc->mem);
	if (swiotlb) {
		if (fc->cfg->static_swiotlb) {
			uint64_t at = LA_ARM_PHYS_MEM_START + la_arm_main_memory(fc->cfg);

			la_fdt_w_begin_nodef(w, "restricted_dma_reserved@%llx",
					     (unsigned long long)at);
			la_fdt_w_reg(w, at, swiotlb);
		} else {
			la_fdt_w_begin_node(w, "restricted_dma_reserved");
			la_fdt_w_u64(w, "size", swiotlb);
		}
		la_fdt_w_u32(w, "phandle", LA_ARM_PHANDLE_DMA_POOL);
		la_fdt_w_str(w, "compatible", "restricted-dma-pool");
		la_fdt_w_u64(w, "alignment", LA_ARM_SWIOTLB_ALIGN);
		la_fdt_w_end_node(w);
	}
	la_fdt_w_end_node(w);
}

static void la_arm_fdt_opp_table(struct la_fdt_w *w, unsigned i, const struct la_vcpu_props *p)
{
	la_fdt_w_begin_nodef(w, "opp_table%u", i);
	la_fdt_w_u32(w, "phandle", LA_ARM_PHANDLE_OPP0 + i);
	la_fdt_w_str(w, "compatible", "operating-points-v2");
	for (unsigned f = 0; f < p->n_freqs; f++) {
		uint64_t hz = (uint64_t)p->freqs_khz[f] * 1000;

		la_fdt_w_begin_nodef(w, "opp%llu", (unsigned long long)hz);
		la_fdt_w_u64(w, "opp-hz", hz);
		la_fdt_w_end_node(w);
	}
	la_fdt_w_end_node(w);
}

static void la_arm_fdt_cpu_map(struct la_fdt_w *w, const struct la_cpu_clusters *c)
{
	if (!c || !c->n)
		return;
	la_fdt_w_begin_node(w, "cpu-map");
	for (unsigned k = 0; k < c->n; k++) {
		la_fdt_w_begin_nodef(w, "cluster%u", k);
		for (unsigned j = c->first[k]; j < c->first[k + 1]; j++) {
			la_fdt_w_begin_nodef(w, "core%u", j - c->first[k]);
			la_fdt_w_u32(w, "cpu", LA_ARM_PHANDLE_CPU0 + c->cpu[j]);
			la_fdt_w_end_node(w);
		}
		la_fdt_w_end_node(w);
	}
	la_fdt_w_end_node(w);
}

static void la_arm_fdt_cpus(struct la_fdt_w *w, const struct la_fdt_config *fc)
{
	unsigned n = fc->cfg->cpus;

	la_fdt_w_begin_node(w, "cpus");
	la_fdt_w_u32(w, "#address-cells", 1);
	la_fdt_w_u32(w, "#size-cells", 0);
	for (unsigned i = 0; i < n; i++) {
		const struct la_vcpu_props *p = &fc->vcpu[i];
		uint32_t mpidr = la_arm_mpidr(i);

		la_fdt_w_begin_nodef(w, "cpu@%x", mpidr);
		la_fdt_w_str(w, "device_type", "cpu");
		la_fdt_w_str(w, "compatible", "arm,armv8");
		if (n > 1)
			la_fdt_w_str(w, "enable-method", "psci");
		la_fdt_w_u32(w, "reg", mpidr);
		la_fdt_w_u32(w, "phandle", LA_ARM_PHANDLE_CPU0 + i);
		if (p->has_capacity)
			la_fdt_w_u32(w, "capacity-dmips-mhz", p->capacity);
		if (p->n_freqs) {
			la_fdt_w_u32(w, "operating-points-v2", LA_ARM_PHANDLE_OPP0 + i);
			la_arm_fdt_opp_table(w, i, p);
		}
		la_fdt_w_end_node(w);
	}
	la_arm_fdt_cpu_map(w, fc->clusters);
	la_fdt_w_end_node(w);
}

static void la_arm_fdt_gic(struct la_fdt_w *w, const struct la_fdt_config *fc)
{
	uint64_t n = fc->cfg->cpus;
	uint64_t v3[4] = { LA_ARM_GIC_DIST_BASE, LA_ARM_GIC_DIST_SIZE,
			   LA_ARM_GIC_DIST_BASE - LA_ARM_GIC_REDIST_SIZE * n,
			   LA_ARM_GIC_REDIST_SIZE * n };
	uint64_t v2[4] = { LA_ARM_GIC_DIST_BASE, LA_ARM_GIC_DIST_SIZE, LA_ARM_GIC_CPUI_BASE,
			   LA_ARM_GIC_CPUI_SIZE };
	bool is_v3 = fc->gic == LA_GIC_V3;

	la_fdt_w_begin_node(w, "intc");
	la_fdt_w_str(w, "compatible", is_v3 ? "arm,gic-v3" : "arm,cortex-a15-gic");
	la_fdt_w_u32(w, "#interrupt-cells", 3);
	la_fdt_w_empty(w, "interrupt-controller");
	la_fdt_w_u64s(w, "reg", is_v3 ? v3 : v2, 4);
	la_fdt_w_u32(w, "phandle", LA_ARM_PHANDLE_GIC);
	la_fdt_w_u32(w, "#address-cells", 2);
	la_fdt_w_u32(w, "#size-cells", 2);
	if (fc->nested)
		la_arm_irq(w, "interrupts", LA_IRQ_PPI, LA_ARM_GIC_MAINT_PPI, LA_DT_IRQ_LEVEL_HIGH);
	if (fc->its) {
		la_fdt_w_empty(w, "ranges");
		la_fdt_w_begin_node(w, "msic");
		la_fdt_w_str(w, "compatible", "arm,gic-v3-its");
		la_fdt_w_empty(w, "msi-controller");
		la_fdt_w_u32(w, "phandle", LA_ARM_PHANDLE_ITS);
		la_fdt_w_reg(w, LA_ARM_GIC_ITS_BASE, LA_ARM_GIC_ITS_SIZE);
		la_fdt_w_end_node(w);
	}
	la_fdt_w_end_node(w);

	la_fdt_w_begin_node(w, "__symbols__");
	la_fdt_w_str(w, "intc", "/intc");
	la_fdt_w_end_node(w);
}

static void la_arm_fdt_timer_pmu(struct la_fdt_w *w, const struct la_fdt_config *fc)
{
	static const uint32_t ppis[4] = { 13, 14, 11, 10 };
	uint32_t mask = la_arm_ppi_mask(fc->cfg->cpus), c[12];

	for (unsigned i = 0; i < 4; i++) {
		c[3 * i] = LA_IRQ_PPI;
		c[3 * i + 1] = ppis[i];
		c[3 * i + 2] = mask | LA_DT_IRQ_LEVEL_LOW;
	}
	la_fdt_w_begin_node(w, "timer");
	la_fdt_w_str(w, "compatible", "arm,armv8-timer");
	la_fdt_w_u32s(w, "interrupts", c, 12);
	la_fdt_w_empty(w, "always-on");
	la_fdt_w_end_node(w);

	if (!fc->pmu)
		return;
	la_fdt_w_begin_node(w, "pmu");
	la_fdt_w_str(w, "compatible", "arm,armv8-pmuv3");
	la_arm_irq(w, "interrupts", LA_IRQ_PPI, LA_ARM_PMU_PPI, mask | LA_DT_IRQ_LEVEL_HIGH);
	la_fdt_w_end_node(w);
}

static void la_arm_fdt_psci(struct la_fdt_w *w, const struct la_fdt_config *fc)
{
	static const char *const v1[] = { "arm,psci-1.0", "arm,psci-0.2" };
	static const char *const v02[] = { "arm,psci-0.2" };
	static const char *const v01[] = { "arm,psci" };
	unsigned ver = fc->psci_major * 0x10000 + fc->psci_minor;

	la_fdt_w_begin_node(w, "psci");
	if (ver >= 0x10000)
		la_fdt_w_strs(w, "compatible", v1, 2);
	else if (ver >= 2)
		la_fdt_w_strs(w, "compatible", v02, 1);
	else
		la_fdt_w_strs(w, "compatible", v01, 1);
	la_fdt_w_str(w, "method", fc->nested ? "smc" : "hvc");
	la_fdt_w_end_node(w);
}

static void la_arm_fdt_pci(struct la_fdt_w *w, const struct la_fdt_config *fc,
			   const struct la_irq_cells *gic)
{
	static const uint32_t mask[4] = { 0xf800, 0, 0, 7 };

	la_fdt_w_begin_node(w, "pci");
	la_fdt_w_str(w, "compatible", "pci-host-cam-generic");
	la_fdt_w_str(w, "device_type", "pci");
	/* low pools 32-bit, high pools 64-bit prefetchable */
	la_fdt_w_pci_ranges(w, fc, LA_PCI_RANGE_MEM32, LA_PCI_RANGE_MEM64 | LA_PCI_RANGE_PREFETCH);
	la_fdt_w_u32s(w, "bus-range", (const uint32_t[]){ 0, 0 }, 2);
	la_fdt_w_u32(w, "#address-cells", 3);
	la_fdt_w_u32(w, "#size-cells", 2);
	la_fdt_w_reg(w, fc->layout->pci_cam.start, la_range_len(fc->layout->pci_cam));
	la_fdt_w_u32(w, "#interrupt-cells", 1);
	la_fdt_w_pci_interrupt_map(w, fc, gic);
	la_fdt_w_u32s(w, "interrupt-map-mask", mask, 4);
	la_fdt_w_empty(w, "dma-coherent");
	if (la_vm_swiotlb(fc->cfg))
		la_fdt_w_u32(w, "memory-region", LA_ARM_PHANDLE_DMA_POOL);
	if (fc->its)
		la_fdt_w_u32(w, "msi-parent", LA_ARM_PHANDLE_ITS);
	la_fdt_w_end_node(w);
}

/* GIC specifiers: SPI or PPI, number, trigger type (a PPI's with the
 * CPU mask). */
static void la_arm_irq_encode(const struct la_irq_cells *ic, uint32_t *cells, uint32_t irq,
			      uint32_t type, bool ppi)
{
	cells[0] = ppi ? LA_IRQ_PPI : LA_IRQ_SPI;
	cells[1] = irq;
	cells[2] = type | (ppi ? la_arm_ppi_mask(ic->ncpus) : 0);
}

static int la_arm_fdt_build(const struct la_fdt_config *fc, void *buf, size_t size)
{
	const struct la_irq_cells gic = {
		.phandle = LA_ARM_PHANDLE_GIC, .addr_cells = 2, .ncells = 3,
		.ncpus = fc->cfg->cpus, .encode = la_arm_irq_encode,
	};
	const struct la_platform *p = fc->plat;
	struct la_fdt_w w;

	if (fc->gic == LA_GIC_V2 && fc->cfg->cpus > LA_ARM_GICV2_MAX_CPUS)
		return -LA_ERR_GICV2CPUS;
	if (fc->its && fc->gic != LA_GIC_V3)
		return -LA_ERR_ITSGICV2;
	if (la_fdt_w_create(&w, buf, size))
		return w.err;
	la_fdt_w_u32(&w, "interrupt-parent", LA_ARM_PHANDLE_GIC);
	la_fdt_w_str(&w, "compatible", "linux,dummy-virt");
	la_fdt_w_u32(&w, "#address-cells", 2);
	la_fdt_w_u32(&w, "#size-cells", 2);
	la_arm_fdt_chosen(&w, fc);
	la_fdt_w_memory(&w, fc->mem);
	la_arm_fdt_reserved(&w, fc);
	la_arm_fdt_cpus(&w, fc);
	la_arm_fdt_gic(&w, fc);
	la_arm_fdt_timer_pmu(&w, fc);
	if (p)
		la_platform_fdt_nodes(&w, p, 0, LA_FDT_ORDER_LATE, &gic, fc);
	la_arm_fdt_psci(&w, fc);
	la_arm_fdt_pci(&w, fc, &gic);
	if (p)
		la_platform_fdt_nodes(&w, p, LA_FDT_ORDER_LATE, UINT_MAX, &gic, fc);
	return la_fdt_w_finish(&w);
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
	.fdt_max_size = LA_ARM_FDT_MAX_SIZE,
	.boot_place = la_arm_boot_place,
	.fdt_build = la_arm_fdt_build,
	.default_phys_bits = LA_ARM_DEFAULT_IPA_BITS,
	.pci_max_irqs = LA_ARM_PCI_MAX_IRQS,
	.system_allocator_config = la_arm_system_allocator_config,
	.host_cpu_read = la_hostcpu_read,
	.devices = la_aarch64_devices,
	LA_DT_ARCH_OPS,
	.vm = &la_aarch64_vm_ops,
};
