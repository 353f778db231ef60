/* SPDX-License-Identifier: MIT */
/* vCPU property and cluster option parsing; see vcpu.h. */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "size.h"
#include "vcpu_props.h"

/* A decimal id or value: lib/size.c's canonical decimal (digits only, no
 * sign, space or leading zero), in this file's codes. */
static int la_vp_dec(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	int err = la_parse_dec_n(s, len, max, out);

	return err == -LA_ERR_BADNUM ? -LA_ERR_BADVALUE : err;
}

static int la_cpuset_add(struct la_cpu_clusters *c, uint64_t cpu)
{
	unsigned at = c->first[c->n + 1];

	if (at >= LA_MAX_CLUSTER_ENTRIES || cpu > UINT32_MAX)
		return -LA_ERR_TOOMANY;
	c->cpu[at] = (unsigned)cpu;
	c->first[c->n + 1] = at + 1;
	return 0;
}

/* One part of a CpuSet: "N" or "A-B". */
static int la_cpuset_part(const char *s, size_t len, struct la_cpu_clusters *c)
{
	const char *dash = memchr(s, '-', len);
	uint64_t a, b;
	int err;

	if (!dash) {
		if (la_vp_dec(s, len, UINT32_MAX, &a))
			return -LA_ERR_CPUSET;
		return la_cpuset_add(c, a);
	}
	if (la_vp_dec(s, (size_t)(dash - s), UINT32_MAX, &a) ||
	    la_vp_dec(dash + 1, len - (size_t)(dash - s) - 1, UINT32_MAX, &b) || b < a)
		return -LA_ERR_CPUSET;
	for (uint64_t v = a; v <= b; v++) {
		err = la_cpuset_add(c, v);
		if (err)
			return err;
	}
	return 0;
}

int la_cpuset_parse_append(const char *s, struct la_cpu_clusters *c)
{
	const char *p = s;
	int err;

	if (c->n >= LA_MAX_CLUSTERS)
		return -LA_ERR_TOOMANY;
	c->first[c->n + 1] = c->first[c->n];
	for (;;) {
		size_t len = strcspn(p, ",");

		err = la_cpuset_part(p, len, c);
		if (err)
			return err;
		if (!p[len])
			break;
		p += len + 1;
	}
	c->n++;
	return 0;
}

int la_cpu_clusters_parse(const char *s, unsigned ncpus, struct la_cpu_clusters *c)
{
	char part[512];
	const char *p = s;
	int err;

	memset(c, 0, sizeof(*c));
	for (;;) {
		size_t len = strcspn(p, ";");

		if (len >= sizeof(part))
			return -LA_ERR_CPUSET;
		memcpy(part, p, len);
		part[len] = 0;
		err = la_cpuset_parse_append(part, c);
		if (err)
			return err;
		if (!p[len])
			break;
		p += len + 1;
	}
	for (unsigned i = 0; i < c->first[c->n]; i++)
		if (c->cpu[i] >= ncpus)
			return -LA_ERR_VCPUID;
	return 0;
}

/* Split "CPU=VALUE" entries separated by commas; call fn for each. */
static int la_vcpu_each(const char *s, unsigned ncpus, struct la_vcpu_props *props,
			bool *seen, int (*fn)(const char *v, size_t len, struct la_vcpu_props *p))
{
	const char *p = s;
	uint64_t cpu;
	int err;

	for (;;) {
		size_t len = strcspn(p, ",");
		const char *eq = memchr(p, '=', len);

		if (!eq)
			return -LA_ERR_BADVALUE;
		err = la_vp_dec(p, (size_t)(eq - p), UINT32_MAX, &cpu);
		if (err)
			return -LA_ERR_BADVALUE;
		if (cpu >= ncpus)
			return -LA_ERR_VCPUID;
		if (seen[cpu])
			return -LA_ERR_DUPCPU;
		seen[cpu] = true;
		err = fn(eq + 1, len - (size_t)(eq - p) - 1, &props[cpu]);
		if (err)
			return err;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

static int la_vcpu_capacity(const char *v, size_t len, struct la_vcpu_props *p)
{
	uint64_t cap;
	int err = la_vp_dec(v, len, UINT32_MAX, &cap);

	if (err)
		return err;
	p->has_capacity = true;
	p->capacity = (uint32_t)cap;
	return 0;
}

static int la_vcpu_freqs(const char *v, size_t len, struct la_vcpu_props *p)
{
	size_t i = 0;

	p->n_freqs = 0;
	while (i <= len) {
		size_t n = 0;
		uint64_t khz;
		int err;

		while (i + n < len && v[i + n] != ':')
			n++;
		err = la_vp_dec(v + i, n, UINT32_MAX, &khz);
		if (err)
			return err;
		if (p->n_freqs >= LA_MAX_FREQS)
			return -LA_ERR_TOOMANY;
		p->freqs_khz[p->n_freqs++] = (uint32_t)khz;
		i += n + 1;
	}
	return 0;
}

int la_vcpu_parse_capacity(const char *s, unsigned ncpus, struct la_vcpu_props *props)
{
	bool seen[LA_MAX_VCPUS] = { false };

	if (ncpus > LA_MAX_VCPUS)
		return -LA_ERR_VCPUID;
	return la_vcpu_each(s, ncpus, props, seen, la_vcpu_capacity);
}

int la_vcpu_parse_freqs(const char *s, unsigned ncpus, struct la_vcpu_props *props)
{
	bool seen[LA_MAX_VCPUS] = { false };

	if (ncpus > LA_MAX_VCPUS)
		return -LA_ERR_VCPUID;
	return la_vcpu_each(s, ncpus, props, seen, la_vcpu_freqs);
}
