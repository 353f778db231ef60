/* SPDX-License-Identifier: MIT */
/*
 * A small streaming JSON writer for program output.
 *
 * Why not jansson for output: JSON integers here are guest addresses and
 * sizes up to 2^64-1, and jansson's json_int_t is signed 64-bit. Input
 * (the JSON other la programs print) is parsed with jansson.
 *
 * Members of objects pass their key; elements of arrays and the top-level
 * value pass NULL. Output is indented by two spaces, like `jq .`.
 */
#ifndef LA_JSONW_H
#define LA_JSONW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define LA_JSON_MAX_DEPTH 32

struct la_json {
	FILE *f;
	int depth;
	bool first[LA_JSON_MAX_DEPTH];
};

void la_json_init(struct la_json *j, FILE *f);
void la_json_obj_begin(struct la_json *j, const char *key);
void la_json_obj_end(struct la_json *j);
void la_json_arr_begin(struct la_json *j, const char *key);
void la_json_arr_end(struct la_json *j);
void la_json_u64(struct la_json *j, const char *key, uint64_t v);
void la_json_i64(struct la_json *j, const char *key, int64_t v);
void la_json_str(struct la_json *j, const char *key, const char *s);
void la_json_bool(struct la_json *j, const char *key, bool v);
void la_json_null(struct la_json *j, const char *key);
/* la_json_range - {"start": start, "end": end} (inclusive end) */
void la_json_range(struct la_json *j, const char *key, uint64_t start,
		   uint64_t end);

#endif
