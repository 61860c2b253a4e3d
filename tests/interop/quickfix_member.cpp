// A member written with QuickFIX (Debian's libquickfix), an engine independent of the exchange's
// own FIX code: its stock FIX 4.4 dictionary (QuickFIX's FIX44.xml) and QuickFIX's default
// validation, two sessions (INTEROP1 account 1001, INTEROP2 account 1002) against a real
// carbonxd the caller has set up (tests/interop/run.sh: accounts funded, market open). It
// trades: an order with the standard fields an order-management system sends, a crossing order
// filled on both sides, status, replace, cancel, a refused standard field (ExpireTime) and a
// reused ClOrdID on a cancel. Every message the exchange sends must pass QuickFIX's validation
// against the stock dictionary: a Reject(3) the client sends is a failure, and so is any session
// Reject or BusinessMessageReject from the exchange.
//
// Usage: quickfix_member --port N --dictionary FIX44.xml --work DIR
// Prints one line per check and "N passed, M failed"; exits 1 on any failure.
#include <quickfix/Application.h>
#include <quickfix/FileLog.h>
#include <quickfix/MessageStore.h>
#include <quickfix/Session.h>
#include <quickfix/SessionSettings.h>
#include <quickfix/SocketInitiator.h>
#include <quickfix/fix44/NewOrderSingle.h>
#include <quickfix/fix44/OrderCancelReplaceRequest.h>
#include <quickfix/fix44/OrderCancelRequest.h>
#include <quickfix/fix44/OrderStatusRequest.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>

namespace {

int g_passed = 0;
int g_failed = 0;

bool check(bool ok, const std::string& what, const std::string& detail = "") {
  if (ok) {
    ++g_passed;
    std::cout << "ok: " << what << "\n";
  } else {
    ++g_failed;
    std::cout << "FAIL: " << what << (detail.empty() ? "" : " -- " + detail) << "\n";
  }
  return ok;
}

std::string field(const FIX::FieldMap& m, int tag) {
  return m.isSetField(tag) ? m.getField(tag) : std::string();
}

std::string printable(const FIX::Message& m) {
  std::string s = m.toString();
  for (char& c : s)
    if (c == '\x01') c = '|';
  return s;
}

// Received application messages per session, and what went wrong at the session level.
class Member : public FIX::Application {
 public:
  void onCreate(const FIX::SessionID&) override {}
  void onLogon(const FIX::SessionID& id) override {
    std::lock_guard<std::mutex> lock(mutex_);
    logged_on_[id.getSenderCompID().getValue()] = true;
    changed_.notify_all();
  }
  void onLogout(const FIX::SessionID& id) override {
    std::lock_guard<std::mutex> lock(mutex_);
    logged_on_[id.getSenderCompID().getValue()] = false;
    changed_.notify_all();
  }
  void toAdmin(FIX::Message& m, const FIX::SessionID& id) override {
    const std::string type = field(m.getHeader(), FIX::FIELD::MsgType);
    if (type == "A") {
      const std::string comp = id.getSenderCompID().getValue();
      const std::string user = comp == "INTEROP1" ? "interop1" : "interop2";
      m.setField(FIX::Username(user));
      m.setField(FIX::Password(user + "-pass"));
    }
    if (type == "3") {  // QuickFIX refused a message of the exchange's
      std::lock_guard<std::mutex> lock(mutex_);
      client_rejects_.push_back(printable(m));
    }
  }
  void toApp(FIX::Message&, const FIX::SessionID&) throw(FIX::DoNotSend) override {}
  void fromAdmin(const FIX::Message& m,
                 const FIX::SessionID&) throw(FIX::FieldNotFound, FIX::IncorrectDataFormat,
                                              FIX::IncorrectTagValue, FIX::RejectLogon) override {
    if (field(m.getHeader(), FIX::FIELD::MsgType) == "3") {
      std::lock_guard<std::mutex> lock(mutex_);
      server_rejects_.push_back(printable(m));
    }
  }
  void fromApp(const FIX::Message& m,
               const FIX::SessionID& id) throw(FIX::FieldNotFound, FIX::IncorrectDataFormat,
                                               FIX::IncorrectTagValue,
                                               FIX::UnsupportedMessageType) override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (field(m.getHeader(), FIX::FIELD::MsgType) == "j") server_rejects_.push_back(printable(m));
    ++received_;
    inbox_[id.getSenderCompID().getValue()].push_back(m);
    changed_.notify_all();
  }

  bool wait_logged_on(const std::string& comp, bool state) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(10),
                             [&] { return logged_on_[comp] == state; });
  }
  // The first message of `comp` of type `type` that `match` accepts, taken out of the inbox.
  bool take(const std::string& comp, const std::string& type,
            const std::function<bool(const FIX::Message&)>& match, FIX::Message* out) {
    std::unique_lock<std::mutex> lock(mutex_);
    auto& box = inbox_[comp];
    bool found = false;
    changed_.wait_for(lock, std::chrono::seconds(10), [&] {
      for (auto it = box.begin(); it != box.end(); ++it) {
        if (field(it->getHeader(), FIX::FIELD::MsgType) != type || !match(*it)) continue;
        *out = *it;
        box.erase(it);
        found = true;
        return true;
      }
      return false;
    });
    return found;
  }
  std::deque<std::string> client_rejects() {
    std::lock_guard<std::mutex> lock(mutex_);
    return client_rejects_;
  }
  std::deque<std::string> server_rejects() {
    std::lock_guard<std::mutex> lock(mutex_);
    return server_rejects_;
  }
  int received() {
    std::lock_guard<std::mutex> lock(mutex_);
    return received_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, bool> logged_on_;
  std::map<std::string, std::deque<FIX::Message>> inbox_;
  std::deque<std::string> client_rejects_;
  std::deque<std::string> server_rejects_;
  int received_ = 0;
};

const char* const kSymbol = "GDEA2017";

void send(FIX::Message m, const FIX::SessionID& to) {
  FIX::Session::sendToTarget(m, to);
}

FIX::SessionID session(const std::string& comp) {
  return FIX::SessionID("FIX.4.4", comp, "CARBONX");
}

FIX44::NewOrderSingle order(const std::string& clid, const std::string& account, char side, int qty,
                            double px) {
  FIX44::NewOrderSingle o(FIX::ClOrdID(clid), FIX::Side(side), FIX::TransactTime(),
                          FIX::OrdType(FIX::OrdType_LIMIT));
  o.set(FIX::Account(account));
  o.set(FIX::Symbol(kSymbol));
  o.set(FIX::OrderQty(qty));
  o.set(FIX::Price(px));
  o.set(FIX::TimeInForce(FIX::TimeInForce_DAY));
  return o;
}

std::function<bool(const FIX::Message&)> report(const std::string& clid, const std::string& exec) {
  return [clid, exec](const FIX::Message& m) {
    return field(m, FIX::FIELD::ClOrdID) == clid && field(m, FIX::FIELD::ExecType) == exec;
  };
}

// What an order-management system sends besides the order: standard FIX 4.4 fields carbonx
// ignores (docs/fix "Standard fields").
void add_oms_fields(FIX44::NewOrderSingle* o) {
  o->set(FIX::HandlInst('1'));
  o->set(FIX::SecondaryClOrdID("OMS-1"));
  o->set(FIX::ExDestination("CARBONX"));
  o->set(FIX::OrderCapacity(FIX::OrderCapacity_AGENCY));
  o->set(FIX::SecurityID(kSymbol));
  o->set(FIX::SecurityIDSource("8"));
  FIX44::NewOrderSingle::NoPartyIDs party;
  party.set(FIX::PartyID("TRADER-7"));
  party.set(FIX::PartyIDSource('D'));
  party.set(FIX::PartyRole(11));
  o->addGroup(party);
}

void trade(Member& app) {
  const FIX::SessionID one = session("INTEROP1");
  const FIX::SessionID two = session("INTEROP2");
  FIX::Message m;
  // A resting sell with an OMS's standard fields, then a crossing buy: both sides filled.
  FIX44::NewOrderSingle s1 = order("QS1", "1002", FIX::Side_SELL, 100, 14.30);
  add_oms_fields(&s1);
  send(s1, two);
  check(app.take("INTEROP2", "8", report("QS1", "0"), &m),
        "an order with HandlInst, SecondaryClOrdID, ExDestination, OrderCapacity, SecurityID and "
        "Parties is accepted (150=0)");
  send(order("QB1", "1001", FIX::Side_BUY, 60, 14.50), one);
  FIX::Message buy;
  FIX::Message sell;
  check(app.take("INTEROP1", "8", report("QB1", "F"), &buy), "the buyer's fill");
  check(app.take("INTEROP2", "8", report("QS1", "F"), &sell), "the seller's fill");
  check(field(buy, FIX::FIELD::LastPx) == "14.30" && field(buy, FIX::FIELD::LastQty) == "60",
        "the buyer filled 60 at the resting price 14.30", printable(buy));
  check(field(sell, FIX::FIELD::OrdStatus) == "1" && field(sell, FIX::FIELD::LeavesQty) == "40",
        "the seller partially filled, 40 left", printable(sell));
  check(!field(buy, FIX::FIELD::SecondaryExecID).empty() &&
            field(buy, FIX::FIELD::SecondaryExecID) == field(sell, FIX::FIELD::SecondaryExecID),
        "both fills carry the trade id in SecondaryExecID(527)");
  // Status, replace, cancel of the rest.
  FIX44::OrderStatusRequest status(FIX::ClOrdID("QS1"), FIX::Side(FIX::Side_SELL));
  status.set(FIX::Symbol(kSymbol));
  status.set(FIX::OrdStatusReqID("ST1"));
  send(status, two);
  check(app.take("INTEROP2", "8", report("QS1", "I"), &m) &&
            field(m, FIX::FIELD::OrdStatus) == "1" && field(m, FIX::FIELD::CumQty) == "60",
        "order status: partially filled, CumQty 60", printable(m));
  FIX44::OrderCancelReplaceRequest replace(FIX::OrigClOrdID("QS1"), FIX::ClOrdID("QR1"),
                                           FIX::Side(FIX::Side_SELL), FIX::TransactTime(),
                                           FIX::OrdType(FIX::OrdType_LIMIT));
  replace.set(FIX::Symbol(kSymbol));
  replace.set(FIX::Account("1002"));
  replace.set(FIX::OrderQty(120));
  replace.set(FIX::Price(14.40));
  send(replace, two);
  check(app.take("INTEROP2", "8", report("QR1", "5"), &m) &&
            field(m, FIX::FIELD::LeavesQty) == "60" && field(m, FIX::FIELD::OrigClOrdID) == "QS1",
        "replaced: 120 in total, 60 left at 14.40", printable(m));
  FIX44::OrderCancelRequest cancel(FIX::OrigClOrdID("QR1"), FIX::ClOrdID("QC1"),
                                   FIX::Side(FIX::Side_SELL), FIX::TransactTime());
  cancel.set(FIX::Symbol(kSymbol));
  cancel.set(FIX::Account("1002"));
  send(cancel, two);
  check(app.take("INTEROP2", "8", report("QC1", "4"), &m) && field(m, FIX::FIELD::OrdStatus) == "4",
        "cancelled (150=4, 39=4)", printable(m));
}

void refusals(Member& app) {
  const FIX::SessionID two = session("INTEROP2");
  FIX::Message m;
  // A standard field whose meaning carbonx lacks is a business reject, not a session one.
  FIX44::NewOrderSingle gtd = order("QX1", "1002", FIX::Side_SELL, 10, 14.30);
  gtd.set(FIX::ExpireTime(FIX::UtcTimeStamp()));
  send(gtd, two);
  check(app.take("INTEROP2", "8", report("QX1", "8"), &m) &&
            field(m, FIX::FIELD::OrdRejReason) == "11" &&
            field(m, FIX::FIELD::Text).find("ExpireTime(126)") != std::string::npos,
        "ExpireTime(126) refused by an ExecutionReport 39=8 103=11 naming it", printable(m));
  // A cancel reusing a ClOrdID of the day: OrderCancelReject 102=6 naming the live order.
  send(order("QS2", "1002", FIX::Side_SELL, 10, 14.30), two);
  check(app.take("INTEROP2", "8", report("QS2", "0"), &m), "another resting order");
  const std::string live = field(m, FIX::FIELD::OrderID);
  FIX44::OrderCancelRequest again(FIX::OrigClOrdID("QS2"), FIX::ClOrdID("QC1"),
                                  FIX::Side(FIX::Side_SELL), FIX::TransactTime());
  again.set(FIX::Symbol(kSymbol));
  send(again, two);
  check(app.take(
            "INTEROP2", "9",
            [](const FIX::Message& r) { return field(r, FIX::FIELD::ClOrdID) == "QC1"; }, &m) &&
            field(m, FIX::FIELD::CxlRejReason) == "6" && field(m, FIX::FIELD::OrderID) == live &&
            field(m, FIX::FIELD::OrdStatus) == "0",
        "a cancel reusing ClOrdID QC1: OrderCancelReject 102=6 with the live order", printable(m));
}

std::string settings_text(int port, const std::string& dictionary, const std::string& work) {
  std::ostringstream s;
  s << "[DEFAULT]\nConnectionType=initiator\nBeginString=FIX.4.4\nTargetCompID=CARBONX\n"
    << "SocketConnectHost=127.0.0.1\nSocketConnectPort=" << port << "\n"
    << "HeartBtInt=30\nReconnectInterval=1\nStartTime=00:00:00\nEndTime=00:00:00\n"
    << "ResetOnLogon=Y\nUseDataDictionary=Y\nDataDictionary=" << dictionary << "\n"
    << "FileLogPath=" << work << "/quickfix-log\n"
    << "[SESSION]\nSenderCompID=INTEROP1\n[SESSION]\nSenderCompID=INTEROP2\n";
  return s.str();
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> args;
  for (int i = 1; i + 1 < argc; i += 2)
    args[argv[i]] = argv[i + 1];
  if (args["--port"].empty() || args["--dictionary"].empty() || args["--work"].empty()) {
    std::cerr << "usage: quickfix_member --port N --dictionary FIX44.xml --work DIR\n";
    return 2;
  }
  try {
    std::istringstream text(
        settings_text(std::stoi(args["--port"]), args["--dictionary"], args["--work"]));
    FIX::SessionSettings settings(text);
    Member app;
    FIX::MemoryStoreFactory store;
    FIX::FileLogFactory log(settings);
    FIX::SocketInitiator initiator(app, store, settings, log);
    initiator.start();
    const bool on = app.wait_logged_on("INTEROP1", true) && app.wait_logged_on("INTEROP2", true);
    if (check(on, "both members log on with QuickFIX's stock FIX 4.4 dictionary")) {
      trade(app);
      refusals(app);
    }
    initiator.stop();
    check(app.received() > 0, "messages received: " + std::to_string(app.received()));
    const auto client = app.client_rejects();
    check(client.empty(), "QuickFIX's stock validation accepted every message of the exchange",
          client.empty() ? "" : client.front());
    const auto server = app.server_rejects();
    check(server.empty(), "the exchange sent no session Reject nor BusinessMessageReject",
          server.empty() ? "" : server.front());
  } catch (const std::exception& e) {
    check(false, "QuickFIX", e.what());
  }
  std::cout << g_passed << " passed, " << g_failed << " failed\n";
  return g_failed == 0 ? 0 : 1;
}
