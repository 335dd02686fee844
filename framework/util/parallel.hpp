#pragma once
// Deterministic parallel loops: the range is cut into fixed chunks independent of the thread
// count, and each chunk writes only its own outputs, so results never depend on `threads`.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace tailrec {

// Calls body(begin, end) for chunks of [0, n) of size `chunk` on up to `threads` threads.
// The first exception thrown by any chunk is rethrown after all threads stop.
inline void parallel_chunks(int64_t n, int64_t chunk, int threads,
                            const std::function<void(int64_t, int64_t)>& body) {
  if (n <= 0) return;
  chunk = std::max<int64_t>(1, chunk);
  const int64_t chunks = (n + chunk - 1) / chunk;
  const int workers = static_cast<int>(std::min<int64_t>(std::max(1, threads), chunks));
  std::atomic<int64_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&] {
    while (true) {
      const int64_t c = next.fetch_add(1);
      if (c >= chunks) return;
      {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (error) return;
      }
      try {
        body(c * chunk, std::min(n, (c + 1) * chunk));
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
      }
    }
  };
  if (workers == 1) {
    work();
  } else {
    std::vector<std::thread> pool;
    for (int t = 1; t < workers; ++t) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace tailrec
