/* SPDX-License-Identifier: MIT */
/* Unit tests of the bus (lib/vm/bus.c): ranges, overlaps, removal, the
 * offsets and sizes handlers see, and what nobody claims. */
#include <stdint.h>
#include <string.h>

#include "err.h"
#include "t.h"
#include "vm/bus.h"

/* A device that records its last access and reads back offset bytes. */
struct rec {
	uint64_t off;
	unsigned size, reads, writes;
	uint8_t last[8];
};

static void rec_read(void *ctx, uint64_t off, uint8_t *data, unsigned size)
{
	struct rec *r = ctx;

	r->off = off, r->size = size, r->reads++;
	for (unsigned i = 0; i < size; i++)
		data[i] = (uint8_t)(off + i);
}

static void rec_write(void *ctx, uint64_t off, const uint8_t *data, unsigned size)
{
	struct rec *r = ctx;

	r->off = off, r->size = size, r->writes++;
	memcpy(r->last, data, size);
}

static const struct la_bus_ops rec_ops = { rec_read, rec_write };
static const struct la_bus_ops none_ops = { NULL, NULL };

static struct la_range rg(uint64_t start, uint64_t end)
{
	return (struct la_range){ start, end };
}

static void test_add_overlap(void)
{
	struct la_bus b;
	struct rec r = { 0 };

	la_bus_init(&b);
	T_EQ_U64(la_bus_add(&b, "a", rg(0x100, 0x1ff), &rec_ops, &r), 0);
	/* the same, inside, around, over either end */
	T_EQ_U64(la_bus_add(&b, "x", rg(0x100, 0x1ff), &rec_ops, &r), (uint64_t)-LA_ERR_OVERLAP);
	T_EQ_U64(la_bus_add(&b, "x", rg(0x140, 0x150), &rec_ops, &r), (uint64_t)-LA_ERR_OVERLAP);
	T_EQ_U64(la_bus_add(&b, "x", rg(0x0, 0x1000), &rec_ops, &r), (uint64_t)-LA_ERR_OVERLAP);
	T_EQ_U64(la_bus_add(&b, "x", rg(0x80, 0x100), &rec_ops, &r), (uint64_t)-LA_ERR_OVERLAP);
	T_EQ_U64(la_bus_add(&b, "x", rg(0x1ff, 0x2ff), &rec_ops, &r), (uint64_t)-LA_ERR_OVERLAP);
	/* adjacent on both sides is fine */
	T_EQ_U64(la_bus_add(&b, "lo", rg(0x80, 0xff), &rec_ops, &r), 0);
	T_EQ_U64(la_bus_add(&b, "hi", rg(0x200, 0x2ff), &rec_ops, &r), 0);
	/* a gap filled exactly between two devices */
	T_EQ_U64(la_bus_add(&b, "far", rg(0x400, 0x4ff), &rec_ops, &r), 0);
	T_EQ_U64(la_bus_add(&b, "x", rg(0x2ff, 0x400), &rec_ops, &r), (uint64_t)-LA_ERR_OVERLAP);
	T_EQ_U64(la_bus_add(&b, "gap", rg(0x300, 0x3ff), &rec_ops, &r), 0);
	T_EQ_U64(b.n, 5);
	T_EQ_U64(la_bus_add(&b, "x", LA_RANGE_EMPTY, &rec_ops, &r), (uint64_t)-LA_ERR_RANGE);
	la_bus_destroy(&b);
}

static void test_full(void)
{
	struct la_bus b;
	struct rec r = { 0 };
	int err = 0;

	la_bus_init(&b);
	for (unsigned i = 0; i < LA_BUS_MAX; i++)
		err |= la_bus_add(&b, "d", rg(i * 16, i * 16 + 15), &rec_ops, &r);
	T_EQ_U64(err, 0);
	T_EQ_U64(la_bus_add(&b, "d", rg(0x10000, 0x10000), &rec_ops, &r),
		 (uint64_t)-LA_ERR_TOOMANY);
	/* an overlap is still an overlap when full */
	T_EQ_U64(la_bus_add(&b, "d", rg(0, 0), &rec_ops, &r), (uint64_t)-LA_ERR_OVERLAP);
	T_EQ_U64(la_bus_remove(&b, rg(16, 31)), 0);
	T_EQ_U64(la_bus_add(&b, "d", rg(0x10000, 0x10000), &rec_ops, &r), 0);
	la_bus_destroy(&b);
}

static void test_remove(void)
{
	struct la_bus b;
	struct rec r1 = { 0 }, r2 = { 0 };
	uint8_t v = 0;

	la_bus_init(&b);
	T_EQ_U64(la_bus_add(&b, "bar", rg(0xe0000000, 0xe0000fff), &rec_ops, &r1), 0);
	/* only the exact range removes it */
	T_EQ_U64(la_bus_remove(&b, rg(0xe0000000, 0xe00007ff)), (uint64_t)-LA_ERR_NOTFOUND);
	T_EQ_U64(la_bus_remove(&b, rg(0xe0000001, 0xe0000fff)), (uint64_t)-LA_ERR_NOTFOUND);
	T_EQ_U64(la_bus_remove(&b, rg(0xd0000000, 0xd0000fff)), (uint64_t)-LA_ERR_NOTFOUND);
	T_EQ_U64(la_bus_remove(&b, rg(0xe0000000, 0xe0000fff)), 0);
	T_EQ_U64(la_bus_remove(&b, rg(0xe0000000, 0xe0000fff)), (uint64_t)-LA_ERR_NOTFOUND);
	T_CHECK(!la_bus_access(&b, 0xe0000010, false, &v, 1));
	T_EQ_U64(r1.reads, 0);
	/* the guest moved the BAR: re-add it elsewhere, and another device
	 * where it was */
	T_EQ_U64(la_bus_add(&b, "bar", rg(0xe0001000, 0xe0001fff), &rec_ops, &r1), 0);
	T_EQ_U64(la_bus_add(&b, "new", rg(0xe0000000, 0xe0000fff), &rec_ops, &r2), 0);
	T_CHECK(la_bus_access(&b, 0xe0000010, false, &v, 1));
	T_EQ_U64(r2.reads, 1);
	T_CHECK(la_bus_access(&b, 0xe0001010, false, &v, 1));
	T_EQ_U64(r1.reads, 1);
	T_EQ_U64(r1.off, 0x10);
	la_bus_destroy(&b);
}

static void test_access(void)
{
	struct la_bus b;
	struct rec r = { 0 }, hi = { 0 };
	uint8_t d[8];
	uint64_t top = 0x1000000000ull; /* 64 GiB: above 4 GiB */

	la_bus_init(&b);
	T_EQ_U64(la_bus_add(&b, "dev", rg(0x3f8, 0x3ff), &rec_ops, &r), 0);
	T_EQ_U64(la_bus_add(&b, "high", rg(top, top + 0xfff), &rec_ops, &hi), 0);
	T_EQ_U64(la_bus_add(&b, "mute", rg(0x500, 0x503), &none_ops, NULL), 0);
	/* first and last byte of the range, the offsets and sizes handlers get */
	T_CHECK(la_bus_access(&b, 0x3f8, false, d, 1));
	T_EQ_U64(r.off, 0);
	T_EQ_U64(r.size, 1);
	T_EQ_U64(d[0], 0);
	T_CHECK(la_bus_access(&b, 0x3ff, false, d, 1));
	T_EQ_U64(r.off, 7);
	T_EQ_U64(d[0], 7);
	T_CHECK(la_bus_access(&b, 0x3fc, false, d, 4));
	T_EQ_U64(r.off, 4);
	T_EQ_U64(r.size, 4);
	T_EQ_U64(d[3], 7);
	/* one below and one above: nobody; all-ones bytes, no handler call */
	memset(d, 0, sizeof(d));
	T_CHECK(!la_bus_access(&b, 0x3f7, false, d, 2));
	T_EQ_U64(d[0], 0xff);
	T_EQ_U64(d[1], 0xff);
	T_CHECK(!la_bus_access(&b, 0x400, false, d, 8));
	T_EQ_U64(d[7], 0xff);
	T_EQ_U64(r.reads, 3);
	/* an unclaimed write is ignored and leaves data alone */
	d[0] = 0x5a;
	T_CHECK(!la_bus_access(&b, 0x400, true, d, 1));
	T_EQ_U64(d[0], 0x5a);
	T_EQ_U64(r.writes, 0);
	/* writes reach the handler at their offset */
	T_CHECK(la_bus_access(&b, 0x3fa, true, d, 1));
	T_EQ_U64(r.writes, 1);
	T_EQ_U64(r.off, 2);
	T_EQ_U64(r.last[0], 0x5a);
	/* 64-bit addresses: 8-byte access at the last 8 bytes of the range */
	memcpy(d, "\1\2\3\4\5\6\7\10", 8);
	T_CHECK(la_bus_access(&b, top + 0xff8, true, d, 8));
	T_EQ_U64(hi.off, 0xff8);
	T_EQ_U64(hi.size, 8);
	T_EQ_U64(hi.last[7], 8);
	T_CHECK(!la_bus_access(&b, top + 0x1000, false, d, 4));
	T_CHECK(!la_bus_access(&b, top - 1, false, d, 4));
	T_CHECK(!la_bus_access(&b, top & 0xffffffffu, false, d, 4)); /* no 32-bit wrap */
	T_EQ_U64(hi.reads, 0);
	/* a claimed range without handlers: claimed, reads all ones */
	d[0] = 0;
	T_CHECK(la_bus_access(&b, 0x501, false, d, 1));
	T_EQ_U64(d[0], 0xff);
	T_CHECK(la_bus_access(&b, 0x501, true, d, 1));
	la_bus_destroy(&b);
}

static void test_top(void)
{
	struct la_bus b;
	struct rec r = { 0 };
	uint8_t d[2];

	/* the very last address of the 64-bit space */
	la_bus_init(&b);
	T_EQ_U64(la_bus_add(&b, "end", rg(UINT64_MAX - 0xf, UINT64_MAX), &rec_ops, &r), 0);
	T_CHECK(la_bus_access(&b, UINT64_MAX, false, d, 1));
	T_EQ_U64(r.off, 0xf);
	T_EQ_U64(la_bus_add(&b, "x", rg(UINT64_MAX, UINT64_MAX), &rec_ops, &r),
		 (uint64_t)-LA_ERR_OVERLAP);
	T_EQ_U64(la_bus_remove(&b, rg(UINT64_MAX - 0xf, UINT64_MAX)), 0);
	T_EQ_U64(b.n, 0);
	la_bus_destroy(&b);
}

int main(void)
{
	test_add_overlap();
	test_full();
	test_remove();
	test_access();
	test_top();
	return T_DONE();
}
