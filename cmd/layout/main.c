/* SPDX-License-Identifier: MIT */
/* la-layout: print a VM's architecture and guest memory layout. */
#include <argp.h>
#include <stdio.h>

#include "arch.h"
#include "cli.h"
#include "jsonw.h"
#include "size.h"
#include "vmopts.h"

struct la_layout_args {
	struct la_vmopts vm;
	int json;
};

enum { LA_LAYOUT_KEY_JSON = 'j' };

static const struct argp_option la_layout_options[] = {
	{ "json", LA_LAYOUT_KEY_JSON, NULL, 0, "Print one JSON object instead of tables", 0 },
	{ 0 }
};

static error_t la_layout_parse(int key, char *arg, struct argp_state *state)
{
	struct la_layout_args *a = state->input;

	switch (key) {
	case LA_LAYOUT_KEY_JSON:
		a->json = 1;
		return 0;
	default:
		return la_cli_key(key, arg, state, &a->vm);
	}
}

LA_CLI_PROGRAM("la-layout");

static const struct argp la_layout_argp = {
	.options = la_layout_options,
	.parser = la_layout_parse,
	.doc = "Print the guest memory layout crosvm's LinuxArch computes for a VM: "
	       "the memory regions, the arch layout (PCI windows, pVM firmware) and the "
	       "fixed boot addresses.\v"
	       "Examples:\n"
	       "  la-layout --arch aarch64 --mem 4G\n"
	       "  la-layout --arch x86_64 --mem 8G --json | jq .\n\n"
	       "Exit status: 0 ok, 1 a file could not be read, 2 bad options.",
	.children = la_cli_vm_children,
};

static void la_print_range(const char *label, struct la_range r, const char *note)
{
	char sz[32];

	printf("  %-22s 0x%016llx-0x%016llx %10s  %s\n", label, (unsigned long long)r.start,
	       (unsigned long long)r.end, la_format_size(la_range_len(r), sz, sizeof(sz)),
	       note);
}

static void la_print_text(const struct la_layout_args *a)
{
	const struct la_vm_config *c = &a->vm.cfg;
	const struct la_arch_layout *l = &a->vm.layout;
	const struct la_mem_layout *m = &a->vm.mem;
	struct la_boot_info b = { 0 };
	char sz[32];

	printf("arch %s, memory %s, %u vCPU%s, %s\n", c->arch->name,
	       la_format_size(c->mem_size, sz, sizeof(sz)), c->cpus, c->cpus == 1 ? "" : "s",
	       la_protection_name(c->protection));

	printf("\n");
	la_regions_print(stdout, m);

	printf("\narch layout:\n");
	if (l->has_ecam)
		la_print_range("pci ecam", l->pci_ecam, "PCIe config space (ECAM)");
	if (l->has_cam)
		la_print_range("pci cam", l->pci_cam, "PCI config space (CAM)");
	if (l->has_pci_mem)
		la_print_range(c->arch->id == LA_ARCH_X86_64 ? "pci mmio below 4G" : "pci mem",
			       l->pci_mem, "low PCI MMIO window");
	if (l->has_pvmfw)
		la_print_range("pvm firmware", l->pvmfw, "protected VM firmware");

	c->arch->boot_info(c, l, m, &b);
	printf("\nboot:\n");
	for (unsigned i = 0; i < b.n; i++) {
		const struct la_boot_item *it = &b.item[i];

		if (it->text)
			printf("  %-28s %-18s %s\n", it->name, it->text, it->what);
		else if (it->is_size)
			printf("  %-28s %-18s %s\n", it->name,
			       la_format_size(it->value, sz, sizeof(sz)), it->what);
		else
			printf("  %-28s 0x%-16llx %s\n", it->name,
			       (unsigned long long)it->value, it->what);
	}
}

static void la_print_json(const struct la_layout_args *a)
{
	const struct la_vm_config *c = &a->vm.cfg;
	const struct la_arch_layout *l = &a->vm.layout;
	const struct la_mem_layout *m = &a->vm.mem;
	struct la_boot_info b = { 0 };
	struct la_json j;

	la_json_init(&j, stdout);
	la_json_obj_begin(&j, NULL);
	la_json_str(&j, "schema", "la-layout/" LA_JSON_SCHEMA_VERSION);
	la_json_str(&j, "arch", c->arch->name);
	la_json_u64(&j, "memory_size", c->mem_size);
	la_json_u64(&j, "cpus", c->cpus);
	la_json_str(&j, "protection", la_protection_name(c->protection));
	la_regions_json(&j, m);

	/* the same keys on every arch: "config" is the configuration-space
	 * window (x86_64's ECAM, aarch64's CAM), "low_mmio" the PCI MMIO
	 * window below 4 GiB (la-alloc's config.low_mmio) */
	la_json_obj_begin(&j, "pci");
	if (l->has_ecam || l->has_cam) {
		struct la_range r = l->has_ecam ? l->pci_ecam : l->pci_cam;

		la_json_obj_begin(&j, "config");
		la_json_str(&j, "kind", l->has_ecam ? "ecam" : "cam");
		la_json_range_fields(&j, r.start, r.end);
		la_json_obj_end(&j);
	}
	if (l->has_pci_mem)
		la_json_range(&j, "low_mmio", l->pci_mem.start, l->pci_mem.end);
	la_json_obj_end(&j);
	if (l->has_pvmfw)
		la_json_range(&j, "pvm_firmware", l->pvmfw.start, l->pvmfw.end);
	else
		la_json_null(&j, "pvm_firmware");

	c->arch->boot_info(c, l, m, &b);
	la_json_obj_begin(&j, "boot");
	for (unsigned i = 0; i < b.n; i++) {
		if (b.item[i].text)
			la_json_str(&j, b.item[i].name, b.item[i].text);
		else
			la_json_u64(&j, b.item[i].name, b.item[i].value);
	}
	la_json_obj_end(&j);
	la_json_obj_end(&j);
}

int main(int argc, char **argv)
{
	struct la_layout_args a = { 0 };

	la_cli_parse(&la_layout_argp, argc, argv, &a);
	if (a.json)
		la_print_json(&a);
	else
		la_print_text(&a);
	return la_cli_flush();
}
