/**
 * @file guest_note.h
 * @brief The ELF note a guest kernel carries to tell emu (`emu trace`, the
 *        hook examples, the REPL) where its running task and that task's pid
 *        live, so traces can say `[pid 3]` instead of naming address spaces.
 *
 * The note is an ordinary ELF note (SHT_NOTE section and/or PT_NOTE segment)
 * with owner name "emu" and type ::EMU_GUEST_NOTE_TYPE; its descriptor is a
 * ::emu_guest_note (40 bytes, little-endian, no padding). emu finds it with
 * libelf in the kernel file it boots; the guest never reads it, and QEMU
 * ignores it, so carrying it changes nothing about how the kernel runs.
 *
 * What emu does with it, at an event on CPU n:
 *   1. reads the 8-byte pointer at `current_addr + n * current_stride` (a
 *      kernel virtual address, read through the page tables in CR3 at that
 *      moment, so it must be mapped in every address space the kernel runs
 *      in -- the shared kernel half, typically);
 *   2. a NULL pointer, or an address that does not translate, means "no
 *      task": emu falls back to telling processes apart by CR3;
 *   3. otherwise reads a signed 32-bit pid at `task + pid_offset` and, if
 *      comm_offset is not ::EMU_GUEST_NOTE_NONE, a NUL-padded name of
 *      comm_size bytes at `task + comm_offset`.
 * A kernel must update the pointer before it loads the next task's CR3
 * during a context switch (emu checks it on CR3 writes, on system call
 * entry and exit, and at interrupts).
 *
 * This header is freestanding (needs only <stdint.h> and <stddef.h>): a
 * guest kernel includes it and declares its note with
 * ::EMU_GUEST_NOTE_DEFINE. Its linker script must keep the section:
 *
 *     .note.emu : { KEEP(*(.note.emu)) }
 *
 * Example (the bundled kernel, src/guest):
 *
 *     struct cpu cpu0;   // cpu0.current is the running task
 *     EMU_GUEST_NOTE_DEFINE(emu_note, cpu0.current, struct task, pid, comm);
 */
#ifndef EMU_GUEST_NOTE_H
#define EMU_GUEST_NOTE_H

#include <stddef.h>
#include <stdint.h>

/** The note's owner name (n_namesz = 4 with the NUL). */
#define EMU_GUEST_NOTE_NAME "emu"
/** The note's type (n_type): "EMU" and format 1. */
#define EMU_GUEST_NOTE_TYPE 0x454D5501u
/** The section name ::EMU_GUEST_NOTE_DEFINE uses. */
#define EMU_GUEST_NOTE_SECTION ".note.emu"
/** ::emu_guest_note.version this header describes. */
#define EMU_GUEST_NOTE_VERSION 1u
/** "Field not present" for comm_offset. */
#define EMU_GUEST_NOTE_NONE 0xFFFFFFFFu
/** The longest comm_size emu reads. */
#define EMU_GUEST_NOTE_COMM_MAX 64u

/** The note's descriptor: where the running task is, and its pid and name. */
struct emu_guest_note {
    uint32_t version;        /**< ::EMU_GUEST_NOTE_VERSION */
    uint32_t ncpus;          /**< pointers at current_addr (1 on a uniprocessor kernel) */
    uint64_t current_addr;   /**< kernel virtual address of CPU 0's `struct task *current` */
    uint64_t current_stride; /**< bytes from CPU n's pointer to CPU n+1's (0 if ncpus is 1) */
    uint32_t pid_offset;     /**< byte offset of the pid (int32_t) in the task */
    uint32_t comm_offset;    /**< byte offset of the name (NUL-padded), or EMU_GUEST_NOTE_NONE */
    uint32_t comm_size;      /**< bytes of the name field (at most EMU_GUEST_NOTE_COMM_MAX) */
    uint32_t reserved;       /**< 0 */
};

/** The whole note as it sits in the section: ELF note header, name, descriptor. */
struct emu_guest_note_elf {
    uint32_t namesz;            /**< 4 */
    uint32_t descsz;            /**< sizeof(struct emu_guest_note) = 40 */
    uint32_t type;              /**< ::EMU_GUEST_NOTE_TYPE */
    char name[4];               /**< "emu" */
    struct emu_guest_note desc; /**< the descriptor */
};

/* GCC passes the section name to the assembler verbatim (the "# " ends the
 * line there) and would otherwise mark a .note section PROGBITS; clang
 * gives .note.* sections SHT_NOTE by itself and would keep the suffix. */
#ifdef __clang__
#define EMU_GUEST_NOTE_SECTION_ATTR EMU_GUEST_NOTE_SECTION
#else
#define EMU_GUEST_NOTE_SECTION_ATTR EMU_GUEST_NOTE_SECTION ",\"a\",@note #"
#endif

/**
 * Defines the note for a uniprocessor kernel whose running task is the
 * pointer lvalue `current` (of type `task_type *`), with an int pid member
 * and a char-array name member. Expands to a static const object placed in
 * section ".note.emu" with ELF section type SHT_NOTE.
 */
#define EMU_GUEST_NOTE_DEFINE(var, current, task_type, pid_member, comm_member)              \
    __attribute__((section(EMU_GUEST_NOTE_SECTION_ATTR), aligned(4),                          \
                   used)) static const struct emu_guest_note_elf var = {                    \
        4, sizeof(struct emu_guest_note), EMU_GUEST_NOTE_TYPE, EMU_GUEST_NOTE_NAME,          \
        {EMU_GUEST_NOTE_VERSION, 1, (uint64_t)(uintptr_t) & (current), 0,                    \
         offsetof(task_type, pid_member), offsetof(task_type, comm_member),                  \
         sizeof(((task_type *)0)->comm_member), 0}}

#endif
