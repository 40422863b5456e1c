// SPDX-License-Identifier: GPL-2.0
#include "sim/workload.h"

#include "scenario/scenario_runner.h"

namespace mprogsim::sim {

Reference compute_reference(const Workload& workload) {
  Reference ref;
  try {
    // The spec knows no mutants: it is the intended behaviour.
    const Semantics semantics = workload.scenario.semantics;
    auto spec = make_spec(semantics);
    ScenarioSession spec_session(*spec, workload.scenario.initial_revision, semantics);
    for (const Step& step : workload.scenario.steps) {
      Step bare = step;  // the spec's line must not depend on the file's expectations
      ref.spec_lines.push_back(spec_session.step(bare).line);
    }
    ref.keys = spec->static_keys();
    auto model = make_system(workload.scenario.semantics, workload.mutant);
    ScenarioSession model_session(*model, workload.scenario.initial_revision, semantics);
    ref.committed.push_back(model->run());
    for (const Step& step : workload.scenario.steps) {
      model_session.step(step);
      ref.committed.push_back(model->run());
    }
  } catch (const ScenarioError& e) {
    ref.error = e.what();
  }
  return ref;
}

}  // namespace mprogsim::sim
