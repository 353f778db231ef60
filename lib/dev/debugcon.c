/* SPDX-License-Identifier: MIT */
/* The debug console port (x86_64, §3.6 step 12): bytes written to 0x402
 * go to la-vmrun's --debugcon file. */
#include "arch/x86_64.h"
#include "dev/dev.h"

const struct la_dev_desc la_dev_debugcon = {
	.name = "debugcon", .kind = "debugcon", .what = "debug console port",
	.arch = { [LA_ARCH_X86_64] = { 1, { LA_NEED_FIXED_IO(LA_X86_DEBUGCON_IO, 1, "debugcon") } } },
};
