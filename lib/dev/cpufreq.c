/* SPDX-License-Identifier: MIT */
/*
 * Virtual cpufreq (aarch64, §4.5 step 18, §4.7 nodes 18 and 20): a 64 KiB
 * window at 0x104_0000. The tree always has a `cpufreq` node; when vCPUs
 * have frequency tables it gets registers in the window: v1 8 bytes per
 * vCPU, v2 4 KiB per vCPU and its own compatible. la-alloc grants the
 * whole window.
 */
#include "dev/dev.h"
#include "fdt/fdt.h"
#include "err.h"

#define LA_CPUFREQ_BASE 0x1040000ULL
#define LA_CPUFREQ_WINDOW 0x10000ULL
#define LA_CPUFREQ_V1_SIZE 8ULL
#define LA_CPUFREQ_V2_SIZE 0x1000ULL

static void la_cpufreq_fdt_node(struct la_fdt_w *w, const struct la_dev_inst *d,
				const struct la_irq_cells *ic, const struct la_fdt_config *fc)
{
	const struct la_grant *mmio = la_dev_inst_grant(d, LA_RES_MMIO, 0);
	uint64_t per_vcpu = fc->virt_cpufreq == LA_VIRT_CPUFREQ_V2 ? LA_CPUFREQ_V2_SIZE
								    : LA_CPUFREQ_V1_SIZE;
	unsigned n = fc->cfg->cpus;
	bool freqs = false;

	(void)ic;
	if (!mmio)
		return;
	/* crosvm checks vcpu * 8 + size against the window, even for v2 */
	for (unsigned i = 0; i < n; i++) {
		if (!fc->vcpu[i].n_freqs)
			continue;
		freqs = true;
		if (i * LA_CPUFREQ_V1_SIZE + per_vcpu > la_range_len(mmio->range))
			la_fdt_w_fail(w, -LA_ERR_VIRTFREQ);
	}
	la_fdt_w_begin_node(w, "cpufreq");
	if (freqs && fc->virt_cpufreq == LA_VIRT_CPUFREQ_V2)
		la_fdt_w_str(w, "compatible", "qemu,virtual-cpufreq");
	else
		la_fdt_w_str(w, "compatible", "virtual,kvm-cpufreq");
	if (freqs)
		la_fdt_w_reg(w, mmio->range.start, per_vcpu * n);
	la_fdt_w_end_node(w);
}

const struct la_dev_desc la_dev_cpufreq = {
	.name = "cpufreq", .kind = "cpufreq", .what = "virtual cpufreq registers",
	.arch = {
		[LA_ARCH_AARCH64] = { 1, { LA_NEED_FIXED_MMIO(LA_CPUFREQ_BASE, LA_CPUFREQ_WINDOW,
							      "virtual cpufreq window") } },
	},
	.fdt_node = la_cpufreq_fdt_node,
	.fdt_order = LA_FDT_ORDER_CPUFREQ,
};
