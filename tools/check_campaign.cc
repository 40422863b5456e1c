// SPDX-License-Identifier: GPL-2.0
// One simulator campaign of `mprogsim check` (sim/campaign.h) and its summary: the
// configuration line, the counts, the known findings met (each named and written as
// a trace), the bound an exhaustive strategy completed, and either "no violation" or
// every violation group (property and location) with its first execution, written
// as a shrunk trace, and the command that replays it.
//
// Everything on stdout is a pure function of the options (rates go to stderr), so
// two runs with the same options print the same bytes and write the same traces,
// whatever --jobs says.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "tools/check_options.h"
#include "tools/cli_checks.h"
#include "tools/input.h"
#include "traces/atomic_file.h"
#include "traces/shrink.h"
#include "traces/trace.h"
#include "traces/trace_replay.h"

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
    std::cout << ": met in " << f.count << " " << unit << (f.count == 1 ? "" : "s") << ", first in "
              << unit << " " << f.first << "; allowed (--allow-finding), not a failure\n";
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

std::string file_name(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

void print_header(const SimCheckOptions& o) {
  const sim::CampaignOptions& c = o.campaign;
  const std::string& strategy = c.strategy.kind;
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
  header << " mutant=" << o.mutant << " readers=" << c.shape.readers
         << " passes=" << c.shape.passes;
  if (o.enumeration) {
    header << " enumerate " << o.enumeration_text << " workloads=" << o.enumeration->size();
    if (!sim::exhaustive_strategy(strategy)) {
      header << " schedules-per-workload=" << c.schedules_per_workload;
    }
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
  if (c.shard_count > 1) header << " shard=" << c.shard_index + 1 << "/" << c.shard_count;
  if (o.control.stop_at_first) header << " stop-at-first";
  if (!o.workload_file.empty()) header << " workload=" << o.workload_file;
  std::cout << header.str() << std::endl;
}

// The name says what distinguishes the run and the execution; the same in every
// shard and with any --jobs.
std::string file_stem(const SimCheckOptions& o, const std::string& what,
                      const sim::ExecutionId& id) {
  const sim::CampaignOptions& c = o.campaign;
  return o.variant + "-" + what + "-" + c.strategy.kind + "-seed" +
         std::to_string(c.strategy.seed) + "-r" + std::to_string(c.shape.readers) + "x" +
         std::to_string(c.shape.passes) + "-w" + std::to_string(id.workload) + "-e" +
         std::to_string(id.execution);
}

TraceOrigin origin_of(const SimCheckOptions& o, std::uint64_t execution) {
  const sim::CampaignOptions& c = o.campaign;
  return TraceOrigin{c.strategy.kind, c.strategy.seed, c.strategy.pct_depth,
                     c.strategy.preemption_bound, execution};
}

// Known findings met and let pass: each named, with the trace of its first. False
// when a trace could not be written (printed).
bool report_findings(const SimCheckOptions& o, const sim::CampaignResult& r, SimCheckOutcome& out) {
  for (const sim::FindingMet& m : r.findings) {
    FindingReport f;
    f.name = m.name;
    f.count = m.executions;
    f.first = m.first_execution;
    if (m.first.violation) f.what = m.first.violation->message;
    f.trace = write_trace_file(o.out, file_stem(o, "finding-" + m.name, m.first_id),
                               sim::trace_of(m.workload, m.first, origin_of(o, m.first_execution)),
                               &f.write_error);
    if (f.trace.empty()) {
      // Not a result: the run could not deliver the trace of what it met.
      print_error("check: could not write the trace of finding " + m.name + ": " + f.write_error);
      return false;
    }
    if (o.control.results) {
      Occurrence x;
      x.phase = o.phase;
      x.property = m.name;
      x.count = m.executions;
      x.workload = m.first_id.workload;
      x.execution = m.first_id.execution;
      x.step = m.first.violation ? m.first.violation->step : 0;
      x.message = f.what;
      x.trace = file_name(f.trace);
      o.control.results->findings.push_back(std::move(x));
    }
    out.findings.push_back(std::move(f));
  }
  print_findings(out.findings, "execution");
  return true;
}

// One violation group: its first execution, shrunk unless --no-shrink, written as
// a trace. False when the trace could not be written (printed).
bool report_violation(const SimCheckOptions& o, const sim::ViolationGroup& g, bool many) {
  const sim::Violation& v = *g.first.violation;
  Trace trace = sim::trace_of(g.workload, g.first, origin_of(o, g.first_execution));
  bool shrunk = false;
  std::string before;
  if (o.control.shrink) {
    sim::ShrinkResult s = sim::shrink_trace(trace);
    // Keep the shrunk trace only if it replays strictly (it always should).
    if (sim::replay_trace(s.trace, false, false).reproduced) {
      before = s.before.text();
      trace = std::move(s.trace);
      shrunk = true;
    }
  }
  std::string error;
  const std::string path =
      write_trace_file(o.out, file_stem(o, o.mutant + "-" + v.property, g.first_id), trace, &error);
  std::cout << "VIOLATION " << v.property << " in execution " << g.first_execution
            << " at schedule step " << v.step << ": " << v.message << "\n";
  for (const auto& [key, value] : v.evidence) std::cout << "  " << key << ": " << value << "\n";
  if (!v.finding.empty()) print_finding_not_allowed(v.finding);
  if (many || g.executions > 1) {
    std::cout << "  shown by " << g.executions << " execution" << (g.executions == 1 ? "" : "s")
              << " at " << g.location << " (workload " << g.first_id.workload << ", execution "
              << g.first_id.execution << " of it first)\n";
  }
  std::cout << "  workload: " << g.workload.scenario.steps.size() << " control steps, "
            << g.workload.readers << " readers x " << g.workload.passes << " passes; schedule of "
            << g.first.schedule.size() << " steps, " << g.first.preemptions << " preemptions\n";
  if (!error.empty()) {
    // Not a result: the run could not deliver its trace.
    print_error("check: could not write the trace: " + error);
    return false;
  }
  if (shrunk) {
    std::cout << "  shrunk to " << trace.scenario.steps.size() << " control steps, "
              << trace.readers << " readers x " << trace.passes << " passes, a schedule of "
              << trace.schedule.size() << " steps\n";
  }
  std::cout << "trace: " << path << "\nreplay it: mprogsim replay " << path << " --explain\n";
  if (o.control.results) {
    Occurrence x;
    x.phase = o.phase;
    x.property = v.property;
    x.location = g.location;
    x.finding = v.finding;
    x.count = g.executions;
    x.workload = g.first_id.workload;
    x.execution = g.first_id.execution;
    x.step = v.step;
    x.message = v.message;
    x.trace = file_name(path);
    x.shrunk = shrunk;
    o.control.results->violations.push_back(std::move(x));
  }
  return true;
}

// What an exhaustive strategy proved, or why not; sets out.complete.
void report_bound(const SimCheckOptions& o, const sim::CampaignResult& r, SimCheckOutcome& out) {
  const sim::CampaignOptions& c = o.campaign;
  const std::string& strategy = c.strategy.kind;
  const bool series_done = o.enumeration ? r.source_exhausted : false;
  // A shard explores only its part of the series: it counts what it ran.
  const bool sharded = c.shard_count > 1;
  const std::uint64_t series = o.enumeration && !sharded ? o.enumeration->size() : r.workloads;
  const bool all_done = (o.enumeration ? series_done : true) &&
                        r.workloads_exhausted == r.workloads &&
                        (!o.enumeration || sharded || r.workloads == o.enumeration->size());
  if (strategy == "dpor") {
    // What was proved: every execution up to equivalence (same steps, same order of
    // every conflicting pair) of each workload explored to the end, or why not.
    std::string why;
    if (c.strategy.preemption_bound_given) {
      why = "bounded by --preemption-bound " + std::to_string(c.strategy.preemption_bound);
    } else if (r.dpor_anomalies) {
      why = std::to_string(r.dpor_anomalies) + " races could not be reversed";
    } else if (!r.violations.empty() && !all_done) {
      why = "a workload's tree is not explored past a violation";
    } else if (!all_done) {
      why = r.interrupted ? std::string("interrupted (SIGINT)")
                          : std::string("the ") + (r.stopped_by_time ? "time" : "execution") +
                                " budget ran out";
    }
    const char* plural = series == 1 ? " workload" : " workloads";
    const std::string part = sharded ? " (this shard's part)" : "";
    if (why.empty() && c.strategy.state_cache) {
      // With the state cache an execution can stand for many interleavings.
      std::cout << "dpor: all interleavings (up to equivalence) of " << series << plural << part
                << " explored: complete (" << r.executions << " executions to the end, "
                << r.cached_cuts << " stopped at a state explored before)\n";
    } else if (why.empty()) {
      std::cout << "dpor: all " << r.executions << " interleavings (up to equivalence) of "
                << series << plural << part << " explored: complete\n";
    } else {
      std::cout << "dpor: " << r.executions << " interleavings of " << r.workloads_exhausted
                << " of " << series << plural << part << " explored to the end: incomplete: " << why
                << "\n";
    }
    out.complete = why.empty();
  } else if (sim::exhaustive_strategy(strategy)) {
    std::cout << strategy << ": " << r.workloads_exhausted << " of " << series
              << " workloads explored exhaustively";
    if (strategy == "dfs") std::cout << " up to " << c.strategy.preemption_bound << " preemptions";
    if (!all_done) std::cout << "; the budget ended the search";
    std::cout << "\n";
    out.complete = all_done && (o.enumeration ? true : r.source_exhausted);
  } else if (o.enumeration) {
    std::cout << strategy << ": " << r.workloads << " of " << series << " workloads sampled"
              << (series_done ? "" : "; the budget ended the series") << "\n";
  }
}

// The progress line on a terminal (stderr; not part of the summary).
void print_progress(const sim::Progress& p) {
  std::fprintf(stderr, "\r  executions %s (%s/s), steps %s, workloads %s, distinct states ~%s   ",
               human(static_cast<double>(p.executions)).c_str(),
               human(static_cast<double>(p.executions) / p.elapsed_s).c_str(),
               human(static_cast<double>(p.steps)).c_str(),
               human(static_cast<double>(p.workloads)).c_str(), human(p.distinct_states).c_str());
}

// The campaign as one phase of --json / --junit.
void record_phase(const std::string& phase, const std::string& strategy,
                  const sim::CampaignResult& r, CheckResults& results) {
  PhaseResult p;
  p.name = phase;
  p.strategy = strategy;
  p.executions = r.executions;
  p.abandoned = r.abandoned;
  p.cached_cuts = r.cached_cuts;
  p.steps = r.steps;
  p.workloads = r.workloads;
  p.workloads_exhausted = r.workloads_exhausted;
  p.dpor_anomalies = r.dpor_anomalies;
  p.source_exhausted = r.source_exhausted;
  p.stopped_by_time = r.stopped_by_time;
  p.interrupted = r.interrupted;
  p.distinct_states = r.states.to_hex();
  results.phases.push_back(std::move(p));
  results.interrupted = results.interrupted || r.interrupted;
}

// The last line, and the exit code it stands for.
int print_verdict(const SimCheckOptions& o, const sim::CampaignResult& r) {
  const char* stopped = r.interrupted       ? " (interrupted: the summary so far)"
                        : r.stopped_by_time ? " (stopped by the time budget)"
                                            : "";
  if (!r.violations.empty()) {
    std::uint64_t executions = 0;
    for (const sim::ViolationGroup& g : r.violations) executions += g.executions;
    std::cout << r.violations.size() << (r.violations.size() == 1 ? " violation" : " violations")
              << " (by property and location) in " << executions << " of " << r.executions
              << " executions" << (o.control.stop_at_first ? " (--stop-at-first)" : "") << stopped
              << "\n";
    return r.interrupted ? 130 : 1;
  }
  std::cout << "no violation in " << r.executions << " executions";
  if (!r.findings.empty()) {
    std::cout << " other than the known findings allowed:";
    for (const sim::FindingMet& m : r.findings) std::cout << " " << m.name;
  }
  std::cout << stopped << "\n";
  return r.interrupted ? 130 : 0;
}

}  // namespace

int run_sim_check(const SimCheckOptions& o, SimCheckOutcome* outcome) {
  SimCheckOutcome local;
  SimCheckOutcome& out = outcome ? *outcome : local;
  sim::CampaignOptions c = o.campaign;
  c.jobs = o.control.jobs;
  c.shard_index = o.control.shard_index;
  c.shard_count = o.control.shard_count;
  c.stop_at_first = o.control.stop_at_first;
  c.interrupt = o.control.interrupt;
  SimCheckOptions shown = o;
  shown.campaign = c;
  print_header(shown);

  const bool tty = !o.quiet && isatty(STDERR_FILENO);
  std::function<void(const sim::Progress&)> progress;
  if (tty) progress = print_progress;
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
    print_error("check: " + with_step_number(r.error));
    return out.exit = 2;
  }
  if (o.control.results) record_phase(o.phase, c.strategy.kind, r, *o.control.results);
  std::cout << "executions " << r.executions;
  if (r.abandoned) std::cout << " (+" << r.abandoned << " cut by sleep sets)";
  if (r.cached_cuts) std::cout << " (+" << r.cached_cuts << " stopped at a state explored before)";
  std::cout << ", steps " << r.steps << ", workloads " << r.workloads << ", distinct states ~"
            << human(r.distinct_states) << "\n";
  if (!o.quiet) {
    std::cerr << "rate: " << human(static_cast<double>(r.executions + r.abandoned) / elapsed)
              << " executions/s, " << human(static_cast<double>(r.steps) / elapsed)
              << " steps/s on " << c.jobs << (c.jobs == 1 ? " core" : " cores")
              << " (wall clock; not part of the summary)\n";
  }
  if (!report_findings(o, r, out)) return out.exit = 2;
  for (const sim::ViolationGroup& g : r.violations) {
    if (!report_violation(o, g, r.violations.size() > 1)) return out.exit = 2;
  }
  report_bound(o, r, out);
  return out.exit = print_verdict(o, r);
}

}  // namespace mprogsim::tools
