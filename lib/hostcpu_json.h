/* SPDX-License-Identifier: MIT */
/*
 * The host CPU topology as `la-hostcpu --json` prints it (issue 4):
 * online (array of ids), frequencies_khz (id -> array of kHz),
 * max_freq_khz (id -> kHz), capacity (id -> capacity), clusters (array of
 * arrays of ids), errors (map -> message). A map the host could not read
 * is null. Parsed with jansson; turned into vCPU properties the way
 * crosvm's --host-cpu-topology does (crosvm-arch.md §7).
 */
#ifndef LA_HOSTCPU_JSON_H
#define LA_HOSTCPU_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vcpu_props.h"

#define LA_HOST_MAX_CPUS 1024

struct la_host_topo {
	unsigned n_online;
	unsigned online[LA_HOST_MAX_CPUS];
	bool has_freqs, has_max_freq, has_capacity, has_clusters;
	/* per host CPU id; n_freqs 0 / present false: not in the map */
	struct la_vcpu_props cpu[LA_HOST_MAX_CPUS];
	bool max_present[LA_HOST_MAX_CPUS];
	uint32_t max_freq_khz[LA_HOST_MAX_CPUS];
	struct la_cpu_clusters clusters;
	/* why a map is missing (errors member; la_hostcpu status) */
	char why[4][256]; /* frequencies, max freq, capacity, clusters */
};

struct la_hostcpu;

/* la_host_topo_from_hostcpu - the same facts from lib/hostcpu's sysfs read.
 * returns: 0, -LA_ERR_HOSTJSON (more CPUs, frequencies or cluster
 * members than the fixed tables hold) */
int la_host_topo_from_hostcpu(const struct la_hostcpu *h, struct la_host_topo *t,
			      char *detail, size_t dlen);

/* la_host_topo_parse_json - parse len bytes of la-hostcpu JSON into t.
 * detail (dlen bytes) says what is wrong on failure.
 * returns: 0, -LA_ERR_HOSTJSON */
int la_host_topo_parse_json(const char *json, size_t len, struct la_host_topo *t,
			    char *detail, size_t dlen);

/* la_vcpu_from_host - crosvm's --host-cpu-topology without vCPU
 * affinity: vCPU v stands on host CPU v. Every vCPU gets the host
 * capacity (1024 where the host has none); clusters are the host's,
 * restricted to vCPUs, empty ones dropped. With want_freqs, vCPUs take
 * the host CPU's frequency table too. As in crosvm, a map the host could
 * not read (capacity, clusters; frequencies when wanted) is an error.
 * returns: 0, -LA_ERR_HOSTJSON (detail: which map and why) */
int la_vcpu_from_host(const struct la_host_topo *t, unsigned ncpus, bool want_freqs,
		      struct la_vcpu_props *props, struct la_cpu_clusters *clusters,
		      char *detail, size_t dlen);

#endif
