/*
 * barista.h — the C API of barista, an embedded wide & deep recommender.
 *
 * A host opens a model file (memory-mapped, read-only), creates one session
 * per thread, describes a customer in a request and asks for the top-K items
 * of the catalog, or for the probability that the customer takes given items:
 *
 *     barista_model* model = NULL;
 *     barista_error err;
 *     if (barista_model_open_file("menu.barista", NULL, &model, &err) != BARISTA_STATUS_OK) {
 *         fprintf(stderr, "%s\n", err.message);
 *         return 1;
 *     }
 *     barista_session* session = NULL;
 *     barista_request* request = NULL;
 *     barista_session_create(model, &session);
 *     barista_request_create(model, &request);
 *     barista_request_set_user(request, "alice", BARISTA_STRLEN);
 *     barista_request_add_string(request, "basket", "croissant", BARISTA_STRLEN);
 *
 *     barista_recommend_params params = barista_recommend_default_params();
 *     params.k = 5;
 *     barista_recommendation top[5];
 *     size_t n = 0;
 *     if (barista_session_recommend(session, request, &params, top, 5, &n) == BARISTA_STATUS_OK) {
 *         for (size_t i = 0; i < n; ++i) { ... top[i].item, top[i].score ... }
 *     }
 *     barista_request_free(request);
 *     barista_session_free(session);
 *     barista_model_free(model);
 *
 * Conventions
 * - Every call that can fail returns a barista_status (0 = OK) and writes its
 *   results through out-parameters, which are left untouched on failure.
 *   Bad input — NULL pointers, a handle of the wrong type, out-of-range
 *   indices, short buffers, NaN features, a corrupt model file — gives a
 *   status, never an abort, in every build.
 * - A readable message for the last failure is kept by the object the call
 *   was made on (barista_session_last_error() and friends); opening a model
 *   reports through an optional barista_error.
 * - Strings passed in are copied or hashed before the call returns; the
 *   caller keeps ownership. A length of BARISTA_STRLEN means "NUL-terminated".
 * - Strings returned as `const char*` point into the model and stay valid
 *   until the model is released.
 * - barista_*_free(NULL) is a no-op.
 *
 * Threads
 * - No global mutable state, no hidden threads, no locks on the hot path.
 * - An open model is immutable: any number of threads may use it at once.
 * - A session, a request and an item belong to one thread at a time (they
 *   may move between threads, with the usual happens-before hand-off).
 * - Creating and freeing objects of one model from several threads at once
 *   is safe (the model's reference count is atomic).
 *
 * Lifetimes
 * - Sessions, requests and items keep their model alive: the model's memory
 *   (and its file mapping) is released when barista_model_free() has been
 *   called and the last object created from it has been freed.
 */
#ifndef BARISTA_H
#define BARISTA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Export macro                                                             */
/* ------------------------------------------------------------------------ */

#if defined(BARISTA_STATIC)
#define BARISTA_API
#elif defined(_WIN32)
#if defined(BARISTA_BUILDING_LIBRARY)
#define BARISTA_API __declspec(dllexport)
#else
#define BARISTA_API __declspec(dllimport)
#endif
#else
#define BARISTA_API __attribute__((visibility("default")))
#endif

/* ------------------------------------------------------------------------ */
/* Versions                                                                 */
/* ------------------------------------------------------------------------ */

/* The library's version (semantic versioning; while the major version is 0,
 * a new minor version may change the ABI, and the shared library's SONAME,
 * libbarista.so.0.MINOR, changes with it). The README's changelog says what
 * each version changed. */
#define BARISTA_VERSION_MAJOR 0
#define BARISTA_VERSION_MINOR 3
#define BARISTA_VERSION_PATCH 0
#define BARISTA_VERSION_STRING "0.3.0"
/* major * 10000 + minor * 100 + patch */
#define BARISTA_VERSION_NUMBER (BARISTA_VERSION_MAJOR * 10000 + BARISTA_VERSION_MINOR * 100 + BARISTA_VERSION_PATCH)

/* The model file format this library reads and writes (schema/barista_model.fbs).
 * Files with another major version are refused; newer minor versions only add
 * fields this library may ignore. */
#define BARISTA_FORMAT_MAJOR 3
#define BARISTA_FORMAT_MINOR 0
/* The oldest model file format major this library reads. Models that use
 * nothing of format 2 are written as format 1.2, models without a sequence
 * encoder as format 2.1. */
#define BARISTA_FORMAT_MAJOR_OLDEST 1

/* The layout of quantized tensors (int8 row-wise: value = scale * q + bias). */
#define BARISTA_QUANTIZATION_VERSION 1

/* The run-time library's version, e.g. "0.3.0" (static storage). Compare with
 * BARISTA_VERSION_STRING to detect a header/library mismatch. */
BARISTA_API const char* barista_version(void);

/* The run-time library's BARISTA_VERSION_NUMBER. */
BARISTA_API uint32_t barista_version_number(void);

/* ------------------------------------------------------------------------ */
/* Status codes                                                             */
/* ------------------------------------------------------------------------ */

/* Append-only: numbers are never reused or renumbered. */
typedef enum barista_status {
  BARISTA_STATUS_OK = 0,
  /* A NULL pointer, a handle of the wrong type, an index out of range, a
   * NaN or infinite feature, a value of the wrong kind. */
  BARISTA_STATUS_INVALID_ARGUMENT = 1,
  /* An unknown input name or item id. (Unknown users are not an error: they
   * take the cold-start path.) */
  BARISTA_STATUS_NOT_FOUND = 2,
  /* The file could not be opened, read or mapped. */
  BARISTA_STATUS_IO_ERROR = 3,
  /* The bytes are not a barista model (wrong file identifier, too short). */
  BARISTA_STATUS_NOT_A_MODEL = 4,
  /* A model file format or quantization version this library cannot read. */
  BARISTA_STATUS_UNSUPPORTED_VERSION = 5,
  /* The model failed verification: broken structure, inconsistent shapes,
   * indices out of range, a checksum mismatch or non-finite weights. */
  BARISTA_STATUS_CORRUPT_MODEL = 6,
  /* A documented limit was exceeded (sizes, counts, values per input). */
  BARISTA_STATUS_LIMIT_EXCEEDED = 7,
  BARISTA_STATUS_OUT_OF_MEMORY = 8,
  /* An output buffer is too small; the needed size is reported where the
   * call has a way to report it. */
  BARISTA_STATUS_BUFFER_TOO_SMALL = 9,
  /* The request cannot be served here (e.g. forcing kernels this CPU lacks). */
  BARISTA_STATUS_UNSUPPORTED = 10,
  /* A bug in barista; please report it with the message. */
  BARISTA_STATUS_INTERNAL = 11,
  /* An overlay file (learned weights, or catalog changes) is damaged (not a
   * torn tail, which recovery discards). */
  BARISTA_STATUS_CORRUPT_OVERLAY = 12,
  /* An overlay or catalog changes file was written for another model. */
  BARISTA_STATUS_WRONG_MODEL = 13
} barista_status;

/* "BARISTA_STATUS_OK", ...; NULL for a number that is not a status.
 * Static storage. */
BARISTA_API const char* barista_status_name(barista_status status);

/* A one-line explanation of a status (static storage, never NULL). */
BARISTA_API const char* barista_status_describe(barista_status status);

/* Failure details for calls that have no object to keep them. */
typedef struct barista_error {
  barista_status status;
  char message[256]; /* NUL-terminated, possibly shortened */
} barista_error;

/* Pass as a string length to mean "the string is NUL-terminated". */
#define BARISTA_STRLEN ((size_t)-1)

/* ------------------------------------------------------------------------ */
/* Handles                                                                  */
/* ------------------------------------------------------------------------ */

/* An open model: immutable, shareable by any number of threads. */
typedef struct barista_model barista_model;
/* Scratch memory for scoring: one thread at a time. */
typedef struct barista_session barista_session;
/* A customer and their context (user and context features). */
typedef struct barista_request barista_request;
/* An item described by its features, e.g. one not in the catalog. */
typedef struct barista_item barista_item;

/* ------------------------------------------------------------------------ */
/* Parameter structs, and how they grow                                     */
/* ------------------------------------------------------------------------ */

/* barista_open_params, barista_recommend_params and barista_overlay_params
 * begin with `struct_size`, so that a later barista can append fields to
 * them without breaking hosts compiled against this header.
 *
 * A host initializes a params struct with its barista_*_default_params(),
 * then sets the fields it wants:
 *
 *     barista_recommend_params params = barista_recommend_default_params();
 *     params.k = 5;
 *
 * The default_params() functions are inline, here in the header, so that
 * struct_size is the size of the struct the host was compiled with; they
 * call barista_*_params_init(), which a binding from another language calls
 * itself with its own struct's size. A struct filled by hand is zeroed
 * first (memset) and given struct_size = sizeof the struct.
 *
 * What the library does with struct_size:
 * - 0, or smaller than the struct's first layout (struct_size and the first
 *   field after it; every later field is optional): refused with
 *   BARISTA_STATUS_INVALID_ARGUMENT, so is anything above
 *   BARISTA_PARAMS_MAX_SIZE (a struct_size never set). Nothing is read.
 * - up to the size this library knows: it reads only the fields that lie
 *   wholly within struct_size (a pointer and its count together) and takes
 *   the default for every other field. A host compiled against an older
 *   barista.h, whose struct ends sooner, gets the defaults for the fields it
 *   never heard of.
 * - larger than the library knows (a host compiled against a newer
 *   barista.h, running with an older library): accepted when every byte
 *   beyond what the library knows is zero (the newer fields left as the
 *   older library's barista_*_params_init() left them); otherwise refused
 *   with BARISTA_STATUS_INVALID_ARGUMENT ("built against a newer barista"),
 *   since the host asked for something this library cannot do.
 *
 * Fields are only ever appended after the end of the previous layout (its
 * sizeof, trailing padding included), so the library never reads an older
 * host's padding as a field, and are never removed or reordered. */

/* The largest struct_size accepted. */
#define BARISTA_PARAMS_MAX_SIZE 4096

/* ------------------------------------------------------------------------ */
/* Opening a model                                                          */
/* ------------------------------------------------------------------------ */

typedef enum barista_open_flags {
  BARISTA_OPEN_DEFAULT = 0,
  /* Also check the payload checksum and that every stored number is finite.
   * Costs time proportional to the file size (the default checks grow only
   * with the number of tables). */
  BARISTA_OPEN_VERIFY_FULL = 1,
  /* barista_model_open_file: read the file into memory of the model's own
   * instead of mapping it, so that the open model no longer depends on the
   * file (which may then be truncated or rewritten in place). Costs the
   * file's size in memory, and a read of the whole file at open. */
  BARISTA_OPEN_COPY = 2
} barista_open_flags;

typedef struct barista_open_params {
  size_t struct_size; /* sizeof(barista_open_params): see "how they grow" */
  uint32_t flags;     /* barista_open_flags, OR-ed */
  /* Kernel variant: NULL or "auto" picks the best one this CPU runs;
   * "reference" (portable scalar code), or on x86-64 "sse4_2", "avx2",
   * "avx2_vnni", "avx512", "avx512_vnni", on 64-bit ARM "neon", force one
   * (BARISTA_STATUS_UNSUPPORTED when this CPU or build lacks it). */
  const char* kernels;
} barista_open_params;

/* Zeroes the first `struct_size` bytes of `params`, then sets struct_size
 * and the defaults of the fields that fit: flags = BARISTA_OPEN_DEFAULT,
 * kernels = NULL. BARISTA_STATUS_INVALID_ARGUMENT for a NULL `params` or a
 * struct_size the library would refuse (see "how they grow"). */
BARISTA_API barista_status barista_open_params_init(barista_open_params* params, size_t struct_size);

/* The defaults, for the struct this host was compiled with. */
static inline barista_open_params barista_open_default_params(void) {
  barista_open_params params;
  barista_open_params_init(&params, sizeof params);
  return params;
}

/* Opens the model file at `path` by memory-mapping it read-only; nothing is
 * copied (unless BARISTA_OPEN_COPY). A mapped file must not be modified in
 * place while the model is open: truncating it or writing over it (cp onto
 * it) changes or removes the pages the model reads, and the process dies
 * (SIGBUS). To update a model, write the new file beside it and rename(2)
 * it over the old name: open models keep reading the old file, which the
 * system keeps until they are freed; models opened after the rename get the
 * new one. Hosts that cannot promise that open with BARISTA_OPEN_COPY.
 * Anything but a regular file (a FIFO, a device, a directory) is refused
 * with BARISTA_STATUS_IO_ERROR, without blocking. `params` may be NULL (defaults); `out_error` may be NULL.
 * On success *out_model receives a model the caller releases with
 * barista_model_free(). */
BARISTA_API barista_status barista_model_open_file(const char* path, const barista_open_params* params,
                                                   barista_model** out_model, barista_error* out_error);

/* Opens a model held in the caller's memory (an Android asset, an iOS bundle
 * resource). When `data` is 8-byte aligned it is used in place and must stay
 * valid and unchanged until the model is released; otherwise it is copied
 * once. */
BARISTA_API barista_status barista_model_open_buffer(const void* data, size_t size, const barista_open_params* params,
                                                     barista_model** out_model, barista_error* out_error);

/* Drops the caller's reference. The model is released once every session,
 * request and item made from it has been freed too. NULL is a no-op. */
BARISTA_API void barista_model_free(barista_model* model);

/* The full check of BARISTA_OPEN_VERIFY_FULL on an open model: payload
 * checksum and finiteness of every stored number. */
BARISTA_API barista_status barista_model_verify(const barista_model* model, barista_error* out_error);

/* ------------------------------------------------------------------------ */
/* Looking into a model                                                     */
/* ------------------------------------------------------------------------ */

typedef struct barista_model_info {
  /* Metadata; "" when absent. Valid while the model lives. */
  const char* name;
  const char* version;
  const char* description;
  const char* producer;
  int64_t created_unix; /* seconds since the epoch, 0 when unknown */
  uint32_t format_major;
  uint32_t format_minor;
  uint32_t quantization_version;
  size_t item_count;
  size_t input_count;
  size_t file_size;    /* bytes */
  const char* kernels; /* the kernel variant in use, e.g. "avx2" */
} barista_model_info;

BARISTA_API barista_status barista_model_get_info(const barista_model* model, barista_model_info* out_info);

/* Heap memory the open model holds, in bytes: its tables, the serving
 * index built at open (what every session reads: per catalog item, the
 * hashes of its crossed values and its learnable wide ids; the int8 copy of
 * the hidden layers), and the model's copy of the file when it has one
 * (BARISTA_OPEN_COPY, an unaligned buffer). A mapped file's pages are not
 * counted. 0 for an invalid handle. */
BARISTA_API size_t barista_model_memory_bytes(const barista_model* model);

typedef enum barista_source {
  BARISTA_SOURCE_USER = 0,
  BARISTA_SOURCE_CONTEXT = 1,
  BARISTA_SOURCE_ITEM = 2
} barista_source;

typedef enum barista_value_kind {
  /* Strings or integers: ids, categories, the items in a basket. */
  BARISTA_VALUE_CATEGORICAL = 0,
  /* A real number: price, hour of day. */
  BARISTA_VALUE_NUMERIC = 1
} barista_value_kind;

typedef struct barista_input_info {
  const char* name; /* valid while the model lives */
  barista_source source;
  barista_value_kind kind;
  int multivalent;     /* 1 when the input takes a list of values */
  uint32_t max_values; /* most values per request or item */
} barista_input_info;

/* Inputs are numbered 0 .. input_count - 1 (barista_model_get_info). */
BARISTA_API barista_status barista_model_get_input(const barista_model* model, size_t index,
                                                   barista_input_info* out_info);

/* The name of the input holding the user id, or NULL when the model has none. */
BARISTA_API const char* barista_model_user_input(const barista_model* model);

/* Finds a catalog item by id. Items are numbered 0 .. item_count - 1.
 * BARISTA_STATUS_NOT_FOUND when the catalog has no such item. For a catalog
 * of integer ids, `id` is parsed as a decimal integer. */
BARISTA_API barista_status barista_model_find_item(const barista_model* model, const char* id, size_t length,
                                                   uint32_t* out_index);

/* Finds a catalog item by integer id (any catalog: the id is matched as its
 * decimal string). */
BARISTA_API barista_status barista_model_find_item_int64(const barista_model* model, int64_t id, uint32_t* out_index);

/* Copies the id of item `index` into `buffer` as a NUL-terminated string
 * (decimal for integer ids). *out_length (may be NULL) receives the length
 * without the NUL; with a too-small buffer the call fails with
 * BARISTA_STATUS_BUFFER_TOO_SMALL and *out_length still receives the length. */
BARISTA_API barista_status barista_model_get_item_id(const barista_model* model, uint32_t index, char* buffer,
                                                     size_t buffer_size, size_t* out_length);

/* ------------------------------------------------------------------------ */
/* Requests: who is asking, and in what context                             */
/* ------------------------------------------------------------------------ */

/* Creates an empty request for `model` (which it keeps alive). Reuse one
 * request across calls with barista_request_clear() to avoid allocations. */
BARISTA_API barista_status barista_request_create(const barista_model* model, barista_request** out_request);
BARISTA_API void barista_request_free(barista_request* request);

/* Removes every value; keeps the memory. */
BARISTA_API barista_status barista_request_clear(barista_request* request);

/* Sets the user id (the model's user input). Users the model has never seen
 * are fine: they get the cold-start path. BARISTA_STATUS_NOT_FOUND when the
 * model has no user input. */
BARISTA_API barista_status barista_request_set_user(barista_request* request, const char* user_id, size_t length);

/* Adds a value to a categorical user or context input. A multi-valent input
 * (recent items, basket) collects values up to its max_values
 * (BARISTA_STATUS_LIMIT_EXCEEDED beyond); a single-valued input keeps the
 * last value given. */
BARISTA_API barista_status barista_request_add_string(barista_request* request, const char* input, const char* value,
                                                      size_t length);

/* As barista_request_add_string() with the decimal form of `value`. */
BARISTA_API barista_status barista_request_add_int64(barista_request* request, const char* input, int64_t value);

/* Sets a numeric user or context input. NaN and infinities are refused with
 * BARISTA_STATUS_INVALID_ARGUMENT; unset numeric inputs take the model's
 * default value. */
BARISTA_API barista_status barista_request_set_number(barista_request* request, const char* input, double value);

/* The message of the last failed call on `request` ("" when none). Valid
 * until the next call on `request`. */
BARISTA_API const char* barista_request_last_error(const barista_request* request);

/* ------------------------------------------------------------------------ */
/* Items described by their features                                       */
/* ------------------------------------------------------------------------ */

/* An item given by its feature values rather than by catalog index — a new
 * seasonal product the model has never seen is scored from its attributes.
 * Same rules as requests, for item inputs. */
BARISTA_API barista_status barista_item_create(const barista_model* model, barista_item** out_item);
BARISTA_API void barista_item_free(barista_item* item);
BARISTA_API barista_status barista_item_clear(barista_item* item);
BARISTA_API barista_status barista_item_add_string(barista_item* item, const char* input, const char* value,
                                                   size_t length);
BARISTA_API barista_status barista_item_add_int64(barista_item* item, const char* input, int64_t value);
BARISTA_API barista_status barista_item_set_number(barista_item* item, const char* input, double value);
BARISTA_API const char* barista_item_last_error(const barista_item* item);

/* ------------------------------------------------------------------------ */
/* Sessions: scoring and recommending                                       */
/* ------------------------------------------------------------------------ */

/* Creates a session (scratch memory sized for `model`, which it keeps
 * alive). One session per thread. A session holds only per-request
 * scratch; what is derived from the catalog belongs to the model and is
 * shared by all its sessions. */
BARISTA_API barista_status barista_session_create(const barista_model* model, barista_session** out_session);
BARISTA_API void barista_session_free(barista_session* session);

/* Heap memory the session holds, in bytes: buffers sized by the model's
 * layer widths, and what the largest request and result so far needed
 * (cross chains, the customer's learned weights, the top-K). It does not
 * grow with the catalog. 0 for an invalid handle. */
BARISTA_API size_t barista_session_memory_bytes(const barista_session* session);

/* The message of the last failed call on `session` ("" when none). Valid
 * until the next call on `session`. */
BARISTA_API const char* barista_session_last_error(const barista_session* session);

/* Writes p(interaction) = sigmoid(wide + deep) for each catalog item in
 * `items[0 .. count)` to out_scores[0 .. count). `out_capacity` is the
 * length of out_scores (BARISTA_STATUS_BUFFER_TOO_SMALL when < count).
 * A model with non-finite weights yields NaN scores, never a crash. */
BARISTA_API barista_status barista_session_score(barista_session* session, const barista_request* request,
                                                 const uint32_t* items, size_t count, float* out_scores,
                                                 size_t out_capacity);

/* As barista_session_score() for items described by their features. */
BARISTA_API barista_status barista_session_score_items(barista_session* session, const barista_request* request,
                                                       const barista_item* const* items, size_t count,
                                                       float* out_scores, size_t out_capacity);

typedef enum barista_precision {
  /* Every item through the f32 layers. */
  BARISTA_PRECISION_EXACT = 0,
  /* The upper hidden layers in int8 (u8 activations x s8 weights; VNNI
   * where the CPU has it) choose a shortlist of max(4k, k + 50) items, which
   * are then rescored exactly: the returned scores are exact, and the top k
   * equals the exact one unless an item fell out of the shortlist
   * (`barista bench` prints how often the top-10 agrees). Models whose
   * hidden layers are not all ReLU, or with no hidden layer above the
   * first, are ranked exactly; so are all models on kernels without a
   * vector int8 product (avx512_vnni, avx2_vnni and neon have one; on the
   * others it would be scalar code, many times slower than their f32
   * layers). */
  BARISTA_PRECISION_INT8_SHORTLIST = 1
} barista_precision;

typedef struct barista_recommend_params {
  size_t struct_size; /* sizeof(barista_recommend_params): see "how they grow" */
  /* How many items to return (default 10). Fewer come back when fewer are
   * eligible. */
  size_t k;
  /* Catalog indices to rank; NULL ranks the whole catalog. Duplicates count
   * once. */
  const uint32_t* candidates;
  size_t candidate_count;
  /* Catalog indices never to return (already bought, out of stock). */
  const uint32_t* exclude;
  size_t exclude_count;
  /* Items not in the catalog, ranked alongside it. In results they are
   * numbered item_count + position in this array. */
  const barista_item* const* extra_items;
  size_t extra_item_count;
  /* How the catalog is ranked: a barista_precision (default
   * BARISTA_PRECISION_EXACT). An integer, so that any value a host passes
   * is checked rather than undefined. */
  uint32_t precision;
} barista_recommend_params;

/* As barista_open_params_init(). Defaults: k = 10, whole catalog, nothing
 * excluded, no extra items, exact. */
BARISTA_API barista_status barista_recommend_params_init(barista_recommend_params* params, size_t struct_size);

/* The defaults, for the struct this host was compiled with. */
static inline barista_recommend_params barista_recommend_default_params(void) {
  barista_recommend_params params;
  barista_recommend_params_init(&params, sizeof params);
  return params;
}

typedef struct barista_recommendation {
  /* Catalog index (< item_count); with catalog changes attached to the
   * session, item_count + i for their added item i; then item_count +
   * (added items) + j for params.extra_items[j]. */
  uint32_t item;
  /* p(interaction), in [0, 1]; NaN only with non-finite model weights. */
  float score;
} barista_recommendation;

/* The top-k items for `request`, best first. Ties keep the lower item
 * number first, so results are deterministic; NaN scores rank last.
 * `params` may be NULL (defaults). `out` holds `out_capacity` entries
 * (BARISTA_STATUS_BUFFER_TOO_SMALL when < k); *out_count receives how many
 * were written. */
BARISTA_API barista_status barista_session_recommend(barista_session* session, const barista_request* request,
                                                     const barista_recommend_params* params,
                                                     barista_recommendation* out, size_t out_capacity,
                                                     size_t* out_count);

/* Many requests in one call (a nightly e-mail list, a push campaign): for
 * each entry, its request's top-k under its own params (NULL: defaults),
 * as barista_session_recommend() gives them. Entry i's results start right
 * after entry i - 1's k slots (so `out` holds at least the sum of the k's:
 * BARISTA_STATUS_BUFFER_TOO_SMALL otherwise, before anything is done);
 * out_counts[i] receives how many entry i has. A failing entry fails the
 * call with its number in the message, and every count is then 0. One
 * thread, like the session: a host that wants several cores runs one
 * session per thread over its own share of the requests. */
typedef struct barista_batch_request {
  const barista_request* request;
  const barista_recommend_params* params;
} barista_batch_request;

BARISTA_API barista_status barista_session_recommend_many(barista_session* session,
                                                          const barista_batch_request* requests, size_t count,
                                                          barista_recommendation* out, size_t out_capacity,
                                                          size_t* out_counts);

/* ------------------------------------------------------------------------ */
/* Explanations: why an item scores what it scores                          */
/* ------------------------------------------------------------------------ */

/* One wide term's contribution: one id of a categorical term that the
 * example activated (an id activated twice counts once, at twice the
 * weight), or a numeric term. */
typedef struct barista_wide_contribution {
  const char* term;  /* the term's column name, e.g. "history_x_item_id" */
  /* What fired it: a vocabulary key or catalog item id ("latte"), the
   * components of a cross joined by the multiplication sign (U+00D7, in
   * UTF-8, with a space each side: "latte x croissant" with that sign), a
   * bucket ("hour in [11, 14)"), a numeric value ("price = 4.5"), "this
   * customer" for the user id, or "bucket N" for a hashed value the model
   * cannot name. */
  const char* value;
  float model;   /* the model's weight times the term's combiner scale */
  float learned; /* what the attached overlay learned for this customer on it */
} barista_wide_contribution;

/* One deep input's share of the deep output (integrated gradients). */
typedef struct barista_deep_attribution {
  const char* input; /* the deep input's column name */
  float attribution;
} barista_deep_attribution;

typedef struct barista_explanation {
  size_t struct_size; /* sizeof(barista_explanation), set by the caller */
  /* The item's logit (its score is sigmoid(logit)), exactly
   *   bias + wide + learned + deep,
   * where wide and learned are the sums of the contributions' parts. */
  float logit;
  float bias;
  float wide;
  float learned;
  float deep;
  /* The deep output at an all-zero input, and the difference between
   * deep - deep_baseline and the sum of the attributions (the integration's
   * error: 64 midpoints on the straight path from zero). */
  float deep_baseline;
  float integration_error;
  /* Largest |model + learned| first; valid until the session's next call. */
  const barista_wide_contribution* wide_terms;
  size_t wide_term_count;
  /* In the model's order of deep inputs; valid until the session's next call. */
  const barista_deep_attribution* deep_inputs;
  size_t deep_input_count;
} barista_explanation;

/* Explains catalog item `item` (BARISTA_STATUS_INVALID_ARGUMENT when out
 * of range) for `request`, as the session scores it (with its overlay and
 * customer memory). `out->struct_size` must be set. The slow path: every
 * term evaluated, the deep part run 64 times forward and backward (README,
 * "Explanations", has its cost). */
BARISTA_API barista_status barista_session_explain(barista_session* session, const barista_request* request,
                                                   uint32_t item, barista_explanation* out);
/* The same for an item described by its features. */
BARISTA_API barista_status barista_session_explain_item(barista_session* session, const barista_request* request,
                                                        const barista_item* item, barista_explanation* out);

/* ------------------------------------------------------------------------ */
/* On-device learning: overlays                                             */
/* ------------------------------------------------------------------------ */

/* What a device learns about its customers, on top of a model that stays
 * read-only: per customer, FTRL-Proximal adjustments of the wide weights the
 * model marks learnable (by default those that read the user id or the
 * history, and the item id's: a per-customer memory of items). Each learned
 * weight belongs to one customer, so it acts as a cross of the customer
 * with its term. The step learns a residual: the model's own logit plus
 * what was learned before is the offset. Sessions score with an overlay attached
 * (barista_session_set_overlay), so a customer the model has never seen
 * gets personal recommendations after a few interactions.
 *
 * An overlay lives in a fixed amount of memory chosen by the host; when it
 * is full, the least recently updated learned weight is evicted. With a
 * path it persists to two files, PATH (a snapshot) and PATH.journal (an
 * append-only journal of checksummed records): barista_overlay_sync() makes
 * everything observed before it durable; after a crash, reopening recovers
 * every synced update and discards a torn tail.
 *
 * One thread at a time: an overlay, and the sessions it is attached to, are
 * used by one thread (or under the host's own lock). Overlays keep their
 * model alive, and sessions keep their overlay alive. */
typedef struct barista_overlay barista_overlay;

typedef enum barista_overlay_flags {
  BARISTA_OVERLAY_DEFAULT = 0,
  /* When a journal record in the middle of the file is damaged, keep what
   * precedes it instead of failing with BARISTA_STATUS_CORRUPT_OVERLAY. */
  BARISTA_OVERLAY_SALVAGE = 1
} barista_overlay_flags;

typedef struct barista_overlay_params {
  size_t struct_size; /* sizeof(barista_overlay_params): see "how they grow" */
  /* The most memory the learned weights may take, in bytes (default 1 MiB;
   * at least 5,120). 1 MiB holds 12,288 learned weights (67 bytes each,
   * tables included). */
  size_t memory_limit;
  /* FTRL-Proximal: learning rate (0.3), beta (1), L1 (0.001), L2 (0.001). */
  float learning_rate;
  float beta;
  float l1;
  float l2;
  /* barista_overlay_observe_shown: the weight of the label-0 step for each
   * shown item that was not taken (a purchase weighs 1). Default 0.03: a
   * passed-over item is weak evidence. */
  float shown_weight;
  uint32_t flags; /* barista_overlay_flags, OR-ed */
  /* Customer memory: the most memory it may take, in bytes (default 1 MiB);
   * 0 turns it off. With a history length of N items a remembered customer
   * takes 24 + 8 N bytes plus its share of the hash slots (1 MiB holds
   * 2,434 customers with N = 50); when it is full, the customer who took something least
   * recently is forgotten. A non-zero limit below one customer is refused
   * (BARISTA_STATUS_LIMIT_EXCEEDED). See barista_overlay_recent_items(). */
  size_t customer_memory_limit;
} barista_overlay_params;

/* As barista_open_params_init(), with the defaults written beside each
 * field above. */
BARISTA_API barista_status barista_overlay_params_init(barista_overlay_params* params, size_t struct_size);

/* The defaults, for the struct this host was compiled with. */
static inline barista_overlay_params barista_overlay_default_params(void) {
  barista_overlay_params params;
  barista_overlay_params_init(&params, sizeof params);
  return params;
}

/* Opens the overlay persisted at `path` for `model`, creating it when the
 * files do not exist yet; NULL `path` keeps it in memory only. Refused with
 * BARISTA_STATUS_WRONG_MODEL when the files were written for another model,
 * BARISTA_STATUS_UNSUPPORTED_VERSION for another format version,
 * BARISTA_STATUS_CORRUPT_OVERLAY when damaged, BARISTA_STATUS_IO_ERROR when
 * another overlay (in any process) has them open, or when `path` or
 * `path`.journal is not a regular file (a FIFO, a directory; refused without
 * blocking and without creating anything), BARISTA_STATUS_INVALID_ARGUMENT
 * for an empty path or unknown `flags` bits. `params` and `out_error` may be
 * NULL. Free with barista_overlay_free(). */
BARISTA_API barista_status barista_overlay_open(const barista_model* model, const char* path,
                                                const barista_overlay_params* params, barista_overlay** out_overlay,
                                                barista_error* out_error);

/* Releases the caller's reference; what was observed since the last sync is
 * not saved. NULL is a no-op. */
BARISTA_API void barista_overlay_free(barista_overlay* overlay);

/* One learning step: the request's customer (the request needs a user id)
 * took (label 1) or did not take (label 0) catalog item `item`. `weight`
 * scales the step (1 for an ordinary interaction). The next recommendation
 * through an attached session reflects it. */
BARISTA_API barista_status barista_overlay_observe(barista_overlay* overlay, const barista_request* request,
                                                   uint32_t item, float label, float weight);

/* As barista_overlay_observe() for an item described by its features. */
BARISTA_API barista_status barista_overlay_observe_item(barista_overlay* overlay, const barista_request* request,
                                                        const barista_item* item, float label, float weight);

/* Pass as `taken` when nothing shown was taken. */
#define BARISTA_NO_ITEM ((uint32_t)0xffffffffu)

/* "These items were shown, this one was taken": every shown item that was
 * not taken is observed with label 0 and weight params.shown_weight, the
 * taken one with label 1 and weight 1 (also when it was not among those
 * shown), in the order given. Learned whole or not at all: an item out of
 * range, or one whose model score is not finite
 * (BARISTA_STATUS_CORRUPT_MODEL), fails the call before anything is
 * learned. */
BARISTA_API barista_status barista_overlay_observe_shown(barista_overlay* overlay, const barista_request* request,
                                                         const uint32_t* shown, size_t count, uint32_t taken);

/* Removes everything learned and remembered about one customer, in memory
 * now and from the files at the next sync (which rewrites them without the
 * customer). */
BARISTA_API barista_status barista_overlay_forget_user(barista_overlay* overlay, const char* user_id, size_t length);

/* Customer memory. An overlay remembers, per customer, the last N items
 * they took (observed with label 1, or as `taken`), oldest first, N being
 * the model's history length: the most values of its history input (the
 * multi-valent user input named "history", which models trained by barista
 * have; a model without one remembers nothing). A session with the overlay
 * attached scores a request that names a remembered customer and gives the
 * history input no value with the remembered items as its history;
 * observations learn with the request filled the same way. A request that
 * gives a history of its own is used as given. The memory persists,
 * journaled and synced, with the learned weights, and forget_user erases
 * it too. Off with params.customer_memory_limit = 0.
 *
 * barista_overlay_recent_items() writes the customer's remembered items,
 * oldest first, as catalog indices (BARISTA_NO_ITEM for an item observed
 * by its features that the catalog does not hold) to `out`, and their
 * number to *out_count (0 for a customer not remembered).
 * BARISTA_STATUS_BUFFER_TOO_SMALL, with *out_count set, when
 * `out_capacity` is smaller. */
BARISTA_API barista_status barista_overlay_recent_items(const barista_overlay* overlay, const char* user_id,
                                                        size_t length, uint32_t* out, size_t out_capacity,
                                                        size_t* out_count);

/* Makes everything observed so far durable (fsync of the journal, and of
 * the directory where files were created or replaced). Compacts the journal
 * into the snapshot when it has grown. A no-op for an in-memory overlay.
 * After a failed sync (BARISTA_STATUS_IO_ERROR: a write or fsync failed,
 * and the system may have dropped what was written), the next sync
 * rewrites everything from memory (a compaction) before it returns OK, and
 * unsynced_bytes counts what is not known to be durable until then. */
BARISTA_API barista_status barista_overlay_sync(barista_overlay* overlay);

/* Rewrites the snapshot from memory and starts the journal afresh. */
BARISTA_API barista_status barista_overlay_compact(barista_overlay* overlay);

typedef struct barista_overlay_stats {
  size_t learned_weights; /* entries in memory */
  size_t capacity;        /* entries the memory limit allows */
  size_t customers;       /* customers with learned weights */
  size_t memory_bytes;    /* allocated, at most the memory limit */
  uint64_t evictions;     /* entries evicted to stay within the limit */
  uint64_t updates;       /* learning steps on single weights since open */
  uint64_t journal_bytes;
  uint64_t snapshot_bytes;
  uint64_t unsynced_bytes; /* recorded, not yet durable */
  /* What opening recovered: journal records replayed, and the bytes of a
   * torn tail (a record cut short by a crash, or damaged as the last one)
   * that were discarded; with BARISTA_OVERLAY_SALVAGE, also what followed
   * damage. A host may log a non-zero value. */
  uint64_t recovered_records;
  uint64_t discarded_bytes;
} barista_overlay_stats;

BARISTA_API barista_status barista_overlay_get_stats(const barista_overlay* overlay, barista_overlay_stats* out_stats);

/* The message of the last failed call on `overlay` ("" when none). */
BARISTA_API const char* barista_overlay_last_error(const barista_overlay* overlay);

/* Scores and recommendations of `session` include what `overlay` learned
 * (NULL detaches). Both must belong to the same model; the session keeps
 * the overlay alive while attached. */
BARISTA_API barista_status barista_session_set_overlay(barista_session* session, barista_overlay* overlay);

/* ------------------------------------------------------------------------ */
/* Catalog changes without retraining                                       */
/* ------------------------------------------------------------------------ */

/* Changes to what a model recommends, kept beside the read-only model file:
 * catalog items marked unavailable (sold out: never recommended until
 * available again; they can still be scored) and new items added by their
 * features (a seasonal drink: ranked with the catalog, numbered
 * item_count + i in recommendations). An added item's item half of the
 * first layer and its item-only wide terms are computed once, when added,
 * so it costs a recommendation what a catalog item costs plus its crosses
 * with the request. At most 4,096 added items. On-device learning reaches
 * them through barista_overlay_observe_item() with their features (their
 * id is outside the model's vocabulary: what is learned for it is shared
 * with other unknown ids through the id column's out-of-vocabulary
 * buckets, when it has them).
 *
 * With a path, barista_catalog_save() rewrites the file whole (a temporary
 * file, fsync, rename, directory fsync): it always holds the last saved
 * changes, or the ones before, never part of a save. Changes not saved are
 * lost when the handle is freed. One thread at a time, with the sessions
 * it is attached to, as for overlays; the catalog keeps its model alive,
 * and sessions keep their catalog alive. */
typedef struct barista_catalog barista_catalog;

/* Opens the changes saved at `path` (none yet: no changes); NULL keeps them
 * in memory. Refused: BARISTA_STATUS_WRONG_MODEL (another model's file),
 * BARISTA_STATUS_UNSUPPORTED_VERSION, BARISTA_STATUS_CORRUPT_OVERLAY (a
 * damaged file: nothing of it is applied), BARISTA_STATUS_IO_ERROR, an
 * empty path. Free with barista_catalog_free(). */
BARISTA_API barista_status barista_catalog_open(const barista_model* model, const char* path,
                                                barista_catalog** out_catalog, barista_error* out_error);
BARISTA_API void barista_catalog_free(barista_catalog* catalog);

/* Marks catalog item `item_id` unavailable (available = 0) or available
 * again. BARISTA_STATUS_NOT_FOUND for an id the catalog does not hold. */
BARISTA_API barista_status barista_catalog_set_available(barista_catalog* catalog, const char* item_id,
                                                         size_t length, int available);

/* Adds an item by its id and features (an item of this model; its item id
 * input, if set, must hold `item_id`); an added item with the same id is
 * replaced. Refused, changing nothing: an id the catalog holds, an empty
 * id (BARISTA_STATUS_INVALID_ARGUMENT), a 4,097th item
 * (BARISTA_STATUS_LIMIT_EXCEEDED). */
BARISTA_API barista_status barista_catalog_add_item(barista_catalog* catalog, const char* item_id, size_t length,
                                                    const barista_item* features);
/* Removes an added item (BARISTA_STATUS_NOT_FOUND when there is none). */
BARISTA_API barista_status barista_catalog_remove_item(barista_catalog* catalog, const char* item_id, size_t length);

/* Writes the changes to the file (a no-op in memory). */
BARISTA_API barista_status barista_catalog_save(barista_catalog* catalog);

BARISTA_API size_t barista_catalog_added_count(const barista_catalog* catalog);
BARISTA_API size_t barista_catalog_unavailable_count(const barista_catalog* catalog);
/* The unavailable catalog items, ascending, into `out`; *out_count receives
 * their number (BARISTA_STATUS_BUFFER_TOO_SMALL when out_capacity is less). */
BARISTA_API barista_status barista_catalog_get_unavailable(const barista_catalog* catalog, uint32_t* out,
                                                           size_t out_capacity, size_t* out_count);
/* The id of added item `index` (< added_count), as barista_model_get_item_id(). */
BARISTA_API barista_status barista_catalog_get_added_id(const barista_catalog* catalog, size_t index, char* buffer,
                                                        size_t buffer_size, size_t* out_length);
/* The message of the last failed call on `catalog` ("" when none). */
BARISTA_API const char* barista_catalog_last_error(const barista_catalog* catalog);

/* Recommendations of `session` leave out `catalog`'s unavailable items and
 * rank its added ones (NULL detaches). Both must belong to the same model. */
BARISTA_API barista_status barista_session_set_catalog(barista_session* session, barista_catalog* catalog);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* BARISTA_H */
