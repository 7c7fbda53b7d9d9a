// Which ring kernels are resident on which GPU, process-wide, and the rules that follow from it.
// Plain C++ (no GPU headers) so the rules are unit-tested on machines without a GPU.
//
// Why: a resident ring kernel never lets its device go idle, and three things the CUDA driver
// does only on an idle device would then wait forever (each measured on an H200):
//   - loading a kernel's code: with lazy module loading (the default since CUDA 12.2) a kernel
//     is loaded at its first use, even by cudaFuncGetAttributes;
//   - growing the local-memory reservation (per-thread stack) for a kernel that needs more than
//     the largest launched so far (a handler with 3 KB frames needs 11 KB per thread);
//   - freeing pinned host memory (cudaFreeHost synchronises the device).
// The backend therefore launches under this book's lock: it refuses, with the numbers, a launch
// that would wait; it grows the reservation itself while nothing is resident; and it hands its
// pinned memory to bury(), which frees it only once no ring kernel is resident.
#ifndef RINGKERNELS_BACKENDS_COMMON_DEVICE_RESIDENCY_HPP
#define RINGKERNELS_BACKENDS_COMMON_DEVICE_RESIDENCY_HPP

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace ringkernels {

/// What the residency rules need to know about one launch.
struct residency_facts {
  std::string kernel;                 ///< the ring kernel being launched
  std::string where;                  ///< "device 0 (NVIDIA H200)"
  std::vector<std::string> resident;  ///< ring kernels resident on that device
  bool lazy_loading = true;           ///< CUDA_MODULE_LOADING is not EAGER
  bool loaded = false;                ///< this kernel function was loaded on that device before
  std::size_t needs = 0;              ///< local memory per thread (cudaFuncAttributes)
  std::size_t reserved = 0;           ///< reserved per thread now (cudaLimitStackSize)
};

/// Throws ringkernels::error (wrong_state) when loading the kernel's code would wait for the
/// resident kernels forever.
void require_loadable(const residency_facts& facts);

/// True when the local-memory reservation must grow before this launch, which is safe only
/// because nothing is resident. Throws ringkernels::error (wrong_state) naming the numbers and
/// the resident kernels when growing it would wait for them forever.
bool must_grow_local_memory(const residency_facts& facts);

/// What a launch sees of its device, under the book's lock.
struct device_now {
  std::vector<std::string> resident;  ///< ring kernels resident on the device
  bool function_loaded = false;       ///< the kernel function was admitted on it before
};

/// The process-wide book of resident ring kernels per device.
class device_residency {
 public:
  /// Counts one kernel as resident until released (or destroyed).
  class ticket {
   public:
    ticket() = default;
    ticket(ticket&& other) noexcept;
    ticket& operator=(ticket&& other) noexcept;
    ticket(const ticket&) = delete;
    ticket& operator=(const ticket&) = delete;
    ~ticket() { release(); }

    /// The kernel has left the device.
    void release() noexcept;
    /// The kernel never left (it was detached while still running): it stays in the book, so
    /// later launches on its device are still checked against it.
    void keep_forever() noexcept { book_ = nullptr; }
    bool held() const noexcept { return book_ != nullptr; }

   private:
    friend class device_residency;
    ticket(device_residency* book, int device, std::string kernel)
        : book_(book), device_(device), kernel_(std::move(kernel)) {}
    device_residency* book_ = nullptr;
    int device_ = -1;
    std::string kernel_;
  };

  /// The one book of this process.
  static device_residency& process();

  /// Runs `launch(device_now)` under the book's lock, so that no other launch or free
  /// interleaves with the checks and the launch; `launch` returns whether the kernel stays
  /// resident (false for a launch per batch). `function` identifies the kernel's code, which is
  /// remembered as loaded on `device` once `launch` returns. The returned ticket counts a
  /// resident `kernel` on `device` until released; it is empty otherwise, and nothing is
  /// counted if `launch` throws.
  template <class Launch>
  ticket admit(int device, const void* function, const std::string& kernel, Launch&& launch) {
    std::lock_guard lock(mutex_);
    const bool stays_resident =
        launch(device_now{resident_locked(device), loaded_.count({device, function}) > 0});
    loaded_.insert({device, function});
    if (!stays_resident) return {};
    resident_[device].push_back(kernel);
    return ticket(this, device, kernel);
  }

  /// Runs `load(device_now)` under the book's lock and remembers `function` as loaded on
  /// `device`: code loaded ahead of its launch, while the device is idle (actor systems that are
  /// all spawned first and launched after: the later launches then find their code loaded).
  template <class Load>
  void preload(int device, const void* function, Load&& load) {
    std::lock_guard lock(mutex_);
    if (load(device_now{resident_locked(device), loaded_.count({device, function}) > 0})) {
      loaded_.insert({device, function});
    }
  }

  /// Takes pinned memory that is no longer used: freed now (under the lock, so no launch starts
  /// while the free synchronises) when no ring kernel is resident on any device, otherwise kept
  /// until the last one leaves.
  void bury(std::shared_ptr<void> memory);

  /// The ring kernels resident on `device` now.
  std::vector<std::string> resident_on(int device) const;
  /// Pieces of memory waiting for the last resident kernel to leave.
  std::size_t buried() const;

 private:
  std::vector<std::string> resident_locked(int device) const;
  bool any_resident_locked() const;
  void leave(int device, const std::string& kernel) noexcept;

  mutable std::mutex mutex_;
  std::map<int, std::vector<std::string>> resident_;
  std::set<std::pair<int, const void*>> loaded_;
  std::vector<std::shared_ptr<void>> graveyard_;
};

}  // namespace ringkernels

#endif
