/* The console: where printk and the tty write. Serial only (COM1). */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

/* Writes c, turning '\n' into "\r\n" as a terminal expects (ONLCR). */
void console_putc(char c);

#endif
