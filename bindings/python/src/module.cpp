// barista._barista: the compiled half of the barista Python package (the
// package's __init__.py adds what is easier in Python: DataFrames).
#include "bindings.h"

namespace barista::python {

namespace {

// "BARISTA_STATUS_NOT_FOUND" -> "NOT_FOUND".
std::string short_name(barista_status code) {
  const char* name = barista_status_name(code);
  std::string s = name ? name : "UNKNOWN";
  const std::string prefix = "BARISTA_STATUS_";
  return s.compare(0, prefix.size(), prefix) == 0 ? s.substr(prefix.size()) : s;
}

}  // namespace

}  // namespace barista::python

PYBIND11_MODULE(_barista, m) {
  namespace py = pybind11;
  using barista::python::Failure;
  m.doc() = "barista, an embedded wide & deep recommender: the compiled module.";
  m.attr("__version__") = barista_version();

  // barista.Error(message) with .status ("NOT_FOUND") and .code (2).
  static py::exception<Failure> error(m, "Error");
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Failure& f) {
      py::object instance = py::reinterpret_borrow<py::object>(error.ptr())(f.message);
      instance.attr("status") = barista::python::short_name(f.code);
      instance.attr("code") = static_cast<int>(f.code);
      instance.attr("message") = f.message;
      PyErr_SetObject(error.ptr(), instance.ptr());
    }
  });

  barista::python::bind_runtime(m);
  barista::python::bind_training(m);
  barista::python::bind_model_writing(m);
}
