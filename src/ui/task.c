/* The running task, when the kernel says where it is: the "emu" ELF note of
 * include/emu/guest_note.h, found by scanning the kernel image for its
 * header, and read through the guest's page tables like `emu trace` does. */
#include <string.h>

#include "../../include/emu/guest_note.h"
#include "task.h"

#define NOTE_HEADER_BYTES 16 /* namesz, descsz, type, "emu\0" */

bool ui_task_find_note(struct ui_task_note *t, const uint8_t *image, size_t size)
{
    const uint32_t want[3] = {4, sizeof(struct emu_guest_note), EMU_GUEST_NOTE_TYPE};
    memset(t, 0, sizeof(*t));
    for (size_t off = 0; image && off + sizeof(struct emu_guest_note_elf) <= size; off += 4) {
        if (memcmp(image + off, want, sizeof(want)) ||
            memcmp(image + off + sizeof(want), EMU_GUEST_NOTE_NAME, 4))
            continue;
        memcpy(&t->note, image + off + NOTE_HEADER_BYTES, sizeof(t->note));
        t->found = t->note.version == EMU_GUEST_NOTE_VERSION && t->note.ncpus >= 1;
        if (t->note.comm_size > EMU_GUEST_NOTE_COMM_MAX)
            t->note.comm_size = EMU_GUEST_NOTE_COMM_MAX;
        return t->found;
    }
    return false;
}

bool ui_task_current(const struct ui_task_note *t, emu_machine *m, int32_t *pid, char *comm,
                     size_t comm_len)
{
    uint64_t task;
    comm[0] = '\0';
    if (!t->found || emu_virt_read(m, 0, t->note.current_addr, &task, sizeof(task), NULL) ||
        !task || emu_virt_read(m, 0, task + t->note.pid_offset, pid, sizeof(*pid), NULL))
        return false;
    if (t->note.comm_offset != EMU_GUEST_NOTE_NONE && comm_len > 1) {
        size_t n = t->note.comm_size < comm_len - 1 ? t->note.comm_size : comm_len - 1;
        if (emu_virt_read(m, 0, task + t->note.comm_offset, comm, n, NULL) == EMU_OK)
            comm[n] = '\0';
        else
            comm[0] = '\0';
    }
    return true;
}
