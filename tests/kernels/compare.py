#!/usr/bin/env python3
"""Runs one Multiboot kernel on QEMU and on emu and compares them.

  compare.py --emu EMU --kernel K [--append ARGS] [--memory M] [--stdin FILE]
             [--machine pc|q35] [--qemu-arg ARG ...] [--emu-arg ARG ...]
             [--allow-poweroff]

Both machines get the same kernel path, command line, memory size and stdin.
The serial bytes (stdout) and the exit status must be equal. QEMU is the
reference (DESIGN.md section 1); it runs as the boot contract says, on its
default machine (pc), or with -M q35 and emu with --machine q35:
  qemu-system-x86_64 [-M q35] -m M -kernel K -serial stdio -display none
      -device isa-debug-exit,iobase=0xf4,iosize=4 -no-reboot
Because QEMU exits 0 on a triple fault when -no-reboot is given, a kernel
must end through isa-debug-exit (odd status) unless --allow-poweroff.
Exit status 77 (skipped) if qemu-system-x86_64 is not installed.
"""
import argparse
import shutil
import subprocess
import sys

TIMEOUT = 120
SKIP = 77


def run(cmd, stdin_path):
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    try:
        p = subprocess.run(cmd, stdin=stdin, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=TIMEOUT)
    except subprocess.TimeoutExpired as e:
        return None, e.stdout or b"", b"timeout"
    finally:
        if stdin_path:
            stdin.close()
    return p.returncode, p.stdout, p.stderr


def first_difference(a: bytes, b: bytes) -> str:
    la, lb = a.split(b"\n"), b.split(b"\n")
    for i, (x, y) in enumerate(zip(la, lb)):
        if x != y:
            return f"line {i + 1}:\n  qemu: {x!r}\n  emu:  {y!r}"
    return f"one output is a prefix of the other ({len(a)} vs {len(b)} bytes)"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--emu", required=True)
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--append", default=None)
    ap.add_argument("--memory", default="128M")
    ap.add_argument("--stdin", default=None)
    ap.add_argument("--machine", choices=["pc", "q35"], default="pc")
    ap.add_argument("--qemu-arg", action="append", default=[])
    ap.add_argument("--emu-arg", action="append", default=[])
    ap.add_argument("--allow-poweroff", action="store_true")
    a = ap.parse_args()

    qemu_bin = shutil.which("qemu-system-x86_64")
    if not qemu_bin:
        print("SKIP: qemu-system-x86_64 is not installed", file=sys.stderr)
        return SKIP
    qemu = [qemu_bin, "-M", a.machine, "-m", a.memory, "-kernel", a.kernel,
            "-serial", "stdio", "-display", "none", "-no-reboot",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=4"] + a.qemu_arg
    emu = [a.emu, "run", "-M", a.machine, "-m", a.memory] + a.emu_arg + [a.kernel]
    if a.append is not None:
        qemu += ["-append", a.append]
        emu[2:2] = ["--append", a.append]

    qs, qout, qerr = run(qemu, a.stdin)
    es, eout, eerr = run(emu, a.stdin)
    print(f"qemu: status {qs}, {len(qout)} bytes; emu: status {es}, {len(eout)} bytes")
    ok = True
    if qs is None:
        print("FAIL: qemu timed out", file=sys.stderr)
        return 1
    if qs % 2 == 0 and not (a.allow_poweroff and qs == 0):
        print(f"FAIL: qemu exit status {qs}: the kernel did not end through "
              f"isa-debug-exit (crash or triple fault?)\n{qerr.decode(errors='replace')}",
              file=sys.stderr)
        return 1
    if qout != eout:
        print("FAIL: serial output differs, " + first_difference(qout, eout), file=sys.stderr)
        ok = False
    if qs != es:
        print(f"FAIL: exit status differs: qemu {qs}, emu {es}", file=sys.stderr)
        ok = False
    if not ok:
        print("--- qemu output ---\n" + qout.decode(errors="replace"), file=sys.stderr)
        print("--- emu output ---\n" + eout.decode(errors="replace"), file=sys.stderr)
        print("--- emu stderr ---\n" + eerr.decode(errors="replace"), file=sys.stderr)
        return 1
    sys.stdout.write(qout.decode(errors="replace"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
