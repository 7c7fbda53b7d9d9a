// What an actor type is, checked at compile time: a functor (written once, KOKKOS_FUNCTION)
// with a trivially copyable `State`, a list of trivially copyable message types
// (`using messages = ringkernels::actor_messages<A, B>;`), one handler per message type
// `void operator()(State&, const Msg&, actor_context<Actor>&) const`, an optional
// `void init(std::uint64_t id, State&) const`, and an optional trivially copyable `Reply` that
// handlers send to a host ask() with ctx.reply(). Messages travel as envelopes: the target,
// the message's index in the list, and its bytes.
#ifndef RINGKERNELS_BACKENDS_COMMON_ACTOR_TRAITS_HPP
#define RINGKERNELS_BACKENDS_COMMON_ACTOR_TRAITS_HPP

#include <ringkernels/core/portability.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace ringkernels {

/// The message types an actor handles, in the order that numbers them.
template <class... Messages>
struct actor_messages {};

template <class Actor>
class actor_context;

namespace detail {

template <class T, class... List>
struct index_in;  // the index of T in List, or not found
template <class T>
struct index_in<T> {
  static constexpr int value = -1;
};
template <class T, class First, class... Rest>
struct index_in<T, First, Rest...> {
  static constexpr int value =
      std::is_same_v<T, First>
          ? 0
          : (index_in<T, Rest...>::value < 0 ? -1 : 1 + index_in<T, Rest...>::value);
};

template <class Actor, class = void>
struct actor_reply {
  using type = void;
};
template <class Actor>
struct actor_reply<Actor, std::void_t<typename Actor::Reply>> {
  using type = typename Actor::Reply;
};

template <class Actor, class = void>
struct has_init : std::false_type {};
template <class Actor>
struct has_init<Actor, std::void_t<decltype(std::declval<const Actor&>().init(
                           std::uint64_t{}, std::declval<typename Actor::State&>()))>>
    : std::true_type {};

template <class List>
struct message_list;
template <class... Messages>
struct message_list<actor_messages<Messages...>> {
  static constexpr int count = static_cast<int>(sizeof...(Messages));
  static constexpr std::size_t largest = [] {
    std::size_t size = 1;
    ((size = sizeof(Messages) > size ? sizeof(Messages) : size), ...);
    return size;
  }();
  static constexpr bool all_trivially_copyable = (std::is_trivially_copyable_v<Messages> && ...);
  template <class T>
  static constexpr int index_of = index_in<T, Messages...>::value;

  /// Runs the actor's handler for message type number `type` on `body`; false when `type` is
  /// not one of the list's (a corrupt envelope).
  template <class Actor, class State, class Context>
  RINGKERNELS_INLINE_FUNCTION static bool dispatch(const Actor& actor, State& state, int type,
                                                   const void* body, Context& ctx) {
    bool handled = false;
    int index = 0;
    ((index++ == type ? (call<Messages>(actor, state, body, ctx), handled = true) : false), ...);
    return handled;
  }

 private:
  template <class Message, class Actor, class State, class Context>
  RINGKERNELS_INLINE_FUNCTION static void call(const Actor& actor, State& state, const void* body,
                                               Context& ctx) {
    Message message;
    std::memcpy(static_cast<void*>(&message), body, sizeof(Message));
    actor(state, message, ctx);
  }
};

}  // namespace detail

/// The compile-time facts of an actor type, with the checks that name what is wrong.
template <class Actor>
struct actor_traits {
  using state_type = typename Actor::State;
  using messages = detail::message_list<typename Actor::messages>;
  using reply_type = typename detail::actor_reply<Actor>::type;
  static constexpr bool has_reply = !std::is_void_v<reply_type>;
  static constexpr bool has_init = detail::has_init<Actor>::value;
  /// Bytes of the largest message: an envelope's body.
  static constexpr std::size_t body_bytes = (messages::largest + 7) / 8 * 8;
  template <class Message>
  static constexpr bool handles = messages::template index_of<Message> >= 0;

  static_assert(std::is_trivially_copyable_v<state_type>,
                "ringkernels: Actor::State must be trivially copyable (it lives in device memory "
                "and is copied to and from the host)");
  static_assert(messages::count >= 1, "ringkernels: an actor handles at least one message type");
  static_assert(messages::count <= 0xffff, "ringkernels: an actor handles at most 65535 types");
  static_assert(messages::all_trivially_copyable,
                "ringkernels: every actor message type must be trivially copyable (messages "
                "travel as bytes)");
  static_assert(!has_reply ||
                    std::is_trivially_copyable_v<std::conditional_t<has_reply, reply_type, char>>,
                "ringkernels: Actor::Reply must be trivially copyable");
};

/// Where an actor message travels: its target, its sender (an actor id, or host_sender), the
/// message type's index in the actor's list, and the message's bytes.
template <class Actor>
struct actor_envelope {
  std::uint64_t target = 0;
  std::uint64_t sender = 0;
  std::uint32_t type = 0;
  std::uint32_t sequence = 0;  ///< free for the sender (tests number per-pair sends with it)
  alignas(8) unsigned char body[actor_traits<Actor>::body_bytes] = {};
};

/// The sender id of messages from the host (tell, ask).
inline constexpr std::uint64_t host_sender = ~std::uint64_t{0};

/// actor_envelope::type: the message's index in the low 16 bits; bits 16-30 the sending
/// system when it is another one (system_ref), 0 otherwise; bit 31 is the host's ask flag.
inline constexpr std::uint32_t actor_type_mask = 0xffffu;
inline constexpr int actor_sender_system_shift = 16;
RINGKERNELS_INLINE_FUNCTION constexpr std::uint16_t actor_sender_system_of(std::uint32_t type) {
  return static_cast<std::uint16_t>((type >> actor_sender_system_shift) & 0x7fffu);
}

}  // namespace ringkernels

#endif
