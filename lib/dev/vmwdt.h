/* SPDX-License-Identifier: MIT */
/* The vCPU stall detector (lib/dev/vmwdt.c): its registers, for la-vmrun
 * and the unit tests. */
#ifndef LA_DEV_VMWDT_H
#define LA_DEV_VMWDT_H

#include <stdbool.h>
#include <stdint.h>

/* One vCPU's registers, at vCPU * LA_VMWDT_REG_LEN. */
#define LA_VMWDT_REG_LEN 0x10
#define LA_VMWDT_STATUS 0x0
#define LA_VMWDT_LOAD_CNT 0x4
#define LA_VMWDT_CURRENT_CNT 0x8
#define LA_VMWDT_CLOCK_FREQ_HZ 0xc
#define LA_VMWDT_MAX_CPUS (0x1000 / LA_VMWDT_REG_LEN)

struct la_vmwdt;
struct la_machine;

/* la_vmwdt_new - the registers of ncpus vCPUs (1 to LA_VMWDT_MAX_CPUS),
 * all disabled; an expiry is m's request_exit (m NULL: none). No thread
 * until la-vmrun starts the device. returns: the device, NULL (ncpus out
 * of range, out of memory or descriptors) */
struct la_vmwdt *la_vmwdt_new(unsigned ncpus, const struct la_machine *m);
/* la_vmwdt_free - stop its thread, if any, and free it. */
void la_vmwdt_free(struct la_vmwdt *w);

/* la_vmwdt_read, la_vmwdt_write - an access at offset off of the 4 KiB
 * window (ctx: the struct la_vmwdt); see lib/dev/vmwdt.c. */
void la_vmwdt_read(void *ctx, uint64_t off, uint8_t *data, unsigned size);
void la_vmwdt_write(void *ctx, uint64_t off, const uint8_t *data, unsigned size);

/* la_vmwdt_check - look at every vCPU's count (the device thread's step):
 * the first that has run out ends the VM (once); *wait_ns gets the CPU
 * time the nearest other count has left, UINT64_MAX if none can run out.
 * returns: whether one ran out now */
bool la_vmwdt_check(struct la_vmwdt *w, uint64_t *wait_ns);

#endif
