/* SPDX-License-Identifier: MIT */
/* Unit tests of PCI endpoints (lib/pci/config.c) behind the host bridge
 * (lib/pci/host.c): write masks, BAR sizing and moves with the MMIO bus
 * following, memory decode, the capability chain, ECAM's extended space,
 * and slots. */
#include <stdint.h>
#include <string.h>

#include "bytes.h"
#include "err.h"
#include "pci/config.h"
#include "pci/host.h"
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

int main(void)
{
	test_header_and_masks();
	test_bars();
	test_caps();
	return T_DONE();
}
