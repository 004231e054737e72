# The bundled kernel (src/guest) from its Multiboot entry -- 32-bit
# protected mode, paging off -- to 64-bit mode at its higher-half address.
# (The .bss clearing and the page-table loop are skipped with `until`.)
info registers
step 2
until _start+0x69
step 3
explain
step 2
explain
step 4
explain
step 3
explain
step
step
explain
step 2
explain
info registers
pt rip
