// SPDX-License-Identifier: GPL-2.0
#include "scenario/actions.h"

#include <array>
#include <memory>
#include <optional>

namespace mprogsim {
namespace {

constexpr u32 kProgsMax = 70;  // enough to hit bpf_mprog_max() = 63
constexpr u32 kLinksMax = 24;
constexpr std::array<const char*, 7> kFlagNames = {"REPLACE", "BEFORE", "AFTER", "FIRST",
                                                   "LAST",    "ID",     "LINK"};
constexpr std::array<u32, 8> kRawObjects = {0, 1, 2, 3, 4, 5, 99, 4242};

}  // namespace

std::vector<std::string> ActionResolver::open_progs() const {
  std::vector<std::string> out;
  for (const auto& name : session_.prog_names()) {
    if (!session_.prog_closed(name)) out.push_back(name);
  }
  return out;
}

std::vector<std::string> ActionResolver::open_links() const {
  std::vector<std::string> out;
  for (const auto& name : session_.link_names()) {
    if (!session_.link_closed(name)) out.push_back(name);
  }
  return out;
}

Relative ActionResolver::relative_of(const Action& a) const {
  Relative r;
  const auto progs = session_.prog_names();
  const auto links = session_.link_names();
  switch (a.relative % 4) {
    case 1:
      if (progs.empty()) return r;
      r.kind = Relative::Kind::kProg;
      r.name = progs[a.relative_pick % progs.size()];
      break;
    case 2:
      if (links.empty()) return r;
      r.kind = Relative::Kind::kLink;
      r.name = links[a.relative_pick % links.size()];
      break;
    case 3:
      r.kind = a.relative_pick % 2 ? Relative::Kind::kLink : Relative::Kind::kProg;
      r.raw = kRawObjects[(a.relative_pick / 2) % kRawObjects.size()];
      break;
    default:
      return r;
  }
  r.by_id = a.by_id;
  return r;
}

u64 ActionResolver::expected_revision_of(const Action& a, u64 current) const {
  if (variant_.revision_bits == 64) {
    // A 64-bit revision on both sides: near values stay untruncated.
    switch (a.revision % 5) {
      case 1:
        return current;
      case 2:
        return current - 1;
      case 3:
        return current + 1;
      case 4:
        return 0x80000000ULL;
      default:
        return 0;
    }
  }
  switch (a.revision % 5) {
    case 1:
      return current;
    case 2:
      return static_cast<u32>(current - 1);
    case 3:
      return static_cast<u32>(current + 1);
    case 4:
      return 0x80000000ULL;
    default:
      return 0;
  }
}

std::vector<std::string> ActionResolver::flags_of(const Action& a) const {
  // Without FIRST/LAST (upstream), those bits of the action pick nothing.
  const u32 flags = variant_.first_last ? a.flags : a.flags & ~(kActionFlagFirst | kActionFlagLast);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < kFlagNames.size(); i++) {
    if (flags & (1U << i)) out.emplace_back(kFlagNames[i]);
  }
  return out;
}

void ActionResolver::resolve_attach_many(const Action& a, std::vector<Step>* out) {
  // Each load is resolved now; the attaches name the programs just loaded.
  // Without FIRST/LAST (upstream), the array fills in one batch a quarter of the
  // time: the limit shows on attach and on detach (the back of a full array is out
  // of range).
  const bool batches = !variant_.first_last;
  for (u32 k = 0, n = batches && a.count % 4 == 0 ? 63 : 1 + a.count % 64;
       k < n && progs_loaded_ < kProgsMax; k++) {
    Step load;
    load.op = StepOp::kLoad;
    load.prog = new_prog_name();
    Step attach;
    attach.op = StepOp::kAttach;
    attach.prog = load.prog;
    // Upstream: prepend or append the whole batch sometimes, so that a BEFORE
    // meets a full array (the bug "Fix maximum program check" fixed).
    if (batches && (a.flags & kActionFlagBefore)) {
      attach.flags = {"BEFORE"};
    } else if (batches && (a.flags & kActionFlagAfter)) {
      attach.flags = {"AFTER"};
    }
    out->push_back(load);
    out->push_back(attach);
  }
}

void ActionResolver::resolve_attach(const Action& a, u64 current_revision,
                                    const std::vector<std::string>& progs, std::vector<Step>* out) {
  const auto open = open_progs();
  if (open.empty()) return;
  Step s;
  if (a.kind == ActionKind::kLinkAttach) {
    if (link_attempts_ >= kLinksMax) return;
    s.op = StepOp::kLinkAttach;
    // A fresh name per attempt: a failed attempt's name is never bound again, so
    // the steps stay a valid file with their expectations removed (shrinking).
    s.link = "L" + std::to_string(link_attempts_ + 1);
    link_attempts_++;
  } else {
    s.op = StepOp::kAttach;
  }
  s.prog = open[a.prog % open.size()];
  s.flags = flags_of(a);
  s.relative = relative_of(a);
  s.expected_revision = expected_revision_of(a, current_revision);
  // Upstream REPLACE names its program in replace_bpf_fd; sometimes leave it out
  // (fd 0) to reach the lookup error.
  if (variant_.replace_field && s.op == StepOp::kAttach && (a.flags & kActionFlagReplace) &&
      a.other % 5 != 0) {
    s.replace = progs[a.other % progs.size()];
  }
  out->push_back(s);
}

Step ActionResolver::detach_step(const Action& a, u64 current_revision,
                                 const std::vector<std::string>& progs) const {
  Step s;
  s.op = StepOp::kDetach;
  if (!variant_.first_last) {
    // Without FIRST/LAST (upstream) a victim is named by position alone in many
    // ways (front, back, next to a relative): leave the program out a quarter of
    // the time.
    if (!progs.empty() && a.prog % 4 != 0) s.prog = progs[(a.prog / 4) % progs.size()];
  } else if (!progs.empty() && a.prog % (progs.size() + 1) != progs.size()) {
    s.prog = progs[a.prog % (progs.size() + 1)];
  }
  s.flags = flags_of(a);
  s.relative = relative_of(a);
  s.expected_revision = expected_revision_of(a, current_revision);
  return s;
}

std::vector<Step> ActionResolver::resolve(const Action& a, u64 current_revision) {
  std::vector<Step> out;
  Step s;
  const auto progs = session_.prog_names();
  const auto open = open_progs();
  const auto links = session_.link_names();
  switch (a.kind) {
    case ActionKind::kLoad:
      if (progs_loaded_ >= kProgsMax) break;
      s.op = StepOp::kLoad;
      s.prog = new_prog_name();
      s.prog_type = a.prog % 8 == 7 ? "xdp" : "tcx";
      out.push_back(s);
      break;
    case ActionKind::kAttach:
    case ActionKind::kLinkAttach:
      resolve_attach(a, current_revision, progs, &out);
      break;
    case ActionKind::kDetach:
      out.push_back(detach_step(a, current_revision, progs));
      break;
    case ActionKind::kLinkUpdate:
      if (links.empty() || open.empty()) break;
      s.op = StepOp::kLinkUpdate;
      s.link = links[a.other % links.size()];
      s.prog = open[a.prog % open.size()];
      if (a.relative_pick % 3 != 0) s.old_prog = progs[a.relative_pick % progs.size()];
      out.push_back(s);
      break;
    case ActionKind::kLinkDetach:
      if (links.empty()) break;
      s.op = StepOp::kLinkDetach;
      s.link = links[a.other % links.size()];
      out.push_back(s);
      break;
    case ActionKind::kProgClose:
      if (open.empty()) break;
      s.op = StepOp::kProgClose;
      s.prog = open[a.prog % open.size()];
      out.push_back(s);
      break;
    case ActionKind::kLinkClose: {
      const auto open_l = open_links();
      if (open_l.empty()) break;
      s.op = StepOp::kLinkClose;
      s.link = open_l[a.other % open_l.size()];
      out.push_back(s);
      break;
    }
    case ActionKind::kQuery: {
      constexpr std::array<std::optional<u32>, 4> kBuffers = {std::nullopt, 0U, 1U, 2U};
      s.op = StepOp::kQuery;
      s.buffer = kBuffers[a.count % kBuffers.size()];
      out.push_back(s);
      break;
    }
    case ActionKind::kRun:
      s.op = StepOp::kRun;
      out.push_back(s);
      break;
    case ActionKind::kMiniqInc:
      s.op = StepOp::kMiniqInc;
      out.push_back(s);
      break;
    case ActionKind::kMiniqDec:
      if (spec_.miniq_holds() == 0) break;
      s.op = StepOp::kMiniqDec;
      out.push_back(s);
      break;
    case ActionKind::kAttachMany:
      resolve_attach_many(a, &out);
      break;
  }
  return out;
}

Scenario resolve_actions(const std::vector<Action>& actions, Semantics semantics,
                         u64 initial_revision) {
  Scenario scenario;
  scenario.semantics = semantics;
  if (initial_revision != 1) scenario.initial_revision = initial_revision;
  std::unique_ptr<MprogApi> spec = make_spec(semantics);
  ScenarioSession session(*spec, initial_revision, semantics, NameBinding::kFromResult);
  ActionResolver resolver(session, *spec, semantics);
  for (const Action& action : actions) {
    // The revision as a full query reports it (1 when the query writes nothing).
    const QueryResult query = spec->prog_query(QueryAttr{0, 0, 256});
    const u64 current = query.written ? query.revision : 1;
    for (const Step& step : resolver.resolve(action, current)) {
      scenario.steps.push_back(session.step(step).observed);
    }
  }
  return scenario;
}

}  // namespace mprogsim
