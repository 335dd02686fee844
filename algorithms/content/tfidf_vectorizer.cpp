#include "algorithms/content/tfidf_vectorizer.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <unordered_map>

#include "framework/util/error.hpp"
#include "framework/util/parallel.hpp"
#include "framework/util/strings.hpp"

namespace tailrec {

DocumentFrequencyBound DocumentFrequencyBound::parse(const YAML::Node& node) {
  const std::string text = node && node.IsScalar() ? node.Scalar() : std::string();
  if (const auto count = parse_int(text)) {
    if (*count < 1) fail("{}: a document count must be at least 1 (or write a proportion such as 0.0)", text);
    return DocumentFrequencyBound::count(*count);
  }
  if (const auto share = parse_double(text)) {
    if (*share < 0 || *share > 1)
      fail("{}: a proportion of documents must be within [0.0, 1.0] (or write an integer count)", text);
    return DocumentFrequencyBound::fraction(*share);
  }
  fail("'{}' is neither an integer count of documents nor a proportion in [0.0, 1.0]",
       node && node.IsScalar() ? text : std::string("(not a number)"));
}

std::string DocumentFrequencyBound::to_string() const {
  return proportion ? fmt::format("{} of the documents", value) : fmt::format("{} documents", value);
}

TfidfVectorizer::TfidfVectorizer(TextPipeline pipeline, TfidfOptions options)
    : pipeline_(std::move(pipeline)), options_(options) {}

namespace {

// A document's distinct terms with their counts, sorted by term.
using TermCounts = std::vector<std::pair<std::string, int32_t>>;

TermCounts count_terms(std::vector<std::string> terms) {
  std::sort(terms.begin(), terms.end());
  TermCounts out;
  for (auto& t : terms) {
    if (!out.empty() && out.back().first == t) ++out.back().second;
    else out.emplace_back(std::move(t), 1);
  }
  return out;
}

}  // namespace

TfidfMatrix TfidfVectorizer::fit_transform(const std::vector<std::string>& documents, int threads) {
  const size_t n = documents.size();
  std::vector<TermCounts> counts(n);
  parallel_chunks(static_cast<int64_t>(n), 64, threads, [&](int64_t begin, int64_t end) {
    for (auto d = begin; d < end; ++d)
      counts[static_cast<size_t>(d)] = count_terms(pipeline_.terms(documents[static_cast<size_t>(d)]));
  });

  std::unordered_map<std::string_view, int32_t> df;
  for (const auto& doc : counts)
    for (const auto& [term, c] : doc) ++df[term];

  const double low = options_.min_df.documents(n);
  const double high = options_.max_df.documents(n);
  if (high < low)
    fail("max_df ({}) keeps fewer documents than min_df ({}) for {} documents; lower min_df or raise max_df",
         options_.max_df.to_string(), options_.min_df.to_string(), n);

  vocabulary_.clear();
  for (const auto& [term, f] : df)
    if (f >= low && f <= high) vocabulary_.emplace_back(term);
  std::sort(vocabulary_.begin(), vocabulary_.end());
  std::unordered_map<std::string_view, int32_t> column;
  column.reserve(vocabulary_.size());
  idf_.resize(vocabulary_.size());
  for (size_t t = 0; t < vocabulary_.size(); ++t) {
    column.emplace(vocabulary_[t], static_cast<int32_t>(t));
    const double f = df.at(vocabulary_[t]);
    idf_[t] = options_.smooth_idf ? std::log((1.0 + static_cast<double>(n)) / (1.0 + f)) + 1.0
                                  : std::log(static_cast<double>(n) / f) + 1.0;
  }

  // Each document's row: counts in vocabulary order (the vocabulary and each document's terms
  // are both sorted, so columns come out ascending), weighted, then normalised.
  std::vector<std::vector<std::pair<int32_t, double>>> rows(n);
  parallel_chunks(static_cast<int64_t>(n), 64, threads, [&](int64_t begin, int64_t end) {
    for (auto d = begin; d < end; ++d) {
      auto& row = rows[static_cast<size_t>(d)];
      for (const auto& [term, c] : counts[static_cast<size_t>(d)]) {
        const auto it = column.find(term);
        if (it == column.end()) continue;
        const double tf = options_.sublinear_tf ? 1.0 + std::log(static_cast<double>(c)) : static_cast<double>(c);
        row.emplace_back(it->second, tf * idf_[static_cast<size_t>(it->second)]);
      }
      if (!options_.normalize) continue;
      double squares = 0;
      for (const auto& [t, v] : row) squares += v * v;
      if (squares > 0) {
        const double inv = 1.0 / std::sqrt(squares);
        for (auto& [t, v] : row) v *= inv;
      }
    }
  });

  TfidfMatrix matrix(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(vocabulary_.size()));
  Eigen::VectorXi nnz(static_cast<Eigen::Index>(n));
  for (size_t d = 0; d < n; ++d) nnz[static_cast<Eigen::Index>(d)] = static_cast<int>(rows[d].size());
  matrix.reserve(nnz);
  for (size_t d = 0; d < n; ++d)
    for (const auto& [t, v] : rows[d]) matrix.insert(static_cast<Eigen::Index>(d), t) = v;
  matrix.makeCompressed();
  return matrix;
}

}  // namespace tailrec
