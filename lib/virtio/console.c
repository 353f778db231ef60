/* SPDX-License-Identifier: MIT */
/*
 * virtio-console (virtio spec 1.2, §5.3) with one port and no multiport:
 * queue 0 (receiveq) takes what is typed (la_vcons_input, from la-vmrun's
 * console thread), queue 1 (transmitq) goes to the output fd. The guest
 * sees it as hvc0.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "err.h"
#include "fileio.h"
#include "virtio/devices.h"
#include "virtio/transport.h"

#define VCONS_QUEUE 64u
#define VCONS_IN 4096u           /* typed bytes waiting for the guest */
#define VCONS_CONFIG_LEN 12u     /* cols, rows, max_nr_ports, emerg_wr */

struct la_vcons {
	struct la_vtpci t;       /* first: the generic hooks cast */
	int out_fd;
	int wake_fd;             /* input arrived */
	pthread_mutex_t in_lock; /* in, nin; a leaf */
	uint8_t in[VCONS_IN];
	unsigned nin;
	uint8_t out[4096];
};

unsigned la_vcons_input(void *state, const uint8_t *buf, unsigned len)
{
	struct la_vcons *v = state;
	uint64_t one = 1;
	unsigned n;

	pthread_mutex_lock(&v->in_lock);
	n = VCONS_IN - v->nin < len ? VCONS_IN - v->nin : len;
	memcpy(v->in + v->nin, buf, n);
	v->nin += n;
	pthread_mutex_unlock(&v->in_lock);
	if (n && write(v->wake_fd, &one, sizeof(one)) < 0) {
		/* a full counter still wakes the device thread */
	}
	return n;
}

/* Typed bytes into the guest's receive buffers, while both last. */
static void la_vcons_rx(struct la_vcons *v, struct la_vtpci *t)
{
	struct la_virtq_chain *c = t->chain;

	for (;;) {
		size_t n;

		pthread_mutex_lock(&v->in_lock);
		if (!v->nin || !la_vtpci_pop(t, 0, c)) {
			pthread_mutex_unlock(&v->in_lock);
			return;
		}
		n = la_virtq_write(c, 0, v->in, v->nin);
		memmove(v->in, v->in + n, v->nin - n);
		v->nin -= (unsigned)n;
		pthread_mutex_unlock(&v->in_lock);
		la_vtpci_push(t, 0, c->head, (uint32_t)n);
	}
}

/* A console that is gone loses the guest's bytes. */
static void la_vcons_write_all(int fd, const uint8_t *p, size_t len)
{
	if (fd >= 0)
		(void)la_fd_write_all(fd, p, len);
}

/* What the guest wrote, to the output. */
static void la_vcons_tx(struct la_vcons *v, struct la_vtpci *t)
{
	struct la_virtq_chain *c = t->chain;

	while (la_vtpci_pop(t, 1, c)) {
		for (size_t off = 0; off < c->out_bytes;) {
			size_t n = la_virtq_read(c, off, v->out, sizeof(v->out));

			if (!n)
				break;
			la_vcons_write_all(v->out_fd, v->out, n);
			off += n;
		}
		la_vtpci_push(t, 1, c->head, 0);
	}
}

static void la_vcons_work(void *dev, struct la_vtpci *t, int q)
{
	if (q == 1)
		la_vcons_tx(dev, t);
	else
		la_vcons_rx(dev, t);
}

static void la_vcons_config_read(void *dev, unsigned off, uint8_t *data, unsigned size)
{
	(void)dev, (void)off;
	memset(data, 0, size); /* no size, one port, no emergency write */
}

static const struct la_virtio_ops la_vcons_ops = {
	.what = "virtio-console", .device_id = 3, .class_code = 0x078000, .nqueues = 2,
	.queue_max = VCONS_QUEUE, .config_len = VCONS_CONFIG_LEN,
	.kind = LA_THREAD_VIRTIO_CONSOLE, .config_read = la_vcons_config_read,
	.work = la_vcons_work,
};

static void la_vcons_free(struct la_vcons *v)
{
	la_vtpci_destroy(&v->t);
	if (v->wake_fd >= 0)
		close(v->wake_fd);
	pthread_mutex_destroy(&v->in_lock);
	free(v);
}

int la_vcons_create(const struct la_dev_inst *d, const struct la_dev_env *env, void **state,
		    const struct la_bus_ops **ops)
{
	const struct la_vcons_opts *o = env->backend;
	struct la_vcons *v = calloc(1, sizeof(*v));
	int err;

	if (!v)
		return -LA_ERR_NOMEM;
	pthread_mutex_init(&v->in_lock, NULL);
	v->out_fd = o ? o->out_fd : -1;
	v->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	err = v->wake_fd < 0 ? -LA_ERR_IO :
	      la_vtpci_init(&v->t, d, env, &la_vcons_ops, v, 0, env->g, env->mmio);
	if (err) {
		la_vcons_free(v);
		return err;
	}
	la_vtpci_set_wake_fd(&v->t, v->wake_fd);
	snprintf(v->t.thread_name, sizeof(v->t.thread_name), "la-vcons");
	*state = v;
	*ops = &la_vtpci_bar_ops;
	return 0;
}

void la_vcons_destroy(void *state)
{
	la_vcons_free(state);
}
