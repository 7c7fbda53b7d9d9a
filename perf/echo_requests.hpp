// The benchmarks' echo requests and the check of every reply (perf/ only): one deterministic
// request per sequence number, so a reply is verified without keeping what was sent.
#ifndef RINGKERNELS_PERF_ECHO_REQUESTS_HPP
#define RINGKERNELS_PERF_ECHO_REQUESTS_HPP

#include <ringkernels/examples/echo.hpp>

#include <cstdint>

namespace ringkernels::perf {

inline examples::echo::Request make_request(std::uint64_t sequence) {
  examples::echo::Request request;
  request.sequence = sequence;
  for (int w = 0; w < 7; ++w)
    request.words[w] = sequence * 0x9e3779b97f4a7c15ull + static_cast<std::uint64_t>(w);
  return request;
}

/// Whether `reply` is what echo answers to make_request(sequence).
inline bool reply_matches(const examples::echo::Reply& reply, std::uint64_t sequence) {
  const examples::echo::Request request = make_request(sequence);
  std::uint64_t sum = request.sequence;
  for (int w = 0; w < 7; ++w) sum += request.words[w];
  bool ok = reply.sequence == sequence && reply.checksum == static_cast<std::uint32_t>(sum);
  for (int w = 0; w < 6; ++w) ok = ok && reply.words[w] == request.words[w];
  return ok;
}

}  // namespace ringkernels::perf

#endif
