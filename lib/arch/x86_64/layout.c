/* SPDX-License-Identifier: MIT */
/*
 * x86_64: crosvm's x86_64 crate, layout stages.
 *
 * Guest physical address map (default PCI config):
 *
 *   0x0000_0000  +----------------------------+
 *                | RAM (640 KiB): GDT 0x1500, |  multiboot info 0x6000,
 *                | boot_params 0x7000, stack  |  page tables 0x9000..0xefff,
 *                | cmdline 0x20000, setup_data|  MP table 0x9e800
 *   0x000a_0000  | reserved (384 KiB, backed) |  ACPI 0xe0000, SMBIOS 0xf0000
 *   0x0010_0000  | RAM up to min(mem, PCI)    |  kernel at 0x200000
 *   0xd000_0000  | low PCI MMIO  ...........  |  = 4G - MEM_32BIT_GAP
 *   0xf400_0000  |   PCIe ECAM (64 MiB)       |  inside the low MMIO window
 *   0xf800_0000  | reserved (LAPIC, IOAPIC..) |  128 MiB: IOAPIC 0xfec00000,
 *                |                            |  identity map 0xfeffc000, TSS
 *                |                            |  0xfeffd000, LAPIC 0xfee00000,
 *                |                            |  a BIOS ends at 4G
 *   0x1_0000_0000| RAM above 4 GiB (the rest) |
 *                | PCIe VCFG (2 x ECAM)       |  2 MiB aligned, >= 4 GiB
 *                | high PCI MMIO .. 2^46-1    |
 */
#include <string.h>

#include "arch.h"
#include "boot.h"
#include "err.h"
#include "fdt/fdt.h"
#include "dev/platform.h"
#include "size.h"
#include "sys_alloc.h"
#include "arch/x86_64/x86boot.h"
#include "arch/x86_64/x86_64.h"

/* placement constants (lib/arch/x86_64/x86_64.h has the address map) */
#define LA_X86_SETUP_DATA_HDR_SIZE 16ULL
#define LA_X86_SETUP_RNG_SEED_SIZE 256ULL
#define LA_X86_PCI_MAX_IRQS 4
#define LA_X86_DEFAULT_PHYS_BITS 36 /* KVM without CPUID leaf 0x80000008 */
#define LA_X86_VCFG_ALIGN (2 * LA_MiB)

static int la_x86_ecam(const struct la_vm_config *cfg, struct la_range *out)
{
	const struct la_window_opt *e = &cfg->pci_ecam;
	uint64_t start = LA_X86_PCIE_CFG_MMIO_START, len;
	struct la_range r = { LA_X86_PCIE_CFG_MMIO_START, LA_X86_PCIE_CFG_MMIO_END };

	if (e->set && e->has_size) {
		start = e->start;
		len = e->size < LA_X86_ECAM_MAX_SIZE ? e->size : LA_X86_ECAM_MAX_SIZE;
		if (len == 0 || len % LA_MiB)
			return -LA_ERR_ECAMSIZE;
		if (la_range_from_size(start, len, &r))
			return -LA_ERR_ECAMRANGE;
	} else if (e->set) {
		start = e->start;
		if (start > LA_X86_PCIE_CFG_MMIO_END)
			return -LA_ERR_ECAMRANGE;
		r = (struct la_range){ start, LA_X86_PCIE_CFG_MMIO_END };
	}
	/* a misaligned START is the start's fault, also where the size
	 * follows from it (START alone: the window runs to its end) */
	if (start % LA_MiB)
		return -LA_ERR_ECAMALIGN;
	len = la_range_len(r);
	if (len % LA_MiB)
		return -LA_ERR_ECAMSIZE;
	if (start % len)
		return -LA_ERR_ECAMALIGN;
	if (r.end >= LA_X86_FIRST_ADDR_PAST_32BITS)
		return -LA_ERR_ECAMRANGE;
	*out = r;
	return 0;
}

static int la_x86_pci_mem(const struct la_vm_config *cfg, struct la_range ecam,
			  struct la_range *out)
{
	const struct la_window_opt *m = &cfg->pci_mem;
	struct la_range r;

	if (m->set && m->has_size) {
		if (m->size == 0 || la_range_from_size(m->start, m->size, &r))
			return -LA_ERR_PCIMEM;
	} else if (m->set) {
		if (m->start > LA_X86_PCI_MEM_END)
			return -LA_ERR_PCIMEM;
		r = (struct la_range){ m->start, LA_X86_PCI_MEM_END };
	} else {
		r.start = ecam.start < LA_X86_END_ADDR_BEFORE_32BITS ?
			  ecam.start : LA_X86_END_ADDR_BEFORE_32BITS;
		r.end = LA_X86_PCI_MEM_END;
	}
	/* crosvm does not check these; past them its RAM regions underflow
	 * or overlap the RAM above 4 GiB. */
	if (r.start < LA_MiB || r.end >= LA_X86_FIRST_ADDR_PAST_32BITS)
		return -LA_ERR_PCIMEMRANGE;
	*out = r;
	return 0;
}

static int la_x86_arch_memory_layout(const struct la_vm_config *cfg,
				     struct la_arch_layout *out)
{
	int err;

	err = la_x86_ecam(cfg, &out->pci_ecam);
	if (err)
		return err;
	out->has_ecam = true;
	err = la_x86_pci_mem(cfg, out->pci_ecam, &out->pci_mem);
	if (err)
		return err;
	out->has_pci_mem = true;
	if (la_protection_runs_firmware(cfg->protection)) {
		out->has_pvmfw = true;
		out->pvmfw = (struct la_range){ LA_PVMFW_START,
						LA_PVMFW_START + LA_PVMFW_MAX_SIZE - 1 };
		if (la_range_overlaps(out->pvmfw, out->pci_mem))
			return -LA_ERR_PVMFWOVERLAP;
	}
	return 0;
}

/* Carve the pVM firmware region out of every region it overlaps. */
static int la_x86_carve_pvmfw(struct la_mem_layout *m, struct la_range fw)
{
	struct la_mem_layout out = { 0 };
	int err = 0;

	for (unsigned i = 0; i < m->n && !err; i++) {
		struct la_region *r = &m->r[i];
		struct la_range rr, before, after;

		la_range_from_size(r->start, r->size, &rr);
		if (!la_range_overlaps(rr, fw)) {
			err = la_mem_layout_add(&out, r->start, r->size, r->align, r->purpose);
			continue;
		}
		la_range_subtract(rr, fw, &before, &after);
		if (!la_range_is_empty(before))
			err = la_mem_layout_add(&out, before.start, la_range_len(before),
						r->align, r->purpose);
		if (!err && !la_range_is_empty(after))
			err = la_mem_layout_add(&out, after.start, la_range_len(after),
						r->align, r->purpose);
	}
	if (!err)
		err = la_mem_layout_add(&out, fw.start, la_range_len(fw), 0,
					LA_REGION_PROTECTED_FIRMWARE);
	*m = out;
	return err;
}

static int la_x86_guest_memory_layout(const struct la_vm_config *cfg,
				      const struct la_arch_layout *layout,
				      struct la_mem_layout *m)
{
	uint64_t mem = cfg->mem_size, pci_start = layout->pci_mem.start;
	uint64_t below, above;
	int err = 0;

	if (mem <= LA_MiB)
		return -LA_ERR_MEMTOOSMALL;
	below = (mem < pci_start ? mem : pci_start) - LA_MiB;
	above = mem - LA_MiB - below;
	if (above > LA_X86_HIGH_MMIO_MAX_END + 1 - LA_X86_FIRST_ADDR_PAST_32BITS)
		return -LA_ERR_MEMTOOLARGE;

	err |= la_mem_layout_add(m, 0, LA_X86_LOW_RAM_SIZE, 0, LA_REGION_GUEST_MEMORY);
	err |= la_mem_layout_add(m, LA_X86_LOW_RAM_SIZE, LA_X86_LOW_RESERVED_SIZE, 0,
				 LA_REGION_RESERVED);
	if (below)
		err |= la_mem_layout_add(m, LA_MiB, below, 0, LA_REGION_GUEST_MEMORY);
	if (above)
		err |= la_mem_layout_add(m, LA_X86_FIRST_ADDR_PAST_32BITS, above, 0,
					 LA_REGION_GUEST_MEMORY);
	if (cfg->bios_path) {
		if (cfg->bios_size == 0 || cfg->bios_size % (4 * LA_KiB) ||
		    cfg->bios_size > LA_X86_BIOS_MAX_SIZE)
			return -LA_ERR_BIOSSIZE;
		err |= la_mem_layout_add(m, LA_X86_FIRST_ADDR_PAST_32BITS - cfg->bios_size,
					 cfg->bios_size, 0, LA_REGION_BIOS);
	}
	if (err)
		return -LA_ERR_TOOMANY;
	if (layout->has_pvmfw) {
		err = la_x86_carve_pvmfw(m, layout->pvmfw);
		if (err)
			return err;
	}
	return la_mem_layout_sort(m);
}

static void la_x86_boot_info(const struct la_vm_config *cfg,
			     const struct la_arch_layout *layout,
			     const struct la_mem_layout *mem, struct la_boot_info *b)
{
	(void)layout;
	(void)mem;
	la_boot_info_add(b, "gdt", LA_X86_BOOT_GDT_OFFSET, false, "boot GDT");
	la_boot_info_add(b, "idt", LA_X86_BOOT_IDT_OFFSET, false, "boot IDT (one null entry)");
	la_boot_info_add(b, "multiboot_info", LA_X86_MULTIBOOT_INFO_OFFSET, false,
			 "multiboot information (4 KiB)");
	la_boot_info_add(b, "zero_page", LA_X86_ZERO_PAGE_OFFSET, false,
			 "boot_params, the zero page (RSI at entry)");
	la_boot_info_add(b, "boot_stack", LA_X86_BOOT_STACK_POINTER, false,
			 "initial stack pointer (RSP)");
	la_boot_info_add(b, "pml4", LA_X86_BOOT_PML4, false, "boot page tables: PML4 (CR3)");
	la_boot_info_add(b, "pdpte", LA_X86_BOOT_PDPTE, false, "boot page tables: PDPT");
	la_boot_info_add(b, "pde", LA_X86_BOOT_PDE, false,
			 "boot page tables: 4 page directories, 0-4 GiB in 2 MiB pages");
	la_boot_info_add(b, "cmdline", LA_X86_CMDLINE_OFFSET, false, "kernel command line");
	la_boot_info_add(b, "cmdline_max_size", LA_X86_CMDLINE_MAX_SIZE, true,
			 "command line limit, including the NUL");
	la_boot_info_add(b, "setup_data_start", LA_X86_SETUP_DATA_START, false,
			 "setup_data window start (RNG seed, DTB)");
	la_boot_info_add(b, "setup_data_end", LA_X86_SETUP_DATA_END, false,
			 "setup_data window end (exclusive)");
	la_boot_info_add(b, "fdt_max_size", LA_X86_FDT_MAX_SIZE, true,
			 "DTB in setup_data, zero-padded to this size");
	la_boot_info_add(b, "mptable", LA_X86_MPTABLE_START, false,
			 "MP configuration table (to 0x9ffef)");
	la_boot_info_add(b, "mp_floating_pointer", LA_X86_MP_FLOATING_POINTER, false,
			 "MP floating pointer structure (16 bytes)");
	la_boot_info_add(b, "acpi_rsdp", LA_X86_ACPI_HI_RSDP_WINDOW_BASE, false,
			 "ACPI RSDP, then FACS and tables");
	la_boot_info_add(b, "smbios", LA_X86_SMBIOS_START, false, "SMBIOS 3.0 entry point");
	la_boot_info_add(b, "kernel", LA_X86_KERNEL_START_OFFSET, false,
			 "kernel protected-mode code (bzImage), lowest ELF load address");
	la_boot_info_add(b, "kernel_entry_64", LA_X86_KERNEL_START_OFFSET +
			 LA_X86_KERNEL_64BIT_ENTRY_OFFSET, false, "bzImage 64-bit entry point");
	la_boot_info_add(b, "ioapic", LA_X86_IOAPIC_BASE, false, "IOAPIC registers");
	la_boot_info_add(b, "lapic", LA_X86_APIC_BASE, false, "local APIC registers");
	la_boot_info_add(b, "identity_map", LA_X86_IDENTITY_MAP_ADDR, false,
			 "KVM identity map page");
	la_boot_info_add(b, "tss", LA_X86_TSS_ADDR, false, "KVM TSS (3 pages, to 0xff000000)");
	if (cfg->bios_path)
		la_boot_info_add(b, "reset_vector", LA_X86_RESET_VECTOR, false,
				 "BIOS entry (CS base 0xffff0000, IP 0xfff0)");
}

/* --- boot placement (§3.8) --- */

/* The DTB's address in setup_data: after the 256-byte RNG seed entry,
 * each entry a 16-byte header at an 8-byte boundary (derived: 0x20920). */
static uint64_t la_x86_fdt_address(void)
{
	uint64_t rng = la_align_down(LA_X86_SETUP_DATA_START + 7, 8);
	uint64_t dtb = la_align_down(rng + LA_X86_SETUP_DATA_HDR_SIZE +
					     LA_X86_SETUP_RNG_SEED_SIZE + 7, 8);

	return dtb + LA_X86_SETUP_DATA_HDR_SIZE;
}

static bool la_x86_in_memory(const struct la_mem_layout *mem, uint64_t start, uint64_t len)
{
	for (unsigned i = 0; i < mem->n; i++)
		if (start >= mem->r[i].start && len <= mem->r[i].size &&
		    start - mem->r[i].start <= mem->r[i].size - len)
			return true;
	return false;
}

/* The kernel region (§3.8: what the loader in x86_64_boot.c copies) and
 * the command line limit its header gives. */
static int la_x86_place_kernel(const struct la_kernel_info *k, const struct la_mem_layout *mem,
			       struct la_boot_plan *b)
{
	if (k->kind == LA_KERNEL_MULTIBOOT) {
		b->payload_start = k->mb_load;
		b->payload_size = (uint64_t)k->mb_end - k->mb_load;
	} else if (k->kind == LA_KERNEL_ELF) {
		if (k->elf_lo < LA_X86_KERNEL_START_OFFSET)
			return -LA_ERR_KERNELFIT;
		b->payload_start = k->elf_lo;
		b->payload_size = k->elf_hi - k->elf_lo;
	} else if (k->kind == LA_KERNEL_BZIMAGE) {
		b->payload_start = LA_X86_KERNEL_START_OFFSET - k->setup_size;
		b->payload_size = k->file_size;
	} else {
		return -LA_ERR_NOTKERNEL;
	}
	if (!la_x86_in_memory(mem, b->payload_start, b->payload_size))
		return -LA_ERR_KERNELFIT;
	/* /config holds u32s */
	if (b->payload_start > UINT32_MAX || b->payload_size > UINT32_MAX)
		return -LA_ERR_KERNELFIT;
	b->has_payload = true;
	b->payload_end = b->payload_start + b->payload_size - 1;
	b->cmdline_max = la_x86_kernel_cmdline_max(k);
	return 0;
}

static int la_x86_boot_place(const struct la_vm_config *cfg, const struct la_mem_layout *mem,
			     const struct la_kernel_info *k, bool has_initrd,
			     uint64_t initrd_size, struct la_boot_plan *b)
{
	uint64_t initrd_max = LA_X86_INITRD_ADDR_MAX_DEFAULT;
	int err;

	/* crosvm hands a device tree only to kernels (setup_data) */
	if (cfg->bios_path)
		return -LA_ERR_UNSUPPORTED;
	b->fdt_position = LA_FDT_POS_DEFAULT;
	b->fdt_address = la_x86_fdt_address();
	b->cmdline_max = LA_X86_CMDLINE_MAX_SIZE - 1;
	b->payload_end = LA_X86_KERNEL_START_OFFSET - 1;
	if (k) {
		err = la_x86_place_kernel(k, mem, b);
		if (err)
			return err;
		initrd_max = la_x86_kernel_initrd_max(k);
	}
	if (has_initrd) {
		err = la_load_image_high(mem, initrd_size, b->payload_end + 1, initrd_max,
					 LA_X86_PAGE_SIZE, &b->initrd_start);
		if (err)
			return err;
		b->has_initrd = true;
		b->initrd_size = initrd_size;
	}
	return 0;
}

/* --- device tree for setup_data (§3.8): config precedes chosen --- */

static int la_x86_fdt_build(const struct la_fdt_config *fc, void *buf, size_t size)
{
	struct la_fdt_w w;

	if (la_fdt_w_create(&w, buf, size))
		return w.err;
	la_fdt_w_u32(&w, "#address-cells", 2);
	la_fdt_w_u32(&w, "#size-cells", 2);
	if (fc->boot->has_payload) {
		la_fdt_w_begin_node(&w, "config");
		la_fdt_w_u32(&w, "kernel-address", (uint32_t)fc->boot->payload_start);
		la_fdt_w_u32(&w, "kernel-size", (uint32_t)fc->boot->payload_size);
		la_fdt_w_end_node(&w);
	}
	la_fdt_w_begin_node(&w, "chosen");
	la_fdt_w_initrd(&w, fc->boot);
	la_fdt_w_end_node(&w);
	la_fdt_w_memory(&w, fc->mem);
	if (la_fdt_reserved_count(fc->mem)) {
		la_fdt_w_reserved_begin(&w, fc->mem);
		la_fdt_w_end_node(&w);
	}
	return la_fdt_w_finish(&w);
}

/* The PCIe virtual config window: 2 x ECAM, 2 MiB aligned after the last
 * memory region, never below 4 GiB (get_pcie_vcfg_mmio_range). */
static struct la_range la_x86_vcfg(const struct la_arch_layout *layout,
				   const struct la_mem_layout *mem)
{
	uint64_t start = la_align_up(la_mem_layout_end(mem), LA_X86_VCFG_ALIGN, NULL);

	if (start < LA_X86_FIRST_ADDR_PAST_32BITS)
		start = LA_X86_FIRST_ADDR_PAST_32BITS;
	return (struct la_range){ start, start + 2 * la_range_len(layout->pci_ecam) - 1 };
}

static int la_x86_system_allocator_config(const struct la_vm_config *cfg,
					  const struct la_arch_layout *layout,
					  const struct la_mem_layout *mem, unsigned phys_bits,
					  struct la_sys_alloc_config *out)
{
	uint64_t top = phys_bits >= 64 ? UINT64_MAX : (1ULL << phys_bits) - 1;

	(void)cfg;
	memset(out, 0, sizeof(*out));
	if (top > LA_X86_HIGH_MMIO_MAX_END)
		top = LA_X86_HIGH_MMIO_MAX_END;
	out->has_io = true;
	out->io = (struct la_range){ LA_X86_IO_START, LA_X86_IO_END };
	out->low_mmio = layout->pci_mem;
	out->has_vcfg = true;
	out->vcfg = la_x86_vcfg(layout, mem);
	/* crosvm takes whatever is left; above 2^phys_bits that is nothing */
	out->high_mmio = (struct la_range){ out->vcfg.end + 1, top };
	out->first_irq = LA_X86_IRQ_BASE;
	out->phys_bits = phys_bits;
	out->nreserve = 1;
	out->reserve[0] = layout->pci_ecam;
	out->reserve_name[0] = "pci-ecam";
	return 0;
}

const struct la_arch_ops la_arch_x86_64 = {
	.name = "x86_64",
	.id = LA_ARCH_X86_64,
	.opts = LA_OPT_PCI_ECAM | LA_OPT_PCI_MEM | LA_OPT_BIOS | LA_OPT_PROTECTION,
	.max_cpus = 254,
	.max_phys_addr = LA_X86_HIGH_MMIO_MAX_END + 1,
	.arch_memory_layout = la_x86_arch_memory_layout,
	.guest_memory_layout = la_x86_guest_memory_layout,
	.boot_info = la_x86_boot_info,
	.fdt_max_size = LA_X86_FDT_MAX_SIZE,
	.boot_place = la_x86_boot_place,
	.fdt_build = la_x86_fdt_build,
	.default_phys_bits = LA_X86_DEFAULT_PHYS_BITS,
	.pci_max_irqs = LA_X86_PCI_MAX_IRQS,
	.system_allocator_config = la_x86_system_allocator_config,
	.host_cpu_read = la_arch_host_cpu_none,
	.devices = la_x86_64_devices,
	/* la-vmrun (lib/arch/x86_64/vm.c) */
	.build_vm = la_x86_build_vm,
	.vm_boot_size = sizeof(struct la_vm_boot),
	.boot_kernel = la_x86_boot_kernel,
	.boot_cmdline = la_x86_boot_cmdline,
	.explain_rows = la_x86_explain_rows,
	.explain_boot = la_x86_explain_boot,
	.fdt_where = "in setup_data padded to 16 KiB",
	.vm = &la_x86_64_vm_ops,
};
