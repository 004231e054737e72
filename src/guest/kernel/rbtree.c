/* Red-black trees. Invariants: the root is black; a red node has black
 * children; every path from a node down to a leaf (NULL) crosses the same
 * number of black nodes. So the longest path is at most twice the shortest. */
#include "rbtree.h"

static bool is_red(const struct rb_node *n)
{
    return n && n->red;
}

/* Replaces old by new in old's parent (or as the root). */
static void replace_child(struct rb_root *root, struct rb_node *old, struct rb_node *new)
{
    struct rb_node *p = old->parent;
    if (!p)
        root->node = new;
    else if (p->left == old)
        p->left = new;
    else
        p->right = new;
    if (new) new->parent = p;
}

/* Rotates x's right child up into x's place (left rotation), or its left
 * child (right rotation). */
static void rotate(struct rb_root *root, struct rb_node *x, bool left)
{
    struct rb_node *y = left ? x->right : x->left;
    struct rb_node *inner = left ? y->left : y->right;
    if (left)
        x->right = inner;
    else
        x->left = inner;
    if (inner) inner->parent = x;
    replace_child(root, x, y);
    if (left)
        y->left = x;
    else
        y->right = x;
    x->parent = y;
}

static void insert_fixup(struct rb_root *root, struct rb_node *n)
{
    while (is_red(n->parent)) {
        struct rb_node *p = n->parent, *g = p->parent;
        bool p_is_left = g->left == p;
        struct rb_node *uncle = p_is_left ? g->right : g->left;
        if (is_red(uncle)) { /* recolour and move the problem up */
            p->red = uncle->red = false;
            g->red = true;
            n = g;
            continue;
        }
        if (n == (p_is_left ? p->right : p->left)) { /* zig-zag: make it zig-zig */
            rotate(root, p, p_is_left);
            n = p;
            p = n->parent;
        }
        p->red = false;
        g->red = true;
        rotate(root, g, !p_is_left);
    }
    root->node->red = false;
}

void rb_insert(struct rb_root *root, struct rb_node *n, rb_less_fn less)
{
    struct rb_node **link = &root->node, *parent = NULL;
    while (*link) {
        parent = *link;
        link = less(n, parent) ? &parent->left : &parent->right;
    }
    *n = (struct rb_node){.parent = parent, .red = true};
    *link = n;
    insert_fixup(root, n);
}

/* Restores the black heights after removing a black node; x (maybe NULL)
 * took its place under `parent` and carries an extra black. */
static void erase_fixup(struct rb_root *root, struct rb_node *x, struct rb_node *parent)
{
    while (x != root->node && !is_red(x)) {
        bool x_is_left = parent->left == x;
        struct rb_node *w = x_is_left ? parent->right : parent->left;
        if (is_red(w)) { /* make the sibling black */
            w->red = false;
            parent->red = true;
            rotate(root, parent, x_is_left);
            w = x_is_left ? parent->right : parent->left;
        }
        struct rb_node *near = x_is_left ? w->left : w->right;
        struct rb_node *far = x_is_left ? w->right : w->left;
        if (!is_red(near) && !is_red(far)) { /* push the extra black up */
            w->red = true;
            x = parent;
            parent = x->parent;
            continue;
        }
        if (!is_red(far)) {
            near->red = false;
            w->red = true;
            rotate(root, w, !x_is_left);
            w = x_is_left ? parent->right : parent->left;
            far = x_is_left ? w->right : w->left;
        }
        w->red = parent->red;
        parent->red = false;
        far->red = false;
        rotate(root, parent, x_is_left);
        x = root->node;
        break;
    }
    if (x) x->red = false;
}

void rb_erase(struct rb_root *root, struct rb_node *n)
{
    struct rb_node *x, *parent;
    bool removed_red;
    if (!n->left || !n->right) {
        x = n->left ? n->left : n->right;
        parent = n->parent;
        removed_red = n->red;
        replace_child(root, n, x);
    } else { /* two children: the successor y takes n's place */
        struct rb_node *y = n->right;
        while (y->left)
            y = y->left;
        removed_red = y->red;
        x = y->right;
        if (y->parent == n) {
            parent = y;
        } else {
            parent = y->parent;
            replace_child(root, y, x);
            y->right = n->right;
            y->right->parent = y;
        }
        replace_child(root, n, y);
        y->left = n->left;
        y->left->parent = y;
        y->red = n->red;
    }
    if (!removed_red) erase_fixup(root, x, parent);
}

struct rb_node *rb_first(const struct rb_root *root)
{
    struct rb_node *n = root->node;
    while (n && n->left)
        n = n->left;
    return n;
}

struct rb_node *rb_next(const struct rb_node *n)
{
    if (n->right) {
        n = n->right;
        while (n->left)
            n = n->left;
        return (struct rb_node *)n;
    }
    while (n->parent && n == n->parent->right)
        n = n->parent;
    return n->parent;
}
