#include "sdm_rights.h"

#define ERR_P    1u
#define ERR_W    2u
#define ERR_US   4u
#define ERR_RSVD 8u
#define ERR_ID   16u

/* §4.6.1: "Every access to a linear address is either a supervisor-mode
 * access or a user-mode access. For all instruction fetches and most data
 * accesses, this distinction is determined by the current privilege level
 * (CPL): accesses made while CPL < 3 are supervisor-mode accesses, while
 * accesses made while CPL = 3 are user-mode accesses. Some operations
 * implicitly access system data structures ...; the resulting accesses to
 * those data structures are supervisor-mode accesses regardless of CPL." */
static bool supervisor_mode(const struct sdm_access *a)
{
    return a->who != SDM_USER;
}

static bool implicit(const struct sdm_access *a)
{
    return a->who == SDM_IMPLICIT_CPL0 || a->who == SDM_IMPLICIT_CPL3;
}

/* "If IA32_EFER.NXE = 0, ... instructions may be fetched from any
 * linear address with a valid translation; if NXE = 1, from any address
 * whose translation has XD = 0 in every paging-structure entry." */
static bool fetch_ok_xd(const struct sdm_access *a)
{
    return !(a->nxe && a->xd);
}

/* SMAP on data accesses to user-mode addresses: allowed only if CR4.SMAP = 0,
 * or the access is explicit and EFLAGS.AC = 1. */
static bool smap_allows(const struct sdm_access *a)
{
    if (!a->smap) return true;
    return !implicit(a) && a->ac;
}

static bool supervisor_allowed(const struct sdm_access *a)
{
    switch (a->kind) {
    case SDM_READ:
        /* Data may be read from any supervisor-mode address; from user-mode
         * addresses subject to SMAP. */
        return !a->user_page || smap_allows(a);
    case SDM_WRITE:
        if (a->user_page && !smap_allows(a)) return false;
        /* CR0.WP = 0: any address; WP = 1: only R/W = 1 everywhere. */
        return !a->wp || a->writable;
    default:
        /* Fetches from user-mode addresses: not if CR4.SMEP = 1. */
        if (a->user_page && a->smep) return false;
        return fetch_ok_xd(a);
    }
}

static bool user_allowed(const struct sdm_access *a)
{
    /* User-mode accesses reach user-mode addresses only. */
    if (!a->user_page) return false;
    switch (a->kind) {
    case SDM_READ: return true;
    case SDM_WRITE: return a->writable; /* regardless of CR0.WP */
    default: return fetch_ok_xd(a);
    }
}

/* §4.7: W/R is 1 for a write; U/S is 1 for a user-mode access; I/D is 1 for
 * an instruction fetch when SMEP = 1, or when PAE = 1 and NXE = 1. */
static uint32_t access_bits(const struct sdm_access *a)
{
    uint32_t e = 0;
    if (a->kind == SDM_WRITE) e |= ERR_W;
    if (!supervisor_mode(a)) e |= ERR_US;
    if (a->kind == SDM_FETCH && (a->smep || (a->pae && a->nxe))) e |= ERR_ID;
    return e;
}

struct sdm_outcome sdm_expect(const struct sdm_access *a)
{
    struct sdm_outcome o = {false, 0};
    /* §4.5: with NXE = 0, bit 63 (XD) is reserved in PAE / 4-level entries:
     * a reserved-bit fault (P = 1, RSVD = 1) whatever the access. */
    if (a->pae && !a->nxe && a->xd) {
        o.fault = true;
        o.error = ERR_P | ERR_RSVD | access_bits(a);
        return o;
    }
    bool ok = supervisor_mode(a) ? supervisor_allowed(a) : user_allowed(a);
    if (!ok) {
        o.fault = true;
        o.error = ERR_P | access_bits(a);
    }
    return o;
}
