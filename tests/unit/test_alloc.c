/* SPDX-License-Identifier: MIT */
/* Pins every rule of crosvm's AddressAllocator (§2.1), SystemAllocator
 * (§2.2), the per-arch allocator configuration (§3.4, §4.4, §5.2) and the
 * device table's PCI INTx assignment (§1.6). */
#include <stdlib.h>

#include "addr_alloc.h"
#include "arch.h"
#include "dev/platform.h"
#include "err.h"
#include "host_phys.h"
#include "size.h"
#include "sys_alloc.h"
#include "t.h"

#define R(s, e) ((struct la_range){ (s), (e) })

static struct la_alloc_id id_(const char *name)
{
	struct la_alloc_id id;

	la_alloc_id_named(name, &id);
	return id;
}

static struct la_addr_alloc_opts opts_(uint64_t min, uint64_t pref)
{
	return (struct la_addr_alloc_opts){ .has_min_align = min != 0, .min_align = min,
					    .has_preferred_align = pref != 0,
					    .preferred_align = pref };
}

static void test_range_helpers(void)
{
	struct la_range r, lo, hi;

	T_CHECK(la_range_is_empty(LA_RANGE_EMPTY));
	T_EQ_U64(la_range_len(R(0, UINT64_MAX)), UINT64_MAX); /* saturates */
	T_EQ_U64(la_parse_range("0-0xffffffffffffffff", &r), 0);
	T_EQ_U64(r.end, UINT64_MAX);
	T_EQ_U64(la_parse_range("4K-8K", &r), 0);
	T_EQ_U64(r.start, 0x1000);
	T_CHECK(la_parse_range("0x2000-0x1000", &r) == -LA_ERR_BADVALUE);
	T_CHECK(la_parse_range("0x2000", &r) == -LA_ERR_BADSIZE);
	T_CHECK(la_parse_range("1-2-3", &r) == -LA_ERR_BADSIZE);
	T_CHECK(la_parse_range("0-0x10000000000000000", &r) == -LA_ERR_RANGE);
	la_range_split_at(R(0, UINT64_MAX), UINT64_MAX, &lo, &hi);
	T_EQ_U64(lo.end, UINT64_MAX - 1);
	T_EQ_U64(hi.start, UINT64_MAX);
	la_range_subtract(R(0, UINT64_MAX), R(0x1000, 0x1fff), &lo, &hi);
	T_EQ_U64(lo.end, 0xfff);
	T_EQ_U64(hi.start, 0x2000);
	T_EQ_U64(hi.end, UINT64_MAX);
	T_CHECK(la_range_is_empty(la_range_intersect(R(0, 5), R(6, 9))));
}

static void test_init_alignment(void)
{
	struct la_addr_alloc a;
	struct la_range pool = R(0x1000, 0x1fff);
	struct la_addr_alloc_opts o;

	T_EQ_U64(la_addr_alloc_init(&a, &pool, 1, NULL), 0);
	T_EQ_U64(a.min_align, 4);        /* default */
	T_EQ_U64(a.preferred_align, 4);  /* default = min */
	la_addr_alloc_destroy(&a);
	o = (struct la_addr_alloc_opts){ .has_min_align = true, .min_align = 0 };
	T_CHECK(la_addr_alloc_init(&a, &pool, 1, &o) == -LA_ERR_BADALIGN);
	o = opts_(3, 0);
	T_CHECK(la_addr_alloc_init(&a, &pool, 1, &o) == -LA_ERR_BADALIGN);
	o = opts_(16, 8);
	T_CHECK(la_addr_alloc_init(&a, &pool, 1, &o) == -LA_ERR_BADALIGN);
	o = opts_(16, 48);
	T_CHECK(la_addr_alloc_init(&a, &pool, 1, &o) == -LA_ERR_BADALIGN);
	o = opts_(0, 64); /* min default 4, preferred 64 */
	T_EQ_U64(la_addr_alloc_init(&a, &pool, 1, &o), 0);
	T_EQ_U64(a.preferred_align, 64);
	la_addr_alloc_destroy(&a);
}

static void test_pools(void)
{
	struct la_addr_alloc a;
	struct la_range pools[] = { R(0x3000, 0x3fff), LA_RANGE_EMPTY, R(0x1000, 0x1fff) };
	struct la_range overlap[] = { R(0x1000, 0x1fff), R(0x1fff, 0x2fff) };

	T_EQ_U64(la_addr_alloc_init(&a, pools, 3, NULL), 0);
	T_EQ_U64(a.npools, 2);         /* the empty one is dropped */
	T_EQ_U64(a.nfree, 2);
	T_EQ_U64(a.free[0].start, 0x1000); /* free ranges sorted */
	T_EQ_U64(la_addr_alloc_max_addr(&a), 0x3fff);
	la_addr_alloc_destroy(&a);
	T_CHECK(la_addr_alloc_init(&a, overlap, 2, NULL) == -LA_ERR_POOLOVERLAP);
	T_EQ_U64(la_addr_alloc_init(&a, NULL, 0, NULL), 0);
	T_EQ_U64(la_addr_alloc_max_addr(&a), 0); /* no free range */
	{
		struct la_alloc_id x = id_("x");
		uint64_t at;

		T_CHECK(la_addr_alloc_allocate(&a, 1, &x, "", &at) == -LA_ERR_NOSPACE);
	}
	la_addr_alloc_destroy(&a);
}

static void test_errors_order(void)
{
	struct la_addr_alloc a;
	struct la_range pool = R(0x1000, 0x1fff);
	struct la_addr_alloc_opts o = opts_(1, 0);
	struct la_alloc_id x = id_("x"), y = id_("y");
	uint64_t at;

	la_addr_alloc_init(&a, &pool, 1, &o);
	T_CHECK(la_addr_alloc_allocate_with_align(&a, 0, &x, "", 1, &at) == -LA_ERR_ALLOCSIZEZERO);
	T_CHECK(la_addr_alloc_allocate_with_align(&a, 1, &x, "", 3, &at) == -LA_ERR_BADALIGN);
	T_CHECK(la_addr_alloc_allocate_with_align(&a, 0x2000, &x, "", 1, &at) == -LA_ERR_NOSPACE);
	T_EQ_U64(la_addr_alloc_allocate_with_align(&a, 0x10, &x, "", 1, &at), 0);
	/* the id is checked first: before size and alignment */
	T_CHECK(la_addr_alloc_allocate_with_align(&a, 0, &x, "", 3, &at) == -LA_ERR_EXISTINGALLOC);
	T_CHECK(la_addr_alloc_allocate_at(&a, LA_RANGE_EMPTY, &x, "", NULL) ==
		-LA_ERR_EXISTINGALLOC);
	T_CHECK(la_addr_alloc_allocate_at(&a, LA_RANGE_EMPTY, &y, "", NULL) ==
		-LA_ERR_ALLOCSIZEZERO);
	T_CHECK(la_addr_alloc_release(&a, &y, NULL) == -LA_ERR_BADALLOC);
	la_addr_alloc_destroy(&a);
}

static void test_min_align_applies(void)
{
	struct la_addr_alloc a;
	struct la_range pool = R(0x1001, 0x1fff);
	struct la_addr_alloc_opts o = opts_(0x100, 0);
	struct la_alloc_id x = id_("x"), y = id_("y");
	uint64_t at;

	la_addr_alloc_init(&a, &pool, 1, &o);
	/* align = max(min_align, align): asking for 1 still gets 0x100 */
	T_EQ_U64(la_addr_alloc_allocate_with_align(&a, 0x10, &x, "", 1, &at), 0);
	T_EQ_U64(at, 0x1100);
	/* and an align that is not a power of two below the minimum is fine */
	T_EQ_U64(la_addr_alloc_allocate_with_align(&a, 0x10, &y, "", 3, &at), 0);
	T_EQ_U64(at, 0x1200);
	la_addr_alloc_destroy(&a);
}

static void test_first_and_last_fit(void)
{
	struct la_addr_alloc a;
	struct la_range pools[] = { R(0x1000, 0x10ff), R(0x2000, 0x2fff), R(0x4000, 0x4fff) };
	struct la_addr_alloc_opts o = opts_(0x10, 0);
	struct la_alloc_id a1 = id_("a1"), a2 = id_("a2"), r1 = id_("r1"), r2 = id_("r2");
	uint64_t at;

	la_addr_alloc_init(&a, pools, 3, &o);
	/* first fit, ascending: the first range big enough */
	T_EQ_U64(la_addr_alloc_allocate(&a, 0x200, &a1, "", &at), 0);
	T_EQ_U64(at, 0x2000);
	T_EQ_U64(la_addr_alloc_allocate(&a, 0x100, &a2, "", &at), 0);
	T_EQ_U64(at, 0x1000);
	/* last fit, descending: the highest aligned start in the last range */
	T_EQ_U64(la_addr_alloc_reverse_allocate_with_align(&a, 0x10, &r1, "", 0x800, &at), 0);
	T_EQ_U64(at, 0x4800);
	T_EQ_U64(la_addr_alloc_reverse_allocate(&a, 0x900, &r2, "", &at), 0);
	T_EQ_U64(at, 0x2200 + 0xe00 - 0x900); /* 0x4000..0x47ff too small: range 2 */
	T_EQ_U64(a.nallocs, 4);
	la_addr_alloc_destroy(&a);
}

static void test_preferred_fallback(void)
{
	struct la_addr_alloc a;
	struct la_range pool = R(0x1000, 0x1fff);
	struct la_addr_alloc_opts o = opts_(0x10, 0x1000);
	struct la_alloc_id x = id_("x"), y = id_("y"), z = id_("z");
	uint64_t at;

	la_addr_alloc_init(&a, &pool, 1, &o);
	T_EQ_U64(la_addr_alloc_allocate(&a, 0x10, &x, "", &at), 0);
	T_EQ_U64(at, 0x1000);      /* preferred alignment */
	T_EQ_U64(la_addr_alloc_allocate(&a, 0x10, &y, "", &at), 0);
	T_EQ_U64(at, 0x1010);      /* no 4 KiB-aligned room left: minimum */
	T_EQ_U64(la_addr_alloc_reverse_allocate(&a, 0x10, &z, "", &at), 0);
	T_EQ_U64(at, 0x1ff0);      /* reverse falls back the same way */
	/* with_align does not fall back */
	{
		struct la_alloc_id w = id_("w");

		T_CHECK(la_addr_alloc_allocate_with_align(&a, 0x10, &w, "", 0x1000, &at) ==
			-LA_ERR_NOSPACE);
	}
	la_addr_alloc_destroy(&a);
}

static void test_allocate_at(void)
{
	struct la_addr_alloc a;
	struct la_range pool = R(0x1000, 0x1fff);
	struct la_alloc_id x = id_("x"), y = id_("y"), z = id_("z"), conflict;

	la_addr_alloc_init(&a, &pool, 1, NULL);
	/* alignment is not checked */
	T_EQ_U64(la_addr_alloc_allocate_at(&a, R(0x1001, 0x1002), &x, "t", NULL), 0);
	T_EQ_U64(a.nfree, 2);
	T_EQ_U64(a.free[0].end, 0x1000);
	T_EQ_U64(a.free[1].start, 0x1003);
	T_CHECK(la_addr_alloc_allocate_at(&a, R(0x1002, 0x1010), &y, "", &conflict) ==
		-LA_ERR_EXISTINGALLOC);
	T_CHECK(la_alloc_id_eq(&conflict, &x));
	T_CHECK(la_addr_alloc_allocate_at(&a, R(0x1f00, 0x2000), &y, "", NULL) == -LA_ERR_NOSPACE);
	T_CHECK(la_addr_alloc_allocate_at(&a, R(0x3000, 0x3000), &y, "", NULL) == -LA_ERR_NOSPACE);
	T_EQ_U64(la_addr_alloc_allocate_at(&a, R(0x1000, 0x1000), &z, "", NULL), 0);
	T_EQ_STR(la_addr_alloc_find(&a, &x)->tag, "t");
	la_addr_alloc_destroy(&a);
}

static void test_release_coalesces(void)
{
	struct la_addr_alloc a;
	struct la_range pool = R(0x1000, 0x1fff);
	struct la_alloc_id x = id_("x"), y = id_("y"), z = id_("z");
	struct la_range got;
	uint64_t at;

	la_addr_alloc_init(&a, &pool, 1, NULL);
	la_addr_alloc_allocate(&a, 0x100, &x, "", &at);
	la_addr_alloc_allocate(&a, 0x100, &y, "", &at);
	la_addr_alloc_allocate(&a, 0x100, &z, "", &at);
	T_EQ_U64(a.nfree, 1);
	T_EQ_U64(la_addr_alloc_release(&a, &y, &got), 0);
	T_EQ_U64(got.start, 0x1100);
	T_EQ_U64(a.nfree, 2);      /* a hole between x and z */
	T_EQ_U64(la_addr_alloc_release(&a, &z, NULL), 0);
	T_EQ_U64(a.nfree, 1);      /* merged with the hole and the tail */
	T_EQ_U64(a.free[0].start, 0x1100);
	T_EQ_U64(a.free[0].end, 0x1fff);
	T_EQ_U64(la_addr_alloc_release(&a, &x, NULL), 0);
	T_EQ_U64(a.nfree, 1);      /* back to the whole pool */
	T_EQ_U64(a.free[0].start, 0x1000);
	T_EQ_U64(a.free[0].end, 0x1fff);
	T_CHECK(la_addr_alloc_release(&a, &x, NULL) == -LA_ERR_BADALLOC);
	/* release_containing */
	la_addr_alloc_allocate(&a, 0x100, &x, "", &at);
	T_CHECK(la_addr_alloc_release_containing(&a, 0x1100) == -LA_ERR_NOSPACE);
	T_EQ_U64(la_addr_alloc_release_containing(&a, 0x10ff), 0);
	T_EQ_U64(a.nallocs, 0);
	la_addr_alloc_destroy(&a);
}

static void test_release_overlap(void)
{
	struct la_addr_alloc a;
	struct la_range pool = R(0x1000, 0x1fff);
	struct la_alloc_id x = id_("x");
	uint64_t at;

	la_addr_alloc_init(&a, &pool, 1, NULL);
	la_addr_alloc_allocate(&a, 0x100, &x, "", &at);
	/* white box: a free range that claims part of x (cannot happen through
	 * the API) makes the release report RegionOverlap */
	a.free[0].start = 0x10f0;
	T_CHECK(la_addr_alloc_release(&a, &x, NULL) == -LA_ERR_REGIONOVERLAP);
	la_addr_alloc_destroy(&a);
}

static void test_u64_limits(void)
{
	struct la_addr_alloc a;
	struct la_range top = R(UINT64_MAX - 0xfff, UINT64_MAX), all = R(0, UINT64_MAX);
	struct la_range odd = R(UINT64_MAX - 0x7ff, UINT64_MAX);
	struct la_alloc_id x = id_("x"), y = id_("y");
	uint64_t at;

	la_addr_alloc_init(&a, &top, 1, NULL);
	T_EQ_U64(la_addr_alloc_reverse_allocate(&a, 0x10, &x, "", &at), 0);
	T_EQ_U64(at, UINT64_MAX - 0xf);
	T_EQ_U64(la_addr_alloc_max_addr(&a), UINT64_MAX - 0x10);
	T_EQ_U64(la_addr_alloc_release(&a, &x, NULL), 0); /* ends at 2^64-1 */
	T_EQ_U64(a.nfree, 1);
	T_EQ_U64(a.free[0].end, UINT64_MAX);
	T_EQ_U64(la_addr_alloc_allocate(&a, 0x1000, &x, "", &at), 0);
	T_EQ_U64(at, UINT64_MAX - 0xfff);
	T_EQ_U64(a.nfree, 0);
	T_CHECK(la_addr_alloc_allocate(&a, 1, &y, "", &at) == -LA_ERR_NOSPACE);
	la_addr_alloc_destroy(&a);

	/* aligning up past 2^64-1 does not fit, it does not wrap to 0 */
	la_addr_alloc_init(&a, &odd, 1, NULL);
	T_CHECK(la_addr_alloc_allocate_with_align(&a, 1, &x, "", 0x1000, &at) == -LA_ERR_NOSPACE);
	T_CHECK(la_addr_alloc_reverse_allocate_with_align(&a, 1, &x, "", 0x1000, &at) ==
		-LA_ERR_NOSPACE);
	la_addr_alloc_destroy(&a);

	/* the whole u64 space: sizes up to 2^64-1 */
	la_addr_alloc_init(&a, &all, 1, NULL);
	T_EQ_U64(la_addr_alloc_allocate(&a, UINT64_MAX, &x, "", &at), 0);
	T_EQ_U64(at, 0);
	T_EQ_U64(a.nfree, 1);
	T_EQ_U64(a.free[0].start, UINT64_MAX);
	T_EQ_U64(la_addr_alloc_release(&a, &x, NULL), 0);
	T_EQ_U64(la_addr_alloc_reverse_allocate(&a, UINT64_MAX, &y, "", &at), 0);
	T_EQ_U64(at, 0);           /* (2^64-1 - (2^64-2)) & ~3 = 0 */
	T_EQ_U64(a.free[0].start, UINT64_MAX);
	T_EQ_U64(la_addr_alloc_allocate_at(&a, R(UINT64_MAX, UINT64_MAX), &x, "", NULL), 0);
	T_EQ_U64(a.nfree, 0);
	la_addr_alloc_destroy(&a);
}

static void test_pci_offset(void)
{
	struct la_addr_alloc a;
	struct la_range pool = R(0x10000, 0x1ffff);
	struct la_alloc_id bar = la_alloc_id_pci_bar(0, 1, 0, 0), other = la_alloc_id_pci_bar(0, 2, 0, 0);
	struct la_alloc_id named = id_("x");
	uint64_t at;

	la_addr_alloc_init(&a, &pool, 1, NULL);
	la_addr_alloc_allocate_at(&a, R(0x10000, 0x17fff), &bar, "", NULL);
	la_addr_alloc_allocate_at(&a, R(0x18000, 0x18fff), &named, "", NULL);
	T_EQ_U64(la_addr_alloc_pci_offset(&a, &bar, 0x3000, 0x1000, &at), 0);
	T_EQ_U64(at, 0x13000);
	T_EQ_U64(la_addr_alloc_pci_offset(&a, &bar, 0x7fff, 1, &at), 0);
	T_CHECK(la_addr_alloc_pci_offset(&a, &bar, 0x7fff, 2, &at) == -LA_ERR_OUTOFBOUNDS);
	T_CHECK(la_addr_alloc_pci_offset(&a, &bar, 0x8000, 0, &at) == -LA_ERR_OUTOFBOUNDS);
	T_CHECK(la_addr_alloc_pci_offset(&a, &bar, UINT64_MAX, 1, &at) == -LA_ERR_OUTOFBOUNDS);
	T_CHECK(la_addr_alloc_pci_offset(&a, &named, 0, 1, &at) == -LA_ERR_INVALIDALLOC);
	T_CHECK(la_addr_alloc_pci_offset(&a, &other, 0, 1, &at) == -LA_ERR_INVALIDALLOC);
	la_addr_alloc_destroy(&a);
}

static void test_names(void)
{
	struct la_alloc_id id;
	char buf[80], long_name[80];

	memset(long_name, 'n', 64);
	long_name[64] = 0;
	T_CHECK(la_alloc_id_named(long_name, &id) == -LA_ERR_NAMELEN);
	long_name[63] = 0;
	T_EQ_U64(la_alloc_id_named(long_name, &id), 0);
	id = la_alloc_id_anon(3);
	T_EQ_STR(la_alloc_id_format(&id, buf, sizeof(buf)), "Anon(3)");
	id = la_alloc_id_pci_bar(0, 0x1f, 7, 2);
	T_EQ_STR(la_alloc_id_format(&id, buf, sizeof(buf)), "PciBar(00:1f.7 bar 2)");
}

/* A system allocator config like x86's, small enough to fill. */
static struct la_sys_alloc_config cfg_(void)
{
	struct la_sys_alloc_config c = { 0 };

	c.has_io = true;
	c.io = R(0xc000, 0xffff);
	c.low_mmio = R(0xd0000000, 0xd0003fff);  /* 16 KiB */
	c.high_mmio = R(0x100000000, 0x100001fff); /* 8 KiB */
	c.first_irq = 9;
	return c;
}

static void test_sys_init(void)
{
	struct la_sys_alloc s;
	struct la_sys_alloc_config c = cfg_();
	struct la_range ranges[] = { R(0xd0001000, 0x100000fff) };

	c.io.end = 0x10000;
	T_CHECK(la_sys_alloc_init(&s, &c, false, 0, NULL, 0) == -LA_ERR_IOPORTRANGE);
	c = cfg_();
	T_CHECK(la_sys_alloc_init(&s, &c, true, 0x3000, NULL, 0) == -LA_ERR_NOSPACE);
	/* the reserved region is carved from the start of high MMIO */
	T_EQ_U64(la_sys_alloc_init(&s, &c, true, 0x1000, NULL, 0), 0);
	T_CHECK(s.has_reserved);
	T_EQ_U64(s.reserved.start, 0x100000000);
	T_EQ_U64(s.reserved.end, 0x100000fff);
	T_EQ_U64(s.mmio[LA_MMIO_HIGH].pools[0].start, 0x100001000);
	T_EQ_U64(s.io.min_align, 0x400);
	T_EQ_U64(s.mmio[LA_MMIO_LOW].min_align, 4096);
	T_EQ_U64(s.irq.pools[0].start, 9);
	T_EQ_U64(s.irq.pools[0].end, 1023);
	T_EQ_U64(s.gpe.pools[0].end, 255);
	la_sys_alloc_destroy(&s);
	/* the whole high window as reserved region leaves high MMIO empty */
	T_EQ_U64(la_sys_alloc_init(&s, &c, true, 0x2000, NULL, 0), 0);
	T_EQ_U64(s.mmio[LA_MMIO_HIGH].npools, 0);
	la_sys_alloc_destroy(&s);
	/* --mmio-range: each pool becomes its intersections with the windows */
	T_EQ_U64(la_sys_alloc_init(&s, &c, false, 0, ranges, 1), 0);
	T_EQ_U64(s.mmio[LA_MMIO_LOW].pools[0].start, 0xd0001000);
	T_EQ_U64(s.mmio[LA_MMIO_LOW].pools[0].end, 0xd0003fff);
	T_EQ_U64(s.mmio[LA_MMIO_HIGH].pools[0].start, 0x100000000);
	T_EQ_U64(s.mmio[LA_MMIO_HIGH].pools[0].end, 0x100000fff);
	la_sys_alloc_destroy(&s);
}

static void test_sys_io(void)
{
	struct la_sys_alloc s;
	struct la_sys_alloc_config c = cfg_();
	struct la_alloc_id a = id_("a"), b = id_("b");
	uint64_t at;

	la_sys_alloc_init(&s, &c, false, 0, NULL, 0);
	T_EQ_U64(la_sys_alloc_io(&s, 0x48, &a, "pm", true, 4, &at), 0);
	T_EQ_U64(at, 0xc000);
	T_EQ_U64(la_sys_alloc_io(&s, 8, &b, "x", false, 0, &at), 0);
	T_EQ_U64(at, 0xc400); /* minimum alignment 0x400 */
	la_sys_alloc_destroy(&s);
	c.has_io = false;
	la_sys_alloc_init(&s, &c, false, 0, NULL, 0);
	T_CHECK(la_sys_alloc_io(&s, 8, &a, "x", false, 0, &at) == -LA_ERR_NOPOOL);
	T_CHECK(la_sys_alloc_platform_mmio(&s, 0x1000, &a, "x", &at) == -LA_ERR_NOPOOL);
	la_sys_alloc_destroy(&s);
}

static void test_sys_mmio(void)
{
	struct la_sys_alloc s;
	struct la_sys_alloc_config c = cfg_();
	struct la_mmio_opts o = LA_MMIO_OPTS_DEFAULT;
	struct la_alloc_id ids[8];
	enum la_mmio_pool pool;
	uint64_t at;

	for (int i = 0; i < 8; i++)
		ids[i] = la_alloc_id_anon(100 + i);
	la_sys_alloc_init(&s, &c, false, 0, NULL, 0);
	/* non-prefetchable: low */
	T_EQ_U64(la_sys_alloc_mmio(&s, 0x1000, &ids[0], "", &o, &at, &pool), 0);
	T_EQ_U64(at, 0xd0000000);
	T_CHECK(pool == LA_MMIO_LOW);
	/* prefetchable, no limit: high */
	o.prefetchable = true;
	T_EQ_U64(la_sys_alloc_mmio(&s, 0x1000, &ids[1], "", &o, &at, &pool), 0);
	T_EQ_U64(at, 0x100000000);
	T_CHECK(pool == LA_MMIO_HIGH);
	/* prefetchable with a 4 GiB limit: low */
	o.max_address = UINT32_MAX;
	T_EQ_U64(la_sys_alloc_mmio(&s, 0x1000, &ids[2], "", &o, &at, &pool), 0);
	T_CHECK(pool == LA_MMIO_LOW);
	/* a limit below 4 GiB - 1 cannot be guaranteed */
	o.max_address = UINT32_MAX - 1;
	T_CHECK(la_sys_alloc_mmio(&s, 0x1000, &ids[3], "", &o, &at, &pool) == -LA_ERR_NOSPACE);
	/* high out of space falls back to low */
	o.max_address = UINT64_MAX;
	T_EQ_U64(la_sys_alloc_mmio(&s, 0x2000, &ids[3], "", &o, &at, &pool), 0);
	T_CHECK(pool == LA_MMIO_LOW);
	T_EQ_U64(at, 0xd0002000);
	/* ... but not for other errors: bad alignment in high stays an error */
	o.has_align = true;
	o.align = 0x3000;
	T_CHECK(la_sys_alloc_mmio(&s, 0x1000, &ids[4], "", &o, &at, &pool) == -LA_ERR_BADALIGN);
	/* and low never falls back to high */
	o = LA_MMIO_OPTS_DEFAULT;
	T_CHECK(la_sys_alloc_mmio(&s, 0x1000, &ids[4], "", &o, &at, &pool) == -LA_ERR_NOSPACE);
	la_sys_alloc_destroy(&s);

	/* top_down: reverse allocation; align given: that alignment */
	la_sys_alloc_init(&s, &c, false, 0, NULL, 0);
	o = LA_MMIO_OPTS_DEFAULT;
	o.top_down = true;
	T_EQ_U64(la_sys_alloc_mmio(&s, 0x1000, &ids[0], "", &o, &at, &pool), 0);
	T_EQ_U64(at, 0xd0003000);
	o.has_align = true;
	o.align = 0x2000;
	T_EQ_U64(la_sys_alloc_mmio(&s, 0x1000, &ids[1], "", &o, &at, &pool), 0);
	T_EQ_U64(at, 0xd0002000);
	o.top_down = false;
	T_EQ_U64(la_sys_alloc_mmio(&s, 0x1000, &ids[2], "", &o, &at, &pool), 0);
	T_EQ_U64(at, 0xd0000000);
	la_sys_alloc_destroy(&s);
}

static void test_sys_reserve_and_set(void)
{
	struct la_sys_alloc s;
	struct la_sys_alloc_config c = cfg_();
	struct la_reserve_piece p[64];
	struct la_alloc_id x = id_("x"), conflict;
	enum la_mmio_pool pool;
	unsigned n;

	la_sys_alloc_init(&s, &c, false, 0, NULL, 0);
	/* anonymous ids count from 1 */
	T_EQ_U64(la_sys_alloc_reserve_mmio(&s, R(0xd0003000, 0x100000fff), p, &n, NULL), 0);
	T_EQ_U64(n, 2);          /* one piece in low, one in high */
	T_EQ_U64(p[0].id.n, 1);
	T_EQ_U64(p[0].range.start, 0xd0003000);
	T_EQ_U64(p[0].range.end, 0xd0003fff);
	T_CHECK(p[0].pool == LA_MMIO_LOW);
	T_EQ_U64(p[1].id.n, 2);
	T_EQ_U64(p[1].range.end, 0x100000fff);
	T_CHECK(p[1].pool == LA_MMIO_HIGH);
	T_EQ_STR(s.mmio[LA_MMIO_LOW].allocs[0].tag, "pci mmio reserve");
	/* a range outside every pool reserves nothing */
	T_EQ_U64(la_sys_alloc_reserve_mmio(&s, R(0x1000, 0x1fff), p, &n, NULL), 0);
	T_EQ_U64(n, 0);
	/* overlapping a reservation: the error propagates; it is the allocator
	 * set's last error, high MMIO's OutOfSpace, not low's ExistingAlloc */
	T_CHECK(la_sys_alloc_reserve_mmio(&s, R(0xd0003800, 0xd0003fff), p, &n, &conflict) ==
		-LA_ERR_NOSPACE);
	T_EQ_U64(n, 0);
	/* the allocator set: low, then high; the first success */
	T_EQ_U64(la_sys_alloc_mmio_at(&s, R(0x100001000, 0x100001fff), &x, "", NULL, &pool), 0);
	T_CHECK(pool == LA_MMIO_HIGH);
	/* else the last (high's) error, even when low had a better one */
	{
		struct la_alloc_id y = id_("y");

		T_CHECK(la_sys_alloc_mmio_at(&s, R(0xd0003000, 0xd0003fff), &y, "", &conflict,
					     &pool) == -LA_ERR_NOSPACE);
	}
	la_sys_alloc_destroy(&s);
}

static void test_sys_irq_gpe(void)
{
	struct la_sys_alloc s;
	struct la_sys_alloc_config c = cfg_();
	uint32_t v;
	int err = 0;

	la_sys_alloc_init(&s, &c, false, 0, NULL, 0);
	T_EQ_U64(la_sys_alloc_irq(&s, "a", &v), 0);
	T_EQ_U64(v, 9);
	T_CHECK(la_sys_alloc_reserve_irq(&s, 10, "fixed"));
	T_CHECK(!la_sys_alloc_reserve_irq(&s, 10, "fixed"));
	T_CHECK(!la_sys_alloc_reserve_irq(&s, 5, "below first_irq"));
	T_EQ_U64(la_sys_alloc_irq(&s, "b", &v), 0);
	T_EQ_U64(v, 11);         /* the lowest free */
	T_EQ_U64(la_sys_alloc_release_irq(&s, 9), 0);
	T_EQ_U64(la_sys_alloc_irq(&s, "c", &v), 0);
	T_EQ_U64(v, 9);
	T_CHECK(la_sys_alloc_release_irq(&s, 500) == -LA_ERR_NOSPACE);
	for (unsigned i = 12; i <= 1023 && !err; i++)
		err = la_sys_alloc_irq(&s, "fill", &v);
	T_EQ_U64(err, 0);
	T_EQ_U64(v, 1023);
	T_CHECK(la_sys_alloc_irq(&s, "over", &v) == -LA_ERR_NOSPACE);
	T_EQ_U64(la_sys_alloc_gpe(&s, "g", &v), 0);
	T_EQ_U64(v, 0);
	for (unsigned i = 1; i <= 255 && !err; i++)
		err = la_sys_alloc_gpe(&s, "g", &v);
	T_EQ_U64(v, 255);
	T_CHECK(la_sys_alloc_gpe(&s, "g", &v) == -LA_ERR_NOSPACE);
	T_EQ_U64(la_sys_alloc_release_gpe(&s, 7), 0);
	T_EQ_U64(la_sys_alloc_gpe(&s, "g", &v), 0);
	T_EQ_U64(v, 7);
	la_sys_alloc_destroy(&s);
}

static void test_sys_pci(void)
{
	struct la_sys_alloc s;
	struct la_sys_alloc_config c = cfg_();
	uint8_t dev, func;
	int err = 0;

	la_sys_alloc_init(&s, &c, false, 0, NULL, 0);
	T_CHECK(la_sys_alloc_pci_bus_empty(&s, 0));
	T_EQ_U64(la_sys_alloc_pci(&s, 0, "a", &dev, &func), 0);
	T_EQ_U64(dev, 1);        /* 00:00.0 is the host bridge */
	T_EQ_U64(func, 0);
	T_CHECK(!la_sys_alloc_pci_bus_empty(&s, 0));
	/* whole devices first: 00:02.0 .. 00:1f.0 */
	for (unsigned d = 2; d <= 31 && !err; d++) {
		err = la_sys_alloc_pci(&s, 0, "d", &dev, &func);
		T_EQ_U64(dev, d);
		T_EQ_U64(func, 0);
	}
	/* then single functions, from 00:01.1 */
	T_EQ_U64(la_sys_alloc_pci(&s, 0, "f", &dev, &func), 0);
	T_EQ_U64(dev, 1);
	T_EQ_U64(func, 1);
	/* other buses start at device 0 */
	T_EQ_U64(la_sys_alloc_pci(&s, 3, "b", &dev, &func), 0);
	T_EQ_U64(dev, 0);
	T_EQ_U64(func, 0);
	T_CHECK(la_sys_alloc_reserve_pci(&s, 3, 5, 2, "r"));
	T_CHECK(!la_sys_alloc_reserve_pci(&s, 3, 5, 2, "r"));
	T_EQ_U64(la_sys_alloc_release_pci(&s, 3, 5, 2), 0);
	T_CHECK(la_sys_alloc_release_pci(&s, 4, 0, 0) == -LA_ERR_NOSPACE);
	T_EQ_U64(la_sys_alloc_release_pci(&s, 0, 1, 0), 0);
	T_EQ_U64(la_sys_alloc_pci(&s, 0, "again", &dev, &func), 0);
	T_EQ_U64(dev, 1);        /* the released whole device comes back first */
	T_EQ_U64(func, 0);
	la_sys_alloc_destroy(&s);
}

static void vm_(struct la_vm_config *cfg, struct la_arch_layout *l, struct la_mem_layout *m,
		const char *arch, uint64_t mem)
{
	la_vm_config_init(cfg);
	cfg->arch = la_arch_lookup(arch);
	cfg->mem_size = mem;
	T_EQ_U64(la_layout_compute(cfg, l, m), 0);
}

static void test_arch_config(void)
{
	struct la_vm_config cfg;
	struct la_arch_layout l;
	struct la_mem_layout m;
	struct la_sys_alloc_config c;

	vm_(&cfg, &l, &m, "x86_64", 8 * LA_GiB);
	T_EQ_U64(cfg.arch->system_allocator_config(&cfg, &l, &m, 46, &c), 0);
	T_EQ_U64(c.io.start, 0xc000);
	T_EQ_U64(c.io.end, 0xffff);
	T_EQ_U64(c.low_mmio.start, 0xd0000000);
	T_EQ_U64(c.low_mmio.end, 0xf7ffffff);
	T_EQ_U64(c.vcfg.start, 0x230000000);
	T_EQ_U64(c.vcfg.end, 0x237ffffff);
	T_EQ_U64(c.high_mmio.start, 0x238000000);
	T_EQ_U64(c.high_mmio.end, 0x3fffffffffff);
	T_EQ_U64(c.first_irq, 9);
	T_EQ_U64(c.nreserve, 1);
	T_EQ_U64(c.reserve[0].start, 0xf4000000);
	T_EQ_U64(c.reserve[0].end, 0xf7ffffff);
	T_CHECK(!c.has_platform_mmio);
	{
		struct la_sys_alloc s;
		struct la_reserve_piece p[LA_SYS_MAX_RESERVE * LA_SYS_MAX_PIECES];
		unsigned n;

		/* build_vm step 2: the ECAM window is reserved out of low MMIO */
		T_EQ_U64(la_sys_alloc_init(&s, &c, false, 0, NULL, 0), 0);
		T_EQ_U64(la_sys_alloc_reserve_config(&s, &c, p, &n, NULL), 0);
		T_EQ_U64(n, 1);
		T_EQ_STR(p[0].name, "pci-ecam");
		T_CHECK(p[0].pool == LA_MMIO_LOW);
		T_EQ_U64(s.mmio[LA_MMIO_LOW].free[0].end, 0xf3ffffff);
		la_sys_alloc_destroy(&s);
	}
	T_EQ_U64(cfg.arch->system_allocator_config(&cfg, &l, &m, 48, &c), 0);
	T_EQ_U64(c.high_mmio.end, 0x3fffffffffff); /* clamped to 2^46-1 */
	T_EQ_U64(cfg.arch->system_allocator_config(&cfg, &l, &m, 36, &c), 0);
	T_EQ_U64(c.high_mmio.end, 0xfffffffff);
	T_EQ_U64(cfg.arch->pci_max_irqs, 4);
	T_EQ_U64(cfg.arch->default_phys_bits, 36);

	vm_(&cfg, &l, &m, "x86_64", 512 * LA_MiB);
	cfg.arch->system_allocator_config(&cfg, &l, &m, 46, &c);
	T_EQ_U64(c.vcfg.start, 0x100000000);     /* never below 4 GiB */
	T_EQ_U64(c.high_mmio.start, 0x108000000);

	vm_(&cfg, &l, &m, "aarch64", 2 * LA_GiB);
	T_EQ_U64(cfg.arch->system_allocator_config(&cfg, &l, &m, 40, &c), 0);
	T_CHECK(!c.has_io);
	T_EQ_U64(c.low_mmio.start, 0x2000000);
	T_EQ_U64(c.low_mmio.end, 0x3ffffff);
	T_EQ_U64(c.platform_mmio.start, 0x100000000);
	T_EQ_U64(c.platform_mmio.end, 0x13fffffff);
	T_EQ_U64(c.high_mmio.start, 0x140000000);
	T_EQ_U64(c.high_mmio.end, 0xffffffffff);
	T_EQ_U64(c.first_irq, 4);
	T_EQ_U64(cfg.arch->pci_max_irqs, 28);
	T_CHECK(cfg.arch->system_allocator_config(&cfg, &l, &m, 32, &c) == -LA_ERR_PHYSBITS);
	T_EQ_U64(cfg.arch->system_allocator_config(&cfg, &l, &m, 64, &c), 0);
	T_EQ_U64(c.high_mmio.end, UINT64_MAX);

	vm_(&cfg, &l, &m, "riscv64", LA_GiB);
	T_EQ_U64(cfg.arch->system_allocator_config(&cfg, &l, &m, 48, &c), 0);
	T_EQ_U64(c.low_mmio.start, 0x3000000);
	T_EQ_U64(c.low_mmio.end, 0x30fffff);
	T_EQ_U64(c.high_mmio.start, 0xc0000000);
	T_EQ_U64(c.high_mmio.end, 0xffffffffffff);
	T_EQ_U64(c.first_irq, 1);
	T_EQ_U64(cfg.arch->pci_max_irqs, 2047);
}

/* n virtio-blk devices on arch; the INTx IRQ of each into irqs. */
static int virtio_n(const char *arch, unsigned n, uint32_t *irqs, struct la_grant *last)
{
	struct la_vm_config cfg;
	struct la_arch_layout l;
	struct la_mem_layout m;
	struct la_sys_alloc_config c;
	struct la_sys_alloc s;
	struct la_platform d;
	struct la_grant g[LA_DEV_MAX_NEEDS];
	const struct la_dev_desc *t = la_dev_lookup("virtio-blk");
	unsigned ng;
	int err = 0;

	vm_(&cfg, &l, &m, arch, LA_GiB);
	cfg.arch->system_allocator_config(&cfg, &l, &m, 40, &c);
	la_sys_alloc_init(&s, &c, false, 0, NULL, 0);
	la_platform_init(&d, cfg.arch, &s);
	for (unsigned i = 0; i < n && !err; i++) {
		char name[16];

		snprintf(name, sizeof(name), "blk%u", i);
		err = la_platform_add(&d, t, name, g, &ng, NULL);
		if (!err) {
			irqs[i] = g[2].value;
			memcpy(last, g, sizeof(g));
		}
	}
	if (!err) {
		uint64_t at;

		/* BARs are PciBar ids: address_from_pci_offset works on them */
		err = la_addr_alloc_pci_offset(&s.mmio[LA_MMIO_LOW], &last[1].id, 0x1000, 0x1000, &at);
		if (!err && at != last[1].range.start + 0x1000)
			err = -LA_ERR_INTERNAL;
	}
	la_platform_destroy(&d);
	la_sys_alloc_destroy(&s);
	return err;
}

static void test_devices_intx(void)
{
	uint32_t irqs[40];
	struct la_grant last[LA_DEV_MAX_NEEDS];

	/* x86: 4 IRQs from 9, then pool[dev_idx % 4] */
	T_EQ_U64(virtio_n("x86_64", 6, irqs, last), 0);
	T_EQ_U64(irqs[0], 9);
	T_EQ_U64(irqs[3], 12);
	T_EQ_U64(irqs[4], 9);
	T_EQ_U64(irqs[5], 10);
	T_CHECK(last[2].shared && last[2].intx);
	T_EQ_U64(last[0].dev, 6);     /* slots 00:01.0 .. 00:06.0 */
	T_EQ_U64(last[1].range.start, 0xd0000000 + 5 * 0x8000);
	T_EQ_U64(la_range_len(last[1].range), 0x8000);
	/* aarch64: 28 IRQs from 4, the 29th device shares pool[28 % 28] */
	T_EQ_U64(virtio_n("aarch64", 29, irqs, last), 0);
	T_EQ_U64(irqs[0], 4);
	T_EQ_U64(irqs[27], 31);
	T_EQ_U64(irqs[28], 4);
	/* riscv64: 1 MiB of low MMIO holds 32 BARs of 32 KiB; slots run out
	 * first (31 whole devices), then single functions: 00:01.1 has pin
	 * INTB, a new key */
	T_EQ_U64(virtio_n("riscv64", 32, irqs, last), 0);
	T_EQ_U64(irqs[0], 1);
	T_EQ_U64(irqs[31], 32);
	T_EQ_U64(last[0].dev, 1);
	T_EQ_U64(last[0].func, 1);
	T_CHECK(virtio_n("riscv64", 33, irqs, last) == -LA_ERR_NOSPACE); /* low MMIO full */
}

static void test_devices_fixed(void)
{
	struct la_vm_config cfg;
	struct la_arch_layout l;
	struct la_mem_layout m;
	struct la_sys_alloc_config c;
	struct la_sys_alloc s;
	struct la_platform d;
	struct la_grant g[LA_DEV_MAX_NEEDS];
	const char *conflict = NULL;
	unsigned n;

	vm_(&cfg, &l, &m, "aarch64", LA_GiB);
	cfg.arch->system_allocator_config(&cfg, &l, &m, 40, &c);
	la_sys_alloc_init(&s, &c, false, 0, NULL, 0);
	la_platform_init(&d, cfg.arch, &s);
	T_EQ_STR(la_platform_next_serial(&d)->name, "com1");
	T_EQ_U64(la_platform_add(&d, la_dev_lookup("com1"), "com1", g, &n, NULL), 0);
	T_EQ_U64(n, 2);
	T_CHECK(g[0].kind == LA_RES_MMIO && g[0].fixed);
	T_EQ_U64(g[0].range.start, 0x3f8);
	T_EQ_U64(g[1].value, 0);                 /* SPI 0 */
	T_EQ_STR(g[0].name, "com1.mmio");
	T_EQ_STR(la_platform_next_serial(&d)->name, "com2");
	T_CHECK(la_platform_add(&d, la_dev_lookup("com1"), "again", g, &n, &conflict) ==
		-LA_ERR_EXISTINGALLOC);
	T_EQ_STR(conflict, "com1.mmio");
	T_CHECK(la_platform_add(&d, la_dev_lookup("i8042"), "k", g, &n, NULL) == -LA_ERR_UNSUPPORTED);
	T_CHECK(la_platform_add(&d, la_dev_lookup("pstore"), "p", g, &n, NULL) == -LA_ERR_NOPOOL);
	T_EQ_U64(la_platform_add(&d, la_dev_lookup("rtc"), "rtc", g, &n, NULL), 0);
	T_EQ_U64(g[0].range.start, 0x2000);
	T_EQ_U64(g[1].value, 1);
	la_platform_release(&d, &g[0]);
	T_EQ_U64(la_platform_add(&d, la_dev_lookup("rtc"), "rtc", g, &n, NULL), 0);
	T_CHECK(la_dev_lookup("serial") == NULL);
	la_platform_destroy(&d);
	la_sys_alloc_destroy(&s);
}

/* Record what an encoder was asked. */
static void enc_test(const struct la_irq_cells *ic, uint32_t *cells, uint32_t irq, uint32_t type,
		     bool ppi)
{
	(void)ic;
	cells[0] = ppi;
	cells[1] = irq;
	cells[2] = type;
}

/* The arch's device list, its options, the instances and the
 * interrupt-map built from PCI grants. */
static void test_platform(void)
{
	const struct la_irq_cells ic = { .phandle = 7, .addr_cells = 2, .ncells = 3,
					 .encode = enc_test };
	struct la_platform_opts o = { .serials = 2, .acpi = false };
	struct la_vm_config cfg;
	struct la_arch_layout l;
	struct la_mem_layout m;
	struct la_sys_alloc_config c;
	struct la_sys_alloc s;
	struct la_platform p;
	struct la_grant g[LA_DEV_MAX_NEEDS];
	const char *failed = NULL;
	uint32_t cells[40];
	unsigned n;

	vm_(&cfg, &l, &m, "aarch64", LA_GiB);
	cfg.arch->system_allocator_config(&cfg, &l, &m, 40, &c);
	la_sys_alloc_init(&s, &c, false, 0, NULL, 0);
	la_platform_init(&p, cfg.arch, &s);
	T_EQ_U64(la_platform_add_arch(&p, &o, &failed, NULL), 0);
	T_EQ_U64(p.ninst, 5); /* rtc vmwdt com1 com2 cpufreq */
	T_EQ_STR(p.inst[0].name, "rtc");
	T_EQ_STR(p.inst[1].name, "vmwdt");
	T_EQ_STR(p.inst[3].name, "com2");
	T_EQ_STR(p.inst[4].name, "cpufreq");
	T_CHECK(la_platform_find(&p, "com3") == NULL);
	T_EQ_U64(la_dev_inst_grant(la_platform_find(&p, "vmwdt"), LA_RES_IRQ, 0)->value, 15);
	T_CHECK(la_dev_inst_grant(la_platform_find(&p, "vmwdt"), LA_RES_IRQ, 1) == NULL);
	/* no PCI device, no map */
	T_EQ_U64(la_platform_pci_interrupt_map(&p, &ic, NULL), 0);
	T_EQ_U64(la_platform_add(&p, &la_dev_virtio_blk, "b", g, &n, NULL), 0);
	T_EQ_U64(la_platform_add(&p, &la_dev_virtio_net, "n", g, &n, NULL), 0);
	T_EQ_U64(la_platform_pci_interrupt_map(&p, &ic, NULL), 20);
	T_EQ_U64(la_platform_pci_interrupt_map(&p, &ic, cells), 20);
	T_EQ_U64(cells[0], 1 << 11); /* 00:01.0 */
	T_EQ_U64(cells[3], 1);       /* INTA */
	T_EQ_U64(cells[4], 7);       /* the controller */
	T_EQ_U64(cells[5] | cells[6], 0);
	T_EQ_U64(cells[7], 0);       /* not a PPI */
	T_EQ_U64(cells[8], 4);       /* the first INTx IRQ */
	T_EQ_U64(cells[9], LA_DT_IRQ_LEVEL_HIGH);
	T_EQ_U64(cells[10], 2 << 11);
	T_EQ_U64(cells[18], 5);
	/* releasing a fixed grant drops it from its instance, and the
	 * instance with its last grant */
	la_platform_release(&p, &p.inst[4].g[0]);
	T_EQ_U64(p.ninst, 6);
	T_CHECK(la_platform_find(&p, "cpufreq") == NULL);
	/* and its window is free again */
	T_EQ_U64(la_platform_add(&p, &la_dev_cpufreq, "cpufreq", g, &n, NULL), 0);
	T_EQ_U64(p.ninst, 7);
	T_CHECK(la_platform_add(&p, &la_dev_com3, "a-name-longer-than-forty-characters-for-sure",
				g, &n, NULL) == -LA_ERR_NAMELEN);
	la_platform_destroy(&p);
	la_sys_alloc_destroy(&s);

	/* x86_64 with ACPI: the PM block from the IO pool, SCI 5 */
	vm_(&cfg, &l, &m, "x86_64", LA_GiB);
	cfg.arch->system_allocator_config(&cfg, &l, &m, 40, &c);
	la_sys_alloc_init(&s, &c, false, 0, NULL, 0);
	la_platform_init(&p, cfg.arch, &s);
	o = LA_PLATFORM_OPTS_DEFAULT;
	T_EQ_U64(la_platform_add_arch(&p, &o, &failed, NULL), 0);
	T_EQ_U64(p.ninst, 9);
	T_EQ_U64(la_dev_inst_grant(la_platform_find(&p, "acpi-pm"), LA_RES_IO, 0)->range.start,
		 0xc000);
	T_EQ_U64(la_dev_inst_grant(la_platform_find(&p, "acpi-pm"), LA_RES_IRQ, 0)->value, 5);
	/* a second list finds every fixed range taken */
	T_CHECK(la_platform_add_arch(&p, &o, &failed, NULL) == -LA_ERR_EXISTINGALLOC);
	T_EQ_STR(failed, "i8042");
	la_platform_destroy(&p);
	la_sys_alloc_destroy(&s);
}

static void test_phys_bits(void)
{
	struct la_vm_config cfg;
	const char *src = NULL;
	unsigned bits;

	la_vm_config_init(&cfg);
	cfg.arch = la_arch_lookup("riscv64");
	T_EQ_U64(la_vm_phys_bits(&cfg, &src), 48); /* no host query for riscv64 */
	T_EQ_STR(src, "default");
	cfg.phys_bits = 40;
	T_EQ_U64(la_vm_phys_bits(&cfg, &src), 40);
	T_EQ_STR(src, "--phys-bits");
	cfg.arch = la_arch_lookup("x86_64");
	cfg.phys_bits = 0;
	bits = la_vm_phys_bits(&cfg, &src);
	T_CHECK(bits >= 32 && bits <= 64);
#if !defined(__x86_64__) && !defined(__i386__)
	T_EQ_U64(bits, 36); /* not an x86 host: KVM's default */
#endif
}

int main(void)
{
	test_range_helpers();
	test_init_alignment();
	test_pools();
	test_errors_order();
	test_min_align_applies();
	test_first_and_last_fit();
	test_preferred_fallback();
	test_allocate_at();
	test_release_coalesces();
	test_release_overlap();
	test_u64_limits();
	test_pci_offset();
	test_names();
	test_sys_init();
	test_sys_io();
	test_sys_mmio();
	test_sys_reserve_and_set();
	test_sys_irq_gpe();
	test_sys_pci();
	test_arch_config();
	test_devices_intx();
	test_devices_fixed();
	test_platform();
	test_phys_bits();
	return T_DONE();
}
