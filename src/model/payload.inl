// The payload visitor (included by model/model.h). One list of the numeric
// arrays of a model file, shared by the writer (which computes the checksum),
// full verification (which checks it) and `barista inspect` (sizes per
// section), so the three cannot drift apart.
#pragma once

#include <string>

namespace barista::internal {
namespace payload_detail {

template <class T, class Visit>
void visit_vector(const std::string& name, const flatbuffers::Vector<T>* v, Visit& visit) {
  if (v != nullptr) visit(name, reinterpret_cast<const uint8_t*>(v->data()), size_t{v->size()} * sizeof(T));
}

template <class Visit>
void visit_tensor(const std::string& name, const fb::Tensor* t, Visit& visit) {
  if (t == nullptr) return;
  visit_vector(name + ".f32", t->f32(), visit);
  visit_vector(name + ".f16", t->f16(), visit);
  visit_vector(name + ".q8", t->q8(), visit);
  visit_vector(name + ".q8_scale_bias", t->q8_scale_bias(), visit);
}

template <class Visit>
void visit_keys(const std::string& name, const fb::Keys* k, Visit& visit) {
  if (k == nullptr) return;
  if (k->strings() != nullptr) {
    visit_vector(name + ".strings.offsets", k->strings()->offsets(), visit);
    visit_vector(name + ".strings.bytes", k->strings()->bytes(), visit);
  }
  visit_vector(name + ".ints", k->ints(), visit);
  if (k->index() != nullptr) {
    visit_vector(name + ".index.fingerprints", k->index()->fingerprints(), visit);
    visit_vector(name + ".index.slots", k->index()->slots(), visit);
  }
}

}  // namespace payload_detail

template <class Visit>
void for_each_payload_array(const fb::Model& model, Visit&& visit) {
  using namespace payload_detail;
  if (const fb::Wide* wide = model.wide()) {
    visit_tensor("wide.weights", wide->weights(), visit);
  }
  if (const fb::Deep* deep = model.deep()) {
    if (deep->inputs() != nullptr) {
      for (uint32_t i = 0; i < deep->inputs()->size(); ++i) {
        visit_tensor("deep.input[" + std::to_string(i) + "].embedding",
                     deep->inputs()->Get(i)->embedding(), visit);
      }
    }
    if (deep->layers() != nullptr) {
      for (uint32_t i = 0; i < deep->layers()->size(); ++i) {
        const fb::Dense* layer = deep->layers()->Get(i);
        visit_tensor("deep.layer[" + std::to_string(i) + "].weights", layer->weights(), visit);
        visit_vector("deep.layer[" + std::to_string(i) + "].bias", layer->bias(), visit);
      }
    }
  }
  if (const fb::Catalog* catalog = model.catalog()) {
    visit_keys("catalog.keys", catalog->keys(), visit);
    visit_vector("catalog.categorical_inputs", catalog->categorical_inputs(), visit);
    visit_vector("catalog.value_offsets", catalog->value_offsets(), visit);
    visit_vector("catalog.value_fingerprints", catalog->value_fingerprints(), visit);
    visit_vector("catalog.numeric_inputs", catalog->numeric_inputs(), visit);
    visit_vector("catalog.numeric_values", catalog->numeric_values(), visit);
    visit_vector("catalog.item_wide", catalog->item_wide(), visit);
    visit_tensor("catalog.item_first_layer", catalog->item_first_layer(), visit);
  }
  if (model.columns() != nullptr) {
    for (uint32_t i = 0; i < model.columns()->size(); ++i) {
      const fb::Column* column = model.columns()->Get(i);
      const std::string name = "columns[" + std::to_string(i) + "]";
      visit_keys(name + ".vocabulary", column->vocabulary(), visit);
      visit_vector(name + ".boundaries", column->boundaries(), visit);
      visit_vector(name + ".crossed", column->crossed(), visit);
    }
  }
}

}  // namespace barista::internal
