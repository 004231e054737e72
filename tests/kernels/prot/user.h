/* Shared by the prot kernels: ring-3 pages, GDT entries for SYSENTER/SYSEXIT,
 * MSR numbers, and the register block the assembly entry points hand to C. */
#ifndef PROT_USER_H
#define PROT_USER_H

#include "klib.h"

#define MSR_EFER 0xC0000080
#define MSR_STAR 0xC0000081
#define MSR_LSTAR 0xC0000082
#define MSR_CSTAR 0xC0000083
#define MSR_FMASK 0xC0000084
#define MSR_FS_BASE 0xC0000100
#define MSR_GS_BASE 0xC0000101
#define MSR_KERNEL_GS_BASE 0xC0000102
#define MSR_TSC_AUX 0xC0000103
#define MSR_SYSENTER_CS 0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176
#define EFER_SCE 1u
#define RFLAGS_TF 0x100u
#define RFLAGS_IF 0x200u
#define RFLAGS_DF 0x400u
#define RFLAGS_AC 0x40000u
#define PTE_U 4u

/* SYSENTER needs CS, CS+8 (kernel), CS+16/24 (32-bit user), CS+32/40
 * (64-bit user) in a row: GDT entries 10..15. */
#define SEL_SE_KCODE 0x50
#define SEL_SE_KDATA 0x58
#define SEL_SE_UCODE32 0x60
#define SEL_SE_UDATA32 0x68
#define SEL_SE_UCODE64 0x70
#define SEL_SE_UDATA64 0x78

/* Registers saved by the assembly entry points (prot_entry.S), in push order. */
struct sysregs {
    uint64_t r11, rcx, rdx, rdi, rax;
    uint64_t cs, ss, user_rsp;
};

/* Makes the first 16 MiB user-accessible (boot.S maps it supervisor-only). */
void user_pages(void);
/* Fills GDT entries 10..15 with the SYSENTER/SYSEXIT layout. */
void sysenter_gdt(void);
/* IRETQ to 64-bit ring 3 at rip with stack rsp and RFLAGS 0x2. */
void enter_user(void (*rip)(void), void *rsp);

#endif
