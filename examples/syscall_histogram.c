/* syscall_histogram: boots a kernel and counts the system calls its
 * programs make, by name, with a bar per call.
 *
 *   syscall_histogram KERNEL [CMDLINE]
 *
 * One hook, EMU_EV_SYSCALL_ENTRY, sees every SYSCALL, SYSENTER and INT 0x80;
 * emu_syscall_name() names the Linux x86_64 number. */
#include <emu/hooks.h>
#include <string.h>

#include "common.h"

#define MAX_NR 512
#define BAR_WIDTH 40

struct histogram {
    uint64_t count[MAX_NR + 1]; /* [MAX_NR]: numbers beyond the table */
    uint64_t total;
};

static void count_call(void *ctx, const emu_event *ev)
{
    struct histogram *h = ctx;
    h->count[ev->u.sys.nr < MAX_NR ? ev->u.sys.nr : MAX_NR]++;
    h->total++;
}

static void print_histogram(const struct histogram *h)
{
    uint64_t max = 1;
    for (int i = 0; i <= MAX_NR; i++)
        max = h->count[i] > max ? h->count[i] : max;
    for (;;) { /* most frequent first; equal counts by number */
        int best = -1;
        for (int i = 0; i <= MAX_NR; i++)
            if (h->count[i] && (best < 0 || h->count[i] > h->count[best]))
                best = i;
        if (best < 0)
            break;
        const char *name = best < MAX_NR ? emu_syscall_name((uint64_t)best) : NULL;
        char bar[BAR_WIDTH + 1];
        size_t n = (size_t)((h->count[best] * BAR_WIDTH + max - 1) / max);
        memset(bar, '#', n);
        bar[n] = '\0';
        printf("%-16s %8llu  %s\n", name ? name : "(other)", (unsigned long long)h->count[best],
               bar);
        ((struct histogram *)h)->count[best] = 0;
    }
    printf("%-16s %8llu\n", "total", (unsigned long long)h->total);
}

int main(int argc, char **argv)
{
    emu_machine *m = boot_from_args(argc, argv, "KERNEL [CMDLINE]");
    static struct histogram h;
    if (emu_hook_add(m, EMU_EV_SYSCALL_ENTRY, count_call, &h) < 0) {
        fprintf(stderr, "cannot subscribe\n");
        return 2;
    }
    emu_run_result r;
    emu_machine_run(m, &r);
    print_histogram(&h);
    emu_machine_destroy(m);
    return 0;
}
