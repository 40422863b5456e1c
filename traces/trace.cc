// SPDX-License-Identifier: GPL-2.0
#include "traces/trace.h"

#include <nlohmann/json.hpp>

#include "model/mutants.h"
#include "scenario/json_input.h"
#include "sim/property_names.h"

namespace mprogsim {
namespace {

using json = nlohmann::ordered_json;

using json_input::fail;
using json_input::get_string;
using json_input::get_u32;
using json_input::get_u64;

const std::set<std::string> kTraceFields = {"format",  "version",  "mutant",
                                            "readers", "passes",   "start_readers_after",
                                            "origin",  "schedule", "outcome"};

sim::ThreadId thread_of(const std::string& name, std::uint32_t readers, const std::string& where) {
  if (name == "C") return sim::kControlThread;
  if (name == "rcu") return sim::kRcuThread;
  // R1..R999 as written by write_trace (no leading zero), so that a thread has one
  // spelling and a file round-trips byte for byte.
  if (name.size() >= 2 && name[0] == 'R' && name[1] != '0' &&
      name.find_first_not_of("0123456789", 1) == std::string::npos && name.size() <= 4) {
    const auto n = std::stoul(name.substr(1));
    if (n >= 1 && n <= readers) return static_cast<sim::ThreadId>(n);
    fail(where, "thread '" + name + "' does not exist (the trace has " + std::to_string(readers) +
                    " readers)");
  }
  fail(where, "unknown thread " + quote_input(name) + " (C, R1..Rn or rcu)");
}

std::vector<sim::ThreadId> parse_schedule(const json& v, std::uint32_t readers) {
  if (!v.is_array()) fail("$.schedule", "expected an array of [thread, count] runs");
  std::vector<sim::ThreadId> out;
  for (std::size_t i = 0; i < v.size(); i++) {
    const std::string at = "$.schedule[" + std::to_string(i) + "]";
    const json& run = v[i];
    if (!run.is_array() || run.size() != 2) fail(at, "expected [thread, count]");
    const sim::ThreadId t = thread_of(get_string(run[0], at + "[0]"), readers, at + "[0]");
    const std::uint64_t count = get_u64(run[1], at + "[1]");
    // No execution runs longer than kMaxScheduleSteps (ExecutionOptions::max_steps).
    const std::string limit = std::to_string(kMaxScheduleSteps);
    if (count == 0 || count > kMaxScheduleSteps) fail(at + "[1]", "count must be 1.." + limit);
    if (out.size() + count > kMaxScheduleSteps)
      fail(at, "schedule longer than " + limit + " steps");
    out.insert(out.end(), count, t);
  }
  return out;
}

TraceOrigin parse_origin(const json& v) {
  if (!v.is_object()) fail("$.origin", "expected an object");
  TraceOrigin o;
  for (const auto& [key, value] : v.items()) {
    const std::string at = "$.origin." + key;
    if (key == "strategy") {
      o.strategy = get_string(value, at);
    } else if (key == "seed") {
      o.seed = get_u64(value, at);
    } else if (key == "pct_depth") {
      o.pct_depth = get_u32(value, at);
    } else if (key == "preemption_bound") {
      o.preemption_bound = get_u32(value, at);
    } else if (key == "execution") {
      o.execution = get_u64(value, at);
    } else {
      fail(at, "unknown field");
    }
  }
  return o;
}

TraceOutcome parse_outcome(const json& v, std::uint32_t readers) {
  if (!v.is_object()) fail("$.outcome", "expected an object");
  TraceOutcome o;
  if (!v.contains("result")) fail("$.outcome", "missing field 'result'");
  for (const auto& [key, value] : v.items()) {
    const std::string at = "$.outcome." + key;
    if (key == "result") {
      const std::string r = get_string(value, at);
      if (r != "violation" && r != "pass")
        fail(at, "must be 'violation' or 'pass', not " + quote_input(r));
      o.violation = r == "violation";
    } else if (key == "property") {
      o.property = get_string(value, at);
      if (!sim::is_property_name(o.property)) {
        std::string known;
        for (const auto name : sim::kPropertyNames)
          known += (known.empty() ? "" : ", ") + std::string(name);
        fail(at, "unknown property " + quote_input(o.property) + " (" + known + ")");
      }
    } else if (key == "step") {
      o.step = get_u64(value, at);
    } else if (key == "thread") {
      o.thread = get_string(value, at);
      if (!o.thread.empty()) thread_of(o.thread, readers, at);
    } else if (key == "message") {
      o.message = get_string(value, at);
    } else if (key == "evidence") {
      if (!value.is_object()) fail(at, "expected an object of strings");
      for (const auto& [k, e] : value.items())
        o.evidence.emplace_back(k, get_string(e, at + "." + k));
    } else {
      fail(at, "unknown field");
    }
  }
  if (o.violation && o.property.empty()) fail("$.outcome", "a violation needs a 'property'");
  // A pass has nothing else to say; details on one would be silently dropped.
  if (!o.violation) {
    for (const char* key : {"property", "step", "thread", "message", "evidence"}) {
      if (v.contains(key)) fail("$.outcome." + std::string(key), "only a violation has this field");
    }
  }
  return o;
}

// `value` on one line, with the spacing of dump(1): {"op": "load", "prog": "P1"}.
std::string one_line(const json& value) {
  std::string out;
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      out += (out.empty() ? "{" : ", ") + json(key).dump() + ": " + one_line(item);
    }
    return out.empty() ? "{}" : out + "}";
  }
  if (value.is_array()) {
    for (const auto& item : value) out += (out.empty() ? "[" : ", ") + one_line(item);
    return out.empty() ? "[]" : out + "]";
  }
  return value.dump();
}

// The file text: dump(1) everywhere, except that each step and each schedule run
// is one line, so that a trace reads (and diffs) one decision per line.
std::string render(const json& doc) {
  std::string out = "{\n";
  std::size_t left = doc.size();
  for (const auto& [key, value] : doc.items()) {
    out += " " + json(key).dump() + ": ";
    if ((key == "steps" || key == "schedule") && value.is_array() && !value.empty()) {
      out += "[\n";
      for (std::size_t i = 0; i < value.size(); i++) {
        out += "  " + one_line(value[i]) + (i + 1 < value.size() ? ",\n" : "\n");
      }
      out += " ]";
    } else {
      std::string nested = value.dump(1);
      for (std::size_t at = nested.find('\n'); at != std::string::npos;
           at = nested.find('\n', at + 2)) {
        nested.insert(at + 1, " ");
      }
      out += nested;
    }
    out += --left ? ",\n" : "\n";
  }
  return out + "}\n";
}

}  // namespace

bool looks_like_trace(const std::string& text) {
  try {
    const json doc = parse_json_strictly(text);
    return doc.is_object() && doc.contains("format");
  } catch (const ScenarioError&) {  // the scenario reader will say what is wrong
    return false;
  }
}

Trace parse_trace(const std::string& text) {
  const json doc = parse_json_strictly(text);
  if (!doc.is_object()) fail("$", "a trace must be an object");
  if (!doc.contains("format")) fail("$", "missing field 'format'");
  if (get_string(doc["format"], "$.format") != kTraceFormat) {
    fail("$.format", std::string("must be '") + kTraceFormat + "'");
  }
  if (!doc.contains("version")) fail("$", "missing field 'version'");
  const std::uint64_t version = get_u64(doc["version"], "$.version");
  if (version != kTraceVersion) {
    fail("$.version", "unknown version " + std::to_string(version) + " (this mprogsim reads " +
                          std::to_string(kTraceVersion) + ")");
  }
  Trace t;
  t.scenario = parse_scenario_json(doc, "$", kTraceFields);
  if (doc.contains("readers")) {
    // Range-checked before narrowing: 2^32 + 1 readers is an error, not 1 reader.
    const std::uint64_t readers = get_u64(doc["readers"], "$.readers");
    if (readers > sim::kMaxReaders) {
      fail("$.readers", "at most " + std::to_string(sim::kMaxReaders) + " readers");
    }
    t.readers = static_cast<std::uint32_t>(readers);
  }
  if (doc.contains("passes")) {
    const std::uint64_t passes = get_u64(doc["passes"], "$.passes");
    // As `check --passes`: the events of --dot and --explain grow with every pass.
    if (passes > kMaxTracePasses) {
      fail("$.passes", "at most " + std::to_string(kMaxTracePasses) + " passes");
    }
    t.passes = static_cast<std::uint32_t>(passes);
  }
  if (doc.contains("start_readers_after")) {
    const std::uint64_t k = get_u64(doc["start_readers_after"], "$.start_readers_after");
    if (k > 100000000) fail("$.start_readers_after", "at most 100000000 steps");
    t.start_readers_after = static_cast<std::uint32_t>(k);
  }
  if (doc.contains("mutant")) {
    t.mutant = get_string(doc["mutant"], "$.mutant");
    if (!mutant_from_name(t.mutant)) fail("$.mutant", "unknown mutant " + quote_input(t.mutant));
  }
  if (doc.contains("origin")) t.origin = parse_origin(doc["origin"]);
  if (doc.contains("schedule")) t.schedule = parse_schedule(doc["schedule"], t.readers);
  if (doc.contains("outcome")) t.outcome = parse_outcome(doc["outcome"], t.readers);
  return t;
}

std::string write_trace(const Trace& t) {
  json j;
  j["format"] = kTraceFormat;
  j["version"] = kTraceVersion;
  const json scenario = scenario_to_json(t.scenario);
  for (const auto& [key, value] : scenario.items()) {
    if (key != "steps") j[key] = value;
  }
  j["mutant"] = t.mutant;
  j["readers"] = t.readers;
  j["passes"] = t.passes;
  // Written only when set, so that traces from before the field keep their bytes.
  if (t.start_readers_after) j["start_readers_after"] = t.start_readers_after;
  if (t.origin) {
    json o;
    o["strategy"] = t.origin->strategy;
    o["seed"] = t.origin->seed;
    if (t.origin->strategy == "pct") o["pct_depth"] = t.origin->pct_depth;
    if (t.origin->strategy == "dfs") o["preemption_bound"] = t.origin->preemption_bound;
    o["execution"] = t.origin->execution;
    j["origin"] = o;
  }
  j["steps"] = scenario["steps"];
  json schedule = json::array();
  for (std::size_t i = 0; i < t.schedule.size();) {
    std::size_t k = i;
    while (k < t.schedule.size() && t.schedule[k] == t.schedule[i]) k++;
    schedule.push_back(json::array({sim::thread_name(t.schedule[i]), k - i}));
    i = k;
  }
  j["schedule"] = schedule;
  if (t.outcome) {
    json o;
    o["result"] = t.outcome->violation ? "violation" : "pass";
    if (t.outcome->violation) {
      o["property"] = t.outcome->property;
      o["step"] = t.outcome->step;
      o["thread"] = t.outcome->thread;
      o["message"] = t.outcome->message;
      json e = json::object();
      for (const auto& [k, v] : t.outcome->evidence) e[k] = v;
      o["evidence"] = e;
    }
    j["outcome"] = o;
  }
  return render(j);
}

std::string schedule_text(const std::vector<sim::ThreadId>& schedule) {
  std::string out;
  for (std::size_t i = 0; i < schedule.size();) {
    std::size_t k = i;
    while (k < schedule.size() && schedule[k] == schedule[i]) k++;
    if (!out.empty()) out += " ";
    out += sim::thread_name(schedule[i]);
    if (k - i > 1) out += "*" + std::to_string(k - i);
    i = k;
  }
  return out;
}

std::string schedule_entry_path(const std::vector<sim::ThreadId>& schedule, std::uint64_t index) {
  std::size_t run = 0;
  for (std::size_t i = 0; i < schedule.size(); run++) {
    std::size_t k = i;
    while (k < schedule.size() && schedule[k] == schedule[i]) k++;
    if (index < k) return "$.schedule[" + std::to_string(run) + "]";
    i = k;
  }
  return "$.schedule";
}

}  // namespace mprogsim
