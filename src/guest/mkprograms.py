#!/usr/bin/env python3
"""Writes programs.S, embedding user programs in the kernel image:
mkprograms.py OUTPUT ELF...

Defines `programs`, an array of struct program {name, elf, size} (exec.h)
in the order given, and `nprograms`. A program's name is its file name
without the .elf or .strip suffix."""
import os
import sys


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: mkprograms.py OUTPUT ELF...")
    output, elves = sys.argv[1], sys.argv[2:]
    lines = ["\t.section .rodata"]
    for i, path in enumerate(elves):
        name = os.path.basename(path).removesuffix(".elf").removesuffix(".strip")
        quoted = os.path.abspath(path).replace("\\", "\\\\").replace('"', '\\"')
        lines += [f"name{i}:\t.asciz \"{name}\"", "\t.balign 16",
                  f"elf{i}:\t.incbin \"{quoted}\"", f"elf{i}_end:"]
    lines += ["\t.balign 8", "\t.globl programs, nprograms", "programs:"]
    for i in range(len(elves)):
        lines.append(f"\t.quad name{i}, elf{i}, elf{i}_end - elf{i}")
    lines += [f"nprograms:\t.quad {len(elves)}", "\t.section .note.GNU-stack, \"\", @progbits"]
    with open(output, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
