// SPDX-License-Identifier: GPL-2.0
// `mprogsim check --sequential`: a seeded campaign of long random operation
// sequences run on the faithful model and the spec side by side, with the
// invariants checked after every step (properties/differential.h). No readers, no
// interleavings: cheap, and it reaches states (63 programs, wrap-around) the
// simulator's short workloads do not.
//
// Known findings (v2's F1-F4, docs/semantics.md) are invariants the seed's code
// breaks. Those the options allow are counted and named in the summary, and the
// first sequence that meets each is shrunk and written as a scenario; any other
// failure ends the campaign. Exit 0: no violation; 1: one found (its scenario
// written under --out).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>
#include <set>

#include "common/rng.h"
#include "model/mutants.h"
#include "properties/differential.h"
#include "properties/invariants.h"
#include "tools/check_options.h"
#include "tools/cli_checks.h"
#include "traces/atomic_file.h"
#include "scenario/scenario_runner.h"

namespace mprogsim::tools {
namespace {

// Raw draws only (no std distributions): the same seed gives the same actions on
// every platform.
Action draw_action(std::mt19937_64& rng) {
  Action a;
  a.kind = weighted_item(kActionWeights, rng() % total_weight(kActionWeights));
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
// running the written scenario on the same model (with the same mutant).
std::string what_replay_shows(const Scenario& scenario, Mutant mutant) {
  try {
    auto model = make_system(scenario.semantics, mutant);
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

// Every known finding of the variant except `keep`: the run fails at `keep` only.
std::set<std::string> all_findings_but(const std::string& keep) {
  std::set<std::string> out;
  for (const sim::KnownFinding& f : sim::known_findings()) {
    if (f.name != keep) out.insert(std::string(f.name));
  }
  return out;
}

// A shorter action list (dropping one action at a time, and halving a batch of
// attaches, as long as a change keeps it) on which the run still fails at finding
// `name` alone. Actions pick objects modulo what exists, so every sublist is a valid
// sequence.
properties::DifferentialResult shrink_to_finding(std::vector<Action> actions,
                                                 properties::DifferentialOptions options,
                                                 const std::string& name) {
  options.tolerated_findings = all_findings_but(name);
  properties::DifferentialResult best = properties::run_differential(actions, options);
  auto keeps = [&](const std::vector<Action>& candidate) {
    auto r = properties::run_differential(candidate, options);
    if (r.ok || !r.findings.count(name)) return false;
    best = std::move(r);
    return true;
  };
  for (bool changed = true; changed;) {
    changed = false;
    for (std::size_t i = 0; i < actions.size() && !changed; i++) {
      auto candidate = actions;
      candidate.erase(candidate.begin() + static_cast<std::ptrdiff_t>(i));
      if (keeps(candidate)) {
        actions = std::move(candidate);
        changed = true;
      }
    }
    for (std::size_t i = 0; i < actions.size() && !changed; i++) {
      if (actions[i].kind != ActionKind::kAttachMany || actions[i].count < 2) continue;
      auto candidate = actions;
      candidate[i].count /= 2;
      if (keeps(candidate)) {
        actions = std::move(candidate);
        changed = true;
      }
    }
  }
  return best;
}

}  // namespace

int run_sequential_check(const SequentialCheckOptions& check_options, SequentialOutcome* outcome) {
  const SequentialCheckOptions* o = &check_options;
  SequentialOutcome local;
  SequentialOutcome& out = outcome ? *outcome : local;
  const std::string variant(variant_info(o->semantics).name);
  if (o->header) std::cout << "SEED=" << o->seed << " semantics=" << variant << " ";
  std::cout << "mode=sequential";
  if (o->executions < 1'000'000'000) std::cout << " executions=" << o->executions;
  std::cout << " ops=" << o->ops
            << " mutant=" << mutant_name(o->mutant) << " allow-finding=" << o->allowed.describe();
  if (o->time_budget_s > 0) {
    char budget[32];
    std::snprintf(budget, sizeof(budget), "%.1f", o->time_budget_s);
    std::cout << " time-budget=" << budget << "s";
  }
  std::cout << "\n";
  const auto started = std::chrono::steady_clock::now();
  std::mt19937_64 rng(o->seed);
  std::map<std::string, std::size_t> reported;  // finding -> index in out.findings
  // Never replaces a file: another run (another mutant, say) keeps its scenario.
  // Returns the path written, or empty after printing why it could not be.
  auto write = [&](const std::string& what, u64 e, const Scenario& scenario) -> std::string {
    std::error_code ec;
    std::filesystem::create_directories(o->out, ec);
    const std::string stem = o->out + "/" + what + "-" + variant + "-" +
                             std::string(mutant_name(o->mutant)) + "-seed" +
                             std::to_string(o->seed) + "-ops" + std::to_string(o->ops) + "-exec" +
                             std::to_string(e);
    std::string path;
    const std::string error = ec ? "--out " + o->out + ": " + ec.message()
                                 : write_new_file_atomically(stem, ".json",
                                                             write_scenario(scenario), &path);
    if (!error.empty()) {
      print_error("check: could not write the scenario: " + error);
      return "";
    }
    return path;
  };
  for (u64 e = 0; e < o->executions; e++) {
    if (o->time_budget_s > 0 &&
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() >=
            o->time_budget_s) {
      out.stopped_by_time = true;
      break;
    }
    properties::DifferentialOptions options;
    options.initial_revision = draw_initial_revision(rng);
    options.semantics = o->semantics;
    options.mutant = o->mutant;
    for (const sim::KnownFinding& f : sim::known_findings()) {
      if (o->allowed.allows(f.name)) options.tolerated_findings.insert(std::string(f.name));
    }
    std::vector<Action> actions;
    for (u32 i = 0; i < o->ops; i++) actions.push_back(draw_action(rng));
    const auto result = properties::run_differential(actions, options);
    out.sequences++;
    for (const auto& name : result.findings) {
      if (!options.tolerated_findings.count(name)) continue;  // it failed the run below
      auto it = reported.find(name);
      if (it == reported.end()) {
        FindingReport f;
        f.name = name;
        f.first = e;
        const auto shrunk = shrink_to_finding(actions, options, name);
        f.what = shrunk.failure;
        Scenario scenario = shrunk.counterexample;
        scenario.name = "known finding " + name + " (check --sequential, seed " +
                        std::to_string(o->seed) + ", sequence " + std::to_string(e) +
                        ", shrunk): " + shrunk.failure;
        f.trace = write("finding-" + name, e, scenario);
        if (f.trace.empty()) return out.exit = 2;  // the run could not deliver what it found
        it = reported.emplace(name, out.findings.size()).first;
        out.findings.push_back(std::move(f));
      }
      out.findings[it->second].count++;
    }
    if (!result.ok) {
      print_findings(out.findings, "sequence");
      std::cout << "VIOLATION in execution " << e << ": " << result.failure << "\n";
      for (const auto& name : result.findings) {
        if (!options.tolerated_findings.count(name)) print_finding_not_allowed(name);
      }
      const std::string path = write("check", e, result.counterexample);
      if (path.empty()) return out.exit = 2;
      const std::string mutant_option =
          o->mutant == Mutant::kNone ? "" : " --mutant " + std::string(mutant_name(o->mutant));
      std::cout << "scenario (unshrunk, expectations are the spec's answers): " << path
                << "\nreplay it: mprogsim replay " << path << mutant_option << "\n"
                << "  " << what_replay_shows(result.counterexample, o->mutant) << "\n";
      return out.exit = 1;
    }
  }
  print_findings(out.findings, "sequence");
  std::cout << "no violation in " << out.sequences << " sequences";
  if (!out.findings.empty()) {
    std::cout << " other than the known findings allowed:";
    for (const FindingReport& f : out.findings) std::cout << " " << f.name;
  }
  std::cout << (out.stopped_by_time ? " (stopped by the time budget)" : "") << "\n";
  return out.exit = 0;
}

}  // namespace mprogsim::tools
