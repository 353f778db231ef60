/* SPDX-License-Identifier: MIT */
/*
 * The probe guest's hostile modes: a guest that does what a VMM must
 * survive. Everything random comes from one seeded PRNG (splitmix64) whose
 * seed is on the command line ("probe.seed=N") and printed, so a seed that
 * finds something replays it.
 *
 *   bus     garbage to every device range the test names on the command
 *           line ("probe.io=BASE+LEN,..." and "probe.mmio=BASE+LEN,...",
 *           from la-vmrun --explain): random offsets, sizes 1/2/4/8,
 *           unaligned, reads too
 *   bars    every PCI device's memory BARs moved over RAM, over each other
 *           and over ECAM, memory decoding toggled, then put back and checked
 *   msix    MSI-X tables filled with nonsense addresses, vectors and masks
 *           (garbage writes of every size, into the PBA too), then enabled,
 *           with virtio vectors past the table
 *   virtio  every virtio device's last queue (the one the driver fills:
 *           blk's, rng's, console's transmit) given descriptors outside RAM,
 *           loops, zero and huge lengths, bad indirect tables, ring indices
 *           that jump, and a queue resized and re-enabled mid-flight,
 *           notifying after each; then a valid request must still work
 *
 * Report lines (see tests/vm/README.md):
 *   probe: hostile seed N phases P
 *   probe: hostile bus N accesses over M ranges
 *   probe: hostile bars 00:DD.0 moved N times, restored ok|BAD
 *   probe: hostile msix 00:DD.0 table N entries enabled
 *   probe: virtq 00:DD.0 qQ CASE needs-reset yes|no used N
 *   probe: virtq 00:DD.0 resets R
 *   probe: hostile survived seed N
 * MSI data always keeps delivery mode fixed or lowest priority: an INIT,
 * SMI or NMI would end the probe itself (it has no IDT), not test the VMM.
 */
#include "io.h"
#include "probe.h"

#define H_PCI_ADDR        0xcf8
#define H_PCI_DATA        0xcfc
#define H_PCI_COMMAND     0x04
#define H_PCI_STATUS      0x06
#define H_PCI_BAR0        0x10
#define H_PCI_CAP_PTR     0x34
#define H_PCI_CAP_MSIX    0x11
#define H_PCI_CAP_VENDOR  0x09
#define H_PCI_CMD_MEM     0x0002
#define H_PCI_CMD_MASTER  0x0004
#define H_VIRTIO_VENDOR   0x1af4

/* virtio 1.x common configuration (virtio spec 1.2 §4.1.4.3) */
#define H_VC_DFSELECT     0x00
#define H_VC_DF           0x04
#define H_VC_GFSELECT     0x08
#define H_VC_GF           0x0c
#define H_VC_MSIX_CONFIG  0x10
#define H_VC_NUM_QUEUES   0x12
#define H_VC_STATUS       0x14
#define H_VC_Q_SELECT     0x16
#define H_VC_Q_SIZE       0x18
#define H_VC_Q_VECTOR     0x1a
#define H_VC_Q_ENABLE     0x1c
#define H_VC_Q_NOTIFY_OFF 0x1e
#define H_VC_Q_DESC       0x20
#define H_VC_Q_DRIVER     0x28
#define H_VC_Q_DEVICE     0x30
#define H_VS_ACK          0x01
#define H_VS_DRIVER       0x02
#define H_VS_DRIVER_OK    0x04
#define H_VS_FEATURES_OK  0x08
#define H_VS_NEEDS_RESET  0x40
#define H_VD_NEXT         1
#define H_VD_WRITE        2
#define H_VD_INDIRECT     4
#define H_VF_INDIRECT     28
#define H_VF_VERSION_1    32

/* where the probe builds its queues: RAM the test gives (--mem 256M), far
 * from the probe's image (0x200000) and the boot tables */
#define H_Q_BASE          0x1000000ull
#define H_Q_SIZE          16u
#define H_Q_DESC          H_Q_BASE
#define H_Q_AVAIL         (H_Q_BASE + 0x1000)
#define H_Q_USED          (H_Q_BASE + 0x2000)
#define H_Q_HDR           (H_Q_BASE + 0x3000)
#define H_Q_BUF           (H_Q_BASE + 0x4000)
#define H_Q_STATUS        (H_Q_BASE + 0x5000)
#define H_Q_INDIRECT      (H_Q_BASE + 0x6000)
/* in the PCI hole, below ECAM: no RAM, and no device either */
#define H_NOT_RAM         0xe0000000ull

#define H_MAX_RANGES      32
#define H_MAX_DEVS        32

struct h_range {
	uint64_t base, len;
	int io;
};

struct h_dev {
	unsigned slot;
	uint16_t vendor, device;
	uint64_t bar[6];        /* memory BAR addresses (0: none) */
	int bar64[6];
	uint8_t msix;           /* MSI-X capability offset, 0 if none */
	/* virtio: the BAR-relative capabilities, as guest addresses */
	uint64_t common, notify;
	uint32_t notify_mult;
	uint16_t q;             /* the queue under test: the last one */
	unsigned resets;        /* NEEDS_RESET seen */
};

struct hostile {
	struct probe *p;
	uint64_t seed, state;
	struct h_range r[H_MAX_RANGES];
	unsigned nr;
	struct h_dev d[H_MAX_DEVS];
	unsigned nd;
};

/* ---- PRNG ------------------------------------------------------------------ */

static uint64_t h_rand(struct hostile *h)
{
	uint64_t z = (h->state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t h_below(struct hostile *h, uint64_t n)
{
	return n ? h_rand(h) % n : 0;
}

/* ---- command line -------------------------------------------------------------- */

/* h_param: the value of KEY (with its '=') in cmdline, up to the next
 * space; NULL if absent (the last one wins, as for probe.mode=) */
static const char *h_param(const char *s, const char *key, const char **end)
{
	const char *found = NULL;

	while (s && *s) {
		const char *w = s, *k = key;

		while (*s && *s != ' ')
			s++;
		while (w < s && *k && *w == *k)
			w++, k++;
		if (!*k) {
			found = w;
			*end = s;
		}
		while (*s == ' ')
			s++;
	}
	return found;
}

/* h_num: a decimal or 0x-hexadecimal number at *s, which moves past it;
 * -1 if there is none */
static int h_num(const char **s, const char *end, uint64_t *v)
{
	const char *c = *s;
	unsigned base = 10;
	int any = 0;

	*v = 0;
	if (end - c > 2 && c[0] == '0' && (c[1] == 'x' || c[1] == 'X')) {
		base = 16;
		c += 2;
	}
	for (; c < end; c++, any = 1) {
		unsigned d;

		if (*c >= '0' && *c <= '9')
			d = (unsigned)(*c - '0');
		else if (base == 16 && *c >= 'a' && *c <= 'f')
			d = (unsigned)(*c - 'a' + 10);
		else if (base == 16 && *c >= 'A' && *c <= 'F')
			d = (unsigned)(*c - 'A' + 10);
		else
			break;
		*v = *v * base + d;
	}
	*s = c;
	return any ? 0 : -1;
}

/* h_ranges: "BASE+LEN,BASE+LEN,..." of KEY into h->r */
static void h_ranges(struct hostile *h, const char *cmdline, const char *key, int io)
{
	const char *end, *s = h_param(cmdline, key, &end);

	while (s && s < end) {
		uint64_t base, len;

		if (h_num(&s, end, &base) || s >= end || *s++ != '+' || h_num(&s, end, &len) ||
		    (s < end && *s++ != ',')) {
			probe_error(h->p, "%s: not BASE+LEN,...", key);
			return;
		}
		if (!len || (io && base + len > 0x10000) || (!io && base + len > (1ull << 32))) {
			probe_printf(h->p, "probe: hostile skip %s %lx+%lx (not under %s)\n",
				     io ? "io" : "mmio", (unsigned long)base, (unsigned long)len,
				     io ? "64 KiB" : "4 GiB, the identity map");
			continue;
		}
		if (h->nr == H_MAX_RANGES) {
			probe_error(h->p, "more than %u ranges", H_MAX_RANGES);
			return;
		}
		h->r[h->nr++] = (struct h_range){ .base = base, .len = len, .io = io };
	}
}

/* ---- accessors --------------------------------------------------------------- */

static void h_mmio_write(uint64_t a, unsigned size, uint64_t v)
{
	switch (size) {
	case 1: *(volatile uint8_t *)(uintptr_t)a = (uint8_t)v; break;
	case 2: *(volatile uint16_t *)(uintptr_t)a = (uint16_t)v; break;
	case 4: *(volatile uint32_t *)(uintptr_t)a = (uint32_t)v; break;
	default: *(volatile uint64_t *)(uintptr_t)a = v; break;
	}
}

static uint64_t h_mmio_read(uint64_t a, unsigned size)
{
	switch (size) {
	case 1: return *(volatile uint8_t *)(uintptr_t)a;
	case 2: return *(volatile uint16_t *)(uintptr_t)a;
	case 4: return *(volatile uint32_t *)(uintptr_t)a;
	default: return *(volatile uint64_t *)(uintptr_t)a;
	}
}

static void h_io_write(uint16_t port, unsigned size, uint32_t v)
{
	if (size == 1)
		probe_outb(port, (uint8_t)v);
	else if (size == 2)
		probe_outw(port, (uint16_t)v);
	else
		probe_outl(port, v);
}

static uint32_t h_io_read(uint16_t port, unsigned size)
{
	return size == 1 ? probe_inb(port) : size == 2 ? probe_inw(port) : probe_inl(port);
}

static uint32_t h_cfg_addr(unsigned slot, unsigned off)
{
	return 0x80000000u | slot << 11 | (off & 0xfc);
}

static uint32_t h_cfg_read(unsigned slot, unsigned off, unsigned size)
{
	probe_outl(H_PCI_ADDR, h_cfg_addr(slot, off));
	return h_io_read((uint16_t)(H_PCI_DATA + (off & 3)), size);
}

static void h_cfg_write(unsigned slot, unsigned off, unsigned size, uint32_t v)
{
	probe_outl(H_PCI_ADDR, h_cfg_addr(slot, off));
	h_io_write((uint16_t)(H_PCI_DATA + (off & 3)), size, v);
}

/* h_garbage: one random access of a random size at address a of MMIO (or
 * a port): three writes in four, reads otherwise */
static void h_garbage(struct hostile *h, uint64_t a, int io)
{
	unsigned size = 1u << h_below(h, 4);
	uint64_t v = h_rand(h);

	if (io) {
		if (size == 8)
			size = 4;
		if (h_below(h, 4))
			h_io_write((uint16_t)a, size, (uint32_t)v);
		else
			(void)h_io_read((uint16_t)a, size);
	} else if (h_below(h, 4)) {
		h_mmio_write(a, size, v);
	} else {
		(void)h_mmio_read(a, size);
	}
}

/* h_bdf: "00:SS.0", slot in two hex digits as la-vmrun and lspci say it */
static const char *h_bdf(const struct h_dev *d, char buf[8])
{
	static const char hex[] = "0123456789abcdef";

	buf[0] = buf[1] = '0';
	buf[2] = ':';
	buf[3] = hex[d->slot >> 4 & 0xf];
	buf[4] = hex[d->slot & 0xf];
	buf[5] = '.';
	buf[6] = '0';
	buf[7] = 0;
	return buf;
}

/* ---- (a) the buses --------------------------------------------------------------- */

#define H_BUS_ACCESSES 3000

static void h_bus(struct hostile *h)
{
	for (unsigned i = 0; h->nr && i < H_BUS_ACCESSES; i++) {
		const struct h_range *r = &h->r[h_below(h, h->nr)];

		h_garbage(h, r->base + h_below(h, r->len), r->io);
	}
	/* a fresh line after what the garbage put on COM1 */
	probe_com1_init();
	probe_printf(h->p, "\nprobe: hostile bus %u accesses over %u ranges\n",
		     h->nr ? H_BUS_ACCESSES : 0, h->nr);
}

/* ---- PCI enumeration -------------------------------------------------------------- */

static void h_virtio_caps(struct h_dev *d)
{
	unsigned seen = 0;

	for (unsigned c = h_cfg_read(d->slot, H_PCI_CAP_PTR, 1) & 0xfc; c && seen++ < 48;
	     c = h_cfg_read(d->slot, c + 1, 1) & 0xfc) {
		unsigned id = h_cfg_read(d->slot, c, 1), type, bar;
		uint32_t off;

		if (id == H_PCI_CAP_MSIX)
			d->msix = (uint8_t)c;
		if (id != H_PCI_CAP_VENDOR || d->vendor != H_VIRTIO_VENDOR)
			continue;
		type = h_cfg_read(d->slot, c + 3, 1);
		bar = h_cfg_read(d->slot, c + 4, 1);
		off = h_cfg_read(d->slot, c + 8, 4);
		if (bar >= 6 || !d->bar[bar])
			continue;
		if (type == 1)
			d->common = d->bar[bar] + off;
		if (type == 2) {
			d->notify = d->bar[bar] + off;
			d->notify_mult = h_cfg_read(d->slot, c + 16, 4);
		}
	}
}

/* h_enumerate: bus 0's functions 0, their memory BARs and capabilities */
static void h_enumerate(struct hostile *h)
{
	h->nd = 0;
	for (unsigned slot = 0; slot < 32 && h->nd < H_MAX_DEVS; slot++) {
		uint32_t id = h_cfg_read(slot, 0, 4);
		struct h_dev *d = &h->d[h->nd];

		if ((id & 0xffff) == 0xffff)
			continue;
		*d = (struct h_dev){ .slot = slot, .vendor = (uint16_t)id,
				     .device = (uint16_t)(id >> 16) };
		for (unsigned b = 0; b < 6; b++) {
			uint32_t lo = h_cfg_read(slot, H_PCI_BAR0 + 4 * b, 4);

			if (lo & 1)
				continue;
			d->bar[b] = lo & ~0xfull;
			if ((lo & 6) == 4 && b < 5) {
				d->bar64[b] = 1;
				d->bar[b] |= (uint64_t)h_cfg_read(slot, H_PCI_BAR0 + 4 * (b + 1), 4) << 32;
				b++;
			}
		}
		h_virtio_caps(d);
		h->nd++;
	}
}

static void h_bar_set(const struct h_dev *d, unsigned b, uint64_t a)
{
	h_cfg_write(d->slot, H_PCI_BAR0 + 4 * b, 4, (uint32_t)a);
	if (d->bar64[b])
		h_cfg_write(d->slot, H_PCI_BAR0 + 4 * (b + 1), 4, (uint32_t)(a >> 32));
}

static uint64_t h_bar_get(const struct h_dev *d, unsigned b)
{
	uint64_t a = h_cfg_read(d->slot, H_PCI_BAR0 + 4 * b, 4) & ~0xfull;

	if (d->bar64[b])
		a |= (uint64_t)h_cfg_read(d->slot, H_PCI_BAR0 + 4 * (b + 1), 4) << 32;
	return a;
}

/* ---- (b) BARs ------------------------------------------------------------------- */

#define H_BAR_MOVES 24

static void h_bars(struct hostile *h)
{
	for (unsigned i = 0; i < h->nd; i++) {
		struct h_dev *d = &h->d[i];
		uint16_t cmd = (uint16_t)h_cfg_read(d->slot, H_PCI_COMMAND, 2);
		unsigned moves = 0, bad = 0;
		char bdf[8];

		for (unsigned b = 0; b < 6; b++) {
			if (!d->bar[b])
				continue;
			for (unsigned m = 0; m < H_BAR_MOVES; m++, moves++) {
				const struct h_dev *o = &h->d[h_below(h, h->nd)];
				uint64_t to;

				switch (h_below(h, 6)) {
				case 0:  /* over the probe's own image and stack */
					to = 0x200000;
					break;
				case 1:  /* over other RAM, page 0 included */
					to = h_below(h, 0x8000) << 12;
					break;
				case 2:  /* over another device's BAR 0 (or its own) */
					to = o->bar[0] ? o->bar[0] : d->bar[b];
					break;
				case 3:  /* over ECAM, the IOAPIC and the top of 4 GiB */
					to = (uint64_t[]){ 0xf4000000, 0xfec00000, 0xfffff000 }
						[h_below(h, 3)];
					break;
				case 4:  /* anywhere, unaligned bits and all */
					to = d->bar64[b] ? h_rand(h) : (uint32_t)h_rand(h);
					break;
				default: /* sizing, as firmware does */
					to = ~0ull;
					break;
				}
				h_bar_set(d, b, to);
				if (h_below(h, 3) == 0)
					h_cfg_write(d->slot, H_PCI_COMMAND, 2, (uint32_t)h_rand(h));
				/* garbage where the BAR is now, if that is another
				 * virtio BAR (not pvpanic's: a write there is a panic) */
				if (to == o->bar[0] && to && to < (1ull << 32) &&
				    d->vendor == H_VIRTIO_VENDOR && o->vendor == H_VIRTIO_VENDOR)
					for (unsigned k = 0; k < 8; k++)
						h_garbage(h, to + h_below(h, 0x40), 0);
			}
			h_bar_set(d, b, d->bar[b]);
			if (h_bar_get(d, b) != d->bar[b])
				bad++;
		}
		h_cfg_write(d->slot, H_PCI_COMMAND, 2, cmd | H_PCI_CMD_MEM);
		if (d->common && (uint16_t)h_mmio_read(d->common + H_VC_NUM_QUEUES, 2) == 0)
			bad++;
		probe_printf(h->p, "probe: hostile bars %s moved %u times, restored %s\n",
			     h_bdf(d, bdf), moves, bad ? "BAD" : "ok");
		if (bad)
			probe_error(h->p, "%s did not come back where it was", bdf);
	}
}

/* ---- (c) MSI-X --------------------------------------------------------------------- */

/* h_msi_data: a nonsense vector and trigger, but a delivery mode (bits
 * 8-10) of fixed or lowest priority */
static uint32_t h_msi_data(struct hostile *h)
{
	return ((uint32_t)h_rand(h) & ~0x700u) | (uint32_t)h_below(h, 2) << 8;
}

static void h_msix(struct hostile *h)
{
	for (unsigned i = 0; i < h->nd; i++) {
		struct h_dev *d = &h->d[i];
		unsigned c = d->msix, n, bir;
		char bdf[8];
		uint32_t tab;
		uint64_t t;

		if (!c)
			continue;
		n = (h_cfg_read(d->slot, c + 2, 2) & 0x7ff) + 1;
		tab = h_cfg_read(d->slot, c + 4, 4);
		bir = tab & 7;
		if (bir >= 6 || !d->bar[bir] || d->bar[bir] + (tab & ~7u) >= (1ull << 32))
			continue;
		t = d->bar[bir] + (tab & ~7u);
		/* garbage over the table, past its end and into the PBA (0x1000
		 * after it in la's layout, but any page after will do) */
		for (unsigned k = 0; k < 64 * n; k++)
			h_garbage(h, t + h_below(h, 0x1000 + 16 * n), 0);
		for (unsigned k = 0; k < 8 * n; k++)
			h_garbage(h, t + 0x1000 + h_below(h, 0x100), 0);
		/* then every entry: nonsense but for the delivery mode */
		for (unsigned e = 0; e < n; e++) {
			uint64_t addr = h_below(h, 2) ? 0xfee00000u | (h_rand(h) & 0xfffff) : h_rand(h);

			h_mmio_write(t + 16 * e, 4, (uint32_t)addr);
			h_mmio_write(t + 16 * e + 4, 4, h_below(h, 2) ? (uint32_t)(addr >> 32) : 0);
			h_mmio_write(t + 16 * e + 8, 4, h_msi_data(h));
			h_mmio_write(t + 16 * e + 12, 4, (uint32_t)h_rand(h));
		}
		/* enable, with the function mask on, off and on the way */
		for (unsigned k = 0; k < 4; k++)
			h_cfg_write(d->slot, c + 2, 2, 0x8000u | (uint32_t)h_below(h, 2) << 14 |
				    (uint32_t)(h_rand(h) & 0x3fff));
		h_cfg_write(d->slot, c + 2, 2, 0x8000u);
		if (d->common) {
			h_mmio_write(d->common + H_VC_MSIX_CONFIG, 2, h_below(h, n + 4));
			h_mmio_write(d->common + H_VC_Q_SELECT, 2, 0);
			h_mmio_write(d->common + H_VC_Q_VECTOR, 2,
				     h_below(h, 2) ? 0xffff : h_below(h, n + 4));
		}
		probe_printf(h->p, "probe: hostile msix %s table %u entries enabled\n", h_bdf(d, bdf),
			     n);
	}
}

/* ---- (d) virtqueues -------------------------------------------------------------- */

static volatile uint8_t *h_gpa(uint64_t a)
{
	return (volatile uint8_t *)(uintptr_t)a;
}

static void h_desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	volatile uint8_t *d = h_gpa(H_Q_DESC + 16 * i);

	*(volatile uint64_t *)d = addr;
	*(volatile uint32_t *)(d + 8) = len;
	*(volatile uint16_t *)(d + 12) = flags;
	*(volatile uint16_t *)(d + 14) = next;
}

static void h_indirect(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	volatile uint8_t *d = h_gpa(H_Q_INDIRECT + 16 * i);

	*(volatile uint64_t *)d = addr;
	*(volatile uint32_t *)(d + 8) = len;
	*(volatile uint16_t *)(d + 12) = flags;
	*(volatile uint16_t *)(d + 14) = next;
}

/* a 64-bit common configuration field, as two 32-bit writes (§4.1.3.1) */
static void h_w64(uint64_t a, uint64_t v)
{
	h_mmio_write(a, 4, (uint32_t)v);
	h_mmio_write(a + 4, 4, (uint32_t)(v >> 32));
}

static uint8_t h_status(const struct h_dev *d)
{
	return (uint8_t)h_mmio_read(d->common + H_VC_STATUS, 1);
}

static uint16_t h_used_idx(void)
{
	return *(volatile uint16_t *)h_gpa(H_Q_USED + 2);
}

/* h_vq_setup: reset, negotiate VERSION_1 (and INDIRECT_DESC if offered),
 * queue 0 of H_Q_SIZE entries at desc/avail/used, enabled, DRIVER_OK */
static void h_vq_setup(const struct h_dev *d, uint64_t desc)
{
	uint64_t c = d->common;
	uint32_t f0;

	h_mmio_write(c + H_VC_STATUS, 1, 0);
	for (unsigned i = 0; i < 1000000 && h_status(d); i++)
		;
	for (unsigned i = 0; i < 0x3000; i += 8)
		*(volatile uint64_t *)h_gpa(H_Q_BASE + i) = 0;
	h_mmio_write(c + H_VC_STATUS, 1, H_VS_ACK | H_VS_DRIVER);
	h_mmio_write(c + H_VC_DFSELECT, 4, 0);
	f0 = (uint32_t)h_mmio_read(c + H_VC_DF, 4);
	h_mmio_write(c + H_VC_GFSELECT, 4, 0);
	h_mmio_write(c + H_VC_GF, 4, f0 & (1u << H_VF_INDIRECT));
	h_mmio_write(c + H_VC_GFSELECT, 4, 1);
	h_mmio_write(c + H_VC_GF, 4, 1u << (H_VF_VERSION_1 - 32));
	h_mmio_write(c + H_VC_STATUS, 1, H_VS_ACK | H_VS_DRIVER | H_VS_FEATURES_OK);
	h_mmio_write(c + H_VC_Q_SELECT, 2, d->q);
	h_mmio_write(c + H_VC_Q_SIZE, 2, H_Q_SIZE);
	h_w64(c + H_VC_Q_DESC, desc);
	h_w64(c + H_VC_Q_DRIVER, H_Q_AVAIL);
	h_w64(c + H_VC_Q_DEVICE, H_Q_USED);
	h_mmio_write(c + H_VC_Q_ENABLE, 2, 1);
	h_mmio_write(c + H_VC_STATUS, 1, H_VS_ACK | H_VS_DRIVER | H_VS_FEATURES_OK |
		     H_VS_DRIVER_OK);
}

/* h_vq_kick: head into the avail ring (index idx), notify the queue */
static void h_vq_kick(const struct h_dev *d, uint16_t head, uint16_t idx)
{
	uint16_t off;

	h_mmio_write(d->common + H_VC_Q_SELECT, 2, d->q);
	off = (uint16_t)h_mmio_read(d->common + H_VC_Q_NOTIFY_OFF, 2);

	*(volatile uint16_t *)h_gpa(H_Q_AVAIL + 4 + 2 * ((idx - 1u) % H_Q_SIZE)) = head;
	__asm__ volatile("" ::: "memory");
	*(volatile uint16_t *)h_gpa(H_Q_AVAIL + 2) = idx;
	h_mmio_write(d->notify + (uint64_t)off * d->notify_mult, 2, 0);
}

/* h_vq_wait: until the device used more than used chains or needs a
 * reset, 2^bits TSC ticks at most; the status. used = the index now:
 * the whole time unless the device needs a reset, so a queue the device
 * broke late is seen. */
static uint8_t h_vq_wait(const struct h_dev *d, uint16_t used, unsigned bits)
{
	uint64_t t0 = probe_rdtsc();
	uint8_t s;

	while (!((s = h_status(d)) & H_VS_NEEDS_RESET) && h_used_idx() == used &&
	       probe_rdtsc() - t0 < (1ull << bits))
		;
	return s;
}

/* h_vq_valid: the one request each device under test can serve: a
 * virtio-blk read of sector 0, 512 bytes of virtio-rng, a line to
 * virtio-console's output; 0 for others */
static int h_vq_valid(const struct h_dev *d)
{
	static const char hello[] = "probe: hvc says hello\n";

	if (d->device == 0x1042) {
		volatile uint32_t *hdr = (volatile uint32_t *)h_gpa(H_Q_HDR);

		hdr[0] = 0;  /* VIRTIO_BLK_T_IN */
		hdr[1] = 0;
		hdr[2] = hdr[3] = 0;
		h_desc(0, H_Q_HDR, 16, H_VD_NEXT, 1);
		h_desc(1, H_Q_BUF, 512, H_VD_NEXT | H_VD_WRITE, 2);
		h_desc(2, H_Q_STATUS, 1, H_VD_WRITE, 0);
		return 1;
	}
	if (d->device == 0x1044) {
		h_desc(0, H_Q_BUF, 512, H_VD_WRITE, 0);
		return 1;
	}
	if (d->device == 0x1043) {
		for (unsigned i = 0; i < sizeof(hello) - 1; i++)
			h_gpa(H_Q_BUF)[i] = (uint8_t)hello[i];
		h_desc(0, H_Q_BUF, sizeof(hello) - 1, 0, 0);
		return 1;
	}
	return 0;
}

enum h_vq_case {
	H_VQ_VALID,
	H_VQ_TABLE_OUTSIDE,
	H_VQ_BUF_OUTSIDE,
	H_VQ_LOOP,
	H_VQ_ZERO_LEN,
	H_VQ_HUGE_LEN,
	H_VQ_NEXT_BEYOND,
	H_VQ_HEAD_BEYOND,
	H_VQ_AVAIL_JUMP,
	H_VQ_INDIRECT_LEN,
	H_VQ_INDIRECT_NESTED,
	H_VQ_INDIRECT_OUTSIDE,
	H_VQ_INDIRECT_LOOP,
	H_VQ_RESIZE,
	H_VQ_FINAL,
	H_VQ_NCASES,
};

static const char *const h_vq_names[H_VQ_NCASES] = {
	[H_VQ_VALID] = "valid",
	[H_VQ_TABLE_OUTSIDE] = "table-outside-ram",
	[H_VQ_BUF_OUTSIDE] = "buffer-outside-ram",
	[H_VQ_LOOP] = "loop",
	[H_VQ_ZERO_LEN] = "zero-length",
	[H_VQ_HUGE_LEN] = "huge-length",
	[H_VQ_NEXT_BEYOND] = "next-beyond-table",
	[H_VQ_HEAD_BEYOND] = "head-beyond-table",
	[H_VQ_AVAIL_JUMP] = "avail-index-jump",
	[H_VQ_INDIRECT_LEN] = "indirect-bad-length",
	[H_VQ_INDIRECT_NESTED] = "indirect-nested",
	[H_VQ_INDIRECT_OUTSIDE] = "indirect-outside-ram",
	[H_VQ_INDIRECT_LOOP] = "indirect-loop",
	[H_VQ_RESIZE] = "resized-mid-flight",
	[H_VQ_FINAL] = "valid-after",
};

/* h_vq_case: set up queue 0 for case k, hand it the case's chain, notify
 * (three times: a broken queue is said once); the status */
static uint8_t h_vq_case(struct hostile *h, const struct h_dev *d, enum h_vq_case k)
{
	uint16_t head = 0, idx = 1;
	uint64_t c = d->common;

	h_vq_setup(d, k == H_VQ_TABLE_OUTSIDE ? H_NOT_RAM : H_Q_DESC);
	switch (k) {
	case H_VQ_VALID:
	case H_VQ_FINAL:
	case H_VQ_TABLE_OUTSIDE:
	case H_VQ_RESIZE:
		h_vq_valid(d);
		break;
	case H_VQ_BUF_OUTSIDE:
		h_desc(0, h_below(h, 2) ? H_NOT_RAM : 0xfffffffffffff000ull, 4096, H_VD_WRITE, 0);
		break;
	case H_VQ_LOOP:
		h_desc(0, H_Q_BUF, 8, H_VD_NEXT, 1);
		h_desc(1, H_Q_BUF + 8, 8, H_VD_NEXT, 0);
		break;
	case H_VQ_ZERO_LEN:
		h_desc(0, h_rand(h), 0, H_VD_NEXT, 1);
		h_desc(1, h_rand(h), 0, H_VD_WRITE, 0);
		break;
	case H_VQ_HUGE_LEN:
		h_desc(0, H_Q_BUF, 0xffffffffu - (uint32_t)h_below(h, 16), H_VD_WRITE, 0);
		break;
	case H_VQ_NEXT_BEYOND:
		h_desc(0, H_Q_BUF, 8, H_VD_NEXT, (uint16_t)(H_Q_SIZE + h_below(h, 0xffff - H_Q_SIZE)));
		break;
	case H_VQ_HEAD_BEYOND:
		head = (uint16_t)(H_Q_SIZE + h_below(h, 0xffff - H_Q_SIZE));
		break;
	case H_VQ_AVAIL_JUMP:
		h_vq_valid(d);
		idx = (uint16_t)(H_Q_SIZE + 1 + h_below(h, 0x8000));
		break;
	case H_VQ_INDIRECT_LEN:
		h_desc(0, H_Q_INDIRECT, 17 + 16 * (uint32_t)h_below(h, 4), H_VD_INDIRECT, 0);
		break;
	case H_VQ_INDIRECT_NESTED:
		h_indirect(0, H_Q_INDIRECT + 0x100, 16, H_VD_INDIRECT, 0);
		h_desc(0, H_Q_INDIRECT, 16, H_VD_INDIRECT, 0);
		break;
	case H_VQ_INDIRECT_OUTSIDE:
		h_desc(0, H_NOT_RAM, 64, H_VD_INDIRECT, 0);
		break;
	case H_VQ_INDIRECT_LOOP:
		h_indirect(0, H_Q_BUF, 8, H_VD_NEXT, 1);
		h_indirect(1, H_Q_BUF + 8, 8, H_VD_NEXT | H_VD_WRITE, 0);
		h_desc(0, H_Q_INDIRECT, 32, H_VD_INDIRECT, 0);
		break;
	default:
		break;
	}
	h_vq_kick(d, head, idx);
	if (k == H_VQ_RESIZE) {
		/* while the device may be at it: resize, disable, move, enable */
		h_mmio_write(c + H_VC_Q_SIZE, 2, 1u << h_below(h, 16));
		h_mmio_write(c + H_VC_Q_ENABLE, 2, 0);
		h_w64(c + H_VC_Q_DESC, h_below(h, 2) ? H_NOT_RAM : H_Q_DESC + 0x10);
		h_mmio_write(c + H_VC_Q_ENABLE, 2, 1);
		h_mmio_write(c + H_VC_Q_SIZE, 2, (uint32_t)h_rand(h));
		h_mmio_write(c + H_VC_Q_SELECT, 2, (uint32_t)h_rand(h));
		h_mmio_write(c + H_VC_Q_ENABLE, 2, 1);
		h_vq_kick(d, 0, 2);
	}
	/* seconds for the device to answer (a loaded host, nested, under
	 * ASan); then a fraction of one for a late NEEDS_RESET, more after
	 * the resize, where the device thread races the vCPU: the count of
	 * resets must match la-vmrun's notes */
	(void)h_vq_wait(d, 0, 34);
	h_vq_kick(d, head, idx);
	h_vq_kick(d, head, idx);
	return h_vq_wait(d, h_used_idx(), k == H_VQ_RESIZE ? 32 : 30);
}

static void h_virtio(struct hostile *h)
{
	for (unsigned i = 0; i < h->nd; i++) {
		struct h_dev *d = &h->d[i];
		char bdf[8];

		if (d->vendor != H_VIRTIO_VENDOR || !d->common || !d->notify ||
		    d->common >= (1ull << 32) || d->notify >= (1ull << 32))
			continue;
		/* the last queue: the one the driver fills for blk and rng,
		 * transmit for console (receive waits for input) */
		d->q = (uint16_t)h_mmio_read(d->common + H_VC_NUM_QUEUES, 2);
		if (!d->q--)
			continue;
		for (unsigned k = 0; k < H_VQ_NCASES; k++) {
			uint8_t s = h_vq_case(h, d, (enum h_vq_case)k);

			if (s & H_VS_NEEDS_RESET)
				d->resets++;
			probe_printf(h->p, "probe: virtq %s q%u %s needs-reset %s used %u\n",
				     h_bdf(d, bdf), d->q, h_vq_names[k], s & H_VS_NEEDS_RESET ? "yes" : "no",
				     h_used_idx());
		}
		h_mmio_write(d->common + H_VC_STATUS, 1, 0);
		probe_printf(h->p, "probe: virtq %s resets %u\n", bdf, d->resets);
	}
}

/* ---- the mode ---------------------------------------------------------------------- */

void probe_hostile(struct probe *p, enum probe_mode mode, const char *cmdline)
{
	struct hostile h = { .p = p };
	const char *end, *s = h_param(cmdline, "probe.seed=", &end);
	int all = mode == PROBE_MODE_HOSTILE;

	if (s && h_num(&s, end, &h.seed))
		probe_error(p, "probe.seed= is not a number");
	h.state = h.seed;
	h_ranges(&h, cmdline, "probe.io=", 1);
	h_ranges(&h, cmdline, "probe.mmio=", 0);
	probe_printf(p, "probe: hostile seed %lu phases%s%s%s%s\n", (unsigned long)h.seed,
		     all || mode == PROBE_MODE_HOSTILE_BUS ? " bus" : "",
		     all || mode == PROBE_MODE_HOSTILE_BARS ? " bars" : "",
		     all || mode == PROBE_MODE_HOSTILE_MSIX ? " msix" : "",
		     all || mode == PROBE_MODE_HOSTILE_VIRTIO ? " virtio" : "");
	/* as a driver would: memory decoding and bus mastering on, else no
	 * BAR is on la-vmrun's bus for the garbage to reach */
	h_enumerate(&h);
	for (unsigned i = 0; i < h.nd; i++)
		h_cfg_write(h.d[i].slot, H_PCI_COMMAND, 2,
			    h_cfg_read(h.d[i].slot, H_PCI_COMMAND, 2) | H_PCI_CMD_MEM | H_PCI_CMD_MASTER);
	if (all || mode == PROBE_MODE_HOSTILE_BUS)
		h_bus(&h);
	if (all || mode == PROBE_MODE_HOSTILE_BARS)
		h_bars(&h);
	if (all || mode == PROBE_MODE_HOSTILE_MSIX)
		h_msix(&h);
	if (all || mode == PROBE_MODE_HOSTILE_VIRTIO)
		h_virtio(&h);
	probe_com1_init();
	probe_printf(p, "probe: hostile survived seed %lu\n", (unsigned long)h.seed);
}
