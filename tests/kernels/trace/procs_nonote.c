/* The trace test kernel without the emu guest note: emu trace must tell its
 * tasks apart by CR3. */
#define PROCS_NO_NOTE
#include "procs.c"
