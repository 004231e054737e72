/* reverse-step and reverse-continue: find the earlier position to return
 * to, then reach it again by running forward from an earlier state (a
 * snapshot, or the boot). See snapshot.h for where earlier states come from. */
#include <stdlib.h>
#include <string.h>

#include "repl_int.h"
#include "snapshot.h"

#define WINDOW_MIN  64      /* positions stepped through when looking for boundaries */
#define REVERSE_MAX 1000000 /* reverse-step N: at most this many steps at once */

static bool ended(const emu_run_result *res)
{
    return res->reason != EMU_STOP_REQUESTED && res->reason != EMU_STOP_MAX_INSNS &&
           res->reason != EMU_STOP_STEPPED;
}

static void enter_replay(struct repl *r)
{
    r->quiet = true;
    r->phase = PHASE_REPLAY;
    r->stop_on_delivery = true;
    repl_sync_hooks(r);
}

static void leave_replay(struct repl *r)
{
    r->stop_on_delivery = false;
    r->quiet = false;
    r->phase = PHASE_IDLE;
    repl_sync_hooks(r);
}

void replay_forward(struct repl *r, uint64_t target)
{
    enter_replay(r);
    while (!r->machine_ended && repl_pos(r) < target) {
        uint64_t goal = r->m->cpu->icount + (target - repl_pos(r));
        emu_run_result res;
        emu_machine_run_until(r->m, goal, &res);
        if (ended(&res)) {
            r->machine_ended = true;
            r->end = res;
        }
    }
    leave_replay(r);
}

/* One step, quietly (no record); false once the machine has ended. */
static bool replay_step(struct repl *r)
{
    uint64_t pos = repl_pos(r);
    while (!r->machine_ended && repl_pos(r) == pos) {
        emu_run_result res;
        emu_machine_step(r->m, 1, &res);
        if (ended(&res)) {
            r->machine_ended = true;
            r->end = res;
        }
    }
    return repl_pos(r) != pos;
}

/* Runs fn on a machine started from the latest earlier state at or before
 * `before`: a snapshot process, or a fresh boot in this process. */
static void query(struct repl *r, uint64_t before, snapshot_query_fn fn, const void *arg,
                  size_t arg_size, void *res, size_t res_size)
{
    if (r->snaps && snapshots_query(r, before, fn, arg, arg_size, res, res_size)) return;
    struct saved {
        uint64_t chain[BOUNDARY_RING];
        unsigned chain_len;
        struct breakpoint bps[REPL_MAX_BREAKS];
    } *keep = malloc(sizeof(*keep));
    if (!keep) return;
    memcpy(keep->chain, r->chain, sizeof(r->chain));
    keep->chain_len = r->chain_len;
    memcpy(keep->bps, r->bps, sizeof(r->bps));
    struct machine *live = r->m;
    uint64_t deliveries = r->deliveries;
    bool was_ended = r->machine_ended;
    emu_run_result end = r->end;
    emu_hook_id ids[EMU_EV_COUNT];
    memcpy(ids, r->hook_ids, sizeof(ids)); /* the live machine keeps its hooks */
    r->m = NULL;
    r->quiet = true;
    if (repl_boot(r) == 0) fn(r, arg, res);
    emu_machine_destroy(r->m);
    r->m = live;
    r->deliveries = deliveries;
    r->machine_ended = was_ended;
    r->end = end;
    memcpy(r->hook_ids, ids, sizeof(ids));
    memcpy(r->chain, keep->chain, sizeof(r->chain));
    r->chain_len = keep->chain_len;
    memcpy(r->bps, keep->bps, sizeof(r->bps));
    free(keep);
    r->quiet = false;
}

/* ---- arriving --------------------------------------------------------------- */

/* Steps once (recorded, not printed) and explains the step. */
static void redo_and_explain(struct repl *r)
{
    struct step_record *rec = malloc(sizeof(*rec));
    if (rec && step_once(r, rec)) {
        r->last = *rec;
        r->have_last = true;
        repl_note_boundary(r, repl_pos(r));
        explain_step(r, rec);
    }
    free(rec);
}

void repl_arrive(struct repl *r, uint64_t target)
{
    replay_forward(r, target);
    r->have_last = false;
    if (r->arrival_explain) {
        r->arrival_explain = false;
        redo_and_explain(r);
        return;
    }
    if (r->arrival[0]) repl_printf(r, "%s\n", r->arrival);
    if (r->machine_ended)
        repl_report_end(r);
    else
        repl_show_location(r);
}

/* Brings the live machine to `target`, then arrives there (repl_arrive). */
static void go_to(struct repl *r, uint64_t target, const char *why, bool explain)
{
    snprintf(r->arrival, sizeof(r->arrival), "%s", why ? why : "");
    r->arrival_explain = explain;
    if (target != r->chain[r->chain_len ? r->chain_len - 1 : 0]) repl_reset_chain(r, target);
    if (r->snaps && snapshots_resume(r, target))
        return; /* not reached: the session continues in the resumed process */
    if (target < repl_pos(r)) {
        r->quiet = true;
        if (repl_boot(r) < 0) {
            r->quit = true;
            return;
        }
    }
    repl_arrive(r, target);
}

/* ---- reverse-step ---------------------------------------------------------------- */

struct rs_arg {
    uint64_t from, cur, n;
};

#define RS_KEEP 64 /* boundaries before the target a search hands back (the next reverse-steps) */

struct rs_res {
    bool found;
    uint64_t target;
    unsigned nbefore;
    uint64_t before[RS_KEEP]; // the boundaries just before target, oldest first
};

/* In a replay: the n-th step boundary before cur, stepping from `from`. */
static void find_boundary(struct repl *r, const void *argp, void *resp)
{
    const struct rs_arg *a = argp;
    struct rs_res *res = resp;
    uint64_t size = a->n + RS_KEEP;
    uint64_t *ring = calloc(size, sizeof(*ring));
    uint64_t seen = 0;
    res->found = false;
    if (!ring) return;
    replay_forward(r, a->from);
    enter_replay(r);
    r->stop_on_delivery = false;
    while (repl_pos(r) < a->cur) {
        ring[seen++ % size] = repl_pos(r);
        if (!replay_step(r)) break;
    }
    leave_replay(r);
    if (seen >= a->n || (a->from == 0 && seen > 0)) {
        uint64_t t = seen >= a->n ? seen - a->n : 0; /* the target's index */
        uint64_t first = t > RS_KEEP ? t - RS_KEEP : 0;
        if (seen > size && first < seen - size)
            first = seen - size;
        res->found = true;
        res->target = ring[t % size];
        for (uint64_t i = first; i < t; i++)
            res->before[res->nbefore++] = ring[i % size];
    }
    free(ring);
}

/* The n-th step boundary before the current position: from the chain of
 * steps when it reaches back that far, else found by a replay. Returns
 * false if none could be found (*reached_start: it is the boot). */
static bool boundary_before(struct repl *r, uint64_t n, uint64_t *target)
{
    uint64_t cur = repl_pos(r);
    if (r->chain_len > n) {
        *target = r->chain[r->chain_len - 1 - n];
        return true;
    }
    for (uint64_t window = WINDOW_MIN + 2 * n;; window *= 4) {
        struct rs_arg a = {cur > window ? cur - window : 0, cur, n};
        struct rs_res res = {0};
        query(r, a.from, find_boundary, &a, sizeof(a), &res, sizeof(res));
        if (res.found) {
            /* the boundaries just found are a chain ending at the target:
             * further reverse-steps need no search */
            memcpy(r->chain, res.before, res.nbefore * sizeof(r->chain[0]));
            r->chain[res.nbefore] = res.target;
            r->chain_len = res.nbefore + 1;
            *target = res.target;
            return true;
        }
        if (a.from == 0) return false;
    }
}

uint64_t repl_previous_boundary(struct repl *r)
{
    uint64_t t = 0;
    return repl_pos(r) > 0 && boundary_before(r, 1, &t) ? t : 0;
}

void cmd_reverse_step(struct repl *r, int argc, char **argv)
{
    uint64_t n = 1, target;
    if (argc > 1 && !repl_eval(r, argv[1], &n)) return;
    if (n == 0 || n > REVERSE_MAX) {
        repl_error(r, "reverse-step N: N must be 1..%d", REVERSE_MAX);
        return;
    }
    if (repl_pos(r) == 0) {
        repl_printf(r, "Already at the beginning (the machine has not run yet).\n");
        return;
    }
    if (r->chain_len > n) {
        r->chain_len -= (unsigned)n;
        go_to(r, r->chain[r->chain_len - 1], NULL, false);
        return;
    }
    if (!boundary_before(r, n, &target)) {
        repl_error(r, "could not replay to an earlier step");
        return;
    }
    go_to(r, target, target == 0 ? "Reached the beginning (the boot)." : NULL, false);
}

void cmd_explain(struct repl *r, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    if (r->have_last) {
        explain_step(r, &r->last);
        return;
    }
    if (repl_pos(r) == 0) {
        repl_printf(r, "Nothing to explain: the machine has not run yet ('step' first).\n");
        return;
    }
    /* The last step was not recorded (continue, a reverse move): go back
     * one step and do it again, recorded. */
    uint64_t target;
    if (!boundary_before(r, 1, &target)) {
        repl_error(r, "could not replay the last step");
        return;
    }
    go_to(r, target, NULL, true);
}

/* ---- reverse-continue ------------------------------------------------------------ */

struct rc_arg {
    uint64_t from, cur;
    bool inclusive; // a stop exactly at cur counts (cur began the later segment)
};

struct rc_res {
    bool found;
    uint64_t target;
    char why[160];
};

/* In a replay from `from`: the last position before cur where `continue`
 * would have stopped (a breakpoint, watchpoint or catchpoint). */
static void find_last_stop(struct repl *r, const void *argp, void *resp)
{
    const struct rc_arg *a = argp;
    struct rc_res *res = resp;
    res->found = false;
    replay_forward(r, a->from);
    r->quiet = true;
    while (!r->machine_ended && repl_pos(r) < a->cur) {
        uint64_t limit = r->m->cpu->icount + (a->cur - repl_pos(r));
        bool hit = run_until_stop(r, limit);
        breaks_delete_temporary(r);
        if (hit && (repl_pos(r) < a->cur || (a->inclusive && repl_pos(r) == a->cur))) {
            res->found = true;
            res->target = repl_pos(r);
            snprintf(res->why, sizeof(res->why), "%s", r->stop.why);
        }
    }
    r->quiet = false;
}

void cmd_reverse_continue(struct repl *r, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    uint64_t end = repl_pos(r);
    while (end > 0) {
        uint64_t base = r->snaps ? snapshots_base(r->snaps, end - 1) : 0;
        struct rc_arg a = {base, end, end != repl_pos(r)};
        struct rc_res res = {0};
        query(r, end - 1, find_last_stop, &a, sizeof(a), &res, sizeof(res));
        if (res.found) {
            go_to(r, res.target, res.why, false);
            return;
        }
        end = base;
    }
    go_to(r, 0, "No earlier stop: reached the beginning (the boot).", false);
}
