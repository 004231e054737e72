/* Fork-based snapshots (see snapshot.h for the idea).
 *
 * The processes: the root is the process the shell started; it takes the
 * first snapshot (the boot) and ends the session with the status the live
 * process sends it. Taking a snapshot forks: the parent freezes (waits on
 * its wake pipe), the child carries on as the live session. So the live
 * process holds the write end of every snapshot's wake pipe, and each
 * snapshot holds those of the snapshots older than itself: when the live
 * process dies, the youngest snapshot sees end-of-file, exits, and the rest
 * follow, down to the root. The root is a child subreaper, so whatever is
 * orphaned is reaped by it.
 *
 * Messages on a wake pipe: RESUME (fork the new live session; it replays
 * to the target and carries on), QUERY (fork a worker that runs a function
 * and writes its result to the reply pipe every process shares), QUIT (the
 * root only: the session is over). */
#include "snapshot.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "repl_int.h"

#define MAX_SNAPSHOTS     24
#define DEFAULT_INTERVAL  (1ULL << 22) /* positions between snapshots (~40 ms to replay) */
#define CARRY_EXTRA_MAX   (16 * 1024)  /* the CLI's state (command history) */
#define EXIT_SESSION_LOST 70           /* EX_SOFTWARE: the live process died */

enum msg_type { MSG_RESUME = 1, MSG_QUERY, MSG_QUIT };

struct snap {
    pid_t pid;
    uint64_t pos;
    int wfd; // write end of its wake pipe
};

struct snapshots {
    struct snap tab[MAX_SNAPSHOTS]; // oldest first; tab[0] is the root (the boot)
    int n;
    int reply_r, reply_w; // query results, shared by every process
    uint64_t interval;
    bool worker; // a query worker: takes no snapshots
};

struct msg {
    uint32_t type;
    int32_t status;  // MSG_QUIT
    uint64_t target; // MSG_RESUME
    uintptr_t fn;    // MSG_QUERY: the function (the same binary in every process)
    uint32_t arg_len, res_len, carry_len;
};

/* What a resumed session or a worker takes over from the process that asked. */
struct carry {
    struct breakpoint bps[REPL_MAX_BREAKS];
    int next_bp_id;
    enum dis_syntax syntax;
    bool trace;
    uint64_t chain[BOUNDARY_RING];
    unsigned chain_len;
    char arrival[192];
    bool arrival_explain;
    uint64_t interval;
    uint32_t extra_len;
    char extra[CARRY_EXTRA_MAX];
};

struct reply {
    int32_t ok;
    uint32_t len;
};

static bool write_full(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

static bool read_full(int fd, void *buf, size_t n)
{
    char *p = buf;
    while (n) {
        ssize_t got = read(fd, p, n);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return false;
        p += got;
        n -= (size_t)got;
    }
    return true;
}

static void fill_carry(const struct repl *r, struct carry *c)
{
    memcpy(c->bps, r->bps, sizeof(c->bps));
    c->next_bp_id = r->next_bp_id;
    c->syntax = r->syntax;
    c->trace = r->trace;
    memcpy(c->chain, r->chain, sizeof(c->chain));
    c->chain_len = r->chain_len;
    memcpy(c->arrival, r->arrival, sizeof(c->arrival));
    c->arrival_explain = r->arrival_explain;
    c->interval = r->snaps->interval;
    c->extra_len = 0;
    if (r->opt.carry_save)
        c->extra_len = (uint32_t)r->opt.carry_save(r->opt.carry_ctx, c->extra, sizeof(c->extra));
}

static void apply_carry(struct repl *r, const struct carry *c)
{
    memcpy(r->bps, c->bps, sizeof(r->bps));
    r->next_bp_id = c->next_bp_id;
    r->syntax = c->syntax;
    r->trace = c->trace;
    memcpy(r->chain, c->chain, sizeof(r->chain));
    r->chain_len = c->chain_len;
    memcpy(r->arrival, c->arrival, sizeof(r->arrival));
    r->arrival_explain = c->arrival_explain;
    r->snaps->interval = c->interval;
    if (r->opt.carry_load && c->extra_len <= sizeof(c->extra))
        r->opt.carry_load(r->opt.carry_ctx, c->extra, c->extra_len);
    r->phase = PHASE_IDLE;
    r->rec = NULL;
    r->quiet = false;
    r->interrupted = 0;
    r->have_last = false;
    r->stop_on_delivery = false;
    r->stop_hit = false;
    repl_sync_hooks(r);
}

/* Drops snapshot i (not the root): its process is killed, its pipe closed. */
static void drop(struct snapshots *s, int i)
{
    kill(s->tab[i].pid, SIGKILL);
    close(s->tab[i].wfd);
    memmove(&s->tab[i], &s->tab[i + 1], (size_t)(s->n - i - 1) * sizeof(s->tab[0]));
    s->n--;
}

/* Makes room: drops the snapshot whose neighbours are closest together. */
static void thin(struct snapshots *s)
{
    int best = 1;
    for (int i = 2; i < s->n - 1; i++)
        if (s->tab[i + 1].pos - s->tab[i - 1].pos < s->tab[best + 1].pos - s->tab[best - 1].pos)
            best = i;
    drop(s, best);
}

static bool wait_loop(struct repl *r, int rfd, uint64_t pos);

/* Forks: the parent freezes as a snapshot at the current position, the
 * child returns false and goes on. True is returned in a child resumed
 * from this snapshot later. */
static bool freeze(struct repl *r)
{
    struct snapshots *s = r->snaps;
    int p[2];
    fflush(NULL);
    if (pipe(p) < 0) return false;
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return false;
    }
    if (pid > 0) {
        close(p[1]);
        return wait_loop(r, p[0], repl_pos(r));
    }
    close(p[0]);
    if (s->n == MAX_SNAPSHOTS) thin(s);
    s->tab[s->n++] = (struct snap){getppid(), repl_pos(r), p[1]};
    return false;
}

/* ---- in a snapshot process ---------------------------------------------------- */

static void reap(void)
{
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
}

static void answer_query(struct repl *r, int rfd, const struct msg *m)
{
    char *arg = malloc(m->arg_len + 1), *res = calloc(1, m->res_len + 1);
    struct carry *c = malloc(sizeof(*c));
    bool ok = arg && res && c && m->carry_len == sizeof(*c) && read_full(rfd, arg, m->arg_len) &&
              read_full(rfd, c, sizeof(*c));
    pid_t pid = ok ? fork() : -1;
    if (pid == 0) {
        r->snaps->worker = true;
        apply_carry(r, c);
        ((snapshot_query_fn)m->fn)(r, arg, res);
        struct reply rep = {1, m->res_len};
        write_full(r->snaps->reply_w, &rep, sizeof(rep));
        write_full(r->snaps->reply_w, res, m->res_len);
        _exit(0);
    }
    int st = 0;
    if (pid > 0)
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
    if (pid < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        struct reply rep = {0, 0};
        write_full(r->snaps->reply_w, &rep, sizeof(rep));
    }
    free(arg);
    free(res);
    free(c);
}

/* RESUME: forks the new live session. Returns true in it; in the snapshot,
 * *rfd becomes the read end of the new wake pipe. */
static bool resume_child(struct repl *r, int *rfd, const struct msg *m, uint64_t pos)
{
    struct carry *c = malloc(sizeof(*c));
    int p[2];
    if (!c || m->carry_len != sizeof(*c) || !read_full(*rfd, c, sizeof(*c)) || pipe(p) < 0) {
        free(c);
        return false;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        close(*rfd);
        struct snapshots *s = r->snaps;
        s->tab[s->n++] = (struct snap){getppid(), pos, p[1]};
        apply_carry(r, c);
        free(c);
        r->resume_target = m->target;
        r->resumed = true;
        return true;
    }
    free(c);
    close(p[1]);
    if (pid < 0) {
        close(p[0]);
        return false;
    }
    close(*rfd);
    *rfd = p[0];
    return false;
}

/* A snapshot waits here for messages until the session ends (then it
 * exits) or asks it to resume (returns true in the resumed child). */
static bool wait_loop(struct repl *r, int rfd, uint64_t pos)
{
    struct sigaction ign = {.sa_handler = SIG_IGN}, old;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGINT, &ign, &old);
    bool root = r->snaps->n == 0;
    for (;;) {
        struct msg m;
        if (!read_full(rfd, &m, sizeof(m))) {
            if (root) fprintf(stderr, "emu: the debugger session ended unexpectedly\n");
            _exit(root ? EXIT_SESSION_LOST : 0);
        }
        reap();
        if (m.type == MSG_QUIT && root) {
            close(rfd);
            while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
                ;
            _exit(m.status);
        }
        if (m.type == MSG_QUERY) answer_query(r, rfd, &m);
        if (m.type == MSG_RESUME && resume_child(r, &rfd, &m, pos)) {
            sigaction(SIGINT, &old, NULL);
            return true;
        }
    }
}

/* ---- in the live process -------------------------------------------------------- */

struct snapshots *snapshots_start(struct repl *r)
{
    struct snapshots *s = calloc(1, sizeof(*s));
    int p[2];
    if (!s || pipe(p) < 0 || prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
        free(s);
        return NULL;
    }
    s->reply_r = p[0];
    s->reply_w = p[1];
    s->interval = DEFAULT_INTERVAL;
    r->snaps = s;
    if (freeze(r)) return s; /* resumed from the boot snapshot: r->resumed is set */
    if (s->n == 0) {         /* fork failed: no snapshots after all */
        close(p[0]);
        close(p[1]);
        free(s);
        r->snaps = NULL;
        return NULL;
    }
    return s;
}

void snapshots_stop(struct snapshots *s, int status)
{
    if (!s) return;
    if (!s->worker && s->n > 0) {
        struct msg m = {.type = MSG_QUIT, .status = status};
        fflush(NULL);
        write_full(s->tab[0].wfd, &m, sizeof(m));
    }
    for (int i = 0; i < s->n; i++)
        close(s->tab[i].wfd);
    close(s->reply_r);
    close(s->reply_w);
    free(s);
}

bool snapshots_maybe_take(struct repl *r)
{
    struct snapshots *s = r->snaps;
    if (!s || s->worker || s->n == 0 || repl_pos(r) < s->tab[s->n - 1].pos + s->interval)
        return false;
    return freeze(r);
}

void snapshots_set_interval(struct snapshots *s, uint64_t interval)
{
    if (s) s->interval = interval ? interval : DEFAULT_INTERVAL;
}

/* Index of the latest snapshot at or before pos. */
static int latest_before(const struct snapshots *s, uint64_t pos)
{
    int k = 0;
    for (int i = 0; i < s->n; i++)
        if (s->tab[i].pos <= pos) k = i;
    return k;
}

uint64_t snapshots_base(const struct snapshots *s, uint64_t pos)
{
    return s && s->n ? s->tab[latest_before(s, pos)].pos : 0;
}

static bool send(struct repl *r, int k, struct msg *m, const void *arg)
{
    struct carry *c = malloc(sizeof(*c));
    if (!c) return false;
    fill_carry(r, c);
    m->carry_len = sizeof(*c);
    fflush(NULL);
    int fd = r->snaps->tab[k].wfd;
    bool ok = write_full(fd, m, sizeof(*m)) && (!m->arg_len || write_full(fd, arg, m->arg_len)) &&
              write_full(fd, c, sizeof(*c));
    free(c);
    return ok;
}

bool snapshots_query(struct repl *r, uint64_t before, snapshot_query_fn fn, const void *arg,
                     size_t arg_size, void *res, size_t res_size)
{
    struct snapshots *s = r->snaps;
    if (!s || s->worker || s->n == 0) return false;
    struct msg m = {.type = MSG_QUERY,
                    .fn = (uintptr_t)fn,
                    .arg_len = (uint32_t)arg_size,
                    .res_len = (uint32_t)res_size};
    struct reply rep;
    if (!send(r, latest_before(s, before), &m, arg) || !read_full(s->reply_r, &rep, sizeof(rep)))
        return false;
    return rep.ok && rep.len == res_size && read_full(s->reply_r, res, res_size);
}

bool snapshots_resume(struct repl *r, uint64_t target)
{
    struct snapshots *s = r->snaps;
    if (!s || s->worker || s->n == 0) return false;
    int k = latest_before(s, target);
    while (s->n > k + 1)
        drop(s, s->n - 1); /* the future beyond the snapshot we go back to */
    struct msg m = {.type = MSG_RESUME, .target = target};
    if (!send(r, k, &m, NULL)) return false;
    _exit(0); /* the session goes on in the resumed process */
}
