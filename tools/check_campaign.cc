// SPDX-License-Identifier: GPL-2.0
// One simulator campaign of `mprogsim check` (sim/campaign.h) and its summary: the
// configuration line, the counts, the known findings met (each named and written as
// a trace), the bound an exhaustive strategy completed, and either "no violation" or
// the violation with its trace and the command that replays it.
//
// Everything on stdout is a pure function of the options (rates go to stderr), so
// two runs with the same options print the same bytes and write the same traces.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "traces/trace_replay.h"
#include "tools/check_options.h"
#include "tools/cli_checks.h"
#include "traces/atomic_file.h"
#include "traces/trace.h"

namespace mprogsim::tools {

std::string human(double n) {
  char buf[32];
  if (n >= 1e6) {
    std::snprintf(buf, sizeof(buf), "%.2fM", n / 1e6);
  } else if (n >= 1e4) {
    std::snprintf(buf, sizeof(buf), "%.1fk", n / 1e3);
  } else {
    std::snprintf(buf, sizeof(buf), "%.0f", n);
  }
  return buf;
}

void print_findings(const std::vector<FindingReport>& findings, const char* unit) {
  for (const FindingReport& f : findings) {
    const sim::KnownFinding* k = sim::find_known_finding(f.name);
    std::cout << "known finding " << f.name;
    if (k) std::cout << " (docs/semantics.md " << k->label << ": " << k->title << ")";
    std::cout << ": met in " << f.count << " " << unit << (f.count == 1 ? "" : "s")
              << ", first in " << unit << " " << f.first
              << "; allowed (--allow-finding), not a failure\n";
    if (!f.what.empty()) std::cout << "  " << f.what << "\n";
    if (!f.trace.empty()) {
      std::cout << "  trace: " << f.trace << "\n";
    } else {
      std::cout << "  could not write its trace (" << f.write_error << ")\n";
    }
  }
}

void print_finding_not_allowed(const std::string& name) {
  const sim::KnownFinding* k = sim::find_known_finding(name);
  std::cout << "  known finding: " << name;
  if (k) std::cout << " (docs/semantics.md " << k->label << ": " << k->title << ")";
  std::cout << "; not allowed in this run (--allow-finding " << name << " lets it pass)\n";
}

namespace {

// Writes a new trace file and never replaces one (a run that finds the name taken, an
// earlier or concurrent run with other options, writes a fresh one beside it). Returns
// the path, or empty with `error` set.
std::string write_trace_file(const std::string& dir, const std::string& stem, const Trace& trace,
                             std::string* error) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::string path;
  *error = ec ? "--out " + dir + ": " + ec.message()
              : write_new_file_atomically(dir + "/" + stem, ".json", write_trace(trace), &path);
  return error->empty() ? path : "";
}

}  // namespace

int run_sim_check(const SimCheckOptions& o, SimCheckOutcome* outcome) {
  SimCheckOutcome local;
  SimCheckOutcome& out = outcome ? *outcome : local;
  const sim::CampaignOptions& c = o.campaign;
  const std::string& strategy = c.strategy.kind;
  const bool exhaustive = sim::exhaustive_strategy(strategy);
  std::ostringstream header;
  if (o.header) header << "SEED=" << c.strategy.seed << " variant=" << o.variant << " ";
  header << "strategy=" << strategy;
  if (strategy == "pct") header << " depth=" << c.strategy.pct_depth;
  if (strategy == "dfs") {
    header << " preemption-bound=" << c.strategy.preemption_bound
           << (c.strategy.sleep_sets ? " sleep-sets" : " no-sleep-sets");
  }
  if (strategy == "dpor" && c.strategy.preemption_bound_given) {
    header << " preemption-bound=" << c.strategy.preemption_bound;
  }
  header << " mutant=" << o.mutant << " readers=" << c.shape.readers << " passes=" << c.shape.passes;
  if (o.enumeration) {
    header << " enumerate " << o.enumeration_text << " workloads=" << o.enumeration->size();
    if (!exhaustive) header << " schedules-per-workload=" << c.schedules_per_workload;
  } else if (o.workload_file.empty()) {
    header << " progs=" << c.shape.progs << " ops=" << c.shape.ops;
  }
  if (c.shape.start_readers_after) {
    header << " start-readers-after=" << c.shape.start_readers_after;
  }
  if (c.executions < 1'000'000'000) header << " executions=" << c.executions;
  if (c.time_budget_s > 0) {
    char budget[32];
    std::snprintf(budget, sizeof(budget), "%.1f", c.time_budget_s);
    header << " time-budget=" << budget << "s";
  }
  if (!o.workload_file.empty()) header << " workload=" << o.workload_file;
  std::cout << header.str() << std::endl;

  const bool tty = !o.quiet && isatty(STDERR_FILENO);
  std::function<void(const sim::Progress&)> progress;
  if (tty) {
    progress = [](const sim::Progress& p) {
      std::fprintf(stderr,
                   "\r  executions %s (%s/s), steps %s, workloads %s, distinct states ~%s   ",
                   human(static_cast<double>(p.executions)).c_str(),
                   human(static_cast<double>(p.executions) / p.elapsed_s).c_str(),
                   human(static_cast<double>(p.steps)).c_str(),
                   human(static_cast<double>(p.workloads)).c_str(),
                   human(p.distinct_states).c_str());
    };
  }
  sim::CampaignResult& r = out.result;
  const auto started = std::chrono::steady_clock::now();
  try {
    r = sim::run_campaign(c, progress);
  } catch (const std::invalid_argument& e) {
    if (tty) std::fprintf(stderr, "\n");
    print_error(std::string("check: ") + e.what());
    return out.exit = 2;
  }
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (tty) std::fprintf(stderr, "\r%100s\r", "");
  if (!r.error.empty()) {
    print_error("check: " + r.error);
    return out.exit = 2;
  }
  std::cout << "executions " << r.executions;
  if (r.abandoned) std::cout << " (+" << r.abandoned << " cut by sleep sets)";
  if (r.cached_cuts) std::cout << " (+" << r.cached_cuts << " stopped at a state explored before)";
  std::cout << ", steps " << r.steps << ", workloads " << r.workloads << ", distinct states ~"
            << human(r.distinct_states) << "\n";
  if (!o.quiet) {
    std::cerr << "rate: " << human(static_cast<double>(r.executions + r.abandoned) / elapsed)
              << " executions/s, " << human(static_cast<double>(r.steps) / elapsed)
              << " steps/s on one core (wall clock; not part of the summary)\n";
  }
  // The name says what distinguishes the run.
  auto file_stem = [&](const std::string& what, std::uint64_t execution) {
    return o.variant + "-" + what + "-" + strategy + "-seed" + std::to_string(c.strategy.seed) +
           "-r" + std::to_string(c.shape.readers) + "x" + std::to_string(c.shape.passes) +
           "-exec" + std::to_string(execution);
  };
  const TraceOrigin base_origin{strategy, c.strategy.seed, c.strategy.pct_depth,
                                c.strategy.preemption_bound, 0};

  // Known findings met and let pass: each named, with the trace of its first.
  for (const sim::FindingMet& m : r.findings) {
    FindingReport f;
    f.name = m.name;
    f.count = m.executions;
    f.first = m.first_execution;
    if (m.first.violation) f.what = m.first.violation->message;
    TraceOrigin origin = base_origin;
    origin.execution = m.first_execution;
    f.trace = write_trace_file(o.out, file_stem("finding-" + m.name, m.first_execution),
                               sim::trace_of(m.workload, m.first, origin), &f.write_error);
    if (f.trace.empty()) {
      // Not a result: the run could not deliver the trace of what it met.
      print_error("check: could not write the trace of finding " + m.name + ": " + f.write_error);
      return out.exit = 2;
    }
    out.findings.push_back(std::move(f));
  }
  print_findings(out.findings, "execution");

  if (r.failure) {
    const sim::Violation& v = *r.failure->violation;
    TraceOrigin origin = base_origin;
    origin.execution = r.failing_execution;
    std::string error;
    const std::string path =
        write_trace_file(o.out, file_stem(o.mutant, r.failing_execution),
                         sim::trace_of(*r.failing_workload, *r.failure, origin), &error);
    std::cout << "VIOLATION " << v.property << " in execution " << r.failing_execution
              << " at schedule step " << v.step << ": " << v.message << "\n";
    for (const auto& [key, value] : v.evidence) std::cout << "  " << key << ": " << value << "\n";
    if (!v.finding.empty()) print_finding_not_allowed(v.finding);
    std::cout << "  workload: " << r.failing_workload->scenario.steps.size() << " control steps, "
              << r.failing_workload->readers << " readers x " << r.failing_workload->passes
              << " passes; schedule of " << r.failure->schedule.size() << " steps, "
              << r.failure->preemptions << " preemptions\n";
    if (!error.empty()) {
      // Not a result: the run could not deliver its trace.
      print_error("check: could not write the trace: " + error);
      return out.exit = 2;
    }
    std::cout << "trace: " << path << "\nreplay it: mprogsim replay " << path << " --explain\n";
    return out.exit = 1;
  }
  const bool series_done = o.enumeration ? r.source_exhausted : false;
  if (strategy == "dpor") {
    // What was proved: every execution up to equivalence (same steps, same order of
    // every conflicting pair) of each workload explored to the end, or why not.
    const std::uint64_t total = o.enumeration ? o.enumeration->size() : r.workloads;
    const bool all_done = o.enumeration ? series_done && r.workloads_exhausted == total
                                        : r.workloads_exhausted == r.workloads;
    std::string why;
    if (c.strategy.preemption_bound_given) {
      why = "bounded by --preemption-bound " + std::to_string(c.strategy.preemption_bound);
    } else if (r.dpor_anomalies) {
      why = std::to_string(r.dpor_anomalies) + " races could not be reversed";
    } else if (!all_done) {
      why = std::string("the ") + (r.stopped_by_time ? "time" : "execution") + " budget ran out";
    }
    const char* plural = total == 1 ? " workload" : " workloads";
    if (why.empty() && c.strategy.state_cache) {
      // With the state cache an execution can stand for many interleavings.
      std::cout << "dpor: all interleavings (up to equivalence) of " << total << plural
                << " explored: complete (" << r.executions << " executions to the end, "
                << r.cached_cuts << " stopped at a state explored before)\n";
    } else if (why.empty()) {
      std::cout << "dpor: all " << r.executions << " interleavings (up to equivalence) of " << total
                << plural << " explored: complete\n";
    } else {
      std::cout << "dpor: " << r.executions << " interleavings of " << r.workloads_exhausted << " of "
                << total << plural << " explored to the end: incomplete: " << why << "\n";
    }
    out.complete = why.empty();
  } else if (exhaustive) {
    std::cout << strategy << ": " << r.workloads_exhausted << " of "
              << (o.enumeration ? o.enumeration->size() : r.workloads)
              << " workloads explored exhaustively";
    if (strategy == "dfs") std::cout << " up to " << c.strategy.preemption_bound << " preemptions";
    if (o.enumeration ? !series_done : r.workloads_exhausted != r.workloads) {
      std::cout << "; the budget ended the search";
    }
    std::cout << "\n";
    out.complete = o.enumeration ? series_done && r.workloads_exhausted == o.enumeration->size()
                                 : r.source_exhausted;
  } else if (o.enumeration) {
    std::cout << strategy << ": " << r.workloads << " of " << o.enumeration->size()
              << " workloads sampled" << (series_done ? "" : "; the budget ended the series")
              << "\n";
  }
  std::cout << "no violation in " << r.executions << " executions";
  if (!r.findings.empty()) {
    std::cout << " other than the known findings allowed:";
    for (const sim::FindingMet& m : r.findings) std::cout << " " << m.name;
  }
  std::cout << (r.stopped_by_time ? " (stopped by the time budget)" : "") << "\n";
  return out.exit = 0;
}

}  // namespace mprogsim::tools
