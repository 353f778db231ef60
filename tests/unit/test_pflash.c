/* SPDX-License-Identifier: MIT */
/* Unit tests of pflash (lib/dev/pflash.c): image checks and placement,
 * reads in array mode, the CFI command state machine (program, block
 * erase, status, clear, query, bad commands), programs and erases outside
 * the image or off their offset. The image is a buffer here (la-vmrun
 * maps the file). No KVM. */
#include <stdint.h>
#include <string.h>

#include "dev/dev.h"
#include "dev/pflash.h"
#include "err.h"
#include "t.h"

#define SIZE 0x10000u
#define BLOCK 0x1000u

static uint8_t img[SIZE];

static void w(struct la_pflash *p, uint64_t off, uint8_t v)
{
	la_pflash_ops.write(p, off, &v, 1);
}

static uint8_t r(struct la_pflash *p, uint64_t off)
{
	uint8_t v = 0;

	la_pflash_ops.read(p, off, &v, 1);
	return v;
}

static uint8_t status(struct la_pflash *p)
{
	w(p, 0, LA_PFLASH_CMD_READ_STATUS);
	return r(p, 0);
}

static void fresh(struct la_pflash *p)
{
	for (unsigned i = 0; i < SIZE; i++)
		img[i] = (uint8_t)i;
	la_pflash_init(p, img, SIZE, BLOCK);
}

static void test_check(void)
{
	T_EQ_U64(la_pflash_check(SIZE, BLOCK, 0), 0);
	T_EQ_U64(la_pflash_check(SIZE, 3000, 0), (uint64_t)-LA_ERR_BADALIGN);
	T_EQ_U64(la_pflash_check(SIZE, 0, 0), (uint64_t)-LA_ERR_BADALIGN);
	T_EQ_U64(la_pflash_check(SIZE + 1, BLOCK, 0), (uint64_t)-LA_ERR_RANGE);
	T_EQ_U64(la_pflash_check(0, BLOCK, 0), (uint64_t)-LA_ERR_RANGE);
	T_EQ_U64(la_pflash_check(16u << 20, BLOCK, 0), 0);
	T_EQ_U64(la_pflash_check(16u << 20, BLOCK, 0x10000), (uint64_t)-LA_ERR_TOOLARGE);
	T_EQ_U64(la_pflash_check((16u << 20) - 0x10000, BLOCK, 0x10000), 0);
	/* below the BIOS at the top of 4 GiB */
	T_EQ_U64(la_pflash_base(SIZE, 0), 0xffff0000);
	T_EQ_U64(la_pflash_base(SIZE, 0x10000), 0xfffe0000);
}

static void test_read(void)
{
	struct la_pflash p;
	uint8_t b[8];

	fresh(&p);
	la_pflash_ops.read(&p, 0x1234, b, 8);
	T_CHECK(b[0] == 0x34 && b[7] == 0x3b);
	/* the last byte reads; past the end all ones */
	T_EQ_U64(r(&p, SIZE - 1), 0xff & (SIZE - 1));
	la_pflash_ops.read(&p, SIZE - 4, b, 8);
	T_CHECK(b[0] == 0xff && b[7] == 0xff);
	la_pflash_ops.read(&p, UINT64_MAX - 2, b, 4);
	T_CHECK(b[0] == 0xff && b[3] == 0xff);
	T_EQ_U64(status(&p), LA_PFLASH_STATUS_READY);
	/* a status read goes back to array mode */
	T_EQ_U64(r(&p, 0x10), 0x10);
}

static void test_program(void)
{
	struct la_pflash p;

	fresh(&p);
	w(&p, 0x2000, LA_PFLASH_CMD_PROGRAM);
	w(&p, 0x2000, 0xa5);
	T_EQ_U64(img[0x2000], 0xa5);
	T_EQ_U64(r(&p, 0x2000), 0xa5);
	T_EQ_U64(status(&p), LA_PFLASH_STATUS_READY);
	w(&p, 0x2001, LA_PFLASH_CMD_PROGRAM_ALT);    /* 0x40 too */
	w(&p, 0x2001, 0x5a);
	T_EQ_U64(img[0x2001], 0x5a);
	/* the byte at another offset: refused, the program error bit */
	w(&p, 0x2002, LA_PFLASH_CMD_PROGRAM);
	w(&p, 0x2003, 0x11);
	T_EQ_U64(img[0x2002], 0x02);
	T_EQ_U64(img[0x2003], 0x03);
	T_EQ_U64(status(&p), LA_PFLASH_STATUS_READY | LA_PFLASH_STATUS_PROGRAM_ERROR);
	/* clear status: 0 (crosvm's), and reading the array makes it ready */
	w(&p, 0, LA_PFLASH_CMD_CLEAR_STATUS);
	T_EQ_U64(status(&p), 0);
	r(&p, 0);
	T_EQ_U64(status(&p), LA_PFLASH_STATUS_READY);
	/* outside the image: refused, nothing written, the buffer's end intact */
	w(&p, SIZE, LA_PFLASH_CMD_PROGRAM);
	w(&p, SIZE, 0x77);
	T_EQ_U64(status(&p), LA_PFLASH_STATUS_READY | LA_PFLASH_STATUS_PROGRAM_ERROR);
	w(&p, UINT64_MAX, LA_PFLASH_CMD_PROGRAM);
	w(&p, UINT64_MAX, 0x77);
	T_EQ_U64(status(&p), LA_PFLASH_STATUS_READY | LA_PFLASH_STATUS_PROGRAM_ERROR);
	/* wider writes are ignored: neither command nor data */
	la_pflash_ops.write(&p, 0x3000, (const uint8_t *)"\x10\x10", 2);
	w(&p, 0x3000, 0x99);                          /* a command byte, not data */
	T_EQ_U64(img[0x3000], 0x00);
	/* a read while a program waits cancels it */
	w(&p, 0x3001, LA_PFLASH_CMD_PROGRAM);
	T_EQ_U64(r(&p, 0x3001), 0xff);
	w(&p, 0x3001, 0x42);
	T_EQ_U64(img[0x3001], 0x01);
}

static void test_erase(void)
{
	struct la_pflash p;
	unsigned ff = 0;

	fresh(&p);
	w(&p, 0x1000, LA_PFLASH_CMD_ERASE);
	w(&p, 0x1000, LA_PFLASH_CMD_CONFIRM);
	for (unsigned i = 0x1000; i < 0x2000; i++)
		ff += img[i] == 0xff;
	T_EQ_U64(ff, BLOCK);
	T_EQ_U64(img[0x0fff], 0xff & 0x0fff);         /* the blocks around it */
	T_EQ_U64(img[0x2000], 0x00);
	T_EQ_U64(status(&p), LA_PFLASH_STATUS_READY);
	/* not CONFIRM, another offset, not a block's start, outside: refused */
	w(&p, 0x2000, LA_PFLASH_CMD_ERASE);
	w(&p, 0x2000, 0xd1);
	T_EQ_U64(status(&p), LA_PFLASH_STATUS_READY | LA_PFLASH_STATUS_ERASE_ERROR);
	w(&p, 0x2000, LA_PFLASH_CMD_ERASE);
	w(&p, 0x3000, LA_PFLASH_CMD_CONFIRM);
	w(&p, 0x2010, LA_PFLASH_CMD_ERASE);
	w(&p, 0x2010, LA_PFLASH_CMD_CONFIRM);
	T_EQ_U64(status(&p), LA_PFLASH_STATUS_READY | LA_PFLASH_STATUS_ERASE_ERROR);
	w(&p, SIZE, LA_PFLASH_CMD_ERASE);
	w(&p, SIZE, LA_PFLASH_CMD_CONFIRM);
	T_EQ_U64(status(&p), LA_PFLASH_STATUS_READY | LA_PFLASH_STATUS_ERASE_ERROR);
	T_EQ_U64(img[0x2010], 0x10);
	T_EQ_U64(img[0x3000], 0x00);
	/* the last block */
	w(&p, SIZE - BLOCK, LA_PFLASH_CMD_ERASE);
	w(&p, SIZE - BLOCK, LA_PFLASH_CMD_CONFIRM);
	T_EQ_U64(img[SIZE - 1], 0xff);
	T_EQ_U64(status(&p), LA_PFLASH_STATUS_READY);
}

static void test_query_and_bad(void)
{
	struct la_pflash p;

	fresh(&p);
	w(&p, 0x55, LA_PFLASH_CMD_QUERY);
	T_EQ_U64(r(&p, 0x10), 'Q');
	T_EQ_U64(r(&p, 0x11), 'R');
	T_EQ_U64(r(&p, 0x12), 'Y');
	T_EQ_U64(r(&p, 0x13), 0x01);                 /* Intel's command set */
	T_EQ_U64(r(&p, 0x27), 16);                   /* 2^16 bytes */
	T_EQ_U64(r(&p, 0x2c), 1);                    /* one erase region */
	T_EQ_U64(r(&p, 0x2d) | r(&p, 0x2e) << 8, SIZE / BLOCK - 1);
	T_EQ_U64(r(&p, 0x2f) | r(&p, 0x30) << 8, BLOCK / 256);
	w(&p, 0, LA_PFLASH_CMD_READ_ARRAY);
	T_EQ_U64(r(&p, 0x10), 0x10);
	/* an unknown command: ignored, array mode */
	w(&p, 0x20, 0x90);
	T_EQ_U64(r(&p, 0x20), 0x20);
	w(&p, 0x20, 0x00);
	T_EQ_U64(r(&p, 0x21), 0x21);
	T_EQ_U64(status(&p), LA_PFLASH_STATUS_READY);
}

int main(void)
{
	test_check();
	test_read();
	test_program();
	test_erase();
	test_query_and_bad();
	return T_DONE();
}
