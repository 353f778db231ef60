/* SPDX-License-Identifier: MIT */
/*
 * Every option value lib/ parses from a string: sizes, ranges, numbers,
 * sysfs CPU lists and frequency tables, CpuSets and clusters, per-vCPU
 * capacities and frequencies, enum words, --overlay's FILE,filter=...,
 * PCI addresses, MACs, disk serials, vsock CIDs. The first byte picks the
 * parser, the rest is the string (NUL-terminated, so an embedded NUL ends
 * it as argv would).
 */
#include <stdlib.h>

#include "arch.h"
#include "cpulist.h"
#include "ctl.h"
#include "fdt/overlay_opt.h"
#include "fuzz.h"
#include "hostcpu.h"
#include "range.h"
#include "sandbox.h"
#include "size.h"
#include "vcpu_props.h"
#include "virtio/devices.h"

static unsigned ids[LA_CPU_ID_LIMIT];
static uint32_t khz[256];
static struct la_vcpu_props props[LA_MAX_VCPUS];
static struct la_cpu_clusters cl;
static struct la_overlay_list ovl;

static void parse(unsigned which, const char *s, size_t n, unsigned ncpus)
{
	uint64_t a, b;
	int has;
	struct la_range r;
	struct la_span bad;
	unsigned cnt, x, y, z;
	uint32_t u32;
	uint8_t mac[6];
	char buf[64], why[LA_OV_WHY_MAX];
	union { enum la_protection p; enum la_fdt_position f; enum la_hostcpu_clusters_by c;
		enum la_thread_kind t; enum la_seccomp_mode m; } e;

	switch (which % 22) {
	case 0:
		if (!la_parse_size(s, &a))
			la_format_size(a, buf, sizeof(buf));
		break;
	case 1: la_parse_size_n(s, n, &a); break;
	case 2: la_parse_mem_size(s, &a); break;
	case 3: la_parse_u64(s, &a); break;
	case 4: la_parse_dec(s, ncpus * 1000ULL, &a); break;
	case 5: la_parse_dec_n(s, n, UINT64_MAX, &a); break;
	case 6: la_parse_start_size(s, &a, &b, &has); break;
	case 7: la_parse_range(s, &r); break;
	case 8: la_cpulist_parse(s, ids, 1 + ncpus * 32, &cnt, &bad); break;
	case 9:
		cnt = la_freqlist_count(s);
		la_freqlist_parse(s, khz, cnt < 256 ? cnt : 256, &cnt, &bad);
		break;
	case 10: la_sysfs_parse_u32(s, &u32, &bad); break;
	case 11:
		memset(&cl, 0, sizeof(cl));
		la_cpuset_parse_append(s, &cl);
		la_cpuset_parse_append(s, &cl);
		break;
	case 12: memset(&cl, 0, sizeof(cl)); la_cpu_clusters_parse(s, ncpus, &cl); break;
	case 13: memset(props, 0, sizeof(props)); la_vcpu_parse_capacity(s, ncpus, props); break;
	case 14: memset(props, 0, sizeof(props)); la_vcpu_parse_freqs(s, ncpus, props); break;
	case 15:
		la_protection_parse(s, &e.p);
		la_fdt_position_parse(s, &e.f);
		la_clusters_by_parse(s, &e.c);
		la_thread_kind_parse(s, &e.t);
		la_seccomp_mode_parse(s, &e.m);
		la_arch_lookup(s);
		break;
	case 16:
		memset(&ovl, 0, sizeof(ovl));
		la_overlay_list_add(&ovl, s, why);
		la_overlay_list_add(&ovl, s, why);
		la_overlay_list_free(&ovl);
		break;
	case 17: la_ctl_parse_addr(s, &x, &y, &z); break;
	case 18: la_vnet_mac_parse(s, mac); break;
	case 19: la_vblk_serial_ok(s); break;
	case 20:
		if (!la_parse_u64(s, &a))
			la_vsock_cid_ok(a);
		break;
	case 21: la_format_size(n * 0x1234567ULL << (n % 40), buf, sizeof(buf)); break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	unsigned which = fz_u8(&f), ncpus = 1 + fz_u8(&f) % LA_MAX_VCPUS;
	char *s = malloc(f.n + 1);

	memcpy(s, f.p, f.n);
	s[f.n] = 0;
	parse(which, s, strlen(s), ncpus);
	free(s);
	return 0;
}
