/* SPDX-License-Identifier: MIT */
/*
 * la-vmrun --explain's account of x86_64's build_vm result (struct
 * la_vm_boot, opaque to cmd/vmrun): the windows listed besides the grants,
 * the image, initrd, command line, e820 map, setup_data and firmware
 * tables, as text or JSON.
 */
#include <stdio.h>

#include "arch.h"
#include "arch/x86_64/x86_64.h"
#include "arch/x86_64/x86boot.h"
#include "dev/dev.h"
#include "jsonw.h"

static const char *const la_kind_names[] = {
	[LA_X86_IMG_BZIMAGE] = "bzImage", [LA_X86_IMG_ELF64] = "ELF64 vmlinux",
	[LA_X86_IMG_ELF32] = "ELF32 vmlinux", [LA_X86_IMG_MULTIBOOT] = "Multiboot",
	[LA_X86_IMG_BIOS] = "BIOS",
};
static const char *const la_mode_names[] = {
	[LA_X86_MODE_RESET] = "real mode at the reset vector",
	[LA_X86_MODE_FLAT32] = "flat 32-bit protected mode",
	[LA_X86_MODE_LONG] = "64-bit long mode",
};

static void la_x86_explain_image(const struct la_vm_boot *b, const char *image_path,
				 const char *initrd_path, FILE *f)
{
	const struct la_x86_kernel *k = &b->kernel;

	fprintf(f, "\nimage: %s '%s', loaded at 0x%llx-0x%llx, entry 0x%llx in %s\n",
	       la_kind_names[k->kind], image_path,
	       (unsigned long long)k->start, (unsigned long long)k->end - 1,
	       (unsigned long long)k->entry, la_mode_names[k->mode]);
	if (b->initrd_size)
		fprintf(f, "initrd: '%s' at 0x%llx-0x%llx (%llu bytes)\n", initrd_path,
		       (unsigned long long)b->initrd_addr,
		       (unsigned long long)(b->initrd_addr + b->initrd_size - 1),
		       (unsigned long long)b->initrd_size);
	fprintf(f, "cmdline (at 0x20000, %zu characters): %s\n", b->cmdline.len, b->cmdline.s);
}

static void la_x86_explain_tables(const struct la_vm_boot *b, FILE *f)
{

	if (b->kernel.kind == LA_X86_IMG_BIOS)
		return;
	fprintf(f, "\ne820 (%u entries):\n", b->e820.n);
	for (unsigned i = 0; i < b->e820.n; i++)
		fprintf(f, "  0x%016llx-0x%016llx %s\n", (unsigned long long)b->e820.e[i].addr,
		       (unsigned long long)(b->e820.e[i].addr + b->e820.e[i].size - 1),
		       b->e820.e[i].type == 1 ? "RAM" : "reserved");
	fprintf(f, "\nsetup_data:\n");
	for (unsigned i = 0; i < b->setup.n; i++)
		fprintf(f, "  0x%llx type %u (%s) %u bytes\n", (unsigned long long)b->setup.e[i].addr,
		       b->setup.e[i].type, b->setup.e[i].type == 9 ? "RNG seed" : "DTB",
		       b->setup.e[i].len);
}

static void la_x86_explain_firmware(const struct la_vm_boot *b, FILE *f)
{

	fprintf(f, "\nirqchip: %s\n", b->split_irqchip ?
		"split (LAPICs in KVM; la's IOAPIC at 0xfec00000, 24 pins, as MSIs; no PIC, "
		"no PIT)" : "kernel (KVM's PIC, IOAPIC and LAPICs, and its PIT)");
	fprintf(f, "\nfirmware tables:\n");
	fprintf(f, "  MP floating pointer 0x9fff0, MP table 0x9e800 (%u CPUs)\n", b->ncpus);
	fprintf(f, "  SMBIOS 3.0 entry point 0xf0000\n");
	if (!b->has_acpi)
		fprintf(f, "  no ACPI (--no-acpi)\n");
	for (unsigned i = 0; i < b->acpi.n; i++)
		fprintf(f, "  ACPI %-4s 0x%llx %u bytes\n", b->acpi.t[i].sig,
		       (unsigned long long)b->acpi.t[i].addr, b->acpi.t[i].len);
}

static void la_x86_explain_json_boot(const struct la_vm_boot *b, const char *image_path,
				    const char *initrd_path, struct la_json *j)
{
	const struct la_x86_kernel *k = &b->kernel;

	la_json_obj_begin(j, "image");
	la_json_str(j, "kind", la_kind_names[k->kind]);
	la_json_str(j, "path", image_path);
	la_json_range_fields(j, k->start, k->end - 1);
	la_json_u64(j, "entry", k->entry);
	la_json_str(j, "mode", la_mode_names[k->mode]);
	if (k->info.version[0])
		la_json_str(j, "linux_release", k->info.version);
	la_json_obj_end(j);
	if (b->initrd_size) {
		la_json_obj_begin(j, "initrd");
		la_json_str(j, "path", initrd_path);
		la_json_range_fields(j, b->initrd_addr, b->initrd_addr + b->initrd_size - 1);
		la_json_obj_end(j);
	} else {
		la_json_null(j, "initrd");
	}
	la_json_obj_begin(j, "cmdline");
	la_json_u64(j, "address", 0x20000);
	la_json_u64(j, "length", b->cmdline.len);
	la_json_str(j, "text", b->cmdline.s);
	la_json_obj_end(j);
	la_json_arr_begin(j, "e820");
	for (unsigned i = 0; k->kind != LA_X86_IMG_BIOS && i < b->e820.n; i++) {
		la_json_obj_begin(j, NULL);
		la_json_range_fields(j, b->e820.e[i].addr, b->e820.e[i].addr + b->e820.e[i].size - 1);
		la_json_str(j, "type", b->e820.e[i].type == 1 ? "ram" : "reserved");
		la_json_obj_end(j);
	}
	la_json_arr_end(j);
	la_json_arr_begin(j, "setup_data");
	for (unsigned i = 0; k->kind != LA_X86_IMG_BIOS && i < b->setup.n; i++) {
		la_json_obj_begin(j, NULL);
		la_json_u64(j, "address", b->setup.e[i].addr);
		la_json_u64(j, "type", b->setup.e[i].type);
		la_json_str(j, "what", b->setup.e[i].type == 9 ? "rng-seed" : "dtb");
		la_json_u64(j, "length", b->setup.e[i].len);
		la_json_obj_end(j);
	}
	la_json_arr_end(j);
}

static void la_x86_explain_json_tables(const struct la_vm_boot *b, struct la_json *j)
{

	la_json_str(j, "irqchip", b->split_irqchip ? "split" : "kernel");
	la_json_obj_begin(j, "firmware_tables");
	la_json_u64(j, "mp_floating_pointer", 0x9fff0);
	la_json_u64(j, "mp_table", 0x9e800);
	la_json_u64(j, "mp_cpus", b->ncpus);
	la_json_u64(j, "smbios", 0xf0000);
	if (b->has_acpi) {
		la_json_arr_begin(j, "acpi");
		for (unsigned i = 0; i < b->acpi.n; i++) {
			la_json_obj_begin(j, NULL);
			la_json_str(j, "signature", b->acpi.t[i].sig);
			la_json_u64(j, "address", b->acpi.t[i].addr);
			la_json_u64(j, "length", b->acpi.t[i].len);
			la_json_obj_end(j);
		}
		la_json_arr_end(j);
	} else {
		la_json_null(j, "acpi");
	}
	la_json_obj_end(j);
}

unsigned la_x86_explain_rows(const struct la_vm_boot *b, bool other, struct la_explain_row *out,
			     unsigned max)
{
	const struct la_explain_row before[] = {
		{ "pci-ecam", LA_RES_RESERVE, b->ecam, "PCIe config space (ECAM, in MCFG)" },
	};
	const struct la_explain_row after[] = {
		{ "pci-config", LA_RES_IO,
		  { LA_X86_PCI_CONFIG_IO, LA_X86_PCI_CONFIG_IO + 7 },
		  "PCI host bridge 00:00.0; 0xcf9 resets" },
		{ "pcie-vcfg", LA_RES_MMIO, b->vcfg, "PCIe virtual config window" },
		{ "high-mmio", LA_RES_MMIO, b->high_mmio, "PCI MMIO above 4 GiB (in PC00._CRS)" },
		{ "ioapic", LA_RES_MMIO,
		  { LA_X86_IOAPIC_BASE, LA_X86_IOAPIC_BASE + LA_X86_IOAPIC_SIZE - 1 },
		  "IOAPIC, la's (--irqchip split)" },
	};
	const struct la_explain_row *rows = other ? after : before;
	unsigned n = other ? 3 + b->split_irqchip : 1;

	for (unsigned i = 0; i < n && i < max; i++)
		out[i] = rows[i];
	return n;
}

void la_x86_explain_boot(const struct la_vm_boot *b, const char *image_path,
			 const char *initrd_path, FILE *f, struct la_json *j)
{
	if (j) {
		la_x86_explain_json_boot(b, image_path, initrd_path, j);
		la_x86_explain_json_tables(b, j);
		return;
	}
	la_x86_explain_image(b, image_path, initrd_path, f);
	la_x86_explain_tables(b, f);
	la_x86_explain_firmware(b, f);
}

const struct la_kernel_info *la_x86_boot_kernel(const struct la_vm_boot *b)
{
	return &b->kernel.info;
}

void la_x86_boot_cmdline(const struct la_vm_boot *b, size_t *len, size_t *max)
{
	*len = b->cmdline.len;
	*max = (size_t)la_x86_kernel_cmdline_max(&b->kernel.info);
}
