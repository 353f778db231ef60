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
#include <linux/kvm.h>
#include <sys/mman.h>

#include "sandbox.h"

#define ALLOW(n) { .name = n }
#define ARG(i, v, w) { .index = i, .value = (v), .what = w }
#define ARGMASK(i, m, v, w) { .index = i, .mask = (m), .value = (v), .what = w }
#define NOEXEC(i) ARGMASK(i, PROT_EXEC, 0, "prot without PROT_EXEC")

/* what any thread may do to exit, be signalled, lock and tell the time */
#define LA_SYS_COMMON                                                          \
	ALLOW("exit"), ALLOW("exit_group"), ALLOW("rt_sigreturn"),             \
	ALLOW("restart_syscall"), ALLOW("futex"), ALLOW("rt_sigprocmask"),     \
	ALLOW("clock_gettime"), ALLOW("gettid"), ALLOW("getpid"),              \
	ALLOW("sched_yield"), ALLOW("write"), ALLOW("madvise")

static const struct la_sys_rule la_sys_vcpu[] = {
	LA_SYS_COMMON,
	{ .name = "ioctl", .nalt = 8, .alt = {
		ARG(1, KVM_RUN, "KVM_RUN"),
		ARG(1, KVM_GET_REGS, "KVM_GET_REGS"),
		ARG(1, KVM_GET_SREGS, "KVM_GET_SREGS"),
		ARG(1, KVM_SET_REGS, "KVM_SET_REGS"),
		ARG(1, KVM_IRQ_LINE, "KVM_IRQ_LINE"),
		ARG(1, KVM_IRQ_LINE_STATUS, "KVM_IRQ_LINE_STATUS"),
		ARG(1, TCSETS, "TCSETS"),
		ARG(1, TCGETS, "TCGETS"),
	} },
	ALLOW("tgkill"),
	ALLOW("clock_nanosleep"),
};

static const struct la_sys_rule la_sys_device[] = {
	LA_SYS_COMMON,
	ALLOW("read"),
	ALLOW("ppoll"),
	ALLOW("poll"),
	ALLOW("epoll_wait"),
	ALLOW("epoll_pwait"),
	ALLOW("clock_nanosleep"),
	ALLOW("nanosleep"),
	ALLOW("tgkill"),
	{ .name = "ioctl", .nalt = 5, .alt = {
		ARG(1, KVM_IRQ_LINE, "KVM_IRQ_LINE"),
		ARG(1, KVM_IRQ_LINE_STATUS, "KVM_IRQ_LINE_STATUS"),
		ARG(1, TCSETS, "TCSETS"),
		ARG(1, TCGETS, "TCGETS"),
		ARG(1, FIONREAD, "FIONREAD"),
	} },
};

static const struct la_sys_rule la_sys_main[] = {
	LA_SYS_COMMON,
	ALLOW("close"),
	ALLOW("munmap"),
	ALLOW("rt_sigaction"),
	ALLOW("tgkill"),
	ALLOW("ppoll"),
	ALLOW("poll"),
	ALLOW("clock_nanosleep"),
	{ .name = "ioctl", .nalt = 2, .alt = {
		ARG(1, TCSETS, "TCSETS"),
		ARG(1, TCGETS, "TCGETS"),
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
};

const struct la_sys_table *la_sys_table_get(enum la_thread_kind k)
{
	return &la_sys_tables[k];
}

void la_sys_table_print(FILE *f, const struct la_sys_table *t)
{
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
