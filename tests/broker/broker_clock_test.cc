// BrokerClock: the system mode follows the system clock, the manual mode stands still until
// advanced, time never goes back across switches, and bad advances are refused.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "broker/broker_clock.h"
#include "protocol/absl_compat.h"
#include "protocol/error_codes.h"

namespace brook {
namespace {

using std::chrono::milliseconds;

struct FakeSystem {
  std::atomic<int64_t> now{1'000'000};
  std::function<int64_t()> fn() {
    return [this] { return now.load(); };
  }
};

TEST_CASE("the system mode follows the system clock") {
  FakeSystem system;
  BrokerClock clock(ClockMode::kSystem, system.fn());
  CHECK(clock.mode() == ClockMode::kSystem);
  CHECK(clock.NowMs() == 1'000'000);
  system.now += 500;
  CHECK(clock.NowMs() == 1'000'500);
  const auto before = clock.SteadyNow();
  std::this_thread::sleep_for(milliseconds(2));
  CHECK(clock.SteadyNow() > before);
}

TEST_CASE("a manual clock stands still until advanced; both views move together") {
  FakeSystem system;
  BrokerClock clock(ClockMode::kSystem, system.fn());
  clock.SetMode(ClockMode::kManual);
  CHECK(clock.mode() == ClockMode::kManual);
  const auto steady = clock.SteadyNow();
  system.now += 10'000;
  std::this_thread::sleep_for(milliseconds(2));
  CHECK(clock.NowMs() == 1'000'000);
  CHECK(clock.SteadyNow() == steady);

  REQUIRE(clock.Advance(std::chrono::hours(25)).ok());
  CHECK(clock.NowMs() == 1'000'000 + 25 * 3'600'000);
  CHECK(clock.SteadyNow() - steady == std::chrono::hours(25));
  REQUIRE(clock.Advance(milliseconds(0)).ok());
  CHECK(clock.NowMs() == 1'000'000 + 25 * 3'600'000);
}

TEST_CASE("a clock started manual stands at the system time of its start") {
  FakeSystem system;
  BrokerClock clock(ClockMode::kManual, system.fn());
  system.now += 1;
  CHECK(clock.NowMs() == 1'000'000);
}

TEST_CASE("back to the system mode, the clock runs on from where it stands, never back") {
  FakeSystem system;
  BrokerClock clock(ClockMode::kManual, system.fn());
  REQUIRE(clock.Advance(milliseconds(7000)).ok());
  const auto steady = clock.SteadyNow();
  clock.SetMode(ClockMode::kSystem);
  CHECK(clock.NowMs() == 1'007'000);
  CHECK(clock.SteadyNow() >= steady);
  system.now += 100;
  CHECK(clock.NowMs() == 1'007'100);
  // Switching again keeps the time too.
  clock.SetMode(ClockMode::kManual);
  CHECK(clock.NowMs() == 1'007'100);
  clock.SetMode(ClockMode::kManual);  // Already manual: nothing changes.
  CHECK(clock.NowMs() == 1'007'100);
}

TEST_CASE("advancing back, or advancing the system clock, is refused") {
  FakeSystem system;
  BrokerClock clock(ClockMode::kSystem, system.fn());
  absl::Status system_advance = clock.Advance(milliseconds(1));
  CHECK(CodeOf(system_advance) == ErrorCode::kInvalidRequest);
  CHECK(MessageOf(system_advance).find("switch it to manual") != std::string_view::npos);
  clock.SetMode(ClockMode::kManual);
  absl::Status back = clock.Advance(milliseconds(-1));
  CHECK(CodeOf(back) == ErrorCode::kInvalidRequest);
  CHECK(MessageOf(back).find("never goes back") != std::string_view::npos);
  CHECK(clock.NowMs() == 1'000'000);
}

}  // namespace
}  // namespace brook
