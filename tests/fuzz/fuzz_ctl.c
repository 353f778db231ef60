/* SPDX-License-Identifier: MIT */
/*
 * The control socket's requests (lib/ctl.c): one line parsed and answered
 * by la_ctl_reply_fd with a fake VM behind struct la_ctl_ops, as
 * tests/ctl/fake.c does. The first byte says whether the VM has hot-plug
 * slots and what its add and remove answer; the rest is the line. Every
 * reply must be one line of JSON, an object with "ok".
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "ctl.h"
#include "fuzz.h"
#include "jsonw.h"

static uint8_t mode;

static void f_status(void *ctx, struct la_ctl_status *st)
{
	(void)ctx;
	*st = (struct la_ctl_status){ .fate = (mode & 1) ? 0 : -1,
				      .why = (mode & 1) ? "la-vmctl stop" : NULL,
				      .uptime_ms = 1234, .arch = "x86_64", .cpus = 2,
				      .started = 2, .pid = 42 };
}

static void f_list(void *ctx, struct la_json *j)
{
	(void)ctx;
	la_json_obj_begin(j, NULL);
	la_json_str(j, "name", "virtio-blk0");
	la_json_obj_end(j);
}

static int f_stop(void *ctx)
{
	(void)ctx;
	return 0;
}

static enum la_ctl_code f_add(void *ctx, const struct la_ctl_req *r, int fd, struct la_json *j,
			      char *why, size_t whylen)
{
	enum la_ctl_code c = (enum la_ctl_code)((mode >> 2) % LA_CTL_CODE_COUNT);

	(void)ctx, (void)fd;
	if (c) {
		snprintf(why, whylen, "cannot add %s", r->path);
		return c;
	}
	la_json_str(j, "path", r->path);
	la_json_str(j, "serial", r->serial);
	return LA_CTL_OK;
}

static enum la_ctl_code f_remove(void *ctx, const struct la_ctl_req *r, struct la_json *j,
				 char *why, size_t whylen)
{
	enum la_ctl_code c = (enum la_ctl_code)((mode >> 5) % LA_CTL_CODE_COUNT);

	(void)ctx;
	if (c) {
		snprintf(why, whylen, "no device at %02x:%02x.%x", r->bus, r->dev, r->func);
		return c;
	}
	la_json_u64(j, "bus", r->bus);
	return LA_CTL_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	struct la_ctl_ops ops = { .status = f_status, .list = f_list, .stop = f_stop };
	char *out = NULL;
	size_t outlen = 0;
	json_t *v;
	json_error_t e;
	FILE *o;

	mode = fz_u8(&f);
	if (mode & 2)
		ops.add = f_add, ops.remove = f_remove;
	o = open_memstream(&out, &outlen);
	if (!o)
		return 0;
	la_ctl_reply_fd(&ops, (const char *)f.p, f.n, -1, o);
	fclose(o);
	/* one line, a JSON object with "ok" */
	if (!outlen || out[outlen - 1] != '\n' || memchr(out, '\n', outlen - 1))
		abort();
	v = json_loadb(out, outlen, 0, &e);
	if (!json_is_object(v) || !json_is_boolean(json_object_get(v, "ok")))
		abort();
	json_decref(v);
	free(out);
	return 0;
}
