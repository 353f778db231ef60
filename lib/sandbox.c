/* SPDX-License-Identifier: MIT */
/*
 * Host-side code: seccomp filters and the jail. Unlike the layout and
 * allocator code this is about the machine we run on, so the register
 * names of the SIGSYS context are per host arch.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "err.h"
#include "sandbox.h"

#define LA_SYS_NAMES 512

static const char *la_sys_names[LA_SYS_NAMES];
static const char *la_sandbox_prog = "la";
static void (*la_sandbox_trap_fn)(void);
static __thread int la_thread_kind = -1;
static __thread unsigned la_thread_index;

static const char *const la_thread_kind_names[LA_THREAD_KIND_COUNT] = {
	[LA_THREAD_MAIN] = "main",
	[LA_THREAD_VCPU] = "vcpu",
	[LA_THREAD_DEVICE] = "device",
	[LA_THREAD_PARSER] = "parser",
	[LA_THREAD_VIRTIO_BLK] = "virtio-blk",
	[LA_THREAD_VIRTIO_RNG] = "virtio-rng",
	[LA_THREAD_VIRTIO_CONSOLE] = "virtio-console",
	[LA_THREAD_VIRTIO_NET] = "virtio-net",
	[LA_THREAD_VIRTIO_VSOCK] = "virtio-vsock",
	[LA_THREAD_CONTROL] = "control",
	[LA_THREAD_SERIAL] = "serial",
};

static const char *const la_seccomp_mode_names[] = {
	[LA_SECCOMP_TRAP] = "trap",
	[LA_SECCOMP_KILL] = "kill",
	[LA_SECCOMP_LOG] = "log",
	[LA_SECCOMP_ERRNO] = "errno",
	[LA_SECCOMP_OFF] = "off",
};

const char *la_thread_kind_name(enum la_thread_kind k)
{
	return la_thread_kind_names[k];
}

int la_thread_kind_parse(const char *s, enum la_thread_kind *out)
{
	for (int i = 0; i < LA_THREAD_KIND_COUNT; i++) {
		if (!strcmp(s, la_thread_kind_names[i])) {
			*out = (enum la_thread_kind)i;
			return 0;
		}
	}
	return -LA_ERR_BADVALUE;
}

const char *la_seccomp_mode_name(enum la_seccomp_mode m)
{
	return la_seccomp_mode_names[m];
}

int la_seccomp_mode_parse(const char *s, enum la_seccomp_mode *out)
{
	for (unsigned i = 0; i < sizeof(la_seccomp_mode_names) / sizeof(la_seccomp_mode_names[0]); i++) {
		if (!strcmp(s, la_seccomp_mode_names[i])) {
			*out = (enum la_seccomp_mode)i;
			return 0;
		}
	}
	return -LA_ERR_BADVALUE;
}

void la_sandbox_set_thread(enum la_thread_kind k, unsigned index)
{
	la_thread_kind = (int)k;
	la_thread_index = index;
}

void la_sandbox_on_trap(void (*fn)(void))
{
	la_sandbox_trap_fn = fn;
}

/* --- the SIGSYS handler: async-signal-safe formatting only ------------- */

struct la_line {
	char buf[512];
	size_t n;
};

static void la_line_str(struct la_line *l, const char *s)
{
	while (*s && l->n < sizeof(l->buf) - 1)
		l->buf[l->n++] = *s++;
}

static void la_line_num(struct la_line *l, uint64_t v, unsigned base)
{
	char tmp[24];
	int i = 0;

	if (base == 16)
		la_line_str(l, "0x");
	do {
		tmp[i++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (i > 0 && l->n < sizeof(l->buf) - 1)
		l->buf[l->n++] = tmp[--i];
}

static void la_sigsys_args(const ucontext_t *uc, uint64_t a[6])
{
#if defined(__x86_64__)
	const greg_t *g = uc->uc_mcontext.gregs;

	a[0] = (uint64_t)g[REG_RDI];
	a[1] = (uint64_t)g[REG_RSI];
	a[2] = (uint64_t)g[REG_RDX];
	a[3] = (uint64_t)g[REG_R10];
	a[4] = (uint64_t)g[REG_R8];
	a[5] = (uint64_t)g[REG_R9];
#elif defined(__aarch64__)
	for (int i = 0; i < 6; i++)
		a[i] = (uint64_t)uc->uc_mcontext.regs[i];     /* x0-x5 */
#elif defined(__riscv)
	for (int i = 0; i < 6; i++)
		a[i] = (uint64_t)uc->uc_mcontext.__gregs[10 + i]; /* a0-a5 are x10-x15 */
#else
	(void)uc;
	memset(a, 0, 6 * sizeof(a[0]));
#endif
}

static void la_sigsys(int sig, siginfo_t *si, void *ucv)
{
	struct la_line l = { .n = 0 };
	uint64_t a[6];
	int nr = si->si_syscall;

	(void)sig;
	la_sigsys_args(ucv, a);
	la_line_str(&l, la_sandbox_prog);
	la_line_str(&l, ": seccomp: ");
	if (la_thread_kind >= 0) {
		la_line_str(&l, la_thread_kind_names[la_thread_kind]);
		la_line_str(&l, " thread ");
		la_line_num(&l, la_thread_index, 10);
	} else {
		la_line_str(&l, "a thread");
	}
	la_line_str(&l, " made a forbidden system call: ");
	la_line_str(&l, nr >= 0 && nr < LA_SYS_NAMES && la_sys_names[nr] ? la_sys_names[nr] : "?");
	la_line_str(&l, " (");
	la_line_num(&l, (uint64_t)nr, 10);
	la_line_str(&l, ") args ");
	for (int i = 0; i < 6; i++) {
		if (i)
			la_line_str(&l, ", ");
		la_line_num(&l, a[i], 16);
	}
	la_line_str(&l, "\n");
	if (la_sandbox_trap_fn)
		la_sandbox_trap_fn();
	if (write(STDERR_FILENO, l.buf, l.n) < 0)
		l.n = 0;
	/* the raw call: a sanitizer's _exit interceptor would run its own
	 * (forbidden) exit-time checks */
	syscall(SYS_exit_group, LA_EXIT_SECCOMP);
}

static int la_sandbox_trap_setup(void)
{
	struct sigaction sa;

	if (!la_sys_names[0]) {
		for (int i = 0; i < LA_SYS_NAMES; i++)
			la_sys_names[i] = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, i);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = la_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) != 0)
		return -LA_ERR_SANDBOX;
	/* a thread that blocked SIGSYS would be killed instead of trapped */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGSYS);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	return 0;
}

static uint32_t la_seccomp_default_action(enum la_seccomp_mode mode)
{
	switch (mode) {
	case LA_SECCOMP_KILL: return SCMP_ACT_KILL_PROCESS;
	case LA_SECCOMP_LOG: return SCMP_ACT_LOG;
	case LA_SECCOMP_ERRNO: return SCMP_ACT_ERRNO(EPERM);
	default: return SCMP_ACT_TRAP;
	}
}

static int la_seccomp_add_rule(scmp_filter_ctx ctx, const struct la_sys_rule *r)
{
	int nr = seccomp_syscall_resolve_name(r->name);

	if (nr == __NR_SCMP_ERROR)
		return -LA_ERR_BADVALUE;
	if (nr < 0)
		return 0; /* a call this host arch does not have (e.g. open on arm64) */
	if (r->nalt == 0) {
		int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);

		return rc && rc != -EEXIST ? -LA_ERR_SANDBOX : 0;
	}
	for (unsigned i = 0; i < r->nalt; i++) {
		const struct la_sys_arg *a = &r->alt[i];
		struct scmp_arg_cmp cmp = a->mask ?
			SCMP_CMP(a->index, SCMP_CMP_MASKED_EQ, a->mask, a->value) :
			SCMP_CMP(a->index, SCMP_CMP_EQ, a->value);

		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1, cmp))
			return -LA_ERR_SANDBOX;
	}
	return 0;
}

int la_sandbox_filter_install(const char *prog, enum la_thread_kind kind,
			      enum la_seccomp_mode mode)
{
	const struct la_sys_table *t = la_sys_table_get(kind), *extra = la_sandbox_extra_table();
	scmp_filter_ctx ctx;
	int err = 0;

	if (mode == LA_SECCOMP_OFF)
		return 0;
	if (prog)
		la_sandbox_prog = prog;
	if (la_thread_kind < 0)
		la_sandbox_set_thread(kind, 0);
	if (mode == LA_SECCOMP_TRAP) {
		err = la_sandbox_trap_setup();
		if (err)
			return err;
	}
	ctx = seccomp_init(la_seccomp_default_action(mode));
	if (!ctx)
		return -LA_ERR_SANDBOX;
	for (unsigned i = 0; i < t->n && !err; i++)
		err = la_seccomp_add_rule(ctx, &t->rules[i]);
	for (unsigned i = 0; extra && i < extra->n && !err; i++)
		err = la_seccomp_add_rule(ctx, &extra->rules[i]);
	if (!err && seccomp_load(ctx) != 0)
		err = -LA_ERR_SANDBOX;
	seccomp_release(ctx);
	return err;
}

/* Test builds link a strong definition (tests/hooks/sandbox_hook.c). */
__attribute__((weak)) void la_sandbox_test_hook(const char *where)
{
	(void)where;
}

/* --- the jail ----------------------------------------------------------- */

static const char *la_jail_step;

static int la_jail_do(const char *step, int rc)
{
	if (rc != 0)
		la_jail_step = step;
	return rc;
}

static int la_jail_root(void)
{
	const char *mnt = "/tmp";
	struct stat st;

	if (stat(mnt, &st) != 0 || !S_ISDIR(st.st_mode))
		mnt = "/mnt";
	/* keep our mounts out of the parent namespace */
	if (la_jail_do("make / private", mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)))
		return -1;
	if (la_jail_do("mount an empty tmpfs", mount("la-jail", mnt, "tmpfs",
			MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=16k,mode=0555")))
		return -1;
	if (la_jail_do("chdir", chdir(mnt)))
		return -1;
	/* pivot_root(".", "."): the old root stacks under the new one */
	if (syscall(SYS_pivot_root, ".", ".") == 0) {
		if (la_jail_do("unmount the old root", umount2(".", MNT_DETACH)))
			return -1;
	} else if (errno == EINVAL) {
		/* the root is an initramfs (rootfs), which cannot be moved:
		 * chroot instead; without capabilities there is no way out */
		if (la_jail_do("chroot", chroot(".")))
			return -1;
	} else {
		return la_jail_do("pivot_root", -1);
	}
	if (la_jail_do("chdir", chdir("/")))
		return -1;
	return la_jail_do("remount / read-only", mount(NULL, "/", NULL,
			  MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));
}

static int la_jail_drop_caps(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	for (int cap = 0; cap < 64; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
			return -1;
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	memset(data, 0, sizeof(data));
	return (int)syscall(SYS_capset, &hdr, data);
}

int la_sandbox_jail(const char **step)
{
	int flags = CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS, err = 0;

	la_jail_step = NULL;
	if (la_jail_do("no_new_privs", prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)))
		err = -LA_ERR_SANDBOX;
	/* unprivileged: a user namespace gives us the right to mount */
	if (!err && unshare(flags) != 0 &&
	    (errno != EPERM || la_jail_do("unshare", unshare(flags | CLONE_NEWUSER))))
		err = -LA_ERR_SANDBOX;
	if (!err && la_jail_root() != 0)
		err = -LA_ERR_SANDBOX;
	if (!err && la_jail_do("drop capabilities", la_jail_drop_caps()))
		err = -LA_ERR_SANDBOX;
	if (err && step)
		*step = la_jail_step ? la_jail_step : "unshare";
	return err;
}
