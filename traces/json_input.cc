// SPDX-License-Identifier: GPL-2.0
#include "traces/json_input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <vector>

#include "traces/scenario.h"

namespace mprogsim {
namespace {

using json = nlohmann::ordered_json;

// Where the parser is, for messages: one frame per open object or array.
struct Frame {
  bool object = false;
  std::set<std::string> keys;  // objects: the keys seen so far
  std::string key;             // objects: the current key
  std::size_t index = 0;       // arrays: the current element
};

std::string path_of(const std::vector<Frame>& frames) {
  std::string out = "$";
  for (const Frame& f : frames) {
    out += f.object ? "." + f.key : "[" + std::to_string(f.index) + "]";
  }
  return out;
}

}  // namespace

json parse_json_strictly(std::string_view text) {
  std::vector<Frame> frames;
  // nlohmann's parser is iterative; the callback sees every event with its depth
  // (the number of enclosing containers), before the value is kept.
  const json::parser_callback_t check = [&frames](int depth, json::parse_event_t event,
                                                  json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        if (depth >= kMaxJsonDepth) {
          throw ScenarioError(path_of(frames) + ": nested deeper than " +
                              std::to_string(kMaxJsonDepth) + " levels");
        }
        frames.push_back(Frame{event == json::parse_event_t::object_start, {}, {}, 0});
        break;
      case json::parse_event_t::key: {
        Frame& f = frames.back();
        const auto& key = parsed.get_ref<const std::string&>();
        if (key.size() > kMaxKeyLength) {
          f.key = "";
          throw ScenarioError(path_of(frames) + "<key>: a key longer than " +
                              std::to_string(kMaxKeyLength) + " bytes");
        }
        f.key = key;
        if (!f.keys.insert(f.key).second) throw ScenarioError(path_of(frames) + ": duplicate key");
        break;
      }
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        frames.pop_back();
        if (!frames.empty() && !frames.back().object) frames.back().index++;
        break;
      case json::parse_event_t::value:
        if (!frames.empty() && !frames.back().object) frames.back().index++;
        break;
    }
    return true;
  };
  try {
    return json::parse(text.begin(), text.end(), check);
  } catch (const json::exception& e) {
    // Not only parse_error: a number too large for a double (1E400) is out_of_range.
    throw ScenarioError(std::string("malformed JSON: ") + e.what());
  }
}

std::string read_input_file(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw ScenarioError(std::string("cannot read the file: ") + std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    close(fd);
    throw ScenarioError("cannot read the file: it is a directory");
  }
  std::string text;
  char chunk[1 << 16];
  for (;;) {
    const ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      close(fd);
      throw ScenarioError(std::string("cannot read the file: ") + std::strerror(err));
    }
    if (n == 0) break;
    if (text.size() + static_cast<std::size_t>(n) > kMaxInputBytes) {
      close(fd);
      throw ScenarioError("the file is larger than " + std::to_string(kMaxInputBytes >> 20) +
                          " MiB, the input limit");
    }
    text.append(chunk, static_cast<std::size_t>(n));
  }
  close(fd);
  return text;
}

}  // namespace mprogsim
