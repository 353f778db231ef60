/* SPDX-License-Identifier: MIT */
/*
 * The running VM: KVM objects, devices on the IO and MMIO buses, one
 * thread per vCPU and the fate that ends it (first request wins). vCPU
 * threads are kicked out of KVM_RUN with SIGUSR1 and run->immediate_exit.
 * It names no arch: the arch's hypervisor half (lib/vm/arch_vm.h) does.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <stdio.h>

#include "dev/dev.h"
#include "dev/serial.h"
#include "err.h"
#include "fileio.h"
#include "pci/host.h"
#include "pci/hotplug.h"
#include "vm/vm.h"

#define LA_VM_MAX_VCPUS 255

struct la_vm {
	struct la_kvm kvm;
	const struct la_vm_setup *setup;
	const struct la_arch_vm_ops *ops; /* the arch's hypervisor half */
	struct la_vm_platform plat;
	unsigned ncpus;
	struct la_kvm_vcpu vcpu[LA_VM_MAX_VCPUS];
	struct la_vm_thread {
		struct la_vm *vm;
		struct la_kvm_vcpu *vcpu;
	} tctx[LA_VM_MAX_VCPUS];
	pthread_t thread[LA_VM_MAX_VCPUS];
	unsigned started;

	struct la_machine machine;
	struct la_bus io, mmio;
	struct la_vm_dev {            /* the platform's running devices */
		const struct la_dev_desc *desc;
		const struct la_dev_inst *inst;
		void *state;
	} *dev;
	unsigned ndev;
	struct la_pci pci;
	bool pci_ready;
	struct la_dev_env env;        /* what the devices were given */
	/* PCI hot-plug: the reserved slots (the platform's hotplug-slot
	 * instances) and the device each holds */
	pthread_mutex_t hp_lock;      /* hp[].ejected; a leaf */
	pthread_cond_t hp_cond;       /* an _EJ0 ran */
	struct la_vm_hp {
		const struct la_dev_inst *slot;
		struct la_dev_inst inst;  /* the device in it: the slot's grants */
		void *state;              /* NULL: empty */
		bool ejected;             /* the guest released it */
	} *hp;
	unsigned nhp;
	pthread_mutex_t irq_lock;     /* irq_src; taken inside a bus lock */
	unsigned *irq_src;            /* asserted sources per line (ops->nirqs) */
	int said_unclaimed;           /* the first unclaimed MMIO access told */
	uint8_t panic_code;           /* the last pvpanic event (atomic), 0: none */
	/* KVM's GSI routing: the irqchip's own entries (nbase), then one MSI
	 * route per MSI-X vector (gsi nbase_gsi + i; valid: routed) */
	pthread_mutex_t route_lock;   /* a leaf */
	struct la_kvm_route *routes;
	bool *route_on;
	bool *route_free;             /* its GSI was given back (msi_free) */
	unsigned nroutes, nbase, route_cap;
	unsigned next_gsi;

	pthread_mutex_t lock;         /* fate and end */
	pthread_cond_t cond;
	volatile int stop;
	struct la_vm_end end;
};

static __thread struct kvm_run *la_vm_tls_run;

static void la_vm_kick(int sig)
{
	(void)sig;
	if (la_vm_tls_run)
		la_vm_tls_run->immediate_exit = 1;
}

/* ---- what devices ask of the machine ---- */

static void la_vm_end_with(struct la_vm *vm, const struct la_vm_end *e)
{
	pthread_mutex_lock(&vm->lock);
	if (vm->end.fate == LA_FATE_RUNNING) {
		vm->end = *e;
		pthread_cond_broadcast(&vm->cond);
	}
	pthread_mutex_unlock(&vm->lock);
}

/* An end the guest brought about (not Ctrl-A x or la-vmctl stop): after a
 * pvpanic PANICKED event it is a panic, whatever the guest did next
 * (crosvm's run loop: a reset, exit or crash event with the last pvpanic
 * code PANICKED is ExitState::GuestPanic). */
static void la_vm_guest_end(struct la_vm *vm, struct la_vm_end *e)
{
	bool ends = e->fate == LA_FATE_POWEROFF || e->fate == LA_FATE_RESET ||
		    e->fate == LA_FATE_CRASH;

	if (ends && __atomic_load_n(&vm->panic_code, __ATOMIC_RELAXED) == LA_PVPANIC_PANICKED) {
		e->after = e->fate;
		e->fate = LA_FATE_PANIC;
	}
	la_vm_end_with(vm, e);
}

static void la_vm_dev_exit(void *p, enum la_fate fate, const char *why)
{
	struct la_vm_end e = { .fate = fate, .why = why, .vcpu = -1 };

	la_vm_guest_end(p, &e);
}

void la_vm_guest_exit(struct la_vm *vm, enum la_fate fate, const char *why)
{
	la_vm_dev_exit(vm, fate, why);
}

static void la_vm_panic(void *p, uint8_t code)
{
	struct la_vm *vm = p;

	__atomic_store_n(&vm->panic_code, code, __ATOMIC_RELAXED);
}

void la_vm_request_exit(struct la_vm *vm, enum la_fate fate, const char *why)
{
	struct la_vm_end e = { .fate = fate, .why = why, .vcpu = -1 };

	la_vm_end_with(vm, &e);
}

static void la_vm_irq(void *p, unsigned gsi, unsigned source, int level)
{
	struct la_vm *vm = p;
	unsigned before, after;

	int err = 0;

	if (gsi >= vm->ops->nirqs)
		return;
	pthread_mutex_lock(&vm->irq_lock);
	before = vm->irq_src[gsi];
	after = level ? before | source : before & ~source;
	vm->irq_src[gsi] = after;
	if (!before != !after)
		err = vm->ops->irq_line(&vm->kvm, gsi, after != 0);
	pthread_mutex_unlock(&vm->irq_lock);
	if (err) {
		struct la_vm_end e = { .fate = LA_FATE_VMM, .why = "KVM_IRQ_LINE",
				       .vcpu = -1, .sys_errno = vm->kvm.sys_errno };

		la_vm_end_with(vm, &e);
	}
}

static int la_vm_ioeventfd(void *p, uint64_t gpa, unsigned len, int fd, bool on)
{
	struct la_vm *vm = p;

	return la_kvm_ioeventfd(&vm->kvm, gpa, len, fd, on);
}

#define LA_VM_MAX_MSI 512 /* MSI GSIs, well inside KVM's 4096 routes */

/* The routing table KVM gets: the irqchip's entries, then the MSI routes
 * that are on (route_lock held). */
static int la_vm_routes_apply(struct la_vm *vm)
{
	struct la_kvm_route *r = malloc(vm->nroutes * sizeof(*r));
	unsigned n = 0;
	int err;

	if (!r)
		return -LA_ERR_NOMEM;
	for (unsigned i = 0; i < vm->nroutes; i++)
		if (i < vm->nbase || vm->route_on[i])
			r[n++] = vm->routes[i];
	err = la_kvm_set_routes(&vm->kvm, r, n);
	free(r);
	return err;
}

static int la_vm_msi_gsi(void *p)
{
	struct la_vm *vm = p;
	int gsi = -LA_ERR_TOOMANY;

	pthread_mutex_lock(&vm->route_lock);
	for (unsigned i = vm->nbase; i < vm->nroutes; i++) {
		if (vm->route_free[i]) {
			vm->route_free[i] = false;
			gsi = (int)vm->routes[i].gsi;
			pthread_mutex_unlock(&vm->route_lock);
			return gsi;
		}
	}
	if (vm->nroutes < vm->route_cap) {
		gsi = (int)vm->next_gsi++;
		vm->routes[vm->nroutes] = (struct la_kvm_route){ .gsi = (uint32_t)gsi, .msi = true };
		vm->route_on[vm->nroutes++] = false;
	}
	pthread_mutex_unlock(&vm->route_lock);
	return gsi;
}

static int la_vm_msi_route(void *p, unsigned gsi, uint64_t addr, uint32_t data,
			   uint32_t devid, bool on)
{
	struct la_vm *vm = p;
	int err = -LA_ERR_NOTFOUND;

	pthread_mutex_lock(&vm->route_lock);
	for (unsigned i = vm->nbase; i < vm->nroutes; i++) {
		if (vm->routes[i].gsi != gsi)
			continue;
		vm->routes[i].addr = addr;
		vm->routes[i].data = data;
		vm->routes[i].has_devid = vm->ops->msi_devid;
		vm->routes[i].devid = devid;
		vm->route_on[i] = on;
		err = la_vm_routes_apply(vm);
		break;
	}
	pthread_mutex_unlock(&vm->route_lock);
	return err;
}

/* A hot-unplugged device's GSI: its route leaves KVM's table, the GSI
 * is handed out again. */
static void la_vm_msi_free(void *p, unsigned gsi)
{
	struct la_vm *vm = p;

	pthread_mutex_lock(&vm->route_lock);
	for (unsigned i = vm->nbase; i < vm->nroutes; i++) {
		if (vm->routes[i].gsi != gsi || vm->route_free[i])
			continue;
		vm->route_free[i] = true;
		if (vm->route_on[i]) {
			vm->route_on[i] = false;
			la_vm_routes_apply(vm);
		}
		break;
	}
	pthread_mutex_unlock(&vm->route_lock);
}

static int la_vm_irqfd(void *p, int fd, unsigned gsi, bool on)
{
	struct la_vm *vm = p;

	return la_kvm_irqfd(&vm->kvm, fd, gsi, on);
}

/* The arch's irqchip entry i is now r (x86_64's userspace IOAPIC: a pin
 * the guest reprogrammed); KVM gets the table again. */
static int la_vm_route_update(void *p, unsigned i, const struct la_kvm_route *r)
{
	struct la_vm *vm = p;
	int err = -LA_ERR_RANGE;

	pthread_mutex_lock(&vm->route_lock);
	if (i < vm->nbase) {
		vm->routes[i] = *r;
		err = la_vm_routes_apply(vm);
	}
	pthread_mutex_unlock(&vm->route_lock);
	return err;
}

/* MSI routes where the arch says what its irqchip's table holds. */
static int la_vm_msi_init(struct la_vm *vm)
{
	unsigned n;

	if (!vm->ops->irq_routes)
		return 0;
	n = vm->ops->irq_routes(&vm->kvm, NULL, 0);
	vm->route_cap = n + LA_VM_MAX_MSI;
	vm->routes = calloc(vm->route_cap, sizeof(*vm->routes));
	/* (aarch64 lists none: its SPIs go through KVM_IRQ_LINE, not routes) */
	vm->route_on = calloc(vm->route_cap, sizeof(*vm->route_on));
	vm->route_free = calloc(vm->route_cap, sizeof(*vm->route_free));
	if (!vm->routes || !vm->route_on || !vm->route_free)
		return -LA_ERR_NOMEM;
	vm->nbase = vm->nroutes = vm->ops->irq_routes(&vm->kvm, vm->routes, n);
	vm->next_gsi = vm->ops->nirqs;
	vm->kvm.route_ctx = vm;
	vm->kvm.route_update = la_vm_route_update;
	vm->machine.msi_gsi = la_vm_msi_gsi;
	vm->machine.msi_route = la_vm_msi_route;
	vm->machine.irqfd = la_vm_irqfd;
	vm->machine.msi_free = la_vm_msi_free;
	return 0;
}

/* The PM block's GPE (the device whose descriptor has a gpe hook). */
static void la_vm_gpe(void *p, unsigned gpe)
{
	struct la_vm *vm = p;

	pthread_mutex_lock(&vm->io.lock);
	for (unsigned i = 0; i < vm->ndev; i++)
		if (vm->dev[i].desc->gpe)
			vm->dev[i].desc->gpe(vm->dev[i].state, gpe);
	pthread_mutex_unlock(&vm->io.lock);
}

/* The guest's _EJ0 for the device in slot dev (a vCPU thread). */
static void la_vm_pci_ejected(void *p, unsigned dev)
{
	struct la_vm *vm = p;

	pthread_mutex_lock(&vm->hp_lock);
	for (unsigned i = 0; i < vm->nhp; i++) {
		const struct la_grant *g = la_dev_inst_grant(vm->hp[i].slot, LA_RES_PCI, 0);

		if (g->dev == dev && vm->hp[i].state)
			vm->hp[i].ejected = true;
	}
	pthread_cond_broadcast(&vm->hp_cond);
	pthread_mutex_unlock(&vm->hp_lock);
}

static void la_vm_broken(void *p, const char *dev, const char *why)
{
	struct la_vm *vm = p;

	if (vm->setup->broken)
		vm->setup->broken(vm->setup->broken_ctx, dev, why);
}

static void la_vm_note(void *p, enum la_note what, unsigned value)
{
	struct la_vm *vm = p;

	if (vm->setup->note)
		vm->setup->note(vm->setup->note_ctx, what, value);
}

static const char *const la_vm_steps[LA_STEP_COUNT] = {
	[LA_STEP_KVM_OPEN] = "KVM opened, capabilities checked",
	[LA_STEP_VM] = "KVM_CREATE_VM",
	[LA_STEP_IRQCHIP] = "interrupt controller created",
	[LA_STEP_MEMORY] = "guest memory registered",
	[LA_STEP_DEVICES] = "devices on their buses",
	[LA_STEP_VCPUS] = "vCPUs created and configured",
	[LA_STEP_THREADS] = "vCPU threads started",
	[LA_STEP_MAIN_FILTER] = "main thread's seccomp filter loaded",
	[LA_STEP_VCPU0_FILTER] = "vCPU 0's seccomp filter loaded",
	[LA_STEP_FIRST_RUN] = "vCPU 0's first KVM_RUN",
	[LA_STEP_THREADS_JOINED] = "fate decided, threads joined",
	[LA_STEP_TEARDOWN] = "vCPUs, VM and KVM closed",
};

const char *la_vm_step_name(unsigned step)
{
	return step < LA_STEP_COUNT ? la_vm_steps[step] : "?";
}

static void la_vm_step(struct la_vm *vm, enum la_vm_step step)
{
	if (vm->setup->note)
		vm->setup->note(vm->setup->note_ctx, LA_NOTE_STEP, step);
}

/* ---- devices ---- */

/* Make instance i of the platform and put it at each of its IO and MMIO
 * grants. */
static int la_vm_make_dev(struct la_vm *vm, unsigned i, const struct la_dev_env *env)
{
	const struct la_dev_inst *d = &vm->setup->res->plat.inst[i];
	const struct la_bus_ops *ops = NULL;
	struct la_vm_dev *vd = &vm->dev[vm->ndev];
	int err;

	if (!d->desc->create)
		return 0;
	err = d->desc->create(d, env, &vd->state, &ops);
	if (err)
		return err;
	vd->desc = d->desc;
	vd->inst = d;
	vm->ndev++;
	if (d->desc->pci_ep) {
		const struct la_grant *slot = la_dev_inst_grant(d, LA_RES_PCI, 0);

		/* its BARs go on the bus when the guest enables them */
		return slot && slot->bus == 0 && slot->func == 0 ?
		       la_pci_add(&vm->pci, slot->dev, d->desc->pci_ep(vd->state)) : -LA_ERR_RANGE;
	}
	for (unsigned k = 0; k < d->n && !err; k++) {
		const struct la_grant *g = &d->g[k];

		if (g->kind == LA_RES_IO || g->kind == LA_RES_MMIO)
			err = la_bus_add(g->kind == LA_RES_IO ? &vm->io : &vm->mmio, d->name,
					 g->range, ops, vd->state);
	}
	return err;
}

/* The user's options for instance name, NULL if none. */
static const void *la_vm_backend(const struct la_vm_setup *s, const char *name)
{
	for (unsigned i = 0; i < s->nbackends; i++)
		if (!strcmp(s->backends[i].name, name))
			return s->backends[i].opts;
	return NULL;
}

/* The platform's devices where their grants put them (each on its own
 * bit of a shared interrupt line), and the PCI host bridge where
 * build_vm put its windows. */
static int la_vm_devices(struct la_vm *vm)
{
	const struct la_vm_setup *s = vm->setup;
	const struct la_vm_platform *p = &vm->plat;
	const struct la_platform *plat = &s->res->plat;
	struct la_dev_env env = {
		.m = &vm->machine, .serial_fd = s->serial_fd, .debugcon_fd = s->debugcon_fd,
		.g = s->g, .mmio = &vm->mmio, .prog = s->prog, .seccomp = s->seccomp,
	};
	int err = 0;

	vm->ops->platform(s->boot, &vm->plat);
	vm->machine = (struct la_machine){
		.vm = vm, .irq = la_vm_irq, .request_exit = la_vm_dev_exit, .note = la_vm_note,
		.ioeventfd = la_vm_ioeventfd, .broken = la_vm_broken, .gpe = la_vm_gpe,
		.pci_ejected = la_vm_pci_ejected, .panic = la_vm_panic,
	};
	err = la_vm_msi_init(vm);
	if (err)
		return err;
	la_pci_init(&vm->pci, &vm->machine, &vm->mmio.lock);
	vm->pci_ready = true;
	env.cmos_below = p->cmos_below;
	env.cmos_above = p->cmos_above;
	env.hotplug_slots = la_pcihp_slots(plat);
	vm->env = env;
	/* room for the hot-plugged devices too */
	vm->dev = calloc(plat->ninst + 1, sizeof(*vm->dev));
	vm->hp = calloc(plat->ninst + 1, sizeof(*vm->hp));
	if (!vm->dev || !vm->hp)
		return -LA_ERR_NOMEM;
	for (unsigned i = 0; i < plat->ninst; i++)
		if (plat->inst[i].desc == &la_dev_pci_slot)
			vm->hp[vm->nhp++].slot = &plat->inst[i];
	for (unsigned i = 0; i < plat->ninst && !err; i++) {
		env.source = 1u << (i % 32);
		env.backend = la_vm_backend(s, plat->inst[i].name);
		err = la_vm_make_dev(vm, i, &env);
	}
	if (!err && p->pci_io)
		err = la_bus_add(&vm->io, "pci-config",
				 (struct la_range){ LA_PCI_IO_PORT, LA_PCI_IO_PORT + LA_PCI_IO_LEN - 1 },
				 &la_pci_io_ops, &vm->pci);
	if (!err && vm->ops->mmio_devices)
		err = vm->ops->mmio_devices(&vm->kvm, &vm->mmio);
	if (!err && !la_range_is_empty(p->ecam))
		err = la_bus_add(&vm->mmio, p->cam ? "pci-cam" : "pci-ecam", p->ecam,
				 p->cam ? &la_pci_cam_ops : &la_pci_ecam_ops, &vm->pci);
	return err;
}

/* The UART instance n (COM1 = 0) and the lock of the bus it sits on. */
static struct la_vm_dev *la_vm_com(struct la_vm *vm, unsigned n, struct la_bus **bus)
{
	char name[8];

	snprintf(name, sizeof(name), "com%u", n + 1);
	for (unsigned i = 0; i < vm->ndev; i++) {
		const struct la_dev_inst *d = vm->dev[i].inst;

		if (strcmp(d->name, name) || strcmp(d->desc->kind, "serial"))
			continue;
		*bus = la_dev_inst_grant(d, LA_RES_IO, 0) ? &vm->io : &vm->mmio;
		return &vm->dev[i];
	}
	return NULL;
}

unsigned la_vm_serial_input(struct la_vm *vm, unsigned n, const uint8_t *buf, unsigned len)
{
	struct la_bus *bus = NULL;
	struct la_vm_dev *d = la_vm_com(vm, n, &bus);
	unsigned took;

	if (!d)
		return 0;
	pthread_mutex_lock(&bus->lock);
	took = la_serial_input(d->state, buf, len);
	pthread_mutex_unlock(&bus->lock);
	return took;
}

unsigned la_vm_dev_input(struct la_vm *vm, const char *name, const uint8_t *buf, unsigned len)
{
	for (unsigned i = 0; i < vm->ndev; i++)
		if (vm->dev[i].desc->input && !strcmp(vm->dev[i].inst->name, name))
			return vm->dev[i].desc->input(vm->dev[i].state, buf, len);
	return 0;
}

/* ---- what the arch's exit hooks may use ---- */

const uint8_t *la_vm_guest_ptr(struct la_vm *vm, uint64_t gpa, uint64_t len)
{
	return la_gmem_ptr(vm->setup->g, gpa, len);
}

void la_vm_console_write(struct la_vm *vm, const uint8_t *buf, size_t len)
{
	for (unsigned i = 0; i < 4; i++) {
		int fd = vm->setup->serial_fd[i];

		if (fd < 0)
			continue;
		/* a console that is gone loses the guest's bytes */
		(void)la_fd_write_all(fd, buf, len);
		return;
	}
}

/* ---- creation ---- */

/* Every vCPU, created and set up by the arch, then its irqchip's last step. */
static int la_vm_vcpus(struct la_vm *vm, const struct la_vm_setup *s)
{
	const struct la_arch_vm_ops *ops = vm->ops;
	int err = 0;

	for (unsigned i = 0; !err && i < vm->ncpus; i++) {
		err = la_kvm_vcpu_create(&vm->kvm, i, &vm->vcpu[i]);
		if (!err)
			err = ops->vcpu_init(&vm->kvm, &vm->vcpu[i], vm->ncpus, s->boot);
	}
	if (!err && ops->irqchip_finalize)
		err = ops->irqchip_finalize(&vm->kvm);
	for (unsigned i = 0; !err && ops->vcpu_finalize && i < vm->ncpus; i++)
		err = ops->vcpu_finalize(&vm->kvm, &vm->vcpu[i], s->boot);
	return err;
}

/* What a failure to make the devices tells: a KVM ioctl names itself (a
 * PCI device's irqfd), two devices on one range are an internal error,
 * anything else is the devices'. returns: err, or -LA_ERR_INTERNAL */
static int la_vm_devices_fail(struct la_vm *vm, int err)
{
	if (!err || err == -LA_ERR_KVMIOCTL)
		return err;
	vm->kvm.sys_errno = 0;
	if (err == -LA_ERR_OVERLAP || err == -LA_ERR_TOOMANY || err == -LA_ERR_RANGE ||
	    err == -LA_ERR_EXISTINGALLOC) {
		vm->kvm.what = "IO bus (two devices claim one port)";
		return -LA_ERR_INTERNAL;
	}
	vm->kvm.what = "devices";
	return err;
}

static int la_vm_kvm(struct la_vm *vm, const struct la_vm_setup *s)
{
	const struct la_arch_vm_ops *ops = vm->ops;
	int err;

	err = la_kvm_open(&vm->kvm, s->kvm_path);
	if (!err && !(vm->irq_src = calloc(ops->nirqs + 1, sizeof(*vm->irq_src))))
		err = -LA_ERR_NOMEM;
	if (!err)
		err = la_kvm_check_caps(&vm->kvm, ops->caps, ops->ncaps);
	if (!err && vm->ncpus > vm->kvm.max_vcpus)
		return -LA_ERR_CPUS;
	if (!err && ops->vm_type)
		vm->kvm.vm_type = ops->vm_type(&vm->kvm);
	if (!err)
		la_vm_step(vm, LA_STEP_KVM_OPEN);
	if (!err && !(err = la_kvm_create_vm(&vm->kvm)))
		la_vm_step(vm, LA_STEP_VM);
	if (!err && !(err = ops->irqchip_create(&vm->kvm, vm->ncpus, s->boot)))
		la_vm_step(vm, LA_STEP_IRQCHIP);
	if (!err && !(err = la_kvm_set_memory(&vm->kvm, s->g)))
		la_vm_step(vm, LA_STEP_MEMORY);
	if (!err && !(err = la_vm_devices_fail(vm, la_vm_devices(vm))))
		la_vm_step(vm, LA_STEP_DEVICES);
	if (!err && !(err = la_vm_vcpus(vm, s)))
		la_vm_step(vm, LA_STEP_VCPUS);
	return err;
}

int la_vm_facts(const char *kvm_path, const struct la_vm_config *cfg, struct la_vm_facts *f,
		struct la_kvm *kvm)
{
	const struct la_arch_vm_ops *ops = cfg->arch->vm;
	struct la_kvm k;
	int err;

	if (!ops)
		return -LA_ERR_UNSUPPORTED;
	if (!ops->facts)
		return 0;
	err = la_kvm_open(&k, kvm_path);
	if (!err && ops->vm_type)
		k.vm_type = ops->vm_type(&k);
	if (!err)
		err = la_kvm_create_vm(&k);
	if (!err)
		err = ops->facts(&k, f);
	if (kvm)
		*kvm = k;
	la_kvm_close(&k);
	return err;
}

int la_vm_create(const struct la_vm_setup *s, struct la_vm **vmp, struct la_kvm *kvm)
{
	struct la_vm *vm = calloc(1, sizeof(*vm));
	int err;

	*vmp = NULL;
	if (!vm)
		return -LA_ERR_NOMEM;
	vm->setup = s;
	vm->ops = s->cfg->arch->vm;
	vm->ncpus = s->cfg->cpus;
	vm->end.fate = LA_FATE_RUNNING;
	/* nothing open yet: la_vm_destroy closes only what la_kvm_open made */
	vm->kvm.sys_fd = vm->kvm.vm_fd = vm->kvm.dev_fd[0] = vm->kvm.dev_fd[1] = -1;
	for (unsigned i = 0; i < LA_VM_MAX_VCPUS; i++)
		vm->vcpu[i].fd = -1;
	la_bus_init(&vm->io);
	la_bus_init(&vm->mmio);
	pthread_mutex_init(&vm->hp_lock, NULL);
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&vm->hp_cond, &ca);
		pthread_condattr_destroy(&ca);
	}
	pthread_mutex_init(&vm->irq_lock, NULL);
	pthread_mutex_init(&vm->route_lock, NULL);
	pthread_mutex_init(&vm->lock, NULL);
	pthread_cond_init(&vm->cond, NULL);
	err = vm->ncpus == 0 || vm->ncpus > LA_VM_MAX_VCPUS || !vm->ops ?
	      -LA_ERR_CPUS : la_vm_kvm(vm, s);
	if (kvm)
		*kvm = vm->kvm;
	if (err) {
		la_vm_destroy(vm);
		return err;
	}
	*vmp = vm;
	return 0;
}

/* ---- vCPU threads ---- */

static void la_vm_vcpu_end(struct la_vm *vm, struct la_kvm_vcpu *v, enum la_fate fate,
			   const char *why, uint64_t detail)
{
	struct la_vm_end e = {
		.fate = fate, .why = why, .vcpu = (int)v->id,
		.exit_reason = v->run->exit_reason, .detail = detail, .sys_errno = errno,
	};

	if (fate == LA_FATE_CRASH && vm->ops->regs_dump)
		e.has_regs = vm->ops->regs_dump(v, &e.regs) == 0;
	la_vm_guest_end(vm, &e);
}

/* Port IO: unclaimed ports are silent (reads give all ones). */
static void la_vm_io_exit(struct la_vm *vm, struct kvm_run *r)
{
	uint8_t *data = (uint8_t *)r + r->io.data_offset;
	bool write = r->io.direction == KVM_EXIT_IO_OUT;

	for (uint32_t i = 0; i < r->io.count; i++, data += r->io.size)
		la_bus_access(&vm->io, r->io.port, write, data, r->io.size);
}

/* MMIO: an address no device claims reads as all ones, takes no writes,
 * and is told once (setup->unclaimed_mmio); never fatal. */
static void la_vm_mmio_exit(struct la_vm *vm, struct kvm_run *r)
{
	const struct la_vm_setup *s = vm->setup;
	unsigned len = r->mmio.len > 8 ? 8 : r->mmio.len;

	if (la_bus_access(&vm->mmio, r->mmio.phys_addr, r->mmio.is_write, r->mmio.data, len))
		return;
	if (s->unclaimed_mmio && !__atomic_exchange_n(&vm->said_unclaimed, 1, __ATOMIC_RELAXED))
		s->unclaimed_mmio(s->unclaimed_ctx, r->mmio.phys_addr, r->mmio.is_write, len);
}

/* One exit: the generic ones here, any other the arch's exit hook may
 * take. returns: false when the vCPU must stop */
static bool la_vm_exit(struct la_vm *vm, struct la_kvm_vcpu *v)
{
	struct kvm_run *r = v->run;

	switch (r->exit_reason) {
	case KVM_EXIT_IO:
		la_vm_io_exit(vm, r);
		return true;
	case KVM_EXIT_MMIO:
		la_vm_mmio_exit(vm, r);
		return true;
	case KVM_EXIT_INTR:
		return true;
	case KVM_EXIT_SHUTDOWN:
		la_vm_vcpu_end(vm, v, LA_FATE_CRASH, "triple fault (KVM_EXIT_SHUTDOWN)", 0);
		return false;
	case KVM_EXIT_FAIL_ENTRY:
		la_vm_vcpu_end(vm, v, LA_FATE_CRASH, "failed entry (KVM_EXIT_FAIL_ENTRY)",
			       r->fail_entry.hardware_entry_failure_reason);
		return false;
	case KVM_EXIT_INTERNAL_ERROR:
		la_vm_vcpu_end(vm, v, LA_FATE_CRASH, "KVM internal error",
			       r->internal.suberror);
		return false;
	case KVM_EXIT_SYSTEM_EVENT:
		if (r->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN)
			la_vm_vcpu_end(vm, v, LA_FATE_POWEROFF, "system event: shutdown", 0);
		else if (r->system_event.type == KVM_SYSTEM_EVENT_RESET)
			la_vm_vcpu_end(vm, v, LA_FATE_RESET, "system event: reset", 0);
		else
			la_vm_vcpu_end(vm, v, LA_FATE_CRASH, "system event: crash",
				       r->system_event.type);
		return false;
	default:
		if (vm->ops->exit && vm->ops->exit(vm, &vm->kvm, v))
			return true;
		la_vm_vcpu_end(vm, v, LA_FATE_CRASH, "unexpected KVM exit", r->exit_reason);
		return false;
	}
}

static void *la_vm_vcpu_thread(void *p)
{
	struct la_vm_thread *t = p;
	struct la_vm *vm = t->vm;
	struct la_kvm_vcpu *v = t->vcpu;
	char name[16];
	sigset_t set;

	/* before the filter: naming oneself is prctl(PR_SET_NAME) */
	snprintf(name, sizeof(name), "la-vcpu%u", v->id);
	pthread_setname_np(pthread_self(), name);
	la_vm_tls_run = v->run;
	la_sandbox_set_thread(LA_THREAD_VCPU, v->id);
	if (la_sandbox_filter_install(vm->setup->prog, LA_THREAD_VCPU, vm->setup->seccomp)) {
		la_vm_vcpu_end(vm, v, LA_FATE_VMM, "seccomp filter of a vCPU thread", 0);
		return NULL;
	}
	la_sandbox_test_hook("vcpu");
	if (v->id == 0)
		la_vm_step(vm, LA_STEP_VCPU0_FILTER);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	if (v->id == 0)
		la_vm_step(vm, LA_STEP_FIRST_RUN);
	while (!vm->stop) {
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				v->run->immediate_exit = 0;
				continue;
			}
			la_vm_vcpu_end(vm, v, LA_FATE_VMM, "KVM_RUN failed", 0);
			break;
		}
		if (!la_vm_exit(vm, v))
			break;
	}
	return NULL;
}

int la_vm_thread_create(pthread_t *t, void *(*fn)(void *), void *arg)
{
	pthread_attr_t a;
	int err = pthread_attr_init(&a);

	if (err)
		return err;
	err = pthread_attr_setstacksize(&a, LA_VM_THREAD_STACK);
	if (!err)
		err = pthread_create(t, &a, fn, arg);
	pthread_attr_destroy(&a);
	return err;
}

static void la_vm_stop_threads(struct la_vm *vm)
{
	vm->stop = 1;
	for (unsigned i = 0; i < vm->started; i++)
		pthread_kill(vm->thread[i], SIGUSR1);
	for (unsigned i = 0; i < vm->started; i++)
		pthread_join(vm->thread[i], NULL);
	vm->started = 0;
}

enum la_fate la_vm_run(struct la_vm *vm)
{
	struct sigaction sa = { .sa_handler = la_vm_kick };
	sigset_t set, old;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL); /* no SA_RESTART: KVM_RUN returns EINTR */
	/* the devices' threads first, each under its own filter */
	for (unsigned i = 0; i < vm->ndev; i++) {
		if (vm->dev[i].desc->start && vm->dev[i].desc->start(vm->dev[i].state)) {
			la_vm_dev_exit(vm, LA_FATE_VMM, "cannot start a device thread");
			break;
		}
	}
	/* threads start with SIGUSR1 blocked and unblock it once their
	 * kvm_run pointer is set */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	for (unsigned i = 0; i < vm->ncpus; i++) {
		vm->tctx[i] = (struct la_vm_thread){ vm, &vm->vcpu[i] };
		if (la_vm_thread_create(&vm->thread[i], la_vm_vcpu_thread, &vm->tctx[i])) {
			la_vm_dev_exit(vm, LA_FATE_VMM, "cannot start a vCPU thread");
			break;
		}
		vm->started++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	la_vm_step(vm, LA_STEP_THREADS);
	la_sandbox_set_thread(LA_THREAD_MAIN, 0);
	if (la_sandbox_filter_install(vm->setup->prog, LA_THREAD_MAIN, vm->setup->seccomp)) {
		struct la_vm_end e = { .fate = LA_FATE_VMM, .vcpu = -1, .sys_errno = errno,
				       .why = "seccomp filter of the main thread" };

		la_vm_end_with(vm, &e);
	} else {
		la_sandbox_test_hook("main");
		la_vm_step(vm, LA_STEP_MAIN_FILTER);
	}
	pthread_mutex_lock(&vm->lock);
	while (vm->end.fate == LA_FATE_RUNNING)
		pthread_cond_wait(&vm->cond, &vm->lock);
	pthread_mutex_unlock(&vm->lock);
	la_vm_stop_threads(vm);
	la_vm_step(vm, LA_STEP_THREADS_JOINED);
	return vm->end.fate;
}

void la_vm_status(struct la_vm *vm, struct la_vm_status *out)
{
	pthread_mutex_lock(&vm->lock);
	*out = (struct la_vm_status){
		.fate = vm->end.fate, .cpus = vm->ncpus,
		.why = vm->end.fate == LA_FATE_RUNNING ? NULL : vm->end.why,
		.started = __atomic_load_n(&vm->started, __ATOMIC_RELAXED),
	};
	pthread_mutex_unlock(&vm->lock);
}

void la_vm_end_info(const struct la_vm *vm, struct la_vm_end *out)
{
	*out = vm->end;
}

void la_vm_destroy(struct la_vm *vm)
{
	if (!vm)
		return;
	la_vm_stop_threads(vm);
	/* the devices (and their threads, which may still raise interrupts)
	 * before the KVM objects */
	for (unsigned i = 0; i < vm->ndev; i++) {
		if (vm->dev[i].desc->destroy)
			vm->dev[i].desc->destroy(vm->dev[i].state);
		else
			free(vm->dev[i].state);
	}
	for (unsigned i = 0; i < vm->nhp; i++)
		if (vm->hp[i].state)
			vm->hp[i].inst.desc->destroy(vm->hp[i].state);
	for (unsigned i = 0; i < LA_VM_MAX_VCPUS; i++)
		if (vm->vcpu[i].fd >= 0)
			la_kvm_vcpu_close(&vm->kvm, &vm->vcpu[i]);
	la_kvm_close(&vm->kvm);
	if (vm->setup)
		la_vm_step(vm, LA_STEP_TEARDOWN);
	la_bus_destroy(&vm->io);
	la_bus_destroy(&vm->mmio);
	free(vm->dev);
	free(vm->hp);
	pthread_mutex_destroy(&vm->hp_lock);
	pthread_cond_destroy(&vm->hp_cond);
	if (vm->pci_ready)
		la_pci_destroy(&vm->pci);
	pthread_mutex_destroy(&vm->irq_lock);
	pthread_mutex_destroy(&vm->route_lock);
	free(vm->routes);
	free(vm->route_on);
	free(vm->route_free);
	free(vm->irq_src);
	pthread_mutex_destroy(&vm->lock);
	pthread_cond_destroy(&vm->cond);
	free(vm);
}

/* ---- PCI hot-plug ---- */

/* The device in a hot-plug slot leaves: its thread stops, its BAR, routes
 * and slot go, then the device itself. */
static void la_vm_hp_take(struct la_vm *vm, struct la_vm_hp *h)
{
	const struct la_grant *g = la_dev_inst_grant(h->slot, LA_RES_PCI, 0);
	const struct la_dev_desc *t = h->inst.desc;

	la_pci_remove(&vm->pci, g->dev);
	if (t->unplug)
		t->unplug(h->state);
	t->destroy(h->state);
	pthread_mutex_lock(&vm->hp_lock);
	h->state = NULL;
	h->ejected = false;
	pthread_mutex_unlock(&vm->hp_lock);
}

static struct la_pci_dev la_vm_hp_pci_dev(struct la_vm_hp *h)
{
	const struct la_grant *g = la_dev_inst_grant(h->slot, LA_RES_PCI, 0);

	return (struct la_pci_dev){ g->bus, g->dev, g->func,
				    h->inst.desc->pci_ep(h->state) };
}

int la_vm_hotplug_add(struct la_vm *vm, const struct la_dev_desc *t, const void *opts,
		      struct la_vm_hp_info *out)
{
	struct la_dev_env env = vm->env;
	const struct la_bus_ops *ops = NULL;
	struct la_vm_hp *h = NULL;
	struct la_pci_dev pd;
	unsigned idx = 0;
	int err;

	if (!vm->ops->register_pci_device || !vm->nhp)
		return -LA_ERR_NOHOTPLUG;
	if (!t->create || !t->destroy || !t->pci_ep)
		return -LA_ERR_UNSUPPORTED;
	/* an empty slot, or one whose device the guest ejected on its own */
	for (unsigned i = 0; i < vm->nhp && !h; i++) {
		if (vm->hp[i].state && vm->hp[i].ejected)
			la_vm_hp_take(vm, &vm->hp[i]);
		if (!vm->hp[i].state)
			h = &vm->hp[i], idx = i;
	}
	if (!h)
		return -LA_ERR_SLOTSFULL;
	h->inst = *h->slot;
	h->inst.desc = t;
	snprintf(h->inst.name, sizeof(h->inst.name), "%s-hp%u", t->name, idx);
	env.backend = opts;
	env.source = 1u << ((vm->setup->res->plat.ninst + idx) % 32);
	err = t->create(&h->inst, &env, &h->state, &ops);
	if (err) {
		h->state = NULL;
		return err;
	}
	pd = la_vm_hp_pci_dev(h);
	err = la_pci_add(&vm->pci, pd.dev, pd.ep);
	if (!err && t->start)
		err = t->start(h->state);
	if (!err)
		err = vm->ops->register_pci_device(vm, &pd);
	if (err) {
		la_vm_hp_take(vm, h);
		return err;
	}
	out->index = idx;
	out->bus = pd.bus, out->dev = pd.dev, out->func = pd.func;
	snprintf(out->name, sizeof(out->name), "%s", h->inst.name);
	out->type = t->name;
	return 0;
}

int la_vm_hotplug_remove(struct la_vm *vm, unsigned bus, unsigned dev, unsigned func,
			 unsigned timeout_ms, struct la_vm_hp_info *out)
{
	struct la_vm_hp *h = NULL;
	struct la_pci_dev pd;
	struct timespec until;
	bool ejected;
	int err;

	if (!vm->ops->unregister_pci_device || !vm->nhp)
		return -LA_ERR_NOHOTPLUG;
	for (unsigned i = 0; i < vm->nhp && !h; i++) {
		const struct la_grant *g = la_dev_inst_grant(vm->hp[i].slot, LA_RES_PCI, 0);

		if (vm->hp[i].state && g->bus == bus && g->dev == dev && g->func == func) {
			h = &vm->hp[i];
			out->index = i;
		}
	}
	if (!h)
		return -LA_ERR_NOTPLUGGED;
	out->bus = bus, out->dev = dev, out->func = func;
	snprintf(out->name, sizeof(out->name), "%s", h->inst.name);
	out->type = h->inst.desc->name;
	pd = la_vm_hp_pci_dev(h);
	pthread_mutex_lock(&vm->hp_lock);
	ejected = h->ejected;
	pthread_mutex_unlock(&vm->hp_lock);
	if (!ejected) {
		err = vm->ops->unregister_pci_device(vm, &pd);
		if (err)
			return err;
	}
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000)
		until.tv_sec++, until.tv_nsec -= 1000000000;
	pthread_mutex_lock(&vm->hp_lock);
	while (!h->ejected && pthread_cond_timedwait(&vm->hp_cond, &vm->hp_lock, &until) == 0)
		;
	ejected = h->ejected;
	pthread_mutex_unlock(&vm->hp_lock);
	if (!ejected)
		return -LA_ERR_EJECTTIMEOUT;
	la_vm_hp_take(vm, h);
	return 0;
}

bool la_vm_hotplug_get(struct la_vm *vm, unsigned index, struct la_vm_hp_info *out)
{
	const struct la_grant *g;

	if (index >= vm->nhp || !vm->hp[index].state)
		return false;
	g = la_dev_inst_grant(vm->hp[index].slot, LA_RES_PCI, 0);
	*out = (struct la_vm_hp_info){ .index = index, .bus = g->bus, .dev = g->dev,
				       .func = g->func, .type = vm->hp[index].inst.desc->name };
	g = la_dev_inst_grant(vm->hp[index].slot, LA_RES_MMIO, 0);
	out->bar0 = g ? g->range : (struct la_range){ 0, 0 };
	g = la_dev_inst_grant(vm->hp[index].slot, LA_RES_IRQ, 0);
	out->irq = g ? g->value : 0;
	snprintf(out->name, sizeof(out->name), "%s", vm->hp[index].inst.name);
	return true;
}

unsigned la_vm_hotplug_slots(const struct la_vm *vm)
{
	return vm->nhp;
}

void *la_vm_dev_state(struct la_vm *vm, const struct la_dev_desc *t)
{
	for (unsigned i = 0; i < vm->ndev; i++)
		if (vm->dev[i].desc == t)
			return vm->dev[i].state;
	return NULL;
}

void la_vm_io_lock(struct la_vm *vm, bool lock)
{
	if (lock)
		pthread_mutex_lock(&vm->io.lock);
	else
		pthread_mutex_unlock(&vm->io.lock);
}
