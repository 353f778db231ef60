/* SPDX-License-Identifier: MIT */
/* Unit tests of fw_cfg (lib/dev/fw_cfg.c): names, the selector and data
 * ports, the standard items and the file directory, reads past an item's
 * end, and DMA (read, skip, select, write) with good and bad guest
 * addresses, over fake guest RAM. No KVM. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acpi/aml.h"
#include "dev/dev.h"
#include "dev/fw_cfg.h"
#include "dev/platform.h"
#include "err.h"
#include "t.h"

#define RAM_GPA 0x100000ULL
#define RAM_SIZE 0x10000ULL

static uint8_t ram[RAM_SIZE];

static struct la_gmem fake_gmem(void)
{
	struct la_gmem g = { .n = 1 };

	g.s[0] = (struct la_gmem_slot){ .gpa = RAM_GPA, .size = RAM_SIZE, .host = ram };
	return g;
}

static const uint8_t file_bytes[] = "file contents\n";

static struct la_fwcfg_opts two_items(void)
{
	struct la_fwcfg_opts o = { .n = 2 };

	strcpy(o.item[0].name, "opt/la/file");
	o.item[0].data = file_bytes;
	o.item[0].size = sizeof(file_bytes) - 1;
	strcpy(o.item[1].name, "opt/la/string");
	o.item[1].data = (const uint8_t *)"hi";
	o.item[1].size = 2;
	return o;
}

static void sel(struct la_fwcfg *f, uint16_t key)
{
	uint8_t b[2] = { (uint8_t)key, (uint8_t)(key >> 8) };

	la_fwcfg_ops.write(f, LA_FWCFG_OFF_SELECTOR, b, 2);
}

static void data(struct la_fwcfg *f, uint8_t *out, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		la_fwcfg_ops.read(f, LA_FWCFG_OFF_DATA, out + i, 1);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void test_names(void)
{
	char longname[64];

	T_EQ_U64(la_fwcfg_check_name("opt/x"), 0);
	T_EQ_U64(la_fwcfg_check_name("bootorder"), 0);
	T_EQ_U64(la_fwcfg_check_name("opt/"), (uint64_t)-LA_ERR_BADVALUE);
	T_EQ_U64(la_fwcfg_check_name("etc/acpi/tables"), (uint64_t)-LA_ERR_BADVALUE);
	memset(longname, 'a', sizeof(longname));
	memcpy(longname, "opt/", 4);
	longname[55] = 0;                                  /* 55 bytes: the most */
	T_EQ_U64(la_fwcfg_check_name(longname), 0);
	longname[55] = 'a', longname[56] = 0;              /* 56 */
	T_EQ_U64(la_fwcfg_check_name(longname), (uint64_t)-LA_ERR_NAMELEN);
}

static void test_ports(void)
{
	struct la_fwcfg_opts o = two_items();
	struct la_gmem g = fake_gmem();
	struct la_fwcfg f;
	uint8_t b[80];

	T_CHECK(la_fwcfg_init(&f, &o, &g) == 0);
	/* the signature, selected from the start and by key 0 */
	data(&f, b, 4);
	T_CHECK(!memcmp(b, "QEMU", 4));
	sel(&f, LA_FWCFG_SIGNATURE);
	data(&f, b, 5);
	T_CHECK(!memcmp(b, "QEMU\0", 5));                  /* 0 past the end */
	/* the id: traditional interface and DMA */
	sel(&f, LA_FWCFG_ID);
	data(&f, b, 4);
	T_EQ_U64(b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24, 3);
	/* the directory: a count, then size, key, reserved, name[56] */
	sel(&f, LA_FWCFG_FILE_DIR);
	data(&f, b, 4);
	T_EQ_U64(be32(b), 2);
	data(&f, b, 64);
	T_EQ_U64(be32(b), sizeof(file_bytes) - 1);
	T_EQ_U64((uint32_t)b[4] << 8 | b[5], 0x20);
	T_EQ_STR((char *)b + 8, "opt/la/file");
	data(&f, b, 64);
	T_EQ_U64(be32(b), 2);
	T_EQ_U64((uint32_t)b[4] << 8 | b[5], 0x21);
	T_EQ_STR((char *)b + 8, "opt/la/string");
	/* a file, then past its end, then selected again from its start */
	sel(&f, 0x21);
	data(&f, b, 4);
	T_CHECK(!memcmp(b, "hi\0\0", 4));
	sel(&f, 0x20);
	data(&f, b, sizeof(file_bytes) - 1);
	T_CHECK(!memcmp(b, file_bytes, sizeof(file_bytes) - 1));
	/* the write-channel bit selects the same item; an unknown key, an
	 * arch-local one and a selector written with 1 or 4 bytes: nothing */
	sel(&f, 0x4021);
	data(&f, b, 2);
	T_CHECK(!memcmp(b, "hi", 2));
	sel(&f, 0x22);
	memset(b, 0xaa, 4);
	data(&f, b, 4);
	T_CHECK(!memcmp(b, "\0\0\0\0", 4));
	sel(&f, 0x8020);
	memset(b, 0xaa, 4);
	data(&f, b, 4);
	T_CHECK(!memcmp(b, "\0\0\0\0", 4));
	sel(&f, 0x21);
	la_fwcfg_ops.write(&f, LA_FWCFG_OFF_SELECTOR, (const uint8_t *)"\x20\0\0\0", 4);
	la_fwcfg_ops.write(&f, LA_FWCFG_OFF_SELECTOR, (const uint8_t *)"\x20", 1);
	data(&f, b, 2);
	T_CHECK(!memcmp(b, "hi", 2));
	/* a wide read of the data port: the next bytes; a data write: ignored */
	sel(&f, 0x20);
	la_fwcfg_ops.write(&f, LA_FWCFG_OFF_DATA, (const uint8_t *)"X", 1);
	la_fwcfg_ops.read(&f, LA_FWCFG_OFF_DATA, b, 4);
	T_CHECK(!memcmp(b, "file", 4));
	/* the DMA address register reads "QEMU CFG" */
	la_fwcfg_ops.read(&f, LA_FWCFG_OFF_DMA, b, 8);
	T_CHECK(!memcmp(b, "QEMU CFG", 8));
	la_fwcfg_destroy(&f);
}

/* Write the access at RAM offset at: control, length, address. */
static void access_at(uint64_t at, uint32_t control, uint32_t length, uint64_t addr)
{
	put_be32(ram + at, control);
	put_be32(ram + at + 4, length);
	put_be32(ram + at + 8, (uint32_t)(addr >> 32));
	put_be32(ram + at + 12, (uint32_t)addr);
}

/* Start DMA of the access at gpa as Linux does: high half at 4, low at 8. */
static void kick(struct la_fwcfg *f, uint64_t gpa)
{
	uint8_t hi[4], lo[4];

	put_be32(hi, (uint32_t)(gpa >> 32));
	put_be32(lo, (uint32_t)gpa);
	la_fwcfg_ops.write(f, LA_FWCFG_OFF_DMA, hi, 4);
	la_fwcfg_ops.write(f, LA_FWCFG_OFF_DMA + 4, lo, 4);
}

static void test_dma(void)
{
	struct la_fwcfg_opts o = two_items();
	struct la_gmem g = fake_gmem();
	struct la_fwcfg f;
	uint8_t b8[8];

	T_CHECK(la_fwcfg_init(&f, &o, &g) == 0);
	memset(ram, 0xee, sizeof(ram));
	/* select + read: the file into RAM, zeros past its end */
	access_at(0, 0x20u << 16 | LA_FWCFG_DMA_SELECT | LA_FWCFG_DMA_READ, 16,
		  RAM_GPA + 0x100);
	kick(&f, RAM_GPA);
	T_EQ_U64(be32(ram), 0);
	T_CHECK(!memcmp(ram + 0x100, file_bytes, 14));
	T_CHECK(ram[0x100 + 14] == 0 && ram[0x100 + 15] == 0 && ram[0x100 + 16] == 0xee);
	/* select + skip 5, then read 4 (one 8-byte write starts it) */
	access_at(0, 0x20u << 16 | LA_FWCFG_DMA_SELECT | LA_FWCFG_DMA_SKIP, 5, 0);
	kick(&f, RAM_GPA);
	T_EQ_U64(be32(ram), 0);
	access_at(0x20, LA_FWCFG_DMA_READ, 4, RAM_GPA + 0x200);
	put_be32(b8, 0);
	put_be32(b8 + 4, (uint32_t)(RAM_GPA + 0x20));
	la_fwcfg_ops.write(&f, LA_FWCFG_OFF_DMA, b8, 8);
	T_EQ_U64(be32(ram + 0x20), 0);
	T_CHECK(!memcmp(ram + 0x200, "cont", 4));
	/* the port sees where DMA left off */
	data(&f, b8, 4);
	T_CHECK(!memcmp(b8, "ents", 4));
	/* a read to an address outside RAM, or running past its end, or
	 * wrapping: the error bit, RAM untouched */
	access_at(0, 0x20u << 16 | LA_FWCFG_DMA_SELECT | LA_FWCFG_DMA_READ, 4, 0x10);
	kick(&f, RAM_GPA);
	T_EQ_U64(be32(ram), LA_FWCFG_DMA_ERROR);
	access_at(0, LA_FWCFG_DMA_READ, 0x20, RAM_GPA + RAM_SIZE - 0x10);
	memset(ram + RAM_SIZE - 0x10, 0xee, 0x10);
	kick(&f, RAM_GPA);
	T_EQ_U64(be32(ram), LA_FWCFG_DMA_ERROR);
	T_EQ_U64(ram[RAM_SIZE - 1], 0xee);
	access_at(0, LA_FWCFG_DMA_READ, 0x20, UINT64_MAX - 0x10);
	kick(&f, RAM_GPA);
	T_EQ_U64(be32(ram), LA_FWCFG_DMA_ERROR);
	access_at(0, LA_FWCFG_DMA_READ, 0xffffffffu, RAM_GPA);
	kick(&f, RAM_GPA);
	T_EQ_U64(be32(ram), LA_FWCFG_DMA_ERROR);
	/* write: no item is writable */
	access_at(0, 0x20u << 16 | LA_FWCFG_DMA_SELECT | LA_FWCFG_DMA_WRITE, 4, RAM_GPA + 0x100);
	kick(&f, RAM_GPA);
	T_EQ_U64(be32(ram), LA_FWCFG_DMA_ERROR);
	sel(&f, 0x20);
	data(&f, b8, 4);
	T_CHECK(!memcmp(b8, "file", 4));
	/* a descriptor outside RAM, or straddling its end: nothing happens */
	kick(&f, 0x1000);
	kick(&f, RAM_GPA + RAM_SIZE - 8);
	kick(&f, UINT64_MAX - 4);
	/* a read of length 0: done, nothing copied */
	access_at(0, 0x21u << 16 | LA_FWCFG_DMA_SELECT | LA_FWCFG_DMA_READ, 0, 0);
	kick(&f, RAM_GPA);
	T_EQ_U64(be32(ram), 0);
	la_fwcfg_destroy(&f);
}

/* The DSDT part: Device (FWCF) with _HID "QEMU0002" and its ports. */
static void test_aml(void)
{
	static const uint8_t io[8] = { 0x47, 1, 0x10, 0x05, 0x10, 0x05, 1, 12 };
	struct la_dev_inst d = { .desc = &la_dev_fw_cfg, .n = 1 };
	uint8_t buf[128];
	struct la_aml a = { .buf = buf, .cap = sizeof(buf) };

	d.g[0] = (struct la_grant){ .kind = LA_RES_IO, .range = { LA_FWCFG_IO, LA_FWCFG_IO +
									 LA_FWCFG_IO_LEN - 1 } };
	la_dev_fw_cfg.aml(&a, &d);
	T_EQ_U64(a.err, 0);
	T_CHECK(memmem(buf, a.len, "FWCF", 4) != NULL);
	T_CHECK(memmem(buf, a.len, "_HID\x0dQEMU0002", 14) != NULL);
	T_CHECK(memmem(buf, a.len, io, sizeof(io)) != NULL);
	/* on x86_64 only, at 0x510, 12 ports */
	T_EQ_U64(la_dev_fw_cfg.arch[LA_ARCH_X86_64].need[0].base, 0x510);
	T_EQ_U64(la_dev_fw_cfg.arch[LA_ARCH_X86_64].need[0].size, 12);
	T_EQ_U64(la_dev_fw_cfg.arch[LA_ARCH_AARCH64].n, 0);
	T_EQ_U64(la_dev_fw_cfg.arch[LA_ARCH_RISCV64].n, 0);
}

int main(void)
{
	test_names();
	test_ports();
	test_dma();
	test_aml();
	return T_DONE();
}
