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
#include <sys/mman.h>

#include "boot.h"
#include "cli.h"
#include "cmdline.h"
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
	if (a->dump_fdt_path && !a->fdt_path && !ov && a->vm.cfg.arch->id == LA_ARCH_X86_64)
		argp_failure(state, 2, 0, "--dump-fdt: '%s': x86_64 guests get a device tree only "
			     "from --fdt or --overlay", a->dump_fdt_path);
}

/* A --fdt tree made for another arch is refused; one whose /memory is not
 * this VM's RAM gets a note (la-mkfdt with the same --mem makes one that
 * is). */
static void la_vmrun_fdt_agree(const struct la_vmrun *a)
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

/* Kernel (or BIOS) and initrd placed as la-mkfdt places them; build_vm
 * loads them there through the same la_kernel_probe and la_boot_place. */
static void la_vmrun_fdt_plan(struct la_vmrun *a, struct la_boot_plan *plan)
{
	const struct la_vm_config *c = &a->vm.cfg;
	struct la_kernel_info k;
	int err = 0;

	if (a->kernel_path)
		err = la_kernel_probe(c->arch->id, a->image, a->image_len, a->image_len, &k);
	if (!err)
		err = la_boot_place(c, &a->vm.mem, a->kernel_path ? &k : NULL, a->initrd_fd >= 0,
				    a->img.initrd_size, plan);
	if (err)
		la_vmrun_build_fail(a, err);
}

void la_vmrun_facts(struct la_vmrun *a)
{
	const struct la_fdtopts *o = &a->fdt;
	struct la_vm_facts *f = &a->facts;
	struct la_kvm kvm;
	int err;

	*f = (struct la_vm_facts){
		.gic_v2 = o->gic == LA_GIC_V2, .its = o->its, .pmu = !o->no_pmu,
		.psci_major = o->psci_major, .psci_minor = o->psci_minor,
		.aia = o->irqchip == LA_RV_IRQCHIP_AIA, .timebase_hz = o->timebase,
	};
	/* (riscv64: a --fdt tree with a PLIC gets the userspace PLIC, once
	 * the parser child has read it: la_vmrun_fdt_build) */
	if (!a->dt || a->explain || a->fdt_path)
		return;
	err = la_vm_facts(a->kvm_path, &a->vm.cfg, f, &kvm);
	if (err)
		exit(la_vmrun_kvm_fail(a, &kvm, err));
	/* riscv64: the AIA where KVM offers it, else the PLIC; --irqchip
	 * plic always works, aia only where offered */
	if (o->arg[LA_FDTOPT_IRQCHIP] && o->irqchip == LA_RV_IRQCHIP_AIA && !f->aia)
		la_cli_fail("--irqchip", "aia", 2, "this KVM offers no AIA (its riscv AIA "
			    "device); use --irqchip plic");
	if (o->irqchip == LA_RV_IRQCHIP_PLIC)
		f->aia = false;
	if (o->arg[LA_FDTOPT_GIC] && f->gic_v2 != (o->gic == LA_GIC_V2))
		la_cli_fail("--gic", o->arg[LA_FDTOPT_GIC], 2, "%s", f->gic_v2 ?
				      "this KVM offers only a GICv2" : "this KVM offers no GICv2");
	if (o->its && !f->its)
		la_cli_fail("--its", NULL, 2, "this KVM offers no GICv3 ITS");
	if (o->arg[LA_FDTOPT_TIMEBASE] && f->timebase_hz != o->timebase) {
		char why[96];

		snprintf(why, sizeof(why), "this KVM's timer runs at %u Hz", f->timebase_hz);
		la_cli_fail("--timebase-frequency", o->arg[LA_FDTOPT_TIMEBASE], 2, "%s", why);
	}
}

/* The tree's command line: la-mkfdt's (panic=-1, console= and earlycon=
 * as --serial says) with --cmdline after it. */
static void la_vmrun_fdt_cmdline(const struct la_vmrun *a, char *buf, size_t len)
{
	struct la_serial_opts serial = { LA_FDT_MAX_SERIAL, (unsigned)(a->ser_console + 1),
					 (unsigned)(a->ser_earlycon + 1) };
	bool hvc0 = a->serial[LA_SER_HVC].console;
	char extra[4096];
	int err = 0, n;

	/* a virtio console: hvc0 after the COM port, so it is /dev/console */
	n = snprintf(extra, sizeof(extra), "%s%s%s", hvc0 ? "console=hvc0" : "",
		     hvc0 && a->cmdline ? " " : "", a->cmdline ? a->cmdline : "");
	if (n < 0 || (size_t)n >= sizeof(extra))
		err = -LA_ERR_CMDLINE; /* longer than any arch takes: refused, never cut */
	if (!err)
		err = la_cmdline_build(a->vm.cfg.arch->id, &serial, extra[0] ? extra : NULL,
				       la_vmrun_ramoops(a), a->plan.cmdline_max, buf, len);
	char why[160];

	if (!err)
		return;
	snprintf(why, sizeof(why), "%s (at most %llu characters on %s)", la_strerror(err),
		 (unsigned long long)a->plan.cmdline_max, a->vm.cfg.arch->name);
	la_vmrun_die("--cmdline", NULL, why);
}

/* The options' part of the tree, what this KVM said of itself over it. */
static void la_vmrun_fdt_config(struct la_vmrun *a, struct la_fdt_config *fc)
{
	const struct la_vm_facts *f = &a->facts;
	int err;

	la_fdtopts_apply(&a->fdt, &a->vm.cfg, fc);
	fc->plat = &a->res.plat;
	if (!a->dt)
		return;
	fc->gic = f->gic_v2 ? LA_GIC_V2 : LA_GIC_V3;
	fc->its = f->its;
	fc->pmu = f->pmu;
	fc->psci_major = f->psci_major;
	fc->psci_minor = f->psci_minor;
	fc->timebase_hz = f->timebase_hz;
	fc->irqchip = f->aia ? LA_RV_IRQCHIP_AIA : LA_RV_IRQCHIP_PLIC;
	err = la_fdt_config_pci_pools(fc, a->res.phys_bits, a->pstore.arg ? a->pstore.size : 0);
	if (err)
		la_vmrun_die("--phys-bits", NULL, la_strerror(err));
}

/* Build the tree into a->dtb. libfdt's writer clears its whole buffer
 * first, so start at 64 KiB and double up to the arch's limit (max bytes,
 * 2 MiB on aarch64): a tree costs its own pages, not the limit's.
 * returns: 0, la_fdt_build's error at the limit */
static int la_vmrun_fdt_grow(struct la_vmrun *a, const struct la_fdt_config *fc, size_t max)
{
	size_t size = max < (64u << 10) ? max : 64u << 10;
	int err;

	for (;;) {
		free(a->dtb);
		a->dtb = malloc(size);
		if (!a->dtb)
			la_vmrun_die("build", NULL, la_strerror(-LA_ERR_NOMEM));
		err = la_fdt_build(fc, a->dtb, size);
		if (err != -LA_ERR_FDTSIZE || size >= max)
			return err;
		size = size * 2 < max ? size * 2 : max;
	}
}

/* Build the tree into a->dtb (malloc'd). */
static void la_vmrun_fdt_make(struct la_vmrun *a)
{
	const struct la_vm_config *c = &a->vm.cfg;
	size_t size = (size_t)c->arch->fdt_max_size;
	static char cmdline[4096];
	struct la_fdt_config fc = {
		.cfg = c, .layout = &a->vm.layout, .mem = &a->vm.mem, .boot = &a->plan,
	};
	const char *what = a->dt ? "build" : "--overlay";
	char why[LA_OV_WHY_MAX];
	unsigned failed;
	int err;

	if (a->dt) {
		la_vmrun_fdt_cmdline(a, cmdline, sizeof(cmdline));
		fc.cmdline = cmdline;
	}
	la_vmrun_fdt_config(a, &fc);
	err = la_vmrun_fdt_grow(a, &fc, size);
	if (!err && a->overlays.n) { /* overlays may grow the tree to the limit */
		uint8_t *t = realloc(a->dtb, size);

		if (!t)
			la_vmrun_die(what, NULL, la_strerror(-LA_ERR_NOMEM));
		a->dtb = t;
	}
	if (err) {
		snprintf(why, sizeof(why), "cannot build the %s device tree: %s", c->arch->name,
			 la_strerror(err));
		la_vmrun_die(what, NULL, why);
	}
	if (la_overlay_list_apply(&a->overlays, c->arch, a->dtb, &failed, why))
		la_vmrun_die("--overlay", a->overlays.o[failed].arg, why);
	err = la_fdt_check(a->dtb, fdt_totalsize(a->dtb));
	if (err) {
		snprintf(why, sizeof(why), "the final tree fails fdt_check_full: %s",
			 la_strerror(err));
		la_vmrun_die(what, NULL, why);
	}
	a->dtb_len = fdt_totalsize(a->dtb);
}

/* What the parser child hands back, in memory shared with it. */
struct la_vmrun_parsed {
	struct la_boot_plan plan;
	bool aia;         /* riscv64 --fdt: the tree has no PLIC */
	size_t dtb_len;   /* the tree it built, 0: none */
	uint8_t dtb[];    /* the arch's fdt_max_size bytes */
};

struct la_vmrun_job {
	struct la_vmrun *a;
	struct la_vmrun_parsed *out;
};

/* Whether la-vmrun builds the guest's tree (aarch64 and riscv64 without
 * --fdt; x86_64 with --overlay). */
static bool la_vmrun_builds_tree(const struct la_vmrun *a)
{
	return !a->fdt_path && (a->dt || a->overlays.n);
}

/* The parser child (lib/cli.c): every untrusted input la-vmrun parses
 * before build_vm: the --fdt blob (fdt_check_full, then its arch and
 * /memory), the kernel's header (its placement), --hostcpu JSON, the
 * overlays and the tree they apply to. */
static void la_vmrun_parse_inputs(void *ctx)
{
	struct la_vmrun_job *j = ctx;
	struct la_vmrun *a = j->a;
	struct la_vmrun_parsed *p = j->out;
	int err;

	if (a->fdt_path) {
		err = la_fdt_check(a->dtb, a->dtb_len);
		if (!err && fdt_totalsize(a->dtb) != a->dtb_len)
			err = -LA_ERR_BADDTB; /* bytes after the blob */
		if (err)
			la_vmrun_die("--fdt", a->fdt_path, la_strerror(err));
		la_vmrun_fdt_agree(a);
		p->aia = fdt_node_offset_by_compatible(a->dtb, -1, "riscv,plic0") < 0;
	}
	if (a->dt || la_vmrun_builds_tree(a))
		la_vmrun_fdt_plan(a, &a->plan);
	p->plan = a->plan;
	if (!la_vmrun_builds_tree(a))
		return;
	la_vmrun_fdt_make(a);
	memcpy(p->dtb, a->dtb, a->dtb_len);
	p->dtb_len = a->dtb_len;
	free(a->dtb);
	a->dtb = NULL;
}

void la_vmrun_fdt_build(struct la_vmrun *a)
{
	size_t max = la_vmrun_builds_tree(a) ? (size_t)a->vm.cfg.arch->fdt_max_size : 0;
	struct la_vmrun_parsed *p;
	size_t size = sizeof(*p) + max;

	if (!a->fdt_path && !a->dt && !a->overlays.n)
		return; /* nothing to parse: build_vm loads the kernel */
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		la_vmrun_die("build", NULL, la_strerror(-LA_ERR_NOMEM));
	la_cli_parser_child(a->seccomp, la_vmrun_parse_inputs, &(struct la_vmrun_job){ a, p });
	a->plan = p->plan;
	if (a->fdt_path && a->vm.cfg.arch->id == LA_ARCH_RISCV64)
		a->facts.aia = p->aia;
	if (max) {
		/* what the child made is checked again: it parsed untrusted input */
		if (p->dtb_len > max || la_fdt_check(p->dtb, p->dtb_len) ||
		    fdt_totalsize(p->dtb) != p->dtb_len)
			la_vmrun_die("build", NULL, "the parser process returned a malformed tree");
		a->dtb = malloc(p->dtb_len);
		if (!a->dtb)
			la_vmrun_die("build", NULL, la_strerror(-LA_ERR_NOMEM));
		memcpy(a->dtb, p->dtb, p->dtb_len);
		a->dtb_len = p->dtb_len;
	}
	munmap(p, size);
}
