// SPDX-License-Identifier: GPL-2.0
// `mprogsim replay FILE...`: runs scenario files (../shared/scenario-format.md) and
// prints each step's actual result. Exit 0 when every expectation held, 1 when one
// did not, 2 when a file is bad (nothing but the one-line error is printed for it).
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "model/mutants.h"
#include "traces/scenario.h"
#include "traces/scenario_runner.h"
#include "tools/subcommands.h"

namespace mprogsim::tools {
namespace {

struct ReplayOptions {
  std::vector<std::string> files;
  std::string mutant = "none";
  bool quiet = false;
};

// Runs one file; returns its exit code and appends its output to `out` only when the
// whole file could be run.
int replay_file(const std::string& path, std::string* out, std::size_t* passed,
                std::size_t* failed) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << path << ": cannot read the file\n";
    return 2;
  }
  std::stringstream text;
  text << in.rdbuf();
  try {
    const auto scenarios = parse_scenarios(text.str());
    std::string buffered;
    std::size_t file_passed = 0, file_failed = 0;
    for (std::size_t i = 0; i < scenarios.size(); i++) {
      auto system = make_system(scenarios[i].semantics);
      const auto report = run_scenario(scenarios[i], *system);
      buffered += "== " + (report.name.empty() ? path : report.name) + "\n";
      buffered += format_report(report);
      file_passed += report.passed;
      file_failed += report.failed;
    }
    *out += buffered;
    *passed += file_passed;
    *failed += file_failed;
    return file_failed ? 1 : 0;
  } catch (const ScenarioError& e) {
    std::cerr << path << ": " << e.what() << "\n";
    return 2;
  }
}

}  // namespace

Run add_replay(CLI::App& app) {
  auto options = std::make_shared<ReplayOptions>();
  app.add_option("files", options->files, "Scenario files (JSON)")->required();
  app.add_option("--mutant", options->mutant, "Run on a deliberately broken model (see mutants)");
  app.add_flag("-q,--quiet", options->quiet, "Print only mismatches and the summary");
  return [options] {
    const auto mutant = mutant_from_name(options->mutant);
    if (!mutant) {
      std::cerr << "replay: unknown mutant '" << options->mutant << "' (see `mprogsim mutants`)\n";
      return 2;
    }
    set_current_mutant(*mutant);
    int code = 0;
    std::size_t passed = 0, failed = 0;
    for (const auto& path : options->files) {
      std::string out;
      const int file_code = replay_file(path, &out, &passed, &failed);
      if (options->quiet) {
        std::istringstream lines(out);
        for (std::string line; std::getline(lines, line);) {
          if (line.find("MISMATCH") != std::string::npos) std::cout << path << ": " << line << "\n";
        }
      } else {
        std::cout << out;
      }
      code = std::max(code, file_code);
    }
    // A bad file gets its one-line error and no summary: nothing half written.
    if (code != 2) std::cout << passed << " passed, " << failed << " failed\n";
    return code;
  };
}

}  // namespace mprogsim::tools
