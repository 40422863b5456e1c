// SPDX-License-Identifier: GPL-2.0
// "Say what decided" (issue 11 item 3): each step line shows the arguments that
// decide its result, `replay --explain` names the entry each reader pass loaded and
// the model's line behind every event.
#include "traces/explain.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "model/kernel_compat.h"
#include "model/variant_registry.h"
#include "scenario/scenario.h"
#include "scenario/scenario_runner.h"
#include "traces/trace.h"
#include "traces/trace_replay.h"

namespace mprogsim::sim {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> step_lines(const std::string& json) {
  const Scenario scenario = parse_scenarios(json).at(0);
  auto system = make_system(scenario.semantics, Mutant::kNone);
  std::vector<std::string> lines;
  for (const StepReport& step : run_scenario(scenario, *system).steps) lines.push_back(step.line);
  return lines;
}

TEST(StepLines, ShowEveryArgumentThatDecidesTheResult) {
  const auto lines = step_lines(R"({"semantics": "v2", "steps": [
    {"op": "load", "prog": "P1"}, {"op": "load", "prog": "P2"}, {"op": "load", "prog": "P3"},
    {"op": "load", "prog": "X", "type": "xdp"},
    {"op": "attach", "prog": "P1"},
    {"op": "attach", "prog": "P2", "flags": ["BEFORE"],
     "relative": {"kind": "prog", "name": "P1", "by": "id"}, "expected_revision": 2},
    {"op": "attach", "prog": "P3", "replace": "P2"},
    {"op": "link_attach", "link": "L1", "prog": "P2", "flags": ["AFTER"],
     "relative": {"kind": "prog", "raw": 4242, "by": "fd"}},
    {"op": "query", "buffer": 1},
    {"op": "query"},
    {"op": "detach", "prog": null, "flags": ["LAST"], "expected_revision": 9},
    {"op": "link_update", "link": "L1", "prog": "P1", "old_prog": "P2"}]})");
  ASSERT_EQ(lines.size(), 12U);
  EXPECT_EQ(lines[3], "step 4: load X type=xdp -> OK (fd 6, id 4)");
  EXPECT_EQ(lines[4], "step 5: attach P1 -> OK");
  EXPECT_EQ(lines[5],
            "step 6: attach P2 flags=BEFORE|ID relative=P1 by id expected_revision=2 -> OK");
  EXPECT_EQ(lines[6], "step 7: attach P3 flags=REPLACE replace=P2 -> OK");
  EXPECT_EQ(lines[7], "step 8: link_attach L1 P2 flags=AFTER relative=4242 by fd -> EBADF");
  // The buffer is what explains ENOSPC with count=2.
  EXPECT_EQ(lines[8].substr(0, 38), "step 9: query buffer=1 -> ENOSPC count");
  EXPECT_EQ(lines[9].substr(0, 24), "step 10: query -> OK cou");
  EXPECT_EQ(lines[10], "step 11: detach null flags=LAST expected_revision=9 -> ESTALE");
  EXPECT_EQ(lines[11], "step 12: link_update L1 P1 old_prog=P2 (flags=REPLACE) -> EBADF");
}

TEST(StepLines, ShowUpstreamsReplaceField) {
  const auto lines = step_lines(R"({"semantics": "upstream", "steps": [
    {"op": "load", "prog": "P1"}, {"op": "load", "prog": "P2"}, {"op": "load", "prog": "P3"},
    {"op": "attach", "prog": "P1"}, {"op": "attach", "prog": "P2"},
    {"op": "attach", "prog": "P3", "flags": ["BEFORE"], "replace": "P2",
     "relative": {"kind": "prog", "name": "P2", "by": "fd"}}]})");
  ASSERT_EQ(lines.size(), 6U);
  // (What upstream answers is not the point here: the arguments are.)
  EXPECT_EQ(lines[5].substr(0, lines[5].find(" -> ")),
            "step 6: attach P3 flags=REPLACE|BEFORE relative=P2 by fd replace=P2");
}

std::string explain_corpus(const std::string& name, ReplayResult* replay = nullptr) {
  const Trace trace = parse_trace(read_text(std::string(MPROGSIM_CORPUS_DIR) + "/" + name));
  ReplayResult r = replay_trace(trace, /*record_events=*/true, /*lenient=*/false);
  EXPECT_TRUE(r.reproduced) << r.difference;
  const std::string text = explain_events(r.execution.events);
  if (replay) *replay = std::move(r);
  return text;
}

TEST(Explain, NamesTheEntryEachReaderPassLoaded) {
  // The reader loads entry b, the control path rewrites b under it (commit-no-sync).
  const std::string text = explain_corpus("commit-no-sync.json");
  EXPECT_NE(text.find("R1   rcu_dereference dev->tcx_ingress -> bpf_mprog_bundle#1.b"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("R1   pass 1 saw [P2], walking entry b of bpf_mprog_bundle#1 (loaded at "
                      "schedule step 2)"),
            std::string::npos)
      << text;
  // A pass that loads twice (the reader-reloads-entry mutant) names both entries.
  const std::string reloads = explain_corpus("reader-reloads-entry.json");
  EXPECT_NE(reloads.find("walking entry b of bpf_mprog_bundle#1 (loaded at schedule step 3) then "
                         "entry a of bpf_mprog_bundle#1"),
            std::string::npos)
      << reloads;
  // Upstream's entries live in the tcx_entry.
  EXPECT_NE(explain_corpus("upstream-replace-mix.json")
                .find("pass 1 saw [P1 P4], walking entry a of tcx_entry#1"),
            std::string::npos);
}

// The line of `file` (from the source root) that holds `code`, counted from 1.
int line_of(const std::string& file, const std::string& code) {
  std::istringstream in(read_text(std::string(MPROGSIM_SOURCE_DIR) + "/" + file));
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    n++;
    if (line.find(code) != std::string::npos) return n;
  }
  return 0;
}

TEST(Explain, NamesTheMirrorLineOfEveryEvent) {
  ReplayResult r;
  const std::string text = explain_corpus("commit-no-sync.json", &r);
  std::size_t model_events = 0;
  for (const Event& e : r.execution.events) {
    switch (e.kind) {
      case EventKind::kAccess:
      case EventKind::kAlloc:
      case EventKind::kFree:
      case EventKind::kRcuLock:
      case EventKind::kRcuUnlock:
      case EventKind::kSyncStart:
      case EventKind::kSyncEnd:
      case EventKind::kCallRcu:
        model_events++;
        EXPECT_NE(source_text(e.source), "") << e.step << " " << e.text;
        break;
      default:
        EXPECT_EQ(source_text(e.source), "") << e.text;  // the simulator's own
    }
  }
  EXPECT_GT(model_events, 100U);
  // The publish and the reader's walk, at their lines in the mirror.
  const int publish = line_of("model/v2/tcx.cc", "rcu_assign_pointer(dev->tcx_ingress");
  const int deref = line_of("model/v2/tcx.cc", "entry = rcu_dereference(dev->tcx_ingress)");
  ASSERT_GT(publish, 0);
  ASSERT_GT(deref, 0);
  EXPECT_NE(text.find("mirror: model/v2/tcx.cc:" + std::to_string(publish) + " tcx_entry_update"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("mirror: model/v2/tcx.cc:" + std::to_string(deref) + " tcx_run"),
            std::string::npos)
      << text;
  // A reference count change made through bpf_prog_put names the mirror's call, not
  // the object table's.
  const int put = line_of("model/v2/bpf_mprog.h", "bpf_prog_put(entry->parent->ref)");
  ASSERT_GT(put, 0);
  EXPECT_NE(text.find("refcount dec bpf_prog P1"), std::string::npos);
  EXPECT_NE(text.find("mirror: model/v2/bpf_mprog.h:" + std::to_string(put) + " bpf_mprog_commit"),
            std::string::npos)
      << text;
  // The peer clear of the detach is one line, with its line in the mirror.
  EXPECT_NE(text.find("plain write bpf_mprog_bundle#1.b.fp_items[0..63] (64 schedule steps, to "),
            std::string::npos)
      << text;
}

TEST(Explain, SourcePathsAreFromTheSourceRoot) {
  EXPECT_EQ(source_path("/work/wt/explain/model/v2/bpf_mprog.cc"), "model/v2/bpf_mprog.cc");
  EXPECT_EQ(source_path("../../../model/upstream/tcx.cc"), "model/upstream/tcx.cc");
  // A checkout inside a folder named like one of ours.
  EXPECT_EQ(source_path("/home/sim/src/sim/execution.cc"), "sim/execution.cc");
  EXPECT_EQ(source_path("/home/model/x/model/bpf_objects.cc"), "model/bpf_objects.cc");
  EXPECT_EQ(source_path("elsewhere.cc"), "elsewhere.cc");
  EXPECT_EQ(source_text(SourceLoc{}), "");
}

}  // namespace
}  // namespace mprogsim::sim
