// What the parts of barista's Python module share: the error the C API's
// failures become, and the Python-side objects over the C handles.
#ifndef BARISTA_PYTHON_BINDINGS_H
#define BARISTA_PYTHON_BINDINGS_H

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "barista.h"

namespace barista::python {

namespace py = pybind11;

// A failure the library reported; raised in Python as barista.Error, whose
// `status` is the status' name without the prefix ("NOT_FOUND") and `code`
// its number.
struct Failure {
  barista_status code;
  std::string message;
};

[[noreturn]] inline void raise(barista_status code, const std::string& message) {
  throw Failure{code, message.empty() ? barista_status_describe(code) : message};
}
[[noreturn]] inline void raise(barista_status code, const char* message) {
  raise(code, std::string(message ? message : ""));
}
inline void check(barista_status code, const char* message) {
  if (code != BARISTA_STATUS_OK) raise(code, message);
}

struct InputInfo {
  std::string name;
  barista_source source;
  bool numeric;
  bool multivalent;
  uint32_t max_values;
};

// One reference to an open C model, with what the bindings read of it
// often. Shared by the Python objects made from the model, so that they
// keep working after Model.close() (as C handles keep their model alive).
class ModelRef {
 public:
  static std::shared_ptr<ModelRef> adopt(barista_model* raw);
  ~ModelRef();
  ModelRef(const ModelRef&) = delete;
  ModelRef& operator=(const ModelRef&) = delete;

  barista_model* get() const { return model_; }
  const InputInfo* input(const std::string& name) const;
  std::string item_id(uint32_t index) const;

  size_t item_count = 0;
  std::string user_input;  // "" when the model has none
  std::vector<InputInfo> inputs;

 private:
  explicit ModelRef(barista_model* model) : model_(model) {}
  barista_model* model_;
};

class PyModel {
 public:
  static std::shared_ptr<PyModel> open(const std::string& path, bool verify, bool copy);
  const std::shared_ptr<ModelRef>& ref() const;  // raises when closed
  py::dict info() const;
  py::dict metadata() const;
  py::list inputs() const;
  py::list item_ids() const;
  void verify() const;
  void close() { ref_.reset(); }
  bool closed() const { return !ref_; }

 private:
  std::shared_ptr<ModelRef> ref_;
};

// Immutable once built: the library only reads requests and items, so one
// may be used by several threads at once.
class PyRequest {
 public:
  PyRequest(const PyModel& model, py::handle features);
  ~PyRequest();
  PyRequest(const PyRequest&) = delete;
  PyRequest& operator=(const PyRequest&) = delete;
  const barista_request* get() const { return raw_; }
  const std::shared_ptr<ModelRef>& model() const { return model_; }

 private:
  std::shared_ptr<ModelRef> model_;
  barista_request* raw_ = nullptr;
};

class PyItem {
 public:
  PyItem(const PyModel& model, py::handle features);
  ~PyItem();
  PyItem(const PyItem&) = delete;
  PyItem& operator=(const PyItem&) = delete;
  const barista_item* get() const { return raw_; }
  const std::shared_ptr<ModelRef>& model() const { return model_; }

 private:
  std::shared_ptr<ModelRef> model_;
  barista_item* raw_ = nullptr;
};

// barista_recommend_params from Python arguments, with the arrays they
// point to.
struct RecommendArgs {
  RecommendArgs(const ModelRef& model, size_t k, py::handle exclude, py::handle candidates,
                const std::string& precision);
  RecommendArgs(const RecommendArgs&) = delete;
  RecommendArgs& operator=(const RecommendArgs&) = delete;
  barista_recommend_params params;

 private:
  std::vector<uint32_t> exclude_, candidates_;
};

class PyOverlay {
 public:
  PyOverlay(const PyModel& model, const std::optional<std::string>& path, py::dict options);
  ~PyOverlay();
  PyOverlay(const PyOverlay&) = delete;
  PyOverlay& operator=(const PyOverlay&) = delete;
  void observe(py::handle request, py::handle item, float label, float weight);
  void observe_shown(py::handle request, py::handle shown, py::handle taken);
  void forget_user(const std::string& user);
  py::list recent_items(const std::string& user);
  void sync();
  void compact();
  py::dict stats();
  void close();
  barista_overlay* get() const;  // raises when closed
  const std::shared_ptr<std::mutex>& lock() const { return lock_; }

 private:
  template <class Call>
  void locked(Call&& call);
  std::shared_ptr<ModelRef> model_;
  std::shared_ptr<std::mutex> lock_;
  barista_overlay* raw_ = nullptr;
};

class PySession {
 public:
  explicit PySession(const PyModel& model);
  ~PySession();
  PySession(const PySession&) = delete;
  PySession& operator=(const PySession&) = delete;
  py::list recommend(py::handle request, size_t k, py::handle exclude, py::handle candidates,
                     const std::string& precision);
  py::tuple recommend_indices(py::handle request, size_t k, py::handle exclude, py::handle candidates,
                              const std::string& precision);
  py::array_t<float> score(py::handle request, py::handle items);
  py::array_t<float> score_indices(py::handle request,
                                   const py::array_t<int64_t, py::array::c_style | py::array::forcecast>& items);
  py::array_t<float> score_items(py::handle request, py::handle items);
  py::dict explain(py::handle request, py::handle item);
  void set_overlay(py::handle overlay);
  size_t memory_bytes() const;
  void close();

 private:
  barista_session* get() const;  // raises when closed
  template <class Call>
  barista_status locked(Call&& call);
  [[noreturn]] void fail(barista_status code) const;
  std::vector<barista_recommendation> recommend_raw(py::handle request, size_t k, py::handle exclude,
                                                    py::handle candidates, const std::string& precision);
  py::array_t<float> score_catalog(py::handle request, const std::vector<uint32_t>& items);
  py::object item_name(uint32_t index) const;

  std::shared_ptr<ModelRef> model_;
  std::shared_ptr<std::mutex> lock_;  // the attached overlay's, when there is one
  barista_session* raw_ = nullptr;
};

// Fills `request` (`item`) from a dict of input names to values (Request's
// and Item's rules).
void fill_request(const ModelRef& model, barista_request* request, py::handle features);
void fill_item(const ModelRef& model, barista_item* item, py::handle features);
// The catalog indices of a list of item ids.
std::vector<uint32_t> item_indices(const ModelRef& model, py::handle ids);

// {column name: ids (uint32 array) or standardized value (float)} for a
// request and an item (a catalog id, or a dict of features), as the
// runtime's encoder computes them (Model.encode).
py::dict encode_example(const PyModel& model, py::handle request, py::handle item);

void bind_runtime(py::module_& m);
void bind_batch(py::module_& m);
void bind_training(py::module_& m);
void bind_model_writing(py::module_& m);

}  // namespace barista::python

#endif  // BARISTA_PYTHON_BINDINGS_H
