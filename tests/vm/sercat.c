/* SPDX-License-Identifier: MIT */
/*
 * la-sercat SOCKET STEP...: a client of la-vmrun --serial type=unix,path=
 * SOCKET, for the VM tests. It waits for SOCKET to appear, connects, then
 * takes its steps in order and detaches (exit 0):
 *   --until TEXT  read the guest's output until TEXT has come (since the
 *                 last --until)
 *   --send TEXT   type TEXT and Enter (a carriage return, as a terminal)
 * Everything read goes to standard output. Exit 1 when the socket closes
 * first (the VM ended), 2 on bad usage; la-case's timeout ends a wait
 * that never ends.
 */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int sercat_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -1;
	strcpy(sa.sun_path, path);
	while (stat(path, &st) != 0 || !S_ISSOCK(st.st_mode))
		nanosleep(&(struct timespec){ 0, 50000000 }, NULL);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "la-sercat: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return fd;
}

/* read until text has come; seen keeps the tail that may start it */
static int sercat_until(int fd, const char *text)
{
	char buf[4096 + 256], *at = buf;
	size_t tl = strlen(text), have = 0;

	for (;;) {
		ssize_t n = read(fd, at + have, 4096);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "la-sercat: the socket closed before '%s'\n", text);
			return 1;
		}
		fwrite(at + have, 1, (size_t)n, stdout);
		fflush(stdout);
		have += (size_t)n;
		at[have] = '\0';
		if (memmem(at, have, text, tl))
			return 0;
		if (have >= tl) { /* keep the last tl - 1 bytes */
			memmove(buf, at + have - (tl - 1), tl - 1);
			at = buf;
			have = tl - 1;
		}
	}
}

int main(int argc, char **argv)
{
	int fd, i;

	if (argc < 2 || argc % 2) {
		fprintf(stderr, "usage: la-sercat SOCKET [--until TEXT | --send TEXT]...\n");
		return 2;
	}
	fd = sercat_connect(argv[1]);
	if (fd < 0)
		return 1;
	for (i = 2; i < argc; i += 2) {
		if (!strcmp(argv[i], "--until") && argv[i + 1][0]) {
			if (sercat_until(fd, argv[i + 1]))
				return 1;
		} else if (!strcmp(argv[i], "--send")) {
			if (dprintf(fd, "%s\r", argv[i + 1]) < 0) {
				fprintf(stderr, "la-sercat: send: %s\n", strerror(errno));
				return 1;
			}
		} else {
			fprintf(stderr, "la-sercat: '%s': not --until TEXT or --send TEXT\n", argv[i]);
			return 2;
		}
	}
	close(fd);
	return 0;
}
