// YAML merge keys (`<<: *defaults`, `<<: [*a, *b]`), which yaml-cpp 0.7 reads
// as an ordinary key named "<<". Expanded once after loading, before anything
// reads the tree: keys written in the map win, then the merged maps in order.
#pragma once

#include <yaml-cpp/yaml.h>

#include "spec/yaml_reader.hpp"

namespace archsim::yaml {

void expand_merge_keys(const Source& src, YAML::Node node);

}  // namespace archsim::yaml
