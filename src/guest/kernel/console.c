/* The console. */
#include "console.h"

#include "uart.h"

void console_putc(char c)
{
    if (c == '\n') uart_putc('\r');
    uart_putc(c);
}
