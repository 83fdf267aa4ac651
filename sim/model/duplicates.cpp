#include "model/duplicates.hpp"

namespace archsim {

bool DuplicateDetector::seen(std::uint64_t request, const void* site, double now) {
  const std::uint64_t key = request * 0x9E3779B97F4A7C15ull ^ reinterpret_cast<std::uintptr_t>(site);
  const bool again = !executed_.insert(key).second;
  if (!again) order_.emplace_back(now, key);
  while (!order_.empty() && order_.front().first < now - kKeep) {
    executed_.erase(order_.front().second);
    order_.pop_front();
  }
  return again;
}

}  // namespace archsim
