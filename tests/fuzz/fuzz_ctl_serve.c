/* SPDX-License-Identifier: MIT */
/*
 * The control socket's framing (la_ctl_serve): what a client sends over
 * the Unix stream socket, in the pieces it writes them, to the server
 * thread la-vmrun runs, a fake VM behind it (as fuzz_ctl). Lines split
 * across writes, several in one, empty ones, too-long ones, no final
 * newline, two clients at once. Input: a byte whose bits say which client
 * writes each piece, then pieces separated by 0xff bytes. The clients
 * read every reply, then hang up; the server is stopped and joined.
 */
#include <pthread.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctl.h"
#include "fuzz.h"
#include "jsonw.h"

static int lfd = -1;
static char path[64];

static void f_status(void *ctx, struct la_ctl_status *st)
{
	(void)ctx;
	*st = (struct la_ctl_status){ .fate = -1, .arch = "x86_64", .cpus = 1, .pid = 1 };
}

static void f_list(void *ctx, struct la_json *j)
{
	(void)ctx, (void)j;
}

static int f_stop(void *ctx)
{
	(void)ctx;
	return 0;
}

static const struct la_ctl_ops ops = { .status = f_status, .list = f_list, .stop = f_stop };

struct server {
	int stop;
};

static void *serve(void *arg)
{
	struct server *s = arg;

	la_ctl_serve(lfd, s->stop, &ops);
	return NULL;
}

static void cleanup(void)
{
	la_ctl_unlink();
}

static void setup(void)
{
	char why[256];

	if (lfd >= 0)
		return;
	snprintf(path, sizeof(path), "/dev/shm/la-fuzz-ctl-%d.sock", (int)getpid());
	lfd = la_ctl_listen(path, why, sizeof(why));
	if (lfd < 0)
		abort();
	atexit(cleanup);
}

static void drain(int fd)
{
	char buf[4096];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	uint8_t who = fz_u8(&f);
	struct server s = { .stop = eventfd(0, EFD_CLOEXEC) };
	pthread_t t;
	int c[2];
	char why[256];
	uint64_t one = 1;

	setup();
	if (s.stop < 0 || pthread_create(&t, NULL, serve, &s))
		abort();
	for (int i = 0; i < 2; i++)
		if ((c[i] = la_ctl_connect(path, 5000, why, sizeof(why))) < 0)
			abort();
	for (unsigned k = 0; f.n; k++) {
		const uint8_t *end = memchr(f.p, 0xff, f.n);
		size_t len = end ? (size_t)(end - f.p) : f.n;
		int fd = c[(who >> (k % 8)) & 1];

		/* the server may have dropped a client (too long): EPIPE */
		if (send(fd, f.p, len, MSG_NOSIGNAL) < 0) {
			/* nothing: the rest goes the same way */
		}
		f.p += len, f.n -= len;
		if (f.n)
			f.p++, f.n--;
	}
	for (int i = 0; i < 2; i++) {
		shutdown(c[i], SHUT_WR);
		drain(c[i]);
		close(c[i]);
	}
	if (write(s.stop, &one, 8) != 8)
		abort();
	pthread_join(t, NULL);
	close(s.stop);
	return 0;
}
