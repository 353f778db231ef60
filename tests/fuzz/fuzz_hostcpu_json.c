/* SPDX-License-Identifier: MIT */
/*
 * la-hostcpu's JSON as --hostcpu FILE reads it (la_host_topo_parse_json),
 * then turned into vCPU properties as --host-cpu-topology does
 * (la_vcpu_from_host). The first byte: vCPUs (1-256) and whether
 * frequencies are wanted; the rest is the file.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "hostcpu_json.h"

static struct la_host_topo topo;
static struct la_vcpu_props props[LA_MAX_VCPUS];
static struct la_cpu_clusters cl;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	uint8_t b = fz_u8(&f);
	char detail[256];

	if (la_host_topo_parse_json((const char *)f.p, f.n, &topo, detail, sizeof(detail)))
		return 0;
	la_vcpu_from_host(&topo, 1 + (b & 0x7f) * 2, b & 0x80, props, &cl, detail,
			  sizeof(detail));
	return 0;
}
