// Loader `mind`: the Microsoft News Dataset (MIND; Wu et al., ACL 2020) in its release layout,
// <data_dir>/<train>/ and <data_dir>/<dev>/, each holding news.tsv and behaviors.tsv (tab-separated,
// no header, no quoting):
//   news.tsv       id, category, subcategory, title, abstract, url, title_entities, abstract_entities
//   behaviors.tsv  impression id, user, time (M/D/YYYY h:mm:ss AM|PM), history (space-separated news
//                  ids), impressions (space-separated "<news id>-<1 clicked | 0 not clicked>")
// What becomes of it (docs: README "MIND"):
//   train (fold 0)  every history item of every behaviour line of both files, and the clicked items
//                   of the train impressions. A dev line's history holds the user's clicks before the
//                   dev period, which a recommender has at inference time; MIND's baselines use it.
//   test (fold 1)   the clicked items of the dev impressions that are not training pairs already.
//   impressions     every dev impression (Dataset::impressions), ranked by protocol `impressions`.
//   items           every news id a behaviour line names; content title, abstract, category and
//                   subcategory from news.tsv (train's file first). A named news id that neither
//                   news.tsv holds is an error: the files come from different releases.
// Interactions carry no timestamps (histories have none); each impression keeps its time.
#include <algorithm>
#include <array>
#include <functional>
#include <unordered_map>

#include <fmt/format.h>

#include "datasets/data_dir.hpp"
#include "datasets/delimited_reader.hpp"
#include "datasets/interaction_table.hpp"
#include "datasets/sources.hpp"
#include "datasets/text_file.hpp"
#include "framework/config/params.hpp"
#include "framework/util/error.hpp"
#include "framework/util/strings.hpp"

namespace tailrec {

namespace {

constexpr size_t kNewsColumns = 8;
constexpr size_t kBehaviorColumns = 5;
// The content fields, in ItemContent order (the default item text joins them in this order).
constexpr std::array<const char*, 4> kFields = {"title", "abstract", "category", "subcategory"};

struct News {
  std::array<std::string, kFields.size()> fields;
};

// Whitespace-separated tokens of a field (MIND separates with single spaces; runs are tolerated).
template <typename F>
void for_each_token(std::string_view text, F&& f) {
  size_t pos = 0;
  while (pos < text.size()) {
    while (pos < text.size() && text[pos] == ' ') ++pos;
    size_t end = pos;
    while (end < text.size() && text[end] != ' ') ++end;
    if (end > pos) f(text.substr(pos, end - pos));
    pos = end;
  }
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// "11/15/2019 8:55:22 AM" -> seconds since the epoch, read as UTC (MIND states no time zone).
int64_t parse_time(const DelimitedReader& reader, std::string_view text) {
  const auto bad = [&]() {
    reader.fail_here(fmt::format("time '{}' in column 3 is not M/D/YYYY h:mm:ss AM|PM (e.g. 11/15/2019 8:55:22 AM)",
                                 text));
  };
  const auto parts = split(trim(text), ' ');
  if (parts.size() != 3) bad();
  const auto date = split(parts[0], '/');
  const auto clock = split(parts[1], ':');
  if (date.size() != 3 || clock.size() != 3 || (parts[2] != "AM" && parts[2] != "PM")) bad();
  int64_t v[6];
  for (size_t i = 0; i < 3; ++i) {
    const auto d = parse_int(date[i]);
    const auto c = parse_int(clock[i]);
    if (!d || !c) bad();
    v[i] = *d;
    v[3 + i] = *c;
  }
  const int64_t month = v[0], day = v[1], year = v[2], hour = v[3], minute = v[4], second = v[5];
  constexpr int64_t kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1970 || year > 9999 || month < 1 || month > 12 || day < 1 ||
      day > kDays[month - 1] + (month == 2 && leap(year)) || hour < 1 || hour > 12 || minute > 59 || second > 59 ||
      minute < 0 || second < 0)
    bad();
  const int64_t hour24 = hour % 12 + (parts[2] == "PM" ? 12 : 0);  // 12 AM = 0 h, 12 PM = 12 h
  return days_from_civil(year, month, day) * 86400 + hour24 * 3600 + minute * 60 + second;
}

class MindSource final : public DatasetSource {
 public:
  explicit MindSource(Params params)
      : params_(std::move(params)),
        root_(params_.has("data_dir") ? std::filesystem::path(params_.text("data_dir")) : default_data_dir()),
        train_(root_ / params_.text("train")),
        dev_(root_ / params_.text("dev")) {}

  std::vector<std::filesystem::path> files() const override {
    return {train_ / "news.tsv", train_ / "behaviors.tsv", dev_ / "news.tsv", dev_ / "behaviors.tsv"};
  }

  Dataset load() const override {
    std::unordered_map<std::string, News> news;
    read_news(train_ / "news.tsv", news);
    read_news(dev_ / "news.tsv", news);

    Builder b(news);
    read_behaviors(train_ / "behaviors.tsv", false, b);
    read_behaviors(dev_ / "behaviors.tsv", true, b);
    return b.finish(*this);
  }

  Dataset load_files(const std::vector<std::filesystem::path>&) const override {
    fail("dataset loader mind defines its own train/test division (train behaviours vs dev impressions); use "
         "split=predefined instead of split=fixed");
  }

  nlohmann::json describe() const override { return {{"loader", "mind"}, {"params", params_.to_json()}}; }

 private:
  // The reading state: ids interned on first sight, training and test pairs as (user << 32 | item).
  struct Builder {
    explicit Builder(const std::unordered_map<std::string, News>& known) : news(known) {}
    const std::unordered_map<std::string, News>& news;
    IdCollector users;
    IdCollector items;
    std::vector<uint64_t> train;
    std::vector<uint64_t> test;
    std::vector<Impression> impressions;  // provisional indices until finish()

    Dataset finish(const MindSource& source);
  };

  std::string fetch_name() const {
    return params_.text("train") == "MINDsmall_train" && params_.text("dev") == "MINDsmall_dev" ? "mind_small" : "";
  }

  void read_news(const std::filesystem::path& file, std::unordered_map<std::string, News>& news) const {
    DelimitedReader reader(read_text_file(file, fetch_name()), file.string(), {"\t", false});
    std::unordered_map<std::string, size_t> line_of;  // this file's ids, for the duplicate message
    while (reader.next()) {
      if (reader.size() != kNewsColumns)
        reader.fail_here(fmt::format("expected {} tab-separated fields (id, category, subcategory, title, abstract, "
                                     "url, title_entities, abstract_entities), got {}",
                                     kNewsColumns, reader.size()));
      const std::string id(trim(reader[0]));
      if (id.empty()) reader.fail_here("the news id in column 1 is empty");
      if (const auto [it, added] = line_of.emplace(id, reader.line()); !added)
        reader.fail_here(fmt::format("news id {} is listed twice (first at line {})", id, it->second));
      const auto [it, added] = news.try_emplace(id);
      if (!added) continue;  // the dev file repeats many train news: the train file's text is kept
      // title (4), abstract (5), category (2), subcategory (3), in kFields order.
      const size_t column[kFields.size()] = {3, 4, 1, 2};
      for (size_t f = 0; f < kFields.size(); ++f) it->second.fields[f] = std::string(trim(reader[column[f]]));
    }
  }

  void read_behaviors(const std::filesystem::path& file, bool dev, Builder& b) const {
    DelimitedReader reader(read_text_file(file, fetch_name()), file.string(), {"\t", false});
    // A user's history repeats on each of her lines; it is added again only when it changes.
    std::unordered_map<int32_t, size_t> history_seen;
    const auto item_of = [&](std::string_view id, size_t column) {
      const size_t before = b.items.size();
      const int32_t item = b.items.add(id);
      if (b.items.size() > before && !b.news.count(std::string(id)))
        reader.fail_here(fmt::format("news id {} in column {} is in neither news.tsv ({} and {}); the news and "
                                     "behaviour files must come from the same MIND release",
                                     id, column, (train_ / "news.tsv").string(), (dev_ / "news.tsv").string()));
      return item;
    };
    const auto pair = [](int32_t user, int32_t item) {
      return (static_cast<uint64_t>(static_cast<uint32_t>(user)) << 32) | static_cast<uint32_t>(item);
    };
    while (reader.next()) {
      if (reader.size() != kBehaviorColumns)
        reader.fail_here(fmt::format("expected {} tab-separated fields (impression id, user, time, history, "
                                     "impressions), got {}",
                                     kBehaviorColumns, reader.size()));
      const auto impression_id = trim(reader[0]);
      const auto user_id = trim(reader[1]);
      if (impression_id.empty()) reader.fail_here("the impression id in column 1 is empty");
      if (user_id.empty()) reader.fail_here("the user id in column 2 is empty");
      const int32_t user = b.users.add(user_id);
      const int64_t time = parse_time(reader, reader[2]);

      const auto history = reader[3];
      const size_t hash = std::hash<std::string_view>{}(history);
      if (const auto [it, added] = history_seen.emplace(user, hash); added || it->second != hash) {
        it->second = hash;
        for_each_token(history, [&](std::string_view id) { b.train.push_back(pair(user, item_of(id, 4))); });
      }

      Impression impression;
      impression.id = std::string(impression_id);
      impression.user = user;
      impression.time = time;
      for_each_token(reader[4], [&](std::string_view token) {
        const auto dash = token.rfind('-');
        const auto label = dash == std::string_view::npos ? std::string_view() : token.substr(dash + 1);
        if (label != "0" && label != "1")
          reader.fail_here(fmt::format("impression item '{}' in column 5 is not <news id>-<0|1>; unlabelled "
                                       "impressions (MIND's test behaviours) cannot be evaluated",
                                       token));
        const bool clicked = label == "1";
        if (!dev && !clicked) return;  // shown but not clicked in training: not an interaction
        const int32_t item = item_of(token.substr(0, dash), 5);
        if (!dev) {
          b.train.push_back(pair(user, item));
          return;
        }
        // An item shown twice in one impression counts once, clicked if either showing was.
        const auto at = std::find(impression.items.begin(), impression.items.end(), item);
        if (at != impression.items.end()) {
          impression.clicked[static_cast<size_t>(at - impression.items.begin())] |= clicked;
          return;
        }
        impression.items.push_back(item);
        impression.clicked.push_back(clicked);
        if (clicked) b.test.push_back(pair(user, item));
      });
      if (trim(reader[4]).empty()) reader.fail_here("the impression in column 5 lists no news");
      if (dev) b.impressions.push_back(std::move(impression));
    }
  }

  Params params_;
  std::filesystem::path root_;
  std::filesystem::path train_;
  std::filesystem::path dev_;
};

Dataset MindSource::Builder::finish(const MindSource& source) {
  const auto unique = [](std::vector<uint64_t>& pairs) {
    std::sort(pairs.begin(), pairs.end());
    pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  };
  unique(train);
  unique(test);
  std::vector<uint64_t> test_only;  // a dev click the user already has in training stays training only
  std::set_difference(test.begin(), test.end(), train.begin(), train.end(), std::back_inserter(test_only));
  if (train.empty() && test_only.empty())
    fail("dataset mind: no clicks found in {} and {}", (source.train_ / "behaviors.tsv").string(),
         (source.dev_ / "behaviors.tsv").string());

  Dataset data;
  data.name = source.params_.text("train") == "MINDsmall_train" ? "mind_small"
              : source.params_.text("train") == "MINDlarge_train" ? "mind_large"
                                                                   : "mind";
  data.source = fmt::format("mind: {}, {}", source.train_.string(), source.dev_.string());
  const auto number = [](const IdCollector& collector, IdMap& map) {
    auto ids = collector.ids();
    map = IdMap::from_ids(ids);
    std::vector<int32_t> dense(ids.size());
    for (size_t i = 0; i < ids.size(); ++i) dense[i] = map.find(ids[i]);
    return dense;
  };
  const auto user_dense = number(users, data.users);
  const auto item_dense = number(items, data.items);

  // Rows in dense (user, item) order, train and test interleaved, each with its fold mark.
  struct Row {
    int32_t user, item;
    uint8_t fold;
  };
  std::vector<Row> rows;
  rows.reserve(train.size() + test_only.size());
  for (const auto* pairs : {&train, &test_only})
    for (const uint64_t p : *pairs)
      rows.push_back({user_dense[static_cast<size_t>(p >> 32)], item_dense[static_cast<size_t>(p & 0xffffffffu)],
                      static_cast<uint8_t>(pairs == &test_only)});
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return a.user != b.user ? a.user < b.user : a.item < b.item;
  });
  data.log.reserve(rows.size());
  data.predefined_fold.reserve(rows.size());
  for (const auto& r : rows) {
    data.log.push(r.user, r.item, 1.0f);
    data.predefined_fold.push_back(r.fold);
  }
  data.log.has_ratings = false;

  for (auto& impression : impressions) {
    impression.user = user_dense[static_cast<size_t>(impression.user)];
    for (auto& item : impression.items) item = item_dense[static_cast<size_t>(item)];
  }
  data.impressions = std::move(impressions);

  data.content = ItemContent(data.items.size());
  for (size_t f = 0; f < kFields.size(); ++f) {
    auto& column = data.content.field(kFields[f]);
    for (int32_t i = 0; i < data.items.size(); ++i)
      column[static_cast<size_t>(i)] = news.at(data.items.external(i)).fields[f];
  }
  return data;
}

}  // namespace

void register_mind(Registries& registries) {
  registries.datasets.add({
      "mind",
      "MIND, the Microsoft News Dataset: <data_dir>/<train>/ and <data_dir>/<dev>/ with news.tsv and behaviors.tsv\n"
      "Training interactions: every history item (train and dev behaviours: a dev line's history is the user's "
      "clicks before the dev period) and the clicked items of the train impressions; test: the clicked items of "
      "the dev impressions that are not training pairs. The dev impressions are kept for protocol=impressions "
      "(with split=predefined). Item text: title, abstract, category, subcategory. A news id missing from both "
      "news.tsv files is an error. Not redistributable: `tailrec data fetch mind_small`.",
      {ParamSpec::optional("data_dir", ParamType::String,
                           "folder holding the train and dev folders (null: $TAILREC_DATA_DIR, else "
                           "~/.cache/tailrec/data)"),
       ParamSpec::text("train", "MINDsmall_train", "the training folder under data_dir (MINDlarge_train for MIND large)"),
       ParamSpec::text("dev", "MINDsmall_dev", "the dev folder under data_dir, whose impressions are evaluated")},
      [](const Params& p) -> std::unique_ptr<DatasetSource> { return std::make_unique<MindSource>(p); },
  });
}

}  // namespace tailrec
