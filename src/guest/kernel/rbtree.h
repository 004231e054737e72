/* Red-black trees (CLRS chapter 13), intrusive like Linux's lib/rbtree.c:
 * the node lives inside the object. The scheduler keeps runnable tasks in
 * one, ordered by vruntime: insert, erase and finding the leftmost are all
 * O(log n). */
#ifndef KERNEL_RBTREE_H
#define KERNEL_RBTREE_H

#include "types.h"

struct rb_node {
    struct rb_node *parent, *left, *right;
    bool red;
};

struct rb_root {
    struct rb_node *node; // NULL when empty
};

/* Orders nodes: true if a sorts before b. */
typedef bool (*rb_less_fn)(const struct rb_node *a, const struct rb_node *b);

void rb_insert(struct rb_root *root, struct rb_node *n, rb_less_fn less);
void rb_erase(struct rb_root *root, struct rb_node *n);
struct rb_node *rb_first(const struct rb_root *root);
struct rb_node *rb_next(const struct rb_node *n);

#endif
