// SPDX-License-Identifier: GPL-2.0
// Every upstream scenario (traces/scenarios/upstream/, written from the kernel selftests
// tc_opts.c and tc_links.c, and the shared upstream examples) replays with no mismatch
// on the upstream spec too. `mprogsim replay` runs them on the faithful model (CTest
// scenario.upstream.*); together the two say that model, spec and selftests agree.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "model/upstream/mprog_spec.h"
#include "scenario/scenario.h"
#include "scenario/scenario_runner.h"

namespace mprogsim {
namespace {

std::vector<std::string> upstream_files() {
  std::vector<std::string> out;
  const std::filesystem::path dir = std::filesystem::path(MPROGSIM_SCENARIO_DIR) / "upstream";
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".json") out.push_back(entry.path().string());
  }
  std::sort(out.begin(), out.end());  // directory order is not deterministic
  out.push_back((std::filesystem::path(MPROGSIM_SCENARIO_DIR) / "shared" / "upstream-examples.json")
                    .string());
  return out;
}

class UpstreamScenarioOnSpec : public ::testing::TestWithParam<std::string> {};

TEST_P(UpstreamScenarioOnSpec, ReplaysWithoutMismatch) {
  std::ifstream in(GetParam(), std::ios::binary);
  ASSERT_TRUE(in) << GetParam();
  std::stringstream text;
  text << in.rdbuf();
  for (const Scenario& scenario : parse_scenarios(text.str())) {
    ASSERT_EQ(scenario.semantics, Semantics::kUpstream) << GetParam();
    upstream::MprogSpec spec;
    const ScenarioReport report = run_scenario(scenario, spec);
    EXPECT_EQ(report.failed, 0u) << scenario.name << "\n" << format_report(report);
  }
}

INSTANTIATE_TEST_SUITE_P(Files, UpstreamScenarioOnSpec, ::testing::ValuesIn(upstream_files()),
                         [](const auto& param_info) {
                           std::string name =
                               std::filesystem::path(param_info.param).stem().string();
                           for (char& c : name)
                             c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return name;
                         });

}  // namespace
}  // namespace mprogsim
