/* SPDX-License-Identifier: MIT */
/*
 * A running VM: build_vm's result handed to KVM, the devices, one thread
 * per vCPU and the guest's fate (la-vmrun's exit status).
 */
#ifndef LA_VM_H
#define LA_VM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "boot.h"
#include "dev/dev.h"
#include "dev/machine.h"
#include "vm/guestmem.h"
#include "vm/kvm.h"
#include "sandbox.h"
#include "vm/arch_vm.h"
#include "dev/resources.h"

/* What to boot (inputs of build_vm beyond struct la_vm_config). */
struct la_vm_image {
	const uint8_t *image;     /* kernel or BIOS file contents */
	size_t image_len;
	bool is_bios;
	int initrd_fd;            /* -1: no initrd */
	uint64_t initrd_size;     /* bytes */
	const char *cmdline;      /* user's, appended after ours; NULL: none */
	int console;              /* COM port index of the console (console=ttyS<n>), -1: none */
	uint16_t console_port;    /* its IO port, for earlycon */
	bool earlycon;            /* earlycon=uart8250,io,<port> */
	bool hvc0;                /* console=hvc0 (a virtio console) instead of ttyS */
	const struct la_platform *plat; /* the devices (x86_64: the DSDT's PCI _PRT
					 * from their INTx grants); NULL: none */
	const uint8_t *dtb;       /* NULL: no DTB in setup_data */
	size_t dtb_len;
	bool no_acpi;             /* boot on the MP table alone */
	bool split_irqchip;       /* x86_64: KVM's LAPICs, la's IOAPIC, no PIC or PIT */
	uint8_t rng_seed[256];
	unsigned phys_bits;       /* guest physical address bits (MTRR masks, high MMIO) */
	uint16_t pm_iobase;       /* ACPI PM block, from the allocator (lib/dev/resources.h) */
	const struct la_range *ramoops; /* the pstore region (ramoops.* on the
					 * command line, after the user's); NULL: none */
	/* device-tree arches (aarch64, riscv64): where the payload, the
	 * initrd and the tree go, la_boot_place's plan (the one la-mkfdt
	 * places by), and dtb is the final tree (built by la-vmrun from
	 * la-mkfdt's code, or --fdt). NULL on x86_64. */
	const struct la_boot_plan *plan;
	const struct la_vm_facts *facts; /* what the tree says of KVM; NULL on x86_64 */
};

/* ---- running ---- */
struct la_vm;

/* la_vm_facts - what this host's KVM gives that the guest's device tree
 * must describe (crosvm asks its irqchip and vCPUs the same): open KVM at
 * kvm_path, create a scratch VM, let the arch's facts hook fill f, close.
 * f keeps what it held where the arch has nothing to say (no hook: all).
 * On failure kvm (if not NULL) tells what failed.
 * returns: 0, -LA_ERR_KVM*, -LA_ERR_UNSUPPORTED */
int la_vm_facts(const char *kvm_path, const struct la_vm_config *cfg, struct la_vm_facts *f,
		struct la_kvm *kvm);

struct la_vm_setup {
	const char *kvm_path;               /* "/dev/kvm" */
	const struct la_vm_config *cfg;
	const struct la_gmem *g;
	const struct la_vm_boot *boot;      /* build_vm's result: the arch's type */
	const struct la_vm_res *res;        /* device ports and IRQs */
	int serial_fd[4];                   /* COM1-4 output, -1: discarded */
	int debugcon_fd;                    /* -1: discarded */
	/* boot-timing notes; NULL: none. Called with a device lock held. */
	void (*note)(void *ctx, enum la_note what, unsigned value);
	void *note_ctx;
	/* the first MMIO access no device claims (gpa, size bytes), from a
	 * vCPU thread; later ones are ignored silently. NULL: none. */
	void (*unclaimed_mmio)(void *ctx, uint64_t gpa, bool write, unsigned size);
	void *unclaimed_ctx;
	/* a virtio device the guest broke (a malformed queue): dev is its
	 * instance name, why static text; once per device and reset, from
	 * the device's thread or a vCPU's. NULL: not told. */
	void (*broken)(void *ctx, const char *dev, const char *why);
	void *broken_ctx;
	/* the user's options of PCI devices, by instance name
	 * ("virtio-blk0": the device's own struct, lib/virtio/devices.h) */
	const struct la_vm_backend {
		const char *name;
		const void *opts;
	} *backends;
	unsigned nbackends;
	/* seccomp: each vCPU thread installs its filter before its first
	 * KVM_RUN, the thread calling la_vm_run() the main filter once every
	 * vCPU thread is started (lib/sandbox.h) */
	enum la_seccomp_mode seccomp;
	const char *prog;                   /* for seccomp messages */
};

/* la_vm_create - open KVM, create the VM, its memory, irqchip, devices and
 * configured vCPUs. On failure *vmp is NULL and kvm (if not NULL) tells
 * what failed. returns: 0, -LA_ERR_KVM*, -LA_ERR_NOMEM, -LA_ERR_CPUS,
 * -LA_ERR_UNSUPPORTED (this arch's KVM on another host), -LA_ERR_INTERNAL */
int la_vm_create(const struct la_vm_setup *s, struct la_vm **vmp, struct la_kvm *kvm);

/* la_vm_thread_create - pthread_create with la-vmrun's thread stack size
 * (LA_VM_THREAD_STACK bytes): a default 8 MiB stack can be backed by a
 * transparent huge page and count 2 MiB in the VMM's memory for the few
 * KiB a thread uses. Every thread of a VM starts through it.
 * returns: pthread_create's result (0 or an errno value) */
#define LA_VM_THREAD_STACK (256u << 10)
int la_vm_thread_create(pthread_t *t, void *(*fn)(void *), void *arg);

/* la_vm_run - run every vCPU until the guest's fate is decided. Uses
 * SIGUSR1 to kick vCPU threads out of KVM_RUN. Unless setup->seccomp is
 * LA_SECCOMP_OFF, the calling thread leaves under the main filter: start
 * every other thread before.
 * returns: the fate (enum la_fate) */
enum la_fate la_vm_run(struct la_vm *vm);

/* la_vm_serial_input - bytes typed for COM n (0-3).
 * returns: bytes taken (the FIFO may be full) */
unsigned la_vm_serial_input(struct la_vm *vm, unsigned n, const uint8_t *buf, unsigned len);

/* la_vm_dev_input - bytes typed for device name (a virtio console).
 * returns: bytes taken (its buffer may be full), 0 without such a device */
unsigned la_vm_dev_input(struct la_vm *vm, const char *name, const uint8_t *buf, unsigned len);

/* la_vm_guest_ptr - the host address of guest RAM [gpa, gpa+len), NULL
 * unless all of it is RAM: for the arch's exit hooks (riscv64's SBI debug
 * console passes a buffer). */
const uint8_t *la_vm_guest_ptr(struct la_vm *vm, uint64_t gpa, uint64_t len);

/* la_vm_console_write - guest bytes to the console (the first COM port
 * with an output), as the arch's debug console calls write them. */
void la_vm_console_write(struct la_vm *vm, const uint8_t *buf, size_t len);

/* la_vm_request_exit - end the VM from outside (Ctrl-A x, a signal). */
void la_vm_request_exit(struct la_vm *vm, enum la_fate fate, const char *why);
/* la_vm_guest_exit - end the VM because the guest asked (an arch's
 * firmware call: SBI system reset): after a pvpanic panic, that is
 * LA_FATE_PANIC. */
void la_vm_guest_exit(struct la_vm *vm, enum la_fate fate, const char *why);

/* la_vm_status - what the VM is doing now, from any thread: its fate so
 * far (LA_FATE_RUNNING until decided; why: what decided it), its vCPUs
 * and how many of their threads la_vm_run started. */
struct la_vm_status {
	enum la_fate fate;
	const char *why;          /* static text; NULL while running */
	unsigned cpus;
	unsigned started;
};
void la_vm_status(struct la_vm *vm, struct la_vm_status *out);

/* Why the VM ended, for the crash report. */
struct la_vm_end {
	enum la_fate fate;
	const char *why;          /* static text */
	enum la_fate after;       /* LA_FATE_PANIC: how the guest ended after
				   * its pvpanic event (why says more) */
	int vcpu;                 /* the vCPU that ended it, -1: a device/outside */
	uint32_t exit_reason;     /* KVM exit reason */
	uint64_t detail;          /* suberror / hardware entry failure reason */
	int sys_errno;            /* for LA_FATE_VMM */
	bool has_regs;
	struct la_regs_dump regs;
};

void la_vm_end_info(const struct la_vm *vm, struct la_vm_end *out);

/* ---- PCI hot-plug (la-vmrun --pci-hotplug-slots; la-vmctl add/remove) ----
 * The reserved slots are the platform's hotplug-slot instances; a device
 * added takes the first empty one's grants. Adding and removing run on the
 * control thread, whose allowlist holds what a device's setup and, since
 * filters stack, its thread need (lib/sandbox_tables.c). */
struct la_vm_hp_info {
	unsigned index;           /* the slot's index, 0..la_vm_hotplug_slots-1 */
	unsigned bus, dev, func;
	char name[LA_DEV_NAME_MAX + 1];  /* "virtio-blk-hp0" */
	const char *type;         /* the descriptor's name: "virtio-blk" */
	struct la_range bar0;     /* the slot's BAR 0 grant */
	unsigned irq;             /* its INTx */
};

/* la_vm_hotplug_add - make a device of type t (create's options opts: a
 * struct la_vblk_opts, ...) in the first empty slot, start it, tell the
 * guest (the arch's register_pci_device); out says where it went.
 * returns: 0, -LA_ERR_NOHOTPLUG, -LA_ERR_SLOTSFULL, -LA_ERR_UNSUPPORTED
 * (t cannot be hot-plugged), the errors of t->create, -LA_ERR_THREAD */
int la_vm_hotplug_add(struct la_vm *vm, const struct la_dev_desc *t, const void *opts,
		      struct la_vm_hp_info *out);

/* la_vm_hotplug_remove - ask the guest to release the hot-plugged device
 * at bus:dev.func (the arch's unregister_pci_device), wait at most
 * timeout_ms for its _EJ0, then stop and destroy it; out says what it was
 * (also on a timeout, when the device stays).
 * returns: 0, -LA_ERR_NOHOTPLUG, -LA_ERR_NOTPLUGGED, -LA_ERR_EJECTTIMEOUT */
int la_vm_hotplug_remove(struct la_vm *vm, unsigned bus, unsigned dev, unsigned func,
			 unsigned timeout_ms, struct la_vm_hp_info *out);

/* la_vm_hotplug_get - what slot index holds. returns: false when empty */
bool la_vm_hotplug_get(struct la_vm *vm, unsigned index, struct la_vm_hp_info *out);
/* la_vm_hotplug_slots - how many slots were reserved */
unsigned la_vm_hotplug_slots(const struct la_vm *vm);

/* For the arch's hot-plug hooks: the state of the running device made
 * from descriptor t (NULL if none), and the IO bus lock around touching
 * it. */
void *la_vm_dev_state(struct la_vm *vm, const struct la_dev_desc *t);
void la_vm_io_lock(struct la_vm *vm, bool lock);

void la_vm_destroy(struct la_vm *vm);

#endif
