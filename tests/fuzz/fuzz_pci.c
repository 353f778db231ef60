/* SPDX-License-Identifier: MIT */
/*
 * PCI configuration space and MSI-X tables as a guest reaches them: the
 * host bridge's configuration mechanism #1 (ports 0xcf8-0xcff), its ECAM
 * and CAM windows, and the MMIO bus where an endpoint's BARs go when the
 * guest programs and enables them. The endpoint has a capability list, an
 * INTx pin, a 32 KiB BAR 0 with an MSI-X table and PBA (8 vectors, a fake
 * machine giving GSIs, routes and irqfds) and a 4 KiB BAR 1. Input: one
 * access per 11 bytes: where (1), size (1), offset (4), value (4) and
 * a signal of an MSI-X vector (1).
 */
#include <stdlib.h>

#include "bytes.h"
#include "fuzz.h"
#include "pci/config.h"
#include "pci/host.h"
#include "pci/msix.h"
#include "vm/bus.h"

#define BAR0 0xd0000000u
#define BAR1 0xd0008000u

static int next_gsi;

static int m_gsi(void *vm)
{
	(void)vm;
	return next_gsi++;
}

static int m_route(void *vm, unsigned gsi, uint64_t addr, uint32_t data, uint32_t devid, bool on)
{
	(void)vm, (void)gsi, (void)addr, (void)data, (void)devid, (void)on;
	return 0;
}

static int m_irqfd(void *vm, int fd, unsigned gsi, bool on)
{
	(void)vm, (void)fd, (void)gsi, (void)on;
	return 0;
}

static void m_irq(void *vm, unsigned gsi, unsigned source, int level)
{
	(void)vm, (void)gsi, (void)source, (void)level;
}

static void m_exit(void *vm, enum la_fate fate, const char *why)
{
	(void)vm, (void)fate, (void)why;
}

/* the hooks every VM has, and MSI through "KVM" */
static const struct la_machine machine = {
	.irq = m_irq, .request_exit = m_exit, .msi_gsi = m_gsi, .msi_route = m_route, .irqfd = m_irqfd,
};

static struct la_msix msix;
static uint8_t regs[4096];

static void bar0_read(void *ctx, uint64_t off, uint8_t *data, unsigned size)
{
	(void)ctx;
	if (off >= 0x4000 && off < 0x5000)
		la_msix_table(&msix, off - 0x4000, false, data, size);
	else if (off >= 0x5000 && off < 0x6000)
		la_msix_pba(&msix, off - 0x5000, data, size);
	else
		memset(data, 0, size);
}

static void bar0_write(void *ctx, uint64_t off, const uint8_t *data, unsigned size)
{
	uint8_t d[8];

	(void)ctx;
	memcpy(d, data, size);
	if (off >= 0x4000 && off < 0x5000)
		la_msix_table(&msix, off - 0x4000, true, d, size);
}

static void bar1_read(void *ctx, uint64_t off, uint8_t *data, unsigned size)
{
	(void)ctx;
	memcpy(data, regs + (off & 0xff8), size);
}

static void bar1_write(void *ctx, uint64_t off, const uint8_t *data, unsigned size)
{
	(void)ctx;
	memcpy(regs + (off & 0xff8), data, size);
}

static const struct la_bus_ops bar0_ops = { bar0_read, bar0_write };
static const struct la_bus_ops bar1_ops = { bar1_read, bar1_write };

static void ep_cfg_write(void *ctx, unsigned reg, const uint8_t *data, unsigned size)
{
	(void)ctx, (void)data;
	la_msix_cfg_written(&msix, reg, size);
}

static const struct la_pci_ep_ops ep_ops = { .cfg_write = ep_cfg_write };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned sizes[4] = { 1, 2, 4, 8 };
	static const uint8_t vendor_cap[8] = { 0x09, 0, 8, 1, 2, 3, 4, 5 };
	static const uint8_t vendor_wmask[8] = { 0, 0, 0, 0xff, 0xff, 0, 0, 0 };
	struct fz f = { data, size };
	struct la_bus mmio;
	struct la_pci p;
	struct la_pci_ep ep;

	next_gsi = 24;
	la_bus_init(&mmio);
	la_pci_init(&p, &machine, &mmio.lock);
	la_pci_ep_init(&ep, "fuzz", 0x1af4, 0x1041, 0x020000, 1, 0x1af4, 1, &mmio);
	la_pci_ep_set_ops(&ep, &ep_ops, NULL);
	la_pci_ep_bar(&ep, 0, 0x8000, BAR0, &bar0_ops, NULL);
	la_pci_ep_bar(&ep, 1, 0x1000, BAR1, &bar1_ops, NULL);
	la_pci_ep_intx(&ep, 1, 9);
	la_pci_ep_cap_add(&ep, vendor_cap, sizeof(vendor_cap), vendor_wmask, NULL);
	la_msix_init(&msix, &ep, 8, 0, 0x4000, 0x5000, 1 << 3, &machine);
	la_msix_bind(&msix);
	la_pci_add(&p, 1, &ep);
	while (f.n) {
		uint8_t where = fz_u8(&f), b[8] = { 0 };
		unsigned sz = sizes[fz_u8(&f) & 3];
		uint32_t off = fz_u32(&f);
		bool write = where & 0x80;

		la_put32(b, fz_u32(&f));
		la_put32(b + 4, ~la_get32(b));
		switch (where & 7) {
		case 0: /* ports 0xcf8-0xcff: 1, 2, 4 bytes */
			if (sz == 8)
				sz = 4;
			if (write)
				la_pci_io_ops.write(&p, off % LA_PCI_IO_LEN, b, sz);
			else
				la_pci_io_ops.read(&p, off % LA_PCI_IO_LEN, b, sz);
			break;
		case 1:
			if (write)
				la_pci_ecam_ops.write(&p, off & 0x0fffffff, b, sz);
			else
				la_pci_ecam_ops.read(&p, off & 0x0fffffff, b, sz);
			break;
		case 2:
			if (write)
				la_pci_cam_ops.write(&p, off & 0x00ffffff, b, sz);
			else
				la_pci_cam_ops.read(&p, off & 0x00ffffff, b, sz);
			break;
		case 3: /* the BARs where the guest may have put them */
		case 4:
			la_bus_access(&mmio, ((where & 1) ? 0xd0000000u : 0) + off, write, b, sz);
			break;
		case 5:
			la_pci_config(&p, 0, 1, 0, off & 0xfff, write, b, sz == 8 ? 4 : sz);
			break;
		case 6:
			la_msix_signal(&msix, fz_u8(&f) % 9);
			break;
		case 7:
			la_msix_table(&msix, off & 0xfff, write, b, sz);
			la_msix_pba(&msix, off & 0xfff, b, sz);
			break;
		}
	}
	la_pci_ep_unmap(&ep);
	la_msix_destroy(&msix);
	la_pci_destroy(&p);
	la_bus_destroy(&mmio);
	return 0;
}
