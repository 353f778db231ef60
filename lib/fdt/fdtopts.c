/* SPDX-License-Identifier: MIT */
/*
 * The device tree's own options (lib/fdt/fdtopts.h), shared by la-mkfdt
 * and la-vmrun.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "err.h"
#include "fdt/fdtopts.h"
#include "fileio.h"
#include "hostcpu.h"
#include "hostcpu_json.h"
#include "size.h"
#include "vcpu_props.h"

#define LA_FDTOPTS_MAX_FILE (16 * LA_MiB) /* --hostcpu input */
#define K(o) (0x2800 + (int)(o))

static const struct argp_option la_fdtopts_options[] = {
	{ NULL, 0, NULL, 0, "aarch64:", 2 },
	{ "gic", K(LA_FDTOPT_GIC), "v2|v3", 0, "Interrupt controller (default v3)", 0 },
	{ "its", K(LA_FDTOPT_ITS), NULL, 0, "GICv3 ITS: /intc/msic and the PCI msi-parent", 0 },
	{ "no-pmu", K(LA_FDTOPT_NO_PMU), NULL, 0, "No /pmu node", 0 },
	{ "psci", K(LA_FDTOPT_PSCI), "VERSION", 0,
	  "PSCI version KVM reports, e.g. 0.2 (default 1.0)", 0 },
	{ "nested", K(LA_FDTOPT_NESTED), NULL, 0,
	  "EL2 guest: PSCI via smc and the GIC maintenance interrupt (needs GICv3)", 0 },
	{ "cpu-capacity", K(LA_FDTOPT_CPU_CAPACITY), "CPU=CAP,...", 0,
	  "capacity-dmips-mhz per vCPU, e.g. 0=512,1=1024", 0 },
	{ "cpu-frequencies-khz", K(LA_FDTOPT_CPU_FREQS), "CPU=F:F...,...", 0,
	  "Frequency table per vCPU in kHz: an OPP table each, e.g. 0=500000:1000000", 0 },
	{ "cpu-clusters", K(LA_FDTOPT_CPU_CLUSTERS), "SET;SET...", 0,
	  "vCPU clusters for /cpus/cpu-map, each a CPU list, e.g. '0-1;2-3'", 0 },
	{ "virt-cpufreq", K(LA_FDTOPT_VIRT_CPUFREQ), "v1|v2", OPTION_ARG_OPTIONAL,
	  "Virtual cpufreq device (default v1); vCPUs without --cpu-frequencies-khz take "
	  "their host CPU's table (with --host-cpu-topology or --hostcpu)", 0 },
	{ "host-cpu-topology", K(LA_FDTOPT_HOST_TOPO), NULL, 0,
	  "Capacities and clusters from this host's sysfs (vCPU N on host CPU N)", 0 },
	{ "sysfs-root", K(LA_FDTOPT_SYSFS_ROOT), "DIR", 0,
	  "Read the host topology below DIR, not /sys", 0 },
	{ "hostcpu", K(LA_FDTOPT_HOSTCPU), "FILE|-", 0,
	  "Host topology from `la-hostcpu --json` output instead of sysfs", 0 },
	{ NULL, 0, NULL, 0, "riscv64 (values KVM reports at run time):", 3 },
	{ "irqchip", K(LA_FDTOPT_IRQCHIP), "aia|plic|kernel|split", 0,
	  "Interrupt controller: aia (IMSIC + APLIC in KVM, as crosvm; la-mkfdt's default) or "
	  "plic (la's userspace PLIC; la-vmrun's where KVM offers no AIA); la-vmrun on x86_64: "
	  "kernel (KVM's PIC, IOAPIC, LAPICs and PIT; the default) or split (LAPICs in KVM, "
	  "la's IOAPIC, no PIC or PIT)", 0 },
	{ "aia-ids", K(LA_FDTOPT_AIA_IDS), "N", 0,
	  "IMSIC interrupt ids, riscv,num-ids (default 255)", 0 },
	{ "aia-sources", K(LA_FDTOPT_AIA_SOURCES), "N", 0,
	  "APLIC wired sources, riscv,num-sources; 0 drops the APLIC (default 1023)", 0 },
	{ "timebase-frequency", K(LA_FDTOPT_TIMEBASE), "HZ", 0,
	  "Timer frequency of vCPU 0 (default 10000000)", 0 },
	{ "seed", K(LA_FDTOPT_SEED), "N", 0,
	  "Derive the tree's kaslr-seed and rng-seed from N (default: fresh random bytes)", 4 },
	{ 0 }
};

/* "--NAME" of option o, for la_cli_fail; valid until the next call. */
static const char *la_fdtopts_name(enum la_fdtopt o)
{
	static char name[64];

	for (const struct argp_option *p = la_fdtopts_options; p->name || p->doc; p++) {
		if (p->key == K(o) && p->name) {
			snprintf(name, sizeof(name), "--%s", p->name);
			return name;
		}
	}
	return "--?";
}

static uint32_t la_fdtopts_num(enum la_fdtopt o, const char *arg, uint32_t max)
{
	uint64_t v;

	if (la_parse_u64(arg, &v) || v > max)
		la_cli_fail(la_fdtopts_name(o), arg, 2, "not a whole number from 0 to %llu",
			    (unsigned long long)max);
	return (uint32_t)v;
}

static void la_fdtopts_psci(struct la_fdtopts *o, const char *arg)
{
	const char *dot = strchr(arg, '.');
	uint64_t maj, min;

	if (!dot || la_parse_dec_n(arg, (size_t)(dot - arg), 0xffff, &maj) ||
	    la_parse_dec(dot + 1, 0xffff, &min))
		la_cli_fail("--psci", arg, 2, "not a version MAJOR.MINOR, e.g. 1.0 or 0.2");
	o->psci_major = (unsigned)maj;
	o->psci_minor = (unsigned)min;
}

static void la_fdtopts_init(struct la_fdtopts *o)
{
	memset(o, 0, sizeof(*o));
	o->psci_major = 1;
	o->aia_ids = 255;
	o->aia_sources = 1023;
	o->timebase = 10000000;
}

static error_t la_fdtopts_parse(int key, char *arg, struct argp_state *state)
{
	struct la_fdtopts *o = state->input;
	int k = key - K(0);

	if (key == ARGP_KEY_INIT) {
		la_fdtopts_init(o);
		return 0;
	}
	if (k < 0 || k >= LA_FDTOPT_COUNT)
		return ARGP_ERR_UNKNOWN;
	o->arg[k] = arg ? arg : "";
	switch (k) {
	case LA_FDTOPT_GIC:
		if (strcmp(arg, "v2") && strcmp(arg, "v3"))
			la_cli_fail("--gic", arg, 2, "not v2 or v3");
		o->gic = arg[1] == '2' ? LA_GIC_V2 : LA_GIC_V3;
		break;
	case LA_FDTOPT_ITS: o->its = true; break;
	case LA_FDTOPT_NO_PMU: o->no_pmu = true; break;
	case LA_FDTOPT_PSCI: la_fdtopts_psci(o, arg); break;
	case LA_FDTOPT_NESTED: o->nested = true; break;
	case LA_FDTOPT_CPU_CAPACITY: o->cpu_capacity = arg; break;
	case LA_FDTOPT_CPU_FREQS: o->cpu_freqs = arg; break;
	case LA_FDTOPT_CPU_CLUSTERS: o->cpu_clusters = arg; break;
	case LA_FDTOPT_VIRT_CPUFREQ:
		if (arg && strcmp(arg, "v1") && strcmp(arg, "v2"))
			la_cli_fail("--virt-cpufreq", arg, 2, "not v1 or v2");
		o->virt_cpufreq = arg && !strcmp(arg, "v2") ? LA_VIRT_CPUFREQ_V2
							     : LA_VIRT_CPUFREQ_V1;
		break;
	case LA_FDTOPT_HOST_TOPO: o->host_topo = true; break;
	case LA_FDTOPT_SYSFS_ROOT: o->sysfs_root = arg; break;
	case LA_FDTOPT_HOSTCPU: o->hostcpu = arg; break;
	case LA_FDTOPT_AIA_IDS: o->aia_ids = la_fdtopts_num(k, arg, 2047); break;
	case LA_FDTOPT_AIA_SOURCES: o->aia_sources = la_fdtopts_num(k, arg, 1023); break;
	case LA_FDTOPT_TIMEBASE: o->timebase = la_fdtopts_num(k, arg, UINT32_MAX); break;
	case LA_FDTOPT_IRQCHIP:
		o->irqchip_x86 = !strcmp(arg, "kernel") || !strcmp(arg, "split");
		if (strcmp(arg, "aia") && strcmp(arg, "plic") && !o->irqchip_x86)
			la_cli_fail("--irqchip", arg, 2, "not aia or plic (riscv64), kernel or split "
				    "(x86_64)");
		o->irqchip = arg[0] == 'p' ? LA_RV_IRQCHIP_PLIC : LA_RV_IRQCHIP_AIA;
		break;
	case LA_FDTOPT_SEED:
		if (la_parse_u64(arg, &o->seed))
			la_cli_fail("--seed", arg, 2, "not a whole number from 0 to 2^64-1");
		o->seed_set = true;
		break;
	}
	return 0;
}

const struct argp la_fdtopts_argp = {
	.options = la_fdtopts_options,
	.parser = la_fdtopts_parse,
};

#define A_X86 (1u << LA_ARCH_X86_64)
#define A_ARM (1u << LA_ARCH_AARCH64)
#define A_RV (1u << LA_ARCH_RISCV64)

void la_fdtopts_check(const struct la_fdtopts *o, const struct la_vm_config *cfg)
{
	static const unsigned only[LA_FDTOPT_COUNT] = {
		[LA_FDTOPT_GIC] = A_ARM, [LA_FDTOPT_ITS] = A_ARM, [LA_FDTOPT_NO_PMU] = A_ARM,
		[LA_FDTOPT_PSCI] = A_ARM, [LA_FDTOPT_NESTED] = A_ARM,
		[LA_FDTOPT_CPU_CAPACITY] = A_ARM, [LA_FDTOPT_CPU_FREQS] = A_ARM,
		[LA_FDTOPT_CPU_CLUSTERS] = A_ARM, [LA_FDTOPT_VIRT_CPUFREQ] = A_ARM,
		[LA_FDTOPT_HOST_TOPO] = A_ARM, [LA_FDTOPT_SYSFS_ROOT] = A_ARM,
		[LA_FDTOPT_HOSTCPU] = A_ARM, [LA_FDTOPT_AIA_IDS] = A_RV,
		[LA_FDTOPT_AIA_SOURCES] = A_RV, [LA_FDTOPT_TIMEBASE] = A_RV,
		[LA_FDTOPT_IRQCHIP] = A_RV,
		[LA_FDTOPT_SEED] = A_X86 | A_ARM | A_RV,
	};
	const struct la_arch_ops *arch = cfg->arch;

	for (int k = 0; k < LA_FDTOPT_COUNT; k++)
		if (o->arg[k] && !(only[k] & (1u << arch->id)))
			la_cli_fail(la_fdtopts_name(k), *o->arg[k] ? o->arg[k] : NULL, 2,
				    "not used in the %s device tree", arch->name);
	if (o->arg[LA_FDTOPT_IRQCHIP] && o->irqchip_x86)
		la_cli_fail("--irqchip", o->arg[LA_FDTOPT_IRQCHIP], 2, "not aia or plic (x86_64's "
			    "irqchips are not the tree's)");
	if (o->irqchip == LA_RV_IRQCHIP_PLIC &&
	    (o->arg[LA_FDTOPT_AIA_IDS] || o->arg[LA_FDTOPT_AIA_SOURCES])) {
		enum la_fdtopt k = o->arg[LA_FDTOPT_AIA_IDS] ? LA_FDTOPT_AIA_IDS
							      : LA_FDTOPT_AIA_SOURCES;

		la_cli_fail(la_fdtopts_name(k), o->arg[k], 2, "no AIA with --irqchip plic");
	}
	if (o->nested && o->gic != LA_GIC_V3)
		la_cli_fail("--nested", NULL, 2, "needs --gic v3");
	if (o->its && o->gic != LA_GIC_V3)
		la_cli_fail("--its", NULL, 2, "%s", la_strerror(-LA_ERR_ITSGICV2));
	if (o->gic == LA_GIC_V2 && cfg->cpus > 8)
		la_cli_fail("--gic", "v2", 2, "%s", la_strerror(-LA_ERR_GICV2CPUS));
	if (o->host_topo && o->hostcpu)
		la_cli_fail("--hostcpu", o->hostcpu, 2, "give --host-cpu-topology or --hostcpu, "
			    "not both");
	if (o->sysfs_root && !o->host_topo)
		la_cli_fail("--sysfs-root", o->sysfs_root, 2, "needs --host-cpu-topology");
	if ((o->host_topo || o->hostcpu) && (o->cpu_capacity || o->cpu_clusters))
		la_cli_fail(o->cpu_capacity ? "--cpu-capacity" : "--cpu-clusters",
			    o->cpu_capacity ? o->cpu_capacity : o->cpu_clusters, 2,
			    "the host topology gives capacities and clusters");
}

/* static: large, and still reachable if we exit on an error. Read from
 * sysfs before any sandbox, or parsed from JSON inside it. */
static struct la_host_topo la_fdtopts_topo;
static bool la_fdtopts_topo_read;

/* The host topology: sysfs (--host-cpu-topology) or la-hostcpu JSON. */
static void la_fdtopts_read_host(const struct la_fdtopts *o, const struct la_vm_config *cfg,
				 struct la_host_topo *t)
{
	const char *opt = o->hostcpu ? "--hostcpu" : "--host-cpu-topology";
	const char *val = o->hostcpu ? o->hostcpu : o->sysfs_root;
	char detail[LA_HOSTCPU_MSG_MAX + 32];
	int err;

	if (o->hostcpu) {
		err = la_host_topo_parse_json(o->hostcpu_json, o->hostcpu_json_len, t, detail,
					      sizeof(detail));
	} else {
		struct la_hostcpu_opts ho = { .sysfs_root = o->sysfs_root };
		struct la_hostcpu h;

		err = cfg->arch->host_cpu_read(&ho, &h);
		if (err)
			snprintf(detail, sizeof(detail), "%s", h.msg);
		else
			err = la_host_topo_from_hostcpu(&h, t, detail, sizeof(detail));
		la_hostcpu_free(&h);
	}
	if (err)
		la_cli_fail(opt, val, 1, "%s: %s", la_strerror(err), detail);
}

void la_fdtopts_read(struct la_fdtopts *o, const struct la_vm_config *cfg)
{
	char why[LA_FILE_WHY_MAX];
	void *buf;

	if (o->hostcpu) {
		if (la_file_read(o->hostcpu, LA_FILE_STDIN | LA_FILE_PIPE, LA_FDTOPTS_MAX_FILE,
				 &buf, &o->hostcpu_json_len, why))
			la_cli_fail("--hostcpu", o->hostcpu, 1, "%s", why);
		o->hostcpu_json = buf;
		/* jansson seeds its hash tables from /dev/urandom on first use:
		 * now, not in a sandbox */
		json_object_seed(0);
	} else if (o->host_topo) {
		la_fdtopts_read_host(o, cfg, &la_fdtopts_topo);
		la_fdtopts_topo_read = true;
	}
}

void la_fdtopts_free(struct la_fdtopts *o)
{
	free(o->hostcpu_json);
	o->hostcpu_json = NULL;
}

static const char *la_vcpu_reason(int err)
{
	return err == -LA_ERR_BADVALUE ? "expected CPU=VALUE, comma-separated, decimal"
				       : la_strerror(err);
}

/* crosvm's --host-cpu-topology: capacities and clusters from the host,
 * and with --virt-cpufreq the host's frequency tables where the user gave
 * none. */
static void la_fdtopts_host_vcpus(const struct la_fdtopts *o, const struct la_vm_config *cfg,
				  struct la_vcpu_props *props, struct la_cpu_clusters *clusters)
{
	static struct la_vcpu_props host[LA_MAX_VCPUS];
	const char *opt = o->hostcpu ? "--hostcpu" : "--host-cpu-topology";
	unsigned n = cfg->cpus;
	char detail[256];
	bool want_freqs = o->virt_cpufreq != LA_VIRT_CPUFREQ_NONE && !o->cpu_freqs;

	if (!la_fdtopts_topo_read)
		la_fdtopts_read_host(o, cfg, &la_fdtopts_topo);
	if (la_vcpu_from_host(&la_fdtopts_topo, n, want_freqs, host, clusters, detail,
			      sizeof(detail)))
		la_cli_fail(opt, o->hostcpu ? o->hostcpu : o->sysfs_root, 1, "%s: %s",
			    la_strerror(-LA_ERR_HOSTJSON), detail);
	for (unsigned v = 0; v < n; v++) {
		props[v].has_capacity = host[v].has_capacity;
		props[v].capacity = host[v].capacity;
		if (want_freqs) {
			props[v].n_freqs = host[v].n_freqs;
			memcpy(props[v].freqs_khz, host[v].freqs_khz, sizeof(host[v].freqs_khz));
		}
	}
}

/* vCPU properties from options or the host topology. */
static void la_fdtopts_vcpus(const struct la_fdtopts *o, const struct la_vm_config *cfg,
			     struct la_vcpu_props *props, struct la_cpu_clusters *clusters)
{
	unsigned n = cfg->cpus;
	int err;

	if (o->cpu_capacity && (err = la_vcpu_parse_capacity(o->cpu_capacity, n, props)))
		la_cli_fail("--cpu-capacity", o->cpu_capacity, 2, "%s", la_vcpu_reason(err));
	if (o->cpu_freqs && (err = la_vcpu_parse_freqs(o->cpu_freqs, n, props)))
		la_cli_fail("--cpu-frequencies-khz", o->cpu_freqs, 2, "%s",
			    err == -LA_ERR_BADVALUE ? "expected CPU=KHZ:KHZ..., comma-separated"
						    : la_strerror(err));
	if (o->cpu_clusters && (err = la_cpu_clusters_parse(o->cpu_clusters, n, clusters)))
		la_cli_fail("--cpu-clusters", o->cpu_clusters, 2, "%s", la_strerror(err));
	if (o->hostcpu || o->host_topo)
		la_fdtopts_host_vcpus(o, cfg, props, clusters);
}

void la_fdtopts_apply(const struct la_fdtopts *o, const struct la_vm_config *cfg,
		      struct la_fdt_config *fc)
{
	static struct la_vcpu_props props[LA_MAX_VCPUS];
	static struct la_cpu_clusters clusters;

	if (cfg->cpus > LA_MAX_VCPUS)
		la_cli_fail("--cpus", NULL, 2, "at most %d", LA_MAX_VCPUS);
	memset(props, 0, sizeof(props));
	memset(&clusters, 0, sizeof(clusters));
	la_fdtopts_vcpus(o, cfg, props, &clusters);
	fc->gic = o->gic;
	fc->its = o->its;
	fc->pmu = !o->no_pmu;
	fc->psci_major = o->psci_major;
	fc->psci_minor = o->psci_minor;
	fc->nested = o->nested;
	fc->virt_cpufreq = o->virt_cpufreq;
	fc->aia_num_ids = o->aia_ids;
	fc->aia_num_sources = o->aia_sources;
	fc->timebase_hz = o->timebase;
	fc->irqchip = o->irqchip;
	fc->vcpu = props;
	fc->clusters = &clusters;
	if (o->seed_set)
		la_fdt_seed_fill(fc, o->seed);
	else if (la_fdt_seed_random(fc))
		la_cli_fail(NULL, NULL, 1, "cannot read random bytes: %s", strerror(errno));
}
