#include <git2.h>
#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>
#include <git2/sys/repository.h>
#include <zlib.h>

/// zlib's inflateInit is a macro (it passes the library's version and the stream's size): a
/// function Swift can call.
static inline int rotor_inflate_init(z_stream *stream) { return inflateInit(stream); }

/// git_libgit2_opts is variadic, which Swift cannot call: the one setting rotor changes.
/// Parsed trees up to `bytes` are kept in each repository's object cache (libgit2's default is 4 KiB).
static inline int rotor_set_tree_cache_limit(size_t bytes) {
    return git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE, bytes);
}

/// The most bytes of pack files mapped at once, process-wide (libgit2's default is 8 GiB on
/// 64-bit): least recently used windows are unmapped beyond it.
static inline int rotor_set_mapped_pack_limit(size_t bytes) {
    return git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, bytes);
}

/// The most bytes of parsed objects cached, process-wide (libgit2's default is 256 MiB).
static inline int rotor_set_object_cache_limit(ssize_t bytes) {
    return git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, bytes);
}
