// barista recommend MODEL --all-users CONFIG: the top-K for every customer of
// a log (or of a list), each with their whole history and user features,
// excluding what they already had, on several threads; written as CSV or
// JSON lines, with progress and the throughput on stderr.
#pragma once

#include "cli.h"

namespace barista::cli {

Exit run_batch_recommend(const Args& args, uint64_t k);

}  // namespace barista::cli
