/* SPDX-License-Identifier: MIT */
/* The devices x86_64's build_vm creates (lib/dev/platform.h): la-alloc
 * --platform, la-mkfdt and la-vmrun walk this list. A new device: one
 * line here, its file below lib/dev/ and its line in lib/dev/registry.c. */
#include <stddef.h>

#include "dev/platform.h"

/* build_vm's devices, in its order (§3.6 steps 9-14). */
const struct la_platform_dev la_x86_64_devices[] = {
	{ "i8042", &la_dev_i8042, LA_PLAT_ALWAYS },
	{ "rtc", &la_dev_rtc, LA_PLAT_ALWAYS },
	{ "com1", &la_dev_com1, LA_PLAT_SERIAL },
	{ "com2", &la_dev_com2, LA_PLAT_SERIAL },
	{ "com3", &la_dev_com3, LA_PLAT_SERIAL },
	{ "com4", &la_dev_com4, LA_PLAT_SERIAL },
	{ "debugcon", &la_dev_debugcon, LA_PLAT_ALWAYS },
	{ "post", &la_dev_post, LA_PLAT_ALWAYS },      /* la's own: boot timing */
	{ "acpi-pm", &la_dev_acpi_pm, LA_PLAT_ACPI },
	{ NULL, NULL, 0 },
};
