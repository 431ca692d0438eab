/*
 * A gpiochip for machines that have none, so the real lgpio library can be timed on them.
 *
 * Loaded with LD_PRELOAD by benchmarks/bench_hx711_path.py (the "real lgpio" sweep rows).
 * It answers the Linux GPIO character-device calls lgpio makes (open("/dev/gpiochipN") and
 * the GPIO v2 ioctls: chip info, line info, line request, get/set values, set config) for a
 * 58-line chip like a Raspberry Pi 4's. Each such ioctl is still made, once, as a real system
 * call on an fd of /dev/null (which refuses it with ENOTTY), so every lgpio call pays what a
 * real one pays to enter and leave the kernel and find its file, and lgpio's own C and
 * Python run unchanged. What it does not pay is gpiolib's own work inside the kernel and the
 * pin controller's register write, so the figures are a floor for this machine.
 *
 * Every input line reads low: a chip with a word ready (all zeros), as the bare-lines sweep
 * rows assume. Build: cc -O2 -shared -fPIC -o gpiochip_stub.so gpiochip_stub.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/gpio.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define MAX_FD 4096
#define CHIP_LINES 58

enum kind { NONE, CHIP, REQUEST };

static unsigned char fd_kind[MAX_FD];
static uint64_t req_levels[MAX_FD];            /* bit i: the request's i-th line */
static uint32_t req_offsets[MAX_FD][GPIO_V2_LINES_MAX];
static uint32_t req_count[MAX_FD];
static uint64_t line_flags[CHIP_LINES];         /* GPIO_V2_LINE_FLAG_* of a requested line */

static int (*real_open)(const char *, int, ...);
static int (*real_close)(int);
static int (*real_ioctl)(int, unsigned long, ...);

static void bind_real(void)
{
    if (!real_open) {
        real_open = dlsym(RTLD_NEXT, "open");
        real_close = dlsym(RTLD_NEXT, "close");
        real_ioctl = dlsym(RTLD_NEXT, "ioctl");
    }
}

static int open_stub(const char *path, int flags, mode_t mode)
{
    bind_real();
    if (strncmp(path, "/dev/gpiochip", 13) == 0) {
        int fd = real_open("/dev/null", O_RDWR | O_CLOEXEC);
        if (fd >= 0 && fd < MAX_FD)
            fd_kind[fd] = CHIP;
        return fd;
    }
    return real_open(path, flags, mode);
}

int open(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
    va_end(ap);
    return open_stub(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
    va_end(ap);
    return open_stub(path, flags, mode);
}

int close(int fd)
{
    bind_real();
    if (fd >= 0 && fd < MAX_FD && fd_kind[fd] == REQUEST) {
        for (uint32_t i = 0; i < req_count[fd]; i++)
            if (req_offsets[fd][i] < CHIP_LINES)
                line_flags[req_offsets[fd][i]] = 0;
        req_count[fd] = 0;
    }
    if (fd >= 0 && fd < MAX_FD)
        fd_kind[fd] = NONE;
    return real_close(fd);
}

static int request_lines(struct gpio_v2_line_request *r)
{
    int fd = real_open("/dev/null", O_RDWR | O_CLOEXEC);
    if (fd < 0 || fd >= MAX_FD) {
        errno = EMFILE;
        return -1;
    }
    for (uint32_t i = 0; i < r->num_lines; i++)
        if (r->offsets[i] >= CHIP_LINES || line_flags[r->offsets[i]]) {
            real_close(fd);
            errno = r->offsets[i] >= CHIP_LINES ? EINVAL : EBUSY;
            return -1;
        }
    fd_kind[fd] = REQUEST;
    req_count[fd] = r->num_lines;
    req_levels[fd] = 0;
    for (uint32_t i = 0; i < r->num_lines; i++) {
        req_offsets[fd][i] = r->offsets[i];
        line_flags[r->offsets[i]] = r->config.flags | GPIO_V2_LINE_FLAG_USED;
    }
    for (uint32_t a = 0; a < r->config.num_attrs; a++)
        if (r->config.attrs[a].attr.id == GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES)
            req_levels[fd] = r->config.attrs[a].attr.values & r->config.attrs[a].mask;
    r->fd = fd;
    return 0;
}

int ioctl(int fd, unsigned long request, ...)
{
    va_list ap;
    va_start(ap, request);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    bind_real();
    if (fd < 0 || fd >= MAX_FD || fd_kind[fd] == NONE)
        return real_ioctl(fd, request, arg);
    /* The system call a gpiochip's ioctl costs: /dev/null refuses it (ENOTTY). */
    int saved = errno;
    real_ioctl(fd, request, arg);
    errno = saved;
    switch (request) {
    case GPIO_GET_CHIPINFO_IOCTL: {
        struct gpiochip_info *info = arg;
        memset(info, 0, sizeof(*info));
        snprintf(info->name, sizeof(info->name), "gpiochip0");
        snprintf(info->label, sizeof(info->label), "pinctrl-bcm2711 (stub)");
        info->lines = CHIP_LINES;
        return 0;
    }
    case GPIO_V2_GET_LINEINFO_IOCTL: {
        struct gpio_v2_line_info *li = arg;
        uint32_t off = li->offset;
        if (off >= CHIP_LINES) {
            errno = EINVAL;
            return -1;
        }
        memset(li, 0, sizeof(*li));
        li->offset = off;
        snprintf(li->name, sizeof(li->name), "GPIO%u", off);
        li->flags = line_flags[off] ? line_flags[off] : GPIO_V2_LINE_FLAG_INPUT;
        if (line_flags[off])
            snprintf(li->consumer, sizeof(li->consumer), "lg");
        return 0;
    }
    case GPIO_V2_GET_LINE_IOCTL:
        return request_lines(arg);
    case GPIO_V2_LINE_SET_VALUES_IOCTL: {
        struct gpio_v2_line_values *v = arg;
        req_levels[fd] = (req_levels[fd] & ~v->mask) | (v->bits & v->mask);
        return 0;
    }
    case GPIO_V2_LINE_GET_VALUES_IOCTL: {
        struct gpio_v2_line_values *v = arg;
        uint64_t out = 0;
        for (uint32_t i = 0; i < req_count[fd]; i++)
            if (!(line_flags[req_offsets[fd][i]] & GPIO_V2_LINE_FLAG_INPUT))
                out |= req_levels[fd] & (1ULL << i); /* outputs read back; inputs read low */
        v->bits = out & v->mask;
        return 0;
    }
    case GPIO_V2_LINE_SET_CONFIG_IOCTL:
        return 0;
    default:
        errno = ENOTTY;
        return -1;
    }
}
