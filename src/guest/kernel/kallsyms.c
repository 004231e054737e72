/* Looking up kernel addresses in the generated symbol table. */
#include "kallsyms.h"

#include "printk.h"

/* Generated (kallsyms.S): kallsyms_num text symbols sorted by address, the
 * last one the end of .text; kallsyms_offsets[i] is where the i-th name
 * starts in kallsyms_names. */
extern const u64 kallsyms_num;
extern const u64 kallsyms_addrs[];
extern const u32 kallsyms_offsets[];
extern const char kallsyms_names[];

/* Index of the last symbol at or below addr, or -1. */
static i64 find(u64 addr)
{
    i64 lo = 0, hi = (i64)kallsyms_num - 1, found = -1;
    while (lo <= hi) {
        i64 mid = (lo + hi) / 2;
        if (kallsyms_addrs[mid] <= addr) {
            found = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return found;
}

void print_symbol(const char *prefix, u64 addr)
{
    i64 i = find(addr);
    if (i < 0 || i + 1 >= (i64)kallsyms_num) { /* before the first, or past the end of .text */
        printk("%s[<%016lx>] ?", prefix, addr);
        return;
    }
    printk("%s[<%016lx>] %s+%#lx/%#lx", prefix, addr, kallsyms_names + kallsyms_offsets[i],
           addr - kallsyms_addrs[i], kallsyms_addrs[i + 1] - kallsyms_addrs[i]);
}
