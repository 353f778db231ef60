/* SPDX-License-Identifier: MIT */
/* The virtio 1.x modern PCI transport (lib/virtio/transport.h). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "bytes.h"
#include "err.h"
#include "virtio/transport.h"
#include "vm/vm.h"

/* struct virtio_pci_common_cfg (§4.1.4.3) */
enum {
	CC_DFSELECT = 0x00, CC_DF = 0x04, CC_GFSELECT = 0x08, CC_GF = 0x0c,
	CC_MSIX = 0x10, CC_NUMQ = 0x12, CC_STATUS = 0x14, CC_CFGGEN = 0x15,
	CC_QSELECT = 0x16, CC_QSIZE = 0x18, CC_QMSIX = 0x1a, CC_QENABLE = 0x1c,
	CC_QNOFF = 0x1e, CC_QDESC = 0x20, CC_QDRIVER = 0x28, CC_QDEVICE = 0x30,
	CC_QNDATA = 0x38, CC_QRESET = 0x3a, CC_LEN = 0x3c,
};

/* cfg_type of the vendor capabilities (§4.1.4) */
enum { VCAP_COMMON = 1, VCAP_NOTIFY = 2, VCAP_ISR = 3, VCAP_DEVICE = 4, VCAP_PCI = 5 };
#define LA_PCI_CAP_VENDOR 0x09

#define LA_VIRTIO_ISR_QUEUE 0x1
#define LA_VIRTIO_ISR_CONFIG 0x2

static uint64_t la_vtpci_bit(unsigned b)
{
	return 1ULL << b;
}

/* ---- interrupts ---- */

/* INTx: the ISR bit, and the line while any bit is set (unless the
 * driver disabled INTx in the command register). */
static void la_vtpci_isr_raise(struct la_vtpci *t, uint8_t bit)
{
	pthread_mutex_lock(&t->isr_lock);
	t->isr |= bit;
	if (t->m && t->m->irq && !(la_pci_ep_command(&t->ep) & LA_PCI_CMD_INTX_DISABLE))
		t->m->irq(t->m->vm, t->irq, t->source, 1);
	pthread_mutex_unlock(&t->isr_lock);
}

static uint8_t la_vtpci_isr_read(struct la_vtpci *t)
{
	uint8_t v;

	pthread_mutex_lock(&t->isr_lock);
	v = t->isr;
	t->isr = 0;
	if (t->m && t->m->irq)
		t->m->irq(t->m->vm, t->irq, t->source, 0);
	pthread_mutex_unlock(&t->isr_lock);
	return v;
}

static void la_vtpci_irq_queue(struct la_vtpci *t, unsigned q)
{
	if (!la_msix_signal(&t->msix, t->q[q].vector))
		la_vtpci_isr_raise(t, LA_VIRTIO_ISR_QUEUE);
}

static void la_vtpci_irq_config(struct la_vtpci *t)
{
	if (!la_msix_signal(&t->msix, t->config_vector))
		la_vtpci_isr_raise(t, LA_VIRTIO_ISR_CONFIG);
}

void la_vtpci_config_changed(struct la_vtpci *t)
{
	t->generation++;
	la_vtpci_irq_config(t);
}

/* The guest broke queue q: NEEDS_RESET, a configuration interrupt, and
 * the machine told once. */
static void la_vtpci_broken(struct la_vtpci *t, const char *why)
{
	t->status |= LA_VIRTIO_S_NEEDS_RESET;
	la_vtpci_irq_config(t);
	if (!t->said_broken && t->m && t->m->broken)
		t->m->broken(t->m->vm, t->name, why ? why : "a malformed virtqueue");
	t->said_broken = true;
}

/* ---- notifications ---- */

static uint64_t la_vtpci_notify_gpa(const struct la_vtpci *t, unsigned q)
{
	return t->bar_addr + LA_VTPCI_NOTIFY + LA_VTPCI_NOTIFY_MULT * q;
}

/* KVM's ioeventfd for queue q where BAR 0 is now, if it should have one. */
static void la_vtpci_ioevent(struct la_vtpci *t, unsigned q, bool on)
{
	struct la_vtpci_queue *vq = &t->q[q];

	if (!t->m || !t->m->ioeventfd)
		return;
	if (vq->ioeventfd && !on) {
		t->m->ioeventfd(t->m->vm, vq->ioevent_gpa, 2, vq->efd, false);
		vq->ioeventfd = false;
	} else if (!vq->ioeventfd && on && t->bar_on) {
		vq->ioevent_gpa = la_vtpci_notify_gpa(t, q);
		vq->ioeventfd = t->m->ioeventfd(t->m->vm, vq->ioevent_gpa, 2, vq->efd, true) == 0;
	}
}

static void la_vtpci_kick(int fd)
{
	uint64_t one = 1;

	if (fd >= 0 && write(fd, &one, sizeof(one)) < 0) {
		/* a full eventfd counter still wakes the reader */
	}
}

/* ---- queues a vhost backend serves ---- */

static bool la_vtpci_is_external(const struct la_vtpci *t, unsigned q)
{
	return t->external & (1u << q);
}

/* Deactivate, on the device thread (or where there is none), lock held. */
static void la_vtpci_off(struct la_vtpci *t)
{
	if (t->active && t->ops->deactivate)
		t->ops->deactivate(t->dev);
	t->active = false;
	pthread_cond_broadcast(&t->off);
}

/* A reset, on the vCPU thread that wrote it (lock held): the device
 * thread deactivates and this waits, so the kernel serves no queue once
 * the driver sees the reset done. */
static void la_vtpci_off_wait(struct la_vtpci *t)
{
	if (!t->active)
		return;
	if (!t->started || t->gone) {
		la_vtpci_off(t);
		return;
	}
	t->want_off = true;
	la_vtpci_kick(t->ctl_fd);
	while (t->active && !t->gone)
		pthread_cond_wait(&t->off, &t->lock);
	t->want_off = false;
}

/* The driver is ready: the external queues to the kernel, once. */
static void la_vtpci_activate(struct la_vtpci *t)
{
	if (t->active || t->want_off || !t->ops->activate ||
	    (t->status & (LA_VIRTIO_S_DRIVER_OK | LA_VIRTIO_S_NEEDS_RESET)) !=
	    LA_VIRTIO_S_DRIVER_OK)
		return;
	if (t->ops->activate(t->dev, t)) {
		la_vtpci_broken(t, "the host kernel (vhost) refused its queues");
		return;
	}
	t->active = true;
}

void la_vtpci_set_external(struct la_vtpci *t, unsigned q)
{
	if (q >= t->ops->nqueues)
		return;
	t->external |= 1u << q;
	if (t->call_fd[q] < 0)
		t->call_fd[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

int la_vtpci_kick_fd(struct la_vtpci *t, unsigned q)
{
	return q < t->ops->nqueues ? t->q[q].efd : -1;
}

int la_vtpci_call_fd(struct la_vtpci *t, unsigned q)
{
	return q < t->ops->nqueues && la_vtpci_is_external(t, q) ? t->call_fd[q] : -1;
}

/* ---- common configuration ---- */

static void la_vtpci_reset(struct la_vtpci *t)
{
	la_vtpci_off_wait(t);
	for (unsigned i = 0; i < t->ops->nqueues; i++) {
		struct la_vtpci_queue *q = &t->q[i];

		la_vtpci_ioevent(t, i, false);
		*q = (struct la_vtpci_queue){ .size = t->ops->queue_max, .vector = LA_VTPCI_NO_VECTOR,
					      .efd = q->efd };
	}
	t->driver_features = 0;
	t->dfselect = t->gfselect = 0;
	t->config_vector = LA_VTPCI_NO_VECTOR;
	t->status = 0;
	t->qsel = 0;
	t->said_broken = false;
	pthread_mutex_lock(&t->isr_lock);
	t->isr = 0;
	if (t->m && t->m->irq)
		t->m->irq(t->m->vm, t->irq, t->source, 0);
	pthread_mutex_unlock(&t->isr_lock);
	if (t->ops->reset)
		t->ops->reset(t->dev);
	la_vtpci_kick(t->ctl_fd);
}

/* A status the driver writes (§2.1, §3.1.1). */
static void la_vtpci_status(struct la_vtpci *t, uint8_t v)
{
	uint8_t old = t->status;

	if (v == 0) {
		la_vtpci_reset(t);
		return;
	}
	/* FEATURES_OK only for a subset of ours that has VERSION_1 */
	if ((v & LA_VIRTIO_S_FEATURES_OK) && !(old & LA_VIRTIO_S_FEATURES_OK) &&
	    ((t->driver_features & ~t->features) ||
	     !(t->driver_features & la_vtpci_bit(LA_VIRTIO_F_VERSION_1))))
		v &= (uint8_t)~LA_VIRTIO_S_FEATURES_OK;
	/* DRIVER_OK needs FEATURES_OK; the device's NEEDS_RESET stays; no
	 * bit the driver set is taken back but by a reset */
	if (!(v & LA_VIRTIO_S_FEATURES_OK))
		v &= (uint8_t)~LA_VIRTIO_S_DRIVER_OK;
	t->status = (uint8_t)(old | (v & ~LA_VIRTIO_S_NEEDS_RESET));
	if ((t->status & LA_VIRTIO_S_DRIVER_OK) && !(old & LA_VIRTIO_S_DRIVER_OK))
		la_vtpci_kick(t->ctl_fd);
}

static void la_vtpci_queue_enable(struct la_vtpci *t, unsigned qi)
{
	struct la_vtpci_queue *q = &t->q[qi];

	if (q->enabled)
		return;
	if (la_virtq_init(&q->vq, t->g, q->size, q->desc, q->driver, q->device,
			  t->driver_features)) {
		la_vtpci_broken(t, q->vq.why);
		return;
	}
	q->enabled = true;
	la_vtpci_ioevent(t, qi, true);
	la_vtpci_kick(t->ctl_fd);
}

static uint64_t la_vtpci_common_get(struct la_vtpci *t, unsigned off)
{
	struct la_vtpci_queue *q = t->qsel < t->ops->nqueues ? &t->q[t->qsel] : NULL;

	switch (off) {
	case CC_DFSELECT: return t->dfselect;
	case CC_DF: return t->dfselect < 2 ? (uint32_t)(t->features >> (32 * t->dfselect)) : 0;
	case CC_GFSELECT: return t->gfselect;
	case CC_GF:
		return t->gfselect < 2 ? (uint32_t)(t->driver_features >> (32 * t->gfselect)) : 0;
	case CC_MSIX: return t->config_vector;
	case CC_NUMQ: return t->ops->nqueues;
	case CC_STATUS: return t->status;
	case CC_CFGGEN: return t->generation;
	case CC_QSELECT: return t->qsel;
	case CC_QSIZE: return q ? q->size : 0;
	case CC_QMSIX: return q ? q->vector : LA_VTPCI_NO_VECTOR;
	case CC_QENABLE: return q ? q->enabled : 0;
	case CC_QNOFF: return q ? t->qsel : 0;
	case CC_QDESC: return q ? q->desc : 0;
	case CC_QDRIVER: return q ? q->driver : 0;
	case CC_QDEVICE: return q ? q->device : 0;
	case CC_QNDATA: return q ? t->qsel : 0;
	default: return 0;
	}
}

/* The width of the field at off, 0 if off starts none. */
static unsigned la_vtpci_common_width(unsigned off)
{
	switch (off) {
	case CC_DFSELECT: case CC_DF: case CC_GFSELECT: case CC_GF: return 4;
	case CC_STATUS: case CC_CFGGEN: return 1;
	case CC_QDESC: case CC_QDRIVER: case CC_QDEVICE: return 8;
	case CC_QDESC + 4: case CC_QDRIVER + 4: case CC_QDEVICE + 4: return 4;
	default: return off < CC_LEN && off % 2 == 0 ? 2 : 0;
	}
}

static void la_vtpci_set64(uint64_t *f, unsigned part, unsigned size, uint64_t v)
{
	if (size == 8) {
		*f = v;
	} else if (part) {
		*f = (*f & 0xffffffffULL) | (v << 32);
	} else {
		*f = (*f & ~0xffffffffULL) | (uint32_t)v;
	}
}

/* A vector the driver asks for: one of ours, else NO_VECTOR (which tells
 * it the mapping failed, §4.1.5.1.2). */
static uint16_t la_vtpci_vector(const struct la_vtpci *t, uint64_t v)
{
	return v < t->msix.n ? (uint16_t)v : LA_VTPCI_NO_VECTOR;
}

static void la_vtpci_common_set(struct la_vtpci *t, unsigned off, unsigned size, uint64_t v)
{
	struct la_vtpci_queue *q = t->qsel < t->ops->nqueues ? &t->q[t->qsel] : NULL;
	bool qfree = q && !q->enabled; /* a queue's setup, until it is enabled */
	bool feat = !(t->status & LA_VIRTIO_S_FEATURES_OK);

	switch (off) {
	case CC_DFSELECT: t->dfselect = (uint32_t)v; return;
	case CC_GFSELECT: t->gfselect = (uint32_t)v; return;
	case CC_GF:
		if (feat && t->gfselect < 2)
			la_vtpci_set64(&t->driver_features, t->gfselect, 4, v);
		return;
	case CC_MSIX: t->config_vector = la_vtpci_vector(t, v); return;
	case CC_STATUS: la_vtpci_status(t, (uint8_t)v); return;
	case CC_QSELECT: t->qsel = (uint16_t)v; return;
	case CC_QSIZE: if (qfree) q->size = (uint16_t)v; return;
	case CC_QMSIX: if (q) q->vector = la_vtpci_vector(t, v); return;
	case CC_QENABLE:
		if (q && (v & 1) && (t->status & LA_VIRTIO_S_FEATURES_OK))
			la_vtpci_queue_enable(t, t->qsel);
		return;
	case CC_QDESC: case CC_QDESC + 4:
		if (qfree) la_vtpci_set64(&q->desc, off - CC_QDESC, size, v);
		return;
	case CC_QDRIVER: case CC_QDRIVER + 4:
		if (qfree) la_vtpci_set64(&q->driver, off - CC_QDRIVER, size, v);
		return;
	case CC_QDEVICE: case CC_QDEVICE + 4:
		if (qfree) la_vtpci_set64(&q->device, off - CC_QDEVICE, size, v);
		return;
	default:
		return; /* read-only */
	}
}

/* One access to the common configuration: whole fields only (§4.1.3.1:
 * the driver accesses each field at its width); others read 0 and are
 * dropped. */
static void la_vtpci_common(struct la_vtpci *t, unsigned off, bool write, uint8_t *data,
			    unsigned size)
{
	unsigned w = la_vtpci_common_width(off);
	bool high = off == CC_QDESC + 4 || off == CC_QDRIVER + 4 || off == CC_QDEVICE + 4;
	uint64_t v;

	if (!w || (size != w && !(w == 8 && size == 4))) {
		if (!write)
			memset(data, 0, size);
		return;
	}
	if (write) {
		v = size == 8 ? la_get64(data) : size == 4 ? la_get32(data) :
		    size == 2 ? la_get16(data) : data[0];
		la_vtpci_common_set(t, off, size, v);
		return;
	}
	v = la_vtpci_common_get(t, high ? off - 4 : off);
	if (high)
		v >>= 32;
	for (unsigned i = 0; i < size; i++)
		data[i] = (uint8_t)(v >> (8 * i));
}

/* ---- BAR 0 ---- */

static void la_vtpci_bar(struct la_vtpci *t, uint64_t off, bool write, uint8_t *data,
			 unsigned size)
{
	if (off >= LA_VTPCI_NOTIFY && off < LA_VTPCI_NOTIFY + LA_VTPCI_NOTIFY_MULT *
						 (uint64_t)t->ops->nqueues) {
		/* the path without KVM's ioeventfd: the same eventfd */
		if (write)
			la_vtpci_kick(t->q[(off - LA_VTPCI_NOTIFY) / LA_VTPCI_NOTIFY_MULT].efd);
		else
			memset(data, 0, size);
		return;
	}
	if (off >= LA_VTPCI_MSIX_TABLE && off < LA_VTPCI_MSIX_PBA) {
		la_msix_table(&t->msix, off - LA_VTPCI_MSIX_TABLE, write, data, size);
		return;
	}
	if (off >= LA_VTPCI_MSIX_PBA && off < LA_VTPCI_MSIX_PBA + 0x1000) {
		if (!write)
			la_msix_pba(&t->msix, off - LA_VTPCI_MSIX_PBA, data, size);
		return;
	}
	if (off == LA_VTPCI_ISR) {
		if (!write) {
			memset(data, 0, size);
			data[0] = la_vtpci_isr_read(t);
		}
		return;
	}
	pthread_mutex_lock(&t->lock);
	if (off < CC_LEN) {
		la_vtpci_common(t, (unsigned)off, write, data, size);
	} else if (off >= LA_VTPCI_DEVCFG && off + size <= LA_VTPCI_DEVCFG + t->ops->config_len) {
		unsigned o = (unsigned)(off - LA_VTPCI_DEVCFG);

		if (!write)
			t->ops->config_read(t->dev, o, data, size);
		else if (t->ops->config_write)
			t->ops->config_write(t->dev, o, data, size);
	} else if (!write) {
		memset(data, 0, size);
	}
	pthread_mutex_unlock(&t->lock);
}

static void la_vtpci_bar_read(void *ctx, uint64_t off, uint8_t *data, unsigned size)
{
	la_vtpci_bar(ctx, off, false, data, size);
}

static void la_vtpci_bar_write(void *ctx, uint64_t off, const uint8_t *data, unsigned size)
{
	uint8_t t[8];

	if (size > 8)
		size = 8;
	memcpy(t, data, size);
	la_vtpci_bar(ctx, off, true, t, size);
}

const struct la_bus_ops la_vtpci_bar_ops = { la_vtpci_bar_read, la_vtpci_bar_write };

/* ---- config space: BAR moves and the PCI cfg access capability ---- */

static void la_vtpci_bar_map(void *ctx, unsigned bar, uint64_t addr, bool on)
{
	struct la_vtpci *t = ctx;

	if (bar != 0)
		return;
	pthread_mutex_lock(&t->lock);
	for (unsigned i = 0; i < t->ops->nqueues; i++)
		la_vtpci_ioevent(t, i, false);
	t->bar_on = on;
	t->bar_addr = addr;
	for (unsigned i = 0; on && i < t->ops->nqueues; i++)
		if (t->q[i].enabled)
			la_vtpci_ioevent(t, i, true);
	pthread_mutex_unlock(&t->lock);
}

/* virtio_pci_cfg_cap: bar at +4, offset at +8, length at +12, data at
 * +16. An access to the data reaches BAR 0 at offset, length bytes. */
static bool la_vtpci_cfgacc(struct la_vtpci *t, unsigned reg, unsigned size, uint64_t *off,
			    unsigned *len)
{
	const uint8_t *c = t->ep.cfg + t->cfgacc;

	if (!t->cfgacc || reg + size <= t->cfgacc + 16u || reg >= t->cfgacc + 20u)
		return false;
	*off = la_get32(c + 8);
	*len = la_get32(c + 12);
	return c[4] == 0 && (*len == 1 || *len == 2 || *len == 4) &&
	       *off + *len <= LA_VTPCI_BAR_SIZE && *off % *len == 0;
}

static void la_vtpci_cfg_read(void *ctx, unsigned reg, uint8_t *data, unsigned size)
{
	struct la_vtpci *t = ctx;
	uint8_t buf[4] = { 0 };
	uint64_t off;
	unsigned len;

	if (!la_vtpci_cfgacc(t, reg, size, &off, &len))
		return;
	la_vtpci_bar(t, off, false, buf, len);
	for (unsigned i = 0; i < size; i++) {
		unsigned r = reg + i;

		if (r >= t->cfgacc + 16u && r < t->cfgacc + 20u)
			data[i] = buf[r - t->cfgacc - 16u];
	}
}

static void la_vtpci_cfg_write(void *ctx, unsigned reg, const uint8_t *data, unsigned size)
{
	struct la_vtpci *t = ctx;
	uint8_t buf[4];
	uint64_t off;
	unsigned len;

	(void)data;
	la_msix_cfg_written(&t->msix, reg, size);
	if (!la_vtpci_cfgacc(t, reg, size, &off, &len))
		return;
	memcpy(buf, t->ep.cfg + t->cfgacc + 16, 4);
	la_vtpci_bar(t, off, true, buf, len);
}

static const struct la_pci_ep_ops la_vtpci_ep_ops = {
	la_vtpci_bar_map, la_vtpci_cfg_read, la_vtpci_cfg_write,
};

/* One vendor capability: cfg_type, BAR 0, offset and length (+ extra). */
static int la_vtpci_vcap(struct la_pci_ep *ep, uint8_t type, uint32_t off, uint32_t len,
			 const uint8_t *extra, unsigned nextra, const uint8_t *wmask, uint8_t *at)
{
	uint8_t c[24] = { LA_PCI_CAP_VENDOR, 0, (uint8_t)(16 + nextra), type, 0 };

	la_put32(c + 8, off);
	la_put32(c + 12, len);
	if (nextra)
		memcpy(c + 16, extra, nextra);
	return la_pci_ep_cap_add(ep, c, 16 + nextra, wmask, at);
}

static int la_vtpci_caps(struct la_vtpci *t)
{
	static const uint8_t acc_mask[20] = {
		[4] = 0xff, [8] = 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff,
	};
	uint8_t mult[4], zero[4] = { 0 };
	int err;

	la_put32(mult, LA_VTPCI_NOTIFY_MULT);
	err = la_vtpci_vcap(&t->ep, VCAP_COMMON, LA_VTPCI_COMMON, CC_LEN, NULL, 0, NULL, NULL);
	if (!err)
		err = la_vtpci_vcap(&t->ep, VCAP_NOTIFY, LA_VTPCI_NOTIFY, 0x1000, mult, 4, NULL,
				    NULL);
	if (!err)
		err = la_vtpci_vcap(&t->ep, VCAP_ISR, LA_VTPCI_ISR, 4, NULL, 0, NULL, NULL);
	if (!err && t->ops->config_len)
		err = la_vtpci_vcap(&t->ep, VCAP_DEVICE, LA_VTPCI_DEVCFG, t->ops->config_len, NULL,
				    0, NULL, NULL);
	if (!err)
		err = la_vtpci_vcap(&t->ep, VCAP_PCI, 0, 0, zero, 4, acc_mask, &t->cfgacc);
	return err;
}

/* ---- life ---- */

int la_vtpci_init(struct la_vtpci *t, const struct la_dev_inst *d, const struct la_dev_env *env,
		  const struct la_virtio_ops *ops, void *dev, uint64_t features,
		  const struct la_gmem *g, struct la_bus *mmio)
{
	const struct la_grant *slot = la_dev_inst_grant(d, LA_RES_PCI, 0);
	const struct la_grant *bar = la_dev_inst_grant(d, LA_RES_MMIO, 0);
	const struct la_grant *irq = la_dev_inst_grant(d, LA_RES_IRQ, 0);
	int err;

	memset(t, 0, sizeof(*t));
	t->ctl_fd = t->wake_fd = -1;
	for (unsigned i = 0; i < LA_VTPCI_MAX_QUEUES; i++)
		t->q[i].efd = t->call_fd[i] = -1;
	if (!slot || !bar || la_range_len(bar->range) != LA_VTPCI_BAR_SIZE ||
	    ops->nqueues > LA_VTPCI_MAX_QUEUES || ops->nqueues == 0)
		return -LA_ERR_RANGE;
	t->ops = ops;
	t->dev = dev;
	t->m = env ? env->m : NULL;
	t->g = g;
	t->irq = irq ? irq->value : 0;
	t->source = env ? env->source : 1;
	t->prog = env && env->prog ? env->prog : "la";
	t->seccomp = env ? env->seccomp : LA_SECCOMP_OFF;
	snprintf(t->name, sizeof(t->name), "%s", d->name);
	t->features = features | la_vtpci_bit(LA_VIRTIO_F_VERSION_1) |
		      la_vtpci_bit(LA_VIRTIO_F_INDIRECT_DESC) | la_vtpci_bit(LA_VIRTIO_F_EVENT_IDX);
	pthread_mutex_init(&t->lock, NULL);
	pthread_mutex_init(&t->isr_lock, NULL);
	pthread_cond_init(&t->off, NULL);
	la_pci_ep_init(&t->ep, d->desc->name, LA_VIRTIO_PCI_VENDOR,
		       (uint16_t)(LA_VIRTIO_PCI_DEVICE_BASE + ops->device_id), ops->class_code, 1,
		       LA_VIRTIO_PCI_VENDOR, 0x40, mmio);
	la_pci_ep_set_ops(&t->ep, &la_vtpci_ep_ops, t);
	err = la_pci_ep_bar(&t->ep, 0, LA_VTPCI_BAR_SIZE, bar->range.start, &la_vtpci_bar_ops, t);
	if (!err && irq)
		la_pci_ep_intx(&t->ep, 1, (uint8_t)irq->value);
	if (!err)
		err = la_vtpci_caps(t);
	if (!err)
		err = la_msix_init(&t->msix, &t->ep, ops->nqueues + 1u, 0, LA_VTPCI_MSIX_TABLE,
				   LA_VTPCI_MSIX_PBA,
				   (uint32_t)slot->bus << 8 | (uint32_t)slot->dev << 3 | slot->func,
				   t->m);
	if (err)
		return err;
	t->chain = malloc(sizeof(*t->chain));
	if (!t->chain)
		return -LA_ERR_NOMEM;
	t->ctl_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	for (unsigned i = 0; i < ops->nqueues; i++)
		t->q[i].efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	for (unsigned i = 0; i < ops->nqueues; i++)
		if (t->q[i].efd < 0)
			return -LA_ERR_IO;
	if (t->ctl_fd < 0)
		return -LA_ERR_IO;
	la_vtpci_reset(t);
	t->generation = 0;
	return 0;
}

void la_vtpci_set_wake_fd(struct la_vtpci *t, int fd)
{
	t->wake_fd = fd;
	t->wake_level = false;
}

void la_vtpci_set_wake_poll(struct la_vtpci *t, int fd)
{
	t->wake_fd = fd;
	t->wake_level = true;
}

void la_vtpci_wake_pause(struct la_vtpci *t, bool pause)
{
	t->wake_paused = pause;
}

/* The fd the thread polls for the wake fd (lock held): a level-triggered
 * one only while what it has can go somewhere, else it would fire forever;
 * -1 (poll skips it, POLLERR and POLLHUP too) meanwhile. */
static int la_vtpci_wake_polled(const struct la_vtpci *t)
{
	if (!t->wake_level)
		return t->wake_fd;
	return (t->status & LA_VIRTIO_S_DRIVER_OK) && !t->wake_paused ? t->wake_fd : -1;
}

bool la_vtpci_live(const struct la_vtpci *t, unsigned q)
{
	return q < t->ops->nqueues && t->q[q].enabled &&
	       (t->status & (LA_VIRTIO_S_DRIVER_OK | LA_VIRTIO_S_NEEDS_RESET)) ==
	       LA_VIRTIO_S_DRIVER_OK;
}

int la_vtpci_pop(struct la_vtpci *t, unsigned q, struct la_virtq_chain *c)
{
	struct la_virtq *vq = &t->q[q].vq;
	int r;

	if (!la_vtpci_live(t, q))
		return 0;
	r = la_virtq_pop(vq, c);
	if (r == 0 && la_virtq_notify_on(vq))
		r = la_virtq_pop(vq, c);
	if (r < 0) {
		la_vtpci_broken(t, vq->why);
		return 0;
	}
	return r;
}

void la_vtpci_push(struct la_vtpci *t, unsigned q, uint16_t head, uint32_t written)
{
	la_virtq_push(&t->q[q].vq, head, written);
	t->q[q].pushed = true;
}

void la_vtpci_work_done(struct la_vtpci *t)
{
	for (unsigned i = 0; i < t->ops->nqueues; i++) {
		struct la_vtpci_queue *q = &t->q[i];

		if (!q->pushed)
			continue;
		q->pushed = false;
		if (q->enabled && la_virtq_need_irq(&q->vq))
			la_vtpci_irq_queue(t, i);
	}
}

/* Read what an eventfd counted. returns: whether it had fired */
static bool la_vtpci_drain(int fd)
{
	uint64_t v;

	return read(fd, &v, sizeof(v)) == sizeof(v);
}

/* What the device thread polls: its control eventfd, the device's wake
 * fd, the notifications of the queues it serves, the interrupts of the
 * queues the kernel serves. */
enum la_vtpci_pk { PK_CTL, PK_WAKE, PK_NOTIFY, PK_CALL };

struct la_vtpci_polls {
	unsigned n;
	struct pollfd fd[2 + 2 * LA_VTPCI_MAX_QUEUES];
	uint8_t kind[2 + 2 * LA_VTPCI_MAX_QUEUES], q[2 + 2 * LA_VTPCI_MAX_QUEUES];
};

static void la_vtpci_poll_add(struct la_vtpci_polls *p, int fd, enum la_vtpci_pk kind, unsigned q)
{
	p->fd[p->n] = (struct pollfd){ .fd = fd, .events = POLLIN };
	p->kind[p->n] = (uint8_t)kind;
	p->q[p->n++] = (uint8_t)q;
}

static void la_vtpci_polls(const struct la_vtpci *t, struct la_vtpci_polls *p)
{
	p->n = 0;
	la_vtpci_poll_add(p, t->ctl_fd, PK_CTL, 0);
	if (t->wake_fd >= 0)
		la_vtpci_poll_add(p, la_vtpci_wake_polled(t), PK_WAKE, 0);
	for (unsigned i = 0; i < t->ops->nqueues; i++) {
		if (!la_vtpci_is_external(t, i))
			la_vtpci_poll_add(p, t->q[i].efd, PK_NOTIFY, i);
		else if (t->call_fd[i] >= 0)
			la_vtpci_poll_add(p, t->call_fd[i], PK_CALL, i);
	}
}

/* One wakeup's work: a reset's or the stop's deactivate, the kernel's
 * interrupts, activate once the driver is ready, the queues notified (all
 * of them after a control wakeup: the driver may have notified before
 * DRIVER_OK), the device's own. returns: false to stop */
static bool la_vtpci_round(struct la_vtpci *t, struct la_vtpci_polls *p)
{
	bool ctl = false, wake = false;
	bool fired[LA_VTPCI_MAX_QUEUES] = { false }, called[LA_VTPCI_MAX_QUEUES] = { false };

	for (unsigned i = 0; i < p->n; i++) {
		if (!p->fd[i].revents)
			continue;
		switch (p->kind[i]) {
		case PK_CTL: ctl = la_vtpci_drain(p->fd[i].fd); break;
		case PK_WAKE: wake = t->wake_level || la_vtpci_drain(p->fd[i].fd); break;
		case PK_NOTIFY: fired[p->q[i]] = la_vtpci_drain(p->fd[i].fd); break;
		default: called[p->q[i]] = la_vtpci_drain(p->fd[i].fd); break;
		}
	}
	pthread_mutex_lock(&t->lock);
	if (t->stop) {
		la_vtpci_off(t);
		pthread_mutex_unlock(&t->lock);
		return false;
	}
	if (t->want_off)
		la_vtpci_off(t);
	for (unsigned i = 0; i < t->ops->nqueues; i++)
		if (called[i] && t->active && t->q[i].enabled)
			la_vtpci_irq_queue(t, i);
	if (ctl)
		la_vtpci_activate(t);
	for (unsigned i = 0; i < t->ops->nqueues; i++)
		if ((fired[i] || ctl) && !la_vtpci_is_external(t, i) && la_vtpci_live(t, i))
			t->ops->work(t->dev, t, (int)i);
	if ((wake || ctl) && (t->status & LA_VIRTIO_S_DRIVER_OK))
		t->ops->work(t->dev, t, -1);
	la_vtpci_work_done(t);
	for (unsigned i = 0; i < p->n; i++)
		if (p->kind[i] == PK_WAKE)
			p->fd[i].fd = la_vtpci_wake_polled(t);
	pthread_mutex_unlock(&t->lock);
	return true;
}

/* The thread is gone: a reset waiting for a deactivate waits no more. */
static void *la_vtpci_thread_end(struct la_vtpci *t)
{
	pthread_mutex_lock(&t->lock);
	t->gone = true;
	pthread_cond_broadcast(&t->off);
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

static void *la_vtpci_thread(void *p)
{
	struct la_vtpci *t = p;
	struct la_vtpci_polls polls;

	pthread_setname_np(pthread_self(), t->thread_name);
	la_sandbox_set_thread(t->ops->kind, 0);
	if (la_sandbox_filter_install(t->prog, t->ops->kind, t->seccomp)) {
		if (t->m)
			t->m->request_exit(t->m->vm, LA_FATE_VMM, "seccomp filter of a device thread");
		return la_vtpci_thread_end(t);
	}
	la_sandbox_test_hook(la_thread_kind_name(t->ops->kind));
	if (t->m && t->m->note)
		t->m->note(t->m->vm, LA_NOTE_FILTER, t->ops->kind);
	pthread_mutex_lock(&t->lock);
	la_vtpci_polls(t, &polls);
	pthread_mutex_unlock(&t->lock);
	for (;;) {
		if (ppoll(polls.fd, polls.n, NULL, NULL) < 0 && errno != EINTR)
			break;
		if (!la_vtpci_round(t, &polls))
			break;
	}
	return la_vtpci_thread_end(t);
}

int la_vtpci_start(struct la_vtpci *t)
{
	if (t->started)
		return 0;
	if (!t->thread_name[0])
		snprintf(t->thread_name, sizeof(t->thread_name), "la-virtio");
	/* the irqchip is complete now, the guest not yet running: a function
	 * whose vectors KVM will not bind stays on INTx */
	la_msix_bind(&t->msix);
	t->gone = false;
	if (la_vm_thread_create(&t->thread, la_vtpci_thread, t))
		return -LA_ERR_THREAD;
	t->started = true;
	return 0;
}

void la_vtpci_stop(struct la_vtpci *t)
{
	if (!t->started)
		return;
	pthread_mutex_lock(&t->lock);
	t->stop = true;
	pthread_mutex_unlock(&t->lock);
	la_vtpci_kick(t->ctl_fd);
	pthread_join(t->thread, NULL);
	t->started = false;
}

void la_vtpci_unplug(struct la_vtpci *t)
{
	if (!t->ops)
		return;
	la_vtpci_stop(t);
	if (t->ep.mmio) {
		pthread_mutex_lock(&t->ep.mmio->lock);
		la_pci_ep_unmap(&t->ep);
		pthread_mutex_unlock(&t->ep.mmio->lock);
	}
	la_msix_release(&t->msix);
}

void la_vtpci_destroy(struct la_vtpci *t)
{
	if (!t->ops)
		return;
	la_vtpci_stop(t);
	/* the BAR stays on the bus: the VM's buses go with the VM */
	for (unsigned i = 0; i < LA_VTPCI_MAX_QUEUES; i++) {
		if (t->q[i].efd >= 0)
			close(t->q[i].efd);
		if (t->call_fd[i] >= 0)
			close(t->call_fd[i]);
	}
	if (t->ctl_fd >= 0)
		close(t->ctl_fd);
	la_msix_destroy(&t->msix);
	free(t->chain);
	pthread_mutex_destroy(&t->lock);
	pthread_mutex_destroy(&t->isr_lock);
	pthread_cond_destroy(&t->off);
	t->ops = NULL;
}

/* ---- the descriptors' hooks, for any device whose state starts with
 * struct la_vtpci (lib/virtio/devices.h) ---- */

struct la_pci_ep *la_virtio_pci_ep(void *state)
{
	return &((struct la_vtpci *)state)->ep;
}

int la_virtio_start(void *state)
{
	return la_vtpci_start(state);
}

void la_virtio_unplug(void *state)
{
	la_vtpci_unplug(state);
}
