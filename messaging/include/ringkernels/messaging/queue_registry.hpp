// Named queues. Every backend names a kernel's queues "<kernel>.<port>" (e.g. "vector_add.in",
// "vector_add.out"), and lookups return typed handles. (The predecessor's CUDA backend appended
// "_input" where the CPU backend did not, and lookups failed.) Host only.
#ifndef RINGKERNELS_MESSAGING_QUEUE_REGISTRY_HPP
#define RINGKERNELS_MESSAGING_QUEUE_REGISTRY_HPP

#include <ringkernels/core/error.hpp>

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <typeindex>
#include <typeinfo>
#include <vector>

namespace ringkernels::messaging {

/// Standard port names.
namespace ports {
inline constexpr std::string_view input = "in";
inline constexpr std::string_view output = "out";
}  // namespace ports

/// "<kernel>.<port>". Both parts: 1-64 characters of [A-Za-z0-9_-]; anything else throws
/// ringkernels::error (invalid_argument) naming the offending part.
std::string queue_name(std::string_view kernel, std::string_view port);

/// A typed reference to a registered queue. Valid while the queue stays registered.
template <class Queue>
struct queue_handle {
  std::string name;
  Queue* queue = nullptr;
  Queue* operator->() const { return queue; }
  Queue& operator*() const { return *queue; }
};

/// Name -> queue map shared by a runtime's kernels. @threadsafe
class queue_registry {
 public:
  /// Registers `queue` as "<kernel>.<port>" on behalf of `owner` (whoever may remove it again:
  /// remove_owned). Throws invalid_argument if the name is taken; nothing is registered then.
  template <class Queue>
  queue_handle<Queue> add(std::string_view kernel, std::string_view port, Queue& queue,
                          const void* owner = nullptr) {
    std::string name = queue_name(kernel, port);
    insert(name, std::string(kernel), &queue, typeid(Queue), owner);
    return queue_handle<Queue>{name, &queue};
  }

  /// Looks a queue up by full name. Throws not_found listing the known names, or
  /// invalid_argument when the queue exists with another type.
  template <class Queue>
  queue_handle<Queue> find(const std::string& name) const {
    return queue_handle<Queue>{name, static_cast<Queue*>(lookup(name, typeid(Queue)))};
  }

  bool contains(const std::string& name) const;
  /// All registered names, sorted.
  std::vector<std::string> names() const;
  /// Unregisters every queue of `kernel`; returns how many were removed.
  std::size_t remove_kernel(std::string_view kernel);
  /// Unregisters the queues `owner` registered, and no others (a kernel whose launch failed
  /// for a taken name must not remove the live kernel's queues); returns how many.
  std::size_t remove_owned(const void* owner);

 private:
  struct entry {
    std::string kernel;
    void* queue;
    std::type_index type;
    const void* owner;
  };
  void insert(const std::string& name, std::string kernel, void* queue, const std::type_info& type,
              const void* owner);
  void* lookup(const std::string& name, const std::type_info& type) const;
  template <class Matches>
  std::size_t remove_where(Matches&& matches);

  mutable std::mutex mutex_;
  std::map<std::string, entry> entries_;
};

}  // namespace ringkernels::messaging

#endif
