//! When to send a request again: a pure decision, with time as an input.
//!
//! The adapters send, sleep and report; everything they decide comes from here.
//!
//! | outcome | GET, HEAD, PUT, DELETE | POST and others |
//! |---|---|---|
//! | 429, or 503 with `Retry-After` | retried, after `Retry-After` if sent | retried, after `Retry-After` if sent |
//! | 500, 502, 503 without `Retry-After`, 504 | retried with backoff | not retried |
//! | no connection, or the request given back unsent ([`Connect`](TransportErrorKind::Connect)) | retried with backoff | retried with backoff |
//! | timeout, reset after sending | retried with backoff | not retried |
//! | DNS failure, TLS failure, broken HTTP (conflicting `Content-Length`) | not retried | not retried |
//! | any other status, a decode error, a too-large body | not retried | not retried |
//!
//! Backoff without `Retry-After` is capped exponential with full jitter: a uniformly random
//! wait between zero and `min(max_delay, base_delay × 2^(retry − 1))`, drawn from a seeded
//! generator so that tests can fix it.

use std::time::Duration;

use http::header::RETRY_AFTER;
use http::{HeaderMap, Method, StatusCode};
use jiff::Timestamp;

use crate::{ClientOptions, TransportErrorKind};

/// How a call retries. `RetryPolicy::default()` retries up to 5 attempts in all.
///
/// ```
/// use std::time::Duration;
/// use usercom_core::RetryPolicy;
///
/// let policy = RetryPolicy::default()
///     .max_attempts(3)
///     .base_delay(Duration::from_millis(100))
///     .max_total_wait(Duration::from_secs(10));
/// assert_eq!(policy.max_attempts, 3);
/// assert_eq!(RetryPolicy::disabled().max_attempts, 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 switches retries off). Default 5.
    pub max_attempts: u32,
    /// The backoff of the first retry before jitter. Default 500 ms.
    pub base_delay: Duration,
    /// The longest single wait, also the longest `Retry-After` honoured. Default 60 s.
    pub max_delay: Duration,
    /// The most a call may spend waiting between attempts. Default 120 s.
    pub max_total_wait: Duration,
    /// The jitter seed; `None` lets the adapter pick a random one per client.
    pub seed: Option<u64>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
            max_total_wait: Duration::from_secs(120),
            seed: None,
        }
    }
}

impl RetryPolicy {
    /// No retries: every call makes one attempt.
    pub fn disabled() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Sets the number of attempts in all (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the backoff of the first retry.
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// Sets the longest single wait.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Sets the most a call may spend waiting.
    pub fn max_total_wait(mut self, wait: Duration) -> Self {
        self.max_total_wait = wait;
        self
    }

    /// Fixes the jitter seed (for reproducible tests).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }
}

/// What `Retry-After` said: a number of seconds, or a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryAfter {
    /// `Retry-After: 120`.
    Delay(Duration),
    /// `Retry-After: Wed, 21 Oct 2015 07:28:00 GMT`, or the same moment as RFC 850
    /// (`Wednesday, 21-Oct-15 07:28:00 GMT`) or asctime (`Wed Oct 21 07:28:00 2015`).
    At(Timestamp),
}

impl RetryAfter {
    /// Reads the `Retry-After` header, if there is a valid one.
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let text = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
        if let Ok(seconds) = text.parse::<u64>() {
            return Some(Self::Delay(Duration::from_secs(seconds)));
        }
        // An HTTP date in any of its three forms (IMF-fixdate, RFC 850, asctime); failing
        // that, an RFC 2822 date with a numeric zone, which some servers send.
        httpdate::parse_http_date(text)
            .ok()
            .and_then(|at| Timestamp::try_from(at).ok())
            .or_else(|| {
                jiff::fmt::rfc2822::parse(text)
                    .ok()
                    .map(|zoned| zoned.timestamp())
            })
            .map(Self::At)
    }

    /// How long to wait from `now` (zero for a moment in the past).
    pub fn delay_from(self, now: Timestamp) -> Duration {
        match self {
            Self::Delay(delay) => delay,
            Self::At(at) => Duration::try_from(at.duration_since(now)).unwrap_or(Duration::ZERO),
        }
    }
}

impl std::fmt::Display for RetryAfter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Delay(delay) => write!(f, "{} s", delay.as_secs()),
            Self::At(at) => write!(f, "{at}"),
        }
    }
}

/// What happened to one attempt, as far as retrying is concerned.
#[derive(Debug, Clone, Copy)]
pub enum Outcome<'a> {
    /// The server answered.
    Response {
        /// Its status.
        status: StatusCode,
        /// Its headers (for `Retry-After`).
        headers: &'a HeaderMap,
    },
    /// No complete answer arrived.
    Transport(TransportErrorKind),
}

/// The decision after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Wait this long, then send the same request again.
    RetryAfter(Duration),
    /// Stop here: hand the outcome to the caller.
    Stop(Stop),
}

/// Why a call stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stop {
    /// The attempt succeeded.
    Success,
    /// The outcome is not worth retrying (or not safe to, for this method).
    NotRetryable,
    /// Every allowed attempt was made.
    AttemptsExhausted,
    /// The server asked for a longer wait than the policy allows.
    RetryAfterTooLong {
        /// What the server asked for.
        requested: Duration,
    },
    /// Waiting again would exceed the policy's total wait or the caller's deadline.
    OutOfTime {
        /// The wait that did not fit.
        requested: Duration,
    },
}

/// The retry state of one call: create one per call, ask it after each attempt.
///
/// An adapter's whole loop, with `elapsed` and `now` read from its own clock:
///
/// ```text
/// let mut retry = Retry::for_call(&options, request.method(), seed);
/// let result = loop {
///     let result = send(request.clone(), retry.attempt_timeout(started.elapsed()));
///     match retry.after(&result, jiff::Timestamp::now(), started.elapsed()) {
///         Decision::RetryAfter(wait) => sleep(wait),
///         Decision::Stop(_) => break result,
///     }
/// };
/// retry.finish(result.and_then(parse), config.api_key())
/// ```
#[derive(Debug, Clone)]
pub struct Retry {
    policy: RetryPolicy,
    idempotent: bool,
    attempts: u32,
    waited: Duration,
    rng: u64,
    request_timeout: Option<Duration>,
    deadline: Option<Duration>,
}

impl Retry {
    /// The state of a fresh call with this method. `seed` is used when the policy has none.
    pub fn new(policy: RetryPolicy, method: &Method, seed: u64) -> Self {
        Self {
            idempotent: is_idempotent(method),
            rng: policy.seed.unwrap_or(seed),
            policy,
            attempts: 0,
            waited: Duration::ZERO,
            request_timeout: None,
            deadline: None,
        }
    }

    /// The state of a fresh call under a client's options: its retry policy, its timeout per
    /// attempt and its deadline for the whole call.
    pub fn for_call(options: &ClientOptions, method: &Method, seed: u64) -> Self {
        Self {
            request_timeout: Some(options.request_timeout),
            deadline: options.deadline,
            ..Self::new(options.retry, method, seed)
        }
    }

    /// Overrides whether the request is safe to repeat, which the method alone decides
    /// otherwise: an operation's [`Endpoint::idempotent`](crate::Endpoint::idempotent).
    pub fn idempotent(mut self, idempotent: bool) -> Self {
        self.idempotent = idempotent;
        self
    }

    /// What remains of the call's deadline after `elapsed`, if it has one.
    pub fn time_left(&self, elapsed: Duration) -> Option<Duration> {
        self.deadline
            .map(|deadline| deadline.saturating_sub(elapsed))
    }

    /// The timeout of the next attempt: the request timeout, or less if the deadline is nearer.
    pub fn attempt_timeout(&self, elapsed: Duration) -> Duration {
        let timeout = self.request_timeout.unwrap_or(Duration::MAX);
        self.time_left(elapsed)
            .map_or(timeout, |left| left.min(timeout))
    }

    /// Ends the call: an error records how many attempts were made and loses any echo of the
    /// key (a proxy or a misbehaving server can repeat request headers in an error body).
    pub fn finish<T>(
        &self,
        result: Result<T, crate::Error>,
        key: &crate::ApiKey,
    ) -> Result<T, crate::Error> {
        result.map_err(|error| error.with_attempts(self.attempts).redact_key(key))
    }

    /// Decides after an attempt that gave `result` (a complete response or an error),
    /// `elapsed` into the call.
    pub fn after<B>(
        &mut self,
        result: &Result<http::Response<B>, crate::Error>,
        now: Timestamp,
        elapsed: Duration,
    ) -> Decision {
        let outcome = match result {
            Ok(response) => Outcome::Response {
                status: response.status(),
                headers: response.headers(),
            },
            Err(crate::Error::Transport(transport)) => Outcome::Transport(transport.kind()),
            Err(_) => {
                self.attempts += 1;
                return Decision::Stop(Stop::NotRetryable);
            }
        };
        let time_left = self.time_left(elapsed);
        self.decide(outcome, now, time_left)
    }

    /// How many attempts have been decided on.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// How long this call has waited between attempts so far.
    pub fn waited(&self) -> Duration {
        self.waited
    }

    /// Decides after an attempt. `now` is the wall-clock time (for `Retry-After` dates);
    /// `time_left` is what remains of the caller's deadline, if it has one.
    pub fn decide(
        &mut self,
        outcome: Outcome<'_>,
        now: Timestamp,
        time_left: Option<Duration>,
    ) -> Decision {
        self.attempts += 1;
        let requested = match self.wait_for(outcome, now) {
            Ok(wait) => wait,
            Err(stop) => return Decision::Stop(stop),
        };
        if self.attempts >= self.policy.max_attempts {
            return Decision::Stop(Stop::AttemptsExhausted);
        }
        let wait_budget = self.policy.max_total_wait.saturating_sub(self.waited);
        // After the wait, some time must be left for the attempt itself.
        let past_deadline = time_left.is_some_and(|left| requested >= left);
        if requested > wait_budget || past_deadline {
            return Decision::Stop(Stop::OutOfTime { requested });
        }
        self.waited += requested;
        Decision::RetryAfter(requested)
    }

    /// The wait before the next attempt, or why there is none.
    fn wait_for(&mut self, outcome: Outcome<'_>, now: Timestamp) -> Result<Duration, Stop> {
        match outcome {
            Outcome::Response { status, .. } if status.is_success() => Err(Stop::Success),
            Outcome::Response { status, headers } => {
                let retry_after = RetryAfter::from_headers(headers);
                let told = status == StatusCode::TOO_MANY_REQUESTS
                    || (status == StatusCode::SERVICE_UNAVAILABLE && retry_after.is_some());
                let transient = matches!(
                    status,
                    StatusCode::INTERNAL_SERVER_ERROR
                        | StatusCode::BAD_GATEWAY
                        | StatusCode::SERVICE_UNAVAILABLE
                        | StatusCode::GATEWAY_TIMEOUT
                );
                if told {
                    // The request was not processed: safe for every method.
                    match retry_after.map(|after| after.delay_from(now)) {
                        Some(wait) if wait > self.policy.max_delay => {
                            Err(Stop::RetryAfterTooLong { requested: wait })
                        }
                        Some(wait) => Ok(wait),
                        None => Ok(self.backoff()),
                    }
                } else if transient && self.idempotent {
                    Ok(self.backoff())
                } else {
                    Err(Stop::NotRetryable)
                }
            }
            Outcome::Transport(kind) => match kind {
                // Provably not sent: safe to send again whatever the method.
                TransportErrorKind::Connect => Ok(self.backoff()),
                TransportErrorKind::Timeout | TransportErrorKind::Io if self.idempotent => {
                    Ok(self.backoff())
                }
                // A name that does not resolve, a certificate that is not trusted or a
                // broken answer will be the same a second later; so will a body over the
                // limit. A timeout or reset after a POST may have been processed.
                _ => Err(Stop::NotRetryable),
            },
        }
    }

    /// Full jitter: uniform in `0..=min(max_delay, base × 2^(retry − 1))`.
    fn backoff(&mut self) -> Duration {
        let exponent = self.attempts.saturating_sub(1).min(31);
        let ceiling = self
            .policy
            .base_delay
            .saturating_mul(1 << exponent)
            .min(self.policy.max_delay);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(self.next_random() % nanos.saturating_add(1))
    }

    /// SplitMix64: small, fast and the same on every platform and version.
    fn next_random(&mut self) -> u64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Jitter seeds for the calls of one client: random per client, different for every call.
#[derive(Debug)]
pub struct SeedSequence {
    base: u64,
    counter: std::sync::atomic::AtomicU64,
}

impl SeedSequence {
    /// A sequence that starts from a random point (from the standard library's hasher keys,
    /// which are random per process), so that clients do not retry in lockstep.
    pub fn random() -> Self {
        use std::hash::{BuildHasher, Hasher};
        let base = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        Self::from_seed(base)
    }

    /// A sequence from a fixed seed.
    pub fn from_seed(base: u64) -> Self {
        Self {
            base,
            counter: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// The seed of the next call.
    pub fn next(&self) -> u64 {
        let n = self
            .counter
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.base ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }
}

/// A pause shared by every request of a client: a 429's wait holds back every request in
/// flight, not just the one that met it (the rate limit is the account's, not the
/// request's). Time comes in from the caller; the core never reads a clock.
#[derive(Debug, Default)]
pub struct Throttle(std::sync::Mutex<Option<std::time::Instant>>);

impl Throttle {
    /// Holds every request back until `until` (a later hold wins).
    pub fn hold_until(&self, until: std::time::Instant) {
        let mut held = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if held.is_none_or(|current| current < until) {
            *held = Some(until);
        }
    }

    /// How long a request about to go at `now` must wait first, if at all.
    pub fn wait_from(&self, now: std::time::Instant) -> Option<Duration> {
        let held = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        held.and_then(|until| until.checked_duration_since(now))
            .filter(|wait| !wait.is_zero())
    }
}

/// How many attempts a client made for a response it hands back, in the response's
/// extensions: [`Config::parse`](crate::Config::parse) names them in the error it makes of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempts(pub u32);

/// Why an attempt failed, for a log line: `HTTP 503 Service Unavailable` or the transport
/// error's kind and message, with the key redacted; `None` for a 2xx answer.
///
/// ```
/// use usercom_core::{ApiKey, Error, TransportErrorKind, retry::failure_reason};
///
/// let key = ApiKey::new("s3cr3t")?;
/// let reset: Result<http::Response<Vec<u8>>, Error> =
///     Err(Error::transport(TransportErrorKind::Io, "reset by s3cr3t").with_host("h"));
/// assert_eq!(
///     failure_reason(&reset, &key).as_deref(),
///     Some("connection to h failed: reset by <redacted> (the request may have reached the server)")
/// );
/// let ok: Result<_, Error> = Ok(http::Response::new(Vec::<u8>::new()));
/// assert_eq!(failure_reason(&ok, &key), None);
/// # Ok::<(), Error>(())
/// ```
pub fn failure_reason<B>(
    result: &Result<http::Response<B>, crate::Error>,
    key: &crate::ApiKey,
) -> Option<String> {
    match result {
        Ok(response) if response.status().is_success() => None,
        Ok(response) => Some(format!("HTTP {}", response.status())),
        Err(error) => Some(key.redact(&error.to_string())),
    }
}

/// For the clients' retry loops (both log the same way): logs a failed attempt and what comes of it: a retry after a wait (at INFO), or the end
/// of the call (at INFO when it was retried, DEBUG when it failed at its only attempt).
pub fn log_attempt<B>(
    config: &crate::Config,
    name: &'static str,
    request: &http::Request<Vec<u8>>,
    result: &Result<http::Response<B>, crate::Error>,
    decision: Decision,
    attempt: u32,
) {
    let key = config.api_key();
    let Some(reason) = failure_reason(result, key) else {
        return;
    };
    let uri = key.redact(&request.uri().to_string());
    let method = request.method();
    match decision {
        Decision::RetryAfter(wait) => tracing::info!(
            operation = name,
            %method,
            %uri,
            attempt,
            %reason,
            wait_ms = wait.as_millis(),
            "usercom retrying"
        ),
        Decision::Stop(stop) if attempt > 1 => tracing::info!(
            operation = name,
            %method,
            %uri,
            attempt,
            %reason,
            stop = ?stop,
            "usercom giving up"
        ),
        Decision::Stop(stop) => tracing::debug!(
            operation = name,
            %method,
            %uri,
            attempt,
            %reason,
            stop = ?stop,
            "usercom attempt failed"
        ),
    }
}

/// Methods whose repetition has the same effect as one request.
pub fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000;

    fn now() -> Timestamp {
        Timestamp::from_second(NOW).unwrap()
    }

    fn headers(retry_after: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(value) = retry_after {
            headers.insert(RETRY_AFTER, value.parse().unwrap());
        }
        headers
    }

    fn first_decision(method: Method, status: u16, retry_after: Option<&str>) -> Decision {
        let policy = RetryPolicy::default().seed(7);
        let headers = headers(retry_after);
        let outcome = Outcome::Response {
            status: StatusCode::from_u16(status).unwrap(),
            headers: &headers,
        };
        Retry::new(policy, &method, 0).decide(outcome, now(), None)
    }

    fn retries(decision: Decision) -> bool {
        matches!(decision, Decision::RetryAfter(_))
    }

    #[test]
    fn status_table() {
        // (status, Retry-After, retried for GET, retried for POST)
        let table: &[(u16, Option<&str>, bool, bool)] = &[
            (200, None, false, false),
            (201, None, false, false),
            (301, None, false, false),
            (400, None, false, false),
            (401, None, false, false),
            (403, None, false, false),
            (404, None, false, false),
            (409, None, false, false),
            (429, None, true, true),
            (429, Some("3"), true, true),
            (500, None, true, false),
            (501, None, false, false),
            (502, None, true, false),
            (503, None, true, false),
            (503, Some("3"), true, true),
            (504, None, true, false),
            (505, None, false, false),
        ];
        for &(status, retry_after, get, post) in table {
            assert_eq!(
                retries(first_decision(Method::GET, status, retry_after)),
                get,
                "GET {status} {retry_after:?}"
            );
            for method in [Method::PUT, Method::DELETE, Method::HEAD] {
                assert_eq!(
                    retries(first_decision(method.clone(), status, retry_after)),
                    get,
                    "{method} {status}"
                );
            }
            assert_eq!(
                retries(first_decision(Method::POST, status, retry_after)),
                post,
                "POST {status} {retry_after:?}"
            );
        }
    }

    #[test]
    fn retry_after_forms() {
        for (value, expected) in [
            ("3", Some(Duration::from_secs(3))),
            ("0", Some(Duration::ZERO)),
            (" 12 ", Some(Duration::from_secs(12))),
            // An HTTP date 90 s after NOW, and one in the past.
            (
                "Tue, 14 Nov 2023 22:14:50 GMT",
                Some(Duration::from_secs(90)),
            ),
            ("Tue, 14 Nov 2023 22:00:00 GMT", Some(Duration::ZERO)),
            // The same moment in the two obsolete forms HTTP requires accepting, and as an
            // RFC 2822 date with a numeric zone.
            (
                "Tuesday, 14-Nov-23 22:14:50 GMT",
                Some(Duration::from_secs(90)),
            ),
            ("Tue Nov 14 22:14:50 2023", Some(Duration::from_secs(90))),
            (
                "Tue, 14 Nov 2023 23:14:50 +0100",
                Some(Duration::from_secs(90)),
            ),
            ("Tue, 14 Nov 2023 25:14:50 GMT", None),
            ("soon", None),
            ("-5", None),
            ("1.5", None),
        ] {
            let parsed = RetryAfter::from_headers(&headers(Some(value)));
            assert_eq!(parsed.map(|r| r.delay_from(now())), expected, "{value:?}");
        }
        assert_eq!(
            first_decision(Method::POST, 429, Some("Tue, 14 Nov 2023 22:14:05 GMT")),
            Decision::RetryAfter(Duration::from_secs(45))
        );
        // 90 s is more than the default 60 s cap.
        assert_eq!(
            first_decision(Method::GET, 429, Some("Tue, 14 Nov 2023 22:14:50 GMT")),
            Decision::Stop(Stop::RetryAfterTooLong {
                requested: Duration::from_secs(90)
            })
        );
        assert_eq!(
            first_decision(Method::GET, 503, Some("2")),
            Decision::RetryAfter(Duration::from_secs(2))
        );
    }

    #[test]
    fn an_unusable_retry_after_falls_back_to_backoff() {
        let Decision::RetryAfter(wait) = first_decision(Method::POST, 429, Some("soon")) else {
            panic!("429 is always retried")
        };
        assert!(wait <= RetryPolicy::default().base_delay);
    }

    #[test]
    fn a_retry_after_beyond_max_delay_stops_with_its_value() {
        assert_eq!(
            first_decision(Method::GET, 429, Some("3600")),
            Decision::Stop(Stop::RetryAfterTooLong {
                requested: Duration::from_secs(3600)
            })
        );
    }

    #[test]
    fn transport_table() {
        for (kind, get, post) in [
            // Not sent: safe for every method.
            (TransportErrorKind::Connect, true, true),
            (TransportErrorKind::Timeout, true, false),
            (TransportErrorKind::Io, true, false),
            // Permanent: a retry cannot help.
            (TransportErrorKind::Dns, false, false),
            (TransportErrorKind::Tls, false, false),
            (TransportErrorKind::Protocol, false, false),
            (TransportErrorKind::BodyTooLarge, false, false),
        ] {
            for (method, expected) in [(Method::GET, get), (Method::POST, post)] {
                let mut retry = Retry::new(RetryPolicy::default(), &method, 1);
                let decision = retry.decide(Outcome::Transport(kind), now(), None);
                assert_eq!(retries(decision), expected, "{method} {kind:?}");
            }
        }
    }

    #[test]
    fn attempts_are_capped_and_disabled_means_one() {
        let headers = headers(Some("0"));
        let outcome = Outcome::Response {
            status: StatusCode::TOO_MANY_REQUESTS,
            headers: &headers,
        };
        let mut retry = Retry::new(RetryPolicy::default().max_attempts(3), &Method::GET, 1);
        assert!(retries(retry.decide(outcome, now(), None)));
        assert!(retries(retry.decide(outcome, now(), None)));
        assert_eq!(
            retry.decide(outcome, now(), None),
            Decision::Stop(Stop::AttemptsExhausted)
        );
        assert_eq!(retry.attempts(), 3);
        let mut off = Retry::new(RetryPolicy::disabled(), &Method::GET, 1);
        assert_eq!(
            off.decide(outcome, now(), None),
            Decision::Stop(Stop::AttemptsExhausted)
        );
    }

    #[test]
    fn backoff_grows_within_its_caps_and_the_total_wait_is_bounded() {
        let policy = RetryPolicy::default()
            .max_attempts(50)
            .base_delay(Duration::from_millis(100))
            .max_delay(Duration::from_secs(1))
            .max_total_wait(Duration::from_secs(5));
        let outcome = Outcome::Transport(TransportErrorKind::Io);
        let mut retry = Retry::new(policy, &Method::GET, 42);
        let mut total = Duration::ZERO;
        let mut retry_number = 0;
        loop {
            match retry.decide(outcome, now(), None) {
                Decision::RetryAfter(wait) => {
                    retry_number += 1;
                    let ceiling = Duration::from_millis(100 * (1 << (retry_number - 1).min(10)));
                    assert!(wait <= ceiling.min(Duration::from_secs(1)), "{wait:?}");
                    total += wait;
                }
                Decision::Stop(stop) => {
                    assert!(matches!(stop, Stop::OutOfTime { .. }), "{stop:?}");
                    break;
                }
            }
        }
        assert!(total <= Duration::from_secs(5));
        assert_eq!(retry.waited(), total);
    }

    #[test]
    fn the_callers_deadline_bounds_the_wait() {
        let headers = headers(Some("10"));
        let outcome = Outcome::Response {
            status: StatusCode::TOO_MANY_REQUESTS,
            headers: &headers,
        };
        let mut retry = Retry::new(RetryPolicy::default(), &Method::GET, 1);
        assert_eq!(
            retry.decide(outcome, now(), Some(Duration::from_secs(5))),
            Decision::Stop(Stop::OutOfTime {
                requested: Duration::from_secs(10)
            })
        );
    }

    #[test]
    fn a_call_under_client_options_times_each_attempt_within_the_deadline() {
        let options = ClientOptions::default()
            .request_timeout(Duration::from_secs(30))
            .deadline(Some(Duration::from_secs(45)))
            .retry(RetryPolicy::default().seed(3));
        let mut retry = Retry::for_call(&options, &Method::GET, 0);
        assert_eq!(
            retry.attempt_timeout(Duration::ZERO),
            Duration::from_secs(30)
        );
        assert_eq!(
            retry.attempt_timeout(Duration::from_secs(40)),
            Duration::from_secs(5)
        );
        assert_eq!(
            retry.attempt_timeout(Duration::from_secs(50)),
            Duration::ZERO
        );

        let reset: Result<http::Response<()>, crate::Error> =
            Err(crate::Error::transport(TransportErrorKind::Io, "reset"));
        assert!(retries(retry.after(&reset, now(), Duration::from_secs(1))));
        // Past the deadline nothing more is tried.
        assert!(matches!(
            retry.after(&reset, now(), Duration::from_secs(45)),
            Decision::Stop(Stop::OutOfTime { .. })
        ));
        let ok: Result<http::Response<()>, crate::Error> = Ok(http::Response::new(()));
        assert_eq!(
            retry.after(&ok, now(), Duration::ZERO),
            Decision::Stop(Stop::Success)
        );
        let invalid: Result<http::Response<()>, crate::Error> =
            Err(crate::Error::invalid_input("x"));
        assert_eq!(
            retry.after(&invalid, now(), Duration::ZERO),
            Decision::Stop(Stop::NotRetryable)
        );
        assert_eq!(retry.attempts(), 4);

        let unbounded = Retry::for_call(&ClientOptions::default().deadline(None), &Method::GET, 0);
        assert_eq!(
            unbounded.attempt_timeout(Duration::from_secs(999)),
            Duration::from_secs(30)
        );
    }

    #[test]
    fn finish_records_the_attempts_and_redacts_the_key() {
        let key = crate::ApiKey::new("s3cr3tk3y").unwrap();
        let mut retry = Retry::new(RetryPolicy::default().seed(1), &Method::GET, 0);
        for _ in 0..3 {
            retry.decide(Outcome::Transport(TransportErrorKind::Io), now(), None);
        }
        let echoed = crate::ApiError::from_parts(
            StatusCode::BAD_REQUEST,
            &HeaderMap::new(),
            br#"{"detail": "bad header Token s3cr3tk3y"}"#,
        );
        let err = retry
            .finish::<()>(Err(crate::Error::Api(Box::new(echoed))), &key)
            .unwrap_err();
        assert_eq!(err.attempts(), 3);
        assert!(!err.to_string().contains("s3cr3tk3y"), "{err}");
        assert_eq!(retry.finish(Ok(7), &key).unwrap(), 7);
    }

    #[test]
    fn a_throttle_holds_until_its_latest_hold() {
        let throttle = Throttle::default();
        let now = std::time::Instant::now();
        assert_eq!(throttle.wait_from(now), None);
        throttle.hold_until(now + Duration::from_secs(2));
        throttle.hold_until(now + Duration::from_secs(1));
        assert_eq!(throttle.wait_from(now), Some(Duration::from_secs(2)));
        assert_eq!(throttle.wait_from(now + Duration::from_secs(3)), None);
    }

    #[test]
    fn the_seed_fixes_the_jitter() {
        let waits = |seed| {
            let mut retry = Retry::new(RetryPolicy::default().seed(seed), &Method::GET, 999);
            (0..4)
                .map(|_| retry.decide(Outcome::Transport(TransportErrorKind::Io), now(), None))
                .collect::<Vec<_>>()
        };
        assert_eq!(waits(5), waits(5));
        assert_ne!(waits(5), waits(6));
    }
}
