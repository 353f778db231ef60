/* SPDX-License-Identifier: MIT */
/* --overlay FILE[,filter=L[:L...]]: parsing and applying; see fdt/overlay_opt.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fdt/fdt.h"
#include "fdt/overlay.h"
#include "err.h"
#include "fileio.h"
#include "fdt/overlay_opt.h"

static int la_ov_bad(char *why, const char *fmt, const char *s)
{
	snprintf(why, LA_OV_WHY_MAX, fmt, s);
	return -LA_ERR_BADVALUE;
}

/* The labels after "filter=", ':'-separated; a trailing ':' ends them. */
static int la_ov_filter(struct la_overlay_arg *o, char *labels, char *why)
{
	o->has_filter = true;
	while (*labels) {
		char *colon = strchr(labels, ':');

		if (colon)
			*colon = 0;
		if (!*labels)
			return la_ov_bad(why, "%s", "empty label in the filter");
		if (o->n_filter >= LA_OV_MAX_FILTER) {
			snprintf(why, LA_OV_WHY_MAX, "at most %d filter labels", LA_OV_MAX_FILTER);
			return -LA_ERR_BADVALUE;
		}
		o->filter[o->n_filter++] = labels;
		if (!colon)
			break;
		labels = colon + 1;
	}
	return 0;
}

int la_overlay_list_add(struct la_overlay_list *l, const char *arg, char *why)
{
	struct la_overlay_arg *o;
	char *comma;
	int err;

	if (l->n >= LA_OV_MAX_OVERLAYS) {
		snprintf(why, LA_OV_WHY_MAX, "at most %d overlays", LA_OV_MAX_OVERLAYS);
		return -LA_ERR_TOOMANY;
	}
	o = &l->o[l->n];
	memset(o, 0, sizeof(*o));
	o->arg = arg;
	o->buf = strdup(arg);
	if (!o->buf) {
		snprintf(why, LA_OV_WHY_MAX, "%s", la_strerror(-LA_ERR_NOMEM));
		return -LA_ERR_NOMEM;
	}
	l->n++;
	o->path = o->buf;
	comma = strchr(o->buf, ',');
	if (!comma)
		return 0;
	*comma = 0;
	if (strncmp(comma + 1, "filter=", 7))
		return la_ov_bad(why, "unknown parameter '%s' (use filter=L[:L...])", comma + 1);
	err = la_ov_filter(o, comma + 8, why);
	if (!err && !*o->path)
		err = la_ov_bad(why, "%s", "needs a file name");
	return err;
}

void la_overlay_list_free(struct la_overlay_list *l)
{
	for (unsigned i = 0; i < l->n; i++) {
		free(l->o[i].buf);
		free(l->o[i].blob);
	}
	l->n = 0;
}

/* The whole file (standard input for "-", a pipe too), at most
 * LA_OV_MAX_FILE bytes, by lib/fileio's rule. */
static int la_ov_read(const char *path, char **buf, size_t *len, char *why)
{
	char reason[LA_FILE_WHY_MAX];
	void *data;
	int err = la_file_read(path, LA_FILE_STDIN | LA_FILE_PIPE, LA_OV_MAX_FILE, &data, len,
			       reason);

	if (err)
		snprintf(why, LA_OV_WHY_MAX, "%s", reason);
	*buf = data;
	return err;
}

/* Scratch for one overlay: intermediate trees may outgrow the arch's
 * limit by the overlay's size; the final one must not. */
static struct la_fdt_overlay_ws *la_ov_ws(size_t size)
{
	struct la_fdt_overlay_ws *ws = calloc(1, sizeof(*ws));

	if (!ws)
		return NULL;
	ws->size = size;
	for (unsigned i = 0; i < LA_OV_SCRATCH; i++)
		if (!(ws->buf[i] = malloc(size)))
			return ws; /* la_ov_ws_ok says no */
	return ws;
}

static bool la_ov_ws_ok(const struct la_fdt_overlay_ws *ws)
{
	for (unsigned i = 0; ws && i < LA_OV_SCRATCH; i++)
		if (!ws->buf[i])
			return false;
	return ws != NULL;
}

static void la_ov_ws_free(struct la_fdt_overlay_ws *ws)
{
	for (unsigned i = 0; ws && i < LA_OV_SCRATCH; i++)
		free(ws->buf[i]);
	free(ws);
}

/* One overlay blob onto tree; crosvm reads every overlay, then skips one
 * whose filter is empty. */
static int la_ov_apply_one(const struct la_overlay_arg *o, const struct la_arch_ops *arch,
			   void *tree, const char *blob, size_t len, char *why)
{
	size_t size = (size_t)arch->fdt_max_size;
	struct la_fdt_overlay_ws *ws = la_ov_ws(size + 2 * len + 4096);
	int err = la_ov_ws_ok(ws) ? la_fdt_check(blob, len) : -LA_ERR_NOMEM;

	if (!err && !(o->has_filter && o->n_filter == 0))
		err = la_fdt_overlay_apply(ws, tree, blob, len, o->filter, o->n_filter, tree, size);
	if (err == -LA_ERR_FDTSIZE)
		snprintf(why, LA_OV_WHY_MAX, "%s (%llu bytes on %s)", la_strerror(err),
			 (unsigned long long)arch->fdt_max_size, arch->name);
	else if ((err == -LA_ERR_FDTBAD || err == -LA_ERR_FDTTRUNC) &&
		 memmem(blob, len < 4096 ? len : 4096, "/dts-v1/", 8))
		/* device tree source, not a blob */
		snprintf(why, LA_OV_WHY_MAX, "%s: this is device tree source; compile it with "
			 "dtc -@ -I dts -O dtb -o FILE.dtbo %s", la_strerror(err), o->path);
	else if (err)
		snprintf(why, LA_OV_WHY_MAX, "%s%s%s", la_strerror(err),
			 ws && ws->detail[0] ? ": " : "", ws ? ws->detail : "");
	la_ov_ws_free(ws);
	return err;
}

int la_overlay_list_read(struct la_overlay_list *l, unsigned *failed, char *why)
{
	for (unsigned i = 0; i < l->n; i++) {
		int err = l->o[i].blob ? 0 : la_ov_read(l->o[i].path, &l->o[i].blob, &l->o[i].len, why);

		if (err) {
			*failed = i;
			return err;
		}
	}
	return 0;
}

int la_overlay_list_apply(const struct la_overlay_list *l, const struct la_arch_ops *arch,
			  void *tree, unsigned *failed, char *why)
{
	for (unsigned i = 0; i < l->n; i++) {
		const struct la_overlay_arg *o = &l->o[i];
		char *blob = o->blob;
		size_t len = o->len;
		int err = blob ? 0 : la_ov_read(o->path, &blob, &len, why);

		if (!err) {
			err = la_ov_apply_one(o, arch, tree, blob, len, why);
			if (blob != o->blob)
				free(blob);
		}
		if (err) {
			*failed = i;
			return err;
		}
	}
	return 0;
}
