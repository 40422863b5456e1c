// SPDX-License-Identifier: GPL-2.0
// The default campaign of `mprogsim check`: a portfolio of four phases, each one
// covering what the others cannot.
//
//   1. small scope, complete: every operation sequence of the enumerated alphabet
//      (sim/enumerate.h) up to a small bound, each workload's interleavings explored
//      exhaustively. What it proves is stated as a bound.
//   2. random scheduling of larger drawn workloads (more operations, readers and
//      passes than phase 1 can afford): sampled.
//   3. PCT on the same kind of workloads: sampled, with a probabilistic guarantee
//      per bug depth.
//   4. long reader-free sequences (check --sequential): 63 programs, revision
//      wrap-around, every flag mix; sampled.
//
// Every phase runs even after a violation (each phase reports every violation group
// it met, exit 1 at the end); --stop-at-first ends the portfolio at the first one. A
// SIGINT ends it with the summary so far (exit 130). Without a time budget every phase
// does a fixed amount of work, so the output is a pure function of the options;
// with one, each phase gets a share of what is left (weights below) and stops when
// it is spent or done, and a phase that ends early leaves its time to the next.
#include <chrono>
#include <iostream>
#include <sstream>

#include "tools/check_options.h"

namespace mprogsim::tools {
namespace {

// Phase 1's scope: `progs` loads, a reader-free prefix of at most `prefix_ops`
// operations (every state it reaches, merged), then at most `raced` operations that
// race `readers` readers making one pass each. The prefix holds the setup a race
// needs (two programs attached, a link, a qdisc hold) without paying for readers
// during it; the raced operations are where the shortest known counterexamples live:
// two updates racing one pass (the upstream replace mix, commit-no-sync), a release
// racing a pass (free-bundle-now, del-puts-early).
struct SmallScope {
  u32 progs = 3;
  u32 prefix_ops = 2;
  u32 raced = 2;
  u32 readers = 1;
  u32 passes = 1;
};

// Phases 2 and 3: the drawn workloads of `check --strategy random` (3 loads + 8
// operations, 2 readers x 3 passes).
constexpr std::uint64_t kRandomExecutions = 100'000;
constexpr std::uint64_t kPctExecutions = 50'000;
constexpr std::uint64_t kSequences = 2'000;  // phase 4: 40 operations each

// Time-budget weights: phase i gets remaining * weight_i / (sum of weights i..4).
// Phase 1's scope is fixed (it completes in a few seconds), so in practice phases 2
// to 4 share what it leaves, 3 : 1.5 : 2.
constexpr double kWeights[4] = {4, 3, 1.5, 2};

std::string plural(std::uint64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// "3 loads, a reader-free prefix ... (N workloads), over {...}; every interleaving ...".
std::string describe_scope(const sim::Enumeration& e, const sim::EnumerateOptions& o, u32 raced) {
  std::ostringstream out;
  out << o.progs << " loads, a reader-free prefix of at most "
      << plural(e.prefix_ops(), "operation", "operations") << " (" << e.prefix_states()
      << " distinct states), then every sequence of at most "
      << plural(raced, "operation", "operations") << " racing " << o.readers << " reader x "
      << o.passes << " pass (" << plural(e.level_end(raced), "workload", "workloads")
      << "), over {";
  for (std::size_t i = 0; i < o.alphabet.size(); i++) out << (i ? "," : "") << o.alphabet[i];
  out << "}; every interleaving up to equivalence (dpor)";
  return out.str();
}

}  // namespace

int run_portfolio(const PortfolioOptions& o) {
  const auto started = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  // The share of the time budget phase `i` (0-based) may use, from what is left.
  auto share = [&](int i) -> double {
    if (o.time_budget_s <= 0) return 0;
    double rest = 0;
    for (int k = i; k < 4; k++) rest += kWeights[k];
    const double left = o.time_budget_s - elapsed();
    return std::max(0.01, left * kWeights[i] / rest);
  };
  std::cout << "SEED=" << o.seed << " variant=" << o.variant << " mutant=" << o.mutant_name
            << " portfolio: small scope (enumerated, exhaustive), random, pct, sequential"
            << " allow-finding=" << o.allowed.describe();
  if (o.time_budget_s > 0) std::cout << " time-budget=" << o.time_budget_s << "s";
  std::cout << "\n";

  std::vector<std::string> findings;  // names met, in order
  int worst = 0;                      // 1 once a phase found a violation
  // A phase's exit: 2 and 130 end the portfolio, 1 ends it with --stop-at-first.
  auto ends = [&](int code) {
    if (code == 1) worst = 1;
    return code == 2 || code == 130 || (code == 1 && o.control.stop_at_first);
  };
  auto note = [&findings](const std::vector<FindingReport>& met) {
    for (const FindingReport& f : met) {
      if (std::find(findings.begin(), findings.end(), f.name) == findings.end()) {
        findings.push_back(f.name);
      }
    }
  };

  // ---- 1. small scope ----
  const SmallScope scope;
  sim::EnumerateOptions e;
  e.semantics = o.semantics;
  e.mutant = o.mutant;
  e.progs = scope.progs;
  e.ops = scope.prefix_ops + scope.raced;
  e.start_readers_after = scope.progs + scope.prefix_ops;
  e.readers = scope.readers;
  e.passes = scope.passes;
  std::string error;
  e.alphabet = *sim::parse_alphabet("", o.semantics, &error);
  auto enumeration = std::make_shared<const sim::Enumeration>(e);
  std::cout << "-- phase 1 of 4: small scope, exhaustive: "
            << describe_scope(*enumeration, e, enumeration->max_raced()) << "\n";
  SimCheckOptions small;
  small.header = false;
  small.variant = o.variant;
  small.mutant = o.mutant_name;
  small.out = o.out;
  small.quiet = o.quiet;
  small.enumeration = enumeration;
  small.enumeration_text = "ops=" + std::to_string(e.ops) + " progs=" + std::to_string(e.progs);
  small.campaign.strategy.kind = "dpor";
  small.campaign.strategy.seed = o.seed;
  small.campaign.shape.readers = e.readers;
  small.campaign.shape.passes = e.passes;
  small.campaign.shape.start_readers_after = e.start_readers_after;
  small.campaign.shape.mutant = o.mutant;
  small.campaign.shape.semantics = o.semantics;
  small.campaign.executions = 1'000'000'000;
  small.campaign.time_budget_s = share(0);
  small.campaign.allowed_findings = o.allowed;
  small.phase = "small-scope";
  small.control = o.control;
  small.campaign.source = [enumeration,
                           next = std::uint64_t{0}]() mutable -> std::optional<sim::Workload> {
    if (next >= enumeration->size()) return std::nullopt;
    return enumeration->at(next++);
  };
  SimCheckOutcome small_out;
  if (ends(run_sim_check(small, &small_out))) return small_out.exit;
  note(small_out.findings);
  // The deepest level every workload of which was explored to its end.
  // (dpor: none if it met races it could not reverse; it cannot say where.)
  std::optional<u32> proved;
  for (u32 raced = 0; raced <= enumeration->max_raced(); raced++) {
    if (enumeration->level_end(raced) <= small_out.result.first_unfinished_workload &&
        small_out.result.dpor_anomalies == 0) {
      proved = raced;
    }
  }

  // ---- 2, 3. random and PCT on drawn workloads ----
  sim::CampaignResult drawn[2];
  const char* kinds[2] = {"random", "pct"};
  const std::uint64_t amounts[2] = {kRandomExecutions, kPctExecutions};
  for (int k = 0; k < 2; k++) {
    std::cout << "-- phase " << k + 2 << " of 4: " << kinds[k]
              << ", sampled: drawn workloads of 3 loads + 8 operations, 2 readers x 3 passes\n";
    SimCheckOptions s;
    s.header = false;
    s.variant = o.variant;
    s.mutant = o.mutant_name;
    s.out = o.out;
    s.quiet = o.quiet;
    s.campaign.strategy.kind = kinds[k];
    s.campaign.strategy.seed = o.seed;
    s.campaign.shape.mutant = o.mutant;
    s.campaign.shape.semantics = o.semantics;
    s.campaign.executions = o.time_budget_s > 0 ? 1'000'000'000 : amounts[k];
    s.campaign.time_budget_s = share(k + 1);
    s.campaign.allowed_findings = o.allowed;
    s.phase = kinds[k];
    s.control = o.control;
    SimCheckOutcome out;
    if (ends(run_sim_check(s, &out))) return out.exit;
    note(out.findings);
    drawn[k] = out.result;
  }

  // ---- 4. long reader-free sequences ----
  std::cout << "-- phase 4 of 4: sequential, sampled: reader-free sequences of 40 operations, "
               "model against spec and invariants after every step\n";
  SequentialOutcome seq;
  if (mutant_info(o.mutant).concurrent) {
    std::cout << "skipped: mutant " << o.mutant_name << " shows only with datapath readers\n";
    if (o.control.results) {
      PhaseResult skipped;
      skipped.name = "sequential";
      skipped.strategy = "sequential";
      skipped.skipped = true;
      o.control.results->phases.push_back(skipped);
    }
  } else {
    SequentialCheckOptions q;
    q.header = false;
    q.seed = o.seed;
    q.executions = o.time_budget_s > 0 ? 1'000'000'000 : kSequences;
    q.time_budget_s = share(3);
    q.mutant = o.mutant;
    q.semantics = o.semantics;
    q.out = o.out;
    q.allowed = o.allowed;
    q.control = o.control;
    if (ends(run_sequential_check(q, &seq))) return seq.exit;
    note(seq.findings);
  }

  // ---- what the portfolio showed ----
  std::cout << "== portfolio summary\n";
  if (o.control.shard_count > 1) {
    std::cout
        << "proved: nothing by this shard alone (shard " << o.control.shard_index + 1 << "/"
        << o.control.shard_count << " ran " << small_out.result.workloads_exhausted
        << " of the small scope's workloads to the end; merge the shards' --json summaries)\n";
  } else if (proved) {
    std::cout << "proved: " << describe_scope(*enumeration, e, *proved) << ": no violation\n";
  } else {
    std::cout << "proved: nothing ("
              << (small_out.result.dpor_anomalies
                      ? "dpor met races it could not reverse"
                      : "phase 1 ended before it completed the workloads without raced "
                        "operations")
              << ")\n";
  }
  if (o.control.shard_count == 1 && (!proved || *proved < enumeration->max_raced())) {
    const u32 next = proved ? *proved + 1 : 0;
    const std::uint64_t below = proved ? enumeration->level_end(*proved) : 0;
    std::cout << "partly explored: " << small_out.result.workloads_exhausted - below << " of the "
              << enumeration->level_end(enumeration->max_raced()) - below << " workloads with "
              << plural(next, "raced operation", "raced operations")
              << " or more explored to the end ("
              << (small_out.result.violations.empty() ? "phase 1's time share ran out"
                                                      : "a violation ends a workload's tree")
              << ")\n";
  }
  std::cout << "sampled: " << drawn[0].executions << " random and " << drawn[1].executions
            << " PCT executions of drawn workloads (3 loads + 8 operations, 2 readers x 3 "
               "passes); "
            << seq.sequences << " reader-free sequences of 40 operations\n";
  std::cout << "known findings met (allowed):";
  if (findings.empty()) std::cout << " none";
  for (const std::string& f : findings) std::cout << " " << f;
  if (worst) {
    std::cout << "\nVIOLATIONS: see each phase above (every violation group with its trace)\n";
    return 1;
  }
  std::cout << "\nno violation in any phase\n";
  return 0;
}

}  // namespace mprogsim::tools
