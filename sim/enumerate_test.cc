// SPDX-License-Identifier: GPL-2.0
// Enumerated workloads: the alphabet's names, the counts of small enumerations worked
// out by hand (symmetry among fresh programs, prefixes merged by state, raced
// operations never merged), the breadth-first order, and that every workload is a
// valid scenario that passes on the spec, with the readers starting after its prefix.
#include "sim/enumerate.h"

#include <gtest/gtest.h>

#include <set>

#include "scenario/scenario_runner.h"
#include "sim/campaign.h"

namespace mprogsim::sim {
namespace {

TEST(Alphabet, DefaultsAndErrors) {
  std::string error;
  const auto v2 = parse_alphabet("", Semantics::kV2, &error);
  const auto up = parse_alphabet("", Semantics::kUpstream, &error);
  ASSERT_TRUE(v2 && up);
  auto has = [](const std::vector<std::string>& a, const char* name) {
    return std::find(a.begin(), a.end(), name) != a.end();
  };
  EXPECT_TRUE(has(*v2, "attach-first"));
  EXPECT_FALSE(has(*up, "attach-first"));
  EXPECT_FALSE(has(*v2, "query")) << "reads only: not in the default alphabet";
  EXPECT_EQ(v2->size(), up->size() + 2);
  EXPECT_EQ(*parse_alphabet("replace,attach,replace", Semantics::kUpstream, &error),
            (std::vector<std::string>{"replace", "attach"}));
  EXPECT_FALSE(parse_alphabet("attach,teleport", Semantics::kV2, &error));
  EXPECT_NE(error.find("unknown alphabet letter 'teleport'"), std::string::npos) << error;
  EXPECT_FALSE(parse_alphabet("attach-last", Semantics::kUpstream, &error));
  EXPECT_NE(error.find("only in v2"), std::string::npos) << error;
  EXPECT_FALSE(parse_alphabet("attach,", Semantics::kV2, &error)) << "an empty item";
}

EnumerateOptions options(Semantics semantics, const char* alphabet, u32 progs, u32 ops,
                         u32 start_readers_after = 0) {
  EnumerateOptions o;
  o.semantics = semantics;
  std::string error;
  o.alphabet = *parse_alphabet(alphabet, semantics, &error);
  o.progs = progs;
  o.ops = ops;
  o.start_readers_after = start_readers_after;
  return o;
}

TEST(Enumeration, FreshProgramsAreInterchangeable) {
  // Only "attach": P1 first (P2, P3 are like it), then P2, then P3.
  const Enumeration e(options(Semantics::kV2, "attach", 3, 3));
  ASSERT_EQ(e.size(), 4U);
  EXPECT_EQ(e.describe(3), "| attach P1; attach P2; attach P3;");
  EXPECT_EQ(e.level_end(0), 1U);
  EXPECT_EQ(e.level_end(3), 4U);
}

TEST(Enumeration, CountsWorkedOutByHand) {
  // attach and detach, 2 programs, at most 2 operations, readers from the start:
  // [] ; [a1] ; [a1 a2] [a1 d1]: 4 (detach needs an attached program; after a1 the
  // attachable programs are P2 only, P1 being attached).
  const Enumeration e(options(Semantics::kUpstream, "attach,detach", 2, 2));
  EXPECT_EQ(e.size(), 4U);
  EXPECT_EQ(e.prefix_states(), 1U);
  // prog-close: both fresh programs are alike, so closing offers P1 only at first.
  const Enumeration c(options(Semantics::kUpstream, "prog-close", 2, 2));
  EXPECT_EQ(c.size(), 3U);  // [] [close P1] [close P1, close P2]
}

TEST(Enumeration, PrefixesMergeByStateAndRacedOperationsDoNot) {
  // miniq-inc/dec before the readers: inc;dec returns to the start state (no entry,
  // no hold) and merges with it; inc;inc and inc are new. Prefix states: {}, {1
  // hold}, {2 holds}. Then one raced operation from each (at most 2 holds).
  const Enumeration e(options(Semantics::kUpstream, "miniq-inc,miniq-dec", 1, 3, 1 + 2));
  EXPECT_EQ(e.prefix_states(), 3U);
  EXPECT_EQ(e.prefix_ops(), 2U);
  // Workloads: 3 prefixes with no raced op, then raced: {} -> inc; {1} -> inc, dec;
  // {2} -> dec.
  EXPECT_EQ(e.size(), 3U + 4U);
  for (std::uint64_t i = 0; i < e.size(); i++) {
    const Workload w = e.at(i);
    // The readers start right after the merged prefix (loads included).
    EXPECT_GE(w.start_readers_after, 1U);
    EXPECT_LE(w.start_readers_after, 3U);
  }
}

// Every letter the variant has.
std::string all_letters(Semantics semantics) {
  std::string out;
  for (const AlphabetLetter& l : alphabet_letters()) {
    if (l.first_last && !variant_info(semantics).first_last) continue;
    out += (out.empty() ? "" : ",") + std::string(l.name);
  }
  return out;
}

TEST(Enumeration, EveryWorkloadIsAValidScenarioThatPassesOnTheSpec) {
  for (const auto& [semantics, alphabet, ops] :
       {std::tuple{Semantics::kV2, std::string(), 3U},
        std::tuple{Semantics::kUpstream, std::string(), 3U},
        std::tuple{Semantics::kV2, all_letters(Semantics::kV2), 2U},
        std::tuple{Semantics::kUpstream, all_letters(Semantics::kUpstream), 2U}}) {
    const Enumeration e(options(semantics, alphabet.c_str(), 3, ops, 3 + 1));
    ASSERT_GT(e.size(), 100U);
    std::set<std::string> distinct;
    std::uint32_t last_raced = 0;
    for (std::uint64_t i = 0; i < e.size(); i++) {
      const Workload w = e.at(i);
      Scenario steps_only = w.scenario;
      steps_only.name.clear();
      const std::string key = write_scenario(steps_only) + std::to_string(w.start_readers_after);
      EXPECT_TRUE(distinct.insert(key).second) << e.describe(i);
      auto spec = make_spec(semantics);
      const ScenarioReport report = run_scenario(w.scenario, *spec);
      EXPECT_EQ(report.failed, 0U) << e.describe(i);
      // Breadth-first: fewer raced operations first.
      const auto raced =
          static_cast<std::uint32_t>(w.scenario.steps.size() - w.start_readers_after);
      EXPECT_GE(raced, last_raced) << e.describe(i);
      last_raced = raced;
      EXPECT_LT(i, e.level_end(raced));
    }
  }
}

TEST(Enumeration, ATooLargeOneIsRefused) {
  EnumerateOptions o = options(Semantics::kV2, "", 3, 3);
  o.max_workloads = 100;
  EXPECT_THROW(Enumeration{o}, std::length_error);
  o.max_workloads = 1'000'000;
  EXPECT_NO_THROW(Enumeration{o});
}

TEST(Enumeration, TheCampaignRunsTheSeriesToItsEnd) {
  EnumerateOptions o = options(Semantics::kUpstream, "attach,replace", 3, 2);
  auto e = std::make_shared<const Enumeration>(o);
  CampaignOptions c;
  c.strategy.kind = "dfs";
  c.strategy.preemption_bound = 1;
  c.source = [e, next = std::uint64_t{0}]() mutable -> std::optional<Workload> {
    if (next >= e->size()) return std::nullopt;
    return e->at(next++);
  };
  const CampaignResult r = run_campaign(c);
  EXPECT_FALSE(r.failure);
  EXPECT_TRUE(r.source_exhausted);
  EXPECT_EQ(r.workloads, e->size());
  EXPECT_EQ(r.workloads_exhausted, e->size());
}

}  // namespace
}  // namespace mprogsim::sim
