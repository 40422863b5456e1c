// SPDX-License-Identifier: GPL-2.0
#include "scenario/json_input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <vector>

#include "scenario/scenario.h"

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

// A first pass over the text that builds nothing: it checks the nesting depth and
// the keys, and knows the path of every value. (nlohmann's parse callback could do
// this during the real parse, but its DOM parser then rescans the enclosing array
// after every object: quadratic in the number of steps.)
class Checker : public nlohmann::json_sax<json> {
 public:
  bool null() override { return value(); }
  bool boolean(bool) override { return value(); }
  bool number_integer(number_integer_t) override { return value(); }
  bool number_unsigned(number_unsigned_t) override { return value(); }
  bool number_float(number_float_t, const string_t&) override { return value(); }
  bool string(string_t&) override { return value(); }
  bool binary(binary_t&) override { return value(); }
  bool start_object(std::size_t) override { return open(true); }
  bool start_array(std::size_t) override { return open(false); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }
  bool key(string_t& key) override {
    Frame& f = frames_.back();
    if (key.size() > kMaxKeyLength) {
      f.key = "<key>";
      throw ScenarioError(path_of(frames_) + ": a key longer than " +
                          std::to_string(kMaxKeyLength) + " bytes");
    }
    f.key = key;
    if (!f.keys.insert(key).second) throw ScenarioError(path_of(frames_) + ": duplicate key");
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    throw ScenarioError(std::string("malformed JSON: ") + e.what());
  }

 private:
  // A value ends: the enclosing array moves to its next element.
  bool value() {
    if (!frames_.empty() && !frames_.back().object) frames_.back().index++;
    return true;
  }
  bool open(bool object) {
    if (frames_.size() >= static_cast<std::size_t>(kMaxJsonDepth)) {
      throw ScenarioError(path_of(frames_) + ": nested deeper than " +
                          std::to_string(kMaxJsonDepth) + " levels");
    }
    frames_.push_back(Frame{object, {}, {}, 0});
    return true;
  }
  bool close() {
    frames_.pop_back();
    return value();
  }

  std::vector<Frame> frames_;
};

}  // namespace

json parse_json_strictly(std::string_view text) {
  Checker checker;
  // Both passes are iterative (nlohmann keeps its own stack): no recursion on the
  // input's depth, which the first pass bounds anyway.
  json::sax_parse(text.begin(), text.end(), &checker);
  try {
    return json::parse(text.begin(), text.end());
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

namespace json_input {

void fail(const std::string& where, const std::string& what) {
  throw ScenarioError(where + ": " + what);
}

std::string get_string(const json& v, const std::string& where) {
  if (!v.is_string()) fail(where, "expected a string");
  return v.get<std::string>();
}

std::uint64_t get_u64(const json& v, const std::string& where) {
  if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0)) {
    fail(where, "expected a non-negative integer");
  }
  return v.get<std::uint64_t>();
}

std::uint32_t get_u32(const json& v, const std::string& where) {
  const std::uint64_t x = get_u64(v, where);
  if (x > 0xffffffffULL) fail(where, "does not fit in 32 bits");
  return static_cast<std::uint32_t>(x);
}

}  // namespace json_input

}  // namespace mprogsim
