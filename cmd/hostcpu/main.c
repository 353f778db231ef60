/* SPDX-License-Identifier: MIT */
/* la-hostcpu: the host's CPU frequency, capacity and cluster maps, as
 * crosvm's LinuxArch reads them from sysfs. */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "err.h"
#include "hostcpu.h"
#include "jsonw.h"

enum la_hostcpu_format {
	LA_FMT_TEXT,
	LA_FMT_JSON,
	LA_FMT_CROSVM,
};

struct la_hostcpu_args {
	struct la_hostcpu_opts o;
	enum la_hostcpu_format format;
	int strict;
};

enum {
	LA_KEY_SYSFS_ROOT = 'r',
	LA_KEY_JSON = 'j',
	LA_KEY_FORMAT = 'f',
	LA_KEY_CLUSTERS_BY = 0x100,
	LA_KEY_RAW_CAPACITY,
	LA_KEY_STRICT,
};

static const struct argp_option la_hostcpu_options[] = {
	{ "sysfs-root", LA_KEY_SYSFS_ROOT, "DIR", 0,
	  "Read the sysfs tree below DIR instead of /sys (DIR stands for /sys)", 0 },
	{ "json", LA_KEY_JSON, NULL, 0, "Print one JSON object (same as --format json)", 0 },
	{ "format", LA_KEY_FORMAT, "FMT", 0,
	  "text (default), json, or crosvm: crosvm run flags that reproduce this topology", 0 },
	{ "clusters-by", LA_KEY_CLUSTERS_BY, "SRC", 0,
	  "package: clusters by topology/physical_package_id (crosvm's rule, default); "
	  "cluster: by topology/cluster_cpus_list", 0 },
	{ "raw-capacity", LA_KEY_RAW_CAPACITY, NULL, 0,
	  "Print cpu_capacity as read, without crosvm's normalisation by cpuinfo_max_freq", 0 },
	{ "strict", LA_KEY_STRICT, NULL, 0,
	  "crosvm's all-or-nothing: any map that cannot be read fails the run (exit 1)", 0 },
	{ 0 }
};

/* a folder that is not there is a bad file, as everywhere in la: exit 1 */
static void la_check_root(const char *dir)
{
	struct stat sb;
	int e = stat(dir, &sb) != 0 ? errno : !S_ISDIR(sb.st_mode) ? ENOTDIR : 0;

	if (e)
		la_cli_fail("--sysfs-root", dir, 1, "%s", strerror(e));
}

static int la_format_parse(const char *s, enum la_hostcpu_format *out)
{
	if (!strcmp(s, "text"))
		*out = LA_FMT_TEXT;
	else if (!strcmp(s, "json"))
		*out = LA_FMT_JSON;
	else if (!strcmp(s, "crosvm"))
		*out = LA_FMT_CROSVM;
	else
		return -LA_ERR_BADVALUE;
	return 0;
}

static error_t la_hostcpu_parse(int key, char *arg, struct argp_state *state)
{
	struct la_hostcpu_args *a = state->input;

	switch (key) {
	case LA_KEY_SYSFS_ROOT:
		la_check_root(arg);
		a->o.sysfs_root = arg;
		return 0;
	case LA_KEY_JSON:
		a->format = LA_FMT_JSON;
		return 0;
	case LA_KEY_FORMAT:
		if (la_format_parse(arg, &a->format))
			la_cli_fail("--format", arg, 2, "use text, json or crosvm");
		return 0;
	case LA_KEY_CLUSTERS_BY:
		if (la_clusters_by_parse(arg, &a->o.clusters_by))
			la_cli_fail("--clusters-by", arg, 2, "use package or cluster");
		return 0;
	case LA_KEY_RAW_CAPACITY:
		a->o.raw_capacity = true;
		return 0;
	case LA_KEY_STRICT:
		a->strict = 1;
		return 0;
	default:
		return la_cli_key(key, arg, state, NULL);
	}
}

LA_CLI_PROGRAM("la-hostcpu");

static const struct argp la_hostcpu_argp = {
	.options = la_hostcpu_options,
	.parser = la_hostcpu_parse,
	.doc = "Print the host's CPU maps crosvm passes to a guest: per online CPU the "
	       "available frequencies, the maximum frequency and the capacity, and the CPU "
	       "clusters. A map that cannot be read is reported with the file and the reason.\v"
	       "Examples:\n"
	       "  la-hostcpu\n"
	       "  la-hostcpu --json | jq .capacity\n"
	       "  la-hostcpu --sysfs-root tests/fixtures/hostcpu/phone --format crosvm\n\n"
	       "Exit status: 0 ok (also when a map is missing, unless --strict), "
	       "1 the CPUs cannot be found or --strict and a map is missing, 2 bad options.",
};

/* ---- shared helpers ---------------------------------------------------- */

/* Print a CPU set as crosvm writes one: runs as A-B, comma-separated. */
static void la_print_cpuset(FILE *f, const unsigned *cpu, unsigned n, const char *sep)
{
	for (unsigned i = 0; i < n;) {
		unsigned j = i;

		while (j + 1 < n && cpu[j + 1] == cpu[j] + 1)
			j++;
		fprintf(f, "%s%u", i ? sep : "", cpu[i]);
		if (j > i)
			fprintf(f, "-%u", cpu[j]);
		i = j + 1;
	}
}

static bool la_present(const struct la_hostcpu *h, enum la_hostcpu_map m)
{
	return la_hostcpu_present(h, m);
}

/* ---- text -------------------------------------------------------------- */

static void la_text_value(bool online, bool present, uint32_t v)
{
	if (!online)
		printf(" %10s", "-");
	else if (!present)
		printf(" %10s", "?");
	else
		printf(" %10u", v);
}

static void la_text_row(const struct la_hostcpu *h, const struct la_hostcpu_cpu *c)
{
	printf("%5u  %-6s", c->id, c->online ? "yes" : "no");
	la_text_value(c->online, la_present(h, LA_HOSTCPU_MAX_FREQ), c->max_freq_khz);
	la_text_value(c->online, la_present(h, LA_HOSTCPU_CAPACITY), c->capacity);
	if (!c->online || !la_present(h, LA_HOSTCPU_CLUSTERS) || c->cluster < 0)
		printf(" %8s", !c->online || c->cluster < 0 ? "-" : "?");
	else
		printf(" %8d", c->cluster);
	printf("  ");
	if (!c->online)
		printf("-");
	else if (!la_present(h, LA_HOSTCPU_FREQUENCIES))
		printf("?");
	else if (!c->nfreqs)
		printf("(none)");
	for (unsigned k = 0; c->online && la_present(h, LA_HOSTCPU_FREQUENCIES) && k < c->nfreqs;
	     k++)
		printf("%s%u", k ? " " : "", c->freqs_khz[k]);
	printf("\n");
}

static void la_text_capacity_note(const struct la_hostcpu *h, const struct la_hostcpu_args *a)
{
	if (!la_present(h, LA_HOSTCPU_CAPACITY))
		return;
	if (h->capacity_normalised)
		printf("\ncapacity: normalised to the largest cpuinfo_max_freq, %u kHz\n",
		       h->norm_max_khz);
	else if (a->o.raw_capacity)
		printf("\ncapacity: raw cpu_capacity (--raw-capacity)\n");
	else
		printf("\ncapacity: raw cpu_capacity, normalisation off: %s\n", h->norm_off);
}

static void la_print_text(const struct la_hostcpu *h, const struct la_hostcpu_args *a)
{
	const char *root = a->o.sysfs_root ? a->o.sysfs_root : "/sys";

	printf("host CPUs below %s: %u CPUs, %u online (from %s)\n\n", root, h->ncpus,
	       la_hostcpu_online_count(h),
	       h->online_from == LA_HOSTCPU_ONLINE_FILE ? "devices/system/cpu/online"
							: "the cpuN/online files");
	printf("%5s  %-6s %10s %10s %8s  %s\n", "cpu", "online", "max kHz", "capacity", "cluster",
	       "available frequencies (kHz)");
	for (unsigned i = 0; i < h->ncpus; i++)
		la_text_row(h, &h->cpu[i]);

	printf("\nclusters (by %s):", la_clusters_by_name(a->o.clusters_by));
	if (!la_present(h, LA_HOSTCPU_CLUSTERS))
		printf(" ?");
	else if (!h->nclusters)
		printf(" none");
	printf("\n");
	for (unsigned k = 0; la_present(h, LA_HOSTCPU_CLUSTERS) && k < h->nclusters; k++) {
		printf("%5u: ", k);
		la_print_cpuset(stdout, h->cluster[k].cpu, h->cluster[k].n, ",");
		printf("\n");
	}
	la_text_capacity_note(h, a);
	if (la_hostcpu_has_errors(h)) {
		printf("\nerrors:\n");
		for (int m = 0; m < LA_HOSTCPU_NMAPS; m++)
			if (h->status[m].err)
				printf("  %s: %s\n", la_hostcpu_map_name(m), h->status[m].msg);
	}
}

/* ---- JSON -------------------------------------------------------------- */

static void la_json_cpu_key(char *key, size_t len, unsigned id)
{
	snprintf(key, len, "%u", id);
}

static void la_json_u32_map(struct la_json *j, const struct la_hostcpu *h,
			    enum la_hostcpu_map m)
{
	char key[16];

	if (!la_present(h, m)) {
		la_json_null(j, la_hostcpu_map_name(m));
		return;
	}
	la_json_obj_begin(j, la_hostcpu_map_name(m));
	for (unsigned i = 0; i < h->ncpus; i++) {
		const struct la_hostcpu_cpu *c = &h->cpu[i];

		if (!c->online)
			continue;
		la_json_cpu_key(key, sizeof(key), c->id);
		la_json_u64(j, key, m == LA_HOSTCPU_MAX_FREQ ? c->max_freq_khz : c->capacity);
	}
	la_json_obj_end(j);
}

static void la_json_freqs(struct la_json *j, const struct la_hostcpu *h)
{
	char key[16];

	if (!la_present(h, LA_HOSTCPU_FREQUENCIES)) {
		la_json_null(j, "frequencies_khz");
		return;
	}
	la_json_obj_begin(j, "frequencies_khz");
	for (unsigned i = 0; i < h->ncpus; i++) {
		const struct la_hostcpu_cpu *c = &h->cpu[i];

		if (!c->online)
			continue;
		la_json_cpu_key(key, sizeof(key), c->id);
		la_json_arr_begin(j, key);
		for (unsigned k = 0; k < c->nfreqs; k++)
			la_json_u64(j, NULL, c->freqs_khz[k]);
		la_json_arr_end(j);
	}
	la_json_obj_end(j);
}

static void la_json_clusters(struct la_json *j, const struct la_hostcpu *h)
{
	if (!la_present(h, LA_HOSTCPU_CLUSTERS)) {
		la_json_null(j, "clusters");
		return;
	}
	la_json_arr_begin(j, "clusters");
	for (unsigned k = 0; k < h->nclusters; k++) {
		la_json_arr_begin(j, NULL);
		for (unsigned i = 0; i < h->cluster[k].n; i++)
			la_json_u64(j, NULL, h->cluster[k].cpu[i]);
		la_json_arr_end(j);
	}
	la_json_arr_end(j);
}

static void la_print_json(const struct la_hostcpu *h)
{
	struct la_json j;

	la_json_init(&j, stdout);
	la_json_obj_begin(&j, NULL);
	la_json_str(&j, "schema", "la-hostcpu/" LA_JSON_SCHEMA_VERSION);
	la_json_arr_begin(&j, "online");
	for (unsigned i = 0; i < h->ncpus; i++)
		if (h->cpu[i].online)
			la_json_u64(&j, NULL, h->cpu[i].id);
	la_json_arr_end(&j);
	la_json_freqs(&j, h);
	la_json_u32_map(&j, h, LA_HOSTCPU_MAX_FREQ);
	la_json_u32_map(&j, h, LA_HOSTCPU_CAPACITY);
	la_json_clusters(&j, h);
	la_json_obj_begin(&j, "errors");
	for (int m = 0; m < LA_HOSTCPU_NMAPS; m++)
		if (h->status[m].err)
			la_json_str(&j, la_hostcpu_map_name(m), h->status[m].msg);
	la_json_obj_end(&j);
	la_json_obj_end(&j);
}

/* ---- crosvm flags ------------------------------------------------------ */

/* vCPU v runs on the v-th online host CPU; crosvm's per-CPU flags are
 * keyed by vCPU. */
struct la_vcpus {
	unsigned n;
	const struct la_hostcpu_cpu **host; /* host[v] */
};

static int la_vcpu_of(const struct la_vcpus *v, unsigned host_id)
{
	for (unsigned i = 0; i < v->n; i++)
		if (v->host[i]->id == host_id)
			return (int)i;
	return -1;
}

static void la_crosvm_flag_end(unsigned *left)
{
	printf(--*left ? " \\\n" : "\n");
}

static void la_crosvm_cpus(const struct la_hostcpu *h, const struct la_vcpus *v)
{
	printf("--cpus 'num-cores=%u", v->n);
	if (la_present(h, LA_HOSTCPU_CLUSTERS) && h->nclusters) {
		printf(",clusters=[");
		for (unsigned k = 0; k < h->nclusters; k++) {
			unsigned *ids = malloc((h->cluster[k].n + 1) * sizeof(*ids)), n = 0;

			if (!ids) {
				perror("la-hostcpu");
				exit(1);
			}
			for (unsigned i = 0; i < h->cluster[k].n; i++) {
				int vc = la_vcpu_of(v, h->cluster[k].cpu[i]);

				if (vc >= 0)
					ids[n++] = (unsigned)vc;
			}
			printf("%s[", k ? "," : "");
			la_print_cpuset(stdout, ids, n, ",");
			printf("]");
			free(ids);
		}
		printf("]");
	}
	printf("'");
}

static void la_crosvm_freqs(const struct la_vcpus *v)
{
	bool first = true;

	printf("--cpu-frequencies-khz '");
	for (unsigned i = 0; i < v->n; i++) {
		if (!v->host[i]->nfreqs)
			continue; /* crosvm cannot parse an empty list */
		printf("%s%u=", first ? "" : ";", i);
		for (unsigned k = 0; k < v->host[i]->nfreqs; k++)
			printf("%s%u", k ? "," : "", v->host[i]->freqs_khz[k]);
		first = false;
	}
	printf("'");
}

static bool la_any_freqs(const struct la_vcpus *v)
{
	for (unsigned i = 0; i < v->n; i++)
		if (v->host[i]->nfreqs)
			return true;
	return false;
}

static void la_crosvm_warn(const struct la_hostcpu *h, enum la_hostcpu_map m, const char *flag)
{
	if (!la_present(h, m))
		fprintf(stderr, "la-hostcpu: warning: %s unavailable, %s left out: %s\n",
			la_hostcpu_map_name(m), flag, h->status[m].msg);
}

static int la_print_crosvm(const struct la_hostcpu *h)
{
	struct la_vcpus v = { 0 };
	bool caps, freqs;
	unsigned left; /* flags still to print, for the line continuations */

	v.host = calloc(h->ncpus ? h->ncpus : 1, sizeof(*v.host));
	if (!v.host) {
		perror("la-hostcpu");
		return 1;
	}
	for (unsigned i = 0; i < h->ncpus; i++)
		if (h->cpu[i].online)
			v.host[v.n++] = &h->cpu[i];
	if (!v.n) {
		fprintf(stderr, "la-hostcpu: --format crosvm: no online CPUs\n");
		free(v.host);
		return 1;
	}
	la_crosvm_warn(h, LA_HOSTCPU_CLUSTERS, "--cpus clusters=");
	la_crosvm_warn(h, LA_HOSTCPU_CAPACITY, "--cpu-capacity");
	la_crosvm_warn(h, LA_HOSTCPU_FREQUENCIES, "--cpu-frequencies-khz");
	caps = la_present(h, LA_HOSTCPU_CAPACITY);
	freqs = la_present(h, LA_HOSTCPU_FREQUENCIES) && la_any_freqs(&v);
	left = 2 + caps + freqs;

	la_crosvm_cpus(h, &v);
	la_crosvm_flag_end(&left);
	printf("--cpu-affinity '");
	for (unsigned i = 0; i < v.n; i++)
		printf("%s%u=%u", i ? ":" : "", i, v.host[i]->id);
	printf("'");
	la_crosvm_flag_end(&left);
	if (caps) {
		printf("--cpu-capacity '");
		for (unsigned i = 0; i < v.n; i++)
			printf("%s%u=%u", i ? "," : "", i, v.host[i]->capacity);
		printf("'");
		la_crosvm_flag_end(&left);
	}
	if (freqs) {
		la_crosvm_freqs(&v);
		la_crosvm_flag_end(&left);
	}
	free(v.host);
	return 0;
}

/* ---- main -------------------------------------------------------------- */

static int la_strict_fail(const struct la_hostcpu *h)
{
	for (int m = 0; m < LA_HOSTCPU_NMAPS; m++)
		if (h->status[m].err)
			fprintf(stderr, "la-hostcpu: %s: %s\n", la_hostcpu_map_name(m),
				h->status[m].msg);
	return 1;
}

static int la_run(const struct la_hostcpu_args *a, const struct la_hostcpu *h)
{
	if (a->strict && la_hostcpu_has_errors(h))
		return la_strict_fail(h);
	switch (a->format) {
	case LA_FMT_JSON:
		la_print_json(h);
		return 0;
	case LA_FMT_CROSVM:
		return la_print_crosvm(h);
	default:
		la_print_text(h, a);
		return 0;
	}
}

int main(int argc, char **argv)
{
	struct la_hostcpu_args a = { 0 };
	struct la_hostcpu h;
	int err, rc;

	la_cli_parse(&la_hostcpu_argp, argc, argv, &a);
	err = la_hostcpu_read(&a.o, &h);
	if (err) {
		fprintf(stderr, "la-hostcpu: %s\n", h.msg);
		la_hostcpu_free(&h);
		return 1;
	}
	rc = la_run(&a, &h);
	la_hostcpu_free(&h);
	return la_cli_flush() ? 1 : rc;
}
