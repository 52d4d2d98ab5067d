// Recommendations for many customers at once: the requests are built under
// the GIL, then ranked without it on several threads, one session each,
// each thread taking every T-th request (customers' costs differ little,
// and interleaving spreads the ones that differ).
#include <algorithm>
#include <thread>

#include "bindings.h"

namespace barista::python {

namespace {

struct BatchRequest {
  const barista_request* request = nullptr;
  barista_request* owned = nullptr;  // built from a dict here
  std::vector<uint32_t> exclude;
};

// The requests' C handles, freed however the call ends.
struct BatchRequests {
  std::vector<BatchRequest> list;
  BatchRequests() = default;
  BatchRequests(const BatchRequests&) = delete;
  BatchRequests& operator=(const BatchRequests&) = delete;
  ~BatchRequests() {
    for (BatchRequest& r : list) barista_request_free(r.owned);
  }
};

struct WorkerFailure {
  barista_status code = BARISTA_STATUS_OK;
  size_t index = 0;  // the request that failed
  std::string message;
};

// Ranks requests[i] for i = first, first + step, ... on a session of its
// own; a failure stops this worker and names the request.
void rank_share(barista_model* model, const std::vector<BatchRequest>& requests, const barista_recommend_params& shared,
                size_t first, size_t step, barista_recommendation* top, uint32_t* counts, WorkerFailure* failure) {
  barista_session* session = nullptr;
  if (barista_session_create(model, &session) != BARISTA_STATUS_OK) {
    *failure = {BARISTA_STATUS_OUT_OF_MEMORY, first, "creating a session failed"};
    return;
  }
  barista_recommend_params params = shared;
  const size_t k = params.k;
  for (size_t i = first; i < requests.size(); i += step) {
    params.exclude = requests[i].exclude.data();
    params.exclude_count = requests[i].exclude.size();
    size_t count = 0;
    const barista_status code =
        barista_session_recommend(session, requests[i].request, &params, top + i * k, k, &count);
    if (code != BARISTA_STATUS_OK) {
      *failure = {code, i, "request " + std::to_string(i) + ": " + barista_session_last_error(session)};
      break;
    }
    counts[i] = static_cast<uint32_t>(count);
  }
  barista_session_free(session);
}

// Returns (request position int64, rank int32, item index uint32, score
// float32) arrays, one row per recommendation, requests in order.
py::tuple recommend_batch(const PyModel& py_model, py::handle requests, size_t k, unsigned threads, py::handle exclude,
                          const std::string& precision) {
  const std::shared_ptr<ModelRef>& model = py_model.ref();
  k = std::max<size_t>(1, std::min(k, model->item_count));
  const RecommendArgs shared(*model, k, py::none(), py::none(), precision);

  BatchRequests batch;
  // Request objects are used as they are (immutable); dicts are built here.
  std::vector<py::object> kept;  // the Request objects, alive until the end
  for (py::handle features : requests) {
    batch.list.emplace_back();
    BatchRequest& r = batch.list.back();
    if (py::isinstance<PyRequest>(features)) {
      const PyRequest& given = features.cast<const PyRequest&>();
      if (given.model()->get() != model->get()) {
        raise(BARISTA_STATUS_INVALID_ARGUMENT,
              "request " + std::to_string(batch.list.size() - 1) + " was built for another model");
      }
      r.request = given.get();
      kept.push_back(py::reinterpret_borrow<py::object>(features));
      continue;
    }
    if (barista_request_create(model->get(), &r.owned) != BARISTA_STATUS_OK) {
      raise(BARISTA_STATUS_OUT_OF_MEMORY, "creating a request failed");
    }
    r.request = r.owned;
    fill_request(*model, r.owned, features);
  }
  if (!exclude.is_none()) {
    size_t i = 0;
    for (py::handle items : exclude) {
      if (i == batch.list.size()) throw py::value_error("exclude has more entries than there are requests");
      if (!items.is_none()) batch.list[i].exclude = item_indices(*model, items);
      ++i;
    }
    if (i != batch.list.size()) throw py::value_error("exclude has fewer entries than there are requests");
  }

  const size_t n = batch.list.size();
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  const size_t workers = std::max<size_t>(1, std::min<size_t>(threads, n));
  std::vector<barista_recommendation> top(n * k);
  std::vector<uint32_t> counts(n, 0);
  std::vector<WorkerFailure> failures(workers);
  {
    py::gil_scoped_release unlocked;
    std::vector<std::thread> pool;
    for (size_t w = 1; w < workers; ++w) {
      pool.emplace_back(rank_share, model->get(), std::cref(batch.list), std::cref(shared.params), w, workers,
                        top.data(), counts.data(), &failures[w]);
    }
    rank_share(model->get(), batch.list, shared.params, 0, workers, top.data(), counts.data(), &failures[0]);
    for (std::thread& t : pool) t.join();
  }
  // The failure of the lowest-numbered request, so that the message does
  // not depend on the thread count.
  const WorkerFailure* first = nullptr;
  size_t first_index = n;
  for (size_t w = 0; w < workers; ++w) {
    if (failures[w].code == BARISTA_STATUS_OK) continue;
    if (failures[w].index < first_index) first_index = failures[w].index, first = &failures[w];
  }
  if (first != nullptr) raise(first->code, first->message);

  size_t rows = 0;
  for (uint32_t c : counts) rows += c;
  py::array_t<int64_t> position(static_cast<py::ssize_t>(rows));
  py::array_t<int32_t> rank(static_cast<py::ssize_t>(rows));
  py::array_t<uint32_t> item(static_cast<py::ssize_t>(rows));
  py::array_t<float> score(static_cast<py::ssize_t>(rows));
  size_t row = 0;
  for (size_t i = 0; i < n; ++i) {
    for (uint32_t r = 0; r < counts[i]; ++r, ++row) {
      position.mutable_data()[row] = static_cast<int64_t>(i);
      rank.mutable_data()[row] = static_cast<int32_t>(r + 1);
      item.mutable_data()[row] = top[i * k + r].item;
      score.mutable_data()[row] = top[i * k + r].score;
    }
  }
  return py::make_tuple(position, rank, item, score);
}

}  // namespace

void bind_batch(py::module_& m) {
  m.def("_recommend_batch", &recommend_batch, py::arg("model"), py::arg("requests"), py::arg("k") = 10,
        py::arg("threads") = 0, py::arg("exclude") = py::none(), py::arg("precision") = "exact");
}

}  // namespace barista::python
