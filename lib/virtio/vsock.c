/* SPDX-License-Identifier: MIT */
/*
 * virtio-vsock (virtio spec 1.2, §5.10) through the host kernel's
 * vhost-vsock: the configuration is the guest's CID (le64), queue 0 (rx)
 * and 1 (tx) are the kernel's (lib/virtio/vhost.h), queue 2 (event) is
 * ours. The only event the spec has, TRANSPORT_RESET, follows a CID change
 * (migration), which la-vmrun never makes: the driver's event buffers
 * stay available, unused, as the spec allows.
 *
 * The vhost-vsock device is opened, owned and given the CID by
 * la_vsock_open before the jail (la-vmrun's, so a missing module or a CID
 * in use is said before the VM is built); the device thread (seccomp kind
 * virtio-vsock) hands the queues over at DRIVER_OK and takes them back on
 * a reset.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "bytes.h"
#include "err.h"
#include "virtio/devices.h"
#include "virtio/transport.h"
#include "virtio/vhost.h"

#define VSOCK_QUEUE 128u
#define VSOCK_RX 0u
#define VSOCK_TX 1u
#define VSOCK_EVENT 2u
#define VSOCK_CONFIG_LEN 8u
#define VSOCK_F_SEQPACKET 1

struct la_vsock {
	struct la_vtpci t;       /* first: the generic hooks cast */
	struct la_vhost vh;      /* its fd is la-vmrun's (la_vsock_open) */
	uint8_t config[VSOCK_CONFIG_LEN];
};

bool la_vsock_cid_ok(uint64_t cid)
{
	return cid >= LA_VSOCK_CID_MIN && cid <= LA_VSOCK_CID_MAX;
}

int la_vsock_open(struct la_vsock_opts *o, const char *path, char *why, size_t whylen)
{
	struct la_vhost v;
	uint64_t cid = o->cid;
	int err = la_vhost_open(&v, path, why, whylen);

	o->fd = -1;
	if (err)
		return err;
	if (ioctl(v.fd, VHOST_VSOCK_SET_GUEST_CID, &cid)) {
		int e = errno;

		if (e == EADDRINUSE)
			snprintf(why, whylen, "CID %llu is in use (another VM has it)",
				 (unsigned long long)cid);
		else
			snprintf(why, whylen, "VHOST_VSOCK_SET_GUEST_CID: %s", strerror(e));
		la_vhost_close(&v);
		errno = e;
		return e == EADDRINUSE ? -LA_ERR_ADDRINUSE : -LA_ERR_VHOST;
	}
	o->fd = v.fd;
	o->vhost_features = v.features;
	return 0;
}

/* vhost-vsock's "start" and "stop". returns: 0, -LA_ERR_VHOST */
static int la_vsock_running(struct la_vsock *v, int on)
{
	if (ioctl(v->vh.fd, VHOST_VSOCK_SET_RUNNING, &on)) {
		v->vh.sys_errno = errno;
		return -LA_ERR_VHOST;
	}
	return 0;
}

static int la_vsock_activate(void *dev, struct la_vtpci *t)
{
	struct la_vsock *v = dev;
	int err;

	if (!t->q[VSOCK_RX].enabled || !t->q[VSOCK_TX].enabled)
		return -LA_ERR_VIRTQ;
	err = la_vhost_set_features(&v->vh, t->driver_features);
	if (!err)
		err = la_vhost_set_mem(&v->vh, t->g);
	for (unsigned q = VSOCK_RX; q <= VSOCK_TX && !err; q++)
		err = la_vhost_vring(&v->vh, q, &t->q[q], la_vtpci_kick_fd(t, q),
				     la_vtpci_call_fd(t, q));
	if (!err)
		err = la_vsock_running(v, 1);
	return err;
}

static void la_vsock_deactivate(void *dev)
{
	struct la_vsock *v = dev;

	la_vsock_running(v, 0);
	for (unsigned q = VSOCK_RX; q <= VSOCK_TX; q++)
		la_vhost_vring_unbind(&v->vh, q);
}

/* The event queue: nothing to tell (see the top); rx and tx are the
 * kernel's and never come here. */
static void la_vsock_work(void *dev, struct la_vtpci *t, int q)
{
	(void)dev, (void)t, (void)q;
}

static void la_vsock_config_read(void *dev, unsigned off, uint8_t *data, unsigned size)
{
	struct la_vsock *v = dev;

	memcpy(data, v->config + off, size);
}

static const struct la_virtio_ops la_vsock_ops = {
	.what = "virtio-vsock", .device_id = 19, .class_code = 0x078000, .nqueues = 3,
	.queue_max = VSOCK_QUEUE, .config_len = VSOCK_CONFIG_LEN,
	.kind = LA_THREAD_VIRTIO_VSOCK, .config_read = la_vsock_config_read,
	.work = la_vsock_work, .activate = la_vsock_activate,
	.deactivate = la_vsock_deactivate,
};

int la_vsock_create(const struct la_dev_inst *d, const struct la_dev_env *env, void **state,
		    const struct la_bus_ops **ops)
{
	const struct la_vsock_opts *o = env->backend;
	struct la_vsock *v;
	int err;

	if (!o || o->fd < 0 || !la_vsock_cid_ok(o->cid))
		return -LA_ERR_BADVALUE; /* la_vsock_open first */
	v = calloc(1, sizeof(*v));
	if (!v)
		return -LA_ERR_NOMEM;
	v->vh = (struct la_vhost){ .fd = o->fd, .features = o->vhost_features };
	la_put64(v->config, o->cid);
	err = la_vtpci_init(&v->t, d, env, &la_vsock_ops, v,
			    o->vhost_features & (1ULL << VSOCK_F_SEQPACKET), env->g, env->mmio);
	if (err) {
		la_vtpci_destroy(&v->t);
		free(v);
		return err;
	}
	/* what the guest is offered, the kernel must take */
	v->t.features &= o->vhost_features;
	la_vtpci_set_external(&v->t, VSOCK_RX);
	la_vtpci_set_external(&v->t, VSOCK_TX);
	if (la_vtpci_call_fd(&v->t, VSOCK_RX) < 0 || la_vtpci_call_fd(&v->t, VSOCK_TX) < 0) {
		la_vtpci_destroy(&v->t);
		free(v);
		return -LA_ERR_IO;
	}
	snprintf(v->t.thread_name, sizeof(v->t.thread_name), "la-vsock");
	*state = v;
	*ops = &la_vtpci_bar_ops;
	return 0;
}

/* The vhost-vsock fd is la-vmrun's: not closed here. */
void la_vsock_destroy(void *state)
{
	la_vtpci_destroy(state);
	free(state);
}
