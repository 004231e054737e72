/* Integer SIMD operations of MMX and SSE2, lane by lane (SDM Vol. 2 PADDB
 * ... PXOR). Each works over `w` bytes: 8 for MMX registers, 16 for XMM. */
#include "simd.h"

#define FOR_LANES(type, field) for (unsigned i = 0; i < w / sizeof(type); i++)

static int8_t sat_s8(int v) { return (int8_t)(v > 127 ? 127 : v < -128 ? -128 : v); }
static uint8_t sat_u8(int v) { return (uint8_t)(v > 255 ? 255 : v < 0 ? 0 : v); }
static int16_t sat_s16(int v) { return (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v); }
static uint16_t sat_u16(int v) { return (uint16_t)(v > 65535 ? 65535 : v < 0 ? 0 : v); }

/* ---- add / subtract --------------------------------------------------------------- */

void simd_paddb(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    FOR_LANES(uint8_t, b) r->b[i] = (uint8_t)(a->b[i] + b->b[i]);
}

void simd_paddw(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    FOR_LANES(uint16_t, w) r->w[i] = (uint16_t)(a->w[i] + b->w[i]);
}

void simd_paddd(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    FOR_LANES(uint32_t, d) r->d[i] = a->d[i] + b->d[i];
}

void simd_paddq(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    FOR_LANES(uint64_t, q) r->q[i] = a->q[i] + b->q[i];
}

void simd_psubb(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    FOR_LANES(uint8_t, b) r->b[i] = (uint8_t)(a->b[i] - b->b[i]);
}

void simd_psubw(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    FOR_LANES(uint16_t, w) r->w[i] = (uint16_t)(a->w[i] - b->w[i]);
}

void simd_psubd(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    FOR_LANES(uint32_t, d) r->d[i] = a->d[i] - b->d[i];
}

void simd_psubq(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    FOR_LANES(uint64_t, q) r->q[i] = a->q[i] - b->q[i];
}

void simd_paddsb(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    FOR_LANES(uint8_t, b) r->b[i] = (uint8_t)sat_s8((int8_t)a->b[i] + (int8_t)b->b[i]);
}

void simd_paddsw(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    FOR_LANES(uint16_t, w) r->w[i] = (uint16_t)sat_s16((int16_t)a->w[i] + (int16_t)b->w[i]);
}

void simd_paddusb(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    FOR_LANES(uint8_t, b) r->b[i] = sat_u8(a->b[i] + b->b[i]);
}

void simd_paddusw(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    FOR_LANES(uint16_t, w) r->w[i] = sat_u16(a->w[i] + b->w[i]);
}

void simd_psubsb(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    FOR_LANES(uint8_t, b) r->b[i] = (uint8_t)sat_s8((int8_t)a->b[i] - (int8_t)b->b[i]);
}

void simd_psubsw(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    FOR_LANES(uint16_t, w) r->w[i] = (uint16_t)sat_s16((int16_t)a->w[i] - (int16_t)b->w[i]);
}

void simd_psubusb(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    FOR_LANES(uint8_t, b) r->b[i] = sat_u8(a->b[i] - b->b[i]);
}

void simd_psubusw(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    FOR_LANES(uint16_t, w) r->w[i] = sat_u16(a->w[i] - b->w[i]);
}

/* ---- multiply, average, min/max, sum of differences ------------------------------- */

void simd_pmullw(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    FOR_LANES(uint16_t, w) r->w[i] = (uint16_t)((int16_t)a->w[i] * (int16_t)b->w[i]);
}

void simd_pmulhw(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    FOR_LANES(uint16_t, w) r->w[i] = (uint16_t)(((int32_t)(int16_t)a->w[i] * (int16_t)b->w[i]) >> 16);
}

void simd_pmulhuw(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    FOR_LANES(uint16_t, w) r->w[i] = (uint16_t)(((uint32_t)a->w[i] * b->w[i]) >> 16);
}

void simd_pmuludq(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    FOR_LANES(uint64_t, q) r->q[i] = (uint64_t)a->d[2 * i] * b->d[2 * i];
}

void simd_pmaddwd(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    FOR_LANES(uint32_t, d) {
        int32_t lo = (int16_t)a->w[2 * i] * (int16_t)b->w[2 * i];
        int32_t hi = (int16_t)a->w[2 * i + 1] * (int16_t)b->w[2 * i + 1];
        r->d[i] = (uint32_t)lo + (uint32_t)hi; /* 0x8000 * 0x8000 twice wraps, as on hardware */
    }
}

void simd_pavgb(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    FOR_LANES(uint8_t, b) r->b[i] = (uint8_t)((a->b[i] + b->b[i] + 1) >> 1);
}

void simd_pavgw(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    FOR_LANES(uint16_t, w) r->w[i] = (uint16_t)((a->w[i] + b->w[i] + 1) >> 1);
}

void simd_pminub(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    FOR_LANES(uint8_t, b) r->b[i] = a->b[i] < b->b[i] ? a->b[i] : b->b[i];
}

void simd_pmaxub(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    FOR_LANES(uint8_t, b) r->b[i] = a->b[i] > b->b[i] ? a->b[i] : b->b[i];
}

void simd_pminsw(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    FOR_LANES(uint16_t, w) r->w[i] = (int16_t)a->w[i] < (int16_t)b->w[i] ? a->w[i] : b->w[i];
}

void simd_pmaxsw(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    FOR_LANES(uint16_t, w) r->w[i] = (int16_t)a->w[i] > (int16_t)b->w[i] ? a->w[i] : b->w[i];
}

void simd_psadbw(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    FOR_LANES(uint64_t, q) {
        unsigned sum = 0;
        for (unsigned k = 0; k < 8; k++) {
            int d = a->b[8 * i + k] - b->b[8 * i + k];
            sum += (unsigned)(d < 0 ? -d : d);
        }
        r->q[i] = sum;
    }
}

/* ---- compare, logic ------------------------------------------------------------ */

void simd_pcmpeqb(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    FOR_LANES(uint8_t, b) r->b[i] = a->b[i] == b->b[i] ? 0xFF : 0;
}

void simd_pcmpeqw(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    FOR_LANES(uint16_t, w) r->w[i] = a->w[i] == b->w[i] ? 0xFFFF : 0;
}

void simd_pcmpeqd(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    FOR_LANES(uint32_t, d) r->d[i] = a->d[i] == b->d[i] ? 0xFFFFFFFFu : 0;
}

void simd_pcmpgtb(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    FOR_LANES(uint8_t, b) r->b[i] = (int8_t)a->b[i] > (int8_t)b->b[i] ? 0xFF : 0;
}

void simd_pcmpgtw(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    FOR_LANES(uint16_t, w) r->w[i] = (int16_t)a->w[i] > (int16_t)b->w[i] ? 0xFFFF : 0;
}

void simd_pcmpgtd(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    FOR_LANES(uint32_t, d) r->d[i] = (int32_t)a->d[i] > (int32_t)b->d[i] ? 0xFFFFFFFFu : 0;
}

void simd_pand(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    FOR_LANES(uint64_t, q) r->q[i] = a->q[i] & b->q[i];
}

void simd_pandn(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    FOR_LANES(uint64_t, q) r->q[i] = ~a->q[i] & b->q[i];
}

void simd_por(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    FOR_LANES(uint64_t, q) r->q[i] = a->q[i] | b->q[i];
}

void simd_pxor(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    FOR_LANES(uint64_t, q) r->q[i] = a->q[i] ^ b->q[i];
}

/* ---- shifts: by a register/memory count (low 64 bits) or an immediate ------------ */

static uint64_t shift_count(const union xmm_reg *b)
{
    return b->q[0];
}

void simd_psllw(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    uint64_t n = shift_count(b);
    FOR_LANES(uint16_t, w) r->w[i] = n > 15 ? 0 : (uint16_t)(a->w[i] << n);
}

void simd_pslld(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    uint64_t n = shift_count(b);
    FOR_LANES(uint32_t, d) r->d[i] = n > 31 ? 0 : a->d[i] << n;
}

void simd_psllq(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    uint64_t n = shift_count(b);
    FOR_LANES(uint64_t, q) r->q[i] = n > 63 ? 0 : a->q[i] << n;
}

void simd_psrlw(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    uint64_t n = shift_count(b);
    FOR_LANES(uint16_t, w) r->w[i] = n > 15 ? 0 : (uint16_t)(a->w[i] >> n);
}

void simd_psrld(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    uint64_t n = shift_count(b);
    FOR_LANES(uint32_t, d) r->d[i] = n > 31 ? 0 : a->d[i] >> n;
}

void simd_psrlq(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    uint64_t n = shift_count(b);
    FOR_LANES(uint64_t, q) r->q[i] = n > 63 ? 0 : a->q[i] >> n;
}

void simd_psraw(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    uint64_t n = shift_count(b) > 15 ? 15 : shift_count(b);
    FOR_LANES(uint16_t, w) r->w[i] = (uint16_t)((int16_t)a->w[i] >> n);
}

void simd_psrad(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    uint64_t n = shift_count(b) > 31 ? 31 : shift_count(b);
    FOR_LANES(uint32_t, d) r->d[i] = (uint32_t)((int32_t)a->d[i] >> n);
}

/* PSLLDQ / PSRLDQ: the whole register by imm bytes (XMM only). */
void simd_pslldq(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)b;
    unsigned n = imm > 16 ? 16 : imm;
    for (unsigned i = 0; i < w; i++)
        r->b[i] = i >= n ? a->b[i - n] : 0;
}

void simd_psrldq(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)b;
    unsigned n = imm > 16 ? 16 : imm;
    for (unsigned i = 0; i < w; i++)
        r->b[i] = i + n < w ? a->b[i + n] : 0;
}

/* ---- unpack, pack, shuffle --------------------------------------------------------- */

void simd_punpcklbw(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    for (unsigned i = 0; i < w / 2; i++) {
        r->b[2 * i] = a->b[i];
        r->b[2 * i + 1] = b->b[i];
    }
}

void simd_punpckhbw(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    for (unsigned i = 0; i < w / 2; i++) {
        r->b[2 * i] = a->b[w / 2 + i];
        r->b[2 * i + 1] = b->b[w / 2 + i];
    }
}

void simd_punpcklwd(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    for (unsigned i = 0; i < w / 4; i++) {
        r->w[2 * i] = a->w[i];
        r->w[2 * i + 1] = b->w[i];
    }
}

void simd_punpckhwd(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    for (unsigned i = 0; i < w / 4; i++) {
        r->w[2 * i] = a->w[w / 4 + i];
        r->w[2 * i + 1] = b->w[w / 4 + i];
    }
}

void simd_punpckldq(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    for (unsigned i = 0; i < w / 8; i++) {
        r->d[2 * i] = a->d[i];
        r->d[2 * i + 1] = b->d[i];
    }
}

void simd_punpckhdq(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    for (unsigned i = 0; i < w / 8; i++) {
        r->d[2 * i] = a->d[w / 8 + i];
        r->d[2 * i + 1] = b->d[w / 8 + i];
    }
}

void simd_punpcklqdq(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm, (void)w;
    r->q[0] = a->q[0];
    r->q[1] = b->q[0];
}

void simd_punpckhqdq(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm, (void)w;
    r->q[0] = a->q[1];
    r->q[1] = b->q[1];
}

void simd_packsswb(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    unsigned n = w / 2;
    for (unsigned i = 0; i < n; i++) {
        r->b[i] = (uint8_t)sat_s8((int16_t)a->w[i]);
        r->b[n + i] = (uint8_t)sat_s8((int16_t)b->w[i]);
    }
}

void simd_packuswb(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    unsigned n = w / 2;
    for (unsigned i = 0; i < n; i++) {
        r->b[i] = sat_u8((int16_t)a->w[i]);
        r->b[n + i] = sat_u8((int16_t)b->w[i]);
    }
}

void simd_packssdw(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)imm;
    unsigned n = w / 4;
    for (unsigned i = 0; i < n; i++) {
        int32_t x = (int32_t)a->d[i], y = (int32_t)b->d[i];
        r->w[i] = (uint16_t)(x > 32767 ? 32767 : x < -32768 ? -32768 : x);
        r->w[n + i] = (uint16_t)(y > 32767 ? 32767 : y < -32768 ? -32768 : y);
    }
}

void simd_pshufd(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)a, (void)w;
    for (unsigned i = 0; i < 4; i++)
        r->d[i] = b->d[(imm >> (2 * i)) & 3];
}

void simd_pshuflw(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)a, (void)w;
    r->q[1] = b->q[1];
    for (unsigned i = 0; i < 4; i++)
        r->w[i] = b->w[(imm >> (2 * i)) & 3];
}

void simd_pshufhw(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)a, (void)w;
    r->q[0] = b->q[0];
    for (unsigned i = 0; i < 4; i++)
        r->w[4 + i] = b->w[4 + ((imm >> (2 * i)) & 3)];
}

/* PSHUFW mm, mm/m64, imm8 (SSE's MMX extension). */
void simd_pshufw(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)a, (void)w;
    for (unsigned i = 0; i < 4; i++)
        r->w[i] = b->w[(imm >> (2 * i)) & 3];
}

void simd_shufps(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)w;
    r->d[0] = a->d[imm & 3];
    r->d[1] = a->d[(imm >> 2) & 3];
    r->d[2] = b->d[(imm >> 4) & 3];
    r->d[3] = b->d[(imm >> 6) & 3];
}

void simd_shufpd(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)w;
    r->q[0] = a->q[imm & 1];
    r->q[1] = b->q[(imm >> 1) & 1];
}

void simd_unpcklps(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)w, (void)imm;
    union xmm_reg t = {.d = {a->d[0], b->d[0], a->d[1], b->d[1]}};
    *r = t;
}

void simd_unpckhps(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)c, (void)w, (void)imm;
    union xmm_reg t = {.d = {a->d[2], b->d[2], a->d[3], b->d[3]}};
    *r = t;
}
