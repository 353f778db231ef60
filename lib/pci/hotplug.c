/* SPDX-License-Identifier: MIT */
/* ACPI PCI hot-plug: the controller, its slots and their AML
 * (lib/pci/hotplug.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi/aml.h"
#include "bytes.h"
#include "dev/platform.h"
#include "err.h"
#include "pci/hotplug.h"

void la_pcihp_init(struct la_pcihp *h, const struct la_machine *m, uint32_t gpe,
		   uint32_t slots)
{
	memset(h, 0, sizeof(*h));
	h->m = m;
	h->gpe = gpe;
	h->slots = slots;
}

static void la_pcihp_raise(struct la_pcihp *h)
{
	if (h->m && h->m->gpe)
		h->m->gpe(h->m->vm, h->gpe);
}

void la_pcihp_plug(struct la_pcihp *h, unsigned dev)
{
	uint32_t bit = 1u << (dev & 31);

	h->rem &= ~bit;
	h->ins |= bit;
	la_pcihp_raise(h);
}

void la_pcihp_unplug(struct la_pcihp *h, unsigned dev)
{
	uint32_t bit = 1u << (dev & 31);

	h->ins &= ~bit;
	h->rem |= bit;
	la_pcihp_raise(h);
}

/* Whole registers only: a narrower or unaligned access reads 0 (and a
 * read of part of INS or REM clears nothing). */
static void la_pcihp_read(void *ctx, uint64_t off, uint8_t *data, unsigned size)
{
	struct la_pcihp *h = ctx;
	uint32_t v = 0;

	memset(data, 0, size);
	if (size != 4 || off % 4)
		return;
	switch (off) {
	case LA_PCIHP_INS: v = h->ins, h->ins = 0; break;
	case LA_PCIHP_REM: v = h->rem, h->rem = 0; break;
	case LA_PCIHP_SLT: v = h->slots; break;
	}
	la_put32(data, v);
}

static void la_pcihp_write(void *ctx, uint64_t off, const uint8_t *data, unsigned size)
{
	struct la_pcihp *h = ctx;
	uint32_t v;

	if (size != 4 || off != LA_PCIHP_EJ)
		return;
	v = la_get32(data) & h->slots;
	for (unsigned d = 0; d < 32; d++)
		if ((v >> d & 1) && h->m && h->m->pci_ejected)
			h->m->pci_ejected(h->m->vm, d);
}

const struct la_bus_ops la_pcihp_ops = { la_pcihp_read, la_pcihp_write };

/* ---- the platform's view ---- */

const struct la_dev_inst *la_pcihp_find(const struct la_platform *p)
{
	for (unsigned i = 0; i < p->ninst; i++)
		if (p->inst[i].desc == &la_dev_pci_hotplug)
			return &p->inst[i];
	return NULL;
}

uint32_t la_pcihp_slots(const struct la_platform *p)
{
	uint32_t s = 0;

	for (unsigned i = 0; i < p->ninst; i++) {
		const struct la_grant *g = la_dev_inst_grant(&p->inst[i], LA_RES_PCI, 0);

		if (p->inst[i].desc == &la_dev_pci_slot && g && g->bus == 0 && g->dev < 32)
			s |= 1u << g->dev;
	}
	return s;
}

/* ---- AML ---- */

static void la_pcihp_seg(char seg[5], unsigned dev)
{
	snprintf(seg, 5, "HP%02X", dev & 0xff);
}

/* If (And(Local<l>, 1 << dev, Zero)) { Notify(HPdd, value) } */
static void la_pcihp_aml_check(struct la_aml *a, unsigned local, unsigned dev, unsigned value)
{
	char seg[5];

	la_pcihp_seg(seg, dev);
	la_aml_if_open(a);
	la_aml_byte(a, LA_AML_AND);
	la_aml_byte(a, LA_AML_LOCAL(local));
	la_aml_int(a, 1ull << dev);
	la_aml_byte(a, LA_AML_NULLNAME);
	la_aml_byte(a, LA_AML_NOTIFY);
	la_aml_bytes(a, seg, 4);
	la_aml_int(a, value);
	la_aml_pkg_close(a);
}

void la_pcihp_aml_slots(struct la_aml *a, const struct la_platform *p)
{
	static const char *const regs[] = { "PCIU", "PCID", "B0EJ", "PSLT" };
	const struct la_dev_inst *c = la_pcihp_find(p);
	const struct la_grant *io = c ? la_dev_inst_grant(c, LA_RES_IO, 0) : NULL;
	uint32_t slots = la_pcihp_slots(p);
	char seg[5];

	if (!io)
		return;
	la_aml_opregion_io(a, "PHPR", (uint16_t)io->range.start, LA_PCIHP_IO_LEN);
	la_aml_field_dwords(a, "PHPR", regs, 4);
	for (unsigned d = 0; d < 32; d++) {
		if (!(slots >> d & 1))
			continue;
		la_pcihp_seg(seg, d);
		la_aml_device_open(a, seg);
		la_aml_name(a, "_ADR");
		la_aml_int(a, (uint64_t)d << 16);
		la_aml_name(a, "_SUN");
		la_aml_int(a, d);
		/* Method(_EJ0, 1) { Store(1 << d, B0EJ) } */
		la_aml_method_open(a, "_EJ0", 1, 0);
		la_aml_byte(a, LA_AML_STORE);
		la_aml_int(a, 1ull << d);
		la_aml_bytes(a, "B0EJ", 4);
		la_aml_pkg_close(a);
		la_aml_pkg_close(a);
	}
	/* Method(PCNT, 0, Serialized) { Store(PCIU, Local0) Store(PCID,
	 * Local1) then per slot: arrivals, then eject requests } */
	la_aml_method_open(a, "PCNT", 0, 1);
	la_aml_byte(a, LA_AML_STORE);
	la_aml_bytes(a, "PCIU", 4);
	la_aml_byte(a, LA_AML_LOCAL(0));
	la_aml_byte(a, LA_AML_STORE);
	la_aml_bytes(a, "PCID", 4);
	la_aml_byte(a, LA_AML_LOCAL(1));
	for (unsigned d = 0; d < 32; d++) {
		if (!(slots >> d & 1))
			continue;
		la_pcihp_aml_check(a, 0, d, LA_PCIHP_NOTIFY_BUS_CHECK);
		la_pcihp_aml_check(a, 1, d, LA_PCIHP_NOTIFY_EJECT);
	}
	la_aml_pkg_close(a);
}

void la_pcihp_aml_gpe(struct la_aml *a, const struct la_platform *p)
{
	const struct la_dev_inst *c = la_pcihp_find(p);
	const struct la_grant *gpe = c ? la_dev_inst_grant(c, LA_RES_GPE, 0) : NULL;
	char seg[5];

	if (!gpe)
		return;
	/* an edge GPE (_Exx): the OS clears its status before the method */
	snprintf(seg, sizeof(seg), "_E%02X", gpe->value & 0xff);
	la_aml_scope_open(a, "\\_GPE");
	la_aml_method_open(a, seg, 0, 0);
	la_aml_bytes(a, "\\/\x03_SB_PC00PCNT", 15); /* \_SB_.PC00.PCNT() */
	la_aml_pkg_close(a);
	la_aml_pkg_close(a);
}

/* ---- the running controller ---- */

static int la_pcihp_create(const struct la_dev_inst *d, const struct la_dev_env *env,
			   void **state, const struct la_bus_ops **ops)
{
	const struct la_grant *gpe = la_dev_inst_grant(d, LA_RES_GPE, 0);
	struct la_pcihp *h = malloc(sizeof(*h));

	if (!h)
		return -LA_ERR_NOMEM;
	la_pcihp_init(h, env->m, gpe ? gpe->value : 0, env->hotplug_slots);
	*state = h;
	*ops = &la_pcihp_ops;
	return 0;
}

/* The controller: its registers from the IO pool (16-aligned), its GPE
 * from the allocator's. */
const struct la_dev_desc la_dev_pci_hotplug = {
	.name = "pci-hotplug", .kind = "pci-hotplug",
	.what = "ACPI PCI hot-plug controller (registers and GPE)",
	.arch = {
		[LA_ARCH_X86_64] = { 2, {
			{ .kind = LA_RES_IO, .how = LA_NEED_IO, .role = "io",
			  .size = LA_PCIHP_IO_LEN, .align = LA_PCIHP_IO_LEN,
			  .tag = "PCI hot-plug registers" },
			{ .kind = LA_RES_GPE, .how = LA_NEED_GPE, .role = "gpe",
			  .tag = "PCI hot-plug GPE" },
		} },
	},
	.create = la_pcihp_create,
};

/* A reserved slot: what a virtio device gets (lib/virtio/pci.c), held
 * from boot so the _PRT and the root bridge's windows never change. */
const struct la_dev_desc la_dev_pci_slot = {
	.name = "hotplug-slot", .kind = "hotplug-slot",
	.what = "PCI hot-plug slot (reserved for la-vmctl add)",
	.arch = {
		[LA_ARCH_X86_64] = { 3, {
			{ .kind = LA_RES_PCI, .how = LA_NEED_PCI, .role = "slot",
			  .tag = "hotplug-slot" },
			{ .kind = LA_RES_MMIO, .how = LA_NEED_BAR, .role = "bar0",
			  .size = 0x8000, .align = 0x8000, .max_address = 0xffffffffULL,
			  .tag = "hotplug-slot BAR 0 window" },
			{ .kind = LA_RES_IRQ, .how = LA_NEED_INTX, .role = "intx",
			  .tag = "hotplug-slot INTx" },
		} },
	},
};
