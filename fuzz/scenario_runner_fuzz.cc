// SPDX-License-Identifier: GPL-2.0
// libFuzzer target for the scenario reader and runner (scripts/fuzz.sh
// scenario_runner): arrays of scenarios, name binding, closed programs and links,
// every op on both variants, on the faithful model and on the spec. On any bytes,
// parse_scenarios returns or throws ScenarioError; running a scenario returns or
// throws ScenarioError (a bad file). Anything else is a bug and crashes the run.
//
// Oracles: a second run on a fresh system prints the same report (the model, the
// spec and the runner are deterministic); and each step's `observed` (the step with
// every expectation set to what happened) replayed on a fresh system passes, up to
// the first link_attach whose expectation and result disagree on success: the format
// binds a link_attach's name by its `expect`, so once the result is written in, the
// name binds differently (one that failed but expected OK no longer binds; one that
// succeeded but expected an errno now does) and later steps name the link otherwise
// (scenario/scenario_runner.h, StepReport::observed).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "model/mutants.h"
#include "scenario/scenario.h"
#include "scenario/scenario_names.h"
#include "scenario/scenario_runner.h"

namespace {

void run_and_recheck(const mprogsim::Scenario& scenario, bool spec) {
  using mprogsim::make_spec;
  using mprogsim::make_system;
  auto first = spec ? make_spec(scenario.semantics) : make_system(scenario.semantics);
  mprogsim::ScenarioReport report;
  try {
    report = mprogsim::run_scenario(scenario, *first);
  } catch (const mprogsim::ScenarioError&) {
    return;  // a bad file, reported as the format says
  }
  auto repeat_system = spec ? make_spec(scenario.semantics) : make_system(scenario.semantics);
  const auto repeated = mprogsim::run_scenario(scenario, *repeat_system);
  if (mprogsim::format_report(repeated) != mprogsim::format_report(report)) {
    std::fprintf(stderr, "two runs differ (%s):\n%s--- then ---\n%s", spec ? "spec" : "model",
                 mprogsim::format_report(report).c_str(),
                 mprogsim::format_report(repeated).c_str());
    std::abort();
  }
  mprogsim::Scenario observed = scenario;
  observed.steps.clear();
  for (std::size_t i = 0; i < report.steps.size(); i++) {
    const mprogsim::Step& step = report.steps[i].observed;
    observed.steps.push_back(step);
    if (step.op == mprogsim::StepOp::kLinkAttach &&
        mprogsim::step_binds(scenario.steps[i]) != mprogsim::step_binds(step)) {
      break;  // later steps would name this link otherwise (above)
    }
  }
  auto second = spec ? make_spec(scenario.semantics) : make_system(scenario.semantics);
  mprogsim::ScenarioReport again;
  try {
    again = mprogsim::run_scenario(observed, *second);
  } catch (const mprogsim::ScenarioError& e) {
    // Cut before any binding changes, the observed steps are as good a file as the
    // original's.
    std::fprintf(stderr, "what was observed is a bad file (%s): %s\n%s", spec ? "spec" : "model",
                 e.what(), mprogsim::write_scenario(observed).c_str());
    std::abort();
  }
  if (again.failed != 0) {
    std::fprintf(stderr, "replaying what was observed fails (%s):\n%s%s", spec ? "spec" : "model",
                 mprogsim::format_report(again).c_str(),
                 mprogsim::write_scenario(observed).c_str());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<mprogsim::Scenario> scenarios;
  try {
    scenarios = mprogsim::parse_scenarios(text);
  } catch (const mprogsim::ScenarioError&) {
    return 0;
  }
  for (const auto& scenario : scenarios) {
    run_and_recheck(scenario, false);
    run_and_recheck(scenario, true);
  }
  return 0;
}
