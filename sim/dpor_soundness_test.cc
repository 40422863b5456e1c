// SPDX-License-Identifier: GPL-2.0
// The reduced searches lose nothing. On small workloads (v2 and upstream, with and
// without mutants) the set of outcomes (every reader pass's list, every control
// step's result, every property verdict: sim/execution.h, outcome_of) reached by
// dpor equals the set reached by the unreduced exhaustive search (plain DFS: no
// preemption bound, no sleep sets), executions run to the end through violations.
// Scheduling points left out because no other thread could observe the access
// lose nothing either: dpor reaches the same set with every access a point. Where
// the unreduced search is too large (a mutant that rewrites an entry a reader is
// walking), the bounded plain search's outcomes must all be among dpor's. With the
// state cache, an execution that stops at a state explored before stands for every
// way the explored subtree below that state went on: its outcomes are composed
// from the prefix's observations and the suffixes recorded below that state.
#include <gtest/gtest.h>

#include <iostream>
#include <limits>
#include <map>
#include <set>

#include "model/variant_registry.h"
#include "scenario/scenario.h"
#include "sim/dfs_strategy.h"
#include "sim/dpor_strategy.h"
#include "sim/execution.h"

namespace mprogsim::sim {
namespace {

struct Explored {
  std::set<std::string> outcomes;
  std::uint64_t executions = 0;
  std::uint64_t violating = 0;  // executions with at least one violation
  bool exhausted = false;
};

// Outcomes of a search with the state cache: each state on an execution's path
// records the observations made after it (its suffixes); an execution stopped at a
// cached state takes every suffix recorded below that state.
class Composer {
 public:
  void add(const ExecutionResult& r, const DporStrategy& s, Explored* e) {
    std::set<std::vector<std::string>> tails{{}};
    if (const auto cut = s.cut_at()) {
      const auto it = suffixes_.find({cut->a, cut->b});
      tails = it == suffixes_.end() ? std::set<std::vector<std::string>>{} : it->second;
    }
    const auto& path = s.path_states();
    for (const auto& tail : tails) {
      e->outcomes.insert(joined(r.observed, 0, tail));
      for (std::size_t d = 1; d < path.size(); d++) {
        suffixes_[{path[d].a, path[d].b}].insert(sorted(r.observed, d, tail));
      }
    }
  }

 private:
  static std::vector<std::string> sorted(
      const std::vector<std::pair<std::uint64_t, std::string>>& observed, std::uint64_t from,
      const std::vector<std::string>& tail) {
    std::vector<std::string> out = tail;
    for (const auto& [step, text] : observed) {
      if (step >= from) out.push_back(text);
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  static std::string joined(const std::vector<std::pair<std::uint64_t, std::string>>& observed,
                            std::uint64_t from, const std::vector<std::string>& tail) {
    std::string out;
    for (const std::string& line : sorted(observed, from, tail)) out += line + "\n";
    return out;
  }
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::set<std::vector<std::string>>> suffixes_;
};

Explored explore(const Workload& w, Strategy& strategy, bool all_points = false) {
  const Reference ref = compute_reference(w);
  EXPECT_TRUE(ref.error.empty()) << ref.error;
  ExecutionOptions options;
  options.collect_outcome = true;
  options.all_points = all_points;
  Explored e;
  const auto* dpor = dynamic_cast<const DporStrategy*>(&strategy);
  Composer composer;
  for (std::uint64_t i = 0; i < 3'000'000 && strategy.begin_execution(i); i++) {
    const ExecutionResult r = run_execution(w, ref, strategy, options);
    if (dpor && dpor->state_cache() &&
        (r.status != ExecutionResult::Status::kAbandoned || dpor->cut_at())) {
      composer.add(r, *dpor, &e);
      if (!dpor->cut_at()) e.executions++;
      continue;
    }
    if (r.status == ExecutionResult::Status::kAbandoned) continue;
    EXPECT_TRUE(r.status == ExecutionResult::Status::kPassed ||
                r.status == ExecutionResult::Status::kViolation)
        << r.error;
    e.outcomes.insert(outcome_of(r));
    e.executions++;
    if (r.violation) e.violating++;
  }
  e.exhausted = strategy.exhausted();
  return e;
}

Workload workload(const std::string& steps, Semantics semantics, u32 readers, u32 passes,
                  Mutant mutant, u32 start_readers_after = 0) {
  const std::string text = std::string(R"({"name": "w", "semantics": ")") +
                           std::string(variant_info(semantics).name) + R"(", "steps": [)" + steps +
                           "]}";
  Workload w;
  w.scenario = parse_scenarios(text).at(0);
  w.readers = readers;
  w.passes = passes;
  w.mutant = mutant;
  w.start_readers_after = start_readers_after;
  return w;
}

// A swap of two programs under one reader: attach, attach before it, close the
// first one's fd, detach it by position (its last reference: freed after a grace
// period). v2 names the last program with LAST, upstream with AFTER and no relative.
const char* kSwap = R"({"op": "load", "prog": "P1"}, {"op": "load", "prog": "P2"},
    {"op": "attach", "prog": "P1"},
    {"op": "attach", "prog": "P2", "flags": ["BEFORE"], "relative": {"kind": "prog", "name": "P1", "by": "fd"}},
    {"op": "prog_close", "prog": "P1"}, {"op": "detach", "prog": null, "flags": ["LAST"]})";
const char* kUpstreamSwap = R"({"op": "load", "prog": "P1"}, {"op": "load", "prog": "P2"},
    {"op": "attach", "prog": "P1"},
    {"op": "attach", "prog": "P2", "flags": ["BEFORE"], "relative": {"kind": "prog", "name": "P1", "by": "fd"}},
    {"op": "prog_close", "prog": "P1"}, {"op": "detach", "prog": null, "flags": ["AFTER"]})";
// The qdisc holds the entry while the only program comes and goes.
const char* kQdisc =
    R"({"op": "load", "prog": "P1"}, {"op": "miniq_inc"}, {"op": "attach", "prog": "P1"},
    {"op": "prog_close", "prog": "P1"}, {"op": "detach", "prog": "P1"}, {"op": "miniq_dec"})";
// Upstream's in-place replaces (docs/semantics.md: the replace mix).
const char* kReplaceMix = R"({"op": "load", "prog": "P1"}, {"op": "load", "prog": "P2"},
    {"op": "load", "prog": "P3"}, {"op": "load", "prog": "P4"},
    {"op": "attach", "prog": "P1"}, {"op": "attach", "prog": "P2"},
    {"op": "attach", "prog": "P3", "replace": "P1"}, {"op": "attach", "prog": "P4", "replace": "P2"})";
// Two readers on a setup that is done before they start (as Spin's model does).
const char* kTwoReaders = R"({"op": "load", "prog": "P1"}, {"op": "load", "prog": "P2"},
    {"op": "attach", "prog": "P1"}, {"op": "attach", "prog": "P2"}, {"op": "prog_close", "prog": "P2"},
    {"op": "detach", "prog": null, "flags": ["LAST"]})";

struct Case {
  const char* name;
  Workload w;
  std::uint32_t bound = 3;  // bounded_cases: the plain search's preemption bound
};

std::vector<Case> exhaustive_cases() {
  const auto v2 = Semantics::kV2;
  const auto up = Semantics::kUpstream;
  return {
      {"v2 swap", workload(kSwap, v2, 1, 1, Mutant::kNone)},
      {"v2 swap 2 passes", workload(kSwap, v2, 1, 2, Mutant::kNone)},
      {"v2 swap reader-reloads-entry", workload(kSwap, v2, 1, 1, Mutant::kReaderReloadsEntry)},
      {"v2 swap del-puts-early", workload(kSwap, v2, 1, 1, Mutant::kDelPutsEarly)},
      {"v2 swap prog-put-frees-now", workload(kSwap, v2, 1, 1, Mutant::kProgPutFreesNow)},
      {"v2 qdisc", workload(kQdisc, v2, 1, 1, Mutant::kNone)},
      {"v2 qdisc free-bundle-now", workload(kQdisc, v2, 1, 1, Mutant::kFreeBundleNow)},
      {"upstream swap", workload(kUpstreamSwap, up, 1, 1, Mutant::kNone)},
      {"upstream swap reader-reloads-entry",
       workload(kUpstreamSwap, up, 1, 1, Mutant::kReaderReloadsEntry)},
      {"upstream swap prog-put-frees-now",
       workload(kUpstreamSwap, up, 1, 1, Mutant::kProgPutFreesNow)},
      {"upstream replace mix", workload(kReplaceMix, up, 1, 1, Mutant::kNone)},
      {"upstream replace mix commit-no-sync",
       workload(kReplaceMix, up, 1, 1, Mutant::kCommitNoSync)},
      {"upstream qdisc free-bundle-now", workload(kQdisc, up, 1, 1, Mutant::kFreeBundleNow)},
  };
}

constexpr std::uint32_t kUnbounded = std::numeric_limits<std::uint32_t>::max();

TEST(DporSoundness, SameOutcomesAsTheUnreducedSearch) {
  for (const Case& c : exhaustive_cases()) {
    DfsStrategy plain(kUnbounded, false);
    const Explored all = explore(c.w, plain);
    DporStrategy dpor(std::nullopt, false);
    const Explored reduced = explore(c.w, dpor);
    DporStrategy cached;
    const Explored stateful = explore(c.w, cached);
    ASSERT_TRUE(all.exhausted && reduced.exhausted && stateful.exhausted) << c.name;
    EXPECT_TRUE(dpor.complete() && cached.complete()) << c.name;
    EXPECT_EQ(reduced.outcomes, all.outcomes) << c.name;
    EXPECT_EQ(stateful.outcomes, all.outcomes) << c.name << " (state cache)";
    EXPECT_LE(reduced.executions, all.executions) << c.name;
    std::cout << c.name << ": " << all.outcomes.size() << " outcomes (" << all.violating
              << " violating executions); plain " << all.executions << " executions, dpor "
              << reduced.executions << " (+" << dpor.blocked() << " blocked), with the state cache "
              << stateful.executions << " (+" << cached.blocked() << " blocked, +"
              << cached.cached_cuts() << " stopped at a cached state)\n";
  }
}

// Mutants that rewrite an entry a reader is walking: every write is a point and
// the unreduced search is out of reach; the bounded one is a sample of it.
std::vector<Case> bounded_cases() {
  const auto v2 = Semantics::kV2;
  const auto up = Semantics::kUpstream;
  return {
      {"v2 swap commit-no-sync", workload(kSwap, v2, 1, 1, Mutant::kCommitNoSync)},
      {"v2 swap publish-before-written", workload(kSwap, v2, 1, 1, Mutant::kPublishBeforeWritten),
       2},
      {"v2 swap reader-unlocks-early", workload(kSwap, v2, 1, 1, Mutant::kReaderUnlocksEarly)},
      {"upstream swap commit-no-sync", workload(kUpstreamSwap, up, 1, 1, Mutant::kCommitNoSync)},
      {"v2 two readers", workload(kTwoReaders, v2, 2, 1, Mutant::kNone, 4), 2},
      {"v2 two readers commit-no-sync", workload(kTwoReaders, v2, 2, 1, Mutant::kCommitNoSync, 3),
       2},
  };
}

TEST(DporSoundness, EveryBoundedOutcomeIsReached) {
  for (const Case& c : bounded_cases()) {
    DfsStrategy bounded(c.bound, false);
    const Explored some = explore(c.w, bounded);
    DporStrategy dpor(std::nullopt, false);
    const Explored reduced = explore(c.w, dpor);
    DporStrategy cached;
    const Explored stateful = explore(c.w, cached);
    ASSERT_TRUE(some.exhausted && reduced.exhausted && stateful.exhausted) << c.name;
    if (c.w.mutant != Mutant::kNone) {
      EXPECT_GT(some.violating, 0U) << c.name << ": the bounded search should show the bug";
    }
    for (const std::string& o : some.outcomes) {
      EXPECT_TRUE(reduced.outcomes.count(o)) << c.name << ": dpor never reached\n" << o;
    }
    EXPECT_EQ(stateful.outcomes, reduced.outcomes) << c.name << " (state cache)";
    std::cout << c.name << ": plain, bound " << c.bound << ", " << some.executions
              << " executions, " << some.outcomes.size() << " outcomes; dpor " << reduced.executions
              << " executions, " << reduced.outcomes.size() << " outcomes\n";
  }
}

// Found by a search over drawn workloads: stopping at a cached state and doing
// nothing else (the naive stateful DPOR) loses an outcome here; the races the
// cached subtree would have had with the prefix, replayed at the cut, keep it.
TEST(DporSoundness, NaiveStateCachingLosesWhatTheCacheKeeps) {
  const Workload w = workload(R"({"op": "load", "prog": "P1"}, {"op": "load", "prog": "P2"},
      {"op": "query"}, {"op": "detach", "prog": "P1"}, {"op": "attach", "prog": "P1", "flags": ["FIRST"]},
      {"op": "attach", "prog": "P1", "flags": ["REPLACE"], "relative": {"kind": "prog", "name": "P2", "by": "id"}},
      {"op": "prog_close", "prog": "P1"}, {"op": "prog_close", "prog": "P2"},
      {"op": "detach", "prog": null, "flags": ["FIRST"]}, {"op": "detach", "prog": null, "flags": ["LAST"]})",
                              Semantics::kV2, 2, 1, Mutant::kReaderUnlocksEarly, 2);
  DporStrategy stateless(std::nullopt, false);
  const Explored all = explore(w, stateless);
  DporStrategy naive;
  naive.naive_cache_for_test();
  const Explored lossy = explore(w, naive);
  DporStrategy cached;
  const Explored stateful = explore(w, cached);
  ASSERT_TRUE(all.exhausted && lossy.exhausted && stateful.exhausted);
  EXPECT_NE(lossy.outcomes, all.outcomes) << "the naive cache should lose an outcome here";
  EXPECT_EQ(stateful.outcomes, all.outcomes);
  std::cout << "naive cache: " << lossy.outcomes.size() << " of " << all.outcomes.size()
            << " outcomes; the state cache: " << stateful.outcomes.size() << " ("
            << stateful.executions << " executions to the end, " << cached.cached_cuts()
            << " stopped at a cached state; " << all.executions << " without the cache)\n";
}

TEST(DporSoundness, PointsLeftOutLoseNothing) {
  std::vector<Case> cases = exhaustive_cases();
  for (Case& c : bounded_cases()) cases.push_back(std::move(c));
  for (const Case& c : cases) {
    DporStrategy elided(std::nullopt, false);
    const Explored fewer = explore(c.w, elided);
    DporStrategy every(std::nullopt, false);
    const Explored all = explore(c.w, every, true);
    ASSERT_TRUE(fewer.exhausted && all.exhausted) << c.name;
    EXPECT_EQ(fewer.outcomes, all.outcomes) << c.name;
  }
}

}  // namespace
}  // namespace mprogsim::sim
