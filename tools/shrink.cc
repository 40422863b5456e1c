// SPDX-License-Identifier: GPL-2.0
// `mprogsim shrink TRACE -o OUT`: minimizes a failing trace (sim/shrink.h) while
// the same property keeps failing, and writes the result atomically; it replays
// strictly (`mprogsim replay OUT` exits 0). Prints the sizes before and after.
//
// Exit 0: shrunk and written; 1: the trace does not fail as recorded (or records
// no violation); 2: bad input or options (one line on stderr, nothing on stdout).
#include "traces/shrink.h"

#include <iostream>
#include <string>

#include "scenario/json_input.h"
#include "tools/cli_checks.h"
#include "tools/input.h"
#include "tools/subcommands.h"
#include "traces/atomic_file.h"
#include "traces/trace.h"
#include "traces/trace_replay.h"

namespace mprogsim::tools {
namespace {

struct ShrinkCliOptions {
  std::string input;
  std::string output;
  std::string name;  // replaces the scenario name when given
};

int run_shrink(const ShrinkCliOptions& o) {
  const std::string& path = o.input;
  // A target that can never be written is refused before minutes of shrinking.
  if (const std::string bad_target = unwritable_target(o.output); !bad_target.empty()) {
    print_error("shrink: -o " + bad_target);
    return 2;
  }
  Trace trace;
  sim::ReplayResult first;
  try {
    trace = parse_trace(read_input(path).text);
    first = sim::replay_trace(trace, false, false);
  } catch (const ScenarioError& e) {
    print_error(input_error(path, e.what()));
    return 2;
  }
  const auto& x = first.execution;
  if (x.status == sim::ExecutionResult::Status::kBadSchedule) {
    print_error(path + ": " + schedule_entry_path(trace.schedule, x.schedule.size()) + ": " +
                x.error);
    return 2;
  }
  if (x.status == sim::ExecutionResult::Status::kBadWorkload) {
    print_error(input_error(path, x.error));
    return 2;
  }
  if (!trace.outcome || !trace.outcome->violation) {
    print_error(path + ": the trace records no violation; there is nothing to shrink");
    return 1;
  }
  if (!first.reproduced) {
    print_error(path + ": does not fail as recorded: " + first.difference);
    return 1;
  }

  sim::ShrinkResult r = sim::shrink_trace(trace);
  if (!o.name.empty()) r.trace.scenario.name = o.name;
  // The written trace must replay strictly as recorded; anything else is our bug.
  const sim::ReplayResult check = sim::replay_trace(r.trace, false, false);
  if (!check.reproduced) {
    print_error("shrink: internal bug: the shrunk trace does not replay: " + check.difference);
    return 1;
  }
  const std::string error = write_file_atomically(o.output, write_trace(r.trace));
  if (!error.empty()) {
    print_error("shrink: " + error);
    return 2;
  }
  const TraceOutcome& v = *r.trace.outcome;
  std::cout << "shrink " << escape_for_message(path) << " (" << trace.mutant << "): " << v.property
            << "\n"
            << "  before: " << r.before.text() << "\n"
            << "  after:  " << r.after.text() << "\n"
            << "  " << r.candidates << " candidates run, " << r.kept << " kept\n"
            << "violation: " << v.property << " at schedule step " << v.step << ": " << v.message
            << "\n"
            << "trace: " << escape_for_message(o.output) << "\nreplay it: mprogsim replay "
            << escape_for_message(o.output) << " --explain\n";
  return 0;
}

}  // namespace

Run add_shrink(CLI::App& app) {
  auto o = std::make_shared<ShrinkCliOptions>();
  app.add_option("trace", o->input, "A failing trace (as `check` writes them)")
      ->required()
      ->check(non_empty());
  app.add_option("-o,--out", o->output, "Where to write the shrunk trace")
      ->required()
      ->check(non_empty());
  app.add_option("--name", o->name, "Name the shrunk trace (default: keep the input's name)");
  return [o] { return run_shrink(*o); };
}

}  // namespace mprogsim::tools
