// The verb table: every verb listed once, every verb parses a valid body (and its own JSON back
// to the same request), and refuses malformed bodies with one line naming the verb and field.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "carbonx/verbs/verbs.hpp"

namespace carbonx::verbs {
namespace {

using json = nlohmann::json;

// A valid body of every verb, each field given (optional ones too, where they exist).
const std::map<std::string, json>& samples() {
  static const std::map<std::string, json> kSamples{
      {"market.open", {{"symbol", "GDEA2017"}}},
      {"market.close", json::object()},
      {"market.halt", {{"symbol", "GDEA2017"}}},
      {"market.resume", {{"symbol", "GDEA2017"}}},
      {"day.end", json::object()},
      {"clock.status", json::object()},
      {"clock.advance", {{"seconds", 86400}}},
      {"account.open",
       {{"id", 1001},
        {"kind", "retirement"},
        {"member", 1},
        {"owner_entity", 7},
        {"region_code", 44},
        {"compliance_year", 2017}}},
      {"account.status", {{"account", 1001}, {"status", "frozen"}}},
      {"account.limit", {{"account", 1001}, {"limit_t", 500'000}}},
      {"cash.deposit",
       {{"transfer_id", 7}, {"account", 1001}, {"amount_fen", 100'000}, {"reference", 3}}},
      {"cash.withdraw", {{"transfer_id", 8}, {"account", 1001}, {"amount_fen", 1}}},
      {"units.issue",
       {{"transfer_id", 9}, {"account", 1001}, {"symbol", "GDEA2017"}, {"quantity_t", 500}}},
      {"firm.register",
       {{"firm", "GDPWR01"}, {"account", 100029}, {"member", 29}, {"region", "guangdong"}}},
      {"allocation.issue", {{"year", 2017}, {"table_id", "national"}, {"csv_text", "a,b\n"}}},
      {"allocation.trueup", {{"year", 2017}, {"table_id", "national"}, {"csv_text", "a,b\n"}}},
      {"allocation.status", {{"year", 2017}}},
      {"emissions.load",
       {{"rows", json::array({{{"firm", "GDPWR01"}, {"year", 2017}, {"emissions_t", 1200}}})}}},
      {"surrender",
       {{"firm_account", 100029},
        {"year", 2017},
        {"member", 29},
        {"legs", json::array({{{"symbol", "GDEA2017"}, {"quantity_t", 1000}}})}}},
      {"surrender.preview",
       {{"firm_account", 100029},
        {"year", 2017},
        {"member", 29},
        {"legs", json::array({{{"symbol", "GDEA2017"}, {"quantity_t", 1000}}})}}},
      {"surrender.certificate", {{"firm_account", 100029}, {"seq", 812}}},
      {"firm.overview", {{"firm_account", 100029}, {"year", 2017}}},
      {"firm.statement", {{"account", 100029}, {"from", "2018-05-01"}, {"to", 20180531}}},
      {"compliance.extension", {{"firm_account", 100029}, {"year", 2017}, {"date", 20180720}}},
      {"compliance.exemption", {{"firm_account", 100029}, {"year", 2017}}},
      {"compliance.settle", {{"year", 2017}}},
      {"compliance.status", {{"year", 2017}}},
      {"query.balances", {{"account", 1001}}},
      {"query.book", {{"symbol", "GDEA2017"}, {"depth", 5}}},
      {"query.status", json::object()},
      {"auction.open",
       {{"seller", 200008},
        {"symbol", "PHCER-GD-FOREST"},
        {"quantity_t", 30'000},
        {"reserve_fen", 1601},
        {"start_ts", 1'500'000'000'000'000'000},
        {"duration_s", 2},
        {"min_bid_t", 1000},
        {"max_share_bp", 5000},
        {"pricing", "uniform"},
        {"min_fill_bp", 0}}},
      {"auction.close", {{"auction_id", 1}}},
      {"auction.list", json::object()},
      {"repo.file",
       {{"repo_party", 200003},
        {"reverse_party", 200004},
        {"symbol", "GDEA2017"},
        {"quantity_t", 100'000},
        {"start_price_fen", 1410},
        {"repurchase_price_fen", 1440},
        {"end_date", "2018-06-14"},
        {"surrender_deadline", 20180620}}},
      {"repo.mature", {{"repo_id", 1}}},
      {"repo.resolve_default", {{"repo_id", 1}}},
      {"repo.list", {{"from", "2018-05-01"}, {"to", 20180630}}},
      {"agreement.list", json::object()},
      {"member.list", json::object()},
      {"member.add",
       {{"id", 9},
        {"comp_id", "NEW09"},
        {"username", "new09"},
        {"password", "pw"},
        {"cancel_on_disconnect", false},
        {"accounts", {1001, 1002}}}},
      {"member.set_password", {{"id", 9}, {"password", "pw2"}}},
      {"authority.grant", {{"member", 9}, {"account", 1001}}},
      {"authority.revoke", {{"member", 9}, {"account", 1001}}},
      {"authority.list", {{"member", 9}}},
  };
  return kSamples;
}

std::string refusal(const std::string& verb, const json& body) {
  auto r = parse(verb, body.dump());
  EXPECT_FALSE(r.ok()) << verb << " accepted " << body.dump();
  if (r.ok()) return "";
  EXPECT_EQ(r.error().code, BodyError::kMalformed);
  EXPECT_EQ(r.error().text.rfind(verb + ": ", 0), 0u) << r.error().text;  // names the verb
  return r.error().text;
}

TEST(VerbTable, ListsEachVerbOnceInTheVariantsOrder) {
  const auto rows = table();
  ASSERT_EQ(rows.size(), std::variant_size_v<Request>);
  // Issue #16's four-eyes verbs: issuance, cash and unit deposits and withdrawals, halts, clock
  // advances, repo default resolution, extensions and exemptions; no other.
  const std::set<std::string_view> four_eyes{
      "units.issue",          "allocation.issue",    "allocation.trueup", "cash.deposit",
      "cash.withdraw",        "market.halt",         "clock.advance",     "repo.resolve_default",
      "compliance.extension", "compliance.exemption"};
  std::set<std::string_view> names;
  for (const Meta& m : rows) {
    EXPECT_TRUE(names.insert(m.name).second) << "listed twice: " << m.name;
    EXPECT_FALSE(m.help.empty()) << m.name;
    EXPECT_EQ(find(m.name), &m);
    EXPECT_EQ(m.needs_approval, four_eyes.count(m.name) == 1) << m.name;
    EXPECT_FALSE(m.needs_approval && m.query) << m.name;  // a query changes nothing to approve
    EXPECT_FALSE(m.journaled && m.query) << m.name;
    EXPECT_EQ(m.route == Route::kMembers, m.name.rfind("member.", 0) == 0) << m.name;
  }
  EXPECT_EQ(find("market.opne"), nullptr);
  EXPECT_EQ(meta_of(Request{QueryStatus{}}).name, "query.status");
  EXPECT_EQ(name_of<CashDeposit>(), "cash.deposit");
  EXPECT_TRUE(find("cash.deposit")->journaled);
  EXPECT_TRUE(find("compliance.status")->query);
  EXPECT_FALSE(find("clock.advance")->journaled);
  EXPECT_FALSE(find("clock.advance")->query);
  for (const std::string_view v : four_eyes)
    ASSERT_NE(find(v), nullptr) << v;                   // every four-eyes verb is a row
  EXPECT_FALSE(find("market.resume")->needs_approval);  // resuming trading is not four-eyes
}

TEST(VerbTable, EveryVerbParsesAValidBodyAndItsOwnJsonBack) {
  std::set<std::string> sampled;
  for (const auto& [verb, body] : samples())
    sampled.insert(verb);
  for (const Meta& m : table()) {
    ASSERT_TRUE(sampled.count(std::string(m.name))) << "no sample body for " << m.name;
    const json& body = samples().at(std::string(m.name));
    auto r = parse(m.name, body.dump());
    ASSERT_TRUE(r.ok()) << m.name << ": " << r.error().text;
    EXPECT_EQ(meta_of(r.value()).name, m.name);
    const std::string written = to_json(r.value());
    auto again = parse(m.name, written);
    ASSERT_TRUE(again.ok()) << m.name << ": " << again.error().text;
    EXPECT_TRUE(again.value() == r.value()) << m.name << ": " << written;
    // Every field the sample gives is written back with its value (dates as yyyymmdd).
    for (const auto& [key, value] : body.items()) {
      ASSERT_TRUE(json::parse(written).contains(key)) << m.name << " " << key;
    }
    // The help text names every field of the body.
    const std::string usage = body_usage(m);
    for (const auto& [key, value] : body.items())
      EXPECT_NE(usage.find("\"" + key), std::string::npos) << m.name << " " << usage;
  }
  EXPECT_EQ(sampled.size(), table().size());  // no sample of a verb that does not exist
}

TEST(VerbTable, EveryVerbRefusesMalformedBodies) {
  for (const Meta& m : table()) {
    const std::string verb(m.name);
    const json& good = samples().at(verb);
    json extra = good;
    extra["bogus"] = 1;
    EXPECT_NE(refusal(verb, extra).find("bogus: unknown field"), std::string::npos);
    EXPECT_NE(refusal(verb, json::array()).find("a JSON object is expected"), std::string::npos);
    auto not_json = parse(verb, "{\"symbol\": ");
    ASSERT_FALSE(not_json.ok());
    EXPECT_EQ(not_json.error().text, verb + ": the body is not JSON");
    for (const auto& [key, value] : good.items()) {
      json wrong = good;
      wrong[key] = json{{"x", 1}};  // no field takes an object
      EXPECT_NE(refusal(verb, wrong).find(key + ": "), std::string::npos) << verb << " " << key;
      json missing = good;
      missing.erase(key);
      auto r = parse(verb, missing.dump());
      if (!r.ok()) {  // a required field, or one of a pair where one must be given
        const std::string& text = r.error().text;
        EXPECT_TRUE(text == verb + ": " + key + ": missing (required)" ||
                    text.find("give exactly one of") != std::string::npos)
            << text;
        EXPECT_NE(text.find(key), std::string::npos) << text;
      }
    }
  }
}

TEST(VerbTable, RequiredFieldsAreRequired) {
  EXPECT_EQ(refusal("cash.deposit", {{"transfer_id", 7}, {"account", 1001}}),
            "cash.deposit: amount_fen: missing (required)");
  EXPECT_EQ(refusal("account.limit", {{"account", 1001}}),
            "account.limit: limit_t: missing (required)");
  EXPECT_EQ(refusal("query.book", json::object()), "query.book: symbol: missing (required)");
  EXPECT_EQ(
      refusal("surrender", {{"firm_account", 1}, {"year", 2017}, {"legs", {{{"symbol", "X"}}}}}),
      "surrender: legs: [0]: quantity_t: missing (required)");
}

TEST(VerbTable, NumbersAreWholeAndInRangeNeverTruncatedOrWrapped) {
  EXPECT_EQ(refusal("cash.deposit", {{"transfer_id", 7}, {"account", 1001}, {"amount_fen", 1.5}}),
            "cash.deposit: amount_fen: a whole number is expected, got 1.5");
  EXPECT_EQ(refusal("cash.deposit", {{"transfer_id", 7}, {"account", -1}, {"amount_fen", 1}}),
            "cash.deposit: account: 0..4294967295 expected, got -1");
  EXPECT_EQ(refusal("cash.deposit", {{"transfer_id", 7}, {"account", 1}, {"amount_fen", "100"}}),
            "cash.deposit: amount_fen: a whole number is expected, got \"100\"");
  EXPECT_EQ(refusal("account.limit", {{"account", 1001}, {"limit_t", -5}}),
            "account.limit: limit_t: 0..1000000000000 expected, got -5");
  refusal("account.limit", {{"account", 1001}, {"limit_t", "lots"}});
  refusal("compliance.status", {{"year", 0}});
  refusal("compliance.settle", {{"year", 2017.0}});
  refusal("query.book", {{"symbol", "GDEA2017"}, {"depth", -1}});
  // null is "the account kind's limit", a number is kept exactly.
  auto kind = parse("account.limit", R"({"account": 1001, "limit_t": null})");
  ASSERT_TRUE(kind.ok());
  EXPECT_FALSE(std::get<AccountLimit>(kind.value()).limit_t.has_value());
  auto big = parse("cash.deposit",
                   R"({"transfer_id": 18446744073709551615, "account": 1, "amount_fen": 9})");
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(std::get<CashDeposit>(big.value()).transfer_id.value(), ~std::uint64_t{0});
}

TEST(VerbTable, NamesDatesAndCrossFieldRules) {
  EXPECT_NE(refusal("account.open", {{"id", 5}, {"kind", "martian"}})
                .find("kind: one of control_emission_firm|investment_institution|individual|"
                      "retirement expected, got \"martian\""),
            std::string::npos);
  refusal("account.status", {{"account", 5}, {"status", "asleep"}});
  refusal("auction.open", {{"seller", 1},
                           {"symbol", "X"},
                           {"quantity_t", 1},
                           {"reserve_fen", 1},
                           {"duration_s", 2},
                           {"pricing", "dutch"}});
  refusal("auction.open", {{"seller", 1}, {"symbol", "X"}, {"quantity_t", 1}, {"reserve_fen", 1}});
  refusal("repo.list", {{"from", "2018-13"}});
  refusal("repo.list", {{"from", "2018/05/01"}});
  EXPECT_EQ(refusal("clock.advance", {{"seconds", 5}, {"to", "2018-06-21T09:30:00+08:00"}}),
            "clock.advance: give exactly one of \"to\" (a time like 2017-05-12T15:00:00+08:00) "
            "or \"seconds\" (> 0)");
  refusal("clock.advance", json::object());
  refusal("clock.advance", {{"seconds", 0}});
  refusal("emissions.load", json::object());
  auto date = parse("repo.mature", "");  // an empty body is {}
  ASSERT_TRUE(date.ok());
  EXPECT_FALSE(std::get<RepoMature>(date.value()).repo_id.has_value());
  auto list = parse("repo.list", R"({"from": "2018-05-01"})");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(std::get<RepoList>(list.value()).from->yyyymmdd, 20180501);
}

TEST(VerbTable, UnknownVerbIsItsOwnError) {
  auto r = parse("market.opne", "{}");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, BodyError::kUnknownVerb);
  EXPECT_EQ(r.error().text, "unknown verb market.opne");
}

TEST(VerbTable, DefaultsOfOptionalFields) {
  auto r = parse("member.add", R"({"id": 3, "comp_id": "C", "username": "u", "password": "p"})");
  ASSERT_TRUE(r.ok());
  const auto& m = std::get<MemberAdd>(r.value());
  EXPECT_TRUE(m.cancel_on_disconnect);
  EXPECT_TRUE(m.accounts.empty());
  auto b = parse("query.book", R"({"symbol": "GDEA2017"})");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(std::get<QueryBook>(b.value()).depth, 10);
  auto a = parse("market.open", "{}");
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(std::get<MarketOpen>(a.value()).symbol.has_value());
}

// A symbol is held inline (at most kMaxSymbolLength bytes): a longer or empty one, or one that is
// not text, is refused by the parser; as parsed it names no instrument yet (id 0).
TEST(VerbTable, SymbolsAreShortTextUnresolvedWhenParsed) {
  EXPECT_EQ(
      refusal("query.book", {{"symbol", "GDEA2017-TOO-LONG-X"}}),
      "query.book: symbol: a symbol (1..16 characters) expected, got \"GDEA2017-TOO-LONG-X\"");
  EXPECT_EQ(refusal("market.halt", {{"symbol", ""}}),
            "market.halt: symbol: a symbol (1..16 characters) expected, got \"\"");
  EXPECT_EQ(refusal("units.issue",
                    {{"transfer_id", 9}, {"account", 1001}, {"symbol", 2017}, {"quantity_t", 500}}),
            "units.issue: symbol: a symbol (1..16 characters) expected, got 2017");
  auto r = parse("query.book", R"({"symbol": "PHCER-GD-FOREST"})");
  ASSERT_TRUE(r.ok());
  const Symbol& s = std::get<QueryBook>(r.value()).symbol;
  EXPECT_EQ(s.text.view(), "PHCER-GD-FOREST");
  EXPECT_EQ(s.id, InstrumentId(0));
}

// for_each_symbol reaches every symbol a request names: a field, an optional field (present or
// not) and the rows of a list, in order; a verb without one is not visited.
TEST(VerbTable, ForEachSymbolReachesFieldsOptionalsAndRows) {
  auto names = [](Request r) {
    std::vector<std::string> seen;
    for_each_symbol(r, [&](Symbol& s) {
      seen.push_back(s.text.str());
      s.id = InstrumentId(7);
    });
    for_each_symbol(r, [&](Symbol& s) { EXPECT_EQ(s.id, InstrumentId(7)); });
    return seen;
  };
  EXPECT_EQ(names(parse("market.open", R"({"symbol": "A"})").value()),
            std::vector<std::string>{"A"});
  EXPECT_TRUE(names(parse("market.open", "{}").value()).empty());
  EXPECT_EQ(names(parse("surrender", R"({"firm_account": 1, "year": 2017, "legs":
              [{"symbol": "A", "quantity_t": 1}, {"symbol": "B", "quantity_t": 2}]})")
                      .value()),
            (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(names(parse("repo.file", R"({"repo_party": 1, "reverse_party": 2, "symbol": "R",
              "quantity_t": 1, "start_price_fen": 1, "repurchase_price_fen": 2,
              "end_date": 20270628})")
                      .value()),
            std::vector<std::string>{"R"});
  EXPECT_TRUE(
      names(parse("cash.deposit", R"({"transfer_id": 7, "account": 1, "amount_fen": 1})").value())
          .empty());
}

}  // namespace
}  // namespace carbonx::verbs
