/* The console: where printk and the tty write -- COM1 and, once memory
 * management can map it, the VGA text screen. */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

/* Writes c, turning '\n' into "\r\n" for the serial line (ONLCR). */
void console_putc(char c);
/* Maps the VGA text screen and shows the kernel log so far on it. */
void console_init_vga(void);

/* vga.c */
void vga_init(void);
void vga_putc(char c);

#endif
