// SPDX-License-Identifier: GPL-2.0
// Numbers the user and the kernel agree on: errno values (Linux, x86-64) and the
// flags each variant defines in model/<variant>/uapi.h. Shared by the model, the spec
// and the harness.
#pragma once

#include <cerrno>
#include <optional>
#include <string>
#include <string_view>

#include "model/mprog_api.h"

namespace mprogsim {

// Linux errno values, from the host's <cerrno> (this project builds on Linux only);
// kernel functions return them negated. The asserts pin the values traces print.
static_assert(EPERM == 1 && ENOENT == 2 && E2BIG == 7 && EBADF == 9 && EAGAIN == 11);
static_assert(ENOMEM == 12 && EACCES == 13 && EFAULT == 14 && EBUSY == 16 && EEXIST == 17);
static_assert(ENODEV == 19 && EINVAL == 22 && ENOSPC == 28 && ERANGE == 34);
static_assert(ENOLINK == 67 && ESTALE == 116);

// "OK" for 0, "EBUSY" for -EBUSY (or EBUSY), "E<n>" for anything unnamed.
[[nodiscard]] std::string errno_name(int ret);
// The inverse: "OK" -> 0, "EBUSY" -> -EBUSY; nullopt for an unknown name.
[[nodiscard]] std::optional<int> errno_from_name(std::string_view name);

}  // namespace mprogsim
