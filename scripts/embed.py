#!/usr/bin/env python3
"""Writes an assembly file that embeds a binary: embed.py SYMBOL INPUT OUTPUT.

Defines `const unsigned char SYMBOL[]` and `const unsigned long SYMBOL_size`.
"""
import os
import sys


def main() -> int:
    if len(sys.argv) != 4:
        print("usage: embed.py SYMBOL INPUT OUTPUT", file=sys.stderr)
        return 2
    sym, src, out = sys.argv[1:]
    path = os.path.abspath(src).replace("\\", "\\\\").replace('"', '\\"')
    text = f"""\t.section .rodata
\t.balign 16
\t.globl {sym}
\t.type {sym}, @object
{sym}:
\t.incbin "{path}"
{sym}_end:
\t.size {sym}, {sym}_end - {sym}
\t.balign 8
\t.globl {sym}_size
\t.type {sym}_size, @object
{sym}_size:
\t.quad {sym}_end - {sym}
\t.size {sym}_size, 8
\t.section .note.GNU-stack,"",@progbits
"""
    with open(out, "w") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
