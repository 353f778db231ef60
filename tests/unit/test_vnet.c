/* SPDX-License-Identifier: MIT */
/* Unit tests of virtio-net (lib/virtio/net.c) without a tap or KVM: the
 * "tap" is one end of a SOCK_SEQPACKET socket pair (a read is one packet,
 * as a tap's), the test holds the other end as the host's network; a
 * driver written here negotiates, posts receive buffers and transmit
 * chains in guest RAM and runs the device's work on this thread. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bytes.h"
#include "err.h"
#include "t.h"
#include "vtpci_driver.h"
#include "virtio/devices.h"
#include "virtio/transport.h"

#define RAM (1u << 20)
#define BAR 0xd0000000u
#define QSZ 8u
#define BUFS 0x10000u           /* receive buffers from here, 4 KiB apart */
#define TXBUF 0x80000u

/* each queue's rings, and the driver's next descriptor and avail index */
static const uint64_t qdesc[2] = { 0x1000, 0x4000 }, qavail[2] = { 0x2000, 0x5000 },
		      qused[2] = { 0x3000, 0x6000 };
static uint16_t next_desc[2], avail_idx[2];
static struct la_gmem g;

static void m_irq(void *vm, unsigned gsi, unsigned source, int level)
{
	(void)vm, (void)gsi, (void)source, (void)level;
}

static void m_exit(void *vm, enum la_fate f, const char *why)
{
	(void)vm, (void)f, (void)why;
}

static const struct la_machine machine = { .irq = m_irq, .request_exit = m_exit };

static uint8_t *gp(uint64_t gpa)
{
	return la_gmem_ptr(&g, gpa, 1);
}

/* Reset, negotiate VERSION_1 | f, set up both queues, DRIVER_OK. */
static void driver_up(struct la_vtpci *t, uint64_t f)
{
	f |= 1ULL << LA_VIRTIO_F_VERSION_1;
	wr(t, 0x14, 0, 1);
	memset(gp(0x1000), 0, 0x6000);
	next_desc[0] = next_desc[1] = avail_idx[0] = avail_idx[1] = 0;
	wr(t, 0x14, 1 | 2, 1);
	wr(t, 0x08, 0, 4), wr(t, 0x0c, (uint32_t)f, 4);
	wr(t, 0x08, 1, 4), wr(t, 0x0c, f >> 32, 4);
	wr(t, 0x14, 1 | 2 | 8, 1);
	for (unsigned q = 0; q < 2; q++) {
		wr(t, 0x16, q, 2);
		wr(t, 0x18, QSZ, 2);
		wr(t, 0x20, qdesc[q], 8);
		wr(t, 0x28, qavail[q], 8);
		wr(t, 0x30, qused[q], 8);
		wr(t, 0x1c, 1, 2);
	}
	wr(t, 0x14, 1 | 2 | 8 | 4, 1);
}

/* One chain of n buffers (gpa, len), all device-writable or all readable. */
static void submit(unsigned q, unsigned n, const uint64_t *gpa, const uint32_t *len, bool w)
{
	uint16_t head = next_desc[q];

	for (unsigned i = 0; i < n; i++) {
		uint8_t *d = gp(qdesc[q] + 16u * next_desc[q]);
		uint16_t nx = (uint16_t)((next_desc[q] + 1) % QSZ);

		la_put64(d, gpa[i]);
		la_put32(d + 8, len[i]);
		la_put16(d + 12, (uint16_t)((i + 1 < n ? 1 : 0) | (w ? 2 : 0)));
		la_put16(d + 14, nx);
		next_desc[q] = nx;
	}
	la_put16(gp(qavail[q] + 4 + 2u * (avail_idx[q] % QSZ)), head);
	la_put16(gp(qavail[q] + 2), ++avail_idx[q]);
}

/* k receive buffers of len bytes, one descriptor each, at BUFS + 4 KiB * i */
static void post_rx(unsigned first, unsigned k, uint32_t len)
{
	for (unsigned i = first; i < first + k; i++) {
		uint64_t a = BUFS + 0x1000u * i;

		submit(0, 1, &a, &len, true);
	}
}

static void used(unsigned q, unsigned i, uint32_t *id, uint32_t *len)
{
	*id = la_get32(gp(qused[q] + 4 + 8u * i));
	*len = la_get32(gp(qused[q] + 8 + 8u * i));
}

/* a packet from the host: a 12-byte header and len bytes of pattern seed */
static void host_send(int fd, uint8_t *pkt, size_t len, uint8_t seed)
{
	memset(pkt, 0, 12);
	pkt[0] = 2; /* DATA_VALID, as the tap may say */
	for (size_t i = 0; i < len; i++)
		pkt[12 + i] = (uint8_t)(seed + i * 7);
	T_EQ_U64(write(fd, pkt, 12 + len), 12 + len);
}

static void work(struct la_vtpci *t, int q)
{
	t->ops->work(t->dev, t, q);
	la_vtpci_work_done(t);
}

static void test_mac(void)
{
	uint8_t m[6];

	T_EQ_U64(la_vnet_mac_parse("52:54:00:AB:cd:0f", m), 0);
	T_CHECK(m[0] == 0x52 && m[3] == 0xab && m[4] == 0xcd && m[5] == 0x0f);
	T_EQ_U64(la_vnet_mac_parse("01:00:5e:00:00:01", m), (uint64_t)-LA_ERR_RANGE);
	T_EQ_U64(la_vnet_mac_parse("00:00:00:00:00:00", m), (uint64_t)-LA_ERR_RANGE);
	T_EQ_U64(la_vnet_mac_parse("52:54:00:12:34", m), (uint64_t)-LA_ERR_BADVALUE);
	T_EQ_U64(la_vnet_mac_parse("52:54:00:12:34:567", m), (uint64_t)-LA_ERR_BADVALUE);
	T_EQ_U64(la_vnet_mac_parse("52-54-00-12-34-56", m), (uint64_t)-LA_ERR_BADVALUE);
	T_EQ_U64(la_vnet_mac_parse("5g:54:00:12:34:56", m), (uint64_t)-LA_ERR_BADVALUE);
	T_EQ_U64(la_vnet_mac_parse("", m), (uint64_t)-LA_ERR_BADVALUE);
	la_vnet_default_mac(0, m);
	T_CHECK(!memcmp(m, "\x52\x54\x00\x12\x34\x56", 6));
	la_vnet_default_mac(3, m);
	T_EQ_U64(m[5], 0x59);
}

/* add net's tap, passed over the control socket: anything else is
 * refused, and closed. */
static void test_adopt(void)
{
	struct la_vnet_opts o = { .tap = "tap0" };
	char why[160];
	int p[2];

	T_CHECK(pipe(p) == 0);
	o.fd = p[0];
	T_CHECK(la_vnet_adopt(&o, why, sizeof(why)) == -LA_ERR_BADVALUE);
	T_EQ_STR(why, "the descriptor passed is not a tap opened with IFF_TAP, IFF_NO_PI and "
		 "IFF_VNET_HDR");
	T_CHECK(o.fd == -1 && o.vhost_fd == -1);
	T_CHECK(fcntl(p[0], F_GETFD) < 0 && errno == EBADF);
	close(p[1]);
}

static void test_config(struct la_vtpci *t)
{
	uint64_t f;

	T_EQ_U64(rd(t, LA_VTPCI_DEVCFG, 4), 0x12005452);      /* mac */
	T_EQ_U64(rd(t, LA_VTPCI_DEVCFG + 4, 2), 0x5634);
	T_EQ_U64(rd(t, LA_VTPCI_DEVCFG + 6, 2), 1);           /* LINK_UP */
	T_EQ_U64(rd(t, LA_VTPCI_DEVCFG + 8, 2), 1);           /* one queue pair */
	T_EQ_U64(rd(t, LA_VTPCI_DEVCFG + 10, 2), 1500);       /* mtu */
	wr(t, 0x00, 0, 4);
	f = rd(t, 0x04, 4);
	/* CSUM GUEST_CSUM MTU MAC GUEST_TSO4/6 GUEST_ECN HOST_TSO4/6 HOST_ECN
	 * MRG_RXBUF STATUS */
	T_EQ_U64(f & 0x1ffff, 0x1bbab);
}

/* MRG_RXBUF: a packet spans the buffers it needs, num_buffers says so */
static void test_rx_mergeable(struct la_vtpci *t, int host)
{
	static uint8_t pkt[4096];
	struct la_vtpci_queue *rq = &t->q[0];
	uint32_t id, len;

	driver_up(t, 1ULL << 15);
	post_rx(0, 4, 1024);
	host_send(host, pkt, 2000, 1);
	work(t, 0);
	T_EQ_U64(la_get16(gp(qused[0] + 2)), 2);
	used(0, 0, &id, &len);
	T_EQ_U64(id, 0);
	T_EQ_U64(len, 1024);
	used(0, 1, &id, &len);
	T_EQ_U64(id, 1);
	T_EQ_U64(len, 2012 - 1024);
	T_EQ_U64(la_get16(gp(BUFS + 10)), 2);                 /* num_buffers */
	T_EQ_U64(*gp(BUFS), 2);                               /* the tap's flags */
	T_CHECK(!memcmp(gp(BUFS + 12), pkt + 12, 1024 - 12));
	T_CHECK(!memcmp(gp(BUFS + 0x1000), pkt + 1024, 2012 - 1024));
	/* a small one takes one buffer; the one left cannot take the largest
	 * packet (1530 bytes) and the guest has no more: the tap waits */
	T_CHECK(!t->wake_paused);
	host_send(host, pkt, 88, 9);
	work(t, -1);
	T_EQ_U64(la_get16(gp(qused[0] + 2)), 3);
	used(0, 2, &id, &len);
	T_EQ_U64(id, 2);
	T_EQ_U64(len, 100);
	T_EQ_U64(la_get16(gp(BUFS + 0x2000 + 10)), 1);
	T_CHECK(!memcmp(gp(BUFS + 0x2000 + 12), pkt + 12, 88));
	T_CHECK(t->wake_paused);
	/* its packet waits with it, until the guest adds buffers */
	host_send(host, pkt, 300, 3);
	work(t, -1);
	T_EQ_U64(la_get16(gp(qused[0] + 2)), 3);
	T_CHECK(t->wake_paused);
	post_rx(4, 2, 1024);
	work(t, 0);
	T_CHECK(!t->wake_paused);
	T_EQ_U64(la_get16(gp(qused[0] + 2)), 4);
	used(0, 3, &id, &len);
	T_EQ_U64(id, 3);
	T_EQ_U64(len, 312);
	T_CHECK(!memcmp(gp(BUFS + 0x3000 + 12), pkt + 12, 300));
	T_EQ_U64(rq->vq.last_avail, 6);
}

/* without MRG_RXBUF a packet has one chain of its own, num_buffers 1 */
static void test_rx_plain(struct la_vtpci *t, int host, int tap)
{
	static uint8_t pkt[4096];
	uint64_t gpa[2] = { BUFS, BUFS + 0x1000 };
	uint32_t lens[2] = { 12, 1600 }, id, len;

	driver_up(t, 0);
	T_CHECK(!t->wake_paused);
	/* a packet waits for a buffer: paused until one comes */
	host_send(host, pkt, 1400, 5);
	work(t, -1);
	T_CHECK(t->wake_paused);
	memset(gp(BUFS), 0xee, 16);
	submit(0, 2, gpa, lens, true);
	work(t, 0);
	T_EQ_U64(la_get16(gp(qused[0] + 2)), 1);
	used(0, 0, &id, &len);
	T_EQ_U64(id, 0);
	T_EQ_U64(len, 1412);
	T_EQ_U64(la_get16(gp(BUFS + 10)), 1);
	T_CHECK(!memcmp(gp(BUFS + 0x1000), pkt + 12, 1400));
	/* the chain the guest broke does not reach the tap */
	{
		uint64_t bad = RAM + 0x1000;
		uint32_t bl = 100;

		host_send(host, pkt, 40, 1);
		submit(0, 1, &bad, &bl, true);
		work(t, 0);
		T_CHECK(rd(t, 0x14, 1) & LA_VIRTIO_S_NEEDS_RESET);
	}
	{
		uint8_t drain[64];

		/* its packet is still the tap's */
		T_EQ_U64(read(tap, drain, sizeof(drain)), 52);
	}
}

/* the guest's chains go out as one packet each, header included */
static void test_tx(struct la_vtpci *t, int host)
{
	uint64_t gpa[3] = { TXBUF, TXBUF + 0x100, TXBUF + 0x200 };
	uint32_t lens[3] = { 12, 30, 34 }, id, len;
	uint8_t got[128], want[76];

	driver_up(t, 1ULL << 15);
	for (unsigned i = 0; i < 76; i++)
		want[i] = (uint8_t)(i * 3 + 1);
	memcpy(gp(TXBUF), want, 12);
	memcpy(gp(TXBUF + 0x100), want + 12, 30);
	memcpy(gp(TXBUF + 0x200), want + 42, 34);
	submit(1, 3, gpa, lens, false);
	submit(1, 1, gpa, lens, false);
	work(t, 1);
	T_EQ_U64(la_get16(gp(qused[1] + 2)), 2);
	used(1, 0, &id, &len);
	T_EQ_U64(id, 0);
	T_EQ_U64(len, 0);
	T_EQ_U64(read(host, got, sizeof(got)), 76);
	T_CHECK(!memcmp(got, want, 76));
	T_EQ_U64(read(host, got, sizeof(got)), 12);
	T_EQ_U64(read(host, got, sizeof(got)), (uint64_t)-1);   /* nothing more */
}

/* Wait up to 2 s for queue q's used index to reach idx. */
static bool wait_used(struct la_vtpci *t, unsigned q, uint16_t idx)
{
	for (unsigned i = 0; i < 2000; i++) {
		uint16_t now;

		pthread_mutex_lock(&t->lock);
		now = la_get16(gp(qused[q] + 2));
		pthread_mutex_unlock(&t->lock);
		if (now == idx)
			return true;
		usleep(1000);
	}
	return false;
}

/* the device thread: it polls the tap while there are buffers, not while
 * there are none, and again once the guest adds some and notifies */
static void test_thread(struct la_vtpci *t, int host)
{
	static uint8_t pkt[2048];

	driver_up(t, 1ULL << 15);
	post_rx(0, 2, 1024);
	T_EQ_U64(la_vtpci_start(t), 0);
	host_send(host, pkt, 500, 1);
	T_CHECK(wait_used(t, 0, 1));
	/* one buffer left, too small for the largest packet: paused */
	host_send(host, pkt, 600, 2);
	usleep(20000);
	T_EQ_U64(la_get16(gp(qused[0] + 2)), 1);
	pthread_mutex_lock(&t->lock);
	post_rx(2, 2, 1024);
	pthread_mutex_unlock(&t->lock);
	wr(t, LA_VTPCI_NOTIFY, 0, 2);              /* notify queue 0 */
	T_CHECK(wait_used(t, 0, 2));
	T_CHECK(!memcmp(gp(BUFS + 0x1000 + 12), pkt + 12, 600));
	la_vtpci_stop(t);
}

/* with vhost-net: both queues the kernel's, no tap polling, and what the
 * kernel does not offer of the queue features not offered to the guest */
static void test_vhost_offer(struct la_dev_inst *d, struct la_dev_env *env,
			     struct la_vnet_opts *o)
{
	const struct la_bus_ops *ops;
	struct la_vtpci *t;
	void *state = NULL;

	o->vhost_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	o->vhost_features = 1ULL << LA_VIRTIO_F_VERSION_1 | 1ULL << LA_VIRTIO_F_EVENT_IDX;
	T_EQ_U64(la_dev_virtio_net.create(d, env, &state, &ops), 0);
	t = state;
	T_EQ_U64(t->external, 3);
	T_EQ_U64(t->wake_fd, (uint64_t)-1);
	T_CHECK(t->call_fd[0] >= 0 && t->call_fd[1] >= 0);
	T_EQ_U64(t->features & (1ULL << 15 | 1ULL << LA_VIRTIO_F_INDIRECT_DESC), 0);
	T_CHECK(t->features & 1ULL << LA_VIRTIO_F_EVENT_IDX);
	T_CHECK(t->features & 1ULL << 11);              /* HOST_TSO4: the tap's */
	la_dev_virtio_net.destroy(state);
	close(o->vhost_fd);
	o->vhost_fd = -1;
}

int main(void)
{
	int sp[2];
	struct la_vnet_opts o = { .mtu = 1500, .vhost_fd = -1 };
	struct la_dev_env env = { .m = &machine, .source = 1, .backend = &o, .g = &g,
				  .seccomp = LA_SECCOMP_OFF };
	struct la_dev_inst d = { .desc = &la_dev_virtio_net, .n = 3 };
	const struct la_bus_ops *ops;
	void *state = NULL;

	test_mac();
	test_adopt();
	g.n = 1;
	g.s[0] = (struct la_gmem_slot){ .gpa = 0, .size = RAM, .host = calloc(1, RAM) };
	T_CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sp) == 0);
	snprintf(d.name, sizeof(d.name), "virtio-net0");
	d.g[0] = (struct la_grant){ .kind = LA_RES_PCI, .dev = 1 };
	d.g[1] = (struct la_grant){ .kind = LA_RES_MMIO, .range = { BAR, BAR + 0x7fff } };
	d.g[2] = (struct la_grant){ .kind = LA_RES_IRQ, .value = 9, .intx = true };
	la_vnet_default_mac(0, o.mac);
	o.fd = -1;
	T_EQ_U64(la_dev_virtio_net.create(&d, &env, &state, &ops), (uint64_t)-LA_ERR_BADVALUE);
	o.fd = sp[0];
	T_EQ_U64(la_dev_virtio_net.create(&d, &env, &state, &ops), 0);
	T_EQ_STR(((struct la_vtpci *)state)->thread_name, "la-vnet0");
	test_config(state);
	test_rx_mergeable(state, sp[1]);
	test_rx_plain(state, sp[1], sp[0]);
	test_tx(state, sp[1]);
	test_thread(state, sp[1]);
	la_dev_virtio_net.destroy(state);
	test_vhost_offer(&d, &env, &o);
	close(sp[0]);
	close(sp[1]);
	free(g.s[0].host);
	return T_DONE();
}
