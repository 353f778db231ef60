/* SPDX-License-Identifier: MIT */
/*
 * The virtio devices as a guest drives them, without KVM (as test_vtpci,
 * test_vnet and test_vhost do): virtio-blk on a 1 MiB memfd, virtio-net on
 * one end of a SOCK_SEQPACKET pair standing for the tap, virtio-rng,
 * virtio-console and virtio-vsock (its vhost device /dev/null) behind the
 * modern PCI transport, with or without MSI-X. The input picks the device,
 * then drives it: BAR 0 reads and writes (common and device configuration,
 * ISR, notifications, MSI-X table and PBA), PCI configuration space (the
 * cfg access capability), guest RAM writes (rings, requests, packets), the
 * device's work on a queue as its thread would run it, packets from the
 * host and console input. One op (7) negotiates and sets up every queue
 * the usual way, so deep states are a few bytes away.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bytes.h"
#include "dev/dev.h"
#include "fuzz.h"
#include "pci/config.h"
#include "virtio/devices.h"
#include "virtio/transport.h"

#define RAM 0x40000u
#define BAR 0xd0000000u
#define QSZ 8u

static struct la_gmem g;
static int disk = -1, devnull = -1;

static void m_irq(void *vm, unsigned gsi, unsigned source, int level)
{
	(void)vm, (void)gsi, (void)source, (void)level;
}

static void m_exit(void *vm, enum la_fate f, const char *why)
{
	(void)vm, (void)f, (void)why;
}

static void m_note(void *vm, enum la_note what, unsigned value)
{
	(void)vm, (void)what, (void)value;
}

static void m_broken(void *vm, const char *dev, const char *why)
{
	(void)vm, (void)dev, (void)why;
}

static int m_gsi(void *vm)
{
	(void)vm;
	return 24;
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

static const struct la_machine intx_machine = {
	.irq = m_irq, .request_exit = m_exit, .note = m_note, .broken = m_broken,
};
static const struct la_machine msi_machine = {
	.irq = m_irq, .request_exit = m_exit, .note = m_note, .broken = m_broken,
	.msi_gsi = m_gsi, .msi_route = m_route, .irqfd = m_irqfd,
};

static void setup(void)
{
	if (g.n)
		return;
	g.s[0] = (struct la_gmem_slot){ .gpa = 0, .size = RAM, .host = calloc(1, RAM),
					.purpose = LA_REGION_GUEST_MEMORY };
	g.n = 1;
	disk = memfd_create("fuzz-disk", MFD_CLOEXEC);
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (disk < 0 || devnull < 0)
		abort();
}

static void wr(struct la_vtpci *t, unsigned off, uint64_t v, unsigned size)
{
	uint8_t d[8];

	la_put64(d, v);
	la_vtpci_bar_ops.write(t, off, d, size);
}

/* what Linux's driver does: reset, negotiate VERSION_1 | f, every queue
 * at rings of its own, DRIVER_OK */
static void driver_up(struct la_vtpci *t, uint64_t f)
{
	f |= 1ULL << LA_VIRTIO_F_VERSION_1;
	wr(t, 0x14, 0, 1);
	wr(t, 0x14, 1 | 2, 1);
	wr(t, 0x08, 0, 4), wr(t, 0x0c, (uint32_t)f, 4);
	wr(t, 0x08, 1, 4), wr(t, 0x0c, f >> 32, 4);
	wr(t, 0x14, 1 | 2 | 8, 1);
	for (unsigned q = 0; q < t->ops->nqueues; q++) {
		wr(t, 0x16, q, 2);
		wr(t, 0x18, QSZ, 2);
		wr(t, 0x1a, q, 2); /* msix vector */
		wr(t, 0x20, 0x1000 + 0x1000 * 3 * q, 8);
		wr(t, 0x28, 0x2000 + 0x1000 * 3 * q, 8);
		wr(t, 0x30, 0x3000 + 0x1000 * 3 * q, 8);
		wr(t, 0x1c, 1, 2);
	}
	wr(t, 0x14, 1 | 2 | 8 | 4, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned sizes[4] = { 1, 2, 4, 8 };
	static const struct la_dev_desc *const descs[5] = {
		&la_dev_virtio_blk, &la_dev_virtio_net, &la_dev_virtio_rng,
		&la_dev_virtio_console, &la_dev_virtio_vsock,
	};
	struct fz f = { data, size };
	uint8_t sel = fz_u8(&f);
	unsigned which = sel % 5;
	struct la_dev_inst d = { .desc = descs[which], .n = 3 };
	struct la_dev_env env = { .m = (sel & 0x80) ? &msi_machine : &intx_machine, .source = 1,
				  .g = &g, .seccomp = LA_SECCOMP_OFF };
	struct la_vblk_opts blk = { .path = "fuzz-disk", .fd = -1, .size = 1 << 20,
				    .serial = "fuzz-1" };
	struct la_vnet_opts net = { .mtu = 1500, .vhost_fd = -1 };
	struct la_vcons_opts cons;
	struct la_vsock_opts vs = { .cid = 3, .vhost_features = ~0ULL };
	const struct la_bus_ops *ops;
	void *state = NULL;
	struct la_vtpci *t;
	int sp[2] = { -1, -1 };

	setup();
	memset(g.s[0].host, 0, RAM);
	snprintf(d.name, sizeof(d.name), "%s0", descs[which]->name);
	d.g[0] = (struct la_grant){ .kind = LA_RES_PCI, .dev = 1 };
	d.g[1] = (struct la_grant){ .kind = LA_RES_MMIO, .range = { BAR, BAR + 0x7fff } };
	d.g[2] = (struct la_grant){ .kind = LA_RES_IRQ, .value = 9, .intx = true };
	switch (which) {
	case 0:
		/* a fresh, zeroed disk each run */
		if (ftruncate(disk, 0) || ftruncate(disk, 1 << 20))
			abort();
		blk.fd = disk;
		blk.ro = sel & 0x40;
		env.backend = &blk;
		break;
	case 1:
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sp))
			abort();
		net.fd = sp[0];
		la_vnet_default_mac(0, net.mac);
		env.backend = &net;
		break;
	case 3:
		cons.out_fd = devnull;
		env.backend = &cons;
		break;
	case 4:
		vs.fd = devnull;
		env.backend = &vs;
		break;
	}
	if (descs[which]->create(&d, &env, &state, &ops))
		goto out;
	t = state;
	while (f.n) {
		uint8_t op = fz_u8(&f), b[8] = { 0 };
		unsigned sz = sizes[(op >> 3) & 3];
		size_t len;
		const uint8_t *p;
		uint16_t off;

		switch (op & 7) {
		case 0:
			off = fz_u16(&f) & (LA_VTPCI_BAR_SIZE - 1);
			la_put64(b, fz_u64(&f));
			la_vtpci_bar_ops.write(t, off, b, sz);
			break;
		case 1:
			off = fz_u16(&f) & (LA_VTPCI_BAR_SIZE - 1);
			la_vtpci_bar_ops.read(t, off, b, sz);
			break;
		case 2:
			off = fz_u16(&f) & 0xfff;
			la_put32(b, fz_u32(&f));
			la_pci_ep_write(&t->ep, off, b, sz == 8 ? 4 : sz);
			break;
		case 3:
			la_pci_ep_read(&t->ep, fz_u16(&f) & 0xfff, b, sz == 8 ? 4 : sz);
			break;
		case 4: /* the guest writes RAM */
			off = fz_u16(&f);
			p = fz_bytes(&f, fz_u8(&f) + (op & 0x80 ? 256u : 0u), &len);
			if (off + len <= RAM)
				memcpy(g.s[0].host + off, p, len);
			break;
		case 5: /* the device thread's round */
			t->ops->work(t->dev, t, (int)(fz_u8(&f) % (t->ops->nqueues + 1)) - 1);
			la_vtpci_work_done(t);
			break;
		case 6: /* from the host: a packet, console input */
			p = fz_bytes(&f, fz_u16(&f) & 0x7ff, &len);
			if (which == 1 && write(sp[1], p, len) < 0) {
				/* full: the device has not taken them */
			} else if (which == 3) {
				la_vcons_input(state, p, (unsigned)len);
			}
			break;
		case 7:
			driver_up(t, fz_u64(&f));
			break;
		}
	}
	descs[which]->destroy(state);
out:
	if (sp[0] >= 0)
		close(sp[0]), close(sp[1]);
	return 0;
}
