// broker/group/protocol_vote.h: how a Kafka classic group picks its protocol (its client-side
// assignor) from the protocols its members support, exactly as Kafka's coordinator does
// (ClassicGroup.selectProtocol).
//
// Candidates are the protocols every member supports. Each member votes for the first
// candidate in its own order of preference; the candidate with the most votes wins. Kafka
// counts the votes in a java.util.HashMap and keeps the first maximum in that map's iteration
// order, so a tie goes to the protocol whose name lands in the lowest bucket of a HashMap of
// the voted names (String.hashCode, spread and masked to the table size), and between names in
// the same bucket to the one voted first. Clients see the outcome (which assignor runs), so
// brook reproduces the order rather than picking, say, alphabetically.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace brook::group {

// One member's protocol names, in its order of preference.
using ProtocolPreferences = std::vector<std::string_view>;

// The winning protocol of `members` (in the order their votes are counted), or nullopt when
// no protocol is supported by every member (or there are no members).
std::optional<std::string> SelectProtocol(const std::vector<ProtocolPreferences>& members);

// Java's String.hashCode of `utf8` (taken as UTF-16 code units; a byte that is not valid UTF-8
// counts as U+FFFD).
int32_t JavaStringHash(std::string_view utf8);

}  // namespace brook::group
