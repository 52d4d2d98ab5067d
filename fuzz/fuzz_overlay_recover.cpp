// Fuzz target: recovering an overlay from arbitrary files. The input is
// [u16 split][snapshot bytes][journal bytes]; both are written to a scratch
// directory and opened against the XS model (fuzz/corpus/model_open/xs-model)
// with or without salvage, then used: observe, sync, forget, compact. Any
// crash, hang or sanitizer report is a bug; statuses are fine.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "barista.h"

#ifndef BARISTA_FUZZ_MODEL
#error "BARISTA_FUZZ_MODEL: the path of the model the overlays belong to"
#endif

namespace {

const barista_model* fuzz_model() {
  static barista_model* model = [] {
    barista_model* m = nullptr;
    if (barista_model_open_file(BARISTA_FUZZ_MODEL, nullptr, &m, nullptr) != BARISTA_STATUS_OK) std::abort();
    return m;
  }();
  return model;
}

const std::string& scratch_dir() {
  static const std::string dir = [] {
    // tmpfs where there is one: fsync costs nothing there, and executions
    // per second are what fuzzing needs.
    char shm[] = "/dev/shm/barista-fuzz-overlay-XXXXXX";
    if (mkdtemp(shm) != nullptr) return std::string(shm);
    char tmp[] = "/tmp/barista-fuzz-overlay-XXXXXX";
    if (mkdtemp(tmp) == nullptr) std::abort();
    return std::string(tmp);
  }();
  return dir;
}

void write(const std::string& path, const uint8_t* data, size_t size) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  const size_t split = std::min<size_t>(size - 3, (size_t{data[0]} | size_t{data[1]} << 8));
  const bool salvage = data[2] & 1;
  const bool with_snapshot = data[2] & 2;
  const uint8_t* body = data + 3;
  const std::string path = scratch_dir() + "/overlay";
  std::remove(path.c_str());
  if (with_snapshot) write(path, body, split);
  write(path + ".journal", body + split, size - 3 - split);

  barista_overlay_params params = barista_overlay_default_params();
  params.flags = salvage ? BARISTA_OVERLAY_SALVAGE : BARISTA_OVERLAY_DEFAULT;
  params.memory_limit = 16384;
  barista_overlay* overlay = nullptr;
  if (barista_overlay_open(fuzz_model(), path.c_str(), &params, &overlay, nullptr) != BARISTA_STATUS_OK) return 0;
  barista_overlay_stats stats;
  barista_overlay_get_stats(overlay, &stats);
  barista_request* request = nullptr;
  barista_request_create(fuzz_model(), &request);
  barista_request_set_user(request, "fuzz-user", BARISTA_STRLEN);
  barista_overlay_observe(overlay, request, 0, 1.0f, 1.0f);
  const uint32_t shown[] = {0, 1, 2};
  barista_overlay_observe_shown(overlay, request, shown, 3, 1);
  barista_overlay_sync(overlay);
  barista_overlay_forget_user(overlay, "fuzz-user", BARISTA_STRLEN);
  barista_overlay_sync(overlay);
  barista_overlay_compact(overlay);
  barista_request_free(request);
  barista_overlay_free(overlay);
  return 0;
}
