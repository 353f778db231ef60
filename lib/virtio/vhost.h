/* SPDX-License-Identifier: MIT */
/*
 * A vhost backend (Linux's /dev/vhost-vsock, /dev/vhost-net): the kernel
 * serves some of a virtio device's queues itself, reading and writing
 * guest RAM through the host mapping la-vmrun gives it (the memory table)
 * and talking to the guest through two eventfds per queue: the kick (the
 * transport's notification eventfd, KVM's ioeventfd) and the call (which
 * the transport turns into the queue's interrupt: la_vtpci_call_fd).
 *
 * Life of one:
 *   la_vhost_open        at device creation, before the jail and any
 *                        seccomp filter (open, VHOST_SET_OWNER,
 *                        VHOST_GET_FEATURES)
 *   la_vhost_set_features, la_vhost_set_mem, la_vhost_vring (per queue)
 *                        in the device's activate, on its thread, once
 *                        the driver is ready (DRIVER_OK); then the
 *                        device's own "start" ioctl (vsock: SET_RUNNING)
 *   la_vhost_close       at teardown (close: the kernel stops the rest)
 *
 * The calls here need these ioctls in the device thread's seccomp
 * allowlist: VHOST_SET_FEATURES, VHOST_SET_MEM_TABLE, VHOST_SET_VRING_NUM,
 * VHOST_SET_VRING_BASE, VHOST_SET_VRING_ADDR, VHOST_SET_VRING_KICK,
 * VHOST_SET_VRING_CALL (LA_SYS_VHOST in lib/sandbox_tables.c).
 *
 * Nothing here trusts the guest: ring addresses come from the guest's
 * common configuration and are translated through guest RAM, and a ring
 * any part of which lies outside it is refused before the kernel sees it.
 */
#ifndef LA_VIRTIO_VHOST_H
#define LA_VIRTIO_VHOST_H

#include <linux/vhost.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/guestmem.h"

struct la_vtpci_queue;  /* virtio/transport.h */

struct la_vhost {
	int fd;                  /* -1: closed */
	uint64_t features;       /* VHOST_GET_FEATURES: what the kernel offers */
	const struct la_gmem *g; /* the memory table given (la_vhost_set_mem) */
	int sys_errno;           /* errno of the last failure, 0: none */
};

/* la_vhost_open - open path (O_RDWR | O_CLOEXEC), become its owner
 * (VHOST_SET_OWNER) and read the features it offers into v->features.
 * On failure v->fd is -1, v->sys_errno the errno and why a reason for
 * people ("No such file or directory (is the vhost_vsock module
 * loaded?)" is the caller's to add).
 * returns: 0, -LA_ERR_NOENT (no such device), -LA_ERR_IO (open refused,
 * errno in sys_errno), -LA_ERR_VHOST (an ioctl failed: not a vhost
 * device, or owned already) */
int la_vhost_open(struct la_vhost *v, const char *path, char *why, size_t whylen);

/* la_vhost_set_features - the features the driver accepted, which must
 * be a subset of v->features (VHOST_SET_FEATURES).
 * returns: 0, -LA_ERR_BADVALUE (a bit the kernel does not offer),
 * -LA_ERR_VHOST */
int la_vhost_set_features(struct la_vhost *v, uint64_t features);

/* la_vhost_mem_regions - the memory table of g: one region per guest
 * memory slot (guest physical address, bytes, host address), at most max
 * of them into r. returns: the regions g has (more than max: r is cut) */
unsigned la_vhost_mem_regions(const struct la_gmem *g, struct vhost_memory_region *r,
			      unsigned max);

/* la_vhost_set_mem - give the kernel guest RAM (VHOST_SET_MEM_TABLE from
 * g's slots) and keep g for la_vhost_vring's translations.
 * returns: 0, -LA_ERR_NOMEM, -LA_ERR_VHOST */
int la_vhost_set_mem(struct la_vhost *v, const struct la_gmem *g);

/* la_vhost_vring_addr - the host addresses of queue q's descriptor table
 * (16 bytes per entry), avail ring (6 + 2 per entry) and used ring (6 + 8
 * per entry) in g, as VHOST_SET_VRING_ADDR takes them for queue idx.
 * returns: 0, -LA_ERR_BADVALUE (size 0 or not a power of two),
 * -LA_ERR_GPA (a part not wholly inside one region of guest RAM) */
int la_vhost_vring_addr(const struct la_gmem *g, unsigned idx, const struct la_vtpci_queue *q,
			struct vhost_vring_addr *a);

/* la_vhost_vring - hand queue idx to the kernel: its size, base 0 (the
 * driver just made it ready), its ring addresses (translated through the
 * memory table la_vhost_set_mem gave; refused outside guest RAM), its
 * kick and call eventfds.
 * returns: 0, -LA_ERR_GPA (no memory table yet, or a ring outside guest
 * RAM), -LA_ERR_BADVALUE (bad size), -LA_ERR_VHOST */
int la_vhost_vring(struct la_vhost *v, unsigned idx, const struct la_vtpci_queue *q,
		   int kick_fd, int call_fd);

/* la_vhost_vring_unbind - queue idx's kick and call eventfds taken back
 * (VHOST_FILE_UNBIND), as after a reset: a later la_vhost_vring binds
 * them afresh (and the kernel then looks at a kick already pending).
 * returns: 0, -LA_ERR_VHOST */
int la_vhost_vring_unbind(struct la_vhost *v, unsigned idx);

/* la_vhost_close - close the device (the kernel stops every queue); safe
 * on a closed one. */
void la_vhost_close(struct la_vhost *v);

#endif
