// The trainer's side of the sequence encoder (schema: SequenceEncoder): its
// initial parameters, a forward pass that keeps what the backward pass
// needs, and the backward pass. The formulas are the runtime's
// (sequence/sequence_encoder.h); the trainer computes every position in
// every block, the runtime only what the last position's output reads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/random.h"
#include "writer/model_spec.h"

namespace barista::internal {

// Glorot-uniform weights, zero biases, unit gains, positions N(0, 1/dim).
void init_sequence_encoder(uint32_t length, uint32_t dim, uint32_t blocks, Random* random, SequenceEncoderSpec* out);

// One request's forward pass, kept for the backward pass.
struct SequenceCache {
  struct Block {
    std::vector<float> x;                        // n x d, the block's input
    std::vector<float> xhat1, h, q, k, v;        // norm1(x) before and after gain and bias; projections
    std::vector<float> attention;                // n x n, row t holds weights 0 .. t
    std::vector<float> x1, xhat2, g, hidden;     // x + attention output, norm2(x1), relu(feed1(g))
    std::vector<float> rstd1, rstd2;             // n: 1 / sqrt(var + eps) of norm1, norm2
    std::vector<float> attended;                 // n x d, the attention output before dropout
    std::vector<float> keep_attended, keep_fed;  // dropout multipliers (0 or 1 / (1 - p)); empty without
  };
  size_t n = 0;                   // positions encoded (0: no ids, the output is zeros)
  const uint32_t* ids = nullptr;  // the n ids encoded (the caller keeps them)
  std::vector<Block> blocks;
  std::vector<float> y;           // n x d, the last block's output
  std::vector<float> final_xhat;  // d
  std::vector<float> keep_input;  // dropout multipliers of the input rows; empty without
  float final_rstd = 0.0f;
};

// Encodes the last min(count, length) of `ids` (oldest first) over the
// embedding table `table` (rows of spec.dim floats) into out[0 .. dim).
// With `random` and dropout > 0 (training), inverted dropout drops input
// values, attention outputs and feed-forward outputs before their
// residual sums (SASRec's places); serving never drops.
void sequence_forward(const SequenceEncoderSpec& spec, const float* table, const uint32_t* ids, size_t count,
                      SequenceCache* cache, float* out, float dropout = 0.0f, Random* random = nullptr);

// Given d loss / d out, adds the parameters' gradients to `grads`
// (spec.params.size() floats) and writes the gradients of the n embedding
// rows read (n x dim, in the order of cache.ids) to `row_grads`.
void sequence_backward(const SequenceEncoderSpec& spec, const SequenceCache& cache, const float* dout, float* grads,
                       float* row_grads);

}  // namespace barista::internal
