// The schema of the data-tier kinds (cache, database, queue, cdn): their
// keys and how each value is read. parse.cpp dispatches on `kind:` and
// calls read_data_component for these kinds; references between components
// (a queue's consumer, a cdn's origin) are checked in validate.cpp.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "archsim/spec.hpp"
#include "spec/yaml_reader.hpp"

namespace archsim {

/// Whether a kind's keys are read here.
bool is_data_kind(ComponentKind k);
/// The keys a data-tier kind allows, in the order the README documents them.
const std::vector<std::string_view>& data_kind_keys(ComponentKind k);
/// Every data-tier kind's keys (to accept while the kind is unknown).
std::vector<std::string_view> all_data_keys();

/// Reads the body of a cache, database, queue or cdn from its map into
/// c.body (which makes c that kind), reporting unknown keys (naming the kind
/// a key belongs to when it belongs to another data kind) and every bad value.
void read_data_component(const yaml::Map& m, ComponentKind kind, ComponentSpec& c, const std::string& where);

/// The value readers shared with the contract (spec/contract.cpp): a count
/// such as 1M, a popularity (uniform, zipf(S)), a table of query times.
std::optional<std::uint64_t> read_data_count(const yaml::Source& src, const yaml::Field& f,
                                             std::uint64_t min);
std::optional<PopularitySpec> read_data_popularity(const yaml::Source& src, const yaml::Field& f);
/// `hot: {at: 3m, share: 40%}` (a breaking story's new key), for a data set too.
std::optional<KeyedStoreSpec::HotKey> read_hot_key(const yaml::Source& src, const yaml::Field& f);
/// `vary: {keys: 5M, popularity: uniform}` (one copy per reader), for a data set too.
std::optional<KeyedStoreSpec::Vary> read_vary_key(const yaml::Source& src, const yaml::Field& f);
void read_query_table(const yaml::Source& src, const yaml::Field& f, DatabaseSpec& d);

}  // namespace archsim
