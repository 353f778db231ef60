/* SPDX-License-Identifier: MIT */
/* Unit tests of the virtio modern PCI transport (lib/virtio/transport.c)
 * and virtio-blk (lib/virtio/blk.c), without KVM: a driver written here
 * pokes BAR 0 and config space as Linux does, puts chains in guest RAM,
 * and runs the device's work on this thread. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bytes.h"
#include "err.h"
#include "pci/config.h"
#include "t.h"
#include "vtpci_driver.h"
#include "virtio/devices.h"
#include "virtio/transport.h"

#define RAM (1u << 20)
#define BAR 0xd0000000u
#define QSZ 8u
#define DESC 0x1000u
#define AVAIL 0x2000u
#define USED 0x3000u

static struct la_gmem g;
static unsigned irq_level, irq_changes, broken_count;
static const char *broken_why;

static void m_irq(void *vm, unsigned gsi, unsigned source, int level)
{
	(void)vm, (void)source;
	if (gsi == 9 && (unsigned)level != irq_level)
		irq_changes++;
	if (gsi == 9)
		irq_level = (unsigned)level;
}

static void m_exit(void *vm, enum la_fate f, const char *why)
{
	(void)vm, (void)f, (void)why;
}

static void m_broken(void *vm, const char *dev, const char *why)
{
	(void)vm, (void)dev;
	broken_count++;
	broken_why = why;
}

static const struct la_machine machine = {
	.irq = m_irq, .request_exit = m_exit, .broken = m_broken,
};

static struct la_dev_inst inst(const struct la_dev_desc *desc, const char *name)
{
	struct la_dev_inst d = { .desc = desc, .n = 3 };

	snprintf(d.name, sizeof(d.name), "%s", name);
	d.g[0] = (struct la_grant){ .kind = LA_RES_PCI, .dev = 1 };
	d.g[1] = (struct la_grant){ .kind = LA_RES_MMIO, .range = { BAR, BAR + 0x7fff } };
	d.g[2] = (struct la_grant){ .kind = LA_RES_IRQ, .value = 9, .intx = true };
	return d;
}

/* ---- the driver's side ---- */

static uint8_t *gp(uint64_t gpa)
{
	return la_gmem_ptr(&g, gpa, 1);
}

/* Find vendor capability cfg_type type: its offset in config space. */
static unsigned find_vcap(struct la_vtpci *t, uint8_t type)
{
	uint8_t b[4];

	for (unsigned at = t->ep.cfg[LA_PCI_CAP_PTR]; at; at = b[1]) {
		la_pci_ep_read(&t->ep, at, b, 4);
		if (b[0] == 0x09 && b[3] == type)
			return at;
	}
	return 0;
}

/* Negotiate VERSION_1 (+ more) and set up queue q at DESC/AVAIL/USED. */
static void driver_up(struct la_vtpci *t, unsigned q, uint64_t more)
{
	uint64_t f = 1ULL << LA_VIRTIO_F_VERSION_1 | more;

	wr(t, 0x14, 1 | 2, 1);
	wr(t, 0x08, 0, 4), wr(t, 0x0c, (uint32_t)f, 4);
	wr(t, 0x08, 1, 4), wr(t, 0x0c, f >> 32, 4);
	wr(t, 0x14, 1 | 2 | 8, 1);
	wr(t, 0x16, q, 2);
	wr(t, 0x18, QSZ, 2);
	wr(t, 0x20, DESC, 4), wr(t, 0x24, 0, 4);
	wr(t, 0x28, AVAIL, 8);
	wr(t, 0x30, USED, 4), wr(t, 0x34, 0, 4);
	wr(t, 0x1c, 1, 2);
	wr(t, 0x14, 1 | 2 | 8 | 4, 1);
}

static uint16_t next_desc, avail_idx;

/* One chain: n buffers (gpa, len, device-writable). */
static void submit(unsigned n, const uint64_t *gpa, const uint32_t *len, const bool *w)
{
	uint16_t head = next_desc;

	for (unsigned i = 0; i < n; i++) {
		uint8_t *d = gp(DESC + 16u * next_desc);
		uint16_t nx = (uint16_t)((next_desc + 1) % QSZ);

		la_put64(d, gpa[i]);
		la_put32(d + 8, len[i]);
		la_put16(d + 12, (uint16_t)((i + 1 < n ? 1 : 0) | (w[i] ? 2 : 0)));
		la_put16(d + 14, nx);
		next_desc = nx;
	}
	la_put16(gp(AVAIL + 4 + 2u * (avail_idx % QSZ)), head);
	la_put16(gp(AVAIL + 2), ++avail_idx);
}

static void test_caps_and_ids(struct la_vtpci *t)
{
	uint8_t b[4];
	unsigned c;

	la_pci_ep_read(&t->ep, 0, b, 4);
	T_EQ_U64(la_get32(b), 0x10421af4);
	la_pci_ep_read(&t->ep, 8, b, 4);
	T_EQ_U64(la_get32(b), 0x01800001);
	for (uint8_t type = 1; type <= 5; type++)
		T_CHECK(find_vcap(t, type) != 0);
	c = find_vcap(t, 2);
	la_pci_ep_read(&t->ep, c + 8, b, 4);
	T_EQ_U64(la_get32(b), LA_VTPCI_NOTIFY);
	la_pci_ep_read(&t->ep, c + 16, b, 4);
	T_EQ_U64(la_get32(b), LA_VTPCI_NOTIFY_MULT);
	c = find_vcap(t, 4);
	la_pci_ep_read(&t->ep, c + 8, b, 4);
	T_EQ_U64(la_get32(b), LA_VTPCI_DEVCFG);
	la_pci_ep_read(&t->ep, c + 12, b, 4);
	T_EQ_U64(la_get32(b), 60);
}

static void test_features(struct la_vtpci *t)
{
	wr(t, 0x00, 1, 4);
	T_EQ_U64(rd(t, 0x04, 4) & 1, 1);                /* VERSION_1 */
	wr(t, 0x00, 0, 4);
	T_CHECK(rd(t, 0x04, 4) & (1u << LA_VIRTIO_F_INDIRECT_DESC));
	T_CHECK(rd(t, 0x04, 4) & (1u << 9));            /* blk FLUSH */
	T_EQ_U64(rd(t, 0x12, 2), 1);                    /* num_queues */
	/* without VERSION_1: FEATURES_OK refused */
	wr(t, 0x14, 1 | 2, 1);
	wr(t, 0x08, 0, 4), wr(t, 0x0c, 1u << 9, 4);
	wr(t, 0x14, 1 | 2 | 8, 1);
	T_EQ_U64(rd(t, 0x14, 1), 3);
	/* DRIVER_OK without FEATURES_OK: not taken */
	wr(t, 0x14, 1 | 2 | 4, 1);
	T_EQ_U64(rd(t, 0x14, 1) & 4, 0);
	/* a bit not offered: refused */
	wr(t, 0x08, 1, 4), wr(t, 0x0c, 1 | 2, 4);
	wr(t, 0x14, 1 | 2 | 8, 1);
	T_EQ_U64(rd(t, 0x14, 1) & 8, 0);
	/* VERSION_1: accepted; then the features are fixed */
	wr(t, 0x08, 1, 4), wr(t, 0x0c, 1, 4);
	wr(t, 0x14, 1 | 2 | 8, 1);
	T_EQ_U64(rd(t, 0x14, 1), 1 | 2 | 8);
	wr(t, 0x08, 0, 4), wr(t, 0x0c, 0, 4);
	T_EQ_U64(rd(t, 0x0c, 4), 1u << 9);
	/* reset: status, features and queues cleared */
	wr(t, 0x14, 0, 1);
	T_EQ_U64(rd(t, 0x14, 1), 0);
	wr(t, 0x08, 1, 4);
	T_EQ_U64(rd(t, 0x0c, 4), 0);
	/* a field read at the wrong width reads 0; no MSI-X: NO_VECTOR */
	T_EQ_U64(rd(t, 0x14, 2), 0);
	T_EQ_U64(rd(t, 0x10, 2), LA_VTPCI_NO_VECTOR);
	wr(t, 0x10, 0, 2);
	T_EQ_U64(rd(t, 0x10, 2), LA_VTPCI_NO_VECTOR);
}

static void test_cfg_access(struct la_vtpci *t)
{
	unsigned c = find_vcap(t, 5);
	uint8_t b[4];

	wr(t, 0x14, 1, 1);
	b[0] = 0;
	la_pci_ep_write(&t->ep, c + 4, b, 1);     /* bar 0 */
	la_put32(b, 0x14);
	la_pci_ep_write(&t->ep, c + 8, b, 4);     /* offset: device_status */
	la_put32(b, 1);
	la_pci_ep_write(&t->ep, c + 12, b, 4);    /* length 1 */
	la_pci_ep_read(&t->ep, c + 16, b, 4);
	T_EQ_U64(b[0], 1);
	b[0] = 3;
	la_pci_ep_write(&t->ep, c + 16, b, 1);
	T_EQ_U64(rd(t, 0x14, 1), 3);
	wr(t, 0x14, 0, 1);
}

/* The disk: a 1 MiB file, "HELLO" at sector 2. */
static void test_blk_requests(struct la_vtpci *t, int fd)
{
	uint64_t gpa[3] = { 0x10000, 0x11000, 0x12000 };
	uint32_t len[3] = { 16, 512, 1 };
	bool w[3] = { false, true, true };
	uint8_t *hdr = gp(0x10000);

	next_desc = avail_idx = 0;
	driver_up(t, 0, 1ULL << 9);
	/* IN of sector 2 */
	la_put32(hdr, 0), la_put64(hdr + 8, 2);
	submit(3, gpa, len, w);
	irq_level = irq_changes = 0;
	t->ops->work(t->dev, t, 0);
	la_vtpci_work_done(t);
	T_CHECK(!memcmp(gp(0x11000), "HELLO", 5));
	T_EQ_U64(*gp(0x12000), 0);
	T_EQ_U64(la_get16(gp(USED + 2)), 1);
	T_EQ_U64(la_get32(gp(USED + 8)), 513);       /* used len: data + status */
	T_EQ_U64(irq_level, 1);
	T_EQ_U64(rd(t, LA_VTPCI_ISR, 1), 1);          /* queue interrupt; read deasserts */
	T_EQ_U64(irq_level, 0);
	T_EQ_U64(rd(t, LA_VTPCI_ISR, 1), 0);
	/* OUT of sector 3 */
	la_put32(hdr, 1), la_put64(hdr + 8, 3);
	memcpy(gp(0x11000), "WORLD", 5);
	w[1] = false;
	submit(3, gpa, len, w);
	t->ops->work(t->dev, t, 0);
	{
		char b[5];

		T_EQ_U64(pread(fd, b, 5, 3 * 512), 5);
		T_CHECK(!memcmp(b, "WORLD", 5));
	}
	T_EQ_U64(*gp(0x12000), 0);
	/* IN past the capacity (2048 sectors): IOERR */
	la_put32(hdr, 0), la_put64(hdr + 8, 2048);
	w[1] = true;
	submit(3, gpa, len, w);
	t->ops->work(t->dev, t, 0);
	T_EQ_U64(*gp(0x12000), 1);
	la_put64(hdr + 8, ~0ULL);
	submit(3, gpa, len, w);
	t->ops->work(t->dev, t, 0);
	T_EQ_U64(*gp(0x12000), 1);
	/* GET_ID: the serial, 20 bytes */
	la_put32(hdr, 8), la_put64(hdr + 8, 0);
	len[1] = 20;
	submit(3, gpa, len, w);
	t->ops->work(t->dev, t, 0);
	T_EQ_STR((char *)gp(0x11000), "sn-1");
	T_EQ_U64(*gp(0x12000), 0);
	/* FLUSH, and an unknown type: UNSUPP */
	la_put32(hdr, 4);
	{
		uint64_t g2[2] = { 0x10000, 0x12000 };
		uint32_t l2[2] = { 16, 1 };
		bool w2[2] = { false, true };

		submit(2, g2, l2, w2);
		t->ops->work(t->dev, t, 0);
		T_EQ_U64(*gp(0x12000), 0);
		la_put32(hdr, 99);
		submit(2, g2, l2, w2);
		t->ops->work(t->dev, t, 0);
		T_EQ_U64(*gp(0x12000), 2);
	}
	/* DISCARD and WRITE_ZEROES: one range each (sector, count, flags) */
	{
		uint64_t g2[3] = { 0x10000, 0x13000, 0x12000 };
		uint32_t l2[3] = { 16, 16, 1 };
		bool w2[3] = { false, false, true };
		uint8_t *seg = gp(0x13000);
		char b[5];

		T_EQ_U64(pwrite(fd, "ZZZZZ", 5, 8 * 512), 5);
		la_put32(hdr, 11);
		la_put64(seg, 3), la_put32(seg + 8, 1), la_put32(seg + 12, 0);
		submit(3, g2, l2, w2);
		t->ops->work(t->dev, t, 0);
		T_EQ_U64(*gp(0x12000), 0);
		T_EQ_U64(pread(fd, b, 5, 3 * 512), 5);
		T_CHECK(!memcmp(b, "\0\0\0\0\0", 5));   /* WORLD punched out */
		la_put32(hdr, 13);
		la_put64(seg, 8), la_put32(seg + 8, 1), la_put32(seg + 12, 0);
		submit(3, g2, l2, w2);
		t->ops->work(t->dev, t, 0);
		T_EQ_U64(*gp(0x12000), 0);
		T_EQ_U64(pread(fd, b, 5, 8 * 512), 5);
		T_CHECK(!memcmp(b, "\0\0\0\0\0", 5));
		T_EQ_U64(pread(fd, b, 5, 2 * 512), 5);
		T_CHECK(!memcmp(b, "HELLO", 5));          /* the neighbours kept */
		/* past the capacity: IOERR; discard with flags: UNSUPP */
		la_put32(hdr, 11);
		la_put64(seg, 2047), la_put32(seg + 8, 2), la_put32(seg + 12, 0);
		submit(3, g2, l2, w2);
		t->ops->work(t->dev, t, 0);
		T_EQ_U64(*gp(0x12000), 1);
		la_put64(seg, 0), la_put32(seg + 8, 1), la_put32(seg + 12, 1);
		submit(3, g2, l2, w2);
		t->ops->work(t->dev, t, 0);
		T_EQ_U64(*gp(0x12000), 2);
	}
	/* a chain outside guest RAM: NEEDS_RESET, a config interrupt, said once */
	{
		uint64_t g2[2] = { RAM + 0x1000, 0x12000 };
		uint32_t l2[2] = { 16, 1 };
		bool w2[2] = { false, true };

		broken_count = 0;
		rd(t, LA_VTPCI_ISR, 1);
		submit(2, g2, l2, w2);
		t->ops->work(t->dev, t, 0);
		T_CHECK(rd(t, 0x14, 1) & LA_VIRTIO_S_NEEDS_RESET);
		T_EQ_U64(rd(t, LA_VTPCI_ISR, 1), 2);
		T_EQ_U64(broken_count, 1);
		T_CHECK(broken_why != NULL);
		t->ops->work(t->dev, t, 0);
		T_EQ_U64(broken_count, 1);
		T_CHECK(!la_vtpci_live(t, 0));
		/* the driver's reset brings it back */
		wr(t, 0x14, 0, 1);
		T_EQ_U64(rd(t, 0x14, 1), 0);
		T_EQ_U64(rd(t, 0x1c, 2), 0);
	}
	/* a queue put outside guest RAM: enabling it breaks the device */
	broken_count = 0;
	wr(t, 0x14, 1 | 2, 1);
	wr(t, 0x08, 1, 4), wr(t, 0x0c, 1, 4);
	wr(t, 0x14, 1 | 2 | 8, 1);
	wr(t, 0x18, QSZ, 2);
	wr(t, 0x20, RAM - 8, 8);
	wr(t, 0x1c, 1, 2);
	T_EQ_U64(rd(t, 0x1c, 2), 0);
	T_CHECK(rd(t, 0x14, 1) & LA_VIRTIO_S_NEEDS_RESET);
	T_EQ_U64(broken_count, 1);
	wr(t, 0x14, 0, 1);
}

static void test_notify_fallback(struct la_vtpci *t)
{
	uint64_t v = 0;

	wr(t, LA_VTPCI_NOTIFY, 0, 2);
	T_EQ_U64(read(t->q[0].efd, &v, 8), 8);
	T_EQ_U64(v, 1);
}

static void test_blk_ro(int fd)
{
	struct la_vblk_opts o = { .fd = fd, .size = RAM, .ro = true };
	struct la_dev_env env = { .m = &machine, .source = 1, .backend = &o, .g = &g };
	struct la_dev_inst d = inst(&la_dev_virtio_blk, "virtio-blk1");
	const struct la_bus_ops *ops;
	void *state;
	struct la_vtpci *t;
	uint64_t gpa[3] = { 0x10000, 0x11000, 0x12000 };
	uint32_t len[3] = { 16, 512, 1 };
	bool w[3] = { false, false, true };

	T_EQ_U64(la_dev_virtio_blk.create(&d, &env, &state, &ops), 0);
	t = state;
	wr(t, 0x00, 0, 4);
	T_CHECK(rd(t, 0x04, 4) & (1u << 5));           /* RO */
	next_desc = avail_idx = 0;
	memset(gp(DESC), 0, 0x3000);
	driver_up(t, 0, 0);
	la_put32(gp(0x10000), 1), la_put64(gp(0x10000) + 8, 0);
	submit(3, gpa, len, w);
	t->ops->work(t->dev, t, 0);
	T_EQ_U64(*gp(0x12000), 1);                      /* IOERR */
	la_dev_virtio_blk.destroy(state);
}

/* A direct disk: O_DIRECT at the probed alignment, the guest's block size
 * says it, and guest buffers that are not aligned (split across segments
 * at odd lengths too) go through the bounce buffer, both ways. */
static void test_blk_direct(void)
{
	char path[] = "/tmp/la-test-vtpci-direct-XXXXXX";
	int fd = mkstemp(path);
	struct la_vblk_opts o = { .path = path, .direct = true };
	struct la_dev_env env = { .m = &machine, .source = 1, .backend = &o, .g = &g };
	struct la_dev_inst d = inst(&la_dev_virtio_blk, "virtio-blk2");
	const struct la_bus_ops *ops;
	void *state;
	struct la_vtpci *t;
	char why[100], pat[4096], back[4096];
	uint64_t gpa[4] = { 0x10000, 0x11001, 0x14003, 0x12000 };
	uint32_t len[4] = { 16, 100, 0, 1 };
	bool w[4] = { false, true, true, true };

	for (unsigned i = 0; i < sizeof(pat); i++)
		pat[i] = (char)(i * 7 + 1);
	T_CHECK(fd >= 0 && ftruncate(fd, RAM) == 0);
	T_EQ_U64(pwrite(fd, pat, sizeof(pat), 8 * 4096), sizeof(pat));
	T_EQ_U64(fsync(fd), 0);
	T_EQ_U64(la_vblk_open(&o, why, sizeof(why)), 0);
	T_CHECK(o.align == 512 || o.align == 1024 || o.align == 2048 || o.align == 4096);
	len[2] = o.align - 100;
	T_EQ_U64(la_dev_virtio_blk.create(&d, &env, &state, &ops), 0);
	t = state;
	T_EQ_U64(rd(t, LA_VTPCI_DEVCFG + 20, 4), o.align);    /* blk_size */
	next_desc = avail_idx = 0;
	memset(gp(DESC), 0, 0x3000);
	driver_up(t, 0, 0);
	/* IN of one block at 32 KiB into 0x11001 (100 bytes) + 0x14003 */
	la_put32(gp(0x10000), 0), la_put64(gp(0x10000) + 8, 8 * 4096 / 512);
	submit(4, gpa, len, w);
	t->ops->work(t->dev, t, 0);
	T_EQ_U64(*gp(0x12000), 0);
	T_CHECK(!memcmp(gp(0x11001), pat, 100));
	T_CHECK(!memcmp(gp(0x14003), pat + 100, o.align - 100));
	/* OUT of the same buffers, changed, to 64 KiB */
	memset(gp(0x11001), 'x', 100);
	w[1] = w[2] = false;
	la_put32(gp(0x10000), 1), la_put64(gp(0x10000) + 8, 16 * 4096 / 512);
	submit(4, gpa, len, w);
	t->ops->work(t->dev, t, 0);
	T_EQ_U64(*gp(0x12000), 0);
	T_EQ_U64(pread(fd, back, o.align, 16 * 4096), o.align);
	T_CHECK(back[0] == 'x' && back[99] == 'x');
	T_CHECK(!memcmp(back + 100, pat + 100, o.align - 100));
	/* a request of less than a block: IOERR when blocks are bigger */
	if (o.align > 512) {
		len[1] = 100, len[2] = 412;
		submit(4, gpa, len, w);
		t->ops->work(t->dev, t, 0);
		T_EQ_U64(*gp(0x12000), 1);
	}
	la_dev_virtio_blk.destroy(state);
	close(o.fd);
	close(fd);
	unlink(path);
}

int main(void)
{
	char path[] = "/tmp/la-test-vtpci-XXXXXX";
	int fd = mkstemp(path);
	struct la_vblk_opts o = { .path = path, .serial = "sn-1" };
	struct la_dev_env env = { .m = &machine, .source = 1, .backend = &o, .g = &g };
	struct la_dev_inst d = inst(&la_dev_virtio_blk, "virtio-blk0");
	const struct la_bus_ops *ops;
	void *state = NULL;
	char why[100];

	g.n = 1;
	g.s[0] = (struct la_gmem_slot){ .gpa = 0, .size = RAM, .host = calloc(1, RAM) };
	T_CHECK(fd >= 0 && ftruncate(fd, RAM) == 0 && pwrite(fd, "HELLO", 5, 1024) == 5);
	close(fd);
	T_EQ_U64(la_vblk_open(&o, why, sizeof(why)), 0);
	T_EQ_U64(o.size, RAM);
	/* a second open for writing meets the lock; a missing file is NOENT */
	{
		struct la_vblk_opts o2 = { .path = path };
		struct la_vblk_opts o3 = { .path = "/nonexistent/disk.img" };

		T_EQ_U64(la_vblk_open(&o2, why, sizeof(why)), (uint64_t)-LA_ERR_LOCKED);
		T_EQ_U64(la_vblk_open(&o3, why, sizeof(why)), (uint64_t)-LA_ERR_NOENT);
		T_CHECK(la_vblk_serial_ok("abc-123"));
		T_CHECK(!la_vblk_serial_ok("a,b"));
		T_CHECK(!la_vblk_serial_ok("123456789012345678901"));
	}
	T_EQ_U64(la_dev_virtio_blk.create(&d, &env, &state, &ops), 0);
	T_CHECK(ops == &la_vtpci_bar_ops);
	T_EQ_STR(((struct la_vtpci *)state)->thread_name, "la-vblk0");
	test_caps_and_ids(state);
	test_features(state);
	test_cfg_access(state);
	test_notify_fallback(state);
	test_blk_requests(state, o.fd);
	la_dev_virtio_blk.destroy(state);
	test_blk_ro(o.fd);
	test_blk_direct();
	close(o.fd);
	unlink(path);
	free(g.s[0].host);
	return T_DONE();
}
