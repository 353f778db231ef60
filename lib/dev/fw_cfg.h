/* SPDX-License-Identifier: MIT */
/*
 * fw_cfg, QEMU's firmware configuration interface, as crosvm has it on
 * x86_64 (§3.6 step 8, §3.7: IO port 0x510), with the DMA interface QEMU's
 * docs/specs/fw_cfg.rst documents. lib/dev/fw_cfg.c says how it behaves.
 */
#ifndef LA_DEV_FW_CFG_H
#define LA_DEV_FW_CFG_H

#include <stdbool.h>
#include <stdint.h>

#include "vm/bus.h"
#include "vm/guestmem.h"

/* The ports: selector (16-bit, offset 0), data (8-bit, offset 1), DMA
 * address (64-bit big-endian, offsets 4-11). crosvm grants 4 ports, which
 * leave the DMA address out; QEMU's 12 take it in. */
#define LA_FWCFG_IO 0x510
#define LA_FWCFG_IO_LEN 12
#define LA_FWCFG_OFF_SELECTOR 0
#define LA_FWCFG_OFF_DATA 1
#define LA_FWCFG_OFF_DMA 4

/* Selector keys and bits (docs/specs/fw_cfg.rst). */
#define LA_FWCFG_SIGNATURE 0x0000   /* "QEMU" */
#define LA_FWCFG_ID 0x0001          /* feature bitmap, little-endian u32 */
#define LA_FWCFG_FILE_DIR 0x0019    /* the file directory, big-endian */
#define LA_FWCFG_FILE_FIRST 0x0020  /* the first file's key */
#define LA_FWCFG_WRITE_CHANNEL 0x4000
#define LA_FWCFG_ARCH_LOCAL 0x8000
#define LA_FWCFG_ID_TRADITIONAL 0x01
#define LA_FWCFG_ID_DMA 0x02

/* The DMA control word (big-endian, the first field of FWCfgDmaAccess:
 * control u32, length u32, address u64). SELECT takes the key from its
 * upper 16 bits. */
#define LA_FWCFG_DMA_ERROR 0x01
#define LA_FWCFG_DMA_READ 0x02
#define LA_FWCFG_DMA_SKIP 0x04
#define LA_FWCFG_DMA_SELECT 0x08
#define LA_FWCFG_DMA_WRITE 0x10
#define LA_FWCFG_DMA_ACCESS_LEN 16
/* what a read of the DMA address register gives: "QEMU CFG" */
#define LA_FWCFG_DMA_SIGNATURE 0x51454d5520434647ULL

#define LA_FWCFG_NAME_MAX 55        /* bytes; the directory has char[56] */
#define LA_FWCFG_FILES_MAX 64       /* --fw-cfg items a VM takes */
#define LA_FWCFG_FILE_SIZE_MAX (16u << 20) /* bytes of one item */

/* One item the user gives (--fw-cfg name=...,path=|string=): its bytes
 * stay the caller's while the device lives. */
struct la_fwcfg_item {
	char name[LA_FWCFG_NAME_MAX + 1];
	const uint8_t *data;
	uint32_t size;
};

/* What la-vmrun hands the device (la_dev_env.backend). */
struct la_fwcfg_opts {
	unsigned n;
	struct la_fwcfg_item item[LA_FWCFG_FILES_MAX];
};

/* la_fwcfg_check_name - whether name can be an item: "opt/" and at least
 * one more byte, or "bootorder" (crosvm's own), at most LA_FWCFG_NAME_MAX
 * bytes. returns: 0, -LA_ERR_NAMELEN (too long), -LA_ERR_BADVALUE (not an
 * opt/ name) */
int la_fwcfg_check_name(const char *name);

/* The running device. */
struct la_fwcfg {
	const struct la_gmem *g;        /* guest RAM for DMA; NULL: no DMA target */
	const struct la_fwcfg_opts *o;
	uint8_t *dir;                   /* the file directory's bytes; malloc'd */
	uint32_t dir_len;
	uint16_t key;                   /* the selected key */
	uint32_t offset;                /* into the selected item */
	uint8_t dma_addr[8];            /* the DMA address register, as written */
};

/* la_fwcfg_init - a device serving o's items (o->n at most
 * LA_FWCFG_FILES_MAX; their names checked and distinct), DMA into g.
 * la_fwcfg_destroy frees what it holds.
 * returns: 0, -LA_ERR_NOMEM, -LA_ERR_TOOMANY */
int la_fwcfg_init(struct la_fwcfg *f, const struct la_fwcfg_opts *o, const struct la_gmem *g);
void la_fwcfg_destroy(struct la_fwcfg *f);

/* The registers, at offsets in the device's 12 ports (ctx: the struct
 * la_fwcfg). */
extern const struct la_bus_ops la_fwcfg_ops;

#endif
