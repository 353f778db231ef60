/* SPDX-License-Identifier: MIT */
/*
 * x86_64 build_vm (§3.6 steps 17-20, §3.8): what guest memory holds at
 * reset and what the vCPUs start with. Pure: the hypervisor half
 * (lib/arch/x86_64/kvm.c, vcpu_init) hands the result to KVM.
 */
#include <stdio.h>
#include <string.h>

#include "cmdline.h"
#include "dev/platform.h"
#include "err.h"
#include "vm/vm.h"
#include "arch/x86_64/x86boot.h"
#include "arch/x86_64/x86_64.h"

static int la_x86_tables(const struct la_vm_config *cfg, const struct la_arch_layout *l,
			 const struct la_vm_image *img, const struct la_gmem *g,
			 struct la_vm_boot *b)
{
	uint8_t *mp = la_gmem_ptr(g, LA_X86_MPTABLE_START, LA_X86_MP_FLOATING_POINTER + 16 -
				  LA_X86_MPTABLE_START);
	uint8_t *smb = la_gmem_ptr(g, LA_X86_SMBIOS_START, LA_X86_SMBIOS_WINDOW_SIZE);
	uint8_t *acpi = la_gmem_ptr(g, LA_X86_ACPI_HI_RSDP_WINDOW_BASE, LA_X86_ACPI_WINDOW_SIZE);
	int err;

	if (!mp || !smb || !acpi)
		return -LA_ERR_GPA;
	struct la_pci_intx x[LA_X86_MAX_PRT];
	unsigned nx = img->plat ? la_platform_pci_intx(img->plat, x, LA_X86_MAX_PRT) : 0;

	if (nx > LA_X86_MAX_PRT)
		return -LA_ERR_TOOMANY;
	err = la_x86_mptable_write(mp, LA_X86_MP_FLOATING_POINTER + 16 - LA_X86_MPTABLE_START,
				   cfg->cpus, x, nx);
	if (err)
		return err;
	err = la_x86_smbios_write(smb, LA_X86_SMBIOS_WINDOW_SIZE, LA_X86_SMBIOS_START,
				  img->is_bios ? img->image_len : 0);
	if (err < 0)
		return err;
	if (img->no_acpi)
		return 0;
	struct la_x86_acpi_cfg c = {
		.ncpus = cfg->cpus, .pm_iobase = b->pm_iobase, .sci_irq = LA_X86_SCI_IRQ,
		.ecam = l->pci_ecam, .low_mmio = l->pci_mem, .high_mmio = b->high_mmio,
		.vcfg = b->vcfg, .plat = img->plat,
	};
	b->has_acpi = true;
	return la_x86_acpi_write(acpi, LA_X86_ACPI_WINDOW_SIZE, LA_X86_ACPI_HI_RSDP_WINDOW_BASE,
				 &c, &b->acpi);
}

static int la_x86_cmdline(const struct la_vm_image *img, struct la_cmdline *c)
{
	char tok[96];
	int err = la_cmdline_add(c, "panic=-1");

	if (!err && img->hvc0) {
		err = la_cmdline_add(c, "console=hvc0");
	} else if (!err && img->console >= 0) {
		snprintf(tok, sizeof(tok), "console=ttyS%d", img->console);
		err = la_cmdline_add(c, tok);
	}
	if (!err && img->earlycon) {
		snprintf(tok, sizeof(tok), "earlycon=uart8250,io,0x%x", img->console_port);
		err = la_cmdline_add(c, tok);
	}
	/* no PCI bus but bus 0 (la has no bridges): without this Linux reads
	 * the vendor ID of every slot of every bus the MCFG spans (its "peer
	 * bridge" fixup: 63 buses x 32 slots, 2016 exits), a quarter of a
	 * second of boot in the emulated host; before --cmdline, so a user's
	 * pci=lastbus= wins */
	if (!err)
		err = la_cmdline_add(c, "pci=lastbus=0");
	if (!err && img->cmdline)
		err = la_cmdline_add(c, img->cmdline);
	if (!err && img->ramoops) {
		err = la_cmdline_ramoops(img->ramoops, tok, sizeof(tok));
		if (!err)
			err = la_cmdline_add(c, tok);
	}
	return err;
}

static int la_x86_write_cmdline(const struct la_gmem *g, const struct la_cmdline *c,
				size_t max)
{
	if (c->len > max)
		return -LA_ERR_CMDLINE;
	return la_gmem_write(g, LA_X86_CMDLINE_OFFSET, c->s, c->len + 1);
}

/* The initrd as high as the kernel allows after the kernel (§3.8 step 3),
 * placed by the same la_load_image_high la-mkfdt's plan uses. */
static int la_x86_initrd(const struct la_mem_layout *m, const struct la_gmem *g,
			 const struct la_vm_image *img, struct la_vm_boot *b)
{
	int err = la_load_image_high(m, img->initrd_size, b->kernel.end,
				     la_x86_kernel_initrd_max(&b->kernel.info), LA_X86_PAGE_SIZE,
				     &b->initrd_addr);

	if (err)
		return err;
	b->initrd_size = img->initrd_size;
	return la_gmem_read_fd(g, img->initrd_fd, b->initrd_addr, b->initrd_size);
}

/* setup_system_memory (§3.8): e820, cmdline, initrd, setup_data,
 * boot_params, Multiboot info. */
static int la_x86_system_memory(const struct la_arch_layout *l, const struct la_mem_layout *m,
				const struct la_vm_image *img, const struct la_gmem *g,
				struct la_vm_boot *b)
{
	uint8_t *mbi = la_gmem_ptr(g, LA_X86_MULTIBOOT_INFO_OFFSET, LA_X86_MULTIBOOT_INFO_SIZE);
	int err;

	err = la_x86_e820_build(l, m, &b->e820);
	if (!err)
		err = la_x86_write_cmdline(g, &b->cmdline,
					   la_x86_kernel_cmdline_max(&b->kernel.info));
	if (!err && img->initrd_fd >= 0)
		err = la_x86_initrd(m, g, img, b);
	if (!err)
		err = la_x86_setup_data_write(g, img->rng_seed, img->dtb, img->dtb_len, &b->setup);
	if (!err)
		err = la_x86_boot_params_fill(b->kernel.params, &b->e820, b->setup.e[0].addr,
					      b->initrd_addr, b->initrd_size);
	if (!err)
		err = la_gmem_write(g, LA_X86_ZERO_PAGE_OFFSET, b->kernel.params,
				    LA_X86_BOOT_PARAMS_SIZE);
	if (!err && !mbi)
		err = -LA_ERR_GPA;
	if (!err)
		err = la_x86_multiboot_info_write(mbi, LA_X86_MULTIBOOT_INFO_SIZE, m, &b->e820);
	return err;
}

int la_x86_build_vm(const struct la_vm_config *cfg, const struct la_arch_layout *l,
			   const struct la_mem_layout *m, const struct la_vm_image *img,
			   const struct la_gmem *g, struct la_vm_boot *b)
{
	int err;

	memset(b, 0, sizeof(*b));
	b->ncpus = cfg->cpus;
	b->split_irqchip = img->split_irqchip;
	b->phys_bits = img->phys_bits;
	b->pm_iobase = img->pm_iobase;
	b->ecam = l->pci_ecam;
	b->vcfg = la_x86_vcfg_range(l, m);
	b->high_mmio = la_x86_high_mmio(l, m, img->phys_bits);
	/* the pstore region is carved from high MMIO before its pool is made
	 * (crosvm's mmio_pools(), PC00._CRS): the window starts after it */
	if (img->ramoops && img->ramoops->start == b->high_mmio.start &&
	    img->ramoops->end < b->high_mmio.end)
		b->high_mmio.start = img->ramoops->end + 1;
	la_x86_cmos_mem(l, cfg->mem_size, &b->cmos_below, &b->cmos_above);
	if (cfg->cpus > LA_X86_MPTABLE_MAX_CPUS)
		return -LA_ERR_CPUS;
	err = la_x86_tables(cfg, l, img, g, b);
	if (!err)
		err = la_x86_cmdline(img, &b->cmdline);
	if (err)
		return err;
	if (img->is_bios) {
		if (la_protection_runs_firmware(cfg->protection))
			return -LA_ERR_BIOSPROT;
		err = la_x86_write_cmdline(g, &b->cmdline, LA_X86_CMDLINE_MAX_SIZE - 1);
		if (!err)
			err = la_x86_bios_load(g, img->image, img->image_len, &b->kernel);
	} else {
		err = la_x86_kernel_load(g, img->image, img->image_len, &b->kernel);
		if (!err)
			err = la_x86_system_memory(l, m, img, g, b);
	}
	if (!err)
		err = la_x86_boot_cpu_setup(g, &b->kernel, l->pci_mem.start, img->phys_bits,
					    &b->cpu);
	return err;
}

