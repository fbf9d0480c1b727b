#include <stddef.h>
#if defined(__linux__)
#include <features.h>
#endif

#if defined(__GLIBC__)
#include <malloc.h>
/// Returns the free pages of every malloc arena to the operating system (`malloc_trim(0)`).
static inline void rotor_release_free_memory(void) { (void)malloc_trim(0); }
/// Caps the malloc arenas glibc creates from now on at `count` (`mallopt(M_ARENA_MAX, count)`;
/// glibc's default is 8 per core).
static inline void rotor_limit_malloc_arenas(int count) { (void)mallopt(M_ARENA_MAX, count); }
#else
static inline void rotor_release_free_memory(void) {}
static inline void rotor_limit_malloc_arenas(int count) { (void)count; }
#endif
