// SPDX-License-Identifier: GPL-2.0
// Where an execution's checks report: a violation becomes the execution's result
// (and stops it), or is kept with the others (collect_outcome), or, when it is a
// known finding the run allows, is recorded and the execution goes on.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "model/mprog_api.h"
#include "sim/execution.h"

namespace mprogsim::sim {

// "[P1 P2]": a reader pass's list, for messages and evidence.
std::string list_text(std::span<const u32> ids);

// A violation without its step numbers (outcome_of).
std::string violation_key(const Violation& v);

class Verdicts {
 public:
  // `stop` is the execution's flag: set when a violation must end it.
  Verdicts(ExecutionResult& result, const ExecutionOptions& options, bool& stop)
      : result_(result), options_(options), stop_(stop) {}

  // `property` must be in sim/property_names.h; `finding`: the known finding this
  // is (sim/findings.h), or empty. The step is the current one.
  void violate(std::string property, ThreadId thread, std::string message,
               std::vector<std::pair<std::string, std::string>> evidence = {},
               std::string finding = {});

 private:
  ExecutionResult& result_;
  const ExecutionOptions& options_;
  bool& stop_;
};

}  // namespace mprogsim::sim
