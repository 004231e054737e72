/* uname and reboot. */
#include "sys.h"

#include "errno.h"
#include "power.h"
#include "printk.h"
#include "str.h"
#include "traps.h"
#include "uaccess.h"
#include "uapi.h"
#include "version.h"

long sys_uname(struct trapframe *tf)
{
    struct utsname u;
    memset(&u, 0, sizeof(u));
    strlcpy(u.sysname, KERNEL_NAME, UTS_LEN);
    strlcpy(u.nodename, "emu", UTS_LEN);
    strlcpy(u.release, KERNEL_RELEASE, UTS_LEN);
    strlcpy(u.version, KERNEL_VERSION, UTS_LEN);
    strlcpy(u.machine, "x86_64", UTS_LEN);
    strlcpy(u.domainname, "(none)", UTS_LEN);
    return copy_to_user((void *)tf->rdi, &u, sizeof(u)) ? -EFAULT : 0;
}

/* reboot(magic1, magic2, cmd): only LINUX_REBOOT_CMD_POWER_OFF. */
long sys_reboot(struct trapframe *tf)
{
    if ((u32)tf->rdi != LINUX_REBOOT_MAGIC1 || (u32)tf->rsi != LINUX_REBOOT_MAGIC2) return -EINVAL;
    if ((u32)tf->rdx != LINUX_REBOOT_CMD_POWER_OFF) return -EINVAL;
    printk("reboot: Power down\n");
    machine_poweroff();
}
