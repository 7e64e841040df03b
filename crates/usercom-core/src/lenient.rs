//! Values the API may send in forms this SDK does not know yet.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// A field that is usually one of a known set of values (an enum `T`), kept exactly as the
/// server sent it either way.
///
/// Reading never fails on an unknown value: [`known`](Self::known) is `None` and
/// [`raw`](Self::raw) holds what arrived. Serialising gives back the value as sent, so a
/// decoded object re-encodes losslessly. One generic type serves every such field, instead
/// of a hand-written visitor per enum.
///
/// ```
/// use usercom_core::Lenient;
/// use usercom_core::conversations::Source;
///
/// let known: Lenient<Source> = serde_json::from_str(r#""email""#).unwrap();
/// assert_eq!(known.known(), Some(&Source::Email));
/// let code: Lenient<Source> = serde_json::from_str("2").unwrap();
/// assert_eq!(code.known(), Some(&Source::Email));
/// assert_eq!(serde_json::to_string(&code).unwrap(), "2"); // as sent
///
/// let new: Lenient<Source> = serde_json::from_str(r#""whatsapp""#).unwrap();
/// assert_eq!(new.known(), None);
/// assert_eq!(new.to_string(), "whatsapp");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Lenient<T> {
    raw: Value,
    known: Option<T>,
}

impl<T> Lenient<T> {
    /// The value as the server sent it.
    pub fn raw(&self) -> &Value {
        &self.raw
    }

    /// The known value, when the server sent one this SDK understands.
    pub fn known(&self) -> Option<&T> {
        self.known.as_ref()
    }

    /// The raw value as text: a string as is, anything else as JSON.
    pub fn raw_text(&self) -> String {
        match &self.raw {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        }
    }
}

impl<T: DeserializeOwned> Lenient<T> {
    /// Reads a raw value; `known` is set when `T` accepts it.
    pub fn from_raw(raw: Value) -> Self {
        let known = T::deserialize(&raw).ok();
        Self { raw, known }
    }
}

impl<T: Serialize> From<T> for Lenient<T> {
    fn from(value: T) -> Self {
        Self {
            raw: serde_json::to_value(&value).unwrap_or(Value::Null),
            known: Some(value),
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Lenient<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.known {
            Some(known) => known.fmt(f),
            None => write!(f, "Unknown({})", self.raw),
        }
    }
}

impl<T: fmt::Display> fmt::Display for Lenient<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.known {
            Some(known) => known.fmt(f),
            None => f.write_str(&self.raw_text()),
        }
    }
}

impl<T> Serialize for Lenient<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.raw.serialize(serializer)
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Value::deserialize(deserializer).map(Self::from_raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    enum Gender {
        Male,
        Female,
    }

    #[test]
    fn known_unknown_and_round_trip() {
        for (json, known) in [
            (r#""male""#, Some(Gender::Male)),
            (r#""unknown""#, None),
            ("3", None),
            ("null", None),
        ] {
            let value: Lenient<Gender> = serde_json::from_str(json).unwrap();
            assert_eq!(value.known(), known.as_ref(), "{json}");
            assert_eq!(serde_json::to_string(&value).unwrap(), json);
        }
        let made = Lenient::from(Gender::Female);
        assert_eq!(made.raw(), &Value::from("female"));
        assert_eq!(format!("{made:?}"), "Female");
        let odd: Lenient<Gender> = serde_json::from_str("[1]").unwrap();
        assert_eq!(format!("{odd:?}"), "Unknown([1])");
    }
}
