/* Small helpers for the JSON formats (out_jsonl.c, out_perfetto.c). */
#ifndef EMU_TRACE_JSON_H
#define EMU_TRACE_JSON_H

#include "tracer_int.h"

/* ,"key":"value" / ,"key":number / ,"key":"0x.." / ,"key":true|false */
void json_str(struct sbuf *b, const char *key, const char *value);
void json_u64(struct sbuf *b, const char *key, uint64_t v);
void json_i64(struct sbuf *b, const char *key, int64_t v);
void json_hex(struct sbuf *b, const char *key, uint64_t v);
void json_bool(struct sbuf *b, const char *key, bool v);
/* ,"key":"<text of sb>" */
void json_sb(struct sbuf *b, const char *key, const struct sbuf *text);
/* Microseconds with nanosecond digits, as trace-event "ts" wants: 12.345 */
void json_us(struct sbuf *b, const char *key, uint64_t ns);

/* The strace text of a call, without prefix: "write(1, \"hi\", 2) = 2". */
void json_call_text(struct tracer *t, struct sbuf *b, const emu_event *ev, bool returned);

/* The record's type name ("syscall", "interrupt", ...). */
const char *json_event_name(const struct trace_rec *r);

#endif
