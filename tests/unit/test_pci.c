/* SPDX-License-Identifier: MIT */
/* Unit tests of PCI endpoints (lib/pci/config.c) behind the host bridge
 * (lib/pci/host.c): write masks, BAR sizing and moves with the MMIO bus
 * following, memory decode, the capability chain, ECAM's extended space,
 * and slots. */
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "bytes.h"
#include "err.h"
#include "pci/config.h"
#include "pci/host.h"
#include "pci/msix.h"
#include "t.h"
#include "vm/bus.h"

struct bar_rec {
	unsigned maps, unmaps;
	uint64_t last;
	unsigned reads;
};

static void bar_map(void *ctx, unsigned bar, uint64_t addr, bool on)
{
	struct bar_rec *r = ctx;

	(void)bar;
	if (on)
		r->maps++, r->last = addr;
	else
		r->unmaps++;
}

static const struct la_pci_ep_ops rec_ops = { bar_map, NULL, NULL };

static void dev_read(void *ctx, uint64_t off, uint8_t *data, unsigned size)
{
	struct bar_rec *r = ctx;

	r->reads++;
	memset(data, (uint8_t)off, size);
}

static const struct la_bus_ops dev_ops = { dev_read, NULL };

static uint32_t cfg32(struct la_pci *p, unsigned dev, unsigned reg)
{
	uint8_t b[4];

	la_pci_config(p, 0, dev, 0, reg, false, b, 4);
	return la_get32(b);
}

static void wcfg(struct la_pci *p, unsigned dev, unsigned reg, uint32_t v, unsigned size)
{
	uint8_t b[4];

	la_put32(b, v);
	la_pci_config(p, 0, dev, 0, reg, true, b, size);
}

static bool bus_has(struct la_bus *b, uint64_t addr)
{
	uint8_t d[4];

	return la_bus_access(b, addr, false, d, 4);
}

static void test_header_and_masks(void)
{
	struct la_pci p;
	struct la_pci_ep ep;
	struct la_bus bus;

	la_bus_init(&bus);
	la_pci_init(&p, NULL, &bus.lock);
	la_pci_ep_init(&ep, "t", 0x1af4, 0x1042, 0x018000, 1, 0x1af4, 0x40, &bus);
	la_pci_ep_intx(&ep, 1, 9);
	T_EQ_U64(la_pci_add(&p, 0, &ep), (uint64_t)-LA_ERR_RANGE);
	T_EQ_U64(la_pci_add(&p, 32, &ep), (uint64_t)-LA_ERR_RANGE);
	T_EQ_U64(la_pci_add(&p, 3, &ep), 0);
	T_EQ_U64(la_pci_add(&p, 3, &ep), (uint64_t)-LA_ERR_EXISTINGALLOC);
	T_EQ_U64(cfg32(&p, 3, 0x00), 0x10421af4);
	T_EQ_U64(cfg32(&p, 3, 0x08), 0x01800001);     /* class, revision */
	T_EQ_U64(cfg32(&p, 3, 0x2c), 0x00401af4);     /* subsystem */
	T_EQ_U64(cfg32(&p, 3, 0x3c) & 0xffff, 0x0109); /* INTA, line 9 */
	T_EQ_U64(cfg32(&p, 4, 0x00), 0xffffffff);     /* empty slot */
	/* other functions of a slot are absent */
	{
		uint8_t b[4];

		la_pci_config(&p, 0, 3, 1, 0, false, b, 4);
		T_EQ_U64(la_get32(b), 0xffffffff);
	}
	/* vendor and device are read-only; command only takes its bits */
	wcfg(&p, 3, 0x00, 0x12345678, 4);
	T_EQ_U64(cfg32(&p, 3, 0x00), 0x10421af4);
	wcfg(&p, 3, 0x04, 0xffffffff, 4);
	T_EQ_U64(cfg32(&p, 3, 0x04) & 0xffff, 0x0547);
	/* the status register (no capabilities yet) stays read-only */
	T_EQ_U64(cfg32(&p, 3, 0x04) >> 16, 0);
	/* interrupt line is the firmware's scratch byte; the pin is not */
	wcfg(&p, 3, 0x3c, 0xffff0a, 2);
	T_EQ_U64(cfg32(&p, 3, 0x3c) & 0xffff, 0x010a);
	/* ECAM's extended space reads 0 and takes nothing */
	T_EQ_U64(cfg32(&p, 3, 0x100), 0);
	wcfg(&p, 3, 0xffc, 0xffffffff, 4);
	T_EQ_U64(cfg32(&p, 3, 0xffc), 0);
	la_pci_destroy(&p);
	la_bus_destroy(&bus);
}

static void test_bars(void)
{
	struct la_pci p;
	struct la_pci_ep ep;
	struct la_bus bus;
	struct bar_rec r = { 0 };

	la_bus_init(&bus);
	la_pci_init(&p, NULL, &bus.lock);
	la_pci_ep_init(&ep, "t", 0x1af4, 0x1042, 0, 1, 0, 0, &bus);
	la_pci_ep_set_ops(&ep, &rec_ops, &r);
	T_EQ_U64(la_pci_ep_bar(&ep, 0, 0x8000, 0xd0004000, &dev_ops, &r), (uint64_t)-LA_ERR_RANGE);
	T_EQ_U64(la_pci_ep_bar(&ep, 0, 0x6000, 0xd0000000, &dev_ops, &r), (uint64_t)-LA_ERR_RANGE);
	T_EQ_U64(la_pci_ep_bar(&ep, 6, 0x8000, 0xd0000000, &dev_ops, &r), (uint64_t)-LA_ERR_RANGE);
	T_EQ_U64(la_pci_ep_bar(&ep, 0, 0x8000, 0xd0000000, &dev_ops, &r), 0);
	la_pci_add(&p, 1, &ep);
	T_EQ_U64(cfg32(&p, 1, 0x10), 0xd0000000);
	T_EQ_U64(cfg32(&p, 1, 0x14), 0);              /* no BAR 1 */
	wcfg(&p, 1, 0x14, 0xffffffff, 4);
	T_EQ_U64(cfg32(&p, 1, 0x14), 0);
	/* off the bus until memory decode is on */
	T_CHECK(!bus_has(&bus, 0xd0000000));
	wcfg(&p, 1, 0x04, LA_PCI_CMD_MEM, 2);
	T_CHECK(bus_has(&bus, 0xd0000000));
	T_CHECK(bus_has(&bus, 0xd0007ffc));
	T_CHECK(!bus_has(&bus, 0xd0008000));
	T_EQ_U64(r.maps, 1);
	T_EQ_U64(r.last, 0xd0000000);
	/* sizing with decode off: all ones reads the size mask back */
	wcfg(&p, 1, 0x04, 0, 2);
	T_CHECK(!bus_has(&bus, 0xd0000000));
	T_EQ_U64(r.unmaps, 1);
	wcfg(&p, 1, 0x10, 0xffffffff, 4);
	T_EQ_U64(cfg32(&p, 1, 0x10), 0xffff8000);
	/* moved, byte by byte, then decoded: the bus follows */
	wcfg(&p, 1, 0x10, 0x00, 1);
	wcfg(&p, 1, 0x11, 0x80, 1);
	wcfg(&p, 1, 0x12, 0x00, 1);
	wcfg(&p, 1, 0x13, 0xe0, 1);
	T_EQ_U64(cfg32(&p, 1, 0x10), 0xe0008000);
	wcfg(&p, 1, 0x04, LA_PCI_CMD_MEM, 2);
	T_CHECK(!bus_has(&bus, 0xd0000000));
	T_CHECK(bus_has(&bus, 0xe0008000));
	T_EQ_U64(r.last, 0xe0008000);
	/* low bits written are dropped (size alignment) */
	wcfg(&p, 1, 0x10, 0xd0001234, 4);
	T_EQ_U64(cfg32(&p, 1, 0x10), 0xd0000000);
	T_CHECK(bus_has(&bus, 0xd0000000));
	T_CHECK(!bus_has(&bus, 0xe0008000));
	/* an access reaches the BAR's registers at its offset */
	{
		uint8_t d[4];

		la_bus_access(&bus, 0xd0000010, false, d, 4);
		T_EQ_U64(la_get32(d), 0x10101010);
	}
	/* moved onto another device's range: off the bus, no crash; moved
	 * back: on again */
	la_bus_add(&bus, "other", (struct la_range){ 0xc0000000, 0xc0000fff }, &dev_ops, &r);
	wcfg(&p, 1, 0x10, 0xc0000000, 4);
	T_CHECK(!bus_has(&bus, 0xd0000000));
	T_EQ_U64(ep.bar[0].on_bus, 0);
	wcfg(&p, 1, 0x10, 0xd0008000, 4);
	T_CHECK(bus_has(&bus, 0xd0008000));
	la_pci_ep_unmap(&ep);
	T_CHECK(!bus_has(&bus, 0xd0008000));
	la_pci_destroy(&p);
	la_bus_destroy(&bus);
}

static void test_caps(void)
{
	struct la_pci_ep ep;
	uint8_t c1[8] = { 0x09, 0xee, 8, 1, 2, 3, 4, 5 }, m1[8] = { 0xff, 0xff, 0, 0, 0xff };
	uint8_t c2[12] = { 0x11, 0, 0, 0 }, at = 0, b[4];
	uint8_t big[200] = { 0x09 };

	la_pci_ep_init(&ep, "t", 1, 2, 0, 0, 0, 0, NULL);
	T_EQ_U64(ep.cfg[LA_PCI_CAP_PTR], 0);
	T_EQ_U64(la_pci_ep_cap_add(&ep, c1, 8, m1, &at), 0);
	T_EQ_U64(at, 0x40);
	T_EQ_U64(la_pci_ep_cap_add(&ep, c2, 12, NULL, &at), 0);
	T_EQ_U64(at, 0x48);
	T_EQ_U64(la_pci_ep_cap_add(&ep, big, sizeof(big), NULL, &at), (uint64_t)-LA_ERR_NOSPACE);
	T_EQ_U64(la_pci_ep_cap_add(&ep, c2, 1, NULL, &at), (uint64_t)-LA_ERR_RANGE);
	/* the chain: pointer, then each next, 0 at the end */
	T_EQ_U64(ep.cfg[LA_PCI_CAP_PTR], 0x40);
	T_EQ_U64(ep.cfg[0x41], 0x48);
	T_EQ_U64(ep.cfg[0x49], 0);
	T_CHECK(la_get16(ep.cfg + LA_PCI_STATUS) & LA_PCI_STATUS_CAPS);
	/* ID and next are never writable; the mask's bytes are */
	la_put32(b, 0xaaaaaaaa);
	la_pci_ep_write(&ep, 0x40, b, 4);
	la_pci_ep_write(&ep, 0x44, b, 4);
	la_pci_ep_read(&ep, 0x40, b, 4);
	T_EQ_U64(la_get32(b), 0x01084809);
	la_pci_ep_read(&ep, 0x44, b, 4);
	T_EQ_U64(la_get32(b), 0x050403aa);
	/* a read-only capability */
	la_put32(b, 0xffffffff);
	la_pci_ep_write(&ep, 0x4c, b, 4);
	la_pci_ep_read(&ep, 0x4c, b, 4);
	T_EQ_U64(la_get32(b), 0);
}

/* ---- MSI-X, with a machine that records routes and irqfds ---- */

static int next_gsi = 24, routes, irqfds;
static uint64_t route_addr;
static uint32_t route_data;

static int m_gsi(void *vm)
{
	(void)vm;
	return next_gsi++;
}

static uint32_t route_devid;

static int m_route(void *vm, unsigned gsi, uint64_t addr, uint32_t data, uint32_t devid,
		   bool on)
{
	(void)vm, (void)gsi, (void)on;
	route_devid = devid;
	routes++;
	route_addr = addr, route_data = data;
	return 0;
}

static int fail_irqfd_at; /* the Nth irqfd fails, 0: none */

static int m_irqfd(void *vm, int fd, unsigned gsi, bool on)
{
	(void)vm, (void)fd, (void)gsi;
	if (on && ++irqfds == fail_irqfd_at)
		return -LA_ERR_KVMIOCTL;
	return 0;
}

static const struct la_machine msi_machine = {
	.msi_gsi = m_gsi, .msi_route = m_route, .irqfd = m_irqfd,
};

static uint64_t fired(struct la_msix *x, unsigned v)
{
	uint64_t n = 0;

	return read(x->fd[v], &n, 8) == 8 ? n : 0;
}

static void tbl(struct la_msix *x, unsigned off, uint32_t v)
{
	uint8_t b[4];

	la_put32(b, v);
	la_msix_table(x, off, true, b, 4);
}

static void ctrl(struct la_pci_ep *ep, uint8_t cap, uint16_t v)
{
	uint8_t b[2];

	la_put16(b, v);
	la_pci_ep_write(ep, cap + 2u, b, 2);
}

static void test_msix(void)
{
	struct la_pci_ep ep;
	struct la_msix x, none;
	uint8_t b[8];

	la_pci_ep_init(&ep, "t", 1, 2, 0, 0, 0, 0, NULL);
	/* no MSI hooks: no capability, INTx */
	T_EQ_U64(la_msix_init(&none, &ep, 3, 0, 0x4000, 0x5000, 0, NULL), 0);
	T_EQ_U64(none.n, 0);
	T_EQ_U64(ep.cfg[LA_PCI_CAP_PTR], 0);
	T_CHECK(!la_msix_signal(&none, 0));
	la_msix_destroy(&none);
	T_EQ_U64(la_msix_init(&x, &ep, 3, 0, 0x4000, 0x5000, 0x0010, &msi_machine), 0);
	T_EQ_U64(irqfds, 0);
	T_EQ_U64(la_msix_bind(&x), 0);
	T_EQ_U64(irqfds, 3);
	T_EQ_U64(x.gsi[2], 26);
	/* the capability: table size 3 (N-1 = 2), table and PBA in BAR 0 */
	la_pci_ep_read(&ep, x.cap, b, 4);
	T_EQ_U64(la_get32(b), 0x00020011);
	la_pci_ep_read(&ep, x.cap + 4u, b, 8);
	T_EQ_U64(la_get32(b), 0x4000);
	T_EQ_U64(la_get32(b + 4), 0x5000);
	/* table size is read-only, enable and function mask are not */
	ctrl(&ep, x.cap, 0xffff);
	la_pci_ep_read(&ep, x.cap + 2u, b, 2);
	T_EQ_U64(la_get16(b), 0xc002);
	ctrl(&ep, x.cap, 0);
	T_CHECK(!la_msix_enabled(&x));
	T_CHECK(!la_msix_signal(&x, 0)); /* disabled: the caller's INTx */
	/* vectors start masked; a message written, then unmasked: routed */
	la_msix_table(&x, 12, false, b, 4);
	T_EQ_U64(la_get32(b), 1);
	tbl(&x, 0, 0xfee00000), tbl(&x, 4, 0), tbl(&x, 8, 0x4041);
	T_EQ_U64(routes, 0);
	tbl(&x, 12, 0xfffffffe);          /* only the mask bit is writable */
	la_msix_table(&x, 12, false, b, 4);
	T_EQ_U64(la_get32(b), 0);
	T_EQ_U64(routes, 1);
	T_EQ_U64(route_addr, 0xfee00000);
	T_EQ_U64(route_data, 0x4041);
	T_EQ_U64(route_devid, 0x0010);            /* 00:02.0 */
	ctrl(&ep, x.cap, LA_MSIX_ENABLE);
	T_CHECK(la_msix_signal(&x, 0));
	T_EQ_U64(fired(&x, 0), 1);
	/* masked vector 1: pending, in the PBA; unmasked: delivered, cleared */
	tbl(&x, 16, 0xfee01000), tbl(&x, 24, 0x4042);
	T_CHECK(la_msix_signal(&x, 1));
	T_EQ_U64(fired(&x, 1), 0);
	la_msix_pba(&x, 0, b, 8);
	T_EQ_U64(la_get64(b), 2);
	tbl(&x, 28, 0);
	T_EQ_U64(fired(&x, 1), 1);
	la_msix_pba(&x, 0, b, 8);
	T_EQ_U64(la_get64(b), 0);
	/* the function mask holds every vector; clearing it delivers */
	ctrl(&ep, x.cap, LA_MSIX_ENABLE | LA_MSIX_FMASK);
	la_msix_signal(&x, 0);
	T_EQ_U64(fired(&x, 0), 0);
	ctrl(&ep, x.cap, LA_MSIX_ENABLE);
	la_msix_cfg_written(&x, x.cap + 2u, 2);
	T_EQ_U64(fired(&x, 0), 1);
	/* NO_VECTOR and vectors past the table: nothing, no crash */
	T_CHECK(la_msix_signal(&x, 0xffff));
	T_CHECK(la_msix_signal(&x, 3));
	/* accesses outside the table or torn: read 0, ignored */
	la_msix_table(&x, 48, false, b, 4);
	T_EQ_U64(la_get32(b), 0);
	tbl(&x, 0x1000, 1);
	la_msix_table(&x, 2, false, b, 4);
	T_EQ_U64(la_get32(b), 0);
	la_msix_destroy(&x);
	/* KVM refuses the second irqfd: the capability leaves the list */
	{
		struct la_pci_ep ep2;
		struct la_msix y;
		uint8_t vc[8] = { 0x09, 0, 8 };

		la_pci_ep_init(&ep2, "t", 1, 2, 0, 0, 0, 0, NULL);
		la_pci_ep_cap_add(&ep2, vc, 8, NULL, NULL);
		irqfds = 0;
		fail_irqfd_at = 2;
		T_EQ_U64(la_msix_init(&y, &ep2, 3, 0, 0x4000, 0x5000, 0, &msi_machine), 0);
		T_EQ_U64(ep2.cfg[0x41], y.cap);
		T_EQ_U64(la_msix_bind(&y), (uint64_t)-LA_ERR_KVMIOCTL);
		T_EQ_U64(y.n, 0);
		T_EQ_U64(ep2.cfg[0x41], 0);
		T_EQ_U64(ep2.cfg[y.cap], 0);
		T_CHECK(!la_msix_signal(&y, 0));
		/* a capability added after it goes where the list ends */
		T_EQ_U64(la_pci_ep_cap_add(&ep2, vc, 8, NULL, NULL), 0);
		T_EQ_U64(ep2.cfg[0x41] != 0, 1);
		la_msix_destroy(&y);
		fail_irqfd_at = 0;
	}
}

int main(void)
{
	test_header_and_masks();
	test_bars();
	test_caps();
	test_msix();
	return T_DONE();
}
