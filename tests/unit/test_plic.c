/* SPDX-License-Identifier: MIT */
/* The userspace PLIC (lib/dev/plic.c): gateways, claim and complete,
 * enables, threshold, and guest-written garbage, through its registers,
 * with a fake delivery that records each context's output. */
#include "bytes.h"
#include "dev/plic.h"
#include "err.h"
#include "t.h"

#define NCTX 2

static int out[NCTX];         /* each context's output as last delivered */
static unsigned deliveries;   /* calls of the callback */
static int bad_context;       /* a delivery for a context that does not exist */

static void deliver(void *ctx, unsigned context, int level)
{
	(void)ctx;
	deliveries++;
	if (context >= NCTX) {
		bad_context = 1;
		return;
	}
	out[context] = level;
}

static uint32_t rd(struct la_plic *p, uint64_t off)
{
	uint8_t d[4];

	la_plic_ops.read(p, off, d, 4);
	return la_get32(d);
}

static void wr(struct la_plic *p, uint64_t off, uint32_t v)
{
	uint8_t d[4];

	la_put32(d, v);
	la_plic_ops.write(p, off, d, 4);
}

static uint64_t enable(unsigned ctx, unsigned src)
{
	return LA_PLIC_ENABLE + LA_PLIC_ENABLE_STRIDE * ctx + 4 * (src / 32);
}

static uint64_t threshold(unsigned ctx)
{
	return LA_PLIC_CONTEXT + LA_PLIC_CONTEXT_STRIDE * ctx;
}

static uint64_t claim(unsigned ctx)
{
	return threshold(ctx) + LA_PLIC_CLAIM;
}

static void enable_src(struct la_plic *p, unsigned ctx, unsigned src)
{
	wr(p, enable(ctx, src), rd(p, enable(ctx, src)) | 1u << (src % 32));
}

static void test_create(void)
{
	struct la_plic *p;

	T_CHECK(la_plic_create(0, 10, deliver, NULL, &p) == -LA_ERR_RANGE && !p);
	T_CHECK(la_plic_create(1, 0, deliver, NULL, &p) == -LA_ERR_RANGE);
	T_CHECK(la_plic_create(1, LA_PLIC_NDEV + 1, deliver, NULL, &p) == -LA_ERR_RANGE);
	T_CHECK(la_plic_create(LA_PLIC_MAX_CONTEXTS + 1, 10, deliver, NULL, &p) ==
		-LA_ERR_RANGE);
	T_CHECK(la_plic_create(1, 10, NULL, NULL, &p) == -LA_ERR_RANGE);
	/* the last context's claim register is inside the 4 MiB window */
	T_CHECK(claim(LA_PLIC_MAX_CONTEXTS - 1) < LA_PLIC_RV_SIZE);
}

/* A level source: pending while high, not while claimed; complete with
 * the line still high makes it pending again. */
static void test_level(void)
{
	struct la_plic *p;

	T_CHECK(la_plic_create(NCTX, 40, deliver, NULL, &p) == 0);
	out[0] = out[1] = 0;
	la_plic_irq(p, 5, 1);
	T_EQ_U64(rd(p, LA_PLIC_PENDING), 1u << 5);
	T_CHECK(out[0] == 0); /* priority 0 and disabled: never delivered */
	wr(p, LA_PLIC_PRIORITY + 4 * 5, 1);
	T_EQ_U64(rd(p, LA_PLIC_PRIORITY + 4 * 5), 1);
	T_CHECK(out[0] == 0); /* still disabled */
	enable_src(p, 0, 5);
	T_CHECK(out[0] == 1 && out[1] == 0); /* context 1 has not enabled it */
	T_EQ_U64(rd(p, claim(0)), 5);
	T_CHECK(out[0] == 0);                /* claimed: the output drops */
	T_EQ_U64(rd(p, LA_PLIC_PENDING), 0);
	T_EQ_U64(rd(p, claim(0)), 0);        /* nothing else to claim */
	wr(p, claim(0), 5);                  /* complete, line still high */
	T_CHECK(out[0] == 1);
	T_EQ_U64(rd(p, claim(0)), 5);
	la_plic_irq(p, 5, 0);                /* the device is served */
	wr(p, claim(0), 5);
	T_CHECK(out[0] == 0);
	T_EQ_U64(rd(p, LA_PLIC_PENDING), 0);
	/* a level drop before the claim withdraws the request */
	la_plic_irq(p, 5, 1);
	T_CHECK(out[0] == 1);
	la_plic_irq(p, 5, 0);
	T_CHECK(out[0] == 0);
	T_EQ_U64(rd(p, claim(0)), 0);
	la_plic_destroy(p);
}

/* An edge source: each rising edge is one request; an edge while claimed
 * is kept for after the completion; high without a new edge is not. */
static void test_edge(void)
{
	struct la_plic *p;

	T_CHECK(la_plic_create(NCTX, 40, deliver, NULL, &p) == 0);
	out[0] = out[1] = 0;
	la_plic_set_edge(p, 7, true);
	wr(p, LA_PLIC_PRIORITY + 4 * 7, 2);
	enable_src(p, 1, 7);
	la_plic_irq(p, 7, 1);
	la_plic_irq(p, 7, 0);            /* the pulse is latched */
	T_CHECK(out[1] == 1 && out[0] == 0);
	T_EQ_U64(rd(p, claim(1)), 7);
	la_plic_irq(p, 7, 1);            /* a second edge while claimed */
	T_CHECK(out[1] == 0);
	T_EQ_U64(rd(p, claim(1)), 0);
	wr(p, claim(1), 7);              /* complete: the second edge is pending */
	T_CHECK(out[1] == 1);
	T_EQ_U64(rd(p, claim(1)), 7);
	wr(p, claim(1), 7);              /* line still high but no new edge */
	T_CHECK(out[1] == 0);
	la_plic_irq(p, 7, 1);            /* high again: no edge */
	T_CHECK(out[1] == 0);
	la_plic_destroy(p);
}

/* The highest priority above the threshold first, the lowest id on a
 * tie; at or below the threshold nothing is delivered. */
static void test_priority(void)
{
	struct la_plic *p;

	T_CHECK(la_plic_create(NCTX, 100, deliver, NULL, &p) == 0);
	out[0] = out[1] = 0;
	for (unsigned s = 1; s <= 100; s++)
		enable_src(p, 0, s);
	wr(p, LA_PLIC_PRIORITY + 4 * 3, 2);
	wr(p, LA_PLIC_PRIORITY + 4 * 70, 6);
	wr(p, LA_PLIC_PRIORITY + 4 * 40, 6);
	wr(p, LA_PLIC_PRIORITY + 4 * 99, 9); /* 3 bits: 9 is 1 */
	T_EQ_U64(rd(p, LA_PLIC_PRIORITY + 4 * 99), 1);
	la_plic_irq(p, 3, 1);
	la_plic_irq(p, 70, 1);
	la_plic_irq(p, 40, 1);
	la_plic_irq(p, 99, 1);
	wr(p, threshold(0), 6);
	T_EQ_U64(rd(p, threshold(0)), 6);
	T_CHECK(out[0] == 0);
	T_EQ_U64(rd(p, claim(0)), 0);
	wr(p, threshold(0), 2);
	T_CHECK(out[0] == 1);
	T_EQ_U64(rd(p, claim(0)), 40);
	T_EQ_U64(rd(p, claim(0)), 70);
	T_CHECK(out[0] == 0); /* 3 is at the threshold, 99 below */
	wr(p, threshold(0), 0);
	T_EQ_U64(rd(p, claim(0)), 3);
	T_EQ_U64(rd(p, claim(0)), 99);
	T_EQ_U64(rd(p, claim(0)), 0);
	/* completing a source the context has not enabled does nothing */
	wr(p, enable(0, 40), 0);
	wr(p, claim(0), 40);
	T_EQ_U64(rd(p, claim(0)), 0);
	enable_src(p, 0, 40);
	wr(p, claim(0), 40);
	T_EQ_U64(rd(p, claim(0)), 40); /* line still high */
	la_plic_destroy(p);
}

/* A disabled source is not delivered; disabling one that is pending
 * drops the output; the other context is independent. */
static void test_enable(void)
{
	struct la_plic *p;

	T_CHECK(la_plic_create(NCTX, 40, deliver, NULL, &p) == 0);
	out[0] = out[1] = 0;
	wr(p, LA_PLIC_PRIORITY + 4 * 33, 1);
	la_plic_irq(p, 33, 1);
	T_EQ_U64(rd(p, LA_PLIC_PENDING + 4), 1u << 1);
	T_CHECK(out[0] == 0 && out[1] == 0);
	enable_src(p, 1, 33);
	T_CHECK(out[0] == 0 && out[1] == 1);
	wr(p, enable(1, 33), 0);
	T_CHECK(out[1] == 0);
	T_EQ_U64(rd(p, claim(1)), 0);
	la_plic_destroy(p);
}

/* Guest garbage: odd sizes and offsets, sources beyond ndev, contexts
 * beyond the harts, source 0, writes to read-only pending bits. */
static void test_garbage(void)
{
	struct la_plic *p;
	uint8_t d[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	T_CHECK(la_plic_create(NCTX, 40, deliver, NULL, &p) == 0);
	out[0] = out[1] = 0;
	bad_context = 0;
	/* sources 41.. do not exist: their priority and enable bits stay 0 */
	wr(p, LA_PLIC_PRIORITY + 4 * 41, 7);
	T_EQ_U64(rd(p, LA_PLIC_PRIORITY + 4 * 41), 0);
	wr(p, LA_PLIC_PRIORITY, 7); /* source 0 */
	T_EQ_U64(rd(p, LA_PLIC_PRIORITY), 0);
	wr(p, enable(0, 32), 0xffffffff);
	T_EQ_U64(rd(p, enable(0, 32)), 0x1ff); /* 32..40 */
	wr(p, enable(0, 0), 0xffffffff);
	T_EQ_U64(rd(p, enable(0, 0)), 0xfffffffe); /* no source 0 */
	wr(p, enable(0, 1000), 0xffffffff); /* word 31, within the stride */
	T_EQ_U64(rd(p, enable(0, 1000)), 0);
	la_plic_irq(p, 41, 1);
	la_plic_irq(p, 0, 1);
	la_plic_irq(p, 100000, 1);
	la_plic_set_edge(p, 100000, true);
	T_EQ_U64(rd(p, LA_PLIC_PENDING), 0);
	T_EQ_U64(rd(p, LA_PLIC_PENDING + 4), 0);
	wr(p, LA_PLIC_PENDING, 0xffffffff); /* read only */
	T_EQ_U64(rd(p, LA_PLIC_PENDING), 0);
	/* contexts 2.. do not exist */
	wr(p, threshold(2), 0);
	wr(p, enable(2, 1), 0xffffffff);
	T_EQ_U64(rd(p, enable(2, 1)), 0);
	T_EQ_U64(rd(p, claim(2)), 0);
	T_EQ_U64(rd(p, claim(LA_PLIC_MAX_CONTEXTS + 5)), 0);
	wr(p, claim(0), 0xffffffff); /* complete of a source that is none */
	wr(p, claim(0), 0);
	T_CHECK(out[0] == 0 && out[1] == 0 && !bad_context);
	/* a byte, a halfword, a doubleword, a misaligned word: zeros, no writes */
	wr(p, LA_PLIC_PRIORITY + 4 * 2, 3);
	la_plic_ops.read(p, LA_PLIC_PRIORITY + 4 * 2, d, 1);
	T_CHECK(d[0] == 0);
	la_plic_ops.read(p, LA_PLIC_PRIORITY + 4 * 2, d, 8);
	T_CHECK(la_get64(d) == 0);
	la_plic_ops.read(p, LA_PLIC_PRIORITY + 4 * 2 + 1, d, 4);
	T_CHECK(la_get32(d) == 0);
	memset(d, 0xff, sizeof(d));
	la_plic_ops.write(p, LA_PLIC_PRIORITY + 4 * 2, d, 1);
	la_plic_ops.write(p, LA_PLIC_PRIORITY + 4 * 2, d, 2);
	la_plic_ops.write(p, LA_PLIC_PRIORITY + 4 * 2, d, 8);
	la_plic_ops.write(p, LA_PLIC_PRIORITY + 4 * 2 + 2, d, 4);
	T_EQ_U64(rd(p, LA_PLIC_PRIORITY + 4 * 2), 3);
	/* offsets past the window and in the gaps */
	wr(p, LA_PLIC_RV_SIZE, 1);
	wr(p, UINT64_MAX - 3, 1);
	T_EQ_U64(rd(p, UINT64_MAX - 3), 0);
	T_EQ_U64(rd(p, threshold(0) + 8), 0);
	wr(p, threshold(0) + 8, 5);
	T_EQ_U64(rd(p, threshold(0)), 0);
	T_EQ_U64(rd(p, LA_PLIC_PENDING + 0x800), 0);
	T_CHECK(!bad_context);
	la_plic_destroy(p);
}

/* Delivery happens only when a context's output changes. */
static void test_no_repeats(void)
{
	struct la_plic *p;
	unsigned before;

	T_CHECK(la_plic_create(NCTX, 40, deliver, NULL, &p) == 0);
	out[0] = out[1] = 0;
	wr(p, LA_PLIC_PRIORITY + 4 * 1, 1);
	wr(p, LA_PLIC_PRIORITY + 4 * 2, 1);
	enable_src(p, 0, 1);
	enable_src(p, 0, 2);
	before = deliveries;
	la_plic_irq(p, 1, 1);
	la_plic_irq(p, 2, 1);
	la_plic_irq(p, 1, 1);
	T_EQ_U64(deliveries - before, 1);
	la_plic_destroy(p);
}

int main(void)
{
	test_create();
	test_level();
	test_edge();
	test_priority();
	test_enable();
	test_garbage();
	test_no_repeats();
	return T_DONE();
}
