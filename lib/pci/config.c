/* SPDX-License-Identifier: MIT */
/* A PCI endpoint's type-0 configuration space (lib/pci/config.h). */
#include <string.h>

#include "bytes.h"
#include "err.h"
#include "pci/config.h"

/* Command bits a driver may set: IO and memory space, bus master, parity
 * and SERR reporting, INTx disable. */
#define LA_PCI_CMD_WMASK 0x0547

void la_pci_ep_init(struct la_pci_ep *ep, const char *name, uint16_t vendor, uint16_t device,
		    uint32_t class_code, uint8_t revision, uint16_t subsys_vendor,
		    uint16_t subsys_id, struct la_bus *mmio)
{
	memset(ep, 0, sizeof(*ep));
	ep->name = name;
	ep->mmio = mmio;
	ep->cap_end = LA_PCI_CAP_START;
	la_put16(ep->cfg + LA_PCI_VENDOR_ID, vendor);
	la_put16(ep->cfg + LA_PCI_DEVICE_ID, device);
	ep->cfg[LA_PCI_REVISION] = revision;
	ep->cfg[LA_PCI_CLASS_PROG] = (uint8_t)class_code;
	la_put16(ep->cfg + LA_PCI_CLASS_PROG + 1, (uint16_t)(class_code >> 8));
	ep->cfg[LA_PCI_HEADER_TYPE] = 0x00; /* type 0, single function */
	la_put16(ep->cfg + LA_PCI_SUBSYS_VENDOR, subsys_vendor);
	la_put16(ep->cfg + LA_PCI_SUBSYS_ID, subsys_id);
	la_put16(ep->wmask + LA_PCI_COMMAND, LA_PCI_CMD_WMASK);
	ep->wmask[0x0c] = 0xff;            /* cache line size */
	ep->wmask[0x0d] = 0xff;            /* latency timer */
	ep->wmask[LA_PCI_INT_LINE] = 0xff; /* firmware's scratch register */
}

void la_pci_ep_set_ops(struct la_pci_ep *ep, const struct la_pci_ep_ops *ops, void *ctx)
{
	ep->ops = ops;
	ep->ctx = ctx;
}

int la_pci_ep_bar(struct la_pci_ep *ep, unsigned idx, uint64_t size, uint64_t addr,
		  const struct la_bus_ops *ops, void *ctx)
{
	if (idx >= LA_PCI_NBARS || size < 16 || (size & (size - 1)) || size > (1ULL << 31) ||
	    (addr & (size - 1)) || addr + size - 1 > 0xffffffffULL)
		return -LA_ERR_RANGE;
	ep->bar[idx] = (struct la_pci_bar){ .size = size, .addr = addr, .ops = ops, .ctx = ctx };
	la_put32(ep->cfg + LA_PCI_BAR0 + 4 * idx, (uint32_t)addr); /* memory, 32-bit */
	return 0;
}

void la_pci_ep_intx(struct la_pci_ep *ep, uint8_t pin, uint8_t line)
{
	ep->cfg[LA_PCI_INT_PIN] = pin;
	ep->cfg[LA_PCI_INT_LINE] = line;
}

int la_pci_ep_cap_add(struct la_pci_ep *ep, const uint8_t *body, unsigned len,
		      const uint8_t *wmask, uint8_t *at)
{
	unsigned off = (ep->cap_end + 3u) & ~3u;

	if (len < 2)
		return -LA_ERR_RANGE;
	if (off + len > LA_PCI_CFG_SIZE)
		return -LA_ERR_NOSPACE;
	memcpy(ep->cfg + off, body, len);
	ep->cfg[off + 1] = 0;
	if (wmask)
		memcpy(ep->wmask + off, wmask, len);
	ep->wmask[off] = ep->wmask[off + 1] = 0;
	if (ep->last_cap)
		ep->cfg[ep->last_cap + 1] = (uint8_t)off;
	else
		ep->cfg[LA_PCI_CAP_PTR] = (uint8_t)off;
	ep->last_cap = (uint8_t)off;
	ep->cap_end = (uint8_t)(off + len);
	la_put16(ep->cfg + LA_PCI_STATUS,
		 la_get16(ep->cfg + LA_PCI_STATUS) | LA_PCI_STATUS_CAPS);
	if (at)
		*at = (uint8_t)off;
	return 0;
}

uint16_t la_pci_ep_command(const struct la_pci_ep *ep)
{
	return la_get16(ep->cfg + LA_PCI_COMMAND);
}

void la_pci_ep_read(struct la_pci_ep *ep, unsigned reg, uint8_t *data, unsigned size)
{
	if (size > 8)
		size = 8;
	if (reg >= LA_PCI_CFG_SIZE || reg + size > LA_PCI_CFG_SIZE) {
		memset(data, 0, size); /* extended space: no capabilities */
		return;
	}
	memcpy(data, ep->cfg + reg, size);
	if (ep->ops && ep->ops->cfg_read && reg + size > LA_PCI_CAP_START)
		ep->ops->cfg_read(ep->ctx, reg, data, size);
}

/* Whether BAR b should decode, and where. */
static bool la_pci_bar_wanted(const struct la_pci_ep *ep, const struct la_pci_bar *b)
{
	return b->size && (la_pci_ep_command(ep) & LA_PCI_CMD_MEM) && b->ops &&
	       b->addr + b->size - 1 <= 0xffffffffULL;
}

/* Put each BAR where the registers say, or take it off the bus. */
static void la_pci_ep_sync(struct la_pci_ep *ep)
{
	for (unsigned i = 0; i < LA_PCI_NBARS; i++) {
		struct la_pci_bar *b = &ep->bar[i];
		bool want = la_pci_bar_wanted(ep, b);

		if (b->on_bus && want && b->mapped == b->addr)
			continue;
		if (b->on_bus) {
			if (ep->mmio)
				la_bus_remove(ep->mmio, (struct la_range){ b->mapped,
									   b->mapped + b->size - 1 });
			b->on_bus = false;
			if (ep->ops && ep->ops->bar_map)
				ep->ops->bar_map(ep->ctx, i, b->mapped, false);
		}
		if (!want)
			continue;
		/* a BAR moved onto another device stays off the bus */
		if (ep->mmio && la_bus_add(ep->mmio, ep->name,
					   (struct la_range){ b->addr, b->addr + b->size - 1 },
					   b->ops, b->ctx))
			continue;
		b->on_bus = true;
		b->mapped = b->addr;
		if (ep->ops && ep->ops->bar_map)
			ep->ops->bar_map(ep->ctx, i, b->addr, true);
	}
}

void la_pci_ep_unmap(struct la_pci_ep *ep)
{
	la_put16(ep->cfg + LA_PCI_COMMAND, la_pci_ep_command(ep) & ~LA_PCI_CMD_MEM);
	la_pci_ep_sync(ep);
}

void la_pci_ep_write(struct la_pci_ep *ep, unsigned reg, const uint8_t *data, unsigned size)
{
	bool sync = false;

	if (size > 8)
		size = 8;
	if (reg >= LA_PCI_CFG_SIZE || reg + size > LA_PCI_CFG_SIZE)
		return;
	for (unsigned i = 0; i < size; i++) {
		unsigned r = reg + i;

		if (r >= LA_PCI_BAR0 && r < LA_PCI_BAR0 + 4 * LA_PCI_NBARS) {
			struct la_pci_bar *b = &ep->bar[(r - LA_PCI_BAR0) / 4];
			unsigned shift = 8 * ((r - LA_PCI_BAR0) % 4);
			uint32_t v = (uint32_t)b->addr;

			if (!b->size)
				continue; /* unimplemented: reads 0 */
			v = (v & ~(0xffu << shift)) | (uint32_t)data[i] << shift;
			/* the low bits of a memory BAR are its flags (all 0 here)
			 * and the size's: all ones read back as the size mask */
			b->addr = v & ~(uint32_t)(b->size - 1) & ~0xfu;
			la_put32(ep->cfg + LA_PCI_BAR0 + (r - LA_PCI_BAR0) / 4 * 4, (uint32_t)b->addr);
			sync = true;
			continue;
		}
		if (r == LA_PCI_COMMAND)
			sync = true;
		ep->cfg[r] = (uint8_t)((ep->cfg[r] & ~ep->wmask[r]) | (data[i] & ep->wmask[r]));
	}
	if (sync)
		la_pci_ep_sync(ep);
	if (ep->ops && ep->ops->cfg_write && reg + size > LA_PCI_CAP_START)
		ep->ops->cfg_write(ep->ctx, reg, data, size);
}
