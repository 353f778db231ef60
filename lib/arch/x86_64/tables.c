/* SPDX-License-Identifier: MIT */
/*
 * x86_64 firmware tables: e820 (§3.5), MP table (§3.11), ACPI (§3.12),
 * SMBIOS (§3.13), CMOS memory bytes. Pure: they write into buffers.
 */
#include <stdbool.h>
#include <string.h>

#include "acpi/aml.h"
#include "bytes.h"
#include "dev/platform.h"
#include "err.h"
#include "pci/hotplug.h"
#include "arch/x86_64/x86boot.h"
#include "arch/x86_64/x86_64.h"

/* ---------------------------------------------------------------- e820 */

struct la_range la_x86_vcfg_range(const struct la_arch_layout *l, const struct la_mem_layout *m)
{
	uint64_t end = la_mem_layout_end(m);
	uint64_t start = (end + 2 * LA_MiB - 1) & ~(2 * LA_MiB - 1);

	if (start < LA_X86_FIRST_ADDR_PAST_32BITS)
		start = LA_X86_FIRST_ADDR_PAST_32BITS;
	return (struct la_range){ start, start + 2 * la_range_len(l->pci_ecam) - 1 };
}

struct la_range la_x86_high_mmio(const struct la_arch_layout *l, const struct la_mem_layout *m,
				 unsigned phys_bits)
{
	uint64_t top = phys_bits >= 64 ? ~0ULL : (1ULL << phys_bits) - 1;

	if (top > LA_X86_HIGH_MMIO_MAX_END)
		top = LA_X86_HIGH_MMIO_MAX_END;
	return (struct la_range){ la_x86_vcfg_range(l, m).end + 1, top };
}

static int la_e820_add(struct la_e820 *t, uint64_t addr, uint64_t size, uint32_t type)
{
	if (t->n >= LA_X86_E820_MAX - 1) /* crosvm: error at >= 128 entries */
		return -LA_ERR_E820;
	t->e[t->n++] = (struct la_e820_entry){ addr, size, type };
	return 0;
}

int la_x86_e820_build(const struct la_arch_layout *l, const struct la_mem_layout *m,
		      struct la_e820 *out)
{
	struct la_range vcfg = la_x86_vcfg_range(l, m);
	int err = 0;

	out->n = 0;
	for (unsigned i = 0; i < m->n && !err; i++) {
		uint32_t type = m->r[i].purpose == LA_REGION_GUEST_MEMORY ||
				m->r[i].purpose == LA_REGION_PROTECTED_FIRMWARE ?
				LA_E820_RAM : LA_E820_RESERVED;

		err = la_e820_add(out, m->r[i].start, m->r[i].size, type);
	}
	if (!err)
		err = la_e820_add(out, l->pci_ecam.start, la_range_len(l->pci_ecam),
				  LA_E820_RESERVED);
	if (!err)
		err = la_e820_add(out, vcfg.start, la_range_len(vcfg), LA_E820_RESERVED);
	if (!err)
		err = la_e820_add(out, LA_X86_IDENTITY_MAP_ADDR,
				  LA_X86_FIRST_ADDR_PAST_32BITS - LA_X86_BIOS_MAX_SIZE -
				  LA_X86_IDENTITY_MAP_ADDR, LA_E820_RESERVED);
	return err;
}

/* ------------------------------------------------------------ MP table */

enum { MP_PROC = 0, MP_BUS = 1, MP_IOAPIC = 2, MP_INTSRC = 3, MP_LINTSRC = 4 };
enum { MP_IRQ_INT = 0, MP_IRQ_NMI = 1, MP_IRQ_EXTINT = 3 };
#define LA_MP_APIC_VERSION 0x14
#define LA_MP_HDR_SIZE 44

static uint8_t *la_mp_irq(uint8_t *p, uint8_t type, uint8_t irqtype, uint16_t flag,
			  uint8_t bus, uint8_t busirq, uint8_t apic, uint8_t pin)
{
	p[0] = type;
	p[1] = irqtype;
	la_put16(p + 2, flag);
	p[4] = bus;
	p[5] = busirq;
	p[6] = apic;
	p[7] = pin;
	return p + 8;
}

/* The PCI INTx routes, one per (bus, device, pin): functions of one device
 * that share a pin share the route (the MP table's and the _PRT's).
 * returns: how many of x's n are kept (at the front, in order) */
static unsigned la_x86_pci_intx_dedup(struct la_pci_intx *x, unsigned n)
{
	unsigned m = 0;

	for (unsigned i = 0; i < n; i++) {
		bool seen = false;

		for (unsigned k = 0; k < m; k++)
			seen |= x[k].bus == x[i].bus && x[k].dev == x[i].dev && x[k].pin == x[i].pin;
		if (!seen)
			x[m++] = x[i];
	}
	return m;
}

static uint8_t *la_mp_entries(uint8_t *p, unsigned ncpus, const struct la_pci_intx *pci,
			      unsigned npci, unsigned *count)
{
	uint8_t ioapic = (uint8_t)(ncpus + 1), isa = 1, first_isa = LA_X86_IRQ_BASE;
	static const uint8_t isa_irqs[] = { 0, 1, 2, 3, 4, 8 };
	uint8_t *start = p;

	for (unsigned i = 0; i < npci; i++) {
		if (pci[i].bus >= isa)
			isa = (uint8_t)(pci[i].bus + 1);
		if (pci[i].irq >= first_isa)
			first_isa = (uint8_t)(pci[i].irq + 1);
	}
	for (unsigned i = 0; i < ncpus; i++, p += 20) {
		p[0] = MP_PROC;
		p[1] = (uint8_t)i;
		p[2] = LA_MP_APIC_VERSION;
		p[3] = 1 | (i == 0 ? 2 : 0); /* enabled, boot processor */
		la_put32(p + 4, 0x600);
		la_put32(p + 8, 0x201);      /* APIC | FPU */
	}
	p[0] = MP_IOAPIC;
	p[1] = ioapic;
	p[2] = LA_MP_APIC_VERSION;
	p[3] = 1;
	la_put32(p + 4, (uint32_t)LA_X86_IOAPIC_BASE);
	p += 8;
	for (unsigned b = 0; b <= isa; b++, p += 8) {
		p[0] = MP_BUS;
		p[1] = (uint8_t)b;
		memcpy(p + 2, b == isa ? "ISA   " : "PCI   ", 6);
	}
	/* crosvm's quirk: a LINTSRC-typed entry in INTSRC layout */
	p = la_mp_irq(p, MP_LINTSRC, MP_IRQ_INT, 0, isa, 0, 0, 0);
	for (size_t i = 0; i < sizeof(isa_irqs); i++)
		p = la_mp_irq(p, MP_INTSRC, MP_IRQ_INT, 0, isa, isa_irqs[i], ioapic, isa_irqs[i]);
	p = la_mp_irq(p, MP_INTSRC, MP_IRQ_INT, 0x0d, isa, LA_X86_SCI_IRQ, ioapic,
		      LA_X86_SCI_IRQ); /* active high, level */
	/* PCI: source bus IRQ dev << 2 | pin, flags 0 (the PCI bus's
	 * conforming: active low, level) */
	for (unsigned i = 0; i < npci; i++)
		p = la_mp_irq(p, MP_INTSRC, MP_IRQ_INT, 0, pci[i].bus,
			      (uint8_t)(pci[i].dev << 2 | pci[i].pin), ioapic, (uint8_t)pci[i].irq);
	for (unsigned irq = first_isa; irq <= 15; irq++)
		p = la_mp_irq(p, MP_INTSRC, MP_IRQ_INT, 0, isa, (uint8_t)irq, ioapic, (uint8_t)irq);
	p = la_mp_irq(p, MP_LINTSRC, MP_IRQ_EXTINT, 0, isa, 0, 0, 0);
	p = la_mp_irq(p, MP_LINTSRC, MP_IRQ_NMI, 0, isa, 0, 0xff, 1);
	/* processors are 20 bytes, every other entry 8 */
	*count = ncpus + (unsigned)(p - start - 20 * (ptrdiff_t)ncpus) / 8;
	return p;
}

int la_x86_mptable_write(uint8_t *buf, size_t len, unsigned ncpus,
			 const struct la_pci_intx *pci, unsigned npci)
{
	const size_t fp_off = LA_X86_MP_FLOATING_POINTER - LA_X86_MPTABLE_START;
	struct la_pci_intx x[LA_X86_MAX_PRT];
	size_t need;
	unsigned count, maxbus = 0;
	uint8_t *end, *fp = buf + fp_off;

	if (ncpus == 0 || ncpus > LA_X86_MPTABLE_MAX_CPUS)
		return -LA_ERR_CPUS;
	if (npci > LA_X86_MAX_PRT)
		return -LA_ERR_TOOMANY;
	for (unsigned i = 0; i < npci; i++) {
		if (pci[i].irq > 23 || pci[i].bus > 254 || pci[i].dev > 31 || pci[i].pin > 3)
			return -LA_ERR_MPTABLE; /* not an IOAPIC pin or a bus-0.. INTx */
		x[i] = pci[i];
	}
	npci = la_x86_pci_intx_dedup(x, npci);
	for (unsigned i = 0; i < npci; i++)
		maxbus = x[i].bus > maxbus ? x[i].bus : maxbus;
	/* crosvm's size check, with the PCI buses and entries counted too */
	need = LA_MP_HDR_SIZE + 20 * (size_t)ncpus + 8 + 8 * (2 + (size_t)maxbus) + 8 + 16 * 8 +
	       2 * 8 + 8 * (size_t)npci;
	if (len < fp_off + 16 || need > LA_X86_MPTABLE_END - LA_X86_MPTABLE_START)
		return -LA_ERR_MPTABLE;
	memset(buf, 0, fp_off + 16);

	memcpy(fp, "_MP_", 4);
	la_put32(fp + 4, (uint32_t)LA_X86_MPTABLE_START);
	fp[8] = 1;  /* length in 16-byte units */
	fp[9] = 4;  /* spec 1.4 */
	fp[10] = la_checksum8(fp, 16);

	end = la_mp_entries(buf + LA_MP_HDR_SIZE, ncpus, x, npci, &count);
	memcpy(buf, "PCMP", 4);
	la_put16(buf + 4, (uint16_t)(end - buf));
	buf[6] = 4;
	memcpy(buf + 8, "CROSVM  ", 8);
	memcpy(buf + 16, "000000000000", 12);
	/* the entry count, which crosvm leaves 0 (MP spec 1.4 wants it;
	 * walkers that trust it would otherwise see no CPUs) */
	la_put16(buf + 34, (uint16_t)count);
	la_put32(buf + 36, (uint32_t)LA_X86_APIC_BASE);
	buf[7] = la_checksum8(buf, (size_t)(end - buf));
	return 0;
}

/* ---------------------------------------------------------------- AML */

/* Name(_PRT, Package() { Package(4) { dev << 16 | 0xffff, pin, 0, IRQ },
 * ... }): one entry per bus-0 (device, pin) with an INTx grant, the IRQ
 * routed as a GSI (no link devices). Not written without PCI devices
 * (crosvm writes an empty one). The function field is 0xffff, as ACPI
 * wants of a _PRT address (crosvm writes the function). */
static void la_x86_aml_prt(struct la_aml *a, const struct la_x86_acpi_cfg *c)
{
	struct la_pci_intx x[LA_X86_MAX_PRT];
	unsigned n = c->plat ? la_platform_pci_intx(c->plat, x, LA_X86_MAX_PRT) : 0, m = 0;

	if (n > LA_X86_MAX_PRT) {
		a->err = a->err ? a->err : -LA_ERR_TOOMANY;
		return;
	}
	n = la_x86_pci_intx_dedup(x, n);
	for (unsigned i = 0; i < n; i++)
		if (x[i].bus == 0)
			x[m++] = x[i];
	if (m == 0)
		return;
	la_aml_name(a, "_PRT");
	la_aml_package_open(a, m);
	for (unsigned i = 0; i < m; i++) {
		la_aml_package_open(a, 4);
		la_aml_int(a, (uint64_t)x[i].dev << 16 | 0xffff);
		la_aml_int(a, x[i].pin);
		la_aml_int(a, 0);
		la_aml_int(a, x[i].irq);
		la_aml_pkg_close(a);
	}
	la_aml_pkg_close(a);
}

static void la_x86_aml_pci_root(struct la_aml *a, const struct la_x86_acpi_cfg *c)
{
	unsigned max_bus = (unsigned)(la_range_len(c->ecam) / LA_MiB - 1);
	struct la_range before = { c->low_mmio.start, c->ecam.start - 1 };
	struct la_range after = { c->ecam.end + 1, c->low_mmio.end };

	la_aml_device_open(a, "PC00");
	la_aml_name_eisaid(a, "_HID", "PNP0A08");
	la_aml_name_eisaid(a, "_CID", "PNP0A03");
	la_aml_name(a, "_ADR");
	la_aml_int(a, 0);
	la_aml_name(a, "_SEG");
	la_aml_int(a, 0);
	la_aml_name(a, "_UID");
	la_aml_int(a, 0);
	la_aml_name(a, "_BBN");
	la_aml_int(a, 0);
	la_aml_crs_begin(a);
	la_aml_res_word_bus(a, 0, (uint16_t)max_bus);
	la_aml_res_io(a, LA_X86_PCI_CONFIG_IO, 8);
	/* the low pool minus the ECAM window the allocator reserves */
	if (!la_range_overlaps(c->ecam, c->low_mmio)) {
		la_aml_res_mem(a, c->low_mmio);
	} else {
		if (c->ecam.start > c->low_mmio.start)
			la_aml_res_mem(a, before);
		if (c->ecam.end < c->low_mmio.end)
			la_aml_res_mem(a, after);
	}
	if (!la_range_is_empty(c->high_mmio))
		la_aml_res_mem(a, c->high_mmio);
	la_aml_crs_end(a);
	la_x86_aml_prt(a, c);
	if (c->plat)
		la_pcihp_aml_slots(a, c->plat); /* --pci-hotplug-slots */
	la_aml_pkg_close(a);
}

int la_x86_dsdt_aml(uint8_t *buf, size_t len, const struct la_x86_acpi_cfg *c)
{
	struct la_aml a = { .buf = buf, .cap = len };

	/* Name(\_S5_, Package(4) { S5, S5, 0, 0 }): lets Linux power off */
	la_aml_name(&a, "\\_S5_");
	la_aml_package_open(&a, 4);
	la_aml_int(&a, LA_X86_S5_SLP_TYP);
	la_aml_int(&a, LA_X86_S5_SLP_TYP);
	la_aml_int(&a, 0);
	la_aml_int(&a, 0);
	la_aml_pkg_close(&a);
	/* Name(VCFG, start of the PCIe virtual config window) */
	la_aml_name(&a, "VCFG");
	la_aml_int(&a, c->vcfg.start);

	la_aml_byte(&a, 0x10); /* Scope(\_SB_) */
	la_aml_pkg_open(&a);
	la_aml_bytes(&a, "\\_SB_", 5);
	la_x86_aml_pci_root(&a, c);
	la_aml_device_open(&a, "MB00"); /* motherboard resources: the ECAM */
	la_aml_name_eisaid(&a, "_HID", "PNP0C02");
	la_aml_name(&a, "_UID");
	la_aml_int(&a, 0);
	la_aml_crs_begin(&a);
	la_aml_res_mem32_fixed(&a, (uint32_t)c->ecam.start, (uint32_t)la_range_len(c->ecam));
	la_aml_crs_end(&a);
	la_aml_pkg_close(&a);
	if (c->plat)
		la_platform_aml(&a, c->plat);
	la_aml_pkg_close(&a);
	if (c->plat)
		la_pcihp_aml_gpe(&a, c->plat);
	if (a.err)
		return a.err;
	if (a.depth)
		return -LA_ERR_INTERNAL;
	return (int)a.len;
}

/* -------------------------------------------------------------- tables */

#define LA_ACPI_HDR 36

static void la_acpi_header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev,
			   const char *table_id)
{
	memcpy(t, sig, 4);
	la_put32(t + 4, len);
	t[8] = rev;
	memcpy(t + 10, "CROSVM", 6);
	memcpy(t + 16, table_id, 8);
	la_put32(t + 24, 1);       /* OEM revision */
	memcpy(t + 28, "LAVM", 4); /* creator: la-vmrun */
	la_put32(t + 32, 1);
}

static void la_acpi_sum(uint8_t *t)
{
	t[9] = 0;
	t[9] = la_checksum8(t, la_get32(t + 4));
}

static void la_gas_io(uint8_t *g, uint8_t bits, uint64_t port, uint8_t access)
{
	g[0] = 1; /* System I/O */
	g[1] = bits;
	g[2] = 0;
	g[3] = access;
	la_put64(g + 4, port);
}

static uint32_t la_acpi_fadt(uint8_t *t, const struct la_x86_acpi_cfg *c,
			     uint64_t facs, uint64_t dsdt)
{
	const uint32_t len = 276;

	memset(t, 0, len);
	la_acpi_header(t, "FACP", len, 6, "CROSVMFA");
	la_put16(t + 46, c->sci_irq);
	la_put32(t + 56, c->pm_iobase);      /* PM1a_EVT_BLK */
	la_put32(t + 64, c->pm_iobase + 4u); /* PM1a_CNT_BLK */
	la_put32(t + 80, c->pm_iobase + 8u); /* GPE0_BLK */
	t[88] = 4;   /* PM1_EVT_LEN */
	t[89] = 2;   /* PM1_CNT_LEN */
	t[92] = 64;  /* GPE0_BLK_LEN */
	t[106] = 0x33; /* RTC day alarm */
	t[107] = 0x34; /* RTC month alarm */
	t[108] = 0x32; /* RTC century */
	la_put32(t + 112, 1u << 10); /* RESET_REG_SUP */
	la_gas_io(t + 116, 8, LA_X86_RESET_IO, 1);
	t[128] = LA_X86_RESET_VALUE;
	t[131] = 3; /* FADT minor version */
	la_put64(t + 132, facs);
	la_put64(t + 140, dsdt);
	memcpy(t + 268, "CROSVM", 6); /* hypervisor vendor identity */
	la_acpi_sum(t);
	return len;
}

static uint32_t la_acpi_madt(uint8_t *t, size_t cap, const struct la_x86_acpi_cfg *c)
{
	uint32_t len = LA_ACPI_HDR + 8 + 8 * c->ncpus + 12;
	uint8_t *p;

	if (len > cap)
		return 0;
	memset(t, 0, len);
	la_acpi_header(t, "APIC", len, 5, "CROSVMMA");
	la_put32(t + 36, (uint32_t)LA_X86_APIC_BASE);
	la_put32(t + 40, 1); /* PCAT_COMPAT */
	p = t + 44;
	for (unsigned i = 0; i < c->ncpus; i++, p += 8) {
		p[0] = 0;
		p[1] = 8;
		p[2] = (uint8_t)i; /* processor id */
		p[3] = (uint8_t)i; /* APIC id */
		la_put32(p + 4, 1); /* enabled */
	}
	p[0] = 1;
	p[1] = 12;
	p[2] = 0; /* IOAPIC id */
	la_put32(p + 4, (uint32_t)LA_X86_IOAPIC_BASE);
	la_put32(p + 8, 0);
	la_acpi_sum(t);
	return len;
}

static uint32_t la_acpi_mcfg(uint8_t *t, const struct la_x86_acpi_cfg *c)
{
	const uint32_t len = 60;

	memset(t, 0, len);
	la_acpi_header(t, "MCFG", len, 1, "CROSVMMC");
	la_put64(t + 44, c->ecam.start);
	la_put16(t + 52, 0);
	t[54] = 0;
	t[55] = (uint8_t)(la_range_len(c->ecam) / LA_MiB - 1);
	la_acpi_sum(t);
	return len;
}

static void la_acpi_note(struct la_x86_acpi_info *info, const char *sig, uint64_t addr,
			 uint32_t len)
{
	if (!info || info->n >= sizeof(info->t) / sizeof(info->t[0]))
		return;
	memcpy(info->t[info->n].sig, sig, 4);
	info->t[info->n].sig[4] = 0;
	info->t[info->n].addr = addr;
	info->t[info->n].len = len;
	info->n++;
}

#define LA_ALIGN64(x) (((x) + 63) & ~(size_t)63)

int la_x86_acpi_write(uint8_t *buf, size_t len, uint64_t base,
		      const struct la_x86_acpi_cfg *c, struct la_x86_acpi_info *info)
{
	size_t facs = 64, dsdt = 128, off, fadt, madt, mcfg, xsdt;
	uint32_t madt_len, xsdt_len;
	int aml;

	if (info)
		info->n = 0;
	if (len < 4096)
		return -LA_ERR_ACPISPACE;
	memset(buf, 0, len);
	/* FACS */
	memcpy(buf + facs, "FACS", 4);
	la_put32(buf + facs + 4, 64);
	buf[facs + 32] = 2; /* version */
	la_acpi_note(info, "FACS", base + facs, 64);
	/* DSDT */
	aml = la_x86_dsdt_aml(buf + dsdt + LA_ACPI_HDR, len - dsdt - LA_ACPI_HDR - 1024, c);
	if (aml < 0)
		return aml;
	la_acpi_header(buf + dsdt, "DSDT", (uint32_t)(LA_ACPI_HDR + aml), 6, "CROSVMDT");
	la_acpi_sum(buf + dsdt);
	la_acpi_note(info, "DSDT", base + dsdt, (uint32_t)(LA_ACPI_HDR + aml));
	fadt = LA_ALIGN64(dsdt + LA_ACPI_HDR + (size_t)aml);
	off = LA_ALIGN64(fadt + la_acpi_fadt(buf + fadt, c, base + facs, base + dsdt));
	la_acpi_note(info, "FACP", base + fadt, 276);
	madt = off;
	madt_len = la_acpi_madt(buf + madt, len - madt, c);
	if (!madt_len)
		return -LA_ERR_ACPISPACE;
	la_acpi_note(info, "APIC", base + madt, madt_len);
	mcfg = LA_ALIGN64(madt + madt_len);
	if (mcfg + 60 + madt_len + 64 + LA_ACPI_HDR + 3 * 8 > len)
		return -LA_ERR_ACPISPACE;
	la_acpi_mcfg(buf + mcfg, c);
	la_acpi_note(info, "MCFG", base + mcfg, 60);
	xsdt = LA_ALIGN64(mcfg + madt_len); /* crosvm's quirk: advanced by the MADT length */
	xsdt_len = LA_ACPI_HDR + 3 * 8;
	la_acpi_header(buf + xsdt, "XSDT", xsdt_len, 1, "CROSVMXS");
	la_put64(buf + xsdt + 36, base + fadt);
	la_put64(buf + xsdt + 44, base + madt);
	la_put64(buf + xsdt + 52, base + mcfg);
	la_acpi_sum(buf + xsdt);
	la_acpi_note(info, "XSDT", base + xsdt, xsdt_len);
	/* RSDP */
	memcpy(buf, "RSD PTR ", 8);
	memcpy(buf + 9, "CROSVM", 6);
	buf[15] = 2;
	la_put32(buf + 20, 36);
	la_put64(buf + 24, base + xsdt);
	buf[8] = la_checksum8(buf, 20);
	buf[32] = la_checksum8(buf, 36);
	la_acpi_note(info, "RSDP", base, 36);
	return 0;
}

/* -------------------------------------------------------------- SMBIOS */

static int la_smbios_strings(uint8_t *p, size_t cap, const char *const *s, unsigned n)
{
	size_t at = 0;

	for (unsigned i = 0; i < n; i++) {
		size_t l = strlen(s[i]) + 1;

		if (at + l + 1 > cap)
			return -LA_ERR_NOSPACE;
		memcpy(p + at, s[i], l);
		at += l;
	}
	if (at + 2 > cap)
		return -LA_ERR_NOSPACE;
	p[at++] = 0;
	if (n == 0)
		p[at++] = 0;
	return (int)at;
}

int la_x86_smbios_write(uint8_t *buf, size_t len, uint64_t base, uint64_t bios_size)
{
	static const char *const t0s[] = { "crosvm", "0" };
	static const char *const t1s[] = { "ChromiumOS", "crosvm" };
	uint64_t rom = bios_size >> 16;
	size_t at = 24;
	int n;

	if (len < 24 + 27 + 20 + 64)
		return -LA_ERR_NOSPACE;
	memset(buf, 0, len);
	/* type 0: BIOS information */
	buf[at] = 0, buf[at + 1] = 20, la_put16(buf + at + 2, 1);
	buf[at + 4] = 1, buf[at + 5] = 2;
	buf[at + 9] = (uint8_t)(rom == 0 ? 0 : rom - 1 > 0xff ? 0xff : rom - 1);
	la_put64(buf + at + 10, 1u << 7); /* PCI supported */
	buf[at + 19] = 1u << 4;           /* virtual machine */
	at += 20;
	n = la_smbios_strings(buf + at, len - at, t0s, 2);
	if (n < 0)
		return n;
	at += (size_t)n;
	/* type 1: system information (nil UUID, no serial) */
	buf[at] = 1, buf[at + 1] = 27, la_put16(buf + at + 2, 2);
	buf[at + 4] = 1, buf[at + 5] = 2;
	at += 27;
	n = la_smbios_strings(buf + at, len - at, t1s, 2);
	if (n < 0)
		return n;
	at += (size_t)n;
	/* type 127: end of table */
	buf[at] = 127, buf[at + 1] = 4, la_put16(buf + at + 2, 3);
	at += 4;
	buf[at++] = 0;
	buf[at++] = 0;
	/* SMBIOS 3.0 entry point */
	memcpy(buf, "_SM3_", 5);
	buf[6] = 0x18;
	buf[7] = 3, buf[8] = 2, buf[9] = 0, buf[10] = 1;
	la_put32(buf + 12, (uint32_t)(at - 24));
	la_put64(buf + 16, base + 24);
	buf[5] = la_checksum8(buf, 24);
	return (int)at;
}

/* ---------------------------------------------------------------- CMOS */

void la_x86_cmos_mem(const struct la_arch_layout *l, uint64_t mem_size,
		     uint16_t *below, uint32_t *above)
{
	uint64_t pci = l->pci_mem.start;
	uint64_t low = mem_size < pci ? mem_size : pci; /* incl. the 640K-1M hole */
	uint64_t high = mem_size - low;
	uint64_t b = low > 16 * LA_MiB ? (low - 16 * LA_MiB) / (64 * LA_KiB) : 0;
	uint64_t h = high / (64 * LA_KiB);

	*below = (uint16_t)(b > 0xffff ? 0xffff : b);
	*above = (uint32_t)(h > 0xffffff ? 0xffffff : h);
}
