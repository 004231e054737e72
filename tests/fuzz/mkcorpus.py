#!/usr/bin/env python3
"""Seeds for the loader fuzz target (loader_target.c): Multiboot kernels as
ELF32, ELF64 (also higher-half, with bss, with extended program-header
numbering) and a.out-kludge images, with and without modules, plus the
kernels the build made. Each seed is framed as the target reads it: a
frame byte (module count, command-line bit), the modules, the image.
Seeds named ok-* are valid Multiboot kernels the loader must accept.

  mkcorpus.py STAMP [KERNEL...]    writes the seeds to STAMP's dir/loader_corpus/
"""
import os
import struct
import sys

MB_MAGIC = 0x1BADB002
LOAD = 0x100000
HDR_OFF = 0x1000
# mov dx, 0x3f8; mov al, 'k'; out dx, al; xor eax, eax; out 0xf4, al; hlt
CODE = bytes([0x66, 0xBA, 0xF8, 0x03, 0xB0, 0x6B, 0xEE, 0x31, 0xC0, 0xE6, 0xF4, 0xF4])


def mb_header(flags=0, kludge=None):
    h = struct.pack("<III", MB_MAGIC, flags, (-(MB_MAGIC + flags)) & 0xFFFFFFFF)
    if kludge:
        h += struct.pack("<IIIII", *kludge)
    return h


def elf32(entry, segs, phnum=None, machine=3):
    """segs: (offset, vaddr, paddr, filesz, memsz) tuples; data at HDR_OFF."""
    n = len(segs)
    shoff = 0
    hdr = b"\x7fELF" + bytes([1, 1, 1]) + bytes(9)
    hdr += struct.pack("<HHIIIIIHHHHHH", 2, machine, 1, entry, 52, shoff, 0, 52, 32,
                       phnum if phnum is not None else n, 40, 0, 0)
    ph = b"".join(struct.pack("<IIIIIIII", 1, o, v, p, fs, ms, 7, 0x1000)
                  for o, v, p, fs, ms in segs)
    return hdr + ph


def elf64(entry, segs):
    hdr = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9)
    hdr += struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, entry, 64, 0, 0, 64, 56, len(segs), 64, 0, 0)
    ph = b"".join(struct.pack("<IIQQQQQQ", 1, 7, o, v, p, fs, ms, 0x1000)
                  for o, v, p, fs, ms in segs)
    return hdr + ph


def body():
    return mb_header() + CODE


def image(head, size=HDR_OFF + 64):
    """head at 0, the Multiboot header and code at HDR_OFF."""
    b = bytearray(size)
    b[:len(head)] = head
    code = body()
    b[HDR_OFF:HDR_OFF + len(code)] = code
    return bytes(b)


def frame(img, modules=(), cmdline=False):
    out = bytes([len(modules) | (4 if cmdline else 0)])
    for kind, data in modules:
        out += struct.pack("<H", (kind << 14) | len(data)) + data
    return out + img


def seeds():
    entry = LOAD + 12  # after the header
    seg = (HDR_OFF, LOAD, LOAD, 64, 64)
    s = {}
    s["elf32"] = image(elf32(entry, [seg]))
    s["elf64"] = image(elf64(entry, [seg]))
    s["elf32-higher-half"] = image(elf32(0xC0000000 + entry,
                                         [(HDR_OFF, 0xC0000000 + LOAD, LOAD, 64, 64)]))
    s["elf32-bss-two-segments"] = image(elf32(entry, [(HDR_OFF, LOAD, LOAD, 64, 0x3000),
                                                      (0, 0x200000, 0x200000, 0x40, 0x8000)]))
    s["elf32-xnum"] = image(elf32(entry, [seg], phnum=0xFFFF))
    s["elf32-em-x86-64"] = image(elf32(entry, [seg], machine=62))
    k = bytearray(mb_header(0x10000, (LOAD, LOAD, 0, 0, LOAD + 32)) + CODE)
    s["kludge-whole-file"] = bytes(k)
    k2 = mb_header(0x10003, (LOAD + 0x20, LOAD, LOAD + 0x100, LOAD + 0x4000, LOAD + 0x40))
    s["kludge-bss-at-0x20"] = bytes(0x20) + k2 + CODE + bytes(0x100)
    out = {name: frame(img) for name, img in s.items()}
    out["elf32-cmdline"] = frame(s["elf32"], cmdline=True)
    out["elf32-modules"] = frame(s["elf32"], [(0, b"module one"), (0, b""), (0, bytes(300))])
    out["kludge-module"] = frame(s["kludge-whole-file"], [(0, b"\x7fELF" + bytes(60))])
    out = {"ok-" + name: data for name, data in out.items()}  # valid: must load
    out["odd-elf32-xnum"] = out.pop("ok-elf32-xnum")  # PN_XNUM without section 0
    out["odd-elf32-em-x86-64"] = out.pop("ok-elf32-em-x86-64")
    out["odd-module-kinds"] = frame(s["elf32"], [(1, b""), (2, b""), (3, b"")], True)
    return out


def main():
    outdir = os.path.join(os.path.dirname(os.path.abspath(sys.argv[1])), "loader_corpus")
    os.makedirs(outdir, exist_ok=True)
    for stale in os.listdir(outdir):
        os.remove(os.path.join(outdir, stale))
    files = seeds()
    for path in sys.argv[2:]:
        with open(path, "rb") as f:
            files["ok-kernel-" + os.path.basename(path)] = frame(f.read(), cmdline=True)
    for name, data in files.items():
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)
    with open(sys.argv[1], "w") as f:
        f.write("\n".join(sorted(files)) + "\n")


if __name__ == "__main__":
    main()
