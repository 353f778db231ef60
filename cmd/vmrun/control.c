/* SPDX-License-Identifier: MIT */
/*
 * la-vmrun --control PATH: the socket made before anything else, its
 * thread (la-ctl) serving lib/ctl.c's protocol with what the running VM
 * says of itself; the socket removed on every way out.
 */
#include <errno.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "ctl.h"
#include "err.h"
#include "vmrun.h"

struct la_control {
	struct la_vmrun *a;
	struct la_vm *vm;
	int stop_fd;
	struct timespec t0;           /* when the vCPUs were about to start */
	pthread_t t;
	sem_t ready;
	int filter_err, filter_errno;
};

void la_vmrun_control_open(struct la_vmrun *a)
{
	char why[200];
	int fd;

	a->control_fd = -1;
	if (!a->control_path)
		return;
	fd = la_ctl_listen(a->control_path, why, sizeof(why));
	if (fd < 0)
		la_cli_fail("--control", a->control_path, 1, "%s", why);
	a->control_fd = fd;
	atexit(la_ctl_unlink);
	la_vmrun_fatal_signals();
}

static void la_control_status(void *ctx, struct la_ctl_status *st)
{
	struct la_control *c = ctx;
	struct la_vm_status vs;
	struct timespec now;

	la_vm_status(c->vm, &vs);
	clock_gettime(CLOCK_MONOTONIC, &now);
	*st = (struct la_ctl_status){
		.fate = vs.fate, .why = vs.why, .cpus = vs.cpus, .started = vs.started,
		.arch = c->a->vm.cfg.arch->name, .pid = (long)getpid(),
		.uptime_ms = (uint64_t)((now.tv_sec - c->t0.tv_sec) * 1000 +
					(now.tv_nsec - c->t0.tv_nsec) / 1000000),
	};
}

static void la_control_list(void *ctx, struct la_json *j)
{
	struct la_control *c = ctx;

	la_vmrun_virtio_json(j, c->a);
}

/* As Ctrl-A x: a power-off, exit 0 (unless the guest decided first). */
static int la_control_stop(void *ctx)
{
	struct la_control *c = ctx;
	struct la_vm_status vs;

	la_vm_request_exit(c->vm, LA_FATE_POWEROFF, "la-vmctl stop");
	la_vm_status(c->vm, &vs);
	return vs.fate;
}

static void *la_control_thread(void *p)
{
	struct la_control *c = p;
	const struct la_ctl_ops ops = {
		.ctx = c, .status = la_control_status, .list = la_control_list,
		.stop = la_control_stop,
	};

	pthread_setname_np(pthread_self(), "la-ctl");
	la_sandbox_set_thread(LA_THREAD_CONTROL, 0);
	c->filter_err = la_sandbox_filter_install("la-vmrun", LA_THREAD_CONTROL, c->a->seccomp);
	c->filter_errno = errno;
	sem_post(&c->ready);
	if (c->filter_err)
		return NULL;
	la_sandbox_test_hook("control");
	la_ctl_serve(c->a->control_fd, c->stop_fd, &ops);
	return NULL;
}

int la_vmrun_control_start(struct la_vmrun *a, struct la_vm *vm, int stop_fd,
			   struct la_control **out)
{
	struct la_control *c = calloc(1, sizeof(*c));
	int err;

	*out = NULL;
	if (!c) {
		fprintf(stderr, "la-vmrun: --control: out of memory\n");
		return 1;
	}
	*c = (struct la_control){ .a = a, .vm = vm, .stop_fd = stop_fd };
	clock_gettime(CLOCK_MONOTONIC, &c->t0);
	sem_init(&c->ready, 0, 0);
	err = la_vm_thread_create(&c->t, la_control_thread, c);

	if (err) {
		fprintf(stderr, "la-vmrun: --control: cannot start its thread: %s\n",
			strerror(err));
		free(c);
		return 1;
	}
	*out = c;
	while (sem_wait(&c->ready) != 0 && errno == EINTR)
		;
	if (!c->filter_err)
		return 0;
	fprintf(stderr, "la-vmrun: seccomp filter of the control thread: %s\n",
		c->filter_errno ? strerror(c->filter_errno) : la_strerror(c->filter_err));
	return 1;
}

void la_vmrun_control_join(struct la_control *c)
{
	if (!c)
		return;
	pthread_join(c->t, NULL);
	sem_destroy(&c->ready);
	free(c);
}
