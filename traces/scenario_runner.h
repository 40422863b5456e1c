// SPDX-License-Identifier: GPL-2.0
// Runs a Scenario on any MprogApi (the v2 model, the spec, later upstream): names
// become fds and ids, each step's actual result is printed and checked against the
// step's expectations. A name used before it is bound, or any other misuse the
// format forbids, throws ScenarioError: the file is bad, not the kernel.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "model/mprog_api.h"
#include "traces/scenario.h"

namespace mprogsim {

struct StepReport {
  std::size_t index = 0;  // 1-based, as printed
  std::string line;       // "step 3: attach P3 -> OK"
  std::vector<std::string> mismatches;  // "expect: expected OK, got EBUSY"
  std::vector<std::string> warnings;    // kernel-warn events during the step
};

struct ScenarioReport {
  std::string name;
  std::vector<StepReport> steps;
  std::size_t passed = 0;  // steps whose expectations all held (or had none)
  std::size_t failed = 0;
};

// A fresh attach point for `semantics`; throws ScenarioError if not supported yet.
std::unique_ptr<MprogApi> make_system(Semantics semantics);

// Runs `scenario` on `system` (fresh). Throws ScenarioError for a bad file.
ScenarioReport run_scenario(const Scenario& scenario, MprogApi& system);

// Renders the report lines as `mprogsim replay` prints them (no summary line).
std::string format_report(const ScenarioReport& report);

}  // namespace mprogsim
