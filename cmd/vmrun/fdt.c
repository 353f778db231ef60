/* SPDX-License-Identifier: MIT */
/*
 * la-vmrun --overlay: like crosvm, a kernel boot given overlays gets the
 * x86_64 device tree in setup_data (crosvm-arch.md §3.8): the tree
 * la-mkfdt --arch x86_64 builds for the same kernel, initrd and memory
 * (the same lib code places them and builds it), with the overlays
 * applied in order (lib/fdt/overlay_opt.c, as la-mkfdt applies them).
 */
#include <argp.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot.h"
#include "fdt/fdt.h"
#include "err.h"
#include "vmrun.h"

void la_vmrun_overlay_opt(struct argp_state *state, struct la_vmrun *a, const char *arg)
{
	char why[LA_OV_WHY_MAX];
	int err = la_overlay_list_add(&a->overlays, arg, why);

	if (err)
		argp_failure(state, err == -LA_ERR_NOMEM ? 1 : 2, 0, "--overlay: '%s': %s", arg,
			     why);
}

void la_vmrun_fdt_check(struct argp_state *state, const struct la_vmrun *a)
{
	const char *ov = a->overlays.n ? a->overlays.o[0].arg : NULL;

	if (ov && a->fdt_path)
		argp_failure(state, 2, 0, "--overlay: '%s': overlays apply to the tree la-vmrun "
			     "builds, not to a --fdt blob (give --fdt or --overlay)", ov);
	if (ov && a->vm.cfg.bios_path)
		argp_failure(state, 2, 0, "--overlay: '%s': a BIOS boot takes no device tree", ov);
	if (a->dump_fdt_path && !a->fdt_path && !ov)
		argp_failure(state, 2, 0, "--dump-fdt: '%s': x86_64 guests get a device tree only "
			     "from --fdt or --overlay", a->dump_fdt_path);
}

/* A --fdt tree made for another arch is refused; one whose /memory is not
 * this VM's RAM gets a note (la-mkfdt with the same --mem makes one that
 * is). */
void la_vmrun_fdt_agree(const struct la_vmrun *a)
{
	const char *why, *arch = la_fdt_arch_of(a->dtb, &why);
	char reason[160];

	if (arch && strcmp(arch, a->vm.cfg.arch->name)) {
		snprintf(reason, sizeof(reason), "a device tree for %s (/cpus/cpu@0 is %s), not "
			 "for this %s guest", arch, why, a->vm.cfg.arch->name);
		la_vmrun_die("--fdt", a->fdt_path, reason);
	}
	/* (a blob over the arch's limit fails later, with that reason) */
	if (a->dtb_len <= a->vm.cfg.arch->fdt_max_size &&
	    !la_fdt_memory_matches(a->dtb, &a->vm.mem))
		fprintf(stderr, "la-vmrun: note: --fdt: '%s': its /memory is not this VM's RAM "
			"(--mem %s; la-mkfdt --arch %s with the same --mem makes one that is)\n",
			a->fdt_path, a->vm.arg[LA_VMOPT_MEM] ? a->vm.arg[LA_VMOPT_MEM] : "256M",
			a->vm.cfg.arch->name);
}

/* Kernel and initrd placed as la-mkfdt places them; build_vm loads them
 * there through the same la_kernel_probe and la_load_image_high. */
static void la_vmrun_fdt_plan(struct la_vmrun *a, struct la_boot_plan *plan)
{
	const struct la_vm_config *c = &a->vm.cfg;
	struct la_kernel_info k;
	int err = la_kernel_probe(c->arch->id, a->image, a->image_len, a->image_len, &k);

	if (!err)
		err = la_boot_place(c, &a->vm.mem, &k, a->initrd_fd >= 0, a->img.initrd_size, plan);
	if (err)
		la_vmrun_build_fail(a, err);
}

void la_vmrun_fdt_build(struct la_vmrun *a)
{
	const struct la_vm_config *c = &a->vm.cfg;
	size_t size = (size_t)c->arch->fdt_max_size;
	struct la_boot_plan plan;
	struct la_fdt_config fc = {
		.cfg = c, .layout = &a->vm.layout, .mem = &a->vm.mem, .boot = &plan,
	};
	char why[LA_OV_WHY_MAX];
	unsigned failed;
	int err;

	if (!a->overlays.n)
		return;
	la_vmrun_fdt_plan(a, &plan);
	a->dtb = malloc(size);
	if (!a->dtb)
		la_vmrun_die("--overlay", NULL, la_strerror(-LA_ERR_NOMEM));
	err = la_fdt_build(&fc, a->dtb, size);
	if (err) {
		snprintf(why, sizeof(why), "cannot build the %s device tree: %s", c->arch->name,
			 la_strerror(err));
		la_vmrun_die("--overlay", NULL, why);
	}
	if (la_overlay_list_apply(&a->overlays, c->arch, a->dtb, &failed, why))
		la_vmrun_die("--overlay", a->overlays.o[failed].arg, why);
	err = la_fdt_check(a->dtb, fdt_totalsize(a->dtb));
	if (err) {
		snprintf(why, sizeof(why), "the final tree fails fdt_check_full: %s",
			 la_strerror(err));
		la_vmrun_die("--overlay", NULL, why);
	}
	a->dtb_len = fdt_totalsize(a->dtb);
}
