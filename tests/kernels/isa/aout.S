/* A flat a.out-kludge Multiboot kernel (no ELF): the header's address
 * fields say where the file goes (load_addr .. load_end_addr), how much bss
 * follows (to bss_end_addr) and where to enter. The file carries 0xAA bytes
 * past load_end_addr: the loader must not load them, and must zero the bss
 * they would have covered. Prints what it sees over COM1 and exits through
 * isa-debug-exit with the number of failed checks. Built with -DPAD=N, the
 * header sits N bytes into the file (load_addr stays the file's start). */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00010002 /* memory info, address fields valid */
#define COM1 0x3F8
#define DEBUG_EXIT 0xF4
#define BSS_SIZE 0x3000

    .code32
    .text
    .globl _start
image:
#ifdef PAD
    .fill PAD, 1, 0x90          /* the header need not start the file */
#endif
    .balign 4
header:
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)
    .long header      /* header_addr */
    .long image       /* load_addr */
    .long load_end    /* load_end_addr */
    .long bss_end     /* bss_end_addr */
    .long _start      /* entry_addr */

_start:
    mov $stack_top, %esp
    xor %ebx, %ebx              /* failed checks */
    cmp $0x2BADB002, %eax
    je 1f
    inc %ebx
    mov $msg_magic, %esi
    call puts
1:  /* bss: every byte zero, including where the file had 0xAA */
    mov $load_end, %edi
    mov $(bss_end - load_end), %ecx
    xor %eax, %eax
    repe scasb
    je 2f
    inc %ebx
    mov $msg_bss, %esi
    call puts
2:  /* the byte just before load_end came from the file */
    cmpb $0x5A, last_byte
    je 3f
    inc %ebx
    mov $msg_data, %esi
    call puts
3:  /* code and data at their link addresses: a checksum of the image */
    mov $image, %esi
    xor %edx, %edx
4:  movzbl (%esi), %eax
    rol $5, %edx
    add %eax, %edx
    inc %esi
    cmp $load_end, %esi
    jne 4b
    mov $msg_ok, %esi
    call puts
    mov %edx, %eax
    call puthex
    mov $msg_nl, %esi
    call puts
    mov %bl, %al
    out %al, $DEBUG_EXIT
    hlt

puts:                           /* ESI: NUL-terminated string */
    lodsb
    test %al, %al
    jz 1f
    mov $COM1, %dx
    out %al, %dx
    jmp puts
1:  ret

puthex:                         /* EAX: 8 hex digits */
    push %ebx
    mov %eax, %ebx
    mov $8, %ecx
1:  rol $4, %ebx
    mov %ebx, %eax
    and $0xF, %eax
    movb hexdigits(%eax), %al
    mov $COM1, %dx
    out %al, %dx
    loop 1b
    pop %ebx
    ret

hexdigits: .ascii "0123456789abcdef"
msg_magic: .asciz "aout: EAX is not the Multiboot magic\n"
msg_bss:   .asciz "aout: bss not zero\n"
msg_data:  .asciz "aout: data past the code not loaded\n"
msg_ok:    .asciz "aout: loaded, image checksum "
msg_nl:    .asciz "\n"
last_byte: .byte 0x5A
load_end:
    .fill 256, 1, 0xAA          /* in the file, not in the image */
    .set bss_end, load_end + BSS_SIZE
    .set stack_top, bss_end
