// SPDX-License-Identifier: GPL-2.0
// Test data for the `layering.catches_upward_include` test: sim/ including traces/
// (a layer above it) must make scripts/check_layers.sh fail. Never compiled.
#pragma once

#include "traces/trace.h"
