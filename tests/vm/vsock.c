/*
 * la-vsock: move a payload both ways over AF_VSOCK and check it, for the
 * virtio-vsock tests (busybox has no vsock client). Static, one per arch,
 * so it runs in the test guest and in the emulated host alike.
 *
 *   la-vsock [-n BYTES] [-t SECS] listen PORT       accept one connection
 *   la-vsock [-n BYTES] [-t SECS] [-w] connect CID PORT
 *                                   connect (CID 2: the host, 1: this
 *                                   machine's loopback, 3...: a guest); -w
 *                                   retries until the peer listens (a guest
 *                                   still booting) or -t ends it
 *
 * Each side sends BYTES (default 1 MiB) of a pseudo-random stream seeded by
 * its role, shuts its sending half, and reads the peer's stream to its end,
 * both at once (poll), so neither blocks on a full buffer. It prints
 *   la-vsock: listening on port PORT               (listen, before accept)
 *   la-vsock: connected to CID:PORT                (connect)
 *   la-vsock: peer CID:PORT                        (listen, after accept)
 *   la-vsock: sent N fnv1a64 HASH
 *   la-vsock: received N fnv1a64 HASH ok           (or "expected N HASH")
 * and exits 0 when it received exactly what the peer's role sends, 1 when
 * not (or on a socket error, one line on stderr), 2 on usage errors. -t
 * (default 60) ends a run that hangs, as a failure.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

/* the stream one role sends: xorshift64 from a seed per role */
struct stream {
	uint64_t state;
	uint64_t hash; /* FNV-1a 64 over the bytes so far */
	uint64_t count;
};

static void stream_init(struct stream *s, uint64_t seed)
{
	s->state = seed;
	s->hash = FNV_OFFSET;
	s->count = 0;
}

/* stream_next: the next byte of the stream (and account for it) */
static uint8_t stream_next(struct stream *s)
{
	uint8_t b;

	s->state ^= s->state << 13;
	s->state ^= s->state >> 7;
	s->state ^= s->state << 17;
	b = (uint8_t)(s->state >> 24);
	s->hash = (s->hash ^ b) * FNV_PRIME;
	s->count++;
	return b;
}

static void hash_bytes(uint64_t *h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		*h = (*h ^ p[i]) * FNV_PRIME;
}

#define SEED_LISTEN 0x6c612d6c697374ULL /* "la-list" */
#define SEED_CONNECT 0x6c612d636f6e6eULL /* "la-conn" */

static void usage(const char *why)
{
	fprintf(stderr, "la-vsock: %s\n", why);
	fprintf(stderr, "usage: la-vsock [-n BYTES] [-t SECS] [-w] listen PORT | connect CID PORT\n");
	exit(2);
}

static unsigned long number(const char *s, const char *what, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || s[0] == '-' || v > max) {
		char msg[128];

		snprintf(msg, sizeof(msg), "%s: '%s' is not a number up to %lu", what, s, max);
		usage(msg);
	}
	return v;
}

static void fail(const char *what)
{
	fprintf(stderr, "la-vsock: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* the time-out line, made before the alarm can fire (the handler only
 * writes it): with -w, what connect last failed with */
static char timeout_line[160] = "la-vsock: timed out\n";
static volatile size_t timeout_len = 20;

static void on_alarm(int sig)
{
	(void)sig;
	if (write(2, timeout_line, timeout_len) < 0)
		_exit(1);
	_exit(1);
}

/* exchange: send our stream, receive theirs, both at once; returns 0 when
 * what came is the peer's stream exactly */
static int exchange(int fd, uint64_t ours, uint64_t theirs, uint64_t bytes)
{
	struct stream out, want;
	uint64_t got = 0, got_hash = FNV_OFFSET;
	uint8_t obuf[16384], ibuf[16384];
	size_t olen = 0, ooff = 0;
	int sending = 1, receiving = 1, same = 1;

	stream_init(&out, ours);
	stream_init(&want, theirs);
	while (sending || receiving) {
		struct pollfd p = { .fd = fd, .events = 0 };

		if (sending && ooff == olen) {
			olen = 0;
			ooff = 0;
			while (olen < sizeof(obuf) && out.count < bytes)
				obuf[olen++] = stream_next(&out);
			if (olen == 0) {
				if (shutdown(fd, SHUT_WR) < 0)
					fail("shutdown");
				sending = 0;
				continue;
			}
		}
		if (sending)
			p.events |= POLLOUT;
		if (receiving)
			p.events |= POLLIN;
		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			fail("poll");
		}
		if (receiving && (p.revents & (POLLIN | POLLHUP | POLLERR))) {
			ssize_t n = recv(fd, ibuf, sizeof(ibuf), MSG_DONTWAIT);

			if (n < 0 && errno != EAGAIN && errno != EINTR)
				fail("recv");
			if (n == 0)
				receiving = 0;
			for (ssize_t i = 0; i < n; i++)
				if (want.count >= bytes || stream_next(&want) != ibuf[i])
					same = 0;
			if (n > 0) {
				hash_bytes(&got_hash, ibuf, (size_t)n);
				got += (uint64_t)n;
			}
		}
		if (sending && (p.revents & (POLLOUT | POLLERR))) {
			ssize_t n = send(fd, obuf + ooff, olen - ooff, MSG_DONTWAIT | MSG_NOSIGNAL);

			if (n < 0 && errno != EAGAIN && errno != EINTR)
				fail("send");
			if (n > 0)
				ooff += (size_t)n;
		}
	}
	printf("la-vsock: sent %" PRIu64 " fnv1a64 %016" PRIx64 "\n", out.count, out.hash);
	/* the expected stream in full, for the "expected" line */
	while (want.count < bytes)
		stream_next(&want);
	if (same && got == bytes) {
		printf("la-vsock: received %" PRIu64 " fnv1a64 %016" PRIx64 " ok\n", got, got_hash);
		return 0;
	}
	printf("la-vsock: received %" PRIu64 " fnv1a64 %016" PRIx64 " expected %" PRIu64
	       " %016" PRIx64 "\n", got, got_hash, bytes, want.hash);
	return 1;
}

int main(int argc, char **argv)
{
	uint64_t bytes = 1 << 20;
	unsigned long secs = 60;
	struct sockaddr_vm a = { .svm_family = AF_VSOCK };
	int opt, fd, wait = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "+n:t:w")) != -1) {
		switch (opt) {
		case 'w':
			wait = 1;
			break;
		case 'n':
			bytes = number(optarg, "-n", 1UL << 40);
			break;
		case 't':
			secs = number(optarg, "-t", 86400);
			break;
		default:
			usage("unknown option");
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage("no mode given");
	signal(SIGALRM, on_alarm);
	alarm((unsigned)secs);
	fd = socket(AF_VSOCK, SOCK_STREAM, 0);
	if (!strcmp(argv[0], "listen")) {
		struct sockaddr_vm peer;
		socklen_t len = sizeof(peer);
		int c;

		if (argc != 2)
			usage("listen takes PORT");
		a.svm_cid = VMADDR_CID_ANY;
		a.svm_port = (unsigned)number(argv[1], "PORT", UINT_MAX - 1);
		if (fd < 0)
			fail("socket(AF_VSOCK)");
		if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
			fail("bind");
		if (listen(fd, 1) < 0)
			fail("listen");
		printf("la-vsock: listening on port %u\n", a.svm_port);
		c = accept(fd, (struct sockaddr *)&peer, &len);
		if (c < 0)
			fail("accept");
		printf("la-vsock: peer %u:%u\n", peer.svm_cid, peer.svm_port);
		return exchange(c, SEED_LISTEN, SEED_CONNECT, bytes);
	}
	if (!strcmp(argv[0], "connect")) {
		if (argc != 3)
			usage("connect takes CID PORT");
		a.svm_cid = (unsigned)number(argv[1], "CID", UINT_MAX);
		a.svm_port = (unsigned)number(argv[2], "PORT", UINT_MAX - 1);
		if (fd < 0)
			fail("socket(AF_VSOCK)");
		while (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
			/* -w: nobody listens yet, or the guest's CID is not
			 * there yet (refused, reset, no such device): again,
			 * until -t says when it is enough */
			if (!wait)
				fail("connect");
			timeout_len = 0;
			snprintf(timeout_line, sizeof(timeout_line),
				 "la-vsock: timed out (connect: %s)\n", strerror(errno));
			timeout_len = strlen(timeout_line);
			close(fd);
			usleep(200 * 1000);
			fd = socket(AF_VSOCK, SOCK_STREAM, 0);
			if (fd < 0)
				fail("socket(AF_VSOCK)");
		}
		printf("la-vsock: connected to %u:%u\n", a.svm_cid, a.svm_port);
		return exchange(fd, SEED_CONNECT, SEED_LISTEN, bytes);
	}
	usage("the mode is listen or connect");
	return 2;
}
