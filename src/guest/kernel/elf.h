/* The parts of the ELF64 format the loader reads (System V gABI, and the
 * x86-64 psABI for EM_X86_64). */
#ifndef KERNEL_ELF_H
#define KERNEL_ELF_H

#include "types.h"

#define ELFMAG0     0x7F
#define ELFCLASS64  2
#define ELFDATA2LSB 1
#define ET_EXEC     2
#define EM_X86_64   62
#define PT_LOAD     1
#define PF_X        1
#define PF_W        2
#define PF_R        4

typedef struct {
    u8 e_ident[16]; // 0x7F 'E' 'L' 'F', class, data, version, ...
    u16 e_type;
    u16 e_machine;
    u32 e_version;
    u64 e_entry; // where execution starts
    u64 e_phoff; // program header table: file offset
    u64 e_shoff;
    u32 e_flags;
    u16 e_ehsize;
    u16 e_phentsize;
    u16 e_phnum;
    u16 e_shentsize;
    u16 e_shnum;
    u16 e_shstrndx;
} Elf64_Ehdr;

typedef struct {
    u32 p_type;   // PT_LOAD: map this segment
    u32 p_flags;  // PF_R | PF_W | PF_X
    u64 p_offset; // file offset of the bytes
    u64 p_vaddr;  // where they go
    u64 p_paddr;
    u64 p_filesz; // bytes in the file
    u64 p_memsz;  // bytes in memory (the rest is zero: .bss)
    u64 p_align;
} Elf64_Phdr;

#endif
