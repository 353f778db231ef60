/* SPDX-License-Identifier: MIT */
/*
 * Running the VM: COM1 on the terminal (raw while the VM runs, restored on
 * every exit path), Ctrl-A x, boot timing, and the guest's fate as the
 * exit status.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "boot.h"
#include "cli.h"
#include "ctl.h"
#include "err.h"
#include "fileio.h"
#include "vm/kvm.h"
#include "vmrun.h"

#define LA_CTRL_A 0x01

/* ---- the terminal ---- */

static struct termios la_tty_saved;
static volatile sig_atomic_t la_tty_raw;

static void la_tty_restore(void)
{
	if (la_tty_raw) {
		tcsetattr(0, TCSANOW, &la_tty_saved);
		la_tty_raw = 0;
	}
}

/* What every way out of la-vmrun undoes: the raw terminal, the control
 * socket. Async-signal-safe: the seccomp trap calls it too. */
static void la_vmrun_undo(void)
{
	la_tty_restore();
	la_ctl_unlink();
}

/* A fatal signal, in whichever thread takes it: SA_RESETHAND has put the
 * default action back, so raising it again ends la-vmrun as it would have
 * (no rt_sigaction here: the seccomp filters do not allow it). */
static void la_fatal_signal(int sig)
{
	la_vmrun_undo();
	raise(sig);
}

void la_vmrun_fatal_signals(void)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGABRT, SIGSEGV };
	struct sigaction sa = { .sa_handler = la_fatal_signal, .sa_flags = SA_RESETHAND };
	static bool done;

	if (done)
		return;
	done = true;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

static void la_tty_make_raw(void)
{
	struct termios t;

	if (!isatty(0) || tcgetattr(0, &la_tty_saved))
		return;
	t = la_tty_saved;
	t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	t.c_oflag &= ~(tcflag_t)OPOST;
	t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
	t.c_cflag |= CS8;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	atexit(la_tty_restore);
	la_vmrun_fatal_signals();
	if (tcsetattr(0, TCSANOW, &t) == 0)
		la_tty_raw = 1;
}

/* ---- standard input to COM1 ---- */

struct la_input {
	struct la_vmrun *a;
	struct la_vm *vm;
	unsigned o;      /* the output (LA_SER_*) standard input feeds */
	int stop_fd;     /* read end of a pipe: readable when la-vmrun ends */
	bool escape;     /* Ctrl-A seen */
	enum la_seccomp_mode seccomp;
	sem_t ready;     /* posted once the thread's filter is in (or failed) */
	int filter_err;
	int filter_errno;
};

void la_vmrun_feed(struct la_vmrun *a, struct la_vm *vm, unsigned o, const uint8_t *buf,
		   unsigned len)
{
	unsigned done = 0;

	while (done < len) {
		unsigned n = o == LA_SER_HVC ?
			     la_vm_dev_input(vm, a->cons_name, buf + done, len - done) :
			     la_vm_serial_input(vm, o, buf + done, len - done);

		done += n;
		if (done < len) /* the FIFO is full: let the guest read */
			nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	}
}

/* Bytes typed; Ctrl-A x ends the VM, Ctrl-A Ctrl-A sends one Ctrl-A. */
static bool la_input_bytes(struct la_input *in, const uint8_t *buf, unsigned len)
{
	uint8_t out[256];
	unsigned n = 0;

	for (unsigned i = 0; i < len; i++) {
		uint8_t c = buf[i];

		if (in->escape) {
			in->escape = false;
			if (c == 'x' || c == 'X') {
				la_vm_request_exit(in->vm, LA_FATE_POWEROFF, "Ctrl-A x");
				return false;
			}
			if (c != LA_CTRL_A)
				out[n++] = LA_CTRL_A;
		} else if (c == LA_CTRL_A) {
			in->escape = true;
			continue;
		}
		out[n++] = c;
	}
	la_vmrun_feed(in->a, in->vm, in->o, out, n);
	return true;
}

static void *la_input_thread(void *p)
{
	struct la_input *in = p;
	struct pollfd fds[2] = { { .fd = 0, .events = POLLIN }, { .fd = in->stop_fd, .events = POLLIN } };
	uint8_t buf[128];

	pthread_setname_np(pthread_self(), "la-console");
	la_sandbox_set_thread(LA_THREAD_DEVICE, 0);
	in->filter_err = la_sandbox_filter_install("la-vmrun", LA_THREAD_DEVICE, in->seccomp);
	in->filter_errno = errno;
	sem_post(&in->ready);
	if (in->filter_err)
		return NULL;
	la_sandbox_test_hook("device");
	for (;;) {
		ssize_t r;

		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return NULL;
		}
		if (fds[1].revents)
			return NULL;
		r = read(0, buf, sizeof(buf));
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0) /* end of input: the guest keeps running */
			return NULL;
		if (!la_input_bytes(in, buf, (unsigned)r))
			return NULL;
	}
}

/* ---- boot timing ---- */

struct la_timing {
	struct timespec t0;
	const char *mark;                 /* --boot-timing-mark; NULL: none */
	size_t mark_len;
	char tail[LA_BOOT_MARK_MAX];      /* the console's last bytes, a ring */
	size_t seen;                      /* bytes the console printed */
	bool marked;
};

/* A console byte: is the mark now at the end of what the console printed? */
static bool la_timing_output(struct la_timing *t, uint8_t b)
{
	size_t start;

	if (!t->mark || t->marked)
		return false;
	t->tail[t->seen++ % LA_BOOT_MARK_MAX] = (char)b;
	if (t->seen < t->mark_len)
		return false;
	start = t->seen - t->mark_len;
	for (size_t i = 0; i < t->mark_len; i++)
		if (t->tail[(start + i) % LA_BOOT_MARK_MAX] != t->mark[i])
			return false;
	t->marked = true;
	return true;
}

/* milliseconds since la-vmrun started */
static double la_timing_ms(const struct la_timing *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->t0.tv_sec) * 1e3 +
	       (double)(now.tv_nsec - t->t0.tv_nsec) / 1e6;
}

static void la_timing_note(void *ctx, enum la_note what, unsigned value)
{
	struct la_timing *t = ctx;
	double ms;

	if (what == LA_NOTE_OUTPUT) {
		if (la_timing_output(t, (uint8_t)value))
			fprintf(stderr, "la-vmrun: boot-timing: %10.3f ms mark: %s\r\n",
				la_timing_ms(t), t->mark);
		return;
	}
	ms = la_timing_ms(t);
	if (what == LA_NOTE_POST)
		fprintf(stderr, "la-vmrun: boot-timing: %10.3f ms POST 0x%02x\r\n", ms, value);
	else if (what == LA_NOTE_FIRST_OUTPUT)
		fprintf(stderr, "la-vmrun: boot-timing: %10.3f ms first console output\r\n", ms);
	else if (what == LA_NOTE_STEP)
		fprintf(stderr, "la-vmrun: boot-timing: %10.3f ms %s\r\n", ms, la_vm_step_name(value));
	else if (what == LA_NOTE_FILTER)
		fprintf(stderr, "la-vmrun: boot-timing: %10.3f ms %s thread's seccomp filter loaded\r\n",
			ms, la_thread_kind_name((enum la_thread_kind)value));
	else
		fprintf(stderr, "la-vmrun: boot-timing: %10.3f ms power-off\r\n", ms);
}

void la_vmrun_stamp(const struct la_vmrun *a, const char *what)
{
	struct la_timing t = { .t0 = a->t0 };

	if (a->boot_timing)
		fprintf(stderr, "la-vmrun: boot-timing: %10.3f ms %s\n", la_timing_ms(&t), what);
}

/* The guest touched MMIO nothing claims: said once, the guest goes on. */
static void la_unclaimed_mmio(void *ctx, uint64_t gpa, bool write, unsigned size)
{
	(void)ctx;
	fprintf(stderr, "la-vmrun: note: the guest %s %u bytes at 0x%llx, MMIO no device "
		"claims (reads give all ones, writes are ignored; said once)\r\n",
		write ? "wrote" : "read", size, (unsigned long long)gpa);
}

/* A virtio device the guest broke: said once (per device and reset). */
static void la_virtio_broken(void *ctx, const char *dev, const char *why)
{
	(void)ctx;
	fprintf(stderr, "la-vmrun: note: the guest broke %s's virtqueue (%s): the device needs "
		"a reset (DEVICE_NEEDS_RESET); the VM runs on\r\n", dev, why);
}

/* ---- the run ---- */

/* The arch's registers as it groups them: 64-bit ones in aligned
 * columns, narrower ones (selectors) compact, one space apart. */
static void la_print_regs(const struct la_regs_dump *d)
{
	bool after_narrow = false;

	for (unsigned i = 0; i < d->n && i < LA_REGS_MAX; i++) {
		const struct la_reg *g = &d->r[i];
		unsigned long long v = g->value;

		if (g->bytes >= 8)
			fprintf(stderr, "  %-6s 0x%016llx", g->name, v);
		else
			fprintf(stderr, "%s%s 0x%0*llx", after_narrow ? " " : "  ", g->name,
				2 * g->bytes, v);
		after_narrow = g->bytes < 8 && !g->eol;
		if (g->eol)
			fputc('\n', stderr);
	}
}

static void la_print_crash(const struct la_vm_end *e)
{
	fprintf(stderr, "la-vmrun: guest crashed: %s on vCPU %d (exit reason %u, detail 0x%llx)\n",
		e->why, e->vcpu, e->exit_reason, (unsigned long long)e->detail);
	if (e->has_regs)
		la_print_regs(&e->regs);
}

/* The name of group gid from /etc/group, read here rather than through
 * getgrgid (NSS modules cannot load in a static binary). returns: name or
 * NULL */
static const char *la_group_name(gid_t gid, char *line, size_t len)
{
	FILE *f = fopen("/etc/group", "re");
	const char *name = NULL;

	while (f && !name && fgets(line, (int)len, f)) {
		char *pw = strchr(line, ':'), *id = pw ? strchr(pw + 1, ':') : NULL, *end;

		if (!id)
			continue;
		*pw = '\0';
		if (strtoul(id + 1, &end, 10) == gid && *end == ':' && end > id + 1)
			name = line;
	}
	if (f)
		fclose(f);
	return name;
}

/* Permission denied: name the group that may open it (Debian: kvm) */
static void la_kvm_no_access(const char *path, const char *e)
{
	struct stat st;
	char line[512];
	const char *g = stat(path, &st) == 0 && st.st_gid != 0 ?
			la_group_name(st.st_gid, line, sizeof(line)) : NULL;

	if (g)
		fprintf(stderr, "la-vmrun: %s: %s (it is for group %s: sudo usermod -aG %s "
			"$USER, then log in again)\n", path, e, g, g);
	else
		fprintf(stderr, "la-vmrun: %s: %s\n", path, e);
}

int la_vmrun_kvm_fail(const struct la_vmrun *a, const struct la_kvm *k, int err)
{
	const char *e = k->sys_errno ? strerror(k->sys_errno) : la_strerror(err);

	if (err == -LA_ERR_KVMOPEN && k->sys_errno == ENOENT)
		fprintf(stderr, "la-vmrun: %s: %s (no KVM on this host; see man la-vmrun)\n",
			a->kvm_path, e);
	else if (err == -LA_ERR_KVMOPEN && k->sys_errno == EACCES)
		la_kvm_no_access(a->kvm_path, e);
	else if (err == -LA_ERR_KVMOPEN)
		fprintf(stderr, "la-vmrun: %s: %s\n", a->kvm_path, e);
	else if (err == -LA_ERR_KVMAPI && k->sys_errno)
		fprintf(stderr, "la-vmrun: %s: not a KVM device (KVM_GET_API_VERSION: %s)\n",
			a->kvm_path, e);
	else if (err == -LA_ERR_KVMAPI)
		fprintf(stderr, "la-vmrun: %s: %s\n", a->kvm_path, la_strerror(err));
	else if (err == -LA_ERR_KVMCAP)
		fprintf(stderr, "la-vmrun: %s: %s: %s\n", a->kvm_path, la_strerror(err), k->what);
	else if (err == -LA_ERR_CPUS)
		fprintf(stderr, "la-vmrun: --cpus: '%u': this KVM runs at most %u vCPUs\n",
			a->vm.cfg.cpus, k->max_vcpus);
	else
		fprintf(stderr, "la-vmrun: %s: %s: %s\n", k->what ? k->what : a->kvm_path,
			la_strerror(err), e);
	return 1;
}

/* The jail, before any thread exists: --jail must work, the default
 * (where it works) says once why it did not. returns: 0 or 1 (failed) */
static int la_vmrun_jail(const struct la_vmrun *a)
{
	const char *step = NULL;

	if (a->jail == 0)
		return 0;
	if (la_sandbox_jail(&step) == 0) {
		la_sandbox_test_hook("jailed");
		return 0;
	}
	if (a->jail > 0) {
		fprintf(stderr, "la-vmrun: --jail: %s: %s\n", step, strerror(errno));
		return 1;
	}
	fprintf(stderr, "la-vmrun: jail: not available here (%s: %s); running without it "
		"(--no-jail: do not try)\n", step, strerror(errno));
	return 0;
}

/* Start the thread that feeds standard input to output o (a COM port,
 * the virtio console); returns once its filter is in.
 * returns: 0, 1 (its filter failed; the thread ended) */
static int la_vmrun_input_start(struct la_vmrun *a, struct la_vm *vm, unsigned o,
				int stop_fd, struct la_input *in, pthread_t *t, bool *started)
{
	*in = (struct la_input){ .a = a, .vm = vm, .o = o, .stop_fd = stop_fd,
				 .seccomp = a->seccomp };
	sem_init(&in->ready, 0, 0);
	*started = la_vm_thread_create(t, la_input_thread, in) == 0;
	if (!*started)
		return 0; /* the VM runs without console input */
	while (sem_wait(&in->ready) != 0 && errno == EINTR)
		;
	if (!in->filter_err)
		return 0;
	fprintf(stderr, "la-vmrun: seccomp filter of the device thread: %s\n",
		in->filter_errno ? strerror(in->filter_errno) : la_strerror(in->filter_err));
	return 1;
}

/* --vsock: its vhost-vsock opened and given the CID now, before the jail
 * and the filters (a dry run does not: it needs no vhost-vsock). A
 * missing device or a CID in use fails the run (exit 1). */
static void la_vmrun_vsock_open(struct la_vmrun *a)
{
	char why[200], reason[320];
	int err;

	if (!a->vsock.arg)
		return;
	err = la_vsock_open(&a->vsock.o, a->vsock.device, why, sizeof(why));
	if (!err)
		return;
	if (err == -LA_ERR_NOENT)
		snprintf(reason, sizeof(reason), "%s: %s (no vhost-vsock on this host: modprobe "
			 "vhost_vsock)", a->vsock.device, why);
	else if (err == -LA_ERR_ADDRINUSE)
		snprintf(reason, sizeof(reason), "%s", why);
	else
		snprintf(reason, sizeof(reason), "%s: %s", a->vsock.device, why);
	la_cli_fail("--vsock", a->vsock.arg, 1, "%s", reason);
}

/* Once, before KVM is opened: a stock Linux kernel on a software KVM
 * (kvm_pvm) runs its ring-0 code in KVM's instruction emulator, which
 * cannot take it far (shared/spec/emulated-hosts.md). Say what will
 * happen rather than leave a user staring at a silent console. */
static void la_vmrun_software_kvm_note(const struct la_vmrun *a)
{
	const struct la_kernel_info *k = a->vm.cfg.arch->boot_kernel(a->boot);
	const char *soft;

	if (k->kind != LA_KERNEL_BZIMAGE || !k->version[0])
		return;
	soft = la_kvm_software_in_dir(la_kvm_sys_module_dir());
	if (!soft)
		return;
	fprintf(stderr, "la-vmrun: note: %s is %s, a software KVM: Linux %s will run its "
		"kernel code in KVM's instruction emulator, very slowly, and most likely stop "
		"with a KVM internal error (exit 33); see KVM HOSTS in la-vmrun(1)\n", a->kvm_path, soft, k->version);
}

/* Make the stop pipe readable and wait for the control and serial
 * threads (either may be NULL); the input thread's caller joins it.
 * returns: false when the pipe could not be written (nothing joined) */
static bool la_vmrun_stop_threads(int stop_wr, struct la_control *ctl,
				  struct la_serial_srv *ser)
{
	if (write(stop_wr, "", 1) != 1)
		return false;
	la_vmrun_control_join(ctl);
	la_vmrun_serial_join(ser);
	return true;
}

int la_vmrun_run(struct la_vmrun *a)
{
	struct la_timing timing = { .t0 = a->t0, .mark = a->boot_mark,
				    .mark_len = a->boot_mark ? strlen(a->boot_mark) : 0 };
	struct la_vm_setup s = {
		.kvm_path = a->kvm_path, .cfg = &a->vm.cfg, .g = &a->g, .boot = a->boot,
		.res = &a->res, .debugcon_fd = -1, .seccomp = a->seccomp, .prog = "la-vmrun",
		.unclaimed_mmio = la_unclaimed_mmio, .broken = la_virtio_broken,
	};
	struct la_vm_backend backends[LA_VMRUN_MAX_DISKS + LA_VMRUN_MAX_NETS + 4];
	struct la_input in = { 0 };
	struct la_control *ctl = NULL;
	struct la_serial_srv *ser = NULL;
	struct la_vm_end end;
	struct la_kvm kvm;
	struct la_vm *vm;
	pthread_t input;
	bool has_input = false;
	int stop[2] = { -1, -1 }, err, com_stdin = -1;

	/* every thread has a name (ps -L, top -H, /proc/PID/task/TID/comm):
	 * la-vmrun, la-vcpuN, la-console, la-serial; the test builds too */
	pthread_setname_np(pthread_self(), "la-vmrun");
	la_vmrun_software_kvm_note(a);
	la_vmrun_serial_open(a);
	for (int i = 0; i < 4; i++)
		s.serial_fd[i] = a->serial[i].fd;
	s.debugcon_fd = a->serial[LA_SER_DEBUGCON].fd;
	s.console_com = a->ser_console;
	com_stdin = a->ser_stdin;
	/* the devices' options: the disks' images, the taps, the virtio console's output */
	for (unsigned i = 0; i < a->ndisks; i++)
		backends[s.nbackends++] = (struct la_vm_backend){ a->disk[i].name, &a->disk[i].o };
	for (unsigned i = 0; i < a->nnets; i++)
		backends[s.nbackends++] = (struct la_vm_backend){ a->net[i].name, &a->net[i].o };
	if (a->console_virtio) {
		a->cons.out_fd = a->serial[LA_SER_HVC].fd;
		backends[s.nbackends++] = (struct la_vm_backend){ a->cons_name, &a->cons };
	}
	la_vmrun_vsock_open(a);
	if (a->vsock.arg)
		backends[s.nbackends++] = (struct la_vm_backend){ a->vsock.name, &a->vsock.o };
	if (a->fwcfg.o.n)
		backends[s.nbackends++] = (struct la_vm_backend){ la_dev_fw_cfg.name, &a->fwcfg.o };
	if (a->pflash.o.image)
		backends[s.nbackends++] = (struct la_vm_backend){ la_dev_pflash.name, &a->pflash.o };
	s.backends = backends;
	if (a->boot_timing) {
		s.note = la_timing_note;
		s.note_ctx = &timing;
	}
	err = la_vm_create(&s, &vm, &kvm);
	if (err)
		return la_vmrun_kvm_fail(a, &kvm, err);
	if ((com_stdin >= 0 || a->control_fd >= 0 || la_vmrun_serial_needs_thread(a)) &&
	    pipe2(stop, O_CLOEXEC) != 0) {
		fprintf(stderr, "la-vmrun: pipe: %s\n", strerror(errno));
		la_vm_destroy(vm);
		return 1;
	}
	if (la_vmrun_jail(a)) {
		la_vm_destroy(vm);
		return 1;
	}
	if (a->jail != 0)
		la_vmrun_stamp(a, "jail");
	la_sandbox_on_trap(la_vmrun_undo);
	if (a->control_fd >= 0) {
		if (la_vmrun_control_start(a, vm, stop[0], &ctl)) {
			la_vmrun_control_join(ctl);
			la_vm_destroy(vm);
			return 1;
		}
		la_vmrun_stamp(a, "control thread started, its seccomp filter loaded");
	}
	if (la_vmrun_serial_needs_thread(a)) {
		if (la_vmrun_serial_start(a, vm, stop[0], &ser)) {
			(void)la_vmrun_stop_threads(stop[1], ctl, ser);
			la_vm_destroy(vm);
			return 1;
		}
		la_vmrun_stamp(a, "serial thread started, its seccomp filter loaded");
	}
	if (com_stdin >= 0) {
		la_tty_make_raw();
		if (la_vmrun_input_start(a, vm, (unsigned)com_stdin, stop[0], &in, &input,
					 &has_input)) {
			pthread_join(input, NULL);
			la_tty_restore();
			(void)la_vmrun_stop_threads(stop[1], ctl, ser);
			la_vm_destroy(vm);
			return 1;
		}
		la_vmrun_stamp(a, "console thread started, its seccomp filter loaded");
	}
	la_vm_run(vm);
	la_vm_end_info(vm, &end);
	/* the other threads leave when the stop pipe is readable (no
	 * pthread_cancel: it would load libgcc_s, under the main filter) */
	if ((has_input || ctl || ser) && la_vmrun_stop_threads(stop[1], ctl, ser) && has_input)
		pthread_join(input, NULL);
	la_tty_restore();
	if (stop[0] >= 0)
		close(stop[0]), close(stop[1]);
	la_vm_destroy(vm);
	la_vmrun_serial_close(a);
	la_vmrun_stamp(a, "exit");
	if (end.fate == LA_FATE_CRASH)
		la_print_crash(&end);
	else if (end.fate == LA_FATE_PANIC)
		fprintf(stderr, "la-vmrun: guest panicked (pvpanic), then %s (%s): exit status 34\n",
			end.after == LA_FATE_RESET ? "reset" : end.after == LA_FATE_CRASH ?
			"crashed" : "stopped", end.why);
	else if (end.fate == LA_FATE_WATCHDOG)
		fprintf(stderr, "la-vmrun: watchdog reset: %s: exit status 36\n", end.why);
	else if (end.fate == LA_FATE_VMM)
		fprintf(stderr, "la-vmrun: %s: %s\n", end.why,
			end.sys_errno ? strerror(end.sys_errno) : "failed");
	return end.fate;
}
