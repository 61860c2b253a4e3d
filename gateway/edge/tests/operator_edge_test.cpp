// The operator edge: operator requests completed from the fixed configuration before they cross
// the sequencer's queue (symbols -> instruments, files -> rows), or refused there.
#include "carbonx/edge/operator_edge.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <variant>

#include "carbonx/verbs/verbs.hpp"

namespace carbonx::edge {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

registry::RegistrarConfig config() {
  registry::RegistrarConfig c;
  c.instruments.resize(2);
  c.instruments[0].id = InstrumentId(1);
  c.instruments[0].code = "GDEA2017";
  c.instruments[1].id = InstrumentId(9);
  c.instruments[1].code = "CCER";
  auto table = allocation::load_allocation_table(std::string(CARBONX_REGISTRY_DATA_DIR) +
                                                 "/benchmarks_national_2017_draft.csv");
  EXPECT_TRUE(table.ok());
  if (table.ok()) c.tables.push_back(std::move(table).value());
  return c;
}

verbs::Request parsed(std::string_view verb, std::string_view body) {
  auto r = verbs::parse(verb, body);
  EXPECT_TRUE(r.ok()) << verb << " " << body;
  return r.ok() ? std::move(r).value() : verbs::Request{verbs::QueryStatus{}};
}

TEST(OperatorEdge, ResolvesEverySymbolToItsInstrument) {
  const OperatorEdge edge(config());
  verbs::Request s = parsed("surrender", R"({"firm_account": 1003, "year": 2017, "legs":
      [{"symbol": "GDEA2017", "quantity_t": 10}, {"symbol": "CCER", "quantity_t": 2}]})");
  EXPECT_FALSE(edge.admit(s).has_value());
  const auto& legs = std::get<verbs::Surrender>(s).legs;
  EXPECT_EQ(legs[0].symbol.id, InstrumentId(1));
  EXPECT_EQ(legs[1].symbol.id, InstrumentId(9));

  verbs::Request halt = parsed("market.halt", R"({"symbol": "CCER"})");
  EXPECT_FALSE(edge.admit(halt).has_value());
  EXPECT_EQ(std::get<verbs::MarketHalt>(halt).symbol->id, InstrumentId(9));

  verbs::Request all = parsed("market.halt", "{}");  // every instrument: nothing to resolve
  EXPECT_FALSE(edge.admit(all).has_value());
  EXPECT_FALSE(std::get<verbs::MarketHalt>(all).symbol.has_value());
}

// An unknown symbol anywhere in the request is 404 naming it; the request must not be submitted.
TEST(OperatorEdge, AnUnknownSymbolIs404NamingIt) {
  const OperatorEdge edge(config());
  verbs::Request s = parsed("surrender", R"({"firm_account": 1003, "year": 2017, "legs":
      [{"symbol": "GDEA2017", "quantity_t": 10}, {"symbol": "NOPE", "quantity_t": 2}]})");
  const auto refused = edge.admit(s);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->http_status, 404u);
  EXPECT_EQ(refused->error, "unknown symbol NOPE");

  for (const auto& [verb, body] :
       {std::pair{"units.issue",
                  R"({"transfer_id": 9, "account": 1, "symbol": "gdea2017", "quantity_t": 5})"},
        std::pair{"query.book", R"({"symbol": "GDEA2018"})"},
        std::pair{"market.open", R"({"symbol": "X"})"},
        std::pair{"auction.open",
                  R"({"seller": 1, "symbol": "Y", "quantity_t": 1, "reserve_fen": 1,
                      "duration_s": 60})"},
        std::pair{"repo.file", R"({"repo_party": 1, "reverse_party": 2, "symbol": "Z",
                      "quantity_t": 1, "start_price_fen": 1, "repurchase_price_fen": 2,
                      "end_date": 20270628})"}}) {
    verbs::Request r = parsed(verb, body);
    const auto why = edge.admit(r);
    ASSERT_TRUE(why.has_value()) << verb;
    EXPECT_EQ(why->http_status, 404u) << verb;
    EXPECT_EQ(why->error.rfind("unknown symbol ", 0), 0u) << why->error;
  }
}

// emissions.load's CSV becomes rows at the edge; a bad file is refused there, naming the line.
TEST(OperatorEdge, EmissionsCsvBecomesRowsOrIsRefusedByLine) {
  const OperatorEdge edge(config());
  verbs::Request ok = parsed("emissions.load", R"({"csv_text":
      "firm,year,verified_emissions_t\nGDPWR01,2017,1200\nGDPWR02,2017,0\n"})");
  EXPECT_FALSE(edge.admit(ok).has_value());
  const auto& load = std::get<verbs::EmissionsLoad>(ok);
  EXPECT_FALSE(load.csv_text.has_value());
  ASSERT_TRUE(load.rows.has_value());
  ASSERT_EQ(load.rows->size(), 2u);
  EXPECT_EQ((*load.rows)[0], (verbs::EmissionRow{"GDPWR01", 2017, 1200}));
  EXPECT_EQ((*load.rows)[1], (verbs::EmissionRow{"GDPWR02", 2017, 0}));

  verbs::Request bad = parsed("emissions.load", R"({"csv_text":
      "firm,year,verified_emissions_t\nGDPWR01,2017,1200\nGDPWR02,2017,-5\n"})");
  const auto refused = edge.admit(bad);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->http_status, 400u);
  EXPECT_NE(refused->error.find("emissions.load csv_text:3"), std::string::npos) << refused->error;

  verbs::Request rows =
      parsed("emissions.load", R"({"rows": [{"firm": "F", "year": 2017, "emissions_t": 5}]})");
  EXPECT_FALSE(edge.admit(rows).has_value());  // rows as given: nothing to parse
  EXPECT_EQ(std::get<verbs::EmissionsLoad>(rows).rows->size(), 1u);
}

// The allocation's facility file is checked against its table at the edge (the file and line
// named, not "journal"); an unknown table is refused there too. A good file passes unchanged:
// the file is what is journaled.
TEST(OperatorEdge, AllocationFilesAreCheckedAgainstTheirTable) {
  const OperatorEdge edge(config());
  const std::string facilities =
      read_file(std::string(CARBONX_REGISTRY_DATA_DIR) + "/sample/facilities_2017.csv");
  ASSERT_FALSE(facilities.empty());
  const auto body = [](const std::string& table, const std::string& csv) {
    std::string escaped;
    for (char c : csv) {
      if (c == '\n') {
        escaped += "\\n";
      } else if (c == '"' || c == '\\') {
        escaped += '\\';
        escaped += c;
      } else {
        escaped += c;
      }
    }
    return R"({"year": 2017, "table_id": ")" + table + R"(", "csv_text": ")" + escaped + "\"}";
  };
  verbs::Request good = parsed("allocation.issue", body("national-2017-draft", facilities));
  EXPECT_FALSE(edge.admit(good).has_value());
  EXPECT_EQ(std::get<verbs::AllocationIssue>(good).csv_text, facilities);

  verbs::Request table = parsed("allocation.issue", body("no-such-table", facilities));
  const auto no_table = edge.admit(table);
  ASSERT_TRUE(no_table.has_value());
  EXPECT_EQ(no_table->http_status, 400u);
  EXPECT_EQ(no_table->error, "unknown allocation table no-such-table");

  std::string broken = facilities;
  broken += "GDBAD01,U1,power,no_such_class,coal,water,0,,1,0,,1,0,,,,\n";
  verbs::Request bad = parsed("allocation.trueup", body("national-2017-draft", broken));
  const auto refused = edge.admit(bad);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->http_status, 400u);
  EXPECT_NE(refused->error.find("allocation.trueup csv_text:"), std::string::npos)
      << refused->error;
  EXPECT_EQ(refused->error.find("journal"), std::string::npos) << refused->error;
}

}  // namespace
}  // namespace carbonx::edge
