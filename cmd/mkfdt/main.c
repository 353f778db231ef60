/* SPDX-License-Identifier: MIT */
/* la-mkfdt: build the device tree blob crosvm gives a guest, and apply
 * overlays to it. */
#include <argp.h>
#include <jansson.h>
#include <errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "arch.h"
#include "boot.h"
#include "cli.h"
#include "cmdline.h"
#include "fdt/fdt.h"
#include "fdt/fdtopts.h"
#include "err.h"
#include "fileio.h"
#include "host_phys.h"
#include "hostcpu.h"
#include "hostcpu_json.h"
#include "fdt/overlay_opt.h"
#include "sandbox.h"
#include "size.h"
#include "vcpu_props.h"
#include "dev/resources.h"
#include "vmopts.h"

#define LA_MKFDT_CMDLINE_BUF 4096
#define LA_MKFDT_MAX_DEVICES 64 /* --device */

enum {
	K_KERNEL = 0x2000, K_INITRD, K_CMDLINE, K_SERIAL, K_CONSOLE, K_EARLYCON, K_OVERLAY,
	K_DEVICE, K_LAST = K_DEVICE, K_OUTPUT = 'o', K_VERBOSE = 'v', K_SECCOMP = 0x3000,
};

/* Which arches an option means something on. */
#define A_X86 (1u << LA_ARCH_X86_64)
#define A_ARM (1u << LA_ARCH_AARCH64)
#define A_RV (1u << LA_ARCH_RISCV64)

struct la_mkfdt_args {
	struct la_vmopts vm;
	struct la_fdtopts fdt;                     /* the tree's own options */
	const char *opt_arg[K_LAST - K_KERNEL + 1]; /* as given, by key */
	const char *kernel, *initrd, *cmdline, *output;
	unsigned serial, console, earlycon;
	bool earlycon_set;
	bool verbose;
	struct la_overlay_list overlays;
	const struct la_dev_desc *device[LA_MKFDT_MAX_DEVICES];
	const char *device_arg[LA_MKFDT_MAX_DEVICES];
	unsigned ndevices;
	enum la_seccomp_mode seccomp;
	/* the inputs, read before the sandbox; parsed inside it */
	uint8_t *kernel_head;
	size_t kernel_head_len;
	uint64_t kernel_size, initrd_size;
};

static const struct argp_option la_mkfdt_options[] = {
	{ NULL, 0, NULL, 0, "Payload and command line:", 1 },
	{ "kernel", K_KERNEL, "FILE", 0,
	  "Kernel image, for /config and the placement (aarch64: arm64 Image or ELF; "
	  "riscv64: raw image; x86_64: bzImage or ELF)", 0 },
	{ "initrd", K_INITRD, "FILE", 0, "Initial ramdisk: /chosen linux,initrd-start/-end", 0 },
	{ "device", K_DEVICE, "TYPE", 0,
	  "Add a device after the arch's own (e.g. virtio-blk, repeatable): its node, and "
	  "for a PCI device its /pci interrupt-map entry; slots, BARs and IRQs as "
	  "`la-alloc --platform --device TYPE` grants them", 0 },
	{ "cmdline", K_CMDLINE, "STRING", 0,
	  "Kernel parameters appended after crosvm's (panic=-1, console, earlycon)", 0 },
	{ "serial", K_SERIAL, "N", 0, "COM1..COMN present, 0 to 4 (default 4, as crosvm)", 0 },
	{ "console", K_CONSOLE, "N", 0, "COM port that is the console, 0 for none (default 1)",
	  0 },
	{ "earlycon", K_EARLYCON, "N", 0, "COM port with earlycon (default none)", 0 },
	{ NULL, 0, NULL, 0, "Overlays and output:", 4 },
	{ "overlay", K_OVERLAY, "FILE[,filter=L[:L...]]", 0,
	  "Apply a `dtc -@` overlay; repeatable, in order. filter= keeps only the labelled "
	  "nodes and what they reference; an empty filter skips the overlay", 0 },
	{ "output", K_OUTPUT, "FILE|-", 0, "Write the blob to FILE; - (the default) is standard "
	  "output. A regular FILE is replaced whole, keeping its mode; a device or FIFO is "
	  "written through", 0 },
	{ "verbose", K_VERBOSE, NULL, 0, "Print the placement (FDT address...) on stderr", 0 },
	{ "seccomp", K_SECCOMP, "MODE", 0, "The input files are parsed in a child process under "
	  "a seccomp filter; a forbidden call there does: trap (default: one line, exit 40), "
	  "kill, log, errno or off (no child, no filter)", 0 },
	{ 0 }
};

/* "--NAME" of an option key, for la_cli_fail; valid until the next call. */
static const char *la_mkfdt_key_name(int key)
{
	static char name[64];

	for (const struct argp_option *o = la_mkfdt_options; o->name || o->doc; o++) {
		if (o->key == key && o->name) {
			snprintf(name, sizeof(name), "--%s", o->name);
			return name;
		}
	}
	return "--?";
}

static uint64_t la_mkfdt_num(int key, const char *arg, uint64_t max)
{
	uint64_t v;

	if (la_parse_dec(arg, max, &v)) /* a COM port's number: "01" or "+1" is a typo */
		la_cli_fail(la_mkfdt_key_name(key), arg, 2, "not a whole number from 0 to %llu",
			      (unsigned long long)max);
	return v;
}

/* FILE[,filter=L[:L...]] */
static void la_mkfdt_overlay_opt(struct la_mkfdt_args *a, const char *arg)
{
	char why[LA_OV_WHY_MAX];
	int err = la_overlay_list_add(&a->overlays, arg, why);

	if (err)
		la_cli_fail("--overlay", arg, err == -LA_ERR_NOMEM ? 1 : 2, "%s", why);
}

static void la_mkfdt_device_opt(struct la_mkfdt_args *a, const char *arg)
{
	const struct la_dev_desc *t = la_dev_lookup(arg);
	char names[512];

	if (!t) {
		la_dev_names(names, sizeof(names));
		la_cli_fail("--device", arg, 2, "unknown TYPE (use %s)", names);
	}
	if (a->ndevices == LA_MKFDT_MAX_DEVICES)
		la_cli_fail("--device", arg, 2, "at most %u devices", LA_MKFDT_MAX_DEVICES);
	a->device_arg[a->ndevices] = arg;
	a->device[a->ndevices++] = t;
}

static error_t la_mkfdt_parse(int key, char *arg, struct argp_state *state)
{
	struct la_mkfdt_args *a = state->input;

	if (key == ARGP_KEY_INIT)
		state->child_inputs[1] = &a->fdt;
	if (key >= K_KERNEL && key <= K_LAST)
		a->opt_arg[key - K_KERNEL] = arg ? arg : "";
	switch (key) {
	case K_KERNEL: a->kernel = arg; return 0;
	case K_INITRD: a->initrd = arg; return 0;
	case K_CMDLINE: a->cmdline = arg; return 0;
	case K_SERIAL: a->serial = (unsigned)la_mkfdt_num(key, arg, LA_FDT_MAX_SERIAL); return 0;
	case K_CONSOLE: a->console = (unsigned)la_mkfdt_num(key, arg, LA_FDT_MAX_SERIAL); return 0;
	case K_EARLYCON:
		a->earlycon = (unsigned)la_mkfdt_num(key, arg, LA_FDT_MAX_SERIAL);
		a->earlycon_set = true;
		return 0;
	case K_OVERLAY: la_mkfdt_overlay_opt(a, arg); return 0;
	case K_DEVICE: la_mkfdt_device_opt(a, arg); return 0;
	case K_OUTPUT:
		if (!*arg)
			la_cli_fail("--output", arg, 2, "needs a file name");
		a->output = arg;
		return 0;
	case K_VERBOSE: a->verbose = true; return 0;
	case K_SECCOMP:
		if (la_seccomp_mode_parse(arg, &a->seccomp))
			la_cli_fail("--seccomp", arg, 2, "not a mode (trap, kill, log, errno or off)");
		return 0;
	default:
		return la_cli_key(key, arg, state, &a->vm);
	}
}

static const struct argp_child la_mkfdt_children[] = {
	LA_CLI_VM_CHILD(&la_vmopts_argp, 5),
	{ &la_fdtopts_argp, 0, NULL, 0 },
	{ 0 }
};

LA_CLI_PROGRAM("la-mkfdt");

static const struct argp la_mkfdt_argp = {
	.options = la_mkfdt_options,
	.parser = la_mkfdt_parse,
	.doc = "Build the device tree blob crosvm's build_vm gives a guest (aarch64, riscv64; "
	       "x86_64: the one it passes in setup_data), node for node, and apply overlays "
	       "to it with crosvm's semantics.\v"
	       "Examples:\n"
	       "  la-mkfdt --arch aarch64 --mem 1G --cpus 4 --seed 0 | dtc -I dtb -O dts\n"
	       "  la-mkfdt --arch riscv64 --kernel Image --initrd initrd.img -o guest.dtb\n"
	       "  la-hostcpu --json | la-mkfdt --arch aarch64 --cpus 8 --hostcpu - -o vm.dtb\n"
	       "  la-mkfdt --arch aarch64 --overlay extra.dtbo,filter=dev0 -o vm.dtb\n\n"
	       "Exit status: 0 ok, 1 a file could not be read or a tree could not be built, "
	       "2 bad options.",
	.children = la_mkfdt_children,
};

/* Options that mean nothing on the chosen arch are refused. */
static void la_mkfdt_check_arch(const struct la_mkfdt_args *a)
{
	static const struct { int key; unsigned arches; } only[] = {
		{ K_CMDLINE, A_ARM | A_RV }, { K_SERIAL, A_ARM | A_RV },
		{ K_CONSOLE, A_ARM | A_RV }, { K_EARLYCON, A_ARM | A_RV },
		{ K_DEVICE, A_ARM | A_RV },
	};
	const struct la_arch_ops *arch = a->vm.cfg.arch;

	for (size_t i = 0; i < sizeof(only) / sizeof(only[0]); i++) {
		const char *v = a->opt_arg[only[i].key - K_KERNEL];

		if (v && !(only[i].arches & (1u << arch->id)))
			la_cli_fail(la_mkfdt_key_name(only[i].key), *v ? v : NULL, 2,
				      "not used in the %s device tree", arch->name);
	}
}

/* Standard input can be read once: one "-" among --hostcpu and --overlay. */
static void la_mkfdt_check_stdin(const struct la_mkfdt_args *a)
{
	const char *first = a->fdt.hostcpu && !strcmp(a->fdt.hostcpu, "-") ? "--hostcpu" : NULL;

	for (unsigned i = 0; i < a->overlays.n; i++) {
		if (strcmp(a->overlays.o[i].path, "-"))
			continue;
		if (first)
			la_cli_fail("--overlay", a->overlays.o[i].arg, 2, "standard input is read by "
				      "%s already; only one input can be -", first);
		first = "an earlier --overlay";
	}
}

static void la_mkfdt_check_combos(const struct la_mkfdt_args *a)
{
	if (a->console > a->serial)
		la_cli_fail("--console", a->opt_arg[K_CONSOLE - K_KERNEL], 2,
			      "COM%u is not present (--serial %u)", a->console, a->serial);
	la_fdtopts_check(&a->fdt, &a->vm.cfg);
	la_mkfdt_check_stdin(a);
}

/* A regular file, opened: the placement needs its size before anything
 * reads it, so a pipe will not do. */
static int la_mkfdt_open_sized(const char *opt, const char *path, uint64_t *size)
{
	char why[LA_FILE_WHY_MAX];
	int fd, err = la_file_open_regular(path, &fd, size, why);

	if (err == -LA_ERR_PIPE)
		la_cli_fail(opt, path, 1, "%s (its size must be known before it is placed)", why);
	if (err)
		la_cli_fail(opt, path, 1, "%s", why);
	return fd;
}

/* Read what the parser will need of the kernel: its size and first bytes. */
static void la_mkfdt_read_kernel(struct la_mkfdt_args *a)
{
	int fd = la_mkfdt_open_sized("--kernel", a->kernel, &a->kernel_size);
	size_t n = 0;

	a->kernel_head = malloc(LA_KERNEL_HEAD_SIZE);
	if (!a->kernel_head)
		la_cli_fail("--kernel", a->kernel, 1, "out of memory");
	while (n < LA_KERNEL_HEAD_SIZE && n < a->kernel_size) {
		ssize_t r = pread(fd, a->kernel_head + n, LA_KERNEL_HEAD_SIZE - n, (off_t)n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			la_cli_fail("--kernel", a->kernel, 1, "%s", strerror(errno));
		if (r == 0)
			la_cli_fail("--kernel", a->kernel, 1, "%s", la_strerror(-LA_ERR_CHANGED));
		n += (size_t)r;
	}
	close(fd);
	a->kernel_head_len = n;
}

static void la_mkfdt_probe_kernel(const struct la_mkfdt_args *a, struct la_kernel_info *k)
{
	int err = la_kernel_probe(a->vm.cfg.arch->id, a->kernel_head, a->kernel_head_len,
				  a->kernel_size, k);

	if (err)
		la_cli_fail("--kernel", a->kernel, 1, "%s (%s)", la_strerror(err),
			      a->vm.cfg.arch->name);
}

static void la_mkfdt_place(const struct la_mkfdt_args *a, struct la_boot_plan *plan)
{
	struct la_kernel_info k;
	uint64_t initrd_size = 0;
	int err;

	if (a->kernel)
		la_mkfdt_probe_kernel(a, &k);
	if (a->initrd)
		initrd_size = a->initrd_size;
	err = la_boot_place(&a->vm.cfg, &a->vm.mem, a->kernel ? &k : NULL, a->initrd != NULL,
			    initrd_size, plan);
	if (!err)
		return;
	switch (-err) {
	case LA_ERR_INITRDFIT:
	case LA_ERR_INITRDEMPTY:
	case LA_ERR_INITRDBIOS:
		la_cli_fail("--initrd", a->initrd, 1, "%s", la_strerror(err));
	case LA_ERR_KERNELFIT:
	case LA_ERR_NOTKERNEL:
		la_cli_fail("--kernel", a->kernel, 1, "%s", la_strerror(err));
	case LA_ERR_UNSUPPORTED:
		la_cli_fail("--bios", a->vm.cfg.bios_path, 2, "%s has no device tree for a BIOS",
			      a->vm.cfg.arch->name);
	default:
		la_cli_fail("--mem", a->vm.arg[LA_VMOPT_MEM], 1, "%s", la_strerror(err));
	}
}

/* The base tree, built by the arch's builder. */
static void la_mkfdt_build(const struct la_mkfdt_args *a, struct la_fdt_config *fc,
			   void *buf, size_t size)
{
	int err = la_fdt_build(fc, buf, size);

	if (err == -LA_ERR_FDTSIZE)
		la_cli_fail(NULL, NULL, 1, "%s: the %s tree exceeds %llu bytes", la_strerror(err),
			      a->vm.cfg.arch->name,
			      (unsigned long long)a->vm.cfg.arch->fdt_max_size);
	if (err)
		la_cli_fail(NULL, NULL, 1, "cannot build the device tree: %s", la_strerror(err));
}

/* Apply every overlay in order (read before the sandbox); the tree stays
 * in tree (the arch's limit). */
static void la_mkfdt_overlays(const struct la_mkfdt_args *a, void *tree)
{
	char why[LA_OV_WHY_MAX];
	unsigned i;

	if (la_overlay_list_apply(&a->overlays, a->vm.cfg.arch, tree, &i, why))
		la_cli_fail("--overlay", a->overlays.o[i].arg, 1, "%s", why);
}

/* Write the blob: stdout ("-" or no -o; never a terminal) or FILE, by
 * lib/fileio's rule (a regular file is replaced whole, under a temporary
 * name; a device or FIFO is written through). */
static void la_mkfdt_write(const struct la_mkfdt_args *a, const void *blob, size_t len)
{
	const char *out = a->output ? a->output : "-";
	char why[LA_FILE_WHY_MAX];

	if (!strcmp(out, "-") && isatty(STDOUT_FILENO))
		la_cli_fail(NULL, NULL, 2, "refusing to write a binary device tree to a "
			      "terminal; use -o FILE or pipe it into dtc -I dtb -O dts");
	if (la_file_write(out, LA_OUT_STDOUT, blob, len, why)) {
		if (!strcmp(out, "-"))
			la_cli_fail(NULL, NULL, 1, "standard output: %s", why);
		la_cli_fail("--output", out, 1, "%s", why);
	}
}

static void la_mkfdt_verbose(const struct la_mkfdt_args *a, const struct la_boot_plan *p,
			     size_t len)
{
	fprintf(stderr, "la-mkfdt: %s, fdt %s at 0x%llx (%zu bytes, limit %llu)",
		a->vm.cfg.arch->name, la_fdt_position_name(p->fdt_position),
		(unsigned long long)p->fdt_address, len,
		(unsigned long long)a->vm.cfg.arch->fdt_max_size);
	if (p->has_payload)
		fprintf(stderr, ", %s 0x%llx+0x%llx", p->bios ? "bios" : "kernel",
			(unsigned long long)p->payload_start, (unsigned long long)p->payload_size);
	if (p->has_initrd)
		fprintf(stderr, ", initrd 0x%llx+0x%llx", (unsigned long long)p->initrd_start,
			(unsigned long long)p->initrd_size);
	fprintf(stderr, ", payload end 0x%llx\n", (unsigned long long)p->payload_end);
}

/* Everything that reads files, before the sandbox: the kernel's first
 * bytes, sizes, the --hostcpu JSON, the overlays, the sysfs topology. */
static void la_mkfdt_read_inputs(struct la_mkfdt_args *a)
{
	if (a->kernel)
		la_mkfdt_read_kernel(a);
	if (a->initrd)
		close(la_mkfdt_open_sized("--initrd", a->initrd, &a->initrd_size));
	la_fdtopts_read(&a->fdt, &a->vm.cfg);
	if (a->overlays.n) {
		char why[LA_OV_WHY_MAX];
		unsigned i;

		if (la_overlay_list_read(&a->overlays, &i, why))
			la_cli_fail("--overlay", a->overlays.o[i].arg, 1, "%s", why);
	}
}

static void la_mkfdt_free_inputs(struct la_mkfdt_args *a)
{
	free(a->kernel_head);
	la_fdtopts_free(&a->fdt);
	la_overlay_list_free(&a->overlays);
}

/* The VM's devices: the arch's, then --device ones (PCI devices named
 * TYPE0, TYPE1... as la-alloc names them). */
static void la_mkfdt_platform(const struct la_mkfdt_args *a, struct la_vm_res *res)
{
	struct la_platform_opts o = { .serials = a->serial, .acpi = true };
	int err = la_vm_resources(&a->vm.cfg, &a->vm.layout, &a->vm.mem, &o, res);

	if (err)
		la_cli_fail(NULL, NULL, 1, "the %s devices: %s%s%s", a->vm.cfg.arch->name,
			      res->failed ? res->failed : "", res->failed ? ": " : "",
			      la_strerror(err));
	for (unsigned i = 0; i < a->ndevices; i++) {
		const struct la_dev_desc *t = a->device[i];
		const char *conflict = NULL;
		struct la_grant g[LA_DEV_MAX_NEEDS];
		char name[LA_DEV_NAME_MAX + 1];
		unsigned n, same = 0;

		for (unsigned k = 0; k < i; k++)
			same += a->device[k] == t;
		if (!strcmp(t->kind, "virtio-pci"))
			snprintf(name, sizeof(name), "%s%u", t->name, same);
		else
			snprintf(name, sizeof(name), "%s", t->name);
		err = la_platform_add(&res->plat, t, name, g, &n, &conflict);
		if (err == -LA_ERR_UNSUPPORTED)
			la_cli_fail("--device", a->device_arg[i], 2, "%s has no %s",
				      a->vm.cfg.arch->name, t->name);
		if (err)
			la_cli_fail("--device", a->device_arg[i], 2, "%s%s%s%s", la_strerror(err),
				      conflict ? " (overlaps '" : "", conflict ? conflict : "",
				      conflict ? "')" : "");
	}
}

/* Parse the inputs and build the tree into tree (size bytes). */
static void la_mkfdt_make(struct la_mkfdt_args *a, void *tree, size_t size)
{
	static struct la_fdt_config fc;
	static struct la_vm_res res;
	struct la_serial_opts serial;
	struct la_boot_plan plan;
	char cmdline[LA_MKFDT_CMDLINE_BUF];
	int err;

	la_mkfdt_place(a, &plan);
	serial = (struct la_serial_opts){ a->serial, a->console, a->earlycon };
	err = la_cmdline_build(a->vm.cfg.arch->id, &serial, a->cmdline, NULL, plan.cmdline_max,
			       cmdline, sizeof(cmdline));
	if (err)
		la_cli_fail("--cmdline", a->cmdline, 2, "%s (at most %llu characters on %s)",
			      la_strerror(err), (unsigned long long)plan.cmdline_max,
			      a->vm.cfg.arch->name);
	fc = (struct la_fdt_config){
		.cfg = &a->vm.cfg, .layout = &a->vm.layout, .mem = &a->vm.mem, .boot = &plan,
		.cmdline = cmdline,
	};
	la_fdtopts_apply(&a->fdt, &a->vm.cfg, &fc);
	if (a->vm.cfg.arch->id != LA_ARCH_X86_64) {
		err = la_fdt_config_pci_pools(&fc, la_vm_phys_bits(&a->vm.cfg, NULL), 0);
		if (err)
			la_cli_fail("--phys-bits", a->vm.arg[LA_VMOPT_PHYS_BITS], 2, "%s",
				      la_strerror(err));
	}
	la_mkfdt_platform(a, &res);
	fc.plat = &res.plat;
	la_mkfdt_build(a, &fc, tree, size);
	la_mkfdt_overlays(a, tree);
	err = la_fdt_check(tree, fdt_totalsize(tree));
	if (err)
		la_cli_fail(NULL, NULL, 1, "the final tree fails fdt_check_full: %s",
			      la_strerror(err));
	if (a->verbose)
		la_mkfdt_verbose(a, &plan, fdt_totalsize(tree));
	la_vm_res_destroy(&res);
}

/* What the parser child builds: the tree, in memory shared with it. */
struct la_mkfdt_job {
	struct la_mkfdt_args *a;
	void *tree;
	size_t size;
};

static void la_mkfdt_parse_inputs(void *ctx)
{
	struct la_mkfdt_job *j = ctx;

	la_mkfdt_make(j->a, j->tree, j->size);
}

/* Is there a file's contents to parse: the kernel's header, an overlay,
 * --hostcpu's JSON? (The initrd gives only its size; the host's sysfs
 * topology is read and parsed by la_fdtopts_read, before any sandbox.) */
static bool la_mkfdt_parses_files(const struct la_mkfdt_args *a)
{
	return a->kernel || a->overlays.n || a->fdt.hostcpu;
}

/* Build the tree in a child process under the parser's seccomp filter
 * (the inputs are already in memory; --seccomp off: here), into tree,
 * memory shared with it. With no file to parse the tree comes from the
 * options alone: built here, without the child's fork and filter. */
static void la_mkfdt_make_sandboxed(struct la_mkfdt_args *a, void *tree, size_t size)
{
	struct la_mkfdt_job j = { a, tree, size };

	/* the host's physical address bits before the filter: an arm64 host
	 * asks /dev/kvm (KVM_CAP_ARM_VM_IPA_SIZE), which the parser may not */
	if (!a->vm.cfg.phys_bits)
		a->vm.cfg.phys_bits = la_vm_phys_bits(&a->vm.cfg, NULL);
	if (!la_mkfdt_parses_files(a)) {
		la_mkfdt_make(a, tree, size);
		return;
	}
	la_cli_parser_child(a->seccomp, la_mkfdt_parse_inputs, &j);
	/* what the child made is checked again: it parsed untrusted input */
	if (fdt_totalsize(tree) > size || la_fdt_check(tree, fdt_totalsize(tree)))
		la_cli_fail(NULL, NULL, 1, "the parser process returned a malformed tree");
}

int main(int argc, char **argv)
{
	static struct la_mkfdt_args a;
	static void *tree; /* reachable if we exit on an error */
	size_t size;

	a.serial = LA_FDT_MAX_SERIAL;
	a.console = 1;
	a.seccomp = LA_SECCOMP_TRAP;
	la_cli_parse(&la_mkfdt_argp, argc, argv, &a);
	la_mkfdt_check_arch(&a);
	la_mkfdt_check_combos(&a);
	if (a.vm.cfg.cpus > LA_MAX_VCPUS)
		la_cli_fail("--cpus", a.vm.arg[LA_VMOPT_CPUS], 2, "at most %d", LA_MAX_VCPUS);
	la_mkfdt_read_inputs(&a);

	size = (size_t)a.vm.cfg.arch->fdt_max_size;
	tree = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (tree == MAP_FAILED)
		la_cli_fail(NULL, NULL, 1, "out of memory");
	la_mkfdt_make_sandboxed(&a, tree, size);
	la_mkfdt_write(&a, tree, fdt_totalsize(tree));
	munmap(tree, size);
	la_mkfdt_free_inputs(&a);
	return 0;
}
