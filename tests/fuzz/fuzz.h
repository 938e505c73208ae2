/* Shared bits of the libFuzzer targets: the entry point every target defines, and an
 * in-memory file (memfd) for code that only loads definitions by path, so a fuzz run
 * never writes to disk. */
#ifndef GH_FUZZ_H
#define GH_FUZZ_H
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A memfd holding exactly data[0..size); its path ("/proc/self/fd/N") goes to *path
 * (at least 32 bytes). The fd is created once per slot (0 or 1) and reused. Returns 0, or
 * -1 when memfds are unavailable. */
int fuzz_memfile(int slot, const uint8_t *data, size_t size, char path[32]);

#endif
