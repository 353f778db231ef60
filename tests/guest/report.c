/* SPDX-License-Identifier: MIT */
/*
 * The probe guest's table walkers and report writer (see probe.h). Plain C
 * with no library calls, so it builds freestanding for the guest and natively
 * for the unit test. Facts follow the Linux boot protocol, the MultiProcessor
 * Specification 1.4 and ACPI 6; addresses are from crosvm-arch.md §3.
 */
#include "probe.h"

/* ---- output -------------------------------------------------------------- */

static void probe_puts(struct probe *p, const char *s)
{
	while (*s)
		p->putc(p->ctx, *s++);
}

static void probe_putnum(struct probe *p, uint64_t v, unsigned base, int prefix)
{
	char buf[24];
	int n = 0;

	if (prefix)
		probe_puts(p, "0x");
	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n)
		p->putc(p->ctx, buf[--n]);
}

static void probe_vprintf(struct probe *p, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		int lng = 0;

		if (*fmt != '%') {
			p->putc(p->ctx, *fmt);
			continue;
		}
		if (*++fmt == 'l') {
			lng = 1;
			fmt++;
		}
		switch (*fmt) {
		case 's':
			probe_puts(p, va_arg(ap, const char *));
			break;
		case 'c':
			p->putc(p->ctx, (char)va_arg(ap, int));
			break;
		case 'd': {
			int v = va_arg(ap, int);

			if (v < 0) {
				p->putc(p->ctx, '-');
				probe_putnum(p, -(int64_t)v, 10, 0);
			} else {
				probe_putnum(p, (uint64_t)v, 10, 0);
			}
			break;
		}
		case 'u':
			probe_putnum(p, lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 10, 0);
			break;
		case 'x':
			probe_putnum(p, lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 16, 1);
			break;
		case '%':
			p->putc(p->ctx, '%');
			break;
		default:
			return; /* unsupported: stop rather than misread the arguments */
		}
	}
}

void probe_printf(struct probe *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	probe_vprintf(p, fmt, ap);
	va_end(ap);
}

void probe_error(struct probe *p, const char *fmt, ...)
{
	va_list ap;

	p->errors++;
	probe_puts(p, "probe: error ");
	va_start(ap, fmt);
	probe_vprintf(p, fmt, ap);
	va_end(ap);
	p->putc(p->ctx, '\n');
}

/* probe_puttext: bytes [s, s+len) up to a NUL, non-printing ones as '?' */
static void probe_puttext(struct probe *p, const uint8_t *s, uint64_t len)
{
	for (uint64_t i = 0; i < len && s[i]; i++)
		p->putc(p->ctx, s[i] >= 0x20 && s[i] < 0x7f ? (char)s[i] : '?');
}

/* ---- memory ---------------------------------------------------------------- */

const uint8_t *probe_ptr(const struct probe *p, uint64_t gpa, uint64_t len)
{
	if (gpa > p->memsize || len > p->memsize - gpa)
		return NULL;
	return p->mem + gpa;
}

uint8_t probe_sum8(const uint8_t *b, uint64_t len)
{
	uint8_t s = 0;

	while (len--)
		s = (uint8_t)(s + *b++);
	return s;
}

uint16_t probe_rd16(const uint8_t *b)
{
	return (uint16_t)(b[0] | b[1] << 8);
}

uint32_t probe_rd32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

uint64_t probe_rd64(const uint8_t *b)
{
	return probe_rd32(b) | (uint64_t)probe_rd32(b + 4) << 32;
}

static uint32_t probe_rd32be(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static int probe_sig(const uint8_t *b, const char *sig)
{
	for (; *sig; sig++, b++)
		if (*b != (uint8_t)*sig)
			return 0;
	return 1;
}

static const char *probe_ok(uint8_t sum)
{
	return sum ? "bad" : "ok";
}

/* ---- boot_params ------------------------------------------------------------ */

static void probe_report_cmdline(struct probe *p, const uint8_t *bp)
{
	uint64_t addr = probe_rd32(bp + PROBE_BP_CMD_LINE_PTR) |
			(uint64_t)probe_rd32(bp + PROBE_BP_EXT_CMD_LINE_PTR) << 32;
	const uint8_t *s;
	uint64_t n = 0, max = 4096;

	if (!addr) {
		probe_printf(p, "probe: cmdline-ptr 0x0\n");
		return;
	}
	s = probe_ptr(p, addr, max);
	if (!s) {
		probe_error(p, "cmdline %lx outside guest memory", (unsigned long)addr);
		return;
	}
	while (n < max && s[n])
		n++;
	if (n == max) {
		probe_error(p, "cmdline at %lx has no NUL in %lu bytes", (unsigned long)addr,
			    (unsigned long)max);
		return;
	}
	p->cmdline = addr;
	probe_printf(p, "probe: cmdline-ptr %lx len %lu\n", (unsigned long)addr, (unsigned long)n);
	probe_puts(p, "probe: cmdline ");
	probe_puttext(p, s, n);
	p->putc(p->ctx, '\n');
}

static void probe_report_e820(struct probe *p, const uint8_t *bp)
{
	unsigned n = bp[PROBE_BP_E820_ENTRIES];
	uint64_t prev_end = 0;

	probe_printf(p, "probe: e820-entries %u\n", n);
	if (n > PROBE_E820_MAX) {
		probe_error(p, "e820 has %u entries, more than %u", n, PROBE_E820_MAX);
		n = PROBE_E820_MAX;
	}
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *e = bp + PROBE_BP_E820_TABLE + 20 * i;
		uint64_t addr = probe_rd64(e), size = probe_rd64(e + 8);

		probe_printf(p, "probe: e820 %lx %lx %u\n", (unsigned long)addr,
			     (unsigned long)size, probe_rd32(e + 16));
		if (!size)
			probe_error(p, "e820 entry %u is empty", i);
		if (addr + size < addr)
			probe_error(p, "e820 entry %u wraps around", i);
		/* RAM entries must not overlap what came before them */
		if (probe_rd32(e + 16) == 1 && i && addr < prev_end)
			probe_error(p, "e820 RAM entry %u overlaps the one before", i);
		prev_end = addr + size;
	}
}

static void probe_report_initrd(struct probe *p, const uint8_t *bp)
{
	uint64_t addr = probe_rd32(bp + PROBE_BP_RAMDISK_IMAGE) |
			(uint64_t)probe_rd32(bp + PROBE_BP_EXT_RAMDISK_IMAGE) << 32;
	uint64_t size = probe_rd32(bp + PROBE_BP_RAMDISK_SIZE) |
			(uint64_t)probe_rd32(bp + PROBE_BP_EXT_RAMDISK_SIZE) << 32;
	const uint8_t *b;

	probe_printf(p, "probe: initrd %lx %lx", (unsigned long)addr, (unsigned long)size);
	if (size && (b = probe_ptr(p, addr, size)) != NULL) {
		uint32_t h = 2166136261u; /* FNV-1a over the whole image */

		for (uint64_t i = 0; i < size; i++)
			h = (h ^ b[i]) * 16777619u;
		probe_printf(p, " fnv1a %x", h);
	} else if (size) {
		p->putc(p->ctx, '\n');
		probe_error(p, "initrd %lx+%lx outside guest memory", (unsigned long)addr,
			    (unsigned long)size);
		return;
	}
	p->putc(p->ctx, '\n');
}

static void probe_report_setup_data(struct probe *p, uint64_t addr)
{
	unsigned n = 0;

	while (addr) {
		const uint8_t *h = probe_ptr(p, addr, 16), *d;
		uint32_t type, len;

		if (!h) {
			probe_error(p, "setup_data %lx outside guest memory", (unsigned long)addr);
			return;
		}
		type = probe_rd32(h + 8);
		len = probe_rd32(h + 12);
		probe_printf(p, "probe: setup_data %lx type %u len %u", (unsigned long)addr, type, len);
		d = probe_ptr(p, addr + 16, len);
		if (!d) {
			p->putc(p->ctx, '\n');
			probe_error(p, "setup_data %lx payload outside guest memory", (unsigned long)addr);
			return;
		}
		if (type == PROBE_SETUP_DTB && len >= 8)
			probe_printf(p, " fdt-magic %s fdt-size %u",
				     probe_rd32be(d) == PROBE_FDT_MAGIC ? "ok" : "bad",
				     probe_rd32be(d + 4));
		if (type == PROBE_SETUP_RNG_SEED) {
			unsigned zero = 0;

			for (uint32_t i = 0; i < len; i++)
				zero += !d[i];
			probe_printf(p, " zero-bytes %u", zero);
		}
		p->putc(p->ctx, '\n');
		if (type == PROBE_SETUP_DTB && len >= 8 &&
		    (probe_rd32be(d) != PROBE_FDT_MAGIC || probe_rd32be(d + 4) > len))
			probe_error(p, "setup_data %lx: not a DTB that fits its entry",
				    (unsigned long)addr);
		if (addr & 7)
			probe_error(p, "setup_data %lx is not 8-byte aligned", (unsigned long)addr);
		if (++n > 64) {
			probe_error(p, "setup_data list longer than 64 entries (a loop?)");
			return;
		}
		addr = probe_rd64(h);
	}
	probe_printf(p, "probe: setup_data-entries %u\n", n);
}

void probe_report_boot_params(struct probe *p, uint64_t bpa)
{
	const uint8_t *bp = probe_ptr(p, bpa, PROBE_BP_SIZE);

	if (!bp) {
		probe_error(p, "boot_params %lx outside guest memory", (unsigned long)bpa);
		return;
	}
	probe_printf(p, "probe: boot_params %lx header %s version %x loader %x boot_flag %x "
			"kernel_alignment %x setup_data %lx\n",
		     (unsigned long)bpa, probe_rd32(bp + PROBE_BP_HEADER) == PROBE_HDRS ? "ok" : "bad",
		     probe_rd16(bp + PROBE_BP_VERSION), bp[PROBE_BP_TYPE_OF_LOADER],
		     probe_rd16(bp + PROBE_BP_BOOT_FLAG), probe_rd32(bp + PROBE_BP_KERNEL_ALIGNMENT),
		     (unsigned long)probe_rd64(bp + PROBE_BP_SETUP_DATA));
	if (probe_rd32(bp + PROBE_BP_HEADER) != PROBE_HDRS)
		probe_error(p, "boot_params header is not HdrS");
	if (probe_rd16(bp + PROBE_BP_BOOT_FLAG) != 0xaa55)
		probe_error(p, "boot_params boot_flag is not 0xaa55");
	probe_report_cmdline(p, bp);
	probe_report_e820(p, bp);
	probe_report_initrd(p, bp);
	probe_report_setup_data(p, probe_rd64(bp + PROBE_BP_SETUP_DATA));
}

/* ---- MP table ------------------------------------------------------------------ */

/* probe_mp_find: the MP floating pointer ("_MP_" on a 16-byte boundary with a
 * valid checksum) in [lo, hi), 0 if none */
static uint64_t probe_mp_find(const struct probe *p, uint64_t lo, uint64_t hi)
{
	for (uint64_t a = lo; a + 16 <= hi; a += 16) {
		const uint8_t *b = probe_ptr(p, a, 16);

		if (b && probe_sig(b, "_MP_") && !probe_sum8(b, 16))
			return a;
	}
	return 0;
}

static const char *probe_mp_entry_type(uint8_t t)
{
	static const char *const names[] = { "cpu", "bus", "ioapic", "intsrc", "lintsrc" };

	return t < 5 ? names[t] : "unknown";
}

/* probe_report_mp_entry: print one base-table entry at e; returns its size */
static unsigned probe_report_mp_entry(struct probe *p, const uint8_t *e)
{
	switch (e[0]) {
	case 0:
		p->mp_cpus++;
		probe_printf(p, "probe: mp cpu apic %u ver %x flags %x signature %x features %x\n",
			     e[1], e[2], e[3], probe_rd32(e + 4), probe_rd32(e + 8));
		return 20;
	case 1:
		probe_printf(p, "probe: mp bus %u ", e[1]);
		probe_puttext(p, e + 2, 6);
		p->putc(p->ctx, '\n');
		return 8;
	case 2:
		probe_printf(p, "probe: mp ioapic %u ver %x flags %x addr %x\n", e[1], e[2], e[3],
			     probe_rd32(e + 4));
		return 8;
	default:
		probe_printf(p, "probe: mp %s type %u flags %x bus %u irq %u apic %x pin %u\n",
			     probe_mp_entry_type(e[0]), e[1], probe_rd16(e + 2), e[4], e[5], e[6], e[7]);
		return 8;
	}
}

void probe_report_mptable(struct probe *p)
{
	uint64_t fp = probe_mp_find(p, PROBE_MPTABLE_SEARCH_LOW, 0xa0000);
	const uint8_t *f, *t;
	uint64_t ta;
	uint16_t len, count;

	if (!fp)
		fp = probe_mp_find(p, PROBE_BIOS_ROM_START, PROBE_BIOS_ROM_END);
	if (!fp) {
		probe_printf(p, "probe: mp none\n");
		return;
	}
	f = probe_ptr(p, fp, 16);
	ta = probe_rd32(f + 4);
	probe_printf(p, "probe: mp fp %lx table %lx length %u spec %u checksum ok features %x\n",
		     (unsigned long)fp, (unsigned long)ta, f[8], f[9], probe_rd32(f + 11));
	t = probe_ptr(p, ta, 44);
	if (!t || !probe_sig(t, "PCMP")) {
		probe_error(p, "mp table at %lx has no PCMP signature", (unsigned long)ta);
		return;
	}
	len = probe_rd16(t + 4);
	count = probe_rd16(t + 34);
	t = probe_ptr(p, ta, len);
	if (!t || len < 44) {
		probe_error(p, "mp table at %lx: length %u is wrong", (unsigned long)ta, len);
		return;
	}
	probe_printf(p, "probe: mp table %lx length %u spec %u checksum %s entries %u lapic %x oem ",
		     (unsigned long)ta, len, t[6], probe_ok(probe_sum8(t, len)), count,
		     probe_rd32(t + 36));
	probe_puttext(p, t + 8, 8);
	p->putc(p->ctx, '\n');
	if (probe_sum8(t, len))
		probe_error(p, "mp table checksum");
	for (unsigned i = 0, off = 44; i < count; i++) {
		if (off + 8 > len || (t[off] == 0 && off + 20 > len)) {
			probe_error(p, "mp table entry %u runs past the table", i);
			return;
		}
		off += probe_report_mp_entry(p, t + off);
	}
	probe_printf(p, "probe: mp cpus %u\n", p->mp_cpus);
}

/* ---- ACPI ----------------------------------------------------------------------- */

/* probe_acpi_table: check the table at gpa (signature, length, checksum) and
 * print "probe: acpi table SIG ADDR length N rev R checksum ok|bad"; returns
 * its bytes or NULL. */
static const uint8_t *probe_acpi_table(struct probe *p, uint64_t gpa)
{
	const uint8_t *h = probe_ptr(p, gpa, 36), *t;
	uint32_t len;

	if (!h) {
		probe_error(p, "acpi table at %lx outside guest memory", (unsigned long)gpa);
		return NULL;
	}
	len = probe_rd32(h + 4);
	t = probe_ptr(p, gpa, len);
	if (!t || len < 36) {
		probe_error(p, "acpi table at %lx has a bad length %u", (unsigned long)gpa, len);
		return NULL;
	}
	probe_puts(p, "probe: acpi table ");
	probe_puttext(p, t, 4);
	probe_printf(p, " %lx length %u rev %u checksum %s oem ", (unsigned long)gpa, len, t[8],
		     probe_ok(probe_sum8(t, len)));
	probe_puttext(p, t + 10, 6);
	p->putc(p->ctx, '\n');
	if (probe_sum8(t, len)) {
		probe_puts(p, "probe: error acpi table checksum ");
		probe_puttext(p, t, 4);
		p->putc(p->ctx, '\n');
		p->errors++;
	}
	return t;
}

/* probe_aml_pkglen: decode an AML PkgLength at b; *n = its size in bytes */
static uint32_t probe_aml_pkglen(const uint8_t *b, unsigned *n)
{
	unsigned follow = b[0] >> 6;
	uint32_t v = follow ? b[0] & 0x0f : b[0] & 0x3f;

	for (unsigned i = 0; i < follow; i++)
		v |= (uint32_t)b[1 + i] << (4 + 8 * i);
	*n = 1 + follow;
	return v;
}

/* probe_aml_int: decode an AML integer constant (Zero, One, Byte/Word/DWord
 * prefix) at b, -1 if it is none of those */
static int64_t probe_aml_int(const uint8_t *b, const uint8_t *end)
{
	if (b >= end)
		return -1;
	switch (b[0]) {
	case 0x00: return 0;
	case 0x01: return 1;
	case 0x0a: return b + 1 < end ? b[1] : -1;
	case 0x0b: return b + 2 < end ? probe_rd16(b + 1) : -1;
	case 0x0c: return b + 4 < end ? (int64_t)probe_rd32(b + 1) : -1;
	default: return -1;
	}
}

int probe_s5_slp_typ(const uint8_t *aml, uint64_t len)
{
	const uint8_t *end = aml + len;

	/* NameOp "_S5_" PackageOp PkgLength NumElements SLP_TYPa ... */
	for (const uint8_t *b = aml; b + 8 <= end; b++) {
		unsigned n;

		if (!probe_sig(b, "_S5_") || b[4] != 0x12)
			continue;
		/* the name may be rooted or in a scope: \_S5_ or _S5_ both end here */
		probe_aml_pkglen(b + 5, &n);
		if (b + 5 + n + 1 >= end)
			return -1;
		return (int)probe_aml_int(b + 5 + n + 1, end);
	}
	return -1;
}

static uint32_t probe_fadt_io(const uint8_t *f, uint32_t len, unsigned blk, unsigned xgas)
{
	/* the 64-bit GAS wins when present, in system I/O space and non-zero */
	if (len >= xgas + 12 && f[xgas] == 1 && probe_rd64(f + xgas + 4))
		return (uint32_t)probe_rd64(f + xgas + 4);
	return probe_rd32(f + blk);
}

static void probe_report_fadt(struct probe *p, const uint8_t *f)
{
	uint32_t len = probe_rd32(f + 4);
	uint64_t dsdt = 0, facs = 0;
	const uint8_t *d;

	if (len < 116) {
		probe_error(p, "acpi FADT is %u bytes, too short", len);
		return;
	}
	dsdt = len >= 148 && probe_rd64(f + 140) ? probe_rd64(f + 140) : probe_rd32(f + 40);
	facs = len >= 140 && probe_rd64(f + 132) ? probe_rd64(f + 132) : probe_rd32(f + 36);
	p->pm1a_cnt = probe_fadt_io(f, len, 64, 172);
	p->pm1b_cnt = probe_fadt_io(f, len, 68, 184);
	probe_printf(p, "probe: acpi fadt sci %u smi_cmd %x pm1a_evt %x pm1a_cnt %x gpe0 %x "
			"pm1_evt_len %u pm1_cnt_len %u gpe0_len %u flags %x dsdt %lx facs %lx",
		     probe_rd16(f + 46), probe_rd32(f + 48), probe_fadt_io(f, len, 56, 148),
		     p->pm1a_cnt, probe_fadt_io(f, len, 80, 220), f[88], f[89], f[92],
		     probe_rd32(f + 112), (unsigned long)dsdt, (unsigned long)facs);
	if (len >= 129)
		probe_printf(p, " reset %u:%lx:%x", f[116], (unsigned long)probe_rd64(f + 120), f[128]);
	if (len >= 276)
		probe_printf(p, " minor %u hypervisor %c%c%c%c%c%c", f[131], f[268], f[269], f[270],
			     f[271], f[272], f[273]);
	p->putc(p->ctx, '\n');
	if (facs) {
		const uint8_t *fs = probe_ptr(p, facs, 64);

		if (!fs || !probe_sig(fs, "FACS"))
			probe_error(p, "acpi FACS at %lx has no FACS signature", (unsigned long)facs);
		else
			probe_printf(p, "probe: acpi facs %lx length %u\n", (unsigned long)facs,
				     probe_rd32(fs + 4));
	}
	if (!dsdt) {
		probe_error(p, "acpi FADT names no DSDT");
		return;
	}
	d = probe_acpi_table(p, dsdt);
	if (!d)
		return;
	if (!probe_sig(d, "DSDT"))
		probe_error(p, "acpi FADT's DSDT at %lx is not a DSDT", (unsigned long)dsdt);
	p->slp_typ_s5 = probe_s5_slp_typ(d + 36, probe_rd32(d + 4) - 36);
	probe_printf(p, "probe: acpi s5 %d\n", p->slp_typ_s5);
}

static void probe_report_madt(struct probe *p, const uint8_t *t)
{
	uint32_t len = probe_rd32(t + 4);

	if (len < 44) {
		probe_error(p, "acpi MADT is %u bytes, too short", len);
		return;
	}
	probe_printf(p, "probe: acpi madt lapic %x flags %x\n", probe_rd32(t + 36), probe_rd32(t + 40));
	for (uint32_t off = 44; off < len;) {
		const uint8_t *e = t + off;

		if (off + 2 > len || e[1] < 2 || off + e[1] > len) {
			probe_error(p, "acpi MADT entry at offset %u runs past the table", off);
			return;
		}
		switch (e[0]) {
		case 0:
			probe_printf(p, "probe: acpi madt cpu uid %u apic %u flags %x\n", e[2], e[3],
				     probe_rd32(e + 4));
			p->acpi_cpus += probe_rd32(e + 4) & 1;
			break;
		case 1:
			probe_printf(p, "probe: acpi madt ioapic %u addr %x gsi_base %u\n", e[2],
				     probe_rd32(e + 4), probe_rd32(e + 8));
			break;
		case 2:
			probe_printf(p, "probe: acpi madt iso bus %u source %u gsi %u flags %x\n", e[2],
				     e[3], probe_rd32(e + 4), probe_rd16(e + 8));
			break;
		case 4:
			probe_printf(p, "probe: acpi madt nmi uid %x flags %x lint %u\n", e[2],
				     probe_rd16(e + 3), e[5]);
			break;
		case 9:
			probe_printf(p, "probe: acpi madt x2apic %u flags %x uid %u\n",
				     probe_rd32(e + 4), probe_rd32(e + 8), probe_rd32(e + 12));
			p->acpi_cpus += probe_rd32(e + 8) & 1;
			break;
		default:
			probe_printf(p, "probe: acpi madt type %u length %u\n", e[0], e[1]);
		}
		off += e[1];
	}
	probe_printf(p, "probe: acpi cpus %u\n", p->acpi_cpus);
}

static void probe_report_mcfg(struct probe *p, const uint8_t *t)
{
	uint32_t len = probe_rd32(t + 4);

	for (uint32_t off = 44; off + 16 <= len; off += 16)
		probe_printf(p, "probe: acpi mcfg %lx segment %u bus %u-%u\n",
			     (unsigned long)probe_rd64(t + off), probe_rd16(t + off + 8),
			     t[off + 10], t[off + 11]);
}

static void probe_report_sdt(struct probe *p, uint64_t gpa)
{
	const uint8_t *t = probe_acpi_table(p, gpa);

	if (!t)
		return;
	if (probe_sig(t, "FACP"))
		probe_report_fadt(p, t);
	else if (probe_sig(t, "APIC"))
		probe_report_madt(p, t);
	else if (probe_sig(t, "MCFG"))
		probe_report_mcfg(p, t);
}

/* probe_acpi_find: the RSDP ("RSD PTR " on a 16-byte boundary, valid
 * checksum over its first 20 bytes) in [lo, hi), 0 if none */
static uint64_t probe_acpi_find(const struct probe *p, uint64_t lo, uint64_t hi)
{
	for (uint64_t a = lo; a + 20 <= hi; a += 16) {
		const uint8_t *b = probe_ptr(p, a, 20);

		if (b && probe_sig(b, "RSD PTR ") && !probe_sum8(b, 20))
			return a;
	}
	return 0;
}

void probe_report_acpi(struct probe *p)
{
	uint64_t ebda = 0, ra = 0, root;
	const uint8_t *r, *bda = probe_ptr(p, 0x40e, 2), *t;
	unsigned entsz;

	if (bda)
		ebda = (uint64_t)probe_rd16(bda) << 4;
	if (ebda)
		ra = probe_acpi_find(p, ebda, ebda + 1024);
	if (!ra)
		ra = probe_acpi_find(p, PROBE_BIOS_ROM_START, PROBE_BIOS_ROM_END);
	p->slp_typ_s5 = -1;
	if (!ra) {
		probe_printf(p, "probe: acpi none\n");
		return;
	}
	r = probe_ptr(p, ra, 36);
	probe_printf(p, "probe: acpi rsdp %lx rev %u oem %c%c%c%c%c%c", (unsigned long)ra, r[15],
		     r[9], r[10], r[11], r[12], r[13], r[14]);
	if (r[15] >= 2 && probe_rd32(r + 20) == 36) {
		probe_printf(p, " length 36 xchecksum %s xsdt %lx\n", probe_ok(probe_sum8(r, 36)),
			     (unsigned long)probe_rd64(r + 24));
		if (probe_sum8(r, 36))
			probe_error(p, "acpi rsdp extended checksum");
		root = probe_rd64(r + 24);
		entsz = 8;
	} else {
		probe_printf(p, " rsdt %x\n", probe_rd32(r + 16));
		root = probe_rd32(r + 16);
		entsz = 4;
	}
	t = probe_acpi_table(p, root);
	if (!t)
		return;
	if (!probe_sig(t, entsz == 8 ? "XSDT" : "RSDT"))
		probe_error(p, "acpi root table at %lx has the wrong signature", (unsigned long)root);
	for (uint32_t off = 36; off + entsz <= probe_rd32(t + 4); off += entsz)
		probe_report_sdt(p, entsz == 8 ? probe_rd64(t + off) : probe_rd32(t + off));
}

/* ---- command line -------------------------------------------------------------- */

static const char *const probe_modes[] = {
	[PROBE_MODE_POWEROFF] = "poweroff",
	[PROBE_MODE_REBOOT] = "reboot",
	[PROBE_MODE_TRIPLEFAULT] = "triplefault",
	[PROBE_MODE_POST] = "post",
	[PROBE_MODE_WAIT] = "wait",
	[PROBE_MODE_MMIO] = "mmio",
	[PROBE_MODE_HOSTILE] = "hostile",
	[PROBE_MODE_HOSTILE_BUS] = "hostile-bus",
	[PROBE_MODE_HOSTILE_BARS] = "hostile-bars",
	[PROBE_MODE_HOSTILE_MSIX] = "hostile-msix",
	[PROBE_MODE_HOSTILE_VIRTIO] = "hostile-virtio",
	[PROBE_MODE_UNKNOWN] = "unknown",
};

const char *probe_mode_name(enum probe_mode m)
{
	return m <= PROBE_MODE_UNKNOWN ? probe_modes[m] : "unknown";
}

enum probe_mode probe_cmdline_mode(const char *s)
{
	static const char key[] = "probe.mode=";
	enum probe_mode mode = PROBE_MODE_POWEROFF;

	/* like Linux's own parameters, the last probe.mode= wins */
	while (s && *s) {
		const char *w = s, *v;
		size_t n = 0;

		while (*s && *s != ' ')
			s++;
		for (v = w; v < s && key[n] && *v == key[n]; v++)
			n++;
		if (!key[n]) {
			mode = PROBE_MODE_UNKNOWN;
			for (int m = 0; m < PROBE_MODE_UNKNOWN; m++) {
				const char *a = v, *b = probe_modes[m];

				while (a < s && *b && *a == *b)
					a++, b++;
				if (a == s && !*b)
					mode = (enum probe_mode)m;
			}
		}
		while (*s == ' ')
			s++;
	}
	return mode;
}
