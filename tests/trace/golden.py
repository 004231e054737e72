#!/usr/bin/env python3
"""Golden-trace test: runs `emu trace ARGS -o OUT [KERNEL]` and compares OUT
with tests/trace/golden/NAME byte for byte.

  golden.py --emu EMU --name NAME [--kernel K] -- TRACE-ARGS...

With EMU_REBASE=1 in the environment the golden file is rewritten from this
run instead (then review the diff with git before committing it). Traces
are deterministic (DESIGN.md §1), so any difference is a change in what the
guest did or in how emu trace prints it.
"""
import argparse
import difflib
import os
import subprocess
import sys
import tempfile

GOLDEN_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden")
DIFF_LINES = 60


def main() -> int:
    argv = sys.argv[1:]
    split = argv.index("--") if "--" in argv else len(argv)
    args = argv[split + 1:]
    ap = argparse.ArgumentParser()
    ap.add_argument("--emu", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--kernel")
    ap.add_argument("--status", type=int, default=None, help="expected exit status")
    a = ap.parse_args(argv[:split])
    golden = os.path.join(GOLDEN_DIR, a.name)
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "trace")
        cmd = [a.emu, "trace"] + args + ["-o", out] + ([a.kernel] if a.kernel else [])
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=600)
        if a.status is not None and p.returncode != a.status:
            print(f"{' '.join(cmd)}: exit status {p.returncode}, expected {a.status}")
            print(p.stderr.decode(errors="replace"))
            return 1
        with open(out, "rb") as f:
            got = f.read()
    if os.environ.get("EMU_REBASE") == "1":
        with open(golden, "wb") as f:
            f.write(got)
        print(f"rebased {golden} ({len(got)} bytes)")
        return 0
    try:
        with open(golden, "rb") as f:
            want = f.read()
    except FileNotFoundError:
        print(f"no golden file {golden}: run with EMU_REBASE=1 to create it")
        return 1
    if got == want:
        print(f"{a.name}: {len(got)} bytes, identical")
        return 0
    diff = difflib.unified_diff(want.decode(errors="replace").splitlines(),
                                got.decode(errors="replace").splitlines(),
                                "golden/" + a.name, "this run", lineterm="")
    for i, line in enumerate(diff):
        if i == DIFF_LINES:
            print("...")
            break
        print(line)
    print(f"\n{a.name} differs from its golden file. If the change is intended:\n"
          f"  EMU_REBASE=1 meson test -C BUILD --suite trace   (then review git diff)")
    return 1


if __name__ == "__main__":
    sys.exit(main())
