/* The kernel's name and version (uname, the boot banner). */
#ifndef KERNEL_VERSION_H
#define KERNEL_VERSION_H

#define KERNEL_NAME    "emu-teach"
#define KERNEL_RELEASE "0.1.0"
#define KERNEL_VERSION "#1 uniprocessor, built with the emu tree"

#endif
