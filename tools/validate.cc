// SPDX-License-Identifier: GPL-2.0
// `mprogsim validate NAME --base BASE`: what a change to a variant breaks, in one
// report. NAME is usually a copy of BASE made by scripts/new-variant.sh and then
// edited. Four parts:
//
//   1. BASE's hand-written scenarios (traces/scenarios/BASE/) replayed on NAME: every
//      MISMATCH, by file and step;
//   2. BASE's corpus traces (traces/corpus/, those of BASE) replayed on NAME: each
//      must still reproduce what it records (a mutant's violation, or a pass);
//   3. `diff BASE NAME`: every kind of difference with its shortest example;
//   4. `check --variant NAME`: the default portfolio (or --time-budget), every
//      violation with its shrunk trace.
//
// Exit 0 when NAME behaves as BASE everywhere (no mismatch, every trace reproduced,
// no difference, no violation), 1 when it does not, 2 bad options. --json FILE
// writes the four parts (docs/results-format.md).
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>

#include "model/variant_registry.h"
#include "properties/semantic_diff.h"
#include "scenario/scenario_runner.h"
#include "tools/check_options.h"
#include "tools/cli_checks.h"
#include "tools/diff_report.h"
#include "tools/input.h"
#include "tools/interrupt.h"
#include "tools/results.h"
#include "tools/subcommands.h"
#include "traces/atomic_file.h"
#include "traces/trace.h"
#include "traces/trace_replay.h"

namespace mprogsim::tools {
namespace {

struct ValidateOptions {
  std::string name;
  std::string base = "v2";
  std::string scenarios;  // default: traces/scenarios/BASE of the source tree
  std::string corpus;     // default: traces/corpus of the source tree
  unsigned depth = 6;
  u64 seed = 1;
  double time_budget = 0;
  unsigned jobs = 1;
  std::string out = "out";
  std::string json;
};

std::vector<std::string> json_files(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

struct ReplayPart {
  std::size_t files = 0, passed = 0, failed = 0;
  std::vector<std::string> failures;  // "FILE: step N: MISMATCH ..."
};

// 1. BASE's scenarios, relabelled NAME.
ReplayPart replay_scenarios(const std::string& dir, Semantics base, Semantics name) {
  ReplayPart part;
  for (const std::string& file : json_files(dir)) {
    std::vector<Scenario> scenarios;
    try {
      scenarios = parse_scenarios(read_input(file).text);
    } catch (const ScenarioError& e) {
      part.failures.push_back(input_error(file, e.what()) + " (a bad file)");
      part.failed++;
      continue;
    }
    for (Scenario& s : scenarios) {
      if (s.semantics != base) continue;
      s.semantics = name;
      part.files++;
      auto system = make_system(name);
      ScenarioReport report;
      try {
        report = run_scenario(s, *system);
      } catch (const ScenarioError& e) {
        // A step NAME cannot even express (a flag it does not have).
        part.failures.push_back(std::filesystem::path(file).filename().string() +
                                ": cannot run: " + e.what());
        part.failed++;
        continue;
      }
      bool ok = true;
      for (const StepReport& step : report.steps) {
        for (const std::string& m : step.mismatches) {
          part.failures.push_back(std::filesystem::path(file).filename().string() + ": step " +
                                  std::to_string(step.index) + ": MISMATCH " + m);
          ok = false;
        }
        for (const std::string& v : step.violations) {
          part.failures.push_back(std::filesystem::path(file).filename().string() + ": step " +
                                  std::to_string(step.index) + ": VIOLATION " + v);
          ok = false;
        }
      }
      (ok ? part.passed : part.failed)++;
    }
  }
  return part;
}

// 2. BASE's corpus traces, relabelled NAME, each strictly as recorded.
ReplayPart replay_corpus(const std::string& dir, Semantics base, Semantics name) {
  ReplayPart part;
  for (const std::string& file : json_files(dir)) {
    Trace trace;
    try {
      const InputFile in = read_input(file);
      if (!in.trace) continue;
      trace = parse_trace(in.text);
    } catch (const ScenarioError& e) {
      part.failures.push_back(input_error(file, e.what()) + " (a bad file)");
      part.failed++;
      continue;
    }
    if (trace.scenario.semantics != base) continue;
    trace.scenario.semantics = name;
    part.files++;
    std::string difference;
    try {
      const sim::ReplayResult r = sim::replay_trace(trace, false, false);
      if (r.execution.status == sim::ExecutionResult::Status::kBadSchedule ||
          r.execution.status == sim::ExecutionResult::Status::kBadWorkload) {
        difference = "the schedule no longer fits: " + r.execution.error;
      } else if (!r.reproduced) {
        difference = r.difference;
      }
    } catch (const ScenarioError& e) {
      difference = e.what();
    }
    if (difference.empty()) {
      part.passed++;
    } else {
      part.failed++;
      part.failures.push_back(std::filesystem::path(file).filename().string() +
                              ": NOT REPRODUCED: " + difference);
    }
  }
  return part;
}

void print_part(const char* title, const ReplayPart& p) {
  std::cout << title << ": " << p.passed << " of " << p.files << " pass";
  std::cout << (p.failures.empty() ? "\n" : "; failures:\n");
  for (const std::string& f : p.failures) std::cout << "  " << f << "\n";
}

nlohmann::ordered_json part_json(const ReplayPart& p) {
  return {{"files", p.files}, {"passed", p.passed}, {"failed", p.failed}, {"failures", p.failures}};
}

// Part 3: every difference between the variants with its shortest example, written
// under OUT/diff. nullopt after printing why the diff could not run (exit 2).
std::optional<properties::SemanticDiffResult> validate_diff(
    const ValidateOptions& o, const properties::SemanticDiffOptions& d) {
  properties::SemanticDiffResult diff;
  try {
    diff = properties::semantic_diff(d);
  } catch (const ScenarioError& e) {
    print_error(std::string("validate: internal error: a generated step was refused: ") + e.what());
    return std::nullopt;
  }
  std::cout << "shortest within depth " << diff.exhaustive_depth << ": exhaustive BFS over "
            << diff.states << " states; " << diff.random_sequences << " random sequences past it\n";
  const std::string diff_dir = (std::filesystem::path(o.out) / "diff").string();
  if (diff.differences.empty()) {
    std::cout << "no difference\n";
    return diff;
  }
  std::error_code ec;
  std::filesystem::create_directories(diff_dir, ec);
  for (std::size_t k = 0; k < diff.differences.size(); k++) {
    if (const std::string err =
            print_difference(ec ? "" : diff_dir, d.a, d.b, k, diff.differences[k]);
        !err.empty()) {
      print_error("validate: " + err);
      return std::nullopt;
    }
  }
  return diff;
}

// Part 4: the default campaign on the changed variant. Its exit code (2: it could
// not run); `results` gets its summary.
int validate_check(const ValidateOptions& o, const VariantInfo& name, CheckResults* results) {
  const InterruptScope interrupt;
  PortfolioOptions p;
  p.semantics = name.semantics;
  p.variant = std::string(name.name);
  p.seed = o.seed;
  p.time_budget_s = o.time_budget;
  p.out = o.out;
  p.quiet = true;
  p.control.jobs = o.jobs;
  p.control.results = results;
  p.control.interrupt = interrupt.flag();
  const int check = run_portfolio(p);
  results->config = {{"variant", std::string(name.name)}, {"seed", o.seed}};
  results->normalize();
  return check;
}

struct ReplayParts {
  const ReplayPart& scenarios;
  const ReplayPart& corpus;
};
struct DiffPart {
  const properties::SemanticDiffOptions& options;
  const properties::SemanticDiffResult& result;
};

// --json: the four parts and the verdict. False after printing why it was not written.
bool write_validate_json(const ValidateOptions& o, const VariantInfo& name, const VariantInfo& base,
                         int verdict, const ReplayParts& replayed, const DiffPart& diff,
                         const CheckResults& results) {
  nlohmann::ordered_json j;
  j["format"] = kResultsFormat;
  j["version"] = kResultsVersion;
  j["command"] = "validate";
  j["variant"] = std::string(name.name);
  j["base"] = std::string(base.name);
  j["exit"] = verdict;
  j["scenarios"] = part_json(replayed.scenarios);
  j["corpus"] = part_json(replayed.corpus);
  j["diff"] = diff_json(diff.options, diff.options.a, diff.options.b, diff.result);
  j["check"] = to_json(results);
  if (const std::string error = write_result_file(o.json, j.dump(1) + "\n"); !error.empty()) {
    print_error("validate: --json: " + error);
    return false;
  }
  return true;
}

int run_validate(const ValidateOptions& o) {
  const VariantInfo* name = variant_named(o.name);
  const VariantInfo* base = variant_named(o.base);
  if (!name || !base) {
    print_error("validate: unknown variant " + quote_input(!name ? o.name : o.base) + " (" +
                variant_names(" or ") + "; scripts/new-variant.sh adds one)");
    return 2;
  }
  if (name == base) {
    print_error("validate: NAME and --base are the same variant");
    return 2;
  }
  const std::string source = MPROGSIM_SOURCE_DIR;
  const std::string scenarios =
      o.scenarios.empty() ? source + "/traces/scenarios/" + std::string(base->name) : o.scenarios;
  const std::string corpus = o.corpus.empty() ? source + "/traces/corpus" : o.corpus;
  for (const std::string& dir : {scenarios, corpus}) {
    if (!std::filesystem::is_directory(dir)) {
      print_error("validate: " + dir + " is not a directory (--scenarios, --corpus)");
      return 2;
    }
  }
  if (const std::string bad = unusable_directory(o.out); !bad.empty()) {
    print_error("validate: --out " + bad);
    return 2;
  }
  if (const std::string bad = o.json.empty() ? "" : unwritable_target(o.json); !bad.empty()) {
    print_error("validate: --json " + bad);
    return 2;
  }
  std::cout << "== validate " << name->name << " against " << base->name << "\n";
  int verdict = 0;

  std::cout << "-- 1. " << base->name << "'s scenarios (" << scenarios << ") on " << name->name
            << "\n";
  const ReplayPart s = replay_scenarios(scenarios, base->semantics, name->semantics);
  print_part("scenarios", s);
  if (!s.failures.empty()) verdict = 1;

  std::cout << "-- 2. " << base->name << "'s corpus traces (" << corpus << ") on " << name->name
            << "\n";
  const ReplayPart c = replay_corpus(corpus, base->semantics, name->semantics);
  print_part("traces reproduced", c);
  if (!c.failures.empty()) verdict = 1;

  std::cout << "-- 3. diff " << base->name << " " << name->name << " (depth " << o.depth
            << ", every difference with its shortest example)\n";
  properties::SemanticDiffOptions d;
  d.a.semantics = base->semantics;
  d.b.semantics = name->semantics;
  d.depth = o.depth;
  d.seed = o.seed;
  const auto diff = validate_diff(o, d);
  if (!diff) return 2;
  if (!diff->differences.empty()) verdict = 1;

  std::cout << "-- 4. check --variant " << name->name
            << " (every violation with its shrunk trace)\n";
  CheckResults results;
  const int check = validate_check(o, *name, &results);
  if (check == 2) return 2;
  if (check != 0) verdict = check;

  std::cout << "== " << name->name << " against " << base->name << ": " << s.failed
            << " scenarios with mismatches, " << c.failed << " traces not reproduced, "
            << diff->differences.size() << " kinds of difference, " << results.violations.size()
            << " violation groups"
            << (verdict == 0 ? ": behaves as " + std::string(base->name) : "") << "\n";
  if (!o.json.empty() &&
      !write_validate_json(o, *name, *base, verdict, {s, c}, {d, *diff}, results)) {
    return 2;
  }
  return verdict;
}

}  // namespace

Run add_validate(CLI::App& app) {
  auto o = std::make_shared<ValidateOptions>();
  app.add_option("name", o->name, "The changed variant (scripts/new-variant.sh NAME --from BASE)")
      ->required()
      ->check(non_empty());
  app.add_option("--base", o->base, "The variant it is compared with");
  app.add_option("--scenarios", o->scenarios,
                 "BASE's scenario files (default: traces/scenarios/BASE of the source tree)")
      ->check(non_empty());
  app.add_option("--corpus", o->corpus,
                 "The corpus traces (default: traces/corpus of the source tree)")
      ->check(non_empty());
  app.add_option("--depth", o->depth, "The diff's exhaustive depth")
      ->transform(unsigned_decimal())
      ->check(CLI::Range(1U, properties::kMaxDiffDepth));
  app.add_option("--seed", o->seed, "Seed of the diff's random search and of the check")
      ->transform(unsigned_decimal());
  app.add_option("--time-budget", o->time_budget,
                 "Seconds for the check (0: the portfolio's fixed amounts of work)")
      ->check(non_negative_decimal())
      ->check(CLI::Range(0.0, 1e7));
  app.add_option("--jobs,-j", o->jobs, "Cores for the check")
      ->transform(unsigned_decimal())
      ->check(CLI::Range(1U, 256U));
  app.add_option("--out", o->out, "Directory for the traces and the diff's scenario pairs")
      ->check(non_empty());
  app.add_option("--json", o->json, "Write the report as JSON to FILE")->check(non_empty());
  return [o] { return run_validate(*o); };
}

}  // namespace mprogsim::tools
