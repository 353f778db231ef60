/* SPDX-License-Identifier: MIT */
/*
 * PCI configuration access: mechanism #1 (0xcf8 address, 0xcfc data) and
 * the ECAM window, both onto one bus 0 with a host bridge at 00:00.0.
 * Every other function reads as absent (all ones).
 */
#include <string.h>

#include "bytes.h"
#include "dev.h"

#define LA_PCI_VENDOR_INTEL 0x8086
#define LA_PCI_HOST_BRIDGE_ID 0x0d57

void la_pci_init(struct la_pci *p, const struct la_machine *m, uint64_t ecam_base,
		 uint64_t ecam_size)
{
	memset(p, 0, sizeof(*p));
	p->m = m;
	p->ecam_base = ecam_base;
	p->ecam_size = ecam_size;
	la_put16(p->cfg + 0x00, LA_PCI_VENDOR_INTEL);
	la_put16(p->cfg + 0x02, LA_PCI_HOST_BRIDGE_ID);
	la_put32(p->cfg + 0x08, 0x06000000); /* class: bridge, host bridge; rev 0 */
	p->cfg[0x0e] = 0x00;                 /* header type 0, single function */
}

void la_pci_config(struct la_pci *p, unsigned bus, unsigned dev, unsigned fn, unsigned reg,
		   bool write, uint8_t *data, unsigned size)
{
	bool host = bus == 0 && dev == 0 && fn == 0 && reg < 256 && reg + size <= 256;

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

static void la_pci_io(struct la_pci *p, uint16_t off, bool write, uint8_t *data,
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

static void la_pci_read(void *ctx, uint16_t off, uint8_t *data, unsigned size)
{
	la_pci_io(ctx, off, false, data, size);
}

static void la_pci_write(void *ctx, uint16_t off, const uint8_t *data, unsigned size)
{
	uint8_t tmp[8];

	memcpy(tmp, data, size > 8 ? 8 : size);
	la_pci_io(ctx, off, true, tmp, size > 8 ? 8 : size);
}

void la_pci_io_dev(struct la_pci *p, struct la_io_dev *d)
{
	*d = (struct la_io_dev){ "pci-config", 0xcf8, 8, p, la_pci_read, la_pci_write };
}

bool la_pci_mmio(struct la_pci *p, uint64_t gpa, bool write, uint8_t *data, unsigned size)
{
	uint64_t off;

	if (gpa < p->ecam_base || gpa - p->ecam_base >= p->ecam_size)
		return false;
	off = gpa - p->ecam_base;
	la_pci_config(p, (unsigned)(off >> 20), (unsigned)(off >> 15) & 0x1f,
		      (unsigned)(off >> 12) & 7, (unsigned)(off & 0xfff), write, data, size);
	return true;
}
