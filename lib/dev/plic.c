/* SPDX-License-Identifier: MIT */
/*
 * The userspace PLIC (lib/dev/plic.h) and its descriptor: riscv64 VMs have
 * it at a fixed 4 MiB of MMIO, which la-alloc --platform shows; the tree
 * describes it (lib/arch/riscv64/riscv64.c) and la-vmrun runs it
 * (lib/arch/riscv64/kvm.c) only when the VM's interrupt controller is the
 * PLIC (la-mkfdt --irqchip plic; la-vmrun where KVM offers no AIA).
 *
 * Written from the PLIC specification (riscv-plic-spec 1.0.0): priorities,
 * pending bits, per-context enables, threshold and claim/complete.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "dev/dev.h"
#include "dev/plic.h"
#include "err.h"

#define LA_PLIC_WORDS ((LA_PLIC_NDEV + 1 + 31) / 32)

struct la_plic_context {
	uint32_t enable[LA_PLIC_WORDS];
	uint32_t threshold;
	int out;                          /* the level last delivered */
};

struct la_plic {
	pthread_mutex_t lock;
	unsigned ncontexts, ndev;
	la_plic_deliver_fn deliver;
	void *ctx;
	uint32_t priority[LA_PLIC_NDEV + 1];
	uint32_t line[LA_PLIC_WORDS];     /* the sources' lines as last driven */
	uint32_t pending[LA_PLIC_WORDS];
	uint32_t claimed[LA_PLIC_WORDS];  /* claimed, not completed yet */
	uint32_t edge[LA_PLIC_WORDS];     /* edge-triggered gateway */
	uint32_t latched[LA_PLIC_WORDS];  /* an edge seen while claimed */
	struct la_plic_context c[];
};

static bool la_bit(const uint32_t *w, unsigned s)
{
	return w[s / 32] >> (s % 32) & 1;
}

static void la_bit_set(uint32_t *w, unsigned s, bool v)
{
	if (v)
		w[s / 32] |= 1u << (s % 32);
	else
		w[s / 32] &= ~(1u << (s % 32));
}

/* The source context c would be given by a claim now: pending, enabled,
 * priority above the threshold, the highest priority (lowest id on a
 * tie); 0 for none. */
static unsigned la_plic_best(const struct la_plic *p, const struct la_plic_context *c)
{
	unsigned best = 0;
	uint32_t best_prio = c->threshold;

	for (unsigned w = 0; w < LA_PLIC_WORDS; w++) {
		uint32_t m = p->pending[w] & c->enable[w];

		while (m) {
			unsigned s = w * 32 + (unsigned)__builtin_ctz(m);

			m &= m - 1;
			if (p->priority[s] > best_prio) {
				best = s;
				best_prio = p->priority[s];
			}
		}
	}
	return best;
}

/* Deliver every context whose output changed. */
static void la_plic_update(struct la_plic *p)
{
	for (unsigned i = 0; i < p->ncontexts; i++) {
		int level = la_plic_best(p, &p->c[i]) != 0;

		if (level != p->c[i].out) {
			p->c[i].out = level;
			p->deliver(p->ctx, i, level);
		}
	}
}

int la_plic_create(unsigned ncontexts, unsigned ndev, la_plic_deliver_fn deliver, void *ctx,
		   struct la_plic **out)
{
	struct la_plic *p;

	*out = NULL;
	if (!ncontexts || ncontexts > LA_PLIC_MAX_CONTEXTS || !ndev || ndev > LA_PLIC_NDEV ||
	    !deliver)
		return -LA_ERR_RANGE;
	p = calloc(1, sizeof(*p) + ncontexts * sizeof(p->c[0]));
	if (!p)
		return -LA_ERR_NOMEM;
	pthread_mutex_init(&p->lock, NULL);
	p->ncontexts = ncontexts;
	p->ndev = ndev;
	p->deliver = deliver;
	p->ctx = ctx;
	*out = p;
	return 0;
}

void la_plic_destroy(struct la_plic *p)
{
	if (!p)
		return;
	pthread_mutex_destroy(&p->lock);
	free(p);
}

void la_plic_set_edge(struct la_plic *p, unsigned src, bool edge)
{
	if (src == 0 || src > p->ndev)
		return;
	pthread_mutex_lock(&p->lock);
	la_bit_set(p->edge, src, edge);
	pthread_mutex_unlock(&p->lock);
}

/* The gateway: a level source is pending while its line is high and it is
 * not claimed; an edge source on each rising edge (kept for after the
 * completion if it is claimed). */
void la_plic_irq(struct la_plic *p, unsigned src, int level)
{
	bool was;

	if (src == 0 || src > p->ndev)
		return;
	pthread_mutex_lock(&p->lock);
	was = la_bit(p->line, src);
	la_bit_set(p->line, src, level != 0);
	if (la_bit(p->edge, src)) {
		if (level && !was) {
			if (la_bit(p->claimed, src))
				la_bit_set(p->latched, src, true);
			else
				la_bit_set(p->pending, src, true);
		}
	} else if (!la_bit(p->claimed, src)) {
		la_bit_set(p->pending, src, level != 0);
	}
	la_plic_update(p);
	pthread_mutex_unlock(&p->lock);
}

static uint32_t la_plic_claim(struct la_plic *p, struct la_plic_context *c)
{
	unsigned s = la_plic_best(p, c);

	if (s) {
		la_bit_set(p->pending, s, false);
		la_bit_set(p->claimed, s, true);
		la_plic_update(p);
	}
	return s;
}

/* A completion for a source the context has not enabled, or that is not
 * claimed, is ignored (the specification's rule). */
static void la_plic_complete(struct la_plic *p, struct la_plic_context *c, uint32_t s)
{
	if (s == 0 || s > p->ndev || !la_bit(c->enable, s) || !la_bit(p->claimed, s))
		return;
	la_bit_set(p->claimed, s, false);
	if (la_bit(p->edge, s)) {
		if (la_bit(p->latched, s)) {
			la_bit_set(p->latched, s, false);
			la_bit_set(p->pending, s, true);
		}
	} else if (la_bit(p->line, s)) {
		la_bit_set(p->pending, s, true);
	}
	la_plic_update(p);
}

/* The enable word index of a source word w: bits beyond ndev stay clear. */
static uint32_t la_plic_valid_mask(const struct la_plic *p, unsigned w)
{
	uint32_t m = 0;

	for (unsigned b = 0; b < 32; b++) {
		unsigned s = w * 32 + b;

		if (s != 0 && s <= p->ndev)
			m |= 1u << b;
	}
	return m;
}

static uint32_t la_plic_read32(struct la_plic *p, uint64_t off)
{
	if (off < LA_PLIC_PENDING) {
		uint64_t s = off / 4;

		return s >= 1 && s <= p->ndev ? p->priority[s] : 0;
	}
	if (off < LA_PLIC_ENABLE) {
		uint64_t w = (off - LA_PLIC_PENDING) / 4;

		return w < LA_PLIC_WORDS ? p->pending[w] : 0;
	}
	if (off < LA_PLIC_CONTEXT) {
		uint64_t c = (off - LA_PLIC_ENABLE) / LA_PLIC_ENABLE_STRIDE;
		uint64_t w = (off - LA_PLIC_ENABLE) % LA_PLIC_ENABLE_STRIDE / 4;

		return c < p->ncontexts && w < LA_PLIC_WORDS ? p->c[c].enable[w] : 0;
	}
	uint64_t c = (off - LA_PLIC_CONTEXT) / LA_PLIC_CONTEXT_STRIDE;
	uint64_t r = (off - LA_PLIC_CONTEXT) % LA_PLIC_CONTEXT_STRIDE;

	if (c >= p->ncontexts)
		return 0;
	if (r == 0)
		return p->c[c].threshold;
	if (r == LA_PLIC_CLAIM)
		return la_plic_claim(p, &p->c[c]);
	return 0;
}

static void la_plic_write32(struct la_plic *p, uint64_t off, uint32_t v)
{
	if (off < LA_PLIC_PENDING) {
		uint64_t s = off / 4;

		if (s >= 1 && s <= p->ndev) {
			p->priority[s] = v & LA_PLIC_MAX_PRIORITY;
			la_plic_update(p);
		}
		return;
	}
	if (off < LA_PLIC_ENABLE)
		return; /* pending bits are read only */
	if (off < LA_PLIC_CONTEXT) {
		uint64_t c = (off - LA_PLIC_ENABLE) / LA_PLIC_ENABLE_STRIDE;
		uint64_t w = (off - LA_PLIC_ENABLE) % LA_PLIC_ENABLE_STRIDE / 4;

		if (c < p->ncontexts && w < LA_PLIC_WORDS) {
			p->c[c].enable[w] = v & la_plic_valid_mask(p, (unsigned)w);
			la_plic_update(p);
		}
		return;
	}
	uint64_t c = (off - LA_PLIC_CONTEXT) / LA_PLIC_CONTEXT_STRIDE;
	uint64_t r = (off - LA_PLIC_CONTEXT) % LA_PLIC_CONTEXT_STRIDE;

	if (c >= p->ncontexts)
		return;
	if (r == 0) {
		p->c[c].threshold = v & LA_PLIC_MAX_PRIORITY;
		la_plic_update(p);
	} else if (r == LA_PLIC_CLAIM) {
		la_plic_complete(p, &p->c[c], v);
	}
}

/* Only aligned 32-bit accesses mean something; others read zero and
 * write nothing. */
static void la_plic_read(void *ctx, uint64_t off, uint8_t *data, unsigned size)
{
	struct la_plic *p = ctx;

	memset(data, 0, size);
	if (size != 4 || off % 4 || off >= LA_PLIC_RV_SIZE)
		return;
	pthread_mutex_lock(&p->lock);
	la_put32(data, la_plic_read32(p, off));
	pthread_mutex_unlock(&p->lock);
}

static void la_plic_write(void *ctx, uint64_t off, const uint8_t *data, unsigned size)
{
	struct la_plic *p = ctx;

	if (size != 4 || off % 4 || off >= LA_PLIC_RV_SIZE)
		return;
	pthread_mutex_lock(&p->lock);
	la_plic_write32(p, off, la_get32(data));
	pthread_mutex_unlock(&p->lock);
}

const struct la_bus_ops la_plic_ops = { .read = la_plic_read, .write = la_plic_write };

/* The descriptor: its place on riscv64. The tree's node is the arch's
 * (it is the interrupt controller every other node points at). */
const struct la_dev_desc la_dev_plic = {
	.name = "plic", .kind = "irqchip",
	.what = "PLIC, the userspace interrupt controller (riscv64 without in-kernel AIA)",
	.arch = {
		[LA_ARCH_RISCV64] = { 1, { LA_NEED_FIXED_MMIO(LA_PLIC_RV_BASE, LA_PLIC_RV_SIZE,
							      "PLIC (with --irqchip plic)") } },
	},
};
