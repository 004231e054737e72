/* The guest kernel's red-black tree (src/guest/kernel/rbtree.c), against a
 * sorted array as the oracle, with the red-black invariants checked after
 * every operation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rbtree.h"

#define NKEYS 512
#define NOPS  20000

struct item {
    struct rb_node node;
    int key;
    int in_tree;
};

static bool item_less(const struct rb_node *a, const struct rb_node *b)
{
    return container_of(a, struct item, node)->key < container_of(b, struct item, node)->key;
}

/* Checks the subtree at n; returns its black height. */
static int check_subtree(const struct rb_node *n, const struct rb_node *parent, int *count)
{
    if (!n) return 1;
    assert_ptr_equal(n->parent, parent);
    if (n->red) {
        assert_true(!n->left || !n->left->red);
        assert_true(!n->right || !n->right->red);
    }
    int key = container_of(n, struct item, node)->key;
    if (n->left) assert_true(container_of(n->left, struct item, node)->key <= key);
    if (n->right) assert_true(container_of(n->right, struct item, node)->key >= key);
    int lh = check_subtree(n->left, n, count), rh = check_subtree(n->right, n, count);
    assert_int_equal(lh, rh);
    (*count)++;
    return lh + !n->red;
}

static int cmp_int(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

static void check_tree(const struct rb_root *root, const struct item *items)
{
    int expect[NKEYS], n = 0, count = 0;
    for (int i = 0; i < NKEYS; i++)
        if (items[i].in_tree) expect[n++] = items[i].key;
    qsort(expect, (size_t)n, sizeof(int), cmp_int);
    if (root->node) assert_false(root->node->red);
    check_subtree(root->node, NULL, &count);
    assert_int_equal(count, n);
    int i = 0;
    for (struct rb_node *p = rb_first(root); p; p = rb_next(p))
        assert_int_equal(container_of(p, struct item, node)->key, expect[i++]);
    assert_int_equal(i, n);
}

static void test_random_inserts_and_erases_keep_order_and_invariants(void **state)
{
    (void)state;
    static struct item items[NKEYS];
    struct rb_root root = {NULL};
    uint32_t seed = 12345;
    for (int i = 0; i < NKEYS; i++)
        items[i] = (struct item){.key = i % 97}; /* duplicates on purpose */
    for (int op = 0; op < NOPS; op++) {
        seed = seed * 1103515245u + 12345u;
        struct item *it = &items[(seed >> 8) % NKEYS];
        if (it->in_tree)
            rb_erase(&root, &it->node);
        else
            rb_insert(&root, &it->node, item_less);
        it->in_tree = !it->in_tree;
        if (op % 97 == 0 || op > NOPS - 50) check_tree(&root, items);
    }
    check_tree(&root, items);
}

static void test_ascending_inserts_then_erase_all_leave_empty_tree(void **state)
{
    (void)state;
    static struct item items[NKEYS];
    struct rb_root root = {NULL};
    for (int i = 0; i < NKEYS; i++) {
        items[i] = (struct item){.key = i, .in_tree = 1};
        rb_insert(&root, &items[i].node, item_less);
    }
    check_tree(&root, items);
    for (int i = 0; i < NKEYS; i++) {
        struct rb_node *first = rb_first(&root);
        assert_int_equal(container_of(first, struct item, node)->key, i);
        rb_erase(&root, first);
        items[i].in_tree = 0;
        if (i % 31 == 0) check_tree(&root, items);
    }
    assert_null(root.node);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_inserts_and_erases_keep_order_and_invariants),
        cmocka_unit_test(test_ascending_inserts_then_erase_all_leave_empty_tree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
