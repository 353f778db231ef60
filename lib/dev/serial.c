/* SPDX-License-Identifier: MIT */
/*
 * The 16550A UARTs COM1..COM4 as crosvm places them (§1.4): on the IO bus
 * on x86_64 (edge IRQ 4 for COM1/COM3, 3 for COM2/COM4), on the MMIO bus at
 * the same addresses on aarch64 (edge SPI 0 and 2) and riscv64 (IRQ left
 * unwired, no tree node).
 */
#include "arch/x86_64.h"
#include "dev/dev.h"
#include "fdt/fdt.h"

#define LA_COM1 0x3f8
#define LA_COM2 0x2f8
#define LA_COM3 0x3e8
#define LA_COM4 0x2e8
#define LA_SERIAL_CLOCK_HZ 1843200 /* the tree's clock-frequency */

const uint64_t la_serial_addr[LA_SERIAL_MAX] = { LA_COM1, LA_COM2, LA_COM3, LA_COM4 };

/* aarch64: U6_16550A@ADDR, as crosvm names it (stdout-path points at
 * COM1's). */
static void la_serial_fdt_node(struct la_fdt_w *w, const struct la_dev_inst *d,
			       const struct la_irq_cells *ic, const struct la_fdt_config *fc)
{
	const struct la_grant *mmio = la_dev_inst_grant(d, LA_RES_MMIO, 0);
	const struct la_grant *irq = la_dev_inst_grant(d, LA_RES_IRQ, 0);

	(void)fc;
	if (!mmio)
		return;
	la_fdt_w_begin_nodef(w, "U6_16550A@%llx", (unsigned long long)mmio->range.start);
	la_fdt_w_str(w, "compatible", "ns16550a");
	la_fdt_w_reg(w, mmio->range.start, la_range_len(mmio->range));
	la_fdt_w_u32(w, "clock-frequency", LA_SERIAL_CLOCK_HZ);
	if (irq)
		la_fdt_w_irq(w, ic, irq->value, LA_DT_IRQ_EDGE_RISING, false);
	la_fdt_w_end_node(w);
}

#define LA_COM(var, nm, addr, x86irq, armirq, what_)                                         \
	const struct la_dev_desc var = {                                                     \
		.name = nm, .kind = "serial", .what = what_,                                 \
		.arch = {                                                                    \
			[LA_ARCH_X86_64] = { 2, { LA_NEED_FIXED_IO(addr, LA_SERIAL_SIZE,     \
								   "16550 UART"),            \
						  LA_NEED_FIXED_IRQ(x86irq, "edge") } },     \
			[LA_ARCH_AARCH64] = { 2, { LA_NEED_FIXED_MMIO(addr, LA_SERIAL_SIZE,  \
								      "16550 UART"),         \
						   LA_NEED_FIXED_IRQ(armirq, "SPI, edge") } }, \
			[LA_ARCH_RISCV64] = { 1, { LA_NEED_FIXED_MMIO(addr, LA_SERIAL_SIZE,  \
								      "16550 UART, IRQ unwired") } }, \
		},                                                                           \
		.fdt_node = la_serial_fdt_node,                                              \
	}

LA_COM(la_dev_com1, "com1", LA_COM1, LA_X86_SERIAL_1_3_IRQ, 0, "serial port COM1 (ttyS0)");
LA_COM(la_dev_com2, "com2", LA_COM2, LA_X86_SERIAL_2_4_IRQ, 2, "serial port COM2 (ttyS1)");
LA_COM(la_dev_com3, "com3", LA_COM3, LA_X86_SERIAL_1_3_IRQ, 0, "serial port COM3 (ttyS2)");
LA_COM(la_dev_com4, "com4", LA_COM4, LA_X86_SERIAL_2_4_IRQ, 2, "serial port COM4 (ttyS3)");
