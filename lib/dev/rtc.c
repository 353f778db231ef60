/* SPDX-License-Identifier: MIT */
/*
 * The real-time clock build_vm gives each arch: the CMOS RTC at IO 0x70
 * with edge IRQ 8 on x86_64 (§3.7), a PL030 at MMIO 0x2000 with SPI 1 on
 * aarch64 (§4.5 step 15); riscv64 has none. On aarch64 the tree has the
 * PL030 and, just before it, the APB clock it names.
 */
#include "arch/x86_64.h"
#include "dev/dev.h"
#include "fdt/fdt.h"

#define LA_PL030_PERIPH_ID 0x00041030
#define LA_PCLK_HZ 3141592
#define LA_PCLK_PHANDLE 24

static void la_rtc_fdt_node(struct la_fdt_w *w, const struct la_dev_inst *d,
			    const struct la_irq_cells *ic, const struct la_fdt_config *fc)
{
	const struct la_grant *mmio = la_dev_inst_grant(d, LA_RES_MMIO, 0);
	const struct la_grant *irq = la_dev_inst_grant(d, LA_RES_IRQ, 0);

	(void)fc;
	if (!mmio || !irq)
		return;
	la_fdt_w_begin_node(w, "pclk@3M");
	la_fdt_w_u32(w, "#clock-cells", 0);
	la_fdt_w_str(w, "compatible", "fixed-clock");
	la_fdt_w_u32(w, "clock-frequency", LA_PCLK_HZ);
	la_fdt_w_u32(w, "phandle", LA_PCLK_PHANDLE);
	la_fdt_w_end_node(w);

	la_fdt_w_begin_nodef(w, "rtc@%llx", (unsigned long long)mmio->range.start);
	la_fdt_w_str(w, "compatible", "arm,primecell");
	la_fdt_w_u32(w, "arm,primecell-periphid", LA_PL030_PERIPH_ID);
	la_fdt_w_reg(w, mmio->range.start, la_range_len(mmio->range));
	/* crosvm registers the PL030's SPI as edge but writes level-high */
	la_fdt_w_irq(w, ic, irq->value, LA_DT_IRQ_LEVEL_HIGH, false);
	la_fdt_w_u32(w, "clocks", LA_PCLK_PHANDLE);
	la_fdt_w_str(w, "clock-names", "apb_pclk");
	la_fdt_w_end_node(w);
}

const struct la_dev_desc la_dev_rtc = {
	.name = "rtc", .kind = "rtc", .what = "real-time clock: x86 CMOS, aarch64 PL030",
	.arch = {
		[LA_ARCH_X86_64] = { 2, { LA_NEED_FIXED_IO(LA_X86_CMOS_IO, 2, "CMOS/RTC"),
					  LA_NEED_FIXED_IRQ(LA_X86_RTC_IRQ, "edge") } },
		[LA_ARCH_AARCH64] = { 2, { LA_NEED_FIXED_MMIO(0x2000, 0x1000, "PL030 RTC"),
					   LA_NEED_FIXED_IRQ(1, "SPI, edge") } },
	},
	.fdt_node = la_rtc_fdt_node,
};
