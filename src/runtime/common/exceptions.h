// try/catch for the C API's boundary, in builds with and without exceptions.
//
// With exceptions, the C API turns a std::bad_alloc thrown by the standard
// library into BARISTA_STATUS_OUT_OF_MEMORY and anything else into
// BARISTA_STATUS_INTERNAL, so nothing ever crosses into the host's C code.
// Built with -fno-exceptions (BARISTA_NO_EXCEPTIONS, for game engines and
// mobile apps), nothing is ever thrown: the guarded block runs plainly, the
// handlers are compiled out, and an exhausted heap inside a container ends
// the process, as it does in the host's own code. The buffers whose size the
// host or the file chooses (a model read into memory, the overlay's memory
// limit) are checked where they are allocated, and return
// BARISTA_STATUS_OUT_OF_MEMORY in every build.
#pragma once

#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
#define BARISTA_TRY try
#define BARISTA_CATCH(...) catch (__VA_ARGS__)
#else
#define BARISTA_TRY if (true)
#define BARISTA_CATCH(...) if (false)
#endif
