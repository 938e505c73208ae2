/* fuzz_memfile (see fuzz.h). */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

int fuzz_memfile(int slot, const uint8_t *data, size_t size, char path[32])
{
    static int fds[2] = {-1, -1};
    if (slot < 0 || slot > 1)
        return -1;
    if (fds[slot] < 0)
        fds[slot] = memfd_create(slot ? "overlay.yaml" : "api.yaml", MFD_CLOEXEC);
    int fd = fds[slot];
    if (fd < 0 || ftruncate(fd, 0) != 0)
        return -1;
    size_t done = 0;
    while (done < size) {
        ssize_t w = pwrite(fd, data + done, size - done, (off_t)done);
        if (w <= 0)
            return -1;
        done += (size_t)w;
    }
    snprintf(path, 32, "/proc/self/fd/%d", fd);
    return 0;
}
