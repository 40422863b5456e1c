// SPDX-License-Identifier: GPL-2.0
// Mirror of the tcx caller of mprog as merged upstream (Linux 6.6, commit e420bed02507
// "bpf: Add fd-based tcx multi-prog infra with link support") with the later fixes
// applied: include/net/tcx.h, kernel/bpf/tcx.c, the ingress qdisc's hold in
// net/sched/sch_ingress.c and the datapath pass of net/core/dev.c. This is the caller
// protocol around mprog: RTNL, the published entry pointer, publish / wait / commit /
// free on each result, link ownership, the qdisc's hold (miniq_active).
//
// model: one device with one hook (ingress); functions take the device instead of
// looking it up by ifindex, and RTNL is a simulated lock (rtnl_lock()).
#pragma once

#include <vector>

#include "model/bpf_objects.h"
#include "model/upstream/bpf_mprog.h"

namespace mprogsim::upstream {

// clang-format off
struct mini_Qdisc;

struct net_device {
	bpf_mprog_entry *tcx_ingress;	// __rcu
	// model: the static keys tcx_inc/dec() and net_inc/dec_ingress_queue() move,
	// as counters.
	s64 tcx_needed_key;
	s64 ingress_queue;
};

struct tcx_entry {
	mini_Qdisc *miniq;	// __rcu; model: never set, tc filters are not modelled
	bpf_mprog_bundle bundle;
	u32 miniq_active;
	// model: struct rcu_head rcu lives in the RCU hooks' queue instead.
};

struct tcx_link {
	bpf_link link;
	net_device *dev;
	u32 location;
};

inline tcx_entry *tcx_entry_of(bpf_mprog_entry *entry)
{
	bpf_mprog_bundle *bundle = entry->parent;

	// container_of(bundle, struct tcx_entry, bundle)
	return reinterpret_cast<tcx_entry *>(reinterpret_cast<char *>(bundle) -
					     offsetof(tcx_entry, bundle));
}

inline tcx_link *tcx_link_of(bpf_link *link)
{
	return reinterpret_cast<tcx_link *>(link);	// container_of(link, struct tcx_link, link)
}

// The subset of union bpf_attr that tcx reads.
struct tcx_attach_attr {
	u32 attach_flags;
	u32 relative_fd;
	u32 replace_bpf_fd;
	u64 expected_revision;
};
struct tcx_link_create_attr {
	u32 flags;
	u32 relative_fd;
	u64 expected_revision;
};

void rtnl_lock();
void rtnl_unlock();

void tcx_entry_sync();
void tcx_entry_update(net_device *dev, bpf_mprog_entry *entry, bool ingress);
bpf_mprog_entry *tcx_entry_fetch(net_device *dev, bool ingress);
bpf_mprog_entry *tcx_entry_create();
void tcx_entry_free(bpf_mprog_entry *entry);
bpf_mprog_entry *tcx_entry_fetch_or_create(net_device *dev, bool ingress, bool *created);
void tcx_skeys_inc(net_device *dev, bool ingress);
void tcx_skeys_dec(net_device *dev, bool ingress);
void tcx_miniq_inc(bpf_mprog_entry *entry);
void tcx_miniq_dec(bpf_mprog_entry *entry);
bool tcx_entry_is_active(bpf_mprog_entry *entry);

[[nodiscard]] int tcx_prog_attach(net_device *dev, const tcx_attach_attr *attr, bpf_prog *prog);
[[nodiscard]] int tcx_prog_detach(net_device *dev, const tcx_attach_attr *attr, bpf_prog *prog);
[[nodiscard]] int tcx_prog_query(net_device *dev, const bpf_mprog_query_attr *attr,
				 bpf_mprog_query_uattr *uattr);
// Returns the new link's fd or -errno.
[[nodiscard]] int tcx_link_attach(net_device *dev, const tcx_link_create_attr *attr,
				  bpf_prog *prog);

// sch_ingress.c: ingress_init() / ingress_destroy() (clsact's ingress half does the
// same) as far as tcx sees them.
[[nodiscard]] int tcx_ingress_init(net_device *dev);
void tcx_ingress_destroy(net_device *dev);

// The datapath (sch_handle_ingress -> tcx_run): one pass over the published entry.
// Appends the id of each program run to `ran`.
void tcx_run(net_device *dev, std::vector<u32> *ran);
// clang-format on

}  // namespace mprogsim::upstream
