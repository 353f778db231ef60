/* SPDX-License-Identifier: MIT */
/*
 * fw_cfg (x86_64): crosvm's device at IO port 0x510 (§3.6 step 8, §3.7),
 * on when la-vmrun has --fw-cfg, with the DMA interface of QEMU's
 * docs/specs/fw_cfg.rst, which crosvm lacks.
 *
 * Items by key: 0x0000 the signature "QEMU"; 0x0001 the feature bitmap
 * (little-endian u32: traditional interface and DMA); 0x0019 the file
 * directory (big-endian: a u32 count, then per file a u32 size, a u16
 * key, two reserved bytes and a NUL-padded char[56] name); the user's
 * files from 0x0020 on, in the order given. Every other key is an empty
 * item. The write-channel bit (0x4000) of a key is ignored, as QEMU has
 * ignored data-port writes since 2.4; arch-local keys (0x8000) have no
 * items here.
 *
 * Ports: a 16-bit write at offset 0 selects a key and rewinds to its
 * first byte; each byte read at offset 1 is the next byte of the item, 0
 * past its end; data-port writes are ignored. Offsets 4-11 hold the DMA
 * address, big-endian: an 8-byte write at 4, or a 4-byte write of the low
 * half at 8 (after the high half at 4), starts a transfer; reading them
 * gives "QEMU CFG". A transfer reads a FWCfgDmaAccess (control, length,
 * address: big-endian) from guest RAM, selects (SELECT: key in control's
 * upper 16 bits), then reads (READ: the item's next length bytes to
 * address, zeros past its end), skips (SKIP) or writes (WRITE: no item
 * here is writable: an error), and writes control back: 0, or ERROR.
 * Every guest range is checked against guest RAM first (one region, no
 * wrap): a bad one is an error, never an access; a descriptor that is not
 * in RAM is ignored, as there is nowhere to say so.
 *
 * The Linux guest's qemu_fw_cfg driver binds to the ACPI device QEMU0002
 * (\_SB_.FWCF, its _CRS the 12 ports) and shows the files in
 * /sys/firmware/qemu_fw_cfg/by_name.
 */
#include <stdlib.h>
#include <string.h>

#include "acpi/aml.h"
#include "bytes.h"
#include "dev/dev.h"
#include "dev/fw_cfg.h"
#include "dev/machine.h"
#include "err.h"

static const uint8_t la_fwcfg_signature[4] = { 'Q', 'E', 'M', 'U' };
static const uint8_t la_fwcfg_id[4] = { LA_FWCFG_ID_TRADITIONAL | LA_FWCFG_ID_DMA, 0, 0, 0 };

static void la_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void la_put_be32(uint8_t *p, uint32_t v)
{
	la_put_be16(p, (uint16_t)(v >> 16));
	la_put_be16(p + 2, (uint16_t)v);
}

static uint32_t la_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t la_get_be64(const uint8_t *p)
{
	return (uint64_t)la_get_be32(p) << 32 | la_get_be32(p + 4);
}

int la_fwcfg_check_name(const char *name)
{
	if (strlen(name) > LA_FWCFG_NAME_MAX)
		return -LA_ERR_NAMELEN;
	if (!strcmp(name, "bootorder") || (!strncmp(name, "opt/", 4) && name[4]))
		return 0;
	return -LA_ERR_BADVALUE;
}

/* The file directory's bytes for o's items. */
#define LA_FWCFG_DIR_ENTRY 64

int la_fwcfg_init(struct la_fwcfg *f, const struct la_fwcfg_opts *o, const struct la_gmem *g)
{
	uint8_t *e;

	memset(f, 0, sizeof(*f));
	if (o->n > LA_FWCFG_FILES_MAX)
		return -LA_ERR_TOOMANY;
	f->g = g;
	f->o = o;
	f->dir_len = 4 + o->n * LA_FWCFG_DIR_ENTRY;
	f->dir = calloc(1, f->dir_len);
	if (!f->dir)
		return -LA_ERR_NOMEM;
	la_put_be32(f->dir, o->n);
	e = f->dir + 4;
	for (unsigned i = 0; i < o->n; i++, e += LA_FWCFG_DIR_ENTRY) {
		la_put_be32(e, o->item[i].size);
		la_put_be16(e + 4, (uint16_t)(LA_FWCFG_FILE_FIRST + i));
		memcpy(e + 8, o->item[i].name, strnlen(o->item[i].name, LA_FWCFG_NAME_MAX));
	}
	f->key = LA_FWCFG_SIGNATURE;
	return 0;
}

void la_fwcfg_destroy(struct la_fwcfg *f)
{
	free(f->dir);
	f->dir = NULL;
}

/* The selected item's bytes (none: *len 0). */
static const uint8_t *la_fwcfg_item(const struct la_fwcfg *f, uint32_t *len)
{
	uint16_t key = f->key & (uint16_t)~LA_FWCFG_WRITE_CHANNEL;

	*len = 0;
	if (key == LA_FWCFG_SIGNATURE)
		return *len = sizeof(la_fwcfg_signature), la_fwcfg_signature;
	if (key == LA_FWCFG_ID)
		return *len = sizeof(la_fwcfg_id), la_fwcfg_id;
	if (key == LA_FWCFG_FILE_DIR)
		return *len = f->dir_len, f->dir;
	if (key >= LA_FWCFG_FILE_FIRST && key - LA_FWCFG_FILE_FIRST < (int)f->o->n) {
		const struct la_fwcfg_item *it = &f->o->item[key - LA_FWCFG_FILE_FIRST];

		*len = it->size;
		return it->data;
	}
	return NULL;
}

static void la_fwcfg_select(struct la_fwcfg *f, uint16_t key)
{
	f->key = key;
	f->offset = 0;
}

/* Copy up to n of the item's next bytes to out (zeros past its end). */
static void la_fwcfg_take(struct la_fwcfg *f, uint8_t *out, uint32_t n)
{
	uint32_t len, have = 0;
	const uint8_t *p = la_fwcfg_item(f, &len);

	if (f->offset < len)
		have = len - f->offset < n ? len - f->offset : n;
	if (have)
		memcpy(out, p + f->offset, have);
	memset(out + have, 0, n - have);
	f->offset = f->offset + n < f->offset ? UINT32_MAX : f->offset + n;
}

/* One DMA transfer, from the FWCfgDmaAccess at gpa. */
static void la_fwcfg_dma(struct la_fwcfg *f, uint64_t gpa)
{
	uint8_t *acc = f->g ? la_gmem_ptr(f->g, gpa, LA_FWCFG_DMA_ACCESS_LEN) : NULL;
	uint32_t control, length;
	uint64_t addr;
	uint8_t *buf;
	bool error = false;

	if (!acc)
		return;
	control = la_get_be32(acc);
	length = la_get_be32(acc + 4);
	addr = la_get_be64(acc + 8);
	if (control & LA_FWCFG_DMA_SELECT)
		la_fwcfg_select(f, (uint16_t)(control >> 16));
	if (control & LA_FWCFG_DMA_READ) {
		buf = length ? la_gmem_ptr(f->g, addr, length) : acc;
		if (buf && addr + length >= addr)
			la_fwcfg_take(f, buf, length);
		else
			error = true;
	} else if (control & LA_FWCFG_DMA_WRITE) {
		error = true; /* no item is writable */
	} else if (control & LA_FWCFG_DMA_SKIP) {
		f->offset = f->offset + length < f->offset ? UINT32_MAX : f->offset + length;
	}
	/* the guest may have moved the descriptor meanwhile: ask again */
	acc = la_gmem_ptr(f->g, gpa, LA_FWCFG_DMA_ACCESS_LEN);
	if (acc)
		la_put_be32(acc, error ? LA_FWCFG_DMA_ERROR : 0);
}

static void la_fwcfg_read(void *ctx, uint64_t off, uint8_t *data, unsigned size)
{
	struct la_fwcfg *f = ctx;
	uint8_t sig[8];

	memset(data, 0, size);
	if (off == LA_FWCFG_OFF_DATA) {
		la_fwcfg_take(f, data, size);
	} else if (off >= LA_FWCFG_OFF_DMA && off < LA_FWCFG_OFF_DMA + 8) {
		la_put_be32(sig, (uint32_t)(LA_FWCFG_DMA_SIGNATURE >> 32));
		la_put_be32(sig + 4, (uint32_t)LA_FWCFG_DMA_SIGNATURE);
		for (unsigned i = 0; i < size && off - LA_FWCFG_OFF_DMA + i < 8; i++)
			data[i] = sig[off - LA_FWCFG_OFF_DMA + i];
	}
}

static void la_fwcfg_write(void *ctx, uint64_t off, const uint8_t *data, unsigned size)
{
	struct la_fwcfg *f = ctx;

	if (off == LA_FWCFG_OFF_SELECTOR && size == 2) {
		la_fwcfg_select(f, la_get16(data));
	} else if (off == LA_FWCFG_OFF_DMA && (size == 4 || size == 8)) {
		memcpy(f->dma_addr, data, size);
		if (size == 8)
			la_fwcfg_dma(f, la_get_be64(f->dma_addr));
	} else if (off == LA_FWCFG_OFF_DMA + 4 && size == 4) {
		memcpy(f->dma_addr + 4, data, 4);
		la_fwcfg_dma(f, la_get_be64(f->dma_addr));
		memset(f->dma_addr, 0, sizeof(f->dma_addr));
	}
}

const struct la_bus_ops la_fwcfg_ops = { la_fwcfg_read, la_fwcfg_write };

static int la_fwcfg_create(const struct la_dev_inst *d, const struct la_dev_env *env,
			   void **state, const struct la_bus_ops **ops)
{
	static const struct la_fwcfg_opts none;
	const struct la_fwcfg_opts *o = env->backend ? env->backend : &none;
	struct la_fwcfg *f = malloc(sizeof(*f));
	int err;

	(void)d;
	if (!f)
		return -LA_ERR_NOMEM;
	err = la_fwcfg_init(f, o, env->g);
	if (err) {
		free(f);
		return err;
	}
	*state = f;
	*ops = &la_fwcfg_ops;
	return 0;
}

static void la_fwcfg_free(void *state)
{
	la_fwcfg_destroy(state);
	free(state);
}

/* Device (FWCF) { Name (_HID, "QEMU0002") Name (_STA, 0x0B)
 * Name (_CRS, ResourceTemplate () { IO (Decode16, 0x510, 0x510, 1, 12) }) } */
static void la_fwcfg_aml(struct la_aml *a, const struct la_dev_inst *d)
{
	const struct la_grant *io = la_dev_inst_grant(d, LA_RES_IO, 0);

	if (!io)
		return;
	la_aml_device_open(a, "FWCF");
	la_aml_name(a, "_HID");
	la_aml_byte(a, 0x0d); /* String */
	la_aml_bytes(a, "QEMU0002", 9);
	la_aml_name(a, "_STA");
	la_aml_int(a, 0x0b); /* present, enabled, functioning; not shown */
	la_aml_crs_begin(a);
	la_aml_res_io(a, (uint16_t)io->range.start, (uint8_t)la_range_len(io->range));
	la_aml_crs_end(a);
	la_aml_pkg_close(a);
}

const struct la_dev_desc la_dev_fw_cfg = {
	.name = "fw-cfg", .kind = "fw-cfg", .what = "fw_cfg firmware configuration (QEMU0002)",
	.arch = { [LA_ARCH_X86_64] = { 1, { LA_NEED_FIXED_IO(LA_FWCFG_IO, LA_FWCFG_IO_LEN,
						    "fw_cfg (selector, data, DMA)") } } },
	.aml = la_fwcfg_aml,
	.create = la_fwcfg_create, .destroy = la_fwcfg_free,
};
