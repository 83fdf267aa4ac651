// Workers and a FIFO waiting room: the server part of the data-tier kinds
// (a cache, a cdn edge, each database node). The component keeps its own
// busy/queued counts and calls account() around changes; this only holds
// the line.
#pragma once

#include <cstdint>

#include "model/kernel.hpp"

namespace archsim {

struct Station {
  std::uint32_t workers = 0;    ///< visits served at once; 0 = no limit
  std::int64_t queue_cap = -1;  ///< waiting room; -1 = unbounded
  std::uint32_t busy = 0;
  std::uint32_t qlen = 0;
  Job* head = nullptr;
  Job* tail = nullptr;

  bool has_free_worker() const { return workers == 0 || busy < workers; }
  bool queue_full() const { return queue_cap >= 0 && static_cast<std::int64_t>(qlen) >= queue_cap; }
  void push(Job* j) {
    j->next = nullptr;
    if (tail) tail->next = j;
    else head = j;
    tail = j;
    ++qlen;
  }
  /// The next in line, or nullptr.
  Job* pop() {
    Job* j = head;
    if (!j) return nullptr;
    head = j->next;
    if (!head) tail = nullptr;
    --qlen;
    return j;
  }
};

}  // namespace archsim
