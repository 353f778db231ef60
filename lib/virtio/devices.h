/* SPDX-License-Identifier: MIT */
/*
 * The virtio devices la-vmrun runs over the PCI transport
 * (lib/virtio/transport.h), one file each: blk.c, rng.c, console.c. Their
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

/* ---- virtio-console (device ID 3), one port ---- */

struct la_vcons_opts {
	int out_fd;                   /* what the guest writes to hvc0 goes here */
};

/* create, destroy and the rest, for the descriptors (lib/virtio/pci.c) */
int la_vblk_create(const struct la_dev_inst *d, const struct la_dev_env *env, void **state,
		   const struct la_bus_ops **ops);
int la_vrng_create(const struct la_dev_inst *d, const struct la_dev_env *env, void **state,
		   const struct la_bus_ops **ops);
int la_vcons_create(const struct la_dev_inst *d, const struct la_dev_env *env, void **state,
		    const struct la_bus_ops **ops);
unsigned la_vcons_input(void *state, const uint8_t *buf, unsigned len);
void la_vblk_destroy(void *state);
void la_vrng_destroy(void *state);
void la_vcons_destroy(void *state);
/* for any of them: their state starts with struct la_vtpci */
struct la_pci_ep *la_virtio_pci_ep(void *state);
int la_virtio_start(void *state);
void la_virtio_unplug(void *state);

#endif
