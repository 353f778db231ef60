/* SPDX-License-Identifier: MIT */
/* A vhost backend (lib/virtio/vhost.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "err.h"
#include "virtio/transport.h"
#include "virtio/vhost.h"

/* An ioctl that failed: its errno kept. returns: 0, -LA_ERR_VHOST */
static int la_vhost_ioctl(struct la_vhost *v, unsigned long req, void *arg)
{
	if (ioctl(v->fd, req, arg) == 0)
		return 0;
	v->sys_errno = errno;
	return -LA_ERR_VHOST;
}

int la_vhost_open(struct la_vhost *v, const char *path, char *why, size_t whylen)
{
	int err;

	memset(v, 0, sizeof(*v));
	v->fd = open(path, O_RDWR | O_CLOEXEC);
	if (v->fd < 0) {
		v->sys_errno = errno;
		snprintf(why, whylen, "%s", strerror(errno));
		return v->sys_errno == ENOENT ? -LA_ERR_NOENT : -LA_ERR_IO;
	}
	err = la_vhost_ioctl(v, VHOST_SET_OWNER, NULL);
	if (!err)
		err = la_vhost_ioctl(v, VHOST_GET_FEATURES, &v->features);
	if (err) {
		snprintf(why, whylen, "not a vhost device, or in use (%s)", strerror(v->sys_errno));
		close(v->fd);
		v->fd = -1;
	}
	return err;
}

int la_vhost_set_features(struct la_vhost *v, uint64_t features)
{
	if (features & ~v->features)
		return -LA_ERR_BADVALUE;
	return la_vhost_ioctl(v, VHOST_SET_FEATURES, &features);
}

unsigned la_vhost_mem_regions(const struct la_gmem *g, struct vhost_memory_region *r,
			      unsigned max)
{
	for (unsigned i = 0; i < g->n && i < max; i++)
		r[i] = (struct vhost_memory_region){
			.guest_phys_addr = g->s[i].gpa, .memory_size = g->s[i].size,
			.userspace_addr = (uint64_t)(uintptr_t)g->s[i].host,
		};
	return g->n;
}

int la_vhost_set_mem(struct la_vhost *v, const struct la_gmem *g)
{
	struct vhost_memory *m = calloc(1, sizeof(*m) + g->n * sizeof(m->regions[0]));
	int err;

	if (!m)
		return -LA_ERR_NOMEM;
	m->nregions = la_vhost_mem_regions(g, m->regions, g->n);
	err = la_vhost_ioctl(v, VHOST_SET_MEM_TABLE, m);
	free(m);
	if (!err)
		v->g = g;
	return err;
}

/* The host address of len guest bytes at gpa, 0 outside guest RAM. */
static uint64_t la_vhost_hva(const struct la_gmem *g, uint64_t gpa, uint64_t len)
{
	return (uint64_t)(uintptr_t)la_gmem_ptr(g, gpa, len);
}

int la_vhost_vring_addr(const struct la_gmem *g, unsigned idx, const struct la_vtpci_queue *q,
			struct vhost_vring_addr *a)
{
	uint64_t n = q->size;

	if (!n || (n & (n - 1)))
		return -LA_ERR_BADVALUE;
	*a = (struct vhost_vring_addr){
		.index = idx,
		.desc_user_addr = la_vhost_hva(g, q->desc, 16 * n),
		.avail_user_addr = la_vhost_hva(g, q->driver, 6 + 2 * n),
		.used_user_addr = la_vhost_hva(g, q->device, 6 + 8 * n),
	};
	if (!a->desc_user_addr || !a->avail_user_addr || !a->used_user_addr)
		return -LA_ERR_GPA;
	return 0;
}

int la_vhost_vring(struct la_vhost *v, unsigned idx, const struct la_vtpci_queue *q,
		   int kick_fd, int call_fd)
{
	struct vhost_vring_state num = { idx, q->size }, base = { idx, 0 };
	struct vhost_vring_file kick = { idx, kick_fd }, call = { idx, call_fd };
	struct vhost_vring_addr addr;
	int err;

	if (!v->g)
		return -LA_ERR_GPA;
	err = la_vhost_vring_addr(v->g, idx, q, &addr);
	if (!err)
		err = la_vhost_ioctl(v, VHOST_SET_VRING_NUM, &num);
	if (!err)
		err = la_vhost_ioctl(v, VHOST_SET_VRING_BASE, &base);
	if (!err)
		err = la_vhost_ioctl(v, VHOST_SET_VRING_ADDR, &addr);
	if (!err)
		err = la_vhost_ioctl(v, VHOST_SET_VRING_KICK, &kick);
	if (!err)
		err = la_vhost_ioctl(v, VHOST_SET_VRING_CALL, &call);
	return err;
}

int la_vhost_vring_unbind(struct la_vhost *v, unsigned idx)
{
	struct vhost_vring_file kick = { idx, VHOST_FILE_UNBIND }, call = kick;
	int err = la_vhost_ioctl(v, VHOST_SET_VRING_KICK, &kick);

	if (!err)
		err = la_vhost_ioctl(v, VHOST_SET_VRING_CALL, &call);
	return err;
}

void la_vhost_close(struct la_vhost *v)
{
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
}
