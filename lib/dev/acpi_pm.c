/* SPDX-License-Identifier: MIT */
/*
 * The ACPI PM block (x86_64, §3.6 step 14): PM1a event (4 ports), PM1a
 * control (4) and GPE0 (64) in 72 ports from the allocator's IO pool
 * (4-aligned; the pool's 0x400 minimum wins, so 0xc000 in a fresh VM), and
 * the SCI, level-triggered IRQ 5. Only in VMs with ACPI tables.
 */
#include "arch/x86_64.h"
#include "dev/dev.h"

#define LA_ACPI_PM_ALIGN 4

const struct la_dev_desc la_dev_acpi_pm = {
	.name = "acpi-pm", .kind = "acpi-pm", .what = "ACPI PM1 event/control and GPE0 blocks",
	.arch = {
		[LA_ARCH_X86_64] = { 2, {
			{ .kind = LA_RES_IO, .how = LA_NEED_IO, .role = "io",
			  .size = LA_X86_PM_IO_LEN, .align = LA_ACPI_PM_ALIGN,
			  .tag = "ACPI PM1a event/control, GPE0" },
			{ .kind = LA_RES_IRQ, .how = LA_NEED_FIXED, .role = "sci",
			  .base = LA_X86_SCI_IRQ, .size = 1, .tag = "SCI, level" },
		} },
	},
};
