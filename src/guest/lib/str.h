/* The C string and memory functions, shared by the kernel and the user
 * library (the compiler also emits calls to memcpy/memset/memmove/memcmp). */
#ifndef GUEST_STR_H
#define GUEST_STR_H

#include <stddef.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
/* Copies at most size-1 characters and always terminates (BSD strlcpy). */
size_t strlcpy(char *dst, const char *src, size_t size);

#endif
