// The host side of an actor system's dead-letter logs (backends/common/actor_dead_letters.hpp):
// the logs and their slots in the backend's data space, and draining them. Host only.
#ifndef RINGKERNELS_DETAIL_DEAD_LETTER_STORE_HPP
#define RINGKERNELS_DETAIL_DEAD_LETTER_STORE_HPP

#include <ringkernels/backend_select.hpp>
#include <ringkernels/backends/common/actor_dead_letters.hpp>
#include <ringkernels/messaging/ring_buffer.hpp>

#include <Kokkos_Core.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

namespace ringkernels {

/// What actor_system::drain_dead_letters() returns.
template <class Actor>
struct dead_letter_batch {
  /// Kept dead letters made since the last drain, oldest first per worker (workers in order).
  std::vector<actor_dead_letter<Actor>> letters;
  /// Dead letters made since the last drain but not kept: overwritten first (each worker keeps
  /// its newest actor_options::dead_letter_capacity), or none kept (capacity 0).
  std::uint64_t lost = 0;
};

}  // namespace ringkernels

namespace ringkernels::detail {

template <class ExecSpace, class Actor>
class dead_letter_store {
 public:
  using backend = backend_traits<ExecSpace>;
  using data_space = typename backend::data_space;
  static constexpr messaging::scope log_scope = messaging::ring_buffer<data_space>::index_scope;
  using log_type = actor_dead_letter_log<Actor, log_scope>;
  using letter = actor_dead_letter<Actor>;
  static constexpr bool in_host_reach =
      Kokkos::SpaceAccessibility<Kokkos::HostSpace, data_space>::accessible;

  /// `capacity` letters kept per worker (rounded up to a power of two; 0 keeps none).
  dead_letter_store(const std::string& name, int workers, std::uint32_t capacity)
      : capacity_(round_up(capacity)), drained_(static_cast<std::size_t>(workers), 0) {
    slots_ = Kokkos::View<letter*, data_space>(name + ".dead_letters",
                                               static_cast<std::size_t>(workers) * capacity_);
    logs_ = Kokkos::View<log_type*, data_space>(
        Kokkos::view_alloc(name + ".dead_letter_logs", Kokkos::WithoutInitializing), workers);
    auto host = Kokkos::create_mirror_view(logs_);
    for (int w = 0; w < workers; ++w) {
      host(w) = log_type{};
      host(w).slots = capacity_ == 0 ? nullptr : slots_.data() + std::uint64_t(w) * capacity_;
      host(w).mask = capacity_ == 0 ? 0 : capacity_ - 1;
    }
    Kokkos::deep_copy(logs_, host);
  }

  /// What the workers write through (actor_binding::dead_letters).
  void* logs() const { return logs_.data(); }

  /// Takes every letter the workers kept since the last drain. @threadsafe
  dead_letter_batch<Actor> drain() {
    std::lock_guard<std::mutex> lock(mutex_);
    dead_letter_batch<Actor> batch;
    const std::vector<std::uint64_t> ends = written();
    std::vector<std::uint64_t> begins(ends.size());
    std::vector<std::vector<letter>> copies(ends.size());
    for (std::size_t w = 0; w < ends.size(); ++w) {
      begins[w] = ends[w] - drained_[w] > capacity_ ? ends[w] - capacity_ : drained_[w];
      batch.lost += begins[w] - drained_[w];
      copies[w] = copy_letters(w, begins[w], ends[w]);
    }
    // A slot a worker began to overwrite while it was copied is dropped: the seqlock's check
    // (its words were acquired, so `begun` read after them is at least the overwriter's).
    const std::vector<std::uint64_t> after = begun();
    for (std::size_t w = 0; w < ends.size(); ++w) {
      // Index i's slot is rewritten by index i + capacity, begun once begun > i + capacity.
      const std::uint64_t first_intact = after[w] > capacity_ ? after[w] - capacity_ : 0;
      for (std::uint64_t i = begins[w]; i < ends[w]; ++i) {
        if (i >= first_intact) {
          batch.letters.push_back(copies[w][i - begins[w]]);
        } else {
          ++batch.lost;
        }
      }
      drained_[w] = ends[w];
    }
    return batch;
  }

  /// For actor_memory's destructor after Kokkos::finalize: never free (Kokkos would abort).
  void leak() {
    if (slots_.data() != nullptr) new Kokkos::View<letter*, data_space>(std::move(slots_));
    if (logs_.data() != nullptr) new Kokkos::View<log_type*, data_space>(std::move(logs_));
  }

 private:
  static std::uint64_t round_up(std::uint32_t capacity) {
    std::uint64_t slots = capacity == 0 ? 0 : 1;
    while (slots < capacity) slots <<= 1;
    return slots;
  }

  /// Every worker's `written` (acquire: the letters below it are whole) and `begun`.
  std::vector<std::uint64_t> written() const { return read_logs(&log_type::written); }
  std::vector<std::uint64_t> begun() const { return read_logs(&log_type::begun); }
  /// One field of every log: acquire loads in place on a CPU, one copy from a GPU.
  std::vector<std::uint64_t> read_logs(std::uint64_t log_type::*field) const {
    std::vector<std::uint64_t> counts(logs_.extent(0));
    if constexpr (in_host_reach) {
      for (std::size_t w = 0; w < counts.size(); ++w) {
        counts[w] = log_type::word::load_acquire(&(logs_(w).*field));
      }
    } else {
      std::vector<log_type> copy(counts.size());
      backend::copy_memory(copy.data(), logs_.data(), copy.size() * sizeof(log_type));
      for (std::size_t w = 0; w < counts.size(); ++w) counts[w] = copy[w].*field;
    }
    return counts;
  }

  /// Letters [begin, end) of worker `w`'s log (end - begin <= capacity).
  std::vector<letter> copy_letters(std::size_t w, std::uint64_t begin, std::uint64_t end) const {
    std::vector<letter> out(end - begin);
    letter* slots = slots_.data() + w * capacity_;
    for (std::uint64_t i = begin; i < end;) {
      const std::uint64_t slot = i & (capacity_ - 1);
      const std::uint64_t run = std::min(end - i, capacity_ - slot);  // up to the wrap
      letter* target = out.data() + (i - begin);
      if constexpr (in_host_reach) {
        for (std::uint64_t k = 0; k < run; ++k) read_words(slots + slot + k, target + k);
      } else {
        backend::copy_memory(target, slots + slot, run * sizeof(letter));
      }
      i += run;
    }
    return out;
  }

  /// A slot as acquire 8-byte loads (a worker may be overwriting it: no data race then).
  static void read_words(letter* slot, letter* target) {
    std::uint64_t words[log_type::words];
    auto* source = reinterpret_cast<std::uint64_t*>(slot);
    for (std::size_t i = 0; i < log_type::words; ++i) {
      words[i] = log_type::word::load_acquire(source + i);
    }
    std::memcpy(static_cast<void*>(target), words, sizeof words);
  }

  std::uint64_t capacity_;
  Kokkos::View<letter*, data_space> slots_;
  Kokkos::View<log_type*, data_space> logs_;
  std::mutex mutex_;
  std::vector<std::uint64_t> drained_;  ///< per worker: letters up to here were taken
};

}  // namespace ringkernels::detail

#endif
