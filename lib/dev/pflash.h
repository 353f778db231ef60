/* SPDX-License-Identifier: MIT */
/*
 * pflash (x86_64), crosvm's programmable flash (§3.6 step 13): an image
 * file on the MMIO bus below the BIOS at the top of 4 GiB, read as memory,
 * written with Intel-style CFI commands. lib/dev/pflash.c says how it
 * behaves.
 */
#ifndef LA_DEV_PFLASH_H
#define LA_DEV_PFLASH_H

#include <stdbool.h>
#include <stdint.h>

#include "vm/bus.h"

/* Commands (a one-byte write anywhere in the image). */
#define LA_PFLASH_CMD_PROGRAM 0x10      /* then the byte, at the same offset */
#define LA_PFLASH_CMD_ERASE 0x20        /* then CONFIRM at the same (block) offset */
#define LA_PFLASH_CMD_PROGRAM_ALT 0x40  /* the other word/byte program code */
#define LA_PFLASH_CMD_CLEAR_STATUS 0x50
#define LA_PFLASH_CMD_READ_STATUS 0x70
#define LA_PFLASH_CMD_QUERY 0x98        /* CFI query */
#define LA_PFLASH_CMD_CONFIRM 0xd0
#define LA_PFLASH_CMD_READ_ARRAY 0xff

/* Status register bits. */
#define LA_PFLASH_STATUS_READY 0x80
#define LA_PFLASH_STATUS_ERASE_ERROR 0x20
#define LA_PFLASH_STATUS_PROGRAM_ERROR 0x10

#define LA_PFLASH_BLOCK_DEFAULT 4096    /* crosvm's default block_size */
/* The BIOS and the pflash share the 16 MiB below 4 GiB, above the TSS
 * and identity map (§3.1 BIOS_MAX_SIZE). */
#define LA_PFLASH_TOP 0x100000000ULL
#define LA_PFLASH_MAX_WITH_BIOS (16ULL << 20)

enum la_pflash_state {
	LA_PFLASH_READ_ARRAY,
	LA_PFLASH_READ_STATUS,
	LA_PFLASH_QUERY,
	LA_PFLASH_ERASE,     /* erase command at cmd_off, waiting for CONFIRM */
	LA_PFLASH_PROGRAM,   /* program command at cmd_off, waiting for the byte */
};

struct la_pflash {
	uint8_t *image;      /* the file, mapped shared: writes reach it */
	uint64_t size;       /* bytes, a multiple of block_size */
	uint32_t block_size; /* a power of two */
	enum la_pflash_state state;
	uint64_t cmd_off;
	uint8_t status;
};

/* What la-vmrun hands the device (la_dev_env.backend): the mapped image. */
struct la_pflash_opts {
	uint8_t *image;
	uint64_t size;
	uint32_t block_size;
};

/* la_pflash_check - whether an image of size bytes with block_size blocks
 * can be a pflash below a BIOS of bios_size bytes: block_size a power of
 * two, size a non-zero multiple of it, size + bios_size at most 16 MiB.
 * returns: 0, -LA_ERR_BADALIGN (block_size), -LA_ERR_RANGE (size 0 or not a
 * multiple), -LA_ERR_TOOLARGE */
int la_pflash_check(uint64_t size, uint32_t block_size, uint64_t bios_size);

/* la_pflash_base - its guest address: 4 GiB - bios_size - size. */
uint64_t la_pflash_base(uint64_t size, uint64_t bios_size);

/* la_pflash_init - a device over image (size bytes, checked), in read-array
 * mode, status ready. */
void la_pflash_init(struct la_pflash *p, uint8_t *image, uint64_t size, uint32_t block_size);

/* The registers: the whole image, offsets from its start (ctx: the struct
 * la_pflash). */
extern const struct la_bus_ops la_pflash_ops;

#endif
