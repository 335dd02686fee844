// ease: EASE^R (Steck, "Embarrassingly Shallow Autoencoders", WWW 2019) in closed form.
// G = XᵀX + λI in float64; its Cholesky factor L (blocked, in place, in parallel); P = G⁻¹ column block by
// column block: for the block starting at column c only rows >= c are needed (P is symmetric and
// rows < c are mirrored from earlier blocks), and both triangular solves restricted to the
// trailing (n−c) x (n−c) corner give exactly those rows — n³/3 flops in all instead of 2n³ for a
// solve against the full identity. Blocks have a fixed width and run in parallel, so the result
// is identical for any thread count. B = I − P·diag(1/diag(P)) is stored in float32.
#include <algorithm>
#include <chrono>
#include <memory>

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include "algorithms/neighbors/similarity.hpp"
#include "algorithms/register_algorithms.hpp"
#include "algorithms/torch/similarity_cuda.hpp"
#include "framework/model/algorithm.hpp"
#include "framework/util/error.hpp"
#include "framework/util/logger.hpp"
#include "framework/util/parallel.hpp"

namespace tailrec {

namespace {

constexpr const char* kDescription =
    "EASE^R (Steck 2019): closed-form item-item model with a zero diagonal.\n"
    "X = binary users x items training matrix; G = X^T X + lambda I; P = G^-1 (Cholesky, float64);\n"
    "B_ij = -P_ij / P_jj for i != j, B_ii = 0 (B = I - P diag(1/diag(P))), stored in float32;\n"
    "ranking: s(u,i) = sum_{j in I_u} B_ji, i.e. the row u of X B.";

constexpr int64_t kSolveBlock = 64;      // columns of P per parallel task (fixed: results ignore threads)
constexpr Eigen::Index kFactorBlock = 128;  // panel width of the blocked Cholesky
constexpr size_t kScoreTile = 64;          // items per scoring tile: a 3,706 x 64 slice of B is ~1 MB

using MatrixD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;

// Blocked right-looking Cholesky of the lower triangle, in place (the strict upper triangle is left
// as scratch). Each step factors a diagonal block (Eigen LLT), solves the panel below it by row
// chunks and updates the trailing lower triangle by column blocks, the chunks and blocks in
// parallel; every chunk is computed by the same code whichever thread runs it, so L does not
// depend on the thread count. Returns false when the matrix is not numerically positive definite.
bool blocked_cholesky(MatrixD& a, int threads) {
  const Eigen::Index n = a.rows();
  for (Eigen::Index k = 0; k < n; k += kFactorBlock) {
    const Eigen::Index w = std::min(kFactorBlock, n - k);
    Eigen::Ref<MatrixD> diagonal = a.block(k, k, w, w);
    Eigen::LLT<Eigen::Ref<MatrixD>> llt(diagonal);
    if (llt.info() != Eigen::Success) return false;
    const Eigen::Index rest = n - k - w;
    if (rest == 0) break;
    // Panel: A21 <- A21 L11^-T.
    parallel_chunks(rest, 256, threads, [&](int64_t begin, int64_t end) {
      auto rows = a.block(k + w + begin, k, end - begin, w);
      a.block(k, k, w, w).triangularView<Eigen::Lower>().transpose().solveInPlace<Eigen::OnTheRight>(rows);
    });
    // Trailing update A22 -= A21 A21^T, lower triangle, one column block at a time.
    const auto panel = a.block(k + w, k, rest, w);
    const int64_t blocks = (rest + kFactorBlock - 1) / kFactorBlock;
    parallel_chunks(blocks, 1, threads, [&](int64_t begin, int64_t end) {
      for (int64_t block = begin; block < end; ++block) {
        const Eigen::Index c = block * kFactorBlock;
        const Eigen::Index cw = std::min(kFactorBlock, rest - c);
        a.block(k + w + c, k + w + c, rest - c, cw).noalias() -=
            panel.middleRows(c, rest - c) * panel.middleRows(c, cw).transpose();
      }
    });
  }
  return true;
}

class Ease final : public Algorithm {
 public:
  explicit Ease(const Params& p) : lambda_(p.real("lambda")) {
    if (!(lambda_ > 0)) fail("ease: lambda = {} must be > 0 (the ridge keeps X^T X + lambda I invertible)", lambda_);
  }

  void fit(const FitContext& context) override {
    num_items_ = context.train.num_items();
    const Eigen::Index n = num_items_;
    const auto t0 = std::chrono::steady_clock::now();
    x_ = interaction_matrix(context.train, ValueMode::Binary);
    if (context.device == Device::Cuda) {
      // run.device=cuda: G, its Cholesky inverse and B on the GPU in float64 (similarity_cuda.hpp);
      // scoring stays on the CPU (X_block · B through the sparse rows of X, as below).
      const auto weights = ease_weights_torch(x_, lambda_, TorchDevice::Cuda);
      b_ = Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(weights.values.data(), n, n);
      if (context.log)
        context.log->info("ease: {} items; G, Cholesky, inverse and B on the GPU {:.2f} s", n,
                          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      return;
    }
    const auto by_item = transpose(x_);

    // G = XᵀX + λI, one item row at a time (binary counts: exact in any order).
    MatrixD g = MatrixD::Zero(n, n);
    GramScratch prototype;
    prototype.configure(by_item, x_);
    parallel_chunks(n, 64, context.threads, [&](int64_t begin, int64_t end) {
      GramScratch scratch = prototype;
      for (auto i = static_cast<int32_t>(begin); i < end; ++i) {
        gram_row(by_item, x_, i, scratch);
        for (int32_t j : scratch.touched) g(j, i) = scratch.dot[static_cast<size_t>(j)];
        g(i, i) += lambda_;
      }
    });

    const auto t1 = std::chrono::steady_clock::now();
    if (!blocked_cholesky(g, context.threads))  // g's lower triangle becomes L
      fail("ease: X^T X + lambda I is not numerically positive definite (lambda = {}); use a larger lambda", lambda_);

    const auto t2 = std::chrono::steady_clock::now();
    // Lower triangle of P = G⁻¹ (rows >= the block's first column), block column by block column.
    MatrixD p(n, n);
    const int64_t blocks = (n + kSolveBlock - 1) / kSolveBlock;
    parallel_chunks(blocks, 1, context.threads, [&](int64_t begin, int64_t end) {
      for (int64_t block = begin; block < end; ++block) {
        const Eigen::Index c = block * kSolveBlock;
        const Eigen::Index width = std::min<Eigen::Index>(kSolveBlock, n - c);
        const Eigen::Index m = n - c;
        MatrixD y = MatrixD::Zero(m, width);
        y.topRows(width).setIdentity();
        const auto corner = g.bottomRightCorner(m, m);
        corner.triangularView<Eigen::Lower>().solveInPlace(y);
        corner.triangularView<Eigen::Lower>().transpose().solveInPlace(y);
        p.block(c, c, m, width) = y;
      }
    });

    const auto t3 = std::chrono::steady_clock::now();
    // B_ij = −P_ij / P_jj with P_ij read from the lower triangle (P_ij = P_ji).
    b_.resize(n, n);
    parallel_chunks(n, 64, context.threads, [&](int64_t begin, int64_t end) {
      for (Eigen::Index i = begin; i < end; ++i)
        for (Eigen::Index j = 0; j < n; ++j) {
          const double pij = i >= j ? p(i, j) : p(j, i);
          b_(i, j) = i == j ? 0.0f : static_cast<float>(-pij / p(j, j));
        }
    });
    if (context.log) {
      const auto seconds = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
      context.log->info("ease: {} items; Gram {:.2f} s, Cholesky {:.2f} s, inverse {:.2f} s, B {:.2f} s", n,
                        seconds(t0, t1), seconds(t1, t2), seconds(t2, t3), seconds(t3, std::chrono::steady_clock::now()));
    }
  }

  void score(std::span<const int32_t> users, std::span<float> out) const override {
    score_rows(users.size(), [&](size_t u) { return x_.indices_of(users[u]); }, out);
  }

  // Fold-in: row u of X_history · B with the fitted B, the same sums as score(), so a history scores
  // exactly as a training user with that row would.
  bool folds_in() const override { return true; }
  void score_history(std::span<const int32_t> users, const Interactions& history, std::span<float> out) const override {
    score_rows(users.size(), [&](size_t u) {
      const int32_t user = users[u];
      return user >= 0 && user < history.num_users() ? history.items_of(user) : std::span<const int32_t>();
    }, out);
  }

 private:
  // Row u of X·B for `count` users whose items items_of(u) gives (ascending), item tile by item tile
  // so that a tile of B stays in cache for the whole block of users (a row at a time would stream
  // all of B once per user). Each score still sums its B_ji in ascending j, so a block and a single
  // user get the same numbers.
  template <typename ItemsOf>
  void score_rows(size_t count, const ItemsOf& items_of, std::span<float> out) const {
    const auto n = static_cast<size_t>(num_items_);
    std::fill(out.begin(), out.begin() + static_cast<long>(count * n), 0.0f);
    for (size_t c = 0; c < n; c += kScoreTile) {
      const size_t width = std::min(kScoreTile, n - c);
      for (size_t u = 0; u < count; ++u) {
        float* row = out.data() + u * n + c;
        for (int32_t j : items_of(u)) {
          const float* weights = b_.data() + static_cast<size_t>(j) * n + c;
          for (size_t i = 0; i < width; ++i) row[i] += weights[i];
        }
      }
    }
  }

  double lambda_;
  CsrMatrix x_;  // users x items, binary
  Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> b_;  // row j = B_j·
};

}  // namespace

void register_ease(Registries& registries) {
  registries.algorithms.add({"ease",
                             kDescription,
                             {ParamSpec::real("lambda", 500.0, "L2 regularisation lambda added to the diagonal of X^T X (must be > 0)", 0.0)},
                             [](const Params& p) { return std::make_unique<Ease>(p); }});
}

}  // namespace tailrec
