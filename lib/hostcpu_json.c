/* SPDX-License-Identifier: MIT */
/* la-hostcpu JSON input; see hostcpu_json.h. */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "hostcpu.h"
#include "hostcpu_json.h"

static int la_hj_fail(char *detail, size_t dlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int la_hj_fail(char *detail, size_t dlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, dlen, fmt, ap);
	va_end(ap);
	return -LA_ERR_HOSTJSON;
}

/* A JSON integer in [0, max]. */
static bool la_hj_uint(const json_t *v, uint64_t max, uint64_t *out)
{
	json_int_t i;

	if (!json_is_integer(v))
		return false;
	i = json_integer_value(v);
	if (i < 0 || (uint64_t)i > max)
		return false;
	*out = (uint64_t)i;
	return true;
}

/* A map key: a decimal CPU id below LA_HOST_MAX_CPUS. */
static bool la_hj_id(const char *key, unsigned *id)
{
	char *end;
	unsigned long v;

	if (!*key || *key < '0' || *key > '9')
		return false;
	v = strtoul(key, &end, 10);
	if (*end || v >= LA_HOST_MAX_CPUS)
		return false;
	*id = (unsigned)v;
	return true;
}

/* The ids of arr into out, at most max of them; table names what holds
 * them ("online", "the clusters") and limit its size in words. */
static int la_hj_ids(const json_t *arr, unsigned *out, unsigned max, unsigned *n,
		     const char *what, const char *table, unsigned limit, char *d, size_t dl)
{
	size_t i;
	json_t *v;

	if (!json_is_array(arr))
		return la_hj_fail(d, dl, "%s is not an array", what);
	*n = 0;
	json_array_foreach(arr, i, v) {
		uint64_t id;

		if (!la_hj_uint(v, LA_HOST_MAX_CPUS - 1, &id))
			return la_hj_fail(d, dl, "%s[%zu] is not a CPU id", what, i);
		if (*n >= max)
			return la_hj_fail(d, dl, "%s[%zu]: %s hold at most %u CPU ids, and are full",
					  what, i, table, limit);
		out[(*n)++] = (unsigned)id;
	}
	return 0;
}

/* ids seen among a map's keys, to refuse "0" and "00" both */
struct la_hj_seen {
	uint8_t bit[LA_HOST_MAX_CPUS / 8];
};

/* 0, or a failure naming key and the earlier key of obj for the same id. */
static int la_hj_once(struct la_hj_seen *s, const json_t *obj, const char *what,
		      const char *key, unsigned id, char *d, size_t dl)
{
	const char *k;
	json_t *v;
	unsigned other;

	if (!(s->bit[id / 8] & (1u << (id % 8)))) {
		s->bit[id / 8] |= (uint8_t)(1u << (id % 8));
		return 0;
	}
	json_object_foreach((json_t *)obj, k, v) {
		if (k != key && strcmp(k, key) && la_hj_id(k, &other) && other == id)
			return la_hj_fail(d, dl, "%s: keys \"%s\" and \"%s\" are the same CPU %u",
					  what, k, key, id);
	}
	return la_hj_fail(d, dl, "%s: CPU %u given twice", what, id);
}

static int la_hj_freqs(const json_t *obj, struct la_host_topo *t, char *d, size_t dl)
{
	const char *key;
	json_t *arr, *v;
	size_t i;
	unsigned id;
	struct la_hj_seen seen = { 0 };

	json_object_foreach((json_t *)obj, key, arr) {
		uint64_t khz;
		int err;

		if (!la_hj_id(key, &id) || !json_is_array(arr))
			return la_hj_fail(d, dl, "frequencies_khz.%s is not CPU id -> array", key);
		if ((err = la_hj_once(&seen, obj, "frequencies_khz", key, id, d, dl)))
			return err;
		if (json_array_size(arr) > LA_MAX_FREQS)
			return la_hj_fail(d, dl, "frequencies_khz.%s has more than %d entries",
					  key, LA_MAX_FREQS);
		t->cpu[id].n_freqs = 0;
		json_array_foreach(arr, i, v) {
			if (!la_hj_uint(v, UINT32_MAX, &khz))
				return la_hj_fail(d, dl, "frequencies_khz.%s[%zu] is not kHz", key, i);
			t->cpu[id].freqs_khz[t->cpu[id].n_freqs++] = (uint32_t)khz;
		}
	}
	return 0;
}

/* An id -> u32 map into value[] and present[]. */
static int la_hj_map(const json_t *obj, const char *what, uint32_t *value, bool *present,
		     size_t stride, char *d, size_t dl)
{
	const char *key;
	json_t *v;
	unsigned id;
	struct la_hj_seen seen = { 0 };

	json_object_foreach((json_t *)obj, key, v) {
		uint64_t x;
		int err;

		if (!la_hj_id(key, &id) || !la_hj_uint(v, UINT32_MAX, &x))
			return la_hj_fail(d, dl, "%s.%s is not CPU id -> number", what, key);
		if ((err = la_hj_once(&seen, obj, what, key, id, d, dl)))
			return err;
		*(uint32_t *)((char *)value + id * stride) = (uint32_t)x;
		*(bool *)((char *)present + id * stride) = true;
	}
	return 0;
}

static int la_hj_clusters(const json_t *arr, struct la_host_topo *t, char *d, size_t dl)
{
	struct la_cpu_clusters *c = &t->clusters;
	size_t i;
	json_t *set;

	if (!json_is_array(arr) || json_array_size(arr) > LA_MAX_CLUSTERS)
		return la_hj_fail(d, dl, "clusters is not an array of at most %d sets",
				  LA_MAX_CLUSTERS);
	json_array_foreach(arr, i, set) {
		unsigned n;
		char what[32];
		int err;

		snprintf(what, sizeof(what), "clusters[%zu]", i);
		err = la_hj_ids(set, &c->cpu[c->first[c->n]],
				LA_MAX_CLUSTER_ENTRIES - c->first[c->n], &n, what, "the clusters",
				LA_MAX_CLUSTER_ENTRIES, d, dl);
		if (err)
			return err;
		c->first[c->n + 1] = c->first[c->n] + n;
		c->n++;
	}
	return 0;
}

/* Each map: an object (or array for clusters), or null when unreadable. */
static int la_hj_fields(const json_t *root, struct la_host_topo *t, char *d, size_t dl)
{
	const json_t *v;
	int err;

	err = la_hj_ids(json_object_get(root, "online"), t->online, LA_HOST_MAX_CPUS,
			&t->n_online, "online", "online CPUs", LA_HOST_MAX_CPUS, d, dl);
	if (err)
		return err;
	v = json_object_get(root, "frequencies_khz");
	if ((t->has_freqs = json_is_object(v)) && (err = la_hj_freqs(v, t, d, dl)))
		return err;
	v = json_object_get(root, "max_freq_khz");
	if ((t->has_max_freq = json_is_object(v)) &&
	    (err = la_hj_map(v, "max_freq_khz", t->max_freq_khz, t->max_present,
			     sizeof(uint32_t), d, dl)))
		return err;
	v = json_object_get(root, "capacity");
	if ((t->has_capacity = json_is_object(v)) &&
	    (err = la_hj_map(v, "capacity", &t->cpu[0].capacity, &t->cpu[0].has_capacity,
			     sizeof(t->cpu[0]), d, dl)))
		return err;
	v = json_object_get(root, "clusters");
	if ((t->has_clusters = json_is_array(v)) && (err = la_hj_clusters(v, t, d, dl)))
		return err;
	static const char *const maps[] = { "frequencies_khz", "max_freq_khz", "capacity",
					    "clusters" };
	const json_t *errors = json_object_get(root, "errors");

	for (unsigned i = 0; i < 4; i++) {
		const json_t *why = json_object_get(errors, maps[i]);

		v = json_object_get(root, maps[i]);
		if (!v)
			return la_hj_fail(d, dl, "no \"%s\" member", maps[i]);
		if (!json_is_null(v) && !json_is_object(v) && !json_is_array(v))
			return la_hj_fail(d, dl, "\"%s\" is neither a map nor null", maps[i]);
		snprintf(t->why[i], sizeof(t->why[i]), "%s is null (%s)", maps[i],
			 json_is_string(why) ? json_string_value(why) : "no reason given");
	}
	return 0;
}

static bool la_hj_schema_bad(const json_t *v)
{
	return !json_is_string(v) || strcmp(json_string_value(v), "la-hostcpu/1") != 0;
}

int la_host_topo_parse_json(const char *json, size_t len, struct la_host_topo *t,
			    char *detail, size_t dlen)
{
	json_error_t jerr;
	json_t *root;
	int err;

	memset(t, 0, sizeof(*t));
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return la_hj_fail(detail, dlen, "line %d: %s", jerr.line, jerr.text);
	if (!json_is_object(root))
		err = la_hj_fail(detail, dlen, "not a JSON object");
	else if (json_object_get(root, "schema") &&
		 la_hj_schema_bad(json_object_get(root, "schema")))
		/* another shape than the one this build reads; no schema:
		 * la-hostcpu before it had one, the same shape */
		err = la_hj_fail(detail, dlen, "schema %s is not la-hostcpu/1",
				 json_is_string(json_object_get(root, "schema")) ?
				 json_string_value(json_object_get(root, "schema")) : "(not a string)");
	else
		err = la_hj_fields(root, t, detail, dlen);
	json_decref(root);
	return err;
}

int la_vcpu_from_host(const struct la_host_topo *t, unsigned ncpus, bool want_freqs,
		      struct la_vcpu_props *props, struct la_cpu_clusters *clusters,
		      char *detail, size_t dlen)
{
	/* vCPU v stands on host CPU v: crosvm requires the count of vCPUs
	 * to equal the count of online CPUs */
	if (ncpus != t->n_online)
		return la_hj_fail(detail, dlen, "%u vCPUs (--cpus) but %u online host CPUs: the "
				  "host topology needs one vCPU per online CPU, as crosvm's", ncpus,
				  t->n_online);
	if (want_freqs && !t->has_freqs)
		return la_hj_fail(detail, dlen, "%s", t->why[0]);
	if (!t->has_capacity)
		return la_hj_fail(detail, dlen, "%s", t->why[2]);
	if (!t->has_clusters)
		return la_hj_fail(detail, dlen, "%s", t->why[3]);
	for (unsigned v = 0; v < ncpus; v++) {
		const struct la_vcpu_props *h = v < LA_HOST_MAX_CPUS ? &t->cpu[v] : NULL;

		props[v].has_capacity = true;
		props[v].capacity = h && h->has_capacity ? h->capacity : LA_DEFAULT_CPU_CAPACITY;
		if (want_freqs && h) {
			props[v].n_freqs = h->n_freqs;
			memcpy(props[v].freqs_khz, h->freqs_khz, sizeof(h->freqs_khz));
		}
	}
	memset(clusters, 0, sizeof(*clusters));
	for (unsigned k = 0; t->has_clusters && k < t->clusters.n; k++) {
		unsigned at = clusters->first[clusters->n];

		for (unsigned j = t->clusters.first[k]; j < t->clusters.first[k + 1]; j++)
			if (t->clusters.cpu[j] < ncpus)
				clusters->cpu[at++] = t->clusters.cpu[j];
		if (at == clusters->first[clusters->n])
			continue; /* no vCPU on this cluster */
		clusters->first[++clusters->n] = at;
	}
	return 0;
}

/* One host CPU's maps into t. */
static int la_hj_from_cpu(const struct la_hostcpu *h, const struct la_hostcpu_cpu *c,
			  struct la_host_topo *t, char *d, size_t dl)
{
	struct la_vcpu_props *p = &t->cpu[c->id];

	if (!c->online)
		return 0;
	if (t->n_online < LA_HOST_MAX_CPUS)
		t->online[t->n_online++] = c->id;
	if (la_hostcpu_present(h, LA_HOSTCPU_FREQUENCIES)) {
		if (c->nfreqs > LA_MAX_FREQS)
			return la_hj_fail(d, dl, "CPU %u has more than %d frequencies", c->id,
					  LA_MAX_FREQS);
		p->n_freqs = c->nfreqs;
		memcpy(p->freqs_khz, c->freqs_khz, c->nfreqs * sizeof(uint32_t));
	}
	if (la_hostcpu_present(h, LA_HOSTCPU_MAX_FREQ)) {
		t->max_present[c->id] = true;
		t->max_freq_khz[c->id] = c->max_freq_khz;
	}
	if (la_hostcpu_present(h, LA_HOSTCPU_CAPACITY)) {
		p->has_capacity = true;
		p->capacity = c->capacity;
	}
	return 0;
}

int la_host_topo_from_hostcpu(const struct la_hostcpu *h, struct la_host_topo *t,
			      char *detail, size_t dlen)
{
	static const enum la_hostcpu_map maps[4] = { LA_HOSTCPU_FREQUENCIES, LA_HOSTCPU_MAX_FREQ,
						     LA_HOSTCPU_CAPACITY, LA_HOSTCPU_CLUSTERS };
	struct la_cpu_clusters *c = &t->clusters;
	int err;

	memset(t, 0, sizeof(*t));
	t->has_freqs = la_hostcpu_present(h, LA_HOSTCPU_FREQUENCIES);
	t->has_max_freq = la_hostcpu_present(h, LA_HOSTCPU_MAX_FREQ);
	t->has_capacity = la_hostcpu_present(h, LA_HOSTCPU_CAPACITY);
	t->has_clusters = la_hostcpu_present(h, LA_HOSTCPU_CLUSTERS);
	for (unsigned i = 0; i < 4; i++)
		snprintf(t->why[i], sizeof(t->why[i]), "%s: %s", la_hostcpu_map_name(maps[i]),
			 h->status[maps[i]].msg);
	for (unsigned i = 0; i < h->ncpus; i++) {
		if (h->cpu[i].id >= LA_HOST_MAX_CPUS)
			return la_hj_fail(detail, dlen, "CPU %u: more than %d host CPUs",
					  h->cpu[i].id, LA_HOST_MAX_CPUS);
		err = la_hj_from_cpu(h, &h->cpu[i], t, detail, dlen);
		if (err)
			return err;
	}
	for (unsigned k = 0; t->has_clusters && k < h->nclusters; k++) {
		if (c->n >= LA_MAX_CLUSTERS ||
		    c->first[c->n] + h->cluster[k].n > LA_MAX_CLUSTER_ENTRIES)
			return la_hj_fail(detail, dlen, "more clusters than %d", LA_MAX_CLUSTERS);
		memcpy(&c->cpu[c->first[c->n]], h->cluster[k].cpu,
		       h->cluster[k].n * sizeof(unsigned));
		c->first[c->n + 1] = c->first[c->n] + h->cluster[k].n;
		c->n++;
	}
	return 0;
}
