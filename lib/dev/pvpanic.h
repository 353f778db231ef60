/* SPDX-License-Identifier: MIT */
/* pvpanic on PCI (lib/dev/pvpanic.c): its IDs and its one register. */
#ifndef LA_DEV_PVPANIC_H
#define LA_DEV_PVPANIC_H

#include <stdint.h>

#define LA_PVPANIC_VENDOR 0x1b36   /* Red Hat */
#define LA_PVPANIC_DEVICE 0x0011
#define LA_PVPANIC_CLASS 0xff8000  /* other (0xff), subclass other (0x80) */
#define LA_PVPANIC_REVISION 1
#define LA_PVPANIC_BAR_SIZE 0x10

struct la_pci_ep;
struct la_machine;
struct la_bus;

/* la_pvpanic_read, la_pvpanic_write - the register at BAR 0 (ctx: the
 * struct la_machine, or NULL: writes go nowhere). A one-byte read at
 * offset 0 gives PANICKED | CRASH_LOADED, anything else 0; a one-byte
 * write at offset 0 is the machine's panic event. */
void la_pvpanic_read(void *ctx, uint64_t off, uint8_t *data, unsigned size);
void la_pvpanic_write(void *ctx, uint64_t off, const uint8_t *data, unsigned size);

/* la_pvpanic_ep_init - the endpoint: IDs, BAR 0 at bar (its grant) with the
 * register, INTA on IRQ irq; BARs go on mmio (NULL: nowhere).
 * returns: 0, -LA_ERR_RANGE (bar not aligned) */
int la_pvpanic_ep_init(struct la_pci_ep *ep, const struct la_machine *m, uint64_t bar,
		       uint32_t irq, struct la_bus *mmio);

#endif
