/* SPDX-License-Identifier: MIT */
/* Unit tests of aarch64's hypervisor half that need no KVM: the
 * KVM_IRQ_LINE word of a device SPI, the crash report's registers, and the
 * PCI CAM window's decoding (lib/pci/host.c) that its platform puts on the
 * MMIO bus. */
#include <string.h>

#include "arch.h"
#include "arch/aarch64/aarch64.h"
#include "bytes.h"
#include "pci/host.h"
#include "vm/bus.h"
#include "t.h"

/* SPI n is INTID n + 32, type SPI (1) in bits 24-31, vCPU index 0. */
static void test_irq_line_word(void)
{
	T_EQ_U64(la_arm_irq_line_word(0), 0x01000020);   /* COM1, COM3 */
	T_EQ_U64(la_arm_irq_line_word(1), 0x01000021);   /* the PL030 */
	T_EQ_U64(la_arm_irq_line_word(2), 0x01000022);   /* COM2, COM4 */
	T_EQ_U64(la_arm_irq_line_word(31), 0x0100003f);  /* the last PCI INTx */
	/* the ops table drives every SPI the allocator hands out, no more */
	T_EQ_U64(la_aarch64_vm_ops.nirqs, 32);
	T_CHECK(la_arch_lookup("aarch64")->vm == &la_aarch64_vm_ops);
}

static void test_regs_report(void)
{
	struct la_arm_regs r;
	struct la_regs_dump d;

	memset(&r, 0, sizeof(r));
	for (unsigned i = 0; i < 31; i++)
		r.x[i] = 0x1000 + i;
	r.sp = 0x2000, r.pc = 0x80200004, r.pstate = 0x3c5;
	r.sp_el1 = 0x3000, r.elr_el1 = 0x4000;
	la_arm_regs_report(&r, &d);
	T_EQ_U64(d.n, 36);
	T_EQ_STR(d.r[0].name, "x0");
	T_EQ_U64(d.r[0].value, 0x1000);
	T_EQ_STR(d.r[30].name, "x30");
	T_EQ_U64(d.r[30].value, 0x101e);
	/* four a line: x3, x7, ... end lines; sp ends the last one */
	T_CHECK(d.r[3].eol && !d.r[4].eol && d.r[27].eol && !d.r[30].eol);
	T_EQ_STR(d.r[31].name, "sp");
	T_CHECK(d.r[31].eol);
	T_EQ_STR(d.r[32].name, "pc");
	T_EQ_U64(d.r[32].value, 0x80200004);
	T_EQ_STR(d.r[33].name, "pstate");
	T_EQ_STR(d.r[35].name, "elr_el1");
	T_CHECK(d.r[35].eol);
	for (unsigned i = 0; i < d.n; i++)
		T_EQ_U64(d.r[i].bytes, 8);
	/* ESR and FAR when they could be read */
	r.has_sys = true, r.esr_el1 = 0x92000046, r.far_el1 = 0x5000;
	la_arm_regs_report(&r, &d);
	T_EQ_U64(d.n, 38);
	T_EQ_STR(d.r[36].name, "esr_el1");
	T_EQ_U64(d.r[36].value, 0x92000046);
	T_EQ_STR(d.r[37].name, "far_el1");
	T_EQ_U64(d.r[37].value, 0x5000);
	T_CHECK(d.n <= LA_REGS_MAX);
}

static uint32_t cam_read32(struct la_bus *b, uint64_t addr)
{
	uint8_t v[4];

	la_bus_access(b, addr, false, v, 4);
	return la_get32(v);
}

/* The CAM window at crosvm's default place: 00:00.0 is the host bridge,
 * every other function absent; bus<<16 | dev<<11 | fn<<8 | reg. */
static void test_cam(void)
{
	struct la_pci p;
	struct la_bus b;
	const uint64_t cam = 0x10000;
	uint8_t v[2] = { 0x06, 0x00 };

	la_pci_init(&p, NULL, NULL);
	la_bus_init(&b);
	T_EQ_U64(la_bus_add(&b, "pci-cam", (struct la_range){ cam, cam + 0xffffff },
			    &la_pci_cam_ops, &p), 0);
	T_EQ_U64(cam_read32(&b, cam + 0x00), 0x0d578086);    /* vendor, device */
	T_EQ_U64(cam_read32(&b, cam + 0x08), 0x06000000);    /* class: host bridge */
	T_EQ_U64(cam_read32(&b, cam + (1 << 11)), 0xffffffff); /* 00:01.0: none */
	T_EQ_U64(cam_read32(&b, cam + (1 << 8)), 0xffffffff);  /* 00:00.1: none */
	T_EQ_U64(cam_read32(&b, cam + (1 << 16)), 0xffffffff); /* 01:00.0: none */
	/* an ECAM offset (register bits 0-11) is 00:10.0 to a CAM: absent */
	T_EQ_U64(cam_read32(&b, cam + (1 << 15)), 0xffffffff);
	/* the command register takes memory/IO/bus-master bits */
	la_bus_access(&b, cam + 0x04, true, v, 2);
	T_EQ_U64(cam_read32(&b, cam + 0x04) & 0xffff, 0x0006);
	/* the last register of the window's last function reads as absent */
	T_EQ_U64(cam_read32(&b, cam + 0xfffffc), 0xffffffff);
	la_bus_destroy(&b);
	la_pci_destroy(&p);
}

int main(void)
{
	test_irq_line_word();
	test_regs_report();
	test_cam();
	return T_DONE();
}
