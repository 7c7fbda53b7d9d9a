#include <ringkernels/messaging/queue_registry.hpp>

namespace ringkernels::messaging {
namespace {

void check_part(std::string_view what, std::string_view part) {
  bool ok = !part.empty() && part.size() <= 64;
  for (char c : part) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '_' || c == '-';
    ok = ok && allowed;
  }
  if (!ok) {
    RINGKERNELS_THROW(errc::invalid_argument,
                      std::string(what) + " name '" + std::string(part) +
                          "' must be 1-64 characters of letters, digits, '_' or '-'");
  }
}

std::string join(const std::vector<std::string>& names) {
  if (names.empty()) return "(none)";
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

}  // namespace

std::string queue_name(std::string_view kernel, std::string_view port) {
  check_part("kernel", kernel);
  check_part("port", port);
  return std::string(kernel) + "." + std::string(port);
}

void queue_registry::insert(const std::string& name, std::string kernel, void* queue,
                            const std::type_info& type, const void* owner) {
  std::lock_guard lock(mutex_);
  if (entries_.count(name) != 0) {
    RINGKERNELS_THROW(errc::invalid_argument, "queue '" + name + "' is already registered");
  }
  entries_.emplace(name, entry{std::move(kernel), queue, std::type_index(type), owner});
}

void* queue_registry::lookup(const std::string& name, const std::type_info& type) const {
  std::lock_guard lock(mutex_);
  auto found = entries_.find(name);
  if (found == entries_.end()) {
    std::vector<std::string> known;
    for (const auto& [known_name, unused] : entries_) known.push_back(known_name);
    RINGKERNELS_THROW(errc::not_found,
                      "no queue named '" + name + "'; known queues: " + join(known));
  }
  if (found->second.type != std::type_index(type)) {
    RINGKERNELS_THROW(errc::invalid_argument, "queue '" + name + "' has another type (" +
                                                  found->second.type.name() + ") than requested (" +
                                                  type.name() + ")");
  }
  return found->second.queue;
}

bool queue_registry::contains(const std::string& name) const {
  std::lock_guard lock(mutex_);
  return entries_.count(name) != 0;
}

std::vector<std::string> queue_registry::names() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> result;
  for (const auto& [name, unused] : entries_) result.push_back(name);
  return result;
}

template <class Matches>
std::size_t queue_registry::remove_where(Matches&& matches) {
  std::lock_guard lock(mutex_);
  std::size_t removed = 0;
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (matches(it->second)) {
      it = entries_.erase(it);
      ++removed;
    } else {
      ++it;
    }
  }
  return removed;
}

std::size_t queue_registry::remove_kernel(std::string_view kernel) {
  return remove_where([kernel](const entry& queue) { return queue.kernel == kernel; });
}

std::size_t queue_registry::remove_owned(const void* owner) {
  if (owner == nullptr) return 0;
  return remove_where([owner](const entry& queue) { return queue.owner == owner; });
}

}  // namespace ringkernels::messaging
