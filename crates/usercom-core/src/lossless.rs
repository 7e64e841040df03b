//! Lossless models at the speed of plain structs.
//!
//! Every response model keeps the fields it does not name in `extra`, with their JSON types,
//! and serialises them back beside its own. `#[serde(flatten)]` does that on write, but on read
//! it buffers every unknown field into serde's private `Content` and replays it into the map
//! afterwards, and it makes the whole struct decode through that slower, generic path.
//!
//! [`lossless_struct!`] keeps `#[serde(flatten)]` for writing and derives the reading of a
//! private twin of the struct without `extra`, as for a plain struct. The twin is read through
//! [`Collect`], a deserializer that hands the derived code the map of the input unchanged,
//! except that it catches the value of every key the derived code ignores (a key it does not
//! name is read with [`IgnoredAny`](serde::de::IgnoredAny), which asks the deserializer to
//! skip it) and reads that value as a [`Value`] into `extra` instead. Keys are matched once, by
//! the derived code; they are neither copied nor allocated unless they are kept.
//!
//! It pays off for a model that usually carries fields it does not name, as those with custom
//! attributes do (a users page decodes about 15% faster). A model that seldom does reads as
//! fast with `#[serde(flatten)]`, whose cost is in the unknown fields: the conversations models
//! keep it.
//!
//! Anything the derived code would do stays as it was: field names and aliases, defaults,
//! `deserialize_with`, "missing field" and "duplicate field" errors, and the JSON path that
//! `serde_path_to_error` puts on a failure. A duplicate unknown key keeps its last value, as
//! the flattened map did.

use std::borrow::Cow;
use std::fmt;

use serde::de::value::{BorrowedStrDeserializer, StrDeserializer};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, forward_to_deserialize_any};
use serde_json::{Map, Value};

/// Declares a response model that keeps every field it does not name.
///
/// It takes a struct as it would be written with `#[derive(Deserialize)]`: doc comments
/// first, then one `#[derive(…)]` (without `Deserialize`, which the macro provides), then any
/// other attributes (`#[non_exhaustive]`, `#[serde(…)]`), and named fields with their doc
/// comments and `#[serde(…)]` attributes. It adds the field
/// `#[serde(flatten)] pub extra: Map<String, Value>` last, documented as "Every other field,
/// as sent." or by the doc comments written after the struct, before the word `extra`:
///
/// ```ignore
/// lossless_struct! {
///     /// A tag.
///     #[derive(Debug, Clone, PartialEq, Serialize)]
///     #[non_exhaustive]
///     pub struct Tag {
///         /// Its id.
///         pub id: i64,
///         /// Its name.
///         #[serde(default)]
///         pub name: Option<String>,
///     }
///     /// Every other field, as sent.
///     extra
/// }
/// ```
///
/// The fields' attributes are given to the twin the macro reads, so they may only be doc
/// comments and `#[serde(…)]`. A named field's type must not read itself with
/// `deserialize_ignored_any` (only [`IgnoredAny`](serde::de::IgnoredAny) does).
macro_rules! lossless_struct {
    (
        $(#[doc = $doc:literal])*
        #[derive($($derive:path),* $(,)?)]
        $(#[$attr:meta])*
        $vis:vis struct $name:ident {
            $(
                $(#[$field_attr:meta])*
                $field_vis:vis $field:ident : $type:ty
            ),* $(,)?
        }
        $(#[doc = $extra_doc:literal])+
        extra
    ) => {
        $(#[doc = $doc])*
        #[derive($($derive),*)]
        $(#[$attr])*
        $vis struct $name {
            $(
                $(#[$field_attr])*
                $field_vis $field: $type,
            )*
            $(#[doc = $extra_doc])+
            #[serde(flatten)]
            pub extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                // The same struct without `extra`, under the same name for the same messages.
                #[derive(::serde::Deserialize)]
                $(#[$attr])*
                struct $name {
                    $(
                        $(#[$field_attr])*
                        $field: $type,
                    )*
                }

                let mut extra = ::serde_json::Map::new();
                let named = <$name as ::serde::Deserialize<'de>>::deserialize(
                    $crate::lossless::Collect::new(deserializer, &mut extra),
                )?;
                ::std::result::Result::Ok(Self {
                    $($field: named.$field,)*
                    extra,
                })
            }
        }
    };
    (
        $(#[doc = $doc:literal])*
        #[derive($($derive:path),* $(,)?)]
        $(#[$attr:meta])*
        $vis:vis struct $name:ident { $($body:tt)* }
    ) => {
        $crate::lossless::lossless_struct! {
            $(#[doc = $doc])*
            #[derive($($derive),*)]
            $(#[$attr])*
            $vis struct $name { $($body)* }
            /// Every other field, as sent.
            extra
        }
    };
}

pub(crate) use lossless_struct;

/// Reads a value that is either a bare id or an object, as `#[serde(untagged)]` would with
/// the variants `Id(i64)` then `Object(T)`, but without buffering the value first.
///
/// A failure inside the object is reported as it is (with its path), not as "did not match
/// any variant".
pub(crate) fn id_or_object<'de, D, T, R>(
    deserializer: D,
    id: fn(i64) -> R,
    object: fn(T) -> R,
) -> Result<R, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct IdOrObject<T, R> {
        id: fn(i64) -> R,
        object: fn(T) -> R,
    }

    impl<'de, T: Deserialize<'de>, R> Visitor<'de> for IdOrObject<T, R> {
        type Value = R;

        fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
            formatter.write_str("an id or an object")
        }

        fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<R, E> {
            Ok((self.id)(value))
        }

        fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<R, E> {
            i64::try_from(value)
                .map(self.id)
                .map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(value), &self))
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<R, A::Error> {
            T::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(self.object)
        }
    }

    deserializer.deserialize_any(IdOrObject { id, object })
}

/// A deserializer that reads a struct from a map, keeping in `extra` the value of every key
/// the struct's derived code ignores.
///
/// Only `deserialize_struct` is special; everything else goes to the inner deserializer.
pub(crate) struct Collect<'a, D> {
    deserializer: D,
    extra: &'a mut Map<String, Value>,
}

impl<'a, D> Collect<'a, D> {
    /// Reads from `deserializer`, keeping unknown fields in `extra`.
    pub(crate) fn new(deserializer: D, extra: &'a mut Map<String, Value>) -> Self {
        Self {
            deserializer,
            extra,
        }
    }
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Collect<'_, D> {
    type Error = D::Error;

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        // A map, as `#[serde(flatten)]` read it: a struct is not read from an array.
        self.deserializer.deserialize_map(Entries {
            visitor,
            extra: self.extra,
        })
    }

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.deserializer.deserialize_any(visitor)
    }

    fn is_human_readable(&self) -> bool {
        self.deserializer.is_human_readable()
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

/// The visitor of the map: hands the struct's visitor a [`Fields`] over the map.
struct Entries<'a, V> {
    visitor: V,
    extra: &'a mut Map<String, Value>,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Entries<'_, V> {
    type Value = V::Value;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(formatter)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.visitor.visit_map(Fields {
            map,
            extra: self.extra,
            key: None,
        })
    }
}

/// The entries of the map as the struct's visitor reads them, remembering the last key.
struct Fields<'a, 'de, A> {
    map: A,
    extra: &'a mut Map<String, Value>,
    /// The key whose value comes next.
    key: Option<Cow<'de, str>>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Fields<'_, 'de, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.map.next_key_seed(Key {
            seed,
            key: &mut self.key,
        })
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        self.map.next_value_seed(Entry {
            seed,
            key: self.key.take(),
            extra: self.extra,
        })
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

/// Reads a key: keeps it (borrowed when the input allows) and hands it to the derived code.
struct Key<'a, 'de, K> {
    seed: K,
    key: &'a mut Option<Cow<'de, str>>,
}

impl<'de, K: DeserializeSeed<'de>> DeserializeSeed<'de> for Key<'_, 'de, K> {
    type Value = K::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<K::Value, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de, K: DeserializeSeed<'de>> Visitor<'de> for Key<'_, 'de, K> {
    type Value = K::Value;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a field name")
    }

    fn visit_borrowed_str<E: serde::de::Error>(self, key: &'de str) -> Result<K::Value, E> {
        *self.key = Some(Cow::Borrowed(key));
        self.seed.deserialize(BorrowedStrDeserializer::new(key))
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<K::Value, E> {
        *self.key = Some(Cow::Owned(key.to_owned()));
        self.seed.deserialize(StrDeserializer::new(key))
    }

    fn visit_string<E: serde::de::Error>(self, key: String) -> Result<K::Value, E> {
        let value = self.seed.deserialize(StrDeserializer::new(&key))?;
        *self.key = Some(Cow::Owned(key));
        Ok(value)
    }

    fn visit_borrowed_bytes<E: serde::de::Error>(self, key: &'de [u8]) -> Result<K::Value, E> {
        match std::str::from_utf8(key) {
            Ok(key) => self.visit_borrowed_str(key),
            Err(_) => Err(E::invalid_value(serde::de::Unexpected::Bytes(key), &self)),
        }
    }

    fn visit_bytes<E: serde::de::Error>(self, key: &[u8]) -> Result<K::Value, E> {
        match std::str::from_utf8(key) {
            Ok(key) => self.visit_str(key),
            Err(_) => Err(E::invalid_value(serde::de::Unexpected::Bytes(key), &self)),
        }
    }
}

/// Reads a value for the derived code, catching it when the derived code ignores it.
struct Entry<'a, 'de, S> {
    seed: S,
    key: Option<Cow<'de, str>>,
    extra: &'a mut Map<String, Value>,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Entry<'_, 'de, S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        self.seed.deserialize(Catch {
            deserializer,
            key: self.key,
            extra: self.extra,
        })
    }
}

/// The deserializer of one value: the inner one, except that a value the derived code would
/// skip is read into `extra` under its key.
struct Catch<'a, 'de, D> {
    deserializer: D,
    key: Option<Cow<'de, str>>,
    extra: &'a mut Map<String, Value>,
}

/// Forwards `deserialize_*` methods to the inner deserializer.
macro_rules! forward {
    ($($method:ident($($arg:ident: $type:ty),*))*) => {
        $(
            fn $method<V: Visitor<'de>>(
                self,
                $($arg: $type,)*
                visitor: V,
            ) -> Result<V::Value, D::Error> {
                self.deserializer.$method($($arg,)* visitor)
            }
        )*
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Catch<'_, 'de, D> {
    type Error = D::Error;

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        let value = Value::deserialize(self.deserializer)?;
        if let Some(key) = self.key {
            self.extra.insert(key.into_owned(), value);
        }
        visitor.visit_unit()
    }

    fn is_human_readable(&self) -> bool {
        self.deserializer.is_human_readable()
    }

    forward! {
        deserialize_any()
        deserialize_bool()
        deserialize_i8()
        deserialize_i16()
        deserialize_i32()
        deserialize_i64()
        deserialize_i128()
        deserialize_u8()
        deserialize_u16()
        deserialize_u32()
        deserialize_u64()
        deserialize_u128()
        deserialize_f32()
        deserialize_f64()
        deserialize_char()
        deserialize_str()
        deserialize_string()
        deserialize_bytes()
        deserialize_byte_buf()
        deserialize_option()
        deserialize_unit()
        deserialize_unit_struct(name: &'static str)
        deserialize_newtype_struct(name: &'static str)
        deserialize_seq()
        deserialize_tuple(len: usize)
        deserialize_tuple_struct(name: &'static str, len: usize)
        deserialize_map()
        deserialize_struct(name: &'static str, fields: &'static [&'static str])
        deserialize_enum(name: &'static str, variants: &'static [&'static str])
        deserialize_identifier()
    }
}

#[cfg(test)]
mod tests {
    use http::StatusCode;
    use proptest::prelude::*;
    use serde::{Deserialize, Serialize};
    use serde_json::{Map, Value, json};

    use crate::endpoint::decode_json;
    use crate::{Error, Lenient};

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    enum Kind {
        Small,
        Large,
    }

    lossless_struct! {
        /// A model with a field of every kind the API models use.
        #[derive(Debug, Clone, PartialEq, Serialize)]
        struct Model {
            id: i64,
            #[serde(default)]
            name: Option<String>,
            #[serde(default, alias = "colour", skip_serializing_if = "Option::is_none")]
            color: Option<String>,
            #[serde(rename = "type", default)]
            kind: Option<Lenient<Kind>>,
            #[serde(default)]
            inner: Option<Inner>,
            #[serde(default)]
            items: Vec<Inner>,
            #[serde(default)]
            any: Value,
        }
        /// The rest.
        extra
    }

    lossless_struct! {
        /// A nested model.
        #[derive(Debug, Clone, PartialEq, Serialize)]
        struct Inner {
            #[serde(default)]
            id: Option<u32>,
        }
    }

    /// An id or an object, as untagged enums of the models read them.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(untagged)]
    enum Either {
        Id(i64),
        Model(Model),
    }

    /// [`Model`] as `#[serde(flatten)]` reads it.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Flat {
        id: i64,
        #[serde(default)]
        name: Option<String>,
        #[serde(default, alias = "colour", skip_serializing_if = "Option::is_none")]
        color: Option<String>,
        #[serde(rename = "type", default)]
        kind: Option<Lenient<Kind>>,
        #[serde(default)]
        inner: Option<FlatInner>,
        #[serde(default)]
        items: Vec<FlatInner>,
        #[serde(default)]
        any: Value,
        #[serde(flatten)]
        extra: Map<String, Value>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct FlatInner {
        #[serde(default)]
        id: Option<u32>,
        #[serde(flatten)]
        extra: Map<String, Value>,
    }

    #[test]
    fn unknown_fields_of_every_type_round_trip() {
        let sent = json!({
            "id": 1, "name": "n", "colour": "red", "type": "large", "any": [1],
            "inner": {"id": 3, "deep": {"a": [null]}},
            "items": [{"id": 4}, {"id": null, "more": -1.5}],
            "text": "t", "float": 1.5, "negative": -3, "big": u64::MAX, "yes": true,
            "nothing": null, "list": [1, "x", {}], "object": {"k": []}, "": "empty key",
            "esc\"aped": "\u{1F600}",
        });
        let text = serde_json::to_string(&sent).unwrap();
        for model in [
            serde_json::from_str::<Model>(&text).unwrap(),
            serde_json::from_slice::<Model>(text.as_bytes()).unwrap(),
            serde_json::from_reader::<_, Model>(text.as_bytes()).unwrap(),
            serde_json::from_value::<Model>(sent.clone()).unwrap(),
            Model::deserialize(&sent).unwrap(),
            decode_json::<Model>(StatusCode::OK, text.as_bytes()).unwrap(),
        ] {
            assert_eq!(model.id, 1);
            assert_eq!(
                model.color.as_deref(),
                Some("red"),
                "an alias is a known field"
            );
            assert_eq!(
                model.kind.as_ref().and_then(Lenient::known),
                Some(&Kind::Large)
            );
            assert_eq!(
                model.inner.as_ref().map(|i| &i.extra["deep"]),
                Some(&sent["inner"]["deep"])
            );
            assert_eq!(model.items[1].extra["more"], -1.5);
            assert_eq!(model.extra.len(), 10, "{:?}", model.extra);
            assert!(!model.extra.contains_key("colour") && !model.extra.contains_key("id"));
            assert_eq!(model.extra["big"], u64::MAX);
            let mut again = serde_json::to_value(&model).unwrap();
            again["colour"] = again["color"].take();
            again.as_object_mut().unwrap().remove("color");
            assert_eq!(again, sent);
        }
    }

    #[test]
    fn nested_in_an_untagged_enum() {
        let both: Vec<Either> =
            serde_json::from_str(r#"[7, {"id": 8, "x": {"y": 1}, "inner": {"z": 2}}]"#).unwrap();
        assert_eq!(both[0], Either::Id(7));
        let Either::Model(model) = &both[1] else {
            panic!("{both:?}")
        };
        assert_eq!(model.extra["x"], json!({"y": 1}));
        assert_eq!(model.inner.as_ref().unwrap().extra["z"], 2);
    }

    #[test]
    fn a_failure_names_its_path_and_the_message_is_unchanged() {
        let body = br#"{"results": [{"id": 1}, {"id": 2, "x": 1, "items": [{}, {"id": "3"}]}]}"#;
        let err = decode_json::<Wrapper>(StatusCode::OK, body).unwrap_err();
        let Error::Decode(decode) = err else {
            panic!("{err:?}")
        };
        assert_eq!(decode.path, "results[1].items[1].id");
        let flat = serde_json::from_slice::<FlatWrapper>(body).unwrap_err();
        assert!(
            decode
                .message
                .contains("invalid type: string \"3\", expected u32"),
            "{decode:?}"
        );
        assert!(
            flat.to_string().starts_with(&decode.message),
            "{flat} / {decode:?}"
        );

        let missing = decode_json::<Vec<Model>>(StatusCode::OK, br#"[{"id": 1}, {"x": 2}]"#);
        let Err(Error::Decode(decode)) = missing else {
            panic!("{missing:?}")
        };
        assert_eq!(decode.path, "[1]");
        assert!(decode.message.contains("missing field `id`"), "{decode:?}");
        let not_an_object = serde_json::from_str::<Model>("[1]")
            .unwrap_err()
            .to_string();
        assert!(
            not_an_object.contains("expected struct Model"),
            "{not_an_object}"
        );

        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Wrapper {
            results: Vec<Model>,
        }
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct FlatWrapper {
            results: Vec<Flat>,
        }
    }

    #[test]
    fn an_id_or_an_object() {
        use crate::users::Reference;
        let read: Vec<Reference> =
            serde_json::from_str(r#"[5, {"id": 6, "name": "n", "x": [1]}, {}]"#).unwrap();
        assert_eq!(read[0], Reference::Id(5));
        assert_eq!(
            read.iter().map(Reference::id).collect::<Vec<_>>(),
            [Some(5), Some(6), None]
        );
        let again = serde_json::to_string(&read).unwrap();
        assert_eq!(
            again,
            r#"[5,{"id":6,"name":"n","x":[1]},{"id":null,"name":null}]"#
        );
        for wrong in ["1.5", r#""5""#, "[5]", "true", "9223372036854775808"] {
            let err = serde_json::from_str::<Reference>(wrong)
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("expected an id or an object"),
                "{wrong}: {err}"
            );
        }
        let err = decode_json::<Vec<Reference>>(StatusCode::OK, br#"[1, {"id": "x"}]"#);
        let Err(Error::Decode(decode)) = err else {
            panic!("{err:?}")
        };
        assert_eq!(decode.path, "[1].id");
    }

    #[test]
    fn duplicate_keys_behave_as_with_flatten() {
        for text in [
            r#"{"id": 1, "id": 2}"#,
            r#"{"id": 1, "color": "a", "colour": "b"}"#,
            r#"{"id": 1, "x": 1, "x": [2]}"#,
            r#"{"id": 1, "x": 1, "y": 2, "x": 3}"#,
        ] {
            same_as_flatten(text);
        }
        let model: Model = serde_json::from_str(r#"{"id": 1, "x": 1, "y": 2, "x": 3}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&model.extra).unwrap(),
            r#"{"x":3,"y":2}"#
        );
    }

    /// Decodes `text` as [`Model`] and as [`Flat`] in every way the SDK does, expecting the
    /// same outcome.
    fn same_as_flatten(text: &str) {
        let ours = serde_json::from_str::<Model>(text);
        let flat = serde_json::from_str::<Flat>(text);
        match (&ours, &flat) {
            (Ok(ours), Ok(flat)) => assert_eq!(
                serde_json::to_value(ours).unwrap(),
                serde_json::to_value(flat).unwrap(),
                "{text}"
            ),
            (Err(_), Err(_)) => {}
            _ => panic!("{text}: {ours:?} but flatten gives {flat:?}"),
        }
        // Through serde_path_to_error and from a `Value`, when the text is one.
        let tracked = decode_json::<Model>(StatusCode::OK, text.as_bytes());
        assert_eq!(tracked.is_ok(), ours.is_ok(), "{text}");
        if let Ok(value) = serde_json::from_str::<Value>(text) {
            let from_value = Model::deserialize(&value);
            let flat_value = Flat::deserialize(&value);
            assert_eq!(from_value.is_ok(), flat_value.is_ok(), "{text}");
            let untagged = serde_json::from_str::<Either>(text);
            assert_eq!(
                untagged.map(|e| matches!(e, Either::Model(_))).ok(),
                ours.as_ref().ok().map(|_| true),
                "{text}"
            );
        }
    }

    /// Any JSON value, small.
    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            (0u32..5).prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            prop_oneof![Just("small"), Just("x"), Just(""), Just("é\"\\")].prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                prop::collection::vec((key(), inner), 0..4)
                    .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
            ]
        })
    }

    /// A key: one of the model's or another.
    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("id"),
            Just("name"),
            Just("color"),
            Just("colour"),
            Just("type"),
            Just("inner"),
            Just("items"),
            Just("any"),
            Just("x"),
            Just("y"),
            Just("extra"),
            Just("esc\\u0061ped"),
        ]
        .prop_map(str::to_owned)
    }

    proptest! {
        #[test]
        fn decodes_as_flatten_did(
            id in prop::option::of(any::<i64>()),
            pairs in prop::collection::vec((key(), json_value()), 0..8),
        ) {
            // Written by hand, so that keys may repeat.
            let mut fields: Vec<String> = id.map(|id| format!(r#""id": {id}"#)).into_iter().collect();
            for (key, value) in &pairs {
                fields.push(format!(r#""{key}": {value}"#));
            }
            same_as_flatten(&format!("{{{}}}", fields.join(", ")));
        }
    }
}
