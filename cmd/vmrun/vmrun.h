/* SPDX-License-Identifier: MIT */
/* la-vmrun's parts: options and files (main.c), --explain (explain.c),
 * the console and the run (run.c). */
#ifndef LA_VMRUN_H
#define LA_VMRUN_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "vm/guestmem.h"
#include "fdt/fdtopts.h"
#include "fdt/overlay_opt.h"
#include "sandbox.h"
#include "vm/vm.h"
#include "dev/resources.h"
#include "virtio/devices.h"
#include "vmopts.h"

#define LA_VMRUN_MAX_DISKS 8
#define LA_VMRUN_MAX_NETS 4

enum la_serial_kind { LA_SERIAL_SINK, LA_SERIAL_STDOUT, LA_SERIAL_FILE };

struct la_vmrun {
	struct la_vmopts vm;
	struct la_fdtopts fdt;           /* the tree's own options (la-mkfdt's) */
	const char *kernel_path;
	const char *initrd_path;
	char *cmdline;                   /* --cmdline values joined; malloc'd */
	const char *fdt_path;            /* "-" = standard input */
	const char *dump_fdt_path;
	struct la_overlay_list overlays; /* --overlay, in order */
	const char *debugcon_path;
	const char *kvm_path;
	struct {
		enum la_serial_kind kind;
		const char *path;
		const char *arg;
	} serial[4];
	struct {
		const char *arg;             /* as given, for messages */
		char *copy;                  /* arg cut at its commas (o.path); malloc'd */
		struct la_vblk_opts o;
		char name[LA_DEV_NAME_MAX + 1]; /* its instance: virtio-blk0.. */
	} disk[LA_VMRUN_MAX_DISKS];      /* --disk, in order */
	unsigned ndisks;
	struct {
		const char *arg;             /* as given, for messages */
		struct la_vnet_opts o;
		char name[LA_DEV_NAME_MAX + 1]; /* its instance: virtio-net0.. */
	} net[LA_VMRUN_MAX_NETS];        /* --net, in order */
	unsigned nnets;
	bool rng;                        /* virtio-rng: --rng (default), --no-rng */
	bool console_virtio;             /* --console virtio: hvc0 */
	char rng_name[LA_DEV_NAME_MAX + 1], cons_name[LA_DEV_NAME_MAX + 1];
	struct la_vcons_opts cons;
	bool no_acpi;
	bool explain;
	bool json;                       /* --json: --explain as one JSON document */
	enum la_seccomp_mode seccomp;    /* --seccomp, default trap */
	int jail;                        /* --jail 1, --no-jail 0, default -1: where it works */
	bool print_seccomp;
	const char *print_seccomp_kind;  /* NULL: every kind */
	bool boot_timing;
	struct timespec t0;              /* when la-vmrun started */

	/* built */
	uint8_t *image;
	size_t image_len;
	uint8_t *dtb;
	size_t dtb_len;
	int initrd_fd;
	struct la_vm_image img;
	struct la_vm_res res;
	struct la_gmem g;
	struct la_vm_boot *boot;      /* the arch's, vm_boot_size bytes */
	/* device-tree arches (aarch64, riscv64) */
	bool dt;                      /* the arch's platform is its tree */
	struct la_boot_plan plan;     /* payload, initrd and tree, as la-mkfdt places them */
	struct la_vm_facts facts;     /* what the tree says of KVM */
};

/* main.c: one line "la-vmrun: WHAT: 'PATH': REASON" (no PATH: NULL),
 * exit 1; la_vmrun_build_fail names the option or file err is about. */
void la_vmrun_die(const char *what, const char *path, const char *reason)
	__attribute__((noreturn));
void la_vmrun_build_fail(const struct la_vmrun *a, int err) __attribute__((noreturn));

/* fdt.c: --overlay (parsing, option checks) and the tree it builds into
 * a->dtb: on x86_64 only with overlays; on aarch64 and riscv64 always
 * (unless --fdt), as la-mkfdt builds it from the same options, after
 * la_vmrun_facts on a real run. */
struct argp_state;
void la_vmrun_overlay_opt(struct argp_state *state, struct la_vmrun *a, const char *arg);
void la_vmrun_fdt_check(struct argp_state *state, const struct la_vmrun *a);
void la_vmrun_fdt_build(struct la_vmrun *a);
/* la_vmrun_facts - a->facts from the options, corrected by this host's
 * KVM on a real run (exits 1 where KVM cannot be asked, 2 where an option
 * asks for what it does not offer). */
void la_vmrun_facts(struct la_vmrun *a);
/* la_vmrun_console - the COM port index (0-3) that is the console */
int la_vmrun_console(const struct la_vmrun *a);
/* la_vmrun_fdt_agree - a --fdt blob for another arch is refused (exit 1);
 * one whose /memory is not this VM's RAM gets a one-line note */
void la_vmrun_fdt_agree(const struct la_vmrun *a);

/* main.c: la_vmrun_disk_opt - parse one --disk (exit 2 on bad syntax) */
void la_vmrun_disk_opt(struct argp_state *state, struct la_vmrun *a, char *arg);

/* net.c: --net (parsing: exit 2 on bad syntax), the taps opened for a
 * run (exit 1 naming the tap and why not), and the words --explain says
 * of one */
void la_vmrun_net_opt(struct argp_state *state, struct la_vmrun *a, const char *arg);
void la_vmrun_open_nets(struct la_vmrun *a);
void la_vmrun_close_nets(struct la_vmrun *a);
/* la_vmrun_net_backend - "userspace" or "vhost-net": what a run picks */
const char *la_vmrun_net_backend(const struct la_vnet_opts *o);

/* explain.c: --explain as text, or with --json as one document */
void la_vmrun_explain(const struct la_vmrun *a);
void la_vmrun_explain_json(const struct la_vmrun *a);

/* run.c: run the VM on KVM; returns the exit status */
int la_vmrun_run(struct la_vmrun *a);
/* la_vmrun_stamp - with --boot-timing, one line on stderr: the time since
 * la-vmrun started and what has just been done. */
void la_vmrun_stamp(const struct la_vmrun *a, const char *what);
/* la_vmrun_kvm_fail - say why KVM failed (k: what la_kvm left). returns: 1 */
struct la_kvm;
int la_vmrun_kvm_fail(const struct la_vmrun *a, const struct la_kvm *k, int err);

#endif
