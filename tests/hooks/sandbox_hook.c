/* SPDX-License-Identifier: MIT */
/*
 * The test builds' sandbox hook (build/tests/hooks/la-*): the programs call
 * la_sandbox_test_hook() at each point a sandbox is in place; the library's
 * version does nothing, this one misbehaves on request so the tests can
 * show what the sandbox does. Never in an installed program.
 *
 *   LA_TEST_FORBIDDEN=WHERE  at WHERE (main, vcpu, device, parser, or a virtio
 *                            device thread: virtio-blk, virtio-rng...), call
 *                            socket(2), which no allowlist has, and report
 *                            what came back (if anything did)
 *   LA_TEST_OPEN=PATH        once jailed, open PATH and create a file in /,
 *                            and report both outcomes
 *   LA_TEST_SYS_MODULE=DIR   read DIR instead of /sys/module (which KVM
 *                            module serves /dev/kvm)
 *
 * Reports are one line on standard error: "la-test-hook: WHERE: ...".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vm/kvm.h"
#include "sandbox.h"

static void hook_say(const char *where, const char *what, long rc, int err)
{
	char line[256];
	int n;

	if (rc < 0)
		n = snprintf(line, sizeof(line), "la-test-hook: %s: %s failed: %s\n", where, what,
			     strerror(err));
	else
		n = snprintf(line, sizeof(line), "la-test-hook: %s: %s returned %ld\n", where,
			     what, rc);
	if (n > 0 && write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}

void la_sandbox_test_hook(const char *where)
{
	const char *forbidden = getenv("LA_TEST_FORBIDDEN");
	const char *path = getenv("LA_TEST_OPEN");
	long rc;

	if (forbidden && !strcmp(forbidden, where)) {
		/* the raw call: no libc wrapper that might do more */
		rc = syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0);
		hook_say(where, "socket(AF_UNIX, SOCK_STREAM, 0)", rc, errno);
	}
	if (path && !strcmp(where, "jailed")) {
		rc = open(path, O_RDONLY | O_CLOEXEC);
		hook_say(where, path, rc, errno);
		rc = open("/la-jail-test", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		hook_say(where, "create /la-jail-test", rc, errno);
	}
}

const char *la_kvm_sys_module_dir(void)
{
	const char *dir = getenv("LA_TEST_SYS_MODULE");

	return dir ? dir : "/sys/module";
}
