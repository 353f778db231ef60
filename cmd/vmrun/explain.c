/* SPDX-License-Identifier: MIT */
/*
 * la-vmrun --explain: what build_vm put where, from the same structures the
 * run uses. The memory regions print with la-layout's printer (lib/cli.c).
 */
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "jsonw.h"
#include "vmrun.h"

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

static void la_explain_row(const char *name, const char *kind, uint64_t start, uint64_t end,
			   const char *what)
{
	char range[48];

	if (!strcmp(kind, "irq"))
		snprintf(range, sizeof(range), "%llu", (unsigned long long)start);
	else
		snprintf(range, sizeof(range), "0x%016llx-0x%016llx", (unsigned long long)start,
			 (unsigned long long)end);
	printf("  %-20s %-8s %-37s %s\n", name, kind, range, what);
}

static void la_explain_grants(const struct la_vmrun *a)
{
	const struct la_vm_res *r = &a->res;
	const struct la_vm_boot *b = &a->boot;

	printf("\ngrants (system allocator, %u physical address bits from %s):\n",
	       r->phys_bits, r->phys_bits_source);
	la_explain_row("pci-ecam", "reserve", b->ecam.start, b->ecam.end,
		       "PCIe config space (ECAM, in MCFG)");
	for (unsigned i = 0; i < r->n; i++) {
		const struct la_grant *g = &r->g[i];

		if (g->kind == LA_RES_IRQ)
			la_explain_row(g->name, "irq", g->value, g->value, g->tag);
		else
			la_explain_row(g->name, la_res_kind_name(g->kind), g->range.start,
				       g->range.end, g->tag);
	}
	printf("\nother devices:\n");
	la_explain_row("pci-config", "io", 0xcf8, 0xcff, "PCI host bridge 00:00.0; 0xcf9 resets");
	la_explain_row("pcie-vcfg", "mmio", b->vcfg.start, b->vcfg.end, "PCIe virtual config window");
	la_explain_row("high-mmio", "mmio", b->high_mmio.start, b->high_mmio.end,
		       "PCI MMIO above 4 GiB (in PC00._CRS)");
}

static void la_explain_image(const struct la_vmrun *a)
{
	const struct la_vm_boot *b = &a->boot;
	const struct la_x86_kernel *k = &b->kernel;

	printf("\nimage: %s '%s', loaded at 0x%llx-0x%llx, entry 0x%llx in %s\n",
	       la_kind_names[k->kind], a->kernel_path ? a->kernel_path : a->vm.cfg.bios_path,
	       (unsigned long long)k->start, (unsigned long long)k->end - 1,
	       (unsigned long long)k->entry, la_mode_names[k->mode]);
	if (b->initrd_size)
		printf("initrd: '%s' at 0x%llx-0x%llx (%llu bytes)\n", a->initrd_path,
		       (unsigned long long)b->initrd_addr,
		       (unsigned long long)(b->initrd_addr + b->initrd_size - 1),
		       (unsigned long long)b->initrd_size);
	printf("cmdline (at 0x20000, %zu characters): %s\n", b->cmdline.len, b->cmdline.s);
}

static void la_explain_tables(const struct la_vmrun *a)
{
	const struct la_vm_boot *b = &a->boot;

	if (b->kernel.kind == LA_X86_IMG_BIOS)
		return;
	printf("\ne820 (%u entries):\n", b->e820.n);
	for (unsigned i = 0; i < b->e820.n; i++)
		printf("  0x%016llx-0x%016llx %s\n", (unsigned long long)b->e820.e[i].addr,
		       (unsigned long long)(b->e820.e[i].addr + b->e820.e[i].size - 1),
		       b->e820.e[i].type == 1 ? "RAM" : "reserved");
	printf("\nsetup_data:\n");
	for (unsigned i = 0; i < b->setup.n; i++)
		printf("  0x%llx type %u (%s) %u bytes\n", (unsigned long long)b->setup.e[i].addr,
		       b->setup.e[i].type, b->setup.e[i].type == 9 ? "RNG seed" : "DTB",
		       b->setup.e[i].len);
}

static void la_explain_firmware(const struct la_vmrun *a)
{
	const struct la_vm_boot *b = &a->boot;

	printf("\nfirmware tables:\n");
	printf("  MP floating pointer 0x9fff0, MP table 0x9e800 (%u CPUs)\n", b->ncpus);
	printf("  SMBIOS 3.0 entry point 0xf0000\n");
	if (!b->has_acpi)
		printf("  no ACPI (--no-acpi)\n");
	for (unsigned i = 0; i < b->acpi.n; i++)
		printf("  ACPI %-4s 0x%llx %u bytes\n", b->acpi.t[i].sig,
		       (unsigned long long)b->acpi.t[i].addr, b->acpi.t[i].len);
}

static void la_explain_node(const void *fdt, int node, int depth)
{
	const char *name = fdt_get_name(fdt, node, NULL);
	int prop, child;

	printf("  %*s%s\n", 2 * depth, "", depth ? name : "/");
	fdt_for_each_property_offset(prop, fdt, node) {
		const char *pname;
		int len;

		fdt_getprop_by_offset(fdt, prop, &pname, &len);
		printf("  %*s  %s (%d bytes)\n", 2 * depth, "", pname, len);
	}
	fdt_for_each_subnode(child, fdt, node)
		la_explain_node(fdt, child, depth + 1);
}

void la_vmrun_explain(const struct la_vmrun *a)
{
	la_regions_print(stdout, &a->vm.mem);
	la_explain_grants(a);
	la_explain_image(a);
	la_explain_tables(a);
	la_explain_firmware(a);
	if (a->dtb && a->fdt_path)
		printf("\ndevice tree ('%s', %zu bytes, in setup_data padded to 16 KiB):\n",
		       a->fdt_path, a->dtb_len);
	else if (a->dtb)
		printf("\ndevice tree (la-mkfdt's x86_64 tree with %u overlay%s, %zu bytes, in "
		       "setup_data padded to 16 KiB):\n", a->overlays.n,
		       a->overlays.n == 1 ? "" : "s", a->dtb_len);
	if (a->dtb)
		la_explain_node(a->dtb, 0, 0);
}

/* ---- --explain --json: the same dry run as one document ---- */

/* a row that is not an allocator grant, in a grant's shape */
static void la_explain_json_fixed(struct la_json *j, const char *name, enum la_res_kind kind,
				  uint64_t start, uint64_t end, const char *tag)
{
	struct la_grant g = { .kind = kind, .range = { start, end } };

	snprintf(g.name, sizeof(g.name), "%s", name);
	la_json_grant(j, &g, tag);
}

static void la_explain_json_layout(struct la_json *j, const struct la_vmrun *a)
{
	const struct la_vm_res *r = &a->res;
	const struct la_vm_boot *b = &a->boot;

	la_json_str(j, "arch", a->vm.cfg.arch->name);
	la_json_u64(j, "memory_size", a->vm.cfg.mem_size);
	la_json_u64(j, "cpus", a->vm.cfg.cpus);
	la_regions_json(j, &a->vm.mem);
	la_json_u64(j, "phys_bits", r->phys_bits);
	la_json_str(j, "phys_bits_source", r->phys_bits_source);
	la_json_arr_begin(j, "grants");
	la_explain_json_fixed(j, "pci-ecam", LA_RES_RESERVE, b->ecam.start, b->ecam.end,
			      "PCIe config space (ECAM, in MCFG)");
	for (unsigned i = 0; i < r->n; i++)
		la_json_grant(j, &r->g[i], r->g[i].tag);
	la_json_arr_end(j);
	la_json_arr_begin(j, "other_devices");
	la_explain_json_fixed(j, "pci-config", LA_RES_IO, 0xcf8, 0xcff,
			      "PCI host bridge 00:00.0; 0xcf9 resets");
	la_explain_json_fixed(j, "pcie-vcfg", LA_RES_MMIO, b->vcfg.start, b->vcfg.end,
			      "PCIe virtual config window");
	la_explain_json_fixed(j, "high-mmio", LA_RES_MMIO, b->high_mmio.start, b->high_mmio.end,
			      "PCI MMIO above 4 GiB (in PC00._CRS)");
	la_json_arr_end(j);
}

static void la_explain_json_boot(struct la_json *j, const struct la_vmrun *a)
{
	const struct la_vm_boot *b = &a->boot;
	const struct la_x86_kernel *k = &b->kernel;

	la_json_obj_begin(j, "image");
	la_json_str(j, "kind", la_kind_names[k->kind]);
	la_json_str(j, "path", a->kernel_path ? a->kernel_path : a->vm.cfg.bios_path);
	la_json_range_fields(j, k->start, k->end - 1);
	la_json_u64(j, "entry", k->entry);
	la_json_str(j, "mode", la_mode_names[k->mode]);
	if (k->info.version[0])
		la_json_str(j, "linux_release", k->info.version);
	la_json_obj_end(j);
	if (b->initrd_size) {
		la_json_obj_begin(j, "initrd");
		la_json_str(j, "path", a->initrd_path);
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

static void la_explain_json_tables(struct la_json *j, const struct la_vmrun *a)
{
	const struct la_vm_boot *b = &a->boot;

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

static void la_explain_json_node(struct la_json *j, const void *fdt, int node, const char *path)
{
	char sub[512];
	int prop, child;

	la_json_obj_begin(j, NULL);
	la_json_str(j, "path", path);
	la_json_arr_begin(j, "properties");
	fdt_for_each_property_offset(prop, fdt, node) {
		const char *pname = NULL;
		int len = 0;

		if (!fdt_getprop_by_offset(fdt, prop, &pname, &len) || !pname)
			continue;
		la_json_obj_begin(j, NULL);
		la_json_str(j, "name", pname);
		la_json_u64(j, "length", (uint64_t)len);
		la_json_obj_end(j);
	}
	la_json_arr_end(j);
	la_json_obj_end(j);
	fdt_for_each_subnode(child, fdt, node) {
		const char *name = fdt_get_name(fdt, child, NULL);

		snprintf(sub, sizeof(sub), "%s/%s", node ? path : "", name ? name : "?");
		la_explain_json_node(j, fdt, child, sub);
	}
}

void la_vmrun_explain_json(const struct la_vmrun *a)
{
	struct la_json j;

	la_json_init(&j, stdout);
	la_json_obj_begin(&j, NULL);
	la_json_str(&j, "schema", "la-vmrun-explain/" LA_JSON_SCHEMA_VERSION);
	la_explain_json_layout(&j, a);
	la_explain_json_boot(&j, a);
	la_explain_json_tables(&j, a);
	if (a->dtb) {
		la_json_obj_begin(&j, "device_tree");
		la_json_str(&j, "source", a->fdt_path ? "--fdt" : "--overlay");
		la_json_u64(&j, "size", a->dtb_len);
		la_json_arr_begin(&j, "nodes");
		la_explain_json_node(&j, a->dtb, 0, "/");
		la_json_arr_end(&j);
		la_json_obj_end(&j);
	} else {
		la_json_null(&j, "device_tree");
	}
	la_json_obj_end(&j);
	fputc('\n', stdout);
}
