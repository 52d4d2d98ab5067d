// Upper bounds that protect the host: a model file or request beyond them is
// refused before anything is allocated for it. Documented in README.md.
#pragma once

#include <cstdint>

namespace barista::internal::limits {

// FlatBuffers addresses at most 2 GiB; larger files cannot be valid.
constexpr uint64_t kMaxModelBytes = (uint64_t{1} << 31) - 1;
constexpr uint32_t kMaxInputs = 1024;
constexpr uint32_t kMaxColumns = 4096;
constexpr uint32_t kMaxCrossedComponents = 8;
// Ids of one column (hash buckets, vocabulary + OOV buckets, crossed buckets).
constexpr uint64_t kMaxCardinality = uint64_t{1} << 31;
constexpr uint32_t kMaxBoundaries = 1u << 16;
constexpr uint32_t kMaxValuesPerInput = 4096;
constexpr uint32_t kMaxEmbeddingDim = 4096;
constexpr uint32_t kMaxDeepWidth = 1u << 16;  // concatenated deep input
constexpr uint32_t kMaxLayers = 32;
// A sequence encoder: its length, its dimension, length x dimension (each
// of its scratch arrays) and blocks. They bound a request's encoder work to
// a few G multiply-adds (8 blocks of 512 x 512), the order of what the
// layer limits allow per item.
constexpr uint32_t kMaxSequenceLength = 1024;
constexpr uint32_t kMaxSequenceDim = 512;
constexpr uint32_t kMaxSequenceValues = 1u << 18;
constexpr uint32_t kMaxSequenceBlocks = 8;
constexpr uint32_t kMaxLayerWidth = 1u << 14;
constexpr uint32_t kMaxItems = 1u << 26;
constexpr uint32_t kMaxStringBytes = 1u << 16;  // one id or value
// Cartesian products of a crossed column in one request x item.
constexpr uint32_t kMaxCrossProduct = 1u << 16;
// Combinations of every crossed wide term together for one request and one
// item, item-side values counted at their input's max_values: the wide
// part's work per item, whatever the number of terms.
constexpr uint64_t kMaxCrossCombinations = 1u << 16;
// The same over every item one request scores (a recommendation over the
// catalog, a list of items): bounds a request's work however small the file
// (at the limit, 1,024 items x 65,025: 0.36-0.55 s per recommend on one
// core, Release). The benchmark shapes' 21 per item leave room for 3
// million items.
constexpr uint64_t kMaxCrossCombinationsPerRequest = uint64_t{1} << 26;

}  // namespace barista::internal::limits
