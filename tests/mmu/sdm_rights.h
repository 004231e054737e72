/* A reference for page-level protection, written from the SDM's prose
 * (Vol. 3 §4.6 "Access Rights", §4.7 "Page-Fault Exceptions") and not from
 * src/mmu: given what an access is and what the paging structures say,
 * whether it faults and with which error code. The tests compare the MMU
 * against this. */
#ifndef EMU_TESTS_MMU_SDM_RIGHTS_H
#define EMU_TESTS_MMU_SDM_RIGHTS_H

#include <stdbool.h>
#include <stdint.h>

enum sdm_who {
    SDM_USER,          // an access at CPL 3 that is not implicit: a user-mode access
    SDM_SUPERVISOR,    // an explicit access at CPL < 3
    SDM_IMPLICIT_CPL0, // implicit supervisor access (GDT, IDT, TSS, ...) at CPL 0
    SDM_IMPLICIT_CPL3, // the same while CPL = 3
};

enum sdm_kind { SDM_READ, SDM_WRITE, SDM_FETCH };

struct sdm_access {
    enum sdm_who who;
    enum sdm_kind kind;
    /* What the paging-structure entries say, combined over all levels. */
    bool user_page; // U/S = 1 in every entry: a user-mode address
    bool writable;  // R/W = 1 in every entry
    bool xd;        // XD = 1 in some entry
    /* Registers. */
    bool nxe, wp, smep, smap, ac;
    bool pae; // CR4.PAE = 1 (PAE or 4-level paging): XD exists
};

struct sdm_outcome {
    bool fault;
    uint32_t error; // page-fault error code when fault
};

struct sdm_outcome sdm_expect(const struct sdm_access *a);

#endif
