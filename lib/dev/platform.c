/* SPDX-License-Identifier: MIT */
/* One VM's devices and their grants (lib/dev/platform.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev/platform.h"
#include "dev/pflash.h"
#include "fdt/fdt.h"
#include "err.h"
#include "jsonw.h"

const char *la_res_kind_name(enum la_res_kind k)
{
	static const char *const names[] = {
		[LA_RES_MMIO] = "mmio", [LA_RES_IO] = "io", [LA_RES_IRQ] = "irq",
		[LA_RES_GPE] = "gpe", [LA_RES_PCI] = "pci", [LA_RES_RESERVE] = "reserve",
	};
	return names[k];
}

int la_platform_init(struct la_platform *d, const struct la_arch_ops *arch,
		   struct la_sys_alloc *sa)
{
	memset(d, 0, sizeof(*d));
	d->arch = arch;
	d->sa = sa;
	/* the INTx pool has at most max_irqs entries (2047 on riscv64); the
	 * (bus, dev, pin) keys grow by one per PCI device that needs a new key */
	d->intx = calloc(arch->pci_max_irqs ? arch->pci_max_irqs : 1, sizeof(*d->intx));
	return d->intx ? 0 : -LA_ERR_NOMEM;
}

void la_platform_destroy(struct la_platform *d)
{
	free(d->intx);
	free(d->keys);
	free(d->inst);
	memset(d, 0, sizeof(*d));
}

/* The owner of a fixed range of kind overlapping r, NULL if none. */
static const char *la_platform_fixed_owner(const struct la_platform *d, enum la_res_kind kind,
					 struct la_range r)
{
	for (unsigned i = 0; i < d->nfixed; i++)
		if (d->fixed[i].kind == kind && la_range_overlaps(d->fixed[i].r, r))
			return d->fixed[i].owner;
	return NULL;
}

const struct la_dev_desc *la_platform_next_serial(const struct la_platform *d)
{
	static const struct la_dev_desc *const coms[] = { &la_dev_com1, &la_dev_com2,
							   &la_dev_com3, &la_dev_com4 };

	for (unsigned i = 0; i < 4; i++) {
		const struct la_dev_desc *t = coms[i];
		const struct la_dev_need *n = &t->arch[d->arch->id].need[0];
		struct la_range r = { n->base, n->base + n->size - 1 };

		if (!la_platform_fixed_owner(d, n->kind, r))
			return t;
	}
	return NULL;
}

/* Take g->range of g->kind for g, unless a fixed range overlaps it. */
static int la_platform_claim(struct la_platform *d, const struct la_grant *g,
			     const char **conflict)
{
	const char *owner = la_platform_fixed_owner(d, g->kind, g->range);

	if (owner) {
		if (conflict)
			*conflict = owner;
		return -LA_ERR_EXISTINGALLOC;
	}
	if (d->nfixed >= LA_PLATFORM_MAX_FIXED)
		return -LA_ERR_TOOMANY;
	d->fixed[d->nfixed].kind = g->kind;
	d->fixed[d->nfixed].r = g->range;
	strcpy(d->fixed[d->nfixed].owner, g->name);
	d->nfixed++;
	return 0;
}

static int la_platform_fixed(struct la_platform *d, const struct la_dev_need *n,
			   struct la_grant *g, const char **conflict)
{
	g->fixed = true;
	if (n->kind == LA_RES_IRQ) {
		g->value = (uint32_t)n->base; /* fixed IRQs may be shared (COM1/COM3) */
		/* one the allocator could hand out (riscv64's UARTs, sources 1
		 * and 2, from its first IRQ, 1) is taken, so no PCI INTx
		 * shares it; a second user or one below first_irq: no-op */
		la_sys_alloc_reserve_irq(d->sa, g->value, g->name);
		return 0;
	}
	g->range = (struct la_range){ n->base, n->base + n->size - 1 };
	return la_platform_claim(d, g, conflict);
}

/* Drop the grant called name from its instance, and an instance left
 * without grants. */
static void la_platform_forget(struct la_platform *d, const char *name)
{
	for (unsigned i = 0; i < d->ninst; i++) {
		struct la_dev_inst *in = &d->inst[i];

		for (unsigned k = 0; k < in->n; k++) {
			if (strcmp(in->g[k].name, name))
				continue;
			memmove(&in->g[k], &in->g[k + 1], (in->n - k - 1) * sizeof(in->g[0]));
			if (--in->n == 0)
				memmove(in, in + 1, (--d->ninst - i) * sizeof(*in));
			return;
		}
	}
}

void la_platform_release(struct la_platform *d, const struct la_grant *g)
{
	char name[LA_ALLOC_NAME_MAX];

	/* g may be the instance's own grant, which forgetting moves */
	snprintf(name, sizeof(name), "%s", g->name);
	la_platform_forget(d, name);
	for (unsigned i = 0; i < d->nfixed; i++) {
		if (!strcmp(d->fixed[i].owner, name)) {
			d->fixed[i] = d->fixed[--d->nfixed];
			return;
		}
	}
}

static int la_platform_pstore(struct la_platform *d, struct la_grant *g, const char **conflict)
{
	if (!d->sa->has_reserved)
		return -LA_ERR_NOPOOL;
	g->fixed = true;
	g->range = d->sa->reserved;
	return la_platform_claim(d, g, conflict);
}

/* pflash: below the BIOS at the top of 4 GiB (lib/dev/pflash.h). */
static int la_platform_pflash(struct la_platform *d, struct la_grant *g, const char **conflict)
{
	if (!d->pflash_size)
		return -LA_ERR_NOPOOL;
	g->fixed = true;
	g->range.start = la_pflash_base(d->pflash_size, d->bios_size);
	g->range.end = g->range.start + d->pflash_size - 1;
	return la_platform_claim(d, g, conflict);
}

/* IO ports from the allocator's IO pool, named after the grant. */
static int la_platform_io(struct la_platform *d, const struct la_dev_need *n,
			  struct la_grant *g)
{
	uint64_t at;
	int err = la_alloc_id_named(g->name, &g->id);

	if (!err)
		err = la_sys_alloc_io(d->sa, n->size, &g->id, g->name, true, n->align, &at);
	if (!err)
		g->range = (struct la_range){ at, at + n->size - 1 };
	return err;
}

/* §1.6 step 4, PreferredIrq::Any: pin = func % 4; the IRQ of (bus, dev,
 * pin) if it has one, else a new IRQ while fewer than max_irqs are in the
 * pool, else pool[dev_idx % max_irqs]. */
static int la_platform_intx(struct la_platform *d, const struct la_grant *slot, unsigned dev_idx,
			  struct la_grant *g)
{
	uint8_t pin = slot->func % 4;
	struct la_intx_key *k;
	uint32_t gsi;
	int err;

	g->intx = true;
	for (unsigned i = 0; i < d->nkeys; i++) {
		k = &d->keys[i];
		if (k->bus == slot->bus && k->dev == slot->dev && k->pin == pin) {
			g->value = k->gsi;
			g->shared = true;
			return 0;
		}
	}
	k = realloc(d->keys, (d->nkeys + 1) * sizeof(*k));
	if (!k)
		return -LA_ERR_NOMEM;
	d->keys = k;
	if (d->nintx < d->arch->pci_max_irqs) {
		err = la_sys_alloc_irq(d->sa, g->tag, &gsi);
		if (err)
			return err;
		d->intx[d->nintx++] = gsi;
	} else {
		gsi = d->intx[dev_idx % d->arch->pci_max_irqs];
		g->shared = true;
	}
	d->keys[d->nkeys++] = (struct la_intx_key){ slot->bus, slot->dev, pin, gsi };
	g->value = gsi;
	return 0;
}

/* MMIO from the allocator's pools, named after the grant, as
 * allocate_mmio places a non-prefetchable request: in low MMIO. */
static int la_platform_mmio(struct la_platform *d, const struct la_dev_need *n,
			    struct la_grant *g)
{
	struct la_mmio_opts o = LA_MMIO_OPTS_DEFAULT;
	uint64_t at;
	int err = la_alloc_id_named(g->name, &g->id);

	o.has_align = true;
	o.align = n->align;

	if (!err)
		err = la_sys_alloc_mmio(d->sa, n->size, &g->id, g->tag, &o, &at, &g->pool);
	if (!err)
		g->range = (struct la_range){ at, at + n->size - 1 };
	return err;
}

static int la_platform_bar(struct la_platform *d, const struct la_dev_need *n,
			 const struct la_grant *slot, struct la_grant *g)
{
	struct la_mmio_opts o = {
		.prefetchable = n->prefetchable, .max_address = n->max_address,
		.has_align = true, .align = n->align,
	};
	uint64_t at;
	int err;

	g->id = la_alloc_id_pci_bar(slot->bus, slot->dev, slot->func,
				    (uint8_t)n->base);
	err = la_sys_alloc_mmio(d->sa, n->size, &g->id, g->tag, &o, &at, &g->pool);
	if (!err)
		g->range = (struct la_range){ at, at + n->size - 1 };
	return err;
}

static int la_platform_need(struct la_platform *d, const struct la_dev_need *n,
			  struct la_grant *g, const struct la_grant *slot, unsigned dev_idx,
			  const char **conflict)
{
	switch (n->how) {
	case LA_NEED_FIXED:
		return la_platform_fixed(d, n, g, conflict);
	case LA_NEED_PCI:
		return la_sys_alloc_pci(d->sa, 0, g->tag, &g->dev, &g->func);
	case LA_NEED_BAR:
		return la_platform_bar(d, n, slot, g);
	case LA_NEED_INTX:
		return la_platform_intx(d, slot, dev_idx, g);
	case LA_NEED_PSTORE:
		return la_platform_pstore(d, g, conflict);
	case LA_NEED_IO:
		return la_platform_io(d, n, g);
	case LA_NEED_GPE:
		return la_sys_alloc_gpe(d->sa, g->name, &g->value);
	case LA_NEED_MMIO:
		return la_platform_mmio(d, n, g);
	case LA_NEED_PFLASH:
		return la_platform_pflash(d, g, conflict);
	}
	return -LA_ERR_INTERNAL;
}

/* Keep a device that got all it needs as an instance. */
static int la_platform_keep(struct la_platform *d, const struct la_dev_desc *t,
			    const char *name, const struct la_grant *g, unsigned n)
{
	struct la_dev_inst *in = realloc(d->inst, (d->ninst + 1) * sizeof(*in));

	if (!in)
		return -LA_ERR_NOMEM;
	d->inst = in;
	in += d->ninst++;
	memset(in, 0, sizeof(*in));
	in->desc = t;
	snprintf(in->name, sizeof(in->name), "%s", name);
	in->n = n;
	memcpy(in->g, g, n * sizeof(*g));
	return 0;
}

int la_platform_add(struct la_platform *d, const struct la_dev_desc *t, const char *name,
		  struct la_grant *out, unsigned *n, const char **conflict)
{
	unsigned nneeds = t->arch[d->arch->id].n;
	const struct la_grant *slot = NULL;
	unsigned dev_idx = d->npci;

	*n = 0;
	if (strlen(name) > LA_DEV_NAME_MAX)
		return -LA_ERR_NAMELEN;
	if (nneeds == 0)
		return -LA_ERR_UNSUPPORTED;
	for (unsigned i = 0; i < nneeds; i++) {
		const struct la_dev_need *need = &t->arch[d->arch->id].need[i];
		struct la_grant *g = &out[i];
		int err;

		memset(g, 0, sizeof(*g));
		g->kind = need->kind;
		if ((unsigned)snprintf(g->name, sizeof(g->name), "%s.%s", name, need->role) >=
			    sizeof(g->name) ||
		    strlen(need->tag) >= sizeof(g->tag))
			return -LA_ERR_NAMELEN;
		strcpy(g->tag, need->tag);
		err = la_platform_need(d, need, g, slot, dev_idx, conflict);
		if (err)
			return err;
		(*n)++;
		if (need->how == LA_NEED_PCI) {
			slot = g;
			d->npci++;
		}
	}
	return la_platform_keep(d, t, name, out, *n);
}

int la_platform_add_arch(struct la_platform *p, const struct la_platform_opts *o,
			 const char **failed, const char **conflict)
{
	unsigned serials = 0;

	for (const struct la_platform_dev *e = p->arch->devices; e && e->name; e++) {
		struct la_grant g[LA_DEV_MAX_NEEDS];
		unsigned n;
		int err;

		if (((e->when & LA_PLAT_SERIAL) && serials++ >= o->serials) ||
		    ((e->when & LA_PLAT_ACPI) && !o->acpi))
			continue;
		err = la_platform_add(p, e->desc, e->name, g, &n, conflict);
		if (err) {
			if (failed)
				*failed = e->name;
			return err;
		}
	}
	return 0;
}

const struct la_dev_inst *la_platform_find(const struct la_platform *p, const char *name)
{
	for (unsigned i = 0; i < p->ninst; i++)
		if (!strcmp(p->inst[i].name, name))
			return &p->inst[i];
	return NULL;
}

const struct la_grant *la_dev_inst_grant(const struct la_dev_inst *d, enum la_res_kind kind,
					 unsigned index)
{
	for (unsigned i = 0; i < d->n; i++)
		if (d->g[i].kind == kind && index-- == 0)
			return &d->g[i];
	return NULL;
}

bool la_dev_fdt_open(struct la_fdt_w *w, const struct la_dev_inst *d, const char *name,
		     bool unit_address, const char *compatible, const struct la_grant **irq)
{
	const struct la_grant *mmio = la_dev_inst_grant(d, LA_RES_MMIO, 0);

	*irq = la_dev_inst_grant(d, LA_RES_IRQ, 0);
	if (!mmio || !*irq)
		return false;
	if (unit_address)
		la_fdt_w_begin_nodef(w, "%s@%llx", name, (unsigned long long)mmio->range.start);
	else
		la_fdt_w_begin_node(w, name);
	la_fdt_w_str(w, "compatible", compatible);
	la_fdt_w_reg(w, mmio->range.start, la_range_len(mmio->range));
	return true;
}

void la_platform_fdt_nodes(struct la_fdt_w *w, const struct la_platform *p, unsigned from,
			   unsigned to, const struct la_irq_cells *ic,
			   const struct la_fdt_config *fc)
{
	/* each order in the range that some instance has, lowest first */
	for (unsigned at = from; at < to;) {
		unsigned next = to;

		for (unsigned i = 0; i < p->ninst; i++) {
			const struct la_dev_desc *t = p->inst[i].desc;

			if (!t->fdt_node)
				continue;
			if (t->fdt_order == at)
				t->fdt_node(w, &p->inst[i], ic, fc);
			else if (t->fdt_order > at && t->fdt_order < next)
				next = t->fdt_order;
		}
		at = next;
	}
}

/* The INTx of instance d, if it is a PCI device with one. */
static bool la_platform_intx_of(const struct la_dev_inst *d, struct la_pci_intx *x)
{
	const struct la_grant *slot = la_dev_inst_grant(d, LA_RES_PCI, 0);
	const struct la_grant *irq = la_dev_inst_grant(d, LA_RES_IRQ, 0);

	if (!slot || !irq || !irq->intx)
		return false;
	*x = (struct la_pci_intx){ slot->bus, slot->dev, slot->func, (uint8_t)(slot->func % 4),
				   irq->value };
	return true;
}

unsigned la_platform_pci_intx(const struct la_platform *p, struct la_pci_intx *out,
			      unsigned max)
{
	struct la_pci_intx x;
	unsigned n = 0;

	for (unsigned i = 0; i < p->ninst; i++) {
		if (!la_platform_intx_of(&p->inst[i], &x))
			continue;
		if (out && n < max)
			out[n] = x;
		n++;
	}
	return n;
}

void la_platform_aml(struct la_aml *a, const struct la_platform *p)
{
	for (unsigned i = 0; i < p->ninst; i++)
		if (p->inst[i].desc->aml)
			p->inst[i].desc->aml(a, &p->inst[i]);
}

unsigned la_platform_pci_interrupt_map(const struct la_platform *p,
				       const struct la_irq_cells *ic, uint32_t *cells)
{
	unsigned per = 5 + ic->addr_cells + ic->ncells, n = 0;
	struct la_pci_intx x;

	for (unsigned i = 0; i < p->ninst; i++) {
		uint32_t *c = cells ? cells + n * per : NULL;

		if (!la_platform_intx_of(&p->inst[i], &x))
			continue;
		n++;
		if (!c)
			continue;
		c[0] = (uint32_t)x.bus << 16 | (uint32_t)x.dev << 11 | (uint32_t)x.func << 8;
		c[1] = c[2] = 0;
		c[3] = x.pin + 1u; /* INTA is 1 */
		c[4] = ic->phandle;
		memset(c + 5, 0, ic->addr_cells * sizeof(*c));
		ic->encode(ic, c + 5 + ic->addr_cells, x.irq, LA_DT_IRQ_LEVEL_HIGH, false);
	}
	return n * per;
}

void la_json_grant(struct la_json *j, const struct la_grant *g, const char *tag)
{
	la_json_obj_begin(j, NULL);
	la_json_str(j, "name", g->name);
	la_json_str(j, "kind", la_res_kind_name(g->kind));
	if (g->kind == LA_RES_IRQ || g->kind == LA_RES_GPE) {
		la_json_u64(j, "value", g->value);
	} else if (g->kind == LA_RES_PCI) {
		la_json_u64(j, "bus", g->bus);
		la_json_u64(j, "dev", g->dev);
		la_json_u64(j, "func", g->func);
	} else {
		la_json_range_fields(j, g->range.start, g->range.end);
	}
	la_json_str(j, "tag", tag);
	la_json_obj_end(j);
}
