/* SPDX-License-Identifier: MIT */
/*
 * The split virtqueue (lib/virtio/queue.c) over fake guest RAM: two 64 KiB
 * slots with a hole between them, as test_virtq has. The input is what a
 * guest controls: the negotiated features (INDIRECT_DESC, EVENT_IDX), the
 * queue size and where its three parts are, the bytes of guest RAM
 * (descriptor tables, indirect tables, rings, event indices, buffers), and
 * then what the device does: pop chains, read and write them, push them
 * back, ask for interrupts and notifications, while the "guest" changes
 * RAM between steps. Every segment a popped chain gives must lie in guest
 * RAM.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "virtio/queue.h"

#define RAM0 0x10000ULL
#define RAM1 0x30000ULL
#define SLOT 0x10000ULL

static struct la_gmem g;
static uint8_t *ram[2];
static struct la_virtq_chain ch;
static uint8_t buf[0x20000];

static void setup(void)
{
	if (g.n)
		return;
	for (int i = 0; i < 2; i++) {
		ram[i] = aligned_alloc(4096, SLOT);
		g.s[i] = (struct la_gmem_slot){ .gpa = i ? RAM1 : RAM0, .size = SLOT,
						.host = ram[i],
						.purpose = LA_REGION_GUEST_MEMORY };
	}
	g.n = 2;
}

static bool in_ram(const uint8_t *p, uint32_t len)
{
	for (int i = 0; i < 2; i++)
		if (p >= ram[i] && len <= SLOT && p + len <= ram[i] + SLOT)
			return true;
	return false;
}

/* a guest address: mostly in slot 0, sometimes anywhere */
static uint64_t gpa(struct fz *f)
{
	uint16_t v = fz_u16(f);

	return (v & 1) ? RAM0 + (v & ~1u) : (uint64_t)v << 3;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	struct la_virtq q;
	uint8_t feat = fz_u8(&f);
	uint16_t qsize = (uint16_t)(1u << (fz_u8(&f) % 16));
	uint64_t features = 0, desc, avail, used;
	size_t len;
	const uint8_t *p;

	setup();
	if (feat & 1)
		features |= 1ULL << LA_VIRTIO_F_INDIRECT_DESC;
	if (feat & 2)
		features |= 1ULL << LA_VIRTIO_F_EVENT_IDX;
	desc = gpa(&f), avail = gpa(&f), used = gpa(&f);
	memset(ram[0], 0, SLOT);
	memset(ram[1], 0, SLOT);
	/* guest RAM: the next bytes, in slot 0 then slot 1 */
	p = fz_bytes(&f, fz_u16(&f), &len);
	memcpy(ram[0], p, len < SLOT ? len : SLOT);
	p = fz_bytes(&f, fz_u16(&f), &len);
	memcpy(ram[1], p, len < SLOT ? len : SLOT);
	if (la_virtq_init(&q, &g, qsize, desc, avail, used, features)) {
		la_virtq_push(&q, 0, 0); /* nothing on a queue that failed */
		return 0;
	}
	for (unsigned step = 0; step < 64 && f.n; step++) {
		uint8_t op = fz_u8(&f);
		int r;

		switch (op % 6) {
		case 0:
		case 1:
			r = la_virtq_pop(&q, &ch);
			if (r == 1) {
				uint32_t wrote;

				for (unsigned i = 0; i < ch.nout + ch.nin; i++)
					if (ch.seg[i].len && !in_ram(ch.seg[i].p, ch.seg[i].len))
						abort();
				la_virtq_read(&ch, fz_u8(&f), buf, sizeof(buf));
				wrote = (uint32_t)la_virtq_write(&ch, fz_u8(&f), buf, fz_u16(&f));
				la_virtq_push(&q, ch.head, (op & 0x80) ? fz_u32(&f) : wrote);
			}
			break;
		case 2: la_virtq_need_irq(&q); break;
		case 3: la_virtq_notify_on(&q); break;
		case 4: la_virtq_notify_off(&q); break;
		case 5: /* the guest writes RAM meanwhile */
			p = fz_bytes(&f, fz_u8(&f), &len);
			{
				uint16_t at = fz_u16(&f);

				if (at + len <= SLOT)
					memcpy(ram[op & 0x80 ? 1 : 0] + at, p, len);
			}
			break;
		}
	}
	return 0;
}
