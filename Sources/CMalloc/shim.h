#include <stddef.h>
#if defined(__linux__)
#include <features.h>
#endif

#if defined(__GLIBC__)
#include <malloc.h>
/// Returns the free pages of every malloc arena to the operating system (`malloc_trim(0)`).
static inline void rotor_release_free_memory(void) { (void)malloc_trim(0); }
#else
static inline void rotor_release_free_memory(void) {}
#endif
