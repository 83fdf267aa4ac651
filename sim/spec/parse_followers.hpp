// Fan-out on write by followers: a problem's `followers:` (how many
// followers a post's author has, by share of posts) and a `repeat:` whose
// count follows them (`repeat: {followers: SET, batch: 50, pull_above: 10k}`).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "archsim/contract.hpp"
#include "archsim/spec.hpp"
#include "spec/yaml_reader.hpp"

namespace archsim {

/// `followers:` a list of `{share: 98.5%, count: 200}`; the shares add up to 1.
std::optional<std::vector<std::pair<double, double>>> read_follower_shares(const yaml::Source& src,
                                                                           const yaml::Field& f);

/// A data set's `followers:` and `pull_lever:` (the problem's).
void read_data_followers(const yaml::Source& src, const yaml::Map& m, DataSetSpec& d);

/// A `repeat:` written as a map. In a graded design (`c` given) `followers:`
/// names a data set of the problem, and `pull_above` needs the set's
/// `pull_lever`; in a scenario it is the list itself. Sets s.followers and
/// s.count (the typical author's batches, for the napkin math and the contract).
void read_repeat_followers(const yaml::Source& src, const yaml::Field& head, StepSpec& s, const Contract* c,
                           const std::string& problem);

/// In a graded design: a write to a data set with `followers:` outside a
/// `repeat: {followers: SET}` of it is refused (a post must reach all of its
/// author's followers, a celebrity's too), each at its step.
void check_follower_pushes(const ScenarioSpec& spec, const Contract& c, Diagnostics& diags);

/// How many batches a post of an author with `n` followers pushes.
double follower_batches(const StepSpec::Followers& f, double n);

}  // namespace archsim
