/* SPDX-License-Identifier: MIT */
/*
 * ACPI PCI hot-plug (x86_64; la-vmrun --pci-hotplug-slots N): N bus-0
 * slots reserved at boot with the grants a virtio device needs (slot, a
 * 32 KiB BAR 0 window, an INTx IRQ in the _PRT), a controller with a
 * small IO register block and a GPE, and the DSDT part Linux's acpiphp
 * driver (CONFIG_HOTPLUG_PCI_ACPI) binds to: under \_SB_.PC00 one
 * Device(HPdd) per reserved slot with _ADR, _SUN and _EJ0, and the GPE's
 * method, which reads the controller's registers and sends each slot's
 * Notify: 1 (bus check: a device arrived) or 3 (eject request).
 *
 * The register block (LA_PCIHP_IO_LEN ports, 32-bit accesses; bit d is
 * bus-0 device d):
 *   +0 INS  read: slots whose device arrived since the last read (the
 *           read clears them)
 *   +4 REM  read: slots whose device the VMM asks the guest to release
 *           (the read clears them)
 *   +8 EJ   write: slots the guest released (_EJ0 writes 1 << d once its
 *           driver let go); reads 0
 *   +12 SLT read: the reserved slots
 * Setting INS or REM raises the GPE; the guest's method reads both once.
 */
#ifndef LA_PCI_HOTPLUG_H
#define LA_PCI_HOTPLUG_H

#include <stdint.h>

#include "dev/dev.h"
#include "dev/machine.h"

#define LA_PCIHP_IO_LEN 16
#define LA_PCIHP_INS 0
#define LA_PCIHP_REM 4
#define LA_PCIHP_EJ 8
#define LA_PCIHP_SLT 12
/* the Notify values (ACPI 6, §5.6.6) */
#define LA_PCIHP_NOTIFY_BUS_CHECK 1
#define LA_PCIHP_NOTIFY_EJECT 3

/* The controller's state; its registers are on the IO bus (lock held). */
struct la_pcihp {
	const struct la_machine *m;
	uint32_t gpe;       /* the GPE it raises */
	uint32_t slots;     /* the reserved slots */
	uint32_t ins, rem;  /* what the guest has not read yet */
};

/* la_pcihp_init - a controller raising gpe through m (NULL: none, for
 * tests), for the reserved slots (a bitmap of bus-0 devices). */
void la_pcihp_init(struct la_pcihp *h, const struct la_machine *m, uint32_t gpe,
		   uint32_t slots);
/* la_pcihp_plug - tell the guest a device is in slot dev (a bus check);
 * la_pcihp_unplug - ask it to release the device in slot dev (an eject
 * request). The guest's _EJ0 answers through la_machine.pci_ejected. */
void la_pcihp_plug(struct la_pcihp *h, unsigned dev);
void la_pcihp_unplug(struct la_pcihp *h, unsigned dev);
/* The registers above (ctx: struct la_pcihp). */
extern const struct la_bus_ops la_pcihp_ops;

/* la_pcihp_slots - the bus-0 devices of p's hot-plug slots (a bitmap).
 * la_pcihp_find - p's controller instance, NULL if none. */
struct la_platform;
uint32_t la_pcihp_slots(const struct la_platform *p);
const struct la_dev_inst *la_pcihp_find(const struct la_platform *p);

/* la_pcihp_aml_slots - inside the PCI root's Device (\_SB_.PC00): the
 * register block, a Device per slot and the PCNT method;
 * la_pcihp_aml_gpe - at the top level: Scope(\_GPE) { Method(_Exx) {
 * \_SB_.PC00.PCNT() } }. Nothing without a controller. Errors stay in a. */
struct la_aml;
void la_pcihp_aml_slots(struct la_aml *a, const struct la_platform *p);
void la_pcihp_aml_gpe(struct la_aml *a, const struct la_platform *p);

#endif
