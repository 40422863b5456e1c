// SPDX-License-Identifier: GPL-2.0
// `mprogsim replay FILE...`: runs scenario files (../shared/scenario-format.md) and
// prints each step's actual result. Exit 0 when every expectation held, 1 when one
// did not, 2 when a file is bad (nothing but the one-line error is printed for it).
//
// A trace file (docs/trace-format.md) is re-executed exactly under its recorded
// schedule: exit 0 when its recorded outcome happens again at the same step, 1 when
// the run differs (and how), 2 when the trace is bad (including a schedule that
// names a thread that cannot run). --explain prints the execution step by step;
// --dot FILE writes its interleaving as a Graphviz graph (sim/interleaving_graph.h);
// --record FILE writes the execution as it ran (executed schedule, observed
// outcome) as a new trace, e.g. a mutant's trace run on the correct model as a
// regression trace that must keep passing.
#include <cstdio>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "model/mutants.h"
#include "scenario/json_input.h"
#include "scenario/scenario.h"
#include "scenario/scenario_runner.h"
#include "sim/findings.h"
#include "sim/workload.h"
#include "tools/cli_checks.h"
#include "tools/input.h"
#include "tools/results.h"
#include "tools/subcommands.h"
#include "traces/atomic_file.h"
#include "traces/explain.h"
#include "traces/interleaving_graph.h"
#include "traces/trace.h"
#include "traces/trace_replay.h"

namespace mprogsim::tools {
namespace {

struct ReplayOptions {
  std::vector<std::string> files;
  std::string mutant = "none";
  bool mutant_given = false;
  bool quiet = false;
  bool explain = false;
  bool expect_no_violation = false;
  std::string dot;     // a file for the interleaving graph; one trace only
  std::string record;  // a file for the execution as a trace; one trace only
  std::string json;    // --json FILE: the machine-readable summary
  std::string junit;   // --junit FILE: one test case per scenario or trace
};

// What --json and --junit report of one file.
struct FileReport {
  std::string file;
  std::string kind;   // "scenario" | "trace"
  std::string error;  // a bad file (exit 2)
  struct Case {
    std::string name;
    std::size_t passed = 0, failed = 0;
    std::vector<std::string> failures;  // MISMATCH / VIOLATION lines, NOT REPRODUCED
    std::string violation;              // traces: the violation it showed, if any
  };
  std::vector<Case> cases;
};

// "attach P2 flags=BEFORE|ID relative=P1 by id" from the runner's line "step 4: attach
// P2 flags=BEFORE|ID relative=P1 by id -> OK": the step as replay prints it
// (docs/scenario-format.md, "What replay prints"), without its number and result.
// Names are [A-Za-z][A-Za-z0-9_]*, so neither ": " nor " -> " occurs in between.
std::string compact_step(const std::string& line) {
  const std::size_t colon = line.find(": ");
  const std::size_t from = colon == std::string::npos ? 0 : colon + 2;
  return line.substr(from, line.find(" -> ", from) - from);
}

// --explain: each control step in the compact form replay prints a step in, with
// every argument that decides its result as the kernel receives it (the whole flag
// word, the relative object and how it is passed, replace, a non-zero expected
// revision, the query buffer), and its expectation. The text is the spec's run of
// the steps (sim::compute_reference): the arguments do not depend on the system or
// the interleaving, and every step is listed, also those after the violation; the
// result of each step as executed is on its "ends step N" event line.
std::string control_steps(const Trace& trace) {
  const sim::Reference reference = sim::compute_reference(sim::workload_of(trace));
  std::ostringstream out;
  out << "control steps and the arguments that decide them:\n";
  const auto& steps = trace.scenario.steps;
  for (std::size_t k = 0; k < steps.size() && k < reference.spec_lines.size(); k++) {
    // Step numbers count from 1; the JSON path, like every JSON path, from 0.
    out << "  step " << k + 1 << " ($.steps[" << k
        << "]): " << compact_step(reference.spec_lines[k]);
    if (steps[k].expect) out << " expect " << *steps[k].expect;
    out << "\n";
  }
  // Not met after a replay that ran (the same steps ran on the spec there), but a
  // list cut short must say so.
  if (!reference.error.empty()) {
    out << "  (the steps from step " << reference.spec_lines.size() + 1
        << " on cannot be listed: " << escape_for_message(reference.error) << ")\n";
  }
  return out.str();
}

// The trace in `text` with the options that change what it runs applied: --mutant
// replaces its mutant, --expect-no-violation its outcome. nullopt after printing the
// one-line error of a bad trace (exit 2).
[[nodiscard]] std::optional<Trace> read_trace(const std::string& path, const std::string& text,
                                              const ReplayOptions& o) {
  Trace trace;
  try {
    trace = parse_trace(text);
  } catch (const ScenarioError& e) {
    print_error(input_error(path, e.what()));
    return std::nullopt;
  }
  if (o.mutant_given) {
    // A mutant the trace's variant cannot show would replay unseen.
    const std::string refusal =
        mutant_refusal(*mutant_from_name(o.mutant), trace.scenario.semantics);
    if (!refusal.empty()) {
      print_error(path + ": --mutant: " + refusal);
      return std::nullopt;
    }
    trace.mutant = o.mutant;
  }
  if (o.expect_no_violation) trace.outcome = TraceOutcome{};
  return trace;
}

// Whether the execution could not run as the file says (a bad trace, exit 2); if so
// its one-line error is printed.
[[nodiscard]] bool bad_execution(const std::string& path, const Trace& trace,
                                 const sim::ExecutionResult& x) {
  if (x.status == sim::ExecutionResult::Status::kBadSchedule) {
    // The entry that could not run is the one the execution was about to take.
    print_error(path + ": " + schedule_entry_path(trace.schedule, x.schedule.size()) + ": " +
                x.error);
    return true;
  }
  if (x.status == sim::ExecutionResult::Status::kBadWorkload) {
    print_error(input_error(path, x.error));
    return true;
  }
  return false;
}

// "violation: PROPERTY at schedule step N: message", its evidence and the known
// finding it is, or "no violation".
std::string violation_text(const sim::ExecutionResult& x) {
  if (!x.violation) return "no violation\n";
  std::ostringstream s;
  s << "violation: " << x.violation->property << " at schedule step " << x.violation->step << ": "
    << x.violation->message << "\n";
  for (const auto& [key, value] : x.violation->evidence) {
    if (!value.empty()) s << "  " << key << ": " << value << "\n";
  }
  if (const sim::KnownFinding* k = sim::find_known_finding(x.violation->finding)) {
    s << "  known finding: " << k->name << " (docs/semantics.md " << k->label << ": " << k->title
      << ")\n";
  }
  return s.str();
}

// --dot: the interleaving graph, titled with the trace's name and size. The error of
// a file that cannot be written, or "".
[[nodiscard]] std::string write_dot(const std::string& path, const Trace& trace,
                                    const sim::ExecutionResult& x, const std::string& dot) {
  sim::InterleavingGraphOptions graph;
  auto count = [](std::uint64_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
  };
  graph.title = (trace.scenario.name.empty() ? path : trace.scenario.name) + "\nmutant " +
                trace.mutant + ", " + count(trace.readers, "reader", "readers") + " x " +
                count(trace.passes, "pass", "passes") + ", " +
                count(x.schedule.size(), "step", "steps");
  return write_file_atomically(dot, sim::interleaving_dot(x, graph));
}

// --record: the execution as it ran, as a trace; it keeps the trace's origin (a
// trace without one was made by hand). The error, or "".
[[nodiscard]] std::string write_record(const Trace& trace, const sim::ExecutionResult& x,
                                       const std::string& record) {
  TraceOrigin origin;
  origin.strategy = "hand";
  const Trace recorded =
      sim::trace_of(sim::workload_of(trace), x, trace.origin ? *trace.origin : origin);
  return write_file_atomically(record, write_trace(recorded));
}

// The last line: whether the run did what the trace records (or, with
// --expect-no-violation, passed).
std::string verdict_text(const sim::ReplayResult& r, const Trace& trace, const ReplayOptions& o) {
  if (!r.reproduced) return "NOT REPRODUCED: " + r.difference + "\n";
  if (o.expect_no_violation) return "passed: no violation, as required\n";
  return std::string("reproduced: ") +
         (trace.outcome && trace.outcome->violation ? "the recorded violation"
                                                    : "no violation, as recorded") +
         "\n";
}

// What --json and --junit say of a trace that ran.
FileReport::Case trace_case(const std::string& path, const Trace& trace,
                            const sim::ReplayResult& r) {
  const auto& x = r.execution;
  FileReport::Case c;
  c.name = trace.scenario.name.empty() ? path : trace.scenario.name;
  (r.reproduced ? c.passed : c.failed) = 1;
  if (!r.reproduced) c.failures.push_back("NOT REPRODUCED: " + r.difference);
  if (x.violation)
    c.violation = x.violation->property + " at schedule step " + std::to_string(x.violation->step) +
                  ": " + x.violation->message;
  return c;
}

// Replays one trace file; everything it prints goes to `out`, and only once the
// whole file has run (a bad file prints its one-line error alone).
int replay_trace_file(const std::string& path, const std::string& text, const ReplayOptions& o,
                      std::string* out, FileReport* report) {
  const std::optional<Trace> read = read_trace(path, text, o);
  if (!read) return 2;
  const Trace& trace = *read;
  sim::ReplayResult r;
  try {
    r = sim::replay_trace(trace, o.explain || !o.dot.empty(), o.expect_no_violation);
  } catch (const ScenarioError& e) {
    print_error(input_error(path, e.what()));
    return 2;
  }
  const auto& x = r.execution;
  if (bad_execution(path, trace, x)) return 2;
  std::ostringstream s;
  // Names and paths come from the input: escaped, so that each stays one line.
  s << "== " << escape_for_message(trace.scenario.name.empty() ? path : trace.scenario.name) << " ("
    << trace.mutant << ", " << trace.readers << " readers x " << trace.passes << " passes, "
    << x.schedule.size() << " steps, " << x.preemptions << " preemptions)\n";
  if (o.explain) s << control_steps(trace) << sim::explain_events(x.events);
  s << violation_text(x);
  if (!o.dot.empty()) {
    if (const std::string error = write_dot(path, trace, x, o.dot); !error.empty()) {
      print_error(path + ": --dot: " + error);
      return 2;
    }
    s << "graph: " << escape_for_message(o.dot) << "\n";
  }
  if (!o.record.empty()) {
    if (const std::string error = write_record(trace, x, o.record); !error.empty()) {
      print_error(path + ": --record: " + error);
      return 2;
    }
    s << "recorded: " << escape_for_message(o.record) << "\n";
  }
  s << verdict_text(r, trace, o);
  *out += s.str();
  report->cases.push_back(trace_case(path, trace, r));
  return r.reproduced ? 0 : 1;
}

// Runs one file; returns its exit code and appends its output to `out` only when the
// whole file could be run.
int replay_file(const std::string& path, const ReplayOptions& options, std::string* out,
                std::size_t* passed, std::size_t* failed, FileReport* file_report) {
  FileReport* const report_out = file_report;
  report_out->file = path;
  std::string text;
  try {
    const InputFile in = read_input(path);
    text = in.text;
  } catch (const ScenarioError& e) {
    print_error(input_error(path, e.what()));
    report_out->error = e.what();
    return 2;
  }
  const bool trace = looks_like_trace(text);
  report_out->kind = trace ? "trace" : "scenario";
  if ((!options.dot.empty() || !options.record.empty()) && !trace) {
    print_error(path + ": --dot and --record take a trace; this is a scenario file");
    report_out->error = "--dot and --record take a trace";
    return 2;
  }
  if (trace) {
    const int code = replay_trace_file(path, text, options, out, report_out);
    if (code == 0) ++*passed;
    if (code == 1) ++*failed;
    return code;
  }
  try {
    const auto scenarios = parse_scenarios(text);
    // A mutant that the scenario's variant cannot show would pass unseen.
    const Mutant mutant = mutant_from_name(options.mutant).value_or(Mutant::kNone);
    for (std::size_t i = 0; i < scenarios.size(); i++) {
      const std::string refusal = mutant_refusal(mutant, scenarios[i].semantics);
      if (!refusal.empty()) {
        throw ScenarioError(
            (scenarios.size() == 1 ? std::string("$") : "$[" + std::to_string(i) + "]") +
            ".semantics: --mutant: " + refusal);
      }
    }
    std::string buffered;
    std::size_t file_passed = 0, file_failed = 0;
    std::vector<FileReport::Case> cases;
    for (std::size_t i = 0; i < scenarios.size(); i++) {
      auto system = make_system(scenarios[i].semantics, mutant);
      ScenarioReport report;
      try {
        report = run_scenario(scenarios[i], *system);
      } catch (const ScenarioError& e) {
        // "$.steps[3]: ..." is the path within one scenario; in an array, say which.
        const std::string what = e.what();
        if (scenarios.size() == 1 || what.rfind("$.", 0) != 0) throw;
        throw ScenarioError("$[" + std::to_string(i) + "]" + what.substr(1));
      }
      buffered += "== " + escape_for_message(report.name.empty() ? path : report.name) + "\n";
      buffered += format_report(report);
      file_passed += report.passed;
      file_failed += report.failed;
      FileReport::Case c;
      c.name = report.name.empty() ? path : report.name;
      c.passed = report.passed;
      c.failed = report.failed;
      for (const StepReport& step : report.steps) {
        for (const std::string& m : step.mismatches) {
          c.failures.push_back("step " + std::to_string(step.index) + ": MISMATCH " + m);
        }
        for (const std::string& v : step.violations) {
          c.failures.push_back("step " + std::to_string(step.index) + ": VIOLATION " + v);
        }
      }
      cases.push_back(std::move(c));
    }
    report_out->cases = std::move(cases);
    *out += buffered;
    *passed += file_passed;
    *failed += file_failed;
    return file_failed ? 1 : 0;
  } catch (const ScenarioError& e) {
    print_error(input_error(path, e.what()));
    report_out->error = e.what();
    report_out->cases.clear();
    return 2;
  }
}

nlohmann::ordered_json replay_json(const std::vector<FileReport>& files, std::size_t passed,
                                   std::size_t failed, int code) {
  nlohmann::ordered_json j;
  j["format"] = kResultsFormat;
  j["version"] = kResultsVersion;
  j["command"] = "replay";
  j["passed"] = passed;
  j["failed"] = failed;
  j["exit"] = code;
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const FileReport& f : files) {
    nlohmann::ordered_json x;
    x["file"] = f.file;
    x["kind"] = f.kind;
    if (!f.error.empty()) x["error"] = f.error;
    nlohmann::ordered_json cases = nlohmann::ordered_json::array();
    for (const FileReport::Case& c : f.cases) {
      nlohmann::ordered_json y;
      y["name"] = c.name;
      y["passed"] = c.passed;
      y["failed"] = c.failed;
      y["failures"] = c.failures;
      if (f.kind == "trace")
        y["violation"] =
            c.violation.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(c.violation);
      cases.push_back(std::move(y));
    }
    x["scenarios"] = std::move(cases);
    list.push_back(std::move(x));
  }
  j["files"] = std::move(list);
  return j;
}

std::string replay_junit(const std::vector<FileReport>& files) {
  std::vector<JunitCase> cases;
  for (const FileReport& f : files) {
    if (!f.error.empty()) {
      cases.push_back({f.file, "mprogsim.replay", "bad file: " + f.error, ""});
      continue;
    }
    for (const FileReport::Case& c : f.cases) {
      JunitCase j;
      j.classname = "mprogsim.replay." + f.kind;
      j.name = f.file + ": " + c.name;
      for (const std::string& line : c.failures)
        j.failure += (j.failure.empty() ? "" : "\n") + line;
      if (!c.violation.empty()) j.output = "violation: " + c.violation;
      cases.push_back(std::move(j));
    }
  }
  return junit_xml("mprogsim replay", cases);
}

// --json and --junit; false after printing why one could not be written (exit 2).
[[nodiscard]] bool write_reports(const ReplayOptions& o, const std::vector<FileReport>& reports,
                                 std::size_t passed, std::size_t failed, int code) {
  if (!o.json.empty()) {
    const std::string error =
        write_result_file(o.json, replay_json(reports, passed, failed, code).dump(1) + "\n");
    if (!error.empty()) {
      print_error("replay: --json: " + error);
      return false;
    }
  }
  if (!o.junit.empty()) {
    if (const std::string error = write_result_file(o.junit, replay_junit(reports));
        !error.empty()) {
      print_error("replay: --junit: " + error);
      return false;
    }
  }
  return true;
}

}  // namespace

Run add_replay(CLI::App& app) {
  auto options = std::make_shared<ReplayOptions>();
  app.add_option("files", options->files, "Scenario files (JSON)")->required()->check(non_empty());
  app.add_option("--mutant", options->mutant, "Run on a deliberately broken model (see mutants)");
  app.add_flag("-q,--quiet", options->quiet, "Print only mismatches, violations and the summary");
  app.add_flag("--explain", options->explain, "Traces: print the execution step by step");
  app.add_option("--dot", options->dot,
                 "Traces: write the interleaving as a Graphviz graph to this file (one trace)")
      ->check(non_empty());
  app.add_option("--record", options->record,
                 "Traces: write the execution as it ran (schedule, outcome) as a trace (one trace)")
      ->check(non_empty());
  app.add_option("--json", options->json,
                 "Write the results as JSON (docs/results-format.md) to FILE")
      ->check(non_empty());
  app.add_option("--junit", options->junit,
                 "Write a JUnit XML report to FILE: one test case per scenario or trace")
      ->check(non_empty());
  app.add_flag("--expect-no-violation", options->expect_no_violation,
               "Traces: require that the execution passes (e.g. with --mutant none); schedule "
               "entries naming a thread that cannot run are skipped");
  return [options, &app] {
    options->mutant_given = app.count("--mutant") > 0;
    const auto mutant = mutant_from_name(options->mutant);
    if (!mutant) {
      print_error("replay: unknown mutant " + quote_input(options->mutant) +
                  " (see `mprogsim mutants`)");
      return 2;
    }
    if ((!options->dot.empty() || !options->record.empty()) && options->files.size() != 1) {
      print_error("replay: --dot and --record take exactly one trace file");
      return 2;
    }
    for (const auto& [option, file] :
         {std::pair{"--json", &options->json}, std::pair{"--junit", &options->junit}}) {
      if (file->empty()) continue;
      if (const std::string bad = unwritable_target(*file); !bad.empty()) {
        print_error(std::string("replay: ") + option + " " + bad);
        return 2;
      }
    }
    int code = 0;
    std::size_t passed = 0, failed = 0;
    std::vector<FileReport> reports;
    for (const auto& path : options->files) {
      std::string out;
      reports.emplace_back();
      const int file_code = replay_file(path, *options, &out, &passed, &failed, &reports.back());
      if (options->quiet) {
        std::istringstream lines(out);
        for (std::string line; std::getline(lines, line);) {
          if (line.find("MISMATCH") != std::string::npos ||
              line.find("VIOLATION") != std::string::npos) {
            std::cout << escape_for_message(path) << ": " << line << "\n";
          }
        }
      } else {
        std::cout << out;
      }
      code = std::max(code, file_code);
    }
    // A bad file gets its one-line error and no summary: nothing half written.
    if (code != 2) std::cout << passed << " passed, " << failed << " failed\n";
    // The reports are written for bad files too: each names its file's error.
    return write_reports(*options, reports, passed, failed, code) ? code : 2;
  };
}

}  // namespace mprogsim::tools
