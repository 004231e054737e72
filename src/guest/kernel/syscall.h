/* System-call entry (syscall.c). */
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H

struct trapframe;

/* Programs the SYSCALL MSRs: STAR (segments), LSTAR (entry), FMASK. */
void syscall_init(void);
/* A system call made with INT 0x80 (from trap()). */
void syscall_int80(struct trapframe *tf);

#endif
