/* SPDX-License-Identifier: MIT */
/*
 * The options a device tree depends on beyond the VM's: the aarch64
 * interrupt controller, PMU, PSCI and vCPU topology, the riscv64 values
 * KVM reports, and the seed of /chosen's randomness. One argp child, so
 * la-mkfdt and la-vmrun take them with the same spelling and build the
 * same tree from them (la-vmrun --dump-fdt equals la-mkfdt's bytes).
 */
#ifndef LA_FDT_FDTOPTS_H
#define LA_FDT_FDTOPTS_H

#include <argp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "fdt/fdt.h"

enum la_fdtopt {
	LA_FDTOPT_GIC, LA_FDTOPT_ITS, LA_FDTOPT_NO_PMU, LA_FDTOPT_PSCI, LA_FDTOPT_NESTED,
	LA_FDTOPT_CPU_CAPACITY, LA_FDTOPT_CPU_FREQS, LA_FDTOPT_CPU_CLUSTERS,
	LA_FDTOPT_VIRT_CPUFREQ, LA_FDTOPT_HOST_TOPO, LA_FDTOPT_SYSFS_ROOT, LA_FDTOPT_HOSTCPU,
	LA_FDTOPT_AIA_IDS, LA_FDTOPT_AIA_SOURCES, LA_FDTOPT_TIMEBASE, LA_FDTOPT_IRQCHIP,
	LA_FDTOPT_SEED,
	LA_FDTOPT_COUNT
};

struct la_fdtopts {
	const char *arg[LA_FDTOPT_COUNT]; /* as given ("" for a flag); NULL: not given */
	enum la_gic_version gic;
	bool its, no_pmu, nested, host_topo, seed_set;
	unsigned psci_major, psci_minor;
	uint32_t aia_ids, aia_sources, timebase;
	enum la_rv_irqchip irqchip;
	bool irqchip_x86;                 /* --irqchip kernel|split: x86_64's, for
					   * la-vmrun (not a tree's: refused by
					   * la_fdtopts_check) */
	const char *cpu_capacity, *cpu_freqs, *cpu_clusters, *sysfs_root, *hostcpu;
	enum la_virt_cpufreq virt_cpufreq;
	uint64_t seed;
	/* read by la_fdtopts_read, before any sandbox */
	char *hostcpu_json;
	size_t hostcpu_json_len;
};

/* la_fdtopts_argp - the options as an argp child whose input is a struct
 * la_fdtopts (defaults set at ARGP_KEY_INIT: GICv3, PMU, PSCI 1.0, 255
 * IMSIC ids, 1023 APLIC sources, 10 MHz timebase, random seeds). Bad
 * values exit 2 with "PROG: --OPT: 'VALUE': reason". */
extern const struct argp la_fdtopts_argp;

/* la_fdtopts_check - refuse options the tree of cfg's arch does not use,
 * and combinations crosvm refuses (exit 2). */
void la_fdtopts_check(const struct la_fdtopts *o, const struct la_vm_config *cfg);

/* la_fdtopts_read - read what the options name (--hostcpu's JSON, the
 * sysfs topology of --host-cpu-topology) before any sandbox; a file that
 * cannot be read exits 1. */
void la_fdtopts_read(struct la_fdtopts *o, const struct la_vm_config *cfg);

/* la_fdtopts_apply - the options' part of fc: interrupt controller, PMU,
 * PSCI, riscv64 values, vCPU properties and clusters (static storage:
 * one tree per process) and the seeds. Bad topology values exit 2, an
 * unreadable host or no random bytes exit 1. */
void la_fdtopts_apply(const struct la_fdtopts *o, const struct la_vm_config *cfg,
		      struct la_fdt_config *fc);

void la_fdtopts_free(struct la_fdtopts *o);

#endif
