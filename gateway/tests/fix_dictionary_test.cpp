// The members' data dictionary (spec/FIX44-carbonx.xml) must load in any FIX engine, not only in
// QuickFIX: each message type, field number and field name defined once, each field a message
// names defined in <fields>. (An independent engine refused the dictionary when News (B) and
// TradeCaptureReport (AE) were defined twice.)
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace carbonx::gateway {
namespace {

std::string dictionary_text() {
  std::ifstream in(CARBONX_FIX_DICTIONARY, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string section(const std::string& text, const std::string& tag) {
  const auto begin = text.find("<" + tag + ">");
  const auto end = text.find("</" + tag + ">");
  if (begin == std::string::npos || end == std::string::npos || end < begin) return {};
  return text.substr(begin, end - begin);
}

// Every (first, second) capture of `re` in `text`, with how often each first capture occurs.
std::map<std::string, int> count_captures(const std::string& text, const std::regex& re) {
  std::map<std::string, int> seen;
  for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it)
    ++seen[(*it)[1].str()];
  return seen;
}

TEST(FixDictionary, EachMessageTypeIsDefinedOnce) {
  const std::string messages = section(dictionary_text(), "messages");
  ASSERT_FALSE(messages.empty());
  const auto types = count_captures(messages, std::regex(R"re(<message [^>]*msgtype="([^"]+)")re"));
  ASSERT_GE(types.size(), 20u);
  for (const auto& [type, count] : types)
    EXPECT_EQ(count, 1) << "MsgType " << type << " is defined " << count << " times";
  const auto names = count_captures(messages, std::regex(R"re(<message name="([^"]+)")re"));
  for (const auto& [name, count] : names)
    EXPECT_EQ(count, 1) << "message " << name << " is defined " << count << " times";
}

TEST(FixDictionary, EachFieldIsDefinedOnceAndEveryUsedFieldIsDefined) {
  const std::string text = dictionary_text();
  const std::string fields = section(text, "fields");
  ASSERT_FALSE(fields.empty());
  const auto numbers = count_captures(fields, std::regex(R"re(<field number="([0-9]+)")re"));
  for (const auto& [number, count] : numbers)
    EXPECT_EQ(count, 1) << "field number " << number << " is defined " << count << " times";
  const auto defined =
      count_captures(fields, std::regex(R"re(<field number="[0-9]+" name="([^"]+)")re"));
  for (const auto& [name, count] : defined)
    EXPECT_EQ(count, 1) << "field " << name << " is defined " << count << " times";
  // Every field a header, trailer or message refers to by name exists.
  const std::string used_text = text.substr(0, text.find("<fields>"));
  const auto used = count_captures(used_text, std::regex(R"re(<field name="([^"]+)")re"));
  ASSERT_GE(used.size(), 30u);
  for (const auto& [name, count] : used)
    EXPECT_EQ(defined.count(name), 1u) << "field " << name << " is used but not defined";
}

}  // namespace
}  // namespace carbonx::gateway
