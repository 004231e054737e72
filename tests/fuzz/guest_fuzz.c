/* Guest-code fuzzing (docs/fuzzing.md): random and mutated programs run as
 * code in every CPU configuration of guest.c on a whole machine, each with
 * an instruction budget. Invariants: emu returns (no host crash, no
 * sanitizer report -- the ASan+UBSan build runs this too), within the
 * budget and a wall-clock watchdog (no hang), and the same seed ends in
 * the same state twice (determinism: registers, system registers, stop
 * reason, instruction count, all of RAM, serial output).
 *
 *   guest_fuzz [--seeds N] [--first S] [--config NAME] [--insns N]
 *              [--focus all|devices] [--dump]
 *
 * EMU_FUZZ_SCALE=K multiplies the seeds (the long mode). A failure prints
 * the command line that reproduces it. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gen.h"
#include "guest.h"

#define WATCHDOG_SECONDS 60 /* per run; a healthy one takes milliseconds */
#define STOP_REASONS     (EMU_STOP_STUCK + 1)
#define PROGRAM_MAX      2048 /* bytes of generated code */

struct options {
    uint64_t seeds, first, insns;
    const char *config; // NULL: all
    unsigned focus;
    bool dump;
};

/* What the watchdog reports: the run in progress (signal handlers get no
 * context, so this is the one piece of file-scope state). */
static volatile sig_atomic_t current_config = -1;
static volatile uint64_t current_seed;
static const char *volatile current_focus = "all";

static void on_alarm(int sig)
{
    (void)sig;
    char msg[200];
    int n = snprintf(msg, sizeof(msg),
                     "guest_fuzz: HANG: no return within %d s: --config %s --seed %llu "
                     "--focus %s\n",
                     WATCHDOG_SECONDS, current_config >= 0 ? fz_configs[current_config].name : "?",
                     (unsigned long long)current_seed, current_focus);
    if (n > 0) (void)!write(2, msg, (size_t)n);
    _exit(3);
}

struct outcome {
    uint64_t hash, serial, insns;
    emu_stop_reason reason;
};

static void dump(const uint8_t *code, size_t len)
{
    for (size_t i = 0; i < len; i++)
        printf("%02x%s", code[i], (i + 1) % 32 == 0 || i + 1 == len ? "\n" : " ");
}

/* Generates seed's program and machine for config c and runs it. */
static bool run_one(const struct fz_config *c, uint64_t seed, const struct options *o,
                    struct outcome *out)
{
    struct rng r = {seed * 0x100 + (uint64_t)(c - fz_configs)};
    uint8_t code[PROGRAM_MAX];
    size_t len = gen_program(&r, fz_code_bits(c), o->focus, FZ_CODE, code, sizeof(code));
    if (o->dump) dump(code, len);
    struct machine *m = fz_machine_new(c, &r, o->insns, &out->serial);
    if (!m) {
        fprintf(stderr, "guest_fuzz: cannot create a machine\n");
        return false;
    }
    emu_phys_write(m, FZ_CODE, code, len);
    emu_run_result res;
    alarm(WATCHDOG_SECONDS);
    emu_machine_run(m, &res);
    alarm(0);
    out->hash = fz_state_hash(m, &res);
    out->insns = res.insns;
    out->reason = res.reason;
    emu_machine_destroy(m);
    if (res.insns > o->insns + FZ_CODE_SIZE) {
        fprintf(stderr,
                "guest_fuzz: %llu instructions for a budget of %llu: --config %s --seed "
                "%llu\n",
                (unsigned long long)res.insns, (unsigned long long)o->insns, c->name,
                (unsigned long long)seed);
        return false;
    }
    return true;
}

/* Runs seed twice on fresh machines; false if emu misbehaved. */
static bool check_seed(const struct fz_config *c, uint64_t seed, const struct options *o,
                       uint64_t stats[STOP_REASONS], uint64_t *insns, uint64_t *digest)
{
    struct outcome a, b;
    current_config = (sig_atomic_t)(c - fz_configs);
    current_seed = seed;
    if (!run_one(c, seed, o, &a) || !run_one(c, seed, o, &b)) return false;
    if (a.hash != b.hash || a.serial != b.serial) {
        fprintf(stderr,
                "guest_fuzz: NONDETERMINISTIC: --config %s --seed %llu --focus %s "
                "(%llu vs %llu instructions)\n",
                c->name, (unsigned long long)seed, current_focus, (unsigned long long)a.insns,
                (unsigned long long)b.insns);
        return false;
    }
    if (a.reason == EMU_STOP_STEPPED || a.reason == EMU_STOP_QUIT ||
        a.reason == EMU_STOP_REQUESTED || a.reason >= STOP_REASONS) {
        fprintf(stderr,
                "guest_fuzz: the run stopped for reason %d, which nothing asked for: "
                "--config %s --seed %llu --focus %s\n",
                (int)a.reason, c->name, (unsigned long long)seed, current_focus);
        return false;
    }
    stats[a.reason]++;
    *insns += a.insns;
    *digest = fuzz_hash(*digest, &a.hash, sizeof(a.hash));
    return true;
}

static bool parse(int argc, char **argv, struct options *o)
{
    *o = (struct options){.seeds = 20, .first = 1, .insns = 20000};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--dump")) {
            o->dump = true;
            continue;
        }
        if (!v) return false;
        i++;
        if (!strcmp(a, "--seeds"))
            o->seeds = strtoull(v, NULL, 0);
        else if (!strcmp(a, "--first") || !strcmp(a, "--seed"))
            o->first = strtoull(v, NULL, 0), o->seeds = !strcmp(a, "--seed") ? 1 : o->seeds;
        else if (!strcmp(a, "--insns"))
            o->insns = strtoull(v, NULL, 0);
        else if (!strcmp(a, "--config"))
            o->config = v;
        else if (!strcmp(a, "--focus") && (!strcmp(v, "all") || !strcmp(v, "devices")))
            o->focus = !strcmp(v, "devices") ? GEN_FOCUS_DEVICES : GEN_FOCUS_ALL;
        else
            return false;
    }
    const char *scale = getenv("EMU_FUZZ_SCALE");
    if (scale && o->seeds > 1) o->seeds *= strtoull(scale, NULL, 0);
    return o->insns > 0;
}

int main(int argc, char **argv)
{
    struct options o;
    if (!parse(argc, argv, &o)) {
        fprintf(stderr, "usage: guest_fuzz [--seeds N] [--first S | --seed S] [--config NAME] "
                        "[--insns N] [--focus all|devices] [--dump]\n");
        return 2;
    }
    current_focus = o.focus == GEN_FOCUS_DEVICES ? "devices" : "all";
    signal(SIGALRM, on_alarm);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    uint64_t stats[STOP_REASONS] = {0}, insns = 0, runs = 0, digest = FUZZ_HASH_INIT;
    bool ok = true;
    for (size_t ci = 0; ci < fz_nconfigs; ci++) {
        const struct fz_config *c = &fz_configs[ci];
        if (o.config && strcmp(o.config, c->name)) continue;
        for (uint64_t s = o.first; s < o.first + o.seeds; s++, runs++)
            ok &= check_seed(c, s, &o, stats, &insns, &digest);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("guest_fuzz: %llu seeds (each run twice), %llu instructions, %.1f s; stops: "
           "debug-exit %llu, poweroff %llu, triple-fault %llu, budget %llu, halted %llu, "
           "reset %llu, stuck %llu; final states %016llx\n",
           (unsigned long long)runs, (unsigned long long)insns, secs,
           (unsigned long long)stats[EMU_STOP_DEBUG_EXIT],
           (unsigned long long)stats[EMU_STOP_POWEROFF],
           (unsigned long long)stats[EMU_STOP_TRIPLE_FAULT],
           (unsigned long long)stats[EMU_STOP_MAX_INSNS],
           (unsigned long long)stats[EMU_STOP_HALTED], (unsigned long long)stats[EMU_STOP_RESET],
           (unsigned long long)stats[EMU_STOP_STUCK], (unsigned long long)digest);
    if (runs == 0) fprintf(stderr, "guest_fuzz: no configuration named '%s'\n", o.config);
    return ok && runs > 0 ? 0 : 1;
}
