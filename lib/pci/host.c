/* SPDX-License-Identifier: MIT */
/*
 * PCI configuration access: mechanism #1 (0xcf8 address, 0xcfc data), the
 * ECAM window and the CAM window, all onto one bus 0 with a host bridge at
 * 00:00.0 and the endpoints registered at their slots (function 0).
 * Every other function reads as absent (all ones).
 */
#include <string.h>

#include "bytes.h"
#include "err.h"
#include "pci/host.h"

#define LA_PCI_VENDOR_INTEL 0x8086
#define LA_PCI_HOST_BRIDGE_ID 0x0d57

void la_pci_init(struct la_pci *p, const struct la_machine *m, pthread_mutex_t *lock)
{
	memset(p, 0, sizeof(*p));
	p->m = m;
	pthread_mutex_init(&p->own_lock, NULL);
	p->lock = lock ? lock : &p->own_lock;
	la_put16(p->cfg + 0x00, LA_PCI_VENDOR_INTEL);
	la_put16(p->cfg + 0x02, LA_PCI_HOST_BRIDGE_ID);
	la_put32(p->cfg + 0x08, 0x06000000); /* class: bridge, host bridge; rev 0 */
	p->cfg[0x0e] = 0x00;                 /* header type 0, single function */
}

void la_pci_destroy(struct la_pci *p)
{
	pthread_mutex_destroy(&p->own_lock);
}

int la_pci_add(struct la_pci *p, unsigned dev, struct la_pci_ep *ep)
{
	if (dev == 0 || dev >= LA_PCI_SLOTS)
		return -LA_ERR_RANGE;
	if (p->slot[dev])
		return -LA_ERR_EXISTINGALLOC;
	pthread_mutex_lock(p->lock);
	p->slot[dev] = ep;
	pthread_mutex_unlock(p->lock);
	return 0;
}

int la_pci_remove(struct la_pci *p, unsigned dev)
{
	int err = 0;

	if (dev >= LA_PCI_SLOTS)
		return -LA_ERR_NOTFOUND;
	pthread_mutex_lock(p->lock);
	if (!p->slot[dev])
		err = -LA_ERR_NOTFOUND;
	p->slot[dev] = NULL;
	pthread_mutex_unlock(p->lock);
	return err;
}

static void la_pci_config_locked(struct la_pci *p, unsigned bus, unsigned dev, unsigned fn,
				 unsigned reg, bool write, uint8_t *data, unsigned size)
{
	bool host = bus == 0 && dev == 0 && fn == 0 && reg < 256 && reg + size <= 256;
	struct la_pci_ep *ep = bus == 0 && fn == 0 && dev < LA_PCI_SLOTS ? p->slot[dev] : NULL;

	if (ep && write)
		la_pci_ep_write(ep, reg, data, size);
	else if (ep)
		la_pci_ep_read(ep, reg, data, size);
	if (ep)
		return;
	if (!write) {
		if (host)
			memcpy(data, p->cfg + reg, size);
		else
			memset(data, 0xff, size);
		return;
	}
	/* only the command register (memory/IO/bus-master bits) is writable */
	for (unsigned i = 0; host && i < size; i++)
		if (reg + i == 0x04)
			p->cfg[0x04] = data[i] & 0x07;
}

void la_pci_config(struct la_pci *p, unsigned bus, unsigned dev, unsigned fn, unsigned reg,
		   bool write, uint8_t *data, unsigned size)
{
	pthread_mutex_lock(p->lock);
	la_pci_config_locked(p, bus, dev, fn, reg, write, data, size);
	pthread_mutex_unlock(p->lock);
}

static void la_pci_io(struct la_pci *p, unsigned off, bool write, uint8_t *data,
		      unsigned size)
{
	uint32_t a = p->addr;

	if (off == 1 && size == 1) { /* 0xcf9: reset control */
		if (!write) {
			data[0] = p->cf9;
		} else {
			p->cf9 = data[0] & 0x0a;
			if ((data[0] & 0x04) && p->m)
				p->m->request_exit(p->m->vm, LA_FATE_RESET, "reset register 0xcf9");
		}
		return;
	}
	if (off < 4) { /* CONFIG_ADDRESS: dword access only */
		if (size != 4) {
			if (!write)
				memset(data, 0xff, size);
			return;
		}
		if (write)
			p->addr = la_get32(data) & 0x80fffffcu;
		else
			la_put32(data, p->addr);
		return;
	}
	if (!(a & 0x80000000u)) {
		if (!write)
			memset(data, 0xff, size);
		return;
	}
	la_pci_config(p, (a >> 16) & 0xff, (a >> 11) & 0x1f, (a >> 8) & 7,
		      (a & 0xfc) + (off - 4u), write, data, size);
}

static void la_pci_ecam(struct la_pci *p, uint64_t off, bool write, uint8_t *data,
			unsigned size)
{
	la_pci_config(p, (unsigned)(off >> 20), (unsigned)(off >> 15) & 0x1f,
		      (unsigned)(off >> 12) & 7, (unsigned)(off & 0xfff), write, data, size);
}

/* CAM: 8 bits of register, 3 of function, 5 of device, 8 of bus. */
static void la_pci_cam(struct la_pci *p, uint64_t off, bool write, uint8_t *data,
		       unsigned size)
{
	la_pci_config(p, (unsigned)(off >> 16) & 0xff, (unsigned)(off >> 11) & 0x1f,
		      (unsigned)(off >> 8) & 7, (unsigned)(off & 0xff), write, data, size);
}

/* A written value in a buffer of ours: the config space code takes one
 * buffer for both directions. returns: t, *size cut to its 8 bytes */
static uint8_t *la_pci_copy(uint8_t t[8], const uint8_t *data, unsigned *size)
{
	if (*size > 8)
		*size = 8;
	memcpy(t, data, *size);
	return t;
}

static void la_pci_io_read(void *ctx, uint64_t off, uint8_t *data, unsigned size)
{
	la_pci_io(ctx, (unsigned)off, false, data, size);
}

static void la_pci_io_write(void *ctx, uint64_t off, const uint8_t *data, unsigned size)
{
	uint8_t t[8];

	la_pci_io(ctx, (unsigned)off, true, la_pci_copy(t, data, &size), size);
}

static void la_pci_ecam_read(void *ctx, uint64_t off, uint8_t *data, unsigned size)
{
	la_pci_ecam(ctx, off, false, data, size);
}

static void la_pci_ecam_write(void *ctx, uint64_t off, const uint8_t *data, unsigned size)
{
	uint8_t t[8];

	la_pci_ecam(ctx, off, true, la_pci_copy(t, data, &size), size);
}

static void la_pci_cam_read(void *ctx, uint64_t off, uint8_t *data, unsigned size)
{
	la_pci_cam(ctx, off, false, data, size);
}

static void la_pci_cam_write(void *ctx, uint64_t off, const uint8_t *data, unsigned size)
{
	uint8_t t[8];

	la_pci_cam(ctx, off, true, la_pci_copy(t, data, &size), size);
}

const struct la_bus_ops la_pci_io_ops = { la_pci_io_read, la_pci_io_write };
const struct la_bus_ops la_pci_ecam_ops = { la_pci_ecam_read, la_pci_ecam_write };
const struct la_bus_ops la_pci_cam_ops = { la_pci_cam_read, la_pci_cam_write };
