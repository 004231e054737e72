/* Miscellaneous system calls (sys.c). */
#ifndef KERNEL_SYS_H
#define KERNEL_SYS_H

struct trapframe;

long sys_uname(struct trapframe *tf);
long sys_reboot(struct trapframe *tf);

#endif
