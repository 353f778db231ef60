/* SPDX-License-Identifier: MIT */
/* Unit tests of pvpanic on PCI (lib/dev/pvpanic.c): the IDs Linux's
 * pvpanic-pci driver binds to, BAR 0's size, and the one register: what a
 * read gives and which writes reach the machine. No KVM. */
#include <stdint.h>
#include <string.h>

#include "dev/machine.h"
#include "dev/pvpanic.h"
#include "pci/config.h"
#include "t.h"

struct fake_vm {
	unsigned events;
	uint8_t code;
};

static void fake_panic(void *vm, uint8_t code)
{
	struct fake_vm *f = vm;

	f->events++;
	f->code = code;
}

static uint32_t cfg32(struct la_pci_ep *ep, unsigned reg)
{
	uint8_t b[4];

	la_pci_ep_read(ep, reg, b, 4);
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void test_config(void)
{
	static struct la_pci_ep ep;
	uint8_t ones[4] = { 0xff, 0xff, 0xff, 0xff };

	T_CHECK(la_pvpanic_ep_init(&ep, NULL, 0xc0001000, 10, NULL) == 0);
	T_EQ_U64(cfg32(&ep, 0x00), 0x00111b36);           /* Red Hat, 0x0011 */
	T_EQ_U64(cfg32(&ep, 0x08), 0xff800001);           /* class ff/80/00, rev 1 */
	T_EQ_U64(cfg32(&ep, 0x2c), 0x00ff00ff);           /* subsystem 0xff/0xff */
	T_EQ_U64(cfg32(&ep, 0x10), 0xc0001000);           /* 32-bit memory BAR */
	T_EQ_U64(cfg32(&ep, 0x3c) & 0xffff, 0x010a);      /* INTA, line 10 */
	la_pci_ep_write(&ep, 0x10, ones, 4);              /* sizing: 16 bytes */
	T_EQ_U64(cfg32(&ep, 0x10), 0xfffffff0);
	T_EQ_U64(cfg32(&ep, 0x14), 0);                    /* one BAR only */
	/* a BAR not aligned to its 16 bytes is refused */
	T_CHECK(la_pvpanic_ep_init(&ep, NULL, 0xc0001008, 10, NULL) != 0);
}

static void test_register(void)
{
	struct fake_vm vm = { 0 };
	struct la_machine m = { .vm = &vm, .panic = fake_panic };
	uint8_t b[4] = { 0xaa, 0xaa, 0xaa, 0xaa };

	/* a byte read at 0: the events it takes, PANICKED | CRASH_LOADED */
	la_pvpanic_read(&m, 0, b, 1);
	T_EQ_U64(b[0], LA_PVPANIC_PANICKED | LA_PVPANIC_CRASH_LOADED);
	T_EQ_U64(b[0], 3);
	/* any other read: 0 */
	memset(b, 0xaa, sizeof(b));
	la_pvpanic_read(&m, 1, b, 1);
	T_EQ_U64(b[0], 0);
	la_pvpanic_read(&m, 0, b, 4);
	T_EQ_U64(b[0] | b[1] | b[2] | b[3], 0);
	/* a byte written at 0 is the event, whatever its value */
	b[0] = LA_PVPANIC_PANICKED;
	la_pvpanic_write(&m, 0, b, 1);
	T_EQ_U64(vm.events, 1);
	T_EQ_U64(vm.code, LA_PVPANIC_PANICKED);
	b[0] = LA_PVPANIC_CRASH_LOADED;
	la_pvpanic_write(&m, 0, b, 1);
	T_EQ_U64(vm.events, 2);
	T_EQ_U64(vm.code, LA_PVPANIC_CRASH_LOADED);
	/* elsewhere, or wider: ignored */
	b[0] = LA_PVPANIC_PANICKED;
	la_pvpanic_write(&m, 1, b, 1);
	la_pvpanic_write(&m, 0, b, 4);
	la_pvpanic_write(&m, 15, b, 1);
	T_EQ_U64(vm.events, 2);
	/* a machine that does not listen, or none */
	m.panic = NULL;
	la_pvpanic_write(&m, 0, b, 1);
	la_pvpanic_write(NULL, 0, b, 1);
	T_EQ_U64(vm.events, 2);
}

int main(void)
{
	test_config();
	test_register();
	return T_DONE();
}
