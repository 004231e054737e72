# The other commands: watchpoints, next over a call, finish, trace, AT&T
# syntax, x formats, info gdt, reverse-continue, and what errors look like.
break kmain
continue
info breakpoints
disas rip 4
set syntax att
disas rip 2
set syntax intel
watch tss+4 8
continue
info breakpoints
delete
next
break k_syscall
continue
finish
trace on
break vector 0x20
continue
trace off
x/4xw rsp
x/2xg rsp
x/8xb kmain
x/2dg rsp
print *rsp
print rsp+8
info gdt
info idt 14
reverse-continue
reverse-continue
info breakpoints
frobnicate
print no_such_symbol
x/4q rsp
watch rsp 0
break vector 300
help watch
