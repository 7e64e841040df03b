//! Verifying the webhooks User.com sends.
//!
//! User.com calls a URL of yours (an automation's "API call" action) with a JSON body and an
//! `X-User-Com-Signature` header: the hex HMAC-SHA256 of the body, keyed with the account's
//! public REST API key. User.com does not document which bytes it signs. The one client library
//! known to check the header decodes the body and signs it again as PHP's `json_encode` writes
//! it with `JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE`: no spaces, keys in their order,
//! `/` and non-ASCII characters as they are. So a [`Verifier`] accepts a signature over any of
//! these forms of the body (see [`SignedForm`]):
//!
//! - the bytes exactly as received;
//! - that PHP re-encoding of the parsed body;
//! - the re-encoding with PHP's default flags (`/` as `\/`, non-ASCII as `\uXXXX`).
//!
//! Every comparison is constant-time (RustCrypto's `hmac`), and the header may carry
//! surrounding whitespace and either hex case. A missing, empty, non-hex or wrong-length header
//! and a signature that matches none of the forms are each a [`WebhookError`], never a panic.
//! The body's shape is whatever the automation sends (User.com documents none), so a verified
//! [`Webhook`] holds the JSON [`Value`] and decodes into a type of yours with
//! [`Webhook::decode`].
//!
//! ```
//! use usercom_core::ApiKey;
//! use usercom_core::webhooks::{SignedForm, Verifier, WebhookError};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let verifier = Verifier::new(&ApiKey::new("the-account-key")?);
//! let body = br#"{"extra": {"email": "ann@example.com", "agreements": {"email_agreement": true}}}"#;
//! // As User.com signs it: the HMAC of `{"extra":{"email":"ann@example.com",…}}`.
//! let signature = "b94340bc1261cdca0ccfa8995b2e8e876ef9c72a98e509b8e78457552c50fc91";
//!
//! let webhook = verifier.verify(body, Some(signature.as_bytes()))?;
//! assert_eq!(webhook.payload()["extra"]["email"], "ann@example.com");
//! assert_eq!(webhook.signed_form(), SignedForm::Php);
//!
//! let tampered = br#"{"extra": {"email": "eve@example.com", "agreements": {"email_agreement": true}}}"#;
//! let error = verifier.verify(tampered, Some(signature.as_bytes())).unwrap_err();
//! assert_eq!(error, WebhookError::Mismatch);
//! assert_eq!(error.status(), http::StatusCode::UNAUTHORIZED);
//! # Ok(())
//! # }
//! ```

use std::fmt::{self, Write as _};

use hmac::{Hmac, Mac};
use http::{HeaderName, StatusCode};
use indexmap::IndexMap;
use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use sha2::Sha256;

use crate::{ApiKey, Config};

/// The header that carries the signature (header names are case-insensitive).
pub const SIGNATURE_HEADER: HeaderName = HeaderName::from_static("x-user-com-signature");

/// How long the header's hex is: an HMAC-SHA256 is 32 bytes.
pub const SIGNATURE_HEX_LENGTH: usize = 64;

type HmacSha256 = Hmac<Sha256>;

/// Which form of the body a signature was made over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignedForm {
    /// The body exactly as received.
    Body,
    /// The parsed body re-encoded as PHP's `json_encode` writes it with
    /// `JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE`, as the one library known to verify
    /// these signatures does: no whitespace, keys in their original order, `/` and non-ASCII
    /// characters as they are (except U+2028 and U+2029, written `\u2028` and `\u2029`).
    Php,
    /// The same with PHP's default flags: `/` written `\/` and every non-ASCII character
    /// `\uXXXX` (a surrogate pair for characters beyond U+FFFF).
    PhpEscaped,
}

/// Why a webhook was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The request has no `X-User-Com-Signature` header, or only whitespace in it.
    #[error("the request has no X-User-Com-Signature header (or it is empty)")]
    MissingSignature,
    /// The header has a character that is not a hex digit.
    #[error(
        "the X-User-Com-Signature header is not hex: character {position} is not 0-9, a-f or A-F"
    )]
    SignatureNotHex {
        /// Where the first offending character is, counting from 1 after any leading
        /// whitespace.
        position: usize,
    },
    /// The header is hex, but not the 64 digits of an HMAC-SHA256.
    #[error(
        "the X-User-Com-Signature header has {length} characters; an HMAC-SHA256 in hex has 64"
    )]
    SignatureWrongLength {
        /// How many characters it has, surrounding whitespace left out.
        length: usize,
    },
    /// The signature matches no form of the body: the body was changed on the way, or it was
    /// signed with another key than this account's.
    #[error(
        "the X-User-Com-Signature does not match the body: the body was changed, or it was \
         signed with another key"
    )]
    Mismatch,
    /// The signature matches the bytes, but they are not JSON, so there is no payload.
    #[error("the signature matches, but the body is not JSON: {message}")]
    BodyNotJson {
        /// What the JSON parser said.
        message: String,
    },
    /// The payload is not the shape [`Webhook::decode`] was asked for.
    #[error("the webhook payload does not fit the expected type at {path}: {message}")]
    UnexpectedPayload {
        /// Where in the payload (such as `extra.email`; `.` for the payload itself).
        path: String,
        /// What did not fit.
        message: String,
    },
}

impl WebhookError {
    /// The status a receiving server answers with: 401 for a missing, malformed or wrong
    /// signature, 400 for a body that is signed but cannot be used.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BodyNotJson { .. } | Self::UnexpectedPayload { .. } => StatusCode::BAD_REQUEST,
            _ => StatusCode::UNAUTHORIZED,
        }
    }
}

/// A webhook whose signature was verified.
#[derive(Debug, Clone, PartialEq)]
pub struct Webhook {
    payload: Value,
    signed_form: SignedForm,
}

impl Webhook {
    /// The JSON body. (Its objects are `serde_json` maps, so their keys come out sorted; the
    /// body itself keeps the order they were sent in.)
    pub fn payload(&self) -> &Value {
        &self.payload
    }

    /// The JSON body, owned.
    pub fn into_payload(self) -> Value {
        self.payload
    }

    /// The form of the body the signature was made over.
    pub fn signed_form(&self) -> SignedForm {
        self.signed_form
    }

    /// The payload as a type of yours (the body is whatever the automation that sent it was
    /// set up to send); an error names the path that did not fit.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, WebhookError> {
        serde_path_to_error::deserialize(&self.payload).map_err(|error| {
            WebhookError::UnexpectedPayload {
                path: error.path().to_string(),
                message: error.into_inner().to_string(),
            }
        })
    }
}

/// Checks webhook signatures with an account's API key.
///
/// Its `Debug` never shows the key.
#[derive(Clone)]
pub struct Verifier {
    key: ApiKey,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier").field("key", &self.key).finish()
    }
}

impl Verifier {
    /// A verifier for the account with this API key.
    pub fn new(api_key: &ApiKey) -> Self {
        Self {
            key: api_key.clone(),
        }
    }

    /// A verifier for the account of this config.
    pub fn for_config(config: &Config) -> Self {
        Self::new(config.api_key())
    }

    /// Verifies a body against the value of its `X-User-Com-Signature` header (`None` when the
    /// request has none) and returns the parsed payload.
    ///
    /// The header is checked first (present, hex, 64 digits), then the signature against each
    /// [`SignedForm`] of the body in constant time. A body that is not JSON can only match in
    /// its raw form, and is then [`WebhookError::BodyNotJson`].
    pub fn verify(&self, body: &[u8], signature: Option<&[u8]>) -> Result<Webhook, WebhookError> {
        let expected = parse_signature(signature)?;
        // HMAC takes a key of any length, so this fails for no key; if it ever did, nothing
        // would be accepted.
        let keyed = HmacSha256::new_from_slice(self.key.expose_secret().as_bytes())
            .map_err(|_| WebhookError::Mismatch)?;
        let matches = |message: &[u8]| {
            let mut mac = keyed.clone();
            mac.update(message);
            mac.verify_slice(&expected).is_ok()
        };
        let parsed = serde_json::from_slice::<Json>(body);
        let signed_form = if matches(body) {
            SignedForm::Body
        } else {
            let Ok(json) = &parsed else {
                return Err(WebhookError::Mismatch);
            };
            if matches(php_json_encode(json, Escape::Unescaped).as_bytes()) {
                SignedForm::Php
            } else if matches(php_json_encode(json, Escape::Default).as_bytes()) {
                SignedForm::PhpEscaped
            } else {
                return Err(WebhookError::Mismatch);
            }
        };
        match parsed {
            Ok(json) => Ok(Webhook {
                payload: json.into_value(),
                signed_form,
            }),
            Err(error) => Err(WebhookError::BodyNotJson {
                message: error.to_string(),
            }),
        }
    }

    /// Verifies a request: its body against its `X-User-Com-Signature` header (the first, if
    /// it has several).
    pub fn verify_request<B: AsRef<[u8]>>(
        &self,
        request: &http::Request<B>,
    ) -> Result<Webhook, WebhookError> {
        let signature = request
            .headers()
            .get(SIGNATURE_HEADER)
            .map(http::HeaderValue::as_bytes);
        self.verify(request.body().as_ref(), signature)
    }
}

/// The 32 bytes of a header value: trimmed, hex in either case.
fn parse_signature(header: Option<&[u8]>) -> Result<[u8; 32], WebhookError> {
    let hex_digits = header
        .map(<[u8]>::trim_ascii)
        .filter(|value| !value.is_empty())
        .ok_or(WebhookError::MissingSignature)?;
    if let Some(index) = hex_digits.iter().position(|b| !b.is_ascii_hexdigit()) {
        return Err(WebhookError::SignatureNotHex {
            position: index + 1,
        });
    }
    let mut signature = [0; 32];
    if hex_digits.len() != SIGNATURE_HEX_LENGTH {
        return Err(WebhookError::SignatureWrongLength {
            length: hex_digits.len(),
        });
    }
    match hex::decode_to_slice(hex_digits, &mut signature) {
        Ok(()) => Ok(signature),
        Err(hex::FromHexError::InvalidHexCharacter { index, .. }) => {
            Err(WebhookError::SignatureNotHex {
                position: index + 1,
            })
        }
        Err(hex::FromHexError::OddLength | hex::FromHexError::InvalidStringLength) => {
            Err(WebhookError::SignatureWrongLength {
                length: hex_digits.len(),
            })
        }
    }
}

/// A parsed JSON body whose objects keep their keys in the order sent.
///
/// `serde_json` parses it (this module reads no JSON text itself); only the map is different
/// from [`Value`]'s, which sorts keys unless the crate-wide `preserve_order` feature is on. A
/// key sent twice keeps its first place and its last value, as PHP's `json_decode` does.
#[derive(Debug, Clone, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Json>),
    Object(IndexMap<String, Json>),
}

impl Json {
    fn into_value(self) -> Value {
        match self {
            Self::Null => Value::Null,
            Self::Bool(b) => Value::Bool(b),
            Self::Number(n) => Value::Number(n),
            Self::String(s) => Value::String(s),
            Self::Array(items) => Value::Array(items.into_iter().map(Self::into_value).collect()),
            Self::Object(entries) => Value::Object(
                entries
                    .into_iter()
                    .map(|(key, value)| (key, value.into_value()))
                    .collect::<Map<String, Value>>(),
            ),
        }
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_bool<E>(self, value: bool) -> Result<Json, E> {
        Ok(Json::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Json, E> {
        Ok(Json::Number(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Json, E> {
        Ok(Json::Number(value.into()))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Json, E> {
        Number::from_f64(value)
            .map(Json::Number)
            .ok_or_else(|| E::custom("a number that is not finite"))
    }

    fn visit_str<E>(self, value: &str) -> Result<Json, E> {
        Ok(Json::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Json, E> {
        Ok(Json::String(value))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut entries = IndexMap::with_capacity(map.size_hint().unwrap_or(0).min(1024));
        while let Some((key, value)) = map.next_entry::<String, Json>()? {
            // A repeated key keeps its first place and takes the new value.
            entries.insert(key, value);
        }
        Ok(Json::Object(entries))
    }
}

/// Which characters PHP's `json_encode` escapes besides `"`, `\` and control characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Escape {
    /// `JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE`: only U+2028 and U+2029 as well.
    Unescaped,
    /// The default flags: `/` and every non-ASCII character as well.
    Default,
}

/// The body as PHP writes `json_encode(json_decode($body, true), $flags)`.
///
/// Decoding into PHP arrays is what makes this more than compact JSON: an object with no keys
/// becomes `[]`, an object whose keys are `"0"`, `"1"`, … in order becomes a list, and a number
/// with a fraction or exponent (or an integer beyond 64 bits) is a float, written as its
/// shortest round-trip digits (`10.0` → `10`, `1e-5` → `1.0e-5`).
fn php_json_encode(json: &Json, escape: Escape) -> String {
    let mut out = String::new();
    write_php(json, escape, &mut out);
    out
}

fn write_php(json: &Json, escape: Escape, out: &mut String) {
    match json {
        Json::Null => out.push_str("null"),
        Json::Bool(true) => out.push_str("true"),
        Json::Bool(false) => out.push_str("false"),
        Json::Number(number) => match (number.as_i64(), number.as_f64()) {
            (Some(integer), _) => {
                let _ = write!(out, "{integer}");
            }
            (None, Some(float)) => write_php_float(float, out),
            (None, None) => out.push_str("null"),
        },
        Json::String(text) => write_php_string(text, escape, out),
        Json::Array(items) => write_php_list(items.iter(), escape, out),
        Json::Object(entries) => {
            let is_list = entries
                .keys()
                .enumerate()
                .all(|(index, key)| is_php_index(key, index));
            if is_list {
                // Also the empty object: an empty PHP array.
                write_php_list(entries.values(), escape, out);
                return;
            }
            out.push('{');
            for (position, (key, value)) in entries.iter().enumerate() {
                if position > 0 {
                    out.push(',');
                }
                write_php_string(key, escape, out);
                out.push(':');
                write_php(value, escape, out);
            }
            out.push('}');
        }
    }
}

fn write_php_list<'a>(items: impl Iterator<Item = &'a Json>, escape: Escape, out: &mut String) {
    out.push('[');
    for (position, item) in items.enumerate() {
        if position > 0 {
            out.push(',');
        }
        write_php(item, escape, out);
    }
    out.push(']');
}

/// Whether PHP stores `key` as the integer `index`: the canonical decimal digits only.
fn is_php_index(key: &str, index: usize) -> bool {
    let canonical = key == "0" || (!key.starts_with('0') && !key.is_empty());
    canonical && key.bytes().all(|b| b.is_ascii_digit()) && key.parse() == Ok(index)
}

/// A float as PHP's `json_encode` writes it (`serialize_precision` -1): the shortest digits
/// that read back as the same number (of two such, the even one), in plain notation when the
/// decimal point falls between 4 places before the first digit and 17 after it, otherwise as
/// `d.ddde±x`.
fn write_php_float(value: f64, out: &mut String) {
    // Ryu finds the same digits as PHP's dtoa (Rust's `{:e}` breaks ties the other way), and
    // writes them as `1500.0`, `1e25`, `1.5e-7` or `0.001`.
    let mut buffer = ryu::Buffer::new();
    let text = buffer.format_finite(value.abs());
    let (mantissa, exponent) = text.split_once('e').unwrap_or((text, "0"));
    let exponent: i64 = exponent.parse().unwrap_or(0);
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all = format!("{whole}{fraction}");
    let significant = all.trim_start_matches('0');
    // Where the decimal point goes, counted from the first significant digit.
    let mut point = len(whole) + exponent - (len(&all) - len(significant));
    let mut digits = significant.trim_end_matches('0');
    if digits.is_empty() {
        (digits, point) = ("0", 1);
    }
    if value.is_sign_negative() {
        out.push('-');
    }
    if !(-3..=17).contains(&point) {
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        out.push('.');
        out.push_str(if rest.is_empty() { "0" } else { rest });
        let exponent = point - 1;
        let _ = write!(
            out,
            "e{}{}",
            if exponent < 0 { '-' } else { '+' },
            exponent.abs()
        );
    } else if point <= 0 {
        out.push_str("0.");
        for _ in point..0 {
            out.push('0');
        }
        out.push_str(digits);
    } else if len(digits) <= point {
        out.push_str(digits);
        for _ in len(digits)..point {
            out.push('0');
        }
    } else {
        let (whole, fraction) = digits.split_at(usize::try_from(point).unwrap_or(0));
        out.push_str(whole);
        out.push('.');
        out.push_str(fraction);
    }
}

/// A length as a signed number (a float's text is a few dozen characters).
fn len(text: &str) -> i64 {
    i64::try_from(text.len()).unwrap_or(i64::MAX)
}

/// A string as PHP's `json_encode` writes it: control characters as `\b \f \n \r \t` or
/// `\u00xx`, lowercase hex.
fn write_php_string(text: &str, escape: Escape, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' if escape == Escape::Default => out.push_str("\\/"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // PHP escapes the two line terminators JavaScript cannot hold in a string even
            // with `JSON_UNESCAPED_UNICODE`.
            '\u{0}'..='\u{1f}' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c if !c.is_ascii() && escape == Escape::Default => {
                for unit in c.encode_utf16(&mut [0; 2]) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use proptest::prelude::*;

    /// A 64-character key, like a real one.
    const KEY: &str = "k3ykk3ykk3ykk3ykk3ykk3ykk3ykk3ykk3ykk3ykk3ykk3ykk3ykk3ykk3ykk3yk";

    fn verifier() -> Verifier {
        Verifier::new(&ApiKey::new(KEY).unwrap())
    }

    /// The HMAC of `message` under `key`, computed here, apart from the verifier.
    fn sign(key: &str, message: &str) -> String {
        let mut mac = HmacSha256::new_from_slice(key.as_bytes()).unwrap();
        mac.update(message.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    fn verify(body: &str, signature: &str) -> Result<Webhook, WebhookError> {
        verifier().verify(body.as_bytes(), Some(signature.as_bytes()))
    }

    /// Bodies as sent (with spaces and line breaks, as a JSON library pretty-prints them), each
    /// with its re-encoding by PHP's `json_encode` with `JSON_UNESCAPED_SLASHES |
    /// JSON_UNESCAPED_UNICODE` and with the default flags. Derived by hand from PHP's rules
    /// (`json_decode($body, true)` makes PHP arrays: `{}` becomes `[]`, `{"0":…,"1":…}` a list,
    /// `10.0` the float 10, written `10`; a repeated key keeps its first place and last value;
    /// floats in shortest round-trip digits, `1.0e-5` style outside 1e-4..1e17; U+2028 stays
    /// escaped) and checked against PHP 8.2's `json_encode`.
    const FORMS: &[(&str, &str, &str)] = &[
        (
            r#"{"b": 1, "a": {"d": [1, 2], "c": null}}"#,
            r#"{"b":1,"a":{"d":[1,2],"c":null}}"#,
            r#"{"b":1,"a":{"d":[1,2],"c":null}}"#,
        ),
        (
            "{\n  \"url\": \"https://acme.example/a/b\",\n  \"name\": \"Zażółć gęślą jaźń 😀\",\n  \
             \"tab\": \"a\\tb\\u2028\",\n  \"quote\": \"\\\"q\\\" \\/ \\u00e9\"\n}\n",
            r#"{"url":"https://acme.example/a/b","name":"Zażółć gęślą jaźń 😀","tab":"a\tb\u2028","quote":"\"q\" / é"}"#,
            r#"{"url":"https:\/\/acme.example\/a\/b","name":"Za\u017c\u00f3\u0142\u0107 g\u0119\u015bl\u0105 ja\u017a\u0144 \ud83d\ude00","tab":"a\tb\u2028","quote":"\"q\" \/ \u00e9"}"#,
        ),
        (
            r#"{"price": 10.0, "tiny": 0.00001, "huge": 1e25, "empty": {}, "indexed": {"0": "a", "1": "b"}, "dup": 1, "other": true, "dup": 2}"#,
            r#"{"price":10,"tiny":1.0e-5,"huge":1.0e+25,"empty":[],"indexed":["a","b"],"dup":2,"other":true}"#,
            r#"{"price":10,"tiny":1.0e-5,"huge":1.0e+25,"empty":[],"indexed":["a","b"],"dup":2,"other":true}"#,
        ),
        (
            r#"{"1": "a", "0": "b", "00": 1, "-0": 2, "x": [{}, {"0": 1}], "n": [-0.0, 0.5, 123.456, 1e16, 1e17, 12345678901234567890, -9223372036854775808]}"#,
            r#"{"1":"a","0":"b","00":1,"-0":2,"x":[[],[1]],"n":[-0,0.5,123.456,10000000000000000,1.0e+17,1.2345678901234567e+19,-9223372036854775808]}"#,
            r#"{"1":"a","0":"b","00":1,"-0":2,"x":[[],[1]],"n":[-0,0.5,123.456,10000000000000000,1.0e+17,1.2345678901234567e+19,-9223372036854775808]}"#,
        ),
        (
            "[1943274697025312.2, 0.30000000000000004, 2.4065366781569908e-219, -0.0]",
            "[1943274697025312.2,0.30000000000000004,2.4065366781569908e-219,-0]",
            "[1943274697025312.2,0.30000000000000004,2.4065366781569908e-219,-0]",
        ),
        (
            "{\"ctl\": \"\\u0001\\u001f\\b\\f\\n\\r\\t<>&'\\u007f\", \"\": [true, false, null, \"\"]}",
            "{\"ctl\":\"\\u0001\\u001f\\b\\f\\n\\r\\t<>&'\u{7f}\",\"\":[true,false,null,\"\"]}",
            "{\"ctl\":\"\\u0001\\u001f\\b\\f\\n\\r\\t<>&'\u{7f}\",\"\":[true,false,null,\"\"]}",
        ),
    ];

    #[test]
    fn the_php_encoder_writes_what_php_writes() {
        for &(body, php, escaped) in FORMS {
            let json: Json = serde_json::from_str(body).unwrap();
            assert_eq!(php_json_encode(&json, Escape::Unescaped), php, "{body}");
            assert_eq!(php_json_encode(&json, Escape::Default), escaped, "{body}");
        }
    }

    #[test]
    fn known_good_signatures_in_every_form() {
        for &(body, php, escaped) in FORMS {
            let webhook = verify(body, &sign(KEY, body)).unwrap();
            assert_eq!(webhook.signed_form(), SignedForm::Body, "{body}");
            assert_eq!(
                webhook.payload(),
                &serde_json::from_str::<Value>(body).unwrap()
            );
            let webhook = verify(body, &sign(KEY, php)).unwrap();
            assert_eq!(webhook.signed_form(), SignedForm::Php, "{body}");
            let form = verify(body, &sign(KEY, escaped)).unwrap().signed_form();
            // Where the two PHP forms are the same text, the first one matches.
            let expected = if escaped == php {
                SignedForm::Php
            } else {
                SignedForm::PhpEscaped
            };
            assert_eq!(form, expected, "{body}");
        }
    }

    /// Digests from PHP itself: `hash_hmac('sha256', $form, $key)` over the forms above, and
    /// RFC 4231's test case 2, which pins plain HMAC-SHA256.
    #[test]
    fn known_answer_digests() {
        let ordered = FORMS[0].0;
        for (digest, form) in [
            (
                "dac16e7da153d8369632a304d678824f5c6083721b54b30d642621bd337a67fa",
                SignedForm::Body,
            ),
            (
                "5613ef02776ceb66673ca1380d8aa0b1ba00fac9605f29e9e2b7aed7850b9b86",
                SignedForm::Php,
            ),
        ] {
            assert_eq!(verify(ordered, digest).unwrap().signed_form(), form);
        }
        let unicode = FORMS[1].0;
        for (digest, form) in [
            (
                "534c7d238f43377d3b54cdb45711a831e468eff0330a4c2476d561591c9ef1c1",
                SignedForm::Body,
            ),
            (
                "a1837b4b50fb6247ed01b02e20f2fd0261642ad610b187d4eb7d7aa7908622a1",
                SignedForm::Php,
            ),
            (
                "56ac9856a204fc2060d021018cd7e51b4a0884ff9e1b558e7e7e5c402b0ba956",
                SignedForm::PhpEscaped,
            ),
        ] {
            assert_eq!(verify(unicode, digest).unwrap().signed_form(), form);
        }
        let quirks = FORMS[2].0;
        let digest = "89335465366b3d2f6f5c82abd839f510758758e6e22b1ba398fffbc8b78f75b4";
        assert_eq!(
            verify(quirks, digest).unwrap().signed_form(),
            SignedForm::Php
        );

        let rfc = Verifier::new(&ApiKey::new("Jefe").unwrap());
        let digest = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        let error = rfc
            .verify(b"what do ya want for nothing?", Some(digest.as_bytes()))
            .unwrap_err();
        // The signature is right; the body is just not JSON.
        assert!(
            matches!(error, WebhookError::BodyNotJson { .. }),
            "{error:?}"
        );
        assert_eq!(error.status(), StatusCode::BAD_REQUEST);
    }

    #[test]
    fn a_tampered_body_or_another_key_is_a_mismatch() {
        for &(body, php, escaped) in FORMS {
            // A key added in front: another payload.
            let tampered = if body.starts_with('[') {
                body.replacen('[', "[0, ", 1)
            } else {
                body.replacen('{', "{\"admin\": true, ", 1)
            };
            for signed in [body, php, escaped] {
                assert_eq!(
                    verify(&tampered, &sign(KEY, signed)).unwrap_err(),
                    WebhookError::Mismatch,
                    "{tampered}"
                );
                let other_key = sign(&KEY.replace('3', "4"), signed);
                let error = verify(body, &other_key).unwrap_err();
                assert_eq!(error, WebhookError::Mismatch);
                assert_eq!(error.status(), StatusCode::UNAUTHORIZED);
            }
        }
        // A whitespace-only change is the same payload: its PHP form still matches.
        let (body, php, _) = FORMS[0];
        let spaced = format!("  {}\n", body.replace(", ", " ,  "));
        assert_eq!(
            verify(&spaced, &sign(KEY, php)).unwrap().signed_form(),
            SignedForm::Php
        );
        // Sorted keys are another payload's text: key order is part of what is signed.
        let sorted = r#"{"a":{"c":null,"d":[1,2]},"b":1}"#;
        assert_eq!(
            verify(body, &sign(KEY, sorted)).unwrap_err(),
            WebhookError::Mismatch
        );
    }

    #[test]
    fn the_header_is_trimmed_and_either_case() {
        let (body, php, _) = FORMS[1];
        let signature = sign(KEY, php);
        for header in [
            signature.clone(),
            signature.to_ascii_uppercase(),
            format!("  {signature}\t"),
            format!("\n{}  ", signature.to_ascii_uppercase()),
        ] {
            assert_eq!(
                verify(body, &header).unwrap().signed_form(),
                SignedForm::Php
            );
        }
    }

    #[test]
    fn missing_and_malformed_headers_are_named() {
        let body = FORMS[0].0;
        let v = verifier();
        assert_eq!(
            v.verify(body.as_bytes(), None).unwrap_err(),
            WebhookError::MissingSignature
        );
        let good = sign(KEY, body);
        let cases: Vec<(Vec<u8>, WebhookError)> = vec![
            (b"".to_vec(), WebhookError::MissingSignature),
            (b"  \t ".to_vec(), WebhookError::MissingSignature),
            (
                format!("sha256={good}").into_bytes(),
                WebhookError::SignatureNotHex { position: 1 },
            ),
            (
                format!(" {}g", &good[..63]).into_bytes(),
                WebhookError::SignatureNotHex { position: 64 },
            ),
            (
                good.as_bytes()[..40].to_vec(),
                WebhookError::SignatureWrongLength { length: 40 },
            ),
            (
                format!("{good}0").into_bytes(),
                WebhookError::SignatureWrongLength { length: 65 },
            ),
            (
                [
                    &good.as_bytes()[..10],
                    &[0xff, 0xfe],
                    &good.as_bytes()[12..],
                ]
                .concat(),
                WebhookError::SignatureNotHex { position: 11 },
            ),
            (
                format!("{} {}", &good[..32], &good[32..]).into_bytes(),
                WebhookError::SignatureNotHex { position: 33 },
            ),
        ];
        for (header, expected) in cases {
            let error = v.verify(body.as_bytes(), Some(&header)).unwrap_err();
            assert_eq!(error, expected, "{header:?}");
            assert_eq!(error.status(), StatusCode::UNAUTHORIZED);
            assert!(
                error.to_string().contains("X-User-Com-Signature"),
                "{error}"
            );
        }
    }

    #[test]
    fn a_body_that_is_not_json_matches_only_raw() {
        let v = verifier();
        let body = "{\"a\": 1"; // cut short
        let error = verify(body, &sign(KEY, body)).unwrap_err();
        assert!(
            matches!(&error, WebhookError::BodyNotJson { message } if message.contains("EOF")),
            "{error:?}"
        );
        // Signed otherwise: an unauthenticated body, whatever it holds.
        assert_eq!(
            verify(body, &sign(KEY, "{\"a\":1}")).unwrap_err(),
            WebhookError::Mismatch
        );
        let binary = [0xff, 0x00, 0x80];
        let signature = {
            let mut mac = HmacSha256::new_from_slice(KEY.as_bytes()).unwrap();
            mac.update(&binary);
            hex::encode(mac.finalize().into_bytes())
        };
        assert!(matches!(
            v.verify(&binary, Some(signature.as_bytes())),
            Err(WebhookError::BodyNotJson { .. })
        ));
    }

    #[test]
    fn requests_and_typed_payloads() {
        #[derive(Debug, Deserialize, PartialEq)]
        struct Agreements {
            extra: Extra,
        }
        #[derive(Debug, Deserialize, PartialEq)]
        struct Extra {
            email: String,
            agreements: std::collections::BTreeMap<String, bool>,
        }
        let body =
            r#"{"extra": {"email": "ann@example.com", "agreements": {"email_agreement": true}}}"#;
        let compact = body.replace(": ", ":").replace(", ", ",");
        let request = http::Request::post("/hooks/usercom")
            .header("X-User-Com-Signature", sign(KEY, &compact))
            .body(body.as_bytes().to_vec())
            .unwrap();
        let webhook = verifier().verify_request(&request).unwrap();
        assert_eq!(webhook.signed_form(), SignedForm::Php);
        let typed: Agreements = webhook.decode().unwrap();
        assert_eq!(typed.extra.email, "ann@example.com");
        assert!(typed.extra.agreements["email_agreement"]);

        let wrong = r#"{"extra": {"email": 7, "agreements": {}}}"#;
        let webhook = verify(wrong, &sign(KEY, wrong)).unwrap();
        let error = webhook.decode::<Agreements>().unwrap_err();
        assert!(
            matches!(&error, WebhookError::UnexpectedPayload { path, .. } if path == "extra.email"),
            "{error:?}"
        );
        assert_eq!(error.status(), StatusCode::BAD_REQUEST);

        let unsigned = http::Request::post("/").body(body).unwrap();
        assert_eq!(
            verifier().verify_request(&unsigned).unwrap_err(),
            WebhookError::MissingSignature
        );
    }

    #[test]
    fn the_key_never_shows() {
        let v = verifier();
        assert!(!format!("{v:?}").contains("k3yk"), "{v:?}");
        let (body, _, _) = FORMS[0];
        for error in [
            verify(body, &sign("another", body)).unwrap_err(),
            verify(body, "xyz").unwrap_err(),
        ] {
            assert!(!format!("{error} {error:?}").contains("k3yk"));
        }
    }

    #[test]
    fn php_floats() {
        let cases = [
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (-2.5, "-2.5"),
            (0.1, "0.1"),
            (0.3, "0.3"),
            (100.25, "100.25"),
            (0.0001, "0.0001"),
            (0.00001, "1.0e-5"),
            (1.5e-7, "1.5e-7"),
            (1e16, "10000000000000000"),
            (1e17, "1.0e+17"),
            (1.2345e20, "1.2345e+20"),
            (f64::MAX, "1.7976931348623157e+308"),
            (5e-324, "5.0e-324"),
            (123_456_789.125, "123456789.125"),
            // Exactly halfway between two 17-digit candidates: PHP takes the even one.
            (1_943_274_697_025_312.2, "1943274697025312.2"),
            (0.1 + 0.2, "0.30000000000000004"),
        ];
        for (value, expected) in cases {
            let mut out = String::new();
            write_php_float(value, &mut out);
            assert_eq!(out, expected, "{value:e}");
        }
    }

    /// Any JSON value, for the properties below.
    fn json_values() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            ".*".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((".*", inner), 0..6)
                    .prop_map(|entries| Value::Object(entries.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Nothing a sender puts in a body or a header makes the verifier panic.
        #[test]
        fn never_panics(
            body in prop::collection::vec(any::<u8>(), 0..256),
            header in prop::option::of(prop::collection::vec(any::<u8>(), 0..80)),
        ) {
            let _ = verifier().verify(&body, header.as_deref());
        }

        /// Nor does any JSON body, with a header of hex digits of any length.
        #[test]
        fn never_panics_on_json(value in json_values(), header in "[ 0-9a-fA-FxX]{0,70}") {
            let body = serde_json::to_vec(&value).unwrap();
            let _ = verifier().verify(&body, Some(header.as_bytes()));
        }

        /// A body signed as sent verifies and gives back what was sent; any other signature
        /// is refused.
        #[test]
        fn signed_bodies_verify(value in json_values(), other in prop::array::uniform32(any::<u8>())) {
            let body = serde_json::to_string_pretty(&value).unwrap();
            let webhook = verify(&body, &sign(KEY, &body)).unwrap();
            prop_assert_eq!(webhook.signed_form(), SignedForm::Body);
            prop_assert_eq!(webhook.payload(), &value);
            let other = hex::encode(other);
            prop_assume!(other != sign(KEY, &body));
            let json: Json = serde_json::from_str(&body).unwrap();
            prop_assume!(other != sign(KEY, &php_json_encode(&json, Escape::Unescaped)));
            prop_assume!(other != sign(KEY, &php_json_encode(&json, Escape::Default)));
            prop_assert_eq!(verify(&body, &other).unwrap_err(), WebhookError::Mismatch);
        }
    }
}
