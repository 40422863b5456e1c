// SPDX-License-Identifier: GPL-2.0
// The scenario reader is strict and says where; the writer round-trips.
#include "scenario/scenario.h"

#include <gtest/gtest.h>

#include "model/uapi.h"
#include "model/upstream/uapi.h"
#include "model/v2/uapi.h"
#include "scenario/scenario_runner.h"

namespace mprogsim {
namespace {

std::string error_of(const std::string& text) {
  try {
    (void)parse_scenarios(text);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

TEST(ScenarioTest, RejectsUnknownFieldsOpsAndTypesWithAPath) {
  EXPECT_NE(error_of(R"({"semantics":"v2","steps":[{"op":"load","prog":"P1","typo":1}]})")
                .find("$.steps[0].typo"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"semantics":"v2","steps":[{"op":"fly"}]})").find("unknown op"),
            std::string::npos);
  EXPECT_NE(
      error_of(R"({"semantics":"v2","steps":[{"op":"attach","prog":3}]})").find("$.steps[0].prog"),
      std::string::npos);
  EXPECT_NE(error_of(R"({"semantics":"upstream","steps":[{"op":"attach","prog":"P1",
      "flags":["FIRST"]}]})")
                .find("only in v2"),
            std::string::npos);
  EXPECT_NE(error_of("{").find("malformed JSON"), std::string::npos);
  EXPECT_NE(error_of(R"({"semantics":"v3","steps":[]})").find("semantics"), std::string::npos);
}

TEST(ScenarioTest, UnboundNamesAreABadFileNotAnErrno) {
  const auto scenarios =
      parse_scenarios(R"({"semantics":"v2","steps":[{"op":"attach","prog":"P9","expect":"OK"}]})");
  auto system = make_system(Semantics::kV2);
  EXPECT_THROW((void)run_scenario(scenarios[0], *system), ScenarioError);
}

// ---- names (scenario-format.md, "Objects and names") ------------------------------

ScenarioReport run_text(const std::string& text) {
  const auto scenarios = parse_scenarios(text);
  auto system = make_system(scenarios[0].semantics);
  return run_scenario(scenarios[0], *system);
}

std::string actual_of(const StepReport& step) { return step.line.substr(step.line.rfind("-> ")); }

// The issue's reproduction: P3 is given P1's old fd; `detach P1` must not reach it.
TEST(ScenarioNamesTest, AClosedProgNeverNamesTheProgThatReusedItsFd) {
  for (const char* semantics : {"v2", "upstream"}) {
    const auto report = run_text(std::string(R"({"semantics":")") + semantics + R"(","steps":[
      {"op":"load","prog":"P1"},{"op":"load","prog":"P2"},
      {"op":"attach","prog":"P1","expect":"OK"},{"op":"attach","prog":"P2","expect":"OK"},
      {"op":"prog_close","prog":"P1"},{"op":"load","prog":"P3"},
      {"op":"detach","prog":"P1","expect":"EBADF"},
      {"op":"attach","prog":"P3","flags":["BEFORE"],
       "relative":{"kind":"prog","name":"P1","by":"fd"},"expect":"EBADF"},
      {"op":"query","expect_progs":["P1","P2"]}]})");
    EXPECT_EQ(report.failed, 0U) << semantics << "\n" << format_report(report);
    EXPECT_NE(report.steps[5].line.find("fd 3"), std::string::npos) << report.steps[5].line;
  }
}

TEST(ScenarioNamesTest, AClosedLinkNeverNamesTheObjectThatReusedItsFd) {
  const auto report = run_text(R"({"semantics":"v2","steps":[
    {"op":"load","prog":"P1"},{"op":"load","prog":"P2"},
    {"op":"link_attach","link":"L1","prog":"P1","expect":"OK"},
    {"op":"link_close","link":"L1","expect":"OK"},
    {"op":"link_attach","link":"L2","prog":"P2","expect":"OK"},
    {"op":"link_detach","link":"L1","expect":"EBADF"},
    {"op":"link_close","link":"L2","expect":"OK"},
    {"op":"load","prog":"P3"},
    {"op":"link_update","link":"L1","prog":"P1","expect":"EBADF"},
    {"op":"attach","prog":"P1","flags":["AFTER"],
     "relative":{"kind":"link","name":"L1","by":"fd"},"expect":"EBADF"}]})");
  EXPECT_EQ(report.failed, 0U) << format_report(report);
  // L2 and then P3 were given L1's old fd (5).
  EXPECT_NE(report.steps[4].line.find("fd 5"), std::string::npos) << report.steps[4].line;
  EXPECT_NE(report.steps[7].line.find("fd 5"), std::string::npos) << report.steps[7].line;
}

// A link_attach expected to succeed that fails is a mismatch; the replay goes on and
// the name denotes a link that does not exist.
TEST(ScenarioNamesTest, AFailedBindingLinkAttachIsAMismatchAndItsNameNamesNoLink) {
  for (const char* semantics : {"v2", "upstream"}) {
    const auto report = run_text(std::string(R"({"semantics":")") + semantics + R"(","steps":[
      {"op":"load","prog":"P1"},{"op":"load","prog":"P2"},
      {"op":"attach","prog":"P1","expect":"OK"},
      {"op":"link_attach","link":"L1","prog":"P1","expect":"OK"},
      {"op":"link_detach","link":"L1","expect":"EBADF"},
      {"op":"link_update","link":"L1","prog":"P2","expect":"EBADF"},
      {"op":"attach","prog":"P2","flags":["AFTER"],
       "relative":{"kind":"link","name":"L1","by":"fd"},"expect":"EBADF"},
      {"op":"attach","prog":"P2","flags":["AFTER"],
       "relative":{"kind":"link","name":"L1","by":"id"},"expect":"ENOENT"},
      {"op":"refs","expect_refs":{"L1":0,"P1":2}},
      {"op":"link_close","link":"L1","expect":"EBADF"},
      {"op":"attach","prog":"P2","expect":"OK"}]})");
    ASSERT_EQ(report.steps.size(), 11U) << semantics;
    EXPECT_EQ(report.failed, 1U) << semantics << "\n" << format_report(report);
    ASSERT_EQ(report.steps[3].mismatches.size(), 1U) << semantics;
    EXPECT_EQ(report.steps[3].mismatches[0], "expect: expected OK, got EEXIST") << semantics;
  }
}

TEST(ScenarioNamesTest, BindingIsDecidedFromTheFileAlone) {
  // An errno expected: the name is not bound, and a later link_attach may bind it.
  const auto report = run_text(R"({"semantics":"v2","steps":[
    {"op":"load","prog":"P1"},{"op":"load","prog":"P2"},{"op":"attach","prog":"P1"},
    {"op":"link_attach","link":"L1","prog":"P1","expect":"EEXIST"},
    {"op":"link_attach","link":"L1","prog":"P2","expect":"OK"},
    {"op":"query","expect_links":[null,"L1"]}]})");
  EXPECT_EQ(report.failed, 0U) << format_report(report);
  // No expect: the name is bound even though the attach fails, so binding it again is
  // a bad file, found before anything runs (whatever the system would answer).
  const auto twice = parse_scenarios(R"({"semantics":"v2","steps":[
    {"op":"load","prog":"P1"},{"op":"attach","prog":"P1"},
    {"op":"link_attach","link":"L1","prog":"P1"},
    {"op":"link_attach","link":"L1","prog":"P1"}]})");
  try {
    check_names(twice[0]);
    ADD_FAILURE() << "binding L1 twice was accepted";
  } catch (const ScenarioError& e) {
    EXPECT_STREQ(e.what(), "$.steps[3]: name 'L1' is already bound");
  }
  auto system = make_system(Semantics::kV2);
  EXPECT_THROW((void)run_scenario(twice[0], *system), ScenarioError);
  EXPECT_EQ(system->prog_id(3), -EBADF) << "a step ran before the bad file was refused";
  // An unexpected success of a non-binding link_attach names nothing: its link prints
  // by id and the name stays free.
  const auto unexpected = run_text(R"({"semantics":"v2","steps":[
    {"op":"load","prog":"P1"},
    {"op":"link_attach","link":"L1","prog":"P1","expect":"EEXIST"},
    {"op":"query"},
    {"op":"link_attach","link":"L1","prog":"P1","expect":"EEXIST"}]})");
  EXPECT_EQ(unexpected.failed, 1U) << format_report(unexpected);
  EXPECT_NE(unexpected.steps[2].line.find("links=[#1]"), std::string::npos)
      << unexpected.steps[2].line;
}

// With expectations about to be replaced by the spec's answers, a link_attach binds
// its name when it succeeds: the written file then binds the same names.
TEST(ScenarioNamesTest, SpecExpectationsBindWhatTheSpecCreated) {
  const auto scenario = parse_scenarios(R"({"semantics":"v2","steps":[
    {"op":"load","prog":"P1"},{"op":"attach","prog":"P1"},
    {"op":"link_attach","link":"L1","prog":"P1"},
    {"op":"link_attach","link":"L1","prog":"P1","flags":["BEFORE"],"expect":"OK"}]})")[0];
  EXPECT_THROW(check_names(scenario), ScenarioError);
  const Scenario answered = with_spec_expectations(scenario);
  EXPECT_EQ(answered.steps[2].expect, "EEXIST");
  EXPECT_EQ(answered.steps[3].expect, "EEXIST");
  EXPECT_NO_THROW(check_names(answered));
}

// A system that forwards every call to a real model, for tests that fake or record one.
class Forwarding : public MprogApi {
 public:
  explicit Forwarding(Semantics semantics) : real_(make_system(semantics)) {}
  int prog_load(ProgType type) override { return real_->prog_load(type); }
  int prog_id(u32 fd) const override { return real_->prog_id(fd); }
  int link_id(u32 fd) const override { return real_->link_id(fd); }
  int prog_attach(const ProgAttachAttr& a) override { return real_->prog_attach(a); }
  int prog_detach(const ProgAttachAttr& a) override { return real_->prog_detach(a); }
  int link_create(const LinkCreateAttr& a) override { return real_->link_create(a); }
  int link_update(const LinkUpdateAttr& a) override { return real_->link_update(a); }
  int link_detach(u32 fd) override { return real_->link_detach(fd); }
  int close_fd(u32 fd) override { return real_->close_fd(fd); }
  QueryResult prog_query(const QueryAttr& a) override { return real_->prog_query(a); }
  void run_into(std::vector<u32>& ran) override { real_->run_into(ran); }
  void miniq_inc() override { real_->miniq_inc(); }
  void miniq_dec() override { real_->miniq_dec(); }
  u32 miniq_holds() const override { return real_->miniq_holds(); }
  ObjectInfo prog_info(u32 id) const override { return real_->prog_info(id); }
  ObjectInfo link_info(u32 id) const override { return real_->link_info(id); }
  StaticKeys static_keys() const override { return real_->static_keys(); }
  void set_initial_revision(u64 r) override { real_->set_initial_revision(r); }
  const std::vector<std::string>& warnings() const override { return real_->warnings(); }
  const std::vector<std::string>& out_of_bounds() const override { return real_->out_of_bounds(); }

 private:
  std::unique_ptr<MprogApi> real_;
};

// A load that fails binds its name to a program that does not exist; it is a
// mismatch (a load has no `expect`: it must succeed), and the replay goes on.
class FailingLoad final : public Forwarding {
 public:
  FailingLoad() : Forwarding(Semantics::kV2) {}
  int prog_load(ProgType type) override {
    return loads_++ == 0 ? -ENOMEM : Forwarding::prog_load(type);
  }

 private:
  int loads_ = 0;
};

TEST(ScenarioNamesTest, AFailedLoadIsAMismatchAndItsNameNamesNoProgram) {
  const auto scenario = parse_scenarios(R"({"semantics":"v2","steps":[
    {"op":"load","prog":"P1"},{"op":"load","prog":"P2"},
    {"op":"attach","prog":"P1","expect":"EBADF"},
    {"op":"attach","prog":"P2","flags":["BEFORE"],
     "relative":{"kind":"prog","name":"P1","by":"id"},"expect":"ENOENT"},
    {"op":"prog_close","prog":"P1"},
    {"op":"refs","expect_refs":{"P1":0,"P2":1}}]})")[0];
  FailingLoad system;
  const auto report = run_scenario(scenario, system);
  EXPECT_EQ(report.failed, 1U) << format_report(report);
  ASSERT_EQ(report.steps[0].mismatches.size(), 1U);
  EXPECT_EQ(report.steps[0].mismatches[0], "load: expected OK (a load must succeed), got ENOMEM");
  EXPECT_EQ(actual_of(report.steps[4]), "-> EBADF");
}

// scenario-format.md: `replace` always sets BPF_F_REPLACE, whether or not `flags`
// names REPLACE; v2 passes the program to replace as the relative object, upstream in
// replace_bpf_fd.
class RecordingAttach final : public Forwarding {
 public:
  using Forwarding::Forwarding;
  int prog_attach(const ProgAttachAttr& a) override {
    attaches.push_back(a);
    return Forwarding::prog_attach(a);
  }
  std::vector<ProgAttachAttr> attaches;
};

TEST(ScenarioNamesTest, ReplaceAlwaysSetsBpfFReplace) {
  const char* steps = R"(,"steps":[{"op":"load","prog":"P1"},{"op":"load","prog":"P2"},
      {"op":"attach","prog":"P1"},{"op":"attach","prog":"P2","replace":"P1"},
      {"op":"attach","prog":"P1","flags":["REPLACE"],"replace":"P2"}]})";
  for (const Semantics semantics : {Semantics::kV2, Semantics::kUpstream}) {
    const bool upstream = semantics == Semantics::kUpstream;
    const auto scenario = parse_scenarios(std::string(R"({"semantics":")") +
                                          (upstream ? "upstream" : "v2") + "\"" + steps)[0];
    RecordingAttach system(semantics);
    const auto report = run_scenario(scenario, system);
    ASSERT_EQ(system.attaches.size(), 3U);
    const u32 replace_bit = upstream ? upstream::BPF_F_REPLACE : v2::BPF_F_REPLACE;
    for (std::size_t i = 1; i < 3; i++) {
      const ProgAttachAttr& a = system.attaches[i];
      EXPECT_EQ(a.attach_flags, replace_bit) << "attach " << i << (upstream ? " upstream" : " v2");
      const u32 replaced_fd = i == 1 ? 3 : 4;  // P1, then P2
      EXPECT_EQ(upstream ? a.replace_bpf_fd : a.relative_fd, replaced_fd);
      EXPECT_EQ(upstream ? a.relative_fd : a.replace_bpf_fd, 0U);
    }
    EXPECT_EQ(actual_of(report.steps[3]), "-> OK") << report.steps[3].line;
  }
}

// Found by scenario_runner_fuzz: a failed query that expected buffer contents is a
// mismatch, and what was observed (the step with its expectations set to what
// happened) must then expect no contents, or replaying the observed steps fails too.
// (v2: a query of a hook with no entry fails with ENOENT; upstream answers count 0.)
TEST(ScenarioTest, AFailedQueryObservesNoBufferContents) {
  const auto report = run_text(R"({"semantics":"v2","steps":[
      {"op":"query","expect":"ENOENT","expect_count":1,"expect_revision":1,
       "expect_progs":["P1"],"expect_links":[null],"expect_flags":[[]]}]})");
  ASSERT_EQ(report.steps.size(), 1U);
  EXPECT_EQ(report.steps[0].mismatches.size(), 5U);
  const Step& observed = report.steps[0].observed;
  EXPECT_EQ(observed.expect, "ENOENT");
  EXPECT_FALSE(observed.expect_count || observed.expect_revision || observed.expect_progs ||
               observed.expect_links || observed.expect_flags);
}

TEST(ScenarioTest, WriterRoundTrips) {
  const std::string text = R"({"name":"x","semantics":"v2","initial_revision":7,"steps":[
    {"op":"load","prog":"P1"},
    {"op":"attach","prog":"P1","flags":["BEFORE"],"relative":{"kind":"prog","raw":4,"by":"id"},
     "expected_revision":7,"expect":"ENOENT"},
    {"op":"query","buffer":0,"expect_count":0,"expect_links":[null]},
    {"op":"detach","prog":null,"expect":"ENOENT"}]})";
  const auto once = parse_scenarios(text);
  const auto written = write_scenario(once[0]);
  EXPECT_EQ(write_scenario(parse_scenarios(written)[0]), written);
}

// The simulator's path: one report reused step after step, holding only the results.
// It must report what a fresh report does, and its results must be the step's (not
// left over from an earlier step of another kind).
TEST(ScenarioTest, AReusedResultsOnlyReportMatchesAFreshOne) {
  for (const char* semantics : {"v2", "upstream"}) {
    const Scenario scenario = parse_scenarios(std::string(R"({"semantics":")") + semantics +
                                              R"(","steps":[
      {"op":"load","prog":"P1"},{"op":"load","prog":"P2"},
      {"op":"attach","prog":"P1","expect":"OK"},
      {"op":"run","expect_ran":["P2"]},
      {"op":"query","expect":"OK"},
      {"op":"refs","expect_refs":{"P1":2,"P2":1}},
      {"op":"attach","prog":"P1","expect":"OK"},
      {"op":"prog_close","prog":"P2"},
      {"op":"refs","expect_refs":{"P2":0}}]})")[0];
    auto fresh_system = make_system(scenario.semantics);
    auto reused_system = make_system(scenario.semantics);
    ScenarioSession fresh(*fresh_system, std::nullopt, scenario.semantics);
    ScenarioSession reused(*reused_system, std::nullopt, scenario.semantics);
    StepReport report;
    for (const Step& step : scenario.steps) {
      const StepReport want = fresh.step(step);
      reused.step(step, report, ScenarioSession::Observed::kResults);
      EXPECT_EQ(report.line, want.line) << semantics;
      EXPECT_EQ(report.mismatches, want.mismatches) << semantics << " " << want.line;
      EXPECT_EQ(report.observed.expect, want.observed.expect) << want.line;
      EXPECT_EQ(report.observed.expect_ran, want.observed.expect_ran) << want.line;
      EXPECT_EQ(report.observed.expect_count, want.observed.expect_count) << want.line;
      EXPECT_EQ(report.observed.expect_progs, want.observed.expect_progs) << want.line;
      EXPECT_EQ(report.observed.expect_refs, want.observed.expect_refs) << want.line;
    }
  }
}

}  // namespace
}  // namespace mprogsim
