// SPDX-License-Identifier: GPL-2.0
// `mprogsim check`: a simulator campaign (sim/campaign.h). The control path runs a
// random workload while datapath readers walk the published entry, under a chosen
// scheduling strategy; every execution is checked for use-after-free, torn
// snapshots, spec conformance, revision rules, reference balance and leaks.
// `--sequential` runs the older, reader-free campaign of long sequences instead.
//
// Exit 0: no violation; 1: one found (written as a trace under --out); 2: bad options.
// The summary on stdout is a pure function of the options (rates go to stderr), so
// two runs with the same options print the same bytes and write the same trace.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "sim/campaign.h"
#include "sim/trace_replay.h"
#include "tools/check_options.h"
#include "tools/cli_checks.h"
#include "tools/subcommands.h"
#include "traces/atomic_file.h"
#include "traces/json_input.h"

namespace mprogsim::tools {
namespace {

struct CheckCliOptions {
  std::string variant = "v2";
  std::string mutant = "none";
  std::string strategy = "random";
  u64 seed = 1;
  u32 readers = 2;
  u32 passes = 3;
  u32 ops = 8;
  u32 progs = 3;
  u64 executions = 100000;
  double time_budget = 0;
  u32 pct_depth = 3;
  u32 preemption_bound = 2;
  bool no_sleep_sets = false;
  u32 schedules_per_workload = 8;
  u32 start_readers_after = 0;
  std::string out = "out";
  std::string workload;  // a scenario or trace file to run instead of drawn workloads
  bool sequential = false;
  bool strict = false;
  bool quiet = false;
};

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

// Which options the user gave (defaults differ for the sequential mode and dfs).
struct Given {
  bool variant = false;
  bool executions = false;
  bool ops = false;
  bool progs = false;
  bool passes = false;
};

int run_check(const CheckCliOptions& o, const Given& given) {
  const bool executions_given = given.executions;
  const auto mutant = mutant_from_name(o.mutant);
  if (!mutant) {
    print_error("check: unknown mutant " + quote_input(o.mutant) + " (see `mprogsim mutants`)");
    return 2;
  }
  if (o.variant != "v2" && o.variant != "upstream") {
    print_error("check: unknown variant " + quote_input(o.variant) + " (v2 or upstream)");
    return 2;
  }
  // A mutant picks its own variant unless --variant says otherwise; a variant that
  // cannot show the mutant is refused (the run could never fail).
  std::string variant_name = o.variant;
  if (!given.variant && mutant_info(*mutant).variant == MutantVariant::kUpstream) {
    variant_name = "upstream";
  }
  const Semantics semantics = variant_name == "upstream" ? Semantics::kUpstream : Semantics::kV2;
  const auto mutant_variant =
      semantics == Semantics::kUpstream ? MutantVariant::kUpstream : MutantVariant::kV2;
  if (const std::string refusal = mutant_refusal(*mutant, mutant_variant);
      !refusal.empty() && o.workload.empty()) {
    print_error("check: --variant " + o.variant + ": " + refusal);
    return 2;
  }
  std::string variant = variant_name;  // a --workload file's own semantics wins
  if (o.sequential) {
    if (mutant_info(*mutant).concurrent) {
      print_error("check: --sequential: mutant " + quote_input(o.mutant) +
                  " shows only with datapath readers; drop --sequential");
      return 2;
    }
    SequentialCheckOptions s;
    s.seed = o.seed;
    s.executions = executions_given ? o.executions : 2000;
    s.ops = given.ops ? o.ops : 40;
    s.mutant = *mutant;
    s.semantics = semantics;
    s.out = o.out;
    s.strict = o.strict;
    return run_sequential_check(s);
  }
  sim::CampaignOptions c;
  c.strategy.kind = o.strategy;
  c.strategy.seed = o.seed;
  c.strategy.pct_depth = o.pct_depth;
  c.strategy.preemption_bound = o.preemption_bound;
  c.strategy.sleep_sets = !o.no_sleep_sets;
  c.shape.readers = o.readers;
  c.shape.passes = o.passes;
  c.shape.ops = o.ops;
  c.shape.progs = o.progs;
  c.shape.start_readers_after = o.start_readers_after;
  c.shape.mutant = *mutant;
  c.shape.semantics = semantics;
  // A time budget alone means "until the time is up".
  c.executions = o.time_budget > 0 && !executions_given ? 1'000'000'000 : o.executions;
  c.time_budget_s = o.time_budget;
  c.schedules_per_workload = o.schedules_per_workload;
  if (!o.workload.empty()) {
    try {
      const std::string text = read_input_file(o.workload);
      sim::Workload w;
      if (looks_like_trace(text)) {
        w = sim::workload_of(parse_trace(text));
      } else {
        const auto scenarios = parse_scenarios(text);
        if (scenarios.size() != 1) throw ScenarioError("$: a workload file holds one scenario");
        w.scenario = scenarios[0];
      }
      // The command line decides the concurrency.
      w.readers = c.shape.readers;
      w.passes = c.shape.passes;
      w.start_readers_after = o.start_readers_after;
      w.mutant = *mutant;
      c.workload = w;
      variant = w.scenario.semantics == Semantics::kUpstream ? "upstream" : "v2";
      const std::string refusal = mutant_refusal(
          *mutant, variant == "upstream" ? MutantVariant::kUpstream : MutantVariant::kV2);
      if (!refusal.empty()) {
        print_error("check: " + o.workload + ": " + refusal);
        return 2;
      }
    } catch (const ScenarioError& e) {
      print_error("check: " + o.workload + ": " + e.what());
      return 2;
    }
  }
  if (o.strategy == "dfs") {
    // An exhaustive search needs a small workload to finish.
    if (!given.ops) c.shape.ops = 3;
    if (!given.progs) c.shape.progs = 2;
    if (!given.passes) c.shape.passes = 1;
  }
  std::ostringstream header;
  header << "SEED=" << o.seed << " variant=" << variant << " strategy=" << o.strategy;
  if (o.strategy == "pct") header << " depth=" << o.pct_depth;
  if (o.strategy == "dfs") {
    header << " preemption-bound=" << o.preemption_bound
           << (o.no_sleep_sets ? " no-sleep-sets" : " sleep-sets");
  }
  header << " mutant=" << o.mutant << " readers=" << c.shape.readers << " passes=" << c.shape.passes
         << " progs=" << c.shape.progs << " ops=" << c.shape.ops;
  if (o.start_readers_after) header << " start-readers-after=" << o.start_readers_after;
  if (c.executions < 1'000'000'000) header << " executions=" << c.executions;
  if (o.time_budget > 0) header << " time-budget=" << o.time_budget << "s";
  if (!o.workload.empty()) header << " workload=" << o.workload;
  std::cout << header.str() << std::endl;

  const bool tty = !o.quiet && isatty(STDERR_FILENO);
  std::function<void(const sim::Progress&)> progress;
  if (tty) {
    progress = [](const sim::Progress& p) {
      std::fprintf(stderr, "\r  executions %s (%s/s), steps %s, violations 0, distinct states ~%s   ",
                   human(static_cast<double>(p.executions)).c_str(),
                   human(static_cast<double>(p.executions) / p.elapsed_s).c_str(),
                   human(static_cast<double>(p.steps)).c_str(), human(p.distinct_states).c_str());
    };
  }
  sim::CampaignResult r;
  const auto started = std::chrono::steady_clock::now();
  try {
    r = sim::run_campaign(c, progress);
  } catch (const std::invalid_argument& e) {
    if (tty) std::fprintf(stderr, "\n");
    print_error(std::string("check: ") + e.what());
    return 2;
  }
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (tty) std::fprintf(stderr, "\r%100s\r", "");
  if (!r.error.empty()) {
    print_error("check: " + r.error);
    return 2;
  }
  std::cout << "executions " << r.executions;
  if (r.abandoned) std::cout << " (+" << r.abandoned << " cut by sleep sets)";
  std::cout << ", steps " << r.steps << ", workloads " << r.workloads << ", distinct states ~"
            << human(r.distinct_states) << "\n";
  if (!o.quiet) {
    std::cerr << "rate: " << human(static_cast<double>(r.executions + r.abandoned) / elapsed)
              << " executions/s, " << human(static_cast<double>(r.steps) / elapsed)
              << " steps/s on one core (wall clock; not part of the summary)\n";
  }
  if (r.failure) {
    const sim::Violation& v = *r.failure->violation;
    TraceOrigin origin{o.strategy, o.seed, o.pct_depth, o.preemption_bound, r.failing_execution};
    const Trace trace = sim::trace_of(*r.failing_workload, *r.failure, origin);
    std::error_code ec;
    std::filesystem::create_directories(o.out, ec);
    // The name says what distinguishes the run; a run that finds the name taken (an
    // earlier or concurrent run with other options) writes a fresh one beside it.
    const std::string stem = o.out + "/" + variant + "-" + o.mutant + "-" + o.strategy + "-seed" +
                             std::to_string(o.seed) + "-r" + std::to_string(c.shape.readers) +
                             "x" + std::to_string(c.shape.passes) + "-exec" +
                             std::to_string(r.failing_execution);
    std::string path;
    const std::string error =
        ec ? "--out " + o.out + ": " + ec.message()
           : write_new_file_atomically(stem, ".json", write_trace(trace), &path);
    std::cout << "VIOLATION " << v.property << " in execution " << r.failing_execution << " at schedule step "
              << v.step << ": " << v.message << "\n";
    for (const auto& [key, value] : v.evidence) std::cout << "  " << key << ": " << value << "\n";
    std::cout << "  workload: " << r.failing_workload->scenario.steps.size() << " control steps, "
              << r.failing_workload->readers << " readers x " << r.failing_workload->passes
              << " passes; schedule of " << r.failure->schedule.size() << " steps, "
              << r.failure->preemptions << " preemptions\n";
    if (!error.empty()) {
      // Not a result: the run could not deliver its trace.
      print_error("check: could not write the trace: " + error);
      return 2;
    }
    std::cout << "trace: " << path << "\nreplay it: mprogsim replay " << path << " --explain\n";
    return 1;
  }
  if (o.strategy == "dfs") {
    std::cout << "dfs: " << r.workloads_exhausted << " of " << r.workloads
              << " workloads explored exhaustively up to " << o.preemption_bound << " preemptions"
              << (r.workloads_exhausted == r.workloads ? "" : "; the last one was cut by the budget")
              << "\n";
  }
  std::cout << "no violation in " << r.executions << " executions"
            << (r.stopped_by_time ? " (stopped by the time budget)" : "") << "\n";
  return 0;
}

}  // namespace

Run add_check(CLI::App& app) {
  auto o = std::make_shared<CheckCliOptions>();
  app.add_option("--variant", o->variant,
                 "Model variant: v2 (the reviewed patch) or upstream; default v2, or the "
                 "mutant's own variant");
  app.add_option("--mutant", o->mutant, "Run on a deliberately broken model (see mutants)");
  app.add_option("--strategy", o->strategy, "random | pct | dfs")
      ->check(CLI::IsMember({"random", "pct", "dfs"}));
  app.add_option("--seed", o->seed, "Seed of the campaign (same seed, same run)")
      ->transform(unsigned_decimal());
  app.add_option("--readers", o->readers, "Datapath reader threads")->transform(unsigned_decimal())
      ->check(CLI::Range(0U, 8U));
  app.add_option("--passes", o->passes, "Passes per reader")->transform(unsigned_decimal())
      ->check(CLI::Range(1U, 1000U));
  app.add_option("--ops", o->ops, "Mixed control operations per workload")
      ->transform(unsigned_decimal())
      ->check(CLI::Range(1U, 10000U));
  app.add_option("--progs", o->progs, "Programs loaded before the mixed operations")
      ->transform(unsigned_decimal())
      ->check(CLI::Range(0U, 64U));
  app.add_option("--executions", o->executions, "Executions to run at most")
      ->transform(unsigned_decimal())
      ->check(CLI::Range(u64{1}, u64{1000000000}));
  app.add_option("--time-budget", o->time_budget, "Stop after this many seconds")
      ->check(non_negative_decimal())
      ->check(CLI::Range(0.0, 1e7));
  app.add_option("--pct-depth", o->pct_depth, "PCT bug depth d")->transform(unsigned_decimal())
      ->check(CLI::Range(1U, 100U));
  app.add_option("--preemption-bound", o->preemption_bound, "DFS preemption bound")
      ->transform(unsigned_decimal())
      ->check(CLI::Range(0U, 100U));
  app.add_flag("--no-sleep-sets", o->no_sleep_sets, "DFS without sleep-set reduction");
  app.add_option("--schedules-per-workload", o->schedules_per_workload,
                 "Random/PCT executions per drawn workload")
      ->transform(unsigned_decimal())
      ->check(CLI::Range(1U, 1000000U));
  app.add_option("--start-readers-after", o->start_readers_after,
                 "The readers start once the control path has ended this many steps")
      ->transform(unsigned_decimal())
      ->check(CLI::Range(0U, 100000000U));
  app.add_option("--out", o->out, "Directory for the failing trace")->check(non_empty());
  app.add_option("--workload", o->workload,
                 "Run this scenario or trace file's control steps instead of drawn workloads")
      ->check(non_empty());
  app.add_flag("--sequential", o->sequential, "The reader-free campaign of long sequences");
  app.add_flag("--strict", o->strict, "Sequential mode: fail on the known v2 findings too");
  app.add_flag("-q,--quiet", o->quiet, "No progress line and no rate");
  return [o, &app] {
    Given given;
    given.variant = app.count("--variant") > 0;
    given.executions = app.count("--executions") > 0;
    given.ops = app.count("--ops") > 0;
    given.progs = app.count("--progs") > 0;
    given.passes = app.count("--passes") > 0;
    return run_check(*o, given);
  };
}

}  // namespace mprogsim::tools
