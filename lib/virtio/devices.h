/* SPDX-License-Identifier: MIT */
/*
 * The virtio devices la-vmrun runs over the PCI transport
 * (lib/virtio/transport.h), one file each: blk.c, net.c, rng.c, console.c,
 * vsock.c (its queues served by vhost-vsock, lib/virtio/vhost.h). Their
 * descriptors are in lib/virtio/pci.c; what the user chose for an instance
 * reaches its create through struct la_dev_env.backend, as the structs
 * below.
 */
#ifndef LA_VIRTIO_DEVICES_H
#define LA_VIRTIO_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dev/dev.h"

/* ---- virtio-blk (device ID 2) ---- */

#define LA_VBLK_SERIAL_MAX 20   /* VIRTIO_BLK_ID_BYTES */

/* One --disk: a raw image. */
struct la_vblk_opts {
	const char *path;
	bool ro;                      /* read-only: writes fail in the guest */
	bool direct;                  /* O_DIRECT */
	char serial[LA_VBLK_SERIAL_MAX + 1]; /* GET_ID's answer, "" by default */
	/* filled by la_vblk_open */
	int fd;
	uint64_t size;                /* bytes; the guest sees size / 512 sectors */
	unsigned align;               /* direct: the file's O_DIRECT offset and length
				       * alignment (512 or 4096), the guest's block size */
};

/* la_vblk_open - open o->path (read-write, or read-only for ro; O_DIRECT
 * for direct, its alignment probed with reads of the first block) and take
 * an OFD lock on the whole file (a write lock, a read lock for ro), so a
 * second VM cannot open the same image for writing; o->fd, o->size and
 * o->align are set. On failure why gets the reason.
 * returns: 0, -LA_ERR_NOENT, -LA_ERR_NOTREG, -LA_ERR_LOCKED, -LA_ERR_IO
 * (errno kept) */
int la_vblk_open(struct la_vblk_opts *o, char *why, size_t whylen);

/* la_vblk_adopt - as la_vblk_open, for an image already open at o->fd
 * (la-vmctl add disk passes it over the control socket): a descriptor
 * opened read-only for a disk that is not ro is refused; direct sets
 * O_DIRECT on it. On failure o->fd is closed.
 * returns: as la_vblk_open */
int la_vblk_adopt(struct la_vblk_opts *o, char *why, size_t whylen);

/* la_vblk_serial_check - whether s fits GET_ID (at most 20 bytes, printable
 * ASCII without commas). */
bool la_vblk_serial_ok(const char *s);

/* ---- virtio-net (device ID 1) on a tap ---- */

#define LA_VNET_TAP_NAME_MAX 15       /* IFNAMSIZ - 1 */

enum la_vnet_backend {
	LA_VNET_AUTO,                 /* vhost-net where usable, else userspace */
	LA_VNET_USERSPACE,            /* la-vmrun's device thread moves the packets */
	LA_VNET_VHOST,                /* the kernel's vhost-net does */
};

/* One --net: a tap, existing (tap) or made now (create). */
struct la_vnet_opts {
	char tap[LA_VNET_TAP_NAME_MAX + 1]; /* "" with create */
	bool create;                  /* a new tap; the kernel names it tapN */
	uint8_t mac[6];               /* the guest's */
	enum la_vnet_backend backend; /* asked for (vhost=on|off, default auto) */
	/* filled by la_vnet_open */
	int fd;                       /* the tap: IFF_TAP | IFF_NO_PI | IFF_VNET_HDR */
	char ifname[LA_VNET_TAP_NAME_MAX + 1]; /* its name (the kernel's choice with create) */
	unsigned mtu;                 /* its MTU, offered to the guest (VIRTIO_NET_F_MTU) */
	/* filled by la_vnet_vhost_open: the vhost-net backend, -1: none */
	int vhost_fd;
	uint64_t vhost_features;      /* what it offers (VHOST_GET_FEATURES) */
};

/* la_vnet_mac_parse - "52:54:00:12:34:56" (hex pairs, colons) into mac: a
 * unicast address that is not all zeros.
 * returns: 0, -LA_ERR_BADVALUE (not six hex pairs), -LA_ERR_RANGE
 * (multicast or zero) */
int la_vnet_mac_parse(const char *s, uint8_t mac[6]);

/* la_vnet_default_mac - the MAC of the index'th --net (from 0) without
 * mac=: locally administered 52:54:00:12:34:56 + index (QEMU's first). */
void la_vnet_default_mac(unsigned index, uint8_t mac[6]);

/* la_vnet_open - attach to tap o->tap (it must exist), or make a new one
 * (o->create: needs CAP_NET_ADMIN), with a 12-byte virtio_net_hdr_v1 in
 * front of each packet and no offloads until the guest asks; o->fd,
 * o->ifname and o->mtu are set. On failure why gets the reason.
 * returns: 0, -LA_ERR_NOENT (no such interface, no /dev/net/tun),
 * -LA_ERR_BADVALUE (not a tap), -LA_ERR_IO (errno kept) */
int la_vnet_open(struct la_vnet_opts *o, char *why, size_t whylen);

/* la_vnet_adopt - as la_vnet_open, for a tap already open at o->fd
 * (la-vmctl add net opened it and passed it over the control socket):
 * it must be a tap (TUNGETIFF: IFF_TAP, IFF_NO_PI, IFF_VNET_HDR, one
 * queue) named o->tap; it is made non-blocking and given the 12-byte
 * header and no offloads. o->ifname is set, o->mtu is 1500 (the tap's
 * own needs a socket, which the jail's control thread has none of).
 * Only the userspace backend: o->vhost_fd is -1. On failure o->fd is
 * closed and why gets the reason.
 * returns: 0, -LA_ERR_BADVALUE (not a tap, or another one), -LA_ERR_IO */
int la_vnet_adopt(struct la_vnet_opts *o, char *why, size_t whylen);

#define LA_VNET_VHOST_PATH "/dev/vhost-net"

/* la_vnet_vhost_open - open vhost-net at path (LA_VNET_VHOST_PATH) for
 * this device: o->vhost_fd and o->vhost_features are set, and the device
 * hands both its queues and the tap to the kernel once the driver is
 * ready. Before the jail (it is a file). On failure why gets the reason.
 * returns: 0, -LA_ERR_NOENT, -LA_ERR_IO, -LA_ERR_VHOST (lib/virtio/vhost.h;
 * also when it lacks VIRTIO_F_VERSION_1) */
int la_vnet_vhost_open(struct la_vnet_opts *o, const char *path, char *why, size_t whylen);

/* ---- virtio-console (device ID 3), one port ---- */

struct la_vcons_opts {
	int out_fd;                   /* what the guest writes to hvc0 goes here */
};

/* ---- virtio-vsock (device ID 19) through /dev/vhost-vsock ---- */

#define LA_VSOCK_CID_MIN 3ULL          /* 0-2: hypervisor, local, host */
#define LA_VSOCK_CID_MAX 0xfffffffeULL /* U32_MAX is VMADDR_CID_ANY */
#define LA_VSOCK_DEVICE "/dev/vhost-vsock"

/* One --vsock: the guest's context ID, and its vhost-vsock. */
struct la_vsock_opts {
	uint64_t cid;
	/* filled by la_vsock_open */
	int fd;                       /* the vhost-vsock device, -1: not open */
	uint64_t vhost_features;      /* what it offers */
};

/* la_vsock_cid_ok - whether cid is one a guest may have (3 to
 * 0xfffffffe). */
bool la_vsock_cid_ok(uint64_t cid);

/* la_vsock_open - open path (LA_VSOCK_DEVICE) as a vhost device and give
 * it o->cid (VHOST_VSOCK_SET_GUEST_CID); before the jail and the seccomp
 * filters. o->fd is the caller's to close. On failure why gets the
 * reason. returns: 0, -LA_ERR_NOENT (no such device: the vhost_vsock
 * module not loaded), -LA_ERR_IO (cannot open it), -LA_ERR_VHOST,
 * -LA_ERR_ADDRINUSE (another VM has the CID) */
int la_vsock_open(struct la_vsock_opts *o, const char *path, char *why, size_t whylen);

/* create, destroy and the rest, for the descriptors (lib/virtio/pci.c) */
int la_vblk_create(const struct la_dev_inst *d, const struct la_dev_env *env, void **state,
		   const struct la_bus_ops **ops);
int la_vnet_create(const struct la_dev_inst *d, const struct la_dev_env *env, void **state,
		   const struct la_bus_ops **ops);
int la_vrng_create(const struct la_dev_inst *d, const struct la_dev_env *env, void **state,
		   const struct la_bus_ops **ops);
int la_vcons_create(const struct la_dev_inst *d, const struct la_dev_env *env, void **state,
		    const struct la_bus_ops **ops);
int la_vsock_create(const struct la_dev_inst *d, const struct la_dev_env *env, void **state,
		    const struct la_bus_ops **ops);
unsigned la_vcons_input(void *state, const uint8_t *buf, unsigned len);
void la_vblk_destroy(void *state);
void la_vnet_destroy(void *state);
void la_vrng_destroy(void *state);
void la_vcons_destroy(void *state);
void la_vsock_destroy(void *state);
/* for any of them: their state starts with struct la_vtpci */
struct la_pci_ep *la_virtio_pci_ep(void *state);
int la_virtio_start(void *state);
void la_virtio_unplug(void *state);

#endif
