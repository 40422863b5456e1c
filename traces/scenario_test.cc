// SPDX-License-Identifier: GPL-2.0
// The scenario reader is strict and says where; the writer round-trips.
#include "traces/scenario.h"

#include <gtest/gtest.h>

#include "traces/scenario_runner.h"

namespace mprogsim {
namespace {

std::string error_of(const std::string& text) {
  try {
    parse_scenarios(text);
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
  EXPECT_NE(error_of(R"({"semantics":"v2","steps":[{"op":"attach","prog":3}]})")
                .find("$.steps[0].prog"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"semantics":"upstream","steps":[{"op":"attach","prog":"P1",
      "flags":["FIRST"]}]})").find("only in v2"), std::string::npos);
  EXPECT_NE(error_of("{").find("malformed JSON"), std::string::npos);
  EXPECT_NE(error_of(R"({"semantics":"v3","steps":[]})").find("semantics"), std::string::npos);
}

TEST(ScenarioTest, UnboundNamesAreABadFileNotAnErrno) {
  const auto scenarios = parse_scenarios(
      R"({"semantics":"v2","steps":[{"op":"attach","prog":"P9","expect":"OK"}]})");
  auto system = make_system(Semantics::kV2);
  EXPECT_THROW(run_scenario(scenarios[0], *system), ScenarioError);
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

}  // namespace
}  // namespace mprogsim
