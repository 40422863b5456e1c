// SPDX-License-Identifier: GPL-2.0
// The options of `mprogsim check` shared by its two modes.
#pragma once

#include <string>

#include "model/mprog_api.h"
#include "model/mutants.h"
#include "traces/scenario.h"

namespace mprogsim::tools {

struct SequentialCheckOptions {
  u64 seed = 1;
  u64 executions = 2000;
  u32 ops = 40;
  Mutant mutant = Mutant::kNone;
  Semantics semantics = Semantics::kV2;
  std::string out = "out";
  bool strict = false;
};

int run_sequential_check(const SequentialCheckOptions& options);

}  // namespace mprogsim::tools
