/* SPDX-License-Identifier: MIT */
/* la-alloc internals: the parsed requests, the state they run against, and
 * the output. */
#ifndef LA_CMD_ALLOC_H
#define LA_CMD_ALLOC_H

#include <argp.h>
#include <stdbool.h>

#include "addr_alloc.h"
#include "dev/platform.h"
#include "sys_alloc.h"
#include "vmopts.h"


enum la_req_type {
	LA_REQ_MMIO, LA_REQ_IO, LA_REQ_IRQ, LA_REQ_GPE, LA_REQ_PCI, LA_REQ_AT,
	LA_REQ_RESERVE, LA_REQ_RELEASE, LA_REQ_PSTORE, LA_REQ_MMIO_RANGE, LA_REQ_DEVICE,
	LA_REQ_POOL, LA_REQ_ALLOC, LA_REQ_HOTPLUG,
};

/* One request, parsed and checked when argp sees it. */
struct la_req {
	enum la_req_type type;
	const char *opt;             /* "--mmio" */
	const char *arg;             /* as given */
	char name[LA_ALLOC_NAME_MAX];/* NAME, or a device's name= ("" if none) */
	uint64_t size;
	bool has_size;
	struct la_range range;
	struct la_mmio_opts mmio;
	bool has_align;
	uint64_t align;
	bool reverse;
	uint8_t bus;
	const struct la_dev_desc *dev; /* --device, --pstore */
	bool serial_auto;              /* --device serial */
};

/* A request that could not be met. */
struct la_failure {
	const struct la_req *req;
	int err;
	char reason[160];
};

struct la_alloc_args {
	struct la_vmopts vm;
	bool json, keep_going, pool_mode, platform;
	struct la_req *req;
	unsigned nreq;
	struct la_addr_alloc_opts pool_opts;
	const char *min_align_arg, *pref_align_arg;

	/* state while running */
	unsigned phys_bits;
	const char *phys_bits_source;
	struct la_sys_alloc_config config;
	struct la_sys_alloc sa;
	struct la_platform devs;
	struct la_addr_alloc pool;       /* pool mode */
	struct la_grant *grants;
	unsigned ngrants;
	struct la_failure *failures;
	unsigned nfailures;
	unsigned nreserve;               /* --reserve-mmio requests so far */
	unsigned devcount[32];           /* --device requests per registry row */
};

/* la_alloc_check_mode - after parsing: pool mode or arch mode, and the
 * options that belong to the other one (exit 2). */
void la_alloc_check_mode(struct argp_state *state, struct la_alloc_args *a);

/* la_alloc_run - build the allocator, carry out the requests, print.
 * returns: the exit status */
int la_alloc_run(struct la_alloc_args *a);

/* la_alloc_print_text / _json - the configuration, grants, failures and
 * free ranges. */
void la_alloc_print_text(const struct la_alloc_args *a);
void la_alloc_print_json(const struct la_alloc_args *a);

#endif
