// The sequence encoder of a deep input (schema: SequenceEncoder, format 3):
// a customer's recent items, in order, through causal self-attention blocks
// into one vector of the request side. It runs once per request, before the
// catalog is scored (the items still go through their precomputed halves),
// so its cost does not grow with the catalog.
#pragma once

#include <cstdint>

#include "common/alloc.h"
#include "common/span.h"
#include "kernels/kernel_list.h"
#include "model/model.h"

namespace barista::internal {

// Layer normalization's epsilon (schema: Norm).
constexpr float kNormEpsilon = 1e-5f;

// The mean of d values and 1 / sqrt(var + kNormEpsilon), their (biased)
// variance's; what layer_norm and the trainer's normalization share.
float norm_statistics(uint32_t d, const float* x, float* mean);

// y = gain * (x - mean) / sqrt(var + kNormEpsilon) + bias over d values
// (y may be x).
void layer_norm(const NormInfo& norm, uint32_t d, const float* x, float* y);

class SequenceEncoderRunner {
 public:
  // Writes the encoding of `ids` (oldest first; only the last
  // encoder.length are read) into out[0 .. d): zeros without ids. The
  // last block runs for the last position only, which is all the output
  // reads.
  void encode(const SequenceEncoderInfo& encoder, const TensorView& embedding, const KernelTable& kernels,
              Span<uint32_t> ids, float* out);

  // Every position's encoding (out: T x d, T = min(ids, length)), each as
  // the output would be were the sequence to end there with the positions
  // it has in the whole sequence: for tests of causality (a later item
  // never changes an earlier position's output).
  void encode_all(const SequenceEncoderInfo& encoder, const TensorView& embedding, const KernelTable& kernels,
                  Span<uint32_t> ids, float* out);

  size_t memory_bytes() const { return heap_bytes(scratch_); }

 private:
  void run(const SequenceEncoderInfo& encoder, const TensorView& embedding, const KernelTable& kernels,
           Span<uint32_t> ids, bool all_positions, float* out);

  Vec<float> scratch_;
};

}  // namespace barista::internal
