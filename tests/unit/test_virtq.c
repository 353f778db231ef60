/* SPDX-License-Identifier: MIT */
/* Unit tests of the split virtqueue (lib/virtio/queue.c) against a small
 * guest driver written here: chains direct and indirect, 16-bit index
 * wraparound, EVENT_IDX and the flags, every way a guest can break a
 * queue, the copies across segments, which bytes push writes, and random
 * rings that must break the queue or give chains inside guest RAM. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "err.h"
#include "t.h"
#include "virtio/queue.h"

/* Fake guest RAM: two 64 KiB slots with a 64 KiB hole between them. */
#define RAM0 0x10000ULL
#define RAM1 0x30000ULL
#define SLOT 0x10000ULL
#define GAP 0x20000ULL   /* in the hole */

/* Where the driver puts things in slot 0. */
#define DESC 0x10000ULL
#define AVAIL 0x11000ULL
#define USED 0x12000ULL
#define BUF 0x14000ULL   /* data buffers, up to 0x18000 */
#define IND 0x18000ULL   /* indirect tables */

#define F_NEXT 1
#define F_WRITE 2
#define F_IND 4
#define FEAT_IND (1ULL << LA_VIRTIO_F_INDIRECT_DESC)
#define FEAT_EVT (1ULL << LA_VIRTIO_F_EVENT_IDX)

static struct la_gmem g;
static uint8_t *ram[2];
static struct la_virtq_chain ch;   /* 16 KiB: not on the stack */

/* The driver's side of one queue. */
struct drv {
	uint16_t size;
	uint16_t avail_idx;
};

static uint8_t *gp(uint64_t gpa)
{
	return la_gmem_ptr(&g, gpa, 1);
}

static void ram_setup(void)
{
	for (int i = 0; i < 2; i++) {
		ram[i] = aligned_alloc(4096, SLOT);
		memset(ram[i], 0, SLOT);
		g.s[i] = (struct la_gmem_slot){ .gpa = i ? RAM1 : RAM0, .size = SLOT,
						.host = ram[i],
						.purpose = LA_REGION_GUEST_MEMORY };
	}
	g.n = 2;
}

static void ram_clear(void)
{
	memset(ram[0], 0, SLOT);
	memset(ram[1], 0, SLOT);
}

/* descriptor i of the table at gpa tbl */
static void desc_at(uint64_t tbl, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
		    uint16_t next)
{
	uint8_t *p = gp(tbl + 16ULL * i);

	la_put64(p, addr);
	la_put32(p + 8, len);
	la_put16(p + 12, flags);
	la_put16(p + 14, next);
}

static void desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	desc_at(DESC, i, addr, len, flags, next);
}

static void avail_set_idx(uint16_t idx)
{
	la_put16(gp(AVAIL + 2), idx);
}

/* offer head to the device */
static void drv_add(struct drv *d, uint16_t head)
{
	la_put16(gp(AVAIL + 4 + 2 * (d->avail_idx & (d->size - 1))), head);
	avail_set_idx(++d->avail_idx);
}

static uint16_t used_idx(void)
{
	return la_get16(gp(USED + 2));
}

static uint32_t used_id(struct drv *d, uint16_t n)
{
	return la_get32(gp(USED + 4 + 8 * (n & (d->size - 1))));
}

static uint32_t used_len(struct drv *d, uint16_t n)
{
	return la_get32(gp(USED + 8 + 8 * (n & (d->size - 1))));
}

/* a fresh queue of size entries at DESC, AVAIL, USED */
static void q_new(struct la_virtq *q, struct drv *d, uint16_t size, uint64_t features)
{
	ram_clear();
	*d = (struct drv){ .size = size };
	T_EQ_U64(la_virtq_init(q, &g, size, DESC, AVAIL, USED, features), 0);
}

static void test_init(void)
{
	struct la_virtq q;

	ram_clear();
	T_EQ_U64(la_virtq_init(&q, &g, 256, DESC, AVAIL, USED, 0), 0);
	T_CHECK(!q.broken && !q.why);
	T_EQ_U64(la_virtq_init(&q, &g, 1, DESC, AVAIL, USED, FEAT_IND | FEAT_EVT), 0);
	T_CHECK(q.indirect && q.event_idx);
	/* sizes */
	T_EQ_U64(la_virtq_init(&q, &g, 0, DESC, AVAIL, USED, 0), (uint64_t)-LA_ERR_VIRTQ);
	T_CHECK(q.broken && q.why);
	T_EQ_U64(la_virtq_init(&q, &g, 3, DESC, AVAIL, USED, 0), (uint64_t)-LA_ERR_VIRTQ);
	T_EQ_U64(la_virtq_init(&q, &g, 0xffff, DESC, AVAIL, USED, 0), (uint64_t)-LA_ERR_VIRTQ);
	T_EQ_U64(la_virtq_pop(&q, &ch), (uint64_t)-LA_ERR_VIRTQ);
	/* a queue that failed init takes the other calls harmlessly */
	la_virtq_push(&q, 0, 0);
	la_virtq_notify_off(&q);
	T_CHECK(!la_virtq_need_irq(&q) && !la_virtq_notify_on(&q));
	/* alignment: desc 16, avail 2, used 4 */
	T_EQ_U64(la_virtq_init(&q, &g, 8, DESC + 8, AVAIL, USED, 0), (uint64_t)-LA_ERR_VIRTQ);
	T_CHECK(q.why && strstr(q.why, "descriptor"));
	T_EQ_U64(la_virtq_init(&q, &g, 8, DESC, AVAIL + 1, USED, 0), (uint64_t)-LA_ERR_VIRTQ);
	T_CHECK(q.why && strstr(q.why, "avail"));
	T_EQ_U64(la_virtq_init(&q, &g, 8, DESC, AVAIL + 2, USED + 2, 0), (uint64_t)-LA_ERR_VIRTQ);
	T_CHECK(q.why && strstr(q.why, "used"));
	T_EQ_U64(la_virtq_init(&q, &g, 8, DESC, AVAIL + 2, USED + 4, 0), 0);
	/* each part whole inside RAM: exactly fitting at the slot's end, then
	 * one entry more */
	T_EQ_U64(la_virtq_init(&q, &g, 256, RAM0 + SLOT - 16 * 256, AVAIL, USED, 0), 0);
	T_EQ_U64(la_virtq_init(&q, &g, 512, RAM0 + SLOT - 16 * 256, AVAIL, USED, 0),
		 (uint64_t)-LA_ERR_VIRTQ);
	T_EQ_U64(la_virtq_init(&q, &g, 256, DESC, RAM0 + SLOT - (6 + 2 * 256), USED, 0), 0);
	T_EQ_U64(la_virtq_init(&q, &g, 256, DESC, RAM0 + SLOT - (4 + 2 * 256), USED, 0),
		 (uint64_t)-LA_ERR_VIRTQ);
	/* the used ring of 256 is 6 + 8*256 = 0x806 bytes */
	T_EQ_U64(la_virtq_init(&q, &g, 256, DESC, AVAIL, RAM0 + SLOT - 0x808, 0), 0);
	T_EQ_U64(la_virtq_init(&q, &g, 256, DESC, AVAIL, RAM1 + SLOT - 0x804, 0),
		 (uint64_t)-LA_ERR_VIRTQ);
	T_EQ_U64(la_virtq_init(&q, &g, 8, GAP, AVAIL, USED, 0), (uint64_t)-LA_ERR_VIRTQ);
	T_EQ_U64(la_virtq_init(&q, &g, 8, DESC, AVAIL, ~0ULL - 3, 0), (uint64_t)-LA_ERR_VIRTQ);
	T_EQ_U64(la_virtq_init(&q, &g, LA_VIRTQ_MAX_SIZE, DESC, AVAIL, USED, 0),
		 (uint64_t)-LA_ERR_VIRTQ);   /* 512 KiB of descriptors: more than a slot */
}

static void test_simple(void)
{
	struct la_virtq q;
	struct drv d;
	uint8_t out[4] = { 1, 2, 3, 4 }, back[8];

	q_new(&q, &d, 8, 0);
	T_EQ_U64(la_virtq_pop(&q, &ch), 0);
	memcpy(gp(BUF), out, 4);
	desc(3, BUF, 4, F_NEXT, 5);
	desc(5, BUF + 0x100, 16, F_WRITE, 0);
	drv_add(&d, 3);
	T_EQ_U64(la_virtq_pop(&q, &ch), 1);
	T_EQ_U64(ch.head, 3);
	T_EQ_U64(ch.nout, 1);
	T_EQ_U64(ch.nin, 1);
	T_EQ_U64(ch.out_bytes, 4);
	T_EQ_U64(ch.in_bytes, 16);
	T_CHECK(ch.seg[0].p == gp(BUF) && ch.seg[0].len == 4);
	T_CHECK(ch.seg[1].p == gp(BUF + 0x100) && ch.seg[1].len == 16);
	T_EQ_U64(la_virtq_read(&ch, 0, back, sizeof(back)), 4);
	T_CHECK(!memcmp(back, out, 4));
	T_EQ_U64(la_virtq_write(&ch, 0, out, 4), 4);
	T_CHECK(!memcmp(gp(BUF + 0x100), out, 4));
	T_EQ_U64(la_virtq_pop(&q, &ch), 0);
	la_virtq_push(&q, 3, 4);
	T_EQ_U64(used_idx(), 1);
	T_EQ_U64(used_id(&d, 0), 3);
	T_EQ_U64(used_len(&d, 0), 4);
	T_CHECK(!q.broken);
}

static void test_long_chain(void)
{
	struct la_virtq q;
	struct drv d;

	/* 3 readable, 4 writable, spread over both slots; a zero-length
	 * descriptor anywhere adds no segment */
	q_new(&q, &d, 16, 0);
	desc(0, BUF, 10, F_NEXT, 7);
	desc(7, RAM1, 20, F_NEXT, 2);
	desc(2, 0xdead0000ULL, 0, F_NEXT, 9);     /* zero length: address unused */
	desc(9, BUF + 0x40, 30, F_NEXT, 15);
	desc(15, RAM1 + 0x100, 1, F_NEXT | F_WRITE, 1);
	desc(1, RAM1 + SLOT - 2, 2, F_NEXT | F_WRITE, 4);  /* the slot's last bytes */
	desc(4, BUF + 0x200, 3, F_NEXT | F_WRITE, 5);
	desc(5, BUF + 0x300, 4, F_WRITE, 0);
	drv_add(&d, 0);
	T_EQ_U64(la_virtq_pop(&q, &ch), 1);
	T_EQ_U64(ch.nout, 3);
	T_EQ_U64(ch.nin, 4);
	T_EQ_U64(ch.out_bytes, 60);
	T_EQ_U64(ch.in_bytes, 10);
	T_CHECK(ch.seg[1].p == ram[1] && ch.seg[4].p == ram[1] + SLOT - 2);
	/* the whole queue's worth of chains, one descriptor each */
	q_new(&q, &d, 16, 0);
	for (unsigned i = 0; i < 16; i++) {
		desc(i, BUF + i, 1, i & 1 ? F_WRITE : 0, 0);
		drv_add(&d, (uint16_t)(15 - i));
	}
	for (unsigned i = 0; i < 16; i++) {
		T_EQ_U64(la_virtq_pop(&q, &ch), 1);
		T_EQ_U64(ch.head, 15 - i);
		T_EQ_U64(ch.nout + 2 * ch.nin, (15 - i) & 1 ? 2 : 1);
	}
	T_EQ_U64(la_virtq_pop(&q, &ch), 0);
}

static void test_indirect(void)
{
	struct la_virtq q;
	struct drv d;

	q_new(&q, &d, 8, FEAT_IND);
	desc_at(IND, 0, BUF, 8, F_NEXT, 2);
	desc_at(IND, 2, BUF + 0x10, 8, F_NEXT, 1);
	desc_at(IND, 1, RAM1, 100, F_WRITE, 0);
	desc(6, IND, 3 * 16, F_IND | F_WRITE, 0);   /* WRITE on it is ignored */
	drv_add(&d, 6);
	T_EQ_U64(la_virtq_pop(&q, &ch), 1);
	T_EQ_U64(ch.head, 6);
	T_EQ_U64(ch.nout, 2);
	T_EQ_U64(ch.nin, 1);
	T_CHECK(ch.seg[1].p == gp(BUF + 0x10) && ch.seg[2].p == ram[1]);
	/* an indirect descriptor ending a direct chain */
	desc(0, BUF + 0x80, 5, F_NEXT, 1);
	desc(1, IND, 3 * 16, F_IND, 0);
	drv_add(&d, 0);
	T_EQ_U64(la_virtq_pop(&q, &ch), 1);
	T_EQ_U64(ch.nout, 3);
	T_EQ_U64(ch.nin, 1);
	T_EQ_U64(ch.out_bytes, 21);
	/* a chain of LA_VIRTQ_MAX_SEG segments through an indirect table:
	 * fine; one more: broken */
	q_new(&q, &d, 8, FEAT_IND);
	for (unsigned i = 0; i < LA_VIRTQ_MAX_SEG + 1; i++)
		desc_at(IND, i, BUF + i, 1, F_NEXT, (uint16_t)(i + 1));
	desc_at(IND, LA_VIRTQ_MAX_SEG - 1, BUF, 1, 0, 0);
	desc(0, IND, LA_VIRTQ_MAX_SEG * 16, F_IND, 0);
	drv_add(&d, 0);
	T_EQ_U64(la_virtq_pop(&q, &ch), 1);
	T_EQ_U64(ch.nout, LA_VIRTQ_MAX_SEG);
	desc_at(IND, LA_VIRTQ_MAX_SEG - 1, BUF, 1, F_NEXT, LA_VIRTQ_MAX_SEG);
	desc_at(IND, LA_VIRTQ_MAX_SEG, BUF, 1, 0, 0);
	desc(0, IND, (LA_VIRTQ_MAX_SEG + 1) * 16, F_IND, 0);
	drv_add(&d, 0);
	T_EQ_U64(la_virtq_pop(&q, &ch), (uint64_t)-LA_ERR_VIRTQ);
	T_CHECK(q.broken && q.why && strstr(q.why, "segments"));
}

/* Offer head on a fresh queue set up by the caller and check it breaks
 * the queue for a reason containing word, for good. */
static void expect_broken(struct la_virtq *q, struct drv *d, uint16_t head, const char *word)
{
	drv_add(d, head);
	T_EQ_U64(la_virtq_pop(q, &ch), (uint64_t)-LA_ERR_VIRTQ);
	T_CHECK(q->broken && q->why && strstr(q->why, word));
	if (!q->why || !strstr(q->why, word))
		printf("#   why: %s, want %s\n", q->why ? q->why : "(null)", word);
	T_EQ_U64(la_virtq_pop(q, &ch), (uint64_t)-LA_ERR_VIRTQ);
	/* even a good chain after it */
	desc(0, BUF, 1, 0, 0);
	drv_add(d, 0);
	T_EQ_U64(la_virtq_pop(q, &ch), (uint64_t)-LA_ERR_VIRTQ);
	T_CHECK(!la_virtq_notify_on(q));
}

static void test_broken_direct(void)
{
	struct la_virtq q;
	struct drv d;

	q_new(&q, &d, 8, FEAT_IND);
	expect_broken(&q, &d, 8, "head");
	q_new(&q, &d, 8, 0);
	desc(0, BUF, 1, F_NEXT, 8);
	expect_broken(&q, &d, 0, "next");
	q_new(&q, &d, 8, 0);
	desc(0, BUF, 1, F_NEXT, 1);
	desc(1, BUF, 1, F_NEXT, 0);
	expect_broken(&q, &d, 0, "loops");
	q_new(&q, &d, 8, 0);
	desc(5, BUF, 1, F_NEXT, 5);   /* onto itself */
	expect_broken(&q, &d, 5, "loops");
	q_new(&q, &d, 8, 0);
	desc(0, BUF, 1, F_WRITE | F_NEXT, 1);
	desc(1, BUF, 1, 0, 0);
	expect_broken(&q, &d, 0, "readable");
	/* buffers: in the hole, over a slot's end, wrapping, far away */
	q_new(&q, &d, 8, 0);
	desc(0, GAP, 1, 0, 0);
	expect_broken(&q, &d, 0, "guest RAM");
	q_new(&q, &d, 8, 0);
	desc(0, RAM0 + SLOT - 4, 5, 0, 0);
	expect_broken(&q, &d, 0, "guest RAM");
	q_new(&q, &d, 8, 0);
	desc(0, RAM1 + SLOT - 1, 2, F_WRITE, 0);
	expect_broken(&q, &d, 0, "guest RAM");
	q_new(&q, &d, 8, 0);
	desc(0, ~0ULL - 3, 0x100, 0, 0);
	expect_broken(&q, &d, 0, "guest RAM");
	q_new(&q, &d, 8, 0);
	desc(0, RAM0, 0xffffffffu, 0, 0);
	expect_broken(&q, &d, 0, "guest RAM");
	/* avail idx more than size ahead (size itself is fine) */
	q_new(&q, &d, 8, 0);
	avail_set_idx(9);
	T_EQ_U64(la_virtq_pop(&q, &ch), (uint64_t)-LA_ERR_VIRTQ);
	T_CHECK(q.why && strstr(q.why, "avail index"));
	T_EQ_U64(la_virtq_pop(&q, &ch), (uint64_t)-LA_ERR_VIRTQ);
	q_new(&q, &d, 8, 0);
	avail_set_idx(0xffff);
	T_EQ_U64(la_virtq_pop(&q, &ch), (uint64_t)-LA_ERR_VIRTQ);
	q_new(&q, &d, 8, 0);
	for (unsigned i = 0; i < 8; i++)
		desc(i, BUF, 1, 0, 0);
	avail_set_idx(8);
	T_EQ_U64(la_virtq_pop(&q, &ch), 1);
}

/* 32-bit byte totals: the same 64 KiB buffer offered over and over through
 * an indirect table reaches 4 GiB at the 65536th segment, beyond
 * LA_VIRTQ_MAX_SEG; two buffers of 0x80000000 + 0x80000000 do at once. */
static void test_broken_bytes(void)
{
	struct la_virtq q;
	struct la_gmem big = { 0 };
	uint8_t *mem = aligned_alloc(4096, 0x10000);

	/* a slot of 3 GiB we never touch beyond the rings: only la_gmem_ptr's
	 * arithmetic is used on the buffers, the segments are not copied */
	memset(mem, 0, 0x10000);
	big.n = 1;
	big.s[0] = (struct la_gmem_slot){ .gpa = 0, .size = 0xc0000000ULL, .host = mem,
					  .purpose = LA_REGION_GUEST_MEMORY };
	T_EQ_U64(la_virtq_init(&q, &big, 4, 0, 0x100, 0x200, 0), 0);
	la_put64(mem + 0, 0x1000);
	la_put32(mem + 8, 0x80000000u);
	la_put16(mem + 12, F_NEXT);
	la_put16(mem + 14, 1);
	la_put64(mem + 16, 0x1000);
	la_put32(mem + 24, 0x80000000u);
	la_put16(mem + 28, 0);
	la_put16(mem + 0x100 + 4, 0);
	la_put16(mem + 0x100 + 2, 1);
	T_EQ_U64(la_virtq_pop(&q, &ch), (uint64_t)-LA_ERR_VIRTQ);
	T_CHECK(q.why && strstr(q.why, "4 GiB"));
	/* 0x7fffffff + 0x80000000 is still 32 bits */
	T_EQ_U64(la_virtq_init(&q, &big, 4, 0, 0x100, 0x200, 0), 0);
	la_put32(mem + 8, 0x7fffffffu);
	T_EQ_U64(la_virtq_pop(&q, &ch), 1);
	T_EQ_U64(ch.out_bytes, 0xffffffffULL);
	free(mem);
}

static void test_broken_indirect(void)
{
	struct la_virtq q;
	struct drv d;

	q_new(&q, &d, 8, 0);
	desc_at(IND, 0, BUF, 1, 0, 0);
	desc(0, IND, 16, F_IND, 0);
	expect_broken(&q, &d, 0, "VIRTIO_F_INDIRECT_DESC");
	q_new(&q, &d, 8, FEAT_IND);
	desc(0, IND, 16, F_IND | F_NEXT, 1);
	desc(1, BUF, 1, 0, 0);
	expect_broken(&q, &d, 0, "NEXT");
	static const uint32_t bad_len[] = { 0, 8, 17, 40, (LA_VIRTQ_MAX_SIZE + 1) * 16 };
	for (unsigned i = 0; i < sizeof(bad_len) / sizeof(bad_len[0]); i++) {
		q_new(&q, &d, 8, FEAT_IND);
		desc(0, RAM0, bad_len[i], F_IND, 0);
		expect_broken(&q, &d, 0, "length");
	}
	q_new(&q, &d, 8, FEAT_IND);
	desc(0, RAM0 + SLOT - 16, 32, F_IND, 0);
	expect_broken(&q, &d, 0, "indirect table outside");
	q_new(&q, &d, 8, FEAT_IND);
	desc(0, GAP, 16, F_IND, 0);
	expect_broken(&q, &d, 0, "indirect table outside");
	/* inside the table: INDIRECT again, next out of the table, a loop,
	 * readable after writable, a buffer outside RAM */
	q_new(&q, &d, 8, FEAT_IND);
	desc_at(IND, 0, IND, 16, F_IND, 0);
	desc(0, IND, 16, F_IND, 0);
	expect_broken(&q, &d, 0, "inside an indirect");
	q_new(&q, &d, 8, FEAT_IND);
	desc_at(IND, 0, BUF, 1, F_NEXT, 2);   /* 2 entries: next 2 is out */
	desc(0, IND, 32, F_IND, 0);
	expect_broken(&q, &d, 0, "next");
	q_new(&q, &d, 8, FEAT_IND);
	desc_at(IND, 0, BUF, 1, F_NEXT, 1);
	desc_at(IND, 1, BUF, 1, F_NEXT, 0);
	desc(0, IND, 32, F_IND, 0);
	expect_broken(&q, &d, 0, "loops");
	q_new(&q, &d, 8, FEAT_IND);
	desc_at(IND, 0, BUF, 1, F_NEXT | F_WRITE, 1);
	desc_at(IND, 1, BUF, 1, 0, 0);
	desc(0, IND, 32, F_IND, 0);
	expect_broken(&q, &d, 0, "readable");
	q_new(&q, &d, 8, FEAT_IND);
	desc(0, BUF, 1, F_WRITE | F_NEXT, 1);   /* writable, then a readable in the table */
	desc_at(IND, 0, BUF, 1, 0, 0);
	desc(1, IND, 16, F_IND, 0);
	expect_broken(&q, &d, 0, "readable");
	q_new(&q, &d, 8, FEAT_IND);
	desc_at(IND, 0, GAP + 8, 8, 0, 0);
	desc(0, IND, 16, F_IND, 0);
	expect_broken(&q, &d, 0, "guest RAM");
}

/* 16-bit indices wrap: start both sides at 0xfff0 and run 40 chains
 * through a queue of 8, a few at a time. */
static void test_wrap(void)
{
	struct la_virtq q;
	struct drv d;
	uint16_t n = 0xfff0;

	q_new(&q, &d, 8, FEAT_EVT);
	q.last_avail = q.used_idx = q.signalled = n;
	d.avail_idx = n;
	la_put16(gp(USED + 2), n);
	for (unsigned i = 0; i < 8; i++)
		desc(i, BUF + 16 * i, 16, F_WRITE, 0);
	for (unsigned round = 0; round < 10; round++) {
		for (unsigned k = 0; k < 4; k++)
			drv_add(&d, (uint16_t)((round + k) & 7));
		for (unsigned k = 0; k < 4; k++) {
			T_EQ_U64(la_virtq_pop(&q, &ch), 1);
			T_EQ_U64(ch.head, (round + k) & 7);
			la_virtq_push(&q, ch.head, k);
			T_EQ_U64(used_id(&d, (uint16_t)(q.used_idx - 1)), (round + k) & 7);
			T_EQ_U64(used_len(&d, (uint16_t)(q.used_idx - 1)), k);
		}
		T_EQ_U64(la_virtq_pop(&q, &ch), 0);
	}
	T_EQ_U64(q.last_avail, (uint16_t)(0xfff0 + 40));
	T_EQ_U64(used_idx(), (uint16_t)(0xfff0 + 40));
	T_CHECK(!q.broken);
	/* 8 ahead across the wrap is fine, 9 is not */
	avail_set_idx((uint16_t)(q.last_avail + 8));
	T_EQ_U64(la_virtq_pop(&q, &ch), 1);
	avail_set_idx((uint16_t)(q.last_avail + 9));
	T_EQ_U64(la_virtq_pop(&q, &ch), (uint64_t)-LA_ERR_VIRTQ);
}

static void push_n(struct la_virtq *q, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		la_virtq_push(q, 0, 0);
}

static void test_event_idx(void)
{
	struct la_virtq q;
	struct drv d;
	uint64_t used_event = AVAIL + 4 + 2 * 8, avail_event = USED + 4 + 8 * 8;

	q_new(&q, &d, 8, FEAT_EVT);
	/* nothing pushed: no interrupt */
	T_CHECK(!la_virtq_need_irq(&q));
	/* used_event 0: the first push crosses it */
	push_n(&q, 1);
	T_CHECK(la_virtq_need_irq(&q));
	T_CHECK(!la_virtq_need_irq(&q));   /* already told */
	/* used_event 3: pushes to idx 2, 3: no; to 4: yes */
	la_put16(gp(used_event), 3);
	push_n(&q, 1);
	T_CHECK(!la_virtq_need_irq(&q));
	push_n(&q, 1);
	T_CHECK(!la_virtq_need_irq(&q));
	push_n(&q, 1);
	T_CHECK(la_virtq_need_irq(&q));
	/* several pushes at once that jump over the event */
	la_put16(gp(used_event), 5);
	push_n(&q, 3);
	T_CHECK(la_virtq_need_irq(&q));
	/* the flag is ignored with EVENT_IDX */
	la_put16(gp(AVAIL), 1);
	la_put16(gp(used_event), 7);
	push_n(&q, 1);
	T_CHECK(la_virtq_need_irq(&q));
	/* across the wrap */
	q.used_idx = q.signalled = 0xfffe;
	la_put16(gp(used_event), 0xffff);
	push_n(&q, 1);
	T_CHECK(!la_virtq_need_irq(&q));
	push_n(&q, 2);
	T_EQ_U64(q.used_idx, 1);
	T_CHECK(la_virtq_need_irq(&q));
	/* notify_on writes avail_event = last_avail and nothing else of the
	 * used ring's header, and says whether buffers came meanwhile */
	q_new(&q, &d, 8, FEAT_EVT);
	la_put16(gp(USED), 0x5a5a);
	T_CHECK(!la_virtq_notify_on(&q));
	T_EQ_U64(la_get16(gp(avail_event)), 0);
	T_EQ_U64(la_get16(gp(USED)), 0x5a5a);
	desc(0, BUF, 1, 0, 0);
	drv_add(&d, 0);
	T_CHECK(la_virtq_notify_on(&q));
	T_EQ_U64(la_virtq_pop(&q, &ch), 1);
	T_CHECK(!la_virtq_notify_on(&q));
	T_EQ_U64(la_get16(gp(avail_event)), 1);
	la_virtq_notify_off(&q);
	T_EQ_U64(la_get16(gp(USED)), 0x5a5a);
}

static void test_flags(void)
{
	struct la_virtq q;
	struct drv d;

	q_new(&q, &d, 8, 0);
	push_n(&q, 1);
	T_CHECK(la_virtq_need_irq(&q));
	la_put16(gp(AVAIL), 1);   /* VIRTQ_AVAIL_F_NO_INTERRUPT */
	push_n(&q, 1);
	T_CHECK(!la_virtq_need_irq(&q));
	la_put16(gp(AVAIL), 0);
	push_n(&q, 1);
	T_CHECK(la_virtq_need_irq(&q));
	/* used_event is not looked at without EVENT_IDX */
	la_put16(gp(AVAIL + 4 + 2 * 8), 100);
	push_n(&q, 1);
	T_CHECK(la_virtq_need_irq(&q));
	/* NO_NOTIFY: off sets it, on clears it; avail_event untouched */
	la_put16(gp(USED + 4 + 8 * 8), 0x7777);
	la_virtq_notify_off(&q);
	T_EQ_U64(la_get16(gp(USED)), 1);
	T_CHECK(!la_virtq_notify_on(&q));
	T_EQ_U64(la_get16(gp(USED)), 0);
	T_EQ_U64(la_get16(gp(USED + 4 + 8 * 8)), 0x7777);
	desc(0, BUF, 1, 0, 0);
	drv_add(&d, 0);
	T_CHECK(la_virtq_notify_on(&q));
}

static void test_copy(void)
{
	struct la_virtq q;
	struct drv d;
	uint8_t b[64], want[64];

	/* readable: 5, 1, 0 (skipped), 7 bytes; writable: 3, 1, 6 */
	q_new(&q, &d, 8, 0);
	for (unsigned i = 0; i < 13; i++)
		gp(BUF)[i] = (uint8_t)(0x10 + i);
	desc(0, BUF, 5, F_NEXT, 1);
	desc(1, BUF + 5, 1, F_NEXT, 2);
	desc(2, BUF + 100, 0, F_NEXT, 3);
	desc(3, BUF + 6, 7, F_NEXT, 4);
	desc(4, BUF + 0x100, 3, F_NEXT | F_WRITE, 5);
	desc(5, BUF + 0x200, 1, F_NEXT | F_WRITE, 6);
	desc(6, BUF + 0x300, 6, F_WRITE, 0);
	drv_add(&d, 0);
	T_EQ_U64(la_virtq_pop(&q, &ch), 1);
	T_EQ_U64(ch.nout, 3);
	T_EQ_U64(ch.nin, 3);
	/* a header at the front, then the rest, across boundaries */
	memset(b, 0, sizeof(b));
	T_EQ_U64(la_virtq_read(&ch, 0, b, 4), 4);
	T_CHECK(b[0] == 0x10 && b[3] == 0x13);
	T_EQ_U64(la_virtq_read(&ch, 4, b, 64), 9);
	T_CHECK(b[0] == 0x14 && b[1] == 0x15 && b[2] == 0x16 && b[8] == 0x1c);
	T_EQ_U64(la_virtq_read(&ch, 5, b, 2), 2);
	T_CHECK(b[0] == 0x15 && b[1] == 0x16);
	T_EQ_U64(la_virtq_read(&ch, 13, b, 4), 0);
	T_EQ_U64(la_virtq_read(&ch, 1000, b, 4), 0);
	T_EQ_U64(la_virtq_read(&ch, 0, b, 0), 0);
	/* the writable part: 10 bytes; a status byte at the end */
	for (unsigned i = 0; i < sizeof(want); i++)
		want[i] = (uint8_t)(0xa0 + i);
	T_EQ_U64(la_virtq_write(&ch, 9, want, 1), 1);
	T_EQ_U64(gp(BUF + 0x305)[0], 0xa0);
	T_EQ_U64(la_virtq_write(&ch, 2, want, 4), 4);
	T_CHECK(gp(BUF + 0x102)[0] == 0xa0 && gp(BUF + 0x200)[0] == 0xa1 &&
		gp(BUF + 0x300)[0] == 0xa2 && gp(BUF + 0x301)[0] == 0xa3);
	T_CHECK(gp(BUF + 0x103)[0] == 0 && gp(BUF + 0x201)[0] == 0);
	T_EQ_U64(la_virtq_write(&ch, 8, want, 10), 2);
	T_EQ_U64(gp(BUF + 0x306)[0], 0);
	T_EQ_U64(la_virtq_write(&ch, 10, want, 1), 0);
	/* write never reaches the readable part */
	T_EQ_U64(gp(BUF)[0], 0x10);
}

/* push writes the used ring's entries and idx and nothing else: every
 * other byte of RAM is as it was. */
static void test_push_bytes(void)
{
	struct la_virtq q;
	struct drv d;
	static uint8_t before[2][SLOT];

	q_new(&q, &d, 8, FEAT_EVT);
	memset(ram[0], 0xcc, SLOT);
	memset(ram[1], 0xcc, SLOT);
	memcpy(before[0], ram[0], SLOT);
	memcpy(before[1], ram[1], SLOT);
	q.used_idx = 0xfffc;
	for (unsigned i = 0; i < 12; i++)
		la_virtq_push(&q, (uint16_t)i, 0x100 + i);
	T_EQ_U64(used_idx(), 8);
	T_CHECK(!memcmp(before[1], ram[1], SLOT));
	T_CHECK(!memcmp(before[0], ram[0], USED + 2 - RAM0));
	T_CHECK(!memcmp(before[0] + (USED + 4 + 8 * 8 - RAM0), ram[0] + (USED + 4 + 8 * 8 - RAM0),
			SLOT - (USED + 4 + 8 * 8 - RAM0)));
	/* entries 0xfffc.. landed at (idx mod 8): the last 8 pushes own the ring */
	for (unsigned i = 4; i < 12; i++) {
		T_EQ_U64(used_id(&d, (uint16_t)(0xfffc + i)), i);
		T_EQ_U64(used_len(&d, (uint16_t)(0xfffc + i)), 0x100 + i);
	}
}

/* A small xorshift: the same sequence everywhere. */
static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* half the rounds are tame: buffers inside RAM, short, so that longer
 * chains get through too */
static bool tame;

static uint64_t rnd_addr(void)
{
	switch (tame ? 3 + rnd() % 3 : rnd() % 6) {
	case 0: return rnd();
	case 1: return GAP + rnd() % 0x100;
	case 2: return RAM0 + SLOT - rnd() % 64;
	case 3: return RAM1 + rnd() % SLOT;
	default: return BUF + rnd() % 0x4000;
	}
}

static uint32_t rnd_len(void)
{
	switch (tame ? 1 + rnd() % 4 : rnd() % 5) {
	case 0: return (uint32_t)rnd();
	case 1: return 16 * (uint32_t)(rnd() % 8);
	default: return (uint32_t)(rnd() % 300);
	}
}

static void rnd_table(uint64_t tbl, unsigned n, unsigned size)
{
	for (unsigned i = 0; i < n; i++) {
		bool ind = rnd() % 8 == 0;

		desc_at(tbl, i, ind ? IND + 16 * (rnd() % 64) : rnd_addr(),
			ind ? (uint32_t)(16 * (rnd() % 10)) : rnd_len(),
			(uint16_t)((rnd() % 4 ? rnd() & 3 : rnd() & 0xffff) | (ind ? F_IND : 0)),
			(uint16_t)(rnd() % 8 ? rnd() % size : rnd()));
	}
}

static bool seg_in_ram(const struct la_virtq_seg *s)
{
	for (int i = 0; i < 2; i++)
		if (s->p >= ram[i] && s->p <= ram[i] + SLOT && s->len <= ram[i] + SLOT - s->p)
			return true;
	return false;
}

/* Check c is a chain pop may give: segments inside RAM, counts and totals
 * adding up. */
static bool chain_ok(const struct la_virtq *q, const struct la_virtq_chain *c)
{
	uint64_t out = 0, in = 0;

	if (c->head >= q->size || c->nout + c->nin > LA_VIRTQ_MAX_SEG)
		return false;
	for (unsigned i = 0; i < c->nout + c->nin; i++) {
		if (!c->seg[i].len || !seg_in_ram(&c->seg[i]))
			return false;
		*(i < c->nout ? &out : &in) += c->seg[i].len;
	}
	return out == c->out_bytes && in == c->in_bytes && out <= UINT32_MAX && in <= UINT32_MAX;
}

static void test_random(void)
{
	struct la_virtq q;
	struct drv d;
	unsigned chains = 0, broken = 0, bad = 0;

	for (unsigned it = 0; it < 3000; it++) {
		uint16_t size = (uint16_t)(1u << (rnd() % 7));
		uint16_t start = (uint16_t)rnd();

		tame = it & 1;

		q_new(&q, &d, size, rnd() % 4 ? FEAT_IND | FEAT_EVT : 0);
		rnd_table(DESC, size, size);
		rnd_table(IND, 64 + 16, size);
		for (unsigned i = 0; i < size; i++)
			la_put16(gp(AVAIL + 4 + 2 * i),
				 (uint16_t)(rnd() % 8 ? rnd() % size : rnd()));
		q.last_avail = start;
		avail_set_idx((uint16_t)(start + rnd() % (size + 2u)));
		for (unsigned k = 0; k < 2u * size + 2; k++) {
			int r = la_virtq_pop(&q, &ch);

			if (r == 0)
				break;
			if (r < 0) {
				broken++;
				bad += !q.why || la_virtq_pop(&q, &ch) != -LA_ERR_VIRTQ;
				break;
			}
			chains++;
			bad += r != 1 || !chain_ok(&q, &ch);
			la_virtq_push(&q, ch.head, (uint32_t)ch.in_bytes);
		}
	}
	printf("# random: %u chains, %u broken queues\n", chains, broken);
	T_EQ_U64(bad, 0);
	T_CHECK(chains > 100 && broken > 100);
}

int main(void)
{
	ram_setup();
	test_init();
	test_simple();
	test_long_chain();
	test_indirect();
	test_broken_direct();
	test_broken_bytes();
	test_broken_indirect();
	test_wrap();
	test_event_idx();
	test_flags();
	test_copy();
	test_push_bytes();
	test_random();
	free(ram[0]);
	free(ram[1]);
	return T_DONE();
}
