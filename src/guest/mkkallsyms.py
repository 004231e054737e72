#!/usr/bin/env python3
"""Writes the kernel's symbol table as assembly: mkkallsyms.py NM ELF OUTPUT.

Reads the text symbols of a linked kernel with nm and emits kallsyms_num,
kallsyms_addrs (sorted, ending with _etext), kallsyms_offsets and
kallsyms_names, for kernel/kallsyms.c. With ELF '-' it writes an empty
table (the first link). The table goes at the end of .rodata, after .text,
so linking it in does not move any function."""
import subprocess
import sys


def text_symbols(nm, elf):
    out = subprocess.run([nm, "-n", "--defined-only", elf], check=True,
                         capture_output=True, text=True).stdout
    syms, end = [], None
    for line in out.splitlines():
        parts = line.split()
        if len(parts) != 3:
            continue
        addr, kind, name = int(parts[0], 16), parts[1], parts[2]
        if name == "_etext":
            end = addr
        elif kind in "tT" and not name.startswith(".L"):
            syms.append((addr, name))
    if end is None:
        sys.exit("mkkallsyms: no _etext in " + elf)
    syms = [s for s in syms if s[0] < end]
    syms.append((end, "_etext"))
    return syms


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: mkkallsyms.py NM ELF|- OUTPUT")
    nm, elf, output = sys.argv[1:]
    syms = [] if elf == "-" else text_symbols(nm, elf)
    lines = ["\t.section .rodata.kallsyms, \"a\"", "\t.balign 8",
             "\t.globl kallsyms_num, kallsyms_addrs, kallsyms_offsets, kallsyms_names",
             f"kallsyms_num:\t.quad {len(syms)}", "kallsyms_addrs:"]
    lines += [f"\t.quad {addr:#x}" for addr, _ in syms]
    lines.append("kallsyms_offsets:")
    offset = 0
    for _, name in syms:
        lines.append(f"\t.long {offset}")
        offset += len(name) + 1
    lines.append("kallsyms_names:")
    lines += [f"\t.asciz \"{name}\"" for _, name in syms]
    lines.append("\t.section .note.GNU-stack, \"\", @progbits")
    with open(output, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
