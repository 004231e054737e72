#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || !isdigit((unsigned char)*s))
        return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

bool parse_size(const char *s, uint64_t *out)
{
    if (!s || !isdigit((unsigned char)*s))
        return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno)
        return false;
    unsigned shift;
    switch (toupper((unsigned char)*end)) {
    case 'K': shift = 10; break;
    case 'G': shift = 30; break;
    case 'T': shift = 40; break;
    case 'B': shift = 0; break;
    default: shift = 20; break; /* 'M' or nothing: MiB, as QEMU's -m */
    }
    if (*end && end[1] && !(toupper((unsigned char)end[1]) == 'B' && !end[2]) &&
        !(toupper((unsigned char)end[1]) == 'I' && toupper((unsigned char)end[2]) == 'B' &&
          !end[3]))
        return false;
    if (*end && !strchr("kKmMgGtTbB", *end))
        return false;
    if (v > (UINT64_MAX >> shift))
        return false;
    *out = (uint64_t)v << shift;
    return true;
}

bool parse_module(char *spec, emu_module *out)
{
    char *comma = strchr(spec, ',');
    out->cmdline = NULL;
    if (comma) {
        *comma = '\0';
        out->cmdline = comma + 1;
    }
    out->path = spec;
    return *spec != '\0';
}

void run_options_free(struct run_options *o)
{
    for (size_t i = 0; i < o->nmodules; i++)
        free(o->module_specs[i]);
    o->nmodules = 0;
}

bool parse_board(const char *s, emu_board *out)
{
    if (strcmp(s, "pc") == 0)
        *out = EMU_BOARD_PC;
    else if (strcmp(s, "q35") == 0)
        *out = EMU_BOARD_Q35;
    else
        return false;
    return true;
}
