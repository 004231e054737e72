#!/usr/bin/env python3
"""Checks what `emu repl` says each step did against QEMU, an independent machine.

  qemu_oracle.py --emu EMU --kernel K --steps N [--at ADDR] [--pt EXPR]... [--append ARGS]

Runs `emu repl --batch` on K: (with --at: `break *ADDR`, `continue`, so at
the first time execution reaches ADDR) `info registers`, `info cr`, then
`step N`, and parses every step report: the instruction's address and bytes,
each register shown as `old -> new`, each memory write `[addr] old -> new`.

Then boots K on qemu-system-x86_64 (its default machine, as emu; -icount so its clock follows
instructions, halted with -S) and drives it through its gdbstub (the GDB
remote protocol over a Unix socket): a breakpoint at the Multiboot entry
point (or ADDR), continue, and one single step per report. Before the
first step it notes the registers whose values differ between the two
(the Multiboot contract leaves most general registers and some flags
undefined at the entry, and the two loaders leave different values): such
a register is compared from the first step after which the two agree on
it, and one that emu reports as written must come to agree. For every step
it requires:

  - QEMU is at the address emu reports, with the same instruction bytes;
  - every register emu reports as changed has that old value before and that
    new value after the step on QEMU, and every register emu does not
    mention is unchanged on QEMU: the general registers, RFLAGS, the six
    segment selectors, FS/GS base, IA32_KERNEL_GS_BASE, CR0, CR2, CR3, CR4
    and EFER (in 32-bit code QEMU's gdbstub shows the general registers'
    low halves only: those are compared);
  - every memory write emu reports holds the old bytes on QEMU before the
    step and the new bytes after it;
  - the next report's address is where QEMU went.

A REP-prefixed string instruction runs in chunks in emu (a step reports one
chunk; "REP paused" says more is left); QEMU single-steps one iteration, so
there the oracle steps QEMU until RCX matches, or runs it to the next
instruction. QEMU's single step masks interrupts, so the
stretches checked here are ones in which none is taken, and none reads the
TSC (the two machines' TSCs differ). Where QEMU 7.2's TCG departs from the
SDM, emu follows the SDM and the oracle allows exactly that departure:

  - SYSCALL: QEMU clears the status flags (CF PF AF ZF SF OF) as well, where
    the SDM says RFLAGS <- RFLAGS AND NOT(IA32_FMASK); RFLAGS is compared
    without them for that step and again from when the two agree;
  - a far JMP or CALL that loads CS: QEMU does not set the descriptor's
    accessed bit (SDM 3.4.5.1: the processor sets it when it loads a
    segment register); that one write (type byte old -> old | 1, by the
    CPU itself) may be missing on QEMU.

With --pt, before the steps emu's `pt EXPR` is checked the same way: the
value it shows for each level's entry must be what QEMU's memory holds at
that physical address (monitor command `xp`), and the physical address it
ends at must be QEMU's (`gva2gpa`), or both must find no translation.

Exit status 77 (skipped) without qemu-system-x86_64.
"""
import argparse
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

SKIP = 77
GPRS = ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"]
SEGS = ["cs", "ss", "ds", "es", "fs", "gs"]
# QEMU's x86-64 'g' packet (gdb-xml/i386-64bit.xml): 16 GPRs, rip (8 bytes),
# eflags (4), six selectors (4 each), fs_base gs_base k_gs_base, cr0 cr2 cr3
# cr4 cr8 efer (8 each), then the x87/SSE state, which is not compared.
CTL = ["fs.base", "gs.base", "IA32_KERNEL_GS_BASE", "cr0", "cr2", "cr3", "cr4", "cr8", "efer"]
COMPARED = GPRS + ["rflags"] + SEGS + ["fs.base", "gs.base", "IA32_KERNEL_GS_BASE",
                                       "cr0", "cr2", "cr3", "cr4", "efer"]
MASK32 = 0xffffffff
STATUS_FLAGS = 0x8d5  # CF PF AF ZF SF OF
SYSCALL = b"\x0f\x05"
FAR_JMP_CALL = (0xea, 0x9a, 0xff)  # ptr16:32 forms, and FF /3 /5 (m16:32/64)
DESC_ACCESSED = 1
STRING_OPS = {0xa4, 0xa5, 0xa6, 0xa7, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0x6c, 0x6d, 0x6e, 0x6f}
REP_PREFIXES = {0xf2, 0xf3}
OTHER_PREFIXES = {0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0}


class GdbRemote:
    """The GDB remote serial protocol, just enough to drive QEMU's gdbstub."""

    def __init__(self, path, timeout=60):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.settimeout(timeout)
        for _ in range(200):
            try:
                self.sock.connect(path)
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError("cannot connect to QEMU's gdbstub at " + path)
        self.buf = b""

    def recv(self):
        while True:
            i = self.buf.find(b"$")
            j = self.buf.find(b"#", i)
            if i >= 0 and j >= 0 and len(self.buf) >= j + 3:
                pkt, self.buf = self.buf[i + 1:j], self.buf[j + 3:]
                self.sock.sendall(b"+")
                return pkt.decode()
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("QEMU closed the gdbstub connection")
            self.buf += data

    def cmd(self, text):
        p = text.encode()
        self.sock.sendall(b"$" + p + b"#%02x" % (sum(p) & 0xff))
        return self.recv()

    def regs(self):
        raw = bytes.fromhex(self.cmd("g"))
        r = dict(zip(GPRS, struct.unpack_from("<16Q", raw, 0)))
        r["rip"], = struct.unpack_from("<Q", raw, 128)
        r["rflags"], = struct.unpack_from("<I", raw, 136)
        r.update(zip(SEGS, struct.unpack_from("<6I", raw, 140)))
        r.update(zip(CTL, struct.unpack_from("<9Q", raw, 164)))
        return r

    def mem(self, addr, size):
        reply = self.cmd("m%x,%x" % (addr, size))
        if reply.startswith("E"):
            return None
        return int.from_bytes(bytes.fromhex(reply), "little")

    def monitor(self, command):
        """A QEMU monitor command through the gdbstub (qRcmd): its output."""
        reply, out = self.cmd("qRcmd," + command.encode().hex()), ""
        while reply.startswith("O") and reply != "OK":
            out += bytes.fromhex(reply[1:]).decode(errors="replace")
            reply = self.recv()
        return out

    def run_to(self, addr):
        if self.cmd("Z0,%x,1" % addr) != "OK":
            raise RuntimeError("gdbstub: cannot set a breakpoint at %#x" % addr)
        stop = self.cmd("c")
        self.cmd("z0,%x,1" % addr)
        return stop


def hexnum(s):
    return int(s, 16)


STEP_HEAD = re.compile(r"^\[(\d+)\] (0x[0-9a-f]+)")
BYTES = re.compile(r"^    ((?:[0-9a-f]{2} )+) ")
REG = re.compile(r"^    (\S+)\s+0x([0-9a-f]+) -> 0x([0-9a-f]+)")
SEG_BASE = re.compile(r"^    ([cdefgs]s)\s+0x[0-9a-f]+ -> 0x[0-9a-f]+  \(base (0x[0-9a-f]+|0)")
MEM1 = re.compile(r"^    mem     \[(0x[0-9a-f]+)\] (\d+) bytes? 0x([0-9a-f]+) -> 0x([0-9a-f]+)"
                  r"(  \(by the CPU itself\))?")
MEMN = re.compile(r"^    mem     \[(0x[0-9a-f]+), 0x[0-9a-f]+\) (\d+) writes of (\d+) bytes, "
                  r"the first 0x([0-9a-f]+) -> 0x([0-9a-f]+)")


def parse_steps(text):
    """The step reports after the `step N` command: address, bytes, changes."""
    steps, cur = [], None
    for line in text[text.index("(emu) step "):].splitlines()[1:]:
        m = STEP_HEAD.match(line)
        if m:
            cur = {"addr": hexnum(m.group(2)), "bytes": None, "regs": {}, "mem": [],
                   "bases": {}, "words": [], "implicit": []}
            steps.append(cur)
            continue
        if cur is None:
            continue
        if cur["bytes"] is None and BYTES.match(line):
            cur["bytes"] = bytes.fromhex(BYTES.match(line).group(1).replace(" ", ""))
        elif MEM1.match(line):
            a, n, old, new, implicit = MEM1.match(line).groups()
            cur["mem"].append((hexnum(a), int(n), hexnum(old), hexnum(new), 1))
            if implicit:
                cur["implicit"].append(hexnum(a))
        elif MEMN.match(line):
            a, count, n, old, new = MEMN.match(line).groups()
            cur["mem"].append((hexnum(a), int(n), hexnum(old), hexnum(new), int(count)))
        elif line.startswith("    =>"):
            cur["words"].append(line.strip())
        elif REG.match(line):
            name, old, new = REG.match(line).groups()
            cur["regs"][name] = (hexnum(old), hexnum(new))
            if SEG_BASE.match(line):
                base = SEG_BASE.match(line).group(2)
                cur["bases"][name] = int(base, 16) if base != "0" else 0
    return steps


PT_HEAD = re.compile(r"^(?:\d-level|\w+) paging of linear (0x[0-9a-f]+)")
PT_ENTRY = re.compile(r"^  (\w+)\s*\[\s*\d+\] at (0x[0-9a-f]+) = (0x[0-9a-f]+)")
PT_PHYS = re.compile(r"^  => physical (0x[0-9a-f]+)")


def parse_walks(text):
    """Each `pt` answer: the linear address, [(level, entry address, value)],
    and the physical address (None: no translation)."""
    walks, cur = [], None
    for line in text.splitlines():
        if line.startswith("(emu) "):
            cur = None
        m = PT_HEAD.match(line)
        if m:
            cur = {"linear": hexnum(m.group(1)), "entries": [], "phys": None}
            walks.append(cur)
        elif cur is not None and PT_ENTRY.match(line):
            level, at, value = PT_ENTRY.match(line).groups()
            cur["entries"].append((level, hexnum(at), hexnum(value)))
        elif cur is not None and PT_PHYS.match(line):
            cur["phys"] = hexnum(PT_PHYS.match(line).group(1))
    return walks


def show(x):
    return "none" if x is None else f"{x:#x}"


def check_walks(gdb, walks, errors):
    for w in walks:
        where = f"pt {w['linear']:#x}"
        for level, at, value in w["entries"]:
            m = re.search(r":\s*(0x[0-9a-f]+)", gdb.monitor(f"xp /gx {at:#x}"))
            got = hexnum(m.group(1)) if m else None
            if got != value:
                errors.append(f"{where}: the {level} at {at:#x} is {show(got)} on QEMU, emu shows "
                              f"{value:#x}")
        m = re.search(r"gpa: (0x[0-9a-f]+)", gdb.monitor(f"gva2gpa {w['linear']:#x}"))
        got = hexnum(m.group(1)) if m else None
        if got != w["phys"]:
            errors.append(f"{where}: QEMU translates it to {show(got)}, emu to {show(w['phys'])}")
        if not w["entries"]:
            errors.append(f"{where}: emu showed no page-table entries")


def parse_initial(text):
    """Registers from `info registers` and `info cr` before the steps."""
    regs = {}
    for name, value in re.findall(r"\b(r[a-z0-9]+|rip)\s+0x([0-9a-f]{16})", text):
        regs.setdefault(name, hexnum(value))
    m = re.search(r"^rflags (0x[0-9a-f]+)", text, re.M)
    regs["rflags"] = hexnum(m.group(1))
    for seg, value in re.findall(r"\b([cdefgs]s) (0x[0-9a-f]{4})\b", text):
        regs.setdefault(seg, hexnum(value))
    for name, value in re.findall(r"^(cr[0234]|efer)\s+0x([0-9a-f]+)", text, re.M):
        regs[name] = hexnum(value)
    return regs


def run_emu(args):
    script = ""
    if args.at is not None:
        script += "break *%#x\ncontinue\ndelete\n" % args.at
    script += "".join("pt %s\n" % e for e in args.pt)
    script += "info registers\ninfo cr\n"
    if args.steps:
        script += "step %d\n" % args.steps
    cmd = [args.emu, "repl", "--batch", "-m", "128M"]
    if args.append:
        cmd += ["--append", args.append]
    p = subprocess.run(cmd + [args.kernel], input=script.encode(), capture_output=True,
                       timeout=600)
    return p.stdout.decode(errors="replace")


def start_qemu(args, tmp):
    sock = os.path.join(tmp, "gdb.sock")
    cmd = ["qemu-system-x86_64", "-m", "128M", "-kernel", args.kernel,
           "-display", "none", "-serial", "null", "-no-reboot", "-S",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
           "-icount", "shift=0,align=off,sleep=off",
           "-chardev", f"socket,id=gdb,path={sock},server=on,wait=off", "-gdb", "chardev:gdb"]
    if args.append:
        cmd += ["-append", args.append]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE), sock


def entry_point(kernel):
    """The Multiboot entry: the a.out-kludge entry_addr, else the ELF entry."""
    with open(kernel, "rb") as f:
        head = f.read(8192)
    for off in range(0, len(head) - 32, 4):
        magic, flags, check = struct.unpack_from("<3I", head, off)
        if magic == 0x1BADB002 and (magic + flags + check) & MASK32 == 0:
            if flags & (1 << 16):
                return struct.unpack_from("<I", head, off + 28)[0]
            break
    is64 = head[4] == 2
    return struct.unpack_from("<Q" if is64 else "<I", head, 24)[0]


def is_rep_string(code):
    i = 0
    rep = False
    while i < len(code) and (code[i] in REP_PREFIXES or code[i] in OTHER_PREFIXES):
        rep |= code[i] in REP_PREFIXES
        i += 1
    if i < len(code) and 0x40 <= code[i] <= 0x4f:  # REX
        i += 1
    return rep and i < len(code) and code[i] in STRING_OPS


class Checker:
    def __init__(self, gdb, emu_state, unsynced):
        self.gdb, self.emu, self.errors, self.mode64 = gdb, emu_state, [], False
        self.unsynced = unsynced  # registers whose QEMU value has not yet agreed
        self.written = set()      # registers emu reported as written
        self.rep_before = None    # emu's registers before a REP paused in chunks

    def fail(self, n, step, what):
        self.errors.append(f"step {n} at {step['addr']:#x} ({step['bytes'].hex(' ')}): {what}")

    def value(self, name, regs):
        v = regs[name]
        return v & MASK32 if name in GPRS and not self.mode64 else v

    def execute(self, step):
        """Runs QEMU through what emu's step did."""
        if is_rep_string(step["bytes"]):
            self.gdb.run_to(step["addr"] + len(step["bytes"]))
        else:
            self.gdb.cmd("s")

    def check_step(self, n, step, next_addr):
        before = self.gdb.regs()
        if before["rip"] != step["addr"]:
            self.fail(n, step, f"QEMU is at {before['rip']:#x}")
            return False
        code = self.gdb.mem(step["addr"], len(step["bytes"]))
        if code != int.from_bytes(step["bytes"], "little"):
            self.fail(n, step, f"QEMU's bytes there are {code:#x}")
        for addr, size, old, _, _ in step["mem"]:
            got = self.gdb.mem(addr, size)
            if got != old:
                self.fail(n, step, f"[{addr:#x}] holds {got:#x} on QEMU before the step, "
                                   f"emu says {old:#x}")
        if next_addr == step["addr"] and is_rep_string(step["bytes"]):
            self.rep_paused(step)  # checked when the instruction completes
            return True
        self.execute(step)
        after = self.gdb.regs()
        self.compare_regs(n, step, before, after)
        self.rep_before = None
        for addr, size, old, new, count in step["mem"]:
            last = addr + (count - 1) * size
            got = self.gdb.mem(addr, size)
            if got == old and qemu_skips_accessed_bit(step, addr, size, old, new):
                continue
            if got != new:
                self.fail(n, step, f"[{addr:#x}] holds {got:#x} on QEMU after the step, "
                                   f"emu says {new:#x}")
            if count > 1 and self.gdb.mem(last, size) != new:
                self.fail(n, step, f"the last of {count} writes, [{last:#x}], differs on QEMU")
        if next_addr is not None and after["rip"] != next_addr:
            self.fail(n, step, f"QEMU went to {after['rip']:#x}, emu to {next_addr:#x}")
        return True

    def rep_paused(self, step):
        """One chunk of a REP instruction that goes on in the next step: its
        register values are checked against QEMU's when the last chunk is."""
        if self.rep_before is None:
            self.rep_before = {name: self.emu[name] for name in COMPARED}
        for name, (_, new) in step["regs"].items():
            self.emu[name] = new
            self.written.add(name)

    def compare_regs(self, n, step, before, after):
        if step["bytes"].endswith(SYSCALL) and "rflags" not in self.unsynced:
            old, new = step["regs"].get("rflags", (self.emu["rflags"],) * 2)
            if (new ^ after["rflags"]) & ~STATUS_FLAGS == 0:
                self.unsynced.add("rflags")
        if self.rep_before is not None:  # compare the whole instruction's effect
            for name, (_, new) in step["regs"].items():
                step["regs"][name] = (self.rep_before[name], new)
            for name in COMPARED:
                if name not in step["regs"] and self.emu[name] != self.rep_before[name]:
                    step["regs"][name] = (self.rep_before[name], self.emu[name])
        if any("-> 64-bit mode" in w for w in step["words"]):
            self.mode64 = True
        for seg, base in step["bases"].items():  # a segment line shows the new base
            if seg in ("fs", "gs"):
                step["regs"].setdefault(seg + ".base", (self.emu[seg + ".base"], base))
        for name in COMPARED:
            old, new = step["regs"].get(name, (self.emu[name], self.emu[name]))
            if name in GPRS and not self.mode64:
                old, new = old & MASK32, new & MASK32
            self.emu[name] = new
            if name in step["regs"]:
                self.written.add(name)
            if name in self.unsynced:
                if new == self.value(name, after):
                    self.unsynced.discard(name)
                continue
            if name in step["regs"] and old != self.value(name, before):
                self.fail(n, step, f"{name} was {self.value(name, before):#x} on QEMU, "
                                   f"emu says {old:#x}")
            if new != self.value(name, after):
                said = "changed it to" if name in step["regs"] else "left it at"
                self.fail(n, step, f"{name} is {self.value(name, after):#x} on QEMU after the "
                                   f"step; emu {said} {new:#x}")
                self.emu[name] = self.value(name, after)  # report each difference once

    def finish(self):
        for name in sorted(self.unsynced & self.written):
            self.errors.append(f"{name}: emu reported writes to it, but it never agreed "
                               f"with QEMU's")


def qemu_skips_accessed_bit(step, addr, size, old, new):
    """QEMU 7.2 does not set a code descriptor's accessed bit on a far JMP or
    CALL (the SDM does)."""
    code = step["bytes"].lstrip(bytes([0x66, 0x48]))
    return (addr in step["implicit"] and size == 1 and new == old | DESC_ACCESSED
            and code[:1] and code[0] in FAR_JMP_CALL)


def initial_state(gdb, initial):
    """emu's state at the first step, completed with QEMU's for what emu's
    `info registers`/`info cr` do not show; and the registers that differ."""
    q = gdb.regs()
    state = dict(initial)
    for name in ("fs.base", "gs.base", "IA32_KERNEL_GS_BASE"):
        state[name] = q[name]
    state.setdefault("cr2", q["cr2"])
    unsynced = {name for name in COMPARED if (q[name] & MASK32 if name in GPRS else q[name])
                != (state[name] & MASK32 if name in GPRS else state[name])}
    return state, unsynced


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--emu", required=True)
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--steps", type=int, required=True)
    ap.add_argument("--at", type=lambda s: int(s, 0))
    ap.add_argument("--pt", action="append", default=[])
    ap.add_argument("--append", default="")
    args = ap.parse_args()
    if not shutil.which("qemu-system-x86_64"):
        print("SKIP: qemu-system-x86_64 is not installed", file=sys.stderr)
        return SKIP
    text = run_emu(args)
    steps = parse_steps(text) if args.steps else []
    walks = parse_walks(text)
    if len(walks) != len(args.pt):
        print(text)
        print(f"FAIL: emu answered {len(walks)} of {len(args.pt)} pt commands")
        return 1
    if len(steps) != args.steps or any(s["bytes"] is None for s in steps):
        print(text)
        print(f"FAIL: emu printed {len(steps)} step reports, {args.steps} asked for")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        qemu, sock = start_qemu(args, tmp)
        try:
            gdb = GdbRemote(sock)
            gdb.run_to(args.at if args.at is not None else entry_point(args.kernel))
            check = Checker(gdb, *initial_state(gdb, parse_initial(text)))
            check_walks(gdb, walks, check.errors)
            for i, step in enumerate(steps):
                nxt = steps[i + 1]["addr"] if i + 1 < len(steps) else None
                if not check.check_step(i + 1, step, nxt):
                    break
            check.finish()
            errors = check.errors
        finally:
            qemu.kill()
            qemu.wait()
    for e in errors[:40]:
        print("FAIL:", e)
    if errors:
        return 1
    print(f"{len(walks)} page walks and {len(steps)} steps of emu repl agree with QEMU: "
          f"entries and physical addresses; registers, flags, selectors, bases, control "
          f"registers and memory writes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
