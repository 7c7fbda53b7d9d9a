// Sealed rings (frame_seal.hpp): a frame counts as complete only when its stamp and its seal
// agree with its bytes, whoever wrote it and in whatever order its units landed.
#include <ringkernels/messaging/ring_buffer.hpp>

#include <catch2/catch_test_macros.hpp>

#include <array>
#include <cstring>
#include <random>

namespace msg = ringkernels::messaging;
using host_ring = msg::ring_buffer<Kokkos::HostSpace>;
using producer = msg::ring_producer<msg::scope::system>;
using consumer = msg::ring_consumer<msg::scope::system>;

namespace {

struct payload64 {
  std::uint64_t words[8];
};

msg::ring_options sealed_options(std::uint32_t slots = 4) {
  msg::ring_options result;
  result.slot_count = slots;
  result.max_payload = 64;
  result.sealed = true;
  return result;
}

payload64 payload_for(std::uint64_t sequence) {
  payload64 p{};
  for (std::uint64_t i = 0; i < 8; ++i) p.words[i] = sequence * 1000 + i;
  return p;
}

msg::frame_header header_for(std::uint64_t sequence) {
  msg::frame_header header{};
  header.payload_bytes = sizeof(payload64);
  header.type_id = 7;
  header.message_id = sequence;
  header.timestamp = sequence * 3;
  return header;
}

/// The 64-bit words of the slot at `position`: 6 header words, then the payload's.
std::uint64_t* slot_words(const host_ring& ring, std::uint64_t position) {
  return reinterpret_cast<std::uint64_t*>(ring.ref().slot(position));
}

constexpr std::size_t seal_word = 5;  // frame_header::seal
constexpr std::size_t frame_words = (sizeof(msg::frame_header) + sizeof(payload64)) / 8;

}  // namespace

TEST_CASE("a sealed ring's producer seals each frame and its consumer reads it",
          "[messaging][seal]") {
  host_ring ring("sealed", sealed_options());
  producer p(ring.ref());
  consumer c(ring.ref());
  for (std::uint64_t sequence = 0; sequence < 10; ++sequence) {  // wraps the 4 slots twice
    const payload64 sent = payload_for(sequence);
    REQUIRE(p.try_push(header_for(sequence), &sent) == msg::push_result::ok);
    const msg::frame_header* slot = ring.ref().slot(sequence);
    msg::frame_header expected = header_for(sequence);
    expected.commit_stamp = msg::stamp_of(sequence);
    CHECK(slot->seal ==
          msg::frame_seal(expected, reinterpret_cast<const std::byte*>(&sent), sizeof sent));
    msg::frame_header header{};
    payload64 got{};
    REQUIRE(c.try_pop(header, got) == msg::pop_result::ok);
    CHECK(header.message_id == sequence);
    CHECK(std::memcmp(&got, &sent, sizeof got) == 0);
  }
}

TEST_CASE("a frame of an unsealed ring carries no seal", "[messaging][seal]") {
  msg::ring_options options = sealed_options();
  options.sealed = false;
  host_ring ring("plain", options);
  producer p(ring.ref());
  msg::frame_header header = header_for(1);
  header.seal = 12345;  // whatever the caller left there is not written
  const payload64 sent = payload_for(1);
  REQUIRE(p.try_push(header, &sent) == msg::push_result::ok);
  CHECK(ring.ref().slot(0)->seal == 0);
  CHECK(ring.ref().committed(0));
}

TEST_CASE("a stamped frame with any one word not yet written is not complete",
          "[messaging][seal]") {
  // A GPU writes a sealed frame's units in any order, and a reader may see the stamp before the
  // rest: each word still holding the slot's previous frame must keep the frame pending.
  host_ring ring("torn", sealed_options(2));
  producer p(ring.ref());
  consumer c(ring.ref());
  const payload64 old_payload = payload_for(0);
  REQUIRE(p.try_push(header_for(0), &old_payload) == msg::push_result::ok);
  msg::frame_header header{};
  payload64 got{};
  REQUIRE(c.try_pop(header, got) == msg::pop_result::ok);
  const payload64 previous_payload = payload_for(1);
  REQUIRE(p.try_push(header_for(1), &previous_payload) == msg::push_result::ok);
  REQUIRE(c.try_pop(header, got) == msg::pop_result::ok);
  // Slot 0 now holds frame 0; frame 2 goes to the same slot.
  std::array<std::uint64_t, frame_words> previous{};
  std::memcpy(previous.data(), slot_words(ring, 2), sizeof previous);
  const payload64 sent = payload_for(2);
  REQUIRE(p.try_push(header_for(2), &sent) == msg::push_result::ok);
  std::array<std::uint64_t, frame_words> complete{};
  std::memcpy(complete.data(), slot_words(ring, 2), sizeof complete);
  REQUIRE(ring.ref().committed(2));
  for (std::size_t word = 0; word < frame_words; ++word) {
    if (word == 1) continue;  // payload_bytes' neighbour flags and the stamp: the stamp word
    if (complete[word] == previous[word]) continue;  // a stale copy equal to the new one is right
    slot_words(ring, 2)[word] = previous[word];
    CHECK_FALSE(ring.ref().committed(2));
    slot_words(ring, 2)[word] = complete[word];
    CHECK(ring.ref().committed(2));
  }
  // The stamp word itself: with the old flags but the new stamp, the seal fails too.
  const std::uint64_t stamp_word = complete[1];
  slot_words(ring, 2)[1] = (stamp_word & 0xffffffff00000000ull) | 0x1u;  // a flag bit flipped
  CHECK_FALSE(ring.ref().committed(2));
  slot_words(ring, 2)[1] = stamp_word;
  REQUIRE(c.try_pop(header, got) == msg::pop_result::ok);
  CHECK(std::memcmp(&got, &sent, sizeof got) == 0);
}

TEST_CASE("seals differ for frames that differ in one word", "[messaging][seal]") {
  std::mt19937_64 random(42);
  for (int trial = 0; trial < 2000; ++trial) {
    msg::frame_header header{};
    header.payload_bytes = 64;
    header.message_id = random();
    header.commit_stamp = static_cast<std::uint32_t>(random());
    payload64 payload{};
    for (auto& word : payload.words) word = random();
    const auto seal_of = [&] {
      return msg::frame_seal(header, reinterpret_cast<const std::byte*>(&payload), 64);
    };
    const std::uint64_t original = seal_of();
    const std::size_t word = static_cast<std::size_t>(random() % 8);
    const std::uint64_t kept = payload.words[word];
    payload.words[word] ^= random() | 1u;  // never a zero change
    CHECK(seal_of() != original);
    payload.words[word] = kept;
    header.timestamp ^= std::uint64_t{1} << (trial % 64);
    CHECK(seal_of() != original);
    header.timestamp ^= std::uint64_t{1} << (trial % 64);
    CHECK(seal_of() == original);
  }
}

TEST_CASE("a seal covers the payload's bytes and not the slot's padding after them",
          "[messaging][seal]") {
  msg::frame_header header{};
  header.payload_bytes = 13;
  std::array<std::byte, 16> a{}, b{};
  for (std::size_t i = 0; i < 13; ++i) a[i] = b[i] = std::byte(i + 1);
  b[13] = b[14] = b[15] = std::byte{0xee};  // what an earlier, longer frame left in the slot
  CHECK(msg::frame_seal(header, a.data(), 13) == msg::frame_seal(header, b.data(), 13));
  b[12] = std::byte{0};
  CHECK(msg::frame_seal(header, a.data(), 13) != msg::frame_seal(header, b.data(), 13));
}

TEST_CASE("a frame written whole by write_sealed_position needs no separate stamp",
          "[messaging][seal]") {
  host_ring ring("whole", sealed_options());
  producer p(ring.ref());
  consumer c(ring.ref());
  std::uint64_t first = 0;
  REQUIRE(p.reserve_positions(2, first) == 2);
  CHECK_FALSE(ring.ref().committed(first));
  p.write_sealed_position(first + 1, header_for(11), payload_for(11));  // out of order
  CHECK(c.available(2) == 0);  // the first is still missing
  p.write_sealed_position(first, header_for(10), payload_for(10));
  REQUIRE(c.available(2) == 2);
  for (std::uint32_t i = 0; i < 2; ++i) {
    const msg::frame_view frame = c.frame(i);
    CHECK(frame.header->message_id == 10 + i);
    payload64 got{};
    std::memcpy(&got, frame.payload, sizeof got);
    const payload64 sent = payload_for(10 + i);
    CHECK(std::memcmp(&got, &sent, sizeof got) == 0);
  }
  c.release(2);
}
