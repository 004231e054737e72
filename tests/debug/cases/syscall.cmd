# The first system call: ring 3 executes SYSCALL, the CPU enters the kernel
# at IA32_LSTAR; later SYSRETQ goes back. (tests/kernels/debug/repl_demo*)
break syscall write
continue
explain
info msr IA32_STAR
info msr LSTAR
info msr FMASK
info registers rax rdi rsi rdx rcx r11 rsp
x/18c rsi
until syscall_entry+0x2c
step
explain
delete
continue
