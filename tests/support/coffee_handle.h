// The coffee example model, written to memory and opened through the C API,
// for tests of the public calls.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "barista.h"
#include "samples/coffee_model.h"
#include "writer/model_writer.h"

namespace barista_test {

struct Coffee {
  std::vector<uint8_t> bytes;
  barista_model* model = nullptr;
  Coffee() {
    REQUIRE(barista::internal::write_model(barista::cli::make_coffee_model(), barista::internal::WriteOptions(), &bytes)
                .ok());
    REQUIRE(barista_model_open_buffer(bytes.data(), bytes.size(), nullptr, &model, nullptr) == BARISTA_STATUS_OK);
  }
  ~Coffee() { barista_model_free(model); }
  Coffee(const Coffee&) = delete;
  Coffee& operator=(const Coffee&) = delete;
  uint32_t item(const char* id) const {
    uint32_t index = 0;
    REQUIRE(barista_model_find_item(model, id, BARISTA_STRLEN, &index) == BARISTA_STATUS_OK);
    return index;
  }
  size_t items() const {
    barista_model_info info;
    barista_model_get_info(model, &info);
    return info.item_count;
  }
};

}  // namespace barista_test
