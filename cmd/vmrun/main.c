/* SPDX-License-Identifier: MIT */
/*
 * la-vmrun: boot a kernel (or a BIOS) in a KVM virtual machine with the
 * layout, allocations and tables the other la programs print.
 */
#include <argp.h>
#include <errno.h>
#include <fcntl.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "err.h"
#include "fileio.h"
#include "size.h"
#include "vmrun.h"

enum {
	K_INITRD = 'i',
	K_JSON = 'j',
	K_CMDLINE = 'p',
	K_FDT = 0x2000,
	K_KERNEL,
	K_DUMP_FDT,
	K_SERIAL,
	K_DEBUGCON,
	K_BOOT_TIMING,
	K_BOOT_MARK,
	K_NO_ACPI,
	K_SPLIT_IRQCHIP,
	K_EXPLAIN,
	K_KVM_DEVICE,
	K_OVERLAY,
	K_SECCOMP,
	K_PRINT_SECCOMP,
	K_JAIL,
	K_NO_JAIL,
	K_DISK,
	K_RNG,
	K_NO_RNG,
	K_CONSOLE,
	K_NET,
	K_VSOCK,
	K_CONTROL,
	K_HOTPLUG,
	K_PSTORE,
	K_PVPANIC,
	K_NO_PVPANIC,
	K_BATTERY,
	K_HUGEPAGES,
	K_FW_CFG,
	K_PFLASH,
};

static const struct argp_option la_vmrun_options[] = {
	{ "initrd", K_INITRD, "FILE", 0, "Initial ramdisk, placed as high in guest RAM as the "
	  "kernel allows", 0 },
	{ "kernel", K_KERNEL, "FILE", 0, "The kernel (as the KERNEL argument; as la-mkfdt "
	  "--kernel)", 0 },
	{ "params", K_CMDLINE, "STRING", 0, "Appended to the kernel command line la-vmrun "
	  "builds (panic=-1 console=ttyS0 earlycon=...); repeatable (crosvm and lkvm -p)", 0 },
	{ "cmdline", 0, NULL, OPTION_ALIAS, NULL, 0 },
	{ "fdt", K_FDT, "FILE|-", 0, "A device tree blob (- reads standard input) passed to the "
	  "kernel in setup_data, zero-padded to 16 KiB", 0 },
	{ "dump-fdt", K_DUMP_FDT, "FILE|-", 0, "Write the device tree blob the guest gets (as "
	  "crosvm's --dump-device-tree-blob; - is standard output)", 0 },
	{ "serial", K_SERIAL, "KEY=VALUE,...", 0, "A serial output as crosvm's --serial: "
	  "type=stdout|file|sink|syslog|unix (default sink), hardware=serial|virtio-console|"
	  "debugcon, num=1-4 (COM1-COM4, default 1), path=FILE (file) or SOCKET (unix: a "
	  "client attaches, detaches and attaches again while the VM runs), console, earlycon, "
	  "stdin; repeatable. Short form N=file:PATH|null|stdout. Default: COM1 stdout, the "
	  "console, with standard input, COM2-4 sink (SERIAL in la-vmrun(1))", 0 },
	{ "debugcon", K_DEBUGCON, "FILE", 0, "Write what the guest sends to port 0x402 to FILE "
	  "(--serial hardware=debugcon,type=file,path=FILE)", 0 },
	{ "boot-timing", K_BOOT_TIMING, NULL, 0, "Print to standard error the time since start "
	  "of each start-up step, each POST code (port 0x80), the first console output, "
	  "power-off and teardown", 0 },
	{ "boot-timing-mark", K_BOOT_MARK, "TEXT", 0, "With --boot-timing, also note when the "
	  "console first prints TEXT (at most 64 bytes; e.g. your init's first line); implies "
	  "--boot-timing", 0 },
	{ "no-acpi", K_NO_ACPI, NULL, 0, "No ACPI tables: the guest sees the MP table only "
	  "(and cannot power off; reboot ends the VM)", 0 },
	{ "split-irqchip", K_SPLIT_IRQCHIP, NULL, 0, "x86_64: --irqchip split (crosvm's "
	  "spelling)", 0 },
	{ "json", K_JSON, NULL, 0, "With --explain: one JSON document (schema "
	  "la-vmrun-explain/1)", 0 },
	{ "explain", K_EXPLAIN, NULL, 0, "Print what would be built (layout, grants, e820, "
	  "cmdline, setup_data, tables) and exit without running", 0 },
	{ "kvm-device", K_KVM_DEVICE, "PATH", 0, "The KVM device (default /dev/kvm)", 0 },
	{ "hugepages", K_HUGEPAGES, NULL, 0, "Back guest RAM with 2 MiB hugetlbfs pages, "
	  "reserved at start (the host's pool: /proc/sys/vm/nr_hugepages); fail at once if "
	  "there are too few. Default: anonymous memory, 2 MiB-aligned for transparent huge "
	  "pages", 0 },
	{ "control", K_CONTROL, "PATH", 0, "Listen on a Unix socket at PATH (mode 0600, removed "
	  "on exit) for la-vmctl: list, status, stop, suspend, resume (one JSON object a line; "
	  "see CONTROL SOCKET in la-vmrun(1); x86_64 with ACPI: a virtual PMC and a sleep "
	  "button for suspend). A PATH a running VM listens on is refused", 0 },
	{ "overlay", K_OVERLAY, "FILE[,filter=L[:L...]]", 0, "Give the kernel the x86_64 "
	  "device tree la-mkfdt builds, with this `dtc -@` overlay applied (as la-mkfdt "
	  "--overlay); repeatable, in order. filter= keeps only the labelled nodes and what "
	  "they reference; an empty filter skips the overlay", 0 },
	{ NULL, 0, NULL, 0, "Devices (virtio over PCI; see DEVICES in la-vmrun(1)):", 3 },
	{ "disk", K_DISK, "PATH[,ro][,serial=ID][,direct]", 0, "A raw disk image as a "
	  "virtio-blk device (/dev/vda, vdb, ... in order; repeatable, at most 8): ro refuses "
	  "writes, serial= is what GET_ID answers (20 characters at most), direct opens it "
	  "O_DIRECT. Locked (OFD lock) so no other VM writes it meanwhile", 3 },
	{ "net", K_NET, "tap=NAME|tap[,mac=MAC][,vhost=on|off]", 0, "A virtio-net device "
	  "on tap NAME, which must exist (tap-name= and tapif= say the same), or on a tap made "
	  "now (tap: needs CAP_NET_ADMIN; the kernel names it tapN, la-vmrun says which); "
	  "mac= the guest's address (default 52:54:00:12:34:56, :57, ... in order); vhost= "
	  "forces the kernel's vhost-net (on) or la-vmrun's own thread (off) where the default "
	  "picks the faster; repeatable, at most 4", 3 },
	{ "rng", K_RNG, NULL, 0, "A virtio-rng device fed from getrandom (the default)", 3 },
	{ "no-rng", K_NO_RNG, NULL, 0, "No virtio-rng device", 3 },
	{ "console", K_CONSOLE, "KIND", 0, "The guest's console: serial (default: the console "
	  "COM port) or virtio (a virtio-console, hvc0, takes the console COM port's output "
	  "and standard input; the COM port keeps earlycon)", 3 },
	{ "vsock", K_VSOCK, "[cid=]CID[,device=PATH]", 0, "A virtio-vsock device served by the "
	  "host kernel's vhost-vsock: the guest is CID (3 to 4294967294) for AF_VSOCK, the "
	  "host is 2; device= opens another vhost-vsock device than /dev/vhost-vsock (as "
	  "crosvm's --vsock)", 3 },
	{ "pci-hotplug-slots", K_HOTPLUG, "N", 0, "x86_64: reserve N PCI slots (1 to 16) for "
	  "la-vmctl add (ACPI hot-plug: the guest's acpiphp driver; see PCI HOT-PLUG in "
	  "la-vmrun(1)); their grants are fixed at boot, as la-alloc --pci-hotplug-slots N "
	  "shows them", 3 },
	{ "pstore", K_PSTORE, "path=FILE,size=SIZE", 0, "Keep the guest's oops and panic "
	  "logs (ramoops) in FILE: SIZE bytes (a multiple of 4 KiB) at the start of high MMIO, "
	  "the file mapped there shared, ramoops.mem_address= and mem_size= on the command "
	  "line (as crosvm's --pstore). A missing FILE is made SIZE bytes long; an existing "
	  "one must be SIZE bytes", 3 },
	{ "pvpanic", K_PVPANIC, NULL, 0, "A pvpanic PCI device (the default, as in crosvm): "
	  "a guest that reports a panic there ends la-vmrun with status 34 when it then "
	  "resets or stops", 3 },
	{ "no-pvpanic", K_NO_PVPANIC, NULL, 0, "No pvpanic device", 3 },
	{ "battery", K_BATTERY, "type=goldfish", OPTION_ARG_OPTIONAL, "aarch64: a goldfish "
	  "battery (as crosvm's --battery type=goldfish, the one type): 4 KiB from low MMIO, "
	  "SPI 3, its node in the tree; on AC, present, 50 %", 3 },
	{ "fw-cfg", K_FW_CFG, "name=opt/NAME,path=FILE|string=S", 0, "x86_64: an item of "
	  "the fw_cfg device (IO port 0x510, with DMA; ACPI QEMU0002), as crosvm's --fw-cfg: "
	  "FILE's bytes (16 MiB at most) or the string S (string= runs to the end of the "
	  "argument, commas too: give it last); NAME at most 55 bytes with its opt/, each "
	  "once; repeatable, at most 64. Linux shows it in /sys/firmware/qemu_fw_cfg", 3 },
	{ "pflash", K_PFLASH, "path=FILE[,block_size=N]", 0, "x86_64: FILE as crosvm's "
	  "pflash: CFI flash on the MMIO bus below the BIOS at the top of 4 GiB (FILE's size "
	  "a multiple of block_size, default 4096, a power of two; with the BIOS at most 16 "
	  "MiB): reads give its bytes, CFI commands program bytes and erase blocks, which "
	  "reach FILE (mapped shared)", 3 },
	{ NULL, 0, NULL, 0, "Sandbox:", 2 },
	{ "seccomp", K_SECCOMP, "MODE", 0, "What a system call outside a thread's allowlist "
	  "does: trap (default: one line naming it, exit 40), kill, log (allow, kernel log), "
	  "errno (fails with EPERM) or off", 2 },
	{ "print-seccomp", K_PRINT_SECCOMP, "KIND", OPTION_ARG_OPTIONAL, "Print the allowlist "
	  "of each thread kind (main, vcpu, device, parser, virtio-blk, virtio-rng, "
	  "virtio-console, virtio-net, virtio-vsock, control, serial), or of KIND, and exit", 2 },
	{ "jail", K_JAIL, NULL, 0, "After setup: new mount, IPC and UTS namespaces, an empty "
	  "read-only root, no capabilities, no new privileges; fail if that cannot be done "
	  "(default: jail where it works, say why not elsewhere)", 2 },
	{ "no-jail", K_NO_JAIL, NULL, 0, "Do not jail", 2 },
	{ 0 }
};

static void la_vmrun_add_cmdline(struct argp_state *state, struct la_vmrun *a, const char *s)
{
	size_t old = a->cmdline ? strlen(a->cmdline) : 0;
	char *n = realloc(a->cmdline, old + strlen(s) + 2);

	if (!n)
		argp_failure(state, 1, ENOMEM, "--cmdline");
	if (old)
		n[old++] = ' ';
	strcpy(n + old, s);
	a->cmdline = n;
}

/* --disk PATH[,ro][,serial=ID][,direct] */
void la_vmrun_disk_opt(struct argp_state *state, struct la_vmrun *a, char *arg)
{
	char *copy = strdup(arg), *save = NULL, *tok;
	struct la_vblk_opts *o;

	if (!copy)
		argp_failure(state, 1, ENOMEM, "--disk");
	if (a->ndisks >= LA_VMRUN_MAX_DISKS)
		argp_failure(state, 2, 0, "--disk: '%s': at most %d disks", arg,
			     LA_VMRUN_MAX_DISKS);
	o = &a->disk[a->ndisks].o;
	a->disk[a->ndisks].arg = arg;
	a->disk[a->ndisks].copy = copy;
	*o = (struct la_vblk_opts){ .fd = -1 };
	if (copy[0] == ',' || !copy[0])
		argp_failure(state, 2, 0, "--disk: '%s': no PATH (PATH[,ro][,serial=ID][,direct])",
			     arg);
	o->path = strtok_r(copy, ",", &save);
	while ((tok = strtok_r(NULL, ",", &save))) {
		if (!strcmp(tok, "ro"))
			o->ro = true;
		else if (!strcmp(tok, "direct"))
			o->direct = true;
		else if (!strncmp(tok, "serial=", 7) && la_vblk_serial_ok(tok + 7))
			snprintf(o->serial, sizeof(o->serial), "%s", tok + 7);
		else if (!strncmp(tok, "serial=", 7))
			argp_failure(state, 2, 0, "--disk: '%s': serial= takes at most 20 printable "
				     "characters", arg);
		else
			argp_failure(state, 2, 0, "--disk: '%s': unknown option '%s' (PATH[,ro]"
				     "[,serial=ID][,direct])", arg, tok);
	}
	a->ndisks++;
}

/* --vsock [cid=]CID[,device=PATH]: CID as a decimal number */
void la_vmrun_vsock_opt(struct argp_state *state, struct la_vmrun *a, char *arg)
{
	char *copy, *save = NULL, *tok, *end;
	const char *cid = NULL;

	if (a->vsock.arg)
		argp_failure(state, 2, 0, "--vsock: '%s': one vsock device only ('%s' given "
			     "already)", arg, a->vsock.arg);
	copy = strdup(arg);
	if (!copy)
		argp_failure(state, 1, ENOMEM, "--vsock");
	a->vsock.arg = arg;
	a->vsock.copy = copy;
	a->vsock.o = (struct la_vsock_opts){ .fd = -1 };
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strncmp(tok, "cid=", 4) && !cid)
			cid = tok + 4;
		else if (!strncmp(tok, "device=", 7) && tok[7] && !a->vsock.device)
			a->vsock.device = tok + 7;
		else if (!cid && tok == copy && !strchr(tok, '='))
			cid = tok;
		else
			argp_failure(state, 2, 0, "--vsock: '%s': unknown or repeated option '%s' "
				     "([cid=]CID[,device=PATH])", arg, tok);
	}
	if (!cid || !*cid)
		argp_failure(state, 2, 0, "--vsock: '%s': no CID ([cid=]CID[,device=PATH])", arg);
	errno = 0;
	a->vsock.o.cid = strtoull(cid, &end, 10);
	if (*cid < '0' || *cid > '9' || *end || errno)
		argp_failure(state, 2, 0, "--vsock: '%s' is not a CID (a decimal number from 3 to "
			     "4294967294)", cid);
	if (!la_vsock_cid_ok(a->vsock.o.cid))
		argp_failure(state, 2, 0, "--vsock: '%s' is not a guest's CID (3 to 4294967294: "
			     "0 is the hypervisor, 1 local, 2 the host, 4294967295 any)", cid);
	if (!a->vsock.device)
		a->vsock.device = LA_VSOCK_DEVICE;
}

/* --pstore path=FILE,size=SIZE */
static void la_vmrun_pstore_opt(struct argp_state *state, struct la_vmrun *a, const char *arg)
{
	char *copy, *save = NULL, *tok;
	const char *size = NULL;

	if (a->pstore.arg)
		argp_failure(state, 2, 0, "--pstore: '%s': one pstore only ('%s' given already)",
			     arg, a->pstore.arg);
	copy = strdup(arg);
	if (!copy)
		argp_failure(state, 1, ENOMEM, "--pstore");
	a->pstore.arg = arg;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strncmp(tok, "path=", 5) && tok[5] && !a->pstore.path)
			a->pstore.path = strdup(tok + 5);
		else if (!strncmp(tok, "size=", 5) && !size)
			size = arg + (tok - copy) + 5;
		else
			argp_failure(state, 2, 0, "--pstore: '%s': unknown or repeated option '%s' "
				     "(path=FILE,size=SIZE)", arg, tok);
	}
	free(copy);
	if (!a->pstore.path || !size)
		argp_failure(state, 2, 0, "--pstore: '%s': needs path=FILE and size=SIZE", arg);
	if (la_parse_size_n(size, strcspn(size, ","), &a->pstore.size))
		argp_failure(state, 2, 0, "--pstore: '%s': size= is not a size (4096, 64K, 1M...)",
			     arg);
	if (a->pstore.size == 0 || a->pstore.size % 4096)
		argp_failure(state, 2, 0, "--pstore: '%s': size= must be a non-zero multiple of "
			     "4 KiB (it is mapped as guest memory)", arg);
}

const struct la_range *la_vmrun_ramoops(const struct la_vmrun *a)
{
	const struct la_dev_inst *d = la_platform_find(&a->res.plat, la_dev_pstore.name);
	const struct la_grant *g = d ? la_dev_inst_grant(d, LA_RES_RESERVE, 0) : NULL;

	return g ? &g->range : NULL;
}

/* --battery [type=goldfish]: the value may follow as its own word, as
 * crosvm spells it (then it is not KERNEL). */
static void la_vmrun_battery_opt(struct argp_state *state, struct la_vmrun *a, const char *arg)
{
	if (arg && strcmp(arg, "type=goldfish"))
		argp_failure(state, 2, 0, "--battery: '%s': not a battery (type=goldfish is the "
			     "one type)", arg);
	a->battery = true;
	a->battery_typed = arg != NULL;
}

/* --print-seccomp [KIND]: KIND may follow as the one argument. */
static void la_vmrun_check_print(struct argp_state *state, struct la_vmrun *a)
{
	enum la_thread_kind k;

	if (a->kernel_path && a->print_seccomp_kind)
		argp_failure(state, 2, 0, "unexpected argument '%s' (--print-seccomp takes one "
			     "KIND)", a->kernel_path);
	if (a->kernel_path)
		a->print_seccomp_kind = a->kernel_path, a->kernel_path = NULL;
	if (a->print_seccomp_kind && la_thread_kind_parse(a->print_seccomp_kind, &k))
		argp_failure(state, 2, 0, "--print-seccomp: '%s': not a thread kind (main, vcpu, "
			     "device, parser, virtio-blk, virtio-rng, virtio-console, virtio-net, "
			     "virtio-vsock, control or serial)",
			     a->print_seccomp_kind);
}

/* x86_64's --irqchip kernel|split (or --split-irqchip): la-vmrun's, not
 * the tree's, so taken out of the tree's options before they are checked. */
static void la_vmrun_irqchip_check(struct argp_state *state, struct la_vmrun *a)
{
	const char *arg = a->fdt.arg[LA_FDTOPT_IRQCHIP];

	if (a->vm.cfg.arch->id != LA_ARCH_X86_64) {
		if (a->split_flag)
			argp_failure(state, 2, 0, "--split-irqchip: x86_64's; %s guests have no "
				     "IOAPIC", a->vm.cfg.arch->name);
		return;
	}
	if (arg && !a->fdt.irqchip_x86)
		argp_failure(state, 2, 0, "--irqchip: '%s': not kernel or split (x86_64's "
			     "irqchips)", arg);
	if (arg && a->split_flag && strcmp(arg, "split"))
		argp_failure(state, 2, 0, "--irqchip: '%s': --split-irqchip asks for split", arg);
	a->split_irqchip = a->split_flag || (arg && !strcmp(arg, "split"));
	a->fdt.arg[LA_FDTOPT_IRQCHIP] = NULL;
}

static void la_vmrun_check(struct argp_state *state, struct la_vmrun *a)
{
	const struct la_vm_config *c = &a->vm.cfg;

	if (a->print_seccomp) {
		la_vmrun_check_print(state, a);
		return;
	}
	la_vmrun_irqchip_check(state, a);
	if (a->json && !a->explain)
		argp_failure(state, 2, 0, "--json: prints the --explain dry run; give --explain too");
	if (!c->arch->build_vm)
		argp_failure(state, 2, 0, "--arch: '%s': la-vmrun has no build_vm for it",
			     c->arch->name);
	if (a->no_acpi && c->arch->id != LA_ARCH_X86_64)
		argp_failure(state, 2, 0, "--no-acpi: %s guests have no ACPI (their platform is "
			     "the device tree)", c->arch->name);
	if (a->hotplug_slots && c->arch->id != LA_ARCH_X86_64)
		argp_failure(state, 2, 0, "--pci-hotplug-slots: '%u': PCI hot-plug is x86_64's "
			     "(ACPI); %s guests have none", a->hotplug_slots, c->arch->name);
	if (a->hotplug_slots && a->no_acpi)
		argp_failure(state, 2, 0, "--pci-hotplug-slots: '%u': ACPI hot-plug needs the "
			     "ACPI tables (not with --no-acpi)", a->hotplug_slots);
	if (a->battery && c->arch->id != LA_ARCH_AARCH64)
		argp_failure(state, 2, 0, "--battery: the goldfish battery is aarch64's here (crosvm "
			     "describes it in ACPI on x86_64; la-vmrun does not)");
	if (!a->kernel_path && !c->bios_path)
		argp_failure(state, 2, 0, "no kernel given (KERNEL or --bios FILE)");
	if (a->kernel_path && c->bios_path)
		argp_failure(state, 2, 0, "--bios: '%s': cannot boot both a BIOS and KERNEL '%s'",
			     c->bios_path, a->kernel_path);
	if (c->bios_path && a->initrd_path)
		argp_failure(state, 2, 0, "--initrd: '%s': a BIOS boot takes no initrd",
			     a->initrd_path);
	if (c->bios_path && a->fdt_path)
		argp_failure(state, 2, 0, "--fdt: '%s': a BIOS boot takes no device tree",
			     a->fdt_path);
	la_vmrun_serial_check(state, a);
	la_vmrun_fdt_check(state, a);
	la_vmrun_fwcfg_check(state, a);
	la_vmrun_pflash_check(state, a);
}

static error_t la_vmrun_parse(int key, char *arg, struct argp_state *state)
{
	struct la_vmrun *a = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->vm;
		state->child_inputs[1] = &a->fdt;
		a->kvm_path = "/dev/kvm";
		a->seccomp = LA_SECCOMP_TRAP;
		a->jail = -1;
		a->rng = true;
		a->pvpanic = true;
		a->pstore.fd = -1;
		a->control_fd = -1;
		a->initrd_fd = -1;
		a->pflash.fd = -1;
		return 0;
	case K_INITRD: a->initrd_path = arg; return 0;
	case K_KERNEL:
		if (a->kernel_path)
			argp_failure(state, 2, 0, "--kernel: '%s': KERNEL given twice ('%s')", arg,
				     a->kernel_path);
		a->kernel_path = arg;
		return 0;
	case K_CMDLINE: la_vmrun_add_cmdline(state, a, arg); return 0;
	case K_FDT: a->fdt_path = arg; return 0;
	case K_DUMP_FDT: a->dump_fdt_path = arg; return 0;
	case K_SERIAL: la_vmrun_serial_opt(state, a, arg); return 0;
	case K_DEBUGCON: la_vmrun_debugcon_opt(state, a, arg); return 0;
	case K_BOOT_TIMING: a->boot_timing = true; return 0;
	case K_BOOT_MARK:
		if (!arg[0] || strlen(arg) > LA_BOOT_MARK_MAX)
			argp_error(state, "--boot-timing-mark: '%s' %s", arg,
				   arg[0] ? "is longer than 64 bytes" : "is empty");
		a->boot_mark = arg;
		a->boot_timing = true;
		return 0;
	case K_NO_ACPI: a->no_acpi = true; return 0;
	case K_SPLIT_IRQCHIP: a->split_flag = true; return 0;
	case K_EXPLAIN: a->explain = true; return 0;
	case K_JSON: a->json = true; return 0;
	case K_KVM_DEVICE: a->kvm_path = arg; return 0;
	case K_CONTROL: a->control_path = arg; return 0;
	case K_HOTPLUG: {
		char *end;
		unsigned long n = strtoul(arg, &end, 10);

		if (end == arg || *end || n < 1 || n > LA_HOTPLUG_SLOTS_MAX)
			argp_failure(state, 2, 0, "--pci-hotplug-slots: '%s': not a number of "
				     "slots from 1 to %d", arg, LA_HOTPLUG_SLOTS_MAX);
		a->hotplug_slots = (unsigned)n;
		return 0;
	}
	case K_OVERLAY: la_vmrun_overlay_opt(state, a, arg); return 0;
	case K_SECCOMP:
		if (la_seccomp_mode_parse(arg, &a->seccomp))
			argp_failure(state, 2, 0, "--seccomp: '%s': not a mode (trap, kill, log, "
				     "errno or off)", arg);
		return 0;
	case K_PRINT_SECCOMP: a->print_seccomp = true, a->print_seccomp_kind = arg; return 0;
	case K_DISK: la_vmrun_disk_opt(state, a, arg); return 0;
	case K_NET: la_vmrun_net_opt(state, a, arg); return 0;
	case K_VSOCK: la_vmrun_vsock_opt(state, a, arg); return 0;
	case K_RNG: a->rng = true; return 0;
	case K_NO_RNG: a->rng = false; return 0;
	case K_PVPANIC: a->pvpanic = true; return 0;
	case K_NO_PVPANIC: a->pvpanic = false; return 0;
	case K_HUGEPAGES: a->hugepages = true; return 0;
	case K_PSTORE: la_vmrun_pstore_opt(state, a, arg); return 0;
	case K_BATTERY: la_vmrun_battery_opt(state, a, arg); return 0;
	case K_CONSOLE: la_vmrun_console_opt(state, a, arg); return 0;
	case K_FW_CFG: la_vmrun_fwcfg_opt(state, a, arg); return 0;
	case K_PFLASH: la_vmrun_pflash_opt(state, a, arg); return 0;
	case K_JAIL: a->jail = 1; return 0;
	case K_NO_JAIL: a->jail = 0; return 0;
	case ARGP_KEY_ARG:
		if (a->battery && !a->battery_typed && !strncmp(arg, "type=", 5)) {
			la_vmrun_battery_opt(state, a, arg);
			return 0;
		}
		if (a->kernel_path)
			argp_failure(state, 2, 0, "unexpected argument '%s' (one KERNEL only: '%s')",
				     arg, a->kernel_path);
		a->kernel_path = arg;
		return 0;
	case ARGP_KEY_SUCCESS:
		la_vmrun_check(state, a);
		if (!a->print_seccomp)
			la_fdtopts_check(&a->fdt, &a->vm.cfg);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

/* the VM options, and the device tree's (la-mkfdt's spelling) */
static const struct argp_child la_vmrun_children[] = {
	LA_CLI_VM_CHILD(&la_vmopts_argp, 1),
	{ &la_fdtopts_argp, 0, NULL, 0 },
	{ 0 }
};

LA_CLI_PROGRAM("la-vmrun");

static const struct argp la_vmrun_argp = {
	.options = la_vmrun_options,
	.parser = la_vmrun_parse,
	.args_doc = "KERNEL",
	.doc = "Boot KERNEL (x86_64: bzImage, ELF vmlinux or Multiboot; aarch64: arm64 Image "
	       "or ELF; riscv64: raw Image) or a --bios image in a KVM virtual machine of this "
	       "host's arch, with COM1 on standard input and output. --explain shows any "
	       "arch's VM.\v"
	       "Ctrl-A x on the console ends the VM (exit 0), as la-vmctl PATH stop does with "
	       "--control PATH; Ctrl-A Ctrl-A sends Ctrl-A.\n\n"
	       "Examples:\n"
	       "  la-vmrun --mem 512M --initrd rootfs.cpio.gz /boot/vmlinuz\n"
	       "  la-vmrun --cpus 2 --cmdline quiet --explain /boot/vmlinuz\n"
	       "  la-vmrun --mem 1G --disk root.img --disk data.img,ro --cmdline root=/dev/vda "
	       "bzImage\n"
	       "  la-vmrun --net tap=tap0 --initrd rootfs.cpio.gz bzImage\n"
	       "  la-vmrun --arch aarch64 --seed 1 --explain --dump-fdt vm.dtb Image\n\n"
	       "Exit status: 0 the guest powered off, 32 it reset (rebooted), 33 it crashed "
	       "(triple fault, KVM internal error, failed entry), 34 it panicked (it said so "
	       "through pvpanic, then reset or stopped), 36 a vCPU stopped petting the "
	       "aarch64 stall detector (watchdog reset), 40 a la-vmrun thread made a "
	       "system call its seccomp allowlist forbids, 1 la-vmrun failed, 2 bad options.",
	.children = la_vmrun_children,
};

/* ---- files ---- */

void la_vmrun_die(const char *what, const char *path, const char *reason)
{
	la_cli_fail(what, path, 1, "%s", reason);
}

/* Exit 1 with lib/fileio's reason for err, and note after it when err is
 * note_err (what the limit or the refusal means here). */
static void la_vmrun_file_die(const char *what, const char *path, int err, const char *why,
			      int note_err, const char *note)
	__attribute__((noreturn));
static void la_vmrun_file_die(const char *what, const char *path, int err, const char *why,
			      int note_err, const char *note)
{
	char reason[LA_FILE_WHY_MAX + 96];

	snprintf(reason, sizeof(reason), "%s%s", why, err == note_err && note ? note : "");
	la_vmrun_die(what, path, reason);
}

/* Read a whole file (flags: lib/fileio's; "-" standard input, a pipe),
 * at most max bytes; note follows "larger than max bytes". */
static uint8_t *la_vmrun_slurp(const char *what, const char *path, unsigned flags, size_t max,
			       const char *note, size_t *len)
{
	char why[LA_FILE_WHY_MAX];
	void *buf;
	int err = la_file_read(path, flags, max, &buf, len, why);

	if (err)
		la_vmrun_file_die(what, path, err, why, -LA_ERR_TOOLARGE, note);
	return buf;
}

/* Standard input can be read once: one "-" among KERNEL, --fdt and the
 * overlays. */
static void la_vmrun_check_stdin(const struct la_vmrun *a)
{
	struct { const char *what, *path, *arg; } in[3 + LA_OV_MAX_OVERLAYS] = {
		{ "KERNEL", a->kernel_path, a->kernel_path },
		{ "--fdt", a->fdt_path, a->fdt_path },
		{ "--hostcpu", a->fdt.hostcpu, a->fdt.hostcpu },
	};
	unsigned n = 3;
	const char *first = NULL;
	char reason[96];

	for (unsigned i = 0; i < a->overlays.n; i++, n++)
		in[n].what = "--overlay", in[n].path = a->overlays.o[i].path,
		in[n].arg = a->overlays.o[i].arg;
	for (unsigned i = 0; i < n; i++) {
		if (!in[i].path || strcmp(in[i].path, "-"))
			continue;
		if (first) {
			snprintf(reason, sizeof(reason), "standard input is read by %s already; "
				 "only one input can be -", first);
			la_cli_fail(in[i].what, in[i].arg, 2, "%s", reason);
		}
		first = in[i].what;
	}
}

/* --dump-fdt -: the blob alone on standard output, never on a terminal. */
static void la_vmrun_check_dump(const struct la_vmrun *a)
{
	char reason[160];

	if (!a->dump_fdt_path || strcmp(a->dump_fdt_path, "-"))
		return;
	if (a->explain)
		la_cli_fail("--dump-fdt", "-", 2, "standard output carries --explain's text; "
			    "give --dump-fdt FILE");
	for (int i = 0; i < 4; i++) {
		if (a->serial[i].kind != LA_SERIAL_STDOUT)
			continue;
		snprintf(reason, sizeof(reason), "standard output is COM%d%s; give "
			 "--serial %d=null or %d=file:PATH, or --dump-fdt FILE", i + 1,
			 a->serial[i].console ? ", the console" : "'s", i + 1, i + 1);
		la_cli_fail("--dump-fdt", "-", 2, "%s", reason);
	}
	for (int i = 4; i < LA_SER_COUNT; i++)
		if (a->serial[i].arg && a->serial[i].kind == LA_SERIAL_STDOUT)
			la_cli_fail("--dump-fdt", "-", 2, "standard output is the %s's; give "
				    "--dump-fdt FILE", i == LA_SER_HVC ? "virtio console" :
				    "debug port");
	if (isatty(STDOUT_FILENO))
		la_cli_fail("--dump-fdt", "-", 2, "refusing to write a binary device tree to a "
			    "terminal; give --dump-fdt FILE or pipe it into dtc -I dtb -O dts");
}

/* The largest KERNEL la-vmrun reads: no kernel a VM boots comes near it,
 * and an endless stream (/dev/zero on standard input, `yes |`) fails
 * after this many bytes, not after gigabytes. */
#define LA_VMRUN_KERNEL_MAX ((size_t)1 << 30)

/* KERNEL or --bios, whole: a kernel (also from standard input or a pipe)
 * at most the guest memory and LA_VMRUN_KERNEL_MAX; a BIOS the regular
 * file la_vmopts measured. */
static void la_vmrun_load_image(struct la_vmrun *a)
{
	const struct la_vm_config *c = &a->vm.cfg;
	const char *img = a->kernel_path ? a->kernel_path : c->bios_path;
	const char *what = a->kernel_path ? "KERNEL" : "--bios";
	size_t max = c->mem_size < LA_VMRUN_KERNEL_MAX ? (size_t)c->mem_size
						       : LA_VMRUN_KERNEL_MAX;

	if (a->kernel_path)
		a->image = la_vmrun_slurp(what, img, LA_FILE_STDIN | LA_FILE_PIPE, max,
					  max == c->mem_size ? " (the guest memory, --mem)"
							     : " (la-vmrun's limit for a kernel)",
					  &a->image_len);
	else
		a->image = la_vmrun_slurp(what, img, 0, max, NULL, &a->image_len);
	if (a->image_len == 0)
		la_vmrun_die(what, img, "empty file");
	if (!a->kernel_path && a->image_len != c->bios_size)
		la_vmrun_die(what, img, la_strerror(-LA_ERR_CHANGED));
}

/* Every --disk, opened and locked now (a dry run too: it says what a run
 * would meet). A missing image is a usage error (2), one in use or
 * unreadable a failure (1). */
static void la_vmrun_open_disks(struct la_vmrun *a)
{
	char why[160];

	for (unsigned i = 0; i < a->ndisks; i++) {
		struct la_vblk_opts *o = &a->disk[i].o;
		int err = la_vblk_open(o, why, sizeof(why));

		if (err)
			la_cli_fail("--disk", o->path, err == -LA_ERR_NOENT ? 2 : 1, "%s", why);
	}
}

void la_vmrun_regular_fd(const char *what, const char *path, int fd, struct stat *st)
{
	if (fd < 0)
		la_cli_fail(what, path, 1, "%s", strerror(errno));
	if (fstat(fd, st) != 0)
		la_cli_fail(what, path, 1, "%s", strerror(errno));
	if (!S_ISREG(st->st_mode))
		la_cli_fail(what, path, 2, "not a regular file");
}

/* --pstore's file: made SIZE bytes long if missing (a run only: a dry
 * run makes nothing), refused if it has another size (exit 2), as the
 * guest's ramoops region would then not be what the file holds. */
static void la_vmrun_open_pstore(struct la_vmrun *a)
{
	const char *path = a->pstore.path;
	char why[160];
	struct stat st;
	int fd;

	if (!a->pstore.arg)
		return;
	if (a->explain) {
		if (stat(path, &st) != 0 && errno == ENOENT)
			return;
		fd = open(path, O_RDONLY | O_CLOEXEC);
	} else {
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	}
	la_vmrun_regular_fd("--pstore", path, fd, &st);
	if (st.st_size == 0 && !a->explain && ftruncate(fd, (off_t)a->pstore.size) != 0)
		la_cli_fail("--pstore", path, 1, "%s", strerror(errno));
	else if (st.st_size != 0 && (uint64_t)st.st_size != a->pstore.size) {
		snprintf(why, sizeof(why), "is %llu bytes, not size=%llu: give the size it has, or "
			 "another file", (unsigned long long)st.st_size,
			 (unsigned long long)a->pstore.size);
		la_cli_fail("--pstore", path, 2, "%s", why);
	}
	if (a->explain)
		close(fd);
	else
		a->pstore.fd = fd;
}

static void la_vmrun_load_files(struct la_vmrun *a)
{
	char why[LA_FILE_WHY_MAX];
	int err;

	la_vmrun_check_stdin(a);
	la_vmrun_check_dump(a);
	la_vmrun_load_image(a);
	a->initrd_fd = -1;
	if (a->initrd_path) {
		err = la_file_open_regular(a->initrd_path, &a->initrd_fd, &a->img.initrd_size, why);
		if (err)
			la_vmrun_file_die("--initrd", a->initrd_path, err, why, -LA_ERR_PIPE,
					  " (its size must be known before it is placed)");
		if (a->img.initrd_size == 0)
			la_vmrun_die("--initrd", a->initrd_path, la_strerror(-LA_ERR_INITRDEMPTY));
	}
	if (a->fdt_path) {
		a->dtb = la_vmrun_slurp("--fdt", a->fdt_path, LA_FILE_STDIN | LA_FILE_PIPE, 1 << 24,
					NULL, &a->dtb_len);
		/* checked in the parser child: la_vmrun_fdt_build */
	}
	if (a->overlays.n) { /* read now, parsed in the parser child */
		char ov_why[LA_OV_WHY_MAX];
		unsigned i;

		if (la_overlay_list_read(&a->overlays, &i, ov_why))
			la_vmrun_die("--overlay", a->overlays.o[i].arg, ov_why);
	}
	la_fdtopts_read(&a->fdt, &a->vm.cfg);
	la_vmrun_open_disks(a);
	la_vmrun_open_pstore(a);
	la_vmrun_fwcfg_load(a);
	la_vmrun_pflash_open(a);
}

/* ---- building ---- */

/* The option or file a build error is about. */
void la_vmrun_build_fail(const struct la_vmrun *a, int err)
{
	const char *what = "build", *path = NULL;
	char reason[200];

	switch (-err) {
	case LA_ERR_NOTKERNEL: case LA_ERR_BZSIZE: case LA_ERR_ELFLOAD: case LA_ERR_ELFENTRY:
	case LA_ERR_MULTIBOOT: case LA_ERR_MBLOAD: case LA_ERR_MB4G:
	case LA_ERR_KERNELSIZE: case LA_ERR_KERNELTRUNC:
	case LA_ERR_KERNELFIT:
		what = "KERNEL", path = a->kernel_path;
		break;
	case LA_ERR_CMDLINE: case LA_ERR_CMDLINECHAR:
		what = "--cmdline";
		break;
	case LA_ERR_INITRDFIT: case LA_ERR_INITRDEMPTY: case LA_ERR_CHANGED:
		what = "--initrd", path = a->initrd_path;
		break;
	case LA_ERR_DTBSIZE:
		what = "--fdt", path = a->fdt_path;
		break;
	case LA_ERR_BIOSPROT:
		what = "--bios", path = a->vm.cfg.bios_path;
		break;
	case LA_ERR_CPUS:
		what = "--cpus";
		break;
	default:
		break;
	}
	if (err == -LA_ERR_CMDLINE) {
		size_t len, max;

		a->vm.cfg.arch->boot_cmdline(a->boot, &len, &max);
		snprintf(reason, sizeof(reason), "%s (%zu characters; this kernel takes %zu)",
			 la_strerror(err), len, max);
	}
	else if (err == -LA_ERR_INITRDFIT)
		snprintf(reason, sizeof(reason), "%s (%llu bytes, %s of guest memory)",
			 la_strerror(err), (unsigned long long)a->img.initrd_size,
			 a->vm.arg[LA_VMOPT_MEM] ? a->vm.arg[LA_VMOPT_MEM] : "256M");
	else
		snprintf(reason, sizeof(reason), "%s", la_strerror(err));
	la_vmrun_die(what, path, reason);
}

/* The platform's devices and their grants (la-alloc --platform's). */
static void la_vmrun_resources(struct la_vmrun *a)
{
	struct la_platform_opts o = LA_PLATFORM_OPTS_DEFAULT;
	char name[LA_DEV_NAME_MAX + 1];
	int err;

	o.acpi = !a->no_acpi;
	o.pstore = a->pstore.arg ? a->pstore.size : 0;
	err = la_vm_resources(&a->vm.cfg, &a->vm.layout, &a->vm.mem, &o, &a->res);
	if (err && a->res.failed && !strcmp(a->res.failed, la_dev_pstore.name))
		la_cli_fail("--pstore", a->pstore.arg, 2, "%s", la_strerror(err));
	if (err == -LA_ERR_NOSPACE && a->pstore.arg && !a->res.failed)
		la_cli_fail("--pstore", a->pstore.arg, 2, "%s (larger than high MMIO)",
			    la_strerror(err));
	if (err)
		la_vmrun_die("resources", NULL, la_strerror(err));
	/* the user's devices, after the arch's, as la-alloc --platform
	 * --device TYPE... would add them: disks, networks, console, rng, vsock */
	for (unsigned i = 0; !err && i < a->ndisks; i++)
		err = la_vm_res_add(&a->res, &la_dev_virtio_blk, a->disk[i].name);
	for (unsigned i = 0; !err && i < a->nnets; i++)
		err = la_vm_res_add(&a->res, &la_dev_virtio_net, a->net[i].name);
	if (!err && a->console_virtio)
		err = la_vm_res_add(&a->res, &la_dev_virtio_console, a->cons_name);
	if (!err && a->rng)
		err = la_vm_res_add(&a->res, &la_dev_virtio_rng, a->rng_name);
	if (!err && a->vsock.arg)
		err = la_vm_res_add(&a->res, &la_dev_virtio_vsock, a->vsock.name);
	/* fw_cfg: fixed ports, so its place among the devices changes no grant */
	if (!err && a->fwcfg.o.n)
		err = la_vm_res_add_named(&a->res, &la_dev_fw_cfg, la_dev_fw_cfg.name);
	/* pflash: fixed MMIO below the BIOS (§3.6 step 13) */
	if (!err)
		err = la_vmrun_pflash_add(a);
	/* pvpanic last of the PCI devices, as crosvm's create_devices pushes it */
	if (!err && a->pvpanic)
		err = la_vm_res_add_named(&a->res, &la_dev_pvpanic, la_dev_pvpanic.name);
	/* --pci-hotplug-slots: the controller, then the slots (la-alloc
	 * --pci-hotplug-slots N names them alike) */
	if (!err && a->hotplug_slots)
		err = la_vm_res_add(&a->res, &la_dev_pci_hotplug, name);
	for (unsigned i = 0; !err && i < a->hotplug_slots; i++)
		err = la_vm_res_add(&a->res, &la_dev_pci_slot, name);
	/* --control on x86_64 with ACPI: the virtual PMC, for la-vmctl suspend
	 * and resume (after the hot-plug controller: its GPE stays 0) */
	if (!err && a->control_path && a->vm.cfg.arch->id == LA_ARCH_X86_64 && !a->no_acpi)
		err = la_vm_res_add_named(&a->res, &la_dev_vpmc, la_dev_vpmc.name);
	/* the goldfish battery after the PCI devices' BARs, as build_vm's
	 * step 22 comes after generate_pci_root (§4.5) */
	if (!err && a->battery)
		err = la_vm_res_add_named(&a->res, &la_dev_battery, la_dev_battery.name);
	if (err)
		la_vmrun_die("resources", a->res.failed, la_strerror(err));
}

/* --hugepages and the pool is too small: how many pages the guest needs,
 * how many the host has free. */
static void la_vmrun_hugepages_fail(const struct la_vmrun *a)
{
	char line[128], why[256];
	unsigned long long free_pages = 0;
	bool known = false;
	FILE *f = fopen("/proc/meminfo", "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "HugePages_Free: %llu", &free_pages) == 1)
			known = true;
	if (f)
		fclose(f);
	snprintf(why, sizeof(why), "the guest's RAM needs %llu free 2 MiB huge pages, the host "
		 "has %s%llu (raise /proc/sys/vm/nr_hugepages)",
		 (unsigned long long)la_gmem_huge_pages(&a->vm.mem), known ? "" : "? ",
		 free_pages);
	la_cli_fail("--hugepages", NULL, 1, "%s", why);
}

static void la_vmrun_build(struct la_vmrun *a)
{
	const struct la_vm_config *c = &a->vm.cfg;
	int err;

	if (!a->dt && a->ser_earlycon >= 0) {
		char com[16];

		snprintf(com, sizeof(com), "com%d", a->ser_earlycon + 1);
		a->img.console_port = (uint16_t)la_vm_res_io(&a->res, com);
	}
	a->img = (struct la_vm_image){
		.image = a->image, .image_len = a->image_len, .is_bios = c->bios_path != NULL,
		.initrd_fd = a->initrd_fd, .initrd_size = a->img.initrd_size,
		.cmdline = a->cmdline, .console = a->ser_console,
		.earlycon = a->ser_earlycon >= 0, .hvc0 = a->serial[LA_SER_HVC].console, .plat = &a->res.plat,
		.dtb = a->dtb, .dtb_len = a->dtb_len, .no_acpi = a->no_acpi,
		.split_irqchip = a->split_irqchip,
		.phys_bits = a->res.phys_bits, .pm_iobase = a->res.pm_iobase,
		.console_port = a->img.console_port, .ramoops = la_vmrun_ramoops(a),
		.plan = a->dt ? &a->plan : NULL, .facts = a->dt ? &a->facts : NULL,
	};
	if (getrandom(a->img.rng_seed, sizeof(a->img.rng_seed), 0) != sizeof(a->img.rng_seed))
		la_vmrun_die("getrandom", NULL, strerror(errno));
	err = la_gmem_map(&a->g, &a->vm.mem, a->hugepages ? LA_GMEM_HUGETLB : LA_GMEM_ANON);
	if (err == -LA_ERR_HUGEPAGES)
		la_vmrun_hugepages_fail(a);
	if (err)
		la_vmrun_die("--mem", a->vm.arg[LA_VMOPT_MEM], la_strerror(err));
	if (a->pstore.fd >= 0) {
		const struct la_range *r = la_vmrun_ramoops(a);

		err = la_gmem_add_file(&a->g, r->start, a->pstore.size, a->pstore.fd,
				       LA_REGION_PSTORE);
		if (err)
			la_vmrun_die("--pstore", a->pstore.path, la_strerror(err));
	}
	a->boot = calloc(1, c->arch->vm_boot_size);
	if (!a->boot)
		la_vmrun_die("build_vm", NULL, "out of memory");
	err = c->arch->build_vm(c, &a->vm.layout, &a->vm.mem, &a->img, &a->g, a->boot);
	if (err)
		la_vmrun_build_fail(a, err);
}

/* --dump-fdt FILE|-: written by lib/fileio's rule (a regular file is
 * replaced whole; a device or FIFO written through). */
static void la_vmrun_dump_fdt(const struct la_vmrun *a)
{
	char why[LA_FILE_WHY_MAX];

	if (la_file_write(a->dump_fdt_path, LA_OUT_STDOUT, a->dtb, a->dtb_len, why))
		la_vmrun_die("--dump-fdt", a->dump_fdt_path, why);
}

/* KVM runs guests of the host's own arch: any other is for --explain. */
static void la_vmrun_host_check(const struct la_vmrun *a)
{
	const char *machine;
	const struct la_arch_ops *host = la_arch_host(&machine);
	char reason[200];

	if (a->explain || host == a->vm.cfg.arch)
		return;
	snprintf(reason, sizeof(reason), "KVM runs guests of this host's arch (%s) only; "
		 "--explain (with --dump-fdt) shows the VM of any arch on any host", machine);
	la_cli_fail("--arch", a->vm.cfg.arch->name, 1, "%s", reason);
}

/* --print-seccomp [KIND] */
static int la_vmrun_print_seccomp(const struct la_vmrun *a)
{
	const struct la_sys_table *extra = la_sandbox_extra_table();
	enum la_thread_kind only;
	bool first = true;

	if (a->print_seccomp_kind)
		la_thread_kind_parse(a->print_seccomp_kind, &only);
	for (int k = 0; k < LA_THREAD_KIND_COUNT; k++) {
		if (a->print_seccomp_kind && (enum la_thread_kind)k != only)
			continue;
		if (!first)
			putchar('\n');
		first = false;
		la_sys_table_print(stdout, la_sys_table_get((enum la_thread_kind)k));
	}
	if (extra) {
		putchar('\n');
		la_sys_table_print(stdout, extra);
	}
	return la_cli_flush();
}

/* What main and the options hold: guest RAM, files, copies of arguments
 * (also after parsing alone, as tests/fuzz/fuzz_args_vmrun.c parses). */
static void la_vmrun_free(struct la_vmrun *a)
{
	la_gmem_unmap(&a->g);
	if (a->control_fd >= 0)
		close(a->control_fd);
	if (a->initrd_fd >= 0)
		close(a->initrd_fd);
	free(a->image);
	free(a->dtb);
	free(a->cmdline);
	la_overlay_list_free(&a->overlays);
	la_fdtopts_free(&a->fdt);
	la_vm_res_destroy(&a->res);
	la_vmrun_close_nets(a);
	for (unsigned i = 0; i < a->ndisks; i++) {
		if (a->disk[i].o.fd >= 0)
			close(a->disk[i].o.fd);
		free(a->disk[i].copy);
	}
	if (a->vsock.arg && a->vsock.o.fd >= 0)
		close(a->vsock.o.fd);
	free(a->vsock.copy);
	if (a->pstore.fd >= 0)
		close(a->pstore.fd);
	free(a->pstore.path);
	la_vmrun_serial_free(a);
	la_vmrun_fwcfg_free(a);
	la_vmrun_pflash_close(a);
	free(a->boot);
}

int main(int argc, char **argv)
{
	struct la_vmrun a = { 0 };
	int status;

	clock_gettime(CLOCK_MONOTONIC, &a.t0);
	la_cli_parse(&la_vmrun_argp, argc, argv, &a);
	if (a.print_seccomp)
		return la_vmrun_print_seccomp(&a);
	a.dt = a.vm.cfg.arch->id != LA_ARCH_X86_64;
	la_vmrun_stamp(&a, "options parsed");
	la_vmrun_host_check(&a);
	la_vmrun_control_open(&a);
	la_vmrun_load_files(&a);
	la_vmrun_stamp(&a, "files read");
	la_vmrun_resources(&a);
	la_vmrun_stamp(&a, "layout and grants");
	if (!a.explain && a.nnets) {
		la_vmrun_open_nets(&a);
		la_vmrun_stamp(&a, "taps opened");
	}
	la_vmrun_facts(&a);
	if (a.dt && !a.explain && !a.fdt_path)
		la_vmrun_stamp(&a, "KVM facts for the device tree (a scratch VM)");
	la_vmrun_fdt_build(&a);
	la_vmrun_build(&a);
	la_vmrun_stamp(&a, "build_vm: payload, tables and tree in guest memory");
	if (a.dump_fdt_path)
		la_vmrun_dump_fdt(&a);
	/* the image is in guest memory now: do not keep a second copy
	 * while the guest runs */
	free(a.image);
	a.image = NULL;
	a.img.image = NULL;
	if (a.explain) {
		if (a.json)
			la_vmrun_explain_json(&a);
		else
			la_vmrun_explain(&a);
		status = la_cli_flush();
	} else {
		status = la_vmrun_run(&a);
	}
	la_vmrun_free(&a);
	return status;
}
