/* SPDX-License-Identifier: MIT */
/*
 * Host CPU sysfs trees (la-hostcpu, --host-cpu-topology): la_hostcpu_read
 * under a --sysfs-root made fresh for each input in a private temporary
 * folder, then la_host_topo_from_hostcpu and la_vcpu_from_host as
 * la-mkfdt turns them into vCPU properties. The tree has cpu0..cpu7
 * folders; the input says the options (clusters by package or cluster,
 * raw capacity) and which of the files la reads exist and what they hold:
 * records of a file index (1 byte), a length (1 byte) and the text.
 */
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "hostcpu.h"
#include "hostcpu_json.h"

#define NCPU 8

static const char *const top_files[] = { "possible", "present", "online" };
static const char *const cpu_files[] = {
	"online", "cpu_capacity", "cpufreq/scaling_available_frequencies",
	"cpufreq/cpuinfo_max_freq", "topology/physical_package_id",
	"topology/cluster_cpus_list",
};
#define NTOP (sizeof(top_files) / sizeof(top_files[0]))
#define NPER (sizeof(cpu_files) / sizeof(cpu_files[0]))
#define NFILES (NTOP + NCPU * NPER)

static char root[64], base[128];
static struct la_host_topo topo;
static struct la_vcpu_props props[LA_MAX_VCPUS];
static struct la_cpu_clusters cl;

static void path(char *p, size_t len, unsigned i)
{
	if (i < NTOP)
		snprintf(p, len, "%s/%s", base, top_files[i]);
	else
		snprintf(p, len, "%s/cpu%u/%s", base, (unsigned)((i - NTOP) / NPER),
			 cpu_files[(i - NTOP) % NPER]);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *w)
{
	(void)st, (void)flag, (void)w;
	return remove(p);
}

static void cleanup(void)
{
	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* the tree, in memory where there is a tmpfs (a run is a few dozen
 * file operations), removed at exit */
static void setup(void)
{
	char p[256];

	if (root[0])
		return;
	snprintf(root, sizeof(root), "/dev/shm/la-fuzz-sysfs-XXXXXX");
	if (!mkdtemp(root)) {
		snprintf(root, sizeof(root), "/tmp/la-fuzz-sysfs-XXXXXX");
		if (!mkdtemp(root))
			abort();
	}
	atexit(cleanup);
	snprintf(base, sizeof(base), "%s/devices", root);
	mkdir(base, 0700);
	snprintf(base, sizeof(base), "%s/devices/system", root);
	mkdir(base, 0700);
	snprintf(base, sizeof(base), "%s/devices/system/cpu", root);
	mkdir(base, 0700);
	for (unsigned c = 0; c < NCPU; c++) {
		snprintf(p, sizeof(p), "%s/cpu%u", base, c);
		mkdir(p, 0700);
		snprintf(p, sizeof(p), "%s/cpu%u/cpufreq", base, c);
		mkdir(p, 0700);
		snprintf(p, sizeof(p), "%s/cpu%u/topology", base, c);
		mkdir(p, 0700);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	uint8_t o = fz_u8(&f);
	struct la_hostcpu_opts opts = { .sysfs_root = root,
					.clusters_by = (o & 1) ? LA_HOSTCPU_BY_CLUSTER :
								 LA_HOSTCPU_BY_PACKAGE,
					.raw_capacity = o & 2 };
	struct la_hostcpu h;
	char p[256], detail[256];

	setup();
	for (unsigned i = 0; i < NFILES; i++) {
		path(p, sizeof(p), i);
		unlink(p);
	}
	while (f.n) {
		unsigned i = fz_u8(&f) % NFILES;
		size_t len;
		const uint8_t *t = fz_bytes(&f, fz_u8(&f), &len);
		int fd;

		path(p, sizeof(p), i);
		fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0 || write(fd, t, len) != (ssize_t)len)
			abort();
		close(fd);
	}
	if (la_hostcpu_read(&opts, &h) == 0 &&
	    la_host_topo_from_hostcpu(&h, &topo, detail, sizeof(detail)) == 0)
		la_vcpu_from_host(&topo, 1 + (o >> 2), o & 0x80, props, &cl, detail,
				  sizeof(detail));
	la_hostcpu_free(&h);
	return 0;
}
