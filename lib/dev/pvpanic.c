/* SPDX-License-Identifier: MIT */
/*
 * pvpanic on PCI, as crosvm has it (devices/src/pci/pvpanic.rs, always in
 * its device list, last): Red Hat's vendor ID 0x1b36, device 0x0011,
 * revision 1, class "other" (0xff, subclass 0x80), subsystem 0xff/0xff;
 * BAR 0 a 16-byte 32-bit memory BAR (aligned to its size, from low MMIO)
 * whose byte at offset 0 is the one register; a slot and an INTx like any
 * PCI device (§1.6), though it never interrupts.
 *
 * The register (QEMU's docs/specs/pvpanic.txt, Linux's
 * drivers/misc/pvpanic/pvpanic-pci.c): a one-byte read gives the events
 * the device supports, PANICKED (bit 0) and CRASH_LOADED (bit 1); the
 * guest's driver keeps those and, on a panic, writes one of them. Other
 * reads give 0, other writes are ignored. The byte written goes to the
 * machine (lib/dev/machine.h, panic), which makes the guest's next end an
 * exit with status 34 when it was PANICKED.
 */
#include <stdlib.h>
#include <string.h>

#include "dev/dev.h"
#include "dev/machine.h"
#include "dev/pvpanic.h"
#include "err.h"
#include "pci/config.h"

struct la_pvpanic {
	struct la_pci_ep ep;
	const struct la_machine *m;
};

void la_pvpanic_read(void *ctx, uint64_t off, uint8_t *data, unsigned size)
{
	(void)ctx;
	memset(data, 0, size);
	if (off == 0 && size == 1)
		data[0] = LA_PVPANIC_PANICKED | LA_PVPANIC_CRASH_LOADED;
}

void la_pvpanic_write(void *ctx, uint64_t off, const uint8_t *data, unsigned size)
{
	const struct la_machine *m = ctx;

	if (off == 0 && size == 1 && m && m->panic)
		m->panic(m->vm, data[0]);
}

static const struct la_bus_ops la_pvpanic_ops = { la_pvpanic_read, la_pvpanic_write };

int la_pvpanic_ep_init(struct la_pci_ep *ep, const struct la_machine *m, uint64_t bar,
		       uint32_t irq, struct la_bus *mmio)
{
	int err;

	la_pci_ep_init(ep, "pvpanic", LA_PVPANIC_VENDOR, LA_PVPANIC_DEVICE, LA_PVPANIC_CLASS,
		       LA_PVPANIC_REVISION, 0xff, 0xff, mmio);
	/* the register's context is the machine: the device has no state */
	err = la_pci_ep_bar(ep, 0, LA_PVPANIC_BAR_SIZE, bar, &la_pvpanic_ops, (void *)m);
	if (!err)
		la_pci_ep_intx(ep, 1, (uint8_t)irq);
	return err;
}

static int la_pvpanic_create(const struct la_dev_inst *d, const struct la_dev_env *env,
			     void **state, const struct la_bus_ops **ops)
{
	const struct la_grant *bar = la_dev_inst_grant(d, LA_RES_MMIO, 0);
	const struct la_grant *irq = la_dev_inst_grant(d, LA_RES_IRQ, 0);
	struct la_pvpanic *p;
	int err;

	if (!bar || !irq)
		return -LA_ERR_INTERNAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -LA_ERR_NOMEM;
	p->m = env->m;
	err = la_pvpanic_ep_init(&p->ep, env->m, bar->range.start, irq->value, env->mmio);
	if (err) {
		free(p);
		return err;
	}
	*state = p;
	*ops = NULL;
	return 0;
}

static void la_pvpanic_destroy(void *state)
{
	struct la_pvpanic *p = state;

	la_pci_ep_unmap(&p->ep);
	free(p);
}

static struct la_pci_ep *la_pvpanic_pci_ep(void *state)
{
	return &((struct la_pvpanic *)state)->ep;
}

#define LA_PVPANIC_ARCH                                                                     \
	{ 3, {                                                                              \
		{ .kind = LA_RES_PCI, .how = LA_NEED_PCI, .role = "slot", .tag = "pvpanic" },  \
		{ .kind = LA_RES_MMIO, .how = LA_NEED_BAR, .role = "bar0",                    \
		  .size = LA_PVPANIC_BAR_SIZE, .align = LA_PVPANIC_BAR_SIZE,                  \
		  .max_address = 0xffffffffULL, .tag = "pvpanic register BAR" },              \
		{ .kind = LA_RES_IRQ, .how = LA_NEED_INTX, .role = "intx",                    \
		  .tag = "pvpanic INTx" },                                                    \
	} }

const struct la_dev_desc la_dev_pvpanic = {
	.name = "pvpanic", .kind = "pvpanic", .what = "pvpanic (PCI): the guest reports a panic",
	.arch = { LA_PVPANIC_ARCH, LA_PVPANIC_ARCH, LA_PVPANIC_ARCH },
	.create = la_pvpanic_create, .destroy = la_pvpanic_destroy,
	.pci_ep = la_pvpanic_pci_ep,
};
