/* Architectural constants for paging and segmentation, with the SDM's names
 * (Intel SDM Vol. 3A, chapters 3 and 4). Included from C and assembly. */
#ifndef KERNEL_MMU_H
#define KERNEL_MMU_H

#define PAGE_SIZE      4096
#define PAGE_SHIFT     12
#define HUGE_PAGE_SIZE 0x200000 /* a 2 MiB page (PDE with PS) */
#define PT_ENTRIES     512

/* Page-table entry bits (SDM Table 4-19 and neighbours). */
#define PTE_P   (1 << 0) /* present */
#define PTE_W   (1 << 1) /* read/write */
#define PTE_U   (1 << 2) /* user/supervisor */
#define PTE_PWT (1 << 3) /* page-level write-through */
#define PTE_PCD (1 << 4) /* page-level cache disable */
#define PTE_A   (1 << 5) /* accessed */
#define PTE_D   (1 << 6) /* dirty */
#define PTE_PS  (1 << 7) /* page size: 2 MiB in a PDE */
#define PTE_G   (1 << 8) /* global: survives CR3 writes */
#define PTE_COW (1 << 9) /* software bit (ignored by the CPU): copy-on-write page */

/* Page-fault error code bits (SDM 4.7). */
#define X86_PF_PROT  (1 << 0) /* 0: not present, 1: protection violation */
#define X86_PF_WRITE (1 << 1) /* write access */
#define X86_PF_USER  (1 << 2) /* user-mode access */
#define X86_PF_RSVD  (1 << 3) /* reserved bit set in a paging entry */
#define X86_PF_INSTR (1 << 4) /* instruction fetch */

/* Control-register bits. */
#define CR0_PE        (1 << 0)
#define CR0_WP        (1 << 16) /* supervisor writes honour read-only pages (COW needs it) */
#define CR0_PG        0x80000000
#define CR4_PAE       (1 << 5)
#define CR4_PGE       (1 << 7)
#define CR4_PCIDE     (1 << 17)
#define CR3_PCID_MASK 0xFFF

/* MSRs (SDM Vol. 4). */
#define MSR_EFER           0xC0000080
#define MSR_STAR           0xC0000081
#define MSR_LSTAR          0xC0000082
#define MSR_FMASK          0xC0000084
#define MSR_FS_BASE        0xC0000100
#define MSR_GS_BASE        0xC0000101
#define MSR_KERNEL_GS_BASE 0xC0000102
#define MSR_APIC_BASE      0x1B
#define EFER_SCE           (1 << 0)  /* SYSCALL enable */
#define EFER_LME           (1 << 8)  /* long mode enable */
#define EFER_NXE           (1 << 11) /* execute-disable bit enable */

/* RFLAGS bits. */
#define FL_CF        (1 << 0)
#define FL_TF        (1 << 8)
#define FL_IF        (1 << 9)
#define FL_DF        (1 << 10)
#define FL_IOPL      (3 << 12)
#define FL_NT        (1 << 14)
#define FL_RF        (1 << 16)
#define FL_AC        (1 << 18)
#define FL_RESERVED1 (1 << 1) /* always 1 */

/* Segment selectors of the final GDT (gdt.c). The order is fixed by
 * SYSCALL/SYSRET: STAR[47:32] = KERNEL_CS (SS = +8), and SYSRET loads
 * CS = STAR[63:48] + 16, SS = STAR[63:48] + 8, so user data precedes user code. */
#define SEG_KCODE        1
#define SEG_KDATA        2
#define SEG_UDATA        3
#define SEG_UCODE        4
#define SEG_TSS          5 /* a 16-byte descriptor: slots 5 and 6 */
#define NSEGS            7
#define KERNEL_CS        (SEG_KCODE << 3)
#define KERNEL_DS        (SEG_KDATA << 3)
#define USER_DS          ((SEG_UDATA << 3) | 3)
#define USER_CS          ((SEG_UCODE << 3) | 3)
#define TSS_SEL          (SEG_TSS << 3)
#define STAR_SYSRET_BASE ((SEG_KDATA << 3) | 3) /* SYSRET adds 8 (SS) and 16 (CS) */

#ifndef __ASSEMBLER__
#define PTE_NX        (1ULL << 63)          /* execute-disable, when EFER.NXE is set */
#define PTE_ADDR_MASK 0x000FFFFFFFFFF000ULL /* the frame address in an entry */
#define CR3_NOFLUSH   (1ULL << 63)          /* with CR4.PCIDE: keep this PCID's TLB entries */
#endif

#endif
