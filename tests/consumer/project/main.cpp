// A program outside the RingKernels tree: uses the installed headers and library.
#include <ringkernels/build_info.hpp>
#include <ringkernels/messaging/ring_buffer.hpp>

#include <Kokkos_Core.hpp>

#include <cstdio>

int main(int argc, char* argv[]) {
  Kokkos::ScopeGuard kokkos(argc, argv);
  namespace msg = ringkernels::messaging;
  msg::ring_buffer<Kokkos::HostSpace> ring("consumer.in", msg::ring_options{});
  msg::ring_producer<msg::scope::system> producer(ring.ref());
  msg::ring_consumer<msg::scope::system> consumer(ring.ref());
  const int value = 42;
  msg::frame_header header{};
  header.payload_bytes = sizeof value;
  if (producer.try_push(header, &value) != msg::push_result::ok) return 1;
  int received = 0;
  msg::frame_header got{};
  if (consumer.try_pop(got, received) != msg::pop_result::ok || received != value) return 1;
  std::printf("RingKernels %s: one frame through an installed ring\n",
              ringkernels::version().c_str());
  return 0;
}
