// The model writer: turns a ModelSpec (weights in plain C++ values) into a
// model file. It checks the spec (naming the offending part), quantizes
// embeddings (and optionally wide weights), computes the per-item
// precomputed values (src/README.md, 'The fast path') with the runtime's
// own feature encoding, and seals the payload checksum.
//
// The file's bytes depend only on the spec and the options (precomputation
// uses the reference kernels), not on the machine that writes it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "writer/model_spec.h"

namespace barista::internal {

struct WriteOptions {
  // F32, F16 or Int8Rowwise.
  fb::DType embedding_dtype = fb::DType::F32;
  // F32 or F16.
  fb::DType wide_dtype = fb::DType::F32;
};

// The embedding type named "f32", "f16" or "int8" (the config's
// output.embeddings); false for another name.
bool parse_embedding_dtype(const std::string& name, fb::DType* out);

Status write_model(const ModelSpec& spec, const WriteOptions& options, std::vector<uint8_t>* out);

// Writes to `path` durably through a temporary file and a rename
// (replace_file_durably): a crash never leaves a half-written model under
// that name, nor a stray temporary file.
Status write_model_file(const ModelSpec& spec, const WriteOptions& options, const std::string& path);

}  // namespace barista::internal
