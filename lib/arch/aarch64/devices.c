/* SPDX-License-Identifier: MIT */
/* The devices aarch64's build_vm creates (lib/dev/platform.h): la-alloc
 * --platform, la-mkfdt and la-vmrun walk this list. A new device: one
 * line here, its file below lib/dev/ and its line in lib/dev/registry.c. */
#include <stddef.h>

#include "dev/platform.h"

/* build_vm's devices, in its order (§4.5 steps 15, 16, 18). */
const struct la_platform_dev la_aarch64_devices[] = {
	{ "rtc", &la_dev_rtc, LA_PLAT_ALWAYS },
	{ "vmwdt", &la_dev_vmwdt, LA_PLAT_ALWAYS },
	{ "com1", &la_dev_com1, LA_PLAT_SERIAL },
	{ "com2", &la_dev_com2, LA_PLAT_SERIAL },
	{ "com3", &la_dev_com3, LA_PLAT_SERIAL },
	{ "com4", &la_dev_com4, LA_PLAT_SERIAL },
	{ "cpufreq", &la_dev_cpufreq, LA_PLAT_ALWAYS },
	{ NULL, NULL, 0 },
};
