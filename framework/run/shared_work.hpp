#pragma once
// Work that the runs of one process share, such as a sweep's jobs: the loaded dataset, a split,
// BERT item embeddings. Each key is computed once, by the first run that asks, while runs asking
// for the same key meanwhile wait for it; every run then reads the same immutable object. A
// computation that throws is not kept, so the next run asking tries again (and reports its own
// error). Keys must describe everything the value depends on (recipes and hashes, not names).
#include <atomic>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace tailrec {

class SharedWork {
 public:
  template <typename T>
  std::shared_ptr<const T> get(const std::string& key, const std::function<T()>& compute) {
    std::promise<std::shared_ptr<const void>> promise;
    std::shared_future<std::shared_ptr<const void>> future;
    bool owner = false;
    {
      std::lock_guard lock(mutex_);
      auto it = entries_.find(key);
      if (it == entries_.end()) {
        future = promise.get_future().share();
        entries_.emplace(key, future);
        owner = true;
      } else {
        future = it->second;
      }
    }
    if (owner) {
      try {
        promise.set_value(std::make_shared<const T>(compute()));
        ++computed_;
      } catch (...) {
        {
          std::lock_guard lock(mutex_);
          entries_.erase(key);
        }
        promise.set_exception(std::current_exception());
      }
    }
    return std::static_pointer_cast<const T>(future.get());
  }

  // How many values were computed (not reused); for logs and tests.
  int computed() const { return computed_.load(); }

 private:
  std::mutex mutex_;
  std::map<std::string, std::shared_future<std::shared_ptr<const void>>> entries_;
  std::atomic<int> computed_{0};
};

}  // namespace tailrec
