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
	bool compact;
	bool first[LA_JSON_MAX_DEPTH];
};

void la_json_init(struct la_json *j, FILE *f);
/* la_json_init_compact - the same document on one line (no indentation,
 * no spaces), the top-level value still ending in a newline: the shape of
 * a line protocol's messages (la-vmrun --control) */
void la_json_init_compact(struct la_json *j, FILE *f);
void la_json_obj_begin(struct la_json *j, const char *key);
void la_json_obj_end(struct la_json *j);
void la_json_arr_begin(struct la_json *j, const char *key);
void la_json_arr_end(struct la_json *j);
void la_json_u64(struct la_json *j, const char *key, uint64_t v);
void la_json_i64(struct la_json *j, const char *key, int64_t v);
void la_json_str(struct la_json *j, const char *key, const char *s);
void la_json_bool(struct la_json *j, const char *key, bool v);
void la_json_null(struct la_json *j, const char *key);
/* la_json_hex - v as a "0x..." string */
void la_json_hex(struct la_json *j, const char *key, uint64_t v);

/* The one range shape of every la document: start, end (inclusive) and
 * size as numbers, and each again as a "0x..." string (start_hex, end_hex,
 * size_hex), which readers that hold numbers as doubles (jq 1.6,
 * JavaScript) cannot round. The size of [0, 2^64-1] is 2^64.
 * la_json_range_fields writes those members into the current object,
 * la_json_range an object of its own. */
void la_json_range_fields(struct la_json *j, uint64_t start, uint64_t end);
void la_json_range(struct la_json *j, const char *key, uint64_t start, uint64_t end);

/* Every document's first member: "schema": "la-PROGRAM/VERSION", which
 * changes when a key's meaning does. */
#define LA_JSON_SCHEMA_VERSION "1"

#endif
