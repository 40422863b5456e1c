// SPDX-License-Identifier: GPL-2.0
// Machine-readable results of `check`, `replay` and `diff` (docs/results-format.md):
// a versioned JSON summary (--json FILE), a JUnit XML report (--junit FILE), and
// the merge of sharded `check` summaries (`mprogsim merge`).
//
// A summary holds nothing that depends on the machine, the time or the number of
// jobs: two runs with the same options write the same bytes, and the merge of the
// shards of a run is byte for byte the unsharded summary.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace mprogsim::tools {

// 2: a violation's first.step became first.schedule_step (one step numbering).
inline constexpr int kResultsVersion = 2;
inline constexpr const char* kResultsFormat = "mprogsim-results";

// One campaign of `check` (the portfolio has four).
struct PhaseResult {
  std::string name;               // "campaign", "small-scope", "random", "pct", "sequential"
  std::string strategy;           // random | pct | dfs | dpor | sequential
  std::uint64_t executions = 0;   // executions run (sequential: sequences)
  std::uint64_t abandoned = 0;    // dfs: cut by sleep sets
  std::uint64_t cached_cuts = 0;  // dpor: stopped at a state explored before
  std::uint64_t steps = 0;
  std::uint64_t workloads = 0;
  std::uint64_t workloads_exhausted = 0;
  std::uint64_t dpor_anomalies = 0;
  bool source_exhausted = false;
  bool stopped_by_time = false;
  bool interrupted = false;
  bool skipped = false;         // e.g. the sequential phase with a concurrent mutant
  std::string distinct_states;  // the HyperLogLog sketch, hexadecimal ("" if none)
};

// A known finding (or a violation group) and the first execution that showed it.
struct Occurrence {
  std::string phase;
  std::string property;  // violations: the property; findings: the finding's name
  std::string location;  // violations: where it shows (sim::violation_location)
  std::string finding;   // violations that are a known finding not allowed
  std::uint64_t count = 0;
  std::uint64_t workload = 0;   // first: workload (sequential: the sequence)
  std::uint64_t execution = 0;  // first: execution within the workload
  std::uint64_t step = 0;       // the schedule step (sequential: the operation)
  std::string message;
  std::string trace;  // file name under --out ("" when none was written)
  bool shrunk = false;
};

struct CheckResults {
  nlohmann::ordered_json config = nlohmann::ordered_json::object();
  std::uint64_t shard_index = 0;  // 0-based
  std::uint64_t shard_count = 1;
  std::vector<PhaseResult> phases;
  std::vector<Occurrence> violations;
  std::vector<Occurrence> findings;
  bool interrupted = false;
  std::string error;  // a run that could not finish ("" otherwise)

  [[nodiscard]] std::uint64_t executions() const;
  // 0 no violation, 1 violations, 2 an error, 130 interrupted.
  [[nodiscard]] int exit_code() const;
  // Sorts violations and findings into the order the unsharded run meets them.
  void normalize();
};

[[nodiscard]] nlohmann::ordered_json to_json(const CheckResults& results);
// Throws std::runtime_error with a one-line reason ($.path: what).
[[nodiscard]] CheckResults check_results_from_json(const nlohmann::ordered_json& json);
// The unsharded result from every shard of one run; throws std::runtime_error when
// the parts are not the shards of one run (different options, a shard missing or
// given twice).
[[nodiscard]] CheckResults merge_check_results(const std::vector<CheckResults>& shards);

// JUnit XML for `check`: one test case per property checked in each phase (a
// failure with its message when violated) and one per known finding met.
[[nodiscard]] std::string check_junit(const CheckResults& results);

// One test case of a JUnit report (replay: a scenario or a trace).
struct JunitCase {
  std::string name;
  std::string classname;
  std::string failure;  // empty: passed
  std::string output;   // system-out
};
[[nodiscard]] std::string junit_xml(const std::string& suite, const std::vector<JunitCase>& cases);

// Writes `text` atomically to `path`; returns "" or the reason it failed.
[[nodiscard]] std::string write_result_file(const std::string& path, const std::string& text);

}  // namespace mprogsim::tools
