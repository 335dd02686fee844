#pragma once
// TF-IDF weighting of a document collection, with scikit-learn's TfidfVectorizer semantics so
// the two can be compared number for number: vocabulary sorted by term, document-frequency
// pruning by min_df / max_df (a count of documents or a proportion), raw or sublinear term
// frequency, smooth idf ln((1+n)/(1+df)) + 1, and L2-normalised rows.
#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/SparseCore>
#include <yaml-cpp/yaml.h>

#include "algorithms/content/text_pipeline.hpp"

namespace tailrec {

// A bound on how many documents a term may appear in: an integer count ("5") or, when written
// with a decimal point or exponent ("0.5"), a proportion of the documents in [0, 1] (as sklearn).
struct DocumentFrequencyBound {
  double value = 1;
  bool proportion = false;

  static DocumentFrequencyBound count(int64_t documents) { return {static_cast<double>(documents), false}; }
  static DocumentFrequencyBound fraction(double share) { return {share, true}; }
  // Parses a YAML scalar: an integer count (>= 1) or a proportion in [0, 1]; the caller names the key.
  static DocumentFrequencyBound parse(const YAML::Node& node);
  // The bound as a number of documents out of `documents`.
  double documents(size_t documents) const { return proportion ? value * static_cast<double>(documents) : value; }
  std::string to_string() const;
};

struct TfidfOptions {
  DocumentFrequencyBound min_df = DocumentFrequencyBound::count(1);
  DocumentFrequencyBound max_df = DocumentFrequencyBound::fraction(1.0);
  bool sublinear_tf = false;  // tf -> 1 + ln(tf)
  bool smooth_idf = true;     // idf = ln((1+n)/(1+df)) + 1, else ln(n/df) + 1
  bool normalize = true;      // rows scaled to unit L2 norm (empty rows stay zero)
};

// Documents x terms; column t is vocabulary()[t].
using TfidfMatrix = Eigen::SparseMatrix<double, Eigen::RowMajor, int32_t>;

class TfidfVectorizer {
 public:
  explicit TfidfVectorizer(TextPipeline pipeline = TextPipeline(), TfidfOptions options = {});

  // Learns the vocabulary and idf from `documents` and returns their TF-IDF rows. An empty
  // vocabulary (no terms, or all pruned) gives a matrix with no columns, not an error: callers
  // decide whether that is fatal. Throws when max_df keeps fewer documents than min_df.
  // The result does not depend on `threads`.
  TfidfMatrix fit_transform(const std::vector<std::string>& documents, int threads = 1);

  const std::vector<std::string>& vocabulary() const { return vocabulary_; }
  const std::vector<double>& idf() const { return idf_; }
  const TextPipeline& pipeline() const { return pipeline_; }

 private:
  TextPipeline pipeline_;
  TfidfOptions options_;
  std::vector<std::string> vocabulary_;
  std::vector<double> idf_;
};

}  // namespace tailrec
