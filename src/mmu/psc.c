#include "psc.h"

void psc_clear(struct psc *p)
{
    for (unsigned i = 0; i < PSC_ENTRIES; i++)
        p->e[i].tag = PSC_NONE;
}

void psc_fill(struct psc *p, uint64_t lin, uint16_t pcid, uint64_t table, uint8_t flags)
{
    *psc_slot(p, lin) = (struct psc_entry){lin >> PSC_SHIFT, table, pcid, flags};
    p->fills++;
}

void psc_flush(struct psc *p, bool all, uint16_t pcid)
{
    for (unsigned i = 0; i < PSC_ENTRIES; i++)
        if (all || p->e[i].pcid == pcid) p->e[i].tag = PSC_NONE;
}

void psc_flush_addr(struct psc *p, uint64_t lin, uint16_t pcid)
{
    struct psc_entry *e = psc_slot(p, lin);
    if (e->tag == lin >> PSC_SHIFT && e->pcid == pcid) e->tag = PSC_NONE;
}
