// Sessions: scoring and recommending.
#include <algorithm>
#include <cstddef>
#include <cstring>

#include "capi/handles.h"
#include "capi/params.h"

using namespace barista::internal;

namespace {

// Checks that apply to every session call; the message goes to the session.
Status check_request(const barista_session* session, const barista_request* request) {
  if (!valid_request(request)) {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "request is NULL or not a request handle");
  }
  if (request->owner != session->owner) {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "the request was made for another model than the session");
  }
  return Status();
}

Status check_items(const barista_session* session, const barista_item* const* items, size_t count,
                   Vec<const FeatureBag*>* bags) {
  if (items == nullptr && count > 0) return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "items is NULL");
  bags->clear();
  for (size_t i = 0; i < count; ++i) {
    if (!valid_item(items[i])) {
      return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "item %zu is NULL or not an item handle", i);
    }
    if (items[i]->owner != session->owner) {
      return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "item %zu was made for another model than the session", i);
    }
    bags->push_back(&items[i]->bag);
  }
  return Status();
}

// The request as the session scores it: with the attached overlay's
// customer memory as its history when it names a remembered customer and
// gives no history of its own.
const FeatureBag& scored_request(barista_session* session, const barista_request* request) {
  if (session->overlay == nullptr) return request->bag;
  return session->overlay->overlay->with_memory(request->bag, &session->filled);
}

void to_probabilities(const float* logits, size_t count, float* out) {
  for (size_t i = 0; i < count; ++i) out[i] = sigmoid(logits[i]);
}

// The top-k for one request, written to `out`.
Status recommend(barista_session* session, const barista_request* request, const barista_recommend_params* params,
                 barista_recommendation* out, size_t out_capacity, size_t* out_count) {
  barista_recommend_params known;
  Status status = read_params(params, &known);
  params = &known;
  if (status.ok()) status = check_request(session, request);
  if (status.ok() && (out_count == nullptr || (out == nullptr && params->k > 0))) {
    status = make_error(BARISTA_STATUS_INVALID_ARGUMENT, "out or out_count is NULL");
  }
  if (status.ok() && out_capacity < params->k) {
    status =
        make_error(BARISTA_STATUS_BUFFER_TOO_SMALL, "out holds %zu recommendations; k is %zu", out_capacity, params->k);
  }
  if (status.ok() && ((params->candidates == nullptr && params->candidate_count > 0) ||
                      (params->exclude == nullptr && params->exclude_count > 0))) {
    status = make_error(BARISTA_STATUS_INVALID_ARGUMENT, "candidates or exclude is NULL with a non-zero count");
  }
  if (status.ok() && params->precision != BARISTA_PRECISION_EXACT &&
      params->precision != BARISTA_PRECISION_INT8_SHORTLIST) {
    status = make_error(BARISTA_STATUS_INVALID_ARGUMENT, "unknown precision %u", params->precision);
  }
  if (status.ok()) status = check_items(session, params->extra_items, params->extra_item_count, &session->extra_items);
  if (status.ok()) {
    RecommendQuery query;
    query.k = params->k;
    query.whole_catalog = params->candidates == nullptr;
    query.candidates = Span<uint32_t>(params->candidates, params->candidate_count);
    query.exclude = Span<uint32_t>(params->exclude, params->exclude_count);
    if (session->catalog != nullptr) {
      // Unavailable items join the request's exclusions; added items are
      // ranked with the catalog.
      const CatalogChanges& changes = *session->catalog->changes;
      session->excluded.assign(query.exclude.begin(), query.exclude.end());
      session->excluded.insert(session->excluded.end(), changes.unavailable().begin(), changes.unavailable().end());
      query.exclude = Span<uint32_t>(session->excluded);
      query.added_items = changes.prepared();
    }
    query.extra_items = Span<const FeatureBag*>(session->extra_items);
    // Only where the int8 product is vectorized: elsewhere the shortlist
    // would cost many times the exact ranking (KernelTable::int8_product).
    query.int8_layers =
        params->precision == BARISTA_PRECISION_INT8_SHORTLIST && session->owner->model->kernels().int8_product;
    status = session->scorer.recommend(scored_request(session, request), query, &session->results);
  }
  if (status.ok()) {
    const auto& results = session->results;
    for (size_t i = 0; i < results.size(); ++i) {
      out[i].item = results[i].item;
      out[i].score = sigmoid(results[i].logit);
    }
    *out_count = results.size();
  }
  return status;
}

}  // namespace

extern "C" {

barista_status barista_session_create(const barista_model* model, barista_session** out_session) {
  if (!valid_model(model) || out_session == nullptr) return BARISTA_STATUS_INVALID_ARGUMENT;
  BARISTA_TRY {
    auto* owner = const_cast<barista_model*>(model);  // only its reference count changes
    barista_session* session = new_object<barista_session>(owner);
    if (session == nullptr) return BARISTA_STATUS_OUT_OF_MEMORY;
    retain_model(owner);
    *out_session = session;
    return BARISTA_STATUS_OK;
  }
  BARISTA_CATCH(const std::bad_alloc&) { return BARISTA_STATUS_OUT_OF_MEMORY; }
}

void barista_session_free(barista_session* session) {
  if (!valid_session(session)) return;
  barista_model* owner = session->owner;
  barista_overlay* overlay = session->overlay;
  barista_catalog* catalog = session->catalog;
  session->magic = kFreedMagic;
  delete_object(session);
  if (overlay != nullptr) release_overlay(overlay);
  if (catalog != nullptr) release_catalog(catalog);
  release_model(owner);
}

size_t barista_session_memory_bytes(const barista_session* session) {
  if (!valid_session(session)) return 0;
  return sizeof(*session) + session->scorer.memory_bytes() + heap_bytes(session->results) +
         heap_bytes(session->extra_items) + heap_bytes(session->logits) + session->error.capacity() + session->filled.memory_bytes() +
         (session->explainer ? sizeof(Explainer) + session->explainer->memory_bytes() : 0) +
         heap_bytes(session->explanation.wide_terms) + heap_bytes(session->explanation.deep_inputs) +
         heap_bytes(session->wide_contributions) + heap_bytes(session->deep_attributions) +
         heap_bytes(session->excluded);
}

const char* barista_session_last_error(const barista_session* session) {
  if (!valid_session(session)) return "invalid handle";
  return session->error.c_str();
}

barista_status barista_session_score(barista_session* session, const barista_request* request, const uint32_t* items,
                                     size_t count, float* out_scores, size_t out_capacity) {
  if (!valid_session(session)) return BARISTA_STATUS_INVALID_ARGUMENT;
  std::string* error = &session->error;
  BARISTA_API_TRY
  Status status = check_request(session, request);
  if (status.ok() && ((items == nullptr && count > 0) || (out_scores == nullptr && count > 0))) {
    status = make_error(BARISTA_STATUS_INVALID_ARGUMENT, "items or out_scores is NULL");
  }
  if (status.ok() && out_capacity < count) {
    status =
        make_error(BARISTA_STATUS_BUFFER_TOO_SMALL, "out_scores holds %zu scores; %zu are needed", out_capacity, count);
  }
  const uint32_t n = session->scorer.model().catalog().count;
  for (size_t i = 0; status.ok() && i < count; ++i) {
    if (items[i] >= n) {
      status = make_error(BARISTA_STATUS_INVALID_ARGUMENT, "item %u is out of range (the catalog has %u items)",
                          items[i], n);
    }
  }
  // A few items: their data loads while the request is prepared.
  if (status.ok() && count <= 4) session->scorer.prefetch_catalog(Span<uint32_t>(items, count));
  if (status.ok()) status = session->scorer.prepare(scored_request(session, request));
  if (status.ok()) {
    session->logits.resize(count);
    status = session->scorer.logits_catalog(Span<uint32_t>(items, count), session->logits.data());
  }
  if (status.ok()) to_probabilities(session->logits.data(), count, out_scores);
  return record(status, error);
  BARISTA_API_CATCH(error)
}

barista_status barista_session_score_items(barista_session* session, const barista_request* request,
                                           const barista_item* const* items, size_t count, float* out_scores,
                                           size_t out_capacity) {
  if (!valid_session(session)) return BARISTA_STATUS_INVALID_ARGUMENT;
  std::string* error = &session->error;
  BARISTA_API_TRY
  Status status = check_request(session, request);
  if (status.ok()) status = check_items(session, items, count, &session->extra_items);
  if (status.ok() && out_scores == nullptr && count > 0) {
    status = make_error(BARISTA_STATUS_INVALID_ARGUMENT, "out_scores is NULL");
  }
  if (status.ok() && out_capacity < count) {
    status =
        make_error(BARISTA_STATUS_BUFFER_TOO_SMALL, "out_scores holds %zu scores; %zu are needed", out_capacity, count);
  }
  if (status.ok()) status = session->scorer.prepare(scored_request(session, request));
  if (status.ok()) {
    session->logits.resize(count);
    status = session->scorer.logits_described(Span<const FeatureBag*>(session->extra_items), session->logits.data());
  }
  if (status.ok()) to_probabilities(session->logits.data(), count, out_scores);
  return record(status, error);
  BARISTA_API_CATCH(error)
}

barista_status barista_session_recommend(barista_session* session, const barista_request* request,
                                         const barista_recommend_params* params, barista_recommendation* out,
                                         size_t out_capacity, size_t* out_count) {
  if (!valid_session(session)) return BARISTA_STATUS_INVALID_ARGUMENT;
  std::string* error = &session->error;
  BARISTA_API_TRY
  return record(recommend(session, request, params, out, out_capacity, out_count), error);
  BARISTA_API_CATCH(error)
}

barista_status barista_session_recommend_many(barista_session* session, const barista_batch_request* requests,
                                              size_t count, barista_recommendation* out, size_t out_capacity,
                                              size_t* out_counts) {
  if (!valid_session(session)) return BARISTA_STATUS_INVALID_ARGUMENT;
  std::string* error = &session->error;
  BARISTA_API_TRY
  if ((requests == nullptr || out_counts == nullptr) && count > 0) {
    return record(make_error(BARISTA_STATUS_INVALID_ARGUMENT, "requests or out_counts is NULL"), error);
  }
  for (size_t i = 0; i < count; ++i) out_counts[i] = 0;
  // Each request's k slots follow the previous request's; all are checked
  // before anything is written.
  size_t needed = 0;
  barista_recommend_params known;
  for (size_t i = 0; i < count; ++i) {
    const Status status = read_params(requests[i].params, &known);
    if (!status.ok()) return record(make_error(status.code(), "request %zu: %s", i, status.message().c_str()), error);
    needed += known.k;
  }
  if (needed > 0 && out == nullptr) return record(make_error(BARISTA_STATUS_INVALID_ARGUMENT, "out is NULL"), error);
  if (out_capacity < needed) {
    return record(make_error(BARISTA_STATUS_BUFFER_TOO_SMALL,
                             "out holds %zu recommendations; the requests' k add up to %zu", out_capacity, needed),
                  error);
  }
  size_t at = 0;
  for (size_t i = 0; i < count; ++i) {
    (void)read_params(requests[i].params, &known);
    const Status status = recommend(session, requests[i].request, requests[i].params, out + at, known.k, &out_counts[i]);
    if (!status.ok()) {
      for (size_t j = 0; j <= i; ++j) out_counts[j] = 0;
      return record(make_error(status.code(), "request %zu: %s", i, status.message().c_str()), error);
    }
    at += known.k;
  }
  return record(Status(), error);
  BARISTA_API_CATCH(error)
}

}  // extern "C"

namespace {

// Explains `item` and hands the explanation out in `out`.
barista_status explain(barista_session* session, const barista_request* request, ItemRef item,
                       barista_explanation* out) {
  std::string* error = &session->error;
  if (out == nullptr || out->struct_size < offsetof(barista_explanation, deep_input_count) + sizeof(size_t)) {
    return record(make_error(BARISTA_STATUS_INVALID_ARGUMENT,
                             "out is NULL or its struct_size is not set (set it to sizeof(barista_explanation))"),
                  error);
  }
  if (session->explainer == nullptr) session->explainer.reset(new Explainer(session->scorer.model()));
  const OverlayStore* learned = session->overlay == nullptr ? nullptr : &session->overlay->overlay->store();
  Explanation& e = session->explanation;
  const Status status = session->explainer->explain(scored_request(session, request), item, learned, &e);
  if (!status.ok()) return record(status, error);
  const Model& model = session->scorer.model();
  session->wide_contributions.resize(e.wide_terms.size());
  for (size_t i = 0; i < e.wide_terms.size(); ++i) {
    const WideContribution& c = e.wide_terms[i];
    session->wide_contributions[i] = {model.columns()[c.column].name, c.value.c_str(), c.model, c.learned};
  }
  session->deep_attributions.resize(e.deep_inputs.size());
  for (size_t i = 0; i < e.deep_inputs.size(); ++i) {
    session->deep_attributions[i] = {model.columns()[e.deep_inputs[i].column].name, e.deep_inputs[i].attribution};
  }
  barista_explanation result;
  result.struct_size = out->struct_size;
  result.logit = e.logit;
  result.bias = e.bias;
  result.wide = e.wide;
  result.learned = e.learned;
  result.deep = e.deep;
  result.deep_baseline = e.deep_baseline;
  result.integration_error = e.integration_error;
  result.wide_terms = session->wide_contributions.data();
  result.wide_term_count = session->wide_contributions.size();
  result.deep_inputs = session->deep_attributions.data();
  result.deep_input_count = session->deep_attributions.size();
  // A host compiled against a later, larger struct keeps its tail.
  std::memcpy(out, &result, std::min(out->struct_size, sizeof result));
  return record(Status(), error);
}

}  // namespace

extern "C" {

barista_status barista_session_explain(barista_session* session, const barista_request* request, uint32_t item,
                                       barista_explanation* out) {
  if (!valid_session(session)) return BARISTA_STATUS_INVALID_ARGUMENT;
  std::string* error = &session->error;
  BARISTA_API_TRY
  Status status = check_request(session, request);
  const uint32_t n = session->scorer.model().catalog().count;
  if (status.ok() && item >= n) {
    status = make_error(BARISTA_STATUS_INVALID_ARGUMENT, "item %u is out of range (the catalog has %u items)", item, n);
  }
  if (!status.ok()) return record(status, error);
  return explain(session, request, ItemRef::catalog(item), out);
  BARISTA_API_CATCH(error)
}

barista_status barista_session_explain_item(barista_session* session, const barista_request* request,
                                            const barista_item* item, barista_explanation* out) {
  if (!valid_session(session)) return BARISTA_STATUS_INVALID_ARGUMENT;
  std::string* error = &session->error;
  BARISTA_API_TRY
  Status status = check_request(session, request);
  if (status.ok()) status = check_items(session, &item, 1, &session->extra_items);
  if (!status.ok()) return record(status, error);
  return explain(session, request, ItemRef::described(item->bag), out);
  BARISTA_API_CATCH(error)
}

}  // extern "C"
