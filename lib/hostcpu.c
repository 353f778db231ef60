/* SPDX-License-Identifier: MIT */
/*
 * Host CPU information from sysfs, with crosvm's rules (base/src/sys/linux
 * and aarch64/src/lib.rs of crosvm; spec section 7). Files, per CPU id i,
 * below ROOT/devices/system/cpu:
 *
 *   possible                                CPU ids (else the cpuN folders)
 *   online, else cpu{i}/online              online CPUs
 *   cpu{i}/cpufreq/scaling_available_frequencies   frequencies_khz
 *   cpu{i}/cpufreq/cpuinfo_max_freq         max_freq_khz, normalisation
 *   cpu{i}/cpu_capacity                     capacity
 *   cpu{i}/topology/physical_package_id     clusters (crosvm)
 *   cpu{i}/topology/cluster_cpus_list       clusters (--clusters-by cluster)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpulist.h"
#include "err.h"
#include "hostcpu.h"

#define LA_SYSFS_BUF_MAX 8192 /* bytes; sysfs attributes are at most a page */
#define LA_QUOTE_MAX 48       /* bytes of a bad value quoted in a message */

/* The state of one la_hostcpu_read. */
struct la_hc {
	const struct la_hostcpu_opts *o;
	struct la_hostcpu *h;
	const char *root;
	int rootlen;               /* root without trailing slashes */
	unsigned *ids;             /* LA_CPU_ID_LIMIT entries, for CPU lists */
	char path[PATH_MAX];       /* the file last read */
	char buf[LA_SYSFS_BUF_MAX + 1]; /* its text */
};

static const char *const la_hostcpu_map_names[LA_HOSTCPU_NMAPS] = {
	[LA_HOSTCPU_ONLINE] = "online",
	[LA_HOSTCPU_FREQUENCIES] = "frequencies_khz",
	[LA_HOSTCPU_MAX_FREQ] = "max_freq_khz",
	[LA_HOSTCPU_CAPACITY] = "capacity",
	[LA_HOSTCPU_CLUSTERS] = "clusters",
};

const char *la_hostcpu_map_name(enum la_hostcpu_map m)
{
	return m < LA_HOSTCPU_NMAPS ? la_hostcpu_map_names[m] : "unknown";
}

/* ---- messages ---------------------------------------------------------- */

static void la_msg(char *msg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void la_msg(char *msg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, LA_HOSTCPU_MSG_MAX, fmt, ap);
	va_end(ap);
}

/* s[span] for a message: at most LA_QUOTE_MAX bytes, control and non-ASCII
 * bytes shown as '?', "..." when cut. out needs LA_QUOTE_MAX + 4 bytes. */
static void la_quote(const char *s, struct la_span span, char *out)
{
	size_t n = span.len < LA_QUOTE_MAX ? span.len : LA_QUOTE_MAX, i;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[span.off + i];

		out[i] = (ch < 0x20 || ch >= 0x7f) ? '?' : (char)ch;
	}
	strcpy(out + i, span.len > n ? "..." : "");
}

/* "<file>: '<bad part>': <reason>" */
static void la_msg_parse(char *msg, const char *path, const char *text, struct la_span bad,
			 int err)
{
	char q[LA_QUOTE_MAX + 4];

	la_quote(text, bad, q);
	la_msg(msg, "%s: '%s': %s", path, q, la_strerror(err));
}

static void la_status_set(struct la_hostcpu_status *st, int err, const char *msg)
{
	if (st->err)
		return; /* keep the first reason */
	st->err = err;
	snprintf(st->msg, sizeof(st->msg), "%s", msg);
}

/* ---- reading ----------------------------------------------------------- */

/* Set c->path to the folder ROOT/devices/system/cpu; its length, or -1
 * if too long. */
static int la_hc_dirpath(struct la_hc *c)
{
	int n = snprintf(c->path, sizeof(c->path), "%.*s/devices/system/cpu", c->rootlen,
			 c->root);

	return n < 0 || (size_t)n + 1 >= sizeof(c->path) ? -1 : n;
}

/* Set c->path to ROOT/devices/system/cpu/<fmt...>. false if too long. */
static bool la_hc_vpath(struct la_hc *c, const char *fmt, va_list ap)
{
	int n = la_hc_dirpath(c), m;

	if (n < 0)
		return false;
	c->path[n++] = '/';
	m = vsnprintf(c->path + n, sizeof(c->path) - (size_t)n, fmt, ap);
	return m >= 0 && (size_t)m < sizeof(c->path) - (size_t)n;
}

static bool la_hc_pathf(struct la_hc *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static bool la_hc_pathf(struct la_hc *c, const char *fmt, ...)
{
	va_list ap;
	bool ok;

	va_start(ap, fmt);
	ok = la_hc_vpath(c, fmt, ap);
	va_end(ap);
	return ok;
}

static int la_hc_read_fd(int fd, char *buf, size_t *len)
{
	size_t got = 0;

	for (;;) {
		ssize_t r = read(fd, buf + got, LA_SYSFS_BUF_MAX - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		got += (size_t)r;
		if (got == LA_SYSFS_BUF_MAX) {
			char extra;

			r = read(fd, &extra, 1);
			if (r > 0)
				return -EFBIG;
			if (r < 0)
				return -errno;
			break;
		}
	}
	*len = got;
	return 0;
}

/* Read the file ROOT/devices/system/cpu/<fmt...> into c->buf (NUL
 * terminated). On failure msg gets "<file>: <reason>".
 * returns: 0, -LA_ERR_NOENT, -LA_ERR_HOSTREAD, -LA_ERR_FILETOOBIG */
static int la_hc_readf(struct la_hc *c, char *msg, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int la_hc_readf(struct la_hc *c, char *msg, const char *fmt, ...)
{
	va_list ap;
	size_t len = 0;
	int fd, e = 0;
	bool ok;

	va_start(ap, fmt);
	ok = la_hc_vpath(c, fmt, ap);
	va_end(ap);
	if (!ok) {
		la_msg(msg, "%s...: %s", c->path, strerror(ENAMETOOLONG));
		return -LA_ERR_HOSTREAD;
	}
	/* a sysfs attribute is a regular file; anything else in a canned
	 * tree (a FIFO, a device) is refused, and the open never blocks */
	fd = open(c->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		e = -errno;
	} else {
		struct stat st;

		if (fstat(fd, &st) != 0)
			e = -errno;
		else if (!S_ISREG(st.st_mode))
			e = -EINVAL;
		else
			e = la_hc_read_fd(fd, c->buf, &len);
		close(fd);
	}
	c->buf[len] = '\0';
	if (e == -EFBIG) {
		la_msg(msg, "%s: %s", c->path, la_strerror(LA_ERR_FILETOOBIG));
		return -LA_ERR_FILETOOBIG;
	}
	if (e == -EINVAL) {
		la_msg(msg, "%s: %s", c->path, la_strerror(LA_ERR_NOTREG));
		return -LA_ERR_HOSTREAD;
	}
	if (e) {
		la_msg(msg, "%s: %s", c->path, strerror(-e));
		return e == -ENOENT ? -LA_ERR_NOENT : -LA_ERR_HOSTREAD;
	}
	if (memchr(c->buf, '\0', len)) {
		la_msg(msg, "%s: contains a NUL byte", c->path);
		return -LA_ERR_HOSTREAD;
	}
	return 0;
}

/* One u32 file of CPU id into *out; failures go to st. */
static int la_hc_u32(struct la_hc *c, struct la_hostcpu_status *st, unsigned id,
		     const char *prop, uint32_t *out)
{
	char msg[LA_HOSTCPU_MSG_MAX];
	struct la_span bad;
	int err = la_hc_readf(c, msg, "cpu%u/%s", id, prop);

	if (!err) {
		err = la_sysfs_parse_u32(c->buf, out, &bad);
		if (err)
			la_msg_parse(msg, c->path, c->buf, bad, err);
	}
	if (err)
		la_status_set(st, err, msg);
	return err;
}

/* The index of CPU id in h->cpu, -1 if not in the tree. */
static int la_hc_index(const struct la_hostcpu *h, unsigned id)
{
	unsigned lo = 0, hi = h->ncpus;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (h->cpu[mid].id == id)
			return (int)mid;
		if (h->cpu[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* ---- CPU ids ----------------------------------------------------------- */

/* "cpuN" with N decimal, no leading zero, below LA_CPU_ID_LIMIT. */
static bool la_cpu_dirname(const char *name, unsigned *id)
{
	unsigned long v = 0;
	const char *p = name + 3;

	if (strncmp(name, "cpu", 3) || !*p || (p[0] == '0' && p[1]))
		return false;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (unsigned long)(*p - '0');
		if (v >= LA_CPU_ID_LIMIT)
			return false;
	}
	*id = (unsigned)v;
	return true;
}

/* The cpuN folders of ROOT/devices/system/cpu, ascending, into c->ids. */
static int la_hc_scan_dirs(struct la_hc *c, unsigned *n)
{
	unsigned char seen[LA_CPU_ID_LIMIT / 8] = { 0 };
	struct dirent *d;
	unsigned id, count = 0;
	DIR *dir;

	dir = la_hc_dirpath(c) >= 0 ? opendir(c->path) : NULL;
	if (!dir) {
		la_msg(c->h->msg, "%s: %s", c->path, strerror(errno));
		return -LA_ERR_NOCPUS;
	}
	while ((d = readdir(dir)))
		if (la_cpu_dirname(d->d_name, &id))
			seen[id / 8] |= (unsigned char)(1u << (id % 8));
	closedir(dir);
	for (id = 0; id < LA_CPU_ID_LIMIT; id++)
		if (seen[id / 8] & (1u << (id % 8)))
			c->ids[count++] = id;
	if (!count) {
		la_msg(c->h->msg, "%s: no possible file and no cpuN folders", c->path);
		return -LA_ERR_NOCPUS;
	}
	*n = count;
	return 0;
}

/* CPU ids from possible, else from the cpuN folders. */
static int la_hc_cpu_ids(struct la_hc *c)
{
	struct la_hostcpu *h = c->h;
	struct la_span bad;
	unsigned n = 0;
	int err = la_hc_readf(c, h->msg, "possible");

	if (!err) {
		err = la_cpulist_parse(c->buf, c->ids, LA_CPU_ID_LIMIT, &n, &bad);
		if (err) {
			la_msg_parse(h->msg, c->path, c->buf, bad, err);
			return err;
		}
		if (!n) {
			la_msg(h->msg, "%s: lists no CPUs", c->path);
			return -LA_ERR_NOCPUS;
		}
	} else {
		err = la_hc_scan_dirs(c, &n);
		if (err)
			return err;
	}
	h->cpu = calloc(n, sizeof(*h->cpu));
	if (!h->cpu) {
		la_msg(h->msg, "%s", la_strerror(LA_ERR_NOMEM));
		return -LA_ERR_NOMEM;
	}
	h->ncpus = n;
	for (unsigned i = 0; i < n; i++) {
		h->cpu[i].id = c->ids[i];
		h->cpu[i].cluster = -1;
	}
	h->msg[0] = '\0';
	return 0;
}

/* ---- online CPUs ------------------------------------------------------- */

/* crosvm's per-CPU fallback: cpuN/online 1 is online, another number
 * offline; no such file (the kernel omits it for CPUs that cannot go
 * offline) or a bad one counts as online. Unlike crosvm, a CPU without a
 * cpuN folder is not present, so offline. */
static void la_hc_online_per_cpu(struct la_hc *c, struct la_hostcpu_cpu *cpu)
{
	struct la_hostcpu_status *st = &c->h->status[LA_HOSTCPU_ONLINE];
	char msg[LA_HOSTCPU_MSG_MAX];
	struct la_span bad;
	struct stat sb;
	uint32_t v;
	int err;

	if (!la_hc_pathf(c, "cpu%u", cpu->id) || stat(c->path, &sb) != 0 ||
	    !S_ISDIR(sb.st_mode)) {
		cpu->online = false;
		return;
	}
	cpu->online = true;
	err = la_hc_readf(c, msg, "cpu%u/online", cpu->id);
	if (err == -LA_ERR_NOENT)
		return;
	if (!err) {
		err = la_sysfs_parse_u32(c->buf, &v, &bad);
		if (err)
			la_msg_parse(msg, c->path, c->buf, bad, err);
	}
	if (err) {
		la_status_set(st, err, msg);
		return;
	}
	cpu->online = v == 1;
}

static void la_hc_online(struct la_hc *c)
{
	struct la_hostcpu *h = c->h;
	struct la_hostcpu_status *st = &h->status[LA_HOSTCPU_ONLINE];
	char msg[LA_HOSTCPU_MSG_MAX];
	struct la_span bad;
	unsigned n;
	int err = la_hc_readf(c, msg, "online");

	if (!err) {
		err = la_cpulist_parse(c->buf, c->ids, LA_CPU_ID_LIMIT, &n, &bad);
		if (!err) {
			h->online_from = LA_HOSTCPU_ONLINE_FILE;
			for (unsigned i = 0; i < n; i++) {
				int k = la_hc_index(h, c->ids[i]);

				if (k >= 0)
					h->cpu[k].online = true;
			}
			return;
		}
		la_msg_parse(msg, c->path, c->buf, bad, err);
		la_status_set(st, err, msg);
	}
	h->online_from = LA_HOSTCPU_ONLINE_PER_CPU;
	for (unsigned i = 0; i < h->ncpus; i++)
		la_hc_online_per_cpu(c, &h->cpu[i]);
}

/* ---- frequencies, maximum frequency ------------------------------------ */

static void la_hc_free_freqs(struct la_hostcpu *h)
{
	for (unsigned i = 0; i < h->ncpus; i++) {
		free(h->cpu[i].freqs_khz);
		h->cpu[i].freqs_khz = NULL;
		h->cpu[i].nfreqs = 0;
	}
}

static int la_hc_freqs_one(struct la_hc *c, struct la_hostcpu_cpu *cpu, char *msg)
{
	unsigned cap;
	struct la_span bad;
	int err = la_hc_readf(c, msg, "cpu%u/cpufreq/scaling_available_frequencies", cpu->id);

	if (err)
		return err;
	cap = la_freqlist_count(c->buf);
	cpu->freqs_khz = malloc((cap ? cap : 1) * sizeof(*cpu->freqs_khz));
	if (!cpu->freqs_khz) {
		la_msg(msg, "%s", la_strerror(LA_ERR_NOMEM));
		return -LA_ERR_NOMEM;
	}
	err = la_freqlist_parse(c->buf, cpu->freqs_khz, cap, &cpu->nfreqs, &bad);
	if (err)
		la_msg_parse(msg, c->path, c->buf, bad, err);
	return err;
}

static void la_hc_freqs(struct la_hc *c)
{
	struct la_hostcpu *h = c->h;
	char msg[LA_HOSTCPU_MSG_MAX];

	for (unsigned i = 0; i < h->ncpus; i++) {
		int err;

		if (!h->cpu[i].online)
			continue;
		err = la_hc_freqs_one(c, &h->cpu[i], msg);
		if (err) {
			la_status_set(&h->status[LA_HOSTCPU_FREQUENCIES], err, msg);
			la_hc_free_freqs(h);
			return;
		}
	}
}

static void la_hc_max_freq(struct la_hc *c)
{
	struct la_hostcpu *h = c->h;

	for (unsigned i = 0; i < h->ncpus; i++)
		if (h->cpu[i].online &&
		    la_hc_u32(c, &h->status[LA_HOSTCPU_MAX_FREQ], h->cpu[i].id,
			      "cpufreq/cpuinfo_max_freq", &h->cpu[i].max_freq_khz))
			return;
}

/* ---- capacity ---------------------------------------------------------- */

int la_hostcpu_normalise_capacity(uint32_t capacity, uint32_t max_khz,
				  uint32_t host_max_khz, uint32_t *out)
{
	uint64_t v;

	if (!max_khz)
		return -LA_ERR_ZEROFREQ;
	v = (uint64_t)capacity * host_max_khz / max_khz;
	if (v > UINT32_MAX)
		return -LA_ERR_CAPOVERFLOW;
	*out = (uint32_t)v;
	return 0;
}

/* cpuinfo_max_freq of every CPU of the tree, online or not (crosvm reads
 * all of 0..nprocs_conf); false, with the reason in h->norm_off, when one
 * cannot be read: normalisation is then off. */
static bool la_hc_all_max_freqs(struct la_hc *c, uint32_t *khz)
{
	struct la_hostcpu *h = c->h;
	struct la_hostcpu_status st = { 0 };

	for (unsigned i = 0; i < h->ncpus; i++) {
		if (la_hc_u32(c, &st, h->cpu[i].id, "cpufreq/cpuinfo_max_freq", &khz[i])) {
			snprintf(h->norm_off, sizeof(h->norm_off), "%s", st.msg);
			return false;
		}
	}
	return true;
}

static void la_hc_normalise(struct la_hc *c)
{
	struct la_hostcpu *h = c->h;
	struct la_hostcpu_status *st = &h->status[LA_HOSTCPU_CAPACITY];
	uint32_t *khz = calloc(h->ncpus, sizeof(*khz)), host_max = 0;
	char msg[LA_HOSTCPU_MSG_MAX];

	if (!khz) {
		la_status_set(st, -LA_ERR_NOMEM, la_strerror(LA_ERR_NOMEM));
		return;
	}
	if (!la_hc_all_max_freqs(c, khz))
		goto out;
	for (unsigned i = 0; i < h->ncpus; i++)
		host_max = khz[i] > host_max ? khz[i] : host_max;
	for (unsigned i = 0; i < h->ncpus; i++) {
		struct la_hostcpu_cpu *cpu = &h->cpu[i];
		int err;

		if (!cpu->online)
			continue;
		err = la_hostcpu_normalise_capacity(cpu->capacity, khz[i], host_max,
						    &cpu->capacity);
		if (err) {
			la_msg(msg, "%.*s/devices/system/cpu/cpu%u: capacity %u * %u kHz / %u kHz: %s",
			       c->rootlen, c->root, cpu->id, cpu->capacity, host_max, khz[i],
			       la_strerror(err));
			la_status_set(st, err, msg);
			goto out;
		}
	}
	h->capacity_normalised = true;
	h->norm_max_khz = host_max;
out:
	free(khz);
}

static void la_hc_capacity(struct la_hc *c)
{
	struct la_hostcpu *h = c->h;

	for (unsigned i = 0; i < h->ncpus; i++)
		if (h->cpu[i].online &&
		    la_hc_u32(c, &h->status[LA_HOSTCPU_CAPACITY], h->cpu[i].id, "cpu_capacity",
			      &h->cpu[i].capacity))
			return;
	if (c->o->raw_capacity) {
		snprintf(h->norm_off, sizeof(h->norm_off), "raw capacities asked for");
		return;
	}
	la_hc_normalise(c);
}

/* ---- clusters ---------------------------------------------------------- */

/* Lexicographic order of the id vectors, as crosvm's CpuSet. */
static int la_cpuset_cmp(const void *pa, const void *pb)
{
	const struct la_cpuset *a = pa, *b = pb;

	for (unsigned i = 0; i < a->n && i < b->n; i++)
		if (a->cpu[i] != b->cpu[i])
			return a->cpu[i] < b->cpu[i] ? -1 : 1;
	return a->n < b->n ? -1 : a->n > b->n;
}

static void la_cpusets_free(struct la_cpuset *s, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		free(s[i].cpu);
	free(s);
}

/* Sort the sets, drop duplicates, store them in h and note each CPU's
 * (first) cluster. Takes ownership of sets. */
static void la_hc_clusters_store(struct la_hostcpu *h, struct la_cpuset *sets, unsigned n)
{
	unsigned out = 0;

	if (n)
		qsort(sets, n, sizeof(*sets), la_cpuset_cmp);
	for (unsigned i = 0; i < n; i++) {
		if (out && !la_cpuset_cmp(&sets[out - 1], &sets[i])) {
			free(sets[i].cpu);
			continue;
		}
		sets[out++] = sets[i];
	}
	h->cluster = sets;
	h->nclusters = out;
	for (unsigned k = out; k-- > 0;) {
		for (unsigned j = 0; j < sets[k].n; j++) {
			int i = la_hc_index(h, sets[k].cpu[j]);

			if (i >= 0)
				h->cpu[i].cluster = (int)k;
		}
	}
}

struct la_pkg_cpu {
	uint32_t pkg;
	unsigned id;
};

static int la_pkg_cpu_cmp(const void *pa, const void *pb)
{
	const struct la_pkg_cpu *a = pa, *b = pb;

	if (a->pkg != b->pkg)
		return a->pkg < b->pkg ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* Group (package, CPU) pairs sorted by package into sets. */
static struct la_cpuset *la_pkg_group(const struct la_pkg_cpu *p, unsigned n, unsigned *nsets)
{
	struct la_cpuset *sets = calloc(n ? n : 1, sizeof(*sets));
	unsigned k = 0;

	if (!sets)
		return NULL;
	for (unsigned i = 0; i < n;) {
		unsigned j = i;

		while (j < n && p[j].pkg == p[i].pkg)
			j++;
		sets[k].cpu = malloc((j - i) * sizeof(unsigned));
		if (!sets[k].cpu) {
			la_cpusets_free(sets, k);
			return NULL;
		}
		for (unsigned m = i; m < j; m++)
			sets[k].cpu[sets[k].n++] = p[m].id;
		k++;
		i = j;
	}
	*nsets = k;
	return sets;
}

/* crosvm: physical_package_id is the cluster id; each CPU's cluster is
 * the online CPUs sharing its id. */
static void la_hc_clusters_by_package(struct la_hc *c)
{
	struct la_hostcpu *h = c->h;
	struct la_hostcpu_status *st = &h->status[LA_HOSTCPU_CLUSTERS];
	unsigned n = 0, nsets = 0;
	struct la_pkg_cpu *p = calloc(h->ncpus, sizeof(*p));
	struct la_cpuset *sets;

	if (!p) {
		la_status_set(st, -LA_ERR_NOMEM, la_strerror(LA_ERR_NOMEM));
		return;
	}
	for (unsigned i = 0; i < h->ncpus; i++) {
		if (!h->cpu[i].online)
			continue;
		if (la_hc_u32(c, st, h->cpu[i].id, "topology/physical_package_id", &p[n].pkg))
			goto out;
		p[n++].id = h->cpu[i].id;
	}
	if (n)
		qsort(p, n, sizeof(*p), la_pkg_cpu_cmp);
	sets = la_pkg_group(p, n, &nsets);
	if (!sets)
		la_status_set(st, -LA_ERR_NOMEM, la_strerror(LA_ERR_NOMEM));
	else
		la_hc_clusters_store(h, sets, nsets);
out:
	free(p);
}

/* One CPU's cluster_cpus_list, kept to online CPUs, into set. */
static int la_hc_cluster_list(struct la_hc *c, unsigned id, struct la_cpuset *set, char *msg)
{
	struct la_hostcpu *h = c->h;
	struct la_span bad;
	unsigned n;
	int err = la_hc_readf(c, msg, "cpu%u/topology/cluster_cpus_list", id);

	set->n = 0;
	set->cpu = NULL;
	if (err)
		return err;
	err = la_cpulist_parse(c->buf, c->ids, LA_CPU_ID_LIMIT, &n, &bad);
	if (err) {
		la_msg_parse(msg, c->path, c->buf, bad, err);
		return err;
	}
	set->cpu = malloc((n ? n : 1) * sizeof(unsigned));
	if (!set->cpu) {
		la_msg(msg, "%s", la_strerror(LA_ERR_NOMEM));
		return -LA_ERR_NOMEM;
	}
	for (unsigned i = 0; i < n; i++) {
		int k = la_hc_index(h, c->ids[i]);

		if (k >= 0 && h->cpu[k].online)
			set->cpu[set->n++] = c->ids[i];
	}
	return 0;
}

/* Beyond crosvm: each CPU's cluster is its topology/cluster_cpus_list. */
static void la_hc_clusters_by_cluster(struct la_hc *c)
{
	struct la_hostcpu *h = c->h;
	struct la_cpuset *sets = calloc(h->ncpus, sizeof(*sets));
	char msg[LA_HOSTCPU_MSG_MAX];
	unsigned n = 0;

	if (!sets) {
		la_status_set(&h->status[LA_HOSTCPU_CLUSTERS], -LA_ERR_NOMEM,
			      la_strerror(LA_ERR_NOMEM));
		return;
	}
	for (unsigned i = 0; i < h->ncpus; i++) {
		int err;

		if (!h->cpu[i].online)
			continue;
		err = la_hc_cluster_list(c, h->cpu[i].id, &sets[n], msg);
		if (err) {
			la_status_set(&h->status[LA_HOSTCPU_CLUSTERS], err, msg);
			la_cpusets_free(sets, n + 1);
			return;
		}
		if (sets[n].n) {
			n++;
		} else {
			free(sets[n].cpu);
			sets[n].cpu = NULL;
		}
	}
	la_hc_clusters_store(h, sets, n);
}

/* ---- the whole read ---------------------------------------------------- */

void la_hostcpu_empty(struct la_hostcpu *h)
{
	memset(h, 0, sizeof(*h));
	h->online_from = LA_HOSTCPU_ONLINE_NONE;
}

void la_hostcpu_free(struct la_hostcpu *h)
{
	if (h->cpu)
		la_hc_free_freqs(h);
	free(h->cpu);
	la_cpusets_free(h->cluster, h->nclusters);
	la_hostcpu_empty(h);
}

static void la_hc_init(struct la_hc *c, const struct la_hostcpu_opts *o, struct la_hostcpu *h)
{
	c->o = o;
	c->h = h;
	c->root = o->sysfs_root ? o->sysfs_root : "/sys";
	c->rootlen = (int)strnlen(c->root, PATH_MAX);
	while (c->rootlen > 0 && c->root[c->rootlen - 1] == '/')
		c->rootlen--;
}

int la_hostcpu_read(const struct la_hostcpu_opts *opts, struct la_hostcpu *h)
{
	struct la_hc *c = calloc(1, sizeof(*c));
	int err;

	la_hostcpu_empty(h);
	if (c)
		c->ids = malloc(LA_CPU_ID_LIMIT * sizeof(*c->ids));
	if (!c || !c->ids) {
		if (c)
			free(c);
		la_msg(h->msg, "%s", la_strerror(LA_ERR_NOMEM));
		return -LA_ERR_NOMEM;
	}
	la_hc_init(c, opts, h);
	err = la_hc_cpu_ids(c);
	if (!err) {
		la_hc_online(c);
		la_hc_freqs(c);
		la_hc_max_freq(c);
		la_hc_capacity(c);
		if (opts->clusters_by == LA_HOSTCPU_BY_CLUSTER)
			la_hc_clusters_by_cluster(c);
		else
			la_hc_clusters_by_package(c);
	}
	free(c->ids);
	free(c);
	return err;
}

bool la_hostcpu_has_errors(const struct la_hostcpu *h)
{
	for (int m = 0; m < LA_HOSTCPU_NMAPS; m++)
		if (h->status[m].err)
			return true;
	return false;
}

unsigned la_hostcpu_online_count(const struct la_hostcpu *h)
{
	unsigned n = 0;

	for (unsigned i = 0; i < h->ncpus; i++)
		n += h->cpu[i].online;
	return n;
}

int la_clusters_by_parse(const char *s, enum la_hostcpu_clusters_by *out)
{
	if (!strcmp(s, "package"))
		*out = LA_HOSTCPU_BY_PACKAGE;
	else if (!strcmp(s, "cluster"))
		*out = LA_HOSTCPU_BY_CLUSTER;
	else
		return -LA_ERR_BADVALUE;
	return 0;
}

const char *la_clusters_by_name(enum la_hostcpu_clusters_by c)
{
	return c == LA_HOSTCPU_BY_CLUSTER ? "cluster_cpus_list" : "physical_package_id";
}
