// SPDX-License-Identifier: GPL-2.0
// Hostile input to the scenario and trace readers (scenario/json_input.h): duplicate
// keys, deep nesting, long names, files past the size limit; and error messages that
// stay one line whatever the input holds (common/escape.h).
#include "scenario/json_input.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/escape.h"
#include "scenario/scenario.h"
#include "traces/trace.h"

namespace mprogsim {
namespace {

std::string scenario_error(const std::string& text) {
  try {
    (void)parse_scenarios(text);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

std::string trace_error(const std::string& text) {
  try {
    (void)parse_trace(text);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

TEST(JsonInputTest, DuplicateKeysAreRefusedWithTheirPath) {
  // Last one wins would run zero steps and pass.
  EXPECT_EQ(scenario_error(R"({"semantics":"v2","steps":[{"op":"load","prog":"P1"}],"steps":[]})"),
            "$.steps: duplicate key");
  EXPECT_EQ(scenario_error(R"({"semantics":"v2","steps":[{"op":"load","prog":"P1"},)"
                           R"({"op":"attach","prog":"P1","prog":"P2"}]})"),
            "$.steps[1].prog: duplicate key");
  EXPECT_EQ(scenario_error(R"([{"semantics":"v2","steps":[]},{"semantics":"v2","steps":[)"
                           R"({"op":"refs","expect_refs":{"P1":1,"P1":2}}]}])"),
            "$[1].steps[0].expect_refs.P1: duplicate key");
  EXPECT_EQ(trace_error(R"({"format":"mprogsim-trace","version":1,"semantics":"v2","steps":[],)"
                        R"("outcome":{"result":"pass","result":"violation"}})"),
            "$.outcome.result: duplicate key");
}

TEST(JsonInputTest, NestingIsLimited) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const std::string error = scenario_error(deep);
  EXPECT_NE(error.find("nested deeper than 64 levels"), std::string::npos) << error;
  EXPECT_NE(trace_error(deep).find("nested deeper than 64 levels"), std::string::npos);
  EXPECT_FALSE(looks_like_trace(deep));
  // 64 levels are fine for the JSON reader (the scenario reader then says what is wrong).
  const std::string ok = std::string(64, '[') + std::string(64, ']');
  EXPECT_NO_THROW((void)parse_json_strictly(ok));
}

TEST(JsonInputTest, NamesAreCheckedWithoutRecursionAndLimited) {
  // 30,000 characters overflowed the stack in std::regex_match.
  const std::string long_name(30000, 'P');
  EXPECT_EQ(
      scenario_error(R"({"semantics":"v2","steps":[{"op":"load","prog":")" + long_name + R"("}]})"),
      "$.steps[0].prog: a name has at most 64 characters, not 30000");
  const std::string longest(kMaxNameLength, 'P');
  EXPECT_EQ(
      scenario_error(R"({"semantics":"v2","steps":[{"op":"load","prog":")" + longest + R"("}]})"),
      "");
  EXPECT_EQ(scenario_error(R"({"semantics":"v2","steps":[{"op":"load","prog":"1P"}]})"),
            "$.steps[0].prog: '1P' is not a valid name");
  EXPECT_EQ(scenario_error(R"({"semantics":"v2","steps":[{"op":"load","prog":""}]})"),
            "$.steps[0].prog: '' is not a valid name");
  // A long unknown value is quoted cut short, not whole.
  const std::string error =
      scenario_error(R"({"semantics":"v2","steps":[{"op":")" + long_name + R"("}]})");
  EXPECT_LT(error.size(), 200U) << error;
  EXPECT_NE(error.find("(30000 bytes)"), std::string::npos) << error;
}

TEST(JsonInputTest, ErrorMessagesAreOneLine) {
  EXPECT_EQ(escape_for_message("a\nb\r\t\x01\x7f"), "a\\nb\\r\\t\\x01\\x7f");
  EXPECT_EQ(escape_for_message(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(escape_for_message("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
            "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");            // valid UTF-8 stays
  EXPECT_EQ(escape_for_message("\xff\xc3"), "\\xff\\xc3");           // invalid and truncated
  EXPECT_EQ(escape_for_message("\xc0\xaf"), "\\xc0\\xaf");           // overlong '/'
  EXPECT_EQ(escape_for_message("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // a surrogate
  EXPECT_EQ(escape_for_message("\xc2\x9b"), "\\xc2\\x9b");           // C1 control (CSI)
  const std::string once = escape_for_message("x\n\xff\\y");
  EXPECT_EQ(escape_for_message(once), once);
  // Through the readers: an op with a newline and a NUL, a key with a newline.
  EXPECT_EQ(scenario_error(R"({"semantics":"v2","steps":[{"op":"a\nb\u0000c"}]})"),
            "$.steps[0].op: unknown op 'a\\nb\\x00c'");
  EXPECT_EQ(scenario_error("{\"semantics\":\"v2\",\"steps\":[],\"x\\ny\":1}"),
            "$.x\\ny: unknown field");
  // Invalid UTF-8 inside a string: nlohmann refuses it and quotes the bytes.
  const std::string bad_utf8 =
      scenario_error("{\"semantics\":\"v2\",\"steps\":[{\"op\":\"a\xff\xfe\"}]}");
  EXPECT_NE(bad_utf8.find("\\xff"), std::string::npos) << bad_utf8;
  for (char c : bad_utf8) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << bad_utf8;
}

TEST(JsonInputTest, UnknownPropertyIsABadTrace) {
  const std::string error =
      trace_error(R"({"format":"mprogsim-trace","version":1,"semantics":"v2","steps":[],)"
                  R"("outcome":{"result":"violation","property":"use-after-fre"}})");
  EXPECT_NE(error.find("$.outcome.property: unknown property 'use-after-fre'"), std::string::npos)
      << error;
}

TEST(JsonInputTest, FilesAreReadWithinTheSizeLimit) {
  EXPECT_THROW(
      {
        try {
          (void)read_input_file("/dev/zero");
        } catch (const ScenarioError& e) {
          EXPECT_STREQ(e.what(), "the file is larger than 64 MiB, the input limit");
          throw;
        }
      },
      ScenarioError);
  EXPECT_THROW((void)read_input_file("/"), ScenarioError);
  EXPECT_THROW((void)read_input_file("/nonexistent/file"), ScenarioError);
  const std::string path = testing::TempDir() + "/json-input-test.json";
  std::ofstream(path) << "{}";
  EXPECT_EQ(read_input_file(path), "{}");
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace mprogsim
