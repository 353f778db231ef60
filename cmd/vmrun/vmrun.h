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
#include "dev/fw_cfg.h"
#include "dev/pflash.h"
#include "dev/resources.h"
#include "virtio/devices.h"
#include "vmopts.h"

#define LA_VMRUN_MAX_DISKS 8
#define LA_VMRUN_MAX_NETS 4

/* --serial type= */
enum la_serial_kind { LA_SERIAL_SINK, LA_SERIAL_STDOUT, LA_SERIAL_FILE, LA_SERIAL_SYSLOG,
		      LA_SERIAL_UNIX };
/* The outputs --serial configures (hardware= and num=): COM1-4, the
 * virtio console (--console virtio), the debug port (--debugcon). */
enum { LA_SER_COM1, LA_SER_HVC = 4, LA_SER_DEBUGCON, LA_SER_COUNT };

struct la_serial_param {
	const char *arg;          /* --serial (or --debugcon, --console) as given; NULL: not */
	enum la_serial_kind kind;
	char *path;               /* type=file, unix: malloc'd */
	bool console, earlycon, stdin;
	bool earlycon_set;        /* earlycon or earlycon=false said */
	bool legacy;              /* the short form N=KIND, --debugcon, --console virtio */
	/* a run */
	int fd;                   /* where the device writes, -1: nowhere */
	int listen_fd;            /* type=unix: the socket, -1: none */
	int pipe_rd;              /* type=unix, syslog: what the device wrote, -1: none */
};

struct la_vmrun {
	struct la_vmopts vm;
	struct la_fdtopts fdt;           /* the tree's own options (la-mkfdt's) */
	const char *kernel_path;
	const char *initrd_path;
	char *cmdline;                   /* --cmdline values joined; malloc'd */
	const char *fdt_path;            /* "-" = standard input */
	const char *dump_fdt_path;
	struct la_overlay_list overlays; /* --overlay, in order */
	const char *kvm_path;
	const char *control_path;        /* --control */
	int control_fd;                  /* its listening socket, -1: none */
	struct la_serial_param serial[LA_SER_COUNT];
	int ser_console, ser_earlycon;   /* the COM port (0-3) with console=, earlycon=; -1: none */
	int ser_stdin;                   /* the output standard input feeds, -1: none */
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
	struct {
		const char *arg;             /* --vsock as given, NULL: none */
		const char *device;          /* device=PATH, else /dev/vhost-vsock */
		char *copy;                  /* arg cut at its commas; malloc'd */
		struct la_vsock_opts o;
		char name[LA_DEV_NAME_MAX + 1];
	} vsock;
	struct la_vcons_opts cons;
	bool pvpanic;                    /* --pvpanic (default), --no-pvpanic */
	bool battery;                    /* --battery [type=goldfish] */
	bool battery_typed;              /* its type= given */
	bool hugepages;                  /* --hugepages: hugetlbfs guest RAM */
	struct {
		const char *arg;             /* --pstore as given, NULL: none */
		char *path;                  /* path=; malloc'd */
		uint64_t size;               /* size=, bytes */
		int fd;                      /* the file, open on a run; -1: not */
	} pstore;
	struct {
		struct la_fwcfg_opts o;      /* the items; data: buf[i] */
		const char *arg[LA_FWCFG_FILES_MAX];  /* --fw-cfg as given */
		char *path[LA_FWCFG_FILES_MAX];       /* path=, NULL: string=; malloc'd */
		uint8_t *buf[LA_FWCFG_FILES_MAX];     /* the item's bytes; malloc'd */
	} fwcfg;                         /* --fw-cfg, in order */
	struct {
		const char *arg;             /* --pflash as given, NULL: none */
		char *path;                  /* path=; malloc'd */
		struct la_pflash_opts o;     /* block_size=, the file mapped on a run */
		int fd;                      /* -1: not open */
	} pflash;
	bool no_acpi;
	bool split_flag;                 /* --split-irqchip */
	bool split_irqchip;              /* x86_64: --irqchip split or --split-irqchip */
	unsigned hotplug_slots;          /* --pci-hotplug-slots */
	bool explain;
	bool json;                       /* --json: --explain as one JSON document */
	enum la_seccomp_mode seccomp;    /* --seccomp, default trap */
	int jail;                        /* --jail 1, --no-jail 0, default -1: where it works */
	bool print_seccomp;
	const char *print_seccomp_kind;  /* NULL: every kind */
	bool boot_timing;
	const char *boot_mark;           /* --boot-timing-mark; NULL: none */
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
 * la_vmrun_facts on a real run. la_vmrun_fdt_build parses every untrusted
 * input (--fdt, the kernel's header, overlays, --hostcpu JSON) in a child
 * process under the parser seccomp filter, as la-mkfdt does; a --fdt blob
 * for another arch is refused there (exit 1), one whose /memory is not
 * this VM's RAM gets a one-line note. */
struct argp_state;
void la_vmrun_overlay_opt(struct argp_state *state, struct la_vmrun *a, const char *arg);
void la_vmrun_fdt_check(struct argp_state *state, const struct la_vmrun *a);
void la_vmrun_fdt_build(struct la_vmrun *a);
/* la_vmrun_facts - a->facts from the options, corrected by this host's
 * KVM on a real run (exits 1 where KVM cannot be asked, 2 where an option
 * asks for what it does not offer). */
void la_vmrun_facts(struct la_vmrun *a);

/* serial.c: --serial (both spellings), --debugcon and --console as
 * crosvm's serial parameters (crosvm-arch.md §1.4): parsing (exit 2 on
 * bad syntax), the defaults and checks once all options are in (exit 2
 * on a bad combination), what --explain says of them, and on a run the
 * descriptors each device writes to, the Unix sockets and syslog served
 * by the serial thread (la-serial, under the serial allowlist). */
void la_vmrun_serial_opt(struct argp_state *state, struct la_vmrun *a, const char *arg);
void la_vmrun_debugcon_opt(struct argp_state *state, struct la_vmrun *a, const char *arg);
void la_vmrun_console_opt(struct argp_state *state, struct la_vmrun *a, const char *arg);
void la_vmrun_serial_check(struct argp_state *state, struct la_vmrun *a);
void la_vmrun_serial_explain(const struct la_vmrun *a);
struct la_json;
void la_vmrun_serial_json(struct la_json *j, const struct la_vmrun *a);
/* la_vmrun_serial_open - each output's descriptor (exit 1 naming the
 * option and why not); la_vmrun_serial_close closes them */
void la_vmrun_serial_open(struct la_vmrun *a);
void la_vmrun_serial_close(struct la_vmrun *a);
/* la_vmrun_serial_free - what parsing allocated */
void la_vmrun_serial_free(struct la_vmrun *a);
/* la_vmrun_serial_start - the serial thread, when a type=unix or syslog
 * output needs it, serving until stop_fd is readable.
 * returns: 0, 1 (its filter failed; the thread ended) */
struct la_serial_srv;
int la_vmrun_serial_start(struct la_vmrun *a, struct la_vm *vm, int stop_fd,
			  struct la_serial_srv **out);
void la_vmrun_serial_join(struct la_serial_srv *s);
/* la_vmrun_serial_needs_thread - a type=unix or syslog output exists */
bool la_vmrun_serial_needs_thread(const struct la_vmrun *a);

/* run.c: la_vmrun_feed - bytes typed for output o (LA_SER_*), waiting
 * while the device's receive buffer is full */
void la_vmrun_feed(struct la_vmrun *a, struct la_vm *vm, unsigned o, const uint8_t *buf,
		   unsigned len);

/* main.c: la_vmrun_regular_fd - fd (open's result for path) must be open
 * (else exit 1 with errno's reason) and a regular file (else exit 2);
 * *st gets its fstat. what names the option. */
struct stat;
void la_vmrun_regular_fd(const char *what, const char *path, int fd, struct stat *st);

/* main.c: la_vmrun_ramoops - the pstore region (--pstore), NULL: none */
const struct la_range *la_vmrun_ramoops(const struct la_vmrun *a);

/* main.c: la_vmrun_disk_opt - parse one --disk (exit 2 on bad syntax) */
void la_vmrun_disk_opt(struct argp_state *state, struct la_vmrun *a, char *arg);
/* fwcfg.c: la_vmrun_fwcfg_opt - parse one --fw-cfg (exit 2 on bad syntax,
 * a bad, repeated or long name, too many) */
void la_vmrun_fwcfg_opt(struct argp_state *state, struct la_vmrun *a, const char *arg);
/* fwcfg.c: la_vmrun_fwcfg_check - exit 2 unless the arch has fw_cfg;
 * la_vmrun_fwcfg_load - read each path= item (exit 1 naming the file and
 * why not); la_vmrun_fwcfg_free - what they hold */
void la_vmrun_fwcfg_check(struct argp_state *state, const struct la_vmrun *a);
void la_vmrun_fwcfg_load(struct la_vmrun *a);
void la_vmrun_fwcfg_free(struct la_vmrun *a);
/* pflash.c: --pflash. la_vmrun_pflash_opt parses it (exit 2 on bad
 * syntax), la_vmrun_pflash_check exits 2 unless the arch has pflash,
 * la_vmrun_pflash_open checks the file (exit 2: not a regular file, a
 * size that is not a multiple of block_size= or does not fit below 4 GiB
 * with the BIOS; exit 1: it cannot be opened) and maps it shared on a run,
 * la_vmrun_pflash_add adds the device (returns: the errors of
 * la_vm_res_add_named), la_vmrun_pflash_close unmaps it. */
void la_vmrun_pflash_opt(struct argp_state *state, struct la_vmrun *a, const char *arg);
void la_vmrun_pflash_check(struct argp_state *state, const struct la_vmrun *a);
void la_vmrun_pflash_open(struct la_vmrun *a);
int la_vmrun_pflash_add(struct la_vmrun *a);
void la_vmrun_pflash_close(struct la_vmrun *a);
/* fwcfg.c: the items as --explain shows them (text: a section, nothing
 * without items; JSON: each an element of the current array) */
void la_vmrun_fwcfg_explain(const struct la_vmrun *a);
void la_vmrun_fwcfg_json(struct la_json *j, const struct la_vmrun *a);
/* main.c: la_vmrun_vsock_opt - parse --vsock (exit 2 on bad syntax) */
void la_vmrun_vsock_opt(struct argp_state *state, struct la_vmrun *a, char *arg);

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
/* la_vmrun_virtio_json - each virtio device as an element of the current
 * array: --explain --json's "virtio_devices", la-vmctl list's "devices" */
struct la_json;
void la_vmrun_virtio_json(struct la_json *j, const struct la_vmrun *a);

/* control.c: --control PATH. la_vmrun_control_open makes the socket
 * before anything else is opened (exit 1 when PATH is in use or not a
 * socket) and removes it on every way out; la_vmrun_control_start starts
 * its thread (la-ctl, after the jail, under the control allowlist) that
 * serves until stop_fd is readable; la_vmrun_control_join waits for it.
 * returns (start): 0, 1 (its filter failed; the thread ended) */
struct la_control;
void la_vmrun_control_open(struct la_vmrun *a);
int la_vmrun_control_start(struct la_vmrun *a, struct la_vm *vm, int stop_fd,
			   struct la_control **out);
void la_vmrun_control_join(struct la_control *c);
/* run.c: la_vmrun_fatal_signals - the handlers that restore the terminal
 * and remove the control socket before a fatal signal ends la-vmrun
 * (once; idempotent) */
void la_vmrun_fatal_signals(void);

/* run.c: run the VM on KVM; returns the exit status */
int la_vmrun_run(struct la_vmrun *a);
/* the longest --boot-timing-mark */
#define LA_BOOT_MARK_MAX 64

/* la_vmrun_stamp - with --boot-timing, one line on stderr: the time since
 * la-vmrun started and what has just been done. */
void la_vmrun_stamp(const struct la_vmrun *a, const char *what);
/* la_vmrun_kvm_fail - say why KVM failed (k: what la_kvm left). returns: 1 */
struct la_kvm;
int la_vmrun_kvm_fail(const struct la_vmrun *a, const struct la_kvm *k, int err);

#endif
