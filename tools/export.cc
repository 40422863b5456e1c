// SPDX-License-Identifier: GPL-2.0
// `mprogsim export --selftest FILE [-o OUT]`: a sequential upstream scenario (or a
// trace's control path) as a C test for the real kernel (tools/export_selftest.h), on
// standard output or written atomically to OUT.
//
// Exit 0: written; 2: bad input or options, or a scenario a real kernel cannot run as
// written (one line on stderr, nothing on stdout).
#include <filesystem>
#include <iostream>
#include <string>

#include "scenario/json_input.h"
#include "tools/cli_checks.h"
#include "tools/export_selftest.h"
#include "tools/input.h"
#include "tools/subcommands.h"
#include "traces/atomic_file.h"
#include "traces/trace.h"

namespace mprogsim::tools {
namespace {

struct ExportCliOptions {
  std::string selftest;
  std::string output;
  bool output_given = false;
};

int run_export(const ExportCliOptions& o) {
  const std::string& path = o.selftest;
  if (o.output_given && o.output.empty()) {
    print_error("export: -o needs a file name (without -o the C goes to standard output)");
    return 2;
  }
  if (!o.output.empty()) {
    if (const std::string bad_target = unwritable_target(o.output); !bad_target.empty()) {
      print_error("export: -o " + bad_target);
      return 2;
    }
  }
  std::string source;
  try {
    const std::string text = read_input_file(path);
    const bool from_trace = looks_like_trace(text);
    std::vector<Scenario> scenarios;
    if (from_trace) {
      scenarios.push_back(parse_trace(text).scenario);
    } else {
      scenarios = parse_scenarios(text);
    }
    const std::string stem = std::filesystem::path(path).stem().string();
    source = export_selftest(scenarios, stem, std::filesystem::path(path).filename().string(),
                             from_trace);
  } catch (const ScenarioError& e) {
    print_error(input_error(path, e.what()));
    return 2;
  } catch (const ExportError& e) {
    print_error(path + ": " + e.what());
    return 2;
  }
  if (o.output.empty()) {
    std::cout << source;  // main checks that standard output was written
    return 0;
  }
  if (const std::string error = write_file_atomically(o.output, source); !error.empty()) {
    print_error("export: " + error);
    return 2;
  }
  return 0;
}

}  // namespace

Run add_export(CLI::App& app) {
  auto o = std::make_shared<ExportCliOptions>();
  app.add_option("--selftest", o->selftest,
                 "Scenario or trace file (upstream) to turn into a C test in the style of the "
                 "kernel's selftests/bpf tc_opts.c")
      ->required();
  CLI::Option* output =
      app.add_option("-o,--output", o->output, "Write the C file here (default: standard output)");
  return [o, output] {
    o->output_given = output->count() > 0;
    return run_export(*o);
  };
}

}  // namespace mprogsim::tools
