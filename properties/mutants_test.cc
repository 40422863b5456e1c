// SPDX-License-Identifier: GPL-2.0
// Honest tests: with each deliberately broken model variant switched on, the
// differential property of its variant (v2 or upstream) must fail. A mutant that
// survives means a property that cannot see the bug it was written for.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <iostream>
#include <sstream>
#include <vector>

#include "model/mutants.h"
#include "properties/differential.h"
#include "properties/generators.h"
#include "properties/invariants.h"

namespace mprogsim {
// Test names and logs show the mutant's name, never its bytes.
void PrintTo(const MutantInfo& info, std::ostream* out) { *out << info.name; }
}  // namespace mprogsim

namespace mprogsim::properties {
namespace {

class MutantTest : public ::testing::TestWithParam<MutantInfo> {};

// An upstream mutant breaks the upstream mirror and runs on that variant, where no
// finding is tolerated; the others break the v2 mirror.
bool is_upstream(const MutantInfo& info) { return info.variant == MutantVariant::kUpstream; }

TEST_P(MutantTest, IsCaughtByTheDifferentialProperty) {
  set_current_mutant(GetParam().mutant);
  const bool upstream = is_upstream(GetParam());
  std::ostringstream sink;
  auto* saved_out = std::cout.rdbuf(sink.rdbuf());
  auto* saved_err = std::cerr.rdbuf(sink.rdbuf());
  const bool passed = rc::check("differential with mutant", [upstream] {
    DifferentialOptions options;
    options.initial_revision = *gen_initial_revision();
    if (upstream) {
      options.semantics = Semantics::kUpstream;
    } else {
      options.tolerated_findings = {kFindingStaticKeyLeak, kFindingEmptyDetach,
                                    kFindingEstaleHighRevision,
                                    kFindingQueryFlagsUnwritten};
    }
    const auto result = run_differential(*gen_actions(), options);
    RC_ASSERT(result.ok);
  });
  std::cout.rdbuf(saved_out);
  std::cerr.rdbuf(saved_err);
  set_current_mutant(Mutant::kNone);
  EXPECT_FALSE(passed) << "mutant '" << GetParam().name << "' survived: "
                       << GetParam().description;
  const std::string output = sink.str();
  const auto at = output.find("Falsifiable");
  if (at != std::string::npos) std::cout << GetParam().name << ": " << output.substr(at, 400) << "\n";
}

// The sequential mutants; the concurrent ones need readers (sim/sim_mutants_test.cc).
std::vector<MutantInfo> sequential_mutants() {
  std::vector<MutantInfo> out;
  for (const auto& info : all_mutants()) {
    if (!info.concurrent) out.push_back(info);
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(AllMutants, MutantTest, ::testing::ValuesIn(sequential_mutants()),
                         [](const auto& param_info) {
                           std::string name(param_info.param.name);
                           for (char& c : name) c = c == '-' ? '_' : c;
                           return name;
                         });

}  // namespace
}  // namespace mprogsim::properties
