/* SPDX-License-Identifier: MIT */
/* The AML writer (lib/acpi/aml.h). */
#include <string.h>

#include "acpi/aml.h"
#include "bytes.h"
#include "err.h"

void la_aml_bytes(struct la_aml *a, const void *p, size_t n)
{
	if (a->err || n > a->cap - a->len) {
		a->err = -LA_ERR_ACPISPACE;
		return;
	}
	memcpy(a->buf + a->len, p, n);
	a->len += n;
}

void la_aml_byte(struct la_aml *a, uint8_t b)
{
	la_aml_bytes(a, &b, 1);
}

void la_aml_pkg_open(struct la_aml *a)
{
	static const uint8_t zero[4];

	if (a->depth >= sizeof(a->open) / sizeof(a->open[0])) {
		a->err = -LA_ERR_INTERNAL;
		return;
	}
	a->open[a->depth++] = a->len;
	la_aml_bytes(a, zero, 4);
}

void la_aml_pkg_close(struct la_aml *a)
{
	size_t at, body, total, n;

	if (a->err || a->depth == 0)
		return;
	at = a->open[--a->depth];
	body = a->len - at - 4;
	n = body + 1 < 0x40 ? 1 : body + 2 < 0x1000 ? 2 : body + 3 < 0x100000 ? 3 : 4;
	total = body + n;
	memmove(a->buf + at + n, a->buf + at + 4, body);
	a->len -= 4 - n;
	if (n == 1) {
		a->buf[at] = (uint8_t)total;
		return;
	}
	a->buf[at] = (uint8_t)(((n - 1) << 6) | (total & 0xf));
	for (size_t i = 1; i < n; i++)
		a->buf[at + i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
}

void la_aml_int(struct la_aml *a, uint64_t v)
{
	uint8_t b[9];

	if (v <= 1) {
		la_aml_byte(a, (uint8_t)v); /* ZeroOp / OneOp */
	} else if (v <= 0xff) {
		b[0] = 0x0a, b[1] = (uint8_t)v;
		la_aml_bytes(a, b, 2);
	} else if (v <= 0xffff) {
		b[0] = 0x0b, la_put16(b + 1, (uint16_t)v);
		la_aml_bytes(a, b, 3);
	} else if (v <= 0xffffffff) {
		b[0] = 0x0c, la_put32(b + 1, (uint32_t)v);
		la_aml_bytes(a, b, 5);
	} else {
		b[0] = 0x0e, la_put64(b + 1, v);
		la_aml_bytes(a, b, 9);
	}
}

/* Name(NAME, ...) where name is a NameString such as "_HID" or "\\_S5_". */
void la_aml_name(struct la_aml *a, const char *name)
{
	la_aml_byte(a, 0x08);
	la_aml_bytes(a, name, strlen(name));
}

/* EisaId("PNP0A08") as the DWord AML stores. */
uint32_t la_aml_eisaid(const char *id)
{
	uint32_t c = (uint32_t)((id[0] - 0x40) & 0x1f) << 10 |
		     (uint32_t)((id[1] - 0x40) & 0x1f) << 5 | (uint32_t)((id[2] - 0x40) & 0x1f);
	uint32_t hex = 0;

	for (int i = 3; i < 7; i++)
		hex = hex << 4 | (uint32_t)(id[i] <= '9' ? id[i] - '0' : id[i] - 'A' + 10);
	return (c >> 8 & 0xff) | (c & 0xff) << 8 | (hex >> 8 & 0xff) << 16 | (hex & 0xff) << 24;
}

void la_aml_name_eisaid(struct la_aml *a, const char *name, const char *id)
{
	uint8_t b[5] = { 0x0c };

	la_aml_name(a, name);
	la_put32(b + 1, la_aml_eisaid(id));
	la_aml_bytes(a, b, 5); /* always the DWord form */
}

/* Resource descriptors (ACPI 6, §6.4). */
void la_aml_res_word_bus(struct la_aml *a, uint16_t min, uint16_t max)
{
	uint8_t d[16] = { 0x88, 13, 0, 2 /* bus */, 0x0c /* min/max fixed */, 0 };

	la_put16(d + 8, min);
	la_put16(d + 10, max);
	la_put16(d + 14, (uint16_t)(max - min + 1));
	la_aml_bytes(a, d, sizeof(d));
}

void la_aml_res_io(struct la_aml *a, uint16_t port, uint8_t len)
{
	uint8_t d[8] = { 0x47, 1 /* decode16 */ };

	la_put16(d + 2, port);
	la_put16(d + 4, port);
	d[6] = 1;
	d[7] = len;
	la_aml_bytes(a, d, sizeof(d));
}

void la_aml_res_mem(struct la_aml *a, struct la_range r)
{
	if (r.end <= 0xffffffff) {
		uint8_t d[26] = { 0x87, 23, 0, 0 /* memory */, 0x0c, 0x01 /* RW, non-cacheable */ };

		la_put32(d + 10, (uint32_t)r.start);
		la_put32(d + 14, (uint32_t)r.end);
		la_put32(d + 22, (uint32_t)la_range_len(r));
		la_aml_bytes(a, d, sizeof(d));
	} else {
		uint8_t d[46] = { 0x8a, 43, 0, 0, 0x0c, 0x01 };

		la_put64(d + 14, r.start);
		la_put64(d + 22, r.end);
		la_put64(d + 38, la_range_len(r));
		la_aml_bytes(a, d, sizeof(d));
	}
}

void la_aml_res_mem32_fixed(struct la_aml *a, uint32_t base, uint32_t len)
{
	uint8_t d[12] = { 0x86, 9, 0, 1 /* RW */ };

	la_put32(d + 4, base);
	la_put32(d + 8, len);
	la_aml_bytes(a, d, sizeof(d));
}

/* Name(_CRS, ResourceTemplate() {...}) opening; close with la_aml_crs_end. */
void la_aml_crs_begin(struct la_aml *a)
{
	la_aml_name(a, "_CRS");
	la_aml_byte(a, 0x11); /* BufferOp */
	la_aml_pkg_open(a);
	la_aml_byte(a, 0x0b); /* BufferSize: WordConst, patched at the end */
	la_aml_bytes(a, "\0", 2);
}

void la_aml_crs_end(struct la_aml *a)
{
	static const uint8_t end_tag[2] = { 0x79, 0 };
	size_t at = a->open[a->depth - 1];
	size_t size_at;

	la_aml_bytes(a, end_tag, 2);
	if (a->err)
		return;
	size_at = at + 4 + 1; /* after the placeholder and WordPrefix */
	la_put16(a->buf + size_at, (uint16_t)(a->len - size_at - 2));
	la_aml_pkg_close(a);
}

void la_aml_device_open(struct la_aml *a, const char *seg)
{
	la_aml_bytes(a, "\x5b\x82", 2);
	la_aml_pkg_open(a);
	la_aml_bytes(a, seg, 4);
}

void la_aml_package_open(struct la_aml *a, unsigned n)
{
	if (n <= 0xff) {
		la_aml_byte(a, 0x12); /* PackageOp */
		la_aml_pkg_open(a);
		la_aml_byte(a, (uint8_t)n);
	} else {
		la_aml_byte(a, 0x13); /* VarPackageOp */
		la_aml_pkg_open(a);
		la_aml_int(a, n);
	}
}

void la_aml_scope_open(struct la_aml *a, const char *path)
{
	la_aml_byte(a, 0x10); /* ScopeOp */
	la_aml_pkg_open(a);
	la_aml_bytes(a, path, strlen(path));
}

void la_aml_method_open(struct la_aml *a, const char *seg, unsigned nargs, int serialized)
{
	la_aml_byte(a, 0x14); /* MethodOp */
	la_aml_pkg_open(a);
	la_aml_bytes(a, seg, 4);
	la_aml_byte(a, (uint8_t)((nargs & 7) | (serialized ? 0x08 : 0)));
}

void la_aml_if_open(struct la_aml *a)
{
	la_aml_byte(a, 0xa0); /* IfOp */
	la_aml_pkg_open(a);
}

void la_aml_opregion_io(struct la_aml *a, const char *seg, uint16_t port, uint8_t len)
{
	la_aml_bytes(a, "\x5b\x80", 2); /* OpRegionOp */
	la_aml_bytes(a, seg, 4);
	la_aml_byte(a, 0x01);          /* SystemIO */
	la_aml_int(a, port);
	la_aml_int(a, len);
}

void la_aml_field_dwords(struct la_aml *a, const char *region, const char *const *segs,
			 unsigned n)
{
	la_aml_bytes(a, "\x5b\x81", 2); /* FieldOp */
	la_aml_pkg_open(a);
	la_aml_bytes(a, region, 4);
	la_aml_byte(a, 0x03);          /* DWordAcc, NoLock, Preserve */
	for (unsigned i = 0; i < n; i++) {
		la_aml_bytes(a, segs[i], 4);
		la_aml_byte(a, 32);    /* its bits, as a PkgLength */
	}
	la_aml_pkg_close(a);
}
