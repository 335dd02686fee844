// framework/evaluation/statistics against scipy 1.10 (tests/fixtures/statistics/scipy_reference.json, written by
// make_fixture.py next to it) and against a few cases worked out by hand.
#include "framework/evaluation/statistics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <numbers>

#include <nlohmann/json.hpp>

#include "framework/util/error.hpp"

namespace tailrec {
namespace {

constexpr double kTol = 1e-12;        // relative, for everything computed in closed form or exactly
constexpr double kNormalPTol = 1e-10;  // relative, for p-values of the normal approximation

const nlohmann::json& fixture() {
  static const nlohmann::json json = [] {
    const std::string path = TAILREC_SOURCE_DIR "/tests/fixtures/statistics/scipy_reference.json";
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path + "; regenerate with make_fixture.py (docs/statistics.md)");
    return nlohmann::json::parse(in);
  }();
  return json;
}

std::vector<double> doubles(const nlohmann::json& j) { return j.get<std::vector<double>>(); }

// |actual - expected| <= tol * |expected| (so an expected 0 must be matched exactly).
::testing::AssertionResult near_relative(double actual, double expected, double tol) {
  if (actual == expected || std::abs(actual - expected) <= tol * std::abs(expected))
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "actual " << fmt::format("{:.17g}", actual) << " expected "
                                       << fmt::format("{:.17g}", expected) << " relative error "
                                       << std::abs(actual - expected) / std::abs(expected) << " > " << tol;
}

TEST(StatisticsScipy, FixtureIsTheOneDescribed) {
  EXPECT_EQ(fixture().at("scipy").get<std::string>().substr(0, 4), "1.10");
  EXPECT_GE(fixture().at("wilcoxon").size(), 8u);
}

TEST(StatisticsScipy, WilcoxonMatchesScipy) {
  for (const auto& c : fixture().at("wilcoxon")) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    const auto r = wilcoxon_signed_rank(doubles(c.at("a")), doubles(c.at("b")));
    const auto method = c.at("method").get<std::string>();
    EXPECT_EQ(r.method, method);
    EXPECT_EQ(r.n, c.at("n").get<size_t>());
    EXPECT_TRUE(near_relative(r.mean_difference, c.at("mean_difference"), kTol));
    EXPECT_TRUE(near_relative(r.statistic, c.at("statistic"), kTol));
    EXPECT_TRUE(near_relative(r.p_value, c.at("p_value"), method == "wilcoxon exact" ? kTol : kNormalPTol));
    EXPECT_TRUE(near_relative(r.effect_size, c.at("effect_size"), kTol));
  }
}

TEST(StatisticsScipy, PairedTTestMatchesScipy) {
  for (const auto& c : fixture().at("t_test")) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    const auto r = paired_t_test(doubles(c.at("a")), doubles(c.at("b")));
    EXPECT_EQ(r.method, "paired t-test");
    EXPECT_EQ(r.n, c.at("n").get<size_t>());
    EXPECT_TRUE(near_relative(r.mean_difference, c.at("mean_difference"), kTol));
    EXPECT_TRUE(near_relative(r.statistic, c.at("statistic"), kTol));
    EXPECT_TRUE(near_relative(r.p_value, c.at("p_value"), kTol));
    EXPECT_TRUE(near_relative(r.effect_size, c.at("effect_size"), kTol));
  }
}

TEST(StatisticsScipy, SummaryMatchesScipyTInterval) {
  for (const auto& c : fixture().at("summary")) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    const auto s = summarize(doubles(c.at("values")), c.at("confidence").get<double>());
    EXPECT_EQ(s.n, c.at("n").get<size_t>());
    EXPECT_TRUE(near_relative(s.mean, c.at("mean"), kTol));
    EXPECT_TRUE(near_relative(s.std, c.at("std"), kTol));
    // ci_low/high use a 40-digit mpmath t quantile; scipy 1.10's own t.interval goes through
    // cdflib's stdtrit, good to only ~1e-9 relative in the quantile, so it gets a looser check.
    EXPECT_TRUE(near_relative(s.ci_low, c.at("ci_low"), kTol));
    EXPECT_TRUE(near_relative(s.ci_high, c.at("ci_high"), kTol));
    EXPECT_TRUE(near_relative(s.ci_low, c.at("scipy_ci_low"), 1e-8));
    EXPECT_TRUE(near_relative(s.ci_high, c.at("scipy_ci_high"), 1e-8));
  }
}

TEST(StatisticsScipy, HolmMatchesStatsmodels) {
  for (const auto& c : fixture().at("holm")) {
    const auto adjusted = holm_adjust(doubles(c.at("p")));
    const auto expected = doubles(c.at("adjusted"));
    ASSERT_EQ(adjusted.size(), expected.size());
    for (size_t i = 0; i < adjusted.size(); ++i) EXPECT_TRUE(near_relative(adjusted[i], expected[i], kTol)) << i;
  }
}

TEST(StatisticsHand, WilcoxonExactFiveDifferences) {
  // d = a - b = [1, -2, 3, 4, 5]: ranks of |d| are 1..5, W+ = 1+3+4+5 = 13, W- = 2, W = 2.
  // Sign patterns of {1..5} with positive-rank sum <= 2: {}, {1}, {2} -> 3 of 2^5 = 32.
  // p = 2 * 3/32 = 0.1875; r = (13 - 2) / 15; mean difference 11/5.
  const auto r = wilcoxon_signed_rank({1, -2, 3, 4, 5}, {0, 0, 0, 0, 0});
  EXPECT_EQ(r.method, "wilcoxon exact");
  EXPECT_EQ(r.n, 5u);
  EXPECT_EQ(r.statistic, 2.0);
  EXPECT_EQ(r.p_value, 0.1875);
  EXPECT_DOUBLE_EQ(r.effect_size, 11.0 / 15.0);
  EXPECT_DOUBLE_EQ(r.mean_difference, 2.2);
  // Swapping the samples flips the sign of the effect and keeps W and p.
  const auto s = wilcoxon_signed_rank({0, 0, 0, 0, 0}, {1, -2, 3, 4, 5});
  EXPECT_EQ(s.statistic, 2.0);
  EXPECT_EQ(s.p_value, 0.1875);
  EXPECT_DOUBLE_EQ(s.effect_size, -11.0 / 15.0);
}

TEST(StatisticsHand, WilcoxonExactAtTheCentreIsOne) {
  // d = [1, -2, -3, 4]: W+ = 5, W- = 5 (of 10). P(W+ <= 5) = (1+1+1+2+2+2)/16 = 9/16 > 1/2 -> p = 1.
  const auto r = wilcoxon_signed_rank({1, -2, -3, 4}, {0, 0, 0, 0});
  EXPECT_EQ(r.statistic, 5.0);
  EXPECT_EQ(r.p_value, 1.0);
  EXPECT_EQ(r.effect_size, 0.0);
}

TEST(StatisticsHand, WilcoxonTiesAndZerosUseTheNormalApproximation) {
  // d = [1, 1, -2, 3, 0]: the zero is dropped (n' = 4); |d| ranks 1.5, 1.5, 3, 4; W+ = 7, W- = 3.
  // mean = 4*5/4 = 5; variance = (4*5*9 - 0.5 * 2*(2^2 - 1)) / 24 = 177/24; z = (3 - 5)/sqrt(177/24).
  // p = 2 * (1 - Phi(|z|)) = erfc(|z| / sqrt 2).
  const auto r = wilcoxon_signed_rank({1, 1, -2, 3, 0}, {0, 0, 0, 0, 0});
  EXPECT_EQ(r.method, "wilcoxon normal");
  EXPECT_EQ(r.n, 5u);
  EXPECT_EQ(r.statistic, 3.0);
  const double z = 2 / std::sqrt(177.0 / 24);
  EXPECT_TRUE(near_relative(r.p_value, std::erfc(z / std::numbers::sqrt2), kNormalPTol));
  EXPECT_DOUBLE_EQ(r.effect_size, 0.4);
}

TEST(StatisticsHand, WilcoxonDropsNaNPairsAndHandlesNoDifference) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const auto with_nan = wilcoxon_signed_rank({1, nan, -2, 3, 4, 5, 7}, {0, 0, 0, 0, 0, 0, nan});
  const auto clean = wilcoxon_signed_rank({1, -2, 3, 4, 5}, {0, 0, 0, 0, 0});
  EXPECT_EQ(with_nan.n, 5u);
  EXPECT_EQ(with_nan.p_value, clean.p_value);
  EXPECT_EQ(with_nan.statistic, clean.statistic);
  const auto same = wilcoxon_signed_rank({0.5, 0.25}, {0.5, 0.25});
  EXPECT_EQ(same.p_value, 1.0);
  EXPECT_EQ(same.statistic, 0.0);
  EXPECT_EQ(same.effect_size, 0.0);
  EXPECT_THROW(wilcoxon_signed_rank({1, 2}, {1}), Error);
  EXPECT_THROW(wilcoxon_signed_rank({nan}, {1}), Error);
}

TEST(StatisticsHand, PairedTTestThreeDifferences) {
  // d = [1, 2, 3]: mean 2, sd 1, t = 2 / (1/sqrt 3) = 2 sqrt 3, d_z = 2.
  // With 2 degrees of freedom P(T > t) = (1 - t / sqrt(2 + t^2)) / 2, so p = 1 - sqrt(12/14).
  const auto r = paired_t_test({2, 4, 6}, {1, 2, 3});
  EXPECT_TRUE(near_relative(r.statistic, 2 * std::sqrt(3.0), kTol));
  EXPECT_TRUE(near_relative(r.p_value, 1 - std::sqrt(12.0 / 14.0), kTol));
  EXPECT_TRUE(near_relative(r.effect_size, 2.0, kTol));
  EXPECT_EQ(r.mean_difference, 2.0);
}

TEST(StatisticsHand, PairedTTestConstantDifferences) {
  const auto zero = paired_t_test({0.1, 0.2, 0.3}, {0.1, 0.2, 0.3});
  EXPECT_EQ(zero.statistic, 0.0);
  EXPECT_EQ(zero.p_value, 1.0);
  // 0.1 ten times: the mean rounds off 0.1, a naive sd would be tiny but not zero.
  const auto shifted = paired_t_test(std::vector<double>(10, 0.1), std::vector<double>(10, 0.0));
  EXPECT_EQ(shifted.statistic, std::numeric_limits<double>::infinity());
  EXPECT_EQ(shifted.p_value, 0.0);
  EXPECT_EQ(shifted.mean_difference, 0.1);
  EXPECT_THROW(paired_t_test({1}, {2}), Error);
}

TEST(StatisticsHand, SummaryOfTwoUsesCauchyQuantile) {
  // {1, 3}: mean 2, sd sqrt 2, half-width t_{0.975,1} * sqrt2 / sqrt2 = tan(0.475 pi) (Cauchy quantile).
  const auto s = summarize({1, 3});
  EXPECT_EQ(s.mean, 2.0);
  EXPECT_TRUE(near_relative(s.std, std::sqrt(2.0), kTol));
  EXPECT_TRUE(near_relative(s.ci_high - 2, std::tan(0.475 * std::numbers::pi), kTol));
  EXPECT_TRUE(near_relative(2 - s.ci_low, std::tan(0.475 * std::numbers::pi), kTol));
}

TEST(StatisticsHand, SummarySkipsNaNAndHandlesOneValue) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const auto s = summarize({nan, 0.25, nan});
  EXPECT_EQ(s.n, 1u);
  EXPECT_EQ(s.mean, 0.25);
  EXPECT_EQ(s.std, 0.0);
  EXPECT_EQ(s.ci_low, 0.25);
  EXPECT_EQ(s.ci_high, 0.25);
  EXPECT_THROW(summarize({nan}), Error);
  EXPECT_THROW(summarize({}), Error);
  EXPECT_THROW(summarize({1, 2}, 1.0), Error);
}

TEST(StatisticsHand, HolmStepDown) {
  // Sorted 0.01, 0.03, 0.04 times 3, 2, 1: 0.03, 0.06, 0.04 -> running max 0.03, 0.06, 0.06.
  const auto adjusted = holm_adjust({0.01, 0.04, 0.03});
  EXPECT_DOUBLE_EQ(adjusted[0], 0.03);
  EXPECT_DOUBLE_EQ(adjusted[1], 0.06);
  EXPECT_DOUBLE_EQ(adjusted[2], 0.06);
  // Capped at 1.
  EXPECT_EQ(holm_adjust({0.6, 0.7}), (std::vector<double>{1.0, 1.0}));
  EXPECT_TRUE(holm_adjust({}).empty());
  EXPECT_THROW(holm_adjust({0.5, std::numeric_limits<double>::quiet_NaN()}), Error);
  EXPECT_THROW(holm_adjust({1.5}), Error);
}

}  // namespace
}  // namespace tailrec
