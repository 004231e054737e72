/* The ELF note that tells emu where the running task and its pid live
 * (include/emu/guest_note.h): `emu trace --syscalls` reads cpu0.current
 * through the guest's page tables, then the task's pid and comm, and so
 * prints "[pid 3] write(...)". swtch.S updates `current` before it loads
 * the next task's CR3, as the note's contract asks. QEMU ignores the note. */
#include "cpu.h"
#include "emu/guest_note.h"
#include "proc.h"

extern struct cpu cpu0;

EMU_GUEST_NOTE_DEFINE(emu_note, cpu0.current, struct task, pid, comm);
