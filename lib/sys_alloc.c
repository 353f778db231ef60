/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "sys_alloc.h"

#define LA_PCI_BUS0_BASE 8 /* 00:00.0 is the host bridge */

/* The pools of one MMIO allocator: window, restricted to mmio_ranges. */
static unsigned la_sys_restrict(struct la_range window, const struct la_range *ranges,
				unsigned nranges, struct la_range *out)
{
	unsigned n = 0;

	if (nranges == 0) {
		out[0] = window;
		return 1;
	}
	for (unsigned i = 0; i < nranges; i++) {
		struct la_range r = la_range_intersect(window, ranges[i]);

		if (!la_range_is_empty(r))
			out[n++] = r;
	}
	return n;
}

static int la_sys_alloc_one(struct la_addr_alloc *a, struct la_range pool, uint64_t min_align)
{
	struct la_addr_alloc_opts o = { .has_min_align = true, .min_align = min_align };

	return la_addr_alloc_init(a, &pool, 1, &o);
}

static int la_sys_alloc_mmio_pools(struct la_sys_alloc *s, const struct la_sys_alloc_config *c,
				   struct la_range high, const struct la_range *ranges,
				   unsigned nranges)
{
	struct la_addr_alloc_opts o = { .has_min_align = true, .min_align = LA_SYS_PAGE_SIZE };
	struct la_range pools[LA_SYS_MAX_MMIO_RANGES];
	unsigned n;
	int err;

	n = la_sys_restrict(c->low_mmio, ranges, nranges, pools);
	err = la_addr_alloc_init(&s->mmio[LA_MMIO_LOW], pools, n, &o);
	if (err)
		return err;
	n = la_sys_restrict(high, ranges, nranges, pools);
	return la_addr_alloc_init(&s->mmio[LA_MMIO_HIGH], pools, n, &o);
}

int la_sys_alloc_init(struct la_sys_alloc *s, const struct la_sys_alloc_config *c,
		      bool has_reserve, uint64_t reserve_size,
		      const struct la_range *mmio_ranges, unsigned nranges)
{
	struct la_range high = c->high_mmio;
	int err;

	memset(s, 0, sizeof(*s));
	if (nranges > LA_SYS_MAX_MMIO_RANGES)
		return -LA_ERR_TOOMANY;
	if (c->has_io && c->io.end > LA_SYS_IO_MAX)
		return -LA_ERR_IOPORTRANGE;
	if (has_reserve) {
		if (reserve_size > la_range_len(high))
			return -LA_ERR_NOSPACE;
		s->has_reserved = true;
		/* reserve_size <= len(high): neither can overflow */
		la_range_from_size(high.start, reserve_size, &s->reserved);
		if (reserve_size && s->reserved.end < high.end)
			high.start = s->reserved.end + 1;
		else if (reserve_size)
			high = LA_RANGE_EMPTY;
	}
	err = la_sys_alloc_mmio_pools(s, c, high, mmio_ranges, nranges);
	if (!err && c->has_io) {
		s->has_io = true;
		err = la_sys_alloc_one(&s->io, c->io, LA_SYS_IO_MIN_ALIGN);
	}
	if (!err && c->has_platform_mmio) {
		s->has_platform = true;
		err = la_sys_alloc_one(&s->platform, c->platform_mmio, LA_SYS_PAGE_SIZE);
	}
	if (!err)
		err = la_sys_alloc_one(&s->irq, (struct la_range){ c->first_irq, LA_SYS_MAX_IRQ }, 1);
	if (!err)
		err = la_sys_alloc_one(&s->gpe, (struct la_range){ 0, LA_SYS_MAX_GPE }, 1);
	if (err)
		la_sys_alloc_destroy(s);
	return err;
}

void la_sys_alloc_destroy(struct la_sys_alloc *s)
{
	la_addr_alloc_destroy(&s->io);
	la_addr_alloc_destroy(&s->mmio[LA_MMIO_LOW]);
	la_addr_alloc_destroy(&s->mmio[LA_MMIO_HIGH]);
	la_addr_alloc_destroy(&s->platform);
	la_addr_alloc_destroy(&s->irq);
	la_addr_alloc_destroy(&s->gpe);
	for (unsigned b = 0; b < LA_SYS_PCI_BUSES; b++) {
		if (s->pci[b]) {
			la_addr_alloc_destroy(s->pci[b]);
			free(s->pci[b]);
		}
	}
	memset(s, 0, sizeof(*s));
}

struct la_alloc_id la_sys_alloc_anon(struct la_sys_alloc *s)
{
	return la_alloc_id_anon(++s->anon);
}

/* The four allocation calls crosvm dispatches on (align?, top_down?). */
static int la_sys_alloc_dispatch(struct la_addr_alloc *a, uint64_t size,
				 const struct la_alloc_id *id, const char *tag,
				 const struct la_mmio_opts *o, uint64_t *out)
{
	if (o->has_align && o->top_down)
		return la_addr_alloc_reverse_allocate_with_align(a, size, id, tag, o->align, out);
	if (o->has_align)
		return la_addr_alloc_allocate_with_align(a, size, id, tag, o->align, out);
	if (o->top_down)
		return la_addr_alloc_reverse_allocate(a, size, id, tag, out);
	return la_addr_alloc_allocate(a, size, id, tag, out);
}

int la_sys_alloc_mmio(struct la_sys_alloc *s, uint64_t size, const struct la_alloc_id *id,
		      const char *tag, const struct la_mmio_opts *opts, uint64_t *out,
		      enum la_mmio_pool *pool)
{
	enum la_mmio_pool p = LA_MMIO_LOW;
	int err;

	if (opts->max_address < UINT32_MAX)
		return -LA_ERR_NOSPACE;
	if (opts->prefetchable && opts->max_address == UINT64_MAX)
		p = LA_MMIO_HIGH;
	err = la_sys_alloc_dispatch(&s->mmio[p], size, id, tag, opts, out);
	if (err == -LA_ERR_NOSPACE && p == LA_MMIO_HIGH) {
		p = LA_MMIO_LOW;
		err = la_sys_alloc_dispatch(&s->mmio[p], size, id, tag, opts, out);
	}
	if (!err && pool)
		*pool = p;
	return err;
}

int la_sys_alloc_mmio_at(struct la_sys_alloc *s, struct la_range range,
			 const struct la_alloc_id *id, const char *tag,
			 struct la_alloc_id *conflict, enum la_mmio_pool *pool)
{
	int err = -LA_ERR_NOSPACE;

	for (int p = LA_MMIO_LOW; p <= LA_MMIO_HIGH; p++) {
		err = la_addr_alloc_allocate_at(&s->mmio[p], range, id, tag, conflict);
		if (!err) {
			if (pool)
				*pool = (enum la_mmio_pool)p;
			return 0;
		}
	}
	return err;
}

struct la_pool_ref {
	struct la_range r;
	enum la_mmio_pool pool;
};

static int la_pool_ref_cmp(const void *pa, const void *pb)
{
	const struct la_pool_ref *a = pa, *b = pb;

	return a->r.start < b->r.start ? -1 : a->r.start > b->r.start;
}

int la_sys_alloc_reserve_mmio(struct la_sys_alloc *s, struct la_range range,
			      struct la_reserve_piece *out, unsigned *n,
			      struct la_alloc_id *conflict)
{
	struct la_pool_ref pools[2 * LA_SYS_MAX_MMIO_RANGES];
	unsigned np = 0;

	*n = 0;
	for (int p = LA_MMIO_LOW; p <= LA_MMIO_HIGH; p++)
		for (unsigned i = 0; i < s->mmio[p].npools && np < 2 * LA_SYS_MAX_MMIO_RANGES; i++)
			pools[np++] = (struct la_pool_ref){ s->mmio[p].pools[i],
							    (enum la_mmio_pool)p };
	qsort(pools, np, sizeof(pools[0]), la_pool_ref_cmp);
	for (unsigned i = 0; i < np && pools[i].r.start <= range.end; i++) {
		struct la_range part = la_range_intersect(pools[i].r, range);
		struct la_alloc_id id;
		enum la_mmio_pool where;
		int err;

		if (la_range_is_empty(part))
			continue;
		id = la_sys_alloc_anon(s);
		err = la_sys_alloc_mmio_at(s, part, &id, "pci mmio reserve", conflict, &where);
		if (err)
			return err;
		out[(*n)++] = (struct la_reserve_piece){ id, part, where };
	}
	return 0;
}

int la_sys_alloc_io(struct la_sys_alloc *s, uint64_t size, const struct la_alloc_id *id,
		    const char *tag, bool has_align, uint64_t align, uint64_t *out)
{
	if (!s->has_io)
		return -LA_ERR_NOPOOL;
	if (has_align)
		return la_addr_alloc_allocate_with_align(&s->io, size, id, tag, align, out);
	return la_addr_alloc_allocate(&s->io, size, id, tag, out);
}

int la_sys_alloc_platform_mmio(struct la_sys_alloc *s, uint64_t size,
			       const struct la_alloc_id *id, const char *tag, uint64_t *out)
{
	if (!s->has_platform)
		return -LA_ERR_NOPOOL;
	return la_addr_alloc_allocate(&s->platform, size, id, tag, out);
}

/* One number from a counter-style allocator (IRQs, GPEs). */
static int la_sys_alloc_number(struct la_sys_alloc *s, struct la_addr_alloc *a,
			       const char *tag, uint32_t *v)
{
	struct la_alloc_id id = la_sys_alloc_anon(s);
	uint64_t x;
	int err = la_addr_alloc_allocate(a, 1, &id, tag, &x);

	if (!err)
		*v = (uint32_t)x;
	return err;
}

int la_sys_alloc_irq(struct la_sys_alloc *s, const char *tag, uint32_t *irq)
{
	return la_sys_alloc_number(s, &s->irq, tag, irq);
}

bool la_sys_alloc_reserve_irq(struct la_sys_alloc *s, uint32_t irq, const char *tag)
{
	struct la_alloc_id id = la_sys_alloc_anon(s);

	return la_addr_alloc_allocate_at(&s->irq, (struct la_range){ irq, irq }, &id, tag,
					 NULL) == 0;
}

int la_sys_alloc_release_irq(struct la_sys_alloc *s, uint32_t irq)
{
	return la_addr_alloc_release_containing(&s->irq, irq);
}

int la_sys_alloc_gpe(struct la_sys_alloc *s, const char *tag, uint32_t *gpe)
{
	return la_sys_alloc_number(s, &s->gpe, tag, gpe);
}

int la_sys_alloc_release_gpe(struct la_sys_alloc *s, uint32_t gpe)
{
	return la_addr_alloc_release_containing(&s->gpe, gpe);
}

/* The slot allocator of bus, created on first use: [8, 255] on bus 0,
 * [0, 255] elsewhere; value = dev << 3 | func. */
static int la_sys_alloc_pci_bus(struct la_sys_alloc *s, uint8_t bus, struct la_addr_alloc **out)
{
	struct la_addr_alloc_opts o = {
		.has_min_align = true, .min_align = 1,
		.has_preferred_align = true, .preferred_align = LA_SYS_PCI_PREFERRED_ALIGN,
	};
	struct la_range r = { bus == 0 ? LA_PCI_BUS0_BASE : 0, 255 };
	int err;

	if (!s->pci[bus]) {
		s->pci[bus] = calloc(1, sizeof(*s->pci[bus]));
		if (!s->pci[bus])
			return -LA_ERR_NOMEM;
		err = la_addr_alloc_init(s->pci[bus], &r, 1, &o);
		if (err) {
			free(s->pci[bus]);
			s->pci[bus] = NULL;
			return err;
		}
	}
	*out = s->pci[bus];
	return 0;
}

int la_sys_alloc_pci(struct la_sys_alloc *s, uint8_t bus, const char *tag, uint8_t *dev,
		     uint8_t *func)
{
	struct la_addr_alloc *a;
	struct la_alloc_id id;
	uint64_t v;
	int err = la_sys_alloc_pci_bus(s, bus, &a);

	if (err)
		return err;
	id = la_sys_alloc_anon(s);
	err = la_addr_alloc_allocate(a, 1, &id, tag, &v);
	if (err)
		return err;
	*dev = (uint8_t)(v >> 3);
	*func = (uint8_t)(v & 7);
	return 0;
}

bool la_sys_alloc_reserve_pci(struct la_sys_alloc *s, uint8_t bus, uint8_t dev, uint8_t func,
			      const char *tag)
{
	struct la_addr_alloc *a;
	struct la_alloc_id id;
	uint64_t v = (uint64_t)(dev & 0x1f) << 3 | (func & 7);

	if (la_sys_alloc_pci_bus(s, bus, &a))
		return false;
	id = la_sys_alloc_anon(s);
	return la_addr_alloc_allocate_at(a, (struct la_range){ v, v }, &id, tag, NULL) == 0;
}

int la_sys_alloc_release_pci(struct la_sys_alloc *s, uint8_t bus, uint8_t dev, uint8_t func)
{
	if (!s->pci[bus])
		return -LA_ERR_NOSPACE;
	return la_addr_alloc_release_containing(s->pci[bus], (uint64_t)(dev & 0x1f) << 3 | (func & 7));
}

bool la_sys_alloc_pci_bus_empty(const struct la_sys_alloc *s, uint8_t bus)
{
	return !s->pci[bus] || s->pci[bus]->nallocs == 0;
}
