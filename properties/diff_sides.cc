// SPDX-License-Identifier: GPL-2.0
#include "properties/diff_sides.h"

#include <algorithm>

namespace mprogsim::properties::diff {

Step make_step(StepOp op) {
  Step s;
  s.op = op;
  return s;
}

Relative relative_to(Relative::Kind kind, const std::string& name, bool by_id) {
  Relative r;
  r.kind = kind;
  r.name = name;
  r.by_id = by_id;
  return r;
}

std::string join(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); i++) out += (i ? "," : "") + items[i];
  return out + "]";
}

std::string query_text(const Step& q) {
  std::string out = q.expect.value_or("?");
  if (q.expect_count) out += " count=" + std::to_string(*q.expect_count);
  if (q.expect_revision) out += " revision=" + std::to_string(*q.expect_revision);
  if (q.expect_progs) out += " progs=" + join(*q.expect_progs);
  if (q.expect_links) {
    std::vector<std::string> links;
    for (const auto& l : *q.expect_links) links.push_back(l.value_or("null"));
    out += " links=" + join(links);
  }
  if (q.expect_flags) {
    std::vector<std::string> flags;
    for (const auto& f : *q.expect_flags) flags.push_back(join(f));
    out += " flags=" + join(flags);
  }
  return out;
}

Step query_step(std::optional<u32> buffer) {
  Step s = make_step(StepOp::kQuery);
  s.buffer = buffer;
  return s;
}

Step refs_step(const std::vector<std::string>& progs, const std::vector<std::string>& links) {
  Step s = make_step(StepOp::kRefs);
  s.expect_refs.emplace();
  for (const auto& name : progs) (*s.expect_refs)[name] = 0;
  for (const auto& name : links) (*s.expect_refs)[name] = 0;
  return s;
}

View observe(Side& side) {
  static const Step kSteps[kObservations] = {query_step(std::nullopt), query_step(0U),
                                             query_step(1U), make_step(StepOp::kRun)};
  View v;
  for (const Step& s : kSteps) {
    v.answers.push_back(side.step(s).observed);
    const Step& a = v.answers.back();
    v.key += s.op == StepOp::kRun ? "ran=" + join(*a.expect_ran) : query_text(a);
    v.key += ";";
  }
  const auto& session = side.session();
  const auto progs = session.prog_names();
  const auto links = session.link_names();
  v.answers.push_back(side.step(refs_step(progs, links)).observed);
  for (const auto& [name, refs] : *v.answers.back().expect_refs) {
    const bool closed = std::binary_search(progs.begin(), progs.end(), name)
                            ? session.prog_closed(name)
                            : session.link_closed(name);
    v.key += name + (closed ? "(closed)" : "") + "=" + std::to_string(refs) + ",";
  }
  v.key += ";holds=" + std::to_string(side.holds());
  return v;
}

}  // namespace mprogsim::properties::diff
