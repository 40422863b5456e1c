// SPDX-License-Identifier: GPL-2.0
#include "tools/results.h"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <tuple>

#include "sim/distinct_states.h"
#include "sim/property_names.h"
#include "traces/atomic_file.h"

namespace mprogsim::tools {
namespace {

using json = nlohmann::ordered_json;

json occurrence_json(const Occurrence& o, bool violation) {
  json j;
  j["phase"] = o.phase;
  j[violation ? "property" : "name"] = o.property;
  if (violation) j["location"] = o.location;
  if (violation && !o.finding.empty()) j["finding"] = o.finding;
  j["count"] = o.count;
  // A schedule step (from 0, as a trace's outcome.step), never a bare "step": that is
  // a control step, from 1 (docs/scenario-format.md, "Step numbers").
  j["first"] = {{"workload", o.workload}, {"execution", o.execution}, {"schedule_step", o.step}};
  j["message"] = o.message;
  j["trace"] = o.trace.empty() ? json(nullptr) : json(o.trace);
  if (violation) j["shrunk"] = o.shrunk;
  return j;
}

// Strict readers: a summary written by another version or edited by hand is
// refused with the path of what is wrong, never half understood.
const json& field(const json& j, const std::string& key, const std::string& path) {
  if (!j.is_object() || !j.contains(key))
    throw std::runtime_error(path + ": missing field '" + key + "'");
  return j.at(key);
}
std::uint64_t u64_field(const json& j, const std::string& key, const std::string& path) {
  const json& v = field(j, key, path);
  if (!v.is_number_unsigned())
    throw std::runtime_error(path + "." + key + ": expected an unsigned integer");
  return v.get<std::uint64_t>();
}
bool bool_field(const json& j, const std::string& key, const std::string& path) {
  const json& v = field(j, key, path);
  if (!v.is_boolean()) throw std::runtime_error(path + "." + key + ": expected true or false");
  return v.get<bool>();
}
std::string string_field(const json& j, const std::string& key, const std::string& path) {
  const json& v = field(j, key, path);
  if (!v.is_string()) throw std::runtime_error(path + "." + key + ": expected a string");
  return v.get<std::string>();
}

Occurrence occurrence_from(const json& j, bool violation, const std::string& path) {
  Occurrence o;
  o.phase = string_field(j, "phase", path);
  o.property = string_field(j, violation ? "property" : "name", path);
  if (violation) o.location = string_field(j, "location", path);
  if (violation && j.contains("finding")) o.finding = string_field(j, "finding", path);
  o.count = u64_field(j, "count", path);
  const json& first = field(j, "first", path);
  o.workload = u64_field(first, "workload", path + ".first");
  o.execution = u64_field(first, "execution", path + ".first");
  o.step = u64_field(first, "schedule_step", path + ".first");
  o.message = string_field(j, "message", path);
  const json& trace = field(j, "trace", path);
  if (!trace.is_null() && !trace.is_string())
    throw std::runtime_error(path + ".trace: expected a string or null");
  if (trace.is_string()) o.trace = trace.get<std::string>();
  if (violation) o.shrunk = bool_field(j, "shrunk", path);
  return o;
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\n':
        out += "&#10;";
        break;
      default:
        if (c < 0x20 && c != '\t') {
          out += '?';  // not allowed in XML 1.0
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

std::size_t phase_rank(const CheckResults& r, const std::string& phase) {
  for (std::size_t i = 0; i < r.phases.size(); i++) {
    if (r.phases[i].name == phase) return i;
  }
  return r.phases.size();
}

}  // namespace

std::uint64_t CheckResults::executions() const {
  std::uint64_t n = 0;
  for (const PhaseResult& p : phases) n += p.executions;
  return n;
}

int CheckResults::exit_code() const {
  if (!error.empty()) return 2;
  if (interrupted) return 130;
  return violations.empty() ? 0 : 1;
}

void CheckResults::normalize() {
  auto order = [this](const Occurrence& a, const Occurrence& b) {
    return std::tuple(phase_rank(*this, a.phase), a.workload, a.execution, a.property, a.location) <
           std::tuple(phase_rank(*this, b.phase), b.workload, b.execution, b.property, b.location);
  };
  std::stable_sort(violations.begin(), violations.end(), order);
  std::stable_sort(findings.begin(), findings.end(), order);
}

json to_json(const CheckResults& r) {
  json j;
  j["format"] = kResultsFormat;
  j["version"] = kResultsVersion;
  j["command"] = "check";
  j["config"] = r.config;
  if (r.shard_count > 1) j["shard"] = {{"index", r.shard_index + 1}, {"count", r.shard_count}};
  j["executions"] = r.executions();
  j["result"] = !r.error.empty()       ? "error"
                : r.interrupted        ? "interrupted"
                : r.violations.empty() ? "no-violation"
                                       : "violation";
  j["exit"] = r.exit_code();
  if (!r.error.empty()) j["error"] = r.error;
  j["interrupted"] = r.interrupted;
  json phases = json::array();
  for (const PhaseResult& p : r.phases) {
    json q;
    q["name"] = p.name;
    q["strategy"] = p.strategy;
    q["skipped"] = p.skipped;
    q["executions"] = p.executions;
    q["abandoned"] = p.abandoned;
    q["cached_cuts"] = p.cached_cuts;
    q["steps"] = p.steps;
    q["workloads"] = p.workloads;
    q["workloads_exhausted"] = p.workloads_exhausted;
    q["dpor_anomalies"] = p.dpor_anomalies;
    q["source_exhausted"] = p.source_exhausted;
    q["stopped_by_time"] = p.stopped_by_time;
    q["interrupted"] = p.interrupted;
    q["distinct_states_sketch"] = p.distinct_states;
    phases.push_back(std::move(q));
  }
  j["phases"] = std::move(phases);
  json violations = json::array();
  for (const Occurrence& o : r.violations) violations.push_back(occurrence_json(o, true));
  j["violations"] = std::move(violations);
  json findings = json::array();
  for (const Occurrence& o : r.findings) findings.push_back(occurrence_json(o, false));
  j["findings"] = std::move(findings);
  return j;
}

CheckResults check_results_from_json(const json& j) {
  if (!j.is_object()) throw std::runtime_error("$: expected an object");
  if (string_field(j, "format", "$") != kResultsFormat) {
    throw std::runtime_error(std::string("$.format: not '") + kResultsFormat + "'");
  }
  if (u64_field(j, "version", "$") != kResultsVersion) {
    throw std::runtime_error("$.version: this mprogsim reads version " +
                             std::to_string(kResultsVersion));
  }
  if (string_field(j, "command", "$") != "check")
    throw std::runtime_error("$.command: only check summaries merge");
  CheckResults r;
  r.config = field(j, "config", "$");
  if (!r.config.is_object()) throw std::runtime_error("$.config: expected an object");
  if (j.contains("shard")) {
    const std::uint64_t index = u64_field(j["shard"], "index", "$.shard");
    r.shard_count = u64_field(j["shard"], "count", "$.shard");
    if (r.shard_count < 1 || index < 1 || index > r.shard_count) {
      throw std::runtime_error("$.shard: index must be 1..count");
    }
    r.shard_index = index - 1;
  }
  r.interrupted = bool_field(j, "interrupted", "$");
  if (j.contains("error")) r.error = string_field(j, "error", "$");
  const json& phases = field(j, "phases", "$");
  if (!phases.is_array()) throw std::runtime_error("$.phases: expected an array");
  for (std::size_t i = 0; i < phases.size(); i++) {
    const std::string path = "$.phases[" + std::to_string(i) + "]";
    const json& q = phases[i];
    PhaseResult p;
    p.name = string_field(q, "name", path);
    p.strategy = string_field(q, "strategy", path);
    p.skipped = bool_field(q, "skipped", path);
    p.executions = u64_field(q, "executions", path);
    p.abandoned = u64_field(q, "abandoned", path);
    p.cached_cuts = u64_field(q, "cached_cuts", path);
    p.steps = u64_field(q, "steps", path);
    p.workloads = u64_field(q, "workloads", path);
    p.workloads_exhausted = u64_field(q, "workloads_exhausted", path);
    p.dpor_anomalies = u64_field(q, "dpor_anomalies", path);
    p.source_exhausted = bool_field(q, "source_exhausted", path);
    p.stopped_by_time = bool_field(q, "stopped_by_time", path);
    p.interrupted = bool_field(q, "interrupted", path);
    p.distinct_states = string_field(q, "distinct_states_sketch", path);
    sim::DistinctStates check;
    if (!p.distinct_states.empty() && !check.from_hex(p.distinct_states)) {
      throw std::runtime_error(path + ".distinct_states_sketch: not a sketch");
    }
    r.phases.push_back(std::move(p));
  }
  for (const char* key : {"violations", "findings"}) {
    const json& list = field(j, key, "$");
    if (!list.is_array()) throw std::runtime_error(std::string("$.") + key + ": expected an array");
    for (std::size_t i = 0; i < list.size(); i++) {
      const bool violation = std::string(key) == "violations";
      (violation ? r.violations : r.findings)
          .push_back(occurrence_from(list[i], violation,
                                     std::string("$.") + key + "[" + std::to_string(i) + "]"));
    }
  }
  return r;
}

namespace {

// Throws std::runtime_error unless `shards` are the N shards of one run, each once.
void check_shards(const std::vector<CheckResults>& shards) {
  if (shards.empty()) throw std::runtime_error("nothing to merge");
  const CheckResults& head = shards.front();
  const std::uint64_t count = head.shard_count;
  if (count != shards.size()) {
    throw std::runtime_error("the summaries are shards of " + std::to_string(count) + ", but " +
                             std::to_string(shards.size()) + " were given");
  }
  std::vector<bool> seen(count, false);
  for (const CheckResults& s : shards) {
    if (s.shard_count != count)
      throw std::runtime_error("the summaries come from different --shard counts");
    if (seen[s.shard_index]) {
      throw std::runtime_error("shard " + std::to_string(s.shard_index + 1) + "/" +
                               std::to_string(count) + " is given twice");
    }
    seen[s.shard_index] = true;
    if (s.config != head.config)
      throw std::runtime_error("the summaries come from runs with different options");
    if (s.phases.size() != head.phases.size())
      throw std::runtime_error("the summaries have different phases");
    for (std::size_t i = 0; i < s.phases.size(); i++) {
      if (s.phases[i].name != head.phases[i].name ||
          s.phases[i].strategy != head.phases[i].strategy) {
        throw std::runtime_error("the summaries have different phases");
      }
    }
  }
}

// Phase `i` of the unsharded run: counts add up; the series ended, and the phase was
// skipped, only if it did in every shard.
PhaseResult merged_phase(const std::vector<CheckResults>& shards, std::size_t i) {
  const CheckResults& head = shards.front();
  PhaseResult p{head.phases[i].name, head.phases[i].strategy};
  p.source_exhausted = true;
  p.skipped = true;
  sim::DistinctStates sketch;
  bool any_sketch = false;
  for (const CheckResults& s : shards) {
    const PhaseResult& q = s.phases[i];
    p.executions += q.executions;
    p.abandoned += q.abandoned;
    p.cached_cuts += q.cached_cuts;
    p.steps += q.steps;
    p.workloads += q.workloads;
    p.workloads_exhausted += q.workloads_exhausted;
    p.dpor_anomalies += q.dpor_anomalies;
    // Every shard walks the whole series, so the series ended for the whole run
    // when it ended for each shard.
    p.source_exhausted = p.source_exhausted && q.source_exhausted;
    p.stopped_by_time = p.stopped_by_time || q.stopped_by_time;
    p.interrupted = p.interrupted || q.interrupted;
    p.skipped = p.skipped && q.skipped;
    if (!q.distinct_states.empty()) {
      sim::DistinctStates part;
      part.from_hex(q.distinct_states);
      sketch.merge(part);
      any_sketch = true;
    }
  }
  p.distinct_states = any_sketch ? sketch.to_hex() : "";
  return p;
}

// Occurrences of one group in several shards: counts add up, the first is the
// earliest in the unsharded order.
void combine_occurrences(std::vector<Occurrence>& into, const std::vector<Occurrence>& part) {
  for (const Occurrence& o : part) {
    auto it = std::find_if(into.begin(), into.end(), [&](const Occurrence& x) {
      return x.phase == o.phase && x.property == o.property && x.location == o.location;
    });
    if (it == into.end()) {
      into.push_back(o);
      continue;
    }
    const std::uint64_t total = it->count + o.count;
    if (std::tuple(o.workload, o.execution) < std::tuple(it->workload, it->execution)) *it = o;
    it->count = total;
  }
}

}  // namespace

CheckResults merge_check_results(const std::vector<CheckResults>& shards) {
  check_shards(shards);
  const CheckResults& head = shards.front();
  CheckResults out;
  out.config = head.config;
  out.phases = head.phases;
  for (std::size_t i = 0; i < out.phases.size(); i++) out.phases[i] = merged_phase(shards, i);
  for (const CheckResults& s : shards) {
    combine_occurrences(out.violations, s.violations);
    combine_occurrences(out.findings, s.findings);
    out.interrupted = out.interrupted || s.interrupted;
    if (out.error.empty()) out.error = s.error;
  }
  out.normalize();
  return out;
}

std::string junit_xml(const std::string& suite, const std::vector<JunitCase>& cases) {
  std::size_t failures = 0;
  for (const JunitCase& c : cases) failures += !c.failure.empty();
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += "<testsuites>\n<testsuite name=\"" + xml_escape(suite) + "\" tests=\"" +
       std::to_string(cases.size()) + "\" failures=\"" + std::to_string(failures) +
       "\" errors=\"0\">\n";
  for (const JunitCase& c : cases) {
    x += "  <testcase classname=\"" + xml_escape(c.classname) + "\" name=\"" + xml_escape(c.name) +
         "\"";
    if (c.failure.empty() && c.output.empty()) {
      x += "/>\n";
      continue;
    }
    x += ">\n";
    if (!c.failure.empty()) {
      const std::string first_line = c.failure.substr(0, c.failure.find('\n'));
      x += "    <failure message=\"" + xml_escape(first_line) + "\">" + xml_escape(c.failure) +
           "</failure>\n";
    }
    if (!c.output.empty()) x += "    <system-out>" + xml_escape(c.output) + "</system-out>\n";
    x += "  </testcase>\n";
  }
  x += "</testsuite>\n</testsuites>\n";
  return x;
}

std::string check_junit(const CheckResults& r) {
  std::vector<JunitCase> cases;
  for (const PhaseResult& p : r.phases) {
    if (p.skipped) continue;
    std::vector<std::string> properties;
    if (p.strategy == "sequential") {
      properties = {"spec", "invariants"};
    } else {
      for (std::string_view name : sim::kPropertyNames) properties.emplace_back(name);
    }
    for (const std::string& property : properties) {
      JunitCase c;
      c.classname = "mprogsim.check." + p.name;
      c.name = property;
      for (const Occurrence& v : r.violations) {
        if (v.phase != p.name || v.property != property) continue;
        if (!c.failure.empty()) c.failure += "\n";
        c.failure += v.message + " (" + std::to_string(v.count) + " executions; first: workload " +
                     std::to_string(v.workload) + ", execution " + std::to_string(v.execution) +
                     "; location: " + v.location + (v.trace.empty() ? "" : "; trace: " + v.trace) +
                     ")";
      }
      cases.push_back(std::move(c));
    }
  }
  for (const Occurrence& f : r.findings) {
    JunitCase c;
    c.classname = "mprogsim.check." + f.phase;
    c.name = "known finding " + f.property;
    c.output = "allowed (--allow-finding): met in " + std::to_string(f.count) +
               " executions: " + f.message + (f.trace.empty() ? "" : "; trace: " + f.trace);
    cases.push_back(std::move(c));
  }
  if (r.interrupted) {
    cases.push_back({"completed", "mprogsim.check", "interrupted (SIGINT) before the end", ""});
  }
  return junit_xml("mprogsim check", cases);
}

std::string write_result_file(const std::string& path, const std::string& text) {
  return write_file_atomically(path, text);
}

}  // namespace mprogsim::tools
