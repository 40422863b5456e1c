// SPDX-License-Identifier: GPL-2.0
#include "sim/static_keys_check.h"

namespace mprogsim::sim {

bool StaticKeysCheck::on_quiescence() {
  const StaticKeys keys = cx_.target.api().static_keys();
  const StaticKeys& spec = cx_.reference.keys;
  if (keys == spec) return false;
  auto text = [](const StaticKeys& k) {
    return std::to_string(k.tcx_needed_key) + "/" + std::to_string(k.ingress_queue);
  };
  cx_.verdicts.violate("static-keys", kNoThread,
                       "the static keys (tcx_needed_key/ingress_queue) are " + text(keys) +
                           ", the spec's " + text(spec),
                       {{"model", text(keys)}, {"spec", text(spec)}});
  return true;
}

}  // namespace mprogsim::sim
