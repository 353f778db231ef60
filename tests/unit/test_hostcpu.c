/* SPDX-License-Identifier: MIT */
/* Unit tests: CPU-list, frequency-table and number parsing, capacity
 * normalisation, and the host_cpu_read arch hooks. */
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "cpulist.h"
#include "err.h"
#include "hostcpu.h"
#include "t.h"

static unsigned ids[LA_CPU_ID_LIMIT];

/* Parse s and compare with the expected ids (terminated by -1). */
static int cpulist_is(const char *s, const int *want)
{
	unsigned n, k = 0;

	if (la_cpulist_parse(s, ids, LA_CPU_ID_LIMIT, &n, NULL))
		return 0;
	for (; want[k] >= 0; k++)
		if (k >= n || ids[k] != (unsigned)want[k])
			return 0;
	return k == n;
}

/* The error code of parsing s, and the quoted bad part in bad. */
static int cpulist_err(const char *s, char *bad)
{
	struct la_span sp = { 0, 0 };
	unsigned n;
	int err = la_cpulist_parse(s, ids, LA_CPU_ID_LIMIT, &n, &sp);

	memcpy(bad, s + sp.off, sp.len);
	bad[sp.len] = '\0';
	return err;
}

static void test_cpulist(void)
{
	char bad[64];
	unsigned n = 99;

	T_CHECK(cpulist_is("0-3,5,7-8", (const int[]){ 0, 1, 2, 3, 5, 7, 8, -1 }));
	T_CHECK(cpulist_is("0-3,5,7-8\n", (const int[]){ 0, 1, 2, 3, 5, 7, 8, -1 }));
	T_CHECK(cpulist_is(" 4 , 0-1 ", (const int[]){ 0, 1, 4, -1 }));
	T_CHECK(cpulist_is("2,0-3,1", (const int[]){ 0, 1, 2, 3, -1 })); /* sorted, unique */
	T_CHECK(cpulist_is("7", (const int[]){ 7, -1 }));
	T_CHECK(cpulist_is("5-5", (const int[]){ 5, -1 }));
	T_CHECK(cpulist_is("8191", (const int[]){ 8191, -1 }));
	T_CHECK(cpulist_is("", (const int[]){ -1 }));
	T_CHECK(cpulist_is("\n", (const int[]){ -1 }));
	T_CHECK(la_cpulist_parse("0-8191", ids, LA_CPU_ID_LIMIT, &n, NULL) == 0 &&
		n == LA_CPU_ID_LIMIT);

	T_EQ_U64(cpulist_err("3-1", bad), -LA_ERR_CPURANGE);
	T_EQ_STR(bad, "3-1");
	T_EQ_U64(cpulist_err("0-1,3-1\n", bad), -LA_ERR_CPURANGE);
	T_EQ_STR(bad, "3-1");
	T_EQ_U64(cpulist_err("0,,2", bad), -LA_ERR_CPULIST);
	T_EQ_STR(bad, "");
	T_EQ_U64(cpulist_err("0-3,", bad), -LA_ERR_CPULIST);
	T_EQ_U64(cpulist_err("a", bad), -LA_ERR_CPULIST);
	T_EQ_STR(bad, "a");
	T_EQ_U64(cpulist_err("1-", bad), -LA_ERR_CPULIST);
	T_EQ_U64(cpulist_err("-1", bad), -LA_ERR_CPULIST);
	T_EQ_U64(cpulist_err("1-2-3", bad), -LA_ERR_CPULIST);
	T_EQ_U64(cpulist_err("1 - 2", bad), -LA_ERR_CPULIST);
	T_EQ_U64(cpulist_err("0x3", bad), -LA_ERR_CPULIST);
	T_EQ_U64(cpulist_err("+1", bad), -LA_ERR_CPULIST);
	T_EQ_U64(cpulist_err("8192", bad), -LA_ERR_CPUID);
	T_EQ_U64(cpulist_err("0-99999999999999999999999", bad), -LA_ERR_CPUID);
	T_EQ_STR(bad, "0-99999999999999999999999");
	T_EQ_U64(la_cpulist_parse("0-3", ids, 3, &n, NULL), -LA_ERR_TOOMANY);
	T_EQ_U64(la_cpulist_parse("0-2", ids, 3, &n, NULL), 0);
	T_EQ_U64(n, 3);
}

static void test_freqlist(void)
{
	uint32_t khz[8];
	struct la_span sp;
	unsigned n = 99;
	const char *s = "633600 902400 1.2GHz 1497600 \n";

	T_EQ_U64(la_freqlist_count("300000 576000  787200 \n"), 3);
	T_EQ_U64(la_freqlist_count(""), 0);
	T_EQ_U64(la_freqlist_parse("300000 576000\t787200 \n", khz, 8, &n, NULL), 0);
	T_EQ_U64(n, 3);
	T_EQ_U64(khz[0], 300000);
	T_EQ_U64(khz[2], 787200);
	T_EQ_U64(la_freqlist_parse("  \n", khz, 8, &n, NULL), 0);
	T_EQ_U64(n, 0);
	T_EQ_U64(la_freqlist_parse("3000000 1000", khz, 8, &n, NULL), 0); /* file order kept */
	T_EQ_U64(khz[1], 1000);
	T_EQ_U64(la_freqlist_parse(s, khz, 8, &n, &sp), -LA_ERR_BADFREQ);
	T_EQ_U64(sp.off, 14);
	T_EQ_U64(sp.len, 6);
	T_EQ_U64(la_freqlist_parse("4294967295", khz, 8, &n, NULL), 0);
	T_EQ_U64(khz[0], UINT32_MAX);
	T_EQ_U64(la_freqlist_parse("4294967296", khz, 8, &n, NULL), -LA_ERR_BADFREQ);
	T_EQ_U64(la_freqlist_parse("-1", khz, 8, &n, NULL), -LA_ERR_BADFREQ);
	T_EQ_U64(la_freqlist_parse("1 2 3", khz, 2, &n, NULL), -LA_ERR_TOOMANY);
}

static void test_u32(void)
{
	uint32_t v = 0;
	struct la_span sp;

	T_EQ_U64(la_sysfs_parse_u32("1024\n", &v, NULL), 0);
	T_EQ_U64(v, 1024);
	T_EQ_U64(la_sysfs_parse_u32(" 0 ", &v, NULL), 0);
	T_EQ_U64(v, 0);
	T_EQ_U64(la_sysfs_parse_u32("4294967295", &v, NULL), 0);
	T_EQ_U64(v, UINT32_MAX);
	T_EQ_U64(la_sysfs_parse_u32("4294967296", &v, NULL), -LA_ERR_BADU32);
	T_EQ_U64(la_sysfs_parse_u32("-1\n", &v, &sp), -LA_ERR_BADU32);
	T_EQ_U64(sp.off, 0);
	T_EQ_U64(sp.len, 2);
	T_EQ_U64(la_sysfs_parse_u32("big\n", &v, NULL), -LA_ERR_BADU32);
	T_EQ_U64(la_sysfs_parse_u32("", &v, NULL), -LA_ERR_BADU32);
	T_EQ_U64(la_sysfs_parse_u32("0x10", &v, NULL), -LA_ERR_BADU32);
	T_EQ_U64(la_sysfs_parse_u32("1 2", &v, NULL), -LA_ERR_BADU32);
}

static void test_normalise(void)
{
	uint32_t v = 0;

	/* the phone fixture: 160 * 3000000 / 1804800 = 265.96, rounded down */
	T_EQ_U64(la_hostcpu_normalise_capacity(160, 1804800, 3000000, &v), 0);
	T_EQ_U64(v, 265);
	T_EQ_U64(la_hostcpu_normalise_capacity(498, 2400000, 3000000, &v), 0);
	T_EQ_U64(v, 622);
	T_EQ_U64(la_hostcpu_normalise_capacity(1024, 3000000, 3000000, &v), 0);
	T_EQ_U64(v, 1024);
	/* the product needs 64 bits, the result fits in 32 */
	T_EQ_U64(la_hostcpu_normalise_capacity(UINT32_MAX, UINT32_MAX, UINT32_MAX, &v), 0);
	T_EQ_U64(v, UINT32_MAX);
	T_EQ_U64(la_hostcpu_normalise_capacity(0, 1, UINT32_MAX, &v), 0);
	T_EQ_U64(v, 0);
	v = 7;
	T_EQ_U64(la_hostcpu_normalise_capacity(1024, 0, 3000000, &v), -LA_ERR_ZEROFREQ);
	T_EQ_U64(v, 7);
	T_EQ_U64(la_hostcpu_normalise_capacity(UINT32_MAX, 1, 2, &v), -LA_ERR_CAPOVERFLOW);
	T_EQ_U64(la_hostcpu_normalise_capacity(1u << 31, 1, 2, &v), -LA_ERR_CAPOVERFLOW);
	T_EQ_U64(la_hostcpu_normalise_capacity((1u << 31) - 1, 1, 2, &v), 0);
	T_EQ_U64(v, 0xfffffffe);
}

static const char *fixture(const char *name, char *buf, size_t len)
{
	const char *top = getenv("LA_TOP");

	snprintf(buf, len, "%s/tests/fixtures/hostcpu/%s", top ? top : ".", name);
	return buf;
}

static void test_arch_hooks(void)
{
	char root[4096];
	struct la_hostcpu_opts o = { .sysfs_root = fixture("phone", root, sizeof(root)) };
	struct la_hostcpu h;

	/* x86_64 and riscv64: crosvm answers empty maps, whatever the host */
	T_EQ_U64(la_arch_x86_64.host_cpu_read(&o, &h), 0);
	T_EQ_U64(h.ncpus, 0);
	T_EQ_U64(h.nclusters, 0);
	T_CHECK(!la_hostcpu_has_errors(&h));
	la_hostcpu_free(&h);
	T_EQ_U64(la_arch_riscv64.host_cpu_read(&o, &h), 0);
	T_EQ_U64(h.ncpus, 0);
	la_hostcpu_free(&h);

	/* aarch64 reads sysfs: the phone's three clusters, normalised */
	T_EQ_U64(la_arch_aarch64.host_cpu_read(&o, &h), 0);
	T_EQ_U64(h.ncpus, 8);
	T_EQ_U64(la_hostcpu_online_count(&h), 8);
	T_CHECK(!la_hostcpu_has_errors(&h));
	T_CHECK(h.capacity_normalised);
	T_EQ_U64(h.norm_max_khz, 3000000);
	T_EQ_U64(h.cpu[0].capacity, 265);
	T_EQ_U64(h.cpu[4].capacity, 622);
	T_EQ_U64(h.cpu[7].capacity, 1024);
	T_EQ_U64(h.cpu[7].max_freq_khz, 3000000);
	T_EQ_U64(h.cpu[4].nfreqs, 7);
	T_EQ_U64(h.nclusters, 3);
	T_EQ_U64(h.cluster[0].n, 4);
	T_EQ_U64(h.cluster[1].cpu[0], 4);
	T_EQ_U64(h.cluster[2].cpu[0], 7);
	T_EQ_U64(h.cpu[5].cluster, 1);
	la_hostcpu_free(&h);
	T_EQ_U64(h.ncpus, 0);

	/* --raw-capacity */
	o.raw_capacity = true;
	T_EQ_U64(la_hostcpu_read(&o, &h), 0);
	T_CHECK(!h.capacity_normalised);
	T_EQ_U64(h.cpu[0].capacity, 160);
	la_hostcpu_free(&h);
}

int main(void)
{
	test_cpulist();
	test_freqlist();
	test_u32();
	test_normalise();
	test_arch_hooks();
	return T_DONE();
}
