/* Shared by the ISA unit tests: cmocka, a fresh machine per test, and
 * register/flag helpers. Each test names the condition and the expected
 * result; expected values come from the SDM's definition of the
 * instruction, worked out by hand in the test. */
#ifndef EMU_TESTS_ISA_TEST_H
#define EMU_TESTS_ISA_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "harness.h"

static inline int setup64(void **state)
{
    *state = isa_new(MODE_LONG64);
    return 0;
}

static inline int setup_compat(void **state)
{
    *state = isa_new(MODE_COMPAT32);
    return 0;
}

static inline int setup32(void **state)
{
    *state = isa_new(MODE_PROT32);
    return 0;
}

static inline int teardown(void **state)
{
    isa_free(*state);
    return 0;
}

#define TEST64(fn)      cmocka_unit_test_setup_teardown(fn, setup64, teardown)
#define TEST_COMPAT(fn) cmocka_unit_test_setup_teardown(fn, setup_compat, teardown)
#define TEST32(fn)      cmocka_unit_test_setup_teardown(fn, setup32, teardown)

#define REG(r) (m->cpu->gpr[r])
#define FLAGS  (isa_flags(m))
/* The arithmetic flags as a value to compare: CF PF AF ZF SF OF. */
#define ARITH(m) (isa_flags(m) & RFLAGS_ARITH)
#define NO_FAULT (-1)

/* Asserts that each flag in `mask` is set exactly when it is in `want`. */
#define assert_flags(m, mask, want) assert_int_equal(isa_flags(m) & (mask), (want))

#endif
