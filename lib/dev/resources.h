/* SPDX-License-Identifier: MIT */
/*
 * The devices of the VM la-vmrun builds and la-mkfdt describes, and their
 * grants: the system allocator for the VM's physical address bits and the
 * platform (lib/dev/platform.h) with the devices the arch's build_vm
 * creates, in its order. la-vmrun --explain prints these grants; the
 * running VM's buses are built from them; la-mkfdt writes their nodes.
 */
#ifndef LA_VM_RES_H
#define LA_VM_RES_H

#include <stdbool.h>

#include "dev/platform.h"
#include "sys_alloc.h"

#define LA_VM_RES_MAX 128

struct la_vm_res {
	unsigned phys_bits;
	const char *phys_bits_source;
	struct la_sys_alloc_config config;
	struct la_sys_alloc sa;
	struct la_platform plat;
	bool ready;          /* sa and plat need la_vm_res_destroy */
	unsigned n;          /* the grants of the arch's devices, in order */
	struct la_grant g[LA_VM_RES_MAX];
	uint16_t pm_iobase;  /* 0: no ACPI */
	const char *failed;  /* the device that could not be added, if any */
	const char *conflict;
};

/* la_vm_resources - the allocator and the arch's devices (o: how many COM
 * ports, ACPI or not) with their grants; with o->pstore, the allocator's
 * reserved region of that size and, after the arch's devices, the pstore
 * instance ("pstore") that holds it. Release with la_vm_res_destroy,
 * also after a failure.
 * returns: 0, -LA_ERR_PHYSBITS, the errors of la_sys_alloc_init and
 * la_platform_add_arch (out->failed names the device), -LA_ERR_TOOMANY */
int la_vm_resources(const struct la_vm_config *cfg, const struct la_arch_layout *l,
		    const struct la_mem_layout *m, const struct la_platform_opts *o,
		    struct la_vm_res *out);
void la_vm_res_destroy(struct la_vm_res *r);

/* la_vm_res_add - one more device of type t after the arch's (a --disk's
 * virtio-blk), named as la-alloc --device names it: the type and the
 * number of its instances so far ("virtio-blk0", "virtio-blk1"); name
 * (LA_DEV_NAME_MAX + 1 bytes) gets it. Its grants join r->g.
 * returns: 0, -LA_ERR_TOOMANY, the errors of la_platform_add */
int la_vm_res_add(struct la_vm_res *r, const struct la_dev_desc *t, char *name);

/* la_vm_res_add_named - the same, called name (a device a VM has once:
 * "pvpanic", as la-alloc --device pvpanic names it).
 * returns: 0, -LA_ERR_TOOMANY, the errors of la_platform_add */
int la_vm_res_add_named(struct la_vm_res *r, const struct la_dev_desc *t, const char *name);

/* la_vm_res_io - the IO base granted to device name ("com1"), -1 if none. */
int la_vm_res_io(const struct la_vm_res *r, const char *name);
/* la_vm_res_irq - the IRQ granted to device name, -1 if none. */
int la_vm_res_irq(const struct la_vm_res *r, const char *name);

#endif
