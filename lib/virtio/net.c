/* SPDX-License-Identifier: MIT */
/*
 * virtio-net (virtio spec 1.2, §5.1) on a tap: one receive queue (0) and
 * one transmit queue (1), no control queue. Every packet carries a 12-byte
 * struct virtio_net_hdr_v1 (VERSION_1: num_buffers always there), which is
 * also what the tap puts in front of each packet (IFF_VNET_HDR,
 * TUNSETVNETHDRSZ 12), so packets move between the tap and guest buffers
 * with readv and writev and no copy of ours. Offloads: the guest's
 * checksum and TSO features become the tap's (TUNSETOFFLOAD: what the
 * kernel may hand us), the host's ones need nothing (a tap takes GSO
 * packets and partial checksums from its writer).
 *
 * Receiving, tap to guest: buffers are popped ahead and held until a packet
 * fills them. With MRG_RXBUF a packet spans as many buffers as it needs
 * (num_buffers says how many); enough are held for the largest packet the
 * guest can get (64 KiB with GUEST_TSO, else the tap's MTU) before a read,
 * unless the guest has no more to give. Without buffers the tap is not
 * polled (la_vtpci_wake_pause) until the guest adds some and notifies.
 * Transmitting, guest to tap: each chain's device-readable segments, one
 * writev; a packet the tap refuses is dropped, as a network may.
 *
 * With vhost-net (la_vnet_vhost_open) the kernel does both: at DRIVER_OK
 * the device thread hands it both queues (lib/virtio/vhost.h) and the tap
 * (VHOST_NET_SET_BACKEND), which keeps the 12-byte header (the kernel's
 * own header stays off: VHOST_NET_F_VIRTIO_NET_HDR is not asked for), and
 * only relays its interrupts; on a reset it takes them back.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "bytes.h"
#include "err.h"
#include "virtio/devices.h"
#include "virtio/transport.h"
#include "virtio/vhost.h"

/* feature bits (§5.1.3) */
#define VNET_F_CSUM 0
#define VNET_F_GUEST_CSUM 1
#define VNET_F_MTU 3
#define VNET_F_MAC 5
#define VNET_F_GUEST_TSO4 7
#define VNET_F_GUEST_TSO6 8
#define VNET_F_GUEST_ECN 9
#define VNET_F_HOST_TSO4 11
#define VNET_F_HOST_TSO6 12
#define VNET_F_HOST_ECN 13
#define VNET_F_MRG_RXBUF 15
#define VNET_F_STATUS 16

#define VNET_S_LINK_UP 1
#define VNET_HDR 12u              /* struct virtio_net_hdr_v1 */
#define VNET_NUM_BUFFERS 10u      /* its num_buffers field */
#define VNET_QUEUE 256u
#define VNET_RXQ 0u
#define VNET_TXQ 1u
#define VNET_CONFIG_LEN 12u       /* mac, status, max_virtqueue_pairs, mtu */
#define VNET_RX_IOV 1024u         /* readv's limit (UIO_MAXIOV) */
#define VNET_RX_BURST 64u         /* packets per round: the transmit side gets its turn */
#define VNET_GSO_MAX (65536u + 18u) /* a GSO packet with its Ethernet (and VLAN) header */

static uint64_t la_vnet_bit(unsigned b)
{
	return 1ULL << b;
}

/* ---- options and the tap ---- */

void la_vnet_default_mac(unsigned index, uint8_t mac[6])
{
	static const uint8_t base[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

	memcpy(mac, base, 6);
	mac[5] = (uint8_t)(mac[5] + index);
}

int la_vnet_mac_parse(const char *s, uint8_t mac[6])
{
	uint8_t m[6];

	for (unsigned i = 0; i < 6; i++, s += 3) {
		int hi = la_hexdigit(s[0]), lo = hi < 0 ? -1 : la_hexdigit(s[1]);

		if (lo < 0 || s[2] != (i < 5 ? ':' : '\0'))
			return -LA_ERR_BADVALUE;
		m[i] = (uint8_t)(hi << 4 | lo);
	}
	if ((m[0] & 1) || !(m[0] | m[1] | m[2] | m[3] | m[4] | m[5]))
		return -LA_ERR_RANGE;
	memcpy(mac, m, 6);
	return 0;
}

/* Why TUNSETIFF refused. returns: the error code */
static int la_vnet_iff_fail(const struct la_vnet_opts *o, int e, char *why, size_t whylen)
{
	if (e == EPERM && o->create)
		snprintf(why, whylen, "making a tap needs CAP_NET_ADMIN; give tap=NAME of one "
			 "made for you (ip tuntap add NAME mode tap user $USER)");
	else if (e == EPERM)
		snprintf(why, whylen, "not permitted: the tap is another user's or group's "
			 "(ip tuntap add %s mode tap user $USER makes one for you)", o->tap);
	else if (e == EBUSY)
		snprintf(why, whylen, "in use: another process has it open (one queue each)");
	else if (e == EINVAL)
		snprintf(why, whylen, "not a tap (a tun device, a multi-queue tap or another "
			 "kind of interface)");
	else
		snprintf(why, whylen, "TUNSETIFF: %s", strerror(e));
	return e == EINVAL ? -LA_ERR_BADVALUE : -LA_ERR_IO;
}

/* The tap's MTU, 1500 if it cannot be asked. */
static unsigned la_vnet_mtu(const char *ifname)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	unsigned mtu = 1500;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (s >= 0 && ioctl(s, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu >= 68 && ifr.ifr_mtu <= 65535)
		mtu = (unsigned)ifr.ifr_mtu;
	if (s >= 0)
		close(s);
	return mtu;
}

int la_vnet_open(struct la_vnet_opts *o, char *why, size_t whylen)
{
	struct ifreq ifr = { 0 };
	unsigned int features = 0;
	int hdr = VNET_HDR, fd;

	o->fd = o->vhost_fd = -1;
	if (!o->create && !if_nametoindex(o->tap)) {
		snprintf(why, whylen, "no such network interface (make the tap: ip tuntap add %s "
			 "mode tap user $USER)", o->tap);
		return -LA_ERR_NOENT;
	}
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		int e = errno;

		snprintf(why, whylen, "/dev/net/tun: %s%s", strerror(e),
			 e == ENOENT || e == ENODEV ? " (no tun module loaded?)" : "");
		return e == ENOENT ? -LA_ERR_NOENT : -LA_ERR_IO;
	}
	if (ioctl(fd, TUNGETFEATURES, &features) || !(features & IFF_VNET_HDR)) {
		snprintf(why, whylen, "this kernel's tun has no IFF_VNET_HDR");
		close(fd);
		return -LA_ERR_IO;
	}
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (!o->create)
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", o->tap);
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		int err = la_vnet_iff_fail(o, errno, why, whylen);

		close(fd);
		return err;
	}
	/* a 12-byte header, no offloads until the guest says what it takes */
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) || ioctl(fd, TUNSETOFFLOAD, 0UL)) {
		snprintf(why, whylen, "TUNSETVNETHDRSZ/TUNSETOFFLOAD: %s", strerror(errno));
		close(fd);
		return -LA_ERR_IO;
	}
	snprintf(o->ifname, sizeof(o->ifname), "%.*s", LA_VNET_TAP_NAME_MAX, ifr.ifr_name);
	o->mtu = la_vnet_mtu(o->ifname);
	o->fd = fd;
	return 0;
}

int la_vnet_adopt(struct la_vnet_opts *o, char *why, size_t whylen)
{
	const short want = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	struct ifreq ifr = { 0 };
	int hdr = VNET_HDR, fl;

	o->vhost_fd = -1;
	if (ioctl(o->fd, TUNGETIFF, &ifr) || (ifr.ifr_flags & (want | IFF_TUN | IFF_MULTI_QUEUE))
	    != want) {
		snprintf(why, whylen, "the descriptor passed is not a tap opened with IFF_TAP, "
			 "IFF_NO_PI and IFF_VNET_HDR");
		close(o->fd);
		o->fd = -1;
		return -LA_ERR_BADVALUE;
	}
	snprintf(o->ifname, sizeof(o->ifname), "%.*s", LA_VNET_TAP_NAME_MAX, ifr.ifr_name);
	if (o->tap[0] && strcmp(o->ifname, o->tap)) {
		snprintf(why, whylen, "the descriptor passed is tap %s, not %s", o->ifname, o->tap);
		close(o->fd);
		o->fd = -1;
		return -LA_ERR_BADVALUE;
	}
	fl = fcntl(o->fd, F_GETFL);
	if (fl < 0 || fcntl(o->fd, F_SETFL, fl | O_NONBLOCK) ||
	    ioctl(o->fd, TUNSETVNETHDRSZ, &hdr) || ioctl(o->fd, TUNSETOFFLOAD, 0UL)) {
		snprintf(why, whylen, "setting the tap up: %s", strerror(errno));
		close(o->fd);
		o->fd = -1;
		return -LA_ERR_IO;
	}
	o->mtu = 1500;
	return 0;
}

/* The feature bits vhost-net must offer for the guest to get them. */
static const uint64_t la_vnet_vhost_bits = 1ULL << VNET_F_MRG_RXBUF |
	1ULL << LA_VIRTIO_F_INDIRECT_DESC | 1ULL << LA_VIRTIO_F_EVENT_IDX |
	1ULL << LA_VIRTIO_F_VERSION_1;

int la_vnet_vhost_open(struct la_vnet_opts *o, const char *path, char *why, size_t whylen)
{
	struct la_vhost v;
	int err = la_vhost_open(&v, path, why, whylen);

	if (err)
		return err;
	if (!(v.features & la_vnet_bit(LA_VIRTIO_F_VERSION_1))) {
		snprintf(why, whylen, "this kernel's vhost-net has no VIRTIO_F_VERSION_1");
		la_vhost_close(&v);
		return -LA_ERR_VHOST;
	}
	o->vhost_fd = v.fd;
	o->vhost_features = v.features;
	return 0;
}

/* ---- the device ---- */

/* A receive buffer held: its chain's head, bytes and iovecs (in rxiov). */
struct la_vnet_rxbuf {
	uint16_t head;
	uint32_t cap;
	unsigned niov;
};

struct la_vnet {
	struct la_vtpci t;             /* first: the generic hooks cast */
	int tap;
	struct la_vhost vh;            /* vhost-net, fd -1: the userspace backend */
	unsigned mtu;
	uint8_t config[VNET_CONFIG_LEN];
	/* what the driver negotiated, applied on its first work */
	bool ready, mrg;
	size_t rx_need;                /* bytes the largest packet may take */
	/* receive buffers held, in the order popped: rx[rx0, rx0 + nrx),
	 * their iovecs rxiov[iov0, iov0 + niov) */
	struct la_vnet_rxbuf rx[VNET_QUEUE];
	unsigned rx0, nrx;
	struct iovec rxiov[VNET_RX_IOV];
	unsigned iov0, niov;
	uint64_t rx_cap;
	struct iovec txiov[LA_VIRTQ_MAX_SEG];
};

/* The driver's features, on the tap: what the kernel may hand us, and how
 * much a packet may need. */
static void la_vnet_ready(struct la_vnet *v, const struct la_vtpci *t)
{
	uint64_t f = t->driver_features;
	unsigned long off = 0;

	if (f & la_vnet_bit(VNET_F_GUEST_CSUM)) {
		off |= TUN_F_CSUM;
		if (f & la_vnet_bit(VNET_F_GUEST_TSO4))
			off |= TUN_F_TSO4;
		if (f & la_vnet_bit(VNET_F_GUEST_TSO6))
			off |= TUN_F_TSO6;
		if ((off & (TUN_F_TSO4 | TUN_F_TSO6)) && (f & la_vnet_bit(VNET_F_GUEST_ECN)))
			off |= TUN_F_TSO_ECN;
	}
	/* refused: the kernel segments and checksums for us, which is slower
	 * but right */
	(void)ioctl(v->tap, TUNSETOFFLOAD, off);
	v->mrg = f & la_vnet_bit(VNET_F_MRG_RXBUF);
	v->rx_need = VNET_HDR + ((off & (TUN_F_TSO4 | TUN_F_TSO6)) ? VNET_GSO_MAX : v->mtu + 18u);
	v->ready = true;
}

/* Move the held buffers' records to the front of their arrays. */
static void la_vnet_rx_compact(struct la_vnet *v)
{
	memmove(v->rx, v->rx + v->rx0, v->nrx * sizeof(v->rx[0]));
	memmove(v->rxiov, v->rxiov + v->iov0, v->niov * sizeof(v->rxiov[0]));
	v->rx0 = v->iov0 = 0;
}

/* Whether the buffers held take the largest packet, or are all the guest
 * can give (the whole queue, or readv's limit). */
static bool la_vnet_rx_enough(const struct la_vnet *v, const struct la_vtpci *t)
{
	if (!v->mrg)
		return v->nrx > 0;
	return v->rx_cap >= v->rx_need || v->nrx >= t->q[VNET_RXQ].vq.size ||
	       v->nrx >= VNET_QUEUE || v->niov >= VNET_RX_IOV;
}

/* Hold more receive buffers until enough. returns: whether enough */
static bool la_vnet_rx_fill(struct la_vnet *v, struct la_vtpci *t)
{
	struct la_virtq_chain *c = t->chain;

	while (!la_vnet_rx_enough(v, t)) {
		struct la_vnet_rxbuf *b;
		unsigned room;

		if (!la_vtpci_pop(t, VNET_RXQ, c))
			return false;
		if (!c->nin) { /* nothing to write into */
			la_vtpci_push(t, VNET_RXQ, c->head, 0);
			continue;
		}
		if (v->rx0 + v->nrx >= VNET_QUEUE || v->iov0 + v->niov + c->nin > VNET_RX_IOV)
			la_vnet_rx_compact(v);
		b = &v->rx[v->rx0 + v->nrx++];
		*b = (struct la_vnet_rxbuf){ .head = c->head };
		room = VNET_RX_IOV - v->iov0 - v->niov;
		/* a chain with more segments than readv takes: its first ones */
		for (unsigned i = 0; i < c->nin && i < room; i++) {
			const struct la_virtq_seg *s = &c->seg[c->nout + i];

			v->rxiov[v->iov0 + v->niov++] = (struct iovec){ s->p, s->len };
			b->cap += s->len;
			b->niov++;
		}
		v->rx_cap += b->cap;
	}
	return true;
}

/* Write len bytes at byte off of the iovecs. */
static void la_vnet_iov_put(const struct iovec *iov, unsigned n, size_t off, const void *p,
			    size_t len)
{
	const uint8_t *src = p;

	for (unsigned i = 0; i < n && len; i++) {
		size_t k;

		if (off >= iov[i].iov_len) {
			off -= iov[i].iov_len;
			continue;
		}
		k = iov[i].iov_len - off < len ? iov[i].iov_len - off : len;
		memcpy((uint8_t *)iov[i].iov_base + off, src, k);
		src += k, len -= k, off = 0;
	}
}

/* Hand got bytes the tap wrote into the held buffers to the guest: as many
 * buffers as they fill (one without MRG_RXBUF), num_buffers saying so. */
static void la_vnet_rx_give(struct la_vnet *v, struct la_vtpci *t, size_t got)
{
	unsigned used = 0, niov = 0;
	size_t left = got;
	uint8_t nb[2];

	do {
		const struct la_vnet_rxbuf *b = &v->rx[v->rx0 + used];

		niov += b->niov;
		left -= left < b->cap ? left : b->cap;
		used++;
	} while (v->mrg && left && used < v->nrx);
	la_put16(nb, (uint16_t)used);
	la_vnet_iov_put(v->rxiov + v->iov0, niov, VNET_NUM_BUFFERS, nb, 2);
	left = got;
	for (unsigned i = 0; i < used; i++) {
		const struct la_vnet_rxbuf *b = &v->rx[v->rx0 + i];
		size_t w = left < b->cap ? left : b->cap;

		la_vtpci_push(t, VNET_RXQ, b->head, (uint32_t)w);
		left -= w;
		v->rx_cap -= b->cap;
	}
	v->rx0 += used, v->nrx -= used;
	v->iov0 += niov, v->niov -= niov;
	if (!v->nrx)
		v->rx0 = v->iov0 = 0;
}

/* Packets from the tap into the guest, until the tap has none, the guest
 * no buffers (then the tap waits: paused until it adds some) or a burst's
 * worth is done. */
static void la_vnet_rx(struct la_vnet *v, struct la_vtpci *t)
{
	for (unsigned n = 0; n < VNET_RX_BURST; n++) {
		ssize_t r;

		if (!la_vnet_rx_fill(v, t) && (!v->nrx || v->mrg)) {
			la_vtpci_wake_pause(t, true);
			return;
		}
		la_vtpci_wake_pause(t, false);
		r = readv(v->tap, v->rxiov + v->iov0,
			  (int)(v->mrg ? v->niov : v->rx[v->rx0].niov));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return;
		if (r <= 0) { /* the tap is gone: no more polling it */
			la_vtpci_wake_pause(t, true);
			return;
		}
		la_vnet_rx_give(v, t, (size_t)r);
	}
}

/* The guest's packets to the tap. */
static void la_vnet_tx(struct la_vnet *v, struct la_vtpci *t)
{
	struct la_virtq_chain *c = t->chain;

	while (la_vtpci_pop(t, VNET_TXQ, c)) {
		for (unsigned i = 0; i < c->nout; i++)
			v->txiov[i] = (struct iovec){ c->seg[i].p, c->seg[i].len };
		/* refused (a malformed header, EAGAIN): dropped */
		while (c->nout && writev(v->tap, v->txiov, (int)c->nout) < 0 && errno == EINTR)
			;
		la_vtpci_push(t, VNET_TXQ, c->head, 0);
	}
}

static void la_vnet_work(void *dev, struct la_vtpci *t, int q)
{
	struct la_vnet *v = dev;

	if (!v->ready)
		la_vnet_ready(v, t);
	if (q == (int)VNET_TXQ)
		la_vnet_tx(v, t);
	else
		la_vnet_rx(v, t);
}

/* The driver reset the device: the buffers held were the old driver's. */
static void la_vnet_reset(void *dev)
{
	struct la_vnet *v = dev;

	v->ready = false;
	v->rx0 = v->nrx = v->iov0 = v->niov = 0;
	v->rx_cap = 0;
	la_vtpci_wake_pause(&v->t, false);
}

/* ---- vhost-net ---- */

/* The tap to vhost-net's queue q, or taken back (fd -1).
 * returns: 0, -LA_ERR_VHOST */
static int la_vnet_vhost_backend(struct la_vnet *v, unsigned q, int fd)
{
	struct vhost_vring_file b = { .index = q, .fd = fd };

	if (ioctl(v->vh.fd, VHOST_NET_SET_BACKEND, &b)) {
		v->vh.sys_errno = errno;
		return -LA_ERR_VHOST;
	}
	return 0;
}

/* The driver is ready: the tap's offloads as for the userspace backend,
 * then the kernel's features (the ones it knows), guest RAM, both rings
 * and the tap. */
static int la_vnet_activate(void *dev, struct la_vtpci *t)
{
	struct la_vnet *v = dev;
	int err;

	if (!t->q[VNET_RXQ].enabled || !t->q[VNET_TXQ].enabled)
		return -LA_ERR_VIRTQ;
	la_vnet_ready(v, t);
	err = la_vhost_set_features(&v->vh, t->driver_features & v->vh.features);
	if (!err)
		err = la_vhost_set_mem(&v->vh, t->g);
	for (unsigned q = VNET_RXQ; q <= VNET_TXQ && !err; q++)
		err = la_vhost_vring(&v->vh, q, &t->q[q], la_vtpci_kick_fd(t, q),
				     la_vtpci_call_fd(t, q));
	for (unsigned q = VNET_RXQ; q <= VNET_TXQ && !err; q++)
		err = la_vnet_vhost_backend(v, q, v->tap);
	return err;
}

static void la_vnet_deactivate(void *dev)
{
	struct la_vnet *v = dev;

	for (unsigned q = VNET_RXQ; q <= VNET_TXQ; q++) {
		la_vnet_vhost_backend(v, q, -1);
		la_vhost_vring_unbind(&v->vh, q);
	}
}

/* Both queues are the kernel's: nothing comes here. */
static void la_vnet_vhost_work(void *dev, struct la_vtpci *t, int q)
{
	(void)dev, (void)t, (void)q;
}

static void la_vnet_config_read(void *dev, unsigned off, uint8_t *data, unsigned size)
{
	struct la_vnet *v = dev;

	memcpy(data, v->config + off, size);
}

static const struct la_virtio_ops la_vnet_ops = {
	.what = "virtio-net", .device_id = 1, .class_code = 0x020000, .nqueues = 2,
	.queue_max = VNET_QUEUE, .config_len = VNET_CONFIG_LEN, .kind = LA_THREAD_VIRTIO_NET,
	.config_read = la_vnet_config_read, .work = la_vnet_work, .reset = la_vnet_reset,
};

static const struct la_virtio_ops la_vnet_vhost_ops = {
	.what = "virtio-net", .device_id = 1, .class_code = 0x020000, .nqueues = 2,
	.queue_max = VNET_QUEUE, .config_len = VNET_CONFIG_LEN, .kind = LA_THREAD_VIRTIO_NET,
	.config_read = la_vnet_config_read, .work = la_vnet_vhost_work,
	.reset = la_vnet_reset, .activate = la_vnet_activate,
	.deactivate = la_vnet_deactivate,
};

/* struct virtio_net_config */
static void la_vnet_config(struct la_vnet *v, const uint8_t mac[6])
{
	memcpy(v->config, mac, 6);
	la_put16(v->config + 6, VNET_S_LINK_UP);  /* status */
	la_put16(v->config + 8, 1);               /* max_virtqueue_pairs */
	la_put16(v->config + 10, (uint16_t)v->mtu);
}

int la_vnet_create(const struct la_dev_inst *d, const struct la_dev_env *env, void **state,
		   const struct la_bus_ops **ops)
{
	const struct la_vnet_opts *o = env->backend;
	uint64_t f = la_vnet_bit(VNET_F_CSUM) | la_vnet_bit(VNET_F_GUEST_CSUM) |
		     la_vnet_bit(VNET_F_MTU) | la_vnet_bit(VNET_F_MAC) |
		     la_vnet_bit(VNET_F_GUEST_TSO4) | la_vnet_bit(VNET_F_GUEST_TSO6) |
		     la_vnet_bit(VNET_F_GUEST_ECN) | la_vnet_bit(VNET_F_HOST_TSO4) |
		     la_vnet_bit(VNET_F_HOST_TSO6) | la_vnet_bit(VNET_F_HOST_ECN) |
		     la_vnet_bit(VNET_F_MRG_RXBUF) | la_vnet_bit(VNET_F_STATUS);
	struct la_vnet *v;
	int err;

	if (!o || o->fd < 0)
		return -LA_ERR_BADVALUE; /* a network device needs its tap */
	v = calloc(1, sizeof(*v));
	if (!v)
		return -LA_ERR_NOMEM;
	v->tap = o->fd;
	v->vh = (struct la_vhost){ .fd = o->vhost_fd, .features = o->vhost_features };
	v->mtu = o->mtu ? o->mtu : 1500;
	la_vnet_config(v, o->mac);
	err = la_vtpci_init(&v->t, d, env, v->vh.fd >= 0 ? &la_vnet_vhost_ops : &la_vnet_ops, v,
			    f, env->g, env->mmio);
	if (!err && v->vh.fd >= 0) {
		/* what the kernel serves the queues with, it must offer */
		v->t.features &= ~(la_vnet_vhost_bits & ~v->vh.features);
		la_vtpci_set_external(&v->t, VNET_RXQ);
		la_vtpci_set_external(&v->t, VNET_TXQ);
		if (la_vtpci_call_fd(&v->t, VNET_RXQ) < 0 || la_vtpci_call_fd(&v->t, VNET_TXQ) < 0)
			err = -LA_ERR_IO;
	}
	if (err) {
		la_vtpci_destroy(&v->t);
		free(v);
		return err;
	}
	if (v->vh.fd < 0)
		la_vtpci_set_wake_poll(&v->t, v->tap);
	/* "virtio-net0" runs as la-vnet0 */
	snprintf(v->t.thread_name, sizeof(v->t.thread_name), "la-vnet%.7s",
		 d->name + strcspn(d->name, "0123456789"));
	*state = v;
	*ops = &la_vtpci_bar_ops;
	return 0;
}

/* The tap's and vhost-net's fds are la-vmrun's: not closed here. */
void la_vnet_destroy(void *state)
{
	la_vtpci_destroy(state);
	free(state);
}
