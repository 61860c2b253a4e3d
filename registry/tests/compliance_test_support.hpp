#pragma once
// Fixture shared by the compliance tests: a Guangdong-style registry with two firms, allowance
// vintages 2016-2018, a retirement account for 2017 and a catalogue of offset projects.

#include <gtest/gtest.h>

#include <memory>

#include "allocation_test_support.hpp"
#include "carbonx/engine/in_memory_ledger.hpp"
#include "carbonx/registry/allocation/compute.hpp"
#include "carbonx/registry/allocation/issuance.hpp"
#include "carbonx/registry/compliance/compliance.hpp"

namespace carbonx::compliance::testing {

constexpr AccountId kGov{0};
constexpr AccountId kF1{10};
constexpr AccountId kF2{11};
constexpr AccountId kRetire2017{900};
constexpr AccountId kRetire2018{901};
constexpr AssetId kV2016{1016};
constexpr AssetId kV2017{1017};
constexpr AssetId kV2018{1018};
// offsets
constexpr AssetId kCcerGd{2001};       // CCER, Guangdong hydro
constexpr AssetId kCcerYn{2002};       // CCER, Yunnan hydro (out of Guangdong)
constexpr AssetId kPhcerGd{2003};      // PHCER, Guangdong forestry
constexpr AssetId kCcerHbOk{2004};     // CCER, Hubei rural biogas, credited 2013-2015
constexpr AssetId kCcerHbHydro{2005};  // CCER, Hubei hydro (type not eligible in Hubei)
constexpr AssetId kCcerHnBio{2006};    // CCER, Henan rural biogas (region not eligible)
constexpr AssetId kCcerHbOld{2007};    // CCER, Hubei forestry credited from 2012 (too early)

// 2018-06-20 16:00:00 UTC = 2018-06-21 00:00:00 CST: the first instant after Guangdong's 2017
// deadline day.
constexpr std::int64_t kSec = 1'000'000'000;
constexpr TimestampNs kGdDeadlineEnd{1'529'510'400 * kSec};
constexpr TimestampNs kMidYear2018{1'514'764'800 * kSec};  // 2018-01-01 00:00:00 UTC

inline const JurisdictionSet& jurisdictions() {
  static const JurisdictionSet set = [] {
    auto r = load_jurisdictions(allocation::testing::data_path("jurisdictions.csv"));
    if (!r) ADD_FAILURE() << allocation::to_string(r.error());
    return r.ok() ? r.value() : JurisdictionSet{};
  }();
  return set;
}

inline const char* const kOffsetCsv =
    "asset_id,kind,project_id,region,type,crediting_start,crediting_end\n"
    "2001,CCER,GD-HYDRO-1,guangdong,hydro,2013-01-01,2019-12-31\n"
    "2002,CCER,YN-HYDRO-7,yunnan,hydro,2013-01-01,2019-12-31\n"
    "2003,PHCER,GD-FOREST-2,guangdong,forestry,2015-01-01,2017-12-31\n"
    "2004,CCER,HB-BIO-3,hubei,rural_biogas,2013-01-01,2015-12-31\n"
    "2005,CCER,HB-HYDRO-4,hubei,hydro,2013-01-01,2015-12-31\n"
    "2006,CCER,HN-BIO-5,henan,rural_biogas,2013-01-01,2015-12-31\n"
    "2007,CCER,HB-FOREST-6,hubei,forestry,2012-06-01,2014-12-31\n";

class ComplianceFixture : public ::testing::Test {
 protected:
  void open(const std::string& jurisdiction) {
    const JurisdictionProfile* p = jurisdictions().find(jurisdiction);
    ASSERT_NE(p, nullptr);
    comp = std::make_unique<Compliance>(*p);
    for (AccountId a : {kF1, kF2, kRetire2017, kRetire2018})
      ASSERT_TRUE(ledger.open_account(a));
    dir.government_account = kGov;
    dir.firms["F1"] = allocation::FirmAccount{kF1, MemberId(1), "guangdong"};
    dir.firms["F2"] = allocation::FirmAccount{kF2, MemberId(2), "guangdong"};
    dir.allowance_by_vintage = {{2016, kV2016}, {2017, kV2017}, {2018, kV2018}};
    dir.retirement_by_year = {{2017, kRetire2017}, {2018, kRetire2018}};
    auto cat = parse_offset_catalogue("offsets.csv", kOffsetCsv);
    ASSERT_TRUE(cat.ok()) << allocation::to_string(cat.error());
    offsets = cat.value();
    for (AccountId f : {kF1, kF2}) {
      for (AssetId a : {kV2016, kV2017, kV2018, kCcerGd, kCcerYn, kPhcerGd, kCcerHbOk, kCcerHbHydro,
                        kCcerHnBio, kCcerHbOld}) {
        ASSERT_TRUE(ledger.deposit(f, a, 1'000'000).ok());
      }
    }
    ledger.begin_command(Seq(1), kMidYear2018);
  }

  void emissions(const std::string& firm, int year, std::int64_t t) {
    ASSERT_TRUE(comp->record_emissions({{firm, year, t, 0}}).ok());
  }

  Result<SurrenderRecord, ComplianceFailure> give(const std::string& firm,
                                                  std::vector<SurrenderLeg> legs,
                                                  TimestampNs ts = kMidYear2018, int year = 2017,
                                                  Actor actor = Actor::op()) {
    return comp->surrender(SurrenderRequest{year, firm, actor, std::move(legs)}, dir, offsets,
                           alloc, ledger, ts);
  }

  // The refusal code of a surrender expected to fail.
  ComplianceError refused(const std::string& firm, std::vector<SurrenderLeg> legs,
                          TimestampNs ts = kMidYear2018) {
    auto r = give(firm, std::move(legs), ts);
    EXPECT_FALSE(r.ok());
    return r.ok() ? ComplianceError::kBadState : r.error().code;
  }

  std::int64_t bal(AccountId a, AssetId s) const { return ledger.balance(a, s).available; }

  InMemoryLedger ledger;
  allocation::RegistryDirectory dir;
  allocation::Allocator alloc;
  OffsetCatalogue offsets;
  std::unique_ptr<Compliance> comp;
};

}  // namespace carbonx::compliance::testing
