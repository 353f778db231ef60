/* SPDX-License-Identifier: MIT */
/*
 * virtio-rng (virtio spec 1.2, §5.4): one request queue whose
 * device-writable buffers are filled from getrandom(2), as
 * cloud-hypervisor gives every VM by default.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>

#include "err.h"
#include "virtio/devices.h"
#include "virtio/transport.h"

#define VRNG_QUEUE 256u
#define VRNG_MAX_REQUEST 65536u /* bytes given per request at most */

struct la_vrng {
	struct la_vtpci t; /* first: the generic hooks cast */
	uint8_t buf[4096];
};

/* Fill the chain's writable bytes. returns: bytes written */
static uint32_t la_vrng_fill(struct la_vrng *r, const struct la_virtq_chain *c)
{
	uint64_t want = c->in_bytes < VRNG_MAX_REQUEST ? c->in_bytes : VRNG_MAX_REQUEST;
	uint64_t done = 0;

	while (done < want) {
		size_t n = want - done < sizeof(r->buf) ? (size_t)(want - done) : sizeof(r->buf);
		ssize_t got = getrandom(r->buf, n, 0);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		done += la_virtq_write(c, (size_t)done, r->buf, (size_t)got);
	}
	return (uint32_t)done;
}

static void la_vrng_work(void *dev, struct la_vtpci *t, int q)
{
	if (q != 0)
		return;
	while (la_vtpci_pop(t, 0, t->chain))
		la_vtpci_push(t, 0, t->chain->head, la_vrng_fill(dev, t->chain));
}

static void la_vrng_config_read(void *dev, unsigned off, uint8_t *data, unsigned size)
{
	(void)dev, (void)off, (void)data, (void)size;
}

static const struct la_virtio_ops la_vrng_ops = {
	.what = "virtio-rng", .device_id = 4, .class_code = 0x00ff00, .nqueues = 1,
	.queue_max = VRNG_QUEUE, .config_len = 0, .kind = LA_THREAD_VIRTIO_RNG,
	.config_read = la_vrng_config_read, .work = la_vrng_work,
};

int la_vrng_create(const struct la_dev_inst *d, const struct la_dev_env *env, void **state,
		   const struct la_bus_ops **ops)
{
	struct la_vrng *r = calloc(1, sizeof(*r));
	int err;

	if (!r)
		return -LA_ERR_NOMEM;
	err = la_vtpci_init(&r->t, d, env, &la_vrng_ops, r, 0, env->g, env->mmio);
	if (err) {
		la_vtpci_destroy(&r->t);
		free(r);
		return err;
	}
	snprintf(r->t.thread_name, sizeof(r->t.thread_name), "la-vrng");
	*state = r;
	*ops = &la_vtpci_bar_ops;
	return 0;
}

void la_vrng_destroy(void *state)
{
	la_vtpci_destroy(state);
	free(state);
}
