// SPDX-License-Identifier: GPL-2.0
#include "model/uapi.h"

#include <array>
#include <utility>

namespace mprogsim {
namespace {

constexpr std::array<std::pair<int, std::string_view>, 16> kErrnoNames = {{
    {EPERM, "EPERM"},
    {ENOENT, "ENOENT"},
    {E2BIG, "E2BIG"},
    {EBADF, "EBADF"},
    {EAGAIN, "EAGAIN"},
    {ENOMEM, "ENOMEM"},
    {EACCES, "EACCES"},
    {EFAULT, "EFAULT"},
    {EBUSY, "EBUSY"},
    {EEXIST, "EEXIST"},
    {ENODEV, "ENODEV"},
    {EINVAL, "EINVAL"},
    {ENOSPC, "ENOSPC"},
    {ERANGE, "ERANGE"},
    {ENOLINK, "ENOLINK"},
    {ESTALE, "ESTALE"},
}};

}  // namespace

std::string errno_name(int ret) {
  if (ret == 0) return "OK";
  const int e = ret < 0 ? -ret : ret;
  for (const auto& [value, name] : kErrnoNames) {
    if (value == e) return std::string(name);
  }
  return "E" + std::to_string(e);
}

std::optional<int> errno_from_name(std::string_view name) {
  if (name == "OK") return 0;
  for (const auto& [value, known] : kErrnoNames) {
    if (known == name) return -value;
  }
  return std::nullopt;
}

}  // namespace mprogsim
