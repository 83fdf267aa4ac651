#include "spec/parse_followers.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>

#include "spec/contract.hpp"
#include "spec/parse_data.hpp"

namespace archsim {

using yaml::Field;
using yaml::Map;
using yaml::Source;

std::optional<std::vector<std::pair<double, double>>> read_follower_shares(const Source& src,
                                                                           const Field& f) {
  const auto items = yaml::read_list(src, f);
  if (!items) return std::nullopt;
  std::vector<std::pair<double, double>> out;
  double total = 0;
  bool ok = true;
  for (const YAML::Node& item : *items) {
    const Mark at = src.mark(item);
    const std::optional<Map> m =
        Map::open(src, item, at, "a share of authors ('- {share: 98%, count: 200}')");
    if (!m) {
      ok = false;
      continue;
    }
    m->allow_only({"share", "count"}, "a share of authors");
    const Field* sh = m->need("share", "a share of authors");
    const Field* n = m->need("count", "a share of authors");
    std::optional<double> p = sh ? yaml::read_fraction(src, *sh) : std::nullopt;
    std::optional<std::uint64_t> k = n ? read_data_count(src, *n, 0) : std::nullopt;
    if (!p || !k) {
      ok = false;
      continue;
    }
    total += *p;
    out.emplace_back(*p, static_cast<double>(*k));
  }
  if (!ok) return std::nullopt;
  if (out.empty() || std::abs(total - 1.0) > 1e-6) {
    src.error(f.value_mark,
              fmt::format("the shares of 'followers' add up to {:.6g}%, not 100%: every post has "
                          "an author",
                          total * 100));
    return std::nullopt;
  }
  return out;
}

void read_data_followers(const Source& src, const Map& m, DataSetSpec& d) {
  if (const Field* f = m.get("followers")) {
    if (auto v = read_follower_shares(src, *f)) d.followers = *v;
  }
  if (const Field* f = m.get("pull_lever")) {
    d.pull_lever = yaml::read_text(src, *f, "the lever that merges unpushed posts at read time").value_or("");
    d.pull_lever_mark = f->value_mark;
    if (!m.get("followers"))
      src.error(f->key_mark, "'pull_lever' needs 'followers:' (whose posts would be pulled)");
  }
}

double follower_batches(const StepSpec::Followers& f, double n) { return f.batches(n); }

namespace {

// The set's shares in a graded design: `followers: SET` names a data set
// with `followers:`; a pull needs the set's lever, pulled.
bool resolve_set(const Source& src, const Field& fl, StepSpec::Followers& fo, const Contract& c,
                 const std::string& problem) {
  const auto name = yaml::read_text(src, fl, "the data set whose followers are pushed");
  if (!name) return false;
  const DataSetSpec* d = c.data_set(*name);
  if (!d || d->followers.empty()) {
    src.error(
        fl.value_mark,
        fmt::format("'followers: {}' must name a data set of the problem with 'followers:' (who follows "
                    "a post's author is the problem's)",
                    *name) +
            (d ? contract::note(problem, d->mark, "the data set") : ""));
    fo.set = *name;  // a write inside is not reported again as outside a fan-out
    return false;
  }
  fo.set = *name;
  fo.shares = d->followers;
  // A pull without its lever is refused; the fan-out is still read, so the
  // other checks do not repeat the mistake.
  if (fo.pull_above > 0 && (d->pull_lever.empty() || !c.pulled_lever(d->pull_lever)))
    src.error(
        fo.pull_mark,
        d->pull_lever.empty()
            ? fmt::format("'pull_above' leaves posts unpushed, and the problem offers no way to merge them "
                          "at read time (data set '{}' has no 'pull_lever')",
                          *name)
            : fmt::format("'pull_above' leaves posts unpushed: their readers must merge them at read time, "
                          "which is the lever '{}': add it to 'levers:'",
                          d->pull_lever) +
                  contract::note(problem, d->pull_lever_mark, "the lever the problem offers"));
  return true;
}

// Walks steps, `inside` the followers repeats' sets around them.
void check_pushes(const ScenarioSpec& spec, const Contract& c, const std::vector<StepSpec>& steps,
                  std::vector<std::string>& inside, Diagnostics& diags) {
  for (const StepSpec& st : steps) {
    if (st.kind == StepSpec::Kind::Call && st.call.op == "write") {
      const int t = spec.find(st.call.target);
      const ComponentSpec* target = t >= 0 ? &spec.components[static_cast<std::size_t>(t)] : nullptr;
      const DataSetSpec* d = target && !target->data.empty() ? c.data_set(target->data) : nullptr;
      if (d && !d->followers.empty() && std::find(inside.begin(), inside.end(), d->name) == inside.end())
        diags.error(spec.file_of(st.mark), st.mark,
                    fmt::format("a write to '{}' pushes a post to its author's followers, and how many they "
                                "are is the problem's: write it inside 'repeat: {{followers: {}, batch: N}}'",
                                st.call.target, d->name) +
                        contract::note(spec.file, d->mark, "the data set with 'followers:'"));
    }
    const bool by_followers = st.kind == StepSpec::Kind::Repeat && st.followers;
    if (by_followers) inside.push_back(st.followers->set);
    check_pushes(spec, c, st.steps, inside, diags);
    check_pushes(spec, c, st.on_miss, inside, diags);
    check_pushes(spec, c, st.fallback, inside, diags);
    for (const StepSpec::Arm& a : st.arms) check_pushes(spec, c, a.steps, inside, diags);
    if (by_followers) inside.pop_back();
  }
}

}  // namespace

void check_follower_pushes(const ScenarioSpec& spec, const Contract& c, Diagnostics& diags) {
  for (const ComponentSpec& comp : spec.components) {
    std::vector<std::string> inside;
    if (const ServiceSpec* svc = comp.service()) check_pushes(spec, c, svc->steps, inside, diags);
  }
}

void read_repeat_followers(const Source& src, const Field& head, StepSpec& s, const Contract* c,
                           const std::string& problem) {
  const std::optional<Map> m =
      Map::open(src, head.value, head.key_mark, "'repeat' (a count, or {followers: ..., batch: 50})");
  if (!m) return;
  m->allow_only({"followers", "batch", "pull_above"}, "'repeat'");
  StepSpec::Followers fo;
  fo.mark = head.key_mark;
  if (const Field* b = m->get("batch")) {
    if (auto v = yaml::read_int(src, *b, 1, "followers per pushed batch")) fo.batch = static_cast<double>(*v);
  }
  if (const Field* p = m->get("pull_above")) {
    fo.pull_mark = p->key_mark;
    if (auto v = read_data_count(src, *p, 1)) fo.pull_above = static_cast<double>(*v);
  }
  const Field* fl = m->need("followers", "'repeat' as a map");
  if (!fl) return;
  if (c) {
    if (!resolve_set(src, *fl, fo, *c, problem)) {
      s.followers = std::move(fo);
      return;
    }
  } else if (fl->value.IsScalar()) {
    src.error(fl->value_mark,
              "'followers: NAME' names a data set of a graded problem; in a scenario give the shares: "
              "[{share: 99%, count: 200}, {share: 1%, count: 1M}]");
    return;
  } else if (auto v = read_follower_shares(src, *fl)) {
    fo.shares = *v;
  } else {
    return;
  }
  // The typical author (the largest share) sets the count the napkin math
  // and the contract see; the run draws an author per visit.
  std::pair<double, double> typical = fo.shares.front();
  for (const auto& sh : fo.shares)
    if (sh.first > typical.first) typical = sh;
  s.count = static_cast<int>(follower_batches(fo, typical.second));
  s.followers = std::move(fo);
}

}  // namespace archsim
