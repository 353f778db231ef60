/* SPDX-License-Identifier: MIT */
/* The i8042's reset line (x86_64, §3.6 step 9): ports 0x62-0x64, since
 * KVM's in-kernel PIT owns port 0x61. */
#include "arch/x86_64.h"
#include "dev/dev.h"

const struct la_dev_desc la_dev_i8042 = {
	.name = "i8042", .kind = "i8042", .what = "i8042 reset port (KVM's PIT owns port 0x61)",
	.arch = { [LA_ARCH_X86_64] = { 1, { LA_NEED_FIXED_IO(LA_X86_I8042_IO, 3, "i8042") } } },
};
