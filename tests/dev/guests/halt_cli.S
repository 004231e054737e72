/* HLT with interrupts off: only an NMI could wake it, and none is wired. */
#include "common.h"
        .text
        .globl _start
_start: cli
        hlt
        EXIT(0x11)
