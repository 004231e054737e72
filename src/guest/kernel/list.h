/* Intrusive doubly linked lists, as in Linux's include/linux/list.h: the
 * node lives inside the object, container_of() gets the object back. */
#ifndef KERNEL_LIST_H
#define KERNEL_LIST_H

#include "types.h"

struct list_head {
    struct list_head *next, *prev;
};

#define LIST_HEAD_INIT(name)                                                                       \
    {                                                                                              \
        &(name), &(name)                                                                           \
    }

static inline void list_init(struct list_head *h)
{
    h->next = h->prev = h;
}

static inline bool list_empty(const struct list_head *h)
{
    return h->next == h;
}

static inline void list_insert(struct list_head *n, struct list_head *prev, struct list_head *next)
{
    next->prev = n;
    n->next = next;
    n->prev = prev;
    prev->next = n;
}

/* Adds n at the tail of h (before h). */
static inline void list_add_tail(struct list_head *n, struct list_head *h)
{
    list_insert(n, h->prev, h);
}

/* Adds n at the head of h. */
static inline void list_add(struct list_head *n, struct list_head *h)
{
    list_insert(n, h, h->next);
}

/* Unlinks n and leaves it pointing at itself (so a second list_del is harmless). */
static inline void list_del(struct list_head *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
    list_init(n);
}

#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_for_each(pos, head)      for (pos = (head)->next; pos != (head); pos = pos->next)
#define list_for_each_safe(pos, tmp, head)                                                         \
    for (pos = (head)->next, tmp = pos->next; pos != (head); pos = tmp, tmp = pos->next)

#endif
