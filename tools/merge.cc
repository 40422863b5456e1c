// SPDX-License-Identifier: GPL-2.0
// `mprogsim merge A.json B.json ... --json OUT`: combines the --json summaries of the
// shards of one `check` run (--shard 1/N ... N/N) into the summary the unsharded run
// writes, byte for byte (tools/results.h). Prints the merged counts.
//
// Exit: the merged run's own (0 no violation, 1 violations, 130 a shard was
// interrupted); 2 when the files are not the shards of one run or cannot be read.
#include <iostream>
#include <string>
#include <vector>

#include "scenario/json_input.h"
#include "scenario/scenario.h"
#include "tools/cli_checks.h"
#include "tools/input.h"
#include "tools/results.h"
#include "tools/subcommands.h"
#include "traces/atomic_file.h"

namespace mprogsim::tools {
namespace {

struct MergeOptions {
  std::vector<std::string> files;
  std::string json;
  std::string junit;
};

int run_merge(const MergeOptions& o) {
  if (const std::string bad = unwritable_target(o.json); !bad.empty()) {
    print_error("merge: --json " + bad);
    return 2;
  }
  std::vector<CheckResults> parts;
  for (const std::string& file : o.files) {
    try {
      parts.push_back(check_results_from_json(parse_json_strictly(read_input(file).text)));
    } catch (const ScenarioError& e) {
      print_error("merge: " + input_error(file, e.what()));
      return 2;
    } catch (const std::runtime_error& e) {
      print_error("merge: " + file + ": " + e.what());
      return 2;
    }
  }
  CheckResults merged;
  try {
    merged = merge_check_results(parts);
  } catch (const std::runtime_error& e) {
    print_error(std::string("merge: ") + e.what());
    return 2;
  }
  if (const std::string error = write_result_file(o.json, to_json(merged).dump(1) + "\n");
      !error.empty()) {
    print_error("merge: --json: " + error);
    return 2;
  }
  if (!o.junit.empty()) {
    if (const std::string error = write_result_file(o.junit, check_junit(merged)); !error.empty()) {
      print_error("merge: --junit: " + error);
      return 2;
    }
  }
  std::cout << "merged " << parts.size() << " shards: " << merged.executions() << " executions, "
            << merged.violations.size() << " violation groups, " << merged.findings.size()
            << " known findings\n";
  for (const Occurrence& v : merged.violations) {
    std::cout << "VIOLATION " << v.property << " (" << v.phase << ", " << v.count
              << " executions) at " << v.location << ": " << v.message
              << (v.trace.empty() ? "" : "; trace " + v.trace) << "\n";
  }
  std::cout << "summary: " << o.json << "\n";
  return merged.exit_code();
}

}  // namespace

Run add_merge(CLI::App& app) {
  auto o = std::make_shared<MergeOptions>();
  app.add_option("files", o->files, "The --json summaries of every shard of one check run")
      ->required()
      ->check(non_empty());
  app.add_option("--json", o->json, "Where to write the merged summary")
      ->required()
      ->check(non_empty());
  app.add_option("--junit", o->junit, "Also write the merged JUnit XML report here")
      ->check(non_empty());
  return [o] { return run_merge(*o); };
}

}  // namespace mprogsim::tools
