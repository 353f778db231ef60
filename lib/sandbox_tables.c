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
#include <sys/mman.h>

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
	{ .name = "ioctl", .nalt = 10, .alt = {
		ARG(1, KVM_RUN, "KVM_RUN"),
		ARG(1, KVM_IRQ_LINE, "KVM_IRQ_LINE"),
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
 * a short sleep while the guest's receive FIFO is full. */
static const struct la_sys_rule la_sys_device[] = {
	LA_SYS_COMMON,
	ALLOW("read"),
	ALLOW("poll"),
	ALLOW("ppoll"),
	ALLOW("clock_nanosleep"),
	{ .name = "ioctl", .nalt = 4, .alt = {
		ARG(1, KVM_IRQ_LINE, "KVM_IRQ_LINE"),
		ARG(1, KVM_INTERRUPT, "KVM_INTERRUPT (riscv64's PLIC)"),
		LA_SYS_TTY,
	} },
};

/* What every virtio device thread does: sleep in ppoll on its eventfds
 * (read them), signal (write) and raise its INTx. */
#define LA_SYS_VIRTIO                                                          \
	ALLOW("ppoll"), ALLOW("read"),                                         \
	{ .name = "ioctl", .nalt = 4, .alt = {                                 \
		ARG(1, KVM_IRQ_LINE, "KVM_IRQ_LINE (INTx)"),                   \
		ARG(1, KVM_INTERRUPT, "KVM_INTERRUPT (riscv64's PLIC)"),       \
		LA_SYS_TTY,                                                    \
	} }

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

/* virtio-net: packets from its tap into the guest's buffers (readv) and
 * back (writev), the guest's offloads set on the tap (TUNSETOFFLOAD). */
static const struct la_sys_rule la_sys_virtio_net[] = {
	LA_SYS_COMMON,
	ALLOW("ppoll"), ALLOW("read"), ALLOW("readv"), ALLOW("writev"),
	{ .name = "ioctl", .nalt = 5, .alt = {
		ARG(1, KVM_IRQ_LINE, "KVM_IRQ_LINE (INTx)"),
		ARG(1, KVM_INTERRUPT, "KVM_INTERRUPT (riscv64's PLIC)"),
		ARG(1, TUNSETOFFLOAD, "TUNSETOFFLOAD (the guest's offloads)"),
		LA_SYS_TTY,
	} },
};

/* The main thread: waits for the guest's fate, stops and joins the other
 * threads, closes the KVM objects, unmaps guest memory, reports, exits. */
static const struct la_sys_rule la_sys_main[] = {
	LA_SYS_COMMON,
	ALLOW("close"),
	ALLOW("munmap"),
	ALLOW("brk"),
	{ .name = "ioctl", .nalt = 2, .alt = { LA_SYS_TTY } },
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
};

const struct la_sys_table *la_sys_table_get(enum la_thread_kind k)
{
	return &la_sys_tables[k];
}

/* What AddressSanitizer's exit-time leak check (LeakSanitizer) does: it
 * stops the world from a cloned task that ptraces every thread, and reads
 * /proc/self/maps and /proc/self/task. Only in sanitizer builds, which
 * `make check` tests; an installed la-vmrun never has it. */
#if defined(__SANITIZE_ADDRESS__)
static const struct la_sys_rule la_sys_sanitizer[] = {
	ALLOW("open"), ALLOW("getdents"), ALLOW("sched_yield"), ALLOW("getppid"), ALLOW("rt_sigaction"), ALLOW("sigaltstack"), ALLOW("prctl"), ALLOW("clone"), ALLOW("ptrace"), ALLOW("wait4"),
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
