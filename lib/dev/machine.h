/* SPDX-License-Identifier: MIT */
/*
 * What a running device may ask of the machine, and what it is given when
 * it is made. A device (lib/dev/dev.h's create) is a state struct (its
 * ctx) and a const struct la_bus_ops (lib/vm/bus.h) that sees offsets in
 * its range: none knows whether it sits on the IO or the MMIO bus, nor
 * where. It talks back to the machine only through struct la_machine:
 * interrupts, guest-requested exits and boot-timing notes. Devices never
 * print; the UARTs and debugcon write guest bytes to the fds given.
 */
#ifndef LA_DEV_MACHINE_H
#define LA_DEV_MACHINE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "sandbox.h"
#include "vm/bus.h"
#include "vm/guestmem.h"

/* What a guest asked the machine for. Values are la-vmrun exit statuses. */
enum la_fate {
	LA_FATE_RUNNING = -1,
	LA_FATE_POWEROFF = 0,
	LA_FATE_VMM = 1,
	LA_FATE_RESET = 32,
	LA_FATE_CRASH = 33,
	LA_FATE_PANIC = 34,   /* the guest said it panicked (pvpanic), then ended */
	LA_FATE_WATCHDOG = 36, /* a vCPU stopped petting the stall detector (vmwdt) */
};

/* pvpanic event bits (a byte the guest writes to the device's register):
 * the kernel panicked; it panicked and a crash kernel is loaded. */
#define LA_PVPANIC_PANICKED 0x01
#define LA_PVPANIC_CRASH_LOADED 0x02

enum la_note {
	LA_NOTE_POST,         /* value: the POST code written to port 0x80 */
	LA_NOTE_FIRST_OUTPUT, /* first byte on the console */
	LA_NOTE_OUTPUT,       /* value: a byte on the console (every byte, the
			       * first too, after LA_NOTE_FIRST_OUTPUT) */
	LA_NOTE_POWEROFF,
	LA_NOTE_STEP,         /* value: the start-up step just done (enum la_vm_step) */
	LA_NOTE_FILTER,       /* value: the thread kind (enum la_thread_kind) of a
			       * device thread that just loaded its seccomp filter */
};

/* Start-up and teardown steps of la_vm_create, la_vm_run and
 * la_vm_destroy, for --boot-timing. */
enum la_vm_step {
	LA_STEP_KVM_OPEN,       /* /dev/kvm opened, capabilities checked */
	LA_STEP_VM,             /* KVM_CREATE_VM */
	LA_STEP_IRQCHIP,        /* the in-kernel interrupt controller */
	LA_STEP_MEMORY,         /* guest RAM registered */
	LA_STEP_DEVICES,        /* devices made and on their buses */
	LA_STEP_VCPUS,          /* vCPUs created and configured */
	LA_STEP_THREADS,        /* vCPU threads started */
	LA_STEP_MAIN_FILTER,    /* the main thread's seccomp filter loaded */
	LA_STEP_VCPU0_FILTER,   /* vCPU 0's filter loaded */
	LA_STEP_FIRST_RUN,      /* vCPU 0 enters KVM_RUN */
	LA_STEP_THREADS_JOINED, /* the guest's fate decided, threads joined */
	LA_STEP_TEARDOWN,       /* vCPUs, VM and KVM closed */
	LA_STEP_COUNT
};

/* la_vm_step_name - "KVM VM created", ... for a step. */
const char *la_vm_step_name(unsigned step);

struct la_machine {
	void *vm;
	/* drive an interrupt line; source is a bit so shared lines OR */
	void (*irq)(void *vm, unsigned gsi, unsigned source, int level);
	/* the guest asked to end (first request wins); why: static text */
	void (*request_exit)(void *vm, enum la_fate fate, const char *why);
	void (*note)(void *vm, enum la_note what, unsigned value);
	/* ioeventfd - KVM signals eventfd fd on a guest write of len bytes at
	 * gpa instead of exiting (on), or no longer (off); NULL, or an error:
	 * the write comes through the MMIO bus as before.
	 * returns: 0, -LA_ERR_KVMIOCTL */
	int (*ioeventfd)(void *vm, uint64_t gpa, unsigned len, int fd, bool on);
	/* broken - device dev (its instance name) found the guest broke it
	 * (why: static text); the device is told to reset, the VM runs on */
	void (*broken)(void *vm, const char *dev, const char *why);
	/* MSI through KVM (NULL where the arch has no MSI routes yet): a new
	 * GSI for one vector (returns: the GSI, -LA_ERR_TOOMANY), its route to
	 * message (addr, data) from PCI requester ID devid (bus << 8 | devfn,
	 * which an ITS needs) (on) or none, and an eventfd that raises it
	 * (irqfd). returns: 0, -LA_ERR_KVMIOCTL */
	int (*msi_gsi)(void *vm);
	int (*msi_route)(void *vm, unsigned gsi, uint64_t addr, uint32_t data, uint32_t devid,
			 bool on);
	int (*irqfd)(void *vm, int fd, unsigned gsi, bool on);
	/* msi_free - GSI gsi (from msi_gsi) is no longer used: its route goes
	 * and the GSI may be handed out again (hot-unplug). NULL: kept. */
	void (*msi_free)(void *vm, unsigned gsi);
	/* gpe - raise ACPI general-purpose event gpe (the PM block's status
	 * bit and the SCI); NULL where there is no ACPI */
	void (*gpe)(void *vm, unsigned gpe);
	/* gpe_clear - clear GPE gpe's status bit, as the guest's write of 1
	 * to it does (a wake GPE the guest has no method for: the virtual
	 * PMC's); NULL where there is no ACPI */
	void (*gpe_clear)(void *vm, unsigned gpe);
	/* panic - the guest reported a panic (pvpanic): code is the byte
	 * it wrote. As crosvm does, the last code is kept and the VM runs on;
	 * when the guest then ends (resets: panic=-1, powers off, crashes)
	 * after LA_PVPANIC_PANICKED, its fate is LA_FATE_PANIC. NULL: not
	 * heard. */
	void (*panic)(void *vm, uint8_t code);
	/* pci_ejected - the guest released the device in bus-0 slot dev (its
	 * _EJ0 ran: lib/pci/hotplug.h); NULL: not heard */
	void (*pci_ejected)(void *vm, unsigned dev);
};

/* What a device is given when la-vmrun makes it. */
struct la_dev_env {
	const struct la_machine *m;
	unsigned ncpus;          /* the VM's vCPUs (the stall detector's) */
	unsigned source;         /* this device's bit on a shared interrupt line */
	const int *serial_fd;    /* COM1..COM4 output, -1: discarded */
	int console_com;         /* the COM port (0-3) that is the console, -1: none */
	int debugcon_fd;         /* -1: discarded */
	uint16_t cmos_below;     /* CMOS memory-size values, 64 KiB units */
	uint32_t cmos_above;
	/* PCI devices (virtio): guest RAM they read and write, the MMIO bus
	 * their BARs go on, the user's options for this instance (the
	 * device's own struct, NULL: defaults), and how their threads filter
	 * system calls */
	const struct la_gmem *g;
	struct la_bus *mmio;
	const void *backend;
	const char *prog;
	enum la_seccomp_mode seccomp;
	/* the PCI hot-plug controller: the reserved slots (bus-0 devices) */
	uint32_t hotplug_slots;
};

#endif
