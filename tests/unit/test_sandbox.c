/* SPDX-License-Identifier: MIT */
/*
 * Seccomp modes and the jail (lib/sandbox.c), each in a forked child so the
 * filters do not bind the test itself. Children leave with _exit() so no
 * exit-time machinery (e.g. LeakSanitizer) runs under a filter.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <pthread.h>
#include <stdio.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"
#include "sandbox.h"
#include "t.h"

/* leave without a sanitizer's exit-time checks, which a filter forbids */
#define _exit(n) syscall(SYS_exit_group, (n))

struct child {
	int status;
	char err[1024];
};

/* Run fn in a child with stderr captured. */
static void run(void (*fn)(void), struct child *c)
{
	int p[2];
	pid_t pid;
	ssize_t n, total = 0;

	if (pipe(p) != 0)
		abort();
	pid = fork();
	if (pid == 0) {
		dup2(p[1], STDERR_FILENO);
		close(p[0]);
		fn();
		_exit(0);
	}
	close(p[1]);
	while ((n = read(p[0], c->err + total, sizeof(c->err) - 1 - total)) > 0)
		total += n;
	c->err[total] = 0;
	close(p[0]);
	waitpid(pid, &c->status, 0);
}

static void install(enum la_thread_kind k, enum la_seccomp_mode m)
{
	if (la_sandbox_filter_install("test", k, m) != 0)
		_exit(99);
}

static void forbidden_open_trap(void)
{
	la_sandbox_set_thread(LA_THREAD_PARSER, 3);
	install(LA_THREAD_PARSER, LA_SECCOMP_TRAP);
	openat(AT_FDCWD, "/dev/null", O_RDONLY);
	_exit(0);
}

static void forbidden_open_errno(void)
{
	install(LA_THREAD_PARSER, LA_SECCOMP_ERRNO);
	int fd = openat(AT_FDCWD, "/dev/null", O_RDONLY);
	_exit(fd < 0 && errno == EPERM ? 7 : 8);
}

static void forbidden_open_log(void)
{
	install(LA_THREAD_PARSER, LA_SECCOMP_LOG);
	int fd = openat(AT_FDCWD, "/dev/null", O_RDONLY);
	_exit(fd >= 0 ? 7 : 8);
}

static void forbidden_open_kill(void)
{
	install(LA_THREAD_PARSER, LA_SECCOMP_KILL);
	openat(AT_FDCWD, "/dev/null", O_RDONLY);
	_exit(0);
}

static void allowed_calls(void)
{
	char buf[4];
	int fd = open("/dev/zero", O_RDONLY);

	install(LA_THREAD_PARSER, LA_SECCOMP_TRAP);
	if (read(fd, buf, sizeof(buf)) != 4)
		_exit(8);
	void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	_exit(m != MAP_FAILED ? 7 : 9);
}

static void exec_mapping(void)
{
	install(LA_THREAD_PARSER, LA_SECCOMP_TRAP);
	mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	_exit(0);
}

static void seccomp_status(void)
{
	char buf[4096];
	int fd = open("/proc/self/status", O_RDONLY);
	ssize_t n;

	install(LA_THREAD_PARSER, LA_SECCOMP_TRAP);
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		_exit(8);
	buf[n] = 0;
	_exit(strstr(buf, "\nSeccomp:\t2\n") ? 7 : 9);
}

/* every kind's table loads (each name is a real call here) */
static enum la_thread_kind each_kind;

static void kind_loads(void)
{
	install(each_kind, LA_SECCOMP_TRAP);
	_exit(7);
}

#if defined(__SANITIZE_ADDRESS__)
/* In a sanitizer build every kind's filter lets ASan's allocator map and
 * unmap its chunks (device threads and vCPUs do, under a running VM). */
static void kind_maps(void)
{
	void *p;

	install(each_kind, LA_SECCOMP_TRAP);
	p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || munmap(p, 1 << 20) != 0)
		_exit(8);
	_exit(7);
}
#endif

static void jail(void)
{
	int status = open("/proc/self/status", O_RDONLY);
	char buf[4096];
	ssize_t n;

	if (la_sandbox_jail(NULL) != 0)
		_exit(errno == EPERM ? 5 : 6);
	/* no new files: the root is empty and read-only */
	if (open("/etc/passwd", O_RDONLY) >= 0 || errno != ENOENT)
		_exit(8);
	if (open("/new", O_WRONLY | O_CREAT, 0600) >= 0)
		_exit(9);
	/* what was open stays usable; capabilities are gone */
	n = pread(status, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		_exit(10);
	buf[n] = 0;
	if (!strstr(buf, "CapEff:\t0000000000000000") || !strstr(buf, "NoNewPrivs:\t1"))
		_exit(11);
	_exit(7);
}

/* What a hot-plugged device's thread gets: a disk's image, a network
 * device's "tap" (one end of a socket pair: readv and writev work the
 * same, the tap ioctls fail but pass the filters). */
struct hp_fds {
	int img, tap;
};

/* A hot-plugged device's thread, started by the control thread: under
 * the control filter, it names itself, installs the virtio-blk filter on
 * top and does its work. */
static void *blk_thread(void *p)
{
	int fd = ((struct hp_fds *)p)->img;
	char b[8];
	struct iovec iov = { b, sizeof(b) };

	pthread_setname_np(pthread_self(), "la-vblk0");
	la_sandbox_set_thread(LA_THREAD_VIRTIO_BLK, 0);
	if (la_sandbox_filter_install("test", LA_THREAD_VIRTIO_BLK, LA_SECCOMP_TRAP))
		_exit(98);
	if (preadv(fd, &iov, 1, 0) < 0 || pwritev(fd, &iov, 1, 0) < 0 || fdatasync(fd))
		_exit(97);
	return NULL;
}

/* The same for virtio-net on the userspace backend: the guest's offloads
 * on the tap, a packet out and one in. */
static void *net_thread(void *p)
{
	int fd = ((struct hp_fds *)p)->tap;
	char b[8] = "packet!";
	struct iovec iov = { b, sizeof(b) };

	pthread_setname_np(pthread_self(), "la-vnet0");
	la_sandbox_set_thread(LA_THREAD_VIRTIO_NET, 0);
	if (la_sandbox_filter_install("test", LA_THREAD_VIRTIO_NET, LA_SECCOMP_TRAP))
		_exit(93);
	(void)ioctl(fd, TUNSETOFFLOAD, 0UL);
	if (writev(fd, &iov, 1) != sizeof(b) || readv(fd, &iov, 1) != sizeof(b))
		_exit(92);
	return NULL;
}

static void *control_thread(void *p)
{
	struct ifreq ifr = { 0 };
	int hdr = 12, fd = eventfd(0, EFD_CLOEXEC);
	pthread_t t;

	la_sandbox_set_thread(LA_THREAD_CONTROL, 0);
	install(LA_THREAD_CONTROL, LA_SECCOMP_TRAP);
	close(fd);
	fd = ((struct hp_fds *)p)->img;
	if (fcntl(fd, F_GETFL) < 0 || pthread_create(&t, NULL, blk_thread, p) ||
	    pthread_join(t, NULL))
		_exit(96);
	/* add net: the tap checked and set up (la_vnet_adopt) */
	fd = ((struct hp_fds *)p)->tap;
	(void)ioctl(fd, TUNGETIFF, &ifr);
	(void)ioctl(fd, TUNSETVNETHDRSZ, &hdr);
	(void)ioctl(fd, TUNSETOFFLOAD, 0UL);
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) ||
	    pthread_create(&t, NULL, net_thread, p) || pthread_join(t, NULL))
		_exit(91);
	return NULL;
}

static void hotplug_thread(void)
{
	char path[] = "/tmp/la-test-sandbox-XXXXXX";
	struct hp_fds f = { .img = mkstemp(path) };
	int sp[2];
	pthread_t t;

	if (f.img < 0 || write(f.img, "12345678", 8) != 8)
		_exit(95);
	unlink(path);
	/* a packet waiting to be read; what is written waits at the peer */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp) || write(sp[1], "packet!", 8) != 8)
		_exit(90);
	f.tap = sp[0];
	if (pthread_create(&t, NULL, control_thread, &f) || pthread_join(t, NULL))
		_exit(94);
	_exit(7);
}

#if defined(__SANITIZE_ADDRESS__)
/* A thread of kind each_kind under its filter, in a sanitizer build: ASan's
 * allocator maps more heap (mallocs of many sizes), then the exit-time leak
 * check runs (exit, not _exit) under the filter: it must end with status
 * 0, not trap (LA_EXIT_SECCOMP) or hang. */
static void kind_sanitizer_exit(void)
{
	/* exit() flushes this child's copy of the test's buffered output */
	if (dup2(open("/dev/null", O_WRONLY), STDOUT_FILENO) < 0)
		_exit(95);
	install(each_kind, LA_SECCOMP_TRAP);
	for (int i = 0; i < 200; i++)
		free(malloc((size_t)1 << (i % 22)));
	exit(0);
}
#endif

int main(void)
{
	struct child c;

	run(forbidden_open_trap, &c);
	T_CHECK(WIFEXITED(c.status) && WEXITSTATUS(c.status) == LA_EXIT_SECCOMP);
	T_CHECK(strstr(c.err, "test: seccomp: parser thread 3 made a forbidden system call: openat (257) args 0xffffff9c, ") != NULL);
	T_CHECK(strchr(c.err, '\n') == c.err + strlen(c.err) - 1); /* one line */

	run(forbidden_open_errno, &c);
	T_CHECK(WIFEXITED(c.status) && WEXITSTATUS(c.status) == 7);
	run(forbidden_open_log, &c);
	T_CHECK(WIFEXITED(c.status) && WEXITSTATUS(c.status) == 7);
	run(forbidden_open_kill, &c);
	T_CHECK(WIFSIGNALED(c.status) && WTERMSIG(c.status) == SIGSYS);

	run(allowed_calls, &c);
	T_CHECK(WIFEXITED(c.status) && WEXITSTATUS(c.status) == 7);
	run(exec_mapping, &c);
	T_CHECK(WIFEXITED(c.status) && WEXITSTATUS(c.status) == LA_EXIT_SECCOMP);
	T_CHECK(strstr(c.err, "forbidden system call: mmap (9)") != NULL);
	run(seccomp_status, &c);
	T_CHECK(WIFEXITED(c.status) && WEXITSTATUS(c.status) == 7);

#if defined(__SANITIZE_ADDRESS__)
	/* ASan's own thread start and allocator call what the virtio-blk
	 * list has not (sched_getaffinity, mmap of its arenas) */
	(void)hotplug_thread;
	T_SKIP("a device thread under the control filter: not in sanitizer builds");
#else
	run(hotplug_thread, &c);
	T_CHECK(WIFEXITED(c.status) && WEXITSTATUS(c.status) == 7);
	if (c.err[0])
		fprintf(stderr, "%s", c.err);
#endif

	run(jail, &c);
	if (WIFEXITED(c.status) && WEXITSTATUS(c.status) == 5 && getenv("CI") == NULL)
		T_SKIP("the jail needs root or unprivileged user namespaces");
	else
		T_CHECK(WIFEXITED(c.status) && WEXITSTATUS(c.status) == 7);

	/* tables name real calls and print as a list */
	for (int k = 0; k < LA_THREAD_KIND_COUNT; k++) {
		const struct la_sys_table *t = la_sys_table_get((enum la_thread_kind)k);
		T_CHECK(t->n > 0 && !strcmp(t->name, la_thread_kind_name((enum la_thread_kind)k)));
		each_kind = (enum la_thread_kind)k;
		run(kind_loads, &c);
		T_CHECK(WIFEXITED(c.status) && WEXITSTATUS(c.status) == 7);
#if defined(__SANITIZE_ADDRESS__)
		run(kind_maps, &c);
		T_CHECK(WIFEXITED(c.status) && WEXITSTATUS(c.status) == 7);
		run(kind_sanitizer_exit, &c);
		T_CHECK(WIFEXITED(c.status) && WEXITSTATUS(c.status) == 0);
		if (c.err[0])
			fprintf(stderr, "%s", c.err);
#endif
	}
	enum la_seccomp_mode m;
	T_CHECK(la_seccomp_mode_parse("errno", &m) == 0 && m == LA_SECCOMP_ERRNO);
	T_CHECK(la_seccomp_mode_parse("loud", &m) == -LA_ERR_BADVALUE);
	return T_DONE();
}
