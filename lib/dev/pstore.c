/* SPDX-License-Identifier: MIT */
/* The ramoops (pstore) region (§1.5): the allocator's reserved region at
 * the start of high MMIO, on every arch. */
#include "dev/dev.h"

#define LA_NEED_PSTORE_REGION \
	{ .kind = LA_RES_RESERVE, .how = LA_NEED_PSTORE, .role = "ramoops", .tag = "ramoops (pstore)" }

const struct la_dev_desc la_dev_pstore = {
	.name = "pstore", .kind = "pstore", .what = "ramoops region at the start of high MMIO",
	.arch = { { 1, { LA_NEED_PSTORE_REGION } }, { 1, { LA_NEED_PSTORE_REGION } },
		  { 1, { LA_NEED_PSTORE_REGION } } },
};
