/* SPDX-License-Identifier: MIT */
/*
 * The vCPU stall detector crosvm gives every aarch64 VM (§4.5 step 15,
 * §4.7 node 17): 4 KiB of MMIO at 0x3000 and the per-CPU interrupt PPI 15
 * (edge), a 2 Hz clock and a 10 s timeout. la-vmrun does not run its
 * registers yet; the tree and la-alloc show where it is.
 */
#include "dev/dev.h"
#include "fdt/fdt.h"

#define LA_VMWDT_CLOCK_HZ 2
#define LA_VMWDT_TIMEOUT_S 10

static void la_vmwdt_fdt_node(struct la_fdt_w *w, const struct la_dev_inst *d,
			      const struct la_irq_cells *ic, const struct la_fdt_config *fc)
{
	const struct la_grant *mmio = la_dev_inst_grant(d, LA_RES_MMIO, 0);
	const struct la_grant *irq = la_dev_inst_grant(d, LA_RES_IRQ, 0);

	(void)fc;
	if (!mmio || !irq)
		return;
	la_fdt_w_begin_nodef(w, "vmwdt@%llx", (unsigned long long)mmio->range.start);
	la_fdt_w_str(w, "compatible", "qemu,vcpu-stall-detector");
	la_fdt_w_reg(w, mmio->range.start, la_range_len(mmio->range));
	la_fdt_w_u32(w, "clock-frequency", LA_VMWDT_CLOCK_HZ);
	la_fdt_w_u32(w, "timeout-sec", LA_VMWDT_TIMEOUT_S);
	la_fdt_w_irq(w, ic, irq->value, LA_DT_IRQ_EDGE_RISING, true);
	la_fdt_w_end_node(w);
}

const struct la_dev_desc la_dev_vmwdt = {
	.name = "vmwdt", .kind = "vmwdt", .what = "vCPU stall detector (watchdog)",
	.arch = {
		[LA_ARCH_AARCH64] = { 2, { LA_NEED_FIXED_MMIO(0x3000, 0x1000, "vCPU stall detector"),
					   LA_NEED_FIXED_IRQ(15, "PPI (per vCPU), edge") } },
	},
	.fdt_node = la_vmwdt_fdt_node,
	.fdt_order = LA_FDT_ORDER_VMWDT,
};
