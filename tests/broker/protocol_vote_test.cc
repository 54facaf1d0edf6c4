// How a Kafka classic group picks its protocol (broker/group/protocol_vote.h): candidates
// supported by all, one vote per member, ties broken in java.util.HashMap order as Kafka does.
#include "broker/group/protocol_vote.h"

#include <doctest/doctest.h>

namespace brook::group {
namespace {

TEST_CASE("Java's String.hashCode, over UTF-16 code units") {
  CHECK(JavaStringHash("") == 0);
  CHECK(JavaStringHash("range") == 108280125);
  CHECK(JavaStringHash("roundrobin") == -128548644);
  CHECK(JavaStringHash("\xc3\xa9") == 233);                // U+00E9
  CHECK(JavaStringHash("\xf0\x9f\x98\x80") == 1772899);    // U+1F600, a surrogate pair.
  CHECK(JavaStringHash("x\xffy") == 2146964);              // An invalid byte is U+FFFD.
}

TEST_CASE("only protocols every member supports are candidates; each member votes its first") {
  CHECK(SelectProtocol({}) == std::nullopt);
  CHECK(SelectProtocol({{"range"}, {"roundrobin"}}) == std::nullopt);
  CHECK(SelectProtocol({{"range"}}) == "range");
  // roundrobin is not supported by the third member, so all vote range.
  CHECK(SelectProtocol({{"roundrobin", "range"}, {"roundrobin", "range"}, {"range"}}) ==
        "range");
  // Two votes for cooperative-sticky, one for range.
  CHECK(SelectProtocol({{"cooperative-sticky", "range"},
                        {"range", "cooperative-sticky"},
                        {"cooperative-sticky", "range"}}) == "cooperative-sticky");
}

TEST_CASE("a tie goes to the name in the lowest HashMap bucket, not the first or smallest") {
  // "range" is in bucket 9 and "roundrobin" in bucket 10 of a 16-slot table.
  CHECK(SelectProtocol({{"roundrobin", "range"}, {"range", "roundrobin"}}) == "range");
  CHECK(SelectProtocol({{"range", "roundrobin"}, {"roundrobin", "range"}}) == "range");
  // "p" is in bucket 0, "b" in bucket 2: p wins whichever was voted first.
  CHECK(SelectProtocol({{"b", "p"}, {"p", "b"}}) == "p");
  // "a" and "q" share bucket 1: the one voted first wins.
  CHECK(SelectProtocol({{"q", "a"}, {"a", "q"}}) == "q");
  CHECK(SelectProtocol({{"a", "q"}, {"q", "a"}}) == "a");
}

}  // namespace
}  // namespace brook::group
