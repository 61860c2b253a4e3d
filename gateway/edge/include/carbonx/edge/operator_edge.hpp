#pragma once
// OperatorEdge: the operator API's edge stage, as FixEdge is the FIX sessions'. On the thread
// that received the verb (carbonxd's operator API I/O thread, or cxctl's one thread), after the
// verb table parsed the body once (carbonx::verbs), it completes the request from the exchange's
// fixed configuration before the request crosses the sequencer's queue:
//
//   every symbol the request names  -> its instrument (verbs::Symbol::id), or 404
//                                      "unknown symbol <text>"
//   emissions.load's csv_text       -> its rows (registry/data's verified-emissions format), or
//                                      400 naming the line: "emissions.load csv_text:3: ..."
//   allocation.issue / .trueup      -> the table named is configured (else 400) and the facility
//                                      file parses against it (else 400 naming file and line);
//                                      the file itself is what is journaled (the allocation is
//                                      computed on apply from it, as a replay computes it)
//
// A refusal changes nothing and takes no seq: the request is never submitted.
//
// What it does not do: decide anything that depends on the exchange's state — whether an account
// is open, a firm registered, a transfer id used — which are the core's handlers' checks. It
// holds only configuration fixed at start, so one OperatorEdge is safe on any thread (const).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "carbonx/edge/fix_edge.hpp"
#include "carbonx/engine/instrument.hpp"
#include "carbonx/registry/allocation/table.hpp"
#include "carbonx/registry/registrar.hpp"
#include "carbonx/verbs/verbs.hpp"

namespace carbonx::edge {

struct OperatorRefusal {
  std::uint32_t http_status = 400;  // 404: an unknown symbol; 400: a bad file or table
  std::string error;                // one line
};

class OperatorEdge {
 public:
  // The exchange's instruments and allocation tables, as the registrar was configured with them.
  explicit OperatorEdge(const registry::RegistrarConfig& config);

  // Completes `request` in place; nullopt if it may be submitted, else why not.
  std::optional<OperatorRefusal> admit(verbs::Request& request) const;

 private:
  FixEdge symbols_;  // the same symbol table the FIX sessions resolve with
  std::vector<allocation::AllocationTable> tables_;
};

}  // namespace carbonx::edge
