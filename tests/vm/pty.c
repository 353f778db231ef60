/* SPDX-License-Identifier: MIT */
/*
 * la-pty CMD...: run CMD with a new pseudo-terminal as its standard input,
 * output and error (so la-vmrun sees a terminal and makes it raw), copy
 * what it prints to standard output, and once it has ended say whether the
 * terminal was left as it was found:
 *   la-pty: status N icanon I echo E
 * (N: CMD's exit status, or 128+signal). Static, for the emulated host.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int master, slave, status;
	char buf[4096];
	struct termios t;
	ssize_t n;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: la-pty CMD...\n");
		return 2;
	}
	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) || unlockpt(master)) {
		perror("la-pty: posix_openpt");
		return 1;
	}
	slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	if (slave < 0) {
		perror("la-pty: open slave");
		return 1;
	}
	pid = fork();
	if (pid == 0) {
		setsid();
		dup2(slave, 0), dup2(slave, 1), dup2(slave, 2);
		close(master);
		if (slave > 2)
			close(slave);
		execvp(argv[1], argv + 1);
		perror("la-pty: exec");
		_exit(127);
	}
	/* drain the terminal until the child is gone (EIO once no one else
	 * has the slave open: we keep it, so poll for the child instead) */
	fcntl(master, F_SETFL, O_NONBLOCK);
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		while ((n = read(master, buf, sizeof(buf))) > 0)
			fwrite(buf, 1, (size_t)n, stdout);
		if (w == pid)
			break;
		usleep(10000);
	}
	if (tcgetattr(slave, &t) != 0) {
		perror("la-pty: tcgetattr");
		return 1;
	}
	fflush(stdout);
	printf("\nla-pty: status %d icanon %d echo %d\n",
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
	       !!(t.c_lflag & ICANON), !!(t.c_lflag & ECHO));
	return 0;
}
