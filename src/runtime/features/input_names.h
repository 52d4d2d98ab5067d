// The names of the inputs that models trained by barista give their
// customer id, purchase history and item id. A model may name its inputs
// anything (the schema marks the user id and item id inputs); these are the
// names that the trainer writes and that the evaluation and the tools look
// for when they build requests from a log.
#pragma once

namespace barista::internal {

constexpr const char* kUserIdInput = "user_id";
constexpr const char* kHistoryInput = "history";
constexpr const char* kItemIdInput = "item_id";

}  // namespace barista::internal
