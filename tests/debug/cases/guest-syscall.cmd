# The first system call of init, the bundled kernel's PID 1: SYSCALL from
# ring 3 into the kernel's entry point (IA32_LSTAR), then SYSRETQ back.
break syscall
continue
explain
info msr IA32_STAR
info msr LSTAR
info msr FMASK
info registers rax rdi rsi rcx r11 rsp
step 3
delete
until syscall_entry+0x71
step
explain
