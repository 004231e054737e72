/* The guest's printf-style formatter (src/guest/lib/fmt.c), against the
 * host C library's snprintf as the oracle. fmt.c is compiled with its
 * functions renamed to guest_* (meson.build), so both exist here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fmt.h" /* declares guest_snprintf (the macros rename it) */
#undef snprintf
#undef vsnprintf
#include <stdio.h>

#define CHECK(...)                                                                                 \
    do {                                                                                           \
        char want[128], got[128];                                                                  \
        int wn = snprintf(want, sizeof(want), __VA_ARGS__);                                        \
        int gn = guest_snprintf(got, sizeof(got), __VA_ARGS__);                                    \
        assert_string_equal(got, want);                                                            \
        assert_int_equal(gn, wn);                                                                  \
    } while (0)

static void test_integers_match_libc(void **state)
{
    (void)state;
    CHECK("%d %d %d %i", 0, 42, -42, -2147483647 - 1);
    CHECK("%u %u", 0u, 4294967295u);
    CHECK("%ld %lu %lld %llu", -9223372036854775807L - 1, 18446744073709551615UL, 123LL, 456ULL);
    CHECK("%zu %zx", (size_t)77, (size_t)0xabc);
    CHECK("%x %X %lx", 0xdeadbeefu, 0xdeadbeefu, 0x123456789abcdefUL);
}

static void test_flags_and_widths_match_libc(void **state)
{
    (void)state;
    CHECK("[%5d] [%-5d] [%05d] [%05d]", 42, 42, 42, -42);
    CHECK("[%#x] [%#018lx] [%#lx] [%08x]", 0x1fu, 0xffffffff80100000UL, 0UL + 1, 0xabcu);
    CHECK("[%10s] [%-10s] [%s]", "abc", "abc", "");
    CHECK("[%c] [%3c] [%-3c] [%%]", 'x', 'y', 'z');
    CHECK("[%5lu.%06lu]", 12UL, 3456UL);
}

static void test_pointer_and_null_string_match_libc(void **state)
{
    (void)state;
    int x;
    CHECK("%p", (void *)&x);
    CHECK("%s", (char *)NULL);
}

static void test_truncation_returns_full_length_and_terminates(void **state)
{
    (void)state;
    char buf[8];
    int n = guest_snprintf(buf, sizeof(buf), "%s-%d", "abcdef", 12345);
    assert_int_equal(n, 12);
    assert_string_equal(buf, "abcdef-");
    assert_int_equal(guest_snprintf(NULL, 0, "%d", 100), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integers_match_libc),
        cmocka_unit_test(test_flags_and_widths_match_libc),
        cmocka_unit_test(test_pointer_and_null_string_match_libc),
        cmocka_unit_test(test_truncation_returns_full_length_and_terminates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
