/* SPDX-License-Identifier: MIT */
/*
 * The probe guest's table walkers (tests/guest/report.c), run natively on
 * fabricated guest memory: tables laid out as crosvm-arch.md §3 says a VMM
 * hands them over, then broken one way at a time.
 */
#include <stdlib.h>

#include "../guest/probe.h"
#include "t.h"

#define MEM_SIZE 0x100000 /* the first MiB is all the tables need */

static uint8_t *mem;
static char out[65536];
static size_t outlen;

static void buf_putc(void *ctx, char c)
{
	(void)ctx;
	if (outlen + 1 < sizeof(out))
		out[outlen++] = c;
	out[outlen] = 0;
}

static void wr16(uint64_t a, uint16_t v)
{
	mem[a] = (uint8_t)v;
	mem[a + 1] = (uint8_t)(v >> 8);
}

static void wr32(uint64_t a, uint32_t v)
{
	wr16(a, (uint16_t)v);
	wr16(a + 2, (uint16_t)(v >> 16));
}

static void wr64(uint64_t a, uint64_t v)
{
	wr32(a, (uint32_t)v);
	wr32(a + 4, (uint32_t)(v >> 32));
}

static void fix_sum(uint64_t a, uint64_t len, uint64_t sum_at)
{
	mem[sum_at] = 0;
	mem[sum_at] = (uint8_t)-probe_sum8(mem + a, len);
}

/* acpi_hdr: a 36-byte SDT header; the checksum is fixed by the caller */
static void acpi_hdr(uint64_t a, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(mem + a, sig, 4);
	wr32(a + 4, len);
	mem[a + 8] = rev;
	memcpy(mem + a + 10, "CROSVM", 6);
	memcpy(mem + a + 16, "CROSVMDT", 8);
}

static void build_boot_params(void)
{
	static const uint64_t e820[][3] = {
		{ 0, 0xa0000, 1 },		{ 0xa0000, 0x60000, 2 },
		{ 0x100000, 0x1ff00000, 1 },	{ 0xf4000000, 0x4000000, 2 },
		{ 0x100000000, 0x8000000, 2 },	{ 0xfeffc000, 0x4000, 2 },
	};
	const uint64_t bp = 0x7000;

	wr32(bp + PROBE_BP_HEADER, PROBE_HDRS);
	wr16(bp + PROBE_BP_VERSION, 0x20f);
	wr16(bp + PROBE_BP_BOOT_FLAG, 0xaa55);
	mem[bp + PROBE_BP_TYPE_OF_LOADER] = 0xff;
	wr32(bp + PROBE_BP_KERNEL_ALIGNMENT, 0x1000000);
	wr32(bp + PROBE_BP_CMD_LINE_PTR, 0x20000);
	strcpy((char *)mem + 0x20000, "panic=-1 console=ttyS0 probe.mode=reboot");
	mem[bp + PROBE_BP_E820_ENTRIES] = 6;
	for (int i = 0; i < 6; i++) {
		wr64(bp + PROBE_BP_E820_TABLE + 20 * i, e820[i][0]);
		wr64(bp + PROBE_BP_E820_TABLE + 20 * i + 8, e820[i][1]);
		wr32(bp + PROBE_BP_E820_TABLE + 20 * i + 16, (uint32_t)e820[i][2]);
	}
	/* initrd: 16 bytes "abcdefghijklmnop" at 0x30000 */
	memcpy(mem + 0x30000, "abcdefghijklmnop", 16);
	wr32(bp + PROBE_BP_RAMDISK_IMAGE, 0x30000);
	wr32(bp + PROBE_BP_RAMDISK_SIZE, 16);
	/* setup_data: RNG seed (256 bytes) at 0x20800, then a DTB at 0x20910 */
	wr64(bp + PROBE_BP_SETUP_DATA, 0x20800);
	wr64(0x20800, 0x20910);
	wr32(0x20808, PROBE_SETUP_RNG_SEED);
	wr32(0x2080c, 256);
	for (int i = 0; i < 256; i++)
		mem[0x20810 + i] = (uint8_t)(i | 1);
	wr64(0x20910, 0);
	wr32(0x20918, PROBE_SETUP_DTB);
	wr32(0x2091c, 0x4000);
	mem[0x20920] = 0xd0, mem[0x20921] = 0x0d, mem[0x20922] = 0xfe, mem[0x20923] = 0xed;
	mem[0x20926] = 0x01; /* totalsize 0x100, big-endian */
}

static void build_mptable(unsigned cpus)
{
	const uint64_t t = 0x9e800, fp = 0x9fff0;
	uint64_t e = t + 44;

	memcpy(mem + fp, "_MP_", 4);
	wr32(fp + 4, (uint32_t)t);
	mem[fp + 8] = 1;
	mem[fp + 9] = 4;
	fix_sum(fp, 16, fp + 10);
	for (unsigned i = 0; i < cpus; i++, e += 20) {
		mem[e] = 0;
		mem[e + 1] = (uint8_t)i;
		mem[e + 2] = 0x14;
		mem[e + 3] = i ? 1 : 3;
		wr32(e + 4, 0x600);
		wr32(e + 8, 0x201);
	}
	mem[e] = 2, mem[e + 1] = (uint8_t)(cpus + 1), mem[e + 2] = 0x14, mem[e + 3] = 1;
	wr32(e + 4, 0xfec00000);
	e += 8;
	mem[e] = 1, mem[e + 1] = 0;
	memcpy(mem + e + 2, "ISA   ", 6);
	e += 8;
	memcpy(mem + t, "PCMP", 4);
	wr16(t + 4, (uint16_t)(e - t));
	mem[t + 6] = 4;
	memcpy(mem + t + 8, "CROSVM  ", 8);
	wr16(t + 34, (uint16_t)(cpus + 2));
	wr32(t + 36, 0xfee00000);
	fix_sum(t, e - t, t + 7);
}

/* DSDT AML: Name (\_S5, Package (4) { 0x05, Zero, Zero, Zero }) */
static const uint8_t dsdt_aml[] = { 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x08, 0x04,
				    0x0a, 0x05, 0x00, 0x00, 0x00 };

static void build_acpi(unsigned cpus)
{
	const uint64_t rsdp = 0xe0000, facs = 0xe0040, dsdt = 0xe0080, fadt = 0xe0100,
		       madt = 0xe0280, mcfg = 0xe0300, xsdt = 0xe0380;
	uint32_t madt_len = 44 + 8 * cpus + 12;

	memcpy(mem + facs, "FACS", 4);
	wr32(facs + 4, 64);
	acpi_hdr(dsdt, "DSDT", 36 + sizeof(dsdt_aml), 6);
	memcpy(mem + dsdt + 36, dsdt_aml, sizeof(dsdt_aml));
	fix_sum(dsdt, 36 + sizeof(dsdt_aml), dsdt + 9);
	acpi_hdr(fadt, "FACP", 276, 6);
	wr16(fadt + 46, 5);
	wr32(fadt + 56, 0xc000);
	wr32(fadt + 64, 0xc004);
	wr32(fadt + 80, 0xc008);
	mem[fadt + 88] = 4, mem[fadt + 89] = 2, mem[fadt + 92] = 64;
	wr32(fadt + 112, 1u << 10);
	mem[fadt + 116] = 1, mem[fadt + 117] = 8;
	wr64(fadt + 120, 0xcf9);
	mem[fadt + 128] = 6;
	mem[fadt + 131] = 3;
	wr64(fadt + 132, facs);
	wr64(fadt + 140, dsdt);
	memcpy(mem + fadt + 268, "CROSVM", 6);
	fix_sum(fadt, 276, fadt + 9);
	acpi_hdr(madt, "APIC", madt_len, 5);
	wr32(madt + 36, 0xfee00000);
	wr32(madt + 40, 1);
	for (unsigned i = 0; i < cpus; i++) {
		uint64_t e = madt + 44 + 8 * i;

		mem[e] = 0, mem[e + 1] = 8, mem[e + 2] = (uint8_t)i, mem[e + 3] = (uint8_t)i;
		wr32(e + 4, 1);
	}
	mem[madt + 44 + 8 * cpus] = 1, mem[madt + 45 + 8 * cpus] = 12;
	wr32(madt + 48 + 8 * cpus, 0xfec00000);
	fix_sum(madt, madt_len, madt + 9);
	acpi_hdr(mcfg, "MCFG", 60, 1);
	wr64(mcfg + 44, 0xf4000000);
	mem[mcfg + 55] = 63;
	fix_sum(mcfg, 60, mcfg + 9);
	acpi_hdr(xsdt, "XSDT", 36 + 3 * 8, 1);
	wr64(xsdt + 36, fadt);
	wr64(xsdt + 44, madt);
	wr64(xsdt + 52, mcfg);
	fix_sum(xsdt, 60, xsdt + 9);
	memcpy(mem + rsdp, "RSD PTR ", 8);
	memcpy(mem + rsdp + 9, "CROSVM", 6);
	mem[rsdp + 15] = 2;
	wr32(rsdp + 20, 36);
	wr64(rsdp + 24, xsdt);
	fix_sum(rsdp, 20, rsdp + 8);
	fix_sum(rsdp, 36, rsdp + 32);
}

static struct probe probe_new(void)
{
	struct probe p = { .putc = buf_putc, .mem = mem, .memsize = MEM_SIZE, .slp_typ_s5 = -1 };

	outlen = 0;
	out[0] = 0;
	return p;
}

static void build_all(unsigned cpus)
{
	memset(mem, 0, MEM_SIZE);
	build_boot_params();
	build_mptable(cpus);
	build_acpi(cpus);
}

#define HAS(s) T_CHECK(strstr(out, s) != NULL)
#define LACKS(s) T_CHECK(strstr(out, s) == NULL)

static void test_boot_params(void)
{
	struct probe p;

	build_all(2);
	p = probe_new();
	probe_report_boot_params(&p, 0x7000);
	T_EQ_U64(p.errors, 0);
	HAS("probe: boot_params 0x7000 header ok version 0x20f loader 0xff boot_flag 0xaa55 "
	    "kernel_alignment 0x1000000 setup_data 0x20800\n");
	HAS("probe: cmdline-ptr 0x20000 len 40\n");
	HAS("probe: cmdline panic=-1 console=ttyS0 probe.mode=reboot\n");
	HAS("probe: e820-entries 6\n");
	HAS("probe: e820 0x0 0xa0000 1\nprobe: e820 0xa0000 0x60000 2\n"
	    "probe: e820 0x100000 0x1ff00000 1\nprobe: e820 0xf4000000 0x4000000 2\n"
	    "probe: e820 0x100000000 0x8000000 2\nprobe: e820 0xfeffc000 0x4000 2\n");
	/* FNV-1a 32 of "abcdefghijklmnop" */
	HAS("probe: initrd 0x30000 0x10 fnv1a 0x68bb1f5\n");
	HAS("probe: setup_data 0x20800 type 9 len 256 zero-bytes 0\n");
	HAS("probe: setup_data 0x20910 type 2 len 16384 fdt-magic ok fdt-size 256\n");
	HAS("probe: setup_data-entries 2\n");
	T_EQ_U64(p.cmdline, 0x20000);
	T_EQ_U64(probe_cmdline_mode((const char *)mem + p.cmdline), PROBE_MODE_REBOOT);
}

static void test_boot_params_broken(void)
{
	struct probe p;

	build_all(1);
	wr16(0x7000 + PROBE_BP_BOOT_FLAG, 0);
	wr64(0x20910, 0x20800); /* a setup_data loop */
	mem[0x20920] = 0;	/* and a DTB without its magic */
	p = probe_new();
	probe_report_boot_params(&p, 0x7000);
	HAS("probe: error boot_params boot_flag is not 0xaa55\n");
	HAS("fdt-magic bad");
	HAS("probe: error setup_data 0x20910: not a DTB that fits its entry\n");
	HAS("probe: error setup_data list longer than 64 entries (a loop?)\n");
	T_CHECK(p.errors >= 3);

	build_all(1);
	wr64(0x7000 + PROBE_BP_SETUP_DATA, 0x200000); /* outside memory */
	wr32(0x7000 + PROBE_BP_CMD_LINE_PTR, 0x0ffff0); /* no NUL before the end */
	memset(mem + 0xffff0, 'x', 16);
	p = probe_new();
	probe_report_boot_params(&p, 0x7000);
	HAS("probe: error setup_data 0x200000 outside guest memory\n");
	HAS("probe: error cmdline 0xffff0 outside guest memory\n");
	T_EQ_U64(p.errors, 2);

	p = probe_new();
	probe_report_boot_params(&p, MEM_SIZE - 0x800);
	HAS("probe: error boot_params 0xff800 outside guest memory\n");
}

static void test_mptable(void)
{
	struct probe p;

	build_all(2);
	p = probe_new();
	probe_report_mptable(&p);
	T_EQ_U64(p.errors, 0);
	HAS("probe: mp fp 0x9fff0 table 0x9e800 length 1 spec 4 checksum ok features 0x0\n");
	HAS("probe: mp table 0x9e800 length 100 spec 4 checksum ok entries 4 lapic 0xfee00000 "
	    "oem CROSVM  \n");
	HAS("probe: mp cpu apic 0 ver 0x14 flags 0x3 signature 0x600 features 0x201\n");
	HAS("probe: mp cpu apic 1 ver 0x14 flags 0x1 signature 0x600 features 0x201\n");
	HAS("probe: mp ioapic 3 ver 0x14 flags 0x1 addr 0xfec00000\n");
	HAS("probe: mp bus 0 ISA   \n");
	HAS("probe: mp cpus 2\n");
	T_EQ_U64(p.mp_cpus, 2);

	mem[0x9e800 + 50]++; /* table checksum */
	p = probe_new();
	probe_report_mptable(&p);
	HAS("checksum bad");
	HAS("probe: error mp table checksum\n");

	mem[0x9fff0 + 5]++; /* floating pointer checksum: no longer found */
	p = probe_new();
	probe_report_mptable(&p);
	HAS("probe: mp none\n");
}

static void test_acpi(void)
{
	struct probe p;

	build_all(2);
	p = probe_new();
	probe_report_acpi(&p);
	T_EQ_U64(p.errors, 0);
	HAS("probe: acpi rsdp 0xe0000 rev 2 oem CROSVM length 36 xchecksum ok xsdt 0xe0380\n");
	HAS("probe: acpi table XSDT 0xe0380 length 60 rev 1 checksum ok oem CROSVM\n");
	HAS("probe: acpi table FACP 0xe0100 length 276 rev 6 checksum ok oem CROSVM\n");
	HAS("probe: acpi fadt sci 5 smi_cmd 0x0 pm1a_evt 0xc000 pm1a_cnt 0xc004 gpe0 0xc008 "
	    "pm1_evt_len 4 pm1_cnt_len 2 gpe0_len 64 flags 0x400 dsdt 0xe0080 facs 0xe0040 "
	    "reset 1:0xcf9:0x6 minor 3 hypervisor CROSVM\n");
	HAS("probe: acpi facs 0xe0040 length 64\n");
	HAS("probe: acpi table DSDT 0xe0080 length 50 rev 6 checksum ok oem CROSVM\n");
	HAS("probe: acpi s5 5\n");
	HAS("probe: acpi madt lapic 0xfee00000 flags 0x1\n");
	HAS("probe: acpi madt cpu uid 1 apic 1 flags 0x1\n");
	HAS("probe: acpi madt ioapic 0 addr 0xfec00000 gsi_base 0\n");
	HAS("probe: acpi cpus 2\n");
	HAS("probe: acpi mcfg 0xf4000000 segment 0 bus 0-63\n");
	T_EQ_U64(p.pm1a_cnt, 0xc004);
	T_EQ_U64(p.slp_typ_s5, 5);
	T_EQ_U64(p.acpi_cpus, 2);

	mem[0xe0280 + 20]++; /* MADT checksum */
	mem[0xe0000 + 30]++; /* extended RSDP checksum (the XSDT address!) */
	p = probe_new();
	probe_report_acpi(&p);
	HAS("probe: error acpi rsdp extended checksum\n");
}

static void test_acpi_broken(void)
{
	struct probe p;

	build_all(1);
	mem[0xe0280 + 20]++; /* MADT checksum */
	p = probe_new();
	probe_report_acpi(&p);
	HAS("probe: acpi table APIC 0xe0280 length 64 rev 5 checksum bad oem CROSVM\n");
	HAS("probe: error acpi table checksum APIC\n");
	T_EQ_U64(p.errors, 1);

	build_all(1);
	wr32(0xe0280 + 4, 0x7fffffff); /* MADT length past memory */
	p = probe_new();
	probe_report_acpi(&p);
	HAS("probe: error acpi table at 0xe0280 has a bad length 2147483647\n");

	build_all(1);
	mem[0xe0000]++; /* no RSDP at all */
	p = probe_new();
	probe_report_acpi(&p);
	HAS("probe: acpi none\n");
	T_EQ_U64(p.pm1a_cnt, 0);
}

static void test_s5(void)
{
	static const uint8_t zero[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04,
					0x00, 0x00, 0x00, 0x00 };
	static const uint8_t one[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x01, 0x01 };
	/* a two-byte PkgLength (0x4N: low nibble + next byte) */
	static const uint8_t longpkg[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x40, 0x01, 0x02,
					   0x0a, 0x07, 0x0a, 0x07 };
	static const uint8_t method[] = { 0x14, 0x08, '_', 'S', '5', '_', 0x00, 0xa4, 0x00 };
	static const uint8_t cut[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04 };

	T_EQ_U64(probe_s5_slp_typ(dsdt_aml, sizeof(dsdt_aml)), 5);
	T_EQ_U64(probe_s5_slp_typ(zero, sizeof(zero)), 0);
	T_EQ_U64(probe_s5_slp_typ(one, sizeof(one)), 1);
	T_EQ_U64(probe_s5_slp_typ(longpkg, sizeof(longpkg)), 7);
	T_CHECK(probe_s5_slp_typ(method, sizeof(method)) == -1);
	T_CHECK(probe_s5_slp_typ(cut, sizeof(cut)) == -1);
	T_CHECK(probe_s5_slp_typ(cut, 0) == -1);
}

static void test_modes(void)
{
	T_EQ_U64(probe_cmdline_mode(""), PROBE_MODE_POWEROFF);
	T_EQ_U64(probe_cmdline_mode("panic=-1 console=ttyS0"), PROBE_MODE_POWEROFF);
	T_EQ_U64(probe_cmdline_mode("probe.mode=reboot"), PROBE_MODE_REBOOT);
	T_EQ_U64(probe_cmdline_mode("a probe.mode=triplefault b"), PROBE_MODE_TRIPLEFAULT);
	T_EQ_U64(probe_cmdline_mode("probe.mode=post"), PROBE_MODE_POST);
	T_EQ_U64(probe_cmdline_mode("probe.mode=poweroff probe.mode=reboot"), PROBE_MODE_REBOOT);
	T_EQ_U64(probe_cmdline_mode("probe.mode=rebootx"), PROBE_MODE_UNKNOWN);
	T_EQ_U64(probe_cmdline_mode("probe.mode=reb"), PROBE_MODE_UNKNOWN);
	T_EQ_U64(probe_cmdline_mode("probe.mode="), PROBE_MODE_UNKNOWN);
	T_EQ_U64(probe_cmdline_mode("xprobe.mode=reboot"), PROBE_MODE_POWEROFF);
	T_EQ_STR(probe_mode_name(PROBE_MODE_TRIPLEFAULT), "triplefault");
	/* the hostile modes: "hostile" is not a prefix match of the others */
	T_EQ_U64(probe_cmdline_mode("probe.mode=hostile probe.seed=3"), PROBE_MODE_HOSTILE);
	T_EQ_U64(probe_cmdline_mode("probe.mode=hostile-bus"), PROBE_MODE_HOSTILE_BUS);
	T_EQ_U64(probe_cmdline_mode("probe.mode=hostile-bars"), PROBE_MODE_HOSTILE_BARS);
	T_EQ_U64(probe_cmdline_mode("probe.mode=hostile-msix"), PROBE_MODE_HOSTILE_MSIX);
	T_EQ_U64(probe_cmdline_mode("probe.mode=hostile-virtio"), PROBE_MODE_HOSTILE_VIRTIO);
	T_EQ_U64(probe_cmdline_mode("probe.mode=hostile-"), PROBE_MODE_UNKNOWN);
	T_EQ_STR(probe_mode_name(PROBE_MODE_HOSTILE_MSIX), "hostile-msix");
}

static void test_printf(void)
{
	struct probe p = probe_new();

	probe_printf(&p, "%s %c %d %d %u %x %lu %lx %%", "s", 'c', -12, 7, 42u, 0xabu,
		     18446744073709551615ul, 0x100000000ul);
	T_EQ_STR(out, "s c -12 7 42 0xab 18446744073709551615 0x100000000 %");
}

int main(void)
{
	mem = calloc(1, MEM_SIZE);
	if (!mem)
		return 1;
	test_printf();
	test_boot_params();
	test_boot_params_broken();
	test_mptable();
	test_acpi();
	test_acpi_broken();
	test_s5();
	test_modes();
	free(mem);
	return T_DONE();
}
