// SPDX-License-Identifier: GPL-2.0
// Honest tests: with each deliberately broken model variant switched on, the
// differential property of its variant (v2 or upstream) must fail. A mutant that
// survives means a property that cannot see the bug it was written for.
#include "model/mutants.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <iostream>
#include <sstream>
#include <vector>

#include "model/variant_registry.h"
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

// A mutant runs on the first variant that can show it (mutant_home: v2 for the
// mutants both mirrors share), where the known findings of that variant's own code
// are tolerated (upstream's only finding is not an invariant one).
TEST_P(MutantTest, IsCaughtByTheDifferentialProperty) {
  const Mutant mutant = GetParam().mutant;
  const VariantInfo& variant = variant_info(mutant_home(mutant));
  std::ostringstream sink;
  auto* saved_out = std::cout.rdbuf(sink.rdbuf());
  auto* saved_err = std::cerr.rdbuf(sink.rdbuf());
  const bool passed = rc::check("differential with mutant", [mutant, &variant] {
    DifferentialOptions options;
    options.initial_revision = *gen_initial_revision();
    options.semantics = variant.semantics;
    options.mutant = mutant;
    options.tolerated_findings = {variant.findings.begin(), variant.findings.end()};
    const auto result = run_differential(*gen_actions(), options);
    RC_ASSERT(result.ok);
  });
  std::cout.rdbuf(saved_out);
  std::cerr.rdbuf(saved_err);
  EXPECT_FALSE(passed) << "mutant '" << GetParam().name << "' survived: " << GetParam().description;
  const std::string output = sink.str();
  const auto at = output.find("Falsifiable");
  if (at != std::string::npos)
    std::cout << GetParam().name << ": " << output.substr(at, 400) << "\n";
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
