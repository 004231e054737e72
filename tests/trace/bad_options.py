#!/usr/bin/env python3
"""emu trace with bad option values: each must end with exit status 2 and
exactly one line on stderr, "emu: ..." naming the problem, and nothing on
stdout (the machine never starts).

  bad_options.py EMU KERNEL
"""
import subprocess
import sys

CASES = [
    (["--format", "xml"], "invalid format 'xml'"),
    (["--format"], "needs a value"),  # no KERNEL after it: run without one
    (["-s", "many"], "invalid -s 'many'"),
    (["--syscall", "nosuchcall"], "invalid system call 'nosuchcall'"),
    (["--syscall", "write,,read"], "invalid system call list"),
    (["--syscall", "999"], "invalid system call '999'"),
    (["--vector", "300"], "invalid vector '300'"),
    (["--vector", "XY"], "invalid vector 'XY'"),
    (["--vector", "40-32"], "invalid vector '40-32'"),
    (["--pid", "-1"], "invalid pid '-1'"),
    (["--pid", "abc"], "invalid pid 'abc'"),
    (["--cpl", "4"], "invalid CPL '4'"),
    (["--range", "0x2000-0x1000"], "invalid range '0x2000-0x1000'"),
    (["--range", "foo"], "invalid range 'foo'"),
    (["--after", "soon"], "invalid --after 'soon'"),
    (["--until", "-5"], "invalid --until '-5'"),
    (["--after", "500", "--until", "500"], "invalid --until 500 (expected more than --after 500)"),
    (["--until", "0"], "invalid --until '0' (expected a number above 0)"),
    (["-s", "0"], "invalid -s '0'"),
    (["-o", "/nonexistent-dir/trace.txt"], "cannot write '/nonexistent-dir/trace.txt'"),
    (["--tlb=bogus"], "invalid --tlb 'bogus'"),
    (["--bogus"], "unknown option '--bogus'"),
    (["-m", "lots"], "invalid memory size 'lots'"),
]


def main() -> int:
    emu, kernel = sys.argv[1], sys.argv[2]
    failed = 0
    for args, want in CASES:
        tail = [] if args == ["--format"] else [kernel]
        p = subprocess.run([emu, "trace"] + args + tail, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        err = p.stderr.decode(errors="replace")
        lines = err.splitlines()
        ok = (p.returncode == 2 and len(lines) == 1 and lines[0].startswith("emu: ") and
              want in lines[0] and not p.stdout)
        print(("ok   " if ok else "FAIL ") + " ".join(args) + " -> " + repr(err.strip()) +
              f" (status {p.returncode})")
        failed += not ok
    print(f"{len(CASES) - failed} of {len(CASES)} bad values refused with one line")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
