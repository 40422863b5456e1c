// SPDX-License-Identifier: GPL-2.0
// The stateful property on the upstream variant: on any sequence of operations (every
// upstream flag combination, REPLACE with and without its replace_bpf_fd, relatives by
// fd and by id, programs and links, unknown ids and fds, stale and current 64-bit
// expected revisions, up to 70 programs with batches that fill the array from either
// end) the faithful upstream model and the upstream spec agree after every step, and
// the model keeps the intended invariants. Upstream has no known finding, so nothing
// is tolerated. A failure shrinks to a minimal sequence and is printed and written
// (atomically) as a replayable scenario file.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "properties/differential.h"
#include "properties/generators.h"
#include "properties/invariants.h"
#include "scenario/scenario.h"
#include "traces/atomic_file.h"

namespace mprogsim::properties {
namespace {

RC_GTEST_PROP(UpstreamDifferential, ModelAgreesWithSpecAndKeepsInvariants, ()) {
  DifferentialOptions options;
  options.semantics = Semantics::kUpstream;
  options.initial_revision = *gen_initial_revision();
  const auto actions = *gen_actions();
  const auto result = run_differential(actions, options);
  RC_ASSERT(result.findings.empty());
  if (!result.ok) {
    const std::string scenario = write_scenario(result.counterexample);
    // Every failing try overwrites it; the last one written is the shrunk one.
    (void)write_file_atomically("upstream_counterexample.json", scenario);
    RC_FAIL(result.failure + "\nscenario (also in upstream_counterexample.json):\n" + scenario);
  }
}

}  // namespace
}  // namespace mprogsim::properties
