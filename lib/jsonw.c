/* SPDX-License-Identifier: MIT */
#include <inttypes.h>

#include "jsonw.h"

void la_json_init(struct la_json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->compact = false;
	j->first[0] = true;
}

void la_json_init_compact(struct la_json *j, FILE *f)
{
	la_json_init(j, f);
	j->compact = true;
}

static void la_json_indent(struct la_json *j)
{
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

static void la_json_string_raw(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\r': fputs("\\r", f); break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

/* Separator, newline and indentation before a value, then its key. */
static void la_json_member(struct la_json *j, const char *key)
{
	if (j->depth > 0 && j->compact) {
		if (!j->first[j->depth])
			fputc(',', j->f);
	} else if (j->depth > 0) {
		fputs(j->first[j->depth] ? "\n" : ",\n", j->f);
		la_json_indent(j);
	}
	j->first[j->depth] = false;
	if (key) {
		la_json_string_raw(j->f, key);
		fputs(j->compact ? ":" : ": ", j->f);
	}
}

static void la_json_open(struct la_json *j, const char *key, char c)
{
	la_json_member(j, key);
	fputc(c, j->f);
	if (j->depth + 1 < LA_JSON_MAX_DEPTH)
		j->depth++;
	j->first[j->depth] = true;
}

static void la_json_close(struct la_json *j, char c)
{
	bool empty = j->first[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (!empty && !j->compact) {
		fputc('\n', j->f);
		la_json_indent(j);
	}
	fputc(c, j->f);
	if (j->depth == 0)
		fputc('\n', j->f);
}

void la_json_obj_begin(struct la_json *j, const char *key) { la_json_open(j, key, '{'); }
void la_json_obj_end(struct la_json *j) { la_json_close(j, '}'); }
void la_json_arr_begin(struct la_json *j, const char *key) { la_json_open(j, key, '['); }
void la_json_arr_end(struct la_json *j) { la_json_close(j, ']'); }

void la_json_u64(struct la_json *j, const char *key, uint64_t v)
{
	la_json_member(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

void la_json_i64(struct la_json *j, const char *key, int64_t v)
{
	la_json_member(j, key);
	fprintf(j->f, "%" PRId64, v);
}

void la_json_str(struct la_json *j, const char *key, const char *s)
{
	la_json_member(j, key);
	la_json_string_raw(j->f, s);
}

void la_json_bool(struct la_json *j, const char *key, bool v)
{
	la_json_member(j, key);
	fputs(v ? "true" : "false", j->f);
}

void la_json_null(struct la_json *j, const char *key)
{
	la_json_member(j, key);
	fputs("null", j->f);
}

void la_json_hex(struct la_json *j, const char *key, uint64_t v)
{
	la_json_member(j, key);
	fprintf(j->f, "\"0x%" PRIx64 "\"", v);
}

void la_json_range_fields(struct la_json *j, uint64_t start, uint64_t end)
{
	/* [0, 2^64-1] is 2^64 bytes: one more than a u64 holds, still a JSON
	 * number (and a 0x string) */
	bool whole = start == 0 && end == UINT64_MAX;

	la_json_u64(j, "start", start);
	la_json_u64(j, "end", end);
	la_json_member(j, "size");
	if (whole)
		fputs("18446744073709551616", j->f);
	else
		fprintf(j->f, "%" PRIu64, end - start + 1);
	la_json_hex(j, "start_hex", start);
	la_json_hex(j, "end_hex", end);
	la_json_member(j, "size_hex");
	if (whole)
		fputs("\"0x10000000000000000\"", j->f);
	else
		fprintf(j->f, "\"0x%" PRIx64 "\"", end - start + 1);
}

void la_json_range(struct la_json *j, const char *key, uint64_t start, uint64_t end)
{
	la_json_obj_begin(j, key);
	la_json_range_fields(j, start, end);
	la_json_obj_end(j);
}
