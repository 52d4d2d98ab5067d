// The hashing that is part of the model file format (schema/barista_model.fbs)
// and matches TensorFlow's feature columns bit for bit:
// - fingerprint64: FarmHash Fingerprint64 (farmhashna::Hash64), what
//   tf.strings.to_hash_bucket_fast and categorical_column_with_hash_bucket use;
// - fingerprint_cat64: TensorFlow's FingerprintCat64, the chain that
//   crossed_column / SparseCrossHashed uses.
// Both are defined on bytes and fixed forever; they do not depend on the
// platform's endianness or word size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace barista::internal {

uint64_t fingerprint64(const void* data, size_t length);

inline uint64_t fingerprint64(std::string_view s) { return fingerprint64(s.data(), s.size()); }

// Fingerprint64 of the decimal form of `value` ("-42"), the way TensorFlow
// hashes integer feature values.
uint64_t fingerprint64_of_int(int64_t value);

// FingerprintCat64 in two steps, for chains whose second value repeats
// (a catalog item's hash, crossed with every request): the half that
// depends on fp2 alone is computed once, and the rest costs two
// multiplications instead of four.
//   fingerprint_cat64(fp1, fp2) == fingerprint_cat64_mixed(fp1, fingerprint_cat64_mix(fp2))
inline uint64_t fingerprint_cat64_mix(uint64_t fp2) {
  constexpr uint64_t kMul = 0xc6a4a7935bd1e995ULL;
  const uint64_t v = fp2 * kMul;
  return (v ^ (v >> 47)) * kMul;
}

inline uint64_t fingerprint_cat64_mixed(uint64_t fp1, uint64_t mixed_fp2) {
  constexpr uint64_t kMul = 0xc6a4a7935bd1e995ULL;
  auto shift_mix = [](uint64_t v) { return v ^ (v >> 47); };
  uint64_t result = (fp1 ^ kMul) ^ mixed_fp2;
  result *= kMul;
  result = shift_mix(result) * kMul;
  return shift_mix(result);
}

inline uint64_t fingerprint_cat64(uint64_t fp1, uint64_t fp2) {
  return fingerprint_cat64_mixed(fp1, fingerprint_cat64_mix(fp2));
}

// TensorFlow's default crossed_column hash_key (0xDECAFCAFFE).
constexpr uint64_t kDefaultCrossHashKey = 0xDECAFCAFFEULL;

// Writes the decimal form of `value` to `out` (at least 20 bytes); returns the
// length.
size_t format_int64(int64_t value, char* out);

}  // namespace barista::internal
