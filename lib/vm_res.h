/* SPDX-License-Identifier: MIT */
/*
 * The resources of the VM la-vmrun builds, from the system allocator and
 * the device table (lib/devices.h): the legacy devices' fixed ports and
 * IRQs in build_vm's order (§3.6 steps 9-12) and the ACPI PM block's IO
 * range from the allocator's IO pool (step 14). la-vmrun --explain prints
 * these grants; the running VM's IO bus is built from them.
 */
#ifndef LA_VM_RES_H
#define LA_VM_RES_H

#include <stdbool.h>

#include "devices.h"
#include "sys_alloc.h"

#define LA_VM_RES_MAX 24

struct la_vm_res {
	unsigned phys_bits;
	const char *phys_bits_source;
	struct la_sys_alloc_config config;
	unsigned n;
	struct la_grant g[LA_VM_RES_MAX];
	uint16_t pm_iobase;  /* 0: no ACPI */
};

/* la_vm_resources - grant the VM's devices their resources. acpi adds the
 * PM block (72 ports, 4-aligned, from the IO pool: 0xc000 for la-vmrun).
 * returns: 0, -LA_ERR_PHYSBITS, the errors of la_sys_alloc_init,
 * la_devset_add and la_sys_alloc_io */
int la_vm_resources(const struct la_vm_config *cfg, const struct la_arch_layout *l,
		    const struct la_mem_layout *m, bool acpi, struct la_vm_res *out);

/* la_vm_res_io - the IO base granted to device name ("com1"), -1 if none. */
int la_vm_res_io(const struct la_vm_res *r, const char *name);
/* la_vm_res_irq - the IRQ granted to device name, -1 if none. */
int la_vm_res_irq(const struct la_vm_res *r, const char *name);

#endif
