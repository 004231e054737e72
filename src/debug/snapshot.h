/* Reverse execution rests on two facts: emu is deterministic (the same
 * kernel replays to the same state at the same position), and a position
 * can be reached again from any earlier state by running forward. This
 * module provides the earlier states.
 *
 * Without snapshots the earlier state is the boot: a fresh machine loads
 * the kernel again. With snapshots (the default in `emu repl`), the
 * session process fork()s at regular positions; the child of a fork is a
 * frozen copy of the whole process -- CPU, RAM, devices, virtual clock,
 * everything the machine is, with no cooperation from the devices -- kept
 * copy-on-write by the kernel. Going back asks the nearest frozen copy to
 * fork a worker: either a helper that runs forward to answer a question
 * (where is the previous step boundary, the previous breakpoint hit) and
 * reports back, or the new live session, which receives the debugger's
 * settings (breakpoints, history) from the old one, runs forward to the
 * target position and carries on while the old live process exits.
 * docs/repl.md ("How reverse execution works") tells the whole story. */
#ifndef EMU_DEBUG_SNAPSHOT_H
#define EMU_DEBUG_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct repl;
struct snapshots;

/* Starts the snapshot keeper with a first snapshot at the current position
 * (the boot). Returns NULL if fork-based snapshots are unavailable. */
struct snapshots *snapshots_start(struct repl *r);
/* The session is over with `status`: the root process exits with it once
 * every snapshot process has gone. */
void snapshots_stop(struct snapshots *s, int status);

/* Positions between snapshots (0: the default). */
void snapshots_set_interval(struct snapshots *s, uint64_t interval);

/* Takes a snapshot if the position moved far enough since the last one.
 * Returns true in a process that was just resumed from this snapshot
 * (r->resumed is set): the caller unwinds to repl_execute, which replays
 * to r->resume_target. */
bool snapshots_maybe_take(struct repl *r);

/* The position of the latest snapshot at or before pos (0 if none). */
uint64_t snapshots_base(const struct snapshots *s, uint64_t pos);

/* Runs fn in a worker forked from the latest snapshot at or before
 * `before`, with r's settings; fn's result (res_size bytes) comes back in
 * res. Returns false if no snapshot process could do it. */
typedef void (*snapshot_query_fn)(struct repl *r, const void *arg, void *res);
bool snapshots_query(struct repl *r, uint64_t before, snapshot_query_fn fn, const void *arg,
                     size_t arg_size, void *res, size_t res_size);

/* Continues the session in a worker forked from the latest snapshot at or
 * before `target`. On success it does not return: this process exits and
 * the resumed one arrives at target. Returns false if that is impossible. */
bool snapshots_resume(struct repl *r, uint64_t target);

#endif
