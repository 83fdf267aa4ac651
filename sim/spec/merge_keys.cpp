#include "spec/merge_keys.hpp"

#include <string>
#include <vector>

namespace archsim::yaml {

namespace {

void merge_from(const Source& src, YAML::Node target, const YAML::Node& from) {
  if (!from.IsMap()) {
    src.error(src.mark(from),
              "a merge key '<<' takes a map (or a list of maps) such as *defaults, got " + describe(from));
    return;
  }
  const YAML::Node& existing = target;
  for (const auto& kv : from) {
    if (!kv.first.IsScalar()) continue;
    if (!existing[kv.first.Scalar()]) target.force_insert(kv.first, kv.second);
  }
}

}  // namespace

void expand_merge_keys(const Source& src, YAML::Node node) {
  if (node.IsSequence()) {
    for (YAML::Node item : node) expand_merge_keys(src, item);
    return;
  }
  if (!node.IsMap()) return;
  const YAML::Node& cnode = node;
  if (const YAML::Node merge = cnode["<<"]) {
    node.remove("<<");
    if (merge.IsSequence()) {
      for (const YAML::Node& m : merge) {
        expand_merge_keys(src, m);  // a merged map may merge others itself
        merge_from(src, node, m);
      }
    } else {
      expand_merge_keys(src, merge);
      merge_from(src, node, merge);
    }
  }
  std::vector<YAML::Node> children;
  for (const auto& kv : node) children.push_back(kv.second);
  for (YAML::Node& c : children) expand_merge_keys(src, c);
}

}  // namespace archsim::yaml
