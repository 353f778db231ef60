/* SPDX-License-Identifier: MIT */
/*
 * The split virtqueue, device side (virtio 1.2 §2.7). Layout of the three
 * parts in guest RAM, all little-endian:
 *
 *   descriptor table  size * 16 bytes, 16-aligned:
 *                     addr le64, len le32, flags le16, next le16
 *   avail ring        6 + 2*size bytes, 2-aligned:
 *                     flags le16, idx le16, ring[size] le16, used_event le16
 *   used ring         6 + 8*size bytes, 4-aligned:
 *                     flags le16, idx le16, ring[size] {id le32, len le32},
 *                     avail_event le16
 *
 * The guest writes the descriptor table and the avail ring while we read
 * them. Every value we act on is read once into a local and checked there:
 * a descriptor is copied whole before any field of it is looked at.
 */
#include <endian.h>
#include <string.h>

#include "bytes.h"
#include "err.h"
#include "virtio/queue.h"

#define LA_VIRTQ_DESC_F_NEXT 1u
#define LA_VIRTQ_DESC_F_WRITE 2u
#define LA_VIRTQ_DESC_F_INDIRECT 4u
#define LA_VIRTQ_AVAIL_F_NO_INTERRUPT 1u
#define LA_VIRTQ_USED_F_NO_NOTIFY 1u
#define LA_VIRTQ_DESC_BYTES 16u

/* A descriptor as read once from the guest. */
struct la_virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

/* Where a chain walk is: the table it reads and how far it has gone. */
struct la_virtq_walk {
	const uint8_t *table;
	uint32_t n;            /* entries in table */
	uint32_t seen;         /* descriptors read from table */
	bool indirect;         /* table is an indirect table */
	bool writing;          /* a device-writable descriptor was seen */
};

/* 16-bit ring fields are naturally aligned (la_virtq_init checks), so
 * they are loaded and stored whole, as the guest's CPU sees them. */
static uint16_t la_virtq_load16(const uint8_t *p, int order)
{
	return le16toh(__atomic_load_n((const uint16_t *)(const void *)p, order));
}

static void la_virtq_store16(uint8_t *p, uint16_t v, int order)
{
	__atomic_store_n((uint16_t *)(void *)p, htole16(v), order);
}

static int la_virtq_fail(struct la_virtq *q, const char *why)
{
	if (!q->broken) {
		q->broken = true;
		q->why = why;
	}
	return -LA_ERR_VIRTQ;
}

/* Host address of a ring part of len bytes at gpa, aligned to align
 * (guest and host address both). returns: the pointer, NULL */
static uint8_t *la_virtq_part(const struct la_gmem *g, uint64_t gpa, uint64_t len,
			      uint64_t align)
{
	uint8_t *p;

	if (gpa & (align - 1))
		return NULL;
	p = la_gmem_ptr(g, gpa, len);
	if (!p || ((uintptr_t)p & (align - 1)))
		return NULL;
	return p;
}

int la_virtq_init(struct la_virtq *q, const struct la_gmem *g, uint16_t size, uint64_t desc,
		  uint64_t avail, uint64_t used, uint64_t features)
{
	memset(q, 0, sizeof(*q));
	q->g = g;
	q->size = size;
	q->indirect = features >> LA_VIRTIO_F_INDIRECT_DESC & 1;
	q->event_idx = features >> LA_VIRTIO_F_EVENT_IDX & 1;
	if (!size || (size & (size - 1)) || size > LA_VIRTQ_MAX_SIZE)
		return la_virtq_fail(q, "queue size is not a power of two up to 32768");
	q->desc = la_virtq_part(g, desc, (uint64_t)LA_VIRTQ_DESC_BYTES * size, 16);
	if (!q->desc)
		return la_virtq_fail(q, "descriptor table not in guest RAM or not 16-byte aligned");
	q->avail = la_virtq_part(g, avail, 6 + 2 * (uint64_t)size, 2);
	if (!q->avail)
		return la_virtq_fail(q, "avail ring not in guest RAM or not 2-byte aligned");
	q->used = la_virtq_part(g, used, 6 + 8 * (uint64_t)size, 4);
	if (!q->used)
		return la_virtq_fail(q, "used ring not in guest RAM or not 4-byte aligned");
	return 0;
}

/* Copy descriptor i of table whole, then decode the copy. The compiler
 * barrier keeps the compiler from reading the guest's bytes again in
 * place of the copy. */
static struct la_virtq_desc la_virtq_desc_read(const uint8_t *table, uint32_t i)
{
	uint8_t b[LA_VIRTQ_DESC_BYTES];

	memcpy(b, table + (size_t)i * LA_VIRTQ_DESC_BYTES, sizeof(b));
	__asm__ volatile("" ::: "memory");
	return (struct la_virtq_desc){
		.addr = la_get64(b), .len = la_get32(b + 8),
		.flags = la_get16(b + 12), .next = la_get16(b + 14),
	};
}

/* Switch the walk to the indirect table d names. returns: 0, -LA_ERR_VIRTQ */
static int la_virtq_enter_indirect(struct la_virtq *q, struct la_virtq_walk *w,
				   const struct la_virtq_desc *d)
{
	if (w->indirect)
		return la_virtq_fail(q, "indirect descriptor inside an indirect table");
	if (!q->indirect)
		return la_virtq_fail(q, "indirect descriptor without VIRTIO_F_INDIRECT_DESC");
	if (d->flags & LA_VIRTQ_DESC_F_NEXT)
		return la_virtq_fail(q, "indirect descriptor with NEXT set");
	if (!d->len || d->len % LA_VIRTQ_DESC_BYTES ||
	    d->len > LA_VIRTQ_MAX_SIZE * LA_VIRTQ_DESC_BYTES)
		return la_virtq_fail(q, "indirect table length is 0, not a multiple of 16 or too large");
	w->table = la_gmem_ptr(q->g, d->addr, d->len);
	if (!w->table)
		return la_virtq_fail(q, "indirect table outside guest RAM");
	w->n = d->len / LA_VIRTQ_DESC_BYTES;
	w->seen = 0;
	w->indirect = true;
	return 0;
}

/* Add d's buffer to c. A zero-length buffer adds no segment and its
 * address is not checked (no byte of it is ever touched), but its WRITE
 * flag still counts for the order rule. returns: 0, -LA_ERR_VIRTQ */
static int la_virtq_add(struct la_virtq *q, struct la_virtq_walk *w, struct la_virtq_chain *c,
			const struct la_virtq_desc *d)
{
	bool wr = d->flags & LA_VIRTQ_DESC_F_WRITE;
	uint64_t *bytes = wr ? &c->in_bytes : &c->out_bytes;
	uint8_t *p;

	if (w->writing && !wr)
		return la_virtq_fail(q, "device-readable descriptor after a device-writable one");
	w->writing = wr;
	if (!d->len)
		return 0;
	if (c->nout + c->nin >= LA_VIRTQ_MAX_SEG)
		return la_virtq_fail(q, "chain has more than 1024 segments");
	p = la_gmem_ptr(q->g, d->addr, d->len);
	if (!p)
		return la_virtq_fail(q, "buffer outside guest RAM");
	if (*bytes + d->len > UINT32_MAX)
		return la_virtq_fail(q, "chain's buffers add up to more than 4 GiB");
	*bytes += d->len;
	c->seg[c->nout + c->nin] = (struct la_virtq_seg){ p, d->len };
	if (wr)
		c->nin++;
	else
		c->nout++;
	return 0;
}

/* Follow the chain from head into c. An indirect descriptor may end a
 * direct chain (usually it is the head); its table's entries follow.
 * returns: 0, -LA_ERR_VIRTQ */
static int la_virtq_walk(struct la_virtq *q, uint16_t head, struct la_virtq_chain *c)
{
	struct la_virtq_walk w = { .table = q->desc, .n = q->size };
	uint32_t i = head;
	int err;

	c->head = head;
	c->nout = c->nin = 0;
	c->out_bytes = c->in_bytes = 0;
	for (;;) {
		struct la_virtq_desc d = la_virtq_desc_read(w.table, i);

		if (++w.seen > w.n)
			return la_virtq_fail(q, "descriptor chain loops");
		if (d.flags & LA_VIRTQ_DESC_F_INDIRECT) {
			err = la_virtq_enter_indirect(q, &w, &d);
			if (err)
				return err;
			i = 0;
			continue;
		}
		err = la_virtq_add(q, &w, c, &d);
		if (err)
			return err;
		if (!(d.flags & LA_VIRTQ_DESC_F_NEXT))
			return 0;
		if (d.next >= w.n)
			return la_virtq_fail(q, "next descriptor index beyond the table");
		i = d.next;
	}
}

int la_virtq_pop(struct la_virtq *q, struct la_virtq_chain *c)
{
	uint16_t idx, head;
	int err;

	if (q->broken)
		return -LA_ERR_VIRTQ;
	/* acquire: the ring entry and descriptors the guest wrote before
	 * this index are visible once we see the index */
	idx = la_virtq_load16(q->avail + 2, __ATOMIC_ACQUIRE);
	if ((uint16_t)(idx - q->last_avail) > q->size)
		return la_virtq_fail(q, "avail index more than the queue size ahead");
	if (idx == q->last_avail)
		return 0;
	head = la_virtq_load16(q->avail + 4 + 2 * (q->last_avail & (q->size - 1)),
			       __ATOMIC_RELAXED);
	if (head >= q->size)
		return la_virtq_fail(q, "head descriptor index beyond the table");
	err = la_virtq_walk(q, head, c);
	if (err)
		return err;
	q->last_avail++;
	return 1;
}

void la_virtq_push(struct la_virtq *q, uint16_t head, uint32_t written)
{
	uint8_t *e;

	if (!q->used)   /* la_virtq_init failed: no ring to write */
		return;
	e = q->used + 4 + 8 * (size_t)(q->used_idx & (q->size - 1));
	la_put32(e, head);
	la_put32(e + 4, written);
	q->used_idx++;
	/* release: the entry is visible before the index that publishes it */
	la_virtq_store16(q->used + 2, q->used_idx, __ATOMIC_RELEASE);
}

/* Virtio's vring_need_event: whether the used index moving from old to
 * new crossed event, the index after which the guest wants an interrupt. */
static bool la_virtq_crossed(uint16_t event, uint16_t new, uint16_t old)
{
	return (uint16_t)(new - event - 1) < (uint16_t)(new - old);
}

bool la_virtq_need_irq(struct la_virtq *q)
{
	uint16_t old = q->signalled;
	bool need;

	if (!q->used)
		return false;
	/* the guest reads our used idx, then writes its used_event or flags;
	 * we write used idx, then read theirs: one of us sees the other */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	q->signalled = q->used_idx;
	if (q->event_idx) {
		uint16_t event = la_virtq_load16(q->avail + 4 + 2 * (size_t)q->size,
						 __ATOMIC_RELAXED);

		need = la_virtq_crossed(event, q->used_idx, old);
	} else {
		need = !(la_virtq_load16(q->avail, __ATOMIC_RELAXED) &
			 LA_VIRTQ_AVAIL_F_NO_INTERRUPT);
	}
	return need;
}

bool la_virtq_notify_on(struct la_virtq *q)
{
	uint16_t idx;

	if (q->broken)   /* also when la_virtq_init failed */
		return false;
	if (q->event_idx)
		la_virtq_store16(q->used + 4 + 8 * (size_t)q->size, q->last_avail,
				 __ATOMIC_RELAXED);
	else
		la_virtq_store16(q->used, 0, __ATOMIC_RELAXED);
	/* the guest writes avail idx, then reads our avail_event or flags; we
	 * write ours, then read avail idx: one of us sees the other */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	idx = la_virtq_load16(q->avail + 2, __ATOMIC_ACQUIRE);
	return idx != q->last_avail;
}

void la_virtq_notify_off(struct la_virtq *q)
{
	if (!q->broken && !q->event_idx)
		la_virtq_store16(q->used, LA_VIRTQ_USED_F_NO_NOTIFY, __ATOMIC_RELAXED);
}

/* Copy between buf and segments seg[0..n), skipping off bytes of them;
 * to_seg picks the direction. returns: bytes copied */
static size_t la_virtq_copy(const struct la_virtq_seg *seg, unsigned n, size_t off,
			    uint8_t *buf, size_t len, bool to_seg)
{
	size_t done = 0;

	for (unsigned i = 0; i < n && done < len; i++) {
		size_t k;

		if (off >= seg[i].len) {
			off -= seg[i].len;
			continue;
		}
		k = seg[i].len - off;
		if (k > len - done)
			k = len - done;
		if (to_seg)
			memcpy(seg[i].p + off, buf + done, k);
		else
			memcpy(buf + done, seg[i].p + off, k);
		done += k;
		off = 0;
	}
	return done;
}

size_t la_virtq_read(const struct la_virtq_chain *c, size_t off, void *buf, size_t len)
{
	return la_virtq_copy(c->seg, c->nout, off, buf, len, false);
}

size_t la_virtq_write(const struct la_virtq_chain *c, size_t off, const void *buf, size_t len)
{
	return la_virtq_copy(c->seg + c->nout, c->nin, off, (uint8_t *)(uintptr_t)buf, len, true);
}
