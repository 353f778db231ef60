/* SPDX-License-Identifier: MIT */
/*
 * A tiny AML writer (ACPI 6, §20): bytes into a caller-owned buffer;
 * packages are opened with a 4-byte PkgLength placeholder and shrunk to
 * the shortest encoding when closed. The first error sticks in err
 * (-LA_ERR_ACPISPACE: the buffer is full; -LA_ERR_INTERNAL: packages
 * nested too deep) and every later call does nothing, so a writer checks
 * once at the end. The x86 DSDT (lib/arch/x86_64/tables.c) and the
 * devices' DSDT parts (la_dev_desc.aml) write with it.
 */
#ifndef LA_ACPI_AML_H
#define LA_ACPI_AML_H

#include <stddef.h>
#include <stdint.h>

#include "range.h"

struct la_aml {
	uint8_t *buf;
	size_t cap, len;
	int err;
	unsigned depth;
	size_t open[16];
};

void la_aml_bytes(struct la_aml *a, const void *p, size_t n);
void la_aml_byte(struct la_aml *a, uint8_t b);
/* la_aml_pkg_open / _close - a PkgLength around what is written between. */
void la_aml_pkg_open(struct la_aml *a);
void la_aml_pkg_close(struct la_aml *a);
/* la_aml_int - the shortest integer encoding (Zero, One, Byte...QWord). */
void la_aml_int(struct la_aml *a, uint64_t v);
/* la_aml_name - Name(NAME, ...) where name is a NameString such as "_HID"
 * or "\\_S5_"; the value follows. */
void la_aml_name(struct la_aml *a, const char *name);
/* la_aml_eisaid - EisaId("PNP0A08") as the DWord AML stores. */
uint32_t la_aml_eisaid(const char *id);
void la_aml_name_eisaid(struct la_aml *a, const char *name, const char *id);
/* Resource descriptors (ACPI 6, §6.4): a bus number range, a 16-bit IO
 * range, a memory range (32-bit form when it fits, else 64-bit), a fixed
 * 32-bit memory range. */
void la_aml_res_word_bus(struct la_aml *a, uint16_t min, uint16_t max);
void la_aml_res_io(struct la_aml *a, uint16_t port, uint8_t len);
void la_aml_res_mem(struct la_aml *a, struct la_range r);
void la_aml_res_mem32_fixed(struct la_aml *a, uint32_t base, uint32_t len);
/* la_aml_crs_begin - Name(_CRS, ResourceTemplate() { ... opened; close
 * with la_aml_crs_end, which adds the end tag and patches the size. */
void la_aml_crs_begin(struct la_aml *a);
void la_aml_crs_end(struct la_aml *a);
/* la_aml_device_open - Device(SEG) { ... (4 characters); close with
 * la_aml_pkg_close. */
void la_aml_device_open(struct la_aml *a, const char *seg);
/* la_aml_package_open - Package(n) { ... (VarPackage past 255 elements);
 * close with la_aml_pkg_close. */
void la_aml_package_open(struct la_aml *a, unsigned n);

/* Code (ACPI 6, §20.2.5), as the hot-plug methods need it. Each _open
 * writes the opcode and opens its package: close with la_aml_pkg_close.
 * la_aml_scope_open - Scope(path) { ... (path: a NameString, "\\_GPE");
 * la_aml_method_open - Method(seg, nargs, Serialized or not) { ...;
 * la_aml_if_open - If (predicate) { ...: the predicate is written next. */
void la_aml_scope_open(struct la_aml *a, const char *path);
void la_aml_method_open(struct la_aml *a, const char *seg, unsigned nargs, int serialized);
void la_aml_if_open(struct la_aml *a);
/* la_aml_opregion_io - OperationRegion(seg, SystemIO, port, len) */
void la_aml_opregion_io(struct la_aml *a, const char *seg, uint16_t port, uint8_t len);
/* la_aml_field_dwords - Field(region, DWordAcc, NoLock, Preserve) with n
 * 32-bit fields named segs[i], one after the other from offset 0. */
void la_aml_field_dwords(struct la_aml *a, const char *region, const char *const *segs,
			 unsigned n);
/* Operators whose operands follow: Store(src, dst), And(x, y, Zero),
 * Notify(obj, value); Local0-7 and Arg0-6. */
#define LA_AML_STORE 0x70
#define LA_AML_AND 0x7b
#define LA_AML_NOTIFY 0x86
#define LA_AML_LOCAL(n) (0x60 + (n))
#define LA_AML_ARG(n) (0x68 + (n))
#define LA_AML_NULLNAME 0x00

#endif
