/* SPDX-License-Identifier: MIT */
/*
 * The control socket's protocol (lib/ctl.c) without a VM: requests parsed
 * and refused, the replies' exact lines, and the socket served by a
 * thread under the control allowlist, as la-vmrun's la-ctl thread is.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl.h"
#include "err.h"
#include "sandbox.h"
#include "t.h"
#include "../ctl/fake_pmc.h"

/* ---- a fake VM ---- */

static int fake_stops;

static void fake_status(void *ctx, struct la_ctl_status *st)
{
	(void)ctx;
	*st = (struct la_ctl_status){ .fate = fake_stops ? 0 : -1, .why = "la-vmctl stop",
				      .uptime_ms = 1500, .arch = "x86_64", .cpus = 2,
				      .started = 2, .pid = 42 };
}

static void fake_list(void *ctx, struct la_json *j)
{
	(void)ctx;
	la_json_obj_begin(j, NULL);
	la_json_str(j, "name", "virtio-blk0");
	la_json_str(j, "slot", "00:01.0");
	la_json_obj_end(j);
}

static int fake_stop(void *ctx)
{
	(void)ctx;
	fake_stops++;
	return 0;
}

static const struct la_ctl_ops fake = { .status = fake_status, .list = fake_list,
					.stop = fake_stop };

/* the reply of ops to req, without its newline (static buffer) */
static const char *reply_of(const struct la_ctl_ops *ops, const char *req,
			    enum la_ctl_code *code)
{
	static char out[2048];
	FILE *f = fmemopen(out, sizeof(out), "w");
	enum la_ctl_code c = la_ctl_reply(ops, req, strlen(req), f);
	char *nl;

	fclose(f);
	nl = strchr(out, '\n');
	if (nl && !nl[1])
		*nl = '\0';
	if (code)
		*code = c;
	return out;
}

static const char *reply(const char *req, enum la_ctl_code *code)
{
	return reply_of(&fake, req, code);
}

static enum la_ctl_code parse(const char *req, struct la_ctl_req *r, char *why)
{
	return la_ctl_parse(req, strlen(req), r, why, 256);
}

static void test_parse(void)
{
	struct la_ctl_req r;
	char why[256], deep[64] = "{\"op\":";
	unsigned b, d, f;

	T_CHECK(parse("{\"op\":\"list\"}", &r, why) == LA_CTL_OK && r.op == LA_CTL_LIST);
	T_CHECK(parse(" { \"op\" : \"status\" } ", &r, why) == LA_CTL_OK && r.op == LA_CTL_STATUS);
	T_CHECK(parse("{\"op\":\"stop\"}", &r, why) == LA_CTL_OK && r.op == LA_CTL_STOP);
	T_CHECK(parse("{\"op\":\"add\",\"device\":\"disk\",\"path\":\"/a.img\",\"ro\":true,"
		      "\"serial\":\"S1\",\"direct\":false}", &r, why) == LA_CTL_OK);
	T_CHECK(r.op == LA_CTL_ADD && r.device == LA_CTL_DEV_DISK && r.ro && !r.direct);
	T_EQ_STR(r.path, "/a.img");
	T_EQ_STR(r.serial, "S1");
	T_CHECK(parse("{\"op\":\"add\",\"device\":\"net\",\"tap\":\"tap0\"}", &r, why) == LA_CTL_OK);
	T_CHECK(r.device == LA_CTL_DEV_NET && !strcmp(r.path, "tap0"));
	T_CHECK(!r.has_mac && r.vhost == LA_CTL_VHOST_AUTO);
	T_CHECK(parse("{\"op\":\"add\",\"device\":\"net\",\"tap\":\"t\",\"mac\":"
		      "\"52:54:00:aB:cd:EF\",\"vhost\":false}", &r, why) == LA_CTL_OK);
	T_CHECK(r.has_mac && r.mac[3] == 0xab && r.mac[5] == 0xef && r.vhost == LA_CTL_VHOST_OFF);
	T_CHECK(parse("{\"op\":\"add\",\"device\":\"net\",\"tap\":\"t\",\"vhost\":true}",
		      &r, why) == LA_CTL_OK && r.vhost == LA_CTL_VHOST_ON);
	T_CHECK(parse("{\"op\":\"add\",\"device\":\"net\",\"tap\":\"t\",\"mac\":\"52:54\"}",
		      &r, why) == LA_CTL_BAD_REQUEST);
	T_EQ_STR(why, "add net: \"mac\": \"52:54\" is not a MAC address (six hex pairs: "
		 "52:54:00:12:34:56)");
	T_CHECK(parse("{\"op\":\"add\",\"device\":\"net\",\"tap\":\"t\",\"mac\":"
		      "\"01:00:5e:00:00:01\"}", &r, why) == LA_CTL_BAD_REQUEST);
	T_CHECK(strstr(why, "multicast") != NULL);
	T_CHECK(parse("{\"op\":\"add\",\"device\":\"net\",\"tap\":\"t\",\"vhost\":\"on\"}",
		      &r, why) == LA_CTL_BAD_REQUEST);
	T_EQ_STR(why, "add net: \"vhost\" must be true or false");
	T_CHECK(parse("{\"op\":\"add\",\"device\":\"net\",\"tap\":\"t\",\"ro\":true}",
		      &r, why) == LA_CTL_BAD_REQUEST);
	T_EQ_STR(why, "add net: unknown key \"ro\"");
	T_CHECK(parse("{\"op\":\"remove\",\"addr\":\"00:1f.7\"}", &r, why) == LA_CTL_OK);
	T_CHECK(r.bus == 0 && r.dev == 0x1f && r.func == 7);

	T_CHECK(parse("", &r, why) == LA_CTL_BAD_JSON);
	T_CHECK(parse("status", &r, why) == LA_CTL_BAD_JSON);
	T_CHECK(parse("{\"op\":\"list\"} {}", &r, why) == LA_CTL_BAD_JSON);
	T_CHECK(parse("{\"op\":\"list\",\"op\":\"stop\"}", &r, why) == LA_CTL_BAD_JSON);
	T_CHECK(strstr(why, "duplicate") != NULL);
	T_CHECK(parse("[\"op\"]", &r, why) == LA_CTL_BAD_REQUEST);
	T_EQ_STR(why, "a request is a JSON object");
	T_CHECK(parse("{}", &r, why) == LA_CTL_BAD_REQUEST);
	T_CHECK(parse("{\"op\":1}", &r, why) == LA_CTL_BAD_REQUEST);
	T_CHECK(parse("{\"op\":\"reboot\"}", &r, why) == LA_CTL_UNKNOWN_OP);
	T_EQ_STR(why, "unknown op \"reboot\" (list, status, stop, add, remove, suspend, resume)");
	T_CHECK(parse("{\"op\":\"status\",\"verbose\":true}", &r, why) == LA_CTL_BAD_REQUEST);
	T_EQ_STR(why, "status: unknown key \"verbose\"");
	T_CHECK(parse("{\"op\":\"add\",\"device\":\"disk\"}", &r, why) == LA_CTL_BAD_REQUEST);
	T_EQ_STR(why, "add disk: \"path\" is missing");
	T_CHECK(parse("{\"op\":\"add\",\"device\":\"disk\",\"path\":\"a\",\"ro\":1}", &r, why) ==
		LA_CTL_BAD_REQUEST);
	T_EQ_STR(why, "add disk: \"ro\" must be true or false");
	T_CHECK(parse("{\"op\":\"add\",\"device\":\"disk\",\"path\":\"\"}", &r, why) ==
		LA_CTL_BAD_REQUEST);
	T_CHECK(parse("{\"op\":\"add\",\"device\":\"disk\",\"path\":\"a,ro\"}", &r, why) ==
		LA_CTL_BAD_REQUEST);
	T_CHECK(parse("{\"op\":\"add\",\"device\":\"disk\",\"tap\":\"t\",\"path\":\"a\"}", &r,
		      why) == LA_CTL_BAD_REQUEST);
	T_CHECK(parse("{\"op\":\"add\",\"device\":\"net\",\"tap\":\"0123456789abcdef\"}", &r,
		      why) == LA_CTL_BAD_REQUEST);
	T_EQ_STR(why, "add net: \"tap\" must be at most 15 bytes");
	T_CHECK(parse("{\"op\":\"add\",\"device\":\"gpu\"}", &r, why) == LA_CTL_BAD_REQUEST);
	T_CHECK(parse("{\"op\":\"add\",\"device\":7}", &r, why) == LA_CTL_BAD_REQUEST);
	T_CHECK(parse("{\"op\":\"remove\",\"addr\":\"0:5.0\"}", &r, why) == LA_CTL_BAD_REQUEST);
	T_CHECK(parse("{\"op\":\"remove\",\"addr\":5}", &r, why) == LA_CTL_BAD_REQUEST);
	T_CHECK(parse("{\"op\":\"remove\"}", &r, why) == LA_CTL_BAD_REQUEST);

	/* nesting: bounded before jansson sees it, strings not counted */
	T_CHECK(parse("{\"op\":\"list\",\"x\":[[[]]]}", &r, why) == LA_CTL_BAD_REQUEST);
	for (int i = 0; i < 5; i++)
		strcat(deep, "[");
	T_CHECK(parse(deep, &r, why) == LA_CTL_TOO_DEEP);
	T_CHECK(parse("{\"op\":\"[[[[[[[[\\\"{{{{{\"}", &r, why) == LA_CTL_UNKNOWN_OP);
	{
		char *big = malloc(LA_CTL_REQUEST_MAX + 2);

		memset(big, ' ', LA_CTL_REQUEST_MAX + 1);
		big[LA_CTL_REQUEST_MAX + 1] = '\0';
		T_CHECK(parse(big, &r, why) == LA_CTL_TOO_LONG);
		big[LA_CTL_REQUEST_MAX] = '\0';
		T_CHECK(parse(big, &r, why) == LA_CTL_BAD_JSON);
		free(big);
	}

	T_CHECK(la_ctl_parse_addr("00:05.0", &b, &d, &f) == 0 && b == 0 && d == 5 && f == 0);
	T_CHECK(la_ctl_parse_addr("Ff:1F.3", &b, &d, &f) == 0 && b == 0xff && d == 0x1f && f == 3);
	T_CHECK(la_ctl_parse_addr("00:20.0", &b, &d, &f) != 0);
	T_CHECK(la_ctl_parse_addr("00:05.8", &b, &d, &f) != 0);
	T_CHECK(la_ctl_parse_addr("00:05.00", &b, &d, &f) != 0);
	T_CHECK(la_ctl_parse_addr("0g:05.0", &b, &d, &f) != 0);
	T_CHECK(la_ctl_parse_addr("00-05.0", &b, &d, &f) != 0);
}

static void test_replies(void)
{
	enum la_ctl_code c;

	T_EQ_STR(reply("{\"op\":\"status\"}", &c),
		 "{\"la-vmctl-schema\":1,\"ok\":true,\"op\":\"status\",\"state\":\"running\","
		 "\"uptime_ms\":1500,\"arch\":\"x86_64\",\"pid\":42,\"cpus\":2,\"vcpus\":["
		 "{\"id\":0,\"state\":\"running\"},{\"id\":1,\"state\":\"running\"}]}");
	T_CHECK(c == LA_CTL_OK);
	T_EQ_STR(reply("{\"op\":\"list\"}", &c),
		 "{\"la-vmctl-schema\":1,\"ok\":true,\"op\":\"list\",\"devices\":["
		 "{\"name\":\"virtio-blk0\",\"slot\":\"00:01.0\"}]}");
	T_EQ_STR(reply("{\"op\":\"add\",\"device\":\"disk\",\"path\":\"x.img\",\"ro\":true}", &c),
		 "{\"la-vmctl-schema\":1,\"ok\":false,\"code\":\"unsupported\",\"error\":\"add: "
		 "this VM has no PCI hot-plug slots (la-vmrun --pci-hotplug-slots N)\"}");
	T_CHECK(c == LA_CTL_UNSUPPORTED);
	T_EQ_STR(reply("{\"op\":\"remove\",\"addr\":\"00:05.0\"}", &c),
		 "{\"la-vmctl-schema\":1,\"ok\":false,\"code\":\"unsupported\",\"error\":\"remove: "
		 "this VM has no PCI hot-plug slots (la-vmrun --pci-hotplug-slots N)\"}");
	T_EQ_STR(reply("{\"op\":\"remove\",\"addr\":\"nope\"}", &c),
		 "{\"la-vmctl-schema\":1,\"ok\":false,\"code\":\"bad-request\",\"error\":\"remove: "
		 "\\\"addr\\\" must be a PCI address BB:DD.F (as list shows)\"}");
	T_CHECK(c == LA_CTL_BAD_REQUEST);
	/* a key cut mid-character, and input jansson quotes, stay ASCII */
	reply("{\"op\":\"status\",\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	      "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	      "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	      "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\":1}", &c);
	T_CHECK(c == LA_CTL_BAD_REQUEST);
	{
		const char *out = reply("{\"op\":\"status\",\"\xc3\xa9\":1}", NULL);
		bool ascii = true;

		for (const char *p = out; *p; p++)
			ascii &= (unsigned char)*p < 0x80;
		T_CHECK(ascii);
	}
	T_EQ_STR(reply("{\"op\":\"stop\"}", &c),
		 "{\"la-vmctl-schema\":1,\"ok\":true,\"op\":\"stop\",\"exit_status\":0}");
	T_CHECK(fake_stops == 1);
	T_EQ_STR(reply("{\"op\":\"status\"}", &c),
		 "{\"la-vmctl-schema\":1,\"ok\":true,\"op\":\"status\",\"state\":\"poweroff\","
		 "\"exit_status\":0,\"why\":\"la-vmctl stop\",\"uptime_ms\":1500,\"arch\":"
		 "\"x86_64\",\"pid\":42,\"cpus\":2,\"vcpus\":[{\"id\":0,\"state\":\"stopped\"},"
		 "{\"id\":1,\"state\":\"stopped\"}]}");
	fake_stops = 0;
}

/* ---- suspend and resume, with a fake PMC ---- */

static void fake_status_pmc(void *ctx, struct la_ctl_status *st)
{
	fake_status(ctx, st);
	st->suspended = fake_suspended;
}

static const char *reply_pmc(const char *req, enum la_ctl_code *code)
{
	static const struct la_ctl_ops pmc = { .status = fake_status_pmc, .list = fake_list,
					       .stop = fake_stop, .suspend = fake_suspend,
					       .resume = fake_resume };

	return reply_of(&pmc, req, code);
}

static void test_suspend(void)
{
	struct la_ctl_req r;
	enum la_ctl_code c;
	char why[256];

	T_CHECK(parse("{\"op\":\"suspend\"}", &r, why) == LA_CTL_OK && r.op == LA_CTL_SUSPEND);
	T_CHECK(parse("{\"op\":\"resume\"}", &r, why) == LA_CTL_OK && r.op == LA_CTL_RESUME);
	T_CHECK(parse("{\"op\":\"suspend\",\"now\":true}", &r, why) == LA_CTL_BAD_REQUEST);
	T_EQ_STR(why, "suspend: unknown key \"now\"");
	T_CHECK(parse("{\"op\":\"Suspend\"}", &r, why) == LA_CTL_UNKNOWN_OP);

	/* a VM without a PMC: unsupported, nothing asked */
	T_EQ_STR(reply("{\"op\":\"suspend\"}", &c),
		 "{\"la-vmctl-schema\":1,\"ok\":false,\"code\":\"unsupported\",\"error\":"
		 "\"suspend: this VM has no virtual PMC (an x86_64 guest with ACPI has one)\"}");
	T_CHECK(c == LA_CTL_UNSUPPORTED);
	T_EQ_STR(reply("{\"op\":\"resume\"}", &c),
		 "{\"la-vmctl-schema\":1,\"ok\":false,\"code\":\"unsupported\",\"error\":"
		 "\"resume: this VM has no virtual PMC (an x86_64 guest with ACPI has one)\"}");

	/* resume while running, then suspend, status, suspend again, resume */
	T_EQ_STR(reply_pmc("{\"op\":\"resume\"}", &c),
		 "{\"la-vmctl-schema\":1,\"ok\":false,\"code\":\"state\",\"error\":"
		 "\"resume: the guest is not suspended\"}");
	T_CHECK(c == LA_CTL_STATE);
	T_EQ_STR(reply_pmc("{\"op\":\"suspend\"}", &c),
		 "{\"la-vmctl-schema\":1,\"ok\":true,\"op\":\"suspend\",\"state\":\"suspended\"}");
	T_CHECK(c == LA_CTL_OK && fake_suspended);
	T_EQ_STR(reply_pmc("{\"op\":\"status\"}", &c),
		 "{\"la-vmctl-schema\":1,\"ok\":true,\"op\":\"status\",\"state\":\"suspended\","
		 "\"uptime_ms\":1500,\"arch\":\"x86_64\",\"pid\":42,\"cpus\":2,\"vcpus\":["
		 "{\"id\":0,\"state\":\"suspended\"},{\"id\":1,\"state\":\"suspended\"}]}");
	T_EQ_STR(reply_pmc("{\"op\":\"suspend\"}", &c),
		 "{\"la-vmctl-schema\":1,\"ok\":false,\"code\":\"state\",\"error\":"
		 "\"suspend: the guest is suspended already\"}");
	fake_pmc_answer = LA_CTL_TIMEOUT;
	T_EQ_STR(reply_pmc("{\"op\":\"resume\"}", &c),
		 "{\"la-vmctl-schema\":1,\"ok\":false,\"code\":\"timeout\",\"error\":"
		 "\"resume: the guest did not\"}");
	T_CHECK(c == LA_CTL_TIMEOUT && fake_suspended);
	fake_pmc_answer = LA_CTL_OK;
	T_EQ_STR(reply_pmc("{\"op\":\"resume\"}", &c),
		 "{\"la-vmctl-schema\":1,\"ok\":true,\"op\":\"resume\",\"state\":\"running\"}");
	T_CHECK(!fake_suspended && fake_pmc_calls == 5);
	T_EQ_STR(la_ctl_code_name(LA_CTL_STATE), "state");
	T_EQ_STR(la_ctl_op_name(LA_CTL_RESUME), "resume");
}

/* ---- the socket, served by a thread under the control allowlist ---- */

struct server {
	int lfd, stop[2], ready[2];
	bool no_filter;            /* LA_TEST_QEMU_USER: qemu-user refuses filters */
	pthread_t t;
	int filter_err, serve_err;
};

/* The server: under the control allowlist (unless no_filter), says on
 * ready[1] whether it serves, then serves until stop. */
static void *serve_thread(void *p)
{
	struct server *s = p;

	la_sandbox_set_thread(LA_THREAD_CONTROL, 0);
	if (!s->no_filter)
		s->filter_err = la_sandbox_filter_install("test_ctl", LA_THREAD_CONTROL,
							  LA_SECCOMP_TRAP);
	if (write(s->ready[1], "", 1) != 1)
		return NULL;
	if (!s->filter_err)
		s->serve_err = la_ctl_serve(s->lfd, s->stop[0], &fake);
	return NULL;
}

/* one request line sent, the reply line read (NULL: the server closed) */
static char *ask(int fd, const char *req, size_t len)
{
	static char buf[8192];
	size_t used = 0;

	if (len && send(fd, req, len, MSG_NOSIGNAL) != (ssize_t)len)
		return NULL;
	while (used < sizeof(buf) - 1) {
		ssize_t n = read(fd, buf + used, sizeof(buf) - 1 - used);

		if (n <= 0)
			return NULL;
		used += (size_t)n;
		buf[used] = '\0';
		if (strchr(buf, '\n'))
			return buf;
	}
	return NULL;
}

static int client(const char *path)
{
	char why[200];

	return la_ctl_connect(path, 5000, why, sizeof(why));
}

static void test_socket(void)
{
	char dir[] = "/tmp/la-test-ctl-XXXXXX", path[128], why[200], *r, *big;
	struct server s = { 0 };
	struct stat st;
	int fd, fds[LA_CTL_CLIENTS + 1];

	if (!mkdtemp(dir)) {
		T_SKIP("no temporary directory");
		return;
	}
	snprintf(path, sizeof(path), "%s/vm.sock", dir);
	T_CHECK(la_ctl_connect(path, 1000, why, sizeof(why)) < 0);
	T_EQ_STR(why, "no such socket");

	s.lfd = la_ctl_listen(path, why, sizeof(why));
	T_CHECK(s.lfd >= 0);
	T_CHECK(stat(path, &st) == 0 && S_ISSOCK(st.st_mode) && (st.st_mode & 0777) == 0600);
	T_CHECK(pipe(s.stop) == 0 && pipe(s.ready) == 0);
	s.no_filter = getenv("LA_TEST_QEMU_USER") != NULL;
	if (s.no_filter)
		T_SKIP("the control allowlist (LA_TEST_QEMU_USER: qemu-user refuses filters)");
	T_CHECK(pthread_create(&s.t, NULL, serve_thread, &s) == 0);
	{
		char c;

		/* a server that could not take its filter serves nobody: no
		 * client would ever get an answer */
		T_CHECK(read(s.ready[0], &c, 1) == 1);
		T_EQ_U64((uint64_t)s.filter_err, 0);
		if (s.filter_err) {
			pthread_join(s.t, NULL);
			close(s.lfd);
			return;
		}
	}

	/* in use: refused, the socket left alone */
	T_CHECK(la_ctl_listen(path, why, sizeof(why)) == -LA_ERR_CTLINUSE);
	T_EQ_STR(why, "in use by a running VM");
	T_CHECK(stat(path, &st) == 0);

	fd = client(path);
	T_CHECK(fd >= 0);
	r = ask(fd, "{\"op\":\"list\"}\n", 14);
	T_CHECK(r && strstr(r, "\"devices\":[{\"name\":\"virtio-blk0\""));
	/* several requests on one connection; garbage is answered, not fatal */
	r = ask(fd, "{nope\n", 6);
	T_CHECK(r && strstr(r, "\"code\":\"bad-json\""));
	r = ask(fd, "{\"op\":\"status\"}\n", 16);
	T_CHECK(r && strstr(r, "\"state\":\"running\""));
	close(fd);

	/* too long: answered, then the connection dropped */
	fd = client(path);
	big = malloc(LA_CTL_REQUEST_MAX + 100);
	memset(big, 'x', LA_CTL_REQUEST_MAX + 100);
	r = ask(fd, big, LA_CTL_REQUEST_MAX + 100);
	T_CHECK(r && strstr(r, "\"code\":\"too-long\",\"error\":\"request longer than 4096 bytes\""));
	T_CHECK(ask(fd, "", 0) == NULL);
	close(fd);
	free(big);

	/* gone mid-request: the next client is served */
	fd = client(path);
	T_CHECK(send(fd, "{\"op\":\"sta", 10, 0) == 10);
	close(fd);
	fd = client(path);
	r = ask(fd, "{\"op\":\"status\"}\n", 16);
	T_CHECK(r && strstr(r, "\"ok\":true"));
	close(fd);

	/* LA_CTL_CLIENTS at once are served; one more is told busy */
	for (int i = 0; i < LA_CTL_CLIENTS; i++) {
		fds[i] = client(path);
		r = ask(fds[i], "{\"op\":\"status\"}\n", 16);
		T_CHECK(r && strstr(r, "\"ok\":true"));
	}
	fds[LA_CTL_CLIENTS] = client(path);
	r = ask(fds[LA_CTL_CLIENTS], "", 0);
	T_CHECK(r && strstr(r, "\"code\":\"busy\""));
	for (int i = 0; i <= LA_CTL_CLIENTS; i++)
		close(fds[i]);

	T_CHECK(write(s.stop[1], "", 1) == 1);
	pthread_join(s.t, NULL);
	T_CHECK(s.filter_err == 0 && s.serve_err == 0);
	close(s.lfd);

	/* nobody listens: la-vmctl says so; la_ctl_listen replaces it */
	T_CHECK(la_ctl_connect(path, 1000, why, sizeof(why)) < 0);
	T_EQ_STR(why, "connection refused (no VM listens: a stale socket)");
	la_ctl_unlink(); /* as la-vmrun leaves */
	T_CHECK(stat(path, &st) != 0 && errno == ENOENT);
	close(LA_CTL_DIRFD);
	/* a stale socket (bound, never unlinked) is replaced */
	{
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		int raw = socket(AF_UNIX, SOCK_STREAM, 0);

		memcpy(sa.sun_path, path, strlen(path) + 1); /* < 108 bytes */
		T_CHECK(bind(raw, (struct sockaddr *)&sa, sizeof(sa)) == 0);
		close(raw);
	}
	fd = la_ctl_listen(path, why, sizeof(why));
	T_CHECK(fd >= 0);
	close(fd);
	la_ctl_unlink();
	la_ctl_unlink(); /* once */
	close(LA_CTL_DIRFD);
	/* anything else is never replaced */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	close(fd);
	T_CHECK(la_ctl_listen(path, why, sizeof(why)) == -LA_ERR_CTLNOTSOCK);
	T_EQ_STR(why, "not a socket; not replacing it");
	T_CHECK(stat(path, &st) == 0 && S_ISREG(st.st_mode));
	T_CHECK(la_ctl_connect(path, 1000, why, sizeof(why)) < 0);
	T_EQ_STR(why, "not a socket");
	unlink(path);
	/* a path a Unix socket cannot have */
	memset(path, 'a', 120);
	path[120] = '\0';
	T_CHECK(la_ctl_listen(path, why, sizeof(why)) == -LA_ERR_NAMELEN);
	rmdir(dir);
}

int main(void)
{
	/* first: no jansson call before la_ctl_listen's, as in la-vmrun,
	 * so the serving thread's allowlist meets jansson's first use */
	test_socket();
	test_parse();
	test_replies();
	test_suspend();
	return T_DONE();
}
