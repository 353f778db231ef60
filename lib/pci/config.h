/* SPDX-License-Identifier: MIT */
/*
 * A PCI endpoint's type-0 configuration space (PCI Local Bus 3.0, §6.1):
 * 256 bytes with a write mask per byte, 32-bit memory BARs the guest sizes
 * (all ones written: the size mask reads back) and moves, a capability
 * list, INTx pin and line. ECAM's extended space (256-4095) reads 0.
 *
 * The endpoint puts its BARs on the VM's MMIO bus itself: a BAR is on the
 * bus while the command register's memory-space bit is set, at the address
 * the guest wrote; moving it or toggling the bit is la_bus_remove +
 * la_bus_add (a move onto another device's range leaves the BAR off the
 * bus, unmapped, rather than failing the guest). Accesses come with the
 * PCI host's lock held (lib/pci/host.h), which is the MMIO bus lock, a
 * recursive one: the bus may be changed from inside an access.
 */
#ifndef LA_PCI_CONFIG_H
#define LA_PCI_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "vm/bus.h"

#define LA_PCI_CFG_SIZE 256
#define LA_PCI_NBARS 6

/* Header registers (type 0). */
#define LA_PCI_VENDOR_ID 0x00
#define LA_PCI_DEVICE_ID 0x02
#define LA_PCI_COMMAND 0x04
#define LA_PCI_STATUS 0x06
#define LA_PCI_REVISION 0x08
#define LA_PCI_CLASS_PROG 0x09
#define LA_PCI_HEADER_TYPE 0x0e
#define LA_PCI_BAR0 0x10
#define LA_PCI_SUBSYS_VENDOR 0x2c
#define LA_PCI_SUBSYS_ID 0x2e
#define LA_PCI_CAP_PTR 0x34
#define LA_PCI_INT_LINE 0x3c
#define LA_PCI_INT_PIN 0x3d
#define LA_PCI_CAP_START 0x40

#define LA_PCI_CMD_IO 0x0001
#define LA_PCI_CMD_MEM 0x0002
#define LA_PCI_CMD_MASTER 0x0004
#define LA_PCI_CMD_INTX_DISABLE 0x0400
#define LA_PCI_STATUS_INTX 0x0008
#define LA_PCI_STATUS_CAPS 0x0010

/* What an endpoint's owner learns of the guest's config accesses; each may
 * be NULL. Called with the host's lock held. */
struct la_pci_ep_ops {
	/* bar_map - BAR bar went on the bus at addr (on) or off it */
	void (*bar_map)(void *ctx, unsigned bar, uint64_t addr, bool on);
	/* cfg_read - patch data (the bytes of [reg, reg+size) as stored)
	 * for registers that are computed on read */
	void (*cfg_read)(void *ctx, unsigned reg, uint8_t *data, unsigned size);
	/* cfg_write - after a write to [reg, reg+size) (masks applied):
	 * registers with side effects (MSI-X control, virtio's PCI cfg
	 * access); data is what the guest wrote */
	void (*cfg_write)(void *ctx, unsigned reg, const uint8_t *data, unsigned size);
};

struct la_pci_bar {
	uint64_t size;              /* 0: not implemented; else a power of two */
	uint64_t addr;              /* where the guest put it */
	const struct la_bus_ops *ops;
	void *ctx;
	bool on_bus;                /* on the MMIO bus at mapped */
	uint64_t mapped;
};

struct la_pci_ep {
	const char *name;           /* static text: the bus device's name */
	uint8_t cfg[LA_PCI_CFG_SIZE];
	uint8_t wmask[LA_PCI_CFG_SIZE];
	struct la_pci_bar bar[LA_PCI_NBARS];
	uint8_t last_cap;           /* the last capability's offset, 0: none */
	uint8_t cap_end;            /* where the next capability goes */
	struct la_bus *mmio;        /* NULL: BARs go nowhere (unit tests) */
	const struct la_pci_ep_ops *ops;
	void *ctx;
};

/* la_pci_ep_init - an endpoint with these IDs, class (class << 16 |
 * subclass << 8 | programming interface) and revision; no BARs, no
 * capabilities, no INTx, command register clear. BARs go on mmio. */
void la_pci_ep_init(struct la_pci_ep *ep, const char *name, uint16_t vendor, uint16_t device,
		    uint32_t class_code, uint8_t revision, uint16_t subsys_vendor,
		    uint16_t subsys_id, struct la_bus *mmio);

/* la_pci_ep_set_ops - who hears of the guest's accesses (ctx is theirs). */
void la_pci_ep_set_ops(struct la_pci_ep *ep, const struct la_pci_ep_ops *ops, void *ctx);

/* la_pci_ep_bar - BAR idx: a 32-bit non-prefetchable memory BAR of size
 * bytes (a power of two, at least 16) at addr (its grant), with the
 * registers ops/ctx behind it. returns: 0, -LA_ERR_RANGE (bad index, size
 * or address) */
int la_pci_ep_bar(struct la_pci_ep *ep, unsigned idx, uint64_t size, uint64_t addr,
		  const struct la_bus_ops *ops, void *ctx);

/* la_pci_ep_intx - interrupt pin (1 = INTA) and line (the IRQ granted). */
void la_pci_ep_intx(struct la_pci_ep *ep, uint8_t pin, uint8_t line);

/* la_pci_ep_cap_add - append a capability of len bytes (body[0] its ID,
 * body[1] overwritten with the next pointer) to the list, dword-aligned;
 * wmask (len bytes, NULL: read-only) says which bits the guest may write.
 * *at (if not NULL) gets its offset.
 * returns: 0, -LA_ERR_NOSPACE (it does not fit below 256), -LA_ERR_RANGE */
int la_pci_ep_cap_add(struct la_pci_ep *ep, const uint8_t *body, unsigned len,
		      const uint8_t *wmask, uint8_t *at);

/* la_pci_ep_read - config register reg (0-4095), size bytes (1, 2, 4). */
void la_pci_ep_read(struct la_pci_ep *ep, unsigned reg, uint8_t *data, unsigned size);

/* la_pci_ep_write - a guest write: masked bytes, BAR sizing and moves,
 * memory decode on or off (the bus follows), then ops->cfg_write. */
void la_pci_ep_write(struct la_pci_ep *ep, unsigned reg, const uint8_t *data, unsigned size);

/* la_pci_ep_unmap - take every BAR off the bus (teardown). */
void la_pci_ep_unmap(struct la_pci_ep *ep);

/* la_pci_ep_command - the command register. */
uint16_t la_pci_ep_command(const struct la_pci_ep *ep);

#endif
