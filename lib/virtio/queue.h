/* SPDX-License-Identifier: MIT */
/*
 * A virtio 1.x split virtqueue seen from the device side, over guest RAM
 * (struct la_gmem). The guest owns every byte it reads: each descriptor,
 * index and length is checked before use, and a queue the guest got wrong
 * (a descriptor outside guest RAM, a chain that loops or is longer than
 * the queue, an indirect table in an indirect table or of a bad length, a
 * device-readable descriptor after a device-writable one, an avail index
 * more than size ahead) is broken: la_virtq_pop says so once with a
 * static reason, and the transport sets NEEDS_RESET. Nothing here
 * touches memory outside guest RAM, and nothing allocates.
 *
 * Indirect descriptors (VIRTIO_F_INDIRECT_DESC) and EVENT_IDX
 * (VIRTIO_F_EVENT_IDX) are supported as negotiated. One thread uses a
 * queue at a time (the device's); the guest runs concurrently, so reads of
 * the avail ring are ordered with acquire and used-ring writes published
 * with release barriers.
 */
#ifndef LA_VIRTIO_QUEUE_H
#define LA_VIRTIO_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/guestmem.h"

#define LA_VIRTQ_MAX_SIZE 32768u  /* the spec's largest split queue */
#define LA_VIRTQ_MAX_SEG 1024u    /* segments of one chain la_virtq_pop takes */

/* Feature bits the queue understands (virtio 1.x numbering). */
#define LA_VIRTIO_F_INDIRECT_DESC 28
#define LA_VIRTIO_F_EVENT_IDX 29
#define LA_VIRTIO_F_VERSION_1 32

/* One segment of a chain: host address inside guest RAM, bytes. */
struct la_virtq_seg {
	uint8_t *p;
	uint32_t len;
};

/* One request: the head descriptor's index, then its segments, the
 * device-readable ones (nout) before the device-writable ones (nin). */
struct la_virtq_chain {
	uint16_t head;
	unsigned nout, nin;
	uint64_t out_bytes, in_bytes;
	struct la_virtq_seg seg[LA_VIRTQ_MAX_SEG];
};

struct la_virtq {
	/* from the guest, through the transport's common configuration */
	const struct la_gmem *g;
	uint16_t size;            /* entries, a power of two <= LA_VIRTQ_MAX_SIZE */
	bool indirect, event_idx; /* negotiated */
	/* host addresses of the three parts, checked by la_virtq_init */
	uint8_t *desc, *avail, *used;
	/* the device's side */
	uint16_t last_avail;      /* next avail ring entry to take */
	uint16_t used_idx;        /* next used ring entry to write */
	uint16_t signalled;       /* used_idx when la_virtq_need_irq last looked:
				   * the "old" of vring_need_event (EVENT_IDX) */
	bool broken;
	const char *why;          /* static: how the guest broke it */
};

/* la_virtq_init - a queue of size entries whose descriptor table, avail
 * ring and used ring the guest put at guest physical addresses desc, avail
 * and used; features: the negotiated feature bits (INDIRECT_DESC,
 * EVENT_IDX). Each part must lie in guest RAM and be aligned as the spec
 * says (16, 2, 4 bytes).
 * returns: 0, -LA_ERR_VIRTQ (q->why says why) */
int la_virtq_init(struct la_virtq *q, const struct la_gmem *g, uint16_t size, uint64_t desc,
		  uint64_t avail, uint64_t used, uint64_t features);

/* la_virtq_pop - take the next available chain into c. A zero-length
 * descriptor is accepted and adds no segment (its address is never
 * touched, so not checked); an indirect descriptor may be the head or end
 * a direct chain, and its table's descriptors follow.
 * returns: 1 (c holds a chain), 0 (none available), -LA_ERR_VIRTQ (the
 * queue is broken: q->why, and every later call says so again) */
int la_virtq_pop(struct la_virtq *q, struct la_virtq_chain *c);

/* la_virtq_push - give chain head back with written bytes of the
 * device-writable segments filled (publishes used->idx); nothing on a
 * queue whose la_virtq_init failed. */
void la_virtq_push(struct la_virtq *q, uint16_t head, uint32_t written);

/* la_virtq_need_irq - after pushes: whether the guest wants an interrupt
 * now (used_event with EVENT_IDX, else VIRTQ_AVAIL_F_NO_INTERRUPT); a true
 * answer records the interrupt as sent. */
bool la_virtq_need_irq(struct la_virtq *q);

/* la_virtq_notify_on - before the device sleeps: ask the guest to notify
 * on new buffers (avail_event with EVENT_IDX, else clear
 * VIRTQ_USED_F_NO_NOTIFY). returns: true if buffers arrived meanwhile
 * (pop again before sleeping) */
bool la_virtq_notify_on(struct la_virtq *q);

/* la_virtq_notify_off - while the device works through the queue: ask
 * the guest not to notify (set VIRTQ_USED_F_NO_NOTIFY; with EVENT_IDX
 * nothing, avail_event stays where la_virtq_notify_on put it). An
 * addition to the first contract; a hint the guest may ignore. */
void la_virtq_notify_off(struct la_virtq *q);

/* la_virtq_read - copy up to len bytes from the chain's device-readable
 * segments, starting off bytes in. returns: bytes copied */
size_t la_virtq_read(const struct la_virtq_chain *c, size_t off, void *buf, size_t len);

/* la_virtq_write - copy len bytes into the chain's device-writable
 * segments, starting off bytes in. returns: bytes copied (fewer if the
 * segments end) */
size_t la_virtq_write(const struct la_virtq_chain *c, size_t off, const void *buf, size_t len);

#endif
