#!/usr/bin/env python3
"""`emu trace --insns` names code by the kernel's symbols, checked against
binutils: every `<name+off>` must be the symbol `nm` puts at or below the
instruction's address, at that offset. For a higher-half kernel the entry
code runs at the physical address its segment was loaded at (paging is
off), so the address to look up is the one `readelf -l` says that segment
is linked for; the bundled kernel's boot code is checked that way, then its
64-bit code in the higher half.

  insn_symbols.py EMU KERNEL
"""
import re
import subprocess
import sys

UNTIL = 20000
LINE = re.compile(r"^\[[^]]*\] 0x([0-9a-f]+)(?: <([^>+]+)(?:\+0x([0-9a-f]+))?>)?: ")


def segments(kernel):
    """(paddr, vaddr, memsz) of each LOAD segment."""
    out = subprocess.run(["readelf", "-lW", kernel], capture_output=True, text=True,
                         check=True).stdout
    segs = []
    for line in out.splitlines():
        f = line.split()
        if f and f[0] == "LOAD":
            segs.append((int(f[3], 16), int(f[2], 16), int(f[5], 16)))
    return segs


def symbols(kernel):
    """Sorted (address, size or None, name) of the defined, non-absolute symbols."""
    out = subprocess.run(["nm", "-n", "-S", kernel], capture_output=True, text=True,
                         check=True).stdout
    syms = []
    for line in out.splitlines():
        f = line.split()
        if len(f) == 4 and f[2] not in "aAuUwWvV":
            syms.append((int(f[0], 16), int(f[1], 16), f[3]))
        elif len(f) == 3 and f[1] not in "aAuUwWvV":
            syms.append((int(f[0], 16), None, f[2]))
    return [s for s in syms if s[0] != 0]


def linked(addr, segs):
    """The address addr was linked for, and whether it was loaded elsewhere."""
    for paddr, vaddr, size in segs:
        if paddr <= addr < paddr + size:
            return vaddr + (addr - paddr), paddr != vaddr
    return addr, False


def expected(vma, syms):
    """The names nm has at the last address at or below vma, and that address."""
    below = [s for s in syms if s[0] <= vma]
    if not below:
        return None, set(), True
    top = below[-1][0]
    at = [s for s in below if s[0] == top]
    covers = any(size is None or vma < top + size for _, size, _ in at)
    return top, {name for _, _, name in at}, covers


def main() -> int:
    emu, kernel = sys.argv[1], sys.argv[2]
    segs, syms = segments(kernel), symbols(kernel)
    p = subprocess.run([emu, "trace", "--insns", "--until", str(UNTIL), kernel],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, timeout=120)
    rips = {}
    for line in p.stderr.decode(errors="replace").splitlines():
        m = LINE.match(line)
        if m:
            rips[int(m.group(1), 16)] = (m.group(2), int(m.group(3) or "0", 16))
    failed, low, high = 0, 0, 0
    for rip, (name, off) in sorted(rips.items()):
        vma, moved = linked(rip, segs)
        top, names, covers = expected(vma, syms)
        if name is None:
            ok = not covers or top is None
        else:
            ok = name in names and off == vma - top
        low += ok and moved
        high += ok and not moved
        if not ok:
            failed += 1
            print(f"FAIL 0x{rip:x}: trace says <{name}+0x{off:x}>, nm: {sorted(names)} "
                  f"at 0x{(top or 0):x} for 0x{vma:x}")
    print(f"{len(rips)} instruction addresses: {low} in the entry code loaded below its link "
          f"address, {high} elsewhere; {failed} named wrongly")
    if not low or not high:
        print("FAIL: the run did not reach both the entry code and the higher half")
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
