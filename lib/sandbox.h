/* SPDX-License-Identifier: MIT */
/*
 * Sandboxing: per-thread seccomp allowlists (libseccomp) that explain
 * themselves when they fire, and a jail (namespaces, an empty read-only
 * root, no capabilities).
 *
 * Each thread kind has one allowlist table (lib/sandbox_tables.c), readable
 * as a list: system call names with optional argument rules. A thread
 * installs its kind's filter with la_sandbox_filter_install() once its
 * setup is done; filters stack, so a thread created after another thread
 * installed a filter is bound by both.
 */
#ifndef LA_SANDBOX_H
#define LA_SANDBOX_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Exit status when a forbidden system call ends the process (trap mode). */
#define LA_EXIT_SECCOMP 40

enum la_thread_kind {
	LA_THREAD_MAIN,   /* la-vmrun's main thread: waits, tears down */
	LA_THREAD_VCPU,   /* runs KVM_RUN and handles port/MMIO exits */
	LA_THREAD_DEVICE, /* console input, timers, interrupt injection */
	LA_THREAD_PARSER, /* a program parsing untrusted files, inputs open */
	LA_THREAD_VIRTIO_BLK,     /* a virtio-blk device: its image, its queue */
	LA_THREAD_VIRTIO_RNG,     /* virtio-rng: getrandom into its queue */
	LA_THREAD_VIRTIO_CONSOLE, /* virtio-console: typed bytes in, output out */
	LA_THREAD_VIRTIO_NET,     /* virtio-net: packets between its tap and its queues */
	LA_THREAD_VIRTIO_VSOCK,   /* virtio-vsock: hands its queues to vhost-vsock */
	LA_THREAD_CONTROL,        /* the --control socket: requests in, replies out */
	LA_THREAD_SERIAL,         /* --serial type=unix and syslog: sockets and log lines */
	LA_THREAD_KIND_COUNT
};

enum la_seccomp_mode {
	LA_SECCOMP_TRAP,  /* SIGSYS: one line, restore terminal, exit 40 */
	LA_SECCOMP_KILL,  /* kill the process */
	LA_SECCOMP_LOG,   /* allow and log (kernel audit log) */
	LA_SECCOMP_ERRNO, /* fail the call with EPERM */
	LA_SECCOMP_OFF,
};

/* One argument rule: (arg[index] & mask) == value; mask 0 means plain ==. */
struct la_sys_arg {
	unsigned index;
	uint64_t value;
	uint64_t mask;
	const char *what;  /* the value's name, for --print-seccomp */
};

#define LA_SYS_MAX_ALT 24

/* One allowlist entry: the call is allowed outright (nalt 0), or when any
 * one of the alternatives holds. */
struct la_sys_rule {
	const char *name;
	unsigned nalt;
	struct la_sys_arg alt[LA_SYS_MAX_ALT];
};

struct la_sys_table {
	enum la_thread_kind kind;
	const char *name;  /* "vcpu", ... */
	const struct la_sys_rule *rules;
	unsigned n;
};

const char *la_thread_kind_name(enum la_thread_kind k);
/* la_thread_kind_parse - returns: 0, -LA_ERR_BADVALUE */
int la_thread_kind_parse(const char *s, enum la_thread_kind *out);
const char *la_seccomp_mode_name(enum la_seccomp_mode m);
/* la_seccomp_mode_parse - returns: 0, -LA_ERR_BADVALUE */
int la_seccomp_mode_parse(const char *s, enum la_seccomp_mode *out);

/* la_sys_table_get - the allowlist of a thread kind. */
const struct la_sys_table *la_sys_table_get(enum la_thread_kind k);

/* la_sys_table_print - the allowlist as a readable list, one call a line. */
void la_sys_table_print(FILE *f, const struct la_sys_table *t);

/* la_sandbox_set_thread - name the calling thread for trap messages
 * (kind and index, e.g. vcpu 1). Async-signal-safe to read later. */
void la_sandbox_set_thread(enum la_thread_kind k, unsigned index);

/* la_sandbox_on_trap - a function the SIGSYS handler calls before exiting
 * (restore the terminal); must be async-signal-safe. */
void la_sandbox_on_trap(void (*fn)(void));

/* la_sandbox_filter_install - install the calling thread's filter for its
 * kind in the given mode (OFF does nothing). In TRAP mode, installs the
 * SIGSYS handler first (process-wide). prog names the program in messages.
 * returns: 0, -LA_ERR_BADVALUE (a rule names an unknown call),
 *          -LA_ERR_SANDBOX (libseccomp refused or the kernel lacks seccomp) */
int la_sandbox_filter_install(const char *prog, enum la_thread_kind kind,
			      enum la_seccomp_mode mode);

/* la_sandbox_jail - after setup, before threads exist: no new privileges,
 * new mount, IPC and UTS namespaces, an empty read-only root (pivot_root),
 * every capability dropped. Open file descriptors stay usable. On failure
 * *step (if step is not NULL) names the step that failed ("unshare", ...);
 * the process may then be half-jailed (e.g. in new namespaces).
 * returns: 0, -LA_ERR_SANDBOX with errno set (e.g. EPERM unprivileged,
 *          EINVAL when threads already exist) */
int la_sandbox_jail(const char **step);

/* la_sandbox_test_hook - a point a test build can make misbehave ("main",
 * "vcpu", "device", "parser" once that thread's filter is in; "jailed"
 * after the jail). A no-op in the library (a weak symbol); the test builds
 * of the programs (build/tests/hooks/, tests/hooks/sandbox_hook.c) override
 * it. Never linked into the installed programs. */
void la_sandbox_test_hook(const char *where);

/* la_sandbox_extra_table - calls allowed on top of every table in this
 * build: what a sanitizer's exit-time leak check needs (ASan builds only);
 * NULL in a normal build. */
const struct la_sys_table *la_sandbox_extra_table(void);

#endif
