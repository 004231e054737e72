#!/usr/bin/env python3
"""Runs strace_oracle under strace and requires each line emu trace's
decoder wrote to appear, in order, in strace's own output (strace is the
oracle for the format). Skips (exit 77) when strace is missing or cannot
trace here (no ptrace permission).

  strace_oracle.py ORACLE-BINARY
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

SKIP = 77


def normalize(line):
    return re.sub(r"\)\s+= ", ") = ", line.rstrip("\n"))


def main() -> int:
    prog = sys.argv[1]
    strace = shutil.which("strace")
    if not strace:
        print("strace is not installed: skipped")
        return SKIP
    with tempfile.TemporaryDirectory() as tmp:
        ours_path, theirs_path = os.path.join(tmp, "ours"), os.path.join(tmp, "strace")
        p = subprocess.run([strace, "-o", theirs_path, "-qq", "-e", "signal=none", prog,
                            ours_path], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           timeout=60)
        if p.returncode != 0 or not os.path.exists(ours_path):
            print("strace could not run the oracle here: skipped\n" + p.stderr.decode())
            return SKIP
        ours = [normalize(x) for x in open(ours_path)]
        theirs = [normalize(x) for x in open(theirs_path)]
    pos, failed = 0, 0
    for line in ours:
        try:
            pos = theirs.index(line, pos) + 1
            print("same  " + line)
        except ValueError:
            name = line.split("(")[0]
            near = [t for t in theirs[pos:] if t.startswith(name + "(")][:2]
            print("DIFF  " + line + "\n      strace: " + (" | ".join(near) or "(no such call)"))
            failed += 1
    print(f"{len(ours) - failed} of {len(ours)} calls decoded exactly as strace decodes them")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
