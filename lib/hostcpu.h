/* SPDX-License-Identifier: MIT */
/*
 * The host's CPU topology as crosvm's LinuxArch sees it (its four
 * get_host_cpu_* queries): per online CPU the available frequencies, the
 * maximum frequency and the capacity, and the CPU clusters.
 *
 * Everything is read below a sysfs root (default /sys), so tests point it
 * at canned trees. The CPU ids come from that tree too (possible, else the
 * cpuN folders), never from sysconf() of the machine running the code:
 * crosvm uses _SC_NPROCESSORS_CONF, which would mix a canned tree with the
 * live machine.
 *
 * Each map is all-or-nothing, as in crosvm: either every online CPU has a
 * value, or the map is absent and its status says which file failed and
 * why. A missing map never fails the whole read.
 */
#ifndef LA_HOSTCPU_H
#define LA_HOSTCPU_H

#include <stdbool.h>
#include <stdint.h>

#define LA_HOSTCPU_MSG_MAX 512

/* The maps, in output order; their names are the JSON keys. */
enum la_hostcpu_map {
	LA_HOSTCPU_ONLINE,      /* "online" */
	LA_HOSTCPU_FREQUENCIES, /* "frequencies_khz" */
	LA_HOSTCPU_MAX_FREQ,    /* "max_freq_khz" */
	LA_HOSTCPU_CAPACITY,    /* "capacity" */
	LA_HOSTCPU_CLUSTERS,    /* "clusters" */
	LA_HOSTCPU_NMAPS,
};

/* Where cluster ids come from. */
enum la_hostcpu_clusters_by {
	LA_HOSTCPU_BY_PACKAGE, /* topology/physical_package_id (crosvm) */
	LA_HOSTCPU_BY_CLUSTER, /* topology/cluster_cpus_list */
};

/* How the online CPUs were found. */
enum la_hostcpu_online_from {
	LA_HOSTCPU_ONLINE_FILE,    /* devices/system/cpu/online */
	LA_HOSTCPU_ONLINE_PER_CPU, /* cpuN/online, that file missing or bad */
	LA_HOSTCPU_ONLINE_NONE,    /* no sysfs read: la_hostcpu_empty() */
};

struct la_hostcpu_opts {
	const char *sysfs_root; /* NULL: "/sys" */
	enum la_hostcpu_clusters_by clusters_by;
	bool raw_capacity;      /* skip capacity normalisation */
};

/* One map's outcome: err 0 and msg "" when present; otherwise the map is
 * absent (except "online", which always has an answer; its err reports a
 * bad file that was worked around) and msg is "<file>: <reason>". */
struct la_hostcpu_status {
	int err; /* 0 or -LA_ERR_* */
	char msg[LA_HOSTCPU_MSG_MAX];
};

/* One CPU of the tree. The map values are valid for online CPUs whose map
 * is present. */
struct la_hostcpu_cpu {
	unsigned id;
	bool online;
	unsigned nfreqs;
	uint32_t *freqs_khz;   /* scaling_available_frequencies, file order */
	uint32_t max_freq_khz; /* cpufreq/cpuinfo_max_freq */
	uint32_t capacity;     /* cpu_capacity, normalised unless told not to */
	int cluster;           /* index into clusters, -1 if none */
};

struct la_cpuset {
	unsigned n;
	unsigned *cpu; /* ascending */
};

struct la_hostcpu {
	unsigned ncpus;
	struct la_hostcpu_cpu *cpu; /* ascending ids */
	enum la_hostcpu_online_from online_from;
	bool capacity_normalised;
	uint32_t norm_max_khz; /* the largest cpuinfo_max_freq, when normalised */
	char norm_off[LA_HOSTCPU_MSG_MAX]; /* why not normalised ("" if it was) */
	unsigned nclusters;
	struct la_cpuset *cluster; /* sorted, no duplicates */
	struct la_hostcpu_status status[LA_HOSTCPU_NMAPS];
	char msg[LA_HOSTCPU_MSG_MAX]; /* why la_hostcpu_read failed */
};

/* la_hostcpu_read - read the CPU ids, the online CPUs and the four maps
 * below opts->sysfs_root. On success the maps that could not be read are
 * absent, with their reason in h->status. The result owns heap memory:
 * release it with la_hostcpu_free() (also after a failure).
 * returns: 0; -LA_ERR_CPULIST, -LA_ERR_CPURANGE, -LA_ERR_CPUID or
 *          -LA_ERR_TOOMANY (possible is malformed), -LA_ERR_NOCPUS (neither
 *          possible nor cpuN folders), -LA_ERR_NOMEM; h->msg says why */
int la_hostcpu_read(const struct la_hostcpu_opts *opts, struct la_hostcpu *h);

/* la_hostcpu_empty - the answer of an arch without host CPU queries
 * (crosvm's x86_64 and riscv64): no CPUs, every map present and empty. */
void la_hostcpu_empty(struct la_hostcpu *h);

/* la_hostcpu_free - release what la_hostcpu_read allocated; h is then
 * empty. */
void la_hostcpu_free(struct la_hostcpu *h);

/* la_hostcpu_map_name - "online", "frequencies_khz", "max_freq_khz",
 * "capacity", "clusters". */
const char *la_hostcpu_map_name(enum la_hostcpu_map m);

/* la_hostcpu_present - whether map m was read (not for ONLINE, which is
 * always present). */
static inline bool la_hostcpu_present(const struct la_hostcpu *h, enum la_hostcpu_map m)
{
	return h->status[m].err == 0;
}

/* la_hostcpu_has_errors - any map reports an error (--strict fails). */
bool la_hostcpu_has_errors(const struct la_hostcpu *h);

/* la_hostcpu_online_count - the number of online CPUs. */
unsigned la_hostcpu_online_count(const struct la_hostcpu *h);

/* la_hostcpu_normalise_capacity - crosvm's capacity normalisation:
 * capacity * host_max_khz / max_khz in 64-bit integer arithmetic (rounded
 * down), where max_khz is this CPU's cpuinfo_max_freq and host_max_khz the
 * largest of all CPUs'.
 * returns: 0, -LA_ERR_ZEROFREQ (max_khz is 0), -LA_ERR_CAPOVERFLOW */
int la_hostcpu_normalise_capacity(uint32_t capacity, uint32_t max_khz,
				  uint32_t host_max_khz, uint32_t *out);

/* la_clusters_by_parse - "package" or "cluster".
 * returns: 0, -LA_ERR_BADVALUE */
int la_clusters_by_parse(const char *s, enum la_hostcpu_clusters_by *out);
/* la_clusters_by_name - the file a cluster source reads: "physical_package_id"
 * or "cluster_cpus_list". */
const char *la_clusters_by_name(enum la_hostcpu_clusters_by c);

#endif
