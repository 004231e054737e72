# From the Multiboot entry to 64-bit mode (tests/kernels/lib/boot.S): the
# loader's 32-bit protected mode, page tables built, CR3, CR4.PAE, EFER.LME,
# CR0.PG (long mode becomes active), LGDT, and the far jump into 64-bit code.
info registers
info cr
step 3
until _start+0x33
until _start+0x5b
step
explain
step 3
step 4
explain
step 3
explain
step
explain
step
explain
info sregs
step 2
