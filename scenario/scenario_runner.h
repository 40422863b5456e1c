// SPDX-License-Identifier: GPL-2.0
// Runs a Scenario on any MprogApi (the v2 or upstream model, either spec): names
// become fds and ids, flag names the bits of the scenario's semantics, each step's
// actual result is printed and checked against the step's expectations. A name used
// before it is bound, or any other misuse the format forbids, throws ScenarioError: the
// file is bad, not the kernel. Which names a step binds is decided from the file
// (scenario/scenario_names.h); a binding step that fails at run time is a mismatch, and
// its name then denotes an object that does not exist.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/mprog_api.h"
#include "model/variant_registry.h"  // make_system, make_spec
#include "scenario/scenario.h"
#include "scenario/scenario_names.h"

namespace mprogsim {

struct StepReport {
  std::size_t index = 0;                // 1-based, as printed
  std::string line;                     // "step 3: attach P3 -> OK"
  std::vector<std::string> mismatches;  // "expect: expected OK, got EBUSY"
  std::vector<std::string> warnings;    // kernel-warn events during the step
  // Property violations during the step: accesses the kernel would make outside its
  // arrays ("out-of-bounds: ..."). Each fails the step, like a mismatch.
  std::vector<std::string> violations;
  // The step with every expectation field it supports set to what actually happened:
  // replaying `observed` on the same system passes, as far as every link_attach binds
  // its name as it did here. One whose expectation and result disagree on success
  // binds differently once its result is written in (the format decides binding by
  // `expect`): a name bound to nothing becomes unbound, an unnamed link gets its name,
  // and later steps that print or use it differ.
  Step observed;
};

struct ScenarioReport {
  std::string name;
  std::vector<StepReport> steps;
  std::size_t passed = 0;  // steps whose expectations all held (or had none)
  std::size_t failed = 0;  // steps with a mismatch or a violation
};

// Removes every expectation field of a step.
void clear_expectations(Step* step);
// The scenario with each step's expectations replaced by the spec's answers, as
// `mprogsim check` writes them. Throws ScenarioError for steps the format forbids.
[[nodiscard]] Scenario with_spec_expectations(Scenario scenario);

// Runs steps one at a time on one system, keeping the name -> fd/id bindings.
class ScenarioSession {
 public:
  // `semantics` decides the flag bits (v2 and upstream number them differently) and
  // what `replace` means on attach (scenario-format.md). `binding`: whether a
  // link_attach binds its name as the file says (the contract) or when it succeeds
  // (for runs whose expectations are then replaced by what they observed).
  ScenarioSession(MprogApi& system, std::optional<u64> initial_revision,
                  Semantics semantics = Semantics::kV2,
                  NameBinding binding = NameBinding::kFromFile);
  ~ScenarioSession();
  ScenarioSession(const ScenarioSession&) = delete;
  ScenarioSession& operator=(const ScenarioSession&) = delete;

  // Throws ScenarioError for a step the format forbids (unbound name, ...).
  StepReport step(const Step& step);
  // What a report's `observed` holds: the whole step with its results (kStep), or
  // the results alone, its expectation fields, the others left as `report` had them
  // (kResults: for the simulator, which reads only observed.expect, and copying the
  // step costs it a few percent of every execution).
  enum class Observed { kStep, kResults };
  // The same into `report`, reusing its storage (the simulator's per-step path).
  void step(const Step& step, StepReport& report, Observed observed = Observed::kStep);

  // Bound names, sorted; a name whose binding step failed is bound too (to nothing).
  std::vector<std::string> prog_names() const;
  std::vector<std::string> link_names() const;
  bool prog_closed(const std::string& name) const;
  bool link_closed(const std::string& name) const;

 private:
  class Runner;
  std::unique_ptr<Runner> runner_;
  std::size_t steps_ = 0;
};

// Runs `scenario` on `system` (fresh, of the scenario's semantics). Throws
// ScenarioError for a bad file, before running any step.
[[nodiscard]] ScenarioReport run_scenario(const Scenario& scenario, MprogApi& system);

// Renders the report lines as `mprogsim replay` prints them (no summary line).
[[nodiscard]] std::string format_report(const ScenarioReport& report);

}  // namespace mprogsim
