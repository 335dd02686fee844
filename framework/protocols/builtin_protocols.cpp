// The built-in evaluation protocols (full, sampled, fixed_negatives, impressions) and their registration.
// Sampling uses one random stream per user (Random::derive(seed, user)), so cases are the same for
// any thread count and a user's negatives do not depend on other users.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <numeric>
#include <memory>
#include <sstream>

#include "framework/config/registries.hpp"
#include "framework/protocols/replay_protocol.hpp"
#include "framework/util/error.hpp"
#include "framework/util/user_text.hpp"
#include "framework/util/hashing.hpp"
#include "framework/util/random.hpp"
#include "framework/util/strings.hpp"

namespace tailrec {

namespace {

nlohmann::json describe_with(const std::string& name, const Params& params) {
  nlohmann::json out = {{"name", name}};
  out.update(params.to_json());
  return out;
}

// ---------------------------------------------------------------------------------------------
class FullRanking : public RankingProtocol {
 public:
  explicit FullRanking(const Params& params) : params_(params) {}
  std::vector<EvalCase> cases(const ProtocolInput& input) const override {
    std::vector<EvalCase> out;
    for (int32_t u = 0; u < input.test.num_users(); ++u) {
      auto relevant = relevant_items(input.test, u, input.relevance_threshold);
      if (!relevant.empty()) out.push_back(EvalCase{u, std::move(relevant), {}});
    }
    return out;
  }
  bool relevant_loses_ties() const override { return false; }
  nlohmann::json describe() const override { return describe_with("full", params_); }

 private:
  Params params_;
};

// Weighted sampling without replacement over the catalog: a Fenwick tree of integer weights, drawn
// by descending the tree (a bisection on cumulative weights). Integer weights keep it exact, so
// zeroing an item and restoring it later leaves the tree bit-identical.
class WeightedItems {
 public:
  explicit WeightedItems(const std::vector<int64_t>& weights)
      : weights_(weights), tree_(weights.size() + 1, 0) {
    for (size_t i = 0; i < weights.size(); ++i) {
      tree_[i + 1] += weights[i];
      const size_t parent = (i + 1) + ((i + 1) & (~(i + 1) + 1));
      if (parent < tree_.size()) tree_[parent] += tree_[i + 1];
      total_ += weights[i];
    }
  }
  int64_t weight(int32_t item) const { return weights_[static_cast<size_t>(item)]; }
  void set(int32_t item, int64_t weight) {
    const int64_t delta = weight - weights_[static_cast<size_t>(item)];
    if (delta == 0) return;
    weights_[static_cast<size_t>(item)] = weight;
    total_ += delta;
    for (size_t i = static_cast<size_t>(item) + 1; i < tree_.size(); i += i & (~i + 1)) tree_[i] += delta;
  }
  // An item with probability weight / total (total must be positive).
  int32_t draw(Random& rng) const {
    auto r = static_cast<int64_t>(rng.below(static_cast<uint64_t>(total_)));
    size_t pos = 0;
    size_t step = 1;
    while (step * 2 < tree_.size()) step *= 2;
    for (; step > 0; step /= 2) {
      if (pos + step < tree_.size() && tree_[pos + step] <= r) {
        pos += step;
        r -= tree_[pos];
      }
    }
    return static_cast<int32_t>(pos);  // the first item whose cumulative weight exceeds the draw
  }

 private:
  std::vector<int64_t> weights_;
  std::vector<int64_t> tree_;
  int64_t total_ = 0;
};

class Sampled : public RankingProtocol {
 public:
  explicit Sampled(const Params& params)
      : params_(params),
        negatives_(params.integer("negatives")),
        popularity_(params.text("distribution") == "popularity") {
    if (params.has("seed")) seed_ = static_cast<uint64_t>(params.integer("seed"));
  }

  std::vector<EvalCase> cases(const ProtocolInput& input) const override {
    const int32_t num_items = input.train.num_items();
    std::vector<int64_t> weights(static_cast<size_t>(num_items), 1);
    if (popularity_) {
      const auto phi = input.train.item_user_counts();
      std::copy(phi.begin(), phi.end(), weights.begin());
    }
    // Fast path: bisect the catalog's cumulative weights and reject the user's own and already drawn
    // items. Exact path (when rejection could loop long): a Fenwick tree with those items zeroed.
    // Both draw each remaining item with probability proportional to its weight.
    std::vector<int64_t> cumulative(weights.size());
    std::partial_sum(weights.begin(), weights.end(), cumulative.begin());
    const int64_t total = cumulative.empty() ? 0 : cumulative.back();
    const auto positive = static_cast<int64_t>(std::count_if(weights.begin(), weights.end(), [](int64_t w) { return w > 0; }));
    std::vector<int64_t> sorted = weights;  // the heaviest `negatives` weights bound what one case's draws remove
    const auto top = static_cast<long>(std::min<int64_t>(negatives_, num_items));
    std::nth_element(sorted.begin(), sorted.begin() + top - (top > 0), sorted.end(), std::greater<>());
    const int64_t heaviest = std::accumulate(sorted.begin(), sorted.begin() + top, int64_t{0});

    WeightedItems pool(weights);
    const uint64_t seed = seed_.value_or(input.seed);
    std::vector<EvalCase> out;
    std::vector<uint8_t> taken(weights.size(), 0);  // the user's items, then also this case's draws
    std::vector<int32_t> excluded;
    std::vector<int32_t> drawn;
    int64_t unrankable = 0;  // cases without a negative, and the first such case's user
    int32_t first_unrankable = 0;
    for (int32_t u = 0; u < input.test.num_users(); ++u) {
      const auto relevant = relevant_items(input.test, u, input.relevance_threshold);
      if (relevant.empty()) continue;
      // Negatives come from items the user has in neither train nor test.
      excluded.clear();
      int64_t excluded_weight = 0;
      int64_t excluded_positive = 0;
      for (const auto* rows : {&input.train, &input.test}) {
        if (u >= rows->num_users()) continue;
        for (int32_t item : rows->items_of(u)) {
          if (taken[static_cast<size_t>(item)]) continue;
          taken[static_cast<size_t>(item)] = 1;
          excluded.push_back(item);
          excluded_weight += weights[static_cast<size_t>(item)];
          excluded_positive += weights[static_cast<size_t>(item)] > 0;
        }
      }
      const int64_t available = positive - excluded_positive;
      // Rejection accepts each draw with probability >= 1/4 when this holds.
      const bool rejection = 4 * (total - excluded_weight - heaviest) >= total;
      if (!rejection)
        for (int32_t item : excluded) pool.set(item, 0);
      Random rng = Random::derive(seed, static_cast<uint64_t>(u));
      for (int32_t item : relevant) {
        drawn.clear();
        if (available <= negatives_) {
          for (int32_t i = 0; i < num_items; ++i)
            if (weights[static_cast<size_t>(i)] > 0 && !taken[static_cast<size_t>(i)]) drawn.push_back(i);
        } else if (rejection) {
          while (static_cast<int64_t>(drawn.size()) < negatives_) {
            const auto r = static_cast<int64_t>(rng.below(static_cast<uint64_t>(total)));
            // Uniform weights are all 1, so the draw is the item itself.
            const auto negative = popularity_ ? static_cast<int32_t>(std::upper_bound(cumulative.begin(), cumulative.end(), r) - cumulative.begin())
                                              : static_cast<int32_t>(r);
            if (taken[static_cast<size_t>(negative)]) continue;
            taken[static_cast<size_t>(negative)] = 1;
            drawn.push_back(negative);
          }
          for (int32_t negative : drawn) taken[static_cast<size_t>(negative)] = 0;
        } else {
          for (int64_t k = 0; k < negatives_; ++k) {
            const int32_t negative = pool.draw(rng);
            drawn.push_back(negative);
            pool.set(negative, 0);
          }
          for (int32_t negative : drawn) pool.set(negative, weights[static_cast<size_t>(negative)]);
        }
        if (drawn.empty() && ++unrankable == 1) first_unrankable = u;
        EvalCase c{u, {item}, drawn};
        c.candidates.push_back(item);
        if (!popularity_) c.sampled_from = available;
        std::sort(c.candidates.begin(), c.candidates.end());
        out.push_back(std::move(c));
      }
      for (int32_t item : excluded) {
        taken[static_cast<size_t>(item)] = 0;
        if (!rejection) pool.set(item, weights[static_cast<size_t>(item)]);
      }
    }
    // A case whose one candidate is the relevant item ranks it first for every algorithm (random
    // included): counting it would inflate every metric, and leaving it out would hide the users.
    if (unrankable > 0)
      fail("protocol=sampled: {} test cases have no negative item to rank against (the first: user '{}', who has "
           "every {}item of the catalog in train or test); each would give any algorithm hit@1 = 1. Drop such users "
           "(e.g. preprocess.min_user_interactions, a larger catalog) or use protocol=full",
           unrankable,
           first_unrankable < input.data.users.size() ? shown(input.data.users.external(first_unrankable))
                                                      : std::to_string(first_unrankable),
           popularity_ ? "drawable (phi > 0) " : "");
    return out;
  }
  bool relevant_loses_ties() const override { return true; }
  bool has_candidate_lists() const override { return true; }
  nlohmann::json describe() const override { return describe_with("sampled", params_); }
  std::optional<CandidateSampling> candidate_sampling() const override {
    CandidateSampling sampling;
    sampling.description = {{"protocol", "sampled"},
                            {"negatives", negatives_},
                            {"distribution", popularity_ ? "popularity" : "uniform"}};
    sampling.uniform = !popularity_;
    if (popularity_)
      sampling.not_uniform = "distribution=popularity draws popular items more often; the correction assumes "
                             "uniformly drawn negatives";
    return sampling;
  }

 private:
  Params params_;
  int64_t negatives_;
  bool popularity_;
  std::optional<uint64_t> seed_;
};

// The NCF protocol: one line per held-out pair, `(user,item)` then its negatives, tab-separated, in
// the dataset's external ids.
class FixedNegatives : public RankingProtocol {
 public:
  explicit FixedNegatives(const Params& params) : params_(params), path_(params.text("file")) {
    std::error_code ec;
    if (std::filesystem::is_directory(path_, ec))
      params.fail_at("file", fmt::format("'{}' is a folder; give the path of an NCF-style negatives file such as "
                                         "ml-1m.test.negative", path_));
    std::ifstream in(path_, std::ios::binary);
    if (!in)
      params.fail_at("file", fmt::format("cannot read '{}'; give the path of an NCF-style negatives file such as "
                                         "ml-1m.test.negative", path_));
    std::ostringstream content;
    content << in.rdbuf();
    content_ = content.str();
    if (trim(content_).empty())
      params.fail_at("file", fmt::format("'{}' is empty; it must hold one '(user,item)' line with its negatives per "
                                         "held-out interaction", path_));
    hash_ = Hasher().text(content_).hex();
  }

  std::vector<EvalCase> cases(const ProtocolInput& input) const override {
    std::vector<EvalCase> out;
    held_out_not_in_test_ = 0;
    negatives_dropped_ = 0;
    std::istringstream in(content_);
    std::string raw;
    for (size_t line = 1; std::getline(in, raw); ++line) {
      const std::string text(trim(raw));
      if (text.empty()) continue;
      const auto close = text.find(')');
      const auto comma = text.find(',');
      if (text.front() != '(' || close == std::string::npos || comma == std::string::npos || comma > close)
        fail("{}:{}: expected '(user,item)' followed by tab-separated negative item ids, got '{}'", path_, line,
             text.substr(0, 60));
      const std::string user_id(trim(std::string_view(text).substr(1, comma - 1)));
      const std::string item_id(trim(std::string_view(text).substr(comma + 1, close - comma - 1)));
      if (user_id.empty() || item_id.empty())
        fail("{}:{}: expected '(user,item)' with both ids, got '{}'", path_, line, text.substr(0, close + 1));
      EvalCase c;
      c.user = input.data.users.find(user_id);
      if (c.user < 0)
        fail("{}:{}: user {} at line {} is not in the dataset's users; the file must use the ids of dataset '{}'",
             path_, line, user_id, line, input.data.name);
      const int32_t item = lookup_item(input, item_id, line);
      c.relevant = {item};
      c.candidates.push_back(item);
      std::istringstream tokens(text.substr(close + 1));
      std::string token;
      size_t listed = 0;
      while (tokens >> token) {
        ++listed;
        c.candidates.push_back(lookup_item(input, token, line));
      }
      std::sort(c.candidates.begin(), c.candidates.end());
      c.candidates.erase(std::unique(c.candidates.begin(), c.candidates.end()), c.candidates.end());
      // A negative equal to the held-out item, or repeated, is dropped (as NCF's evaluate.py does).
      negatives_dropped_ += static_cast<int64_t>(listed + 1 - c.candidates.size());
      if (c.user >= input.test.num_users() || !input.test.contains(c.user, item)) ++held_out_not_in_test_;
      out.push_back(std::move(c));
    }
    return out;
  }
  bool relevant_loses_ties() const override { return true; }
  bool has_candidate_lists() const override { return true; }
  std::optional<CandidateSampling> candidate_sampling() const override {
    CandidateSampling sampling;
    sampling.description = {{"protocol", "fixed_negatives"}, {"negatives", "listed in the file"}, {"distribution", "unknown"}};
    sampling.not_uniform = "the negatives come from a file: how they were drawn is unknown";
    return sampling;
  }
  nlohmann::json describe() const override {
    nlohmann::json out = describe_with("fixed_negatives", params_);
    out["file_hash"] = hash_;
    out["held_out_not_in_test"] = held_out_not_in_test_;
    out["negatives_dropped"] = negatives_dropped_;
    return out;
  }

 private:
  int32_t lookup_item(const ProtocolInput& input, const std::string& id, size_t line) const {
    const int32_t item = input.data.items.find(id);
    if (item < 0)
      fail("{}:{}: item {} at line {} is not in the dataset's catalog; the file must use the item ids of "
           "dataset '{}' (or preprocessing removed the item)", path_, line, id, line, input.data.name);
    return item;
  }

  Params params_;
  std::string path_;
  std::string content_;
  std::string hash_;
  // Counted by the last cases() call and reported by describe(): held-out pairs that are not test
  // interactions (still evaluated), and negatives dropped as duplicates or equal to the held-out item.
  mutable int64_t held_out_not_in_test_ = 0;
  mutable int64_t negatives_dropped_ = 0;
};

// The dataset's own impressions (MIND's dev impressions): one case per impression, ranking exactly
// the items shown, clicked ones relevant. Training items are not removed from the candidates: an
// impression may show an item the user clicked before, and the leaderboard ranks it too.
class Impressions : public RankingProtocol {
 public:
  explicit Impressions(const Params& params) : params_(params) {}

  std::vector<EvalCase> cases(const ProtocolInput& input) const override {
    const Dataset& data = input.data;
    if (data.impressions.empty())
      fail("protocol impressions: dataset '{}' has no impressions to rank; use a dataset with impressions "
           "(dataset=mind_small) or another protocol (protocol=full)", data.name);
    require_impression_split(input);
    std::vector<EvalCase> out;
    out.reserve(data.impressions.size());
    without_click_ = all_clicked_ = 0;
    Hasher hash;  // the impressions in dense ids: recorded, as the dataset hash covers the log only
    for (const auto& impression : data.impressions) {
      hash.integer(static_cast<uint64_t>(impression.user)).integers(impression.items).integers(impression.clicked);
      EvalCase c;
      c.user = impression.user;
      c.candidates = impression.items;
      for (size_t k = 0; k < impression.items.size(); ++k)
        if (impression.clicked[k]) c.relevant.push_back(impression.items[k]);
      std::sort(c.candidates.begin(), c.candidates.end());
      c.candidates.erase(std::unique(c.candidates.begin(), c.candidates.end()), c.candidates.end());
      std::sort(c.relevant.begin(), c.relevant.end());
      c.relevant.erase(std::unique(c.relevant.begin(), c.relevant.end()), c.relevant.end());
      // AUC needs both a click and a non-click; MIND's evaluate.py cannot score such impressions either.
      if (c.relevant.empty()) ++without_click_;
      else if (c.relevant.size() == c.candidates.size()) ++all_clicked_;
      else out.push_back(std::move(c));
    }
    hash_ = hash.hex();
    return out;
  }
  bool relevant_loses_ties() const override { return false; }
  bool has_candidate_lists() const override { return true; }
  nlohmann::json describe() const override {
    nlohmann::json out = describe_with("impressions", params_);
    out["impressions_hash"] = hash_;
    out["skipped_without_click"] = without_click_;
    out["skipped_all_clicked"] = all_clicked_;
    return out;
  }

 private:
  // The impressions belong to the dataset's test period, so the model must train on its own training
  // period: the split's test set must be exactly the log rows the dataset marks as test (the
  // impressions' clicks). Any other split would train on clicks of the evaluated impressions.
  static void require_impression_split(const ProtocolInput& input) {
    const Dataset& data = input.data;
    bool same = data.predefined_fold.size() == data.log.size();
    int64_t marked = 0;
    for (size_t row = 0; same && row < data.log.size(); ++row) {
      if (data.predefined_fold[row] != 1) continue;
      ++marked;
      same = input.test.contains(data.log.users[row], data.log.items[row]);
    }
    if (!same || marked != input.test.nnz())
      fail("protocol impressions ranks the impressions of dataset '{}', which belong to its own test period, so the "
           "model must train on its own training period: use split=predefined (this split's test set is not the "
           "impressions' clicks)",
           data.name);
  }

  Params params_;
  // Set by the last cases() call, reported by describe().
  mutable std::string hash_;
  mutable int64_t without_click_ = 0;
  mutable int64_t all_clicked_ = 0;
};

template <typename T>
RegistryEntry<std::unique_ptr<Protocol>> entry(std::string name, std::string description, std::vector<ParamSpec> params) {
  return {std::move(name), std::move(description), std::move(params),
          [](const Params& p) -> std::unique_ptr<Protocol> { return std::make_unique<T>(p); }};
}

}  // namespace

void register_protocols(Registries& registries) {
  auto& protocols = registries.protocols;
  protocols.add(entry<FullRanking>(
      "full",
      "Full ranking: every catalog item the user did not train on is a candidate.\n"
      "One case per user with at least one relevant test item (every test item, or rating >= "
      "relevance_threshold when set). Ties rank by dense item index ascending.",
      {}));
  protocols.add(entry<Sampled>(
      "sampled",
      "Each relevant test item is ranked against n sampled negatives.\n"
      "One case per (user, relevant test item): candidates = the item + `negatives` distinct items drawn "
      "without replacement from the catalog items the user has in neither train nor test (all of them when "
      "fewer are available; a case with none left is refused, since its only candidate ranks first). distribution=uniform draws each remaining item with equal probability; "
      "popularity draws proportionally to phi(i), the item's number of training users (phi = 0 items are "
      "never drawn). Per-user seeded streams; a negative that ties the relevant item's score ranks above it. "
      "Results mark every value as sampled; protocol.also_full adds full-ranking values, and uniform sampling gets "
      "corrected estimates (protocol.correction, docs/sampled_metrics.md).",
      {ParamSpec::integer("negatives", 100, "number of sampled negatives per relevant item (>= 1)", 1),
       ParamSpec::choice("distribution", "uniform", {"uniform", "popularity"},
                         "uniform, or proportional to the item's number of training users"),
       ParamSpec{"seed", ParamType::Int, YAML::Node(), "sampling seed, >= 0; null = the run's seed", 0, kMaxSeed, {}, false}}));
  protocols.add(entry<FixedNegatives>(
      "fixed_negatives",
      "The NCF protocol: each held-out item is ranked against the negatives listed in a file.\n"
      "Each line `(user,item)` then tab-separated negative item ids, all in the dataset's external ids. One "
      "case per line: relevant = {item}, candidates = item + the distinct listed negatives (a negative equal "
      "to the held-out item is dropped, as NCF's evaluate.py effectively does). Unknown users or items are "
      "errors naming the line; a held-out pair that is not a test interaction is still evaluated and counted "
      "in the results (held_out_not_in_test). A negative that ties the held-out item's score ranks above it. "
      "Results mark every value as sampled; protocol.also_full adds full-ranking values (docs/sampled_metrics.md).",
      {ParamSpec::needed("file", ParamType::String, "path of the negatives file, e.g. ml-1m.test.negative")}));
  protocols.add(entry<Impressions>(
      "impressions",
      "Each impression of the dataset (MIND's dev impressions) is ranked: its shown items, clicked ones relevant.\n"
      "One case per impression: candidates = the items shown, relevant = the clicked ones; training items are not "
      "removed (the leaderboard ranks them too). Impressions without a click or without a non-click are skipped and "
      "counted (skipped_without_click, skipped_all_clicked in the results, beside impressions_hash). Needs "
      "split=predefined. Ties rank by dense item index ascending (ascending news id). Metrics imp_auc and imp_mrr "
      "rank every candidate; the leaderboard set is metrics=mind.",
      {}));
  protocols.add(entry<ReplayProtocol>(
      "replay",
      "Replay simulation of the feedback loop on a timestamped log (docs/replay.md). Needs split=temporal_global: "
      "its later part is cut into rounds.\n"
      "Round t: the model, fitted on everything before t, ranks the whole catalog minus each user's earlier items "
      "for every user active in t who has an earlier interaction (users without one are counted as cold_users); "
      "the shown top-k items the user interacted with during t (rating >= relevance_threshold when set) are hits. "
      "Then Algorithm::update() brings the model up to date with round t (incremental or a refit; the log and "
      "replay_rounds.tsv say which). Head/tail and popularity come from the data before t.",
      {ParamSpec::integer("rounds", 10, "number of rounds the later part of the split is cut into", 1, 1000),
       ParamSpec::choice("by", "time", {"time", "count"},
                         "equal time windows, or equal interaction counts (equal timestamps stay together)")}));
}

}  // namespace tailrec
