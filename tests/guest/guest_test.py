#!/usr/bin/env python3
"""Boots the bundled teaching kernel (src/guest) and checks what it prints.

  guest_test.py selftest --machine emu|qemu --kernel K [--emu EMU]
      Boots with `selftest`: init runs every demonstration; the run must end
      with ACPI poweroff (status 0) after "selftest: N of N passed".
  guest_test.py compare --emu EMU --kernel K
      Boots the same image on QEMU (its default machine, pc) and on emu with
      `selftest printk.time=0`; the transcripts from the line
      "Run /init as init process" on, and the exit statuses, must be equal.
      (The boot log before that line names machine-specific things: the
      TSC frequency, CPU features.)
  guest_test.py oops --machine emu|qemu --kernel K [--emu EMU]
      Boots with `crash`: the kernel must print a decoded oops with a
      symbolic backtrace and end through isa-debug-exit with 0x7f (255).
  guest_test.py explain --machine emu|qemu --kernel K [--emu EMU]
      Boots with `selftest pfexplain`: the page-fault handler must explain
      the demand-zero and copy-on-write faults of the cow demonstration.
  guest_test.py failure --machine emu|qemu --kernel K [--emu EMU]
      Boots with `selftest hello nosuch segv`: init runs just those three;
      `nosuch` is no program, so its child exits 127 and the self-test must
      report "2 of 3 passed" and end through isa-debug-exit with the number
      of failures, 1: exit status (1 << 1) | 1 = 3.
  guest_test.py session --machine emu|qemu --kernel K [--emu EMU] --script IN --golden OUT
      Types IN into the shell through stdin (printk.time=0) and compares the
      transcript from "Run /init" on with OUT (the same file for both
      machines). EMU_REBASE=1 rewrites OUT from emu's.

QEMU runs as qemu-system-x86_64 -kernel K -serial stdio -display none
-device isa-debug-exit,iobase=0xf4,iosize=4 -no-reboot -icount
shift=0,align=off,sleep=off: with -icount its guest time follows the
instructions it executes, as emu's virtual clock does, instead of the host's
clock -- so a loaded host cannot make a 10 ms sleeper oversleep a 10 s one
or race `ps` against init's wait4 (the kernel calibrates its TSC at 1 GHz
on both machines). Exit status 77 (skipped) when a QEMU test finds no
qemu-system-x86_64.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

TIMEOUT = 240
SKIP = 77
INIT_LINE = b"Run /init as init process"
STATUS_PANIC = 255


def qemu_cmd(kernel, append):
    qemu = shutil.which("qemu-system-x86_64")
    if not qemu:
        return None
    return [qemu, "-m", "128M", "-kernel", kernel, "-serial", "stdio",
            "-display", "none", "-no-reboot",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
            "-icount", "shift=0,align=off,sleep=off", "-append", append]


def emu_cmd(emu, kernel, append):
    return [emu, "run", "-m", "128M", "--append", append, kernel]


def boot(cmd, stdin=None):
    """Returns (status, serial output with CRLF as LF, stderr)."""
    try:
        p = subprocess.run(cmd, input=stdin, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=TIMEOUT)
    except subprocess.TimeoutExpired as e:
        return None, (e.stdout or b"").replace(b"\r\n", b"\n"), b"timeout"
    return p.returncode, p.stdout.replace(b"\r\n", b"\n"), p.stderr


def after_boot_log(out):
    at = out.find(INIT_LINE)
    return out[at:] if at >= 0 else None


def command(a, append):
    if a.machine == "qemu":
        return qemu_cmd(a.kernel, append)
    return emu_cmd(a.emu, a.kernel, append)


def fail(msg, out=b"", err=b""):
    print("FAIL: " + msg, file=sys.stderr)
    if out:
        print("--- serial output ---\n" + out.decode(errors="replace"), file=sys.stderr)
    if err:
        print("--- stderr ---\n" + err.decode(errors="replace"), file=sys.stderr)
    return 1


def test_selftest(a):
    cmd = command(a, "selftest")
    if cmd is None:
        print("SKIP: qemu-system-x86_64 is not installed", file=sys.stderr)
        return SKIP
    status, out, err = boot(cmd)
    m = re.search(rb"selftest: (\d+) of (\d+) passed", out)
    if status != 0 or not m or m.group(1) != m.group(2):
        return fail(f"{a.machine}: status {status}, summary {m.group(0) if m else None}", out, err)
    sys.stdout.write(out.decode(errors="replace"))
    return 0


def first_difference(a, b, names=("qemu", "emu")):
    for i, (x, y) in enumerate(zip(a.split(b"\n"), b.split(b"\n"))):
        if x != y:
            return f"line {i + 1}:\n  {names[0]}: {x!r}\n  {names[1]}: {y!r}"
    return f"one is a prefix of the other ({len(a)} vs {len(b)} bytes)"


def test_compare(a):
    qemu = qemu_cmd(a.kernel, "selftest printk.time=0")
    if qemu is None:
        print("SKIP: qemu-system-x86_64 is not installed", file=sys.stderr)
        return SKIP
    qs, qout, qerr = boot(qemu)
    es, eout, eerr = boot(emu_cmd(a.emu, a.kernel, "selftest printk.time=0"))
    qpart, epart = after_boot_log(qout), after_boot_log(eout)
    if qs != 0 or qpart is None:
        return fail(f"qemu: status {qs}, the self-test did not pass there", qout, qerr)
    if epart != qpart or es != qs:
        why = first_difference(qpart, epart or b"") if epart != qpart else "statuses differ"
        print("--- qemu ---\n" + qout.decode(errors="replace"), file=sys.stderr)
        return fail(f"qemu status {qs}, emu status {es}; transcripts: {why}", eout, eerr)
    sys.stdout.write(epart.decode(errors="replace"))
    return 0


def test_oops(a):
    cmd = command(a, "crash")
    if cmd is None:
        print("SKIP: qemu-system-x86_64 is not installed", file=sys.stderr)
        return SKIP
    status, out, err = boot(cmd)
    wanted = [b"Oops: page fault (vector 14), error code 0x2",
              b"BUG: unable to handle page fault for address: 0000000000000000",
              b"#PF: write of a not-present page in kernel mode",
              b"crash_on_purpose+0x", b"Call Trace:", b"] kmain+0x",
              b"Kernel panic - not syncing: Fatal exception"]
    missing = [w.decode() for w in wanted if w not in out]
    if status != STATUS_PANIC or missing:
        return fail(f"{a.machine}: status {status} (want {STATUS_PANIC}), missing {missing}",
                    out, err)
    sys.stdout.write(out.decode(errors="replace"))
    return 0


def test_explain(a):
    cmd = command(a, "selftest pfexplain")
    if cmd is None:
        print("SKIP: qemu-system-x86_64 is not installed", file=sys.stderr)
        return SKIP
    status, out, err = boot(cmd)
    wanted = [rb"pf: cow\[\d+\] write to 0x[0-9a-f]+ \(not present, user mode\) in heap "
              rb"\[0x[0-9a-f]+-0x[0-9a-f]+\]: mapped a zeroed page, frame 0x[0-9a-f]+",
              rb"pf: cow\[\d+\] write to 0x[0-9a-f]+ \(protection, user mode\) in heap "
              rb"\[0x[0-9a-f]+-0x[0-9a-f]+\]: copy-on-write: copied the shared frame",
              rb"pf: \w+\[\d+\] write to 0x7fff[0-9a-f]+ \(protection, user mode\) in stack "
              rb"\[0x7fffff7ff000-0x7ffffffff000\]: copy-on-write"]
    missing = [w.decode() for w in wanted if not re.search(w, out)]
    if status != 0 or missing:
        return fail(f"{a.machine}: status {status}, no line matches {missing}", out, err)
    sys.stdout.write(out.decode(errors="replace"))
    return 0


STATUS_ONE_FAILURE = (1 << 1) | 1  # isa-debug-exit: init exited with status 1


def test_failure(a):
    cmd = command(a, "selftest hello nosuch segv")
    if cmd is None:
        print("SKIP: qemu-system-x86_64 is not installed", file=sys.stderr)
        return SKIP
    status, out, err = boot(cmd)
    wanted = [b"selftest: running 3 demonstrations",
              b"selftest: hello: exited with status 0: ok",
              b"selftest: nosuch: exited with status 127: FAILED",
              b"selftest: segv: killed by SIGSEGV: ok, as expected",
              b"selftest: 2 of 3 passed"]
    missing = [w.decode() for w in wanted if w not in out]
    if status != STATUS_ONE_FAILURE or missing or b"reboot: Power down" in out:
        return fail(f"{a.machine}: status {status} (want {STATUS_ONE_FAILURE}), "
                    f"missing {missing}", out, err)
    sys.stdout.write(out.decode(errors="replace"))
    return 0


def test_session(a):
    with open(a.script, "rb") as f:
        script = f.read()
    cmd = command(a, "printk.time=0")
    if cmd is None:
        print("SKIP: qemu-system-x86_64 is not installed", file=sys.stderr)
        return SKIP
    status, out, err = boot(cmd, stdin=script)
    part = after_boot_log(out)
    if status != 0 or part is None:
        return fail(f"{a.machine}: status {status} (want 0, from poweroff)", out, err)
    if os.environ.get("EMU_REBASE") == "1" and a.machine == "emu":
        with open(a.golden, "wb") as f:
            f.write(part)
        print(f"rebased {a.golden}")
        return 0
    try:
        with open(a.golden, "rb") as f:
            golden = f.read()
    except OSError as e:
        return fail(f"cannot read {a.golden}: {e} (EMU_REBASE=1 creates it)")
    if part != golden:
        return fail("transcript differs from " + a.golden + ", " +
                    first_difference(golden, part, ("want", " got")), part)
    sys.stdout.write(part.decode(errors="replace"))
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("test", choices=["selftest", "compare", "oops", "explain", "session",
                                     "failure"])
    ap.add_argument("--machine", choices=["emu", "qemu"], default="emu")
    ap.add_argument("--emu")
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--script")
    ap.add_argument("--golden")
    a = ap.parse_args()
    tests = {"selftest": test_selftest, "compare": test_compare, "oops": test_oops,
             "explain": test_explain, "session": test_session, "failure": test_failure}
    return tests[a.test](a)


if __name__ == "__main__":
    sys.exit(main())
