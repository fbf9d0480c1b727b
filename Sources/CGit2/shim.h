#include <git2.h>
#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>
#include <zlib.h>

/// zlib's inflateInit is a macro (it passes the library's version and the stream's size): a
/// function Swift can call.
static inline int rotor_inflate_init(z_stream *stream) { return inflateInit(stream); }
