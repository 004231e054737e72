/* Lookups in the system-call table (sysent.h), and its public face,
 * emu_syscall_name (include/emu/hooks.h). */
#include "sysent.h"

#include <string.h>

#include "../../include/emu/hooks.h"

const struct sysent *sysent_get(uint64_t nr)
{
    return nr < SYSENT_MAX && sysent_table[nr].name ? &sysent_table[nr] : NULL;
}

int sysent_lookup(const char *name)
{
    for (int i = 0; i < SYSENT_MAX; i++)
        if (sysent_table[i].name && !strcmp(sysent_table[i].name, name)) return i;
    return -1;
}

int sysent_kind_at_exit(char k)
{
    switch (k) {
    case 'O': case 'Q': case 'I': case 'S': case 'T': case 'R': case 'N': return 1;
    default: return 0;
    }
}

const char *emu_syscall_name(uint64_t nr)
{
    const struct sysent *e = sysent_get(nr);
    return e ? e->name : NULL;
}
