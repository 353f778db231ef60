/* SPDX-License-Identifier: MIT */
/* The devices riscv64's build_vm creates (lib/dev/platform.h): la-alloc
 * --platform, la-mkfdt and la-vmrun walk this list. A new device: one
 * line here, its file below lib/dev/ and its line in lib/dev/registry.c. */
#include <stddef.h>

#include "dev/platform.h"

/* build_vm's devices, in its order (§5.3 step 2), then la's PLIC (where
 * KVM offers no AIA). Unlike crosvm's, the UARTs have nodes and
 * interrupts in the tree. */
const struct la_platform_dev la_riscv64_devices[] = {
	{ "com1", &la_dev_com1, LA_PLAT_SERIAL },
	{ "com2", &la_dev_com2, LA_PLAT_SERIAL },
	{ "com3", &la_dev_com3, LA_PLAT_SERIAL },
	{ "com4", &la_dev_com4, LA_PLAT_SERIAL },
	{ "plic", &la_dev_plic, LA_PLAT_ALWAYS },
	{ NULL, NULL, 0 },
};
