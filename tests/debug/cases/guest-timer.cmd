# With the kernel command line "selftest", init runs CPU-bound programs: the
# local APIC timer (vector 0xec) interrupts ring 3 and the CPU switches to
# the kernel stack named by TSS.RSP0.
break vector 0xec user
continue
explain
info tss
x/5xg rsp
info idt 0xec
info apic
info checksum
step 4
reverse-step 4
info checksum
pt 0x40156a
pt rip
pt 0xdead0000
