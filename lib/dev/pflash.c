/* SPDX-License-Identifier: MIT */
/*
 * pflash (x86_64): crosvm's programmable flash (devices/src/pflash.rs,
 * §3.6 step 13), on when la-vmrun has --pflash: the image at 4 GiB -
 * BIOS size - image size on the MMIO bus, where every access traps to
 * la-vmrun (it is never guest RAM: writes are commands).
 *
 * As crosvm's: in read-array mode a read of 1 to 8 bytes gives the image's
 * bytes (all ones past its end); writes are one byte, wider ones are
 * ignored. A write is a command, unless one is pending: READ_ARRAY (0xff),
 * READ_STATUS (0x70: the next read gives the status in every byte, then
 * read-array again), CLEAR_STATUS (0x50: status 0, read-array), PROGRAM
 * (0x10, and 0x40 as Intel's parts also take it: the next write, at the
 * same offset, is the byte stored there), BLOCK_ERASE (0x20: the next
 * write, CONFIRM 0xd0 at the same offset, which must start a block, fills
 * the block with 0xff). Any other byte is ignored and goes back to
 * read-array; a read while a program or erase waits for its second write
 * gives all ones and cancels it. Reading array mode sets the status ready
 * again (crosvm's).
 *
 * Beyond crosvm: a program or erase that does not happen (another offset,
 * outside the image, not a block's start, not CONFIRM) sets the status's
 * program (0x10) or erase (0x20) error bit besides ready, where crosvm
 * only logs it; and QUERY (0x98) answers the CFI query table (JEDEC
 * JESD68, byte mode: "QRY" at 0x10, Intel's command set 0x0001, the device
 * size as a power of two, rounded up, one erase region of the image's
 * blocks) until another command, where crosvm has no CFI table.
 *
 * The image is the --pflash file mapped shared, so what the guest programs
 * and erases is in the file, for the next run.
 */
#include <stdlib.h>
#include <string.h>

#include "dev/dev.h"
#include "dev/machine.h"
#include "dev/pflash.h"
#include "err.h"

int la_pflash_check(uint64_t size, uint32_t block_size, uint64_t bios_size)
{
	if (block_size == 0 || (block_size & (block_size - 1)))
		return -LA_ERR_BADALIGN;
	if (size == 0 || size % block_size)
		return -LA_ERR_RANGE;
	if (size > LA_PFLASH_MAX_WITH_BIOS || bios_size > LA_PFLASH_MAX_WITH_BIOS - size)
		return -LA_ERR_TOOLARGE;
	return 0;
}

uint64_t la_pflash_base(uint64_t size, uint64_t bios_size)
{
	return LA_PFLASH_TOP - bios_size - size;
}

void la_pflash_init(struct la_pflash *p, uint8_t *image, uint64_t size, uint32_t block_size)
{
	*p = (struct la_pflash){ .image = image, .size = size, .block_size = block_size,
				 .state = LA_PFLASH_READ_ARRAY, .status = LA_PFLASH_STATUS_READY };
}

/* The CFI query table's byte at off (byte mode). */
static uint8_t la_pflash_cfi(const struct la_pflash *p, uint64_t off)
{
	uint64_t blocks = p->size / p->block_size;
	unsigned log2 = 0;

	while ((1ULL << log2) < p->size)
		log2++;
	switch (off) {
	case 0x10: return 'Q';
	case 0x11: return 'R';
	case 0x12: return 'Y';
	case 0x13: return 0x01;   /* primary command set: Intel/Sharp extended */
	case 0x1b: return 0x45;   /* Vcc min 4.5 V */
	case 0x1c: return 0x55;   /* Vcc max 5.5 V */
	case 0x1f: return 0x01;   /* typical byte program: 2^1 us */
	case 0x21: return 0x01;   /* typical block erase: 2^1 ms */
	case 0x23: return 0x01;   /* max byte program: 2 x typical */
	case 0x25: return 0x01;   /* max block erase: 2 x typical */
	case 0x27: return (uint8_t)log2;  /* device size: 2^n bytes */
	case 0x2c: return 0x01;   /* one erase block region */
	case 0x2d: return (uint8_t)(blocks - 1);
	case 0x2e: return (uint8_t)((blocks - 1) >> 8);
	case 0x2f: return (uint8_t)(p->block_size >> 8);   /* block size / 256 */
	case 0x30: return (uint8_t)(p->block_size >> 16);
	default: return 0;        /* interface x8 (0x28), no buffer writes, ... */
	}
}

static void la_pflash_read(void *ctx, uint64_t off, uint8_t *data, unsigned size)
{
	struct la_pflash *p = ctx;

	switch (p->state) {
	case LA_PFLASH_READ_ARRAY:
		p->status = LA_PFLASH_STATUS_READY;
		if (off < p->size && size <= p->size - off)
			memcpy(data, p->image + off, size);
		else
			memset(data, 0xff, size);
		return;
	case LA_PFLASH_READ_STATUS:
		memset(data, p->status, size);
		p->state = LA_PFLASH_READ_ARRAY;
		return;
	case LA_PFLASH_QUERY:
		for (unsigned i = 0; i < size; i++)
			data[i] = la_pflash_cfi(p, off + i);
		return;
	case LA_PFLASH_ERASE:
	case LA_PFLASH_PROGRAM:
		memset(data, 0xff, size);
		p->state = LA_PFLASH_READ_ARRAY;
		return;
	}
}

/* The byte of a pending program. */
static void la_pflash_program(struct la_pflash *p, uint64_t off, uint8_t v)
{
	if (off != p->cmd_off || off >= p->size) {
		p->status = LA_PFLASH_STATUS_READY | LA_PFLASH_STATUS_PROGRAM_ERROR;
		return;
	}
	p->image[off] = v;
	p->status = LA_PFLASH_STATUS_READY;
}

/* The second write of a pending block erase. */
static void la_pflash_erase(struct la_pflash *p, uint64_t off, uint8_t v)
{
	if (v != LA_PFLASH_CMD_CONFIRM || off != p->cmd_off || off >= p->size ||
	    off % p->block_size) {
		p->status = LA_PFLASH_STATUS_READY | LA_PFLASH_STATUS_ERASE_ERROR;
		return;
	}
	memset(p->image + off, 0xff, p->block_size);
	p->status = LA_PFLASH_STATUS_READY;
}

static void la_pflash_command(struct la_pflash *p, uint64_t off, uint8_t cmd)
{
	p->state = LA_PFLASH_READ_ARRAY;
	p->cmd_off = off;
	switch (cmd) {
	case LA_PFLASH_CMD_READ_STATUS: p->state = LA_PFLASH_READ_STATUS; break;
	case LA_PFLASH_CMD_CLEAR_STATUS: p->status = 0; break;
	case LA_PFLASH_CMD_PROGRAM:
	case LA_PFLASH_CMD_PROGRAM_ALT: p->state = LA_PFLASH_PROGRAM; break;
	case LA_PFLASH_CMD_ERASE: p->state = LA_PFLASH_ERASE; break;
	case LA_PFLASH_CMD_QUERY: p->state = LA_PFLASH_QUERY; break;
	default: break;           /* READ_ARRAY, and what is not a command */
	}
}

static void la_pflash_write(void *ctx, uint64_t off, const uint8_t *data, unsigned size)
{
	struct la_pflash *p = ctx;
	enum la_pflash_state was = p->state;

	if (size != 1)
		return;
	p->state = LA_PFLASH_READ_ARRAY;
	if (was == LA_PFLASH_PROGRAM)
		la_pflash_program(p, off, data[0]);
	else if (was == LA_PFLASH_ERASE)
		la_pflash_erase(p, off, data[0]);
	else
		la_pflash_command(p, off, data[0]);
}

const struct la_bus_ops la_pflash_ops = { la_pflash_read, la_pflash_write };

static int la_pflash_create(const struct la_dev_inst *d, const struct la_dev_env *env,
			    void **state, const struct la_bus_ops **ops)
{
	const struct la_pflash_opts *o = env->backend;
	const struct la_grant *g = la_dev_inst_grant(d, LA_RES_MMIO, 0);
	struct la_pflash *p;

	if (!o || !g || la_range_len(g->range) != o->size)
		return -LA_ERR_INTERNAL;
	p = malloc(sizeof(*p));
	if (!p)
		return -LA_ERR_NOMEM;
	la_pflash_init(p, o->image, o->size, o->block_size);
	*state = p;
	*ops = &la_pflash_ops;
	return 0;
}

/* Its one need: MMIO below the BIOS at the top of 4 GiB, the size the
 * platform was told (la_platform.pflash_size). */
const struct la_dev_desc la_dev_pflash = {
	.name = "pflash", .kind = "pflash", .what = "pflash (CFI flash image below the BIOS)",
	.arch = { [LA_ARCH_X86_64] = { 1, { { .kind = LA_RES_MMIO, .how = LA_NEED_PFLASH,
					      .role = "mmio", .tag = "pflash image" } } } },
	.create = la_pflash_create,
};
