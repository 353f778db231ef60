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
#include "pci/hotplug.h"
#include "acpi/aml.h"
#include "arch.h"
#include "dev/platform.h"
#include "sys_alloc.h"
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

/* ---- ACPI hot-plug: the controller's registers ---- */

static unsigned hp_gpes, hp_last_gpe;
static uint32_t hp_ejected;

static void hp_gpe(void *vm, unsigned gpe)
{
	(void)vm;
	hp_gpes++;
	hp_last_gpe = gpe;
}

static void hp_eject(void *vm, unsigned dev)
{
	(void)vm;
	hp_ejected |= 1u << dev;
}

static uint32_t hp_rd(struct la_pcihp *h, unsigned off, unsigned size)
{
	uint8_t d[4];

	la_pcihp_ops.read(h, off, d, size);
	return size == 4 ? la_get32(d) : d[0];
}

static void test_hotplug_regs(void)
{
	struct la_machine m = { .gpe = hp_gpe, .pci_ejected = hp_eject };
	struct la_pcihp h;
	uint8_t d[4];

	la_pcihp_init(&h, &m, 3, 1u << 4 | 1u << 5);
	T_CHECK(hp_rd(&h, LA_PCIHP_SLT, 4) == (1u << 4 | 1u << 5));
	T_CHECK(hp_rd(&h, LA_PCIHP_INS, 4) == 0);
	la_pcihp_plug(&h, 4);
	T_CHECK(hp_gpes == 1 && hp_last_gpe == 3);
	T_CHECK(hp_rd(&h, LA_PCIHP_INS, 1) == 0);       /* a byte: nothing, nothing cleared */
	T_CHECK(hp_rd(&h, LA_PCIHP_INS, 4) == 1u << 4);
	T_CHECK(hp_rd(&h, LA_PCIHP_INS, 4) == 0);       /* the read cleared it */
	la_pcihp_plug(&h, 5);
	la_pcihp_unplug(&h, 5);                         /* an eject request takes back the arrival */
	T_CHECK(hp_gpes == 3);
	T_CHECK(hp_rd(&h, LA_PCIHP_INS, 4) == 0);
	T_CHECK(hp_rd(&h, LA_PCIHP_REM, 4) == 1u << 5);
	T_CHECK(hp_rd(&h, LA_PCIHP_REM, 4) == 0);
	/* _EJ0: only reserved slots are heard */
	la_put32(d, 1u << 5 | 1u << 7);
	la_pcihp_ops.write(&h, LA_PCIHP_EJ, d, 4);
	T_CHECK(hp_ejected == 1u << 5);
	la_pcihp_ops.write(&h, LA_PCIHP_EJ, d, 2);      /* not a dword: ignored */
	T_CHECK(hp_ejected == 1u << 5);
	T_CHECK(hp_rd(&h, LA_PCIHP_EJ, 4) == 0);
}

/* ---- ACPI hot-plug: the slots' AML from a platform's grants ---- */

static const uint8_t *find(const uint8_t *b, size_t n, const void *what, size_t len)
{
	for (size_t i = 0; i + len <= n; i++)
		if (!memcmp(b + i, what, len))
			return b + i;
	return NULL;
}

static void test_hotplug_aml(void)
{
	const struct la_arch_ops *arch = la_arch_lookup("x86_64");
	struct la_vm_config vc;
	struct la_arch_layout l;
	struct la_mem_layout mem;
	struct la_sys_alloc_config cfg;
	struct la_sys_alloc sa;
	struct la_platform p;
	struct la_grant g[LA_DEV_MAX_NEEDS];
	uint8_t buf[2048];
	struct la_aml a = { .buf = buf, .cap = sizeof(buf) };
	unsigned n;
	const uint8_t *at;
	/* Device(HP02) { Name(_ADR, 0x00020000) Name(_SUN, 2) Method(_EJ0, 1) {
	 * Store(4, B0EJ) } } */
	static const uint8_t hp02[] = {
		0x5b, 0x82, 0x24, 'H', 'P', '0', '2',
		0x08, '_', 'A', 'D', 'R', 0x0c, 0x00, 0x00, 0x02, 0x00,
		0x08, '_', 'S', 'U', 'N', 0x0a, 0x02,
		0x14, 0x0d, '_', 'E', 'J', '0', 0x01, 0x70, 0x0a, 0x04, 'B', '0', 'E', 'J',
	};
	/* If (And(Local0, 4, Zero)) { Notify(HP02, 1) } */
	static const uint8_t check[] = {
		0xa0, 0x0c, 0x7b, 0x60, 0x0a, 0x04, 0x00, 0x86, 'H', 'P', '0', '2', 0x01,
	};
	/* OperationRegion(PHPR, SystemIO, 0xc000, 16): the IO pool's first,
	 * without the PM block */
	static const uint8_t region[] = {
		0x5b, 0x80, 'P', 'H', 'P', 'R', 0x01, 0x0b, 0x00, 0xc0, 0x0a, 0x10,
	};
	/* Scope(\_GPE) { Method(_E00) { \_SB_.PC00.PCNT } } */
	static const uint8_t gpe[] = {
		0x10, 0x1c, '\\', '_', 'G', 'P', 'E', 0x14, 0x15, '_', 'E', '0', '0', 0x00,
		'\\', 0x2f, 0x03, '_', 'S', 'B', '_', 'P', 'C', '0', '0', 'P', 'C', 'N', 'T',
	};

	la_vm_config_init(&vc);
	vc.arch = arch;
	vc.mem_size = 256 << 20;
	T_CHECK(la_layout_compute(&vc, &l, &mem) == 0);
	T_CHECK(arch->system_allocator_config(&vc, &l, &mem, 40, &cfg) == 0);
	T_CHECK(la_sys_alloc_init(&sa, &cfg, false, 0, NULL, 0) == 0);
	T_CHECK(la_platform_init(&p, arch, &sa) == 0);
	/* no controller: nothing */
	la_pcihp_aml_slots(&a, &p);
	la_pcihp_aml_gpe(&a, &p);
	T_CHECK(a.len == 0 && la_pcihp_slots(&p) == 0);
	T_CHECK(la_platform_add(&p, &la_dev_virtio_rng, "virtio-rng0", g, &n, NULL) == 0);
	T_CHECK(la_platform_add(&p, &la_dev_pci_hotplug, "pci-hotplug0", g, &n, NULL) == 0);
	T_CHECK(g[0].range.start == 0xc000 && g[1].kind == LA_RES_GPE && g[1].value == 0);
	T_CHECK(la_platform_add(&p, &la_dev_pci_slot, "hotplug-slot0", g, &n, NULL) == 0);
	T_CHECK(la_platform_add(&p, &la_dev_pci_slot, "hotplug-slot1", g, &n, NULL) == 0);
	T_CHECK(la_pcihp_slots(&p) == (1u << 2 | 1u << 3));
	la_pcihp_aml_slots(&a, &p);
	T_CHECK(a.err == 0 && a.depth == 0);
	T_CHECK(find(buf, a.len, region, sizeof(region)) == buf);
	T_CHECK(find(buf, a.len, hp02, sizeof(hp02)) != NULL);
	T_CHECK(find(buf, a.len, "HP03", 4) != NULL);
	T_CHECK(find(buf, a.len, check, sizeof(check)) != NULL);
	at = find(buf, a.len, "PCNT", 4);
	T_CHECK(at && at[4] == 0x08 && at[5] == 0x70); /* Method(PCNT, 0, Serialized) */
	a.len = 0;
	la_pcihp_aml_gpe(&a, &p);
	T_CHECK(a.err == 0 && a.depth == 0 && a.len == sizeof(gpe));
	T_CHECK(!memcmp(buf, gpe, sizeof(gpe)));
	la_platform_destroy(&p);
	la_sys_alloc_destroy(&sa);
}

int main(void)
{
	test_hotplug_regs();
	test_hotplug_aml();
	test_header_and_masks();
	test_bars();
	test_caps();
	test_msix();
	return T_DONE();
}
