/* SPDX-License-Identifier: MIT */
/*
 * The DT probe's report: a bounds-checked walk of a flattened device tree
 * (the structure block's tokens; every offset checked against the blob's
 * length) printing what a VMM handed its guest. Plain C, no libc: it runs
 * in the guest and on the host.
 */
#include "probe_dt.h"

#define FDT_MAGIC 0xd00dfeedu
#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE 2u
#define FDT_PROP 3u
#define FDT_NOP 4u
#define FDT_END 9u
#define MAX_DEPTH 8
#define NAME_MAX_LEN 64

/* ---- output ---- */

static void out_str(struct probe_dt *p, const char *s)
{
	while (*s)
		p->putc(p->ctx, *s++);
}

static void out_num(struct probe_dt *p, unsigned long long v, unsigned base, int width)
{
	char buf[24];
	int n = 0;

	do {
		unsigned d = (unsigned)(v % base);

		buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		v /= base;
	} while (v && n < (int)sizeof(buf));
	while (n < width && n < (int)sizeof(buf))
		buf[n++] = '0';
	while (n)
		p->putc(p->ctx, buf[--n]);
}

void probe_printf(struct probe_dt *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		int width = 0, longs = 0;

		if (*fmt != '%') {
			p->putc(p->ctx, *fmt);
			continue;
		}
		fmt++;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l')
			longs++, fmt++;
		switch (*fmt) {
		case 's': out_str(p, va_arg(ap, const char *)); break;
		case 'c': p->putc(p->ctx, (char)va_arg(ap, int)); break;
		case 'd': {
			int v = va_arg(ap, int);

			if (v < 0)
				p->putc(p->ctx, '-'), v = -v;
			out_num(p, (unsigned)v, 10, 0);
			break;
		}
		case 'u':
		case 'x': {
			unsigned long long v = longs ? va_arg(ap, unsigned long long)
						     : va_arg(ap, unsigned);

			out_num(p, v, *fmt == 'x' ? 16 : 10, width);
			break;
		}
		case '\0':
			va_end(ap);
			return;
		default:
			p->putc(p->ctx, *fmt);
		}
	}
	va_end(ap);
}

static void probe_error(struct probe_dt *p, const char *what)
{
	p->errors++;
	probe_printf(p, "probe: error %s\n", what);
}

/* ---- the walk ---- */

static uint32_t be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static uint64_t be64(const uint8_t *b)
{
	return (uint64_t)be32(b) << 32 | be32(b + 4);
}

static int str_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static int str_starts(const char *s, const char *prefix)
{
	while (*prefix && *s == *prefix)
		s++, prefix++;
	return !*prefix;
}

/* A NUL-terminated string of at most max bytes at b, or NULL. */
static const char *str_at(const uint8_t *b, uint64_t max)
{
	for (uint64_t i = 0; i < max; i++)
		if (!b[i])
			return (const char *)b;
	return 0;
}

struct walk {
	const uint8_t *fdt;
	uint64_t size;
	uint32_t off_struct, size_struct, off_strings, size_strings;
	char path[MAX_DEPTH][NAME_MAX_LEN];
	int depth;
	unsigned cpus;
	/* the current root-level node: interrupt controller? its compatible, reg */
	int is_intc;
	const char *compat;
	const uint8_t *reg;
	uint32_t reg_len;
};

static void node_name(struct walk *w, const char *name)
{
	unsigned i = 0;

	if (w->depth < MAX_DEPTH) {
		while (name[i] && i < NAME_MAX_LEN - 1) {
			w->path[w->depth][i] = name[i];
			i++;
		}
		w->path[w->depth][i] = 0;
	}
}

/* reg as pairs of two-cell addresses and sizes (the root's #address-cells
 * and #size-cells la's trees use for these nodes) */
static void print_reg(struct probe_dt *p, const uint8_t *reg, uint32_t len)
{
	for (uint32_t i = 0; i + 16 <= len; i += 16)
		probe_printf(p, " 0x%llx 0x%llx", (unsigned long long)be64(reg + i),
			     (unsigned long long)be64(reg + i + 8));
}

/* The devices the platform modes drive, by compatible. No table of
 * pointers: the ELF probe runs away from its link address, unrelocated,
 * so only PC-relative addresses (code, literals) hold. */
static void platform_device(struct probe_dt *p, struct walk *w, const char *name)
{
	uint64_t base = be64(w->reg), *at;
	const char *kind;

	if (str_eq(w->compat, "qemu,vcpu-stall-detector"))
		kind = "vmwdt", at = &p->vmwdt;
	else if (str_eq(w->compat, "google,goldfish-battery"))
		kind = "battery", at = &p->battery;
	else if (str_eq(w->compat, "arm,primecell"))
		kind = "rtc", at = &p->rtc;
	else
		return;
	probe_printf(p, "probe: device %s %s 0x%llx 0x%llx\n", kind, name,
		     (unsigned long long)base, (unsigned long long)be64(w->reg + 8));
	*at = base;
}

static void end_root_child(struct probe_dt *p, struct walk *w)
{
	const char *name = w->path[1];

	if (w->is_intc) {
		probe_printf(p, "probe: intc %s %s", name, w->compat ? w->compat : "?");
		if (w->reg)
			print_reg(p, w->reg, w->reg_len);
		probe_printf(p, "\n");
	}
	if (str_starts(name, "U6_16550A@") && w->reg && w->reg_len >= 8)
		probe_printf(p, "probe: uart %s 0x%llx\n", name, (unsigned long long)be64(w->reg));
	if (w->compat && w->reg && w->reg_len >= 16)
		platform_device(p, w, name);
	w->is_intc = 0;
	w->compat = 0;
	w->reg = 0;
}

static void prop(struct probe_dt *p, struct walk *w, const char *name, const uint8_t *v,
		 uint32_t len)
{
	const char *node = w->depth >= 1 && w->depth <= MAX_DEPTH ? w->path[w->depth - 1] : "";

	if (w->depth == 2 && str_starts(node, "memory") && str_eq(name, "reg"))
		for (uint32_t i = 0; i + 16 <= len; i += 16)
			probe_printf(p, "probe: memory 0x%llx 0x%llx\n",
				     (unsigned long long)be64(v + i),
				     (unsigned long long)be64(v + i + 8));
	if (w->depth == 2 && str_eq(node, "chosen")) {
		if (str_eq(name, "bootargs") && len && !v[len - 1]) {
			const char *s = (const char *)v;

			probe_printf(p, "probe: bootargs %s\n", s);
			for (; *s; s++) {
				unsigned i = 0;

				if (!str_starts(s, "probe.mode="))
					continue;
				s += 11;
				while (s[i] && s[i] != ' ' && i < sizeof(p->mode) - 1)
					p->mode[i] = s[i], i++;
				p->mode[i] = 0;
				break;
			}
		}
		if (str_eq(name, "linux,initrd-start") && len == 8)
			p->initrd_start = be64(v), p->has_initrd |= 1;
		if (str_eq(name, "linux,initrd-end") && len == 8)
			p->initrd_end = be64(v), p->has_initrd |= 2;
	}
	if (w->depth == 2 && str_eq(node, "cpus") && str_eq(name, "timebase-frequency") &&
	    len == 4)
		probe_printf(p, "probe: timebase %u\n", be32(v));
	if (w->depth == 2) {
		if (str_eq(name, "interrupt-controller"))
			w->is_intc = 1;
		if (str_eq(name, "compatible") && len && !v[len - 1])
			w->compat = (const char *)v;
		if (str_eq(name, "reg"))
			w->reg = v, w->reg_len = len;
	}
}

unsigned probe_dt_report(struct probe_dt *p, const uint8_t *fdt, uint64_t len)
{
	struct walk w = { .fdt = fdt };
	uint32_t off, end;
	int ended = 0;

	if (len < 40 || be32(fdt) != FDT_MAGIC) {
		probe_error(p, "fdt: no FDT header");
		return p->errors;
	}
	w.size = be32(fdt + 4);
	w.off_struct = be32(fdt + 8);
	w.off_strings = be32(fdt + 12);
	w.size_strings = be32(fdt + 32);
	w.size_struct = be32(fdt + 36);
	if (w.size > len || w.off_struct > w.size || w.size_struct > w.size - w.off_struct ||
	    w.off_strings > w.size || w.size_strings > w.size - w.off_strings) {
		probe_error(p, "fdt: header offsets outside the blob");
		return p->errors;
	}
	probe_printf(p, "probe: fdt size %u version %u\n", (unsigned)w.size, be32(fdt + 20));
	off = w.off_struct;
	end = w.off_struct + w.size_struct;
	while (off + 4 <= end) {
		uint32_t tok = be32(fdt + off);

		off += 4;
		if (tok == FDT_BEGIN_NODE) {
			const char *name = str_at(fdt + off, end - off);
			uint32_t l;

			if (!name)
				break;
			for (l = 0; name[l]; l++)
				;
			node_name(&w, name);
			if (w.depth == 2 && str_eq(w.path[1], "cpus") && str_starts(name, "cpu@"))
				w.cpus++;
			w.depth++;
			off += (l + 4) & ~3u;
		} else if (tok == FDT_END_NODE) {
			if (w.depth == 0)
				break;
			if (w.depth == 2)
				end_root_child(p, &w);
			w.depth--;
		} else if (tok == FDT_PROP) {
			uint32_t plen, nameoff;
			const char *name;

			if (off + 8 > end)
				break;
			plen = be32(fdt + off);
			nameoff = be32(fdt + off + 4);
			off += 8;
			if (plen > end - off || nameoff >= w.size_strings)
				break;
			name = str_at(fdt + w.off_strings + nameoff, w.size_strings - nameoff);
			if (!name)
				break;
			prop(p, &w, name, fdt + off, plen);
			off += (plen + 3) & ~3u;
		} else if (tok == FDT_NOP) {
			continue;
		} else if (tok == FDT_END) {
			ended = 1;
			break;
		} else {
			break;
		}
	}
	if (!ended || w.depth != 0)
		probe_error(p, "fdt: structure block ends early or is malformed");
	if (p->has_initrd == 3)
		probe_printf(p, "probe: initrd 0x%llx 0x%llx\n",
			     (unsigned long long)p->initrd_start, (unsigned long long)p->initrd_end);
	probe_printf(p, "probe: cpus %u\n", w.cpus);
	return p->errors;
}
