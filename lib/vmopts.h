/* SPDX-License-Identifier: MIT */
/*
 * The VM options every la program shares, as one argp child parser:
 * --arch, --mem, --cpus, --pci-ecam, --pci-cam, --pci-mem, --bios,
 * --protection, --swiotlb, --static-swiotlb, --fdt-position, --phys-bits.
 *
 * Use: put la_vmopts_argp in the program's argp children and hand it a
 * struct la_vmopts through state->child_inputs in ARGP_KEY_INIT. When
 * argp_parse returns, the options are checked (including the layout, which
 * is computed into o->layout and o->mem): a bad value has already printed
 * one line "PROG: --OPT: 'VALUE': reason" and exited 2 (1 for a BIOS file
 * that cannot be read). This is the CLI layer of lib/: it prints and exits,
 * the rest of lib/ never does.
 */
#ifndef LA_VMOPTS_H
#define LA_VMOPTS_H

#include <argp.h>

#include "arch.h"

enum la_vmopt {
	LA_VMOPT_ARCH,
	LA_VMOPT_MEM,
	LA_VMOPT_CPUS,
	LA_VMOPT_PCI_ECAM,
	LA_VMOPT_PCI_CAM,
	LA_VMOPT_PCI_MEM,
	LA_VMOPT_BIOS,
	LA_VMOPT_PROTECTION,
	LA_VMOPT_SWIOTLB,
	LA_VMOPT_STATIC_SWIOTLB,
	LA_VMOPT_FDT_POSITION,
	LA_VMOPT_PHYS_BITS,
	LA_VMOPT_COUNT
};

struct la_vmopts {
	struct la_vm_config cfg;
	const char *arg[LA_VMOPT_COUNT]; /* as given; NULL if not given */
	struct la_arch_layout layout;    /* valid after argp_parse */
	struct la_mem_layout mem;        /* valid after argp_parse */
};

extern const struct argp la_vmopts_argp;

/* la_vmopts_argp_for - the same parser, with the options arch does not take
 * left out of --help (still parsed, and refused as for any arch that lacks
 * them), for a program that builds one arch. Not reentrant: one table. */
const struct argp *la_vmopts_argp_for(const struct la_arch_ops *arch);

/* la_vmopt_name - "--mem" etc. */
const char *la_vmopt_name(enum la_vmopt opt);

/* la_vmopts_fail - print "PROG: --OPT: 'VALUE': REASON" and exit(status). */
void la_vmopts_fail(const struct la_vmopts *o, enum la_vmopt opt, int status,
		    const char *reason) __attribute__((noreturn));

#endif
