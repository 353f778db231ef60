/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "err.h"
#include "size.h"
#include "sys_alloc.h"
#include "vmopts.h"

#define LA_KEY_BASE 0x1000

static const struct {
	const char *name;
	unsigned arch_opt; /* LA_OPT_* an arch must have, 0 = all arches */
} la_vmopt_info[LA_VMOPT_COUNT] = {
	[LA_VMOPT_ARCH] = { "--arch", 0 },
	[LA_VMOPT_MEM] = { "--mem", 0 },
	[LA_VMOPT_CPUS] = { "--cpus", 0 },
	[LA_VMOPT_PCI_ECAM] = { "--pci-ecam", LA_OPT_PCI_ECAM },
	[LA_VMOPT_PCI_CAM] = { "--pci-cam", LA_OPT_PCI_CAM },
	[LA_VMOPT_PCI_MEM] = { "--pci-mem", LA_OPT_PCI_MEM },
	[LA_VMOPT_BIOS] = { "--bios", LA_OPT_BIOS },
	[LA_VMOPT_PROTECTION] = { "--protection", LA_OPT_PROTECTION },
	[LA_VMOPT_SWIOTLB] = { "--swiotlb", LA_OPT_SWIOTLB },
	[LA_VMOPT_STATIC_SWIOTLB] = { "--static-swiotlb", LA_OPT_STATIC_SWIOTLB },
	[LA_VMOPT_FDT_POSITION] = { "--fdt-position", LA_OPT_FDT_POSITION },
	[LA_VMOPT_PHYS_BITS] = { "--phys-bits", 0 },
};

static const struct argp_option la_vmopts_options[] = {
	{ "arch", LA_KEY_BASE + LA_VMOPT_ARCH, "ARCH", 0,
	  "Guest architecture: x86_64, aarch64 or riscv64 (default: the host's)", 0 },
	{ "mem", LA_KEY_BASE + LA_VMOPT_MEM, "SIZE", 0,
	  "Guest memory: a K/M/G/T suffix (4G, 4GiB), a bare number in MiB as QEMU, "
	  "lkvm, crosvm and Firecracker read it (512 is 512M), or 0x hex bytes "
	  "(default 256M)", 0 },
	{ NULL, 'm', NULL, OPTION_ALIAS, NULL, 0 },
	{ "cpus", LA_KEY_BASE + LA_VMOPT_CPUS, "N", 0, "Number of vCPUs (default 1)", 0 },
	{ NULL, 'c', NULL, OPTION_ALIAS, NULL, 0 },
	{ "pci-ecam", LA_KEY_BASE + LA_VMOPT_PCI_ECAM, "START[,SIZE]", 0,
	  "x86_64: PCIe ECAM window (default 0xf4000000,64M; at most 256M)", 0 },
	{ "pci-cam", LA_KEY_BASE + LA_VMOPT_PCI_CAM, "START[,SIZE]", 0,
	  "aarch64: PCI CAM window (default 0x10000,16M; SIZE must be 16M)", 0 },
	{ "pci-mem", LA_KEY_BASE + LA_VMOPT_PCI_MEM, "START[,SIZE]", 0,
	  "x86_64, aarch64: low PCI MMIO window (x86_64 default: "
	  "0xd0000000 to 0xf7ffffff; aarch64 default 0x2000000,32M)", 0 },
	{ "bios", LA_KEY_BASE + LA_VMOPT_BIOS, "FILE", 0,
	  "Boot a BIOS image instead of a kernel (x86_64: mapped to end at 4 GiB; "
	  "aarch64: FDT goes to the start of RAM)", 0 },
	{ "protection", LA_KEY_BASE + LA_VMOPT_PROTECTION, "MODE", 0,
	  "unprotected (default), protected, protected-with-custom-firmware or "
	  "unprotected-with-firmware; all but the first add the pVM firmware region", 0 },
	{ "swiotlb", LA_KEY_BASE + LA_VMOPT_SWIOTLB, "SIZE", 0,
	  "aarch64: restricted DMA pool size (default: none, 64M for protected VMs)", 0 },
	{ "static-swiotlb", LA_KEY_BASE + LA_VMOPT_STATIC_SWIOTLB, NULL, 0,
	  "aarch64: the hypervisor requires a static swiotlb region, carved from the "
	  "end of RAM", 0 },
	{ "fdt-position", LA_KEY_BASE + LA_VMOPT_FDT_POSITION, "WHERE", 0,
	  "aarch64: start, end (default for kernels) or after-payload; riscv64: "
	  "after-payload only", 0 },
	{ "phys-bits", LA_KEY_BASE + LA_VMOPT_PHYS_BITS, "N", 0,
	  "Guest physical address bits, 32 to 64 (default: the host's: x86_64 CPUID "
	  "0x80000008 or 36, aarch64 KVM's IPA size or 40, riscv64 48)", 0 },
	{ 0 }
};

const char *la_vmopt_name(enum la_vmopt opt)
{
	return la_vmopt_info[opt].name;
}

void la_vmopts_fail(const struct la_vmopts *o, enum la_vmopt opt, int status,
		    const char *reason)
{
	if (o->arg[opt] && *o->arg[opt])
		fprintf(stderr, "%s: %s: '%s': %s\n", program_invocation_short_name,
			la_vmopt_name(opt), o->arg[opt], reason);
	else
		fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name,
			la_vmopt_name(opt), reason);
	exit(status);
}

/* The option a layout error is about. */
static enum la_vmopt la_vmopts_culprit(const struct la_vmopts *o, int err)
{
	switch (-err) {
	case LA_ERR_CPUS: return LA_VMOPT_CPUS;
	case LA_ERR_ECAMSIZE:
	case LA_ERR_ECAMALIGN:
	case LA_ERR_ECAMRANGE: return LA_VMOPT_PCI_ECAM;
	case LA_ERR_CAMSIZE:
	case LA_ERR_CAMRANGE: return LA_VMOPT_PCI_CAM;
	case LA_ERR_PCIMEM:
	case LA_ERR_PCIMEMRANGE:
		return o->arg[LA_VMOPT_PCI_MEM] ? LA_VMOPT_PCI_MEM : LA_VMOPT_PCI_ECAM;
	case LA_ERR_PVMFWOVERLAP: return LA_VMOPT_PROTECTION;
	case LA_ERR_BIOSSIZE: return LA_VMOPT_BIOS;
	case LA_ERR_SWIOTLB:
		return o->arg[LA_VMOPT_SWIOTLB] ? LA_VMOPT_SWIOTLB : LA_VMOPT_STATIC_SWIOTLB;
	case LA_ERR_FDTPOS: return LA_VMOPT_FDT_POSITION;
	case LA_ERR_UNSUPPORTED: return LA_VMOPT_PCI_MEM;
	default: return LA_VMOPT_MEM;
	}
}

static void la_vmopts_bad_size(struct argp_state *state, const char *opt,
			       const char *arg, int err)
{
	argp_failure(state, 2, 0, "%s: '%s' %s", opt, arg,
		     err == -LA_ERR_RANGE ? "is too large (more than 2^64-1)"
					  : "is not a size (use K, M, G or T)");
}

static void la_vmopts_window(struct argp_state *state, enum la_vmopt opt,
			     const char *arg, struct la_window_opt *w)
{
	int has_size = 0;
	int err = la_parse_start_size(arg, &w->start, &w->size, &has_size);

	if (err)
		argp_failure(state, 2, 0, "%s: '%s' is not START[,SIZE] (%s)",
			     la_vmopt_name(opt), arg,
			     err == -LA_ERR_RANGE ? "a value is larger than 2^64-1"
						  : "sizes use K, M, G or T");
	w->set = true;
	w->has_size = has_size;
}

static void la_vmopts_bios_size(struct la_vmopts *o)
{
	struct stat st;

	if (stat(o->cfg.bios_path, &st) != 0)
		la_vmopts_fail(o, LA_VMOPT_BIOS, 1, strerror(errno));
	if (!S_ISREG(st.st_mode))
		la_vmopts_fail(o, LA_VMOPT_BIOS, 1, "not a regular file");
	o->cfg.bios_size = (uint64_t)st.st_size;
}

/* An explicit --phys-bits must hold RAM and the arch's MMIO windows: the
 * allocator stage's configuration is where that shows. */
static void la_vmopts_check_phys_bits(struct la_vmopts *o)
{
	struct la_sys_alloc_config config;
	char reason[160];
	int err;

	err = o->cfg.arch->system_allocator_config(&o->cfg, &o->layout, &o->mem,
						   o->cfg.phys_bits, &config);
	if (err) {
		snprintf(reason, sizeof(reason), "%s (%s, %s of memory)", la_strerror(err),
			 o->cfg.arch->name, o->arg[LA_VMOPT_MEM] ? o->arg[LA_VMOPT_MEM] : "256M");
		la_vmopts_fail(o, LA_VMOPT_PHYS_BITS, 2, reason);
	}
}

/* Everything that needs all options: arch support, files, the layout. */
static void la_vmopts_finish(struct la_vmopts *o)
{
	const struct la_arch_ops *arch = o->cfg.arch;
	char reason[160];
	int err;

	if (!arch) {
		const char *machine;

		la_arch_host(&machine);
		snprintf(reason, sizeof(reason),
			 "the host is %s, which la has no backend for; give --arch", machine);
		la_vmopts_fail(o, LA_VMOPT_ARCH, 2, reason);
	}
	for (int i = 0; i < LA_VMOPT_COUNT; i++) {
		if (o->arg[i] && la_vmopt_info[i].arch_opt &&
		    !(arch->opts & la_vmopt_info[i].arch_opt)) {
			snprintf(reason, sizeof(reason), "not supported on %s", arch->name);
			la_vmopts_fail(o, (enum la_vmopt)i, 2, reason);
		}
	}
	if (o->cfg.static_swiotlb && la_vm_swiotlb(&o->cfg) == 0)
		la_vmopts_fail(o, LA_VMOPT_STATIC_SWIOTLB, 2,
			       "needs --swiotlb SIZE (or a protected VM, whose default is 64M)");
	if (o->cfg.bios_path)
		la_vmopts_bios_size(o);

	err = la_layout_compute(&o->cfg, &o->layout, &o->mem);
	if (err) {
		enum la_vmopt culprit = la_vmopts_culprit(o, err);

		if (err == -LA_ERR_CPUS)
			snprintf(reason, sizeof(reason), "%s has 1 to %u vCPUs",
				 arch->name, arch->max_cpus);
		else
			snprintf(reason, sizeof(reason), "%s (%s)", la_strerror(err), arch->name);
		la_vmopts_fail(o, culprit, 2, reason);
	}
	if (o->cfg.phys_bits)
		la_vmopts_check_phys_bits(o);
}

static error_t la_vmopts_parse(int key, char *arg, struct argp_state *state)
{
	struct la_vmopts *o = state->input;
	int err;

	/* the peers' short options: -m memory, -c vCPUs */
	if (key == 'm')
		key = LA_KEY_BASE + LA_VMOPT_MEM;
	else if (key == 'c')
		key = LA_KEY_BASE + LA_VMOPT_CPUS;
	if (key >= LA_KEY_BASE && key < LA_KEY_BASE + LA_VMOPT_COUNT)
		o->arg[key - LA_KEY_BASE] = arg ? arg : "";

	switch (key) {
	case ARGP_KEY_INIT:
		la_vm_config_init(&o->cfg);
		memset(o->arg, 0, sizeof(o->arg));
		return 0;
	case LA_KEY_BASE + LA_VMOPT_ARCH:
		o->cfg.arch = la_arch_lookup(arg);
		if (!o->cfg.arch)
			argp_failure(state, 2, 0, "--arch: '%s': %s", arg,
				     la_strerror(-LA_ERR_BADARCH));
		return 0;
	case LA_KEY_BASE + LA_VMOPT_MEM:
		err = la_parse_mem_size(arg, &o->cfg.mem_size);
		if (err)
			la_vmopts_bad_size(state, "--mem", arg, err);
		return 0;
	case LA_KEY_BASE + LA_VMOPT_CPUS: {
		uint64_t n;

		if (la_parse_u64(arg, &n) || n > 0xffffffffu)
			argp_failure(state, 2, 0, "--cpus: '%s' is not a whole number", arg);
		o->cfg.cpus = (unsigned)n;
		return 0;
	}
	case LA_KEY_BASE + LA_VMOPT_PCI_ECAM:
		la_vmopts_window(state, LA_VMOPT_PCI_ECAM, arg, &o->cfg.pci_ecam);
		return 0;
	case LA_KEY_BASE + LA_VMOPT_PCI_CAM:
		la_vmopts_window(state, LA_VMOPT_PCI_CAM, arg, &o->cfg.pci_cam);
		return 0;
	case LA_KEY_BASE + LA_VMOPT_PCI_MEM:
		la_vmopts_window(state, LA_VMOPT_PCI_MEM, arg, &o->cfg.pci_mem);
		return 0;
	case LA_KEY_BASE + LA_VMOPT_BIOS:
		if (!*arg)
			argp_failure(state, 2, 0, "--bios: needs a file name");
		o->cfg.bios_path = arg;
		return 0;
	case LA_KEY_BASE + LA_VMOPT_PROTECTION:
		if (la_protection_parse(arg, &o->cfg.protection))
			argp_failure(state, 2, 0, "--protection: '%s' is not unprotected, protected, "
				     "protected-with-custom-firmware or unprotected-with-firmware",
				     arg);
		return 0;
	case LA_KEY_BASE + LA_VMOPT_SWIOTLB:
		err = la_parse_size(arg, &o->cfg.swiotlb);
		if (err)
			la_vmopts_bad_size(state, "--swiotlb", arg, err);
		o->cfg.swiotlb_set = true;
		return 0;
	case LA_KEY_BASE + LA_VMOPT_STATIC_SWIOTLB:
		o->cfg.static_swiotlb = true;
		return 0;
	case LA_KEY_BASE + LA_VMOPT_FDT_POSITION:
		if (la_fdt_position_parse(arg, &o->cfg.fdt_position))
			argp_failure(state, 2, 0,
				     "--fdt-position: '%s' is not start, end or after-payload", arg);
		return 0;
	case LA_KEY_BASE + LA_VMOPT_PHYS_BITS: {
		uint64_t n;

		if (la_parse_u64(arg, &n) || n < 32 || n > 64)
			argp_failure(state, 2, 0, "--phys-bits: '%s' is not a number from 32 to 64",
				     arg);
		o->cfg.phys_bits = (unsigned)n;
		return 0;
	}
	case ARGP_KEY_END:
		la_vmopts_finish(o);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

const struct argp la_vmopts_argp = {
	.options = la_vmopts_options,
	.parser = la_vmopts_parse,
};

const struct argp *la_vmopts_argp_for(const struct la_arch_ops *arch)
{
	static struct argp_option opts[sizeof(la_vmopts_options) / sizeof(la_vmopts_options[0])];
	static struct argp a;

	memcpy(opts, la_vmopts_options, sizeof(opts));
	for (size_t i = 0; opts[i].name || opts[i].key; i++) {
		int k = opts[i].key - LA_KEY_BASE;

		if (k >= 0 && k < LA_VMOPT_COUNT && la_vmopt_info[k].arch_opt &&
		    !(arch->opts & la_vmopt_info[k].arch_opt))
			opts[i].flags |= OPTION_HIDDEN;
	}
	a = la_vmopts_argp;
	a.options = opts;
	return &a;
}
