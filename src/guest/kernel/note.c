/* The ELF note that tells emu's tracer (emu trace --syscalls) how to find
 * the running task and its pid in guest memory (docs/kernel.md):
 *
 *   name "emu", type EMU_NOTE_TASK, descriptor struct emu_task_note.
 *
 * The tracer reads the pointer at current_addr (a kernel virtual address,
 * mapped in every address space), then the pid and command name at their
 * offsets in the task it points to. The note is in the loaded image, and a
 * PT_NOTE program header points at it. */
#include "cpu.h"
#include "proc.h"

#define EMU_NOTE_TASK 0x454d5501 /* "EMU" 01 */
#define EMU_NOTE_VERSION 1

struct emu_task_note {
    u32 version;      // EMU_NOTE_VERSION
    u32 pid_offset;   // offsetof(struct task, pid)
    u32 pid_size;     // 4 (a signed 32-bit integer)
    u32 comm_offset;  // offsetof(struct task, comm): NUL-terminated name
    u32 comm_size;    // TASK_COMM_LEN
    u32 reserved;
    u64 current_addr; // address of the `struct task *` of the running task
};

struct elf_note {
    u32 namesz, descsz, type;
    char name[4]; // "emu\0"
    struct emu_task_note desc;
};

extern struct cpu cpu0;

__attribute__((section(".note.emu"), used, aligned(4))) static const struct elf_note emu_note = {
    .namesz = 4,
    .descsz = sizeof(struct emu_task_note),
    .type = EMU_NOTE_TASK,
    .name = "emu",
    .desc =
        {
            .version = EMU_NOTE_VERSION,
            .pid_offset = offsetof(struct task, pid),
            .pid_size = sizeof(int),
            .comm_offset = offsetof(struct task, comm),
            .comm_size = TASK_COMM_LEN,
            .current_addr = (u64)&cpu0.current,
        },
};
