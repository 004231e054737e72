#!/usr/bin/env python3
"""`emu repl`'s symbols and source lines against binutils, an independent
reader of the same ELF file: every text symbol `nm` lists must evaluate to
its address (print SYMBOL), and for addresses inside functions the file:line
the REPL shows must be the one `addr2line` gives (where it gives one)."""
import os
import re
import subprocess
import sys


def text_symbols(elf):
    out = subprocess.run(['nm', '--defined-only', '-n', elf], capture_output=True, text=True,
                         check=True).stdout
    syms = []
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in 'tT' and f[2].isidentifier():
            syms.append((int(f[0], 16), f[2]))
    return syms


def repl(emu, elf, commands):
    p = subprocess.run([emu, 'repl', '--batch', '-x', '/dev/stdin', elf], input=commands,
                       capture_output=True, text=True, timeout=120)
    return p.stdout


def main():
    emu, elf = sys.argv[1], sys.argv[2]
    syms = text_symbols(elf)
    names = {}
    for a, n in syms:
        names.setdefault(n, a)
    out = repl(emu, elf, ''.join('print %s\n' % n for n in names))
    got = dict(re.findall(r'^(\w+) = (0x[0-9a-f]+)', out, re.M))
    bad = [n for n, a in names.items() if int(got.get(n, '-1'), 0) != a]
    # a symbol may share its name with a register (the REPL prefers the register)
    bad = [n for n in bad if n not in ('rip', 'pc')]
    addrs = []
    for (a, _), (b, _) in zip(syms, syms[1:]):
        addrs += [x for x in (a, a + 7, a + 21) if x < b]
    out = repl(emu, elf, ''.join('print %#x\n' % a for a in addrs))
    mine = {}
    for m in re.finditer(r'^(0x[0-9a-f]+) = .*?(?: \((\S+):(\d+)\))?  \(\d+\)$', out, re.M):
        mine[int(m.group(1), 16)] = (m.group(2), m.group(3))
    a2l = subprocess.run(['addr2line', '-e', elf] + ['%#x' % a for a in addrs],
                         capture_output=True, text=True, check=True).stdout.splitlines()
    compared, wrong = 0, []
    for a, line in zip(addrs, a2l):
        path, _, num = line.rpartition(':')
        num = num.split()[0] if num else '?'
        if path == '??' or not num.isdigit():
            continue
        compared += 1
        if mine.get(a) != (os.path.basename(path), num):
            wrong.append('%#x: emu %s, addr2line %s:%s' % (a, mine.get(a), path, num))
    print('%d symbols, %d of them wrong; %d source lines compared, %d wrong' %
          (len(names), len(bad), compared, len(wrong)))
    for n in bad[:20]:
        print('symbol', n, 'nm', hex(names[n]), 'emu', got.get(n))
    for w in wrong[:20]:
        print(w)
    return 1 if bad or wrong or compared == 0 else 0


if __name__ == '__main__':
    sys.exit(main())
