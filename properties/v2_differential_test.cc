// SPDX-License-Identifier: GPL-2.0
// The stateful property: on any sequence of operations (every flag combination,
// relatives by fd and by id, programs and links, unknown ids and fds, stale and
// current expected revisions, up to 70 programs) the faithful v2 model and the
// abstract spec agree after every step, and the model keeps the intended invariants,
// except for the seed's known findings, which are tolerated here by name and pinned
// in v2_findings_test.cc. A failure shrinks to a minimal sequence and is printed and
// written (atomically) as a replayable scenario file.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <fstream>

#include "properties/differential.h"
#include "properties/generators.h"
#include "properties/invariants.h"
#include "scenario/scenario.h"
#include "traces/atomic_file.h"

namespace mprogsim::properties {
namespace {

const std::set<std::string> kKnownFindings = {kFindingStaticKeyLeak, kFindingEmptyDetach,
                                              kFindingEstaleHighRevision,
                                              kFindingQueryFlagsUnwritten};

RC_GTEST_PROP(V2Differential, ModelAgreesWithSpecAndKeepsInvariants, ()) {
  DifferentialOptions options;
  options.initial_revision = *gen_initial_revision();
  options.tolerated_findings = kKnownFindings;
  const auto actions = *gen_actions();
  const auto result = run_differential(actions, options);
  for (const auto& finding : result.findings) RC_TAG(finding);
  if (!result.ok) {
    const std::string scenario = write_scenario(result.counterexample);
    // Every failing try overwrites it; the last one written is the shrunk one.
    (void)write_file_atomically("v2_counterexample.json", scenario);
    RC_FAIL(result.failure + "\nscenario (also in v2_counterexample.json):\n" + scenario);
  }
}

}  // namespace
}  // namespace mprogsim::properties
