#include "delivery/outcomes.hpp"

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "mime/dsn.hpp"

namespace postern::delivery {
namespace {

using policy::Classification;
using policy::Outcome;
using policy::Phase;
using policy::RouteEffect;

int severity(RouteEffect effect) {
  switch (effect) {
    case RouteEffect::none: return 0;
    case RouteEffect::slow_down: return 1;
    case RouteEffect::back_off: return 2;
    case RouteEffect::reduce_concurrency: return 3;
    case RouteEffect::pause_until_window: return 4;
    case RouteEffect::auth_broken: return 5;
  }
  return 0;
}

// A recipient's verdict before it becomes a store outcome.
struct Verdict {
  Classification classification;
  std::string last_reply;
  int reply_code = 0;
  std::string reply_text;
};

Verdict verdict_for(const DecisionContext& context, const smtp::Reply& reply, Phase phase) {
  return {policy::classify(*context.replies, reply, phase), describe_reply(reply), reply.code,
          reply.text};
}

Verdict temporary(std::string why) {
  Verdict v;
  v.classification.outcome = Outcome::temporary;
  v.classification.reason = why;
  v.last_reply = std::move(why);
  return v;
}

// The verdict for one recipient of a transaction, following the replies in order.
Verdict recipient_verdict(const DecisionContext& context, const smtp::TransactionResult& result,
                          std::size_t index) {
  if (!result.mail_reply) return temporary("connection lost before MAIL");
  if (result.mail_reply->code / 100 != 2) return verdict_for(context, *result.mail_reply, Phase::mail);
  if (index >= result.recipients.size() || result.recipients[index].reply.code == 0) {
    return temporary("connection lost before the RCPT reply");
  }
  const smtp::Reply& rcpt = result.recipients[index].reply;
  if (rcpt.code / 100 != 2) return verdict_for(context, rcpt, Phase::rcpt);
  if (!result.data_reply) return temporary("connection lost before the DATA reply");
  if (result.data_reply->code != 354) return verdict_for(context, *result.data_reply, Phase::data);
  if (result.ambiguous) {
    // RFC 5321 §4.1.1.4 / smtp-checklist: the provider may have taken it; retrying may
    // duplicate it (the at-least-once window), losing it is not allowed.
    return temporary("ambiguous: connection lost after the final dot");
  }
  if (!result.final_reply) return temporary("connection lost during DATA");
  return verdict_for(context, *result.final_reply, Phase::final_dot);
}

class DecisionBuilder {
 public:
  DecisionBuilder(const Job& job, std::string_view content, const DecisionContext& context)
      : job_(job), content_(content), context_(context) {}

  void add(const JobRecipient& recipient, const Verdict& verdict) {
    note_route(verdict.classification);
    store::RecipientOutcome outcome;
    outcome.queue_id = job_.queue_id;
    outcome.rcpt_index = recipient.rcpt_index;
    outcome.last_reply = verdict.last_reply;
    outcome.at_ms = core::to_unix_ms(context_.now);
    const auto received = std::chrono::system_clock::time_point(
        std::chrono::milliseconds(job_.received_at_ms));
    switch (verdict.classification.outcome) {
      case Outcome::delivered:
        outcome.state = store::RecipientState::delivered;
        ++decision_.delivered;
        break;
      case Outcome::permanent:
        fail(outcome, recipient, verdict, false);
        break;
      case Outcome::temporary:
        if (context_.retry->expired(received, context_.now)) {
          fail(outcome, recipient, verdict, true);
          break;
        }
        outcome.state = store::RecipientState::queued;
        outcome.next_attempt_at_ms = core::to_unix_ms(next_attempt(recipient, verdict, received));
        ++decision_.deferred;
        break;
    }
    decision_.outcomes.push_back(std::move(outcome));
  }

  Decision finish() {
    if (!failed_.empty() && !job_.is_dsn && mime::wants_dsn(job_.mail_from, content_)) {
      mime::DsnInput input;
      input.reporting_mta = context_.reporting_host;
      input.sender = job_.mail_from;
      input.queue_id = job_.queue_id;
      input.arrival_date = std::chrono::system_clock::time_point(
          std::chrono::milliseconds(job_.received_at_ms));
      input.now = context_.now;
      input.recipients = failed_;
      input.original = content_;
      mime::DsnMessage dsn = mime::compose_dsn(input);
      store::NewMessage message;
      message.queue_id = core::make_queue_id(core::to_unix_ms(context_.now));
      message.mail_from = "";
      message.rcpt_to = {dsn.rcpt_to};
      message.content = std::move(dsn.content);
      message.body_8bitmime = dsn.body_8bitmime;
      message.received_at_ms = core::to_unix_ms(context_.now);
      decision_.dsn = std::move(message);
    }
    return std::move(decision_);
  }

 private:
  std::chrono::system_clock::time_point next_attempt(
      const JobRecipient& recipient, const Verdict& verdict,
      std::chrono::system_clock::time_point received) const {
    std::chrono::system_clock::time_point next;
    if (verdict.classification.consumes_attempt) {
      next = context_.now + context_.retry->next_delay(static_cast<unsigned>(recipient.attempts + 1),
                                                       context_.random01());
    } else {
      // Quota or route trouble: the message is not at fault; it waits for the route.
      next = std::max(context_.now + std::chrono::seconds(1), context_.route_resume_at);
    }
    // One last attempt at the end of the lifetime, then expiry (a bounce, never silence).
    return std::min(next, context_.retry->expires_at(received));
  }

  void fail(store::RecipientOutcome& outcome, const JobRecipient& recipient,
            const Verdict& verdict, bool expired) {
    outcome.state = store::RecipientState::failed;
    if (expired) outcome.last_reply = "expired after " + verdict.last_reply;
    ++decision_.failed;
    failed_.push_back(mime::DsnRecipient{.address = recipient.address,
                                         .reply_code = verdict.reply_code,
                                         .reply_text = verdict.reply_text,
                                         .remote_mta = context_.remote_host,
                                         .last_attempt = context_.now,
                                         .expired = expired});
  }

  void note_route(const Classification& c) {
    if (c.route_effect == RouteEffect::none) return;
    if (!decision_.route_signal ||
        severity(c.route_effect) > severity(decision_.route_signal->route_effect)) {
      decision_.route_signal = c;
    }
  }

  const Job& job_;
  std::string_view content_;
  const DecisionContext& context_;
  Decision decision_;
  std::vector<mime::DsnRecipient> failed_;
};

}  // namespace

std::string describe_reply(const smtp::Reply& reply) {
  std::string text = std::to_string(reply.code) + " " + reply.text;
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

std::string_view to_string(smtp::SessionFailure failure) {
  using F = smtp::SessionFailure;
  switch (failure) {
    case F::none: return "none";
    case F::greeting_refused: return "greeting refused";
    case F::ehlo_refused: return "EHLO refused";
    case F::starttls_not_offered: return "STARTTLS not offered";
    case F::starttls_refused: return "STARTTLS refused";
    case F::tls_failed: return "TLS handshake or certificate verification failed";
    case F::auth_not_offered: return "no common AUTH mechanism";
    case F::auth_failed: return "authentication failed";
    case F::protocol_error: return "protocol error";
    case F::timed_out: return "timed out";
    case F::connection_lost: return "connection lost";
  }
  return "unknown";
}

Decision decide_transaction(const Job& job, const smtp::TransactionResult& result,
                            std::string_view content, const DecisionContext& context) {
  DecisionBuilder builder(job, content, context);
  for (std::size_t i = 0; i < job.recipients.size(); ++i) {
    builder.add(job.recipients[i], recipient_verdict(context, result, i));
  }
  return builder.finish();
}

Decision decide_session_failure(const Job& job, smtp::SessionFailure failure,
                                const std::optional<smtp::Reply>& reply, std::string_view content,
                                const DecisionContext& context) {
  Verdict verdict;
  if (reply && reply->code / 100 != 2) {
    Phase phase = Phase::connect;
    if (failure == smtp::SessionFailure::ehlo_refused) phase = Phase::ehlo;
    if (failure == smtp::SessionFailure::starttls_refused) phase = Phase::starttls;
    if (failure == smtp::SessionFailure::auth_failed) phase = Phase::auth;
    verdict = verdict_for(context, *reply, phase);
    // Before MAIL, nothing the server says is about this message: never bounce it for that.
    if (verdict.classification.outcome == Outcome::permanent) {
      verdict.classification.outcome = Outcome::temporary;
      verdict.classification.consumes_attempt = false;
      if (verdict.classification.route_effect == RouteEffect::none) {
        verdict.classification.route_effect = RouteEffect::back_off;
      }
    }
  } else {
    verdict = temporary(std::string(to_string(failure)));
    verdict.classification.consumes_attempt = false;  // the route's trouble, not the message's
  }
  DecisionBuilder builder(job, content, context);
  for (const auto& recipient : job.recipients) builder.add(recipient, verdict);
  return builder.finish();
}

}  // namespace postern::delivery
