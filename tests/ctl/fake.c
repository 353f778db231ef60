/* SPDX-License-Identifier: MIT */
/*
 * la-ctl-fake SOCKET: lib/ctl.c's server with a fake VM behind it, for
 * la-vmctl's tests without KVM: two vCPUs running, one disk, stop ends
 * it (exit 0, the socket removed); a guest that suspends and resumes at
 * once. Never installed.
 * la-ctl-fake --send SOCKET: the raw client the VM tests need (no socat
 * in the emulated host): standard input sent as it is, then one reply
 * line printed (10 s at most); --hangup SOCKET: sent, then closed at once.
 */
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctl.h"
#include "fake_pmc.h"

static int stop_pipe[2];
static int stopped;

static void fake_status(void *ctx, struct la_ctl_status *st)
{
	(void)ctx;
	*st = (struct la_ctl_status){ .fate = stopped ? 0 : -1, .why = "la-vmctl stop",
				      .uptime_ms = 12345, .arch = "x86_64", .cpus = 2,
				      .started = 2, .pid = (long)getpid(), .suspended = fake_suspended };
}

static void fake_list(void *ctx, struct la_json *j)
{
	(void)ctx;
	la_json_obj_begin(j, NULL);
	la_json_str(j, "name", "virtio-blk0");
	la_json_str(j, "type", "virtio-blk");
	la_json_str(j, "slot", "00:01.0");
	la_json_u64(j, "bar0_start", 0xc0000000);
	la_json_u64(j, "bar0_end", 0xc0003fff);
	la_json_u64(j, "irq", 5);
	la_json_obj_begin(j, "backing");
	la_json_str(j, "path", "root.img");
	la_json_u64(j, "size", 1048576);
	la_json_bool(j, "ro", true);
	la_json_bool(j, "direct", false);
	la_json_str(j, "serial", "");
	la_json_obj_end(j);
	la_json_obj_end(j);
	la_json_obj_begin(j, NULL);
	la_json_str(j, "name", "virtio-rng0");
	la_json_str(j, "type", "virtio-rng");
	la_json_str(j, "slot", "00:02.0");
	la_json_u64(j, "bar0_start", 0xc0004000);
	la_json_u64(j, "bar0_end", 0xc0007fff);
	la_json_u64(j, "irq", 6);
	la_json_str(j, "backing", "getrandom");
	la_json_obj_end(j);
}

static int fake_stop(void *ctx)
{
	(void)ctx;
	stopped = 1;
	if (write(stop_pipe[1], "", 1) != 1)
		abort();
	return 0;
}

static void on_term(int sig)
{
	(void)sig;
	la_ctl_unlink();
	_exit(143);
}

static int la_ctl_fake_send(const char *path, bool hangup)
{
	char why[200], buf[65536];
	int fd = la_ctl_connect(path, 10000, why, sizeof(why));
	ssize_t n;
	size_t used = 0;

	if (fd < 0) {
		fprintf(stderr, "la-ctl-fake: %s: %s\n", path, why);
		return 1;
	}
	while ((n = read(0, buf, sizeof(buf))) > 0)
		if (send(fd, buf, (size_t)n, MSG_NOSIGNAL) != n)
			break;
	if (hangup) {
		close(fd);
		return 0;
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 10000) <= 0 || (n = read(fd, buf + used, sizeof(buf) - 1 - used)) <= 0)
			break;
		used += (size_t)n;
		buf[used] = '\0';
		if (strchr(buf, '\n'))
			break;
	}
	fputs(used ? buf : "(no reply)\n", stdout);
	close(fd);
	return used ? 0 : 1;
}

int main(int argc, char **argv)
{
	const struct la_ctl_ops ops = { .status = fake_status, .list = fake_list,
					.stop = fake_stop, .suspend = fake_suspend,
					.resume = fake_resume };
	char why[200];
	int fd;

	if (argc == 3 && (!strcmp(argv[1], "--send") || !strcmp(argv[1], "--hangup")))
		return la_ctl_fake_send(argv[2], !strcmp(argv[1], "--hangup"));
	if (argc != 2) {
		fprintf(stderr, "usage: la-ctl-fake SOCKET | --send SOCKET | --hangup SOCKET\n");
		return 2;
	}
	fd = la_ctl_listen(argv[1], why, sizeof(why));
	if (fd < 0) {
		fprintf(stderr, "la-ctl-fake: %s: %s\n", argv[1], why);
		return 1;
	}
	signal(SIGTERM, on_term);
	if (pipe(stop_pipe))
		return 1;
	printf("listening\n");
	fflush(stdout);
	la_ctl_serve(fd, stop_pipe[0], &ops);
	la_ctl_unlink();
	return 0;
}
