// SPDX-License-Identifier: GPL-2.0
// `mprogsim check --sequential`: a seeded campaign of long random operation
// sequences run on the faithful v2 model and the spec side by side, with the
// invariants checked after every step (properties/differential.h). No readers, no
// interleavings: cheap, and it reaches states (63 programs, wrap-around) the
// simulator's short workloads do not.
// Exit 0: no violation; 1: one found (its scenario written under --out).
#include <filesystem>
#include <iostream>
#include <map>
#include <random>
#include <set>

#include "model/mutants.h"
#include "properties/differential.h"
#include "properties/invariants.h"
#include "tools/check_options.h"
#include "tools/cli_checks.h"
#include "traces/atomic_file.h"
#include "traces/scenario_runner.h"

namespace mprogsim::tools {
namespace {

// Raw draws only (no std distributions): the same seed gives the same actions on
// every platform.
properties::Action draw_action(std::mt19937_64& rng) {
  properties::Action a;
  u32 total = 0;
  for (const auto& [weight, kind] : properties::kActionWeights) total += weight;
  u32 pick = static_cast<u32>(rng() % total);
  for (const auto& [weight, kind] : properties::kActionWeights) {
    if (pick < weight) {
      a.kind = kind;
      break;
    }
    pick -= weight;
  }
  const u64 r = rng();
  a.prog = static_cast<u32>(r % 1024);
  a.other = static_cast<u32>((r >> 10) % 1024);
  a.flags = (r >> 20) % 3 == 0 ? 0 : ((r >> 22) % 2 ? 1U << ((r >> 24) % 7) : (r >> 27) % 128);
  a.relative = static_cast<u32>((r >> 34) % 4);
  a.relative_pick = static_cast<u32>((r >> 36) % 1024);
  a.by_id = (r >> 46) & 1;
  const u32 rev = static_cast<u32>((r >> 47) % 18);
  a.revision = rev < 12 ? 0 : rev < 15 ? 1 : rev - 13;
  a.count = static_cast<u32>((r >> 52) % 64);
  return a;
}

// The replay command must show the violation, not pass: say what it shows, found by
// running the written scenario on the same model (the mutant is still in force).
std::string what_replay_shows(const Scenario& scenario) {
  try {
    auto model = make_system(scenario.semantics);
    const ScenarioReport report = run_scenario(scenario, *model);
    for (const StepReport& step : report.steps) {
      if (!step.violations.empty()) {
        return "(it shows a VIOLATION at step " + std::to_string(step.index) + ": " +
               step.violations.front() + ")";
      }
      if (!step.mismatches.empty()) {
        return "(it shows a MISMATCH at step " + std::to_string(step.index) + ": " +
               step.mismatches.front() + ")";
      }
    }
    for (const StepReport& step : report.steps) {
      if (!step.warnings.empty()) {
        return "(every expectation holds; step " + std::to_string(step.index) +
               " prints the kernel warning: " + step.warnings.front() + ")";
      }
    }
  } catch (const ScenarioError& e) {
    return std::string("(internal bug: the written scenario is a bad file: ") + e.what() + ")";
  }
  return "(every expectation holds: the violation is in model state a scenario cannot "
         "observe; the steps lead to it)";
}

u64 draw_initial_revision(std::mt19937_64& rng) {
  constexpr std::array<u64, 16> kChoices = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                                            0xfffffffe, 0xfffffffe, 0x7ffffffe, 0x7ffffffe,
                                            0xfffffff0, 0x80000000};
  return kChoices[rng() % kChoices.size()];
}

}  // namespace

int run_sequential_check(const SequentialCheckOptions& check_options) {
  const SequentialCheckOptions* o = &check_options;
    set_current_mutant(o->mutant);
    std::cout << "SEED=" << o->seed << " semantics=" << (o->semantics == Semantics::kV2 ? "v2" : "upstream") << " mode=sequential executions=" << o->executions
              << " ops=" << o->ops << " mutant=" << mutant_name(o->mutant) << (o->strict ? " strict" : "")
              << "\n";
    std::mt19937_64 rng(o->seed);
    std::map<std::string, u64> findings;
    for (u64 e = 0; e < o->executions; e++) {
      properties::DifferentialOptions options;
      options.initial_revision = draw_initial_revision(rng);
      options.semantics = o->semantics;
      if (!o->strict) {
        options.tolerated_findings = {properties::kFindingStaticKeyLeak,
                                      properties::kFindingEmptyDetach,
                                      properties::kFindingEstaleHighRevision};
      }
      std::vector<properties::Action> actions;
      for (u32 i = 0; i < o->ops; i++) actions.push_back(draw_action(rng));
      const auto result = properties::run_differential(actions, options);
      for (const auto& f : result.findings) findings[f]++;
      if (!result.ok) {
        std::error_code ec;
        std::filesystem::create_directories(o->out, ec);
        // Never replaces a file: another run (another mutant, say) keeps its scenario.
        const std::string stem = o->out + "/check-" +
                                 (o->semantics == Semantics::kV2 ? "v2" : "upstream") + "-" +
                                 std::string(mutant_name(o->mutant)) + "-seed" + std::to_string(o->seed) +
                                 "-ops" + std::to_string(o->ops) + "-exec" + std::to_string(e);
        std::string path;
        const std::string error =
            ec ? "--out " + o->out + ": " + ec.message()
               : write_new_file_atomically(stem, ".json", write_scenario(result.counterexample),
                                           &path);
        std::cout << "VIOLATION in execution " << e << ": " << result.failure << "\n";
        if (!error.empty()) {
          print_error("check: could not write the scenario: " + error);
          return 2;
        }
        const std::string mutant_option =
            o->mutant == Mutant::kNone ? "" : " --mutant " + std::string(mutant_name(o->mutant));
        std::cout << "scenario (unshrunk, expectations are the spec's answers): " << path
                  << "\nreplay it: mprogsim replay " << path << mutant_option << "\n"
                  << "  " << what_replay_shows(result.counterexample) << "\n";
        return 1;
      }
    }
    std::cout << "no violation in " << o->executions << " executions";
    if (!findings.empty()) {
      std::cout << "; known v2 findings seen (tolerated, see docs/semantics.md):";
      for (const auto& [f, n] : findings) std::cout << " " << f << " x" << n;
    }
    std::cout << "\n";
    return 0;
}

}  // namespace mprogsim::tools
