/* SPDX-License-Identifier: MIT */
/*
 * The virtual PMC (x86_64; la-vmrun --control): how la-vmrun sees the
 * guest enter and leave suspend-to-idle (s2idle), asks it to suspend and
 * wakes it. crosvm's VirtualPmc (§3.6 step 14) is an ACPI device,
 * HYPE0001 with _CID PNP0D80, whose _DSM function 1 of UUID
 * 9ea49ba3-434a-49a6-be30-37cc55c4d397 writes its register when the guest
 * enters s2idle (the virt_pmc guest driver calls it). Mainline Linux has
 * no such driver, but its s2idle code (drivers/acpi/x86/s2idle.c) binds to
 * any PNP0D80 device and calls the Microsoft LPS0 _DSM (UUID
 * 11e00d56-ce64-47ce-837b-1f898f9aa461, revision 0) on every s2idle entry
 * (function 5) and exit (function 6), on Intel and AMD alike, once
 * function 0's mask lists them. So \_SB_.VPMC answers both UUIDs, and
 * each entry or exit writes a register here:
 *
 *   +0 ENTR  write (32-bit): the guest enters s2idle (crosvm's register)
 *   +4 EXIT  write (32-bit): the guest left it (la's own)
 *   +8, +12  reserved; every read gives 0, other writes are ignored
 *
 * The registers are 16 ports from the IO pool (crosvm: 16 bytes of low
 * MMIO): the wake GPE is cleared from the EXIT write, on the IO bus as the
 * PM block is.
 *
 * Asking and waking, with two GPEs from the allocator and a sleep button,
 * \_SB_.SLPB (PNP0C0E): the request GPE's method sends Notify(SLPB, 0x80),
 * the standard "sleep button pressed" (Linux's button driver turns it
 * into KEY_SLEEP, which a desktop's logind or an init script acts on with
 * `echo freeze > /sys/power/state`; /sys/firmware/acpi/interrupts/gpeNN
 * counts it without any driver). The wake GPE is the button's _PRW
 * (S3): Linux makes a sleep button wakeup-capable and, once its wakeup is
 * enabled (power/wakeup of the PNP0C0E device, or /proc/acpi/wakeup),
 * leaves that GPE enabled in s2idle, so raising it wakes the guest. The
 * GPE has no method: the guest never clears its status at run time, so
 * the EXIT write does.
 */
#ifndef LA_DEV_PMC_H
#define LA_DEV_PMC_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "dev/dev.h"
#include "dev/machine.h"

#define LA_PMC_IO_LEN 16
#define LA_PMC_ENTR 0
#define LA_PMC_EXIT 4

/* the _DSM UUIDs (ToUUID text) */
#define LA_PMC_UUID_LPS0_MS "11e00d56-ce64-47ce-837b-1f898f9aa461"
#define LA_PMC_UUID_VIRT_PMC "9ea49ba3-434a-49a6-be30-37cc55c4d397"
/* Microsoft LPS0 _DSM functions: entry, exit */
#define LA_PMC_LPS0_ENTRY 5
#define LA_PMC_LPS0_EXIT 6
/* the sleep button's Notify value: pressed (ACPI 6, §4.8.3.1.2) */
#define LA_PMC_NOTIFY_SLEEP 0x80

/* The device's state. Its registers run on the IO bus (lock held); the
 * control thread waits on cond under mu. */
struct la_pmc {
	const struct la_machine *m;
	uint32_t gpe, wake_gpe;      /* request, wake */
	pthread_mutex_t mu;
	pthread_cond_t cond;
	bool suspended;              /* between an entry and an exit */
	bool waking;                 /* the wake GPE is raised */
	uint64_t entries, exits;     /* how many of each the guest made */
};

/* la_pmc_init - a PMC raising gpe (a suspend request) and wake_gpe (a
 * wake) through m (NULL: none, for tests). la_pmc_fini undoes it. */
void la_pmc_init(struct la_pmc *p, const struct la_machine *m, uint32_t gpe,
		 uint32_t wake_gpe);
void la_pmc_fini(struct la_pmc *p);
/* The registers above (ctx: struct la_pmc). */
extern const struct la_bus_ops la_pmc_ops;

/* What la_pmc_suspend and la_pmc_resume found. */
enum la_pmc_result {
	LA_PMC_DONE,            /* the guest entered (left) s2idle */
	LA_PMC_TIMEOUT,         /* it did not within the time given */
	LA_PMC_ALREADY,         /* suspend: it is suspended; resume: it is not */
};

/* la_pmc_suspend - raise the request GPE and wait at most timeout_ms for
 * the guest's s2idle entry (a wake left raised by a resume that timed out
 * is cleared first). Not while suspended. */
enum la_pmc_result la_pmc_suspend(struct la_pmc *p, unsigned timeout_ms);
/* la_pmc_resume - raise the wake GPE and wait at most timeout_ms for the
 * guest's s2idle exit. Only while suspended. */
enum la_pmc_result la_pmc_resume(struct la_pmc *p, unsigned timeout_ms);
/* la_pmc_suspended - whether the guest is in s2idle (entered, not left). */
bool la_pmc_suspended(struct la_pmc *p);

/* la_pmc_uuid - a UUID's text (8-4-4-4-12 hex digits) as the 16 bytes of
 * ACPI's ToUUID (the first three fields little-endian).
 * returns: 0, -LA_ERR_BADVALUE */
int la_pmc_uuid(const char *text, uint8_t out[16]);

#endif
