/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices.h"
#include "err.h"
#include "jsonw.h"

/*
 * virtio-pci BAR 0: common config, ISR, device config, notification and
 * the MSI-X table and PBA, one 32 KiB non-prefetchable 32-bit memory BAR,
 * naturally aligned (crosvm's virtio capability BAR; the spec does not give
 * a size, see la-alloc(1)). A 32-bit BAR has max_address 0xffffffff, so it
 * always comes from low MMIO. blk, net, rng, console and vsock have no
 * shared-memory BARs.
 */
#define LA_VIRTIO_BAR_SIZE 0x8000ULL
#define LA_BAR32_MAX 0xffffffffULL

#define FIXED_IO(b, s, t) { LA_RES_IO, LA_NEED_FIXED, "io", (b), (s), 0, 0, false, (t) }
#define FIXED_MMIO(b, s, t) { LA_RES_MMIO, LA_NEED_FIXED, "mmio", (b), (s), 0, 0, false, (t) }
#define FIXED_IRQ(n, t) { LA_RES_IRQ, LA_NEED_FIXED, "irq", (n), 1, 0, 0, false, (t) }
#define NEED_PSTORE { LA_RES_RESERVE, LA_NEED_PSTORE, "ramoops", 0, 0, 0, 0, false, \
		      "ramoops (pstore)" }

#define VIRTIO_ARCH(t)                                                          \
	{ 3, {                                                                  \
		{ LA_RES_PCI, LA_NEED_PCI, "slot", 0, 0, 0, 0, false, t },     \
		{ LA_RES_MMIO, LA_NEED_BAR, "bar0", 0, LA_VIRTIO_BAR_SIZE,     \
		  LA_VIRTIO_BAR_SIZE, LA_BAR32_MAX, false, t " settings BAR" }, \
		{ LA_RES_IRQ, LA_NEED_INTX, "intx", 0, 0, 0, 0, false, t " INTx" }, \
	} }
#define VIRTIO(name, what) \
	{ name, "virtio-pci", what, { VIRTIO_ARCH(name), VIRTIO_ARCH(name), VIRTIO_ARCH(name) } }

/* COM ports: x86 IO ports with IRQ 4/3; aarch64 the same addresses on the
 * MMIO bus with SPI 0/2; riscv64 MMIO with the IRQ left unwired. */
#define COM(name, addr, x86irq, armirq, what)                                    \
	{ name, "serial", what, {                                                \
		[LA_ARCH_X86_64] = { 2, { FIXED_IO(addr, 8, "16550 UART"),      \
					  FIXED_IRQ(x86irq, "edge") } },        \
		[LA_ARCH_AARCH64] = { 2, { FIXED_MMIO(addr, 8, "16550 UART"),   \
					   FIXED_IRQ(armirq, "SPI, edge") } },  \
		[LA_ARCH_RISCV64] = { 1, { FIXED_MMIO(addr, 8, "16550 UART, IRQ unwired") } }, \
	} }

const struct la_dev_type la_dev_types[] = {
	COM("com1", 0x3f8, 4, 0, "serial port COM1 (ttyS0)"),
	COM("com2", 0x2f8, 3, 2, "serial port COM2 (ttyS1)"),
	COM("com3", 0x3e8, 4, 0, "serial port COM3 (ttyS2)"),
	COM("com4", 0x2e8, 3, 2, "serial port COM4 (ttyS3)"),
	{ "rtc", "rtc", "real-time clock: x86 CMOS, aarch64 PL030", {
		[LA_ARCH_X86_64] = { 2, { FIXED_IO(0x70, 2, "CMOS/RTC"),
					  FIXED_IRQ(8, "edge") } },
		[LA_ARCH_AARCH64] = { 2, { FIXED_MMIO(0x2000, 0x1000, "PL030 RTC"),
					   FIXED_IRQ(1, "SPI, edge") } },
	} },
	{ "i8042", "i8042", "i8042 reset port (KVM's PIT owns port 0x61)", {
		[LA_ARCH_X86_64] = { 1, { FIXED_IO(0x62, 3, "i8042") } },
	} },
	{ "debugcon", "debugcon", "debug console port", {
		[LA_ARCH_X86_64] = { 1, { FIXED_IO(0x402, 1, "debugcon") } },
	} },
	{ "pstore", "pstore", "ramoops region at the start of high MMIO", {
		{ 1, { NEED_PSTORE } }, { 1, { NEED_PSTORE } }, { 1, { NEED_PSTORE } },
	} },
	VIRTIO("virtio-blk", "virtio block device (PCI)"),
	VIRTIO("virtio-net", "virtio network device (PCI)"),
	VIRTIO("virtio-rng", "virtio entropy device (PCI)"),
	VIRTIO("virtio-console", "virtio console (PCI)"),
	VIRTIO("virtio-vsock", "virtio vsock (PCI)"),
};

const unsigned la_dev_ntypes = sizeof(la_dev_types) / sizeof(la_dev_types[0]);

const char *la_res_kind_name(enum la_res_kind k)
{
	static const char *const names[] = {
		[LA_RES_MMIO] = "mmio", [LA_RES_IO] = "io", [LA_RES_IRQ] = "irq",
		[LA_RES_GPE] = "gpe", [LA_RES_PCI] = "pci", [LA_RES_RESERVE] = "reserve",
	};
	return names[k];
}

const struct la_dev_type *la_dev_lookup(const char *name)
{
	for (unsigned i = 0; i < la_dev_ntypes; i++)
		if (!strcmp(la_dev_types[i].name, name))
			return &la_dev_types[i];
	return NULL;
}

int la_devset_init(struct la_devset *d, const struct la_arch_ops *arch,
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

void la_devset_destroy(struct la_devset *d)
{
	free(d->intx);
	free(d->keys);
	memset(d, 0, sizeof(*d));
}

/* The owner of a fixed range of kind overlapping r, NULL if none. */
static const char *la_devset_fixed_owner(const struct la_devset *d, enum la_res_kind kind,
					 struct la_range r)
{
	for (unsigned i = 0; i < d->nfixed; i++)
		if (d->fixed[i].kind == kind && la_range_overlaps(d->fixed[i].r, r))
			return d->fixed[i].owner;
	return NULL;
}

const struct la_dev_type *la_devset_next_serial(const struct la_devset *d)
{
	static const char *const coms[] = { "com1", "com2", "com3", "com4" };

	for (unsigned i = 0; i < 4; i++) {
		const struct la_dev_type *t = la_dev_lookup(coms[i]);
		const struct la_dev_need *n = &t->arch[d->arch->id].need[0];
		struct la_range r = { n->base, n->base + n->size - 1 };

		if (!la_devset_fixed_owner(d, n->kind, r))
			return t;
	}
	return NULL;
}

static int la_devset_fixed(struct la_devset *d, const struct la_dev_need *n,
			   struct la_grant *g, const char **conflict)
{
	const char *owner;

	g->fixed = true;
	if (n->kind == LA_RES_IRQ) {
		g->value = (uint32_t)n->base; /* fixed IRQs may be shared (COM1/COM3) */
		return 0;
	}
	g->range = (struct la_range){ n->base, n->base + n->size - 1 };
	owner = la_devset_fixed_owner(d, n->kind, g->range);
	if (owner) {
		if (conflict)
			*conflict = owner;
		return -LA_ERR_EXISTINGALLOC;
	}
	if (d->nfixed >= LA_DEVSET_MAX_FIXED)
		return -LA_ERR_TOOMANY;
	d->fixed[d->nfixed].kind = n->kind;
	d->fixed[d->nfixed].r = g->range;
	strcpy(d->fixed[d->nfixed].owner, g->name);
	d->nfixed++;
	return 0;
}

void la_devset_release_fixed(struct la_devset *d, const struct la_grant *g)
{
	for (unsigned i = 0; i < d->nfixed; i++) {
		if (!strcmp(d->fixed[i].owner, g->name)) {
			d->fixed[i] = d->fixed[--d->nfixed];
			return;
		}
	}
}

static int la_devset_pstore(struct la_devset *d, struct la_grant *g, const char **conflict)
{
	const char *owner;

	if (!d->sa->has_reserved)
		return -LA_ERR_NOPOOL;
	g->fixed = true;
	g->range = d->sa->reserved;
	owner = la_devset_fixed_owner(d, LA_RES_RESERVE, g->range);
	if (owner) {
		if (conflict)
			*conflict = owner;
		return -LA_ERR_EXISTINGALLOC;
	}
	if (d->nfixed >= LA_DEVSET_MAX_FIXED)
		return -LA_ERR_TOOMANY;
	d->fixed[d->nfixed].kind = LA_RES_RESERVE;
	d->fixed[d->nfixed].r = g->range;
	strcpy(d->fixed[d->nfixed].owner, g->name);
	d->nfixed++;
	return 0;
}

/* §1.6 step 4, PreferredIrq::Any: pin = func % 4; the IRQ of (bus, dev,
 * pin) if it has one, else a new IRQ while fewer than max_irqs are in the
 * pool, else pool[dev_idx % max_irqs]. */
static int la_devset_intx(struct la_devset *d, const struct la_grant *slot, unsigned dev_idx,
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

static int la_devset_bar(struct la_devset *d, const struct la_dev_need *n,
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

static int la_devset_need(struct la_devset *d, const struct la_dev_need *n,
			  struct la_grant *g, const struct la_grant *slot, unsigned dev_idx,
			  const char **conflict)
{
	switch (n->how) {
	case LA_NEED_FIXED:
		return la_devset_fixed(d, n, g, conflict);
	case LA_NEED_PCI:
		return la_sys_alloc_pci(d->sa, 0, g->tag, &g->dev, &g->func);
	case LA_NEED_BAR:
		return la_devset_bar(d, n, slot, g);
	case LA_NEED_INTX:
		return la_devset_intx(d, slot, dev_idx, g);
	case LA_NEED_PSTORE:
		return la_devset_pstore(d, g, conflict);
	}
	return -LA_ERR_INTERNAL;
}

int la_devset_add(struct la_devset *d, const struct la_dev_type *t, const char *name,
		  struct la_grant *out, unsigned *n, const char **conflict)
{
	unsigned nneeds = t->arch[d->arch->id].n;
	const struct la_grant *slot = NULL;
	unsigned dev_idx = d->npci;

	*n = 0;
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
		err = la_devset_need(d, need, g, slot, dev_idx, conflict);
		if (err)
			return err;
		(*n)++;
		if (need->how == LA_NEED_PCI) {
			slot = g;
			d->npci++;
		}
	}
	return 0;
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
