/* SPDX-License-Identifier: MIT */
/*
 * vCPU properties and clusters as crosvm's VmComponents carries them
 * (crosvm-arch.md §1.2, §7): a capacity and a frequency table per vCPU,
 * and clusters of vCPUs. They come from options (--cpu-capacity,
 * --cpu-frequencies-khz, --cpu-clusters) or from the host's topology.
 */
#ifndef LA_VCPU_H
#define LA_VCPU_H

#include <stdbool.h>
#include <stdint.h>

#define LA_MAX_VCPUS 512
#define LA_MAX_FREQS 64             /* frequencies per CPU */
#define LA_MAX_CLUSTERS 64
#define LA_MAX_CLUSTER_ENTRIES 1024 /* CPU ids over all clusters */
#define LA_DEFAULT_CPU_CAPACITY 1024

struct la_vcpu_props {
	bool has_capacity;
	uint32_t capacity;
	unsigned n_freqs;
	uint32_t freqs_khz[LA_MAX_FREQS];
};

/* Ordered CPU sets (crosvm's CpuSet: not sorted, not de-duplicated);
 * set i is cpu[first[i] .. first[i+1]-1]. */
struct la_cpu_clusters {
	unsigned n;
	unsigned first[LA_MAX_CLUSTERS + 1];
	unsigned cpu[LA_MAX_CLUSTER_ENTRIES];
};

/* la_cpuset_parse_append - parse crosvm's CpuSet syntax "N" or "A-B",
 * comma-separated, and append it to c as one more set.
 * returns: 0, -LA_ERR_CPUSET (syntax, B < A), -LA_ERR_TOOMANY */
int la_cpuset_parse_append(const char *s, struct la_cpu_clusters *c);

/* la_cpu_clusters_parse - "SET;SET;..." (each a CpuSet); every id must be
 * below ncpus.
 * returns: 0, -LA_ERR_CPUSET, -LA_ERR_VCPUID, -LA_ERR_TOOMANY */
int la_cpu_clusters_parse(const char *s, unsigned ncpus, struct la_cpu_clusters *c);

/* la_vcpu_parse_capacity - "CPU=CAP,..." into props[CPU].capacity.
 * returns: 0, -LA_ERR_BADVALUE (syntax), -LA_ERR_VCPUID (CPU >= ncpus),
 * -LA_ERR_RANGE (capacity > 2^32-1), -LA_ERR_DUPCPU */
int la_vcpu_parse_capacity(const char *s, unsigned ncpus, struct la_vcpu_props *props);

/* la_vcpu_parse_freqs - "CPU=KHZ:KHZ:...,..." into props[CPU].freqs_khz.
 * returns: 0, -LA_ERR_BADVALUE, -LA_ERR_VCPUID, -LA_ERR_RANGE,
 * -LA_ERR_DUPCPU, -LA_ERR_TOOMANY (more than LA_MAX_FREQS) */
int la_vcpu_parse_freqs(const char *s, unsigned ncpus, struct la_vcpu_props *props);

#endif
