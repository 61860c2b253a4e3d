// FixEngine: QuickFIX's Session driven by bytes the server carries (see fix_engine.hpp).
#include <quickfix/Application.h>
#include <quickfix/DataDictionaryProvider.h>
#include <quickfix/MessageStore.h>
#include <quickfix/Responder.h>
#include <quickfix/Session.h>
#include <quickfix/SessionState.h>

#include <sys/stat.h>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "carbonx/gateway/fix_codec.hpp"
#include "carbonx/gateway/fix_engine.hpp"
#include "log_store.hpp"
#include "reply_text.hpp"
#include "translate.hpp"

namespace carbonx {
namespace gateway {

// One TCP connection: its framing buffer and, once a Logon named a member, its session.
// Inside the sender's delivery batch, bytes are held until the batch's messages are stored;
// anything sent meanwhile by another thread queues behind them, so the wire keeps seq order.
class FixConnection : public FIX::Responder {
 public:
  explicit FixConnection(FixTransport* t) : transport(t) {}
  bool send(const std::string& bytes) override {
    std::lock_guard<std::mutex> lock(mutex);
    if (current_delivery_batch() != nullptr) {
      if (held.empty()) current_delivery_batch()->sessions.push_back(session);
      held += bytes;
    } else if (!held.empty()) {
      held += bytes;
    } else {
      transport->write(bytes);
    }
    return true;
  }
  void disconnect() override { transport->close(); }
  // Writes what the batch held (after its messages were stored).
  void release() {
    std::lock_guard<std::mutex> lock(mutex);
    if (held.empty()) return;
    transport->write(held);
    held.clear();
  }

  FixTransport* transport;
  std::string buffer;
  SessionIndex session = kNoSession;
  int garbled = 0;  // garbled messages since the last good one (FixEngine::Impl::skip_garbled)
  std::mutex mutex;
  std::string held;
};

namespace {

#define CX_ADAPTER_CHECK(cond)                                                                     \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      std::fprintf(stderr, "carbonx: assertion failed: %s at %s:%d\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                                                \
    }                                                                                              \
  } while (0)

struct SessionSlot {
  FIX::SessionID id;
  std::unique_ptr<FIX::Session> session;
  std::string member;
  FixConnection* connection = nullptr;  // guarded by mutex
  mutable std::recursive_mutex mutex;
};

std::string field_of(const std::string& msg, const char* tag_eq) {
  const std::string key = std::string("\x01") + tag_eq;
  const std::size_t at = msg.find(key);
  if (at == std::string::npos) return std::string();
  const std::size_t start = at + key.size();
  const std::size_t end = msg.find('\x01', start);
  return end == std::string::npos ? std::string() : msg.substr(start, end - start);
}

// Frames one complete message of `buffer` starting at `*at`. Returns 1, sets `frame` to it and
// advances `*at` past it; 0 if more bytes are needed; -1 if the bytes are not FIX or exceed
// `limit`. The caller erases the consumed prefix once per read (not once per frame: a read of
// 64 KiB holds hundreds of orders).
// A connection that sends this many garbled messages in a row is not a FIX client with a bad
// line but a broken or hostile one: it is dropped.
constexpr int kMaxGarbledInARow = 16;

int next_frame(const std::string& buffer, std::size_t* at, std::size_t limit, std::string* frame) {
  static const std::string kBegin =
      "8=FIX.4.4\x01"
      "9=";
  const std::size_t start = *at;
  const std::size_t avail = buffer.size() - start;
  if (avail < kBegin.size()) {
    return buffer.compare(start, avail, kBegin, 0, avail) == 0 ? 0 : -1;
  }
  if (buffer.compare(start, kBegin.size(), kBegin) != 0) return -1;
  std::size_t pos = start + kBegin.size();
  std::size_t body = 0;
  for (; pos < buffer.size() && buffer[pos] != '\x01'; ++pos) {
    const char c = buffer[pos];
    if (c < '0' || c > '9' || pos - start - kBegin.size() > 6) return -1;
    body = body * 10 + static_cast<std::size_t>(c - '0');
  }
  if (pos >= buffer.size()) return 0;
  const std::size_t total = pos - start + 1 + body + 7;  // "10=nnn\x01"
  if (total > limit) return -1;
  if (avail < total) return 0;
  if (buffer.compare(pos + 1 + body, 3, "10=") != 0) return -1;
  frame->assign(buffer, start, total);
  *at = start + total;
  return 1;
}

}  // namespace

struct FixEngine::Impl : public FIX::Application {
  FixEngineConfig config;
  FixEngineHandler* handler = nullptr;
  FIX::DataDictionaryProvider dictionaries;
  std::shared_ptr<FIX::DataDictionary> dictionary;  // the one in `dictionaries`
  std::atomic<std::uint64_t> garbled_total{0};
  std::unique_ptr<FIX::MessageStoreFactory> store_factory;
  LogStoreFactory* log_stores = nullptr;  // store_factory, when the stores are files
  std::vector<std::unique_ptr<SessionSlot>> slots;
  std::map<std::string, SessionIndex> by_member;

  SessionIndex index_of(const FIX::SessionID& id) const {
    const auto it = by_member.find(id.getTargetCompID().getValue());
    return it == by_member.end() ? kNoSession : it->second;
  }

  void onCreate(const FIX::SessionID&) override {}
  void onLogon(const FIX::SessionID& id) override { handler->on_logon(index_of(id)); }
  void onLogout(const FIX::SessionID& id) override { handler->on_logout(index_of(id)); }
  void toAdmin(FIX::Message&, const FIX::SessionID&) override {}
  void toApp(FIX::Message&, const FIX::SessionID&) throw(FIX::DoNotSend) override {}
  void fromAdmin(const FIX::Message& m, const FIX::SessionID& id) throw(FIX::FieldNotFound,
                                                                        FIX::IncorrectDataFormat,
                                                                        FIX::IncorrectTagValue,
                                                                        FIX::RejectLogon) override {
    if (m.getHeader().getField(35) != "A") return;
    const std::string user = m.isSetField(553) ? m.getField(553) : std::string();
    const std::string pass = m.isSetField(554) ? m.getField(554) : std::string();
    const std::string refusal = handler->authenticate(index_of(id), user, pass);
    if (!refusal.empty()) throw FIX::RejectLogon(refusal);
  }
  void fromApp(const FIX::Message& m,
               const FIX::SessionID& id) throw(FIX::FieldNotFound, FIX::IncorrectDataFormat,
                                               FIX::IncorrectTagValue,
                                               FIX::UnsupportedMessageType) override {
    const SessionIndex index = index_of(id);
    DecodeOutcome out = translate_inbound(m);
    if (out.status == DecodeOutcome::Status::kRequest) {
      handler->on_request(index, out.request);
    } else if (out.status == DecodeOutcome::Status::kReply) {
      send_reply(index, out.reply);
    } else {
      throw FIX::IncorrectDataFormat(0, out.reason);
    }
  }

  bool send_reply(SessionIndex index, const FixReply& reply) {
    SessionSlot& slot = *slots.at(index);
    if (reply_is_flat(reply.kind)) {
      std::lock_guard<std::recursive_mutex> lock(slot.mutex);
      return send_text(slot, reply);
    }
    FIX::Message message;
    build_reply(reply, &message);
    std::lock_guard<std::recursive_mutex> lock(slot.mutex);
    return slot.session->send(message);
  }

  bool send_text(SessionSlot& slot, const FixReply& reply);

  // A Logout for a connection that has no session (unknown CompID, session busy).
  void refuse(FixConnection* c, const std::string& frame, const std::string& reason) {
    FIX::Message logout;
    logout.getHeader().setField(8, "FIX.4.4");
    logout.getHeader().setField(35, "5");
    logout.getHeader().setField(49, config.comp_id);
    logout.getHeader().setField(56, field_of(frame, "49="));
    logout.getHeader().setField(34, "1");
    logout.getHeader().setField(FIX::SendingTime(FIX::UtcTimeStamp()));
    logout.setField(58, reason);
    c->transport->write(logout.toString());
  }

  bool on_frames(FixConnection* c, const char* data, std::size_t size);
  bool skip_garbled(FixConnection* c, std::size_t* at);
  // Counts a garbled message of c (its c->garbled already counted) and logs the first of a run.
  void note_garbled(const FixConnection* c, const char* what) {
    garbled_total.fetch_add(1, std::memory_order_relaxed);
    if (c->garbled != 1) return;
    std::fprintf(stderr, "carbonxd: FIX session %s: garbled message ignored (%s)\n",
                 slots.at(c->session)->member.c_str(), what);
  }
  void finish_batch(const DeliveryBatch& batch);

  bool bind(FixConnection* c, const std::string& frame) {
    const std::string member = field_of(frame, "49=");
    const auto it = by_member.find(member);
    if (field_of(frame, "35=") != "A" || field_of(frame, "56=") != config.comp_id ||
        it == by_member.end()) {
      refuse(c, frame,
             "unknown SenderCompID '" + member + "' or TargetCompID is not '" + config.comp_id +
                 "', or first message is not a Logon");
      return false;
    }
    SessionSlot& slot = *slots[it->second];
    std::lock_guard<std::recursive_mutex> lock(slot.mutex);
    if (slot.connection != nullptr) {
      refuse(c, frame, "session " + member + " is already logged on from another connection");
      return false;
    }
    slot.connection = c;
    c->session = it->second;
    slot.session->setResponder(c);
    return true;
  }
};

FixEngine::FixEngine() : impl_(new Impl) {}
FixEngine::~FixEngine() = default;

std::unique_ptr<FixEngine> FixEngine::create(const FixEngineConfig& config,
                                             FixEngineHandler* handler, std::string* error) {
  std::unique_ptr<FixEngine> engine(new FixEngine);
  Impl& impl = *engine->impl_;
  impl.config = config;
  impl.handler = handler;
  try {
    auto dd = std::make_shared<FIX::DataDictionary>(config.dictionary_path);
    dd->checkFieldsOutOfOrder(false);
    impl.dictionary = dd;
    impl.dictionaries.addTransportDataDictionary(FIX::BeginString("FIX.4.4"), dd);
    impl.dictionaries.addApplicationDataDictionary(
        FIX::Message::toApplVerID(FIX::BeginString("FIX.4.4")), dd);
  } catch (const std::exception& e) {
    *error = "cannot load FIX dictionary " + config.dictionary_path + ": " + e.what();
    return nullptr;
  }
  if (config.memory_store) {
    impl.store_factory.reset(new ArenaStoreFactory());
  } else {
    if (::mkdir(config.store_dir.c_str(), 0750) != 0 && errno != EEXIST) {
      *error = "cannot create FIX store directory " + config.store_dir;
      return nullptr;
    }
    impl.log_stores = new LogStoreFactory(config.store_dir);
    impl.store_factory.reset(impl.log_stores);
  }
  return engine;
}

SessionIndex FixEngine::add_session(const std::string& member_comp_id, std::string* error) {
  Impl& impl = *impl_;
  const SessionIndex index = static_cast<SessionIndex>(impl.slots.size());
  std::unique_ptr<SessionSlot> slot(new SessionSlot);
  slot->id = FIX::SessionID("FIX.4.4", impl.config.comp_id, member_comp_id);
  slot->member = member_comp_id;
  // Always in session (start == end): the trading calendar is the exchange's, not FIX's.
  FIX::TimeRange always(FIX::UtcTimeOnly(0, 0, 0), FIX::UtcTimeOnly(0, 0, 0));
  try {  // the session's store opens its log here, and refuses a damaged one (log_store.hpp)
    slot->session.reset(new FIX::Session(impl, *impl.store_factory, slot->id, impl.dictionaries,
                                         always, 0, nullptr));
  } catch (const std::exception& e) {
    // QuickFIX's exceptions put "Configuration failed: " and the like before their detail.
    const auto* fix_error = dynamic_cast<const FIX::Exception*>(&e);
    const std::string why = "the FIX session of " + member_comp_id + ": " +
                            (fix_error != nullptr ? fix_error->detail : std::string(e.what()));
    if (error == nullptr) {
      std::fprintf(stderr, "carbonx: %s\n", why.c_str());
      std::abort();
    }
    *error = why;
    return kNoSession;
  }
  impl.by_member[member_comp_id] = index;
  slot->session->setCheckLatency(false);
  slot->session->setMillisecondsInTimeStamp(true);
  impl.slots.push_back(std::move(slot));
  return index;
}

std::size_t FixEngine::session_count() const {
  return impl_->slots.size();
}

const std::string& FixEngine::member_comp_id(SessionIndex session) const {
  return impl_->slots.at(session)->member;
}

FixConnection* FixEngine::open(FixTransport* transport) {
  return new FixConnection(transport);
}

// One read's frames are one batch (see DeliveryBatch): the session store's writes for all of them
// (inbound sequence numbers, any replies QuickFIX sends itself) are written with one write() at
// the end of the read, and those replies are sent after it.
bool FixEngine::on_bytes(FixConnection* c, const char* data, std::size_t size) {
  CX_ADAPTER_CHECK(current_delivery_batch() == nullptr);
  DeliveryBatch batch;
  struct Scope {
    DeliveryBatch* batch;
    Impl& impl;
    ~Scope() {
      current_delivery_batch() = nullptr;
      impl.finish_batch(*batch);
    }
  };
  current_delivery_batch() = &batch;
  const Scope scope{&batch, *impl_};
  return impl_->on_frames(c, data, size);
}

// A garbled message (bad BodyLength or CheckSum, a field without '=', bytes that are not FIX) is
// ignored, as the FIX session rules say: it takes no sequence number, the next good message shows
// the gap and the usual ResendRequest recovers it. Only a connection that has not logged on yet is
// dropped for garbage (nothing to recover, and no session slot to hold for it).
bool FixEngine::Impl::on_frames(FixConnection* c, const char* data, std::size_t size) {
  c->buffer.append(data, size);
  std::string frame;
  std::size_t at = 0;
  for (;;) {
    const int got = next_frame(c->buffer, &at, config.max_message_bytes, &frame);
    if (got < 0) {
      if (c->session == kNoSession || !skip_garbled(c, &at)) return false;
      continue;
    }
    if (got == 0) break;
    if (c->session == kNoSession && !bind(c, frame)) return false;
    SessionSlot& slot = *slots[c->session];
    std::lock_guard<std::recursive_mutex> lock(slot.mutex);
    if (slot.connection != c) return false;  // the session dropped this connection
    try {
      if (is_unsupported_app_message(*dictionary, field_of(frame, "35="))) {
        // Answered with BusinessMessageReject 380=3 (fromApp), whatever the body holds: the
        // session validates and sequences the message without it. Parsing checks BodyLength and
        // CheckSum as Session::next does (a garbled one throws InvalidMessage, below).
        slot.session->next(header_only(FIX::Message(frame, true)), FIX::UtcTimeStamp());
      } else {
        slot.session->next(frame, FIX::UtcTimeStamp());
      }
      c->garbled = 0;
    } catch (const FIX::InvalidMessage&) {
      if (!slot.session->isLoggedOn()) return false;       // a garbled Logon: nothing to keep
      if (++c->garbled > kMaxGarbledInARow) return false;  // ignored: QuickFIX took no seq
      note_garbled(c, "bad CheckSum or a field without '='");
    } catch (const std::exception&) {
      return false;
    }
  }
  c->buffer.erase(0, at);
  return true;
}

// Skips the bytes at *at up to the next "8=FIX.4.4<SOH>" (or all but a possible partial start of
// one at the end of the buffer). false: too many garbled messages in a row on this connection.
bool FixEngine::Impl::skip_garbled(FixConnection* c, std::size_t* at) {
  static const std::string kBegin("8=FIX.4.4\x01");
  if (++c->garbled > kMaxGarbledInARow) return false;
  CX_ADAPTER_CHECK(*at < c->buffer.size());
  note_garbled(c, "not a FIX 4.4 frame, or a wrong BodyLength");
  const std::size_t next = c->buffer.find(kBegin, *at + 1);
  if (next != std::string::npos) {
    *at = next;
    return true;
  }
  std::size_t keep = std::min(c->buffer.size() - *at, kBegin.size() - 1);
  while (keep > 0 && c->buffer.compare(c->buffer.size() - keep, keep, kBegin, 0, keep) != 0)
    --keep;
  *at = c->buffer.size() - keep;
  return true;
}

void FixEngine::on_closed(FixConnection* c) {
  if (c->session != kNoSession) {
    SessionSlot& slot = *impl_->slots[c->session];
    std::lock_guard<std::recursive_mutex> lock(slot.mutex);
    if (slot.connection == c) {
      slot.session->disconnect();  // calls onLogout if it was logged on; drops the responder
      slot.connection = nullptr;
    }
  }
  delete c;
}

bool FixEngine::connection_logged_on(const FixConnection* c) const {
  if (c->session == kNoSession) return false;
  const SessionSlot& slot = *impl_->slots[c->session];
  std::lock_guard<std::recursive_mutex> lock(slot.mutex);
  return slot.connection == c && slot.session->isLoggedOn();
}

void FixEngine::deliver_begin() {
  CX_ADAPTER_CHECK(current_delivery_batch() == nullptr);
  current_delivery_batch() = new DeliveryBatch;
}

void FixEngine::deliver_end() {
  DeliveryBatch* batch = current_delivery_batch();
  CX_ADAPTER_CHECK(batch != nullptr);
  current_delivery_batch() = nullptr;
  impl_->finish_batch(*batch);
  delete batch;
}

// What QuickFIX's Session::send does for an application message (Session::sendRaw: fill the
// header with the next MsgSeqNum and SendingTime, note the send time for heartbeats, toApp
// (empty here), toString, persist = store the text and increment the sender number, then hand it
// to the responder if logged on), with the message written as text directly (reply_text.hpp)
// instead of through a FieldMap. The sequence number and the store are the session's own
// (SessionState, which Session::getStore() returns), so resend requests serve exactly these
// bytes, and in a delivery batch the store writes them before the connection releases them.
// Not used when the session would reset sequence numbers on logon/logout/disconnect (never set
// by carbonxd; QuickFIX then drops application messages while logged out). slot.mutex held.
bool FixEngine::Impl::send_text(SessionSlot& slot, const FixReply& reply) {
  FIX::Session& session = *slot.session;
  CX_ADAPTER_CHECK(!session.getResetOnLogon() && !session.getResetOnLogout() &&
                   !session.getResetOnDisconnect());
  FIX::SessionState& state =
      *static_cast<FIX::SessionState*>(const_cast<FIX::MessageStore*>(session.getStore()));
  static thread_local ReplyText text;
  static thread_local std::string out;
  static thread_local std::string sending_time;
  fill_reply_text(reply, &text);
  const FIX::UtcTimeStamp now;
  state.lastSentTime(now);
  char stamp[kUtcTimestampMax];
  const std::int64_t now_ns = static_cast<std::int64_t>(now.getTimeT()) * 1000000000 +
                              static_cast<std::int64_t>(now.getNanosecond());
  sending_time.assign(stamp, write_utc_timestamp(now_ns, session.getTimestampPrecision(), stamp));
  const int seq = session.getExpectedSenderNum();
  out.clear();
  text.finish(reply_msg_type(reply.kind), seq, config.comp_id, sending_time, slot.member, &out);
  try {
    if (session.getPersistMessages()) state.set(seq, out);
    state.incrNextSenderMsgSeqNum();
  } catch (const FIX::IOException&) {
    return false;
  }
  if (session.isLoggedOn() && slot.connection != nullptr) slot.connection->send(out);
  return true;
}

// Stores what the batch wrote (one write() per store), then sends what it held. A store that
// cannot write keeps the bytes (LogStore: they are written at its next flush, resend serves them
// meanwhile) and the messages are sent anyway: a member keeps its session and gets its replies
// (while the store fails those are refusals: ExchangeDriver refuses state changes).
void FixEngine::Impl::finish_batch(const DeliveryBatch& batch) {
  for (LogStore* store : batch.stores)
    store->flush(&batch);
  for (SessionIndex s : batch.sessions) {
    SessionSlot& slot = *slots[s];
    std::lock_guard<std::recursive_mutex> lock(slot.mutex);
    if (slot.connection == nullptr) continue;  // closed: the stored messages are resent later
    slot.connection->release();
  }
}

bool FixEngine::send(SessionIndex session, const FixReply& reply) {
  try {
    return impl_->send_reply(session, reply);
  } catch (const std::exception&) {
    return false;  // the store failed to write: the session logs itself out
  }
}

void FixEngine::logout(SessionIndex session, const std::string& reason) {
  SessionSlot& slot = *impl_->slots.at(session);
  std::lock_guard<std::recursive_mutex> lock(slot.mutex);
  if (slot.connection == nullptr) return;
  slot.session->logout(reason);
  slot.session->next(FIX::UtcTimeStamp());
}

bool FixEngine::is_logged_on(SessionIndex session) const {
  SessionSlot& slot = *impl_->slots.at(session);
  std::lock_guard<std::recursive_mutex> lock(slot.mutex);
  return slot.connection != nullptr && slot.session->isLoggedOn();
}

int FixEngine::next_sender_seq(SessionIndex session) const {
  SessionSlot& slot = *impl_->slots.at(session);
  std::lock_guard<std::recursive_mutex> lock(slot.mutex);
  return slot.session->getExpectedSenderNum();
}

std::uint64_t FixEngine::garbled_total() const {
  return impl_->garbled_total.load(std::memory_order_relaxed);
}

int FixEngine::next_target_seq(SessionIndex session) const {
  SessionSlot& slot = *impl_->slots.at(session);
  std::lock_guard<std::recursive_mutex> lock(slot.mutex);
  return slot.session->getExpectedTargetNum();
}

bool FixEngine::store_failing() const {
  return impl_->log_stores != nullptr && impl_->log_stores->health().failing();
}

std::string FixEngine::store_problem() const {
  return impl_->log_stores == nullptr ? std::string() : impl_->log_stores->health().problem();
}

void FixEngine::tick() {
  if (store_failing()) impl_->log_stores->retry_unwritten();  // space may have returned
  for (auto& slot : impl_->slots) {
    std::lock_guard<std::recursive_mutex> lock(slot->mutex);
    if (slot->connection == nullptr) continue;
    try {
      slot->session->next(FIX::UtcTimeStamp());
    } catch (const std::exception&) {
      slot->session->disconnect();
    }
  }
}

}  // namespace gateway
}  // namespace carbonx
