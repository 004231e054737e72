#!/usr/bin/env python3
"""Golden transcripts of `emu repl` (tests/debug/cases/NAME.cmd -> NAME.out).

Runs `emu repl --batch -x NAME.cmd KERNEL` and compares what it prints, its
stderr and its exit status with NAME.out. With EMU_REBASE=1 in the
environment it rewrites NAME.out instead (then review the diff: the
transcript is the expectation).

--equal I=J,...  also requires the I-th and J-th `info checksum` lines
(counting from 1) to be identical: the state after a reverse move must
equal the state first seen there.
"""
import argparse
import difflib
import os
import subprocess
import sys


def run(args):
    # Run next to the kernel and name it without a directory: the name is
    # part of the Multiboot command line, which a kernel may print.
    kdir, kname = os.path.split(os.path.abspath(args.kernel))
    cmd = [os.path.abspath(args.emu), 'repl', '--batch', '-x', os.path.abspath(args.script)]
    cmd += args.emu_arg + [kname]
    p = subprocess.run(cmd, capture_output=True, timeout=args.timeout, cwd=kdir)
    text = p.stdout.decode('utf-8', 'replace')
    if p.stderr:
        text += '--- stderr ---\n' + p.stderr.decode('utf-8', 'replace')
    text += '--- exit status %d ---\n' % p.returncode
    return text


def check_equal(text, pairs):
    sums = [l for l in text.splitlines() if l.startswith('position ')]
    ok = True
    for pair in pairs:
        i, j = (int(x) for x in pair.split('='))
        if max(i, j) > len(sums):
            print('--equal %s: only %d checksum lines' % (pair, len(sums)))
            ok = False
        elif sums[i - 1] != sums[j - 1]:
            print('--equal %s: states differ:\n  %s\n  %s' % (pair, sums[i - 1], sums[j - 1]))
            ok = False
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--emu', required=True)
    ap.add_argument('--kernel', required=True)
    ap.add_argument('--script', required=True)
    ap.add_argument('--expected', required=True)
    ap.add_argument('--emu-arg', action='append', default=[])
    ap.add_argument('--equal', default='')
    ap.add_argument('--timeout', type=int, default=120)
    args = ap.parse_args()
    text = run(args)
    if os.environ.get('EMU_REBASE') == '1':
        with open(args.expected, 'w', newline='') as f:
            f.write(text)
        print('rebased', args.expected)
    else:
        with open(args.expected, newline='') as f:
            want = f.read()
        if text != want:
            sys.stdout.writelines(difflib.unified_diff(
                want.splitlines(True), text.splitlines(True), args.expected, 'actual'))
            print('\nThe transcript changed. If that is intended (the REPL, or the kernel '
                  'it runs -- src/guest -- changed), rewrite the expectations with\n'
                  '    EMU_REBASE=1 meson test -C BUILDDIR --suite debug\n'
                  'and review `git diff tests/debug/cases` before committing.')
            return 1
    pairs = [p for p in args.equal.split(',') if p]
    return 0 if check_equal(text, pairs) else 1


if __name__ == '__main__':
    sys.exit(main())
