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

// The four phases in order, what they met, and the summary of what they showed.
class Portfolio {
 public:
  explicit Portfolio(const PortfolioOptions& options)
      : o_(options), started_(std::chrono::steady_clock::now()) {}

  int run() {
    std::cout << "SEED=" << o_.seed << " variant=" << o_.variant << " mutant=" << o_.mutant_name
              << " portfolio: small scope (enumerated, exhaustive), random, pct, sequential"
              << " allow-finding=" << o_.allowed.describe();
    if (o_.time_budget_s > 0) std::cout << " time-budget=" << o_.time_budget_s << "s";
    std::cout << "\n";
    if (const auto code = small_scope()) return *code;
    for (int k = 0; k < 2; k++) {
      if (const auto code = drawn(k)) return *code;
    }
    if (const auto code = sequential()) return *code;
    return summary();
  }

 private:
  double elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  }

  // The share of the time budget phase `i` (0-based) may use, from what is left.
  double share(int i) const {
    if (o_.time_budget_s <= 0) return 0;
    double rest = 0;
    for (int k = i; k < 4; k++) rest += kWeights[k];
    const double left = o_.time_budget_s - elapsed();
    return std::max(0.01, left * kWeights[i] / rest);
  }

  // A phase's exit: 2 and 130 end the portfolio, 1 ends it with --stop-at-first.
  bool ends(int code) {
    if (code == 1) worst_ = 1;
    return code == 2 || code == 130 || (code == 1 && o_.control.stop_at_first);
  }

  void note(const std::vector<FindingReport>& met) {
    for (const FindingReport& f : met) {
      if (std::find(findings_.begin(), findings_.end(), f.name) == findings_.end()) {
        findings_.push_back(f.name);
      }
    }
  }

  // Phase 1: every enumerated small workload, every interleaving (dpor). The exit
  // code when it ends the portfolio.
  std::optional<int> small_scope() {
    const SmallScope scope;
    e_.semantics = o_.semantics;
    e_.mutant = o_.mutant;
    e_.progs = scope.progs;
    e_.ops = scope.prefix_ops + scope.raced;
    e_.start_readers_after = scope.progs + scope.prefix_ops;
    e_.readers = scope.readers;
    e_.passes = scope.passes;
    std::string error;
    e_.alphabet = *sim::parse_alphabet("", o_.semantics, &error);
    enumeration_ = std::make_shared<const sim::Enumeration>(e_);
    std::cout << "-- phase 1 of 4: small scope, exhaustive: "
              << describe_scope(*enumeration_, e_, enumeration_->max_raced()) << "\n";
    SimCheckOptions small = phase_options("small-scope");
    small.enumeration = enumeration_;
    small.enumeration_text = "ops=" + std::to_string(e_.ops) + " progs=" + std::to_string(e_.progs);
    small.campaign.strategy.kind = "dpor";
    small.campaign.shape.readers = e_.readers;
    small.campaign.shape.passes = e_.passes;
    small.campaign.shape.start_readers_after = e_.start_readers_after;
    small.campaign.executions = 1'000'000'000;
    small.campaign.time_budget_s = share(0);
    small.campaign.source = [enumeration = enumeration_,
                             next = std::uint64_t{0}]() mutable -> std::optional<sim::Workload> {
      if (next >= enumeration->size()) return std::nullopt;
      return enumeration->at(next++);
    };
    if (ends(run_sim_check(small, &small_out_))) return small_out_.exit;
    note(small_out_.findings);
    // The deepest level every workload of which was explored to its end.
    // (dpor: none if it met races it could not reverse; it cannot say where.)
    for (u32 raced = 0; raced <= enumeration_->max_raced(); raced++) {
      if (enumeration_->level_end(raced) <= small_out_.result.first_unfinished_workload &&
          small_out_.result.dpor_anomalies == 0) {
        proved_ = raced;
      }
    }
    return std::nullopt;
  }

  // What every simulator phase shares.
  SimCheckOptions phase_options(const char* phase) const {
    SimCheckOptions s;
    s.header = false;
    s.variant = o_.variant;
    s.mutant = o_.mutant_name;
    s.out = o_.out;
    s.quiet = o_.quiet;
    s.campaign.strategy.seed = o_.seed;
    s.campaign.shape.mutant = o_.mutant;
    s.campaign.shape.semantics = o_.semantics;
    s.campaign.allowed_findings = o_.allowed;
    s.phase = phase;
    s.control = o_.control;
    return s;
  }

  // Phases 2 and 3 (k = 0, 1): random and PCT on drawn workloads.
  std::optional<int> drawn(int k) {
    const char* kinds[2] = {"random", "pct"};
    const std::uint64_t amounts[2] = {kRandomExecutions, kPctExecutions};
    std::cout << "-- phase " << k + 2 << " of 4: " << kinds[k]
              << ", sampled: drawn workloads of 3 loads + 8 operations, 2 readers x 3 passes\n";
    SimCheckOptions s = phase_options(kinds[k]);
    s.campaign.strategy.kind = kinds[k];
    s.campaign.executions = o_.time_budget_s > 0 ? 1'000'000'000 : amounts[k];
    s.campaign.time_budget_s = share(k + 1);
    SimCheckOutcome out;
    if (ends(run_sim_check(s, &out))) return out.exit;
    note(out.findings);
    drawn_[k] = out.result;
    return std::nullopt;
  }

  // Phase 4: long reader-free sequences (skipped for a mutant that needs readers).
  std::optional<int> sequential() {
    std::cout << "-- phase 4 of 4: sequential, sampled: reader-free sequences of 40 operations, "
                 "model against spec and invariants after every step\n";
    if (mutant_info(o_.mutant).concurrent) {
      std::cout << "skipped: mutant " << o_.mutant_name << " shows only with datapath readers\n";
      if (o_.control.results) {
        PhaseResult skipped;
        skipped.name = "sequential";
        skipped.strategy = "sequential";
        skipped.skipped = true;
        o_.control.results->phases.push_back(skipped);
      }
      return std::nullopt;
    }
    SequentialCheckOptions q;
    q.header = false;
    q.seed = o_.seed;
    q.executions = o_.time_budget_s > 0 ? 1'000'000'000 : kSequences;
    q.time_budget_s = share(3);
    q.mutant = o_.mutant;
    q.semantics = o_.semantics;
    q.out = o_.out;
    q.allowed = o_.allowed;
    q.control = o_.control;
    if (ends(run_sequential_check(q, &seq_))) return seq_.exit;
    note(seq_.findings);
    return std::nullopt;
  }

  // What the small scope proved, or why it proved nothing.
  void print_proved() const {
    if (o_.control.shard_count > 1) {
      std::cout
          << "proved: nothing by this shard alone (shard " << o_.control.shard_index + 1 << "/"
          << o_.control.shard_count << " ran " << small_out_.result.workloads_exhausted
          << " of the small scope's workloads to the end; merge the shards' --json summaries)\n";
    } else if (proved_) {
      std::cout << "proved: " << describe_scope(*enumeration_, e_, *proved_) << ": no violation\n";
    } else {
      std::cout << "proved: nothing ("
                << (small_out_.result.dpor_anomalies
                        ? "dpor met races it could not reverse"
                        : "phase 1 ended before it completed the workloads without raced "
                          "operations")
                << ")\n";
    }
    if (o_.control.shard_count == 1 && (!proved_ || *proved_ < enumeration_->max_raced())) {
      const u32 next = proved_ ? *proved_ + 1 : 0;
      const std::uint64_t below = proved_ ? enumeration_->level_end(*proved_) : 0;
      std::cout << "partly explored: " << small_out_.result.workloads_exhausted - below
                << " of the " << enumeration_->level_end(enumeration_->max_raced()) - below
                << " workloads with " << plural(next, "raced operation", "raced operations")
                << " or more explored to the end ("
                << (small_out_.result.violations.empty() ? "phase 1's time share ran out"
                                                         : "a violation ends a workload's tree")
                << ")\n";
    }
  }

  int summary() const {
    std::cout << "== portfolio summary\n";
    print_proved();
    std::cout << "sampled: " << drawn_[0].executions << " random and " << drawn_[1].executions
              << " PCT executions of drawn workloads (3 loads + 8 operations, 2 readers x 3 "
                 "passes); "
              << seq_.sequences << " reader-free sequences of 40 operations\n";
    std::cout << "known findings met (allowed):";
    if (findings_.empty()) std::cout << " none";
    for (const std::string& f : findings_) std::cout << " " << f;
    if (worst_) {
      std::cout << "\nVIOLATIONS: see each phase above (every violation group with its trace)\n";
      return 1;
    }
    std::cout << "\nno violation in any phase\n";
    return 0;
  }

  const PortfolioOptions& o_;
  const std::chrono::steady_clock::time_point started_;
  std::vector<std::string> findings_;  // names met, in order
  int worst_ = 0;                      // 1 once a phase found a violation
  sim::EnumerateOptions e_;
  std::shared_ptr<const sim::Enumeration> enumeration_;
  SimCheckOutcome small_out_;
  std::optional<u32> proved_;
  sim::CampaignResult drawn_[2];
  SequentialOutcome seq_;
};

}  // namespace

int run_portfolio(const PortfolioOptions& o) { return Portfolio(o).run(); }

}  // namespace mprogsim::tools
