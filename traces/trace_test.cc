// SPDX-License-Identifier: GPL-2.0
// The trace reader is as strict as the scenario reader and says where; the writer
// round-trips; every corpus trace is already in the writer's form, byte for byte, and
// records the outcome its replay shows today.
#include "traces/trace.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "traces/trace_replay.h"

namespace mprogsim {
namespace {

std::string error_of(const std::string& text) {
  try {
    (void)parse_trace(text);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

// A trace header around `rest` (which starts with a comma).
std::string trace_with(const std::string& rest) {
  return R"({"format":"mprogsim-trace","version":1,"semantics":"v2","readers":2,"passes":1,)"
         R"("steps":[{"op":"load","prog":"P1"}])" +
         rest + "}";
}

TEST(TraceTest, WriterRoundTripsEveryField) {
  Trace t;
  t.scenario = parse_scenarios(R"({"name":"n","semantics":"v2","initial_revision":4294967295,
      "steps":[{"op":"load","prog":"P1"},{"op":"attach","prog":"P1","expect":"OK"}]})")[0];
  t.mutant = "commit-no-sync";
  t.readers = 2;
  t.passes = 3;
  t.start_readers_after = 1;
  t.origin = TraceOrigin{"pct", 7, 3, 0, 41};
  t.schedule = {0, 0, 1, 2, 2, sim::kRcuThread, 0};
  t.outcome =
      TraceOutcome{true, "snapshot", 6, "R2", "R2 pass 1 saw []", {{"saw", "[]"}, {"pass", "1"}}};
  const std::string text = write_trace(t);
  EXPECT_EQ(write_trace(parse_trace(text)), text);
  const Trace back = parse_trace(text);
  EXPECT_EQ(back.schedule, t.schedule);
  EXPECT_EQ(back.origin->pct_depth, 3U);
  EXPECT_EQ(back.start_readers_after, 1U);
  EXPECT_EQ(back.outcome->evidence, t.outcome->evidence);
  EXPECT_EQ(schedule_text(back.schedule), "C*2 R1 R2*2 rcu C");
  EXPECT_TRUE(looks_like_trace(text));
}

TEST(TraceTest, AScenarioFileIsNotATrace) {
  EXPECT_FALSE(looks_like_trace(R"({"semantics":"v2","steps":[]})"));
  EXPECT_FALSE(looks_like_trace("{"));
  EXPECT_NE(error_of(R"({"semantics":"v2","steps":[]})").find("$: missing field 'format'"),
            std::string::npos);
}

TEST(TraceTest, RejectsWithAPath) {
  EXPECT_NE(error_of("{").find("malformed JSON"), std::string::npos);
  // Found by fuzz/trace_reader_fuzz.cc: a number too large for a double is not a
  // parse_error but an out_of_range, and used to escape as an uncaught exception.
  EXPECT_NE(error_of(R"({"format":"mprogsim-trace","version":1E400})").find("malformed JSON"),
            std::string::npos);
  EXPECT_FALSE(looks_like_trace(R"({"format":1E400})"));
  EXPECT_THROW((void)parse_scenarios(R"({"semantics":"v2","steps":[],"initial_revision":1E400})"),
               ScenarioError);
  EXPECT_NE(error_of(R"({"format":"mprogsim-trace","version":2,"semantics":"v2","steps":[]})")
                .find("$.version: unknown version 2"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"format":"other","version":1})").find("$.format"), std::string::npos);
  EXPECT_NE(error_of(trace_with(R"(,"speed":1)")).find("$.speed: unknown field"),
            std::string::npos);
  EXPECT_NE(error_of(trace_with(R"(,"origin":{"strategy":"random","sed":1})")).find("$.origin.sed"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"format":"mprogsim-trace","version":1,"semantics":"v2",
      "steps":[{"op":"fly"}]})")
                .find("$.steps[0].op: unknown op 'fly'"),
            std::string::npos);
  EXPECT_NE(error_of(trace_with(R"(,"mutant":"nope")")).find("$.mutant: unknown mutant"),
            std::string::npos);
}

TEST(TraceTest, ScheduleThreadsMustExist) {
  EXPECT_NE(error_of(trace_with(R"(,"schedule":[["C",1],["R3",1]])"))
                .find("$.schedule[1][0]: thread 'R3' does not exist"),
            std::string::npos);
  EXPECT_NE(error_of(trace_with(R"(,"schedule":[["X",1]])")).find("unknown thread 'X'"),
            std::string::npos);
  // One spelling per thread: R01 is not R1.
  EXPECT_NE(error_of(trace_with(R"(,"schedule":[["R01",1]])")).find("$.schedule[0][0]"),
            std::string::npos);
  EXPECT_NE(error_of(trace_with(R"(,"schedule":[["C",0]])")).find("$.schedule[0][1]"),
            std::string::npos);
  EXPECT_NE(error_of(trace_with(R"(,"schedule":[["C"]])"))
                .find("$.schedule[0]: expected [thread, count]"),
            std::string::npos);
  EXPECT_NE(
      error_of(trace_with(R"(,"outcome":{"result":"violation","property":"spec","thread":"R9"})"))
          .find("$.outcome.thread"),
      std::string::npos);
}

TEST(TraceTest, NumbersAreRangeCheckedBeforeNarrowing) {
  const std::string big = R"({"format":"mprogsim-trace","version":1,"semantics":"v2","steps":[],)";
  EXPECT_NE(error_of(big + R"("readers":4294967297})").find("$.readers"), std::string::npos);
  EXPECT_NE(error_of(big + R"("passes":4294967297})").find("$.passes"), std::string::npos);
  EXPECT_NE(error_of(big + R"("origin":{"pct_depth":4294967296}})").find("$.origin.pct_depth"),
            std::string::npos);
  EXPECT_NE(error_of(big + R"("start_readers_after":4294967297})").find("$.start_readers_after"),
            std::string::npos);
  EXPECT_NE(error_of(big + R"("readers":-1})").find("$.readers"), std::string::npos);
  EXPECT_NE(error_of(big + R"("readers":1.5})").find("$.readers"), std::string::npos);
}

TEST(TraceTest, OutcomeIsConsistent) {
  EXPECT_NE(error_of(trace_with(R"(,"outcome":{"property":"x"})")).find("missing field 'result'"),
            std::string::npos);
  EXPECT_NE(error_of(trace_with(R"(,"outcome":{"result":"maybe"})")).find("$.outcome.result"),
            std::string::npos);
  EXPECT_NE(error_of(trace_with(R"(,"outcome":{"result":"violation"})")).find("needs a 'property'"),
            std::string::npos);
  EXPECT_NE(error_of(trace_with(R"(,"outcome":{"result":"pass","property":"snapshot"})"))
                .find("$.outcome.property: only a violation"),
            std::string::npos);
}

TEST(TraceTest, ScheduleEntryPathNamesTheRun) {
  const std::vector<sim::ThreadId> s = {0, 0, 1, 1, 1, 0};
  EXPECT_EQ(schedule_entry_path(s, 0), "$.schedule[0]");
  EXPECT_EQ(schedule_entry_path(s, 2), "$.schedule[1]");
  EXPECT_EQ(schedule_entry_path(s, 5), "$.schedule[2]");
  EXPECT_EQ(schedule_entry_path(s, 6), "$.schedule");
}

// Every corpus trace: its path and its bytes.
std::vector<std::pair<std::string, std::string>> corpus_files() {
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& entry : std::filesystem::directory_iterator(MPROGSIM_CORPUS_DIR)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    files.emplace_back(entry.path().string(), text.str());
  }
  return files;
}

TEST(TraceTest, CorpusTracesAreInTheWritersForm) {
  std::size_t seen = 0;
  for (const auto& [path, text] : corpus_files()) {
    SCOPED_TRACE(path);
    const Trace t = parse_trace(text);
    EXPECT_EQ(write_trace(t), text);
    ASSERT_TRUE(t.outcome);
    seen++;
  }
  EXPECT_GE(seen, 7U);
}

// A corpus trace's outcome (message, evidence) is what a user reads in the file: it
// must say what replaying it says today, in today's words ("schedule step N", the
// deciding arguments of a step), i.e. the file is what `replay --record` writes.
TEST(TraceTest, CorpusOutcomesAreWhatReplayShowsToday) {
  std::size_t seen = 0;
  for (const auto& [path, text] : corpus_files()) {
    SCOPED_TRACE(path);
    const Trace t = parse_trace(text);
    const sim::ReplayResult r = sim::replay_trace(t, false, false);
    ASSERT_TRUE(r.reproduced) << r.difference;
    ASSERT_TRUE(t.origin);
    EXPECT_EQ(write_trace(sim::trace_of(sim::workload_of(t), r.execution, *t.origin)), text);
    seen++;
  }
  EXPECT_GE(seen, 7U);
}

}  // namespace
}  // namespace mprogsim
