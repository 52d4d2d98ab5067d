// The table the train and eval commands share: MostPop beside each model.
#pragma once

#include <string>
#include <vector>

#include "cli.h"
#include "config/train_config.h"
#include "data/dataset.h"
#include "eval/evaluate.h"

namespace barista::cli {

using internal::EvalRow;

void print_eval_table(const std::vector<EvalRow>& rows, uint32_t k);
void json_eval_rows(const std::vector<EvalRow>& rows, uint32_t k, JsonWriter* json);

}  // namespace barista::cli
