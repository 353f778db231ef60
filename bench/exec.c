/* SPDX-License-Identifier: MIT */
/*
 * la-bench-exec: run a VMM once and measure it, for bench/boot.sh.
 *
 *   la-bench-exec [--marker STR] [--smaps-delay MS] [--smaps-at STR]
 *                 [--guest-size BYTES]... [--stamp NAME=STR]... [--log FILE]
 *                 -- CMD [ARG...]
 *
 * Prints one line of key=value pairs:
 *   wall_ms      exec to exit (CLOCK_MONOTONIC)
 *   marker_ms    exec to the first line of CMD's standard output holding STR
 *   NAME_ms      for each --stamp NAME=STR (at most 8): exec to the first
 *                line holding that STR (-1: never)
 *   maxrss_kib   CMD's peak RSS (wait4's ru_maxrss)
 *   status       CMD's exit status (128+N when killed by signal N)
 *   rss_kib, guest_kib, vmm_kib
 *                from /proc/PID/smaps, MS milliseconds after the marker:
 *                all of CMD's RSS, the RSS of its guest RAM mappings and the
 *                difference (Firecracker's "RSS minus guest memory"). Guest
 *                RAM mappings are anonymous mappings of at least 64 MiB or
 *                of exactly one of the --guest-size sizes.
 * CMD's standard output goes to FILE (default /dev/null), its standard error
 * stays ours. Statically linked so it runs in the emulated host as is.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define GUEST_RAM_MIN (64ull << 20)
#define MAX_SIZES 16
#define MAX_STAMPS 8

struct bench_opts {
	const char *marker;
	const char *smaps_at;
	const char *log;
	long smaps_delay_ms;
	uint64_t sizes[MAX_SIZES];
	int nsizes;
	const char *stamp_name[MAX_STAMPS], *stamp_str[MAX_STAMPS];
	double stamp_ms[MAX_STAMPS];
	int nstamps;
	char **cmd;
};

struct bench_mem {
	uint64_t rss_kib, guest_kib;
	int ok;
};

static double bench_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int bench_usage(const char *msg)
{
	fprintf(stderr, "la-bench-exec: %s\n"
			"usage: la-bench-exec [--marker STR] [--smaps-delay MS] [--smaps-at STR] "
			"[--guest-size BYTES]... [--stamp NAME=STR]... [--log FILE] -- CMD [ARG...]\n",
		msg);
	return 2;
}

static int bench_parse(int argc, char **argv, struct bench_opts *o)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (i + 1 >= argc)
			return bench_usage("an option lacks its value");
		if (!strcmp(a, "--marker"))
			o->marker = argv[++i];
		else if (!strcmp(a, "--smaps-at"))
			o->smaps_at = argv[++i];
		else if (!strcmp(a, "--log"))
			o->log = argv[++i];
		else if (!strcmp(a, "--smaps-delay"))
			o->smaps_delay_ms = strtol(argv[++i], NULL, 0);
		else if (!strcmp(a, "--guest-size") && o->nsizes < MAX_SIZES)
			o->sizes[o->nsizes++] = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(a, "--stamp") && o->nstamps < MAX_STAMPS) {
			char *eq = strchr(argv[++i], '=');

			if (!eq || eq == argv[i] || !eq[1])
				return bench_usage("--stamp takes NAME=STR");
			*eq = 0;
			o->stamp_name[o->nstamps] = argv[i];
			o->stamp_str[o->nstamps] = eq + 1;
			o->stamp_ms[o->nstamps++] = -1;
		}
		else
			return bench_usage("unknown option");
	}
	if (i >= argc)
		return bench_usage("no command given");
	o->cmd = argv + i;
	return 0;
}

/* bench_is_guest_ram: an anonymous mapping of guest RAM size */
static int bench_is_guest_ram(const struct bench_opts *o, const char *path, uint64_t size)
{
	if (*path && strcmp(path, "[anon]"))
		return 0;
	if (size >= GUEST_RAM_MIN)
		return 1;
	for (int i = 0; i < o->nsizes; i++)
		if (size == o->sizes[i])
			return 1;
	return 0;
}

static struct bench_mem bench_smaps(const struct bench_opts *o, pid_t pid)
{
	struct bench_mem m = { 0 };
	char path[64], line[512], name[256] = "";
	uint64_t start = 0, end = 0, kib;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return m;
	while (fgets(line, sizeof(line), f)) {
		uint64_t a, b;
		int n = 0;

		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %*s %*s %*s %*s %n", &a, &b, &n) == 2 && n) {
			start = a;
			end = b;
			snprintf(name, sizeof(name), "%s", line + n);
			name[strcspn(name, "\n")] = 0;
		} else if (sscanf(line, "Rss: %" SCNu64 " kB", &kib) == 1) {
			m.rss_kib += kib;
			if (bench_is_guest_ram(o, name, end - start))
				m.guest_kib += kib;
		}
	}
	fclose(f);
	m.ok = 1;
	return m;
}

/* bench_watch: read the child's output until EOF, timing the marker and
 * sampling smaps after it; returns the marker time or -1 */
static double bench_watch(struct bench_opts *o, int fd, pid_t pid, double t0,
			  struct bench_mem *mem)
{
	FILE *in = fdopen(fd, "r");
	FILE *log = fopen(o->log ? o->log : "/dev/null", "w");
	char *line = NULL;
	size_t cap = 0;
	double marker = -1;
	int sampled = 0;

	if (!in)
		return -1;
	while (getline(&line, &cap, in) >= 0) {
		if (log)
			fputs(line, log);
		for (int k = 0; k < o->nstamps; k++)
			if (o->stamp_ms[k] < 0 && strstr(line, o->stamp_str[k]))
				o->stamp_ms[k] = bench_now_ms() - t0;
		if (marker < 0 && o->marker && strstr(line, o->marker)) {
			marker = bench_now_ms() - t0;
			if (o->smaps_delay_ms >= 0 && !o->smaps_at) {
				usleep((useconds_t)o->smaps_delay_ms * 1000);
				*mem = bench_smaps(o, pid);
			}
		}
		if (!sampled && o->smaps_at && strstr(line, o->smaps_at)) {
			*mem = bench_smaps(o, pid);
			sampled = 1;
		}
	}
	free(line);
	if (log)
		fclose(log);
	fclose(in);
	return marker;
}

int main(int argc, char **argv)
{
	struct bench_opts o = { .smaps_delay_ms = -1 };
	struct bench_mem mem = { 0 };
	struct rusage ru;
	int pfd[2], ws, st;
	double t0, marker, wall;
	pid_t pid;

	st = bench_parse(argc, argv, &o);
	if (st)
		return st;
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		perror("la-bench-exec: pipe");
		return 1;
	}
	t0 = bench_now_ms();
	pid = fork();
	if (pid < 0) {
		perror("la-bench-exec: fork");
		return 1;
	}
	if (!pid) {
		int null = open("/dev/null", O_RDONLY);

		dup2(null, 0);
		dup2(pfd[1], 1);
		execvp(o.cmd[0], o.cmd);
		fprintf(stderr, "la-bench-exec: %s: %s\n", o.cmd[0], strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	marker = bench_watch(&o, pfd[0], pid, t0, &mem);
	if (wait4(pid, &ws, 0, &ru) < 0) {
		perror("la-bench-exec: wait4");
		return 1;
	}
	wall = bench_now_ms() - t0;
	st = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	printf("wall_ms=%.1f marker_ms=%.1f maxrss_kib=%ld status=%d", wall, marker, ru.ru_maxrss, st);
	for (int k = 0; k < o.nstamps; k++)
		printf(" %s_ms=%.1f", o.stamp_name[k], o.stamp_ms[k]);
	if (mem.ok)
		printf(" rss_kib=%" PRIu64 " guest_kib=%" PRIu64 " vmm_kib=%" PRIu64, mem.rss_kib,
		       mem.guest_kib, mem.rss_kib - mem.guest_kib);
	printf("\n");
	return 0;
}
