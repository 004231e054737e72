/* System-call benchmark: a ring-3 loop that makes ROUNDS write() calls of
 * a 32-byte line of text it makes up (the kernel copies and checksums it,
 * as a pipe or a console would) plus a getpid() every fourth round, all
 * through SYSCALL/SYSRET with the Linux x86_64 numbers -- about 1.25 million
 * round trips. It measures the cost of the system-call path and of tracing
 * it (emu trace --syscalls, -c). The checksum it prints lets emu and QEMU be
 * checked to have done the same work. */
#include "klib.h"

#define ROUNDS 1000000
#define BUF 32
#define NR_write 1
#define NR_getpid 39
#define NR_exit_group 231
#define ENOSYS 38
#define PTE_U 0x4ULL
#define MSR_EFER 0xC0000080
#define MSR_STAR 0xC0000081
#define MSR_LSTAR 0xC0000082
#define MSR_FMASK 0xC0000084
#define EFER_SCE 1ULL
#define FMASK_IF_TF_DF 0x700
#define USER_STACK 16384

extern uint64_t boot_pml4[512], boot_pdpt[512], boot_pd[4 * 512];
void syscall_entry(void);
long syscall_dispatch(long nr, long a, long b, long c);

static uint8_t ring[4096];       /* where write() puts the bytes */
static uint32_t ring_pos, sum;
static __attribute__((aligned(16))) uint8_t user_stack[USER_STACK];
static __attribute__((aligned(16))) uint8_t kernel_stack[USER_STACK];
uint64_t kstack_top, user_rsp;

/* RAX number, RDI RSI RDX arguments; RCX and R11 are the CPU's. */
__asm__(".text\n"
        ".globl syscall_entry\n"
        "syscall_entry:\n"
        "    movq %rsp, user_rsp(%rip)\n"
        "    movq kstack_top(%rip), %rsp\n"
        "    pushq %rcx\n"
        "    pushq %r11\n"
        "    movq %rdx, %rcx\n"
        "    movq %rsi, %rdx\n"
        "    movq %rdi, %rsi\n"
        "    movq %rax, %rdi\n"
        "    call syscall_dispatch\n"
        "    popq %r11\n"
        "    popq %rcx\n"
        "    movq user_rsp(%rip), %rsp\n"
        "    sysretq\n");

static long sys_write(const uint8_t *buf, long len)
{
    for (long i = 0; i < len; i++) {
        ring[ring_pos++ & (sizeof(ring) - 1)] = buf[i];
        sum = (sum << 5 | sum >> 27) ^ buf[i];
    }
    return len;
}

long syscall_dispatch(long nr, long a, long b, long c)
{
    switch (nr) {
    case NR_write: return a == 1 ? sys_write((const uint8_t *)b, c) : -9;
    case NR_getpid: return 1;
    case NR_exit_group:
        kprintf("syscall bench: %d rounds, checksum %08x, last %ld\n", ROUNDS, sum, a);
        exit(0);
    default: return -ENOSYS;
    }
}

static inline long sys3(long nr, long a, long b, long c)
{
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a), "S"(b), "d"(c)
                     : "rcx", "r11", "memory");
    return ret;
}

static void user_main(void)
{
    uint8_t buf[BUF];
    uint64_t x = 0x243F6A8885A308D3ULL;
    long pids = 0;
    for (int i = 0; i < ROUNDS; i++) {
        for (int j = 0; j < BUF; j += 8) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            for (int k = 0; k < 8; k++)
                buf[j + k] = (uint8_t)('a' + ((x >> (8 * k)) & 15));
        }
        buf[BUF - 1] = '\n';
        sys3(NR_write, 1, (long)buf, BUF);
        if ((i & 3) == 0)
            pids += sys3(NR_getpid, 0, 0, 0);
    }
    sys3(NR_exit_group, pids, 0, 0);
}

int kmain(uint32_t mbi, uint32_t magic)
{
    (void)mbi;
    (void)magic;
    boot_pml4[0] |= PTE_U; /* the first 2 MiB (this image) user-accessible */
    boot_pdpt[0] |= PTE_U;
    boot_pd[0] |= PTE_U;
    WRITE_CR(3, READ_CR(3));
    kstack_top = (uint64_t)(uintptr_t)(kernel_stack + sizeof(kernel_stack));
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
    wrmsr(MSR_STAR, ((uint64_t)SEL_UCODE32 << 48) | ((uint64_t)SEL_KCODE << 32));
    wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)syscall_entry);
    wrmsr(MSR_FMASK, FMASK_IF_TF_DF);
    uint64_t rsp = (uint64_t)(uintptr_t)(user_stack + sizeof(user_stack)) - 8;
    __asm__ volatile("pushq %0\n"      /* SS */
                     "pushq %1\n"      /* RSP */
                     "pushq $2\n"      /* RFLAGS: interrupts off */
                     "pushq %2\n"      /* CS */
                     "pushq %3\n"      /* RIP */
                     "iretq"
                     :
                     : "i"(SEL_UDATA | 3), "r"(rsp), "i"(SEL_UCODE | 3), "r"(user_main)
                     : "memory");
    return 0x70;
}
