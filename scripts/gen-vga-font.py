#!/usr/bin/env python3
"""Writes src/dev/vga_font.c: the VGA's built-in 8x16 font, code page 437.

Glyphs come from Spleen 8x16 (Debian package fonts-spleen, BSD-2-Clause,
Copyright (c) 2018-2020 Frederic Cambus), looked up by the Unicode code point
of each CP437 character. Spleen 1.9.1 lacks 49 of them (card suits, arrows,
Greek letters, some maths); those are drawn below for emu and are under
emu's own licence. Run once after changing either:

    apt-get install fonts-spleen
    scripts/gen-vga-font.py /usr/share/consolefonts/spleen-8x16.psfu.gz \
        > src/dev/vga_font.c
"""
import gzip
import struct
import sys

# CP437 0x00-0x1F and 0x7F are graphic characters in the VGA font.
CP437_LOW = "\u0000☺☻♥♦♣♠•◘○◙♂♀♪♫☼►◄↕‼¶§▬↨↑↓→←∟↔▲▼"


def cp437_unicode(code):
    if code < 0x20:
        return ord(CP437_LOW[code])
    if code == 0x7F:
        return 0x2302
    return ord(bytes([code]).decode("cp437"))


# Drawn for emu: code -> (first row, rows of 8 dots, '#' = on).
DRAWN = {
    0x01: (2, ".######.", "#......#", "#.#..#.#", "#......#", "#......#", "#.####.#",
           "#..##..#", "#......#", "#......#", ".######."),
    0x02: (2, ".######.", "########", "##.##.##", "########", "########", "##....##",
           "###..###", "########", "########", ".######."),
    0x05: (3, "...##...", "..####..", "..####..", "###..###", "###..###", "###..###",
           "...##...", "...##...", "..####.."),
    0x06: (3, "...##...", "..####..", ".######.", "########", "########", ".######.",
           "...##...", "...##...", "..####.."),
    0x0B: (2, "...####.", ".....##.", "....#.#.", "...#..#.", ".####...", "##..##..",
           "##..##..", "##..##..", "##..##..", ".####..."),
    0x0C: (2, "..####..", ".##..##.", ".##..##.", ".##..##.", ".##..##.", "..####..",
           "...##...", ".######.", "...##...", "...##..."),
    0x0D: (2, "..######", "..##..##", "..######", "..##....", "..##....", "..##....",
           "..##....", ".###....", "####....", "###....."),
    0x0E: (2, ".#######", ".##...##", ".#######", ".##...##", ".##...##", ".##...##",
           ".##...##", ".##..###", "###..###", "###..##.", "##......"),
    0x0F: (3, "...##...", "...##...", "##.##.##", "..####..", "###..###", "..####..",
           "##.##.##", "...##...", "...##..."),
    0x10: (2, "#.......", "##......", "###.....", "####....", "#####...", "#######.",
           "#####...", "####....", "###.....", "##......", "#......."),
    0x11: (2, "......#.", ".....##.", "....###.", "...####.", "..#####.", "#######.",
           "..#####.", "...####.", "....###.", ".....##.", "......#."),
    0x12: (2, "...##...", "..####..", ".######.", "...##...", "...##...", "...##...",
           ".######.", "..####..", "...##..."),
    0x16: (9, "#######.", "#######.", "#######."),
    0x17: (2, "...##...", "..####..", ".######.", "...##...", "...##...", "...##...",
           ".######.", "..####..", "...##...", ".######."),
    0x18: (2, "...##...", "..####..", ".######.", "...##...", "...##...", "...##...",
           "...##...", "...##...", "...##...", "...##..."),
    0x19: (2, "...##...", "...##...", "...##...", "...##...", "...##...", "...##...",
           "...##...", ".######.", "..####..", "...##..."),
    0x1A: (5, "...##...", "....##..", "#######.", "....##..", "...##..."),
    0x1B: (5, "..##....", ".##.....", "#######.", ".##.....", "..##...."),
    0x1C: (6, "##......", "##......", "##......", "#######."),
    0x1D: (5, "..#..#..", ".##..##.", "########", ".##..##.", "..#..#.."),
    0x1E: (4, "...#....", "..###...", "..###...", ".#####..", ".#####..", "#######.",
           "#######."),
    0x1F: (4, "#######.", "#######.", ".#####..", ".#####..", "..###...", "..###...",
           "...#...."),
    0x7F: (4, "...#....", "..###...", ".##.##..", "##...##.", "##...##.", "##...##.",
           "#######."),
    0x9E: (2, "#####...", "##..##..", "##..##..", "#####...", "##...#..", "##..##..",
           "##.####.", "##..##..", "##..##..", "##...##."),
    0x9F: (2, "....###.", "...##.##", "...##...", "...##...", ".######.", "...##...",
           "...##...", "...##...", "...##...", "...##...", "##.##...", ".###...."),
    0xA9: (7, "#######.", "##......", "##......", "##......"),
    0xE0: (5, ".###.##.", "##.###..", "##.##...", "##.##...", "##.##...", "##.###..",
           ".###.##."),
    0xE2: (2, "#######.", "##...##.", "##......", "##......", "##......", "##......",
           "##......", "##......", "##......", "##......"),
    0xE3: (5, "#######.", ".##.##..", ".##.##..", ".##.##..", ".##.##..", ".##.##..",
           ".##.##.."),
    0xE4: (2, "#######.", "##...##.", ".##.....", "..##....", "...##...", "..##....",
           ".##.....", "##......", "##...##.", "#######."),
    0xE5: (5, ".######.", "##.##...", "##..##..", "##..##..", "##..##..", "##..##..",
           ".####..."),
    0xE7: (5, ".###.##.", "##.###..", "...##...", "...##...", "...##...", "...##...",
           "...##..."),
    0xE8: (2, "######..", "..##....", ".####...", "##..##..", "##..##..", "##..##..",
           "##..##..", ".####...", "..##....", "######.."),
    0xE9: (2, "..###...", ".##.##..", "##...##.", "##...##.", "#######.", "##...##.",
           "##...##.", "##...##.", ".##.##..", "..###..."),
    0xEA: (2, "..###...", ".##.##..", "##...##.", "##...##.", "##...##.", ".##.##..",
           ".##.##..", ".##.##..", ".##.##..", "###.###."),
    0xEB: (2, "...####.", "..##....", "...##...", "....##..", "..#####.", ".##..##.",
           ".##..##.", ".##..##.", ".##..##.", "..####.."),
    0xEC: (6, ".######.", "##.##.##", "##.##.##", "##.##.##", ".######."),
    0xED: (4, "......##", ".....##.", ".######.", "##.##.##", "##.##.##", "####..##",
           ".######.", ".##.....", "##......"),
    0xEE: (4, "...###..", "..##....", ".##.....", ".##.....", ".#####..", ".##.....",
           ".##.....", "..##....", "...###.."),
    0xEF: (3, ".#####..", "##...##.", "##...##.", "##...##.", "##...##.", "##...##.",
           "##...##.", "##...##.", "##...##."),
    0xF0: (4, "#######.", "........", "........", "#######.", "........", "........",
           "#######."),
    0xF2: (3, "..##....", "...##...", "....##..", ".....##.", "....##..", "...##...",
           "..##....", "........", ".######."),
    0xF3: (3, "....##..", "...##...", "..##....", ".##.....", "..##....", "...##...",
           "....##..", "........", ".######."),
    0xF4: (2, "....###.", "...##.##", "...##.##", "...##...", "...##...", "...##...",
           "...##...", "...##...", "...##...", "...##...", "...##...", "...##...",
           "...##...", "...##..."),
    0xF5: (0, "...##...", "...##...", "...##...", "...##...", "...##...", "...##...",
           "...##...", "...##...", "...##...", "...##...", "...##...", "##.##...",
           "##.##...", ".###...."),
    0xF9: (6, "...##...", "..####..", "..####..", "...##..."),
    0xFB: (2, "....####", "....##..", "....##..", "....##..", "....##..", "###.##..",
           ".##.##..", ".##.##..", "..####..", "...###.."),
    0xFC: (2, "##.##...", ".##.##..", ".##.##..", ".##.##..", ".##.##.."),
    0xFE: (4, ".#####..", ".#####..", ".#####..", ".#####..", ".#####..", ".#####..",
           ".#####..", ".#####.."),
}


def drawn_glyph(spec):
    top, rows = spec[0], spec[1:]
    assert top + len(rows) <= 16 and all(len(r) == 8 for r in rows), spec
    glyph = [0] * 16
    for i, r in enumerate(rows):
        glyph[top + i] = int(r.replace("#", "1").replace(".", "0"), 2)
    return glyph


def load_psf1(path):
    """Glyphs and the Unicode map of a PSF1 font with a Unicode table."""
    data = gzip.open(path).read() if path.endswith(".gz") else open(path, "rb").read()
    if data[:2] != b"\x36\x04" or data[3] != 16:
        sys.exit(f"{path}: not an 8x16 PSF1 font")
    count = 512 if data[2] & 1 else 256
    glyphs = [list(data[4 + i * 16:4 + (i + 1) * 16]) for i in range(count)]
    umap, pos, g, in_seq = {}, 4 + count * 16, 0, False
    while g < count and pos + 1 < len(data):
        (v,) = struct.unpack("<H", data[pos:pos + 2])
        pos += 2
        if v == 0xFFFF:
            g, in_seq = g + 1, False
        elif v == 0xFFFE:
            in_seq = True
        elif not in_seq:
            umap.setdefault(v, g)
    return glyphs, umap


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/consolefonts/spleen-8x16.psfu.gz"
    glyphs, umap = load_psf1(path)
    table, drawn = [], 0
    for code in range(256):
        u = cp437_unicode(code)
        if code in DRAWN:
            table.append(drawn_glyph(DRAWN[code]))
            drawn += 1
        elif code == 0:
            table.append([0] * 16)
        elif u in umap:
            table.append(glyphs[umap[u]])
        else:
            sys.exit(f"no glyph for CP437 0x{code:02X} (U+{u:04X})")
    print(HEADER.format(drawn=drawn))
    print("// clang-format off")
    print("const uint8_t vga_font8x16[256][16] = {")
    for code, g in enumerate(table):
        u = cp437_unicode(code)
        rows = ",".join(f"0x{b:02x}" for b in g)
        print(f"    [0x{code:02x}] = {{{rows}}}, // U+{u:04X}")
    print("};")
    print("// clang-format on")


HEADER = """/* The VGA's built-in 8x16 font, code page 437. Generated by
 * scripts/gen-vga-font.py from Spleen 8x16 1.9.1 (Debian package
 * fonts-spleen) plus {drawn} glyphs drawn for emu; do not edit by hand.
 *
 * Spleen: Copyright (c) 2018-2020 Frederic Cambus. All rights reserved.
 *
 * Redistribution and use in source and binary forms, with or without
 * modification, are permitted provided that the following conditions are met:
 *
 *  * Redistributions of source code must retain the above copyright notice,
 *    this list of conditions and the following disclaimer.
 *
 *  * Redistributions in binary form must reproduce the above copyright
 *    notice, this list of conditions and the following disclaimer in the
 *    documentation and/or other materials provided with the distribution.
 *
 * THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"
 * AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE
 * IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE
 * ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE
 * LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR
 * CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF
 * SUBSTITUTE GOODS OR SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS
 * INTERRUPTION) HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN
 * CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE)
 * ARISING IN ANY WAY OUT OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE
 * POSSIBILITY OF SUCH DAMAGE. */
#include "vga.h"
"""

if __name__ == "__main__":
    main()
