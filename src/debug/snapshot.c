/* Fork-based snapshots (see snapshot.h). */
#include "snapshot.h"

#include "repl_int.h"

struct snapshots *snapshots_start(struct repl *r)
{
    (void)r;
    return NULL;
}

void snapshots_stop(struct snapshots *s)
{
    (void)s;
}

bool snapshots_maybe_take(struct repl *r)
{
    (void)r;
    return false;
}

uint64_t snapshots_base(const struct snapshots *s, uint64_t pos)
{
    (void)s;
    (void)pos;
    return 0;
}

bool snapshots_query(struct repl *r, uint64_t before, snapshot_query_fn fn, const void *arg,
                     size_t arg_size, void *res, size_t res_size)
{
    (void)r, (void)before, (void)fn, (void)arg, (void)arg_size, (void)res, (void)res_size;
    return false;
}

bool snapshots_resume(struct repl *r, uint64_t target)
{
    (void)r, (void)target;
    return false;
}
