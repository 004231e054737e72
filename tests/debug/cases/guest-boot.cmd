# The bundled kernel (src/guest) from its Multiboot entry -- 32-bit
# protected mode, paging off -- to 64-bit mode at its higher-half address.
info registers
step 8
until
step 8
until
step 5
step 3
explain
step 2
explain
step 4
explain
step 3
explain
step
explain
step
explain
step 2
explain
info registers
pt rip
