#!/usr/bin/env python3
"""Golden test of emu's forensics report: runs KERNEL on emu and compares
its stderr and exit status with GOLDEN. With EMU_REBASE=1 in the
environment it rewrites GOLDEN instead (review the diff before committing).

  golden.py EMU KERNEL GOLDEN [EMU-ARG ...]
"""
import difflib
import os
import subprocess
import sys


def main() -> int:
    emu, kernel, golden = sys.argv[1:4]
    extra = sys.argv[4:]
    p = subprocess.run([emu, "run"] + extra + [kernel], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    got = p.stderr.decode(errors="replace") + f"[exit status {p.returncode}]\n"
    if os.environ.get("EMU_REBASE") == "1":
        with open(golden, "w") as f:
            f.write(got)
        print(f"rebased {golden}")
        return 0
    try:
        with open(golden) as f:
            want = f.read()
    except OSError as e:
        print(f"cannot read {golden}: {e} (run with EMU_REBASE=1 to create it)")
        return 1
    if got == want:
        return 0
    sys.stdout.writelines(difflib.unified_diff(want.splitlines(True), got.splitlines(True),
                                               "expected", "emu"))
    return 1


if __name__ == "__main__":
    sys.exit(main())
