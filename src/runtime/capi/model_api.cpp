// Opening, releasing and looking into models.
#include <cstring>
#include <string>

#include "capi/handles.h"
#include "capi/params.h"
#include "common/parse_number.h"
#include "hash/fingerprint.h"

using namespace barista::internal;

namespace barista::internal {

void retain_model(barista_model* model) { model->references.fetch_add(1, std::memory_order_relaxed); }

void release_model(barista_model* model) {
  if (model->references.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    model->magic = kFreedMagic;
    delete_object(model);
  }
}

}  // namespace barista::internal

namespace {

const char* or_empty(const flatbuffers::String* s) { return s ? s->c_str() : ""; }

// The host's params (barista.h's growth rule applied) as open options.
Status read_options(const barista_open_params* given, OpenOptions* options) {
  barista_open_params params;
  BARISTA_RETURN_IF_ERROR(read_params(given, &params));
  // A flag this library does not know may ask for something it cannot give.
  if ((params.flags & ~uint32_t{BARISTA_OPEN_VERIFY_FULL | BARISTA_OPEN_COPY}) != 0) {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "flags: unknown bits");
  }
  options->verify_full = (params.flags & BARISTA_OPEN_VERIFY_FULL) != 0;
  options->copy = (params.flags & BARISTA_OPEN_COPY) != 0;
  options->kernels = params.kernels;
  return Status();
}

barista_status finish_open(const Status& status, std::unique_ptr<Model> model, barista_model** out_model,
                           barista_error* out_error) {
  // What every session derives from the model, built once here: sessions
  // then hold only per-request scratch, and no first call pays for it.
  std::unique_ptr<ServingIndex> index;
  const Status indexed = status.ok() ? ServingIndex::build(*model, &index) : status;
  if (!indexed.ok()) {
    fill_error(out_error, indexed.code(), indexed.message().c_str());
    return indexed.code();
  }
  barista_model* handle = new_object<barista_model>();
  if (handle == nullptr) {
    fill_error(out_error, BARISTA_STATUS_OUT_OF_MEMORY, "out of memory");
    return BARISTA_STATUS_OUT_OF_MEMORY;
  }
  handle->model = std::move(model);
  handle->index = std::move(index);
  *out_model = handle;
  fill_error(out_error, BARISTA_STATUS_OK, "");
  return BARISTA_STATUS_OK;
}

barista_status open_failure(barista_error* out_error, const char* message) {
  fill_error(out_error, BARISTA_STATUS_INVALID_ARGUMENT, message);
  return BARISTA_STATUS_INVALID_ARGUMENT;
}

}  // namespace

extern "C" {

barista_status barista_model_open_file(const char* path, const barista_open_params* params, barista_model** out_model,
                                       barista_error* out_error) {
  if (path == nullptr) return open_failure(out_error, "path is NULL");
  if (out_model == nullptr) return open_failure(out_error, "out_model is NULL");
  OpenOptions options;
  const Status read = read_options(params, &options);
  if (!read.ok()) return open_failure(out_error, read.message().c_str());
  return guarded(out_error, [&] {
    std::unique_ptr<Model> model;
    const Status status = Model::open_file(path, options, &model);
    return finish_open(status, std::move(model), out_model, out_error);
  });
}

barista_status barista_model_open_buffer(const void* data, size_t size, const barista_open_params* params,
                                         barista_model** out_model, barista_error* out_error) {
  if (data == nullptr) return open_failure(out_error, "data is NULL");
  if (out_model == nullptr) return open_failure(out_error, "out_model is NULL");
  OpenOptions options;
  const Status read = read_options(params, &options);
  if (!read.ok()) return open_failure(out_error, read.message().c_str());
  return guarded(out_error, [&] {
    std::unique_ptr<Model> model;
    const Status status = Model::open_buffer(data, size, options, &model);
    return finish_open(status, std::move(model), out_model, out_error);
  });
}

void barista_model_free(barista_model* model) {
  if (!valid_model(model)) return;
  // A second free by the caller is ignored rather than dropping a reference
  // that belongs to a session.
  if (model->released_by_caller.exchange(true)) return;
  release_model(model);
}

size_t barista_model_memory_bytes(const barista_model* model) {
  if (!valid_model(model)) return 0;
  return sizeof(*model) + model->model->memory_bytes() + model->index->memory_bytes();
}

barista_status barista_model_verify(const barista_model* model, barista_error* out_error) {
  if (!valid_model(model)) return open_failure(out_error, "model is NULL or not a model handle");
  return guarded(out_error, [&] {
    const Status status = model->model->verify_full();
    fill_error(out_error, status.code(), status.message().c_str());
    return status.code();
  });
}

barista_status barista_model_get_info(const barista_model* model, barista_model_info* out_info) {
  if (!valid_model(model) || out_info == nullptr) return BARISTA_STATUS_INVALID_ARGUMENT;
  const Model& m = *model->model;
  const fb::Metadata* metadata = m.root().metadata();
  barista_model_info info;
  info.name = metadata ? or_empty(metadata->name()) : "";
  info.version = metadata ? or_empty(metadata->version()) : "";
  info.description = metadata ? or_empty(metadata->description()) : "";
  info.producer = metadata ? or_empty(metadata->producer()) : "";
  info.created_unix = metadata ? metadata->created_unix() : 0;
  info.format_major = m.root().format_major();
  info.format_minor = m.root().format_minor();
  info.quantization_version = m.root().quantization_version();
  info.item_count = m.catalog().count;
  info.input_count = m.inputs().size();
  info.file_size = m.size();
  info.kernels = m.kernels().isa;
  *out_info = info;
  return BARISTA_STATUS_OK;
}

barista_status barista_model_get_input(const barista_model* model, size_t index, barista_input_info* out_info) {
  if (!valid_model(model) || out_info == nullptr) return BARISTA_STATUS_INVALID_ARGUMENT;
  const Model& m = *model->model;
  if (index >= m.inputs().size()) return BARISTA_STATUS_INVALID_ARGUMENT;
  const InputInfo& input = m.inputs()[index];
  out_info->name = input.name;
  out_info->source = static_cast<barista_source>(input.source);
  out_info->kind = static_cast<barista_value_kind>(input.kind);
  out_info->multivalent = input.multivalent ? 1 : 0;
  out_info->max_values = input.max_values;
  return BARISTA_STATUS_OK;
}

const char* barista_model_user_input(const barista_model* model) {
  if (!valid_model(model) || model->model->user_id_input() < 0) return nullptr;
  return model->model->inputs()[static_cast<size_t>(model->model->user_id_input())].name;
}

barista_status barista_model_find_item(const barista_model* model, const char* id, size_t length, uint32_t* out_index) {
  if (!valid_model(model) || id == nullptr || out_index == nullptr) return BARISTA_STATUS_INVALID_ARGUMENT;
  if (length == BARISTA_STRLEN) length = std::strlen(id);
  const Model& m = *model->model;
  uint64_t fp = fingerprint64(id, length);
  if (m.catalog().key_type == fb::KeyType::Int64) {
    // "007" and "+7" name item 7 too: parse, then match the canonical form.
    int64_t value = 0;
    if (!parse_int64(std::string_view(id, length), &value)) return BARISTA_STATUS_NOT_FOUND;
    fp = fingerprint64_of_int(value);
  }
  const int64_t index = m.find_item(fp);
  if (index < 0) return BARISTA_STATUS_NOT_FOUND;
  *out_index = static_cast<uint32_t>(index);
  return BARISTA_STATUS_OK;
}

barista_status barista_model_find_item_int64(const barista_model* model, int64_t id, uint32_t* out_index) {
  if (!valid_model(model) || out_index == nullptr) return BARISTA_STATUS_INVALID_ARGUMENT;
  const int64_t index = model->model->find_item(fingerprint64_of_int(id));
  if (index < 0) return BARISTA_STATUS_NOT_FOUND;
  *out_index = static_cast<uint32_t>(index);
  return BARISTA_STATUS_OK;
}

barista_status barista_model_get_item_id(const barista_model* model, uint32_t index, char* buffer, size_t buffer_size,
                                         size_t* out_length) {
  if (!valid_model(model) || (buffer == nullptr && buffer_size > 0)) return BARISTA_STATUS_INVALID_ARGUMENT;
  BARISTA_TRY {
    std::string id;
    const Model& m = *model->model;
    if (index >= m.catalog().count) return BARISTA_STATUS_INVALID_ARGUMENT;
    if (!m.item_id(index, &id)) return BARISTA_STATUS_CORRUPT_MODEL;
    if (out_length != nullptr) *out_length = id.size();
    if (buffer_size < id.size() + 1) return BARISTA_STATUS_BUFFER_TOO_SMALL;
    std::memcpy(buffer, id.data(), id.size());
    buffer[id.size()] = '\0';
    return BARISTA_STATUS_OK;
  }
  BARISTA_CATCH(...) { return BARISTA_STATUS_OUT_OF_MEMORY; }
}

}  // extern "C"
