// CLMDB: the system lmdb headers, exposed to exactly one Swift module (see docs/architecture.md).
// Exists because SwiftPM reaches a C library only through a module map; remove only if the library
// ships one of its own.
#include <lmdb.h>
