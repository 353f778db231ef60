/* SPDX-License-Identifier: MIT */
/*
 * The ACPI PM block (x86_64, §3.6 step 14): PM1a event (4 ports), PM1a
 * control (4) and GPE0 (64) in 72 ports from the allocator's IO pool
 * (4-aligned; the pool's 0x400 minimum wins, so 0xc000 in a fresh VM), and
 * the SCI, level-triggered IRQ 5. Only in VMs with ACPI tables. Writing
 * SLP_EN with our \_S5_ sleep type powers the machine off. The SCI is
 * asserted while a GPE's status and enable bits are both set (the PCI
 * hot-plug controller raises its GPE through la_machine.gpe).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86_64/x86_64.h"
#include "bytes.h"
#include "dev/dev.h"
#include "dev/machine.h"
#include "err.h"
#include "vm/bus.h"
#include "arch/x86_64/x86boot.h"

struct la_pm {
	const struct la_machine *m;
	unsigned sci, source;   /* the SCI's line, our bit on it */
	bool sci_on;
	uint16_t sts, en, cnt;
	uint8_t gpe[64];        /* 32 bytes of status, then 32 of enable */
};

#define LA_ACPI_PM_ALIGN 4

#define LA_PM1_SCI_EN 0x0001
#define LA_PM1_SLP_EN 0x2000

static void la_pm_init(struct la_pm *p, const struct la_machine *m)
{
	memset(p, 0, sizeof(*p));
	p->m = m;
	p->cnt = LA_PM1_SCI_EN; /* ACPI mode from the start (no SMI_CMD) */
}

/* The SCI follows the GPEs: asserted while one is both set and enabled. */
static void la_pm_sci(struct la_pm *p)
{
	bool on = false;

	for (unsigned i = 0; i < 32; i++)
		on |= (p->gpe[i] & p->gpe[32 + i]) != 0;
	if (on != p->sci_on && p->m && p->m->irq)
		p->m->irq(p->m->vm, p->sci, p->source, on);
	p->sci_on = on;
}

static void la_pm_gpe(void *state, unsigned gpe, bool set)
{
	struct la_pm *p = state;

	if (gpe < 256 && set)
		p->gpe[gpe / 8] |= (uint8_t)(1u << (gpe % 8));
	else if (gpe < 256)
		p->gpe[gpe / 8] &= (uint8_t)~(1u << (gpe % 8));
	la_pm_sci(p);
}

static uint8_t la_pm_readb(struct la_pm *p, unsigned off)
{
	switch (off) {
	case 0: return (uint8_t)p->sts;
	case 1: return (uint8_t)(p->sts >> 8);
	case 2: return (uint8_t)p->en;
	case 3: return (uint8_t)(p->en >> 8);
	case 4: return (uint8_t)p->cnt;
	case 5: return (uint8_t)(p->cnt >> 8);
	default: return off >= 8 && off < LA_X86_PM_IO_LEN ? p->gpe[off - 8] : 0;
	}
}

static void la_pm_read(void *ctx, uint64_t off, uint8_t *data, unsigned size)
{
	for (unsigned i = 0; i < size; i++)
		data[i] = off + i < LA_X86_PM_IO_LEN ? la_pm_readb(ctx, (unsigned)off + i) : 0;
}

static void la_pm_cnt(struct la_pm *p, uint16_t v)
{
	p->cnt = (uint16_t)((v & ~LA_PM1_SLP_EN) | LA_PM1_SCI_EN);
	if ((v & LA_PM1_SLP_EN) && ((v >> 10) & 7) == LA_X86_S5_SLP_TYP) {
		if (p->m->note)
			p->m->note(p->m->vm, LA_NOTE_POWEROFF, 0);
		p->m->request_exit(p->m->vm, LA_FATE_POWEROFF, "ACPI S5");
	}
}

static void la_pm_write(void *ctx, uint64_t off, const uint8_t *data, unsigned size)
{
	struct la_pm *p = ctx;
	uint8_t b[8] = { 0 };
	uint16_t v;

	memcpy(b, data, size > 8 ? 8 : size);
	if (off < 2) {           /* PM1 status: write 1 to clear */
		v = off == 0 ? la_get16(b) : (uint16_t)(b[0] << 8);
		p->sts &= (uint16_t)~v;
	} else if (off < 4) {
		v = off == 2 ? la_get16(b) : (uint16_t)((p->en & 0xff) | b[0] << 8);
		p->en = size == 1 && off == 2 ? (uint16_t)((p->en & 0xff00) | b[0]) : v;
	} else if (off < 6) {
		v = off == 4 ? (size == 1 ? (uint16_t)((p->cnt & 0xff00) | b[0]) : la_get16(b))
			     : (uint16_t)((p->cnt & 0xff) | b[0] << 8);
		la_pm_cnt(p, v);
	} else if (off >= 8) {
		for (unsigned i = 0; i < size && off + i < LA_X86_PM_IO_LEN; i++) {
			unsigned g = (unsigned)off + i - 8;

			if (g < 32)
				p->gpe[g] &= (uint8_t)~b[i]; /* status: write 1 to clear */
			else
				p->gpe[g] = b[i];
		}
		la_pm_sci(p);
	}
}

static const struct la_bus_ops la_pm_ops = { la_pm_read, la_pm_write };

static int la_pm_create(const struct la_dev_inst *d, const struct la_dev_env *env,
			void **state, const struct la_bus_ops **ops)
{
	const struct la_grant *sci = la_dev_inst_grant(d, LA_RES_IRQ, 0);
	struct la_pm *p = malloc(sizeof(*p));

	if (!p)
		return -LA_ERR_NOMEM;
	la_pm_init(p, env->m);
	p->sci = sci ? sci->value : LA_X86_SCI_IRQ;
	p->source = env->source;
	*state = p;
	*ops = &la_pm_ops;
	return 0;
}

const struct la_dev_desc la_dev_acpi_pm = {
	.name = "acpi-pm", .kind = "acpi-pm", .what = "ACPI PM1 event/control and GPE0 blocks",
	.arch = {
		[LA_ARCH_X86_64] = { 2, {
			{ .kind = LA_RES_IO, .how = LA_NEED_IO, .role = "io",
			  .size = LA_X86_PM_IO_LEN, .align = LA_ACPI_PM_ALIGN,
			  .tag = "ACPI PM1a event/control, GPE0" },
			{ .kind = LA_RES_IRQ, .how = LA_NEED_FIXED, .role = "sci",
			  .base = LA_X86_SCI_IRQ, .size = 1, .tag = "SCI, level" },
		} },
	},
	.create = la_pm_create,
	.gpe = la_pm_gpe,
};
