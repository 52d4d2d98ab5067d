// The list of a model's array slices (included by model/model.h), for
// reports such as `barista inspect`'s sizes per section.
#pragma once

#include <string>

namespace barista::internal {
namespace payload_detail {

template <class Visit>
void visit_slice(const std::string& name, const fb::Slice* slice, size_t element_size, Visit& visit) {
  if (slice != nullptr) visit(name, *slice, element_size);
}

inline size_t dtype_size(fb::DType dtype) { return dtype == fb::DType::F32 ? 4 : dtype == fb::DType::F16 ? 2 : 1; }

template <class Visit>
void visit_tensor(const std::string& name, const fb::Tensor* t, Visit& visit) {
  if (t == nullptr) return;
  visit_slice(name, t->data(), dtype_size(t->dtype()), visit);
  visit_slice(name + ".scale_bias", t->scale_bias(), 4, visit);
}

template <class Visit>
void visit_keys(const std::string& name, const fb::Keys* k, Visit& visit) {
  if (k == nullptr) return;
  if (k->strings() != nullptr) {
    visit_slice(name + ".strings.offsets", k->strings()->offsets(), 4, visit);
    visit_slice(name + ".strings.bytes", k->strings()->bytes(), 1, visit);
  }
  visit_slice(name + ".ints", k->ints(), 8, visit);
  if (k->index() != nullptr) {
    visit_slice(name + ".index.fingerprints", k->index()->fingerprints(), 8, visit);
    visit_slice(name + ".index.slots", k->index()->slots(), 4, visit);
  }
}

template <class Visit>
void visit_dense(const std::string& name, const fb::Dense* dense, Visit& visit) {
  if (dense == nullptr) return;
  visit_tensor(name + ".weights", dense->weights(), visit);
  visit_slice(name + ".bias", dense->bias(), 4, visit);
}

template <class Visit>
void visit_norm(const std::string& name, const fb::Norm* norm, Visit& visit) {
  if (norm != nullptr) visit_slice(name, norm->gain_bias(), 4, visit);
}

template <class Visit>
void visit_sequence(const std::string& name, const fb::SequenceEncoder& sequence, Visit& visit) {
  visit_tensor(name + ".positions", sequence.positions(), visit);
  if (sequence.blocks() != nullptr) {
    for (uint32_t b = 0; b < sequence.blocks()->size(); ++b) {
      const fb::AttentionBlock* block = sequence.blocks()->Get(b);
      const std::string at = name + ".block[" + std::to_string(b) + "]";
      visit_norm(at + ".norm1", block->norm1(), visit);
      visit_dense(at + ".query", block->query(), visit);
      visit_dense(at + ".key", block->key(), visit);
      visit_dense(at + ".value", block->value(), visit);
      visit_norm(at + ".norm2", block->norm2(), visit);
      visit_dense(at + ".feed1", block->feed1(), visit);
      visit_dense(at + ".feed2", block->feed2(), visit);
    }
  }
  visit_norm(name + ".final_norm", sequence.final_norm(), visit);
}

}  // namespace payload_detail

template <class Visit>
void for_each_payload_slice(const fb::Model& model, Visit&& visit) {
  using namespace payload_detail;
  if (const fb::Wide* wide = model.wide()) visit_tensor("wide.weights", wide->weights(), visit);
  if (const fb::Deep* deep = model.deep()) {
    if (deep->inputs() != nullptr) {
      for (uint32_t i = 0; i < deep->inputs()->size(); ++i) {
        const std::string input = "deep.input[" + std::to_string(i) + "]";
        visit_tensor(input + ".embedding", deep->inputs()->Get(i)->embedding(), visit);
        if (const fb::SequenceEncoder* sequence = deep->inputs()->Get(i)->sequence()) {
          visit_sequence(input + ".sequence", *sequence, visit);
        }
      }
    }
    if (deep->layers() != nullptr) {
      for (uint32_t i = 0; i < deep->layers()->size(); ++i) {
        const fb::Dense* layer = deep->layers()->Get(i);
        visit_tensor("deep.layer[" + std::to_string(i) + "].weights", layer->weights(), visit);
        visit_slice("deep.layer[" + std::to_string(i) + "].bias", layer->bias(), 4, visit);
      }
    }
  }
  if (const fb::Catalog* catalog = model.catalog()) {
    visit_keys("catalog.keys", catalog->keys(), visit);
    visit_slice("catalog.value_offsets", catalog->value_offsets(), 4, visit);
    visit_slice("catalog.value_fingerprints", catalog->value_fingerprints(), 8, visit);
    visit_slice("catalog.numeric_values", catalog->numeric_values(), 4, visit);
    visit_slice("catalog.item_wide", catalog->item_wide(), 4, visit);
    visit_tensor("catalog.item_first_layer", catalog->item_first_layer(), visit);
  }
  if (model.columns() != nullptr) {
    for (uint32_t i = 0; i < model.columns()->size(); ++i) {
      visit_keys("columns[" + std::to_string(i) + "].vocabulary", model.columns()->Get(i)->vocabulary(), visit);
    }
  }
}

}  // namespace barista::internal
