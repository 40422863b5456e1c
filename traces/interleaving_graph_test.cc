// SPDX-License-Identifier: GPL-2.0
// The interleaving graph of a corpus trace: one lane per thread, the RCU and
// data edges that explain the bug, the violation in red, long runs collapsed,
// and the same bytes every time.
#include "traces/interleaving_graph.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "traces/trace_replay.h"

namespace mprogsim::sim {
namespace {

std::string dot_of(const std::string& corpus_name) {
  std::ifstream in(std::string(MPROGSIM_CORPUS_DIR) + "/" + corpus_name + ".json",
                   std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  const ReplayResult r = replay_trace(parse_trace(text.str()), true);
  EXPECT_TRUE(r.reproduced) << r.difference;
  return interleaving_dot(r.execution, {"title"});
}

bool has(const std::string& dot, const std::string& what) {
  return dot.find(what) != std::string::npos;
}

TEST(InterleavingGraph, ATornSnapshot) {
  const std::string dot = dot_of("commit-no-sync");
  EXPECT_TRUE(has(dot, "digraph G {"));
  EXPECT_TRUE(has(dot, "subgraph cluster_0 {\nlabel=\"C\""));
  EXPECT_TRUE(has(dot, "subgraph cluster_1 {\nlabel=\"R1\""));
  EXPECT_TRUE(has(dot, "label=\"publish -> load\""));
  EXPECT_TRUE(has(dot, "label=\"written during the pass\""));
  EXPECT_TRUE(has(dot, "VIOLATION snapshot"));
  EXPECT_TRUE(has(dot, "64 plain writes to\\nbundle#1.b.fp_items[0..63]"));
  EXPECT_TRUE(has(dot, "color=red"));
  EXPECT_FALSE(has(dot, "0x"));  // names, never addresses
  EXPECT_EQ(dot, dot_of("commit-no-sync"));
}

TEST(InterleavingGraph, AUseAfterFreeThroughAnRcuCallback) {
  const std::string dot = dot_of("del-puts-early");
  EXPECT_TRUE(has(dot, "label=\"rcu\""));
  EXPECT_TRUE(has(dot, "label=\"call_rcu -> callback\""));
  EXPECT_TRUE(has(dot, "label=\"freed\""));
  EXPECT_TRUE(has(dot, "VIOLATION use-after-free"));
}

TEST(InterleavingGraph, AGracePeriodOnTheCorrectModel) {
  const std::string dot = dot_of("correct-on-commit-no-sync");
  EXPECT_TRUE(has(dot, "label=\"grace period\""));
  EXPECT_FALSE(has(dot, "VIOLATION"));
}

}  // namespace
}  // namespace mprogsim::sim
