#!/usr/bin/env python3
"""Times benchmark kernels on emu and on QEMU TCG, on this machine, in one run.

  bench/run.py [--build DIR] [--repeat N] [KERNEL.elf ...]

For each kernel: emu's wall time and retired instructions (emu run --stats),
emu MIPS, QEMU's wall time, and QEMU's MIPS over the same instruction count
(the kernels are deterministic, so both machines execute the same stream).
Both outputs must agree, or the figures mean nothing.
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import time

QEMU = ["qemu-system-x86_64", "-m", "128M", "-serial", "stdio",
        "-display", "none", "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=4"]


def timed(cmd):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=900)
    return time.perf_counter() - t0, p


def best_of(n, cmd):
    runs = [timed(cmd) for _ in range(n)]
    return min(runs, key=lambda r: r[0])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--emu-arg", action="append", default=[])
    ap.add_argument("kernels", nargs="*")
    a = ap.parse_args()
    emu = os.path.join(a.build, "emu")
    kernels = a.kernels or sorted(glob.glob(os.path.join(a.build, "bench/*.elf")))
    have_qemu = shutil.which(QEMU[0]) is not None
    print(f"{'kernel':<14} {'insns':>14} {'emu s':>8} {'emu MIPS':>9} {'qemu s':>8} "
          f"{'qemu MIPS':>9} {'emu/qemu':>8}")
    for k in kernels:
        et, ep = best_of(a.repeat, [emu, "run", "--stats"] + a.emu_arg + [k])
        m = re.search(rb"(\d+) instructions", ep.stderr)
        insns = int(m.group(1)) if m else 0
        emu_mips = insns / et / 1e6
        line = f"{os.path.basename(k):<14} {insns:>14} {et:>8.2f} {emu_mips:>9.1f}"
        if have_qemu:
            qt, qp = best_of(a.repeat, QEMU + ["-kernel", k])
            same = "" if qp.stdout == ep.stdout else "  OUTPUT DIFFERS"
            qemu_mips = insns / qt / 1e6
            line += f" {qt:>8.2f} {qemu_mips:>9.1f} {emu_mips / qemu_mips:>8.2f}{same}"
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
