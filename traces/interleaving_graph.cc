// SPDX-License-Identifier: GPL-2.0
#include "traces/interleaving_graph.h"

// GCC 12 reports a false -Wmaybe-uninitialized inside Boost.Graph's edge iterator
// (its boost::optional member) once write_graphviz is inlined; the code is fine.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/graphviz.hpp>
#pragma GCC diagnostic pop

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <tuple>
#include <utility>
#include <vector>

namespace mprogsim::sim {
namespace {

// A lane for checks made at quiescence, when no thread is to blame.
constexpr ThreadId kChecksLane = kNoThread;

struct Node {
  ThreadId thread = kNoThread;
  std::vector<std::size_t> events;  // indices into the result's events; empty: the violation
  std::string label;
  std::string attributes;  // extra DOT attributes, "" for the default look
};

struct VertexProperties {
  std::string attributes;  // the whole DOT attribute list, "[...]"
};
struct EdgeProperties {
  std::string attributes;
};
using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, VertexProperties,
                                    EdgeProperties>;

std::string escaped(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

// "bpf_mprog_bundle#1.a.fp_items[0]" reads as "bundle#1.a.fp_items[0]".
std::string shorter(std::string text) {
  const std::string from = "bpf_mprog_bundle#";
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at)) {
    text.replace(at, from.size(), "bundle#");
  }
  return text;
}

// Breaks a long line at spaces so that nodes stay narrow.
std::string wrapped(const std::string& text, std::size_t width = 48) {
  std::string out;
  std::size_t line = 0;
  std::istringstream words(text);
  for (std::string word; words >> word;) {
    if (line > 0 && line + 1 + word.size() > width) {
      out += "\n";
      line = 0;
    } else if (line > 0) {
      out += " ";
      line++;
    }
    out += word;
    line += word.size();
  }
  return out;
}

std::string lane_name(ThreadId t) { return t == kChecksLane ? "checks" : thread_name(t); }

// Lanes left to right: C, the readers, the RCU callbacks, the checks.
int lane_rank(ThreadId t) {
  if (t == kRcuThread) return 1000;
  if (t == kChecksLane) return 1001;
  return t;
}

// Plain copies (memcpy/memset slot by slot) on any thread, and the control path's
// READ_ONCEs: readers never write, so no edge of the story starts at one of them.
bool collapsible(const Event& e) {
  if (e.kind != EventKind::kAccess) return false;
  return e.access == MemAccess::kPlainWrite || e.access == MemAccess::kPlainRead ||
         (e.access == MemAccess::kReadOnce && e.thread == kControlThread);
}

const char* run_text(MemAccess access) {
  switch (access) {
    case MemAccess::kPlainWrite:
      return "plain writes to";
    case MemAccess::kPlainRead:
      return "plain reads of";
    default:
      return "READ_ONCEs of";
  }
}

bool is_read(const Event& e) {
  return e.kind == EventKind::kAccess &&
         (e.access == MemAccess::kReadOnce || e.access == MemAccess::kPlainRead ||
          e.access == MemAccess::kRcuDeref);
}

bool is_store(const Event& e) {
  return e.kind == EventKind::kAccess &&
         (e.access == MemAccess::kWriteOnce || e.access == MemAccess::kPlainWrite ||
          e.access == MemAccess::kRcuAssign);
}

// "x[3]" -> ("x", 3); nullopt when the location does not end in an index.
std::optional<std::pair<std::string, std::size_t>> indexed(const std::string& location) {
  const std::size_t open = location.rfind('[');
  if (open == std::string::npos || location.back() != ']' || open + 2 > location.size() - 1) {
    return std::nullopt;
  }
  const std::string digits = location.substr(open + 1, location.size() - open - 2);
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos ||
      digits.size() > 9) {
    return std::nullopt;
  }
  return std::make_pair(location.substr(0, open), static_cast<std::size_t>(std::stoul(digits)));
}

// "bundle#1.b.fp_items[0..63]" for slots of one array (every slot from the lowest
// to the highest touched), else the first and the last location.
std::string range_text(const std::vector<std::string>& locations) {
  const auto first = indexed(locations.front());
  bool one_array = first.has_value();
  std::set<std::size_t> slots;
  for (std::size_t i = 0; one_array && i < locations.size(); i++) {
    const auto at = indexed(locations[i]);
    one_array = at && at->first == first->first;
    if (one_array) slots.insert(at->second);
  }
  if (one_array && *slots.rbegin() - *slots.begin() + 1 == slots.size()) {
    if (slots.size() == 1) return locations.front();
    return first->first + "[" + std::to_string(*slots.begin()) + ".." +
           std::to_string(*slots.rbegin()) + "]";
  }
  return locations.front() + " .. " + locations.back();
}

std::string step_text(std::uint64_t first, std::uint64_t last) {
  return first == last ? std::to_string(first) : std::to_string(first) + "-" + std::to_string(last);
}

const char* kind_attributes(EventKind kind) {
  switch (kind) {
    case EventKind::kStepBegin:
    case EventKind::kStepEnd:
      return "style=\"rounded,filled\", fillcolor=\"#eeeeee\"";
    case EventKind::kPassBegin:
    case EventKind::kPassEnd:
      return "style=\"rounded,filled\", fillcolor=\"#e6eeff\"";
    case EventKind::kRcuLock:
    case EventKind::kRcuUnlock:
    case EventKind::kSyncStart:
    case EventKind::kSyncEnd:
    case EventKind::kCallRcu:
    case EventKind::kCallback:
      return "color=darkgreen, fontcolor=darkgreen";
    case EventKind::kFree:
      return "color=darkorange3, fontcolor=darkorange3";
    default:
      return "";
  }
}

constexpr const char* kRed = "color=red, fontcolor=red, penwidth=2";

class Builder {
 public:
  Builder(const ExecutionResult& result, const InterleavingGraphOptions& options)
      : result_(result), events_(result.events), options_(options) {}

  std::string build() {
    make_nodes();
    mark_violation();
    Graph g(nodes_.size());
    for (std::size_t v = 0; v < nodes_.size(); v++) {
      std::string a = "[label=\"" + escaped(nodes_[v].label) + "\"";
      if (!nodes_[v].attributes.empty()) a += ", " + nodes_[v].attributes;
      g[v].attributes = a + "]";
    }
    add_edges(g);
    std::ostringstream out;
    boost::write_graphviz(
        out, g, [&](std::ostream& o, std::size_t v) { o << g[v].attributes; },
        [&](std::ostream& o, const Graph::edge_descriptor& e) { o << g[e].attributes; },
        [&](std::ostream& o) { write_header(o); });
    return out.str();
  }

 private:
  // Events [begin, end] of a control step with no scheduling point inside (a
  // `load`, a failed lookup): nothing can interleave with it, so one node.
  std::optional<std::size_t> atomic_step_end(std::size_t begin) const {
    const Event& b = events_[begin];
    if (b.kind != EventKind::kStepBegin) return std::nullopt;
    for (std::size_t i = begin + 1; i < events_.size(); i++) {
      const Event& e = events_[i];
      if (e.step != b.step || e.kind == EventKind::kAccess || e.kind == EventKind::kFree) break;
      if (e.kind == EventKind::kStepEnd && e.thread == b.thread && e.index == b.index) return i;
    }
    return std::nullopt;
  }

  // One node per event, except runs of a thread's consecutive collapsible
  // accesses, which become one node when at least collapse_min long, and control
  // steps that run without a scheduling point.
  void make_nodes() {
    std::vector<std::vector<std::size_t>> items;
    std::map<ThreadId, std::size_t> last_item;  // lookups only
    for (std::size_t i = 0; i < events_.size(); i++) {
      const Event& e = events_[i];
      if (const auto end = atomic_step_end(i)) {
        std::vector<std::size_t> all;
        for (std::size_t k = i; k <= *end; k++) all.push_back(k);
        add_atomic_step_node(all);
        last_item.erase(e.thread);
        i = *end;
        continue;
      }
      const auto it = last_item.find(e.thread);
      if (collapsible(e) && it != last_item.end()) {
        const Event& prev = events_[items[it->second].back()];
        if (collapsible(prev) && prev.access == e.access) {
          items[it->second].push_back(i);
          continue;
        }
      }
      last_item[e.thread] = items.size();
      items.push_back({i});
    }
    for (const auto& item : items) {
      if (item.size() >= options_.collapse_min && collapsible(events_[item.front()])) {
        add_group_node(item);
      } else {
        for (const std::size_t i : item) add_event_node(i);
      }
    }
    // Time order: a collapsed run sits where it began.
    std::stable_sort(nodes_.begin(), nodes_.end(), [](const Node& a, const Node& b) {
      return a.events.front() < b.events.front();
    });
    for (std::size_t v = 0; v < nodes_.size(); v++) {
      for (const std::size_t i : nodes_[v].events) node_of_event_[i] = v;
    }
  }

  void add_event_node(std::size_t i) {
    const Event& e = events_[i];
    std::string text = shorter(e.text);
    if (e.kind == EventKind::kStepEnd) {
      // "ends step 3: attach P1 -> OK | published=b ...": the state on its own line.
      const std::size_t bar = text.find(" | ");
      if (bar != std::string::npos)
        text = wrapped(text.substr(0, bar)) + "\n" + wrapped(text.substr(bar + 3));
    } else {
      text = wrapped(text);
    }
    nodes_.push_back(
        {e.thread, {i}, std::to_string(e.step) + ": " + text, kind_attributes(e.kind)});
  }

  void add_group_node(const std::vector<std::size_t>& item) {
    const Event& first = events_[item.front()];
    std::vector<std::string> locations;
    for (const std::size_t i : item) locations.push_back(shorter(events_[i].location));
    const std::string what = run_text(first.access);
    nodes_.push_back({first.thread, item,
                      step_text(first.step, events_[item.back()].step) + ": " +
                          std::to_string(item.size()) + " " + what + "\n" + range_text(locations),
                      "style=\"rounded,dashed\""});
  }

  // "0: step 1: load P1 -> OK (fd 3, id 1)" with what happened inside below it.
  void add_atomic_step_node(const std::vector<std::size_t>& all) {
    const Event& end = events_[all.back()];
    std::string text = shorter(end.text);
    if (text.rfind("ends ", 0) == 0) text = text.substr(5);
    std::string state;
    const std::size_t bar = text.find(" | ");
    if (bar != std::string::npos) {
      state = text.substr(bar + 3);
      text = text.substr(0, bar);
    }
    std::string label = std::to_string(end.step) + ": " + wrapped(text);
    for (std::size_t k = 1; k + 1 < all.size(); k++)
      label += "\n" + wrapped(shorter(events_[all[k]].text));
    if (!state.empty()) label += "\n" + wrapped(state);
    nodes_.push_back({end.thread, all, label, kind_attributes(EventKind::kStepEnd)});
  }

  std::optional<std::size_t> find_event(EventKind kind, ThreadId thread,
                                        std::uint64_t index) const {
    for (std::size_t i = 0; i < events_.size(); i++) {
      if (events_[i].kind == kind && events_[i].thread == thread && events_[i].index == index)
        return i;
    }
    return std::nullopt;
  }

  // The violation node, and what in the story caused it.
  void mark_violation() {
    if (!result_.violation) return;
    const Violation& v = *result_.violation;
    auto evidence = [&](const std::string& key) -> std::string {
      for (const auto& [k, value] : v.evidence) {
        if (k == key) return value;
      }
      return "";
    };
    Node n;
    n.thread = v.thread == kNoThread ? kChecksLane : v.thread;
    n.label =
        std::to_string(v.step) + ": VIOLATION " + v.property + "\n" + wrapped(shorter(v.message));
    n.attributes = std::string(kRed) + ", style=\"rounded,bold\"";
    violation_node_ = nodes_.size();
    nodes_.push_back(n);

    if (v.property == "use-after-free" && !evidence("object").empty()) {
      const std::string by = evidence("freed_by");
      for (std::size_t i = 0; i < events_.size(); i++) {
        const Event& e = events_[i];
        if (e.kind == EventKind::kFree && e.location == evidence("object") &&
            std::to_string(e.step) == evidence("freed_at_step") && thread_name(e.thread) == by) {
          freed_event_ = i;
        }
      }
    }
    if (v.property == "snapshot" && v.thread != kNoThread && !evidence("pass").empty()) {
      const std::uint64_t pass = std::stoull(evidence("pass"));
      failing_pass_ = {find_event(EventKind::kPassBegin, v.thread, pass),
                       find_event(EventKind::kPassEnd, v.thread, pass)};
      if (failing_pass_.second) nodes_[node_of_event_.at(*failing_pass_.second)].attributes = kRed;
    }
  }

  void edge(Graph& g, std::size_t from, std::size_t to, const std::string& attributes) {
    if (!drawn_.insert({from, to, attributes}).second) return;
    boost::add_edge(from, to, EdgeProperties{"[" + attributes + "]"}, g);
  }

  void add_edges(Graph& g) {
    // Cross-lane edges first, so that program order can leave out what they show.
    std::map<std::string, std::size_t> last_store;  // location -> event; lookups only
    // reader -> the rcu_read_lock that opened its current pass: a pass starts there
    // (its "begins" event may be logged long before, while the thread starts up).
    std::map<ThreadId, std::size_t> pass_begin;
    std::vector<std::size_t> calls;  // call_rcu events, in order
    std::size_t callbacks = 0;
    std::map<ThreadId, std::size_t> sync_start;
    std::set<std::pair<std::size_t, std::size_t>> replaces_order;
    for (std::size_t i = 0; i < events_.size(); i++) {
      const Event& e = events_[i];
      const std::size_t v = node_of_event_.at(i);
      if (e.kind == EventKind::kPassBegin) pass_begin.erase(e.thread);
      if (e.kind == EventKind::kRcuLock && !pass_begin.count(e.thread)) pass_begin[e.thread] = i;
      if (is_read(e)) {
        const auto w = last_store.find(e.location);
        if (w != last_store.end() && events_[w->second].thread != e.thread) {
          const std::size_t from = node_of_event_.at(w->second);
          const auto pb = pass_begin.find(e.thread);
          const bool during_pass = pb != pass_begin.end() && w->second > pb->second;
          if (e.access == MemAccess::kRcuDeref) {
            edge(g, from, v, "color=blue, fontcolor=blue, label=\"publish -> load\"");
          } else if (during_pass) {
            edge(g, from, v, "color=orange, fontcolor=orange, label=\"written during the pass\"");
          }
          const bool in_failing_pass =
              failing_pass_.first && e.thread == events_[*failing_pass_.first].thread &&
              i > *failing_pass_.first && (!failing_pass_.second || i < *failing_pass_.second);
          if (during_pass && in_failing_pass) nodes_attributes_red(g, v);
        }
      }
      if (is_store(e)) last_store[e.location] = i;
      if (e.kind == EventKind::kSyncStart) sync_start[e.thread] = i;
      if (e.kind == EventKind::kSyncEnd && sync_start.count(e.thread)) {
        const std::size_t from = node_of_event_.at(sync_start[e.thread]);
        edge(g, from, v,
             "color=darkgreen, fontcolor=darkgreen, penwidth=2, label=\"grace period\"");
        replaces_order.insert({from, v});
        sync_start.erase(e.thread);
      }
      if (e.kind == EventKind::kCallRcu) calls.push_back(i);
      // Callbacks run first in, first out (sim/rcu.h): the k-th run is the k-th call.
      if (e.kind == EventKind::kCallback && callbacks < calls.size()) {
        edge(g, node_of_event_.at(calls[callbacks++]), v,
             "color=darkgreen, fontcolor=darkgreen, style=dashed, label=\"call_rcu -> callback\"");
      }
    }
    if (freed_event_ && violation_node_) {
      edge(g, node_of_event_.at(*freed_event_), *violation_node_,
           "color=red, fontcolor=red, penwidth=2, label=\"freed\"");
    }
    // Program order within each lane, and an invisible chain through all nodes in
    // time order so that the page reads top to bottom as the execution ran.
    std::map<ThreadId, std::size_t> last_in_lane;
    for (std::size_t v = 0; v < nodes_.size(); v++) {
      const auto it = last_in_lane.find(nodes_[v].thread);
      if (it != last_in_lane.end() && !replaces_order.count({it->second, v})) {
        edge(g, it->second, v, "color=gray40, weight=10");
      }
      if (v > 0 && (it == last_in_lane.end() || it->second != v - 1)) {
        edge(g, v - 1, v, "style=invis");
      }
      last_in_lane[nodes_[v].thread] = v;
    }
  }

  void nodes_attributes_red(Graph& g, std::size_t v) {
    g[v].attributes = "[label=\"" + escaped(nodes_[v].label) + "\", " + kRed + "]";
  }

  void write_header(std::ostream& o) const {
    std::string title;
    std::istringstream lines(options_.title);
    for (std::string line; std::getline(lines, line);)
      title += (title.empty() ? "" : "\n") + wrapped(line, 80);
    o << "label=\"" << escaped(title) << "\";\nlabelloc=t;\nfontname=\"Helvetica\";\n"
      << "rankdir=TB;\nnewrank=true;\nranksep=0.18;\nnodesep=0.25;\n"
      << "node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=10, "
         "margin=\"0.08,0.03\"];\n"
      << "edge [fontname=\"Helvetica\", fontsize=9, arrowsize=0.6];\n";
    std::map<int, std::pair<ThreadId, std::vector<std::size_t>>> lanes;
    for (std::size_t v = 0; v < nodes_.size(); v++) {
      auto& lane = lanes[lane_rank(nodes_[v].thread)];
      lane.first = nodes_[v].thread;
      lane.second.push_back(v);
    }
    for (const auto& [rank, lane] : lanes) {
      o << "subgraph cluster_" << rank << " {\nlabel=\"" << lane_name(lane.first)
        << "\";\nstyle=\"rounded,dashed\";\ncolor=gray60;\n";
      for (const std::size_t v : lane.second) o << v << ";\n";
      o << "}\n";
    }
  }

  const ExecutionResult& result_;
  const std::vector<Event>& events_;
  const InterleavingGraphOptions& options_;
  std::vector<Node> nodes_;
  std::map<std::size_t, std::size_t> node_of_event_;
  std::optional<std::size_t> violation_node_;
  std::optional<std::size_t> freed_event_;
  std::pair<std::optional<std::size_t>, std::optional<std::size_t>> failing_pass_;
  std::set<std::tuple<std::size_t, std::size_t, std::string>> drawn_;
};

}  // namespace

std::string interleaving_dot(const ExecutionResult& result,
                             const InterleavingGraphOptions& options) {
  return Builder(result, options).build();
}

}  // namespace mprogsim::sim
