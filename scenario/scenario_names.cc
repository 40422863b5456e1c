// SPDX-License-Identifier: GPL-2.0
#include "scenario/scenario_names.h"

namespace mprogsim {

bool step_binds(const Step& step) {
  if (step.op == StepOp::kLoad) return true;
  return step.op == StepOp::kLinkAttach && (!step.expect || *step.expect == "OK");
}

void ScenarioNames::bad(const std::string& where, const std::string& what) {
  throw ScenarioError(where + ": " + what);
}

bool ScenarioNames::bound(const std::string& name, Kind kind) const {
  const auto it = names_.find(name);
  return it != names_.end() && it->second.kind == kind;
}

bool ScenarioNames::closed(const std::string& name) const {
  const auto it = names_.find(name);
  return it != names_.end() && it->second.closed;
}

// A use of `name` as a `kind`. Closed names still denote their object.
void ScenarioNames::need(const std::string& name, Kind kind, const std::string& where) const {
  const auto it = names_.find(name);
  if (it != names_.end() && it->second.kind == kind) return;
  const bool other = it != names_.end();
  if (kind == Kind::kProg) {
    bad(where, "'" + name + "' is not a loaded program" + (other ? " (it names a link)" : ""));
  }
  bad(where, "'" + name + "' is not a link bound by an earlier link_attach" +
                 (other ? " (it names a program)" : ""));
}

// A program whose fd is attached (attach, link_attach, link_update's new program).
void ScenarioNames::need_open_prog(const std::string& name, const std::string& where) const {
  need(name, Kind::kProg, where);
  if (closed(name)) bad(where, "program '" + name + "' was closed; it cannot be attached again");
}

void ScenarioNames::check(const Step& step, bool link_binds, const std::string& where) const {
  auto relative = [&](const Relative& r) {
    if (r.kind == Relative::Kind::kNone || !r.name) return;
    need(*r.name, r.kind == Relative::Kind::kProg ? Kind::kProg : Kind::kLink, where);
  };
  switch (step.op) {
    case StepOp::kLoad:
      if (names_.count(*step.prog)) bad(where, "name '" + *step.prog + "' is already bound");
      break;
    case StepOp::kAttach:
      need_open_prog(*step.prog, where);
      relative(step.relative);
      if (step.replace) need(*step.replace, Kind::kProg, where);
      break;
    case StepOp::kLinkAttach:
      if (link_binds && names_.count(*step.link)) {
        bad(where, "name '" + *step.link + "' is already bound");
      }
      need_open_prog(*step.prog, where);
      relative(step.relative);
      break;
    case StepOp::kLinkUpdate:
      need(*step.link, Kind::kLink, where);
      need_open_prog(*step.prog, where);
      if (step.old_prog) need(*step.old_prog, Kind::kProg, where);
      break;
    case StepOp::kDetach:
      if (step.prog) need(*step.prog, Kind::kProg, where);
      relative(step.relative);
      break;
    case StepOp::kLinkDetach:
      need(*step.link, Kind::kLink, where);
      break;
    case StepOp::kProgClose:
      need(*step.prog, Kind::kProg, where);
      if (closed(*step.prog)) bad(where, "program '" + *step.prog + "' is already closed");
      break;
    case StepOp::kLinkClose:
      need(*step.link, Kind::kLink, where);
      if (closed(*step.link)) bad(where, "link '" + *step.link + "' is already closed");
      break;
    case StepOp::kRefs:
      if (step.expect_refs) {
        for (const auto& [name, count] : *step.expect_refs) {
          if (!names_.count(name)) bad(where, "'" + name + "' names no program or link");
        }
      }
      break;
    case StepOp::kQuery:
    case StepOp::kRun:
    case StepOp::kMiniqInc:
    case StepOp::kMiniqDec:
      break;
  }
}

void ScenarioNames::apply(const Step& step, bool link_binds) {
  switch (step.op) {
    case StepOp::kLoad:
      names_[*step.prog] = {Kind::kProg, false};
      break;
    case StepOp::kLinkAttach:
      if (link_binds) names_[*step.link] = {Kind::kLink, false};
      break;
    case StepOp::kProgClose:
      names_.at(*step.prog).closed = true;
      break;
    case StepOp::kLinkClose:
      names_.at(*step.link).closed = true;
      break;
    default:
      break;
  }
}

void check_names(const Scenario& scenario) {
  ScenarioNames names;
  for (std::size_t i = 0; i < scenario.steps.size(); i++) {
    const Step& step = scenario.steps[i];
    names.check(step, step_binds(step), "$.steps[" + std::to_string(i) + "]");
    names.apply(step, step_binds(step));
  }
}

}  // namespace mprogsim
