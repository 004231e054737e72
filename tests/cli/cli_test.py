#!/usr/bin/env python3
"""The emu command line against its documented contract: bad input gets one
line on stderr naming the problem and exit status 2; good input works.

  cli_test.py EMU HELLO_KERNEL
"""
import os
import struct
import subprocess
import sys
import tempfile

FAILURES = []


def run(args, stdin=b"", env=None):
    p = subprocess.run(args, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=60, env=env)
    return p.returncode, p.stdout, p.stderr


def expect_error(emu, args, fragment, env=None):
    status, out, err = run([emu] + args, env=env)
    lines = err.decode(errors="replace").splitlines()
    name = " ".join(args) or "(no arguments)"
    if status != 2:
        FAILURES.append(f"{name}: exit status {status}, expected 2")
    if len(lines) != 1 or not lines[0].startswith("emu: "):
        FAILURES.append(f"{name}: expected one 'emu: ...' line on stderr, got {lines!r}")
    elif fragment not in lines[0]:
        FAILURES.append(f"{name}: {lines[0]!r} does not mention {fragment!r}")
    if out:
        FAILURES.append(f"{name}: unexpected stdout {out!r}")


def stuck_kernel():
    """An a.out-kludge Multiboot kernel whose #UD handler is a UD2: on a real
    CPU it takes #UD after #UD forever without completing an instruction."""
    load, entry = 0x100000, 0x100020
    ud2_at = entry + 19  # right after the three instructions below
    gdt_at = entry + 24
    idt_at = gdt_at + 16
    gdtr_at, idtr_at = idt_at + 7 * 8, idt_at + 7 * 8 + 6
    code = b"\xbc" + struct.pack("<I", load)                 # mov $0x100000, %esp
    code += b"\x0f\x01\x15" + struct.pack("<I", gdtr_at)     # lgdt gdtr
    code += b"\x0f\x01\x1d" + struct.pack("<I", idtr_at)     # lidt idtr
    code += b"\x0f\x0b" + bytes(3)                           # ud2 (also the handler)
    code += struct.pack("<QQ", 0, 0x00CF9A000000FFFF)        # null, flat 32-bit code 0x08
    gate = struct.pack("<HHBBH", ud2_at & 0xFFFF, 0x08, 0, 0x8E, ud2_at >> 16)
    code += bytes(6 * 8) + gate                              # IDT: vectors 0-6
    code += struct.pack("<HI", 2 * 8 - 1, gdt_at) + struct.pack("<HI", 7 * 8 - 1, idt_at)
    magic, flags = 0x1BADB002, 0x10000
    header = struct.pack("<IIIIIIII", magic, flags, -(magic + flags) & 0xFFFFFFFF,
                         load, load, 0, 0, entry)
    return header + code

def main() -> int:
    emu, hello = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        junk = os.path.join(tmp, "junk.bin")
        with open(junk, "wb") as f:
            f.write(bytes(range(256)) * 16)
        empty = os.path.join(tmp, "empty")
        open(empty, "wb").close()
        truncated = os.path.join(tmp, "truncated.elf")
        with open(hello, "rb") as f, open(truncated, "wb") as g:
            g.write(f.read()[:300])
        expect_error(emu, ["run", "/nonexistent/kernel.elf"], "cannot read '/nonexistent")
        expect_error(emu, ["run", tmp], "cannot read")
        expect_error(emu, ["run", junk], "not an ELF file")
        expect_error(emu, ["run", empty], "not an ELF file")
        expect_error(emu, ["run", truncated], "Multiboot header")
        expect_error(emu, ["run", "-m", "lots", hello], "invalid memory size 'lots'")
        expect_error(emu, ["run", "-m", "1K", hello], "cannot boot")
        expect_error(emu, ["run", "-m", "0", hello], "invalid memory size '0'")
        expect_error(emu, ["run", "-m", "99999999999T", hello], "invalid memory size")
        expect_error(emu, ["run", "--max-insns", "0", hello], "--max-insns")
        expect_error(emu, ["run", "--max-insns", "12x", hello], "--max-insns")
        expect_error(emu, ["run", "--bogus", hello], "unknown option '--bogus'")
        expect_error(emu, ["run", "--append"], "needs a value")
        expect_error(emu, ["run", hello, hello], "unexpected argument")
        expect_error(emu, ["run", "--module", ",args", hello], "invalid --module")
        expect_error(emu, ["run", "--module", "/nonexistent/mod", hello], "cannot boot")
        expect_error(emu, ["frobnicate"], "unknown command 'frobnicate'")
        expect_error(emu, ["run", "--display", "bogus", hello], "invalid --display 'bogus'")
        expect_error(emu, ["run", "-M", "isapc", hello], "invalid --machine 'isapc'")
        expect_error(emu, ["run", "--machine"], "needs a value")
        # No X server to be had: one line (built without SDL2: one line too).
        no_x = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
        no_x["SDL_VIDEODRIVER"] = "x11"
        expect_error(emu, ["run", "--display", "sdl", hello], "--display sdl: ", env=no_x)
        # Files that never end or never open must not hang emu (tests/fuzz found these).
        fifo = os.path.join(tmp, "fifo")
        os.mkfifo(fifo)
        expect_error(emu, ["run", "/dev/zero"], "cannot read '/dev/zero': File too large")
        expect_error(emu, ["run", fifo], "not an ELF file")
        expect_error(emu, ["run", "--module", "/dev/zero", hello], "does not fit in guest RAM")
        expect_error(emu, ["run", "--module", tmp, hello], "cannot boot")
        expect_error(emu, ["run", "--serial", fifo, hello], "a FIFO with no reader")
        expect_error(emu, ["trace", "-o", fifo, hello], "a FIFO with no reader")
        expect_error(emu, ["repl", "-x", tmp, hello], "Is a directory")
        status, _, err = run([emu, "repl", "--batch", "-x", fifo, hello])
        if status != 0 or err:
            FAILURES.append(f"repl -x FIFO (no writer: an empty script): {status}, {err!r}")
        stuck = os.path.join(tmp, "stuck.elf")
        with open(stuck, "wb") as f:
            f.write(stuck_kernel())
        status, out, err = run([emu, "run", "--max-insns", "1000", stuck])
        lines = err.decode(errors="replace").splitlines()
        if status != 8 or not lines or not lines[0].startswith("emu: the CPU is stuck"):
            FAILURES.append(f"#UD handler that is a UD2: status {status}, {lines[:3]!r}")
        status, out, _ = run([emu, "run", "--module", fifo, hello])
        if status != 0 or not out.startswith(b"Hello"):
            FAILURES.append(f"run --module FIFO (no writer: an empty module): status {status}")

    status, out, err = run([emu, "--version"])
    if status != 0 or not out.startswith(b"emu "):
        FAILURES.append(f"--version: status {status}, stdout {out!r}")
    status, out, _ = run([emu, "--help"])
    if status != 0 or b"usage: emu" not in out:
        FAILURES.append(f"--help: status {status}")
    status, out, _ = run([emu, "run", "--help"])
    if status != 0 or b"--max-insns" not in out:
        FAILURES.append(f"run --help: status {status}")
    status, out, err = run([emu, "run", hello])
    if status != 0 or out != b"Hello from 64-bit long mode on emu!\n" or err:
        FAILURES.append(f"run hello: status {status}, stdout {out!r}, stderr {err!r}")
    status, out, err = run([emu, "run", "--max-insns", "10", hello])
    if status != 6 or b"stopped after 10 instructions" not in err:
        FAILURES.append(f"--max-insns 10: status {status}, stderr {err!r}")

    for f in FAILURES:
        print("FAIL:", f)
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
