// SPDX-License-Identifier: GPL-2.0
#include "scenario/scenario.h"

#include <array>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "model/uapi.h"
#include "model/variant_registry.h"
#include "scenario/json_input.h"

namespace mprogsim {
namespace {

using json = nlohmann::ordered_json;

constexpr std::array<std::pair<StepOp, const char*>, 13> kOps = {{
    {StepOp::kLoad, "load"},
    {StepOp::kAttach, "attach"},
    {StepOp::kLinkAttach, "link_attach"},
    {StepOp::kLinkUpdate, "link_update"},
    {StepOp::kDetach, "detach"},
    {StepOp::kLinkDetach, "link_detach"},
    {StepOp::kQuery, "query"},
    {StepOp::kRun, "run"},
    {StepOp::kProgClose, "prog_close"},
    {StepOp::kLinkClose, "link_close"},
    {StepOp::kMiniqInc, "miniq_inc"},
    {StepOp::kMiniqDec, "miniq_dec"},
    {StepOp::kRefs, "refs"},
}};

// The fields each op accepts besides "op" (scenario-format.md, table "Steps").
const std::set<std::string>& allowed_fields(StepOp op) {
  static const std::map<StepOp, std::set<std::string>> kAllowed = {
      {StepOp::kLoad, {"prog", "type"}},
      {StepOp::kAttach, {"prog", "flags", "relative", "replace", "expected_revision", "expect"}},
      {StepOp::kLinkAttach, {"link", "prog", "flags", "relative", "expected_revision", "expect"}},
      {StepOp::kLinkUpdate, {"link", "prog", "old_prog", "expect"}},
      {StepOp::kDetach, {"prog", "flags", "relative", "expected_revision", "expect"}},
      {StepOp::kLinkDetach, {"link", "expect"}},
      {StepOp::kQuery,
       {"buffer", "expect", "expect_count", "expect_revision", "expect_progs", "expect_links",
        "expect_flags"}},
      {StepOp::kRun, {"expect_ran"}},
      {StepOp::kProgClose, {"prog"}},
      {StepOp::kLinkClose, {"link", "expect"}},
      {StepOp::kMiniqInc, {}},
      {StepOp::kMiniqDec, {}},
      {StepOp::kRefs, {"expect_refs"}},
  };
  return kAllowed.at(op);
}

using json_input::fail;
using json_input::get_string;
using json_input::get_u32;
using json_input::get_u64;

// [A-Za-z][A-Za-z0-9_]*, checked by a loop: std::regex_match recurses once per
// character and overflows the stack on a long name.
bool is_valid_name(const std::string& s) {
  auto letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (s.empty() || !letter(s[0])) return false;
  for (char c : s) {
    if (!letter(c) && !digit(c) && c != '_') return false;
  }
  return true;
}

std::string get_name(const json& v, const std::string& where) {
  if (!v.is_string()) fail(where, "expected a name (string)");
  const auto s = v.get<std::string>();
  if (s.size() > kMaxNameLength) {
    fail(where, "a name has at most " + std::to_string(kMaxNameLength) + " characters, not " +
                    std::to_string(s.size()));
  }
  if (!is_valid_name(s)) fail(where, quote_input(s) + " is not a valid name");
  return s;
}

std::vector<std::string> get_names(const json& v, const std::string& where) {
  if (!v.is_array()) fail(where, "expected an array of names");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < v.size(); i++) {
    out.push_back(get_name(v[i], where + "[" + std::to_string(i) + "]"));
  }
  return out;
}

// " (FIRST exists only in v2)" for a flag other variants have, else "".
std::string elsewhere(const std::string& flag) {
  std::string names;
  for (const VariantInfo& other : all_variants()) {
    if (other.has_flag(flag)) names += (names.empty() ? "" : " and ") + std::string(other.name);
  }
  return names.empty() ? "" : " (" + flag + " exists only in " + names + ")";
}

std::vector<std::string> get_flag_names(const json& v, const std::string& where,
                                        Semantics semantics) {
  const VariantInfo& variant = variant_info(semantics);
  if (!v.is_array()) fail(where, "expected an array of flag names");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < v.size(); i++) {
    const std::string at = where + "[" + std::to_string(i) + "]";
    const auto flag = get_string(v[i], at);
    if (!variant.has_flag(flag)) fail(at, "unknown flag " + quote_input(flag) + elsewhere(flag));
    out.push_back(flag);
  }
  return out;
}

Relative get_relative(const json& v, const std::string& where) {
  if (!v.is_object()) fail(where, "expected an object");
  Relative r;
  for (const auto& [key, value] : v.items()) {
    const std::string at = where + "." + key;
    if (key == "kind") {
      const auto kind = get_string(value, at);
      if (kind == "prog") {
        r.kind = Relative::Kind::kProg;
      } else if (kind == "link") {
        r.kind = Relative::Kind::kLink;
      } else if (kind == "none") {
        r.kind = Relative::Kind::kNone;
      } else {
        fail(at, "kind must be prog, link or none, not " + quote_input(kind));
      }
    } else if (key == "name") {
      r.name = get_name(value, at);
    } else if (key == "raw") {
      r.raw = get_u32(value, at);
    } else if (key == "by") {
      const auto by = get_string(value, at);
      if (by != "id" && by != "fd") fail(at, "by must be id or fd, not " + quote_input(by));
      r.by_id = by == "id";
    } else {
      fail(at, "unknown field");
    }
  }
  if (!v.contains("kind")) fail(where, "missing field 'kind'");
  if (r.kind == Relative::Kind::kNone) {
    if (r.name || r.raw) fail(where, "kind none takes no name or raw");
  } else if (r.name.has_value() == r.raw.has_value()) {
    fail(where, "give exactly one of 'name' and 'raw'");
  }
  return r;
}

// One of a step's expect* fields (`expected_revision` is an argument, not one).
void parse_expectation(const std::string& key, const json& value, const std::string& at,
                       Semantics semantics, Step* out) {
  Step& step = *out;
  if (key == "expect") {
    step.expect = get_string(value, at);
    if (!errno_from_name(*step.expect) && !(step.expect->size() > 1 && (*step.expect)[0] == 'E')) {
      fail(at, "expect must be OK or an errno name, not " + quote_input(*step.expect));
    }
  } else if (key == "expect_count") {
    step.expect_count = get_u32(value, at);
  } else if (key == "expect_revision") {
    step.expect_revision = get_u64(value, at);
  } else if (key == "expect_progs") {
    step.expect_progs = get_names(value, at);
  } else if (key == "expect_ran") {
    step.expect_ran = get_names(value, at);
  } else if (key == "expect_links") {
    if (!value.is_array()) fail(at, "expected an array of link names or null");
    std::vector<std::optional<std::string>> links;
    for (std::size_t i = 0; i < value.size(); i++) {
      if (value[i].is_null()) {
        links.push_back(std::nullopt);
      } else {
        links.push_back(get_name(value[i], at + "[" + std::to_string(i) + "]"));
      }
    }
    step.expect_links = std::move(links);
  } else if (key == "expect_flags") {
    if (!value.is_array()) fail(at, "expected an array of flag-name arrays");
    std::vector<std::vector<std::string>> flags;
    for (std::size_t i = 0; i < value.size(); i++) {
      flags.push_back(get_flag_names(value[i], at + "[" + std::to_string(i) + "]", semantics));
    }
    step.expect_flags = std::move(flags);
  } else if (key == "expect_refs") {
    if (!value.is_object()) fail(at, "expected an object of name: count");
    std::map<std::string, u64> refs;
    for (const auto& [name, count] : value.items()) {
      refs[get_name(json(name), at)] = get_u64(count, at + "." + name);
    }
    step.expect_refs = std::move(refs);
  }
}

Step parse_step(const json& v, const std::string& where, Semantics semantics) {
  if (!v.is_object()) fail(where, "a step must be an object");
  if (!v.contains("op")) fail(where, "missing field 'op'");
  Step step;
  const auto op_name = get_string(v["op"], where + ".op");
  bool known = false;
  for (const auto& [op, name] : kOps) {
    if (op_name == name) {
      step.op = op;
      known = true;
    }
  }
  if (!known) fail(where + ".op", "unknown op " + quote_input(op_name));
  const auto& allowed = allowed_fields(step.op);
  for (const auto& [key, value] : v.items()) {
    const std::string at = where + "." + key;
    if (key == "op") continue;
    if (!allowed.count(key)) fail(at, "unknown field for op '" + op_name + "'");
    if (key == "prog") {
      if (value.is_null() && step.op == StepOp::kDetach) continue;
      step.prog = get_name(value, at);
    } else if (key == "type") {
      step.prog_type = get_string(value, at);
      if (step.prog_type != "tcx" && step.prog_type != "xdp") {
        fail(at, "program type must be tcx or xdp");
      }
    } else if (key == "link") {
      step.link = get_name(value, at);
    } else if (key == "old_prog") {
      if (!value.is_null()) step.old_prog = get_name(value, at);
    } else if (key == "flags") {
      step.flags = get_flag_names(value, at, semantics);
    } else if (key == "relative") {
      step.relative = get_relative(value, at);
    } else if (key == "replace") {
      if (!value.is_null()) step.replace = get_name(value, at);
    } else if (key == "expected_revision") {
      if (!value.is_null()) step.expected_revision = get_u64(value, at);
    } else if (key == "buffer") {
      if (!value.is_null()) step.buffer = get_u32(value, at);
    } else if (key.starts_with("expect")) {
      parse_expectation(key, value, at, semantics, &step);
    }
  }
  // Required fields.
  const bool needs_prog = step.op == StepOp::kLoad || step.op == StepOp::kAttach ||
                          step.op == StepOp::kLinkAttach || step.op == StepOp::kLinkUpdate ||
                          step.op == StepOp::kProgClose;
  const bool needs_link = step.op == StepOp::kLinkAttach || step.op == StepOp::kLinkUpdate ||
                          step.op == StepOp::kLinkDetach || step.op == StepOp::kLinkClose;
  if (needs_prog && !step.prog) fail(where, "missing field 'prog'");
  if (needs_link && !step.link) fail(where, "missing field 'link'");
  return step;
}

Scenario parse_one(const json& v, const std::string& where,
                   const std::set<std::string>& extra = {}) {
  if (!v.is_object()) fail(where, "a scenario must be an object");
  Scenario s;
  if (!v.contains("semantics")) fail(where, "missing field 'semantics'");
  const auto semantics = get_string(v["semantics"], where + ".semantics");
  const VariantInfo* variant = variant_named(semantics);
  if (!variant) {
    fail(where + ".semantics",
         "must be " + variant_names(" or ") + ", not " + quote_input(semantics));
  }
  s.semantics = variant->semantics;
  for (const auto& [key, value] : v.items()) {
    const std::string at = where + "." + key;
    if (key == "name") {
      s.name = get_string(value, at);
    } else if (key == "semantics" || extra.count(key)) {
      continue;
    } else if (key == "initial_revision") {
      if (!value.is_null()) s.initial_revision = get_u64(value, at);
    } else if (key == "steps") {
      if (!value.is_array()) fail(at, "expected an array of steps");
      if (value.size() > kMaxScenarioSteps) {
        fail(at, "more than " + std::to_string(kMaxScenarioSteps) + " steps");
      }
      for (std::size_t i = 0; i < value.size(); i++) {
        s.steps.push_back(parse_step(value[i], at + "[" + std::to_string(i) + "]", s.semantics));
      }
    } else {
      fail(at, "unknown field");
    }
  }
  if (!v.contains("steps")) fail(where, "missing field 'steps'");
  return s;
}

json relative_json(const Relative& r) {
  json j = json::object();
  switch (r.kind) {
    case Relative::Kind::kNone:
      j["kind"] = "none";
      return j;
    case Relative::Kind::kProg:
      j["kind"] = "prog";
      break;
    case Relative::Kind::kLink:
      j["kind"] = "link";
      break;
  }
  if (r.name) j["name"] = *r.name;
  if (r.raw) j["raw"] = *r.raw;
  j["by"] = r.by_id ? "id" : "fd";
  return j;
}

}  // namespace

const char* step_op_name(StepOp op) {
  for (const auto& [known, name] : kOps) {
    if (known == op) return name;
  }
  return "?";
}

std::vector<Scenario> parse_scenarios(const std::string& text) {
  const json doc = parse_json_strictly(text);
  std::vector<Scenario> out;
  if (doc.is_array()) {
    for (std::size_t i = 0; i < doc.size(); i++) {
      out.push_back(parse_one(doc[i], "$[" + std::to_string(i) + "]"));
    }
  } else {
    out.push_back(parse_one(doc, "$"));
  }
  return out;
}

Scenario parse_scenario_json(const nlohmann::ordered_json& v, const std::string& where,
                             const std::set<std::string>& extra_fields) {
  return parse_one(v, where, extra_fields);
}

std::string write_scenario(const Scenario& s) { return scenario_to_json(s).dump(1) + "\n"; }

nlohmann::ordered_json scenario_to_json(const Scenario& s) {
  json j;
  j["name"] = s.name;
  j["semantics"] = variant_info(s.semantics).name;
  if (s.initial_revision) j["initial_revision"] = *s.initial_revision;
  j["steps"] = json::array();
  for (const Step& step : s.steps) {
    json o;
    o["op"] = step_op_name(step.op);
    if (step.link) o["link"] = *step.link;
    if (step.prog) {
      o["prog"] = *step.prog;
    } else if (step.op == StepOp::kDetach) {
      o["prog"] = nullptr;
    }
    if (step.op == StepOp::kLoad && step.prog_type != "tcx") o["type"] = step.prog_type;
    if (step.op == StepOp::kLinkUpdate && step.old_prog) o["old_prog"] = *step.old_prog;
    if (!step.flags.empty()) o["flags"] = step.flags;
    if (step.relative.kind != Relative::Kind::kNone) o["relative"] = relative_json(step.relative);
    if (step.replace) o["replace"] = *step.replace;
    if (step.expected_revision) o["expected_revision"] = step.expected_revision;
    if (step.op == StepOp::kQuery && step.buffer) o["buffer"] = *step.buffer;
    if (step.expect) o["expect"] = *step.expect;
    if (step.expect_count) o["expect_count"] = *step.expect_count;
    if (step.expect_revision) o["expect_revision"] = *step.expect_revision;
    if (step.expect_progs) o["expect_progs"] = *step.expect_progs;
    if (step.expect_links) {
      json links = json::array();
      for (const auto& l : *step.expect_links) links.push_back(l ? json(*l) : json(nullptr));
      o["expect_links"] = links;
    }
    if (step.expect_flags) o["expect_flags"] = *step.expect_flags;
    if (step.expect_ran) o["expect_ran"] = *step.expect_ran;
    if (step.expect_refs) o["expect_refs"] = *step.expect_refs;
    j["steps"].push_back(o);
  }
  return j;
}

}  // namespace mprogsim
