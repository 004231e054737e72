# A timer interrupt arrives while ring 3 spins: the CPU switches to the
# kernel stack named by TSS.RSP0 and pushes the interrupted context.
break vector 0x20
set snapshot-interval 50000
continue
explain
info tss
x/5xg rsp
info idt 0x20
step 3
reverse-step 3
step
