/* The command table, help with examples for every command, and the small
 * commands: set, trace, quit, symbol-file. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "machine/hostfile.h"
#include "repl_int.h"
#include "snapshot.h"

const struct repl_cmd repl_commands[] = {
    {"step", "s", cmd_step, "step [N]", "execute one instruction (or N) and show what changed",
     "Runs one instruction -- or delivers one interrupt or exception -- and prints it:\n"
     "the address with its symbol and source line, the bytes, the disassembly, then\n"
     "every register that changed (old -> new), the flags that were set or cleared,\n"
     "each memory write (address, old -> new) and, in words, changes of mode or\n"
     "privilege ('paging enabled', 'privilege: CPL 3 -> 0').\n"
     "  step          one instruction\n"
     "  step 10       ten, each reported\n"
     "Alias: s (also stepi, si)."},
    {"stepi", "si", cmd_step, "stepi [N]", "the same as step", "The same as 'step'."},
    {"next", "n", cmd_next, "next", "step, but run through CALL, SYSCALL and INT n",
     "Like step, except that a CALL (or SYSCALL, SYSENTER, INT n) runs to completion:\n"
     "it stops at the instruction after it, in this frame.\n"
     "  next"},
    {"finish", NULL, cmd_finish, "finish", "run until the current function returns",
     "Runs until the current function returns to its caller. The return address is\n"
     "read at [rsp] at a function's first instruction, else at [rbp+8] (it assumes a\n"
     "frame pointer, as the bundled kernel is built with).\n"
     "  finish"},
    {"continue", "c", cmd_continue, "continue", "run until a breakpoint, watchpoint or catchpoint",
     "Runs at full speed until a breakpoint, watchpoint or catchpoint fires, the guest\n"
     "ends the machine, or you press Ctrl-C.\n"
     "  break kmain\n  continue"},
    {"until", "u", cmd_until, "until [ADDR]", "run to ADDR, or out of the current loop",
     "until ADDR runs until execution reaches ADDR. Without ADDR it steps (running\n"
     "through calls) until the CPU is past the current instruction in this frame --\n"
     "the way out of a loop whose branch goes backwards.\n"
     "  until 0x100040\n  until done_label\n  until"},
    {"break", "b", cmd_break,
     "break ADDR|SYMBOL | syscall [NAME] | vector N [user] | exception | pagefault [ADDR] | cr3",
     "stop at an address, a system call, a vector, an exception, a CR3 switch",
     "break ADDR or SYMBOL stops before the instruction there executes (also when an\n"
     "interrupt handler starts there). The catchpoints stop right after an event:\n"
     "  break kmain              a function\n"
     "  break *0x100020          an address (the * is optional)\n"
     "  break syscall            every system call, at the kernel's entry point\n"
     "  break syscall write      one system call, by name or number\n"
     "  break vector 0x20        delivery of vector 0x20 (the timer on many kernels)\n"
     "  break vector 0xec user   ... only when it interrupts ring 3\n"
     "  break exception          any exception the CPU raises (#PF, #GP, ...)\n"
     "  break pagefault 0xdead0000   a page fault on that address's page\n"
     "  break cr3                every address-space switch\n"
     "Alias: b. 'info breakpoints' lists them, 'delete N' removes one."},
    {"watch", NULL, cmd_watch, "watch ADDR [LEN] [r|w|rw]", "stop when memory is read or written",
     "Stops after an instruction that writes (w, the default), reads (r) or does\n"
     "either (rw) any byte of [ADDR, ADDR+LEN); LEN defaults to 8. The report shows\n"
     "the old and the new value. Accesses the CPU makes itself (interrupt frames,\n"
     "descriptor tables) count too.\n"
     "  watch 0x1000\n  watch counter 4\n  watch rsp-8 8 rw"},
    {"delete", "d", cmd_delete, "delete [N...]", "delete breakpoints (all without N)",
     "  delete 2\n  delete        (all of them)"},
    {"info", "i", cmd_info,
     "info registers|sregs|cr|msr NAME|flags|tlb|apic|pic|idt [N]|gdt|tss|breakpoints|checksum",
     "show machine state",
     "  info registers      general registers, RIP, RFLAGS, selectors, CPL and mode\n"
     "  info registers rax rsp   just those\n"
     "  info sregs          segment registers with their hidden descriptor caches,\n"
     "                      GDTR, IDTR, LDTR, TR\n"
     "  info cr             CR0, CR2, CR3, CR4, CR8 and EFER, bit by bit\n"
     "  info msr IA32_LSTAR an MSR by name (the IA32_ prefix may be left out) or number\n"
     "  info flags          RFLAGS bit by bit\n"
     "  info tlb            TLB statistics\n"
     "  info apic, info pic the interrupt controllers\n"
     "  info gdt            the GDT entry by entry (16-byte system descriptors in\n"
     "                      IA-32e mode are shown as one entry over two slots)\n"
     "  info idt            every gate in use; info idt 14: one gate in detail\n"
     "  info tss            the TSS: RSP0-2, the IST stacks, the I/O map base\n"
     "  info breakpoints    breakpoints, watchpoints, catchpoints\n"
     "  info checksum       a hash of all registers and of RAM (to compare states)"},
    {"x", NULL, cmd_x, "x/NFU ADDR", "examine memory",
     "N is a count, F a format (x hex, d signed, u unsigned, c char, s string,\n"
     "i instruction), U a unit (b 1, h 2, w 4, g 8 bytes). Addresses are linear:\n"
     "they go through the current page tables.\n"
     "  x/4xg rsp      four quadwords on the stack\n"
     "  x/s 0x2000     a string\n"
     "  x/3i rip       three instructions"},
    {"disas", NULL, cmd_disas, "disas [ADDR] [N]", "disassemble N instructions (default 8 at RIP)",
     "  disas\n  disas kmain 20"},
    {"pt", NULL, cmd_pt, "pt ADDR", "walk the page tables for a linear address",
     "Shows each level of the walk (entry address, value, flags), the physical\n"
     "address, and for ring 0 and ring 3 whether a read, a write and an instruction\n"
     "fetch would succeed -- or the page fault each would raise, its error code and\n"
     "which entry causes it.\n"
     "  pt rip\n  pt 0xffffffff80100000\n  pt cr2        (after a page fault: the faulting "
     "address)"},
    {"explain", "e", cmd_explain, "explain", "explain the last step in architectural terms",
     "Tells what the last step did, as the SDM's Operation section would, with this\n"
     "step's values. For SYSCALL: RCX <- RIP, R11 <- RFLAGS, RFLAGS &= ~FMASK, CS and\n"
     "SS from STAR, RIP <- LSTAR, CPL 3 -> 0. For an interrupt or exception: the IDT\n"
     "gate, the stack switch (TSS.RSP0 or an IST), the frame pushed, IF.\n"
     "  step\n  explain"},
    {"reverse-step", "rs", cmd_reverse_step, "reverse-step [N]", "go back N steps (default 1)",
     "Returns the machine to the state it had N steps ago -- every register, all of\n"
     "memory, the devices and the virtual clock -- by running forward again from an\n"
     "earlier snapshot (emu is deterministic). Output the guest printed is not\n"
     "printed again.\n"
     "  step 5\n  reverse-step 2"},
    {"reverse-continue", "rc", cmd_reverse_continue, "reverse-continue",
     "go back to the previous place continue would have stopped",
     "Goes back to the most recent point before now where a breakpoint, watchpoint or\n"
     "catchpoint fired, or to the boot if there is none.\n"
     "  break syscall\n  continue\n  continue\n  reverse-continue"},
    {"trace", NULL, cmd_trace, "trace on|off", "print events while running",
     "With trace on, continue/next/finish/until print each system call, exception,\n"
     "interrupt, IRET and address-space switch as it happens.\n"
     "  trace on\n  continue"},
    {"print", "p", cmd_print, "print EXPR", "evaluate an address expression",
     "Expressions: numbers (0x10, 16), registers (rax, $rip, cr3), symbols, + and -,\n"
     "and *EXPR for the 8 bytes at EXPR.\n"
     "  print rsp+8\n  print *rsp\n  print kmain"},
    {"set", NULL, cmd_set, "set syntax intel|att | snapshot-interval N", "settings",
     "  set syntax att     AT&T syntax for disassembly (intel is the default)\n"
     "  set snapshot-interval 1000000\n"
     "                     take a snapshot for reverse execution every N instructions\n"
     "                     (0: the default, 4194304); smaller makes going back faster\n"
     "                     and costs more memory"},
    {"symbol-file", NULL, cmd_symbol_file, "symbol-file FILE", "add symbols from an ELF file",
     "Adds the symbols and source lines of another ELF file, such as a user program.\n"
     "  symbol-file build/src/guest/init.elf"},
    {"help", "h", cmd_help, "help [COMMAND]", "list commands, or explain one",
     "  help\n  help break"},
    {"quit", "q", cmd_quit, "quit [STATUS]", "end the session",
     "Ends the session. The exit status is the guest's if the machine stopped, else 0,\n"
     "or STATUS if given."},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};

void cmd_help(struct repl *r, int argc, char **argv)
{
    if (argc > 1) {
        const struct repl_cmd *c = repl_find_command(argv[1]);
        if (!c) {
            repl_error(r, "no command '%s' (try 'help')", argv[1]);
            return;
        }
        repl_printf(r, "%s\n  %s\n%s\n", c->usage, c->summary, c->help);
        return;
    }
    repl_printf(r, "Commands (help COMMAND for details and examples):\n");
    for (const struct repl_cmd *c = repl_commands; c->name; c++)
        if (strcmp(c->name, "stepi")) repl_printf(r, "  %-18s %s\n", c->name, c->summary);
    repl_printf(r, "Addresses may be numbers, registers or symbols: break kmain, x/4xg rsp+8.\n"
                   "A first session: step, explain, info registers, pt rip, break syscall, "
                   "continue.\n");
}

void cmd_set(struct repl *r, int argc, char **argv)
{
    uint64_t n;
    if (argc == 3 && !strcmp(argv[1], "snapshot-interval") && repl_eval(r, argv[2], &n)) {
        snapshots_set_interval(r->snaps, n);
        return;
    }
    if (argc == 3 && !strcmp(argv[1], "syntax") &&
        (!strcmp(argv[2], "intel") || !strcmp(argv[2], "att"))) {
        r->syntax = !strcmp(argv[2], "att") ? DIS_ATT : DIS_INTEL;
        return;
    }
    repl_error(r, "usage: set syntax intel|att");
}

void cmd_trace(struct repl *r, int argc, char **argv)
{
    if (argc == 2 && (!strcmp(argv[1], "on") || !strcmp(argv[1], "off"))) {
        r->trace = !strcmp(argv[1], "on");
        repl_printf(r, "Tracing %s.\n",
                    r->trace ? "on: events print as they happen while "
                               "running"
                             : "off");
        return;
    }
    repl_error(r, "usage: trace on|off");
}

void cmd_quit(struct repl *r, int argc, char **argv)
{
    if (argc > 1) {
        char *end;
        long v = strtol(argv[1], &end, 0);
        if (*end || v < 0 || v > 255) {
            repl_error(r, "quit STATUS: a number 0..255");
            return;
        }
        r->quit_status = (int)v;
        r->quit_status_set = true;
    }
    r->quit = true;
}

void cmd_symbol_file(struct repl *r, int argc, char **argv)
{
    if (argc != 2) {
        repl_error(r, "usage: symbol-file FILE");
        return;
    }
    uint8_t *buf;
    size_t len;
    if (hostfile_read(argv[1], HOSTFILE_KERNEL_MAX, &buf, &len) < 0) {
        repl_error(r, "cannot read '%s': %s", argv[1], strerror(errno));
        return;
    }
    const char *why = "out of memory";
    int added = symtab_add_elf(r->syms, buf, len, argv[1], &why);
    free(buf);
    if (added < 0)
        repl_error(r, "'%s': %s", argv[1], why);
    else
        repl_printf(r, "%d symbols from %s\n", added, argv[1]);
}

/* ---- completion ------------------------------------------------------------ */

static const char *const info_words[] = {"registers", "sregs",       "cr",       "msr", "flags",
                                         "tlb",       "apic",        "pic",      "idt", "gdt",
                                         "tss",       "breakpoints", "checksum", NULL};
static const char *const break_words[] = {"syscall",   "vector", "exception",
                                          "pagefault", "cr3",    NULL};
static const char *const reg_words[] = {"rax", "rcx",    "rdx", "rbx", "rsp", "rbp", "rsi",  "rdi",
                                        "r8",  "r9",     "r10", "r11", "r12", "r13", "r14",  "r15",
                                        "rip", "rflags", "cr0", "cr2", "cr3", "cr4", "efer", NULL};

const char *repl_complete(struct repl *r, const char *line, int argi, const char *text, int state)
{
    size_t len = strlen(text);
    int seen = 0;
    if (argi == 0) {
        for (const struct repl_cmd *c = repl_commands; c->name; c++)
            if (!strncmp(c->name, text, len) && seen++ == state) return c->name;
        return NULL;
    }
    const char *const *words =
        !strncmp(line, "info", 4) || !strncmp(line, "i ", 2)                   ? info_words
        : argi == 1 && (!strncmp(line, "break", 5) || !strncmp(line, "b ", 2)) ? break_words
                                                                               : NULL;
    for (const char *const *w = words; w && *w; w++)
        if (!strncmp(*w, text, len) && seen++ == state) return *w;
    for (const char *const *w = reg_words; *w; w++)
        if (!strncmp(*w, text, len) && seen++ == state) return *w;
    for (size_t i = 0; i < symtab_count(r->syms); i++) {
        const char *name = symtab_name_at(r->syms, i);
        if (!strncmp(name, text, len) && seen++ == state) return name;
    }
    return NULL;
}
