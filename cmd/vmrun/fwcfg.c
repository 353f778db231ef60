/* SPDX-License-Identifier: MIT */
/*
 * la-vmrun --fw-cfg name=opt/NAME,path=FILE|string=S (crosvm's spelling):
 * the items of the fw_cfg device (lib/dev/fw_cfg.c), parsed, checked and
 * read here; the device is in the VM when there is at least one.
 */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "err.h"
#include "fileio.h"
#include "jsonw.h"
#include "vmrun.h"

#define LA_FWCFG_USAGE "name=opt/NAME,path=FILE|string=S"

/* One item's name= into it, checked: opt/ (or bootorder), at most 55
 * bytes, not given before. */
static void la_vmrun_fwcfg_name(struct argp_state *state, struct la_vmrun *a, const char *arg,
				const char *name, size_t len)
{
	struct la_fwcfg_item *it = &a->fwcfg.o.item[a->fwcfg.o.n];
	char buf[LA_FWCFG_NAME_MAX + 2];
	int err;

	snprintf(buf, sizeof(buf), "%.*s", (int)(len < sizeof(buf) - 1 ? len : sizeof(buf) - 1),
		 name);
	err = len > LA_FWCFG_NAME_MAX ? -LA_ERR_NAMELEN : la_fwcfg_check_name(buf);
	if (err == -LA_ERR_NAMELEN)
		argp_failure(state, 2, 0, "--fw-cfg: '%s': name= is %zu bytes long; fw_cfg names "
			     "are at most %d", arg, len, LA_FWCFG_NAME_MAX);
	if (err)
		argp_failure(state, 2, 0, "--fw-cfg: '%s': name= must start with opt/ (as "
			     "opt/NAME: the names firmware reads are QEMU's and la-vmrun's own)",
			     arg);
	for (unsigned i = 0; i < a->fwcfg.o.n; i++)
		if (!strcmp(a->fwcfg.o.item[i].name, buf))
			argp_failure(state, 2, 0, "--fw-cfg: '%s': name %s is given already ('%s')",
				     arg, buf, a->fwcfg.arg[i]);
	memcpy(it->name, buf, len + 1);
}

void la_vmrun_fwcfg_opt(struct argp_state *state, struct la_vmrun *a, const char *arg)
{
	unsigned n = a->fwcfg.o.n;
	const char *name = NULL, *path = NULL, *string = NULL, *p = arg;
	size_t name_len = 0, path_len = 0;

	if (n >= LA_FWCFG_FILES_MAX)
		argp_failure(state, 2, 0, "--fw-cfg: '%s': at most %d items", arg,
			     LA_FWCFG_FILES_MAX);
	/* string= runs to the end, commas and all: give it last */
	while (*p && !string) {
		size_t len = strcspn(p, ",");

		if (!strncmp(p, "name=", 5) && !name)
			name = p + 5, name_len = len - 5;
		else if (!strncmp(p, "path=", 5) && !path && len > 5)
			path = p + 5, path_len = len - 5;
		else if (!strncmp(p, "string=", 7))
			string = p + 7;
		else
			argp_failure(state, 2, 0, "--fw-cfg: '%s': unknown or repeated option "
				     "'%.*s' (" LA_FWCFG_USAGE ")", arg, (int)len, p);
		p += len + (p[len] == ',');
	}
	if (!name || !name_len)
		argp_failure(state, 2, 0, "--fw-cfg: '%s': needs name= (" LA_FWCFG_USAGE ")", arg);
	if (!path == !string)
		argp_failure(state, 2, 0, "--fw-cfg: '%s': needs one of path=FILE and string=S",
			     arg);
	la_vmrun_fwcfg_name(state, a, arg, name, name_len);
	a->fwcfg.arg[n] = arg;
	if (path) {
		a->fwcfg.path[n] = strndup(path, path_len);
		if (!a->fwcfg.path[n])
			argp_failure(state, 1, ENOMEM, "--fw-cfg");
	} else {
		a->fwcfg.o.item[n].data = (const uint8_t *)string;
		a->fwcfg.o.item[n].size = (uint32_t)strlen(string);
	}
	a->fwcfg.o.n++;
}

void la_vmrun_fwcfg_check(struct argp_state *state, const struct la_vmrun *a)
{
	if (a->fwcfg.o.n && a->vm.cfg.arch->id != LA_ARCH_X86_64)
		argp_failure(state, 2, 0, "--fw-cfg: '%s': fw_cfg is on x86_64 only (IO port "
			     "0x510), not %s", a->fwcfg.arg[0], a->vm.cfg.arch->name);
}

void la_vmrun_fwcfg_load(struct la_vmrun *a)
{
	char why[LA_FILE_WHY_MAX], reason[LA_FILE_WHY_MAX + 64];
	size_t len;

	for (unsigned i = 0; i < a->fwcfg.o.n; i++) {
		void *buf;
		int err;

		if (!a->fwcfg.path[i])
			continue;
		err = la_file_read(a->fwcfg.path[i], 0, LA_FWCFG_FILE_SIZE_MAX, &buf, &len, why);
		if (err) {
			snprintf(reason, sizeof(reason), "%s%s", why, err == -LA_ERR_TOOLARGE ?
				 " (16 MiB, la-vmrun's limit for an fw_cfg item)" : "");
			la_cli_fail("--fw-cfg", a->fwcfg.path[i], 1, "%s", reason);
		}
		a->fwcfg.buf[i] = buf;
		a->fwcfg.o.item[i].data = buf;
		a->fwcfg.o.item[i].size = (uint32_t)len;
	}
}

void la_vmrun_fwcfg_free(struct la_vmrun *a)
{
	for (unsigned i = 0; i < a->fwcfg.o.n; i++) {
		free(a->fwcfg.path[i]);
		free(a->fwcfg.buf[i]);
	}
}

/* the key of item i: the files follow the standard items */
static unsigned la_vmrun_fwcfg_key(unsigned i)
{
	return LA_FWCFG_FILE_FIRST + i;
}

void la_vmrun_fwcfg_explain(const struct la_vmrun *a)
{
	if (!a->fwcfg.o.n)
		return;
	printf("\nfw_cfg items (IO port 0x%x; signature QEMU, id 0x%x, file directory at key "
	       "0x%x):\n", LA_FWCFG_IO, LA_FWCFG_ID_TRADITIONAL | LA_FWCFG_ID_DMA,
	       LA_FWCFG_FILE_DIR);
	for (unsigned i = 0; i < a->fwcfg.o.n; i++) {
		const struct la_fwcfg_item *it = &a->fwcfg.o.item[i];

		printf("  0x%04x %-40s %10u bytes  %s%s\n", la_vmrun_fwcfg_key(i), it->name,
		       it->size, a->fwcfg.path[i] ? "path " : "string",
		       a->fwcfg.path[i] ? a->fwcfg.path[i] : "");
	}
}

void la_vmrun_fwcfg_json(struct la_json *j, const struct la_vmrun *a)
{
	for (unsigned i = 0; i < a->fwcfg.o.n; i++) {
		la_json_obj_begin(j, NULL);
		la_json_u64(j, "key", la_vmrun_fwcfg_key(i));
		la_json_str(j, "name", a->fwcfg.o.item[i].name);
		la_json_u64(j, "size", a->fwcfg.o.item[i].size);
		if (a->fwcfg.path[i])
			la_json_str(j, "path", a->fwcfg.path[i]);
		la_json_obj_end(j);
	}
}
