/* execve: loading an ELF64 executable into a fresh address space. */
#include "exec.h"

#include "elf.h"
#include "errno.h"
#include "memlayout.h"
#include "mm.h"
#include "mmu.h"
#include "page.h"
#include "proc.h"
#include "slab.h"
#include "str.h"
#include "traps.h"
#include "uaccess.h"
#include "vm.h"
#include "x86.h"

#define BIN_PREFIX "/bin/"
#define AT_NULL    0

static const struct program *find_program(const char *path)
{
    if (strncmp(path, BIN_PREFIX, sizeof(BIN_PREFIX) - 1) == 0) path += sizeof(BIN_PREFIX) - 1;
    for (u64 i = 0; i < nprograms; i++)
        if (strcmp(programs[i].name, path) == 0) return &programs[i];
    return NULL;
}

static const Elf64_Ehdr *check_elf(const struct program *p)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)p->elf;
    if (p->size < sizeof(*eh) || memcmp(eh->e_ident, "\177ELF", 4) != 0 ||
        eh->e_ident[4] != ELFCLASS64 || eh->e_ident[5] != ELFDATA2LSB || eh->e_type != ET_EXEC ||
        eh->e_machine != EM_X86_64 || eh->e_phentsize != sizeof(Elf64_Phdr) ||
        eh->e_phoff > p->size || (u64)eh->e_phnum * sizeof(Elf64_Phdr) > p->size - eh->e_phoff)
        return NULL;
    return eh;
}

static u64 pte_flags(u32 pflags)
{
    u64 f = PTE_P | PTE_U;
    if (pflags & PF_W) f |= PTE_W;
    if (!(pflags & PF_X) && cpu_has.nx) f |= PTE_NX;
    return f;
}

/* Maps one PT_LOAD segment, copying its file bytes into fresh pages. */
static int load_segment(struct mm *mm, const struct program *p, const Elf64_Phdr *ph)
{
    if (ph->p_filesz > ph->p_memsz || ph->p_offset > p->size ||
        ph->p_filesz > p->size - ph->p_offset || ph->p_vaddr < USER_IMAGE_MIN ||
        ph->p_memsz > USER_MMAP_BASE - ph->p_vaddr)
        return -ENOEXEC;
    u64 start = ALIGN_DOWN(ph->p_vaddr, PAGE_SIZE),
        end = ALIGN_UP(ph->p_vaddr + ph->p_memsz, PAGE_SIZE);
    u32 vflags = (ph->p_flags & PF_R ? VM_READ : 0) | (ph->p_flags & PF_W ? VM_WRITE : 0) |
                 (ph->p_flags & PF_X ? VM_EXEC : 0);
    if (!vma_add(mm, start, end, vflags, ph->p_flags & PF_X ? "text" : "data")) return -ENOEXEC;
    u64 file_start = ph->p_vaddr, file_end = ph->p_vaddr + ph->p_filesz;
    for (u64 va = start; va < end; va += PAGE_SIZE) {
        u8 *page = page_alloc_zeroed();
        if (!page || vm_map(mm->pml4, va, v2p(page), pte_flags(ph->p_flags))) {
            if (page) free_pages(virt_to_page(page), 0);
            return -ENOMEM;
        }
        u64 lo = MAX(va, file_start), hi = MIN(va + PAGE_SIZE, file_end);
        if (lo < hi) memcpy(page + (lo - va), p->elf + ph->p_offset + (lo - file_start), hi - lo);
    }
    return 0;
}

/* Builds the initial stack in its top page (System V x86-64 ABI, 3.4.1):
 * RSP -> argc, argv[0..argc-1], NULL, envp: NULL, auxv: AT_NULL, then the
 * strings. Returns the user RSP, or 0 if the arguments do not fit. */
static u64 setup_stack(struct mm *mm, char *const argv[])
{
    u64 base = USER_STACK_TOP - PAGE_SIZE;
    u8 *page = page_alloc_zeroed();
    if (!vma_add(mm, USER_STACK_TOP - USER_STACK_SIZE, USER_STACK_TOP, VM_READ | VM_WRITE,
                 "stack") ||
        !page || vm_map(mm->pml4, base, v2p(page), pte_flags(PF_R | PF_W))) {
        if (page) free_pages(virt_to_page(page), 0);
        return 0;
    }
    u64 argc = 0, top = PAGE_SIZE, uargv[MAX_ARGS];
    while (argv[argc] && argc < MAX_ARGS)
        argc++;
    for (u64 i = argc; i-- > 0;) {
        u64 len = strlen(argv[i]) + 1;
        if (len > top / 2) return 0;
        top -= len;
        memcpy(page + top, argv[i], len);
        uargv[i] = base + top;
    }
    u64 words = 1 + argc + 1 + 1 + 2;
    u64 sp = ALIGN_DOWN(top - words * 8, 16);
    u64 *w = (u64 *)(page + sp);
    *w++ = argc;
    for (u64 i = 0; i < argc; i++)
        *w++ = uargv[i];
    *w++ = 0;       /* end of argv */
    *w++ = 0;       /* envp: empty */
    *w++ = AT_NULL; /* auxv: empty */
    *w = 0;
    return base + sp;
}

/* Loads every segment and sets up heap and stack; returns the entry point
 * and initial RSP through *entry and *sp. */
static int load_image(struct mm *mm, const struct program *p, char *const argv[], u64 *entry,
                      u64 *sp)
{
    const Elf64_Ehdr *eh = check_elf(p);
    if (!eh) return -ENOEXEC;
    u64 image_end = 0;
    for (u16 i = 0; i < eh->e_phnum; i++) {
        const Elf64_Phdr *ph = (const Elf64_Phdr *)(p->elf + eh->e_phoff) + i;
        if (ph->p_type != PT_LOAD) continue;
        int r = load_segment(mm, p, ph);
        if (r) return r;
        image_end = MAX(image_end, ALIGN_UP(ph->p_vaddr + ph->p_memsz, PAGE_SIZE));
    }
    if (!image_end || eh->e_entry < USER_IMAGE_MIN || eh->e_entry >= image_end) return -ENOEXEC;
    mm->brk_start = mm->brk = image_end;
    mm->heap = vma_add(mm, image_end, image_end, VM_READ | VM_WRITE, "heap");
    *entry = eh->e_entry;
    *sp = mm->heap ? setup_stack(mm, argv) : 0;
    return *sp ? 0 : -E2BIG;
}

static const char *basename(const char *path)
{
    const char *slash = path;
    for (const char *p = path; *p; p++)
        if (*p == '/') slash = p + 1;
    return slash;
}

int exec_task(struct task *t, const char *path, char *const argv[])
{
    const struct program *p = find_program(path);
    if (!p) return -ENOENT;
    struct mm *mm = mm_create(), *old = t->mm;
    if (!mm) return -ENOMEM;
    u64 entry, sp;
    int r = load_image(mm, p, argv, &entry, &sp);
    if (r) {
        mm_destroy(mm);
        return r;
    }
    t->mm = mm;
    t->fs_base = 0;
    if (t == current_task()) {
        t->cr3 = mm_cr3(mm);
        write_cr3(t->cr3);
        wrmsr(MSR_FS_BASE, 0);
    }
    if (old) mm_destroy(old);
    strlcpy(t->comm, basename(path), sizeof(t->comm));
    memset(t->tf, 0, sizeof(*t->tf));
    t->tf->rip = entry;
    t->tf->rsp = sp;
    t->tf->cs = USER_CS;
    t->tf->ss = USER_DS;
    t->tf->rflags = FL_IF | FL_RESERVED1;
    return 0;
}

struct exec_args {
    char path[MAX_ARG_LEN];
    char strings[MAX_ARGS][MAX_ARG_LEN];
    char *argv[MAX_ARGS + 1];
};

/* Copies the path and argv from user memory. */
static long copy_exec_args(struct exec_args *a, const char *upath, char *const *uargv)
{
    long r = strncpy_from_user(a->path, upath, sizeof(a->path));
    if (r < 0) return r;
    for (int i = 0; uargv; i++) { /* a NULL argv counts as empty, as on Linux */
        u64 uptr;
        if (copy_from_user(&uptr, uargv + i, sizeof(uptr))) return -EFAULT;
        if (!uptr) return 0;
        if (i == MAX_ARGS) return -E2BIG;
        r = strncpy_from_user(a->strings[i], (const char *)uptr, MAX_ARG_LEN);
        if (r < 0) return r == -ENAMETOOLONG ? -E2BIG : r;
        a->argv[i] = a->strings[i];
    }
    return 0;
}

/* execve(path, argv, envp): the environment is ignored. */
long sys_execve(struct trapframe *tf)
{
    struct exec_args *a = kmalloc(sizeof(*a));
    if (!a) return -ENOMEM;
    long r = copy_exec_args(a, (const char *)tf->rdi, (char *const *)tf->rsi);
    if (r == 0) r = exec_task(current_task(), a->path, a->argv);
    kfree(a);
    return r;
}
