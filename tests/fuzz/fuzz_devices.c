/* SPDX-License-Identifier: MIT */
/*
 * Every platform device's registers through the bus, as la-vmrun builds
 * them: an arch's default VM (la_vm_resources: its devices and grants,
 * plus the PCI hot-plug controller and two slots on x86_64), each instance
 * with a create made with a fake machine and put on the IO or MMIO bus at
 * its grants, as lib/vm/vm.c does: the 16550s, the RTC/CMOS, the i8042,
 * debugcon, the POST port, the ACPI PM block, the PLIC, the hot-plug
 * controller. The input picks the arch, then accesses: a device's grant
 * (by index), an offset in it (or anywhere on the bus), size, direction,
 * value; console input into a UART; general-purpose events.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "arch.h"
#include "bytes.h"
#include "dev/dev.h"
#include "dev/machine.h"
#include "dev/resources.h"
#include "fuzz.h"
#include "vm/bus.h"

#define MAX_DEVS 64

static struct la_vm_res res;
static int devnull = -1;

static void m_irq(void *vm, unsigned gsi, unsigned source, int level)
{
	(void)vm, (void)gsi, (void)source, (void)level;
}

static void m_exit(void *vm, enum la_fate f, const char *why)
{
	(void)vm, (void)f, (void)why;
}

static void m_note(void *vm, enum la_note what, unsigned value)
{
	(void)vm, (void)what, (void)value;
}

static void m_broken(void *vm, const char *dev, const char *why)
{
	(void)vm, (void)dev, (void)why;
}

static void m_gpe(void *vm, unsigned gpe)
{
	(void)vm, (void)gpe;
}

static void m_ejected(void *vm, unsigned dev)
{
	(void)vm, (void)dev;
}

static const struct la_machine machine = {
	.irq = m_irq, .request_exit = m_exit, .note = m_note, .broken = m_broken, .gpe = m_gpe,
	.pci_ejected = m_ejected,
};

struct dev {
	const struct la_dev_inst *inst;
	void *state;
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *names[3] = { "x86_64", "aarch64", "riscv64" };
	static const unsigned sizes[4] = { 1, 2, 4, 8 };
	struct fz f = { data, size };
	uint8_t sel = fz_u8(&f);
	struct la_vm_config cfg;
	struct la_arch_layout l;
	struct la_mem_layout m;
	struct la_platform_opts po = LA_PLATFORM_OPTS_DEFAULT;
	struct la_bus io, mmio;
	struct dev devs[MAX_DEVS];
	const struct la_grant *grants[MAX_DEVS * LA_DEV_MAX_NEEDS];
	unsigned ndev = 0, ngrant = 0;
	int serial_fd[LA_SERIAL_MAX];
	char name[LA_DEV_NAME_MAX + 1];

	if (devnull < 0 && (devnull = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0)
		abort();
	for (unsigned i = 0; i < LA_SERIAL_MAX; i++)
		serial_fd[i] = (sel & 0x40) ? devnull : -1;
	la_vm_config_init(&cfg);
	cfg.arch = la_arch_lookup(names[(sel & 3) % 3]);
	cfg.phys_bits = 40;
	po.acpi = !(sel & 0x80);
	if (la_layout_compute(&cfg, &l, &m) || la_vm_resources(&cfg, &l, &m, &po, &res))
		goto out_res;
	if (cfg.arch->id == LA_ARCH_X86_64 && po.acpi &&
	    (la_vm_res_add(&res, &la_dev_pci_hotplug, name) ||
	     la_vm_res_add(&res, &la_dev_pci_slot, name) ||
	     la_vm_res_add(&res, &la_dev_pci_slot, name) ||
	     la_vm_res_add(&res, &la_dev_vpmc, name)))
		goto out_res;
	la_bus_init(&io);
	la_bus_init(&mmio);
	for (unsigned i = 0; i < res.plat.ninst && ndev < MAX_DEVS; i++) {
		const struct la_dev_inst *d = &res.plat.inst[i];
		struct la_dev_env env = { .m = &machine, .source = 1u << (i % 32),
					  .serial_fd = serial_fd, .debugcon_fd = devnull,
					  .cmos_below = 0x1000, .cmos_above = 3,
					  .hotplug_slots = 3u << 5, .mmio = &mmio,
					  .seccomp = LA_SECCOMP_OFF };
		const struct la_bus_ops *ops = NULL;
		void *state;

		if (!d->desc->create || d->desc->pci_ep)
			continue;
		if (d->desc->create(d, &env, &state, &ops))
			continue;
		devs[ndev++] = (struct dev){ d, state };
		for (unsigned k = 0; k < d->n; k++) {
			const struct la_grant *g = &d->g[k];

			if ((g->kind == LA_RES_IO || g->kind == LA_RES_MMIO) &&
			    !la_bus_add(g->kind == LA_RES_IO ? &io : &mmio, d->name, g->range, ops,
					state))
				grants[ngrant++] = g;
		}
	}
	while (f.n && ngrant) {
		uint8_t op = fz_u8(&f), b[8];
		unsigned sz = sizes[(op >> 1) & 3];
		const struct la_grant *g = grants[fz_u8(&f) % ngrant];
		uint64_t span = g->range.end - g->range.start + 1, off = fz_u16(&f);
		struct dev *d = &devs[op % ndev];
		size_t len;
		const uint8_t *p;

		la_put64(b, fz_u64(&f));
		switch (op >> 5) {
		default:
			la_bus_access(g->kind == LA_RES_IO ? &io : &mmio,
				      g->range.start + (span ? off % span : off), op & 1, b, sz);
			break;
		case 6: /* console input, where a device takes it */
			p = fz_bytes(&f, b[0] & 0x3f, &len);
			if (d->inst->desc->input) {
				pthread_mutex_lock(&io.lock);
				d->inst->desc->input(d->state, p, (unsigned)len);
				pthread_mutex_unlock(&io.lock);
			}
			break;
		case 7: /* a GPE, where a device has the block */
			if (d->inst->desc->gpe) {
				pthread_mutex_lock(&io.lock);
				d->inst->desc->gpe(d->state, b[0], !(b[1] & 1));
				pthread_mutex_unlock(&io.lock);
			}
			break;
		}
	}
	for (unsigned i = 0; i < ndev; i++) {
		if (devs[i].inst->desc->destroy)
			devs[i].inst->desc->destroy(devs[i].state);
		else
			free(devs[i].state);
	}
	la_bus_destroy(&io);
	la_bus_destroy(&mmio);
out_res:
	la_vm_res_destroy(&res);
	return 0;
}
