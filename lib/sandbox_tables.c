/* SPDX-License-Identifier: MIT */
/*
 * The seccomp allowlists, one table per thread kind: the system calls each
 * kind makes in steady state, after setup. Read them as a list; print them
 * with `la-vmrun --print-seccomp [KIND]`.
 *
 * Every table has what the SIGSYS handler itself needs (write, exit_group,
 * rt_sigreturn, the terminal-restoring ioctl), or a trap would recurse.
 */
#include <asm/ioctls.h>
#include <linux/if_tun.h>
#include <linux/kvm.h>
#include <linux/vhost.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "ctl.h"
#include "sandbox.h"

#define ALLOW(n) { .name = n }
#define ARG(i, v, w) { .index = i, .value = (v), .what = w }
#define ARGMASK(i, m, v, w) { .index = i, .mask = (m), .value = (v), .what = w }
#define NOEXEC(i) ARGMASK(i, PROT_EXEC, 0, "prot without PROT_EXEC")

/* What any thread may do: exit, block and take signals (SIGUSR1 kicks a
 * vCPU out of KVM_RUN; la-vmrun re-raises a fatal signal after restoring
 * the terminal: tgkill on itself), lock, tell the time, write (the console,
 * the trap message), give stack pages back at thread exit. */
#define LA_SYS_COMMON                                                          \
	ALLOW("exit"), ALLOW("exit_group"), ALLOW("rt_sigreturn"),             \
	ALLOW("restart_syscall"), ALLOW("futex"), ALLOW("rt_sigprocmask"),     \
	ALLOW("clock_gettime"), ALLOW("gettid"), ALLOW("getpid"),              \
	ALLOW("tgkill"), ALLOW("write"), ALLOW("madvise")

/* The --control socket and the serial sockets (--serial type=unix),
 * removed on every way out of la-vmrun: at exit, from a fatal signal's
 * handler or the trap's, in whichever thread takes it; by name in their
 * directories, held at fixed descriptors (lib/ctl.h: LA_SOCK_SLOTS of
 * them up to LA_CTL_DIRFD), as the jail's root has no path to them. */
#define LA_SYS_CTL_UNLINK                                                      \
	{ .name = "unlinkat", .nalt = 1, .alt = {                              \
		ARGMASK(0, ~(uint64_t)(LA_SOCK_SLOTS - 1), LA_CTL_DIRFD & ~(LA_SOCK_SLOTS - 1), \
			"the --control and serial sockets' directories") } }

/* The terminal: restored by the trap handler and on a fatal signal, in
 * whichever thread takes it; glibc's tcsetattr() reads the settings
 * (TCGETS) before it writes them (TCSETS). */
#define LA_SYS_TTY ARG(1, TCGETS, "TCGETS"), ARG(1, TCSETS, "TCSETS")

/* A vCPU thread: KVM_RUN and the exits it handles (port IO and MMIO on the
 * devices, interrupts through the in-kernel irqchip or riscv64's PLIC,
 * console output, a virtio queue notification written to its eventfd
 * where KVM's ioeventfd is not in place); the registers for the crash
 * report. */
static const struct la_sys_rule la_sys_vcpu[] = {
	LA_SYS_COMMON,
	LA_SYS_CTL_UNLINK,
	{ .name = "ioctl", .nalt = 11, .alt = {
		ARG(1, KVM_RUN, "KVM_RUN"),
		ARG(1, KVM_IRQ_LINE, "KVM_IRQ_LINE"),
		ARG(1, KVM_SIGNAL_MSI, "KVM_SIGNAL_MSI (x86_64's split irqchip: the IOAPIC)"),
		ARG(1, KVM_IOEVENTFD, "KVM_IOEVENTFD (a virtio queue enabled, a BAR moved)"),
		ARG(1, KVM_SET_GSI_ROUTING, "KVM_SET_GSI_ROUTING (an MSI-X entry written)"),
		ARG(1, KVM_INTERRUPT, "KVM_INTERRUPT (riscv64's PLIC)"),
		ARG(1, KVM_GET_ONE_REG, "KVM_GET_ONE_REG (arm64 and riscv64 registers)"),
		ARG(1, KVM_GET_REGS, "KVM_GET_REGS"),
		ARG(1, KVM_GET_SREGS, "KVM_GET_SREGS"),
		LA_SYS_TTY,
	} },
};

/* The device thread: standard input to COM1 (poll, read), its interrupt,
 * a short sleep while the guest's receive FIFO is full. The aarch64 stall
 * detector's thread (lib/dev/vmwdt.c) needs no more: ppoll on its eventfd,
 * read, clock_gettime on the vCPU threads' CPU-time clocks. */
static const struct la_sys_rule la_sys_device[] = {
	LA_SYS_COMMON,
	LA_SYS_CTL_UNLINK,
	ALLOW("read"),
	ALLOW("poll"),
	ALLOW("ppoll"),
	ALLOW("clock_nanosleep"),
	{ .name = "ioctl", .nalt = 5, .alt = {
		ARG(1, KVM_IRQ_LINE, "KVM_IRQ_LINE"),
		ARG(1, KVM_SIGNAL_MSI, "KVM_SIGNAL_MSI (x86_64's split irqchip: the IOAPIC)"),
		ARG(1, KVM_INTERRUPT, "KVM_INTERRUPT (riscv64's PLIC)"),
		LA_SYS_TTY,
	} },
};

/* What every virtio device thread does: sleep in ppoll on its eventfds
 * (read them), signal (write) and raise its INTx. */
#define LA_SYS_VIRTIO_IOCTLS                                                   \
	ARG(1, KVM_IRQ_LINE, "KVM_IRQ_LINE (INTx)"),                           \
	ARG(1, KVM_SIGNAL_MSI, "KVM_SIGNAL_MSI (INTx through the split IOAPIC)"), \
	ARG(1, KVM_INTERRUPT, "KVM_INTERRUPT (riscv64's PLIC)"),               \
	LA_SYS_TTY
#define LA_SYS_VIRTIO                                                          \
	ALLOW("ppoll"), ALLOW("read"), LA_SYS_CTL_UNLINK,                      \
	{ .name = "ioctl", .nalt = 5, .alt = { LA_SYS_VIRTIO_IOCTLS } }

/* virtio-blk: reads and writes of its image (preadv/pwritev), fdatasync
 * for FLUSH, fallocate for DISCARD and WRITE_ZEROES. */
static const struct la_sys_rule la_sys_virtio_blk[] = {
	LA_SYS_COMMON,
	LA_SYS_VIRTIO,
	ALLOW("preadv"),
	ALLOW("pwritev"),
	ALLOW("fdatasync"),
	ALLOW("fallocate"),
};

/* virtio-rng: getrandom into the guest's buffers. */
static const struct la_sys_rule la_sys_virtio_rng[] = {
	LA_SYS_COMMON,
	LA_SYS_VIRTIO,
	ALLOW("getrandom"),
};

/* virtio-console: typed bytes in (its eventfd), the guest's out (write). */
static const struct la_sys_rule la_sys_virtio_console[] = {
	LA_SYS_COMMON,
	LA_SYS_VIRTIO,
};

/* What a device thread whose queues a vhost backend serves does at
 * DRIVER_OK and on a reset (lib/virtio/vhost.h): 7 alternatives of ioctl. */
#define LA_SYS_VHOST                                                           \
	ARG(1, VHOST_SET_FEATURES, "VHOST_SET_FEATURES"),                      \
	ARG(1, VHOST_SET_MEM_TABLE, "VHOST_SET_MEM_TABLE"),                    \
	ARG(1, VHOST_SET_VRING_NUM, "VHOST_SET_VRING_NUM"),                    \
	ARG(1, VHOST_SET_VRING_BASE, "VHOST_SET_VRING_BASE"),                  \
	ARG(1, VHOST_SET_VRING_ADDR, "VHOST_SET_VRING_ADDR"),                  \
	ARG(1, VHOST_SET_VRING_KICK, "VHOST_SET_VRING_KICK"),                  \
	ARG(1, VHOST_SET_VRING_CALL, "VHOST_SET_VRING_CALL")

/* virtio-net: packets from its tap into the guest's buffers (readv) and
 * back (writev), the guest's offloads set on the tap (TUNSETOFFLOAD); with
 * vhost-net, the queues and the tap to the kernel at DRIVER_OK (the
 * lib/virtio/vhost.h ioctls and VHOST_NET_SET_BACKEND), taken back on a
 * reset, and its interrupts relayed (their call eventfds, read). */
static const struct la_sys_rule la_sys_virtio_net[] = {
	LA_SYS_COMMON,
	ALLOW("ppoll"), ALLOW("read"), ALLOW("readv"), ALLOW("writev"), LA_SYS_CTL_UNLINK,
	{ .name = "ioctl", .nalt = 14, .alt = {
		LA_SYS_VIRTIO_IOCTLS,
		ARG(1, TUNSETOFFLOAD, "TUNSETOFFLOAD (the guest's offloads)"),
		LA_SYS_VHOST,
		ARG(1, VHOST_NET_SET_BACKEND, "VHOST_NET_SET_BACKEND"),
	} },
};

/* virtio-vsock: the interrupts of the queues vhost-vsock serves (their
 * call eventfds, read) and the event queue; at DRIVER_OK the queues to
 * the kernel (lib/virtio/vhost.h's ioctls), then running; on a reset or
 * the stop, not running and the eventfds taken back. */
static const struct la_sys_rule la_sys_virtio_vsock[] = {
	LA_SYS_COMMON,
	ALLOW("ppoll"),
	ALLOW("read"),
	LA_SYS_CTL_UNLINK,
	{ .name = "ioctl", .nalt = 13, .alt = {
		LA_SYS_VIRTIO_IOCTLS,
		LA_SYS_VHOST,
		ARG(1, VHOST_VSOCK_SET_RUNNING, "VHOST_VSOCK_SET_RUNNING"),
	} },
};

/* The main thread: waits for the guest's fate, stops and joins the other
 * threads, closes the KVM objects, unmaps guest memory, reports, exits. */
static const struct la_sys_rule la_sys_main[] = {
	LA_SYS_COMMON,
	LA_SYS_CTL_UNLINK,
	ALLOW("close"),
	ALLOW("munmap"),
	ALLOW("brk"),
	{ .name = "ioctl", .nalt = 2, .alt = { LA_SYS_TTY } },
};

/* The --control socket's thread: takes connections (accept4), reads
 * requests with the descriptor add disk passes (recvmsg, SCM_RIGHTS) and
 * sends replies (sendto: send without SIGPIPE), waits in poll; jansson
 * parses each request in memory it mallocs (a thread's malloc arena is
 * mmap'd and mprotect'd, never executable).
 *
 * PCI hot-plug runs here too (la-vmctl add and remove): the image is
 * locked and sized (fcntl, fstat, lseek, pread64 for direct's alignment
 * probe), or the tap checked and set up (TUNGETIFF, fcntl for
 * O_NONBLOCK, TUNSETVNETHDRSZ, TUNSETOFFLOAD), the device's eventfds made, KVM told of its queue
 * notifications, MSI-X routes and irqfds, the guest told through the
 * SCI (KVM_IRQ_LINE), and the device's thread started: the thread
 * starts under this filter (clone3, set_robust_list, rseq, its name with
 * prctl) and installs its own on top (prctl, seccomp, the trap's
 * rt_sigaction). Filters stack, so this list also holds every call of
 * the hot-pluggable devices' allowlists (virtio-blk: preadv, pwritev,
 * fdatasync, fallocate; virtio-net on the userspace backend: readv,
 * writev, TUNSETOFFLOAD). */
static const struct la_sys_rule la_sys_control[] = {
	LA_SYS_COMMON,
	LA_SYS_CTL_UNLINK,
	ALLOW("accept4"),
	ALLOW("read"),
	ALLOW("recvmsg"),
	ALLOW("sendto"),
	ALLOW("poll"),
	ALLOW("ppoll"),
	ALLOW("close"),
	ALLOW("brk"),
	ALLOW("munmap"),
	ALLOW("mremap"),
	{ .name = "mmap", .nalt = 1, .alt = { NOEXEC(2) } },
	{ .name = "mprotect", .nalt = 1, .alt = { NOEXEC(2) } },
	/* hot-plug: the image, the device's setup */
	ALLOW("fcntl"),
	ALLOW("fstat"),
	ALLOW("newfstatat"),
	ALLOW("lseek"),
	ALLOW("pread64"),
	ALLOW("eventfd2"),
	/* hot-plug: the device's thread, started and filtered */
	ALLOW("clone"),
	ALLOW("clone3"),
	ALLOW("set_robust_list"),
	ALLOW("rseq"),
	ALLOW("prctl"),
	ALLOW("seccomp"),
	ALLOW("rt_sigaction"),
	/* hot-plug: what the device's thread does, its allowlist on top */
	ALLOW("preadv"),
	ALLOW("pwritev"),
	ALLOW("fdatasync"),
	ALLOW("fallocate"),
	ALLOW("readv"),
	ALLOW("writev"),
	{ .name = "ioctl", .nalt = 11, .alt = {
		LA_SYS_TTY,
		ARG(1, TUNGETIFF, "TUNGETIFF (a hot-plugged tap checked)"),
		ARG(1, TUNSETVNETHDRSZ, "TUNSETVNETHDRSZ (its 12-byte header)"),
		ARG(1, TUNSETOFFLOAD, "TUNSETOFFLOAD (its offloads: none, then the guest's)"),
		ARG(1, KVM_IOEVENTFD, "KVM_IOEVENTFD (a hot-plugged device's queues)"),
		ARG(1, KVM_IRQFD, "KVM_IRQFD (its MSI-X vectors)"),
		ARG(1, KVM_SET_GSI_ROUTING, "KVM_SET_GSI_ROUTING (its MSI-X routes)"),
		ARG(1, KVM_IRQ_LINE, "KVM_IRQ_LINE (the SCI, its INTx)"),
		ARG(1, KVM_SIGNAL_MSI, "KVM_SIGNAL_MSI (the SCI, its INTx, through the split IOAPIC)"),
		ARG(1, KVM_INTERRUPT, "KVM_INTERRUPT (riscv64's PLIC, in the device's list)"),
	} },
};

/* The serial thread (--serial type=unix, type=syslog): what the guest
 * writes to those ports comes out of a pipe (read) and goes to the
 * attached client (sendto: send, never SIGPIPE) or to syslog(3) (sendto
 * on its /dev/log socket, connected before the jail; socket and connect
 * when glibc tries again, and fails, in the jail; a message's buffer
 * malloc'd); a client is taken (accept4), what it types fed to the port
 * (read, its interrupt; a short sleep while the receive FIFO is full),
 * a second one or a gone one closed; it waits in poll. */
static const struct la_sys_rule la_sys_serial[] = {
	LA_SYS_COMMON,
	LA_SYS_CTL_UNLINK,
	ALLOW("read"),
	ALLOW("poll"),
	ALLOW("ppoll"),
	ALLOW("accept4"),
	ALLOW("sendto"),
	ALLOW("close"),
	ALLOW("clock_nanosleep"),
	{ .name = "socket", .nalt = 1, .alt = { ARG(0, AF_UNIX, "AF_UNIX (syslog's /dev/log)") } },
	ALLOW("connect"),
	ALLOW("brk"),
	ALLOW("munmap"),
	{ .name = "mmap", .nalt = 1, .alt = { NOEXEC(2) } },
	{ .name = "ioctl", .nalt = 4, .alt = {
		ARG(1, KVM_IRQ_LINE, "KVM_IRQ_LINE"),
		ARG(1, KVM_INTERRUPT, "KVM_INTERRUPT (riscv64's PLIC)"),
		LA_SYS_TTY,
	} },
};

/* a program parsing untrusted input once it is open: read, compute, write */
static const struct la_sys_rule la_sys_parser[] = {
	LA_SYS_COMMON,
	ALLOW("read"),
	ALLOW("pread64"),
	ALLOW("lseek"),
	ALLOW("fstat"),
	ALLOW("newfstatat"),
	ALLOW("close"),
	ALLOW("brk"),
	ALLOW("munmap"),
	ALLOW("mremap"),
	ALLOW("getrandom"),
	{ .name = "mmap", .nalt = 1, .alt = { NOEXEC(2) } },
	{ .name = "mprotect", .nalt = 1, .alt = { NOEXEC(2) } },
	{ .name = "ioctl", .nalt = 1, .alt = { ARG(1, TCGETS, "TCGETS (isatty)") } },
};

#define TABLE(k_, name_, r_) [k_] = { .kind = k_, .name = name_, .rules = r_, .n = sizeof(r_) / sizeof(r_[0]) }

static const struct la_sys_table la_sys_tables[LA_THREAD_KIND_COUNT] = {
	TABLE(LA_THREAD_MAIN, "main", la_sys_main),
	TABLE(LA_THREAD_VCPU, "vcpu", la_sys_vcpu),
	TABLE(LA_THREAD_DEVICE, "device", la_sys_device),
	TABLE(LA_THREAD_PARSER, "parser", la_sys_parser),
	TABLE(LA_THREAD_VIRTIO_BLK, "virtio-blk", la_sys_virtio_blk),
	TABLE(LA_THREAD_VIRTIO_RNG, "virtio-rng", la_sys_virtio_rng),
	TABLE(LA_THREAD_VIRTIO_CONSOLE, "virtio-console", la_sys_virtio_console),
	TABLE(LA_THREAD_VIRTIO_NET, "virtio-net", la_sys_virtio_net),
	TABLE(LA_THREAD_VIRTIO_VSOCK, "virtio-vsock", la_sys_virtio_vsock),
	TABLE(LA_THREAD_CONTROL, "control", la_sys_control),
	TABLE(LA_THREAD_SERIAL, "serial", la_sys_serial),
};

const struct la_sys_table *la_sys_table_get(enum la_thread_kind k)
{
	return &la_sys_tables[k];
}

/* What AddressSanitizer's exit-time leak check (LeakSanitizer) does: it
 * stops the world from a cloned task that ptraces every thread, and reads
 * /proc/self/maps and /proc/self/task (open, read, lseek, close; the
 * tracer's stack: mmap, its guard page: mprotect PROT_NONE). And what
 * ASan's allocator and threads do in any thread: map and unmap its chunks
 * (mmap never executable; seen from every device thread and the vCPUs of
 * a running VM: the hostile guest's suite, and a vCPU's malloc in the
 * emulated host's Linux boot, tests/bats/vmrun_vm_san.bats), unmap a
 * thread's own state when it ends (munmap: the device thread, once
 * standard input is at its end). Only in sanitizer builds, which `make
 * check` tests; an installed la-vmrun never has it. */
#if defined(__SANITIZE_ADDRESS__)
static const struct la_sys_rule la_sys_sanitizer[] = {
	ALLOW("open"), ALLOW("getdents"), ALLOW("sched_yield"), ALLOW("getppid"), ALLOW("rt_sigaction"), ALLOW("sigaltstack"), ALLOW("prctl"), ALLOW("clone"), ALLOW("ptrace"), ALLOW("wait4"),
	ALLOW("munmap"), { .name = "mmap", .nalt = 1, .alt = { NOEXEC(2) } },
	{ .name = "mprotect", .nalt = 1, .alt = { NOEXEC(2) } },
	ALLOW("read"), ALLOW("lseek"), ALLOW("close"),
};

static const struct la_sys_table la_sys_extra = {
	.kind = LA_THREAD_KIND_COUNT, .name = "sanitizer",
	.rules = la_sys_sanitizer, .n = sizeof(la_sys_sanitizer) / sizeof(la_sys_sanitizer[0]),
};

const struct la_sys_table *la_sandbox_extra_table(void)
{
	return &la_sys_extra;
}
#else
const struct la_sys_table *la_sandbox_extra_table(void)
{
	return NULL;
}
#endif

void la_sys_table_print(FILE *f, const struct la_sys_table *t)
{
	if (t->kind == LA_THREAD_KIND_COUNT)
		fprintf(f, "every thread, in this sanitizer build only: %u system calls\n", t->n);
	else
		fprintf(f, "%s thread: %u system calls\n", t->name, t->n);
	for (unsigned i = 0; i < t->n; i++) {
		const struct la_sys_rule *r = &t->rules[i];

		fprintf(f, "  %s", r->name);
		for (unsigned j = 0; j < r->nalt; j++) {
			const struct la_sys_arg *a = &r->alt[j];

			fprintf(f, "%s arg%u", j ? " |" : " if", a->index);
			if (a->mask)
				fprintf(f, " & 0x%llx", (unsigned long long)a->mask);
			fprintf(f, " == 0x%llx (%s)", (unsigned long long)a->value, a->what);
		}
		fputc('\n', f);
	}
}
