/* The guest's running task for the panel (include/emu/guest_note.h). */
#ifndef EMU_UI_TASK_H
#define EMU_UI_TASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../include/emu/emu.h"
#include "../../include/emu/guest_note.h"

struct ui_task_note {
    struct emu_guest_note note;
    bool found; // the kernel carries a note of a version we read
};

/* Looks for the note in a kernel image. */
bool ui_task_find_note(struct ui_task_note *t, const uint8_t *image, size_t size);

/* The running task's pid and name (comm may come back empty). False when
 * there is no note or no task (no mapping, NULL pointer). */
bool ui_task_current(const struct ui_task_note *t, emu_machine *m, int32_t *pid, char *comm,
                     size_t comm_len);

#endif
