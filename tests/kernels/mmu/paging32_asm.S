/* paging32_asm.S: probes for the 32-bit paging kernel. A probe makes one
 * access; a #PF lands in pf_entry, which records the error code and CR2 and
 * resumes at probe_recover, a `ret` that leaves the probe with the stack it
 * had at the fault (every probe is a leaf; `exec` faults on the target's
 * first byte, just after the call pushed the return address). */
        .text
        .code32
        .globl probe_read, probe_write, probe_exec, probe_read_ac, pf_entry, other_entry
        .globl pf_error, pf_cr2, pf_count
probe_read:                     /* uint32_t probe_read(uint32_t addr) */
        movl 4(%esp), %eax
        movl (%eax), %eax
        ret
probe_write:                    /* void probe_write(uint32_t addr) */
        movl 4(%esp), %eax
        movl $0x5a, (%eax)
        ret
probe_exec:                     /* void probe_exec(uint32_t addr): the target holds ret */
        movl 4(%esp), %eax
        call *%eax
        ret
probe_read_ac:                  /* uint32_t probe_read_ac(uint32_t addr), RFLAGS.AC set */
        movl 4(%esp), %eax
        stac
        movl (%eax), %eax
        clac
        ret
probe_recover:
        ret

pf_entry:
        pushl %eax
        movl 4(%esp), %eax
        movl %eax, pf_error
        movl %cr2, %eax
        movl %eax, pf_cr2
        incl pf_count
        movl $probe_recover, 8(%esp)
        andl $~0x40000, 16(%esp)        /* AC off, as after clac */
        popl %eax
        addl $4, %esp
        iret

other_entry:                     /* any other exception ends the run */
        pushl $0x7f
        call exit

        .data
pf_error:       .long 0
pf_cr2:         .long 0
pf_count:       .long 0
        .section .note.GNU-stack,"",@progbits
